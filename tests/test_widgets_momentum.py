"""The momentum explorer: controls redraw the picture and the readout; presets land on regimes."""

from __future__ import annotations

import pytest

from course_utils import quadratic, widgets


def _result_line(explorer) -> str:
    return explorer.readout.value.split("<br>")[1]


def _contour_rgba(explorer):
    return explorer.view.underlay[0].get_array()


def test_builds_with_defaults_at_the_theory_pair() -> None:
    explorer = widgets.momentum_explorer()
    controls = explorer.controls
    assert {"learning_rate", "momentum", "condition", "nesterov"} <= set(controls)
    assert controls["learning_rate"].value == pytest.approx(4 / (1 + 50**-0.5) ** 2)
    assert controls["momentum"].value == pytest.approx(((50**0.5 - 1) / (50**0.5 + 1)) ** 2)
    assert explorer.view.image.value[:4] == b"\x89PNG"
    assert "step" in _result_line(explorer)
    # every control is reachable through .children, as the course contract says
    assert explorer.children[-1] is explorer.readout


@pytest.mark.parametrize(("name", "value"), [("momentum", 0.9), ("learning_rate", 0.5),
                                               ("nesterov", True), ("condition", 200.0),
                                               ("start_x", 3.0)])
def test_moving_a_control_redraws_picture_and_readout(name: str, value) -> None:
    explorer = widgets.momentum_explorer()
    image, text = explorer.view.image.value, explorer.readout.value
    explorer.controls[name].value = value
    assert explorer.view.image.value != image
    assert explorer.readout.value != text


def test_readout_prints_the_update_with_current_numbers() -> None:
    explorer = widgets.momentum_explorer()
    explorer.controls["momentum"].value = 0.25
    assert r"0.250\,v" in explorer.readout.value


def test_presets_land_on_each_regime() -> None:
    explorer = widgets.momentum_explorer(condition=50.0)
    explorer.presets["divergent"].click()
    data = explorer.data
    assert data.run.diverged and data.learning_rate > data.limit  # beyond 2(1+β)/L
    assert "diverged at step" in _result_line(explorer)
    explorer.presets["too small"].click()
    assert explorer.data.settled_at() == -1 and not explorer.data.run.diverged
    explorer.presets["theory-optimal"].click()
    data = explorer.data
    assert 0 < data.settled_at() < data.settled_at("reference") or data.settled_at("reference") < 0
    assert "stays within 1e-06 of the minimum from" in _result_line(explorer)
    theory = quadratic.optimal_pairs(1 / 50, 1.0)
    assert explorer.controls["learning_rate"].value == pytest.approx(theory["eta"])
    assert explorer.controls["momentum"].value == pytest.approx(theory["beta"])


def test_theory_preset_follows_nesterov_and_kappa() -> None:
    explorer = widgets.momentum_explorer(condition=100.0, nesterov=True)
    explorer.presets["theory-optimal"].click()
    assert explorer.controls["learning_rate"].value == pytest.approx(1.0)
    assert explorer.controls["momentum"].value == pytest.approx(9 / 11)
    assert "Nesterov" in explorer.readout.value


def test_rosenbrock_switch_redraws_and_resets_the_sliders() -> None:
    explorer = widgets.momentum_explorer()
    image = explorer.view.image.value
    explorer.controls["surface"].value = "rosenbrock"
    assert explorer.view.image.value != image
    assert explorer.controls["condition"].disabled
    assert explorer.data.surface.name == "rosenbrock" and explorer.data.steps == 1000
    assert explorer.controls["learning_rate"].value == pytest.approx(2e-3)
    assert explorer.controls["start_x"].value == pytest.approx(-1.2)
    assert "at the minimum" in explorer.readout.value
    explorer.controls["surface"].value = "quadratic"
    assert explorer.controls["start_x"].value == pytest.approx(-4.0)


@pytest.mark.parametrize("kwargs", [
    {"condition": 0.5}, {"condition": "big"}, {"learning_rate": -0.1}, {"momentum": 1.0},
    {"momentum": -0.2}, {"surface": "beale"}, {"steps": 0}, {"start": (1.0, float("nan"))},
    {"start": (1.0, 2.0, 3.0)}, {"tolerance": 0.0},
])
def test_bad_arguments_raise_value_error(kwargs) -> None:
    with pytest.raises(ValueError):
        widgets.momentum_explorer(**kwargs)


def test_kappa_swaps_the_contours_without_a_full_redraw() -> None:
    explorer = widgets.momentum_explorer(condition=10.0)
    before = _contour_rgba(explorer).copy()
    draws = []
    original = explorer.view.canvas.draw
    explorer.view.canvas.draw = lambda: (draws.append(1), original())[1]
    explorer.controls["condition"].value = 300.0
    assert not (_contour_rgba(explorer) == before).all()  # the bands follow κ
    assert explorer.data.mu == pytest.approx(1 / 300)
    explorer.controls["surface"].value = "rosenbrock"  # its background was drawn at build
    explorer.controls["surface"].value = "quadratic"
    assert draws == []  # every background change was a paste, not a new figure


def test_the_theory_in_the_data_matches_quadratic() -> None:
    explorer = widgets.momentum_explorer(condition=100.0, momentum=0.5, learning_rate=0.5)
    data = explorer.data
    assert (data.mu, data.big_l) == pytest.approx((0.01, 1.0))
    assert data.limit == pytest.approx(quadratic.stability_limit(1.0, 0.5))
    assert data.theory == quadratic.optimal_pairs(0.01, 1.0)
