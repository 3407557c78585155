"""The offline install works: a wheelhouse for this platform installs the course into a fresh
virtual environment with the network refused, and the pre-flight check then passes.

This is what an attendee does with the instructor's USB stick (tools/wheelhouse.py). The
download uses the network (or pip's cache); the install must not: pip is given no index,
none of the machine's pip configuration, and a proxy that refuses every connection.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tools import wheelhouse

ROOT = Path(__file__).resolve().parents[1]


def _no_network_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    refused = "http://127.0.0.1:9"  # the discard port: nothing listens, every request fails
    env.update(PIP_CONFIG_FILE=os.devnull, http_proxy=refused, https_proxy=refused,
               HTTP_PROXY=refused, HTTPS_PROXY=refused, COURSE_OFFLINE="1", PYTHONNOUSERSITE="1")
    return env


def test_wheelhouse_installs_the_course_without_a_network(tmp_path: Path) -> None:
    folder, = wheelhouse.download(tmp_path / "wh", [wheelhouse.this_platform()],
                                  f"{sys.version_info[0]}.{sys.version_info[1]}")
    assert any(folder.glob("tensorflow-*.whl")) and any(folder.glob("setuptools-*.whl"))
    assert not any(folder.glob("pytest-*.whl")), "attendees do not need the test packages"
    env_dir = tmp_path / "venv"
    subprocess.run([sys.executable, str(ROOT / "tools" / "wheelhouse.py"), "install", str(folder),
                    "--venv", str(env_dir)], check=True, env=_no_network_env(), cwd=tmp_path)
    assert (env_dir / ".installed").exists()
    python = wheelhouse.venv_python(env_dir)
    check = subprocess.run([str(python), "-m", "course_utils.environment"], capture_output=True,
                           text=True, env=_no_network_env(), cwd=tmp_path, timeout=600)
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
    assert "keras" in check.stdout.lower()


def test_unknown_platform_and_empty_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="unknown platform"):
        wheelhouse.download(tmp_path, ["amiga"], "3.11")
    with pytest.raises(SystemExit, match="no TensorFlow wheel"):
        wheelhouse.install(tmp_path, tmp_path / "venv")


def _resolve(tags: list[str], python_version: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PIP_FIND_LINKS"}  # PyPI's wheels only
    return subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed",
         "--only-binary=:all:", *[a for t in tags for a in ("--platform", t)],
         "--python-version", python_version, "--target", str(tmp_path / "target"),
         "-r", str(ROOT / "requirements.txt")], capture_output=True, text=True, env=env)


@pytest.mark.parametrize(("name", "python_version"), [
    ("windows", "3.12"), ("macos-arm64", "3.12"), ("linux-x86_64", "3.13")])
def test_the_pins_resolve_on_every_supported_platform(name, python_version, tmp_path) -> None:
    """Each row of the README's per-OS table: the pins have wheels there (no compiler needed)."""
    result = _resolve(wheelhouse.PLATFORMS[name], python_version, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]


def test_intel_macs_have_no_tensorflow_2_21(tmp_path: Path) -> None:
    """Why the README sends Intel Macs elsewhere: the pinned TensorFlow has no macOS x86_64 wheel."""
    result = _resolve(["macosx_10_15_x86_64", "macosx_12_0_x86_64", "macosx_13_0_x86_64"], "3.11",
                      tmp_path)
    assert result.returncode != 0 and "tensorflow" in result.stderr.lower()
