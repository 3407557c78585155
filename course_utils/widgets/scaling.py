"""The scaling explorer: one least-squares problem, with and without standardisation.

For linear least squares with the loss ``L(w) = ½·mean((X·w − y)²)`` the gradient is
``H·w − b`` with ``H = XᵀX/n`` (the Hessian, the same everywhere) and ``b = Xᵀy/n``.
Plain gradient descent ``w ← w − η·(H·w − b)`` multiplies the error along each
eigenvector of H by ``1 − η·λ``: it is stable only while ``η < 2/L`` (L the largest
eigenvalue, as in chapter 01) and the flattest direction (μ, the smallest
eigenvalue) then shrinks by at best ``(κ − 1)/(κ + 1)`` per step, ``κ = L/μ``.

Stretching one feature by ``s`` multiplies its row and column of H by ``s`` (its
diagonal entry by ``s²``): L grows like ``s²``, so η must shrink like ``1/s²``, and
the other direction crawls. Standardising the columns, ``(x − mean)/std``, undoes
any stretch: the standardised problem is the same whatever ``s`` is.

Everything here is closed form in the eigenbasis of H (no loop over steps), so a
slider move costs a few NumPy operations and one blit. Without a live kernel (GitHub,
an HTML export) the explorer's static picture shows each problem at its own best η,
the comparison the lesson is about, whatever η the slider holds. Taught in
06_data_preprocessing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from course_utils.widgets.base import Explorer, FigureView, int_slider, log_slider

__all__ = ["scaling_explorer", "ScalingExplorer", "LeastSquares", "two_feature_problem"]

TOLERANCE = 1e-6  # "converged": the loss gap fell below this fraction of its starting value
MAX_STEPS = 10**9
RAW_COLOR, STD_COLOR = "#d62728", "#1f77b4"


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


def _standardize(x: np.ndarray) -> np.ndarray:
    return (x - x.mean(axis=0)) / x.std(axis=0)


def _window(problem: LeastSquares, start: np.ndarray) -> tuple[tuple[float, float], ...]:
    """A square box around the level set through the start (a stable GD path stays inside).

    Square, so that with a square axes box one unit of w₁ and of w₂ look the same
    length: a narrow valley looks narrow.
    """
    gap0 = float(problem.loss(start) - problem.min_loss)
    half = float(np.max(np.sqrt(2 * gap0 * np.diag(np.linalg.inv(problem.hessian))))) * 1.12
    return tuple((float(c - half), float(c + half)) for c in problem.w_star)


def _steps_text(steps: int | None) -> str:
    return "diverges or stalls" if steps is None else f"{steps:,} steps"


def scaling_explorer(scale: float = 5.0, learning_rate: float = 0.05, steps: int = 100,
                     best_for_each: bool = False) -> ScalingExplorer:
    """Stretch one feature by ``s`` and watch gradient descent slow down; standardise and it doesn't.

    Left: the loss in weight space for the raw features ``[x₁, s·z]``; middle: the
    same problem after standardisation; right: the loss gap against the step.
    Both runs start from w = 0 and use the same η unless "best η for each" is
    ticked (then each uses its own 2/(μ + L)). Contours are redrawn only when s
    changes; η and the number of steps shown only move the paths.
    """
    if isinstance(scale, bool) or not (isinstance(scale, int | float) and 1 <= scale <= 100):
        raise ValueError(f"scale must be a number in [1, 100], got {scale!r}.")
    if isinstance(learning_rate, bool) or not (isinstance(learning_rate, int | float)
                                               and 1e-4 <= learning_rate <= 3):
        raise ValueError(f"learning_rate must be a number in [1e-4, 3], got {learning_rate!r}.")
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= 500:
        raise ValueError(f"steps must be a whole number in [1, 500], got {steps!r}.")

    scale_slider = log_slider("feature scale s", scale, 1.0, 100.0, readout_format=".1f")
    lr_slider = log_slider("learning_rate η", learning_rate, 1e-4, 3.0, readout_format=".3g")
    steps_slider = int_slider("steps shown", steps, 1, 500)
    play = W.Play(value=steps, min=1, max=500, step=2, interval=40, description="animate")
    W.link((play, "value"), (steps_slider, "value"))
    best_box = W.Checkbox(value=best_for_each, description="best η for each (2/(μ+L))",
                          indent=False)
    readout = W.HTML()

    fig = Figure(figsize=(11, 3.9), dpi=72)
    ax_raw, ax_std, ax_loss = fig.subplots(1, 3)
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.14, top=0.92, wspace=0.32)
    paths, ends, curves, stars = {}, {}, {}, {}
    for key, ax, color in (("raw", ax_raw, RAW_COLOR), ("std", ax_std, STD_COLOR)):
        (stars[key],) = ax.plot([], [], "*", color="gold", mec="black", ms=13, zorder=3)
        (paths[key],) = ax.plot([], [], "-o", color=color, ms=2.5, lw=1.2)
        (ends[key],) = ax.plot([], [], "X", color="black", ms=9)
        ax.plot([0], [0], "s", color="gray", ms=6)
        label = "raw features" if key == "raw" else "standardised"
        (curves[key],) = ax_loss.plot([], [], color=color, label=label)
    ax_loss.axhline(TOLERANCE, color="gray", lw=0.8, ls=":")
    ax_loss.text(1.2, TOLERANCE * 2, "tolerance 10⁻⁶", color="gray", fontsize=8)
    ax_loss.set(xscale="log", yscale="log", xlim=(1, 500), ylim=(1e-9, 1e3),
                xlabel="step t (log scale)",
                ylabel="(L(w_t) − L*) / (L(w_0) − L*)", title="loss gap against step")
    ax_loss.legend(fontsize=8, loc="upper right")

    x_std = _standardize(two_feature_problem(1.0)[0])
    y = two_feature_problem(1.0)[1]
    problems = {"std": LeastSquares.from_data(x_std, y)}
    start = np.zeros(2)

    def draw_contours(key: str, problem: LeastSquares, title: str) -> None:
        ax = ax_raw if key == "raw" else ax_std
        for coll in list(ax.collections):
            coll.remove()
        (x0, x1), (y0, y1) = _window(problem, start)
        gx, gy = np.meshgrid(np.linspace(x0, x1, 120), np.linspace(y0, y1, 120))
        gap = problem.loss(np.stack([gx, gy], axis=-1)) - problem.min_loss
        gap0 = float(problem.loss(start) - problem.min_loss)
        levels = gap0 * np.linspace(0.12, 1.5, 9) ** 2
        ax.contour(gx, gy, gap, levels=levels, cmap="viridis", linewidths=1)
        stars[key].set_data([problem.w_star[0]], [problem.w_star[1]])
        ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="$w_1$", ylabel="$w_2$", title=title)
        ax.set_box_aspect(1)

    draw_contours("std", problems["std"], "standardised: the same for every s")
    view = FigureView(fig, animated=[*paths.values(), *ends.values(), *curves.values()])
    current: dict[str, float | None] = {"scale": None}

    def update() -> None:
        s = scale_slider.value
        full = current["scale"] != s
        if full:
            problems["raw"] = LeastSquares.from_data(two_feature_problem(s)[0], y)
            draw_contours("raw", problems["raw"], f"raw features [x₁, s·z], s = {s:.1f}")
            current["scale"] = s
        lr_slider.disabled = best_box.value
        shown = steps_slider.value
        rows = {}
        for key, problem in problems.items():
            eta = problem.best_learning_rate if best_box.value else lr_slider.value
            path = problem.path(eta, shown, start)
            paths[key].set_data(path[:, 0], path[:, 1])
            finite = path[np.all(np.isfinite(path), axis=1)]
            ends[key].set_data(finite[-1:, 0], finite[-1:, 1])
            t = np.arange(1, shown + 1)
            gap = problem.relative_gap(eta, t, start)
            curves[key].set_data(t, np.clip(np.nan_to_num(gap, nan=1e300), 1e-300, 1e300))
            rows[key] = (problem, eta, problem.steps_to(eta, start),
                         problem.steps_to(problem.best_learning_rate, start))
        view.redraw(full=full)
        readout.value = _readout(rows, best_box.value)

    for control in (scale_slider, lr_slider, steps_slider, best_box):
        control.observe(lambda _: update(), names="value")
    update()
    return ScalingExplorer([W.HBox([scale_slider, lr_slider]),
                            W.HBox([steps_slider, play, best_box])],
                           view, readout, update, best_box=best_box)


class ScalingExplorer(Explorer):
    """The scaling explorer; its static picture (``_repr_mimebundle_``) is drawn at each
    problem's best η, so a page without a live kernel shows raw against standardised at
    their fastest. The live controls are left as the reader set them."""

    def __init__(self, *args: Any, best_box: W.Checkbox, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.best_box = best_box

    def static_bundle(self, **kwargs: Any) -> dict[str, Any]:
        """The picture and readout at each problem's best η (what a static page shows)."""
        ticked = self.best_box.value
        self.best_box.value = True  # redraws at the best η (observers run at once)
        try:
            return super()._repr_mimebundle_(**kwargs)
        finally:
            self.best_box.value = ticked  # back to the reader's setting

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        return self.static_bundle(**kwargs)


