"""The isolation explorer of chapter 14: best trial per scientific value, with seed bars.

Pick the scientific hyperparameter (say the optimizer), the budget (how many of the
search's trials each value gets, in the order the quasi-random sequence drew them) and
the epoch at which trials are scored. For each value the picture shows every trial's
mean over seeds (small grey dots) and the best trial (a large dot) with its seed-to-seed
range as an error bar; the readout names the best trial's nuisance settings and says
whether the winner's seed range clears the runner-up's. Everything comes from trials
computed beforehand, so a change answers at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from course_utils import tuning
from course_utils.widgets.base import Explorer, FigureView, dropdown, int_slider

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
    """
    max_trials, max_epochs = _validate(results)
    names = list(results)
    scientific = names[0] if scientific is None else scientific
    if scientific not in results:
        raise ValueError(f"scientific must be one of {names}, got {scientific!r}.")
    budget = max_trials if budget is None else budget
    epoch = max_epochs if epoch is None else epoch
    if not (isinstance(budget, int) and 1 <= budget <= max_trials):
        raise ValueError(f"budget must be a whole number from 1 to {max_trials}, got {budget!r}.")
    if not (isinstance(epoch, int) and 1 <= epoch <= max_epochs):
        raise ValueError(f"epoch must be a whole number from 1 to {max_epochs}, got {epoch!r}.")

    sci_box = dropdown("scientific hyperparameter", names, scientific)
    budget_slider = int_slider("trials per value", budget, 1, max_trials)
    epoch_slider = int_slider("scored at epoch", epoch, 1, max_epochs)
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
    shown = {"scientific": None}

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
        shown["scientific"] = name

    def update(*_: Any) -> None:
        per_value = results[sci_box.value]
        labels = list(per_value)
        k, e = budget_slider.value, epoch_slider.value - 1
        scores = [np.asarray(per_value[v]["curves"], float)[:k, :, e] for v in labels]
        iso = tuning.isolation(np.repeat(labels, k), np.concatenate(scores))
        xs_dots, ys_dots, bx, by = [], [], [], []
        for i, s in enumerate(scores):
            m = s.mean(axis=1)
            xs_dots += list(i + np.linspace(-0.15, 0.15, len(m)))
            ys_dots += list(m)
            lo_i, hi_i = iso.low[i], iso.high[i]
            bx += [i - 0.1, i + 0.1, np.nan, i, i, np.nan, i - 0.1, i + 0.1, np.nan]
            by += [lo_i, lo_i, np.nan, lo_i, hi_i, np.nan, hi_i, hi_i, np.nan]
        dots.set_data(xs_dots, ys_dots)
        bars.set_data(bx, by)
        best.set_data(np.arange(len(labels)), iso.mean)
        full = shown["scientific"] != sci_box.value
        if full:
            axis_for(sci_box.value)
        view.redraw(full=full)

        rows = []
        for i, v in enumerate(labels):
            j = iso.within[i]
            t = per_value[v]
            rows.append(f"<b>{v}</b>: best trial has η = {t['learning_rate'][j]:.2g}, "
                        f"L2 = {t['l2'][j]:.1g}; mean {iso.mean[i]:.3f} "
                        f"(seeds {iso.low[i]:.3f} to {iso.high[i]:.3f})")
        order = np.argsort(-iso.mean)
        top, second = order[0], order[1]
        if iso.low[top] > iso.high[second]:
            verdict = (f"{labels[top]}'s worst seed beats {labels[second]}'s best: a gap worth "
                       f"confirming with fresh seeds.")
        else:
            verdict = (f"the seed ranges of {labels[top]} and {labels[second]} overlap: no "
                       f"conclusion yet (more trials, more seeds, or it does not matter).")
        readout.value = (f"Best of {k} trial(s) per value, scored at epoch {e + 1}:<br>"
                         + "<br>".join(rows) + f"<br><i>Verdict:</i> {verdict}")

    for control in (sci_box, budget_slider, epoch_slider):
        control.observe(update, names="value")
    update()
    return Explorer(controls, view, readout, update)
