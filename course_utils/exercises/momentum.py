"""Checkers for chapter 03 (momentum): one heavy-ball step, and the theory-optimal pair.

Each checker runs the learner's function on a few cases (one an edge case), and
when a case fails it says which, shows expected against got, and recognises the
usual slips (velocity not decayed by β, a sign error, the EMA form) to hint at them.

Taught in 03_momentum.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from course_utils.exercises._core import Feedback

__all__ = ["check_momentum_step", "check_optimal_momentum", "momentum_step_reference",
           "optimal_momentum_reference"]

Slip = tuple[Callable[..., tuple], str]


# -- shared machinery (also used by the adaptive-methods checkers) -------------------------
def _fmt(values: Sequence[Any], names: Sequence[str]) -> str:
    parts = []
    for name, value in zip(names, values, strict=True):
        arr = np.asarray(value, dtype=float)
        text = np.array2string(arr, precision=6, separator=", ") if arr.ndim else f"{float(arr):.6g}"
        parts.append(f"{name} = {text}")
    return ", ".join(parts)


def _same(got: Sequence[np.ndarray], want: Sequence[Any], rtol: float, atol: float) -> bool:
    with np.errstate(all="ignore"):
        return all(
            np.asarray(g).shape == np.asarray(w, dtype=float).shape
            and np.allclose(g, np.asarray(w, dtype=float), rtol=rtol, atol=atol, equal_nan=True)
            for g, w in zip(got, want, strict=True)
        )


def _check_with_slips(
    fn: Callable[..., Any],
    cases: Sequence[tuple[str, tuple]],
    reference: Callable[..., tuple],
    slips: Sequence[Slip],
    outputs: Sequence[str],
    *,
    default_hint: str,
    accept: Sequence[Callable[..., tuple]] = (),
    error_hints: dict[type, str] | None = None,
    success: str = "all cases pass.",
    rtol: float = 1e-6,
    atol: float = 1e-12,
) -> Feedback:
    """Run ``fn(*args)`` per case against ``reference``; name a recognised slip when it fails.

    ``accept`` lists other correct forms (e.g. where ε sits); ``slips`` are
    ``(wrong_fn, hint)`` pairs tried in order when the answer matches no correct form.
    A function that changes its array inputs in place fails too.
    """
    if not callable(fn):
        return Feedback("wrong", f"expected a function, got {type(fn).__name__}.")
    for name, args in cases:
        saved = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
        try:
            with np.errstate(all="ignore"):
                got = fn(*args)
        except Exception as err:  # a learner's bug is feedback, not a crash
            hint = (error_hints or {}).get(type(err), default_hint)
            return Feedback("wrong", f"case '{name}' raised {type(err).__name__}: {err}. "
                            f"Hint: {hint}")
        if got is None:
            return Feedback("not attempted", "the function returns None: fill in its body.")
        for before, after in zip(saved, args, strict=True):
            if isinstance(before, np.ndarray) and not np.array_equal(before, after, equal_nan=True):
                return Feedback("wrong", f"case '{name}': your function changed one of its input "
                                "arrays in place (e.g. `params -= ...`). Hint: compute new arrays "
                                "and return them (`params = params - ...` or `params - ...`).")
        if not isinstance(got, tuple | list) or len(got) != len(outputs):
            return Feedback("wrong", f"case '{name}': expected a tuple of {len(outputs)} values "
                            f"({', '.join(outputs)}), got {type(got).__name__}"
                            f"{' of length ' + str(len(got)) if isinstance(got, tuple | list) else ''}"
                            f". Hint: end with `return {', '.join(outputs)}`.")
        try:
            got_arrays = [np.asarray(g, dtype=float) for g in got]
        except (TypeError, ValueError):
            return Feedback("wrong", f"case '{name}': the values returned are not numbers or "
                            "arrays of numbers.")
        with np.errstate(all="ignore"):
            expected = reference(*args)
            if any(_same(got_arrays, form(*args), rtol, atol) for form in (reference, *accept)):
                continue
            shapes = [np.shape(e) for e in expected]
            if [g.shape for g in got_arrays] != shapes:
                return Feedback("wrong", f"case '{name}': expected shapes {shapes}, got "
                                f"{[g.shape for g in got_arrays]}. Hint: work element by element "
                                "so the result has the shape of the parameters.")
            hint = next((h for slip, h in slips if _same(got_arrays, slip(*args), rtol, atol)),
                        default_hint)
        return Feedback("wrong", f"case '{name}': expected {_fmt(expected, outputs)}; got "
                        f"{_fmt(got_arrays, outputs)}. Hint: {hint}")
    return Feedback("correct", success)


# -- exercise 1: one heavy-ball step ------------------------------------------------------
def momentum_step_reference(params, grads, velocity, learning_rate, momentum):
    """Keras's heavy ball: v ← β·v − η·g, then θ ← θ + v. Returns (new_params, new_velocity)."""
    v = momentum * np.asarray(velocity, dtype=float) - learning_rate * np.asarray(grads, dtype=float)
    return np.asarray(params, dtype=float) + v, v


