"""A pytest plugin: the notebook run fails if a notebook wrote files into the repository.

COURSE.md: a notebook never writes outside a temporary folder or ``notebooks/outputs/``
(git-ignored). nbval cannot see that, so ``make notebooks`` loads this plugin
(``-p tests.footprint``): it lists the repository's files before the run and after it,
and turns the run red on any file created or modified, naming it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Caches, anywhere; and, from the root, build outputs and the one folder notebooks may write to.
CACHES = {".git", ".venv", "__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".hypothesis",
          ".ruff_cache"}
ALLOWED = {"notebooks/outputs", "site", "student"}


def snapshot(root: Path) -> dict[str, int]:
    """Every file under ``root`` (skipped folders left out) with its modification time in ns."""
    found = {}
    for folder, dirs, files in os.walk(root):
        here = Path(folder).relative_to(root)
        dirs[:] = [d for d in dirs if d not in CACHES and (here / d).as_posix() not in ALLOWED
                   and not (here == Path(".") and d.startswith("student-"))]
        for name in files:
            path = Path(folder) / name
            found[path.relative_to(root).as_posix()] = path.stat().st_mtime_ns
    return found


def footprint(before: dict[str, int], after: dict[str, int]) -> list[str]:
    """What changed between two snapshots: 'new: path' and 'modified: path' lines."""
    new = [f"new: {p}" for p in sorted(after.keys() - before.keys())]
    modified = [f"modified: {p}" for p in sorted(before.keys() & after.keys())
                if before[p] != after[p]]
    return new + modified


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_KEY] = snapshot(ROOT)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    changes = footprint(session.config.stash[_KEY], snapshot(ROOT))
    if changes:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = ["Running the notebooks wrote into the repository (write to a temporary folder "
                 "or notebooks/outputs/ instead):", *changes]
        if reporter is not None:
            reporter.write_line("\n".join(lines), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_KEY = pytest.StashKey[dict[str, int]]()
