"""Exercise self-checks that answer at once, with a hint, and never crash a notebook.

In a notebook an exercise looks like this::

    def mean_squared_error(predictions, targets):
        ...  # your code here

    check("00.1", mean_squared_error)

``check`` runs the exercise's test on your answer and shows one of four verdicts:

- **correct**: well done;
- **not attempted yet**: the stub is still as the notebook gave it;
- **not quite**: your answer runs but gives a wrong result (with what was wrong and a hint);
- **your code raised an error**: the error, and a hint.

It never raises, so the rest of the notebook keeps running. Every exercise also has
a reference solution in a collapsed cell right after it: expand it only when stuck.

Exercise tests live in :mod:`course_utils.exercises`, one module per notebook, and
are registered with the :func:`exercise` decorator. Every test runs with fixed seeds,
and the notebook's random state, default dtype and gradient mode are given back
afterwards. The protections a test builds on are in :mod:`course_utils.checks.guards`
and :mod:`course_utils.checks.cases`.
"""

from __future__ import annotations

import _thread
import difflib
import html
import importlib
import json
import math
import os
import random
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from .stubs import is_stub

__all__ = [
    "CheckResult",
    "Exercise",
    "NotAttempted",
    "Wrong",
    "assert_close",
    "check",
    "exercise",
    "exercises",
    "expect_function",
    "hint",
    "multiple_choice",
]


class Wrong(Exception):
    """Raised by an exercise test when an answer runs but is not right.

    The message should say what was wrong ("for [1, 2] you returned 5, expected 2.5").
    ``hint`` replaces the exercise's general hint for this particular mistake.
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class NotAttempted(Exception):
    """Raised by an exercise test when the answer is still the empty stub."""


#: How long a check may run before the learner's code is stopped (an endless loop must
#: not hang the notebook). An exercise that trains a model sets its own, longer limit.
DEFAULT_TIME_LIMIT_S = 60.0


@dataclass(frozen=True)
class Exercise:
    """One exercise: an id like ``"04.2"``, a title, a general hint and a test.

    ``test(answer)`` returns nothing when the answer is right and raises
    :class:`Wrong` (or :class:`NotAttempted`) otherwise. ``time_limit`` is in seconds.
    """

    id: str
    title: str
    hint: str
    test: Callable[[Any], None]
    time_limit: float = DEFAULT_TIME_LIMIT_S


_EXERCISES: dict[str, Exercise] = {}


def exercise(id: str, title: str, hint: str, *, time_limit: float = DEFAULT_TIME_LIMIT_S,
             ) -> Callable[[Callable[[Any], None]], Callable[[Any], None]]:
    """Decorator that registers ``test`` as the check for exercise ``id``."""

    def register(test: Callable[[Any], None]) -> Callable[[Any], None]:
        if id in _EXERCISES:
            raise ValueError(f"Exercise {id!r} is defined twice; give the second one a new id.")
        _EXERCISES[id] = Exercise(id=id, title=title, hint=hint, test=test, time_limit=time_limit)
        return test

    return register


def exercises() -> dict[str, Exercise]:
    """Every registered exercise, by id (loads the course's exercise modules)."""
    importlib.import_module("course_utils.exercises")
    return dict(sorted(_EXERCISES.items()))


@dataclass
class CheckResult:
    """The verdict of :func:`check`. True when the answer is correct, so ``assert check(...)`` works."""

    exercise_id: str
    status: str  # "correct", "not attempted", "not quite", "error" or "unknown exercise"
    message: str
    hint: str = ""
    _shown: bool = field(default=False, repr=False, compare=False)

    @property
    def passed(self) -> bool:
        return self.status == "correct"

    def __bool__(self) -> bool:
        return self.passed

    def text(self) -> str:
        """Plain-text rendering (used in terminals and logs)."""
        symbol = {"correct": "✔", "not attempted": "…"}.get(self.status, "✘")
        lines = [f"{symbol} Exercise {self.exercise_id}: {self.status}. {self.message}".rstrip()]
        if self.hint and not self.passed:
            lines.append(f"  Hint: {self.hint}")
        return "\n".join(lines)

    def html(self) -> str:
        """HTML rendering for notebooks: a symbol and words, never colour alone."""
        symbol = {"correct": "✔", "not attempted": "…"}.get(self.status, "✘")
        # Okabe-Ito bluish green for correct, orange for everything else.
        colour = "#009E73" if self.passed else "#E69F00"
        parts = [
            f'<div style="border-left: 6px solid {colour}; padding: 0.4em 0.8em; margin: 0.3em 0;">',
            f"<b>{symbol} Exercise {html.escape(self.exercise_id)}: {html.escape(self.status)}.</b> ",
            html.escape(self.message),
        ]
        if self.hint and not self.passed:
            parts.append(f"<br><i>Hint:</i> {html.escape(self.hint)}")
        parts.append("</div>")
        return "".join(parts)

    def _ipython_display_(self) -> None:
        # check() shows the verdict once; a later automatic display of the same object is a no-op.
        if self._shown:
            return
        self._shown = True
        from IPython.display import display

        display({"text/plain": self.text(), "text/html": self.html()}, raw=True)


def _in_ipython() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


def check(exercise_id: str, answer: Any) -> CheckResult:
    """Check ``answer`` for exercise ``exercise_id``, show the verdict, and return it.

    Never raises: a wrong answer, a stub, or an error inside your code all become
    a verdict with a hint. The result is truthy only when the answer is correct.
    """
    known = exercises()
    if not isinstance(exercise_id, str) or exercise_id not in known:
        close = difflib.get_close_matches(str(exercise_id), known, n=1)
        suggestion = f" Did you mean {close[0]!r}?" if close else ""
        result = CheckResult(str(exercise_id), "unknown exercise",
                             f"There is no exercise {exercise_id!r}.{suggestion}",
                             hint="Copy the id from the exercise's own check cell.")
    else:
        start = time.perf_counter()
        result = _run(known[exercise_id], answer)
        _record(result, time.perf_counter() - start)
    if _in_ipython():
        result._ipython_display_()
    else:
        print(result.text())
    return result


#: Set by the gradebook (``python -m course_utils grade``): each verdict is appended to this file.
GRADE_LOG_VARIABLE = "COURSE_GRADE_LOG"


def _record(result: CheckResult, seconds: float) -> None:
    """Append the verdict as one JSON line to the file named by ``COURSE_GRADE_LOG``, if set."""
    path = os.environ.get(GRADE_LOG_VARIABLE)
    if not path:
        return
    line = {"exercise": result.exercise_id, "verdict": result.status, "message": result.message,
            "hint": result.hint, "seconds": round(seconds, 3)}
    try:
        with open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps(line) + "\n")
    except OSError:  # grading reports a check without a verdict as not run; never break the notebook
        pass


