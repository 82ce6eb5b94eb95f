"""Answers for the exercises of notebook 02."""

from __future__ import annotations

import torch


def _stub(*args):
    ...


def _lse_reference(z):
    m = z.max(dim=-1, keepdim=True).values
    return (m + torch.log(torch.exp(z - m).sum(dim=-1, keepdim=True))).squeeze(-1)


def _lse_global_max(z):
    m = z.max()  # the maximum of the whole tensor, not of each row
    return m + torch.log(torch.exp(z - m).sum(dim=-1))


WRONG_ANSWERS: dict[str, list[object]] = {
    "02.1": ["a", "c", "d", "e", None],
    "02.2": [
        _stub,
        lambda z: torch.log(torch.exp(z).sum(dim=-1)),                      # naive: overflows
        lambda z: z.max(dim=-1).values,                                       # the hard max
        lambda z: torch.log(torch.exp(z - z.max(dim=-1, keepdim=True).values).sum(dim=-1)),  # forgot + m
        _lse_global_max,                                                      # one max for all rows
        lambda z: torch.log(torch.exp(z).sum()),                              # sums over everything
        lambda z: z.max(dim=-1, keepdim=True).values + torch.log(torch.exp(z - z.max(dim=-1, keepdim=True).values).sum(dim=-1, keepdim=True)),  # keeps (N, 1)
        lambda z: _lse_reference(z.T) if z.dim() == 2 else _lse_reference(z),  # wrong dimension
        lambda z: torch.logsumexp(z, dim=1),                                  # dim=1 fails on 1-D input
        lambda z: z.foo,                                                      # crashes
    ],
    "02.3": [
        _stub,
        lambda z, y: torch.logsumexp(z, -1) - z[torch.arange(len(y)), y],                 # no mean
        lambda z, y: (torch.logsumexp(z, -1) - z[torch.arange(len(y)), y]).sum(),         # sum
        lambda z, y: (z[torch.arange(len(y)), y] - torch.logsumexp(z, -1)).mean(),        # sign
        lambda z, y: -torch.log(torch.softmax(z, -1)[torch.arange(len(y)), y]).mean(),    # log of softmax: -inf on huge logits
        lambda z, y: -torch.log(torch.exp(z[torch.arange(len(y)), y]) / torch.exp(z).sum(-1)).mean(),  # naive: nan
        lambda z, y: -torch.log_softmax(z, -1).mean(),                                    # all classes
        lambda z, y: torch.nn.functional.cross_entropy(torch.softmax(z, -1), y),          # double softmax
        lambda z, y: (1 - torch.softmax(z, -1)[torch.arange(len(y)), y]).mean(),          # linear penalty
        lambda z, y: (torch.logsumexp(z, -1) - z[torch.arange(6), y[:6]]).sum() / 6,      # hard-coded batch
        lambda z, y: 1 / 0,                                                               # crashes
    ],
    "02.4": ["a", "c", "d", None, "22"],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "02.1": ["b", " B ", "(b)"],
    "02.2": [_lse_reference, lambda z: torch.logsumexp(z, dim=-1)],
    "02.3": [
        lambda z, y: torch.nn.functional.cross_entropy(z, y),
        lambda z, y: torch.nn.functional.nll_loss(torch.log_softmax(z, dim=-1), y),
        lambda z, y: float((torch.logsumexp(z, -1) - z.gather(1, y[:, None]).squeeze(1)).mean()),
    ],
    "02.4": ["b", "B"],
}
