"""Answers for the exercises of notebook 13."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

# ---------------------------------------------------------------- 13.1 scaled dot-product attention


def attention_stub(q, k, v, mask=None, is_causal=False):
    # Your code here: scores, scaling, mask, softmax over the keys, weighted sum of the values.
    ...


def _scores(q, k):
    return q @ k.transpose(-2, -1)


def _causal_mask(q, k, diagonal=0):
    return torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool).tril(diagonal)


def _attention_with(scale=None, axis=-1, invert=False, fill=-math.inf, diagonal=0, causal_mask=None,
                    ignore_mask=False, ignore_causal=False):
    """A wrong attention: the reference with one thing changed."""

    def attention(q, k, v, mask=None, is_causal=False):
        d_k = q.shape[-1]
        scores = _scores(q, k) * (1 / math.sqrt(d_k) if scale is None else scale(q, k, v))
        if is_causal and not ignore_causal:
            mask = causal_mask(q, k) if causal_mask is not None else _causal_mask(q, k, diagonal)
        if mask is not None and not ignore_mask:
            scores = scores.masked_fill(mask if invert else ~mask, fill)
        return torch.softmax(scores, dim=axis) @ v

    return attention


def attention_mask_after_softmax(q, k, v, mask=None, is_causal=False):
    weights = torch.softmax(_scores(q, k) / math.sqrt(q.shape[-1]), dim=-1)
    if is_causal:
        mask = _causal_mask(q, k)
    if mask is not None:
        weights = weights * mask
    return weights @ v


def attention_scaled_after_softmax(q, k, v, mask=None, is_causal=False):
    scores = _scores(q, k)
    if is_causal:
        mask = _causal_mask(q, k)
    if mask is not None:
        scores = scores.masked_fill(~mask, -math.inf)
    return torch.softmax(scores, dim=-1) @ v / math.sqrt(q.shape[-1])


def attention_k_transposed_wrong(q, k, v, mask=None, is_causal=False):
    # k.transpose(1, 2) is right for three axes only.
    scores = q @ k.transpose(1, 2) / math.sqrt(q.shape[-1])
    if is_causal:
        mask = _causal_mask(q, k)
    if mask is not None:
        scores = scores.masked_fill(~mask, -math.inf)
    return torch.softmax(scores, dim=-1) @ v


def attention_k_dot_t(q, k, v, mask=None, is_causal=False):
    scores = q @ k.mT.mT / math.sqrt(q.shape[-1])  # no transpose at all
    if mask is not None:
        scores = scores.masked_fill(~mask, -math.inf)
    return torch.softmax(scores, dim=-1) @ v


def attention_uses_sdpa(q, k, v, mask=None, is_causal=False):
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=is_causal)


def attention_in_place(q, k, v, mask=None, is_causal=False):
    q /= math.sqrt(q.shape[-1])  # changes the caller's queries
    scores = _scores(q, k)
    if is_causal:
        mask = _causal_mask(q, k)
    if mask is not None:
        scores = scores.masked_fill(~mask, -math.inf)
    return torch.softmax(scores, dim=-1) @ v


def attention_detached(q, k, v, mask=None, is_causal=False):
    scores = _scores(q, k).detach() / math.sqrt(q.shape[-1])
    if is_causal:
        mask = _causal_mask(q, k)
    if mask is not None:
        scores = scores.masked_fill(~mask, -math.inf)
    return torch.softmax(scores, dim=-1) @ v


def attention_returns_weights(q, k, v, mask=None, is_causal=False):
    scores = _scores(q, k) / math.sqrt(q.shape[-1])
    if is_causal:
        mask = _causal_mask(q, k)
    if mask is not None:
        scores = scores.masked_fill(~mask, -math.inf)
    return torch.softmax(scores, dim=-1)


def attention_wrong_defaults(q, k, v, mask=None, is_causal=True):
    return _attention_with()(q, k, v, mask, is_causal)


def attention_hard_coded_d(q, k, v, mask=None, is_causal=False):
    return _attention_with(scale=lambda q, k, v: 1 / math.sqrt(4))(q, k, v, mask, is_causal)


def attention_numpy(q, k, v, mask=None, is_causal=False):
    return _attention_with()(q, k, v, mask, is_causal).detach().numpy()


# Other right answers, written differently.
def attention_einsum(q, k, v, mask=None, is_causal=False):
    scores = torch.einsum("...qd,...kd->...qk", q, k) / q.shape[-1] ** 0.5
    if is_causal:
        mask = torch.tril(torch.ones(scores.shape[-2:], dtype=torch.bool))
    if mask is not None:
        scores = torch.where(mask, scores, torch.tensor(float("-inf")))
    return torch.einsum("...qk,...kd->...qd", scores.softmax(-1), v)


def attention_big_negative(q, k, v, mask=None, is_causal=False):
    scores = q.matmul(k.transpose(-1, -2)) / math.sqrt(k.size(-1))
    allowed = mask
    if is_causal:
        allowed = torch.ones(q.size(-2), k.size(-2)).tril().bool()
    if allowed is not None:
        scores = scores + (~allowed).float() * -1e9
    scores = scores - scores.amax(-1, keepdim=True)
    weights = scores.exp()
    return (weights / weights.sum(-1, keepdim=True)) @ v


def attention_renormalised(q, k, v, mask=None, is_causal=False):
    """Softmax, then zero the blocked weights and renormalise: the same as a masked softmax."""
    weights = F.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1)
    if is_causal:
        mask = torch.ones(weights.shape[-2:]).tril() > 0
    if mask is not None:
        weights = weights * mask
        weights = weights / weights.sum(-1, keepdim=True)
    return weights @ v


# ---------------------------------------------------------------- 13.3 multi-head attention


def multi_head_attention_stub(query, key, value, num_heads, in_proj_weight, in_proj_bias,
                              out_proj_weight, out_proj_bias, allowed=None):
    # Your code here: project, split into heads, attend, merge, project.
    ...


def _mha(scale="head", order="qkv", split="right", out_projection=True, biases=True, transpose=False,
         invert=False, merge="right", self_only=False, values_from_key=False, heads=None, builtin=False):
    def multi_head_attention(query, key, value, num_heads, in_proj_weight, in_proj_bias,
                             out_proj_weight, out_proj_bias, allowed=None):
        if builtin:
            layer = torch.nn.MultiheadAttention(query.shape[-1], num_heads, batch_first=True)
            with torch.no_grad():
                layer.in_proj_weight.copy_(in_proj_weight)
                layer.in_proj_bias.copy_(in_proj_bias)
                layer.out_proj.weight.copy_(out_proj_weight)
                layer.out_proj.bias.copy_(out_proj_bias)
            return layer(query, key, value, attn_mask=None if allowed is None else ~allowed)[0]
        h = num_heads if heads is None else heads
        if self_only:
            key = value = query
        if values_from_key:
            value = key
        batch, lq, embed = query.shape
        lk = key.shape[1]
        d = embed // h
        w_q, w_k, w_v = in_proj_weight.chunk(3)
        b_q, b_k, b_v = in_proj_bias.chunk(3)
        if order == "kqv":
            w_q, w_k, b_q, b_k = w_k, w_q, b_k, b_q
        w_o, b_o = out_proj_weight, out_proj_bias
        if transpose:
            w_q, w_k, w_v, w_o = w_q.T, w_k.T, w_v.T, w_o.T
        if not biases:
            b_q = b_k = b_v = b_o = 0
        q, k, v = query @ w_q.T + b_q, key @ w_k.T + b_k, value @ w_v.T + b_v

        def split_heads(x, length):
            if split == "no_transpose":
                return x.reshape(batch, h, length, d)
            return x.reshape(batch, length, h, d).transpose(1, 2)

        q, k, v = split_heads(q, lq), split_heads(k, lk), split_heads(v, lk)
        size = {"head": d, "embed": embed}[scale]
        scores = q @ k.transpose(-2, -1) / math.sqrt(size)
        if allowed is not None:
            scores = scores.masked_fill(allowed if invert else ~allowed, float("-inf"))
        out = scores.softmax(-1) @ v
        out = out.reshape(batch, lq, embed) if merge == "no_transpose" else out.transpose(1, 2).reshape(batch, lq, embed)
        return out @ w_o.T + b_o if out_projection else out

    return multi_head_attention


def multi_head_attention_hard_coded_heads(query, key, value, num_heads, in_proj_weight, in_proj_bias,
                                          out_proj_weight, out_proj_bias, allowed=None):
    return _mha(heads=3)(query, key, value, num_heads, in_proj_weight, in_proj_bias, out_proj_weight,
                         out_proj_bias, allowed)


def multi_head_attention_no_grad(query, key, value, num_heads, in_proj_weight, in_proj_bias,
                                 out_proj_weight, out_proj_bias, allowed=None):
    with torch.no_grad():
        return _mha()(query, key, value, num_heads, in_proj_weight, in_proj_bias, out_proj_weight,
                      out_proj_bias, allowed)


# Other right answers, written differently.
def multi_head_attention_sdpa(query, key, value, num_heads, in_proj_weight, in_proj_bias,
                              out_proj_weight, out_proj_bias, allowed=None):
    w_q, w_k, w_v = in_proj_weight.chunk(3)
    b_q, b_k, b_v = in_proj_bias.chunk(3)
    embed = query.shape[-1]

    def heads(x, w, b):
        return F.linear(x, w, b).unflatten(-1, (num_heads, embed // num_heads)).transpose(1, 2)

    out = F.scaled_dot_product_attention(heads(query, w_q, b_q), heads(key, w_k, b_k), heads(value, w_v, b_v),
                                         attn_mask=allowed)
    return F.linear(out.transpose(1, 2).flatten(2), out_proj_weight, out_proj_bias)


def multi_head_attention_loop(query, key, value, num_heads, in_proj_weight, in_proj_bias,
                              out_proj_weight, out_proj_bias, allowed=None):
    """One head at a time, then concatenate."""
    embed = query.shape[-1]
    d = embed // num_heads
    q = query @ in_proj_weight[:embed].T + in_proj_bias[:embed]
    k = key @ in_proj_weight[embed:2 * embed].T + in_proj_bias[embed:2 * embed]
    v = value @ in_proj_weight[2 * embed:].T + in_proj_bias[2 * embed:]
    outputs = []
    for h in range(num_heads):
        part = slice(h * d, (h + 1) * d)
        scores = q[..., part] @ k[..., part].transpose(1, 2) / math.sqrt(d)
        if allowed is not None:
            scores = scores.masked_fill(allowed.logical_not(), -1e9)
        outputs.append(torch.softmax(scores, dim=-1) @ v[..., part])
    return torch.cat(outputs, dim=-1) @ out_proj_weight.T + out_proj_bias


# ---------------------------------------------------------------- 13.4 sinusoidal positions


def sinusoidal_positions_stub(length, d_model):
    # Your code here: angles pos / 10000 ** (2i / d_model), sines in the even columns, cosines in the odd.
    ...


def _positions(base=10000.0, start=0, halves=False, swap=False, exponent="2i", transpose=False, numpy=False,
               integer=False):
    def sinusoidal_positions(length, d_model):
        position = torch.arange(start, start + length).float()[:, None]
        i = torch.arange(0, d_model // 2).float()
        power = {"2i": 2 * i / d_model, "i": i / d_model, "2i+1": (2 * i + 1) / d_model}[exponent]
        angle = position / base ** power
        first, second = (angle.cos(), angle.sin()) if swap else (angle.sin(), angle.cos())
        if halves:
            pe = torch.cat([first, second], dim=1)
        else:
            pe = torch.zeros(length, d_model)
            pe[:, 0::2], pe[:, 1::2] = first, second
        if transpose:
            pe = pe.T
        if integer:
            pe = pe.long()
        return pe.numpy() if numpy else pe

    return sinusoidal_positions


def sinusoidal_positions_all_sines(length, d_model):
    position = torch.arange(length).float()[:, None]
    i = torch.arange(d_model).float()
    return torch.sin(position / 10000 ** (2 * (i // 2) / d_model))


def sinusoidal_positions_hard_coded(length, d_model):
    return _positions()(length, 16)[:, :d_model] if d_model <= 16 else _positions()(length, 16)


# Other right answers, written differently.
def sinusoidal_positions_exp_log(length, d_model):
    position = torch.arange(length, dtype=torch.float64).unsqueeze(1)
    frequency = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float64) * (-math.log(10000.0) / d_model))
    pe = torch.zeros(length, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(position * frequency)
    pe[:, 1::2] = torch.cos(position * frequency)
    return pe


def sinusoidal_positions_loops(length, d_model):
    pe = torch.zeros(length, d_model)
    for pos in range(length):
        for j in range(d_model):
            angle = pos / 10000 ** ((j - j % 2) / d_model)
            pe[pos, j] = math.sin(angle) if j % 2 == 0 else math.cos(angle)
    return pe


def sinusoidal_positions_stack(length, d_model):
    angle = torch.arange(length)[:, None] / torch.pow(10000.0, torch.arange(0, d_model, 2) / d_model)
    return torch.stack([angle.sin(), angle.cos()], dim=-1).flatten(1)


# ---------------------------------------------------------------- 13.5 top-k filtering


def top_k_filter_stub(logits, k):
    # Your code here: keep the k largest logits of every row, set the others to -inf.
    ...


def top_k_filter_zero(logits, k):
    kth = logits.topk(k, dim=-1).values[..., -1:]
    return logits.masked_fill(logits < kth, 0.0)


def top_k_filter_probabilities(logits, k):
    kth = logits.topk(k, dim=-1).values[..., -1:]
    return torch.softmax(logits.masked_fill(logits < kth, -math.inf), dim=-1)


def top_k_filter_one_more(logits, k):
    kth = logits.topk(min(k + 1, logits.shape[-1]), dim=-1).values[..., -1:]
    return logits.masked_fill(logits < kth, -math.inf)


def top_k_filter_less_equal(logits, k):
    kth = logits.topk(k, dim=-1).values[..., -1:]
    return logits.masked_fill(logits <= kth, -math.inf)


def top_k_filter_in_place(logits, k):
    kth = logits.topk(k, dim=-1).values[..., -1:]
    return logits.masked_fill_(logits < kth, -math.inf)


def top_k_filter_values(logits, k):
    return logits.topk(k, dim=-1).values


def top_k_filter_indices(logits, k):
    return logits.topk(k, dim=-1).indices


def top_k_filter_smallest(logits, k):
    kth = logits.topk(k, dim=-1, largest=False).values[..., -1:]
    return logits.masked_fill(logits > kth, -math.inf)


def top_k_filter_columns(logits, k):
    if logits.dim() == 1:
        return top_k_filter_right_sort(logits, k)
    kth = logits.topk(min(k, logits.shape[0]), dim=0).values[-1:]
    return logits.masked_fill(logits < kth, -math.inf)


def top_k_filter_no_keepdim(logits, k):
    kth = logits.topk(k, dim=-1).values[..., -1]  # (B,) broadcasts against the columns, not the rows
    return logits.masked_fill(logits < kth, -math.inf)


def top_k_filter_plus_inf(logits, k):
    kth = logits.topk(k, dim=-1).values[..., -1:]
    return logits.masked_fill(logits < kth, math.inf)


# Other right answers, written differently.
def top_k_filter_right_sort(logits, k):
    kth = logits.sort(dim=-1, descending=True).values[..., k - 1:k]
    return torch.where(logits >= kth, logits, torch.full_like(logits, float("-inf")))


# ---------------------------------------------------------------- added in review: private aliases, more slips


def attention_c_nn_alias(q, k, v, mask=None, is_causal=False):
    """SDPA under its private alias, which `forbid` alone cannot patch."""
    return torch._C._nn.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=is_causal)


def attention_aten_alias(q, k, v, mask=None, is_causal=False):
    return torch.ops.aten.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=is_causal)


def attention_aten_math(q, k, v, mask=None, is_causal=False):
    bias = None if mask is None else torch.zeros(mask.shape).masked_fill(~mask, -math.inf)
    return torch.ops.aten._scaled_dot_product_attention_math(q, k, v, attn_mask=bias, is_causal=is_causal)[0]


def attention_variable_functions_math(q, k, v, mask=None, is_causal=False):
    bias = None if mask is None else torch.zeros(mask.shape).masked_fill(~mask, -math.inf)
    return torch._C._VariableFunctions._scaled_dot_product_attention_math(q, k, v, attn_mask=bias,
                                                                         is_causal=is_causal)[0]


def attention_swallows_blocked_alias(q, k, v, mask=None, is_causal=False):
    """Tries the private SDPA alias and falls back to its own code when blocked: still fails."""
    try:
        return torch._C._nn.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=is_causal)
    except Exception:
        return _attention_with()(q, k, v, mask, is_causal)


def attention_adds_bool_mask(q, k, v, mask=None, is_causal=False):
    if is_causal:
        mask = _causal_mask(q, k)
    scores = _scores(q, k) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores + mask.float()  # True counts as 1, False as 0: nothing is blocked
    return scores.softmax(-1) @ v


def attention_tril_scores(q, k, v, mask=None, is_causal=False):
    scores = _scores(q, k) / math.sqrt(q.shape[-1])
    if is_causal:
        scores = scores.tril()  # zeros above the diagonal, not -inf
    if mask is not None:
        scores = scores.masked_fill(~mask, -math.inf)
    return scores.softmax(-1) @ v


def attention_softmax_dim0(q, k, v, mask=None, is_causal=False):
    return _attention_with(axis=0)(q, k, v, mask, is_causal)


def attention_logsumexp(q, k, v, mask=None, is_causal=False):
    """Right: exp(s - logsumexp(s)) is the softmax; -1e9 blocks as well as -inf."""
    scores = q.matmul(k.swapaxes(-1, -2)) / math.sqrt(q.size(-1))
    if is_causal:
        mask = torch.tril(torch.ones(q.size(-2), k.size(-2))).bool()
    if mask is not None:
        scores = scores.masked_fill(mask == 0, -1e9)
    return torch.exp(scores - torch.logsumexp(scores, -1, keepdim=True)) @ v


def _mha_parts(query, key, value, num_heads, in_proj_weight, in_proj_bias):
    embed = query.shape[-1]

    def heads(x, w, b):
        return F.linear(x, w, b).unflatten(-1, (num_heads, embed // num_heads)).transpose(1, 2)

    (w_q, w_k, w_v), (b_q, b_k, b_v) = in_proj_weight.chunk(3), in_proj_bias.chunk(3)
    return heads(query, w_q, b_q), heads(key, w_k, b_k), heads(value, w_v, b_v)


def multi_head_attention_native(query, key, value, num_heads, in_proj_weight, in_proj_bias,
                                out_proj_weight, out_proj_bias, allowed=None):
    """nn.MultiheadAttention's fused kernel under its private name."""
    return torch._native_multi_head_attention(query, key, value, query.shape[-1], num_heads, in_proj_weight,
                                              in_proj_bias, out_proj_weight, out_proj_bias,
                                              None if allowed is None else ~allowed, False)[0]


