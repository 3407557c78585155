"""Several seeds at once, honestly summarised: is a difference real, or seed noise?

One training run is one draw from a distribution: change the seed (the starting
weights, the dropout masks) and the final accuracy moves. A claim such as
"Adam beats SGD here" is only evidence when the difference is larger than that
seed-to-seed spread. This module gives the three tools the course uses for every
comparison it draws a conclusion from:

- ``train_seeds(build_model, x, y, seeds=5, **fit_kwargs)``: train one Keras model
  per seed, cheaply (five seeds cost about twice one, not five times), and get every
  seed's per-epoch history and final metrics back, divergence included.
- ``summary(scores)``: mean, standard deviation, a 95% confidence interval, min and max.
- ``paired_difference(a, b)``: the mean of the per-seed differences ``a - b`` with a 95%
  interval, and ``.real``: does the interval exclude 0?

The statistics need only NumPy and SciPy: a NumPy experiment (chapters 01-04) calls
``summary`` and ``paired_difference`` without loading TensorFlow. Only ``train_seeds``
imports Keras, when it is called. The figures (learning curves with a band over
seeds, point-and-interval charts) are ``plots.seed_band`` and ``plots.intervals``.

>>> from course_utils import experiments
>>> s = experiments.summary([0.961, 0.958, 0.966, 0.955, 0.963])
>>> round(s.mean, 4), s.n
(0.9606, 5)
>>> d = experiments.paired_difference([3.0, 2.9, 3.2, 3.1, 3.0], [2.0, 2.1, 2.0, 1.9, 2.2])
>>> d.real
True

Taught from 01_loss_and_gradient_descent on; the tuning protocol of chapter 14 rests on it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats as _stats

from course_utils import checks

__all__ = ["Summary", "PairedDifference", "SeedRuns", "summary", "paired_difference",
           "train_seeds", "seed_list"]


# -- input ---------------------------------------------------------------------------------
def seed_list(seeds: int | Sequence[int]) -> tuple[int, ...]:
    """``seeds`` as a tuple of distinct whole numbers: ``5`` means ``(0, 1, 2, 3, 4)``."""
    if isinstance(seeds, bool):
        raise ValueError(f"seeds must be a count (e.g. 5) or a list of distinct whole numbers, "
                         f"got {seeds!r}.")
    if isinstance(seeds, int | np.integer):
        if seeds < 1:
            raise ValueError(f"seeds must be at least 1, got {seeds}; pass 5 for five seeds.")
        return tuple(range(int(seeds)))
    if isinstance(seeds, str) or not isinstance(seeds, Sequence | np.ndarray):
        raise ValueError(f"seeds must be a count (e.g. 5) or a list of distinct whole numbers, "
                         f"got {seeds!r}.")
    out = []
    for s in seeds:
        out.append(checks.whole(f"each seed (in {list(seeds)})", s, low=0))
    if not out:
        raise ValueError("seeds is empty: pass a count (e.g. 5) or a list such as [0, 1, 2, 3, 4].")
    repeated = sorted({s for s in out if out.count(s) > 1})
    if repeated:
        raise ValueError(f"seeds must be distinct, but {repeated} appear more than once in {out}: "
                         f"a repeated seed is the same run counted twice, which narrows the "
                         f"interval without adding evidence.")
    return tuple(out)


def _scores(name: str, values: Any) -> np.ndarray:
    if isinstance(values, Mapping):
        values = list(values.values())
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a list or 1-D array of numbers (one per seed), "
                         f"got {values!r}.") from err
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one number per seed), got shape {arr.shape}.")
    return arr


def _check_level(level: float) -> float:
    return checks.number("level (a confidence level, e.g. 0.95)", level, low=0, high=1,
                         low_open=True, high_open=True)


def _t_interval(values: np.ndarray, level: float) -> tuple[float, float, float, float]:
    """Mean, sample standard deviation and Student's t interval for the mean."""
    n = values.size
    mean = float(values.mean())
    std = float(values.std(ddof=1))
    half = float(_stats.t.ppf(0.5 + level / 2, n - 1)) * std / math.sqrt(n)
    return mean, std, mean - half, mean + half


