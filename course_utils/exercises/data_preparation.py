"""Checkers for chapters 06 (data preprocessing) and 07 (data augmentation).

Each ``check_*`` runs the learner's function (or reads the learner's numbers) on a
few cases and returns a ``Feedback`` that names the failing case, shows expected vs
got and hints at the usual slip. The reference answers are the ``reference_*``
functions below; the worked solutions at the end of each notebook restate them.
Nothing here imports Keras: the references reproduce what Keras computes, and
the tests compare them with Keras.

Taught in 06_data_preprocessing (``check_standardize``, ``check_normalization_stats``,
``check_pad_or_truncate``) and 07_data_augmentation (``check_augmentation_choice``,
``check_rotation_factor``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from course_utils.exercises._core import Feedback, call_learner, check_cases

__all__ = [
    "check_standardize",
    "check_normalization_stats",
    "check_pad_or_truncate",
    "check_augmentation_choice",
    "check_rotation_factor",
    "reference_standardize",
    "reference_normalization_stats",
    "reference_pad_or_truncate",
    "reference_rotation_factor",
    "AUGMENTATION_LIMITS",
]


def _close(a: Any, b: Any, rtol: float = 1e-5, atol: float = 1e-6) -> bool:
    try:
        a_arr, b_arr = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return a_arr.shape == b_arr.shape and bool(np.allclose(a_arr, b_arr, rtol=rtol, atol=atol))


# -- 06: standardise with the training statistics --------------------------------------------
def reference_standardize(x_train: np.ndarray, x_test: np.ndarray
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Scale both splits with the training split's mean and population std, column by column.

    ``z = (x − mean_train) / std_train`` with ``std = np.std(x_train, axis=0)``
    (ddof = 0, what ``keras.layers.Normalization`` and ``StandardScaler`` use).
    """
    x_train = np.asarray(x_train, dtype=float)
    x_test = np.asarray(x_test, dtype=float)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    return (x_train - mean) / std, (x_test - mean) / std


def _standardize_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(6)
    x_train = rng.normal([50.0, 0.5, 3000.0], [10.0, 0.1, 800.0], size=(12, 3))
    # the test split comes from a slightly different place: its own mean/std would hide that
    x_test = rng.normal([58.0, 0.45, 3500.0], [14.0, 0.12, 600.0], size=(5, 3))
    return x_train, x_test


def check_standardize(fn: Callable[[np.ndarray, np.ndarray], Any]) -> Feedback:
    """``fn(x_train, x_test)`` must return both splits standardised with the training statistics."""
    x_train, x_test = _standardize_data()
    originals = (x_train.copy(), x_test.copy())
    try:
        got = fn(x_train, x_test)
    except Exception as err:
        return Feedback("wrong", f"your function raised {type(err).__name__}: {err}. Hint: compute "
                        "mean = x_train.mean(axis=0) and std = x_train.std(axis=0), then apply "
                        "(x - mean) / std to both splits.")
    if got is None:
        return Feedback("not attempted", "the function returns None: fill in its body.")
    if not isinstance(got, tuple | list) or len(got) != 2:
        return Feedback("wrong", "return two arrays, (x_train_scaled, x_test_scaled), got "
                        f"{type(got).__name__}.")
    if not (np.array_equal(x_train, originals[0]) and np.array_equal(x_test, originals[1])):
        return Feedback("wrong", "your function changed the arrays it was given. Hint: return "
                        "new arrays ((x - mean) / std), do not update x in place with -= or /=.")
    got_train, got_test = got
    want_train, want_test = reference_standardize(x_train, x_test)
    if _close(got_train, want_train) and _close(got_test, want_test):
        return Feedback("correct", "one mean and one standard deviation per column, from the "
                        "training split only, applied to both splits: what "
                        "Normalization.adapt(x_train) and StandardScaler().fit(x_train) do.")
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    std1 = x_train.std(axis=0, ddof=1)
    both = np.concatenate([x_train, x_test])
    slips = [
        ((x_test - x_test.mean(0)) / x_test.std(0), "test",
         "the test split was scaled with its own mean and std. Use the training split's "
         "statistics for every split: the model learned in those units, and the test set "
         "stands for data you have not seen yet."),
        ((x_test - both.mean(0)) / both.std(0), "test",
         "the statistics came from training and test data together: that leaks the test set "
         "into the preprocessing. Compute them on x_train only."),
        ((x_test - mean) / std1, "test",
         "you divided by the sample standard deviation (ddof=1). Keras's Normalization and "
         "scikit-learn's StandardScaler use the population one: np.std's default, ddof=0."),
        ((x_test - mean) / std**2, "test",
         "you divided by the variance; divide by the standard deviation, its square root."),
        (x_test - mean, "test", "the columns were centred but not divided by their std."),
        ((x_test - x_train.mean()) / x_train.std(), "test",
         "one mean and one std for the whole array mixes columns of very different scales: "
         "use axis=0 to get one per column (feature)."),
    ]
    for candidate, _, hint in slips:
        if _close(got_test, candidate):
            return Feedback("wrong", f"x_test_scaled: expected {np.round(want_test[0], 4).tolist()} "
                            f"in the first row, got {np.round(np.asarray(got_test)[0], 4).tolist()}. "
                            f"Hint: {hint}")
    if not _close(got_train, want_train):
        if _close(got_train, (x_train - mean) / std1):
            hint = slips[2][2]
        elif np.shape(got_train) != want_train.shape:
            hint = "keep the shape: one row per sample, one column per feature."
        else:
            hint = "(x_train - mean) / std with mean and std over axis=0 of x_train."
        return Feedback("wrong", "x_train_scaled: expected first row "
                        f"{np.round(want_train[0], 4).tolist()}, got {_first_row(got_train)}. "
                        f"Hint: {hint}")
    return Feedback("wrong", f"x_test_scaled: expected first row {np.round(want_test[0], 4).tolist()}, "
                    f"got {_first_row(got_test)}. Hint: apply the training mean and std to "
                    "x_test as well.")


