"""Checkers for chapters 08 and 09: a network that trains, then one that generalises.

Chapter 08 (initialisation, activations): the standard deviation Glorot and He
initialisation give a layer, and the fraction of dead ReLU units in a layer.
Chapter 09 (overfitting, imbalanced classes): the epochs EarlyStopping keeps and
stops at, precision/recall/F1 from a confusion matrix, and balanced class weights.

Each checker runs the learner's function on a few cases (one an edge case), says
which case failed with expected against got, and recognises the usual slips.
Taught in 08_initialization_activations_normalization and 09_overfitting_regularization.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from course_utils.exercises._core import Case, Feedback, call_learner, check_cases

__all__ = ["check_init_std", "check_dead_fraction", "check_early_stopping",
           "check_precision_recall_f1", "check_class_weight", "init_std_reference",
           "dead_fraction_reference", "early_stopping_reference",
           "precision_recall_f1_reference", "class_weight_reference"]


# -- 08, exercise 1: the standard deviation of Glorot and He -----------------------------
def init_std_reference(fan_in: int, fan_out: int, scheme: str) -> float:
    """Glorot: Var(w) = 2/(fan_in + fan_out); He: Var(w) = 2/fan_in. Returns the std."""
    if scheme == "glorot":
        return math.sqrt(2.0 / (fan_in + fan_out))
    if scheme == "he":
        return math.sqrt(2.0 / fan_in)
    raise ValueError(f"scheme must be 'glorot' or 'he', got {scheme!r}.")


def _init_std_slips(fan_in: int, fan_out: int, scheme: str, want: float) -> list:
    """The usual slips for one case, each with its hint (the first that matches is shown).

    Every hint names a different mistake, so the cases are chosen such that no two slips
    give the same number (a test checks it): in a 64 -> 32 layer, for example, He with
    fan_out, sqrt(2/32), equals GlorotUniform's limit sqrt(6/96), and a learner who used
    fan_out would be told about the limit instead.
    """
    other = "he" if scheme == "glorot" else "glorot"
    slips = [
        (lambda: want ** 2, "that is the variance; the standard deviation is its square "
                            "root."),
        (lambda: math.sqrt(6.0 / (fan_in + fan_out)),
         "sqrt(6/(fan_in + fan_out)) is the *limit* of GlorotUniform's U(−limit, limit); "
         "its standard deviation is limit/√3 = sqrt(2/(fan_in + fan_out))."),
        (lambda: math.sqrt(6.0 / fan_in), "sqrt(6/fan_in) is HeUniform's limit; the "
                                          "standard deviation is sqrt(2/fan_in)."),
        (lambda: math.sqrt(1.0 / fan_in), "sqrt(1/fan_in) is LeCun's initialisation; He "
                                          "doubles the variance to make up for the half of "
                                          "the units ReLU zeroes: sqrt(2/fan_in)."),
        (lambda: math.sqrt(1.0 / (fan_in + fan_out)), "Glorot's variance has a 2 on top: "
                                                      "2/(fan_in + fan_out)."),
    ]
    if scheme == "he":  # in a Glorot case sqrt(2/fan_out) is no He slip
        slips.append((lambda: math.sqrt(2.0 / fan_out), "He scales by fan_in (the number of "
                                                        "inputs summed into each unit), not "
                                                        "fan_out."))
    slips.append((lambda: init_std_reference(fan_in, fan_out, other),
                  f"that is the {other} value: check which branch `scheme` takes ('glorot' or "
                  f"'he')."))
    return slips


INIT_STD_CASES = (("He, a 64 → 16 layer", (64, 16, "he")),
                  ("Glorot, a 64 → 16 layer", (64, 16, "glorot")),
                  ("He, a 1000 → 10 layer (fan_out matters not)", (1000, 10, "he")),
                  ("Glorot, a 50 → 200 layer", (50, 200, "glorot")))


def check_init_std(fn: Callable[[int, int, str], float]) -> Feedback:
    """Check ``fn(fan_in, fan_out, scheme) -> std`` for ``scheme`` in ``"glorot"``, ``"he"``.

    The standard deviation each scheme gives the weights of a layer with
    ``fan_in`` inputs and ``fan_out`` outputs: Glorot (for tanh and layers
    without an activation) keeps the variance of activations *and* gradients, Var = 2/(fan_in +
    fan_out); He (for ReLU, which zeroes half its inputs) Var = 2/fan_in.
    """
    return check_cases(
        fn, INIT_STD_CASES, reference=init_std_reference, outputs=("std",), numbers=True,
        slips=lambda *case: _init_std_slips(*case, init_std_reference(*case)),
        hint="Glorot: std = sqrt(2 / (fan_in + fan_out)); He: std = sqrt(2 / fan_in); "
             "compare `scheme` with the strings 'glorot' and 'he'.",
        success="Glorot std = sqrt(2/(fan_in + fan_out)) and He std = sqrt(2/fan_in) in all 4 "
                "cases: the numbers keras.initializers.GlorotNormal and HeNormal aim for.",
    )


# -- 08, exercise 2: the fraction of dead ReLU units --------------------------------------
def dead_fraction_reference(activations: np.ndarray) -> float:
    """Share of units (columns) that output 0 for every example (row) of the batch."""
    a = np.asarray(activations, dtype=float)
    return float(np.mean(np.all(a <= 0, axis=0)))


def _dead_fraction_slips(acts: np.ndarray, want: float) -> list:
    return [
        (lambda: np.mean(acts == 0), "that is the share of zero *entries*; a unit is dead "
                                     "only if its whole column is 0 (np.all(..., axis=0))."),
        (lambda: np.mean(np.all(acts <= 0, axis=1)), "axis mix-up: rows are examples and "
                                                     "columns are units; use axis=0."),
        (lambda: np.sum(np.all(acts <= 0, axis=0)), "that is the number of dead units; "
                                                    "divide by the number of units."),
        (lambda: np.mean(np.any(acts <= 0, axis=0)), "np.any marks a unit dead if it is 0 "
                                                     "on one example; it must be 0 on all."),
        (lambda: 1 - want, "that is the share of *live* units."),
    ]


def check_dead_fraction(fn: Callable[[np.ndarray], float]) -> Feedback:
    """Check ``fn(activations) -> fraction``: activations are (examples, units) ReLU outputs.

    A unit is dead when it outputs 0 for *every* example: its gradient is 0 for
    every example too, so no update can bring it back.
    """
    rng = np.random.default_rng(8)
    mixed = np.maximum(rng.normal(size=(6, 8)), 0.0)
    mixed[:, [1, 4]] = 0.0  # two dead units; the others fire on some rows
    mixed[0, [0, 2]] = 0.0  # zeros in live units too
    mixed[3, :] = 0.0       # one example where nothing fires: no unit is dead because of it
    live = np.maximum(rng.normal(size=(5, 4)), 0.0)
    live[:, 0] = [0.0, 0.0, 0.0, 0.0, 0.3]  # zero on 4 of 5 examples: still alive
    cases = [("a (6, 8) batch with 2 dead units", mixed),
             ("a (5, 4) batch, no dead unit", live),
             ("all 3 units dead", np.zeros((4, 3))),
             ("one example, (1, 5)", np.array([[0.0, 1.2, 0.0, 0.4, 0.0]]))]
    return check_cases(
        fn, [(name, (acts,)) for name, acts in cases], reference=dead_fraction_reference,
        slips=lambda acts: _dead_fraction_slips(acts, dead_fraction_reference(acts)),
        hint="a unit is a column; it is dead if the whole column is 0: "
             "np.mean(np.all(activations <= 0, axis=0)).",
        in_place="your function changed the activations in place. Hint: compare without "
                 "assigning into the array.",
        success="a unit is dead when its whole column is zero; your fractions match in all 4 "
                "cases.",
        rtol=1e-9,
    )


# -- 09, exercise 1: what EarlyStopping keeps and when it stops ----------------------------
def early_stopping_reference(val_losses: Sequence[float], patience: int) -> tuple[int, int]:
    """(best_epoch, stopped_epoch), both counted from 1, as ``keras.callbacks.EarlyStopping``
    with ``monitor="val_loss"``, ``patience``, ``min_delta=0`` and ``restore_best_weights=True``.

    An epoch improves when its loss is strictly below the best so far (a tie does not
    count). Training stops at the end of the epoch that makes ``patience`` epochs in a
    row without improvement (at least one); ``stopped_epoch`` is the number of epochs
    trained (all of them if it never stops). The restored weights are those of ``best_epoch``.
    """
    return _early_stopping(val_losses, patience, strict=True)


def _early_stopping(val_losses: Sequence[float], patience: int, strict: bool) -> tuple[int, int]:
    best, best_epoch, wait = math.inf, 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        wait += 1
        if loss < best or (not strict and loss <= best):
            best, best_epoch, wait = loss, epoch, 0
            continue
        if wait >= patience and epoch > 1:
            return best_epoch, epoch
    return best_epoch, len(val_losses)


def _early_stopping_slips(losses: Sequence[float], patience: int,
                          want: tuple[int, int]) -> list:
    arr = np.asarray(losses)
    return [
        (lambda: (want[0] - 1, want[1] - 1), "count epochs from 1, as Keras prints them: "
                                             "the first epoch is epoch 1 (index 0 + 1)."),
        (lambda: (want[0] - 1, want[1]), "best_epoch is off by one: np.argmin gives an index "
                                         "from 0; add 1."),
        (lambda: (want[1], want[0]), "the order is (best_epoch, stopped_epoch)."),
        (lambda: (want[0], want[0]), "training does not stop at the best epoch: it waits "
                                     "`patience` more epochs for an improvement first."),
        (lambda: (want[0], min(len(arr), want[1] + 1)), "one epoch too late: it stops at the "
                                                        "end of the patience-th epoch "
                                                        "without improvement."),
        (lambda: (want[0], len(arr)), "with this curve EarlyStopping stops before the last "
                                      "epoch: stop when `patience` epochs in a row did not "
                                      "improve."),
        (lambda: _early_stopping(losses, patience, strict=False),
         "on a tie keep the *first* epoch: only a strictly lower loss is an improvement "
         "(use <, not <=), and a tie does not reset the patience count."),
        (lambda: (int(np.argmin(arr)) + 1, want[1]),
         "the best epoch must be one that was trained: take the lowest loss among the "
         "epochs up to the stop, not over the whole list."),
        (lambda: (int(np.argmax(arr)) + 1, want[1]), "the best validation *loss* is the "
                                                     "lowest one (argmin, not argmax)."),
    ]


def check_early_stopping(fn: Callable[[Sequence[float], int], tuple[int, int]]) -> Feedback:
    """Check ``fn(val_losses, patience) -> (best_epoch, stopped_epoch)``, epochs counted from 1."""
    cases = [
        ("a U-shaped curve, patience 3",
         [1.00, 0.70, 0.52, 0.45, 0.43, 0.44, 0.47, 0.50, 0.55, 0.61], 3),
        ("a late recovery inside the patience, patience 3",
         [0.90, 0.60, 0.55, 0.58, 0.57, 0.50, 0.52, 0.53, 0.56, 0.60], 3),
        ("still improving at the end, patience 2", [0.9, 0.8, 0.7, 0.65, 0.6], 2),
        ("a tie is not an improvement, patience 2", [0.8, 0.5, 0.5, 0.6, 0.7, 0.4], 2),
    ]
    return check_cases(
        fn, [Case(name, (losses, patience), detail=f"(val_loss {losses}, patience {patience})")
             for name, losses, patience in cases],
        reference=early_stopping_reference, outputs=("best_epoch", "stopped_epoch"),
        numbers=True, rtol=0.0, atol=0.0,
        slips=lambda losses, patience: _early_stopping_slips(
            losses, patience, early_stopping_reference(losses, patience)),
        hint="keep the best loss so far and its epoch (counted from 1); count the epochs since "
             "the last strict improvement and stop when that count reaches patience.",
        success="your epochs match keras.callbacks.EarlyStopping(restore_best_weights=True) in "
                "all 4 cases, the tie included.",
    )


# -- 09, exercise 2: precision, recall and F1 from a confusion matrix ---------------------
def precision_recall_f1_reference(cm: Any) -> tuple[float, float, float]:
    """From scikit-learn's ``confusion_matrix(y_true, y_pred)`` = [[TN, FP], [FN, TP]].

    precision = TP/(TP+FP), recall = TP/(TP+FN), F1 = 2PR/(P+R); a ratio with a zero
    denominator is 0 (scikit-learn's ``zero_division=0``).
    """
    (tn, fp), (fn, tp) = np.asarray(cm, dtype=float)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return float(precision), float(recall), float(f1)


def _precision_recall_slips(cm: np.ndarray, want: tuple[float, float, float]) -> list:
    (tn, fp), (fn_, tp) = cm.astype(float)
    p, r, _ = want
    nan = ("a 0/0 gave NaN. When nothing is predicted positive, tp + fp = 0: return 0 for "
           "precision (and then F1), as scikit-learn's zero_division=0 does.")
    return [
        (lambda: (math.nan, r, math.nan), nan),  # 0/0 in NumPy: NaN, which F1 inherits
        (lambda: (math.nan, r, 0.0), nan),       # ... or F1 guarded, precision not
        (lambda: (r, p, want[2]), "precision and recall are swapped: precision divides by "
                                  "the *predicted* positives (tp + fp, a column), recall by "
                                  "the *true* positives (tp + fn, a row)."),
        (lambda: (p, r, (p + r) / 2), "F1 is the *harmonic* mean, 2PR/(P+R), not (P+R)/2: it "
                                      "stays low when either one is low."),
        (lambda: (tn / (tn + fn_), tn / (tn + fp), 2 * tn / (2 * tn + fn_ + fp)),
         "those are the negative class's numbers; the positive class is label 1, "
         "tp = cm[1, 1]."),
    ]


def check_precision_recall_f1(fn: Callable[[np.ndarray], tuple[float, float, float]]
                              ) -> Feedback:
    """Check ``fn(cm) -> (precision, recall, f1)`` for the positive class (label 1).

    ``cm`` is laid out as scikit-learn's ``confusion_matrix`` returns it: rows are the
    true classes, columns the predicted ones, so ``cm = [[TN, FP], [FN, TP]]``.
    """
    cases = [
        ("a typical classifier", np.array([[373, 6], [15, 6]])),
        ("many false alarms", np.array([[324, 55], [6, 15]])),
        ("perfect", np.array([[90, 0], [0, 10]])),
        ("always predicts negative (no positive predictions)", np.array([[95, 0], [5, 0]])),
    ]
    zero_division = ("When nothing is predicted positive, tp + fp = 0: return 0 for precision "
                     "(and F1), as scikit-learn's zero_division=0 does.")
    return check_cases(
        fn, [Case(name, (cm,), detail=f"(cm = {cm.tolist()})") for name, cm in cases],
        reference=precision_recall_f1_reference, outputs=("precision", "recall", "f1"),
        numbers=True, atol=1e-9,
        slips=lambda cm: _precision_recall_slips(cm, precision_recall_f1_reference(cm)),
        hint="with (tn, fp), (fn, tp) = cm: precision = tp/(tp+fp), recall = tp/(tp+fn), "
             "F1 = 2·precision·recall/(precision + recall).",
        error_hints={ZeroDivisionError: zero_division},
        success="precision, recall and F1 match scikit-learn's in all 4 cases, the classifier "
                "that never predicts positive included (all three 0).",
    )


# -- 09, exercise 3: balanced class weights -------------------------------------------------
def class_weight_reference(y: Any) -> dict[int, float]:
    """scikit-learn's ``"balanced"`` weights: w_c = n / (k · n_c) for k classes."""
    y = np.asarray(y).astype(int)
    classes, counts = np.unique(y, return_counts=True)
    return {int(c): float(len(y) / (len(classes) * n)) for c, n in zip(classes, counts,
                                                                       strict=True)}


def check_class_weight(fn: Callable[[np.ndarray], Mapping[int, float]]) -> Feedback:
    """Check ``fn(y) -> {class: weight}``, the ``class_weight=`` dict for ``model.fit``.

    Balanced weights make every class contribute the same total weight to the loss,
    and keep the average weight over the samples at 1 (so the learning rate keeps
    its meaning): w_c = n / (k · n_c).
    """
    if not callable(fn):
        return Feedback("wrong", f"expected a function, got {type(fn).__name__}.")
    cases = [
        ("95 negatives, 5 positives", np.r_[np.zeros(95), np.ones(5)].astype(int)),
        ("three classes 60/30/10", np.r_[np.zeros(60), np.ones(30), np.full(10, 2)].astype(int)),
        ("already balanced", np.tile([0, 1], 20)),
    ]
    hint = ("count each class (np.unique(y, return_counts=True)) and give class c the weight "
            "n / (number_of_classes · n_c).")
    for name, y in cases:
        got, problem = call_learner(fn, (y.copy(),), name, hint)
        if problem is not None:
            return problem
        want = class_weight_reference(y)
        if not isinstance(got, Mapping):
            return Feedback("wrong", f"case '{name}': expected a dict {{class: weight}}, got "
                            f"{type(got).__name__}. Hint: Keras's fit(class_weight=...) takes a "
                            "dict such as {0: 0.53, 1: 10.0}.")
        try:
            keys = sorted(int(k) for k in got)
            values = {int(k): float(v) for k, v in got.items()}
        except (TypeError, ValueError):
            return Feedback("wrong", f"case '{name}': keys must be the class labels and values "
                            f"numbers, got {got!r}.")
        if keys != sorted(want):
            return Feedback("wrong", f"case '{name}': expected one weight per class "
                            f"{sorted(want)}, got keys {keys}.")
        if all(math.isclose(values[c], w, rel_tol=1e-6) for c, w in want.items()):
            continue
        shown = {c: round(values[c], 4) for c in keys}
        expected = {c: round(w, 4) for c, w in want.items()}
        counts = {c: int(np.sum(y == c)) for c in want}
        ratio_ok = all(math.isclose(values[c] * counts[c], values[keys[0]] * counts[keys[0]],
                                    rel_tol=1e-6) for c in keys)
        if ratio_ok:
            slip = ("your weights have the right ratios (each class gets the same total "
                    "weight) but the wrong scale: divide by the number of classes too, "
                    "w_c = n / (k · n_c), so that the average weight per sample is 1 and the "
                    "learning rate keeps its meaning.")
        elif all(math.isclose(values[c], counts[c] / len(y), rel_tol=1e-6) for c in keys):
            slip = ("those are the class frequencies; the weight is the inverse: rare classes "
                    "get *large* weights, n / (k · n_c).")
        else:
            slip = hint
        return Feedback("wrong", f"case '{name}': expected {expected}, got {shown}. Hint: {slip}")
    return Feedback("correct", "balanced class weights in all 3 cases: the same as "
                    "sklearn.utils.class_weight.compute_class_weight('balanced', ...).")
