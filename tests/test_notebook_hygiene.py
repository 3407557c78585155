"""Committed notebooks: no outputs, no counts, no widget state, kernel python3, a header."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tools import hygiene

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = hygiene.notebooks(ROOT / "notebooks")
REMOVED_API = re.compile(r"\blr=|ImageDataGenerator\(|multi_gpu_model\(|tf\.compat\.v1|ConfigProto\(|feed_dict\s*=")


def test_there_are_notebooks() -> None:
    assert any(p.name == "00_welcome.ipynb" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_clean(path: Path) -> None:
    assert hygiene.problems(path) == [], "run `make strip`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_name_and_header(path: Path) -> None:
    assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name)
    first = json.loads(path.read_text())["cells"][0]
    text = "".join(first["source"])
    assert first["cell_type"] == "markdown" and text.startswith("# "), "a title first"
    for word in ("minutes", "Prerequisites"):
        assert word in text, f"header of {path.name} should state {word!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_removed_keras_api_in_code(path: Path) -> None:
    cells = json.loads(path.read_text())["cells"]
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        for line in "".join(cell["source"]).splitlines():
            if REMOVED_API.search(line) and "myth" not in line.lower():
                pytest.fail(f"{path.name}: removed API in running code: {line.strip()}")


def test_strip_cleans_a_dirty_notebook(tmp_path: Path) -> None:
    dirty = {
        "cells": [
            {"cell_type": "code", "source": "1", "metadata": {}, "execution_count": 3,
             "outputs": [{"output_type": "execute_result", "data": {"text/plain": "1"},
                          "metadata": {}, "execution_count": 3}]},
        ],
        "metadata": {"kernelspec": {"name": "python3"}, "widgets": {"state": {}}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(dirty))
    assert len(hygiene.problems(path)) == 4  # outputs, count, widget state, no cell id
    assert hygiene.strip(path) is True
    assert hygiene.problems(path) == []
    assert hygiene.strip(path) is False


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_cell_has_slide_metadata(path: Path) -> None:
    """RISE presents each chapter; `python -m tools.workshop slides` writes this."""
    cells = json.loads(path.read_text())["cells"]
    kinds = [c.get("metadata", {}).get("slideshow", {}).get("slide_type") for c in cells]
    assert None not in kinds, "run `python -m tools.workshop slides`"
    assert kinds[0] == "slide"
