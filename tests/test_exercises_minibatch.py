"""Chapter 02's "predict, then run" checker: the noise floor under changes of η and B."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import exercises
from course_utils.exercises import gradient_descent as gd

RIGHT = {"a": "lower", "b": "higher", "c": "about the same"}


def test_right_prediction_passes_and_reports_the_measured_ratios() -> None:
    result = exercises.check_noise_floor_prediction(RIGHT)
    assert result and result.status == "correct", result.message
    for key in RIGHT:
        assert f"({key})" in result.message
    assert "η/B" in result.message


def test_the_verdicts_come_from_the_runs() -> None:
    task = gd.NOISE_FLOOR_TASK
    run = {name: task[name] for name in ("seeds", "burn_in", "average")}
    base = gd.measured_noise_floor(*task["base"], **run)
    assert base.shape == (task["seeds"],) and np.all(base > 0)
    for key, change in task["changes"].items():
        ratio = gd.measured_noise_floor(*change, **run).mean() / base.mean()
        assert gd._floor_verdict(ratio) == RIGHT[key]


def test_synonyms_are_accepted() -> None:
    assert exercises.check_noise_floor_prediction({"a": "Smaller", "b": "larger", "c": "same"})


@pytest.mark.parametrize(("key", "wrong", "phrase"), [
    ("a", "about the same", "variance σ²/B ÷ 4"),
    ("b", "lower", "4 times as long"),
    ("c", "lower", "the two cancel"),
    ("c", "higher", "η/B stays"),
])
def test_a_miss_names_the_measurement_and_why(key, wrong, phrase) -> None:
    result = exercises.check_noise_floor_prediction({**RIGHT, key: wrong})
    assert result.status == "wrong"
    assert f"({key})" in result.message and "measured floor" in result.message
    assert f"you predicted {wrong!r}" in result.message
    assert phrase in result.message


def test_stub_is_not_attempted() -> None:
    result = exercises.check_noise_floor_prediction({"a": None, "b": None, "c": None})
    assert result.status == "not attempted" and not result


@pytest.mark.parametrize(("answer", "phrase"), [
    ("lower", "give a dict"),
    ({"a": "lower", "b": "higher"}, "no prediction for ['c']"),
    ({**RIGHT, "d": "lower"}, "unknown key"),
    ({**RIGHT, "a": "faster"}, "is not one of"),
    ({**RIGHT, "a": 3}, "is not one of"),
])
def test_malformed_answers_say_what_to_pass(answer, phrase) -> None:
    result = exercises.check_noise_floor_prediction(answer)
    assert result.status == "wrong" and phrase in result.message


@pytest.mark.parametrize(("settings", "phrase"), [
    ({"batch_size": 0, "learning_rate": 0.05}, "batch_size must be a whole number >= 1"),
    ({"batch_size": 16, "learning_rate": -0.05}, "learning_rate must be > 0"),
    ({"batch_size": 16, "learning_rate": 0.05, "seeds": 2.0}, "seeds must be a whole number"),
])
def test_noise_floor_settings_are_checked(settings, phrase) -> None:
    with pytest.raises(ValueError, match=phrase):
        gd.measured_noise_floor(**settings)
