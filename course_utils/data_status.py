"""Where each dataset would come from right now, as data rather than as a sentence.

:func:`data_folder_status` says whether the data folder (``$COURSE_DATA_DIR``, default
``~/.cache/nn-course``) can be used, and :func:`dataset_status` says, for every dataset,
which source ``source="auto"`` would use (``"cache"``, ``"sample"``, ``"bundled"``,
``"download"`` or ``"none"``), the path, whether it loads now without a network connection,
and if not, why and what to do. ``python -m course_utils doctor`` reports from these fields,
never by reading words in a text that contains paths.

This module is safe on a broken machine: it never downloads, never opens a network connection
and never reads a large file (only file types, sizes and, for a cached file, its first bytes),
and it does not import PyTorch. It knows the loaders' file names in one place, :func:`layout`:
the loaders' own tables when PyTorch is already imported, the standard names otherwise (a test
keeps the two equal).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import stat
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

__all__ = [
    "DATASET_NAMES",
    "DataFolderStatus",
    "DatasetStatus",
    "Layout",
    "data_folder_status",
    "dataset_status",
    "layout",
    "loaders_layout",
]

DATA_DIR_VARIABLE = "COURSE_DATA_DIR"
OFFLINE_VARIABLE = "COURSE_OFFLINE"
DEFAULT_DATA_DIR = "~/.cache/nn-course"
DATASET_NAMES = ("mnist", "fashion_mnist", "cifar10", "digits", "photos", "names", "text", "series")
# every notebook counts on them offline
OFFLINE_REQUIRED = ("mnist", "digits", "photos", "names", "text", "series")

TEXT_FIX = ("in a clone of the course run: git checkout -- course_utils/data/files; otherwise "
            "reinstall the course helpers with --force-reinstall")

_GZIP, _PICKLE = b"\x1f\x8b", b"\x80"
_MAGIC = {".gz": _GZIP, ".png": b"\x89PNG", ".jpg": b"\xff\xd8"}
_IDX_SPLITS = {"train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
               "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}


@dataclass(frozen=True)
class Layout:
    """The names of the files the loaders read, relative to the data folder or a package."""

    idx: dict[str, tuple[str, dict[str, tuple[str, ...]], str]]  # name -> (folder, split -> files, size)
    cifar_folder: str
    cifar_files: tuple[str, ...]
    photo_files: tuple[str, ...]  # inside skimage/data
    name_files: tuple[str, ...]  # inside the names package
    text_files: tuple[str, ...]  # vendored inside course_utils (data/files)
    series_files: tuple[str, ...]  # inside statsmodels (datasets)
    sample: tuple[str, str] = ("mlxtend", "data/data/mnist_5k.csv.gz")
    digits: tuple[str, str] = ("sklearn", "datasets/data/digits.csv.gz")


STANDARD_LAYOUT = Layout(
    idx={"mnist": ("MNIST/raw", _IDX_SPLITS, "about 11 MB"),
         "fashion_mnist": ("FashionMNIST/raw", _IDX_SPLITS, "about 30 MB")},
    cifar_folder="cifar-10-batches-py",
    cifar_files=(*(f"data_batch_{i}" for i in range(1, 6)), "test_batch", "batches.meta"),
    photo_files=("camera.png", "astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg",
                 "coins.png", "hubble_deep_field.jpg"),
    name_files=("dist.male.first", "dist.female.first", "dist.all.last"),
    text_files=("ssa_names_2018.txt.gz", "tiny_shakespeare.txt.gz", "amazon_cells_labelled.txt.gz",
                "yelp_labelled.txt.gz"),
    series_files=tuple(f"{name}/{name}.csv" for name in ("sunspots", "co2", "nile", "elnino")),
)


def layout() -> Layout:
    """The loaders' file names: read from :mod:`course_utils.data` when PyTorch is already
    imported (so this never is the first import of torch), else :data:`STANDARD_LAYOUT`."""
    if "torch" not in sys.modules:
        return STANDARD_LAYOUT
    try:
        return loaders_layout()
    except Exception:  # a loader module that does not import is reported by the loaders
        return STANDARD_LAYOUT


def loaders_layout() -> Layout:
    """The file names in the loaders' own tables (imports :mod:`course_utils.data`, so PyTorch)."""
    from torchvision.datasets import CIFAR10

    from course_utils.data import corpora, images, mnist, photos, series, text

    idx = {name: (mnist.raw_folder(spec, Path()).as_posix(),
                  {split: spec.files(split) for split in ("train", "test")}, spec.size_text)
           for name, spec in mnist.IDX_DATASETS.items()}
    cifar = [name for name, _ in CIFAR10.train_list + CIFAR10.test_list]
    return Layout(idx=idx, cifar_folder=images.CIFAR_FOLDER,
                  cifar_files=(*cifar, CIFAR10.meta["filename"]),
                  photo_files=tuple(photos.PHOTO_FILES.values()),
                  name_files=tuple(text.NAME_FILES.values()),
                  text_files=tuple(t.file for t in (corpora.NAMES, corpora.SHAKESPEARE,
                                                    *corpora.REVIEWS.values())),
                  series_files=tuple(f"{name}/{name}.csv" for name in series.SERIES))


