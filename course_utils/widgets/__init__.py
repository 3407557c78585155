"""The course's explorers: sliders that move pictures.

Each ``*_explorer()`` / ``*_designer()`` factory lives in its own submodule and is
re-exported here: ``from course_utils import widgets; widgets.optimizer_explorer()``.
Each returns an ``Explorer`` (an ``ipywidgets.VBox``) whose controls are in
``.children``; moving a control recomputes and redraws only what changed.
"""

from __future__ import annotations

import importlib
import pkgutil

from course_utils.widgets.base import Explorer, FigureView

__all__ = ["Explorer", "FigureView"]

for _info in pkgutil.iter_modules(__path__):
    if _info.name.startswith("_") or _info.name == "base":
        continue
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    for _name in getattr(_module, "__all__", []):
        globals()[_name] = getattr(_module, _name)
        __all__.append(_name)
