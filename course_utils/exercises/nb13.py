"""Exercises of notebook 13 (Transformers)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch

from course_utils.checks import (
    Wrong,
    assert_tensor_close,
    call,
    exercise,
    expect_defaults,
    expect_tensor,
    forbid,
    forbid_kernels,
    forward_backward,
    matching_mistake,
    multiple_choice,
)

# Everything that would compute attention for the learner.
_ATTENTION_BUILTINS = (
    "torch.nn.functional.scaled_dot_product_attention",
    "torch.nn.MultiheadAttention",
    "torch.nn.functional.multi_head_attention_forward",
)
# The same kernels under their private aliases (torch._C._nn.scaled_dot_product_attention,
# torch.ops.aten._scaled_dot_product_attention_math, torch._native_multi_head_attention, ...), which
# `forbid` cannot patch: a torch-function mode sees every call by the kernel's own name.
_MHA_KERNELS = ("multi_head_attention_forward", "_native_multi_head_attention", "_transformer_encoder_layer_fwd",
                "_triton_multi_head_attention")
_ATTENTION_KERNELS = (*_MHA_KERNELS, "scaled_dot_product_attention", "_scaled_dot_product", "_flash_attention",
                      "_efficient_attention", "_triton_scaled_dot_attention", "flex_attention")


@contextmanager
def _no_attention_builtins(answer: Any, instead: str, *, mha_only: bool = False) -> Iterator[None]:
    """``forbid`` the public attention builtins and block their private aliases while the answer runs."""
    targets = _ATTENTION_BUILTINS[1:] if mha_only else _ATTENTION_BUILTINS
    with forbid(*targets, answer=answer, instead=instead), \
            forbid_kernels(*(_MHA_KERNELS if mha_only else _ATTENTION_KERNELS), instead=instead):
        yield


def _randn(*shape: int, seed: int, scale: float = 1.0) -> torch.Tensor:
    return scale * torch.randn(shape, generator=torch.Generator().manual_seed(seed))


# ---------------------------------------------------------------- 13.1 scaled dot-product attention


def _masked_softmax_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, allowed: torch.Tensor | None,
                              scale: float, axis: int = -1) -> torch.Tensor:
    scores = q @ k.transpose(-2, -1) * scale
    if allowed is not None:
        scores = scores.masked_fill(~allowed, -math.inf)
    return torch.softmax(scores, dim=axis) @ v


def _causal(lq: int, lk: int, diagonal: int = 0) -> torch.Tensor:
    return torch.ones(lq, lk, dtype=torch.bool).tril(diagonal)


def _attention_reference(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None,
                         is_causal: bool = False) -> torch.Tensor:
    """softmax(q k^T / sqrt(d_k), masked where not allowed) v, in float64, written independently of SDPA."""
    if is_causal:
        mask = _causal(q.shape[-2], k.shape[-2])
    out = _masked_softmax_attention(q.double(), k.double(), v.double(), mask, 1 / math.sqrt(q.shape[-1]))
    return out.to(q.dtype)


def _attention_mistakes(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None,
                        is_causal: bool) -> list[tuple[Callable[[], torch.Tensor], str]]:
    """What plausible wrong answers return for these inputs, each with the sentence that names the mistake."""
    q, k, v = q.double(), k.double(), v.double()
    lq, lk, d_k, d_v = q.shape[-2], k.shape[-2], q.shape[-1], v.shape[-1]
    allowed = _causal(lq, lk) if is_causal else mask
    right = 1 / math.sqrt(d_k)

    def attend(scale: float = right, axis: int = -1, where: torch.Tensor | None = allowed) -> torch.Tensor:
        return _masked_softmax_attention(q, k, v, where, scale, axis)

    def weights(scale: float = right) -> torch.Tensor:
        return torch.softmax(q @ k.transpose(-2, -1) * scale, dim=-1)

    mistakes: list[tuple[Callable[[], torch.Tensor], str]] = [
        (lambda: attend(scale=1.0),
         "You did not scale the scores: divide q k^T by sqrt(d_k), the size of the query and key vectors."),
        (lambda: attend(scale=1 / d_k),
         "You divided the scores by d_k; the scaling is 1 / sqrt(d_k), the square root."),
        (lambda: attend(scale=1 / math.sqrt(lk)),
         "You divided by the square root of the number of keys; the scaling uses d_k, the size of each query "
         "and key vector (q.shape[-1]), not the sequence length."),
        (lambda: attend(scale=1 / math.sqrt(lq)),
         "You divided by the square root of the number of queries; the scaling uses d_k = q.shape[-1], the "
         "size of each query and key vector, not a sequence length."),
        (lambda: attend(scale=1 / math.sqrt(d_v)),
         "You divided by the square root of d_v, the size of the values; the scaling uses d_k = q.shape[-1], "
         "the size of the vectors whose dot products you take."),
        (lambda: attend(axis=-2),
         "Your softmax runs over the queries (dim=-2). Each query's weights must sum to 1 over the keys: "
         "softmax over the last axis of the (..., L_q, L_k) scores."),
        *[(lambda axis=axis: attend(axis=axis),
           f"Your softmax runs over axis {axis} (a batch or head axis). Each query's weights must sum to 1 over "
           "the keys: softmax over the last axis, dim=-1.") for axis in range(q.dim() - 2)],
        (lambda: weights(1.0) @ v / math.sqrt(d_k),
         "You divided by sqrt(d_k) after the softmax; the scaling belongs inside it, on the scores."),
    ]
    if mask is not None and not is_causal:
        mistakes += [
            (lambda: attend(where=~mask),
             "Your mask has the opposite meaning: here True means \"may attend\" (allowed), as in "
             "F.scaled_dot_product_attention, so set the scores to -inf where the mask is False."),
            (lambda: attend(where=None),
             "Your answer ignores the mask: where it is False the attention weight must be 0."),
            (lambda: (weights() * mask) @ v,
             "You applied the mask after the softmax, so the remaining weights no longer sum to 1. Set the "
             "blocked scores to -inf before the softmax."),
            (lambda: torch.softmax(q @ k.transpose(-2, -1) * right + mask.double(), dim=-1) @ v,
             "You added the boolean mask to the scores (True counts as 1, False as 0), which blocks nothing. Set "
             "the scores where the mask is False to -inf instead (scores.masked_fill(~mask, float('-inf')))."),
            (lambda: torch.softmax((q @ k.transpose(-2, -1) * right).masked_fill(~mask, 0.0), dim=-1) @ v,
             "You set the blocked scores to 0, but a score of 0 still gets a weight of exp(0) after the softmax. "
             "Use -inf (or a very negative number), so that blocked keys get weight 0."),
        ]
    if is_causal:
        mistakes += [
            (lambda: attend(where=None),
             "With is_causal=True every query may only attend to itself and the keys before it; your answer "
             "ignores is_causal."),
            (lambda: attend(where=_causal(lq, lk, 1)),
             "Your causal mask is off by one: each query also sees the next key. Query i may attend to keys "
             "0 to i: torch.ones(L, L).tril() (the diagonal included, nothing above it)."),
            (lambda: attend(where=_causal(lq, lk).T.contiguous() if lq == lk else None),
             "Your causal mask points the wrong way: each query sees itself and the keys after it. Query i may "
             "attend to keys 0 to i: the lower triangle, torch.ones(L, L).tril()."),
            (lambda: torch.softmax((q @ k.transpose(-2, -1) * right).tril(), dim=-1) @ v,
             "You set the scores above the diagonal to 0 (torch.tril(scores)), but a score of 0 still gets a "
             "weight of exp(0) after the softmax: the future leaks in. Set them to -inf."),
            (lambda: (weights() * _causal(lq, lk)) @ v,
             "You applied the causal mask after the softmax, so the remaining weights no longer sum to 1. Set the "
             "scores above the diagonal to -inf before the softmax."),
        ]
    return mistakes


def _causal_off_by_one_excludes_self(got: torch.Tensor) -> bool:
    """A causal mask with diagonal=-1 blocks everything for the first query: a row of nan (or zeros)."""
    first = got[..., 0, :]
    return bool(torch.isnan(first).all()) or bool((first == 0).all())


def _compare_attention(answer: Any, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, where: str,
                       mask: torch.Tensor | None = None, is_causal: bool = False, pass_args: bool = True) -> None:
    expected = _attention_reference(q, k, v, mask, is_causal)
    kwargs: dict[str, Any] = {}
    if pass_args:
        kwargs = {"is_causal": True} if is_causal else {"mask": mask}
    with _no_attention_builtins(answer, "Build it from matrix products, a mask and a softmax."):
        got = call(answer, q, k, v, name="attention", **kwargs)
    got = expect_tensor(got, f"{where}, the output", floating=True)
    if tuple(got.shape) != tuple(expected.shape):
        raise Wrong(f"{where}: the output has shape {tuple(got.shape)}, expected {tuple(expected.shape)}: one "
                    "row of d_v numbers per query, (..., L_q, d_v).",
                    hint="q @ k.transpose(-2, -1) has shape (..., L_q, L_k); the weights times v have shape "
                         "(..., L_q, d_v). Transpose only the last two axes of k (k.T reverses all of them).")
    if torch.allclose(got.double(), expected.double(), atol=1e-5, rtol=1e-4):
        return
    if is_causal and _causal_off_by_one_excludes_self(got):
        raise Wrong(f"{where}: the first query's output is nan (or zero): your causal mask blocks every key for "
                    "it, including itself. Query i may attend to keys 0 to i, the diagonal included: "
                    "torch.ones(L, L).tril().")
    named = matching_mistake(got, _attention_mistakes(q, k, v, mask, is_causal), atol=1e-5, rtol=1e-4)
    if named:
        raise Wrong(f"{where}: {named}")
    assert_tensor_close(got, expected, where, atol=1e-5, rtol=1e-4)


def _allowed_mask(lq: int, lk: int, seed: int) -> torch.Tensor:
    """A random boolean mask with at least one allowed key per query (and some blocked ones)."""
    generator = torch.Generator().manual_seed(seed)
    mask = torch.rand(lq, lk, generator=generator) > 0.45
    mask[torch.arange(lq), torch.randint(lk, (lq,), generator=generator)] = True
    return mask


@exercise(
    "13.1",
    title="Scaled dot-product attention",
    hint="Follow the equation step by step and print each shape: which axis holds d_k, and which two axes of k "
         "must swap so that the product gives (..., L_q, L_k)? A blocked pair needs a score whose exponential is "
         "0, set before the softmax, and each query's weights sum to 1 over the keys. For is_causal, build the "
         "mask of section 1 from the two lengths.",
)
def check_attention(answer: Any) -> None:
    """The answer is attention(q, k, v, mask=None, is_causal=False) -> (..., L_q, d_v)."""
    expect_defaults(answer, "attention", mask=None, is_causal=False)
    # 1. No mask, the defaults: batch and heads, L_q != L_k, d_k != d_v.
    q, k, v = _randn(2, 3, 5, 4, seed=1, scale=2.0), _randn(2, 3, 7, 4, seed=2), _randn(2, 3, 7, 6, seed=3)
    _compare_attention(answer, q, k, v, "For q (2, 3, 5, 4), k (2, 3, 7, 4), v (2, 3, 7, 6) and no mask",
                       pass_args=False)
    # 2. One sequence without batch axes, another d_k.
    q, k, v = _randn(5, 9, seed=4, scale=1.5), _randn(6, 9, seed=5), _randn(6, 3, seed=6)
    _compare_attention(answer, q, k, v, "For a single sequence, q (5, 9), k (6, 9), v (6, 3)")
    # 3. A batch of one, three axes.
    q, k, v = _randn(1, 4, 8, seed=7, scale=2.0), _randn(1, 4, 8, seed=8), _randn(1, 4, 5, seed=9)
    _compare_attention(answer, q, k, v, "For a batch of one, q (1, 4, 8), k (1, 4, 8), v (1, 4, 5)")
    # 4. A boolean mask of shape (L_q, L_k), True = allowed, broadcast over batch and heads.
    mask = _allowed_mask(5, 7, seed=10)
    q, k, v = _randn(2, 3, 5, 4, seed=11, scale=2.0), _randn(2, 3, 7, 4, seed=12), _randn(2, 3, 7, 6, seed=13)
    _compare_attention(answer, q, k, v, "For q (2, 3, 5, 4), k (2, 3, 7, 4) and a (5, 7) boolean mask "
                       "(True = allowed)", mask=mask)
    # 5. A padding mask per sequence, (batch, 1, 1, L_k): the last keys of the second sequence are padding.
    padding = torch.ones(2, 1, 1, 7, dtype=torch.bool)
    padding[1, ..., 4:] = False
    _compare_attention(answer, q, k, v, "For a padding mask of shape (2, 1, 1, 7) (True = a real token)",
                       mask=padding)
    # 6. Causal, four axes and three.
    q, k, v = _randn(2, 2, 6, 5, seed=14, scale=2.0), _randn(2, 2, 6, 5, seed=15), _randn(2, 2, 6, 3, seed=16)
    _compare_attention(answer, q, k, v, "With is_causal=True, q and k (2, 2, 6, 5), v (2, 2, 6, 3)",
                       is_causal=True)
    q, k, v = _randn(3, 4, 7, seed=17, scale=2.0), _randn(3, 4, 7, seed=18), _randn(3, 4, 2, seed=19)
    _compare_attention(answer, q, k, v, "With is_causal=True, q and k (3, 4, 7), v (3, 4, 2)", is_causal=True)
    # 7. Gradients: attention is trained, so autograd must flow into q, k and v.
    mask = _allowed_mask(4, 6, seed=20)
    q, k, v = _randn(2, 4, 3, seed=21), _randn(2, 6, 3, seed=22), _randn(2, 6, 5, seed=23)
    expected = forward_backward(lambda a, b, c: _attention_reference(a, b, c, mask), [q, k, v], seed=24)
    with _no_attention_builtins(answer, "Build it from matrix products, a mask and a softmax."):
        measured = forward_backward(lambda a, b, c: call(answer, a, b, c, name="attention", mask=mask),
                                    [q, k, v], seed=24)
    for name, got, wanted in zip("qkv", measured.inputs, expected.inputs, strict=True):
        if got is None:
            raise Wrong(f"No gradient reaches {name}: part of your computation is cut off from autograd "
                        "(.detach(), .data, torch.no_grad() or NumPy).")
        assert_tensor_close(got, wanted, f"With a mask, the gradient with respect to {name}", atol=1e-5, rtol=1e-4)


# ---------------------------------------------------------------- 13.2 why the scaling (predict)

exercise(
    "13.2",
    title="Scores without the scaling",
    hint="The dot product of two random vectors with d independent N(0, 1) entries is a sum of d products, each "
         "of variance 1: what is its variance, and what does a softmax do to scores that far apart?",
)(
    multiple_choice(
        correct="c",
        feedback={
            "a": "The weights would stay spread only if the scores stayed close together. Without the scaling, the "
                 "scores spread out like sqrt(d): for large d one key's score is far above the others.",
            "b": "The scores do not shrink: a dot product of d random N(0, 1) entries has variance d, so they spread "
                 "out as d grows, and a softmax of widely spread scores is far from uniform.",
            "c": "Right: the scores have standard deviation sqrt(d), the softmax puts nearly all the weight on the "
                 "largest one, and its gradient, which is w_i (1 - w_i) for a weight w_i, nearly vanishes. "
                 "Dividing by sqrt(d) keeps the scores' spread at 1 for every d.",
            "d": "The softmax never overflows here: PyTorch subtracts the largest score before exponentiating. The "
                 "trouble is subtler: the weights saturate, and the gradient vanishes.",
        },
    )
)


# ---------------------------------------------------------------- 13.3 multi-head attention


def _mha_reference(query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, num_heads: int,
                   w_in: torch.Tensor, b_in: torch.Tensor, w_out: torch.Tensor, b_out: torch.Tensor,
                   allowed: torch.Tensor | None = None, *, scale_by: str = "head", order: str = "qkv",
                   split: str = "right", out_projection: bool = True, biases: bool = True,
                   transpose_weights: bool = False, invert: bool = False, merge: str = "right",
                   drop_bias: str = "", additive: bool = False) -> torch.Tensor:
    """Multi-head attention written out, in float64; the keyword arguments make plausible mistakes."""
    query, key, value = query.double(), key.double(), value.double()
    w_in, b_in, w_out, b_out = w_in.double(), b_in.double(), w_out.double(), b_out.double()
    batch, lq, embed = query.shape
    lk = key.shape[1]
    head = embed // num_heads
    w_q, w_k, w_v = w_in.chunk(3)
    b_q, b_k, b_v = b_in.chunk(3) if biases else (0.0, 0.0, 0.0)
    if drop_bias == "kv":
        b_k = b_v = 0.0
    if order == "kqv":
        w_q, w_k, b_q, b_k = w_k, w_q, b_k, b_q
    if transpose_weights:
        w_q, w_k, w_v, w_out = w_q.T, w_k.T, w_v.T, w_out.T
    q, k, v = query @ w_q.T + b_q, key @ w_k.T + b_k, value @ w_v.T + b_v

    def heads(x: torch.Tensor, length: int) -> torch.Tensor:
        if split == "no_transpose":
            return x.reshape(batch, num_heads, length, head)
        if split == "heads_last":
            return x.reshape(batch, length, head, num_heads).permute(0, 3, 1, 2)
        return x.reshape(batch, length, num_heads, head).transpose(1, 2)

    q, k, v = heads(q, lq), heads(k, lk), heads(v, lk)
    scale = {"head": head, "embed": embed, "none": 1, "twice": head ** 2}[scale_by]
    scores = q @ k.transpose(-2, -1) / math.sqrt(scale)
    if allowed is not None and additive:
        scores = scores + allowed.double()
    elif allowed is not None:
        scores = scores.masked_fill(allowed if invert else ~allowed, -math.inf)
    out = torch.softmax(scores, dim=-1) @ v
    if merge == "no_transpose":
        out = out.reshape(batch, lq, embed)
    elif merge == "heads_last":
        out = out.permute(0, 2, 3, 1).reshape(batch, lq, embed)
    else:
        out = out.transpose(1, 2).reshape(batch, lq, embed)
    if out_projection:
        out = out @ w_out.T + (b_out if biases and drop_bias != "out" else 0.0)
    return out


def _mha_mistakes(args: tuple[Any, ...], allowed: torch.Tensor | None) -> list[tuple[Callable[[], torch.Tensor], str]]:
    def wrong(**kwargs: Any) -> Callable[[], torch.Tensor]:
        return lambda: _mha_reference(*args, allowed, **kwargs)

    query, key, value, num_heads, w_in, b_in, w_out, b_out = args
    mistakes = [
        (wrong(scale_by="embed"),
         "You scaled the scores by 1 / sqrt(embed_dim). Each head works in embed_dim / num_heads dimensions, and "
         "its dot products are scaled by 1 / sqrt(embed_dim / num_heads)."),
        (wrong(scale_by="none"),
         "You did not scale the scores: divide each head's q k^T by sqrt(head_dim), head_dim = embed_dim / "
         "num_heads."),
        (wrong(out_projection=False),
         "The output projection is missing: after merging the heads, apply out_proj_weight and out_proj_bias."),
        (wrong(biases=False),
         "You left out the biases (in_proj_bias and out_proj_bias)."),
        (wrong(drop_bias="out"),
         "You left out out_proj_bias: the output projection is out @ out_proj_weight.T + out_proj_bias."),
        (wrong(drop_bias="kv"),
         "Your keys and values have no bias: in_proj_bias stacks b_q, b_k and b_v, one slice of embed_dim for "
         "each projection."),
        (wrong(scale_by="twice"),
         "You scaled the scores twice, by 1 / head_dim: F.scaled_dot_product_attention (and your attention) "
         "already divides by sqrt(head_dim), so do not scale q or k yourself as well."),
        (wrong(split="heads_last", merge="heads_last"),
         "You split each vector into heads the wrong way (and merged them back the same way): head h takes the "
         "consecutive features h * head_dim to (h + 1) * head_dim - 1. Reshape to (batch, length, heads, "
         "head_dim), then transpose(1, 2)."),
        (wrong(transpose_weights=True),
         "Your projections use the weights untransposed (x @ W). A PyTorch weight of shape (out, in) is applied "
         "as x @ W.T + b, as nn.Linear does."),
        (wrong(order="kqv"),
         "Your queries and keys are swapped: in_proj_weight stacks W_q, W_k and W_v in that order (rows 0 to E-1 "
         "are W_q)."),
        (wrong(split="no_transpose"),
         "You split the heads with a reshape to (batch, heads, length, head_dim) without a transpose, which "
         "mixes positions and heads. Reshape to (batch, length, heads, head_dim), then transpose(1, 2)."),
        (wrong(split="heads_last"),
         "You split each vector into heads the wrong way: head h takes the consecutive features h * head_dim to "
         "(h + 1) * head_dim - 1. Reshape to (batch, length, heads, head_dim), then transpose(1, 2)."),
        (wrong(merge="no_transpose"),
         "You merged the heads with a reshape alone, which mixes positions and heads. Transpose back to "
         "(batch, length, heads, head_dim) first: out.transpose(1, 2).reshape(batch, length, embed_dim)."),
        (lambda: _mha_reference(query, query, query, num_heads, w_in, b_in, w_out, b_out, allowed),
         "Your answer attends from the query to the query itself: the keys must come from key and the values "
         "from value (they differ in cross-attention)."),
        (lambda: _mha_reference(query, key, key, num_heads, w_in, b_in, w_out, b_out, allowed),
         "Your values come from key; project value with W_v."),
        (lambda: _mha_reference(query, key, value, 1, w_in, b_in, w_out, b_out, allowed),
         "Your answer uses one head: split into num_heads heads of embed_dim / num_heads features."),
    ]
    if allowed is not None:
        mistakes += [
            (wrong(invert=True),
             "Your mask has the opposite meaning: allowed is True where a query MAY attend to a key (as in "
             "F.scaled_dot_product_attention). nn.MultiheadAttention's attn_mask is the other way round."),
            (lambda: _mha_reference(*args, None),
             "Your answer ignores the mask allowed."),
            (wrong(additive=True),
             "You passed the mask as numbers (allowed.float()): a float attn_mask is ADDED to the scores (0 or 1 "
             "here), so nothing is blocked. Pass the boolean mask itself, or set the blocked scores to -inf."),
        ]
    return mistakes


def _mha_case(embed: int, heads: int, batch: int, lq: int, lk: int, seed: int, masked: bool
              ) -> tuple[torch.nn.MultiheadAttention, tuple[Any, ...], torch.Tensor | None]:
    layer = torch.nn.MultiheadAttention(embed, heads, batch_first=True)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in layer.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator) / math.sqrt(parameter.shape[-1]))
    query = torch.randn(batch, lq, embed, generator=generator)
    key = torch.randn(batch, lk, embed, generator=generator)
    value = torch.randn(batch, lk, embed, generator=generator)
    allowed = _allowed_mask(lq, lk, seed + 1) if masked else None
    args = (query, key, value, heads, layer.in_proj_weight, layer.in_proj_bias, layer.out_proj.weight,
            layer.out_proj.bias)
    return layer, args, allowed


@exercise(
    "13.3",
    title="Multi-head attention",
    hint="Each third of in_proj_weight (and of in_proj_bias) is one nn.Linear layer, applied as x W^T + b. A head "
         "owns a block of E / H consecutive features, and its axis must come before the length axis for one call "
         "of attention to serve every head; merging undoes exactly those two moves. Check the mask's meaning, "
         "and print the shape after every step.",
)
def check_multi_head_attention(answer: Any) -> None:
    """The answer is multi_head_attention(query, key, value, num_heads, in_proj_weight, in_proj_bias,
    out_proj_weight, out_proj_bias, allowed=None) -> (B, L_q, E), matched to nn.MultiheadAttention."""
    expect_defaults(answer, "multi_head_attention", allowed=None)
    cases = [  # (embed, heads, batch, L_q, L_k, masked)
        (12, 3, 2, 5, 5, False),   # self-attention shapes, no mask (the default)
        (8, 2, 1, 4, 6, True),     # cross-attention, a batch of one, a mask
        (12, 4, 3, 6, 3, True),    # more queries than keys, four heads
        (10, 1, 2, 3, 7, False),   # one head
        (16, 8, 2, 5, 5, True),    # eight heads of two features
    ]
    for index, (embed, heads, batch, lq, lk, masked) in enumerate(cases):
        layer, args, allowed = _mha_case(embed, heads, batch, lq, lk, seed=130 + 10 * index, masked=masked)
        query, key, value = args[:3]
        where = (f"For embed_dim {embed}, {heads} head{'s' if heads > 1 else ''}, query ({batch}, {lq}, {embed}), "
                 f"key and value ({batch}, {lk}, {embed})" + (", with a mask" if masked else ""))
        with torch.no_grad():
            # nn.MultiheadAttention's boolean attn_mask is True where attention is NOT allowed.
            expected, _ = layer(query, key, value, attn_mask=None if allowed is None else ~allowed,
                                need_weights=False)
        with _no_attention_builtins(answer, "Build it from the weights: projections, heads, attention, merge, "
                                    "projection.", mha_only=True):
            got = call(answer, *args, name="multi_head_attention") if allowed is None else call(
                answer, *args, allowed=allowed, name="multi_head_attention")
        got = expect_tensor(got, f"{where}, the output", floating=True)
        if tuple(got.shape) != tuple(expected.shape):
            raise Wrong(f"{where}: the output has shape {tuple(got.shape)}, expected {tuple(expected.shape)} "
                        "(batch, L_q, embed_dim).")
        if torch.allclose(got.double(), expected.double(), atol=1e-5, rtol=1e-4):
            continue
        named = matching_mistake(got, _mha_mistakes(args, allowed), atol=1e-5, rtol=1e-4)
        if named:
            raise Wrong(f"{where}: {named}")
        assert_tensor_close(got, expected, f"{where}, compared with nn.MultiheadAttention", atol=1e-5, rtol=1e-4)
    # Gradients reach the inputs and every weight.
    layer, args, allowed = _mha_case(8, 2, 2, 4, 5, seed=199, masked=True)
    leaves = [a.detach().clone().requires_grad_() if isinstance(a, torch.Tensor) else a for a in args]
    with _no_attention_builtins(answer, "Build it from the weights: projections, heads, attention, merge, "
                                "projection.", mha_only=True):
        got = call(answer, *leaves, allowed=allowed, name="multi_head_attention")
    got = expect_tensor(got, "For the gradient test, the output", floating=True)
    if not got.requires_grad:
        raise Wrong("Your output does not depend on the inputs through autograd: was it computed under "
                    "torch.no_grad(), with .detach() or via NumPy?")
    upstream = _randn(*got.shape, seed=200)
    got.backward(upstream)
    reference = [a.detach().clone().double().requires_grad_() if isinstance(a, torch.Tensor) else a for a in args]
    _mha_reference(*reference, allowed).backward(upstream.double())
    names = ["query", "key", "value", None, "in_proj_weight", "in_proj_bias", "out_proj_weight", "out_proj_bias"]
    for name, mine, theirs in zip(names, leaves, reference, strict=True):
        if name is None:
            continue
        if mine.grad is None:
            raise Wrong(f"No gradient reaches {name}: it is not used, or cut off from autograd.")
        assert_tensor_close(mine.grad, theirs.grad, f"The gradient with respect to {name}", atol=1e-5, rtol=1e-4)


# ---------------------------------------------------------------- 13.4 sinusoidal positions


def _sinusoids(length: int, d_model: int, *, base: float = 10000.0, start: int = 0, halves: bool = False,
               swap: bool = False, exponent: str = "2i") -> torch.Tensor:
    position = torch.arange(start, start + length, dtype=torch.float64)[:, None]
    i = torch.arange(d_model // 2, dtype=torch.float64)
    power = {"2i": 2 * i / d_model, "i": i / d_model, "2i+1": (2 * i + 1) / d_model}[exponent]
    angle = position / base ** power
    first, second = (torch.cos(angle), torch.sin(angle)) if swap else (torch.sin(angle), torch.cos(angle))
    if halves:
        return torch.cat([first, second], dim=1)
    return torch.stack([first, second], dim=2).reshape(length, d_model)


def _position_mistakes(length: int, d_model: int) -> list[tuple[Callable[[], torch.Tensor], str]]:
    return [
        (lambda: _sinusoids(length, d_model, swap=True),
         "Your sines and cosines are swapped: even features (0, 2, 4, ...) are sines, odd features cosines."),
        (lambda: _sinusoids(length, d_model, halves=True),
         "You put all the sines in the first half of the features and the cosines in the second. That layout "
         "works as well, but the paper (and this exercise) interleaves them: feature 2i is a sine, 2i + 1 the "
         "cosine of the same angle."),
        (lambda: _sinusoids(length, d_model, halves=True, swap=True),
         "You put the cosines in the first half and the sines in the second; this exercise interleaves them: "
         "feature 2i is sin, feature 2i + 1 is cos, of the same angle."),
        (lambda: _sinusoids(length, d_model, exponent="i"),
         "Your frequencies fall too slowly: the exponent is 2i / d_model (i counts the sine-cosine pairs), not "
         "i / d_model."),
        (lambda: _sinusoids(length, d_model, exponent="2i+1"),
         "The cosine of pair i must use the same angle as its sine: the exponent is 2i / d_model for both "
         "features 2i and 2i + 1."),
        (lambda: _sinusoids(length, d_model, start=1),
         "Your positions start at 1; the first position is 0 (so its encoding is 0, 1, 0, 1, ...)."),
        (lambda: _sinusoids(length, d_model, base=1000.0),
         "The base of the wavelengths is 10,000: angle = pos / 10000 ** (2i / d_model)."),
        (lambda: _sinusoids(length, d_model).T,
         "Your result is transposed: one row per position, shape (length, d_model)."),
    ]


@exercise(
    "13.4",
    title="Sinusoidal position encodings",
    hint="Build the (length, d_model / 2) table of angles first, one row per position and one column per pair i, "
         "by broadcasting a column of positions against a row of frequencies. Then fill the even and the odd "
         "columns of a (length, d_model) tensor: slicing with a step selects every other column.",
)
def check_sinusoidal_positions(answer: Any) -> None:
    """The answer is sinusoidal_positions(length, d_model) -> a float tensor (length, d_model)."""
    for length, d_model in [(7, 4), (12, 10), (1, 6), (50, 16), (3, 64), (200, 2)]:
        where = f"For length {length} and d_model {d_model}"
        got = expect_tensor(call(answer, length, d_model, name="sinusoidal_positions"), where, floating=True)
        expected = _sinusoids(length, d_model)
        if tuple(got.shape) != (length, d_model):
            named = matching_mistake(got, _position_mistakes(length, d_model), atol=1e-5, rtol=1e-4)
            raise Wrong(f"{where}: {named}" if named else
                        f"{where}: expected shape ({length}, {d_model}), got {tuple(got.shape)}.")
        if torch.allclose(got.double(), expected, atol=1e-5, rtol=1e-4):
            continue
        named = matching_mistake(got, _position_mistakes(length, d_model), atol=1e-5, rtol=1e-4)
        if named:
            raise Wrong(f"{where}: {named}")
        assert_tensor_close(got, expected, where, atol=1e-5, rtol=1e-4)


# ---------------------------------------------------------------- 13.5 top-k filtering


def _top_k_reference(logits: torch.Tensor, k: int) -> torch.Tensor:
    kth = logits.topk(k, dim=-1).values[..., -1:]
    return logits.masked_fill(logits < kth, -math.inf)


def _top_k_mistakes(logits: torch.Tensor, k: int) -> list[tuple[Callable[[], torch.Tensor], str]]:
    def keep(count: int) -> torch.Tensor:
        count = max(1, min(count, logits.shape[-1]))
        return _top_k_reference(logits, count)

    kth = logits.topk(k, dim=-1).values[..., -1:]
    mistakes = [
        (lambda: logits.masked_fill(logits < kth, 0.0),
         "You set the other logits to 0, but a logit of 0 still has probability exp(0) / Z after the softmax. "
         "Set them to -inf (float('-inf')), so that they get probability 0."),
        (lambda: torch.softmax(_top_k_reference(logits, k), dim=-1),
         "You returned probabilities; return the filtered logits (sample_next applies the temperature and "
         "the softmax afterwards)."),
        (lambda: logits.masked_fill(logits <= kth, -math.inf),
         "You also removed the k-th largest logit (<= instead of <): keep every logit at least as large as the "
         "k-th largest."),
        (lambda: keep(k + 1), f"You kept {k + 1} logits per row instead of k = {k}: an off-by-one."),
        (lambda: keep(k - 1), f"You kept {k - 1} logits per row instead of k = {k}: an off-by-one."),
        (lambda: logits.masked_fill(logits < kth, math.inf),
         "You set the other logits to +inf, which makes them the most likely; set them to -inf."),
        (lambda: logits.masked_fill(logits > logits.topk(k, dim=-1, largest=False).values[..., -1:], -math.inf),
         "You kept the k smallest logits; keep the k largest."),
    ]
    if logits.dim() == 2:
        kth0 = logits.topk(min(k, logits.shape[0]), dim=0).values[-1:]
        mistakes.append((lambda: logits.masked_fill(logits < kth0, -math.inf),
                         "You took the k largest down each column (dim=0); keep the k largest of each row, "
                         "the scores of one example (dim=-1)."))
    return mistakes


@exercise(
    "13.5",
    title="Top-k filtering",
    hint="First find the k-th largest value of every row (torch has a function for the k largest), keeping an "
         "axis so that it broadcasts along its own row. Then replace every logit smaller than it by -inf, in a "
         "new tensor: ties with it stay.",
)
def check_top_k(answer: Any) -> None:
    """The answer is top_k_filter(logits, k) -> logits with all but the k largest of each row at -inf."""
    generator = torch.Generator().manual_seed(135)
    cases = [((10,), 3), ((4, 9), 2), ((1, 65), 5), ((3, 7), 1), ((6, 5), 5), ((2, 12), 11)]
    for shape, k in cases:
        logits = torch.randn(shape, generator=generator) * 2
        where = f"For logits of shape {shape} and k = {k}"
        expected = _top_k_reference(logits, k)
        got = expect_tensor(call(answer, logits, k, name="top_k_filter"), where, floating=True)
        if tuple(got.shape) != tuple(shape):
            raise Wrong(f"{where}: expected shape {shape} (the logits with some set to -inf), got "
                        f"{tuple(got.shape)}. Return the whole row, not only the k values you kept.",
                        hint="masked_fill keeps the shape: logits.masked_fill(logits < kth, float('-inf')).")
        same = torch.equal(torch.isinf(got), torch.isinf(expected)) and torch.allclose(
            got[~torch.isinf(expected)], expected[~torch.isinf(expected)])
        if same and bool((got[torch.isinf(expected)] < 0).all()):
            continue
        named = matching_mistake(got, _top_k_mistakes(logits, k))
        if named:
            raise Wrong(f"{where}: {named}")
        kept = int((~torch.isinf(got)).sum(-1).reshape(-1)[0])
        raise Wrong(f"{where}: your result differs from the logits with all but the k largest per row set to "
                    f"-inf (the first row keeps {kept} finite logits).")
    # Ties: every logit equal to the k-th largest stays (the text says so, and sample_next does the same).
    tied = torch.tensor([[1.0, 3.0, 3.0, 0.5, 3.0, -1.0]])
    got = expect_tensor(call(answer, tied, 2, name="top_k_filter"), "For a row with three tied largest logits",
                        floating=True)
    expected = _top_k_reference(tied, 2)  # [-inf, 3, 3, -inf, 3, -inf]
    if tuple(got.shape) == (1, 6) and torch.equal(got.double(), expected.double()):
        return
    finite = int(torch.isfinite(got).sum())
    if finite == 2:
        raise Wrong("For [1, 3, 3, 0.5, 3, -1] and k = 2 your result keeps 2 logits. The text asks you to keep every "
                    "logit tied with the k-th largest, here all three 3s (as sample_next does): topk's indices pick "
                    "only k of the tied logits, so compare every logit with the k-th largest value instead.")
    raise Wrong(f"For [1, 3, 3, 0.5, 3, -1] and k = 2 your result keeps {finite} finite logits; it should be "
                "[-inf, 3, 3, -inf, 3, -inf]: the three tied 3s unchanged, the others -inf.")


# ---------------------------------------------------------------- 13.6 in-context copying (predict)

exercise(
    "13.6",
    title="Copying in context",
    hint="For each part, ask what the tokens before a position tell about the token there: could any model, however "
         "well trained, predict a token of the random segment? What has the model already seen when it reaches a "
         "token of a repeat?",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "In the random segment every token is new and drawn uniformly: no model can do better than chance, "
                 "1 in the vocabulary size. The repeats are where the context helps.",
            "b": "Right: the random segment is unpredictable, so chance level is all anyone can get; in the repeats "
                 "the model can find the earlier occurrence of the current token and copy the token that followed "
                 "it, which two layers of attention learn to do (an induction head).",
            "c": "The tokens are random, with a fresh sequence in every example: there is nothing to memorise from "
                 "the training set. What the model can learn is a procedure, look back and copy, which only works "
                 "in the repeats.",
            "d": "Attention-only layers can copy: one layer writes into every position the token before it, the "
                 "next looks up the position whose previous token is the current one. The repeats become almost "
                 "perfectly predictable.",
        },
    )
)