# -- summary -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _OverSeeds:
    """What a summary and a paired difference share: ``n`` runs, a mean with its ``level``
    confidence interval ``[low, high]``, and how many runs ``diverged`` (then all are NaN)."""

    n: int
    mean: float
    low: float
    high: float
    diverged: int = field(default=0, kw_only=True)
    level: float = field(default=0.95, kw_only=True)


@dataclass(frozen=True)
class Summary(_OverSeeds):
    """Mean, spread and a confidence interval for one number measured over seeds.

    ``low``/``high`` bound a ``level`` (95%) confidence interval for the *mean* over
    seeds (Student's t with n - 1 degrees of freedom): where the average would land
    if you reran the whole experiment with fresh seeds. ``min``/``max`` show the spread
    of single runs, which is what one seed of your own can give.

    A run that diverged (a NaN or infinite score) is counted in ``diverged`` and
    makes ``mean``, ``std`` and the interval NaN: an average that silently left it
    out would look better the more runs fail.
    """

    std: float
    min: float
    max: float
    median: float
    values: tuple[float, ...] = field(default=(), repr=False, kw_only=True)

    def __str__(self) -> str:
        if self.diverged:
            return (f"{self.diverged} of {self.n} seeds diverged (no mean); "
                    f"the others: median {self.median:.4g}, min {self.min:.4g}, max {self.max:.4g}")
        return (f"{self.mean:.4g} ± {(self.high - self.low) / 2:.2g} "
                f"({self.level:.0%} CI {self.low:.4g} to {self.high:.4g}; "
                f"min {self.min:.4g}, max {self.max:.4g}; n={self.n})")


def summary(scores: Sequence[float] | np.ndarray | Mapping[Any, float],
            level: float = 0.95) -> Summary:
    """Summarise one metric measured over seeds (at least two: an interval needs a spread).

    ``scores`` is one number per seed (a list, a 1-D array or ``{seed: score}``).

    >>> print(summary([0.95, 0.96, 0.97]))
    0.96 ± 0.025 (95% CI 0.9352 to 0.9848; min 0.95, max 0.97; n=3)
    """
    values = _scores("scores", scores)
    level = _check_level(level)
    if values.size < 2:
        raise ValueError(f"summary needs at least 2 seeds to estimate a spread, got {values.size}; "
                         f"train with seeds=5 (experiments.train_seeds) and pass all the scores.")
    finite = np.isfinite(values)
    diverged = int((~finite).sum())
    kept = values[finite]
    smallest, largest, median = ((float(kept.min()), float(kept.max()), float(np.median(kept)))
                                 if kept.size else (math.nan, math.nan, math.nan))
    if diverged:
        mean = std = low = high = math.nan
    else:
        mean, std, low, high = _t_interval(values, level)
    return Summary(n=int(values.size), mean=mean, low=low, high=high, std=std, min=smallest,
                   max=largest, median=median, diverged=diverged, level=level,
                   values=tuple(values.tolist()))


# -- paired differences ----------------------------------------------------------------------
@dataclass(frozen=True)
class PairedDifference(_OverSeeds):
    """The difference ``a - b`` measured seed by seed, with a confidence interval.

    Pairing matters: when ``a`` and ``b`` share a seed (the same starting weights, the
    same batch order), much of the seed-to-seed noise cancels in ``a - b``, so a real
    difference shows with fewer seeds than two independent averages would need.

    ``real`` is True when the ``level`` interval excludes 0. It is calibrated: on two
    identical distributions it says "real" about 5% of the time (1 - level), which is
    the price of deciding from data; the tests check it.
    """

    wins: int
    differences: tuple[float, ...] = field(default=(), repr=False, kw_only=True)

    @property
    def real(self) -> bool:
        """True when the interval excludes 0 (never for pairs with a diverged run)."""
        return bool(self.diverged == 0 and (self.low > 0 or self.high < 0))

    def __str__(self) -> str:
        if self.diverged:
            return (f"{self.diverged} of {self.n} pairs include a diverged run (NaN or inf): no "
                    f"interval; compare a score that stays finite (accuracy) or count divergences")
        verdict = "a real difference" if self.real else "within seed noise (the interval includes 0)"
        return (f"mean difference {self.mean:+.4g} ({self.level:.0%} CI {self.low:+.4g} to "
                f"{self.high:+.4g}; a > b in {self.wins} of {self.n} seeds): {verdict}")


