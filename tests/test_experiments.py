"""course_utils.experiments: calibrated statistics over seeds, and train_seeds against Keras."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pytest
from scipy import stats

from course_utils import experiments

matplotlib.use("Agg")


# -- summary -------------------------------------------------------------------------------
def test_summary_matches_the_t_interval() -> None:
    scores = [0.95, 0.96, 0.97, 0.94, 0.98]
    s = experiments.summary(scores)
    low, high = stats.t.interval(0.95, 4, loc=np.mean(scores), scale=stats.sem(scores))
    assert s.n == 5 and math.isclose(s.mean, 0.96)
    assert math.isclose(s.std, np.std(scores, ddof=1))
    assert math.isclose(s.low, low) and math.isclose(s.high, high)
    assert (s.min, s.max, s.median) == (0.94, 0.98, 0.96)
    assert "95% CI" in str(s) and "n=5" in str(s)


def test_summary_accepts_a_seed_dict_and_other_levels() -> None:
    s90 = experiments.summary({0: 1.0, 1: 2.0, 2: 3.0}, level=0.9)
    s99 = experiments.summary([1.0, 2.0, 3.0], level=0.99)
    assert s90.high - s90.low < s99.high - s99.low


def test_summary_reports_a_diverged_seed_instead_of_averaging_it_away() -> None:
    s = experiments.summary([0.1, 0.2, float("nan"), 0.15, float("inf")])
    assert s.diverged == 2 and s.n == 5
    assert math.isnan(s.mean) and math.isnan(s.low)
    assert (s.min, s.max) == (0.1, 0.2)
    assert "2 of 5 seeds diverged" in str(s)


@pytest.mark.parametrize("bad, match", [
    ([0.9], "at least 2"),
    ([[0.9, 0.8], [0.7, 0.6]], "1-D"),
    (["a", "b"], "numbers"),
])
def test_summary_rejects_bad_input(bad, match) -> None:
    with pytest.raises(ValueError, match=match):
        experiments.summary(bad)


def test_summary_rejects_a_bad_level() -> None:
    with pytest.raises(ValueError, match="confidence level"):
        experiments.summary([1.0, 2.0], level=95)


# -- paired differences ----------------------------------------------------------------------
def _false_real_rate(draw, trials: int = 600, n: int = 5) -> float:
    rng = np.random.default_rng(0)
    hits = 0
    for _ in range(trials):
        a, b = draw(rng, n), draw(rng, n)
        hits += experiments.paired_difference(a, b).real
    return hits / trials


def test_paired_difference_is_calibrated_on_identical_normal_distributions() -> None:
    rate = _false_real_rate(lambda rng, n: rng.normal(0.96, 0.01, n))
    # 600 trials at p = 0.05: standard error 0.009, so 0.02-0.08 is a wide, safe band
    assert 0.02 <= rate <= 0.08, rate


def test_paired_difference_is_calibrated_on_skewed_accuracies() -> None:
    # accuracies on a 360-image test set: binomial counts near the ceiling, skewed
    rate = _false_real_rate(lambda rng, n: rng.binomial(360, 0.97, n) / 360)
    assert rate <= 0.10, rate


def test_paired_difference_detects_a_real_shift_and_pairs_out_the_seed_noise() -> None:
    rng = np.random.default_rng(1)
    seed_effect = rng.normal(0, 0.05, 5)        # large noise shared by both settings
    a = 0.90 + seed_effect + rng.normal(0, 0.002, 5)
    b = 0.89 + seed_effect + rng.normal(0, 0.002, 5)
    d = experiments.paired_difference(a, b)
    assert d.real and d.low > 0 and d.wins == 5
    assert math.isclose(d.mean, float(np.mean(a - b)))
    assert "a real difference" in str(d)
    # unpaired, the same numbers are within noise: that is why the harness pairs seeds
    assert experiments.summary(a).low < experiments.summary(b).high


def test_paired_difference_within_noise_says_so() -> None:
    d = experiments.paired_difference([1.0, 2.0, 3.0, 4.0, 5.0], [2.0, 1.0, 4.0, 3.0, 5.0])
    assert not d.real and d.low < 0 < d.high
    assert "within seed noise" in str(d)


def test_paired_difference_pairs_dicts_by_seed() -> None:
    d = experiments.paired_difference({0: 2.0, 1: 3.0, 2: 4.5}, {2: 4.0, 0: 1.0, 1: 2.0})
    assert d.differences == (1.0, 1.0, 0.5)
    with pytest.raises(ValueError, match="same seeds"):
        experiments.paired_difference({0: 1.0, 1: 2.0}, {0: 1.0, 2: 2.0})


def test_paired_difference_with_a_diverged_run_is_never_real() -> None:
    d = experiments.paired_difference([1.0, float("nan"), 1.2], [0.5, 0.4, 0.6])
    assert d.diverged == 1 and not d.real and math.isnan(d.mean)
    assert "diverged" in str(d)


@pytest.mark.parametrize("a, b, match", [
    ([1.0, 2.0, 3.0], [1.0, 2.0], "pairs"),
    ([1.0], [2.0], "at least 2"),
])
def test_paired_difference_rejects_bad_input(a, b, match) -> None:
    with pytest.raises(ValueError, match=match):
        experiments.paired_difference(a, b)


# -- seeds -----------------------------------------------------------------------------------
def test_seed_list() -> None:
    assert experiments.seed_list(3) == (0, 1, 2)
    assert experiments.seed_list([4, 7]) == (4, 7)
    with pytest.raises(ValueError, match="distinct"):
        experiments.seed_list([0, 1, 1])
    for bad in (0, -2, True, "5", [], [1.5], [-1]):
        with pytest.raises(ValueError):
            experiments.seed_list(bad)


# -- plots ---------------------------------------------------------------------------------
def test_intervals_start_at_zero_or_say_they_do_not() -> None:
    from course_utils import plots

    res = {"adam": experiments.summary([0.95, 0.96, 0.97]),
           "sgd": experiments.summary([0.90, 0.93, 0.92])}
    ax = plots.intervals(res)
    assert ax.get_xlim()[0] == 0
    ax = plots.intervals(res, from_zero=False)
    assert ax.get_xlim()[0] > 0 and "does not start at 0" in ax.get_xlabel()
    ax = plots.intervals({"adam − sgd": experiments.paired_difference([0.95, 0.96, 0.97],
                                                                      [0.90, 0.93, 0.92])})
    assert any(line.get_xdata()[0] == 0 for line in ax.get_lines())  # the zero line
    with pytest.raises(ValueError):
        plots.intervals({"x": [1, 2, 3]})


def test_seed_band_draws_the_mean_and_stops_where_a_seed_diverged() -> None:
    from course_utils import plots

    curves = np.array([[1.0, 0.5, 0.3], [1.2, 0.6, np.nan]])
    ax = plots.seed_band(curves, label="sgd")
    y = ax.get_lines()[0].get_ydata()
    assert np.allclose(y[:2], [1.1, 0.55]) and np.isnan(y[2])
    assert "1 of 2 seeds diverged" in ax.get_legend().get_texts()[0].get_text()
    with pytest.raises(ValueError, match="n_seeds"):
        plots.seed_band(np.zeros(3))


# -- train_seeds (Keras) ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def digits():
    from course_utils import data

    return data.load_digits(images=False)


def _builder(learning_rate: float = 0.1):
    import keras

    def build(seed: int):
        model = keras.Sequential([keras.Input((64,)),
                                  keras.layers.Dense(16, activation="relu"),
                                  keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer=keras.optimizers.SGD(learning_rate),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model
    return build


def test_train_seeds_side_by_side_equals_one_fit_per_seed(digits) -> None:
    kw = dict(epochs=3, batch_size=64, validation_data=(digits.x_val, digits.y_val))
    together = experiments.train_seeds(_builder(), digits.x_train, digits.y_train, [3, 5], **kw)
    apart = experiments.train_seeds(_builder(), digits.x_train, digits.y_train, [3, 5],
                                    parallel=False, **kw)
    assert together.seeds == (3, 5)
    assert set(together.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert together.history["loss"].shape == (2, 3)
    # same seeds, same batch order: each copy takes the steps it would take alone
    np.testing.assert_allclose(together.history["loss"], apart.history["loss"], rtol=1e-3)  # float32 sums
    for a, b in zip(together.models, apart.models, strict=True):
        for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
            np.testing.assert_allclose(wa, wb, rtol=1e-3, atol=1e-5)
    # different seeds start from different weights
    assert not np.allclose(together.history["loss"][0], together.history["loss"][1])
    test = together.evaluate(digits.x_test, digits.y_test)
    assert test["accuracy"].shape == (2,) and (test["accuracy"] > 0.2).all()  # chance: 0.1
    alone = [m.evaluate(digits.x_test, digits.y_test, verbose=0, return_dict=True)["accuracy"]
             for m in together.models]
    np.testing.assert_allclose(test["accuracy"], alone)
    assert together.summary("val_accuracy").n == 2
    assert together.final("val_accuracy").shape == (2,)
    assert (together.best("val_loss", "min") <= together.final("val_loss")).all()
    assert not together.diverged.any()


def _regression(seed_scale: dict[int, float], learning_rate: float = 0.01):
    """Linear regression on the digits pixels; a seed's inputs scaled by seed_scale[seed]
    (a larger scale means a larger curvature, so the same step size diverges)."""
    import keras

    def build(seed: int):
        model = keras.Sequential([keras.Input((64,)),
                                  keras.layers.Rescaling(seed_scale.get(seed, 1.0)),
                                  keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(learning_rate), loss="mse")
        return model
    return build


@pytest.mark.parametrize("parallel", [True, False])
def test_train_seeds_reports_a_diverged_seed_and_keeps_the_others(digits, parallel) -> None:
    y = digits.y_train.astype("float32")
    runs = experiments.train_seeds(_regression({1: 100.0}), digits.x_train, y, [0, 1],
                                   epochs=3, batch_size=64, parallel=parallel)
    assert runs.diverged.tolist() == [False, True]
    assert runs.diverged_at[1] >= 0
    assert np.isfinite(runs.history["loss"][0]).all()   # seed 0 trained undisturbed
    assert "1 of 2 seeds diverged" in str(runs.summary("loss"))


def test_train_seeds_rejects_what_it_cannot_do_side_by_side(digits) -> None:
    import keras

    x, y = digits.x_train[:64], digits.y_train[:64]
    with pytest.raises(ValueError, match="parallel=False"):
        experiments.train_seeds(_builder(), x, y, 2, epochs=1,
                                callbacks=[keras.callbacks.EarlyStopping()])
    with pytest.raises(ValueError, match="parallel=False"):
        experiments.train_seeds(_builder(), x, y, 2, epochs=1, class_weight={0: 2.0})
    with pytest.raises(ValueError, match="compiled"):
        experiments.train_seeds(lambda s: keras.Sequential([keras.Input((64,)),
                                                            keras.layers.Dense(10)]), x, y, 2)
    with pytest.raises(ValueError, match="distinct"):
        experiments.train_seeds(_builder(), x, y, [1, 1])
    with pytest.raises(ValueError, match="keras.Model"):
        experiments.train_seeds(lambda s: None, x, y, 2)


def test_train_seeds_takes_a_tf_data_dataset(digits) -> None:
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((digits.x_train, digits.y_train)).batch(64)
    val = tf.data.Dataset.from_tensor_slices((digits.x_val, digits.y_val)).batch(64)
    runs = experiments.train_seeds(_builder(), ds, seeds=3, epochs=2, validation_data=val)
    assert runs.history["val_accuracy"].shape == (3, 2)
    assert runs.evaluate(val)["accuracy"].shape == (3,)


def test_train_seeds_with_one_seed_has_the_same_keys(digits) -> None:
    runs = experiments.train_seeds(_builder(), digits.x_train, digits.y_train, [7], epochs=1,
                                   validation_data=(digits.x_val, digits.y_val))
    assert set(runs.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert runs.evaluate(digits.x_test, digits.y_test)["accuracy"].shape == (1,)
    with pytest.raises(ValueError, match="at least 2"):
        runs.summary()


def test_train_seeds_takes_models_that_share_a_name(digits) -> None:
    from course_utils import keras_tools

    runs = experiments.train_seeds(
        lambda s: keras_tools.small_mlp(64, 10, hidden=(8,), seed=s, optimizer="adam"),
        digits.x_train, digits.y_train, [0, 1], epochs=1)
    assert [m.name for m in runs.models] == ["small_mlp_seed_0", "small_mlp_seed_1"]


def test_train_seeds_one_by_one_with_early_stopping_pads_the_seeds_that_stopped(digits) -> None:
    import keras

    def build(seed: int):
        model = _builder(0.5 if seed == 0 else 0.01)(seed)
        return model

    runs = experiments.train_seeds(
        build, digits.x_train, digits.y_train, [0, 1], parallel=False, epochs=12,
        validation_data=(digits.x_val, digits.y_val),
        callbacks=[keras.callbacks.EarlyStopping(monitor="val_loss", patience=0,
                                                 min_delta=0.05)])
    assert runs.history["loss"].shape == (2, runs.epochs)
    assert runs.epochs_run.min() < runs.epochs_run.max() or runs.epochs_run.max() < 12
    for i, n in enumerate(runs.epochs_run):
        assert np.isfinite(runs.history["loss"][i, :n]).all()
        assert np.isnan(runs.history["loss"][i, n:]).all()
        assert runs.final("loss")[i] == runs.history["loss"][i, n - 1]
    assert not runs.diverged.any()  # NaN padding after an early stop is not a divergence


def test_train_seeds_keeps_validation_every_few_epochs_at_its_own_width(digits) -> None:
    runs = experiments.train_seeds(_builder(), digits.x_train, digits.y_train, 2, epochs=4,
                                   validation_data=(digits.x_val, digits.y_val),
                                   validation_freq=2)
    assert runs.history["loss"].shape == (2, 4)
    assert runs.history["val_accuracy"].shape == (2, 2)   # epochs 2 and 4, no padding
    assert np.isfinite(runs.final("val_accuracy")).all()
