"""The optimizer explorer: pick a surface, up to three optimizers, their learning rates, a start.

Left, the surface's contours (an image, swapped in a few milliseconds) with each optimizer's path;
right, the loss above the minimum against step, on a log scale. The readout gives
each optimizer's final loss and where it diverged. With several starts (a square grid
around the start point) every optimizer runs from all of them at once, the loss curve
is their median, and the readout counts how many arrived. The code is three steps:
``compute`` (pure: one ``Race`` from the settings), ``draw`` (set the artists) and
``describe`` (the readout's table). Taught in 01, 03 and 04.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from course_utils import checks, plots, trajectories
from course_utils import surfaces as _surfaces
from course_utils.optimizers import EXPLORER_NAMES, make_optimizer
from course_utils.plots import color_for
from course_utils.trajectories import START_COUNTS, default_learning_rate, start_grid
from course_utils.widgets.base import (
    Explorer,
    FigureView,
    Loop,
    dropdown,
    float_slider,
    int_slider,
    log_slider,
    set_range,
)

__all__ = ["optimizer_explorer"]

NONE = "(none)"


def _joined(path: np.ndarray) -> np.ndarray:
    """Paths of shape (steps + 1, n, 2) as one (x, y) polyline, NaN rows between starts."""
    gaps = np.full((path.shape[1], 1, 2), np.nan)
    return np.concatenate([path.transpose(1, 0, 2), gaps], axis=1).reshape(-1, 2)


@dataclass(frozen=True)
class Lane:
    """One optimizer's run in the race, from every start at once."""

    name: str
    learning_rate: float
    result: trajectories.Trajectory
    typical: np.ndarray  # the typical start's loss above the floor (a diverged start counts ∞)
    settled_at: np.ndarray  # per start: the step from which it stays within 1e-6 (-1: never)
    diverged: np.ndarray  # per start


@dataclass(frozen=True)
class Race:
    """What one setting of the optimizer explorer computes (``explorer.data``)."""

    surface: _surfaces.Surface
    starts: np.ndarray  # (count, 2)
    steps: int
    floor: float  # the loss the curves are measured from (the minimum, or 0 with none)
    lanes: tuple[Lane, ...]


TOLERANCE = 1e-6


def compute(surface: _surfaces.Surface, lanes: Sequence[tuple[str, float]], steps: int,
            starts: np.ndarray) -> Race:
    """Run each ``(name, learning_rate)`` from every start (one vectorised run each)."""
    count = len(starts)
    floor = surface.min_value if surface.min_value is not None else 0.0
    out = []
    for name, rate in lanes:
        # One start runs as shape (2,): the kernels' fastest path.
        result = trajectories.run(make_optimizer(name, rate), surface,
                                  starts[0] if count == 1 else starts, steps)
        gap = result.loss.reshape(-1, count) - floor  # NaN once a start diverged
        typical = trajectories.typical_over_starts(gap)
        if surface.min_value is not None:  # log axis: an exact minimum sits on the floor
            typical = np.maximum(typical, 1e-300)  # (NaN stays NaN: no dive to the floor)
        out.append(Lane(name, rate, result, typical, np.atleast_1d(result.steps_to(TOLERANCE)),
                        np.atleast_1d(result.diverged)))
    return Race(surface, starts, steps, floor, tuple(out))


