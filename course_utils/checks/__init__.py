"""Exercise self-checks: ``check("04.3", my_function)`` answers at once, with a hint.

The package has four parts, each small enough to read in one sitting:

- :mod:`~course_utils.checks.core`: :func:`check`, its verdicts (:class:`CheckResult`),
  the registry of exercises (:func:`exercise`) and the helpers every test uses
  (:class:`Wrong`, :func:`multiple_choice`, :func:`assert_close`);
- :mod:`~course_utils.checks.stubs`: :func:`is_stub`, which tells an untouched stub
  ("not attempted") from an attempted answer (graded);
- :mod:`~course_utils.checks.guards`: :func:`call` (catches answers that change their
  inputs in place or return nothing), type checks (:func:`expect_tensor`,
  :func:`expect_array`, :func:`expect_number`, :func:`expect_int`),
  :func:`expect_defaults`, :func:`forbid` (builtins an exercise rules out; ``AUTOGRAD`` and
  :func:`numpy_only` for exercises done by hand) and :func:`expect_no_loops`;
- :mod:`~course_utils.checks.cases`: inputs and comparisons that a plausible wrong
  answer cannot slip through (:func:`random_shapes`, :func:`randomize_module`,
  :func:`forward_backward`, :func:`assert_tensor_close`, :func:`matching_mistake`).
"""

from __future__ import annotations

from .cases import (
    Gradients,
    assert_tensor_close,
    forward_backward,
    matching_mistake,
    random_shapes,
    randomize_module,
)
from .core import (
    CheckResult,
    Exercise,
    NotAttempted,
    Wrong,
    _run,  # noqa: F401 (the tests render verdicts with it)
    assert_close,
    check,
    exercise,
    exercises,
    expect_function,
    hint,
    multiple_choice,
)
from .guards import (
    AUTOGRAD,
    NUMPY_ONLY,
    ForbiddenCall,
    call,
    expect_array,
    expect_defaults,
    expect_int,
    expect_no_loops,
    expect_number,
    expect_tensor,
    forbid,
    forbid_kernels,
    numpy_only,
    python_loop_in,
)
from .stubs import is_stub

__all__ = [
    "AUTOGRAD",
    "NUMPY_ONLY",
    "CheckResult",
    "Exercise",
    "ForbiddenCall",
    "Gradients",
    "NotAttempted",
    "Wrong",
    "assert_close",
    "assert_tensor_close",
    "call",
    "check",
    "exercise",
    "exercises",
    "expect_array",
    "expect_defaults",
    "expect_function",
    "expect_int",
    "expect_no_loops",
    "expect_number",
    "expect_tensor",
    "forbid",
    "forbid_kernels",
    "forward_backward",
    "hint",
    "is_stub",
    "matching_mistake",
    "multiple_choice",
    "numpy_only",
    "python_loop_in",
    "random_shapes",
    "randomize_module",
]
