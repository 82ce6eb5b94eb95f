"""Shared helpers for the hands-on neural networks course.

Each module has one job:

- :mod:`course_utils.device`: pick a device, seed everything, report the environment.
- :mod:`course_utils.data`: offline-first datasets (toy 2-D sets, MNIST, photos, names...).
- :mod:`course_utils.data_status`: where each dataset would come from, without loading it.
- :mod:`course_utils.plots`: decision boundaries, image grids, training curves, confusion matrices.
- :mod:`course_utils.train`: a short ``fit`` / ``evaluate`` / ``accuracy`` loop.
- :mod:`course_utils.checks`: exercise self-checks with hints.
- :mod:`course_utils.generative`: score generated digits (Frechet classifier distance, coverage).
- :mod:`course_utils.generators`: the VAE and the DCGAN of Part IV, trained in one line.
- :mod:`course_utils.widgets`: interactive demos that also draw a static figure.
- :mod:`course_utils.doctor`: ``python -m course_utils doctor`` checks a machine.
- :mod:`course_utils.grading` and :mod:`course_utils.gradebook`: ``python -m course_utils grade``
  runs every check over a folder of students' notebooks and writes a gradebook.

The most used names are re-exported here, so a notebook can write
``from course_utils import get_device, seed_everything``. They are imported on first use,
so that ``import course_utils`` (and the doctor) works on a machine where PyTorch is missing
or broken, and says so.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from course_utils.device import environment_report, get_device, seed_everything

__all__ = ["__version__", "environment_report", "get_device", "seed_everything"]

_FROM_DEVICE = ("environment_report", "get_device", "seed_everything")
_SUBMODULES = ("checks", "data", "data_status", "device", "doctor", "exercises", "generative",
               "generators", "gradebook", "grading", "plots", "sequences", "threads", "train", "widgets")


def __getattr__(name: str) -> Any:
    """Import ``get_device`` & co. (and submodules such as ``course_utils.data``) on first use."""
    if name in _FROM_DEVICE:
        try:
            device = importlib.import_module("course_utils.device")
        except Exception as error:  # missing, or broken (an OSError from a shared library)
            raise ImportError(
                f"course_utils.{name} needs PyTorch and NumPy, which do not import here "
                f"({error}). Run `python -m course_utils doctor` to see what is missing "
                "and how to fix it."
            ) from error
        value = getattr(device, name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"course_utils.{name}")
    raise AttributeError(f"module 'course_utils' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_FROM_DEVICE, *_SUBMODULES})
