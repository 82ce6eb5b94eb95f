"""The tests behind every exercise's ``check(...)``, one module per notebook (``nbNN.py``).

Importing this package imports every ``nbNN`` module, which registers its exercises with
:mod:`course_utils.checks`. Each test takes the learner's answer and raises
:class:`~course_utils.checks.Wrong` with a specific message when it is not right.
Reference solutions are not here: they live in the notebooks, in collapsed cells, so
that student handouts can drop them.
"""

from __future__ import annotations

import importlib
import pkgutil

MODULES = tuple(
    info.name for info in pkgutil.iter_modules(__path__) if info.name.startswith("nb")
)
for _name in MODULES:
    importlib.import_module(f"{__name__}.{_name}")

__all__ = ["MODULES"]
