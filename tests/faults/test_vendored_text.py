"""Damaged vendored text files and a broken statsmodels: clear errors, never wrong data.

The names, Shakespeare and review files ship gzip-compressed inside ``course_utils``. Each
test damages a copy in ``tmp_path`` (truncated, garbled, re-compressed after an edit,
emptied, deleted, replaced by a folder) and points the loaders at it: every loader must
raise ``CorruptDataError`` naming the file and the repair command. The series tests
replace what statsmodels returns, or statsmodels itself.
"""

from __future__ import annotations

import builtins
import gzip
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import course_utils.data as D
from course_utils.data import corpora, series

REPAIR = r"(?s)damaged.*git checkout -- course_utils/data/files.*--force-reinstall"


@pytest.fixture
def files_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "files copy"
    shutil.copytree(corpora.FILES, folder)
    monkeypatch.setattr(corpora, "FILES", folder)
    return folder


def regzip(change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    """Decompress, edit the text, compress again: a valid gzip file with the wrong content."""
    def damage(path: Path) -> None:
        path.write_bytes(gzip.compress(change(gzip.decompress(path.read_bytes())), mtime=0))
    return damage


def folder_instead(path: Path) -> None:
    path.unlink()
    path.mkdir()


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated gzip": lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
    "not gzip at all": lambda p: p.write_bytes(b"emma\nolivia\n"),
    "a flipped byte inside the stream": lambda p: p.write_bytes(
        p.read_bytes()[:200] + bytes([p.read_bytes()[200] ^ 0xFF]) + p.read_bytes()[201:]),
    "one letter edited": regzip(lambda raw: raw.replace(b"e", b"E", 1)),
    "the last line dropped": regzip(lambda raw: raw.rsplit(b"\n", 1)[0]),
    "Windows line endings": regzip(lambda raw: raw.replace(b"\n", b"\r\n")),
    "an empty file": lambda p: p.write_bytes(b""),
    "the file deleted": Path.unlink,
    "a folder instead of the file": folder_instead,
}
LOADERS = {
    corpora.NAMES.file: D.load_baby_names,
    corpora.SHAKESPEARE.file: D.load_shakespeare,
    corpora.REVIEWS["amazon"].file: D.load_review_sentences,
    corpora.REVIEWS["yelp"].file: lambda **kw: D.load_review_sentences("yelp", **kw),
}


@pytest.mark.parametrize("file", LOADERS, ids=[name.split(".")[0] for name in LOADERS])
@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_vendored_file_is_named_with_the_repair(files_copy: Path, file: str, damage: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    DAMAGE[damage](files_copy / file)
    with pytest.raises(D.CorruptDataError, match=REPAIR) as error:
        LOADERS[file]()
    assert file in str(error.value)
    assert capsys.readouterr().out == "", "a loader printed its success line before failing"


def test_the_other_files_still_load_when_one_is_damaged(files_copy: Path) -> None:
    DAMAGE["truncated gzip"](files_copy / corpora.SHAKESPEARE.file)
    assert len(D.load_baby_names(verbose=False)) == 32_033
    assert len(D.load_review_sentences(verbose=False)) == 2_000


SERIES_DAMAGE = {
    "ten values missing": (lambda t, v: (t[:-10], v[:-10]), "expected 309 values"),
    "a year twice": (lambda t, v: (np.r_[t[:5], t[4:-1]], v), "evenly spaced"),
    "a NaN": (lambda t, v: (t, np.where(np.arange(len(v)) == 7, np.nan, v)), "finite values"),
    "values in another unit": (lambda t, v: (t, v * 1000), "finite values from 0 to 300"),
}


@pytest.mark.parametrize("damage", SERIES_DAMAGE, ids=list(SERIES_DAMAGE))
def test_a_series_that_is_not_what_statsmodels_should_ship_is_refused(
        damage: str, monkeypatch: pytest.MonkeyPatch) -> None:
    change, words = SERIES_DAMAGE[damage]
    original = series._read
    monkeypatch.setattr(series, "_read", lambda name: change(*original(name)))
    with pytest.raises(D.CorruptDataError, match=rf"(?s){words}.*pip install --force-reinstall statsmodels"):
        D.load_series("sunspots")


def test_an_unreadable_statsmodels_file_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(name: str) -> None:
        raise OSError("[Errno 5] Input/output error: 'sunspots.csv'")
    monkeypatch.setattr(series, "_read", broken)
    with pytest.raises(D.CorruptDataError, match=r"(?s)cannot be read.*Input/output.*reinstall"):
        D.load_series("sunspots", verbose=False)


def test_missing_statsmodels_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_statsmodels(name: str, *args, **kwargs):
        if name.startswith("statsmodels"):
            raise ImportError("No module named 'statsmodels'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_statsmodels)
    with pytest.raises(D.DatasetUnavailableError, match="pip install statsmodels"):
        D.load_series("co2")


@pytest.mark.parametrize(("call", "error", "words"), [
    (lambda: D.load_series("sunspot"), ValueError, "'sunspots'"),
    (lambda: D.load_series(3), (TypeError, ValueError), "name"),
    (lambda: D.load_series("nile", verbose="yes"), TypeError, "verbose"),
    (lambda: D.load_baby_names(verbose=None), TypeError, "verbose"),
    (lambda: D.load_shakespeare(verbose="no"), TypeError, "verbose"),
])
def test_wrong_arguments_are_explained(call, error, words) -> None:
    with pytest.raises(error, match=words):
        call()
