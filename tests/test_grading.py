"""The gradebook over a folder of made-up students, each the kind a teacher will meet.

The submissions are built from notebook 00's own exercise cells: the stubs as the handout
has them, filled in the way each student would. Then ``grade`` runs them all (in the Linux
sandbox where this machine allows it, and once more with the portable protections only) and
the gradebook is compared with what each student deserves.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import nbformat
import pytest

from course_utils import grading
from course_utils.gradebook import summary
from course_utils.grading import Limits, Run, Submission, find_submissions, grade, identify

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "00_welcome_and_setup.ipynb"
EXERCISES = ["00.1", "00.2", "00.3", "00.4", "00.5"]
LIMITS = Limits(notebook_s=45, cell_s=6, memory_mb=1500)

pytestmark = pytest.mark.slow


def _cells(role: str) -> dict[str, nbformat.NotebookNode]:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    return {cell.metadata["course"]["exercise"]: cell for cell in nb.cells
            if cell.metadata.get("course", {}).get("role") == role}


STUBS, SOLUTIONS = _cells("stub"), _cells("solution")
SETUP = "import torch\nfrom course_utils.checks import check"


def _solution(exercise: str) -> str:
    return SOLUTIONS[exercise].source.replace("assert check(", "check(")


def _notebook(*cells: str | nbformat.NotebookNode, strip_metadata: bool = False) -> bytes:
    """A notebook of the setup cell, then each given cell (a stub cell, or code that replaces one)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SETUP)]
    for cell in cells:
        nb.cells.append(nbformat.from_dict(dict(cell)) if isinstance(cell, dict) else nbformat.v4.new_code_cell(cell))
    if strip_metadata:
        for cell in nb.cells:
            cell.metadata = {}
    return nbformat.writes(nb).encode()


def _answered(exercise: str, source: str) -> nbformat.NotebookNode:
    cell = nbformat.from_dict(dict(STUBS[exercise]))
    cell.source = source
    return cell


def _stubs(*exercises: str) -> list[nbformat.NotebookNode]:
    return [STUBS[e] for e in exercises]


def _students(folder: Path) -> dict[str, set[tuple[str, str]]]:
    """Write the made-up submissions; return the verdicts each deserves, by exercise."""
    sub = folder / "submissions"
    other = sub / "ada" / "lab00.ipynb"
    files: dict[str, bytes] = {
        "ada/lab00.ipynb": _notebook(*[_answered(e, _solution(e)) for e in EXERCISES]),
        "ben/lab00.ipynb": _notebook(
            _answered("00.1", "def mean_squared_error(p, t):\n    return ((p - t) ** 2).sum()\n\ncheck('00.1', mean_squared_error)"),
            _answered("00.2", 'answer = "a"\ncheck("00.2", answer)'), *_stubs("00.3", "00.4", "00.5")),
        "cy/lab00.ipynb": _notebook(
            _answered("00.1", "def mean_squared_error(p, t):\n    return 1 / 0\n\ncheck('00.1', mean_squared_error)"),
            "undefined_name + 1", _answered("00.2", _solution("00.2")), *_stubs("00.3", "00.4", "00.5")),
        "dee/lab00.ipynb": _notebook(*_stubs(*EXERCISES)),
        # Hangs twice: a loop the cell's time limit interrupts, then one that ignores interrupts.
        "eve/lab00.ipynb": _notebook(
            _answered("00.1", _solution("00.1")), "while True:\n    pass", _answered("00.2", _solution("00.2")),
            "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
            *[_answered(e, _solution(e)) for e in ("00.3", "00.4", "00.5")]),
        "gus/lab00.ipynb": _notebook(
            "huge = torch.ones(3_000_000_000)  # 12 GB", _answered("00.1", _solution("00.1")),
            *_stubs("00.2", "00.3", "00.4", "00.5")),
        "hal/lab00.ipynb": _notebook(
            "import urllib.request\nurllib.request.urlopen('https://pypi.org/simple/', timeout=5).read(100)",
            "import socket\nsocket.create_connection(('8.8.8.8', 53), timeout=5)",
            _answered("00.1", _solution("00.1")), *_stubs("00.2", "00.3", "00.4", "00.5")),
        # Without namespaces these writes would succeed, so there only the forgery is tried.
        "ivy/lab00.ipynb": _notebook(*([
            f"open({str(other)!r}, 'w', encoding='utf-8').write('gone')",
            f"print(open({str(other)!r}, encoding='utf-8').read()[:50])",
            "import course_utils.exercises.nb00 as target\n"
            "open(target.__file__, 'a', encoding='utf-8').write('# changed')"] if grading._namespaces() else []),
            *_stubs(*EXERCISES),
            "import os, json\nopen(os.environ['COURSE_GRADE_LOG'], 'a', encoding='utf-8').write("
            "json.dumps({'exercise': '00.3', 'verdict': 'correct', 'message': 'forged'}) + '\\n')"),
        "jo/essay.pdf": b"%PDF-1.4 not a notebook",
        "kim/lab00.ipynb": b'{"cells": [ this is not json',
        "lee.ipynb": _notebook(_answered("00.1", _solution("00.1")), *_stubs("00.2", "00.3", "00.4", "00.5"),
                               strip_metadata=True),
    }
    full = nbformat.read(NOTEBOOK, as_version=4)  # a full notebook: its solutions must not count
    files["mo/00_welcome_and_setup.ipynb"] = nbformat.writes(full).encode()
    for name, content in files.items():
        (sub / name).parent.mkdir(parents=True, exist_ok=True)
        (sub / name).write_bytes(content)
    none = {(e, "not attempted") for e in EXERCISES}
    return {
        "ada": {(e, "correct") for e in EXERCISES},
        "ben": {("00.1", "not quite"), ("00.2", "not quite")} | {(e, "not attempted") for e in EXERCISES[2:]},
        "cy": {("00.1", "error"), ("00.2", "correct")} | {(e, "not attempted") for e in EXERCISES[2:]},
        "dee": none,
        "eve": {("00.1", "correct"), ("00.2", "correct")} | {(e, "not attempted") for e in EXERCISES[2:]},
        "gus": {("00.1", "correct")} | {(e, "not attempted") for e in EXERCISES[1:]},
        "hal": {("00.1", "correct")} | {(e, "not attempted") for e in EXERCISES[1:]},
        "ivy": (none - {("00.3", "not attempted")}) | {("00.3", "correct")},  # forged: flagged below
        "lee": {("00.1", "correct")} | {(e, "not attempted") for e in EXERCISES[1:]},
        "mo": none,
    }


