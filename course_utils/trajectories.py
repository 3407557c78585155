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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from course_utils import optimizers as _optimizers
from course_utils import surfaces as _surfaces

__all__ = ["Trajectory", "run", "race", "typical_over_starts", "cut_at_window"]

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
        if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or \
                not tolerance > 0:
            raise ValueError(f"tolerance must be a number > 0 (e.g. 1e-6), got {tolerance!r}.")
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
    """
    opt = _optimizers.get(optimizer, **hyperparameters)
    surf = _surfaces.get(surface)
    x = _as_start(surf.start if start is None else start)
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}.")
    steps = int(steps)
    if bound is None:
        bound = 1000.0 * float(np.max(np.abs(surf.window)))
    elif not bound > 0:
        raise ValueError(f"bound must be a positive number, got {bound!r}.")

    path = np.full((steps + 1, *x.shape), np.nan)
    path[0] = x
    state = opt.init(x)
    grad, step = surf.grad, opt._step  # the checked entry points are too slow for this loop
    done = steps
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            x, state = step(x, grad(x), state)
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
