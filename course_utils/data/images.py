"""CIFAR-10 (downloaded once, then cached) and scikit-learn's 8x8 digits (always bundled).

Both return an :class:`~course_utils.data.imageset.ImageSet` with float32 images in
``[0, 1]`` and int64 labels, like the MNIST loaders.
"""

from __future__ import annotations

import os
import pickle
import tarfile
import urllib.error
from pathlib import Path

import numpy as np
import torch

from ._cache import (
    DOWNLOAD_TIMEOUT_S,
    CorruptDataError,
    DatasetUnavailableError,
    check_md5,
    connect_hint,
    offline_requested,
    reachable,
    resolve_data_dir,
    scratch_folder,
    socket_timeout,
)
from .imageset import ImageSet, announce, check_split, stratified_indices
from .mnist import check_source

CIFAR_FOLDER = "cifar-10-batches-py"
DIGITS_SEED = 1_797  # private seed of the digits' train/test split; never change it
DIGITS_SOURCE = "bundled scikit-learn copy (1,797 UCI 8x8 digits)"


def _cifar_files(split: str) -> dict[str, str]:
    """File name -> MD5 of the CIFAR-10 files one split needs (from torchvision)."""
    from torchvision.datasets import CIFAR10

    batches = CIFAR10.train_list if split == "train" else CIFAR10.test_list
    return {name: md5 for name, md5 in [*batches, [CIFAR10.meta["filename"], CIFAR10.meta["md5"]]]}


def _cifar_unavailable(reason: str, root: Path) -> DatasetUnavailableError:
    return DatasetUnavailableError(
        f"CIFAR-10 is not available ({reason}). What you can do:\n"
        f"  - {connect_hint()} and run this again (about 170 MB, cached in "
        f"{root / CIFAR_FOLDER});\n"
        f"  - or copy an unpacked '{CIFAR_FOLDER}' folder (from cifar-10-python.tar.gz) "
        f"into {root};\n"
        "  - or use an offline alternative: load_digits() or load_mnist()."
    )


def _download_cifar(root: Path) -> None:
    """Download and unpack CIFAR-10 in a scratch folder, then move it into ``root``."""
    from torchvision.datasets import CIFAR10

    if offline_requested():
        raise _cifar_unavailable("it is not cached and COURSE_OFFLINE is set", root)
    if not reachable([CIFAR10.url]):
        raise _cifar_unavailable(f"it is not cached and {CIFAR10.url} cannot be reached", root)
    with socket_timeout(DOWNLOAD_TIMEOUT_S), scratch_folder(root) as scratch:
        try:
            CIFAR10(root=scratch, train=True, download=True)  # checks every MD5
        except (OSError, RuntimeError, urllib.error.URLError, tarfile.TarError) as error:
            raise _cifar_unavailable(f"the download failed: {error}", root) from error
        os.replace(scratch / CIFAR_FOLDER, root / CIFAR_FOLDER)


def load_cifar10(
    split: str = "train",
    *,
    source: str = "auto",
    data_dir: Path | str | None = None,
    verbose: bool = True,
) -> ImageSet:
    """Load CIFAR-10 colour photos as float32 images ``(N, 3, 32, 32)`` in ``[0, 1]``.

    50,000 training / 10,000 test images of 10 classes (airplane ... truck). The first
    call downloads about 170 MB into ``<data_dir>/cifar-10-batches-py``; later calls read
    the cache and work offline. The training set takes about 600 MB of memory as float32.
    There is no bundled sample, so ``source`` may be ``"auto"`` or ``"full"``.

    Raises:
        DatasetUnavailableError: not cached and no download possible (offline).
        CorruptDataError: a cached file does not match its checksum.
    """
    check_split(split)
    check_source(source)
    if source == "sample":
        raise ValueError(
            "CIFAR-10 has no bundled sample; use source='auto' or 'full', or load_digits() / "
            "load_mnist() for image sets that work offline."
        )
    from torchvision.datasets import CIFAR10

    root = resolve_data_dir(data_dir)
    folder = root / CIFAR_FOLDER
    where = f"cached in {folder}"
    if not folder.exists():
        _download_cifar(root)
        where = f"downloaded to {folder}"
    for name, md5 in _cifar_files(split).items():
        if not (folder / name).is_file():
            raise CorruptDataError(
                f"{folder / name} is missing, so the CIFAR-10 folder {folder} is incomplete. "
                "Delete that folder and run again (or copy the complete folder there)."
            )
        check_md5(folder / name, md5, dataset="CIFAR-10")
    try:
        raw = CIFAR10(root=root, train=split == "train", download=False)
    except (RuntimeError, OSError, pickle.UnpicklingError, KeyError) as error:
        raise CorruptDataError(
            f"The CIFAR-10 files in {folder} could not be read ({error}). "
            "Delete that folder and run again."
        ) from error
    images = torch.from_numpy(np.asarray(raw.data)).permute(0, 3, 1, 2).float().div(255.0)
    dataset = ImageSet(
        images.contiguous(),
        torch.as_tensor(raw.targets, dtype=torch.int64),
        classes=tuple(raw.classes),
        name="cifar10",
        split=split,
        source=f"full dataset ({where})",
    )
    return announce(dataset, "CIFAR-10", verbose=verbose)


def load_digits(split: str = "train", *, verbose: bool = True) -> ImageSet:
    """Load scikit-learn's 8x8 handwritten digits as float32 ``(N, 1, 8, 8)`` in ``[0, 1]``.

    The 1,797 images ship with scikit-learn, so this always works offline. Pixel values
    (0..16) are divided by 16. The split is stratified and fixed: 80 % of each digit
    for ``"train"`` (1,438 images), 20 % for ``"test"`` (359 images).
    """
    check_split(split)
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    labels = np.asarray(bunch.target, dtype=np.int64)
    train, test = stratified_indices(labels, held_out=0.2, seed=DIGITS_SEED)
    chosen = train if split == "train" else test
    images = np.asarray(bunch.images, dtype=np.float32)[chosen] / 16.0
    dataset = ImageSet(
        torch.from_numpy(images).unsqueeze(1),
        torch.from_numpy(labels[chosen]),
        classes=tuple(str(digit) for digit in range(10)),
        name="digits",
        split=split,
        source=DIGITS_SOURCE,
    )
    return announce(dataset, "Digits", verbose=verbose)
