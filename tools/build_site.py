"""Build a static website of the executed notebooks (`make site`).

For readers who want to read without running: every notebook is executed in a fresh
kernel (offline, exactly as CI runs it) and converted to a standalone HTML page with
nbconvert's JupyterLab template; ``index.html`` lists the course map, part by part, with
each notebook's hook, run time and links to its page, Colab and Binder.

Usage::

    python tools/build_site.py                 # every notebook -> build/site/
    python tools/build_site.py --out DIR 00 01  # only notebooks 00 and 01, into DIR

The pages need no server: open ``build/site/index.html`` in a browser. Equations are
typeset by MathJax, which the page loads from its CDN (offline, they show as LaTeX).
Exit status: 0 on success, 1 if a notebook failed to run (the page then shows the
error), 2 on a problem the message explains.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter
from notebook_tools import (
    SyncError,
    load_course,
    notebook_files,
    read_notebook,
    read_notebook_info,
    runtime_phrase,
    select_notebooks,
)

__all__ = ["build_site", "index_page", "main"]

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = Path("build") / "site"
CELL_TIMEOUT_S = 600

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #1a1a1a; }
h1 { font-size: 1.8rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
ol { padding-left: 0; list-style: none; } li { margin: 0.8rem 0; }
.number { font-variant-numeric: tabular-nums; font-weight: 600; margin-right: 0.4rem; }
.hook { display: block; color: #444; } .meta { font-size: 0.9rem; color: #555; }
.planned { color: #777; }
"""


def _html_page(nb_path: Path, out: Path, root: Path) -> tuple[Path, bool]:
    """Execute one notebook in a fresh kernel and write its HTML page; return (page, ran cleanly)."""
    _, nb = read_notebook(nb_path, str(nb_path.relative_to(root)))
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(nb_path.parent)}})
    ok = True
    try:
        client.execute()
    except CellExecutionError as error:
        ok = False
        print(f"{nb_path.name}: a cell failed; its page shows the error.\n{error}", file=sys.stderr)
    exporter = HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": nb_path.stem}})
    # Links between notebooks point at their pages, not at the .ipynb files.
    body = re.sub(r'href="(\d{2}_\w+)\.ipynb(#[^"]*)?"', r'href="\1.html\2"', body)
    body = body.replace("../README.md#syllabus", "index.html")
    page = out / f"{nb_path.stem}.html"
    page.write_text(body, encoding="utf-8")
    return page, ok


def index_page(root: Path, built: Sequence[Path]) -> str:
    """The index: the course map with a link to every page that was built."""
    course = load_course(root)
    pages = {path.stem + ".ipynb" for path in built}
    existing = {path.name: path for path in notebook_files(root)}
    parts: dict[str, list[str]] = {}
    for entry in course.entries:
        label = f'<span class="number">{entry.number}</span>{html.escape(entry.title)}'
        if entry.file in pages:
            _, nb = read_notebook(existing[entry.file], entry.file)
            info = read_notebook_info(nb, entry.file)
            runtime = runtime_phrase(info.runtime_s)
            meta = [f"runs in {runtime} on {html.escape(course.timing_machine)}"] if runtime else []
            meta += [f'<a href="{course.colab_url(entry.file)}">Colab</a>',
                     f'<a href="{course.binder_url(entry.file)}">Binder</a>']
            item = (f'<a href="{html.escape(Path(entry.file).stem)}.html">{label}</a>'
                    f'<span class="hook">{html.escape(info.hook)}</span>'
                    f'<span class="meta">{" · ".join(meta)}</span>')
        else:
            item = f'<span class="planned">{label} (coming soon)</span>'
        parts.setdefault(entry.part, []).append(f"<li>{item}</li>")
    sections = "\n".join(f"<h2>Part {html.escape(part)}</h2>\n<ol>\n" + "\n".join(items) + "\n</ol>"
                         for part, items in parts.items())
    title = html.escape(course.title)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
            f"<p>Every notebook of the course, executed, to read without running. To run one, open it "
            f'on Colab or Binder, or clone <a href="{course.repository}">the repository</a>.</p>\n'
            f"{sections}\n</body>\n</html>\n")


def build_site(root: Path, out: Path, numbers: Sequence[str] = ()) -> tuple[list[Path], list[str]]:
    """Build the pages of the chosen notebooks and the index; return (pages, notebooks that failed)."""
    chosen = select_notebooks(notebook_files(root), numbers)
    out.mkdir(parents=True, exist_ok=True)
    pages, failed = [], []
    for path in chosen:
        print(f"executing {path.name} ...", flush=True)
        page, ok = _html_page(path, out, root)
        pages.append(page)
        if not ok:
            failed.append(path.name)
    (out / "index.html").write_text(index_page(root, pages), encoding="utf-8")
    return pages, failed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("numbers", nargs="*", help="notebook numbers, e.g. 00 01 (default: all)")
    parser.add_argument("--out", type=Path, default=None, help=f"output folder (default {DEFAULT_OUT})")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    out = args.out if args.out is not None else args.root / DEFAULT_OUT
    try:
        pages, failed = build_site(args.root, out, args.numbers)
    except SyncError as error:
        print(f"build_site: {error}", file=sys.stderr)
        return 2
    print(f"{len(pages)} pages and index.html in {out}; open {out / 'index.html'} in a browser.")
    if failed:
        print(f"These notebooks raised an error: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
