"""Answers for the exercises of notebook 04."""

from __future__ import annotations

from itertools import pairwise

import numpy as np


def _count_stub(sizes):
    ...


def _leaky_stub(grad_output, z, slope=0.01):
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
    "04.1": ["a", "c", "e", None],
    "04.2": ["a", "b", "d", None, "yes"],
    "04.3": [
        _leaky_stub,
        lambda g, z, slope=0.01: g,                                    # no gating
        lambda g, z, slope=0.01: np.where(z > 0, 1.0, slope),          # local derivative only
        lambda g, z, slope=0.01: g * np.where(z > 0, z, slope * z),    # multiplied by the activation
        lambda g, z, slope=0.01: g * np.where(z > 0, slope, 1.0),      # slope on the wrong side
        lambda g, z, slope=0.01: g * (z > 0),                          # plain ReLU backward
        lambda g, z, slope=0.01: g * np.where(z > 0, 1.0, 0.01),       # ignores the slope argument
        lambda g, z, slope=0.01: g * np.where(z >= 0, 1.0, slope),     # wrong at exactly zero
        lambda g, z, slope=0.01: g * np.where(g > 0, 1.0, slope),      # gated on the gradient's sign
        lambda g, z: g * np.where(z > 0, 1.0, 0.01),                   # no slope parameter at all
        lambda g, z, slope=0.01: (g * np.where(z > 0, 1.0, slope)).T,  # wrong shape
        lambda g, z, slope=0.01: g * np.where(z > 0, 1.0, -slope),     # sign slip
        lambda g, z, slope=0.01: g.foo,                                # crashes
    ],
    "04.4": [
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
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "04.1": ["b", " B", "(b)"],
    "04.2": ["c", "C"],
    "04.3": [
        lambda g, z, slope=0.01: g * np.where(z > 0, 1.0, slope),
        lambda g, z, slope=0.01: np.where(z > 0, g, slope * g),
    ],
    "04.4": [_right_count, lambda sizes: int(sum(np.array(sizes[:-1]) * np.array(sizes[1:]) + np.array(sizes[1:])))],
}
