"""Write Otter-Grader test files that run the course's own checks.

Usage::

    python tools/export_otter.py 04 --out tests-otter/     # one file per exercise of notebook 04

Each file ``q04_2.py`` (OK format, the one ``otter assign`` and ``otter grade`` read) holds one
case: it calls ``check("04.2", <the name the stub passes to check>)`` in the student's kernel
and fails with the check's own feedback when the answer is not correct. Every exercise is
worth ``--points`` points (default 1). docs/teachers.md says how to use the files.
Exit status: 0 on success, 2 on a problem the message explains.
"""

from __future__ import annotations

import argparse
import ast
import pprint
import sys
from collections.abc import Sequence
from pathlib import Path

import nbformat
from notebook_tools import SyncError, notebook_files, select_notebooks

REPO_ROOT = Path(__file__).resolve().parent.parent
CASE = """>>> import contextlib, io
>>> from course_utils.checks import check
>>> with contextlib.redirect_stdout(io.StringIO()):
...     result = check({exercise!r}, {answer})
>>> assert result.passed, result.text()
"""


def checked_answers(path: Path) -> dict[str, str]:
    """Each exercise of a notebook, with the expression its stub cell passes to ``check``."""
    answers = {}
    for cell in nbformat.read(path, as_version=4).cells:
        course = cell.get("metadata", {}).get("course", {})
        if course.get("role") != "stub":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "check" and len(node.args) == 2:
                answers[course["exercise"]] = ast.unparse(node.args[1])
    return answers


def otter_test(exercise: str, answer: str, points: float) -> str:
    """The text of one OK-format test file."""
    name = "q" + exercise.replace(".", "_")
    test = {"name": name, "points": points, "suites": [{
        "cases": [{"code": CASE.format(exercise=exercise, answer=answer), "hidden": False, "locked": False}],
        "scored": True, "setup": "", "teardown": "", "type": "doctest"}]}
    return "OK_FORMAT = True\n\ntest = " + pprint.pformat(test, indent=4, width=100) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("number", help="the notebook, e.g. 04")
    parser.add_argument("--out", type=Path, default=Path("tests-otter"))
    parser.add_argument("--points", type=float, default=1.0)
    args = parser.parse_args(argv)
    try:
        (path,) = select_notebooks(notebook_files(REPO_ROOT), [args.number])
    except (SyncError, ValueError) as error:
        print(error, file=sys.stderr)
        return 2
    answers = checked_answers(path)
    if not answers:
        print(f"{path.name} has no exercises.", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for exercise, answer in answers.items():
        (args.out / f"q{exercise.replace('.', '_')}.py").write_text(otter_test(exercise, answer, args.points),
                                                                    encoding="utf-8")
    print(f"Wrote {len(answers)} Otter tests for {path.name} into {args.out}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
