"""The isolation explorer of chapter 14: best trial per scientific value, with seed bars.

Pick the scientific hyperparameter (say the optimizer), the budget (how many of the
search's trials each value gets, in the order the quasi-random sequence drew them) and
the epoch at which trials are scored. For each value the picture shows every trial's
mean over seeds (small grey dots) and the best trial (a large dot) with its seed-to-seed
range as an error bar; the readout names the best trial's nuisance settings and says
whether the winner's seed range clears the runner-up's. Everything comes from trials
computed beforehand, so a change answers at once. Like every explorer, three steps:
``compute`` (pure: the isolation for one setting, an ``IsolationData``), draw and
``describe``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from course_utils import checks, tuning
from course_utils.widgets.base import Explorer, FigureView, Loop, dropdown, int_slider

__all__ = ["isolation_explorer"]


def _validate(results: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> tuple[int, int]:
    if not isinstance(results, Mapping) or not results:
        raise ValueError("results must be {scientific name: {value: trials}}, with at least one "
                         "scientific hyperparameter.")
    trials = epochs = None
    for sci, per_value in results.items():
        if not isinstance(per_value, Mapping) or len(per_value) < 2:
            raise ValueError(f"results[{sci!r}] must map at least two values to their trials.")
        for value, t in per_value.items():
            curves = np.asarray(t.get("curves") if isinstance(t, Mapping) else None, dtype=float)
            if curves.ndim != 3:
                raise ValueError(f"results[{sci!r}][{value!r}]['curves'] must have shape "
                                 f"(trials, seeds, epochs), got {curves.shape}.")
            for key in ("learning_rate", "l2"):
                if len(np.asarray(t.get(key, []))) != curves.shape[0]:
                    raise ValueError(f"results[{sci!r}][{value!r}][{key!r}] needs one value per trial.")
            trials = curves.shape[0] if trials is None else min(trials, curves.shape[0])
            epochs = curves.shape[2] if epochs is None else min(epochs, curves.shape[2])
    return int(trials), int(epochs)


@dataclass(frozen=True)
class IsolationData:
    """What one setting computes (``explorer.data``): the scores and the best trial per value.

    ``scores[i]`` holds value ``labels[i]``'s first ``budget`` trials' scores at ``epoch``
    (shape (budget, seeds)); ``isolation`` is ``tuning.isolation`` of them; ``settings[i]``
    the best trial's (learning rate, L2); ``winner``/``runner_up`` index ``labels`` by mean;
    ``separated`` says whether the winner's worst seed beats the runner-up's best.
    """

    scientific: str
    budget: int
    epoch: int  # 1-based, as on the slider
    labels: list[str]
    scores: list[np.ndarray]
    isolation: tuning.Isolation
    settings: list[tuple[float, float]]
    winner: int
    runner_up: int
    separated: bool


def compute(results: Mapping[str, Mapping[str, Mapping[str, Any]]], scientific: str,
            budget: int, epoch: int) -> IsolationData:
    """Score each value's first ``budget`` trials at ``epoch`` and keep each value's best."""
    per_value = results[scientific]
    labels = list(per_value)
    scores = [np.asarray(per_value[v]["curves"], float)[:budget, :, epoch - 1] for v in labels]
    iso = tuning.isolation(np.repeat(labels, budget), np.concatenate(scores))
    settings = [(float(per_value[v]["learning_rate"][j]), float(per_value[v]["l2"][j]))
                for v, j in zip(labels, iso.within, strict=True)]
    order = np.argsort(-iso.mean)
    top, second = int(order[0]), int(order[1])
    return IsolationData(scientific, budget, epoch, labels, scores, iso, settings, top, second,
                         bool(iso.low[top] > iso.high[second]))


def describe(data: IsolationData) -> str:
    """The readout: each value's best trial and its seed range, and the verdict."""
    iso, labels = data.isolation, data.labels
    rows = []
    for i, v in enumerate(labels):
        eta, l2 = data.settings[i]
        rows.append(f"<b>{v}</b>: best trial has η = {eta:.2g}, L2 = {l2:.1g}; mean "
                    f"{iso.mean[i]:.3f} (seeds {iso.low[i]:.3f} to {iso.high[i]:.3f})")
    top, second = labels[data.winner], labels[data.runner_up]
    if data.separated:
        verdict = f"{top}'s worst seed beats {second}'s best: a gap worth confirming with fresh seeds."
    else:
        verdict = (f"the seed ranges of {top} and {second} overlap: no conclusion yet (more "
                   f"trials, more seeds, or it does not matter).")
    return (f"Best of {data.budget} trial(s) per value, scored at epoch {data.epoch}:<br>"
            + "<br>".join(rows) + f"<br><i>Verdict:</i> {verdict}")


