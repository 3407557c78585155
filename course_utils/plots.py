"""Figures shared by the chapters: surfaces with paths, loss curves, one palette.

Every function takes ``ax=None`` (a new figure when omitted), returns the Axes,
and leaves matplotlib's global settings alone. Nothing here imports TensorFlow.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.ticker import MaxNLocator

from course_utils import clinic as _clinic
from course_utils import surfaces as _surfaces
from course_utils.experiments import PairedDifference, Summary
from course_utils.trajectories import Trajectory, typical_over_starts

__all__ = ["COLORS", "color_for", "surface_grid", "contour_grid", "contour", "contour_rgba",
           "ContourImage", "paths", "loss_curves",
           "seed_band", "intervals", "save_figure", "OUTPUTS", "CASE_COLORS", "plot_case",
           "case_lines", "draw_case", "style_case", "mosaic"]

# One colour per optimizer in every chapter, so a learner recognises Adam at a glance.
COLORS = {
    "sgd": "#1f77b4", "momentum": "#ff7f0e", "nesterov": "#8c564b", "adagrad": "#9467bd",
    "rmsprop": "#2ca02c", "adadelta": "#bcbd22", "adam": "#d62728", "adamw": "#e377c2",
    "adamax": "#7f7f7f", "nadam": "#17becf", "lion": "#000000",
}
_FALLBACK = plt.get_cmap("tab10").colors

OUTPUTS = Path(__file__).resolve().parents[1] / "notebooks" / "outputs"


def color_for(label: str, index: int = 0) -> str | tuple:
    """The course colour for an optimizer label (``"adam"``, ``"Adam(lr=0.1)"``...)."""
    key = label.lower().split("(")[0].split()[0] if label else ""
    return COLORS.get(key, _FALLBACK[index % len(_FALLBACK)])


def surface_grid(surface: str | _surfaces.Surface, resolution: int = 120
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(X, Y, Z)`` over the surface's window, for contour plots."""
    surf = _surfaces.get(surface)
    (x0, x1), (y0, y1) = surf.window
    X, Y = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    Z = surf.value(np.stack([X, Y], axis=-1))
    return X, Y, Z


