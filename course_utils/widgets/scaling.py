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
slider move costs a few NumPy operations and one blit. Like every explorer, three steps:
``compute`` (pure: both runs for one setting, a ``ScalingData``), draw and ``describe``. Without a live kernel (GitHub,
an HTML export) the explorer's static picture shows each problem at its own best η,
the comparison the lesson is about, whatever η the slider holds. Taught in
06_data_preprocessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
from contourpy import contour_generator
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from course_utils import checks
from course_utils.quadratic import TOLERANCE, LeastSquares, two_feature_problem
from course_utils.widgets.base import Explorer, FigureView, Loop, int_slider, keyed, log_slider

__all__ = ["scaling_explorer"]

RAW_COLOR, STD_COLOR = "#d62728", "#1f77b4"
START = np.zeros(2)  # both runs start from w = 0


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


@dataclass(frozen=True)
class ScalingRun:
    """Gradient descent on one of the two problems (raw or standardised) at one η.

    ``path``: the weights w₀ ... w_steps; ``gap``: (L(w_t) − L*)/(L(w₀) − L*) for
    t = 1 ... steps; ``steps_to``/``steps_at_best``: steps to a gap of 10⁻⁶ at this η and
    at the problem's best η 2/(μ + L) (``None``: diverges or stalls).
    """

    problem: LeastSquares
    learning_rate: float
    path: np.ndarray
    gap: np.ndarray
    steps_to: int | None
    steps_at_best: int | None


@dataclass(frozen=True)
class ScalingData:
    """What one setting of the scaling explorer computes (``explorer.data``)."""

    scale: float
    steps: int
    best_for_each: bool
    raw: ScalingRun
    std: ScalingRun


def compute(raw: LeastSquares, std: LeastSquares, scale: float, learning_rate: float,
            steps: int, best_for_each: bool) -> ScalingData:
    """Both problems' runs from w = 0: at ``learning_rate``, or each at its own best η."""
    t = np.arange(1, steps + 1)
    runs = {}
    for key, problem in (("raw", raw), ("std", std)):
        eta = problem.best_learning_rate if best_for_each else learning_rate
        runs[key] = ScalingRun(problem, eta, problem.path(eta, steps, START),
                               problem.relative_gap(eta, t, START),
                               problem.steps_to(eta, START),
                               problem.steps_to(problem.best_learning_rate, START))
    return ScalingData(scale, steps, best_for_each, runs["raw"], runs["std"])


def describe(data: ScalingData) -> str:
    """The readout: each problem's κ, limit and step counts, and what standardising buys."""
    head = ("<tr><th></th><th>κ = L/μ</th><th>L</th><th>limit 2/L</th><th>η used</th>"
            "<th>steps to 10⁻⁶</th><th>best η = 2/(μ+L)</th><th>steps at best η</th></tr>")
    body = ""
    for run, label in ((data.raw, "raw features"), (data.std, "standardised")):
        problem = run.problem
        mu, big_l = problem.eigenvalues
        body += (f"<tr><td><b>{label}</b></td><td>{problem.condition:,.1f}</td>"
                 f"<td>{big_l:.3g}</td><td>{2 / big_l:.3g}</td><td>{run.learning_rate:.3g}</td>"
                 f"<td>{_steps_text(run.steps_to)}</td><td>{problem.best_learning_rate:.3g}</td>"
                 f"<td>{_steps_text(run.steps_at_best)}</td></tr>")
    raw_best, std_best = data.raw.steps_at_best, data.std.steps_at_best
    verdict = ""
    if raw_best and std_best and raw_best < 1.5 * std_best:
        verdict = ("The raw features are already on similar scales: standardising changes "
                   f"little ({raw_best:,} against {std_best:,} steps at the best η).")
    elif raw_best and std_best:
        verdict = (f"Each at its best η, standardising cuts the steps from {raw_best:,} to "
                   f"{std_best:,} (×{raw_best / std_best:,.1f} fewer).")
    if not data.best_for_each:
        eta = data.raw.learning_rate
        if data.raw.steps_to is None and data.std.steps_to is not None:
            verdict += (f" At η = {eta:.3g} the raw problem is past its limit 2/L; the "
                        "standardised one is not.")
    return f"<table>{head}{body}</table>{verdict}"