def _safe_text(error: BaseException) -> str:
    try:
        return str(error)
    except Exception:  # an exception whose __str__ fails
        return ""


@contextmanager
def _isolated() -> Iterator[None]:
    """Run a test with fixed seeds and give the notebook its global state back afterwards.

    The learner's code may draw random numbers (dropout), change the default dtype or
    device, the number of threads, or turn gradients off; none of that may leak into the
    notebook, and the same answer must get the same verdict whatever ran before.
    """
    python_state, numpy_state = random.getstate(), np.random.get_state()  # noqa: NPY002 (the learner's global RNG)
    dtype, grad_enabled, threads = torch.get_default_dtype(), torch.is_grad_enabled(), torch.get_num_threads()
    default_device = torch.get_default_device() if hasattr(torch, "get_default_device") else None
    cuda = [torch.cuda.current_device()] if torch.cuda.is_available() and torch.cuda.is_initialized() else []
    with torch.random.fork_rng(devices=cuda):
        torch.manual_seed(0)
        random.seed(0)
        np.random.seed(0)  # noqa: NPY002
        try:
            yield
        finally:
            random.setstate(python_state)
            np.random.set_state(numpy_state)  # noqa: NPY002
            torch.set_default_dtype(dtype)
            torch.set_grad_enabled(grad_enabled)
            if torch.get_num_threads() != threads:
                torch.set_num_threads(threads)
            if default_device is not None and torch.get_default_device() != default_device:
                torch.set_default_device(default_device)