def _slips_momentum() -> list[Slip]:
    def no_decay(p, g, v, lr, b):
        v = v - lr * g
        return p + v, v

    def uphill(p, g, v, lr, b):
        v = b * v + lr * g
        return p + v, v

    def minus_v(p, g, v, lr, b):
        v = b * v - lr * g
        return p - v, v

    def flipped_velocity(p, g, v, lr, b):  # right parameters, velocity returned with the other sign
        new_p, new_v = momentum_step_reference(p, g, v, lr, b)
        return new_p, -new_v

    def opposite_convention(p, g, v, lr, b):
        v = b * v + lr * g
        return p - v, v

    def ema(p, g, v, lr, b):
        v = b * v + (1 - b) * g
        return p - lr * v, v

    def torch_style(p, g, v, lr, b):
        v = b * v + g
        return p - lr * v, v

    def old_velocity(p, g, v, lr, b):
        return p + v, b * v - lr * g

    def nesterov(p, g, v, lr, b):
        v = b * v - lr * g
        return p + b * v - lr * g, v

    def decay_gradient(p, g, v, lr, b):
        v = v - b * lr * g
        return p + v, v

    return [
        (no_decay, "v was not decayed by β: multiply the old velocity by momentum "
                   "(v ← β·v − η·g), or the ball never slows down."),
        (uphill, "sign error: the gradient points uphill, so the velocity gets −η·g "
                 "(v ← β·v − η·g), not +η·g."),
        (minus_v, "sign error in the position update: v already points downhill "
                  "(v = β·v − η·g), so θ ← θ + v."),
        (flipped_velocity, "your parameters are right but the velocity has the opposite sign. "
                           "In this course (and in Keras) v is the step itself: "
                           "v ← β·v − η·g and θ ← θ + v."),
        (opposite_convention, "you keep the velocity with the opposite sign (v ← β·v + η·g, "
                              "θ ← θ − v). Keras's v is the step itself and arrives here in that "
                              "sign: v ← β·v − η·g, θ ← θ + v."),
        (ema, "that is the moving-average form v ← β·v + (1−β)·g, θ ← θ − η·v (article 004's "
              "'momentum'); it equals the heavy ball with η·(1−β) in place of η, but here use "
              "Keras's form v ← β·v − η·g, θ ← θ + v."),
        (torch_style, "that is PyTorch's form (v ← β·v + g, θ ← θ − η·v). Keras stores the "
                      "step itself: v ← β·v − η·g, θ ← θ + v."),
        (old_velocity, "move θ with the new velocity: first v ← β·v − η·g, then θ ← θ + v."),
        (nesterov, "that is Nesterov's look-ahead step (θ ← θ + β·v − η·g); the heavy ball "
                   "just adds the new velocity: θ ← θ + v."),
        (decay_gradient, "β multiplies the old velocity, not the gradient: v ← β·v − η·g."),
    ]


