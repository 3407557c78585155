"""Measurements for a training that goes wrong: read the curve, then confirm the cause.

A troubleshooting case has three parts: the **symptom** (what the loss curve
does), **how to confirm the cause** (one measurement), and the **fix**. This
module holds the measurements that more than one case of
12_troubleshooting_clinic uses:

- ``loss_trend(history)``: is the loss not finite, exploding, flat, falling, rising?
- ``validation_turn(history)``: where the validation loss turned upwards, and by how much.
- ``dead_relu_fraction(model, x)``: per ReLU layer, the share of units that output 0
  on every example (they get no gradient, so they never come back).
- ``feature_scales(x)``: each input feature's mean, spread and range, and the ratio
  between the largest and the smallest spread.
- ``label_loss_problems(y, model)``: what does not fit between the labels, the output
  layer and the loss the model was compiled with.
- ``bottleneck(pipeline, step)``: input-bound or compute-bound, from two timings.

Per-layer gradient norms live in ``course_utils.gradients`` (chapter 08) and step
timings in ``course_utils.hardware`` (chapter 11); the clinic uses those directly.
This module imports Keras (and so TensorFlow). Taught in 12_troubleshooting_clinic.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from course_utils import checks

__all__ = ["Trend", "loss_trend", "Turn", "validation_turn", "dead_relu_fraction",
           "FeatureScales", "feature_scales", "label_loss_problems", "loss_name",
           "Bottleneck", "bottleneck"]


def _series(history: Any, key: str) -> np.ndarray:
    """The per-epoch values of ``key`` from a History, its dict, or a plain sequence."""
    logs = history.history if hasattr(history, "history") else history
    if isinstance(logs, Mapping):
        if key not in logs:
            raise ValueError(f"{key!r} is not in this history; it has {sorted(logs)}.")
        logs = logs[key]
    try:
        if logs is None or isinstance(logs, str) or np.ndim(logs) != 1:
            raise TypeError
        values = np.asarray(logs, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("history must be what model.fit returns, its .history dict, or a "
                         f"sequence of numbers, got {type(history).__name__}.") from None
    if values.size == 0:
        raise ValueError("the history is empty: train for at least one epoch first.")
    return values


# -- the loss curve ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Trend:
    """What a loss curve does, in one word, with the numbers behind it.

    ``kind`` is one of ``"not finite"`` (a NaN or inf appeared; ``first_nonfinite``
    is its epoch, counted from 1), ``"exploding"`` (the last value is more than
    100 times the first), ``"flat"`` (it changed by less than the tolerance),
    ``"falling"`` or ``"rising"``.
    """

    kind: str
    first: float
    last: float
    relative_change: float
    epochs: int
    first_nonfinite: int | None = None

    def __str__(self) -> str:
        if self.kind == "not finite":
            return (f"not finite: the loss became {self.last} at epoch {self.first_nonfinite} "
                    f"of {self.epochs} (it started at {self.first:.4g})")
        return (f"{self.kind}: {self.first:.4g} -> {self.last:.4g} "
                f"({100 * self.relative_change:+.1f}% over {self.epochs} epochs)")


def loss_trend(history: Any, key: str = "loss", flat_tolerance: float = 0.02) -> Trend:
    """Classify a loss curve: ``"not finite"``, ``"exploding"``, ``"flat"``, ``"falling"``, ``"rising"``.

    ``history`` is what ``model.fit`` returns, its ``.history`` dict, or a list of
    per-epoch losses. The relative change is ``(last - first) / |first|``; below
    ``flat_tolerance`` in size the curve is ``"flat"`` (the loss does not move).

    >>> loss_trend([2.303, 2.302, 2.302]).kind
    'flat'
    >>> loss_trend([0.3, 4e3, float("nan")]).first_nonfinite
    3
    """
    if not (isinstance(flat_tolerance, int | float) and 0 <= flat_tolerance < 1):
        raise ValueError(f"flat_tolerance must be a fraction in [0, 1), got {flat_tolerance!r}.")
    values = _series(history, key)
    bad = np.flatnonzero(~np.isfinite(values))
    first = float(values[0])
    if bad.size:
        at = int(bad[0])
        return Trend("not finite", first, float(values[at]), math.nan, values.size, at + 1)
    last = float(values[-1])
    change = (last - first) / abs(first) if first != 0 else (math.inf if last else 0.0)
    if abs(change) < flat_tolerance:
        kind = "flat"
    elif first > 0 and last > 100 * first:
        kind = "exploding"
    else:
        kind = "falling" if change < 0 else "rising"
    return Trend(kind, first, last, float(change), values.size)


@dataclass(frozen=True)
class Turn:
    """Where the validation loss was lowest, and how far it rose after that (overfitting)."""

    best_epoch: int
    best_val_loss: float
    final_val_loss: float
    final_train_loss: float
    epochs: int

    @property
    def rise(self) -> float:
        """How much the final validation loss exceeds the best one, as a fraction (0.3 = 30%)."""
        return self.final_val_loss / self.best_val_loss - 1

    @property
    def gap(self) -> float:
        """Final validation loss minus final training loss (the generalisation gap)."""
        return self.final_val_loss - self.final_train_loss

    def __str__(self) -> str:
        return (f"validation loss lowest at epoch {self.best_epoch} ({self.best_val_loss:.3f}), "
                f"then {self.final_val_loss:.3f} at epoch {self.epochs} ({100 * self.rise:+.0f}%); "
                f"training loss {self.final_train_loss:.3g}, gap {self.gap:.3f}")


def validation_turn(history: Any, key: str = "loss") -> Turn:
    """Find the epoch of the lowest validation loss and compare the end with it.

    Needs ``model.fit(..., validation_data=...)``, so that the history has ``val_loss``.
    Epochs are counted from 1.
    """
    train = _series(history, key)
    val = _series(history, f"val_{key}")
    if not np.isfinite(val).any():
        raise ValueError("the validation loss is never finite: fix the NaN first.")
    best = int(np.nanargmin(val))
    return Turn(best + 1, float(val[best]), float(val[-1]), float(train[-1]), int(val.size))


# -- inside the network ------------------------------------------------------------------------
def _is_relu(layer: Any) -> bool:
    if isinstance(layer, keras.layers.ReLU):
        return True
    activation = getattr(layer, "activation", None)
    return getattr(activation, "__name__", "") == "relu"


def dead_relu_fraction(model: keras.Model, x: Any) -> dict[str, float]:
    """For each ReLU layer, the fraction of its units that output 0 on *every* example in ``x``.

    A ReLU unit computes ``max(0, z)``; its gradient is 1 where ``z > 0`` and **0**
    where ``z < 0``. A unit whose ``z`` is negative for every input passes no
    gradient back, so its weights never change again: it is *dead*. A few dead
    units are normal; a layer that is mostly dead cannot learn. For a
    convolution a unit is a channel (dead when 0 at every position of every
    example). Layers are those whose activation is ``"relu"`` or that are
    ``keras.layers.ReLU``, in order, by name.

    >>> dead_relu_fraction(model, x_train[:512])     # doctest: +SKIP
    {'hidden': 1.0}                                   # every unit is dead
    """
    if not isinstance(model, keras.Model):
        raise ValueError(f"model must be a Keras model, got {type(model).__name__}.")
    layers = [layer for layer in model.layers if _is_relu(layer)]
    if not layers:
        raise ValueError("the model has no ReLU layer (activation='relu' or keras.layers.ReLU).")
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        inputs = None
    if not inputs:
        raise ValueError("the model has no defined inputs: build it with keras.Input(...) "
                         "(a Sequential or functional model), then measure.")
    probe = keras.Model(inputs[0] if len(inputs) == 1 else inputs, [lay.output for lay in layers])
    outputs = probe(np.asarray(x, dtype="float32"), training=False)
    if not isinstance(outputs, list | tuple):
        outputs = [outputs]
    fractions = {}
    for layer, out in zip(layers, outputs, strict=True):
        values = np.asarray(keras.ops.convert_to_numpy(out))
        alive = (values > 0).reshape(-1, values.shape[-1]).any(axis=0)
        fractions[layer.name] = float(1.0 - alive.mean())
    return fractions


# -- the inputs and the labels -----------------------------------------------------------------
@dataclass(frozen=True)
class FeatureScales:
    """Per-feature statistics of an input matrix, and how unequal their scales are."""

    names: tuple[str, ...]
    mean: np.ndarray
    std: np.ndarray
    minimum: np.ndarray
    maximum: np.ndarray

    @property
    def spread_ratio(self) -> float:
        """Largest standard deviation over the smallest (1 when all features share a scale).

        Constant features (standard deviation 0) are left out: they carry nothing to scale.
        """
        varying = self.std[self.std > 0]
        return float(varying.max() / varying.min()) if varying.size else 1.0

    @property
    def largest_magnitude(self) -> float:
        """The largest |value| in any feature."""
        return float(max(np.abs(self.minimum).max(), np.abs(self.maximum).max()))

    def __str__(self) -> str:
        width = max(8, *(len(n) for n in self.names))
        lines = [f"{'feature':<{width}} {'mean':>11} {'std':>11} {'min':>11} {'max':>11}"]
        for row in zip(self.names, self.mean, self.std, self.minimum, self.maximum, strict=True):
            lines.append(f"{row[0]:<{width}} " + " ".join(f"{v:>11.4g}" for v in row[1:]))
        lines.append(f"largest std / smallest std = {self.spread_ratio:,.0f}")
        return "\n".join(lines)


def feature_scales(x: Any, names: Sequence[str] | None = None) -> FeatureScales:
    """Mean, standard deviation, min and max of each column of ``x`` (NaNs ignored).

    Gradient descent works best when features share a scale (mean near 0, spread
    near 1): a feature in the thousands makes the loss surface a narrow valley,
    so the learning rate that is stable along it is far too small for the rest.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"x must be a (samples, features) array with at least 2 samples, got "
                         f"shape {x.shape}.")
    if names is None:
        names = [f"x{i}" for i in range(x.shape[1])]
    names = tuple(str(n) for n in names)
    if len(names) != x.shape[1]:
        raise ValueError(f"got {len(names)} names for {x.shape[1]} features.")
    return FeatureScales(names, np.nanmean(x, 0), np.nanstd(x, 0), np.nanmin(x, 0),
                         np.nanmax(x, 0))


