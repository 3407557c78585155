"""Checkers for chapters 01 (loss and gradient descent) and 02 (stochastic and mini-batch GD).

Each ``check_*`` takes the learner's function (or number), runs it on a few
cases and returns a ``Feedback`` that names the failing case, shows expected vs
got and hints at the usual slip. The reference answers are the ``reference_*``
functions below; the worked solutions at the end of each notebook restate them.

Taught in 01_loss_and_gradient_descent (``check_gd_step``, ``check_mse_gradient``,
``check_learning_rate``) and 02_stochastic_and_minibatch (``check_steps_per_epoch``,
``check_minibatch_iterator``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from course_utils import surfaces, trajectories
from course_utils.exercises._core import Feedback, call_learner, check_cases

__all__ = [
    "check_gd_step",
    "check_mse_gradient",
    "check_learning_rate",
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
    inputs = [(name, tuple(np.copy(a) if isinstance(a, np.ndarray) else a for a in args))
              for name, args, *_ in cases]
    result = check_cases(fn, cases, success="θ ← θ − η·g, element by element. That is all of "
                         "plain gradient descent.")
    if result:
        for (name, original), (_, args, *_rest) in zip(inputs, cases, strict=True):
            if not np.array_equal(original[0], args[0]):
                return Feedback("wrong", f"case '{name}': your function changed the params array "
                                "it was given. Hint: return a new array (params - ...), do not "
                                "update it in place with -=.")
    return result


# -- 01: the gradient of the mean squared error, by hand --------------------------------
def reference_mse_gradient(w: float, b: float, x: np.ndarray, y: np.ndarray
                           ) -> tuple[float, float]:
    """Gradient of L(w, b) = mean((w·x + b − y)²): (2·mean(r·x), 2·mean(r)), r = w·x + b − y."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    r = w * x + b - y
    return float(2 * np.mean(r * x)), float(2 * np.mean(r))


def _mse_cases() -> list[tuple[str, tuple, tuple[float, float], str]]:
    x = np.array([-1.0, 0.0, 1.0, 2.0])
    y = np.array([-1.0, 1.0, 3.0, 5.0])  # y = 2x + 1 exactly
    rng = np.random.default_rng(7)
    xr = rng.normal(size=25)
    yr = 1.5 * xr - 0.5 + 0.1 * rng.normal(size=25)
    raw = [
        ("at the exact fit w=2, b=1", (2.0, 1.0, x, y)),
        ("at w=0, b=0", (0.0, 0.0, x, y)),
        ("25 noisy points, w=-1, b=2", (-1.0, 2.0, xr, yr)),
    ]
    return [(name, args, reference_mse_gradient(*args), "") for name, args in raw]


def check_mse_gradient(fn: Callable[[float, float, np.ndarray, np.ndarray], Any]) -> Feedback:
    """``fn(w, b, x, y)`` must return ``(∂L/∂w, ∂L/∂b)`` for L = mean((w·x + b − y)²)."""
    for name, args, expected, _ in _mse_cases():
        got, problem = call_learner(fn, args, name, "compute the residuals r = w*x + b - y "
                                    "first, then two means.")
        if problem is not None:
            return problem
        try:
            got_arr = np.asarray(got, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            got_arr = np.array([])
        if got_arr.shape != (2,):
            return Feedback("wrong", f"case '{name}': return two numbers (dL_dw, dL_db), got "
                            f"{got!r}.")
        want = np.asarray(expected)
        if np.allclose(got_arr, want, rtol=1e-6, atol=1e-9):
            continue
        n = len(args[2])
        def close(a: np.ndarray, got_arr: np.ndarray = got_arr) -> bool:
            return bool(np.allclose(got_arr, a, rtol=1e-6, atol=1e-9))

        if close(want / 2):
            hint = "the derivative of r² is 2·r: a factor 2 is missing."
        elif close(-want):
            hint = "the sign is flipped: with r = ŷ − y = w·x + b − y the gradient is +2·mean(r·x)."
        elif close(want * n):
            hint = "you summed over the points; the loss is a mean, so divide by the number of points."
        elif close(want[::-1]):
            hint = "the two components are swapped: return (dL_dw, dL_db)."
        else:
            hint = ("∂L/∂w = 2·mean(r·x) and ∂L/∂b = 2·mean(r), with r = w·x + b − y "
                    "(chain rule: the inner derivative of w·x + b is x for w and 1 for b).")
        return Feedback("wrong", f"case '{name}': expected {np.round(want, 6).tolist()}, got "
                        f"{np.round(got_arr, 6).tolist()}. Hint: {hint}")
    return Feedback("correct", "∂L/∂w = 2·mean(r·x), ∂L/∂b = 2·mean(r): the same numbers "
                    "tf.GradientTape gives.")


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
