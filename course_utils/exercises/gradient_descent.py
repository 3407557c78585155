"""Checkers for chapters 01 (loss and gradient descent) and 02 (stochastic and mini-batch GD).

Each ``check_*`` takes the learner's function (or number), runs it on a few
cases and returns a ``Feedback`` that names the failing case, shows expected vs
got and hints at the usual slip. The reference answers are the ``reference_*``
functions below; the worked solutions at the end of each notebook restate them.

Taught in 01_loss_and_gradient_descent (``check_gd_step``, ``check_mse_gradient``,
``check_learning_rate``, ``check_regime_predictions``) and 02_stochastic_and_minibatch (``check_steps_per_epoch``,
``check_minibatch_iterator``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from course_utils import checks, surfaces, trajectories
from course_utils.exercises._core import (
    Feedback,
    check_cases,
    letters,
    quoted,
    read_predictions,
    word_in,
)

__all__ = [
    "check_gd_step",
    "check_mse_gradient",
    "check_learning_rate",
    "check_regime_predictions",
    "measured_regime",
    "REGIME_TASK",
    "check_steps_per_epoch",
    "check_minibatch_iterator",
    "reference_gd_step",
    "reference_mse_gradient",
    "reference_steps_per_epoch",
    "reference_minibatches",
    "LEARNING_RATE_TASK",
]


# -- 01: one gradient-descent step --------------------------------------------------------
def reference_gd_step(params: np.ndarray, grad: np.ndarray, learning_rate: float) -> np.ndarray:
    """θ ← θ − η·g: one step of plain gradient descent."""
    return np.asarray(params, dtype=float) - learning_rate * np.asarray(grad, dtype=float)


def check_gd_step(fn: Callable[[np.ndarray, np.ndarray, float], Any]) -> Feedback:
    """``fn(params, grad, learning_rate)`` must return ``params − learning_rate · grad``."""
    cases = [
        ("one number", (np.array([3.0]), np.array([2.0]), 0.5), np.array([2.0]),
         "step against the gradient: θ − η·g, not θ + η·g."),
        ("a vector", (np.array([1.0, -2.0, 0.5]), np.array([0.2, -4.0, 1.0]), 0.1),
         np.array([0.98, -1.6, 0.4]),
         "multiply every gradient component by η (the learning_rate argument) and subtract it "
         "from the matching parameter."),
        ("learning rate 0", (np.array([1.0, 2.0]), np.array([5.0, 5.0]), 0.0), np.array([1.0, 2.0]),
         "with η = 0 nothing may move: use the learning_rate argument, not a fixed number."),
        ("a matrix of weights", (np.ones((2, 2)), np.array([[1.0, 2.0], [3.0, 4.0]]), 0.25),
         np.array([[0.75, 0.5], [0.25, 0.0]]), "the update works element by element on any shape."),
    ]
    return check_cases(fn, cases, success="θ ← θ − η·g, element by element. That is all of "
                       "plain gradient descent.",
                       in_place="your function changed an array it was given (params or "
                                "grad). Hint: return a new array (params - ...), do not update "
                                "it in place with -=.")


# -- 01: the gradient of the mean squared error, by hand --------------------------------
def reference_mse_gradient(w: float, b: float, x: np.ndarray, y: np.ndarray
                           ) -> tuple[float, float]:
    """Gradient of f(w, b) = mean((w·x + b − y)²): (2·mean(r·x), 2·mean(r)), r = w·x + b − y."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    r = w * x + b - y
    return float(2 * np.mean(r * x)), float(2 * np.mean(r))


def _mse_slips(w: float, b: float, x: np.ndarray, y: np.ndarray) -> list:
    want = np.asarray(reference_mse_gradient(w, b, x, y))
    return [
        (lambda: want / 2, "the derivative of r² is 2·r: a factor 2 is missing."),
        (lambda: -want, "the sign is flipped: with r = ŷ − y = w·x + b − y the gradient is "
                        "+2·mean(r·x)."),
        (lambda: want * len(x), "you summed over the points; the loss is a mean, so divide by "
                                "the number of points."),
        (lambda: want[::-1], "the two components are swapped: return (dL_dw, dL_db)."),
    ]