def isolation_explorer(results: Mapping[str, Mapping[str, Mapping[str, Any]]],
                       scientific: str | None = None, budget: int | None = None,
                       epoch: int | None = None) -> Explorer:
    """Isolation plot over precomputed trials.

    Args:
        results: ``{scientific name: {value label: trials}}``, where ``trials`` holds
            ``"curves"`` (validation accuracy, shape ``(trials, seeds, epochs)``) and the
            trials' ``"learning_rate"`` and ``"l2"`` (one per trial).
        scientific: which scientific hyperparameter to show first (default: the first).
        budget: trials per value (default: all).
        epoch: the epoch (1-based) at which trials are scored (default: the last).

    Controls (by key in ``explorer.controls``): ``scientific``, ``budget``, ``epoch``;
    ``explorer.data`` is the last ``IsolationData``.
    """
    max_trials, max_epochs = _validate(results)
    names = list(results)
    scientific = names[0] if scientific is None else scientific
    checks.choice("scientific", scientific, names)
    budget = max_trials if budget is None else budget
    epoch = max_epochs if epoch is None else epoch
    checks.whole("budget", budget, low=1, high=max_trials)
    checks.whole("epoch", epoch, low=1, high=max_epochs)

    sci_box = dropdown("scientific hyperparameter", names, scientific, key="scientific")
    budget_slider = int_slider("trials per value", budget, 1, max_trials, key="budget")
    epoch_slider = int_slider("scored at epoch", epoch, 1, max_epochs, key="epoch")
    controls = [sci_box, W.HBox([budget_slider, epoch_slider])]

    fig = Figure(figsize=(6.4, 3.4), dpi=80)
    fig.subplots_adjust(left=0.11, right=0.98, top=0.96, bottom=0.15)
    ax = fig.add_subplot()
    (dots,) = ax.plot([], [], "o", color="0.6", ms=4, alpha=0.7, label="each trial (mean over seeds)")
    (best,) = ax.plot([], [], "o", color="C0", ms=6, label="best trial: mean")
    (bars,) = ax.plot([], [], "-", color="C3", lw=1.6, label="best trial: seed range")
    ax.set_ylabel("val. accuracy (not from 0)")
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize=8, loc="lower right")
    view = FigureView(fig, animated=[dots, best, bars])
    readout = W.HTML()
    state: dict[str, Any] = {"scientific": None, "data": None}

    def axis_for(name: str) -> None:
        """Fixed axes per scientific hyperparameter, so budget and epoch only blit."""
        per_value = results[name]
        labels = list(per_value)
        lows = [np.asarray(per_value[v]["curves"], float).min(axis=1) for v in labels]
        best_low = min(float(np.nanmax(np.where(np.isfinite(lo), lo, np.nan)[:, :], axis=0).min())
                       for lo in lows)
        ax.set_ylim(max(0.0, min(0.9, float(np.floor((best_low - 0.03) * 20) / 20))), 1.0)
        ax.set_xlim(-0.6, len(labels) - 0.4)
        ax.set_xticks(range(len(labels)), labels)
        ax.set_xlabel(f"{name} (scientific); best trial over learning rate and L2 (nuisance)")
        state["scientific"] = name

    def draw(data: IsolationData) -> None:
        iso = data.isolation
        xs_dots, ys_dots, bx, by = [], [], [], []
        for i, s in enumerate(data.scores):
            m = s.mean(axis=1)
            xs_dots += list(i + np.linspace(-0.15, 0.15, len(m)))
            ys_dots += list(m)
            lo_i, hi_i = iso.low[i], iso.high[i]
            bx += [i - 0.1, i + 0.1, np.nan, i, i, np.nan, i - 0.1, i + 0.1, np.nan]
            by += [lo_i, lo_i, np.nan, lo_i, hi_i, np.nan, hi_i, hi_i, np.nan]
        dots.set_data(xs_dots, ys_dots)
        bars.set_data(bx, by)
        best.set_data(np.arange(len(data.labels)), iso.mean)
        if state["scientific"] != data.scientific:
            axis_for(data.scientific)
        view.redraw(key=data.scientific)  # each hyperparameter's axes are drawn once, then kept

    loop = Loop(lambda: compute(results, sci_box.value, budget_slider.value, epoch_slider.value),
                draw, describe, readout)
    loop.watch(sci_box, budget_slider, epoch_slider)
    loop()
    return Explorer(controls, view, readout, loop)
