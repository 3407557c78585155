"""The learning-rate explorer: gradient descent on a quadratic, too slow to divergent.

On ``f(θ) = ½·L·θ²`` a gradient step multiplies θ by ``(1 − η·L)``. So:

- ``η < 1/L``: each step shrinks θ without changing sign (monotone, slow if η is tiny);
- ``1/L < η < 2/L``: θ flips sign every step but still shrinks (oscillates, converges);
- ``η > 2/L``: ``|1 − η·L| > 1``, every step makes θ larger (diverges).

On a 2-D quadratic with curvatures μ and L (condition number κ = L/μ) the same
holds along each axis, and the slow axis sets the pace: at the best fixed η the
error shrinks by ``(κ − 1)/(κ + 1)`` per step. Taught in 01_loss_and_gradient_descent.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from course_utils import surfaces as _surfaces
from course_utils import trajectories
from course_utils.optimizers import SGD
from course_utils.plots import surface_grid
from course_utils.widgets.base import Explorer, FigureView, log_slider

__all__ = ["learning_rate_explorer", "regime"]

STEPS = 40


def regime(learning_rate: float, curvature: float = 1.0) -> str:
    """Name what plain gradient descent does on ``½·curvature·x²`` at this learning rate."""
    if learning_rate <= 0 or curvature <= 0:
        raise ValueError("learning_rate and curvature must be positive.")
    factor = 1 - learning_rate * curvature
    if abs(factor) >= 1:
        return "diverges" if abs(factor) > 1 else "oscillates forever"
    return "converges monotonically" if factor >= 0 else "oscillates but converges"


def learning_rate_explorer(condition: float = 10.0, learning_rate: float = 0.5) -> Explorer:
    """Drag η (and κ) and watch gradient descent crawl, zigzag or blow up.

    The quadratic's largest curvature is L = 1, so the stability limit 2/L is 2.
    """
    if not condition >= 1:
        raise ValueError(f"condition must be a number >= 1, got {condition!r}.")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate!r}.")
    lr_slider = log_slider("learning_rate η", learning_rate, 0.01, 3.0)
    kappa_slider = log_slider("condition κ", condition, 1.0, 100.0, readout_format=".1f")
    readout = W.HTML()

    fig = Figure(figsize=(9.5, 6.2), dpi=80, layout="constrained")
    (ax_1d, ax_2d), (ax_factor, ax_loss) = fig.subplots(2, 2)
    xs = np.linspace(-2.2, 2.2, 200)
    ax_1d.plot(xs, 0.5 * xs**2, color="#555555")
    ax_1d.set(xlim=(-2.2, 2.2), ylim=(-0.1, 2.5), xlabel=r"$\theta$", ylabel=r"$f(\theta)=\frac{1}{2}L\theta^2$",
              title="1-D: the steps of gradient descent (L = 1)")
    (zigzag,) = ax_1d.plot([], [], "-o", color="#1f77b4", ms=3, lw=1)
    (path2d,) = ax_2d.plot([], [], "-o", color="#1f77b4", ms=2, lw=1.2)
    etas = np.geomspace(0.01, 3.0, 300)
    ax_factor.plot(etas, np.abs(1 - etas), color="#1f77b4", label="along L: |1 − η·L|")
    (slow_factor,) = ax_factor.plot([], [], color="#ff7f0e", label="along μ: |1 − η·μ|")
    ax_factor.axhline(1.0, color="gray", lw=0.8, ls=":")
    ax_factor.axvline(2.0, color="#d62728", lw=1.5, ls="--")
    ax_factor.text(2.05, 1.6, "2/L", color="#d62728")
    ax_factor.set(xscale="log", xlim=(0.01, 3.0), ylim=(0, 2.0), xlabel="learning rate η",
                  ylabel="error factor per step", title="stable while every factor < 1")
    ax_factor.legend(fontsize=8, loc="upper left")
    (now_fast,) = ax_factor.plot([], [], "o", color="#1f77b4", ms=7)
    (now_slow,) = ax_factor.plot([], [], "o", color="#ff7f0e", ms=7)
    (loss_1d,) = ax_loss.plot([], [], color="#1f77b4", label="1-D")
    (loss_2d,) = ax_loss.plot([], [], color="#2ca02c", label="2-D")
    ax_loss.set(yscale="log", xlim=(0, STEPS), ylim=(1e-12, 1e6), xlabel="step",
                ylabel="loss (log scale)", title="loss against step")
    ax_loss.legend(fontsize=8)
    view = FigureView(fig, animated=[zigzag, path2d, slow_factor, now_fast, now_slow, loss_1d, loss_2d])
    current = {"kappa": None}

    def draw_contours(kappa: float) -> _surfaces.Surface:
        surf = _surfaces.get("quadratic", condition=kappa)
        for coll in list(ax_2d.collections):
            coll.remove()
        X, Y, Z = surface_grid(surf, 80)
        ax_2d.contourf(X, Y, Z + 1e-3, levels=np.geomspace(1e-3, Z.max() + 1e-3, 20),
                       norm=LogNorm(), cmap="viridis", alpha=0.85)
        (x0, x1), (y0, y1) = surf.window
        ax_2d.set(xlim=(x0, x1), ylim=(y0, y1), xlabel=r"$\theta_1$", ylabel=r"$\theta_2$",
                  title=f"2-D quadratic, κ = {kappa:.1f} (L = 1, μ = 1/κ)")
        slow_factor.set_data(etas, np.abs(1 - etas / kappa))
        return surf

    def update() -> None:
        eta, kappa = lr_slider.value, kappa_slider.value
        full = current["kappa"] != kappa
        if full:
            current["surface"] = draw_contours(kappa)
            current["kappa"] = kappa
        surf = current["surface"]
        # 1-D: x_{t+1} = (1 - η) x_t, shown as points on the parabola.
        with np.errstate(all="ignore"):
            x1d = 2.0 * (1 - eta) ** np.arange(STEPS + 1)
        shown = np.abs(x1d) < 10
        zigzag.set_data(x1d[shown][:15], 0.5 * x1d[shown][:15] ** 2)
        res = trajectories.run(SGD(eta), surf, surf.start, STEPS)
        path2d.set_data(res.path[:, 0], res.path[:, 1])
        now_fast.set_data([eta], [min(abs(1 - eta), 1.99)])
        now_slow.set_data([eta], [min(abs(1 - eta / kappa), 1.99)])
        loss_1d.set_data(np.arange(STEPS + 1), np.clip(0.5 * x1d**2, 1e-300, 1e300))
        loss_2d.set_data(np.arange(STEPS + 1), np.clip(np.nan_to_num(res.loss, nan=1e300), 1e-300, None))
        view.redraw(full=full)
        word = regime(eta, 1.0)
        slowest = max(abs(1 - eta), abs(1 - eta / kappa))
        best = 2 / (1 + 1 / kappa)
        readout.value = (
            f"η = {eta:.3g}, η·L = {eta:.3g}: <b>{word}</b>. "
            f"Slowest error factor per step on the 2-D bowl: {slowest:.3f}"
            + (f" (diverged at step {int(res.diverged_at)})" if res.diverged else "")
            + f". Stability limit 2/L = 2; best fixed η = 2/(L+μ) = {best:.3f}, "
            f"factor (κ−1)/(κ+1) = {(kappa - 1) / (kappa + 1):.3f}.")

    lr_slider.observe(lambda _: update(), names="value")
    kappa_slider.observe(lambda _: update(), names="value")
    update()
    return Explorer([W.HBox([lr_slider, kappa_slider])], view, readout, update)
