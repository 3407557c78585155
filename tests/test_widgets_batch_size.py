"""The batch-size explorer: redraws on every control, says the right numbers, refuses bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_utils import widgets
from course_utils.widgets import batch_size as bs


@pytest.fixture(scope="module")
def explorer() -> widgets.Explorer:
    return widgets.batch_size_explorer()


def _png(ex: widgets.Explorer) -> bytes:
    return bytes(ex.view.image.value)


def test_builds_with_defaults_and_exposes_its_controls(explorer: widgets.Explorer) -> None:
    assert {"batch_size B", "learning_rate η", "epochs"} <= set(explorer.controls)
    assert _png(explorer).startswith(b"\x89PNG")
    assert "16 steps per epoch" in explorer.readout.value  # default B = 16, N = 256


@pytest.mark.parametrize(("control", "value"),
                         [("batch_size B", 100), ("learning_rate η", 0.2), ("epochs", 6)])
def test_each_control_redraws_and_updates_the_readout(explorer: widgets.Explorer, control: str,
                                                      value: float) -> None:
    before, text = _png(explorer), explorer.readout.value
    explorer.controls[control].value = value
    assert _png(explorer) != before
    assert explorer.readout.value != text


def test_readout_counts_steps_with_a_partial_last_batch() -> None:
    ex = widgets.batch_size_explorer(batch_size=100, epochs=2)
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
    assert ex.controls["batch_size B"].value == bs.NUM_SAMPLES
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
