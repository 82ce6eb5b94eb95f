"""Lists of real names, for character-level models (e.g. a model that invents new names).

The lists are the US Census Bureau's 1990 name frequency tables, which ship inside the
small ``names`` package as three text files. Each line holds a name in capitals, its
frequency in percent, the cumulative frequency, and its rank, for example::

    MARY           2.629  2.629      1
"""

from __future__ import annotations

from pathlib import Path

from ._cache import DatasetUnavailableError, package_folder

NAME_KINDS: tuple[str, ...] = ("first", "male", "female", "last")
NAME_FILES = {"male": "dist.male.first", "female": "dist.female.first", "last": "dist.all.last"}


def names_folder() -> Path:
    """The installed ``names`` package folder, which holds the census files."""
    return package_folder("names", "The name lists")


def _read_table(path: Path) -> dict[str, float]:
    """Read one census file into {lowercase name: frequency in percent}, most frequent first."""
    table: dict[str, float] = {}
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise DatasetUnavailableError(
            f"Cannot read the name list {path} ({error}). "
            "Reinstall the package: pip install --force-reinstall names"
        ) from error
    for line in lines:
        fields = line.split()
        if len(fields) == 4 and fields[0].isalpha():
            table.setdefault(fields[0].lower(), float(fields[1]))
    return table


def load_names(kind: str = "first", *, verbose: bool = True) -> list[str]:
    """Return US Census 1990 names: lowercase ASCII, most frequent first, no duplicates.

    Args:
        kind: ``"male"`` or ``"female"`` first names, ``"first"`` for both merged (a name
            given to boys and girls appears once, ranked by its share of all people),
            or ``"last"`` for family names.
        verbose: print one line saying what was loaded and from where.

    Example::

        words = load_names("female")   # ['mary', 'patricia', 'linda', ...]
    """
    if kind not in NAME_KINDS:
        raise ValueError(f"kind must be one of {NAME_KINDS}, not {kind!r}.")
    folder = names_folder()
    parts = ("male", "female") if kind == "first" else (kind,)
    shares: dict[str, float] = {}
    for part in parts:
        for name, percent in _read_table(folder / NAME_FILES[part]).items():
            # a percentage of men or of women is about half that of all people
            shares[name] = shares.get(name, 0.0) + percent / len(parts)
    # Python's sort is stable, so names with equal shares keep the files' rank order.
    result = sorted(shares, key=lambda name: -shares[name])
    if not result:
        raise DatasetUnavailableError(
            f"The name lists in {folder} are empty. "
            "Reinstall the package: pip install --force-reinstall names"
        )
    if verbose:
        words = {"first": "first", "male": "male first", "female": "female first", "last": "last"}
        print(
            f"Names ({kind}): {len(result):,} {words[kind]} names from the US Census 1990 "
            f"lists bundled with the 'names' package, most frequent first."
        )
    return result
