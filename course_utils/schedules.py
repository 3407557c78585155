"""Learning-rate schedules in NumPy that match ``keras.optimizers.schedules``.

A schedule maps the optimizer's step count (0, 1, 2, ...) to a learning rate.
Each class here has the same name, arguments and defaults as its Keras twin and
computes the same formula (copied from Keras 3.15.1), so a curve drawn here is
the learning rate Keras will use. Call a schedule on one step or on an array of
steps at once, which is how the course plots 1,000 steps in one go:

>>> from course_utils import schedules
>>> lr = schedules.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5)
>>> lr(0), lr(100), lr(200)
(0.1, 0.05, 0.025)
>>> lr([0, 100, 200]).round(4).tolist()
[0.1, 0.05, 0.025]

Two differences from Keras, both on purpose: the arithmetic is float64 (Keras
uses the dtype of ``initial_learning_rate``, float32 for a Python float), and
arguments are checked when the schedule is built, so a bad value raises a
``ValueError`` at once instead of a NaN learning rate later.

Taught in 05_schedules_and_callbacks.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from course_utils import checks

__all__ = [
    "LearningRateSchedule",
    "ExponentialDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "InverseTimeDecay",
    "CosineDecay",
    "CosineDecayRestarts",
    "OneCycle",
    "KINDS",
    "make_schedule",
    "names",
    "get",
]


def _rate(name: str, value: Any) -> float:
    """A learning rate: a finite number >= 0."""
    if isinstance(value, LearningRateSchedule):
        raise ValueError(f"`{name}` must be a number, got the schedule {value!r}.")
    return checks.number(name, value, low=0.0)


def _steps(step: Any) -> np.ndarray:
    """``step`` as a float64 array of finite, non-negative step counts."""
    try:
        arr = np.asarray(step)
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"step must be a number or an array of numbers, got {reprlib.repr(step)}."
        ) from err
    if arr.dtype.kind not in "iuf":
        raise ValueError(
            f"step must be a whole number of optimizer steps (0, 1, 2, ...) or an array "
            f"of them, got {reprlib.repr(step)} (dtype {arr.dtype})."
        )
    arr = arr.astype(np.float64, copy=False)
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError(
            f"step counts from 0 and must be finite and >= 0, got {reprlib.repr(step)}."
        )
    return arr


class LearningRateSchedule:
    """Base class: a callable from the step count to the learning rate.

    ``schedule(step)`` takes an int (returns a float) or an array of steps
    (returns a float64 array of the same shape). Subclasses implement
    ``_compute(steps)`` on a float64 array of steps, already checked to be
    finite and >= 0, and store their constructor arguments in ``_config``.

    >>> class Halving(LearningRateSchedule):
    ...     def __init__(self, initial_learning_rate):
    ...         self._config = {"initial_learning_rate": initial_learning_rate}
    ...     def _compute(self, steps):
    ...         return self._config["initial_learning_rate"] * 0.5 ** steps
    >>> Halving(1.0)(3)
    0.125
    """

    _config: dict[str, Any]

    def __call__(self, step: Any) -> float | np.ndarray:
        steps = _steps(step)
        with np.errstate(over="ignore", under="ignore"):
            out = np.asarray(self._compute(steps), dtype=np.float64)
        if out.ndim == 0:
            return float(out)
        return out

    def _compute(self, steps: np.ndarray) -> np.ndarray:
        raise NotImplementedError(
            f"{type(self).__name__} must implement `_compute(steps)` (or `__call__(step)`)."
        )

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as Keras's ``get_config`` returns them."""
        return dict(self._config)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LearningRateSchedule:
        """Build a schedule from ``get_config()``'s output (Keras's or ours)."""
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._config.items() if k != "name")
        return f"{type(self).__name__}({args})"


