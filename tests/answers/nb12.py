"""Answers for the exercises of notebook 12."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

# ---------------------------------------------------------------- 12.1 ordinal numbers


def ordinal_stub(day):
    # Your code here: the day and its suffix, "1st", "2nd", "3rd", "4th", ...
    ...


def _ordinal(day):
    if 11 <= day <= 13:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th')}"


def _ordinal_no_teens(day):
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th')}"


def _ordinal_only_first_three(day):
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day, 'th')}"


def _ordinal_space(day):
    return f"{day} {_ordinal(day)[len(str(day)):]}"


def _ordinal_suffix_only(day):
    return _ordinal(day)[len(str(day)):]


def _ordinal_upper(day):
    return _ordinal(day).upper()


def _ordinal_words(day):
    words = ["first", "second", "third"]
    return words[day - 1] if day <= 3 else f"{day}th"


def _ordinal_off_by_one(day):
    return _ordinal(day - 1) if day > 1 else "1st"


def _ordinal_all_th(day):
    return f"{day}th"


def _ordinal_returns_tuple(day):
    return day, _ordinal(day)[len(str(day)):]


def _ordinal_print(day):
    print(_ordinal(day))
    return None


def _ordinal_teens_only_11(day):
    if day == 11:
        return "11th"
    return _ordinal_no_teens(day)


def _ordinal_mod_100_bug(day):
    if day % 10 == 1 and day != 11:
        return f"{day}st"
    if day % 10 == 2:
        return f"{day}nd"
    if day % 10 == 3 and day != 13:
        return f"{day}rd"
    return f"{day}th"


# Right answers written differently.
_WORDS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
          "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
          "eighteenth", "nineteenth", "twentieth"]
_WORDS += ["twenty-" + word for word in _WORDS[:9]] + ["thirtieth", "thirty-first"]


def _ordinal_from_words(day):
    return f"{day}{_WORDS[day - 1][-2:]}"


def _ordinal_branches(day):
    if day in (1, 21, 31):
        suffix = "st"
    elif day in (2, 22):
        suffix = "nd"
    elif day in (3, 23):
        suffix = "rd"
    else:
        suffix = "th"
    return str(day) + suffix


def _ordinal_table(day):
    return str(day) + ("th" if (day // 10) % 10 == 1 else ["th", "st", "nd", "rd", *["th"] * 6][day % 10])


# ---------------------------------------------------------------- 12.2 greedy decoding


def greedy_decode_stub(step, state, start_id, steps):
    # Your code here: feed the start token, then each chosen token, steps times.
    ...


def _greedy(step, state, start_id, steps):
    tokens = torch.full((state.shape[0],), start_id, dtype=torch.long)
    chosen = []
    for _ in range(steps):
        logits, state = step(tokens, state)
        tokens = logits.argmax(-1)
        chosen.append(tokens)
    return torch.stack(chosen, dim=1)


def _greedy_start_every_step(step, state, start_id, steps):
    tokens = torch.full((state.shape[0],), start_id, dtype=torch.long)
    chosen = []
    for _ in range(steps):
        logits, state = step(tokens, state)
        chosen.append(logits.argmax(-1))
    return torch.stack(chosen, dim=1)


def _greedy_state_not_updated(step, state, start_id, steps):
    tokens = torch.full((state.shape[0],), start_id, dtype=torch.long)
    chosen = []
    for _ in range(steps):
        logits, _ = step(tokens, state)
        tokens = logits.argmax(-1)
        chosen.append(tokens)
    return torch.stack(chosen, dim=1)


def _greedy_with_start(step, state, start_id, steps):
    tokens = torch.full((state.shape[0],), start_id, dtype=torch.long)
    chosen = [tokens]
    for _ in range(steps):
        logits, state = step(tokens, state)
        tokens = logits.argmax(-1)
        chosen.append(tokens)
    return torch.stack(chosen, dim=1)


def _greedy_one_short(step, state, start_id, steps):
    return _greedy(step, state, start_id, steps - 1)


def _greedy_transposed(step, state, start_id, steps):
    return _greedy(step, state, start_id, steps).T


def _greedy_logits(step, state, start_id, steps):
    tokens = torch.full((state.shape[0],), start_id, dtype=torch.long)
    out = []
    for _ in range(steps):
        logits, state = step(tokens, state)
        tokens = logits.argmax(-1)
        out.append(logits)
    return torch.stack(out, dim=1)


def _greedy_sampling(step, state, start_id, steps):
    generator = torch.Generator().manual_seed(1)
    tokens = torch.full((state.shape[0],), start_id, dtype=torch.long)
    chosen = []
    for _ in range(steps):
        logits, state = step(tokens, state)
        tokens = torch.multinomial(logits.softmax(-1), 1, generator=generator).squeeze(1)
        chosen.append(tokens)
    return torch.stack(chosen, dim=1)


def _greedy_argmin(step, state, start_id, steps):
    tokens = torch.full((state.shape[0],), start_id, dtype=torch.long)
    chosen = []
    for _ in range(steps):
        logits, state = step(tokens, state)
        tokens = logits.argmin(-1)
        chosen.append(tokens)
    return torch.stack(chosen, dim=1)


def _greedy_int_start(step, state, start_id, steps):
    tokens = start_id
    chosen = []
    for _ in range(steps):
        logits, state = step(tokens, state)
        tokens = logits.argmax(-1)
        chosen.append(tokens)
    return torch.stack(chosen, dim=1)


def _greedy_float_tokens(step, state, start_id, steps):
    tokens = torch.full((state.shape[0],), float(start_id))
    chosen = []
    for _ in range(steps):
        logits, state = step(tokens, state)
        tokens = logits.argmax(-1)
        chosen.append(tokens)
    return torch.stack(chosen, dim=1)


def _greedy_list(step, state, start_id, steps):
    return _greedy(step, state, start_id, steps).tolist()


def _greedy_batch_axis(step, state, start_id, steps):
    tokens = torch.full((state.shape[0],), start_id, dtype=torch.long)
    chosen = []
    for _ in range(steps):
        logits, state = step(tokens, state)
        tokens = logits.argmax(0)[: state.shape[0]]
        chosen.append(tokens)
    return torch.stack(chosen, dim=1)


def _greedy_fixed_batch(step, state, start_id, steps):
    tokens = torch.full((4,), start_id, dtype=torch.long)  # the notebook's example batch, hard-coded
    chosen = []
    for _ in range(steps):
        logits, state = step(tokens, state)
        tokens = logits.argmax(-1)
        chosen.append(tokens)
    return torch.stack(chosen, dim=1)


def _greedy_fixed_steps(step, state, start_id, steps):
    return _greedy(step, state, start_id, 10)  # the length of a date, hard-coded


# Right answers written differently.
def _greedy_preallocated(step, state, start_id, steps):
    out = torch.empty(state.shape[0], steps, dtype=torch.long)
    previous = torch.full((state.shape[0],), start_id, dtype=torch.long)
    for t in range(steps):
        logits, state = step(previous, state)
        out[:, t] = logits.max(dim=-1).indices
        previous = out[:, t].clone()
    return out


def _greedy_concatenated(step, state, start_id, steps):
    tokens = torch.zeros(state.shape[0], 1, dtype=torch.long) + start_id
    for _ in range(steps):
        logits, state = step(tokens[:, -1], state)
        tokens = torch.cat([tokens, logits.argmax(dim=1, keepdim=True)], dim=1)
    return tokens[:, 1:]


# ---------------------------------------------------------------- 12.4 additive attention


def additive_attention_stub(query, keys, W_q, W_k, v, mask=None):
    # Your code here: the scores, the masked softmax, the context.
    ...


def _scores(query, keys, W_q, W_k, v):
    return torch.tanh((query @ W_q.T)[:, None, :] + keys @ W_k.T) @ v


def _finish(scores, keys, mask):
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return (weights[:, :, None] * keys).sum(1), weights


def _attention_no_tanh(query, keys, W_q, W_k, v, mask=None):
    return _finish(((query @ W_q.T)[:, None, :] + keys @ W_k.T) @ v, keys, mask)


def _attention_batch_softmax(query, keys, W_q, W_k, v, mask=None):
    scores = _scores(query, keys, W_q, W_k, v)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=0)
    return (weights[:, :, None] * keys).sum(1), weights


def _attention_ignores_mask(query, keys, W_q, W_k, v, mask=None):
    return _finish(_scores(query, keys, W_q, W_k, v), keys, None)


def _attention_opposite_mask(query, keys, W_q, W_k, v, mask=None):
    return _finish(_scores(query, keys, W_q, W_k, v), keys, None if mask is None else ~mask)


def _attention_mask_after_softmax(query, keys, W_q, W_k, v, mask=None):
    weights = torch.softmax(_scores(query, keys, W_q, W_k, v), dim=-1)
    if mask is not None:
        weights = weights * mask
    return (weights[:, :, None] * keys).sum(1), weights


def _attention_zero_scores(query, keys, W_q, W_k, v, mask=None):
    scores = _scores(query, keys, W_q, W_k, v)
    if mask is not None:
        scores = scores * mask
    return _finish(scores, keys, None)


def _attention_scaled(query, keys, W_q, W_k, v, mask=None):
    return _finish(_scores(query, keys, W_q, W_k, v) / math.sqrt(W_q.shape[0]), keys, mask)


def _attention_transposed(query, keys, W_q, W_k, v, mask=None):
    scores = torch.tanh((query @ W_q)[:, None, :] + keys @ W_k) @ v
    return _finish(scores, keys, mask)


def _attention_mean_context(query, keys, W_q, W_k, v, mask=None):
    _, weights = _finish(_scores(query, keys, W_q, W_k, v), keys, mask)
    return keys.mean(1), weights


def _attention_projected_context(query, keys, W_q, W_k, v, mask=None):
    _, weights = _finish(_scores(query, keys, W_q, W_k, v), keys, mask)
    return (weights[:, :, None] * (keys @ W_k.T)).sum(1), weights


def _attention_swapped(query, keys, W_q, W_k, v, mask=None):
    context, weights = _finish(_scores(query, keys, W_q, W_k, v), keys, mask)
    return weights, context


def _attention_sigmoid(query, keys, W_q, W_k, v, mask=None):
    weights = torch.sigmoid(_scores(query, keys, W_q, W_k, v))
    if mask is not None:
        weights = weights * mask
    return (weights[:, :, None] * keys).sum(1), weights


def _attention_context_only(query, keys, W_q, W_k, v, mask=None):
    return _finish(_scores(query, keys, W_q, W_k, v), keys, mask)[0]


def _attention_keepdim(query, keys, W_q, W_k, v, mask=None):
    context, weights = _finish(_scores(query, keys, W_q, W_k, v), keys, mask)
    return context, weights[:, :, None]


def _attention_in_place(query, keys, W_q, W_k, v, mask=None):
    if mask is not None:
        keys[~mask] = 0.0  # "clean" the padding, in the caller's tensor
    return _finish(_scores(query, keys, W_q, W_k, v), keys, mask)


def _attention_detached(query, keys, W_q, W_k, v, mask=None):
    context, weights = _finish(_scores(query, keys, W_q, W_k, v).detach(), keys, mask)
    return context, weights


def _attention_sdpa(query, keys, W_q, W_k, v, mask=None):
    q = (query @ W_q.T)[:, None, :]
    k = keys @ W_k.T
    context = F.scaled_dot_product_attention(q, k, keys, attn_mask=None if mask is None else mask[:, None, :])
    return context[:, 0], torch.softmax((q @ k.transpose(1, 2))[:, 0], -1)


def _attention_mask_fill_in_place(query, keys, W_q, W_k, v, mask=None):
    scores = _scores(query, keys, W_q, W_k, v)
    if mask is not None:
        mask.logical_not_()  # flips the caller's mask
        scores = scores.masked_fill(mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return (weights[:, :, None] * keys).sum(1), weights


# Right answers written differently.
def _attention_einsum(query, keys, W_q, W_k, v, mask=None):
    projected = torch.einsum("ad,bd->ba", W_q, query)[:, None, :] + torch.einsum("ak,bsk->bsa", W_k, keys)
    scores = torch.einsum("bsa,a->bs", torch.tanh(projected), v)
    if mask is not None:
        scores = torch.where(mask, scores, torch.full_like(scores, -1e9))
    weights = scores.softmax(dim=1)
    return torch.einsum("bs,bsk->bk", weights, keys), weights


def _attention_renormalised(query, keys, W_q, W_k, v, mask=None):
    scores = _scores(query, keys, W_q, W_k, v)
    weights = (scores - scores.max(-1, keepdim=True).values).exp()
    if mask is not None:
        weights = weights * mask
    weights = weights / weights.sum(-1, keepdim=True)
    return torch.bmm(weights[:, None, :], keys)[:, 0], weights


WRONG_ANSWERS: dict[str, list[object]] = {
    "12.1": [
        ordinal_stub,
        _ordinal_no_teens,
        _ordinal_only_first_three,
        _ordinal_space,
        _ordinal_suffix_only,
        _ordinal_upper,
        _ordinal_words,
        _ordinal_off_by_one,
        _ordinal_all_th,
        _ordinal_returns_tuple,
        _ordinal_print,
        _ordinal_teens_only_11,
        _ordinal_mod_100_bug,
    ],
    "12.2": [
        greedy_decode_stub,
        _greedy_start_every_step,
        _greedy_state_not_updated,
        _greedy_with_start,
        _greedy_one_short,
        _greedy_transposed,
        _greedy_logits,
        _greedy_sampling,
        _greedy_argmin,
        _greedy_int_start,
        _greedy_float_tokens,
        _greedy_list,
        _greedy_batch_axis,
        _greedy_fixed_batch,
        _greedy_fixed_steps,
    ],
    "12.3": [None, "a", "c", "d", "e", 2],
    "12.4": [
        additive_attention_stub,
        _attention_no_tanh,
        _attention_batch_softmax,
        _attention_ignores_mask,
        _attention_opposite_mask,
        _attention_mask_after_softmax,
        _attention_zero_scores,
        _attention_scaled,
        _attention_transposed,
        _attention_mean_context,
        _attention_projected_context,
        _attention_swapped,
        _attention_sigmoid,
        _attention_context_only,
        _attention_keepdim,
        _attention_in_place,
        _attention_detached,
        _attention_sdpa,
        _attention_mask_fill_in_place,
    ],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "12.1": [_ordinal, _ordinal_from_words, _ordinal_branches, _ordinal_table],
    "12.2": [_greedy, _greedy_preallocated, _greedy_concatenated],
    "12.3": ["b", " B ", "(b)"],
    "12.4": [_attention_einsum, _attention_renormalised],
}


# Added by review: ready-made attention kernels reached through private aliases (forbid alone misses them), and
# mistakes that were caught but named wrongly.
def _sdpa_scores(query, keys, W_q, W_k, v, mask):
    scores = _scores(query, keys, W_q, W_k, v)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return scores, torch.zeros(keys.shape[0], 1, keys.shape[-1], dtype=keys.dtype)


def _attention_sdpa_c_alias(query, keys, W_q, W_k, v, mask=None):
    scores, zeros = _sdpa_scores(query, keys, W_q, W_k, v, mask)  # softmax(0 + scores) @ keys is the right context
    context = torch._C._nn.scaled_dot_product_attention(zeros, keys, keys, attn_mask=scores[:, None, :])
    return context[:, 0], torch.softmax(scores, -1)


def _attention_sdpa_aten_alias(query, keys, W_q, W_k, v, mask=None):
    scores, zeros = _sdpa_scores(query, keys, W_q, W_k, v, mask)
    context = torch.ops.aten.scaled_dot_product_attention(zeros, keys, keys, attn_mask=scores[:, None, :])
    return context[:, 0], torch.softmax(scores, -1)


def _attention_sdpa_math_kernel(query, keys, W_q, W_k, v, mask=None):
    scores, zeros = _sdpa_scores(query, keys, W_q, W_k, v, mask)
    context, weights = torch.ops.aten._scaled_dot_product_attention_math(zeros, keys, keys,
                                                                           attn_mask=scores[:, None, :])
    return context[:, 0], weights[:, 0]


def _attention_sdpa_swallowed(query, keys, W_q, W_k, v, mask=None):
    try:
        return _attention_sdpa_c_alias(query, keys, W_q, W_k, v, mask)
    except Exception:  # a learner who hides the error and falls back
        return _finish(_scores(query, keys, W_q, W_k, v), keys, mask)


def _attention_tanh_after_v(query, keys, W_q, W_k, v, mask=None):
    return _finish(torch.tanh(((query @ W_q.T)[:, None, :] + keys @ W_k.T) @ v), keys, mask)


def _attention_scaled_d_k(query, keys, W_q, W_k, v, mask=None):
    return _finish(_scores(query, keys, W_q, W_k, v) / math.sqrt(keys.shape[-1]), keys, mask)


def _attention_v_column(query, keys, W_q, W_k, v, mask=None):
    scores = torch.tanh((query @ W_q.T)[:, None, :] + keys @ W_k.T) @ v[:, None]  # (B, S, 1)
    if mask is not None:
        scores = scores.masked_fill(~mask[..., None], float("-inf"))
    weights = torch.softmax(scores, dim=-1)[..., 0]  # a softmax over a dimension of size 1: all ones
    return (weights[:, :, None] * keys).sum(1), weights


def _attention_no_position_axis(query, keys, W_q, W_k, v, mask=None):
    return _finish(torch.tanh(query @ W_q.T + keys @ W_k.T) @ v, keys, mask)  # broadcasts only for B == 1


# Right answers added by review.
def _attention_loop_linear(query, keys, W_q, W_k, v, mask=None):
    contexts, weights = [], []
    for b in range(query.shape[0]):
        scores = torch.tanh(F.linear(query[b], W_q) + F.linear(keys[b], W_k)) @ v
        if mask is not None:
            scores = scores.masked_fill(mask[b] == 0, -1e9)
        w = scores.softmax(0)
        weights.append(w)
        contexts.append(w @ keys[b])
    return torch.stack(contexts), torch.stack(weights)


def _ordinal_tens(day):
    if 10 <= day <= 20:
        return f"{day}th"
    return str(day) + ["th", "st", "nd", "rd", "th", "th", "th", "th", "th", "th"][day % 10]


def _greedy_recursive(step, state, start_id, steps):
    def go(tokens, state, n):
        if n == 0:
            return []
        logits, state = step(tokens, state)
        chosen = logits.argmax(1)
        return [chosen, *go(chosen, state, n - 1)]
    return torch.stack(go(torch.full((len(state),), start_id), state, steps), dim=-1)


WRONG_ANSWERS["12.4"] += [_attention_sdpa_c_alias, _attention_sdpa_aten_alias, _attention_sdpa_math_kernel,
                          _attention_sdpa_swallowed, _attention_tanh_after_v, _attention_scaled_d_k,
                          _attention_v_column, _attention_no_position_axis]
RIGHT_ANSWERS["12.4"] += [_attention_loop_linear]
RIGHT_ANSWERS["12.1"] += [_ordinal_tens]
RIGHT_ANSWERS["12.2"] += [_greedy_recursive]
