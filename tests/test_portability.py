"""What differs on Windows and macOS, checked on any machine.

- Text files: Windows' default encoding is not UTF-8 (it is cp1252 on most machines), so
  every text file the course's code reads or writes names its encoding; otherwise a notebook
  with a "≥" in it fails to load there. Binary modes need no encoding.
- Commands: Windows has no ``make``. The README gives the commands that stand in for
  ``make lab`` and ``make test`` there, and CI runs exactly those on Windows: the pytest
  options must stay those of the Makefile.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYTHON_FILES = sorted([*ROOT.glob("course_utils/**/*.py"), *ROOT.glob("tools/**/*.py"),
                       *ROOT.glob("tests/**/*.py"), ROOT / "conftest.py"])
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
DEFAULT_MODES = {"open": "r", "gzip.open": "rb", "io.open": "r"}


def _calls_without_encoding(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, what) of each text-mode file call that leaves the encoding to the platform."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        keywords = {keyword.arg for keyword in node.keywords}
        func = node.func
        if "encoding" in keywords:
            continue
        if isinstance(func, ast.Attribute) and func.attr in ("read_text", "write_text"):
            # Path.read_text() takes no other argument; metadata's dist.read_text(name) is not a file call
            if func.attr == "write_text" or not node.args:
                yield node.lineno, f".{func.attr}()"
            continue
        if isinstance(func, ast.Name) and func.id == "open":
            name = "open"
        elif isinstance(func, ast.Attribute) and func.attr == "open" and isinstance(func.value, ast.Name) \
                and func.value.id in ("gzip", "io"):
            name = f"{func.value.id}.open"
        else:
            continue
        mode = node.args[1] if len(node.args) > 1 else next(
            (keyword.value for keyword in node.keywords if keyword.arg == "mode"), None)
        text = DEFAULT_MODES[name] if mode is None else (mode.value if isinstance(mode, ast.Constant) else "")
        if isinstance(text, str) and "b" not in text:
            yield node.lineno, f"{name}(..., {text!r})"


def test_the_scan_finds_what_it_looks_for():
    code = ("open('a')\nopen('a', 'rb')\nopen('a', encoding='utf-8')\nPath('a').read_text()\n"
            "gzip.open('a')\ngzip.open('a', 'rt')\nio.open('a', mode='w')\np.write_text('x', encoding='utf-8')\n"
            "dist.read_text('RECORD')\n")
    assert [line for line, _ in _calls_without_encoding(ast.parse(code))] == [1, 4, 6, 7]


@pytest.mark.parametrize("path", PYTHON_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_python_files_name_the_encoding_of_text_files(path):
    found = list(_calls_without_encoding(ast.parse(path.read_text(encoding="utf-8"))))
    assert not found, (f"{path.relative_to(ROOT)} reads or writes text without an encoding (Windows would use "
                       f"cp1252): add encoding=\"utf-8\" at " + ", ".join(f"line {line} {what}" for line, what in found))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebooks_name_the_encoding_of_text_files(path):
    found = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        try:
            tree = ast.parse(source)
        except SyntaxError:  # IPython magics
            continue
        found += [f"cell {cell.get('id')} {what}" for _, what in _calls_without_encoding(tree)]
    assert not found, f"{path.name}: text files without an encoding: {found}"


def _readme_windows_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"### Without make \(Windows\)\s+```powershell\n(.*?)```", readme, re.DOTALL)
    assert block, "README.md lost its 'Without make (Windows)' section with a powershell block"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def _makefile_nbval_options() -> list[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^NBVAL := (.*)$", makefile, re.MULTILINE)
    assert match, "the Makefile lost its NBVAL options"
    return match.group(1).split()


def test_the_windows_commands_do_what_make_test_and_make_lab_do():
    commands = _readme_windows_commands()
    pytest_line = next(line for line in commands if " -m pytest " in line)
    words = shlex.split(pytest_line.replace("\\", "/"))
    assert words[:3] == [".venv/Scripts/python", "-m", "pytest"]
    assert [w for w in words[3:] if w.startswith("--")] == _makefile_nbval_options()
    assert [w for w in words[3:] if not w.startswith("--")] == ["tests", "notebooks"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(PY) -m pytest $(NBVAL) tests notebooks $(PYTEST_ARGS)" in makefile
    install = next(line for line in commands if "pip install" in line)
    assert '-e ".[dev]"' in install and "constraints\\py311.txt" in install
    lab = next(line for line in commands if "jupyter lab" in line)
    welcome = re.search(r"^WELCOME := (.*)$", makefile, re.MULTILINE).group(1)
    assert f"--LabApp.default_url=/lab/tree/{welcome}" in lab


def _windows_table() -> dict[str, str]:
    guide = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(make [^`]+)` \| `([^`]+)`", guide, re.MULTILINE)
    assert rows, "CONTRIBUTING.md lost its table of Windows commands"
    return dict(rows)


def _recipe(makefile: str, target: str) -> str:
    # the last definition: `doctor` has an ssh form for HOSTS= first, the local one after it
    recipes = re.findall(rf"^{re.escape(target)}:[^\n]*\n((?:\t[^\n]*\n)+)", makefile, re.MULTILINE)
    assert recipes, f"no recipe for make {target}"
    lines = [line.strip() for line in recipes[-1].splitlines() if not line.strip().startswith("@test")]
    assert len(lines) == 1, f"make {target} is not one command any more: update CONTRIBUTING's Windows table"
    return lines[0]


def test_every_make_task_has_its_windows_command():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    welcome = re.search(r"^WELCOME := (.*)$", makefile, re.MULTILINE).group(1)
    notebooks = {path.name[:2]: path.name for path in NOTEBOOKS}
    table = _windows_table()
    for task, command in table.items():
        words = shlex.split(task)
        target = words[1]
        number = " ".join(word.split("=", 1)[1] for word in words[2:] if word.startswith("NB="))
        folder = " ".join(word.split("=", 1)[1] for word in words[2:] if word.startswith("DIR="))
        recipe = _recipe(makefile, target)
        recipe = recipe.replace("notebooks/$(NB)_*.ipynb", f"notebooks\\{notebooks.get(number, '?')}")
        for name, value in {"$(PY)": ".venv\\Scripts\\python", "$(BIN)/": ".venv\\Scripts\\",
                            "$(NBVAL)": " ".join(_makefile_nbval_options()), "$(WELCOME)": welcome,
                            "$(or $(NB),06)": number, "$(NB)": number, "$(DIR)": folder}.items():
            recipe = recipe.replace(name, value)
        recipe = re.sub(r"\$\((PYTEST_ARGS|LAB_ARGS|ALLOW_ROOT|GRADE_ARGS)\)", "", recipe)
        assert "$(" not in recipe, f"make {target}: {recipe} still has a make variable"
        assert " ".join(recipe.split()) == command, f"{task}: the Makefile now runs {recipe!r}"
    targets = set(re.findall(r"^([a-z-]+):", makefile, re.MULTILINE))
    routine = {"lab", "test", "test-fast", "notebook", "notebooks", "new", "sync", "timings", "handouts", "site",
               "lint", "doctor", "benchmark-threads", "grade"}
    assert routine <= targets
    assert routine == {task.split()[1] for task in table}, "a routine make task has no Windows command"
