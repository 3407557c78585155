"""Checkers for 12_troubleshooting_clinic: name the cause from the measurements, fix a compile call.

- ``check_diagnosis(answers)``: multiple choice. Each question gives a symptom and
  the measurements taken; ``answers`` maps the question number to a letter. A wrong
  letter gets feedback written for that option: why the measurements rule it out.
  ``questions_markdown(measured)`` renders the questions with the numbers the chapter's
  own cases measured (``MEASUREMENTS`` names them), so the text quotes what the reader saw
  and the checker and the text never disagree. The questions' text lives in
  ``diagnosis.toml`` next to this file, so an instructor can edit the prose as data.
- ``check_compile_fix(fix)``: ``fix(model)`` must compile article 002's CNN so that
  it trains on integer labels 0-9, and return it. The checker compiles, compares the
  loss Keras reports with the cross-entropy of the predictions, and fits a few steps.

Keras is imported only inside ``check_compile_fix``, so ``from course_utils import
exercises`` stays fast for the chapters that do not train.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from course_utils.exercises._core import Feedback

__all__ = ["Question", "QUESTIONS", "MEASUREMENTS", "questions", "questions_markdown",
           "check_diagnosis", "solution_answers", "check_compile_fix", "article_002_model",
           "compile_fix_solution"]


@dataclass(frozen=True)
class Question:
    """A case to diagnose: what was seen, what was measured, the options, why each is (not) it."""

    symptom: str
    measurements: tuple[str, ...]
    options: dict[str, str]
    answer: str
    feedback: dict[str, str]  # for every wrong letter: why the measurements rule it out
    explanation: str  # for the right letter: the cause and the fix


def _load_questions() -> dict[int, Question]:
    """Read the quiz from ``diagnosis.toml`` next to this file (prose is easier to edit as data)."""
    table = tomllib.loads(resources.files(__package__).joinpath("diagnosis.toml").read_text("utf-8"))
    return {int(number): Question(symptom=q["symptom"], measurements=tuple(q["measurements"]),
                                  options=dict(q["options"]), answer=q["answer"],
                                  feedback=dict(q["feedback"]), explanation=q["explanation"])
            for number, q in table.items()}


QUESTIONS: dict[int, Question] = _load_questions()

#: What ``questions_markdown`` needs from the chapter's own runs, and what each is.
MEASUREMENTS: dict[str, str] = {
    "dead_losses": "case 2a's training loss per epoch (a sequence)",
    "dead_fraction": "case 2a's dead_relu_fraction of the hidden layer (a number)",
    "dead_accuracy": "case 2a's final training accuracy",
    "overfit_images": "how many images section 3 trains on",
    "overfit_weights": "the model's count_params()",
    "overfit_train_losses": "section 3's training loss per epoch (a sequence)",
    "overfit_val_losses": "section 3's validation loss per epoch (a sequence)",
    "overfit_best_epoch": "validation_turn(...).best_epoch",
    "overfit_rise": "validation_turn(...).rise (a fraction: 0.68 for +68%)",
    "regression_eta": "case 1a's learning rate",
    "regression_L": "case 1a's largest Hessian eigenvalue L",
    "regression_losses": "case 1a's loss per epoch (a sequence; inf where it overflowed)",
    "regression_growth": "case 1a's measured growth of the loss per epoch (a number)",
    "epoch_seconds": "section 4's seconds per epoch with the slow pipeline",
    "pipeline_ms": "section 4's time_pipeline median, ms per batch",
    "step_ms": "section 4's time_training_step median, ms per step",
    "handmade_losses": "case 1b's finite losses per epoch, before the NaN (a sequence)",
    "nan_epoch": "case 1b's first NaN epoch, counted from 1",
    "largest_logit": "case 1b's largest logit of the from_logits model",
    "saturated_fraction": "case 1b's fraction of examples whose sigmoid is exactly 1.0",
}


def _sequence(values: Any, digits: int = 3, most: int = 6) -> str:
    array = [float(v) for v in values]
    text = [f"{v:.{digits}g}" for v in array]
    if len(text) > most:
        text = text[:most // 2] + ["..."] + text[-(most // 2):]
    return ", ".join(text)


def _round3(value: Any) -> float:
    """``value`` rounded to three significant figures (141,234 -> 141,000)."""
    return float(f"{float(value):.3g}")


def _formatted(measured: Mapping[str, Any]) -> dict[str, str]:
    if not isinstance(measured, Mapping):
        raise ValueError("measured must be a dict of the chapter's numbers, with the keys "
                         f"{sorted(MEASUREMENTS)}.")
    missing = sorted(set(MEASUREMENTS) - set(measured))
    if missing:
        raise ValueError("questions_markdown needs these numbers from the chapter's runs: "
                         + "; ".join(f"{k} ({MEASUREMENTS[k]})" for k in missing))
    m = measured
    return {
        "dead_losses": _sequence(m["dead_losses"], 4),
        "dead_epochs": str(len(list(m["dead_losses"]))),
        "dead_fraction": f"{float(m['dead_fraction']):.2f}",
        "dead_accuracy": f"{float(m['dead_accuracy']):.2f}",
        "overfit_images": f"{int(m['overfit_images']):,}",
        "overfit_weights": f"{int(m['overfit_weights']):,}",
        "overfit_train_losses": _sequence(m["overfit_train_losses"], 2),
        "overfit_val_losses": _sequence(m["overfit_val_losses"], 2),
        "overfit_best_epoch": str(int(m["overfit_best_epoch"])),
        "overfit_rise": f"{float(m['overfit_rise']):.0%}",
        "regression_eta": f"{float(m['regression_eta']):g}",
        "regression_L": f"{float(m['regression_L']):.2f}",
        "regression_limit": f"{2 / float(m['regression_L']):.2f}",
        "regression_losses": _sequence(m["regression_losses"], 2),
        "regression_growth": f"{_round3(m['regression_growth']):,.0f}",
        "epoch_seconds": f"{float(m['epoch_seconds']):.2g}",
        "pipeline_ms": f"{float(m['pipeline_ms']):.3g}",
        "step_ms": f"{float(m['step_ms']):.2g}",
        "handmade_losses": _sequence(m["handmade_losses"], 2),
        "nan_epoch": str(int(m["nan_epoch"])),
        "largest_logit": f"{float(m['largest_logit']):.1f}",
        "saturated_fraction": f"{float(m['saturated_fraction']):.0%}",
    }


def questions(measured: Mapping[str, Any]) -> dict[int, Question]:
    """``QUESTIONS`` with the chapter's own numbers filled in (``measured``: see ``MEASUREMENTS``)."""
    values = _formatted(measured)
    return {number: Question(q.symptom.format(**values),
                             tuple(line.format(**values) for line in q.measurements),
                             q.options, q.answer, q.feedback, q.explanation)
            for number, q in QUESTIONS.items()}


