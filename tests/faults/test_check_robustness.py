"""``check`` never raises, never hangs, never leaks the answer's global state.

A learner's answer is arbitrary code. Whatever it does (exit, loop forever, raise an
exception that cannot be printed, reseed the RNGs, change the default dtype, overwrite its
input), ``check`` answers with a verdict that says what happened, and the notebook's state is
as it was. A real Ctrl+C still stops the check.
"""

from __future__ import annotations

import dataclasses
import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from course_utils import checks
from course_utils.checks import check, exercises, hint


def mse(p, t):
    return ((p - t) ** 2).mean()


@pytest.mark.parametrize("bad_id", [["00.1"], {"id": "00.1"}, None, 0.1, ("00", 1), b"00.1"])
def test_an_id_of_the_wrong_type_is_an_unknown_exercise(bad_id, capsys):
    result = check(bad_id, mse)
    assert result.status == "unknown exercise"
    assert "Copy the id" in result.hint


def test_hint_with_a_wrong_id_says_so_and_suggests(capsys):
    assert "There is no exercise ['00.1']" in hint(["00.1"])
    assert "Did you mean '00.1'?" in hint("00.11")


@pytest.mark.parametrize("leave", [lambda: exit(), lambda: sys.exit(3), lambda: quit()])
def test_an_answer_that_exits_gets_an_error_verdict(leave, capsys):
    def answer(p, t):
        leave()

    result = check("00.1", answer)
    assert result.status == "error" and "SystemExit" in result.message


def test_an_exception_that_cannot_be_printed_still_gets_a_verdict(capsys):
    class Unprintable(Exception):
        def __str__(self):
            raise RuntimeError("no")

        def __repr__(self):
            raise RuntimeError("no")

    def answer(p, t):
        raise Unprintable

    result = check("00.1", answer)
    assert result.status == "error" and "Unprintable" in result.message


def test_an_endless_loop_is_stopped_with_a_verdict():
    def answer(p, t):
        while True:
            pass

    quick = dataclasses.replace(exercises()["00.1"], time_limit=0.5)
    start = time.perf_counter()
    result = checks._run(quick, answer)
    assert result.status == "not quite" and "stopped your code after 0.5 s" in result.message
    assert "loop" in result.hint and time.perf_counter() - start < 5


@pytest.mark.skipif(os.name != "posix", reason="SIGINT is ignored the POSIX way")
def test_an_endless_loop_is_stopped_where_sigint_is_ignored():
    """A process started in the background (nohup, `&`) ignores SIGINT; the time limit must still work."""
    code = ("import dataclasses, signal, time\n"
            "from course_utils.checks import core\n"
            "assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN\n"
            "def answer(p, t):\n    while True:\n        pass\n"
            "quick = dataclasses.replace(core.exercises()['00.1'], time_limit=0.5)\n"
            "result = core._run(quick, answer)\n"
            "assert result.status == 'not quite', result\n"
            "assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN\n"
            "print('stopped')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    assert result.stdout.strip() == "stopped", result.stderr[-2000:]


def test_the_learner_pressing_stop_still_stops(capsys):
    def answer(p, t):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        check("00.1", answer)


@pytest.mark.parametrize("change, unchanged", [
    (lambda: torch.set_default_dtype(torch.float64), lambda: torch.get_default_dtype() == torch.float32),
    (lambda: torch.set_grad_enabled(False), torch.is_grad_enabled),
    (lambda: torch.set_num_threads(1 if torch.get_num_threads() > 1 else 2), None),
    (lambda: torch.manual_seed(0), None),
    (lambda: np.random.rand(10), None),  # noqa: NPY002 (a learner's code may use the legacy global RNG)
    (lambda: random.random(), None),
])
def test_an_answer_cannot_leak_global_state_into_the_notebook(change, unchanged, capsys):
    torch.manual_seed(5)
    np.random.seed(5)  # noqa: NPY002
    random.seed(5)
    before = (torch.get_rng_state(), np.random.get_state()[1].copy(), random.getstate(),  # noqa: NPY002
              torch.get_num_threads())

    def answer(p, t):
        change()
        return mse(p, t)

    check("00.1", answer)
    assert unchanged is None or unchanged()
    assert torch.equal(torch.get_rng_state(), before[0])
    assert np.array_equal(np.random.get_state()[1], before[1])  # noqa: NPY002
    assert random.getstate() == before[2] and torch.get_num_threads() == before[3]


def test_the_same_answer_gets_the_same_verdict_whatever_ran_before(capsys):
    def dropout(x, p=0.5, training=True):
        return x if not training else x * (torch.rand_like(x) > p) / (1 - p)

    torch.manual_seed(1)
    first = check("05.1", dropout)
    torch.manual_seed(99)
    second = check("05.1", dropout)
    assert (first.status, first.message) == (second.status, second.message)


def test_a_right_answer_that_overwrites_its_input_is_told_so(capsys):
    def answer(p, t):
        p -= t
        return (p**2).mean()

    result = check("00.1", answer)
    assert result.status == "not quite" and "changed its input" in result.message and "in place" in result.message
    assert "x = x - m" in result.hint


def test_an_attempt_that_forgets_return_is_graded_not_called_unattempted(capsys):
    def answer(p, t):
        ((p - t) ** 2).mean()

    result = check("00.1", answer)
    assert result.status == "not quite" and "return" in result.message


def test_a_generator_function_is_not_quite(capsys):
    def answer(p, t):
        yield mse(p, t)

    assert check("00.1", answer).status in ("not quite", "error")
