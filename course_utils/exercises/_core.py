"""The one engine behind every checker: run the learner's function case by case, and say why.

``check_cases`` calls the learner's function on a few cases and stops at the first that
fails, with the case's name, what was expected against what came back, and a hint: the
hint of a recognised slip when the answer is exactly what that slip gives, else the
case's own hint, else the checker's. It also catches what a learner's code does besides
returning a wrong number: raising (``call_learner``), returning ``None`` (the stub left as
it is: "not attempted"), returning the wrong number of values, and changing its input
arrays in place. ``read_predictions`` reads a "predict, then run" answer: a dict from each
question to one word of a short vocabulary.

Every checker returns a ``Feedback``: a verdict a learner can act on, never a bare ``False``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, NamedTuple

import numpy as np

__all__ = ["Feedback", "Case", "Slip", "IN_PLACE", "call_learner", "check_cases", "letters",
           "word_in", "quoted", "read_predictions"]


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
        mark = {"correct": "✅ Correct", "wrong": "❌ Not yet",
                "not attempted": "✏️ Not attempted yet"}
        return f"{mark[self.status]}: {self.message}"

    def _repr_markdown_(self) -> str:
        return str(self)

    __repr__ = __str__


class Case(NamedTuple):
    """One call of the learner's function.

    ``expected`` is what it must return (``None``: the checker's ``reference(*args)``
    says); ``hint`` is this case's own hint (``None``: the checker's); ``detail`` follows
    the case's name where the message shows numbers (expected against got, an exception),
    e.g. ``"(arguments (0, 0.1))"``.
    A plain tuple ``(name, args)`` or ``(name, args, expected, hint)`` works as well.
    """

    name: str
    args: tuple
    expected: Any = None
    hint: str | None = None
    detail: str = ""


Slip = tuple[Callable[..., Any], str]
"""A usual mistake: ``(wrong, hint)``, ``wrong(*args)`` being the answer it gives."""

IN_PLACE = ("your function changed one of its input arrays in place (e.g. `params -= ...`). "
            "Hint: compute new arrays and return them (`params = params - ...` or `params - ...`).")

_COUNTS = {1: "one number", 2: "two numbers", 3: "three numbers"}


def _short(value: Any, most: int = 80) -> str:
    """``repr(value)``, cut to ``most`` characters: a message quotes an answer, not a dump."""
    text = repr(value)
    return text if len(text) <= most else text[:most - 3] + "..."


def _hinted(text: str, hint: str) -> str:
    return f"{text} Hint: {hint}" if hint else text


def _call(fn: Callable[..., Any], args: tuple, label: str, hint: str,
          error_hints: Mapping[type, str] | None) -> tuple[Any, Feedback | None]:
    try:
        with np.errstate(all="ignore"):
            got = fn(*args)
    except Exception as err:  # a learner's bug is feedback, not a crash
        hint = next((h for kind, h in (error_hints or {}).items() if isinstance(err, kind)), hint)
        return None, Feedback("wrong", _hinted(f"{label} raised {type(err).__name__}: {err}.",
                                               hint))
    if got is None:
        return None, Feedback("not attempted", "the function returns None: fill in its body.")
    return got, None


def call_learner(fn: Callable[..., Any], args: tuple, case: str, hint: str,
                 error_hints: Mapping[type, str] | None = None) -> tuple[Any, Feedback | None]:
    """Run the learner's ``fn(*args)``: ``(result, None)``, or ``(None, feedback)`` when it
    raised (named with the case and the hint: the one ``error_hints`` gives for that kind of
    exception, else ``hint``) or returned ``None`` (the stub left as is)."""
    return _call(fn, args, f"case '{case}'", hint, error_hints)


def _listed(value: Any, outputs: Sequence[str] | None) -> list[np.ndarray]:
    """A reference's (or a slip's) answer as one float array per output."""
    if outputs is None:
        return [np.asarray(value, dtype=float)]
    if len(outputs) == 1 and not isinstance(value, tuple | list):
        return [np.asarray(value, dtype=float)]
    return [np.asarray(v, dtype=float) for v in value]


def _same(got: Sequence[np.ndarray], want: Sequence[np.ndarray], rtol: float, atol: float) -> bool:
    return len(got) == len(want) and all(
        g.shape == w.shape and bool(np.allclose(g, w, rtol=rtol, atol=atol, equal_nan=True))
        for g, w in zip(got, want, strict=False))


def _outputs_of(got: Any, outputs: Sequence[str], numbers: bool,
                label: str) -> tuple[list[np.ndarray] | None, Feedback | None]:
    """The learner's answer as one float array per named output, or what is wrong with it."""
    names = ", ".join(outputs)
    if numbers:  # a few plain numbers: a tuple, a list or a 1-D array of them (or one number)
        count = _COUNTS.get(len(outputs), f"{len(outputs)} numbers")
        wrong = Feedback("wrong", f"{label}: expected {count} ({names}), got {_short(got)}. "
                         f"Hint: `return {names}`.")
        try:
            values = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return None, wrong
        if len(outputs) == 1 and values.ndim == 0:
            values = values.reshape(1)
        if values.shape != (len(outputs),):
            return None, wrong
        return list(values), None
    if not isinstance(got, tuple | list) or len(got) != len(outputs):
        length = f" of length {len(got)}" if isinstance(got, tuple | list) else ""
        return None, Feedback("wrong", f"{label}: expected a tuple of {len(outputs)} values "
                              f"({names}), got {type(got).__name__}{length}. Hint: end with "
                              f"`return {names}`.")
    try:
        return [np.asarray(g, dtype=float) for g in got], None
    except (TypeError, ValueError):
        return None, Feedback("wrong", f"{label}: the values returned are not numbers or arrays "
                              "of numbers.")


