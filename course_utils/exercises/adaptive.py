"""Checkers for chapter 04 (adaptive methods): bias correction, Adam, RMSprop and AdamW steps,
and a predict-then-run exercise on how AdaGrad's and RMSprop's steps shrink.

Each checker compares the learner's function with ``course_utils.optimizers``
(which takes Keras's steps), names the failing case, shows expected against got,
and recognises the usual slips: t counted from 0, ε inside the square root, no
bias correction (article 000's Adam), the accumulator divided by itself
(article 004's RMSprop), L2 in the gradient instead of decoupled weight decay (AdamW).

Taught in 04_adaptive_methods.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from course_utils import checks, optimizers
from course_utils.exercises._core import Feedback, Slip, check_cases

__all__ = ["check_bias_correction", "check_adam_step", "check_rmsprop_step", "check_adamw_step",
           "check_step_shrink_prediction", "bias_correction_reference", "adam_step_reference",
           "rmsprop_step_reference", "adamw_step_reference", "step_shrink_measured"]

_F = np.float64


# -- exercise 1: bias correction -----------------------------------------------------------
def bias_correction_reference(m, v, t, beta_1=0.9, beta_2=0.999):
    """m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ), with t the step counted from 1."""
    return np.asarray(m, _F) / (1 - beta_1**t), np.asarray(v, _F) / (1 - beta_2**t)


def _slips_bias() -> list[Slip]:
    ref = bias_correction_reference
    return [
        (lambda m, v, t, b1, b2: ref(m, v, t - 1, b1, b2),
         "t counts from 1 (the first step is t = 1, so 1 − β₁¹ = 0.1): do not subtract 1."),
        (lambda m, v, t, b1, b2: ref(m, v, t + 1, b1, b2),
         "t is already this step's number (it counts from 1): use βᵗ, not βᵗ⁺¹."),
        (lambda m, v, t, b1, b2: (np.asarray(m, _F), np.asarray(v, _F)),
         "that returns m and v unchanged: divide by (1 − β₁ᵗ) and (1 − β₂ᵗ)."),
        (lambda m, v, t, b1, b2: (np.asarray(m, _F) * (1 - b1**t), np.asarray(v, _F) * (1 - b2**t)),
         "divide by (1 − βᵗ); multiplying makes the early moments even smaller."),
        (lambda m, v, t, b1, b2: (np.asarray(m, _F) / (1 - b1), np.asarray(v, _F) / (1 - b2)),
         "the correction uses the power βᵗ (beta_1 ** t), not β itself."),
        (lambda m, v, t, b1, b2: ref(m, v, t, b2, b1),
         "β₁ (beta_1) corrects m and β₂ (beta_2) corrects v: they are swapped."),
        (lambda m, v, t, b1, b2: (ref(m, v, t, b1, b2)[0], np.sqrt(ref(m, v, t, b1, b2)[1])),
         "return v̂ itself; the square root is taken later, in the Adam step."),
    ]


def check_bias_correction(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(m, v, t, beta_1, beta_2) -> (m_hat, v_hat)`` (t counted from 1)."""
    cases = [
        ("first step t = 1", (np.array([0.05, -0.4]), np.array([2.5e-4, 1.6e-2]), 1, 0.9, 0.999)),
        ("step t = 10", (np.array([0.3, -0.2]), np.array([0.004, 0.002]), 10, 0.9, 0.999)),
        ("late step t = 5000: m̂ ≈ m, but v̂ still differs",
         (np.array([0.1, 0.2]), np.array([0.01, 0.03]), 5000, 0.9, 0.999)),
        ("other betas, a (2, 2) array",
         (np.array([[0.1, -0.1], [0.2, 0.0]]), np.array([[0.01, 0.02], [0.03, 0.0]]), 3, 0.5, 0.9)),
    ]
    return check_cases(
        fn, cases, reference=bias_correction_reference, outputs=("m̂", "v̂"),
        slips=_slips_bias(),
        hint="m̂ = m / (1 − beta_1**t) and v̂ = v / (1 − beta_2**t), t counted from 1.",
        error_hints={ZeroDivisionError: "1 − βᵗ is zero only when t = 0; t counts from 1."},
        success="m̂ = m/(1−β₁ᵗ) and v̂ = v/(1−β₂ᵗ) in all 4 cases. Note case 3: after 5000 "
                "steps β₁ᵗ is nothing, but β₂ᵗ = 0.999⁵⁰⁰⁰ ≈ 0.007 still matters a little.",
    )


