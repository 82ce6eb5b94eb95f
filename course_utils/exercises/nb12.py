"""Exercises of notebook 12 (Attention and sequence-to-sequence)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from course_utils.checks import (
    Wrong,
    assert_tensor_close,
    call,
    exercise,
    expect_defaults,
    expect_function,
    expect_tensor,
    forbid,
    forbid_kernels,
    forward_backward,
    matching_mistake,
    multiple_choice,
)

# ---------------------------------------------------------------- 12.1 ordinal numbers


def _ordinal(day: int) -> str:
    """1 -> '1st', 2 -> '2nd', 3 -> '3rd', 4 -> '4th', 11 to 13 -> 'th', 21 -> '21st' ..."""
    if 11 <= day % 100 <= 13:
        return f"{day}th"
    return f"{day}{({1: 'st', 2: 'nd', 3: 'rd'}).get(day % 10, 'th')}"


@exercise(
    "12.1",
    title="Ordinal numbers for days",
    hint="Most days end in 'th'; the last digit decides the others. Say 11, 12, 13, 21, 22 and 23 aloud as "
         "ordinals before you write the rule. Return the number and its suffix as one string, with no space.",
)
def check_ordinal(answer: Any) -> None:
    """The answer is a function ordinal(day) -> str for the days 1 to 31: '1st', '2nd', ..., '31st'."""
    expect_function(answer, "ordinal(day)")
    got = {}
    for day in range(1, 32):
        value = call(answer, day, name="ordinal")
        if not isinstance(value, str):
            raise Wrong(f"ordinal({day}) returned {type(value).__name__} {value!r}, not a string.",
                        hint="Build a string such as f\"{day}rd\".")
        got[day] = value
    for day, value in got.items():
        expected = _ordinal(day)
        if value == expected:
            continue
        if value.strip() != value or " " in value:
            raise Wrong(f"ordinal({day}) returned {value!r}: no spaces, the text reads '{expected}'.")
        if value.lower() == expected and value != expected:
            raise Wrong(f"ordinal({day}) returned {value!r}: write the suffix in lower case, '{expected}'.")
        if not value.startswith(str(day)) or not value[len(str(day)):].isalpha():
            raise Wrong(f"ordinal({day}) returned {value!r}, expected {expected!r}: the number itself in digits, "
                        "then two letters.")
        if day in (11, 12, 13):
            raise Wrong(f"ordinal({day}) returned {value!r}, expected {expected!r}: the teens are the exception, "
                        "11th, 12th and 13th (say 'eleventh', not 'eleven-first').",
                        hint="Test for 11, 12 and 13 before you look at the last digit.")
        if day in (21, 22, 23, 31):
            raise Wrong(f"ordinal({day}) returned {value!r}, expected {expected!r}: the suffix follows the last "
                        "digit (21st, 22nd, 23rd, 31st), not only the days 1, 2 and 3.",
                        hint="Look at day % 10 for the last digit.")
        raise Wrong(f"ordinal({day}) returned {value!r}, expected {expected!r}.")


# ---------------------------------------------------------------- 12.2 greedy decoding


class _Decoder(nn.Module):
    """A tiny random decoder step: embedding, GRU cell, linear read-out; it checks what it is given."""

    def __init__(self, vocab: int, hidden: int, seed: int) -> None:
        super().__init__()
        generator = torch.Generator().manual_seed(seed)
        self.embed = nn.Embedding(vocab, 5)
        self.cell = nn.GRUCell(5, hidden)
        self.out = nn.Linear(hidden, vocab)
        with torch.no_grad():
            for parameter in self.parameters():
                parameter.copy_(2.0 * torch.randn(parameter.shape, generator=generator))
        self.calls: list[tuple[torch.Tensor, torch.Tensor]] = []
        self.vocab = vocab

    def step(self, tokens: Any, state: Any) -> tuple[torch.Tensor, torch.Tensor]:
        if not isinstance(tokens, torch.Tensor):
            raise Wrong(f"step was given {type(tokens).__name__} as its tokens; give it a tensor of token ids, "
                        "one per example, of shape (B,).",
                        hint="The first tokens are torch.full((B,), start_id), with B = state.shape[0].")
        if tokens.dtype != torch.long:
            raise Wrong(f"step was given tokens of dtype {tokens.dtype}; token ids are whole numbers (torch.long): "
                        "an embedding looks them up by index.",
                        hint="torch.full((B,), start_id, dtype=torch.long); argmax already returns torch.long.")
        if not isinstance(state, torch.Tensor) or state.dim() != 2:
            raise Wrong("step was given a state that is not the (B, H) tensor it returned: pass the state on as "
                        "it is.")
        if tuple(tokens.shape) != (state.shape[0],):
            raise Wrong(f"step was given tokens of shape {tuple(tokens.shape)} for a batch of {state.shape[0]}: give "
                        f"it one token id per example, shape ({state.shape[0]},).",
                        hint="argmax over the last dimension of the (B, V) logits gives shape (B,).")
        if tokens.min() < 0 or tokens.max() >= self.vocab:
            raise Wrong(f"step was given token ids outside 0 to {self.vocab - 1}.")
        self.calls.append((tokens.detach().clone(), state.detach().clone()))
        new_state = self.cell(self.embed(tokens), state)
        return self.out(new_state), new_state


def _greedy(decoder: _Decoder, state: torch.Tensor, start_id: int, steps: int) -> torch.Tensor:
    tokens = torch.full((state.shape[0],), start_id, dtype=torch.long)
    out = []
    for _ in range(steps):
        state = decoder.cell(decoder.embed(tokens), state)
        tokens = decoder.out(state).argmax(-1)
        out.append(tokens)
    return torch.stack(out, 1)


def _greedy_mistakes(decoder: _Decoder, state: torch.Tensor, start_id: int, steps: int
                     ) -> list[tuple[Callable[[], torch.Tensor], str]]:
    def run(feed: str = "argmax", keep_state: bool = True, count: int = steps, with_start: bool = False
            ) -> torch.Tensor:
        tokens = torch.full((state.shape[0],), start_id, dtype=torch.long)
        s, out = state, [tokens] if with_start else []
        for _ in range(count):
            new = decoder.cell(decoder.embed(tokens), s)
            chosen = decoder.out(new).argmax(-1)
            if keep_state:
                s = new
            out.append(chosen)
            tokens = chosen if feed == "argmax" else tokens
        return torch.stack(out, 1)

    return [
        (lambda: run(feed="start"), "Every step was fed the start token. Feed each step the token chosen at the step "
                                    "before: that is what makes decoding autoregressive."),
        (lambda: run(keep_state=False), "Every step started from the encoder's state again: pass on the state that "
                                        "step returns, so the decoder remembers what it has written."),
        (lambda: run(with_start=True)[:, :steps], "Your first column is the start token: return only the tokens the "
                                                  "decoder chose, not the one you fed it."),
        (lambda: run(count=steps - 1), "You decoded one step too few."),
    ]


@exercise(
    "12.2",
    title="Greedy decoding",
    hint="B is state.shape[0]; torch.full makes the first tokens. In the loop, keep both things step returns: "
         "the state for the next call, and the logits, whose argmax over the vocabulary is the next input. "
         "torch.stack turns a list of (B,) tensors into a (B, steps) one.",
)
def check_greedy(answer: Any) -> None:
    """The answer is greedy_decode(step, state, start_id, steps) -> a (B, steps) tensor of token ids."""
    expect_function(answer, "greedy_decode(step, state, start_id, steps)")
    cases = [(1, 7, 3, 6, 0), (4, 5, 10, 3, 2), (3, 9, 1, 4, 5), (6, 4, 8, 9, 1)]
    for index, (batch, vocab, steps, hidden, start_id) in enumerate(cases):
        decoder = _Decoder(vocab, hidden, seed=120 + index)
        state = torch.randn(batch, hidden, generator=torch.Generator().manual_seed(index))
        with torch.no_grad():
            expected = _greedy(decoder, state, start_id, steps)
            mistakes = _greedy_mistakes(decoder, state, start_id, steps)
            where = f"For a batch of {batch}, {steps} steps and start_id={start_id}"
            decoder.calls.clear()
            got = call(answer, decoder.step, state, start_id, steps, name="greedy_decode")
        got = expect_tensor(got, f"{where}, the result")
        if got.is_floating_point():
            raise Wrong(f"{where} you returned floating-point numbers of shape {tuple(got.shape)}: return the "
                        "chosen token ids (argmax of the logits), not the logits or probabilities.",
                        hint="tokens = logits.argmax(-1) is a torch.long tensor of shape (B,).")
        if tuple(got.shape) == (steps, batch) and batch != steps and torch.equal(got.T.long(), expected):
            raise Wrong(f"{where} you returned shape {tuple(got.shape)}: the right tokens, transposed. Stack the "
                        "steps along dimension 1, for shape (B, steps).",
                        hint="torch.stack(chosen, dim=1)")
        if tuple(got.shape) == (batch, steps + 1) and torch.equal(got[:, 1:].long(), expected):
            raise Wrong(f"{where} your first column is the start token: return only the {steps} tokens the "
                        "decoder chose.")
        if len(decoder.calls) != steps:
            raise Wrong(f"{where} your function called step {len(decoder.calls)} times; greedy decoding of "
                        f"{steps} tokens calls it exactly {steps} times, once per token.")
        first_tokens, first_state = decoder.calls[0]
        if not torch.equal(first_tokens, torch.full((batch,), start_id)):
            raise Wrong(f"{where} the first call of step got tokens {first_tokens.tolist()}: the first input is "
                        f"the start token, {start_id}, for every example.")
        if not torch.equal(first_state, state):
            raise Wrong(f"{where} the first call of step did not get the state you were given.")
        expect_tensor(got, f"{where}, the result", shape=(batch, steps), dtype=torch.long)
        if not torch.equal(got, expected):
            named = matching_mistake(got, [(m, why) for m, why in mistakes], atol=0, rtol=0)
            if named:
                raise Wrong(f"{where}: {named}")
            tokens_fed = torch.stack([tokens for tokens, _ in decoder.calls[1:]], 1) if steps > 1 else None
            if tokens_fed is not None and not torch.equal(tokens_fed, got[:, :-1]):
                raise Wrong(f"{where}: the token fed to step t + 1 is not the token you returned for step t. "
                            "Feed back exactly what you chose.")
            raise Wrong(f"{where} your tokens differ from greedy decoding's: at every step take the most likely "
                        "token, the argmax of the logits over the vocabulary (the last dimension).")


# ---------------------------------------------------------------- 12.3 predict: the bottleneck

exercise(
    "12.3",
    title="Predict: an encoder-decoder without attention",
    hint="All the models see the same dates for the same number of steps. Think about what the decoder has to learn "
         "when everything it knows of the input reaches it through one vector, and what changes when it can look at "
         "the input's characters directly.",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "A date is little information, and 64 numbers could hold it. But the model has to learn to put it "
                 "there, and every digit of the output is learned through that one vector: with the same budget it "
                 "gets far fewer dates right, fewest where the day is spelled out in words.",
            "b": "Right: with the same training budget the model without attention gets far fewer dates exactly "
                 "right. Everything the decoder learns about the input, the encoder must first learn to put into "
                 "that one vector, and the training signal for every output character passes through it. Attention "
                 "gives every output step a direct path to the characters it needs.",
            "c": "Having nothing extra to learn does not make it learn faster here: every digit of the output must "
                 "be squeezed through the one vector, and that is learned slowly.",
            "d": "It does learn: after the same budget it gets most dates right, just far fewer than the models with "
                 "attention. A fixed vector can hold a date; the trouble is learning to put it there.",
        },
    )
)


# ---------------------------------------------------------------- 12.4 additive attention

_ATTENTION_CASES = [  # (batch, source length, d_q, d_k, d_a): all different, so a transpose cannot hide
    (1, 5, 3, 4, 6),
    (4, 7, 6, 3, 5),
    (3, 1, 2, 5, 4),
    (5, 9, 8, 4, 7),
    (2, 6, 5, 7, 3),
]


# PyTorch's attention kernels under their private aliases (torch._C._nn.scaled_dot_product_attention,
# torch.ops.aten._scaled_dot_product_attention_math, ...), which forbid cannot patch.
_ATTENTION_KERNELS = ("scaled_dot_product", "_scaled_dot_product", "multi_head_attention",
                      "_native_multi_head_attention", "_flash_attention", "_efficient_attention",
                      "_cudnn_attention", "_fused_sdp")
_KERNELS_INSTEAD = ("It is a ready-made attention kernel: compute the scores, the softmax and the weighted sum "
                    "with tensor operations.")


def _additive(query: torch.Tensor, keys: torch.Tensor, W_q: torch.Tensor, W_k: torch.Tensor, v: torch.Tensor,
              mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    scores = torch.tanh((query @ W_q.T)[:, None, :] + keys @ W_k.T) @ v
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return (weights[:, :, None] * keys).sum(1), weights


def _inputs(case: tuple[int, int, int, int, int], seed: int, padded: bool
            ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor | None]:
    batch, length, d_q, d_k, d_a = case
    generator = torch.Generator().manual_seed(seed)
    query = torch.randn(batch, d_q, generator=generator)
    wide = torch.randn(batch, length, d_k + 2, generator=generator)
    keys = wide[:, :, 1:1 + d_k]  # a view into a bigger tensor, as encoder outputs often are
    W_q = torch.randn(d_a, d_q, generator=generator) / math.sqrt(d_q)
    W_k = torch.randn(d_a, d_k, generator=generator) / math.sqrt(d_k)
    v = 2 * torch.randn(d_a, generator=generator)
    mask = None
    if padded:
        lengths = torch.randint(1, length + 1, (batch,), generator=generator)
        lengths[0] = max(1, length - 2) if length > 1 else 1  # at least one padded row when it can be
        mask = torch.arange(length)[None, :] < lengths[:, None]
        keys[~mask] = 3.0 + 5 * keys[~mask].abs()  # padding positions hold big, misleading values
    return query, keys, W_q, W_k, v, mask


def _attention_mistakes(query: torch.Tensor, keys: torch.Tensor, W_q: torch.Tensor, W_k: torch.Tensor,
                        v: torch.Tensor, mask: torch.Tensor | None
                        ) -> list[tuple[str, Callable[[], tuple[torch.Tensor, torch.Tensor]]]]:
    d_a = W_q.shape[0]
    pre = (query @ W_q.T)[:, None, :] + keys @ W_k.T

    def finish(scores: torch.Tensor, dim: int = -1, masked: bool = True, values: torch.Tensor = keys
               ) -> tuple[torch.Tensor, torch.Tensor]:
        if masked and mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = torch.softmax(scores, dim=dim)
        return (weights[:, :, None] * values).sum(1), weights

    def after_softmax() -> tuple[torch.Tensor, torch.Tensor]:
        weights = torch.softmax(torch.tanh(pre) @ v, dim=-1) * mask
        return (weights[:, :, None] * keys).sum(1), weights

    def zero_scores() -> tuple[torch.Tensor, torch.Tensor]:
        return finish((torch.tanh(pre) @ v) * mask, masked=False)

    def opposite() -> tuple[torch.Tensor, torch.Tensor]:
        scores = (torch.tanh(pre) @ v).masked_fill(mask, float("-inf"))
        return finish(scores, masked=False)

    def mean_context() -> tuple[torch.Tensor, torch.Tensor]:
        _, weights = finish(torch.tanh(pre) @ v)
        return keys.mean(1), weights

    def unnormalised() -> tuple[torch.Tensor, torch.Tensor]:
        scores = torch.tanh(pre) @ v
        weights = scores.exp() if mask is None else scores.exp() * mask
        return (weights[:, :, None] * keys).sum(1), weights

    def sigmoid() -> tuple[torch.Tensor, torch.Tensor]:
        weights = torch.sigmoid(torch.tanh(pre) @ v)
        if mask is not None:
            weights = weights * mask
        return (weights[:, :, None] * keys).sum(1), weights

    mistakes = [
        ("The tanh is missing: additive attention scores e_j = v . tanh(W_q q + W_k k_j); without the tanh the "
         "score is linear and adds nothing a dot product would not.", lambda: finish(pre @ v)),
        ("The softmax runs over the batch (dimension 0): each example's weights must sum to 1 over its own source "
         "positions, the last dimension of the scores.", lambda: finish(torch.tanh(pre) @ v, dim=0)),
        *[(f"You scaled the scores by 1 / sqrt({name}): that belongs to the scaled dot-product attention of "
           "transformers (notebook 13). Additive attention uses v . tanh(...) as it is.",
           lambda size=size: finish(torch.tanh(pre) @ v / math.sqrt(size)))
          for name, size in (("d_a", d_a), ("d_k", keys.shape[-1]), ("d_q", query.shape[-1]))],
        ("You applied the tanh after v: the score is v . tanh(W_q q + W_k k_j), the tanh inside, on the d_a-vector, "
         "before the dot product with v.", lambda: finish(torch.tanh(pre @ v))),
        ("The context is the plain mean of the keys: weight each key by its attention weight, sum_j a_j k_j.",
         mean_context),
        ("The context mixes the projected keys W_k k_j: the context is a weighted sum of the keys themselves.",
         lambda: finish(torch.tanh(pre) @ v, values=keys @ W_k.T)),
        ("Your weights are exp(scores) without the division by their sum: use a softmax, so they sum to 1.",
         unnormalised),
        ("You used a sigmoid: each weight lies in (0, 1) but they do not sum to 1. Use a softmax over the source "
         "positions.", sigmoid),
    ]
    if mask is not None:
        mistakes = [
            ("The mask is not used: padding positions get attention. Set their scores to -inf before the softmax.",
             lambda: finish(torch.tanh(pre) @ v, masked=False)),
            ("Your mask has the opposite meaning: True marks a real input position (keep it) and False padding "
             "(give it zero weight). You blocked the real positions.", opposite),
            ("You multiplied the weights by the mask after the softmax: the padding gets zero weight but the "
             "others no longer sum to 1. Mask the scores (to -inf) before the softmax.", after_softmax),
            ("You set the padding's scores to 0 (scores * mask): exp(0) = 1 is not zero weight. Set them to -inf, "
             "for example with scores.masked_fill(~mask, float('-inf')).", zero_scores),
            *mistakes,
        ]
    return mistakes


def _as_pair(result: Any, where: str) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(result, tuple) or len(result) != 2:
        what = f"a tuple of {len(result)}" if isinstance(result, tuple) else type(result).__name__
        raise Wrong(f"{where}, you returned {what}: return two tensors, (context, weights).",
                    hint="return context, weights")
    return result


@exercise(
    "12.4",
    title="Additive attention",
    hint="Work with shapes: project the query to (B, d_a) and the keys to (B, S, d_a), add them with a position "
         "axis for the query, and reduce the d_a axis with v to get scores of shape (B, S). Padding must be out of the "
         "softmax, not only out of its result; the context weights the keys themselves.",
)
def check_additive_attention(answer: Any) -> None:
    """The answer is additive_attention(query, keys, W_q, W_k, v, mask=None) -> (context, weights)."""
    expect_function(answer, "additive_attention(query, keys, W_q, W_k, v, mask=None)")
    expect_defaults(answer, "additive_attention", mask=None)
    banned = ("torch.nn.functional.scaled_dot_product_attention", "torch.nn.functional.multi_head_attention_forward",
              "torch.nn.MultiheadAttention.forward")
    for index, case in enumerate(_ATTENTION_CASES):
        for padded in (False, True):
            query, keys, W_q, W_k, v, mask = _inputs(case, seed=10 * index + padded, padded=padded)
            batch, length, _, d_k, d_a = case
            where = (f"For a query of shape {tuple(query.shape)}, keys of shape {tuple(keys.shape)} and d_a = {d_a}"
                     + (", with a padding mask" if padded else ", with no mask"))
            with torch.no_grad():
                expected_context, expected_weights = _additive(query, keys, W_q, W_k, v, mask)
                mistakes = _attention_mistakes(query, keys, W_q, W_k, v, mask)
                try:
                    with forbid(*banned, answer=answer), forbid_kernels(*_ATTENTION_KERNELS, instead=_KERNELS_INSTEAD):
                        if padded:
                            result = call(answer, query, keys, W_q, W_k, v, mask, name="additive_attention")
                        else:  # the default: no mask at all
                            result = call(answer, query, keys, W_q, W_k, v, name="additive_attention")
                except RuntimeError as error:
                    if "shapes cannot be multiplied" in str(error) or "size of tensor" in str(error):
                        raise Wrong(f"{where}, your code raised: {error}. W_q has shape (d_a, d_q) and W_k "
                                    "(d_a, d_k), like an nn.Linear's weight: W_q q is query @ W_q.T for a batch of "
                                    "queries, (B, d_a), and W_k k_j is keys @ W_k.T, (B, S, d_a). To add them, give "
                                    "the query's projection a position axis: [:, None, :].") from None
                    raise
            context, weights = _as_pair(result, where)
            context = expect_tensor(context, f"{where}, the context (first result)", floating=True)
            weights = expect_tensor(weights, f"{where}, the weights (second result)", floating=True)
            if (tuple(context.shape) == (batch, length) and tuple(weights.shape) == (batch, d_k)
                    and length != d_k):
                raise Wrong(f"{where}, your results look swapped: return (context, weights), the context "
                            f"(shape {(batch, d_k)}) first.")
            if tuple(weights.shape) == (batch, length, 1):
                raise Wrong(f"{where}, your weights have shape {tuple(weights.shape)}: return them as (B, S), one "
                            "weight per source position (squeeze the last dimension).")
            expect_tensor(context, f"{where}, the context", shape=(batch, d_k))
            expect_tensor(weights, f"{where}, the weights", shape=(batch, length))
            for got, expected, part in ((weights, expected_weights, 1), (context, expected_context, 0)):
                if not torch.allclose(got, expected, atol=1e-5, rtol=1e-4, equal_nan=False):
                    if part == 1 and length > 1 and torch.allclose(got, torch.ones_like(got)):
                        raise Wrong(f"{where}, every weight is 1: your softmax ran over a dimension of size 1 (the "
                                    "batch, when it holds one example, or a trailing dimension you kept). Take it "
                                    "over the S source positions, the last dimension of the (B, S) scores.")
                    for why, mistake in mistakes:
                        try:
                            candidate = mistake()[part]
                        except RuntimeError:
                            continue
                        if candidate.shape == got.shape and torch.allclose(got, candidate, atol=1e-5, rtol=1e-4):
                            raise Wrong(f"{where}: {why}")
                    if padded and part == 1 and weights[~mask].abs().max() > 1e-6:
                        raise Wrong(f"{where}, padding positions get weight up to {weights[~mask].abs().max():.3g}: "
                                    "they must get exactly zero (masked scores of -inf before the softmax).")
                    sums = weights.sum(-1)
                    if part == 1 and not torch.allclose(sums, torch.ones_like(sums), atol=1e-5):
                        raise Wrong(f"{where}, your weights sum to {sums.tolist()} over the source positions, not to "
                                    "1: take the softmax over the last dimension.")
                    assert_tensor_close(got, expected, f"{where}, the {'weights' if part == 1 else 'context'}",
                                        atol=1e-5, rtol=1e-4)
        # Gradients: attention is trained by backpropagation through the weights and the context.
        query, keys, W_q, W_k, v, mask = _inputs(case, seed=100 + index, padded=True)

        def joined(function: Callable[..., Any], mask: torch.Tensor | None = mask
                   ) -> Callable[..., torch.Tensor]:
            def run(*tensors: torch.Tensor) -> torch.Tensor:
                context, weights = function(*tensors, mask)
                return torch.cat([context.flatten(), weights.flatten()])
            return run

        expected = forward_backward(joined(_additive), [query, keys, W_q, W_k, v], seed=index)
        with forbid(*banned, answer=answer), forbid_kernels(*_ATTENTION_KERNELS, instead=_KERNELS_INSTEAD):
            measured = forward_backward(joined(answer), [query, keys, W_q, W_k, v], seed=index)
        for name, got, want in zip(("query", "keys", "W_q", "W_k", "v"), measured.inputs, expected.inputs,
                                   strict=True):
            if got is None:
                raise Wrong(f"With a padding mask and batch {case[0]}, no gradient reaches {name}: part of your "
                            "computation is cut off from autograd (.detach(), .data, torch.no_grad(), NumPy).")
            if not torch.isfinite(got).all():
                raise Wrong(f"With a padding mask and batch {case[0]}, the gradient of {name} holds nan or inf.",
                            hint="masked_fill(~mask, float('-inf')) before the softmax keeps the gradients finite; "
                                 "multiplying -inf by 0 does not.")
            assert_tensor_close(got, want, f"With a padding mask and batch {case[0]}, the gradient of {name}",
                                atol=1e-4, rtol=1e-3)