def check_mse_gradient(fn: Callable[[float, float, np.ndarray, np.ndarray], Any]) -> Feedback:
    """``fn(w, b, x, y)`` must return ``(∂f/∂w, ∂f/∂b)`` for f = mean((w·x + b − y)²)."""
    x = np.array([-1.0, 0.0, 1.0, 2.0])
    y = np.array([-1.0, 1.0, 3.0, 5.0])  # y = 2x + 1 exactly
    rng = np.random.default_rng(7)
    xr = rng.normal(size=25)
    yr = 1.5 * xr - 0.5 + 0.1 * rng.normal(size=25)
    cases = [
        ("at the exact fit w=2, b=1", (2.0, 1.0, x, y)),
        ("at w=0, b=0", (0.0, 0.0, x, y)),
        ("25 noisy points, w=-1, b=2", (-1.0, 2.0, xr, yr)),
    ]
    return check_cases(
        fn, cases, reference=reference_mse_gradient, outputs=("dL_dw", "dL_db"), numbers=True,
        slips=_mse_slips, atol=1e-9,
        hint="∂f/∂w = 2·mean(r·x) and ∂f/∂b = 2·mean(r), with r = w·x + b − y (chain rule: "
             "the inner derivative of w·x + b is x for w and 1 for b).",
        error_hints={Exception: "compute the residuals r = w*x + b - y first, then two means."},
        success="∂f/∂w = 2·mean(r·x), ∂f/∂b = 2·mean(r): the same numbers tf.GradientTape gives.",
    )


# -- 01: choose a learning rate --------------------------------------------------------------
LEARNING_RATE_TASK = {"condition": 10.0, "steps": 60, "tolerance": 1e-6}
"""The task of ``check_learning_rate``: plain GD on ``surfaces.get("quadratic", condition=10)``
from its default start; the loss must be below ``tolerance`` after ``steps`` steps."""


def check_learning_rate(learning_rate: float | None) -> Feedback:
    """Run plain GD with this η on the κ = 10 quadratic for 60 steps; is the loss < 1e-6?"""
    if learning_rate is None:
        return Feedback("not attempted", "set the learning rate to a number (it is still None).")
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, int | float | np.number):
        return Feedback("wrong", f"the learning rate must be a number, got {learning_rate!r}.")
    eta = float(learning_rate)
    if not math.isfinite(eta) or eta <= 0:
        return Feedback("wrong", f"the learning rate must be a positive number, got {eta!r}.")
    task = LEARNING_RATE_TASK
    surf = surfaces.get("quadratic", condition=task["condition"])
    mu, big_l = surf.eigenvalues
    res = trajectories.run("sgd", surf, steps=task["steps"], learning_rate=eta)
    steps, tol = task["steps"], task["tolerance"]
    final = float(res.final_loss)
    if abs(1 - eta * big_l) == 1:
        return Feedback("wrong", f"η = {eta:g} is exactly 2/L: the steep direction flips sign "
                        "every step without shrinking (1 − η·L = −1), so the loss never gets "
                        f"below {final:.3g}. Hint: step back from 2/L.")
    if bool(res.diverged) or abs(1 - eta * big_l) > 1:
        where = (f"diverged at step {int(res.diverged_at)}" if bool(res.diverged) else
                 f"diverges: the loss grew from {float(res.loss[0]):.3g} to {final:.3g}")
        return Feedback("wrong", f"η = {eta:g} {where}. The steep direction (curvature "
                        f"L = {big_l:g}) multiplies its error by 1 − η·L = {1 - eta * big_l:.3g} "
                        f"each step, larger than 1 in size. Hint: stay below the stability "
                        f"limit 2/L = {2 / big_l:g}.")
    if final < tol:
        return Feedback("correct", f"η = {eta:g} reaches loss {final:.2e} < {tol:g} in {steps} "
                        f"steps (below it for good from step {int(res.steps_to(tol))}). The best fixed "
                        f"rate is 2/(μ + L) = {2 / (mu + big_l):.3f}.")
    slow, fast = abs(1 - eta * mu), abs(1 - eta * big_l)
    if slow >= fast:
        return Feedback("wrong", f"η = {eta:g} is too small: after {steps} steps the loss is still "
                        f"{final:.2e} (target {tol:g}). The flat direction (curvature μ = {mu:g}) "
                        f"shrinks by only |1 − η·μ| = {slow:.3f} per step. Hint: go larger; the "
                        f"limit is 2/L = {2 / big_l:g}.")
    return Feedback("wrong", f"η = {eta:g} converges, but the steep direction zig-zags: it "
                    f"shrinks by only |1 − η·L| = {fast:.3f} per step, and after {steps} steps "
                    f"the loss is {final:.2e} (target {tol:g}). Hint: step back a little from "
                    f"2/L = {2 / big_l:g}; balance |1 − η·μ| against |1 − η·L|.")