def questions_markdown(measured: Mapping[str, Any]) -> str:
    """The questions as Markdown, with the numbers the chapter measured (``MEASUREMENTS``).

    The notebook passes what its own cases printed, so a question never quotes a number
    the reader did not see.
    """
    parts = []
    for number, q in questions(measured).items():
        lines = [f"**Question {number}.** {q.symptom}", "", "Measured:"]
        lines += [f"- {m}" for m in q.measurements]
        lines += [""] + [f"({letter}) {text}  " for letter, text in q.options.items()]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def check_diagnosis(answers: Mapping[int, str | None] | None) -> Feedback:
    """``answers`` maps each question number to a letter ``"a"``-``"d"``; feedback per option."""
    if answers is None or not isinstance(answers, Mapping) or all(
            answers.get(n) is None for n in QUESTIONS):
        if answers is not None and not isinstance(answers, Mapping):
            return Feedback("wrong", "answers must be a dict such as {1: 'b', 2: 'a', ...}.")
        return Feedback("not attempted",
                        f"fill in a letter for each of the questions {list(QUESTIONS)}.")
    open_questions = []
    right = []
    for number, q in QUESTIONS.items():
        given = answers.get(number)
        if given is None:
            open_questions.append(number)
            continue
        letter = str(given).strip().lower().strip("()")
        if letter not in q.options:
            return Feedback("wrong", f"question {number}: answer one of "
                            f"{', '.join(repr(k) for k in q.options)}, got {given!r}.")
        if letter != q.answer:
            return Feedback("wrong", f"question {number}: not ({letter}) "
                            f"\"{q.options[letter]}\": {q.feedback[letter]}")
        right.append(number)
    if open_questions:
        return Feedback("wrong", f"questions {right} are right; questions {open_questions} still "
                        "have no answer.")
    reasons = " ".join(f"({n}) {QUESTIONS[n].explanation}" for n in QUESTIONS)
    return Feedback("correct", f"every diagnosis is right. {reasons}")


# -- the compile fix -------------------------------------------------------------------------
def article_002_model(seed: int = 0) -> Any:
    """Article 002's MNIST CNN, sized for 8x8 digits: Conv2D, pooling, dropout, softmax output.

    Not compiled: that is the learner's job in ``check_compile_fix``.
    """
    import keras

    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.Input((8, 8, 1)),
        keras.layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Dropout(0.25),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(10, activation="softmax"),
    ], name="article_002_cnn")


