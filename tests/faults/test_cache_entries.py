"""Cache entries that are folders, empty, unreadable, dangling links or special files.

Each entry is looked at (``stat``) before anything opens it, so a FIFO or a device never
hangs a checksum, and the error names the path and the fix (remove it, make it readable,
choose another folder). A link to a good file elsewhere is fine: a teacher may link a
shared copy into each learner's cache.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import course_utils.data as D
from course_utils.data import _cache
from tests.faults.data_fixtures import (
    apply_patches,
    checksum_patches,
    cifar_members,
    tiny_mnist,
    write_files,
)

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, sockets and /dev are POSIX")
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An offline machine whose cache folder (with a space in its name) is ``data``."""
    folder = tmp_path / "course data"
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    return folder


def mnist_cached(monkeypatch: pytest.MonkeyPatch, root: Path) -> Path:
    files = tiny_mnist()
    apply_patches(checksum_patches(mnist=files), monkeypatch)
    return write_files(root / "MNIST" / "raw", files)


def cifar_cached(monkeypatch: pytest.MonkeyPatch, root: Path) -> Path:
    apply_patches(checksum_patches(cifar_archive=b"", cifar_url="http://127.0.0.1:9/x"), monkeypatch)
    return write_files(root / "cifar-10-batches-py", cifar_members())


def folder_instead(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.mkdir()


def link(path: Path, target: str | Path) -> None:
    """Replace ``path`` by a symbolic link (skip where links need privileges, as on Windows)."""
    path.unlink(missing_ok=True)
    try:
        path.symlink_to(target)
    except OSError as error:
        pytest.skip(f"cannot create symbolic links here ({error})")


def listening_socket(path: Path) -> None:
    here = os.getcwd()
    os.chdir(path.parent)  # a relative name: socket paths are limited to about 100 characters
    try:
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(path.name)  # the socket file stays; tmp_path removes it
    finally:
        os.chdir(here)


MNIST_ENTRIES: dict[str, tuple[Callable[[Path], None], str]] = {
    "a folder": (folder_instead, r"is a folder.*Remove that folder"),
    "an empty file": (lambda p: p.write_bytes(b""), r"is empty.*delete it and run again"),
    "a link to nowhere": (lambda p: link(p, p.parent / "gone.gz"), r"is a link to .*gone\.gz.*Remove the link"),
    "a link to itself": (lambda p: link(p, p.name), r"link that points to itself.*Remove the link"),
}
POSIX_ENTRIES: dict[str, tuple[Callable[[Path], None], str]] = {
    "a FIFO": (lambda p: (p.unlink(), os.mkfifo(p)), r"special file.*Remove it"),
    "a link to /dev/zero": (lambda p: link(p, "/dev/zero"), r"special file.*Remove it"),
    "a socket": (lambda p: (p.unlink(), listening_socket(p)), r"special file.*Remove it"),
}


def check_named(error: BaseException, path: Path) -> None:
    assert str(path) in str(error), error


@pytest.mark.parametrize("entry", MNIST_ENTRIES, ids=list(MNIST_ENTRIES))
def test_a_bad_mnist_entry_is_named_with_the_fix(data: Path, monkeypatch, entry: str) -> None:
    raw = mnist_cached(monkeypatch, data)
    make, fix = MNIST_ENTRIES[entry]
    make(raw / TRAIN_IMAGES)
    with pytest.raises(D.CorruptDataError, match=f"(?s){fix}") as caught:
        D.load_mnist("train", verbose=False)
    check_named(caught.value, raw / TRAIN_IMAGES)


@POSIX
@pytest.mark.parametrize("entry", POSIX_ENTRIES, ids=list(POSIX_ENTRIES))
@pytest.mark.parametrize("loader", ["load_mnist", "load_fashion_mnist"])
def test_a_special_file_never_hangs_the_checksum(data: Path, monkeypatch, entry: str, loader: str) -> None:
    folder = "MNIST" if loader == "load_mnist" else "FashionMNIST"
    raw = write_files(data / folder / "raw", {TRAIN_IMAGES: b"x"})
    make, fix = POSIX_ENTRIES[entry]
    make(raw / TRAIN_IMAGES)
    with pytest.raises(D.CorruptDataError, match=f"(?s){fix}") as caught:
        getattr(D, loader)("train", source="full", verbose=False)
    check_named(caught.value, raw / TRAIN_IMAGES)


@POSIX
def test_file_md5_of_a_fifo_raises_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(D.CorruptDataError, match=r"not a regular file\..*Remove it"):
        _cache.file_md5(fifo)


def test_an_unreadable_file_says_how_to_make_it_readable(data: Path, monkeypatch) -> None:
    raw = mnist_cached(monkeypatch, data)
    blocked = raw / TRAIN_IMAGES
    real_open = Path.open

    def deny(self: Path, *args: object, **kwargs: object) -> object:
        if self == blocked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", deny)
    with pytest.raises(D.DatasetUnavailableError, match=r"(?s)cannot be read.*chmod a\+rX.*COURSE_DATA_DIR") as caught:
        D.load_mnist("train", verbose=False)
    check_named(caught.value, blocked)


@pytest.mark.skipif(ROOT or sys.platform == "win32", reason="needs real file permissions (not root)")
def test_a_chmod_000_file_and_folder(data: Path, monkeypatch) -> None:
    raw = mnist_cached(monkeypatch, data)
    (raw / TRAIN_IMAGES).chmod(0)
    with pytest.raises(D.DatasetUnavailableError, match=r"(?s)train-images.*chmod"):
        D.load_mnist("train", source="full", verbose=False)
    raw.chmod(0)
    try:
        with pytest.raises(D.DatasetUnavailableError, match=r"(?s)raw.*chmod"):
            D.load_mnist("train", source="full", verbose=False)
    finally:
        raw.chmod(0o755)


def test_a_file_where_the_raw_folder_belongs(data: Path) -> None:
    write_files(data / "MNIST", {"raw": b"oops"})
    with pytest.raises(D.CorruptDataError, match=r"(?s)train-images-idx3-ubyte\.gz cannot exist because .*raw is a file.*Remove"):
        D.load_mnist("train", source="full", verbose=False)


def test_a_link_to_a_good_shared_copy_is_used(tmp_path: Path, data: Path, monkeypatch) -> None:
    shared = mnist_cached(monkeypatch, tmp_path / "shared copy")
    (data / "MNIST" / "raw").mkdir(parents=True)
    for file in shared.iterdir():
        link(data / "MNIST" / "raw" / file.name, file)
    assert len(D.load_mnist("train", source="full", verbose=False)) == 20


CIFAR_ENTRIES: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "the folder is a file": (lambda p: (_remove_tree(p), p.write_text("x", encoding="utf-8")), "", r"is a file, not a folder.*Remove it"),
    "the folder is a link to nowhere": (lambda p: (_remove_tree(p), link(p, p.parent / "gone")), "", r"is a link to .*gone.*Remove the link"),
    "a batch is a folder": (lambda p: folder_instead(p / "data_batch_1"), "data_batch_1", r"is a folder.*Remove that folder"),
    "the test batch is empty": (lambda p: (p / "test_batch").write_bytes(b""), "test_batch", r"is empty.*delete it"),
    "the meta file is missing": (lambda p: (p / "batches.meta").unlink(), "batches.meta", r"is missing.*incomplete.*Delete that folder"),
}


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path)


