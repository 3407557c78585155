"""The capacity explorer: polynomial degree and L2 strength against training and validation error.

Fifteen noisy samples of ``f(x) = sin(πx)`` on [-1, 1]. A polynomial of degree d
has d + 1 coefficients w (its *capacity*); fitting them by least squares with an
L2 penalty of strength λ minimises

    J(w) = (1/n) Σ_i (p_w(x_i) − y_i)²  +  λ Σ_{k≥1} w_k²,

the same objective as a Keras ``Dense`` layer on the features x, x², ..., x^d with
``kernel_regularizer=keras.regularizers.L2(λ)`` and a mean-squared-error loss
(the bias w₀ is not penalised, as in Keras). Low degree: both errors high
(underfitting). High degree with λ ≈ 0: the curve threads every training point,
training error near 0, validation error huge (overfitting). L2 shrinks the
coefficients and tames the wiggles without removing any of them.

Every fit is one small least-squares solve (NumPy, microseconds), so the explorer
recomputes everything on each slider move. Taught in 09_overfitting_regularization.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from course_utils.widgets.base import Explorer, FigureView, int_slider, log_slider

__all__ = ["capacity_explorer", "CurveData", "make_curve_data", "polynomial_features",
           "fit_polynomial", "mse_curves"]

MAX_DEGREE = 14  # 15 coefficients: enough to pass through all 15 training points
L2_RANGE = (1e-9, 1.0)
NUM_L2 = 37  # λ values on the right panel's axis


@dataclass(frozen=True)
class CurveData:
    """Noisy samples of ``sin(πx)``: a small training set, a larger validation set, a grid."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_grid: np.ndarray
    f_grid: np.ndarray
    noise: float


def make_curve_data(n_train: int = 15, n_val: int = 200, noise: float = 0.25,
                    seed: int = 0) -> CurveData:
    """Draw x uniformly on [-1, 1] and y = sin(πx) + N(0, noise²), training and validation apart."""
    if isinstance(n_train, bool) or not isinstance(n_train, int | np.integer) or n_train < 2:
        raise ValueError(f"n_train must be a whole number >= 2, got {n_train!r}.")
    if isinstance(n_val, bool) or not isinstance(n_val, int | np.integer) or n_val < 1:
        raise ValueError(f"n_val must be a whole number >= 1, got {n_val!r}.")
    if not isinstance(noise, int | float | np.number) or not (math.isfinite(noise) and noise > 0):
        raise ValueError(f"noise must be a number > 0 (the standard deviation), got {noise!r}.")
    rng = np.random.default_rng(seed)
    x_train = np.sort(rng.uniform(-1, 1, n_train))
    x_val = rng.uniform(-1, 1, n_val)
    y_train = np.sin(np.pi * x_train) + rng.normal(0, noise, n_train)
    y_val = np.sin(np.pi * x_val) + rng.normal(0, noise, n_val)
    x_grid = np.linspace(-1, 1, 300)
    return CurveData(x_train, y_train, x_val, y_val, x_grid, np.sin(np.pi * x_grid), float(noise))


def polynomial_features(x: np.ndarray, degree: int) -> np.ndarray:
    """The columns 1, x, x², ..., x^degree: shape (len(x), degree + 1)."""
    return np.asarray(x, dtype=float)[:, None] ** np.arange(degree + 1)


def _check_degree_l2(degree: Any, l2: Any, max_degree: int | None = None) -> None:
    if isinstance(degree, bool) or not isinstance(degree, int | np.integer) or degree < 0 or (
            max_degree is not None and degree > max_degree):
        top = "" if max_degree is None else f" and <= {max_degree}"
        raise ValueError(f"degree must be a whole number >= 0{top}, got {degree!r}.")
    if isinstance(l2, bool) or not isinstance(l2, int | float | np.number) or not (
            math.isfinite(l2) and l2 >= 0):
        raise ValueError(f"l2 (the penalty strength λ) must be a finite number >= 0, got {l2!r}.")


def fit_polynomial(x: np.ndarray, y: np.ndarray, degree: int, l2: float = 0.0) -> np.ndarray:
    """Coefficients w (lowest power first) minimising mean((p_w(x) − y)²) + λ·Σ_{k≥1} w_k².

    Solved as one least-squares problem on the stacked system
    ``[X/√n; √λ·D] w ≈ [y/√n; 0]`` (D: the identity without its first row's 1, so
    the constant term is not penalised), which stays accurate where forming
    ``XᵀX`` would not.
    """
    _check_degree_l2(degree, l2)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 1 or x.shape != y.shape or x.size == 0:
        raise ValueError(f"x and y must be 1-D arrays of the same length, got shapes {x.shape} "
                         f"and {y.shape}.")
    design = polynomial_features(x, degree) / math.sqrt(x.size)
    penalty = math.sqrt(l2) * np.eye(degree + 1)[1:]
    a = np.vstack([design, penalty])
    b = np.concatenate([y / math.sqrt(x.size), np.zeros(degree)])
    return np.linalg.lstsq(a, b, rcond=None)[0]