def paired_difference(a: Sequence[float] | np.ndarray | Mapping[Any, float],
                      b: Sequence[float] | np.ndarray | Mapping[Any, float],
                      level: float = 0.95) -> PairedDifference:
    """Compare two settings run on the same seeds: ``a[i]`` and ``b[i]`` share seed i.

    The interval is Student's t on the per-seed differences. We chose t over the
    bootstrap on purpose: with 5 seeds a percentile bootstrap interval is too narrow
    (it calls identical settings different far more often than 5% of the time),
    while t is exact for normal noise and close to 5% for the skewed noise of
    accuracies (the unit tests measure both).

    ``a`` and ``b`` are equal-length lists or arrays, or ``{seed: score}`` dicts with
    the same seeds (then they are paired by seed, whatever their order).
    """
    level = _check_level(level)
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        if set(a) != set(b):
            raise ValueError(f"a and b must hold the same seeds to be paired; a has "
                             f"{sorted(a)}, b has {sorted(b)}.")
        keys = list(a)
        a, b = [a[k] for k in keys], [b[k] for k in keys]
    va, vb = _scores("a", a), _scores("b", b)
    if va.size != vb.size:
        raise ValueError(f"a and b must be pairs (one score per seed for each), but a has "
                         f"{va.size} scores and b has {vb.size}: run both on the same seeds.")
    if va.size < 2:
        raise ValueError(f"paired_difference needs at least 2 pairs of seeds, got {va.size}; "
                         f"5 or more give a useful interval.")
    diff = va - vb
    finite = np.isfinite(diff)
    diverged = int((~finite).sum())
    wins = int((va > vb).sum())
    if diverged:
        mean = low = high = math.nan
    elif np.all(diff == diff[0]):  # no spread at all: the interval is the point itself
        mean = low = high = float(diff[0])
    else:
        mean, _, low, high = _t_interval(diff, level)
    return PairedDifference(n=int(diff.size), mean=mean, low=low, high=high, wins=wins,
                            diverged=diverged, level=level, differences=tuple(diff.tolist()))