def scaling_explorer(scale: float = 5.0, learning_rate: float = 0.05, steps: int = 100,
                     best_for_each: bool = False) -> ScalingExplorer:
    """Stretch one feature by ``s`` and watch gradient descent slow down; standardise and it doesn't.

    Left: the loss in weight space for the raw features ``[x₁, s·z]``; middle: the
    same problem after standardisation; right: the loss gap against the step.
    Both runs start from w = 0 and use the same η unless "best η for each" is
    ticked (then each uses its own 2/(μ + L)). Contours are redrawn only when s
    changes (over a still background, within a frame); η and the number of steps shown
    only move the paths. Controls (by key
    in ``explorer.controls``): ``scale``, ``learning_rate``, ``steps`` (with its
    ``animate`` player) and ``best_for_each``; ``explorer.data`` is the last
    ``ScalingData``.
    """
    checks.number("scale", scale, low=1, high=100)
    checks.number("learning_rate", learning_rate, low=1e-4, high=3)
    checks.whole("steps", steps, low=1, high=500)

    scale_slider = log_slider("feature scale s", scale, 1.0, 100.0, readout_format=".1f",
                              key="scale")
    lr_slider = log_slider("learning_rate η", learning_rate, 1e-4, 3.0, readout_format=".3g",
                           key="learning_rate")
    steps_slider = int_slider("steps shown", steps, 1, 500, key="steps")
    play = keyed(W.Play(value=steps, min=1, max=500, step=2, interval=40, description="animate"),
                 "animate")
    W.link((play, "value"), (steps_slider, "value"))
    best_box = keyed(W.Checkbox(value=best_for_each, description="best η for each (2/(μ+L))",
                                indent=False), "best_for_each")
    readout = W.HTML()

    fig = Figure(figsize=(11, 3.9), dpi=72)
    ax_raw, ax_std, ax_loss = fig.subplots(1, 3)
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.14, top=0.92, wspace=0.32)
    paths, ends, curves, stars, origin = {}, {}, {}, {}, {}
    for key, ax, color in (("raw", ax_raw, RAW_COLOR), ("std", ax_std, STD_COLOR)):
        (stars[key],) = ax.plot([], [], "*", color="gold", mec="black", ms=13, zorder=3)
        (paths[key],) = ax.plot([], [], "-o", color=color, ms=2.5, lw=1.2)
        (ends[key],) = ax.plot([], [], "X", color="black", ms=9)
        (origin[key],) = ax.plot([0], [0], "s", color="gray", ms=6)
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

    # Each weight panel's contour lines are one LineCollection whose segments are replaced
    # when s changes; the raw panel's ticks, title, star and origin move with its window,
    # so they are drawn over the still background (an underlay) instead of inside it.
    level_lines = {key: LineCollection([], linewidths=1) for key in ("raw", "std")}
    for key, ax in (("raw", ax_raw), ("std", ax_std)):
        ax.add_collection(level_lines[key])
        ax.set(xlabel="$w_1$", ylabel="$w_2$")
        ax.set_box_aspect(1)

    def draw_contours(key: str, problem: LeastSquares, title: str) -> None:
        ax = ax_raw if key == "raw" else ax_std
        (x0, x1), (y0, y1) = _window(problem, START)
        gx, gy = np.meshgrid(np.linspace(x0, x1, 120), np.linspace(y0, y1, 120))
        gap = problem.loss(np.stack([gx, gy], axis=-1)) - problem.min_loss
        gap0 = float(problem.loss(START) - problem.min_loss)
        levels = gap0 * np.linspace(0.12, 1.5, 9) ** 2
        generator = contour_generator(gx, gy, gap)
        segments, colors = [], []
        shades = plt.get_cmap("viridis")((levels - levels[0]) / (levels[-1] - levels[0]))
        for level, color in zip(levels, shades, strict=True):  # contour()'s colours
            for line in generator.lines(level):
                segments.append(line)
                colors.append(color)
        level_lines[key].set_segments(segments)
        level_lines[key].set_color(colors)
        stars[key].set_data([problem.w_star[0]], [problem.w_star[1]])
        ax.set(xlim=(x0, x1), ylim=(y0, y1), title=title)

    draw_contours("std", problems["std"], "standardised: the same for every s")
    view = FigureView(fig, underlay=[ax_raw.xaxis, ax_raw.yaxis, ax_raw.title,
                                     level_lines["raw"], stars["raw"], origin["raw"]],
                      animated=[*paths.values(), *ends.values(), *curves.values()])
    state: dict[str, Any] = {"scale": None, "new_window": True}

    def draw(data: ScalingData) -> None:
        t = np.arange(1, data.steps + 1)
        for key, run in (("raw", data.raw), ("std", data.std)):
            paths[key].set_data(run.path[:, 0], run.path[:, 1])
            finite = run.path[np.all(np.isfinite(run.path), axis=1)]
            ends[key].set_data(finite[-1:, 0], finite[-1:, 1])
            curves[key].set_data(t, np.clip(np.nan_to_num(run.gap, nan=1e300), 1e-300, 1e300))
        view.redraw(underlay=state["new_window"])

    def read() -> ScalingData:
        s = scale_slider.value
        state["new_window"] = state["scale"] != s
        if state["new_window"]:  # a new stretch: the raw problem, its window and contours
            problems["raw"] = LeastSquares.from_data(two_feature_problem(s)[0], y)
            draw_contours("raw", problems["raw"], f"raw features [x₁, s·z], s = {s:.1f}")
            state["scale"] = s
        lr_slider.disabled = best_box.value
        return compute(problems["raw"], problems["std"], s, lr_slider.value, steps_slider.value,
                       best_box.value)

    loop = Loop(read, draw, describe, readout)
    loop.watch(scale_slider, lr_slider, steps_slider, best_box)
    loop()
    return ScalingExplorer([W.HBox([scale_slider, lr_slider]),
                            W.HBox([steps_slider, play, best_box])],
                           view, readout, loop, best_box=best_box)


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
