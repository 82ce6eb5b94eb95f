"""Real text that ships inside this package: baby names, tiny Shakespeare, labelled reviews.

No installed package carries these files and CI has no network, so the course vendors
them, gzip-compressed, in ``course_utils/data/files/``. Every loader decompresses its file,
checks the SHA-256 of the text against the value recorded here (the checksums published
with the original files), checks its shape (line count, alphabet, labels), and prints one
line saying what it loaded. A damaged or edited file raises :class:`CorruptDataError`
with the command that repairs the install; nothing is ever used unchecked.

- :func:`load_baby_names`: the 32,033 names of makemore's ``names.txt`` (US Social
  Security Administration, 2018), so losses are comparable with makemore's;
- :func:`load_shakespeare`: char-rnn's "tiny Shakespeare", 1,115,394 characters;
- :func:`load_review_sentences`: 2,000 product and restaurant review sentences labelled
  positive or negative (Kotzias et al. 2015, UCI, CC BY 4.0).

Provenance and licences: ``docs/datasets.md``.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from dataclasses import dataclass
from pathlib import Path

from .._args import check_choice, check_flag
from ._cache import CorruptDataError, check_bundled

FILES = Path(__file__).resolve().parent / "files"
REINSTALL = ("'git checkout -- course_utils/data/files' in a clone of the course, or the pip "
             "command that installed the course helpers plus --force-reinstall (on Colab it is "
             "in the notebook's first cell)")


@dataclass(frozen=True)
class _Text:
    """One vendored file: its name in ``files/``, the SHA-256 of its text, what it is."""

    file: str
    sha256: str
    what: str


NAMES = _Text("ssa_names_2018.txt.gz",
              "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d", "baby-name list")
SHAKESPEARE = _Text("tiny_shakespeare.txt.gz",
                    "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
                    "tiny Shakespeare text")
REVIEWS = {
    "amazon": _Text("amazon_cells_labelled.txt.gz",
                    "0f2c314bcd3457fa93a3e92339e2647117582bfeda8aff3b96d92f752f5f3261",
                    "Amazon review sentences"),
    "yelp": _Text("yelp_labelled.txt.gz",
                  "69596220becc3da435f0cc2171efddcc2a2275d8c609b18298bd9f49735588f7",
                  "Yelp review sentences"),
}
REVIEW_DOMAINS: tuple[str, ...] = ("all", "amazon", "yelp")


def _corrupt(path: Path, what: str, why: str) -> CorruptDataError:
    return CorruptDataError(f"The {what} {path} is damaged ({why}). Repair it with {REINSTALL}")


def read_vendored(text: _Text) -> tuple[str, Path]:
    """Decompress one vendored file, check its SHA-256, and return (its text, its path)."""
    path = FILES / text.file
    check_bundled(path, text.what, REINSTALL)
    try:
        with gzip.open(path, "rb") as stream:
            raw = stream.read()
    except (OSError, EOFError, zlib.error) as error:
        raise _corrupt(path, text.what, f"it cannot be decompressed: {error}") from None
    if hashlib.sha256(raw).hexdigest() != text.sha256:
        raise _corrupt(path, text.what, f"its text does not have the SHA-256 {text.sha256[:12]}...")
    try:
        return raw.decode("ascii"), path
    except UnicodeDecodeError as error:  # pragma: no cover - the checksum rules this out
        raise _corrupt(path, text.what, f"it is not ASCII text: {error}") from None


def load_baby_names(*, verbose: bool = True) -> list[str]:
    """Return the 32,033 names of makemore's ``names.txt``, in the file's order.

    The names are the most common US baby names of 2018 (Social Security Administration
    data, public domain), lower-case ``a``-``z`` only, 2 to 15 letters. A name given to
    both boys and girls appears twice, so there are 29,494 distinct names. The list is
    the exact file makemore trains on, so negative log-likelihoods computed on it are
    comparable with makemore's published numbers.

    Raises:
        CorruptDataError: the vendored file is damaged (the message says how to repair it).

    Example::

        words = load_baby_names()   # ['emma', 'olivia', 'ava', ...]
    """
    verbose = check_flag(verbose, "verbose")
    text, _ = read_vendored(NAMES)
    names = text.split("\n")  # the checksum pins the content: 32,033 names of a-z
    if verbose:
        print(f"Baby names: {len(names):,} names ({len(set(names)):,} distinct), SSA 2018 list "
              "as used by makemore, bundled with course_utils.")
    return names


def load_shakespeare(*, verbose: bool = True) -> str:
    """Return tiny Shakespeare: 1,115,394 characters of the plays, 65 distinct characters.

    This is the ``input.txt`` of Karpathy's char-rnn and of nanoGPT's ``shakespeare_char``
    baseline (public domain text), so losses on it compare with theirs when the split is the
    same (nanoGPT keeps the first 90% for training and the last 10% for validation).

    Raises:
        CorruptDataError: the vendored file is damaged (the message says how to repair it).
    """
    verbose = check_flag(verbose, "verbose")
    text, _ = read_vendored(SHAKESPEARE)
    if verbose:
        print(f"Tiny Shakespeare: {len(text):,} characters, {len(set(text))} distinct, "
              f"{text.count(chr(10)):,} lines, bundled with course_utils.")
    return text


@dataclass(frozen=True)
class ReviewSentences:
    """Labelled review sentences: ``texts[i]`` has ``labels[i]`` (1 positive, 0 negative).

    ``domains[i]`` says where the sentence comes from (``"amazon"`` or ``"yelp"``).
    """

    texts: list[str]
    labels: list[int]
    domains: list[str]

    def __len__(self) -> int:
        return len(self.texts)


def _read_reviews(domain: str) -> tuple[list[str], list[int]]:
    text, path = read_vendored(REVIEWS[domain])
    texts, labels = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        sentence, tab, label = line.rpartition("\t")
        if not tab or label not in ("0", "1") or not sentence.strip():
            raise _corrupt(path, REVIEWS[domain].what, f"line {number} is not 'sentence<TAB>0 or 1'")
        texts.append(sentence.strip())
        labels.append(int(label))
    if len(texts) != 1_000 or sum(labels) != 500:  # pragma: no cover - pinned by the checksum
        raise _corrupt(path, REVIEWS[domain].what, "expected 500 positive and 500 negative lines")
    return texts, labels


def load_review_sentences(domain: str = "all", *, verbose: bool = True) -> ReviewSentences:
    """Return short review sentences labelled positive (1) or negative (0), in the files' order.

    From "Sentiment Labelled Sentences" (Kotzias, Denil, de Freitas and Smyth, KDD 2015;
    UCI Machine Learning Repository, CC BY 4.0): 1,000 Amazon product reviews and 1,000
    Yelp restaurant reviews, 500 of each label per site. The set's IMDb file is not
    included. The sentences are in file order (Amazon first), so shuffle before splitting.

    Args:
        domain: ``"all"`` (2,000 sentences), ``"amazon"`` or ``"yelp"`` (1,000 each).
        verbose: print one line saying what was loaded and from where.

    Raises:
        CorruptDataError: a vendored file is damaged (the message says how to repair it).
    """
    check_choice(domain, REVIEW_DOMAINS, "domain")
    verbose = check_flag(verbose, "verbose")
    texts: list[str] = []
    labels: list[int] = []
    domains: list[str] = []
    for site in ("amazon", "yelp") if domain == "all" else (domain,):
        site_texts, site_labels = _read_reviews(site)
        texts += site_texts
        labels += site_labels
        domains += [site] * len(site_texts)
    if verbose:
        where = "Amazon and Yelp" if domain == "all" else domain.capitalize()
        print(f"Review sentences ({where}): {len(texts):,} sentences, {sum(labels):,} positive, "
              f"{len(texts) - sum(labels):,} negative (UCI Sentiment Labelled Sentences, CC BY 4.0), "
              "bundled with course_utils.")
    return ReviewSentences(texts, labels, domains)
