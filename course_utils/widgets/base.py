"""The machinery under every explorer: a fast figure view and the explorer box.

Why not ``plt.show()`` in an ``Output`` widget? Rebuilding a contour figure and
encoding it takes 150-250 ms, ten times a slider's frame. ``FigureView`` draws
the still parts (contours, axes, labels) once, keeps that picture, and on each
change pastes it back and draws only the artists that moved (blitting), then
sends a PNG to an ``ipywidgets.Image``. The browser just swaps an image.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Iterable
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image as PILImage

__all__ = ["FigureView", "Explorer", "log_slider", "float_slider", "int_slider", "dropdown"]


class FigureView:
    """A matplotlib ``Figure`` shown as an ``ipywidgets.Image``, redrawn by blitting.

    Usage::

        fig = Figure(figsize=(8, 3.5)); ax = fig.add_subplot()
        (line,) = ax.plot([], [])
        view = FigureView(fig, animated=[line])
        line.set_data(x, y); view.redraw()          # only the line is redrawn

    Call ``redraw(full=True)`` after changing anything that is not animated
    (axis limits, the contours of a new surface).
    """

    def __init__(self, fig: Figure, animated: Iterable[Artist] = ()) -> None:
        self.fig = fig
        self.canvas = FigureCanvasAgg(fig)
        self.image = W.Image(format="png", layout=W.Layout(max_width="100%", height="auto"))
        self.animated: list[Artist] = []
        self._background = None
        self.add_animated(*animated)

    def add_animated(self, *artists: Artist) -> None:
        """Mark artists as moving: left out of the background, drawn on every redraw."""
        for artist in artists:
            artist.set_animated(True)
            self.animated.append(artist)
        self._background = None

    def redraw(self, full: bool = False) -> None:
        """Update the image: paste the cached background, draw the animated artists."""
        if full or self._background is None:
            self.canvas.draw()  # animated artists are skipped by a normal draw
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        renderer = self.canvas.get_renderer()
        for artist in self.animated:
            if artist.get_visible():
                artist.draw(renderer)
        self.image.value = self.png()

    def png(self) -> bytes:
        """The current picture as PNG bytes (fast compression: a slider cannot wait)."""
        rgba = np.asarray(self.canvas.buffer_rgba())
        out = io.BytesIO()
        PILImage.fromarray(rgba[..., :3]).save(out, format="png", compress_level=1)
        return out.getvalue()


class Explorer(W.VBox):
    """A box of controls, a picture and a readout; what every ``*_explorer()`` returns.

    ``explorer.children`` holds the control rows, then the picture, then the readout,
    so tests (and curious learners) can reach every control. Without a live widget
    front end (GitHub, a static HTML export), the explorer shows its current
    picture and readout as plain HTML (and a PNG) instead of an empty space.
    """

    def __init__(self, controls: list[W.Widget], view: FigureView, readout: W.Widget,
                 update: Callable[..., None], **kwargs: Any) -> None:
        super().__init__(children=[*controls, view.image, readout], **kwargs)
        self.view = view
        self.readout = readout
        self._update = update

    @property
    def controls(self) -> dict[str, W.Widget]:
        """Every value control, by its ``description`` (e.g. ``"learning_rate η"``)."""
        found: dict[str, W.Widget] = {}
        stack = list(self.children)
        while stack:
            widget = stack.pop(0)
            if isinstance(widget, W.Box):
                stack[:0] = list(widget.children)
            elif isinstance(widget, W.ValueWidget) and getattr(widget, "description", ""):
                found[widget.description] = widget
        return found

    def update(self, *_: Any) -> None:
        """Recompute and redraw from the controls' current values."""
        self._update()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, tuple):  # (data, metadata)
            data = bundle[0]
        else:
            data = bundle
        png = base64.b64encode(self.view.png()).decode("ascii")
        data["image/png"] = png
        readout = getattr(self.readout, "value", "")
        if isinstance(readout, str) and readout:
            # A static page (make site, nbconvert) shows this instead of the live widget:
            # the picture *and* its readout, which names the colours and gives the numbers.
            data["text/html"] = (f'<div><img src="data:image/png;base64,{png}" '
                                 f'alt="the explorer\'s picture" style="max-width:100%">'
                                 f"{readout}</div>")
        return bundle


def _style(description: str) -> dict[str, Any]:
    return {"description": description, "style": {"description_width": "initial"},
            "continuous_update": True, "layout": W.Layout(width="340px")}


def log_slider(description: str, value: float, low: float, high: float,
               readout_format: str = ".2g") -> W.FloatLogSlider:
    """A slider over powers of ten, for learning rates (``low``/``high`` are values, not exponents)."""
    return W.FloatLogSlider(value=value, base=10, min=np.log10(low), max=np.log10(high),
                            step=0.05, readout_format=readout_format, **_style(description))


def float_slider(description: str, value: float, low: float, high: float,
                 step: float = 0.01, readout_format: str = ".2f") -> W.FloatSlider:
    """A linear slider for a float (momentum, β, start coordinates)."""
    return W.FloatSlider(value=value, min=low, max=high, step=step,
                         readout_format=readout_format, **_style(description))


def int_slider(description: str, value: int, low: int, high: int, step: int = 1) -> W.IntSlider:
    """A slider for a whole number (steps, batch size)."""
    return W.IntSlider(value=value, min=low, max=high, step=step, **_style(description))


def dropdown(description: str, options: Iterable[Any], value: Any) -> W.Dropdown:
    """A drop-down list (surface, optimizer, schedule)."""
    style = _style(description)
    style.pop("continuous_update")
    style["layout"] = W.Layout(width="260px")
    return W.Dropdown(options=list(options), value=value, **style)