def _table(out: Path) -> list[dict[str, str]]:
    with (out / "gradebook.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> tuple[Path, list[Run], dict[str, set[tuple[str, str]]], bytes]:
    folder = tmp_path_factory.mktemp("class")
    expected = _students(folder)
    ada = (folder / "submissions" / "ada" / "lab00.ipynb").read_bytes()
    runs = grade(folder / "submissions", folder / "gradebook", limits=LIMITS, verbose=False)
    return folder, runs, expected, ada


def test_every_student_gets_the_verdicts_they_deserve(graded):
    folder, _, expected, _ = graded
    rows = _table(folder / "gradebook")
    got: dict[str, set[tuple[str, str]]] = {}
    for row in rows:
        if row["exercise"] != "(run)":
            got.setdefault(row["student"], set()).add((row["exercise"], row["verdict"]))
    assert got == expected
    assert list(rows[0]) == ["student", "notebook", "file", "exercise", "verdict", "seconds", "feedback", "hint"]


def test_each_run_ends_the_way_it_should(graded):
    _, runs, _, _ = graded
    by = {run.submission.student: run for run in runs}
    assert {s: by[s].status for s in by} == {
        "ada": "ran", "ben": "ran", "cy": "ran", "dee": "ran", "eve": "timed out", "gus": "ran", "hal": "ran",
        "ivy": "ran", "jo": "not graded", "kim": "not graded", "lee": "ran", "mo": "ran"}
    assert by["jo"].detail.startswith("not a notebook: a .pdf file")
    assert by["kim"].detail.startswith("not a notebook: the file is not valid notebook JSON")
    assert by["eve"].seconds < LIMITS.notebook_s + 15
    assert "stopped after 6 s" in by["eve"].cell_errors[0]["error"]
    assert "Its check did not run (the notebook timed out)" in next(r.feedback for r in by["eve"].rows
                                                                   if r.exercise == "00.3")
    assert [e["error"].split(":")[0] for e in by["cy"].cell_errors] == ["NameError"]
    assert any(word in by["gus"].cell_errors[0]["error"] for word in ("RuntimeError", "MemoryError"))
    assert by["gus"].peak_mb is not None and by["gus"].peak_mb < LIMITS.memory_mb
    assert len(by["hal"].cell_errors) == 2  # both ways out are closed
    assert by["lee"].submission.notebook == "00" and by["lee"].submission.file == "lee.ipynb"


def test_a_tampering_student_changes_nothing_and_is_flagged(graded):
    folder, runs, _, ada = graded
    by = {run.submission.student: run for run in runs}
    assert (folder / "submissions" / "ada" / "lab00.ipynb").read_bytes() == ada
    assert by["ada"].rows[1].verdict == "correct"  # graded from what ada sent
    assert any("grading machinery" in flag for flag in by["ivy"].flags)
    if grading._namespaces():
        assert len(by["ivy"].cell_errors) == 3  # the other's file hidden, the course read-only
        assert not any("course's own files" in flag for flag in by["ivy"].flags)
        assert all(run.status == "ran" for run in runs if run.submission.student in ("lee", "mo"))


def test_the_summary_and_the_students_pages(graded):
    folder, runs, _, _ = graded
    text = (folder / "gradebook" / "summary.md").read_text(encoding="utf-8")
    assert text == summary(runs)
    assert "## Notebook 00: 10 submissions" in text
    line = next(line for line in text.splitlines() if line.startswith("| 00.1 |"))
    # correct: ada, eve, gus, hal, lee; not quite: ben; error: cy; not attempted: dee, ivy, mo
    assert line.split("|")[2:6] == [" 5 ", " 1 ", " 1 ", " 3 "]
    assert "you returned 14. (1)" in line and "ZeroDivisionError" in line
    assert "- eve/lab00.ipynb (eve): timed out" in text and "- jo/essay.pdf (jo): not graded" in text
    page = (folder / "gradebook" / "students" / "ben.html").read_text(encoding="utf-8")
    assert "not quite" in page and "Hint:" in page and "&lt;" not in page.split("<body>")[0]
    executed = nbformat.read(folder / "gradebook" / "executed" / "ada" / "lab00.ipynb", as_version=4)
    assert any(output.get("output_type") for cell in executed.cells for output in cell.get("outputs", []))


def test_the_portable_protections_alone(tmp_path, monkeypatch):
    """Where there are no namespaces (macOS, Windows): a student who edits the submissions is caught."""
    sub = tmp_path / "submissions"
    (sub / "ann").mkdir(parents=True)
    (sub / "ann" / "lab.ipynb").write_bytes(_notebook(_answered("00.1", _solution("00.1"))))
    (sub / "bo").mkdir()
    victim = sub / "ann" / "lab.ipynb"
    (sub / "bo" / "lab.ipynb").write_bytes(_notebook(
        f"open({str(victim)!r}, 'a', encoding='utf-8').write(' ')",
        "import socket\nsocket.create_connection(('127.0.0.1', 9), timeout=2)", *_stubs("00.1")))
    runs = grade(sub, tmp_path / "book", limits=LIMITS, isolate=False, verbose=False)
    assert [run.status for run in runs] == ["ran", "ran"]
    assert runs[0].rows[1].verdict == "correct"
    assert "the submissions folder changed during its run" in runs[1].flags
    assert "network is switched off" in runs[1].cell_errors[-1]["error"]
    assert runs[1].isolation.startswith("process, folder, time and memory limits")


def test_grading_stops_after_a_submission_that_changed_the_course(tmp_path, monkeypatch):
    sub = tmp_path / "submissions"
    sub.mkdir()
    for name in ("a", "b"):
        (sub / f"{name}.ipynb").write_bytes(_notebook(*_stubs("00.1")))

    def tampered(submission, limits, *, hide, isolate=None):
        return Run(submission, "ran", "", 1.0, None, "test", [grading.Row(submission.student, "00", submission.file,
                   "(run)", "ran", 1.0, "")], flags=["changed the course's own files: nb00.py"])

    monkeypatch.setattr(grading, "run_submission", tampered)
    runs = grade(sub, tmp_path / "book", verbose=False)
    assert runs[1].status == "not graded" and "a.ipynb changed the course's files" in runs[1].detail


@pytest.mark.parametrize(("content", "problem"), [
    (b"\xff\xfe", "not valid notebook JSON"),
    (b"[1, 2]", "no list of cells"),
    (json.dumps({"cells": [], "nbformat": 4}).encode(), "no course exercises"),
    (json.dumps({"nbformat": 4, "cells": [{"cell_type": "code", "metadata": {"course": {"exercise": "04.1"}}},
                                          {"cell_type": "code", "metadata": {"course": {"exercise": "05.2"}}}]}).encode(),
     "several notebooks (04, 05)"),
])
def test_what_cannot_be_graded_says_why(content, problem):
    number, message = identify(content)
    assert number is None and problem in message


def test_the_notebook_is_known_by_its_content_not_its_name(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "05_training_in_practice.ipynb").write_bytes(_notebook(*_stubs("00.1")))
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "old.ipynb").write_bytes(b"{}")
    found = find_submissions(tmp_path)
    assert [(s.student, s.notebook, s.problem) for s in found] == [("x", "00", None)]
    assert isinstance(found[0], Submission)


def test_the_command_line(tmp_path, capsys):
    from course_utils.__main__ import main

    assert main(["grade", str(tmp_path / "missing")]) == 2
    assert "not a folder of submissions" in capsys.readouterr().err
    (tmp_path / "s").mkdir()
    assert main(["grade", str(tmp_path / "s"), "--out", str(tmp_path / "s" / "book")]) == 2
    assert "must not be inside" in capsys.readouterr().err