def loss_name(loss: Any) -> str:
    """A loss's snake_case name: ``"sparse_categorical_crossentropy"``, ``"mean_squared_error"``...

    Accepts what ``model.compile(loss=...)`` accepts: a string (``"mse"`` is
    spelled out), a ``keras.losses.Loss`` object, or a function.
    """
    aliases = {"mse": "mean_squared_error", "mae": "mean_absolute_error",
               "mape": "mean_absolute_percentage_error",
               "msle": "mean_squared_logarithmic_error"}
    if isinstance(loss, str):
        return aliases.get(loss.lower(), loss.lower())
    if isinstance(loss, keras.losses.Loss):
        fn = getattr(loss, "fn", None)
        if fn is not None and getattr(fn, "__name__", None):
            return fn.__name__
        return re.sub(r"(?<!^)(?=[A-Z])", "_", type(loss).__name__).lower()
    return getattr(loss, "__name__", type(loss).__name__).lower()


def _from_logits(loss: Any) -> bool:
    if isinstance(loss, keras.losses.Loss):
        config = loss.get_config()
        return bool(config.get("from_logits", False))
    return False


def _output_activation(model: keras.Model) -> str:
    for layer in reversed(model.layers):
        if isinstance(layer, keras.layers.Softmax):
            return "softmax"
        activation = getattr(layer, "activation", None)
        if activation is not None:
            return getattr(activation, "__name__", "linear")
        if layer.weights:  # a layer with weights and no activation: its outputs are raw
            return "linear"
    return "linear"


