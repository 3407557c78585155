"""The optimizer explorer: pick a surface, up to three optimizers, their learning rates, a start.

Left, the surface's contours (drawn once per surface) with each optimizer's path;
right, the loss above the minimum against step, on a log scale. The readout gives
each optimizer's final loss and where it diverged. With several starts (a square grid
around the start point) every optimizer runs from all of them at once, the loss curve
is their median, and the readout counts how many arrived. Taught in 01, 03 and 04.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import ipywidgets as W
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from course_utils import optimizers as _opt
from course_utils import surfaces as _surfaces
from course_utils import trajectories
from course_utils.plots import color_for, surface_grid
from course_utils.widgets.base import (
    Explorer,
    FigureView,
    dropdown,
    float_slider,
    int_slider,
    log_slider,
)

__all__ = ["optimizer_explorer", "make_optimizer", "default_learning_rate", "start_grid",
           "EXPLORER_NAMES", "START_COUNTS"]

NONE = "(none)"
START_COUNTS = (1, 4, 9, 16)  # square grids, so the starts surround the chosen point evenly
# Besides Keras's names, the explorer knows the two momentum flavours of SGD by name.
EXPLORER_NAMES = ["sgd", "momentum", "nesterov", *[n for n in _opt.names() if n != "sgd"]]

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


def _joined(path: np.ndarray) -> np.ndarray:
    """Paths of shape (steps + 1, n, 2) as one (x, y) polyline, NaN rows between starts."""
    gaps = np.full((path.shape[1], 1, 2), np.nan)
    return np.concatenate([path.transpose(1, 0, 2), gaps], axis=1).reshape(-1, 2)


def make_optimizer(name: str, learning_rate: float) -> _opt.Optimizer:
    """An optimizer from an explorer name: Keras's names plus "momentum" and "nesterov"."""
    if name == "momentum":
        return _opt.SGD(learning_rate, momentum=0.9)
    if name == "nesterov":
        return _opt.SGD(learning_rate, momentum=0.9, nesterov=True)
    return _opt.get(name, learning_rate=learning_rate)


