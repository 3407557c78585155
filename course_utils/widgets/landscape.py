"""The landscape explorer: optimizers' paths on a slice through a real network's weights.

Left, the contours of the training loss on one fixed plane through the weights
(``landscape.loss_surface``; drawn once), with each chosen run's path projected onto
it (``landscape.project``); right, the runs' training loss against epoch. The runs are
trained *before* the explorer is built (a grid of optimizers, learning rates and batch
sizes, chapter 13 trains them in seconds), so a control only picks precomputed
paths: the contours stay, only the paths and curves are redrawn, well within a frame.

The readout says, per run, its final training loss, the loss the contours show at
the projected end point, and how much of the run's displacement the plane does not
capture: the two losses differ exactly when the path left the plane.

Like every explorer, three steps: ``compute`` (pure: the chosen runs' paths and numbers
on the current plane, a ``LandscapeData``), draw and ``describe``. Each plane's contours
are drawn once, as the still background of its key.
Taught in 13_loss_landscapes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from course_utils import checks
from course_utils.landscape import loss_at
from course_utils.plots import color_for
from course_utils.widgets.base import Explorer, FigureView, Loop, dropdown, keyed

__all__ = ["landscape_explorer"]

NONE = "(none)"
REQUIRED = ("path", "losses")


def _selection(description: str, options: Sequence[Any], value: Any, key: str
               ) -> W.SelectionSlider:
    """A slider over the values run (learning rates, batch sizes), with its stable key."""
    return keyed(W.SelectionSlider(options=[(f"{o:g}", o) for o in options], value=value,
                                   description=description, continuous_update=True,
                                   style={"description_width": "initial"},
                                   layout=W.Layout(width="340px")), key)


def _path(run: Mapping[str, Any], plane: str) -> np.ndarray:
    path = run["path"]
    return np.asarray(path[plane] if isinstance(path, Mapping) else path, dtype=float)


def _off(run: Mapping[str, Any], plane: str) -> float | None:
    off = run.get("off_plane")
    return off.get(plane) if isinstance(off, Mapping) else off


def _check_runs(runs: Mapping[tuple[str, float, int], Mapping[str, Any]],
                planes: list[str] | None = None) -> None:
    if not isinstance(runs, Mapping) or not runs:
        raise ValueError("runs must be a non-empty dict {(optimizer, learning_rate, batch_size): "
                         "{'path': (n, 2) coordinates, 'losses': per-epoch training loss, ...}}.")
    for key, run in runs.items():
        if not (isinstance(key, tuple) and len(key) == 3 and isinstance(key[0], str)):
            raise ValueError(f"each key of runs must be (optimizer name, learning_rate, batch_size), "
                             f"got {key!r}.")
        missing = [k for k in REQUIRED if k not in run]
        if missing:
            raise ValueError(f"runs[{key!r}] lacks {missing}; each run needs 'path' (n, 2) and "
                             f"'losses' (one per epoch).")
        for plane in planes or ["plane"]:
            if planes is not None and not (isinstance(run["path"], Mapping) and plane in run["path"]):
                raise ValueError(f"runs[{key!r}]['path'] must be a dict with a path for each plane "
                                 f"{planes}.")
            path = _path(run, plane)
            if path.ndim != 2 or path.shape[1] != 2:
                raise ValueError(f"runs[{key!r}]['path'] must have shape (n, 2) (landscape.project's "
                                 f"coordinates), got {path.shape}.")


def _finite_prefix(path: np.ndarray) -> np.ndarray:
    """The path up to (not including) its first non-finite point: a diverged run stops there."""
    bad = ~np.isfinite(path).all(axis=1)
    return path[: int(bad.argmax())] if bad.any() else path


@dataclass(frozen=True)
class RunView:
    """One chosen optimizer's run as the explorer shows it (``None`` fields: not run here).

    ``path`` is the projected path up to its first non-finite point; ``final`` the
    training loss at its end; ``on_slice`` the contours' value at the projected end (NaN
    outside the window); ``off_plane`` the fraction of its displacement off the plane.
    """

    slot: int  # 0, 1 or 2: which of the three rows of controls
    optimizer: str
    learning_rate: float
    found: bool  # False: no run at this (optimizer, learning rate, batch size)
    path: np.ndarray | None = None
    losses: np.ndarray | None = None
    diverged: bool = False
    final: float = float("nan")
    on_slice: float = float("nan")
    off_plane: float | None = None


@dataclass(frozen=True)
class LandscapeData:
    """What the explorer shows for one setting (``explorer.data``): a ``RunView`` per chosen
    optimizer (the slots set to "(none)" are left out), on ``plane`` at ``batch_size``."""

    plane: str
    batch_size: int
    runs: tuple[RunView, ...]


def compute(runs: Mapping[tuple[str, float, int], Mapping[str, Any]],
            surface: tuple[np.ndarray, np.ndarray, np.ndarray], plane: str,
            chosen: Sequence[tuple[str, float]], batch_size: int) -> LandscapeData:
    """Look up each chosen (optimizer, learning rate) at ``batch_size`` and project it on ``plane``."""
    shown = []
    for slot, (name, rate) in enumerate(chosen):
        if name == NONE:
            continue
        run = runs.get((name, rate, batch_size))
        if run is None:
            shown.append(RunView(slot, name, rate, found=False))
            continue
        raw_path = _path(run, plane)
        path = _finite_prefix(raw_path)
        losses = np.asarray(run["losses"], dtype=float)
        shown.append(RunView(
            slot, name, rate, True, path, losses,
            diverged=len(path) < len(raw_path) or not np.isfinite(losses).all(),
            final=run.get("final_loss", losses[-1]),
            on_slice=loss_at(surface, *path[-1]) if len(path) else float("nan"),
            off_plane=_off(run, plane)))
    return LandscapeData(plane, batch_size, tuple(shown))


def describe(data: LandscapeData) -> str:
    """The readout: per run, its final loss, the contours' loss at its end, how far off the plane."""
    rows_html = []
    for run in data.runs:
        if not run.found:
            rows_html.append(f"<tr><td>{run.optimizer}</td><td colspan=5>not run at this "
                             "setting</td></tr>")
            continue
        off = run.off_plane
        rows_html.append(
            f"<tr><td style='color:{color_for(run.optimizer, run.slot)}'>■ {run.optimizer}</td>"
            f"<td>{run.learning_rate:g}</td>"
            f"<td>{'<b>diverged</b>' if run.diverged else f'{run.final:.3g}'}</td>"
            f"<td>{'outside the window' if np.isnan(run.on_slice) else f'{run.on_slice:.3g}'}"
            f"</td><td>{'—' if off is None else f'{100 * off:.0f}%'}</td></tr>")
    return (f"<b>batch size {data.batch_size}</b><table><tr><th>optimizer</th>"
            "<th>η</th><th>training loss at its end</th><th>contours at its end</th>"
            "<th>displacement off the plane</th></tr>" + "".join(rows_html) + "</table>")


