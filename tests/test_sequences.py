"""The sequence helpers: character vocabulary, sampling, language-model windows, attention plot."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch

from course_utils.sequences import CharVocab, plot_attention, random_windows, sample_next


def test_vocab_sorts_characters_after_the_specials_and_round_trips():
    vocab = CharVocab(["emma", "ava"], specials=".")
    assert vocab.itos == [".", "a", "e", "m", "v"]
    assert vocab.stoi == {".": 0, "a": 1, "e": 2, "m": 3, "v": 4}
    ids = vocab.encode(".ava.")
    assert ids.dtype == torch.long and ids.tolist() == [0, 1, 4, 1, 0]
    assert vocab.decode(ids) == ".ava." and vocab.decode([2, 3, 3, 1]) == "emma"
    assert len(CharVocab("hello")) == 4


@pytest.mark.parametrize(("call", "error", "words"), [
    (lambda v: v.encode("abz"), ValueError, "'z' not in this vocabulary"),
    (lambda v: v.encode(["a"]), TypeError, "needs a string"),
    (lambda v: v.decode([0, 9]), ValueError, "from 0 to 2"),
    (lambda v: v.decode(torch.zeros(2, 2, dtype=torch.long)), ValueError, "1-D"),
    (lambda v: v.decode([1.0]), ValueError, "whole numbers"),
])
def test_vocab_errors_say_what_to_do(call, error, words):
    with pytest.raises(error, match=words):
        call(CharVocab("abc"))


def test_vocab_rejects_bad_construction():
    with pytest.raises(ValueError, match="no characters"):
        CharVocab("")
    with pytest.raises(ValueError, match="single characters"):
        CharVocab("abc", specials=["<s>"])
    with pytest.raises(TypeError, match="needs strings"):
        CharVocab([1, 2])


def test_sample_next_greedy_top_k_and_temperature():
    logits = torch.tensor([[0.0, 3.0, 1.0, -1.0], [2.0, 0.0, 0.0, 5.0]])
    assert sample_next(logits, temperature=0).tolist() == [1, 3]
    generator = torch.Generator().manual_seed(0)
    draws = torch.stack([sample_next(logits, top_k=2, generator=generator) for _ in range(400)])
    assert set(draws[:, 0].tolist()) == {1, 2} and set(draws[:, 1].tolist()) == {0, 3}
    # a low temperature concentrates the draws on the largest logit, a high one spreads them
    cold = torch.stack([sample_next(logits[0], temperature=0.2, generator=generator) for _ in range(400)])
    hot = torch.stack([sample_next(logits[0], temperature=5.0, generator=generator) for _ in range(400)])
    assert (cold == 1).float().mean() > 0.99 and (hot == 1).float().mean() < 0.6
    assert sample_next(logits[0], generator=generator).shape == ()
    with pytest.raises(ValueError, match="at least 0"):
        sample_next(logits, temperature=-1)
    with pytest.raises(ValueError, match="float tensor"):
        sample_next(torch.ones(2, 2, 2))


def test_random_windows_are_shifted_by_one():
    tokens = torch.arange(100)
    x, y = random_windows(tokens, 8, 5, generator=torch.Generator().manual_seed(1))
    assert x.shape == y.shape == (5, 8)
    assert torch.equal(y, x + 1) and int(y.max()) <= 99
    with pytest.raises(ValueError, match="too short"):
        random_windows(torch.arange(5), 5, 1)
    with pytest.raises(ValueError, match="1-D integer"):
        random_windows(torch.rand(10), 3, 1)


def test_plot_attention_labels_every_row_and_column():
    from course_utils.plots import use_course_style

    use_course_style()  # its grid would cross the heatmap's cells
    weights = torch.softmax(torch.randn(3, 5), dim=-1)
    ax = plot_attention(weights, list("abc"), list("vwxyz"), title="demo")
    assert [t.get_text() for t in ax.get_xticklabels()] == list("vwxyz")
    assert [t.get_text() for t in ax.get_yticklabels()] == list("abc")
    assert not any(line.get_visible() for line in ax.get_xgridlines() + ax.get_ygridlines())
    with pytest.raises(ValueError, match="one label per row"):
        plot_attention(weights, list("ab"), list("vwxyz"))
    plt.close("all")
