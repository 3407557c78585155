"""The two version files agree, the Makefile does its own set-up, and CI is make test."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pins(lines: list[str]) -> dict[str, str]:
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip().lstrip("- ").strip()
        match = re.fullmatch(r"([A-Za-z0-9_.\-\[\]]+)==([\w.]+)", line)
        if match:
            name = re.sub(r"\[.*\]", "", match[1]).lower().replace("_", "-")
            pins[name] = match[2]
    return pins


def requirements(name: str = "requirements.txt") -> dict[str, str]:
    return _pins((ROOT / name).read_text().splitlines())


def test_every_requirement_is_pinned_exactly() -> None:
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text().splitlines():
            spec = line.split("#", 1)[0].strip()
            if spec and spec != "-r requirements.txt":
                assert "==" in spec, f"{name}: {spec!r} is not pinned with =="


def test_developer_requirements_add_to_the_course_ones_without_repeating_them() -> None:
    lines = [ln.split("#", 1)[0].strip() for ln in
             (ROOT / "requirements-dev.txt").read_text().splitlines()]
    assert "-r requirements.txt" in lines  # one source of truth for the shared pins
    dev = requirements("requirements-dev.txt")
    assert dev and not set(dev) & set(requirements()), "a pin is in both files"
    assert {"pytest", "nbval", "ruff"} <= set(dev) and "tensorflow" in requirements()


def test_environment_yml_has_the_same_pins_as_requirements() -> None:
    lines = (ROOT / "environment.yml").read_text().splitlines()
    pip_section = lines[lines.index("  - pip:") + 1 :]
    assert _pins(pip_section) == requirements()


def test_installed_versions_are_the_pinned_ones() -> None:
    for name, version in {**requirements(), **requirements("requirements-dev.txt")}.items():
        assert metadata.version(name) == version, f"{name}: installed != pinned; run make lab"


def test_ci_runs_make_test() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert "make test" in script and "set -e" in script


def test_pins_parser_catches_a_drift() -> None:
    assert _pins(["      - numpy==2.4.6", "keras==3.15.1  # Keras 3"]) == {
        "numpy": "2.4.6",
        "keras": "3.15.1",
    }