def _readout(rows: dict, best: bool) -> str:
    head = ("<tr><th></th><th>κ = L/μ</th><th>L</th><th>limit 2/L</th><th>η used</th>"
            "<th>steps to 10⁻⁶</th><th>best η = 2/(μ+L)</th><th>steps at best η</th></tr>")
    body = ""
    for key, label in (("raw", "raw features"), ("std", "standardised")):
        problem, eta, steps_now, steps_best = rows[key]
        mu, big_l = problem.eigenvalues
        body += (f"<tr><td><b>{label}</b></td><td>{problem.condition:,.1f}</td>"
                 f"<td>{big_l:.3g}</td><td>{2 / big_l:.3g}</td><td>{eta:.3g}</td>"
                 f"<td>{_steps_text(steps_now)}</td><td>{problem.best_learning_rate:.3g}</td>"
                 f"<td>{_steps_text(steps_best)}</td></tr>")
    raw_best, std_best = rows["raw"][3], rows["std"][3]
    verdict = ""
    if raw_best and std_best and raw_best < 1.5 * std_best:
        verdict = ("The raw features are already on similar scales: standardising changes "
                   f"little ({raw_best:,} against {std_best:,} steps at the best η).")
    elif raw_best and std_best:
        verdict = (f"Each at its best η, standardising cuts the steps from {raw_best:,} to "
                   f"{std_best:,} (×{raw_best / std_best:,.1f} fewer).")
    if not best:
        eta = rows["raw"][1]
        if rows["raw"][2] is None and rows["std"][2] is not None:
            verdict += f" At η = {eta:.3g} the raw problem is past its limit 2/L; the standardised one is not."
    return f"<table>{head}{body}</table>{verdict}"
