"""Answers for the exercises of notebook 11."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from itertools import pairwise

import numpy as np
import torch
import torch.nn.functional as F

# ---------------------------------------------------------------- 11.1 byte-pair encoding


def learn_bpe_stub(word_counts, num_merges):
    # Your code here: a dict word -> tuple of symbols, then num_merges rounds of count, pick, merge.
    ...


def _merge(symbols, pair):
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return tuple(out)


def _learner_bpe(word_counts, num_merges, pick, weighted=True, once=False, rounds=None):
    """A learner's loop with a given way of picking the best pair (pick(pairs, vocab) -> pair)."""
    words = {tuple(w): c for w, c in word_counts.items()}
    vocab = sorted({ch for w in word_counts for ch in w})
    merges = []
    for _ in range(num_merges if rounds is None else rounds(num_merges)):
        pairs = Counter()
        for symbols, count in words.items():
            found = list(pairwise(symbols))
            for pair in (set(found) if once else found):
                pairs[pair] += count if weighted else 1
        if not pairs:
            break
        best = pick(pairs, vocab)
        merges.append(best)
        if best[0] + best[1] not in vocab:
            vocab.append(best[0] + best[1])
        new = {}
        for symbols, count in words.items():
            merged = _merge(symbols, best)
            new[merged] = new.get(merged, 0) + count
        words = new
    return merges


def _by_vocabulary(pairs, vocab):
    rank = {s: i for i, s in enumerate(vocab)}
    return min(pairs, key=lambda p: (-pairs[p], rank[p[0]], rank[p[1]]))


def bpe_alphabetical_ties(word_counts, num_merges):
    return _learner_bpe(word_counts, num_merges, lambda pairs, vocab: min(pairs, key=lambda p: (-pairs[p], p)))


def bpe_most_common(word_counts, num_merges):
    return _learner_bpe(word_counts, num_merges, lambda pairs, vocab: pairs.most_common(1)[0][0])


def bpe_unweighted(word_counts, num_merges):
    return _learner_bpe(word_counts, num_merges, _by_vocabulary, weighted=False)


def bpe_once_per_word(word_counts, num_merges):
    return _learner_bpe(word_counts, num_merges, _by_vocabulary, once=True)


def bpe_one_round_short(word_counts, num_merges):
    return _learner_bpe(word_counts, num_merges, _by_vocabulary, rounds=lambda k: k - 1)


def bpe_one_round_too_many(word_counts, num_merges):
    return _learner_bpe(word_counts, num_merges, _by_vocabulary, rounds=lambda k: k + 1)


def bpe_counted_once(word_counts, num_merges):
    pairs = Counter()
    for word, count in word_counts.items():
        for pair in pairwise(word):
            pairs[pair] += count
    return [pair for pair, _ in pairs.most_common(num_merges)]


def bpe_merged_strings(word_counts, num_merges):
    return [a + b for a, b in _learner_bpe(word_counts, num_merges, _by_vocabulary)]


def bpe_string_replace(word_counts, num_merges):
    words = {" ".join(w): c for w, c in word_counts.items()}
    vocab = sorted({ch for w in word_counts for ch in w})
    merges = []
    for _ in range(num_merges):
        pairs = Counter()
        for word, count in words.items():
            symbols = word.split()
            for pair in pairwise(symbols):
                pairs[pair] += count
        if not pairs:
            break
        rank = {s: i for i, s in enumerate(vocab)}
        best = min(pairs, key=lambda p: (-pairs[p], rank.get(p[0], len(rank)), rank.get(p[1], len(rank))))
        merges.append(best)
        vocab.append(best[0] + best[1])
        new = {}
        for w, c in words.items():
            merged = w.replace(" ".join(best), "".join(best))
            new[merged] = new.get(merged, 0) + c
        words = new
    return merges


def bpe_from_the_right(word_counts, num_merges):
    words = {tuple(w): c for w, c in word_counts.items()}
    vocab = sorted({ch for w in word_counts for ch in w})
    merges = []
    for _ in range(num_merges):
        pairs = Counter()
        for symbols, count in words.items():
            for pair in pairwise(symbols):
                pairs[pair] += count
        if not pairs:
            break
        best = _by_vocabulary(pairs, vocab)
        merges.append(best)
        vocab.append(best[0] + best[1])
        new = {}
        for symbols, count in words.items():
            out, i = [], len(symbols) - 1
            while i >= 0:
                if i >= 1 and (symbols[i - 1], symbols[i]) == best:
                    out.insert(0, symbols[i - 1] + symbols[i])
                    i -= 2
                else:
                    out.insert(0, symbols[i])
                    i -= 1
            new[tuple(out)] = new.get(tuple(out), 0) + count
        words = new
    return merges


