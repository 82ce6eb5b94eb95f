"""`python -m course_utils doctor`: OK/WARN/FAIL lines and the exit status."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata

from course_utils import doctor


def test_doctor_passes_on_this_machine_with_mnist_from_some_source(tmp_path):
    env = {**os.environ, "COURSE_DATA_DIR": str(tmp_path), "COURSE_OFFLINE": "1"}
    result = subprocess.run([sys.executable, "-m", "course_utils", "doctor"], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for name in ("Python", "torch", "torchvision", "jupyterlab", "ipywidgets", "device", "data mnist"):
        assert any(line.startswith("OK") and f" {name}:" in line for line in lines), (name, result.stdout)
    mnist = next(line for line in lines if " data mnist:" in line)
    assert "sample" in mnist  # offline with an empty cache: the bundled sample
    assert "All set" in result.stdout


def test_missing_package_fails_with_the_fix(monkeypatch):
    real_version = metadata.version

    def fake_version(name: str) -> str:
        if name == "torchvision":
            raise metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(doctor.metadata, "version", fake_version)
    printed: list[str] = []
    assert doctor.main([], print_=printed.append) == 1
    line = next(line for line in printed if " torchvision:" in line)
    assert line.startswith("FAIL") and "pip install" in line
    assert "problem(s) to fix" in printed[-1]


def test_too_old_version_fails(monkeypatch):
    real_version = metadata.version
    monkeypatch.setattr(doctor.metadata, "version",
                        lambda name: "1.0.0" if name == "numpy" else real_version(name))
    finding = next(f for f in doctor.diagnose() if f.what == "numpy")
    assert finding.status == "FAIL" and "upgrade" in finding.detail


def test_jupyterlab_is_optional_with_no_lab(monkeypatch):
    assert all(f.what != "jupyterlab" for f in doctor.diagnose(include_lab=False))


def test_requirement_ranges_come_from_the_package_metadata():
    ranges = doctor._requirement_ranges()
    assert ranges["torch"].startswith(">=")
    assert "jupyterlab" in ranges and "pytest" not in ranges


def test_cli_usage_and_unknown_command(capsys):
    from course_utils.__main__ import main

    assert main(["--help"]) == 0
    assert main(["frobnicate"]) == 2
    assert "usage" in capsys.readouterr().err
