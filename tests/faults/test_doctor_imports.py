"""The doctor imports what it checks, so a broken install is a FAIL line.

Each fake package is put first on ``sys.path``; the doctor imports every package in a separate
Python process that gets the same ``sys.path``, so a fake that raises, exits, crashes, hangs or
hides the real package is exactly what it meets. The line must name the package, say what went
wrong and give the command that fixes it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from course_utils import _probe, doctor
from tests.faults.doctor_fakes import fake_package

RANGES = doctor._requirement_ranges()


def line_for(name: str, timeout_s: float = 30.0) -> doctor.Finding:
    """The doctor's line for one package, imported in a child process as the doctor does."""
    step = f"import:{doctor._module(name)}"
    probe = _probe.run_probes([step], timeout_s)[step]
    return doctor._package_finding(name, RANGES.get(name, ""), False, probe)


def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str, code: str, dist: str,
           version: str) -> None:
    monkeypatch.syspath_prepend(str(fake_package(tmp_path / "fakes", module, code, dist, version)))


def hide_from_pip(monkeypatch: pytest.MonkeyPatch, hidden: str) -> None:
    """Make pip's records (package metadata) say that ``hidden`` is not installed."""
    real_version = doctor.metadata.version

    def version(name: str) -> str:
        if name == hidden:
            raise doctor.metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(doctor.metadata, "version", version)


REINSTALL = r"fails: .*reinstall it with: .*pip install --force-reinstall '{}>="

# (case, module, code, pip name, version, what the error part of the line must say)
IMPORT_FAILURES = [
    ("missing dependency", "ipywidgets", "raise ImportError(\"cannot import name 'Comm' from 'comm'\")",
     "ipywidgets", "8.1.9", "ImportError: cannot import name 'Comm'"),
    ("dependency not installed", "ipywidgets",
     "raise ModuleNotFoundError(\"No module named 'comm'\", name='comm')", "ipywidgets", "8.1.9",
     "No module named 'comm'"),
    ("RuntimeError at import", "matplotlib", "raise RuntimeError('Matplotlib requires numpy>=9')",
     "matplotlib", "3.11.2", "RuntimeError: Matplotlib requires numpy>=9"),
    ("half-written file", "tqdm", "def (:\n", "tqdm", "4.70.1", "SyntaxError"),
    ("sys.exit at import", "names", "import sys\nsys.exit('names: broken')", "names", "0.3.0",
     "SystemExit: names: broken"),
    ("missing shared library", "sklearn",
     "raise OSError('libgomp.so.1: cannot open shared object file')", "scikit-learn", "1.9.1",
     "OSError: libgomp.so.1"),
    ("built for another torch", "torchvision",
     "raise RuntimeError('operator torchvision::nms does not exist')", "torchvision", "0.29.1",
     "torchvision::nms does not exist"),
    ("jupyterlab broken", "jupyterlab", "raise ImportError('cannot import name X from jupyter_server')",
     "jupyterlab", "4.6.6", "jupyter_server"),
    ("IPython broken", "IPython", "raise ImportError('IPython broken')", "ipython", "9.18.1",
     "IPython broken"),
    ("KeyError at import", "mlxtend", "raise KeyError('__version__')", "mlxtend", "0.25.0",
     "KeyError: '__version__'"),
    ("an error whose str() fails", "names",
     "class Odd(Exception):\n    def __str__(self):\n        raise ValueError('no')\nraise Odd()",
     "names", "0.3.0", r"fails: Odd;"),
    ("interpreter aborts", "skimage", "import os\nos.abort()", "scikit-image", "0.26.0",
     "Python crashed while doing it"),
    ("numpy C extensions", "numpy",
     "raise ImportError('Importing the numpy C-extensions failed.')", "numpy", "2.4.6",
     "numpy C-extensions failed"),
]


@pytest.mark.parametrize(("module", "code", "dist", "version", "says"),
                         [case[1:] for case in IMPORT_FAILURES], ids=[c[0] for c in IMPORT_FAILURES])
def test_a_package_that_does_not_import_is_a_fail_line_with_the_fix(
        tmp_path, monkeypatch, module, code, dist, version, says):
    broken(tmp_path, monkeypatch, module, code, dist, version)
    finding = line_for(dist)
    assert finding.status == "FAIL", finding
    assert finding.what == dist
    assert re.search(says, finding.detail), finding.detail
    assert re.search(REINSTALL.format(dist), finding.detail), finding.detail