def bpe_changes_its_input(word_counts, num_merges):
    merges = _learner_bpe(word_counts, num_merges, _by_vocabulary)
    word_counts.clear()  # "no longer needed"
    return merges


def bpe_never_stops(word_counts, num_merges):
    """Keeps going when no pair is left: max() of an empty Counter raises."""
    words = {tuple(w): c for w, c in word_counts.items()}
    vocab = sorted({ch for w in word_counts for ch in w})
    merges = []
    for _ in range(num_merges):
        pairs = Counter()
        for symbols, count in words.items():
            for pair in pairwise(symbols):
                pairs[pair] += count
        best = _by_vocabulary(pairs, vocab)
        merges.append(best)
        vocab.append(best[0] + best[1])
        words = {_merge(s, best): c for s, c in words.items()}
    return merges


def bpe_forgets_new_symbols(word_counts, num_merges):
    """Ranks ties by the characters only; a merged symbol sorts after every character, by its text."""
    return _learner_bpe(word_counts, num_merges, lambda pairs, vocab: min(
        pairs, key=lambda p: (-pairs[p], len(p[0]) > 1, p[0], len(p[1]) > 1, p[1])))


def learn_bpe_regex(word_counts, num_merges):
    """Sennrich et al.'s style: words as space-separated symbols, merged with a boundary-aware regex."""
    vocab = {" ".join(w): c for w, c in word_counts.items()}
    rank = {ch: i for i, ch in enumerate(sorted({ch for w in word_counts for ch in w}))}
    merges = []
    for _ in range(num_merges):
        stats = defaultdict(int)
        for word, freq in vocab.items():
            symbols = word.split()
            for i in range(len(symbols) - 1):
                stats[symbols[i], symbols[i + 1]] += freq
        if not stats:
            break
        best = max(stats, key=lambda p: (stats[p], -rank[p[0]], -rank[p[1]]))
        merges.append(best)
        rank.setdefault("".join(best), len(rank))
        pattern = re.compile(r"(?<!\S)" + re.escape(" ".join(best)) + r"(?!\S)")
        merged = defaultdict(int)
        for word, freq in vocab.items():
            merged[pattern.sub("".join(best), word)] += freq
        vocab = dict(merged)
    return merges


def learn_bpe_lists(word_counts, num_merges):
    """Symbols as lists rewritten in place (a copy of the input's words), ranks as a dict."""
    words = [[list(w), c] for w, c in word_counts.items()]
    rank = {}
    for ch in sorted(set("".join(word_counts))):
        rank[ch] = len(rank)
    merges = []
    while len(merges) < num_merges:
        counts = {}
        for symbols, c in words:
            for a, b in pairwise(symbols):
                counts[a, b] = counts.get((a, b), 0) + c
        if not counts:
            return merges
        top = max(counts.values())
        best = sorted((rank[a], rank[b], a, b) for (a, b), n in counts.items() if n == top)[0]
        a, b = best[2], best[3]
        merges.append((a, b))
        if a + b not in rank:
            rank[a + b] = len(rank)
        for entry in words:
            symbols, i = entry[0], 0
            while i < len(symbols) - 1:
                if symbols[i] == a and symbols[i + 1] == b:
                    symbols[i:i + 2] = [a + b]
                i += 1
    return merges


# ---------------------------------------------------------------- 11.2 one-hot encoding


def one_hot_stub(tokens, stoi):
    # Your code here
    ...


def one_hot_unknown_zero(tokens, stoi):
    x = torch.zeros(len(tokens), len(stoi))
    for i, t in enumerate(tokens):
        if t in stoi:
            x[i, stoi[t]] = 1
    return x


def one_hot_unknown_at_one(tokens, stoi):
    x = torch.zeros(len(tokens), len(stoi))
    for i, t in enumerate(tokens):
        x[i, stoi.get(t, 1)] = 1  # "<unk> is id 1", as in the notebook
    return x


