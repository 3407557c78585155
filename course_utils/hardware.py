"""Devices, precision, XLA and distribution strategies, and a fair way to time a step.

Taught in 11_fast_training_and_scaling. The one rule of measuring speed: exclude the
warm-up (the first calls trace and compile the step function) and report a median
over several steps, since single timings on a shared laptop jump around.
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
           "mirrored_strategy", "suggested_precision", "StepTime", "time_steps",
           "time_training_step", "time_pipeline", "results_table"]


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


def suggested_precision() -> str:
    """The mixed-precision policy worth trying here, and why in the chapter.

    ``mixed_float16`` on NVIDIA GPUs with tensor cores (compute capability 7.0+);
    on a CPU, ``float32``: ``mixed_bfloat16`` runs everywhere but only pays on CPUs
    with bfloat16 instructions (AVX512_BF16, AMX); elsewhere it is emulated. Measure.
    """
    for gpu in tf.config.list_physical_devices("GPU"):
        capability = tf.config.experimental.get_device_details(gpu).get("compute_capability")
        if capability and capability >= (7, 0):
            return "mixed_float16"
    return "float32"


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
