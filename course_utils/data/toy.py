"""Small 2-D classification problems, generated on the spot (no files, no network).

Each set is a cloud of points in the plane with a class label, small enough to train on
in a second and to draw completely, which makes decision boundaries visible:

- ``"xor"``: four quadrants, opposite corners share a class (not linearly separable);
- ``"moons"``: two interleaving half circles;
- ``"circles"``: a small ring inside a large one;
- ``"spirals"``: two or more arms winding around the centre (the hardest one);
- ``"blobs"``: round Gaussian clouds, one per class (the easiest one).

Every generator draws a clean shape, then adds Gaussian noise of standard deviation
``noise`` to both coordinates. The points come out shuffled so the classes are mixed.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from .._args import check_choice, check_real, check_whole

MAX_POINTS = 10_000_000  # a toy set; more would take gigabytes of memory
TOY_SETS: tuple[str, ...] = ("xor", "moons", "circles", "spirals", "blobs")
_MULTI_CLASS = ("spirals", "blobs")
_DEFAULT_CLASSES = {"spirals": 2, "blobs": 3}


def _class_sizes(n: int, classes: int) -> list[int]:
    """Split ``n`` points as evenly as possible, e.g. 10 points in 3 classes -> [4, 3, 3]."""
    return [n // classes + (1 if k < n % classes else 0) for k in range(classes)]


def _xor(rng: np.random.Generator, sizes: list[int]) -> list[np.ndarray]:
    parts = []
    for label, size in enumerate(sizes):
        corner = rng.choice([-1.0, 1.0], size=size)  # which of the two quadrants of the class
        signs = np.stack([corner, corner * (1.0 if label == 0 else -1.0)], axis=1)
        parts.append(signs * rng.uniform(0.0, 1.0, size=(size, 2)))
    return parts


def _moons(rng: np.random.Generator, sizes: list[int]) -> list[np.ndarray]:
    upper = rng.uniform(0.0, np.pi, size=sizes[0])
    lower = rng.uniform(0.0, np.pi, size=sizes[1])
    centre = np.array([0.5, 0.25])  # shifts the pair so it sits around (0, 0)
    return [
        np.stack([np.cos(upper), np.sin(upper)], axis=1) - centre,
        np.stack([1.0 - np.cos(lower), 0.5 - np.sin(lower)], axis=1) - centre,
    ]


def _circles(rng: np.random.Generator, sizes: list[int]) -> list[np.ndarray]:
    parts = []
    for radius, size in zip((1.0, 0.5), sizes, strict=True):
        angle = rng.uniform(0.0, 2 * np.pi, size=size)
        parts.append(radius * np.stack([np.cos(angle), np.sin(angle)], axis=1))
    return parts


def _spirals(rng: np.random.Generator, sizes: list[int]) -> list[np.ndarray]:
    parts = []
    for arm, size in enumerate(sizes):
        t = rng.uniform(0.05, 1.0, size=size)  # 0 = centre, 1 = end of the arm
        angle = 3 * np.pi * t + 2 * np.pi * arm / len(sizes)  # one and a half turns
        parts.append(t[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1))
    return parts


def _blobs(rng: np.random.Generator, sizes: list[int]) -> list[np.ndarray]:
    parts = []
    for k, size in enumerate(sizes):
        angle = np.pi / 2 + 2 * np.pi * k / len(sizes)  # centres evenly spaced on a circle
        centre = np.array([np.cos(angle), np.sin(angle)])
        parts.append(centre + 0.25 * rng.standard_normal((size, 2)))
    return parts


_GENERATORS = {
    "xor": _xor,
    "moons": _moons,
    "circles": _circles,
    "spirals": _spirals,
    "blobs": _blobs,
}


def make_toy(
    name: str,
    n: int = 200,
    *,
    noise: float = 0.1,
    seed: int = 0,
    classes: int | None = None,
) -> tuple[Tensor, Tensor]:
    """Generate a 2-D toy classification set.

    Args:
        name: one of ``TOY_SETS``: ``"xor"``, ``"moons"``, ``"circles"``, ``"spirals"``,
            ``"blobs"``.
        n: total number of points (at least ``classes``, at most 10,000,000), shared as
            evenly as possible between the classes.
        noise: standard deviation of the Gaussian noise added to each coordinate (a
            finite number, 0 or more).
        seed: a whole number, 0 or more; the same seed always gives the same points; the
            global random state of NumPy and PyTorch is neither used nor changed.
        classes: number of classes, for ``"spirals"`` (default 2) and ``"blobs"``
            (default 3) only; the other sets always have 2.

    Returns:
        ``(X, y)``: ``X`` float32 of shape ``(n, 2)``, ``y`` int64 of shape ``(n,)``
        with labels ``0 .. classes-1``.

    Example::

        X, y = make_toy("moons", n=300, noise=0.2, seed=1)
    """
    check_choice(name, TOY_SETS, "name (the toy set)")
    if classes is None:
        classes = _DEFAULT_CLASSES.get(name, 2)
    else:
        classes = check_whole(classes, "classes", minimum=2)
        if name not in _MULTI_CLASS and classes != 2:
            raise ValueError(f"{name!r} always has 2 classes; 'classes' works for {_MULTI_CLASS}.")
    n = check_whole(n, "n", minimum=classes, maximum=MAX_POINTS, unit=" of points")
    noise = check_real(noise, "noise", minimum=0.0, meaning=" (a standard deviation, 0 for none)")
    seed = check_whole(seed, "seed", minimum=0)

    rng = np.random.default_rng(seed)
    sizes = _class_sizes(n, classes)
    points = np.concatenate(_GENERATORS[name](rng, sizes))
    points = points + noise * rng.standard_normal(points.shape)
    labels = np.repeat(np.arange(classes), sizes)
    order = rng.permutation(n)
    return (
        torch.from_numpy(points[order].astype(np.float32)),
        torch.from_numpy(labels[order].astype(np.int64)),
    )
