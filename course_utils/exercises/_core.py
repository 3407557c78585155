"""What every checker returns: a verdict a learner can act on, never a bare ``False``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Feedback", "call_learner", "check_cases"]


@dataclass(frozen=True)
class Feedback:
    """The result of a checker: passed or not, and a message that says why.

    ``status`` is ``"correct"``, ``"wrong"`` or ``"not attempted"``. It prints as
    one friendly paragraph and is truthy only when correct, so a solution cell
    can ``assert check_...(fn)``.
    """

    status: str
    message: str

    def __bool__(self) -> bool:
        return self.status == "correct"

    def __str__(self) -> str:
        mark = {"correct": "✅ Correct", "wrong": "❌ Not yet", "not attempted": "✏️ Not attempted yet"}
        return f"{mark[self.status]}: {self.message}"

    def _repr_markdown_(self) -> str:
        return str(self)

    __repr__ = __str__


def call_learner(fn: Callable[..., Any], args: tuple, case: str,
                 hint: str) -> tuple[Any, Feedback | None]:
    """Run the learner's ``fn(*args)``: ``(result, None)``, or ``(None, feedback)`` when it
    raised (named with the case and the hint) or returned ``None`` (the stub left as is)."""
    try:
        with np.errstate(all="ignore"):
            got = fn(*args)
    except Exception as err:  # a learner's bug is feedback, not a crash
        return None, Feedback("wrong", f"case '{case}' raised {type(err).__name__}: {err}. "
                              f"Hint: {hint}")
    if got is None:
        return None, Feedback("not attempted", "the function returns None: fill in its body.")
    return got, None


def check_cases(
    fn: Callable[..., Any],
    cases: Iterable[tuple[str, tuple, Any, str]],
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    success: str = "all cases pass.",
) -> Feedback:
    """Call ``fn(*args)`` for each ``(name, args, expected, hint)`` case; report the first miss.

    ``fn`` returning ``None`` (the stub left as is) counts as "not attempted". A
    result of the wrong shape, a non-finite number where a finite one was due,
    or an exception are each reported with the case's name and its hint.
    """
    for name, args, expected, hint in cases:
        got, problem = call_learner(fn, args, name, hint)
        if problem is not None:
            return problem
        if isinstance(expected, tuple):
            if not isinstance(got, tuple) or len(got) != len(expected):
                return Feedback("wrong", f"case '{name}': expected a tuple of {len(expected)} "
                                f"values, got {type(got).__name__}. Hint: {hint}")
            pairs = list(zip(got, expected, strict=True))
        else:
            pairs = [(got, expected)]
        for g, e in pairs:
            g_arr, e_arr = np.asarray(g, dtype=float), np.asarray(e, dtype=float)
            if g_arr.shape != e_arr.shape:
                return Feedback("wrong", f"case '{name}': expected shape {e_arr.shape}, got "
                                f"{g_arr.shape}. Hint: {hint}")
            if not np.allclose(g_arr, e_arr, rtol=rtol, atol=atol):
                return Feedback("wrong", f"case '{name}': expected {np.round(e_arr, 6).tolist()}, "
                                f"got {np.round(g_arr, 6).tolist()}. Hint: {hint}")
    return Feedback("correct", success)
