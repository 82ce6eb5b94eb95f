"""Repository hygiene: clean, valid notebooks named as course.toml says, and lint-free code.

These tests read the files directly rather than through tools/, so that they keep
guarding the repository even if the sync tool itself goes wrong.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
COURSE = tomllib.loads((ROOT / "course.toml").read_text(encoding="utf-8"))
ENTRIES: list[dict[str, Any]] = COURSE["notebooks"]
BY_FILE = {entry["file"]: entry for entry in ENTRIES}
FILE_NAME = re.compile(r"^(\d{2})_[a-z0-9]+(?:_[a-z0-9]+)*\.ipynb$")

notebooks = pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])


def load(path: Path) -> dict[str, Any]:
    """Read a notebook as plain JSON, exactly as stored."""
    return json.loads(path.read_text(encoding="utf-8"))


@notebooks
def test_notebook_has_no_outputs(path: Path) -> None:
    for index, cell in enumerate(load(path)["cells"], start=1):
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), (
                f"cell {index} has stored outputs; run `make sync` to clear them"
            )
            assert cell.get("execution_count") is None, (
                f"cell {index} has an execution count; run `make sync` to clear it"
            )


@notebooks
def test_notebook_is_valid_nbformat(path: Path) -> None:
    data = load(path)
    assert (data["nbformat"], data["nbformat_minor"]) == (4, 5), (
        "run `make sync` to write nbformat 4.5"
    )
    missing = [index for index, cell in enumerate(data["cells"], start=1) if "id" not in cell]
    assert not missing, f"cells {missing} have no id; run `make sync` to give them one"
    # validate() may repair what it checks, so it gets a copy.
    nbformat.validate(nbformat.from_dict(copy.deepcopy(data)))


@notebooks
def test_first_cell_is_the_title(path: Path) -> None:
    entry = BY_FILE.get(path.name)
    assert entry is not None, f"{path.name} is not in course.toml"
    cells = load(path)["cells"]
    assert cells, "the notebook is empty; run `make sync` to add its title"
    first = cells[0]
    source = "".join(first["source"])
    heading = f"# {entry['number']} · {entry['title']}"
    assert first["cell_type"] == "markdown", (
        "the first cell must be the markdown title; run `make sync`"
    )
    assert source.splitlines()[0] == heading, f"the first line must be {heading!r}; run `make sync`"


@notebooks
def test_file_name_matches_course_map(path: Path) -> None:
    match = FILE_NAME.match(path.name)
    assert match, f"{path.name} should be named NN_slug.ipynb (lower case, words joined by _)"
    entry = BY_FILE.get(path.name)
    assert entry is not None, (
        f"{path.name} is not in course.toml; add a [[notebooks]] entry or rename it"
    )
    assert entry["number"] == match.group(1)


def test_course_map_is_numbered_without_gaps() -> None:
    numbers = [entry["number"] for entry in ENTRIES]
    assert numbers == [f"{index:02d}" for index in range(len(ENTRIES))], (
        "course.toml should number its [[notebooks]] 00, 01, 02... in order, without gaps"
    )
    files = [entry["file"] for entry in ENTRIES]
    assert len(set(files)) == len(files), "two [[notebooks]] entries in course.toml share a file"
    for entry in ENTRIES:
        match = FILE_NAME.match(entry["file"])
        assert match and match.group(1) == entry["number"], (
            f"course.toml: {entry['file']!r} should be named {entry['number']}_slug.ipynb"
        )


def test_ruff_is_clean() -> None:
    command = [sys.executable, "-m", "ruff", "check", "course_utils", "tests", "tools", "notebooks"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if "No module named ruff" in result.stderr:
        pytest.fail("ruff is not installed; install the dev tools with `make install`")
    assert result.returncode == 0, (
        f"ruff found problems (try `ruff check --fix`):\n{result.stdout}{result.stderr}"
    )


@notebooks
def test_first_code_cell_installs_the_course_on_colab_only(path: Path) -> None:
    """On Colab only the .ipynb is there: the first code cell must fetch course_utils, guarded."""
    code = [cell for cell in load(path)["cells"] if cell["cell_type"] == "code"]
    first = "".join(code[0]["source"])
    repository = COURSE["course"]["repository"].removeprefix("https://github.com/")
    assert 'if "google.colab" in sys.modules:' in first, f"{path.name}: the Colab install is not guarded"
    assert f"git+https://github.com/{repository}@{COURSE['course']['branch']}" in first, (
        f"{path.name}: the Colab cell does not install from the repository in course.toml (run make sync)"
    )
    # Everything else in that cell sits under the guard, so it does nothing outside Colab.
    body = first.split('if "google.colab" in sys.modules:', 1)[1]
    assert all(line == "" or line.startswith((" ", "\t")) for line in body.splitlines()[1:]), first


IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)|<img[^>]*\bsrc=[\"']([^\"']+)")
DATA_FILE = re.compile(r"[\"'][^\"'\s]*\.(?:png|jpe?g|gif|svg|csv|tsv|npy|npz|pt|pth|pkl|h5|txt|json|wav)[\"']")


@notebooks
def test_notebook_needs_no_file_from_the_repository(path: Path) -> None:
    """No relative images in the text and no data files read by the code: on Colab they are missing."""
    for cell in load(path)["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            for match in IMAGE.finditer(source):
                target = match.group(1) or match.group(2)
                assert target.startswith(("https://", "data:", "attachment:")), (
                    f"{path.name}, cell {cell.get('id')}: image {target} is a relative path; draw it with code"
                )
        elif cell["cell_type"] == "code":
            found = DATA_FILE.findall(source)
            assert not found, f"{path.name}, cell {cell.get('id')}: reads or names files {found}; ship data in a package"


# Binder gives a session 2 GB in all; JupyterLab's server itself takes about 150 MB.
BINDER_KERNEL_BUDGET_MB = 1_700


@notebooks
def test_measured_peak_memory_fits_binder(path: Path) -> None:
    """The peak memory `make timings` recorded (the kernel's resident set) leaves room on Binder."""
    peak = load(path)["metadata"]["course"].get("peak_memory_mb")
    if peak is None:
        pytest.skip(f"{path.name}: not measured yet (make test, then make timings)")
    assert peak <= BINDER_KERNEL_BUDGET_MB, (
        f"{path.name} peaked at {peak} MB; on Binder (2 GB) it would be killed. Make the data or model smaller."
    )
