"""``ImageSet``: the one container every image loader of the course returns.

An :class:`ImageSet` is a ``torch.utils.data.TensorDataset`` holding two tensors,
``images`` (float32, shape ``(N, C, H, W)``, values in ``[0, 1]``) and ``labels``
(int64, shape ``(N,)``), plus a few words about where the data came from. Because it
*is* a ``TensorDataset``, it works directly with ``DataLoader``::

    loader = torch.utils.data.DataLoader(train_set, batch_size=64, shuffle=True)

This module also holds the stratified splitting used by the loaders and by
:func:`train_val_split`.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import TensorDataset

from .._args import check_choice, check_real, check_whole

SPLITS = ("train", "test")


class ImageSet(TensorDataset):
    """Images, labels, and where they came from.

    Attributes:
        images: float32 tensor of shape ``(N, C, H, W)`` with values in ``[0, 1]``.
        labels: int64 tensor of shape ``(N,)``; ``classes[label]`` is the class name.
        classes: the class names, in label order.
        name: the dataset name, e.g. ``"mnist"``.
        split: ``"train"``, ``"test"``, or ``"val"`` for a part made by :func:`train_val_split`.
        source: a few human words about where the data came from.
    """

    def __init__(
        self,
        images: Tensor,
        labels: Tensor,
        *,
        classes: tuple[str, ...],
        name: str,
        split: str,
        source: str,
    ) -> None:
        for argument, value in (("images", images), ("labels", labels)):
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"{argument} must be a torch tensor, not {type(value).__name__}; convert it "
                    "with torch.as_tensor(...) (float32 images, int64 labels)."
                )
        if images.ndim != 4 or images.dtype != torch.float32:
            raise ValueError(
                "images must be a float32 tensor of shape (N, C, H, W), "
                f"got {images.dtype} with shape {tuple(images.shape)}."
            )
        if labels.ndim != 1 or labels.dtype != torch.int64 or len(labels) != len(images):
            raise ValueError(
                f"labels must be an int64 tensor of shape ({len(images)},), "
                f"got {labels.dtype} with shape {tuple(labels.shape)}."
            )
        if isinstance(classes, str) or not all(isinstance(c, str) for c in classes):
            raise TypeError(f"classes must be a tuple of class names (strings), not {classes!r}.")
        if len(labels) and (int(labels.min()) < 0 or int(labels.max()) >= len(classes)):
            raise ValueError(
                f"labels must be between 0 and {len(classes) - 1} (one per class name in "
                f"classes), got {int(labels.min())} to {int(labels.max())}."
            )
        for argument, value in (("name", name), ("split", split), ("source", source)):
            if not isinstance(value, str):
                raise TypeError(f"{argument} must be a string, not {value!r}.")
        super().__init__(images, labels)
        self.classes = tuple(classes)
        self.name = name
        self.split = split
        self.source = source

    @property
    def images(self) -> Tensor:
        """All images as one float32 tensor ``(N, C, H, W)`` in ``[0, 1]``."""
        return self.tensors[0]

    @property
    def labels(self) -> Tensor:
        """All labels as one int64 tensor ``(N,)``."""
        return self.tensors[1]

    @property
    def shape_text(self) -> str:
        """The shape of one image in words, e.g. ``"1x28x28"``."""
        return "x".join(str(size) for size in self.images.shape[1:])

    def to(self, device: torch.device | str) -> ImageSet:
        """Return a new ImageSet whose tensors live on ``device`` (metadata is kept)."""
        try:
            target = torch.device(device)
        except (RuntimeError, TypeError) as error:
            raise ValueError(
                f"device must be a torch.device or a name such as 'cpu' or 'cuda', not "
                f"{device!r} ({error})."
            ) from None
        available = {"cuda": torch.cuda.is_available, "mps": torch.backends.mps.is_available}
        if target.type in available and not available[target.type]():
            raise ValueError(
                f"device {device!r} is not available on this machine; use "
                "course_utils.get_device(), which picks the best device there is."
            )
        return self._with(self.images.to(target), self.labels.to(target), split=self.split)

    def _with(self, images: Tensor, labels: Tensor, *, split: str) -> ImageSet:
        return ImageSet(
            images, labels, classes=self.classes, name=self.name, split=split, source=self.source
        )

    def __repr__(self) -> str:
        return (
            f"ImageSet({self.name!r}, split={self.split!r}, "
            f"{len(self):,} images {self.shape_text}, source={self.source!r})"
        )


def stratified_indices(
    labels: np.ndarray, held_out: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Split positions ``0..N-1`` into (kept, held) with the same class mix in both parts.

    For each class, ``round(count * held_out)`` examples are held out, chosen by a
    private random generator seeded with ``seed`` (the global random state is neither
    used nor changed). Both parts come back shuffled, so classes are interleaved even
    when the original data is sorted by class.
    """
    rng = np.random.default_rng(seed)
    kept, held = [], []
    for label in np.unique(labels):
        positions = rng.permutation(np.flatnonzero(labels == label))
        count = round(len(positions) * held_out)
        held.append(positions[:count])
        kept.append(positions[count:])
    return rng.permutation(np.concatenate(kept)), rng.permutation(np.concatenate(held))


