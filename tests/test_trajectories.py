"""trajectories.run: shapes, vectorised starts, clean divergence, clear errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from course_utils import optimizers, surfaces, trajectories


def test_single_start_shapes_and_first_row() -> None:
    res = trajectories.run("adam", "beale", [1.0, 1.5], 50, learning_rate=0.05)
    assert res.path.shape == (51, 2) and res.loss.shape == (51,)
    np.testing.assert_array_equal(res.path[0], [1.0, 1.5])
    assert int(res.diverged_at) == -1 and res.final_loss < res.loss[0]


def test_many_starts_equal_one_at_a_time() -> None:
    starts = np.random.default_rng(1).uniform(-2, 2, size=(16, 2))
    together = trajectories.run(optimizers.SGD(0.001, momentum=0.9), "rosenbrock", starts, 100)
    assert together.path.shape == (101, 16, 2) and together.diverged_at.shape == (16,)
    for i in (0, 7, 15):
        alone = trajectories.run(optimizers.SGD(0.001, momentum=0.9), "rosenbrock", starts[i], 100)
        np.testing.assert_allclose(together.path[:, i], alone.path, equal_nan=True)


def test_matches_a_hand_written_loop() -> None:
    surf, opt = surfaces.get("booth"), optimizers.Adam(0.1)
    x, state = np.array(surf.start), opt.init(np.array(surf.start))
    for _ in range(30):
        x, state = opt.update(x, surf.grad(x), state)
    np.testing.assert_allclose(trajectories.run(opt, surf, None, 30).path[-1], x)


def test_divergence_stops_the_path_cleanly_without_warnings() -> None:
    quad = surfaces.get("quadratic", condition=10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = trajectories.run("sgd", quad, [[-4.0, 2.0], [1.0, 0.0]], 2000, learning_rate=2.5)
    # the second start lies on the flat axis (curvature 1/10), where 2.5 is still stable
    assert res.diverged_at[0] > 0 and res.diverged_at[1] == -1
    k = res.diverged_at[0]
    assert np.isfinite(res.path[:k, 0]).all() and np.isnan(res.path[k:, 0]).all()
    assert np.isnan(res.loss[k:, 0]).all() and np.isfinite(res.loss[:, 1]).all()
    assert np.isfinite(res.final_point).all()


def test_all_diverged_stops_early_and_fills_nan() -> None:
    res = trajectories.run("sgd", "rosenbrock", [-1.5, 2.0], 500, learning_rate=0.1)
    assert res.diverged and res.path.shape == (501, 2)
    assert np.isnan(res.path[-1]).all()


def test_steps_to_tolerance() -> None:
    res = trajectories.run("sgd", surfaces.get("quadratic", condition=1), [1.0, 1.0], 20,
                           learning_rate=0.5)
    # f halves its distance each step: f_t = 0.5 * 2 * 0.25**t
    assert int(res.steps_to(1e-6)) == int(np.ceil(np.log(1e-6) / np.log(0.25)))


def test_race_labels_and_runs_each() -> None:
    out = trajectories.race(["adam", "adam", optimizers.SGD(0.001)], "beale", None, 10)
    assert list(out) == ["adam", "adam'", "SGD"]
    out = trajectories.race({"fast": optimizers.Adam(0.1)}, "booth", [0.0, 0.0], 5)
    assert out["fast"].path.shape == (6, 2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": [np.nan, 0.0]}, "finite"),
        ({"start": [0.0, 0.0, 0.0]}, "shape"),
        ({"start": 3.0}, "array-like"),
        ({"start": "ab"}, "array-like"),
        ({"steps": -1}, "steps"),
        ({"steps": 2.5}, "steps"),
        ({"bound": -1.0}, "bound"),
    ],
)
def test_bad_input(kwargs: dict, message: str) -> None:
    args = {"optimizer": "adam", "surface": "beale", "start": [1.0, 1.0], "steps": 5, **kwargs}
    with pytest.raises(ValueError, match=message):
        trajectories.run(**args)


def test_unknown_names() -> None:
    with pytest.raises(ValueError, match="Unknown optimizer"):
        trajectories.run("adamx", "beale")
    with pytest.raises(ValueError):
        trajectories.run("adam", "nowhere")


def test_steps_to_counts_where_the_loss_stays_not_the_first_crossing() -> None:
    surf = surfaces.get("quadratic", condition=1)
    res = trajectories.run("sgd", surf, [1.0, 1.0], 4, learning_rate=0.1)
    # an oscillating run: dips below 1e-6 at step 1, swings out, settles from step 3
    loss = np.array([1.0, 1e-7, 1.0, 1e-7, 1e-8])
    fake = trajectories.Trajectory(res.path, loss, res.diverged_at, res.optimizer, surf)
    assert int(fake.steps_to(1e-6)) == 3
    swung_out = trajectories.Trajectory(res.path, np.array([1.0, 1e-7, 1e-8, 1e-7, 1.0]),
                                        res.diverged_at, res.optimizer, surf)
    assert int(swung_out.steps_to(1e-6)) == -1
    many = np.stack([loss, loss[::-1]], axis=1)  # two starts: settles at 3; at 0 but leaves
    both = trajectories.Trajectory(res.path, many, np.array([-1, -1]), res.optimizer, surf)
    assert both.steps_to(1e-6).tolist() == [3, -1]
    with pytest.raises(ValueError, match="tolerance"):
        fake.steps_to(-1.0)


def test_steps_to_is_minus_one_for_a_diverged_start() -> None:
    res = trajectories.run("sgd", "rosenbrock", [-1.5, 2.0], 100, learning_rate=0.1)
    assert int(res.steps_to(1e-6)) == -1


def test_typical_over_starts_counts_a_diverged_start_as_infinitely_bad() -> None:
    gap = np.array([[4.0, 4.0, 4.0, 4.0], [2.0, 1.0, np.nan, 3.0], [1.0, np.nan, np.nan, 2.0]])
    typical = trajectories.typical_over_starts(gap)
    assert typical[0] == 4.0 and typical[1] == 2.5   # median of 1, 2, 3 and ∞
    assert np.isnan(typical[2])                      # half diverged: the curve stops
    with pytest.raises(ValueError, match="steps, starts"):
        trajectories.typical_over_starts(np.zeros((2, 2, 2)))


def test_loss_curves_do_not_improve_as_more_starts_diverge() -> None:
    # Regression (issue 15): plots.loss_curves averaged the survivors only (nanmean), so on
    # Rosenbrock with 4 starts the final value fell from 2.28 to 0.12 as starts diverged.
    import matplotlib

    matplotlib.use("Agg")
    from course_utils import plots

    starts = np.array([[-1.5, 2.0], [0.0, 2.5], [1.5, 2.5], [-1.0, -0.5]])
    finals = []
    for rate in (1e-4, 2e-3, 4e-3, 8e-3):
        res = trajectories.run("sgd", "rosenbrock", starts, 300, learning_rate=rate)
        ax = plots.loss_curves({"sgd": res})
        y = ax.get_lines()[0].get_ydata()
        finals.append((int(res.diverged.sum()), y[-1]))
    for diverged, final in finals:
        if diverged >= 2:
            assert np.isnan(final)   # the typical start has diverged: no value to show
    assert any(d >= 2 for d, _ in finals) and any(d == 0 for d, _ in finals)


def test_cut_at_window_stops_a_path_where_it_leaves_the_picture() -> None:
    path = np.array([[0.0, 0.0], [1.0, 1.0], [5.0, 0.0], [0.5, 0.5], [np.nan, np.nan]])
    cut = trajectories.cut_at_window(path, ((-2, 2), (-2, 2)))
    assert np.array_equal(cut[:2], path[:2]) and np.isnan(cut[2:]).all()
    assert not np.isnan(path[3]).any()  # the input is not changed
    with pytest.raises(ValueError, match="steps"):
        trajectories.cut_at_window(np.zeros(4), ((-1, 1), (-1, 1)))