def multi_head_attention_float_mask(query, key, value, num_heads, in_proj_weight, in_proj_bias,
                                    out_proj_weight, out_proj_bias, allowed=None):
    q, k, v = _mha_parts(query, key, value, num_heads, in_proj_weight, in_proj_bias)
    mask = None if allowed is None else allowed.float()  # a float mask is added to the scores
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    return F.linear(out.transpose(1, 2).flatten(2), out_proj_weight, out_proj_bias)


def multi_head_attention_no_out_bias(query, key, value, num_heads, in_proj_weight, in_proj_bias,
                                     out_proj_weight, out_proj_bias, allowed=None):
    q, k, v = _mha_parts(query, key, value, num_heads, in_proj_weight, in_proj_bias)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)
    return F.linear(out.transpose(1, 2).flatten(2), out_proj_weight)


def multi_head_attention_scaled_twice(query, key, value, num_heads, in_proj_weight, in_proj_bias,
                                      out_proj_weight, out_proj_bias, allowed=None):
    q, k, v = _mha_parts(query, key, value, num_heads, in_proj_weight, in_proj_bias)
    out = F.scaled_dot_product_attention(q / math.sqrt(q.shape[-1]), k, v, attn_mask=allowed)  # SDPA scales too
    return F.linear(out.transpose(1, 2).flatten(2), out_proj_weight, out_proj_bias)