def check_momentum_step(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(params, grads, velocity, learning_rate, momentum) -> (new_params, new_velocity)``.

    The heavy ball as Keras runs it: ``v ← β·v − η·g``, ``θ ← θ + v``.
    """
    rng = np.random.default_rng(3)
    cases = [
        ("first step, velocity zero",
         (np.array([1.0, -2.0]), np.array([0.5, -1.0]), np.zeros(2), 0.1, 0.9)),
        ("rolling: velocity from earlier steps",
         (np.array([0.5, 1.5]), np.array([1.0, 2.0]), np.array([0.2, -0.3]), 0.1, 0.9)),
        ("zero gradient: the ball keeps rolling",
         (np.array([2.0, -1.0]), np.zeros(2), np.array([0.3, -0.1]), 0.05, 0.5)),
        ("a (2, 3) weight matrix",
         (rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), 0.1 * rng.normal(size=(2, 3)),
          0.01, 0.8)),
    ]
    return _check_with_slips(
        fn, cases, momentum_step_reference, _slips_momentum(), ("θ", "v"),
        default_hint="compute the new velocity first, v ← β·v − η·g (β = momentum, "
                     "η = learning_rate, g = grads), then θ ← θ + v; return (θ, v).",
        success="your step is Keras's heavy ball (v ← β·v − η·g, θ ← θ + v) in all 4 cases.",
    )


# -- exercise 2: the theory-optimal pair ---------------------------------------------------
def optimal_momentum_reference(condition, L=1.0):
    """Polyak's pair for curvatures μ = L/κ and L: η* = 4/(√L+√μ)², β* = ((√κ−1)/(√κ+1))²."""
    mu = L / condition
    root = math.sqrt(condition)
    return 4.0 / (math.sqrt(L) + math.sqrt(mu)) ** 2, ((root - 1.0) / (root + 1.0)) ** 2


def _slips_optimal() -> list[Slip]:
    def gd_eta(k, L=1.0):
        return 2.0 / (L + L / k), optimal_momentum_reference(k, L)[1]

    def unsquared_beta(k, L=1.0):
        r = math.sqrt(k)
        return optimal_momentum_reference(k, L)[0], (r - 1) / (r + 1)

    def kappa_not_root(k, L=1.0):
        return optimal_momentum_reference(k, L)[0], ((k - 1) / (k + 1)) ** 2

    def kappa_not_root_unsquared(k, L=1.0):
        return optimal_momentum_reference(k, L)[0], (k - 1) / (k + 1)

    def swapped(k, L=1.0):
        return tuple(reversed(optimal_momentum_reference(k, L)))

    def ignores_l(k, L=1.0):
        return optimal_momentum_reference(k, 1.0)

    def sum_not_roots(k, L=1.0):
        return 4.0 / (L + L / k) ** 2, optimal_momentum_reference(k, L)[1]

    def eta_gd_and_rate(k, L=1.0):
        return gd_eta(k, L)[0], unsquared_beta(k, L)[1]

    return [
        (swapped, "return (learning_rate, momentum) in that order."),
        (gd_eta, "2/(L+μ) is plain gradient descent's best learning rate; the heavy ball's is "
                 "larger: η* = 4/(√L+√μ)²."),
        (eta_gd_and_rate, "those are plain GD's best learning rate 2/(L+μ) and the heavy ball's "
                          "rate; the pair is η* = 4/(√L+√μ)², β* = ((√κ−1)/(√κ+1))²."),
        (unsquared_beta, "(√κ−1)/(√κ+1) is the convergence rate per step; β* is its square."),
        (kappa_not_root, "use √κ, not κ: β* = ((√κ−1)/(√κ+1))²."),
        (kappa_not_root_unsquared, "use √κ, not κ, and square it: β* = ((√κ−1)/(√κ+1))²."),
        (ignores_l, "η must scale with 1/L: compute μ = L/κ and η* = 4/(√L+√μ)² (the case with "
                    "L = 10 shows it)."),
        (sum_not_roots, "the denominator is the square of the sum of square roots, (√L+√μ)², "
                        "not (L+μ)²."),
    ]


def check_optimal_momentum(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(condition, L) -> (learning_rate, momentum)``, Polyak's optimal heavy-ball pair.

    With μ = L/κ: η* = 4/(√L+√μ)² and β* = ((√κ−1)/(√κ+1))².
    """
    cases = [
        ("κ = 50, L = 1", (50.0, 1.0)),
        ("κ = 100, L = 1", (100.0, 1.0)),
        ("κ = 100, L = 10 (a steeper bowl)", (100.0, 10.0)),
        ("κ = 1, a round bowl", (1.0, 1.0)),
    ]
    return _check_with_slips(
        fn, cases, optimal_momentum_reference, _slips_optimal(), ("η", "β"),
        default_hint="with μ = L/κ, η* = 4/(√L+√μ)² and β* = ((√κ−1)/(√κ+1))²; use math.sqrt.",
        error_hints={ZeroDivisionError: "κ = 1 is allowed: √κ + 1 is never zero; check what "
                                        "you divide by."},
        success="Polyak's pair in all 4 cases. On a round bowl (κ = 1) it is η = 1/L, β = 0: "
                "one step of plain gradient descent lands on the minimum.",
        rtol=1e-9,
    )
