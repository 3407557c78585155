"""The course's explorers: sliders that move pictures. Explorers only.

Each ``*_explorer()`` / ``*_designer()`` / ``*_viewer()`` factory lives in its own
submodule and is re-exported here: ``from course_utils import widgets;
widgets.optimizer_explorer()``. Each returns an ``Explorer`` (an ``ipywidgets.VBox``)
whose controls are in ``.children`` and, by a stable key, in ``.controls``; moving a
control recomputes and redraws only what changed.

What an explorer computes lives in the numerics modules (``quadratic``, ``capacity``,
``minibatch``, ``trajectories``, ``schedules``, ...), what it draws in ``plots``; a
widget module is the glue between them and the controls. ``widgets.base`` holds that
glue (``Explorer``, ``FigureView``, the slider helpers) for anyone building a new
explorer, as chapter 10 does.
"""

from __future__ import annotations

import importlib
import pkgutil

from course_utils.widgets.base import Explorer

__all__ = ["Explorer"]

for _info in pkgutil.iter_modules(__path__):
    if _info.name.startswith("_") or _info.name == "base":
        continue
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    for _name in getattr(_module, "__all__", []):
        globals()[_name] = getattr(_module, _name)
        __all__.append(_name)
