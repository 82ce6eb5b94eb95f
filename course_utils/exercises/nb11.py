"""Exercises of notebook 11 (Embeddings and text)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from course_utils.checks import (
    Wrong,
    assert_tensor_close,
    call,
    exercise,
    expect_array,
    expect_function,
    expect_tensor,
    forbid,
    forward_backward,
    matching_mistake,
    multiple_choice,
)

# ---------------------------------------------------------------- 11.1 byte-pair encoding


def _merge_word(symbols: tuple[str, ...], pair: tuple[str, str]) -> tuple[str, ...]:
    """Replace every occurrence of ``pair`` in ``symbols``, scanning left to right."""
    out: list[str] = []
    i = 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return tuple(out)


def _merge_word_from_right(symbols: tuple[str, ...], pair: tuple[str, str]) -> tuple[str, ...]:
    """The same, scanning right to left (a plausible mistake: 'aaa' becomes ('a', 'aa'))."""
    out: list[str] = []
    i = len(symbols) - 1
    while i >= 0:
        if i >= 1 and (symbols[i - 1], symbols[i]) == pair:
            out.append(symbols[i - 1] + symbols[i])
            i -= 2
        else:
            out.append(symbols[i])
            i -= 1
    return tuple(reversed(out))


def _bpe(word_counts: dict[str, int], num_merges: int, *, tie: str = "vocabulary", weighted: bool = True,
         once_per_word: bool = False, recount: bool = True, right_to_left: bool = False) -> list[tuple[str, str]]:
    """The reference BPE trainer, with switches that reproduce plausible mistakes.

    ``tie``: "vocabulary" (the exercise's rule: the pair whose symbols entered the vocabulary first),
    "alphabetical" (smallest strings), "largest" (largest strings) or "first seen" (order of discovery).
    """
    words = {tuple(word): count for word, count in word_counts.items()}
    order = {ch: i for i, ch in enumerate(sorted({ch for word in word_counts for ch in word}))}
    merges: list[tuple[str, str]] = []
    frozen: Counter[tuple[str, str]] | None = None
    for _ in range(num_merges):
        if recount or frozen is None:
            pairs: Counter[tuple[str, str]] = Counter()
            for symbols, count in words.items():
                found = list(pairwise(symbols))
                if once_per_word:
                    found = list(dict.fromkeys(found))
                for pair in found:
                    pairs[pair] += count if weighted else 1
            frozen = pairs
        else:
            pairs = Counter({pair: c for pair, c in frozen.items() if pair not in merges})
        if not pairs:
            break
        if tie == "vocabulary":
            best = min(pairs, key=lambda p: (-pairs[p], order.get(p[0], math.inf), order.get(p[1], math.inf)))
        elif tie == "alphabetical":
            best = min(pairs, key=lambda p: (-pairs[p], p))
        elif tie == "largest":
            best = max(pairs, key=lambda p: (pairs[p], p))
        else:  # first seen
            best = max(pairs, key=pairs.__getitem__)
        merges.append(best)
        order.setdefault(best[0] + best[1], len(order))
        merged: dict[tuple[str, ...], int] = {}
        for symbols, count in words.items():
            new = _merge_word_from_right(symbols, best) if right_to_left else _merge_word(symbols, best)
            merged[new] = merged.get(new, 0) + count
        words = merged
    return merges


def _naive_replace_bpe(word_counts: dict[str, int], num_merges: int) -> list[tuple[str, str]]:
    """Merging with str.replace on space-separated symbols, without checking symbol boundaries."""
    words = {" ".join(word): count for word, count in word_counts.items()}
    order = {ch: i for i, ch in enumerate(sorted({ch for word in word_counts for ch in word}))}
    merges: list[tuple[str, str]] = []
    for _ in range(num_merges):
        pairs: Counter[tuple[str, str]] = Counter()
        for word, count in words.items():
            symbols = word.split(" ")
            for pair in pairwise(symbols):
                pairs[pair] += count
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], order.get(p[0], math.inf), order.get(p[1], math.inf)))
        merges.append(best)
        order.setdefault(best[0] + best[1], len(order))
        merged: dict[str, int] = {}
        for word, count in words.items():
            new = word.replace(f"{best[0]} {best[1]}", best[0] + best[1])
            merged[new] = merged.get(new, 0) + count
        words = merged
    return merges


_SENTENCES = (
    "the battery lasts all day and the screen is bright but the charger stopped working after a week "
    "the staff were friendly and the soup was hot but the bread was stale and the bill was wrong "
    "i would not recommend this phone to anyone who needs a reliable phone for work or for travel "
    "great food great service and the best dessert we have had in years we will be back soon"
)


def _bpe_cases() -> list[tuple[str, dict[str, int], int]]:
    rng = np.random.default_rng(111)
    random_words: Counter[str] = Counter()
    for _ in range(40):
        length = int(rng.integers(1, 7))
        random_words["".join(rng.choice(list("abcd"), size=length))] += int(rng.integers(1, 4))
    cases = [
        ("Sennrich's example {low: 5, lower: 2, newest: 6, widest: 3}",
         {"low": 5, "lower": 2, "newest": 6, "widest": 3}, 10),
        ("random words of the letters a-d, with many ties", dict(random_words), 14),
        ("the words of a few review-like sentences", dict(Counter(_SENTENCES.split())), 40),
        ("{aaaaa: 3, ab: 1} (repeated letters: merge left to right)", {"aaaaa": 3, "ab": 1}, 4),
        ("{ba: 3, ab: 2, cab: 1} (a tie at the first merge)", {"ba": 3, "ab": 2, "cab": 1}, 3),
        ("{!!: 4, ...: 3, A1: 2, b2b: 2, ?!: 1, aA: 3} (punctuation, digits and capitals)",
         {"!!": 4, "...": 3, "A1": 2, "b2b": 2, "?!": 1, "aA": 3}, 6),
        ("{ab: 2, c: 5} with more merges than possible", {"ab": 2, "c": 5}, 5),
        ("{xy: 1, yx: 1, zz: 4, xyz: 2} with no merge at all", {"xy": 1, "yx": 1, "zz": 4, "xyz": 2}, 0),
        ("{hello: 1}, one word", {"hello": 1}, 3),
    ]
    return cases


def _as_merges(result: Any, what: str) -> list[tuple[str, str]]:
    if not isinstance(result, (list, tuple)):
        raise Wrong(f"{what}: expected a list of merges, got {type(result).__name__}.",
                    hint="Collect each merge as a tuple (left, right) in a list and return the list.")
    merges = []
    for item in result:
        if isinstance(item, str):
            raise Wrong(f"{what}: your list holds strings such as {item!r}; each merge should be the pair it "
                        "merged, a tuple (left, right) of two strings, e.g. ('l', 'o') rather than 'lo'.")
        if isinstance(item, list) and len(item) == 2:
            raise Wrong(f"{what}: your merges are lists such as {item!r}; make each one a tuple (left, right). "
                        "In Python ['e', 's'] != ('e', 's'), so a list of lists never equals the merges of "
                        "another trainer (the notebook compares with Hugging Face's).")
        if not (isinstance(item, tuple) and len(item) == 2 and all(isinstance(s, str) for s in item)):
            raise Wrong(f"{what}: each merge should be a tuple (left, right) of two strings; found {item!r}.")
        merges.append((item[0], item[1]))
    return merges


@exercise(
    "11.1",
    title="Byte-pair encoding: the training loop",
    hint="Keep every word as a tuple of symbols, with its count. In each round count the adjacent pairs over all "
         "words (weighted by the word's count), take the most frequent (ties: the pair whose first, then second, "
         "symbol entered the vocabulary first), rewrite every word with that pair merged, and add the new symbol "
         "at the end of the vocabulary.",
)
def byte_pair_encoding(answer: Any) -> None:
    """The answer is learn_bpe(word_counts, num_merges) -> a list of (left, right) merges."""
    expect_function(answer, "learn_bpe(word_counts, num_merges)")
    for what, counts, k in _bpe_cases():
        expected = _bpe(counts, k)
        got = _as_merges(call(answer, counts, k, name="learn_bpe"), f"For {what} and {k} merges")
        if got == expected:
            continue
        where = f"For {what} and num_merges={k}"
        if len(got) != len(expected) and got == _bpe(counts, k + 5)[:len(got)]:
            if len(expected) < k and len(got) > len(expected):
                raise Wrong(f"{where} you returned {len(got)} merges; only {len(expected)} are possible. Stop when "
                            "no word has two symbols left to merge.")
            raise Wrong(f"{where} you returned {len(got)} merges, expected {len(expected)}: an off-by-one in the "
                        "number of rounds. Do exactly num_merges merges (fewer only when nothing is left to merge).")
        first = next((i for i, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b),
                     min(len(got), len(expected)))
        variants = [
            (dict(tie="alphabetical"), "you broke ties between equally frequent pairs alphabetically. The rule "
             "here is the vocabulary's order: the characters in sorted order first, then each new symbol in the "
             "order it was made. So a pair of single characters wins a tie against a pair with a merged symbol."),
            (dict(tie="first seen"), "you broke ties by the order in which you met the pairs (max or "
             "most_common keep the first one found). Break them by the vocabulary's order: the pair whose first, "
             "then second, symbol entered the vocabulary first."),
            (dict(tie="largest"), "you broke ties in favour of the largest pair. Break them in favour of the pair "
             "whose symbols entered the vocabulary first."),
            (dict(weighted=False), "you counted each distinct word once. A word that occurs 5 times contributes "
             "its pairs 5 times: weight every pair by the word's count."),
            (dict(once_per_word=True), "you counted a pair at most once per word. Count every position: 'aaaa' "
             "holds the pair (a, a) three times."),
            (dict(recount=False), "you counted the pairs once, before the first merge, and took them in order. "
             "Every merge changes the words, so count the pairs again in every round."),
            (dict(right_to_left=True), "you merged the pair scanning from the right. Scan each word from the "
             "left: 'aaa' with the merge (a, a) becomes ('aa', 'a')."),
        ]
        for switches, why in variants:
            # A mistake in the counting or the merging often comes with its own way of breaking ties.
            ties = [switches["tie"]] if "tie" in switches else ["vocabulary", "first seen", "alphabetical"]
            if any(got == _bpe(counts, k, **{"tie": tie, **switches}) for tie in ties):
                raise Wrong(f"{where} merge {first + 1} is {got[first]!r}, expected {expected[first]!r}: {why}")
        if got == _naive_replace_bpe(counts, k):
            raise Wrong(f"{where} merge {first + 1} is {got[first]!r}, expected {expected[first]!r}: you merged with "
                        "str.replace on the text of the word, which also matches across symbol boundaries. Compare "
                        "symbols: walk along the word and join symbols i and i + 1 only when (symbol i, symbol "
                        "i + 1) is the pair.")
        if first < len(got) and first < len(expected):
            raise Wrong(f"{where} your merge {first + 1} is {got[first]!r}, expected {expected[first]!r} "
                        f"(the first {first} merges agree).")
        raise Wrong(f"{where} you returned {len(got)} merges, expected {len(expected)} (the first {first} agree).")


# ---------------------------------------------------------------- 11.2 one-hot encoding


def _one_hot(tokens: list[str], stoi: dict[str, int]) -> torch.Tensor:
    ids = torch.tensor([stoi.get(t, stoi["<unk>"]) for t in tokens], dtype=torch.long)
    return F.one_hot(ids, len(stoi)).float()


def _one_hot_cases() -> list[tuple[str, list[str], dict[str, int]]]:
    small = {w: i for i, w in enumerate(["<pad>", "<unk>", "i", "love", "cats", "dogs", "and"])}
    shuffled = {w: i for i, w in enumerate(["the", "food", "was", "<unk>", "good", "not", "bad", "<pad>", ",", "."])}
    last = {w: i for i, w in enumerate(["a", "b", "c", "<unk>"])}
    return [
        ("['i', 'love', 'dogs'] and a vocabulary of 7", ["i", "love", "dogs"], small),
        ("a sentence with two unknown words (<unk> at index 3 of 10)",
         ["the", "soup", "was", "not", "good", ",", "not", "warm", "."], shuffled),
        ("one token", ["good"], shuffled),
        ("a repeated word and <unk> as the last id", ["b", "b", "z", "a", "c", "b"], last),
        ("['i', 'love', 'cats', 'and', 'dogs', 'and', 'i']", ["i", "love", "cats", "and", "dogs", "and", "i"], small),
        ("['I', 'love', 'Cats', 'cats'] and a vocabulary that holds 'I' and 'cats' but not 'i' or 'Cats'",
         ["I", "love", "Cats", "cats"], {w: i for i, w in enumerate(["<unk>", "I", "love", "cats", "<pad>"])}),
        ("an empty list of tokens (an empty sentence)", [], small),
    ]


@exercise(
    "11.2",
    title="One-hot encoding with an unknown token",
    hint="Start from a zero matrix of shape (number of tokens, vocabulary size); in row i put a 1 in the column "
         "of token i, or in the column of '<unk>' when the token is not in the vocabulary (dict.get has a default).",
)
def one_hot_encoding(answer: Any) -> None:
    """The answer is one_hot(tokens, stoi) -> a float tensor of shape (len(tokens), len(stoi))."""
    expect_function(answer, "one_hot(tokens, stoi)")
    for what, tokens, stoi in _one_hot_cases():
        expected = _one_hot(tokens, stoi)
        with forbid("torch.nn.functional.one_hot", answer=answer,
                    instead="Build the matrix from zeros and put the ones in yourself."):
            try:
                got = call(answer, tokens, stoi, name="one_hot")
            except Wrong:
                raise
            except Exception as error:
                if tokens:
                    raise
                raise Wrong(f"For {what} your code raised {type(error).__name__}: {error}. An empty sentence has "
                            f"a one-hot matrix too: zero rows, shape (0, {len(stoi)}).",
                            hint="torch.zeros(len(tokens), len(stoi)) works for no tokens; torch.stack of an "
                                 "empty list does not, and torch.tensor([]) is a float tensor, not ids.") from error
        got = expect_tensor(got, f"For {what}")
        if tuple(got.shape) == (len(stoi), len(tokens)) and len(stoi) != len(tokens):
            raise Wrong(f"For {what} your matrix has shape {tuple(got.shape)}: transposed. One row per token, one "
                        f"column per vocabulary entry: ({len(tokens)}, {len(stoi)}).")
        if got.dim() == 2 and got.shape[0] == len(tokens) and got.shape[1] != len(stoi):
            raise Wrong(f"For {what} your matrix has {got.shape[1]} columns; it needs one per entry of the "
                        f"vocabulary, len(stoi) = {len(stoi)} (the specials included, whatever the sentence).")
        if tuple(got.shape) != tuple(expected.shape):
            raise Wrong(f"For {what} expected shape {tuple(expected.shape)}, got {tuple(got.shape)}.")
        if not got.is_floating_point():
            raise Wrong(f"For {what} your matrix has dtype {got.dtype}; return floats (torch.float32), so that it "
                        "can be multiplied with a weight matrix.")
        if torch.equal(got.float(), expected):
            if got.dtype != torch.float32:
                raise Wrong(f"For {what} your matrix has dtype {got.dtype}; return torch.float32, PyTorch's default.")
            continue
        if torch.equal(got.float(), _one_hot([t.lower() for t in tokens], stoi)):
            raise Wrong(f"For {what} you lower-cased the tokens: one_hot looks each token up exactly as it is "
                        "given ('I' and 'i' can be different entries); lower-casing belongs to the tokenizer.")
        unknown = [i for i, t in enumerate(tokens) if t not in stoi]
        known_rows = [i for i in range(len(tokens)) if i not in unknown]
        if unknown and torch.equal(got[known_rows].float(), expected[known_rows]):
            row = got[unknown[0]]
            if row.abs().sum() == 0:
                raise Wrong(f"For {what} the row of the unknown word {tokens[unknown[0]]!r} is all zeros: an unknown "
                            f"word gets a 1 in the column of '<unk>' (id {stoi['<unk>']}).")
            raise Wrong(f"For {what} the unknown word {tokens[unknown[0]]!r} has its 1 in column "
                        f"{int(row.argmax())}; it belongs in the column of '<unk>', stoi['<unk>'] = {stoi['<unk>']} "
                        "(do not assume where '<unk>' sits).")
        assert_tensor_close(got, expected, f"For {what}")


# ---------------------------------------------------------------- 11.3 TF-IDF

_SKLEARN_TFIDF = (
    "sklearn.feature_extraction.text.TfidfTransformer.fit",
    "sklearn.feature_extraction.text.TfidfTransformer.transform",
    "sklearn.feature_extraction.text.TfidfTransformer.fit_transform",
    "sklearn.feature_extraction.text.TfidfVectorizer.fit",
    "sklearn.feature_extraction.text.TfidfVectorizer.fit_transform",
    "sklearn.preprocessing.normalize",
)


def _sklearn_tfidf(counts: np.ndarray) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfTransformer

    return TfidfTransformer().fit_transform(counts).toarray()


def _rows(x: np.ndarray, norm: str = "l2") -> np.ndarray:
    size = np.abs(x).sum(1, keepdims=True) if norm == "l1" else np.sqrt((x * x).sum(1, keepdims=True))
    return np.divide(x, size, out=np.zeros_like(x), where=size > 0)


def _tfidf_mistakes(counts: np.ndarray) -> list[tuple[Callable[[], np.ndarray], str]]:
    c = counts.astype(np.float64)
    n = c.shape[0]
    df = (c > 0).sum(0)
    idf = np.log((1 + n) / (1 + df)) + 1
    with np.errstate(divide="ignore", invalid="ignore"):
        raw_idf = np.log(n / df) + 1
    return [
        (lambda: _rows(c * (np.log((1 + n) / (1 + df)))), "the idf lacks its + 1: scikit-learn's idf is "
         "ln((1 + n) / (1 + df)) + 1, so a word in every document keeps weight 1 instead of 0."),
        (lambda: _rows(c * raw_idf), "you left out the smoothing: with smooth_idf=True (the default) the idf is "
         "ln((1 + n) / (1 + df)) + 1, as if one extra document held every word once."),
        (lambda: _rows(c * (np.log10((1 + n) / (1 + df)) + 1)), "you used log10; the idf uses the natural "
         "logarithm (np.log)."),
        (lambda: _rows(c * (np.log2((1 + n) / (1 + df)) + 1)), "you used log2; the idf uses the natural "
         "logarithm (np.log)."),
        (lambda: c * idf, "the rows are not normalised: divide each document's row by its Euclidean (l2) length."),
        (lambda: c * idf / np.sqrt(((c * idf) ** 2).sum()), "you divided by the length of the whole matrix; divide "
         "each document's row by its own length (a sum over axis 1, with keepdims=True)."),
        (lambda: _rows(c * idf, "l1"), "you normalised the rows so that they sum to 1 (l1); the default norm is "
         "l2: each row divided by the square root of its sum of squares."),
        (lambda: (c * idf) / np.where(np.sqrt(((c * idf) ** 2).sum(0)) > 0, np.sqrt(((c * idf) ** 2).sum(0)), 1),
         "you normalised the columns (one per word); normalise the rows, one per document."),
        (lambda: _rows(c * (np.log((1 + n) / (1 + c.sum(0))) + 1)), "your df counts every occurrence of a word; df "
         "is the number of documents that contain it (count > 0), however often."),
        (lambda: _rows(np.where(c > 0, 1 + np.log(np.where(c > 0, c, 1)), 0) * idf), "that is sublinear tf "
         "(1 + ln tf); the default uses the raw counts."),
        (lambda: _rows((c > 0) * idf), "you used 0/1 for the term frequency; the default uses the raw counts."),
        (lambda: _rows(c) * idf, "you normalised before multiplying by the idf; weight first, then normalise the "
         "weighted row."),
        (lambda: _rows(c * ((1 + n) / (1 + df))), "the idf is a logarithm: ln((1 + n) / (1 + df)) + 1."),
        (lambda: _rows(c * (np.log((1 + n) / (1 + df)) + 1)[::-1]), "your idf is reversed along the words."),
        (lambda: _rows(c * (np.log((2 + n) / (1 + df)) + 1)), "the smoothing adds one document: (1 + n), not "
         "(2 + n)."),
        (lambda: _rows(c * (np.log((1 + n) / df) + 1)), "the smoothing adds 1 to both n and df: "
         "ln((1 + n) / (1 + df)) + 1."),
    ]


def _tfidf_cases() -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(113)
    wide = rng.poisson(0.6, size=(7, 11))
    wide[:, 4] = rng.integers(1, 4, size=7)  # a word in every document
    wide[:, 9] = 0  # a word in no document
    empty = rng.poisson(0.9, size=(6, 5))
    empty[3] = 0  # a document with none of the words
    big = rng.poisson(0.3, size=(40, 25))
    return [
        ("5 documents and 8 words", rng.poisson(0.8, size=(5, 8))),
        ("7 documents and 11 words, with a word in every document and one in none", wide),
        ("6 documents and 5 words, one document without any of the words", empty),
        ("one document", rng.integers(0, 3, size=(1, 6))),
        ("9 documents and 3 words", rng.poisson(1.5, size=(9, 3))),
        ("40 documents and 25 words (a view of a bigger array)", np.vstack([big, big[:3]])[:40]),
    ]


@exercise(
    "11.3",
    title="TF-IDF by hand",
    hint="Work on the whole matrix at once. df and idf hold one number per word (per column), the length one "
         "number per document (per row); n is the number of documents. Broadcasting multiplies every row by the "
         "idf. A document without any of the words has length 0: keep its row at zero rather than divide by 0.",
)
def tf_idf(answer: Any) -> None:
    """The answer is tfidf(counts) -> a float64 array of counts' shape, equal to TfidfTransformer()'s."""
    expect_function(answer, "tfidf(counts)")
    for what, counts in _tfidf_cases():
        expected = _sklearn_tfidf(counts)
        with forbid(*_SKLEARN_TFIDF, answer=answer, instead="Write the idf and the normalisation with NumPy."), \
                np.errstate(divide="ignore", invalid="ignore"):
            got = call(answer, counts, name="tfidf")
        got = expect_array(got, f"For {what}", shape=counts.shape, floating=True)
        if got.dtype != np.float64:
            raise Wrong(f"For {what} your result has dtype {got.dtype}; keep float64 (scikit-learn's dtype here): "
                        "the check compares to 1e-12.")
        if np.allclose(got, expected, atol=1e-12, rtol=0):
            continue
        why = matching_mistake(got, _tfidf_mistakes(counts), atol=1e-9, rtol=1e-9)
        if why:
            raise Wrong(f"For {what}: {why}")
        if np.isnan(got).any() and not np.isnan(expected).any():
            empty = np.flatnonzero(counts.sum(1) == 0)
            rows = sorted({int(r) for r in np.argwhere(np.isnan(got))[:, 0]})
            raise Wrong(f"For {what} your result contains nan in rows {rows}" + (
                f"; row {int(empty[0])} is a document without any of the words: leave an all-zero row at zero "
                "instead of dividing by its length 0." if len(empty) and int(empty[0]) in rows else "."))
        if np.allclose(got, expected, atol=1e-5, rtol=0):
            raise Wrong(f"For {what} your result agrees with TfidfTransformer's to about 1e-7 only, not to 1e-12: "
                        "part of your computation ran in float32 (in PyTorch, dividing integer tensors gives "
                        "float32). Keep every step in float64.")
        difference = np.abs(got - expected)
        index = np.unravel_index(int(np.nanargmax(difference)), difference.shape)
        raise Wrong(f"For {what} your result differs from TfidfTransformer's by up to {np.nanmax(difference):.3g} "
                    f"at {tuple(int(i) for i in index)} (got {got[index]:.6g}, expected {expected[index]:.6g}).")


# ---------------------------------------------------------------- 11.4 skip-gram with negative sampling

_BCE = (
    "torch.nn.functional.binary_cross_entropy_with_logits",
    "torch.nn.functional.binary_cross_entropy",
    "torch.nn.BCEWithLogitsLoss.forward",
    "torch.nn.BCELoss.forward",
)


def _sgns(center: torch.Tensor, context: torch.Tensor, negatives: torch.Tensor) -> torch.Tensor:
    positive = F.logsigmoid((center * context).sum(-1))
    negative = F.logsigmoid(-torch.einsum("bkd,bd->bk", negatives, center)).sum(-1)
    return -(positive + negative).mean()


def _sgns_mistakes(v: torch.Tensor, u: torch.Tensor, n: torch.Tensor) -> list[tuple[Any, str]]:
    pos = (v * u).sum(-1)
    neg = torch.einsum("bkd,bd->bk", n, v)
    lp, ln = F.logsigmoid(pos), F.logsigmoid(-neg)
    return [
        (-(lp + F.logsigmoid(neg).sum(-1)).mean(), "the negative samples need log sigma(-u_k . v_c), with a minus "
         "inside: the model should give them a low score. You used +u_k . v_c."),
        (-(lp + ln.mean(-1)).mean(), "you averaged the K negative terms; the loss sums them (one term per negative "
         "sample), then averages over the batch."),
        (-(lp + ln.sum(-1)).sum(), "you summed over the batch; the loss is the mean over the B examples."),
        ((lp + ln.sum(-1)).mean(), "the sign is flipped: the loss is minus the log-likelihood, a positive number."),
        (-lp.mean(), "only the positive term is there: add the K negative terms."),
        (-ln.sum(-1).mean(), "only the negative terms are there: add the positive term log sigma(u_o . v_c)."),
        (-torch.cat([lp[:, None], ln], 1).mean(), "you averaged over all B (K + 1) terms; sum the K + 1 terms of "
         "each example, then average over the B examples."),
        (F.cross_entropy(torch.cat([pos[:, None], neg], 1), torch.zeros(len(v), dtype=torch.long)),
         "that is a softmax cross-entropy over the true context and the negatives. Negative sampling replaces the "
         "softmax with K + 1 independent logistic terms: log sigma(u_o . v_c) + sum_k log sigma(-u_k . v_c)."),
        (-(torch.sigmoid(pos) + torch.sigmoid(-neg).sum(-1)).mean(), "you forgot the logarithm: the terms are "
         "log sigma(...), not sigma(...)."),
        (-(lp + F.logsigmoid(-torch.einsum("bkd,bd->bk", n, u)).sum(-1)).mean(), "the negatives are scored "
         "against the centre word's vector v_c, not against the context vector u_o."),
        (-(lp + ln.sum()).mean(), "you summed the negative terms of the whole batch, not of each example. With "
         "K = 1, .squeeze() without a dim also removes the K axis, so .sum(-1) then adds up the batch: squeeze "
         "only the axis you mean (.squeeze(-1))."),
    ]


@exercise(
    "11.4",
    title="The skip-gram negative-sampling loss",
    hint="You need one score u_o . v_c per example, shape (B,), and K scores u_k . v_c per example, shape (B, K): "
         "an elementwise product summed over D gives the first, a batched matrix product (or broadcasting with "
         "unsqueeze) the second. Then follow the formula term by term: its signs, a sum over K, a mean over B.",
)
def sgns_loss_check(answer: Any) -> None:
    """The answer is sgns_loss(center, context, negatives) -> a 0-d tensor."""
    expect_function(answer, "sgns_loss(center, context, negatives)")
    generator = torch.Generator().manual_seed(114)
    cases = []
    for batch, k, dim, scale in [(5, 3, 4, 1.0), (1, 1, 6, 1.0), (4, 1, 3, 1.0), (7, 6, 2, 1.5), (3, 4, 1, 1.0),
                                     (6, 2, 5, 12.0)]:
        big = torch.randn(batch + 1, dim + 2, generator=generator) * scale
        center = big[1:, 1:dim + 1]  # a view: the check passes the real inputs
        context = torch.randn(batch, dim, generator=generator) * scale
        negatives = torch.randn(batch, k, dim, generator=generator) * scale
        what = f"B={batch}, K={k}, D={dim}" + (" with large scores (|u . v| up to a few hundred)" if scale > 5 else "")
        cases.append((what, center, context, negatives))
    expected = [_sgns(v, u, n) for _, v, u, n in cases]
    references = [forward_backward(_sgns, [v, u, n], seed=i) for i, (_, v, u, n) in enumerate(cases)]
    instead = "Write the loss with F.logsigmoid; that is the point of the exercise."
    with forbid(*_BCE, answer=answer, instead=instead):
        results = [call(answer, v, u, n, name="sgns_loss") for _, v, u, n in cases]
    for (what, v, u, n), got, want in zip(cases, results, expected, strict=True):
        got = expect_tensor(got, f"For {what}", floating=True)
        if got.shape != ():
            raise Wrong(f"For {what} you returned a tensor of shape {tuple(got.shape)}; the loss is one number "
                        "(a 0-d tensor), the mean over the batch.")
        got = got.to(want.dtype)  # a loss computed in float64 is fine
        if torch.allclose(got, want, atol=1e-5, rtol=1e-5):
            continue
        if not torch.isfinite(got):
            raise Wrong(f"For {what} you returned {got.item()}: torch.log(torch.sigmoid(x)) gives -inf once "
                        "sigmoid(x) rounds to 0 (x below about -100 in float32). Use F.logsigmoid(x), which is "
                        "computed stably.")
        why = matching_mistake(got, _sgns_mistakes(v, u, n), atol=1e-5, rtol=1e-5)
        if why:
            raise Wrong(f"For {what} you returned {got.item():.5g}, expected {want.item():.5g}: {why}")
        if "large scores" in what:  # the last case: every case with moderate scores was right
            raise Wrong(f"For {what} you returned {got.item():.5g}, expected {want.item():.5g}. Your loss is right "
                        "for moderate scores but not for large ones: a small epsilon inside the logarithm, or "
                        "clamped scores, change the loss exactly where the model is most wrong. F.logsigmoid is "
                        "exact and stable for any score.")
        raise Wrong(f"For {what} you returned {got.item():.5g}, expected {want.item():.5g}.")
    with forbid(*_BCE, answer=answer, instead=instead):
        measured = [forward_backward(lambda *xs: call(answer, *xs, name="sgns_loss"), [v, u, n], seed=i)
                    for i, (_, v, u, n) in enumerate(cases)]
    for (what, *_), mine, reference in zip(cases, measured, references, strict=True):
        for name, g, r in zip(("center", "context", "negatives"), mine.inputs, reference.inputs, strict=True):
            if g is None:
                raise Wrong(f"For {what} your loss does not depend on {name} through autograd; keep the "
                            "computation in torch operations (no .item(), .detach() or NumPy).")
            assert_tensor_close(g, r, f"For {what}, the gradient with respect to {name}", atol=1e-5, rtol=1e-4)


# ---------------------------------------------------------------- 11.5 the probe set

exercise(
    "11.5",
    title="A bag of words on the probe set",
    hint="Write down what the bag-of-embeddings model computes from a sentence: the mean of its words' vectors. "
         "Which of the four sentences of one bag can it tell apart, and how many of them are positive?",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "The embedding of 'not' is one vector, added to the mean wherever 'not' stands. The mean of a "
                 "sentence's word vectors does not change when you reorder the words, so the model cannot know "
                 "which adjective 'not' applies to.",
            "b": "Right: the mean of the word vectors is the same for the four sentences of a bag, so the model gives "
                 "all four the same answer; two of them are positive and two negative, so exactly half of every bag, "
                 "and of the test set, is right, whatever the training did.",
            "c": "The seed changes the weights, but not the fact that the four orderings of a bag get one and the "
                 "same prediction. With two positive and two negative sentences per bag, every seed gives the same "
                 "accuracy.",
            "d": "To get every test sentence wrong, the model would have to tell the orderings of a bag apart, which "
                 "a mean of word vectors cannot do. It gives the four sentences the same answer: two are right.",
        },
    )
)