def contour_grid(surface: str | _surfaces.Surface, resolution: int = 120, levels: int = 30
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(X, Y, gap, edges)``: the loss above its minimum on a grid, and the band edges.

    ``gap`` is lifted by a thousandth of its range so that a log scale can show the
    minimum itself; ``edges`` are ``levels`` log-spaced values from its smallest to its
    largest value, so each band is a factor of the same size: the valley's floor and
    its walls both get bands. Every contour picture of the course starts here.
    """
    surf = _surfaces.get(surface)
    X, Y, Z = surface_grid(surf, resolution)
    floor = surf.min_value if surf.min_value is not None else float(np.nanmin(Z))
    gap = Z - floor + 1e-3 * (np.nanmax(Z) - floor + 1e-12)
    return X, Y, gap, np.geomspace(np.nanmin(gap), np.nanmax(gap), levels)


def contour(surface: str | _surfaces.Surface, ax: Axes | None = None, levels: int = 30,
            resolution: int = 120) -> Axes:
    """Filled contours of a surface on log-spaced levels, its minima marked with stars."""
    surf = _surfaces.get(surface)
    if ax is None:
        ax = plt.figure(figsize=(5, 4)).add_subplot()
    X, Y, gap, edges = contour_grid(surf, resolution, levels)
    ax.contourf(X, Y, gap, levels=edges, norm=LogNorm(), cmap="viridis", alpha=CONTOUR_ALPHA)
    for mx, my in surf.minima:
        ax.plot(mx, my, marker="*", color="white", markersize=12, markeredgecolor="black")
    (x0, x1), (y0, y1) = surf.window
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel=r"$\theta_1$", ylabel=r"$\theta_2$", title=surf.name)
    return ax


CONTOUR_ALPHA = 0.85


def contour_rgba(surface: str | _surfaces.Surface, resolution: int = 200, levels: int = 25
                 ) -> np.ndarray:
    """The bands of ``contour`` as an RGBA image of bytes (rows from the window's bottom),
    shape ``(resolution, resolution, 4)``: each pixel gets its band's colour, blended over a
    white axes as ``contourf`` with ``alpha`` 0.85 is, a slightly darker seam where two
    bands meet, and NaN pixels stay transparent."""
    _, _, gap, edges = contour_grid(surface, resolution, levels)
    bands = edges.size - 1
    band = np.clip(np.searchsorted(edges, gap, side="right") - 1, 0, bands - 1)
    middles = 0.5 * (edges[:-1] + edges[1:])  # contourf colours a band by its middle value
    colors = plt.get_cmap("viridis")(LogNorm(edges[0], edges[-1])(middles))
    colors[:, :3] = CONTOUR_ALPHA * colors[:, :3] + (1.0 - CONTOUR_ALPHA)
    # contourf's neighbouring polygons leave a faint seam along each band's edge, which is
    # what makes the bands readable; the pixels where the band changes get a darker shade.
    seam_colors = colors.copy()
    seam_colors[:, :3] *= 0.93
    palette = np.round(np.concatenate([colors, seam_colors, [[0.0] * 4]]) * 255).astype(np.uint8)
    seam = np.zeros(band.shape, dtype=bool)
    seam[:, 1:] |= band[:, 1:] != band[:, :-1]
    seam[1:, :] |= band[1:, :] != band[:-1, :]
    index = band + bands * seam
    index[~np.isfinite(gap)] = 2 * bands  # NaN pixels: the transparent last entry
    return palette[index]  # one lookup per pixel into a table of bytes: about a millisecond


class _PastedImage(AxesImage):
    """An image that fills its axes, drawn by copying its pixels into Agg's buffer.

    matplotlib draws an image by resampling it through the axes' transform, 2-3 ms for a
    200x200 contour image; when the image's extent is the axes' view (the explorers'
    contours), a nearest-pixel lookup gives the same pixels in about a millisecond. In
    any other case (a renderer without a pixel buffer, a zoomed view) it draws as usual.
    """

    def draw(self, renderer: Any, *args: Any, **kwargs: Any) -> None:
        ax, data = self.axes, self.get_array()
        x0, x1, y0, y1 = self.get_extent()
        if (not hasattr(renderer, "buffer_rgba") or not self.get_visible()
                or self.get_alpha() is not None or data is None or data.ndim != 3
                or data.dtype != np.uint8 or data.shape[2] != 4
                or (x0, x1) != tuple(ax.get_xlim()) or (y0, y1) != tuple(ax.get_ylim())):
            super().draw(renderer, *args, **kwargs)
            return
        pixels = np.asarray(renderer.buffer_rgba())  # rows from the top of the figure
        height, width = pixels.shape[:2]
        box = ax.bbox  # the axes in display pixels, from the bottom left
        # the pixels whose centres fall inside the axes, and the image pixel under each
        cols = np.arange(max(math.ceil(box.x0 - 0.5), 0), min(math.ceil(box.x1 - 0.5), width))
        rows = np.arange(max(math.ceil(box.y0 - 0.5), 0), min(math.ceil(box.y1 - 0.5), height))
        if cols.size == 0 or rows.size == 0:
            return
        src_cols = np.minimum(((cols + 0.5 - box.x0) / box.width * data.shape[1]).astype(int),
                              data.shape[1] - 1)
        src_rows = np.minimum(((rows + 0.5 - box.y0) / box.height * data.shape[0]).astype(int),
                              data.shape[0] - 1)
        block = np.asarray(data)[src_rows[::-1, None], src_cols]  # the top row first
        target = pixels[height - 1 - rows[-1]:height - rows[0], cols[0]:cols[-1] + 1]
        np.copyto(target, block, where=block[..., 3:] > 0)  # transparent (NaN) pixels stay
        self.stale = False


_CONTOUR_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="contours")


class ContourImage:
    """A surface's contour bands as one image: the explorers' contours, cheap to replace.

    ``contourf`` builds polygons (tens of milliseconds) and forces the whole figure to be
    drawn again; an image of the same bands (``contour_rgba``) is swapped in a
    millisecond and can be blitted like a moving line, so a slider that changes the
    surface (the condition number κ, the surface menu) answers within a frame. Each
    surface's image is computed once and kept; ``prefetch`` computes the images a
    slider will probably ask for next on a background thread, while the browser shows
    the current picture.

        contours = ContourImage(ax)
        contours.show(surfaces.get("quadratic", condition=50))
        view = FigureView(fig, animated=[*contours.artists, ...])   # drawn first
    """

    def __init__(self, ax: Axes, levels: int = 25, resolution: int = 200,
                 star_size: float = 12) -> None:
        self.ax, self.levels, self.resolution = ax, levels, resolution
        self.image = _PastedImage(ax, origin="lower", interpolation="nearest", zorder=0.5)
        self.image.set_data(np.zeros((2, 2, 4), np.uint8))
        ax.add_image(self.image)
        (self.stars,) = ax.plot([], [], "*", color="white", ms=star_size,
                                markeredgecolor="black", zorder=3)
        self._cache: dict[Any, np.ndarray | Future] = {}

    @property
    def artists(self) -> list[Any]:
        """The image and the minima's stars, to animate (blit) before any path."""
        return [self.image, self.stars]

    @staticmethod
    def _key(surf: _surfaces.Surface) -> tuple:
        # 10 significant digits: a slider's value computed in the browser and the same
        # value computed here may differ in the last bit
        return surf.name, tuple((k, float(f"{v:.10g}")) for k, v in sorted(surf.params.items()))

    def prefetch(self, *candidates: str | _surfaces.Surface) -> None:
        """Start computing these surfaces' images on a background thread (NumPy lets go of
        Python's lock), so that a later ``show`` finds them ready."""
        for surface in candidates:
            surf = _surfaces.get(surface)
            key = self._key(surf)
            if key not in self._cache:
                self._cache[key] = _CONTOUR_WORKER.submit(contour_rgba, surf, self.resolution,
                                                          self.levels)

    def show(self, surface: str | _surfaces.Surface) -> None:
        """Put ``surface``'s bands into the image and set the axes to its window."""
        surf = _surfaces.get(surface)
        key = self._key(surf)
        kept = self._cache.get(key)
        if kept is None:
            kept = contour_rgba(surf, self.resolution, self.levels)
        elif isinstance(kept, Future):
            kept = kept.result()
        self._cache[key] = kept
        (x0, x1), (y0, y1) = surf.window
        self.image.set_data(kept)
        self.image.set_extent((x0, x1, y0, y1))
        minima = np.array(surf.minima, dtype=float).reshape(-1, 2)
        self.stars.set_data(minima[:, 0], minima[:, 1])
        self.ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel=r"$\theta_1$", ylabel=r"$\theta_2$")


def paths(results: Mapping[str, Trajectory], ax: Axes | None = None) -> Axes:
    """Draw each trajectory's path(s) over an existing contour; a ✕ where one diverged."""
    if ax is None:
        ax = contour(next(iter(results.values())).surface)
    for i, (label, res) in enumerate(results.items()):
        color = color_for(label, i)
        path = res.path if res.path.ndim == 3 else res.path[:, None, :]
        ax.plot(path[..., 0], path[..., 1], color=color, lw=1.5)
        ends = np.atleast_2d(res.final_point)
        diverged = np.atleast_1d(res.diverged)
        ax.plot(ends[~diverged, 0], ends[~diverged, 1], "o", color=color, ms=4)
        ax.plot(ends[diverged, 0], ends[diverged, 1], "X", color=color, ms=9,
                markeredgecolor="white")
        ax.plot([], [], color=color, label=label)
    ax.legend(loc="upper right", fontsize=8)
    return ax


def loss_curves(results: Mapping[str, Trajectory], ax: Axes | None = None) -> Axes:
    """Loss above the minimum against step, on a log scale (curves stop where they diverge).

    With several starts, each curve is the typical start's (``trajectories.
    typical_over_starts``: the median, a diverged start counted as infinitely bad), so
    it stops once half the starts have diverged instead of improving as they fail.
    """
    if ax is None:
        ax = plt.figure(figsize=(5, 4)).add_subplot()
    for i, (label, res) in enumerate(results.items()):
        floor = res.surface.min_value or 0.0
        gap = res.loss - floor if res.surface.min_value is not None else res.loss
        typical = typical_over_starts(gap)
        if res.surface.min_value is not None:  # log axis: an exact minimum sits on the floor
            typical = np.where(np.isnan(typical), np.nan, np.maximum(typical, 1e-300))
        ax.plot(typical, color=color_for(label, i), label=label)
    if all(r.surface.min_value is not None for r in results.values()):
        ax.set_yscale("log")
        ax.set_ylabel("loss − minimum")
    else:
        ax.set_ylabel("loss")
    ax.set_xlabel("step")
    ax.legend(fontsize=8)
    return ax


def seed_band(curves: np.ndarray, ax: Axes | None = None, label: str | None = None,
              color: str | tuple | None = None, x: np.ndarray | None = None) -> Axes:
    """One learning curve over seeds: the mean as a line, every seed's range as a band.

    ``curves`` has shape ``(n_seeds, epochs)`` (a row of ``SeedRuns.history[metric]`` per
    seed). The band runs from the lowest to the highest seed at each epoch, so a reader
    sees at once whether two settings' curves overlap. A seed that diverged makes the
    mean stop where it did (NaN), and the legend says how many seeds diverged: a
    failed run is never averaged away.
    """
    curves = np.asarray(curves, dtype=np.float64)
    if curves.ndim != 2 or curves.shape[0] < 1:
        raise ValueError(f"curves must have shape (n_seeds, epochs), got {curves.shape}.")
    if ax is None:
        ax = plt.figure(figsize=(5, 4)).add_subplot()
    x = np.arange(1, curves.shape[1] + 1) if x is None else np.asarray(x)
    bad = ~np.isfinite(curves)
    with np.errstate(invalid="ignore"):
        mean = np.where(bad.any(axis=0), np.nan, np.where(bad, 0, curves).mean(axis=0))
    n_bad = int(bad.any(axis=1).sum())
    text = label or ""
    if n_bad:
        text += f" ({n_bad} of {curves.shape[0]} seeds diverged)"
    line, = ax.plot(x, mean, color=color, label=text or None, lw=1.8)
    with np.errstate(invalid="ignore"):
        ax.fill_between(x, np.nanmin(np.where(bad, np.nan, curves), axis=0),
                        np.nanmax(np.where(bad, np.nan, curves), axis=0),
                        color=line.get_color(), alpha=0.2, lw=0)
    ax.set_xlabel("epoch")
    if text:
        ax.legend(fontsize=8)
    return ax


def intervals(results: Mapping[str, Summary | PairedDifference], ax: Axes | None = None,
              from_zero: bool = True, xlabel: str = "") -> Axes:
    """Point-and-interval chart: one row per setting, a dot at the mean and its 95% interval.

    For ``Summary`` values the axis starts at zero by default (``from_zero=True``), so
    bar lengths are honest; with ``from_zero=False`` it zooms in and the axis label says
    "(axis does not start at 0)". For ``PairedDifference`` values a dashed line marks 0:
    an interval that crosses it is a difference within seed noise, drawn hollow and grey.
    """
    if not results:
        raise ValueError("intervals needs at least one {label: summary or paired_difference}.")
    if ax is None:
        ax = plt.figure(figsize=(6, 0.5 + 0.45 * len(results))).add_subplot()
    labels = list(results)
    differences = all(isinstance(r, PairedDifference) for r in results.values())
    for row, label in enumerate(labels):
        r = results[label]
        if not isinstance(r, Summary | PairedDifference):
            raise ValueError(f"results[{label!r}] must be an experiments.summary(...) or "
                             f"paired_difference(...), got {type(r).__name__}.")
        if isinstance(r, Summary) and r.diverged:
            ax.plot([r.min, r.max], [row, row], color="0.6", lw=1)
            ax.annotate(f"{r.diverged} of {r.n} diverged", (r.max, row), xytext=(4, 0),
                        textcoords="offset points", va="center", fontsize=8)
            continue
        real = isinstance(r, Summary) or r.real
        color = color_for(label, row) if isinstance(r, Summary) else ("C3" if real else "0.5")
        ax.errorbar(r.mean, row, xerr=[[r.mean - r.low], [r.high - r.mean]],
                    fmt="o", color=color, mfc=color if real else "white", capsize=4, lw=1.6)
        if isinstance(r, Summary):
            ax.plot(r.values, [row] * len(r.values), "|", color=color, ms=8, alpha=0.6)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(-0.6, len(labels) - 0.4)
    ax.invert_yaxis()
    if differences:
        ax.axvline(0, color="black", ls="--", lw=1)
        ax.set_xlabel(xlabel or "difference a − b (95% interval)")
    elif from_zero:
        ax.set_xlim(left=0)
        ax.set_xlabel(xlabel or "mean over seeds (95% interval; ticks: single seeds)")
    else:
        ax.set_xlabel((xlabel or "mean over seeds (95% interval; ticks: single seeds)")
                      + " (axis does not start at 0)")
    return ax


def save_figure(fig: Figure, name: str) -> Path:
    """Save ``fig`` as ``notebooks/outputs/<name>.png`` (git-ignored), and return the path."""
    OUTPUTS.mkdir(parents=True, exist_ok=True)
    path = OUTPUTS / f"{Path(name).stem}.png"
    fig.savefig(path, dpi=150, bbox_inches="tight")
    return path

# -- the troubleshooting clinic (chapter 12) -------------------------------------------------
CASE_COLORS = {"broken": "#d62728", "fixed": "#2ca02c"}


def draw_case(ax: Axes, case: _clinic.Case, which: str, lines: dict[str, Any]) -> None:
    """Set the broken and fixed curves (from ``case_lines``) to ``case``; ``which`` shows one or both."""
    (low, high), _ = _clinic.limits(case)
    for label, values in (("broken", case.broken), ("fixed", case.fixed)):
        epochs = np.arange(1, values.size + 1)
        shown = which in ("both", label)
        line, cross = lines[label], lines[f"{label}_x"]
        finite = np.where(np.isfinite(values), values, np.nan)
        line.set_data(epochs, finite)
        line.set_visible(shown)
        bad = _clinic.first_bad(values)
        if bad is None:
            cross.set_data([], [])
        else:  # the curve ends in a ✕ at its last finite level (the top when there is none)
            before = values[:bad][np.isfinite(values[:bad])]
            top = high / 2 if ax.get_yscale() == "log" else high
            cross.set_data([bad + 1], [min(before[-1], top) if before.size else top])
        cross.set_visible(shown and bad is not None)


def case_lines(ax: Axes) -> dict[str, Any]:
    """Empty lines for a case's two curves and their NaN markers, in the clinic's colours."""
    lines = {}
    for label, color, style in (("broken", CASE_COLORS["broken"], "--o"),
                                  ("fixed", CASE_COLORS["fixed"], "-o")):
        # the broken run is dashed and on top, so it stays visible where the two curves coincide
        (lines[label],) = ax.plot([], [], style, ms=3, color=color, label=label,
                                  zorder=3 if label == "broken" else 2)
        (lines[f"{label}_x"],) = ax.plot([], [], "X", ms=13, color=color, mec="white",
                                         label=f"{label}: NaN here", zorder=4)
    return lines


def style_case(ax: Axes, case: _clinic.Case) -> None:
    """Axis limits, scale (log when the losses span more than 10x) and labels for ``case``."""
    (low, high), log = _clinic.limits(case)
    ax.set_yscale("log" if log else "linear")
    ax.set_ylim(low, high)
    ax.set_xlim(0.5, case.epochs + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(xlabel=case.xlabel, ylabel=case.ylabel, title=case.title)


def plot_case(case: _clinic.Case, ax: Axes | None = None) -> Axes:
    """The broken and the fixed loss curves of one case, a ✕ where a run became NaN."""
    if not isinstance(case, _clinic.Case):
        raise ValueError(f"case must be a clinic.Case, got {type(case).__name__}.")
    if ax is None:
        ax = plt.figure(figsize=(6, 3.5)).add_subplot()
    style_case(ax, case)
    lines = case_lines(ax)
    draw_case(ax, case, "both", lines)
    handles = [h for h in lines.values() if h.get_visible() and len(h.get_xdata())]
    ax.legend(handles=handles, fontsize=8)
    return ax


# -- images -------------------------------------------------------------------------------
def mosaic(images: np.ndarray, columns: int = 4, gap: int = 1) -> np.ndarray:
    """Tile images (N, H, W[, 1]) into one 2-D array, NaN between tiles (drawn as a frame)."""
    images = np.asarray(images, dtype=float)
    if images.ndim == 4:
        images = images[..., 0]
    n, h, w = images.shape
    rows = -(-n // columns)
    out = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap), np.nan)
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = image
    return out
