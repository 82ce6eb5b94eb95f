"""The shape of a fault case, shared by the fault modules that list their cases in a table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest


@dataclass(frozen=True)
class Case:
    """One fault: ``run()`` must raise ``error`` with a message matching ``match``, or return a
    result for which ``expect(result)`` is true."""

    id: str
    run: Callable[[], Any]
    error: type[BaseException] | None = None
    match: str = ""
    expect: Callable[[Any], bool] | None = None


def run_case(case: Case) -> None:
    """Assert what ``case`` promises: the error and its message, or the right result."""
    if case.error is not None:
        with pytest.raises(case.error, match=case.match):
            case.run()
    else:
        assert case.expect is not None, f"{case.id}: a case needs an error or an expectation"
        assert case.expect(case.run()), f"{case.id}: the result is not the right one"


def assert_unique_ids(cases: list[Case]) -> None:
    """Two cases with one id would hide each other in pytest's report."""
    ids = [case.id for case in cases]
    assert len(set(ids)) == len(ids), sorted({i for i in ids if ids.count(i) > 1})
