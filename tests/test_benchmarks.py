"""The benchmark scripts read what the notebooks print, so that reading is tested too."""

from __future__ import annotations

import nbformat
import pytest

from benchmarks import chapter11


def _notebook(outputs: list) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("display(Markdown(table))", metadata={"tags": [chapter11.TAG]})
    cell.outputs = outputs
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"), cell])


def test_chapter11_table_is_read_from_the_tagged_cell() -> None:
    shown = nbformat.v4.new_output("display_data", data={"text/markdown": "Hardware: x\n\n| a |"})
    assert chapter11.table_from(_notebook([shown])) == "Hardware: x\n\n| a |"


def test_chapter11_table_missing_is_an_error_that_says_so() -> None:
    with pytest.raises(ValueError, match="displayed no Markdown"):
        chapter11.table_from(_notebook([]))
    with pytest.raises(ValueError, match="no cell tagged"):
        chapter11.table_from(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]))


def test_chapter11_notebook_tags_its_table_cell() -> None:
    nb = nbformat.read(chapter11.NOTEBOOK, as_version=4)
    tagged = [c for c in nb.cells if chapter11.TAG in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "results_table" in tagged[0].source
