"""How many CPU threads PyTorch should use here, chosen from the CPUs this process can really get.

PyTorch starts one thread per core of the machine. That is fast on an idle laptop, and slow
everywhere else: in a container whose CPU quota is smaller than the host's core count (Binder,
JupyterHub), PyTorch starts dozens of threads for one or two CPUs; and when another process is
busy (a second notebook, a browser), the threads wait for each other at every parallel step. On
a 2-core machine with one other busy process, a notebook of small models ran 23 times slower
with 2 threads than with 1.

So the course chooses:

- :func:`usable_cpus`: the CPUs this process may use (its affinity mask, the cgroup CPU quota);
- :func:`busy_elsewhere`: how many of them other processes kept busy, measured from the
  system's CPU counters (Linux ``/proc/stat``; ``psutil`` elsewhere, when it is installed);
- :func:`choose_threads`: usable CPUs minus the busy ones, at least 1.

:func:`manage_threads` (called by :func:`course_utils.get_device`, so every notebook's setup
cell does it) applies the choice and, in Jupyter, chooses again before every cell, so opening a
second notebook later is noticed too. ``OMP_NUM_THREADS`` or ``COURSE_THREADS`` set to a number
fixes the count instead; ``COURSE_THREADS=off`` leaves PyTorch's own choice alone.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

import torch

__all__ = ["ThreadChoice", "busy_elsewhere", "choose_threads", "manage_threads", "usable_cpus"]

VARIABLE = "COURSE_THREADS"
_CGROUP = Path("/sys/fs/cgroup")
_FIRST_SAMPLE_S = 0.2  # how long the first measurement of the other processes' load takes
# The counters tick 100 times a second, so a load measured over a few milliseconds (the gap
# between two quick cells) is mostly rounding: one tick more or less reads as a whole CPU.
# Below this window the last choice stands and the window keeps growing.
_MIN_WINDOW_S = 0.5


def _cgroup_quota(root: Path = _CGROUP) -> float | None:
    """The CPU quota of this process's cgroup in CPUs (e.g. 1.5), or None when there is none."""
    candidates: list[tuple[Path, Path | None]] = []
    try:
        lines = Path("/proc/self/cgroup").read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    for line in lines:
        _, controllers, path = [*line.split(":", 2), "", ""][:3]
        relative = path.lstrip("/")
        if controllers == "":  # cgroup v2
            candidates.append((root / relative / "cpu.max", None))
        elif "cpu" in controllers.split(","):
            folder = root / "cpu" / relative
            candidates.append((folder / "cpu.cfs_quota_us", folder / "cpu.cfs_period_us"))
    candidates += [(root / "cpu.max", None), (root / "cpu" / "cpu.cfs_quota_us", root / "cpu" / "cpu.cfs_period_us")]
    for first, second in candidates:
        try:
            if second is None:
                quota, period = first.read_text(encoding="utf-8").split()[:2]
            else:
                quota, period = first.read_text(encoding="utf-8").strip(), second.read_text(encoding="utf-8").strip()
        except (OSError, ValueError):
            continue
        if quota in ("max", "-1"):
            return None
        try:
            value = int(quota) / int(period)
        except (ValueError, ZeroDivisionError):
            continue
        return value if value > 0 else None
    return None


def usable_cpus() -> int:
    """How many CPUs this process may use: its affinity mask and its cgroup quota, at least 1."""
    if hasattr(os, "process_cpu_count"):  # Python 3.13
        count = os.process_cpu_count() or 1
    elif hasattr(os, "sched_getaffinity"):
        count = len(os.sched_getaffinity(0)) or 1
    else:
        count = os.cpu_count() or 1
    quota = _cgroup_quota()
    if quota is not None:
        count = min(count, max(1, math.floor(quota + 0.5)))
    return max(1, count)


@dataclass(frozen=True)
class _Sample:
    wall: float  # seconds, monotonic
    busy: float  # CPU-seconds all processes spent busy since boot
    mine: float  # CPU-seconds this process spent


def _system_busy_seconds() -> float | None:
    try:
        fields = Path("/proc/stat").read_text(encoding="utf-8").split("\n", 1)[0].split()
    except OSError:
        fields = []
    if fields[:1] == ["cpu"]:
        ticks = [int(value) for value in fields[1:]]
        idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
        return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")
    try:
        import psutil  # optional: macOS and Windows
    except ImportError:
        return None
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def _sample() -> _Sample | None:
    busy = _system_busy_seconds()
    if busy is None:
        return None
    mine = os.times()
    return _Sample(time.monotonic(), busy, mine.user + mine.system)


