"""Run an optimizer on a 2-D surface, from one start or many at once.

This module computes; it never plots (``plots`` draws what it returns)::

    >>> from course_utils import trajectories
    >>> result = trajectories.run("adam", "beale", start=[1.0, 1.5], steps=200,
    ...                           learning_rate=0.05)
    >>> result.path.shape, result.loss.shape, int(result.diverged_at)
    ((201, 2), (201,), -1)

Several starts are one array of shape ``(n, 2)``: every optimizer kernel acts
element by element, so the n problems advance together in one NumPy call per step.

Divergence is a result, not a crash: once a start's point leaves the finite
numbers or goes beyond ``bound``, its path and loss are NaN from that step on
(matplotlib simply stops drawing the line there) and ``diverged_at`` records
the step. No floating-point warnings are printed along the way.

Taught in 01_loss_and_gradient_descent, 03_momentum and 04_adaptive_methods.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from course_utils import checks
from course_utils import optimizers as _optimizers
from course_utils import surfaces as _surfaces

__all__ = ["Trajectory", "run", "race", "typical_over_starts", "cut_at_window",
           "train_with_schedule", "SCHEDULE_PROBLEMS", "start_grid", "START_COUNTS",
           "default_learning_rate"]

# How often the loop checks whether every start has diverged (to stop early).
_CHECK_EVERY = 8


@dataclass(frozen=True)
class Trajectory:
    """What one optimizer did on one surface.

    Attributes:
        path: shape ``(steps + 1, 2)`` for one start or ``(steps + 1, n, 2)`` for n
            starts; row 0 is the start. NaN from the step a start diverged.
        loss: the surface's value along the path, shape ``(steps + 1,)`` or
            ``(steps + 1, n)``.
        diverged_at: the first step whose point was non-finite or beyond ``bound``,
            -1 if never; a 0-d array for one start, shape ``(n,)`` for n starts.
        optimizer, surface: what was run.
    """

    path: np.ndarray
    loss: np.ndarray
    diverged_at: np.ndarray
    optimizer: _optimizers.Optimizer
    surface: _surfaces.Surface

    @property
    def diverged(self) -> np.ndarray:
        """True for each start that diverged."""
        return self.diverged_at >= 0

    @property
    def final_point(self) -> np.ndarray:
        """The last finite point of each start's path, shape ``(2,)`` or ``(n, 2)``."""
        return _last_finite(self.path, self.diverged_at)

    @property
    def final_loss(self) -> np.ndarray:
        """The loss at the last step; NaN for a start that diverged."""
        return self.loss[-1]

    def steps_to(self, tolerance: float) -> np.ndarray:
        """The step from which the loss *stays* within ``tolerance`` of the surface's minimum.

        Not the first crossing: an oscillating run that dips below the tolerance and
        swings out again has not converged, and counting its first dip would make it
        look faster than it is. -1 where the loss is not within tolerance at the last
        step (never got there, left again, diverged, or the surface is unbounded below).
        """
        checks.number("tolerance (e.g. 1e-6)", tolerance, low=0, low_open=True)
        if self.surface.min_value is None:
            return np.full(self.diverged_at.shape, -1)
        with np.errstate(invalid="ignore"):
            close = self.loss - self.surface.min_value <= tolerance  # NaN (diverged) is False
        # stays[k]: within tolerance at step k and at every step after it
        stays = np.flip(np.logical_and.accumulate(np.flip(close, axis=0), axis=0), axis=0)
        first = stays.argmax(axis=0)
        return np.where(stays[-1], first, -1)


