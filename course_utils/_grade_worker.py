"""Run one submitted notebook inside its sandbox (started by :mod:`course_utils.grading`).

Usage: ``python -m course_utils._grade_worker FOLDER [--read-only PATH]... [--hide PATH]...``

``FOLDER`` holds ``submission.ipynb`` and ``settings.json`` (time and memory limits). The
worker runs in that folder, as the only place it may write. On Linux the grader starts it in
new user, network and mount namespaces (``unshare``): then the worker first makes each
``--read-only`` path read-only and covers each ``--hide`` path with an empty folder, for
itself and the kernel it starts. Everywhere it caps the memory of its processes (POSIX),
switches Python's sockets off in the kernel, drops the reference solutions, executes every
cell with a time limit and writes ``protections.json`` (which protections held), then, after every cell,
``result.json`` (how the run is going or ended, each cell's error, the kernel's peak memory)
and ``executed.ipynb``. The verdicts are written by ``check``
itself, into ``verdicts.jsonl`` (see ``COURSE_GRADE_LOG``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

# Run in the kernel before the student's first cell: Python's sockets refuse the network.
NETWORK_GUARD = '''
import socket as _socket

def _refuse(*args, **kwargs):
    raise OSError("The network is switched off while notebooks are graded.")

_socket.socket.connect = _refuse
_socket.socket.connect_ex = _refuse
_socket.create_connection = _refuse
_socket.getaddrinfo = _refuse
del _socket, _refuse
'''
PEAK_MARKER = "course-grade-peak-mb:"
PEAK_CELL = f'''
try:
    import resource as _resource, sys as _sys
    _peak = _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss
    print("{PEAK_MARKER}", round(_peak / (1024 * 1024 if _sys.platform == "darwin" else 1024)))
except ImportError:  # Windows
    pass
'''


def _protect(read_only: list[str], hide: list[str]) -> list[str]:
    """Make paths read-only or hidden in this mount namespace; return what could not be done."""
    failed = []
    for path in read_only:
        done = subprocess.run(["mount", "--bind", path, path], capture_output=True).returncode == 0 and \
            subprocess.run(["mount", "-o", "remount,bind,ro", path], capture_output=True).returncode == 0
        if not done:
            failed.append(f"read-only {path}")
    for path in hide:
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "none", path], capture_output=True).returncode:
            failed.append(f"hide {path}")
    return failed


def _limit_memory(megabytes: int) -> bool:
    try:
        import resource
    except ImportError:  # Windows: the time limits still hold
        return False
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    return True


def _execute(folder: Path, settings: dict[str, Any]) -> dict[str, Any]:
    import nbformat
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    nb = nbformat.read(folder / "submission.ipynb", as_version=4)
    # The reference solutions would answer every check: a handout has none, a full notebook drops them.
    nb.cells = [cell for cell in nb.cells
                if cell.get("metadata", {}).get("course", {}).get("role") != "solution"
                and "solution" not in cell.get("metadata", {}).get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.cells.insert(0, nbformat.v4.new_code_cell(NETWORK_GUARD))
    nb.cells.append(nbformat.v4.new_code_cell(PEAK_CELL))
    transport = "tcp" if os.name == "nt" else "ipc"  # ipc: no loopback needed inside a network namespace
    manager = AsyncKernelManager(kernel_name="python3", transport=transport,
                            **({"ip": str(folder / "kernel")} if transport == "ipc" else {}))
    manager.kernel_spec.argv[0] = sys.executable
    # A cell over its time limit is interrupted (a KeyboardInterrupt in that cell) and the rest still run.
    client = NotebookClient(nb, km=manager, timeout=settings["cell_timeout"], allow_errors=True,
                            interrupt_on_timeout=True, startup_timeout=120,
                            resources={"metadata": {"path": str(folder)}})

    def save(status: str, detail: str) -> dict[str, Any]:
        errors, peak = [], None
        for index, cell in enumerate(nb.cells[1:-1]):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    text = f"{output.get('ename')}: {output.get('evalue')}"[:300]
                    if output.get("ename") == "KeyboardInterrupt":
                        text = f"stopped after {settings['cell_timeout']:g} s, the time limit of a cell"
                    errors.append({"cell": index, "error": text})
        for output in nb.cells[-1].get("outputs", []):
            text = output.get("text", "")
            if PEAK_MARKER in text:
                peak = int(text.split(PEAK_MARKER, 1)[1].split()[0])
        result = {"status": status, "detail": detail, "cell_errors": errors, "peak_mb": peak}
        executed = nbformat.from_dict(dict(nb))
        executed.cells = nb.cells[1:-1]
        nbformat.write(executed, folder / "executed.ipynb")
        (folder / "result.json").write_text(json.dumps(result), encoding="utf-8")
        return result

    # After every cell: so that a run stopped from outside (the notebook's time limit) keeps its record.
    client.on_cell_executed = lambda **_: save("running", "")
    status, detail = "ran", ""
    try:
        client.execute()
    except CellTimeoutError:
        status, detail = "cell timed out", f"a cell ran longer than {settings['cell_timeout']:g} s and was stopped"
    except DeadKernelError:
        status, detail = "kernel died", ("the kernel stopped (often: out of memory, "
                                         f"the limit is {settings['memory_mb']:,} MB)")
    except Exception as error:  # a broken notebook must become a row, not a crash
        status, detail = "failed to run", f"{type(error).__name__}: {error}"[:500]
    return save(status, detail)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils._grade_worker")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--read-only", action="append", default=[])
    parser.add_argument("--hide", action="append", default=[])
    args = parser.parse_args(argv)
    folder = args.folder.resolve()
    settings = json.loads((folder / "settings.json").read_text(encoding="utf-8"))
    protections = {"namespace": bool(args.read_only or args.hide), "not_protected": []}
    if protections["namespace"]:
        protections["not_protected"] = _protect(args.read_only, args.hide)
    protections["memory_limit"] = _limit_memory(settings["memory_mb"])
    (folder / "protections.json").write_text(json.dumps(protections), encoding="utf-8")
    os.chdir(folder)
    try:
        result = _execute(folder, settings)
    except MemoryError:
        result = {"status": "out of memory", "detail": "the grader ran out of memory starting the notebook",
                  "cell_errors": [], "peak_mb": None}
    (folder / "result.json").write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
