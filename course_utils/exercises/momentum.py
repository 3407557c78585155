"""Checkers for chapter 03 (momentum): one heavy-ball step, the theory-optimal pair, one
Nesterov step in Keras's form, and a "predict, then run" exercise on the (η, β) regimes.

Each checker runs the learner's function on a few cases (one an edge case), and
when a case fails it says which, shows expected against got, and recognises the
usual slips (velocity not decayed by β, a sign error, the EMA form) to hint at them.
The regime checker runs the learner's four (η, β) pairs on the κ = 50 bowl, names
what each run did, and explains every miss from the roots of the iteration.

Taught in 03_momentum.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from course_utils import optimizers as _optimizers
from course_utils import quadratic
from course_utils import surfaces as _surfaces
from course_utils import trajectories as _trajectories
from course_utils.exercises._core import Feedback, Slip, check_cases, read_predictions

__all__ = ["check_momentum_step", "check_optimal_momentum", "check_nesterov_step",
           "check_momentum_regimes", "momentum_step_reference", "optimal_momentum_reference",
           "nesterov_step_reference", "measured_momentum_regime", "MOMENTUM_REGIME_TASK"]

# -- exercise 1: one heavy-ball step ------------------------------------------------------
def _step_cases(seed: int) -> list[tuple[str, tuple]]:
    """The cases of a step checker: ``(params, grads, velocity, learning_rate, momentum)``."""
    rng = np.random.default_rng(seed)
    return [
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
    return check_cases(
        fn, _step_cases(seed=3), reference=momentum_step_reference, outputs=("θ", "v"),
        slips=_slips_momentum(),
        hint="compute the new velocity first, v ← β·v − η·g (β = momentum, "
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
    return check_cases(
        fn, cases, reference=optimal_momentum_reference, outputs=("η", "β"),
        slips=_slips_optimal(),
        hint="with μ = L/κ, η* = 4/(√L+√μ)² and β* = ((√κ−1)/(√κ+1))²; use math.sqrt.",
        error_hints={ZeroDivisionError: "κ = 1 is allowed: √κ + 1 is never zero; check what "
                                        "you divide by."},
        success="Polyak's pair in all 4 cases. On a round bowl (κ = 1) it is η = 1/L, β = 0: "
                "one step of plain gradient descent lands on the minimum.",
        rtol=1e-9,
    )


# -- exercise 3: one Nesterov step, in the form Keras runs ----------------------------------
def nesterov_step_reference(params, grads, velocity, learning_rate, momentum):
    """One step of ``optimizers.SGD(learning_rate, momentum, nesterov=True)`` (Keras's form):
    v ← β·v − η·g, then θ ← θ + β·v − η·g with the new v. Returns (new_params, new_velocity)."""
    opt = _optimizers.SGD(learning_rate=learning_rate, momentum=momentum, nesterov=True)
    params = np.asarray(params, dtype=float)
    state = {"iterations": 0, "momentum": np.asarray(velocity, dtype=float)}
    new_params, new_state = opt.update(params, np.asarray(grads, dtype=float), state)
    return new_params, new_state["momentum"]


def _slips_nesterov() -> list[Slip]:
    def heavy_ball(p, g, v, lr, b):
        return momentum_step_reference(p, g, v, lr, b)

    def no_beta(p, g, v, lr, b):  # θ + v − η·g: the new velocity not scaled by β
        v = b * v - lr * g
        return p + v - lr * g, v

    def uphill(p, g, v, lr, b):
        v = b * v + lr * g
        return p + b * v + lr * g, v

    def twice_gradient_missing(p, g, v, lr, b):  # θ + β·v only
        v = b * v - lr * g
        return p + b * v, v

    def returns_step(p, g, v, lr, b):  # velocity returned as the parameter change
        new_p, _ = nesterov_step_reference(p, g, v, lr, b)
        return new_p, new_p - p

    def torch_style(p, g, v, lr, b):  # PyTorch: buf ← β·buf + g; θ ← θ − η·(g + β·buf)
        buf = b * v + g
        return p - lr * (g + b * buf), buf

    return [
        (heavy_ball, "that is the heavy ball (θ ← θ + v, which is also θ + β·v_old − η·g). "
                     "Nesterov's step in Keras's form looks one velocity further: "
                     "θ ← θ + β·v − η·g with the *new* v."),
        (no_beta, "the new velocity enters the position update scaled by β: θ ← θ + β·v − η·g, "
                  "not θ + v − η·g."),
        (uphill, "sign error: the gradient points uphill, so both places take −η·g."),
        (twice_gradient_missing, "the gradient appears twice: once in v ← β·v − η·g and once "
                                 "more in θ ← θ + β·v − η·g."),
        (returns_step, "your parameters are right, but return the velocity v = β·v − η·g, "
                       "not the change in θ (they differ in Nesterov's form)."),
        (torch_style, "that is PyTorch's form (buf ← β·buf + g, θ ← θ − η·(g + β·buf)). It takes "
                      "the same steps, but Keras stores the step itself: v ← β·v − η·g, "
                      "θ ← θ + β·v − η·g."),
    ]


def check_nesterov_step(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(params, grads, velocity, learning_rate, momentum) -> (new_params, new_velocity)``
    against ``optimizers.SGD(..., nesterov=True)``: v ← β·v − η·g, θ ← θ + β·v − η·g.
    """
    cases = _step_cases(seed=5)
    cases[:2] = cases[1::-1]  # rolling first: at v = 0 several slips coincide with the heavy ball
    return check_cases(
        fn, cases, reference=nesterov_step_reference, outputs=("θ", "v"),
        slips=_slips_nesterov(),
        hint="first the velocity, v ← β·v − η·g, then the look-ahead step "
             "θ ← θ + β·v − η·g with the new v; return (θ, v).",
        success="your step is optimizers.SGD(nesterov=True), which is Keras's "
                "SGD(momentum=β, nesterov=True), in all 4 cases.",
    )


# -- exercise 4: predict, then run: the regime of an (η, β) pair ----------------------------
MOMENTUM_REGIME_TASK = {
    "condition": 50.0, "steps": 200,
    "pairs": {"A": (0.5, 0.0), "B": (1.9, 0.0), "C": (2.5, 0.9), "D": (3.5, 0.5)},
}
"""The task of ``check_momentum_regimes``: the heavy ball (``optimizers.SGD(η, momentum=β)``)
on ``surfaces.get("quadratic", condition=50)`` (μ = 0.02 along x, L = 1 along y) from its
default start, ``steps`` steps, for each (η, β) of ``pairs``."""

MOMENTUM_REGIMES = ("creeps", "zig-zags", "spirals", "diverges")
_MOMENTUM_WORDS = {
    "creeps": "creeps", "creep": "creeps", "crawls": "creeps", "monotone": "creeps",
    "monotonic": "creeps", "smooth": "creeps", "overdamped": "creeps",
    "zigzags": "zig-zags", "zigzag": "zig-zags", "zigzagging": "zig-zags",
    "spirals": "spirals", "spiral": "spirals", "spiralling": "spirals", "spiraling": "spirals",
    "ripples": "spirals", "underdamped": "spirals", "rings": "spirals",
    "diverges": "diverges", "diverge": "diverges", "divergent": "diverges",
    "blowsup": "diverges", "explodes": "diverges",
}
_MOMENTUM_VAGUE = {
    "oscillat": "say \"zig-zags\" (a sign flip every step, across the steep direction) or "
                "\"spirals\" (overshooting along the valley and back).",
    "converg": "three of the four regimes converge; say how (creeps, zig-zags or spirals).",
}


def measured_momentum_regime(learning_rate: float, momentum: float,
                             condition: float = MOMENTUM_REGIME_TASK["condition"],
                             steps: int = MOMENTUM_REGIME_TASK["steps"]) -> str:
    """Run the heavy ball on the quadratic and name what the run did (read from its path):

    ``"diverges"`` if it left the numbers; ``"zig-zags"`` if the steep coordinate changes sign
    on at least 80% of the first 20 steps; ``"spirals"`` if the flat coordinate overshoots the
    minimum (changes sign) at least twice; otherwise ``"creeps"``.
    """
    surf = _surfaces.get("quadratic", condition=condition)
    res = _trajectories.run(_optimizers.SGD(learning_rate, momentum=momentum), surf,
                            surf.start, steps)
    if bool(res.diverged) or not np.isfinite(res.loss).all() or res.loss[-1] >= res.loss[0]:
        return "diverges"
    _, vectors = np.linalg.eigh(np.asarray(surf.matrix, dtype=float))
    along = (res.path - np.asarray(surf.minima[0], dtype=float)) @ vectors  # (flat, steep)
    signs = np.sign(along)
    flips = (signs[1:] * signs[:-1]) < 0
    if flips[:20, 1].mean() >= 0.8:
        return "zig-zags"
    if flips[:, 0].sum() >= 2:
        return "spirals"
    return "creeps"


def _momentum_why(regime: str, eta: float, beta: float, mu: float, big_l: float) -> str:
    steep = quadratic.momentum_roots(eta, beta, big_l)
    flat = quadratic.momentum_roots(eta, beta, mu)
    limit = quadratic.stability_limit(big_l, beta)
    if regime == "diverges":
        return (f"the steep direction's roots reach size {np.abs(steep).max():.3g} > 1: η = {eta:g} "
                f"is above the heavy ball's limit 2(1+β)/L = {limit:.3g}. Momentum raises the limit "
                "from 2/L, but only by the factor 1 + β")
    if regime == "zig-zags":
        return (f"along the steep direction a root is real and negative ({steep.real.min():.3g}): "
                "the error flips sign every step, as plain GD does above 1/L")
    if regime == "spirals":
        extra = (f" (η = {eta:g} is above plain GD's 2/L, yet stable: the limit is now "
                 f"2(1+β)/L = {limit:.3g})" if eta > quadratic.stability_limit(big_l) else "")
        return (f"the flat direction's roots are complex, of size √β = {math.sqrt(beta):.3g}: the "
                f"velocity carries the point past the minimum and back, a spiral{extra}")
    return (f"every root is real and positive (flat direction: {np.abs(flat).max():.3g}), so the "
            "error shrinks without changing sign: slowly, along the flat direction")


def check_momentum_regimes(predictions: Any) -> Feedback:
    """Predict, then run: ``predictions`` maps "A".."D" of ``MOMENTUM_REGIME_TASK`` to "creeps",
    "zig-zags", "spirals" or "diverges"; the checker runs each pair on the κ = 50 bowl,
    compares the measured regime with the prediction and explains each miss."""
    task = MOMENTUM_REGIME_TASK
    keys = list(task["pairs"])
    words, problem = read_predictions(predictions, keys, MOMENTUM_REGIMES, _MOMENTUM_WORDS,
                                      vague=_MOMENTUM_VAGUE)
    if problem is not None:
        return problem
    mu, big_l = (float(c) for c in _surfaces.get("quadratic", condition=task["condition"]).eigenvalues)
    lines, misses = [], []
    for k in keys:
        eta, beta = task["pairs"][k]
        measured = measured_momentum_regime(eta, beta)
        lines.append(f"({k}) η = {eta:g}, β = {beta:g}: {measured}")
        if words[k] != measured:
            misses.append(f"({k}) η = {eta:g}, β = {beta:g}: the run {measured}, you predicted "
                          f"{words[k]!r}. Why: {_momentum_why(measured, eta, beta, mu, big_l)}.")
    if misses:
        return Feedback("wrong", " ".join(misses) + " Hint: locate each pair on the (η, β) map of "
                        "section 4, or try it in the explorer.")
    return Feedback("correct", "; ".join(lines) + ". C is the surprise: η above plain GD's 2/L, "
                    "yet it converges, because momentum raises the limit to 2(1+β)/L.")
