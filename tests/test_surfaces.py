"""Tests of course_utils.surfaces: gradients, minima, shapes and errors."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_utils import surfaces

REQUIRED = ["quadratic", "rosenbrock", "beale", "himmelblau", "saddle", "booth"]

# Every surface with its defaults, plus non-default parameters where it has any.
CASES = [(name, {}) for name in surfaces.names()] + [
    ("quadratic", {"condition": 1.0}),
    ("quadratic", {"condition": 50.0, "rotation": 30.0}),
    ("quadratic", {"condition": 7.5, "rotation": -120.0}),
    ("rosenbrock", {"a": -0.5, "b": 10.0}),
    ("rosenbrock", {"a": 2.0, "b": 1.0}),
]
IDS = [f"{name}-{params}" if params else name for name, params in CASES]


def _random_points(surface, n, seed=0):
    (x0, x1), (y0, y1) = surface.window
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])


def test_names_cover_the_contract():
    assert set(REQUIRED) <= set(surfaces.names())
    assert surfaces.names()[: len(REQUIRED)] == REQUIRED


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_gradient_matches_central_differences(name, params):
    s = surfaces.get(name, **params)
    pts = _random_points(s, 300)
    h = 1e-5
    fd = np.empty_like(pts)
    for k in range(2):
        step = np.zeros(2)
        step[k] = h
        fd[:, k] = (s.value(pts + step) - s.value(pts - step)) / (2 * h)
    g = s.grad(pts)
    # central differences err by ~h² f''' (truncation) plus ~eps |f| / h (rounding)
    atol = 1e-6 + 10 * np.finfo(float).eps * np.abs(s.value(pts)).max() / h
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=atol)


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_minima_have_min_value_and_zero_gradient(name, params):
    s = surfaces.get(name, **params)
    if name == "saddle":
        assert s.minima == [] and s.min_value is None
        assert s.grad([0.0, 0.0]).tolist() == [0.0, 0.0]
        return
    assert s.minima, "every bounded surface lists its minima"
    for m in s.minima:
        assert isinstance(m, tuple) and len(m) == 2
        assert float(s.value(m)) == pytest.approx(s.min_value, abs=1e-12)
        assert np.abs(s.grad(m)).max() < 1e-9
    # and nothing on a fine grid of the window is lower than min_value
    (x0, x1), (y0, y1) = s.window
    gx, gy = np.meshgrid(np.linspace(x0, x1, 301), np.linspace(y0, y1, 301))
    assert s.value(np.stack([gx, gy], axis=-1)).min() >= s.min_value - 1e-12


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_window_holds_minima_and_start(name, params):
    s = surfaces.get(name, **params)
    (x0, x1), (y0, y1) = s.window
    assert x0 < x1 and y0 < y1
    for x, y in [*s.minima, s.start]:
        assert x0 <= x <= x1 and y0 <= y <= y1
    assert isinstance(s.start, tuple) and all(isinstance(c, float) for c in s.start)
    assert math.isfinite(float(s.value(s.start)))
    assert np.abs(s.grad(s.start)).max() > 0, "the default start must not be stationary"
    assert s.description and "\n" not in s.description
    assert s.name == name


@pytest.mark.parametrize("name", surfaces.names())
@pytest.mark.parametrize("shape", [(2,), (5, 2), (3, 4, 2), (0, 2)])
def test_vectorised_over_leading_axes(name, shape):
    s = surfaces.get(name)
    rng = np.random.default_rng(1)
    xy = rng.uniform(-2, 2, shape)
    value, grad = s.value(xy), s.grad(xy)
    assert np.shape(value) == shape[:-1]
    assert grad.shape == shape
    flat = xy.reshape(-1, 2)
    for i, p in enumerate(flat):  # each point on its own: the single-point fast path
        assert float(value.reshape(-1)[i]) == pytest.approx(float(s.value(p)), rel=1e-12)
        np.testing.assert_allclose(grad.reshape(-1, 2)[i], s.grad(p), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", surfaces.names())
@settings(max_examples=40, deadline=None)
@given(
    xy=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=3, max_side=4).map(lambda s: (*s, 2)),
        elements=st.floats(-6, 6),
    )
)
def test_point_by_point_equals_batched(name, xy):
    s = surfaces.get(name)
    value, grad = s.value(xy), s.grad(xy)
    for idx in np.ndindex(xy.shape[:-1]):
        scale = 1.0 + abs(float(value[idx]))
        assert float(s.value(xy[idx])) == pytest.approx(float(value[idx]), abs=1e-12 * scale)
        gs = 1.0 + np.abs(grad[idx]).max()
        np.testing.assert_allclose(s.grad(xy[idx]), grad[idx], rtol=0, atol=1e-12 * gs)


@pytest.mark.parametrize("name", surfaces.names())
def test_accepts_lists_ints_and_float32(name):
    s = surfaces.get(name)
    np.testing.assert_allclose(s.grad([1, 2]), s.grad(np.array([1.0, 2.0])))
    np.testing.assert_allclose(s.value([[1, 2], [0, 1]]), s.value(np.array([[1.0, 2.0], [0, 1]])))
    g32 = s.grad(np.array([[0.5, 0.25]], dtype=np.float32))
    np.testing.assert_allclose(g32, s.grad([[0.5, 0.25]]), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", surfaces.names())
@pytest.mark.parametrize(
    "bad",
    [
        [1.0, 2.0, 3.0],
        [[1.0, 2.0, 3.0]],
        1.0,
        np.zeros((2, 3)),
        ["a", "b"],
        [[1.0, 2.0], [3.0]],
        np.array([1 + 1j, 2]),
        np.array([True, False]),
        None,
    ],
    ids=["len3", "row3", "scalar", "2x3", "strings", "ragged", "complex", "bool", "None"],
)
def test_bad_points_raise_valueerror_naming_the_shape(name, bad):
    s = surfaces.get(name)
    with pytest.raises(ValueError, match=r"\(\.\.\., 2\)"):
        s.value(bad)
    with pytest.raises(ValueError, match=r"\(\.\.\., 2\)"):
        s.grad(bad)


@pytest.mark.parametrize("name", surfaces.names())
def test_nan_and_inf_give_nan_not_errors(name):
    s = surfaces.get(name)
    with np.errstate(all="ignore"):
        assert np.isnan(s.value([np.nan, 1.0]))
        assert np.isnan(s.grad([np.nan, 1.0])).any()
        v = s.value([[np.inf, 1.0], [1.0, 1.0]])
        g = s.grad([[1e200, -1e200], [1.0, 1.0]])
        s.value([1e200, -1e200]), s.grad([1e200, -1e200])  # the single-point path too
    assert v.shape == (2,) and g.shape == (2, 2)
    assert np.isfinite(v[1]) and np.isfinite(g[1]).all()


def test_get_is_case_insensitive_and_passes_surfaces_through():
    s = surfaces.get("ROSENBROCK")
    assert s.name == "rosenbrock"
    assert surfaces.get(s) is s
    assert surfaces.get("Six-Hump Camel").name == "six_hump_camel"
    assert surfaces.get("quadratic", condition=3).params == {"condition": 3.0, "rotation": 0.0}


@pytest.mark.parametrize(
    ("args", "params", "match"),
    [
        (("banana",), {}, "rosenbrock"),
        ((42,), {}, "rosenbrock"),
        (("quadratic",), {"kappa": 3}, "condition"),
        (("beale",), {"a": 1}, "none"),
        (("quadratic",), {"condition": 0.5}, ">= 1"),
        (("quadratic",), {"condition": float("nan")}, "finite"),
        (("quadratic",), {"condition": "ten"}, "must be a number"),
        (("quadratic",), {"rotation": float("inf")}, "finite"),
        (("rosenbrock",), {"b": 0.0}, "> 0"),
    ],
)
def test_get_rejects_bad_names_and_parameters(args, params, match):
    with pytest.raises(ValueError, match=match):
        surfaces.get(*args, **params)


def test_get_rejects_surface_with_parameters():
    with pytest.raises(ValueError, match="name"):
        surfaces.get(surfaces.get("quadratic"), condition=3)


def test_surfaces_are_read_only():
    s = surfaces.get("quadratic")
    with pytest.raises(AttributeError, match="read-only"):
        s.start = (0.0, 0.0)
    with pytest.raises(ValueError):
        s.matrix[0, 0] = 5.0
    s.minima.append((9.0, 9.0))
    assert s.minima == [(0.0, 0.0)]


@pytest.mark.parametrize("condition", [1.0, 10.0, 100.0])
@pytest.mark.parametrize("rotation", [0.0, 30.0, 90.0, -45.0])
def test_quadratic_eigenvalues_and_rotation(condition, rotation):
    s = surfaces.get("quadratic", condition=condition, rotation=rotation)
    mu, big_l = s.eigenvalues
    assert (mu, big_l) == (pytest.approx(1 / condition), 1.0)
    np.testing.assert_allclose(np.linalg.eigvalsh(s.matrix), [mu, big_l], atol=1e-15)
    np.testing.assert_allclose(s.matrix, s.matrix.T)
    theta = math.radians(rotation)
    rot = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    # the flat direction (curvature μ) is the x axis turned by `rotation`
    np.testing.assert_allclose(s.matrix @ rot[:, 0], mu * rot[:, 0], atol=1e-12)
    # turning the bowl turns the values: f_rot(R p) = f_0(p)
    plain = surfaces.get("quadratic", condition=condition)
    pts = _random_points(plain, 50)
    np.testing.assert_allclose(s.value(pts @ rot.T), plain.value(pts), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(s.start, rot @ np.array(plain.start), atol=1e-12)
    # gradient of ½ xᵀAx is A x
    np.testing.assert_allclose(s.grad(pts), pts @ s.matrix, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("rotation", [0.0, 25.0])
def test_quadratic_gradient_descent_stability_limit_is_two(rotation):
    s = surfaces.get("quadratic", condition=10.0, rotation=rotation)

    def final_distance(learning_rate, steps=300):
        x = np.array(s.start)
        for _ in range(steps):
            x = x - learning_rate * s.grad(x)
        return float(np.linalg.norm(x))

    assert final_distance(1.9) < 1e-3  # 2/L = 2: just below converges
    assert final_distance(2.1) > 1e3  # just above diverges


def test_quadratic_condition_one_is_round():
    s = surfaces.get("quadratic", condition=1.0, rotation=33.0)
    np.testing.assert_allclose(s.matrix, np.eye(2), atol=1e-15)


def test_named_minima():
    assert surfaces.get("rosenbrock").minima == [(1.0, 1.0)]
    assert surfaces.get("rosenbrock", a=2.0).minima == [(2.0, 4.0)]
    assert surfaces.get("beale").minima == [(3.0, 0.5)]
    assert surfaces.get("booth").minima == [(1.0, 3.0)]
    assert len(surfaces.get("himmelblau").minima) == 4
    assert (3.0, 2.0) in surfaces.get("himmelblau").minima
    assert surfaces.get("six_hump_camel").min_value == pytest.approx(-1.0316, abs=1e-4)
