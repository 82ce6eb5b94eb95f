"""Build the student edition of every notebook (`make handouts`).

A handout is the notebook with the reference solutions *removed*, not merely
collapsed: every cell whose ``metadata["course"]["role"]`` is ``"solution"`` is
dropped, and so is every cell tagged ``solution-note`` (prose that only makes sense
when the solutions are there, such as "expand the collapsed cell below"). Exercise
stubs and their self-checks stay, so every check answers "not attempted" until the
student fills in the stub. A short note after the title says which edition this is.

Usage::

    python tools/make_handouts.py                   # every notebook -> build/handouts/
    python tools/make_handouts.py --out DIR 03 04   # only notebooks 03 and 04, into DIR

The handouts are written without outputs, in nbformat's layout, so they can be
committed to a separate repository or branch for students (see docs/teachers.md).
Exit status: 0 on success, 2 on a problem the message explains.
"""

from __future__ import annotations

import argparse
import copy
import sys
from collections.abc import Sequence
from pathlib import Path

from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell
from notebook_tools import (
    SyncError,
    notebook_files,
    read_notebook,
    select_notebooks,
    write_notebook,
)

__all__ = ["HANDOUT_NOTE", "is_removed", "main", "make_handout"]

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = Path("build") / "handouts"
REMOVED_TAGS = frozenset({"solution", "solution-note"})

HANDOUT_NOTE = (
    "**Student edition.** This copy of the notebook has no reference solutions. Each "
    "exercise's `check(...)` still answers at once: *not attempted* until you fill in "
    "the stub, then *correct* or *not quite* with a hint. Cells after an exercise never "
    "depend on your answer, so you can always run on."
)


def is_removed(cell: NotebookNode) -> bool:
    """True for a reference solution or a note about solutions."""
    meta = cell.get("metadata", {})
    if meta.get("course", {}).get("role") == "solution":
        return True
    return bool(REMOVED_TAGS.intersection(meta.get("tags", [])))


def make_handout(nb: NotebookNode) -> NotebookNode:
    """Return the student edition of ``nb`` (``nb`` itself is left unchanged)."""
    handout = copy.deepcopy(nb)
    cells = [cell for cell in handout.cells if not is_removed(cell)]
    for cell in cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    note = new_markdown_cell(HANDOUT_NOTE, id="student-edition")
    note.metadata["tags"] = ["handout-note"]
    # After the title cell, so the notebook still opens with its title.
    title_at = next(
        (i for i, c in enumerate(cells) if c.metadata.get("course", {}).get("generated") == "title"),
        -1,
    )
    cells.insert(title_at + 1, note)
    handout.cells = cells
    handout.metadata.setdefault("course", {})["edition"] = "handout"
    return handout


def build_handouts(root: Path, out: Path, numbers: Sequence[str] = ()) -> list[Path]:
    """Write the handouts of the chosen notebooks (all by default) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in select_notebooks(notebook_files(root), numbers):
        _, nb = read_notebook(path, str(path.relative_to(root)))
        target = out / path.name
        write_notebook(target, make_handout(nb))
        written.append(target)
    return written


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("numbers", nargs="*", help="notebook numbers, e.g. 03 04 (default: all)")
    parser.add_argument("--out", type=Path, default=None, help=f"output folder (default {DEFAULT_OUT})")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    out = args.out if args.out is not None else args.root / DEFAULT_OUT
    try:
        written = build_handouts(args.root, out, args.numbers)
    except SyncError as error:
        print(f"make_handouts: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    print(f"{len(written)} handouts in {out}: solutions removed, stubs and checks kept.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
