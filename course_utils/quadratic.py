"""Quadratic theory: what gradient descent and momentum do on a bowl, in closed form.

On a quadratic loss ``f(θ) = ½ (θ − θ*)ᵀ H (θ − θ*)`` every optimizer of chapters 01-03
acts on each eigenvector of the Hessian H separately, so a handful of formulas in the
curvatures μ ≤ L (the smallest and largest eigenvalues, κ = L/μ the condition number)
predict what a run will do:

- plain gradient descent multiplies the error along curvature λ by ``1 − η·λ``: stable
  for ``η < 2/L`` (``stability_limit``), fastest worst case at ``η = 2/(μ+L)`` with rate
  ``(κ−1)/(κ+1)`` per step (``optimal_pairs``), named by ``gd_regime``;
- the heavy ball (momentum β) is stable for ``η < 2(1+β)/L`` (Nesterov:
  ``2(1+β)/((1+2β)L)``); Polyak's pair ``η* = 4/(√L+√μ)², β* = ((√κ−1)/(√κ+1))²`` gives
  the rate ``(√κ−1)/(√κ+1)``; the roots of ``z² − (1+β−ηλ) z + β`` (``momentum_roots``)
  say whether a direction creeps, zig-zags or spirals;
- ``LeastSquares`` is linear regression written as such a bowl (chapter 06's scaling
  lesson), with gradient descent's path and step count in closed form.

Numerics only (NumPy). ``surfaces.Surface.hessian(xy)`` gives H for the 2-D surfaces;
``curvatures`` turns it into (μ, L).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from course_utils import checks

__all__ = ["curvatures", "stability_limit", "optimal_pairs", "gd_regime", "momentum_roots",
           "LeastSquares", "two_feature_problem"]


def curvatures(surface_or_hessian: Any, xy: Any = None) -> tuple[float, float]:
    """(μ, L): the smallest and largest eigenvalue of the Hessian.

    Pass a ``surfaces.Surface`` (its Hessian at ``xy``, by default at its minimum: the
    local theory for Rosenbrock) or a symmetric 2-D array.
    """
    if hasattr(surface_or_hessian, "hessian") and callable(surface_or_hessian.hessian):
        matrix = surface_or_hessian.hessian(xy)
    else:
        matrix = np.asarray(surface_or_hessian, dtype=float)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise ValueError(f"need a Surface or a square Hessian matrix, got shape {matrix.shape}.")
    ev = np.linalg.eigvalsh(matrix)
    return float(ev[0]), float(ev[-1])


def stability_limit(big_l: float, momentum: float = 0.0, nesterov: bool = False) -> float:
    """The largest stable learning rate on a quadratic whose top curvature is ``big_l`` (L).

    Plain GD: 2/L. Heavy ball: 2(1+β)/L. Nesterov: 2(1+β)/((1+2β)L).
    """
    big_l = checks.number("L (the largest curvature)", big_l, low=0, low_open=True)
    beta = checks.number("momentum (β)", momentum, low=0, high=1, high_open=True)
    return 2.0 * (1.0 + beta) / ((1.0 + 2.0 * beta) if nesterov else 1.0) / big_l


def optimal_pairs(mu: float, big_l: float) -> dict[str, float]:
    """The best worst-case settings for curvatures μ ≤ L, and the rate each achieves.

    Keys: ``kappa``; the heavy ball's (Polyak's) ``eta``, ``beta``, ``rate``; Nesterov's
    classical choice ``nesterov_eta`` = 1/L, ``nesterov_beta``, ``nesterov_rate``; plain
    GD's ``gd_eta`` = 2/(L+μ) and ``gd_rate`` = (κ−1)/(κ+1). A rate is the factor by which
    the error shrinks per step in the worst direction.
    """
    mu = checks.number("μ (the smallest curvature)", mu, low=0, low_open=True)
    big_l = checks.number("L (the largest curvature)", big_l, low=mu)
    kappa = big_l / mu
    root = math.sqrt(kappa)
    return {
        "kappa": kappa,
        "eta": 4.0 / (math.sqrt(big_l) + math.sqrt(mu)) ** 2,
        "beta": ((root - 1.0) / (root + 1.0)) ** 2,
        "rate": (root - 1.0) / (root + 1.0),
        "nesterov_eta": 1.0 / big_l,
        "nesterov_beta": (root - 1.0) / (root + 1.0),
        "nesterov_rate": 1.0 - 1.0 / root,
        "gd_eta": 2.0 / (big_l + mu),
        "gd_rate": (kappa - 1.0) / (kappa + 1.0),
    }


def gd_regime(learning_rate: float, curvature: float = 1.0) -> str:
    """Name what plain gradient descent does on ``½·curvature·x²`` at this learning rate.

    The error is multiplied by ``1 − η·λ`` each step: in (0, 1) it shrinks steadily, in
    (−1, 0) it flips sign and shrinks, at −1 it flips forever, beyond it grows.
    """
    learning_rate = checks.number("learning_rate", learning_rate, low=0, low_open=True)
    curvature = checks.number("curvature", curvature, low=0, low_open=True)
    factor = 1 - learning_rate * curvature
    if abs(factor) >= 1:
        return "diverges" if abs(factor) > 1 else "oscillates forever"
    return "converges monotonically" if factor >= 0 else "oscillates but converges"


def momentum_roots(learning_rate: float, momentum: float, curvature: float) -> np.ndarray:
    """The two roots of ``z² − (1 + β − η·λ)·z + β``: the heavy ball's factors along curvature λ.

    Both inside the unit circle: the direction converges. Complex: it spirals, with size
    √β. Real and negative: it flips sign every step (zig-zags).
    """
    return np.roots([1.0, -(1.0 + momentum - learning_rate * curvature), momentum]).astype(complex)


TOLERANCE = 1e-6  # "converged": the loss gap fell below this fraction of its starting value
MAX_STEPS = 10**9


@dataclass(frozen=True)
class LeastSquares:
    """``L(w) = ½·mean((X·w − y)²)`` through its Hessian ``H = XᵀX/n`` and ``b = Xᵀy/n``.

    ``LeastSquares.from_data(x, y)`` builds it; ``eigenvalues`` gives (μ, L),
    ``condition`` κ = L/μ, ``best_learning_rate`` the fixed η = 2/(μ + L) that
    makes plain gradient descent fastest, ``path`` and ``steps_to`` what gradient
    descent from ``start`` does, in closed form.

    >>> p = LeastSquares.from_data(np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([1.0, 2.0]))
    >>> p.eigenvalues, p.condition
    ((0.5, 2.0), 4.0)
    """

    hessian: np.ndarray
    b: np.ndarray
    w_star: np.ndarray
    min_loss: float

    @classmethod
    def from_data(cls, x: np.ndarray, y: np.ndarray) -> LeastSquares:
        """From a design matrix ``x`` of shape (n, d) and targets ``y`` of shape (n,)."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float).reshape(-1)
        if x.ndim != 2 or len(x) != len(y) or len(y) < 2:
            raise ValueError(f"need x of shape (n, d) and y of shape (n,), got {x.shape} and "
                             f"{y.shape}.")
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
            raise ValueError("x and y must be finite (fill missing values first).")
        n = len(y)
        hessian = x.T @ x / n
        b = x.T @ y / n
        w_star = np.linalg.lstsq(hessian, b, rcond=None)[0]
        min_loss = float(0.5 * np.mean(y * y) - 0.5 * b @ w_star)
        return cls(hessian, b, w_star, min_loss)

    @property
    def eigenvalues(self) -> tuple[float, float]:
        """(μ, L): the smallest and the largest curvature."""
        ev = np.linalg.eigvalsh(self.hessian)
        return float(ev[0]), float(ev[-1])

    @property
    def condition(self) -> float:
        """κ = L/μ (infinite when a direction is flat)."""
        mu, big_l = self.eigenvalues
        return big_l / mu if mu > 0 else math.inf

    @property
    def best_learning_rate(self) -> float:
        """η = 2/(μ + L): the fixed learning rate with the fastest worst-case progress."""
        mu, big_l = self.eigenvalues
        return 2.0 / (mu + big_l)

    def loss(self, w: np.ndarray) -> np.ndarray:
        """The loss at ``w`` of shape (..., d): ``min_loss + ½·(w − w*)ᵀH(w − w*)``."""
        d = np.asarray(w, dtype=float) - self.w_star
        return self.min_loss + 0.5 * np.einsum("...i,ij,...j->...", d, self.hessian, d)

    def _eig(self, start: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lam, vec = np.linalg.eigh(self.hessian)
        coef = vec.T @ (np.asarray(start, dtype=float) - self.w_star)
        return lam, vec, coef

    def path(self, learning_rate: float, steps: int, start: np.ndarray | None = None) -> np.ndarray:
        """The iterates w_0 … w_steps of plain GD, shape (steps + 1, d); NaN once it blows up."""
        start = np.zeros_like(self.w_star) if start is None else np.asarray(start, dtype=float)
        lam, vec, coef = self._eig(start)
        t = np.arange(steps + 1)[:, None]
        with np.errstate(over="ignore", invalid="ignore"):
            factors = (1.0 - learning_rate * lam)[None, :] ** t
            out = self.w_star + (factors * coef) @ vec.T
        out[~np.all(np.abs(out) < 1e8, axis=1)] = np.nan
        return out

    def relative_gap(self, learning_rate: float, steps: np.ndarray,
                     start: np.ndarray | None = None) -> np.ndarray:
        """(L(w_t) − L*) / (L(w_0) − L*) at each step t in ``steps``."""
        start = np.zeros_like(self.w_star) if start is None else np.asarray(start, dtype=float)
        lam, _, coef = self._eig(start)
        weight = 0.5 * lam * coef**2
        total = weight.sum()
        if total <= 0:
            return np.zeros(np.shape(steps))
        t = np.asarray(steps, dtype=float)[..., None]
        with np.errstate(over="ignore", invalid="ignore"):
            return (weight * np.abs(1.0 - learning_rate * lam) ** (2 * t)).sum(-1) / total

    def steps_to(self, learning_rate: float, start: np.ndarray | None = None,
                 tolerance: float = TOLERANCE, max_steps: int = MAX_STEPS) -> int | None:
        """The first step t at which the loss gap is below ``tolerance`` of its start value.

        ``None`` when gradient descent diverges or stalls (``η ≥ 2/L``) or needs more
        than ``max_steps`` steps. The gap falls monotonically for a stable η, so a
        binary search over t finds the answer without running the steps.
        """
        if not learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, got {learning_rate!r}.")
        start = np.zeros_like(self.w_star) if start is None else np.asarray(start, dtype=float)
        lam, _, coef = self._eig(start)
        weight = 0.5 * lam * coef**2
        if weight.sum() <= 0:
            return 0
        relevant = weight > 1e-15 * weight.sum()
        if np.any(np.abs(1.0 - learning_rate * lam[relevant]) >= 1.0):
            return None
        gap = self.relative_gap
        if gap(learning_rate, np.array(max_steps), start) > tolerance:
            return None
        lo, hi = 0, max_steps  # gap(lo) > tol >= gap(hi)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if gap(learning_rate, np.array(mid), start) <= tolerance:
                hi = mid
            else:
                lo = mid
        return hi


def two_feature_problem(scale: float = 1.0, num_samples: int = 200, correlation: float = 0.3,
                        seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two correlated features, the second stretched by ``scale``; ``y = 2·x₁ + 3·z + noise``.

    Returns ``(x (n, 2), y (n,))`` with ``x = [x₁, scale·z]``, so the best weights
    are about ``(2, 3/scale)``. The same seed gives the same x₁, z and noise for
    every ``scale``: only the units of the second feature change.
    """
    if not (math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive number, got {scale!r}.")
    if not -1 < correlation < 1:
        raise ValueError(f"correlation must lie in (-1, 1), got {correlation!r}.")
    rng = np.random.default_rng(seed)
    x1, other, noise = rng.normal(size=(3, num_samples))
    z = correlation * x1 + math.sqrt(1 - correlation**2) * other
    y = 2.0 * x1 + 3.0 * z + 0.5 * noise
    return np.stack([x1, scale * z], axis=1), y


