"""Checkers for 05_schedules_and_callbacks: step decay, cosine decay, reading an LR range test,
and a predict-then-run exercise (which schedule ends lowest on the noisy bowl).

Each checker compares the learner's function with ``course_utils.schedules``
(which matches ``keras.optimizers.schedules``) and, when a case fails, tries the
usual slips (an off-by-one at the boundary, a smooth curve where a staircase
was due, a cosine that is not clipped) to say which one it was.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from course_utils import checks, schedules
from course_utils.exercises._core import Case, Feedback, Slip, check_cases

__all__ = ["check_step_decay", "check_cosine_decay", "check_lr_choice", "check_schedule_prediction"]

def _with_arguments(cases: list[tuple[str, tuple]]) -> list[Case]:
    """The cases, each message showing the arguments (a schedule is read off its numbers)."""
    return [Case(name, args, detail=f"(arguments {args})") for name, args in cases]


# -- step decay ------------------------------------------------------------------------------
def _step_decay(step: int, initial_learning_rate: float, decay_steps: int,
                decay_rate: float) -> float:
    return schedules.ExponentialDecay(initial_learning_rate, decay_steps, decay_rate,
                                      staircase=True)(step)


STEP_CASES = [
    ("the first step", (0, 0.1, 100, 0.5)),
    ("just before the first drop", (99, 0.1, 100, 0.5)),
    ("exactly at the first drop", (100, 0.1, 100, 0.5)),
    ("two and a half periods", (250, 0.1, 100, 0.5)),
    ("ten drops by a factor 0.9", (1000, 1.0, 100, 0.9)),
]


def check_step_decay(fn: Callable[[int, float, int, float], float]) -> Feedback:
    """``fn(step, initial_learning_rate, decay_steps, decay_rate)`` for step decay.

    The rate is multiplied by ``decay_rate`` after every ``decay_steps`` steps:
    ``η₀ · decay_rate ** floor(step / decay_steps)``, which is Keras's
    ``ExponentialDecay(..., staircase=True)``. Step 0 is the first step.
    """
    def late(s, eta, k, r):  # drops one step late: PiecewiseConstantDecay's `step <= boundary`
        return eta * r ** max(math.ceil(s / k) - 1, 0)

    slips: list[Slip] = [
        (lambda s, eta, k, r: eta * r ** (s / k),
         "that is the smooth curve. Step decay is a staircase: the exponent must be a "
         "whole number, floor(step / decay_steps) (Keras: staircase=True)."),
        (late,
         "off by one: your rate drops one step late, at decay_steps + 1. The drop happens "
         "AT step = decay_steps, because floor(100 / 100) = 1 already. (Keras's "
         "PiecewiseConstantDecay keeps the old value at a boundary, `step <= boundary`: "
         "that is exactly this off-by-one between the two classes.)"),
        (lambda s, eta, k, r: eta * r ** math.ceil(s / k),
         "off by one the other way: ceil drops the rate one step after step 0. Use floor."),
        (lambda s, eta, k, r: eta * r * math.floor(s / k),
         "decay_rate multiplies η once per drop, so it is a power: "
         "decay_rate ** floor(step / decay_steps), not a product with the count."),
        (lambda s, eta, k, r: eta * r ** math.floor(k / max(s, 1)),
         "the exponent is step / decay_steps (steps done, in periods), not the other way round."),
    ]
    return check_cases(
        fn, _with_arguments(STEP_CASES), reference=_step_decay, slips=slips,
        hint="η₀ · decay_rate ** floor(step / decay_steps): check each piece on paper for "
             "step 250.",
        success="your step decay matches Keras's ExponentialDecay(staircase=True) at every "
                "case, including the boundary step.",
    )


# -- cosine decay ----------------------------------------------------------------------------
def _cosine_decay(step: float, initial_learning_rate: float, decay_steps: float,
                  alpha: float) -> float:
    return schedules.CosineDecay(initial_learning_rate, decay_steps, alpha=alpha)(step)


COSINE_CASES = [
    ("the first step", (0, 0.1, 100, 0.0)),
    ("a quarter of the way", (25, 0.1, 100, 0.0)),
    ("half-way, alpha = 0.1", (50, 0.1, 100, 0.1)),
    ("the last decay step", (100, 0.1, 100, 0.1)),
    ("after the decay, alpha = 0.1", (150, 0.1, 100, 0.1)),
]


def check_cosine_decay(fn: Callable[[int, float, int, float], float]) -> Feedback:
    """``fn(step, initial_learning_rate, decay_steps, alpha)`` for cosine decay (no warm-up).

    ``η₀ · ((1 - alpha) · ½(1 + cos(π · s / decay_steps)) + alpha)`` with
    ``s = min(step, decay_steps)``: Keras's ``CosineDecay``.
    """
    def cos_part(s: float, k: float) -> float:
        return 0.5 * (1 + math.cos(math.pi * min(s, k) / k))

    slips: list[Slip] = [
        (lambda s, eta, k, a: eta * ((1 - a) * 0.5 * (1 + math.cos(math.pi * s / k)) + a),
         "after decay_steps your rate climbs back up: clip the step first, "
         "s = min(step, decay_steps), so the rate stays at alpha · η₀."),
        (lambda s, eta, k, a: eta * cos_part(s, k),
         "alpha is missing: it is the floor, as a fraction of η₀. Blend: "
         "(1 - alpha) · cosine + alpha."),
        (lambda s, eta, k, a: eta * (cos_part(s, k) + a),
         "alpha is added without scaling the cosine by (1 - alpha), so the curve starts "
         "above η₀: use (1 - alpha) · cosine + alpha."),
        (lambda s, eta, k, a: eta * ((1 - a) * math.cos(math.pi * min(s, k) / k) + a),
         "cos(π·s/T) runs from 1 to -1; the schedule needs ½(1 + cos(π·s/T)), "
         "which runs from 1 to 0."),
        (lambda s, eta, k, a: eta * ((1 - a) * 0.5 * (1 + math.cos(2 * math.pi * min(s, k) / k))
                                     + a),
         "that is a full cosine period (2π), which comes back up; cosine decay uses half a "
         "period, π · s / decay_steps."),
    ]
    return check_cases(
        fn, _with_arguments(COSINE_CASES), reference=_cosine_decay, slips=slips,
        hint="η₀ · ((1 - alpha) · ½(1 + cos(π · min(step, decay_steps) / decay_steps)) + alpha).",
        success="your cosine decay matches Keras's CosineDecay, including the flat tail after "
                "decay_steps.",
    )


# -- reading an LR range test ----------------------------------------------------------------
def good_range(learning_rates: Any, smoothed_losses: Any) -> tuple[float, float]:
    """The η a range-test curve supports for a constant learning rate: ``(low, high)``.

    ``low``: where the smoothed loss has fallen a tenth of the way from its start
    to its lowest value (left of it, η is too small to matter). ``high``: half
    the η of the lowest loss (right of it you sit at the edge of divergence).
    """
    lrs = np.asarray(learning_rates, dtype=float)
    smooth = np.asarray(smoothed_losses, dtype=float)
    if lrs.shape != smooth.shape or lrs.size < 3:
        raise ValueError("learning_rates and smoothed_losses must be equal-length, >= 3 points.")
    smooth = np.where(np.isfinite(smooth), smooth, np.inf)
    lowest = int(np.argmin(smooth))
    target = smooth[0] - 0.1 * (smooth[0] - smooth[lowest])
    started = int(np.argmax(smooth[: lowest + 1] <= target))
    return float(lrs[started]), float(lrs[lowest] / 2)


def check_lr_choice(learning_rate: float | None, finder: Any) -> Feedback:
    """Is ``learning_rate`` a sound constant η, read off ``finder``'s range-test curve?

    ``finder`` is a ``keras_tools.LearningRateRangeTest`` after its run (anything
    with ``learning_rates`` and ``smoothed_losses``). Any η between the point
    where the loss starts to fall and half the η of the lowest loss is accepted.
    """
    if learning_rate is None:
        return Feedback("not attempted", "set my_learning_rate to the η you read off the curve.")
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, int | float | np.number):
        return Feedback("wrong", f"a learning rate is one number, got {learning_rate!r}.")
    eta = float(learning_rate)
    try:
        low, high = good_range(finder.learning_rates, finder.smoothed_losses)
        smooth = np.asarray(finder.smoothed_losses, dtype=float)
        lrs = np.asarray(finder.learning_rates, dtype=float)
    except (AttributeError, ValueError) as err:
        return Feedback("wrong", f"pass the range test after model.fit has run it ({err}).")
    best = float(lrs[int(np.nanargmin(np.where(np.isfinite(smooth), smooth, np.nan)))])
    if not (math.isfinite(eta) and eta > 0):
        return Feedback("wrong", f"a learning rate must be a number > 0, got {learning_rate!r}.")
    if eta < low:
        return Feedback(
            "wrong",
            f"at η = {eta:.3g} the curve is still flat: the loss has not yet fallen a tenth "
            f"of the way to its lowest value (that happens near η = {low:.3g}). Training "
            f"would crawl. Hint: move right, to where the smoothed curve falls steepest.",
        )
    if eta > high:
        return Feedback(
            "wrong",
            f"η = {eta:.3g} is too close to the bottom of the curve (the lowest loss is at "
            f"η ≈ {best:.3g}, and the loss blows up just right of it). A whole training run "
            f"there sits on the edge of divergence. Hint: about a tenth of {best:.3g}, or "
            f"the steepest point of the curve.",
        )
    return Feedback(
        "correct",
        f"η = {eta:.3g} lies where the loss falls fast and far from divergence "
        f"(accepted here: {low:.3g} to {high:.3g}).",
    )


# -- predict, then run: which schedule ends lowest on the noisy bowl? ---------------------------
PREDICTION_CHOICES = ("constant 0.5", "constant 0.05", "cosine 0.5")


def noisy_bowl_finals(steps: int = 200, seeds: int = 64, noise: float = 1.0,
                      seed: int = 0) -> dict[str, np.ndarray]:
    """Final loss (mean of the last 20 steps) of each run in ``PREDICTION_CHOICES``, per seed.

    The problem of section 2 of the chapter: the κ = 10 quadratic (eigenvalues 0.1 and 1),
    plain SGD from the surface's start, gradient noise of standard deviation ``noise``
    per coordinate. All seeds run at once (one array row per seed), and the three runs
    share the noise draws, so their finals are paired seed by seed.
    """
    from course_utils import optimizers, surfaces, trajectories

    steps = checks.whole("steps", steps, low=20)  # the final loss averages the last 20 steps
    seeds = checks.whole("seeds", seeds, low=1)
    noise = checks.number("noise", noise, low=0)
    surface = surfaces.get("quadratic", condition=10)
    rates = {
        "constant 0.5": 0.5,
        "constant 0.05": 0.05,
        "cosine 0.5": schedules.CosineDecay(0.5, decay_steps=steps),
    }
    starts = np.tile(np.asarray(surface.start, dtype=float), (seeds, 1))
    finals = {}
    for name, eta in rates.items():
        # one row per seed; the same seed gives every run the same noise draws
        run = trajectories.run(optimizers.SGD(eta), surface, starts, steps,
                               gradient_noise=noise, seed=seed)
        finals[name] = run.loss[-20:].mean(axis=0)
    return finals


def check_schedule_prediction(prediction: str | None) -> Feedback:
    """Predict, then run: which of ``PREDICTION_CHOICES`` ends lowest on the noisy bowl?

    The checker runs all three for 200 steps over 64 noise seeds (``noisy_bowl_finals``)
    and answers with the mean final loss of each and the paired 95% interval of the
    winner against the other two, then explains why the winner wins. A prediction whose
    difference from the winner is within seed noise counts as a tie, and passes.
    """
    from course_utils import experiments

    if prediction is None:
        return Feedback("not attempted", f"set my_prediction to one of {list(PREDICTION_CHOICES)} "
                                         f"before running anything.")
    if not isinstance(prediction, str) or prediction.strip().lower() not in PREDICTION_CHOICES:
        return Feedback("wrong", f"my_prediction must be one of {list(PREDICTION_CHOICES)}, "
                                 f"got {prediction!r}.")
    prediction = prediction.strip().lower()
    finals = noisy_bowl_finals()
    seeds = next(iter(finals.values())).size
    means = {name: float(v.mean()) for name, v in finals.items()}
    winner = min(means, key=means.get)
    against = {other: experiments.paired_difference(finals[winner], finals[other])
               for other in finals if other != winner}
    versus = "; ".join(f"{winner} − {other}: {d}" for other, d in against.items())
    measured = ", ".join(f"{name} {m:.3g}" for name, m in means.items())
    why = {
        "cosine 0.5": "it takes the large η early, while the loss is far above the noise floor, "
                      "and ends at a small η, whose floor (proportional to η) is low",
        "constant 0.05": "its noise floor is ten times lower than η = 0.5's, and 200 steps were "
                         "enough to reach it",
        "constant 0.5": "it reaches its floor fastest, and the floor is what the others could not "
                        "beat in 200 steps",
    }[winner]
    wrong_why = {
        "constant 0.5": "η = 0.5 gets down fast, then stops on its noise floor, which is "
                        "proportional to η (section 2): it stays there however long it runs.",
        "constant 0.05": "η = 0.05 has a low floor, but along the flat direction (λ = 0.1) it "
                         "shrinks the distance by only 1 − ηλ = 0.995 per step: after 200 steps it "
                         "is still on its way down.",
        "cosine 0.5": "the decay helps only if the large η early has done its work; here the "
                      "intervals say it did not win.",
    }
    report = f"Mean final loss over {seeds} noise seeds: {measured}. {versus}."
    if prediction == winner:
        return Feedback("correct", f"{winner} ends lowest: {why}. {report}")
    if not against[prediction].real:
        return Feedback("correct", f"a tie: {prediction} and {winner} end within seed noise of "
                                   f"each other here. {report}")
    return Feedback("wrong", f"you predicted {prediction}, but {winner} ends lowest. "
                             f"{wrong_why[prediction]} {report} Hint: a schedule gets both the "
                             f"fast start of a large η and the low floor of a small one.")
