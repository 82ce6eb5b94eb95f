"""``python -m course_utils doctor``: does this machine have what the course needs?

Prints one line per requirement, ``OK``, ``WARN`` (works, with a caveat, e.g. a dataset that
needs a connection once) or ``FAIL`` (the course will not run until it is fixed; the line says
how), in the form ``FAIL  ipywidgets: ...``. Exit status: 0 when nothing failed (warnings
allowed), 1 when a line says FAIL, 2 for a usage error, 130 when interrupted. A teacher can run
it on every machine of a lab (``make doctor HOSTS=...``).

The doctor is what people run when things are broken, so it never shows a traceback:

- every package is *imported* (in a separate Python process, see :mod:`course_utils._probe`,
  so an import that crashes or hangs is a FAIL line, not a dead doctor), not only looked up
  in pip's records;
- PyTorch runs a small computation in that process, on the device the notebooks would use,
  and chooses its CPU thread count there (:mod:`course_utils.threads`; the ``threads`` line is
  a WARN when other programs keep CPUs busy or a variable asks for more threads than CPUs);
- the data is reported from :mod:`course_utils.data_status`, which needs no PyTorch;
- each check runs guarded: a check that crashes becomes a FAIL line asking for a bug report.

To add a check, write ``def check_something(ctx: Context) -> list[Finding]`` and add it to
:data:`CHECKS`. The version ranges are read from this package's own metadata (the ranges in
``pyproject.toml``), so there is one list of requirements, not two.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from course_utils import data_status
from course_utils._probe import describe, run_probes

__all__ = ["CHECKS", "Context", "Finding", "diagnose", "main"]

SUPPORTED_PYTHON = ((3, 10), (3, 13))
# Used when this package's own metadata cannot be read (a checkout run without pip install).
REQUIRED = ("torch", "torchvision", "numpy", "matplotlib", "ipython", "ipywidgets", "tqdm",
            "scikit-learn", "scikit-image", "mlxtend", "names", "statsmodels", "tokenizers", "nltk")
LAB = ("jupyterlab", "nbclient", "ipykernel")  # where the learner runs JupyterLab (and the gradebook) themselves
IMPORT_NAMES = {"scikit-learn": "sklearn", "scikit-image": "skimage", "ipython": "IPython",
                "matplotlib": "matplotlib.pyplot"}
STEP_TIMEOUT_S = 60.0  # one import, or the PyTorch computation (a first import can be slow)
USAGE = """usage: python -m course_utils doctor [--no-lab] [--timeout SECONDS]

  --no-lab           do not require JupyterLab (for Colab or a JupyterHub that brings its own)
  --timeout SECONDS  how long one import may take before it counts as hung (default 60)

