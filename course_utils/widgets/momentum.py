"""Chapter 03's explorer: the heavy ball on an ill-conditioned bowl and on Rosenbrock.

The reader moves ``learning_rate η`` and ``momentum β`` (and the bowl's condition
number κ) and sees the path, the loss against step and a readout that prints the
update with the current numbers. Presets land on each regime; "theory-optimal"
jumps to Polyak's pair η* = 4/(√L+√μ)², β* = ((√κ-1)/(√κ+1))².

The explorer is three steps: ``compute`` (pure: the two runs and the theory for the
current settings, a ``MomentumData``), ``draw`` (set the moving artists from it) and
``describe`` (the readout's HTML from it). The contours are an image blitted like the
paths, so a new κ costs a few milliseconds; each surface's still background (axes,
ticks) is drawn once and kept.

Taught in 03_momentum.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from course_utils import checks, plots, quadratic, surfaces, trajectories
from course_utils.widgets.base import (
    Explorer,
    FigureView,
    Loop,
    checkbox,
    dropdown,
    float_slider,
    log_slider,
    next_values,
    set_range,
    set_together,
)

__all__ = ["momentum_explorer"]

SURFACES = ("quadratic", "rosenbrock")
PRESETS = ("too small", "theory-optimal", "oscillating", "divergent")
_DEFAULT_STEPS = {"quadratic": 200, "rosenbrock": 1000}
# Learning-rate slider ranges: the bowl has L = 1; Rosenbrock's valley walls have L ≈ 1000.
_LR_RANGE = {"quadratic": (1e-3, 10.0), "rosenbrock": (1e-5, 1e-2)}
_LOSS_LIMITS = (1e-14, 1e6)


def _presets(surface_name: str, theory: dict[str, float], nesterov: bool
             ) -> dict[str, tuple[float, float]]:
    """(η, β) for each preset. On the bowl they follow from κ; on Rosenbrock they are hand-picked
    except "theory-optimal", which uses the curvature at the minimum (and diverges from far away)."""
    best = ((theory["nesterov_eta"], theory["nesterov_beta"]) if nesterov
            else (theory["eta"], theory["beta"]))
    if surface_name == "quadratic":
        return {
            "too small": (theory["eta"] / 25.0, 0.0),
            "theory-optimal": best,
            "oscillating": (best[0], 0.95),
            "divergent": (3.3, 0.5),  # beyond the stability limit 2(1 + β)/L = 3
        }
    return {
        "too small": (1e-4, 0.0),
        "theory-optimal": best,
        "oscillating": (1e-3, 0.99),
        "divergent": (5e-3, 0.9),
    }


# Where the sliders start on each surface when none is given.
def _default_pair(surface_name: str, theory: dict[str, float], nesterov: bool
                  ) -> tuple[float, float]:
    if surface_name == "rosenbrock":
        return (2e-3, 0.9)  # the local theory pair diverges from Rosenbrock's start
    return _presets(surface_name, theory, nesterov)["theory-optimal"]


def _check(condition: Any, learning_rate: Any, momentum: Any, surface: Any, steps: Any,
           start: Any, tolerance: Any) -> None:
    checks.choice("surface", surface, SURFACES)
    checks.number("condition (κ)", condition, low=1.0, high=1000.0)
    if learning_rate is not None:
        checks.number("learning_rate (η)", learning_rate, low=0, low_open=True)
    if momentum is not None:
        checks.number("momentum (β)", momentum, low=0, high=1, high_open=True)
    if steps is not None:
        checks.whole("steps", steps, low=1, high=5000)
    if start is not None:
        checks.point("start", start)
    checks.number("tolerance", tolerance, low=0, low_open=True)


@dataclass(frozen=True)
class MomentumData:
    """What one setting of the momentum explorer computes (``explorer.data``)."""

    surface: surfaces.Surface
    learning_rate: float
    momentum: float
    nesterov: bool
    start: tuple[float, float]
    steps: int
    tolerance: float
    run: trajectories.Trajectory  # momentum at (η, β)
    reference: trajectories.Trajectory  # plain GD at its best worst-case η, 2/(L+μ)
    mu: float
    big_l: float
    theory: dict[str, float]  # quadratic.optimal_pairs(μ, L)
    limit: float  # the stability limit of η for this β

    def settled_at(self, which: str = "run") -> int:
        """The step from which the loss stays within ``tolerance`` (-1: never; diverged too)."""
        result = getattr(self, which)
        return -1 if result.diverged else int(result.steps_to(self.tolerance))


def _make_surface(name: str, kappa: float) -> surfaces.Surface:
    return surfaces.get(name, condition=kappa) if name == "quadratic" else surfaces.get(name)


def _reference(surf: surfaces.Surface, start: tuple[float, float], steps: int,
               eta: float, memo: dict[Any, trajectories.Trajectory]) -> trajectories.Trajectory:
    """Plain GD at its best η; kept, since it changes only with the surface and the start."""
    key = (repr(surf), start, steps)
    if key not in memo:
        memo.clear()
        memo[key] = trajectories.run("sgd", surf, list(start), steps, learning_rate=eta)
    return memo[key]


def compute(surf: surfaces.Surface, learning_rate: float, momentum: float, nesterov: bool,
            start: tuple[float, float], steps: int, tolerance: float,
            memo: dict[Any, trajectories.Trajectory] | None = None) -> MomentumData:
    """The momentum run, the plain-GD reference and the theory for one setting (pure NumPy)."""
    mu, big_l = quadratic.curvatures(surf)
    theory = quadratic.optimal_pairs(mu, big_l)
    run = trajectories.run("sgd", surf, list(start), steps, learning_rate=learning_rate,
                           momentum=momentum, nesterov=nesterov)
    reference = _reference(surf, start, steps, theory["gd_eta"], {} if memo is None else memo)
    return MomentumData(surf, learning_rate, momentum, nesterov, start, steps, tolerance, run,
                        reference, mu, big_l, theory,
                        quadratic.stability_limit(big_l, momentum, nesterov))


def _outcome(data: MomentumData, which: str, label: str) -> str:
    result = getattr(data, which)
    if result.diverged:
        return f"{label}: <b>diverged at step {int(result.diverged_at)}</b>"
    final = float(result.final_loss - data.surface.min_value)
    hit = data.settled_at(which)
    if hit >= 0:
        return (f"{label}: loss stays within {data.tolerance:g} of the minimum from <b>step "
                f"{hit}</b>; final loss {final:.2g}")
    return (f"{label}: not settled within {data.tolerance:g} after {data.steps} steps; "
            f"final loss {final:.2g}")


def describe(data: MomentumData) -> str:
    """The readout: the update rule with the current numbers, both outcomes and the theory."""
    eta, beta, th = data.learning_rate, data.momentum, data.theory
    if data.nesterov:
        rule = (rf"$v \leftarrow {beta:.3f}\,v - {eta:.3g}\,\nabla f(\theta)$, &nbsp; "
                rf"$\theta \leftarrow \theta + {beta:.3f}\,v - {eta:.3g}\,\nabla f(\theta)$ "
                "(Nesterov)")
        best = (f"Nesterov's classical pair η = 1/L = {th['nesterov_eta']:.3g}, "
                f"β = (√κ−1)/(√κ+1) = {th['nesterov_beta']:.3f}, rate 1−1/√κ = "
                f"{th['nesterov_rate']:.3f} per step (worst case)")
        stable = f"Nesterov is stable for η &lt; 2(1+β)/((1+2β)L) = {data.limit:.3g}."
    else:
        rule = (rf"$v \leftarrow {beta:.3f}\,v - {eta:.3g}\,\nabla f(\theta)$, &nbsp; "
                r"$\theta \leftarrow \theta + v$ (heavy ball)")
        best = (f"η* = {th['eta']:.3g}, β* = {th['beta']:.3f}, rate (√κ−1)/(√κ+1) = "
                f"{th['rate']:.3f} per step (worst case)")
        stable = f"Heavy ball is stable for η &lt; 2(1+β)/L = {data.limit:.3g}."
    where = "" if data.surface.name == "quadratic" else " at the minimum"
    theory_line = (
        f"Theory for the curvature{where} (L = {data.big_l:.4g}, μ = {data.mu:.3g}, "
        f"κ = {th['kappa']:.4g}): {best}; plain GD's best worst-case η = 2/(L+μ) = "
        f"{th['gd_eta']:.3g} has rate (κ−1)/(κ+1) = {th['gd_rate']:.3f}. {stable}"
    )
    return (f"<div style='font-size:0.95em'>{rule}<br>{_outcome(data, 'run', 'momentum')}<br>"
            f"{_outcome(data, 'reference', 'plain GD at η = 2/(L+μ), the best worst-case rate')}"
            f"<br><span style='color:#555'>{theory_line}</span></div>")


def momentum_explorer(
    condition: float = 50.0,
    learning_rate: float | None = None,
    momentum: float | None = None,
    *,
    surface: str = "quadratic",
    nesterov: bool = False,
    steps: int | None = None,
    start: Sequence[float] | None = None,
    tolerance: float = 1e-6,
) -> Explorer:
    """Heavy-ball (or Nesterov) momentum on the bowl ``quadratic(condition=κ)`` or on Rosenbrock.

    Controls (by key in ``explorer.controls``): ``surface``, ``condition`` (κ, bowl only),
    ``nesterov``, ``learning_rate`` (η), ``momentum`` (β), ``start_x``/``start_y``, and preset
    buttons (``explorer.presets``). The picture shows the momentum path (orange) beside
    plain gradient descent at its own best learning rate 2/(L+μ) (grey), and both losses
    against step. ``learning_rate``/``momentum`` default to the theory-optimal pair for
    the surface (on Rosenbrock, where that pair diverges from the start, a hand-picked
    η = 0.002, β = 0.9). ``steps`` defaults to 200 on the bowl and 1000 on Rosenbrock.
    ``explorer.data`` is the last ``MomentumData``.
    """
    _check(condition, learning_rate, momentum, surface, steps, start, tolerance)
    surf = _make_surface(surface, float(condition))
    theory = quadratic.optimal_pairs(*quadratic.curvatures(surf))
    default_eta, default_beta = _default_pair(surface, theory, bool(nesterov))
    eta0 = default_eta if learning_rate is None else float(learning_rate)
    beta0 = default_beta if momentum is None else float(momentum)
    start0 = surf.start if start is None else tuple(float(v) for v in start)
    lr_low, lr_high = _LR_RANGE[surface]
    eta0 = min(max(eta0, lr_low), lr_high)

    # -- controls ------------------------------------------------------------------
    surface_box = dropdown("surface", SURFACES, surface, key="surface")
    surface_box.layout = W.Layout(width="200px")
    kappa_slider = log_slider("condition κ", float(condition), 1.0, 1000.0, readout_format=".3g",
                              key="condition")
    kappa_slider.disabled = surface != "quadratic"
    nesterov_box = checkbox("nesterov", bool(nesterov), key="nesterov")
    eta_slider = log_slider("learning_rate η", eta0, lr_low, lr_high, readout_format=".3g",
                            key="learning_rate")
    beta_slider = float_slider("momentum β", beta0, 0.0, 0.995, step=0.005, readout_format=".3f",
                               key="momentum")
    (x0, x1), (y0, y1) = surf.window
    x_slider = float_slider("start x", start0[0], x0, x1, step=0.05, key="start_x")
    y_slider = float_slider("start y", start0[1], y0, y1, step=0.05, key="start_y")
    buttons = {name: W.Button(description=name, layout=W.Layout(width="130px"),
                              tooltip=f"set η and β to the '{name}' preset") for name in PRESETS}
    rows = [
        W.HBox([surface_box, kappa_slider, nesterov_box]),
        W.HBox([eta_slider, beta_slider]),
        W.HBox([x_slider, y_slider]),
        W.HBox([W.Label("presets:"), *buttons.values()]),
    ]

    # -- figure: the contours (an image) and everything that moves are blitted --------
    fig = Figure(figsize=(9.0, 3.7), dpi=80, layout="constrained")
    ax_path, ax_loss = fig.subplots(1, 2)
    contours = plots.ContourImage(ax_path, levels=25)
    ax_loss.set_yscale("log")
    ax_loss.set_ylim(*_LOSS_LIMITS)
    ax_loss.axhline(tolerance, color="0.5", lw=0.8, ls=":")
    ax_loss.set_title("loss against step (log scale)", fontsize=10)
    momentum_color, gd_color = plots.COLORS["momentum"], "0.35"
    (gd_path,) = ax_path.plot([], [], color=gd_color, lw=1.2, ls="--", label="plain GD, η = 2/(L+μ)")
    (mom_path,) = ax_path.plot([], [], color=momentum_color, lw=1.8, label="momentum")
    (start_dot,) = ax_path.plot([], [], "o", color="white", markeredgecolor="black", ms=6)
    (end_dot,) = ax_path.plot([], [], "o", color=momentum_color, markeredgecolor="black", ms=7)
    (gd_loss,) = ax_loss.plot([], [], color=gd_color, lw=1.2, ls="--", label="plain GD, η = 2/(L+μ)")
    (mom_loss,) = ax_loss.plot([], [], color=momentum_color, lw=1.8, label="momentum")
    ax_loss.legend(loc="upper right", fontsize=8)
    view = FigureView(fig, underlay=[*contours.artists, ax_path.title],
                      animated=[gd_path, mom_path, start_dot, end_dot, gd_loss, mom_loss])
    readout = W.HTMLMath()

    def stage(s: surfaces.Surface, num_steps: int) -> tuple[str, int]:
        """Point the axes at a surface; returns the key of the still background it needs."""
        contours.show(s)
        title = f"{s.name}, κ = {s.params['condition']:.3g}" if s.name == "quadratic" else s.name
        ax_path.set_title(title, fontsize=10)
        ax_loss.set(xlim=(0, num_steps), xlabel="step", ylabel="loss − minimum")
        return s.name, num_steps

    def draw(data: MomentumData) -> None:
        floor = data.surface.min_value
        window = ax_path.get_xlim(), ax_path.get_ylim()
        shown = {}
        for line, loss_line, which in ((mom_path, mom_loss, "run"), (gd_path, gd_loss, "reference")):
            result = getattr(data, which)
            # a diverging path stops where it leaves the picture (its ✕ marks the spot)
            path = trajectories.cut_at_window(result.path, window) if result.diverged \
                else result.path
            shown[which] = path
            line.set_data(path[:, 0], path[:, 1])
            gap = np.clip(result.loss - floor, _LOSS_LIMITS[0], None)
            loss_line.set_data(np.arange(gap.size), gap)
        start_dot.set_data([data.start[0]], [data.start[1]])
        path = shown["run"]
        end = path[np.isfinite(path).all(axis=1)][-1] if data.run.diverged else data.run.final_point
        end_dot.set_data([end[0]], [end[1]])
        end_dot.set_marker("X" if data.run.diverged else "o")
        view.redraw(key=state["background"], underlay=state["drawn"] is not data.surface)
        state["drawn"] = data.surface

    # -- the glue: controls -> compute -> draw -> describe ---------------------------
    state: dict[str, Any] = {"surf": surf, "steps": steps or _DEFAULT_STEPS[surface],
                             "memo": {}, "drawn": None}
    state["background"] = stage(surf, state["steps"])
    loop = Loop(lambda: compute(state["surf"], eta_slider.value, beta_slider.value,
                                nesterov_box.value, (x_slider.value, y_slider.value),
                                state["steps"], tolerance, state["memo"]),
                draw, describe, readout)

    def set_pair(eta: float, beta: float) -> None:
        set_together(loop, (eta_slider, min(max(eta, 10**eta_slider.min), 10**eta_slider.max)),
                     (beta_slider, min(max(beta, 0.0), beta_slider.max)))

    def on_preset(button: W.Button) -> None:
        th = quadratic.optimal_pairs(*quadratic.curvatures(state["surf"]))
        set_pair(*_presets(surface_box.value, th, nesterov_box.value)[button.description])

    def on_surface(_: Any) -> None:
        name = surface_box.value
        s = _make_surface(name, kappa_slider.value)
        state["surf"], state["steps"] = s, steps or _DEFAULT_STEPS[name]
        with loop.paused():
            kappa_slider.disabled = name != "quadratic"
            (wx0, wx1), (wy0, wy1) = s.window
            set_range(eta_slider, *(math.log10(v) for v in _LR_RANGE[name]))
            set_range(x_slider, wx0, wx1, s.start[0])
            set_range(y_slider, wy0, wy1, s.start[1])
        state["background"] = stage(s, state["steps"])
        th = quadratic.optimal_pairs(*quadratic.curvatures(s))
        set_pair(*_default_pair(name, th, nesterov_box.value))
        if name == "quadratic":
            prefetch_kappa()

    def on_kappa(_: Any) -> None:
        if surface_box.value != "quadratic":
            return
        state["surf"] = _make_surface("quadratic", kappa_slider.value)
        state["background"] = stage(state["surf"], state["steps"])  # the same still background
        loop()
        prefetch_kappa()

    def prefetch_kappa() -> None:
        """Compute the contours of the next κ values while the browser shows this one."""
        contours.prefetch(*(_make_surface("quadratic", k) for k in next_values(kappa_slider)))

    loop.watch(eta_slider, beta_slider, nesterov_box, x_slider, y_slider)
    kappa_slider.observe(on_kappa, names="value")
    surface_box.observe(on_surface, names="value")
    for button in buttons.values():
        button.on_click(on_preset)

    # Draw the other surface's still background now, so the menu answers within a frame.
    for other in SURFACES:
        if other != surface:
            view.prepare(stage(_make_surface(other, float(condition)),
                               steps or _DEFAULT_STEPS[other]))
    state["background"] = stage(surf, state["steps"])
    loop()
    prefetch_kappa()
    explorer = Explorer(rows, view, readout, loop)
    explorer.presets = buttons
    return explorer
