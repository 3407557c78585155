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

Like every explorer, three steps: ``compute`` (pure: the losses of the case at the marked
epoch, a ``ClinicData``), draw (set the curves and the marker) and ``describe`` (the
readout). Each case's axes are drawn once and kept, so going back to a case costs a paste.

NumPy and matplotlib only (the trainings happened in the notebook).
Taught in 12_troubleshooting_clinic.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from course_utils import checks, plots
from course_utils.clinic import Case
from course_utils.widgets.base import (
    Explorer,
    FigureView,
    Loop,
    dropdown,
    int_slider,
    set_range,
)

__all__ = ["clinic_explorer"]

BROKEN_COLOR, FIXED_COLOR = plots.CASE_COLORS["broken"], plots.CASE_COLORS["fixed"]
SHOW = ("both", "broken", "fixed")


@dataclass(frozen=True)
class ClinicData:
    """What the clinic shows for one setting (``explorer.data``).

    ``broken``/``fixed`` are the two runs' losses at ``epoch`` (NaN or inf where the loss
    stopped being a number; ``None`` where that run had stopped before this epoch).
    """

    case: Case
    show: str
    epoch: int
    broken: float | None
    fixed: float | None


def compute(case: Case, show: str, epoch: int) -> ClinicData:
    """Both runs' losses at ``epoch`` (clipped to the case's length): a look-up, no training."""
    epoch = min(int(epoch), case.epochs)
    at = {label: float(values[epoch - 1]) if epoch <= values.size else None
          for label, values in (("broken", case.broken), ("fixed", case.fixed))}
    return ClinicData(case, show, epoch, at["broken"], at["fixed"])


def _number(value: float) -> str:
    if not math.isfinite(value):
        return f"<b style='color:{BROKEN_COLOR}'>{value}</b>"
    return f"{value:.4g}"


def describe(data: ClinicData) -> str:
    """The readout: the diagnosis in three sentences and both losses at the marked epoch."""
    current = data.case
    cells = []
    for label in ("broken", "fixed"):
        value = getattr(data, label)
        text = (_number(value) if value is not None
                else f"(run stopped after epoch {getattr(current, label).size})")
        cells.append(f"{label}: {text}")
    e = html.escape
    return (f"<b>{e(current.title)}</b><br>"
            f"<b>Symptom:</b> {e(current.symptom)}<br>"
            f"<b>How to confirm:</b> {e(current.confirm)}<br>"
            f"<b>Fix:</b> {e(current.fix)}<br>"
            f"At epoch {data.epoch}: {cells[0]} &nbsp;|&nbsp; {cells[1]}")


def clinic_explorer(cases: Mapping[str, Case] | Sequence[Case], case: str | None = None,
                    show: str = "both") -> Explorer:
    """Browse the clinic's cases: the broken run, the fixed run, and the diagnosis.

    ``cases`` is a list of ``Case`` objects (or a dict of them); ``case`` picks the
    first one shown (by title), ``show`` is ``"both"``, ``"broken"`` or ``"fixed"``.
    Controls (by key in ``explorer.controls``): ``case``, ``show`` (which curves) and
    ``epoch`` (a marker); the readout gives the symptom, how to confirm the cause, the
    fix, and both losses at the marked epoch, which ``explorer.data`` (a ``ClinicData``)
    holds as numbers. Everything was computed before: nothing trains here.
    """
    items = list(cases.values()) if isinstance(cases, Mapping) else list(cases)
    if not items:
        raise ValueError("cases is empty: give at least one clinic.Case.")
    for item in items:
        if not isinstance(item, Case):
            raise ValueError(f"every case must be a clinic.Case, got {type(item).__name__}.")
    by_title = {item.title: item for item in items}
    if len(by_title) != len(items):
        raise ValueError("two cases share a title: give each case its own title.")
    first = items[0].title if case is None else checks.choice("case", case, list(by_title))
    checks.choice("show", show, SHOW)

    case_menu = dropdown("case", list(by_title), first, key="case")
    case_menu.layout = W.Layout(width="520px")
    show_menu = dropdown("show", SHOW, show, key="show")
    longest = max(item.epochs for item in items)
    epoch_slider = int_slider("epoch", 1, 1, max(longest, 2), key="epoch")
    readout = W.HTML()

    fig = Figure(figsize=(7.5, 3.6), dpi=80, layout="constrained")
    ax = fig.add_subplot()
    lines = plots.case_lines(ax)
    marker = ax.axvline(1, color="#777777", lw=1, ls=":")
    (dot_broken,) = ax.plot([], [], "o", ms=8, mfc="none", mec=BROKEN_COLOR, mew=2)
    (dot_fixed,) = ax.plot([], [], "o", ms=8, mfc="none", mec=FIXED_COLOR, mew=2)
    ax.legend(handles=[lines["broken"], lines["fixed"]], loc="upper right", fontsize=8)
    view = FigureView(fig, animated=[*lines.values(), marker, dot_broken, dot_fixed])
    state: dict[str, str | None] = {"case": None}

    def draw(data: ClinicData) -> None:
        plots.draw_case(ax, data.case, data.show, lines)
        marker.set_xdata([data.epoch, data.epoch])
        for label, dot in (("broken", dot_broken), ("fixed", dot_fixed)):
            value = getattr(data, label)
            visible = data.show in ("both", label) and value is not None and math.isfinite(value)
            dot.set_data([data.epoch], [value] if visible else [np.nan])
            dot.set_visible(visible)
        view.redraw(key=data.case.title)  # each case's axes are drawn once, then pasted

    def read() -> ClinicData:
        current = by_title[case_menu.value]
        if state["case"] != current.title:  # a new case: its axes, and the slider's length
            with loop.paused():
                set_range(epoch_slider, 1, max(current.epochs, 2))
            plots.style_case(ax, current)
            state["case"] = current.title
        return compute(current, show_menu.value, epoch_slider.value)

    loop = Loop(read, draw, describe, readout)
    loop.watch(case_menu, show_menu, epoch_slider)
    loop()
    return Explorer([case_menu, W.HBox([show_menu, epoch_slider])], view, readout, loop)
