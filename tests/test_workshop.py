"""Workshop tools: student copies never overwrite edits, slides metadata, static pictures."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_utils import environment
from tools import workshop


def _notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 99 · Test\n\nTime: about 1 minutes · Prerequisites: none"),
        nbformat.v4.new_markdown_cell("## Exercises"),
        nbformat.v4.new_code_cell("def f():\n    return None  # your code here"),
        nbformat.v4.new_markdown_cell("## Summary"),
        nbformat.v4.new_markdown_cell("## Worked solutions\n\n**1.** Because..."),
        nbformat.v4.new_code_cell("def f():\n    return 42"),
    ]
    return nb


def test_student_notebook_drops_the_solutions_only() -> None:
    student = workshop.student_notebook(_notebook())
    sources = [c.source for c in student.cells]
    assert "return 42" not in "".join(sources)
    assert any("your code here" in s for s in sources) and any("Summary" in s for s in sources)


def test_solutions_heading_inside_the_summary_cell() -> None:
    nb = _notebook()
    nb.cells[3].source = "## Summary\n\n- remember this\n\n## Worked solutions\n\n**1.** Because..."
    del nb.cells[4]
    student = workshop.student_notebook(nb)
    text = "".join(c.source for c in student.cells)
    assert "remember this" in text and "return 42" not in text and "Because" not in text


def test_the_course_notebooks_lose_their_solutions() -> None:
    for path in workshop.notebooks(workshop.ROOT / "notebooks"):
        student = workshop.student_notebook(nbformat.read(path, as_version=4))
        code = "".join(c.source for c in student.cells if c.cell_type == "code")
        assert "assert exercises.check" not in code, f"{path.name} keeps a worked solution"


def test_student_copies_never_overwrite_an_edited_file(tmp_path) -> None:
    src, dest = tmp_path / "notebooks", tmp_path / "student"
    src.mkdir()
    nbformat.write(_notebook(), src / "99_test.ipynb")
    assert workshop.write_student_copies(src, dest) == dest
    assert "return 42" not in (dest / "99_test.ipynb").read_text()
    # Unedited copies may be refreshed in place.
    assert workshop.write_student_copies(src, dest) == dest
    # A learner edits their copy: the next run leaves it alone and writes elsewhere.
    edited = (dest / "99_test.ipynb").read_text().replace("your code here", "return 41")
    (dest / "99_test.ipynb").write_text(edited)
    second = workshop.write_student_copies(src, dest)
    assert second == tmp_path / "student-2"
    assert (dest / "99_test.ipynb").read_text() == edited
    assert (second / "99_test.ipynb").exists()
    # A notebook the tool did not write counts as the learner's too.
    (second / "mine.ipynb").write_text("{}")
    assert workshop.write_student_copies(src, second) == tmp_path / "student-2-2"


def test_slide_metadata() -> None:
    nb = _notebook()
    assert workshop.add_slide_metadata(nb) is True
    kinds = [c.metadata["slideshow"]["slide_type"] for c in nb.cells]
    assert kinds[0] == "slide" and kinds[1] == "slide" and kinds[2] == "-"
    assert workshop.add_slide_metadata(nb) is False


def test_static_html_shows_the_explorer_picture_offline() -> None:
    from nbconvert import HTMLExporter

    png = base64.b64encode(b"\x89PNG fake").decode()
    nb = _notebook()
    nb.cells[2].outputs = [nbformat.v4.new_output(
        "execute_result", execution_count=1,
        data={"text/plain": "Explorer(...)", "image/png": png,
              workshop.WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": "abc"}})]
    html, _ = HTMLExporter().from_notebook_node(workshop.static_notebook(nb))
    assert f"data:image/png;base64,{png}" in html
    assert "unpkg.com" not in html


@pytest.mark.parametrize("check", [environment.keras_fit_check, environment.widget_check])
def test_preflight_checks_pass_here(check) -> None:
    result = check()
    assert result.ok, str(result)


def test_failed_check_says_what_to_do() -> None:
    line = str(environment.Check("keras", False, "not installed", "run `make lab`"))
    assert line.startswith("!!") and "run `make lab`" in line


def test_site_assets_are_copied_so_pages_need_no_network(tmp_path) -> None:
    assets = workshop.copy_site_assets(tmp_path)
    for relative in ("mathjax/MathJax.js", "mathjax/config/course.js",
                     "mathjax/config/TeX-AMS-MML_HTMLorMML-full.js",
                     "reveal.js/dist/reveal.js", "reveal.js/dist/theme/white.css",
                     "reveal.js/plugin/notes/notes.js", "require.js/require.js"):
        assert (assets / relative).is_file(), relative
    # every URL the pages use points into the copied folder
    for url in (workshop.MATHJAX_URL, workshop.REQUIRE_URL, workshop.REVEAL_PREFIX + "/dist/reveal.js"):
        assert (tmp_path / url.split("?")[0]).is_file(), url


def test_site_index_links_the_built_chapters_with_their_promise(tmp_path) -> None:
    source, dest = tmp_path / "notebooks", tmp_path / "site"
    source.mkdir()
    dest.mkdir()
    for stem, intro in (("01_first", "# 01 · First <steps>\n\nA **bold** promise. More text."),
                        ("02_second", "# 02 · Second\n\nNot built yet.")):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(intro)])
        nbformat.write(nb, source / f"{stem}.ipynb")
    (dest / "01_first.html").write_text("<html></html>")
    (dest / "01_first.slides.html").write_text("<html></html>")

    page = workshop.write_site_index(source, dest).read_text(encoding="utf-8")
    assert '<a href="01_first.html">01 · First &lt;steps&gt;</a>' in page
    assert '<a href="01_first.slides.html">slides</a>' in page
    assert "<td>A bold promise.</td>" in page  # first sentence, Markdown marks dropped
    assert "02_second" not in page  # only chapters that were built
    assert "<script" not in page and "http" not in page


def test_student_copies_never_point_at_the_removed_solutions() -> None:
    import re

    from tools.hygiene import notebooks

    pointer = re.compile(r"see the solution|solutions? (are|is) at the end", re.IGNORECASE)
    for path in notebooks(workshop.ROOT / "notebooks"):
        copy = workshop.student_notebook(nbformat.read(path, as_version=4))
        for i, cell in enumerate(copy.cells):
            assert not pointer.search(cell.source), f"{path.name} cell {i}: {cell.source[:200]}"


def test_decks_start_a_slide_at_every_heading_and_split_what_would_not_fit() -> None:
    long_text = "\n\n".join(["word " * 60] * 4)  # 240 words in four paragraphs
    table = "| a | b |\n|---|---|\n" + "\n".join(f"| {'x ' * 20} | {i} |" for i in range(12))
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Title\n\nintro\n\n## Inside the cell\n\ntext"),
        nbformat.v4.new_code_cell("a = 1"),
        nbformat.v4.new_code_cell("b = 2"),
        nbformat.v4.new_markdown_cell("## Long\n\n" + long_text),
        nbformat.v4.new_markdown_cell(table),
        nbformat.v4.new_markdown_cell("## Exercises\n\nThe worked solutions are at the end of the notebook."),
        nbformat.v4.new_markdown_cell("## Worked solutions\n\nsecret"),
    ])
    deck = workshop.deck_notebook(workshop.student_notebook(nb))
    kinds = [(c.metadata["slideshow"]["slide_type"], c.source.split("\n")[0][:20]) for c in deck.cells]
    assert ("slide", "## Inside the cell") in kinds       # a heading inside a cell starts a slide
    assert ("subslide", "b = 2") in kinds                 # a second code cell continues below
    assert all(len(c.source.split()) <= workshop.WORDS_PER_SLIDE + 60 for c in deck.cells)
    tables = [c.source for c in deck.cells if c.source.startswith("| a | b |")]
    assert len(tables) > 1 and all(t.split("\n")[1] == "|---|---|" for t in tables)
    text = "\n".join(c.source for c in deck.cells)
    assert "secret" not in text and "Your instructor has the worked solutions" in text
    assert len({c.get("id") for c in deck.cells}) == len(deck.cells)  # ids stay unique


def test_tooling_stays_out_of_the_package_the_chapters_import() -> None:
    """Chapters import ``course_utils``; the workshop tools and the site's scripts live in
    ``tools/``, which is neither importable as part of the package nor built into its wheel."""
    import importlib.util
    import tomllib

    for name in ("workshop", "hygiene", "site_assets"):
        assert importlib.util.find_spec(f"course_utils.{name}") is None, name
    assert workshop.ASSETS == workshop.ROOT / "tools" / "site_assets"
    assert (workshop.ASSETS / "templates" / "course_slides" / "index.html.j2").is_file()
    config = tomllib.loads((workshop.ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["setuptools"]["packages"]["find"]["include"] == ["course_utils*"]


def test_the_wheel_holds_the_package_and_its_data_only(tmp_path: Path) -> None:
    """A plain ``pip install .`` (what a JupyterHub image does) gets every module and the data
    files the package reads (the diagnosis quiz), and nothing of ``tools/``."""
    import shutil
    import zipfile

    source = tmp_path / "src"  # build from a copy: setuptools writes build/ next to the source
    shutil.copytree(workshop.ROOT / "course_utils", source / "course_utils",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(workshop.ROOT / "pyproject.toml", source)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-index",
                    "--no-build-isolation", "--wheel-dir", str(tmp_path / "dist"), str(source)],
                   check=True, cwd=tmp_path)
    wheel, = (tmp_path / "dist").glob("course_utils-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "course_utils/exercises/diagnosis.toml" in names
    assert "course_utils/widgets/base.py" in names
    assert all(n.startswith(("course_utils/", "course_utils-")) for n in names), names
