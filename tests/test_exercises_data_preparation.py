"""Checkers of chapters 06 and 07: solutions pass, stubs are "not attempted", slips are named."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_utils import exercises
from course_utils.exercises import data_preparation as dp


def _stub(*_args):
    return None


# -- every checker: the solution passes, a stub is "not attempted" -----------------------------
@pytest.mark.parametrize(("checker", "solution"), [
    (exercises.check_standardize, dp.reference_standardize),
    (exercises.check_normalization_stats, dp.reference_normalization_stats),
    (exercises.check_pad_or_truncate, dp.reference_pad_or_truncate),
    (exercises.check_rotation_factor, dp.reference_rotation_factor),
])
def test_solution_passes_and_stub_is_not_attempted(checker, solution) -> None:
    result = checker(solution)
    assert result and result.status == "correct", result.message
    assert checker(_stub).status == "not attempted"
    assert not checker(_stub)


def test_augmentation_choice_solution_and_stub() -> None:
    good = {"flip": "none", "rotation": 0.03, "zoom": 0.1, "translation": 0.125, "contrast": 0.2}
    result = exercises.check_augmentation_choice(good)
    assert result and "±10.8°" in result.message
    assert exercises.check_augmentation_choice(None).status == "not attempted"


# -- the worked solutions exactly as the notebooks write them ----------------------------------
def test_notebook_style_solutions_pass() -> None:
    def standardize(x_train, x_test):
        mean, std = x_train.mean(axis=0), x_train.std(axis=0)
        return (x_train - mean) / std, (x_test - mean) / std

    def normalization_stats(x):
        axes = tuple(range(x.ndim - 1))
        return x.mean(axis=axes), x.var(axis=axes)

    def pad_or_truncate(sequences, length):
        out = np.zeros((len(sequences), length), dtype=int)
        for i, seq in enumerate(sequences):
            kept = seq[:length]
            out[i, :len(kept)] = kept
        return out

    assert exercises.check_standardize(standardize)
    assert exercises.check_normalization_stats(normalization_stats)
    assert exercises.check_pad_or_truncate(pad_or_truncate)
    assert exercises.check_rotation_factor(lambda degrees: degrees / 360)


# -- the references are what Keras computes --------------------------------------------------------
def test_references_match_keras() -> None:
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    for x in (rng.normal(size=(30, 4)) * [1, 10, 100, 1000], rng.uniform(size=(7, 5, 5, 3))):
        layer = keras.layers.Normalization(axis=-1)
        layer.adapt(x.astype("float32"))
        mean, var = dp.reference_normalization_stats(x)
        np.testing.assert_allclose(np.asarray(layer.mean).ravel(), mean, rtol=1e-5)
        np.testing.assert_allclose(np.asarray(layer.variance).ravel(), var, rtol=1e-4)
        if x.ndim == 2:
            scaled, _ = dp.reference_standardize(x, x[:3])
            np.testing.assert_allclose(np.asarray(layer(x.astype("float32"))), scaled,
                                       rtol=1e-4, atol=1e-4)
    vectorize = keras.layers.TextVectorization(output_sequence_length=4)
    vectorize.adapt(["a b c d e f", "a b", "c"])
    ids = np.asarray(vectorize(["a b c d e f", "b", "c a"]))
    vocab = vectorize.get_vocabulary()
    seqs = [[vocab.index(w) for w in s.split()] for s in ("a b c d e f", "b", "c a")]
    np.testing.assert_array_equal(ids, dp.reference_pad_or_truncate(seqs, 4))


# -- check_standardize --------------------------------------------------------------------------
def _own_stats(x_train, x_test):
    return ((x_train - x_train.mean(0)) / x_train.std(0),
            (x_test - x_test.mean(0)) / x_test.std(0))


def _all_data(x_train, x_test):
    both = np.concatenate([x_train, x_test])
    return (x_train - both.mean(0)) / both.std(0), (x_test - both.mean(0)) / both.std(0)


def _sample_std(x_train, x_test):
    m, s = x_train.mean(0), x_train.std(0, ddof=1)
    return (x_train - m) / s, (x_test - m) / s


def _global_stats(x_train, x_test):
    m, s = x_train.mean(), x_train.std()
    return (x_train - m) / s, (x_test - m) / s


def _by_variance(x_train, x_test):
    m, v = x_train.mean(0), x_train.var(0)
    return (x_train - m) / v, (x_test - m) / v


def _centred_only(x_train, x_test):
    m = x_train.mean(0)
    return x_train - m, x_test - m


def _in_place(x_train, x_test):
    m, s = x_train.mean(0), x_train.std(0)
    x_train -= m
    x_train /= s
    return x_train, (x_test - m) / s


@pytest.mark.parametrize(("wrong", "phrase"), [
    (_own_stats, "its own mean and std"),
    (_all_data, "leaks the test set"),
    (_sample_std, "ddof=1"),
    (_global_stats, "axis=0"),
    (_by_variance, "divided by the variance"),
    (_centred_only, "not divided by their std"),
    (_in_place, "changed the arrays"),
])
def test_standardize_slips_are_named(wrong, phrase) -> None:
    result = exercises.check_standardize(wrong)
    assert result.status == "wrong" and phrase in result.message, result.message
    if wrong is not _in_place:
        assert "expected" in result.message and "got" in result.message


def test_standardize_wrong_return_type_and_exception() -> None:
    one = exercises.check_standardize(lambda a, b: a)
    assert one.status == "wrong" and "return two arrays" in one.message
    boom = exercises.check_standardize(lambda a, b: (a, b[99]))
    assert boom.status == "wrong" and "raised IndexError" in boom.message


# -- check_normalization_stats --------------------------------------------------------------------
def _per_pixel(x):
    return x.mean(axis=0), x.var(axis=0)


def _sample_variance(x):
    axes = tuple(range(x.ndim - 1))
    return x.mean(axis=axes), x.var(axis=axes, ddof=1)


def _std_not_var(x):
    axes = tuple(range(x.ndim - 1))
    return x.mean(axis=axes), x.std(axis=axes)


def _scalar(x):
    return np.array([x.mean()]), np.array([x.var()])


@pytest.mark.parametrize(("wrong", "phrase"), [
    (_per_pixel, "one value per pixel"),
    (_sample_variance, "sample variance"),
    (_std_not_var, "standard deviation"),
    (_scalar, "one mean per feature"),
])
def test_normalization_stats_slips_are_named(wrong, phrase) -> None:
    result = exercises.check_normalization_stats(wrong)
    assert result.status == "wrong" and phrase in result.message, result.message


def test_normalization_stats_per_pixel_passes_the_table_but_fails_on_images() -> None:
    result = exercises.check_normalization_stats(_per_pixel)
    assert "colour images" in result.message


def test_normalization_stats_keepdims_shape_is_accepted() -> None:
    def keepdims(x):
        axes = tuple(range(x.ndim - 1))
        return x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)

    assert exercises.check_normalization_stats(keepdims)


# -- check_pad_or_truncate --------------------------------------------------------------------------
def _pre_pad(seqs, n):
    keras_like = np.zeros((len(seqs), n), dtype=int)
    for i, s in enumerate(seqs):
        kept = s[:n]
        if kept:
            keras_like[i, n - len(kept):] = kept
    return keras_like


def _pad_sequences_default(seqs, n):
    out = np.zeros((len(seqs), n), dtype=int)
    for i, s in enumerate(seqs):
        kept = s[-n:] if s else []
        if kept:
            out[i, n - len(kept):] = kept
    return out


def _keeps_last(seqs, n):
    return dp.reference_pad_or_truncate([s[-n:] if s else [] for s in seqs], n)


def _ragged(seqs, n):
    return [s[:n] for s in seqs]


@pytest.mark.parametrize(("wrong", "phrase"), [
    (_pre_pad, "zeros went in front"),
    (_pad_sequences_default, "pad_sequences's default"),
    (_keeps_last, "kept the last ids"),
    (_ragged, "expected an array of shape"),
])
def test_pad_or_truncate_slips_are_named(wrong, phrase) -> None:
    result = exercises.check_pad_or_truncate(wrong)
    assert result.status == "wrong" and phrase in result.message, result.message


def test_pad_sequences_default_really_is_pre() -> None:
    keras = pytest.importorskip("keras")
    seqs = [[1, 2, 3, 4, 5, 6], [7]]
    np.testing.assert_array_equal(keras.utils.pad_sequences(seqs, maxlen=4),
                                  _pad_sequences_default(seqs, 4))


# -- check_augmentation_choice ---------------------------------------------------------------------
GOOD = {"flip": "none", "rotation": 0.03, "zoom": 0.1, "translation": 0.1, "contrast": 0.2}


@pytest.mark.parametrize(("change", "phrase"), [
    ({"flip": "horizontal"}, "6 into a 9"),
    ({"flip": "horizontal_and_vertical"}, "changes what a digit means"),
    ({"rotation": 15}, "not degrees: 15° would be factor 0.042"),
    ({"rotation": 0.5}, "a 6 turned far enough reads as a 9"),
    ({"translation": 0.4}, "3.2 pixels"),
    ({"zoom": 0.5}, "zooming by ±50%"),
    ({"contrast": 0.9}, "contrast factor"),
    ({"zoom": -0.1}, "positive number"),
    ({"rotation": float("nan")}, "must be a number"),
    ({"rotation": 0, "zoom": 0, "translation": 0, "contrast": 0}, "no augmentation"),
])
def test_augmentation_choice_names_the_problem(change, phrase) -> None:
    result = exercises.check_augmentation_choice({**GOOD, **change})
    assert result.status == "wrong" and phrase in result.message, result.message


def test_augmentation_choice_keys_and_type() -> None:
    missing = exercises.check_augmentation_choice({"flip": "none", "rotation": 0.02})
    assert missing.status == "wrong" and "missing ['contrast', 'translation', 'zoom']" in missing.message
    assert exercises.check_augmentation_choice([0.1]).status == "wrong"
    assert exercises.check_augmentation_choice({**GOOD, "flip": None})


# -- check_rotation_factor ------------------------------------------------------------------------
@pytest.mark.parametrize(("wrong", "phrase"), [
    (math.radians, "radians"),
    (lambda d: d / 180, "not 180°"),
    (lambda d: d, "not in degrees"),
    (lambda d: d / 100, "quarter turn"),
])
def test_rotation_factor_slips_are_named(wrong, phrase) -> None:
    result = exercises.check_rotation_factor(wrong)
    assert result.status == "wrong" and phrase in result.message, result.message
    assert "expected 0.1, got" in result.message


def test_rotation_factor_matches_keras_docs() -> None:
    # keras.layers.RandomRotation: "factor ... fraction of 2 Pi"; 0.25 = a quarter turn
    assert dp.reference_rotation_factor(90) == pytest.approx(0.25)
    assert dp.reference_rotation_factor(360) == pytest.approx(1.0)
