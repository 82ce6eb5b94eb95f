"""Write every notebook's generated cells and the README's syllabus table (`make sync`).

The course map and the repository's address come from ``course.toml``; each
notebook's hook, objectives, prerequisites and measured run time come from its own
``metadata["course"]``. From these the command writes, in every notebook:

- the title cell (number, title, hook, objectives, prerequisites, run time, Colab and
  Binder badges, navigation) as the first cell,
- the cell that installs the course helpers on Colab as the second cell,
- the previous / index / next navigation as the last cell,
- the course map, wherever a cell is marked as one,

and the table between the syllabus markers in README.md. It also clears outputs and
execution counts and writes every notebook in nbformat's layout, so a second run
changes nothing.

Usage::

    python tools/sync_notebooks.py                  # write everything (`make sync`)
    python tools/sync_notebooks.py --check          # write nothing; exit 1 on any difference
    python tools/sync_notebooks.py --record-timings build/benchmarks.json   # `make timings`

Exit status: 0 when all is well, 1 when ``--check`` finds differences, 2 when there
is a problem sync cannot fix (the message says what to do).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from notebook_tools import SyncError, check_repository, record_timings, sync_repository

__all__ = ["check_repository", "main"]

REPO_ROOT = Path(__file__).resolve().parent.parent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Write the notebooks' generated cells and README.md's syllabus table "
        "from course.toml and the notebooks' metadata.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; list every difference and exit 1 if there is any",
    )
    parser.add_argument(
        "--record-timings",
        metavar="REPORT",
        type=Path,
        help="first copy run times and peak memory from this benchmark report "
        "(written by `make test`) into the notebooks, then sync",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=REPO_ROOT,
        help="the repository to work on (default: the one this script lives in)",
    )
    return parser


def _check(root: Path) -> int:
    problems = check_repository(root)
    if not problems:
        print("Notebooks and README.md are in sync.")
        return 0
    for problem in problems:
        print(problem)
    print(
        f"\n{len(problems)} problem(s). Run `make sync` to fix what sync can fix; "
        "the other messages say what to change by hand."
    )
    return 1


def _sync(root: Path) -> int:
    report = sync_repository(root)
    for item in report.written:
        print(f"updated {item.where}")
        for difference in item.differences:
            print(f"  - {difference.summary}")
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not report.written:
        print("Everything was already in sync.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.check and args.record_timings:
        parser.error("--check writes nothing, so it cannot record timings; use one or the other.")
    root: Path = args.root.resolve()
    try:
        if args.check:
            return _check(root)
        if args.record_timings is not None:
            for message in record_timings(root, args.record_timings):
                print(message)
        return _sync(root)
    except SyncError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
