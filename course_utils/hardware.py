"""Devices, precision, XLA and distribution strategies, and a fair way to time a step.

Taught in 11_fast_training_and_scaling. The rules of measuring speed: exclude the
warm-up (the first calls trace and compile the step function), report a median over
several steps, since single timings on a shared laptop jump around, and before calling
one setting faster, repeat both in turns (``repeat_interleaved``) and compare them
repeat by repeat (``speedup``): repeats are to timings what seeds are to accuracies.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from course_utils.environment import _stderr_silenced, import_tensorflow_quietly

import_tensorflow_quietly()  # without TensorFlow's C++ start-up lines; devices stay configurable
import tensorflow as tf  # noqa: E402

__all__ = ["gpus", "devices", "describe", "enable_memory_growth", "split_cpu",
           "mirrored_strategy", "cpu_flags", "cpu_has_bfloat16", "precision_for",
           "suggested_precision", "StepTime", "time_steps", "time_training_step",
           "time_pipeline", "repeat_interleaved", "pooled", "SpeedUp", "speedup",
           "results_table", "results_figure"]


def gpus() -> list[str]:
    """The physical GPUs TensorFlow sees (safe to call before devices are set up)."""
    with _stderr_silenced():  # probing CUDA on a machine without it prints a cuInit error
        return [d.name for d in tf.config.list_physical_devices("GPU")]


def devices() -> dict[str, list[str]]:
    """The physical CPUs and GPUs TensorFlow sees, and the logical devices made from them.

    Listing logical devices starts TensorFlow's runtime: call ``split_cpu`` or
    ``enable_memory_growth`` before this, not after.
    """
    return {
        "physical_cpu": [d.name for d in tf.config.list_physical_devices("CPU")],
        "physical_gpu": [d.name for d in tf.config.list_physical_devices("GPU")],
        "logical": [d.name for d in tf.config.list_logical_devices()],
    }


def _cpu_name() -> str:
    """The processor's model name, from /proc/cpuinfo on Linux, else what Python knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe() -> str:
    """One line naming the hardware, for the benchmark table: GPUs if any, and the CPU.

    A figure means little without the machine it was measured on, so every table the
    course prints starts with this line.
    """
    names = []
    with _stderr_silenced():
        physical = tf.config.list_physical_devices("GPU")
    for gpu in physical:
        details = tf.config.experimental.get_device_details(gpu)
        capability = details.get("compute_capability")
        cc = f" (compute capability {capability[0]}.{capability[1]})" if capability else ""
        names.append(f"{details.get('device_name', gpu.name)}{cc}")
    gpu_part = ", ".join(names) if names else "no GPU"
    return f"{gpu_part}; CPU: {_cpu_name()}, {os.cpu_count()} cores"


def enable_memory_growth() -> list[str]:
    """Let each GPU's memory grow as needed instead of grabbing it all at start-up.

    By default TensorFlow reserves nearly all of a GPU's memory for itself; with
    growth on, two notebooks (or a notebook and a training script) can share a GPU.
    Must run before the GPU is first used. Returns the GPUs changed (none on a CPU).
    """
    changed = []
    for gpu in tf.config.list_physical_devices("GPU"):
        tf.config.experimental.set_memory_growth(gpu, True)
        changed.append(gpu.name)
    return changed


def split_cpu(num_devices: int = 2) -> list[str]:
    """Split the CPU into ``num_devices`` logical devices (to try multi-device code on a laptop).

    This only works before TensorFlow has initialised its devices (before the first
    operation), which is why chapter 11 calls it in its first cell. Calling it again
    with the same number is harmless.
    """
    if num_devices < 1:
        raise ValueError(f"num_devices must be >= 1, got {num_devices}.")
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(num_devices)])
    except RuntimeError as err:
        current = tf.config.list_logical_devices("CPU")
        if len(current) == num_devices:
            return [d.name for d in current]
        raise ValueError(
            f"TensorFlow has already started with {len(current)} CPU device(s); split_cpu must "
            "run before any TensorFlow operation. Restart the kernel and call it first.") from err
    return [d.name for d in tf.config.list_logical_devices("CPU")]


def mirrored_strategy() -> tf.distribute.MirroredStrategy:
    """Data parallelism on this machine: all GPUs if there are any, else the logical CPUs.

    ``MirroredStrategy`` keeps one copy of the model per device, gives each a slice of
    every batch, and averages the gradients (all-reduce) before one shared update.
    """
    gpus = tf.config.list_logical_devices("GPU")
    chosen = gpus if gpus else tf.config.list_logical_devices("CPU")
    return tf.distribute.MirroredStrategy([d.name for d in chosen])


