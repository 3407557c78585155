"""The one checker engine: every case-by-case checker runs through ``_core.check_cases``."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import exercises
from course_utils.exercises._core import (
    Case,
    Feedback,
    check_cases,
    letters,
    quoted,
    read_predictions,
    word_in,
)


# -- a small exercise to check: one SGD step, returning (new_params, step) ----------------------
def step_reference(params, grads, learning_rate):
    step = -learning_rate * np.asarray(grads, dtype=float)
    return np.asarray(params, dtype=float) + step, step


CASES = [
    ("a vector", (np.array([1.0, -2.0]), np.array([0.5, -1.0]), 0.1)),
    ("a (2, 2) matrix", (np.ones((2, 2)), np.array([[1.0, 2.0], [3.0, 4.0]]), 0.25)),
]

SLIPS = [
    (lambda p, g, lr: (p + lr * g, lr * g), "sign error: step against the gradient."),
    (lambda p, g, lr: (p - g, -g), "multiply the gradient by the learning rate."),
]


def check(fn, **options):
    kwargs = {"reference": step_reference, "outputs": ("θ", "step"), "slips": SLIPS,
              "hint": "θ ← θ − η·g; return (θ, −η·g).", "success": "one SGD step."}
    return check_cases(fn, CASES, **{**kwargs, **options})


def test_the_reference_passes() -> None:
    result = check(step_reference)
    assert result and result.status == "correct" and result.message == "one SGD step."


def test_a_stub_is_not_attempted() -> None:
    result = check(lambda p, g, lr: None)
    assert result.status == "not attempted" and not result
    assert "returns None" in result.message


def test_a_slip_is_named_with_the_case_and_both_answers() -> None:
    result = check(lambda p, g, lr: (p + lr * g, lr * g))
    assert result.status == "wrong"
    assert result.message.startswith("case 'a vector': expected θ = ")
    assert "; got θ = " in result.message and "sign error" in result.message


def test_an_unrecognised_answer_gets_the_checker_hint() -> None:
    result = check(lambda p, g, lr: (p * 0, g * 0))
    assert result.status == "wrong" and "θ ← θ − η·g" in result.message


def test_a_case_hint_comes_before_the_checker_hint() -> None:
    cases = [Case("one", (1.0,), expected=2.0, hint="double it.")]
    result = check_cases(lambda x: 3 * x, cases, hint="the checker's hint.")
    assert result.message == "case 'one': expected 2, got 3. Hint: double it."


def test_an_accepted_alternative_form_passes() -> None:
    def other_form(p, g, lr):  # the step returned with the other sign, declared correct too
        new, step = step_reference(p, g, lr)
        return new, -step

    assert not check(other_form)
    assert check(other_form, accept=[other_form])


def test_a_raising_function_is_wrong_with_the_case_name_and_a_hint() -> None:
    result = check(lambda p, g, lr: p @ np.ones(5))
    assert result.status == "wrong"
    assert result.message.startswith("case 'a vector' raised ValueError")
    assert "Hint: θ ← θ − η·g" in result.message


def test_error_hints_are_chosen_by_the_kind_of_exception() -> None:
    hints = {ZeroDivisionError: "do not divide by the step count."}
    crash = check(lambda p, g, lr: 1 / 0, error_hints=hints)
    assert crash.message.endswith("Hint: do not divide by the step count.")
    other = check(lambda p, g, lr: [][1], error_hints=hints)
    assert "raised IndexError" in other.message and "θ ← θ − η·g" in other.message


def test_changing_an_input_array_in_place_is_caught() -> None:
    def in_place(params, grads, learning_rate):
        params -= learning_rate * grads  # right numbers, but the caller's array is gone
        return params, -learning_rate * grads

    result = check(in_place)
    assert result.status == "wrong" and "in place" in result.message
    assert result.message.startswith("case 'a vector'")
    custom = check(in_place, in_place="your function changed params. Hint: return a new array.")
    assert custom.message == ("case 'a vector': your function changed params. Hint: return a "
                              "new array.")


def test_the_learner_gets_a_copy_so_the_expected_answer_stays_right() -> None:
    def empties_its_list(values):
        values.clear()
        return 0

    result = check_cases(empties_its_list, [Case("three values", ([1, 3, 2],))], reference=max)
    assert result.message == "case 'three values': expected 3, got 0."  # no hint was given


def test_the_wrong_number_or_kind_of_values_is_reported() -> None:
    single = check(lambda p, g, lr: p - lr * g)
    assert "expected a tuple of 2 values (θ, step), got ndarray" in single.message
    three = check(lambda p, g, lr: (p, g, lr))
    assert "got tuple of length 3" in three.message
    text = check(lambda p, g, lr: ("a", "b"))
    assert "not numbers" in text.message
    shape = check(lambda p, g, lr: (p.sum(), g.sum()))
    assert "expected shapes [(2,), (2,)], got [(), ()]" in shape.message


def test_not_a_function_is_wrong() -> None:
    result = check(42)
    assert result.status == "wrong" and result.message == "expected a function, got int."


def test_one_value_per_case_with_the_arguments_shown() -> None:
    cases = [Case("zero", (0,), detail="(arguments (0,))"), Case("three", (3,), detail="(x = 3)")]
    slips = [(lambda x: x * x, "square, not double.")]
    result = check_cases(lambda x: x * x, cases, reference=lambda x: 2 * x, slips=slips)
    assert result.message == "case 'three' (x = 3): expected 6, got 9. Hint: square, not double."
    two = check_cases(lambda x: (x, x), cases, reference=lambda x: 2 * x)
    assert two.message == "case 'zero': expected one number, got (0, 0)."
    crash = check_cases(lambda x: 1 / x, cases, reference=lambda x: 2 * x, hint="h.")
    assert crash.message == ("case 'zero' (arguments (0,)) raised ZeroDivisionError: division "
                             "by zero. Hint: h.")


def test_arrays_are_compared_with_their_shape() -> None:
    cases = [("a vector", (np.array([1.0, 2.0]),), np.array([2.0, 4.0]), "double each entry.")]
    assert check_cases(lambda x: 2 * x, cases)
    wrong = check_cases(lambda x: x + 1, cases)
    assert wrong.message == ("case 'a vector': expected [2.0, 4.0], got [2.0, 3.0]. Hint: double "
                             "each entry.")
    flat = check_cases(lambda x: 2 * x.sum(), cases)
    assert "expected shape (2,), got ()" in flat.message


def test_plain_numbers_are_read_from_a_tuple_a_list_or_an_array() -> None:
    cases = [Case("3 and 4", (3, 4))]
    options = {"reference": lambda a, b: (a + b, a * b), "outputs": ("total", "product"),
               "numbers": True}
    for form in (tuple, list, np.array):
        assert check_cases(lambda a, b, form=form: form([a + b, a * b]), cases, **options)
    wrong = check_cases(lambda a, b: (a + b, a + b), cases, **options)
    assert wrong.message.startswith("case '3 and 4': expected (total, product) = (7, 12), got "
                                    "(7, 7).")
    one = check_cases(lambda a, b: 7, cases, **options)
    assert one.message == ("case '3 and 4': expected two numbers (total, product), got 7. Hint: "
                           "`return total, product`.")


def test_slips_can_depend_on_the_case_and_a_slip_that_fails_is_skipped() -> None:
    def slips(x):  # built for this case: answers that take no arguments
        return [(lambda: 1 / (x - x), "never shown: this slip raises."),
                (lambda: x - 1, f"off by one below {x}.")]

    result = check_cases(lambda x: x - 1, [Case("five", (5,))], reference=lambda x: x + 1,
                         slips=slips)
    assert result.message.endswith("Hint: off by one below 5.")


def test_check_cases_is_exported_with_feedback() -> None:
    assert exercises.check_cases is check_cases and exercises.Feedback is Feedback


# -- predict, then run ----------------------------------------------------------------------------
WORDS = ("up", "down", "the same")
SYNONYMS = {"up": "up", "higher": "up", "down": "down", "lower": "down", "thesame": "the same",
            "same": "the same"}


def test_words_are_read_whatever_their_case_and_punctuation() -> None:
    assert letters("Zig-zag!") == "zigzag"
    assert word_in("The Same", SYNONYMS) == "the same" and word_in(3, SYNONYMS) is None
    assert quoted(WORDS) == '"up", "down" or "the same"'


@pytest.mark.parametrize(("answer", "status", "message"), [
    ({"a": "Higher", "b": "lower"}, None, None),
    ("up", "wrong", "give a dict with the keys ['a', 'b'], e.g. {\"a\": \"up\", ...}; got str."),
    ({"a": "up", "b": "up", "c": "up"}, "wrong", "unknown key(s) ['c']: predict exactly for "
                                                 "['a', 'b']."),
    ({"a": "up"}, "wrong", "no prediction for ['b']; predict for all of ['a', 'b']."),
    ({"a": None, "b": "up"}, "not attempted", "still None for ['a']: write one of \"up\", "
                                              "\"down\" or \"the same\" for each, before running "
                                              "anything."),
    ({"a": "sideways", "b": "up"}, "wrong", "(a): 'sideways' is not one of \"up\", \"down\" or "
                                            "\"the same\"."),
    ({"a": "changes", "b": "up"}, "wrong", "(a): 'changes' is not specific enough: say which "
                                           "way."),
])
def test_read_predictions(answer, status, message) -> None:
    words, problem = read_predictions(answer, ["a", "b"], WORDS, SYNONYMS,
                                      vague={"chang": "say which way."})
    if status is None:
        assert problem is None and words == {"a": "up", "b": "down"}
    else:
        assert words is None and (problem.status, problem.message) == (status, message)
