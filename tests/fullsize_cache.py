"""A data folder shaped like an online learner's: full-size MNIST, Fashion-MNIST and CIFAR-10.

Every learner who is online gets the full datasets after the first download (60,000 + 10,000
MNIST digits, the same for Fashion-MNIST, 50,000 + 10,000 CIFAR-10 photos), while CI only
ever sees the offline path. This module writes files of exactly those formats and sizes into
a folder, so that the notebooks can be run the way online learners run them.

The content is made here, not downloaded: the images are the bundled MNIST sample digits,
tiled and shifted (CIFAR-10: the same digits, padded to 32x32 and coloured by class), so that
the sets are learnable and of the real sizes, though not the real pictures. Their checksums
differ from the published ones, so :func:`checksum_patch` returns the code a kernel runs first
to accept these files (and only these) as the datasets' published checksums.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import pickle
from pathlib import Path

import numpy as np

from course_utils.data import load_mnist

SIZES = {"train": 60_000, "test": 10_000}
CIFAR_SIZES = {"train": 50_000, "test": 10_000}
IDX_FOLDERS = {"mnist": "MNIST", "fashion_mnist": "FashionMNIST"}


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def _write_idx(path: Path, magic: int, array: np.ndarray) -> None:
    header = magic.to_bytes(4, "big") + b"".join(size.to_bytes(4, "big") for size in array.shape)
    with gzip.open(path, "wb", compresslevel=1) as stream:
        stream.write(header + array.astype(np.uint8).tobytes())


@functools.cache
def _sample_digits() -> tuple[np.ndarray, np.ndarray]:
    sample = load_mnist("train", source="sample", verbose=False)
    return (sample.images[:, 0].numpy() * 255).round().astype(np.uint8), sample.labels.numpy()


def _tiled_digits(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` uint8 28x28 images: sample digits, each shifted by up to 2 pixels, and their labels."""
    digits, labels = _sample_digits()
    rng = np.random.default_rng(seed)
    index = rng.integers(0, len(digits), size=n)
    images = np.zeros((n, 28, 28), dtype=np.uint8)
    shifts = rng.integers(-2, 3, size=(n, 2))
    for (dy, dx) in {tuple(shift) for shift in shifts.tolist()}:
        chosen = np.flatnonzero((shifts[:, 0] == dy) & (shifts[:, 1] == dx))
        images[chosen] = np.roll(digits[index[chosen]], (dy, dx), axis=(1, 2))
    return images, labels[index]


def write_idx_dataset(root: Path, name: str, seed: int) -> dict[str, str]:
    """Write the four ``.gz`` files of ``name`` ("mnist" or "fashion_mnist"); return name -> MD5."""
    folder = root / IDX_FOLDERS[name] / "raw"
    folder.mkdir(parents=True, exist_ok=True)
    checksums = {}
    for offset, (split, n) in enumerate(SIZES.items()):
        prefix = "train" if split == "train" else "t10k"
        images, labels = _tiled_digits(n, seed + offset)
        files = {f"{prefix}-images-idx3-ubyte.gz": (2051, images), f"{prefix}-labels-idx1-ubyte.gz": (2049, labels)}
        for file, (magic, array) in files.items():
            _write_idx(folder / file, magic, array)
            checksums[file] = _md5(folder / file)
    return checksums


def write_cifar10(root: Path, seed: int) -> dict[str, str]:
    """Write ``cifar-10-batches-py`` (five training batches, a test batch, the meta file); return MD5s."""
    from torchvision.datasets import CIFAR10

    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True, exist_ok=True)
    colours = np.random.default_rng(seed).uniform(0.3, 1.0, size=(10, 3))
    checksums = {}
    batches = [(name, "train") for name, _ in CIFAR10.train_list] + [(name, "test") for name, _ in CIFAR10.test_list]
    for number, (name, split) in enumerate(batches):
        images, labels = _tiled_digits(10_000, seed + 10 + number)
        padded = np.pad(images, ((0, 0), (2, 2), (2, 2))).astype(np.float32)
        rgb = padded[:, None] * colours[labels][:, :, None, None]
        noise = np.random.default_rng(seed + number).integers(0, 40, size=rgb.shape)
        data = np.clip(rgb + noise, 0, 255).astype(np.uint8).reshape(10_000, 3 * 32 * 32)
        with (folder / name).open("wb") as stream:
            pickle.dump({"batch_label": f"{split} batch", "labels": labels.tolist(), "data": data}, stream)
        checksums[name] = _md5(folder / name)
    with (folder / "batches.meta").open("wb") as stream:
        pickle.dump({"label_names": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
                                     "horse", "ship", "truck"]}, stream)
    checksums["batches.meta"] = _md5(folder / "batches.meta")
    return checksums


def write_full_cache(root: Path) -> dict[str, dict[str, str]]:
    """Write all three full-size datasets into ``root``; return their checksums by dataset."""
    return {
        "mnist": write_idx_dataset(root, "mnist", seed=1),
        "fashion_mnist": write_idx_dataset(root, "fashion_mnist", seed=2),
        "cifar10": write_cifar10(root, seed=3),
    }


def checksum_patch(checksums: dict[str, dict[str, str]]) -> str:
    """Python code that makes a fresh kernel accept exactly these files as the published datasets."""
    return (
        "from course_utils.data import mnist as _mnist\n"
        "from torchvision.datasets import CIFAR10 as _CIFAR10\n"
        f"_mnist.IDX_DATASETS['mnist'].md5.update({checksums['mnist']!r})\n"
        f"_mnist.IDX_DATASETS['fashion_mnist'].md5.update({checksums['fashion_mnist']!r})\n"
        f"_md5 = {checksums['cifar10']!r}\n"
        "_CIFAR10.train_list = [[name, _md5[name]] for name, _ in _CIFAR10.train_list]\n"
        "_CIFAR10.test_list = [[name, _md5[name]] for name, _ in _CIFAR10.test_list]\n"
        "_CIFAR10.meta = {**_CIFAR10.meta, 'md5': _md5['batches.meta']}\n"
        "del _mnist, _CIFAR10, _md5\n"
    )
