"""`make lab`, the first command a learner types, opens JupyterLab on the welcome notebook.

The test runs the real target, with ``BROWSER`` pointing at a script that records the address
JupyterLab asks a browser to open, then opens that address in Chromium and checks which
notebook is in front. JupyterLab's settings and runtime files go to a temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time

from tests.browser import harness


def test_make_lab_opens_the_welcome_notebook(page, tmp_path) -> None:
    opened = tmp_path / "opened-url"
    browser = tmp_path / "record-url"
    browser.write_text(f'#!/bin/sh\necho "$1" > "{opened}"\n')
    browser.chmod(0o755)
    env = {**os.environ, "BROWSER": str(browser), "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    log = tmp_path / "lab.log"
    with log.open("w") as out:
        proc = subprocess.Popen(["make", "--no-print-directory", "lab", f"PORT={harness._free_port()}"],
                                cwd=harness.ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not (opened.exists() and opened.read_text().strip()):
            assert proc.poll() is None, f"make lab stopped:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"no browser was opened:\n{log.read_text()[-3000:]}"
            time.sleep(0.5)
        page.goto(opened.read_text().strip())
        page.wait_for_function(
            "[...document.querySelectorAll('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')]"
            ".some(t => t.textContent.includes('00_welcome.ipynb'))", timeout=60_000)
        # the course's server extension is loaded: widget messages without Nagle's delay
        assert "course_utils.server: kernel websockets send without" in log.read_text()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
