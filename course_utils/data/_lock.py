"""One download at a time in a shared cache: a lock file that works on every OS and file system.

A classroom often shares one ``COURSE_DATA_DIR``. When several processes need the same
missing dataset, the first creates a lock file next to it (``os.open`` with ``O_EXCL``,
which is atomic everywhere, network file systems included) and downloads; the others wait
and then use its verified copy. The holder touches the lock every second; a lock that has
not changed for ``STALE_S`` seconds (its owner was killed), or whose owner process is gone,
is taken over. Correctness never depends on the lock: downloads are published with a
rename that tolerates a peer (see :func:`~course_utils.data._cache.publish`), so the lock
only saves bandwidth and time.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

STALE_S = 10.0  # a lock untouched this long belongs to a process that died
BEAT_S = 1.0  # how often the holder touches its lock
POLL_S = 0.2  # how often a waiting process looks again


def _owner_is_gone(path: Path) -> bool:
    """True when the lock names a process on this machine that no longer exists (POSIX only)."""
    if os.name != "posix":  # os.kill(pid, 0) kills on Windows, and reading blocks deleting
        return False
    try:
        pid_text, host = path.read_text(encoding="utf-8").split()[:2]
        pid = int(pid_text)
    except (OSError, ValueError):
        return False
    if host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists, but belongs to someone else
        return False
    return False


def _remove(path: Path) -> None:
    """Delete ``path`` if it is there; on Windows a reader can hold it open for a moment."""
    for attempt in range(5):
        try:
            path.unlink(missing_ok=True)
            return
        except PermissionError:
            time.sleep(0.05 * (attempt + 1))
        except OSError:
            return
    # Still held: leave it. A lock nobody touches counts as stale after STALE_S seconds.


def _take_over(path: Path, seen: tuple[int, int, int] | None) -> None:
    """Remove the stale lock ``path``, but only the one that was judged stale.

    Renaming is atomic, so of several waiters that judged the same lock stale only one
    moves it away. If what it moved is not the lock it looked at (a peer already took
    over and made a fresh one), it puts that one back.
    """
    private = path.with_name(f"{path.name}.stale-{uuid.uuid4().hex}")
    try:
        os.replace(path, private)
    except OSError:
        return  # gone already, or another waiter moved it first
    try:
        info = private.stat()
        if seen is not None and (info.st_mtime_ns, info.st_size, info.st_ino) != seen:
            os.link(private, path)  # fails if a newer lock exists: then that one stands
    except OSError:
        pass
    _remove(private)


def _acquire(path: Path, token: str, done: Callable[[], bool], say: Callable[[str], None],
             what: str) -> bool:
    """Wait until this process holds the lock (True) or ``done()`` says a peer finished (False)."""
    seen: tuple[int, int, int] | None = None
    changed = time.monotonic()
    told = False
    while not done():
        try:
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            pass
        except PermissionError:  # Windows: a lock being deleted cannot be created yet
            if os.name != "nt":
                raise
            time.sleep(POLL_S)
            continue
        else:
            with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
                stream.write(f"{os.getpid()} {socket.gethostname()} {token}\n")
            if done():  # a peer finished just before we took the lock
                _release(path, token)
                return False
            return True
        try:
            info = path.stat()
        except FileNotFoundError:
            continue  # released a moment ago: try again at once
        state = (info.st_mtime_ns, info.st_size, info.st_ino)
        if state != seen:  # measured on our own clock, so clock skew between hosts is harmless
            seen, changed = state, time.monotonic()
        if time.monotonic() - changed > STALE_S or _owner_is_gone(path):
            _take_over(path, seen)
            seen, changed = None, time.monotonic()
            continue
        if not told:
            say(f"Another process is downloading {what} into {path.parent}; waiting for it.")
            told = True
        time.sleep(POLL_S)
    return False


def _release(path: Path, token: str) -> None:
    """Delete the lock if it is still ours (a peer may have taken over a lock it judged stale)."""
    try:
        ours = token in path.read_text(encoding="utf-8")
    except OSError:
        return
    if ours:
        _remove(path)


@contextmanager
def download_lock(
    path: Path, *, done: Callable[[], bool], what: str, say: Callable[[str], None]
) -> Iterator[bool]:
    """Hold the lock file ``path`` for a download; yield False instead when a peer did it.

    ``done()`` tells whether the data is already there (it is asked while waiting); ``say``
    prints the one line shown when this process has to wait.
    """
    token = uuid.uuid4().hex
    if not _acquire(path, token, done, say, what):
        yield False
        return
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(BEAT_S):
            try:
                os.utime(path)
            except OSError:
                return

    beater = threading.Thread(target=beat, daemon=True, name="course-download-lock")
    beater.start()
    try:
        yield True
    finally:
        stop.set()
        beater.join()
        _release(path, token)
