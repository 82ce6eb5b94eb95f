"""Where datasets live on disk, how to tell offline mode, and safe downloads.

Everything the loaders need from "the outside world" goes through this module:

- :func:`data_dir` and :func:`offline_requested` read the two environment variables
  ``COURSE_DATA_DIR`` and ``COURSE_OFFLINE``;
- :func:`reachable` asks, in at most a few seconds, which download servers answer;
- :func:`download_verified` fetches files into a scratch folder, checks their MD5 and
  only then moves them to their final place, so an interrupted download never looks
  like a valid cached file;
- :class:`DatasetUnavailableError` and :class:`CorruptDataError` are the two errors a
  learner can meet, and their messages always say what to do next.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import socket
import tempfile
import threading
import time
import urllib.error
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

DATA_DIR_VARIABLE = "COURSE_DATA_DIR"
OFFLINE_VARIABLE = "COURSE_OFFLINE"
DEFAULT_DATA_DIR = Path("~/.cache/nn-course")

PROBE_TIMEOUT_S = 3.0  # how long we wait for a server to accept a connection
DOWNLOAD_TIMEOUT_S = 30.0  # how long one read may stall during a download


class DatasetUnavailableError(RuntimeError):
    """A dataset is neither cached on this machine nor downloadable right now.

    The message names the dataset, explains why, and lists what you can do:
    connect once so it gets cached, copy the files into the data folder by hand,
    or use an alternative that works offline.
    """


class CorruptDataError(RuntimeError):
    """A data file exists but its content is wrong (damaged, truncated, or modified).

    The message names the file and the fix, usually "delete it and run again".
    The course never silently uses or silently replaces such a file.
    """


def offline_requested() -> bool:
    """Return True when the environment variable ``COURSE_OFFLINE`` asks for offline mode.

    ``1``, ``true`` and ``yes`` (in any letter case) count as "yes". In offline mode the
    loaders never try the network: they use cached or bundled data, or say what is missing.
    """
    return os.environ.get(OFFLINE_VARIABLE, "").strip().lower() in {"1", "true", "yes"}


def connect_hint() -> str:
    """The first step of every "what you can do" list, adapted to offline mode."""
    if offline_requested():
        return f"unset {OFFLINE_VARIABLE}, connect to the internet once"
    return "connect to the internet once"


def data_dir() -> Path:
    """Return the folder where downloaded datasets are cached, creating it if needed.

    It is ``$COURSE_DATA_DIR`` when that variable is set, else ``~/.cache/nn-course``.
    """
    return resolve_data_dir(None)


def resolve_data_dir(folder: Path | str | None, *, create: bool = True) -> Path:
    """Turn a ``data_dir=`` argument into an absolute folder (None means :func:`data_dir`)."""
    if folder is None:
        folder = os.environ.get(DATA_DIR_VARIABLE, "").strip() or DEFAULT_DATA_DIR
    path = Path(folder).expanduser().resolve()
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise RuntimeError(
                f"Cannot create the course data folder {path} ({error.strerror}). "
                f"Set the environment variable {DATA_DIR_VARIABLE} to a folder you can "
                "write to, or pass data_dir=... to the loader."
            ) from error
    return path


def file_md5(path: Path) -> str:
    """Return the MD5 checksum of a file as 32 hexadecimal characters."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def check_md5(path: Path, expected: str, *, dataset: str) -> None:
    """Raise :class:`CorruptDataError` unless ``path`` has the expected MD5 checksum."""
    if file_md5(path) != expected:
        raise CorruptDataError(
            f"The cached {dataset} file {path} is damaged or incomplete "
            f"(its MD5 checksum is not {expected}). Delete {path} and run this again: "
            "the course will download a fresh copy, or you can copy a good one there."
        )


def _host_and_port(url: str) -> tuple[str, int]:
    parts = urlparse(url)
    default_port = 443 if parts.scheme == "https" else 80
    return parts.hostname or "", parts.port or default_port


def reachable(urls: Sequence[str], timeout: float = PROBE_TIMEOUT_S) -> list[str]:
    """Return those of ``urls`` whose server accepts a connection within ``timeout`` seconds.

    All servers are tried at the same time, each in a background thread, so the whole
    check never takes much longer than ``timeout``, even when a name lookup hangs.
    """
    answers: dict[str, bool] = {}

    def probe(url: str) -> None:
        try:
            with socket.create_connection(_host_and_port(url), timeout=timeout):
                answers[url] = True
        except (OSError, ValueError):
            answers[url] = False

    threads = [threading.Thread(target=probe, args=(url,), daemon=True) for url in urls]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout + 0.5
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return [url for url in urls if answers.get(url, False)]


@contextmanager
def socket_timeout(seconds: float) -> Iterator[None]:
    """Make stalled network reads fail after ``seconds``, then restore the old setting."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


@contextmanager
def scratch_folder(parent: Path) -> Iterator[Path]:
    """Yield a fresh hidden folder inside ``parent`` and delete it afterwards, whatever happens."""
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".download-", dir=parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def download_verified(mirrors: Sequence[str], files: dict[str, str], target: Path) -> None:
    """Download ``files`` (name -> MD5) from the first mirror that works into ``target``.

    Each file goes to a scratch folder first; torchvision's ``download_url`` checks its
    MD5, and only a verified file is moved into ``target``. Raises ``OSError`` with a
    short explanation when no mirror delivers a file.
    """
    from torchvision.datasets.utils import download_url

    with socket_timeout(DOWNLOAD_TIMEOUT_S), scratch_folder(target) as scratch:
        for name, md5 in files.items():
            problems = []
            for mirror in mirrors:
                try:
                    download_url(mirror + name, root=scratch, filename=name, md5=md5)
                except (OSError, RuntimeError, urllib.error.URLError) as error:
                    problems.append(f"{mirror + name}: {error}")
                    (scratch / name).unlink(missing_ok=True)
                    continue
                os.replace(scratch / name, target / name)
                break
            else:
                raise OSError(f"could not download {name} ({'; '.join(problems)})")


def package_folder(package: str, what: str) -> Path:
    """The folder of an installed package that ships data (``what`` names that data).

    Raises :class:`DatasetUnavailableError` saying how to install the package when it is missing.
    """
    found = importlib.util.find_spec(package)
    if found is None or not found.submodule_search_locations:
        raise DatasetUnavailableError(
            f"{what} comes with the {package!r} package, which is not installed. "
            f"Install it with: pip install {package}"
        )
    return Path(next(iter(found.submodule_search_locations)))