@pytest.mark.parametrize("entry", CIFAR_ENTRIES, ids=list(CIFAR_ENTRIES))
def test_a_bad_cifar_entry_is_named_with_the_fix(data: Path, monkeypatch, entry: str) -> None:
    folder = cifar_cached(monkeypatch, data)
    make, member, fix = CIFAR_ENTRIES[entry]
    make(folder)
    with pytest.raises(D.CorruptDataError, match=f"(?s){fix}") as caught:
        D.load_cifar10("test", verbose=False)
    check_named(caught.value, folder / member if member else folder)


@POSIX
def test_a_cifar_fifo_never_hangs(data: Path, monkeypatch) -> None:
    folder = cifar_cached(monkeypatch, data)
    (folder / "test_batch").unlink()
    os.mkfifo(folder / "test_batch")
    with pytest.raises(D.CorruptDataError, match=r"(?s)test_batch is a special file.*Remove it"):
        D.load_cifar10("test", verbose=False)


@POSIX
def test_dataset_sources_reports_a_fifo_without_opening_it(data: Path) -> None:
    raw = data / "MNIST" / "raw"
    raw.mkdir(parents=True)
    os.mkfifo(raw / TRAIN_IMAGES)
    report = D.dataset_sources()
    assert report["mnist"].startswith(f"unusable: {raw / TRAIN_IMAGES} is a special file")


def test_a_data_folder_that_is_a_file(tmp_path: Path, data: Path, monkeypatch) -> None:
    blocker = tmp_path / "data file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("COURSE_DATA_DIR", str(blocker))
    assert len(D.load_mnist(verbose=False)) == 4000  # the sample needs no folder
    with pytest.raises(D.DataFolderError, match=r"(?s)data file is a file, not a folder.*COURSE_DATA_DIR"):
        D.load_cifar10()
