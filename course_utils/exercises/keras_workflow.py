"""Checkers for chapter 10 (Keras end to end): a model to a specification, the loss for
a label format, and the layers to freeze for fine-tuning.

Each checker says which requirement failed, shows expected against got, and names
the usual slip (a missing ``Flatten``, a missing softmax, ``categorical_crossentropy``
on integer labels, batch norm left trainable). Keras is imported only inside the
checkers that need it, so ``from course_utils import exercises`` stays fast.

Taught in 10_keras_end_to_end.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from course_utils.exercises._core import Feedback

__all__ = ["check_model_spec", "check_loss_choice", "check_fine_tuning_freeze", "MODEL_SPEC",
           "reference_build_model", "reference_choose_loss", "reference_prepare_fine_tuning",
           "fine_tuning_model"]

# -- exercise 1: a model to a specification ------------------------------------------------
MODEL_SPEC = {"input_shape": (8, 8, 1), "num_classes": 10, "num_params": 2410}


def reference_build_model():
    """Flatten the 64 pixels, one hidden ``Dense(32, relu)``, ``Dense(10, softmax)``.

    Parameters: 64·h + h (hidden) + h·10 + 10 (output) = 75·h + 10 = 2,410 → h = 32.
    """
    import keras

    return keras.Sequential([
        keras.Input(shape=MODEL_SPEC["input_shape"]),
        keras.layers.Flatten(),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(MODEL_SPEC["num_classes"], activation="softmax"),
    ])


def _layer_table(model: Any) -> str:
    rows = []
    for layer in model.layers:
        try:
            shape = tuple(layer.output.shape)
        except (AttributeError, ValueError):
            shape = "?"
        rows.append(f"{layer.name} {shape}: {layer.count_params():,}")
    return "; ".join(rows)


def check_model_spec(build: Any) -> Feedback:
    """Check ``build() -> keras.Model`` (or a model): 8x8x1 images in, 10 probabilities out,
    exactly 2,410 parameters.

    It calls the model on four random images, so the output must be probabilities
    (each row non-negative, summing to 1).
    """
    import keras

    spec = MODEL_SPEC
    if isinstance(build, keras.Model):
        model = build
    elif callable(build):
        try:
            model = build()
        except Exception as err:  # a learner's bug is feedback, not a crash
            return Feedback("wrong", f"build() raised {type(err).__name__}: {err}. Hint: start "
                            "from keras.Sequential([keras.Input(shape=(8, 8, 1)), ...]).")
    else:
        return Feedback("wrong", f"expected a function that returns a Keras model, got "
                        f"{type(build).__name__}.")
    if model is None:
        return Feedback("not attempted", "build() returns None: build the model and return it.")
    if not isinstance(model, keras.Model):
        return Feedback("wrong", f"build() returned a {type(model).__name__}, not a Keras model. "
                        "Hint: wrap the layers in keras.Sequential([...]) or keras.Model(inputs, "
                        "outputs) and return that.")
    x = np.random.default_rng(0).random((4, *spec["input_shape"]), dtype=np.float32)
    try:
        probs = np.asarray(model(x))
    except Exception as err:
        return Feedback("wrong", f"calling the model on a batch of shape {x.shape} raised "
                        f"{type(err).__name__}: {err}. Hint: the input is keras.Input(shape=(8, 8, "
                        "1)): height, width, channels, without the batch axis.")
    try:
        count = model.count_params()
    except ValueError as err:
        return Feedback("wrong", f"the model has no weights yet ({err}). Hint: give it a "
                        "keras.Input(shape=(8, 8, 1)) (or call model.build((None, 8, 8, 1))).")
    want_out = (4, spec["num_classes"])
    if probs.shape != want_out:
        hint = ("the Dense layers worked on the last axis of each pixel: add keras.layers."
                "Flatten() before the first Dense layer." if probs.ndim > 2 else
                f"the last layer must have {spec['num_classes']} units, one per class.")
        return Feedback("wrong", f"for a batch of 4 images the output has shape {probs.shape}; "
                        f"expected {want_out} (one row of 10 class scores per image). Hint: {hint}")
    sums = probs.sum(axis=1)
    if not (np.all(probs >= -1e-6) and np.allclose(sums, 1.0, atol=1e-4)):
        row_sums = np.round(sums, 3).tolist()
        return Feedback("wrong", f"the outputs are not probabilities (row sums {row_sums}). "
                        "Hint: give the last layer activation='softmax' (or keep "
                        "logits and use a loss with from_logits=True, but this task asks for "
                        "probabilities).")
    if count != spec["num_params"]:
        hint = (f"a Dense layer with n units after m inputs has m·n weights plus n biases; with "
                f"64 pixels in, one hidden layer of h units and 10 outputs that is "
                f"75·h + 10 parameters. Solve 75·h + 10 = {spec['num_params']:,}.")
        if count == spec["num_params"] - 42:
            hint = "the count is 42 short: the biases are missing (use_bias=False?)."
        return Feedback("wrong", f"the model has {count:,} parameters, expected "
                        f"{spec['num_params']:,}. Your layers: {_layer_table(model)}. Hint: {hint}")
    return Feedback("correct", f"(8, 8, 1) in, 10 probabilities out, {count:,} parameters: "
                    f"{_layer_table(model)}.")


# -- exercise 2: the loss for a label format ----------------------------------------------
_LOSS_NAMES = {
    "sparsecategoricalcrossentropy": "sparse_categorical_crossentropy",
    "categoricalcrossentropy": "categorical_crossentropy",
    "binarycrossentropy": "binary_crossentropy",
}


def _loss_name(answer: Any) -> str | None:
    """A loss given as a name, a loss object, class or function → its snake_case name."""
    if isinstance(answer, str):
        text = answer
    elif isinstance(answer, type):
        text = answer.__name__
    elif hasattr(answer, "get_config") and type(answer).__name__ != "function":
        text = type(answer).__name__
    else:
        text = getattr(answer, "__name__", None)
    if text is None:
        return None
    return _LOSS_NAMES.get(text.replace("_", "").replace(" ", "").lower(), text)


def reference_choose_loss(y, num_outputs):
    """The Keras loss name for labels ``y`` and a last layer of ``num_outputs`` units."""
    y = np.asarray(y)
    if num_outputs == 1:
        return "binary_crossentropy"  # one sigmoid unit: y is 0 or 1
    if y.ndim == 2 and y.shape[1] == num_outputs:  # one row of targets per sample
        if np.allclose(y.sum(axis=1), 1.0):
            return "categorical_crossentropy"  # one-hot (or smoothed) class probabilities
        return "binary_crossentropy"  # several labels may be on: one yes/no per output
    return "sparse_categorical_crossentropy"  # class indices, shape (N,) or (N, 1)


def _loss_cases() -> list[tuple[str, tuple, str, dict[str, str]]]:
    rng = np.random.default_rng(10)
    ints = rng.integers(0, 10, size=12)
    one_hot = np.eye(10, dtype="float32")[ints]
    smoothed = one_hot * 0.9 + 0.01
    tags = (rng.random((12, 5)) < 0.4).astype("float32")
    tags[0, :2] = 1.0  # at least one row with two tags on
    binary = rng.integers(0, 2, size=12)
    sparse_why = ("these are class indices (integers 0-9, one per sample): "
                  "sparse_categorical_crossentropy takes them as they are")
    return [
        ("integer labels 0-9, shape (12,), 10 softmax outputs", (ints, 10),
         "sparse_categorical_crossentropy",
         {"categorical_crossentropy": f"{sparse_why}; categorical_crossentropy wants one-hot "
                                      "rows of shape (12, 10) and Keras raises 'Arguments target "
                                      "and output must have the same rank' (article 002's "
                                      "mistake). Either keep the integers with sparse_categorical"
                                      "_crossentropy or one-hot them with keras.utils."
                                      "to_categorical."}),
        ("one-hot labels, shape (12, 10), 10 softmax outputs", (one_hot, 10),
         "categorical_crossentropy",
         {"sparse_categorical_crossentropy": "each label is already a row of 10 probabilities "
                                             "(one-hot): that is categorical_crossentropy's "
                                             "format; sparse_ expects one integer per sample."}),
        ("integer labels as a column, shape (12, 1), 10 softmax outputs", (ints[:, None], 10),
         "sparse_categorical_crossentropy",
         {"categorical_crossentropy": "a (12, 1) column of class indices is still one integer "
                                      "per sample, not a one-hot row (it has 1 column, the model "
                                      "10 outputs): sparse_categorical_crossentropy."}),
        ("label-smoothed rows (0.91 for the class, 0.01 elsewhere), 10 softmax outputs",
         (smoothed, 10), "categorical_crossentropy",
         {"binary_crossentropy": "each row is one probability distribution over 10 classes "
                                 "(it sums to 1): categorical_crossentropy."}),
        ("yes/no labels 0/1, shape (12,), 1 sigmoid output", (binary, 1), "binary_crossentropy",
         {"sparse_categorical_crossentropy": "with one sigmoid output the model gives P(yes) for "
                                             "each sample: binary_crossentropy (sparse_ would "
                                             "need a softmax over 2 outputs)."}),
        ("several tags per sample (multi-hot rows, shape (12, 5)), 5 sigmoid outputs",
         (tags, 5), "binary_crossentropy",
         {"categorical_crossentropy": "rows with several 1s are not one distribution over "
                                      "classes (they do not sum to 1): each output is its own "
                                      "yes/no question, so binary_crossentropy."}),
    ]


def check_loss_choice(choose_loss: Callable[..., Any]) -> Feedback:
    """Check ``choose_loss(y, num_outputs) -> loss`` (a Keras loss name, object or function)."""
    if not callable(choose_loss):
        return Feedback("wrong", f"expected a function, got {type(choose_loss).__name__}.")
    for name, args, want, slips in _loss_cases():
        try:
            answer = choose_loss(*args)
        except Exception as err:  # a learner's bug is feedback, not a crash
            return Feedback("wrong", f"case '{name}' raised {type(err).__name__}: {err}. Hint: "
                            "look at y.ndim, y.shape and num_outputs (np.asarray(y) first).")
        if answer is None:
            return Feedback("not attempted", "the function returns None: return a loss name.")
        got = _loss_name(answer)
        if got == want:
            continue
        hint = slips.get(got, f"{want} is the loss for this label format. Integers, one per "
                              "sample → sparse_categorical_crossentropy; one row of class "
                              "probabilities per sample → categorical_crossentropy; 0/1 targets "
                              "for sigmoid outputs → binary_crossentropy.")
        return Feedback("wrong", f"case '{name}': expected {want!r}, got {answer!r}. Hint: {hint}")
    return Feedback("correct", "the right loss for all 6 label formats. The rule: the loss must "
                    "match the label format, not just the task.")


# -- exercise 3: which layers to freeze for fine-tuning ------------------------------------
def fine_tuning_model(seed: int = 0):
    """A digits transfer model as after stage 1: conv base frozen, new head trainable."""
    from course_utils import models

    base = models.conv_base((8, 8, 1), seed=seed)
    model = models.classifier(base, 5, seed=seed)
    base.trainable = False
    return model


def reference_prepare_fine_tuning(model):
    """Unfreeze the top block of the base; keep block1 and every batch norm frozen."""
    import keras

    base = model.get_layer("base")
    base.trainable = True  # sets every layer inside to trainable...
    for layer in base.layers:  # ...then freeze what must stay as pretrained
        if isinstance(layer, keras.layers.BatchNormalization) or layer.name.startswith("block1"):
            layer.trainable = False
    return model


def check_fine_tuning_freeze(prepare: Callable[..., Any]) -> Feedback:
    """Check ``prepare(model) -> model``: after it, ``fit`` trains block2_conv and head only.

    The checker builds a fresh model with the base frozen (``fine_tuning_model()``),
    calls ``prepare`` on it and reads ``model.trainable_weights``, which is what the
    optimizer receives (``models.trained_layers``).
    """
    import keras

    from course_utils import models

    if not callable(prepare):
        return Feedback("wrong", f"expected a function, got {type(prepare).__name__}.")
    model = fine_tuning_model()
    try:
        result = prepare(model)
    except Exception as err:  # a learner's bug is feedback, not a crash
        return Feedback("wrong", f"prepare(model) raised {type(err).__name__}: {err}. Hint: the "
                        "base is model.get_layer('base'); its layers are base.layers.")
    if result is None:
        return Feedback("not attempted", "prepare(model) returns None: change the trainable "
                        "flags, then return the model.")
    if not isinstance(result, keras.Model):
        return Feedback("wrong", f"prepare(model) returned a {type(result).__name__}; return "
                        "the model you were given.")
    names = {layer.name for layer in models.all_layers(result)}
    if not {"block1_conv", "block2_conv", "head"} <= names:
        return Feedback("wrong", "the model returned is not the one given (its layers are "
                        f"{sorted(names)}). Hint: change the flags on `model` and return it.")
    want = ["block2_conv", "head"]
    got = models.trained_layers(result)
    if got == want:
        return Feedback("correct", "fit will update block2_conv and the head only; block1 and "
                        "both batch norms keep their pretrained values (a frozen batch norm also "
                        "runs in inference mode). Remember to compile again before fit.")
    extra, missing = [n for n in got if n not in want], [n for n in want if n not in got]
    trainable_bn = [n for n in extra if n.endswith("_bn")]
    if not got:
        hint = ("nothing would train: set the base trainable first (base.trainable = True), then "
                "freeze the layers that must stay as they are.")
    elif "head" in missing:
        hint = "the new head must keep training: leave model.get_layer('head').trainable = True."
    elif trainable_bn:
        hint = (f"{', '.join(trainable_bn)} would train: a trainable BatchNormalization runs in "
                "training mode inside fit (even with base(x, training=False) in Keras 3) and "
                "replaces the pretrained statistics with those of a few small batches. Set "
                "trainable = False on every BatchNormalization layer.")
    elif "block1_conv" in extra:
        hint = ("block1_conv would train: keep the lower block frozen (its edge and stroke "
                "detectors are the most general part); unfreeze only block2_conv.")
    elif "block2_conv" in missing:
        hint = ("block2_conv stays frozen: the base is frozen after stage 1, so make it "
                "trainable (base.trainable = True) and then freeze block1 and the batch norms.")
    else:
        hint = "fine-tune block2_conv and the head only."
    return Feedback("wrong", f"fit would train {got or 'nothing'}; expected {want}. Hint: {hint}")
