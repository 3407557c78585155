"""The clinic explorer: every broken training of chapter 12 next to its fix, one at a time.

Each troubleshooting case trains twice: as the practitioner brought it (broken)
and with the one change that fixes it. The notebook runs those trainings once and
keeps their per-epoch losses in a ``Case``; the explorer only looks them up and
redraws, so the dropdown and the epoch slider answer at once.

- ``Case(title, symptom, confirm, fix, broken, fixed)``: the two loss curves (one
  number per epoch; NaN or inf where the loss stopped being a number) and the three
  sentences of the diagnosis.
- ``plot_case(case, ax=None)``: the static picture (a ✕ marks the epoch where a
  curve became NaN).
- ``clinic_explorer(cases)``: pick a case, show the broken run, the fixed run or
  both, move the epoch marker; the readout gives the diagnosis and both losses at
  that epoch.

NumPy and matplotlib only (the trainings happened in the notebook).
Taught in 12_troubleshooting_clinic.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from course_utils.widgets.base import Explorer, FigureView, dropdown, int_slider

__all__ = ["Case", "plot_case", "clinic_explorer"]

BROKEN_COLOR, FIXED_COLOR = "#d62728", "#2ca02c"
SHOW = ("both", "broken", "fixed")


def _curve(name: str, values: Any) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a sequence of per-epoch losses, got "
                         f"{type(values).__name__}.") from None
    if array.size == 0:
        raise ValueError(f"{name} is empty: give at least one epoch's loss.")
    return array


@dataclass(frozen=True)
class Case:
    """One troubleshooting case: the diagnosis in three sentences and two loss curves.

    ``broken`` and ``fixed`` hold one loss per epoch (``history.history["loss"]``);
    a NaN or inf marks where a run stopped being a number (a run cut short by
    ``TerminateOnNaN`` simply ends there). ``ylabel`` names what the curves are, and
    ``xlabel`` what one point is (an epoch by default; a step or a call for a case
    measured that way).
    """

    title: str
    symptom: str
    confirm: str
    fix: str
    broken: Sequence[float]
    fixed: Sequence[float]
    ylabel: str = "training loss"
    xlabel: str = "epoch"

    def __post_init__(self) -> None:
        if not isinstance(self.title, str) or not self.title.strip():
            raise ValueError("a Case needs a title (a non-empty string).")
        object.__setattr__(self, "broken", _curve("broken", self.broken))
        object.__setattr__(self, "fixed", _curve("fixed", self.fixed))

    @property
    def epochs(self) -> int:
        """The longer of the two runs, in epochs."""
        return max(len(self.broken), len(self.fixed))


def _first_bad(values: np.ndarray) -> int | None:
    bad = np.flatnonzero(~np.isfinite(values))
    return int(bad[0]) if bad.size else None


def _limits(case: Case) -> tuple[tuple[float, float], bool]:
    """y limits and whether to use a log axis (when the finite losses span > 10x)."""
    values = np.concatenate([case.broken, case.fixed])
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return (0.0, 1.0), False
    positive = finite[finite > 0]
    if positive.size == finite.size and positive.max() > 10 * positive.min():
        low, high = positive.min(), positive.max()
        return (low / 2, high * 4), True
    low, high = float(finite.min()), float(finite.max())
    pad = 0.1 * (high - low) if high > low else max(abs(high) * 0.1, 0.1)
    return (low - pad, high + 2 * pad), False


def _draw(ax: Axes, case: Case, which: str, lines: dict[str, Any]) -> None:
    (low, high), _ = _limits(case)
    for label, values in (("broken", case.broken), ("fixed", case.fixed)):
        epochs = np.arange(1, values.size + 1)
        shown = which in ("both", label)
        line, cross = lines[label], lines[f"{label}_x"]
        finite = np.where(np.isfinite(values), values, np.nan)
        line.set_data(epochs, finite)
        line.set_visible(shown)
        bad = _first_bad(values)
        if bad is None:
            cross.set_data([], [])
        else:  # the curve ends in a ✕ at its last finite level (the top when there is none)
            before = values[:bad][np.isfinite(values[:bad])]
            top = high / 2 if ax.get_yscale() == "log" else high
            cross.set_data([bad + 1], [min(before[-1], top) if before.size else top])
        cross.set_visible(shown and bad is not None)


def _new_lines(ax: Axes) -> dict[str, Any]:
    lines = {}
    for label, color, style in (("broken", BROKEN_COLOR, "--o"), ("fixed", FIXED_COLOR, "-o")):
        # the broken run is dashed and on top, so it stays visible where the two curves coincide
        (lines[label],) = ax.plot([], [], style, ms=3, color=color, label=label,
                                  zorder=3 if label == "broken" else 2)
        (lines[f"{label}_x"],) = ax.plot([], [], "X", ms=13, color=color, mec="white",
                                         label=f"{label}: NaN here", zorder=4)
    return lines


def _style(ax: Axes, case: Case) -> None:
    (low, high), log = _limits(case)
    ax.set_yscale("log" if log else "linear")
    ax.set_ylim(low, high)
    ax.set_xlim(0.5, case.epochs + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(xlabel=case.xlabel, ylabel=case.ylabel, title=case.title)


def plot_case(case: Case, ax: Axes | None = None) -> Axes:
    """The broken and the fixed loss curves of one case, a ✕ where a run became NaN."""
    if not isinstance(case, Case):
        raise ValueError(f"case must be a widgets.Case, got {type(case).__name__}.")
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.figure(figsize=(6, 3.5)).add_subplot()
    _style(ax, case)
    lines = _new_lines(ax)
    _draw(ax, case, "both", lines)
    handles = [h for h in lines.values() if h.get_visible() and len(h.get_xdata())]
    ax.legend(handles=handles, fontsize=8)
    return ax


def _number(value: float) -> str:
    if not math.isfinite(value):
        return f"<b style='color:{BROKEN_COLOR}'>{value}</b>"
    return f"{value:.4g}"


def clinic_explorer(cases: Mapping[str, Case] | Sequence[Case], case: str | None = None,
                    show: str = "both") -> Explorer:
    """Browse the clinic's cases: the broken run, the fixed run, and the diagnosis.

    ``cases`` is a list of ``Case`` objects (or a dict of them); ``case`` picks the
    first one shown (by title), ``show`` is ``"both"``, ``"broken"`` or ``"fixed"``.
    Controls: the case, which curves to show, and an epoch marker; the readout
    gives the symptom, how to confirm the cause, the fix, and both losses at the
    marked epoch. Everything was computed before: nothing trains here.
    """
    items = list(cases.values()) if isinstance(cases, Mapping) else list(cases)
    if not items:
        raise ValueError("cases is empty: give at least one widgets.Case.")
    for item in items:
        if not isinstance(item, Case):
            raise ValueError(f"every case must be a widgets.Case, got {type(item).__name__}.")
    by_title = {item.title: item for item in items}
    if len(by_title) != len(items):
        raise ValueError("two cases share a title: give each case its own title.")
    first = items[0].title if case is None else case
    if first not in by_title:
        raise ValueError(f"case must be one of {list(by_title)}, got {case!r}.")
    if show not in SHOW:
        raise ValueError(f"show must be one of {list(SHOW)}, got {show!r}.")

    case_menu = dropdown("case", list(by_title), first)
    case_menu.layout = W.Layout(width="520px")
    show_menu = dropdown("show", SHOW, show)
    longest = max(item.epochs for item in items)
    epoch_slider = int_slider("epoch", 1, 1, max(longest, 2))
    readout = W.HTML()

    fig = Figure(figsize=(7.5, 3.6), dpi=80, layout="constrained")
    ax = fig.add_subplot()
    lines = _new_lines(ax)
    marker = ax.axvline(1, color="#777777", lw=1, ls=":")
    (dot_broken,) = ax.plot([], [], "o", ms=8, mfc="none", mec=BROKEN_COLOR, mew=2)
    (dot_fixed,) = ax.plot([], [], "o", ms=8, mfc="none", mec=FIXED_COLOR, mew=2)
    ax.legend(handles=[lines["broken"], lines["fixed"]], loc="upper right", fontsize=8)
    view = FigureView(fig, animated=[*lines.values(), marker, dot_broken, dot_fixed])
    shown = {"case": None}

    def update() -> None:
        current = by_title[case_menu.value]
        which = show_menu.value
        if shown["case"] != current.title:
            epoch_slider.max = max(current.epochs, 2)
            _style(ax, current)
            shown["case"] = current.title
            full = True
        else:
            full = False
        epoch = min(int(epoch_slider.value), current.epochs)
        _draw(ax, current, which, lines)
        marker.set_xdata([epoch, epoch])
        at = {}
        for label, values, dot in (("broken", current.broken, dot_broken),
                                   ("fixed", current.fixed, dot_fixed)):
            value = float(values[epoch - 1]) if epoch <= values.size else None
            at[label] = value
            visible = which in ("both", label) and value is not None and math.isfinite(value)
            dot.set_data([epoch], [value] if visible else [np.nan])
            dot.set_visible(visible)
        view.redraw(full=full)
        cells = []
        for label in ("broken", "fixed"):
            value = at[label]
            values = getattr(current, label)
            text = (_number(value) if value is not None
                    else f"(run stopped after epoch {values.size})")
            cells.append(f"{label}: {text}")
        e = html.escape
        readout.value = (
            f"<b>{e(current.title)}</b><br>"
            f"<b>Symptom:</b> {e(current.symptom)}<br>"
            f"<b>How to confirm:</b> {e(current.confirm)}<br>"
            f"<b>Fix:</b> {e(current.fix)}<br>"
            f"At epoch {epoch}: {cells[0]} &nbsp;|&nbsp; {cells[1]}")

    for control in (case_menu, show_menu, epoch_slider):
        control.observe(lambda _: update(), names="value")
    update()
    return Explorer([case_menu, W.HBox([show_menu, epoch_slider])], view, readout, update)