# -- training over seeds ---------------------------------------------------------------------
@dataclass
class SeedRuns:
    """What ``train_seeds`` returns: every seed's learning curves and final metrics.

    Attributes:
        seeds: the seeds, in order; row i of every array belongs to ``seeds[i]``.
        history: ``{metric: array of shape (n_seeds, epochs)}`` with Keras's names
            (``"loss"``, ``"accuracy"``, ``"val_loss"``...), one row per seed; a seed
            that stopped early (``EarlyStopping``, with ``parallel=False``) is NaN after
            its last epoch.
        epochs_run: per seed, how many epochs it trained.
        diverged_at: per seed, the first epoch (0-based) whose training loss was NaN
            or infinite, -1 if none.
        models: the trained models, one per seed (each can ``evaluate`` or ``predict``);
            side by side, each copy's name gets ``_seed_<seed>`` appended.
    """

    seeds: tuple[int, ...]
    history: dict[str, np.ndarray]
    diverged_at: np.ndarray
    models: list[Any] = field(repr=False)
    epochs_run: np.ndarray = field(default=None, repr=False)
    _evaluate: Callable[..., dict[str, np.ndarray]] | None = field(default=None, repr=False)

    @property
    def diverged(self) -> np.ndarray:
        """True for each seed whose training loss became NaN or infinite."""
        return self.diverged_at >= 0

    def __post_init__(self) -> None:
        if self.epochs_run is None:
            self.epochs_run = np.full(len(self.seeds), self.history["loss"].shape[1])

    @property
    def epochs(self) -> int:
        """The longest run's number of epochs (the width of the ``loss`` array)."""
        return self.history["loss"].shape[1]

    def final(self, metric: str = "val_accuracy") -> np.ndarray:
        """The last epoch's value of ``metric`` for each seed, shape ``(n_seeds,)``."""
        if metric not in self.history:
            raise ValueError(f"no metric {metric!r} was recorded; there are {sorted(self.history)}.")
        values = self.history[metric]
        if values.shape[1] != self.epochs:  # recorded every few epochs (validation_freq)
            return values[:, -1].copy()
        last = self.epochs_run - 1  # each seed's own last epoch (early stopping differs)
        return values[np.arange(len(self.seeds)), last].copy()

    def best(self, metric: str = "val_accuracy", mode: str = "max") -> np.ndarray:
        """Each seed's best value of ``metric`` over the epochs (``mode`` "max" or "min")."""
        if mode not in ("max", "min"):
            raise ValueError(f"mode must be 'max' or 'min', got {mode!r}.")
        self.final(metric)  # checks the name
        curves = self.history[metric]
        return (np.nanmax if mode == "max" else np.nanmin)(curves, axis=1)

    def summary(self, metric: str = "val_accuracy", level: float = 0.95) -> Summary:
        """``summary`` of the final ``metric`` over the seeds."""
        return summary(self.final(metric), level)

    def evaluate(self, x: Any, y: Any = None, batch_size: int | None = None) -> dict[str, np.ndarray]:
        """Each seed's model evaluated on ``(x, y)``: ``{metric: array (n_seeds,)}``."""
        return self._evaluate(x, y, batch_size)


def _output_names(seeds: tuple[int, ...]) -> list[str]:
    return [f"seed_{s}" for s in seeds]


def _per_output(y: Any, names: list[str]) -> Any:
    return None if y is None else {name: y for name in names}


def _is_dataset(obj: Any) -> bool:
    return type(obj).__name__.endswith("Dataset") and hasattr(obj, "map")


def _replicate_dataset(ds: Any, names: list[str]) -> Any:
    def split(x, y, *weights):
        out = (x, {n: y for n in names})
        return out + ({n: weights[0] for n in names},) if weights else out
    return ds.map(split)


def _build(build_model: Callable[[int], Any], seed: int) -> Any:
    import keras

    keras.utils.set_random_seed(seed)  # unseeded initialisers and dropout draw from this
    model = build_model(seed)
    if not isinstance(model, keras.Model):
        raise ValueError(f"build_model(seed) must return a compiled keras.Model, got "
                         f"{type(model).__name__}.")
    if not model.compiled:
        raise ValueError("build_model(seed) must return a *compiled* model: call "
                         "model.compile(optimizer=..., loss=..., metrics=[...]) before returning it.")
    if len(model.outputs) != 1:
        raise ValueError(f"train_seeds handles models with one output; this one has "
                         f"{len(model.outputs)}. Train a multi-output model seed by seed.")
    return model


def _history_arrays(per_seed: list[dict[str, list[float]]]) -> dict[str, np.ndarray]:
    """One row per seed; a seed that stopped early (``EarlyStopping``) is padded with NaN."""
    arrays = {}
    for k in per_seed[0]:  # per metric: validation_freq records fewer entries than epochs
        longest = max(len(h[k]) for h in per_seed)
        arrays[k] = np.array([list(h[k]) + [np.nan] * (longest - len(h[k])) for h in per_seed],
                             dtype=np.float64)
    return arrays


def _diverged_at(history: dict[str, np.ndarray], weights_ok: list[bool],
                 epochs_run: np.ndarray) -> np.ndarray:
    loss = history["loss"]
    ran = np.arange(loss.shape[1]) < epochs_run[:, None]  # the padding of an early stop is not
    bad = ~np.isfinite(loss) & ran                          # a divergence
    at = np.where(bad.any(axis=1), bad.argmax(axis=1), -1)
    for i, ok in enumerate(weights_ok):
        if not ok and at[i] < 0:
            at[i] = epochs_run[i] - 1
    return at


