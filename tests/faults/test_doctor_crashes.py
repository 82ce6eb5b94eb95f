"""The doctor never shows a traceback; every problem is a FAIL or WARN line.

It is the tool people run when things are broken: a device the machine lacks, PyTorch missing
or broken, a computation that fails or hangs, an unknown home folder, a terminal that cannot
show a character, a closed pipe, Ctrl-C, a typo in an option, a bug in a check. Each must end
in a line that says what to do and a non-zero exit status, never in a traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch

import course_utils
from course_utils import _probe, doctor
from tests.faults.doctor_fakes import WRAP_TORCH, fake_package

TORCH_STEPS = ["import:torch", "torch"]


def torch_lines(timeout_s: float = 60.0) -> list[doctor.Finding]:
    """The doctor's PyTorch and device lines, from a child process as the doctor runs them."""
    ctx = doctor.Context(timeout_s=timeout_s)
    ctx.probes = _probe.run_probes(TORCH_STEPS, timeout_s)
    return doctor.check_torch(ctx)


def line(findings: list[doctor.Finding], what: str) -> doctor.Finding:
    return next(f for f in findings if f.what == what)


def fake_torch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    version = doctor.metadata.version("torch")
    monkeypatch.syspath_prepend(str(fake_package(tmp_path / "fakes", "torch", code, "torch", version)))


def run_main(monkeypatch: pytest.MonkeyPatch, checks: list, argv: list[str] | None = None,
             print_=None) -> tuple[int, list[str]]:
    monkeypatch.setattr(doctor, "CHECKS", checks)
    printed: list[str] = []
    return doctor.main(argv or [], print_=print_ or printed.append), printed


# --------------------------------------------------------------------------- the device


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_course_device_cuda_on_a_cpu_machine_is_a_fail_line(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "cuda")
    findings = torch_lines()
    assert line(findings, "PyTorch works").status == "OK"  # it still ran, on the CPU
    device = line(findings, "device")
    assert device.status == "FAIL"
    assert device.detail.startswith("COURSE_DEVICE='cuda': CUDA was requested but PyTorch sees no NVIDIA GPU")
    assert "Unset COURSE_DEVICE" in device.detail


@pytest.mark.parametrize(("value", "says"), [
    ("gpu", "COURSE_DEVICE='gpu': Unknown device 'gpu': choose one of cuda, mps, cpu"),
    ("cuda:7", "COURSE_DEVICE='cuda:7': Unknown device 'cuda:7': choose one of cuda, mps, cpu"),
    pytest.param("mps", "COURSE_DEVICE='mps': MPS was requested", marks=pytest.mark.skipif(
        sys.platform == "darwin", reason="a Mac may have MPS")),
])
def test_course_device_that_cannot_be_satisfied_is_a_fail_line(monkeypatch, value, says):
    monkeypatch.setenv("COURSE_DEVICE", value)
    device = line(torch_lines(), "device")
    assert device.status == "FAIL" and device.detail.startswith(says), device.detail
    assert "unset" in device.detail.lower()


