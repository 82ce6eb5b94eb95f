"""Write what :mod:`course_utils.grading` found: a CSV, a summary and a page per student.

- ``gradebook.csv``: one row per student, notebook and exercise (student, notebook, file,
  exercise, verdict, seconds, feedback, hint), and one ``(run)`` row per notebook that says
  how its run ended (ran, timed out, kernel died, not graded...) and how long it took;
- ``summary.md``: per exercise, how many got it and the most common feedback of those who
  did not; then every notebook that did not run through or was flagged;
- ``students/<student>.html``: the feedback each check gave that student, with its hint,
  and the errors of their cells, to hand back or read with them;
- ``executed/<student>/<file>``: the notebook as it ran, with its outputs.
"""

from __future__ import annotations

import csv
import html
import re
from collections import Counter, defaultdict
from pathlib import Path

from .grading import VERDICTS, Run

SYMBOL = {"correct": "✔", "not attempted": "…"}
COLUMNS = ("student", "notebook", "file", "exercise", "verdict", "seconds", "feedback", "hint")


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "student"


def _first_sentence(text: str) -> str:
    sentence = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    return sentence if len(sentence) <= 120 else sentence[:117] + "..."


def write_csv(runs: list[Run], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        for run in runs:
            for row in run.rows:
                writer.writerow([row.student, row.notebook, row.file, row.exercise, row.verdict,
                                 f"{row.seconds:.2f}", row.feedback, row.hint])


def summary(runs: list[Run]) -> str:
    """The readable summary, as Markdown."""
    lines = [f"# Gradebook: {len({run.submission.student for run in runs})} students, {len(runs)} files", ""]
    by_notebook: dict[str, list[Run]] = defaultdict(list)
    for run in runs:
        by_notebook[run.submission.notebook or "?"].append(run)
    for notebook, group in sorted(by_notebook.items()):
        graded = [run for run in group if run.status != "not graded"]
        if not graded:
            continue
        lines += [f"## Notebook {notebook}: {len(graded)} submissions", "",
                  "| exercise | correct | not quite | error | not attempted | most common feedback when not correct |",
                  "|---|---:|---:|---:|---:|---|"]
        per_exercise: dict[str, Counter[str]] = defaultdict(Counter)
        feedback: dict[str, Counter[str]] = defaultdict(Counter)
        for run in graded:
            for row in run.rows[1:]:
                per_exercise[row.exercise][row.verdict] += 1
                if row.verdict in ("not quite", "error"):
                    feedback[row.exercise][_first_sentence(row.feedback)] += 1
        for exercise, counts in sorted(per_exercise.items(), key=lambda item: [int(p) for p in item[0].split(".")]):
            common = "; ".join(f"{text} ({count})" for text, count in feedback[exercise].most_common(2))
            lines.append(f"| {exercise} | " + " | ".join(str(counts[v]) for v in VERDICTS)
                         + f" | {common.replace('|', '/')} |")
        lines.append("")
    trouble = [run for run in runs if run.status != "ran" or run.flags or run.cell_errors]
    if trouble:
        lines += ["## Look at these", ""]
        for run in trouble:
            notes = [run.status + (f": {run.detail}" if run.detail else ""), *run.flags]
            if run.cell_errors:
                notes.append(f"{len(run.cell_errors)} cell(s) raised an error")
            lines.append(f"- {run.submission.file} ({run.submission.student}): " + "; ".join(notes))
        lines.append("")
    isolations = Counter(run.isolation for run in runs if run.status != "not graded")
    if isolations:
        lines += ["Isolation: " + "; ".join(f"{text} ({count})" for text, count in isolations.items()), ""]
    return "\n".join(lines)


def student_page(student: str, runs: list[Run]) -> str:
    """One student's feedback as a self-contained HTML page."""
    e = html.escape
    parts = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
             f"<title>Feedback for {e(student)}</title>",
             "<style>body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
             "td,th{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}"
             "table{border-collapse:collapse}.correct{border-left:6px solid #009E73}"
             ".other{border-left:6px solid #E69F00}</style></head><body>",
             f"<h1>Feedback for {e(student)}</h1>"]
    for run in runs:
        sub = run.submission
        parts.append(f"<h2>{e(sub.file)}" + (f": notebook {e(sub.notebook)}" if sub.notebook else "") + "</h2>")
        peak = f", peak memory {run.peak_mb:,} MB" if run.peak_mb else ""
        parts.append(f"<p>Run: <b>{e(run.status)}</b>" + (f" ({e(run.detail)})" if run.detail else "")
                     + f", {run.seconds:.0f} s{peak}.</p>")
        for flag in run.flags:
            parts.append(f"<p><b>Note:</b> {e(flag)}</p>")
        if len(run.rows) > 1:
            parts.append("<table><tr><th>exercise</th><th>verdict</th><th>feedback</th></tr>")
            for row in run.rows[1:]:
                css = "correct" if row.verdict == "correct" else "other"
                hint = f"<br><i>Hint:</i> {e(row.hint)}" if row.hint and row.verdict != "correct" else ""
                parts.append(f"<tr class='{css}'><td>{e(row.exercise)}</td><td>{SYMBOL.get(row.verdict, '✘')} "
                             f"{e(row.verdict)}</td><td>{e(row.feedback)}{hint}</td></tr>")
            parts.append("</table>")
        if run.cell_errors:
            parts.append("<p>Cells that raised an error:</p><ul>")
            parts += [f"<li>cell {int(error['cell']) + 1}: {e(str(error['error']))}</li>"  # type: ignore[call-overload]
                      for error in run.cell_errors]
            parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_gradebook(runs: list[Run], out: Path) -> None:
    """Write the CSV, the summary, the students' pages and the executed notebooks into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    write_csv(runs, out / "gradebook.csv")
    (out / "summary.md").write_text(summary(runs), encoding="utf-8")
    by_student: dict[str, list[Run]] = defaultdict(list)
    for run in runs:
        by_student[run.submission.student].append(run)
    (out / "students").mkdir(exist_ok=True)
    for student, group in by_student.items():
        (out / "students" / f"{_slug(student)}.html").write_text(student_page(student, group), encoding="utf-8")
        for run in group:
            if run.executed is not None:
                target = out / "executed" / _slug(student) / Path(run.submission.file).name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(run.executed)
