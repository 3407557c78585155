"""`make site` pages work offline: equations typeset, slides start, nothing fetched remotely."""

from __future__ import annotations

from pathlib import Path

import nbformat

from tools import workshop

LOCAL = ("file:", "data:", "about:", "blob:", "chrome")


def _tiny_chapter(folder: Path) -> None:
    folder.mkdir()
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(
            "# 99 · Site check\n\nThe update is $w \\leftarrow w - \\eta \\nabla L(w)$."),
        nbformat.v4.new_code_cell("print(1 + 1)"),
        nbformat.v4.new_markdown_cell("## A second section\n\n$$L(w) = \\frac{1}{2} w^2$$"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "99_site_check.ipynb")


def test_site_pages_render_equations_and_slides_without_the_network(page, tmp_path) -> None:
    _tiny_chapter(tmp_path / "notebooks")
    site = tmp_path / "site"
    written = workshop.build_site(source=tmp_path / "notebooks", dest=site)
    assert {p.name for p in written} == {"99_site_check.html", "99_site_check.slides.html"}
    html = (site / "99_site_check.html").read_text(encoding="utf-8")
    slides = (site / "99_site_check.slides.html").read_text(encoding="utf-8")
    assert "assets/mathjax/MathJax.js" in html and "libs/mathjax" not in html
    assert "assets/reveal.js/dist/reveal.js" in slides and "unpkg.com" not in slides

    requested: list[str] = []

    def record(request) -> None:
        requested.append(request.url)

    page.on("request", record)
    try:
        page.goto((site / "99_site_check.html").as_uri())
        page.wait_for_function(
            "document.querySelectorAll('.MathJax, .MathJax_Display, .MathJax_Preview').length >= 2",
            timeout=30_000)
        assert "2" in page.inner_text("body")  # the executed output is in the page

        page.goto((site / "99_site_check.slides.html").as_uri())
        page.wait_for_function("document.querySelector('.reveal.ready') !== null", timeout=30_000)
        assert page.evaluate("document.querySelectorAll('.reveal .slides > section').length") >= 2
        page.wait_for_function("document.querySelectorAll('.MathJax').length >= 2", timeout=30_000)
    finally:
        page.remove_listener("request", record)
    remote = [url for url in requested if not url.startswith(LOCAL)]
    assert not remote, f"the site fetched from the network: {remote}"
