"""Answers for the exercises of notebook 06."""

from __future__ import annotations

import math

import numpy as np
import torch

ZEROS = [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]  # the untouched stub
LINE = [[2.0, -1.0, -1.0], [-1.0, 2.0, -1.0], [-1.0, -1.0, 2.0]]


def _size_stub(n, k, s, p):
    ...


def _count_stub(in_channels, out_channels, kernel_size):
    ...


def _field_stub(layers):
    ...


def _field_ignoring_strides(layers):
    return 1 + sum(k - 1 for k, _ in layers)


def _field_stride_too_early(layers):
    size, jump = 1, 1
    for k, s in layers:
        jump *= s
        size += (k - 1) * jump
    return size


def _field_right(layers):
    size, jump = 1, 1
    for k, s in layers:
        size += (k - 1) * jump
        jump *= s
    return size


def _field_backwards(layers):
    # From the top unit down to the input: r_in = (r_out - 1) * s + k.
    size = 1
    for k, s in reversed(layers):
        size = (size - 1) * s + k
    return size


WRONG_ANSWERS: dict[str, list[object]] = {
    "06.1": [
        ZEROS,                                                      # the stub, untouched
        None,
        [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]],     # Sobel x: an edge detector
        [[0.0, 1.0, 2.0], [-1.0, 0.0, 1.0], [-2.0, -1.0, 0.0]],     # a diagonal *edge* detector
        [[-1.0, -1.0, 2.0], [-1.0, 2.0, -1.0], [2.0, -1.0, -1.0]],  # the other diagonal
        [[-1.0, -1.0, -1.0], [2.0, 2.0, 2.0], [-1.0, -1.0, -1.0]],  # horizontal lines
        np.eye(3),                                                  # does not sum to zero
        (-torch.tensor(LINE)).tolist(),                             # right idea, wrong sign
        [[2.0, -1.0], [-1.0, 2.0]],                                 # 2 x 2
        [[2.0, -1.0, -1.0], [-1.0, 2.0, -1.0], [-1.0, -1.0, 1.0]],  # does not sum to zero
        "diagonal",
    ],
    "06.2": [
        _size_stub,
        lambda n, k, s, p: (n + 2 * p - k) / s + 1,                 # no floor
        lambda n, k, s, p: (n + p - k) // s + 1,                    # padding on one side only
        lambda n, k, s, p: (n - k) // s + 1,                        # no padding
        lambda n, k, s, p: (n + 2 * p - k) // s,                    # forgot + 1
        lambda n, k, s, p: math.ceil((n + 2 * p - k) / s) + 1,      # rounds up
        lambda n, k, s, p: (n + 2 * p) // s,                        # forgot the kernel
        lambda n, k, s, p: n - k + 1,                               # stride 1, no padding only
        lambda n, k, s, p: str(n),                                  # not a number
        28,                                                         # not a function
    ],
    "06.3": [
        _count_stub,
        lambda c_in, c_out, k: c_in * c_out * k * k,                # no bias
        lambda c_in, c_out, k: c_out * (k * k + 1),                 # forgot the input channels
        lambda c_in, c_out, k: c_in * c_out * k + c_out,            # k instead of k * k
        lambda c_in, c_out, k: c_in * c_out * k * k + c_in,         # bias per input channel
        lambda c_in, c_out, k: 2 * c_in * c_out * k * k,            # a bias per weight
        lambda c_in, c_out, k: (c_in * k * k + 1) * c_out * 28 * 28,  # one kernel per position
        lambda c_in, c_out, k: 320,                                 # the notebook's number
        lambda c_in, c_out, k: c_in.foo,                            # crashes
    ],
    "06.4": ["a", "b", "c", "e", None],
    "06.5": [
        _field_stub,
        _field_ignoring_strides,
        _field_stride_too_early,
        lambda layers: sum(k for k, _ in layers),
        lambda layers: math.prod(k for k, _ in layers),
        lambda layers: 24,                                          # the notebook's number
        lambda layers: layers[0],                                   # not a number
    ],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "06.1": [
        LINE,
        torch.tensor(LINE),
        np.array(LINE) / 6,                                         # any positive scale works
        [[1.0, -1.0, 0.0], [-1.0, 2.0, -1.0], [0.0, -1.0, 1.0]],
    ],
    "06.2": [
        lambda n, k, s, p: (n + 2 * p - k) // s + 1,
        lambda n, k, s, p: math.floor((n + 2 * p - k) / s) + 1,
        lambda n, k, s, p: len(range(0, n + 2 * p - k + 1, s)),
    ],
    "06.3": [
        lambda c_in, c_out, k: c_out * (c_in * k * k + 1),
        lambda c_in, c_out, k: sum(p.numel() for p in torch.nn.Conv2d(c_in, c_out, k, device="meta").parameters()),
    ],
    "06.4": ["d", "D", "(d)"],
    "06.5": [_field_right, _field_backwards],
}
