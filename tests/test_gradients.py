"""Per-layer gradient norms: right numbers, the chapter's facts, the logger, clear errors."""

from __future__ import annotations

import math

import keras
import matplotlib
import numpy as np
import pytest
import tensorflow as tf

from course_utils import data, gradients

matplotlib.use("Agg")

LOSS = keras.losses.SparseCategoricalCrossentropy(from_logits=True)


@pytest.fixture(scope="module")
def batch() -> tuple[np.ndarray, np.ndarray]:
    split = data.load_digits(images=False)
    return split.x_train[:128], split.y_train[:128]


# -- layer_gradient_norms ---------------------------------------------------------------------
def test_norms_match_the_gradient_written_by_hand() -> None:
    # One linear layer, mean squared error: dL/dW = 2/n Xᵀ(XW + b − y), dL/db = 2/n Σ(XW + b − y).
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 3)).astype("float32")
    y = rng.normal(size=(20, 1)).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, name="linear",
                                                                    bias_initializer="ones")])
    w, b = (v.numpy() for v in model.layers[0].weights)
    residual = x @ w + b - y
    grad_w = 2 / len(x) * x.T @ residual
    grad_b = 2 / len(x) * residual.sum(axis=0)
    norms = gradients.layer_gradient_norms(model, x, y, "mse")
    assert list(norms) == ["linear"]
    assert norms["linear"] == pytest.approx(np.linalg.norm(grad_w), rel=1e-5)
    everything = gradients.layer_gradient_norms(model, x, y, "mse", kernel_only=False)
    assert everything["linear"] == pytest.approx(
        math.hypot(np.linalg.norm(grad_w), np.linalg.norm(grad_b)), rel=1e-5)


def test_all_weights_give_the_global_norm_that_clipping_uses(batch) -> None:
    x, y = batch
    model = gradients.deep_mlp(4, "tanh", "GlorotUniform")
    norms = gradients.layer_gradient_norms(model, x, y, LOSS, kernel_only=False)
    with tf.GradientTape() as tape:
        value = LOSS(y, model(x, training=True))
    grads = tape.gradient(value, model.trainable_weights)
    assert math.sqrt(sum(v * v for v in norms.values())) == pytest.approx(
        float(tf.linalg.global_norm(grads)), rel=1e-5)
    assert list(norms) == [f"dense_{i}" for i in range(1, 5)] + ["logits"]


def test_compiled_loss_is_used_when_none_is_given(batch) -> None:
    x, y = batch
    model = gradients.deep_mlp(3)
    model.compile(optimizer="sgd", loss=LOSS)
    assert gradients.layer_gradient_norms(model, x, y) == pytest.approx(
        gradients.layer_gradient_norms(model, x, y, LOSS))


def test_a_layer_the_loss_ignores_gets_zero(batch) -> None:
    x, y = batch
    inputs = keras.Input((64,))
    unused = keras.layers.Dense(5, name="unused")(inputs)
    logits = keras.layers.Dense(10, name="logits")(inputs)
    model = keras.Model(inputs, [logits, unused])
    norms = gradients.layer_gradient_norms(model, x, y, lambda t, p: LOSS(t, p[0]))
    assert norms["unused"] == 0.0 and norms["logits"] > 0


@pytest.mark.parametrize(("args", "match"), [
    (("not a model", np.zeros((2, 64)), np.zeros(2)), "Keras model"),
    ((None, np.zeros((4, 64)), np.zeros(3), "mse"), "same number of samples"),
    ((None, np.zeros((4, 64)), np.zeros(4)), "loss is None"),
])
def test_bad_arguments_raise_value_error(args, match) -> None:
    model = gradients.deep_mlp(2)
    args = (model if args[0] is None else args[0], *args[1:])
    with pytest.raises(ValueError, match=match):
        gradients.layer_gradient_norms(*args)


