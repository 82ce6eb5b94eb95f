"""``python -m course_utils doctor``: does this machine have what the course needs?

Prints one line per requirement, ``OK``, ``WARN`` (optional, e.g. a dataset that
needs a connection once) or ``FAIL`` (the course will not run), and exits with
status 1 when anything fails. A teacher can run it on every machine of a lab.

The version requirements are read from this package's own metadata (the ranges in
``pyproject.toml``), so there is one list of requirements, not two.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata

__all__ = ["Finding", "diagnose", "main"]

SUPPORTED_PYTHON = ((3, 10), (3, 13))
# Needed by every notebook; `jupyterlab` only where the learner runs JupyterLab themselves.
REQUIRED = ("torch", "torchvision", "numpy", "matplotlib", "ipywidgets", "tqdm",
            "scikit-learn", "scikit-image", "mlxtend", "names")
LAB = ("jupyterlab",)
# Datasets every notebook can rely on offline, and those that need a connection once.
OFFLINE_DATASETS = ("mnist", "digits", "photos", "names")


@dataclass(frozen=True)
class Finding:
    """One line of the report."""

    status: str  # "OK", "WARN" or "FAIL"
    what: str
    detail: str

    def __str__(self) -> str:
        return f"{self.status:<5} {self.what}: {self.detail}"


def _requirement_ranges() -> dict[str, str]:
    """The version range of every runtime requirement, from the installed metadata."""
    ranges: dict[str, str] = {}
    try:
        requires = metadata.requires("course_utils") or []
    except metadata.PackageNotFoundError:
        return ranges
    for line in requires:
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


def _version_ok(installed: str, wanted: str) -> bool:
    if not wanted:
        return True
    try:
        from packaging.specifiers import SpecifierSet
    except ImportError:  # packaging comes with matplotlib; without it, presence is enough
        return True
    return SpecifierSet(wanted).contains(installed, prereleases=True)


def _check_package(name: str, wanted: str, optional: bool) -> Finding:
    try:
        installed = metadata.version(name)
    except metadata.PackageNotFoundError:
        fix = f"install it with: pip install '{name}{wanted}'"
        return Finding("WARN" if optional else "FAIL", name, f"not installed; {fix}")
    if not _version_ok(installed, wanted):
        return Finding("FAIL", name, f"{installed} installed, the course needs {wanted}; "
                       f"upgrade with: pip install --upgrade '{name}{wanted}'")
    return Finding("OK", name, installed + (f" (needs {wanted})" if wanted else ""))


def _check_python() -> Finding:
    version = sys.version_info[:2]
    text = ".".join(map(str, sys.version_info[:3]))
    low, high = SUPPORTED_PYTHON
    supported = f"{low[0]}.{low[1]} to {high[0]}.{high[1]}"
    if version < low:
        return Finding("FAIL", "Python", f"{text} is too old; the course supports {supported}")
    if version > high:
        return Finding("WARN", "Python", f"{text} is newer than tested ({supported}); it may work")
    return Finding("OK", "Python", f"{text} (supported: {supported})")


def _check_torch() -> list[Finding]:
    try:
        import torch

        from course_utils.device import get_device
    except Exception as exc:  # a broken install shows here first
        return [Finding("FAIL", "PyTorch works", f"cannot import torch ({exc}); reinstall it")]
    findings = []
    device = get_device()
    try:
        x = torch.randn(64, 64, device=device, requires_grad=True)
        (x @ x).sum().backward()
        assert x.grad is not None and torch.isfinite(x.grad).all()
        findings.append(Finding("OK", "PyTorch works", f"a matrix product and its backward pass ran on {device.type}"))
    except Exception as exc:
        findings.append(Finding("FAIL", "PyTorch works", f"a small computation on {device.type} failed: {exc}"))
    if device.type == "cpu":
        detail = f"cpu, {torch.get_num_threads()} threads (no GPU found: every notebook still runs, only slower)"
    else:
        detail = device.type
    findings.append(Finding("OK", "device", detail))
    return findings


def _check_data() -> list[Finding]:
    try:
        from course_utils.data import dataset_sources

        sources = dataset_sources()
    except Exception as exc:
        return [Finding("FAIL", "datasets", f"could not inspect the data sources: {exc}")]
    findings = []
    for name, source in sources.items():
        lowered = source.lower()
        missing = any(word in lowered for word in ("unavailable", "not available", "missing", "corrupt"))
        if not missing and "download" not in lowered:
            findings.append(Finding("OK", f"data {name}", source))
        elif name in OFFLINE_DATASETS:
            findings.append(Finding("FAIL", f"data {name}", source))
        else:
            findings.append(Finding("WARN", f"data {name}", source))
    return findings


def diagnose(include_lab: bool = True) -> list[Finding]:
    """Run every check and return the findings (nothing is printed)."""
    ranges = _requirement_ranges()
    findings = [_check_python()]
    for name in REQUIRED:
        findings.append(_check_package(name, ranges.get(name, ""), optional=False))
    if include_lab:
        for name in LAB:
            findings.append(_check_package(name, ranges.get(name, ""), optional="google.colab" in sys.modules))
    findings += _check_torch()
    findings += _check_data()
    return findings


def main(argv: Sequence[str] | None = None, print_: Callable[[str], None] = print) -> int:
    """Print the report; return 0 when nothing failed, 1 otherwise."""
    args = list(sys.argv[1:] if argv is None else argv)
    include_lab = "--no-lab" not in args
    print_("Checking this machine for the neural networks course...")
    findings = diagnose(include_lab=include_lab)
    for finding in findings:
        print_(str(finding))
    failed = [f for f in findings if f.status == "FAIL"]
    warned = [f for f in findings if f.status == "WARN"]
    if failed:
        print_(f"\n{len(failed)} problem(s) to fix before the course will run (see FAIL lines above).")
        return 1
    extra = f" ({len(warned)} warning(s): optional, see WARN lines)" if warned else ""
    print_(f"\nAll set: everything the course needs is here{extra}.")
    return 0
