"""The schedule designer: shape a learning-rate schedule, watch what it does to a training run.

Left panel: the learning rate η(step) of the chosen schedule, drawn as a fraction
of η₀ (so every shape fits one axis). Right panel: the loss of a training run
that uses it, next to the same run at the constant η₀ (dashed).

Two problems, because a schedule's worth depends on the problem:

- ``"noisy quadratic + SGD"``: gradient descent on the κ = 10 quadratic with
  noise added to every gradient, like the mini-batch noise of chapter 02
  (16 noise draws, loss averaged). At a constant η the loss stops falling at
  a floor proportional to η; a decaying η gets below it.
- ``"rosenbrock + Adam"``: no noise. Here a constant η usually wins: decaying
  only shortens the steps.

Everything is NumPy (``schedules.make_schedule`` builds the schedule,
``trajectories.train_with_schedule`` runs it); a slider move recomputes one
400-step run and redraws two lines by blitting. Like every explorer, three steps:
``compute`` (pure: the schedule and both runs, a ``ScheduleData``), draw and
``describe``.

Taught in 05_schedules_and_callbacks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from course_utils import checks
from course_utils.schedules import KINDS, make_schedule
from course_utils.trajectories import train_with_schedule
from course_utils.widgets.base import (
    Explorer,
    FigureView,
    Loop,
    dropdown,
    float_slider,
    int_slider,
    log_slider,
)

__all__ = ["schedule_designer"]

STEPS = 400  # the length of every training run in the designer

# Which sliders each kind uses (the others are hidden).
USES = {
    "constant": (),
    "step": ("decay_steps", "decay_rate"),
    "exponential": ("decay_steps", "decay_rate"),
    "polynomial": ("decay_steps", "alpha", "power"),
    "cosine": ("decay_steps", "alpha"),
    "warm-up + cosine": ("decay_steps", "alpha", "warmup_steps"),
    "cosine restarts": ("decay_steps", "alpha"),
    "one-cycle": ("decay_steps", "warmup_steps"),
}

# The loss axis of each problem (trajectories.SCHEDULE_PROBLEMS).
YLIM = {"noisy quadratic + SGD": (3e-3, 30.0), "rosenbrock + Adam": (1e-13, 1e3)}


def _final(losses: np.ndarray) -> float:
    """The loss at the end of a run (mean of the last 20 steps: the runs are noisy)."""
    tail = losses[-20:]
    return float(np.mean(tail)) if np.isfinite(tail).all() else float("nan")


@dataclass(frozen=True)
class ScheduleData:
    """What one design computes (``explorer.data``).

    ``learning_rates``: η(t) for t = 0 ... 400; ``losses``/``constant``: the run with the
    schedule and with η₀ held; ``final``/``final_constant``: each run's mean loss over
    its last 20 steps (NaN: diverged); ``code``: the Keras line that builds the schedule.
    """

    kind: str
    problem: str
    settings: dict[str, float]  # the Keras arguments, initial_learning_rate included
    code: str
    learning_rates: np.ndarray
    losses: np.ndarray
    constant: np.ndarray
    final: float
    final_constant: float


def compute(kind: str, problem: str, settings: Mapping[str, float],
            memo: dict[Any, np.ndarray] | None = None) -> ScheduleData:
    """The schedule for ``settings`` and two runs on ``problem``: with it, and at a constant η₀.

    ``memo`` keeps the constant run, which changes only with η₀ and the problem.
    """
    settings = dict(settings)
    eta = settings["initial_learning_rate"]
    schedule, code = make_schedule(kind, **settings)
    lrs = np.asarray(schedule(np.arange(STEPS + 1)), dtype=float)
    losses = train_with_schedule(schedule, problem)
    memo = {} if memo is None else memo
    key = (problem, eta)
    if key not in memo:
        memo.clear()
        memo[key] = train_with_schedule(eta, problem)
    constant = memo[key]
    return ScheduleData(kind, problem, settings, code, lrs, losses, constant, _final(losses),
                        _final(constant))


def describe(data: ScheduleData) -> str:
    """The readout: the Keras line, and whether the schedule or the constant η₀ ends lower."""
    end_s, end_c = data.final, data.final_constant
    if data.kind == "constant":
        verdict = "this is the constant run itself: pick a schedule to compare"
    elif np.isnan(end_s) or np.isnan(end_c):
        verdict = ("<b>diverged</b>: η is too large for this problem (the quadratic's "
                   "limit is 2/L = 2)")
    else:
        ratio = end_c / end_s if end_s > 0 else np.inf
        if abs(ratio - 1) < 0.02:
            verdict = (f"about the same (does η change within {STEPS} steps? "
                       f"try a smaller decay_steps)")
        elif ratio > 1:
            verdict = f"the schedule ends <b>{ratio:.3g}×</b> lower"
        else:
            verdict = f"the constant η₀ ends <b>{1 / ratio:.3g}×</b> lower"
    return (
        f"<code>{data.code}</code><br>"
        f"η at the last step: {data.learning_rates[-1]:.3g} &nbsp; loss after {STEPS} steps "
        f"(mean of the last 20): schedule {end_s:.3g}, constant η₀ {end_c:.3g}: {verdict}"
    )


def schedule_designer(
    kind: str = "cosine",
    problem: str = "noisy quadratic + SGD",
    initial_learning_rate: float = 0.5,
    decay_steps: int = STEPS,
    decay_rate: float = 0.5,
    alpha: float = 0.0,
    power: float = 1.0,
    warmup_steps: int = 40,
) -> Explorer:
    """Design a learning-rate schedule and see its effect on a training run.

    Controls: the schedule kind, the problem, and the Keras arguments
    (``initial_learning_rate`` η₀, ``decay_steps``, ``decay_rate``, ``alpha``,
    ``power``, ``warmup_steps``); only the ones the kind uses are shown. Each control's
    key in ``explorer.controls`` is the argument that sets it (``kind``, ``problem``,
    ``initial_learning_rate``, ...). The readout gives the Keras line that builds the
    schedule and the final loss with the schedule and with the constant η₀;
    ``explorer.data`` is the last ``ScheduleData``.
    """
    checks.choice("kind", kind, KINDS)
    checks.choice("problem", problem, YLIM)
    ranges = {
        "initial_learning_rate": (initial_learning_rate, 1e-3, 3.0),
        "decay_steps": (decay_steps, 10, 2 * STEPS),
        "decay_rate": (decay_rate, 0.05, 1.0),
        "alpha": (alpha, 0.0, 1.0),
        "power": (power, 0.25, 4.0),
        "warmup_steps": (warmup_steps, 0, STEPS // 2),
    }
    for name, (value, low, high) in ranges.items():
        checks.number(name, value, low=low, high=high)

    kind_box = dropdown("schedule", KINDS, kind, key="kind")
    problem_box = dropdown("problem", list(YLIM), problem, key="problem")
    sliders = {
        "initial_learning_rate": log_slider("initial_learning_rate η₀", initial_learning_rate,
                                            1e-3, 3.0, readout_format=".3g",
                                            key="initial_learning_rate"),
        "decay_steps": int_slider("decay_steps", int(decay_steps), 10, 2 * STEPS, step=10,
                                  key="decay_steps"),
        "decay_rate": float_slider("decay_rate", decay_rate, 0.05, 1.0, step=0.05,
                                   key="decay_rate"),
        "alpha": float_slider("alpha (final η / η₀)", alpha, 0.0, 1.0, step=0.05, key="alpha"),
        "power": float_slider("power", power, 0.25, 4.0, step=0.25, key="power"),
        "warmup_steps": int_slider("warmup_steps", int(warmup_steps), 0, STEPS // 2, step=10,
                                   key="warmup_steps"),
    }

    fig = Figure(figsize=(9, 3.3), dpi=80, layout="constrained")
    ax_lr, ax_loss = fig.subplots(1, 2)
    steps = np.arange(STEPS + 1)
    ax_lr.set(xlim=(0, STEPS), ylim=(0, 1.05), xlabel="step t", ylabel="η(t) / η₀",
              title="the schedule")
    ax_lr.axhline(1.0, color="0.6", ls="--", lw=1)
    (lr_line,) = ax_lr.plot([], [], color="#d62728", lw=2)
    ax_loss.set(xlim=(0, STEPS), xlabel="step t", ylabel="loss", yscale="log",
                title="a training run with it")
    (const_line,) = ax_loss.plot([], [], color="0.4", ls="--", lw=1.5, label="constant η₀")
    (sched_line,) = ax_loss.plot([], [], color="#d62728", lw=1.5, label="with the schedule")
    ax_loss.legend(loc="upper right", fontsize=8)
    view = FigureView(fig, animated=[lr_line, const_line, sched_line])
    readout = W.HTML()
    state: dict[str, Any] = {"data": None, "memo": {}}

    def stage(name: str) -> str:
        """Set the loss axis and its title for a problem; returns its background's key."""
        ax_loss.set_ylim(*YLIM[name])
        ax_loss.set_title(f"{name}: loss")
        return name

    def draw(data: ScheduleData) -> None:
        lr_line.set_data(steps, data.learning_rates / data.settings["initial_learning_rate"])
        const_line.set_data(steps, data.constant)
        sched_line.set_data(steps, data.losses)
        # the loss axis and its title are in the still background: one per problem
        view.redraw(key=stage(data.problem))

    def read() -> ScheduleData:
        k = kind_box.value
        for name, slider in sliders.items():
            used = name == "initial_learning_rate" or name in USES[k]
            slider.layout.display = None if used else "none"
        return compute(k, problem_box.value, {n: s.value for n, s in sliders.items()},
                       state["memo"])

    loop = Loop(read, draw, describe, readout)
    loop.watch(kind_box, problem_box, *sliders.values())
    # Draw the other problems' still backgrounds now, so the menu answers within a frame.
    for other in YLIM:
        if other != problem:
            view.prepare(stage(other))
    loop()
    controls = [W.HBox([kind_box, problem_box]),
                W.HBox([sliders["initial_learning_rate"], sliders["decay_steps"]]),
                W.HBox([sliders["decay_rate"], sliders["alpha"]]),
                W.HBox([sliders["power"], sliders["warmup_steps"]])]
    return Explorer(controls, view, readout, loop)
