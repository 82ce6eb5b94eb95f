"""`make site`: static HTML of the executed notebooks, with an index (tools/build_site.py)."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
site = importlib.import_module("build_site")
tools = importlib.import_module("notebook_tools")


def test_index_lists_the_course_map_and_links_only_built_pages(tmp_path: Path) -> None:
    first = tools.notebook_files(ROOT)[0]
    page = tmp_path / f"{first.stem}.html"
    text = site.index_page(ROOT, [page])
    course = tools.load_course(ROOT)
    assert f'href="{first.stem}.html"' in text
    for entry in course.entries:
        assert entry.title.replace("&", "&amp;") in text
    assert text.count('.html"') == 1, "only the page that was built is linked"
    assert "coming soon" in text and course.colab_url(first.name) in text


@pytest.mark.slow
def test_build_site_executes_a_notebook_into_a_readable_page(tmp_path: Path) -> None:
    first = tools.notebook_files(ROOT)[0]
    assert site.main([first.name[:2], "--out", str(tmp_path)]) == 0
    page = (tmp_path / f"{first.stem}.html").read_text(encoding="utf-8")
    _, nb = tools.read_notebook(first, first.name)
    title = nb.cells[0].source.splitlines()[0].lstrip("# ").strip()
    assert title.split(" · ")[1] in page
    assert "data:image/png;base64," in page, "executed figures are embedded in the page"
    assert "Traceback" not in page
    assert 'href="index.html"' in page, "the navigation links back to the index"
    assert not re.findall(r'href="\d{2}_\w+\.ipynb', page), "links between notebooks point at their pages"
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert f'href="{first.stem}.html"' in index


def test_unknown_notebook_number_is_explained(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert site.main(["99", "--out", str(tmp_path)]) == 2
    assert "No notebook numbered 99" in capsys.readouterr().err
