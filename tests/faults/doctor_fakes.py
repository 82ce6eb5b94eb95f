"""Fake installs for the doctor's fault tests: packages that fail to import, and data files.

A fake package is a folder with ``<module>/__init__.py`` and, like a real pip install, a
``<dist>-<version>.dist-info/METADATA`` beside it, so that the doctor sees pip's record of it.
Put the folder first on ``sys.path`` (``monkeypatch.syspath_prepend``): the doctor hands its
``sys.path`` to the process in which it imports every package, so the fake is what it imports.
"""

from __future__ import annotations

import gzip
import pickle
import textwrap
from pathlib import Path

# A stand-in for torch that imports the real one and then changes it (``{patch}``: code that
# uses the name ``real``); it removes its own folder from sys.path first.
WRAP_TORCH = """
import importlib, os, sys
_here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or '.') != _here]
del sys.modules['torch']
real = importlib.import_module('torch')
sys.path.insert(0, _here)
{patch}
"""

IDX_FILES = {"train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
             "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}
CIFAR_FILES = (*(f"data_batch_{i}" for i in range(1, 6)), "test_batch", "batches.meta")


def fake_package(root: Path, module: str, code: str, dist: str | None = None,
                 version: str = "1.0", *, single_file: bool = False,
                 direct_url: str = "") -> Path:
    """Write a package ``module`` whose ``__init__`` runs ``code``; return ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    if single_file:
        (root / f"{module}.py").write_text(textwrap.dedent(code), encoding="utf-8")
    else:
        (root / module).mkdir(exist_ok=True)
        (root / module / "__init__.py").write_text(textwrap.dedent(code), encoding="utf-8")
    if dist:
        info = root / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir(exist_ok=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8")
        if direct_url:
            (info / "direct_url.json").write_text(direct_url, encoding="utf-8")
    return root


def write_gzip(path: Path, data: bytes = b"\x00" * 16) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wb") as stream:
        stream.write(data)


def full_cache(folder: Path) -> Path:
    """A data folder in which every dataset looks cached (tiny files of the right formats)."""
    for sub in ("MNIST/raw", "FashionMNIST/raw"):
        for files in IDX_FILES.values():
            for name in files:
                write_gzip(folder / sub / name)
    cifar = folder / "cifar-10-batches-py"
    cifar.mkdir(parents=True, exist_ok=True)
    for name in CIFAR_FILES:
        (cifar / name).write_bytes(pickle.dumps({"data": []}, protocol=2))
    return folder