Prints OK, WARN or FAIL per requirement. Exit status: 0 nothing failed, 1 something failed,
2 usage error, 130 interrupted."""


@dataclass(frozen=True)
class Finding:
    """One line of the report."""

    status: str  # "OK", "WARN" or "FAIL"
    what: str
    detail: str

    def __str__(self) -> str:
        return f"{self.status:<5} {self.what}: {self.detail}"


@dataclass
class Context:
    """What every check receives: the options, and the results of the import probe."""

    include_lab: bool = True
    timeout_s: float = STEP_TIMEOUT_S
    probes: dict[str, dict] = field(default_factory=dict)

    def probe(self, step: str) -> dict:
        """The result of ``"import:<module>"`` or ``"torch"``, run with all steps on first use."""
        if not self.probes:
            steps = [f"import:{_module(name)}" for name, _, _ in _requirements(self.include_lab)[0]]
            self.probes = run_probes([*steps, "torch"], self.timeout_s)
        return self.probes.get(step) or {"ok": False, "error": "not checked"}


Check = Callable[[Context], list[Finding]]


def _module(name: str) -> str:
    return IMPORT_NAMES.get(name, name.replace("-", "_"))


def _pip() -> str:
    """``pip`` of the Python that runs the doctor, quoted when its path has spaces."""
    python = sys.executable or "python"
    return f'"{python}" -m pip' if " " in python else f"{python} -m pip"


# --------------------------------------------------------------------------- the checks


def _requirement_ranges() -> dict[str, str]:
    """The version range of every runtime requirement (and of the ``lab`` extra), from the
    installed metadata; empty when this package is not installed."""
    ranges: dict[str, str] = {}
    for line in metadata.requires("course_utils") or []:
        spec, _, marker = line.partition(";")
        if "extra ==" in marker and '"lab"' not in marker:
            continue
        name = spec.split("[")[0]
        for sep in (">=", "==", "<=", "~=", ">", "<"):
            if sep in name:
                name, version = name.split(sep, 1)
                ranges[name.strip().lower()] = sep + version.strip()
                break
        else:
            ranges[name.strip().lower()] = ""
    return ranges


def _requirements(include_lab: bool) -> tuple[list[tuple[str, str, bool]], Finding | None]:
    """[(pip name, version range, optional)] and, when the ranges are unknown, a warning."""
    warning = None
    try:
        ranges = _requirement_ranges()
    except (metadata.PackageNotFoundError, OSError, ValueError):
        ranges = {}
    if not ranges:
        ranges = dict.fromkeys((*REQUIRED, *LAB), "")
        warning = Finding("WARN", "course_utils", "pip has no record of this package, so the "
                          "version ranges are not checked; install the course with: "
                          f"{_pip()} install -e .  (in its folder)")
    colab = "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ
    needs = [(name, wanted, False) for name, wanted in ranges.items() if name not in LAB]
    if include_lab:
        needs += [(name, ranges.get(name, ""), colab) for name in LAB]
    return needs, warning


def _version_ok(installed: str, wanted: str) -> bool | None:
    """Whether ``installed`` is in ``wanted``; None when that cannot be told."""
    if not wanted:
        return True
    try:
        from packaging.specifiers import SpecifierSet
        from packaging.version import Version

        return Version(installed) in SpecifierSet(wanted, prereleases=True)
    except ImportError:  # packaging comes with matplotlib; without it, presence is enough
        return True
    except ValueError:  # an invalid version or range
        return None


def _same_version(a: str, b: str) -> bool:
    try:
        from packaging.version import Version

        return Version(a).public == Version(b).public
    except (ImportError, ValueError):
        return a.split("+")[0] == b.split("+")[0]


def _hidden_by(name: str, origin: str) -> str:
    """The file or folder that ``import`` finds instead of the installed ``name``, or ""."""
    if not origin:
        return ""
    try:
        dist = metadata.distribution(name)
        if '"editable": true' in (dist.read_text("direct_url.json") or ""):
            return ""
        root = str(dist.locate_file(""))
        pairs = [(Path(os.path.abspath(origin)), Path(os.path.abspath(root))),  # linked installs
                 (Path(origin).resolve(), Path(root).resolve())]
    except (metadata.PackageNotFoundError, OSError, ValueError, RuntimeError):
        return ""
    inside = any(found == top or top in found.parents for found, top in pairs)
    return "" if inside else origin


def _outside(culprit: str, origin: str) -> str:
    """``culprit`` when it is a file outside the package found at ``origin``, else ""."""
    if not culprit or not origin:
        return ""
    try:
        top, found = Path(origin).resolve(), Path(culprit).resolve()
        inside = top in found.parents if top.is_dir() else found == top  # a package, or one file
    except (OSError, RuntimeError, ValueError):
        return ""
    return "" if inside else culprit


def _package_finding(name: str, wanted: str, optional: bool, probe: dict) -> Finding:
    level = "WARN" if optional else "FAIL"
    module, spec = _module(name), f"'{name}{wanted}'"
    try:
        installed: str | None = metadata.version(name)
    except Exception:  # not installed, or broken metadata
        installed = None
    shadow = _hidden_by(name, probe.get("origin", "")) if installed else ""
    if shadow:
        return Finding(level, name, f"`import {module}` loads {shadow} instead of the installed "
                       f"{name} {installed}: rename or move {shadow} (a file or folder named like "
                       "a package, e.g. in the folder you start from, hides the real one)")
    if not probe.get("ok"):
        if installed is None and probe.get("missing"):
            return Finding(level, name, f"not installed; install it with: {_pip()} install {spec}")
        other = _outside(probe.get("culprit", ""), probe.get("origin", ""))
        if other:  # e.g. torch fails because the tqdm it imports is broken
            return Finding(level, name, f"{installed or 'found'}, but `import {module}` fails in "
                           f"{other}, another package's file: {probe.get('error')}; fix that "
                           f"package first (see its line), then run the doctor again")
        return Finding(level, name, f"{installed or 'found'}, but `import {module}` fails: "
                       f"{probe.get('error')}; reinstall it with: "
                       f"{_pip()} install --force-reinstall {spec}")
    version = installed or probe.get("version") or ""
    if not version:
        return Finding("WARN", name, f"`import {module}` works ({probe.get('origin')}), but pip "
                       "has no record of it and it has no version: if that is a file of yours, "
                       f"rename it; else reinstall with: {_pip()} install --force-reinstall {spec}")
    verdict = _version_ok(version, wanted)
    if verdict is False:
        return Finding("FAIL", name, f"{version} installed, the course needs {wanted}; "
                       f"upgrade with: {_pip()} install --upgrade {spec}")
    if verdict is None:
        return Finding("WARN", name, f"version {version!r} cannot be compared with {wanted}; "
                       f"if the course misbehaves, reinstall: {_pip()} install --force-reinstall {spec}")
    loaded = probe.get("version") or ""
    if installed and loaded and not _same_version(installed, loaded):
        return Finding("WARN", name, f"pip says {installed}, but the {module} that imports is "
                       f"{loaded} (two installs mixed, e.g. by pip and conda); reinstall with: "
                       f"{_pip()} install --force-reinstall {spec}")
    note = "" if installed else " (version from the module: pip has no record of it)"
    return Finding("OK", name, version + (f" (needs {wanted})" if wanted else "") + note)


def check_python(ctx: Context) -> list[Finding]:
    """Is this Python version supported?"""
    version = sys.version_info[:2]
    text = ".".join(map(str, sys.version_info[:3]))
    low, high = SUPPORTED_PYTHON
    supported = f"{low[0]}.{low[1]} to {high[0]}.{high[1]}"
    if version < low:
        return [Finding("FAIL", "Python", f"{text} is too old; the course supports {supported}")]
    if version > high:
        return [Finding("WARN", "Python", f"{text} is newer than tested ({supported}); it may work")]
    return [Finding("OK", "Python", f"{text} (supported: {supported})")]


def check_packages(ctx: Context) -> list[Finding]:
    """Is every package installed in a suitable version, and does it import?"""
    needs, warning = _requirements(ctx.include_lab)
    findings = [warning] if warning else []
    for name, wanted, optional in needs:
        findings.append(_package_finding(name, wanted, optional, ctx.probe(f"import:{_module(name)}")))
    return findings


def check_torch(ctx: Context) -> list[Finding]:
    """Does PyTorch compute, on the device the notebooks would use?"""
    imported = ctx.probe("import:torch")
    hidden = _hidden_by("torch", imported.get("origin", "")) if imported.get("ok") else ""
    if not imported.get("ok") or hidden:
        why = f"`import torch` loads {hidden}" if hidden else "torch does not import"
        return [Finding("FAIL", "PyTorch works", f"not tested: {why} (see the torch line)")]
    result = ctx.probe("torch")
    fix = f"reinstall PyTorch: {_pip()} install --force-reinstall torch"
    if not result.get("ok"):
        return [Finding("FAIL", "PyTorch works", f"the test could not run: {result.get('error')}; {fix}")]
    device = result["device"]
    findings = []
    if result.get("compute_error"):
        hint = (" Update the NVIDIA driver (or install a PyTorch build for it), or set "
                "COURSE_DEVICE=cpu to use the CPU meanwhile" if device != "cpu" else f" {fix}")
        findings.append(Finding("FAIL", "PyTorch works", f"a small computation on {device} failed "
                                f"({result['compute_error']}).{hint}"))
    else:
        findings.append(Finding("OK", "PyTorch works",
                                f"a matrix product and its backward pass ran on {device}"))
    if result.get("device_error"):
        wanted = os.environ.get("COURSE_DEVICE", "")
        findings.append(Finding("FAIL", "device", f"COURSE_DEVICE={wanted!r}: {result['device_error']}"))
    elif device == "cpu":
        findings.append(Finding("OK", "device", "cpu (no GPU found: every notebook still runs, "
                                "only slower)"))
    else:
        findings.append(Finding("OK", "device", f"{device} ({result.get('name') or 'GPU'})"))
    return findings


def check_threads(ctx: Context) -> list[Finding]:
    """How many CPU threads PyTorch uses here (:mod:`course_utils.threads` chooses them in the
    PyTorch test's process, so this imports no PyTorch), and whether others keep CPUs busy."""
    result = ctx.probe("torch")
    if not result.get("ok") or "device" not in result:
        return [Finding("WARN", "threads", "not chosen: PyTorch does not work here (see the "
                        "PyTorch works line)")]
    if result.get("threads_error"):
        return [Finding("WARN", "threads", f"could not be chosen ({result['threads_error']}), so "
                        "PyTorch starts one thread per core, which is slow when other programs "
                        "are busy; set OMP_NUM_THREADS=1 if notebooks run slowly")]
    threads, usable = int(result["threads"]), int(result["usable_cpus"])
    busy, reason = float(result["busy_elsewhere"]), str(result["threads_reason"])
    cpus = int(result.get("cpu_count") or usable)
    text = f"{threads} of {usable} usable CPUs ({reason})"
    if cpus > usable:
        text += f"; the machine has {cpus}, but this process may use only {usable} (a CPU quota or affinity)"
    if threads > usable:
        return [Finding("WARN", "threads", f"{text}: more threads than usable CPUs makes PyTorch "
                        f"much slower; unset that variable, or set it to {usable} or less")]
    if threads < usable and busy > 0:
        return [Finding("WARN", "threads", f"{text}: other programs keep CPUs busy, so the "
                        "notebooks get fewer threads and run slower; close other notebooks' "
                        "kernels and busy programs for full speed")]
    return [Finding("OK", "threads", text)]


def check_data(ctx: Context) -> list[Finding]:
    """Can the data folder be used, and where will every dataset come from?"""
    folder = data_status.data_folder_status()
    datasets = data_status.dataset_status(folder)
    all_cached = all(s.source == "cache" and not s.problem for s in datasets.values()
                     if s.name in ("mnist", "fashion_mnist", "cifar10"))
    if folder.problem and not (folder.readable and all_cached):
        findings = [Finding("FAIL", "data folder", f"{folder.problem}; {folder.fix}")]
    elif folder.note:
        findings = [Finding("WARN", "data folder", folder.note)]
    else:
        state = ("read-only, and every dataset is cached" if folder.problem else
                 "writable" if folder.exists else "created at the first download")
        findings = [Finding("OK", "data folder", f"{folder.path} ({state}; chosen by {folder.chosen_by})")]
    for status in datasets.values():
        what = f"data {status.name}"
        if status.damaged or (not status.usable and status.offline_required):
            findings.append(Finding("FAIL", what, f"{status.problem}; {status.fix}"))
        else:
            text = "; ".join(part for part in (status.detail, status.problem, status.fix) if part)
            findings.append(Finding("OK" if status.usable and not status.problem else "WARN", what, text))
    return findings


# Run in this order; another check is one more function here (see the module docstring).
CHECKS: list[Check] = [check_python, check_packages, check_torch, check_threads, check_data]


def _run_check(check: Check, ctx: Context) -> list[Finding]:
    try:
        return list(check(ctx))
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # a bug in a check must not hide the other lines
        what = getattr(check, "__name__", "check").removeprefix("check_").replace("_", " ")
        return [Finding("FAIL", f"check {what}", f"the check itself crashed ({describe(error)}); "
                        "please report this line as a bug of course_utils")]


def diagnose(include_lab: bool = True, *, timeout_s: float = STEP_TIMEOUT_S) -> list[Finding]:
    """Run every check in :data:`CHECKS` and return the findings (nothing is printed)."""
    ctx = Context(include_lab=include_lab, timeout_s=timeout_s)
    return [finding for check in CHECKS for finding in _run_check(check, ctx)]


def _parse(args: Sequence[str]) -> Context | None:
    """The options as a Context; None for --help; ValueError for anything else."""
    ctx, rest = Context(), list(args)
    while rest:
        arg = rest.pop(0)
        if arg in ("-h", "--help"):
            return None
        if arg == "--no-lab":
            ctx.include_lab = False
        elif arg == "--timeout" or arg.startswith("--timeout="):
            value = arg.partition("=")[2] or (rest.pop(0) if rest else "")
            try:
                ctx.timeout_s = float(value)
            except ValueError:
                ctx.timeout_s = float("nan")
            if not 0 < ctx.timeout_s <= 86400:  # also rejects nan
                raise ValueError(f"--timeout needs a number of seconds above 0 (at most 86400), "
                                 f"not {value!r}")
        else:
            close = difflib.get_close_matches(arg, ["--no-lab", "--timeout", "--help"], n=1)
            raise ValueError(f"unknown option {arg!r}" + (f" (did you mean {close[0]}?)" if close else ""))
    return ctx


def main(argv: Sequence[str] | None = None, print_: Callable[[str], None] = print) -> int:
    """Print the report; return the exit status (0 nothing failed, 1 failed, 2 usage, 130 Ctrl-C)."""
    try:
        ctx = _parse(sys.argv[1:] if argv is None else argv)
    except ValueError as error:
        print(f"{error}\n\n{USAGE}", file=sys.stderr)
        return 2
    if ctx is None:
        print_(USAGE)
        return 0

    def say(text: str) -> None:
        try:
            print_(text)
        except UnicodeEncodeError as error:  # a terminal that cannot show a character of a path
            print_(text.encode(error.encoding, "backslashreplace").decode(error.encoding))

    try:
        say("Checking this machine for the neural networks course...")
        findings = []
        for check in CHECKS:
            for finding in _run_check(check, ctx):
                say(str(finding))
                findings.append(finding)
        failed = [f for f in findings if f.status == "FAIL"]
        warned = [f for f in findings if f.status == "WARN"]
        if failed:
            say(f"\n{len(failed)} problem(s) to fix before the course will run (see FAIL lines above).")
            return 1
        extra = f" ({len(warned)} warning(s): optional, see WARN lines)" if warned else ""
        say(f"\nAll set: everything the course needs is here{extra}.")
        return 0
    except KeyboardInterrupt:
        print("\nInterrupted: the check did not finish (run it again to see every line).", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `... doctor | head -3`: the reader has gone
        if print_ is print:  # keep Python from complaining again when it flushes at exit
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            except (OSError, ValueError, AttributeError):
                pass
        return 1