# -- 01: predict, then run: the regime of a learning rate -------------------------------------
REGIME_TASK = {"condition": 10.0, "steps": 200, "learning_rates": (0.5, 1.5, 1.99, 2.1)}
"""The task of ``check_regime_predictions``: plain GD on ``surfaces.get("quadratic",
condition=10)`` from its default start for ``steps`` steps, at each of ``learning_rates``."""

REGIMES = ("smooth", "zig-zag", "diverges")
_REGIME_WORDS = {
    "smooth": "smooth", "smoothly": "smooth", "monotone": "smooth", "monotonic": "smooth",
    "monotonically": "smooth", "convergessmoothly": "smooth", "convergesmonotonically": "smooth",
    "zigzag": "zig-zag", "zigzags": "zig-zag", "oscillates": "zig-zag", "oscillating": "zig-zag",
    "oscillatesbutconverges": "zig-zag", "zigzagsbutconverges": "zig-zag",
    "diverges": "diverges", "diverge": "diverges", "divergent": "diverges",
    "diverging": "diverges", "divergence": "diverges", "blowsup": "diverges",
    "explodes": "diverges",
}


def measured_regime(learning_rate: float, condition: float = REGIME_TASK["condition"],
                    steps: int = REGIME_TASK["steps"]) -> tuple[str, trajectories.Trajectory]:
    """Run plain GD on the quadratic and name what it did: ``"smooth"``, ``"zig-zag"`` or
    ``"diverges"`` (read from the run itself, not from the formula)."""
    surf = surfaces.get("quadratic", condition=condition)
    res = trajectories.run("sgd", surf, steps=steps, learning_rate=learning_rate)
    finite = np.isfinite(res.loss)
    if bool(res.diverged) or not finite.all() or float(res.loss[-1]) >= float(res.loss[0]):
        return "diverges", res
    _, vectors = np.linalg.eigh(np.asarray(surf.matrix, dtype=float))
    along = (res.path - np.asarray(surf.minima[0], dtype=float)) @ vectors  # eigen-coordinates
    signs = np.sign(along)
    flips = (signs[1:] * signs[:-1]) < 0
    return ("zig-zag" if flips.any() else "smooth"), res


def _factor_text(eta: float, curvatures: tuple[float, ...]) -> str:
    mu, big_l = min(curvatures), max(curvatures)
    return (f"1 − η·μ = {1 - eta * mu:.3g} (flat direction) and 1 − η·L = {1 - eta * big_l:.3g} "
            f"(steep direction)")


def _why(regime: str, eta: float, curvatures: tuple[float, ...]) -> str:
    big_l = max(curvatures)
    factor = 1 - eta * big_l
    if regime == "diverges":
        return (f"along the steep direction (curvature L = {big_l:g}) each step multiplies the error "
                f"by 1 − η·L = {factor:.3g}, larger than 1 in size, so it grows every step, however "
                f"slowly it starts (the limit is 2/L = {2 / big_l:g})")
    if regime == "zig-zag":
        return (f"along the steep direction each step multiplies the error by 1 − η·L = "
                f"{factor:.3g}: negative, so it flips sign every step; smaller than 1 in size, so it "
                f"still shrinks")
    return (f"every factor is between 0 and 1 ({_factor_text(eta, curvatures)}), so the error "
            f"shrinks without ever changing sign")


