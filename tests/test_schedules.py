"""course_utils.schedules against keras.optimizers.schedules, step for step.

Keras evaluates a schedule in the dtype of ``initial_learning_rate``: float32 for
a Python float (the everyday case), float64 for a NumPy float64. Each schedule
is compared with both:

- float64 Keras, every float argument passed as ``np.float64`` (Keras's
  ``ops.cast`` of a Python float rounds it through float32 first), to 1e-12:
  the same formula, edge cases included;
- float32 Keras, plain Python arguments, to float32 accuracy: what a learner's
  optimizer really receives.

Keras is called one step at a time, as an optimizer calls it: the vectorised
float64 call can round differently (``log`` in CosineDecayRestarts), and
CosineDecay with warm-up cannot take an array of steps at all.
"""

import inspect
import math

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils import schedules

K = keras.optimizers.schedules
NUM_STEPS = 320  # past every decay_steps below, and at least three restarts

CONFIGS = [
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.96}),
    (
        "ExponentialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.5, "staircase": True},
    ),
    ("ExponentialDecay", {"initial_learning_rate": 1.0, "decay_steps": 3.5, "decay_rate": 0.9}),
    ("PiecewiseConstantDecay", {"boundaries": [10, 20], "values": [1.0, 0.5, 0.1]}),
    (
        "PiecewiseConstantDecay",
        {"boundaries": [3, 50, 51, 120], "values": [0.3, 0.1, 0.05, 0.2, 0.001]},
    ),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 100}),
    (
        "PolynomialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 60, "end_learning_rate": 0.01, "power": 0.5},
    ),
    (
        "PolynomialDecay",
        {
            "initial_learning_rate": 0.1,
            "decay_steps": 60,
            "end_learning_rate": 0.01,
            "power": 2.0,
            "cycle": True,
        },
    ),
    (
        "PolynomialDecay",
        {"initial_learning_rate": 1.0, "decay_steps": 7, "end_learning_rate": 0.0, "cycle": True},
    ),
    ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5}),
    (
        "InverseTimeDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5, "staircase": True},
    ),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 150}),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 150, "alpha": 0.1}),
    (
        "CosineDecay",
        {
            "initial_learning_rate": 0.0,
            "decay_steps": 150,
            "warmup_target": 0.1,
            "warmup_steps": 50,
        },
    ),
    (
        "CosineDecay",
        {
            "initial_learning_rate": 0.01,
            "decay_steps": 120,
            "alpha": 0.2,
            "warmup_target": 0.1,
            "warmup_steps": 45,
        },
    ),
    (
        "CosineDecay",
        {
            "initial_learning_rate": 0.05,
            "decay_steps": 100,
            "warmup_target": 0.1,
            "warmup_steps": 0,
        },
    ),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 10}),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 20, "t_mul": 1.0}),
    (
        "CosineDecayRestarts",
        {
            "initial_learning_rate": 0.1,
            "first_decay_steps": 20,
            "t_mul": 1.0,
            "m_mul": 0.5,
            "alpha": 0.1,
        },
    ),
    (
        "CosineDecayRestarts",
        {
            "initial_learning_rate": 0.1,
            "first_decay_steps": 7,
            "t_mul": 1.5,
            "m_mul": 0.8,
            "alpha": 0.05,
        },
    ),
    (
        "CosineDecayRestarts",
        {"initial_learning_rate": 1.0, "first_decay_steps": 10, "t_mul": 3.0, "m_mul": 0.9},
    ),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CONFIGS)]


def _as_float64(name, config):
    """Arguments that make Keras compute in float64 throughout (float defaults included)."""
    defaults = inspect.signature(getattr(K, name).__init__).parameters.values()
    out = {p.name: p.default for p in defaults if isinstance(p.default, float)}
    for key, value in {**out, **config}.items():
        if key == "values":
            out[key] = [np.float64(v) for v in value]
        elif isinstance(value, float):
            out[key] = np.float64(value)
        else:
            out[key] = value
    if name != "PiecewiseConstantDecay":
        out["initial_learning_rate"] = np.float64(config["initial_learning_rate"])
    return out


