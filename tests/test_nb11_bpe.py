"""The reference behind check("11.1") breaks ties as the Hugging Face BPE trainer does.

Notebook 11 says that the vocabulary-order tie rule of its exercise reproduces the merges of
``tokenizers``' ``BpeTrainer``. The notebook proves it on the review sentences; this test proves it
on every word table the check itself uses (ties, repeated letters, more merges than possible).
"""

from __future__ import annotations

import json

import pytest

from course_utils.exercises.nb11 import _bpe, _bpe_cases

tokenizers = pytest.importorskip("tokenizers")


def _hugging_face_merges(word_counts: dict[str, int], num_merges: int) -> list[tuple[str, str]]:
    alphabet = {ch for word in word_counts for ch in word}
    tokenizer = tokenizers.Tokenizer(tokenizers.models.BPE())
    tokenizer.pre_tokenizer = tokenizers.pre_tokenizers.Whitespace()
    trainer = tokenizers.trainers.BpeTrainer(vocab_size=len(alphabet) + num_merges, min_frequency=0,
                                             show_progress=False)
    tokenizer.train_from_iterator([word for word, count in word_counts.items() for _ in range(count)], trainer)
    merges = json.loads(tokenizer.to_str())["model"]["merges"]
    return [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in merges]


@pytest.mark.parametrize("case", [c for c in _bpe_cases() if c[2] > 0], ids=lambda c: c[0][:30])
def test_reference_bpe_matches_hugging_face(case: tuple[str, dict[str, int], int]) -> None:
    _, word_counts, num_merges = case
    assert _bpe(word_counts, num_merges) == _hugging_face_merges(word_counts, num_merges)
