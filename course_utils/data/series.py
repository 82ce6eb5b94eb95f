"""Real time series that ship with statsmodels (public domain), as plain NumPy arrays.

statsmodels keeps a handful of classic data sets as CSV files inside its wheel, so they
load offline. :func:`load_series` reads one, checks it (length, first and last time,
evenly spaced, finite values in a plausible range) and returns a :class:`TimeSeries`:

- ``"sunspots"``: yearly mean sunspot number, 1700-2008 (309 values; NOAA's National
  Geophysical Data Center), the classic series with a cycle of about 11 years;
- ``"co2"``: atmospheric CO2 at Mauna Loa in ppm, monthly means of weekly flask samples,
  March 1958 to December 2001 (526 values; Keeling and Whorf), a trend plus a yearly cycle;
- ``"nile"``: yearly flow of the Nile at Aswan, 1871-1970 (100 values, 10^8 m^3);
- ``"elnino"``: monthly sea-surface temperature of the Nino 1+2 region in degrees C,
  1950-2010 (732 values; NOAA's ERSST.V3B).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._args import check_choice, check_flag
from ._cache import CorruptDataError, DatasetUnavailableError

SERIES: tuple[str, ...] = ("sunspots", "co2", "nile", "elnino")
REINSTALL = "pip install --force-reinstall statsmodels"


@dataclass(frozen=True)
class TimeSeries:
    """One evenly spaced series: ``values[i]`` was measured at ``time[i]`` (in years).

    ``time`` holds fractional years (1958.0 is January 1958 for a monthly series);
    ``per_year`` is the number of values per year (1 or 12); ``unit`` names the values.
    """

    name: str
    time: np.ndarray
    values: np.ndarray
    per_year: int
    unit: str
    description: str

    def __len__(self) -> int:
        return len(self.values)


# name: (length, first time, last time, per year, lowest and highest plausible value, unit, what)
_EXPECTED = {
    "sunspots": (309, 1700.0, 2008.0, 1, 0.0, 300.0, "mean sunspot number",
                 "yearly mean sunspot number, NOAA National Geophysical Data Center"),
    "co2": (526, 1958 + 2 / 12, 2001 + 11 / 12, 12, 300.0, 400.0, "ppm",
            "CO2 at Mauna Loa, monthly means of weekly flask samples (Keeling and Whorf)"),
    "nile": (100, 1871.0, 1970.0, 1, 300.0, 1500.0, "10^8 m^3 per year",
             "yearly flow of the Nile at Aswan"),
    "elnino": (732, 1950.0, 2010 + 11 / 12, 12, 15.0, 35.0, "degrees C",
               "monthly sea-surface temperature of the Nino 1+2 region (NOAA ERSST.V3B)"),
}


def _read(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Read one statsmodels data set as (time in years, values), before any checks."""
    try:
        from statsmodels import datasets
    except ImportError:
        raise DatasetUnavailableError(
            f"The {name!r} series comes with statsmodels, which is not installed. "
            "Install it with: pip install statsmodels"
        ) from None
    frame = getattr(datasets, name).load_pandas().data
    if name == "sunspots":
        return frame["YEAR"].to_numpy(float), frame["SUNACTIVITY"].to_numpy(float)
    if name == "nile":
        return frame["year"].to_numpy(float), frame["volume"].to_numpy(float)
    if name == "elnino":
        months = frame.drop(columns="YEAR").to_numpy(float)
        years = np.repeat(frame["YEAR"].to_numpy(float), 12) + np.tile(np.arange(12) / 12, len(frame))
        return years, months.reshape(-1)
    # co2: weekly samples with gaps; the mean of each calendar month, gaps filled linearly
    monthly = frame["co2"].resample("MS").mean()
    values = monthly.interpolate("linear").to_numpy(float)
    time = monthly.index.year.to_numpy(float) + (monthly.index.month.to_numpy(float) - 1) / 12
    return time, values


def load_series(name: str = "sunspots", *, verbose: bool = True) -> TimeSeries:
    """Return one of statsmodels' bundled real time series as a checked :class:`TimeSeries`.

    Args:
        name: ``"sunspots"``, ``"co2"``, ``"nile"`` or ``"elnino"`` (see the module docstring).
        verbose: print one line saying what was loaded and from where.

    Raises:
        DatasetUnavailableError: statsmodels is not installed (the message says how to).
        CorruptDataError: the file statsmodels ships is damaged or not the expected series.

    Example::

        spots = load_series("sunspots")
        spots.time[:3], spots.values[:3]   # (array([1700., 1701., 1702.]), array([ 5., 11., 16.]))
    """
    check_choice(name, SERIES, "name")
    verbose = check_flag(verbose, "verbose")
    length, first, last, per_year, low, high, unit, what = _EXPECTED[name]
    try:
        time, values = _read(name)
    except (OSError, ValueError, KeyError, AttributeError) as error:
        raise CorruptDataError(
            f"The {name!r} data set inside statsmodels cannot be read ({type(error).__name__}: "
            f"{error}). Reinstall it: {REINSTALL}"
        ) from None
    problem = None
    if len(values) != length or len(time) != length:
        problem = f"expected {length} values, found {len(values)}"
    elif not np.allclose([time[0], time[-1]], [first, last]) or not np.allclose(np.diff(time), 1 / per_year):
        problem = f"expected evenly spaced times from {first:g} to {last:g}"
    elif not np.all(np.isfinite(values)) or values.min() < low or values.max() > high:
        problem = f"expected finite values from {low:g} to {high:g}"
    if problem:
        raise CorruptDataError(f"The {name!r} data set inside statsmodels is not the expected "
                               f"series ({problem}). Reinstall it: {REINSTALL}")
    if verbose:
        print(f"Series {name!r}: {length} values, {what}, {int(time[0])} to {int(time[-1])}, "
              "bundled with statsmodels (public domain).")
    return TimeSeries(name, time, values, per_year, unit, what)