# -- exercise 2: one Adam step -------------------------------------------------------------
def adam_step_reference(params, grads, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
                        epsilon=1e-7):
    """The paper's Adam step: update m and v, correct them, θ ← θ − η·m̂/(√v̂ + ε)."""
    g = np.asarray(grads, _F)
    m = beta_1 * np.asarray(m, _F) + (1 - beta_1) * g
    v = beta_2 * np.asarray(v, _F) + (1 - beta_2) * g * g
    m_hat, v_hat = m / (1 - beta_1**t), v / (1 - beta_2**t)
    return np.asarray(params, _F) - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v


def _adam_keras_form(params, grads, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
                     epsilon=1e-7):
    """What Keras runs (ε added to √v after folding the corrections into η): also correct."""
    opt = optimizers.Adam(learning_rate, beta_1, beta_2, epsilon)
    state = {"iterations": t - 1, "m": np.asarray(m, _F), "v": np.asarray(v, _F)}
    new_params, new_state = opt.update(np.asarray(params, _F), np.asarray(grads, _F), state)
    return new_params, new_state["m"], new_state["v"]


def _adam_variant(*, shift=0, correct=True, eps_inside=False, sqrt=True, old_moments=False,
                  return_hat=False, swap=False, sign=1.0):
    def step(params, grads, m, v, t, lr=0.001, b1=0.9, b2=0.999, eps=1e-7):
        if swap:
            b1, b2 = b2, b1
        g = np.asarray(grads, _F)
        m_old, v_old = np.asarray(m, _F), np.asarray(v, _F)
        m_new = b1 * m_old + (1 - b1) * g
        v_new = b2 * v_old + (1 - b2) * g * g
        mm, vv = (m_old, v_old) if old_moments else (m_new, v_new)
        tt = t + shift
        m_hat = mm / (1 - b1**tt) if correct else mm
        v_hat = vv / (1 - b2**tt) if correct else vv
        root = np.sqrt(v_hat + eps) if eps_inside else (np.sqrt(v_hat) + eps if sqrt else v_hat + eps)
        new = np.asarray(params, _F) - sign * lr * m_hat / root
        if return_hat:
            return new, m_new / (1 - b1**t), v_new / (1 - b2**t)
        return new, m_new, v_new
    return step


def _slips_adam() -> list[Slip]:
    return [
        (_adam_variant(shift=-1), "t counts from 1: the first step uses 1 − β₁¹ = 0.1. "
                                  "Counting from 0 divides by zero on the first step."),
        (_adam_variant(shift=+1), "t is already this step's number (counted from 1): use βᵗ, "
                                  "not βᵗ⁺¹."),
        (_adam_variant(correct=False), "no bias correction (that is article 000's Adam): divide m "
                                       "by (1 − β₁ᵗ) and v by (1 − β₂ᵗ) before the step, or the "
                                       "first steps are about 3× too long."),
        (_adam_variant(eps_inside=True), "ε goes outside the square root: √v̂ + ε, not √(v̂ + ε) "
                                         "(article 001's NumPy code). It matters when gradients "
                                         "are tiny (the last case)."),
        (_adam_variant(sqrt=False), "divide by the square root of v̂: the step is "
                                    "η·m̂/(√v̂ + ε), so it has the units of θ."),
        (_adam_variant(old_moments=True), "update m and v with this step's gradient first, then "
                                          "use the new m and v in the step."),
        (_adam_variant(return_hat=True), "return the raw moments m and v (the state), not m̂ and "
                                         "v̂: the correction is recomputed from t at every step."),
        (_adam_variant(swap=True), "β₁ (beta_1, 0.9) goes with m and β₂ (beta_2, 0.999) with v: "
                                   "they are swapped."),
        (_adam_variant(sign=-1.0), "sign error: step against the gradient, θ ← θ − η·m̂/(√v̂ + ε)."),
    ]