@dataclass(frozen=True)
class DataFolderStatus:
    """Can the data folder be used? ``problem`` is empty when it can, for reading and downloads."""

    path: Path | None  # None when no folder can be worked out at all
    chosen_by: str  # "COURSE_DATA_DIR", "the default" or "data_dir"
    exists: bool
    readable: bool  # its content can be listed (True for a folder that does not exist yet)
    writable: bool  # a download can be stored there (creating the folder if needed)
    problem: str = ""  # why it cannot be used, or not for downloads
    fix: str = ""
    note: str = ""  # a caveat that is not a problem (e.g. a relative path)


@dataclass(frozen=True)
class DatasetStatus:
    """Where one dataset would come from with ``source="auto"``, and whether that works now."""

    name: str
    source: str  # "cache", "sample", "bundled", "download" (needs a connection) or "none"
    path: Path | None  # the cached or bundled file or folder, or where it would be cached
    usable: bool  # loading it now works without a network connection
    damaged: bool  # a file is there that the loader will refuse: fix it before the course runs
    detail: str  # where it comes from, in words (paths included: never parse it)
    problem: str = ""  # what is wrong or missing; empty when nothing
    fix: str = ""  # what to do about the problem
    offline_required: bool = False  # every notebook counts on it without a connection


def _offline() -> bool:
    return os.environ.get(OFFLINE_VARIABLE, "").strip().lower() in {"1", "true", "yes"}


_OK = ("", False)


def _examine(path: Path, magic: bytes = b"") -> tuple[str, bool] | None:
    """None when ``path`` does not exist, ``("", False)`` when it is a usable file, else
    ``(what is wrong, whether it is a permission problem)``.

    Only the type, the size and the first bytes are looked at, so a pipe, a socket or a huge
    file never blocks this.
    """
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    except OSError as error:
        return f"cannot be examined ({error.strerror or error})", isinstance(error, PermissionError)
    if stat.S_ISLNK(info.st_mode):
        try:
            info = path.stat()
        except OSError:
            return "is a link that leads nowhere (to a missing file, or in a loop)", False
    if stat.S_ISDIR(info.st_mode):
        return "is a folder, not a file", False
    if not stat.S_ISREG(info.st_mode):
        return "is a special file (a pipe, socket or device), not a data file", False
    if info.st_size == 0:
        return "is empty (0 bytes)", False
    try:
        with path.open("rb") as stream:
            head = stream.read(len(magic))
    except OSError as error:
        return f"cannot be read ({error.strerror or error})", isinstance(error, PermissionError)
    if head != magic:
        return "does not have the format it should (an error page saved under its name?)", False
    return _OK


def _cannot_create_in(folder: Path) -> str:
    """Why no folder can be created inside ``folder`` ("" when one can: it is tried, then removed)."""
    try:
        probe = tempfile.mkdtemp(prefix=".nn-course-probe-", dir=folder)
    except OSError as error:
        return error.strerror or type(error).__name__
    shutil.rmtree(probe, ignore_errors=True)
    return ""


