"""Tests for `make sync` (tools/sync_notebooks.py) and tools/new_notebook.py.

Most tests work on a small fake course in a temporary folder: three notebooks in
course.toml, of which 00 and 02 are written and 01 is only planned. The last test
checks that the real repository is in sync.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
tools = importlib.import_module("notebook_tools")
sync_cli = importlib.import_module("sync_notebooks")
new_notebook_cli = importlib.import_module("new_notebook")

OWNER_REPO = "acme/deep-course"
BRANCH = "dev"
COURSE_TOML = f"""\
[course]
title = "A small course"
repository = "https://github.com/{OWNER_REPO}"
branch = "{BRANCH}"
timing_machine = "a 2-core CPU"

[[notebooks]]
number = "00"
title = "Welcome"
file = "00_welcome.ipynb"
part = "0: Start"

[[notebooks]]
number = "01"
title = "Neurons"
file = "01_neurons.ipynb"
part = "I: Foundations"

[[notebooks]]
number = "02"
title = "Losses"
file = "02_losses.ipynb"
part = "I: Foundations"
"""
README = """\
# A small course

## Syllabus

<!-- syllabus:start -->
old table
<!-- syllabus:end -->

## Licence

MIT.
"""


def course_metadata(runtime_s: int | None = None) -> dict[str, object]:
    """Return valid notebook metadata for the fake course."""
    return {
        "hook": "Why this matters.",
        "objectives": ["Build a thing", "Train the thing", "Check the thing | carefully"],
        "prerequisites": "none",
        "runtime_s": runtime_s,
        "peak_memory_mb": None,
    }


def user_notebook(runtime_s: int | None = None) -> nbformat.NotebookNode:
    """Return a notebook as an author might save it: user cells, outputs, no generated cells."""
    code = new_code_cell("x = 1 + 1\nx", id="add", execution_count=3, metadata={"tags": ["keep"]})
    code.outputs = [new_output("execute_result", data={"text/plain": "2"}, execution_count=3)]
    nb = new_notebook(
        cells=[
            new_markdown_cell("## Intro\n\nSome prose.", id="intro"),
            code,
            new_markdown_cell(
                "old map", id="map", metadata={"course": {"generated": "course-map"}}
            ),
            new_markdown_cell("## The end", id="end"),
        ]
    )
    nb.metadata["course"] = course_metadata(runtime_s)
    nb.metadata["kernelspec"] = {"name": "weird", "display_name": "Weird", "language": "python"}
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.4"}
    return nb


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A fake course repository: notebooks 00 and 02 are written, 01 is planned."""
    (tmp_path / "course.toml").write_text(COURSE_TOML, encoding="utf-8")
    (tmp_path / "README.md").write_text(README, encoding="utf-8")
    (tmp_path / "notebooks").mkdir()
    nbformat.write(user_notebook(runtime_s=12), tmp_path / "notebooks" / "00_welcome.ipynb")
    second = user_notebook(runtime_s=None)
    # A stale title in the wrong place: sync must move it to the top and rewrite it.
    second.cells.insert(
        2, new_markdown_cell("# stale", id="x", metadata={"course": {"generated": "title"}})
    )
    nbformat.write(second, tmp_path / "notebooks" / "02_losses.ipynb")
    return tmp_path


def read(repo: Path, file: str) -> nbformat.NotebookNode:
    """Read one notebook of the fake course."""
    return nbformat.read(repo / "notebooks" / file, as_version=4)


def snapshot(repo: Path) -> dict[str, bytes]:
    """Return the bytes of every file in the fake course."""
    return {
        str(path.relative_to(repo)): path.read_bytes()
        for path in sorted(repo.rglob("*"))
        if path.is_file()
    }


def edit_notebook(repo: Path, file: str, change: Callable[[nbformat.NotebookNode], None]) -> None:
    """Apply ``change`` to a notebook and save it the way sync does."""
    nb = read(repo, file)
    change(nb)
    tools.write_notebook(repo / "notebooks" / file, nb)


# ------------------------------------------------------------------------ syncing


