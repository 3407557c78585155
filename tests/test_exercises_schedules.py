"""The chapter-05 checkers accept the worked solutions, spot the usual slips, and say which."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from course_utils import exercises
from course_utils.exercises import schedules as ex


# -- the worked solutions (as in the notebook) -------------------------------------------------
def step_decay(step, initial_learning_rate, decay_steps, decay_rate):
    return initial_learning_rate * decay_rate ** (step // decay_steps)


def cosine_decay(step, initial_learning_rate, decay_steps, alpha):
    s = min(step, decay_steps)
    factor = 0.5 * (1 + math.cos(math.pi * s / decay_steps))
    return initial_learning_rate * ((1 - alpha) * factor + alpha)


def stub(*args):
    return None


def test_checkers_are_exported() -> None:
    for name in ("check_step_decay", "check_cosine_decay", "check_lr_choice",
                 "check_schedule_prediction"):
        assert getattr(exercises, name) is getattr(ex, name)


# -- step decay --------------------------------------------------------------------------------
def test_step_decay_accepts_the_solution() -> None:
    result = exercises.check_step_decay(step_decay)
    assert result and result.status == "correct"


def test_step_decay_stub_is_not_attempted() -> None:
    result = exercises.check_step_decay(stub)
    assert not result and result.status == "not attempted"


def test_step_decay_smooth_curve_gets_the_staircase_hint() -> None:
    result = exercises.check_step_decay(lambda s, eta, k, r: eta * r ** (s / k))
    assert result.status == "wrong"
    assert "just before the first drop" in result.message
    assert "staircase" in result.message and "floor" in result.message


def test_step_decay_late_drop_gets_the_off_by_one_hint() -> None:
    def late(step, eta, k, r):  # PiecewiseConstantDecay's convention: old value at the boundary
        return eta * r ** max(math.ceil(step / k) - 1, 0)

    result = exercises.check_step_decay(late)
    assert result.status == "wrong"
    assert "exactly at the first drop" in result.message
    assert "off by one" in result.message and "PiecewiseConstantDecay" in result.message
    assert "expected 0.05" in result.message and "got 0.1" in result.message


def test_step_decay_ceil_and_product_slips() -> None:
    ceil = exercises.check_step_decay(lambda s, eta, k, r: eta * r ** math.ceil(s / k))
    assert ceil.status == "wrong" and "ceil" in ceil.message
    product = exercises.check_step_decay(lambda s, eta, k, r: eta * r * (s // k))
    assert product.status == "wrong" and "power" in product.message


def test_step_decay_reports_an_exception_with_the_case() -> None:
    result = exercises.check_step_decay(lambda s, eta, k, r: 1 / 0)
    assert result.status == "wrong"
    assert "the first step" in result.message and "ZeroDivisionError" in result.message


def test_step_decay_matches_keras_semantics() -> None:
    # The reference is ExponentialDecay(staircase=True): dropped AT the boundary step.
    assert ex._step_decay(100, 1.0, 100, 0.5) == 0.5
    assert ex._step_decay(99, 1.0, 100, 0.5) == 1.0


# -- cosine decay ------------------------------------------------------------------------------
def test_cosine_decay_accepts_the_solution() -> None:
    result = exercises.check_cosine_decay(cosine_decay)
    assert result and "CosineDecay" in result.message


def test_cosine_decay_stub_is_not_attempted() -> None:
    assert exercises.check_cosine_decay(stub).status == "not attempted"


def test_cosine_decay_unclipped_gets_the_clip_hint() -> None:
    def unclipped(step, eta, k, alpha):
        return eta * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * step / k)) + alpha)

    result = exercises.check_cosine_decay(unclipped)
    assert result.status == "wrong"
    assert "after the decay" in result.message and "min(step, decay_steps)" in result.message


def test_cosine_decay_alpha_slips() -> None:
    def no_alpha(step, eta, k, alpha):
        return eta * 0.5 * (1 + math.cos(math.pi * min(step, k) / k))

    def alpha_added(step, eta, k, alpha):
        return eta * (0.5 * (1 + math.cos(math.pi * min(step, k) / k)) + alpha)

    missing = exercises.check_cosine_decay(no_alpha)
    assert missing.status == "wrong" and "alpha is missing" in missing.message
    added = exercises.check_cosine_decay(alpha_added)
    assert added.status == "wrong" and "(1 - alpha)" in added.message


def test_cosine_decay_full_cosine_slip() -> None:
    def bare_cos(step, eta, k, alpha):
        return eta * ((1 - alpha) * math.cos(math.pi * min(step, k) / k) + alpha)

    result = exercises.check_cosine_decay(bare_cos)
    assert result.status == "wrong" and "½(1 + cos" in result.message


def test_cosine_decay_non_number_is_reported() -> None:
    result = exercises.check_cosine_decay(lambda *a: "0.1")
    assert result.status == "wrong"


# -- reading an LR range test ------------------------------------------------------------------
@pytest.fixture
def finder() -> SimpleNamespace:
    """A range-test curve: flat below 1e-3, falling to a minimum at η = 0.5, then blowing up."""
    lrs = np.geomspace(1e-5, 5.0, 120)
    x = np.log10(lrs)
    falling = 2.3 - 1.8 / (1 + np.exp(-(x + 1.5) * 3))
    rising = np.where(lrs > 0.5, 40 * (x - np.log10(0.5)) ** 2, 0.0)
    return SimpleNamespace(learning_rates=lrs, smoothed_losses=falling + rising)


def test_good_range_brackets_the_fall(finder) -> None:
    low, high = ex.good_range(finder.learning_rates, finder.smoothed_losses)
    assert 1e-3 < low < 3e-2
    assert high == pytest.approx(finder.learning_rates[np.argmin(finder.smoothed_losses)] / 2)


def test_lr_choice_accepts_a_reading_in_range(finder) -> None:
    result = exercises.check_lr_choice(0.05, finder)
    assert result and "0.05" in result.message


def test_lr_choice_not_attempted(finder) -> None:
    assert exercises.check_lr_choice(None, finder).status == "not attempted"


def test_lr_choice_too_small(finder) -> None:
    result = exercises.check_lr_choice(1e-4, finder)
    assert result.status == "wrong" and "flat" in result.message and "steepest" in result.message


def test_lr_choice_too_large(finder) -> None:
    result = exercises.check_lr_choice(0.5, finder)
    assert result.status == "wrong" and "divergence" in result.message and "tenth" in result.message


def test_lr_choice_bad_inputs(finder) -> None:
    assert exercises.check_lr_choice("0.01", finder).status == "wrong"
    assert exercises.check_lr_choice(-0.01, finder).status == "wrong"
    message = exercises.check_lr_choice(0.01, SimpleNamespace()).message
    assert "range test" in message


# -- predict, then run: which schedule ends lowest on the noisy bowl ------------------------------
def test_noisy_bowl_finals_are_paired_and_cosine_ends_lowest() -> None:
    finals = ex.noisy_bowl_finals()
    assert set(finals) == set(ex.PREDICTION_CHOICES)
    assert all(v.shape == (64,) and np.isfinite(v).all() for v in finals.values())
    means = {name: v.mean() for name, v in finals.items()}
    assert min(means, key=means.get) == "cosine 0.5"
    # the floor of η = 0.5 is far above the others (section 2: floor ∝ η)
    assert means["constant 0.5"] > 3 * means["cosine 0.5"]


def test_schedule_prediction_accepts_the_winner_with_evidence() -> None:
    result = exercises.check_schedule_prediction("cosine 0.5")
    assert result and result.status == "correct"
    assert "64 noise seeds" in result.message and "95% CI" in result.message
    assert " Cosine 0.5 ".strip().lower() in result.message
    assert exercises.check_schedule_prediction("  Cosine 0.5 ")  # spacing and case forgiven


def test_schedule_prediction_not_attempted_and_bad_input() -> None:
    assert exercises.check_schedule_prediction(None).status == "not attempted"
    bad = exercises.check_schedule_prediction("adam")
    assert bad.status == "wrong" and "must be one of" in bad.message
    assert exercises.check_schedule_prediction(0.5).status == "wrong"


def test_schedule_prediction_explains_each_wrong_choice() -> None:
    large = exercises.check_schedule_prediction("constant 0.5")
    assert large.status == "wrong" and "noise floor" in large.message
    assert "real difference" in large.message and "Hint" in large.message
    small = exercises.check_schedule_prediction("constant 0.05")
    assert small.status == "wrong" and "still on its way down" in small.message


def test_schedule_prediction_counts_a_tie_within_noise_as_correct(monkeypatch) -> None:
    rng = np.random.default_rng(0)
    base = rng.normal(1.0, 0.1, 64)
    tied = {"constant 0.5": base + 1.0, "constant 0.05": base + rng.normal(0, 0.01, 64),
            "cosine 0.5": base}
    monkeypatch.setattr(ex, "noisy_bowl_finals", lambda: tied)
    result = exercises.check_schedule_prediction("constant 0.05")
    assert result.status == "correct" and "tie" in result.message
    assert exercises.check_schedule_prediction("constant 0.5").status == "wrong"


def test_noisy_bowl_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="steps must be a whole number >= 20"):
        ex.noisy_bowl_finals(steps=10)
    with pytest.raises(ValueError, match="noise must be >= 0"):
        ex.noisy_bowl_finals(noise=-1.0)
