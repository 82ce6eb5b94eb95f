"""Grade a folder of students' notebooks with the course's own checks.

``python -m course_utils grade submissions/`` (or ``make grade DIR=submissions/``) runs every
submitted notebook in a fresh kernel and records each ``check(...)`` verdict by exercise id:
correct, not quite, error or not attempted. :mod:`course_utils.gradebook` writes the results
(a CSV, a summary, one HTML page per student).

- **Who and what.** A notebook in ``DIR/<student>/`` belongs to that student; one directly in
  ``DIR`` is named by its file name. Which course notebook it is comes from its exercises'
  metadata (or, where a tool dropped that, from its ``check("NN.k", ...)`` calls), never from
  the file name. A file that is not a notebook gets a row that says so.
- **Untrusted code.** Each submission runs in its own process, in its own temporary folder
  (its working directory, home and temp folder), with a time limit per cell and per notebook,
  a memory limit (POSIX) and Python's sockets switched off. On Linux, where user namespaces
  are allowed, it also runs with no network at all, the course, Python and your home
  read-only, and the submissions and the gradebook folder hidden. After every run the
  course's files and the submissions are compared with their state before it: a notebook
  that changed them is reported and grading stops.
- **What it cannot stop.** A student's code runs inside the same kernel as their checks, so
  it could forge its own verdicts; the report flags notebooks whose code touches the grading
  machinery. Grade handouts (``make handouts``): the reference solutions in a full notebook
  are dropped before it runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .checks.core import GRADE_LOG_VARIABLE, exercises

VERDICTS = ("correct", "not quite", "error", "not attempted")
CHECK_CALL = re.compile(r"""\bcheck\(\s*["'](\d\d)\.\d+["']""")
# Code that reaches into the grading machinery: flagged for the teacher to look at.
SUSPICIOUS = re.compile(r"COURSE_GRADE_LOG|verdicts\.jsonl|_EXERCISES|CheckResult\(|checks\.core\b|"
                        r"^\s*(def\s+check\b|check\s*=)", re.MULTILINE)
PLAIN_ENV = ("PATH", "SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT", "LANG", "LC_ALL", "TZ", "VIRTUAL_ENV",
             "CONDA_PREFIX", "PYTHONPATH", "LD_LIBRARY_PATH", "OMP_NUM_THREADS", "NUMBER_OF_PROCESSORS")


@dataclass
class Submission:
    """One file of the folder: who sent it, which notebook it is, or why it cannot be graded."""

    file: str
    student: str
    notebook: str | None
    problem: str | None
    content: bytes = field(repr=False)


@dataclass
class Row:
    """One line of the gradebook: an exercise's verdict, or (exercise ``"(run)"``) how the run went."""

    student: str
    notebook: str
    file: str
    exercise: str
    verdict: str
    seconds: float
    feedback: str
    hint: str = ""


@dataclass
class Run:
    """Everything known about one submission after grading it."""

    submission: Submission
    status: str
    detail: str
    seconds: float
    peak_mb: int | None
    isolation: str
    rows: list[Row]
    cell_errors: list[dict[str, object]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    executed: bytes | None = field(default=None, repr=False)


def identify(content: bytes) -> tuple[str | None, str | None]:
    """Return (notebook number, None), or (None, why this file cannot be graded)."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, f"not a notebook: the file is not valid notebook JSON ({error.__class__.__name__})"
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list) or data.get("nbformat") != 4:
        return None, "not a notebook: it has no list of cells in nbformat 4 (save it again from Jupyter)"
    numbers: dict[str, int] = {}
    for cell in data["cells"]:
        exercise = cell.get("metadata", {}).get("course", {}).get("exercise") if isinstance(cell, dict) else None
        if isinstance(exercise, str) and re.fullmatch(r"\d\d\.\d+", exercise):
            numbers[exercise[:2]] = numbers.get(exercise[:2], 0) + 1
    if not numbers:  # the metadata was dropped by some tool: fall back on the check calls
        for cell in data["cells"]:
            source = cell.get("source", "") if isinstance(cell, dict) else ""
            for number in CHECK_CALL.findall("".join(source) if isinstance(source, list) else str(source)):
                numbers[number] = numbers.get(number, 0) + 1
    if not numbers:
        return None, "no course exercises in this notebook (no exercise metadata and no check(...) calls)"
    if len(numbers) > 1:
        return None, "its exercises come from several notebooks (" + ", ".join(sorted(numbers)) + "): grade them apart"
    return next(iter(numbers)), None


def find_submissions(folder: Path) -> list[Submission]:
    """Every file under ``folder`` (hidden files and checkpoints left out), identified."""
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        student = relative.parts[0] if len(relative.parts) > 1 else path.stem
        content = path.read_bytes()
        if path.suffix.lower() != ".ipynb":
            number, problem = None, (f"not a notebook: a {path.suffix or 'extensionless'} file; ask for the .ipynb "
                                     "(File > Download in JupyterLab or Colab)")
        else:
            number, problem = identify(content)
        found.append(Submission(relative.as_posix(), student, number, problem, content))
    return found


def _fingerprint(paths: Iterable[Path]) -> dict[str, str]:
    prints = {}
    for root in paths:
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.is_file() and "__pycache__" not in path.parts:
                prints[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return prints


def _namespaces() -> bool:
    """Whether this machine lets an ordinary user make network and mount namespaces (Linux)."""
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None or shutil.which("mount") is None:
        return False
    probe = ["unshare", "--user", "--map-root-user", "--net", "--mount", "true"]
    return subprocess.run(probe, capture_output=True, timeout=30).returncode == 0


def _environment(folder: Path) -> dict[str, str]:
    env = {name: os.environ[name] for name in PLAIN_ENV if name in os.environ}
    for name in ("HOME", "USERPROFILE"):
        env[name] = str(folder)
    for name in ("TMPDIR", "TEMP", "TMP"):
        env[name] = str(folder / "tmp")
    env.update({
        "IPYTHONDIR": str(folder / "ipython"), "JUPYTER_RUNTIME_DIR": str(folder / "runtime"),
        "JUPYTER_CONFIG_DIR": str(folder / "jupyter"), "MPLCONFIGDIR": str(folder / "matplotlib"),
        "MPLBACKEND": "agg", "COURSE_DATA_DIR": str(folder / "data"), GRADE_LOG_VARIABLE: str(folder / "verdicts.jsonl"),
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUTF8": "1", "CUDA_VISIBLE_DEVICES": "",
        "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": "", "no_proxy": "",
    })
    for name in ("tmp", "ipython", "runtime", "jupyter", "matplotlib", "data"):
        (folder / name).mkdir(exist_ok=True)
    return env


def _kill(process: subprocess.Popen[bytes]) -> None:
    if os.name == "nt":
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(process.pid)], capture_output=True)
    else:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait()


@dataclass
class Limits:
    """How long and how big one submission may get."""

    notebook_s: float = 900.0
    cell_s: float = 300.0
    memory_mb: int = 4096


def _rows(submission: Submission, verdicts: list[dict[str, object]], reason: str) -> list[Row]:
    last = {str(v.get("exercise")): v for v in verdicts}
    rows = []
    for exercise_id in (e for e in exercises() if e.startswith(f"{submission.notebook}.")):
        verdict = last.get(exercise_id)
        if verdict is None or verdict.get("verdict") not in VERDICTS:
            rows.append(Row(submission.student, submission.notebook or "", submission.file, exercise_id,
                            "not attempted", 0.0, f"Its check did not run ({reason})."))
            continue
        rows.append(Row(submission.student, submission.notebook or "", submission.file, exercise_id,
                        str(verdict["verdict"]), float(verdict.get("seconds", 0.0)),  # type: ignore[arg-type]
                        str(verdict.get("message", "")), str(verdict.get("hint", ""))))
    return rows


def run_submission(submission: Submission, limits: Limits, *, hide: list[Path], isolate: bool | None = None) -> Run:
    """Execute one identified submission in its sandbox and collect its verdicts."""
    isolate = _namespaces() if isolate is None else isolate
    package = Path(__file__).resolve().parent
    guarded = [package] + [Path(p) for p in sorted({sys.prefix, sys.base_prefix}) if p]
    before = _fingerprint([package])
    with tempfile.TemporaryDirectory(prefix="course-grade-") as tmp:
        folder = Path(tmp).resolve()
        (folder / "submission.ipynb").write_bytes(submission.content)
        (folder / "settings.json").write_text(json.dumps(
            {"cell_timeout": limits.cell_s, "memory_mb": limits.memory_mb}), encoding="utf-8")
        command = [sys.executable, "-m", "course_utils._grade_worker", str(folder)]
        if isolate:
            home = Path.home().resolve()
            read_only = [p for p in [*guarded, package.parent, home] if not folder.is_relative_to(p)]
            command = ["unshare", "--user", "--map-root-user", "--net", "--mount", "--", *command]
            command += [f"--read-only={p}" for p in dict.fromkeys(map(str, read_only))]
            command += [f"--hide={p}" for p in dict.fromkeys(str(p.resolve()) for p in hide if p.exists())]
        options: dict[str, object] = ({"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} if os.name == "nt"
                                      else {"start_new_session": True})
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=folder, env=_environment(folder), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **options)  # type: ignore[call-overload]
        try:
            _, stderr = process.communicate(timeout=limits.notebook_s)
            timed_out = False
        except subprocess.TimeoutExpired:
            _kill(process)
            stderr, timed_out = b"", True
        seconds = time.perf_counter() - start
        result_file, log = folder / "result.json", folder / "verdicts.jsonl"
        result = json.loads(result_file.read_text(encoding="utf-8")) if result_file.exists() else {}
        guard = folder / "protections.json"
        protections = json.loads(guard.read_text(encoding="utf-8")) if guard.exists() else {}
        verdicts = []
        if log.exists():
            for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    verdicts.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        executed = (folder / "executed.ipynb").read_bytes() if (folder / "executed.ipynb").exists() else None
    if timed_out:
        status, detail = "timed out", f"stopped after {limits.notebook_s:g} s, the time limit of a notebook"
    elif not result or result["status"] == "running":
        tail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        status, detail = "failed to run", f"the grader's worker stopped: {tail[0][:300]}"
    else:
        status, detail = str(result["status"]), str(result["detail"])
    isolation = ("namespaces: no network, course and home read-only, other submissions hidden" if isolate
                 else "process, folder, time and memory limits; Python's sockets off")
    if protections.get("not_protected"):
        isolation += "; could not apply: " + ", ".join(protections["not_protected"])
    flags = []
    # Inside namespaces the course is mounted read-only, so a change there cannot be the student's.
    protected = isolate and protections.get("namespace") and not protections.get("not_protected")
    after = before if protected else _fingerprint([package])
    if after != before:
        changed = sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))
        flags.append("changed the course's own files: " + ", ".join(changed[:5]))
    source = submission.content.decode("utf-8", "replace")
    if SUSPICIOUS.search(source):
        flags.append("its code touches the grading machinery (check, its log or its registry): look at it")
    reason = "the notebook " + (status if status != "ran" else "ran, but never reached it: the cell was removed or changed")
    run = Run(submission, status, detail, seconds, result.get("peak_mb"), isolation, [],
              list(result.get("cell_errors", [])), flags, executed)
    run.rows = [Row(submission.student, submission.notebook or "", submission.file, "(run)", status, round(seconds, 1),
                    detail or f"ran in {seconds:.0f} s"), *_rows(submission, verdicts, reason)]
    return run


def refused(submission: Submission) -> Run:
    """The run of a file that cannot be graded: one row that says why."""
    row = Row(submission.student, submission.notebook or "", submission.file, "(run)", "not graded", 0.0,
              submission.problem or "")
    return Run(submission, "not graded", submission.problem or "", 0.0, None, "not run", [row])


def grade(folder: Path | str, out: Path | str | None = None, *, limits: Limits | None = None,
          isolate: bool | None = None, verbose: bool = True) -> list[Run]:
    """Grade every submission in ``folder``; write the gradebook to ``out`` and return the runs.

    ``out`` defaults to ``<folder>-gradebook`` beside the folder. Grading stops, with a
    message, when a submission changed the course's files or the submissions.
    """
    from .gradebook import write_gradebook

    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder of submissions: give the folder that holds them.")
    out = Path(out).resolve() if out is not None else folder.with_name(folder.name + "-gradebook")
    if out == folder or folder in out.parents:
        raise ValueError(f"The gradebook folder {out} must not be inside the submissions {folder}.")
    limits = limits or Limits()
    isolate = _namespaces() if isolate is None else isolate
    submissions = find_submissions(folder)
    snapshot = _fingerprint([folder])
    runs: list[Run] = []
    stopped = ""
    for index, submission in enumerate(submissions, start=1):
        if stopped:
            run = refused(Submission(submission.file, submission.student, submission.notebook,
                                     f"not graded: {stopped}", submission.content))
        elif submission.problem:
            run = refused(submission)
        else:
            run = run_submission(submission, limits, hide=[folder, out], isolate=isolate)
            if _fingerprint([folder]) != snapshot:
                run.flags.append("the submissions folder changed during its run")
                snapshot = _fingerprint([folder])
            if any("course's own files" in flag for flag in run.flags):
                stopped = (f"{submission.file} changed the course's files; restore them (git checkout or "
                           "pip install --force-reinstall) and grade again")
        runs.append(run)
        if verbose:
            got = sum(row.verdict == "correct" for row in run.rows[1:])
            print(f"[{index}/{len(submissions)}] {submission.file}: {run.status}"
                  + (f", {got} of {len(run.rows) - 1} correct, {run.seconds:.0f} s" if run.rows[1:] else "")
                  + (f" ({'; '.join(run.flags)})" if run.flags else ""), flush=True)
    write_gradebook(runs, out)
    if verbose:
        print(f"Gradebook written to {out} (gradebook.csv, summary.md, students/*.html).")
    return runs