def one_hot_transposed(tokens, stoi):
    x = torch.zeros(len(stoi), len(tokens))
    for i, t in enumerate(tokens):
        x[stoi.get(t, stoi["<unk>"]), i] = 1
    return x


def one_hot_sentence_words(tokens, stoi):
    ids = [stoi.get(t, stoi["<unk>"]) for t in tokens]
    x = torch.zeros(len(tokens), max(ids) + 1)
    x[range(len(ids)), ids] = 1
    return x


def one_hot_long(tokens, stoi):
    x = torch.zeros(len(tokens), len(stoi), dtype=torch.long)
    for i, t in enumerate(tokens):
        x[i, stoi.get(t, stoi["<unk>"])] = 1
    return x


def one_hot_builtin(tokens, stoi):
    return F.one_hot(torch.tensor([stoi.get(t, stoi["<unk>"]) for t in tokens]), len(stoi)).float()


def one_hot_numpy(tokens, stoi):
    x = np.zeros((len(tokens), len(stoi)), dtype=np.float32)
    for i, t in enumerate(tokens):
        x[i, stoi.get(t, stoi["<unk>"])] = 1
    return x


def one_hot_unique_words(tokens, stoi):
    x = torch.zeros(len(tokens), len(stoi))
    for i, t in enumerate(dict.fromkeys(tokens)):
        x[i, stoi.get(t, stoi["<unk>"])] = 1
    return x


def one_hot_last_column(tokens, stoi):
    x = torch.zeros(len(tokens), len(stoi))
    for i, t in enumerate(tokens):
        x[i, stoi.get(t, -1)] = 1
    return x


def one_hot_counts(tokens, stoi):
    """A bag of words (counts per word) repeated on every row."""
    row = torch.zeros(len(stoi))
    for t in tokens:
        row[stoi.get(t, stoi["<unk>"])] += 1
    return row.repeat(len(tokens), 1)


def one_hot_eye(tokens, stoi):
    return torch.eye(len(stoi))[[stoi.get(t, stoi["<unk>"]) for t in tokens]]


def one_hot_scatter(tokens, stoi):
    ids = torch.tensor([stoi[t] if t in stoi else stoi["<unk>"] for t in tokens])
    return torch.zeros(len(tokens), len(stoi)).scatter_(1, ids[:, None], 1.0)


# ---------------------------------------------------------------- 11.3 TF-IDF


def tfidf_stub(counts):
    # Your code here
    ...


def _l2(x):
    norm = np.sqrt((x ** 2).sum(axis=1, keepdims=True))
    return np.divide(x, norm, out=np.zeros_like(x), where=norm > 0)


def _df(counts):
    return (counts > 0).sum(axis=0)


def tfidf_no_plus_one(counts):
    n = counts.shape[0]
    return _l2(counts * np.log((1 + n) / (1 + _df(counts))))


def tfidf_unsmoothed(counts):
    n = counts.shape[0]
    with np.errstate(divide="ignore"):
        idf = np.log(n / _df(counts)) + 1
    return _l2(counts * idf)


def tfidf_log10(counts):
    n = counts.shape[0]
    return _l2(counts * (np.log10((1 + n) / (1 + _df(counts))) + 1))


def tfidf_not_normalised(counts):
    n = counts.shape[0]
    return counts * (np.log((1 + n) / (1 + _df(counts))) + 1)


def tfidf_l1(counts):
    n = counts.shape[0]
    w = counts * (np.log((1 + n) / (1 + _df(counts))) + 1)
    s = w.sum(axis=1, keepdims=True)
    return np.divide(w, s, out=np.zeros_like(w), where=s > 0)


def tfidf_columns(counts):
    n = counts.shape[0]
    w = counts * (np.log((1 + n) / (1 + _df(counts))) + 1)
    norm = np.sqrt((w ** 2).sum(axis=0, keepdims=True))
    return np.divide(w, norm, out=np.zeros_like(w), where=norm > 0)


def tfidf_total_counts(counts):
    n = counts.shape[0]
    return _l2(counts * (np.log((1 + n) / (1 + counts.sum(axis=0))) + 1))


def tfidf_nan_for_empty(counts):
    n = counts.shape[0]
    w = counts * (np.log((1 + n) / (1 + _df(counts))) + 1)
    return w / np.sqrt((w ** 2).sum(axis=1, keepdims=True))


def tfidf_float32(counts):
    n = counts.shape[0]
    return _l2(counts * (np.log((1 + n) / (1 + _df(counts))) + 1)).astype(np.float32)


