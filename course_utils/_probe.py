"""The doctor's probe: import each package, and run PyTorch once, in a separate Python process.

An import can fail in ways that a ``try`` cannot catch: a segmentation fault in a compiled
extension, ``os.abort()``, an endless wait. So :func:`run_probes` starts a child Python with the
doctor's own ``sys.path`` and asks it to do each step in turn (``"import:<module>"``, or
``"torch"`` for a small computation on the device the notebooks would use). The child answers
one marked JSON line per step. A step that kills or stalls the child is blamed for it, and the
steps after it go to a new child, so one broken package never hides the others. Nothing here
imports PyTorch in the doctor's own process.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import traceback

__all__ = ["child_main", "describe", "run_probes"]

_MARK = "@@course-doctor@@"
_CHILD = ("import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
          "from course_utils._probe import child_main; child_main(sys.argv[2:])")


def describe(error: BaseException) -> str:
    """``Type: message`` on one short line, even for an exception whose ``str()`` fails."""
    try:
        text = " ".join(str(error).split())
    except Exception:
        text = ""
    text = f"{type(error).__name__}: {text}" if text else type(error).__name__
    return text if len(text) <= 240 else text[:237] + "..."


def child_main(steps: list[str]) -> None:
    """Run in a fresh Python: each step in turn, one marked JSON line per result."""
    out = sys.stdout
    sys.stdout = sys.stderr  # what an import prints must not mix with the answers
    out.write(f"\n{_MARK}{json.dumps({'ready': True})}\n")
    out.flush()
    for step in steps:
        out.write(f"\n{_MARK}{json.dumps(_run_step(step))}\n")
        out.flush()


def _run_step(step: str) -> dict:
    kind, _, module = step.partition(":")
    try:
        return _import_step(module) if kind == "import" else _torch_step()
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # SystemExit from an import, or anything else
        return {"ok": False, "error": describe(error)}


def _import_step(module: str) -> dict:
    top = module.partition(".")[0]
    try:
        spec = importlib.util.find_spec(top)
        origin = (next(iter(spec.submodule_search_locations or []), None) or spec.origin) if spec else ""
    except Exception:
        origin = ""
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as error:
        return {"ok": False, "error": describe(error), "origin": origin or "",
                "missing": error.name == top}
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        return {"ok": False, "error": describe(error), "origin": origin or "", "culprit": _culprit(error)}
    version = getattr(sys.modules.get(top), "__version__", "")
    return {"ok": True, "origin": origin or "", "version": version if isinstance(version, str) else ""}


def _culprit(error: BaseException) -> str:
    """The file in which ``error`` arose (for a SyntaxError, the file that cannot be parsed)."""
    if isinstance(error, SyntaxError) and error.filename:
        return str(error.filename)
    frames = traceback.extract_tb(error.__traceback__)
    return next((f.filename for f in reversed(frames) if not f.filename.startswith("<")), "")


def _torch_step() -> dict:
    import numpy as np
    import torch

    from course_utils.device import get_device

    result: dict = {"ok": True}
    try:
        device = get_device()
    except (ValueError, RuntimeError) as error:  # COURSE_DEVICE asks for what is not here
        result["device_error"] = str(error)
        device = torch.device("cpu")
    result["device"] = device.type
    result.update(_thread_choice())
    try:
        result["name"] = torch.cuda.get_device_name(device) if device.type == "cuda" else ""
        x = torch.randn(64, 64, device=device, requires_grad=True)
        (x @ x).sum().backward()
        if x.grad is None or not bool(torch.isfinite(x.grad).all()):
            raise RuntimeError("the gradient of x @ x is missing or not finite")
        torch.from_numpy(np.ones(3)).sum()  # fails when PyTorch was built for another NumPy
    except Exception as error:
        result["compute_error"] = describe(error)
    return result


def _thread_choice() -> dict:
    """The CPU thread count that :func:`course_utils.get_device` chose here, and why."""
    try:
        from course_utils import threads

        choice = threads.last_choice() or threads.manage_threads()  # None when get_device failed
        return {"threads": choice.threads, "usable_cpus": choice.usable,
                "busy_elsewhere": choice.busy_elsewhere, "threads_reason": choice.reason,
                "cpu_count": os.cpu_count() or 0}
    except Exception as error:  # thread tuning is never a reason to fail the PyTorch test
        return {"threads_error": describe(error)}


def run_probes(steps: list[str], timeout_s: float) -> dict[str, dict]:
    """Run the steps in child processes; a step that crashes or hangs its child is blamed, and
    the steps after it run in a new child, until 3 x ``timeout_s`` have passed in all. Without
    a usable Python executable, the steps run in this process."""
    results: dict[str, dict] = {}
    pending = list(steps)
    deadline = time.monotonic() + 3 * timeout_s
    while pending:
        answers, failure, started = _run_child(pending, timeout_s)
        results.update(zip(pending, answers, strict=False))
        pending = pending[len(answers):]
        if pending and not started:
            results.update((step, _run_step(step)) for step in pending)
            break
        if pending:
            results[pending[0]] = {"ok": False, "error": failure, "origin": ""}
            torch_failed = not results.get("import:torch", {"ok": True})["ok"]
            pending = [s for s in pending[1:] if not (s == "torch" and torch_failed)]
            if pending and time.monotonic() > deadline:
                late = f"not tried: the steps before it took more than {3 * timeout_s:g} s in all"
                results.update((step, {"ok": False, "error": late, "origin": ""}) for step in pending)
                break
    return results


def _run_child(steps: list[str], timeout_s: float) -> tuple[list[dict], str, bool]:
    """(answers in order, why the child stopped early, whether it started at all)."""
    if not sys.executable:
        return [], "", False
    try:
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, json.dumps(sys.path), *steps],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, encoding="utf-8", errors="replace")
    except OSError:
        return [], "", False
    lines: queue.Queue[dict | None] = queue.Queue()

    def pump() -> None:
        for line in child.stdout or ():
            if _MARK in line:
                try:
                    lines.put(json.loads(line.split(_MARK, 1)[1]))
                except ValueError:
                    pass
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    answers: list[dict] = []
    started = False
    try:
        while len(answers) < len(steps):
            try:
                item = lines.get(timeout=timeout_s)
            except queue.Empty:
                return answers, (f"it did not finish within {timeout_s:g} s (it hangs, or this "
                                 "machine is very slow: then run the doctor with --timeout 300)"), True
            if item is None:
                return answers, f"Python crashed while doing it ({_exit_text(child.wait())})", started
            if item.get("ready"):
                started = True
            else:
                answers.append(item)
        return answers, "", True
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()


def _exit_text(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"
