"""Slider to new picture, measured in a real browser, next to the in-kernel figure.

Opens the welcome notebook and each chapter with an optimizer or learning-rate explorer
in JupyterLab (Debian's chromium via Playwright), runs all cells, presses the arrow key
on each explorer's first slider 15 times and prints the median time from the key press
to the new image in the page (budget: median under 100 ms). Then it times the controls
that change an explorer's *background* (the surface, the condition number κ), found by
their stable keys (budget: median under 50 ms): the momentum explorer's κ and surface
menu (03), the optimizer explorer's surface menu (01), the learning-rate explorer's κ
(01), the batch-size explorer's epochs (02), the schedule designer's problem menu (05) and
the scaling explorer's feature scale (06). Pass notebook names to run only those.
Run: `.venv/bin/python benchmarks/browser.py [notebook ...]`.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import harness  # noqa: E402

# (notebook, explorer index in it, control key, key presses): the background changes.
BACKGROUND_CHANGES = [
    ("03_momentum.ipynb", 0, "condition", 15),
    ("03_momentum.ipynb", 0, "surface", 6),
    ("01_loss_and_gradient_descent.ipynb", 0, "surface", 7),
    ("01_loss_and_gradient_descent.ipynb", 1, "condition", 15),
    ("02_stochastic_and_minibatch.ipynb", 0, "epochs", 8),
    ("05_schedules_and_callbacks.ipynb", 0, "problem", 4),
    ("06_data_preprocessing.ipynb", 0, "scale", 15),
]


def background_changes(page, lab, only: list[str]) -> None:
    """Time the controls that change an explorer's still picture, by their keys."""
    opened = None
    for name, index, key, presses in BACKGROUND_CHANGES:
        if only and name not in only:
            continue
        if opened != name:
            errors = harness.open_and_run_all(page, lab, name)
            if errors:
                print(f"{name}: errors {errors}")
                continue
            opened = name
        move = harness.move_control(page, index, key, presses=presses)
        lat = move.latencies_ms
        print(f"{name:<40} explorer {index} {key:<10}: browser median "
              f"{statistics.median(lat):6.1f} ms (max {max(lat):6.1f} ms, {len(lat)} moves; "
              f"budget 50 ms)")


def main(names: list[str]) -> None:
    if not harness.chromium_available():
        raise SystemExit(f"No Chromium at {harness.CHROMIUM}: apt-get install chromium")
    with harness.jupyterlab() as lab, harness.browser() as page:
        for name in names or harness.notebooks_with_explorers():
            errors = harness.open_and_run_all(page, lab, name)
            if errors:
                print(f"{name}: errors {errors}")
                continue
            boxes = page.locator(".jp-OutputArea-output .widget-vbox:has(img)")
            for i in range(boxes.count()):
                move = harness.move_first_slider(page, i, presses=15)
                lat = move.latencies_ms
                print(f"{name:<40} explorer {i}: browser median {statistics.median(lat):6.1f} ms "
                      f"(max {max(lat):6.1f} ms, {len(lat)} moves; budget 100 ms)")
        print("\nBackground changes (a new surface or κ):")
        background_changes(page, lab, names)
    print("\nThe same explorers measured inside the kernel (no browser):")
    from benchmarks import widgets as in_kernel

    in_kernel.main()


if __name__ == "__main__":
    main(sys.argv[1:])
