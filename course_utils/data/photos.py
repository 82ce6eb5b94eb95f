"""Real photographs that ship inside scikit-image, as tensors ready for convolutions.

Only photos whose file is part of the scikit-image package itself are listed, so
:func:`load_photo` never needs the network: the file is read directly (scikit-image's own
``skimage.data.<name>()`` would try to download a replacement for a damaged file). Before
it is decoded, the file is checked against the SHA-256 that scikit-image lists for it, and
the decoded pixels against the photo's known size. Authors and licences are in
``docs/datasets.md``.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from .._args import check_choice, check_whole
from ._cache import CorruptDataError, DatasetUnavailableError, check_bundled

# name -> file inside the installed ``skimage/data`` folder
PHOTO_FILES: dict[str, str] = {
    "camera": "camera.png",  # a man with a camera, grayscale
    "astronaut": "astronaut.png",  # astronaut Eileen Collins, colour
    "coffee": "coffee.png",  # a cup of coffee, colour
    "chelsea": "chelsea.png",  # Chelsea the cat, colour
    "rocket": "rocket.jpg",  # a rocket launch, colour
    "coins": "coins.png",  # Greek coins from Pompeii, grayscale
    "hubble_deep_field": "hubble_deep_field.jpg",  # galaxies seen by Hubble, colour
}
PHOTOS: tuple[str, ...] = tuple(PHOTO_FILES)
# name -> shape of the decoded pixels (height, width[, channels]) as scikit-image ships them
PHOTO_SHAPES: dict[str, tuple[int, ...]] = {
    "camera": (512, 512),
    "astronaut": (512, 512, 3),
    "coffee": (400, 600, 3),
    "chelsea": (300, 451, 3),
    "rocket": (427, 640, 3),
    "coins": (303, 384),
    "hubble_deep_field": (872, 1000, 3),
}
PHOTO_REINSTALL = "pip install --force-reinstall scikit-image"
MAX_SIZE = 2048  # the photos are at most 1000 pixels wide: more is only blur (and memory)

# Weights that turn red, green and blue into brightness (ITU-R BT.709, as in skimage).
_LUMA = torch.tensor([0.2125, 0.7154, 0.0721])


def skimage_data_folder() -> Path | None:
    """The installed ``skimage/data`` folder, found without importing scikit-image."""
    found = importlib.util.find_spec("skimage")
    if found is None or not found.submodule_search_locations:
        return None
    return Path(next(iter(found.submodule_search_locations))) / "data"


def _published_sha256(file: str) -> str | None:
    """The SHA-256 scikit-image lists for one of its data files (None if it lists none)."""
    try:
        from skimage.data._registry import registry  # a plain dict, the same in every release
    except ImportError:
        return None
    return registry.get(f"data/{file}")


def read_photo(name: str) -> np.ndarray:
    """The checked uint8 pixels of a bundled photo, ``(H, W)`` or ``(H, W, 3)``."""
    folder = skimage_data_folder()
    if folder is None:
        raise DatasetUnavailableError(
            "The photos come with the 'scikit-image' package, which is not installed. "
            "Install it with: pip install scikit-image"
        )
    path = folder / PHOTO_FILES[name]

    def corrupt(why: str) -> CorruptDataError:
        return CorruptDataError(
            f"The bundled photo {path} is damaged ({why}). Reinstall the package that "
            f"provides it: {PHOTO_REINSTALL}"
        )

    check_bundled(path, "bundled photo", PHOTO_REINSTALL)
    expected = _published_sha256(PHOTO_FILES[name])
    if expected is not None and hashlib.sha256(path.read_bytes()).hexdigest() != expected:
        raise corrupt(f"its SHA-256 checksum is not {expected}, the one scikit-image lists")
    from skimage.io import imread

    try:
        pixels = np.asarray(imread(path))
    except Exception as error:  # every imaging plugin raises its own kind
        raise corrupt(f"it cannot be decoded: {error}") from None
    # A file that matched scikit-image's checksum is what it ships (a later release may
    # change a photo); otherwise the pixels must have the size the course knows.
    known = pixels.shape == PHOTO_SHAPES[name] or (expected is not None and pixels.ndim in (2, 3))
    if pixels.dtype != np.uint8 or not known:
        raise corrupt(
            f"expected uint8 pixels of shape {PHOTO_SHAPES[name]}, got {pixels.dtype} {pixels.shape}"
        )
    return pixels


def load_photo(
    name: str = "camera",
    *,
    grayscale: bool | None = None,
    size: int | None = None,
    square: bool = False,
) -> Tensor:
    """Load one of the bundled photographs as a float32 tensor with values in ``[0, 1]``.

    Args:
        name: one of ``PHOTOS``.
        grayscale: ``None`` keeps the photo as it is (``camera`` and ``coins`` are gray,
            the others colour); ``True`` converts colour to gray; ``False`` gives 3
            channels even for a gray photo (the gray values are repeated).
        size: if given, resize so the *shorter* side has ``size`` pixels (1 to 2048),
            keeping the proportions.
        square: with ``size``, also cut the centre ``size x size`` square out.

    Returns:
        A tensor of shape ``(H, W)`` for gray or ``(3, H, W)`` for colour, the layout
        PyTorch uses for images (channels first).

    Raises:
        CorruptDataError: the photo's file is damaged (the message gives the reinstall command).

    Example::

        img = load_photo("chelsea", grayscale=True, size=128)   # shape (128, 192)
    """
    check_choice(name, PHOTOS, "name (the photo)")
    if grayscale is not None and not isinstance(grayscale, (bool, np.bool_)):
        raise TypeError(f"grayscale must be None, True or False, not {grayscale!r}.")
    if not isinstance(square, (bool, np.bool_)):
        raise TypeError(f"square must be True or False, not {square!r}.")
    if size is not None:
        size = check_whole(size, "size", minimum=1, maximum=MAX_SIZE, unit=" of pixels")
    if square and size is None:
        raise ValueError("square=True needs a size, e.g. load_photo(name, size=128, square=True).")

    pixels = read_photo(name)

    image = torch.from_numpy(pixels.astype(np.float32) / 255.0)
    if image.ndim == 3:
        image = image.permute(2, 0, 1)[:3]  # (H, W, C) -> (C, H, W)
        if grayscale:
            image = (image * _LUMA[:, None, None]).sum(dim=0)
    elif grayscale is False:
        image = image.expand(3, -1, -1)

    if size is not None:
        height, width = image.shape[-2:]
        scale = size / min(height, width)
        new_size = (max(size, round(height * scale)), max(size, round(width * scale)))
        batch = image.reshape(1, -1, height, width)  # interpolate wants (N, C, H, W)
        batch = F.interpolate(batch, size=new_size, mode="bilinear", antialias=True)
        image = batch.reshape(*image.shape[:-2], *new_size).clamp(0.0, 1.0)
        if square:
            top, left = (new_size[0] - size) // 2, (new_size[1] - size) // 2
            image = image[..., top : top + size, left : left + size]
    return image.contiguous()
