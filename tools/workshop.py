"""Tools for teaching the course: student copies, slide metadata, a static site.

``make student``  copies of the notebooks without worked solutions (``student/``);
                  a copy a learner has edited is never overwritten.
``make site``     every chapter executed to HTML with its pictures, plus a slide deck
                  per chapter (``site/``), readable without a kernel.
``python -m tools.workshop slides``  (re)writes the slide metadata that
                  JupyterLab's RISE extension presents.
``python -m tools.workshop times [--write]``  each chapter's minutes by the rule
                  below; ``--write`` puts them into the headers and ``docs/teaching.md``.

How long a chapter takes is counted, not guessed (``chapter_minutes``): reading its
prose at 120 words a minute (technical text with equations), 1.5 minutes per code cell
(read, run, look at the output), 3 per explorer to play with, 5 per exercise, rounded
to 5 minutes; worked solutions are not counted. A ``##`` section whose heading ends
with "(optional in a workshop)" is left out of the workshop figure.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import html
import json
import math
import re
import shutil
from pathlib import Path
from typing import NamedTuple

import nbformat

from tools.hygiene import notebooks

__all__ = ["chapter_minutes", "Minutes", "write_times", "student_notebook", "write_student_copies", "slide_type", "add_slide_metadata",
           "deck_notebook", "write_decks",
           "static_notebook", "copy_site_assets", "write_site_index", "build_site"]

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = re.compile(r"^#{1,3}\s*(worked\s+)?solutions?\b", re.IGNORECASE | re.MULTILINE)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# The sentence chapters use to point at their solutions (rewritten in the student copies).
SOLUTIONS_POINTER = re.compile(r"The\s+worked\s+solutions\s+are\s+at\s+the\s+end\s+of\s+the\s+notebook\.")
MANIFEST = ".course-manifest.json"


def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` without its worked solutions (everything from the heading on).

    The heading may open its own cell or sit inside one (after the Summary, say); the
    text before it is kept. Exercise cells are already blank stubs in the course
    notebooks, and the checkers live in ``course_utils.exercises``, so they keep
    working in the student copy.
    """
    out = copy.deepcopy(nb)
    for cell in out.cells:  # the exercises' pointer to the solutions would point at nothing
        if cell["cell_type"] == "markdown":
            cell["source"] = SOLUTIONS_POINTER.sub("Your instructor has the worked solutions.",
                                                   cell["source"])
    for i, cell in enumerate(out.cells):
        match = SOLUTIONS.search(cell["source"]) if cell["cell_type"] == "markdown" else None
        if match:
            before = cell["source"][: match.start()].rstrip()
            out.cells = out.cells[:i]
            if before:
                cell["source"] = before
                out.cells.append(cell)
            out.cells.append(nbformat.v4.new_markdown_cell(
                "## Worked solutions\n\nYour instructor has the worked solutions; use the checkers "
                "above to test your answers."))
            break
    return out


WORDS_PER_MINUTE = 120
MINUTES_PER_CODE_CELL, MINUTES_PER_EXPLORER, MINUTES_PER_EXERCISE = 1.5, 3.0, 5.0
OPTIONAL = "(optional in a workshop)"
EXPLORER_CALL = re.compile(r"\bwidgets\.\w+_(explorer|viewer|designer)\(")
# The header's time, as ``_time_text`` writes it; ``\)+`` also swallows the stray ")" that an
# older version of this pattern left behind on every ``times --write``.
TIME_LINE = re.compile(r"Time: about (\d+) minutes(?: \(about (\d+) in a workshop, skipping the "
                       r"sections marked \(optional in a workshop\)+)?")
TEACHING = ROOT / "docs" / "teaching.md"


class Minutes(NamedTuple):
    """A chapter's time by the rule: all of it, and without its optional sections."""

    full: int
    workshop: int


def _round5(minutes: float) -> int:
    return max(5, 5 * math.floor(minutes / 5 + 0.5))  # halves round up


