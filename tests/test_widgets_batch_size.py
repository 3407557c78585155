"""The batch-size explorer: redraws on every control, says the right numbers, refuses bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_utils import minibatch as bs
from course_utils import widgets


@pytest.fixture(scope="module")
def explorer() -> widgets.Explorer:
    return widgets.batch_size_explorer()


def _png(ex: widgets.Explorer) -> bytes:
    return bytes(ex.view.image.value)


def test_builds_with_defaults_and_exposes_its_controls(explorer: widgets.Explorer) -> None:
    assert set(explorer.controls) == {"batch_size", "learning_rate", "epochs"}
    assert explorer.controls["batch_size"].description == "batch_size B"  # the label stays
    assert _png(explorer).startswith(b"\x89PNG")
    data = explorer.data  # default B = 16, N = 256, 3 epochs
    assert (data.batch_size, data.steps_per_epoch, data.last_batch) == (16, 16, 16)
    assert data.path.shape == (3 * 16 + 1, 2) and data.full_path.shape == (3 + 1, 2)
    assert "16 steps per epoch" in explorer.readout.value


@pytest.mark.parametrize(("control", "value"),
                         [("batch_size", 100), ("learning_rate", 0.2), ("epochs", 6)])
def test_each_control_redraws_and_updates_the_readout(explorer: widgets.Explorer, control: str,
                                                      value: float) -> None:
    before, text = _png(explorer), explorer.readout.value
    explorer.controls[control].value = value
    assert getattr(explorer.data, control) == pytest.approx(value)
    assert _png(explorer) != before
    assert explorer.readout.value != text


def test_data_is_what_the_picture_shows() -> None:
    ex = widgets.batch_size_explorer(batch_size=8, epochs=2)
    data = ex.data
    path_line = ex.view.fig.axes[0].lines[3]  # the mini-batch SGD path, after ★, start, GD
    np.testing.assert_array_equal(np.column_stack(path_line.get_data()), data.path)
    task = bs.make_task()
    expected, diverged = bs.sgd_path(task, 8, 0.05, 2)
    np.testing.assert_array_equal(data.path, expected)
    assert data.diverged == diverged == -1
    assert data.gap[-1] < data.gap[0]  # it learns
    # the ring's radius is the theory: σ/√B times √((N−B)/(N−1))
    ring = ex.view.fig.axes[1].patches[0]
    assert ring.get_radius() == pytest.approx(data.predicted * data.correction)
    assert data.predicted == pytest.approx(data.sigma / math.sqrt(8))


def test_a_number_of_epochs_seen_before_pastes_its_background() -> None:
    ex = widgets.batch_size_explorer(epochs=3)
    first = _png(ex)
    ex.controls["epochs"].value = 6  # a new epoch axis: a full draw
    assert ex.view.fig.axes[2].get_xlim() == (0, 6)
    ex.controls["epochs"].value = 3  # back: the kept background, the same picture
    assert _png(ex) == first


def test_readout_counts_steps_with_a_partial_last_batch() -> None:
    ex = widgets.batch_size_explorer(batch_size=100, epochs=2)
    assert (ex.data.steps_per_epoch, ex.data.last_batch) == (3, 56)
    assert len(ex.data.path) == 2 * 3 + 1
    text = ex.readout.value
    assert "⌈256/100⌉ = <b>3 steps per epoch</b>" in text
    assert "the last one holds 56" in text
    assert "2 epochs = 6 steps" in text


def test_preset_button_sets_the_batch_size() -> None:
    ex = widgets.batch_size_explorer()
    buttons = [w for row in ex.children for w in getattr(row, "children", ())
               if type(w).__name__ == "Button"]
    full = next(b for b in buttons if "full batch" in b.description)
    full.click()
    assert ex.controls["batch_size"].value == bs.NUM_SAMPLES
    assert ex.data.batch_size == bs.NUM_SAMPLES and ex.data.steps_per_epoch == 1
    assert ex.data.measured == pytest.approx(0.0, abs=1e-12)  # the full batch has no noise
    assert "<b>1 steps per epoch</b>" in ex.readout.value


def test_measured_noise_follows_one_over_root_b() -> None:
    task = bs.make_task()
    grads = task.grads_at_start
    mean = grads.mean(axis=0)
    sigma = np.sqrt(np.mean(np.sum((grads - mean) ** 2, axis=1)))
    n = len(grads)
    for b in (4, 16, 64):
        g_b = task.cloud_cumsum[:, b] / b
        measured = np.sqrt(np.mean(np.sum((g_b - mean) ** 2, axis=1)))
        predicted = sigma / math.sqrt(b) * math.sqrt((n - b) / (n - 1))
        assert measured == pytest.approx(predicted, rel=0.15)
    assert np.allclose(task.cloud_cumsum[:, n] / n, mean)  # the full batch has no noise


def test_sgd_path_matches_a_plain_loop() -> None:
    task = bs.make_task()
    path, diverged = bs.sgd_path(task, batch_size=50, learning_rate=0.05, epochs=2)
    assert diverged == -1 and path.shape == (2 * 6 + 1, 2)
    # the same epochs' shuffles, recovered from the cumulative sums of x
    w, b = task.start
    x, y = task.x, task.y
    row = 1
    for epoch in range(2):
        xs = np.diff(task.cumsums["x"][epoch])  # x in this epoch's order
        order = [int(np.flatnonzero(np.isclose(x, v))[0]) for v in xs]
        for start in range(0, len(x), 50):
            idx = order[start:start + 50]
            r = w * x[idx] + b - y[idx]
            w, b = w - 0.05 * 2 * np.mean(r * x[idx]), b - 0.05 * 2 * np.mean(r)
            assert path[row] == pytest.approx([w, b])
            row += 1


def test_full_batch_is_gradient_descent_and_a_large_rate_diverges() -> None:
    task = bs.make_task()
    path, _ = bs.sgd_path(task, batch_size=bs.NUM_SAMPLES, learning_rate=0.1, epochs=3)
    assert path.shape == (4, 2)
    losses = task.loss(path[:, 0], path[:, 1])
    assert np.all(np.diff(losses) < 0)
    _, diverged = bs.sgd_path(task, batch_size=1, learning_rate=1.0, epochs=3)
    assert diverged > 0


@pytest.mark.parametrize("kwargs", [{"batch_size": 0}, {"batch_size": 10_000},
                                    {"batch_size": 2.5}, {"learning_rate": -0.1},
                                    {"learning_rate": 5.0}, {"learning_rate": float("nan")},
                                    {"epochs": 0}, {"epochs": 99}])
def test_bad_arguments_raise_value_error(kwargs: dict) -> None:
    with pytest.raises(ValueError, match="must be"):
        widgets.batch_size_explorer(**kwargs)