def test_unknown_loss_name_raises() -> None:
    with pytest.raises(ValueError, match="unknown loss"):
        gradients.layer_gradient_norms(gradients.deep_mlp(2), np.zeros((2, 64)), np.zeros(2),
                                       "no_such_loss")


# -- the chapter's facts ----------------------------------------------------------------------
def test_sigmoid_with_large_weights_vanishes_and_relu_he_does_not(batch) -> None:
    x, y = batch
    ratio = {}
    for act, init in [("sigmoid", "RandomNormal(1.0)"), ("sigmoid", "RandomNormal(0.01)"),
                      ("relu", "HeNormal"), ("tanh", "GlorotUniform")]:
        norms = list(gradients.layer_gradient_norms(gradients.deep_mlp(15, act, init), x, y,
                                                    LOSS).values())
        ratio[act, init] = norms[0] / norms[-1]
    assert ratio["sigmoid", "RandomNormal(1.0)"] < 1e-2
    assert ratio["sigmoid", "RandomNormal(0.01)"] < 1e-6
    assert 0.1 < ratio["relu", "HeNormal"] < 10
    assert 0.1 < ratio["tanh", "GlorotUniform"] < 10


# -- deep_mlp, initializer --------------------------------------------------------------------
def test_deep_mlp_is_reproducible_and_named() -> None:
    a = gradients.deep_mlp(3, "gelu", "HeNormal", width=8, seed=4)
    b = gradients.deep_mlp(3, "gelu", "HeNormal", width=8, seed=4)
    assert [layer.name for layer in a.layers] == ["dense_1", "dense_2", "dense_3", "logits"]
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert not np.array_equal(a.layers[1].kernel.numpy(), a.layers[2].kernel.numpy())


def test_initializer_names_draw_the_advertised_spread() -> None:
    w = gradients.initializer("RandomNormal(0.5)", seed=1)((400, 400)).numpy()
    assert w.std() == pytest.approx(0.5, rel=0.02)
    he = gradients.initializer("HeNormal", seed=1)((400, 400)).numpy()
    assert he.std() == pytest.approx(math.sqrt(2 / 400), rel=0.03)


@pytest.mark.parametrize("name", ["RandomNormal(-1)", "RandomNormal(x)", "he_normal", "Glorot", 3])
def test_bad_initializer_names_raise(name) -> None:
    with pytest.raises(ValueError, match="initializer must be"):
        gradients.initializer(name, 0)


@pytest.mark.parametrize("kwargs", [{"depth": 0}, {"depth": 2.5}, {"activation": "nope"},
                                    {"initializer_name": "zeros?"}, {"width": 0}])
def test_deep_mlp_bad_arguments_raise(kwargs) -> None:
    args = {"depth": 3, **kwargs}
    with pytest.raises(ValueError, match="must be"):
        gradients.deep_mlp(**args)


# -- depth_grid -------------------------------------------------------------------------------
def test_depth_grid_matches_keras_models(batch) -> None:
    x, y = batch
    grid = gradients.depth_grid(x, y, depths=range(2, 6))
    assert grid.grad_norms.shape == (4, 4, 4, 6) and grid.activation_stds.shape == (4, 4, 4, 5)
    for act, init, depth in [("sigmoid", "RandomNormal(1.0)", 5), ("relu", "HeNormal", 3),
                             ("gelu", "GlorotUniform", 2), ("tanh", "RandomNormal(0.01)", 4)]:
        model = gradients.deep_mlp(depth, act, init)
        norms = list(gradients.layer_gradient_norms(model, x, y, LOSS).values())
        np.testing.assert_allclose(grid.norms(act, init, depth), norms, rtol=1e-4, atol=1e-30)
        h = x
        for layer in model.layers[:-1]:
            h = layer(h)
        assert grid.stds(act, init, depth)[-1] == pytest.approx(float(np.std(h)), rel=1e-4)
    assert np.isnan(grid.grad_norms[0, 0, 0, 3:]).all()  # depth 2: 3 layers, then padding
    assert grid.ratios("relu", "HeNormal").shape == (4,)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"depths": []}, "empty"), ({"depths": [0, 3]}, "depth"), ({"activations": ["nope"]},
                                                                "activation"),
    ({"initializers": ["zeros?"]}, "initializer"), ({"width": -1}, "width")])
