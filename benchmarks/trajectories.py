"""Time to compute 500 steps of 6 optimizers from 16 starts on Rosenbrock.

Budget (issue 3): under 30 ms in total on a 2-core CPU. Run: `.venv/bin/python benchmarks/trajectories.py`.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from course_utils import optimizers, surfaces, trajectories

OPTIMIZERS = [
    optimizers.SGD(0.001),
    optimizers.SGD(0.001, momentum=0.9),
    optimizers.RMSprop(0.01),
    optimizers.Adam(0.05),
    optimizers.Nadam(0.05),
    optimizers.Lion(0.01),
]


def once(surface: surfaces.Surface, starts: np.ndarray) -> float:
    t0 = time.perf_counter()
    for opt in OPTIMIZERS:
        trajectories.run(opt, surface, starts, 500)
    return time.perf_counter() - t0


def main() -> None:
    surface = surfaces.get("rosenbrock")
    (x0, x1), (y0, y1) = surface.window
    starts = np.random.default_rng(0).uniform([x0, y0], [x1, y1], size=(16, 2))
    once(surface, starts)  # warm-up
    times = [once(surface, starts) for _ in range(15)]
    print(f"6 optimizers x 500 steps x 16 starts on Rosenbrock: "
          f"median {1000 * statistics.median(times):.1f} ms, best {1000 * min(times):.1f} ms "
          f"(budget 30 ms)")


if __name__ == "__main__":
    main()