def test_sync_inserts_generated_cells_in_their_places(repo: Path) -> None:
    tools.sync_repository(repo)
    nb = read(repo, "00_welcome.ipynb")
    ids = [cell.id for cell in nb.cells]
    assert ids == ["title", "colab-setup", "intro", "add", "course-map", "end", "navigation"]

    title = nb.cells[0]
    assert title.cell_type == "markdown"
    assert title.metadata["course"]["generated"] == "title"
    assert title.source.startswith(
        "# 00 · Welcome\n\nWhy this matters.\n\n**You will learn**\n\n- Build a thing\n"
    )
    assert (
        "**Prerequisites:** none · **Run time:** about 10 s on a 2-core CPU (measured)"
        in title.source
    )
    colab = f"https://colab.research.google.com/github/{OWNER_REPO}/blob/{BRANCH}/notebooks/00_welcome.ipynb"
    binder = f"https://mybinder.org/v2/gh/{OWNER_REPO}/{BRANCH}?urlpath=lab/tree/notebooks/00_welcome.ipynb"
    assert (
        f"[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab})"
        in title.source
    )
    assert f"[![Launch on Binder](https://mybinder.org/badge_logo.svg)]({binder})" in title.source

    setup = nb.cells[1]
    assert setup.cell_type == "code"
    assert f"git+https://github.com/{OWNER_REPO}@{BRANCH}" in setup.source
    assert '"google.colab" in sys.modules' in setup.source

    # 01 does not exist yet, so navigation skips from 00 straight to 02.
    navigation = "[Course index](../README.md#syllabus) · [02 · Losses →](02_losses.ipynb)"
    assert nb.cells[-1].source == navigation
    assert title.source.endswith(navigation)

    course_map = nb.cells[4].source
    assert "**Part I: Foundations**" in course_map
    assert "- [00 · Welcome](00_welcome.ipynb)" in course_map
    assert "- 01 · Neurons (coming soon)" in course_map

    second = read(repo, "02_losses.ipynb")
    assert [cell.id for cell in second.cells][:2] == ["title", "colab-setup"]
    assert (
        sum(cell.source.startswith("# ") for cell in second.cells if cell.cell_type == "markdown")
        == 1
    )
    assert "**Run time:** not measured yet" in second.cells[0].source
    assert (
        second.cells[-1].source
        == "[← 00 · Welcome](00_welcome.ipynb) · [Course index](../README.md#syllabus)"
    )