def describe(race: Race) -> str:
    """The readout: per optimizer, η, the (median) final loss and how the starts ended."""
    count = len(race.starts)
    rows = []
    for i, lane in enumerate(race.lanes):
        arrived = lane.settled_at >= 0
        if count == 1:
            if lane.diverged[0]:
                status = f"<b>diverged</b> at step {int(lane.result.diverged_at)}"
            else:
                status = (f"stays within 1e-6 of the minimum from step {int(lane.settled_at[0])}"
                          if arrived[0] else "not there yet")
        else:
            status = f"{int(arrived.sum())} of {count} settled within 1e-6"
            if arrived.any():
                status += f" (median step {int(np.median(lane.settled_at[arrived]))})"
            if lane.diverged.any():
                status += f"; <b>{int(lane.diverged.sum())} diverged</b>"
        finite = np.atleast_1d(lane.result.final_loss)[~lane.diverged]
        final = f"{float(np.median(finite)):.3g}" if finite.size else "—"
        rows.append(f"<tr><td style='color:{color_for(lane.name, i)}'>■ {lane.name}</td>"
                    f"<td>{lane.learning_rate:.3g}</td><td>{final}</td><td>{status}</td></tr>")
    final_head = "final loss" if count == 1 else "median final loss"
    return (f"<table><tr><th>optimizer</th><th>η</th><th>{final_head}</th>"
            "<th>outcome</th></tr>" + "".join(rows) + "</table>")


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
    names = checks.lanes([str(n).lower() for n in optimizers], EXPLORER_NAMES, learning_rates)
    checks.whole("steps", steps, low=10, high=1000)
    start_xy = checks.point("start", surf.start if start is None else start)
    start_grid(start_xy, starts, surf)  # validates ``starts``

    # ---- controls -------------------------------------------------------------------
    surface_box = dropdown("surface", _surfaces.names(), surf.name, key="surface")
    rows, name_boxes, rate_sliders = [], [], []
    for i in range(3):
        name = names[i] if i < len(names) else NONE
        rate = (learning_rates[i] if learning_rates is not None and i < len(names)
                else default_learning_rate(name, surf) if name != NONE else 0.01)
        checks.number("learning rate", rate, low=0, low_open=True)
        name_boxes.append(dropdown(f"optimizer {i + 1}", [NONE, *EXPLORER_NAMES], name,
                                   key=f"optimizer_{i + 1}"))
        rate_sliders.append(log_slider(f"learning_rate η{i + 1}", rate, 1e-5, 10.0,
                                       key=f"learning_rate_{i + 1}"))
        rows.append(W.HBox([name_boxes[i], rate_sliders[i]]))
    steps_slider = int_slider("steps", int(steps), 10, 1000, step=10, key="steps")
    (x0, x1), (y0, y1) = surf.window
    start_x = float_slider("start x", float(start_xy[0]), x0, x1, step=0.05, key="start_x")
    start_y = float_slider("start y", float(start_xy[1]), y0, y1, step=0.05, key="start_y")
    starts_box = dropdown("starts", START_COUNTS, starts, key="starts")
    starts_box.layout.width = "140px"
    controls = [surface_box, *rows, W.HBox([steps_slider, starts_box]),
                W.HBox([start_x, start_y])]

    # ---- figure: background per (surface, steps); contours and titles as an underlay ---
    fig = Figure(figsize=(9.5, 3.9), dpi=80, layout="constrained")
    ax_map, ax_loss = fig.subplots(1, 2, width_ratios=[1.1, 1])
    contours = plots.ContourImage(ax_map, levels=25, star_size=13)
    lines, ends, crosses, curves = [], [], [], []
    for _ in range(3):
        (path_line,) = ax_map.plot([], [], lw=1.8)
        (end,) = ax_map.plot([], [], "o", ms=6, markeredgecolor="white")
        (cross,) = ax_map.plot([], [], "X", ms=11, markeredgecolor="white")
        (curve,) = ax_loss.plot([], [], lw=1.6)
        lines.append(path_line), ends.append(end), crosses.append(cross), curves.append(curve)
    (start_dot,) = ax_map.plot([], [], "s", color="white", ms=7, markeredgecolor="black")
    ax_loss.set_xlabel("step")
    view = FigureView(fig, underlay=[*contours.artists, ax_map.title, ax_loss.title],
                      animated=[*lines, *ends, *crosses, start_dot, *curves])
    readout = W.HTML()

    def stage(s: _surfaces.Surface, num_steps: int, count: int) -> tuple[str, int]:
        """Point the axes at a surface; returns the key of the still background it needs."""
        contours.show(s)
        ax_map.set_title(f"{s.name}: paths")
        ax_loss.set_title("loss against step" if count == 1 else
                          f"loss against step (median of {count} starts)")
        _, _, Z = plots.surface_grid(s, 100)
        if s.min_value is not None:
            ax_loss.set_yscale("log")
            ax_loss.set_ylim(1e-10, max(float(np.nanmax(Z) - s.min_value), 1.0) * 10)
            ax_loss.set_ylabel("loss − minimum (log scale)")
        else:
            ax_loss.set_yscale("symlog")
            ax_loss.set_ylim(float(np.nanmin(Z)) * 100, float(np.nanmax(Z)) * 10)
            ax_loss.set_ylabel("loss (symlog scale)")
        ax_loss.set_xlim(0, num_steps)
        return s.name, num_steps

    def draw(race: Race) -> None:
        count = len(race.starts)
        start_dot.set_data(race.starts[:, 0], race.starts[:, 1])
        lane_iter = iter(race.lanes)
        for i in range(3):
            visible = name_boxes[i].value != NONE
            for artist in (lines[i], ends[i], crosses[i], curves[i]):
                artist.set_visible(visible)
            if not visible:
                continue
            lane = next(lane_iter)
            path = lane.result.path.reshape(lane.result.path.shape[0], count, 2)
            drawn = _joined(path)
            lines[i].set_data(drawn[:, 0], drawn[:, 1])
            lines[i].set_linewidth(1.8 if count == 1 else 1.0)
            ends_xy = lane.result.final_point.reshape(count, 2)
            ends[i].set_data(ends_xy[~lane.diverged, 0], ends_xy[~lane.diverged, 1])
            crosses[i].set_data(ends_xy[lane.diverged, 0], ends_xy[lane.diverged, 1])
            curves[i].set_data(np.arange(lane.typical.size), lane.typical)
            for artist in (lines[i], ends[i], crosses[i], curves[i]):
                artist.set_color(color_for(lane.name, i))
        view.redraw(key=state["background"], underlay=state["new_underlay"])

    # ---- the glue: controls -> compute -> draw -> describe ------------------------------
    state: dict[str, Any] = {"staged": None}

    def read() -> Race:
        s = _surfaces.get(surface_box.value)
        count = int(starts_box.value)
        staged = (s.name, steps_slider.value, count)
        state["new_underlay"] = state["staged"] != staged
        if state["new_underlay"]:
            state["background"] = stage(s, steps_slider.value, count)
            state["staged"] = staged
        grid = start_grid(np.array([start_x.value, start_y.value]), count, s)
        lanes = [(box.value, slider.value) for box, slider in zip(name_boxes, rate_sliders,
                                                                   strict=True) if box.value != NONE]
        for box, slider in zip(name_boxes, rate_sliders, strict=True):
            slider.disabled = box.value == NONE
        return compute(s, lanes, steps_slider.value, grid)

    loop = Loop(read, draw, describe, readout)

    def on_surface(_: object) -> None:
        s = _surfaces.get(surface_box.value)
        (nx0, nx1), (ny0, ny1) = s.window
        # Move the start and the rates to the new surface's scale with one redraw in all.
        with loop.paused():
            set_range(start_x, nx0, nx1, s.start[0])
            set_range(start_y, ny0, ny1, s.start[1])
            for box, slider in zip(name_boxes, rate_sliders, strict=True):
                if box.value != NONE:
                    slider.value = default_learning_rate(box.value, s)
        loop()

    def on_name(change: dict) -> None:
        i = name_boxes.index(change["owner"])
        if change["new"] != NONE:
            with loop.paused():
                rate_sliders[i].value = default_learning_rate(change["new"],
                                                              _surfaces.get(surface_box.value))
        loop()

    surface_box.observe(on_surface, names="value")
    for box in name_boxes:
        box.observe(on_name, names="value")
    loop.watch(*rate_sliders, steps_slider, starts_box, start_x, start_y)

    # Draw every surface's still background now, so the surface menu answers within a frame.
    for other in _surfaces.names():
        if other != surf.name:
            view.prepare(stage(_surfaces.get(other), int(steps), int(starts)))
    loop()
    return Explorer(controls, view, readout, loop)