def _keras_rates(schedule, steps):
    return np.array([float(schedule(int(s))) for s in steps])


@pytest.mark.parametrize(("name", "config"), CONFIGS, ids=IDS)
def test_matches_keras_in_float64(name, config):
    steps = np.arange(NUM_STEPS)
    ours = getattr(schedules, name)(**config)(steps)
    theirs = _keras_rates(getattr(K, name)(**_as_float64(name, config)), steps)
    peak = np.abs(theirs).max()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15 * peak)


@pytest.mark.parametrize(("name", "config"), CONFIGS, ids=IDS)
def test_matches_keras_default_float32(name, config):
    steps = np.arange(NUM_STEPS)
    ours = getattr(schedules, name)(**config)(steps)
    theirs = _keras_rates(getattr(K, name)(**config), steps)
    peak = np.abs(theirs).max()
    # float32 carries ~7 digits; the step count (up to 320) and the phase of a cosine
    # computed from it lose about two more, hence the absolute term near the zeros.
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=2e-6 * peak)


@pytest.mark.parametrize("name", schedules.names())
def test_signature_is_kerass(name):
    ours = inspect.signature(getattr(schedules, name).__init__).parameters
    theirs = inspect.signature(getattr(K, name).__init__).parameters
    assert [(p.name, p.default) for p in ours.values()] == [
        (p.name, p.default) for p in theirs.values()
    ]


@pytest.mark.parametrize(("name", "config"), CONFIGS, ids=IDS)
def test_config_round_trips_with_keras(name, config):
    ours = getattr(schedules, name)(**config)
    theirs = getattr(K, name)(**config)
    assert ours.get_config() == theirs.get_config()
    assert getattr(K, name).from_config(ours.get_config()).get_config() == theirs.get_config()
    again = getattr(schedules, name).from_config(theirs.get_config())
    np.testing.assert_array_equal(again(np.arange(50)), ours(np.arange(50)))


@pytest.mark.parametrize(
    ("t_mul", "m_mul", "count"), [(2.0, 1.0, 10), (2.0, 0.5, 10), (3.0, 0.9, 7), (10.0, 0.5, 5)]
)
def test_restarts_start_exactly_on_their_step(t_mul, m_mul, count):
    # Period i starts at step 10 * (1 + t + ... + t**(i-1)). Keras finds i with a log,
    # which float64 rounding puts one period early at some of these steps (step 1210
    # for t_mul=3); float32 Keras, the default, gets them right, and so must we.
    lr = schedules.CosineDecayRestarts(1.0, 10, t_mul=t_mul, m_mul=m_mul)
    keras_lr = K.CosineDecayRestarts(1.0, 10, t_mul=t_mul, m_mul=m_mul)
    start, length = 0.0, 10.0
    for i in range(count):
        step = round(start)
        assert lr(step) == pytest.approx(m_mul**i, rel=1e-12), f"restart {i} at step {step}"
        assert float(keras_lr(step)) == pytest.approx(m_mul**i, rel=1e-6)
        assert i == 0 or lr(step - 1) < lr(step)  # the step before is the end of a period
        start, length = start + length, length * t_mul


def test_piecewise_boundary_step_keeps_earlier_value():
    lr = schedules.PiecewiseConstantDecay([100, 200], [1.0, 0.1, 0.01])
    assert [lr(s) for s in (0, 100, 101, 200, 201)] == [1.0, 1.0, 0.1, 0.1, 0.01]
    assert lr(100.5) == 0.1


def test_polynomial_cycle_reaches_end_rate_on_multiples():
    lr = schedules.PolynomialDecay(1.0, 10, end_learning_rate=0.0, cycle=True)
    assert [lr(s) for s in (0, 10, 20, 30)] == [1.0, 0.0, 0.0, 0.0]
    assert lr(11) == pytest.approx(0.45)  # restarts half-way down, not at 1.0
    assert schedules.PolynomialDecay(1.0, 10, end_learning_rate=0.2)(1000) == pytest.approx(0.2)


