"""The schedule designer: its controls redraw, its numbers are the schedules', bad input fails early."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import schedules, widgets
from course_utils.schedules import KINDS, make_schedule
from course_utils.trajectories import SCHEDULE_PROBLEMS, train_with_schedule

STEPS = 400  # the designer's run length


@pytest.fixture
def designer():
    return widgets.schedule_designer()


def test_builds_with_defaults_and_is_exported(designer) -> None:
    controls = designer.controls
    assert set(controls) == {"kind", "problem", "initial_learning_rate", "decay_steps",
                             "decay_rate", "alpha", "power", "warmup_steps"}
    assert controls["kind"].description == "schedule"  # the label stays
    assert designer.view.image.value[:4] == b"\x89PNG"
    data = designer.data
    assert (data.kind, data.problem) == ("cosine", "noisy quadratic + SGD")
    expected = schedules.CosineDecay(0.5, 400, alpha=0.0)(np.arange(STEPS + 1))
    np.testing.assert_allclose(data.learning_rates, expected)
    np.testing.assert_array_equal(data.losses, train_with_schedule(schedules.CosineDecay(0.5, 400)))
    np.testing.assert_array_equal(data.constant, train_with_schedule(0.5))
    assert "CosineDecay(initial_learning_rate=0.5, decay_steps=400, alpha=0.0)" in designer.readout.value


def test_a_slider_move_redraws_and_updates_the_readout(designer) -> None:
    image, text = designer.view.image.value, designer.readout.value
    designer.controls["decay_steps"].value = 200
    assert designer.data.settings["decay_steps"] == 200
    assert designer.data.learning_rates[200] == pytest.approx(0.0)  # cosine reaches α·η₀ = 0
    assert designer.view.image.value != image
    assert designer.readout.value != text
    assert "decay_steps=200" in designer.readout.value


def test_learning_rate_slider_changes_the_constant_run(designer) -> None:
    before, constant = designer.readout.value, designer.data.constant
    designer.controls["initial_learning_rate"].value = 0.1
    np.testing.assert_array_equal(designer.data.constant, train_with_schedule(0.1))
    assert not np.array_equal(designer.data.constant, constant)
    assert "initial_learning_rate=0.1" in designer.readout.value
    assert designer.readout.value != before


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_draws_and_names_its_keras_class(designer, kind) -> None:
    designer.controls["decay_steps"].value = 150
    designer.controls["kind"].value = "constant" if kind != "constant" else "cosine"
    image = designer.view.image.value
    designer.controls["kind"].value = kind
    assert designer.data.kind == kind
    expected = {"constant": "learning_rate=", "step": "PiecewiseConstantDecay",
                "exponential": "ExponentialDecay", "polynomial": "PolynomialDecay",
                "cosine": "CosineDecay", "warm-up + cosine": "warmup_target",
                "cosine restarts": "CosineDecayRestarts", "one-cycle": "OneCycle"}[kind]
    assert expected in designer.readout.value
    assert designer.view.image.value != image


def test_only_the_sliders_a_kind_uses_are_shown(designer) -> None:
    designer.controls["kind"].value = "constant"
    assert designer.controls["decay_steps"].layout.display == "none"
    assert designer.controls["initial_learning_rate"].layout.display != "none"
    designer.controls["kind"].value = "polynomial"
    assert designer.controls["power"].layout.display != "none"
    assert designer.controls["warmup_steps"].layout.display == "none"


def test_switching_problem_redraws(designer) -> None:
    image, text = designer.view.image.value, designer.readout.value
    designer.controls["problem"].value = "rosenbrock + Adam"
    assert designer.data.problem == "rosenbrock + Adam"
    np.testing.assert_array_equal(designer.data.constant,
                                  train_with_schedule(0.5, problem="rosenbrock + Adam"))
    assert designer.view.image.value != image and designer.readout.value != text
    designer.controls["problem"].value = "noisy quadratic + SGD"  # back: its kept background
    assert designer.view.image.value == image and designer.readout.value == text


def test_the_noisy_problem_rewards_decay_and_the_readout_says_so(designer) -> None:
    data = designer.data  # cosine beats constant η₀ = 0.5
    assert data.final < data.final_constant / 2
    assert "the schedule ends" in designer.readout.value
    designer.controls["kind"].value = "step"          # decay_steps = 400: no drop in the run
    data = designer.data
    assert np.all(data.learning_rates == 0.5) and data.final == pytest.approx(data.final_constant)
    assert "about the same" in designer.readout.value


def test_divergence_is_reported_not_raised(designer) -> None:
    designer.controls["kind"].value = "exponential"
    designer.controls["decay_rate"].value = 1.0
    designer.controls["initial_learning_rate"].value = 2.5   # above 2/L = 2
    assert np.isnan(designer.data.final) and np.isnan(designer.data.final_constant)
    assert "diverged" in designer.readout.value


@pytest.mark.parametrize(
    "kwargs",
    [{"kind": "linear"}, {"problem": "beale"}, {"initial_learning_rate": -0.1},
     {"initial_learning_rate": 10.0}, {"decay_steps": 0}, {"alpha": 1.5},
     {"warmup_steps": 1000}, {"decay_rate": "0.5"}],
)
def test_bad_arguments_raise_value_error(kwargs) -> None:
    with pytest.raises(ValueError):
        widgets.schedule_designer(**kwargs)


# -- the computing parts -------------------------------------------------------------------------
def test_make_schedule_uses_the_course_schedules() -> None:
    steps = np.arange(0, 500, 7)
    schedule, _ = make_schedule("cosine", 0.3, decay_steps=250, alpha=0.1)
    assert np.allclose(schedule(steps), schedules.CosineDecay(0.3, 250, alpha=0.1)(steps))
    schedule, code = make_schedule("step", 1.0, decay_steps=100, decay_rate=0.5)
    assert code == "PiecewiseConstantDecay(boundaries=[100, 200, 300], values=[1.0, 0.5, 0.25, 0.125])"
    assert schedule(100) == 1.0 and schedule(101) == 0.5
    schedule, _ = make_schedule("warm-up + cosine", 0.4, decay_steps=300, warmup_steps=50)
    assert schedule(0) == 0.0 and schedule(50) == pytest.approx(0.4)


def test_make_schedule_one_cycle_shape() -> None:
    schedule, code = make_schedule("one-cycle", 1.0, decay_steps=400, warmup_steps=100)
    assert schedule([0, 100, 200, 400]).tolist() == pytest.approx([0.04, 1.0, 0.04, 4e-6])
    assert "warmup_fraction=0.25" in code


def test_make_schedule_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        make_schedule("nope", 0.1)
    with pytest.raises(ValueError):
        make_schedule("cosine", 0.0)


def test_train_with_schedule_noise_floor_and_decay() -> None:
    constant = train_with_schedule(0.5)
    decayed = train_with_schedule(schedules.CosineDecay(0.5, STEPS))
    assert constant.shape == (STEPS + 1,)
    assert constant[0] == decayed[0]                     # same start
    assert decayed[-20:].mean() < constant[-20:].mean() / 2
    assert np.array_equal(constant, train_with_schedule(0.5))   # same noise every time


def test_train_with_schedule_rosenbrock_and_divergence() -> None:
    rosen = train_with_schedule(0.1, problem="rosenbrock + Adam")
    assert rosen[-1] < rosen[0] / 100
    diverged = train_with_schedule(2.5)
    assert np.isnan(diverged[-1]) and np.isfinite(diverged[0])


def test_train_with_schedule_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        train_with_schedule(0.1, problem="nope")
    with pytest.raises(ValueError):
        train_with_schedule(-0.1)


def test_problems_have_log_limits() -> None:
    designer = widgets.schedule_designer()
    assert set(designer.controls["problem"].options) == set(SCHEDULE_PROBLEMS)
    for problem in SCHEDULE_PROBLEMS:
        designer.controls["problem"].value = problem
        loss_axes = designer.view.fig.axes[1]
        low, high = loss_axes.get_ylim()
        assert loss_axes.get_yscale() == "log" and 0 < low < high
