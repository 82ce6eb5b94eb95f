"""Answers for the exercises of notebook 08."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def _make_block(forward_pass):
    """A ResidualBlock class (the notebook's __init__) with the given forward(self, x)."""

    class Block(nn.Module):
        def __init__(self, in_channels, out_channels, stride=1):
            super().__init__()
            self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(out_channels)
            self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(out_channels)
            if stride != 1 or in_channels != out_channels:
                self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                                              nn.BatchNorm2d(out_channels))
            else:
                self.shortcut = nn.Identity()

        def forward(self, x):
            return forward_pass(self, x)

    return Block


def _branch(self, x):
    return self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))


def _stub_forward(self, x):
    ...


_RIGHT_BLOCK = _make_block(lambda self, x: F.relu(_branch(self, x) + self.shortcut(x)))


def _dense_right(c0, k, layers):
    return sum(2 * (c0 + i * k) + 9 * (c0 + i * k) * k for i in range(layers))


def _dense_stub(c0, k, layers):
    ...


def _iou_right(p, t):
    union = (p | t).sum()
    return 1.0 if union == 0 else ((p & t).sum() / union).item()


def _iou_stub(p, t):
    ...


WRONG_ANSWERS: dict[str, list[object]] = {
    "08.1": ["a", "c", "d", None, "yes"],
    "08.2": [
        _make_block(_stub_forward),                                                        # the stub
        _make_block(lambda self, x: _branch(self, x) + self.shortcut(x)),                   # no final ReLU
        _make_block(lambda self, x: F.relu(_branch(self, x))),                              # no shortcut
        _make_block(lambda self, x: F.relu(_branch(self, x)) + self.shortcut(x)),           # ReLU before the add
        _make_block(lambda self, x: F.relu(_branch(self, x) + x)),                          # x, not shortcut(x)
        _make_block(lambda self, x: F.relu(self.conv2(F.relu(self.bn1(self.conv1(x)))) + self.shortcut(x))),  # no bn2
        _make_block(lambda self, x: F.relu(self.bn2(self.conv2(self.bn1(self.conv1(x)))) + self.shortcut(x))),  # no inner ReLU
        _make_block(lambda self, x: F.relu(_branch(self, x) * self.shortcut(x))),           # multiplies
        _RIGHT_BLOCK(8, 8),                                                                # an instance, not the class
        "ResidualBlock",
    ],
    "08.3": [
        _dense_stub,
        lambda c0, k, layers: layers * (2 * c0 + 9 * c0 * k),                               # input never grows
        lambda c0, k, layers: sum(9 * (c0 + i * k) * k for i in range(layers)),             # no batch norm
        lambda c0, k, layers: _dense_right(c0, k, layers) + layers * k,                     # conv biases
        lambda c0, k, layers: sum(2 * (c0 + (i + 1) * k) + 9 * (c0 + (i + 1) * k) * k for i in range(layers)),  # off by one
        lambda c0, k, layers: sum(2 * (c0 + i * k) + (c0 + i * k) * k for i in range(layers)),  # 1x1 kernels
        lambda c0, k, layers: c0 + layers * k,                                              # output channels
        lambda c0, k, layers: 8_288,                                                       # the notebook's number
        8_288,
    ],
    "08.4": [
        _iou_stub,
        lambda p, t: ((p & t).sum() / t.sum()).item(),                                     # recall
        lambda p, t: ((p & t).sum() / p.sum()).item(),                                     # precision
        lambda p, t: (2 * (p & t).sum() / (p.sum() + t.sum())).item(),                     # Dice
        lambda p, t: ((p & t).sum() / (p.sum() + t.sum())).item(),                         # union double-counts
        lambda p, t: (p == t).float().mean().item(),                                       # pixel accuracy
        lambda p, t: ((p & t).sum() / (p | t).sum()).item(),                               # nan on empty masks
        lambda p, t: (p & t).sum().item(),                                                 # intersection only
        lambda p, t: (p & t).float() / (p | t).float(),                                    # per pixel, not one number
    ],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "08.1": ["b", " B", "(b)"],
    "08.2": [_RIGHT_BLOCK, _make_block(lambda self, x: torch.relu(self.shortcut(x) + _branch(self, x)))],
    "08.3": [_dense_right, lambda c0, k, layers: (2 + 9 * k) * sum(c0 + i * k for i in range(layers))],
    "08.4": [_iou_right, lambda p, t: float((p & t).sum()) / max(float((p | t).sum()), 1.0) if (p | t).any() else 1.0],
}