def test_cosine_warmup_goes_up_then_down():
    lr = schedules.CosineDecay(0.0, 100, alpha=0.1, warmup_target=1.0, warmup_steps=10)
    rates = lr(np.arange(200))
    assert rates[0] == 0.0 and rates[5] == pytest.approx(0.5) and rates[10] == 1.0
    assert np.all(np.diff(rates[:11]) > 0) and np.all(np.diff(rates[10:111]) < 0)
    assert rates[110:] == pytest.approx(0.1)


@settings(max_examples=25, deadline=None)
@given(
    data=st.lists(st.integers(1, 150), min_size=1, max_size=5, unique=True),
    rates=st.lists(st.floats(0, 1, allow_subnormal=False), min_size=6, max_size=6),
    steps=st.lists(st.integers(0, 200), min_size=1, max_size=20),
)
def test_piecewise_matches_keras_property(data, rates, steps):
    boundaries = sorted(data)
    values = [np.float64(v) for v in rates[: len(boundaries) + 1]]
    ours = schedules.PiecewiseConstantDecay(boundaries, values)(steps)
    theirs = _keras_rates(K.PiecewiseConstantDecay(boundaries, values), steps)
    np.testing.assert_array_equal(ours, theirs)


@settings(max_examples=25, deadline=None)
@given(
    initial=st.floats(1e-4, 1.0),
    end=st.floats(0.0, 1e-2),
    decay_steps=st.integers(1, 100),
    power=st.floats(0.25, 4.0),
    cycle=st.booleans(),
    steps=st.lists(st.integers(0, 500), min_size=1, max_size=10),
)
def test_polynomial_matches_keras_property(initial, end, decay_steps, power, cycle, steps):
    args = (np.float64(initial), decay_steps, np.float64(end), np.float64(power), cycle)
    ours = schedules.PolynomialDecay(*args)(steps)
    theirs = _keras_rates(K.PolynomialDecay(*args), steps)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_scalar_in_float_out_array_in_array_out():
    lr = schedules.ExponentialDecay(0.1, 10, 0.5)
    assert type(lr(5)) is float
    assert type(lr(np.int64(5))) is float
    assert type(lr(np.array(5))) is float
    assert lr(10) == pytest.approx(0.05)
    grid = np.arange(6).reshape(2, 3)
    out = lr(grid)
    assert isinstance(out, np.ndarray) and out.shape == (2, 3) and out.dtype == np.float64
    assert lr([0, 10]).tolist() == pytest.approx([0.1, 0.05])
    assert lr(np.arange(1000)).shape == (1000,)


