"""Archive extraction with a path filter, and https before http.

A hostile or broken ``cifar-10-python.tar.gz`` (served here by a local server, with its
checksum patched in as if a mirror had been taken over) must never write anything outside
the cache: members with ``..`` or absolute paths, links, devices and FIFOs make the whole
archive rejected with a ``CorruptDataError`` naming the archive and the member. An https
address is never fetched over plain http, and https mirrors are tried first.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

import course_utils.data as D
from course_utils.data import _archive, _net
from tests.faults.data_fixtures import (
    apply_patches,
    checksum_patches,
    cifar_members,
    clear_proxies,
    serving,
    tar_gz,
    tiny_mnist,
)

ARCHIVE = "cifar-10-python.tar.gz"
REFUSED = r"(?s)cifar-10-python\.tar\.gz downloaded from .*nothing from it was kept.*try again later"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    clear_proxies(monkeypatch)
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    data = tmp_path / "course data"
    monkeypatch.setenv("COURSE_DATA_DIR", str(data))
    (tmp_path / "victim").write_text("original", encoding="utf-8")
    return data


def special(name: str, kind: bytes, linkname: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info


def good_members() -> list[tuple[str, bytes]]:
    return [(f"cifar-10-batches-py/{n}", b) for n, b in cifar_members().items()]


def serve_and_load(monkeypatch: pytest.MonkeyPatch, archive: bytes, split: str = "test") -> D.ImageSet:
    with serving(files={f"/c/{ARCHIVE}": archive}) as server:
        apply_patches(checksum_patches(cifar_archive=archive, cifar_url=f"{server.url}c/{ARCHIVE}"), monkeypatch)
        return D.load_cifar10(split, verbose=False)


def nothing_escaped(tmp_path: Path, data: Path) -> None:
    assert (tmp_path / "victim").read_text(encoding="utf-8") == "original"
    escaped = [p for p in tmp_path.rglob("*evil*") if data not in p.parents]
    assert escaped == []
    assert not (data / "cifar-10-batches-py").exists()
    assert not data.exists() or list(data.iterdir()) == []  # no scratch folder or lock left


HOSTILE = {
    "../../evil.txt": lambda tmp: [("../../evil.txt", b"x")],
    "an absolute path": lambda tmp: [(str(tmp / "abs_evil.txt"), b"x")],
    "a hidden ../ inside the folder": lambda tmp: [("cifar-10-batches-py/../../evil2.txt", b"x")],
    "a symlink out, then a file through it": lambda tmp: [
        special("cifar-10-batches-py/sub", tarfile.SYMTYPE, str(tmp)),
        ("cifar-10-batches-py/sub/link_evil.txt", b"x"),
    ],
    "a hard link to a file outside": lambda tmp: [
        special("cifar-10-batches-py/hl", tarfile.LNKTYPE, str(tmp / "victim")),
    ],
    "a device": lambda tmp: [special("cifar-10-batches-py/zero", tarfile.CHRTYPE)],
    "a FIFO": lambda tmp: [special("cifar-10-batches-py/pipe", tarfile.FIFOTYPE)],
    "a Windows path": lambda tmp: [("cifar-10-batches-py\\..\\..\\evil3.txt", b"x")],
}


@pytest.mark.parametrize("member", HOSTILE, ids=list(HOSTILE))
def test_a_hostile_member_rejects_the_whole_archive(tmp_path: Path, env: Path, monkeypatch, member: str) -> None:
    archive = tar_gz([*HOSTILE[member](tmp_path), *good_members()])
    with pytest.raises(D.CorruptDataError, match=REFUSED) as caught:
        serve_and_load(monkeypatch, archive)
    assert "unsafe member" in str(caught.value)
    nothing_escaped(tmp_path, env)


def test_a_fifo_named_like_a_batch(tmp_path: Path, env: Path, monkeypatch) -> None:
    members = [m for m in good_members() if not m[0].endswith("test_batch")]
    archive = tar_gz([special("cifar-10-batches-py/test_batch", tarfile.FIFOTYPE), *members])
    with pytest.raises(D.CorruptDataError, match=REFUSED):
        serve_and_load(monkeypatch, archive)
    nothing_escaped(tmp_path, env)


def test_an_archive_without_the_cifar_folder(tmp_path: Path, env: Path, monkeypatch) -> None:
    with pytest.raises(D.CorruptDataError, match=r"(?s)does not contain cifar-10-batches-py/"):
        serve_and_load(monkeypatch, tar_gz([("other/readme.txt", b"hello")]))


def test_a_batch_stored_as_a_folder(env: Path, monkeypatch) -> None:
    members = [m for m in good_members() if not m[0].endswith("data_batch_1")]
    archive = tar_gz([special("cifar-10-batches-py/data_batch_1", tarfile.DIRTYPE), *members])
    with pytest.raises(D.CorruptDataError, match=r"(?s)holds cifar-10-batches-py/data_batch_1 as something other"):
        serve_and_load(monkeypatch, archive, "train")


def test_a_member_twice(env: Path, monkeypatch) -> None:
    archive = tar_gz([*good_members(), ("cifar-10-batches-py/test_batch", b"bad")])
    with pytest.raises(D.CorruptDataError, match=r"(?s)holds the member cifar-10-batches-py/test_batch twice"):
        serve_and_load(monkeypatch, archive)


def test_extra_members_are_not_unpacked(env: Path, monkeypatch) -> None:
    archive = tar_gz([*good_members(), ("cifar-10-batches-py/readme.html", b"<p>hi</p>")])
    assert len(serve_and_load(monkeypatch, archive)) == 4
    assert sorted(p.name for p in (env / "cifar-10-batches-py").iterdir()) == sorted(cifar_members())


def test_a_garbled_archive_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / ARCHIVE
    broken.write_bytes(b"\x1f\x8b" + b"not really gzip" * 10)
    with pytest.raises(D.CorruptDataError, match="could not be unpacked"):
        _archive.extract_members(broken, tmp_path / "out", {"a"}, origin="https://example.org/x")


def test_https_is_never_retried_over_http(env: Path, monkeypatch) -> None:
    archive = tar_gz(good_members())
    with serving(files={f"/c/{ARCHIVE}": archive}) as server:
        url = f"https://127.0.0.1:{server.port}/c/{ARCHIVE}"
        apply_patches(checksum_patches(cifar_archive=archive, cifar_url=url), monkeypatch)
        with pytest.raises(D.DatasetUnavailableError, match=r"(?s)secure connection.*never falls back to plain http"):
            D.load_cifar10("test", verbose=False)
        assert server.tls_hellos >= 1
        assert server.requests == []  # no plain-http request at all


def test_https_mirrors_are_tried_first(env: Path, monkeypatch) -> None:
    files = tiny_mnist()
    with serving(files={f"/m/{n}": b for n, b in files.items()}) as plain, serving() as secure:
        https = f"https://127.0.0.1:{secure.port}/m/"
        apply_patches(checksum_patches(mnist=files, mnist_mirrors=(plain.url + "m/", https)), monkeypatch)
        assert len(D.load_mnist("test", source="full", verbose=False)) == 10
        assert secure.tls_hellos >= 1  # asked first, failed its handshake, then the plain mirror
    assert _net.prefer_https(["http://a/", "https://b/", "http://c/"]) == ["https://b/", "http://a/", "http://c/"]


def test_the_filter_is_applied_on_top_where_python_has_it(tmp_path: Path, monkeypatch) -> None:
    seen: dict[str, object] = {}
    real = tarfile.TarFile.extractall

    def spy(self: tarfile.TarFile, *args: object, **kwargs: object) -> None:
        seen.update(kwargs)
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tarfile.TarFile, "extractall", spy)
    archive = tmp_path / ARCHIVE
    archive.write_bytes(tar_gz([("d/a", b"1")]))
    _archive.extract_members(archive, tmp_path / "out", {"d/a"}, origin="test")
    assert (tmp_path / "out" / "d" / "a").read_bytes() == b"1"
    assert seen.get("filter") == ("data" if hasattr(tarfile, "data_filter") else None)

