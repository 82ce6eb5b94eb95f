"""Packaging: environment.yml, pyproject.toml, the constraints and the two commands agree."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
# conda-forge package name -> PyPI distribution name, where they differ
CONDA_TO_PYPI = {"pytorch-cpu": "torch"}
NOT_PACKAGES = {"python", "pip"}


def _split(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*(?:#.*)?$", requirement)
    assert match, requirement
    return match.group(1).lower(), match.group(2).split(";")[0].replace(" ", "")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_environment_yml_matches_pyproject():
    project = _pyproject()["project"]
    wanted = dict(_split(r) for r in project["dependencies"] + project["optional-dependencies"]["lab"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert env["channels"] == ["conda-forge"], "use conda-forge only (the pytorch channel is retired)"
    found: dict[str, str] = {}
    pip_lines: list[str] = []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip_lines += dep["pip"]
            continue
        name, spec = _split(dep)
        if name not in NOT_PACKAGES:
            found[CONDA_TO_PYPI.get(name, name)] = spec
    for line in pip_lines:
        if not line.startswith("-"):
            name, spec = _split(line)
            found[name] = spec
    assert found == wanted, "environment.yml and pyproject.toml list different packages or ranges"
    assert "-e ." in pip_lines, "environment.yml must install the course itself"
    assert any(_split(d)[0] == "pytorch-cpu" for d in env["dependencies"] if isinstance(d, str))


def test_python_range_agrees():
    requires = _pyproject()["project"]["requires-python"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert requires == ">=3.10" and ">=3.10" in python and "<3.14" in python
    from course_utils.doctor import SUPPORTED_PYTHON

    assert SUPPORTED_PYTHON == ((3, 10), (3, 13))


def test_constraints_pin_ci_versions_exactly_and_satisfy_the_ranges():
    from packaging.requirements import Requirement
    from packaging.version import Version

    pins: dict[str, str] = {}
    for line in (ROOT / "constraints" / "py311.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"constraints must pin exact versions: {line!r}"
            pins[name.lower().replace("_", "-")] = version
    assert pins["torch"] == "2.14.1" and pins["torchvision"] == "0.29.1"
    project = _pyproject()["project"]
    for requirement in project["dependencies"] + project["optional-dependencies"]["dev"]:
        req = Requirement(requirement)
        name = req.name.lower().replace("_", "-")
        if name == "course-utils" or (req.marker and not req.marker.evaluate({"python_version": "3.11"})):
            continue
        assert name in pins, f"{name} is not pinned in constraints/py311.txt"
        assert req.specifier.contains(Version(pins[name])), f"{name}=={pins[name]} outside {req.specifier}"


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line for line in ci.splitlines() if line.strip() and not line.startswith("#")]
    assert commands[-1].strip() == "make test"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make lab" in readme and "make test" in readme


def test_makefile_installs_editable_with_constraints_and_only_when_needed():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-e \".[dev]\"" in makefile and "-c $(CONSTRAINTS)" in makefile
    # The install stamp depends on the files that define the environment, nothing else.
    assert re.search(r"^\$\(STAMP\): pyproject.toml \$\(CONSTRAINTS\)$", makefile, re.M)
    assert re.search(r"^lab: \$\(STAMP\)$", makefile, re.M)
    assert re.search(r"^test: \$\(STAMP\)( browser)?$", makefile, re.M)


def test_binder_environment_matches_the_conda_environment():
    top = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    binder = yaml.safe_load((ROOT / "binder" / "environment.yml").read_text(encoding="utf-8"))
    assert binder["channels"] == top["channels"]

    def packages(env: dict) -> tuple[list[str], list[str]]:
        conda = [d for d in env["dependencies"] if isinstance(d, str)]
        pip = [line for d in env["dependencies"] if isinstance(d, dict) for line in d["pip"]]
        return conda, pip

    (top_conda, top_pip), (binder_conda, binder_pip) = packages(top), packages(binder)
    # Everything but Python and the course itself is the same, range for range.
    assert [d for d in binder_conda if not d.startswith("python")] == [d for d in top_conda if not d.startswith("python")]
    assert binder_pip == [line for line in top_pip if line != "-e ."]
    # repo2docker needs one exact Python (a range falls back to its default), within the supported range.
    python = next(d for d in binder_conda if d.startswith("python"))
    match = re.fullmatch(r"python=3\.(\d+)", python)
    assert match and 10 <= int(match.group(1)) <= 13, python


def test_binder_installs_the_course_after_copying_the_repository():
    post_build = ROOT / "binder" / "postBuild"
    text = post_build.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/bash") and "set -euo pipefail" in text
    assert re.search(r"^python -m pip install --no-deps .*-e \.$", text, flags=re.MULTILINE)
    assert post_build.stat().st_mode & 0o111, "binder/postBuild must be executable (git update-index --chmod=+x)"


def test_binder_badges_open_jupyterlab_on_an_existing_notebook():
    pattern = re.compile(r"https://mybinder\.org/v2/gh/([\w.-]+/[\w.-]+)/([\w.-]+)\?urlpath=lab/tree/([^)\s]+)")
    course = tomllib.loads((ROOT / "course.toml").read_text(encoding="utf-8"))["course"]
    owner_repo = course["repository"].removeprefix("https://github.com/")
    texts = {"README.md": (ROOT / "README.md").read_text(encoding="utf-8")}
    texts.update({p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "notebooks").glob("*.ipynb"))})
    found = 0
    for name, text in texts.items():
        for repo, branch, path in pattern.findall(text):
            found += 1
            assert (repo, branch) == (owner_repo, course["branch"]), f"{name}: badge points to {repo}@{branch}"
            assert (ROOT / path).is_file(), f"{name}: Binder badge opens {path}, which does not exist"
    assert found > len(texts), "every notebook and the README carry Binder badges"