def train_val_split(
    dataset: ImageSet, val_fraction: float = 0.2, *, seed: int = 0
) -> tuple[ImageSet, ImageSet]:
    """Cut a validation set out of a training set, keeping the class proportions.

    Args:
        dataset: usually ``load_mnist("train")`` or another training ImageSet.
        val_fraction: share of each class that goes to the validation part (0 < f < 1).
        seed: a whole number, 0 or more; the same seed always gives the same split.

    Returns:
        ``(train_part, val_part)``, two ImageSets with ``split`` set to ``"train"`` and
        ``"val"``. No image is in both.

    Example::

        train, val = train_val_split(load_mnist("train"), val_fraction=0.1)
    """
    if not isinstance(dataset, ImageSet):
        raise TypeError(
            f"dataset must be an ImageSet (what load_mnist(...) and the other loaders return), "
            f"not {type(dataset).__name__}; for plain tensors use "
            "torch.utils.data.random_split(TensorDataset(X, y), ...)."
        )
    val_fraction = check_real(val_fraction, "val_fraction", inside=(0.0, 1.0))
    seed = check_whole(seed, "seed", minimum=0)
    labels = dataset.labels.cpu().numpy()
    kept, held = stratified_indices(labels, val_fraction, seed)
    if len(held) == 0 or len(kept) == 0:
        raise ValueError(
            f"val_fraction={val_fraction} leaves one part empty for {len(dataset)} images; "
            "choose a fraction such as 0.1 or 0.2."
        )
    take_kept = torch.from_numpy(kept).to(dataset.labels.device)
    take_held = torch.from_numpy(held).to(dataset.labels.device)
    return (
        dataset._with(dataset.images[take_kept], dataset.labels[take_kept], split="train"),
        dataset._with(dataset.images[take_held], dataset.labels[take_held], split="val"),
    )


def check_split(split: object) -> None:
    """Raise a helpful error unless ``split`` is ``"train"`` or ``"test"``."""
    hint = (
        " To get a validation set, split the training set: train, val = "
        "train_val_split(load_mnist('train'), val_fraction=0.1) (stratified), or "
        "torch.utils.data.random_split(...)."
    )
    check_choice(split, SPLITS, "split", hint=hint)


def announce(dataset: ImageSet, title: str, note: str = "", *, verbose: bool = True) -> ImageSet:
    """Print the one-line summary every loader shows, then return ``dataset`` unchanged."""
    if verbose:
        print(
            f"{title} {dataset.split}: {len(dataset):,} images {dataset.shape_text} "
            f"from the {dataset.source}{note}."
        )
    return dataset
