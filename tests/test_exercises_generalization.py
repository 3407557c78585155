"""Checkers of chapters 08 and 09: accept the solution, name the usual slips, never crash."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.utils.class_weight import compute_class_weight

from course_utils import exercises
from course_utils.exercises import generalization as gen


def _stub(*_args):
    return None


# -- every checker: the solution passes, a stub is "not attempted" ------------------------------
@pytest.mark.parametrize(("checker", "solution"), [
    (exercises.check_init_std, gen.init_std_reference),
    (exercises.check_dead_fraction, gen.dead_fraction_reference),
    (exercises.check_early_stopping, gen.early_stopping_reference),
    (exercises.check_precision_recall_f1, gen.precision_recall_f1_reference),
    (exercises.check_class_weight, gen.class_weight_reference),
])
def test_solution_passes_and_stub_is_not_attempted(checker, solution) -> None:
    result = checker(solution)
    assert result and result.status == "correct", result.message
    stub = checker(_stub)
    assert stub.status == "not attempted" and not stub
    assert checker("not a function").status == "wrong"


# -- the worked solutions exactly as the notebooks write them -----------------------------------
def test_notebook_style_solutions_pass() -> None:
    def init_std(fan_in, fan_out, scheme):
        if scheme == "glorot":
            return math.sqrt(2 / (fan_in + fan_out))
        return math.sqrt(2 / fan_in)

    def dead_fraction(activations):
        return np.mean(np.all(activations == 0, axis=0))

    def early_stopping(val_losses, patience):
        best, best_epoch, waited = float("inf"), 0, 0
        for epoch, loss in enumerate(val_losses, start=1):
            if loss < best:
                best, best_epoch, waited = loss, epoch, 0
            else:
                waited += 1
                if waited >= patience:
                    return best_epoch, epoch
        return best_epoch, len(val_losses)

    def precision_recall_f1(cm):
        (tn, fp), (fn, tp) = cm
        precision = tp / (tp + fp) if tp + fp > 0 else 0.0
        recall = tp / (tp + fn) if tp + fn > 0 else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
        return precision, recall, f1

    def class_weight(y):
        classes, counts = np.unique(y, return_counts=True)
        return {int(c): len(y) / (len(classes) * n) for c, n in zip(classes, counts, strict=True)}

    assert exercises.check_init_std(init_std)
    assert exercises.check_dead_fraction(dead_fraction)
    assert exercises.check_early_stopping(early_stopping)
    assert exercises.check_precision_recall_f1(precision_recall_f1)
    assert exercises.check_class_weight(class_weight)


# -- the references agree with the libraries ---------------------------------------------------
def test_init_std_reference_matches_keras_initializers() -> None:
    import keras

    shape = (300, 200)
    glorot = keras.initializers.GlorotNormal(seed=0)(shape).numpy().std()
    he = keras.initializers.HeNormal(seed=0)(shape).numpy().std()
    assert glorot == pytest.approx(gen.init_std_reference(300, 200, "glorot"), rel=0.02)
    assert he == pytest.approx(gen.init_std_reference(300, 200, "he"), rel=0.02)
    uniform = keras.initializers.GlorotUniform(seed=0)(shape).numpy().std()
    assert uniform == pytest.approx(gen.init_std_reference(300, 200, "glorot"), rel=0.02)


@pytest.mark.parametrize(("losses", "patience"), [
    ([1.0, 0.7, 0.52, 0.45, 0.43, 0.44, 0.47, 0.5, 0.55, 0.61], 3),
    ([0.8, 0.5, 0.5, 0.6, 0.7, 0.4], 2),
    ([0.9, 0.8, 0.7], 1),
    ([0.5, 0.6, 0.4, 0.7, 0.8], 0),
    ([0.5, 0.6, 0.4, 0.7, 0.8, 0.3], 1),
])
def test_early_stopping_reference_matches_keras(losses, patience) -> None:
    import keras

    class Model:  # just what EarlyStopping touches
        stop_training = False

        def get_weights(self):
            return []

        def set_weights(self, weights):
            pass

    callback = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience,
                                             restore_best_weights=True)
    callback.set_model(Model())
    callback.on_train_begin()
    trained = 0
    for epoch, loss in enumerate(losses):
        callback.on_epoch_end(epoch, {"val_loss": loss})
        trained = epoch + 1
        if callback.model.stop_training:
            break
    assert gen.early_stopping_reference(losses, patience) == (callback.best_epoch + 1, trained)


def test_precision_recall_f1_reference_matches_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    y_true = (rng.random(300) < 0.1).astype(int)
    y_pred = np.where(rng.random(300) < 0.8, y_true, 1 - y_true)
    p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average="binary")
    assert gen.precision_recall_f1_reference(confusion_matrix(y_true, y_pred)) == pytest.approx(
        (p, r, f))


def test_class_weight_reference_matches_scikit_learn() -> None:
    y = np.r_[np.zeros(70), np.ones(20), np.full(10, 2)].astype(int)
    expected = compute_class_weight("balanced", classes=np.unique(y), y=y)
    assert list(gen.class_weight_reference(y).values()) == pytest.approx(list(expected))


# -- check_init_std -----------------------------------------------------------------------------
@pytest.mark.parametrize(("wrong", "phrase"), [
    (lambda i, o, s: 2 / (i + o) if s == "glorot" else 2 / i, "variance"),
    (lambda i, o, s: math.sqrt(6 / (i + o)) if s == "glorot" else math.sqrt(2 / i), "limit"),
    (lambda i, o, s: math.sqrt(2 / (i + o)) if s == "glorot" else math.sqrt(1 / i), "LeCun"),
    (lambda i, o, s: math.sqrt(2 / (i + o)) if s == "glorot" else math.sqrt(2 / o),
     "He scales by fan_in"),
    (lambda i, o, s: math.sqrt(2 / i) if s == "glorot" else math.sqrt(2 / (i + o)), "branch"),
])
def test_init_std_slips_are_named(wrong, phrase) -> None:
    result = exercises.check_init_std(wrong)
    assert result.status == "wrong" and phrase in result.message, result.message
    assert "expected std =" in result.message


@pytest.mark.parametrize(("name", "case"), gen.INIT_STD_CASES)
def test_init_std_slips_differ_in_every_case(name, case) -> None:
    # each hint names one mistake: two slips with the same number would show the wrong hint
    # (in a 64 -> 32 layer He with fan_out equals GlorotUniform's limit)
    want = gen.init_std_reference(*case)
    values = [want] + [wrong() for wrong, _ in gen._init_std_slips(*case, want)]
    for i, a in enumerate(values):
        for b in values[i + 1:]:
            assert not math.isclose(a, b, rel_tol=1e-3), (name, values)


def test_init_std_he_with_fan_out_gets_the_fan_out_hint() -> None:
    def fan_out(fan_in, fan_out, scheme):
        return math.sqrt(2 / (fan_in + fan_out)) if scheme == "glorot" else math.sqrt(2 / fan_out)

    result = exercises.check_init_std(fan_out)
    assert "He scales by fan_in" in result.message and "limit" not in result.message


def test_init_std_exception_is_feedback() -> None:
    result = exercises.check_init_std(lambda i, o, s: {"he": 1}[s] / 0)
    assert result.status == "wrong" and "raised" in result.message


# -- check_dead_fraction ------------------------------------------------------------------------
@pytest.mark.parametrize(("wrong", "phrase"), [
    (lambda a: np.mean(a == 0), "zero *entries*"),
    (lambda a: np.mean(np.all(a <= 0, axis=1)), "axis=0"),
    (lambda a: np.sum(np.all(a <= 0, axis=0)), "number of dead units"),
    (lambda a: np.mean(np.any(a <= 0, axis=0)), "np.any"),
    (lambda a: 1 - np.mean(np.all(a <= 0, axis=0)), "live"),
])
def test_dead_fraction_slips_are_named(wrong, phrase) -> None:
    result = exercises.check_dead_fraction(wrong)
    assert result.status == "wrong" and phrase in result.message, result.message


def test_dead_fraction_in_place_change_is_caught() -> None:
    def in_place(a):
        a[a < 0] = 0
        a[:] = 0
        return 1.0

    result = exercises.check_dead_fraction(in_place)
    assert result.status == "wrong" and "in place" in result.message


# -- check_early_stopping -----------------------------------------------------------------------
def _zero_based(losses, patience):
    best, stop = gen.early_stopping_reference(losses, patience)
    return best - 1, stop - 1


def _stops_at_best(losses, patience):
    best, _ = gen.early_stopping_reference(losses, patience)
    return best, best


def _ties_count(losses, patience):
    return gen._early_stopping(losses, patience, strict=False)


def _never_stops(losses, patience):
    return int(np.argmin(losses)) + 1, len(losses)


@pytest.mark.parametrize(("wrong", "phrase"), [
    (_zero_based, "count epochs from 1"),
    (_stops_at_best, "waits `patience` more epochs"),
    (_ties_count, "a tie does not reset"),
    (_never_stops, "stops before the last epoch"),
    (lambda losses, p: tuple(reversed(gen.early_stopping_reference(losses, p))), "the order"),
])
def test_early_stopping_slips_are_named(wrong, phrase) -> None:
    result = exercises.check_early_stopping(wrong)
    assert result.status == "wrong" and phrase in result.message, result.message
    assert "expected (best_epoch, stopped_epoch)" in result.message


def test_early_stopping_one_number_is_reported() -> None:
    result = exercises.check_early_stopping(lambda losses, p: 5)
    assert result.status == "wrong" and "two numbers" in result.message


# -- check_precision_recall_f1 ------------------------------------------------------------------
def _swapped(cm):
    p, r, f = gen.precision_recall_f1_reference(cm)
    return r, p, f


def _arithmetic(cm):
    p, r, _ = gen.precision_recall_f1_reference(cm)
    return p, r, (p + r) / 2


def _no_zero_guard(cm):
    (tn, fp), (fn, tp) = np.asarray(cm, dtype=float)
    p, r = tp / (tp + fp), tp / (tp + fn)
    return p, r, 2 * p * r / (p + r)


def _negative_class(cm):
    (tn, fp), (fn, tp) = cm
    return tn / (tn + fn), tn / (tn + fp), 2 * tn / (2 * tn + fn + fp)


def _python_division(cm):
    (_tn, fp), (fn, tp) = (int(v) for v in cm[0]), (int(v) for v in cm[1])
    p = tp / (tp + fp)
    r = tp / (tp + fn)
    return p, r, 2 * p * r / (p + r)


@pytest.mark.parametrize(("wrong", "phrase"), [
    (_swapped, "swapped"), (_arithmetic, "harmonic"), (_no_zero_guard, "zero_division=0"),
    (_negative_class, "negative class"), (_python_division, "zero_division=0"),
])
def test_precision_recall_f1_slips_are_named(wrong, phrase) -> None:
    result = exercises.check_precision_recall_f1(wrong)
    assert result.status == "wrong" and phrase in result.message, result.message


# -- check_class_weight -------------------------------------------------------------------------
def _frequencies(y):
    classes, counts = np.unique(y, return_counts=True)
    return {int(c): n / len(y) for c, n in zip(classes, counts, strict=True)}


def _unscaled(y):
    classes, counts = np.unique(y, return_counts=True)
    return {int(c): 1 / n for c, n in zip(classes, counts, strict=True)}


@pytest.mark.parametrize(("wrong", "phrase"), [
    (_frequencies, "class frequencies"),
    (_unscaled, "right ratios"),
    (lambda y: list(gen.class_weight_reference(y).values()), "expected a dict"),
    (lambda y: {0: 1.0}, "one weight per class"),
])
def test_class_weight_slips_are_named(wrong, phrase) -> None:
    result = exercises.check_class_weight(wrong)
    assert result.status == "wrong" and phrase in result.message, result.message
