"""The CI workflow: valid, safe, and testing what the README promises, checked before it is pushed.

GitHub only runs ``.github/workflows/ci.yml`` once it is pushed; a typo there would turn the
badge red (or silently skip a job) without any test here noticing. So:

- ``check-jsonschema`` validates it against GitHub's workflow schema (shipped inside the
  package, so it works offline);
- ``zizmor`` audits it for unsafe patterns (unpinned actions, credentials left in the
  checkout, injected expressions), offline;
- the tests below read it and check that it tests what the course claims: every platform
  with the oldest and newest supported Python, the pinned versions on Linux 3.11, the
  commands of the README, a weekly run against the newest releases, the Colab pair, a GPU
  job that skips cleanly, the timings and screenshots kept, every action pinned.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
sys.path.insert(0, str(ROOT / "tests"))
from test_ipywidgets7 import PACKAGES as COLAB_WIDGETS  # noqa: E402
from test_portability import _makefile_nbval_options, _readme_windows_commands  # noqa: E402

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib


def _tool(name: str) -> str:
    """The path of a command-line tool installed beside this Python (the dev extra brings them)."""
    folder = Path(sys.executable).parent
    for candidate in (folder / name, folder / f"{name}.exe"):
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: run `make install` (or pip install -e \".[dev]\").")
    return found


@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _supported_pythons() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    versions = [c.rsplit(" :: ", 1)[1] for c in project["classifiers"]
                if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]
    assert project["requires-python"] == f">={versions[0]}"
    return versions


def _run_lines(job: dict[str, Any]) -> list[str]:
    return [line.strip() for step in job["steps"] for line in step.get("run", "").splitlines() if line.strip()]


def test_the_workflow_matches_githubs_schema():
    result = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_workflow_passes_a_security_audit():
    result = subprocess.run([_tool("zizmor"), "--offline", "--no-progress", str(WORKFLOW)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_platform_runs_with_the_oldest_and_newest_python(workflow):
    pythons = _supported_pythons()
    matrix = workflow["jobs"]["test"]["strategy"]["matrix"]["include"]
    runs = {(entry["os"], entry["python"], entry["pinned"]) for entry in matrix}
    for os_name in ("ubuntu-latest", "macos-latest", "windows-latest"):
        for version in (pythons[0], pythons[-1]):
            assert (os_name, version, False) in runs, f"no {os_name} job with Python {version}"
    pinned = [run for run in runs if run[2]]
    constraints = sorted(p.stem for p in (ROOT / "constraints").glob("py*.txt"))
    assert pinned == [("ubuntu-latest", "3.11", True)] and constraints == ["py311"]
    assert workflow["jobs"]["test"]["strategy"]["fail-fast"] is False


def test_linux_and_macos_run_make_test_and_windows_the_readmes_commands(workflow):
    steps = workflow["jobs"]["test"]["steps"]
    unix = [step for step in steps if step.get("if") == "runner.os != 'Windows'"]
    assert [step["run"].strip() for step in unix] == ["make test PYTHON=python"]
    windows = [line for step in steps if step.get("if") == "runner.os == 'Windows'"
               for line in step["run"].strip().splitlines()]
    readme = _readme_windows_commands()
    readme_pytest = next(line for line in readme if "-m pytest" in line)
    assert windows[-1] == readme_pytest
    assert windows[1] == '.venv\\Scripts\\python -m pip install -e ".[dev]"'  # the README's line, unpinned
    assert all(option in windows[-1] for option in _makefile_nbval_options())
    # the pinned job is exactly what .ci/run does
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci_run.strip().splitlines()[-1] == "make test"


def test_a_weekly_run_tests_the_newest_releases(workflow):
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML reads a bare `on` as True
    assert re.fullmatch(r"\d+ \d+ \* \* [0-6]", triggers["schedule"][0]["cron"])
    newest = workflow["jobs"]["newest"]
    assert "schedule" in newest["if"]
    assert "make test PYTHON=python CONSTRAINTS=" in _run_lines(newest)
    assert any("pip freeze" in line for line in _run_lines(newest))


def test_the_colab_job_uses_colabs_python_and_widgets(workflow):
    colab = workflow["jobs"]["colab"]
    python = next(step["with"]["python-version"] for step in colab["steps"] if "setup-python" in step.get("uses", ""))
    assert python == _supported_pythons()[-1] == "3.13"
    install = next(line for line in _run_lines(colab) if "pip install" in line)
    assert '"ipywidgets==7.7.1"' in install and COLAB_WIDGETS[0] == "ipywidgets==7.7.1"
    for package in COLAB_WIDGETS[1:3]:
        assert f'"{package}"' in install
    assert any("ipywidgets.__version__ == '7.7.1'" in line for line in _run_lines(colab))


def test_the_gpu_job_skips_cleanly_without_a_runner(workflow):
    gpu = workflow["jobs"]["gpu"]
    assert gpu["if"] == "vars.GPU_RUNNER == 'true'"
    assert gpu["runs-on"] == ["self-hosted", "linux", "gpu"]
    lines = _run_lines(gpu)
    assert any("torch.cuda.is_available()" in line for line in lines)
    assert "make notebooks" in lines
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "notebooks: $(STAMP)\n\t$(PY) -m pytest $(NBVAL) notebooks $(PYTEST_ARGS)" in makefile
    guide = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "GPU_RUNNER" in guide, "CONTRIBUTING.md must say how to turn the GPU job on"


def test_every_job_keeps_its_timings_and_every_action_is_pinned(workflow):
    for name, job in workflow["jobs"].items():
        uploads = [step for step in job["steps"] if "upload-artifact" in step.get("uses", "")]
        assert uploads and uploads[-1]["if"] == "always()", f"job {name} does not keep its report"
        assert "build/benchmarks.md" in uploads[-1]["with"]["path"]
        assert job.get("timeout-minutes", 360) <= 100, f"job {name} needs a timeout"
    text = WORKFLOW.read_text(encoding="utf-8")
    for action in re.findall(r"uses: (\S+)", text):
        assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", action), f"{action} is not pinned to a commit"
    assert workflow["permissions"] == {"contents": "read"}


def test_the_readme_shows_the_status_badge():
    repository = tomllib.loads((ROOT / "course.toml").read_text(encoding="utf-8"))
    url = next(value for value in _strings(repository) if value.startswith("https://github.com/"))
    actions = f"{url.rstrip('/')}/actions/workflows/ci.yml"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"[![CI]({actions}/badge.svg)]({actions})" in readme


def _strings(table: Any) -> list[str]:
    if isinstance(table, dict):
        return [s for value in table.values() for s in _strings(value)]
    if isinstance(table, list):
        return [s for value in table for s in _strings(value)]
    return [table] if isinstance(table, str) else []
