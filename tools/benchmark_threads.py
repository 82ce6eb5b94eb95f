"""Time a notebook with the course's thread choice against PyTorch's default, idle and busy.

Usage::

    python tools/benchmark_threads.py            # notebook 06, every condition (about 10 min)
    python tools/benchmark_threads.py 03 --quick  # skip PyTorch's default on a busy machine

Each run executes the notebook in a fresh kernel (as nbval does) and times it. "Busy" means one
other process runs a single-core loop for the whole run, like a second notebook or a browser
would. Conditions:

- PyTorch's default (``COURSE_THREADS=off``: one thread per core), idle and busy;
- one thread (``OMP_NUM_THREADS=1``), idle and busy;
- the course's choice (:mod:`course_utils.threads`), idle and busy.

The table goes to the terminal and to ``docs/benchmarks/threads.md`` (with ``--write``), with
the machine it ran on. Run it on an otherwise quiet machine: the point is to control the load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError
from notebook_tools import notebook_files, select_notebooks

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "docs" / "benchmarks" / "threads.md"
CELL_TIMEOUT_S = 600  # per cell; the whole of notebook 06, busy with PyTorch's default, takes about 450 s
CONDITIONS = [
    ("idle", "PyTorch's default (one thread per core)", {"COURSE_THREADS": "off"}),
    ("idle", "one thread (OMP_NUM_THREADS=1)", {"OMP_NUM_THREADS": "1"}),
    ("idle", "the course's choice", {}),
    ("busy", "PyTorch's default (one thread per core)", {"COURSE_THREADS": "off"}),
    ("busy", "one thread (OMP_NUM_THREADS=1)", {"OMP_NUM_THREADS": "1"}),
    ("busy", "the course's choice", {}),
]


def run_notebook(path: Path, env: dict[str, str]) -> float:
    """Execute ``path`` in a fresh kernel with ``env`` added; return the wall time in seconds."""
    nb = nbformat.read(path, as_version=4)
    saved = {key: os.environ.get(key) for key in [*env, "OMP_NUM_THREADS", "COURSE_THREADS"]}
    for key in ("OMP_NUM_THREADS", "COURSE_THREADS"):
        os.environ.pop(key, None)
    os.environ.update(env)
    try:
        client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        client.execute()
        return time.perf_counter() - start
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def timed_run(path: Path, env: dict[str, str]) -> float:
    """:func:`run_notebook`, tried once more if a cell never returns.

    Now and then a Jupyter kernel finishes a cell and its reply never reaches the client (a
    known ipykernel 7 problem, unrelated to the thread count): the run would wait forever. A
    fresh kernel is started instead, and the line says so.
    """
    try:
        return run_notebook(path, env)
    except CellTimeoutError:
        print(f"a cell gave no answer for {CELL_TIMEOUT_S} s: running the notebook again", flush=True)
        return run_notebook(path, env)


def busy_process() -> subprocess.Popen[bytes]:
    """One other process that keeps one core busy until it is killed."""
    return subprocess.Popen([sys.executable, "-c", "while True:\n    pass"])


def _table(rows: list[dict[str, object]], idle_reference: float | None) -> list[str]:
    lines = ["| machine | PyTorch threads | time (s) | vs. idle default |", "|---|---|---:|---:|"]
    for row in rows:
        ratio = f"{row['seconds'] / idle_reference:.2f}x" if idle_reference else ""
        lines.append(f"| {row['load']} | {row['threads']} | {row['seconds']:.1f} | {ratio} |")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("number", nargs="?", default="06", help="the notebook to time (default 06)")
    parser.add_argument("--quick", action="store_true",
                        help="skip PyTorch's default on a busy machine (the slowest run by far)")
    parser.add_argument("--write", action="store_true", help=f"write the table to {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    (path,) = select_notebooks(notebook_files(ROOT), [args.number])
    rows: list[dict[str, object]] = []
    for load, threads, env in CONDITIONS:
        if args.quick and load == "busy" and "COURSE_THREADS" in env:
            continue
        other = busy_process() if load == "busy" else None
        try:
            time.sleep(1.0 if other else 0.0)  # let the other process get going
            seconds = timed_run(path, env)
        finally:
            if other is not None:
                other.kill()
                other.wait()
        rows.append({"load": load, "threads": threads, "seconds": seconds})
        print(f"{load:5} {threads:42} {seconds:7.1f} s", flush=True)
    idle = next((row["seconds"] for row in rows if row["load"] == "idle" and "default" in str(row["threads"])),
                None)
    lines = [f"Notebook {path.name}, fresh kernel, {os.cpu_count()} CPUs, {platform.platform()}, "
             f"Python {platform.python_version()}; 'busy' = one other process running a single-core loop.",
             "", *_table(rows, idle)]
    print("\n".join(lines))
    if args.write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text("# Thread count: measured\n\n" + "\n".join(lines) + "\n\n```json\n"
                           + json.dumps(rows, indent=1) + "\n```\n", encoding="utf-8")
        print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
