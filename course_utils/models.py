"""Model builders for transfer learning: a convolutional base, a classifier on top, and
the questions "which layers will ``fit`` update?" and "where is the batch norm?".

- ``conv_base(input_shape)``: two convolutional blocks (3x3 ``Conv2D`` → ``BatchNormalization``
  → ReLU), max pooling and ``Flatten``: the part of a CNN that turns pixels into features.
  Its layers have fixed names (``block1_conv``, ``block1_bn``, ``block1_relu``, ``block2_...``,
  ``pool``, ``flatten``), so code can freeze them by name.
- ``classifier(base, num_classes)``: a Functional model, ``Input → base(x, training=False) →
  Dropout → Dense(num_classes, softmax)``; the last layer is called ``head``.
- ``all_layers(model)``: every layer, nested models included.
- ``batch_norm_layers(model)``: every ``BatchNormalization`` layer, nested ones included.
- ``trained_layers(model)``: the names of the layers whose weights ``fit`` would update now
  (what counts is ``model.trainable_weights``, not the flags one reads layer by layer).

This module imports Keras; ``import course_utils`` does not load it.

Taught in 10_keras_end_to_end (transfer learning).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import keras
import numpy as np

from course_utils import checks

__all__ = ["conv_base", "classifier", "all_layers", "batch_norm_layers", "trained_layers"]


def _shape(input_shape: Any) -> tuple[int, int, int]:
    shape = tuple(input_shape) if isinstance(input_shape, Sequence) else ()
    if (len(shape) != 3 or any(isinstance(s, bool) or not isinstance(s, int | np.integer)
                               for s in shape) or min(shape, default=0) < 1):
        raise ValueError(f"input_shape must be (height, width, channels) with whole numbers >= 1, "
                         f"e.g. (8, 8, 1) for the digits; got {input_shape!r}.")
    if shape[0] < 2 or shape[1] < 2:
        raise ValueError(f"the images must be at least 2x2 (the base pools by 2); got {shape}.")
    return tuple(int(s) for s in shape)


def conv_base(input_shape: Sequence[int] = (8, 8, 1), filters: Sequence[int] = (32, 64),
              seed: int = 0, name: str = "base") -> keras.Model:
    """The convolutional base: pixels in, a flat feature vector out (a Functional model).

    Each block is a 3x3 ``Conv2D`` without bias (the batch norm after it has its own
    shift β), ``BatchNormalization`` and ReLU; ``padding="same"`` keeps the image size,
    then one 2x2 max pooling halves it and ``Flatten`` lays the features out in a row.
    For 8x8 digits and ``filters=(32, 64)`` that is 4·4·64 = 1,024 features and 19,008
    parameters (768 of them the batch norms' moving statistics, which are not trained).

    Kernels are drawn by ``HeNormal(seed=seed + i)``, so a seed gives the same start
    every time. Layer names: ``block{i}_conv``, ``block{i}_bn``, ``block{i}_relu``,
    ``pool``, ``flatten``.

    >>> base = conv_base((8, 8, 1))      # doctest: +SKIP
    >>> base.output_shape                # doctest: +SKIP
    (None, 1024)
    """
    shape = _shape(input_shape)
    filters = tuple(checks.whole(f"filters[{i}]", f, low=1) for i, f in enumerate(filters))
    if not filters:
        raise ValueError("filters must list at least one number of filters, e.g. (32, 64).")
    seed = checks.whole("seed", seed, low=0)
    inputs = keras.Input(shape=shape, name=f"{name}_input")
    x = inputs
    for i, units in enumerate(filters, start=1):
        x = keras.layers.Conv2D(units, 3, padding="same", use_bias=False, name=f"block{i}_conv",
                                kernel_initializer=keras.initializers.HeNormal(seed=seed + i))(x)
        x = keras.layers.BatchNormalization(name=f"block{i}_bn")(x)
        x = keras.layers.Activation("relu", name=f"block{i}_relu")(x)
    x = keras.layers.MaxPooling2D(2, name="pool")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    return keras.Model(inputs, x, name=name)


def classifier(base: keras.Model, num_classes: int, dropout: float = 0.3, seed: int = 0,
               name: str = "classifier") -> keras.Model:
    """``Input → base(x, training=False) → Dropout → Dense(num_classes, softmax, name="head")``.

    ``training=False`` asks for the base's batch norms in inference mode. In Keras 3
    that holds when the model is *called* (``model(x)``, ``predict``, ``evaluate``),
    but ``fit`` calls the model with ``training=True``, which overrides it: to keep a
    batch norm in inference mode during ``fit``, freeze it (``layer.trainable = False``;
    a frozen ``BatchNormalization`` always uses its moving statistics). The chapter
    shows the evidence.
    """
    if not isinstance(base, keras.Model):
        raise ValueError(f"base must be a Keras model (e.g. conv_base()), got {type(base).__name__}.")
    num_classes = checks.whole("num_classes", num_classes, low=2)
    if not (isinstance(dropout, int | float) and 0 <= dropout < 1):
        raise ValueError(f"dropout is a fraction in [0, 1), got {dropout!r}.")
    seed = checks.whole("seed", seed, low=0)
    inputs = keras.Input(shape=base.input_shape[1:], name="image")
    x = base(inputs, training=False)
    x = keras.layers.Dropout(dropout, seed=seed, name="dropout")(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax", name="head",
                                 kernel_initializer=keras.initializers.GlorotUniform(seed=seed))(x)
    return keras.Model(inputs, outputs, name=name)


def all_layers(model: keras.layers.Layer) -> Iterator[keras.layers.Layer]:
    """Every layer of ``model``, depth first, the layers of nested models included."""
    for layer in getattr(model, "layers", []):
        yield layer
        if getattr(layer, "layers", None):
            yield from all_layers(layer)


def batch_norm_layers(model: keras.layers.Layer) -> list[keras.layers.BatchNormalization]:
    """The ``BatchNormalization`` layers of ``model``, nested models included."""
    return [layer for layer in all_layers(model)
            if isinstance(layer, keras.layers.BatchNormalization)]


def trained_layers(model: keras.Model) -> list[str]:
    """Names of the layers (nested ones included) whose weights ``fit`` would update now.

    This reads ``model.trainable_weights``, which is what the optimizer gets: a
    layer marked ``trainable = True`` inside a frozen model does not train, and this
    function says so where reading the flags one by one would not.
    """
    trained = {id(w) for w in model.trainable_weights}
    return [layer.name for layer in all_layers(model)
            if not getattr(layer, "layers", None)
            and any(id(w) in trained for w in layer.weights)]