def landscape_explorer(
    runs: Mapping[tuple[str, float, int], Mapping[str, Any]],
    surface: tuple[np.ndarray, np.ndarray, np.ndarray] | Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
    optimizers: Sequence[str] = ("sgd", "momentum", "adam"),
    learning_rates: Sequence[float] | None = None,
    batch_size: int | None = None,
    axis_labels: tuple[str, str] | Mapping[str, tuple[str, str]] = ("α", "β"),
) -> Explorer:
    """Pick up to three optimizers, each one's learning rate, the batch size (and the plane).

    Args:
        runs: ``{(optimizer, learning_rate, batch_size): run}``, each run a dict with
            ``"path"`` (shape (n, 2): ``landscape.project`` of its recorded weights),
            ``"losses"`` (training loss per epoch), and optionally ``"off_plane"`` (the
            fraction of its displacement outside the plane) and ``"final_loss"`` (the
            training loss at its end weights; without it, the last epoch's value is shown).
        surface: ``(alphas, betas, losses)`` from ``landscape.loss_surface`` on the same plane;
            or several planes, ``{plane name: (alphas, betas, losses)}``, with each run's
            ``"path"`` (and ``"off_plane"``) then a dict ``{plane name: value}`` too: a
            drop-down switches the plane (the one change that redraws the contours).
        optimizers: one to three optimizer names shown first.
        learning_rates: the starting learning rate of each; by default the middle one run.
        batch_size: the starting batch size; by default the smallest one run.
        axis_labels: what the plane's two axes are (a dict by plane name for several planes).

    Controls (by key in ``explorer.controls``): ``optimizer_1`` ... ``optimizer_3``,
    ``learning_rate_1`` ... ``learning_rate_3``, ``batch_size`` and, with several planes,
    ``plane``. ``explorer.data`` is the last ``LandscapeData``.
    """
    planes = dict(surface) if isinstance(surface, Mapping) else {"plane": surface}
    if not planes:
        raise ValueError("surface must be (alphas, betas, losses) or a non-empty dict of them.")
    _check_runs(runs, list(planes) if isinstance(surface, Mapping) else None)
    grids = {}
    for plane_name, plane in planes.items():
        if not (isinstance(plane, tuple | list) and len(plane) == 3):
            raise ValueError(f"surface {plane_name!r} must be (alphas, betas, losses) of a 2-D "
                             f"landscape.loss_surface.")
        a_, b_, g_ = (np.asarray(v, dtype=float) if v is not None else None for v in plane)
        if b_ is None or g_.shape != (b_.size, a_.size):
            raise ValueError(f"surface {plane_name!r} must be (alphas, betas, losses) of a 2-D "
                             f"landscape.loss_surface.")
        grids[plane_name] = (a_, b_, g_)
    labels = (dict(axis_labels) if isinstance(axis_labels, Mapping)
              else {plane_name: tuple(axis_labels) for plane_name in grids})
    names = sorted({k[0] for k in runs}, key=lambda n: [k[0] for k in runs].index(n))
    rates = {n: sorted({k[1] for k in runs if k[0] == n}) for n in names}
    batches = sorted({k[2] for k in runs})
    chosen = checks.lanes(optimizers, names, learning_rates)  # names: those the runs hold
    if batch_size is None:
        batch_size = batches[0]
    if batch_size not in batches:
        raise ValueError(f"batch_size must be one of the batch sizes run, {batches}; got {batch_size!r}.")

    # ---- controls: keys optimizer_1..3, learning_rate_1..3, batch_size, plane -----------
    name_boxes, rate_sliders, rows = [], [], []
    for i in range(3):
        name = chosen[i] if i < len(chosen) else NONE
        pool = rates[name] if name != NONE else rates[names[0]]
        if learning_rates is not None and i < len(chosen):
            rate = learning_rates[i]
            if rate not in pool:
                raise ValueError(f"no run of {name} at learning rate {rate!r}; there are {pool}.")
        else:
            rate = pool[len(pool) // 2]
        name_boxes.append(dropdown(f"optimizer {i + 1}", [NONE, *names], name,
                                   key=f"optimizer_{i + 1}"))
        rate_sliders.append(_selection(f"learning_rate η{i + 1}", pool, rate,
                                       key=f"learning_rate_{i + 1}"))
        rows.append(W.HBox([name_boxes[i], rate_sliders[i]]))
    batch_slider = _selection("batch_size", batches, batch_size, key="batch_size")
    plane_box = dropdown("plane", list(grids), next(iter(grids)), key="plane")
    controls = [*rows, W.HBox([batch_slider, plane_box]) if len(grids) > 1 else batch_slider]

    # ---- figure: contours once per plane, paths and curves animated -------------------------
    fig = Figure(figsize=(9.5, 3.9), dpi=80, layout="constrained")
    ax_map, ax_loss = fig.subplots(1, 2, width_ratios=[1.1, 1])
    contours: dict[str, list[Any]] = {}

    def stage(plane_name: str) -> None:
        """Show one plane's contours and labels (made on its first visit: the expensive part)."""
        for name_, artists in contours.items():
            for artist in artists:
                artist.set_visible(name_ == plane_name)
        alphas, betas, grid = grids[plane_name]
        if plane_name not in contours:
            floor = float(np.nanmin(grid))
            top = float(np.nanpercentile(grid, 95))
            levels = np.geomspace(max(floor, 1e-6), max(top, floor * 1.01 + 1e-6), 25)
            filled = ax_map.contourf(alphas, betas, np.clip(grid, levels[0], levels[-1]),
                                     levels=levels, norm=LogNorm(), cmap="viridis", alpha=0.85)
            (star,) = ax_map.plot(0, 0, "*", color="white", ms=13, markeredgecolor="black")
            contours[plane_name] = [filled, star]
        xlabel, ylabel = labels.get(plane_name, ("α", "β"))
        ax_map.set(xlim=(alphas[0], alphas[-1]), ylim=(betas[0], betas[-1]), xlabel=xlabel,
                   ylabel=ylabel, title=f"training loss on the {plane_name}, paths projected"
                   if len(grids) > 1 else "training loss on one plane, paths projected")

    epochs = max(len(r["losses"]) for r in runs.values())
    finite = np.concatenate([np.asarray(r["losses"], float) for r in runs.values()])
    finite = finite[np.isfinite(finite) & (finite > 0)]
    ax_loss.set(yscale="log", xlim=(0.5, epochs + 0.5),
                ylim=(float(finite.min()) / 1.5, float(finite.max()) * 1.5),
                xlabel="epoch", ylabel="training loss (log scale)", title="training loss against epoch")
    lines, starts, ends, curves = [], [], [], []
    for _ in range(3):
        (line,) = ax_map.plot([], [], lw=1.6)
        (start,) = ax_map.plot([], [], "s", ms=6, markeredgecolor="black")
        (end,) = ax_map.plot([], [], "o", ms=7, markeredgecolor="white")
        (curve,) = ax_loss.plot([], [], "o-", lw=1.6, ms=3)
        lines.append(line), starts.append(start), ends.append(end), curves.append(curve)
    view = FigureView(fig, animated=[*lines, *starts, *ends, *curves])
    readout = W.HTML()
    state: dict[str, Any] = {"plane": None}

    def draw(data: LandscapeData) -> None:
        shown = {run.slot: run for run in data.runs if run.found}
        for i in range(3):
            artists = (lines[i], starts[i], ends[i], curves[i])
            for artist in artists:
                artist.set_visible(i in shown)
            if i not in shown:
                continue
            run, color = shown[i], color_for(shown[i].optimizer, i)
            path, losses = run.path, run.losses
            lines[i].set_data(path[:, 0], path[:, 1])
            starts[i].set_data(path[:1, 0], path[:1, 1])
            ends[i].set_data(path[-1:, 0], path[-1:, 1])
            curves[i].set_data(np.arange(1, losses.size + 1), losses)
            for artist in artists:
                artist.set_color(color)
        view.redraw(key=data.plane)  # a plane seen before: its contours are pasted, not drawn
        if fig.get_layout_engine() is not None:
            # Freeze the layout after the first draw: a kept plane picture stays aligned with
            # the paths drawn over it only if the axes never move.
            fig.set_layout_engine("none")

    def read() -> LandscapeData:
        if state["plane"] != plane_box.value:
            stage(plane_box.value)
            state["plane"] = plane_box.value
        for box, slider in zip(name_boxes, rate_sliders, strict=True):
            slider.disabled = box.value == NONE
        return compute(
            runs, grids[plane_box.value], plane_box.value,
            [(box.value, slider.value) for box, slider in zip(name_boxes, rate_sliders, strict=True)],
            batch_slider.value)

    loop = Loop(read, draw, describe, readout)

    def on_name(change: dict) -> None:
        i = name_boxes.index(change["owner"])
        if change["new"] != NONE:  # this optimizer's learning rates, keeping the old one if run
            pool = rates[change["new"]]
            slider = rate_sliders[i]
            keep = slider.value if slider.value in pool else pool[len(pool) // 2]
            with loop.paused():
                slider.options = [(f"{o:g}", o) for o in pool]
                slider.value = keep
        loop()

    for box in name_boxes:
        box.observe(on_name, names="value")
    loop.watch(*rate_sliders, batch_slider, plane_box)
    loop()  # draws the first plane and freezes the layout
    for plane_name in list(grids)[1:]:  # draw the other planes now, so a switch only pastes
        stage(plane_name)
        view.redraw(key=plane_name)
    if len(grids) > 1:
        state["plane"] = None
        loop()
    return Explorer(controls, view, readout, loop)
