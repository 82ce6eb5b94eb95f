"""Benchmark report for the notebooks that nbval executes.

For every notebook, add up the time pytest spent on its cells (kernel start and
stop included) and read the kernel's peak memory (resident set size, from
``/proc/<pid>/status`` on Linux). At the end of the run, print a table against
the per-notebook budget and write it to ``build/benchmarks.json`` and
``build/benchmarks.md``. The budget is a design target made visible here, not a
timed test: nothing fails for being slow (nbval's cell timeout guards against hangs).

Works with pytest-xdist: workers attach the memory reading to their reports.
"""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

import pytest

BUDGET_S = 120
REPORT_DIR = Path(__file__).parent / "build"
_PEAK_KEY = "kernel_peak_memory_mb"


def _kernel_peak_mb(item: pytest.Item) -> float | None:
    """Peak resident memory of the notebook's kernel so far, in MiB (Linux only)."""
    kernel = getattr(item.parent, "kernel", None)
    try:
        pid = kernel.km.provisioner.process.pid  # jupyter_client >= 7
    except AttributeError:
        return None
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]):
    outcome = yield
    report = outcome.get_result()
    if call.when == "call" and str(item.fspath).endswith(".ipynb"):
        peak = _kernel_peak_mb(item)
        if peak is not None:
            report.user_properties.append((_PEAK_KEY, peak))


class _Benchmarks:
    def __init__(self) -> None:
        self.notebooks: dict[str, dict[str, Any]] = {}

    def add(self, report: pytest.TestReport) -> None:
        path = report.nodeid.split("::", 1)[0]
        if not path.endswith(".ipynb"):
            return
        entry = self.notebooks.setdefault(
            Path(path).name, {"seconds": 0.0, "peak_memory_mb": None, "status": "passed", "cells": 0}
        )
        entry["seconds"] += report.duration
        if report.when == "call":
            entry["cells"] += 1
        if report.failed:
            entry["status"] = "failed"
        for key, value in report.user_properties:
            if key == _PEAK_KEY:
                entry["peak_memory_mb"] = max(entry["peak_memory_mb"] or 0.0, value)


_BENCHMARKS = _Benchmarks()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _BENCHMARKS.add(report)


# nbval waits only 5 s for a cell's output messages after the kernel's reply; on a busy
# machine a cell that prints at its end can take longer, and the run fails with "Timeout
# of 5 seconds exceeded waiting for output" although nothing is wrong. Give it a minute.
NBVAL_OUTPUT_TIMEOUT_S = 60


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if hasattr(item, "output_timeout"):
            item.output_timeout = NBVAL_OUTPUT_TIMEOUT_S


def _table(notebooks: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| Notebook | Cells | Time (s) | Budget (s) | Peak memory (MiB) | Status |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, entry in sorted(notebooks.items()):
        peak = entry["peak_memory_mb"]
        over = " (over budget)" if entry["seconds"] > BUDGET_S else ""
        lines.append(
            f"| {name} | {entry['cells']} | {entry['seconds']:.1f} | {BUDGET_S} | "
            f"{'n/a' if peak is None else f'{peak:.0f}'} | {entry['status']}{over} |"
        )
    total = sum(entry["seconds"] for entry in notebooks.values())
    lines.append(f"| **all {len(notebooks)} notebooks** | | {total:.1f} | | | |")
    return lines


def _accelerator() -> str:
    """The device the notebooks' ``get_device()`` picks here, in words (the GPU's name on CUDA)."""
    try:
        import torch

        if torch.cuda.is_available():
            return f"CUDA: {torch.cuda.get_device_name(0)}"
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return "Apple MPS"
    except Exception as error:  # a broken install shows in the notebooks' own failures
        return f"unknown ({type(error).__name__})"
    return "none (CPU only)"


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if hasattr(config, "workerinput") or not _BENCHMARKS.notebooks:
        return
    machine = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "xdist_workers": getattr(config.option, "numprocesses", None) or 0,
        "accelerator": _accelerator(),
    }
    lines = _table(_BENCHMARKS.notebooks)
    terminalreporter.section("notebook benchmarks")
    terminalreporter.write_line(
        f"Budget: {BUDGET_S} s per notebook on a 2-core CPU (a design target, not a test). "
        f"This machine: {machine['cpus']} CPUs, accelerator {machine['accelerator']}."
    )
    for line in lines:
        terminalreporter.write_line(line)
    REPORT_DIR.mkdir(exist_ok=True)
    payload = {"machine": machine, "budget_s": BUDGET_S, "notebooks": _BENCHMARKS.notebooks}
    (REPORT_DIR / "benchmarks.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    heading = (f"Notebook run times: {machine['platform']}, Python {machine['python']}, {machine['cpus']} CPUs, "
               f"accelerator {machine['accelerator']}.")
    (REPORT_DIR / "benchmarks.md").write_text("\n".join([heading, "", *lines]) + "\n", encoding="utf-8")
    terminalreporter.write_line(f"Written to {REPORT_DIR / 'benchmarks.json'} and benchmarks.md")