class ExponentialDecay(LearningRateSchedule):
    """Multiply the learning rate by ``decay_rate`` every ``decay_steps`` steps.

    ``lr(step) = initial_learning_rate * decay_rate ** (step / decay_steps)``,
    and with ``staircase=True`` the exponent is ``floor(step / decay_steps)``, so
    the rate drops in steps instead of smoothly.

    >>> ExponentialDecay(0.1, 10, 0.5, staircase=True)([0, 9, 10, 25]).tolist()
    [0.1, 0.1, 0.05, 0.025]

    Taught in 05_schedules_and_callbacks.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        decay_rate: float,
        staircase: bool = False,
        name: str = "ExponentialDecay",
    ) -> None:
        self._init = _rate("initial_learning_rate", initial_learning_rate)
        self._decay_steps = checks.number("decay_steps", decay_steps, low=0.0, low_open=True)
        self._decay_rate = checks.number("decay_rate", decay_rate, low=0.0, low_open=True)
        self._staircase = bool(staircase)
        self._config = {
            "initial_learning_rate": initial_learning_rate,
            "decay_steps": decay_steps,
            "decay_rate": decay_rate,
            "staircase": staircase,
            "name": name,
        }

    def _compute(self, steps: np.ndarray) -> np.ndarray:
        p = steps / self._decay_steps
        if self._staircase:
            p = np.floor(p)
        return self._init * np.power(self._decay_rate, p)


class PiecewiseConstantDecay(LearningRateSchedule):
    """A constant learning rate on each interval between ``boundaries``.

    ``lr(step)`` is ``values[0]`` while ``step <= boundaries[0]``, ``values[i]``
    while ``boundaries[i-1] < step <= boundaries[i]``, and ``values[-1]`` once
    ``step > boundaries[-1]``. Note the ``<=``: the step equal to a boundary
    still gets the earlier value, as in Keras. ``boundaries`` must be strictly
    increasing and ``values`` one longer than ``boundaries``.

    >>> PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])([0, 10, 11, 20, 21]).tolist()
    [1.0, 1.0, 0.5, 0.5, 0.1]

    Taught in 05_schedules_and_callbacks (the "step decay" schedule).
    """

    def __init__(
        self,
        boundaries: Any,
        values: Any,
        name: str = "PiecewiseConstant",
    ) -> None:
        if isinstance(boundaries, str | bytes) or not hasattr(boundaries, "__len__"):
            raise ValueError(f"`boundaries` must be a list of step numbers, got {boundaries!r}.")
        if isinstance(values, str | bytes) or not hasattr(values, "__len__"):
            raise ValueError(f"`values` must be a list of learning rates, got {values!r}.")
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) == 0:
            raise ValueError(
                "`boundaries` must hold at least one step number (Keras fails on an empty "
                "list); for a constant learning rate pass a float instead of a schedule."
            )
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                f"`values` must have one more element than `boundaries` (a rate before the "
                f"first boundary, then one after each). Received boundaries={boundaries} of "
                f"length {len(boundaries)} and values={values} of length {len(values)}."
            )
        bounds = [checks.number(f"boundaries[{i}]", b) for i, b in enumerate(boundaries)]
        if any(b1 <= b0 for b0, b1 in zip(bounds, bounds[1:], strict=False)):
            raise ValueError(f"`boundaries` must be strictly increasing, got {boundaries}.")
        self._boundaries = np.array(bounds)
        self._values = np.array([_rate(f"values[{i}]", v) for i, v in enumerate(values)])
        self._config = {"boundaries": boundaries, "values": values, "name": name}

    def _compute(self, steps: np.ndarray) -> np.ndarray:
        # side="left" counts the boundaries strictly below the step: b < step <=> not step <= b.
        return self._values[np.searchsorted(self._boundaries, steps, side="left")]


class PolynomialDecay(LearningRateSchedule):
    """Decay from ``initial_learning_rate`` to ``end_learning_rate`` along a polynomial.

    ``lr(step) = (initial - end) * (1 - s / decay_steps) ** power + end`` with
    ``s = min(step, decay_steps)``: linear for ``power=1``, then constant at
    ``end_learning_rate``. With ``cycle=True`` there is no clipping; instead
    ``decay_steps`` is multiplied by ``ceil(step / decay_steps)`` (by 1 at step
    0). So the rate reaches ``end_learning_rate`` exactly at each multiple of
    ``decay_steps`` and then jumps back up, but not to ``initial_learning_rate``:
    in the k-th cycle it restarts from the value the first curve had at
    ``1 - 1/k`` of the way (half-way for the second cycle when ``power=1``).

    >>> PolynomialDecay(1.0, 10, end_learning_rate=0.0)([0, 5, 10, 20]).tolist()
    [1.0, 0.5, 0.0, 0.0]
    >>> PolynomialDecay(1.0, 10, end_learning_rate=0.0, cycle=True)([10, 11, 20]).round(3).tolist()
    [0.0, 0.45, 0.0]

    Taught in 05_schedules_and_callbacks.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ) -> None:
        self._init = _rate("initial_learning_rate", initial_learning_rate)
        self._decay_steps = checks.number("decay_steps", decay_steps, low=0.0, low_open=True)
        self._end = _rate("end_learning_rate", end_learning_rate)
        self._power = checks.number("power", power, low=0.0, low_open=True)
        self._cycle = bool(cycle)
        self._config = {
            "initial_learning_rate": initial_learning_rate,
            "decay_steps": decay_steps,
            "end_learning_rate": end_learning_rate,
            "power": power,
            "cycle": cycle,
            "name": name,
        }

    def _compute(self, steps: np.ndarray) -> np.ndarray:
        if self._cycle:
            multiplier = np.where(steps == 0, 1.0, np.ceil(steps / self._decay_steps))
            decay_steps = self._decay_steps * multiplier
        else:
            steps = np.minimum(steps, self._decay_steps)
            decay_steps = self._decay_steps
        p = steps / decay_steps
        return (self._init - self._end) * np.power(1.0 - p, self._power) + self._end