def _named(values: Sequence[np.ndarray], names: Sequence[str]) -> str:
    parts = []
    for name, arr in zip(names, values, strict=True):
        text = (np.array2string(arr, precision=6, separator=", ") if arr.ndim
                else f"{float(arr):.6g}")
        parts.append(f"{name} = {text}")
    return ", ".join(parts)


def _versus(want: list[np.ndarray], mine: list[np.ndarray], outputs: Sequence[str] | None,
            numbers: bool) -> str:
    """The "expected …, got …" of a message, in the form that suits the outputs."""
    if outputs is None:
        if want[0].ndim == 0:
            return f"expected {float(want[0]):.6g}, got {float(mine[0]):.6g}"
        return (f"expected {np.round(want[0], 6).tolist()}, "
                f"got {np.round(mine[0], 6).tolist()}")
    if not numbers:
        return f"expected {_named(want, outputs)}; got {_named(mine, outputs)}"
    if len(outputs) == 1:
        return f"expected {outputs[0]} = {float(want[0]):.6g}, got {float(mine[0]):.6g}"
    def listing(values: list[np.ndarray]) -> str:
        return "(" + ", ".join(f"{float(v):.6g}" for v in values) + ")"

    return f"expected ({', '.join(outputs)}) = {listing(want)}, got {listing(mine)}"


def _recognised(mine: list[np.ndarray], slips: Sequence[Slip] | Callable[..., Sequence[Slip]],
                args: tuple, outputs: Sequence[str] | None, rtol: float, atol: float) -> str | None:
    """The hint of the first slip whose answer is the learner's, or None."""
    if callable(slips):  # slips that depend on the case: (answer, hint) with answer()
        candidates = list(slips(*args))
    else:
        candidates = [(partial(wrong, *args), hint) for wrong, hint in slips]
    for wrong, hint in candidates:
        try:
            value = wrong()
            if value is not None and _same(mine, _listed(value, outputs), rtol, atol):
                return hint
        except (ArithmeticError, ValueError, TypeError, IndexError):
            continue  # a slip that cannot happen in this case
    return None


def check_cases(
    fn: Callable[..., Any],
    cases: Iterable[Case | tuple],
    *,
    reference: Callable[..., Any] | None = None,
    outputs: Sequence[str] | None = None,
    numbers: bool = False,
    accept: Sequence[Callable[..., Any]] = (),
    slips: Sequence[Slip] | Callable[..., Sequence[Slip]] = (),
    hint: str = "",
    error_hints: Mapping[type, str] | None = None,
    in_place: str = IN_PLACE,
    success: str = "all cases pass.",
    rtol: float = 1e-6,
    atol: float = 1e-12,
) -> Feedback:
    """Call ``fn(*case.args)`` for each case; the first one that fails is the feedback.

    What a case must return is ``case.expected``, or ``reference(*case.args)``; any of
    the ``accept`` functions (other correct forms, e.g. where ε sits) passes too. The
    answer is one value (an array or a number) when ``outputs`` is ``None``; else one
    value per name in ``outputs`` (``("θ", "v")``), which the messages use. With
    ``numbers=True`` those values are plain numbers, shown as ``(best_epoch,
    stopped_epoch) = (3, 5)``, and a 1-D array of them is accepted as well as a tuple.

    A wrong answer gets the hint of the first slip in ``slips`` that gives exactly that
    answer; else the case's hint; else ``hint``. ``slips`` holds ``(wrong, hint)`` pairs,
    with ``wrong(*args)`` the answer the slip gives, or (for slips that depend on the
    case) it is a function of the case's arguments returning pairs ``(answer, hint)``
    with ``answer()`` taking no arguments. An exception gets the hint that
    ``error_hints`` gives for its kind, else the case's or the checker's. A function
    that changes an input array in place fails with ``in_place``.

    >>> check_cases(lambda x: x + 2, [("three", (3,), 6, "double it.")])
    ❌ Not yet: case 'three': expected 6, got 5. Hint: double it.
    """
    if not callable(fn):
        return Feedback("wrong", f"expected a function, got {type(fn).__name__}.")
    for case in cases:
        name, args, expected, case_hint, detail = Case(*case)
        label = f"case '{name}'"
        shown = f"{label} {detail}" if detail else label  # the arguments, where they help
        case_hint = hint if case_hint is None else case_hint
        given = copy.deepcopy(args)  # the learner's copy: what it does to it cannot touch ours
        got, problem = _call(fn, given, shown, case_hint, error_hints)
        if problem is not None:
            return problem
        if any(isinstance(a, np.ndarray) and not np.array_equal(a, b, equal_nan=True)
               for a, b in zip(args, given, strict=True)):
            return Feedback("wrong", f"{label}: {in_place}")
        with np.errstate(all="ignore"):
            want = _listed(reference(*args) if expected is None else expected, outputs)
            if outputs is None:
                try:
                    mine = [np.asarray(got, dtype=float)]
                except (TypeError, ValueError):
                    mine = None
                if want[0].ndim == 0 and (mine is None or mine[0].ndim):
                    return Feedback("wrong", f"{label}: expected one number, got {_short(got)}.")
                if mine is None:
                    return Feedback("wrong", f"{label}: expected an array of numbers, got "
                                    f"{type(got).__name__}.")
            else:
                mine, problem = _outputs_of(got, outputs, numbers, label)
                if problem is not None:
                    return problem
            forms = [want] + [_listed(form(*args), outputs) for form in accept]
            if any(_same(mine, form, rtol, atol) for form in forms):
                continue
            if [m.shape for m in mine] != [w.shape for w in want]:
                if outputs is None:
                    return Feedback("wrong", _hinted(f"{label}: expected shape {want[0].shape}, "
                                                     f"got {mine[0].shape}.", case_hint))
                return Feedback("wrong", f"{label}: expected shapes {[w.shape for w in want]}, "
                                f"got {[m.shape for m in mine]}. Hint: work element by element "
                                "so the result has the shape of the parameters.")
            found = _recognised(mine, slips, args, outputs, rtol, atol)
        return Feedback("wrong", _hinted(f"{shown}: {_versus(want, mine, outputs, numbers)}.",
                                         found or case_hint))
    return Feedback("correct", success)


