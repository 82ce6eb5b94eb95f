"""Start a new course notebook from the house skeleton.

Usage::

    python tools/new_notebook.py 07

creates ``notebooks/<file>`` for notebook 07 as ``course.toml`` names it, with
placeholder metadata (hook, objectives, prerequisites; no timings yet) and the
sections every notebook has: setup, the lesson, exercises, key takeaways and going
further. It also starts the first exercise's check in ``course_utils/exercises/nb07.py``
(built on the shared protections: ``call``, ``expect_tensor``, ``forbid``,
``random_shapes``) and its wrong answers in ``tests/answers/nb07.py``, unless they exist.
It then runs sync, which adds the title, Colab setup and navigation cells and
links the new notebook from its neighbours and the README. It never overwrites an
existing notebook or module.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from notebook_tools import (
    KERNELSPEC,
    LANGUAGE_INFO,
    NOTEBOOK_DIR,
    Entry,
    SyncError,
    load_course,
    sync_repository,
    write_notebook,
)

__all__ = ["create_notebook", "main", "skeleton"]

REPO_ROOT = Path(__file__).resolve().parent.parent

SETUP_CODE = """\
from course_utils import get_device, seed_everything
from course_utils.checks import check
from course_utils.plots import use_course_style

seed_everything(0)
device = get_device()
use_course_style()"""

STUB_CODE = """\
def answer_{n}(x):
    # Your code here.
    ...


check("{number}.1", answer_{n})"""

SOLUTION_CODE = """\
# @title Reference solution for {number}.1 (expand only after you have tried)
def answer_{n}(x):
    raise NotImplementedError("TODO: the reference solution")


assert check("{number}.1", answer_{n})"""


CHECK_MODULE = '''\
"""Exercises of notebook {number} ({title})."""

from __future__ import annotations

from typing import Any

import torch

from course_utils.checks import (
    assert_tensor_close,
    call,
    exercise,
    expect_tensor,
    forbid,
    random_shapes,
)


def _reference(x: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("TODO: the right result, written here independently of the notebook")


@exercise(
    "{number}.1",
    title="TODO: a short title",
    hint="TODO: a hint that helps without giving the answer away.",
)
def check_answer_{number}(answer: Any) -> None:
    """TODO: say what the answer is, e.g. a function f(x) -> a tensor of the shape of x."""
    # Several shapes (1-D, 2-D, 3-D, unequal sizes); expected results come before the learner's code runs.
    for seed, shape in enumerate(random_shapes({seed}, ndims=(1, 2, 3))):
        x = torch.randn(shape, generator=torch.Generator().manual_seed(seed))
        expected = _reference(x)
        # TODO: name the builtins the exercise rules out, e.g. forbid("torch.logsumexp", answer=answer).
        with forbid(answer=answer):
            got = expect_tensor(call(answer, x), f"For an input of shape {{shape}}")
        # TODO: recognise each plausible mistake by name (raise Wrong) before the general message.
        assert_tensor_close(got, expected, f"For an input of shape {{shape}}")
'''

ANSWERS_MODULE = '''\
"""Answers for the exercises of notebook {number}."""

from __future__ import annotations


def _answer_stub(x):
    ...


WRONG_ANSWERS: dict[str, list[object]] = {{
    "{number}.1": [
        _answer_stub,
        # TODO: plausible mistakes, each of which must fail: the notebook's sizes hard-coded,
        # the wrong axis, a changed input, the forbidden builtin, the wrong return type...
    ],
}}
RIGHT_ANSWERS: dict[str, list[object]] = {{
    "{number}.1": [],  # TODO: correct answers written differently from the reference
}}
'''


def _write_new(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` unless it exists or its folder does not; return whether it was written."""
    if path.exists() or not path.parent.is_dir():
        return False
    path.write_text(text, encoding="utf-8", newline="\n")
    return True


def _exercise_cells(number: str) -> list[NotebookNode]:
    """A stub cell and a collapsed solution cell for exercise NN.1, tagged as the tests expect."""
    stub = new_code_cell(STUB_CODE.format(n=number, number=number), id="exercise-1")
    stub.metadata = {"tags": ["exercise"], "course": {"exercise": f"{number}.1", "role": "stub"}}
    solution = new_code_cell(SOLUTION_CODE.format(n=number, number=number), id="solution-1")
    solution.metadata = {
        "tags": ["solution"],
        "jupyter": {"source_hidden": True},
        "cellView": "form",
        "course": {"exercise": f"{number}.1", "role": "solution"},
    }
    return [stub, solution]