def data_folder_status(data_dir: Path | str | None = None) -> DataFolderStatus:
    """Check the folder where downloads are cached (``data_dir``, else ``$COURSE_DATA_DIR``,
    else ``~/.cache/nn-course``) without creating it; the fix names ``COURSE_DATA_DIR``."""
    fix = (f"set the environment variable {DATA_DIR_VARIABLE} to a folder you can write to "
           "(or pass data_dir=... to the loaders)")
    if data_dir is None:
        setting = os.environ.get(DATA_DIR_VARIABLE, "").strip()
        chosen_by = DATA_DIR_VARIABLE if setting else "the default"
        setting = setting or DEFAULT_DATA_DIR
    else:
        setting, chosen_by = os.fspath(data_dir), "data_dir"

    def unusable(problem: str, path: Path | None = None) -> DataFolderStatus:
        return DataFolderStatus(path, chosen_by, False, False, False, problem, fix)

    if not setting.strip():
        return unusable("data_dir is an empty string")
    try:
        given = Path(setting).expanduser()
        path = given.resolve()
        present = os.path.lexists(path)
    except (OSError, RuntimeError, ValueError) as error:  # no home folder, a loop, a NUL byte
        return unusable(f"the folder {setting!r} cannot be worked out ({error})")
    note = ""
    if not given.is_absolute():
        note = (f"{chosen_by}={setting!r} is a relative path, so it means another folder in "
                f"every folder you start from (here {path}); set an absolute path")
    if present and path.is_symlink() and not path.exists():
        return unusable(f"{path} is a link that leads nowhere (in a loop?)", path)
    if present and not path.is_dir():
        return unusable(f"{path} is a file, not a folder", path)
    if present:
        try:
            with os.scandir(path) as entries:
                next(entries, None)
        except OSError as error:
            return DataFolderStatus(path, chosen_by, True, False, False,
                                    f"{path} cannot be read ({error.strerror or error})",
                                    f"give yourself access (chmod u+rwx {path}) or {fix}", note)
        reason = _cannot_create_in(path)
        problem = f"downloads cannot be stored in {path} ({reason})" if reason else ""  # e.g. read-only
        return DataFolderStatus(path, chosen_by, True, True, not reason, problem,
                                fix if reason else "", note)
    ancestor = next((p for p in path.parents if os.path.lexists(p)), None)
    if ancestor is None or not ancestor.is_dir():
        return unusable(f"{path} cannot be created: {ancestor} is not a folder", path)
    reason = _cannot_create_in(ancestor)
    if reason:
        return unusable(f"{path} cannot be created: no folder can be made in {ancestor} ({reason})", path)
    return DataFolderStatus(path, chosen_by, False, True, True, note=note)


