"""Input checks shared by every public function: one place that says what was expected.

A learner who passes ``learning_rate="0.1"`` or ``steps=2.5`` should get a message that
names the argument, the range it must lie in and the value it got, not a NumPy
traceback ten frames down. Every check here either returns the value in a clean form
(a Python ``float``, ``int`` or a NumPy array) or raises ``ValueError``::

    eta = checks.number("learning_rate", eta, low=0, low_open=True)   # η > 0
    beta = checks.number("momentum", beta, low=0, high=1, high_open=True)  # β in [0, 1)
    steps = checks.whole("steps", steps, low=1)
    name = checks.choice("surface", name, ("quadratic", "rosenbrock"))

Booleans are refused where a number is expected (``True`` is an ``int`` in Python, and a
flag passed in the wrong place is a bug, not the number 1). Strings are refused too:
``"0.1"`` is not a learning rate.

Numerics only: this module imports NumPy and nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ["number", "whole", "choice", "point", "lanes", "interval_text"]

_REAL = (int, float, np.integer, np.floating)


def interval_text(low: float | None, high: float | None, low_open: bool = False,
                  high_open: bool = False) -> str:
    """The allowed range in words: ``"> 0"``, ``">= 1"``, ``"in [0, 1)"``, ``"<= 5"``."""
    if low is not None and high is not None:
        return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if low is not None:
        return f"{'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f"{'<' if high_open else '<='} {high:g}"
    return "finite"


def number(name: str, value: Any, *, low: float | None = None, high: float | None = None,
           low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a finite ``float`` inside the range, or a ``ValueError`` naming ``name``.

    ``low``/``high`` bound the range (``None``: unbounded); ``low_open``/``high_open``
    exclude the bound itself, so ``number("β", b, low=0, high=1, high_open=True)`` asks for
    0 <= β < 1.
    """
    if isinstance(value, bool) or not isinstance(value, _REAL):
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
            value = value.item()
        else:
            raise ValueError(f"{name} must be a number, got {value!r} ({type(value).__name__}).")
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    too_low = low is not None and (out <= low if low_open else out < low)
    too_high = high is not None and (out >= high if high_open else out > high)
    if too_low or too_high:
        raise ValueError(f"{name} must be {interval_text(low, high, low_open, high_open)}, "
                         f"got {value!r}.")
    return out


def whole(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> int:
    """``value`` as a Python ``int`` from ``low`` to ``high`` (both included).

    Refuses floats, even ``3.0``: a step count of ``3.0`` usually means a division that
    should have been ``//``.
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be a whole number, got {value!r} ({type(value).__name__}).")
    if (low is not None and value < low) or (high is not None and value > high):
        span = (f"from {low} to {high}" if low is not None and high is not None
                else f">= {low}" if low is not None else f"<= {high}")
        raise ValueError(f"{name} must be a whole number {span}, got {value!r}.")
    return int(value)


def choice(name: str, value: Any, options: Iterable[Any]) -> Any:
    """``value`` itself when it is one of ``options``; else a ``ValueError`` listing them."""
    options = tuple(options)
    try:
        known = value in options
    except (TypeError, ValueError):  # unhashable, or an array: not an option
        known = False
    if not known:
        raise ValueError(f"{name} must be one of {options}, got {value!r}.")
    return value


def point(name: str, value: Any) -> np.ndarray:
    """``value`` as a float array of shape (2,): one finite point (x, y) in the plane."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.shape != (2,) or not np.isfinite(arr).all():
        raise ValueError(f"{name} must be two finite numbers (x, y), got {value!r}.")
    return arr


def lanes(optimizers: Iterable[Any], known: Iterable[str], learning_rates: Any = None,
          most: int = 3) -> list[str]:
    """The optimizers of a race (1 to ``most`` names, each one of ``known``), checked with
    their learning rates (``None``, or one per optimizer); returns the names as strings."""
    known = list(known)
    chosen = [str(name) for name in optimizers]
    if not 1 <= len(chosen) <= most:
        raise ValueError(f"optimizers must name 1 to {most} optimizers, got {len(chosen)}.")
    for name in chosen:
        if name not in known:
            raise ValueError(f"Unknown optimizer {name!r} here; choose from {', '.join(known)}.")
    if learning_rates is not None and len(learning_rates) != len(chosen):
        raise ValueError("learning_rates must give one learning rate per optimizer.")
    return chosen