class InverseTimeDecay(LearningRateSchedule):
    """Divide the learning rate by ``1 + decay_rate * step / decay_steps`` (a 1/t decay).

    ``lr(step) = initial_learning_rate / (1 + decay_rate * step / decay_steps)``,
    with ``floor(step / decay_steps)`` instead of ``step / decay_steps`` when
    ``staircase=True``. This is the classic ``η/(1 + kt)`` schedule.

    >>> InverseTimeDecay(1.0, decay_steps=1, decay_rate=0.5)([0, 2, 6]).tolist()
    [1.0, 0.5, 0.25]

    Taught in 05_schedules_and_callbacks.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        decay_rate: float,
        staircase: bool = False,
        name: str = "InverseTimeDecay",
    ) -> None:
        self._init = _rate("initial_learning_rate", initial_learning_rate)
        self._decay_steps = checks.number("decay_steps", decay_steps, low=0.0, low_open=True)
        self._decay_rate = checks.number("decay_rate", decay_rate, low=0.0)
        self._staircase = bool(staircase)
        self._config = {
            "initial_learning_rate": initial_learning_rate,
            "decay_steps": decay_steps,
            "decay_rate": decay_rate,
            "staircase": staircase,
            "name": name,
        }

    def _compute(self, steps: np.ndarray) -> np.ndarray:
        p = steps / self._decay_steps
        if self._staircase:
            p = np.floor(p)
        return self._init / (1.0 + self._decay_rate * p)


def _cosine(fraction: np.ndarray, alpha: float) -> np.ndarray:
    """``(1 - alpha) * ½(1 + cos(π fraction)) + alpha``: 1 at fraction 0, alpha at 1."""
    return (1.0 - alpha) * (0.5 * (1.0 + np.cos(np.pi * fraction))) + alpha


class CosineDecay(LearningRateSchedule):
    """Optional linear warm-up, then half a cosine down to ``alpha`` times the peak.

    Without ``warmup_target`` (the default) the rate starts at
    ``initial_learning_rate`` and follows
    ``lr(step) = initial_learning_rate * ((1 - alpha) * ½(1 + cos(π s / decay_steps)) + alpha)``
    with ``s = min(step, decay_steps)``, ending at ``alpha * initial_learning_rate``.

    With ``warmup_target`` the rate first rises linearly from
    ``initial_learning_rate`` to ``warmup_target`` over ``warmup_steps`` steps
    (``initial + (warmup_target - initial) * step / warmup_steps``), then decays
    from ``warmup_target`` as above over the next ``decay_steps`` steps, ending
    at ``alpha * warmup_target``. Keras ignores ``warmup_steps`` silently when
    ``warmup_target`` is None; here that combination raises ``ValueError``.

    >>> lr = CosineDecay(0.0, decay_steps=10, warmup_target=1.0, warmup_steps=4)
    >>> lr([0, 2, 4, 9, 14, 99]).round(3).tolist()
    [0.0, 0.5, 1.0, 0.5, 0.0, 0.0]

    Taught in 05_schedules_and_callbacks (cosine decay and warm-up).
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: float,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: float = 0,
    ) -> None:
        self._init = _rate("initial_learning_rate", initial_learning_rate)
        self._decay_steps = checks.number("decay_steps", decay_steps, low=0.0, low_open=True)
        self._alpha = checks.number("alpha", alpha, low=0.0)
        if self._alpha > 1.0:
            raise ValueError(
                f"`alpha` is the final rate as a fraction of the peak, so 0 <= alpha <= 1; "
                f"got {alpha!r}."
            )
        self._warmup_steps = checks.number("warmup_steps", warmup_steps, low=0.0)
        if warmup_target is None:
            self._target = None
            if self._warmup_steps != 0:
                raise ValueError(
                    f"warmup_steps={warmup_steps!r} does nothing without `warmup_target` "
                    f"(Keras skips the warm-up silently): pass warmup_target=<peak rate> "
                    f"to warm up from initial_learning_rate to it, or leave warmup_steps=0."
                )
        else:
            self._target = _rate("warmup_target", warmup_target)
        self._config = {
            "initial_learning_rate": initial_learning_rate,
            "decay_steps": decay_steps,
            "alpha": alpha,
            "name": name,
            "warmup_target": warmup_target,
            "warmup_steps": warmup_steps,
        }

    def _compute(self, steps: np.ndarray) -> np.ndarray:
        if self._target is None:
            steps = np.minimum(steps, self._decay_steps)
            return self._init * _cosine(steps / self._decay_steps, self._alpha)
        steps = np.minimum(steps, self._decay_steps + self._warmup_steps)
        decay = self._target * _cosine(
            (steps - self._warmup_steps) / self._decay_steps, self._alpha
        )
        if self._warmup_steps == 0:
            return decay
        warmup = (self._target - self._init) * (steps / self._warmup_steps) + self._init
        return np.where(steps < self._warmup_steps, warmup, decay)


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR, Loshchilov and Hutter 2016).

    The first period lasts ``first_decay_steps`` steps; each one after lasts
    ``t_mul`` times longer than the one before and starts from ``m_mul`` times
    the previous peak. Within period ``i`` (counting from 0), at fraction ``f``
    of the way through it,
    ``lr = initial_learning_rate * ((1 - alpha) * m_mul**i * ½(1 + cos(π f)) + alpha)``.
    So every period ends at ``alpha * initial_learning_rate`` (the floor is not
    scaled by ``m_mul``), and period ``i`` starts at step
    ``first_decay_steps * (1 + t_mul + ... + t_mul**(i-1))``.

    Keras finds ``i`` with a logarithm, which floating-point rounding can put
    one period early at an exact restart step (Keras in float64 does this at
    step 1210 for ``first_decay_steps=10, t_mul=3``); this version corrects
    ``i`` so each restart step always starts its new period. ``t_mul`` must be
    >= 1: with ``t_mul < 1`` the periods shrink geometrically, all of them fit
    into ``first_decay_steps / (1 - t_mul)`` steps, and Keras returns NaN after.

    >>> lr = CosineDecayRestarts(1.0, first_decay_steps=10, t_mul=2.0, m_mul=0.5)
    >>> lr([0, 5, 10, 20, 30, 70]).round(3).tolist()
    [1.0, 0.5, 0.5, 0.25, 0.25, 0.125]

    Taught in 05_schedules_and_callbacks (cosine decay with restarts).
    """

    def __init__(
        self,
        initial_learning_rate: float,
        first_decay_steps: float,
        t_mul: float = 2.0,
        m_mul: float = 1.0,
        alpha: float = 0.0,
        name: str = "SGDRDecay",
    ) -> None:
        self._init = _rate("initial_learning_rate", initial_learning_rate)
        self._first = checks.number("first_decay_steps", first_decay_steps, low=0.0, low_open=True)
        self._t_mul = checks.number("t_mul", t_mul)
        if self._t_mul < 1.0:
            raise ValueError(
                f"`t_mul` (how many times longer each period is than the one before) must "
                f"be >= 1, got {t_mul!r}: with t_mul < 1 all periods fit into "
                f"first_decay_steps / (1 - t_mul) steps and the learning rate is NaN after."
            )
        self._m_mul = checks.number("m_mul", m_mul, low=0.0)
        self._alpha = checks.number("alpha", alpha, low=0.0)
        if self._alpha > 1.0:
            raise ValueError(
                f"`alpha` is the floor as a fraction of initial_learning_rate, so "
                f"0 <= alpha <= 1; got {alpha!r}."
            )
        self._config = {
            "initial_learning_rate": initial_learning_rate,
            "first_decay_steps": first_decay_steps,
            "t_mul": t_mul,
            "m_mul": m_mul,
            "alpha": alpha,
            "name": name,
        }

    def _compute(self, steps: np.ndarray) -> np.ndarray:
        completed = steps / self._first  # in units of the first period
        t = self._t_mul
        if t == 1.0:
            i_restart = np.floor(completed)
            fraction = completed - i_restart
        else:
            # Period i starts at 1 + t + ... + t**(i-1) = (1 - t**i) / (1 - t) first periods.
            i_restart = np.floor(np.log(1.0 - completed * (1.0 - t)) / math.log(t))

            def start(i: np.ndarray) -> np.ndarray:
                return (1.0 - np.power(t, i)) / (1.0 - t)

            # The logarithm can round one period off at an exact restart step: fix i.
            i_restart = np.where(completed >= start(i_restart + 1.0), i_restart + 1.0, i_restart)
            i_restart = np.where(completed < start(i_restart), i_restart - 1.0, i_restart)
            fraction = (completed - start(i_restart)) / np.power(t, i_restart)
        m_fac = np.power(self._m_mul, i_restart)
        cosine = 0.5 * m_fac * (1.0 + np.cos(np.pi * fraction))
        return self._init * ((1.0 - self._alpha) * cosine + self._alpha)


class OneCycle(LearningRateSchedule):
    """Smith's one-cycle schedule in NumPy: up, down, then a final fall far below the start.

    With ``w = warmup_fraction · total_steps``, ``η_max = max_learning_rate``,
    ``η_low = η_max / div_factor`` and ``η_end = η_low / final_div_factor``, the
    learning rate is piecewise linear through the points ``knots()``

    ``(0, η_low) → (w, η_max) → (2w, η_low) → (total_steps, η_end)``

    and stays at ``η_end`` after ``total_steps``. Keras has no such schedule:
    ``keras_tools.OneCycle`` is the Keras twin, built on this class (same arguments,
    same knots), and a test holds the two together.

    >>> OneCycle(0.1, total_steps=100, warmup_fraction=0.4)([0, 40, 80, 100]).round(7).tolist()
    [0.004, 0.1, 0.004, 4e-07]

    Taught in 05_schedules_and_callbacks.
    """

    def __init__(
        self,
        max_learning_rate: float,
        total_steps: int,
        warmup_fraction: float = 0.45,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        name: str = "OneCycle",
    ) -> None:
        self.max_learning_rate = checks.number("max_learning_rate", max_learning_rate, low=0,
                                               low_open=True)
        self.total_steps = checks.whole("total_steps", total_steps, low=1)
        # the share of total_steps spent rising to the peak; the fall back takes as long
        self.warmup_fraction = checks.number(
            "warmup_fraction (the rise; the fall back takes as long)", warmup_fraction, low=0,
            high=0.5, low_open=True)
        self.div_factor = checks.number("div_factor", div_factor, low=0, low_open=True)
        self.final_div_factor = checks.number("final_div_factor", final_div_factor, low=0,
                                              low_open=True)
        if self.div_factor < 1 or self.final_div_factor < 1:
            raise ValueError(
                "div_factor and final_div_factor divide the learning rate, so they must be >= 1 "
                f"(e.g. 25 and 1e4); got {div_factor!r} and {final_div_factor!r}."
            )
        self.name = name
        self._config = {"max_learning_rate": self.max_learning_rate,
                        "total_steps": self.total_steps,
                        "warmup_fraction": self.warmup_fraction,
                        "div_factor": self.div_factor,
                        "final_div_factor": self.final_div_factor, "name": name}

    def knots(self) -> tuple[list[float], list[float]]:
        """The corner points ``(steps, learning_rates)`` the schedule joins with straight lines."""
        w = self.warmup_fraction * self.total_steps
        high = self.max_learning_rate
        low = high / self.div_factor
        return [0.0, w, 2 * w, float(self.total_steps)], [low, high, low, low / self.final_div_factor]

    def _compute(self, steps: np.ndarray) -> np.ndarray:
        xs, ys = self.knots()
        return np.interp(steps, xs, ys)


_SCHEDULES: dict[str, type[LearningRateSchedule]] = {
    cls.__name__: cls
    for cls in (
        ExponentialDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        InverseTimeDecay,
        CosineDecay,
        CosineDecayRestarts,
    )
}


def _key(name: str) -> str:
    return name.strip().lower().replace("_", "").replace(" ", "")


def names() -> list[str]:
    """The Keras class names ``get`` accepts."""
    return list(_SCHEDULES)


def get(identifier: str | LearningRateSchedule | Mapping[str, Any], **kwargs: Any):
    """A schedule from a Keras class name (any case, underscores optional) and its arguments.

    Also accepts a schedule (returned unchanged) or a Keras-style config dict
    ``{"class_name": "CosineDecay", "config": {...}}``.

    >>> get("cosine_decay", initial_learning_rate=0.1, decay_steps=100)
    CosineDecay(initial_learning_rate=0.1, decay_steps=100, alpha=0.0, warmup_target=None, warmup_steps=0)
    """
    if isinstance(identifier, LearningRateSchedule):
        if kwargs:
            raise ValueError(
                f"got a schedule and arguments {sorted(kwargs)}; pass a class name instead, "
                f"e.g. schedules.get({type(identifier).__name__!r}, **arguments)."
            )
        return identifier
    if isinstance(identifier, Mapping):
        if kwargs or "class_name" not in identifier:
            raise ValueError(
                "a config dict must look like {'class_name': 'CosineDecay', 'config': {...}} "
                f"and come without extra arguments; got {identifier!r}."
            )
        return get(identifier["class_name"], **dict(identifier.get("config", {})))
    if not isinstance(identifier, str):
        raise ValueError(
            f"schedule must be a class name (one of {names()}), a schedule or a config dict; "
            f"got {identifier!r}."
        )
    by_key = {_key(n): cls for n, cls in _SCHEDULES.items()}
    cls = by_key.get(_key(identifier))
    if cls is None:
        raise ValueError(f"unknown schedule {identifier!r}; choose one of {names()}.")
    try:
        return cls(**kwargs)
    except TypeError as err:
        raise ValueError(f"{cls.__name__}: {err}. See help(schedules.{cls.__name__}).") from err


# -- the schedule designer's settings (chapter 05) -----------------------------------------
# The shapes the designer offers, each built from the same few settings by ``make_schedule``.
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


def _num(value: float) -> str:
    """A number as Python would write it, to 3 significant digits (0.0, 0.5, 1e-05)."""
    text = f"{float(value):.3g}"
    return text if any(c in text for c in ".en") else text + ".0"


def make_schedule(
    kind: str,
    initial_learning_rate: float,
    decay_steps: int = 400,
    decay_rate: float = 0.5,
    alpha: float = 0.0,
    power: float = 1.0,
    warmup_steps: int = 40,
    total_steps: int = 400,
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
    checks.choice("kind (the schedule's shape)", kind, KINDS)
    eta = checks.number("initial_learning_rate", initial_learning_rate, low=0, low_open=True)
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
        return (PiecewiseConstantDecay(boundaries, values),
                f"PiecewiseConstantDecay(boundaries={boundaries}, values={values})")
    if kind == "exponential":
        return (ExponentialDecay(eta, decay_steps, decay_rate),
                f"ExponentialDecay(initial_learning_rate={_num(eta)}, decay_steps={decay_steps}, "
                f"decay_rate={_num(decay_rate)})")
    if kind == "polynomial":
        end = alpha * eta
        return (PolynomialDecay(eta, decay_steps, end, power=power),
                f"PolynomialDecay(initial_learning_rate={_num(eta)}, decay_steps={decay_steps}, "
                f"end_learning_rate={_num(end)}, power={_num(power)})")
    if kind == "cosine":
        return (CosineDecay(eta, decay_steps, alpha=alpha),
                f"CosineDecay(initial_learning_rate={_num(eta)}, decay_steps={decay_steps}, "
                f"alpha={_num(alpha)})")
    if kind == "warm-up + cosine":
        return (CosineDecay(0.0, decay_steps, alpha=alpha, warmup_target=eta,
                                       warmup_steps=warmup_steps),
                f"CosineDecay(initial_learning_rate=0.0, decay_steps={decay_steps}, "
                f"alpha={_num(alpha)}, warmup_target={_num(eta)}, warmup_steps={warmup_steps})")
    if kind == "cosine restarts":
        return (CosineDecayRestarts(eta, decay_steps, t_mul=2.0, alpha=alpha),
                f"CosineDecayRestarts(initial_learning_rate={_num(eta)}, "
                f"first_decay_steps={decay_steps}, t_mul=2.0, alpha={_num(alpha)})")
    # one-cycle: rise over warmup_steps, fall back as long, then a final fall to decay_steps
    fraction = min(max(warmup_steps, 1) / decay_steps, 0.5)
    return (OneCycle(eta, decay_steps, warmup_fraction=fraction),
            f"keras_tools.OneCycle(max_learning_rate={_num(eta)}, total_steps={decay_steps}, "
            f"warmup_fraction={_num(fraction)})")
