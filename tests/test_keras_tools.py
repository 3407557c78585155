"""keras_tools: the small MLP, learning curves, the LR range test and the one-cycle schedule."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils import keras_tools
from course_utils.keras_tools import LearningRateRangeTest, OneCycle, small_mlp
from course_utils.schedules import make_schedule

BATCH = 16


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    """Three separable blobs in 8 dimensions: 192 samples (12 equal batches of 16)."""
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), 64)
    centres = rng.normal(scale=2.0, size=(3, 8))
    x = (centres[y] + rng.normal(size=(192, 8))).astype("float32")
    return x, y


def run_range_test(x, y, finder, optimizer=None, **fit_kwargs) -> keras.Model:
    keras.utils.set_random_seed(0)
    model = small_mlp(8, 3, hidden=(16,), optimizer=optimizer or keras.optimizers.SGD())
    epochs = finder.epochs_for(len(x), BATCH) + 2  # room to spare: the callback must stop fit
    model.fit(x, y, batch_size=BATCH, epochs=epochs, callbacks=[finder], verbose=0, **fit_kwargs)
    return model


# -- small_mlp -----------------------------------------------------------------------------------
def test_small_mlp_builds_and_trains_a_step(data) -> None:
    x, y = data
    model = small_mlp(8, 3, hidden=(16, 8), optimizer=keras.optimizers.SGD(0.1))
    assert [layer.units for layer in model.layers] == [16, 8, 3]
    probs = model.predict(x[:5], verbose=0)
    assert probs.shape == (5, 3) and np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    before = [w.copy() for w in model.get_weights()]
    loss = model.train_on_batch(x[:32], y[:32])
    loss = loss[0] if isinstance(loss, list | tuple) else loss
    assert np.isfinite(loss) and 0.0 < loss < 10.0
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights(), strict=True))


def test_small_mlp_seed_fixes_the_starting_weights() -> None:
    a, b, c = small_mlp(8, 3, seed=1), small_mlp(8, 3, seed=1), small_mlp(8, 3, seed=2)
    assert all(np.array_equal(u, v) for u, v in zip(a.get_weights(), b.get_weights(), strict=True))
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])


def test_small_mlp_uncompiled_by_default_and_hidden_as_int() -> None:
    model = small_mlp(4, 2, hidden=5)
    assert getattr(model, "optimizer", None) is None
    assert model.layers[0].units == 5


@pytest.mark.parametrize(
    "args, kwargs",
    [((0, 3), {}), ((8, 1), {}), ((8, 3), {"hidden": (16, 0)}), ((8.5, 3), {}),
     ((8, 3), {"seed": "zero"})],
)
def test_small_mlp_bad_arguments(args, kwargs) -> None:
    with pytest.raises(ValueError):
        small_mlp(*args, **kwargs)


# -- history_plot --------------------------------------------------------------------------------
def test_history_plot_draws_curves_and_marks_the_best_epoch() -> None:
    history = {"loss": [2.0, 0.5, 0.1, 0.05], "val_loss": [2.1, 0.6, 0.4, 0.5]}
    ax = keras_tools.history_plot(history)
    labels = [line.get_label() for line in ax.lines]
    assert labels[:2] == ["training loss", "validation loss"]
    assert "best epoch (3)" in labels
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"
    plt.close(ax.figure)


def test_history_plot_accuracy_and_history_objects(data) -> None:
    x, y = data
    model = small_mlp(8, 3, hidden=(8,), optimizer="adam")
    history = model.fit(x, y, epochs=2, batch_size=64, validation_split=0.25, verbose=0)
    fig, ax = plt.subplots()
    assert keras_tools.history_plot(history, ax=ax, metric="accuracy") is ax
    assert ax.get_yscale() == "linear"
    plt.close(fig)


def test_history_plot_bad_input() -> None:
    with pytest.raises(ValueError, match="accuracy"):
        keras_tools.history_plot({"loss": [1.0]}, metric="accuracy")
    with pytest.raises(ValueError):
        keras_tools.history_plot([1.0, 2.0])


# -- the LR range test ---------------------------------------------------------------------------
def test_range_test_raises_lr_geometrically_and_stops_on_divergence(data) -> None:
    x, y = data
    finder = LearningRateRangeTest(1e-3, 1e4, num_steps=60)
    run_range_test(x, y, finder)
    lrs = finder.learning_rates
    assert lrs[0] == pytest.approx(1e-3)
    expected = 1e-3 * (1e7) ** (np.arange(lrs.size) / 59)
    assert np.allclose(lrs, expected, rtol=1e-12)               # the recorded lrs, step by step
    assert np.allclose(lrs[1:] / lrs[:-1], 10 ** (7 / 59))    # a constant factor per step
    assert finder.diverged and finder.stopped_at < 60 and lrs.size == finder.stopped_at
    assert finder.losses.shape == finder.smoothed_losses.shape == lrs.shape
    for method in ("steepest", "min/10"):
        assert 1e-3 <= finder.suggest(method) <= 1e4


def test_range_test_stops_after_num_steps_without_divergence(data) -> None:
    x, y = data
    finder = LearningRateRangeTest(1e-5, 1e-3, num_steps=20)
    run_range_test(x, y, finder)
    assert finder.stopped_at == 20 and not finder.diverged
    assert finder.learning_rates[-1] == pytest.approx(1e-3)


def test_range_test_recovers_each_batch_loss(data) -> None:
    # With η ~ 0 the weights do not move, so each batch's loss is the starting model's loss
    # on that batch: the callback must undo Keras's running mean to get it.
    x, y = data
    finder = LearningRateRangeTest(1e-12, 1e-11, num_steps=12, smoothing=0.0)
    model = run_range_test(x, y, finder, shuffle=False)
    probs = model.predict(x, verbose=0)
    per_sample = -np.log(probs[np.arange(len(y)), y])
    per_batch = per_sample.reshape(12, BATCH).mean(axis=1)
    assert np.allclose(finder.losses, per_batch, rtol=1e-4)
    assert np.allclose(finder.smoothed_losses, finder.losses)   # smoothing=0: no averaging


def test_range_test_restores_weights_and_learning_rate(data) -> None:
    x, y = data
    finder = LearningRateRangeTest(1e-3, 10.0, num_steps=30)
    keras.utils.set_random_seed(0)
    model = small_mlp(8, 3, hidden=(16,), optimizer=keras.optimizers.SGD(0.123))
    start = [w.copy() for w in model.get_weights()]
    model.fit(x, y, batch_size=BATCH, epochs=4, callbacks=[finder], verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(start, model.get_weights(), strict=True))
    assert float(model.optimizer.learning_rate) == pytest.approx(0.123)


def test_range_test_refuses_a_schedule(data) -> None:
    x, y = data
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
    finder = LearningRateRangeTest(1e-3, 1.0, num_steps=10)
    with pytest.raises(ValueError, match="schedule"):
        run_range_test(x, y, finder, optimizer=keras.optimizers.SGD(schedule))


def test_range_test_suggest_before_running() -> None:
    with pytest.raises(ValueError, match="fit"):
        LearningRateRangeTest().suggest()
    with pytest.raises(ValueError):
        LearningRateRangeTest().suggest("middle")


def test_range_test_suggest_reads_a_known_curve() -> None:
    finder = LearningRateRangeTest(1e-4, 10.0, num_steps=100)
    lrs = np.array([finder.learning_rate_at(t) for t in range(100)])
    x = np.log10(lrs)
    finder._lrs = lrs.tolist()
    finder._smoothed = (2 - 1 / (1 + np.exp(-3 * (x + 2))) + np.where(x > 0, 5 * x, 0)).tolist()
    assert finder.suggest() == pytest.approx(1e-2, rel=0.15)       # the inflection of the fall
    assert finder.suggest("min/10") == pytest.approx(0.1, rel=0.15)  # the minimum is at η = 1


@pytest.mark.parametrize(
    "kwargs",
    [{"min_lr": 0.0}, {"min_lr": 1.0, "max_lr": 0.1}, {"num_steps": 1}, {"num_steps": 2.5},
     {"stop_factor": 1.0}, {"smoothing": 1.0}, {"max_lr": float("inf")}],
)
def test_range_test_bad_arguments(kwargs) -> None:
    with pytest.raises(ValueError):
        LearningRateRangeTest(**kwargs)


def test_range_test_epochs_for() -> None:
    finder = LearningRateRangeTest(num_steps=100)
    assert finder.epochs_for(1078, 32) == 3    # 34 steps per epoch
    assert finder.epochs_for(3200, 32) == 1


def test_range_test_plot(data) -> None:
    x, y = data
    finder = LearningRateRangeTest(1e-3, 1e4, num_steps=60)
    run_range_test(x, y, finder)
    ax = finder.plot()
    assert ax.get_xscale() == "log"
    assert any("suggest" in line.get_label() for line in ax.lines)
    plt.close(ax.figure)


# -- one-cycle -----------------------------------------------------------------------------------
def test_one_cycle_keras_equals_numpy_curve() -> None:
    schedule = OneCycle(0.1, total_steps=100, warmup_fraction=0.4)
    steps = np.arange(0, 130)
    keras_values = keras.ops.convert_to_numpy(schedule(steps))
    assert np.allclose(keras_values, schedule.curve(steps), rtol=1e-5, atol=1e-10)
    assert schedule.curve([0, 40, 80, 100, 120]).tolist() == pytest.approx(
        [0.004, 0.1, 0.004, 4e-7, 4e-7])


def test_one_cycle_half_warmup_has_no_tail() -> None:
    schedule = OneCycle(1.0, total_steps=10, warmup_fraction=0.5)
    values = keras.ops.convert_to_numpy(schedule(np.arange(12)))
    assert np.allclose(values, schedule.curve(np.arange(12)), rtol=1e-5)
    assert values[5] == pytest.approx(1.0) and values[11] == pytest.approx(0.04 / 1e4, rel=1e-5)


def test_one_cycle_matches_the_designer() -> None:
    numpy_schedule, code = make_schedule("one-cycle", 0.3, decay_steps=300, warmup_steps=90)
    schedule = eval(code, {"keras_tools": keras_tools})
    steps = np.arange(0, 400, 3)
    assert np.allclose(schedule.curve(steps), numpy_schedule(steps))


def test_one_cycle_trains_and_round_trips_its_config(data) -> None:
    x, y = data
    schedule = OneCycle(0.05, total_steps=24)
    model = small_mlp(8, 3, hidden=(8,), optimizer=keras.optimizers.SGD(schedule, momentum=0.9))
    history = model.fit(x, y, batch_size=BATCH, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    again = OneCycle.from_config(schedule.get_config())
    assert again.knots() == schedule.knots()


@pytest.mark.parametrize(
    "kwargs",
    [{"warmup_fraction": 0.0}, {"warmup_fraction": 0.6}, {"max_learning_rate": -1.0},
     {"total_steps": 0}, {"div_factor": 0.5}],
)
def test_one_cycle_bad_arguments(kwargs) -> None:
    args = {"max_learning_rate": 0.1, "total_steps": 100, **kwargs}
    with pytest.raises(ValueError):
        OneCycle(**args)


# -- the designer's Keras lines really build the designer's curves -------------------------------
@pytest.mark.parametrize("kind", ["step", "exponential", "polynomial", "cosine",
                                  "warm-up + cosine", "cosine restarts"])
def test_designer_code_builds_the_same_keras_schedule(kind) -> None:
    numpy_schedule, code = make_schedule(kind, 0.5, decay_steps=120, decay_rate=0.5, alpha=0.1,
                                         power=2.0, warmup_steps=30)
    keras_schedule = eval(code, dict(vars(keras.optimizers.schedules)))
    for step in (0, 29, 30, 60, 119, 120, 121, 250, 399):
        assert float(keras_schedule(step)) == pytest.approx(float(numpy_schedule(step)), rel=1e-5,
                                                            abs=1e-9)