BFLOAT16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")  # Linux /proc/cpuinfo names


def cpu_flags() -> frozenset[str] | None:
    """The instruction-set flags the CPU reports (Linux ``/proc/cpuinfo``), or None if unknown.

    This is how to learn what the processor can do: TensorFlow's own start-up line
    naming the instructions it was built for is hidden by the course, and a speed-up is
    no proof of any instruction (less memory traffic also speeds a step up).
    """
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("flags"):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return None


def cpu_has_bfloat16(flags: frozenset[str] | set[str] | None = None) -> bool | None:
    """Does the CPU list bfloat16 instructions (AVX512_BF16 or AMX-BF16)? None when unknown.

    ``flags`` defaults to ``cpu_flags()``; pass a set to ask about another machine.
    """
    flags = cpu_flags() if flags is None else flags
    if flags is None:
        return None
    return any(flag in flags for flag in BFLOAT16_CPU_FLAGS)


def precision_for(gpu_capabilities: list[tuple[int, int]] | tuple = (),
                  cpu_bfloat16: bool | None = False) -> str:
    """The mixed-precision policy worth trying on hardware described by its details.

    ``gpu_capabilities`` holds each NVIDIA GPU's compute capability, e.g. ``[(9, 0)]`` for
    an H100; the oldest GPU decides, since every replica runs the same policy.

    - Ampere and newer (compute capability 8.0+: A100, RTX 30xx, L4, H100...):
      ``mixed_bfloat16``. Their tensor cores run bfloat16 as fast as float16, and
      bfloat16 keeps float32's 8 exponent bits, so small gradients do not underflow
      and no loss scaling is needed: one failure mode (a loss scale that overflows or
      collapses) and one wrapper (``LossScaleOptimizer``) fewer. float16 keeps more
      digits (10 mantissa bits against 7); choose it on these GPUs if a model turns
      out to need them, and measure.
    - Volta and Turing (7.0 to 7.5: V100, T4, RTX 20xx): ``mixed_float16``, the only
      16-bit type their tensor cores speed up; it needs loss scaling, which
      ``compile`` adds by itself under this policy.
    - Older GPUs (below 7.0): ``float32``; they have no tensor cores.
    - No GPU: ``mixed_bfloat16`` if the CPU lists bfloat16 instructions
      (``cpu_bfloat16``: AVX512_BF16 or AMX), else ``float32`` (bfloat16 still runs,
      emulated, and rarely pays). Either way, measure before you keep it.
    """
    capabilities = [tuple(int(v) for v in c) for c in gpu_capabilities if c]
    if capabilities:
        oldest = min(capabilities)
        if oldest >= (8, 0):
            return "mixed_bfloat16"
        if oldest >= (7, 0):
            return "mixed_float16"
        return "float32"
    return "mixed_bfloat16" if cpu_bfloat16 else "float32"


def suggested_precision() -> str:
    """The mixed-precision policy worth trying on this machine (``precision_for`` its details).

    ``mixed_bfloat16`` on NVIDIA GPUs of compute capability 8.0 and newer (no loss
    scaling needed), ``mixed_float16`` on 7.x, ``float32`` on older GPUs; without a GPU,
    ``mixed_bfloat16`` where the CPU lists bfloat16 instructions, else ``float32``.
    """
    with _stderr_silenced():
        physical = tf.config.list_physical_devices("GPU")
    capabilities = [tf.config.experimental.get_device_details(gpu).get("compute_capability")
                    for gpu in physical]
    if physical:
        return precision_for([c for c in capabilities if c] or [(0, 0)])
    return precision_for((), cpu_has_bfloat16())


@dataclass(frozen=True)
class StepTime:
    """How long one step takes: median and spread in milliseconds, and throughput."""

    median_ms: float
    p10_ms: float
    p90_ms: float
    examples_per_s: float
    steps: int

    def __str__(self) -> str:
        return (f"{self.median_ms:.2f} ms/step (p10 {self.p10_ms:.2f}, p90 {self.p90_ms:.2f}), "
                f"{self.examples_per_s:,.0f} examples/s over {self.steps} steps")


