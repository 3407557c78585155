"""Each chapter's "about N minutes" comes from one stated rule, and the teaching guide agrees.

The rule is ``workshop.chapter_minutes`` (prose at 120 words a minute, 1.5 minutes per code
cell, 3 per explorer, 5 per exercise). `python -m tools.workshop times --write`
updates the headers and docs/teaching.md after a chapter changes; this test fails until then.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from tools import workshop
from tools.hygiene import notebooks

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = notebooks(ROOT / "notebooks")
FIX = "run `python -m tools.workshop times --write`"


def _teaching_minutes() -> dict[str, int]:
    rows = re.findall(r"^\| (\d\d) [^|]+\| (\d+) \|", workshop.TEACHING.read_text(), re.MULTILINE)
    return {number: int(minutes) for number, minutes in rows}


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name[:2])
def test_header_time_follows_the_rule(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    rule = workshop.chapter_minutes(nb)
    header = next((workshop.TIME_LINE.search(c.source) for c in nb.cells[:3]
                   if c.cell_type == "markdown" and workshop.TIME_LINE.search(c.source)), None)
    assert header, f"{path.name}: no 'Time: about N minutes' in the header"
    assert header.group(0) == workshop._time_text(rule), \
        f"{path.name}: the header reads {header.group(0)!r}; {FIX}"  # e.g. stray ")" left behind
    full = int(header.group(1))
    shown_workshop = int(header.group(2)) if header.group(2) else full
    assert (full, shown_workshop) == tuple(rule), f"{path.name}: header says {full}/" \
        f"{shown_workshop} minutes, the rule gives {rule.full}/{rule.workshop}; {FIX}"
    assert _teaching_minutes().get(path.name[:2]) == rule.workshop, \
        f"docs/teaching.md disagrees with {path.name}; {FIX}"
    if rule.full > 60:
        assert rule.workshop < rule.full, (
            f"{path.name} takes about {rule.full} minutes: mark the sections a workshop may skip "
            f"by ending their '##' heading with '{workshop.OPTIONAL}'")


def test_the_rule_counts_prose_cells_explorers_and_exercises_not_solutions() -> None:
    cells = [nbformat.v4.new_markdown_cell("# T\n\n" + "word " * 1200),      # 10 min
             nbformat.v4.new_code_cell("x = 1"),                              # 1.5
             nbformat.v4.new_code_cell("widgets.momentum_explorer()"),        # 1.5 + 3
             nbformat.v4.new_code_cell("exercises.check_gd_step(f)"),         # 1.5 + 5
             nbformat.v4.new_markdown_cell(f"## Extra {workshop.OPTIONAL}\n\n" + "w " * 600),
             nbformat.v4.new_code_cell("y = 2"),                              # optional: 5 + 1.5
             nbformat.v4.new_markdown_cell("## Worked solutions\n\n" + "w " * 6000),
             nbformat.v4.new_code_cell("z = 3")]
    nb = nbformat.v4.new_notebook(cells=cells)
    assert workshop.chapter_minutes(nb) == workshop.Minutes(30, 25)


def _plans() -> dict[str, list[tuple[int, int, str]]]:
    """{plan heading: [(start, end, what), ...]} from the teaching guide's learning paths."""
    plans: dict[str, list[tuple[int, int, str]]] = {}
    heading = None
    for line in workshop.TEACHING.read_text().splitlines():
        if line.startswith("### "):
            heading = line[4:]
        elif line.startswith("## "):
            heading = None
        row = re.match(r"\| (\d+):(\d\d)-(\d+):(\d\d) \| ([^|]+)\|", line)
        if heading and row:
            h0, m0, h1, m1 = (int(row.group(i)) for i in range(1, 5))
            plans.setdefault(heading, []).append((60 * h0 + m0, 60 * h1 + m1, row.group(5).strip()))
    return plans


def test_the_plans_give_each_chapter_its_minutes_and_a_break_every_hour_or_so() -> None:
    plans = _plans()
    assert len(plans) >= 3, f"expected half-day, full-day and second-day plans, got {list(plans)}"
    minutes = {p.name[:2]: workshop.chapter_minutes(p).workshop for p in CHAPTERS}
    for name, rows in plans.items():
        assert rows[0][0] == 0, f"{name}: starts at 0:00"
        per_chapter: dict[str, int] = {}
        since_break = 0
        for (start, end, what), nxt in zip(rows, rows[1:] + [None], strict=True):
            assert end > start, f"{name}: {what} ends before it starts"
            if nxt:
                assert nxt[0] == end, f"{name}: a gap or overlap after {what}"
            if re.match(r"(break|lunch)", what, re.IGNORECASE):
                since_break = 0
                continue
            since_break += end - start
            assert since_break <= 90, f"{name}: {since_break} minutes without a break at {what}"
            number = re.match(r"(\d\d) ", what)
            if number:
                per_chapter[number.group(1)] = per_chapter.get(number.group(1), 0) + end - start
        for number, total in per_chapter.items():
            assert total == minutes[number], (
                f"{name}: chapter {number} gets {total} minutes, its workshop time is "
                f"{minutes[number]} (notebook header and per-chapter table)")
