"""Where datasets live on disk, how to tell offline mode, and how cache entries are checked.

- :func:`data_dir` and :func:`offline_requested` read the two environment variables
  ``COURSE_DATA_DIR`` and ``COURSE_OFFLINE``; :func:`writable_folder` makes sure a download
  can be stored before one starts;
- :func:`cached_file` and :func:`cached_folder` look at a cache entry *before* anything
  opens it: a folder where a file belongs, an empty file, a link to nowhere, a FIFO or
  device (which would hang a checksum), an unreadable entry: each raises an error that
  names the path and the fix (:func:`check_bundled` does the same for files that ship
  inside a package);
- :func:`check_md5` never reads a file that is not a regular file;
- :func:`scratch_folder` and :func:`publish` let a download appear in the cache only when
  complete, and let several processes that share one cache finish in any order;
- :class:`DatasetUnavailableError`, :class:`DataFolderError` and :class:`CorruptDataError`
  are the errors a learner can meet, and their messages always say what to do next.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import importlib.util
import io
import os
import shutil
import stat
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .._args import check_folder

DATA_DIR_VARIABLE = "COURSE_DATA_DIR"
OFFLINE_VARIABLE = "COURSE_OFFLINE"
DEFAULT_DATA_DIR = Path("~/.cache/nn-course")
FOLDER_FIX = (
    f"set the environment variable {DATA_DIR_VARIABLE} to a folder you can write to (in a "
    f"notebook: import os; os.environ['{DATA_DIR_VARIABLE}'] = '/path/to/folder', before "
    "loading), or pass data_dir=... to the loader"
)


class DatasetUnavailableError(RuntimeError):
    """A dataset is neither cached on this machine nor downloadable right now.

    The message names the dataset, explains why, and lists what you can do:
    connect once so it gets cached, copy the files into the data folder by hand,
    or use an alternative that needs no download.
    """


class DataFolderError(DatasetUnavailableError):
    """The data folder cannot be found, created or written (a read-only home, a file in the way).

    ``problem`` says why in one line; the message adds how to choose another folder.
    """

    def __init__(self, problem: str) -> None:
        super().__init__(f"{problem[0].upper()}{problem[1:]}. To fix it, {FOLDER_FIX}.")
        self.problem = problem


class CorruptDataError(RuntimeError):
    """A data file exists but cannot be used: damaged, truncated, empty, or not a file at all.

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
    Raises :class:`DataFolderError` (saying how to choose another folder) when it cannot
    be created or written.
    """
    return writable_folder(resolve_data_dir(None))


def resolve_data_dir(folder: object, *, create: bool = False) -> Path:
    """Turn a ``data_dir=`` argument into an absolute folder (None means :func:`data_dir`).

    Nothing is created unless ``create`` is true: a read-only cache that already holds the
    data works as it is. Raises :class:`DataFolderError` when the home folder is unknown or
    the path names a file, and ``TypeError`` / ``ValueError`` for a bad argument.
    """
    path = check_folder(folder)
    if path is None:
        path = Path(os.environ.get(DATA_DIR_VARIABLE, "").strip() or DEFAULT_DATA_DIR)
    try:
        path = path.expanduser()
    except RuntimeError as error:  # no HOME and no entry in the user database
        raise DataFolderError(f"cannot find your home folder to put {path} in ({error})") from None
    try:
        path = path.resolve()
    except (OSError, RuntimeError):  # a link loop on old Pythons, an unreadable parent
        path = Path(os.path.abspath(path))
    existing = next((p for p in (path, *path.parents) if os.path.lexists(p)), path)
    if os.path.exists(existing) and not os.path.isdir(existing):
        if existing == path:
            raise DataFolderError(f"the data folder {path} is a file, not a folder")
        raise DataFolderError(f"cannot create the data folder {path}: {existing} is a file")
    return writable_folder(path) if create else path


def writable_folder(folder: Path) -> Path:
    """Create ``folder`` (and its parents) and check that a file can be written there."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        verb = "write to" if folder.is_dir() else "create"
        reason = error.strerror or type(error).__name__
        raise DataFolderError(f"cannot {verb} the data folder {folder}: {reason}") from None
    return folder


# --------------------------------------------------------------------------- cache entries


_FIXES = {
    "link": "Remove the link (or bring back what it points to) and run again",
    "blocked": "Remove (or rename) that file and run again",
    "permission": f"Make it readable (on Linux and macOS: chmod a+rX), or {FOLDER_FIX}",
    "folder": "Remove that folder and run again",
    "empty": "It is probably an interrupted copy: delete it and run again (the course will "
    "download a fresh copy), or copy a good one there",
}


def entry_problem(path: Path, *, folder: bool = False) -> tuple[str, str] | None:
    """What is wrong with the cache entry ``path``, as ``(kind, words)``; None when usable.

    ``kind`` is ``"missing"`` when nothing is there. The entry is only looked at (``stat``),
    never opened before its type is known, so a FIFO or a device cannot hang anything.
    With ``folder=True`` a folder is expected, otherwise a non-empty readable regular file.
    """
    try:
        info = path.stat()  # follows links
    except FileNotFoundError:
        if path.is_symlink():
            return "link", f"is a link to {os.readlink(path)}, which does not exist"
        return "missing", "is missing"
    except NotADirectoryError:
        blocker = next((p for p in path.parents if p.is_file()), path.parent)
        return "blocked", f"cannot exist because {blocker} is a file, not a folder"
    except PermissionError as error:
        return "permission", f"cannot be looked at ({error.strerror} on {path.parent})"
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "link", "is a link that points to itself"
        return "other", f"cannot be used ({error.strerror})"
    if stat.S_ISDIR(info.st_mode):
        return None if folder else ("folder", "is a folder, but the course expects a data file there")
    if folder:
        return "other", "is a file, not a folder (the course keeps the unpacked dataset there)"
    if not stat.S_ISREG(info.st_mode):
        return "other", "is a special file (a FIFO, socket or device), not a data file"
    if info.st_size == 0:
        return "empty", "is empty"
    try:
        with path.open("rb"):
            pass
    except OSError as error:
        return "permission", f"cannot be read ({error.strerror})"
    return None


