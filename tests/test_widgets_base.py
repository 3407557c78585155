"""The explorer kit: keys, the update loop, presets, slider ranges and kept backgrounds."""

from __future__ import annotations

import io

import ipywidgets as W
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from course_utils.widgets.base import (
    Explorer,
    FigureView,
    Loop,
    float_slider,
    keyed,
    log_slider,
    next_values,
    png_bytes,
    preset_buttons,
    set_range,
    slug,
)


def _kit():
    fig = Figure(figsize=(3, 2), dpi=50)
    ax = fig.add_subplot()
    (line,) = ax.plot([], [])
    view = FigureView(fig, animated=[line])
    a = float_slider("learning_rate η", 0.1, 0.0, 1.0, key="learning_rate")
    b = float_slider("momentum β", 0.5, 0.0, 1.0)
    readout = W.HTML()
    runs = []

    def compute() -> dict:
        runs.append((a.value, b.value))
        return {"sum": a.value + b.value}

    def draw(data: dict) -> None:
        line.set_data([0, 1], [0, data["sum"]])
        view.redraw()

    loop = Loop(compute, draw, lambda data: f"sum {data['sum']:.2f}", readout)
    loop.watch(a, b)
    loop()
    return Explorer([W.HBox([a, b])], view, readout, loop), runs


def test_keys_and_labels() -> None:
    explorer, _ = _kit()
    assert set(explorer.controls) == {"learning_rate", "momentum"}  # explicit key; label as key
    assert "cu-key-learning_rate" in explorer.controls["learning_rate"]._dom_classes
    assert slug("start x") == "start_x" and slug("learning_rate η1") == "learning_rate_1"
    with pytest.raises(ValueError, match="lower-case"):
        keyed(W.IntSlider(), "Learning Rate")
    twin = float_slider("momentum β", 0.5, 0.0, 1.0)
    clash = Explorer([twin, float_slider("momentum β", 0.1, 0.0, 1.0)], explorer.view,
                     W.HTML(), lambda: None)
    with pytest.raises(ValueError, match="share the key"):
        clash.controls  # noqa: B018


def test_loop_runs_on_change_and_keeps_its_data() -> None:
    explorer, runs = _kit()
    explorer.controls["learning_rate"].value = 0.3
    assert explorer.data == {"sum": pytest.approx(0.8)} and "0.80" in explorer.readout.value
    assert len(runs) == 2


def test_a_preset_sets_several_controls_with_one_update() -> None:
    explorer, runs = _kit()
    a, b = explorer.controls["learning_rate"], explorer.controls["momentum"]
    (button,) = preset_buttons(explorer._update, [("both", [(a, 0.2), (b, 0.9)])])
    before = len(runs)
    button.click()
    assert len(runs) == before + 1 and runs[-1] == (0.2, 0.9)


def test_set_range_moves_past_the_old_range() -> None:
    slider = W.FloatSlider(value=0.5, min=0.0, max=1.0)
    set_range(slider, 5.0, 10.0, 7.0)  # min above the old max: widened first, then narrowed
    assert (slider.min, slider.max, slider.value) == (5.0, 10.0, 7.0)


def test_a_kept_background_is_pasted_and_equals_a_fresh_draw() -> None:
    fig = Figure(figsize=(3, 2), dpi=50, layout="constrained")
    ax = fig.add_subplot()
    view = FigureView(fig)
    draws = []
    original = view.canvas.draw
    view.canvas.draw = lambda: (draws.append(1), original())[1]
    ax.set_xlim(0, 1)
    view.redraw(key="a")
    first = view.image.value
    ax.set_xlim(0, 1000)
    view.redraw(key="b")
    ax.set_xlim(0, 1)
    view.redraw(key="a")
    assert len(draws) == 2 and view.image.value == first


@pytest.mark.parametrize("height", [1, 2, 37])
def test_the_png_decodes_to_the_canvas_pixels(height: int) -> None:
    """The hand-written PNG encoder (two deflate parts in one stream): any decoder (Pillow
    here) gets the exact RGB pixels back, for one row, two and an odd number."""
    rng = np.random.default_rng(height)
    rgba = rng.integers(0, 256, size=(height, 53, 4), dtype=np.uint8)
    decoded = Image.open(io.BytesIO(png_bytes(rgba)))
    assert decoded.mode == "RGB" and decoded.size == (53, height)
    np.testing.assert_array_equal(np.asarray(decoded), rgba[..., :3])
    flat = np.full((200, 300, 4), 200, np.uint8)  # compressed, not stored
    assert len(png_bytes(flat)) < flat.size / 50
    fig = Figure(figsize=(3, 2), dpi=50)
    fig.add_subplot().plot([0, 1], [1, 0])
    view = FigureView(fig)
    view.redraw()
    shown = np.asarray(Image.open(io.BytesIO(view.image.value)))
    np.testing.assert_array_equal(shown, np.asarray(view.canvas.buffer_rgba())[..., :3])


def test_next_values_are_what_key_presses_would_give() -> None:
    kappa = log_slider("condition κ", 10.0, 1.0, 100.0, key="condition")  # step 0.05 in log10
    ahead = next_values(kappa)
    np.testing.assert_allclose(ahead, [10 ** 1.05, 10 ** 0.95, 10 ** 1.1, 10 ** 0.9])
    kappa.value = 1.0  # at the lower end: only the way up
    np.testing.assert_allclose(next_values(kappa, reach=1), [10 ** 0.05])
    beta = float_slider("momentum β", 0.98, 0.0, 0.99)  # step 0.01
    np.testing.assert_allclose(next_values(beta), [0.99, 0.97, 0.96])
