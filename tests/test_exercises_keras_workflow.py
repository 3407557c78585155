"""Chapter 10's checkers: accept the solutions, say what a wrong answer gets wrong."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from course_utils import exercises
from course_utils.exercises import keras_workflow as kw

L = keras.layers


def _stub(*_args):
    return None


@pytest.mark.parametrize(("checker", "solution"), [
    (exercises.check_model_spec, kw.reference_build_model),
    (exercises.check_loss_choice, kw.reference_choose_loss),
    (exercises.check_fine_tuning_freeze, kw.reference_prepare_fine_tuning),
])
def test_solution_passes_and_stub_is_not_attempted(checker, solution) -> None:
    result = checker(solution)
    assert result and result.status == "correct", result.message
    assert checker(_stub).status == "not attempted"
    assert not checker(_stub)


def test_import_of_exercises_does_not_need_keras_at_module_level() -> None:
    source = kw.__loader__.get_source(kw.__name__)
    top = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert not any("keras" in line for line in top), top


# -- check_model_spec ---------------------------------------------------------------------------
def _sequential(*layers):
    return lambda: keras.Sequential([keras.Input(shape=(8, 8, 1)), *layers])


def test_model_spec_accepts_functional_and_subclassed_models() -> None:
    def functional():
        inputs = keras.Input(shape=(8, 8, 1))
        x = L.Dense(32, activation="relu")(L.Flatten()(inputs))
        return keras.Model(inputs, L.Dense(10, activation="softmax")(x))

    class Subclassed(keras.Model):
        def __init__(self):
            super().__init__()
            self.flat, self.hidden = L.Flatten(), L.Dense(32, activation="relu")
            self.out = L.Dense(10, activation="softmax")

        def call(self, x):
            return self.out(self.hidden(self.flat(x)))

    assert exercises.check_model_spec(functional)
    assert exercises.check_model_spec(functional())  # a model instead of a function is fine
    assert exercises.check_model_spec(Subclassed)  # built by the checker's first call


def test_model_spec_wrong_count_shows_the_layers_and_the_equation() -> None:
    result = exercises.check_model_spec(_sequential(
        L.Flatten(), L.Dense(64, activation="relu"), L.Dense(10, activation="softmax")))
    assert result.status == "wrong"
    assert "4,810 parameters, expected 2,410" in result.message
    assert "75·h + 10" in result.message and ": 4,160" in result.message


def test_model_spec_missing_biases_are_named() -> None:
    result = exercises.check_model_spec(_sequential(
        L.Flatten(), L.Dense(32, activation="relu", use_bias=False),
        L.Dense(10, activation="softmax", use_bias=False)))
    assert result.status == "wrong" and "biases are missing" in result.message


def test_model_spec_missing_flatten_gets_the_flatten_hint() -> None:
    result = exercises.check_model_spec(_sequential(
        L.Dense(32, activation="relu"), L.Dense(10, activation="softmax")))
    assert result.status == "wrong"
    assert "(4, 8, 8, 10)" in result.message and "Flatten()" in result.message


def test_model_spec_logits_are_not_probabilities() -> None:
    result = exercises.check_model_spec(_sequential(
        L.Flatten(), L.Dense(32, activation="relu"), L.Dense(10)))
    assert result.status == "wrong" and "activation='softmax'" in result.message


def test_model_spec_wrong_number_of_classes_and_other_slips() -> None:
    five = exercises.check_model_spec(_sequential(L.Flatten(), L.Dense(5, activation="softmax")))
    assert five.status == "wrong" and "expected (4, 10)" in five.message
    layer = exercises.check_model_spec(lambda: L.Dense(10))
    assert layer.status == "wrong" and "not a Keras model" in layer.message
    crash = exercises.check_model_spec(lambda: keras.Sequential([keras.Input(shape=(64,)),
                                                                  L.Dense(10)]))
    assert crash.status == "wrong" and "raised" in crash.message
    assert exercises.check_model_spec(42).status == "wrong"


# -- check_loss_choice --------------------------------------------------------------------------
def test_loss_choice_accepts_objects_classes_and_functions() -> None:
    def as_objects(y, n):
        name = kw.reference_choose_loss(y, n)
        return {"sparse_categorical_crossentropy": keras.losses.SparseCategoricalCrossentropy(),
                "categorical_crossentropy": keras.losses.CategoricalCrossentropy,
                "binary_crossentropy": keras.losses.binary_crossentropy}[name]

    assert exercises.check_loss_choice(as_objects)
    assert exercises.check_loss_choice(lambda y, n: kw.reference_choose_loss(y, n).upper())


def test_loss_choice_article_002_mistake_is_explained() -> None:
    result = exercises.check_loss_choice(lambda y, n: "categorical_crossentropy")
    assert result.status == "wrong"
    assert "integer labels 0-9" in result.message and "same rank" in result.message
    assert "to_categorical" in result.message


@pytest.mark.parametrize(("wrong", "phrase"), [
    (lambda y, n: "sparse_categorical_crossentropy", "already a row of 10 probabilities"),
    (lambda y, n: ("categorical_crossentropy" if np.ndim(y) == 2 and n > 1
                   else kw.reference_choose_loss(y, n)), "still one integer per sample"),
    (lambda y, n: ("sparse_categorical_crossentropy" if n == 1
                   else kw.reference_choose_loss(y, n)), "one sigmoid output"),
    (lambda y, n: ("categorical_crossentropy" if np.ndim(y) == 2 and np.shape(y)[1] == n
                   else kw.reference_choose_loss(y, n)), "several 1s"),
    (lambda y, n: "mse", "label format"),
])
def test_loss_choice_slips_get_their_hint(wrong, phrase) -> None:
    result = exercises.check_loss_choice(wrong)
    assert result.status == "wrong" and phrase in result.message, result.message
    assert "expected '" in result.message


def test_loss_choice_crash_is_feedback() -> None:
    result = exercises.check_loss_choice(lambda y, n: y.shape[5])
    assert result.status == "wrong" and "raised IndexError" in result.message


# -- check_fine_tuning_freeze -------------------------------------------------------------------
def test_fine_tuning_model_starts_with_only_the_head_trainable() -> None:
    from course_utils import models

    assert models.trained_layers(kw.fine_tuning_model()) == ["head"]


def _unfreeze_all(model):
    model.get_layer("base").trainable = True
    return model


def _forgets_batch_norm(model):
    base = model.get_layer("base")
    base.trainable = True
    base.get_layer("block1_conv").trainable = False
    return model


def _only_batch_norm_frozen(model):
    base = model.get_layer("base")
    base.trainable = True
    for layer in base.layers:
        if isinstance(layer, L.BatchNormalization):
            layer.trainable = False
    return model


def _freezes_everything(model):
    model.trainable = False
    return model


def _freezes_head(model):
    model = kw.reference_prepare_fine_tuning(model)
    model.get_layer("head").trainable = False
    return model


@pytest.mark.parametrize(("wrong", "phrase"), [
    (_unfreeze_all, "BatchNormalization"),
    (_forgets_batch_norm, "block1_bn, block2_bn would train"),
    (_only_batch_norm_frozen, "block1_conv would train"),
    (_freezes_everything, "nothing would train"),
    (_freezes_head, "head must keep training"),
    (lambda model: model, "block2_conv stays frozen"),
])
def test_fine_tuning_slips_get_their_hint(wrong, phrase) -> None:
    result = exercises.check_fine_tuning_freeze(wrong)
    assert result.status == "wrong" and phrase in result.message, result.message
    assert "expected ['block2_conv', 'head']" in result.message


def test_fine_tuning_flag_on_a_layer_alone_is_enough_in_keras_3() -> None:
    # Keras 3: an inner layer set trainable trains even while its parent model is frozen;
    # the checker reads model.trainable_weights, so it accepts this solution too.
    def flags_only(model):
        model.get_layer("base").get_layer("block2_conv").trainable = True
        return model

    assert exercises.check_fine_tuning_freeze(flags_only)


def test_fine_tuning_other_results_are_reported() -> None:
    assert "returned a int" in exercises.check_fine_tuning_freeze(lambda m: 3).message
    other = exercises.check_fine_tuning_freeze(lambda m: kw.reference_build_model())
    assert other.status == "wrong" and "not the one given" in other.message
    crash = exercises.check_fine_tuning_freeze(lambda m: m.get_layer("backbone"))
    assert crash.status == "wrong" and "raised ValueError" in crash.message
