"""Checkers of chapters 01 and 02: accept the solution, spot the usual slips, never crash."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import exercises
from course_utils.exercises import gradient_descent as gd


def _stub(*_args):
    return None


# -- every checker: the solution passes, a stub is "not attempted" -----------------------------
@pytest.mark.parametrize(("checker", "solution"), [
    (exercises.check_gd_step, gd.reference_gd_step),
    (exercises.check_mse_gradient, gd.reference_mse_gradient),
    (exercises.check_steps_per_epoch, gd.reference_steps_per_epoch),
    (exercises.check_minibatch_iterator, gd.reference_minibatches),
    (exercises.check_learning_rate, 1.8),
])
def test_solution_passes_and_stub_is_not_attempted(checker, solution) -> None:
    result = checker(solution)
    assert result and result.status == "correct", result.message
    stub = None if checker is exercises.check_learning_rate else _stub
    assert checker(stub).status == "not attempted"
    assert not checker(stub)


# -- the worked solutions exactly as the notebooks write them ---------------------------------
def test_notebook_style_solutions_pass() -> None:
    def gd_step(params, grad, learning_rate):
        return params - learning_rate * grad

    def mse_gradient(w, b, x, y):
        r = w * x + b - y
        return 2 * np.mean(r * x), 2 * np.mean(r)

    def steps_per_epoch(num_samples, batch_size):
        return (num_samples + batch_size - 1) // batch_size

    def minibatches(x, y, batch_size, rng):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            idx = order[start:start + batch_size]
            yield x[idx], y[idx]

    assert exercises.check_gd_step(gd_step)
    assert exercises.check_mse_gradient(mse_gradient)
    assert exercises.check_steps_per_epoch(steps_per_epoch)
    assert exercises.check_minibatch_iterator(minibatches)


# -- check_gd_step ------------------------------------------------------------------------------
def test_gd_step_wrong_sign_names_the_case_and_the_fix() -> None:
    result = exercises.check_gd_step(lambda p, g, lr: p + lr * g)
    assert result.status == "wrong"
    assert "case 'one number'" in result.message and "expected [2.0], got [4.0]" in result.message
    assert "θ − η·g" in result.message


def test_gd_step_fixed_learning_rate_is_caught() -> None:
    result = exercises.check_gd_step(lambda p, g, lr: p - 0.5 * g)
    assert result.status == "wrong" and "learning_rate argument" in result.message


def test_gd_step_in_place_update_is_caught() -> None:
    def in_place(p, g, lr):
        p -= lr * g
        return p

    result = exercises.check_gd_step(in_place)
    assert result.status == "wrong" and "in place" in result.message


def test_gd_step_exception_is_feedback() -> None:
    result = exercises.check_gd_step(lambda p, g, lr: p - lr * g[5])
    assert result.status == "wrong" and "raised IndexError" in result.message


# -- check_mse_gradient -------------------------------------------------------------------------
@pytest.mark.parametrize(("wrong", "phrase"), [
    (lambda w, b, x, y: (np.mean((w * x + b - y) * x), np.mean(w * x + b - y)), "factor 2"),
    (lambda w, b, x, y: (-2 * np.mean((w * x + b - y) * x), -2 * np.mean(w * x + b - y)),
     "sign is flipped"),
    (lambda w, b, x, y: (2 * np.sum((w * x + b - y) * x), 2 * np.sum(w * x + b - y)),
     "divide by the number of points"),
    (lambda w, b, x, y: (2 * np.mean(w * x + b - y), 2 * np.mean((w * x + b - y) * x)),
     "swapped"),
    (lambda w, b, x, y: (2 * np.mean(w * x - y) * 1.0, 2 * np.mean(w * x - y)), "chain rule"),
])
def test_mse_gradient_usual_slips_get_their_hint(wrong, phrase) -> None:
    result = exercises.check_mse_gradient(wrong)
    assert result.status == "wrong"
    assert "expected" in result.message and phrase in result.message


def test_mse_gradient_one_number_is_reported() -> None:
    result = exercises.check_mse_gradient(lambda w, b, x, y: 3.0)
    assert result.status == "wrong" and "two numbers" in result.message


# -- check_learning_rate ------------------------------------------------------------------------
@pytest.mark.parametrize(("eta", "phrase"), [
    (0.1, "too small"), (1.0, "too small"), (1.95, "zig-zags"), (2.0, "exactly 2/L"),
    (2.1, "diverges"), (10.0, "diverged at step"),
])
def test_learning_rate_feedback_names_the_regime(eta, phrase) -> None:
    result = exercises.check_learning_rate(eta)
    assert result.status == "wrong" and phrase in result.message, result.message


@pytest.mark.parametrize("eta", [1.2, 1.5, 2 / 1.1, 1.85])
def test_learning_rate_window_is_accepted(eta) -> None:
    assert exercises.check_learning_rate(eta)


@pytest.mark.parametrize("bad", [-1.0, 0.0, float("nan"), "0.1", True])
def test_learning_rate_bad_values_are_wrong_not_crashes(bad) -> None:
    result = exercises.check_learning_rate(bad)
    assert result.status == "wrong" and "learning rate must be" in result.message


def test_learning_rate_task_really_needs_more_than_eta_one() -> None:
    # The exercise is not solved by the "safe" η = 1/L: the flat direction needs a larger step.
    from course_utils import surfaces, trajectories

    task = gd.LEARNING_RATE_TASK
    surf = surfaces.get("quadratic", condition=task["condition"])
    res = trajectories.run("sgd", surf, steps=task["steps"], learning_rate=1.0)
    assert res.final_loss > task["tolerance"]


# -- check_steps_per_epoch ----------------------------------------------------------------------
def test_steps_per_epoch_floor_division_gets_the_ceil_hint() -> None:
    result = exercises.check_steps_per_epoch(lambda n, b: n // b)
    assert result.status == "wrong"
    assert "expected 32, got 31" in result.message and "ceil" in result.message


def test_steps_per_epoch_always_adding_one_is_caught() -> None:
    result = exercises.check_steps_per_epoch(lambda n, b: n // b + 1)
    assert result.status == "wrong" and "divides exactly" in result.message


def test_steps_per_epoch_fraction_is_caught() -> None:
    result = exercises.check_steps_per_epoch(lambda n, b: n / b)
    assert result.status == "wrong" and "31.25" in result.message


# -- check_minibatch_iterator -------------------------------------------------------------------
def _in_order(x, y, b, rng):
    return [(x[i:i + b], y[i:i + b]) for i in range(0, len(x), b)]


def _labels_shuffled_apart(x, y, b, rng):
    o, p = rng.permutation(len(x)), rng.permutation(len(x))
    return [(x[o[i:i + b]], y[p[i:i + b]]) for i in range(0, len(x), b)]


def _drops_last(x, y, b, rng):
    o = rng.permutation(len(x))
    return [(x[o[i:i + b]], y[o[i:i + b]]) for i in range(0, len(x) - b + 1, b)]


def _global_random_state(x, y, b, rng):
    o = np.random.permutation(len(x))
    return [(x[o[i:i + b]], y[o[i:i + b]]) for i in range(0, len(x), b)]


def _with_replacement(x, y, b, rng):
    o = rng.integers(0, len(x), len(x))
    return [(x[o[i:i + b]], y[o[i:i + b]]) for i in range(0, len(x), b)]


def _flattens_x(x, y, b, rng):
    o = rng.permutation(len(x))
    return [(x[o[i:i + b]].ravel(), y[o[i:i + b]]) for i in range(0, len(x), b)]


@pytest.mark.parametrize(("wrong", "phrase"), [
    (_in_order, "original order"),
    (_labels_shuffled_apart, "labels no longer match"),
    (_drops_last, "do not drop it"),
    (_global_random_state, "same seed gave two different orders"),
    (_with_replacement, "exactly once per epoch"),
    (_flattens_x, "keep the feature axis"),
])
def test_minibatch_iterator_slips_are_named(wrong, phrase) -> None:
    result = exercises.check_minibatch_iterator(wrong)
    assert result.status == "wrong" and phrase in result.message, result.message


def test_minibatch_iterator_may_return_a_list() -> None:
    def as_list(x, y, b, rng):
        return list(gd.reference_minibatches(x, y, b, rng))

    assert exercises.check_minibatch_iterator(as_list)


# -- check_regime_predictions (predict, then run) ----------------------------------------------
RIGHT = {0.5: "smooth", 1.5: "zig-zag", 1.99: "zig-zag", 2.1: "diverges"}


def test_regime_predictions_right_answer_passes_and_names_each_run() -> None:
    assert gd.REGIME_TASK["learning_rates"] == tuple(RIGHT)
    result = exercises.check_regime_predictions(RIGHT)
    assert result and "every prediction matches" in result.message
    assert "η = 2.1: diverged at step" in result.message


def test_regime_predictions_follow_the_runs_not_only_the_formula() -> None:
    for eta, regime in RIGHT.items():
        assert gd.measured_regime(eta)[0] == regime


def test_regime_predictions_accept_synonyms() -> None:
    words = {0.5: "Monotone", 1.5: "oscillates", 1.99: "zigzag", 2.1: "blows up"}
    assert exercises.check_regime_predictions(words)


@pytest.mark.parametrize(("eta", "wrong", "phrase"), [
    (0.5, "zig-zag", "shrinks without ever changing sign"),
    (1.5, "smooth", "flips sign every step"),
    (1.99, "diverges", "1 − η·L = -0.99"),
    (2.1, "zig-zag", "grows every step"),
])
def test_regime_prediction_miss_is_explained(eta, wrong, phrase) -> None:
    result = exercises.check_regime_predictions({**RIGHT, eta: wrong})
    assert result.status == "wrong"
    assert f'η = {eta:g}: you predicted "{wrong}"' in result.message and phrase in result.message
    assert "3 of 4 predictions match" in result.message and "Hint" in result.message


def test_regime_predictions_not_attempted_and_partly_blank() -> None:
    blank = dict.fromkeys(RIGHT)
    assert exercises.check_regime_predictions(blank).status == "not attempted"
    partly = {**RIGHT, 1.99: None}
    result = exercises.check_regime_predictions(partly)
    assert result.status == "not attempted" and "1.99" in result.message


@pytest.mark.parametrize(("bad", "phrase"), [
    ([0.5, 1.5], "give a dict"),
    ({0.5: "smooth", 1.5: "zig-zag", 1.99: "zig-zag"}, "no prediction for η = 2.1"),
    ({**RIGHT, 3.0: "diverges"}, "not part of the task"),
    ({**RIGHT, 0.5: "converges"}, "not specific enough"),
    ({**RIGHT, 0.5: "fast"}, "not a regime"),
    ({**RIGHT, 0.5: 1}, "not a regime"),
    ({"0.5": "smooth", 1.5: "zig-zag", 1.99: "zig-zag", 2.1: "diverges"}, "not a number"),
])
def test_regime_predictions_bad_input_is_feedback(bad, phrase) -> None:
    result = exercises.check_regime_predictions(bad)
    assert result.status == "wrong" and phrase in result.message, result.message