@pytest.mark.parametrize(("code", "says"), [
    ("def (:\n", "SyntaxError"),
    ("raise ImportError('Importing the numpy C-extensions failed.')", "C-extensions failed"),
])
def test_a_package_broken_by_another_packages_file_names_that_file(tmp_path, monkeypatch, code, says):
    fakes = fake_package(tmp_path / "fakes", "tqdm", code, "tqdm", "4.70.1")
    fake_package(fakes, "mlxtend", "import tqdm\n", "mlxtend", "0.25.0")  # a package that uses it
    monkeypatch.syspath_prepend(str(fakes))
    culprit = str(fakes / "tqdm" / "__init__.py")
    user = line_for("mlxtend")
    assert user.status == "FAIL"
    assert f"`import mlxtend` fails in {culprit}, another package's file: " in user.detail, user.detail
    assert says in user.detail and "fix that package first (see its line)" in user.detail
    assert "reinstall" not in user.detail  # reinstalling mlxtend would not help
    own = line_for("tqdm")  # the broken package's own line: reinstall it
    assert own.status == "FAIL" and re.search(REINSTALL.format("tqdm"), own.detail), own.detail


@pytest.mark.skipif(os.name != "posix", reason="a segmentation fault is simulated with POSIX ctypes")
def test_an_import_that_crashes_python_is_blamed_and_the_rest_still_checked(tmp_path, monkeypatch):
    broken(tmp_path, monkeypatch, "names", "import ctypes\nctypes.string_at(0)", "names", "0.3.0")
    steps = ["import:tqdm", "import:names", "import:mlxtend"]
    probes = _probe.run_probes(steps, 30)
    assert probes["import:tqdm"]["ok"] and probes["import:mlxtend"]["ok"]
    assert "Python crashed while doing it (killed by SIGSEGV)" in probes["import:names"]["error"]
    finding = doctor._package_finding("names", ">=0.3", False, probes["import:names"])
    assert finding.status == "FAIL" and "pip install --force-reinstall 'names>=0.3'" in finding.detail


def test_an_import_that_hangs_is_a_fail_line_within_the_time_limit(tmp_path, monkeypatch):
    broken(tmp_path, monkeypatch, "ipywidgets", "import time\nwhile True:\n    time.sleep(0.1)",
           "ipywidgets", "8.1.9")
    finding = line_for("ipywidgets", timeout_s=1.5)
    assert finding.status == "FAIL"
    assert "did not finish within 1.5 s" in finding.detail and "--timeout 300" in finding.detail


def test_a_hung_import_does_not_stop_the_next_ones(tmp_path, monkeypatch):
    broken(tmp_path, monkeypatch, "names", "import time\ntime.sleep(60)", "names", "0.3.0")
    probes = _probe.run_probes(["import:names", "import:tqdm"], 1.5)
    assert not probes["import:names"]["ok"] and probes["import:tqdm"]["ok"]


@pytest.mark.parametrize("module", ["mlxtend", "tqdm"])
@pytest.mark.parametrize("as_folder", [False, True], ids=["file", "folder"])
def test_a_learners_file_named_like_a_package_is_a_fail_line(tmp_path, monkeypatch, module, as_folder):
    # `python -m course_utils doctor` puts the current folder first on sys.path, like a notebook
    here = tmp_path / "my project"
    fake_package(here, module, "print('my experiment')\n", single_file=not as_folder)
    monkeypatch.syspath_prepend(str(here))
    finding = line_for(module)
    shadow = here / (module if as_folder else f"{module}.py")
    assert finding.status == "FAIL"
    assert f"loads {shadow} instead of the installed {module}" in finding.detail
    assert f"rename or move {shadow}" in finding.detail


def test_a_package_that_is_not_installed_says_how_to_install_it(tmp_path, monkeypatch):
    fake_package(tmp_path / "fakes", "names", "raise ModuleNotFoundError(\"No module named 'names'\", name='names')")
    monkeypatch.syspath_prepend(str(tmp_path / "fakes"))
    hide_from_pip(monkeypatch, "names")
    finding = line_for("names")
    assert finding.status == "FAIL"
    assert finding.detail == f"not installed; install it with: {doctor._pip()} install 'names>=0.3'"


def test_too_old_a_version_fails_with_the_upgrade_command(tmp_path, monkeypatch):
    broken(tmp_path, monkeypatch, "tqdm", "__version__ = '4.0.0'\n", "tqdm", "4.0.0")
    finding = line_for("tqdm")
    assert finding.status == "FAIL"
    assert "4.0.0 installed, the course needs >=4.64; upgrade with:" in finding.detail
    assert "pip install --upgrade 'tqdm>=4.64'" in finding.detail


