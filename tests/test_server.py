"""The JupyterLab server extension: kernel websockets open with Nagle's algorithm off, and
the environment `make` builds has it enabled."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from course_utils import server


class _FakeHandler:
    """Records what a kernel websocket handler is asked to do, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def set_nodelay(self, value: bool) -> None:
        self.calls.append(("set_nodelay", value))

    async def open(self, kernel_id: str) -> str:
        self.calls.append(("open", kernel_id))
        return "opened"


def test_the_patched_open_turns_nagle_off_before_opening() -> None:
    class Handler(_FakeHandler):
        pass

    server.patch_kernel_websocket(Handler)
    server.patch_kernel_websocket(Handler)  # loading twice patches once
    handler = Handler()
    assert asyncio.run(handler.open("k1")) == "opened"
    assert handler.calls == [("set_nodelay", True), ("open", "k1")]


def test_loading_the_extension_patches_jupyter_servers_kernel_websocket() -> None:
    from jupyter_server.services.kernels.websocket import KernelWebsocketHandler

    original = KernelWebsocketHandler.open
    messages = []

    class App:
        class log:  # noqa: N801 - stands in for the server's logger
            info = staticmethod(messages.append)

    try:
        server._load_jupyter_server_extension(App())
        assert getattr(KernelWebsocketHandler.open, "_course_nodelay", False)
        assert messages and "Nagle" in messages[0]
    finally:
        KernelWebsocketHandler.open = original
    assert server._jupyter_server_extension_points() == [{"module": "course_utils.server"}]


def test_enable_writes_the_config_jupyter_server_reads(tmp_path: Path) -> None:
    path = server.enable(tmp_path)
    assert path == tmp_path / "etc" / "jupyter" / "jupyter_server_config.d" / "course_utils.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    assert config == {"ServerApp": {"jpserver_extensions": {"course_utils.server": True}}}
    assert server.enable(tmp_path) == path  # running it again is harmless


def test_the_course_environment_has_the_extension_enabled() -> None:
    """`make` (and the wheelhouse install) run `python -m course_utils.server`; Jupyter then
    lists and validates the extension in this environment."""
    jupyter = Path(sys.executable).with_name("jupyter")
    out = subprocess.run([str(jupyter), "server", "extension", "list"], capture_output=True,
                         text=True, timeout=120, check=True)
    text = out.stdout + out.stderr
    line = next((ln for ln in text.splitlines() if "course_utils.server" in ln), "")
    assert "enabled" in line, text[-2000:]
    validated = text.split("Validating course_utils.server...", 1)
    assert len(validated) == 2 and "OK" in validated[1].splitlines()[1], text[-2000:]
