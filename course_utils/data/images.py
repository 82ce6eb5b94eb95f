"""CIFAR-10 (downloaded once, then cached) and scikit-learn's 8x8 digits (always bundled).

Both return an :class:`~course_utils.data.imageset.ImageSet` with float32 images in
``[0, 1]`` and int64 labels, like the MNIST loaders. The digits file that scikit-learn
ships is read and validated here (gzip's checksum, 1,797 rows of 64 whole pixel values
0..16 and a label 0..9, the known count of each digit), like the MNIST sample.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import torch

from .._args import check_flag
from ._cache import (
    CorruptDataError,
    DatasetUnavailableError,
    cached_file,
    cached_folder,
    check_md5,
    connect_hint,
    offline_requested,
    package_folder,
    read_bundled_images,
    resolve_data_dir,
    writable_folder,
)
from ._net import PROXY_VARIABLES, DownloadFailed, download_archive, probe
from .imageset import ImageSet, announce, check_split, stratified_indices
from .mnist import check_source

CIFAR_FOLDER = "cifar-10-batches-py"
DIGITS_SEED = 1_797  # private seed of the digits' train/test split; never change it
DIGITS_SOURCE = "bundled scikit-learn copy (1,797 UCI 8x8 digits)"
DIGITS_COUNTS = (178, 182, 177, 183, 181, 182, 181, 179, 174, 180)  # images of each digit 0-9
DIGITS_REINSTALL = "pip install --force-reinstall scikit-learn"


def _cifar_files(split: str) -> dict[str, str]:
    """File name -> MD5 of the CIFAR-10 files one split needs (from torchvision)."""
    from torchvision.datasets import CIFAR10

    batches = CIFAR10.train_list if split == "train" else CIFAR10.test_list
    return {name: md5 for name, md5 in [*batches, [CIFAR10.meta["filename"], CIFAR10.meta["md5"]]]}


def _cifar_unavailable(reason: str, root: Path, step: str | None = None) -> DatasetUnavailableError:
    first = step or (
        f"{connect_hint()} and run this again (about 170 MB, cached in {root / CIFAR_FOLDER})"
    )
    return DatasetUnavailableError(
        f"CIFAR-10 is not available ({reason}). What you can do:\n"
        f"  - {first};\n"
        f"  - or copy an unpacked '{CIFAR_FOLDER}' folder (from cifar-10-python.tar.gz) "
        f"into {root};\n"
        "  - or use a set that needs no download: load_digits() or load_mnist()."
    )


def _download_cifar(root: Path, verbose: bool) -> None:
    """Download CIFAR-10's archive, check it, unpack it safely and move the folder into ``root``."""
    from torchvision.datasets import CIFAR10

    if offline_requested():
        raise _cifar_unavailable("it is not cached and COURSE_OFFLINE is set", root)
    writable_folder(root)  # DataFolderError names the folder and how to choose another
    found = probe([CIFAR10.url])
    proxy_step = f"check the proxy settings ({PROXY_VARIABLES}) or ask your network's administrator"
    if not found.answered:
        step = proxy_step if found.proxied else None
        raise _cifar_unavailable(f"it is not cached and {found.detail}", root, step)
    files = {**_cifar_files("train"), **_cifar_files("test")}
    members = {f"{CIFAR_FOLDER}/{name}": md5 for name, md5 in files.items()}
    say = print if verbose else (lambda line: None)
    try:
        download_archive(
            found.answered[0], CIFAR10.tgz_md5, root, CIFAR_FOLDER, members,
            what="CIFAR-10 (about 170 MB)", say=say,
        )
    except DownloadFailed as error:
        step = proxy_step if found.proxied else "run this again later (or from another network)"
        raise _cifar_unavailable(f"the download failed: {error}", root, step) from None


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
    verbose = check_flag(verbose, "verbose")
    if source == "sample":
        raise ValueError(
            "CIFAR-10 has no bundled sample; use source='auto' or 'full', or load_digits() / "
            "load_mnist() for image sets that work offline."
        )
    from torchvision.datasets import CIFAR10

    root = resolve_data_dir(data_dir)
    folder = root / CIFAR_FOLDER
    where = f"cached in {folder}"
    if not cached_folder(folder):  # raises when a file or a broken link is in the way
        _download_cifar(root, verbose)
        where = f"downloaded to {folder}"
    # torchvision reads the files of one split but checks those of both: so do we, first
    for name, md5 in {**_cifar_files("train"), **_cifar_files("test")}.items():
        if not cached_file(folder / name):  # raises for a folder, FIFO, empty file...
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


def digits_path() -> Path:
    """Where scikit-learn keeps the digits: ``sklearn/datasets/data/digits.csv.gz``."""
    return package_folder("sklearn", "The 8x8 digits") / "datasets" / "data" / "digits.csv.gz"


def read_digits() -> tuple[np.ndarray, np.ndarray]:
    """Read and validate scikit-learn's digits: float images (1797, 8, 8) in 0..16, int64 labels."""
    pixels, labels = read_bundled_images(digits_path(), "scikit-learn digits file", DIGITS_REINSTALL,
                                         rows=1797, pixel_max=16, label_counts=DIGITS_COUNTS)
    return pixels.reshape(-1, 8, 8), labels


def load_digits(split: str = "train", *, verbose: bool = True) -> ImageSet:
    """Load scikit-learn's 8x8 handwritten digits as float32 ``(N, 1, 8, 8)`` in ``[0, 1]``.

    The 1,797 images ship with scikit-learn, so this always works offline. Pixel values
    (0..16) are divided by 16. The split is stratified and fixed: 80 % of each digit
    for ``"train"`` (1,438 images), 20 % for ``"test"`` (359 images).

    Raises:
        CorruptDataError: scikit-learn's copy is damaged (the message gives the reinstall command).
    """
    check_split(split)
    verbose = check_flag(verbose, "verbose")
    pixels, labels = read_digits()
    train, test = stratified_indices(labels, held_out=0.2, seed=DIGITS_SEED)
    chosen = train if split == "train" else test
    images = pixels.astype(np.float32)[chosen] / 16.0
    dataset = ImageSet(
        torch.from_numpy(images).unsqueeze(1),
        torch.from_numpy(labels[chosen]),
        classes=tuple(str(digit) for digit in range(10)),
        name="digits",
        split=split,
        source=DIGITS_SOURCE,
    )
    return announce(dataset, "Digits", verbose=verbose)
