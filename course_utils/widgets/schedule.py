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

Everything is NumPy (``schedules``, ``optimizers``, ``trajectories``); a slider
move recomputes one 400-step run and redraws two lines by blitting.

Taught in 05_schedules_and_callbacks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from course_utils import optimizers as _optimizers
from course_utils import schedules as _schedules
from course_utils import surfaces as _surfaces
from course_utils import trajectories as _trajectories
from course_utils.widgets.base import (
    Explorer,
    FigureView,
    dropdown,
    float_slider,
    int_slider,
    log_slider,
)

__all__ = ["schedule_designer"]

STEPS = 400  # the length of every training run in the designer

KINDS = (
    "constant",
    "step",
    "exponential",
    "polynomial",
    "cosine",
    "warm-up + cosine",
    "cosine restarts",
    "one-cycle",
)

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

PROBLEMS = {
    "noisy quadratic + SGD": {"optimizer": "sgd", "noise": 1.0, "ylim": (3e-3, 30.0)},
    "rosenbrock + Adam": {"optimizer": "adam", "noise": 0.0, "ylim": (1e-13, 1e3)},
}

# One-cycle's fixed divisors (Smith's / PyTorch's defaults), as in keras_tools.OneCycle.
ONE_CYCLE_DIV, ONE_CYCLE_FINAL_DIV = 25.0, 1e4


def _num(value: float) -> str:
    """A number as Python would write it, to 3 significant digits (0.0, 0.5, 1e-05)."""
    text = f"{float(value):.3g}"
    return text if any(c in text for c in ".en") else text + ".0"


def make_schedule(
    kind: str,
    initial_learning_rate: float,
    decay_steps: int = STEPS,
    decay_rate: float = 0.5,
    alpha: float = 0.0,
    power: float = 1.0,
    warmup_steps: int = 40,
    total_steps: int = STEPS,
) -> tuple[Callable[[Any], Any], str]:
    """The schedule a designer setting stands for, and the Keras line that builds it.

    Returns ``(schedule, code)``: ``schedule(steps)`` gives the learning rates
    (NumPy), ``code`` is the ``keras.optimizers.schedules`` (or
    ``keras_tools.OneCycle``) call with the same curve. ``initial_learning_rate``
    (η₀) is the peak for ``"warm-up + cosine"`` and ``"one-cycle"`` (which start low);
    ``alpha`` is the final η as a fraction of η₀ (``end_learning_rate = alpha·η₀`` for
    ``"polynomial"``); ``"step"`` multiplies η by ``decay_rate`` after every
    ``decay_steps`` steps, written as a ``PiecewiseConstantDecay``.

    >>> schedule, code = make_schedule("exponential", 0.1, decay_steps=100, decay_rate=0.5)
    >>> code
    'ExponentialDecay(initial_learning_rate=0.1, decay_steps=100, decay_rate=0.5)'
    >>> schedule([0, 100]).tolist()
    [0.1, 0.05]
    """
    if kind not in KINDS:
        raise ValueError(f"unknown schedule kind {kind!r}; choose one of {list(KINDS)}.")
    eta = float(initial_learning_rate)
    if not (np.isfinite(eta) and eta > 0):
        raise ValueError(f"initial_learning_rate must be a number > 0, got {initial_learning_rate!r}.")
    decay_steps, warmup_steps = int(decay_steps), int(warmup_steps)
    if decay_steps < 1 or warmup_steps < 0:
        raise ValueError(
            f"decay_steps must be >= 1 and warmup_steps >= 0, got {decay_steps} and {warmup_steps}."
        )
    if kind == "constant":
        return (lambda s: np.full(np.shape(s), eta)), f"learning_rate={_num(eta)} (a number, no schedule)"
    if kind == "step":
        boundaries = list(range(decay_steps, total_steps, decay_steps)) or [decay_steps]
        values = [float(f"{eta * decay_rate**i:.4g}") for i in range(len(boundaries) + 1)]
        return (_schedules.PiecewiseConstantDecay(boundaries, values),
                f"PiecewiseConstantDecay(boundaries={boundaries}, values={values})")
    if kind == "exponential":
        return (_schedules.ExponentialDecay(eta, decay_steps, decay_rate),
                f"ExponentialDecay(initial_learning_rate={_num(eta)}, decay_steps={decay_steps}, "
                f"decay_rate={_num(decay_rate)})")
    if kind == "polynomial":
        end = alpha * eta
        return (_schedules.PolynomialDecay(eta, decay_steps, end, power=power),
                f"PolynomialDecay(initial_learning_rate={_num(eta)}, decay_steps={decay_steps}, "
                f"end_learning_rate={_num(end)}, power={_num(power)})")
    if kind == "cosine":
        return (_schedules.CosineDecay(eta, decay_steps, alpha=alpha),
                f"CosineDecay(initial_learning_rate={_num(eta)}, decay_steps={decay_steps}, "
                f"alpha={_num(alpha)})")
    if kind == "warm-up + cosine":
        return (_schedules.CosineDecay(0.0, decay_steps, alpha=alpha, warmup_target=eta,
                                       warmup_steps=warmup_steps),
                f"CosineDecay(initial_learning_rate=0.0, decay_steps={decay_steps}, "
                f"alpha={_num(alpha)}, warmup_target={_num(eta)}, warmup_steps={warmup_steps})")
    if kind == "cosine restarts":
        return (_schedules.CosineDecayRestarts(eta, decay_steps, t_mul=2.0, alpha=alpha),
                f"CosineDecayRestarts(initial_learning_rate={_num(eta)}, "
                f"first_decay_steps={decay_steps}, t_mul=2.0, alpha={_num(alpha)})")
    # one-cycle: rise over warmup_steps, fall back as long, then a final fall to decay_steps
    fraction = min(max(warmup_steps, 1) / decay_steps, 0.5)
    width = fraction * decay_steps
    low = eta / ONE_CYCLE_DIV
    xs = [0.0, width, 2 * width, float(decay_steps)]
    ys = [low, eta, low, low / ONE_CYCLE_FINAL_DIV]
    return ((lambda s: np.interp(np.asarray(s, dtype=float), xs, ys)),
            f"keras_tools.OneCycle(max_learning_rate={_num(eta)}, total_steps={decay_steps}, "
            f"warmup_fraction={_num(fraction)})")


