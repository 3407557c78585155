"""Checkers for 14_tuning_protocol: is the best trial on a boundary, and is a difference real?

Each checker runs the learner's function on cases built to catch one usual slip (a
linear scale where the range is logarithmic, a diverged trial taken for the best, one
lucky seed, two averages compared without pairing) and names the slip when it happens.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import stats

from course_utils import experiments
from course_utils.exercises._core import Feedback, call_learner

__all__ = ["check_boundary", "check_real_difference"]

LOW, HIGH = 1e-4, 1e-1  # the learning-rate range of every boundary case (log scale)
MARGIN = 0.1


def _boundary(values: Any, scores: Any, low: float, high: float) -> str:
    v = np.asarray(values, dtype=float)
    s = np.asarray(scores, dtype=float)
    mean = s.mean(axis=1) if s.ndim == 2 else s
    best = v[int(np.argmax(np.where(np.isfinite(mean), mean, -np.inf)))]
    u = (math.log10(best) - math.log10(low)) / (math.log10(high) - math.log10(low))
    return "low" if u <= MARGIN else "high" if u >= 1 - MARGIN else "inside"


def _linear(values: Any, scores: Any, low: float, high: float) -> str:
    v, s = np.asarray(values, float), np.asarray(scores, float)
    mean = s.mean(axis=1) if s.ndim == 2 else s
    best = v[int(np.argmax(np.where(np.isfinite(mean), mean, -np.inf)))]
    u = (best - low) / (high - low)
    return "low" if u <= MARGIN else "high" if u >= 1 - MARGIN else "inside"


def _boundary_cases() -> list[tuple[str, tuple]]:
    lrs = np.array([1.5e-4, 1e-3, 5e-3, 2e-2, 8e-2])
    return [
        ("the best at the top of the range", (lrs, np.array([0.2, 0.6, 0.8, 0.9, 0.95]), LOW, HIGH)),
        ("the best in the middle", (lrs, np.array([0.2, 0.9, 0.95, 0.8, 0.5]), LOW, HIGH)),
        ("the best at the bottom of the range",
         (lrs, np.array([0.97, 0.9, 0.6, 0.3, 0.1]), LOW, HIGH)),
        ("a trial that diverged (NaN) at the top",
         (lrs, np.array([0.2, 0.7, 0.9, 0.85, np.nan]), LOW, HIGH)),
        ("three seeds per trial: one lucky seed at the top",
         (lrs, np.array([[0.2, 0.2, 0.2], [0.6, 0.6, 0.6], [0.9, 0.9, 0.91],
                         [0.85, 0.86, 0.85], [0.99, 0.5, 0.6]]), LOW, HIGH)),
    ]


def check_boundary(fn: Callable[[Any, Any, float, float], str]) -> Feedback:
    """``fn(learning_rates, scores, low, high)`` -> ``"low"``, ``"high"`` or ``"inside"``.

    ``scores`` is the validation accuracy (higher is better), one per trial or one row of
    seeds per trial (then a trial's score is its mean over seeds; a NaN is a diverged trial
    and never the best). The range ``[low, high]`` is searched on a log scale; the best
    trial is on a boundary when it sits in the outer 10% of ``log10(high) - log10(low)``.
    """
    for name, args in _boundary_cases():
        expected = _boundary(*args)
        got, problem = call_learner(fn, args, name, "find the best trial, then where its "
                                    "learning rate sits between log10(low) and log10(high).")
        if problem is not None:
            return problem
        if got not in ("low", "high", "inside"):
            return Feedback("wrong", f"case '{name}': return one of 'low', 'high' or 'inside', "
                                     f"got {got!r}.")
        if got == expected:
            continue
        values, scores, low, high = args
        s = np.asarray(scores, float)
        if got == _linear(*args):
            hint = ("you measured the position on a linear scale. The range is searched in "
                    "powers of ten, so use (log10(lr) - log10(low)) / (log10(high) - log10(low)): "
                    "5e-3 is in the middle of [1e-4, 1e-1], not at its bottom.")
        elif np.isnan(s).any():
            hint = ("np.argmax returns the index of a NaN when there is one: a diverged trial is "
                    "never the best. Replace NaN scores by -inf (or use np.nanargmax) first.")
        elif s.ndim == 2:
            hint = ("with several seeds per trial, rank the trials by their mean over seeds "
                    "(scores.mean(axis=1)); one lucky seed is not a good trial.")
        elif got == _boundary(values, -s, low, high):
            hint = "these are accuracies: the best trial has the HIGHEST score, not the lowest."
        else:
            hint = "the outer 10% of the log range on each side counts as the boundary."
        return Feedback("wrong", f"case '{name}': expected {expected!r}, got {got!r}. Hint: {hint}")
    return Feedback("correct", "you find the best trial by its mean, skip diverged ones and "
                               "measure its place on the log scale: when it says 'low' or "
                               "'high', widen that side and search again.")


# -- is the difference real? --------------------------------------------------------------
def _difference_cases() -> list[tuple[str, tuple]]:
    rng = np.random.default_rng(14)
    seed_effect = rng.normal(0, 0.01, 8)  # what a seed does to both settings alike
    return [
        ("a clear gain on every seed",
         (0.95 + seed_effect + 0.01, 0.95 + seed_effect + rng.normal(0, 0.002, 8))),
        ("equal settings, noisy seeds", (0.95 + rng.normal(0, 0.01, 8), 0.95 + rng.normal(0, 0.01, 8))),
        ("one lucky seed makes the mean higher",
         (np.array([0.99, 0.94, 0.95, 0.94, 0.95, 0.94]),
          np.array([0.95, 0.95, 0.94, 0.95, 0.94, 0.95]))),
        ("a small gain that pairing reveals (the seeds vary much more than the gain)",
         (0.9 + 4 * seed_effect + 0.004 + rng.normal(0, 0.001, 8), 0.9 + 4 * seed_effect)),
    ]


def check_real_difference(fn: Callable[[Any, Any], bool]) -> Feedback:
    """``fn(a, b)`` -> True when ``a`` beats or trails ``b`` by more than seed noise.

    ``a[i]`` and ``b[i]`` come from the same seed i (paired). Real means: the 95% interval
    of the mean per-seed difference excludes 0 (``experiments.paired_difference``).
    """
    for name, (a, b) in _difference_cases():
        expected = experiments.paired_difference(a, b).real
        got, problem = call_learner(fn, (a, b), name, "compute the per-seed differences a - b "
                                    "and their 95% interval.")
        if problem is not None:
            return problem
        if not isinstance(got, bool | np.bool_):
            return Feedback("wrong", f"case '{name}': return True or False, got {got!r}.")
        if bool(got) == expected:
            continue
        unpaired = bool(stats.ttest_ind(a, b, equal_var=False).pvalue < 0.05)
        if bool(got) == unpaired and unpaired != expected:
            hint = ("you compared the two averages as if the runs were independent. Seed i "
                    "starts both settings from the same weights: pair them, a[i] - b[i], so "
                    "the seed's own effect cancels (experiments.paired_difference).")
        elif got and a.mean() > b.mean():
            hint = ("a higher mean is not yet a finding: ask whether the interval of the "
                    "differences excludes 0. Here it does not: the seeds disagree.")
        else:
            hint = "print(experiments.paired_difference(a, b)) and read its interval."
        return Feedback("wrong", f"case '{name}': expected {expected}, got {bool(got)}. Hint: {hint}")
    return Feedback("correct", "you decide from the interval of paired differences, not from "
                               "the means: a lucky seed does not fool you, and pairing finds a "
                               "small real gain under a large seed spread.")
