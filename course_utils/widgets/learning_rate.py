"""The learning-rate explorer: gradient descent on a quadratic, too slow to divergent.

On ``f(θ) = ½·L·θ²`` a gradient step multiplies θ by ``(1 − η·L)``. So:

- ``η < 1/L``: each step shrinks θ without changing sign (monotone, slow if η is tiny);
- ``1/L < η < 2/L``: θ flips sign every step but still shrinks (oscillates, converges);
- ``η > 2/L``: ``|1 − η·L| > 1``, every step makes θ larger (diverges).

On a 2-D quadratic with curvatures μ and L (condition number κ = L/μ) the same
holds along each axis, and the slow axis sets the pace: at the best fixed η the
error shrinks by ``(κ − 1)/(κ + 1)`` per step. The explorer is ``compute`` (pure: the
runs and factors for η and κ), ``draw`` and ``describe``; a new κ swaps the contour image
without drawing the figure again. Taught in 01_loss_and_gradient_descent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from course_utils import checks, plots, quadratic, trajectories
from course_utils import surfaces as _surfaces
from course_utils.optimizers import SGD
from course_utils.widgets.base import Explorer, FigureView, Loop, log_slider, next_values

__all__ = ["learning_rate_explorer"]

STEPS = 40
_ETAS = np.geomspace(0.01, 3.0, 300)  # the η axis of the error-factor panel


@dataclass(frozen=True)
class LearningRateData:
    """What one (η, κ) computes (``explorer.data``)."""

    learning_rate: float
    condition: float
    x1d: np.ndarray  # the 1-D iterates θ_t = 2(1 − η)^t
    run: trajectories.Trajectory  # gradient descent on the 2-D bowl
    regime: str  # quadratic.gd_regime(η, L = 1)
    slowest: float  # the largest error factor per step, max(|1 − η|, |1 − η/κ|)
    best: float  # the best fixed η, 2/(L + μ)


def compute(learning_rate: float, condition: float) -> LearningRateData:
    """Both runs and the theory for one (η, κ); L = 1, μ = 1/κ."""
    surf = _surfaces.get("quadratic", condition=condition)
    with np.errstate(all="ignore"):
        x1d = 2.0 * (1 - learning_rate) ** np.arange(STEPS + 1)
    run = trajectories.run(SGD(learning_rate), surf, surf.start, STEPS)
    slowest = max(abs(1 - learning_rate), abs(1 - learning_rate / condition))
    best = quadratic.optimal_pairs(1 / condition, 1.0)["gd_eta"]
    return LearningRateData(learning_rate, condition, x1d, run,
                            quadratic.gd_regime(learning_rate, 1.0), slowest, best)


def describe(data: LearningRateData) -> str:
    eta, kappa = data.learning_rate, data.condition
    return (f"η = {eta:.3g}, η·L = {eta:.3g}: <b>{data.regime}</b>. "
            f"Slowest error factor per step on the 2-D bowl: {data.slowest:.3f}"
            + (f" (diverged at step {int(data.run.diverged_at)})" if data.run.diverged else "")
            + f". Stability limit 2/L = 2; best fixed η = 2/(L+μ) = {data.best:.3f}, "
            f"factor (κ−1)/(κ+1) = {(kappa - 1) / (kappa + 1):.3f}.")


def learning_rate_explorer(condition: float = 10.0, learning_rate: float = 0.5) -> Explorer:
    """Drag η (and κ) and watch gradient descent crawl, zigzag or blow up.

    The quadratic's largest curvature is L = 1, so the stability limit 2/L is 2. Controls
    (by key): ``learning_rate`` and ``condition``; ``explorer.data`` is the last
    ``LearningRateData``.
    """
    checks.number("condition", condition, low=1, high=100)
    checks.number("learning_rate", learning_rate, low=0, low_open=True)
    lr_slider = log_slider("learning_rate η", learning_rate, 0.01, 3.0, key="learning_rate")
    kappa_slider = log_slider("condition κ", condition, 1.0, 100.0, readout_format=".1f",
                              key="condition")
    readout = W.HTML()

    fig = Figure(figsize=(9.5, 6.2), dpi=80, layout="constrained")
    (ax_1d, ax_2d), (ax_factor, ax_loss) = fig.subplots(2, 2)
    xs = np.linspace(-2.2, 2.2, 200)
    ax_1d.plot(xs, 0.5 * xs**2, color="#555555")
    ax_1d.set(xlim=(-2.2, 2.2), ylim=(-0.1, 2.5), xlabel=r"$\theta$", ylabel=r"$f(\theta)=\frac{1}{2}L\theta^2$",
              title="1-D: the steps of gradient descent (L = 1)")
    (zigzag,) = ax_1d.plot([], [], "-o", color="#1f77b4", ms=3, lw=1)
    contours = plots.ContourImage(ax_2d, levels=20)
    (path2d,) = ax_2d.plot([], [], "-o", color="#1f77b4", ms=2, lw=1.2)
    ax_factor.plot(_ETAS, np.abs(1 - _ETAS), color="#1f77b4", label="along L: |1 − η·L|")
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
    # κ changes the contours, their title and the slow factor's curve: the underlay.
    view = FigureView(fig, underlay=[*contours.artists, ax_2d.title, slow_factor],
                      animated=[zigzag, path2d, now_fast, now_slow, loss_1d, loss_2d])
    state: dict[str, Any] = {"kappa": None}

    def draw(data: LearningRateData) -> None:
        eta, kappa = data.learning_rate, data.condition
        new_kappa = state["kappa"] != kappa
        if new_kappa:
            contours.show(data.run.surface)
            ax_2d.set_title(f"2-D quadratic, κ = {kappa:.1f} (L = 1, μ = 1/κ)")
            slow_factor.set_data(_ETAS, np.abs(1 - _ETAS / kappa))
            state["kappa"] = kappa
        shown = np.abs(data.x1d) < 10  # the 1-D steps as points on the parabola
        zigzag.set_data(data.x1d[shown][:15], 0.5 * data.x1d[shown][:15] ** 2)
        path2d.set_data(data.run.path[:, 0], data.run.path[:, 1])
        now_fast.set_data([eta], [min(abs(1 - eta), 1.99)])
        now_slow.set_data([eta], [min(abs(1 - eta / kappa), 1.99)])
        loss_1d.set_data(np.arange(STEPS + 1), np.clip(0.5 * data.x1d**2, 1e-300, 1e300))
        loss_2d.set_data(np.arange(STEPS + 1),
                         np.clip(np.nan_to_num(data.run.loss, nan=1e300), 1e-300, None))
        view.redraw(underlay=new_kappa)

    def prefetch_kappa(_: Any = None) -> None:
        """Compute the contours of the next κ values while the browser shows this one."""
        contours.prefetch(*(_surfaces.get("quadratic", condition=k)
                            for k in next_values(kappa_slider)))

    loop = Loop(lambda: compute(lr_slider.value, kappa_slider.value), draw, describe, readout)
    loop.watch(lr_slider, kappa_slider)
    kappa_slider.observe(prefetch_kappa, names="value")  # after the loop's own observer
    loop()
    prefetch_kappa()
    return Explorer([W.HBox([lr_slider, kappa_slider])], view, readout, loop)
