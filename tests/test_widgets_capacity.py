"""The capacity explorer: least squares done right, over- and underfitting visible, clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import widgets
from course_utils.widgets import capacity


@pytest.fixture(scope="module")
def explorer() -> widgets.Explorer:
    return widgets.capacity_explorer()


def _png(ex: widgets.Explorer) -> bytes:
    return bytes(ex.view.image.value)


def test_builds_with_no_arguments(explorer) -> None:
    assert {"degree (capacity)", "l2 λ"} <= set(explorer.controls)
    assert _png(explorer).startswith(b"\x89PNG")
    assert "<b>degree 3</b> (4 coefficients)" in explorer.readout.value


@pytest.mark.parametrize(("control", "value"), [("degree (capacity)", 12), ("l2 λ", 1e-2)])
def test_each_control_redraws_and_updates_the_readout(explorer, control, value) -> None:
    before, text = _png(explorer), explorer.readout.value
    explorer.controls[control].value = value
    assert _png(explorer) != before
    assert explorer.readout.value != text


def test_presets_name_the_regime() -> None:
    ex = widgets.capacity_explorer()
    buttons = {w.description: w for row in ex.children for w in getattr(row, "children", ())
               if type(w).__name__ == "Button"}
    buttons["underfit: degree 1"].click()
    assert "underfitting" in ex.readout.value
    buttons["overfit: degree 14"].click()
    assert ex.controls["degree (capacity)"].value == 14 and "overfitting" in ex.readout.value
    buttons["degree 14 + L2 λ = 1e-3"].click()
    assert "a good fit" in ex.readout.value


def test_unpenalised_fit_is_ordinary_least_squares() -> None:
    d = capacity.make_curve_data()
    w = capacity.fit_polynomial(d.x_train, d.y_train, 4, 0.0)
    np.testing.assert_allclose(w, np.polyfit(d.x_train, d.y_train, 4)[::-1], rtol=1e-6,
                               atol=1e-9)


def test_penalised_fit_solves_the_ridge_normal_equations() -> None:
    d = capacity.make_curve_data()
    lam, deg = 1e-2, 6
    x = capacity.polynomial_features(d.x_train, deg)
    n = len(d.x_train)
    penalty = lam * np.diag([0.0] + [1.0] * deg)  # the bias w0 is not penalised, as in Keras
    expected = np.linalg.solve(x.T @ x / n + penalty, x.T @ d.y_train / n)
    np.testing.assert_allclose(capacity.fit_polynomial(d.x_train, d.y_train, deg, lam), expected,
                               rtol=1e-6)


def test_capacity_and_l2_behave_as_the_chapter_says() -> None:
    d = capacity.make_curve_data()
    train, val = capacity.mse_curves(d, range(15), [1e-9, 1e-3])
    assert np.all(np.diff(train[:, 0]) <= 1e-9)  # more capacity never fits the training set worse
    assert val[14, 0] > 10 * val[5, 0]  # degree 14 overfits
    assert val[14, 1] < val[14, 0] / 10  # L2 tames it
    assert train[1, 0] > 2 * d.noise ** 2  # degree 1 underfits


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"degree": -1}, "degree must be"), ({"degree": 15}, "degree must be"),
    ({"degree": 2.5}, "degree must be"), ({"l2": -1.0}, "l2"), ({"l2": float("nan")}, "l2"),
    ({"l2": 10.0}, "slider's range"), ({"data": "points"}, "CurveData")])
def test_bad_arguments_raise_value_error(kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        widgets.capacity_explorer(**kwargs)


@pytest.mark.parametrize(("kwargs", "match"), [({"n_train": 1}, "n_train"), ({"noise": 0}, "noise"),
                                               ({"n_val": 0}, "n_val")])
def test_bad_data_arguments(kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        capacity.make_curve_data(**kwargs)


def test_fit_refuses_mismatched_arrays() -> None:
    with pytest.raises(ValueError, match="same length"):
        capacity.fit_polynomial(np.zeros(3), np.zeros(4), 2)
