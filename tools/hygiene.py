"""Notebook hygiene: committed notebooks carry no outputs, counts or widget state.

``python -m tools.hygiene --strip notebooks`` (or ``make strip``) cleans them;
``problems(path)`` lists what is wrong, and the tests call it on every notebook.
"""

from __future__ import annotations

import argparse
import json
import uuid
from pathlib import Path

__all__ = ["problems", "strip", "notebooks"]


def notebooks(root: str | Path) -> list[Path]:
    """Every ``.ipynb`` under ``root``, checkpoints and ``outputs/`` left out."""
    skip = {".ipynb_checkpoints", "outputs"}
    return sorted(p for p in Path(root).rglob("*.ipynb") if not skip & set(p.parts))


def problems(path: str | Path) -> list[str]:
    """What keeps ``path`` from being committed: outputs, counts, widget state, kernel."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    found = []
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("outputs"):
            found.append(f"cell {i} has outputs")
        if cell.get("execution_count") is not None:
            found.append(f"cell {i} has an execution count")
        if "id" not in cell:  # nbformat 4.5 requires one; a missing id warns in every tool
            found.append(f"cell {i} has no id (nbformat.validator.normalize adds one)")
    if "widgets" in nb.get("metadata", {}):
        found.append("the notebook metadata holds widget state")
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    if kernel != "python3":
        found.append(f"kernelspec is {kernel!r}, expected 'python3'")
    return found


def strip(path: str | Path) -> bool:
    """Remove outputs, execution counts and widget state in place, and give every cell an id;
    True if it changed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell.get("metadata", {}).pop("execution", None)
        cell.setdefault("id", uuid.uuid4().hex[:8])  # a cell added by hand or by a script
    nb.get("metadata", {}).pop("widgets", None)
    new = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strip", action="store_true", help="clean the notebooks in place")
    parser.add_argument("root", nargs="?", default="notebooks")
    args = parser.parse_args(argv)
    bad = 0
    for nb in notebooks(args.root):
        if args.strip and strip(nb):
            print(f"stripped {nb}")
        for problem in problems(nb):
            print(f"{nb}: {problem}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
