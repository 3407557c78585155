"""Checkers for 11_fast_training_and_scaling: global batch size and the learning rate that goes with it."""

from __future__ import annotations

from collections.abc import Callable

from course_utils.exercises._core import Feedback, check_cases

__all__ = ["check_global_batch", "check_scaled_learning_rate", "check_parallelism_choice"]


def check_global_batch(fn: Callable[[int, int], int]) -> Feedback:
    """``fn(per_replica_batch, num_replicas)`` must return the global batch size."""
    cases = [
        ("one device", (32, 1), 32, "with one replica the global batch is the per-replica batch"),
        ("two CPUs", (32, 2), 64, "every replica gets its own per-replica batch each step"),
        ("eight GPUs", (128, 8), 1024, "multiply, don't divide: each replica adds a batch"),
    ]
    return check_cases(fn, cases, success="global batch = per-replica batch x replicas; "
                       "pass the global size to dataset.batch() under a strategy.")


def check_scaled_learning_rate(fn: Callable[[float, int, int], float]) -> Feedback:
    """``fn(base_lr, base_batch, new_batch)``: the linear scaling rule (Goyal et al., 2017)."""
    cases = [
        ("same batch", (0.1, 256, 256), 0.1, "the rate should not change when the batch does not"),
        ("4x batch", (0.1, 256, 1024), 0.4, "scale the rate by new_batch / base_batch"),
        ("half batch", (0.01, 64, 32), 0.005, "the rule works downwards too"),
    ]
    return check_cases(fn, cases, rtol=1e-9, success="η scales with the global batch; add a "
                       "few epochs of warm-up when the factor is large.")


def check_parallelism_choice(answers: dict[str, str] | None) -> Feedback:
    """Map each situation to "data" or "model" parallelism."""
    expected = {
        "model fits on one GPU, want more throughput": "data",
        "model's weights do not fit on one GPU": "model",
        "what the removed multi_gpu_model did": "data",
        "what MirroredStrategy does": "data",
    }
    if answers is None:
        return Feedback("not attempted", "fill in the dictionary with 'data' or 'model'.")
    for situation, want in expected.items():
        got = str(answers.get(situation, "")).strip().lower()
        if got not in ("data", "model"):
            return Feedback("wrong", f"'{situation}': answer 'data' or 'model', got {got!r}.")
        if got != want:
            hint = ("data parallelism copies the whole model to every device and splits the batch"
                    if want == "data" else
                    "model parallelism splits the model's layers or weights across devices")
            return Feedback("wrong", f"'{situation}': it is {want} parallelism. Hint: {hint}.")
    return Feedback("correct", "data parallelism splits the batch, model parallelism splits "
                    "the model.")
