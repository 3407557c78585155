"""models: the convolutional base, the classifier on top, and which layers fit trains."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from course_utils import models


def test_conv_base_shapes_names_and_parameters() -> None:
    base = models.conv_base((8, 8, 1))
    assert base.output_shape == (None, 4 * 4 * 64)
    assert [layer.name for layer in base.layers[1:]] == [
        "block1_conv", "block1_bn", "block1_relu", "block2_conv", "block2_bn", "block2_relu",
        "pool", "flatten"]
    # 3·3·1·32 + 4·32 + 3·3·32·64 + 4·64 (each batch norm: γ, β, moving mean and variance)
    assert base.count_params() == 288 + 128 + 18432 + 256
    assert sum(int(np.prod(w.shape)) for w in base.non_trainable_weights) == 2 * (32 + 64)


def test_conv_base_seed_fixes_the_start() -> None:
    a, b, c = models.conv_base(seed=1), models.conv_base(seed=1), models.conv_base(seed=2)
    assert all(np.array_equal(u, v) for u, v in zip(a.get_weights(), b.get_weights(), strict=True))
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])


def test_classifier_outputs_probabilities_and_all_layers_recurse() -> None:
    model = models.classifier(models.conv_base(), 5)
    probs = np.asarray(model(np.random.default_rng(0).random((3, 8, 8, 1), dtype=np.float32)))
    assert probs.shape == (3, 5) and np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    names = [layer.name for layer in models.all_layers(model)]
    assert names.index("base") < names.index("block1_conv") < names.index("head")
    assert [layer.name for layer in models.batch_norm_layers(model)] == ["block1_bn", "block2_bn"]


def test_trained_layers_follow_the_freezing_stages() -> None:
    base = models.conv_base()
    model = models.classifier(base, 5)
    assert models.trained_layers(model) == ["block1_conv", "block1_bn", "block2_conv",
                                            "block2_bn", "head"]
    base.trainable = False
    assert models.trained_layers(model) == ["head"]
    base.trainable = True
    for layer in models.batch_norm_layers(model):
        layer.trainable = False
    assert models.trained_layers(model) == ["block1_conv", "block2_conv", "head"]


def test_trained_layers_is_what_fit_really_updates() -> None:
    base = models.conv_base()
    model = models.classifier(base, 3)
    base.trainable = False
    base.get_layer("block2_conv").trainable = True  # Keras 3: trains despite the frozen parent
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    before = {layer.name: [w.copy() for w in layer.get_weights()]
              for layer in models.all_layers(model) if layer.weights and not hasattr(layer, "layers")}
    rng = np.random.default_rng(0)
    model.fit(rng.random((16, 8, 8, 1), dtype=np.float32), rng.integers(0, 3, 16), epochs=1,
              batch_size=16, verbose=0)
    changed = [name for name, weights in before.items()
               if not all(np.array_equal(w, v) for w, v in
                          zip(weights, model.get_layer(name).get_weights() if name in ("head",)
                              else base.get_layer(name).get_weights(), strict=True))]
    # block1_bn/block2_bn are frozen: their moving statistics stay too (inference mode)
    assert changed == models.trained_layers(model) == ["block2_conv", "head"]


@pytest.mark.parametrize("bad", [(8, 8), (8, 8, 0), "8x8", (1, 1, 1), (8.0, 8, 1)])
def test_conv_base_bad_shape_raises_value_error(bad) -> None:
    with pytest.raises(ValueError, match="input_shape|at least 2x2"):
        models.conv_base(bad)


def test_bad_arguments_raise_value_error() -> None:
    with pytest.raises(ValueError, match="filters"):
        models.conv_base(filters=())
    with pytest.raises(ValueError, match="filters\\[1\\]"):
        models.conv_base(filters=(8, 0))
    with pytest.raises(ValueError, match="Keras model"):
        models.classifier("base", 5)
    with pytest.raises(ValueError, match="num_classes"):
        models.classifier(models.conv_base(), 1)
    with pytest.raises(ValueError, match="dropout"):
        models.classifier(models.conv_base(), 5, dropout=1.5)