def time_steps(step: Callable[[], Any], batch_size: int, steps: int = 20,
               warmup: int = 3) -> StepTime:
    """Time ``step()`` (which must finish its work before returning): warm-up excluded, median."""
    if steps < 1 or warmup < 0 or batch_size < 1:
        raise ValueError("steps and batch_size must be >= 1 and warmup >= 0.")
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    return StepTime(1000 * median, 1000 * float(np.percentile(times, 10)),
                    1000 * float(np.percentile(times, 90)), batch_size / median, steps)


def time_training_step(model: Any, x: np.ndarray, y: np.ndarray, steps: int = 20,
                       warmup: int = 3) -> StepTime:
    """Time ``model.train_on_batch`` on one fixed batch (the compiled training step Keras runs).

    The model must be compiled; ``jit_compile`` and the dtype policy it was built with
    are what gets measured. Reading the loss back forces the step to finish.
    """
    def step() -> None:
        loss = model.train_on_batch(x, y)
        float(np.asarray(loss).ravel()[0])

    return time_steps(step, batch_size=len(x), steps=steps, warmup=warmup)


def time_pipeline(dataset: tf.data.Dataset, batches: int = 20, warmup: int = 2,
                  epochs: int = 2) -> StepTime:
    """Time reading ``batches`` batches from a ``tf.data`` pipeline, over ``epochs`` passes.

    With ``.cache()`` the first pass fills the cache and later passes read from it, so
    more than one epoch is timed; the median is over all the timed batches.
    """
    times, size = [], 0
    for epoch in range(epochs):
        iterator = iter(dataset.take(batches + warmup))
        for i in range(batches + warmup):
            start = time.perf_counter()
            batch = next(iterator)
            elapsed = time.perf_counter() - start
            if i >= warmup or epoch > 0:
                times.append(elapsed)
            first = batch[0] if isinstance(batch, tuple) else batch
            size = int(tf.shape(first)[0])
    median = statistics.median(times)
    return StepTime(1000 * median, 1000 * float(np.percentile(times, 10)),
                    1000 * float(np.percentile(times, 90)), size / median, len(times))


def repeat_interleaved(measures: dict[str, Callable[[], StepTime]],
                       repeats: int = 5) -> dict[str, list[StepTime]]:
    """Run every measurement ``repeats`` times, taking turns: A, B, C, A, B, C, ...

    Repeats are to a timing what seeds are to an accuracy: one timing on a shared
    machine is one draw, and a burst of background work can make either side look
    faster. Taking turns puts each burst on every setting alike, and repeat ``i`` of
    A and of B form a pair (``speedup`` compares them pair by pair).
    """
    if repeats < 2:
        raise ValueError(f"repeats must be >= 2 (a spread needs two), got {repeats}.")
    if not measures:
        raise ValueError("measures is empty: pass {name: function returning a StepTime}.")
    runs: dict[str, list[StepTime]] = {name: [] for name in measures}
    for _ in range(repeats):
        for name, measure in measures.items():
            result = measure()
            if not isinstance(result, StepTime):
                raise ValueError(f"measures[{name!r}] must return a StepTime, "
                                 f"got {type(result).__name__}.")
            runs[name].append(result)
    return runs


def pooled(runs: list[StepTime]) -> StepTime:
    """One ``StepTime`` for several repeats: the median of their medians, the widest spread."""
    if not runs:
        raise ValueError("runs is empty: pass the list of StepTime repeats of one setting.")
    return StepTime(statistics.median(r.median_ms for r in runs), min(r.p10_ms for r in runs),
                    max(r.p90_ms for r in runs),
                    statistics.median(r.examples_per_s for r in runs), sum(r.steps for r in runs))


@dataclass(frozen=True)
class SpeedUp:
    """How many times more examples per second ``name`` processes than ``baseline``.

    ``ratios`` holds one ratio per repeat (repeat i of one over repeat i of the other);
    ``median`` and ``min``/``max`` are what to report, ``low``/``high`` a 95% interval
    for the typical ratio (Student's t on the log ratios, as ``experiments.
    paired_difference`` does for seeds). ``verdict`` is "faster" or "slower" only when
    that interval excludes 1, else "within noise".
    """

    name: str
    baseline: str
    ratios: tuple[float, ...]
    low: float
    high: float

    @property
    def median(self) -> float:
        return statistics.median(self.ratios)

    @property
    def verdict(self) -> str:
        if self.low > 1:
            return "faster"
        if self.high < 1:
            return "slower"
        return "within noise"

    def __str__(self) -> str:
        return (f"{self.name} vs {self.baseline}: x{self.median:.2f} the examples/s "
                f"(median of {len(self.ratios)} repeats; range x{min(self.ratios):.2f} to "
                f"x{max(self.ratios):.2f}; 95% interval x{self.low:.2f} to x{self.high:.2f}): "
                f"{self.verdict}")


