"""Chapter 03's checkers accept the worked solutions and name the usual slips."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_utils import exercises, optimizers
from course_utils.exercises.momentum import momentum_step_reference, optimal_momentum_reference


# -- the worked solutions, as the notebook writes them ---------------------------------------
def momentum_step(params, grads, velocity, learning_rate, momentum):
    velocity = momentum * velocity - learning_rate * grads
    return params + velocity, velocity


def optimal_momentum(condition, L=1.0):
    mu = L / condition
    return 4 / (math.sqrt(L) + math.sqrt(mu)) ** 2, ((math.sqrt(condition) - 1)
                                                     / (math.sqrt(condition) + 1)) ** 2


def stub(*args):
    return None


def test_reference_step_is_keras_heavy_ball() -> None:
    """The checker's reference takes the same step as optimizers.SGD (itself held to Keras)."""
    opt = optimizers.SGD(learning_rate=0.1, momentum=0.9)
    params, grads, v = np.array([1.0, -2.0]), np.array([0.5, -1.0]), np.array([0.2, 0.1])
    ours, state = opt.update(params, grads, {"iterations": 3, "momentum": v})
    new, new_v = momentum_step_reference(params, grads, v, 0.1, 0.9)
    np.testing.assert_allclose(new, ours)
    np.testing.assert_allclose(new_v, state["momentum"])


def test_momentum_step_accepts_the_solution() -> None:
    result = exercises.check_momentum_step(momentum_step)
    assert result and result.status == "correct"


def test_momentum_step_stub_is_not_attempted() -> None:
    result = exercises.check_momentum_step(stub)
    assert not result and result.status == "not attempted"


@pytest.mark.parametrize(("wrong", "phrase"), [
    (lambda p, g, v, lr, b: (p + (v - lr * g), v - lr * g), "v was not decayed by β"),
    (lambda p, g, v, lr, b: (p + (b * v + lr * g), b * v + lr * g), "sign error"),
    (lambda p, g, v, lr, b: (p - (b * v - lr * g), b * v - lr * g), "θ ← θ + v"),
    (lambda p, g, v, lr, b: (p - lr * (b * v + (1 - b) * g), b * v + (1 - b) * g),
     "moving-average form"),
    (lambda p, g, v, lr, b: (p + v, b * v - lr * g), "new velocity"),
    (lambda p, g, v, lr, b: (p + b * v, b * v), "compute the new velocity first"),
])
def test_momentum_step_names_the_slip(wrong, phrase) -> None:
    result = exercises.check_momentum_step(wrong)
    assert result.status == "wrong"
    assert phrase in result.message
    assert "case '" in result.message and "expected θ = " in result.message and "got" in result.message


def test_momentum_step_catches_in_place_changes_and_bad_returns() -> None:
    def in_place(params, grads, velocity, learning_rate, momentum):
        velocity *= momentum
        velocity -= learning_rate * grads
        params += velocity
        return params, velocity

    assert "in place" in exercises.check_momentum_step(in_place).message
    only_params = exercises.check_momentum_step(lambda p, g, v, lr, b: p - lr * g)
    assert only_params.status == "wrong" and "tuple of 2" in only_params.message
    crash = exercises.check_momentum_step(lambda p, g, v, lr, b: p @ np.ones(5))
    assert crash.status == "wrong" and "raised" in crash.message


def test_optimal_momentum_accepts_the_solution_and_matches_theory() -> None:
    assert exercises.check_optimal_momentum(optimal_momentum)
    eta, beta = optimal_momentum_reference(100.0)
    assert eta == pytest.approx(4 / 1.1**2) and beta == pytest.approx((9 / 11) ** 2)
    assert optimal_momentum_reference(1.0, 2.0) == pytest.approx((0.5, 0.0))


def test_optimal_momentum_stub_is_not_attempted() -> None:
    assert exercises.check_optimal_momentum(stub).status == "not attempted"


@pytest.mark.parametrize(("wrong", "phrase"), [
    (lambda k, L=1.0: (2 / (L + L / k), ((k**0.5 - 1) / (k**0.5 + 1)) ** 2), "2/(L+μ)"),
    (lambda k, L=1.0: (4 / (L**0.5 + (L / k) ** 0.5) ** 2, (k**0.5 - 1) / (k**0.5 + 1)),
     "is its square"),
    (lambda k, L=1.0: (4 / (L**0.5 + (L / k) ** 0.5) ** 2, ((k - 1) / (k + 1)) ** 2), "use √κ"),
    (lambda k, L=1.0: tuple(reversed(optimal_momentum(k, L))), "in that order"),
    (lambda k, L=1.0: optimal_momentum(k, 1.0), "scale with 1/L"),
])
def test_optimal_momentum_names_the_slip(wrong, phrase) -> None:
    result = exercises.check_optimal_momentum(wrong)
    assert result.status == "wrong" and phrase in result.message
    assert "expected η = " in result.message
