"""The welcome notebook's first slider: drag a line's slope and watch the error change.

Three steps, as in every explorer: ``compute`` (pure: the error at the slider's slope,
a ``SlopeData``), draw (the line, its residuals and the dot on the error curve) and
``describe`` (the readout). ``explorer.data`` is the last ``SlopeData``.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from course_utils import checks
from course_utils.widgets.base import Explorer, FigureView, Loop, float_slider

__all__ = ["slope_explorer"]


@dataclass(frozen=True)
class SlopeData:
    """One slope's numbers: the predictions ``w·x``, their mean squared error, the best ``w``."""

    slope: float
    predictions: np.ndarray
    error: float
    best_slope: float  # the bottom of the error curve (on the slider's grid of w)


def compute(slope: float, x: np.ndarray, y: np.ndarray, ws: np.ndarray, mse: np.ndarray
            ) -> SlopeData:
    """The line ``y = w·x`` at ``w = slope``: its predictions and mean squared error."""
    predictions = slope * x
    error = float(((predictions - y) ** 2).mean())
    return SlopeData(slope, predictions, error, float(ws[np.argmin(mse)]))


def describe(data: SlopeData) -> str:
    """The readout: the slope, its error and the best slope."""
    return (f"w = {data.slope:.2f} &nbsp; mean squared error = <b>{data.error:.3f}</b> "
            f"&nbsp; (the best w is about {data.best_slope:.2f})")


def slope_explorer(slope: float = 0.5, true_slope: float = 2.0, seed: int = 0) -> Explorer:
    """A line ``y = w·x`` through noisy points; the slider (key ``"slope"``) sets ``w``.

    Left: the points, the line and the residuals (the vertical misses). Right: the
    mean squared error as a function of ``w``, with a dot where you are. The
    bottom of that curve is what gradient descent will look for in chapter 01.
    """
    checks.number("slope", slope)
    checks.number("true_slope", true_slope)
    rng = np.random.default_rng(seed)
    x = np.linspace(-1, 1, 20)
    y = true_slope * x + rng.normal(scale=0.3, size=x.size)
    ws = np.linspace(-1.0, 5.0, 200)
    mse = ((ws[:, None] * x - y) ** 2).mean(axis=1)

    fig = Figure(figsize=(8, 3.2), dpi=90, layout="constrained")
    ax_fit, ax_loss = fig.subplots(1, 2)
    ax_fit.scatter(x, y, s=14, color="black", zorder=3)
    ax_fit.set(xlim=(-1.1, 1.1), ylim=(-4, 4), xlabel="$x$", ylabel="$y$", title="data and the line")
    (line,) = ax_fit.plot([], [], color="#d62728", lw=2)
    residuals = ax_fit.vlines(x, y, y, color="#d62728", alpha=0.4)
    ax_loss.plot(ws, mse, color="#1f77b4")
    ax_loss.set(xlabel="slope $w$", ylabel="mean squared error", title="error as a function of $w$")
    (dot,) = ax_loss.plot([], [], "o", color="#d62728", ms=8)
    view = FigureView(fig, animated=[line, residuals, dot])

    slider = float_slider("slope w", slope, -1.0, 5.0, step=0.05, key="slope")
    readout = W.HTML()

    def draw(data: SlopeData) -> None:
        w = data.slope
        line.set_data([-1.1, 1.1], [-1.1 * w, 1.1 * w])
        residuals.set_segments([[(xi, yi), (xi, pi)]
                                for xi, yi, pi in zip(x, y, data.predictions, strict=True)])
        dot.set_data([w], [data.error])
        view.redraw()

    loop = Loop(lambda: compute(slider.value, x, y, ws, mse), draw, describe, readout)
    loop.watch(slider)
    loop()
    return Explorer([slider], view, readout, loop)
