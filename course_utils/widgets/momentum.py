"""Chapter 03's explorer: the heavy ball on an ill-conditioned bowl and on Rosenbrock.

The reader moves ``learning_rate η`` and ``momentum β`` (and the bowl's condition
number κ) and sees the path, the loss against step and a readout that prints the
update with the current numbers. Presets land on each regime; "theory-optimal"
jumps to Polyak's pair η* = 4/(√L+√μ)², β* = ((√κ-1)/(√κ+1))².

The contours are drawn once (again only when κ or the surface changes); a
slider move recomputes two short NumPy runs and redraws only the path artists.

Taught in 03_momentum.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from course_utils import plots, surfaces, trajectories
from course_utils.widgets.base import Explorer, FigureView, float_slider, log_slider

__all__ = ["momentum_explorer"]

SURFACES = ("quadratic", "rosenbrock")
PRESETS = ("too small", "theory-optimal", "oscillating", "divergent")
_DEFAULT_STEPS = {"quadratic": 200, "rosenbrock": 1000}
# Learning-rate slider ranges: the bowl has L = 1; Rosenbrock's valley walls have L ≈ 1000.
_LR_RANGE = {"quadratic": (1e-3, 10.0), "rosenbrock": (1e-5, 1e-2)}
_LOSS_LIMITS = (1e-14, 1e6)


def _curvatures(surface: surfaces.Surface) -> tuple[float, float]:
    """(μ, L): the smallest and largest curvature (at the minimum, for Rosenbrock)."""
    if surface.name == "quadratic":
        mu, big_l = surface.eigenvalues
        return float(mu), float(big_l)
    a, b = surface.params["a"], surface.params["b"]
    hessian = np.array([[2.0 + 8.0 * b * a * a, -4.0 * b * a], [-4.0 * b * a, 2.0 * b]])
    mu, big_l = np.linalg.eigvalsh(hessian)
    return float(mu), float(big_l)


def _theory(mu: float, big_l: float) -> dict[str, float]:
    """The optimal pairs and rates for curvatures μ ≤ L: heavy ball (Polyak), Nesterov's
    classical choice, and plain GD at its best learning rate."""
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


def _stability_limit(beta: float, big_l: float, nesterov: bool) -> float:
    """The largest stable η on a quadratic with top curvature L: 2(1+β)/L, or 2(1+β)/((1+2β)L)."""
    return 2.0 * (1.0 + beta) / ((1.0 + 2.0 * beta) if nesterov else 1.0) / big_l


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
           start: Any) -> None:
    if surface not in SURFACES:
        raise ValueError(f"surface must be one of {SURFACES}, got {surface!r}.")
    if not isinstance(condition, int | float) or not 1.0 <= condition <= 1000.0:
        raise ValueError(f"condition (κ) must be a number in [1, 1000], got {condition!r}.")
    if learning_rate is not None and (
        not isinstance(learning_rate, int | float) or not 0 < learning_rate < math.inf
    ):
        raise ValueError(f"learning_rate (η) must be a positive number, got {learning_rate!r}.")
    if momentum is not None and (not isinstance(momentum, int | float) or not 0 <= momentum < 1):
        raise ValueError(f"momentum (β) must be in [0, 1), got {momentum!r}.")
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int)
                              or not 1 <= steps <= 5000):
        raise ValueError(f"steps must be a whole number from 1 to 5000, got {steps!r}.")
    if start is not None:
        arr = np.asarray(start, dtype=float) if isinstance(start, Sequence | np.ndarray) else None
        if arr is None or arr.shape != (2,) or not np.isfinite(arr).all():
            raise ValueError(f"start must be two finite numbers (x, y), got {start!r}.")


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

    Controls: surface, ``condition κ`` (bowl only), ``nesterov``, ``learning_rate η``,
    ``momentum β``, ``start x``/``start y``, and preset buttons (``explorer.presets``).
    The picture shows the momentum path (orange) beside plain gradient descent at
    its own best learning rate 2/(L+μ) (grey; on Rosenbrock a hand-picked 0.002),
    and both losses against step. ``learning_rate``/``momentum`` default to the
    theory-optimal pair for the surface. ``steps`` defaults to 200 on the bowl and
    1000 on Rosenbrock.
    """
    _check(condition, learning_rate, momentum, surface, steps, start)
    if not tolerance > 0:
        raise ValueError(f"tolerance must be a positive number, got {tolerance!r}.")

    def make_surface(name: str, kappa: float) -> surfaces.Surface:
        return surfaces.get(name, condition=kappa) if name == "quadratic" else surfaces.get(name)

    surf = make_surface(surface, float(condition))
    theory = _theory(*_curvatures(surf))
    default_eta, default_beta = _default_pair(surface, theory, bool(nesterov))
    eta0 = default_eta if learning_rate is None else float(learning_rate)
    beta0 = default_beta if momentum is None else float(momentum)
    start0 = surf.start if start is None else tuple(float(v) for v in start)
    lr_low, lr_high = _LR_RANGE[surface]
    eta0 = min(max(eta0, lr_low), lr_high)

    # -- controls ------------------------------------------------------------------
    surface_box = W.Dropdown(options=list(SURFACES), value=surface, description="surface",
                             style={"description_width": "initial"}, layout=W.Layout(width="200px"))
    kappa_slider = log_slider("condition κ", float(condition), 1.0, 1000.0, readout_format=".3g")
    kappa_slider.disabled = surface != "quadratic"
    nesterov_box = W.Checkbox(value=bool(nesterov), description="nesterov", indent=False,
                              layout=W.Layout(width="110px"))
    eta_slider = log_slider("learning_rate η", eta0, lr_low, lr_high, readout_format=".3g")
    beta_slider = float_slider("momentum β", beta0, 0.0, 0.995, step=0.005, readout_format=".3f")
    (x0, x1), (y0, y1) = surf.window
    x_slider = float_slider("start x", start0[0], x0, x1, step=0.05)
    y_slider = float_slider("start y", start0[1], y0, y1, step=0.05)
    buttons = {name: W.Button(description=name, layout=W.Layout(width="130px"),
                              tooltip=f"set η and β to the '{name}' preset") for name in PRESETS}
    rows = [
        W.HBox([surface_box, kappa_slider, nesterov_box]),
        W.HBox([eta_slider, beta_slider]),
        W.HBox([x_slider, y_slider]),
        W.HBox([W.Label("presets:"), *buttons.values()]),
    ]

    # -- figure: contours (static), paths and loss curves (animated) ---------------
    fig = Figure(figsize=(9.0, 3.7), dpi=80, layout="constrained")
    ax_path, ax_loss = fig.subplots(1, 2)
    static: list[Any] = []

    def draw_background(s: surfaces.Surface, num_steps: int) -> None:
        for artist in static:
            artist.remove()
        static.clear()
        before = set(ax_path.get_children())
        plots.contour(s, ax=ax_path, levels=25, resolution=100)
        static.extend(a for a in ax_path.get_children() if a not in before)
        title = f"{s.name}, κ = {s.params['condition']:.3g}" if s.name == "quadratic" else s.name
        ax_path.set_title(title, fontsize=10)
        ax_loss.set(xlim=(0, num_steps), xlabel="step", ylabel="loss − minimum")

    ax_loss.set_yscale("log")
    ax_loss.set_ylim(*_LOSS_LIMITS)
    ax_loss.axhline(tolerance, color="0.5", lw=0.8, ls=":")
    ax_loss.set_title("loss against step (log scale)", fontsize=10)
    state = {"steps": steps or _DEFAULT_STEPS[surface]}
    draw_background(surf, state["steps"])
    momentum_color, gd_color = plots.COLORS["momentum"], "0.35"
    (gd_path,) = ax_path.plot([], [], color=gd_color, lw=1.2, ls="--", label="plain GD, η = 2/(L+μ)")
    (mom_path,) = ax_path.plot([], [], color=momentum_color, lw=1.8, label="momentum")
    (start_dot,) = ax_path.plot([], [], "o", color="white", markeredgecolor="black", ms=6)
    (end_dot,) = ax_path.plot([], [], "o", color=momentum_color, markeredgecolor="black", ms=7)
    (gd_loss,) = ax_loss.plot([], [], color=gd_color, lw=1.2, ls="--", label="plain GD, η = 2/(L+μ)")
    (mom_loss,) = ax_loss.plot([], [], color=momentum_color, lw=1.8, label="momentum")
    ax_loss.legend(loc="upper right", fontsize=8)
    view = FigureView(fig, animated=[gd_path, mom_path, start_dot, end_dot, gd_loss, mom_loss])
    readout = W.HTMLMath()

    cache: dict[str, Any] = {"surf": surf, "theory": theory, "gd_key": None, "gd": None,
                             "hold": False}

    def reference_run() -> trajectories.Trajectory:
        """Plain GD at its best η, recomputed only when the surface or the start changes."""
        key = (cache["surf"].name, repr(cache["surf"]), x_slider.value, y_slider.value,
               state["steps"])
        if cache["gd_key"] != key:
            s = cache["surf"]
            cache["gd"] = trajectories.run("sgd", s, [x_slider.value, y_slider.value],
                                           state["steps"], learning_rate=cache["theory"]["gd_eta"])
            cache["gd_key"] = key
        return cache["gd"]

    def describe(run: trajectories.Trajectory, label: str) -> str:
        if run.diverged:
            return f"{label}: <b>diverged at step {int(run.diverged_at)}</b>"
        hit = int(run.steps_to(tolerance))
        final = float(run.final_loss - cache["surf"].min_value)
        if hit >= 0:
            return (f"{label}: loss stays within {tolerance:g} of the minimum from <b>step {hit}</b>; "
                    f"final loss {final:.2g}")
        return (f"{label}: not settled within {tolerance:g} after {state['steps']} steps; "
                f"final loss {final:.2g}")

    def update() -> None:
        if cache["hold"]:
            return
        s, th = cache["surf"], cache["theory"]
        eta, beta, use_nesterov = eta_slider.value, beta_slider.value, nesterov_box.value
        start_xy = [x_slider.value, y_slider.value]
        run = trajectories.run("sgd", s, start_xy, state["steps"], learning_rate=eta,
                               momentum=beta, nesterov=use_nesterov)
        gd = reference_run()
        floor = s.min_value
        window = ax_path.get_xlim(), ax_path.get_ylim()
        drawn = {}
        for line, loss_line, result in ((mom_path, mom_loss, run), (gd_path, gd_loss, gd)):
            # a diverging path stops where it leaves the picture (its ✕ marks the spot)
            path = trajectories.cut_at_window(result.path, window) if result.diverged \
                else result.path
            drawn[id(result)] = path
            line.set_data(path[:, 0], path[:, 1])
            gap = np.clip(result.loss - floor, _LOSS_LIMITS[0], None)
            loss_line.set_data(np.arange(gap.size), gap)
        start_dot.set_data([start_xy[0]], [start_xy[1]])
        shown = drawn[id(run)]
        end = shown[np.isfinite(shown).all(axis=1)][-1] if run.diverged else run.final_point
        end_dot.set_data([end[0]], [end[1]])
        end_dot.set_marker("X" if run.diverged else "o")
        view.redraw()

        if use_nesterov:
            rule = (rf"$v \leftarrow {beta:.3f}\,v - {eta:.3g}\,\nabla f(\theta)$, &nbsp; "
                    rf"$\theta \leftarrow \theta + {beta:.3f}\,v - {eta:.3g}\,\nabla f(\theta)$ "
                    "(Nesterov)")
        else:
            rule = (rf"$v \leftarrow {beta:.3f}\,v - {eta:.3g}\,\nabla f(\theta)$, &nbsp; "
                    r"$\theta \leftarrow \theta + v$ (heavy ball)")
        where = "" if s.name == "quadratic" else " at the minimum"
        mu, big_l = _curvatures(s)
        limit = _stability_limit(beta, big_l, use_nesterov)
        if use_nesterov:
            best = (f"Nesterov's classical pair η = 1/L = {th['nesterov_eta']:.3g}, "
                    f"β = (√κ−1)/(√κ+1) = {th['nesterov_beta']:.3f}, rate 1−1/√κ = "
                    f"{th['nesterov_rate']:.3f} per step (worst case)")
            stable = f"Nesterov is stable for η &lt; 2(1+β)/((1+2β)L) = {limit:.3g}."
        else:
            best = (f"η* = {th['eta']:.3g}, β* = {th['beta']:.3f}, rate (√κ−1)/(√κ+1) = "
                    f"{th['rate']:.3f} per step (worst case)")
            stable = f"Heavy ball is stable for η &lt; 2(1+β)/L = {limit:.3g}."
        theory_line = (
            f"Theory for the curvature{where} (L = {big_l:.4g}, μ = {mu:.3g}, "
            f"κ = {th['kappa']:.4g}): {best}; plain GD's best worst-case η = 2/(L+μ) = "
            f"{th['gd_eta']:.3g} has rate (κ−1)/(κ+1) = {th['gd_rate']:.3f}. {stable}"
        )
        readout.value = (
            f"<div style='font-size:0.95em'>{rule}<br>{describe(run, 'momentum')}<br>"
            f"{describe(gd, 'plain GD at η = 2/(L+μ), the best worst-case rate')}<br>"
            f"<span style='color:#555'>{theory_line}</span></div>"
        )

    def set_values(eta: float, beta: float) -> None:
        cache["hold"] = True
        try:
            eta_slider.value = min(max(eta, 10**eta_slider.min), 10**eta_slider.max)
            beta_slider.value = min(max(beta, 0.0), beta_slider.max)
        finally:
            cache["hold"] = False
        update()

    def on_preset(button: W.Button) -> None:
        presets = _presets(surface_box.value, cache["theory"], nesterov_box.value)
        set_values(*presets[button.description])

    def on_surface_change() -> None:
        name = surface_box.value
        s = make_surface(name, kappa_slider.value)
        cache["surf"], cache["theory"] = s, _theory(*_curvatures(s))
        cache["gd_key"] = None
        state["steps"] = steps or _DEFAULT_STEPS[name]
        cache["hold"] = True
        try:
            kappa_slider.disabled = name != "quadratic"
            low, high = (math.log10(v) for v in _LR_RANGE[name])
            (wx0, wx1), (wy0, wy1) = s.window
            for slider, lo, hi, value in ((eta_slider, low, high, None),
                                          (x_slider, wx0, wx1, s.start[0]),
                                          (y_slider, wy0, wy1, s.start[1])):
                # widen first, then narrow: min must never exceed max on the way
                slider.min, slider.max = min(lo, slider.min), max(hi, slider.max)
                if value is not None:
                    slider.value = value
                slider.min, slider.max = lo, hi
        finally:
            cache["hold"] = False
        draw_background(s, state["steps"])
        view.redraw(full=True)
        set_values(*_default_pair(name, cache["theory"], nesterov_box.value))

    def on_kappa_change() -> None:
        if surface_box.value != "quadratic":
            return
        s = make_surface("quadratic", kappa_slider.value)
        cache["surf"], cache["theory"] = s, _theory(*_curvatures(s))
        cache["gd_key"] = None
        draw_background(s, state["steps"])
        view.redraw(full=True)
        update()

    for control in (eta_slider, beta_slider, nesterov_box, x_slider, y_slider):
        control.observe(lambda _: update(), names="value")
    kappa_slider.observe(lambda _: on_kappa_change(), names="value")
    surface_box.observe(lambda _: on_surface_change(), names="value")
    for button in buttons.values():
        button.on_click(on_preset)

    update()
    explorer = Explorer(rows, view, readout, update)
    explorer.presets = buttons
    return explorer