def _weights_finite(model: Any) -> bool:
    return all(np.isfinite(np.asarray(w)).all() for w in model.get_weights())


def train_seeds(build_model: Callable[[int], Any], x: Any, y: Any = None,
                seeds: int | Sequence[int] = 5, *, parallel: bool = True,
                batch_order_seed: int = 0, **fit_kwargs: Any) -> SeedRuns:
    """Train ``build_model(seed)`` once per seed and return every seed's history.

    ``build_model(seed)`` returns a **compiled** one-output Keras model (the optimizer,
    loss and metrics are read from it). Before each call, ``keras.utils.set_random_seed
    (seed)`` is run, so layers without an explicit seed get different, reproducible
    initial weights and dropout masks for each seed. ``x``, ``y`` and ``fit_kwargs``
    (``epochs``, ``batch_size``, ``validation_data``, ``validation_split``...) are what
    you would pass to ``model.fit``; ``x`` may also be a ``tf.data.Dataset`` of
    ``(x, y)`` pairs.

    How it stays cheap (``parallel=True``, the default): the n models are built side
    by side into one Keras model with n outputs, one loss each, and trained by a single
    ``fit``. The total loss is the sum of the n losses, and each copy's weights only
    touch its own loss, so each copy gets exactly the gradient it would get alone;
    the optimizer (Adam, SGD, ...) updates every weight element by element, so each copy
    takes exactly the steps it would take alone. One ``fit`` does the n small matrix
    products together, and 5 seeds cost about twice one (``benchmarks/experiments.py``).

    What the copies share and what differs:
      - shared: the batch order (one ``fit`` draws one shuffle; ``batch_order_seed``
        fixes it), the step count and the learning-rate schedule;
      - different: the initial weights and the dropout masks (from each seed).
    A seed that diverges (NaN or infinite loss) does not disturb the others; it is
    reported in ``diverged_at``, never dropped.

    Couplings the parallel form cannot express raise a ``ValueError`` and ask for
    ``parallel=False`` (one ``fit`` per seed, about n times the cost, same results):
    callbacks that watch a metric (``EarlyStopping``, ``ReduceLROnPlateau``,
    ``ModelCheckpoint``) would watch the *sum* over seeds, and ``class_weight`` is not
    supported by Keras for several outputs. ``global_clipnorm`` would clip all copies
    together, so it also needs ``parallel=False``.

    Returns a ``SeedRuns``: ``runs.history["val_accuracy"]`` has one row per seed,
    ``runs.final("val_accuracy")`` the last epoch's values, ``runs.summary(...)`` their
    ``summary``, ``runs.evaluate(x_test, y_test)`` each seed's test metrics.
    """
    import keras

    seeds = seed_list(seeds)
    checks.whole("batch_order_seed", batch_order_seed, low=0)
    if "seed" in fit_kwargs:
        raise ValueError("pass the seeds as seeds=[...] (or a count); fit has no seed argument.")
    fit_kwargs.setdefault("verbose", 0)
    models = [_build(build_model, s) for s in seeds]

    if not parallel:
        per_seed, evaluate_models = [], models
        for model in models:
            keras.utils.set_random_seed(batch_order_seed)
            per_seed.append(model.fit(x, y, **fit_kwargs).history)
        history = _history_arrays(per_seed)
        epochs_run = np.array([len(h["loss"]) for h in per_seed])

        def evaluate(xe: Any, ye: Any = None, batch_size: int | None = None) -> dict[str, np.ndarray]:
            rows = [m.evaluate(xe, ye, batch_size=batch_size, verbose=0, return_dict=True)
                    for m in evaluate_models]
            return {k: np.array([r[k] for r in rows], dtype=np.float64) for k in rows[0]}

        return SeedRuns(seeds, history,
                        _diverged_at(history, [_weights_finite(m) for m in models], epochs_run),
                        models, epochs_run, evaluate)

    for cb in fit_kwargs.get("callbacks") or []:
        if hasattr(cb, "monitor"):
            raise ValueError(f"{type(cb).__name__} watches {cb.monitor!r}, which in a parallel run "
                             f"is the sum over all seeds; pass parallel=False so each seed gets "
                             f"its own callback decisions.")
    if fit_kwargs.get("class_weight") is not None:
        raise ValueError("Keras does not support class_weight with several outputs; pass "
                         "parallel=False to train the seeds one by one.")
    first = models[0]
    try:
        first_input = first.inputs[0]
    except (AttributeError, IndexError, ValueError) as err:
        raise ValueError("build_model must give the model a known input shape: start a "
                         "Sequential with keras.Input(shape=...) or build a Functional model.") from err
    if getattr(first.optimizer, "global_clipnorm", None):
        raise ValueError("global_clipnorm would clip all seeds' gradients together; pass "
                         "parallel=False (or use clipnorm, which clips each weight on its own).")

    names = _output_names(seeds)
    for name, model in zip(names, models, strict=True):
        model.name = f"{model.name}_{name}"  # copies built by one function share a name
    inputs = keras.Input(shape=first_input.shape[1:], dtype=first_input.dtype)
    combined = keras.Model(inputs, {n: m(inputs) for n, m in zip(names, models, strict=True)},
                           name="seeds_side_by_side")
    config = first.get_compile_config()
    metrics = config.get("metrics") or []
    metrics = metrics if isinstance(metrics, list) else [metrics]

    def fresh_metrics() -> list[Any]:
        return [m if isinstance(m, str) else keras.metrics.deserialize(m) for m in metrics]

    combined.compile(optimizer=first.optimizer, loss={n: first.loss for n in names},
                     metrics={n: fresh_metrics() for n in names},
                     steps_per_execution=config.get("steps_per_execution", 1),
                     jit_compile=config.get("jit_compile", "auto"))

    def inputs_for(xd: Any, yd: Any) -> tuple[Any, Any]:
        if _is_dataset(xd):
            return _replicate_dataset(xd, names), None
        return xd, _per_output(yd, names)

    x_fit, y_fit = inputs_for(x, y)
    validation = fit_kwargs.get("validation_data")
    if validation is not None:
        if _is_dataset(validation):
            fit_kwargs["validation_data"] = _replicate_dataset(validation, names)
        else:
            xv, yv, *wv = validation
            fit_kwargs["validation_data"] = (xv, _per_output(yv, names),
                                             *(_per_output(w, names) for w in wv))
    if fit_kwargs.get("sample_weight") is not None:
        fit_kwargs["sample_weight"] = _per_output(fit_kwargs["sample_weight"], names)
    keras.utils.set_random_seed(batch_order_seed)
    raw = combined.fit(x_fit, y_fit, **fit_kwargs).history
    per_seed = []
    for n in names if len(names) > 1 else []:  # Keras drops the prefix for one output
        h = {}
        for prefix in ("", "val_"):
            start = f"{prefix}{n}_"
            for key, values in raw.items():
                if key.startswith(start):
                    h[prefix + key[len(start):]] = values
        per_seed.append(h)
    history = _history_arrays(per_seed or [raw])

    def evaluate(xe: Any, ye: Any = None, batch_size: int | None = None) -> dict[str, np.ndarray]:
        xe, ye = inputs_for(xe, ye)
        raw_eval = combined.evaluate(xe, ye, batch_size=batch_size, verbose=0, return_dict=True)
        if len(names) == 1:
            return {k: np.array([float(v)]) for k, v in raw_eval.items()}
        out: dict[str, list[float]] = {}
        for n in names:
            for key, value in raw_eval.items():
                if key.startswith(f"{n}_"):
                    out.setdefault(key[len(n) + 1:], []).append(float(value))
        return {k: np.array(v) for k, v in out.items()}

    epochs_run = np.full(len(seeds), history["loss"].shape[1])
    return SeedRuns(seeds, history,
                    _diverged_at(history, [_weights_finite(m) for m in models], epochs_run),
                    models, epochs_run, evaluate)
