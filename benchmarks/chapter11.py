"""Chapter 11's benchmark table on this machine: step time in float32, with XLA, with mixed
precision, the input pipelines, and the multi-worker demo, headed by the hardware.

It executes `notebooks/11_fast_training_and_scaling.ipynb` top to bottom in a fresh kernel (so the
figures are exactly the chapter's) and prints the Markdown table of its last section. With
`--record` it also appends the table, dated, to `benchmarks/RESULTS.md`: run it that way on every
new kind of hardware, a GPU machine above all.

Run: `.venv/bin/python benchmarks/chapter11.py [--record]`.
"""

from __future__ import annotations

import argparse
import datetime
import os
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ExecutePreprocessor

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "11_fast_training_and_scaling.ipynb"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
TAG = "benchmark-table"


def table_from(nb: nbformat.NotebookNode) -> str:
    """The Markdown that the cell tagged ``benchmark-table`` displayed."""
    for cell in nb.cells:
        if TAG in cell.get("metadata", {}).get("tags", []):
            for output in cell.get("outputs", []):
                markdown = output.get("data", {}).get("text/markdown")
                if markdown:
                    return markdown if isinstance(markdown, str) else "".join(markdown)
            raise ValueError(f"the cell tagged {TAG!r} displayed no Markdown table")
    raise ValueError(f"no cell tagged {TAG!r} in {NOTEBOOK.name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="append the table to RESULTS.md")
    args = parser.parse_args()
    os.environ.setdefault("COURSE_OFFLINE", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # the kernel's C++ start-up lines
    nb = nbformat.read(NOTEBOOK, as_version=4)
    ExecutePreprocessor(timeout=600, kernel_name="python3").preprocess(
        nb, {"metadata": {"path": str(NOTEBOOK.parent)}})
    table = table_from(nb)
    print(table)
    if args.record:
        today = datetime.date.today().isoformat()
        with RESULTS.open("a", encoding="utf-8") as results:
            results.write(f"\n## Chapter 11 benchmark table, {today}\n\n{table}\n")
        print(f"\nappended to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