def compile_fix_solution(model: Any) -> Any:
    """The worked solution: the same compile call with the loss that takes integer labels."""
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def check_compile_fix(fix: Callable[[Any], Any]) -> Feedback:
    """``fix(model)`` compiles article 002's CNN for integer labels 0-9 and returns it.

    The checker builds the CNN, calls ``fix``, then (1) looks for a mismatch between
    labels, output layer and loss, (2) checks that the loss Keras reports equals the
    cross-entropy of the model's predictions, and (3) fits three short epochs,
    whose loss must stay finite and fall.
    """
    import keras
    import numpy as np

    from course_utils import data, diagnostics

    model = article_002_model()
    try:
        result = fix(model)
    except Exception as err:  # a learner's bug is feedback, not a crash
        text = f"{type(err).__name__}: {err}"
        hint = ("Keras 3 has no `lr` argument: write learning_rate=..."
                if "'lr'" in str(err) or "lr" in str(err).split() else
                "compile the model given to you and return it.")
        return Feedback("wrong", f"fix(model) raised {text}. Hint: {hint}")
    if result is None:
        return Feedback("not attempted", "fix(model) returns None: compile the model and "
                        "return it.")
    if not isinstance(result, keras.Model):
        return Feedback("wrong", f"fix(model) must return the compiled Keras model, got "
                        f"{type(result).__name__}.")
    if getattr(result, "loss", None) is None or getattr(result, "optimizer", None) is None:
        return Feedback("wrong", "the model is not compiled: call model.compile(optimizer=..., "
                        "loss=..., metrics=['accuracy']) inside fix, then return the model.")
    split = data.load_digits()
    x, y = split.x_train[:256], split.y_train[:256]
    try:
        problems = diagnostics.label_loss_problems(y, result)
    except ValueError as err:
        return Feedback("wrong", f"could not read the compiled loss: {err}")
    if problems:
        return Feedback("wrong", f"with integer labels 0-9 (shape {y.shape}) and a 10-unit "
                        f"softmax output: {problems[0]}")
    try:
        probabilities = np.asarray(result.predict(x[:64], verbose=0), dtype="float64")
        reported = float(result.evaluate(x[:64], y[:64], verbose=0, return_dict=True)["loss"])
        history = result.fit(x, y, epochs=3, batch_size=32, verbose=0)
    except Exception as err:
        return Feedback("wrong", f"training raised {type(err).__name__}: {str(err)[:300]}. "
                        "Hint: with integer labels use loss='sparse_categorical_crossentropy'.")
    picked = np.clip(probabilities[np.arange(64), y[:64]], 1e-7, 1.0)
    expected = float(-np.log(picked).mean())
    if not np.isclose(reported, expected, rtol=2e-3, atol=2e-3):
        return Feedback("wrong", f"the loss Keras reports ({reported:.4f}) is not the "
                        f"cross-entropy of the predicted probabilities ({expected:.4f}). Hint: "
                        "use loss='sparse_categorical_crossentropy' (a softmax output gives "
                        "probabilities, so leave from_logits at its default, False).")
    losses = np.asarray(history.history["loss"], dtype=float)
    if not np.all(np.isfinite(losses)):
        return Feedback("wrong", f"the loss became NaN while training ({losses.tolist()}). "
                        "Hint: is the learning rate far too large? Adam's default 0.001 works.")
    if losses.max() > 5 * np.log(10):  # an untrained 10-class model starts near ln 10 = 2.3
        return Feedback("wrong", f"the loss blew up while training ({np.round(losses, 1)}; a "
                        "10-class model starts near ln 10 = 2.3). Hint: is the learning rate far "
                        "too large? Adam's default 0.001 works.")
    if losses[-1] >= losses[0]:
        return Feedback("wrong", f"the loss did not fall in three epochs ({np.round(losses, 3)}). "
                        "Hint: is the learning rate far too small? Adam's default 0.001 works.")
    return Feedback("correct", f"the CNN trains on integer labels: loss {losses[0]:.3f} -> "
                    f"{losses[-1]:.3f} in three short epochs. sparse_categorical_crossentropy "
                    "takes class indices; categorical_crossentropy takes one-hot rows.")


def solution_answers() -> dict[int, str]:
    """The right letter for each question (the worked solution)."""
    return {number: q.answer for number, q in QUESTIONS.items()}