def train_with_schedule(
    learning_rate: float | Callable[[Any], Any],
    problem: str = "noisy quadratic + SGD",
    steps: int = STEPS,
    *,
    runs: int = 16,
    seed: int = 0,
) -> np.ndarray:
    """Run the designer's problem with a schedule; returns the loss at steps 0..steps.

    ``learning_rate`` is a number or a schedule (``schedule(steps_array)``). For
    the noisy quadratic the gradient at each step is ``A·θ + ξ`` with ``ξ`` drawn
    from a normal distribution (standard deviation 1 per coordinate, the same
    draws for every schedule, so two runs differ only in η), and the loss is the
    mean over ``runs`` independent noise draws. NaN from the step a run diverged.
    """
    if problem not in PROBLEMS:
        raise ValueError(f"unknown problem {problem!r}; choose one of {list(PROBLEMS)}.")
    spec = PROBLEMS[problem]
    if callable(learning_rate):
        lrs = np.asarray(learning_rate(np.arange(steps + 1)), dtype=float)
    else:
        lrs = np.full(steps + 1, float(learning_rate))
    if not (np.isfinite(lrs).all() and (lrs >= 0).all()):
        raise ValueError("the learning rates must be finite numbers >= 0.")
    lr_list = lrs.tolist()  # a Python list: the fastest lookup inside the step loop

    def schedule(t: int) -> float:
        return lr_list[t]

    if spec["noise"] == 0:
        result = _trajectories.run(spec["optimizer"], "rosenbrock", steps=steps,
                                   learning_rate=schedule)
        return result.loss
    surface = _surfaces.get("quadratic", condition=10)
    optimizer = _optimizers.get(spec["optimizer"], learning_rate=schedule)
    noise = np.random.default_rng(seed).normal(scale=spec["noise"], size=(steps, runs, 2))
    theta = np.tile(np.array(surface.start), (runs, 1))
    state = optimizer.init(theta)
    losses = np.full(steps + 1, np.nan)
    losses[0] = surface.value(theta).mean()
    hessian = surface.hessian
    with np.errstate(all="ignore"):
        for t in range(steps):
            theta, state = optimizer.update(theta, theta @ hessian + noise[t], state)
            loss = surface.value(theta).mean()
            if not np.isfinite(loss) or loss > 1e12:
                break
            losses[t + 1] = loss
    return losses


