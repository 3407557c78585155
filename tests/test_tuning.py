"""The tuning helpers of chapter 14: search spaces, boundary checks, isolation, budgets."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from course_utils import tuning


def space() -> tuning.SearchSpace:
    return tuning.SearchSpace(learning_rate=(1e-4, 1e-1, "log"), l2=(0.0, 1.0))


def test_import_needs_no_tensorflow_or_matplotlib() -> None:
    import subprocess
    code = ("import sys, course_utils.tuning; "
            "print(any(m in sys.modules for m in ('tensorflow', 'keras', 'matplotlib', 'ipywidgets')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("method", ["sobol", "halton", "random", "grid"])
def test_points_stay_in_range_and_log_scale_is_even_in_exponents(method: str) -> None:
    s = space()
    pts = getattr(s, method)(16) if method == "grid" else getattr(s, method)(16, seed=1)
    lr = pts["learning_rate"]
    assert len(lr) == 16 and np.all((lr >= 1e-4) & (lr <= 1e-1))
    assert np.all((pts["l2"] >= 0) & (pts["l2"] <= 1))
    np.testing.assert_allclose(s.to_unit(pts), s.to_unit(s.from_unit(s.to_unit(pts))))


def test_grid_repeats_values_and_sobol_does_not() -> None:
    s = space()
    assert len(np.unique(s.grid(16)["learning_rate"])) == 4
    assert len(np.unique(s.sobol(16)["learning_rate"])) == 16


def test_sobol_is_more_even_than_random() -> None:
    s = space()
    sob = tuning.discrepancy(s.unit_sobol(16, seed=0))
    rand = np.median([tuning.discrepancy(s.to_unit(s.random(16, seed=k))) for k in range(20)])
    assert sob < rand


def test_log_dimension_maps_midpoint_to_geometric_mean() -> None:
    d = tuning.Dimension("lr", 1e-4, 1e-2, "log")
    assert d.from_unit(0.5) == pytest.approx(1e-3)
    assert d.to_unit(1e-2) == pytest.approx(1.0)


@pytest.mark.parametrize(("low", "high", "scale", "words"), [
    (1e-3, 1e-3, "log", "empty"), (1.0, 0.1, "linear", "inverted"),
    (0.0, 1.0, "log", "above zero"), (-1.0, 1.0, "log", "above zero"),
    (0.0, float("inf"), "linear", "finite"), (0.0, 1.0, "cubic", "scale"),
])
def test_bad_ranges_say_what_is_wrong(low, high, scale, words) -> None:
    with pytest.raises(ValueError, match=words):
        tuning.Dimension("x", low, high, scale)


@pytest.mark.parametrize("n", [0, -3, 2.5, True])
def test_zero_trials_is_an_error(n) -> None:
    with pytest.raises(ValueError, match="whole number"):
        space().sobol(n)


def test_space_needs_ranges_and_well_formed_specs() -> None:
    with pytest.raises(ValueError):
        tuning.SearchSpace()
    with pytest.raises(ValueError):
        tuning.SearchSpace(lr=(1e-3,))
    with pytest.raises(KeyError):
        space()["momentum"]


def test_near_boundary_names_the_edge_of_the_best_trials() -> None:
    s = space()
    pts = {"learning_rate": np.array([1e-4 * 1.1, 1e-2, 1e-1 * 0.95]), "l2": np.array([0.5, 0.5, 0.5])}
    assert tuning.near_boundary(s, pts, [0.1, 0.5, 0.9]) == {"learning_rate": "high"}
    assert tuning.near_boundary(s, pts, [0.9, 0.5, 0.1]) == {"learning_rate": "low"}
    assert tuning.near_boundary(s, pts, [0.1, 0.9, 0.5]) == {}
    # a diverged trial (NaN) is never "the best"
    assert tuning.near_boundary(s, pts, [np.nan, 0.9, 0.5]) == {}
    with pytest.raises(ValueError, match="trials"):
        tuning.near_boundary(s, pts, [0.1, 0.2])


def test_isolation_picks_best_per_value_by_mean_and_respects_budget() -> None:
    sci = ["a", "a", "b", "b"]
    scores = np.array([[0.5, 0.6], [0.8, 0.9], [0.7, 0.7], [0.6, 0.65]])
    iso = tuning.isolation(sci, scores)
    assert iso.values == ("a", "b")
    assert list(iso.best) == [1, 2] and list(iso.within) == [1, 0]
    assert iso.mean[0] == pytest.approx(0.85) and iso.low[0] == 0.8 and iso.high[0] == 0.9
    small = tuning.isolation(sci, scores, budget=1)
    assert list(small.best) == [0, 2] and list(small.counts) == [1, 1]
    assert "is best" in str(iso)
    with pytest.raises(ValueError):
        tuning.isolation(["a"], scores)
    with pytest.raises(ValueError):
        tuning.isolation(sci, scores, budget=0)


def test_trials_that_fit() -> None:
    assert tuning.trials_that_fit(60, 1.5) == 40
    assert tuning.trials_that_fit(60, 1.5, parallel=8) == 320
    for bad in [(0, 1), (10, 0), (10, float("nan")), (-1, 1)]:
        with pytest.raises(ValueError):
            tuning.trials_that_fit(*bad)


def test_discrepancy_rejects_points_outside_the_cube() -> None:
    with pytest.raises(ValueError):
        tuning.discrepancy(np.array([[0.5, 1.5]]))


def test_train_trials_learns_and_each_copy_uses_its_own_rate() -> None:
    from course_utils import data
    d = data.load_digits(images=False)
    runs = tuning.train_trials("adam", [1e-6, 1e-2, 1e-2], [0.0, 0.0, 0.0], [0, 0, 1],
                               d.x_train, d.y_train, (d.x_val, d.y_val), epochs=3)
    acc = runs.final()
    assert runs.history["val_loss"].shape == (3, 3)
    assert acc[1] > 0.8 and acc[2] > 0.8 and acc[0] < 0.5  # 1e-6 barely moves
    test = runs.evaluate(d.x_test, d.y_test)
    assert test["accuracy"].shape == (3,)
    with pytest.raises(ValueError):
        tuning.train_trials("rmsprop", [1e-3], [0.0], [0], d.x_train, d.y_train, (d.x_val, d.y_val))
    with pytest.raises(ValueError):
        tuning.train_trials("sgd", [1e-3, 1e-2], [0.0], [0], d.x_train, d.y_train,
                            (d.x_val, d.y_val))


def test_a_copy_trains_the_same_alone_or_beside_others() -> None:
    from course_utils import data
    d = data.load_digits(images=False)
    alone = tuning.train_trials("sgd", [0.05], [1e-4], [3], d.x_train, d.y_train,
                                (d.x_val, d.y_val), epochs=2)
    beside = tuning.train_trials("sgd", [0.05, 0.001], [1e-4, 0.0], [3, 4], d.x_train, d.y_train,
                                 (d.x_val, d.y_val), epochs=2)
    np.testing.assert_allclose(alone.history["val_loss"][0], beside.history["val_loss"][0],
                               rtol=1e-4)


def test_the_l2_penalty_reaches_the_training() -> None:
    from course_utils import data
    d = data.load_digits(images=False)
    runs = tuning.train_trials("adam", [1e-2, 1e-2], [0.0, 1.0], [0, 0], d.x_train, d.y_train,
                               (d.x_val, d.y_val), epochs=3)
    loss = runs.history["loss"][:, -1]
    assert loss[1] > loss[0] + 0.3  # a huge λ keeps the weights (and the fit) small
