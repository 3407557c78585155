"""Checkers of chapter 11 accept the solutions and explain the usual slips."""

from __future__ import annotations

from course_utils import exercises


def test_global_batch() -> None:
    assert exercises.check_global_batch(lambda b, r: b * r)
    assert exercises.check_global_batch(lambda b, r: None).status == "not attempted"
    wrong = exercises.check_global_batch(lambda b, r: b // r)
    assert wrong.status == "wrong" and "two CPUs" in wrong.message and "64" in wrong.message


def test_scaled_learning_rate() -> None:
    assert exercises.check_scaled_learning_rate(lambda lr, b0, b1: lr * b1 / b0)
    wrong = exercises.check_scaled_learning_rate(lambda lr, b0, b1: lr * (b1 / b0) ** 0.5)
    assert wrong.status == "wrong" and "scale the rate" in wrong.message


def test_parallelism_choice() -> None:
    good = {
        "model fits on one GPU, want more throughput": "data",
        "model's weights do not fit on one GPU": "model",
        "what the removed multi_gpu_model did": "data",
        "what MirroredStrategy does": "data",
    }
    assert exercises.check_parallelism_choice(good)
    assert exercises.check_parallelism_choice(None).status == "not attempted"
    bad = {**good, "what the removed multi_gpu_model did": "model"}
    feedback = exercises.check_parallelism_choice(bad)
    assert not feedback and "multi_gpu_model" in feedback.message and "data parallelism" in feedback.message
    assert "answer 'data' or 'model'" in exercises.check_parallelism_choice({**good, "what MirroredStrategy does": "both"}).message
