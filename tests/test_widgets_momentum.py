"""The momentum explorer: controls redraw the picture and the readout; presets land on regimes."""

from __future__ import annotations

import pytest

from course_utils import widgets
from course_utils.widgets.momentum import _stability_limit, _theory


def _result_line(explorer) -> str:
    return explorer.readout.value.split("<br>")[1]


def test_builds_with_defaults_at_the_theory_pair() -> None:
    explorer = widgets.momentum_explorer()
    controls = explorer.controls
    assert {"learning_rate η", "momentum β", "condition κ", "nesterov"} <= set(controls)
    assert controls["learning_rate η"].value == pytest.approx(4 / (1 + 50**-0.5) ** 2)
    assert controls["momentum β"].value == pytest.approx(((50**0.5 - 1) / (50**0.5 + 1)) ** 2)
    assert explorer.view.image.value[:4] == b"\x89PNG"
    assert "step" in _result_line(explorer)
    # every control is reachable through .children, as the course contract says
    assert explorer.children[-1] is explorer.readout


@pytest.mark.parametrize(("name", "value"), [("momentum β", 0.9), ("learning_rate η", 0.5),
                                               ("nesterov", True), ("condition κ", 200.0),
                                               ("start x", 3.0)])
def test_moving_a_control_redraws_picture_and_readout(name: str, value) -> None:
    explorer = widgets.momentum_explorer()
    image, text = explorer.view.image.value, explorer.readout.value
    explorer.controls[name].value = value
    assert explorer.view.image.value != image
    assert explorer.readout.value != text


def test_readout_prints_the_update_with_current_numbers() -> None:
    explorer = widgets.momentum_explorer()
    explorer.controls["momentum β"].value = 0.25
    assert r"0.250\,v" in explorer.readout.value


def test_presets_land_on_each_regime() -> None:
    explorer = widgets.momentum_explorer(condition=50.0)
    explorer.presets["divergent"].click()
    assert "diverged at step" in _result_line(explorer)
    explorer.presets["too small"].click()
    assert "not settled within" in _result_line(explorer)
    explorer.presets["theory-optimal"].click()
    assert "stays within 1e-06 of the minimum from" in _result_line(explorer)
    theory = _theory(1 / 50, 1.0)
    assert explorer.controls["learning_rate η"].value == pytest.approx(theory["eta"])
    assert explorer.controls["momentum β"].value == pytest.approx(theory["beta"])


def test_theory_preset_follows_nesterov_and_kappa() -> None:
    explorer = widgets.momentum_explorer(condition=100.0, nesterov=True)
    explorer.presets["theory-optimal"].click()
    assert explorer.controls["learning_rate η"].value == pytest.approx(1.0)
    assert explorer.controls["momentum β"].value == pytest.approx(9 / 11)
    assert "Nesterov" in explorer.readout.value


def test_rosenbrock_switch_redraws_and_resets_the_sliders() -> None:
    explorer = widgets.momentum_explorer()
    image = explorer.view.image.value
    explorer.controls["surface"].value = "rosenbrock"
    assert explorer.view.image.value != image
    assert explorer.controls["condition κ"].disabled
    assert explorer.controls["learning_rate η"].value == pytest.approx(2e-3)
    assert explorer.controls["start x"].value == pytest.approx(-1.2)
    assert "at the minimum" in explorer.readout.value
    explorer.controls["surface"].value = "quadratic"
    assert explorer.controls["start x"].value == pytest.approx(-4.0)


def test_theory_numbers() -> None:
    theory = _theory(0.01, 1.0)
    assert theory["rate"] == pytest.approx(9 / 11)
    assert theory["beta"] == pytest.approx((9 / 11) ** 2)
    assert theory["gd_eta"] == pytest.approx(2 / 1.01)
    assert _stability_limit(0.5, 1.0, nesterov=False) == pytest.approx(3.0)
    assert _stability_limit(0.5, 1.0, nesterov=True) == pytest.approx(1.5)


@pytest.mark.parametrize("kwargs", [
    {"condition": 0.5}, {"condition": "big"}, {"learning_rate": -0.1}, {"momentum": 1.0},
    {"momentum": -0.2}, {"surface": "beale"}, {"steps": 0}, {"start": (1.0, float("nan"))},
    {"start": (1.0, 2.0, 3.0)}, {"tolerance": 0.0},
])
def test_bad_arguments_raise_value_error(kwargs) -> None:
    with pytest.raises(ValueError):
        widgets.momentum_explorer(**kwargs)
