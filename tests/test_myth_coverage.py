"""Chapter 12's table of the articles' errors points at sections that exist and hold evidence.

The table ("Every error in the source articles, and where the course corrects it") names,
for each error, a notebook and a section heading: `NN_topic.ipynb` § «heading». If a chapter
renames or drops a section, this test fails, so the table cannot go stale.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CLINIC = NOTEBOOKS / "12_troubleshooting_clinic.ipynb"
TABLE_HEADING = "Every error in the source articles, and where the course corrects it"
REFERENCE = re.compile(r"`(\d\d_[a-z0-9_]+\.ipynb)` § «([^»]+)»")
# A heading may end with "(optional in a workshop)" (tools.workshop); the table cites
# the section by its name without that mark.
HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+\(optional in a workshop\))?\s*$")
# How many separate claims the table lists per article (COURSE.md's list and the others found since).
EXPECTED_ROWS = {"000": 13, "001": 8, "002": 11, "003": 10, "004": 9}


@cache
def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _table_rows() -> list[tuple[int, str, str, list[tuple[str, str]]]]:
    """(number, article, claim, [(notebook, heading), ...]) for each row of the table."""
    for cell in _cells(CLINIC):
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and text.startswith(f"## {TABLE_HEADING}"):
            break
    else:
        raise AssertionError(f"no markdown cell starting with '## {TABLE_HEADING}' in {CLINIC.name}")
    rows = []
    for line in text.splitlines():
        columns = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(columns) == 4 and columns[0].isdigit():
            rows.append((int(columns[0]), columns[1], columns[2], REFERENCE.findall(columns[3])))
    return rows


ROWS = _table_rows()
REFERENCES = sorted({ref for *_, refs in ROWS for ref in refs})


@cache
def _sections(path: Path) -> dict[str, dict[str, list[str]]]:
    """Heading text -> the prose lines and code cells from that heading up to the next heading
    of the same or a higher level (a markdown cell may end one section and start the next)."""
    found: dict[str, dict[str, list[str]]] = {}
    open_sections: list[tuple[int, str]] = []
    for cell in _cells(path):
        source = "".join(cell["source"])
        if cell["cell_type"] != "markdown":
            for _, heading in open_sections:
                found[heading]["code"].append(source)
            continue
        for line in source.splitlines():
            match = HEADING.match(line)
            if match:
                level = len(match[1])
                open_sections = [(lv, h) for lv, h in open_sections if lv < level]
                open_sections.append((level, match[2]))
                found.setdefault(match[2], {"prose": [], "code": []})
            for _, heading in open_sections:
                found[heading]["prose"].append(line)
    return found


def test_the_table_lists_every_error_once() -> None:
    assert [number for number, *_ in ROWS] == list(range(1, len(ROWS) + 1)), "rows numbered 1..N"
    per_article: dict[str, int] = {}
    for _, article, claim, refs in ROWS:
        per_article[article] = per_article.get(article, 0) + 1
        assert claim, "every row names the error"
        assert refs, f"row '{claim}' names no notebook § «section»"
    assert per_article == EXPECTED_ROWS
    claims = [claim for _, _, claim, _ in ROWS]
    assert len(set(claims)) == len(claims), "no error listed twice"


@pytest.mark.parametrize(("notebook", "heading"), REFERENCES, ids=lambda value: value[:40])
def test_each_reference_points_at_an_existing_section(notebook: str, heading: str) -> None:
    path = NOTEBOOKS / notebook
    assert path.exists(), f"{notebook} does not exist"
    assert heading in _sections(path), f"{notebook} has no heading «{heading}»"


@pytest.mark.parametrize(("notebook", "heading"), REFERENCES, ids=lambda value: value[:40])
def test_each_referenced_section_corrects_with_evidence(notebook: str, heading: str) -> None:
    section = _sections(NOTEBOOKS / notebook)[heading]
    prose, code = "\n".join(section["prose"]), section["code"]
    assert re.search(r"myth|fact", prose, re.IGNORECASE), f"«{heading}» states no correction"
    assert any(re.search(r"^\s*assert\b", src, re.MULTILINE) for src in code), (
        f"«{heading}» in {notebook} has no evidence cell ending in an assert")
