"""Time from a slider's new value to the new picture, inside a running Python kernel.

Measures the optimizer explorer with three optimizers and 300 steps (budget: median under
50 ms; a naive full redraw takes about 250 ms) and the learning-rate explorer. The time
includes the optimizer runs, the blitted redraw and the PNG the browser receives.
Run: `.venv/bin/python benchmarks/widgets.py`.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from course_utils import widgets


def time_slider(explorer: widgets.Explorer, control: str, values) -> list[float]:
    """Milliseconds from each new value of the control keyed ``control`` to the new picture."""
    slider = explorer.controls[control]
    times = []
    for value in values:
        t0 = time.perf_counter()
        slider.value = value  # observers run synchronously: recompute, redraw, encode
        assert explorer.view.image.value
        times.append(1000 * (time.perf_counter() - t0))
    return times


def report(name: str, times: list[float], budget: float) -> None:
    print(f"{name:<48} median {statistics.median(times):6.1f} ms   "
          f"p90 {np.percentile(times, 90):6.1f} ms   (budget {budget:.0f} ms)")


def main() -> None:
    opt = widgets.optimizer_explorer(optimizers=("sgd", "momentum", "adam"), steps=300)
    rates = np.geomspace(2e-4, 2e-3, 40)
    report("optimizer explorer, 3 optimizers x 300 steps", time_slider(opt, "learning_rate_1", rates), 50)
    report("optimizer explorer, start x", time_slider(opt, "start_x", np.linspace(-1.5, 0.5, 40)), 50)
    opt.controls["starts"].value = 16
    report("optimizer explorer, 16 starts each", time_slider(opt, "learning_rate_1", rates), 50)
    momentum = widgets.momentum_explorer()
    report("momentum explorer, momentum β", time_slider(momentum, "momentum", np.linspace(0.0, 0.9, 30)), 50)
    batch = widgets.batch_size_explorer()
    report("batch-size explorer, batch size", time_slider(batch, "batch_size", [1, 2, 4, 8, 16, 32, 64, 128] * 3), 50)
    lr = widgets.learning_rate_explorer()
    report("learning-rate explorer", time_slider(lr, "learning_rate", np.geomspace(0.05, 2.5, 40)), 50)


if __name__ == "__main__":
    main()
