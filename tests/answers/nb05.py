"""Answers for the exercises of notebook 05."""

from __future__ import annotations

import torch


def _stub(*args):
    ...


def _right_dropout(x, p, training):
    if not training or p == 0:
        return x
    keep = (torch.rand_like(x) > p).float()
    return x * keep / (1 - p)


def _no_scaling(x, p, training):
    if not training:
        return x
    return x * (torch.rand_like(x) > p).float()


def _keep_with_p(x, p, training):
    if not training or p == 0:
        return x
    return x * (torch.rand_like(x) < p).float() / p


def _multiply_by_keep(x, p, training):
    if not training:
        return x
    return x * (torch.rand_like(x) > p).float() * (1 - p)


def _drops_in_eval(x, p, training):
    return x * (torch.rand_like(x) > p).float() / (1 - p)


def _old_style_eval(x, p, training):
    if not training:
        return x * (1 - p)
    return x * (torch.rand_like(x) > p).float()


def _fixed_mask(x, p, training):
    if not training or p == 0:
        return x
    generator = torch.Generator().manual_seed(0)
    keep = (torch.rand(x.shape, generator=generator) > p).float()
    return x * keep / (1 - p)


WRONG_ANSWERS: dict[str, list[object]] = {
    "05.1": [
        _stub,
        _no_scaling,
        _keep_with_p,
        _multiply_by_keep,
        _drops_in_eval,
        _old_style_eval,
        _fixed_mask,
        lambda x, p, training: x,                   # never drops anything
        lambda x, p, training: x.foo,               # crashes
    ],
    "05.2": [
        _stub,
        lambda w, g, lr, lam: w - lr * (g - lam * w),           # wrong sign
        lambda w, g, lr, lam: w - lr * (g + lam / 2 * w),       # derivative of lam/2 w^2 taken as lam/2 w
        lambda w, g, lr, lam: w - lr * (g + lam * torch.sign(w)),  # L1 instead of L2
        lambda w, g, lr, lam: w - lr * g,                        # no penalty
        lambda w, g, lr, lam: w - lr * g - lam * w,              # lr not applied to the penalty
        lambda w, g, lr, lam: w + lr * (g + lam * w),            # uphill
        lambda w, g, lr, lam: w - 0.1 * (g + 0.5 * w),           # hard-coded numbers
        lambda w, g, lr, lam: (w - lr * (g + lam * w)).tolist(),  # not a tensor
    ],
    "05.3": ["a", "c", "d", None],
    "05.4": ["a", "b", "d", "e", None],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "05.1": [_right_dropout, lambda x, p, training: torch.nn.functional.dropout(x, p, training)],
    "05.2": [lambda w, g, lr, lam: w * (1 - lr * lam) - lr * g],
    "05.3": ["b", " B "],
    "05.4": ["c", "(c)"],
}