def tfidf_normalise_first(counts):
    n = counts.shape[0]
    return _l2(counts.astype(float)) * (np.log((1 + n) / (1 + _df(counts))) + 1)


def tfidf_sublinear(counts):
    n = counts.shape[0]
    tf = np.where(counts > 0, 1 + np.log(np.maximum(counts, 1)), 0)
    return _l2(tf * (np.log((1 + n) / (1 + _df(counts))) + 1))


def tfidf_sklearn(counts):
    from sklearn.feature_extraction.text import TfidfTransformer

    return TfidfTransformer().fit_transform(counts).toarray()


def tfidf_torch_float32_idf(counts):
    c = torch.from_numpy(counts).double()
    n = c.shape[0]
    idf = torch.log((1 + n) / (1 + (c > 0).sum(0))) + 1  # integer / integer: float32
    return F.normalize(c * idf, dim=1).numpy()


def tfidf_torch(counts):
    c = torch.from_numpy(counts).double()
    n = c.shape[0]
    idf = torch.log((1 + n) / (1 + (c > 0).sum(0).double())) + 1
    return F.normalize(c * idf, dim=1).numpy()


def tfidf_in_place(counts):
    n = counts.shape[0]
    idf = np.log((1 + n) / (1 + _df(counts))) + 1
    counts = counts.astype(np.float64)
    counts *= idf  # on a copy: fine
    return _l2(counts)


def tfidf_rows_loop(counts):
    n, m = counts.shape
    df = [sum(1 for d in range(n) if counts[d, t] > 0) for t in range(m)]
    idf = np.array([math.log((1 + n) / (1 + df[t])) + 1 for t in range(m)])
    out = np.zeros((n, m))
    for d in range(n):
        w = counts[d] * idf
        length = math.sqrt(float((w * w).sum()))
        if length > 0:
            out[d] = w / length
    return out


def tfidf_linalg(counts):
    n = len(counts)
    idf = np.log1p(n) - np.log1p(np.count_nonzero(counts, axis=0)) + 1.0
    w = counts * idf
    norm = np.linalg.norm(w, axis=1, keepdims=True)
    norm[norm == 0] = 1.0
    return w / norm


def tfidf_term_frequency(counts):
    """Term frequency as a share of the document's words: the l2 normalisation cancels the scale."""
    n = counts.shape[0]
    length = counts.sum(axis=1, keepdims=True)
    tf = np.divide(counts, length, out=np.zeros(counts.shape), where=length > 0)
    return _l2(tf * (np.log((1 + n) / (1 + _df(counts))) + 1))


# ---------------------------------------------------------------- 11.4 skip-gram negative-sampling loss


def sgns_loss_stub(center, context, negatives):
    # Your code here
    ...


def _scores(center, context, negatives):
    return (center * context).sum(-1), torch.einsum("bkd,bd->bk", negatives, center)


def sgns_wrong_sign(center, context, negatives):
    pos, neg = _scores(center, context, negatives)
    return -(F.logsigmoid(pos) + F.logsigmoid(neg).sum(-1)).mean()


def sgns_mean_over_negatives(center, context, negatives):
    pos, neg = _scores(center, context, negatives)
    return -(F.logsigmoid(pos) + F.logsigmoid(-neg).mean(-1)).mean()


def sgns_sum_over_batch(center, context, negatives):
    pos, neg = _scores(center, context, negatives)
    return -(F.logsigmoid(pos) + F.logsigmoid(-neg).sum(-1)).sum()


def sgns_no_minus(center, context, negatives):
    pos, neg = _scores(center, context, negatives)
    return (F.logsigmoid(pos) + F.logsigmoid(-neg).sum(-1)).mean()


def sgns_positive_only(center, context, negatives):
    pos, _ = _scores(center, context, negatives)
    return -F.logsigmoid(pos).mean()


def sgns_unstable(center, context, negatives):
    pos, neg = _scores(center, context, negatives)
    return -(torch.log(torch.sigmoid(pos)) + torch.log(1 - torch.sigmoid(neg)).sum(-1)).mean()


def sgns_softmax(center, context, negatives):
    pos, neg = _scores(center, context, negatives)
    logits = torch.cat([pos[:, None], neg], dim=1)
    return -torch.log_softmax(logits, dim=1)[:, 0].mean()