def _entry_error(path: Path, kind: str, words: str) -> RuntimeError:
    fix = _FIXES.get(kind, "Remove it and run again")
    error = DatasetUnavailableError if kind == "permission" else CorruptDataError
    return error(f"{path} {words}. {fix}.")


def cached_file(path: Path) -> bool:
    """True when ``path`` is a non-empty regular file that can be read, False when absent.

    Anything else raises :class:`CorruptDataError` (:class:`DatasetUnavailableError` for a
    permission problem) naming the path and the fix; see :func:`entry_problem`.
    """
    problem = entry_problem(path)
    if problem is None:
        return True
    if problem[0] == "missing":
        return False
    raise _entry_error(path, *problem)


def cached_folder(path: Path) -> bool:
    """True when ``path`` is a folder, False when absent; raise when something else is there."""
    problem = entry_problem(path, folder=True)
    if problem is None:
        return True
    if problem[0] == "missing":
        return False
    raise _entry_error(path, *problem)


def check_bundled(path: Path, what: str, reinstall: str) -> None:
    """Raise :class:`CorruptDataError` unless a file shipped inside a package is usable."""
    problem = entry_problem(path)
    if problem is not None:
        raise CorruptDataError(
            f"The {what} {path} is damaged (it {problem[1]}). Reinstall the package that "
            f"provides it: {reinstall}"
        )


def read_bundled_images(path: Path, what: str, reinstall: str, *, rows: int, pixel_max: int,
                        label_counts: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Read a bundled gzip CSV of images (one per row, its label last) and check all of it.

    Returns the pixels ``(rows, D)`` as float64 and the labels as int64. A file that is
    missing, truncated, of another shape, with pixels outside ``0..pixel_max`` or other
    counts per label than ``label_counts`` raises :class:`CorruptDataError` naming the
    file and the reinstall command.
    """

    def corrupt(why: str) -> CorruptDataError:
        return CorruptDataError(
            f"The {what} {path} is damaged ({why}). Reinstall the package that provides it: "
            f"{reinstall}"
        )

    check_bundled(path, what, reinstall)
    try:
        with gzip.open(path, "rb") as stream:
            table = np.loadtxt(io.BytesIO(stream.read()), delimiter=",", ndmin=2)
    except (OSError, EOFError, zlib.error, ValueError) as error:
        raise corrupt(str(error) or type(error).__name__) from None
    if table.shape[0] != rows or table.shape[1] < 2:
        raise corrupt(f"expected {rows} rows of pixels and a label, found shape {table.shape}")
    pixels, labels = table[:, :-1], table[:, -1]
    if not np.array_equal(table, np.round(table)) or table.min() < 0:
        raise corrupt("values must be whole numbers, not negative")
    if pixels.max() > pixel_max or labels.max() >= len(label_counts):
        raise corrupt(f"pixels must be 0 to {pixel_max} and labels 0 to {len(label_counts) - 1}")
    counts = tuple(int(n) for n in np.bincount(labels.astype(np.int64), minlength=len(label_counts)))
    if counts != tuple(label_counts):
        raise corrupt(f"expected {label_counts} images of the labels 0 to {len(label_counts) - 1}, "
                      f"found {counts}")
    return pixels, labels.astype(np.int64)


def file_md5(path: Path) -> str:
    """Return the MD5 checksum of a regular file as 32 hexadecimal characters."""
    digest = hashlib.md5(usedforsecurity=False)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)  # O_NONBLOCK: opening a FIFO returns at once
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise CorruptDataError(f"{path} is not a regular file. Remove it and run again.")
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def check_md5(path: Path, expected: str, *, dataset: str) -> None:
    """Raise :class:`CorruptDataError` unless ``path`` has the expected MD5 checksum."""
    if not cached_file(path):
        raise CorruptDataError(
            f"The {dataset} file {path} is missing. Copy it there, or delete its folder and "
            "run again to download it."
        )
    if file_md5(path) != expected:
        raise CorruptDataError(
            f"The cached {dataset} file {path} is damaged or incomplete "
            f"(its MD5 checksum is not {expected}). Delete {path} and run this again: "
            "the course will download a fresh copy, or you can copy a good one there."
        )


# --------------------------------------------------------------------------- downloads


@contextmanager
def scratch_folder(parent: Path) -> Iterator[Path]:
    """Yield a fresh hidden folder inside ``parent`` and delete it afterwards, whatever happens."""
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".download-", dir=parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def publish(source: Path, target: Path) -> None:
    """Move a verified download (file or folder) to ``target``, tolerating a finished peer.

    Another process sharing the cache may have put its own verified copy there first
    (``os.replace`` cannot put a folder over a non-empty one, and on Windows not over a file
    that is open). Then that copy is kept and ``source`` dropped: the loader checks what it
    reads anyway. Any other failure raises ``OSError``.
    """
    try:
        os.replace(source, target)
    except OSError:
        if not (target.is_dir() if source.is_dir() else target.is_file()):
            raise


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