# -- predict, then run ---------------------------------------------------------------------
def letters(answer: Any) -> str:
    """``answer`` as text, lower case, letters only: ``"Zig-zag!"`` and ``"zig zag"`` are one."""
    return "".join(ch for ch in str(answer).lower() if ch.isalpha())


def word_in(answer: Any, synonyms: Mapping[str, str]) -> str | None:
    """The canonical word for a learner's ``answer`` (a string), or None; ``synonyms`` maps
    each accepted spelling, as ``letters`` writes it, to its canonical word."""
    return synonyms.get(letters(answer)) if isinstance(answer, str) else None


def quoted(words: Sequence[str]) -> str:
    """The choices as a learner reads them: ``"smooth", "zig-zag" or "diverges"``."""
    return ", ".join(f'"{w}"' for w in words[:-1]) + f' or "{words[-1]}"'


def read_predictions(predictions: Any, keys: Sequence[str], words: Sequence[str],
                     synonyms: Mapping[str, str], *,
                     vague: Mapping[str, str] | None = None
                     ) -> tuple[dict[str, str] | None, Feedback | None]:
    """Read a "predict, then run" answer: a dict from each of ``keys`` to one of ``words``.

    ``synonyms`` maps each accepted spelling (letters only, lower case) to its word in
    ``words``; ``vague`` maps the start of a too-general answer (``"converg"``) to what
    to say instead. Returns ``(the canonical word for each key, None)``, or ``(None,
    feedback)`` when the answer is not such a dict: wrong keys, a missing key, an
    unknown word ("wrong"), or still ``None`` somewhere ("not attempted").
    """
    keys = list(keys)
    listing = quoted(words)
    if not isinstance(predictions, dict):
        return None, Feedback("wrong", f"give a dict with the keys {keys}, e.g. "
                              f'{{"{keys[0]}": "{words[0]}", ...}}; got '
                              f"{type(predictions).__name__}.")
    unknown = [k for k in predictions if k not in keys]
    if unknown:
        return None, Feedback("wrong", f"unknown key(s) {unknown}: predict exactly for {keys}.")
    missing = [k for k in keys if k not in predictions]
    if missing:
        return None, Feedback("wrong", f"no prediction for {missing}; predict for all of {keys}.")
    blank = [k for k in keys if predictions[k] is None]
    if blank:
        return None, Feedback("not attempted", f"still None for {blank}: write one of {listing} "
                              "for each, before running anything.")
    read = {}
    for k in keys:
        word = word_in(predictions[k], synonyms)
        if word is None:
            why = next((text for start, text in (vague or {}).items()
                        if letters(predictions[k]).startswith(start)), None)
            if why is not None:
                return None, Feedback("wrong", f"({k}): {predictions[k]!r} is not specific "
                                      f"enough: {why}")
            return None, Feedback("wrong", f"({k}): {predictions[k]!r} is not one of {listing}.")
        read[k] = word
    return read, None