def test_a_package_that_prints_while_importing_is_ok_and_does_not_garble_the_report(tmp_path, monkeypatch):
    broken(tmp_path, monkeypatch, "names",
           "import os, sys\nprint('HELLO ' * 50)\nsys.stdout.write('no newline')\n"
           "os.write(1, b'straight to the file descriptor')\n__version__ = '0.3.0'\n", "names", "0.3.0")
    finding = line_for("names")
    assert finding == doctor.Finding("OK", "names", "0.3.0 (needs >=0.3)")


def test_two_installs_that_disagree_about_the_version_are_a_warning(tmp_path, monkeypatch):
    broken(tmp_path, monkeypatch, "tqdm", "__version__ = '4.10.0'\n", "tqdm", "4.70.1")
    finding = line_for("tqdm")
    assert finding.status == "WARN"
    assert "pip says 4.70.1, but the tqdm that imports is 4.10.0" in finding.detail
    assert "pip install --force-reinstall 'tqdm>=4.64'" in finding.detail


def test_a_local_version_suffix_is_not_a_disagreement(tmp_path, monkeypatch):
    broken(tmp_path, monkeypatch, "tqdm", "__version__ = '4.70.1+cpu'\n", "tqdm", "4.70.1")
    assert line_for("tqdm").status == "OK"


def test_an_invalid_version_is_a_warning_not_a_crash(tmp_path, monkeypatch):
    broken(tmp_path, monkeypatch, "tqdm", "__version__ = 'unknown'\n", "tqdm", "unknown")
    finding = line_for("tqdm")
    assert finding.status == "WARN" and "'unknown' cannot be compared with >=4.64" in finding.detail


def test_a_package_without_pip_metadata_that_imports_uses_its_own_version(tmp_path, monkeypatch):
    hide_from_pip(monkeypatch, "names")
    fake_package(tmp_path / "copied", "names", "__version__ = '0.3.0'\n")  # no dist-info
    monkeypatch.syspath_prepend(str(tmp_path / "copied"))
    finding = line_for("names")
    assert finding.status == "OK" and "version from the module: pip has no record of it" in finding.detail
    fake_package(tmp_path / "unversioned", "names", "x = 1\n")  # and without a version: a warning
    monkeypatch.syspath_prepend(str(tmp_path / "unversioned"))
    finding = line_for("names")
    assert finding.status == "WARN" and "if that is a file of yours, rename it" in finding.detail


def test_an_editable_or_linked_install_is_not_mistaken_for_a_shadow(tmp_path, monkeypatch):
    source = fake_package(tmp_path / "src", "names", "__version__ = '0.3.0'\n")
    site = tmp_path / "site"
    fake_package(site, "unused", "", "names", "0.3.0",
                 direct_url=json.dumps({"url": source.as_uri(), "dir_info": {"editable": True}}))
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(source))
    assert line_for("names").status == "OK"
    linked = tmp_path / "linked"  # Nix and some distributions link each package into site-packages
    real = Path(next(iter(importlib.util.find_spec("mlxtend").submodule_search_locations)))
    fake_package(linked, "unused", "", "mlxtend", doctor.metadata.version("mlxtend"))
    try:
        (linked / "mlxtend").symlink_to(real, target_is_directory=True)
    except OSError:
        pytest.skip("this system does not allow symbolic links")
    monkeypatch.syspath_prepend(str(linked))
    assert line_for("mlxtend").status == "OK"


@pytest.mark.slow
def test_python_m_course_utils_doctor_fails_on_a_broken_ipywidgets(tmp_path):
    fakes = fake_package(tmp_path / "fakes", "ipywidgets", "raise ImportError('comm is too old')",
                         "ipywidgets", "8.1.9")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(fakes), *sys.path]),
           "COURSE_DATA_DIR": str(tmp_path / "data"), "COURSE_OFFLINE": "1"}
    result = subprocess.run([sys.executable, "-m", "course_utils", "doctor"], capture_output=True,
                            text=True, env=env, cwd=tmp_path, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("FAIL  ipywidgets:"))
    assert "ImportError: comm is too old" in line and "--force-reinstall 'ipywidgets>=7.6'" in line
    assert "All set" not in result.stdout


def test_imports_that_all_hang_stop_after_three_time_limits(tmp_path, monkeypatch):
    for name in ("names", "mlxtend", "tqdm", "ipywidgets"):
        broken(tmp_path, monkeypatch, name, "import time\ntime.sleep(60)", name, "1.0")
    steps = ["import:names", "import:mlxtend", "import:tqdm", "import:ipywidgets"]
    start = time.monotonic()
    probes = _probe.run_probes(steps, 0.5)
    assert time.monotonic() - start < 10
    assert all(not probes[step]["ok"] for step in steps)
    assert probes["import:ipywidgets"]["error"] == "not tried: the steps before it took more than 1.5 s in all"
