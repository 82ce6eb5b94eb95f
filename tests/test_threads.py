"""course_utils.threads: PyTorch's thread count from the CPUs this process can really get."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from course_utils import threads


@pytest.fixture(autouse=True)
def _keep_torch_threads(monkeypatch):
    before = torch.get_num_threads()
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv(threads.VARIABLE, raising=False)
    monkeypatch.setattr(threads, "_state", {})
    yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("usable, busy, expected", [
    (2, 0.0, 2), (2, 0.3, 2), (2, 0.5, 1), (2, 0.67, 1), (2, 1.0, 1), (2, 1.9, 1), (2, 3.0, 1),
    (16, 1.0, 15), (16, 0.35, 16), (1, 0.0, 1), (4, 2.6, 1),
])
def test_choose_threads_leaves_the_busy_cpus_alone(usable, busy, expected):
    assert threads.choose_threads(usable, busy) == expected


def _cgroup(tmp_path: Path, v2: str | None = None, v1: tuple[str, str] | None = None) -> Path:
    if v2 is not None:
        (tmp_path / "cpu.max").write_text(v2, encoding="utf-8")
    if v1 is not None:
        (tmp_path / "cpu").mkdir()
        (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text(v1[0], encoding="utf-8")
        (tmp_path / "cpu" / "cpu.cfs_period_us").write_text(v1[1], encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("v2, v1, expected", [
    ("150000 100000\n", None, 1.5),
    ("max 100000\n", None, None),
    (None, ("50000", "100000"), 0.5),
    (None, ("-1", "100000"), None),
    ("garbage\n", None, None),
    (None, None, None),
])
def test_cgroup_quota_v1_and_v2(tmp_path, monkeypatch, v2, v1, expected):
    monkeypatch.setattr(Path, "read_text", _only_under(tmp_path, Path.read_text))
    assert threads._cgroup_quota(_cgroup(tmp_path, v2, v1)) == expected


def _only_under(root: Path, read):
    """Path.read_text that pretends /proc/self/cgroup is empty, so only ``root`` is consulted."""
    def patched(self, *args, **kwargs):
        if str(self) == "/proc/self/cgroup":
            raise OSError("not in this test")
        return read(self, *args, **kwargs)
    return patched


def test_usable_cpus_is_capped_by_a_quota(monkeypatch):
    monkeypatch.setattr(threads, "_cgroup_quota", lambda: 1.2)
    assert threads.usable_cpus() == 1
    monkeypatch.setattr(threads, "_cgroup_quota", lambda: 0.3)
    assert threads.usable_cpus() == 1  # at least one
    monkeypatch.setattr(threads, "_cgroup_quota", lambda: None)
    assert threads.usable_cpus() >= 1


def test_busy_elsewhere_subtracts_this_process(monkeypatch):
    clock = iter([100.0, 101.0])
    busy = iter([50.0, 51.8])       # all processes: 1.8 CPU-seconds in one second
    monkeypatch.setattr(threads.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(threads, "_system_busy_seconds", lambda: next(busy))
    mine = iter([(2.0, 0.5), (2.6, 0.7)])  # this process: 0.8 of them

    class Times:
        def __init__(self, user, system):
            self.user, self.system = user, system

    monkeypatch.setattr(threads.os, "times", lambda: Times(*next(mine)))
    monkeypatch.setattr(threads.time, "sleep", lambda s: None)
    others, sample = threads.busy_elsewhere()
    assert others == pytest.approx(1.0) and sample is not None


def test_a_window_too_short_to_measure_keeps_the_last_choice(monkeypatch):
    # Between two quick cells only milliseconds pass: the 100 Hz counters would read one tick
    # of a neighbour as a whole busy CPU (or miss a busy loop), so the choice must stand.
    now = [100.0]
    monkeypatch.setattr(threads.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(threads, "usable_cpus", lambda: 2)
    loads = iter([1.0, 0.0])
    monkeypatch.setattr(threads, "busy_elsewhere",
                        lambda since, **kw: (next(loads), threads._Sample(now[0], 0.0, 0.0)))
    assert threads.manage_threads().threads == 1
    now[0] += 0.01
    torch.set_num_threads(2)  # something else changed it in between
    assert threads.manage_threads().threads == 1 and torch.get_num_threads() == 1
    now[0] += threads._MIN_WINDOW_S
    assert threads.manage_threads().threads == 2  # a window long enough is measured again


def test_busy_elsewhere_without_counters_assumes_idle(monkeypatch):
    monkeypatch.setattr(threads, "_system_busy_seconds", lambda: None)
    assert threads.busy_elsewhere() == (0.0, None)


def test_manage_threads_follows_the_measured_load(monkeypatch):
    monkeypatch.setattr(threads, "usable_cpus", lambda: 2)
    monkeypatch.setattr(threads, "busy_elsewhere", lambda since, **kw: (1.0, None))
    choice = threads.manage_threads()
    assert choice.threads == 1 and torch.get_num_threads() == 1 and "1.0 CPUs busy elsewhere" in str(choice)
    monkeypatch.setattr(threads, "busy_elsewhere", lambda since, **kw: (0.0, None))
    choice = threads.manage_threads()
    assert choice.threads == 2 and torch.get_num_threads() == 2 and "idle" in choice.reason
    assert threads.last_choice() == choice


@pytest.mark.parametrize("name, value, expected", [
    ("COURSE_THREADS", "1", 1), ("OMP_NUM_THREADS", "1", 1), ("COURSE_THREADS", "2", 2),
])
def test_a_number_set_by_the_user_wins(monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    monkeypatch.setattr(threads, "busy_elsewhere", lambda *a, **k: pytest.fail("must not measure"))
    choice = threads.manage_threads()
    assert choice.threads == expected == torch.get_num_threads() and f"{name}={value}" in choice.reason


def test_course_threads_off_leaves_pytorch_alone(monkeypatch):
    torch.set_num_threads(2)
    monkeypatch.setenv("COURSE_THREADS", "off")
    assert threads.manage_threads().threads == 2 and torch.get_num_threads() == 2


def test_in_jupyter_the_choice_is_made_again_before_every_cell(monkeypatch):
    registered = []

    class Events:
        def register(self, event, callback):
            registered.append((event, callback))

    class Shell:
        events = Events()

    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    monkeypatch.setattr(threads, "usable_cpus", lambda: 2)
    loads = iter([0.0, 1.2])
    monkeypatch.setattr(threads, "busy_elsewhere", lambda since, **kw: (next(loads), None))
    threads.manage_threads()
    threads.manage_threads()   # a second call does not register twice
    assert [event for event, _ in registered] == ["pre_run_cell"]
    assert torch.get_num_threads() == 1  # the second measurement saw a busy CPU
    registered[0][1](object())  # IPython passes an ExecutionInfo; a failure inside never escapes


def test_get_device_chooses_the_threads_and_the_report_shows_it(monkeypatch):
    from course_utils import environment_report, get_device

    monkeypatch.setattr(threads, "busy_elsewhere", lambda since, **kw: (0.0, None))
    get_device()
    report = environment_report(include_data=False)
    assert report.usable_cpus >= 1 and report.threads_reason == "the others are idle"
    assert "usable here; PyTorch uses" in str(report)
