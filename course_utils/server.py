"""A Jupyter server extension: kernel messages reach the browser at once (no Nagle delay).

Why: every slider move is a small burst of messages from the kernel to the browser (the
kernel's "busy", the slider's echo, the new picture, the readout, "idle"). Jupyter Server's
kernel websocket leaves Nagle's algorithm on, so the operating system holds every message
after the first until the browser acknowledges that one, and browsers delay acknowledgements
by up to 40 ms. Measured in JupyterLab in Chromium on the development machine
(``benchmarks/browser.py``), a slider whose kernel side takes one millisecond answered in
about 48 ms with Nagle's algorithm and 18 ms without it.

``python -m course_utils.server`` enables it for the environment it runs in (it writes
``etc/jupyter/jupyter_server_config.d/course_utils.json`` under ``sys.prefix``); ``make lab``,
``make test`` and the wheelhouse install run it, and the README gives it for the conda and
Windows routes. ``jupyter server extension list`` then shows ``course_utils.server``.
Nothing else changes: the extension only sets ``TCP_NODELAY`` on each kernel websocket as
it opens. Without it the course works the same, each slider about 30 ms slower.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["patch_kernel_websocket", "enable", "CONFIG_NAME"]

#: The file that turns the extension on, under an environment's ``etc/jupyter``.
CONFIG_NAME = "jupyter_server_config.d/course_utils.json"


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "course_utils.server"}]


def patch_kernel_websocket(handler_class: Any) -> None:
    """Make ``handler_class.open`` (a kernel websocket) turn Nagle's algorithm off first."""
    opened = handler_class.open
    if getattr(opened, "_course_nodelay", False):
        return  # patched already (the extension loaded twice)

    async def open_without_delay(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.set_nodelay(True)  # send each message now; do not wait for the last one's ACK
        return await opened(self, *args, **kwargs)

    open_without_delay._course_nodelay = True  # type: ignore[attr-defined]
    open_without_delay.__doc__ = opened.__doc__
    handler_class.open = open_without_delay


def _load_jupyter_server_extension(server_app: Any) -> None:
    # imported here: notebooks import course_utils without loading the server's code
    from jupyter_server.services.kernels.websocket import KernelWebsocketHandler

    patch_kernel_websocket(KernelWebsocketHandler)
    server_app.log.info("course_utils.server: kernel websockets send without Nagle's delay")


def enable(prefix: str | Path = sys.prefix) -> Path:
    """Turn the extension on for the environment at ``prefix``; returns the file written.

    (``jupyter server extension enable`` refuses an extension that no config file names
    yet, so the course writes the file itself, as a package's installer would.)
    """
    path = Path(prefix) / "etc" / "jupyter" / CONFIG_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    config = {"ServerApp": {"jpserver_extensions": {"course_utils.server": True}}}
    path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    print(f"course_utils.server enabled: {enable()}")
