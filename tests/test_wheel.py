"""The course helpers as Colab gets them: a regular (non-editable) wheel, installed elsewhere.

Colab installs ``course_utils`` from git with pip, which builds a wheel; only files declared
as package data travel in it. This test builds that wheel from the working tree, checks that
every vendored data file is inside, installs it into a temporary folder outside the
repository and loads every vendored dataset from there, in a fresh interpreter whose working
directory is not the repository.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = ROOT / "course_utils" / "data" / "files"

LOAD_EVERYTHING = """
import json, course_utils
from course_utils.data import corpora, load_baby_names, load_review_sentences, load_shakespeare
print(json.dumps({
    "package": course_utils.__file__,
    "files": str(corpora.FILES),
    "names": len(load_baby_names(verbose=False)),
    "shakespeare": len(load_shakespeare(verbose=False)),
    "reviews": len(load_review_sentences(verbose=False)),
}))
"""


@pytest.mark.slow
def test_the_wheel_carries_and_loads_every_vendored_file(tmp_path: Path) -> None:
    # Build from a clean copy: setuptools reuses an existing build/lib, which could hold
    # files that the package data declarations no longer include.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "__pycache__", "notebooks", ".ruff_cache"))
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
         "--no-build-isolation", "--wheel-dir", str(wheels), str(source)],
        capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, f"building the wheel failed:\n{build.stdout}\n{build.stderr}"
    (wheel,) = wheels.glob("course_utils-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        members = set(archive.namelist())
    vendored = sorted(path.name for path in FILES.iterdir() if path.is_file())
    assert vendored, "no vendored files found"
    missing = [name for name in vendored if f"course_utils/data/files/{name}" not in members]
    assert not missing, f"the wheel lacks {missing}: declare them in [tool.setuptools.package-data]"
    assert "course_utils/py.typed" in members

    site = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
         "--target", str(site), str(wheel)],
        capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, f"installing the wheel failed:\n{install.stdout}\n{install.stderr}"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONSAFEPATH": "1"}
    run = subprocess.run([sys.executable, "-c", LOAD_EVERYTHING], cwd=elsewhere, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"the installed copy failed to load its data:\n{run.stderr}"
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert Path(found["package"]).resolve().is_relative_to(site.resolve()), (
        f"the test imported {found['package']}, not the installed wheel")
    assert Path(found["files"]).resolve().is_relative_to(site.resolve())
    assert (found["names"], found["shakespeare"], found["reviews"]) == (32_033, 1_115_394, 2_000)
