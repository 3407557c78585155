"""The troubleshooting clinic's cases: one record per case, and how to frame its curves.

A case of 12_troubleshooting_clinic is a diagnosis in three sentences (the symptom,
how to confirm the cause, the fix) and two loss curves, the broken run and the fixed
one, each measured before (nothing trains when a learner browses the cases).
``plots.plot_case`` draws one case; ``widgets.clinic_explorer`` browses them all.

Numerics only (NumPy). Taught in 12_troubleshooting_clinic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Case", "first_bad", "limits"]


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


def first_bad(values: np.ndarray) -> int | None:
    """The index of the first NaN or inf in ``values`` (``None`` when all are finite)."""
    bad = np.flatnonzero(~np.isfinite(values))
    return int(bad[0]) if bad.size else None


def limits(case: Case) -> tuple[tuple[float, float], bool]:
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
