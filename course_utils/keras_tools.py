"""Keras helpers the chapters share: a small MLP, learning curves, an LR range test, one-cycle.

This module imports Keras (and so TensorFlow, about 4 s the first time), which
is why ``import course_utils`` does not load it: a chapter that trains writes
``from course_utils import keras_tools``.

- ``small_mlp(input_dim, num_classes)``: the same tiny classifier in every
  chapter, with seeded weights, so that two runs differ only in the knob
  being studied (optimizer, learning rate, callback).
- ``history_plot(history)``: learning curves (training and validation per epoch).
- ``LearningRateRangeTest``: Smith's LR range test as a Keras callback.
- ``OneCycle``: Smith's one-cycle learning-rate schedule for Keras optimizers.

Taught in 05_schedules_and_callbacks; reused in the chapters after it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import keras
import numpy as np

from course_utils import checks, schedules

__all__ = ["small_mlp", "history_plot", "LearningRateRangeTest", "OneCycle", "augmentation_layers",
           "FLIP_MODES", "INTERPOLATIONS", "LIMITS"]


def _positive(name: str, value: Any) -> float:
    return checks.number(name, value, low=0, low_open=True)


# -- models --------------------------------------------------------------------------------
def small_mlp(
    input_dim: int,
    num_classes: int,
    hidden: Sequence[int] = (64,),
    seed: int = 0,
    *,
    activation: str = "relu",
    optimizer: str | keras.optimizers.Optimizer | None = None,
) -> keras.Sequential:
    """A small multi-layer perceptron (MLP) classifier with reproducible starting weights.

    Layers: ``Input(input_dim)``, then one ``Dense(units, activation)`` per entry
    of ``hidden``, then ``Dense(num_classes, "softmax")``, whose outputs are the
    predicted probabilities of the classes (they sum to 1).

    Each layer's weights are drawn by ``GlorotUniform(seed=seed + i)``, so the
    same ``seed`` gives the same starting weights in every call: two models
    built with ``seed=0`` start from the same point, and a comparison between
    them (two optimizers, two schedules) measures only what you changed.

    With ``optimizer`` (a name such as ``"adam"`` or a Keras optimizer) the model
    comes back compiled with ``sparse_categorical_crossentropy`` (labels are the
    integers 0..num_classes-1, not one-hot vectors) and an ``accuracy`` metric;
    without it, compile it yourself.

    >>> model = small_mlp(64, 10, hidden=(32,), optimizer="adam")  # doctest: +SKIP
    >>> model.fit(x_train, y_train, epochs=5, verbose=0)            # doctest: +SKIP

    Taught in 05_schedules_and_callbacks; reused in later chapters.
    """
    input_dim = checks.whole("input_dim (number of input features)", input_dim, low=1)
    num_classes = checks.whole("num_classes", num_classes, low=1)
    if num_classes < 2:
        raise ValueError(
            f"num_classes must be >= 2, got {num_classes}: for a yes/no task use "
            f"num_classes=2 (a softmax over two classes) with labels 0 and 1."
        )
    if isinstance(hidden, int | np.integer):
        hidden = (hidden,)
    hidden = tuple(checks.whole(f"hidden[{i}] (units)", h, low=1) for i, h in enumerate(hidden))
    checks.whole("seed", seed)
    layers: list[Any] = [keras.Input(shape=(input_dim,))]
    for i, units in enumerate(hidden):
        layers.append(
            keras.layers.Dense(
                units,
                activation=activation,
                kernel_initializer=keras.initializers.GlorotUniform(seed=int(seed) + i),
                name=f"hidden_{i + 1}",
            )
        )
    layers.append(
        keras.layers.Dense(
            num_classes,
            activation="softmax",
            kernel_initializer=keras.initializers.GlorotUniform(seed=int(seed) + len(hidden)),
            name="probabilities",
        )
    )
    model = keras.Sequential(layers, name="small_mlp")
    if optimizer is not None:
        model.compile(
            optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"]
        )
    return model


# -- learning curves -------------------------------------------------------------------------
def history_plot(history: Any, ax: Any = None, metric: str = "loss") -> Any:
    """Learning curves: ``metric`` for training and validation, one point per epoch.

    ``history`` is what ``model.fit`` returns (a ``keras.callbacks.History``) or
    its ``.history`` dict. The validation curve (``"val_" + metric``) is drawn
    when present, with a dot on its best epoch: the lowest loss, or the highest
    accuracy. A loss axis goes log-scale when the values span more than a
    factor of 10. The x axis counts epochs from 1 (one epoch is one pass over the
    training data, many optimizer steps). Returns the Axes.

    ``history_plot(history, metric="learning_rate")`` draws the learning rate
    when a callback logged it (``ReduceLROnPlateau``, ``LearningRateScheduler``).

    Taught in 05_schedules_and_callbacks; the picture behind 09's overfitting.
    """
    logs = history.history if hasattr(history, "history") else history
    if not isinstance(logs, Mapping):
        raise ValueError(
            f"history must be what model.fit returns (or its .history dict), got "
            f"{type(history).__name__}."
        )
    if metric not in logs:
        raise ValueError(
            f"{metric!r} is not in this history; it has {sorted(logs)}. Pass metric= one of those."
        )
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.figure(figsize=(5, 3.5)).add_subplot()
    train = np.asarray(logs[metric], dtype=float)
    epochs = np.arange(1, train.size + 1)
    name = metric.replace("_", " ")
    ax.plot(epochs, train, "-o", ms=3, label=name if metric == "learning_rate" else f"training {name}")
    values = [train]
    val_key = f"val_{metric}"
    if val_key in logs:
        val = np.asarray(logs[val_key], dtype=float)
        values.append(val)
        ax.plot(epochs[: val.size], val, "-o", ms=3, label=f"validation {name}")
        if np.isfinite(val).any():
            higher_is_better = "acc" in metric or "auc" in metric
            best = int(np.nanargmax(val) if higher_is_better else np.nanargmin(val))
            ax.plot(epochs[best], val[best], "o", ms=9, mfc="none", mec="black",
                    label=f"best epoch ({best + 1})")
    finite = np.concatenate(values)
    finite = finite[np.isfinite(finite) & (finite > 0)]
    if ("loss" in metric or metric == "learning_rate") and finite.size and (
        finite.max() > 10 * finite.min()
    ):
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(name)
    ax.legend(fontsize=8)
    return ax


# -- the LR range test -----------------------------------------------------------------------
class LearningRateRangeTest(keras.callbacks.Callback):
    """The learning-rate range test, as a Keras callback.

    Smith (2017, "Cyclical learning rates", section 3.3) raised η *linearly* over a few
    epochs and watched validation accuracy; this is fast.ai's variant (``lr_find``, Howard
    and Gugger, 2020), which chapter 05 explains: η grows geometrically over a few hundred
    steps, so every decade of η gets the same number of steps, and the training loss is read.

    Idea: train for a few hundred steps while the learning rate grows
    geometrically from ``min_lr`` to ``max_lr``,
    ``η_t = min_lr · (max_lr / min_lr) ** (t / (num_steps - 1))``, and record the
    loss of every step. Drawn against η on a log axis, the loss is flat where η
    is too small to move the weights, falls where η is useful, and shoots up
    where η is too large. A good constant η sits where the curve falls
    steepest, roughly ten times below the η of the lowest loss.

    What the callback does, hook by hook:

    - ``on_train_begin``: keeps a copy of the weights and the optimizer's η.
    - ``on_train_batch_begin``: sets ``optimizer.learning_rate`` to ``η_t``.
    - ``on_train_batch_end``: records the batch's loss and a smoothed loss,
      and sets ``model.stop_training`` once the smoothed loss exceeds
      ``stop_factor`` times its lowest value (or is NaN/inf), or after
      ``num_steps`` steps.
    - ``on_train_end``: puts the weights and η back (``restore_weights=True``),
      so the test leaves the model as it found it. The optimizer's own state
      (momentum, Adam's moments) did see the test: build and compile a fresh
      model (``small_mlp`` with the same seed) for the real training.

    Keras passes ``logs["loss"]`` as the *mean over the epoch so far*; the
    callback recovers each batch's own loss as ``(k+1)·mean_k - k·mean_{k-1}``
    for the k-th batch (from 0) of an epoch, which is exact when batches have
    equal sizes (the last, smaller batch of an epoch is slightly off). The
    smoothed loss is an exponential moving average with factor ``smoothing``,
    bias-corrected as in Adam: ``avg ← β·avg + (1-β)·loss``,
    ``smoothed = avg / (1 - β^(t+1))``.

    Give ``model.fit`` enough epochs: ``epochs_for(num_samples, batch_size)``.

    Attributes after the run: ``learning_rates``, ``losses``, ``smoothed_losses``
    (NumPy arrays, one entry per step), ``diverged`` (True if it stopped on a
    blown-up loss), ``stopped_at`` (the number of steps taken).

    >>> finder = LearningRateRangeTest(1e-4, 10.0, num_steps=100)          # doctest: +SKIP
    >>> model.fit(x, y, batch_size=32, epochs=finder.epochs_for(len(x), 32),
    ...           callbacks=[finder], verbose=0)                           # doctest: +SKIP
    >>> finder.suggest()                                                   # doctest: +SKIP

    Reference: L. N. Smith, "Cyclical Learning Rates for Training Neural
    Networks", WACV 2017 (arXiv:1506.01186), section 3.3.
    Taught in 05_schedules_and_callbacks.
    """

    def __init__(
        self,
        min_lr: float = 1e-5,
        max_lr: float = 10.0,
        num_steps: int = 100,
        *,
        stop_factor: float = 4.0,
        smoothing: float = 0.9,
        restore_weights: bool = True,
    ) -> None:
        super().__init__()
        self.min_lr = _positive("min_lr", min_lr)
        self.max_lr = _positive("max_lr", max_lr)
        if not self.max_lr > self.min_lr:
            raise ValueError(
                f"max_lr must be larger than min_lr, got min_lr={min_lr!r}, max_lr={max_lr!r}; "
                f"a range test usually spans several decades, e.g. 1e-5 to 10."
            )
        self.num_steps = checks.whole("num_steps", num_steps, low=1)
        if self.num_steps < 2:
            raise ValueError(f"num_steps must be >= 2 (a range needs two ends), got {num_steps}.")
        self.stop_factor = _positive("stop_factor", stop_factor)
        if self.stop_factor <= 1:
            raise ValueError(f"stop_factor must be > 1 (e.g. 4), got {stop_factor!r}.")
        if not (isinstance(smoothing, int | float) and 0 <= smoothing < 1):
            raise ValueError(f"smoothing must be in [0, 1), e.g. 0.9; got {smoothing!r}.")
        self.smoothing = float(smoothing)
        self.restore_weights = bool(restore_weights)
        self._reset()

    # the schedule the test follows
    def learning_rate_at(self, step: int) -> float:
        """``η_t = min_lr · (max_lr/min_lr) ** (t / (num_steps - 1))``: geometric, t from 0."""
        ratio = self.max_lr / self.min_lr
        return self.min_lr * ratio ** (step / (self.num_steps - 1))

    def epochs_for(self, num_samples: int, batch_size: int) -> int:
        """How many epochs ``model.fit`` needs for ``num_steps`` steps (the callback stops it)."""
        num_samples = checks.whole("num_samples", num_samples, low=1)
        batch_size = checks.whole("batch_size", batch_size, low=1)
        return math.ceil(self.num_steps / math.ceil(num_samples / batch_size))

    def _reset(self) -> None:
        self._lrs: list[float] = []
        self._losses: list[float] = []
        self._smoothed: list[float] = []
        self._avg = 0.0
        self._best = math.inf
        self._prev_mean = 0.0
        self._lr = self.min_lr
        self.diverged = False
        self.stopped_at = 0

    # the Keras hooks
    def on_train_begin(self, logs: dict | None = None) -> None:
        self._reset()
        optimizer = self.model.optimizer
        if isinstance(getattr(optimizer, "_learning_rate", None),
                      keras.optimizers.schedules.LearningRateSchedule):
            raise ValueError(
                "the optimizer was compiled with a learning-rate schedule, so its learning "
                "rate cannot be set step by step: compile with a number, e.g. "
                "keras.optimizers.SGD(learning_rate=0.01), for the range test."
            )
        self._saved_lr = float(optimizer.learning_rate)
        self._saved_weights = self.model.get_weights() if self.restore_weights else None

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self._lr = self.learning_rate_at(len(self._lrs))
        self.model.optimizer.learning_rate = self._lr

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        mean = float((logs or {}).get("loss", math.nan))
        loss = mean if batch == 0 else (batch + 1) * mean - batch * self._prev_mean
        self._prev_mean = mean
        step = len(self._lrs)
        self._lrs.append(self._lr)
        self._losses.append(loss)
        beta = self.smoothing
        self._avg = beta * self._avg + (1 - beta) * loss
        smoothed = self._avg / (1 - beta ** (step + 1))
        self._smoothed.append(smoothed)
        if math.isfinite(smoothed):
            self._best = min(self._best, smoothed)
        if not math.isfinite(smoothed) or smoothed > self.stop_factor * self._best:
            self.diverged = True
            self.model.stop_training = True
        elif step + 1 >= self.num_steps:
            self.model.stop_training = True
        self.stopped_at = step + 1

    def on_train_end(self, logs: dict | None = None) -> None:
        if self._saved_weights is not None:
            self.model.set_weights(self._saved_weights)
        self.model.optimizer.learning_rate = self._saved_lr

    # the results
    @property
    def learning_rates(self) -> np.ndarray:
        """The learning rate of each recorded step."""
        return np.array(self._lrs)

    @property
    def losses(self) -> np.ndarray:
        """The loss of each recorded step (noisy: one batch each)."""
        return np.array(self._losses)

    @property
    def smoothed_losses(self) -> np.ndarray:
        """The bias-corrected moving average of ``losses`` (what to read the curve from)."""
        return np.array(self._smoothed)

    def suggest(self, method: str = "steepest") -> float:
        """A learning rate read off the curve, always within ``[min_lr, max_lr]``.

        ``"steepest"``: where the smoothed loss falls fastest per decade of η
        (the most negative slope against ``log10 η``), looking only left of the
        lowest loss. ``"min/10"``: a tenth of the η with the lowest smoothed
        loss (Smith's and fastai's rule of thumb: the minimum sits close to the
        edge of divergence).
        """
        if method not in ("steepest", "min/10"):
            raise ValueError(f"method must be 'steepest' or 'min/10', got {method!r}.")
        lrs, smooth = self.learning_rates, self.smoothed_losses
        if lrs.size < 3 or not np.isfinite(smooth).any():
            raise ValueError(
                "the range test has recorded fewer than 3 steps: run model.fit with this "
                "callback first (epochs=finder.epochs_for(num_samples, batch_size))."
            )
        lowest = int(np.nanargmin(np.where(np.isfinite(smooth), smooth, np.nan)))
        if method == "min/10" or lowest < 2:
            choice = lrs[lowest] / 10
        else:
            slope = np.gradient(smooth[: lowest + 1], np.log10(lrs[: lowest + 1]))
            choice = lrs[int(np.nanargmin(slope))]
        return float(np.clip(choice, self.min_lr, self.max_lr))

    def plot(self, ax: Any = None, mark: str | None = "steepest") -> Any:
        """Loss (raw and smoothed) against η on a log x axis; ``mark`` a suggestion."""
        if ax is None:
            import matplotlib.pyplot as plt

            ax = plt.figure(figsize=(5, 3.5)).add_subplot()
        lrs = self.learning_rates
        ax.plot(lrs, self.losses, color="0.7", lw=1, label="loss of each step")
        ax.plot(lrs, self.smoothed_losses, color="#1f77b4", lw=2, label="smoothed")
        if mark is not None and lrs.size >= 3:
            eta = self.suggest(mark)
            ax.axvline(eta, color="#d62728", ls="--", label=f"suggest('{mark}') = {eta:.2g}")
        ax.set_xscale("log")
        smooth = self.smoothed_losses[np.isfinite(self.smoothed_losses)]
        if smooth.size:  # from 0 to a little above the start: the blow-up goes off the top
            ax.set_ylim(0.0, 1.3 * max(smooth[0], smooth.min()))
        ax.set(xlabel="learning rate η (log scale)", ylabel="training loss",
               title="LR range test")
        ax.legend(fontsize=8)
        return ax


# -- one-cycle -------------------------------------------------------------------------------
@keras.saving.register_keras_serializable(package="course_utils")
class OneCycle(keras.optimizers.schedules.LearningRateSchedule, schedules.OneCycle):
    """Smith's one-cycle schedule: up, down, then a final fall far below the start.

    With ``w = warmup_fraction · total_steps``, ``η_max = max_learning_rate``,
    ``η_low = η_max / div_factor`` and ``η_end = η_low / final_div_factor``, the
    learning rate is piecewise linear through the points

    ``(0, η_low) → (w, η_max) → (2w, η_low) → (total_steps, η_end)``

    and stays at ``η_end`` after ``total_steps``. The rise lets the weights leave
    the fragile random start gently (a warm-up), the high middle covers ground
    fast and, Smith argues, regularises, and the long fall lets the
    weights settle into the bottom of the valley (the noise of SGD shrinks
    with η). Smith's defaults: ``warmup_fraction`` about 0.45 (the last ~10 %
    is the final fall), ``η_max`` from an LR range test.

    Keras has no piecewise-linear schedule, so this class is the NumPy schedule
    ``schedules.OneCycle`` (the same arguments, checks and ``knots()``: one definition
    of the curve) with a ``__call__`` in ``keras.ops``; ``curve(steps)`` is the NumPy
    value, used for plots, and a test holds the two together. (Smith
    also cycles momentum the opposite way; Keras cannot schedule momentum, so
    this schedule leaves it alone. PyTorch's ``OneCycleLR`` defaults to a
    cosine-shaped version with ``warmup_fraction=0.3`` and no way back down to
    ``η_low`` before the final fall.)

    >>> sched = OneCycle(0.1, total_steps=100, warmup_fraction=0.4)
    >>> sched.curve([0, 40, 80, 100]).round(7).tolist()
    [0.004, 0.1, 0.004, 4e-07]
    >>> optimizer = keras.optimizers.SGD(learning_rate=sched, momentum=0.9)

    References: L. N. Smith, "A disciplined approach to neural network
    hyper-parameters: Part 1", arXiv:1803.09820 (2018); L. N. Smith and N.
    Topin, "Super-Convergence", arXiv:1708.07120 (2017).
    Taught in 05_schedules_and_callbacks.
    """

    def curve(self, steps: Any) -> np.ndarray:
        """The learning rate at each of ``steps`` (NumPy, for plots): ``schedules.OneCycle``."""
        return np.asarray(schedules.OneCycle.__call__(self, steps), dtype=float)

    def __call__(self, step: Any) -> Any:
        ops = keras.ops
        (_, w, w2, total), (low, high, _, end) = self.knots()
        step = ops.cast(step, "float32")

        def between(a: float, b: float, fraction: Any) -> Any:
            # a·(1 - f) + b·f: exactly b at f = 1, even in float32 (no cancellation)
            return a * (1.0 - fraction) + b * fraction

        up = between(low, high, step / w)
        down = between(high, low, (step - w) / w)
        fall = (step - w2) / (total - w2) if total > w2 else ops.ones_like(step)
        tail = between(low, end, ops.minimum(fall, 1.0))
        return ops.where(step < w, up, ops.where(step < w2, down, tail))

    def get_config(self) -> dict[str, Any]:
        return schedules.OneCycle.get_config(self)


# -- data augmentation (chapter 07) ---------------------------------------------------------
FLIP_MODES = ("none", "horizontal", "vertical", "horizontal_and_vertical")
INTERPOLATIONS = ("nearest", "bilinear")
LIMITS = {"rotation": 0.5, "zoom": 0.5, "translation": 0.5, "contrast": 0.9}


def augmentation_layers(flip: str = "none", rotation: float = 0.0, zoom: float = 0.0,
                        translation: float = 0.0, contrast: float = 0.0,
                        interpolation: str = "nearest", seed: int = 0,
                        value_range: tuple[float, float] = (0.0, 1.0)) -> list[Any]:
    """The Keras layers for these strengths, in the viewer's order; a strength of 0 adds none.

    Geometric layers fill what moves in from outside the image with 0 (the digits'
    background: ``fill_mode="constant"``), not with Keras's default reflection,
    which would copy strokes in from the edge, and use ``interpolation="nearest"``
    by default (each new pixel copies its nearest old one): Keras's default,
    "bilinear", averages four pixels and blurs the strokes of an 8x8 digit. Each layer gets its own seed
    (``seed``, ``seed + 1``, ...), so changing one strength leaves the other
    layers' random draws as they were.
    """
    checks.choice("flip", flip, FLIP_MODES)
    checks.choice("interpolation", interpolation, INTERPOLATIONS)
    for name, value in (("rotation", rotation), ("zoom", zoom), ("translation", translation),
                        ("contrast", contrast)):
        checks.number(name, value, low=0, high=LIMITS[name])
    geometry = {"fill_mode": "constant", "fill_value": 0.0, "interpolation": interpolation}
    layers: list[Any] = []
    if flip != "none":
        layers.append(keras.layers.RandomFlip(flip, seed=seed))
    if rotation > 0:
        layers.append(keras.layers.RandomRotation(rotation, seed=seed + 1, **geometry))
    if zoom > 0:
        layers.append(keras.layers.RandomZoom(zoom, seed=seed + 2, **geometry))
    if translation > 0:
        layers.append(keras.layers.RandomTranslation(translation, translation, seed=seed + 3,
                                                     **geometry))
    if contrast > 0:
        layers.append(keras.layers.RandomContrast(contrast, value_range=value_range,
                                                  seed=seed + 4))
    return layers