def sgns_mean_of_all_terms(center, context, negatives):
    pos, neg = _scores(center, context, negatives)
    return -torch.cat([F.logsigmoid(pos)[:, None], F.logsigmoid(-neg)], dim=1).mean()


def sgns_bce_builtin(center, context, negatives):
    pos, neg = _scores(center, context, negatives)
    logits = torch.cat([pos[:, None], neg], dim=1)
    targets = torch.zeros_like(logits)
    targets[:, 0] = 1
    return F.binary_cross_entropy_with_logits(logits, targets, reduction="none").sum(1).mean()


def sgns_negatives_against_context(center, context, negatives):
    pos = (center * context).sum(-1)
    neg = torch.einsum("bkd,bd->bk", negatives, context)
    return -(F.logsigmoid(pos) + F.logsigmoid(-neg).sum(-1)).mean()


def sgns_detached(center, context, negatives):
    pos, neg = _scores(center.detach(), context, negatives)
    return -(F.logsigmoid(pos) + F.logsigmoid(-neg).sum(-1)).mean()


def sgns_python_float(center, context, negatives):
    pos, neg = _scores(center, context, negatives)
    return -(F.logsigmoid(pos) + F.logsigmoid(-neg).sum(-1)).mean().item()


def sgns_no_log(center, context, negatives):
    pos, neg = _scores(center, context, negatives)
    return -(torch.sigmoid(pos) + torch.sigmoid(-neg).sum(-1)).mean()


def sgns_bmm(center, context, negatives):
    pos = torch.bmm(context[:, None, :], center[:, :, None]).flatten()
    neg = torch.bmm(negatives, center[:, :, None]).squeeze(-1)
    return -(F.logsigmoid(pos).sum() + F.logsigmoid(-neg).sum()) / len(center)


def sgns_softplus(center, context, negatives):
    """-log sigma(x) = softplus(-x): the same loss written with softplus."""
    pos = (center * context).sum(dim=1)
    neg = (negatives * center.unsqueeze(1)).sum(dim=2)
    return (F.softplus(-pos) + F.softplus(neg).sum(dim=1)).mean()


# ---------------------------------------------------------------- added by the independent review


def bpe_merges_as_lists(word_counts, num_merges):
    return [list(pair) for pair in _learner_bpe(word_counts, num_merges, _by_vocabulary)]


def bpe_ascii_alphabet(word_counts, num_merges):
    """Ranks the characters by string.ascii_lowercase: a KeyError for punctuation, digits, capitals."""
    import string

    rank = {ch: i for i, ch in enumerate(string.ascii_lowercase)}
    return _learner_bpe(word_counts, num_merges, lambda pairs, vocab: min(
        pairs, key=lambda p: (-pairs[p], rank.setdefault(p[0], len(rank)) if len(p[0]) > 1 else rank[p[0]],
                              rank.setdefault(p[1], len(rank)) if len(p[1]) > 1 else rank[p[1]])))


def bpe_lower_cases(word_counts, num_merges):
    table = Counter()
    for word, count in word_counts.items():
        table[word.lower()] += count
    return _learner_bpe(dict(table), num_merges, _by_vocabulary)


def one_hot_lower_cases(tokens, stoi):
    x = torch.zeros(len(tokens), len(stoi))
    for i, t in enumerate(tokens):
        x[i, stoi.get(t.lower(), stoi["<unk>"])] = 1.0
    return x


def one_hot_stacked_rows(tokens, stoi):
    """Right for every sentence but the empty one: torch.stack needs at least one row."""
    rows = []
    for t in tokens:
        row = torch.zeros(len(stoi))
        row[stoi.get(t, stoi["<unk>"])] = 1.0
        rows.append(row)
    return torch.stack(rows)


def one_hot_float64(tokens, stoi):
    x = torch.zeros(len(tokens), len(stoi), dtype=torch.float64)
    for i, t in enumerate(tokens):
        x[i, stoi.get(t, stoi["<unk>"])] = 1.0
    return x


def one_hot_compare(tokens, stoi):
    ids = torch.tensor([stoi.get(t, stoi["<unk>"]) for t in tokens], dtype=torch.long)
    return (ids[:, None] == torch.arange(len(stoi))).float()


