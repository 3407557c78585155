"""Checkers for the exercises: each says what is wrong and gives a hint.

One submodule per topic (``gradient_descent``, ``momentum``, ...); every public
``check_*`` function is re-exported here, so a notebook writes
``from course_utils import exercises`` and ``exercises.check_gd_step(my_fn)``.
``check_cases`` (in ``_core``) is the one engine they all run on: it calls a function
case by case and names the first case that fails.
"""

from __future__ import annotations

import importlib
import pkgutil

from course_utils.exercises._core import Feedback, check_cases

__all__ = ["Feedback", "check_cases"]

for _info in pkgutil.iter_modules(__path__):
    if _info.name.startswith("_"):
        continue
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    for _name in dir(_module):
        if _name.startswith("check_"):
            globals()[_name] = getattr(_module, _name)
            __all__.append(_name)
