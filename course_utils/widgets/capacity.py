"""The capacity explorer: polynomial degree and L2 strength against training and validation error.

Fifteen noisy samples of ``sin(πx)``, a polynomial of degree d (its *capacity*: d + 1
coefficients) fitted with an L2 penalty λ, the objective ``course_utils.capacity`` writes
out (the same as a Keras ``Dense`` layer on x, x², ..., x^d with an L2 kernel
regularizer). Low degree: both errors high (underfitting). High degree with λ ≈ 0: the
curve threads every training point, training error near 0, validation error huge
(overfitting). L2 shrinks the coefficients and tames the wiggles without removing any.

Every fit is one small least-squares solve (NumPy, microseconds), so the explorer
recomputes everything on each slider move: ``compute`` (pure: the fit and both error
curves, a ``CapacityData``), then draw, then ``describe`` (the readout). Taught in 09_overfitting_regularization.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from course_utils import checks
from course_utils.capacity import (
    CurveData,
    check_degree_l2,
    fit_polynomial,
    fit_regime,
    make_curve_data,
    mse_curves,
    polynomial_features,
)
from course_utils.widgets.base import (
    Explorer,
    FigureView,
    Loop,
    int_slider,
    log_slider,
    preset_buttons,
)

__all__ = ["capacity_explorer"]

MAX_DEGREE = 14  # 15 coefficients: enough to pass through all 15 training points
L2_RANGE = (1e-9, 1.0)
NUM_L2 = 37  # λ values on the right panel's axis
DEGREES = np.arange(MAX_DEGREE + 1)
L2_AXIS = np.geomspace(*L2_RANGE, NUM_L2)


@dataclass(frozen=True)
class CapacityData:
    """What one (degree, λ) computes (``explorer.data``).

    ``weights`` are the fitted coefficients w₀ ... w_d, ``fit`` the polynomial on the data's
    grid; ``by_degree`` is (training, validation) MSE for degrees 0 ... 14 at this λ,
    ``by_l2`` the same for λ along ``L2_AXIS`` at this degree; ``regime`` is
    ``"underfitting"``, ``"overfitting"`` or ``"a good fit"``.
    """

    degree: int
    l2: float
    weights: np.ndarray
    fit: np.ndarray
    by_degree: tuple[np.ndarray, np.ndarray]
    by_l2: tuple[np.ndarray, np.ndarray]
    train: float
    val: float
    noise_var: float
    best_degree: int  # the lowest validation error at this λ
    regime: str
    why: str


def compute(data: CurveData, degree: int, l2: float, grid_features: np.ndarray | None = None
            ) -> CapacityData:
    """Fit degree ``degree`` with L2 strength ``l2``; both error curves through that point."""
    if grid_features is None:
        grid_features = polynomial_features(data.x_grid, MAX_DEGREE)
    w = fit_polynomial(data.x_train, data.y_train, degree, l2)
    train_d, val_d = mse_curves(data, DEGREES, [l2])
    train_l, val_l = mse_curves(data, [degree], L2_AXIS)
    noise_var = data.noise ** 2
    train, val = float(train_d[degree, 0]), float(val_d[degree, 0])
    regime, why = fit_regime(train, val, noise_var)
    return CapacityData(degree, l2, w, grid_features[:, : degree + 1] @ w,
                        (train_d[:, 0], val_d[:, 0]), (train_l[0], val_l[0]), train, val,
                        noise_var, int(np.argmin(val_d[:, 0])), regime, why)


def describe(data: CapacityData) -> str:
    """The readout: both errors against the noise floor, the regime, the best degree."""
    d, lam = data.degree, data.l2
    colour = "#2ca02c" if data.regime == "a good fit" else "#d62728"
    return (
        f"<b>degree {d}</b> ({d + 1} coefficients), <b>λ = {lam:.1e}</b>: training MSE "
        f"{data.train:.3g}, validation MSE {data.val:.3g} (noise floor σ² = "
        f"{data.noise_var:.3g}), gap {data.val - data.train:.3g}, largest |w| "
        f"{np.abs(data.weights).max():.3g} → <b style='color:{colour}'>{data.regime}</b>: "
        f"{data.why}<br>"
        f"At this λ the lowest validation error is at degree {data.best_degree} "
        f"({data.by_degree[1][data.best_degree]:.3g})."
    )


def capacity_explorer(degree: int = 3, l2: float = 1e-9, data: CurveData | None = None
                      ) -> Explorer:
    """Drag the degree (capacity) and λ (L2 strength); watch the fit and both errors.

    Left: the 15 training points, the validation points (faint), the true
    ``sin(πx)`` (dashed) and your fitted polynomial. Middle: training and
    validation error against degree at your λ. Right: both errors against λ at
    your degree. ``l2=1e-9`` is the slider's left end, effectively no penalty.
    Controls (by key in ``explorer.controls``): ``degree``, ``l2``; ``explorer.data``
    is the last ``CapacityData``.
    """
    if data is None:
        data = make_curve_data()
    if not isinstance(data, CurveData):
        raise ValueError(f"data must be a CurveData from make_curve_data(), got "
                         f"{type(data).__name__}.")
    check_degree_l2(degree, l2, MAX_DEGREE)
    checks.number("l2 (the slider's range)", l2, low=L2_RANGE[0], high=L2_RANGE[1])
    noise_var = data.noise ** 2
    grid_features = polynomial_features(data.x_grid, MAX_DEGREE)

    d_slider = int_slider("degree (capacity)", int(degree), 0, MAX_DEGREE, key="degree")
    l_slider = log_slider("l2 λ", float(l2), *L2_RANGE, readout_format=".1e", key="l2")
    readout = W.HTML()

    fig = Figure(figsize=(11, 3.6), dpi=80, layout="constrained")
    ax_f, ax_d, ax_l = fig.subplots(1, 3)
    ax_f.plot(data.x_val, data.y_val, ".", color="#ff7f0e", alpha=0.25, ms=4, label="validation")
    ax_f.plot(data.x_grid, data.f_grid, "--", color="0.5", lw=1, label="true sin(πx)")
    ax_f.plot(data.x_train, data.y_train, "o", color="#1f77b4", ms=6, label="training (15)")
    ax_f.set(xlim=(-1.05, 1.05), ylim=(-2.2, 2.2), xlabel="x", ylabel="y",
             title="the fitted polynomial")
    (fit_line,) = ax_f.plot([], [], "-", color="#d62728", lw=2, label="fit")
    ax_f.legend(fontsize=7, loc="lower right")

    err_lim = (noise_var / 20, 1e3)
    for ax, xlabel, title in ((ax_d, "degree (number of coefficients − 1)", "error vs capacity"),
                              (ax_l, "l2 λ (log scale)", "error vs L2 strength")):
        ax.axhline(noise_var, color="0.6", lw=1, ls=":")
        ax.set(yscale="log", ylim=err_lim, xlabel=xlabel, ylabel="mean squared error",
               title=title)
    ax_d.text(0.2, noise_var * 0.6, "noise floor σ²", fontsize=7, color="0.4")
    ax_d.set_xlim(-0.5, MAX_DEGREE + 0.5)
    ax_l.set_xscale("log")
    ax_l.set_xlim(L2_RANGE[0] / 2, L2_RANGE[1] * 2)
    (d_train,) = ax_d.plot([], [], "-o", ms=3, color="#1f77b4", label="training")
    (d_val,) = ax_d.plot([], [], "-o", ms=3, color="#ff7f0e", label="validation")
    d_mark = ax_d.axvline(degree, color="#d62728", lw=1.5)
    (l_train,) = ax_l.plot([], [], "-", color="#1f77b4", label="training")
    (l_val,) = ax_l.plot([], [], "-", color="#ff7f0e", label="validation")
    l_mark = ax_l.axvline(l2, color="#d62728", lw=1.5)
    ax_d.legend(fontsize=7, loc="upper left")
    view = FigureView(fig, animated=[fit_line, d_train, d_val, d_mark, l_train, l_val, l_mark])

    def draw(result: CapacityData) -> None:
        d, lam = result.degree, result.l2
        fit_line.set_data(data.x_grid, result.fit)
        d_train.set_data(DEGREES, result.by_degree[0])
        d_val.set_data(DEGREES, result.by_degree[1])
        d_mark.set_xdata([d, d])
        l_train.set_data(L2_AXIS, result.by_l2[0])
        l_val.set_data(L2_AXIS, result.by_l2[1])
        l_mark.set_xdata([lam, lam])
        view.redraw()

    loop = Loop(lambda: compute(data, int(d_slider.value), float(l_slider.value), grid_features),
                draw, describe, readout)
    loop.watch(d_slider, l_slider)
    presets = preset_buttons(loop, [(label, [(l_slider, lam), (d_slider, d)]) for label, d, lam in (
        ("underfit: degree 1", 1, L2_RANGE[0]), ("about right: degree 5", 5, L2_RANGE[0]),
        ("overfit: degree 14", 14, L2_RANGE[0]), ("degree 14 + L2 λ = 1e-3", 14, 1e-3))])
    loop()
    rows: list[W.Widget] = [W.HBox([d_slider, l_slider]), W.HBox([W.Label("presets:"), *presets])]
    return Explorer(rows, view, readout, loop)
