"""The shared input checks: clean values back, a ValueError naming the argument otherwise."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import checks


def test_number_returns_floats_inside_the_range() -> None:
    assert checks.number("η", 3) == 3.0 and isinstance(checks.number("η", 3), float)
    assert checks.number("η", np.float32(0.5), low=0, low_open=True) == 0.5
    assert checks.number("η", np.array(0.25)) == 0.25
    assert checks.number("β", 0.0, low=0, high=1, high_open=True) == 0.0


@pytest.mark.parametrize(("value", "kwargs", "match"), [
    ("0.1", {}, "learning_rate must be a number"),
    (True, {}, "must be a number"),
    (None, {}, "must be a number"),
    (float("nan"), {}, "finite"),
    (float("inf"), {}, "finite"),
    (0.0, {"low": 0, "low_open": True}, r"must be > 0, got 0.0"),
    (-1, {"low": 0}, r"must be >= 0"),
    (1.0, {"low": 0, "high": 1, "high_open": True}, r"in \[0, 1\)"),
    (2.0, {"high": 1}, r"<= 1"),
])
def test_number_refuses(value, kwargs, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        checks.number("learning_rate", value, **kwargs)


def test_whole() -> None:
    assert checks.whole("steps", np.int64(5), low=1) == 5
    for bad, match in ((2.0, "whole number"), (True, "whole number"), (0, ">= 1"),
                       (11, "from 1 to 10")):
        with pytest.raises(ValueError, match=match):
            checks.whole("steps", bad, low=1, high=10 if bad == 11 else None)


def test_choice_and_point() -> None:
    assert checks.choice("surface", "quadratic", ("quadratic", "rosenbrock")) == "quadratic"
    with pytest.raises(ValueError, match=r"surface must be one of \('quadratic',"):
        checks.choice("surface", "beale", ("quadratic", "rosenbrock"))
    with pytest.raises(ValueError, match="one of"):
        checks.choice("surface", np.zeros(2), ("quadratic",))
    np.testing.assert_array_equal(checks.point("start", (1, 2)), [1.0, 2.0])
    for bad in ((1.0, float("nan")), (1, 2, 3), "xy", None):
        with pytest.raises(ValueError, match="start must be two finite numbers"):
            checks.point("start", bad)
