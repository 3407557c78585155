"""Per-layer gradient norms: how to *see* vanishing and exploding gradients.

Backpropagation computes the gradient of the loss L with respect to layer l's
weights W_l from the gradients of the layers above it. For a dense layer
``h_l = φ(z_l)``, ``z_l = h_{l-1} W_l + b_l``, the chain rule gives

    δ_l = ∂L/∂z_l = (δ_{l+1} W_{l+1}ᵀ) ⊙ φ'(z_l),        ∂L/∂W_l = h_{l-1}ᵀ δ_l,

so the signal that reaches the first layer has been multiplied by one weight
matrix and one activation derivative per layer above it. If each of those
factors shrinks it (sigmoid's φ' ≤ 1/4, weights that are too small), the first
layers' gradients **vanish** and those layers barely learn; if each factor
grows it (weights that are too large), the gradients **explode** and one step
throws the weights to infinity (then NaN). Printing one number per layer,
``‖∂L/∂W_l‖``, makes both visible at a glance.

- ``layer_gradient_norms(model, x, y, loss)``: one ``tf.GradientTape`` pass,
  one norm per layer, ``{layer name: norm}`` from input to output.
- ``GradientNormLogger``: a Keras callback recording those norms during
  ``model.fit`` (each epoch or every k steps), on a fixed probe batch.
- ``deep_mlp``: the deep, narrow classifier chapter 08 studies.
- ``depth_grid``: the norms for a whole grid of depths × activations ×
  initialisers, fast enough to precompute once for ``widgets.depth_explorer``.
- ``plot_layer_norms``: norms against layer index, on a log axis.

This module imports TensorFlow (a few seconds the first time), which is why
``import course_utils`` does not load it. Taught in
08_initialization_activations_normalization.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from course_utils import checks

__all__ = ["layer_gradient_norms", "GradientNormLogger", "deep_mlp", "initializer",
           "INITIALIZERS", "ACTIVATIONS", "DepthGrid", "depth_grid", "plot_layer_norms"]

# The grid the chapter (and the depth explorer) studies.
ACTIVATIONS = ("sigmoid", "tanh", "relu", "gelu")
INITIALIZERS = ("RandomNormal(0.01)", "RandomNormal(1.0)", "GlorotUniform", "HeNormal")

_VARIANCE_SCALING = {
    "GlorotUniform": keras.initializers.GlorotUniform,
    "GlorotNormal": keras.initializers.GlorotNormal,
    "HeNormal": keras.initializers.HeNormal,
    "HeUniform": keras.initializers.HeUniform,
    "LecunNormal": keras.initializers.LecunNormal,
    "LecunUniform": keras.initializers.LecunUniform,
}


# -- building blocks ---------------------------------------------------------------------------
def initializer(name: str, seed: int) -> keras.initializers.Initializer:
    """A seeded Keras initializer from a short name.

    ``"RandomNormal(0.01)"`` (any standard deviation in the brackets) is
    ``keras.initializers.RandomNormal(stddev=0.01, seed=seed)``; ``"GlorotUniform"``,
    ``"GlorotNormal"``, ``"HeNormal"``, ``"HeUniform"``, ``"LecunNormal"`` and
    ``"LecunUniform"`` are the Keras classes of those names. The same name and
    seed always draw the same weights for the same shape.
    """
    if isinstance(name, str):
        match = re.fullmatch(r"RandomNormal\(\s*([0-9.eE+-]+)\s*\)", name.strip())
        if match:
            try:
                stddev = float(match[1])
            except ValueError:
                stddev = math.nan
            if math.isfinite(stddev) and stddev > 0:
                return keras.initializers.RandomNormal(mean=0.0, stddev=stddev, seed=seed)
        if name in _VARIANCE_SCALING:
            return _VARIANCE_SCALING[name](seed=seed)
    raise ValueError(
        f"initializer must be 'RandomNormal(<stddev > 0>)' or one of {sorted(_VARIANCE_SCALING)}, "
        f"got {name!r}."
    )


def _activation(name: str) -> Callable[[Any], Any]:
    try:
        return keras.activations.get(name)
    except (ValueError, TypeError):
        raise ValueError(
            f"activation must be a Keras activation name such as {list(ACTIVATIONS)}, got {name!r}."
        ) from None


def _loss(loss: Any) -> Callable[[Any, Any], Any]:
    if loss is None:
        raise ValueError(
            "loss is None: pass a loss, e.g. keras.losses.SparseCategoricalCrossentropy("
            "from_logits=True), or compile the model with one."
        )
    if isinstance(loss, str):
        try:
            return keras.losses.get(loss)
        except ValueError:
            raise ValueError(f"unknown loss {loss!r}: use a Keras loss name or object.") from None
    if not callable(loss):
        raise ValueError(f"loss must be a Keras loss or a function (y_true, y_pred), got {loss!r}.")
    return loss


# -- one measurement ---------------------------------------------------------------------------
def layer_gradient_norms(model: keras.Model, x: Any, y: Any, loss: Any = None, *,
                         training: bool = True, kernel_only: bool = True) -> dict[str, float]:
    """The Euclidean norm of ∂loss/∂(weights) of each layer, from input to output.

    One forward pass of ``x`` under a ``tf.GradientTape``, the loss against
    ``y``, one backward pass; then, for every layer that has weights, the norm
    ``‖∂L/∂W_l‖ = sqrt(Σ (∂L/∂w)²)`` over that layer's kernel (the weight
    matrix of a ``Dense`` or ``Conv`` layer). With ``kernel_only=False`` the
    sum runs over all the layer's trainable weights (biases, batch-norm γ and β
    too), and then ``sqrt(Σ norm²)`` over all layers is the **global norm**
    that ``global_clipnorm`` clips.

    ``loss`` is a Keras loss (object or name) or any ``f(y_true, y_pred)``;
    ``None`` uses the loss the model was compiled with. Per-sample losses are
    averaged over the batch, as ``fit`` does. The gradient is of the
    data loss only: penalties such as L2 are left out. ``training=True`` runs
    dropout and batch normalisation as during ``fit`` (batch statistics); a
    layer the loss does not depend on gets 0.0.

    >>> norms = layer_gradient_norms(model, x[:256], y[:256],          # doctest: +SKIP
    ...                              keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    >>> list(norms.values())[0] / list(norms.values())[-1]             # doctest: +SKIP
    0.0053   # the first layer gets 200x less gradient than the last: vanishing

    Taught in 08_initialization_activations_normalization.
    """
    if not isinstance(model, keras.Model):
        raise ValueError(f"model must be a Keras model, got {type(model).__name__}.")
    if loss is None:
        loss = getattr(model, "loss", None)
    loss_fn = _loss(loss)
    x = tf.convert_to_tensor(x)
    y = tf.convert_to_tensor(y)
    if x.shape.rank == 0 or y.shape.rank == 0 or x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y must hold the same number of samples along axis 0, got shapes "
                         f"{tuple(x.shape)} and {tuple(y.shape)}.")
    groups: list[tuple[str, list[Any]]] = []
    for layer in model.layers:
        if kernel_only:
            kernel = getattr(layer, "kernel", None)
            chosen = [kernel] if kernel is not None and kernel.trainable else []
        else:
            chosen = list(layer.trainable_weights)
        if chosen:
            groups.append((layer.name, chosen))
    if not groups:
        raise ValueError("the model has no layer with trainable weights (is it built? does it have "
                         "Dense or Conv layers?).")
    variables = [v for _, vs in groups for v in vs]
    with tf.GradientTape() as tape:
        # a loss function (not a Loss object) returns one value per sample: average them,
        # as Keras does ("sum_over_batch_size")
        value = tf.reduce_mean(loss_fn(y, model(x, training=training)))
    grads = tape.gradient(value, variables)
    norms: dict[str, float] = {}
    i = 0
    for name, vs in groups:
        total = 0.0
        for g in grads[i: i + len(vs)]:
            if g is not None:
                total += float(tf.reduce_sum(tf.square(tf.cast(g, tf.float64))))
        norms[name] = math.sqrt(total)
        i += len(vs)
    return norms


# -- during training ---------------------------------------------------------------------------
class GradientNormLogger(keras.callbacks.Callback):
    """Record per-layer gradient norms while ``model.fit`` trains.

    At the start of training (step 0, before any update) and then after each
    epoch (``every_steps=None``) or after every k-th optimizer step
    (``every_steps=k``), it computes ``layer_gradient_norms`` on the **same
    probe batch** ``(x, y)``, so the numbers compare across time: a change is
    the network's doing, not the batch's. One step is one optimizer update (one
    mini-batch); one epoch is a pass over the training data (many steps).

    After ``fit``: ``steps`` (the optimizer step of each record), ``epochs``
    (epochs completed at each record), ``layer_names``, ``norms`` (an array,
    records × layers), ``first_to_last()`` (the ratio of the first layer's norm
    to the last's at each record) and ``plot()``.

    >>> logger = GradientNormLogger(x_train[:256], y_train[:256])   # doctest: +SKIP
    >>> model.fit(x_train, y_train, epochs=5, callbacks=[logger])   # doctest: +SKIP
    >>> logger.first_to_last()                                       # doctest: +SKIP

    Each record costs one forward and one backward pass on the probe batch
    (a few milliseconds for a small model): log every few steps, not every step,
    on big ones. Taught in 08_initialization_activations_normalization.
    """

    def __init__(self, x: Any, y: Any, every_steps: int | None = None, loss: Any = None, *,
                 kernel_only: bool = True) -> None:
        super().__init__()
        if every_steps is not None:
            every_steps = checks.whole("every_steps", every_steps, low=1)
        self.x, self.y = np.asarray(x), np.asarray(y)
        if self.x.ndim == 0 or self.y.ndim == 0 or len(self.x) != len(self.y) or len(self.x) == 0:
            raise ValueError(f"x and y must be a non-empty probe batch with the same number of "
                             f"samples, got shapes {self.x.shape} and {self.y.shape}.")
        self.every_steps = every_steps
        self.loss = loss
        self.kernel_only = kernel_only
        self.steps: list[int] = []
        self.epochs: list[int] = []
        self._records: list[dict[str, float]] = []
        self._step = 0
        self._epoch = 0

    def _record(self) -> None:
        loss = self.loss if self.loss is not None else getattr(self.model, "loss", None)
        norms = layer_gradient_norms(self.model, self.x, self.y, loss,
                                     kernel_only=self.kernel_only)
        self._records.append(norms)
        self.steps.append(self._step)
        self.epochs.append(self._epoch)

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.steps, self.epochs, self._records = [], [], []
        self._step = int(self.model.optimizer.iterations.numpy())
        self._epoch = 0
        self._record()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._step += 1
        if self.every_steps is not None and self._step % self.every_steps == 0:
            self._record()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch = epoch + 1
        if self.every_steps is None:
            self._record()

    @property
    def layer_names(self) -> list[str]:
        """The layers with weights, from input to output."""
        return list(self._records[0]) if self._records else []

    @property
    def norms(self) -> np.ndarray:
        """Gradient norms, shape (records, layers); row k was taken at ``steps[k]``."""
        if not self._records:
            return np.zeros((0, 0))
        return np.array([list(r.values()) for r in self._records])

    @property
    def history(self) -> list[dict[str, float]]:
        """One ``{layer name: norm}`` dict per record."""
        return [dict(r) for r in self._records]

    def first_to_last(self) -> np.ndarray:
        """‖g_first‖ / ‖g_last‖ at each record: ≪ 1 vanishing, ≫ 1 exploding toward the input."""
        n = self.norms
        if n.size == 0:
            raise ValueError("nothing recorded yet: pass the logger to model.fit(callbacks=[...]).")
        with np.errstate(divide="ignore", invalid="ignore"):
            return n[:, 0] / n[:, -1]

    def plot(self, ax: Any = None) -> Any:
        """Each layer's gradient norm against the optimizer step, on a log axis."""
        if ax is None:
            import matplotlib.pyplot as plt

            ax = plt.figure(figsize=(5, 3.5)).add_subplot()
        n = self.norms
        if n.size == 0:
            raise ValueError("nothing recorded yet: pass the logger to model.fit(callbacks=[...]).")
        cmap = _layer_cmap()
        for j, name in enumerate(self.layer_names):
            ax.plot(self.steps, np.maximum(n[:, j], 1e-30), "-o", ms=3,
                    color=cmap(j / max(1, n.shape[1] - 1)), label=name if j in (0, n.shape[1] - 1)
                    else None)
        ax.set_yscale("log")
        ax.set(xlabel="optimizer step", ylabel="‖∂L/∂W‖ on the probe batch")
        ax.legend(fontsize=8, title="layer (dark: input side)", title_fontsize=8)
        return ax


def _layer_cmap() -> Any:
    from matplotlib import colormaps

    return colormaps["viridis"]


# -- the network chapter 08 studies ----------------------------------------------------------
def deep_mlp(depth: int, activation: str = "relu", initializer_name: str = "HeNormal",
             width: int = 32, *, input_dim: int = 64, num_classes: int = 10,
             seed: int = 0) -> keras.Sequential:
    """A deep, narrow MLP: ``depth`` hidden ``Dense(width, activation)`` layers, then logits.

    Hidden layer i (from 1) draws its kernel with ``initializer(initializer_name,
    seed + i - 1)`` and the output layer ``Dense(num_classes)`` (no softmax: use
    a loss with ``from_logits=True``) with ``seed + depth``; biases start at 0.
    The same arguments always give the same starting weights, the ones
    ``depth_grid`` measures. Layers are named ``dense_1``...``dense_<depth>``
    and ``logits``.
    """
    depth = checks.whole("depth", depth, low=1)
    width = checks.whole("width", width, low=1)
    _activation(activation)
    initializer(initializer_name, 0)  # validates the name
    layers: list[Any] = [keras.Input(shape=(checks.whole("input_dim", input_dim, low=1),))]
    for i in range(depth):
        layers.append(keras.layers.Dense(
            width, activation=activation, name=f"dense_{i + 1}",
            kernel_initializer=initializer(initializer_name, seed + i)))
    layers.append(keras.layers.Dense(checks.whole("num_classes", num_classes, low=2), name="logits",
                                     kernel_initializer=initializer(initializer_name, seed + depth)))
    return keras.Sequential(layers, name=f"mlp_{depth}x{width}_{activation}")


@dataclass(frozen=True)
class DepthGrid:
    """Gradient norms and activation spreads for every (activation, initializer, depth).

    ``grad_norms[a, i, k, l]``: ‖∂L/∂W_l‖ for ``activations[a]``,
    ``initializers[i]``, ``depths[k]`` hidden layers; l runs over the hidden
    layers and then the output layer (NaN beyond ``depth + 1``).
    ``activation_stds[a, i, k, l]``: the standard deviation of hidden layer l's
    outputs over the batch and the units. Built by ``depth_grid``.
    """

    depths: np.ndarray
    activations: tuple[str, ...]
    initializers: tuple[str, ...]
    grad_norms: np.ndarray
    activation_stds: np.ndarray
    width: int
    batch_size: int

    def _index(self, activation: str, initializer_name: str, depth: int) -> tuple[int, int, int]:
        if activation not in self.activations:
            raise ValueError(f"activation must be one of {list(self.activations)}, got "
                             f"{activation!r}.")
        if initializer_name not in self.initializers:
            raise ValueError(f"initializer must be one of {list(self.initializers)}, got "
                             f"{initializer_name!r}.")
        where = np.flatnonzero(self.depths == depth)
        if where.size == 0:
            raise ValueError(f"depth must be one of {self.depths.tolist()}, got {depth!r}.")
        return (self.activations.index(activation), self.initializers.index(initializer_name),
                int(where[0]))

    def norms(self, activation: str, initializer_name: str, depth: int) -> np.ndarray:
        """‖∂L/∂W_l‖ for l = 1..depth (hidden) and depth + 1 (output): ``depth + 1`` numbers."""
        a, i, k = self._index(activation, initializer_name, depth)
        return self.grad_norms[a, i, k, : depth + 1]

    def stds(self, activation: str, initializer_name: str, depth: int) -> np.ndarray:
        """The spread (standard deviation) of each hidden layer's outputs: ``depth`` numbers."""
        a, i, k = self._index(activation, initializer_name, depth)
        return self.activation_stds[a, i, k, :depth]

    def ratio(self, activation: str, initializer_name: str, depth: int) -> float:
        """‖g_first‖ / ‖g_last‖ (first hidden layer over the output layer)."""
        n = self.norms(activation, initializer_name, depth)
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(n[0] / n[-1])

    def ratios(self, activation: str, initializer_name: str) -> np.ndarray:
        """``ratio`` at every depth of the grid."""
        return np.array([self.ratio(activation, initializer_name, int(d)) for d in self.depths])


def depth_grid(x: Any, y: Any, depths: Iterable[int] = range(2, 21),
               activations: Sequence[str] = ACTIVATIONS,
               initializers: Sequence[str] = INITIALIZERS, width: int = 32,
               seed: int = 0) -> DepthGrid:
    """Measure per-layer gradient norms of ``deep_mlp`` for a grid of configurations.

    For each activation, initializer and depth it does exactly what
    ``layer_gradient_norms(deep_mlp(depth, activation, initializer, width,
    seed=seed), x, y, SparseCategoricalCrossentropy(from_logits=True))`` does
    (a test holds the two together) but with bare tensors instead of Keras
    layers, so the 304 configurations of the default grid take a second or
    two instead of a minute. ``x`` is one batch ``(n, features)``, ``y`` its
    integer labels. Precompute once, then explore: ``widgets.depth_explorer(grid)``.
    """
    depths = np.array(sorted({checks.whole("depth", d, low=1) for d in depths}), dtype=int)
    if depths.size == 0:
        raise ValueError("depths is empty: give at least one depth, e.g. range(2, 21).")
    width = checks.whole("width", width, low=1)
    activations = tuple(activations)
    initializers = tuple(initializers)
    for name in activations:
        _activation(name)
    for name in initializers:
        initializer(name, 0)
    x = tf.convert_to_tensor(np.asarray(x, dtype="float32"))
    y = tf.convert_to_tensor(np.asarray(y))
    if x.shape.rank != 2 or y.shape.rank != 1 or x.shape[0] != y.shape[0]:
        raise ValueError(f"x must be (n, features) and y (n,) integer labels, got shapes "
                         f"{tuple(x.shape)} and {tuple(y.shape)}.")
    num_classes = max(2, int(tf.reduce_max(y)) + 1)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    deepest = int(depths.max())
    shape = (len(activations), len(initializers), len(depths), deepest + 1)
    grad_norms = np.full(shape, np.nan)
    stds = np.full(shape[:-1] + (deepest,), np.nan)
    for a, act_name in enumerate(activations):
        act = _activation(act_name)
        for i, init_name in enumerate(initializers):
            hidden = [tf.Variable(initializer(init_name, seed + j)(
                (int(x.shape[1]) if j == 0 else width, width))) for j in range(deepest)]
            for k, depth in enumerate(depths):
                out = tf.Variable(initializer(init_name, seed + int(depth))((width, num_classes)))
                kernels = hidden[:depth] + [out]
                with tf.GradientTape() as tape:
                    h = x
                    spreads = []
                    for w in hidden[:depth]:
                        h = act(h @ w)  # biases start at zero, so they add nothing here
                        spreads.append(tf.math.reduce_std(h))
                    value = loss_fn(y, h @ out)
                grads = tape.gradient(value, kernels)
                grad_norms[a, i, k, : depth + 1] = [float(tf.norm(g)) for g in grads]
                stds[a, i, k, :depth] = [float(s) for s in spreads]
    return DepthGrid(depths, activations, initializers, grad_norms, stds, width, int(x.shape[0]))


# -- the picture -------------------------------------------------------------------------------
def plot_layer_norms(results: Mapping[str, Mapping[str, float] | Sequence[float]],
                     ax: Any = None, floor: float = 1e-30) -> Any:
    """Per-layer gradient norms against layer index (1 = next to the input), log scale.

    ``results`` maps a label (``"sigmoid + RandomNormal(1.0)"``) to what
    ``layer_gradient_norms`` returned (or any sequence of norms). Norms below
    ``floor`` (exact zeros included: float32 gradients underflow) are drawn on
    the floor with an open marker. Returns the Axes.
    """
    if not isinstance(results, Mapping) or not results:
        raise ValueError("results must be a non-empty dict {label: norms}.")
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.figure(figsize=(6, 3.5)).add_subplot()
    for label, norms in results.items():
        values = np.asarray(list(norms.values()) if isinstance(norms, Mapping) else norms,
                            dtype=float)
        index = np.arange(1, values.size + 1)
        (line,) = ax.plot(index, np.maximum(values, floor), "-o", ms=4, label=label)
        low = values < floor
        if low.any():
            ax.plot(index[low], np.full(low.sum(), floor), "o", mfc="white",
                    mec=line.get_color(), ms=6)
    ax.set_yscale("log")
    ax.set(xlabel="layer (1 = next to the input; last = output)", ylabel="‖∂L/∂W_l‖")
    ax.legend(fontsize=8)
    return ax
