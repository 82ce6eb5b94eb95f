"""Answers for the exercises of notebook 01."""

from __future__ import annotations

import torch


def _step(z):
    return (z >= 0).float()


def _stub(w, b, x, y, lr):
    ...


def _sign_flipped(w, b, x, y, lr):
    error = _step(x @ w + b) - y
    return w + lr * error * x, b + lr * error


def _no_bias(w, b, x, y, lr):
    error = y - _step(x @ w + b)
    return w + lr * error * x, b


def _delta_rule(w, b, x, y, lr):
    error = y - (x @ w + b)
    return w + lr * error * x, b + lr * error


def _always_update(w, b, x, y, lr):
    return w + lr * y * x, b + lr * y


def _no_learning_rate(w, b, x, y, lr):
    error = y - _step(x @ w + b)
    return w + error * x, b + error


def _strict_step(w, b, x, y, lr):
    error = y - (x @ w + b > 0).float()
    return w + lr * error * x, b + lr * error


def _only_weights(w, b, x, y, lr):
    error = y - _step(x @ w + b)
    return w + lr * error * x


def _right(w, b, x, y, lr):
    error = y - _step(x @ w + b)
    return w + lr * error * x, b + lr * error


def _right_in_place(w, b, x, y, lr):
    y_hat = 1 if float(w @ x) + b >= 0 else 0
    w += lr * (y - y_hat) * x
    return w, b + lr * (y - y_hat)


WRONG_ANSWERS: dict[str, list[object]] = {
    "01.1": [
        _stub,
        _sign_flipped,
        _no_bias,
        _delta_rule,
        _always_update,
        _no_learning_rate,
        _strict_step,
        _only_weights,
        lambda w, b, x, y, lr: w.foo,  # crashes
    ],
    "01.2": [
        (1, 1, -1.5),   # AND
        (1, 1, -0.5),   # OR
        (-1, -1, 0.5),  # NOR
        (-1, -1, 2.5),  # always 1
        (1, 1),         # missing the bias
        (None, None, None),
        "nand",
    ],
    "01.3": ["a", "c", "d", None],
    "01.4": ["a", "b", "d", "e", None],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "01.1": [_right, _right_in_place],
    "01.2": [(-1, -1, 1.5), [-2.0, -2.0, 3.0], torch.tensor([-1.0, -1.0, 1.0])],
    "01.3": ["b", " B "],
    "01.4": ["c", "(c)"],
}