def test_integer_learning_rates_work_unlike_keras():
    # Keras's own CosineDecay docstring example uses initial_learning_rate = 0 (an int),
    # which makes Keras 3.15.1 fail with a dtype error; here it is simply 0.0.
    lr = schedules.CosineDecay(0, 10, warmup_target=0.1, warmup_steps=10)
    assert lr(5) == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("factory", "match"),
    [
        (lambda: schedules.ExponentialDecay(-0.1, 10, 0.9), "initial_learning_rate.*>= 0"),
        (lambda: schedules.ExponentialDecay(float("nan"), 10, 0.9), "finite"),
        (lambda: schedules.ExponentialDecay("0.1", 10, 0.9), "must be a number"),
        (lambda: schedules.ExponentialDecay(0.1, 0, 0.9), "decay_steps.*> 0"),
        (lambda: schedules.ExponentialDecay(0.1, -5, 0.9), "decay_steps.*> 0"),
        (lambda: schedules.ExponentialDecay(0.1, 10, 0.0), "decay_rate.*> 0"),
        (lambda: schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5]), "one more element"),
        (
            lambda: schedules.PiecewiseConstantDecay([20, 10], [1.0, 0.5, 0.1]),
            "strictly increasing",
        ),
        (
            lambda: schedules.PiecewiseConstantDecay([10, 10], [1.0, 0.5, 0.1]),
            "strictly increasing",
        ),
        (lambda: schedules.PiecewiseConstantDecay([], [1.0]), "at least one"),
        (lambda: schedules.PiecewiseConstantDecay([10], [1.0, -0.5]), r"values\[1\].*>= 0"),
        (lambda: schedules.PiecewiseConstantDecay(10, [1.0, 0.5]), "list"),
        (lambda: schedules.PolynomialDecay(0.1, 0), "decay_steps.*> 0"),
        (lambda: schedules.PolynomialDecay(0.1, 10, end_learning_rate=-1e-3), "end_learning_rate"),
        (lambda: schedules.PolynomialDecay(0.1, 10, power=0.0), "power.*> 0"),
        (lambda: schedules.InverseTimeDecay(0.1, 10, -0.5), "decay_rate.*>= 0"),
        (lambda: schedules.InverseTimeDecay(-1.0, 10, 0.5), "initial_learning_rate"),
        (lambda: schedules.CosineDecay(0.1, 0), "decay_steps.*> 0"),
        (lambda: schedules.CosineDecay(0.1, 100, alpha=1.5), "alpha"),
        (lambda: schedules.CosineDecay(0.1, 100, alpha=-0.1), "alpha"),
        (lambda: schedules.CosineDecay(0.1, 100, warmup_steps=10), "warmup_target"),
        (
            lambda: schedules.CosineDecay(0.0, 100, warmup_target=-1.0, warmup_steps=5),
            "warmup_target",
        ),
        (
            lambda: schedules.CosineDecay(0.0, 100, warmup_target=0.1, warmup_steps=-5),
            "warmup_steps",
        ),
        (lambda: schedules.CosineDecayRestarts(0.1, 0), "first_decay_steps.*> 0"),
        (lambda: schedules.CosineDecayRestarts(0.1, 10, t_mul=0.5), "t_mul.*>= 1"),
        (lambda: schedules.CosineDecayRestarts(0.1, 10, m_mul=-1.0), "m_mul"),
        (lambda: schedules.CosineDecayRestarts(0.1, 10, alpha=2.0), "alpha"),
    ],
)
def test_bad_arguments_raise_valueerror(factory, match):
    with pytest.raises(ValueError, match=match):
        factory()


@pytest.mark.parametrize(
    "step", [-1, np.nan, np.inf, "3", [0, -2], None, [[0, 1], [2]], True], ids=repr
)
def test_bad_steps_raise_valueerror(step):
    lr = schedules.CosineDecay(0.1, 100)
    with pytest.raises(ValueError, match="step"):
        lr(step)


def test_get_by_name_instance_and_config():
    lr = schedules.get(
        "exponentialdecay", initial_learning_rate=0.1, decay_steps=10, decay_rate=0.5
    )
    assert isinstance(lr, schedules.ExponentialDecay)
    assert schedules.get(lr) is lr
    assert isinstance(
        schedules.get("cosine_decay_restarts", initial_learning_rate=0.1, first_decay_steps=5),
        schedules.CosineDecayRestarts,
    )
    serialized = keras.optimizers.schedules.serialize(K.CosineDecay(0.1, 100, alpha=0.2))
    ours = schedules.get(serialized)
    assert isinstance(ours, schedules.CosineDecay) and ours(100) == pytest.approx(0.02)
    assert schedules.names() == [
        "ExponentialDecay",
        "PiecewiseConstantDecay",
        "PolynomialDecay",
        "InverseTimeDecay",
        "CosineDecay",
        "CosineDecayRestarts",
    ]


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("StepDecay",), {}, "CosineDecay"),
        ((3,), {}, "class name"),
        (({"config": {}},), {}, "class_name"),
        (("CosineDecay",), {"initial_learning_rate": 0.1, "steps": 10}, "CosineDecay"),
    ],
)
def test_get_rejects_unknown(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        schedules.get(*args, **kwargs)


def test_get_rejects_instance_with_arguments():
    with pytest.raises(ValueError, match="class name"):
        schedules.get(schedules.CosineDecay(0.1, 10), alpha=0.5)


def test_custom_subclass_via_compute():
    class Halving(schedules.LearningRateSchedule):
        def __init__(self, initial_learning_rate):
            self._config = {"initial_learning_rate": initial_learning_rate}

        def _compute(self, steps):
            return self._config["initial_learning_rate"] * 0.5**steps

    lr = Halving(1.0)
    assert lr(3) == 0.125
    assert lr.get_config() == {"initial_learning_rate": 1.0}
    assert math.isclose(lr(np.arange(4)).sum(), 1.875)
