"""`python -m course_utils doctor`: OK/WARN/FAIL lines, the exit status, and where checks go.

The format is what `make doctor HOSTS=...` and the teacher's guide rely on: one line per
requirement, ``STATUS what: detail`` with STATUS one of OK, WARN, FAIL padded to five
characters; exit status 0 when nothing failed (warnings allowed), 1 when something failed,
2 for a usage error, 130 when interrupted. The fault cases are in ``tests/faults/test_doctor_*``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest

from course_utils import doctor

LINE = re.compile(r"^(OK   |WARN |FAIL ) (\S[^:]*): \S")


def run_doctor(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COURSE_DATA_DIR": str(tmp_path), "COURSE_OFFLINE": "1"}
    env.pop("COURSE_DEVICE", None)
    return subprocess.run([sys.executable, "-m", "course_utils", "doctor", *args], capture_output=True,
                          text=True, env=env, timeout=300, cwd=tmp_path)


def test_doctor_passes_on_this_machine_with_mnist_from_some_source(tmp_path):
    result = run_doctor(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Checking this machine for the neural networks course..."
    report = [line for line in lines[1:] if line and not line.startswith("All set")]
    assert all(LINE.match(line) for line in report), report
    needs, _ = doctor._requirements(include_lab=True)
    for name in ["Python", *(name for name, _, _ in needs), "PyTorch works", "device", "data folder",
                 "data mnist", "data digits", "data photos", "data names"]:
        assert any(line.startswith("OK") and f" {name}:" in line for line in lines), (name, result.stdout)
    threads = next(line for line in lines if " threads:" in line)  # WARN when others are busy
    assert re.match(r"(OK   |WARN ) threads: \d+ of \d+ usable CPUs \(", threads), threads
    mnist = next(line for line in lines if " data mnist:" in line)
    assert "sample" in mnist  # offline with an empty cache: the bundled sample
    assert lines[-1].startswith("All set: everything the course needs is here")


def findings_of(*statuses: str):
    def check(ctx: doctor.Context) -> list[doctor.Finding]:
        return [doctor.Finding(status, f"thing {i}", "details") for i, status in enumerate(statuses)]
    return check


@pytest.mark.parametrize(("statuses", "code", "last"), [
    (("OK", "OK"), 0, "All set: everything the course needs is here."),
    (("OK", "WARN"), 0, "All set: everything the course needs is here (1 warning(s): optional, see WARN lines)."),
    (("WARN", "FAIL", "FAIL"), 1, "2 problem(s) to fix before the course will run (see FAIL lines above)."),
])
def test_the_exit_status_and_the_last_line(monkeypatch, statuses, code, last):
    monkeypatch.setattr(doctor, "CHECKS", [findings_of(*statuses)])
    printed: list[str] = []
    assert doctor.main([], print_=printed.append) == code
    assert printed[1:-1] == [f"{s:<5} thing {i}: details" for i, s in enumerate(statuses)]
    assert printed[-1] == f"\n{last}"  # after an empty line


def test_checks_run_in_the_order_of_the_list_and_one_more_is_one_more_function(monkeypatch):
    assert doctor.CHECKS == [doctor.check_python, doctor.check_packages, doctor.check_torch,
                             doctor.check_threads, doctor.check_data]

    def check_disk(ctx: doctor.Context) -> list[doctor.Finding]:
        return [doctor.Finding("OK", "disk", "12 GB free")]

    monkeypatch.setattr(doctor, "CHECKS", [doctor.check_python, check_disk])
    findings = doctor.diagnose()
    assert [f.what for f in findings] == ["Python", "disk"]


def test_missing_package_fails_with_the_fix(monkeypatch):
    real_version = doctor.metadata.version

    def fake_version(name: str) -> str:
        if name == "torchvision":
            raise doctor.metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(doctor.metadata, "version", fake_version)
    probe = {"ok": False, "error": "ModuleNotFoundError: No module named 'torchvision'", "missing": True}
    line = doctor._package_finding("torchvision", ">=0.17", False, probe)
    assert line.status == "FAIL" and line.detail.endswith("pip install 'torchvision>=0.17'")


def test_too_old_version_fails(monkeypatch):
    real_version = doctor.metadata.version
    monkeypatch.setattr(doctor.metadata, "version",
                        lambda name: "1.0.0" if name == "numpy" else real_version(name))
    line = doctor._package_finding("numpy", ">=1.24", False, {"ok": True, "version": "1.0.0", "origin": ""})
    assert line.status == "FAIL" and "upgrade" in line.detail


def test_jupyterlab_is_optional_with_no_lab_and_on_colab(monkeypatch):
    assert all(name != "jupyterlab" for name, _, _ in doctor._requirements(include_lab=False)[0])
    monkeypatch.setenv("COLAB_RELEASE_TAG", "release-colab_20250101")
    needs, _ = doctor._requirements(include_lab=True)
    assert ("jupyterlab", ">=4.0", True) in needs
    probe = {"ok": False, "error": "ModuleNotFoundError: No module named 'jupyterlab'", "missing": True}
    monkeypatch.setattr(doctor.metadata, "version", lambda name: (_ for _ in ()).throw(
        doctor.metadata.PackageNotFoundError(name)))
    assert doctor._package_finding("jupyterlab", ">=4.0", True, probe).status == "WARN"


def test_requirement_ranges_come_from_the_package_metadata():
    ranges = doctor._requirement_ranges()
    assert ranges["torch"].startswith(">=")
    assert "jupyterlab" in ranges and "pytest" not in ranges
    assert set(doctor.REQUIRED) | set(doctor.LAB) == set(ranges)  # the fallback list agrees


def test_cli_usage_and_unknown_command(capsys):
    from course_utils.__main__ import main

    assert main(["--help"]) == 0
    assert "usage" in capsys.readouterr().out
    assert main([]) == 2
    assert main(["frobnicate"]) == 2
    assert "usage" in capsys.readouterr().err


def test_the_usage_texts_document_the_options_and_exit_status():
    from course_utils.__main__ import USAGE

    for text in (USAGE, doctor.USAGE):
        assert "--no-lab" in text and "--timeout" in text
    assert "Exit status: 0 nothing failed, 1 something failed,\n2 usage error, 130 interrupted." in doctor.USAGE
    assert "0 when nothing failed" in USAGE and "130 when interrupted" in USAGE


# --------------------------------------------------------------------------- the thread line


def thread_line(**torch_step) -> doctor.Finding:
    """The threads line for a PyTorch test that answered ``torch_step`` (no process started)."""
    ctx = doctor.Context()
    answer = {"ok": True, "device": "cpu", "threads": 2, "usable_cpus": 2, "busy_elsewhere": 0.0,
              "threads_reason": "the others are idle", "cpu_count": 2}
    ctx.probes = {"import:torch": {"ok": True}, "torch": {**answer, **torch_step}}
    [finding] = doctor.check_threads(ctx)
    return finding


def test_the_thread_line_when_the_cpus_are_free():
    assert str(thread_line()) == "OK    threads: 2 of 2 usable CPUs (the others are idle)"
    fixed = thread_line(threads=1, threads_reason="set by OMP_NUM_THREADS=1")
    assert str(fixed) == "OK    threads: 1 of 2 usable CPUs (set by OMP_NUM_THREADS=1)"


def test_the_thread_line_warns_when_others_keep_cpus_busy():
    finding = thread_line(threads=1, busy_elsewhere=1.0, threads_reason="1.0 CPUs busy elsewhere")
    assert finding.status == "WARN"
    assert finding.detail.startswith("1 of 2 usable CPUs (1.0 CPUs busy elsewhere): ")
    assert "close other notebooks' kernels" in finding.detail


def test_the_thread_line_warns_about_more_threads_than_cpus():
    finding = thread_line(threads=8, threads_reason="set by OMP_NUM_THREADS=8")
    assert finding.status == "WARN"
    assert "8 of 2 usable CPUs (set by OMP_NUM_THREADS=8)" in finding.detail
    assert "set it to 2 or less" in finding.detail


def test_the_thread_line_names_a_cpu_quota():
    finding = thread_line(cpu_count=64)
    assert finding.status == "OK"
    assert "the machine has 64, but this process may use only 2" in finding.detail


@pytest.mark.parametrize(("torch_step", "says"), [
    ({"ok": False, "error": "it did not finish within 60 s"}, "not chosen: PyTorch does not work"),
    ({"threads_error": "OSError: /proc/stat: permission denied"}, "set OMP_NUM_THREADS=1"),
])
def test_the_thread_line_without_a_choice_is_a_warning(torch_step, says):
    ctx = doctor.Context()
    ctx.probes = {"import:torch": {"ok": True},
                  "torch": torch_step if "error" in torch_step else {"ok": True, "device": "cpu", **torch_step}}
    [finding] = doctor.check_threads(ctx)
    assert finding.status == "WARN" and says in finding.detail


def test_the_thread_choice_comes_from_course_utils_threads_and_is_quick(monkeypatch):
    from course_utils import _probe, threads

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("COURSE_THREADS", raising=False)
    monkeypatch.setattr(threads, "_state", {"hooked": True})  # measure afresh, install no hook
    before = threads.torch.get_num_threads()
    try:
        start = time.monotonic()
        answer = _probe._thread_choice()
        assert time.monotonic() - start < 1.0
    finally:
        threads.torch.set_num_threads(before)
    assert answer["usable_cpus"] == threads.usable_cpus()
    assert answer["threads"] == threads.choose_threads(answer["usable_cpus"], answer["busy_elsewhere"])
    assert answer["threads_reason"] == threads.last_choice().reason


def test_the_teachers_guide_and_make_doctor_match_the_output():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    guide = (root / "docs" / "teachers.md").read_text(encoding="utf-8")
    section = guide.split("## Checking a room of machines", 1)[1].split("\n## ", 1)[0]
    example = section.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    assert example and all(LINE.match(line) for line in example), example
    names = {line.split(":", 1)[0][6:] for line in example}
    assert {"device", "threads"} <= names
    for words in ("0 when nothing failed", "1 when a line says `FAIL`", "2 for a", "130 when interrupted",
                  "--no-lab", "--timeout SECONDS"):
        assert words in section, words
    makefile = (root / "Makefile").read_text(encoding="utf-8")
    assert '.venv/bin/python -m course_utils doctor" || failed=' in makefile  # a host fails on exit 1
