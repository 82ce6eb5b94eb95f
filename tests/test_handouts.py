"""Tests for the student editions built by `make handouts` (tools/make_handouts.py).

Three promises to a teacher who hands them out:

1. no solution code survives in a handout (removed, not hidden);
2. every handout runs top to bottom in a fresh kernel without an error;
3. every exercise check answers "not attempted" on its untouched stub.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
handouts = importlib.import_module("make_handouts")
tools = importlib.import_module("notebook_tools")

NOTEBOOKS = tools.notebook_files(ROOT)


def _role(cell: nbformat.NotebookNode) -> str | None:
    return cell.get("metadata", {}).get("course", {}).get("role")


def _small_notebook() -> nbformat.NotebookNode:
    title = new_markdown_cell("# 09 · Title", id="title")
    title.metadata["course"] = {"generated": "title"}
    note = new_markdown_cell("Expand the collapsed cell to see the solution.", id="note")
    note.metadata["tags"] = ["solution-note"]
    stub = new_code_cell('answer = None\n\ncheck("09.1", answer)', id="stub")
    stub.metadata.update(tags=["exercise"], course={"exercise": "09.1", "role": "stub"})
    stub.outputs = [new_output("stream", name="stdout", text="not attempted")]
    stub.execution_count = 3
    solution = new_code_cell('answer = 42  # the secret\n\nassert check("09.1", answer)', id="solution")
    solution.metadata.update(tags=["solution"], course={"exercise": "09.1", "role": "solution"})
    hidden = new_code_cell("secret = 1", id="tagged-only")
    hidden.metadata["tags"] = ["solution"]
    after = new_code_cell("print('the lesson goes on')", id="after")
    return new_notebook(cells=[title, note, stub, solution, hidden, after], metadata={"course": {}})


def test_make_handout_removes_solutions_keeps_stubs_and_adds_a_note() -> None:
    nb = _small_notebook()
    handout = handouts.make_handout(nb)
    ids = [cell.id for cell in handout.cells]
    assert ids == ["title", "student-edition", "stub", "after"]
    assert "Student edition" in handout.cells[1].source
    stub = handout.cells[2]
    assert stub.outputs == [] and stub.execution_count is None
    assert handout.metadata["course"]["edition"] == "handout"
    assert len(nb.cells) == 6 and nb.cells[2].outputs  # the original is untouched
    nbformat.validate(handout)


def test_cli_writes_the_chosen_handouts_and_rejects_unknown_numbers(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    first = NOTEBOOKS[0]
    number = first.name[:2]
    assert handouts.main([number, "--out", str(tmp_path)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == [first.name]
    assert handouts.main(["99", "--out", str(tmp_path)]) == 2
    assert "No notebook numbered 99" in capsys.readouterr().err


def _code_lines(source: str) -> set[str]:
    lines = {line.strip() for line in source.splitlines()}
    return {line for line in lines if line and not line.startswith("#")}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name[:2] for p in NOTEBOOKS])
def test_no_solution_code_survives(path: Path) -> None:
    _, nb = tools.read_notebook(path, path.name)
    handout = handouts.make_handout(nb)
    solutions = [cell for cell in nb.cells if _role(cell) == "solution"]
    stubs = [cell for cell in nb.cells if _role(cell) == "stub"]
    # Lines that only a solution has (not its stub, not the lesson around it).
    shared = set().union(*(_code_lines(c.source) for c in nb.cells if _role(c) != "solution"))
    secret = set().union(*(_code_lines(c.source) for c in solutions)) - shared
    if stubs:
        assert secret, f"{path.name}: the solutions should contain code of their own"
    text = "\n".join(cell.source for cell in handout.cells)
    survivors = sorted(line for line in secret if line in _code_lines(text))
    assert not survivors, f"{path.name}: solution code left in the handout: {survivors}"
    assert not any(_role(cell) == "solution" or "solution" in cell.metadata.get("tags", [])
                   for cell in handout.cells)
    assert "assert check(" not in text
    # Every exercise keeps its stub and self-check.
    kept = {c.metadata["course"]["exercise"] for c in handout.cells if _role(c) == "stub"}
    assert kept == {c.metadata["course"]["exercise"] for c in stubs}
    for cell in handout.cells:
        if _role(cell) == "stub":
            assert "check(" in cell.source, f"{path.name}: stub {cell.id} lost its check"


def _output_text(cell: nbformat.NotebookNode) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            parts.append(str(output.get("data", {}).get("text/plain", "")))
        elif output.output_type == "error":
            parts.append(f"{output.ename}: {output.evalue}")
    return "".join(parts)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name[:2] for p in NOTEBOOKS])
def test_handout_runs_in_a_fresh_kernel_and_every_check_says_not_attempted(path: Path, tmp_path: Path) -> None:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    _, nb = tools.read_notebook(path, path.name)
    handout = handouts.make_handout(nb)
    client = NotebookClient(handout, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    try:
        client.execute()
    except CellExecutionError as error:  # the message names the cell and the traceback
        pytest.fail(f"{path.name} (student edition) stopped with an error:\n{error}")
    stubs = [cell for cell in handout.cells if _role(cell) == "stub"]
    for cell in stubs:
        text = _output_text(cell)
        exercise = cell.metadata["course"]["exercise"]
        assert f"Exercise {exercise}: not attempted" in text, (
            f"{path.name}: the check of {exercise} on its stub printed {text!r}"
        )