def label_loss_problems(y: Any, model: keras.Model, loss: Any = None) -> list[str]:
    """What does not fit between the labels ``y``, the model's output and its loss.

    Reads the labels (class indices ``(N,)`` or one-hot rows ``(N, classes)``?
    which values?), the output layer (how many units, which activation) and the
    loss (``loss``, or the one the model was compiled with). Returns one plain
    sentence per problem, with the fix; an empty list means they agree.

    >>> label_loss_problems(y_train, model)          # doctest: +SKIP
    ['the labels are class indices (shape (1077,), values 0..9) but
      categorical_crossentropy wants one-hot rows ...']
    """
    if loss is None:
        loss = getattr(model, "loss", None)
    if loss is None:
        raise ValueError("the model is not compiled: pass loss=..., or compile it first.")
    y = np.asarray(y)
    if y.ndim == 0 or y.size == 0:
        raise ValueError(f"y must hold one label per example, got shape {y.shape}.")
    name = loss_name(loss)
    units = int(model.output_shape[-1])
    activation = _output_activation(model)
    numeric = np.issubdtype(y.dtype, np.number) or y.dtype == bool
    values = y.astype(float) if numeric else None
    whole = bool(numeric and np.all(values == np.round(values)))
    one_hot = bool(whole and y.ndim == 2 and y.shape[-1] == units and units > 1
                   and set(np.unique(values)) <= {0.0, 1.0} and np.all(values.sum(-1) == 1))
    indices = bool(whole and not one_hot and (y.ndim == 1 or y.shape[-1] == 1))
    top = int(values.max()) if whole else None
    shape = f"shape {y.shape}, values {int(values.min())}..{top}" if whole else f"shape {y.shape}"
    problems = []
    crossentropy = "crossentropy" in name
    if name == "categorical_crossentropy" and indices:
        problems.append(
            f"the labels are class indices ({shape}) but categorical_crossentropy wants one-hot "
            f"rows of length {units}: use loss='sparse_categorical_crossentropy' (or one-hot the "
            "labels with keras.utils.to_categorical).")
    if name == "sparse_categorical_crossentropy" and one_hot:
        problems.append(
            f"the labels are one-hot rows ({shape}) but sparse_categorical_crossentropy wants "
            "class indices: use loss='categorical_crossentropy' (or pass y.argmax(-1)).")
    if name == "binary_crossentropy" and whole and top is not None and top > 1:
        problems.append(
            f"binary_crossentropy needs labels 0 or 1, but these go up to {top}: for "
            f"{top + 1} classes use a {top + 1}-unit output and "
            "loss='sparse_categorical_crossentropy'.")
    if not crossentropy and whole and units > 1 and (indices or one_hot) and activation in (
            "softmax", "sigmoid"):
        problems.append(
            f"{name} is a regression loss, used here on class labels ({shape}) with a "
            f"{units}-unit {activation} output: the error between a probability and a class "
            "number teaches nothing about the class; use "
            + ("'categorical_crossentropy'." if one_hot else "'sparse_categorical_crossentropy'."))
    if "sparse" in name and indices and top is not None and top >= units:
        problems.append(f"the labels go up to {top} but the output has only {units} units: "
                        f"give the last layer {top + 1} units (one per class).")
    if crossentropy and _from_logits(loss) and activation in ("softmax", "sigmoid"):
        problems.append(
            f"from_logits=True, but the output layer already applies {activation}: its outputs "
            "are probabilities, not logits. Remove the activation (preferred: more stable) or "
            "use from_logits=False.")
    if crossentropy and not _from_logits(loss) and activation == "linear":
        problems.append(
            "the output layer has no softmax or sigmoid, so it outputs logits (any real "
            "number), but the loss expects probabilities: pass from_logits=True to the loss.")
    return problems


