"""The step-time harness, device helpers and MirroredStrategy on two logical CPUs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from course_utils import hardware


def test_time_steps_excludes_warmup_and_reports_median() -> None:
    calls = []

    def step() -> None:
        calls.append(1)
        time.sleep(0.05 if len(calls) <= 2 else 0.002)  # slow warm-up, fast steps

    result = hardware.time_steps(step, batch_size=10, steps=5, warmup=2)
    assert len(calls) == 7 and result.steps == 5
    assert result.median_ms < 20  # the 50 ms warm-up calls are not counted
    assert result.examples_per_s == pytest.approx(10 / (result.median_ms / 1000))
    with pytest.raises(ValueError):
        hardware.time_steps(step, batch_size=0)


def test_mirrored_strategy_over_two_logical_cpus_trains_with_fit() -> None:
    code = textwrap.dedent("""
        from course_utils import hardware
        names = hardware.split_cpu(2)
        assert len(names) == 2, names
        import keras, numpy as np
        strategy = hardware.mirrored_strategy()
        assert strategy.num_replicas_in_sync == 2
        with strategy.scope():
            model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
            model.compile(optimizer="sgd", loss="mse")
        x = np.random.default_rng(0).normal(size=(256, 4)).astype("float32")
        history = model.fit(x, x.sum(axis=1), batch_size=32, epochs=3, verbose=0)
        assert history.history["loss"][-1] < history.history["loss"][0]
        try:
            hardware.split_cpu(3)
        except ValueError as err:
            assert "restart the kernel" in str(err).lower()
        else:
            raise AssertionError("split_cpu after start-up must refuse")
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "ok" in out.stdout, out.stderr[-2000:]


def test_pipeline_timing_and_precision_suggestion() -> None:
    import tensorflow as tf

    ds = tf.data.Dataset.range(1000).batch(10)
    result = hardware.time_pipeline(ds, batches=5)
    assert result.steps > 0 and result.examples_per_s > 0
    assert hardware.suggested_precision() in ("float32", "mixed_float16")
    assert set(hardware.devices()) == {"physical_cpu", "physical_gpu", "logical"}


def test_describe_names_the_machine() -> None:
    line = hardware.describe()
    assert "CPU:" in line and "cores" in line
    assert ("no GPU" in line) == (not hardware.gpus())


def test_results_table_is_markdown_with_hardware_and_every_row() -> None:
    results = {
        "float32": hardware.StepTime(10.0, 9.0, 12.0, 25_600.0, 20),
        "XLA": hardware.StepTime(5.0, 4.5, 6.0, 51_200.0, 20),
    }
    table = hardware.results_table(results, note="batch 256")
    lines = table.splitlines()
    assert lines[0].startswith("Hardware: ") and "TensorFlow 2." in lines[0]
    assert "batch 256" in lines[1]
    assert "| float32 | 10.00 | 9.00-12.00 | 25,600 |" in lines
    assert "| XLA | 5.00 | 4.50-6.00 | 51,200 |" in lines
    with pytest.raises(ValueError, match="empty"):
        hardware.results_table({})
    with pytest.raises(ValueError, match="StepTime"):
        hardware.results_table({"bad": 3.0})  # type: ignore[dict-item]
