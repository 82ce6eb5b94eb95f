"""Exercise checks: the framework's verdicts, every exercise's wrong answers, and the notebooks.

Each exercise is tested twice:

- here, against at least one plausible wrong answer, which must fail with a message;
- in its notebook, where a collapsed solution cell runs ``assert check(ID, reference)``,
  so executing the notebooks (nbval) proves that every reference solution passes.

``test_every_exercise_has_stub_solution_and_wrong_answers`` keeps the two in step.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from course_utils import checks
from course_utils.checks import CheckResult, Wrong, check, exercises, hint, multiple_choice
from tests.answers import RIGHT_ANSWERS, WRONG_ANSWERS

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def _declared_stub(answer: object) -> bool:
    """The answers files name their untouched stubs: None, ..., or a function called *stub*."""
    if answer is None or answer is Ellipsis:
        return True
    if isinstance(answer, (tuple, list)):
        return bool(answer) and all(item is None or item is Ellipsis for item in answer)
    names = [getattr(answer, "__name__", "")]
    if isinstance(answer, type):
        names += [getattr(value, "__name__", "") for value in vars(answer).values()]
    return any("stub" in name.lower() or "not_implemented" in name.lower() for name in names)


@pytest.mark.parametrize("exercise_id", sorted(WRONG_ANSWERS))
def test_wrong_answers_fail_with_a_message(exercise_id, capsys):
    for answer in WRONG_ANSWERS[exercise_id]:
        result = check(exercise_id, answer)
        assert not result, f"{exercise_id}: wrong answer {answer!r} passed"
        # An untouched stub is "not attempted"; anything a learner wrote is graded.
        expected = ("not attempted",) if _declared_stub(answer) else ("not quite", "error")
        assert result.status in expected, f"{exercise_id}: {answer!r} was called {result.status!r}"
        assert result.message and result.hint
    out = capsys.readouterr().out
    assert out.count(f"Exercise {exercise_id}") == len(WRONG_ANSWERS[exercise_id])


@pytest.mark.parametrize("exercise_id", sorted(RIGHT_ANSWERS))
def test_right_answers_pass(exercise_id):
    for answer in RIGHT_ANSWERS[exercise_id]:
        assert check(exercise_id, answer), f"{exercise_id}: right answer {answer!r} failed"


def test_specific_feedback_names_the_mistake():
    result = check("00.1", WRONG_ANSWERS["00.1"][1])
    assert "mean absolute error" in result.message
    result = check("00.2", "c")
    assert "rewards" in result.message


def test_verdicts_for_stub_error_and_unknown_id():
    assert check("00.1", None).status == "not attempted"
    assert check("00.1", ...).status == "not attempted"
    assert check("00.1", WRONG_ANSWERS["00.1"][0]).status == "not attempted"

    def raises(p, t):
        raise NotImplementedError

    assert check("00.1", raises).status == "not attempted"
    crashed = check("00.1", lambda p, t: 1 / 0)
    assert crashed.status == "error" and "ZeroDivisionError" in crashed.message
    unknown = check("00.22", "b")
    assert unknown.status == "unknown exercise" and "Did you mean '00.2'" in unknown.message


def test_check_never_raises_even_on_strange_answers():
    for answer in (object(), 3, "text", [], {"a": 1}, lambda *a: (_ for _ in ()).throw(KeyError())):
        assert isinstance(check("00.1", answer), CheckResult)


def test_result_renders_text_and_html_without_colour_alone():
    result = checks._run(exercises()["00.2"], "a")
    assert result.text().startswith("✘ Exercise 00.2: not quite.")
    html = result.html()
    assert "✘" in html and "Hint:" in html and "<script" not in html


def test_result_is_displayed_once_in_ipython(monkeypatch):
    shown = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append(a))
    result = CheckResult("00.1", "correct", "ok")
    result._ipython_display_()
    result._ipython_display_()  # e.g. the cell's last expression: no second box
    assert len(shown) == 1 and "text/html" in shown[0][0]


def test_hint_and_multiple_choice_helper(capsys):
    assert "labels" in hint("00.2")
    test = multiple_choice("a", {"a": "yes", "b": "no"})
    test("A")
    with pytest.raises(Wrong, match="no"):
        test("b")
    with pytest.raises(Wrong, match="not one of the options"):
        test("z")


def test_duplicate_ids_are_rejected():
    with pytest.raises(ValueError, match="defined twice"):
        checks.exercise("00.1", "again", "hint")(lambda answer: None)


def _exercise_cells() -> dict[str, dict[str, list[str]]]:
    found: dict[str, dict[str, list[str]]] = {}
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            meta = cell.get("metadata", {}).get("course", {})
            if "exercise" in meta:
                roles = found.setdefault(meta["exercise"], {"notebook": [path.name]})
                roles.setdefault(meta["role"], []).append("".join(cell["source"]))
    return found


def test_every_exercise_has_stub_solution_and_wrong_answers():
    cells = _exercise_cells()
    registered = exercises()
    assert set(cells) == set(registered), "exercises in notebooks and in course_utils.exercises differ"
    for exercise_id, roles in cells.items():
        number = exercise_id.split(".")[0]
        assert roles["notebook"][0].startswith(number + "_"), f"{exercise_id} is in the wrong notebook"
        assert len(roles.get("stub", [])) == 1, f"{exercise_id}: needs exactly one stub cell"
        assert len(roles.get("solution", [])) == 1, f"{exercise_id}: needs exactly one solution cell"
        assert re.search(rf'(?<!assert )check\("{re.escape(exercise_id)}"', roles["stub"][0])
        assert re.search(rf'assert check\("{re.escape(exercise_id)}"', roles["solution"][0]), (
            f"{exercise_id}: the solution cell must end with assert check(...) so nbval proves it passes")
        assert WRONG_ANSWERS.get(exercise_id), f"{exercise_id}: add plausible wrong answers to tests/answers/nb{number}.py"


def test_solution_cells_are_collapsed_and_tagged():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            meta = cell.get("metadata", {})
            if meta.get("course", {}).get("role") == "solution":
                assert meta.get("jupyter", {}).get("source_hidden") is True, path.name
                assert "solution" in meta.get("tags", []), path.name
                assert meta.get("cellView") == "form", path.name  # collapsed on Colab too


def test_expect_function_names_what_was_given():
    checks.expect_function(len)
    with pytest.raises(Wrong, match=r"Expected a function of \(a, b\), got int\."):
        checks.expect_function(3, "of (a, b)")
    with pytest.raises(Wrong, match=r"Expected a function, got str\."):
        checks.expect_function("f")


def test_every_notebook_has_four_exercises_and_the_teachers_guide_names_real_ones():
    cells = _exercise_cells()
    per_notebook: dict[str, int] = {}
    for exercise_id in cells:
        per_notebook[exercise_id.split(".")[0]] = per_notebook.get(exercise_id.split(".")[0], 0) + 1
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        assert per_notebook.get(path.name[:2], 0) >= 4, f"{path.name} needs at least four exercises"
    guide = (NOTEBOOKS.parent / "docs" / "teachers.md").read_text(encoding="utf-8")
    # the table under "| notebook | students build |", up to the first line that is not a row
    section = guide.split("| notebook | students build |", 1)[1].split("\n\n", 1)[0]
    table = re.findall(r"^\| (\d\d) \| (.+) \|$", section, flags=re.MULTILINE)
    assert [number for number, _ in table] == sorted(per_notebook)
    for number, text in table:
        named = re.findall(r"\((\d\d\.\d+)\)", text)
        assert named and all(exercise_id in cells and exercise_id.startswith(number) for exercise_id in named), (
            f"docs/teachers.md names {named} for notebook {number}")
