"""Otter-Grader test files made from the course's checks pass right answers and fail wrong ones."""

from __future__ import annotations

import doctest
import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
export_otter = importlib.import_module("export_otter")


def _run(code: str, namespace: dict) -> doctest.TestResults:
    test = doctest.DocTestParser().get_doctest(code, dict(namespace), "q", None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test, out=lambda text: None)
    return runner.summarize(verbose=False)


def test_each_exercise_gets_a_test_that_runs_its_check(tmp_path):
    assert export_otter.main(["00", "--out", str(tmp_path), "--points", "2"]) == 0
    files = sorted(path.name for path in tmp_path.iterdir())
    assert files == ["q00_1.py", "q00_2.py", "q00_3.py", "q00_4.py", "q00_5.py"]
    spec: dict = {}
    exec((tmp_path / "q00_1.py").read_text(encoding="utf-8"), spec)
    assert spec["OK_FORMAT"] is True and spec["test"]["name"] == "q00_1" and spec["test"]["points"] == 2.0
    (suite,) = spec["test"]["suites"]
    (case,) = suite["cases"]
    assert suite["type"] == "doctest" and suite["scored"] is True
    right = {"mean_squared_error": lambda p, t: ((p - t) ** 2).mean()}
    wrong = {"mean_squared_error": lambda p, t: ((p - t) ** 2).sum()}
    stub = {"mean_squared_error": lambda p, t: None}
    assert _run(case["code"], right).failed == 0
    assert _run(case["code"], wrong).failed == 1
    assert _run(case["code"], stub).failed == 1
    spec2: dict = {}
    exec((tmp_path / "q00_2.py").read_text(encoding="utf-8"), spec2)
    code = spec2["test"]["suites"][0]["cases"][0]["code"]
    assert "check('00.2', answer)" in code
    assert _run(code, {"answer": "b"}).failed == 0 and _run(code, {"answer": "a"}).failed == 1


def test_a_wrong_number_says_so(capsys):
    assert export_otter.main(["99"]) == 2
    assert "99" in capsys.readouterr().err
