"""The capacity explorer: least squares done right, over- and underfitting visible, clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import capacity, widgets


@pytest.fixture(scope="module")
def explorer() -> widgets.Explorer:
    return widgets.capacity_explorer()


def _png(ex: widgets.Explorer) -> bytes:
    return bytes(ex.view.image.value)


def test_builds_with_no_arguments(explorer) -> None:
    assert set(explorer.controls) == {"degree", "l2"}
    assert explorer.controls["degree"].description == "degree (capacity)"  # the label stays
    assert _png(explorer).startswith(b"\x89PNG")
    assert explorer.data.degree == 3 and explorer.data.weights.shape == (4,)
    assert "<b>degree 3</b> (4 coefficients)" in explorer.readout.value


def test_data_is_the_fit_and_the_errors_the_picture_shows() -> None:
    ex = widgets.capacity_explorer(degree=6, l2=1e-3)
    d, result = capacity.make_curve_data(), ex.data
    np.testing.assert_allclose(result.weights, capacity.fit_polynomial(d.x_train, d.y_train, 6,
                                                                       1e-3))
    train, val = capacity.mse_curves(d, range(15), [1e-3])
    np.testing.assert_allclose(result.by_degree[0], train[:, 0])
    np.testing.assert_allclose(result.by_degree[1], val[:, 0])
    assert (result.train, result.val) == (train[6, 0], val[6, 0])
    assert result.best_degree == int(np.argmin(val[:, 0]))
    fit_line = ex.view.fig.axes[0].lines[3]  # after validation, truth and training points
    np.testing.assert_array_equal(fit_line.get_ydata(), result.fit)


@pytest.mark.parametrize(("control", "value"), [("degree", 12), ("l2", 1e-2)])
def test_each_control_redraws_and_updates_the_readout(explorer, control, value) -> None:
    before, text = _png(explorer), explorer.readout.value
    explorer.controls[control].value = value
    assert getattr(explorer.data, control) == pytest.approx(value)
    assert _png(explorer) != before
    assert explorer.readout.value != text


def test_presets_name_the_regime() -> None:
    ex = widgets.capacity_explorer()
    buttons = {w.description: w for row in ex.children for w in getattr(row, "children", ())
               if type(w).__name__ == "Button"}
    buttons["underfit: degree 1"].click()
    assert ex.data.regime == "underfitting" and "underfitting" in ex.readout.value
    buttons["overfit: degree 14"].click()
    assert ex.controls["degree"].value == 14 and ex.data.degree == 14
    assert ex.data.regime == "overfitting" and "overfitting" in ex.readout.value
    assert ex.data.val > 2 * ex.data.noise_var  # what "overfitting" means here
    buttons["degree 14 + L2 λ = 1e-3"].click()
    assert ex.data.l2 == pytest.approx(1e-3) and ex.data.regime == "a good fit"
    assert "a good fit" in ex.readout.value


def test_a_preset_moves_both_sliders_with_one_update() -> None:
    ex = widgets.capacity_explorer()
    buttons = {w.description: w for row in ex.children for w in getattr(row, "children", ())
               if type(w).__name__ == "Button"}
    seen = []
    ex.readout.observe(lambda change: seen.append(change["new"]), names="value")
    buttons["degree 14 + L2 λ = 1e-3"].click()
    assert len(seen) == 1 and "<b>degree 14</b>" in seen[0]


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