def mse_curves(data: CurveData, degrees: Any, l2s: Any) -> tuple[np.ndarray, np.ndarray]:
    """Training and validation mean squared error for every (degree, λ) pair: two (D, L) arrays."""
    degrees = np.atleast_1d(np.asarray(degrees, dtype=int))
    l2s = np.atleast_1d(np.asarray(l2s, dtype=float))
    top = int(degrees.max())
    x_tr, x_va = polynomial_features(data.x_train, top), polynomial_features(data.x_val, top)
    train = np.empty((degrees.size, l2s.size))
    val = np.empty_like(train)
    for i, d in enumerate(degrees):
        for j, lam in enumerate(l2s):
            w = fit_polynomial(data.x_train, data.y_train, int(d), float(lam))
            train[i, j] = np.mean((x_tr[:, : d + 1] @ w - data.y_train) ** 2)
            val[i, j] = np.mean((x_va[:, : d + 1] @ w - data.y_val) ** 2)
    return train, val


def _diagnose(train: float, val: float, noise_var: float) -> tuple[str, str]:
    if train > 2 * noise_var:
        return "underfitting", ("the curve cannot even follow the training points: raise the "
                                "degree or lower λ.")
    if val > 2 * noise_var:
        return "overfitting", ("the curve follows the noise of the training points; validation "
                               "error far above training error: lower the degree, raise λ, or "
                               "get more data.")
    return "a good fit", "both errors sit near the noise floor σ², the best any model can do."


def capacity_explorer(degree: int = 3, l2: float = 1e-9, data: CurveData | None = None
                      ) -> Explorer:
    """Drag the degree (capacity) and λ (L2 strength); watch the fit and both errors.

    Left: the 15 training points, the validation points (faint), the true
    ``sin(πx)`` (dashed) and your fitted polynomial. Middle: training and
    validation error against degree at your λ. Right: both errors against λ at
    your degree. ``l2=1e-9`` is the slider's left end, effectively no penalty.
    """
    if data is None:
        data = make_curve_data()
    if not isinstance(data, CurveData):
        raise ValueError(f"data must be a CurveData from make_curve_data(), got "
                         f"{type(data).__name__}.")
    _check_degree_l2(degree, l2, MAX_DEGREE)
    if not L2_RANGE[0] <= l2 <= L2_RANGE[1]:
        raise ValueError(f"l2 must be within the slider's range [{L2_RANGE[0]:g}, {L2_RANGE[1]:g}], "
                         f"got {l2!r}.")
    noise_var = data.noise ** 2
    degrees = np.arange(MAX_DEGREE + 1)
    l2_axis = np.geomspace(*L2_RANGE, NUM_L2)
    grid_features = polynomial_features(data.x_grid, MAX_DEGREE)

    d_slider = int_slider("degree (capacity)", int(degree), 0, MAX_DEGREE)
    l_slider = log_slider("l2 λ", float(l2), *L2_RANGE, readout_format=".1e")
    presets = []
    for label, d, lam in (("underfit: degree 1", 1, L2_RANGE[0]),
                          ("about right: degree 5", 5, L2_RANGE[0]),
                          ("overfit: degree 14", 14, L2_RANGE[0]),
                          ("degree 14 + L2 λ = 1e-3", 14, 1e-3)):
        button = W.Button(description=label, layout=W.Layout(width="auto"))

        def _apply(_: Any, d: int = d, lam: float = lam) -> None:
            l_slider.value = lam
            d_slider.value = d

        button.on_click(_apply)
        presets.append(button)
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

    def update() -> None:
        d, lam = int(d_slider.value), float(l_slider.value)
        w = fit_polynomial(data.x_train, data.y_train, d, lam)
        fit_line.set_data(data.x_grid, grid_features[:, : d + 1] @ w)
        by_degree = mse_curves(data, degrees, [lam])
        by_l2 = mse_curves(data, [d], l2_axis)
        d_train.set_data(degrees, by_degree[0][:, 0])
        d_val.set_data(degrees, by_degree[1][:, 0])
        d_mark.set_xdata([d, d])
        l_train.set_data(l2_axis, by_l2[0][0])
        l_val.set_data(l2_axis, by_l2[1][0])
        l_mark.set_xdata([lam, lam])
        view.redraw()
        train, val = by_degree[0][d, 0], by_degree[1][d, 0]
        best = int(np.argmin(by_degree[1][:, 0]))
        label, why = _diagnose(train, val, noise_var)
        colour = "#2ca02c" if label == "a good fit" else "#d62728"
        readout.value = (
            f"<b>degree {d}</b> ({d + 1} coefficients), <b>λ = {lam:.1e}</b>: training MSE "
            f"{train:.3g}, validation MSE {val:.3g} (noise floor σ² = {noise_var:.3g}), gap "
            f"{val - train:.3g}, largest |w| {np.abs(w).max():.3g} → "
            f"<b style='color:{colour}'>{label}</b>: {why}<br>"
            f"At this λ the lowest validation error is at degree {best} "
            f"({by_degree[1][best, 0]:.3g})."
        )

    for control in (d_slider, l_slider):
        control.observe(lambda _: update(), names="value")
    update()
    rows: list[W.Widget] = [W.HBox([d_slider, l_slider]), W.HBox([W.Label("presets:"), *presets])]
    return Explorer(rows, view, readout, update)