def skeleton(entry: Entry) -> NotebookNode:
    """Return the skeleton notebook for one course map entry, before sync.

    The cells have readable, stable ids; sync adds the generated cells around them.
    """
    cells = [
        new_code_cell(SETUP_CODE, id="setup"),
        new_markdown_cell(
            "## 1. TODO: first idea\n\n"
            "TODO: explain the idea in a few short paragraphs, then show it in the code below.",
            id="section-1",
        ),
        new_code_cell("# TODO: a short, runnable example of the first idea.", id="section-1-code"),
        new_markdown_cell(
            "## 2. TODO: second idea\n\nTODO: build on the first idea.",
            id="section-2",
        ),
        new_code_cell("# TODO: a short, runnable example of the second idea.", id="section-2-code"),
        new_markdown_cell(
            "## Exercises\n\n"
            f"### Exercise {entry.number}.1: TODO title\n\n"
            "TODO: a task that practises this notebook's main idea. Register its check in "
            f"`course_utils/exercises/nb{entry.number}.py` and plausible wrong answers in "
            f"`tests/answers/nb{entry.number}.py` (see CONTRIBUTING.md, *Adding an exercise*).",
            id="exercises",
        ),
        *_exercise_cells(entry.number),
        new_markdown_cell(
            "## Key takeaways\n\n- TODO: the first thing to remember.\n- TODO: the second.",
            id="key-takeaways",
        ),
        new_markdown_cell(
            "## Going further\n\n"
            "- TODO: a paper, talk or tutorial, with one line on why it is worth the time.",
            id="going-further",
        ),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = dict(LANGUAGE_INFO)
    nb.metadata["course"] = {
        "hook": "TODO: one or two sentences that make a learner want to run this notebook.",
        "objectives": [
            "TODO: the first thing a learner will be able to do",
            "TODO: the second",
            "TODO: the third",
        ],
        "prerequisites": "TODO",
        "runtime_s": None,
        "peak_memory_mb": None,
    }
    return nb


def create_notebook(root: Path, number: str) -> Path:
    """Create the notebook numbered ``number`` in the repository at ``root`` and sync.

    Returns the new notebook's path. Raises :class:`SyncError` when course.toml has no
    such number or the notebook already exists.
    """
    course = load_course(root)
    number = number.strip().zfill(2)
    entry = next((item for item in course.entries if item.number == number), None)
    if entry is None:
        numbers = ", ".join(item.number for item in course.entries)
        raise SyncError(
            f"course.toml has no notebook numbered {number!r} (it has {numbers}); "
            "add a [[notebooks]] entry for it first."
        )
    path = root / NOTEBOOK_DIR / entry.file
    if path.exists():
        raise SyncError(
            f"{NOTEBOOK_DIR}/{entry.file} already exists and new_notebook.py never overwrites a notebook; "
            "edit it instead, or delete it first if you really want a fresh skeleton."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    write_notebook(path, skeleton(entry))
    fields = {"number": number, "title": entry.title, "seed": int(number)}
    _write_new(root / "course_utils" / "exercises" / f"nb{number}.py", CHECK_MODULE.format(**fields))
    _write_new(root / "tests" / "answers" / f"nb{number}.py", ANSWERS_MODULE.format(**fields))
    try:
        sync_repository(root)
    except SyncError as error:
        raise SyncError(
            f"created {NOTEBOOK_DIR}/{entry.file}, but sync stopped:\n{error}\n"
            "Fix the problems above, then run `make sync`."
        ) from None
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(
        description="Create a course notebook from the house skeleton."
    )
    parser.add_argument("number", help="the notebook's number in course.toml, e.g. 07")
    parser.add_argument(
        "--root",
        type=Path,
        default=REPO_ROOT,
        help="the repository to work on (default: the one this script lives in)",
    )
    args = parser.parse_args(argv)
    try:
        path = create_notebook(args.root.resolve(), args.number)
    except SyncError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(
        f"created {path.relative_to(args.root.resolve())}; fill in the TODOs, then run `make sync`."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