class _TimeLimit:
    """Stop the main thread with KeyboardInterrupt after ``seconds`` (on every platform).

    A timer thread interrupts the main thread the way Ctrl+C would; :func:`_run` turns that
    into a verdict. Off when ``seconds`` is None or when checks run outside the main thread.
    """

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.fired = False
        self._lock = threading.Lock()
        self._done = False
        self._timer: threading.Timer | None = None

    def _fire(self) -> None:
        with self._lock:
            if not self._done:
                self.fired = True
                _thread.interrupt_main()

    def __enter__(self) -> _TimeLimit:
        self._replaced: Any = None
        if self.seconds is not None and threading.current_thread() is threading.main_thread():
            # interrupt_main() does nothing while SIGINT is ignored, as it is for a process started
            # in the background (nohup, `&`, some CI runners): handle it for as long as the check runs.
            previous = signal.getsignal(signal.SIGINT)
            if previous in (signal.SIG_IGN, signal.SIG_DFL, None):
                signal.signal(signal.SIGINT, signal.default_int_handler)
                self._replaced = signal.SIG_DFL if previous is None else previous
            self._timer = threading.Timer(self.seconds, self._fire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self._done = True
        if self._timer is not None:
            self._timer.cancel()
        if self._replaced is not None:
            signal.signal(signal.SIGINT, self._replaced)


def _run(ex: Exercise, answer: Any) -> CheckResult:
    if is_stub(answer):
        return CheckResult(ex.id, "not attempted", "Replace the placeholder with your answer.", ex.hint)
    clock = _TimeLimit(ex.time_limit)
    try:
        try:
            with clock, _isolated():
                ex.test(answer)
        except KeyboardInterrupt:
            if not clock.fired:
                raise  # the learner pressed stop: let it stop
            return CheckResult(
                ex.id, "not quite",
                f"The check stopped your code after {ex.time_limit:g} s: it ran far longer than this exercise "
                "needs. Is there a loop that never ends (a while whose condition stays true)?",
                hint="Bound every loop, and test your function on a tiny input first.")
    except NotAttempted as exc:
        # The answer is not the untouched stub, so it was attempted: grade it.
        message = _safe_text(exc) or "Your answer still gives nothing back."
        return CheckResult(ex.id, "not quite", message, ex.hint)
    except NotImplementedError:
        return CheckResult(ex.id, "not quite", "Your code still raises NotImplementedError somewhere: "
                           "replace that line with your code.", ex.hint)
    except Wrong as exc:
        return CheckResult(ex.id, "not quite", _safe_text(exc), exc.hint or ex.hint)
    except (Exception, SystemExit) as exc:  # the learner's code failed: report it, keep the notebook alive
        detail = _safe_text(exc)
        return CheckResult(ex.id, "error", f"Your code raised {type(exc).__name__}" + (f": {detail}" if detail else "."),
                           ex.hint)
    return CheckResult(ex.id, "correct", f"{ex.title}: well done.")


def hint(exercise_id: str) -> str:
    """Show (and return) the general hint of an exercise without checking anything."""
    known = exercises()
    if not isinstance(exercise_id, str) or exercise_id not in known:
        close = difflib.get_close_matches(str(exercise_id), known, n=1)
        text = f"There is no exercise {exercise_id!r}." + (f" Did you mean {close[0]!r}?" if close else "")
    else:
        text = f"Hint for {exercise_id} ({known[exercise_id].title}): {known[exercise_id].hint}"
    print(text)
    return text


# ---------------------------------------------------------------- helpers for exercise tests


def multiple_choice(correct: str, feedback: Mapping[str, str]) -> Callable[[Any], None]:
    """Build a test for a prediction or multiple-choice question.

    Args:
        correct: the right option, e.g. ``"b"``.
        feedback: for each option, why it is right or wrong; shown when that
            option is chosen, so a wrong guess still teaches something.
    """
    options = sorted(feedback)

    def test(answer: Any) -> None:
        choice = str(answer).strip().lower().strip("()").strip()
        if choice not in feedback:
            raise Wrong(f"{answer!r} is not one of the options {', '.join(options)}.",
                        hint="Answer with the letter of one option, as a string, e.g. \"a\".")
        if choice != correct:
            raise Wrong(f"Not {choice!r}. {feedback[choice]}")

    return test


def assert_close(got: Any, expected: float, what: str, rel: float = 1e-6, abs_: float = 1e-8) -> None:
    """Raise :class:`Wrong` unless the number ``got`` is close to ``expected``."""
    try:
        value = float(got)
    except (TypeError, ValueError) as exc:
        raise Wrong(f"{what}: expected a number, got {type(got).__name__}.") from exc
    if not math.isclose(value, expected, rel_tol=rel, abs_tol=abs_):
        raise Wrong(f"{what}: got {value:.6g}, expected {expected:.6g}.")


def expect_function(answer: Any, signature: str = "") -> None:
    """Raise :class:`Wrong` unless ``answer`` can be called (``signature`` says how, e.g. "of (a, b)")."""
    if not callable(answer):
        what = f"a function {signature}" if signature else "a function"
        raise Wrong(f"Expected {what}, got {type(answer).__name__}.")