def busy_elsewhere(since: _Sample | None = None, *, window: float = _FIRST_SAMPLE_S) -> tuple[float, _Sample | None]:
    """How many CPUs other processes kept busy, and the sample to measure from next time.

    Measured between ``since`` and now, or over ``window`` seconds when there is no earlier
    sample. Returns (0.0, None) where the system's counters cannot be read.
    """
    if since is None:
        since = _sample()
        if since is None:
            return 0.0, None
        time.sleep(window)
    now = _sample()
    if now is None:
        return 0.0, None
    elapsed = now.wall - since.wall
    if elapsed <= 0:
        return 0.0, now
    others = ((now.busy - since.busy) - (now.mine - since.mine)) / elapsed
    return max(0.0, others), now


# A CPU counts as taken when others use more than this much of it. While our own threads
# compete for it, a process that wants a whole core gets only part of one (two threads and a
# busy loop on two cores: about 2/3 each), so the mark sits well below a whole CPU; the
# background noise of an idle desktop (a browser, a terminal) stays under it.
_TAKEN = 0.4


def choose_threads(usable: int, busy: float) -> int:
    """Threads for PyTorch: the usable CPUs minus those busy elsewhere, at least 1."""
    return max(1, min(usable, math.floor(usable - busy + _TAKEN)))


@dataclass(frozen=True)
class ThreadChoice:
    """What :func:`manage_threads` decided, and why (shown by the environment report and the doctor)."""

    threads: int
    usable: int
    busy_elsewhere: float
    reason: str

    def __str__(self) -> str:
        return f"PyTorch uses {self.threads} of {self.usable} usable CPUs ({self.reason})"


_state: dict[str, object] = {}


def _fixed_by_user() -> tuple[int | None, str]:
    for name in (VARIABLE, "OMP_NUM_THREADS"):
        value = os.environ.get(name, "").strip().lower()
        if not value or value == "auto":
            continue
        if name == VARIABLE and value in ("off", "no", "0"):
            return torch.get_num_threads(), f"{VARIABLE}={value}: PyTorch's own choice"
        try:
            count = int(value)
        except ValueError:
            continue  # a value PyTorch and OpenMP would also ignore
        if count >= 1:
            return count, f"set by {name}={count}"
    return None, ""


def manage_threads() -> ThreadChoice:
    """Choose PyTorch's CPU thread count now and, inside Jupyter, again before every cell."""
    fixed, why = _fixed_by_user()
    usable = usable_cpus()
    if fixed is not None:
        if torch.get_num_threads() != fixed:
            torch.set_num_threads(fixed)
        choice = ThreadChoice(fixed, usable, 0.0, why)
    else:
        since, previous = _state.get("sample"), _state.get("measured")
        if (isinstance(since, _Sample) and isinstance(previous, ThreadChoice)
                and time.monotonic() - since.wall < _MIN_WINDOW_S):
            if torch.get_num_threads() != previous.threads:
                torch.set_num_threads(previous.threads)
            _install_cell_hook()
            return previous  # too short a window to measure anything: keep the last choice
        busy, sample = busy_elsewhere(since if isinstance(since, _Sample) else None)
        _state["sample"] = sample
        threads = choose_threads(usable, busy)
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
        reason = f"{busy:.1f} CPUs busy elsewhere" if busy >= 0.05 else "the others are idle"
        choice = ThreadChoice(threads, usable, busy, reason)
        _state["measured"] = choice
        _install_cell_hook()
    _state["choice"] = choice
    return choice


def last_choice() -> ThreadChoice | None:
    """The most recent choice, if :func:`manage_threads` ran in this process."""
    choice = _state.get("choice")
    return choice if isinstance(choice, ThreadChoice) else None


def _before_cell(*args: object) -> None:
    try:
        manage_threads()
    except Exception:  # never let thread tuning break a learner's cell
        pass


def _install_cell_hook() -> None:
    if _state.get("hooked"):
        return
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "events"):
        return
    shell.events.register("pre_run_cell", _before_cell)
    _state["hooked"] = True
