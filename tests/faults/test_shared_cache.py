"""Several processes downloading into one shared COURSE_DATA_DIR at once.

A classroom shares one data folder. The first processes to need a dataset must not crash
each other (CIFAR-10's final rename used to fail with "Directory not empty"), must not all
download it, and must use a peer's verified copy. The fast tests start real processes that
import only the download modules (no torch); the slow ones run the real loaders.
"""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import course_utils.data as D
from course_utils.data import _lock
from tests.faults.data_fixtures import (
    apply_patches,
    checksum_patches,
    child_download,
    child_load,
    cifar_members,
    md5,
    online_with_data_dir,
    run_children,
    serving,
    tiny_cifar_archive,
    tiny_mnist,
    write_files,
)

CIFAR = "cifar-10-batches-py"


@pytest.fixture
def online(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty shared data folder, no proxy, no COURSE_OFFLINE."""
    # A space in the name, as on many Windows and macOS machines.
    return online_with_data_dir(monkeypatch, tmp_path / "shared data")


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.name.startswith(".download") or p.suffix == ".lock"]


def mnist_job(server_url: str, files: dict[str, bytes], target: Path) -> dict[str, object]:
    return {
        "kind": "files",
        "mirrors": [server_url + "m/"],
        "files": {name: md5(data) for name, data in files.items()},
        "target": str(target),
    }


def test_processes_download_mnist_files_once(online: Path) -> None:
    files = tiny_mnist()
    target = online / "MNIST" / "raw"
    with serving(files={f"/m/{n}": b for n, b in files.items()}, chunk=512, chunk_delay_s=0.02) as server:
        reports = run_children(child_download, [mnist_job(server.url, files, target)] * 4)
        requests = len(server.requests)
    assert [r[0] for r in reports] == ["ok"] * 4, reports
    assert requests == len(files), "every file is downloaded once, by one of the processes"
    waited = [line for status, lines in reports for line in lines if "waiting for it" in line]
    assert waited and all(str(target) in line for line in waited)
    for name, data in files.items():
        assert (target / name).read_bytes() == data
    assert leftovers(online) == []


def test_processes_download_the_cifar_archive_once(online: Path) -> None:
    archive = tiny_cifar_archive()
    members = {f"{CIFAR}/{n}": md5(b) for n, b in cifar_members().items()}
    job = {"kind": "archive", "md5": md5(archive), "root": str(online), "folder": CIFAR, "members": members}
    online.mkdir()
    with serving(files={"/c/cifar.tar.gz": archive}, chunk=1024, chunk_delay_s=0.01) as server:
        reports = run_children(child_download, [{**job, "url": server.url + "c/cifar.tar.gz"}] * 3)
        requests = len(server.requests)
    assert [r[0] for r in reports] == ["ok"] * 3, reports
    assert requests == 1
    assert sorted(p.name for p in (online / CIFAR).iterdir()) == sorted(cifar_members())
    assert leftovers(online) == []


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need extra rights on Windows")
def test_two_spellings_of_one_folder_share_the_lock(online: Path, tmp_path: Path) -> None:
    files = tiny_mnist()
    online.mkdir()
    link = tmp_path / "link to data"
    link.symlink_to(online)
    with serving(files={f"/m/{n}": b for n, b in files.items()}, chunk=512, chunk_delay_s=0.02) as server:
        jobs = [mnist_job(server.url, files, folder / "MNIST" / "raw") for folder in (online, link, online)]
        reports = run_children(child_download, jobs)
        requests = len(server.requests)
    assert [r[0] for r in reports] == ["ok"] * 3, reports
    assert requests == len(files)


def serve_with_peer(files: dict[str, bytes], before_answer) -> object:
    """A server whose every answer is preceded by ``before_answer()``: a peer finishing first."""

    class Files(dict):
        def get(self, key, default=None):
            before_answer()
            return files.get(key, default)

    return Files()


def test_a_peer_that_finished_cifar10_first_is_reused(online: Path, monkeypatch) -> None:
    archive = tiny_cifar_archive()
    with serving() as server:
        server.files = serve_with_peer(
            {"/c/cifar-10-python.tar.gz": archive},
            lambda: write_files(online / CIFAR, cifar_members()),
        )
        apply_patches(checksum_patches(cifar_archive=archive, cifar_url=server.url + "c/cifar-10-python.tar.gz"), monkeypatch)
        test = D.load_cifar10("test", verbose=False)
    assert len(test) == 4
    assert leftovers(online) == []


def test_an_incomplete_folder_left_by_a_peer_is_named(online: Path, monkeypatch) -> None:
    archive = tiny_cifar_archive()
    partial = {n: b for n, b in cifar_members().items() if n != "data_batch_3"}
    with serving() as server:
        server.files = serve_with_peer(
            {"/c/cifar-10-python.tar.gz": archive}, lambda: write_files(online / CIFAR, partial)
        )
        apply_patches(checksum_patches(cifar_archive=archive, cifar_url=server.url + "c/cifar-10-python.tar.gz"), monkeypatch)
        with pytest.raises(D.CorruptDataError, match=r"data_batch_3 is missing.*Delete that folder"):
            D.load_cifar10("train", verbose=False)


def test_a_peer_that_finished_an_mnist_file_first_is_reused(online: Path, monkeypatch) -> None:
    files = tiny_mnist()
    raw = online / "MNIST" / "raw"
    with serving() as server:

        def peer() -> None:  # writes every file before the server answers for it
            write_files(raw, files)

        server.files = serve_with_peer({f"/m/{n}": b for n, b in files.items()}, peer)
        apply_patches(checksum_patches(mnist=files, mnist_mirrors=(server.url + "m/",)), monkeypatch)
        test = D.load_mnist("test", source="full", verbose=False)
    assert len(test) == 10 and leftovers(online) == []


def hold_lock(path: Path, *, seconds: float, then: callable) -> threading.Thread:
    """A peer in a thread: holds the lock file (touching it) for ``seconds``, calls ``then``, releases."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{os.getpid()} {socket.gethostname()}\n", encoding="utf-8")

    def peer() -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            os.utime(path)
            time.sleep(0.1)
        then()
        path.unlink()

    thread = threading.Thread(target=peer, daemon=True)
    thread.start()
    return thread


