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
    assert set(explorer.controls) == {"optimizer_1", "optimizer_2", "optimizer_3",
                                      "learning_rate_1", "learning_rate_2", "learning_rate_3",
                                      "batch_size"}  # one plane: no plane menu
    assert explorer.controls["learning_rate_1"].description == "learning_rate η1"
    assert explorer.view.image.value[:4] == b"\x89PNG"
    data = explorer.data
    assert [(r.optimizer, r.learning_rate) for r in data.runs] == [
        ("sgd", 0.1), ("momentum", 0.1), ("adam", 0.1)]  # the middle rate of each, as run
    assert data.batch_size == 16 and all(r.found and not r.diverged for r in data.runs)
    assert "sgd" in explorer.readout.value and "off the plane" in explorer.readout.value
    assert explorer.children[-1] is explorer.readout


@pytest.mark.parametrize(("name", "value"), [("learning_rate_1", 0.01), ("batch_size", 128),
                                               ("optimizer_2", "(none)")])
def test_changing_a_control_redraws_picture_and_readout(name, value) -> None:
    explorer = widgets.landscape_explorer(_runs(), _surface(), learning_rates=(0.1, 0.1, 0.1))
    image, text = explorer.view.image.value, explorer.readout.value
    explorer.controls[name].value = value
    assert explorer.view.image.value != image
    assert explorer.readout.value != text


def test_data_holds_the_chosen_runs_numbers() -> None:
    runs = _runs()
    explorer = widgets.landscape_explorer(runs, _surface(), learning_rates=(0.1, 0.1, 0.1))
    explorer.controls["learning_rate_1"].value = 0.01
    explorer.controls["batch_size"].value = 128
    explorer.controls["optimizer_2"].value = "(none)"
    data = explorer.data
    assert data.batch_size == 128 and [r.optimizer for r in data.runs] == ["sgd", "adam"]
    sgd = data.runs[0]
    assert (sgd.slot, sgd.learning_rate) == (0, 0.01)
    np.testing.assert_array_equal(sgd.path, runs["sgd", 0.01, 128]["path"])
    assert sgd.final == runs["sgd", 0.01, 128]["losses"][-1]
    assert sgd.off_plane == pytest.approx(0.01)
    # the contours' value at the end: 0.05 + α² + 3β² interpolated between its grid points
    (a, b), grid = sgd.path[-1], _surface()[0]
    between = 0.05 + np.interp(a, grid, grid**2) + 3 * np.interp(b, grid, grid**2)
    assert sgd.on_slice == pytest.approx(between)
    lines = explorer.view.fig.axes[0].lines  # per row of controls: path, start, end
    np.testing.assert_array_equal(np.column_stack(lines[0].get_data()), sgd.path)
    assert not any(line.get_visible() for line in lines[3:6])  # optimizer 2 shows nothing


def test_an_optimizer_with_other_rates_keeps_or_resets_the_rate() -> None:
    runs = {key: run for key, run in _runs().items() if key[0] != "adam"}
    for b in BATCHES:
        runs["adam", 0.001, b] = runs["adam", 0.1, b] = _runs()["sgd", 0.1, b]
    explorer = widgets.landscape_explorer(runs, _surface(), learning_rates=(0.01, 0.1, 0.1),
                                          optimizers=("sgd", "momentum", "adam"))
    seen = []
    explorer.readout.observe(lambda change: seen.append(change["new"]), names="value")
    explorer.controls["optimizer_1"].value = "adam"  # 0.01 was not run with adam
    assert explorer.controls["learning_rate_1"].options == (("0.001", 0.001), ("0.1", 0.1))
    assert explorer.data.runs[0].learning_rate == 0.1  # the middle of adam's rates
    assert len(seen) == 1  # new options and a new value: one update
    explorer.controls["optimizer_1"].value = "(none)"
    assert explorer.controls["learning_rate_1"].disabled and len(explorer.data.runs) == 2


def test_a_diverged_run_is_said_so() -> None:
    explorer = widgets.landscape_explorer(_runs(), _surface(), optimizers=("adam",),
                                          learning_rates=(0.1,), batch_size=128)
    (adam,) = explorer.data.runs
    assert adam.diverged and len(adam.path) == 10  # the path stops where it diverged
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
    assert {r.off_plane for r in explorer.data.runs} == {0.5} and "50%" in text
    explorer.controls["plane"].value = "PCA plane"
    assert explorer.data.plane == "PCA plane"
    np.testing.assert_array_equal(explorer.data.runs[0].path, runs["sgd", 0.1, 16]["path"]["PCA plane"])
    assert explorer.view.image.value != image
    assert {r.off_plane for r in explorer.data.runs} == {0.25}
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
    explorer.view.invalidate()  # a full draw of the same state: the pasted picture was right
    explorer.update()
    assert explorer.view.image.value == second
