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
Taught in 13_loss_landscapes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from course_utils.plots import color_for
from course_utils.widgets.base import Explorer, FigureView, dropdown

__all__ = ["landscape_explorer"]

NONE = "(none)"
REQUIRED = ("path", "losses")


def _selection(description: str, options: Sequence[Any], value: Any) -> W.SelectionSlider:
    return W.SelectionSlider(options=[(f"{o:g}", o) for o in options], value=value,
                             description=description, continuous_update=True,
                             style={"description_width": "initial"}, layout=W.Layout(width="340px"))


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
    chosen = [str(n) for n in optimizers]
    if not 1 <= len(chosen) <= 3:
        raise ValueError(f"optimizers must name 1 to 3 optimizers, got {len(chosen)}.")
    for n in chosen:
        if n not in names:
            raise ValueError(f"no runs for optimizer {n!r}; the runs hold {names}.")
    if learning_rates is not None and len(learning_rates) != len(chosen):
        raise ValueError("learning_rates must give one learning rate per optimizer.")
    if batch_size is None:
        batch_size = batches[0]
    if batch_size not in batches:
        raise ValueError(f"batch_size must be one of the batch sizes run, {batches}; got {batch_size!r}.")

    # ---- controls -------------------------------------------------------------------
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
        name_boxes.append(dropdown(f"optimizer {i + 1}", [NONE, *names], name))
        rate_sliders.append(_selection(f"learning_rate η{i + 1}", pool, rate))
        rows.append(W.HBox([name_boxes[i], rate_sliders[i]]))
    batch_slider = _selection("batch_size", batches, batch_size)
    plane_box = dropdown("plane", list(grids), next(iter(grids)))
    controls = [*rows, W.HBox([batch_slider, plane_box]) if len(grids) > 1 else batch_slider]

    # ---- figure: contours once per plane, paths and curves animated -------------------------
    fig = Figure(figsize=(9.5, 3.9), dpi=80, layout="constrained")
    ax_map, ax_loss = fig.subplots(1, 2, width_ratios=[1.1, 1])
    current = {"plane": None}
    backgrounds: dict[str, Any] = {}  # each plane's rendered still picture, kept after its first draw
    contours: dict[str, list[Any]] = {}

    def draw_background(plane_name: str) -> None:
        """Contours of one plane: the expensive part, drawn once per plane and then reused."""
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

    def slice_loss(a: float, b: float) -> float:
        """The contour value at (a, b): bilinear interpolation on the grid (NaN outside it)."""
        alphas, betas, grid = grids[plane_box.value]
        if not (alphas[0] <= a <= alphas[-1] and betas[0] <= b <= betas[-1]):
            return float("nan")
        j = int(np.clip(np.searchsorted(alphas, a) - 1, 0, alphas.size - 2))
        i = int(np.clip(np.searchsorted(betas, b) - 1, 0, betas.size - 2))
        ta = (a - alphas[j]) / (alphas[j + 1] - alphas[j])
        tb = (b - betas[i]) / (betas[i + 1] - betas[i])
        return float((1 - ta) * (1 - tb) * grid[i, j] + ta * (1 - tb) * grid[i, j + 1]
                     + (1 - ta) * tb * grid[i + 1, j] + ta * tb * grid[i + 1, j + 1])

    def update() -> None:
        full = current["plane"] != plane_box.value
        if full:
            draw_background(plane_box.value)
            current["plane"] = plane_box.value
            if plane_box.value in backgrounds:  # drawn before: paste its picture, no re-render
                view._background = backgrounds[plane_box.value]
                full = False
        rows_html = []
        for i in range(3):
            name = name_boxes[i].value
            visible = name != NONE
            rate_sliders[i].disabled = not visible
            for artist in (lines[i], starts[i], ends[i], curves[i]):
                artist.set_visible(visible)
            if not visible:
                continue
            run = runs.get((name, rate_sliders[i].value, batch_slider.value))
            if run is None:
                for artist in (lines[i], starts[i], ends[i], curves[i]):
                    artist.set_visible(False)
                rows_html.append(f"<tr><td>{name}</td><td colspan=5>not run at this setting</td></tr>")
                continue
            color = color_for(name, i)
            raw_path = _path(run, plane_box.value)
            path = _finite_prefix(raw_path)
            losses = np.asarray(run["losses"], dtype=float)
            lines[i].set_data(path[:, 0], path[:, 1])
            starts[i].set_data(path[:1, 0], path[:1, 1])
            ends[i].set_data(path[-1:, 0], path[-1:, 1])
            curves[i].set_data(np.arange(1, losses.size + 1), losses)
            for artist in (lines[i], starts[i], ends[i], curves[i]):
                artist.set_color(color)
            diverged = len(path) < len(raw_path) or not np.isfinite(losses).all()
            final = run.get("final_loss", losses[-1])
            on_slice = slice_loss(*path[-1]) if len(path) else float("nan")
            off = _off(run, plane_box.value)
            rows_html.append(
                f"<tr><td style='color:{color}'>■ {name}</td><td>{rate_sliders[i].value:g}</td>"
                f"<td>{'<b>diverged</b>' if diverged else f'{final:.3g}'}</td>"
                f"<td>{'outside the window' if np.isnan(on_slice) else f'{on_slice:.3g}'}</td>"
                f"<td>{'—' if off is None else f'{100 * off:.0f}%'}</td></tr>")
        view.redraw(full=full)
        if fig.get_layout_engine() is not None:
            # Freeze the layout after the first draw: a cached plane picture stays aligned with
            # the paths drawn over it only if the axes never move.
            fig.set_layout_engine("none")
        backgrounds.setdefault(plane_box.value, view._background)
        readout.value = (f"<b>batch size {batch_slider.value}</b><table><tr><th>optimizer</th>"
                         "<th>η</th><th>training loss at its end</th><th>contours at its end</th>"
                         "<th>displacement off the plane</th></tr>" + "".join(rows_html) + "</table>")

    def refresh(_: object) -> None:
        update()

    def on_name(change: dict) -> None:
        i = name_boxes.index(change["owner"])
        if change["new"] != NONE:
            pool = rates[change["new"]]
            slider = rate_sliders[i]
            slider.unobserve(refresh, names="value")
            keep = slider.value if slider.value in pool else pool[len(pool) // 2]
            slider.options = [(f"{o:g}", o) for o in pool]
            slider.value = keep
            slider.observe(refresh, names="value")
        update()

    for box in name_boxes:
        box.observe(on_name, names="value")
    for control in (*rate_sliders, batch_slider, plane_box):
        control.observe(refresh, names="value")
    update()  # draws the first plane and freezes the layout
    for plane_name in list(grids)[1:]:  # render the other planes now, so a switch only pastes
        draw_background(plane_name)
        view.redraw(full=True)
        backgrounds[plane_name] = view._background
    if len(grids) > 1:
        current["plane"] = None
        update()
    return Explorer(controls, view, readout, update)