def optimizer_explorer(
    surface: str = "rosenbrock",
    optimizers: Sequence[str] = ("sgd", "momentum", "adam"),
    learning_rates: Sequence[float] | None = None,
    steps: int = 300,
    start: Sequence[float] | None = None,
    starts: int = 1,
) -> Explorer:
    """Race up to three optimizers on a 2-D surface, with sliders for everything.

    Args:
        surface: a name from ``surfaces.names()``.
        optimizers: one to three names from ``EXPLORER_NAMES``.
        learning_rates: one per optimizer; by default ``default_learning_rate``.
        steps: number of steps (10 to 1000).
        start: the start point; by default the surface's own.
        starts: how many start points, one of ``START_COUNTS`` (a grid around ``start``).
    """
    surf = _surfaces.get(surface)
    names = [str(n).lower() for n in optimizers]
    if not 1 <= len(names) <= 3:
        raise ValueError(f"optimizers must name 1 to 3 optimizers, got {len(names)}.")
    for n in names:
        if n not in EXPLORER_NAMES:
            raise ValueError(f"Unknown optimizer {n!r}; choose from {', '.join(EXPLORER_NAMES)}.")
    if learning_rates is not None and len(learning_rates) != len(names):
        raise ValueError("learning_rates must give one learning rate per optimizer.")
    if not 10 <= int(steps) <= 1000:
        raise ValueError(f"steps must be between 10 and 1000, got {steps}.")
    start_xy = np.asarray(surf.start if start is None else start, dtype=float)
    if start_xy.shape != (2,) or not np.isfinite(start_xy).all():
        raise ValueError(f"start must be two finite numbers (x, y), got {start!r}.")
    start_grid(start_xy, starts, surf)  # validates ``starts``

    # ---- controls -------------------------------------------------------------------
    surface_box = dropdown("surface", _surfaces.names(), surf.name)
    rows, name_boxes, rate_sliders = [], [], []
    for i in range(3):
        name = names[i] if i < len(names) else NONE
        rate = (learning_rates[i] if learning_rates is not None and i < len(names)
                else default_learning_rate(name, surf) if name != NONE else 0.01)
        if not rate > 0:
            raise ValueError(f"learning rates must be positive, got {rate!r}.")
        name_boxes.append(dropdown(f"optimizer {i + 1}", [NONE, *EXPLORER_NAMES], name))
        rate_sliders.append(log_slider(f"learning_rate η{i + 1}", rate, 1e-5, 10.0))
        rows.append(W.HBox([name_boxes[i], rate_sliders[i]]))
    steps_slider = int_slider("steps", int(steps), 10, 1000, step=10)
    (x0, x1), (y0, y1) = surf.window
    start_x = float_slider("start x", float(start_xy[0]), x0, x1, step=0.05)
    start_y = float_slider("start y", float(start_xy[1]), y0, y1, step=0.05)
    starts_box = dropdown("starts", START_COUNTS, starts)
    starts_box.layout.width = "140px"
    controls = [surface_box, *rows, W.HBox([steps_slider, starts_box]),
                W.HBox([start_x, start_y])]

    # ---- figure: static background + animated artists ---------------------------------
    fig = Figure(figsize=(9.5, 3.9), dpi=80, layout="constrained")
    ax_map, ax_loss = fig.subplots(1, 2, width_ratios=[1.1, 1])
    lines, ends, crosses, curves = [], [], [], []
    for _ in range(3):
        (path_line,) = ax_map.plot([], [], lw=1.8)
        (end,) = ax_map.plot([], [], "o", ms=6, markeredgecolor="white")
        (cross,) = ax_map.plot([], [], "X", ms=11, markeredgecolor="white")
        (curve,) = ax_loss.plot([], [], lw=1.6)
        lines.append(path_line), ends.append(end), crosses.append(cross), curves.append(curve)
    (start_dot,) = ax_map.plot([], [], "s", color="white", ms=7, markeredgecolor="black")
    view = FigureView(fig, animated=[*lines, *ends, *crosses, start_dot, *curves])
    readout = W.HTML()
    current = {"surface": None, "floor": 0.0, "steps": None, "count": None}

    def draw_background(s: _surfaces.Surface) -> None:
        """Contours and axes for a surface: the expensive part, done once per surface."""
        for coll in list(ax_map.collections):
            coll.remove()
        for artist in [*ax_map.lines, *ax_map.texts]:
            if artist not in view.animated:
                artist.remove()
        X, Y, Z = surface_grid(s, 100)
        floor = s.min_value if s.min_value is not None else float(np.nanmin(Z))
        gap = Z - floor + 1e-3 * (np.nanmax(Z) - floor + 1e-12)
        ax_map.contourf(X, Y, gap, levels=np.geomspace(gap.min(), gap.max(), 25), norm=LogNorm(),
                        cmap="viridis", alpha=0.85)
        for mx, my in s.minima:
            ax_map.plot(mx, my, "*", color="white", ms=13, markeredgecolor="black")
        (wx0, wx1), (wy0, wy1) = s.window
        ax_map.set(xlim=(wx0, wx1), ylim=(wy0, wy1), xlabel=r"$\theta_1$", ylabel=r"$\theta_2$",
                   title=f"{s.name}: paths")
        if s.min_value is not None:
            ax_loss.set_yscale("log")
            ax_loss.set_ylim(1e-10, max(float(np.nanmax(Z) - floor), 1.0) * 10)
            ax_loss.set_ylabel("loss − minimum (log scale)")
        else:
            ax_loss.set_yscale("symlog")
            ax_loss.set_ylim(float(np.nanmin(Z)) * 100, float(np.nanmax(Z)) * 10)
            ax_loss.set_ylabel("loss (symlog scale)")
        ax_loss.set_xlabel("step")
        ax_loss.set_title("loss against step")
        current["floor"] = floor if s.min_value is not None else 0.0

    def update() -> None:
        s = _surfaces.get(surface_box.value)
        full = False
        if current["surface"] != s.name:
            draw_background(s)
            current["surface"] = s.name
            full = True
        if current["steps"] != steps_slider.value:
            ax_loss.set_xlim(0, steps_slider.value)
            current["steps"] = steps_slider.value
            full = True
        start_now = np.array([start_x.value, start_y.value])
        count = int(starts_box.value)
        grid = start_grid(start_now, count, s)
        start_dot.set_data(grid[:, 0], grid[:, 1])
        if current["count"] != count:  # the title is part of the background: redraw it
            ax_loss.set_title("loss against step" if count == 1 else
                              f"loss against step (median of {count} starts)")
            current["count"] = count
            full = True
        rows_html = []
        for i in range(3):
            name = name_boxes[i].value
            visible = name != NONE
            for artist in (lines[i], ends[i], crosses[i], curves[i]):
                artist.set_visible(visible)
            rate_sliders[i].disabled = not visible
            if not visible:
                continue
            # All starts in one vectorised run: path (steps + 1, n, 2), NaN after divergence.
            # (One start runs as shape (2,): the kernels' fastest path.)
            res = trajectories.run(make_optimizer(name, rate_sliders[i].value), s,
                                   grid[0] if count == 1 else grid, steps_slider.value)
            path = res.path.reshape(res.path.shape[0], count, 2)
            color = color_for(name, i)
            drawn = _joined(path)
            lines[i].set_data(drawn[:, 0], drawn[:, 1])
            lines[i].set_linewidth(1.8 if count == 1 else 1.0)
            ends_xy = res.final_point.reshape(count, 2)
            diverged = np.atleast_1d(res.diverged)
            ends[i].set_data(ends_xy[~diverged, 0], ends_xy[~diverged, 1])
            crosses[i].set_data(ends_xy[diverged, 0], ends_xy[diverged, 1])
            gap = res.loss.reshape(-1, count) - current["floor"]  # NaN once a start diverged
            typical = trajectories.typical_over_starts(gap)  # a diverged start counts as ∞
            if s.min_value is not None:  # log axis: an exact minimum sits on the floor
                typical = np.maximum(typical, 1e-300)  # (NaN stays NaN: no dive to the floor)
            curves[i].set_data(np.arange(typical.size), typical)
            for artist in (lines[i], ends[i], crosses[i], curves[i]):
                artist.set_color(color)
            hits = np.atleast_1d(res.steps_to(1e-6))
            arrived = hits >= 0
            if count == 1:
                if diverged[0]:
                    status = f"<b>diverged</b> at step {int(res.diverged_at)}"
                else:
                    status = (f"stays within 1e-6 of the minimum from step {int(hits[0])}" if arrived[0]
                              else "not there yet")
            else:
                status = f"{int(arrived.sum())} of {count} settled within 1e-6"
                if arrived.any():
                    status += f" (median step {int(np.median(hits[arrived]))})"
                if diverged.any():
                    status += f"; <b>{int(diverged.sum())} diverged</b>"
            finite = np.atleast_1d(res.final_loss)[~diverged]
            final = f"{float(np.median(finite)):.3g}" if finite.size else "—"
            rows_html.append(
                f"<tr><td style='color:{color}'>■ {name}</td><td>{rate_sliders[i].value:.3g}</td>"
                f"<td>{final}</td><td>{status}</td></tr>")
        view.redraw(full=full)
        final_head = "final loss" if count == 1 else "median final loss"
        readout.value = (f"<table><tr><th>optimizer</th><th>η</th><th>{final_head}</th>"
                         "<th>outcome</th></tr>" + "".join(rows_html) + "</table>")

    def on_surface(_: object) -> None:
        s = _surfaces.get(surface_box.value)
        (nx0, nx1), (ny0, ny1) = s.window
        # Move the start and the rates to the new surface's scale without a redraw for each.
        for slider, lo, hi, value in ((start_x, nx0, nx1, s.start[0]), (start_y, ny0, ny1, s.start[1])):
            slider.unobserve(refresh, names="value")
            slider.min, slider.max = min(lo, slider.min), max(hi, slider.max)
            slider.value = value
            slider.min, slider.max = lo, hi
            slider.observe(refresh, names="value")
        for box, slider in zip(name_boxes, rate_sliders, strict=True):
            if box.value != NONE:
                slider.unobserve(refresh, names="value")
                slider.value = default_learning_rate(box.value, s)
                slider.observe(refresh, names="value")
        update()

    def on_name(change: dict) -> None:
        i = name_boxes.index(change["owner"])
        if change["new"] != NONE:
            rate_sliders[i].unobserve(refresh, names="value")
            rate_sliders[i].value = default_learning_rate(change["new"], _surfaces.get(surface_box.value))
            rate_sliders[i].observe(refresh, names="value")
        update()

    def refresh(_: object) -> None:
        update()

    surface_box.observe(on_surface, names="value")
    for box in name_boxes:
        box.observe(on_name, names="value")
    for control in (*rate_sliders, steps_slider, starts_box, start_x, start_y):
        control.observe(refresh, names="value")
    update()
    return Explorer(controls, view, readout, update)