def test_a_waiting_process_uses_the_peers_files(online: Path, monkeypatch, capsys) -> None:
    files = tiny_mnist()
    raw = online / "MNIST" / "raw"
    with serving(files={f"/m/{n}": b for n, b in files.items()}) as server:
        apply_patches(checksum_patches(mnist=files, mnist_mirrors=(server.url + "m/",)), monkeypatch)
        peer = hold_lock(raw / ".download.lock", seconds=0.6, then=lambda: write_files(raw, files))
        test = D.load_mnist("test", source="full")
        peer.join()
        assert server.requests == []  # nothing downloaded twice
    assert len(test) == 10
    out = capsys.readouterr().out
    assert f"Another process is downloading MNIST (about 11 MB) into {raw}; waiting for it." in out


def test_a_peer_that_fails_lets_the_waiter_download(online: Path, monkeypatch) -> None:
    files = tiny_mnist()
    raw = online / "MNIST" / "raw"
    with serving(files={f"/m/{n}": b for n, b in files.items()}) as server:
        apply_patches(checksum_patches(mnist=files, mnist_mirrors=(server.url + "m/",)), monkeypatch)
        peer = hold_lock(raw / ".download.lock", seconds=0.4, then=lambda: None)
        test = D.load_mnist("test", source="full", verbose=False)
        peer.join()
        assert len(server.requests) == 2
    assert len(test) == 10


def test_the_lock_of_a_killed_process_is_taken_over(online: Path, monkeypatch) -> None:
    monkeypatch.setattr(_lock, "STALE_S", 0.5)
    files = tiny_mnist()
    raw = online / "MNIST" / "raw"
    raw.mkdir(parents=True)
    (raw / ".download.lock").write_text("4242 a-machine-that-went-away\n", encoding="utf-8")  # never touched again
    with serving(files={f"/m/{n}": b for n, b in files.items()}) as server:
        apply_patches(checksum_patches(mnist=files, mnist_mirrors=(server.url + "m/",)), monkeypatch)
        start = time.monotonic()
        test = D.load_mnist("test", source="full", verbose=False)
    assert len(test) == 10 and time.monotonic() - start < 5
    assert leftovers(online) == []


@pytest.mark.skipif(os.name != "posix", reason="process ids are only checked on POSIX")
def test_the_lock_of_a_dead_process_on_this_machine_is_taken_over_at_once(online: Path, monkeypatch) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    archive = tiny_cifar_archive()
    online.mkdir()
    (online / f".{CIFAR}.lock").write_text(f"{finished.stdout.strip()} {socket.gethostname()}\n", encoding="utf-8")
    with serving(files={"/c/cifar-10-python.tar.gz": archive}) as server:
        apply_patches(checksum_patches(cifar_archive=archive, cifar_url=server.url + "c/cifar-10-python.tar.gz"), monkeypatch)
        start = time.monotonic()
        test = D.load_cifar10("test", verbose=False)
    assert len(test) == 4 and time.monotonic() - start < _lock.STALE_S / 2


def test_a_scratch_folder_left_by_a_killed_download_is_ignored(online: Path, monkeypatch) -> None:
    archive = tiny_cifar_archive()
    junk = online / ".download-killed" / CIFAR
    write_files(junk, {"data_batch_1": b"half a file"})
    with serving(files={"/c/cifar-10-python.tar.gz": archive}) as server:
        apply_patches(checksum_patches(cifar_archive=archive, cifar_url=server.url + "c/cifar-10-python.tar.gz"), monkeypatch)
        assert len(D.load_cifar10("test", verbose=False)) == 4
    assert (junk / "data_batch_1").read_bytes() == b"half a file"  # someone else's: left alone