def check_regime_predictions(predictions: Any) -> Feedback:
    """Predict, then run: ``predictions`` maps each η of ``REGIME_TASK`` to ``"smooth"``,
    ``"zig-zag"`` or ``"diverges"``; the checker runs plain GD at each η on the κ = 10
    quadratic, compares the measured regime with the prediction and explains each miss."""
    task = REGIME_TASK
    rates = task["learning_rates"]
    listed = ", ".join(f"{r:g}" for r in rates)
    if not isinstance(predictions, dict):
        return Feedback("wrong", f"give a dict {{learning rate: word}} with the keys {listed}, got "
                        f"{type(predictions).__name__}.")
    given: dict[float, Any] = {}
    for key, word in predictions.items():
        if isinstance(key, bool) or not isinstance(key, int | float | np.number):
            return Feedback("wrong", f"the keys are the learning rates {listed}; {key!r} is not a "
                            "number.")
        match = [r for r in rates if math.isclose(float(key), r, rel_tol=1e-9)]
        if not match:
            return Feedback("wrong", f"η = {key!r} is not part of the task; predict exactly for "
                            f"{listed}.")
        given[match[0]] = word
    missing = [r for r in rates if r not in given]
    if missing:
        return Feedback("wrong", f"no prediction for η = {', '.join(f'{r:g}' for r in missing)}; "
                        f"predict for all of {listed}.")
    blank = [r for r in rates if given[r] is None]
    if len(blank) == len(rates):
        return Feedback("not attempted", f"replace each None with {quoted(REGIMES)}: your "
                        "prediction before running anything.")
    if blank:
        return Feedback("not attempted", f"still None for η = {', '.join(f'{r:g}' for r in blank)}: "
                        "predict every learning rate before checking.")
    words: dict[float, str] = {}
    for r in rates:
        word = word_in(given[r], _REGIME_WORDS)
        if word is None:
            if letters(given[r]) in ("converges", "converge", "convergent", "stable"):
                return Feedback("wrong", f"η = {r:g}: {given[r]!r} is not specific enough: both "
                                "\"smooth\" and \"zig-zag\" runs converge. Say which: does the error "
                                "change sign from step to step?")
            return Feedback("wrong", f"η = {r:g}: {given[r]!r} is not a regime; use one of "
                            f"{quoted(REGIMES)}.")
        words[r] = word
    surf = surfaces.get("quadratic", condition=task["condition"])
    curvatures = tuple(float(c) for c in surf.eigenvalues)
    misses, report = [], []
    for r in rates:
        measured, res = measured_regime(r, task["condition"], task["steps"])
        if measured == "diverges":
            outcome = (f"diverged at step {int(res.diverged_at)}" if bool(res.diverged) else
                       f"diverges (loss {float(res.loss[0]):.3g} → {float(res.loss[-1]):.3g})")
        else:
            outcome = (f"{'zig-zags' if measured == 'zig-zag' else 'converges smoothly'} (loss "
                       f"{float(res.loss[0]):.3g} → {float(res.loss[-1]):.2g} in {task['steps']} "
                       "steps)")
        report.append(f"η = {r:g}: {outcome}")
        if measured != words[r]:
            misses.append(f"η = {r:g}: you predicted \"{words[r]}\", the run {outcome}: "
                          f"{_why(measured, r, curvatures)}.")
    if misses:
        right = len(rates) - len(misses)
        return Feedback("wrong", f"{right} of {len(rates)} predictions match the runs. "
                        + " ".join(misses) + " Hint: for λ = μ and λ = L compute 1 − η·λ; a "
                        "negative factor flips the sign, a factor larger than 1 in size grows.")
    return Feedback("correct", "every prediction matches its run. " + "; ".join(report)
                    + f". The steep direction decides: zig-zag once η > 1/L = {1 / max(curvatures):g}, "
                    f"divergence once η > 2/L = {2 / max(curvatures):g}.")


