"""The machinery under every explorer: a fast figure view and the explorer box.

Why not ``plt.show()`` in an ``Output`` widget? Rebuilding a contour figure and
encoding it takes 150-250 ms, ten times a slider's frame. ``FigureView`` draws
the still parts (contours, axes, labels) once, keeps that picture, and on each
change pastes it back and draws only the artists that moved (blitting), then
sends a PNG to an ``ipywidgets.Image``. The browser just swaps an image.
"""

from __future__ import annotations

import base64
import math
import re
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["FigureView", "png_bytes", "Explorer", "Updates", "Loop", "set_together", "preset_buttons", "set_range", "next_values", "keyed", "key_of", "slug",
           "log_slider", "float_slider", "int_slider", "dropdown", "checkbox"]


class FigureView:
    """A matplotlib ``Figure`` shown as an ``ipywidgets.Image``, redrawn by blitting.

    Usage::

        fig = Figure(figsize=(8, 3.5)); ax = fig.add_subplot()
        (line,) = ax.plot([], [])
        view = FigureView(fig, animated=[line])
        line.set_data(x, y); view.redraw()          # only the line is redrawn

    A picture has three layers, each redrawn only when it changes:

    - the **background** (axes, ticks, labels, legends): a full draw, 50-150 ms (a
      layout engine such as ``layout="constrained"`` re-measures every tick label).
      ``redraw(key=...)`` names the background a state needs (say, the surface and
      the number of steps); each is drawn once and kept, so returning to a state seen
      before costs a paste. ``redraw(full=True)`` draws it again.
    - the **underlay** (``underlay=[...]``: a ``plots.ContourImage``, a title that
      changes): drawn over the background only when ``redraw(underlay=True)`` says it
      changed, a few milliseconds (a new κ swaps the contours this way).
    - the **animated** artists (paths, curves, markers): drawn on every redraw.
    """

    def __init__(self, fig: Figure, animated: Iterable[Artist] = (),
                 underlay: Iterable[Artist] = ()) -> None:
        self.fig = fig
        self.canvas = FigureCanvasAgg(fig)
        self.image = W.Image(format="png", layout=W.Layout(max_width="100%", height="auto"))
        self.animated: list[Artist] = []
        self.underlay: list[Artist] = []
        self._background = None  # background + underlay, what every blit starts from
        self._key: Any = None
        self._saved: dict[Any, Any] = {}  # key -> (bare background, axes positions)
        for artist in underlay:
            artist.set_animated(True)  # left out of the background's full draw
            self.underlay.append(artist)
        self.add_animated(*animated)

    def add_animated(self, *artists: Artist) -> None:
        """Mark artists as moving: left out of the background, drawn on every redraw."""
        for artist in artists:
            artist.set_animated(True)
            self.animated.append(artist)
        self._background = None

    def invalidate(self) -> None:
        """Mark the still parts as changed: the next ``redraw`` draws the whole figure."""
        self._background = None
        self._saved.clear()

    def _bare(self, full: bool) -> None:
        """Put the still background for the current key on the canvas (drawing it if new)."""
        saved = None if full else self._saved.get(self._key)
        if saved is None:
            self.canvas.draw()  # animated and underlay artists are skipped by a normal draw
            saved = (self.canvas.copy_from_bbox(self.fig.bbox),
                     [ax.get_position() for ax in self.fig.axes])
            self._saved[self._key] = saved
        else:
            for ax, position in zip(self.fig.axes, saved[1], strict=True):
                ax.set_position(position)  # the axes go back where that background has them
            self.canvas.restore_region(saved[0])

    def _draw(self, artists: Iterable[Artist]) -> None:
        renderer = self.canvas.get_renderer()
        for artist in artists:
            if artist.get_visible():
                artist.draw(renderer)

    def redraw(self, full: bool = False, key: Any = None, underlay: bool = False) -> None:
        """Update the image: background (if new), underlay (if changed), animated artists."""
        if key is not None and key != self._key:
            self._key, self._background = key, None
        if full or underlay or self._background is None:
            self._bare(full)
            self._draw(self.underlay)
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        self._draw(self.animated)
        self.image.value = self.png()

    def prepare(self, key: Any) -> None:
        """Draw and keep the background for ``key`` now (the axes set up for it), so the
        first visit to that state later costs a paste. The picture shown is unchanged."""
        self._key, self._background = key, None
        self._bare(full=True)

    def png(self) -> bytes:
        """The current picture as PNG bytes (fast compression: a slider cannot wait)."""
        return png_bytes(np.asarray(self.canvas.buffer_rgba()))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(rgba: np.ndarray) -> bytes:
    """An RGB(A) byte image ``(height, width, 3 or 4)`` as a PNG without its alpha channel.

    Written by hand because every slider move pays for it: rows unfiltered and deflated
    at level 1, the top and bottom halves at once on two threads (NumPy and zlib let go
    of Python's lock), take about 1.5 ms for a 760x496 explorer and come out as small as
    Pillow's ``compress_level=1`` (about 60 KiB), which takes 5 ms: it tries a filter per row.
    """
    height, width = rgba.shape[:2]
    top = _POOL.submit(_deflate_rows, rgba[:height // 2], False)
    bottom, bottom_rows = _deflate_rows(rgba[height // 2:], True)
    top, top_rows = top.result()
    # One zlib stream: a header, the two raw deflate parts (the top one ends on a byte
    # boundary without closing the stream), and the checksum of all the rows.
    checksum = zlib.adler32(bottom_rows, zlib.adler32(top_rows))
    stream = b"\x78\x01" + top + bottom + struct.pack(">I", checksum)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", stream)
            + _chunk(b"IEND", b""))


def _deflate_rows(rgba: np.ndarray, last: bool) -> tuple[bytes, memoryview]:
    """PNG rows (a filter byte 0, then RGB) of ``rgba``, raw-deflated at level 1, and the
    rows themselves; a part that is not ``last`` ends with a sync flush, on a byte boundary."""
    height, width = rgba.shape[:2]
    rows = np.zeros((height, 1 + 3 * width), np.uint8)
    pixels = rows[:, 1:]
    pixels.shape = (height, width, 3)  # a view into rows (setting .shape never copies)
    pixels[...] = rgba[..., :3]  # one strided copy
    data = memoryview(rows.reshape(-1))
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    flush = zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH
    return compressor.compress(data) + compressor.flush(flush), data


_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="png")


_KEY_CLASS = "cu-key-"


def slug(text: str) -> str:
    """A label as a key: ASCII letters, digits and underscores (``"start x"`` -> ``"start_x"``,
    ``"learning_rate η"`` -> ``"learning_rate"``)."""
    out = re.sub(r"[^a-z0-9_]+", "_", text.lower())
    return re.sub(r"_+", "_", out).strip("_")


def keyed(widget: W.Widget, key: str) -> W.Widget:
    """Give a control its stable key: ``explorer.controls[key]`` in Python, and the CSS class
    ``cu-key-<key>`` in the browser. A label may be reworded; a key stays."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
        raise ValueError(f"a key is lower-case letters, digits and underscores, got {key!r}.")
    for name in [c for c in widget._dom_classes if c.startswith(_KEY_CLASS)]:
        widget.remove_class(name)
    widget.add_class(_KEY_CLASS + key)
    return widget


def key_of(widget: W.Widget) -> str | None:
    """The control's key (``keyed``), else its label as a key, else ``None``."""
    for name in widget._dom_classes:
        if name.startswith(_KEY_CLASS):
            return name[len(_KEY_CLASS):]
    description = getattr(widget, "description", "")
    return slug(description) or None if description else None


class Updates:
    """Call an explorer's ``update`` on every control change, except while paused.

    Moving several controls at once (a preset sets η and β, a new surface moves the start
    sliders) would otherwise recompute and redraw once per control::

        updates = Updates(update)
        slider.observe(updates, names="value")
        with updates.paused():
            eta_slider.value, beta_slider.value = 0.1, 0.9
        updates()                                   # one update for both
    """

    def __init__(self, update: Callable[[], None]) -> None:
        self._update = update
        self._held = 0

    def __call__(self, *_: Any) -> None:
        if not self._held:
            self._update()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Within the ``with`` block, control changes do not update the explorer."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1


class Loop(Updates):
    """An explorer's update in three steps: ``compute`` (read the controls, return data; no
    widgets, no artists), ``draw`` the data, ``describe`` it in the readout.

    Called as an observer (``loop.watch(...)``), it runs on every control change unless
    paused; ``loop.data`` is what the last run computed (``explorer.data``)::

        loop = Loop(lambda: compute(eta.value, kappa.value), draw, describe, readout)
        loop.watch(eta, kappa)
        loop()                                       # the first picture
        return Explorer(rows, view, readout, loop)
    """

    def __init__(self, compute: Callable[[], Any], draw: Callable[[Any], None],
                 describe: Callable[[Any], str], readout: W.Widget) -> None:
        super().__init__(self.run)
        self.data: Any = None
        self._steps = (compute, draw, describe)
        self._readout = readout

    def run(self) -> None:
        """Compute, draw and describe now (paused or not)."""
        compute, draw, describe = self._steps
        self.data = compute()
        draw(self.data)
        self._readout.value = describe(self.data)

    def watch(self, *controls: W.Widget) -> None:
        """Run the loop whenever one of ``controls`` changes value."""
        for control in controls:
            control.observe(self, names="value")


def set_together(loop: Updates, *settings: tuple[W.Widget, Any]) -> None:
    """Set several controls (``(control, value)`` pairs) with one update: a preset."""
    with loop.paused():
        for control, value in settings:
            control.value = value
    loop()


def preset_buttons(loop: Updates, presets: Iterable[tuple[str, Iterable[tuple[W.Widget, Any]]]],
                   width: str = "auto") -> list[W.Button]:
    """One button per ``(label, [(control, value), ...])``: a click sets those controls
    together, with one update (``set_together``)."""
    buttons = []
    for label, settings in presets:
        button = W.Button(description=label, layout=W.Layout(width=width))
        button.on_click(lambda _, settings=tuple(settings): set_together(loop, *settings))
        buttons.append(button)
    return buttons


def set_range(slider: W.Widget, low: float, high: float, value: float | None = None) -> None:
    """Move a slider to ``[low, high]`` (and ``value``) without tripping over its old range.

    ipywidgets refuses ``min > max`` at every assignment and clips the value to the range
    in between, so the range is first widened to hold both, then narrowed.
    """
    slider.min, slider.max = min(low, slider.min), max(high, slider.max)
    if value is not None:
        slider.value = value
    slider.min, slider.max = low, high


def next_values(slider: W.Widget, reach: int = 2) -> list[float]:
    """The values ``reach`` key presses either way would give a slider, nearest first: what
    to compute ahead (say, the contours of the next κ) while a learner looks at this one."""
    log = isinstance(slider, W.FloatLogSlider)
    here = math.log(slider.value, slider.base) if log else slider.value
    out = []
    for i in range(1, reach + 1):
        for position in (here + i * slider.step, here - i * slider.step):
            if slider.min - 1e-9 <= position <= slider.max + 1e-9:
                position = min(max(position, slider.min), slider.max)  # never past an end
                out.append(slider.base ** position if log else position)
    return out


class Explorer(W.VBox):
    """A box of controls, a picture and a readout; what every ``*_explorer()`` returns.

    ``explorer.children`` holds the control rows, then the picture, then the readout,
    so tests (and curious learners) can reach every control; ``explorer.controls``
    has them by their stable key (``explorer.controls["learning_rate"]``), and
    ``explorer.data`` holds what the last update computed (the numbers the picture
    and the readout show), so a test can check numbers rather than prose. Without a
    live widget front end (GitHub, a static HTML export), the explorer shows its
    current picture and readout as plain HTML (and a PNG) instead of an empty space.
    """

    def __init__(self, controls: list[W.Widget], view: FigureView, readout: W.Widget,
                 update: Callable[..., None], data: Callable[[], Any] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(children=[*controls, view.image, readout], **kwargs)
        self.view = view
        self.readout = readout
        self._update = update
        if data is None and isinstance(update, Loop):
            data = lambda: update.data  # noqa: E731
        self._data = data

    @property
    def data(self) -> Any:
        """What the last update computed (``None`` for an explorer that does not say)."""
        return self._data() if self._data is not None else None

    @property
    def controls(self) -> dict[str, W.Widget]:
        """Every value control, by its stable key (``keyed``; else its label as a key)."""
        found: dict[str, W.Widget] = {}
        stack = list(self.children)
        while stack:
            widget = stack.pop(0)
            if isinstance(widget, W.Box):
                stack[:0] = list(widget.children)
            elif isinstance(widget, W.ValueWidget):
                key = key_of(widget)
                if key:
                    if key in found:
                        raise ValueError(f"two controls share the key {key!r}: give each its "
                                         "own with keyed(widget, key).")
                    found[key] = widget
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
               readout_format: str = ".2g", *, key: str | None = None) -> W.FloatLogSlider:
    """A slider over powers of ten, for learning rates (``low``/``high`` are values, not exponents).

    Every factory here takes ``key``, the control's stable name in ``explorer.controls``
    (by default the label as a key: ``"learning_rate η"`` -> ``"learning_rate"``).
    """
    return keyed(W.FloatLogSlider(value=value, base=10, min=np.log10(low), max=np.log10(high),
                                  step=0.05, readout_format=readout_format, **_style(description)),
                 key or slug(description))


def float_slider(description: str, value: float, low: float, high: float,
                 step: float = 0.01, readout_format: str = ".2f", *,
                 key: str | None = None) -> W.FloatSlider:
    """A linear slider for a float (momentum, β, start coordinates)."""
    return keyed(W.FloatSlider(value=value, min=low, max=high, step=step,
                               readout_format=readout_format, **_style(description)),
                 key or slug(description))


def int_slider(description: str, value: int, low: int, high: int, step: int = 1, *,
               key: str | None = None) -> W.IntSlider:
    """A slider for a whole number (steps, batch size)."""
    return keyed(W.IntSlider(value=value, min=low, max=high, step=step, **_style(description)),
                 key or slug(description))


def dropdown(description: str, options: Iterable[Any], value: Any, *,
             key: str | None = None) -> W.Dropdown:
    """A drop-down list (surface, optimizer, schedule)."""
    style = _style(description)
    style.pop("continuous_update")
    style["layout"] = W.Layout(width="260px")
    return keyed(W.Dropdown(options=list(options), value=value, **style),
                 key or slug(description))


def checkbox(description: str, value: bool, *, key: str | None = None,
             width: str = "110px") -> W.Checkbox:
    """A tick box (Nesterov on or off, the best η for each)."""
    return keyed(W.Checkbox(value=bool(value), description=description, indent=False,
                            layout=W.Layout(width=width)), key or slug(description))