def _package_folder(package: str) -> tuple[Path | None, str]:
    """The folder of an installed package, found without importing it, and when there is none,
    the single file that ``import`` would find instead (e.g. a learner's ``mlxtend.py``), or ""."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError, AttributeError):
        return None, ""
    if spec is None or not spec.submodule_search_locations:
        return None, (spec.origin or "") if spec is not None and spec.has_location else ""
    return Path(next(iter(spec.submodule_search_locations))), ""


def _bundled(name: str, package: str, dist: str, files: list[str], words: str) -> DatasetStatus:
    """Status of a dataset that ships inside ``package`` (pip name ``dist``) as ``files``."""
    required = name in OFFLINE_REQUIRED
    folder, hidden_by = _package_folder(package)
    if hidden_by:
        return DatasetStatus(name, "none", Path(hidden_by), False, False, f"needs the {dist} package",
                             f"`import {package}` finds {hidden_by}, not the {dist} package",
                             f"rename or move {hidden_by}", required)
    if folder is None:
        return DatasetStatus(name, "none", None, False, False, f"needs the {dist} package",
                             f"the {dist} package is not installed", f"pip install {dist}", required)
    found = {f: _examine(folder / f, _MAGIC.get(Path(f).suffix, b"")) for f in files}
    bad = {f: ("is missing", False) if p is None else p for f, p in found.items() if p != _OK}
    if bad:
        first, (why, _) = next(iter(bad.items()))
        more = f" (and {len(bad) - 1} more of its {len(files)} files)" if len(bad) > 1 else ""
        return DatasetStatus(name, "none", folder / first, False, True, f"bundled ({dist})",
                             f"{folder / first} {why}{more}",
                             f"reinstall the package: pip install --force-reinstall {dist}", required)
    return DatasetStatus(name, "bundled", folder, True, False, words, offline_required=required)


def _folder_problem(path: Path) -> tuple[str, bool] | None:
    """Like :func:`_examine`, for an entry that should be a folder."""
    found = _examine(path)
    if found is None or found[0] == "is a folder, not a file":
        return None if found is None else _OK
    return found if found != _OK else ("is a file, not a folder", False)


def _damaged(name: str, path: Path, problem: tuple[str, bool], what: str) -> DatasetStatus:
    """A cached entry that the loader will refuse: say which, and what to do."""
    why, denied = problem
    fix = (f"make it readable for you (whoever owns it can run: chmod -R a+rX {path.parent}), "
           f"or set {DATA_DIR_VARIABLE} to a folder of your own" if denied else
           f"delete {what} and run the loader again (online, it downloads a fresh, checksummed "
           "copy), or copy a good one there")
    return DatasetStatus(name, "cache", path, False, True, f"cached at {path.parent}",
                         f"{path} {why}", fix, name in OFFLINE_REQUIRED)


def dataset_status(folder: DataFolderStatus | None = None) -> dict[str, DatasetStatus]:
    """The status of every dataset in :data:`DATASET_NAMES`, in that order.

    Args:
        folder: the data folder's status, from :func:`data_folder_status` (computed when None).
    """
    folder = folder or data_folder_status()
    names = layout()
    root = folder.path if folder.readable else None
    report: dict[str, DatasetStatus] = {}

    def not_cached(name: str, size: str, target: Path | None) -> DatasetStatus:
        if root is None or not folder.writable:
            return DatasetStatus(name, "none", target, False, False, "unavailable (not cached, "
                                 "and the data folder cannot store a download: see its line)")
        if _offline():
            return DatasetStatus(name, "none", target, False, False,
                                 f"unavailable ({OFFLINE_VARIABLE} is set; not cached)",
                                 fix=f"unset {OFFLINE_VARIABLE} and load it once while online")
        return DatasetStatus(name, "download", target, False, False,
                             f"download when online (not cached, {size})")

    for name, (sub, splits, size) in names.idx.items():
        raw = root / sub if root else None
        problem = _folder_problem(raw) if raw else None
        if raw is None or problem is None:
            report[name] = not_cached(name, size, raw)
            continue
        if problem != _OK:
            report[name] = _damaged(name, raw, problem, "it")
            continue
        found = {file: _examine(raw / file, _GZIP) for files in splits.values() for file in files}
        damaged = {file: p for file, p in found.items() if p not in (None, _OK)}
        cached = [split for split, files in splits.items() if all(found[f] == _OK for f in files)]
        if damaged:
            file, problem = next(iter(damaged.items()))
            report[name] = _damaged(name, raw / file, problem, "that file")
        elif len(cached) == len(splits):
            report[name] = DatasetStatus(name, "cache", raw, True, False, f"cached at {raw}")
        elif cached:
            other = next(split for split in splits if split not in cached)
            missing = not_cached(name, size, raw)
            report[name] = DatasetStatus(
                name, "cache", raw, True, False, f"{cached[0]} split cached at {raw}",
                f"the {other} split is not: {missing.detail}", missing.fix)
        else:
            report[name] = not_cached(name, size, raw)
    report["mnist"] = _with_sample(report["mnist"], names)

    cifar = root / names.cifar_folder if root else None
    problem = _folder_problem(cifar) if cifar else None
    if cifar is None or problem is None:
        report["cifar10"] = not_cached("cifar10", "about 170 MB", cifar)
    elif problem != _OK:
        report["cifar10"] = _damaged("cifar10", cifar, problem, "it")
    else:
        found = {file: _examine(cifar / file, _PICKLE) for file in names.cifar_files}
        damaged = {f: p or ("is missing, so the folder is incomplete", False)
                   for f, p in found.items() if p != _OK}
        file, problem = next(iter(damaged.items()), ("", _OK))
        report["cifar10"] = (_damaged("cifar10", cifar / file, problem, f"the folder {cifar}")
                             if damaged else
                             DatasetStatus("cifar10", "cache", cifar, True, False, f"cached at {cifar}"))

    report["digits"] = _bundled("digits", names.digits[0], "scikit-learn", [names.digits[1]],
                                "bundled (scikit-learn)")
    report["photos"] = _bundled("photos", "skimage", "scikit-image",
                                [f"data/{f}" for f in names.photo_files],
                                f"bundled (scikit-image): {len(names.photo_files)} photos")
    report["names"] = _bundled("names", "names", "names", list(names.name_files),
                               "bundled (names package)")
    text = _bundled("text", "course_utils", "course_utils", [f"data/files/{f}" for f in names.text_files],
                    "bundled (course_utils): baby names, tiny Shakespeare, review sentences")
    report["text"] = replace(text, fix=TEXT_FIX) if text.damaged else text
    report["series"] = _bundled("series", "statsmodels", "statsmodels",
                                [f"datasets/{f}" for f in names.series_files],
                                f"bundled (statsmodels): {len(names.series_files)} time series")
    return report


def _with_sample(full: DatasetStatus, names: Layout) -> DatasetStatus:
    """MNIST: the full set when cached, else the 5,000-digit sample that ships with mlxtend."""
    if full.usable or full.damaged:  # a damaged cached file stops the loader: it must be fixed
        return replace(full, offline_required=True)
    sample = _bundled("mnist", names.sample[0], "mlxtend", [names.sample[1]], "")
    if not sample.usable:
        return DatasetStatus("mnist", "none", sample.path, False, sample.damaged,
                             "no full set cached and no sample",
                             f"{full.problem or 'the full set is not cached'}, and the bundled "
                             f"sample is not usable: {sample.problem}", sample.fix, True)
    if full.source == "download":
        later = "offline; the full set when online (not cached yet)"
    elif _offline():
        later = f"({OFFLINE_VARIABLE} is set; full set not cached)"
    else:
        later = "(the full set cannot be cached: see the data folder line)"
    path = sample.path / names.sample[1] if sample.path else None
    return DatasetStatus("mnist", "sample", path, True, False, f"bundled sample (mlxtend) {later}",
                         offline_required=True)