def _first_row(x: Any) -> Any:
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        return repr(x)[:60]
    return np.round(arr[0], 4).tolist() if arr.ndim >= 1 and len(arr) else arr.tolist()


# -- 06: what Normalization.adapt computes -------------------------------------------------------
def reference_normalization_stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance per feature (the last axis), over every other axis, like
    ``keras.layers.Normalization(axis=-1).adapt(x)``: population variance (ddof = 0)."""
    x = np.asarray(x, dtype=float)
    axes = tuple(range(x.ndim - 1))
    return x.mean(axis=axes), x.var(axis=axes)


def check_normalization_stats(fn: Callable[[np.ndarray], Any]) -> Feedback:
    """``fn(x)`` must return ``(mean, variance)``, one value per feature (the last axis)."""
    rng = np.random.default_rng(3)
    cases = [
        ("a table, 20 rows x 3 features", rng.normal([1.0, -5.0, 200.0], [0.5, 2.0, 40.0],
                                                     size=(20, 3))),
        ("colour images (10, 4, 4, 3): one mean per channel",
         rng.uniform(size=(10, 4, 4, 3)) * np.array([1.0, 0.5, 0.2])),
        ("grey images (6, 8, 8, 1)", rng.uniform(size=(6, 8, 8, 1))),
    ]
    for name, x in cases:
        want_mean, want_var = reference_normalization_stats(x)
        got, problem = call_learner(fn, (x.copy(),), name, "average over every axis except "
                                    "the last: axis=tuple(range(x.ndim - 1)).")
        if problem is not None:
            return problem
        if not isinstance(got, tuple | list) or len(got) != 2:
            return Feedback("wrong", f"case '{name}': return two arrays, (mean, variance), got "
                            f"{type(got).__name__}.")
        try:
            got_mean = np.asarray(got[0], dtype=float)
            got_var = np.asarray(got[1], dtype=float)
        except (TypeError, ValueError):
            return Feedback("wrong", f"case '{name}': mean and variance must be arrays of numbers.")
        features = x.shape[-1]
        if got_mean.size != features or got_var.size != features:
            if got_mean.size == np.prod(x.shape[1:]):
                hint = ("you averaged over the samples only (axis=0), which gives one value per "
                        "pixel and channel. Normalization(axis=-1) keeps only the last axis: "
                        "average over samples, height and width.")
            elif got_mean.size == 1:
                hint = "one number for the whole array: Keras keeps one mean per feature."
            else:
                hint = "average over every axis except the last."
            return Feedback("wrong", f"case '{name}': expected {features} means and {features} "
                            f"variances (one per feature), got shapes {got_mean.shape} and "
                            f"{got_var.shape}. Hint: {hint}")
        got_mean, got_var = got_mean.reshape(-1), got_var.reshape(-1)
        if not _close(got_mean, want_mean):
            return Feedback("wrong", f"case '{name}': expected mean {np.round(want_mean, 5).tolist()}, "
                            f"got {np.round(got_mean, 5).tolist()}. Hint: the mean of each feature "
                            "over all the other axes.")
        if _close(got_var, want_var):
            continue
        axes = tuple(range(x.ndim - 1))
        n = int(np.prod([x.shape[a] for a in axes]))
        if _close(got_var, x.var(axis=axes, ddof=1)):
            hint = (f"that is the sample variance (divided by n − 1 = {n - 1}); Keras divides by "
                    f"n = {n} (ddof=0, NumPy's default).")
        elif _close(got_var, np.sqrt(want_var)):
            hint = "that is the standard deviation; Keras stores the variance (its square)."
        else:
            hint = "the variance is the mean of (x − mean)² per feature."
        return Feedback("wrong", f"case '{name}': expected variance {np.round(want_var, 5).tolist()}, "
                        f"got {np.round(got_var, 5).tolist()}. Hint: {hint}")
    return Feedback("correct", "one mean and one (population) variance per feature, over every "
                    "other axis: the numbers Normalization.adapt stores in layer.mean and "
                    "layer.variance.")


# -- 06: pad and truncate like TextVectorization(output_sequence_length=...) ----------------------
def reference_pad_or_truncate(sequences: list[list[int]], length: int) -> np.ndarray:
    """Cut each sequence to its first ``length`` ids, pad it with 0 at the end: shape (n, length)."""
    out = np.zeros((len(sequences), length), dtype="int64")
    for i, seq in enumerate(sequences):
        kept = list(seq)[:length]
        out[i, :len(kept)] = kept
    return out


def check_pad_or_truncate(fn: Callable[[list[list[int]], int], Any]) -> Feedback:
    """``fn(sequences, length)`` must pad with 0 at the end and keep the first ``length`` ids."""
    cases = [
        ("short and long sentences, length 4", ([[5, 2, 9], [7, 3, 3, 8, 6, 4], [2]], 4)),
        ("one sentence longer than length 3", ([[4, 8, 15, 16, 23, 42]], 3)),
        ("an empty sentence, length 2", ([[], [9, 9]], 2)),
    ]
    for name, (seqs, length) in cases:
        want = reference_pad_or_truncate(seqs, length)
        got, problem = call_learner(fn, ([list(s) for s in seqs], length), name,
                                    "start from np.zeros((len(sequences), length), dtype=int) "
                                    "and copy seq[:length] into the start of each row.")
        if problem is not None:
            return problem
        try:
            got_arr = np.asarray(got)
        except (TypeError, ValueError):
            got_arr = np.array([])
        if got_arr.shape != want.shape:
            return Feedback("wrong", f"case '{name}': expected an array of shape {want.shape} "
                            f"(one row per sentence, {length} ids each), got shape "
                            f"{got_arr.shape}. Hint: every row has exactly `length` entries.")
        if np.array_equal(got_arr, want):
            continue
        front_first = np.zeros_like(want)  # zeros in front, first ids kept
        front_last = np.zeros_like(want)  # zeros in front, last ids kept: pad_sequences' default
        for i, seq in enumerate(seqs):
            first, last = list(seq)[:length], list(seq)[-length:] if seq else []
            front_first[i, length - len(first):] = first
            front_last[i, length - len(last):] = last
        back_last = reference_pad_or_truncate([list(s)[-length:] for s in seqs], length)
        if np.array_equal(got_arr, front_last):
            hint = ("that is keras.utils.pad_sequences's default (padding='pre', truncating='pre'): "
                    "zeros in front, the last ids kept. TextVectorization does the opposite on "
                    "both counts: zeros at the end, the first ids kept.")
        elif np.array_equal(got_arr, front_first):
            hint = ("the zeros went in front. TextVectorization pads at the end (keras.utils."
                    "pad_sequences pads in front by default: the two differ).")
        elif np.array_equal(got_arr, back_last):
            hint = ("you kept the last ids; TextVectorization keeps the first `length` tokens and "
                    "drops the end of a long sentence.")
        else:
            hint = "row i is sequences[i][:length] followed by zeros."
        return Feedback("wrong", f"case '{name}': expected {want.tolist()}, got "
                        f"{got_arr.tolist()}. Hint: {hint}")
    return Feedback("correct", "keep the first ids, pad with 0 at the end: what "
                    "TextVectorization(output_sequence_length=...) returns.")


# -- 07: augmentation strengths that keep a digit a digit ----------------------------------------
AUGMENTATION_LIMITS = {"rotation": 0.06, "zoom": 0.2, "translation": 0.15, "contrast": 0.5}
"""Upper limits for ``check_augmentation_choice`` on the 8x8 digits: rotation in turns
(0.06 turn = ±21.6°), zoom and translation as fractions of the image size (0.15 of 8
pixels is 1.2 pixels), contrast as the ± factor of ``RandomContrast``."""

_FLIP_NONE = {None, "none", "", False}


def check_augmentation_choice(params: Mapping[str, Any] | None) -> Feedback:
    """Are these strengths safe for digits? Keys: flip, rotation, zoom, translation, contrast."""
    if params is None:
        return Feedback("not attempted", "fill in the dictionary of augmentation strengths (it "
                        "is still None).")
    if not isinstance(params, Mapping):
        return Feedback("wrong", f"give a dict such as {{'flip': 'none', 'rotation': 0.03, ...}}, "
                        f"got {type(params).__name__}.")
    keys = {"flip", *AUGMENTATION_LIMITS}
    missing, extra = keys - set(params), set(params) - keys
    if missing or extra:
        return Feedback("wrong", f"the dict needs exactly the keys {sorted(keys)}; missing "
                        f"{sorted(missing)}, unexpected {sorted(extra)}.")
    flip = params["flip"]
    if flip not in _FLIP_NONE:
        return Feedback("wrong", f"flip = {flip!r}: flipping changes what a digit means. A "
                        "left-right mirror of a 2, 3, 4, 5 or 7 is not a digit at all (or looks "
                        "like another symbol), and flipping both ways turns a 6 into a 9. Hint: "
                        "use 'none'; flips suit photos of cats, not characters.")
    for name, limit in AUGMENTATION_LIMITS.items():
        value = params[name]
        if isinstance(value, bool) or not isinstance(value, int | float | np.number) or not (
                math.isfinite(value)):
            return Feedback("wrong", f"{name} must be a number, got {value!r}.")
        if value < 0:
            return Feedback("wrong", f"{name} = {value}: give the strength as a positive number; "
                            "Keras draws from [−factor, +factor] itself.")
        if value > limit:
            if name == "rotation" and value >= 1:
                hint = (f"Keras's RandomRotation takes a fraction of a full turn (2π), not "
                        f"degrees: {value:g}° would be factor {value / 360:.3f}.")
            elif name == "rotation":
                hint = (f"factor {value:g} turns a digit by up to ±{360 * value:.0f}°: a 6 turned "
                        "far enough reads as a 9, and a 1 as a 7. Stay within about ±20°.")
            elif name == "translation":
                hint = (f"on 8 pixels, {value:g} is a shift of up to {8 * value:.1f} pixels: "
                        "strokes slide off the edge. Keep it to about one pixel.")
            elif name == "zoom":
                hint = (f"zooming by ±{100 * value:.0f}% on an 8x8 image cuts strokes off or "
                        "shrinks the digit to a few pixels.")
            else:
                hint = (f"a contrast factor of {value:g} can flatten a faint digit to nearly "
                        "one grey level.")
            return Feedback("wrong", f"{name} = {value:g} is above {limit:g}. Hint: {hint}")
    if not any(params[name] > 0 for name in AUGMENTATION_LIMITS):
        return Feedback("wrong", "every strength is 0: that is no augmentation at all. Hint: "
                        "pick a small rotation or a one-pixel shift.")
    degrees = 360 * params["rotation"]
    return Feedback("correct", f"no flip, rotation up to ±{degrees:.1f}°, zoom ±"
                    f"{100 * params['zoom']:.0f}%, shift up to {8 * params['translation']:.2g} "
                    "pixels, mild contrast: every augmented digit still reads as itself.")


# -- 07: a rotation in Keras's units ------------------------------------------------------------
def reference_rotation_factor(degrees: float) -> float:
    """The ``RandomRotation`` factor for ±``degrees``: a fraction of a full turn, degrees/360."""
    return degrees / 360.0


def check_rotation_factor(fn: Callable[[float], Any]) -> Feedback:
    """``fn(degrees)`` must return the ``RandomRotation`` factor (fraction of 2π) for ±degrees."""
    cases = [("±36°", (36.0,)), ("±90° (a quarter turn)", (90.0,)), ("±10°", (10.0,))]
    slips = [
        (math.radians, "that is the angle in radians. Keras's factor is a fraction of a full "
                       "turn (2π radians): divide the radians by 2π, or the degrees by 360."),
        (lambda deg: deg / 180, "a full turn is 360°, not 180°."),
        (lambda deg: deg, "the factor is not in degrees: divide by 360."),
    ]
    return check_cases(
        fn, cases, reference=reference_rotation_factor, slips=slips, atol=1e-9,
        hint="factor = degrees / 360 (0.25 is a quarter turn).",
        error_hints={Exception: "a full turn is 360°."},
        success="degrees / 360: RandomRotation(0.25) turns by up to ±90°, RandomRotation(10 / 360) "
                "by up to ±10°.",
    )
