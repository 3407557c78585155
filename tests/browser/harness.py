"""Drive JupyterLab in a real Chromium, the way a learner meets the course.

Used by the browser tests and by ``benchmarks/browser.py``. JupyterLab is started from
``.venv`` on 127.0.0.1 with a random port and token, serving a *copy* of the notebooks
(running them in the browser must never write outputs into the committed files), and is
stopped at the end whatever happens. Chromium is Debian's (``/usr/bin/chromium``),
driven by Playwright's Python package.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# The explorers a learner drags, by the factory call that builds them in a notebook.
EXPLORER_CALL = re.compile(r"widgets\.\w+_(explorer|viewer|designer)\(")


def chromium_available() -> bool:
    return Path(CHROMIUM).exists()


def notebooks_with_explorers() -> list[str]:
    """Every notebook that builds an explorer from ``course_utils.widgets`` (00-09 and 12)."""
    return [path.name for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
            if EXPLORER_CALL.search(path.read_text())]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    url: str
    token: str
    root: Path

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?token={self.token}&reset"


@contextlib.contextmanager
def jupyterlab(timeout: float = 90.0) -> Iterator[Lab]:
    """Start JupyterLab on a copy of notebooks/; stop it (and its kernels) on exit."""
    port, token = _free_port(), secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="course-lab-") as tmp:
        root = Path(tmp) / "notebooks"
        shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns("outputs", ".ipynb_checkpoints"))
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(Path(tmp) / "config"),
               "JUPYTER_RUNTIME_DIR": str(Path(tmp) / "runtime"), "COURSE_OFFLINE": "1"}
        jupyter = Path(sys.executable).with_name("jupyter")
        cmd = [str(jupyter), "lab", "--no-browser", f"--ServerApp.port={port}",
               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
               "--ServerApp.port_retries=0", "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        if os.geteuid() == 0:  # CI containers run as root
            cmd.append("--allow-root")
        log = open(Path(tmp) / "lab.log", "w")  # noqa: SIM115 - closed below
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                        break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log.flush()
                        raise RuntimeError("JupyterLab did not start:\n"
                                           + (Path(tmp) / "lab.log").read_text()[-3000:]) from None
                    time.sleep(0.5)
            yield Lab(url, token, root)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, 15)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()
            log.close()


@contextlib.contextmanager
def browser() -> Iterator[object]:
    """A Playwright Chromium page (Debian's chromium, a fresh profile)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="course-chromium-") as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000})
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(60_000)
            yield page
        finally:
            context.close()


# JavaScript run in the page: JupyterLab's own application object (exposed by the flag above).
_NOTEBOOK_READY = """() => {
  const app = window.jupyterapp; if (!app) return false;
  const w = app.shell.currentWidget;
  return !!(w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel
            && w.sessionContext.session.kernel.status === 'idle' && w.content && w.content.widgets.length);
}"""
_ALL_RUN = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const kernel = w.sessionContext.session.kernel;
  const cells = w.content.model.cells;
  if (kernel.status !== 'idle') return false;
  let pending = false;
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    if (c.type !== 'code') continue;
    // Run-all stops at an error: the cells after it never run, so an error also ends the wait.
    if (c.outputs.toJSON().some(o => o.output_type === 'error')) return true;
    if (c.sharedModel.source.trim() && !c.executionCount) pending = true;
  }
  return !pending;
}"""
_ERRORS = """() => {
  const cells = window.jupyterapp.shell.currentWidget.content.model.cells; const errors = [];
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i); if (c.type !== 'code') continue;
    for (const o of c.outputs.toJSON()) if (o.output_type === 'error') errors.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
  }
  return errors;
}"""


def open_and_run_all(page, lab: Lab, name: str, timeout_ms: int = 480_000) -> list[str]:
    """Open a notebook, run all cells, wait until the kernel is idle; return error outputs."""
    page.goto(lab.notebook_url(name))
    page.wait_for_function(_NOTEBOOK_READY, timeout=120_000, polling=500)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(_ALL_RUN, timeout=timeout_ms, polling=500)
    return page.evaluate(_ERRORS)


@dataclass
class SliderMove:
    changed_picture: bool
    changed_readout: bool
    latencies_ms: list[float]
    before_png: bytes
    after_png: bytes


# Record, for each key press on a slider, the time until the explorer's <img> gets a new src.
_INSTALL_TIMER = """(box) => {
  const img = box.querySelector('img');
  window.__moves = [];
  window.__pending = null;
  new MutationObserver(() => {
    if (window.__pending !== null) { window.__moves.push(performance.now() - window.__pending); window.__pending = null; }
  }).observe(img, {attributes: true, attributeFilter: ['src']});
  document.addEventListener('keydown', () => { window.__pending = performance.now(); }, true);
}"""


def move_first_slider(page, explorer_index: int, presses: int = 8) -> SliderMove:
    """Press the right arrow on the explorer's first slider, as a person would; measure.

    A slider already at its maximum is moved with the left arrow instead; a slider with
    fewer positions than presses stops at its other end.
    """
    return move_control(page, explorer_index, None, presses)


def move_control(page, explorer_index: int, key: str | None, presses: int = 8) -> SliderMove:
    """Press arrow keys on one control of an explorer, found by its stable key (the CSS
    class ``cu-key-<key>``; ``None``: the first slider), and time each new picture.

    A slider gets the right arrow (the left one from its maximum on); a drop-down menu gets
    its next option, picked as a person flicking through them would (the clock starts just
    before the pick, so the time includes Playwright's dispatch, a millisecond or two).
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    boxes = page.locator(".jp-OutputArea-output .widget-vbox:has(img)")
    box = boxes.nth(explorer_index)
    box.scroll_into_view_if_needed()
    img = box.locator("img").first
    readout = box.locator(":scope > *").last  # an Explorer's last child is its readout
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=img.element_handle())
    before_png, before_text = img.screenshot(), readout.inner_html()
    box.evaluate(_INSTALL_TIMER)
    if key is None:
        target = box.locator(".widget-slider .noUi-handle, .widget-slider [role=slider]").first
        forward, backward = "ArrowRight", "ArrowLeft"
    else:  # the key's class sits on the control's own element
        control = box.locator(f".cu-key-{key}").first
        if control.locator("select").count():
            target, forward, backward = control.locator("select").first, "ArrowDown", "ArrowUp"
        else:
            target = control.locator(".noUi-handle, [role=slider]").first
            forward, backward = "ArrowRight", "ArrowLeft"
    target.focus()
    pressed = forward
    options = target.locator("option").all_inner_texts() if forward == "ArrowDown" else []
    chosen = target.evaluate("(s) => s.selectedIndex") if options else 0
    for _ in range(presses):
        if options:  # a closed <select> ignores arrow keys here: pick the next option instead
            chosen = (chosen + 1) % len(options)
            page.evaluate("() => { window.__pending = performance.now(); }")
            target.select_option(index=chosen)
        else:
            page.keyboard.press(pressed)
        try:
            page.wait_for_function("() => window.__pending === null", timeout=10_000)
        except PlaywrightTimeout:
            if pressed == backward:
                if page.evaluate("() => window.__moves.length") > 0:
                    break  # a short slider (a few options) is at its other end: enough moves
                raise
            # At the end of its range the control does not move: go the other way, as a person would.
            page.evaluate("() => { window.__pending = null; }")
            pressed = backward
    page.wait_for_timeout(300)
    after_png, after_text = img.screenshot(), readout.inner_html()
    latencies = page.evaluate("() => window.__moves")
    return SliderMove(after_png != before_png, after_text != before_text, latencies, before_png,
                      after_png)