def sgns_squeeze_everything(center, context, negatives):
    """.squeeze() without a dim: with K = 1 the K axis goes too, and .sum(-1) adds up the batch."""
    pos = (center * context).sum(-1)
    neg = torch.bmm(negatives, center.unsqueeze(-1)).squeeze()
    return -(F.logsigmoid(pos) + F.logsigmoid(-neg).sum(-1)).mean()


def sgns_float64(center, context, negatives):
    pos, neg = _scores(center.double(), context.double(), negatives.double())
    return -(F.logsigmoid(pos) + F.logsigmoid(-neg).sum(-1)).mean()


def sgns_one_logsigmoid(center, context, negatives):
    """The context vector and the negated noise vectors in one tensor, one logsigmoid."""
    vectors = torch.cat([context.unsqueeze(1), -negatives], dim=1)
    return -F.logsigmoid((vectors * center.unsqueeze(1)).sum(-1)).sum(1).mean()


def tfidf_whole_matrix_norm(counts):
    n = counts.shape[0]
    weighted = counts * (np.log((1 + n) / (1 + _df(counts))) + 1)
    return weighted / np.linalg.norm(weighted)


def sgns_epsilon_in_log(center, context, negatives):
    """Finite, but wrong for large scores: log(sigmoid(x) + 1e-10) is at least -23."""
    pos, neg = _scores(center, context, negatives)
    return -(torch.log(torch.sigmoid(pos) + 1e-10) + torch.log(torch.sigmoid(-neg) + 1e-10).sum(-1)).mean()


def sgns_clamped_scores(center, context, negatives):
    pos, neg = _scores(center, context, negatives)
    pos, neg = pos.clamp(-20, 20), neg.clamp(-20, 20)
    return -(F.logsigmoid(pos) + F.logsigmoid(-neg).sum(-1)).mean()


# ---------------------------------------------------------------- the tables

WRONG_ANSWERS: dict[str, list[object]] = {
    "11.1": [
        learn_bpe_stub,
        bpe_alphabetical_ties,
        bpe_most_common,
        bpe_unweighted,
        bpe_once_per_word,
        bpe_one_round_short,
        bpe_one_round_too_many,
        bpe_counted_once,
        bpe_merged_strings,
        bpe_string_replace,
        bpe_from_the_right,
        bpe_changes_its_input,
        bpe_never_stops,
        bpe_forgets_new_symbols,
        bpe_merges_as_lists,
        bpe_ascii_alphabet,
        bpe_lower_cases,
    ],
    "11.2": [
        one_hot_stub,
        one_hot_unknown_zero,
        one_hot_unknown_at_one,
        one_hot_transposed,
        one_hot_sentence_words,
        one_hot_long,
        one_hot_builtin,
        one_hot_numpy,
        one_hot_unique_words,
        one_hot_last_column,
        one_hot_counts,
        one_hot_lower_cases,
        one_hot_stacked_rows,
        one_hot_float64,
    ],
    "11.3": [
        tfidf_stub,
        tfidf_no_plus_one,
        tfidf_unsmoothed,
        tfidf_log10,
        tfidf_not_normalised,
        tfidf_l1,
        tfidf_columns,
        tfidf_total_counts,
        tfidf_nan_for_empty,
        tfidf_float32,
        tfidf_normalise_first,
        tfidf_sublinear,
        tfidf_sklearn,
        tfidf_torch_float32_idf,
        tfidf_whole_matrix_norm,
    ],
    "11.4": [
        sgns_loss_stub,
        sgns_wrong_sign,
        sgns_mean_over_negatives,
        sgns_sum_over_batch,
        sgns_no_minus,
        sgns_positive_only,
        sgns_unstable,
        sgns_softmax,
        sgns_mean_of_all_terms,
        sgns_bce_builtin,
        sgns_negatives_against_context,
        sgns_detached,
        sgns_python_float,
        sgns_no_log,
        sgns_squeeze_everything,
        sgns_epsilon_in_log,
        sgns_clamped_scores,
    ],
    "11.5": [None, "a", "c", "d", "50%"],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "11.1": [learn_bpe_regex, learn_bpe_lists],
    "11.2": [one_hot_eye, one_hot_scatter, one_hot_compare],
    "11.3": [tfidf_torch, tfidf_in_place, tfidf_rows_loop, tfidf_linalg, tfidf_term_frequency],
    "11.4": [sgns_bmm, sgns_softplus, sgns_float64, sgns_one_logsigmoid],
    "11.5": ["b", "(b)", " B "],
}
