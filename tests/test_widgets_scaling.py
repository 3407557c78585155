"""The scaling explorer: controls redraw, the readout tells the truth, the maths is right."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import widgets
from course_utils.quadratic import LeastSquares, two_feature_problem


@pytest.fixture(scope="module")
def explorer() -> widgets.Explorer:
    return widgets.scaling_explorer()


def _png(ex: widgets.Explorer) -> bytes:
    return bytes(ex.view.image.value)


def test_builds_with_defaults_and_exposes_its_controls(explorer: widgets.Explorer) -> None:
    controls = explorer.controls
    assert set(controls) == {"scale", "learning_rate", "steps", "animate", "best_for_each"}
    assert controls["scale"].description == "feature scale s"  # the label stays
    assert _png(explorer).startswith(b"\x89PNG")
    data = explorer.data
    assert (data.scale, data.steps, data.best_for_each) == (5.0, 100, False)
    assert data.raw.learning_rate == data.std.learning_rate == pytest.approx(0.05)
    assert data.raw.path.shape == (101, 2) and data.raw.gap.shape == (100,)
    assert "raw features" in explorer.readout.value and "standardised" in explorer.readout.value
    assert explorer.children[-1] is explorer.readout


@pytest.mark.parametrize(("control", "value"), [
    ("scale", 20.0), ("learning_rate", 0.003), ("steps", 300), ("best_for_each", True),
])
def test_each_control_redraws_and_updates_the_readout(control: str, value) -> None:
    ex = widgets.scaling_explorer()
    before, text = _png(ex), ex.readout.value
    ex.controls[control].value = value
    got = ex.data.raw.learning_rate if control == "learning_rate" else getattr(ex.data, control)
    assert got == pytest.approx(value)
    assert _png(ex) != before
    if control != "steps":  # the step counts do not depend on how many steps are drawn
        assert ex.readout.value != text


def test_too_large_learning_rate_is_reported_for_raw_features_only() -> None:
    ex = widgets.scaling_explorer(scale=10.0, learning_rate=0.5)
    limit = 2 / ex.data.raw.problem.eigenvalues[1]
    assert ex.data.raw.learning_rate > limit and ex.data.raw.steps_to is None
    assert ex.data.std.learning_rate < 2 / ex.data.std.problem.eigenvalues[1]
    assert ex.data.std.steps_to is not None
    assert "past its limit 2/L" in ex.readout.value
    assert "diverges or stalls" in ex.readout.value


def test_best_eta_readout_and_slider_disabled() -> None:
    ex = widgets.scaling_explorer(scale=20.0, best_for_each=True)
    assert ex.controls["learning_rate"].disabled
    for run in (ex.data.raw, ex.data.std):
        assert run.learning_rate == run.problem.best_learning_rate
        assert run.steps_to == run.steps_at_best
    assert ex.data.raw.steps_at_best > 10 * ex.data.std.steps_at_best
    assert "standardising cuts the steps" in ex.readout.value
    ex.controls["scale"].value = 1.0
    assert ex.data.raw.steps_at_best < 1.5 * ex.data.std.steps_at_best
    assert "already on similar scales" in ex.readout.value


def test_standardised_problem_does_not_depend_on_the_scale() -> None:
    x1, y = two_feature_problem(1.0)
    x20, _ = two_feature_problem(20.0)
    std = [(x - x.mean(0)) / x.std(0) for x in (x1, x20)]
    np.testing.assert_allclose(std[0], std[1], atol=1e-12)
    raw1, raw20 = LeastSquares.from_data(x1, y), LeastSquares.from_data(x20, y)
    assert raw20.condition > 100 * raw1.condition  # stretching by 20 multiplies κ by about 20²
    np.testing.assert_allclose(raw20.w_star, raw1.w_star / [1, 20], rtol=1e-9)


def test_closed_form_matches_a_plain_gradient_descent_loop() -> None:
    x, y = two_feature_problem(5.0)
    problem = LeastSquares.from_data(x, y)
    eta = 0.8 * 2 / problem.eigenvalues[1]
    w, path = np.zeros(2), [np.zeros(2)]
    for _ in range(50):
        w = w - eta * (x.T @ (x @ w - y) / len(y))
        path.append(w)
    np.testing.assert_allclose(problem.path(eta, 50), np.array(path), rtol=1e-8, atol=1e-10)
    loss = 0.5 * np.mean((x @ path[-1] - y) ** 2)
    assert problem.loss(path[-1]) == pytest.approx(loss, rel=1e-10)
    steps = problem.steps_to(eta)
    gap = [problem.loss(p) - problem.min_loss for p in problem.path(eta, steps)]
    assert gap[-1] <= 1e-6 * gap[0] < gap[-2]


def test_steps_to_is_none_past_the_stability_limit() -> None:
    problem = LeastSquares.from_data(*two_feature_problem(5.0))
    limit = 2 / problem.eigenvalues[1]
    assert problem.steps_to(1.01 * limit) is None
    assert problem.steps_to(0.99 * limit) is not None
    assert np.isnan(problem.path(1.5 * limit, 400)[-1]).all()


@pytest.mark.parametrize("kwargs", [
    {"scale": 0.5}, {"scale": "big"}, {"learning_rate": -0.1}, {"learning_rate": 10.0},
    {"steps": 0}, {"steps": 2.5}, {"steps": True}, {"scale": True},
])
def test_bad_arguments_raise_value_error(kwargs) -> None:
    with pytest.raises(ValueError):
        widgets.scaling_explorer(**kwargs)


def test_bad_data_raise_value_error() -> None:
    with pytest.raises(ValueError, match="finite"):
        LeastSquares.from_data(np.array([[1.0, np.nan], [0.0, 1.0]]), np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="shape"):
        LeastSquares.from_data(np.ones(3), np.ones(3))
    with pytest.raises(ValueError):
        two_feature_problem(scale=-1.0)


def test_static_picture_is_drawn_at_each_problems_best_eta() -> None:
    import base64

    ex = widgets.scaling_explorer(scale=5.0, learning_rate=0.05)
    live_png, live_text = _png(ex), ex.readout.value
    bundle = ex._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    static_png = base64.b64decode(data["image/png"])
    best = widgets.scaling_explorer(scale=5.0, learning_rate=0.05, best_for_each=True)
    assert static_png == _png(best) != live_png  # the best-η picture, not the slider's η
    assert best.readout.value in data["text/html"]  # its readout names the best η's numbers
    # the reader's live setting is left as it was
    assert not ex.controls["best_for_each"].value
    assert not ex.controls["learning_rate"].disabled
    assert _png(ex) == live_png and ex.readout.value == live_text


def test_static_picture_shows_the_lesson_at_the_default_scale() -> None:
    x, y = two_feature_problem(5.0)
    raw = LeastSquares.from_data(x, y)
    std = LeastSquares.from_data((x - x.mean(0)) / x.std(0), y)
    raw_steps = raw.steps_to(raw.best_learning_rate)
    std_steps = std.steps_to(std.best_learning_rate)
    assert raw_steps > 10 * std_steps  # at their best η the two curves are far apart
    ex = widgets.scaling_explorer()
    bundle = ex._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert f"from {raw_steps:,} to {std_steps:,}" in data["text/html"]
