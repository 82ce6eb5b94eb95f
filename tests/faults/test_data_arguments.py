"""The data API: every public loader and helper checks its arguments.

NaN or infinite noise, non-integer or boolean sizes, a list where a name is expected,
``data_dir=""``, a NumPy array as the split... each raises a ``TypeError`` (wrong kind of
value) or ``ValueError`` (right kind, wrong value) whose message names the argument and
says what is allowed. NumPy numbers count as the numbers they are.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

import course_utils.data as D

SPLIT = r"split must be one of \('train', 'test'\)"
SOURCE = r"source must be one of \('auto', 'full', 'sample'\)"
FOLDER_TYPE = r"data_dir must be a folder path \(a str or pathlib\.Path\) or None"
FOLDER_EMPTY = r"data_dir must name a folder, not .*leave it out \(None\)"
VERBOSE = "verbose must be True or False"
NOISE = r"noise must be a (finite )?number \(a standard deviation"


@pytest.fixture(autouse=True)
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "course data"))


def digits() -> D.ImageSet:
    return D.load_digits("train", verbose=False)


def image_set(images: object, labels: object, classes: tuple[str, ...] = ("a", "b")) -> D.ImageSet:
    return D.ImageSet(images, labels, classes=classes, name="x", split="train", source="test")  # type: ignore[arg-type]


CASES: dict[str, tuple[Callable[[], object], type[Exception], str]] = {
    # the image loaders
    "load_mnist(['train'])": (lambda: D.load_mnist(["train"]), TypeError, SPLIT + r" \(a string\), not \['train'\]"),
    "load_mnist(np.array(['train']))": (lambda: D.load_mnist(np.array(["train"])), TypeError, SPLIT),
    "load_mnist(None)": (lambda: D.load_mnist(None), TypeError, SPLIT),
    "load_mnist('Train')": (lambda: D.load_mnist("Train"), ValueError, SPLIT + r".*Did you mean 'train'\?"),
    "load_mnist('val')": (lambda: D.load_mnist("val"), ValueError, SPLIT + r".*train_val_split"),
    "load_mnist(source=None)": (lambda: D.load_mnist(source=None), TypeError, SOURCE),
    "load_mnist(source=['auto'])": (lambda: D.load_mnist(source=["auto"]), TypeError, SOURCE),
    "load_mnist(source='internet')": (lambda: D.load_mnist(source="internet"), ValueError, SOURCE),
    "load_mnist(data_dir='')": (lambda: D.load_mnist(data_dir=""), ValueError, FOLDER_EMPTY),
    "load_mnist(data_dir='   ')": (lambda: D.load_mnist(data_dir="   "), ValueError, FOLDER_EMPTY),
    "load_mnist(data_dir=123)": (lambda: D.load_mnist(data_dir=123), TypeError, FOLDER_TYPE),
    "load_mnist(data_dir=['/tmp'])": (lambda: D.load_mnist(data_dir=["/tmp"]), TypeError, FOLDER_TYPE),
    "load_mnist(data_dir=b'/tmp')": (lambda: D.load_mnist(data_dir=b"/tmp"), TypeError, FOLDER_TYPE),
    "load_mnist(verbose='no')": (lambda: D.load_mnist(verbose="no"), TypeError, VERBOSE),
    "load_mnist(verbose=None)": (lambda: D.load_mnist(verbose=None), TypeError, VERBOSE),
    "load_fashion_mnist(1)": (lambda: D.load_fashion_mnist(1), TypeError, SPLIT),
    "load_fashion_mnist(data_dir='')": (lambda: D.load_fashion_mnist(data_dir=""), ValueError, FOLDER_EMPTY),
    "load_fashion_mnist(source='sample')": (lambda: D.load_fashion_mnist(source="sample"), ValueError, r"no bundled sample; use source='auto' or 'full'"),
    "load_cifar10(data_dir='')": (lambda: D.load_cifar10(data_dir=""), ValueError, FOLDER_EMPTY),
    "load_cifar10(source=True)": (lambda: D.load_cifar10(source=True), TypeError, SOURCE),
    "load_cifar10(verbose=2)": (lambda: D.load_cifar10(verbose=2), TypeError, VERBOSE),
    "load_dataset(['mnist'])": (lambda: D.load_dataset(["mnist"]), TypeError, r"name must be one of \('mnist'"),
    "load_dataset(None)": (lambda: D.load_dataset(None), TypeError, r"name must be one of \('mnist'"),
    "load_dataset(3)": (lambda: D.load_dataset(3), TypeError, r"name must be one of \('mnist'"),
    "load_dataset('mnst')": (lambda: D.load_dataset("mnst"), ValueError, r"name \(the dataset\) must be one of .*Did you mean 'mnist'\?"),
    "load_dataset('digits', data_dir='')": (lambda: D.load_dataset("digits", data_dir=""), ValueError, FOLDER_EMPTY),
    "load_dataset('digits', source='internet')": (lambda: D.load_dataset("digits", source="internet"), ValueError, SOURCE),
    "load_digits(np.array(['test']))": (lambda: D.load_digits(np.array(["test"])), TypeError, SPLIT),
    "load_digits(verbose='yes')": (lambda: D.load_digits(verbose="yes"), TypeError, VERBOSE),
    # make_toy
    "make_toy(noise=nan)": (lambda: D.make_toy("moons", noise=float("nan")), ValueError, NOISE + r".*not nan"),
    "make_toy(noise=inf)": (lambda: D.make_toy("moons", noise=float("inf")), ValueError, NOISE + r".*not inf"),
    "make_toy(noise=-0.1)": (lambda: D.make_toy("moons", noise=-0.1), ValueError, r"noise must be at least 0"),
    "make_toy(noise='0.1')": (lambda: D.make_toy("moons", noise="0.1"), TypeError, NOISE),
    "make_toy(noise=None)": (lambda: D.make_toy("moons", noise=None), TypeError, NOISE),
    "make_toy(n=2.5)": (lambda: D.make_toy("moons", n=2.5), TypeError, r"n must be a whole number of points \(an int\)"),
    "make_toy(n=1e3)": (lambda: D.make_toy("moons", n=1e3), TypeError, r"n must be a whole number.*Write 1000 instead of 1000\.0"),
    "make_toy(n=True)": (lambda: D.make_toy("moons", n=True), TypeError, r"n must be a whole number.*not True"),
    "make_toy(n='100')": (lambda: D.make_toy("moons", n="100"), TypeError, r"n must be a whole number"),
    "make_toy(n=-5)": (lambda: D.make_toy("moons", n=-5), ValueError, r"n must be a whole number of points, from 2 to 10,000,000, got -5"),
    "make_toy(n=10**10)": (lambda: D.make_toy("moons", n=10**10), ValueError, r"n must be .* to 10,000,000"),
    "make_toy('spirals', classes=2.5)": (lambda: D.make_toy("spirals", classes=2.5), TypeError, r"classes must be a whole number"),
    "make_toy('spirals', classes=True)": (lambda: D.make_toy("spirals", classes=True), TypeError, r"classes must be a whole number"),
    "make_toy('moons', classes=3)": (lambda: D.make_toy("moons", classes=3), ValueError, r"always has 2 classes; 'classes' works for"),
    "make_toy(seed=1.5)": (lambda: D.make_toy("moons", seed=1.5), TypeError, r"seed must be a whole number"),
    "make_toy(seed=-1)": (lambda: D.make_toy("moons", seed=-1), ValueError, r"seed must be a whole number, 0 or more"),
    "make_toy(seed=None)": (lambda: D.make_toy("moons", seed=None), TypeError, r"seed must be a whole number"),
    "make_toy(['moons'])": (lambda: D.make_toy(["moons"]), TypeError, r"name \(the toy set\) must be one of"),
    "make_toy('moon')": (lambda: D.make_toy("moon"), ValueError, r"name \(the toy set\) must be one of .*Did you mean 'moons'\?"),
    # train_val_split
    "train_val_split(tensor)": (lambda: D.train_val_split(digits().images), TypeError, r"dataset must be an ImageSet.*random_split"),
    "train_val_split((X, y))": (lambda: D.train_val_split(tuple(digits().tensors)), TypeError, r"dataset must be an ImageSet"),
    "train_val_split(val_fraction='0.2')": (lambda: D.train_val_split(digits(), "0.2"), TypeError, r"val_fraction must be a number"),
    "train_val_split(val_fraction=nan)": (lambda: D.train_val_split(digits(), float("nan")), ValueError, r"val_fraction must be a finite number"),
    "train_val_split(val_fraction=True)": (lambda: D.train_val_split(digits(), True), TypeError, r"val_fraction must be a number"),
    "train_val_split(val_fraction=20)": (lambda: D.train_val_split(digits(), 20), ValueError, r"val_fraction must be between 0 and 1"),
    "train_val_split(val_fraction=1e-9)": (lambda: D.train_val_split(digits(), 1e-9), ValueError, r"val_fraction=1e-09 leaves one part empty.*choose a fraction"),
    "train_val_split(seed=None)": (lambda: D.train_val_split(digits(), seed=None), TypeError, r"seed must be a whole number"),
    # load_photo and load_names
    "load_photo(['camera'])": (lambda: D.load_photo(["camera"]), TypeError, r"name \(the photo\) must be one of"),
    "load_photo('cat')": (lambda: D.load_photo("cat"), ValueError, r"name \(the photo\) must be one of"),
    "load_photo(size=True)": (lambda: D.load_photo("camera", size=True), TypeError, r"size must be a whole number of pixels"),
    "load_photo(size=64.0)": (lambda: D.load_photo("camera", size=64.0), TypeError, r"size must be a whole number.*Write 64 instead"),
    "load_photo(size=0)": (lambda: D.load_photo("camera", size=0), ValueError, r"size must be .*from 1 to 2,048"),
    "load_photo(size=10**6)": (lambda: D.load_photo("camera", size=10**6), ValueError, r"size must be .*from 1 to 2,048"),
    "load_photo(grayscale='yes')": (lambda: D.load_photo("camera", grayscale="yes"), TypeError, r"grayscale must be None, True or False"),
    "load_photo(grayscale=1)": (lambda: D.load_photo("chelsea", grayscale=1), TypeError, r"grayscale must be None, True or False"),
    "load_photo(square='no')": (lambda: D.load_photo("camera", size=32, square="no"), TypeError, r"square must be True or False"),
    "load_photo(square=True) without size": (lambda: D.load_photo("camera", square=True), ValueError, r"square=True needs a size"),
    "load_names(['first'])": (lambda: D.load_names(["first"]), TypeError, r"kind must be one of \('first'"),
    "load_names('surname')": (lambda: D.load_names("surname"), ValueError, r"kind must be one of \('first'"),
    "load_names(verbose='no')": (lambda: D.load_names("male", verbose="no"), TypeError, VERBOSE),
    # dataset_sources and ImageSet
    "dataset_sources('')": (lambda: D.dataset_sources(""), ValueError, FOLDER_EMPTY),
    "dataset_sources(5)": (lambda: D.dataset_sources(5), TypeError, FOLDER_TYPE),
    "ImageSet(images=list)": (lambda: image_set([[0.0]], None), TypeError, r"images must be a torch tensor.*torch\.as_tensor"),
    "ImageSet(labels=ndarray)": (lambda: image_set(torch.zeros(2, 1, 4, 4), np.zeros(2, dtype=np.int64)), TypeError, r"labels must be a torch tensor"),
    "ImageSet(labels beyond classes)": (lambda: image_set(torch.zeros(2, 1, 4, 4), torch.tensor([0, 5])), ValueError, r"labels must be between 0 and 1"),
    "ImageSet(float64 images)": (lambda: image_set(torch.zeros(2, 1, 4, 4, dtype=torch.float64), torch.tensor([0, 1])), ValueError, r"images must be a float32 tensor of shape \(N, C, H, W\)"),
    "ImageSet(classes='ab')": (lambda: image_set(torch.zeros(2, 1, 4, 4), torch.tensor([0, 1]), classes="ab"), TypeError, r"classes must be a tuple of class names"),  # type: ignore[arg-type]
    "ImageSet.to('gpu')": (lambda: digits().to("gpu"), ValueError, r"device must be a torch\.device or a name such as 'cpu'"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_bad_argument_is_named_with_what_is_allowed(case: str) -> None:
    call, kind, message = CASES[case]
    with pytest.raises(kind, match=f"(?s){message}") as caught:
        call()
    assert type(caught.value) is kind  # exactly that kind, not a subclass from deeper down


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_moving_to_a_missing_gpu_says_what_to_use() -> None:
    with pytest.raises(ValueError, match=r"device 'cuda' is not available on this machine; use course_utils\.get_device\(\)"):
        digits().to("cuda")


def test_numpy_numbers_count_as_numbers() -> None:
    X, y = D.make_toy("moons", n=np.int64(50), noise=np.float32(0.1), seed=np.int32(3))
    assert X.shape == (50, 2) and y.shape == (50,)
    assert min(D.load_photo("camera", size=np.int64(32)).shape) == 32
    train, val = D.train_val_split(digits(), np.float32(0.25), seed=np.int64(1))
    assert len(val) > 0 and len(train) + len(val) == len(digits())


def test_paths_and_the_default_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("COURSE_DATA_DIR", "   ")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "home"))  # Windows
    assert D.data_dir() == (tmp_path / "home" / ".cache" / "nn-course").resolve()
    assert len(D.load_mnist("test", data_dir=tmp_path / "a folder with spaces", verbose=False)) == 1000
    assert "mnist" in D.dataset_sources(Path(tmp_path / "elsewhere"))
