"""The vendored text (names, Shakespeare, review sentences) and statsmodels' series load as documented."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

import course_utils.data as D
from course_utils.data import corpora

ROOT = Path(__file__).resolve().parents[1]


def test_every_vendored_file_is_known_and_documented() -> None:
    files = sorted(path.name for path in corpora.FILES.iterdir())
    known = sorted([corpora.NAMES.file, corpora.SHAKESPEARE.file, *(t.file for t in corpora.REVIEWS.values())])
    assert files == known, "a file in course_utils/data/files has no loader (or a loader lost its file)"
    datasets = (ROOT / "docs" / "datasets.md").read_text(encoding="utf-8")
    for text in [corpora.NAMES, corpora.SHAKESPEARE, *corpora.REVIEWS.values()]:
        assert text.file in datasets and text.sha256 in datasets, f"{text.file} is not in docs/datasets.md"


def test_baby_names_are_makemores_list(capsys: pytest.CaptureFixture[str]) -> None:
    names = D.load_baby_names()
    assert len(names) == 32_033 and len(set(names)) == 29_494
    assert names[:3] == ["emma", "olivia", "ava"] and names[-1] == "zzyzx"
    assert all(re.fullmatch(r"[a-z]{2,15}", name) for name in names)
    assert capsys.readouterr().out == (
        "Baby names: 32,033 names (29,494 distinct), SSA 2018 list as used by makemore, "
        "bundled with course_utils.\n")
    assert D.load_baby_names(verbose=False) == names and capsys.readouterr().out == ""


def test_shakespeare_is_char_rnns_text(capsys: pytest.CaptureFixture[str]) -> None:
    text = D.load_shakespeare()
    assert len(text) == 1_115_394 and len(set(text)) == 65
    assert text.startswith("First Citizen:\nBefore we proceed any further, hear me speak.")
    assert hashlib.sha256(text.encode("ascii")).hexdigest() == corpora.SHAKESPEARE.sha256
    assert "1,115,394 characters, 65 distinct, 40,000 lines" in capsys.readouterr().out


def test_review_sentences_by_domain(capsys: pytest.CaptureFixture[str]) -> None:
    every = D.load_review_sentences()
    assert len(every) == 2_000 and sum(every.labels) == 1_000
    assert every.domains == ["amazon"] * 1_000 + ["yelp"] * 1_000
    assert every.texts[0] == "So there is no way for me to plug it in here in the US unless I go by a converter."
    assert every.labels[:2] == [0, 1] and all("\t" not in text and text == text.strip() for text in every.texts)
    yelp = D.load_review_sentences("yelp", verbose=False)
    assert yelp.texts == every.texts[1_000:] and yelp.labels == every.labels[1_000:]
    assert "2,000 sentences, 1,000 positive, 1,000 negative" in capsys.readouterr().out
    with pytest.raises(ValueError, match="domain"):
        D.load_review_sentences("imdb")
    with pytest.raises(TypeError, match="verbose"):
        D.load_review_sentences(verbose="yes")


@pytest.mark.parametrize(("name", "length", "first", "per_year", "head"), [
    ("sunspots", 309, 1700.0, 1, [5.0, 11.0, 16.0]),
    ("co2", 526, 1958 + 2 / 12, 12, [316.1, 317.2]),
    ("nile", 100, 1871.0, 1, [1120.0, 1160.0, 963.0]),
    ("elnino", 732, 1950.0, 12, [23.11, 24.2, 25.37]),
])
def test_series_have_their_documented_shape(name: str, length: int, first: float, per_year: int,
                                            head: list[float], capsys: pytest.CaptureFixture[str]) -> None:
    series = D.load_series(name)
    assert len(series) == length and series.per_year == per_year and series.name == name
    assert series.time[0] == pytest.approx(first)
    assert np.allclose(np.diff(series.time), 1 / per_year)
    assert np.allclose(series.values[: len(head)], head)
    assert series.values.dtype == np.float64 and np.isfinite(series.values).all()
    assert capsys.readouterr().out.startswith(f"Series {name!r}: {length} values, ")


def test_co2_months_without_a_sample_are_interpolated() -> None:
    co2 = D.load_series("co2", verbose=False)
    # 1958 has no sample in June: the month lies halfway between May and July
    june = int(np.argmin(np.abs(co2.time - (1958 + 5 / 12))))
    assert co2.values[june] == pytest.approx((co2.values[june - 1] + co2.values[june + 1]) / 2)
    assert 313 < co2.values.min() < 314 and 373 < co2.values.max() < 374
