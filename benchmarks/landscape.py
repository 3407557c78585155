"""What a 41x41 loss-landscape grid of the digits MLP costs, against the obvious loop.

Budget (issue 17, COURSE.md): a 41x41 grid of the digits MLP (64 -> 64 ReLU -> 10,
4,810 weights) over all 1,797 digits in at most 10 s on a 2-core CPU, and at least 5x
faster than the obvious loop of ``model.set_weights`` plus ``model.evaluate`` per point.

``landscape.loss_surface`` is timed on the whole grid (median of a few repeats, its
tracing included: a learner pays that too). The obvious loop would take minutes, so
it is timed on the first ``NAIVE_ROWS`` rows of the same grid and its time per point
is multiplied by 41 x 41; its values are checked against the fast ones on those rows.
It also times the landscape explorer (chapter 13) inside this Python process: from a
control's new value to the new picture, with runs of the chapter's size (48 runs of about
150 points on a 41x41 plane). Budget: median under 50 ms.
Run: `.venv/bin/python benchmarks/landscape.py`.
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

from course_utils import keras_tools, landscape  # noqa: E402

RESOLUTION, REPEATS, NAIVE_ROWS = 41, 3, 2


def main() -> None:
    digits = load_digits()
    x, y = (digits.data / 16.0).astype("float32"), digits.target
    keras.utils.set_random_seed(0)
    model = keras_tools.small_mlp(64, 10, optimizer="adam")
    model.fit(x, y, epochs=5, batch_size=32, verbose=0)
    d1, d2 = landscape.random_direction(model, 0), landscape.random_direction(model, 1)

    fast = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        alphas, betas, losses = landscape.loss_surface(model, x, y, d1, d2, resolution=RESOLUTION)
        fast.append(time.perf_counter() - start)
    fast_s = statistics.median(fast)

    center = model.get_weights()
    naive = np.empty((NAIVE_ROWS, RESOLUTION))
    start = time.perf_counter()
    for i in range(NAIVE_ROWS):
        for j in range(RESOLUTION):
            model.set_weights([w + alphas[j] * a + betas[i] * b
                               for w, a, b in zip(center, d1, d2, strict=True)])
            naive[i, j] = model.evaluate(x, y, verbose=0, return_dict=True)["loss"]
    per_point = (time.perf_counter() - start) / naive.size
    model.set_weights(center)
    naive_s = per_point * RESOLUTION**2
    gap = float(np.max(np.abs(naive - losses[:NAIVE_ROWS]) / np.abs(naive)))

    print(f"41x41 grid, digits MLP ({sum(w.size for w in center)} weights), {len(x)} digits:")
    print(f"  landscape.loss_surface:       {fast_s:6.2f} s (median of {REPEATS}; budget 10 s)")
    print(f"  set_weights + evaluate loop:  {naive_s:6.1f} s ({per_point * 1000:.0f} ms a point, "
          f"timed on {naive.size} points)")
    print(f"  speed-up: {naive_s / fast_s:.0f}x (budget: at least 5x); largest relative gap "
          f"between the two on the timed points: {gap:.1e}")
    assert fast_s <= 10 and naive_s / fast_s >= 5 and gap < 1e-4
    explorer_latency()


def explorer_latency() -> None:
    from course_utils import widgets

    rng = np.random.default_rng(0)
    rates = {"sgd": (0.03, 0.1, 0.3, 1.0), "momentum": (0.003, 0.01, 0.03, 0.1),
             "adam": (0.001, 0.003, 0.01, 0.03), "rmsprop": (0.0003, 0.001, 0.003, 0.01)}
    runs = {(name, lr, batch): {"path": np.cumsum(rng.normal(size=(150, 2)) * 0.02, axis=0) + [1, 0],
                                "losses": np.geomspace(2, 0.05, 10), "off_plane": 0.5}
            for name, pool in rates.items() for lr in pool for batch in (16, 64, 256)}
    a = np.linspace(-1.3, 1.3, 41)
    grid = 0.1 + np.add.outer(3 * a**2, (a + 0.5) ** 2)
    explorer = widgets.landscape_explorer(runs, (a, a.copy(), grid), learning_rates=(0.3, 0.03, 0.003),
                                          batch_size=64)
    times = []
    for k in range(40):
        control, value = (("learning_rate_1", rates["sgd"][k % 4]) if k % 2 else
                          ("batch_size", (16, 64, 256)[k % 3]))
        start = time.perf_counter()
        explorer.controls[control].value = value
        times.append(1000 * (time.perf_counter() - start))
    print(f"  landscape explorer, a control change to the new picture: median "
          f"{statistics.median(times):.1f} ms, p90 {np.percentile(times, 90):.1f} ms (budget 50 ms)")


if __name__ == "__main__":
    main()
