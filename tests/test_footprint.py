"""The plugin that keeps notebooks from writing into the repository sees new and changed files."""

from __future__ import annotations

import os

from tests import footprint


def test_footprint_names_new_and_modified_files_and_ignores_allowed_folders(tmp_path) -> None:
    (tmp_path / "notebooks" / "outputs").mkdir(parents=True)
    kept = tmp_path / "notebooks" / "01_x.ipynb"
    kept.write_text("{}")
    before = footprint.snapshot(tmp_path)
    assert footprint.footprint(before, footprint.snapshot(tmp_path)) == []

    (tmp_path / "notebooks" / "model.keras").write_text("weights")  # a stray save
    (tmp_path / "notebooks" / "outputs" / "figure.png").write_text("fine")  # the allowed place
    os.utime(kept, ns=(0, before["notebooks/01_x.ipynb"] + 10**9))
    assert footprint.footprint(before, footprint.snapshot(tmp_path)) == [
        "new: notebooks/model.keras", "modified: notebooks/01_x.ipynb"]
