"""The augmentation viewer: every control redraws, the grid is reproducible, bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("keras")

from course_utils import data, widgets  # noqa: E402
from course_utils.keras_tools import augmentation_layers  # noqa: E402
from course_utils.plots import mosaic  # noqa: E402


@pytest.fixture(scope="module")
def viewer() -> widgets.Explorer:
    return widgets.augmentation_viewer()


def _png(ex: widgets.Explorer) -> bytes:
    return bytes(ex.view.image.value)


KEYS = ("flip", "rotation", "zoom", "translation", "contrast", "interpolation", "seed")


def test_builds_with_defaults(viewer: widgets.Explorer) -> None:
    assert set(viewer.controls) == set(KEYS)  # each key is the argument that sets the control
    assert viewer.controls["rotation"].description == "RandomRotation factor (turns)"
    assert _png(viewer).startswith(b"\x89PNG")
    assert viewer.data.layers == ["RandomRotation", "RandomZoom", "RandomTranslation",
                                  "RandomContrast"]  # flip "none" adds no layer
    assert viewer.data.augmented.shape == (16, 8, 8, 1) and viewer.data.change > 0
    assert "±18.0°" in viewer.readout.value  # default rotation factor 0.05 of a full turn
    assert "keras.layers.RandomRotation(0.05" in viewer.readout.value


def test_the_picture_shows_the_computed_images(viewer: widgets.Explorer) -> None:
    shown = viewer.view.fig.axes[1].images[0].get_array()
    np.testing.assert_array_equal(np.ma.filled(shown, np.nan), mosaic(viewer.data.augmented))
    originals = data.load_digits().x_train[:16]
    assert viewer.data.change == pytest.approx(np.mean(np.abs(viewer.data.augmented - originals)))


@pytest.mark.parametrize(("control", "value"), [
    ("rotation", 0.2), ("zoom", 0.3), ("translation", 0.25), ("contrast", 0.6),
    ("flip", "horizontal"), ("interpolation", "bilinear"), ("seed", 4),
])
def test_each_control_redraws_and_updates_the_readout(viewer: widgets.Explorer, control: str,
                                                      value) -> None:
    before, text, images = _png(viewer), viewer.readout.value, viewer.data.augmented
    viewer.controls[control].value = value
    assert viewer.data.settings[control] == value
    assert not np.array_equal(viewer.data.augmented, images)
    assert _png(viewer) != before
    assert viewer.readout.value != text


def test_grid_changes_only_when_a_control_does() -> None:
    ex = widgets.augmentation_viewer()
    first = _png(ex)
    ex.update()
    assert _png(ex) == first  # same strengths, same seed: the same picture
    slider = ex.controls["zoom"]
    slider.value = 0.3
    slider.value = 0.1
    assert _png(ex) == first


def test_flip_warning_and_no_augmentation_text() -> None:
    ex = widgets.augmentation_viewer(rotation=0.0, zoom=0.0, translation=0.0, contrast=0.0)
    assert ex.data.layers == [] and ex.data.change == 0.0
    assert "no augmentation" in ex.readout.value
    ex.controls["flip"].value = "horizontal_and_vertical"
    assert ex.data.layers == ["RandomFlip"]
    assert "6 becomes a 9" in ex.readout.value


def test_layers_follow_keras_units_and_are_off_at_inference() -> None:
    images = data.load_digits().x_train[:4]
    layers = augmentation_layers(flip="horizontal", rotation=0.25, zoom=0.1, translation=0.1,
                                 contrast=0.2)
    assert [type(layer).__name__ for layer in layers] == [
        "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast"]
    for layer in layers:
        np.testing.assert_array_equal(np.asarray(layer(images, training=False)), images)
    assert augmentation_layers() == []
    # a quarter turn (factor 0.25) applied exactly is np.rot90
    import keras

    square = np.zeros((1, 8, 8, 1), "float32")
    square[0, 1:3, 1:7] = 1.0
    turned = keras.layers.RandomRotation((0.25, 0.25), fill_mode="constant",
                                         interpolation="nearest")(square, training=True)
    assert np.array_equal(np.asarray(turned)[0, ..., 0], np.rot90(square[0, ..., 0]))


def test_mosaic_layout() -> None:
    tiles = np.arange(5 * 2 * 3, dtype=float).reshape(5, 2, 3)
    out = mosaic(tiles, columns=2)
    assert out.shape == (3 * 3 - 1, 2 * 4 - 1)
    np.testing.assert_array_equal(out[:2, :3], tiles[0])
    assert np.isnan(out[2]).all() and np.isnan(out[-2:, -3:]).all()


@pytest.mark.parametrize("kwargs", [
    {"flip": "diagonal"}, {"rotation": -0.1}, {"rotation": 2.0}, {"zoom": 0.9},
    {"contrast": 1.5}, {"interpolation": "cubic"}, {"translation": "a lot"},
    {"images": np.zeros((3, 8, 8))}, {"images": np.full((2, 8, 8, 1), 2.0)},
    {"images": np.zeros((40, 8, 8, 1))},
])
def test_bad_arguments_raise_value_error(kwargs) -> None:
    with pytest.raises(ValueError):
        widgets.augmentation_viewer(**kwargs)


def test_default_interpolation_is_nearest_in_the_viewer_and_its_printed_code() -> None:
    ex = widgets.augmentation_viewer()
    assert ex.controls["interpolation"].value == "nearest"
    assert 'interpolation="nearest"' in ex.readout.value
    assert 'interpolation="bilinear"' not in ex.readout.value
    layers = augmentation_layers(rotation=0.05, zoom=0.1, translation=0.1)
    assert [layer.interpolation for layer in layers] == ["nearest"] * 3
    ex.controls["interpolation"].value = "bilinear"
    assert 'interpolation="bilinear"' in ex.readout.value


def test_nearest_keeps_pixel_values_bilinear_blends_them() -> None:
    images = data.load_digits().x_train[:16]
    values = set(np.unique(images).round(6))
    near, = augmentation_layers(translation=0.25, seed=3)
    blur, = augmentation_layers(translation=0.25, interpolation="bilinear", seed=3)
    shifted_near = np.asarray(near(images, training=True))
    shifted_blur = np.asarray(blur(images, training=True))
    assert set(np.unique(shifted_near).round(6)) <= values | {0.0}  # only copies of old pixels
    assert not set(np.unique(shifted_blur).round(6)) <= values | {0.0}  # new, averaged values