def test_course_device_cpu_with_spaces_and_capitals_is_fine(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", " CPU ")
    findings = torch_lines()
    assert [f.status for f in findings] == ["OK", "OK"]
    assert line(findings, "device").detail.startswith("cpu (no GPU found")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_a_gpu_that_pytorch_reports_but_cannot_use_is_a_fail_line(tmp_path, monkeypatch):
    fake_torch(tmp_path, monkeypatch, WRAP_TORCH.format(patch="real.cuda.is_available = lambda: True"))
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    works = line(torch_lines(), "PyTorch works")
    assert works.status == "FAIL" and works.detail.startswith("a small computation on cuda failed")
    assert "Update the NVIDIA driver" in works.detail and "COURSE_DEVICE=cpu" in works.detail


def test_a_computation_that_fails_is_a_fail_line(tmp_path, monkeypatch):
    fake_torch(tmp_path, monkeypatch, WRAP_TORCH.format(patch=textwrap.dedent("""
        def randn(*args, **kwargs):
            raise RuntimeError('illegal instruction emulation')
        real.randn = randn""")))
    works = line(torch_lines(), "PyTorch works")
    assert works.status == "FAIL"
    assert "RuntimeError: illegal instruction emulation" in works.detail
    assert "reinstall PyTorch:" in works.detail and "pip install --force-reinstall torch" in works.detail


def test_pytorch_built_for_another_numpy_is_a_fail_line(tmp_path, monkeypatch):
    fake_torch(tmp_path, monkeypatch, WRAP_TORCH.format(patch=textwrap.dedent("""
        def from_numpy(array):
            raise RuntimeError('Numpy is not available')
        real.from_numpy = from_numpy""")))
    works = line(torch_lines(), "PyTorch works")
    assert works.status == "FAIL" and "Numpy is not available" in works.detail


@pytest.mark.slow  # it waits out the time limit
def test_a_computation_that_hangs_is_a_fail_line(tmp_path, monkeypatch):
    fake_torch(tmp_path, monkeypatch, WRAP_TORCH.format(patch=textwrap.dedent("""
        import time
        def randn(*args, **kwargs):
            time.sleep(600)
        real.randn = randn""")))
    start = time.monotonic()
    works = line(torch_lines(timeout_s=10), "PyTorch works")  # importing torch takes a few s
    assert time.monotonic() - start < 60
    assert works.status == "FAIL" and "did not finish within 10 s" in works.detail


# --------------------------------------------------------------------------- torch missing or broken


@pytest.mark.parametrize(("code", "says"), [
    ("raise OSError('libtorch_cpu.so: cannot open shared object file')", "OSError: libtorch_cpu.so"),
    ("raise ImportError('DLL load failed while importing _C')", "DLL load failed"),
])
def test_a_broken_torch_is_a_fail_line_and_the_computation_is_not_tried(tmp_path, monkeypatch, code, says):
    fake_torch(tmp_path, monkeypatch, code)
    ctx = doctor.Context()
    ctx.probes = _probe.run_probes(TORCH_STEPS, 30)
    torch_line = doctor._package_finding("torch", ">=2.2", False, ctx.probe("import:torch"))
    assert torch_line.status == "FAIL" and says in torch_line.detail
    assert "pip install --force-reinstall 'torch>=2.2'" in torch_line.detail
    assert doctor.check_torch(ctx) == [doctor.Finding(
        "FAIL", "PyTorch works", "not tested: torch does not import (see the torch line)")]


def test_a_learners_torch_py_is_named_and_pytorch_not_tested(tmp_path, monkeypatch):
    here = fake_package(tmp_path / "my project", "torch", "x = 1\n", single_file=True)
    monkeypatch.syspath_prepend(str(here))
    ctx = doctor.Context()
    ctx.probes = _probe.run_probes(TORCH_STEPS, 30)
    torch_line = doctor._package_finding("torch", ">=2.2", False, ctx.probe("import:torch"))
    assert torch_line.status == "FAIL" and f"rename or move {here / 'torch.py'}" in torch_line.detail
    assert doctor.check_torch(ctx) == [doctor.Finding(
        "FAIL", "PyTorch works", f"not tested: `import torch` loads {here / 'torch.py'} (see the torch line)")]


# A Python without PyTorch: `import torch` fails in the doctor's process and in its children.
NO_TORCH = """
import runpy, sys
sys.modules["torch"] = None  # `import torch` now raises ImportError here
sys.argv = ["course_utils", *sys.argv[1:]]
runpy.run_module("course_utils", run_name="__main__", alter_sys=True)
"""


def test_python_m_course_utils_doctor_works_without_torch(tmp_path):
    fakes = fake_package(tmp_path / "fakes", "torch",  # a torch whose files are gone
                         "raise ModuleNotFoundError(\"No module named 'torch._C'\", name='torch._C')",
                         "torch", doctor.metadata.version("torch"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(fakes), *sys.path]),
           "COURSE_DATA_DIR": str(tmp_path / "data"), "COURSE_OFFLINE": "1", "COURSE_DEVICE": "cuda"}
    result = subprocess.run([sys.executable, "-c", NO_TORCH, "doctor", "--no-lab"], capture_output=True,
                            text=True, env=env, cwd=tmp_path, timeout=120)
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith("FAIL  torch: ") and "`import torch` fails" in line for line in lines)
    assert "FAIL  PyTorch works: not tested: torch does not import (see the torch line)" in lines
    assert any(line.startswith("WARN  threads: not chosen: PyTorch does not work") for line in lines)
    assert any(line.startswith("OK    data mnist: bundled sample") for line in lines)  # data still reported