def _final(losses: np.ndarray) -> float:
    """The loss at the end of a run (mean of the last 20 steps: the runs are noisy)."""
    tail = losses[-20:]
    return float(np.mean(tail)) if np.isfinite(tail).all() else float("nan")


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
    ``power``, ``warmup_steps``); only the ones the kind uses are shown. The
    readout gives the Keras line that builds the schedule and the final loss
    with the schedule and with the constant η₀.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown schedule kind {kind!r}; choose one of {list(KINDS)}.")
    if problem not in PROBLEMS:
        raise ValueError(f"unknown problem {problem!r}; choose one of {list(PROBLEMS)}.")
    checks = {
        "initial_learning_rate": (initial_learning_rate, 1e-3, 3.0),
        "decay_steps": (decay_steps, 10, 2 * STEPS),
        "decay_rate": (decay_rate, 0.05, 1.0),
        "alpha": (alpha, 0.0, 1.0),
        "power": (power, 0.25, 4.0),
        "warmup_steps": (warmup_steps, 0, STEPS // 2),
    }
    for name, (value, low, high) in checks.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise ValueError(f"{name} must be a number in [{low}, {high}], got {value!r}.")

    kind_box = dropdown("schedule", KINDS, kind)
    problem_box = dropdown("problem", list(PROBLEMS), problem)
    sliders = {
        "initial_learning_rate": log_slider("initial_learning_rate η₀", initial_learning_rate,
                                            1e-3, 3.0, readout_format=".3g"),
        "decay_steps": int_slider("decay_steps", int(decay_steps), 10, 2 * STEPS, step=10),
        "decay_rate": float_slider("decay_rate", decay_rate, 0.05, 1.0, step=0.05),
        "alpha": float_slider("alpha (final η / η₀)", alpha, 0.0, 1.0, step=0.05),
        "power": float_slider("power", power, 0.25, 4.0, step=0.25),
        "warmup_steps": int_slider("warmup_steps", int(warmup_steps), 0, STEPS // 2, step=10),
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
    cache: dict[tuple, np.ndarray] = {}
    shown = {"problem": None}

    def update() -> None:
        k, prob = kind_box.value, problem_box.value
        for name, slider in sliders.items():
            used = name == "initial_learning_rate" or name in USES[k]
            slider.layout.display = None if used else "none"
        eta = sliders["initial_learning_rate"].value
        args = {n: s.value for n, s in sliders.items()}
        schedule, code = make_schedule(k, **args)
        lrs = np.asarray(schedule(steps), dtype=float)
        losses = train_with_schedule(schedule, prob)
        key = (prob, eta)
        if key not in cache:  # the constant run changes only with η₀ and the problem
            cache.clear()
            cache[key] = train_with_schedule(eta, prob)
        constant = cache[key]
        lr_line.set_data(steps, lrs / eta)
        const_line.set_data(steps, constant)
        sched_line.set_data(steps, losses)
        full = shown["problem"] != prob
        if full:
            ax_loss.set_ylim(*PROBLEMS[prob]["ylim"])
            ax_loss.set_title(f"{prob}: loss")
            shown["problem"] = prob
        view.redraw(full=full)
        end_s, end_c = _final(losses), _final(constant)
        if k == "constant":
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
        readout.value = (
            f"<code>{code}</code><br>"
            f"η at the last step: {lrs[-1]:.3g} &nbsp; loss after {STEPS} steps "
            f"(mean of the last 20): schedule {end_s:.3g}, constant η₀ {end_c:.3g}: {verdict}"
        )

    for control in (kind_box, problem_box, *sliders.values()):
        control.observe(lambda _: update(), names="value")
    update()
    controls = [W.HBox([kind_box, problem_box]),
                W.HBox([sliders["initial_learning_rate"], sliders["decay_steps"]]),
                W.HBox([sliders["decay_rate"], sliders["alpha"]]),
                W.HBox([sliders["power"], sliders["warmup_steps"]])]
    return Explorer(controls, view, readout, update)
