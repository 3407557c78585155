"""The course as learners meet it: JupyterLab in Chromium, run all, drag a slider.

For the welcome notebook and each chapter with an explorer (optimizer, learning rate, momentum,
batch size, schedule, scaling, augmentation, depth, capacity, clinic):
open it, run all cells, check that no cell shows an error, press the arrow key on each
explorer's first slider and check that the picture and the readout changed. Before/after
screenshots go to tests/browser/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import pytest

from tests.browser import harness

NOTEBOOKS = harness.notebooks_with_explorers()


def test_the_welcome_notebook_is_covered() -> None:
    assert "00_welcome.ipynb" in NOTEBOOKS


def test_widgets_front_end_is_installed_with_the_pins(lab) -> None:
    """No manual extension step: jupyterlab_widgets' front end is served by JupyterLab."""
    import json
    import urllib.request

    with urllib.request.urlopen(f"{lab.url}/lab/api/extensions?token={lab.token}") as r:
        names = {e["name"] for e in json.load(r)}
    assert "jupyter-widgets-jupyterlab-manager" in names  # @jupyter-widgets/jupyterlab-manager


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_run_all_then_drag_each_explorer(lab, page, name: str) -> None:
    errors = harness.open_and_run_all(page, lab, name)
    assert errors == [], f"{name} shows errors in the browser: {errors}"
    explorers = page.locator(".jp-OutputArea-output .widget-vbox:has(img)")
    count = explorers.count()
    assert count >= 1, f"{name}: no explorer was rendered (is the widgets front end missing?)"
    harness.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stem = name.removesuffix(".ipynb")
    for i in range(count):
        move = harness.move_first_slider(page, i)
        (harness.SCREENSHOTS / f"{stem}_explorer{i}_before.png").write_bytes(move.before_png)
        (harness.SCREENSHOTS / f"{stem}_explorer{i}_after.png").write_bytes(move.after_png)
        assert move.changed_picture, f"{name}: explorer {i}'s picture did not change"
        assert move.changed_readout, f"{name}: explorer {i}'s readout did not change"
        assert move.latencies_ms, f"{name}: explorer {i} never received a new picture"
