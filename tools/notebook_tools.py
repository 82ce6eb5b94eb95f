"""Generate the course's notebook cells and README table from one source of truth.

The source of truth has two halves:

- ``course.toml`` holds the course map (number, title, file and part of every
  notebook, written or planned) and where the course lives (repository, branch)
  plus the machine class run times are measured on.
- Each notebook's ``metadata["course"]`` holds what only its author knows: a hook,
  the learning objectives, the prerequisites, and the measured run time and peak
  memory.

From these, this module writes the cells marked with ``metadata["course"]["generated"]``
(``title``, ``colab-setup``, ``navigation`` and ``course-map``), normalises every
notebook so that diffs stay small, and rewrites the syllabus table in README.md.
``tools/sync_notebooks.py`` is the command line around it; the tests import
:func:`check_repository` and friends directly.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import nbformat.reader
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = [
    "GENERATED_KINDS",
    "Course",
    "Entry",
    "NotebookInfo",
    "SyncError",
    "SyncReport",
    "check_repository",
    "load_course",
    "record_timings",
    "runtime_phrase",
    "sync_repository",
    "write_notebook",
]

#: The kinds of generated cell, as stored in ``cell.metadata["course"]["generated"]``.
GENERATED_KINDS = ("title", "colab-setup", "navigation", "course-map")
#: The lines in README.md between which the syllabus table is written.
START_MARKER = "<!-- syllabus:start -->"
END_MARKER = "<!-- syllabus:end -->"
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python"}
REQUIRED_METADATA = ("hook", "objectives", "prerequisites", "runtime_s", "peak_memory_mb")
MIN_OBJECTIVES, MAX_OBJECTIVES = 3, 5
NOTEBOOK_DIR = "notebooks"
README = "README.md"

_GITHUB_URL = re.compile(r"^https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?$")
_NUMBER = re.compile(r"^\d{2}$")
_CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_SYLLABUS_HEADING = re.compile(r"^#{1,6}\s+syllabus\s*#*\s*$", re.IGNORECASE | re.MULTILINE)
_SYLLABUS_ANCHOR = re.compile(r"""<a\s+(?:id|name)=["']syllabus["']""", re.IGNORECASE)
_FIXED_POSITION_KINDS = ("title", "colab-setup", "navigation")


class SyncError(Exception):
    """A problem sync cannot fix by itself; the message says what to do about it."""


# --------------------------------------------------------------------------- config


@dataclass(frozen=True)
class Entry:
    """One notebook of the course map in ``course.toml``, written or planned."""

    number: str
    title: str
    file: str
    part: str

    @property
    def label(self) -> str:
        """The number and title as the course shows them, e.g. ``00 · Welcome and setup``."""
        return f"{self.number} · {self.title}"


@dataclass(frozen=True)
class Course:
    """The ``[course]`` table and the course map of ``course.toml``."""

    title: str
    repository: str
    owner_repo: str
    branch: str
    timing_machine: str
    entries: tuple[Entry, ...]

    def entry_for(self, file: str) -> Entry | None:
        """Return the course map entry for a notebook file name, or None if it has none."""
        return next((entry for entry in self.entries if entry.file == file), None)

    def colab_url(self, file: str) -> str:
        """Return the link that opens ``notebooks/<file>`` on Google Colab."""
        return (
            f"https://colab.research.google.com/github/{self.owner_repo}/blob/"
            f"{self.branch}/{NOTEBOOK_DIR}/{file}"
        )

    def binder_url(self, file: str) -> str:
        """Return the link that opens ``notebooks/<file>`` in JupyterLab on Binder."""
        return (
            f"https://mybinder.org/v2/gh/{self.owner_repo}/{self.branch}"
            f"?urlpath=lab/tree/{NOTEBOOK_DIR}/{file}"
        )

    def badges(self, file: str) -> str:
        """Return the Colab and Binder badges for one notebook, as Markdown."""
        return (
            f"[![Open in Colab]({COLAB_BADGE})]({self.colab_url(file)}) "
            f"[![Launch on Binder]({BINDER_BADGE})]({self.binder_url(file)})"
        )


def _require_string(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SyncError(
            f"course.toml: {where} needs a non-empty string `{key}`; add it and run again."
        )
    return value.strip()


def load_course(root: Path) -> Course:
    """Read and check ``course.toml`` in the repository at ``root``.

    Raises :class:`SyncError` naming the first thing to fix when the file is missing
    or malformed.
    """
    path = root / "course.toml"
    if not path.is_file():
        raise SyncError(
            f"{path} not found; run this from the repository root or pass --root to point at it."
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise SyncError(
            f"course.toml is not valid TOML ({error}); fix the line it names."
        ) from None

    table = data.get("course")
    if not isinstance(table, dict):
        raise SyncError(
            "course.toml has no [course] table; add one with title, repository, branch and timing_machine."
        )
    repository = _require_string(table, "repository", "[course]")
    match = _GITHUB_URL.match(repository)
    if match is None:
        raise SyncError(
            f"course.toml: repository must look like https://github.com/OWNER/REPO, not {repository!r}; "
            "the badges and the Colab install cell are built from it."
        )

    raw_entries = data.get("notebooks")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise SyncError(
            "course.toml has no [[notebooks]] entries; add one per notebook, written or planned."
        )
    entries: list[Entry] = []
    for index, raw in enumerate(raw_entries, start=1):
        where = f"[[notebooks]] entry {index}"
        if not isinstance(raw, dict):
            raise SyncError(
                f"course.toml: {where} is not a table; write it as [[notebooks]] with keys below it."
            )
        entry = Entry(
            number=_require_string(raw, "number", where),
            title=_require_string(raw, "title", where),
            file=_require_string(raw, "file", where),
            part=_require_string(raw, "part", where),
        )
        if not _NUMBER.match(entry.number):
            raise SyncError(
                f'course.toml: {where} has number {entry.number!r}; use two digits in quotes, e.g. "07".'
            )
        if not (entry.file.startswith(f"{entry.number}_") and entry.file.endswith(".ipynb")):
            raise SyncError(
                f"course.toml: {where} has file {entry.file!r}; name it "
                f"{entry.number}_<slug>.ipynb so that the number leads the file name."
            )
        entries.append(entry)
    for key in ("number", "file"):
        seen: set[str] = set()
        for entry in entries:
            value = getattr(entry, key)
            if value in seen:
                raise SyncError(
                    f"course.toml: two [[notebooks]] entries share the {key} {value!r}; give each its own."
                )
            seen.add(value)

    return Course(
        title=_require_string(table, "title", "[course]"),
        repository=repository,
        owner_repo=f"{match.group(1)}/{match.group(2)}",
        branch=_require_string(table, "branch", "[course]"),
        timing_machine=_require_string(table, "timing_machine", "[course]"),
        entries=tuple(entries),
    )


# ------------------------------------------------------------------ notebook metadata


@dataclass(frozen=True)
class NotebookInfo:
    """What a notebook's ``metadata["course"]`` says about it."""

    hook: str
    objectives: tuple[str, ...]
    prerequisites: str
    runtime_s: int | None
    peak_memory_mb: int | None


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def read_notebook_info(nb: Mapping[str, Any], where: str) -> NotebookInfo:
    """Check and return a notebook's ``metadata["course"]``.

    Raises :class:`SyncError` listing every missing or malformed key at once.
    """
    meta = nb.get("metadata", {}).get("course")
    if not isinstance(meta, Mapping):
        issues = [
            'is missing (it needs "hook", "objectives", "prerequisites", "runtime_s" and "peak_memory_mb")'
        ]
    else:
        issues = [f'lacks "{key}"' for key in REQUIRED_METADATA if key not in meta]
        hook, objectives = meta.get("hook"), meta.get("objectives")
        prerequisites = meta.get("prerequisites")
        if "hook" in meta and (not isinstance(hook, str) or not hook.strip()):
            issues.append('has a "hook" that is not one or two sentences of text')
        if "objectives" in meta and (
            not isinstance(objectives, list)
            or not all(isinstance(item, str) and item.strip() for item in objectives)
            or not MIN_OBJECTIVES <= len(objectives) <= MAX_OBJECTIVES
        ):
            issues.append(
                f'needs "objectives" to be a list of {MIN_OBJECTIVES} to {MAX_OBJECTIVES} non-empty strings'
            )
        if "prerequisites" in meta and (
            not isinstance(prerequisites, str) or not prerequisites.strip()
        ):
            issues.append('needs "prerequisites" to be text, e.g. "none" or "notebooks 01-03"')
        for key in ("runtime_s", "peak_memory_mb"):
            if key in meta and meta[key] is not None and not _is_count(meta[key]):
                issues.append(
                    f'needs "{key}" to be a whole number or null (`make timings` fills it in)'
                )
    if issues:
        raise SyncError(
            f'{where}: notebook metadata "course" ' + "; ".join(issues) + ". "
            "Edit it in JupyterLab (Property Inspector → Notebook metadata) or in the .ipynb file; "
            "`python tools/new_notebook.py NN` shows the expected shape."
        )
    assert isinstance(meta, Mapping)
    return NotebookInfo(
        hook=" ".join(meta["hook"].split()),
        objectives=tuple(" ".join(item.split()) for item in meta["objectives"]),
        prerequisites=" ".join(meta["prerequisites"].split()),
        runtime_s=meta["runtime_s"],
        peak_memory_mb=meta["peak_memory_mb"],
    )


# ---------------------------------------------------------------- rendering the cells


def runtime_phrase(seconds: int | None) -> str | None:
    """Say how long a notebook runs, to the nearest 5 s: ``about 15 s`` or ``about 3 min``.

    Seconds round to the nearest multiple of 5 (at least 5); from 120 s on the phrase is in
    whole minutes, to the nearest minute. Returns None when the run time was never measured.
    """
    if seconds is None:
        return None
    rounded = max(5, math.floor(seconds / 5 + 0.5) * 5)
    if rounded >= 120:
        return f"about {math.floor(rounded / 60 + 0.5)} min"
    return f"about {rounded} s"


def navigation_line(course: Course, entry: Entry, existing: set[str]) -> str:
    """Return the previous / index / next links for one notebook.

    Only notebooks that exist are linked, so planned ones are skipped over.
    """
    written = [item for item in course.entries if item.file in existing or item == entry]
    position = written.index(entry)
    links: list[str] = []
    if position > 0:
        previous = written[position - 1]
        links.append(f"[← {previous.label}]({previous.file})")
    links.append(f"[Course index](../{README}#syllabus)")
    if position + 1 < len(written):
        following = written[position + 1]
        links.append(f"[{following.label} →]({following.file})")
    return " · ".join(links)


def title_source(course: Course, entry: Entry, info: NotebookInfo, existing: set[str]) -> str:
    """Return the Markdown of a notebook's generated title cell."""
    phrase = runtime_phrase(info.runtime_s)
    runtime = f"{phrase} on {course.timing_machine} (measured)" if phrase else "not measured yet"
    lines = [f"# {entry.label}", "", info.hook, "", "**You will learn**", ""]
    lines += [f"- {objective}" for objective in info.objectives]
    lines += [
        "",
        f"**Prerequisites:** {info.prerequisites} · **Run time:** {runtime}",
        "",
        course.badges(entry.file),
        "",
        navigation_line(course, entry, existing),
    ]
    return "\n".join(lines)


def colab_setup_source(course: Course) -> str:
    """Return the code of the cell that installs the course helpers on Colab only."""
    return "\n".join(
        [
            "# On Colab, install the course helpers (this cell does nothing anywhere else).",
            "import sys",
            "",
            'if "google.colab" in sys.modules:',
            "    import subprocess",
            "",
            "    subprocess.run(",
            '        [sys.executable, "-m", "pip", "install", "--quiet",',
            f'         "course_utils @ git+https://github.com/{course.owner_repo}@{course.branch}"],',
            "        check=True,",
            "    )",
        ]
    )


def _parts(entries: Iterable[Entry]) -> dict[str, list[Entry]]:
    """Group entries by part, keeping the order in which parts first appear."""
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(entry.part, []).append(entry)
    return groups


def course_map_source(course: Course, existing: set[str]) -> str:
    """Return the Markdown of the whole course map, linking the written notebooks."""
    lines: list[str] = []
    for part, entries in _parts(course.entries).items():
        if lines:
            lines.append("")
        lines += [f"**Part {part}**", ""]
        for entry in entries:
            if entry.file in existing:
                lines.append(f"- [{entry.label}]({entry.file})")
            else:
                lines.append(f"- {entry.label} (coming soon)")
    return "\n".join(lines)


def _table_text(text: str) -> str:
    """Make text safe for one cell of a Markdown table."""
    return " ".join(text.split()).replace("|", "\\|")


def shorten(text: str, limit: int = 70) -> str:
    """Shorten an objective for the README table, cutting at a word boundary."""
    text = " ".join(text.split()).rstrip(".")
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    if cut.count("`") % 2:  # do not leave a code span open
        cut = cut[: cut.rindex("`")].rstrip()
    return cut + "…"


def readme_table(course: Course, infos: Mapping[str, NotebookInfo]) -> str:
    """Return the syllabus table for README.md; ``infos`` holds the written notebooks."""
    lines = [
        "<!-- Written by `make sync` from course.toml and each notebook's metadata; edit those, not this table. -->",
        "",
        "| # | Notebook | You will learn | Run time | Peak memory | Launch |",
        "|:-:|:--|:--|:-:|:-:|:-:|",
    ]
    for part, entries in _parts(course.entries).items():
        lines.append(f"| | **Part {_table_text(part)}** | | | | |")
        for entry in entries:
            info = infos.get(entry.file)
            if info is None:
                lines.append(f"| {entry.number} | {_table_text(entry.title)} | *coming soon* | | | |")
                continue
            learn = "<br>".join(_table_text(shorten(item)) for item in info.objectives[:2])
            runtime = runtime_phrase(info.runtime_s) or "not measured yet"
            memory = f"{info.peak_memory_mb:,} MB" if info.peak_memory_mb is not None else "not measured yet"
            lines.append(
                f"| {entry.number} | [{_table_text(entry.title)}]({NOTEBOOK_DIR}/{entry.file}) "
                f"| {learn} | {runtime} | {memory} | {course.badges(entry.file)} |"
            )
    lines += [
        "",
        f"Run times and peak memory (the kernel's resident memory, everything loaded) are measured on "
        f"{course.timing_machine}: `make test` measures every notebook and `make timings` records the results.",
    ]
    return "\n".join(lines)


# ------------------------------------------------------------- reading and writing


def read_notebook(path: Path, where: str) -> tuple[str, NotebookNode]:
    """Read a notebook file as text and as a version 4 notebook, changing nothing.

    Unlike :func:`nbformat.read`, this does not invent random ids for cells that lack
    one, so that sync can give them stable ids instead.
    """
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SyncError(
            f"{where} is not valid JSON ({error}); restore it with `git checkout -- {where}` "
            "or fix it by hand, then run again."
        ) from None
    try:
        if not isinstance(data, dict):
            raise nbformat.ValidationError("the file holds JSON, but not a JSON object")
        nb = nbformat.reader.reads(text)
        if nb.get("nbformat") != 4:
            nb = nbformat.convert(nb, 4)
    except (nbformat.ValidationError, nbformat.NBFormatError, AttributeError, KeyError) as error:
        raise SyncError(
            f"{where} cannot be read as a notebook ({error}); open it in JupyterLab and save it, "
            "or restore it from git."
        ) from None
    return text, nb


def notebook_text(nb: NotebookNode) -> str:
    """Serialise a notebook the way nbformat does (indent 1, sorted keys) plus a final newline."""
    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


def write_notebook(path: Path, nb: NotebookNode) -> None:
    """Write a notebook with nbformat's layout and Unix line endings."""
    path.write_text(notebook_text(nb), encoding="utf-8", newline="\n")


# ------------------------------------------------------------- syncing one notebook


@dataclass(frozen=True)
class Difference:
    """One way in which a file differs from what sync would write.

    ``summary`` is one line; ``detail`` (possibly empty) is an indented diff shown by
    ``--check``.
    """

    summary: str
    detail: str = ""

    def describe(self, where: str) -> str:
        """Return the full message for ``--check``."""
        text = f"{where}: {self.summary}"
        return f"{text}\n{self.detail}" if self.detail else text


def _diff(old: str, new: str, limit: int = 30) -> str:
    lines = list(
        difflib.unified_diff(
            old.splitlines(), new.splitlines(), "now", "after sync", lineterm="", n=1
        )
    )
    if len(lines) > limit:
        lines = [*lines[:limit], f"... and {len(lines) - limit} more lines"]
    return "\n".join(f"    {line}" for line in lines)


def _generated_kind(cell: Mapping[str, Any], where: str, index: int) -> str | None:
    meta = cell.get("metadata", {}).get("course")
    if not isinstance(meta, Mapping) or "generated" not in meta:
        return None
    kind = meta["generated"]
    if kind not in GENERATED_KINDS:
        raise SyncError(
            f"{where}: cell {index + 1} is marked as generated {kind!r}, which sync does not know "
            f"(it knows {', '.join(GENERATED_KINDS)}); fix or delete metadata.course.generated in that cell."
        )
    return str(kind)


def _stable_id(source: str, taken: set[str]) -> str:
    """Return a short id derived from a cell's source, unique among ``taken``."""
    salt = 0
    while True:
        digest = hashlib.sha1(f"{source}\0{salt}".encode()).hexdigest()[:8]
        if digest not in taken:
            return digest
        salt += 1


def _generated_cell(
    kind: str, cell_type: str, source: str, old: NotebookNode | None
) -> NotebookNode:
    """Build a generated cell, keeping any metadata an existing one carried."""
    metadata = (
        nbformat.from_dict(dict(old.get("metadata", {}))) if old is not None else NotebookNode()
    )
    course_meta = dict(metadata.get("course", {}))
    course_meta["generated"] = kind
    metadata["course"] = nbformat.from_dict(course_meta)
    if cell_type == "code":
        return new_code_cell(source=source, id=kind, metadata=metadata)
    return new_markdown_cell(source=source, id=kind, metadata=metadata)


def sync_notebook(nb: NotebookNode, sources: Mapping[str, str], where: str) -> list[Difference]:
    """Bring one notebook in line with ``sources`` (generated kind -> cell source), in place.

    Inserts or rewrites the generated cells, moves the title and Colab setup cells to
    the top and the navigation cell to the bottom, clears outputs and execution counts,
    gives every cell an id, and normalises the notebook's format and metadata. Every
    other cell keeps its place, source and metadata. Returns what was changed.
    """
    differences: list[Difference] = []
    cell_types = {
        "title": "markdown",
        "colab-setup": "code",
        "navigation": "markdown",
        "course-map": "markdown",
    }

    if (nb.get("nbformat"), nb.get("nbformat_minor")) != (4, 5):
        differences.append(
            Difference(f"nbformat {nb.get('nbformat')}.{nb.get('nbformat_minor')} becomes 4.5")
        )
        nb.nbformat, nb.nbformat_minor = 4, 5
    metadata = nb.setdefault("metadata", NotebookNode())
    if metadata.get("kernelspec") != KERNELSPEC:
        differences.append(
            Difference("notebook metadata: kernelspec becomes python3 / Python 3 / python")
        )
        metadata["kernelspec"] = nbformat.from_dict(dict(KERNELSPEC))
    if metadata.get("language_info") != LANGUAGE_INFO:
        differences.append(
            Difference('notebook metadata: language_info becomes {"name": "python"}')
        )
        metadata["language_info"] = nbformat.from_dict(dict(LANGUAGE_INFO))
    if "widgets" in metadata:
        differences.append(
            Difference("notebook metadata: saved widget state is removed (it is output)")
        )
        del metadata["widgets"]

    # Outputs and execution counts never belong in the repository.
    original = list(nb.cells)
    for index, cell in enumerate(original):
        if cell.cell_type != "code":
            continue
        name = f"cell {index + 1} (id {cell.get('id')!r})"
        if cell.get("outputs"):
            differences.append(Difference(f"{name} has stored outputs"))
        if cell.get("execution_count") is not None:
            differences.append(Difference(f"{name} has an execution count"))

    # Sort the cells into the fixed-position generated ones and everything else.
    fixed: dict[str, tuple[int, NotebookNode]] = {}
    body: list[tuple[int, NotebookNode]] = []
    for index, cell in enumerate(original):
        kind = _generated_kind(cell, where, index)
        if kind in _FIXED_POSITION_KINDS:
            if kind in fixed:
                differences.append(
                    Difference(f'cell {index + 1} is a second "{kind}" cell and is removed')
                )
                continue
            fixed[kind] = (index, cell)
        else:
            body.append((index, cell))

    order_before = sorted(index for index, _ in [*fixed.values(), *body])
    order_after: list[int] = []

    def build(kind: str, found: tuple[int, NotebookNode] | None) -> NotebookNode:
        """Return the up-to-date generated cell of ``kind``, replacing ``found`` if any."""
        new = _generated_cell(kind, cell_types[kind], sources[kind], found[1] if found else None)
        if found is None:
            first = body[0][1] if body else None
            has_own_heading = (
                kind == "title"
                and first is not None
                and first.cell_type == "markdown"
                and first.source.startswith("# ")
            )
            note = (
                " (the old first cell has its own '# ' heading: delete it if it repeats the title)"
                if has_own_heading
                else ""
            )
            differences.append(Difference(f'the "{kind}" cell is missing and is inserted{note}'))
            return new
        index, old = found
        order_after.append(index)
        if old.cell_type != new.cell_type or old.source != new.source:
            differences.append(
                Difference(
                    f'the "{kind}" cell (cell {index + 1}) is out of date',
                    _diff(old.source, new.source),
                )
            )
        return new

    cells = [build("title", fixed.get("title")), build("colab-setup", fixed.get("colab-setup"))]
    map_count = 0
    for index, cell in body:
        if _generated_kind(cell, where, index) == "course-map":
            map_count += 1
            cell = build("course-map", (index, cell))
            cell.id = "course-map" if map_count == 1 else f"course-map-{map_count}"
        else:
            order_after.append(index)
        cells.append(cell)
    cells.append(build("navigation", fixed.get("navigation")))
    if order_after != order_before:
        differences.append(
            Difference(
                "generated cells move to their places (title first, colab-setup second, navigation last)"
            )
        )

    # Generated cells own their ids; other cells keep theirs if valid and unique.
    def is_generated(cell: NotebookNode) -> bool:
        return "generated" in cell.metadata.get("course", {})

    taken = {cell.id for cell in cells if is_generated(cell)}
    position = {id(cell): index for index, cell in enumerate(original)}
    for cell in cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        if is_generated(cell):
            continue
        current = cell.get("id")
        if isinstance(current, str) and _CELL_ID.match(current) and current not in taken:
            taken.add(current)
            continue
        cell.id = _stable_id(cell.source, taken)
        taken.add(cell.id)
        reason = (
            "has no id"
            if not current
            else f"has an id ({current!r}) that is invalid or already taken"
        )
        differences.append(
            Difference(f"cell {position[id(cell)] + 1} {reason}; it gets {cell.id!r}")
        )

    nb.cells = cells
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as error:
        raise SyncError(
            f"{where} is not a valid notebook even after sync ({error.message}); "
            "open it in JupyterLab, save it, and run again."
        ) from None
    return differences


# --------------------------------------------------------------- the whole repository


@dataclass
class FilePlan:
    """What sync would write to one file, and how that differs from what is there."""

    path: Path
    where: str
    old_text: str
    new_text: str
    differences: list[Difference] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether writing would change the file."""
        return self.old_text != self.new_text

    def problems(self) -> list[str]:
        """Describe every difference, or the layout if nothing more specific differs."""
        problems = [difference.describe(self.where) for difference in self.differences]
        if self.changed and not problems:
            problems.append(
                f"{self.where}: the file's layout differs from nbformat's (indent 1, sorted keys, final newline)"
            )
        return problems


@dataclass
class Plan:
    """Everything sync would do, computed without writing anything."""

    files: list[FilePlan] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def notebook_files(root: Path) -> list[Path]:
    """Return the notebooks in ``notebooks/``, sorted by name."""
    folder = root / NOTEBOOK_DIR
    return sorted(folder.glob("*.ipynb")) if folder.is_dir() else []


def select_notebooks(paths: Sequence[Path], numbers: Sequence[str]) -> list[Path]:
    """The notebooks among ``paths`` with the given numbers (e.g. "03"), in that order; all when none given."""
    if not numbers:
        return list(paths)
    by_number = {path.name[:2]: path for path in paths}
    missing = [number for number in numbers if number not in by_number]
    if missing:
        raise SyncError(
            f"No notebook numbered {', '.join(missing)}; choose from {', '.join(sorted(by_number))}."
        )
    return [by_number[number] for number in numbers]


def _unknown_notebook_message(course: Course, path: Path) -> str:
    where = f"{NOTEBOOK_DIR}/{path.name}"
    same_number = next(
        (entry for entry in course.entries if path.name.startswith(f"{entry.number}_")), None
    )
    if same_number is not None:
        return (
            f"{where} is not in course.toml, which calls notebook {same_number.number} "
            f"{same_number.file!r}; rename the file (git mv) or change its entry in course.toml."
        )
    return (
        f"{where} is not in course.toml; add a [[notebooks]] entry for it (number, title, file, part) "
        "or move it out of notebooks/."
    )


def _plan_readme(
    root: Path, course: Course, infos: Mapping[str, NotebookInfo] | None, plan: Plan
) -> None:
    """Check README.md's markers and plan its table; ``infos`` None checks the markers only."""
    path = root / README
    if not path.is_file():
        plan.errors.append(
            f"{README} not found in {root}; create it with a '## Syllabus' heading and the syllabus markers."
        )
        return
    text = path.read_text(encoding="utf-8")
    starts, ends = text.count(START_MARKER), text.count(END_MARKER)
    if starts != 1 or ends != 1 or text.index(START_MARKER) > text.index(END_MARKER):
        plan.errors.append(
            f"{README} needs exactly one {START_MARKER} line followed later by one {END_MARKER} line "
            f"(found {starts} and {ends}); put both on their own lines under the '## Syllabus' heading, "
            "then run `make sync` to fill in the table between them."
        )
        return
    if not (_SYLLABUS_HEADING.search(text) or _SYLLABUS_ANCHOR.search(text)):
        plan.warnings.append(
            f"{README} has no 'Syllabus' heading, so the notebooks' links to {README}#syllabus lead nowhere; "
            "add a '## Syllabus' heading above the table."
        )
    if infos is None:
        return
    head, rest = text.split(START_MARKER, 1)
    tail = rest.split(END_MARKER, 1)[1]
    new_text = f"{head}{START_MARKER}\n\n{readme_table(course, infos)}\n\n{END_MARKER}{tail}"
    file_plan = FilePlan(path, README, text, new_text)
    if file_plan.changed:
        old_table = rest.split(END_MARKER, 1)[0]
        file_plan.differences.append(
            Difference(
                "the syllabus table is out of date",
                _diff(old_table.strip("\n"), readme_table(course, infos)),
            )
        )
    plan.files.append(file_plan)


def plan_repository(root: Path) -> Plan:
    """Work out everything sync would write for the repository at ``root``.

    Problems sync cannot fix (an unknown notebook, missing metadata, missing README
    markers...) go to ``errors``; nothing is written here.
    """
    plan = Plan()
    course = load_course(root)
    paths = notebook_files(root)
    existing = {path.name for path in paths if course.entry_for(path.name) is not None}
    for path in paths:
        if path.name not in existing:
            plan.errors.append(_unknown_notebook_message(course, path))

    loaded: list[tuple[Entry, Path, str, NotebookNode, NotebookInfo]] = []
    for entry in course.entries:
        if entry.file not in existing:
            continue
        path = root / NOTEBOOK_DIR / entry.file
        where = f"{NOTEBOOK_DIR}/{entry.file}"
        try:
            text, nb = read_notebook(path, where)
            loaded.append((entry, path, text, nb, read_notebook_info(nb, where)))
        except SyncError as error:
            plan.errors.append(str(error))

    infos = {entry.file: info for entry, _, _, _, info in loaded}
    course_map = course_map_source(course, existing)
    colab_setup = colab_setup_source(course)
    for entry, path, text, nb, info in loaded:
        where = f"{NOTEBOOK_DIR}/{entry.file}"
        sources = {
            "title": title_source(course, entry, info, existing),
            "colab-setup": colab_setup,
            "navigation": navigation_line(course, entry, existing),
            "course-map": course_map,
        }
        try:
            differences = sync_notebook(nb, sources, where)
        except SyncError as error:
            plan.errors.append(str(error))
            continue
        plan.files.append(FilePlan(path, where, text, notebook_text(nb), differences))

    # While a notebook cannot be read, the table would list it as "coming soon", so
    # only the README's markers are checked until it is fixed.
    _plan_readme(root, course, infos if len(infos) == len(existing) else None, plan)
    return plan


@dataclass
class SyncReport:
    """What :func:`sync_repository` wrote."""

    written: list[FilePlan] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def sync_repository(root: Path) -> SyncReport:
    """Write every generated cell and the README table; normalise every notebook.

    Writes nothing at all when there is a problem sync cannot fix; raises
    :class:`SyncError` listing all such problems instead.
    """
    plan = plan_repository(root)
    if plan.errors:
        raise SyncError("\n".join(plan.errors))
    report = SyncReport(warnings=list(plan.warnings))
    for item in plan.files:
        if item.changed:
            item.path.write_text(item.new_text, encoding="utf-8", newline="\n")
            report.written.append(item)
    return report


def check_repository(root: Path) -> list[str]:
    """Return every way the repository at ``root`` differs from what sync would write.

    The list is empty when everything is in sync. Problems sync cannot fix come first
    and say what to do; the rest disappear after ``make sync``. Nothing is written.
    """
    try:
        plan = plan_repository(Path(root))
    except SyncError as error:
        return [str(error)]
    problems = [*plan.errors, *plan.warnings]
    for item in plan.files:
        problems += item.problems()
    return problems


# -------------------------------------------------------------------------- timings


def record_timings(root: Path, report_path: Path) -> list[str]:
    """Copy measured run times and peak memory from a benchmark report into notebooks.

    The report is the JSON that ``make test`` writes, with a ``notebooks`` table of
    ``{"seconds": float, "peak_memory_mb": float, "status": str}`` by file name. Only
    notebooks whose status is "passed" are updated, with values rounded up to whole
    numbers. Returns one line per notebook saying what happened. Run sync afterwards to
    update the titles and the README.
    """
    if not report_path.is_file():
        raise SyncError(
            f"{report_path} not found; run `make test` first: it executes every notebook and writes that report."
        )
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise SyncError(
            f"{report_path} is not valid JSON ({error}); run `make test` again to rewrite it."
        ) from None
    results = report.get("notebooks") if isinstance(report, dict) else None
    if not isinstance(results, dict):
        raise SyncError(
            f'{report_path} has no "notebooks" table; run `make test` again to rewrite it.'
        )

    budget = report.get("budget_s")
    messages: list[str] = []
    for name, result in sorted(results.items()):
        file = Path(name).name
        path = root / NOTEBOOK_DIR / file
        if not path.is_file():
            messages.append(f"skipped {file}: there is no such notebook in {NOTEBOOK_DIR}/")
            continue
        status = result.get("status") if isinstance(result, dict) else None
        seconds = result.get("seconds") if isinstance(result, dict) else None
        if status != "passed":
            messages.append(
                f"skipped {file}: its status is {status!r}, not 'passed'; its old timing stays"
            )
            continue
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
            messages.append(f"skipped {file}: the report gives no run time for it")
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        course_meta = data.setdefault("metadata", {}).setdefault("course", {})
        course_meta["runtime_s"] = max(1, round(seconds))
        memory = result.get("peak_memory_mb")
        if isinstance(memory, (int, float)) and not isinstance(memory, bool) and memory >= 0:
            course_meta["peak_memory_mb"] = math.ceil(memory)
        text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        path.write_text(text, encoding="utf-8", newline="\n")
        line = f"recorded {file}: {course_meta['runtime_s']} s, peak memory {course_meta.get('peak_memory_mb')} MB"
        if isinstance(budget, (int, float)) and seconds > budget:
            line += f" (over the {budget} s budget: consider making it lighter)"
        messages.append(line)
    if not messages:
        messages.append(f"{report_path} lists no notebooks; nothing to record.")
    return messages