def test_importing_course_utils_needs_no_torch_and_get_device_says_what_to_do():
    code = textwrap.dedent("""
        import sys
        sys.modules["torch"] = None
        import course_utils, course_utils.doctor, course_utils.data_status
        assert course_utils.__version__
        try:
            from course_utils import get_device
        except ImportError as error:
            print(error)
        else:
            raise SystemExit("get_device imported without torch")
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "course_utils.get_device needs PyTorch and NumPy, which do not import here" in result.stdout
    assert "Run `python -m course_utils doctor`" in result.stdout


def test_the_notebook_imports_work_exactly_as_before():
    from course_utils import device as device_module
    from course_utils import environment_report, get_device, seed_everything

    assert (get_device, seed_everything, environment_report) == (
        device_module.get_device, device_module.seed_everything, device_module.environment_report)
    assert course_utils.data is sys.modules["course_utils.data"]
    assert {"get_device", "seed_everything", "environment_report", "data"} <= set(dir(course_utils))
    with pytest.raises(AttributeError, match="has no attribute 'get_devices'"):
        course_utils.get_devices  # noqa: B018


# --------------------------------------------------------------------------- the data folder


def test_an_unknown_home_folder_is_a_fail_line(monkeypatch):
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)

    def no_home(self: Path) -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "expanduser", no_home)
    folder = doctor.check_data(doctor.Context())[0]
    assert folder.status == "FAIL" and folder.what == "data folder"
    assert "cannot be worked out (Could not determine home directory.)" in folder.detail
    assert "set the environment variable COURSE_DATA_DIR" in folder.detail


# --------------------------------------------------------------------------- the command line


def ok_check(ctx: doctor.Context) -> list[doctor.Finding]:
    return [doctor.Finding("OK", "thing", "fine: caf\u00e9 \u2713")]


def test_a_terminal_that_cannot_show_a_character_gets_an_escape_not_a_crash(monkeypatch):
    printed: list[str] = []

    def ascii_terminal(text: str) -> None:
        text.encode("ascii")  # raises UnicodeEncodeError like a cp1252 or ASCII console
        printed.append(text)

    status, _ = run_main(monkeypatch, [ok_check], print_=ascii_terminal)
    assert status == 0
    assert "OK    thing: fine: caf\\xe9 \\u2713" in printed


def test_a_closed_pipe_ends_the_report_quietly(monkeypatch):
    def closed_pipe(text: str) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    status, _ = run_main(monkeypatch, [ok_check], print_=closed_pipe)
    assert status == 1


def test_ctrl_c_is_a_message_and_exit_status_130(monkeypatch, capsys):
    def interrupted(ctx: doctor.Context) -> list[doctor.Finding]:
        raise KeyboardInterrupt

    status, printed = run_main(monkeypatch, [ok_check, interrupted])
    assert status == 130
    assert "Interrupted: the check did not finish" in capsys.readouterr().err
    assert printed[-1] == "OK    thing: fine: caf\u00e9 \u2713"  # what was checked is shown


@pytest.mark.parametrize(("error", "says"), [
    (ZeroDivisionError("division by zero"), "ZeroDivisionError: division by zero"),
    (SystemExit(3), "SystemExit: 3"),
])
def test_a_check_that_crashes_is_a_fail_line_and_the_others_still_run(monkeypatch, error, says):
    def check_buggy(ctx: doctor.Context) -> list[doctor.Finding]:
        raise error

    status, printed = run_main(monkeypatch, [check_buggy, ok_check])
    assert status == 1
    assert printed[1] == (f"FAIL  check buggy: the check itself crashed ({says}); "
                          "please report this line as a bug of course_utils")
    assert printed[2].startswith("OK    thing:")


@pytest.mark.parametrize(("argv", "says"), [
    (["--nolab"], "unknown option '--nolab' (did you mean --no-lab?)"),
    (["--timeout"], "--timeout needs a number of seconds above 0 (at most 86400), not ''"),
    (["--timeout", "soon"], "--timeout needs a number of seconds above 0 (at most 86400), not 'soon'"),
    (["--timeout=0"], "--timeout needs a number of seconds above 0 (at most 86400), not '0'"),
    (["--timeout", "nan"], "--timeout needs a number of seconds above 0 (at most 86400), not 'nan'"),
    (["--timeout", "-5"], "--timeout needs a number of seconds above 0 (at most 86400), not '-5'"),
    (["--timeout", "1e12"], "--timeout needs a number of seconds above 0 (at most 86400), not '1e12'"),
    (["lab"], "unknown option 'lab'"),
])
def test_a_bad_option_is_a_usage_error_with_status_2(monkeypatch, capsys, argv, says):
    status, printed = run_main(monkeypatch, [ok_check], argv)
    assert status == 2 and printed == []
    err = capsys.readouterr().err
    assert err.startswith(says) and "usage: python -m course_utils doctor" in err


def test_help_prints_the_usage_and_checks_nothing(monkeypatch):
    status, printed = run_main(monkeypatch, [ok_check], ["--help"])
    assert status == 0 and printed == [doctor.USAGE]
    assert "Exit status: 0 nothing failed, 1 something failed" in doctor.USAGE


def test_the_timeout_option_reaches_the_checks(monkeypatch):
    seen: list[float] = []
    monkeypatch.setattr(doctor, "CHECKS", [lambda ctx: seen.append(ctx.timeout_s) or []])
    assert doctor.main(["--timeout=2.5", "--no-lab"], print_=lambda text: None) == 0
    assert seen == [2.5]


def test_without_its_own_metadata_the_doctor_warns_that_versions_are_unchecked(monkeypatch):
    def not_installed(name: str) -> list[str]:
        raise doctor.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(doctor.metadata, "requires", not_installed)
    needs, warning = doctor._requirements(include_lab=False)
    assert [name for name, _, _ in needs] == list(doctor.REQUIRED)
    assert warning.status == "WARN" and warning.what == "course_utils"
    assert "version ranges are not checked" in warning.detail and "pip install -e ." in warning.detail


@pytest.mark.parametrize("executable", ["", "/nonexistent/python3"])
def test_without_a_python_to_start_the_imports_run_in_this_process(monkeypatch, executable):
    monkeypatch.setattr(sys, "executable", executable)
    probes = _probe.run_probes(["import:tqdm", "import:no_such_module_here"], 10)
    assert probes["import:tqdm"]["ok"]
    assert probes["import:no_such_module_here"] == {
        "ok": False, "error": "ModuleNotFoundError: No module named 'no_such_module_here'",
        "origin": "", "missing": True}


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT and closes a pipe the POSIX way")
def test_the_command_line_survives_ctrl_c_and_a_closed_pipe(tmp_path):
    env = {**os.environ, "COURSE_DATA_DIR": str(tmp_path), "COURSE_OFFLINE": "1"}
    command = [sys.executable, "-m", "course_utils", "doctor"]
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    child.stdout.readline()  # the first line, then the reader goes away
    child.stdout.close()
    _, err = child.communicate(timeout=300)
    assert "Traceback" not in err and "Exception ignored" not in err, err
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=300)
    assert child.returncode == 130 and "Traceback" not in out + err, out + err
    assert "Interrupted" in err
