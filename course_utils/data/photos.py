"""Real photographs that ship inside scikit-image, as tensors ready for convolutions.

Only photos whose file is part of the scikit-image package itself are listed, so
:func:`load_photo` never needs the network. Authors and licences are in
``docs/datasets.md``.
"""

from __future__ import annotations

import difflib
import importlib.util
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ._cache import DatasetUnavailableError

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

# Weights that turn red, green and blue into brightness (ITU-R BT.709, as in skimage).
_LUMA = torch.tensor([0.2125, 0.7154, 0.0721])


def skimage_data_folder() -> Path | None:
    """The installed ``skimage/data`` folder, found without importing scikit-image."""
    found = importlib.util.find_spec("skimage")
    if found is None or not found.submodule_search_locations:
        return None
    return Path(next(iter(found.submodule_search_locations))) / "data"


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
        size: if given, resize so the *shorter* side has ``size`` pixels, keeping the
            proportions.
        square: with ``size``, also cut the centre ``size x size`` square out.

    Returns:
        A tensor of shape ``(H, W)`` for gray or ``(3, H, W)`` for colour, the layout
        PyTorch uses for images (channels first).

    Example::

        img = load_photo("chelsea", grayscale=True, size=128)   # shape (128, 192)
    """
    if name not in PHOTO_FILES:
        close = difflib.get_close_matches(str(name), PHOTOS, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"Unknown photo {name!r}; choose one of {PHOTOS}.{hint}")
    if size is not None and (not isinstance(size, int) or size < 1):
        raise ValueError(f"size must be a positive whole number of pixels, got {size!r}.")
    if square and size is None:
        raise ValueError("square=True needs a size, e.g. load_photo(name, size=128, square=True).")

    import skimage.data

    try:
        pixels = np.asarray(getattr(skimage.data, name)())
    except (OSError, ModuleNotFoundError, ValueError) as error:
        raise DatasetUnavailableError(
            f"The photo {name!r} could not be read from scikit-image ({error}). "
            "Reinstall scikit-image: pip install --force-reinstall scikit-image"
        ) from error

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
