"""The clinic's measurements: curve shapes, dead units, scales, label/loss mismatches, bottlenecks."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest

from course_utils import diagnostics as d
from course_utils import hardware


def test_loss_trend_names_each_shape() -> None:
    assert d.loss_trend([2.303, 2.302, 2.302]).kind == "flat"
    assert d.loss_trend([2.3, 1.2, 0.4]).kind == "falling"
    assert d.loss_trend([0.3, 0.5, 0.9]).kind == "rising"
    assert d.loss_trend([4.0, 1.9e3, 8e5]).kind == "exploding"
    nan = d.loss_trend({"loss": [0.4, 0.2, math.nan, math.nan]})
    assert nan.kind == "not finite" and nan.first_nonfinite == 3 and "epoch 3" in str(nan)
    assert d.loss_trend([1.0, math.inf]).first_nonfinite == 2
    assert "flat" in str(d.loss_trend([1.0, 1.0]))


def test_loss_trend_reads_a_history_object() -> None:
    class History:
        history = {"loss": [1.0, 0.5], "val_loss": [1.0, 1.5]}

    assert d.loss_trend(History()).kind == "falling"
    assert d.loss_trend(History(), key="val_loss").kind == "rising"


@pytest.mark.parametrize("bad", [[], {"acc": [1.0]}, "text", None])
def test_loss_trend_refuses_bad_input(bad: object) -> None:
    with pytest.raises(ValueError):
        d.loss_trend(bad)


def test_validation_turn() -> None:
    turn = d.validation_turn({"loss": [1.0, 0.5, 0.1, 0.01], "val_loss": [1.1, 0.6, 0.8, 0.9]})
    assert turn.best_epoch == 2 and turn.best_val_loss == 0.6
    assert turn.rise == pytest.approx(0.5) and turn.gap == pytest.approx(0.89)
    assert "epoch 2" in str(turn)
    with pytest.raises(ValueError, match="val_loss"):
        d.validation_turn({"loss": [1.0]})


def _mlp(bias: float) -> keras.Sequential:
    keras.utils.set_random_seed(0)
    return keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(8, activation="relu", name="hidden",
                           bias_initializer=keras.initializers.Constant(bias)),
        keras.layers.Dense(6, name="plain"),
        keras.layers.ReLU(name="relu_layer"),
        keras.layers.Dense(3, activation="softmax"),
    ])


def test_dead_relu_fraction() -> None:
    x = np.random.default_rng(0).uniform(0, 1, (64, 4)).astype("float32")
    dead = d.dead_relu_fraction(_mlp(-10.0), x)
    assert list(dead) == ["hidden", "relu_layer"]
    assert dead["hidden"] == 1.0
    alive = d.dead_relu_fraction(_mlp(0.0), x)
    assert alive["hidden"] < 0.5
    # a unit is dead only if it is 0 on *every* example: check by hand
    model = _mlp(0.0)
    h = keras.Model(model.inputs[0], model.get_layer("hidden").output)(x).numpy()
    assert d.dead_relu_fraction(model, x)["hidden"] == pytest.approx(np.mean(h.max(0) <= 0))


def test_dead_relu_fraction_refuses_models_without_relu() -> None:
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="no ReLU"):
        d.dead_relu_fraction(model, np.zeros((3, 2)))
    with pytest.raises(ValueError):
        d.dead_relu_fraction("model", np.zeros((3, 2)))


def test_feature_scales() -> None:
    x = np.c_[np.linspace(0, 1, 11), np.linspace(0, 1000, 11), np.full(11, 3.0)]
    scales = d.feature_scales(x, names=["small", "large", "constant"])
    assert scales.spread_ratio == pytest.approx(1000)  # the constant column is left out
    assert scales.largest_magnitude == 1000
    assert "large" in str(scales) and "1,000" in str(scales)
    with pytest.raises(ValueError):
        d.feature_scales(x, names=["one"])
    with pytest.raises(ValueError):
        d.feature_scales(np.zeros((1, 3)))


def _compiled(loss: object, activation: str | None = "softmax", units: int = 10) -> keras.Model:
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(units, activation=activation)])
    model.compile(optimizer="adam", loss=loss)
    return model


Y = np.arange(20) % 10


@pytest.mark.parametrize(("loss", "activation", "y", "words"), [
    ("categorical_crossentropy", "softmax", Y, "one-hot rows"),
    ("sparse_categorical_crossentropy", "softmax", np.eye(10)[Y], "class indices"),
    ("binary_crossentropy", "sigmoid", Y, "labels 0 or 1"),
    ("mse", "softmax", Y[:, None], "regression loss"),
    (keras.losses.SparseCategoricalCrossentropy(from_logits=True), "softmax", Y, "already applies"),
    ("sparse_categorical_crossentropy", None, Y, "from_logits=True"),
])
def test_label_loss_problems_finds_each_mismatch(loss, activation, y, words) -> None:
    problems = d.label_loss_problems(y, _compiled(loss, activation))
    assert len(problems) >= 1 and any(words in p for p in problems), problems


@pytest.mark.parametrize(("loss", "activation", "y"), [
    ("sparse_categorical_crossentropy", "softmax", Y),
    ("categorical_crossentropy", "softmax", np.eye(10)[Y]),
    (keras.losses.SparseCategoricalCrossentropy(from_logits=True), None, Y),
])
def test_label_loss_problems_accepts_good_pairs(loss, activation, y) -> None:
    assert d.label_loss_problems(y, _compiled(loss, activation)) == []


def test_label_loss_problems_counts_units() -> None:
    problems = d.label_loss_problems(Y, _compiled("sparse_categorical_crossentropy", units=5))
    assert any("only 5 units" in p for p in problems)
    uncompiled = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    with pytest.raises(ValueError, match="not compiled"):
        d.label_loss_problems(Y, uncompiled)


def test_loss_name() -> None:
    assert d.loss_name("mse") == "mean_squared_error"
    assert d.loss_name(keras.losses.SparseCategoricalCrossentropy()) == "sparse_categorical_crossentropy"
    assert d.loss_name(keras.losses.MeanSquaredError()) == "mean_squared_error"

    def handmade(y_true, y_pred):
        return y_pred

    assert d.loss_name(handmade) == "handmade"


def test_bottleneck() -> None:
    assert d.bottleneck(95.0, 12.0).kind == "input-bound"
    slow_step = hardware.StepTime(40.0, 35.0, 45.0, 800.0, 10)
    verdict = d.bottleneck(3.0, slow_step)
    assert verdict.kind == "compute-bound" and verdict.ratio == pytest.approx(3 / 40)
    assert "input pipeline" in str(d.bottleneck(95.0, 12.0))
    for bad in (0.0, -1.0, math.nan, "fast"):
        with pytest.raises(ValueError):
            d.bottleneck(bad, 1.0)
