"""Chapter 04's checkers accept the worked solutions, agree with the kernels, name the slips;
the predict-then-run checker compares a prediction with a run and hints at what was missed."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import exercises, optimizers
from course_utils.exercises.adaptive import (
    adam_step_reference,
    rmsprop_step_reference,
    step_shrink_measured,
)
from course_utils.exercises.adaptive import adamw_step_reference as adamw_reference


# -- the worked solutions, as the notebook writes them ---------------------------------------
def bias_correction(m, v, t, beta_1=0.9, beta_2=0.999):
    return m / (1 - beta_1**t), v / (1 - beta_2**t)


def adam_step(params, grads, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
              epsilon=1e-7):
    m = beta_1 * m + (1 - beta_1) * grads
    v = beta_2 * v + (1 - beta_2) * grads**2
    m_hat, v_hat = bias_correction(m, v, t, beta_1, beta_2)
    return params - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v


def rmsprop_step(params, grads, s, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    s = rho * s + (1 - rho) * grads**2
    return params - learning_rate * grads / np.sqrt(s + epsilon), s


def stub(*args):
    return None


def test_solutions_pass() -> None:
    assert exercises.check_bias_correction(bias_correction)
    assert exercises.check_adam_step(adam_step)
    assert exercises.check_rmsprop_step(rmsprop_step)


def test_stubs_are_not_attempted() -> None:
    for check in (exercises.check_bias_correction, exercises.check_adam_step,
                  exercises.check_rmsprop_step):
        assert check(stub).status == "not attempted"


def test_adam_reference_follows_the_kernel_over_many_steps() -> None:
    """Ten steps of the paper-form reference stay on optimizers.Adam's path (normal gradients).

    Not to the last bit: Keras adds ε to √v rather than to √v̂, a difference of order ε·η.
    """
    opt = optimizers.Adam(learning_rate=0.05)
    params = ours = np.array([1.0, -2.0])
    state = opt.init(params)
    m = v = np.zeros(2)
    for t in range(1, 11):
        ours, state = opt.update(ours, 2 * ours, state)
        params, m, v = adam_step_reference(params, 2 * params, m, v, t, 0.05)
    np.testing.assert_allclose(params, ours, rtol=0, atol=1e-6)
    np.testing.assert_allclose(m, state["m"], rtol=0, atol=1e-6)


def test_keras_placement_of_epsilon_is_accepted() -> None:
    def keras_form(params, grads, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
                   epsilon=1e-7):
        m = beta_1 * m + (1 - beta_1) * grads
        v = beta_2 * v + (1 - beta_2) * grads**2
        alpha = learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        return params - alpha * m / (np.sqrt(v) + epsilon), m, v

    assert exercises.check_adam_step(keras_form)


def test_rmsprop_reference_is_the_kernel() -> None:
    new, s = rmsprop_step_reference(np.array([1.0]), np.array([2.0]), np.array([0.5]), 0.1, 0.9)
    assert s[0] == pytest.approx(0.9 * 0.5 + 0.1 * 4)
    assert new[0] == pytest.approx(1 - 0.1 * 2 / np.sqrt(0.85 + 1e-7))


@pytest.mark.parametrize(("wrong", "phrase"), [
    (lambda m, v, t, b1, b2: bias_correction(m, v, t - 1, b1, b2), "t counts from 1"),
    (lambda m, v, t, b1, b2: (m, v), "unchanged"),
    (lambda m, v, t, b1, b2: (m / (1 - b1), v / (1 - b2)), "power"),
    (lambda m, v, t, b1, b2: bias_correction(m, v, t, b2, b1), "swapped"),
])
def test_bias_correction_names_the_slip(wrong, phrase) -> None:
    result = exercises.check_bias_correction(wrong)
    assert result.status == "wrong" and phrase in result.message
    assert "case 'first step t = 1'" in result.message or "case '" in result.message


def _adam(shift=0, correct=True, eps_inside=False, hat=False):
    def step(params, grads, m, v, t, lr=0.001, b1=0.9, b2=0.999, eps=1e-7):
        m = b1 * m + (1 - b1) * grads
        v = b2 * v + (1 - b2) * grads**2
        mh, vh = (bias_correction(m, v, t + shift, b1, b2) if correct else (m, v))
        root = np.sqrt(vh + eps) if eps_inside else np.sqrt(vh) + eps
        new = params - lr * mh / root
        return (new, *bias_correction(m, v, t, b1, b2)) if hat else (new, m, v)
    return step


@pytest.mark.parametrize(("wrong", "phrase", "case"), [
    (_adam(shift=-1), "t counts from 1", "first step t = 1"),
    (_adam(correct=False), "article 000", "first step t = 1"),
    (_adam(eps_inside=True), "outside the square root", "tiny gradients"),
    (_adam(hat=True), "raw moments", "first step t = 1"),
])
def test_adam_step_names_the_slip(wrong, phrase, case) -> None:
    result = exercises.check_adam_step(wrong)
    assert result.status == "wrong" and phrase in result.message
    assert f"case '{case}" in result.message and "expected θ = " in result.message


@pytest.mark.parametrize(("wrong", "phrase"), [
    (lambda p, g, s, lr, rho, eps: (p - lr * (rho * s + (1 - rho) * g**2)
                                    / (np.sqrt(rho * s + (1 - rho) * g**2) + eps),
                                    rho * s + (1 - rho) * g**2), "article 004"),
    (lambda p, g, s, lr, rho, eps: (p - lr * g / np.sqrt(rho * g**2 + (1 - rho) * s + eps),
                                    rho * g**2 + (1 - rho) * s), "ρ multiplies the old average"),
    (lambda p, g, s, lr, rho, eps: (p + lr * g / np.sqrt(rho * s + (1 - rho) * g**2 + eps),
                                    rho * s + (1 - rho) * g**2), "sign error"),
])
def test_rmsprop_step_names_the_slip(wrong, phrase) -> None:
    result = exercises.check_rmsprop_step(wrong)
    assert result.status == "wrong" and phrase in result.message


# -- exercise 4: AdamW ------------------------------------------------------------------------
def adamw_step(params, grads, m, v, t, learning_rate=0.001, weight_decay=0.004, beta_1=0.9,
               beta_2=0.999, epsilon=1e-7):
    params = params - learning_rate * weight_decay * params
    return adam_step(params, grads, m, v, t, learning_rate, beta_1, beta_2, epsilon)


def test_adamw_solution_passes_and_stub_is_not_attempted() -> None:
    assert exercises.check_adamw_step(adamw_step)
    assert exercises.check_adamw_step(stub).status == "not attempted"


def test_adamw_reference_is_the_kernel_over_many_steps() -> None:
    opt = optimizers.AdamW(learning_rate=0.05, weight_decay=0.1)
    params = ours = np.array([1.0, -2.0])
    state = opt.init(params)
    m = v = np.zeros(2)
    for t in range(1, 11):
        ours, state = opt.update(ours, 2 * ours, state)
        params, m, v = adamw_reference(params, 2 * params, m, v, t, 0.05, 0.1)
    np.testing.assert_allclose(params, ours, rtol=0, atol=1e-12)


def _adamw(*, l2=False, decay=True, times_lr=True, after=False):
    def step(params, grads, m, v, t, lr=0.001, wd=0.004, b1=0.9, b2=0.999, eps=1e-7):
        g = grads + wd * params if l2 else grads
        shrink = lr * wd if times_lr else wd
        if decay and not after:
            params = params - shrink * params
        new, m, v = adam_step(params, g, m, v, t, lr, b1, b2, eps)
        if decay and after:
            new = new - shrink * new
        return new, m, v
    return step


@pytest.mark.parametrize(("wrong", "phrase"), [
    (_adamw(l2=True, decay=False), "Adam + L2"),
    (_adamw(l2=True), "λ appears twice"),
    (_adamw(times_lr=False), "multiplied by the learning rate"),
    (_adamw(decay=False), "no weight decay"),
    (_adamw(after=True), "before* the Adam step"),
])
def test_adamw_step_names_the_slip(wrong, phrase) -> None:
    result = exercises.check_adamw_step(wrong)
    assert result.status == "wrong" and phrase in result.message, result.message
    assert "case '" in result.message and "expected θ = " in result.message


def test_adamw_in_place_update_is_caught() -> None:
    def in_place(params, grads, m, v, t, learning_rate=0.001, weight_decay=0.004, beta_1=0.9,
                 beta_2=0.999, epsilon=1e-7):
        params -= learning_rate * weight_decay * params
        return adam_step(params, grads, m, v, t, learning_rate, beta_1, beta_2, epsilon)

    result = exercises.check_adamw_step(in_place)
    assert result.status == "wrong" and "in place" in result.message


# -- exercise 5: predict, then run --------------------------------------------------------------
def test_prediction_from_the_equations_passes() -> None:
    adagrad, rmsprop = np.sqrt(1.1 / 101.1), np.sqrt(0.1 / (1 - 0.9**101))
    measured = step_shrink_measured()
    assert measured == pytest.approx((adagrad, rmsprop), rel=1e-3)
    assert exercises.check_step_shrink_prediction(adagrad, rmsprop)


def test_prediction_not_attempted_and_not_a_number() -> None:
    assert exercises.check_step_shrink_prediction(None, None).status == "not attempted"
    assert exercises.check_step_shrink_prediction(0.1, None).status == "not attempted"
    result = exercises.check_step_shrink_prediction("a lot", 0.3)
    assert result.status == "wrong" and "must be numbers" in result.message


@pytest.mark.parametrize(("guess", "phrases", "absent"), [
    ((1.0, 0.32), ["AdaGrad adds g²"], "RMSprop's s starts"),   # "AdaGrad's step stays": wrong
    ((0.1, 1.0), ["RMSprop's s starts"], "AdaGrad adds g²"),    # "RMSprop's step stays": wrong
    ((0.5, 3.0), ["AdaGrad adds g²", "RMSprop's s starts"], None),
])
def test_wrong_predictions_report_the_measurement_and_a_hint(guess, phrases, absent) -> None:
    result = exercises.check_step_shrink_prediction(*guess)
    assert result.status == "wrong" and "measured:" in result.message
    for phrase in phrases:
        assert phrase in result.message
    if absent:
        assert absent not in result.message


def test_step_shrink_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="steps must be a whole number"):
        step_shrink_measured(2.5)
    with pytest.raises(ValueError, match="tolerance must be > 0"):
        exercises.check_step_shrink_prediction(0.1, 0.9, tolerance=-1)
