"""An offline install for a workshop: every wheel attendees need, on a USB stick.

Thirty laptops downloading TensorFlow at once over a venue's network is how a workshop
loses its first hour. Instead, the instructor downloads the wheels once, for the
platforms in the room, and attendees install from the folder with no network at all.

    python tools/wheelhouse.py download                          # this machine's platform
    python tools/wheelhouse.py download --platform windows --platform macos-arm64
    python tools/wheelhouse.py install wheelhouse/linux-x86_64   # on the attendee's laptop

``install`` creates ``.venv`` (with the Python running this script, 3.11-3.13), installs
``requirements.txt`` and the course's package from the folder only (``--no-index``), and
marks ``.venv`` as installed, so ``make lab`` (or, without make, the commands in the
README's Windows row) starts JupyterLab without touching the network. Only the standard
library is used, so it runs before anything is installed, on Windows too.

Developers' packages (``requirements-dev.txt``: tests, lint) are not included: attendees
do not run the tests. Intel Macs are not offered: TensorFlow 2.21 has no macOS x86_64
wheels (see the README's per-OS table).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements.txt"
# What pip needs to build the course's own package (pyproject.toml) without a network.
BUILD_TOOLS = ["pip", "setuptools>=64", "wheel"]
# pip's platform tags for each laptop kind the course supports (newest first; pip also
# accepts pure-Python "any" wheels).
PLATFORMS = {
    "linux-x86_64": ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64",
                     "manylinux2014_x86_64"],
    "macos-arm64": ["macosx_14_0_arm64", "macosx_13_0_arm64", "macosx_12_0_arm64", "macosx_11_0_arm64",
                    "macosx_10_9_universal2"],
    "windows": ["win_amd64"],
}


def this_platform() -> str:
    """The ``PLATFORMS`` key for the machine running this script."""
    machine = platform.machine().lower()
    if sys.platform.startswith("linux") and machine in ("x86_64", "amd64"):
        return "linux-x86_64"
    if sys.platform == "darwin" and machine == "arm64":
        return "macos-arm64"
    if sys.platform == "win32" and machine in ("amd64", "x86_64"):
        return "windows"
    raise SystemExit(f"no wheelhouse for {sys.platform} {machine}: the course's TensorFlow has "
                     f"wheels for {', '.join(PLATFORMS)} only (Intel Macs: see the README).")


def download(dest: Path, platforms: list[str], python_version: str) -> list[Path]:
    """``pip download`` the course's wheels for each platform into ``dest/<platform>``."""
    folders = []
    for name in platforms:
        if name not in PLATFORMS:
            raise SystemExit(f"unknown platform {name!r}; choose from {', '.join(PLATFORMS)}.")
        folder = dest / name
        folder.mkdir(parents=True, exist_ok=True)
        tags = [arg for tag in PLATFORMS[name] for arg in ("--platform", tag)]
        for what in (["-r", str(REQUIREMENTS)], BUILD_TOOLS):
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:",
                            "--python-version", python_version, *tags, "--dest", str(folder),
                            *what], check=True)
        size = sum(f.stat().st_size for f in folder.iterdir()) / 2**20
        print(f"{folder}: {len(list(folder.iterdir()))} wheels, {size:,.0f} MiB "
              f"(Python {python_version})")
        folders.append(folder)
    return folders


def venv_python(env: Path) -> Path:
    return env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def install(wheels: Path, env: Path = ROOT / ".venv") -> Path:
    """Create ``env`` and install the course from ``wheels`` alone: no index, no network."""
    if not wheels.is_dir() or not any(wheels.glob("tensorflow-*.whl")):
        raise SystemExit(f"{wheels} holds no TensorFlow wheel: pass the folder `download` wrote "
                         f"for this laptop's platform ({this_platform()}).")
    if not venv_python(env).exists():
        venv.create(env, with_pip=True)
    python = str(venv_python(env))
    offline = ["--no-index", "--find-links", str(wheels), "--quiet"]
    subprocess.run([python, "-m", "pip", "install", *offline, "--upgrade", *BUILD_TOOLS], check=True)
    subprocess.run([python, "-m", "pip", "install", *offline, "-r", str(REQUIREMENTS)], check=True)
    subprocess.run([python, "-m", "pip", "install", *offline, "--no-deps", "-e", str(ROOT)],
                   check=True)
    subprocess.run([python, "-m", "course_utils.server"], check=True)  # sliders without delay
    (env / ".installed").touch()  # `make lab` then starts without reinstalling
    print(f"installed the course into {env} from {wheels}, without the network")
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    down = sub.add_parser("download", help="fetch the wheels (needs the network)")
    down.add_argument("--dest", type=Path, default=ROOT / "wheelhouse")
    down.add_argument("--platform", action="append", choices=sorted(PLATFORMS),
                      help="repeat for several; default: this machine's")
    down.add_argument("--python-version", default=f"{sys.version_info[0]}.{sys.version_info[1]}",
                      help="the attendees' Python, e.g. 3.12 (default: this one's)")
    inst = sub.add_parser("install", help="install from a downloaded folder (no network)")
    inst.add_argument("wheels", type=Path)
    inst.add_argument("--venv", type=Path, default=ROOT / ".venv")
    args = parser.parse_args(argv)
    if args.command == "download":
        download(args.dest, args.platform or [this_platform()], args.python_version)
    else:
        install(args.wheels, args.venv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
