"""Answers used to test the exercise checks, one module per notebook (``nbNN.py``).

Each module defines ``WRONG_ANSWERS`` (plausible mistakes that must fail their check)
and ``RIGHT_ANSWERS`` (other correct answers that must pass), both keyed by exercise id.
"""

from __future__ import annotations

import importlib
import pkgutil

WRONG_ANSWERS: dict[str, list[object]] = {}
RIGHT_ANSWERS: dict[str, list[object]] = {}
for _info in pkgutil.iter_modules(__path__):
    if _info.name.startswith("nb"):
        _module = importlib.import_module(f"{__name__}.{_info.name}")
        WRONG_ANSWERS.update(_module.WRONG_ANSWERS)
        RIGHT_ANSWERS.update(getattr(_module, "RIGHT_ANSWERS", {}))