def multi_head_attention_einsum(query, key, value, num_heads, in_proj_weight, in_proj_bias,
                                out_proj_weight, out_proj_bias, allowed=None):
    """Right: the weights viewed as (3, H, E / H, E), every product an einsum."""
    embed = query.shape[-1]
    d = embed // num_heads
    w, b = in_proj_weight.view(3, num_heads, d, embed), in_proj_bias.view(3, num_heads, 1, d)
    q, k, v = (torch.einsum("ble,hde->bhld", x, w[i]) + b[i] for i, x in enumerate((query, key, value)))
    scores = torch.einsum("bhqd,bhkd->bhqk", q, k) / math.sqrt(d)
    if allowed is not None:
        scores = scores.masked_fill(~allowed, -math.inf)
    out = torch.einsum("bhqk,bhkd->bhqd", scores.softmax(-1), v)
    return torch.einsum("bhqd,ehd->bqe", out, out_proj_weight.view(embed, num_heads, d)) + out_proj_bias


def sinusoidal_positions_times(length, d_model):
    position = torch.arange(length, dtype=torch.float64)[:, None]
    angle = position * 10000 ** (2 * torch.arange(d_model // 2) / d_model)  # times, not divided by
    return torch.stack([angle.sin(), angle.cos()], dim=-1).flatten(1)


def sinusoidal_positions_phase(length, d_model):
    """Right: cos(x) = sin(x + pi / 2)."""
    position = torch.arange(length, dtype=torch.float64)[:, None]
    j = torch.arange(d_model, dtype=torch.float64)
    return torch.sin(position / 10000 ** ((j - j % 2) / d_model) + (j % 2) * math.pi / 2).float()


def top_k_filter_scatter_drops_ties(logits, k):
    """Wrong by the text: topk's indices keep only k of several tied logits."""
    values, indices = logits.topk(k, dim=-1)
    return torch.full_like(logits, -math.inf).scatter(-1, indices, values)


def top_k_filter_kthvalue(logits, k):
    """Right: the k-th largest is the (V - k + 1)-th smallest."""
    kth = logits.kthvalue(logits.shape[-1] - k + 1, dim=-1, keepdim=True).values
    return torch.where(logits >= kth, logits, -math.inf)


WRONG_ANSWERS: dict[str, list[object]] = {
    "13.1": [
        attention_stub,
        _attention_with(scale=lambda q, k, v: 1.0),                              # no scaling
        _attention_with(scale=lambda q, k, v: 1 / math.sqrt(k.shape[-2])),      # sqrt(L) instead of sqrt(d)
        _attention_with(scale=lambda q, k, v: 1 / q.shape[-1]),                 # d instead of sqrt(d)
        _attention_with(scale=lambda q, k, v: 1 / math.sqrt(v.shape[-1])),      # sqrt(d_v)
        _attention_with(axis=-2),                                               # softmax over the queries
        _attention_with(invert=True),                                           # True = blocked
        _attention_with(fill=0.0),                                              # masked with 0, not -inf
        _attention_with(ignore_mask=True),                                      # mask ignored
        _attention_with(ignore_causal=True),                                    # is_causal ignored
        _attention_with(diagonal=1),                                            # sees one future key
        _attention_with(diagonal=-1),                                           # does not see itself
        _attention_with(causal_mask=lambda q, k: _causal_mask(q, k).T.contiguous()),  # the future, not the past
        attention_mask_after_softmax,
        attention_scaled_after_softmax,
        attention_k_transposed_wrong,
        attention_k_dot_t,
        attention_uses_sdpa,
        attention_in_place,
        attention_detached,
        attention_returns_weights,
        attention_wrong_defaults,
        attention_hard_coded_d,
        attention_numpy,
        attention_c_nn_alias,
        attention_aten_alias,
        attention_aten_math,
        attention_variable_functions_math,
        attention_adds_bool_mask,
        attention_tril_scores,
        attention_softmax_dim0,
        attention_swallows_blocked_alias,
    ],
    "13.2": [None, "a", "b", "d", "z"],
    "13.3": [
        multi_head_attention_stub,
        _mha(scale="embed"),
        _mha(order="kqv"),
        _mha(split="no_transpose"),
        _mha(merge="no_transpose"),
        _mha(out_projection=False),
        _mha(biases=False),
        _mha(transpose=True),
        _mha(invert=True),
        _mha(self_only=True),
        _mha(values_from_key=True),
        _mha(builtin=True),
        multi_head_attention_hard_coded_heads,
        multi_head_attention_no_grad,
        multi_head_attention_native,
        multi_head_attention_float_mask,
        multi_head_attention_no_out_bias,
        multi_head_attention_scaled_twice,
    ],
    "13.4": [
        sinusoidal_positions_stub,
        _positions(swap=True),
        _positions(halves=True),
        _positions(halves=True, swap=True),
        _positions(exponent="i"),
        _positions(exponent="2i+1"),
        _positions(start=1),
        _positions(base=1000.0),
        _positions(transpose=True),
        _positions(numpy=True),
        _positions(integer=True),
        sinusoidal_positions_all_sines,
        sinusoidal_positions_hard_coded,
        sinusoidal_positions_times,
    ],
    "13.5": [
        top_k_filter_stub,
        top_k_filter_zero,
        top_k_filter_probabilities,
        top_k_filter_one_more,
        top_k_filter_less_equal,
        top_k_filter_in_place,
        top_k_filter_values,
        top_k_filter_indices,
        top_k_filter_smallest,
        top_k_filter_columns,
        top_k_filter_no_keepdim,
        top_k_filter_plus_inf,
        top_k_filter_scatter_drops_ties,
    ],
    "13.6": [None, "a", "c", "d"],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "13.1": [_attention_with(), _attention_with(fill=-1e9), attention_einsum, attention_big_negative,
             attention_renormalised, attention_logsumexp],
    "13.2": ["c", "(c)", " C "],
    "13.3": [_mha(), multi_head_attention_sdpa, multi_head_attention_loop, multi_head_attention_einsum],
    "13.4": [_positions(), sinusoidal_positions_exp_log, sinusoidal_positions_loops, sinusoidal_positions_stack,
             sinusoidal_positions_phase],
    "13.5": [top_k_filter_right_sort, top_k_filter_kthvalue],
    "13.6": ["b"],
}
