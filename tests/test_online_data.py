"""The course as online learners see it: every notebook with full-size datasets in the cache.

CI is offline, so ``make test`` normally runs every notebook on the bundled MNIST sample.
Online learners (Colab, Binder, most laptops) have the full MNIST after their first
download, and Fashion-MNIST and CIFAR-10 too once a notebook fetched them. A notebook whose
text, asserts or run time only hold for the sample would break for all of them.

So this module writes a data folder of the real formats and sizes (``fullsize_cache``),
points ``COURSE_DATA_DIR`` at it and runs every notebook top to bottom, asserting that

- it runs without an error and within the per-notebook budget;
- it loads what its code asks for: a notebook that pins ``source="sample"`` gets the
  4,000 / 1,000-digit sample even though the full set is there, and one that asks for the
  full set (or ``"auto"``) gets all 60,000 / 10,000;
- the cells that only run online (Fashion-MNIST, CIFAR-10) do run, on the full sets.

A fast static test keeps every MNIST loader call in the notebooks explicit about its source.
Notebooks whose data never comes from the cache (text and series vendored in the package or
shipped by an installed one) see the same data online and offline, so they are not run
again here; another fast test sorts every loader they call into one of the two kinds, so
that a new loader with a download cannot slip past this module.
"""

from __future__ import annotations

import ast
import importlib
import re
import sys
import time
from pathlib import Path

import nbformat
import pytest

from tests.fullsize_cache import checksum_patch, write_full_cache

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
tools = importlib.import_module("notebook_tools")
sys.path.insert(0, str(ROOT))
from conftest import BUDGET_S  # noqa: E402

NOTEBOOKS = tools.notebook_files(ROOT)
LOADER_LINE = re.compile(
    r"^(?P<title>MNIST|Fashion-MNIST|CIFAR-10) (?P<split>train|test): (?P<count>[\d,]+) images \S+ "
    r"from the (?P<source>.*?)\.$",
    re.MULTILINE,
)
FULL_COUNTS = {"MNIST": {"train": 60_000, "test": 10_000}, "Fashion-MNIST": {"train": 60_000, "test": 10_000},
               "CIFAR-10": {"train": 50_000, "test": 10_000}}
SAMPLE_COUNTS = {"train": 4_000, "test": 1_000}
LOADERS = {"load_mnist": "MNIST", "load_fashion_mnist": "Fashion-MNIST", "load_cifar10": "CIFAR-10"}
# Loaders whose data ships inside an installed package: the same online and offline.
NEVER_DOWNLOAD = {"load_digits", "load_photo", "load_names", "load_baby_names", "load_shakespeare",
                  "load_review_sentences", "load_series", "make_toy"}


def _code(nb: nbformat.NotebookNode) -> str:
    return "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")


def _loader_calls(nb: nbformat.NotebookNode) -> list[tuple[str, str | None]]:
    """Every call of a dataset loader in the notebook's code: (function name, source= or None)."""
    calls = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:  # IPython magics: not used with loaders in this course
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                if name in LOADERS or name == "load_dataset":
                    source = next((kw.value.value for kw in node.keywords if kw.arg == "source"
                                   and isinstance(kw.value, ast.Constant)), None)
                    calls.append((name, source))
    return calls


def _data_calls(nb: nbformat.NotebookNode) -> set[str]:
    """Names of the ``course_utils.data`` functions the notebook's code calls."""
    import course_utils.data as data

    names = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                if name in data.__all__ and callable(getattr(data, name)) and name.startswith(("load_", "make_")):
                    names.add(name)
    return names


def test_every_data_loader_is_sorted_into_cached_or_bundled() -> None:
    import course_utils.data as data

    loaders = {name for name in data.__all__ if name.startswith(("load_", "make_")) and callable(getattr(data, name))}
    unsorted = loaders - set(LOADERS) - NEVER_DOWNLOAD - {"load_dataset"}
    assert not unsorted, (f"{sorted(unsorted)}: add each to LOADERS (it can download, so notebooks that call "
                          "it run here with a full-size cache) or to NEVER_DOWNLOAD (its data ships in a package)")


