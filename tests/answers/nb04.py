"""Answers for the exercises of notebook 04."""

from __future__ import annotations

from itertools import pairwise

import numpy as np


def _count_stub(sizes):
    ...


def _relu_stub(grad_output, z):
    ...


def _weights_only(sizes):
    return sum(a * b for a, b in pairwise(sizes))


def _bias_on_inputs(sizes):
    return sum(a * b + a for a, b in pairwise(sizes))


def _first_layer_only(sizes):
    return sizes[0] * sizes[1] + sizes[1]


def _every_unit_has_bias(sizes):
    return _weights_only(sizes) + sum(sizes)


def _right_count(sizes):
    return sum(a * b + b for a, b in pairwise(sizes))


WRONG_ANSWERS: dict[str, list[object]] = {
    "04.1": [
        _count_stub,
        _weights_only,
        _bias_on_inputs,
        _first_layer_only,
        _every_unit_has_bias,
        lambda sizes: 101_770,                        # the notebook's number, hard-coded
        lambda sizes: sum(a * b + b for a, b in pairwise(sizes[:-1])),  # drops the last layer
        lambda sizes: sizes.foo,                      # crashes
        101_770,                                      # a number instead of a function
    ],
    "04.2": [
        _relu_stub,
        lambda g, z: g,                               # no gating
        lambda g, z: (z > 0).astype(float),           # mask only
        lambda g, z: g * np.maximum(z, 0),            # multiplied by the activation
        lambda g, z: g * (z >= 0),                    # wrong at exactly zero
        lambda g, z: np.maximum(g, 0),                # gated on the gradient's sign
        lambda g, z: g * z,
        lambda g, z: (g * (z > 0)).T,                 # wrong shape
        lambda g, z: g.foo,                           # crashes
    ],
    "04.3": ["a", "c", "e", None],
    "04.4": ["a", "b", "d", None, "yes"],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "04.1": [_right_count, lambda sizes: int(sum(np.array(sizes[:-1]) * np.array(sizes[1:]) + np.array(sizes[1:])))],
    "04.2": [lambda g, z: g * (z > 0), lambda g, z: np.where(z > 0, g, 0.0)],
    "04.3": ["b", " B", "(b)"],
    "04.4": ["c", "C"],
}