# -- speed ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bottleneck:
    """Which side is slower: producing a batch (input) or training on it (compute)."""

    kind: str
    pipeline_ms: float
    step_ms: float

    @property
    def ratio(self) -> float:
        """Time to produce a batch over time to train on one (> 1: input-bound)."""
        return self.pipeline_ms / self.step_ms

    def __str__(self) -> str:
        advice = ("speed up the input pipeline (parallel map, cache, prefetch); a faster "
                  "model would not help" if self.kind == "input-bound" else
                  "the model is the slow part: XLA, mixed precision, a GPU, or a smaller model")
        return (f"{self.kind}: a batch takes {self.pipeline_ms:.2f} ms to produce and "
                f"{self.step_ms:.2f} ms to train on (ratio {self.ratio:.1f}); {advice}")


def bottleneck(pipeline: Any, step: Any) -> Bottleneck:
    """Compare a pipeline timing with a step timing (``hardware.StepTime`` or milliseconds).

    ``hardware.time_pipeline(dataset)`` measures the first, ``hardware.time_training_step
    (model, x, y)`` the second, for the same batch size. Whichever is larger bounds
    the speed of training: ``"input-bound"`` or ``"compute-bound"``.
    """
    ms = []
    for name, value in (("pipeline", pipeline), ("step", step)):
        value = getattr(value, "median_ms", value)
        ms.append(checks.number(f"{name} (a StepTime or a time in milliseconds)", value, low=0,
                                low_open=True))
    kind = "input-bound" if ms[0] > ms[1] else "compute-bound"
    return Bottleneck(kind, ms[0], ms[1])