def test_publish_keeps_a_peers_folder(tmp_path: Path) -> None:
    from course_utils.data._cache import publish

    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    write_files(ours, {"a": b"ours"})
    write_files(theirs, {"a": b"theirs"})
    publish(ours, theirs)  # os.replace cannot put a folder over a non-empty one
    assert (theirs / "a").read_bytes() == b"theirs"
    write_files(tmp_path / "x", {})
    (tmp_path / "file").write_bytes(b"a file")
    with pytest.raises(OSError):
        publish(tmp_path / "x", tmp_path / "file")  # anything else is still an error


# --------------------------------------------------------------------------- slow: real loaders


def loader_jobs(online: Path, loader: str, split: str, patches: dict, n: int) -> list[dict]:
    env = {"COURSE_DATA_DIR": str(online), "OMP_NUM_THREADS": "1"}
    return [{"env": env, "patches": patches, "loader": loader, "split": split}] * n


@pytest.mark.slow
def test_three_processes_load_cifar10_for_the_first_time(online: Path) -> None:
    archive = tiny_cifar_archive()
    with serving(files={"/c/cifar-10-python.tar.gz": archive}, chunk=1024, chunk_delay_s=0.02) as server:
        patches = checksum_patches(cifar_archive=archive, cifar_url=server.url + "c/cifar-10-python.tar.gz")
        reports = run_children(child_load, loader_jobs(online, "load_cifar10", "test", patches, 3), timeout=300)
        requests = len(server.requests)
    assert reports == [("ok", 4)] * 3
    assert requests == 1
    assert leftovers(online) == []


@pytest.mark.slow
def test_three_processes_load_mnist_for_the_first_time(online: Path) -> None:
    files = tiny_mnist()
    with serving(files={f"/m/{n}": b for n, b in files.items()}, chunk=512, chunk_delay_s=0.02) as server:
        patches = checksum_patches(mnist=files, mnist_mirrors=(server.url + "m/",))
        jobs = loader_jobs(online, "load_mnist", "train", patches, 2) + loader_jobs(online, "load_mnist", "test", patches, 1)
        reports = run_children(child_load, jobs, timeout=300)
    assert sorted(reports) == [("ok", 10), ("ok", 20), ("ok", 20)]
    assert leftovers(online) == []


def test_a_lock_that_is_no_longer_ours_is_left_in_place(tmp_path: Path) -> None:
    # A peer judged our lock stale and took over: finishing must not delete the peer's lock.
    path = tmp_path / ".download.lock"
    with _lock.download_lock(path, done=lambda: False, what="MNIST", say=print) as holding:
        assert holding
        path.write_text(f"1 {socket.gethostname()} someone-else\n", encoding="utf-8")
    assert path.read_text(encoding="utf-8").endswith("someone-else\n")


def test_a_fresh_lock_survives_a_late_stale_takeover(tmp_path: Path) -> None:
    # Two waiters judged the same old lock stale; the first replaced it with its own. The
    # second, acting on what it saw of the old one, must put the fresh lock back.
    path = tmp_path / ".download.lock"
    path.write_text("999999 elsewhere\n", encoding="utf-8")
    info = path.stat()
    seen = (info.st_mtime_ns, info.st_size, info.st_ino)
    path.unlink()
    path.write_text(f"{os.getpid()} {socket.gethostname()} the-new-holder\n", encoding="utf-8")
    _lock._take_over(path, seen)
    assert path.read_text(encoding="utf-8").endswith("the-new-holder\n")
    assert [p.name for p in tmp_path.iterdir()] == [".download.lock"]  # no private copy left


_HOLDER = """
import sys, time
from pathlib import Path
from course_utils.data import _lock
path, log = Path(sys.argv[1]), Path(sys.argv[2])
with _lock.download_lock(path, done=lambda: False, what="x", say=lambda line: None):
    start = time.monotonic()
    time.sleep(0.15)
    with log.open("a") as stream:
        stream.write(f"{start} {time.monotonic()}\\n")
"""


@pytest.mark.slow
def test_waiters_on_a_dead_processs_lock_hold_it_one_at_a_time(tmp_path: Path) -> None:
    for trial in range(5):
        path, log = tmp_path / f"lock{trial}", tmp_path / f"log{trial}"
        path.write_text(f"999999 {socket.gethostname()}\n", encoding="utf-8")  # a process that no longer exists
        holders = [subprocess.Popen([sys.executable, "-c", _HOLDER, str(path), str(log)])
                   for _ in range(6)]
        assert all(holder.wait(timeout=60) == 0 for holder in holders)
        spans = sorted(tuple(map(float, line.split())) for line in log.read_text(encoding="utf-8").splitlines())
        assert len(spans) == 6
        assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(spans)), spans
