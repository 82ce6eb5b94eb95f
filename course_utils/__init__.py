"""Shared helpers for the hands-on neural networks course.

Each module has one job:

- :mod:`course_utils.device`: pick a device, seed everything, report the environment.
- :mod:`course_utils.data`: offline-first datasets (toy 2-D sets, MNIST, photos, names...).
- :mod:`course_utils.plots`: decision boundaries, image grids, training curves, confusion matrices.
- :mod:`course_utils.train`: a short ``fit`` / ``evaluate`` / ``accuracy`` loop.
- :mod:`course_utils.checks`: exercise self-checks with hints.
- :mod:`course_utils.widgets`: interactive demos that also draw a static figure.
- :mod:`course_utils.doctor`: ``python -m course_utils doctor`` checks a machine.

The most used names are re-exported here, so a notebook can write
``from course_utils import get_device, seed_everything``.
"""

from __future__ import annotations

__version__ = "0.1.0"

from course_utils.device import environment_report, get_device, seed_everything

__all__ = ["__version__", "environment_report", "get_device", "seed_everything"]
