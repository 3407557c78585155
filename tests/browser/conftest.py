"""Browser tests run when Debian's chromium is installed; with CI=true they must run."""

from __future__ import annotations

import os

import pytest

from tests.browser import harness

HOW = ("install Debian's chromium (`sudo apt-get install chromium`) or point $CHROMIUM at a "
       "Chromium binary; Playwright's own browser download is not needed")


def pytest_collection_modifyitems(config, items):
    if harness.chromium_available():
        return
    if os.environ.get("CI", "").lower() == "true":
        raise pytest.UsageError(f"CI=true but no Chromium at {harness.CHROMIUM}: {HOW}.")
    skip = pytest.mark.skip(reason=f"no Chromium at {harness.CHROMIUM}: {HOW}.")
    for item in items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def lab():
    with harness.jupyterlab() as running:
        yield running


@pytest.fixture(scope="session")
def page():
    with harness.browser() as p:
        yield p