def chapter_minutes(nb: nbformat.NotebookNode | str | Path) -> Minutes:
    """Minutes a learner needs for a chapter, by the rule in this module's docstring."""
    if not isinstance(nb, nbformat.NotebookNode):
        nb = nbformat.read(Path(nb), as_version=4)
    totals = {"full": 0.0, "workshop": 0.0}
    optional = False
    for cell in nb.cells:
        text = cell["source"]
        if cell["cell_type"] == "markdown":
            match = SOLUTIONS.search(text)
            if match:
                text = text[: match.start()]
            for line in text.splitlines():
                if line.startswith("## ") or line.startswith("# "):
                    optional = line.rstrip().endswith(OPTIONAL)
            cost = len(text.split()) / WORDS_PER_MINUTE
        else:
            cost = MINUTES_PER_CODE_CELL
            if "exercises.check_" in text:
                cost += MINUTES_PER_EXERCISE
            if EXPLORER_CALL.search(text):
                cost += MINUTES_PER_EXPLORER
        totals["full"] += cost
        if not optional:
            totals["workshop"] += cost
        if cell["cell_type"] == "markdown" and SOLUTIONS.search(cell["source"]):
            break
    return Minutes(_round5(totals["full"]), _round5(totals["workshop"]))


def _time_text(m: Minutes) -> str:
    if m.workshop < m.full:
        return (f"Time: about {m.full} minutes (about {m.workshop} in a workshop, skipping the "
                f"sections marked {OPTIONAL})")
    return f"Time: about {m.full} minutes"


def write_times(source: Path = ROOT / "notebooks", teaching: Path = TEACHING) -> dict[str, Minutes]:
    """Put each chapter's minutes into its header and the teaching guide's per-chapter table."""
    found: dict[str, Minutes] = {}
    for path in notebooks(source):
        nb = nbformat.read(path, as_version=4)
        minutes = chapter_minutes(nb)
        found[path.name[:2]] = minutes
        for cell in nb.cells:
            if cell["cell_type"] == "markdown" and TIME_LINE.search(cell["source"]):
                new = TIME_LINE.sub(_time_text(minutes), cell["source"], count=1)
                if new != cell["source"]:
                    cell["source"] = new
                    nbformat.write(nb, path)
                break
    lines = teaching.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        row = re.match(r"\| (\d\d) ([^|]+)\| (\d+) \|", line)
        if row and row.group(1) in found:
            lines[i] = line.replace(f"| {row.group(3)} |", f"| {found[row.group(1)].workshop} |", 1)
    teaching.write_text("".join(lines), encoding="utf-8")
    return found


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def write_student_copies(source: Path = ROOT / "notebooks", dest: Path = ROOT / "student") -> Path:
    """Write student copies into ``dest``; returns the folder actually written.

    A manifest records the hash of every file written. If a learner has changed a
    copy since (its hash differs), nothing in ``dest`` is touched: the fresh copies go
    to a new folder (``student-2``, ``student-3``...) and the learner's work stays.
    """
    target = dest
    for n in range(2, 1000):
        manifest_path = target / MANIFEST
        manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
        edited = [name for name, digest in manifest.items()
                  if (target / name).exists() and _digest((target / name).read_text()) != digest]
        unknown = [p.name for p in target.glob("*.ipynb") if p.name not in manifest]
        if not edited and not unknown:
            break
        target = dest.with_name(f"{dest.name}-{n}")
    target.mkdir(parents=True, exist_ok=True)
    written = {}
    for path in notebooks(source):
        text = nbformat.writes(student_notebook(nbformat.read(path, as_version=4))) + "\n"
        (target / path.name).write_text(text)
        written[path.name] = _digest(text)
    (target / MANIFEST).write_text(json.dumps(written, indent=1))
    return target


def slide_type(cell: dict, index: int) -> str:
    """RISE's slide type for a cell: headings start slides, the rest follows them."""
    source = cell["source"].lstrip()
    if cell["cell_type"] == "markdown":
        if index == 0 or source.startswith("# ") or source.startswith("## "):
            return "slide"
        if source.startswith("### ") or source.startswith("> **Myth"):
            return "subslide"
    return "-"