def test_sync_normalises_notebooks(repo: Path) -> None:
    tools.sync_repository(repo)
    path = repo / "notebooks" / "00_welcome.ipynb"
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n") and text.startswith('{\n "cells": [\n  {')
    nb = read(repo, "00_welcome.ipynb")
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    assert nb.metadata["kernelspec"] == {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    assert nb.metadata["language_info"] == {"name": "python"}
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize(
    ("seconds", "phrase"),
    [
        (None, None),
        (0, "about 5 s"),
        (12, "about 10 s"),
        (13, "about 15 s"),
        (15, "about 15 s"),
        (114, "about 115 s"),
        (116, "about 115 s"),
        (118, "about 2 min"),
        (120, "about 2 min"),
        (301, "about 5 min"),
        (331, "about 6 min"),
    ],
)
def test_runtime_phrase_rounds_up(seconds: int | None, phrase: str | None) -> None:
    assert tools.runtime_phrase(seconds) == phrase


def test_sync_is_idempotent(repo: Path) -> None:
    tools.sync_repository(repo)
    first = snapshot(repo)
    report = tools.sync_repository(repo)
    assert report.written == []
    assert snapshot(repo) == first
    assert tools.check_repository(repo) == []


def test_sync_leaves_user_cells_alone(repo: Path) -> None:
    before = {cell.id: cell for cell in read(repo, "00_welcome.ipynb").cells}
    tools.sync_repository(repo)
    after = {cell.id: cell for cell in read(repo, "00_welcome.ipynb").cells}
    for cell_id in ("intro", "add", "end"):
        assert after[cell_id].source == before[cell_id].source
        assert after[cell_id].metadata == before[cell_id].metadata
        assert after[cell_id].cell_type == before[cell_id].cell_type


def test_cells_without_ids_get_stable_ones(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    data = json.loads((repo / "notebooks" / "00_welcome.ipynb").read_text(encoding="utf-8"))
    data["nbformat_minor"] = 4
    for cell in data["cells"]:
        del cell["id"]
    text = json.dumps(data)
    ids = []
    for _ in range(2):
        copy = tmp_path_factory.mktemp("copy")
        for name in ("course.toml", "README.md"):
            (copy / name).write_bytes((repo / name).read_bytes())
        (copy / "notebooks").mkdir()
        (copy / "notebooks" / "00_welcome.ipynb").write_text(text, encoding="utf-8")
        assert any("has no id" in problem for problem in tools.check_repository(copy))
        tools.sync_repository(copy)
        ids.append([cell.id for cell in read(copy, "00_welcome.ipynb").cells])
    assert ids[0] == ids[1]
    assert len(set(ids[0])) == len(ids[0])


def test_generated_cells_pass_ruff(repo: Path) -> None:
    new_notebook_cli.create_notebook(repo, "01")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--no-cache",
            "--config",
            str(ROOT / "pyproject.toml"),
            "notebooks",
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# ------------------------------------------------------------------------- checking


def synced(repo: Path) -> Path:
    """Sync the fake course and check that it is clean, as a starting point."""
    tools.sync_repository(repo)
    assert tools.check_repository(repo) == []
    return repo


def test_check_reports_everything_before_sync_and_writes_nothing(repo: Path) -> None:
    before = snapshot(repo)
    problems = "\n".join(tools.check_repository(repo))
    assert snapshot(repo) == before
    assert 'notebooks/00_welcome.ipynb: the "title" cell is missing' in problems
    assert 'notebooks/02_losses.ipynb: the "title" cell (cell 3) is out of date' in problems
    assert "README.md: the syllabus table is out of date" in problems
    assert "kernelspec" in problems


def test_check_detects_hand_edited_title(repo: Path) -> None:
    synced(repo)

    def change(nb: nbformat.NotebookNode) -> None:
        nb.cells[0].source = nb.cells[0].source.replace(
            "Why this matters.", "Why this matters a lot."
        )

    edit_notebook(repo, "00_welcome.ipynb", change)
    problems = tools.check_repository(repo)
    assert len(problems) == 1
    assert problems[0].startswith(
        'notebooks/00_welcome.ipynb: the "title" cell (cell 1) is out of date'
    )
    assert "-Why this matters a lot." in problems[0] and "+Why this matters." in problems[0]


def test_check_detects_stale_readme(repo: Path) -> None:
    synced(repo)
    toml = repo / "course.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('"Neurons"', '"The artificial neuron"'),
        encoding="utf-8",
    )
    problems = "\n".join(tools.check_repository(repo))
    assert "README.md: the syllabus table is out of date" in problems
    assert "+| 01 | The artificial neuron | *coming soon* | | |" in problems
    assert 'notebooks/00_welcome.ipynb: the "course-map" cell' in problems


def test_check_detects_outputs_and_execution_counts(repo: Path) -> None:
    synced(repo)

    def change(nb: nbformat.NotebookNode) -> None:
        nb.cells[3].outputs = [new_output("stream", name="stdout", text="hi\n")]
        nb.cells[3].execution_count = 7
        nb.cells[1].execution_count = 1  # someone ran the Colab setup cell

    edit_notebook(repo, "00_welcome.ipynb", change)
    problems = tools.check_repository(repo)
    assert "notebooks/00_welcome.ipynb: cell 4 (id 'add') has stored outputs" in problems
    assert "notebooks/00_welcome.ipynb: cell 4 (id 'add') has an execution count" in problems
    assert (
        "notebooks/00_welcome.ipynb: cell 2 (id 'colab-setup') has an execution count" in problems
    )
    assert len(problems) == 3


def test_check_detects_unknown_notebook(repo: Path) -> None:
    synced(repo)
    nbformat.write(user_notebook(), repo / "notebooks" / "07_extra.ipynb")
    nbformat.write(user_notebook(), repo / "notebooks" / "01_neuron.ipynb")
    problems = "\n".join(tools.check_repository(repo))
    assert "notebooks/07_extra.ipynb is not in course.toml; add a [[notebooks]] entry" in problems
    assert (
        "notebooks/01_neuron.ipynb is not in course.toml, which calls notebook 01 '01_neurons.ipynb'"
        in problems
    )
    with pytest.raises(tools.SyncError, match="07_extra"):
        tools.sync_repository(repo)


def test_check_detects_missing_metadata_and_sync_writes_nothing(repo: Path) -> None:
    def change(nb: nbformat.NotebookNode) -> None:
        del nb.metadata["course"]["hook"]
        nb.metadata["course"]["objectives"] = ["only one"]

    edit_notebook(repo, "02_losses.ipynb", change)
    problems = "\n".join(tools.check_repository(repo))
    assert 'notebooks/02_losses.ipynb: notebook metadata "course" lacks "hook"' in problems
    assert "3 to 5 non-empty strings" in problems
    before = snapshot(repo)
    with pytest.raises(tools.SyncError, match='lacks "hook"'):
        tools.sync_repository(repo)
    assert snapshot(repo) == before


def test_unknown_generated_kind_is_an_error(repo: Path) -> None:
    def change(nb: nbformat.NotebookNode) -> None:
        nb.cells[0].metadata["course"] = {"generated": "banner"}

    edit_notebook(repo, "00_welcome.ipynb", change)
    problems = "\n".join(tools.check_repository(repo))
    assert "cell 1 is marked as generated 'banner', which sync does not know" in problems


def test_check_command_exit_status(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert sync_cli.main(["--root", str(repo), "--check"]) == 1
    assert "problem(s). Run `make sync`" in capsys.readouterr().out
    assert sync_cli.main(["--root", str(repo)]) == 0
    assert "updated notebooks/00_welcome.ipynb" in capsys.readouterr().out
    assert sync_cli.main(["--root", str(repo), "--check"]) == 0
    assert "in sync" in capsys.readouterr().out


def test_missing_readme_markers_give_a_helpful_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "README.md").write_text("# A small course\n\n## Syllabus\n\nTo do.\n", encoding="utf-8")
    with pytest.raises(tools.SyncError, match="<!-- syllabus:start -->"):
        tools.sync_repository(repo)
    assert any("<!-- syllabus:end -->" in problem for problem in tools.check_repository(repo))
    assert sync_cli.main(["--root", str(repo)]) == 2
    assert "put both on their own lines" in capsys.readouterr().err


def test_missing_syllabus_heading_is_reported(repo: Path) -> None:
    readme = repo / "README.md"
    readme.write_text(README.replace("## Syllabus", "## Contents"), encoding="utf-8")
    tools.sync_repository(repo)
    assert any("no 'Syllabus' heading" in problem for problem in tools.check_repository(repo))


def test_readme_table(repo: Path) -> None:
    tools.sync_repository(repo)
    text = (repo / "README.md").read_text(encoding="utf-8")
    assert text.startswith("# A small course\n\n## Syllabus\n\n<!-- syllabus:start -->\n")
    assert text.endswith("<!-- syllabus:end -->\n\n## Licence\n\nMIT.\n")
    assert "old table" not in text
    assert "| # | Notebook | You will learn | Run time | Peak memory | Launch |" in text
    assert "| | **Part I: Foundations** | | | | |" in text
    assert (
        "| 00 | [Welcome](notebooks/00_welcome.ipynb) | Build a thing<br>Train the thing | about 10 s "
        "| not measured yet |"
        in text
    )
    assert "| 01 | Neurons | *coming soon* | | | |" in text
    assert (
        f"https://colab.research.google.com/github/{OWNER_REPO}/blob/{BRANCH}/notebooks/02_losses.ipynb"
        in text
    )


def test_shorten_cuts_long_objectives_at_a_word() -> None:
    text = "Explain why the `torch.nn.functional.cross_entropy` loss expects raw logits rather than probabilities."
    short = tools.shorten(text, limit=60)
    assert len(short) <= 60 and short.endswith("…")
    assert short.count("`") % 2 == 0
    assert tools.shorten("Short one.") == "Short one"


# -------------------------------------------------------------------------- timings


def test_record_timings_writes_rounded_values(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = {
        "machine": {"cpus": 2},
        "budget_s": 120,
        "notebooks": {
            "00_welcome.ipynb": {"seconds": 21.2, "peak_memory_mb": 410.5, "status": "passed"},
            "02_losses.ipynb": {"seconds": 3.0, "peak_memory_mb": 100.0, "status": "failed"},
        },
    }
    path = repo / "build" / "benchmarks.json"
    path.parent.mkdir()
    path.write_text(json.dumps(report), encoding="utf-8")
    assert sync_cli.main(["--root", str(repo), "--record-timings", str(path)]) == 0
    assert "skipped 02_losses.ipynb" in capsys.readouterr().out

    first = read(repo, "00_welcome.ipynb")
    assert first.metadata["course"]["runtime_s"] == 21
    assert first.metadata["course"]["peak_memory_mb"] == 411
    assert "**Run time:** about 20 s on a 2-core CPU (measured)" in first.cells[0].source
    assert read(repo, "02_losses.ipynb").metadata["course"]["runtime_s"] is None
    assert tools.check_repository(repo) == []


def test_record_timings_without_report_says_run_make_test(repo: Path) -> None:
    with pytest.raises(tools.SyncError, match="run `make test` first"):
        tools.record_timings(repo, repo / "build" / "benchmarks.json")


# ---------------------------------------------------------------------- new notebook


def test_new_notebook_creates_a_notebook_that_passes_check(repo: Path) -> None:
    path = new_notebook_cli.create_notebook(repo, "1")
    assert path == repo / "notebooks" / "01_neurons.ipynb"
    assert tools.check_repository(repo) == []

    nb = read(repo, "01_neurons.ipynb")
    assert nb.metadata["course"]["runtime_s"] is None
    assert nb.metadata["course"]["peak_memory_mb"] is None
    assert [cell.id for cell in nb.cells][:3] == ["title", "colab-setup", "setup"]
    assert (
        "seed_everything(0)" in nb.cells[2].source and "device = get_device()" in nb.cells[2].source
    )
    headings = [cell.source.splitlines()[0] for cell in nb.cells if cell.cell_type == "markdown"]
    for heading in ("## Exercises", "## Key takeaways", "## Going further"):
        assert heading in headings
    # The neighbours now link to the new notebook.
    assert "[01 · Neurons →](01_neurons.ipynb)" in read(repo, "00_welcome.ipynb").cells[-1].source


def test_new_notebook_refuses_to_overwrite(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / "notebooks" / "00_welcome.ipynb"
    before = path.read_bytes()
    assert new_notebook_cli.main(["00", "--root", str(repo)]) == 2
    assert "never overwrites" in capsys.readouterr().err
    assert path.read_bytes() == before
    with pytest.raises(tools.SyncError, match="no notebook numbered '09'"):
        new_notebook_cli.create_notebook(repo, "09")


# ------------------------------------------------------------------ the real course


def test_repository_is_in_sync() -> None:
    if not tools.notebook_files(ROOT):
        pytest.skip(
            "notebooks/ has no notebooks yet; this test checks them once the first is written"
        )
    problems = tools.check_repository(ROOT)
    assert not problems, "Run `make sync` (or follow the messages):\n" + "\n".join(problems)


def test_new_notebook_starts_its_check_and_answers_on_the_shared_protections(repo: Path) -> None:
    (repo / "course_utils" / "exercises").mkdir(parents=True)
    (repo / "tests" / "answers").mkdir(parents=True)
    new_notebook_cli.create_notebook(repo, "1")
    check_module = repo / "course_utils" / "exercises" / "nb01.py"
    answers = repo / "tests" / "answers" / "nb01.py"
    source = check_module.read_text(encoding="utf-8")
    for name in ("call(answer", "expect_tensor(", "forbid(", "random_shapes(", '"01.1"'):
        assert name in source
    compile(source, str(check_module), "exec")
    namespace: dict = {}
    exec(compile(answers.read_text(encoding="utf-8"), str(answers), "exec"), namespace)
    assert list(namespace["WRONG_ANSWERS"]) == ["01.1"]
    ruff = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--config",
                           str(ROOT / "pyproject.toml"), str(check_module), str(answers)],
                          capture_output=True, text=True)
    assert ruff.returncode == 0, ruff.stdout
    # An existing module is never overwritten.
    check_module.write_text("# mine\n", encoding="utf-8")
    (repo / "notebooks" / "01_neurons.ipynb").unlink()
    new_notebook_cli.create_notebook(repo, "1")
    assert check_module.read_text(encoding="utf-8") == "# mine\n"