def check_adam_step(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(params, grads, m, v, t, learning_rate, beta_1, beta_2, epsilon)``
    ``-> (new_params, new_m, new_v)``, one Adam step with t this step's number (from 1).

    Both places for ε are accepted: the paper's (``√v̂ + ε``) and Keras's (``√v + ε``
    after folding the corrections into η, as ``optimizers.Adam`` does).
    """
    rng = np.random.default_rng(4)
    cases = [
        ("first step t = 1", (np.array([1.0, -2.0]), np.array([0.5, -4.0]), np.zeros(2),
                              np.zeros(2), 1, 0.1, 0.9, 0.999, 1e-7)),
        ("step t = 3, moments from earlier steps",
         (np.array([0.9, -1.9]), np.array([0.4, -3.0]), np.array([0.09, -0.7]),
          np.array([4.4e-4, 0.04]), 3, 0.1, 0.9, 0.999, 1e-7)),
        ("a (3, 2) weight matrix, other betas",
         (rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), 0.1 * rng.normal(size=(3, 2)),
          0.01 * rng.random((3, 2)), 7, 0.01, 0.5, 0.99, 1e-7)),
        ("tiny gradients, where ε matters",
         (np.array([1.0, 1.0]), np.array([1e-6, -3e-7]), np.zeros(2), np.zeros(2), 1,
          0.001, 0.9, 0.999, 1e-7)),
    ]
    return check_cases(
        fn, cases, reference=adam_step_reference, outputs=("θ", "m", "v"),
        slips=_slips_adam(),
        accept=[_adam_keras_form],
        hint="m ← β₁·m + (1−β₁)·g; v ← β₂·v + (1−β₂)·g²; m̂ = m/(1−β₁ᵗ); "
             "v̂ = v/(1−β₂ᵗ); θ ← θ − η·m̂/(√v̂ + ε); return (θ, m, v).",
        error_hints={ZeroDivisionError: "t counts from 1, so 1 − βᵗ is never zero; do not "
                                        "subtract 1 from t."},
        success="one Adam step, bias-corrected, in all 4 cases (it agrees with "
                "optimizers.Adam, which takes Keras's steps).",
    )


# -- exercise 3: one RMSprop step ----------------------------------------------------------
def rmsprop_step_reference(params, grads, s, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    """Keras's RMSprop: s ← ρ·s + (1−ρ)·g², θ ← θ − η·g/√(s + ε)."""
    opt = optimizers.RMSprop(learning_rate, rho, epsilon=epsilon)
    new, state = opt.update(np.asarray(params, _F), np.asarray(grads, _F),
                            {"iterations": 0, "velocity": np.asarray(s, _F)})
    return new, state["velocity"]


def _rms_variant(*, eps_outside=False, article_004=False, swap=False, old_s=False, sqrt=True,
                 sign=1.0):
    def step(params, grads, s, lr=0.001, rho=0.9, eps=1e-7):
        g = np.asarray(grads, _F)
        s_old = np.asarray(s, _F)
        s_new = (rho * g * g + (1 - rho) * s_old) if swap else (rho * s_old + (1 - rho) * g * g)
        ss = s_old if old_s else s_new
        p = np.asarray(params, _F)
        if article_004:
            return p - lr * ss / (np.sqrt(ss) + eps), s_new
        denom = (np.sqrt(ss) + eps) if eps_outside else (np.sqrt(ss + eps) if sqrt else ss + eps)
        return p - sign * lr * g / denom, s_new
    return step


def check_rmsprop_step(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(params, grads, s, learning_rate, rho, epsilon) -> (new_params, new_s)``.

    Keras's form is ``θ ← θ − η·g/√(s + ε)`` (ε inside the root); ``√s + ε`` is accepted too.
    """
    rng = np.random.default_rng(5)
    cases = [
        ("first step, s = 0", (np.array([1.0, -2.0]), np.array([0.5, -4.0]), np.zeros(2),
                               0.01, 0.9, 1e-7)),
        ("s from earlier steps", (np.array([0.5, 1.0]), np.array([2.0, -0.1]),
                                  np.array([1.0, 0.04]), 0.01, 0.9, 1e-7)),
        ("a (2, 3) weight matrix, ρ = 0.5", (rng.normal(size=(2, 3)), rng.normal(size=(2, 3)),
                                             rng.random((2, 3)), 0.001, 0.5, 1e-7)),
        ("a negative gradient must push θ up", (np.array([0.0]), np.array([-1.0]),
                                                 np.array([0.0]), 0.01, 0.9, 1e-7)),
    ]
    slips = [
        (_rms_variant(article_004=True),
         "you divided the accumulator by its own root, θ ← θ − η·s/(√s + ε) (article 004's "
         "formula). That step is always ≥ 0, whatever the gradient's sign: scale the *gradient* "
         "instead, θ ← θ − η·g/√(s + ε)."),
        (_rms_variant(swap=True), "ρ multiplies the old average: s ← ρ·s + (1−ρ)·g², not "
                                  "ρ·g² + (1−ρ)·s."),
        (_rms_variant(old_s=True), "update s with this step's gradient first, then divide by "
                                   "the new √s."),
        (_rms_variant(sqrt=False), "divide by the square root: g/√(s + ε) keeps the step near η."),
        (_rms_variant(sign=-1.0), "sign error: θ ← θ − η·g/√(s + ε) goes downhill."),
    ]
    return check_cases(
        fn, cases, reference=rmsprop_step_reference, outputs=("θ", "s"),
        slips=slips,
        accept=[_rms_variant(eps_outside=True)],
        hint="s ← ρ·s + (1−ρ)·g²; θ ← θ − η·g/√(s + ε); return (θ, s).",
        success="RMSprop as Keras runs it in all 4 cases (Keras puts ε inside the root: "
                "g/√(s + ε)).",
    )


# -- exercise 4: one AdamW step (decoupled weight decay) -------------------------------------
def adamw_step_reference(params, grads, m, v, t, learning_rate=0.001, weight_decay=0.004,
                         beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """Keras's AdamW (``optimizers.AdamW``): θ ← θ − η·λ·θ, then the Adam step on g alone.

    The decay uses the parameters *before* the Adam step and is multiplied by η; the
    gradient never sees λ (that is what "decoupled" means).
    """
    opt = optimizers.AdamW(learning_rate, weight_decay, beta_1, beta_2, epsilon)
    state = {"iterations": t - 1, "m": np.asarray(m, _F), "v": np.asarray(v, _F)}
    new_params, new_state = opt.update(np.asarray(params, _F), np.asarray(grads, _F), state)
    return new_params, new_state["m"], new_state["v"]


def _adamw_variant(*, decay="before", scale_by_lr=True, l2=False, paper_eps=False, correct=True):
    def step(params, grads, m, v, t, lr=0.001, wd=0.004, b1=0.9, b2=0.999, eps=1e-7):
        p, g = np.asarray(params, _F), np.asarray(grads, _F)
        if l2:
            g = g + wd * p
        m_new = b1 * np.asarray(m, _F) + (1 - b1) * g
        v_new = b2 * np.asarray(v, _F) + (1 - b2) * g * g
        m_hat = m_new / (1 - b1**t) if correct else m_new
        v_hat = v_new / (1 - b2**t) if correct else v_new
        adam = lr * m_hat / (np.sqrt(v_hat) + eps)
        if paper_eps is False and correct:
            alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
            adam = alpha * m_new / (np.sqrt(v_new) + eps)
        shrink = (lr * wd if scale_by_lr else wd)
        if decay == "before":
            new = p - shrink * p - adam
        elif decay == "after":
            new = (p - adam) * (1 - shrink)
        else:
            new = p - adam
        return new, m_new, v_new
    return step


def _slips_adamw() -> list[Slip]:
    return [
        (_adamw_variant(decay="none", l2=True),
         "you added λ·θ to the gradient (an L2 penalty in the loss): that is Adam + L2, not "
         "AdamW. Decoupled decay never enters m and v: shrink θ directly, θ ← θ − η·λ·θ, and "
         "take the Adam step with g alone."),
        (_adamw_variant(decay="before", l2=True),
         "λ appears twice: once in the gradient (L2) and once as decay. AdamW only decays θ "
         "directly (θ ← θ − η·λ·θ); the gradient stays g."),
        (_adamw_variant(scale_by_lr=False),
         "the decay must be multiplied by the learning rate, as Keras does: θ ← θ − η·λ·θ, "
         "not θ ← θ − λ·θ (with λ = 0.004 and no η, every step would remove 0.4% of θ)."),
        (_adamw_variant(scale_by_lr=False, decay="after"),
         "the decay is θ ← θ − η·λ·θ (times η), applied to θ before the Adam step."),
        (_adamw_variant(decay="none"),
         "no weight decay: that is plain Adam. Shrink θ by η·λ·θ, then take the Adam step."),
        (_adamw_variant(decay="after"),
         "decay the parameters *before* the Adam step (θ ← θ − η·λ·θ uses the old θ), as "
         "Keras and Loshchilov and Hutter's algorithm do; you shrank the already-updated θ."),
        (_adamw_variant(correct=False),
         "no bias correction: the Adam part needs m̂ = m/(1−β₁ᵗ) and v̂ = v/(1−β₂ᵗ) "
         "(exercise 2)."),
    ]


def check_adamw_step(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(params, grads, m, v, t, learning_rate, weight_decay, beta_1, beta_2, epsilon)``
    ``-> (new_params, new_m, new_v)``: one AdamW step, t counted from 1.

    Compared with ``optimizers.AdamW`` (Keras's steps); ε after the corrections (the
    paper's √v̂ + ε) is accepted too. Names the usual slips: λ·θ added to the gradient
    (L2, not decoupled), decay not multiplied by η, no decay, decay after the step.
    """
    rng = np.random.default_rng(6)
    cases = [
        ("first step t = 1, η = 0.1, λ = 0.004",
         (np.array([1.0, -2.0]), np.array([0.5, -4.0]), np.zeros(2), np.zeros(2), 1,
          0.1, 0.004, 0.9, 0.999, 1e-7)),
        ("step t = 4, moments from earlier steps, λ = 0.1",
         (np.array([0.9, -1.9]), np.array([0.4, -3.0]), np.array([0.09, -0.7]),
          np.array([4.4e-4, 0.04]), 4, 0.05, 0.1, 0.9, 0.999, 1e-7)),
        ("a (3, 2) weight matrix, large decay λ = 0.5",
         (rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), 0.1 * rng.normal(size=(3, 2)),
          0.01 * rng.random((3, 2)), 7, 0.01, 0.5, 0.9, 0.99, 1e-7)),
        ("a zero gradient: only the decay moves θ",
         (np.array([2.0, -3.0]), np.zeros(2), np.zeros(2), np.zeros(2), 1,
          0.01, 0.2, 0.9, 0.999, 1e-7)),
    ]
    return check_cases(
        fn, cases, reference=adamw_step_reference, outputs=("θ", "m", "v"),
        slips=_slips_adamw(),
        accept=[_adamw_variant(paper_eps=True)],
        hint="θ ← θ − η·λ·θ (decoupled decay, before the step); then the Adam step of "
             "exercise 2 with the gradient g alone; return (θ, m, v).",
        error_hints={ZeroDivisionError: "t counts from 1, so 1 − βᵗ is never zero."},
        success="one AdamW step in all 4 cases: the weights shrink by η·λ·θ directly and the "
                "Adam step sees only g (it agrees with optimizers.AdamW, which takes Keras's "
                "steps). Case 4 shows the difference from L2: with g = 0, Adam + L2 would still "
                "take a full step of about η, AdamW only the decay η·λ·θ.",
    )


# -- exercise 5: predict, then run -----------------------------------------------------------
def step_shrink_measured(steps: int = 100) -> tuple[float, float]:
    """Step t+1 / step 1 for AdaGrad and RMSprop (Keras defaults) on a constant gradient g = 1.

    Runs ``optimizers.Adagrad`` and ``optimizers.RMSprop`` for ``steps`` + 1 steps and
    divides the length of the last step by the length of the first.
    """
    steps = checks.whole("steps", steps, low=1)
    out = []
    for opt in (optimizers.Adagrad(learning_rate=0.01), optimizers.RMSprop(learning_rate=0.01)):
        theta = np.zeros(1)
        state = opt.init(theta)
        lengths = []
        for _ in range(steps + 1):
            new, state = opt.update(theta, np.ones(1), state)
            lengths.append(float(abs(new[0] - theta[0])))
            theta = new
        out.append(lengths[-1] / lengths[0])
    return out[0], out[1]


def check_step_shrink_prediction(adagrad: float | None, rmsprop: float | None,
                                 tolerance: float = 0.25) -> Feedback:
    """Compare the learner's predicted ratios (step 101 / step 1, constant gradient) with a run.

    Each prediction passes when it is within ``tolerance`` (relative) of the measured
    ratio; the feedback reports both measured values and what each optimizer's state did.
    """
    tolerance = checks.number("tolerance", tolerance, low=0, low_open=True)
    if adagrad is None or rmsprop is None:
        return Feedback("not attempted", "set both predictions (numbers such as 0.5), then run "
                        "the cell.")
    try:
        guess = (float(adagrad), float(rmsprop))
    except (TypeError, ValueError):
        return Feedback("wrong", f"the predictions must be numbers, got {adagrad!r} and "
                        f"{rmsprop!r}.")
    measured = step_shrink_measured()
    close = [abs(g - m) <= tolerance * m for g, m in zip(guess, measured, strict=True)]
    report = (f"measured: AdaGrad's 101st step is {measured[0]:.3f} × its first, RMSprop's "
              f"{measured[1]:.3f} × its first (you predicted {guess[0]:.3g} and {guess[1]:.3g}).")
    if all(close):
        return Feedback("correct", report + " AdaGrad's sum G = 0.1 + t·g² keeps growing, so its "
                        "step keeps shrinking like 1/√t; RMSprop's average s forgets its start "
                        "at 0 and settles at g², so its step settles at η.")
    hints = []
    if not close[0]:
        hints.append("AdaGrad adds g² = 1 to G at every step, starting from "
                     "initial_accumulator_value = 0.1: the first step divides by √1.1, the "
                     "101st by √101.1")
    if not close[1]:
        hints.append("RMSprop's s starts at 0 and moves 10% of the way to g² = 1 each step "
                     "(ρ = 0.9): the first step divides by √0.1, and after 100 steps s ≈ 1")
    return Feedback("wrong", report + " Hint: " + "; ".join(hints) + ".")
