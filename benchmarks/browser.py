"""Slider to new picture, measured in a real browser, next to the in-kernel figure.

Opens the welcome notebook and each chapter with an optimizer or learning-rate explorer
in JupyterLab (Debian's chromium via Playwright), runs all cells, presses the arrow key
on each explorer's first slider 15 times and prints the median time from the key press
to the new image in the page (budget: median under 100 ms).
Run: `.venv/bin/python benchmarks/browser.py [notebook ...]`.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import harness  # noqa: E402


def main(names: list[str]) -> None:
    if not harness.chromium_available():
        raise SystemExit(f"No Chromium at {harness.CHROMIUM}: apt-get install chromium")
    names = names or harness.notebooks_with_explorers()
    with harness.jupyterlab() as lab, harness.browser() as page:
        for name in names:
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
    print("\nThe same explorers measured inside the kernel (no browser):")
    from benchmarks import widgets as in_kernel

    in_kernel.main()


if __name__ == "__main__":
    main(sys.argv[1:])