def typical_over_starts(values: np.ndarray) -> np.ndarray:
    """The typical start's value at each step: the median over starts (axis 1).

    A diverged start (NaN) counts as infinitely bad, not as missing: averaging only the
    survivors would make the curve look *better* the more starts fail. Once half the
    starts or more have diverged the median is infinite, and the curve stops there
    (NaN), as a single diverged start's curve does. A 1-D input (one start) comes back
    as it is.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:
        return values.copy()
    if values.ndim != 2:
        raise ValueError(f"values must have shape (steps, starts), got {values.shape}.")
    typical = np.median(np.where(np.isnan(values), np.inf, values), axis=1)
    typical[np.isinf(typical)] = np.nan
    return typical


def cut_at_window(path: np.ndarray, window: tuple[tuple[float, float], tuple[float, float]]
                  ) -> np.ndarray:
    """A copy of one start's ``path`` (shape ``(steps + 1, 2)``), NaN from the first point
    outside ``window`` on.

    For drawing a diverging run: beyond the picture its points only stretch lines off the
    axes, so the path stops where it leaves, and the last point kept marks where.
    """
    path = np.array(path, dtype=np.float64)
    if path.ndim != 2 or path.shape[1] != 2:
        raise ValueError(f"path must have shape (steps + 1, 2), got {path.shape}.")
    (x0, x1), (y0, y1) = window
    with np.errstate(invalid="ignore"):
        inside = (path[:, 0] >= x0) & (path[:, 0] <= x1) & (path[:, 1] >= y0) & (path[:, 1] <= y1)
    if not inside.all():
        path[int(np.argmin(inside)):] = np.nan
    return path


def _last_finite(path: np.ndarray, diverged_at: np.ndarray) -> np.ndarray:
    last = np.where(diverged_at >= 0, np.maximum(diverged_at - 1, 0), path.shape[0] - 1)
    if path.ndim == 2:
        return path[int(last)]
    return path[last, np.arange(path.shape[1])]


def _as_start(start: Any) -> np.ndarray:
    if not isinstance(start, np.ndarray | list | tuple):
        raise ValueError(
            f"start must be an array-like of shape (2,) or (n, 2), got {type(start).__name__}."
        )
    try:
        arr = np.array(start, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"start must hold numbers, got {start!r}.") from err
    if arr.ndim not in (1, 2) or arr.shape[-1] != 2 or arr.size == 0:
        raise ValueError(f"start must have shape (2,) or (n, 2), got shape {arr.shape}.")
    if not np.isfinite(arr).all():
        raise ValueError(f"start must be finite numbers (no NaN or inf), got {arr.tolist()}.")
    return arr


def run(
    optimizer: str | _optimizers.Optimizer,
    surface: str | _surfaces.Surface,
    start: Any = None,
    steps: int = 100,
    *,
    bound: float | None = None,
    gradient_noise: float = 0.0,
    seed: int = 0,
    **hyperparameters: Any,
) -> Trajectory:
    """Run ``optimizer`` on ``surface`` for ``steps`` steps from ``start``.

    Args:
        optimizer: an ``optimizers.Optimizer`` or a Keras name (``"adam"``);
            ``hyperparameters`` (e.g. ``learning_rate=0.01``) are passed to it.
        surface: a ``surfaces.Surface`` or a name (``"rosenbrock"``).
        start: shape ``(2,)`` or ``(n, 2)``; defaults to the surface's ``start``.
        steps: number of optimizer steps (>= 0).
        bound: a coordinate beyond this counts as diverged; by default 1000 times
            the largest coordinate of the surface's plotting window.
        gradient_noise: the standard deviation of normal noise added to every
            coordinate of every gradient, like the noise of a mini-batch gradient
            (chapters 02 and 05). The draws come from ``seed`` and are the same for
            every optimizer, so two runs with one seed differ only in the optimizer.
    """
    opt = _optimizers.get(optimizer, **hyperparameters)
    surf = _surfaces.get(surface)
    x = _as_start(surf.start if start is None else start)
    steps = checks.whole("steps", steps, low=0)
    if bound is None:
        bound = 1000.0 * float(np.max(np.abs(surf.window)))
    elif not bound > 0:
        raise ValueError(f"bound must be a positive number, got {bound!r}.")
    gradient_noise = checks.number("gradient_noise", gradient_noise, low=0)
    noise = (np.random.default_rng(seed).normal(scale=gradient_noise, size=(steps, *x.shape))
             if gradient_noise > 0 else None)

    path = np.full((steps + 1, *x.shape), np.nan)
    path[0] = x
    state = opt.init(x)
    grad, step = surf.grad, opt.step  # update() checks its inputs: too slow for this loop
    done = steps
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            g = grad(x) if noise is None else grad(x) + noise[k - 1]
            x, state = step(x, g, state)
            path[k] = x
            if k % _CHECK_EVERY == 0 and not (np.abs(x) <= bound).any():
                done = k  # every start has diverged: the rest stays NaN
                break
        outside = ~(np.abs(path[: done + 1]) <= bound).all(axis=-1)  # NaN counts as outside
        diverged_at = np.where(outside.any(axis=0), outside.argmax(axis=0), -1)
        if diverged_at.ndim == 0:
            if diverged_at >= 0:
                path[diverged_at:] = np.nan
        else:
            rows = np.arange(steps + 1)[:, None]
            path[(rows >= diverged_at) & (diverged_at >= 0)] = np.nan
        loss = surf.value(path)
    return Trajectory(path, loss, diverged_at, opt, surf)


def race(
    optimizers: Iterable[str | _optimizers.Optimizer] | Mapping[str, Any],
    surface: str | _surfaces.Surface,
    start: Any = None,
    steps: int = 100,
    *,
    bound: float | None = None,
) -> dict[str, Trajectory]:
    """Run several optimizers from the same start(s); returns ``{label: Trajectory}``.

    ``optimizers`` is a list of names or objects (labelled by their repr's class
    name, numbered if repeated) or a dict ``{label: optimizer}``::

        race({"momentum": optimizers.SGD(0.001, momentum=0.9),
              "adam": optimizers.Adam(0.05)}, "beale", starts, 500)
    """
    if isinstance(optimizers, Mapping):
        items = list(optimizers.items())
    else:
        items = []
        for opt in optimizers:
            label = opt if isinstance(opt, str) else type(opt).__name__
            while label in dict(items):
                label += "'"
            items.append((label, opt))
    if not items:
        raise ValueError("race needs at least one optimizer.")
    surf = _surfaces.get(surface)
    return {label: run(opt, surf, start, steps, bound=bound) for label, opt in items}


# The two problems of chapter 05's schedule designer: a schedule's worth depends on the noise.
SCHEDULE_PROBLEMS: dict[str, dict[str, Any]] = {
    "noisy quadratic + SGD": {"optimizer": "sgd", "surface": "quadratic", "noise": 1.0},
    "rosenbrock + Adam": {"optimizer": "adam", "surface": "rosenbrock", "noise": 0.0},
}


def train_with_schedule(
    learning_rate: float | Callable[[Any], Any],
    problem: str = "noisy quadratic + SGD",
    steps: int = 400,
    *,
    runs: int = 16,
    seed: int = 0,
) -> np.ndarray:
    """Run one of ``SCHEDULE_PROBLEMS`` with a schedule; returns the loss at steps 0..steps.

    ``learning_rate`` is a number or a schedule (``schedule(steps_array)``). For the
    noisy quadratic (κ = 10) each gradient is ``A·θ + ξ``, ``ξ`` normal with standard
    deviation 1 per coordinate (the same draws for every schedule, so two runs differ
    only in η), and the loss is the mean over ``runs`` independent noise draws, run side
    by side as ``runs`` starts. Rosenbrock with Adam has no noise. NaN from the step a
    run diverged.
    """
    spec = SCHEDULE_PROBLEMS[checks.choice("problem", problem, SCHEDULE_PROBLEMS)]
    if callable(learning_rate):
        lrs = np.asarray(learning_rate(np.arange(steps + 1)), dtype=float)
    else:
        lrs = np.full(steps + 1, float(learning_rate))
    if not (np.isfinite(lrs).all() and (lrs >= 0).all()):
        raise ValueError("the learning rates must be finite numbers >= 0.")
    lr_list = lrs.tolist()  # a Python list: the fastest lookup inside the step loop
    optimizer = _optimizers.get(spec["optimizer"], learning_rate=lr_list.__getitem__)
    surface = _surfaces.get(spec["surface"])
    if spec["noise"] == 0:
        return run(optimizer, surface, steps=steps).loss
    starts = np.tile(np.array(surface.start), (runs, 1))
    result = run(optimizer, surface, starts, steps, gradient_noise=spec["noise"], seed=seed)
    return result.loss.mean(axis=1)


# -- starts and learning rates for the explorers ------------------------------------------
START_COUNTS = (1, 4, 9, 16)  # square grids, so the starts surround the chosen point evenly

# Gradient descent needs η below 2/L, and L differs by orders of magnitude between the
# surfaces; adaptive methods take steps of about η whatever the gradient's size, so
# their η follows the window's size instead.
_SGD_RATE = {"quadratic": 0.5, "rosenbrock": 1e-3, "beale": 1e-3, "himmelblau": 0.01,
             "saddle": 0.05, "booth": 0.05, "six_hump_camel": 0.02, "rastrigin": 2e-3}


def default_learning_rate(name: str, surface: _surfaces.Surface) -> float:
    """A learning rate that makes an instructive (not necessarily best) path on ``surface``."""
    if name in ("sgd", "momentum", "nesterov"):
        rate = _SGD_RATE.get(surface.name, 0.01)
        return rate / 2 if name != "sgd" else rate  # momentum lengthens the step ~1/(1-β)
    width = surface.window[0][1] - surface.window[0][0]
    rate = 0.01 * width
    return {"adadelta": 50 * rate, "adagrad": 10 * rate, "lion": rate / 2}.get(name, rate)


def start_grid(center: Sequence[float], count: int, surface: _surfaces.Surface) -> np.ndarray:
    """``count`` start points (a square number) on a grid around ``center``, shape (count, 2).

    The grid spans 30% of the surface's window in each direction and stays inside it; one
    start is ``center`` itself. Running every start at once shows whether an optimizer's
    success depends on where it begins.
    """
    side = int(round(math.sqrt(count)))
    if count not in START_COUNTS:
        raise ValueError(f"starts must be one of {START_COUNTS}, got {count!r}.")
    center = np.asarray(center, dtype=float)
    if side == 1:
        return center[None, :]
    (x0, x1), (y0, y1) = surface.window
    offsets = np.linspace(-0.15, 0.15, side)
    xs = np.clip(center[0] + offsets * (x1 - x0), x0, x1)
    ys = np.clip(center[1] + offsets * (y1 - y0), y0, y1)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])