def speedup(runs: list[StepTime], baseline_runs: list[StepTime], name: str = "this",
            baseline: str = "baseline") -> SpeedUp:
    """Compare two settings timed in turns (``repeat_interleaved``), repeat by repeat."""
    from course_utils.experiments import paired_difference

    if len(runs) != len(baseline_runs) or len(runs) < 2:
        raise ValueError(f"runs and baseline_runs must be pairs of at least 2 repeats; got "
                         f"{len(runs)} and {len(baseline_runs)}.")
    a = np.log([r.examples_per_s for r in runs])
    b = np.log([r.examples_per_s for r in baseline_runs])
    d = paired_difference(a, b)
    return SpeedUp(name, baseline, tuple(float(v) for v in np.exp(a - b)),
                   float(np.exp(d.low)), float(np.exp(d.high)))


def results_table(results: dict[str, StepTime], note: str = "") -> str:
    """A Markdown table of step or batch times, headed by the hardware and library versions.

    ``results`` maps a measurement's name to its ``StepTime``. The header names the
    machine (``describe()``) and TensorFlow's and Keras's versions, since a figure from
    another machine or release is not comparable.
    """
    if not results:
        raise ValueError("results is empty: pass a dict of name -> StepTime.")
    import keras

    lines = [f"Hardware: {describe()}. TensorFlow {tf.__version__}, Keras {keras.__version__}."]
    if note:
        lines.append(note)
    lines += ["", "| measurement | median ms | p10-p90 ms | examples/s |", "|---|---:|---:|---:|"]
    for name, r in results.items():
        if not isinstance(r, StepTime):
            raise ValueError(f"results[{name!r}] must be a StepTime, got {type(r).__name__}.")
        lines.append(f"| {name} | {r.median_ms:.2f} | {r.p10_ms:.2f}-{r.p90_ms:.2f} "
                     f"| {r.examples_per_s:,.0f} |")
    return "\n".join(lines)


def results_figure(results: dict[str, StepTime], ax: Any = None) -> Any:
    """The benchmark table as a bar chart: examples per second, axis from zero.

    One bar per measurement (its median), grouped and coloured by kind: training steps,
    epochs of ``fit``, input pipelines (by the name's start: "training step", "training
    epoch", "input"); a line spans the p10 to p90 step times. All share one axis, since
    all are examples per second: a pipeline bar shorter than the training bars marks a
    run that waits for its data.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    if not results:
        raise ValueError("results is empty: pass a dict of name -> StepTime.")
    kinds = [("training step", "training steps", "C0"), ("training epoch", "epochs of fit", "C1"),
             ("input", "input pipelines", "C2"), ("", "other", "0.5")]

    def kind(name: str) -> int:
        return next(i for i, (prefix, _, _) in enumerate(kinds) if name.startswith(prefix))

    names = sorted(results, key=kind)  # stable: the table's order within each kind
    if ax is None:
        ax = plt.figure(figsize=(7, 0.6 + 0.4 * len(names))).add_subplot()
    rates = [results[n].examples_per_s for n in names]
    # examples/s at the p90 step time is the slow end, at the p10 the fast end
    slow = [results[n].examples_per_s * results[n].median_ms / results[n].p90_ms for n in names]
    fast = [results[n].examples_per_s * results[n].median_ms / results[n].p10_ms for n in names]
    rows = np.arange(len(names))
    ax.barh(rows, rates, color=[kinds[kind(n)][2] for n in names], alpha=0.8)
    ax.hlines(rows, slow, fast, color="black", lw=1.2)
    ax.set_yticks(rows, names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(left=0)
    ax.set_xlabel("examples per second (bar: median; line: p10 to p90 step time)")
    present = sorted({kind(n) for n in names})
    ax.legend(handles=[Patch(color=kinds[i][2], alpha=0.8, label=kinds[i][1]) for i in present],
              fontsize=8, loc="lower left", bbox_to_anchor=(1.01, 0.0))  # outside the bars
    return ax