def test_depth_grid_bad_arguments(batch, kwargs, match) -> None:
    x, y = batch
    with pytest.raises(ValueError, match=match):
        gradients.depth_grid(x, y, **kwargs)


def test_depth_grid_lookups_refuse_what_it_did_not_compute(batch) -> None:
    x, y = batch
    grid = gradients.depth_grid(x[:16], y[:16], depths=[2, 3], activations=["relu"],
                                initializers=["HeNormal"])
    with pytest.raises(ValueError, match="depth must be one of"):
        grid.norms("relu", "HeNormal", 7)
    with pytest.raises(ValueError, match="activation must be one of"):
        grid.norms("tanh", "HeNormal", 2)


# -- GradientNormLogger -----------------------------------------------------------------------
def _trained(logger: gradients.GradientNormLogger, epochs: int, batch_size: int,
             batch) -> keras.Model:
    x, y = batch
    model = gradients.deep_mlp(3, "relu", "HeNormal", width=16)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss=LOSS)
    model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[logger])
    return model


def test_logger_records_at_start_and_after_each_epoch(batch) -> None:
    x, y = batch
    logger = gradients.GradientNormLogger(x[:32], y[:32])
    model = _trained(logger, epochs=3, batch_size=64, batch=batch)  # 2 steps per epoch
    assert logger.steps == [0, 2, 4, 6] and logger.epochs == [0, 1, 2, 3]
    assert logger.layer_names == ["dense_1", "dense_2", "dense_3", "logits"]
    assert logger.norms.shape == (4, 4)
    # the last record is the gradient of the trained model on the probe batch
    now = gradients.layer_gradient_norms(model, x[:32], y[:32], LOSS)
    np.testing.assert_allclose(logger.norms[-1], list(now.values()), rtol=1e-5)
    assert logger.first_to_last() == pytest.approx(logger.norms[:, 0] / logger.norms[:, -1])
    assert logger.history[0].keys() == now.keys()
    assert logger.plot() is not None


def test_logger_every_k_steps(batch) -> None:
    x, y = batch
    logger = gradients.GradientNormLogger(x[:32], y[:32], every_steps=3)
    _trained(logger, epochs=2, batch_size=32, batch=batch)  # 4 steps per epoch, 8 in all
    assert logger.steps == [0, 3, 6]
    assert logger.epochs == [0, 0, 1]


@pytest.mark.parametrize("kwargs", [{"every_steps": 0}, {"every_steps": 1.5}])
def test_logger_bad_arguments(kwargs) -> None:
    with pytest.raises(ValueError, match="every_steps"):
        gradients.GradientNormLogger(np.zeros((2, 64)), np.zeros(2), **kwargs)


def test_logger_needs_a_matching_probe_batch() -> None:
    with pytest.raises(ValueError, match="probe batch"):
        gradients.GradientNormLogger(np.zeros((3, 64)), np.zeros(2))
    with pytest.raises(ValueError, match="nothing recorded"):
        gradients.GradientNormLogger(np.zeros((2, 64)), np.zeros(2)).first_to_last()


# -- the plot ---------------------------------------------------------------------------------
def test_plot_layer_norms_draws_zeros_on_the_floor() -> None:
    ax = gradients.plot_layer_norms({"a": {"l1": 0.0, "l2": 1e-3}, "b": [1.0, 2.0, 3.0]})
    assert ax.get_yscale() == "log"
    ys = np.concatenate([line.get_ydata() for line in ax.lines])
    assert ys.min() == pytest.approx(1e-30)
    with pytest.raises(ValueError, match="non-empty"):
        gradients.plot_layer_norms({})
