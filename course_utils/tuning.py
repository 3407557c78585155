"""What the tuning protocol of chapter 14 needs beyond ``experiments``.

- ``SearchSpace``: named ranges, each on a linear or a log scale, and points drawn in
  them by a grid, pure random sampling, or a quasi-random (low-discrepancy) Sobol or
  Halton sequence (``scipy.stats.qmc``), plus ``discrepancy`` to measure clumping.
- ``near_boundary``: which dimensions the best trials push against (then widen them).
- ``isolation``: for each value of the scientific hyperparameter, the best trial over
  the nuisance ones, with its seed-to-seed spread.
- ``trials_that_fit``: how many trials a time budget buys.
- ``train_trials``: many small Keras MLPs (trials x seeds) trained side by side in one
  ``fit``, each copy with its own learning rate and L2 weight, so a whole search costs
  about one training run. Keras is imported only when it is called.

Numerics only at import (NumPy and SciPy): no TensorFlow, matplotlib or widgets.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import qmc

from course_utils import checks

__all__ = ["Dimension", "SearchSpace", "near_boundary", "isolation", "Isolation",
           "trials_that_fit", "train_trials", "TrialRuns"]

SCALES = ("linear", "log")


def _count(name: str, n: Any) -> int:
    return checks.whole(f"{name} (a search with zero trials has nothing to compare)", n, low=1)


# -- search spaces -------------------------------------------------------------------------
@dataclass(frozen=True)
class Dimension:
    """One hyperparameter's range ``[low, high]``, searched on a ``"linear"`` or ``"log"`` scale.

    On a log scale equal steps multiply the value (1e-4, 1e-3, 1e-2 are evenly spaced),
    which is where learning rates and weight decays belong: their effect depends on the
    order of magnitude, not on the digits.
    """

    name: str
    low: float
    high: float
    scale: str = "linear"

    def __post_init__(self) -> None:
        if self.scale not in SCALES:
            raise ValueError(f"{self.name}: scale must be 'linear' or 'log', got {self.scale!r}.")
        for end in (self.low, self.high):
            checks.number(f"{self.name}: each end of the range [{self.low!r}, {self.high!r}]", end)
        if self.low == self.high:
            raise ValueError(f"{self.name}: the range [{self.low}, {self.high}] is empty; give "
                             f"two different ends, or make it a fixed hyperparameter.")
        if self.low > self.high:
            raise ValueError(f"{self.name}: the range is inverted (low {self.low} > high "
                             f"{self.high}); swap the ends.")
        if self.scale == "log" and self.low <= 0:
            raise ValueError(f"{self.name}: a log range must stay above zero, got [{self.low}, "
                             f"{self.high}]; log(0) does not exist. Start at a small positive "
                             f"value such as 1e-6.")

    def from_unit(self, u: Any) -> np.ndarray:
        """Map ``u`` in [0, 1] to the range (log-uniformly on a log scale)."""
        u = np.asarray(u, dtype=np.float64)
        if self.scale == "log":
            lo, hi = math.log10(self.low), math.log10(self.high)
            return 10 ** (lo + u * (hi - lo))
        return self.low + u * (self.high - self.low)

    def to_unit(self, value: Any) -> np.ndarray:
        """Where ``value`` sits in the range: 0 at ``low``, 1 at ``high`` (on this scale)."""
        value = np.asarray(value, dtype=np.float64)
        if self.scale == "log":
            lo, hi = math.log10(self.low), math.log10(self.high)
            with np.errstate(divide="ignore", invalid="ignore"):
                return (np.log10(value) - lo) / (hi - lo)
        return (value - self.low) / (self.high - self.low)


class SearchSpace:
    """Named ranges: ``SearchSpace(learning_rate=(1e-4, 1e-1, "log"), l2=(1e-6, 1e-2, "log"))``.

    Each method returns ``{name: array of n values}``: ``sobol`` and ``halton`` (quasi-random,
    scrambled with ``seed``), ``random`` (independent uniform draws), ``grid`` (as close to
    ``n`` points as a full grid allows: ``round(n ** (1/d))`` values per dimension).
    """

    def __init__(self, **ranges: tuple) -> None:
        if not ranges:
            raise ValueError("a search space needs at least one range, e.g. "
                             "SearchSpace(learning_rate=(1e-4, 1e-1, 'log')).")
        dims = []
        for name, spec in ranges.items():
            if isinstance(spec, Dimension):
                dims.append(spec)
                continue
            if not isinstance(spec, tuple | list) or len(spec) not in (2, 3):
                raise ValueError(f"{name}: give (low, high) or (low, high, 'log'), got {spec!r}.")
            dims.append(Dimension(name, *spec))
        self.dimensions: tuple[Dimension, ...] = tuple(dims)

    @property
    def names(self) -> list[str]:
        return [d.name for d in self.dimensions]

    def __getitem__(self, name: str) -> Dimension:
        for d in self.dimensions:
            if d.name == name:
                return d
        raise KeyError(f"no dimension {name!r}; there are {self.names}.")

    def __repr__(self) -> str:
        inner = ", ".join(f"{d.name}=({d.low:g}, {d.high:g}, {d.scale!r})" for d in self.dimensions)
        return f"SearchSpace({inner})"

    def from_unit(self, u: Any) -> dict[str, np.ndarray]:
        """Points of the unit cube, shape ``(n, d)``, as ``{name: values}``."""
        u = np.asarray(u, dtype=np.float64)
        if u.ndim != 2 or u.shape[1] != len(self.dimensions):
            raise ValueError(f"unit points must have shape (n, {len(self.dimensions)}), got {u.shape}.")
        return {d.name: d.from_unit(u[:, i]) for i, d in enumerate(self.dimensions)}

    def to_unit(self, points: Mapping[str, Any]) -> np.ndarray:
        """``{name: values}`` back to the unit cube, shape ``(n, d)``."""
        return np.column_stack([d.to_unit(points[d.name]) for d in self.dimensions])

    def unit_sobol(self, n: int, seed: int = 0) -> np.ndarray:
        n = _count("n (the number of trials)", n)
        sampler = qmc.Sobol(len(self.dimensions), scramble=True, seed=seed)
        # Sobol points are balanced in blocks of powers of two; draw the next power, keep n.
        return sampler.random_base2(max(0, math.ceil(math.log2(n))))[:n]

    def sobol(self, n: int, seed: int = 0) -> dict[str, np.ndarray]:
        """``n`` scrambled Sobol points (balanced best when ``n`` is a power of two)."""
        return self.from_unit(self.unit_sobol(n, seed))

    def halton(self, n: int, seed: int = 0) -> dict[str, np.ndarray]:
        """``n`` scrambled Halton points (any ``n`` is fine)."""
        n = _count("n (the number of trials)", n)
        return self.from_unit(qmc.Halton(len(self.dimensions), scramble=True, seed=seed).random(n))

    def random(self, n: int, seed: int = 0) -> dict[str, np.ndarray]:
        """``n`` independent uniform draws (on each dimension's own scale)."""
        n = _count("n (the number of trials)", n)
        return self.from_unit(np.random.default_rng(seed).random((n, len(self.dimensions))))

    def grid(self, n: int) -> dict[str, np.ndarray]:
        """A full grid with about ``n`` points: ``k = round(n ** (1/d))`` values per dimension."""
        n = _count("n (the number of trials)", n)
        k = max(1, round(n ** (1 / len(self.dimensions))))
        axis = (np.arange(k) + 0.5) / k
        mesh = np.meshgrid(*[axis] * len(self.dimensions), indexing="ij")
        return self.from_unit(np.column_stack([m.ravel() for m in mesh]))


def discrepancy(unit_points: Any) -> float:
    """Centred L2 discrepancy of points in the unit cube: 0 is perfectly even; clumps raise it."""
    pts = np.asarray(unit_points, dtype=np.float64)
    if pts.ndim != 2 or len(pts) < 1:
        raise ValueError(f"points must have shape (n, d) with n >= 1, got {pts.shape}.")
    if np.any((pts < 0) | (pts > 1)):
        raise ValueError("points must lie in the unit cube [0, 1]^d; use SearchSpace.to_unit.")
    return float(qmc.discrepancy(pts))


__all__.append("discrepancy")


# -- reading a search ----------------------------------------------------------------------
def _scores_2d(scores: Any) -> np.ndarray:
    arr = np.asarray(scores, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] < 1:
        raise ValueError(f"scores must have one row per trial (shape (trials,) or (trials, seeds)) "
                         f"and at least one trial; got shape {arr.shape}.")
    return arr


def _mean_score(arr: np.ndarray, mode: str) -> np.ndarray:
    if mode not in ("max", "min"):
        raise ValueError(f"mode must be 'max' or 'min', got {mode!r}.")
    mean = arr.mean(axis=1)
    bad = ~np.isfinite(mean)  # a diverged trial is never the best
    return np.where(bad, -np.inf if mode == "max" else np.inf, mean)


def near_boundary(space: SearchSpace, points: Mapping[str, Any], scores: Any, top: int = 1,
                  margin: float = 0.1, mode: str = "max") -> dict[str, str]:
    """Which dimensions the ``top`` best trials push against: ``{name: "low" or "high"}``.

    A trial is near an edge when it sits within ``margin`` (a fraction of the range, on
    the dimension's own scale) of ``low`` or ``high``. An empty dict means the best trials
    sit inside the space; otherwise widen the named side and search again, because the
    best value may lie beyond it.
    """
    arr = _scores_2d(scores)
    top = _count("top", top)
    if not 0 <= margin < 0.5:
        raise ValueError(f"margin is a fraction of the range in [0, 0.5), got {margin!r}.")
    unit = space.to_unit(points)
    if unit.shape[0] != arr.shape[0]:
        raise ValueError(f"points hold {unit.shape[0]} trials but scores hold {arr.shape[0]}.")
    order = np.argsort(_mean_score(arr, mode))
    best = order[::-1][:top] if mode == "max" else order[:top]
    out: dict[str, str] = {}
    for i, d in enumerate(space.dimensions):
        u = unit[best, i]
        if np.any(u <= margin):
            out[d.name] = "low"
        elif np.any(u >= 1 - margin):
            out[d.name] = "high"
    return out


@dataclass(frozen=True)
class Isolation:
    """Best trial per value of the scientific hyperparameter (see ``isolation``)."""

    values: tuple
    best: np.ndarray       # index (into all trials) of the best trial for each value
    within: np.ndarray     # the same trial's position among its value's trials (0 = first)
    mean: np.ndarray       # its mean score over seeds
    low: np.ndarray        # its lowest seed
    high: np.ndarray       # its highest seed
    counts: np.ndarray     # trials searched for each value

    def __str__(self) -> str:
        rows = [f"{v!s:>14}: its trial {w:>2} (of {c}) is best: mean {m:.4f} "
                f"(seeds {lo:.4f} to {hi:.4f})"
                for v, w, c, m, lo, hi in zip(self.values, self.within, self.counts, self.mean,
                                              self.low, self.high, strict=True)]
        return "\n".join(rows)


def isolation(scientific: Sequence[Any], scores: Any, budget: int | None = None,
              mode: str = "max") -> Isolation:
    """For each value of the scientific hyperparameter, its best trial over the nuisance ones.

    ``scientific[i]`` is trial i's value (e.g. ``"adam"``); ``scores`` has shape
    ``(trials,)`` or ``(trials, seeds)``. The best trial is chosen by its mean over seeds;
    ``low``/``high`` give that trial's seed-to-seed range (the isolation plot's error bar).
    ``budget`` keeps only the first ``budget`` trials of each value (in order), to see what
    a smaller search would have concluded.
    """
    arr = _scores_2d(scores)
    sci = list(scientific)
    if len(sci) != arr.shape[0]:
        raise ValueError(f"scientific has {len(sci)} entries but scores has {arr.shape[0]} trials.")
    if budget is not None:
        budget = _count("budget (trials per value)", budget)
    values = tuple(dict.fromkeys(sci))
    mean_all = _mean_score(arr, mode)
    best, within, mean, low, high, counts = [], [], [], [], [], []
    for v in values:
        idx = np.array([i for i, s in enumerate(sci) if s == v])[:budget]
        w = int(np.argmax(mean_all[idx]) if mode == "max" else np.argmin(mean_all[idx]))
        pick = idx[w]
        best.append(int(pick))
        within.append(w)
        mean.append(float(arr[pick].mean()))
        low.append(float(arr[pick].min()))
        high.append(float(arr[pick].max()))
        counts.append(len(idx))
    return Isolation(values, np.array(best), np.array(within), np.array(mean), np.array(low),
                     np.array(high), np.array(counts))


def trials_that_fit(budget_s: float, cost_s: float, parallel: int = 1) -> int:
    """How many trials a time budget buys: ``floor(budget / cost) * parallel``."""
    for name, v in (("budget_s", budget_s), ("cost_s", cost_s)):
        checks.number(f"{name} (seconds)", v, low=0, low_open=True)
    return int(budget_s // cost_s) * _count("parallel", parallel)


# -- many trials in one fit ----------------------------------------------------------------
@dataclass
class TrialRuns:
    """What ``train_trials`` returns: one row per copy (a trial's seed).

    ``history[metric]`` has shape ``(copies, epochs)`` for ``"loss"`` (training loss),
    ``"val_loss"`` and ``"val_accuracy"``; ``learning_rate``, ``l2`` and ``seed`` give each
    copy's settings; ``seconds`` the wall time of the fit; ``evaluate(x, y)`` each copy's
    ``{"loss", "accuracy"}`` on other data (the test split).
    """

    learning_rate: np.ndarray
    l2: np.ndarray
    seed: np.ndarray
    history: dict[str, np.ndarray]
    seconds: float
    _predict: Callable[[Any], np.ndarray] | None = field(default=None, repr=False)

    def evaluate(self, x: Any, y: Any) -> dict[str, np.ndarray]:
        return _metrics(self._predict(x), np.asarray(y))

    def final(self, metric: str = "val_accuracy") -> np.ndarray:
        return self.history[metric][:, -1].copy()


def _metrics(probs: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """probs (batch, copies, classes) -> per-copy loss and accuracy."""
    picked = np.take_along_axis(probs, y[:, None, None].astype(int), axis=2)[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = -np.log(np.clip(picked, 1e-12, 1.0)).mean(axis=0)
    acc = (probs.argmax(axis=2) == y[:, None]).mean(axis=0)
    loss = np.where(np.isfinite(probs).all(axis=(0, 2)), loss, np.nan)
    return {"loss": loss.astype(np.float64), "accuracy": acc.astype(np.float64)}


def _glorot(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    limit = math.sqrt(6 / (fan_in + fan_out))  # keras.initializers.GlorotUniform
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype("float32")


def train_trials(optimizer: str, learning_rate: Any, l2: Any, seeds: Any, x: Any, y: Any,
                 validation_data: tuple[Any, Any], epochs: int = 8, batch_size: int = 32,
                 hidden: int = 32, momentum: float = 0.9, callbacks: Sequence[Any] = (),
                 batch_order_seed: int = 0, progress: str | None = None) -> TrialRuns:
    """Train one MLP ``inputs -> Dense(hidden, relu) -> Dense(classes, softmax)`` per copy.

    ``learning_rate``, ``l2`` and ``seeds`` are equal-length sequences, one entry per
    copy (a trial's seed). All copies are stacked into one Keras model whose weights have
    a leading ``copies`` axis, and trained by one ``fit`` with Keras's own ``"adam"`` or
    ``"sgd"`` (with ``momentum``) update: each copy's step uses its own learning rate
    (the optimizer's update is elementwise, so a per-copy rate is exact), its own L2
    penalty ``l2 * sum(W**2)`` on both kernels, and its own starting weights (Glorot
    uniform drawn from its seed). What they share: the batch order and the epochs.
    Copies with the same seed start from the same weights, so they pair up.
    ``progress`` (a label) shows a progress bar over the epochs (tqdm).
    """
    import keras
    from keras import ops

    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"optimizer must be 'adam' or 'sgd' (with momentum), got {optimizer!r}.")
    lr = np.asarray(learning_rate, dtype=np.float64).ravel()
    lam = np.asarray(l2, dtype=np.float64).ravel()
    sd = np.asarray(seeds).ravel()
    n = _count("the number of copies (trials x seeds)", lr.size)
    if lam.size != n or sd.size != n:
        raise ValueError(f"learning_rate, l2 and seeds need one entry per copy; got {lr.size}, "
                         f"{lam.size} and {sd.size}.")
    if not (np.all(lr > 0) and np.all(lam >= 0)):
        raise ValueError("learning rates must be > 0 and l2 weights >= 0.")
    x = np.asarray(x, dtype="float32")
    y = np.asarray(y)
    xv, yv = np.asarray(validation_data[0], dtype="float32"), np.asarray(validation_data[1])
    d_in, k = x.shape[1], int(max(y.max(), yv.max())) + 1

    w1 = np.empty((n, d_in, hidden), "float32")
    w2 = np.empty((n, hidden, k), "float32")
    for i, s in enumerate(sd):
        rng = np.random.default_rng(int(s))
        w1[i], w2[i] = _glorot(rng, d_in, hidden), _glorot(rng, hidden, k)

    class Stacked(keras.layers.Layer):
        def build(self, _shape: Any) -> None:
            self.w1 = self.add_weight(shape=w1.shape, initializer=lambda *a, **kw: w1, name="w1")
            self.b1 = self.add_weight(shape=(n, hidden), initializer="zeros", name="b1")
            self.w2 = self.add_weight(shape=w2.shape, initializer=lambda *a, **kw: w2, name="w2")
            self.b2 = self.add_weight(shape=(n, k), initializer="zeros", name="b2")

        def call(self, inputs: Any) -> Any:
            h = ops.relu(ops.einsum("bi,nih->bnh", inputs, self.w1) + self.b1)
            out = ops.softmax(ops.einsum("bnh,nhk->bnk", h, self.w2) + self.b2, axis=-1)
            lam_t = ops.convert_to_tensor(lam.astype("float32"))
            penalty = ops.sum(lam_t * (ops.sum(self.w1 ** 2, axis=(1, 2)) +
                                       ops.sum(self.w2 ** 2, axis=(1, 2))))
            self.add_loss(penalty)
            return out

    base = keras.optimizers.Adam if optimizer == "adam" else keras.optimizers.SGD
    kwargs = {} if optimizer == "adam" else {"momentum": momentum}
    rates = lr.astype("float32")

    class PerCopy(base):  # Keras's own update, with the learning rate per copy (elementwise)
        def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> Any:
            shape = (n,) + (1,) * (len(variable.shape) - 1)
            scale = ops.reshape(ops.convert_to_tensor(rates), shape)
            return super().update_step(gradient, variable, ops.cast(learning_rate, "float32") * scale)

    def loss_fn(y_true: Any, probs: Any) -> Any:  # the sum over copies of each copy's loss
        y_idx = ops.cast(ops.reshape(y_true, (-1,)), "int32")
        onehot = ops.one_hot(y_idx, k)[:, None, :]
        picked = ops.sum(onehot * probs, axis=-1)
        return ops.sum(ops.mean(-ops.log(ops.clip(picked, 1e-7, 1.0)), axis=0))

    keras.utils.set_random_seed(batch_order_seed)
    inputs = keras.Input(shape=(d_in,))
    model = keras.Model(inputs, Stacked()(inputs))
    model.compile(optimizer=PerCopy(learning_rate=1.0, **kwargs), loss=loss_fn)

    history: dict[str, list[np.ndarray]] = {"loss": [], "val_loss": [], "val_accuracy": []}

    def predict(xe: Any) -> np.ndarray:
        return np.asarray(model(np.asarray(xe, dtype="float32"), training=False))

    bar = None
    if progress is not None:
        from tqdm.auto import tqdm
        bar = tqdm(total=epochs, desc=f"{progress} ({n} models)", unit="epoch")

    class Record(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            tr, va = _metrics(predict(x), y), _metrics(predict(xv), yv)
            history["loss"].append(tr["loss"])
            history["val_loss"].append(va["loss"])
            history["val_accuracy"].append(va["accuracy"])
            if bar is not None:
                bar.update(1)

    start = time.perf_counter()
    try:
        model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0,
                  callbacks=[Record(), *callbacks])
    finally:
        if bar is not None:
            bar.close()
    seconds = time.perf_counter() - start
    return TrialRuns(lr, lam, sd, {k_: np.stack(v, axis=1) for k_, v in history.items()},
                     seconds, predict)
