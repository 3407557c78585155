"""The chapter-14 checkers accept the worked solutions and name each usual slip."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from course_utils import exercises, experiments
from course_utils.exercises import tuning as ex


# -- the worked solutions (as in the notebook) -------------------------------------------------
def where_is_best(learning_rates, scores, low, high):
    scores = np.asarray(scores, dtype=float)
    mean = scores.mean(axis=1) if scores.ndim == 2 else scores
    mean = np.where(np.isfinite(mean), mean, -np.inf)
    best = np.asarray(learning_rates)[np.argmax(mean)]
    u = (math.log10(best) - math.log10(low)) / (math.log10(high) - math.log10(low))
    return "low" if u <= 0.1 else "high" if u >= 0.9 else "inside"


def is_real(a, b):
    return experiments.paired_difference(a, b).real


def stub(*args):
    return None


def test_checkers_are_exported() -> None:
    assert exercises.check_boundary is ex.check_boundary
    assert exercises.check_real_difference is ex.check_real_difference


def test_boundary_accepts_the_solution_and_flags_the_stub() -> None:
    assert exercises.check_boundary(where_is_best).status == "correct"
    assert exercises.check_boundary(stub).status == "not attempted"


def test_boundary_names_the_linear_scale_slip() -> None:
    def linear(lrs, scores, low, high):
        s = np.asarray(scores, float)
        s = s.mean(axis=1) if s.ndim == 2 else s
        u = (np.asarray(lrs)[np.nanargmax(s)] - low) / (high - low)
        return "low" if u <= 0.1 else "high" if u >= 0.9 else "inside"
    result = exercises.check_boundary(linear)
    assert result.status == "wrong" and "log10" in result.message


def test_boundary_names_the_nan_slip() -> None:
    def nan_blind(lrs, scores, low, high):
        s = np.asarray(scores, float)
        s = s.mean(axis=1) if s.ndim == 2 else s
        return where_is_best(lrs, np.where(np.isnan(s), 1.0, s), low, high)
    result = exercises.check_boundary(nan_blind)
    assert result.status == "wrong" and "NaN" in result.message


def test_boundary_names_the_lucky_seed_slip() -> None:
    def best_seed(lrs, scores, low, high):
        s = np.asarray(scores, float)
        return where_is_best(lrs, s.max(axis=1) if s.ndim == 2 else s, low, high)
    result = exercises.check_boundary(best_seed)
    assert result.status == "wrong" and "mean over seeds" in result.message


def test_boundary_names_the_lowest_score_slip() -> None:
    def lowest(lrs, scores, low, high):
        s = np.asarray(scores, float)
        s = s.mean(axis=1) if s.ndim == 2 else s
        return where_is_best(lrs, np.where(np.isnan(s), np.nan, -s), low, high)
    result = exercises.check_boundary(lowest)
    assert result.status == "wrong" and "HIGHEST" in result.message


def test_boundary_rejects_other_answers() -> None:
    result = exercises.check_boundary(lambda *a: "edge")
    assert result.status == "wrong" and "'inside'" in result.message
    result = exercises.check_boundary(lambda *a: 1 / 0)
    assert result.status == "wrong" and "ZeroDivisionError" in result.message


def test_real_difference_accepts_the_solution_and_flags_the_stub() -> None:
    assert exercises.check_real_difference(is_real).status == "correct"
    assert exercises.check_real_difference(stub).status == "not attempted"


def test_real_difference_names_the_mean_slip() -> None:
    result = exercises.check_real_difference(lambda a, b: bool(np.mean(a) > np.mean(b)))
    assert result.status == "wrong" and "not yet a finding" in result.message


def test_real_difference_names_the_unpaired_slip() -> None:
    result = exercises.check_real_difference(
        lambda a, b: bool(stats.ttest_ind(a, b, equal_var=False).pvalue < 0.05))
    assert result.status == "wrong" and "pair them" in result.message


def test_real_difference_wants_a_bool() -> None:
    result = exercises.check_real_difference(lambda a, b: "yes")
    assert result.status == "wrong" and "True or False" in result.message