def _uses_the_cache(path: Path) -> bool:
    _, nb = tools.read_notebook(path, path.name)
    return bool(_data_calls(nb) - NEVER_DOWNLOAD)


CACHED = [path for path in NOTEBOOKS if _uses_the_cache(path)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name[:2] for p in NOTEBOOKS])
def test_every_mnist_call_says_which_source_it_wants(path: Path) -> None:
    """A notebook never changes silently with the machine: each MNIST call names its source."""
    _, nb = tools.read_notebook(path, path.name)
    for name, source in _loader_calls(nb):
        if name == "load_mnist":
            assert source in ("sample", "full", "auto"), (
                f"{path.name}: a load_mnist(...) call does not pass source=: pin source=\"sample\" where "
                "the numbers are the lesson, or write source=\"auto\" and text that holds for both sets")


@pytest.fixture(scope="module")
def full_cache(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("online-data")
    return root, checksum_patch(write_full_cache(root))


def _stream_text(nb: nbformat.NotebookNode) -> str:
    return "".join(output.get("text", "") for cell in nb.cells for output in cell.get("outputs", [])
                   if output.get("output_type") == "stream")


@pytest.mark.slow
@pytest.mark.parametrize("path", CACHED, ids=[p.name[:2] for p in CACHED])
def test_notebook_runs_with_full_size_data(path: Path, full_cache: tuple[Path, str], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    root, patch = full_cache
    monkeypatch.setenv("COURSE_DATA_DIR", str(root))
    monkeypatch.setenv("COURSE_OFFLINE", "1")  # nothing is downloaded: the cache holds it all
    _, nb = tools.read_notebook(path, path.name)
    calls = _loader_calls(nb)
    nb.cells.insert(0, nbformat.v4.new_code_cell(patch, id="accept-the-test-cache"))
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as error:
        pytest.fail(f"{path.name} stopped with an error when the full datasets are cached:\n{error}")
    seconds = time.perf_counter() - start
    assert seconds <= BUDGET_S, f"{path.name} took {seconds:.0f} s with the full datasets, over {BUDGET_S} s"

    lines = [match.groupdict() for match in LOADER_LINE.finditer(_stream_text(nb))]
    mnist_sources = {source or "auto" for name, source in calls if name == "load_mnist"}
    mnist_lines = [line for line in lines if line["title"] == "MNIST"]
    if mnist_sources:
        assert mnist_lines, f"{path.name} calls load_mnist but printed no MNIST line"
    for line in mnist_lines:
        count = int(line["count"].replace(",", ""))
        if "bundled sample" in line["source"]:
            assert "sample" in mnist_sources, f"{path.name} loaded the sample without asking for it: {line}"
            assert count == SAMPLE_COUNTS[line["split"]]
        else:
            assert mnist_sources & {"auto", "full"}, f"{path.name} pinned the sample but got {line}"
            assert count == FULL_COUNTS["MNIST"][line["split"]]
    if mnist_sources == {"sample"}:
        assert all("bundled sample" in line["source"] for line in mnist_lines)
    if mnist_sources & {"auto", "full"}:
        assert any("full dataset" in line["source"] for line in mnist_lines), (
            f"{path.name} asks for the full MNIST but never loaded it from the cache")
    # Datasets only online learners have: their cells must really run on the full sets.
    for loader, title in LOADERS.items():
        if title == "MNIST" or not any(name == loader for name, _ in calls):
            continue
        seen = [line for line in lines if line["title"] == title]
        assert seen, f"{path.name} calls {loader} but did not load {title} from the full cache"
        for line in seen:
            assert "full dataset" in line["source"]
            assert int(line["count"].replace(",", "")) == FULL_COUNTS[title][line["split"]]
