"""Every chapter's slide deck fits: no slide is taller than two screens, and none holds the
worked solutions (decks are built from the student copies).

The decks are built without executing the notebooks (fast); each output's height is capped by
the deck's CSS (280 of the slide's 700 pixels: text scrolls inside, pictures shrink), so a deck that fits here fits executed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tools import workshop
from tools.hygiene import notebooks

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = [p.name for p in notebooks(ROOT / "notebooks")]


@pytest.fixture(scope="module")
def decks(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("decks")
    workshop.write_decks(ROOT / "notebooks", folder)
    return folder


MEASURE = """() => {
  const height = document.querySelector('.reveal .slides').offsetHeight;  // reveal's slide height
  const leaves = Array.from(document.querySelectorAll('.reveal .slides section'))
    .filter(s => !s.querySelector('section'));
  return leaves.map((slide, i) => {
    slide.hidden = false;
    slide.style.display = 'block';  // reveal hides slides far from the current one
    const title = (slide.querySelector('h1,h2,h3') || {}).textContent || '';
    return [i, 0, slide.scrollHeight / height, title.trim().slice(0, 60)];
  });
}"""


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda name: name[:2])
def test_every_slide_fits_in_two_screens(page, decks, chapter) -> None:
    deck = decks / chapter.replace(".ipynb", ".slides.html")
    page.goto(deck.as_uri())
    page.wait_for_function("document.querySelector('.reveal.ready') !== null", timeout=30_000)
    sizes = page.evaluate(MEASURE)
    assert len(sizes) >= 3
    too_tall = [(h, v, round(r, 2), title) for h, v, r, title in sizes if r > 2.0]
    assert not too_tall, f"{chapter}: slides taller than two screens (h, v, screens, heading): " \
        f"{too_tall}"
    text = page.evaluate("document.querySelector('.reveal .slides').textContent")
    source = (ROOT / "notebooks" / chapter).read_text(encoding="utf-8")
    if workshop.SOLUTIONS.search(source.replace('\\n', '\n')):  # the chapter has solutions
        assert "Your instructor has the worked solutions" in text  # the student copy's notice
