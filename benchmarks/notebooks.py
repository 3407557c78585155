"""Seconds each chapter takes to execute top to bottom in a fresh kernel, and the total.

Budgets: every notebook under 90 s on a 2-core CPU with no GPU; the whole course under
10 minutes. Run: `.venv/bin/python benchmarks/notebooks.py [notebook ...]`.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ExecutePreprocessor

ROOT = Path(__file__).resolve().parents[1]


def main(names: list[str]) -> None:
    os.environ.setdefault("COURSE_OFFLINE", "1")
    paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if names:
        paths = [p for p in paths if p.name in names or p.stem in names]
    total = 0.0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        ExecutePreprocessor(timeout=600, kernel_name="python3").preprocess(
            nb, {"metadata": {"path": str(path.parent)}})
        seconds = time.perf_counter() - start
        total += seconds
        flag = "" if seconds < 90 else "   over the 90 s budget"
        print(f"{path.name:<52}{seconds:7.1f} s{flag}", flush=True)
    print(f"{'total':<52}{total:7.1f} s   (budget 600 s)   on {os.cpu_count()} cores")


if __name__ == "__main__":
    main(sys.argv[1:])
