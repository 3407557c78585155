"""The package's layers hold: numerics never draw or load TensorFlow, widgets hold explorers only.

A maintainer who puts a formula into a widget, or a plot into a numerics module, breaks
one of these tests, not a learner's laptop months later.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "course_utils"

# What a numerics module is: it computes with NumPy (SciPy, scikit-learn) and returns data.
NUMERICS = ("checks", "surfaces", "optimizers", "trajectories", "quadratic", "minibatch",
            "capacity", "schedules", "experiments", "tuning", "landscape", "gradient_flow",
            "clinic", "data")
# The Keras side loads TensorFlow when imported; plots draws; widgets and exercises sit on top.
KERAS_SIDE = ("models", "keras_tools", "gradients", "diagnostics", "hardware", "multiworker",
              "environment")
HEAVY = ("matplotlib", "ipywidgets", "keras", "tensorflow")
# JupyterLab's side: a server extension, which loads Jupyter Server's code only when the
# server loads it.
LAB_SIDE = ("server",)


def test_every_module_is_classified_and_listed_in_the_readme() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    assert modules == set(NUMERICS) | set(KERAS_SIDE) | set(LAB_SIDE) | {"plots"}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    package_doc = (PACKAGE / "__init__.py").read_text(encoding="utf-8")
    for name in modules:
        assert f"  {name}.py " in readme, f"README's layout does not list {name}.py"
        assert f"``{name}``" in package_doc, f"course_utils/__init__.py does not list {name}"


def _loaded_after_import(module: str) -> list[str]:
    code = (f"import sys, course_utils.{module}; "
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


@pytest.mark.parametrize("module", NUMERICS)
def test_numerics_import_no_plotting_widgets_or_tensorflow(module: str) -> None:
    assert _loaded_after_import(module) == []


def test_plots_and_exercises_and_widgets_stay_light() -> None:
    assert _loaded_after_import("server") == []
    assert _loaded_after_import("plots") == ["matplotlib"]
    assert set(_loaded_after_import("widgets")) == {"matplotlib", "ipywidgets"}
    assert _loaded_after_import("exercises") == []


def _imports(tree: ast.AST) -> list[tuple[str, list[str]]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((a.name, []) for a in node.names)
    return found


def test_plots_imports_no_widgets() -> None:
    tree = ast.parse((PACKAGE / "plots.py").read_text(encoding="utf-8"))
    for module, names in _imports(tree):
        assert "widgets" not in module and "widgets" not in names


def _explorers() -> set[str]:
    from course_utils import widgets

    return set(widgets.__all__)


def _sources() -> list[tuple[str, str]]:
    out = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        out.append((path.name, "\n".join(line for line in code.splitlines()
                                          if not line.lstrip().startswith(("%", "!")))))
    for path in sorted((ROOT / "tests").rglob("*.py")) + sorted((ROOT / "benchmarks").glob("*.py")):
        out.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    return out


def test_widgets_export_explorers_only() -> None:
    from course_utils import widgets

    for name in widgets.__all__:
        assert name == "Explorer" or name.endswith(("_explorer", "_designer", "_viewer")), name


def test_no_notebook_test_or_benchmark_imports_a_non_explorer_from_widgets() -> None:
    """Only explorers come from ``widgets``; ``widgets.base`` is the kit for building one
    (chapter 10 builds its own explorer, and the widget tests test the kit)."""
    explorers = _explorers()
    allowed_modules = {"course_utils.widgets", "course_utils.widgets.base"}
    for name, source in _sources():
        tree = ast.parse(source)
        for module, names in _imports(tree):
            if module.startswith("course_utils.widgets"):
                assert module in allowed_modules, f"{name} imports from {module}"
                if module == "course_utils.widgets":
                    assert set(names) <= explorers, f"{name} imports {names} from widgets"
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id == "widgets"):
                assert node.attr in explorers | {"__all__"}, f"{name} uses widgets.{node.attr}"
