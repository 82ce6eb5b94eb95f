"""Answers for the exercises of notebook 00."""

from __future__ import annotations

import torch


def _stub(predictions, targets):
    ...


WRONG_ANSWERS: dict[str, list[object]] = {
    "00.1": [
        _stub,
        lambda p, t: (p - t).abs().mean(),          # mean absolute error
        lambda p, t: ((p - t) ** 2).sum(),          # forgot to divide by N
        lambda p, t: ((p - t) ** 2).mean().sqrt(),  # root mean squared error
        lambda p, t: (p - t).mean(),                # errors cancel
        lambda p, t: ((p - t) ** 2).sum() / 4,      # hard-coded length
        lambda p, t: ((p - t) ** 2),                # not reduced to one number
        lambda p, t: p.foo,                         # crashes
    ],
    "00.2": ["a", "c", "d", None],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "00.1": [lambda p, t: torch.nn.functional.mse_loss(p, t), lambda p, t: float(((p - t) ** 2).mean())],
    "00.2": ["b", " B ", "(b)"],
}
