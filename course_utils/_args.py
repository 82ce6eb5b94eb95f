"""Checks for the arguments of the public functions of course_utils.

Each check returns the value in a clean form (a plain ``int``, ``float``, ``bool`` or
``Path``) or raises a ``TypeError`` (wrong kind of value) or ``ValueError`` (right kind,
wrong value) whose message names the argument, says what is allowed and shows what was
given. NumPy numbers count as numbers; ``True`` and ``False`` never count as sizes.
"""

from __future__ import annotations

import difflib
import math
import numbers
import os
from pathlib import Path

import numpy as np


def _is_bool(value: object) -> bool:
    return isinstance(value, (bool, np.bool_))


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"a {type(value).__name__}"


def check_choice(value: object, allowed: tuple[str, ...], argument: str, *, hint: str = "") -> str:
    """Return ``value`` if it is one of the strings ``allowed``; suggest the closest otherwise."""
    if not isinstance(value, str):
        raise TypeError(
            f"{argument} must be one of {allowed} (a string), not {_shown(value)}.{hint}"
        )
    if value not in allowed:
        close = difflib.get_close_matches(value.strip().lower(), allowed, n=1)
        guess = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"{argument} must be one of {allowed}, not {value!r}.{guess}{hint}")
    return value


def check_whole(
    value: object, argument: str, *, minimum: int, maximum: int | None = None, unit: str = ""
) -> int:
    """Return ``value`` as an ``int`` if it is a whole number from ``minimum`` to ``maximum``.

    ``unit`` completes "a whole number", e.g. ``" of pixels"``.
    """
    bound = f"from {minimum:,} to {maximum:,}" if maximum is not None else f"{minimum:,} or more"
    if _is_bool(value) or not isinstance(value, numbers.Integral):
        fix = ""
        if isinstance(value, numbers.Real) and not _is_bool(value) and float(value).is_integer():
            fix = f" Write {int(value)} instead of {value!r}."
        raise TypeError(
            f"{argument} must be a whole number{unit} (an int), {bound}, not {_shown(value)}.{fix}"
        )
    number = int(value)
    if number < minimum or (maximum is not None and number > maximum):
        raise ValueError(f"{argument} must be a whole number{unit}, {bound}, got {number:,}.")
    return number


def check_real(
    value: object,
    argument: str,
    *,
    minimum: float | None = None,
    inside: tuple[float, float] | None = None,
    meaning: str = "",
) -> float:
    """Return ``value`` as a finite ``float``, at least ``minimum`` or strictly ``inside`` (a, b)."""
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise TypeError(f"{argument} must be a number{meaning}, not {_shown(value)}.")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{argument} must be a finite number{meaning}, not {number}.")
    if minimum is not None and number < minimum:
        raise ValueError(f"{argument} must be at least {minimum:g}{meaning}, got {number:g}.")
    if inside is not None and not inside[0] < number < inside[1]:
        raise ValueError(
            f"{argument} must be between {inside[0]:g} and {inside[1]:g} (exclusive){meaning}, "
            f"got {number:g}."
        )
    return number


def check_flag(value: object, argument: str, *, meaning: str = "") -> bool:
    """Return ``value`` as a ``bool`` if it is ``True`` or ``False`` (or the numbers 0 and 1).

    ``meaning`` says what True means, e.g. ``"rows as fractions of each true class"``.
    """
    if _is_bool(value) or (isinstance(value, numbers.Integral) and value in (0, 1)):
        return bool(value)
    said = f" ({meaning})" if meaning else ""
    raise TypeError(f"{argument} must be True or False{said}, not {_shown(value)}.")


def check_folder(value: object, argument: str = "data_dir") -> Path | None:
    """Return a ``data_dir=`` argument as a ``Path`` (``None`` stays ``None``: the default)."""
    if value is None:
        return None
    if not isinstance(value, (str, os.PathLike)) or isinstance(value, bytes):
        raise TypeError(
            f"{argument} must be a folder path (a str or pathlib.Path) or None for the default "
            f"folder, not {_shown(value)}."
        )
    text = os.fspath(value)
    if not isinstance(text, str) or not text.strip():
        raise ValueError(
            f"{argument} must name a folder, not {text!r}; leave it out (None) to use the "
            "default folder, or pass a path such as '~/nn-course-data'."
        )
    return Path(text)
