"""Answers for the exercises of notebook 07."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def _stub(*args):
    ...


def _not_implemented(*args):
    raise NotImplementedError


# ----------------------------------------------------------------------- 07.1 output size

def _right_size(size, kernel_size, stride=1, padding=0):
    return (size + 2 * padding - kernel_size) // stride + 1


def _right_size_floor(size, kernel_size, stride=1, padding=0):
    return int(np.floor((size + 2 * padding - kernel_size) / stride)) + 1


# ----------------------------------------------------------------------- 07.2 confusion matrix

def _right_confusion(y_true, y_pred, num_classes):
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.long)
    for t, p in zip(y_true.tolist(), y_pred.tolist(), strict=True):
        matrix[t, p] += 1
    return matrix


def _right_confusion_bincount(y_true, y_pred, num_classes):
    counts = torch.bincount(y_true * num_classes + y_pred, minlength=num_classes**2)
    return counts.reshape(num_classes, num_classes)


def _transposed(y_true, y_pred, num_classes):
    return _right_confusion(y_true, y_pred, num_classes).T


def _row_normalised(y_true, y_pred, num_classes):
    matrix = _right_confusion(y_true, y_pred, num_classes).float()
    return matrix / matrix.sum(dim=1, keepdim=True).clamp(min=1)


def _sized_by_labels(y_true, y_pred, num_classes):
    k = int(max(y_true.max(), y_pred.max())) + 1
    return _right_confusion(y_true, y_pred, k)


def _diagonal_only(y_true, y_pred, num_classes):
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.long)
    for t, p in zip(y_true.tolist(), y_pred.tolist(), strict=True):
        if t == p:
            matrix[t, p] += 1
    return matrix


def _mistakes_only(y_true, y_pred, num_classes):
    matrix = _right_confusion(y_true, y_pred, num_classes)
    return matrix - torch.diag(torch.diag(matrix))


def _fancy_index_assignment(y_true, y_pred, num_classes):
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.long)
    matrix[y_true, y_pred] += 1          # repeated pairs are counted once only
    return matrix


# ----------------------------------------------------------------------- 07.3 random crop

def _right_crop(images, padding):
    n, _, height, width = images.shape
    padded = F.pad(images, (padding, padding, padding, padding))
    tops = torch.randint(0, 2 * padding + 1, (n,))
    lefts = torch.randint(0, 2 * padding + 1, (n,))
    return torch.stack([padded[i, :, t:t + height, s:s + width]
                        for i, (t, s) in enumerate(zip(tops.tolist(), lefts.tolist(), strict=True))])


def _right_crop_one_by_one(images, padding):
    out = torch.zeros_like(images)
    _, _, height, width = images.shape
    for i, image in enumerate(images):
        padded = F.pad(image, (padding, padding, padding, padding))
        top, left = (int(v) for v in torch.randint(0, 2 * padding + 1, (2,)))
        out[i] = padded[:, top:top + height, left:left + width]
    return out


def _rolled(images, padding):
    shifts = torch.randint(-padding, padding + 1, (len(images), 2))
    return torch.stack([torch.roll(image, tuple(s.tolist()), dims=(1, 2))
                        for image, s in zip(images, shifts, strict=True)])


def _same_offset_for_the_batch(images, padding):
    _, _, height, width = images.shape
    padded = F.pad(images, (padding, padding, padding, padding))
    top, left = (int(v) for v in torch.randint(0, 2 * padding + 1, (2,)))
    return padded[:, :, top:top + height, left:left + width]


def _exclusive_upper_bound(images, padding):
    n, _, height, width = images.shape
    padded = F.pad(images, (padding, padding, padding, padding))
    tops = torch.randint(0, 2 * padding, (n,))          # never 2 * padding
    lefts = torch.randint(0, 2 * padding, (n,))
    return torch.stack([padded[i, :, t:t + height, s:s + width]
                        for i, (t, s) in enumerate(zip(tops.tolist(), lefts.tolist(), strict=True))])


def _padded_only(images, padding):
    return F.pad(images, (padding, padding, padding, padding))


def _centre_crop(images, padding):
    _, _, height, width = images.shape
    padded = F.pad(images, (padding, padding, padding, padding))
    return padded[:, :, padding:padding + height, padding:padding + width]


def _too_far(images, padding):
    return _right_crop(images, 2 * padding)


def _fixed_seed(images, padding):
    generator = torch.Generator().manual_seed(0)
    n, _, height, width = images.shape
    padded = F.pad(images, (padding, padding, padding, padding))
    tops = torch.randint(0, 2 * padding + 1, (n,), generator=generator)
    lefts = torch.randint(0, 2 * padding + 1, (n,), generator=generator)
    return torch.stack([padded[i, :, t:t + height, s:s + width]
                        for i, (t, s) in enumerate(zip(tops.tolist(), lefts.tolist(), strict=True))])


def _noisy_crop(images, padding):
    return _right_crop(images, padding) + 0.01


WRONG_ANSWERS: dict[str, list[object]] = {
    "07.1": [
        _stub,
        _not_implemented,
        lambda size, k, s=1, p=0: (size + 2 * p - k) // s,             # no + 1
        lambda size, k, s=1, p=0: (size + p - k) // s + 1,             # padding on one side
        lambda size, k, s=1, p=0: (size - k) // s + 1,                 # padding forgotten
        lambda size, k, s=1, p=0: size + 2 * p - k + 1,                # stride forgotten
        lambda size, k, s=1, p=0: (size + 2 * p - k) / s + 1,          # true division
        lambda size, k, s=1, p=0: -(-(size + 2 * p - k) // s) + 1,     # rounds up
        lambda size, k, s=1, p=0: size // s,
        lambda size, k, s=1, p=0: 28,                                  # LeNet's first answer, hard-coded
        lambda size, k, s=1, p=0: size.foo,                            # crashes
        28,                                                            # a number instead of a function
    ],
    "07.2": [
        _stub,
        _transposed,
        _row_normalised,
        _sized_by_labels,
        _diagonal_only,
        _mistakes_only,
        _fancy_index_assignment,
        lambda y_true, y_pred, k: y_true.foo,                          # crashes
        np.eye(10),                                                    # not a function
    ],
    "07.3": [
        _stub,
        _not_implemented,
        _rolled,
        _same_offset_for_the_batch,
        _exclusive_upper_bound,
        _padded_only,
        _centre_crop,
        _too_far,
        _fixed_seed,
        _noisy_crop,
        lambda images, padding: images,
        lambda images, padding: images.foo,                            # crashes
    ],
    "07.4": ["a", "c", "d", None, "e", "yes"],
    "07.5": ["a", "c", "d", None, "e"],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "07.1": [_right_size, _right_size_floor],
    "07.2": [_right_confusion, _right_confusion_bincount,
             lambda y_true, y_pred, k: _right_confusion(y_true, y_pred, k).numpy().tolist()],
    "07.3": [_right_crop, _right_crop_one_by_one],
    "07.4": ["b", " B", "(b)"],
    "07.5": ["b", "B"],
}
