"""The depth explorer: redraws on every control, reads the grid right, refuses bad input."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import data, gradient_flow, gradients, widgets


@pytest.fixture(scope="module")
def grid() -> gradients.DepthGrid:
    split = data.load_digits(images=False)
    return gradients.depth_grid(split.x_train[:64], split.y_train[:64], depths=range(2, 9))


@pytest.fixture(scope="module")
def explorer(grid) -> widgets.Explorer:
    return widgets.depth_explorer(grid, depth=6)


def _png(ex: widgets.Explorer) -> bytes:
    return bytes(ex.view.image.value)


def test_builds_with_no_arguments() -> None:
    ex = widgets.depth_explorer()  # computes the default grid: depths 2..20
    assert _png(ex).startswith(b"\x89PNG")
    assert ex.controls["depth"].max == 20
    assert ex.data.depth == 10 and ex.data.verdict == "vanishing"
    assert "10 hidden layers" in ex.readout.value and "vanishing" in ex.readout.value


def test_exposes_its_controls(explorer) -> None:
    assert set(explorer.controls) == {"depth", "activation", "initializer"}
    assert explorer.controls["initializer"].description == "kernel_initializer"  # label stays
    assert (explorer.data.depth, explorer.data.activation, explorer.data.initializer) == (
        6, "sigmoid", "RandomNormal(1.0)")
    assert "6 hidden layers · φ = sigmoid · RandomNormal(1.0)" in explorer.readout.value


@pytest.mark.parametrize(("control", "value"), [("depth", 3), ("activation", "tanh"),
                                                ("initializer", "HeNormal")])
def test_each_control_redraws_and_updates_the_readout(explorer, control, value) -> None:
    before, text = _png(explorer), explorer.readout.value
    explorer.controls[control].value = value
    assert getattr(explorer.data, control) == value
    assert _png(explorer) != before
    assert explorer.readout.value != text


def test_data_is_the_grid_at_the_chosen_configuration(grid) -> None:
    ex = widgets.depth_explorer(grid, depth=8, activation="relu", initializer="HeNormal")
    norms = grid.norms("relu", "HeNormal", 8)
    np.testing.assert_array_equal(ex.data.norms, norms)
    assert ex.data.norms.shape == (8 + 1,)  # 8 hidden layers and the output layer
    assert ex.data.ratio == pytest.approx(norms[0] / norms[-1])
    assert ex.data.verdict == gradient_flow.verdict(norms)[0] == "healthy"
    np.testing.assert_array_equal(ex.data.reference, norms)  # ReLU + He is the reference
    assert ex.data.stds.shape == (8,) and ex.data.ratios.shape == (len(grid.depths),)


def test_readout_quotes_the_grid(grid) -> None:
    ex = widgets.depth_explorer(grid, depth=8, activation="relu", initializer="HeNormal")
    norms = grid.norms("relu", "HeNormal", 8)
    assert f"‖g₁‖ = {norms[0]:.2e}" in ex.readout.value
    assert f"{norms[0] / norms[-1]:.2e}" in ex.readout.value
    assert "healthy" in ex.readout.value


def test_presets_set_activation_and_initializer(grid) -> None:
    ex = widgets.depth_explorer(grid, depth=8, activation="relu", initializer="HeNormal")
    buttons = [w for row in ex.children for w in getattr(row, "children", ())
               if type(w).__name__ == "Button"]
    seen = []
    ex.readout.observe(lambda change: seen.append(change["new"]), names="value")
    next(b for b in buttons if b.description == "sigmoid + N(0, 1)").click()
    assert ex.controls["activation"].value == "sigmoid"
    assert ex.controls["initializer"].value == "RandomNormal(1.0)"
    assert (ex.data.activation, ex.data.initializer) == ("sigmoid", "RandomNormal(1.0)")
    assert ex.data.verdict == "vanishing" and "vanishing" in ex.readout.value
    assert len(seen) == 1  # both menus moved, one update


@pytest.mark.parametrize(("norms", "label"), [
    ([1e-3, 1e-2, 1.0], "vanishing"),
    ([0.0, 0.0, 0.0], "dead"),
    ([0.3, 0.2, 0.1], "healthy"),
    ([50.0, 1.0, 0.5], "exploding"),
    ([1e9, 2e9, 3e9], "exploding"),
    ([2e-9, 1e-9, 1e-9], "vanishing"),
    ([np.nan, 1.0, 1.0], "exploding"),
])
def test_verdict(norms, label) -> None:
    assert gradient_flow.verdict(np.array(norms))[0] == label


def test_vanishing_verdict_does_not_promise_slow_learning_under_adam() -> None:
    # Adam rescales each step: a small gradient alone does not make a layer learn slowly
    label, why = gradient_flow.verdict(np.array([1e-3, 1e-2, 1.0]))
    assert label == "vanishing" and "Adam" in why and "plain SGD" in why
    assert "learns that much more slowly" not in why


def test_verdict_needs_two_layers() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        gradient_flow.verdict(np.array([1.0]))


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"depth": 1}, "depth must be one of"), ({"depth": 9}, "depth must be one of"),
    ({"depth": 2.0}, "depth must be one of"), ({"activation": "swish"}, "activation must be"),
    ({"initializer": "zeros"}, "initializer must be")])
def test_bad_arguments_raise_value_error(grid, kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        widgets.depth_explorer(grid, **kwargs)


def test_results_of_the_wrong_kind_raise() -> None:
    with pytest.raises(ValueError, match="depth_grid"):
        widgets.depth_explorer({"depths": [2, 3]})
