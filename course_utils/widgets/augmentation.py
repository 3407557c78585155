"""The augmentation viewer: Keras's random image layers on a grid of digits, one slider each.

Data augmentation trains on randomly changed copies of the training images (turned
a little, zoomed, shifted, with another contrast), so the network sees more
variety than the data set holds. In Keras these are layers:

- ``RandomFlip(mode)``: mirror left-right ("horizontal") and/or top-bottom ("vertical");
- ``RandomRotation(factor)``: turn by up to ``factor`` of a full turn (2π): 0.05 is ±18°;
- ``RandomZoom(height_factor)``: zoom out (positive) or in (negative) by up to that fraction;
- ``RandomTranslation(height_factor, width_factor)``: shift by up to that fraction of the size;
- ``RandomContrast(factor)``: scale each image's deviation from its mean by ``1 ± factor``.

They change their input only when called with ``training=True`` (inside ``fit``);
at inference they pass it through unchanged. The viewer calls them on 16 digits
with fixed seeds, so the grid changes only when a control does. Keras (and
TensorFlow) is imported when the viewer is built, not when ``course_utils.widgets``
is. Like every explorer, three steps: ``compute`` (the augmented images for one setting,
an ``AugmentationData``), draw and ``describe``. Taught in 07_data_augmentation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from course_utils.plots import mosaic
from course_utils.widgets.base import Explorer, FigureView, Loop, dropdown, float_slider, int_slider

__all__ = ["augmentation_viewer"]


def _code(flip: str, rotation: float, zoom: float, translation: float, contrast: float,
          interpolation: str) -> str:
    geo = f'fill_mode="constant", interpolation="{interpolation}"'
    lines = []
    if flip != "none":
        lines.append(f'keras.layers.RandomFlip("{flip}")')
    if rotation > 0:
        lines.append(f"keras.layers.RandomRotation({rotation:.3g}, {geo})")
    if zoom > 0:
        lines.append(f"keras.layers.RandomZoom({zoom:.3g}, {geo})")
    if translation > 0:
        lines.append(f"keras.layers.RandomTranslation({translation:.3g}, {translation:.3g}, {geo})")
    if contrast > 0:
        lines.append(f"keras.layers.RandomContrast({contrast:.3g}, value_range=(0, 1))")
    if not lines:
        return "no augmentation: every strength is 0"
    return "augment = keras.Sequential([<br>&nbsp;&nbsp;" + ",<br>&nbsp;&nbsp;".join(lines) + "])"


@dataclass(frozen=True)
class AugmentationData:
    """One setting's augmented images (``explorer.data``).

    ``settings`` holds the viewer's values by key (``flip``, ``rotation``, ``zoom``,
    ``translation``, ``contrast``, ``interpolation``, ``seed``); ``layers`` names the Keras
    layers applied, in order; ``augmented`` is the images after them (``training=True``);
    ``change`` the mean absolute change per pixel.
    """

    settings: dict[str, Any]
    layers: list[str]
    augmented: np.ndarray
    change: float
    image_size: int


def compute(images: np.ndarray, flip: str, rotation: float, zoom: float, translation: float,
            contrast: float, interpolation: str, seed: int) -> AugmentationData:
    """Run ``images`` through the Keras layers for these strengths (random draw ``seed``)."""
    from course_utils.keras_tools import augmentation_layers

    settings = {"flip": flip, "rotation": rotation, "zoom": zoom, "translation": translation,
                "contrast": contrast, "interpolation": interpolation, "seed": seed}
    # draw k seeds its layers from 1000·k (one seed each, counting up): no two draws share one
    layers = augmentation_layers(flip, rotation, zoom, translation, contrast, interpolation,
                                 seed=1000 * seed)
    out = images
    for layer in layers:
        out = layer(out, training=True)
    out = np.asarray(out)
    return AugmentationData(settings, [type(layer).__name__ for layer in layers], out,
                            float(np.mean(np.abs(out - images))), int(images.shape[1]))


def describe(data: AugmentationData) -> str:
    """The readout: each strength in its own units, the mean change, and the Keras code."""
    v, size = data.settings, data.image_size
    degrees = 360 * v["rotation"]
    return (
        f"Rotation up to ±{degrees:.1f}° (factor {v['rotation']:.3f} of a full turn); "
        f"zoom up to ±{100 * v['zoom']:.0f}%; shift up to ±{v['translation'] * size:.2g} "
        f"pixels of {size}; contrast ×[{1 - v['contrast']:.2f}, {1 + v['contrast']:.2f}]. "
        f"Mean |change| per pixel: {data.change:.3f}."
        + (" <b>Flipping changes what a digit means</b> (a mirrored 2 or 7 is no digit; "
           "flipped both ways a 6 becomes a 9)." if v["flip"] != "none" else "")
        + f"<br><code>{_code(v['flip'], v['rotation'], v['zoom'], v['translation'], v['contrast'], v['interpolation'])}</code>")


def augmentation_viewer(images: np.ndarray | None = None, flip: str = "none",
                        rotation: float = 0.05, zoom: float = 0.1, translation: float = 0.1,
                        contrast: float = 0.2, interpolation: str = "nearest",
                        seed: int = 0) -> Explorer:
    """Move a strength slider and see 16 digits augmented by Keras's random layers.

    ``images``: up to 36 images of shape (H, W, 1) with values in [0, 1]; by default
    the first 16 training digits of ``data.load_digits()``. Left: the originals;
    right: the same images through the layers, called with ``training=True``.
    The "random draw" slider picks another seed: new random choices, same strengths.
    Each control's key in ``explorer.controls`` is the argument that sets it (``flip``,
    ``rotation``, ``zoom``, ``translation``, ``contrast``, ``interpolation``, ``seed``);
    ``explorer.data`` is the last ``AugmentationData``.
    """
    # Keras (and TensorFlow) load here, when a viewer is built, not with course_utils.widgets.
    from course_utils.keras_tools import FLIP_MODES, INTERPOLATIONS, LIMITS, augmentation_layers

    if images is None:
        from course_utils import data

        images = data.load_digits().x_train[:16]
    images = np.asarray(images, dtype="float32")
    if images.ndim != 4 or images.shape[-1] != 1 or not 1 <= len(images) <= 36:
        raise ValueError("images must have shape (N, height, width, 1) with 1 <= N <= 36, got "
                         f"{images.shape}.")
    if not (np.all(np.isfinite(images)) and images.min() >= 0 and images.max() <= 1):
        raise ValueError("images must hold finite values in [0, 1].")
    augmentation_layers(flip, rotation, zoom, translation, contrast, interpolation, seed)

    controls = {
        "flip": dropdown("RandomFlip mode", FLIP_MODES, flip, key="flip"),
        "rotation": float_slider("RandomRotation factor (turns)", rotation, 0, LIMITS["rotation"],
                                 step=0.005, readout_format=".3f", key="rotation"),
        "zoom": float_slider("RandomZoom factor", zoom, 0, LIMITS["zoom"], key="zoom"),
        "translation": float_slider("RandomTranslation factor", translation, 0,
                                    LIMITS["translation"], key="translation"),
        "contrast": float_slider("RandomContrast factor", contrast, 0, LIMITS["contrast"],
                                 key="contrast"),
        "interpolation": dropdown("interpolation", INTERPOLATIONS, interpolation,
                                  key="interpolation"),
        "seed": int_slider("random draw (seed)", seed, 0, 20, key="seed"),
    }
    readout = W.HTML()
    columns = 4 if len(images) <= 16 else 6

    fig = Figure(figsize=(8.0, 4.2), dpi=72)
    ax_in, ax_out = fig.subplots(1, 2)
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.03, top=0.9, wspace=0.08)
    cmap = _cmap()
    ax_in.imshow(mosaic(images, columns), cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
    ax_in.set_title("original digits")
    shown = ax_out.imshow(mosaic(images, columns), cmap=cmap, vmin=0, vmax=1,
                          interpolation="nearest")
    ax_out.set_title("augmented (training=True)")
    for ax in (ax_in, ax_out):
        ax.set_xticks([])
        ax.set_yticks([])
    view = FigureView(fig, animated=[shown])

    def draw(data: AugmentationData) -> None:
        shown.set_data(mosaic(data.augmented, columns))
        view.redraw()

    loop = Loop(lambda: compute(images, **{k: c.value for k, c in controls.items()}), draw,
                describe, readout)
    loop.watch(*controls.values())
    loop()
    rows = [W.HBox([controls["flip"], controls["interpolation"], controls["seed"]]),
            W.HBox([controls["rotation"], controls["zoom"]]),
            W.HBox([controls["translation"], controls["contrast"]])]
    return Explorer(rows, view, readout, loop)


def _cmap() -> Any:
    from matplotlib import colormaps

    return colormaps["gray_r"].with_extremes(bad="#c8d3e6")