# -- 02: steps per epoch ------------------------------------------------------------------
def reference_steps_per_epoch(num_samples: int, batch_size: int) -> int:
    """ceil(N / B): the last, smaller batch is still a step (as in ``model.fit``)."""
    return -(-num_samples // batch_size)


def check_steps_per_epoch(fn: Callable[[int, int], Any]) -> Feedback:
    """``fn(num_samples, batch_size)`` must return the number of steps in one epoch."""
    floor_hint = ("the last batch may be smaller than the others but is still a step: round "
                  "up, ceil(N / B), as model.fit does.")
    cases = [
        ("N=1000, B=32 (the last batch has 8 samples)", (1000, 32), 32, floor_hint),
        ("N=10, B=3", (10, 3), 4, floor_hint),
        ("N=1024, B=32 (divides exactly)", (1024, 32), 32,
         "when B divides N there is no partial batch: do not add 1 unconditionally."),
        ("full batch N=500, B=500", (500, 500), 1, "one batch holds everything: one step."),
        ("batch of 1 (pure SGD), N=60", (60, 1), 60, "with B = 1 every sample is its own step."),
        ("B larger than N: N=50, B=64", (50, 64), 1,
         "a batch larger than the data set still makes one (smaller) batch per epoch."),
    ]
    result = check_cases(fn, cases, success="steps per epoch = ⌈N / B⌉.")
    if result:
        got = fn(1000, 32)
        if isinstance(got, float) and not float(got).is_integer():
            return Feedback("wrong", "return a whole number of steps, not a fraction.")
    return result


# -- 02: a mini-batch iterator --------------------------------------------------------------
def reference_minibatches(x: np.ndarray, y: np.ndarray, batch_size: int,
                          rng: np.random.Generator):
    """Yield ``(x_batch, y_batch)`` for one epoch: shuffle once, then cut consecutive slices."""
    order = rng.permutation(len(x))
    for start in range(0, len(x), batch_size):
        idx = order[start:start + batch_size]
        yield x[idx], y[idx]


def _batches(fn: Callable, n: int, batch_size: int, seed: int, features: int = 1
             ) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """Run the learner's iterator on labelled data: x[i] holds i, y[i] holds 10·i."""
    x = np.arange(n, dtype=float).repeat(features).reshape(n, features)
    y = 10.0 * np.arange(n)
    out = fn(x, y, batch_size, np.random.default_rng(seed))
    if out is None:
        return None
    return [(np.asarray(xb), np.asarray(yb)) for xb, yb in out]


def check_minibatch_iterator(fn: Callable[..., Any]) -> Feedback:
    """``fn(x, y, batch_size, rng)`` must yield ``(x_batch, y_batch)`` pairs for one epoch.

    Checked: every sample exactly once per epoch, x and y kept together, batches of
    ``batch_size`` (only the last may be smaller), ⌈N/B⌉ batches, a shuffled order that
    comes from ``rng`` (same seed, same order; another seed, another order).
    """
    cases = [(10, 3), (50, 7), (8, 8), (5, 16), (64, 1)]
    orders = {}
    for n, bsize in cases:
        name = f"N={n}, batch_size={bsize}"
        try:
            batches = _batches(fn, n, bsize, seed=1, features=2)
        except Exception as err:
            return Feedback("wrong", f"case '{name}' raised {type(err).__name__}: {err}. Hint: "
                            "yield (x[idx], y[idx]) for consecutive slices idx of one "
                            "permutation.")
        if batches is None:
            return Feedback("not attempted", "the function returns None: fill in its body "
                            "(yield the batches, or return a list of them).")
        for xb, _ in batches:
            if xb.ndim != 2 or xb.shape[1] != 2:
                return Feedback("wrong", f"case '{name}': x batches must keep the feature axis, "
                                f"shape (batch, 2); got {xb.shape}. Hint: index rows, x[idx].")
        sizes = [len(xb) for xb, _ in batches]
        want = -(-n // bsize)
        if len(batches) != want:
            return Feedback("wrong", f"case '{name}': expected ⌈N/B⌉ = {want} batches, got "
                            f"{len(batches)} (sizes {sizes}). Hint: the last batch may be "
                            "smaller; do not drop it, and do not sample batches at random "
                            "with replacement.")
        if any(s != bsize for s in sizes[:-1]) or not 0 < sizes[-1] <= bsize:
            return Feedback("wrong", f"case '{name}': batch sizes {sizes}; every batch but the "
                            f"last must hold exactly {bsize} samples.")
        for xb, yb in batches:
            if not np.array_equal(yb.reshape(-1), 10.0 * xb[:, 0]):
                return Feedback("wrong", f"case '{name}': the labels no longer match their "
                                "samples (y was shuffled apart from x). Hint: draw ONE "
                                "permutation and index both x and y with it.")
        seen = np.concatenate([xb[:, 0] for xb, _ in batches]).astype(int)
        if sorted(seen.tolist()) != list(range(n)):
            repeated = sorted({int(v) for v in seen if (seen == v).sum() > 1})
            missing = sorted(set(range(n)) - set(seen.tolist()))
            return Feedback("wrong", f"case '{name}': each sample must appear exactly once per "
                            f"epoch; repeated {repeated[:5]}, missing {missing[:5]}. Hint: "
                            "shuffle with rng.permutation(N), not rng.integers (which repeats).")
        orders[(n, bsize)] = seen
    seen = orders[(50, 7)]
    if np.array_equal(seen, np.arange(50)):
        return Feedback("wrong", "case 'N=50, batch_size=7': the samples come out in their "
                        "original order. Hint: shuffle once per epoch with rng.permutation.")
    again = np.concatenate([xb[:, 0] for xb, _ in _batches(fn, 50, 7, seed=1)]).astype(int)
    other = np.concatenate([xb[:, 0] for xb, _ in _batches(fn, 50, 7, seed=2)]).astype(int)
    if not np.array_equal(again, seen):
        return Feedback("wrong", "the same seed gave two different orders. Hint: draw the "
                        "permutation from the rng argument, not from np.random or a new "
                        "generator, so a run can be repeated.")
    if np.array_equal(other, seen):
        return Feedback("wrong", "two different rng seeds gave the same order. Hint: use the "
                        "rng argument to shuffle (rng.permutation(len(x))).")
    return Feedback("correct", "one shuffle per epoch, consecutive slices, every sample once, "
                    "x and y together, the last batch possibly smaller.")


# -- 02: predict, then run: how η and B move the noise floor ----------------------------------
NOISE_FLOOR_TASK = {
    "base": (16, 0.05),
    "changes": {"a": (64, 0.05), "b": (16, 0.2), "c": (4, 0.0125)},
    "seeds": 20, "burn_in": 300, "average": 1200,
}
"""The task of ``check_noise_floor_prediction``: mini-batch SGD (one shuffle per epoch) on
chapter 02's regression (512 points, y = 2x − 1 + noise), started at the least-squares
minimum; the floor is the mean of loss − minimum over ``average`` steps after ``burn_in``
steps, averaged over ``seeds`` shuffles. Each change is ``(batch_size, learning_rate)``."""

FLOOR_WORDS = ("lower", "higher", "about the same")
_FLOOR_SYNONYMS = {
    "lower": "lower", "smaller": "lower", "less": "lower", "down": "lower", "decreases": "lower",
    "falls": "lower", "higher": "higher", "larger": "higher", "bigger": "higher", "more": "higher",
    "up": "higher", "increases": "higher", "rises": "higher", "aboutthesame": "about the same",
    "thesame": "about the same", "same": "about the same", "unchanged": "about the same",
    "equal": "about the same", "similar": "about the same",
}


def _regression_02() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Chapter 02's data: ``X`` (with a column of ones), ``y`` and the least-squares ``(w, b)``."""
    rng = np.random.default_rng(0)
    x = 1.0 + rng.normal(size=512)
    y = 2.0 * x - 1.0 + 0.5 * rng.normal(size=512)
    features = np.stack([x, np.ones_like(x)], axis=1)
    return features, y, np.linalg.lstsq(features, y, rcond=None)[0]


def measured_noise_floor(batch_size: int, learning_rate: float, seeds: int = 20,
                         burn_in: int = 300, average: int = 1200, seed: int = 7) -> np.ndarray:
    """Per seed, the mean of loss − minimum over ``average`` steps of mini-batch SGD started at
    the minimum of chapter 02's regression, after ``burn_in`` steps (all seeds in one array)."""
    batch_size = checks.whole("batch_size", batch_size, low=1)
    learning_rate = checks.number("learning_rate", learning_rate, low=0, low_open=True)
    seeds = checks.whole("seeds", seeds, low=1)
    burn_in = checks.whole("burn_in", burn_in, low=0)
    average = checks.whole("average", average, low=1)
    features, y, best = _regression_02()
    n = len(y)
    half_hessian = features.T @ features / n
    rng = np.random.default_rng(seed)
    theta = np.tile(best, (seeds, 1))
    per_epoch = math.ceil(n / batch_size)
    total = np.zeros(seeds)
    order = np.empty((seeds, n), dtype=int)
    for step in range(burn_in + average):
        j = step % per_epoch
        if j == 0:
            order = rng.permuted(np.tile(np.arange(n), (seeds, 1)), axis=1)
        idx = order[:, j * batch_size:(j + 1) * batch_size]
        residual = np.einsum("sbi,si->sb", features[idx], theta) - y[idx]
        theta = theta - learning_rate * 2 * np.einsum("sb,sbi->si", residual,
                                                      features[idx]) / idx.shape[1]
        if step >= burn_in:
            d = theta - best
            total += np.einsum("si,ij,sj->s", d, half_hessian, d)
    return total / average


def _floor_verdict(ratio: float) -> str:
    return "lower" if ratio < 0.5 else "higher" if ratio > 2.0 else "about the same"


def _floor_why(base: tuple[int, float], change: tuple[int, float]) -> str:
    (b0, e0), (b1, e1) = base, change
    temp0, temp1 = e0 / b0, e1 / b1
    def times(factor: float) -> str:
        return f"× {factor:g}" if factor > 1 else f"÷ {1 / factor:g}"

    parts = []
    if b1 != b0:
        parts.append(f"B {times(b1 / b0)} makes the gradient noise's variance σ²/B "
                     f"{times(b0 / b1)}")
    if e1 != e0:
        longer = f"{e1 / e0:g} times as long" if e1 > e0 else f"{e0 / e1:g} times shorter"
        parts.append(f"η {times(e1 / e0)} makes every hop {longer}")
    how = " and ".join(parts)
    if math.isclose(temp0, temp1):
        return (f"{how}: the two cancel, η/B stays {temp1:g}, and the floor, which follows η/B, "
                "stays where it was")
    return f"{how}: η/B goes from {temp0:g} to {temp1:g}, and the floor follows η/B"


def check_noise_floor_prediction(predictions: Any) -> Feedback:
    """Predict, then run: for each change of ``NOISE_FLOOR_TASK`` (keys "a", "b", "c"), does the
    noise floor of B = 16, η = 0.05 end "lower", "higher" or "about the same" (within a
    factor 2)? The checker measures every floor over 20 seeds and explains each miss."""
    task = NOISE_FLOOR_TASK
    keys = list(task["changes"])
    words, problem = read_predictions(predictions, keys, FLOOR_WORDS, _FLOOR_SYNONYMS)
    if problem is not None:
        return problem
    run = {name: task[name] for name in ("seeds", "burn_in", "average")}
    base = measured_noise_floor(*task["base"], **run).mean()
    b0, e0 = task["base"]
    lines, misses = [], []
    for k in keys:
        size, rate = task["changes"][k]
        ratio = float(measured_noise_floor(size, rate, **run).mean() / base)
        measured = _floor_verdict(ratio)
        text = (f"({k}) B = {size}, η = {rate:g}: measured floor × {ratio:.2f} of B = {b0}, "
                f"η = {e0:g}'s, so {measured!r}")
        lines.append(text)
        if words[k] != measured:
            misses.append(f"{text}; you predicted {words[k]!r}. Why: "
                          f"{_floor_why(task['base'], (size, rate))}.")
    if misses:
        return Feedback("wrong", " ".join(misses) + " Hint: the floor grows with the length of "
                        "each hop (η) and with the noise in each gradient (variance σ²/B): it "
                        "follows η/B.")
    return Feedback("correct", "; ".join(lines) + ". The floor follows η/B, roughly: the noise "
                    "view of section 5 (a larger B also gains from the finite data set, and an "
                    "η near 2/L loses a little more).")


__all__ += ["check_noise_floor_prediction", "measured_noise_floor", "NOISE_FLOOR_TASK"]
