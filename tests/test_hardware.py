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
    assert hardware.suggested_precision() in ("float32", "mixed_float16", "mixed_bfloat16")
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


@pytest.mark.parametrize(("capabilities", "expected"), [
    ([(9, 0)], "mixed_bfloat16"),  # H100
    ([(8, 0)], "mixed_bfloat16"),  # A100: Ampere, the first with bfloat16 tensor cores
    ([(8, 9)], "mixed_bfloat16"),  # L4 / RTX 40xx
    ([(7, 5)], "mixed_float16"),  # T4: float16 tensor cores only
    ([(7, 0)], "mixed_float16"),  # V100
    ([(6, 1)], "float32"),  # Pascal: no tensor cores
    ([(9, 0), (7, 5)], "mixed_float16"),  # the oldest GPU decides
])
def test_precision_for_gpus(capabilities, expected) -> None:
    assert hardware.precision_for(capabilities) == expected
    assert hardware.precision_for(capabilities, cpu_bfloat16=True) == expected  # the GPU decides


def test_precision_for_cpus() -> None:
    assert hardware.precision_for((), cpu_bfloat16=True) == "mixed_bfloat16"
    assert hardware.precision_for((), cpu_bfloat16=False) == "float32"
    assert hardware.precision_for((), cpu_bfloat16=None) == "float32"  # unknown: stay safe


def test_cpu_has_bfloat16_reads_the_flags() -> None:
    assert hardware.cpu_has_bfloat16({"avx2", "avx512f", "avx512_bf16"}) is True
    assert hardware.cpu_has_bfloat16({"avx2", "amx_tile", "amx_bf16"}) is True
    assert hardware.cpu_has_bfloat16({"avx2", "avx512f"}) is False
    assert hardware.cpu_has_bfloat16(frozenset()) is False
    flags = hardware.cpu_flags()
    assert flags is None or "fpu" in flags or len(flags) > 0


class _FakeGPU:
    def __init__(self, name: str) -> None:
        self.name = name


def _fake_machine(monkeypatch, details: list[dict]) -> None:
    """Pretend TensorFlow sees GPUs with these device details (no GPU needed)."""
    import tensorflow as tf

    fakes = [_FakeGPU(f"/physical_device:GPU:{i}") for i in range(len(details))]
    by_name = {g.name: d for g, d in zip(fakes, details, strict=True)}
    real = tf.config.list_physical_devices
    monkeypatch.setattr(tf.config, "list_physical_devices",
                        lambda kind=None: list(fakes) if kind == "GPU" else real(kind))
    monkeypatch.setattr(tf.config.experimental, "get_device_details", lambda gpu: by_name[gpu.name])


@pytest.mark.parametrize(("details", "expected"), [
    ([{"device_name": "NVIDIA H100 80GB HBM3", "compute_capability": (9, 0)}], "mixed_bfloat16"),
    ([{"device_name": "NVIDIA A100-SXM4-40GB", "compute_capability": (8, 0)}], "mixed_bfloat16"),
    ([{"device_name": "Tesla T4", "compute_capability": (7, 5)}], "mixed_float16"),
    ([{"device_name": "Tesla P100", "compute_capability": (6, 0)}], "float32"),
    ([{"device_name": "a GPU without details"}], "float32"),
])
def test_suggested_precision_on_fake_gpus(monkeypatch, details, expected) -> None:
    _fake_machine(monkeypatch, details)
    assert hardware.suggested_precision() == expected
    assert details[0]["device_name"] in hardware.describe()


def test_suggested_precision_on_a_cpu_follows_its_flags(monkeypatch) -> None:
    _fake_machine(monkeypatch, [])
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset({"avx2", "amx_bf16"}))
    assert hardware.suggested_precision() == "mixed_bfloat16"
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset({"avx2"}))
    assert hardware.suggested_precision() == "float32"
    monkeypatch.setattr(hardware, "cpu_flags", lambda: None)
    assert hardware.suggested_precision() == "float32"


def _step(ms: float, batch: int = 100) -> hardware.StepTime:
    return hardware.StepTime(ms, ms * 0.9, ms * 1.1, batch / (ms / 1000), 10)


def test_repeat_interleaved_takes_turns() -> None:
    order = []

    def measure(name: str):
        def run() -> hardware.StepTime:
            order.append(name)
            return _step(10.0)
        return run

    runs = hardware.repeat_interleaved({"a": measure("a"), "b": measure("b")}, repeats=3)
    assert order == ["a", "b"] * 3
    assert [len(v) for v in runs.values()] == [3, 3]
    with pytest.raises(ValueError, match="repeats"):
        hardware.repeat_interleaved({"a": measure("a")}, repeats=1)
    with pytest.raises(ValueError, match="StepTime"):
        hardware.repeat_interleaved({"bad": lambda: 3.0}, repeats=2)


def test_speedup_pairs_repeats_and_calls_noise_noise() -> None:
    base = [_step(ms) for ms in (10.0, 12.0, 9.0, 11.0, 10.0)]
    twice = [_step(ms / 2) for ms in (10.0, 12.0, 9.5, 11.0, 10.5)]
    fast = hardware.speedup(twice, base, "half", "full")
    assert fast.verdict == "faster" and 1.8 < fast.median < 2.2 and fast.low > 1
    assert "x2.00" in str(fast) and "faster" in str(fast)
    assert hardware.speedup(base, twice).verdict == "slower"
    noisy = [_step(ms) for ms in (9.0, 13.0, 8.0, 12.0, 10.0)]
    same = hardware.speedup(noisy, base)
    assert same.verdict == "within noise" and same.low < 1 < same.high
    with pytest.raises(ValueError, match="pairs"):
        hardware.speedup(base[:3], base)


def test_pooled_takes_the_median_and_the_widest_spread() -> None:
    pooled = hardware.pooled([_step(10.0), _step(20.0), _step(12.0)])
    assert pooled.median_ms == 12.0 and pooled.p10_ms == 9.0 and pooled.p90_ms == 22.0
    assert pooled.steps == 30
    with pytest.raises(ValueError):
        hardware.pooled([])


def test_results_figure_draws_one_bar_per_row_from_zero() -> None:
    import matplotlib

    matplotlib.use("Agg")
    ax = hardware.results_figure({"input pipeline": _step(1.0), "training step": _step(10.0),
                                  "training epoch (fit)": _step(5.0)})
    assert len(ax.patches) == 3 and ax.get_xlim()[0] == 0
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["training step", "training epoch (fit)", "input pipeline"]  # by kind
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "training steps", "epochs of fit", "input pipelines"]
    with pytest.raises(ValueError):
        hardware.results_figure({})
