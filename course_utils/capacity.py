"""Polynomial capacity: fit a polynomial of degree d with an L2 penalty λ, in closed form.

Fifteen noisy samples of ``f(x) = sin(πx)`` on [-1, 1]. A polynomial of degree d
has d + 1 coefficients w (its *capacity*); fitting them by least squares with an
L2 penalty of strength λ minimises

    J(w) = (1/n) Σ_i (p_w(x_i) − y_i)²  +  λ Σ_{k≥1} w_k²,

the same objective as a Keras ``Dense`` layer on the features x, x², ..., x^d with
``kernel_regularizer=keras.regularizers.L2(λ)`` and a mean-squared-error loss
(the bias w₀ is not penalised, as in Keras). Every fit is one small least-squares
solve (microseconds), so chapter 09's explorer refits on each slider move and the
chapter sweeps whole (degree, λ) grids with ``mse_curves``; ``fit_regime`` reads the two
errors against the noise floor (underfitting, overfitting or a good fit).

Numerics only (NumPy). Taught in 09_overfitting_regularization.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from course_utils import checks

__all__ = ["CurveData", "make_curve_data", "polynomial_features", "fit_polynomial", "mse_curves",
           "check_degree_l2", "fit_regime"]


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
    checks.whole("n_train", n_train, low=2)
    checks.whole("n_val", n_val, low=1)
    checks.number("noise (the standard deviation)", noise, low=0, low_open=True)
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


def check_degree_l2(degree: Any, l2: Any, max_degree: int | None = None) -> None:
    """Raise ``ValueError`` unless ``degree`` is a whole number in [0, max_degree] and l2 >= 0."""
    checks.whole("degree", degree, low=0, high=max_degree)
    checks.number("l2 (the penalty strength λ)", l2, low=0)


def fit_polynomial(x: np.ndarray, y: np.ndarray, degree: int, l2: float = 0.0) -> np.ndarray:
    """Coefficients w (lowest power first) minimising mean((p_w(x) − y)²) + λ·Σ_{k≥1} w_k².

    Solved as one least-squares problem on the stacked system
    ``[X/√n; √λ·D] w ≈ [y/√n; 0]`` (D: the identity without its first row's 1, so
    the constant term is not penalised), which stays accurate where forming
    ``XᵀX`` would not.
    """
    check_degree_l2(degree, l2)
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




def fit_regime(train_mse: float, val_mse: float, noise_var: float) -> tuple[str, str]:
    """Read a fit from its two errors against the noise floor σ² (what no model can beat).

    Returns ``(regime, advice)``: ``"underfitting"`` when even the training error is above
    2σ² (the model cannot follow the data); ``"overfitting"`` when the training error is
    low but the validation error is above 2σ² (it follows the noise); otherwise
    ``"a good fit"``. The factor 2 is a rule of thumb for a small sample, not a test.
    """
    train_mse = checks.number("train_mse", train_mse, low=0)
    val_mse = checks.number("val_mse", val_mse, low=0)
    noise_var = checks.number("noise_var", noise_var, low=0, low_open=True)
    if train_mse > 2 * noise_var:
        return "underfitting", ("the curve cannot even follow the training points: raise the "
                                "degree or lower λ.")
    if val_mse > 2 * noise_var:
        return "overfitting", ("the curve follows the noise of the training points; validation "
                               "error far above training error: lower the degree, raise λ, or "
                               "get more data.")
    return "a good fit", "both errors sit near the noise floor σ², the best any model can do."