def add_slide_metadata(nb: nbformat.NotebookNode) -> bool:
    """Set ``metadata.slideshow.slide_type`` on every cell, and RISE's ``scroll`` (a slide
    taller than the screen scrolls in JupyterLab too); True if anything changed."""
    changed = False
    if nb.metadata.get("rise", {}).get("scroll") is not True:
        nb.metadata.setdefault("rise", {})["scroll"] = True
        changed = True
    for i, cell in enumerate(nb.cells):
        want = slide_type(cell, i)
        if cell.metadata.get("slideshow", {}).get("slide_type") != want:
            cell.metadata["slideshow"] = {"slide_type": want}
            changed = True
    return changed


# At most this many code cells (and words) on one slide before the deck starts a sub-slide:
# with each code cell and output capped by the deck's CSS, a slide fits in two screens.
CODE_CELLS_PER_SLIDE = 1
WORDS_PER_SLIDE = 150


def _split_at_headings(text: str) -> list[str]:
    """A markdown cell's text cut before every heading line (code fences respected)."""
    pieces, current, fenced = [], [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and re.match(r"#{1,6} ", line) and any(x.strip() for x in current):
            pieces.append("\n".join(current).strip("\n"))
            current = []
        current.append(line)
    if any(x.strip() for x in current):
        pieces.append("\n".join(current).strip("\n"))
    return [chunk for piece in (pieces or [text]) for chunk in _split_long(piece)]


def _split_long(text: str) -> list[str]:
    """Cut a long piece of markdown at blank lines into chunks of at most about
    ``WORDS_PER_SLIDE`` words (never inside a code fence or a $$ display)."""
    blocks, current, fenced = [], [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```") or line.strip() == "$$":
            fenced = not fenced
        if not line.strip() and not fenced and current:
            blocks.append("\n".join(current))
            current = []
        elif line.strip() or current:
            current.append(line)
    if current:
        blocks.append("\n".join(current))
    blocks = [part for block in blocks for part in _split_table(block)]
    chunks, words = [], WORDS_PER_SLIDE + 1
    for block in blocks:
        size = len(block.split())
        if words + size > WORDS_PER_SLIDE and chunks and words > 0:
            chunks.append([])
            words = 0
        if not chunks:
            chunks.append([])
            words = 0
        chunks[-1].append(block)
        words += size
    return ["\n\n".join(c) for c in chunks] or [text]


def _split_table(block: str) -> list[str]:
    """A long markdown table as several tables of at most about ``WORDS_PER_SLIDE`` words,
    each repeating the header row."""
    lines = block.splitlines()
    if len(lines) < 4 or not all(ln.lstrip().startswith("|") for ln in lines) or \
            len(block.split()) <= WORDS_PER_SLIDE:
        return [block]
    header, rows = lines[:2], lines[2:]
    parts, current = [], []
    for row in rows:
        if current and len(" ".join(header + current + [row]).split()) > WORDS_PER_SLIDE:
            parts.append("\n".join(header + current))
            current = []
        current.append(row)
    parts.append("\n".join(header + current))
    return parts


def deck_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` laid out as slides that fit: every heading starts a slide (a heading
    inside a markdown cell too), and a slide that grows past ``CODE_CELLS_PER_SLIDE`` code
    cells or ``WORDS_PER_SLIDE`` words continues on a sub-slide (down arrow in reveal.js)."""
    out = copy.deepcopy(nb)
    cells = []
    for cell in out.cells:
        if cell["cell_type"] != "markdown":
            cells.append(cell)
            continue
        for k, piece in enumerate(_split_at_headings(cell["source"])):
            new = copy.deepcopy(cell)
            new["source"] = piece
            if k and "id" in cell:
                new["id"] = f"{cell['id']}-{k}"[:64]
            cells.append(new)
    code, words = 0, 0
    for i, cell in enumerate(cells):
        kind = slide_type(cell, i)
        size = len(cell["source"].split()) if cell["cell_type"] == "markdown" else 0
        if kind == "-" and (code + (cell["cell_type"] == "code") > CODE_CELLS_PER_SLIDE
                            or words + size > WORDS_PER_SLIDE):
            kind = "subslide"
        if kind != "-":
            code, words = 0, 0
        code += cell["cell_type"] == "code"
        words += size
        cell.setdefault("metadata", {})["slideshow"] = {"slide_type": kind}
    out.cells = cells
    return out


def static_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop each explorer's live-widget view, keeping its static picture and readout (for HTML
    without a kernel)."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW in data and "image/png" in data:
                del data[WIDGET_VIEW]
    nb.metadata.pop("widgets", None)
    return nb


ASSETS = Path(__file__).resolve().parent / "site_assets"
# Where the pages look for their scripts, relative to the page: nbconvert's defaults point at
# CDNs, and a workshop room (or a train) may have no network.
MATHJAX_URL = "assets/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe,course"
REQUIRE_URL = "assets/require.js/require.js"
REVEAL_PREFIX = "assets/reveal.js"


def copy_site_assets(dest: Path) -> Path:
    """Copy the scripts the pages need into ``dest/assets``, so the site works offline.

    MathJax (equations) comes from the pinned ``jupyter-server-mathjax`` package;
    reveal.js (slides) and RequireJS (which loads it) are vendored in
    ``tools/site_assets`` (see its README for versions and licences).
    """
    import jupyter_server_mathjax

    assets = dest / "assets"
    mathjax = Path(jupyter_server_mathjax.__file__).resolve().parent / "static"
    shutil.copytree(mathjax, assets / "mathjax", dirs_exist_ok=True)
    shutil.copy(ASSETS / "mathjax_course.js", assets / "mathjax" / "config" / "course.js")
    for folder in ("reveal.js", "require.js"):
        shutil.copytree(ASSETS / folder, assets / folder, dirs_exist_ok=True)
    return assets


def _title_and_promise(nb: nbformat.NotebookNode, fallback: str) -> tuple[str, str]:
    """A chapter's title (its first heading) and the first sentence of the paragraph after it."""
    first = nb.cells[0].source if nb.cells else ""
    paragraphs = [p.strip() for p in first.split("\n\n") if p.strip()]
    if not paragraphs:
        return fallback, ""
    title = paragraphs[0].lstrip("#").strip()
    promise = " ".join(paragraphs[1].split()) if len(paragraphs) > 1 else ""
    promise = re.sub(r"[*`]", "", promise)  # plain text: no Markdown marks in the index
    sentence = re.match(r"(.+?[.!?])(\s|$)", promise)
    return title, sentence.group(1) if sentence else promise


def write_site_index(source: Path, dest: Path) -> Path:
    """Write ``dest/index.html``: the chapter map, linking each built chapter and its slides.

    It is the page to open first from a USB stick: plain HTML, no scripts, no network.
    """
    rows = []
    for path in notebooks(source):
        if not (dest / f"{path.stem}.html").exists():
            continue
        title, promise = _title_and_promise(nbformat.read(path, as_version=4), path.stem)
        slides = (f' · <a href="{path.stem}.slides.html">slides</a>'
                  if (dest / f"{path.stem}.slides.html").exists() else "")
        rows.append(f'<tr><td><a href="{path.stem}.html">{html.escape(title)}</a>{slides}</td>'
                    f"<td>{html.escape(promise)}</td></tr>")
    page = dest / "index.html"
    page.write_text(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>Training deep networks well, with Keras</title><style>"
        "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "td{padding:.4rem .8rem;vertical-align:top;border-bottom:1px solid #ddd}"
        "</style></head><body>\n<h1>Training deep networks well, with Keras</h1>\n"
        "<p>Every chapter executed, with its pictures, readable without a kernel or a network. "
        "To move the sliders, run the notebooks in JupyterLab (<code>make lab</code>).</p>\n"
        "<table>\n" + "\n".join(rows) + "\n</table>\n</body></html>\n", encoding="utf-8")
    return page


def build_site(source: Path = ROOT / "notebooks", dest: Path = ROOT / "site",
               names: list[str] | None = None, timeout: int = 600) -> list[Path]:
    """Execute each notebook and write ``<name>.html`` and ``<name>.slides.html`` into ``dest``.

    The pages load MathJax, RequireJS and reveal.js from ``dest/assets`` rather than
    from the internet, so the folder can be copied to a USB stick and read anywhere;
    ``dest/index.html`` links every chapter built so far.
    """
    from nbconvert import HTMLExporter, SlidesExporter
    from nbconvert.preprocessors import ExecutePreprocessor

    dest.mkdir(parents=True, exist_ok=True)
    copy_site_assets(dest)
    local = {"mathjax_url": MATHJAX_URL, "require_js_url": REQUIRE_URL}
    slides = SlidesExporter(**local, reveal_url_prefix=REVEAL_PREFIX, reveal_theme="white",
                            extra_template_basedirs=[str(ASSETS / "templates")],
                            template_name="course_slides")
    exporters = ((HTMLExporter(**local), ".html"), (slides, ".slides.html"))  # page, deck
    written = []
    for path in notebooks(source):
        if names and path.name not in names:
            continue
        nb = nbformat.read(path, as_version=4)
        ExecutePreprocessor(timeout=timeout, kernel_name="python3").preprocess(
            nb, {"metadata": {"path": str(source)}})
        nb = static_notebook(nb)
        add_slide_metadata(nb)
        # The pages keep the solutions (for the instructor); the decks are the student copy.
        for exporter, suffix, shown in ((exporters[0][0], ".html", nb),
                                        (exporters[1][0], ".slides.html",
                                         deck_notebook(student_notebook(nb)))):
            body, _ = exporter.from_notebook_node(shown)
            out = dest / f"{path.stem}{suffix}"
            out.write_text(body, encoding="utf-8")
            written.append(out)
    write_site_index(source, dest)
    return written


def write_decks(source: Path, dest: Path, names: list[str] | None = None) -> list[Path]:
    """Slide decks of the notebooks *without executing them* (fast: the layout test uses it).

    Outputs would add height, but the deck's CSS caps each output's height and scrolls it,
    so a deck that fits without outputs fits with them, up to those caps.
    """
    from nbconvert import SlidesExporter

    dest.mkdir(parents=True, exist_ok=True)
    copy_site_assets(dest)
    exporter = SlidesExporter(mathjax_url=MATHJAX_URL, require_js_url=REQUIRE_URL,
                              reveal_url_prefix=REVEAL_PREFIX, reveal_theme="white",
                              extra_template_basedirs=[str(ASSETS / "templates")],
                              template_name="course_slides")
    written = []
    for path in notebooks(source):
        if names and path.name not in names:
            continue
        nb = deck_notebook(student_notebook(nbformat.read(path, as_version=4)))
        out = dest / f"{path.stem}.slides.html"
        out.write_text(exporter.from_notebook_node(nb)[0], encoding="utf-8")
        written.append(out)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Workshop tools for the course.")
    parser.add_argument("command", choices=["student", "site", "slides", "times"])
    parser.add_argument("--write", action="store_true", help="times: write them into the files")
    parser.add_argument("--path-only", action="store_true",
                        help="student: print only the folder the copies are in")
    parser.add_argument("notebooks", nargs="*", help="only these notebook file names (site)")
    args = parser.parse_args(argv)
    if args.command == "student":
        folder = write_student_copies()
        if args.path_only:  # for `make lab-student`: just the folder to open
            print(folder.relative_to(ROOT))
            return 0
        if folder.name != "student":
            print(f"student/ holds edited copies; left them alone and wrote fresh ones to {folder}/")
        print(f"student copies written to {folder.relative_to(ROOT)}/")
    elif args.command == "times":
        found = write_times() if args.write else {
            p.name[:2]: chapter_minutes(p) for p in notebooks(ROOT / "notebooks")}
        for number, m in found.items():
            print(f"{number}: {m.full} minutes, {m.workshop} in a workshop")
    elif args.command == "slides":
        for path in notebooks(ROOT / "notebooks"):
            nb = nbformat.read(path, as_version=4)
            if add_slide_metadata(nb):
                nbformat.write(nb, path)
                print(f"slide metadata written to {path.name}")
    else:
        for out in build_site(names=args.notebooks or None):
            print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
