"""The landscape explorer: controls pick precomputed runs and redraw paths, curves and readout."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import widgets

RATES = (0.01, 0.1)
BATCHES = (16, 128)


def _runs() -> dict:
    runs = {}
    for k, name in enumerate(("sgd", "momentum", "adam")):
        for lr in RATES:
            for b in BATCHES:
                t = np.linspace(0, 1, 20)[:, None]
                path = np.column_stack([1 - t[:, 0], (k + 1) * lr * np.sin(5 * t[:, 0]) * b / 100])
                runs[name, lr, b] = {"path": path, "losses": np.geomspace(2, 0.1 * lr * (k + 1), 5),
                                     "off_plane": 0.1 * k + lr}
    runs["adam", 0.1, 128]["path"][10:] = np.nan  # a diverged run stops where it diverged
    return runs


def _surface() -> tuple:
    a = np.linspace(-1.5, 1.5, 21)
    A, B = np.meshgrid(a, a)
    return a, a.copy(), 0.05 + A**2 + 3 * B**2


def test_builds_with_controls_and_picture() -> None:
    explorer = widgets.landscape_explorer(_runs(), _surface())
    assert {"optimizer 1", "learning_rate η1", "batch_size"} <= set(explorer.controls)
    assert explorer.view.image.value[:4] == b"\x89PNG"
    assert "sgd" in explorer.readout.value and "off the plane" in explorer.readout.value
    assert explorer.children[-1] is explorer.readout


@pytest.mark.parametrize(("name", "value"), [("learning_rate η1", 0.01), ("batch_size", 128),
                                               ("optimizer 2", "(none)")])
def test_changing_a_control_redraws_picture_and_readout(name, value) -> None:
    explorer = widgets.landscape_explorer(_runs(), _surface(), learning_rates=(0.1, 0.1, 0.1))
    image, text = explorer.view.image.value, explorer.readout.value
    explorer.controls[name].value = value
    assert explorer.view.image.value != image
    assert explorer.readout.value != text


def test_a_diverged_run_is_said_so() -> None:
    explorer = widgets.landscape_explorer(_runs(), _surface(), optimizers=("adam",),
                                          learning_rates=(0.1,), batch_size=128)
    assert "diverged" in explorer.readout.value


def test_static_view_has_picture_and_readout() -> None:
    bundle = widgets.landscape_explorer(_runs(), _surface())._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "image/png" in data and "off the plane" in data["text/html"]


@pytest.mark.parametrize("kwargs", [{"optimizers": ("lion",)}, {"optimizers": ()},
                                    {"batch_size": 7}, {"learning_rates": (0.5, 0.1, 0.1)}])
def test_bad_arguments_raise_value_error(kwargs) -> None:
    with pytest.raises(ValueError):
        widgets.landscape_explorer(_runs(), _surface(), **kwargs)


def test_bad_runs_raise_value_error() -> None:
    with pytest.raises(ValueError):
        widgets.landscape_explorer({}, _surface())
    with pytest.raises(ValueError):
        widgets.landscape_explorer({("sgd", 0.1, 16): {"path": np.zeros((3, 3)), "losses": [1.0]}},
                                   _surface())


def test_two_planes_switch_redraws_contours_and_readout() -> None:
    runs = {key: {"path": {"fixed plane": run["path"], "PCA plane": run["path"][:, ::-1] * 2},
                  "losses": run["losses"], "off_plane": {"fixed plane": 0.5, "PCA plane": 0.25}}
            for key, run in _runs().items()}
    explorer = widgets.landscape_explorer(runs, {"fixed plane": _surface(), "PCA plane": _surface()})
    image, text = explorer.view.image.value, explorer.readout.value
    assert "50%" in text
    explorer.controls["plane"].value = "PCA plane"
    assert explorer.view.image.value != image
    assert "25%" in explorer.readout.value and "50%" not in explorer.readout.value
    with pytest.raises(ValueError):
        widgets.landscape_explorer(_runs(), {"fixed plane": _surface(), "PCA plane": _surface()})


def test_switching_back_to_a_plane_reuses_its_picture() -> None:
    runs = {key: {"path": {"fixed plane": run["path"], "PCA plane": run["path"][:, ::-1] * 2},
                  "losses": run["losses"]} for key, run in _runs().items()}
    explorer = widgets.landscape_explorer(runs, {"fixed plane": _surface(), "PCA plane": _surface()},
                                          axis_labels={"fixed plane": ("a", "b"), "PCA plane": ("p", "q")})
    first = explorer.view.image.value
    explorer.controls["plane"].value = "PCA plane"
    second = explorer.view.image.value
    explorer.controls["plane"].value = "fixed plane"
    assert explorer.view.image.value == first
    explorer.controls["plane"].value = "PCA plane"
    assert explorer.view.image.value == second
