"""Lists of real names, for character-level models (e.g. a model that invents new names).

The lists are the US Census Bureau's 1990 name frequency tables, which ship inside the
small ``names`` package as three text files. Each line holds a name in capitals, its
frequency in percent, the cumulative frequency, and its rank, for example::

    MARY           2.629  2.629      1
"""

from __future__ import annotations

from pathlib import Path

from .._args import check_choice, check_flag
from ._cache import CorruptDataError, check_bundled, package_folder

NAME_KINDS: tuple[str, ...] = ("first", "male", "female", "last")
NAME_FILES = {"male": "dist.male.first", "female": "dist.female.first", "last": "dist.all.last"}
NAME_ROWS = {"male": 1_219, "female": 4_275, "last": 88_799}  # lines of each census file
NAMES_REINSTALL = "pip install --force-reinstall names"


def names_folder() -> Path:
    """The installed ``names`` package folder, which holds the census files."""
    return package_folder("names", "The name lists")


def _read_table(path: Path, rows: int) -> dict[str, float]:
    """Read one census file into {lowercase name: frequency in percent}, most frequent first.

    Every line is checked (a name of letters A-Z, a frequency never above the one before,
    a cumulative frequency from 0 to 100 never below the one before, the rank equal to the
    line number, no name twice), and so is
    the number of lines, so a truncated, edited or garbled file is never used.
    """

    def corrupt(why: str) -> CorruptDataError:
        return CorruptDataError(
            f"The name list {path} is damaged ({why}). Reinstall the package that provides "
            f"it: {NAMES_REINSTALL}"
        )

    check_bundled(path, "name list", NAMES_REINSTALL)
    try:
        lines = [line for line in path.read_text(encoding="ascii").splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError) as error:
        raise corrupt(f"it cannot be read as ASCII text: {error}") from None
    if len(lines) != rows:
        raise corrupt(f"expected {rows:,} lines, found {len(lines):,}")
    table: dict[str, float] = {}
    previous, total = 100.0, 0.0
    for number, line in enumerate(lines, start=1):
        fields = line.split()
        try:
            name, percent, cumulative, rank = fields[0], float(fields[1]), float(fields[2]), int(fields[3])
            well_formed = len(fields) == 4 and name.isascii() and name.isalpha() and name.isupper()
        except (IndexError, ValueError):
            well_formed = False
        if not well_formed or not 0 <= percent <= previous or not total <= cumulative <= 100:
            raise corrupt(f"line {number} is not 'NAME  percent  cumulative  rank': {line.strip()!r}")
        if rank != number or name.lower() in table:
            raise corrupt(f"line {number} is out of order: {line.strip()!r}")
        table[name.lower()] = percent
        previous, total = percent, cumulative
    return table


def load_names(kind: str = "first", *, verbose: bool = True) -> list[str]:
    """Return US Census 1990 names: lowercase ASCII, most frequent first, no duplicates.

    Args:
        kind: ``"male"`` or ``"female"`` first names, ``"first"`` for both merged (a name
            given to boys and girls appears once, ranked by its share of all people),
            or ``"last"`` for family names.
        verbose: print one line saying what was loaded and from where.

    Raises:
        CorruptDataError: a census file is damaged (the message gives the reinstall command).

    Example::

        words = load_names("female")   # ['mary', 'patricia', 'linda', ...]
    """
    check_choice(kind, NAME_KINDS, "kind")
    verbose = check_flag(verbose, "verbose")
    folder = names_folder()
    parts = ("male", "female") if kind == "first" else (kind,)
    shares: dict[str, float] = {}
    for part in parts:
        for name, percent in _read_table(folder / NAME_FILES[part], NAME_ROWS[part]).items():
            # a percentage of men or of women is about half that of all people
            shares[name] = shares.get(name, 0.0) + percent / len(parts)
    # Python's sort is stable, so names with equal shares keep the files' rank order.
    result = sorted(shares, key=lambda name: -shares[name])
    if verbose:
        words = {"first": "first", "male": "male first", "female": "female first", "last": "last"}
        print(
            f"Names ({kind}): {len(result):,} {words[kind]} names from the US Census 1990 "
            f"lists bundled with the 'names' package, most frequent first."
        )
    return result
