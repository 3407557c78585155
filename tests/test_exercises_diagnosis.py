"""Checkers of chapter 12 accept the worked solutions and explain each wrong choice."""

from __future__ import annotations

import pytest

from course_utils import exercises
from course_utils.exercises import diagnosis

# Numbers of the kind the chapter's cases measure (the notebook passes its own).
MEASURED = {
    "dead_losses": [2.3031, 2.3026, 2.3025], "dead_fraction": 1.0, "dead_accuracy": 0.1,
    "overfit_images": 60, "overfit_weights": 85002,
    "overfit_train_losses": [1.2, 0.4, 0.01], "overfit_val_losses": [1.5, 0.9, 1.3],
    "overfit_best_epoch": 2, "overfit_rise": 0.44,
    "regression_eta": 0.5, "regression_L": 6.61, "regression_losses": [4.4, 1.9e3, float("inf")],
    "regression_growth": 141000.0, "epoch_seconds": 1.7, "pipeline_ms": 95.2, "step_ms": 1.9,
    "handmade_losses": [0.38, 0.2, 0.037], "nan_epoch": 18, "largest_logit": 19.3,
    "saturated_fraction": 0.08,
}


def test_every_question_is_well_formed() -> None:
    for number, q in diagnosis.QUESTIONS.items():
        assert q.answer in q.options, number
        assert set(q.feedback) == set(q.options) - {q.answer}, f"feedback for every wrong option ({number})"
        assert all(text.strip() for text in q.feedback.values())
    text = diagnosis.questions_markdown(MEASURED)
    assert text.count("**Question") == len(diagnosis.QUESTIONS) and "(b)" in text
    assert "{" not in text.replace("{'hidden'", ""), "every placeholder is filled"


def test_questions_quote_the_measured_numbers() -> None:
    text = diagnosis.questions_markdown(MEASURED)
    for shown in ("85,002 weights", "141,000", "2/L = 0.30", "95.2 ms", "8%", "epoch 18",
                  "{'hidden': 1.00}", "60 images", "+44%" if "+44%" in text else "44%"):
        assert shown in text, shown
    changed = diagnosis.questions_markdown({**MEASURED, "overfit_weights": 12345})
    assert "12,345 weights" in changed and "85,002" not in changed


def test_questions_say_which_numbers_are_missing() -> None:
    with pytest.raises(ValueError, match="overfit_weights"):
        diagnosis.questions_markdown({k: v for k, v in MEASURED.items() if k != "overfit_weights"})
    with pytest.raises(ValueError, match="dict"):
        diagnosis.questions_markdown(None)


def test_diagnosis_accepts_the_solution() -> None:
    feedback = exercises.check_diagnosis(diagnosis.solution_answers())
    assert feedback and "every diagnosis is right" in feedback.message


def test_diagnosis_not_attempted() -> None:
    assert exercises.check_diagnosis(None).status == "not attempted"
    assert exercises.check_diagnosis({n: None for n in diagnosis.QUESTIONS}).status == "not attempted"


@pytest.mark.parametrize("number", list(diagnosis.QUESTIONS))
def test_each_wrong_option_gets_its_own_feedback(number: int) -> None:
    q = diagnosis.QUESTIONS[number]
    for letter in set(q.options) - {q.answer}:
        answers = {**diagnosis.solution_answers(), number: letter}
        feedback = exercises.check_diagnosis(answers)
        assert feedback.status == "wrong"
        assert f"question {number}" in feedback.message and q.feedback[letter] in feedback.message


def test_diagnosis_partial_and_malformed_answers() -> None:
    partial = exercises.check_diagnosis({1: "b"})
    assert partial.status == "wrong" and "still have no answer" in partial.message and "[1]" in partial.message
    bad_letter = exercises.check_diagnosis({**diagnosis.solution_answers(), 2: "z"})
    assert not bad_letter and "answer one of" in bad_letter.message
    assert exercises.check_diagnosis({**diagnosis.solution_answers(), 3: "(A)"})  # forgiving format
    assert not exercises.check_diagnosis(["b", "b"])


def test_compile_fix_accepts_the_solution() -> None:
    feedback = exercises.check_compile_fix(diagnosis.compile_fix_solution)
    assert feedback, feedback.message
    assert "sparse_categorical_crossentropy" in feedback.message


def test_compile_fix_not_attempted() -> None:
    assert exercises.check_compile_fix(lambda model: None).status == "not attempted"


def _compiles_with(**kwargs):
    def fix(model):
        model.compile(**kwargs)
        return model
    return fix


def test_compile_fix_explains_the_articles_loss() -> None:
    feedback = exercises.check_compile_fix(_compiles_with(optimizer="adam", loss="categorical_crossentropy"))
    assert feedback.status == "wrong"
    assert "class indices" in feedback.message and "sparse_categorical_crossentropy" in feedback.message


def test_compile_fix_explains_mse_and_from_logits() -> None:
    import keras

    mse = exercises.check_compile_fix(_compiles_with(optimizer="adam", loss="mse"))
    assert not mse and "regression loss" in mse.message
    logits = exercises.check_compile_fix(_compiles_with(
        optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)))
    assert not logits and "from_logits=True" in logits.message


def test_compile_fix_explains_the_removed_lr_argument() -> None:
    import keras

    def fix(model):
        model.compile(optimizer=keras.optimizers.Adam(lr=0.001),  # the removed spelling (myth)
                      loss="sparse_categorical_crossentropy")
        return model

    feedback = exercises.check_compile_fix(fix)
    assert not feedback and "learning_rate" in feedback.message


def test_compile_fix_catches_a_diverging_learning_rate() -> None:
    import keras

    feedback = exercises.check_compile_fix(_compiles_with(
        optimizer=keras.optimizers.SGD(learning_rate=1e4), loss="sparse_categorical_crossentropy"))
    assert not feedback and ("NaN" in feedback.message or "blew up" in feedback.message)


def test_compile_fix_wants_the_model_back() -> None:
    def fix(model):
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        return "done"

    assert "must return the compiled Keras model" in exercises.check_compile_fix(fix).message
    assert "not compiled" in exercises.check_compile_fix(lambda model: model).message
