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


# -- Nesterov's step in Keras's form -----------------------------------------------------------
def nesterov_step(params, grads, velocity, learning_rate, momentum):
    velocity = momentum * velocity - learning_rate * grads
    return params + momentum * velocity - learning_rate * grads, velocity


def test_nesterov_reference_is_the_course_kernel_and_keras_form() -> None:
    from course_utils.exercises.momentum import nesterov_step_reference
    params, grads, v = np.array([1.0, -2.0]), np.array([0.5, -1.0]), np.array([0.2, 0.1])
    new, new_v = nesterov_step_reference(params, grads, v, 0.1, 0.9)
    np.testing.assert_allclose(new_v, 0.9 * v - 0.1 * grads)
    np.testing.assert_allclose(new, params + 0.9 * new_v - 0.1 * grads)


def test_nesterov_step_accepts_the_solution_and_flags_the_stub() -> None:
    assert exercises.check_nesterov_step(nesterov_step)
    result = exercises.check_nesterov_step(stub)
    assert not result and result.status == "not attempted"


@pytest.mark.parametrize(("wrong", "phrase"), [
    (momentum_step, "that is the heavy ball"),
    (lambda p, g, v, lr, b: (p + (b * v - lr * g) - lr * g, b * v - lr * g), "scaled by β"),
    (lambda p, g, v, lr, b: (p + b * (b * v + lr * g) + lr * g, b * v + lr * g), "sign error"),
    (lambda p, g, v, lr, b: (p + b * (b * v - lr * g), b * v - lr * g), "the gradient appears twice"),
    (lambda p, g, v, lr, b: (p + b * (b * v - lr * g) - lr * g,
                             b * (b * v - lr * g) - lr * g), "not the change in θ"),
    (lambda p, g, v, lr, b: (p - lr * (g + b * (b * v + g)), b * v + g), "PyTorch's form"),
])
def test_nesterov_step_names_the_slip(wrong, phrase) -> None:
    result = exercises.check_nesterov_step(wrong)
    assert result.status == "wrong" and phrase in result.message, result.message


def test_nesterov_step_rejects_in_place_updates() -> None:
    def in_place(params, grads, velocity, learning_rate, momentum):
        velocity *= momentum
        velocity -= learning_rate * grads
        params += momentum * velocity - learning_rate * grads
        return params, velocity
    result = exercises.check_nesterov_step(in_place)
    assert result.status == "wrong" and "in place" in result.message


# -- predict, then run: the (η, β) regimes -----------------------------------------------------
REGIMES_RIGHT = {"A": "creeps", "B": "zig-zags", "C": "spirals", "D": "diverges"}


def test_regimes_right_answer_passes() -> None:
    result = exercises.check_momentum_regimes(REGIMES_RIGHT)
    assert result and result.status == "correct", result.message
    assert "2(1+β)/L" in result.message


def test_regimes_are_read_from_the_runs() -> None:
    from course_utils.exercises.momentum import MOMENTUM_REGIME_TASK, measured_momentum_regime
    for key, (eta, beta) in MOMENTUM_REGIME_TASK["pairs"].items():
        assert measured_momentum_regime(eta, beta) == REGIMES_RIGHT[key]


def test_regimes_accept_synonyms() -> None:
    assert exercises.check_momentum_regimes(
        {"A": "Monotone", "B": "zigzag", "C": "ripples", "D": "blows up"})


@pytest.mark.parametrize(("key", "wrong", "phrase"), [
    ("A", "spirals", "real and positive"),
    ("B", "creeps", "real and negative"),
    ("C", "diverges", "yet stable"),
    ("D", "spirals", "only by the factor 1 + β"),
])
def test_regime_miss_is_explained(key, wrong, phrase) -> None:
    result = exercises.check_momentum_regimes({**REGIMES_RIGHT, key: wrong})
    assert result.status == "wrong"
    assert f"you predicted {wrong!r}" in result.message and phrase in result.message


@pytest.mark.parametrize(("answer", "status", "phrase"), [
    ({"A": None, "B": None, "C": None, "D": None}, "not attempted", "still None"),
    ("creeps", "wrong", "give a dict"),
    ({"A": "creeps"}, "wrong", "no prediction for"),
    ({**REGIMES_RIGHT, "E": "creeps"}, "wrong", "unknown key"),
    ({**REGIMES_RIGHT, "B": "oscillates"}, "wrong", "not specific enough"),
    ({**REGIMES_RIGHT, "A": "converges"}, "wrong", "not specific enough"),
    ({**REGIMES_RIGHT, "A": "fast"}, "wrong", "is not one of"),
])
def test_regime_malformed_answers(answer, status, phrase) -> None:
    result = exercises.check_momentum_regimes(answer)
    assert result.status == status and phrase in result.message
