"""What five seeds cost against one, with ``experiments.train_seeds``, on the digits MLP.

Budget (issue 13, COURSE.md): 5 seeds side by side cost at most 2x one seed. For
reference it also times five separate fits (``parallel=False``), the obvious way.
Each figure is the median of a few repeats, model building and Keras's tracing included
(a learner pays those too). Run: `.venv/bin/python benchmarks/experiments.py`.
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

from course_utils import data, experiments  # noqa: E402

EPOCHS, BATCH, REPEATS = 20, 32, 3


def build(seed: int) -> keras.Model:
    model = keras.Sequential([keras.Input((64,)),
                              keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dropout(0.2),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def timed(seeds: int, parallel: bool, split: data.Split) -> float:
    t0 = time.perf_counter()
    experiments.train_seeds(build, split.x_train, split.y_train, seeds, parallel=parallel,
                            epochs=EPOCHS, batch_size=BATCH,
                            validation_data=(split.x_val, split.y_val))
    return time.perf_counter() - t0


def main() -> None:
    split = data.load_digits(images=False)
    timed(1, True, split)  # warm-up: TensorFlow's first graph is slow everywhere
    one = statistics.median(timed(1, True, split) for _ in range(REPEATS))
    five = statistics.median(timed(5, True, split) for _ in range(REPEATS))
    apart = statistics.median(timed(5, False, split) for _ in range(REPEATS))
    print(f"digits MLP (64-64-10, dropout), {EPOCHS} epochs, batch {BATCH}, "
          f"{len(split.x_train)} training images; medians of {REPEATS}")
    print(f"  1 seed:                 {one:6.2f} s")
    print(f"  5 seeds side by side:   {five:6.2f} s = {five / one:.2f}x one seed (budget 2x)")
    print(f"  5 separate fits:        {apart:6.2f} s = {apart / one:.2f}x one seed")


if __name__ == "__main__":
    main()
