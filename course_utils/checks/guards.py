"""Protections that every exercise test gets for free.

An exercise test should never be fooled by an answer that only *looks* right. The
helpers here catch the usual ways:

- :func:`call` runs the learner's function on the real inputs (not copies) and fails
  the answer if it changed any of them in place, returned ``None`` or ``...``, or
  does not accept the stub's signature;
- :func:`expect_tensor`, :func:`expect_array`, :func:`expect_number` and
  :func:`expect_int` insist on the type the exercise asks for (a NumPy array is not
  a tensor, a 0-d tensor is not a float, ``True`` is not a count);
- :func:`expect_defaults` checks that default arguments are the stub's;
- :func:`forbid` makes the builtins an exercise rules out (``torch.logsumexp``,
  ``F.cross_entropy``, autograd in a "by hand" exercise) fail loudly while it runs.

Each raises :class:`~course_utils.checks.Wrong` with a message that says what to change.
"""

from __future__ import annotations

import ast
import copy
import importlib
import inspect
import numbers
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch

from .core import Wrong

__all__ = [
    "AUTOGRAD",
    "NUMPY_ONLY",
    "ForbiddenCall",
    "call",
    "expect_array",
    "expect_defaults",
    "expect_int",
    "expect_no_loops",
    "expect_number",
    "expect_tensor",
    "forbid",
    "forbid_kernels",
    "numpy_only",
    "python_loop_in",
]

#: Everything that computes gradients for you: forbid these in a "by hand" exercise
#: (``torch.func.grad`` and ``vjp`` go through ``torch.autograd.grad``; ``torch.func.jvp`` and
#: dual numbers, forward-mode differentiation, through ``forward_ad.make_dual``).
AUTOGRAD = ("torch.Tensor.backward", "torch.autograd.grad", "torch.autograd.backward",
            "torch.autograd.forward_ad.make_dual")
#: For a "NumPy only" exercise: autograd, and every way of turning arrays into tensors.
NUMPY_ONLY = (*AUTOGRAD, "torch.tensor", "torch.as_tensor", "torch.from_numpy", "torch.asarray")

_MISSING = object()


# ---------------------------------------------------------------- calling the learner's code


def _snapshot(value: Any, depth: int = 0) -> Any:
    """A deep copy of what an in-place change could alter (tensors, arrays, containers, modules)."""
    if depth > 4:
        return _MISSING
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, torch.nn.Module):
        return {name: tensor.detach().clone() for name, tensor in value.state_dict().items()}
    if isinstance(value, (list, dict)):
        try:
            return copy.deepcopy(value)
        except Exception:  # something that cannot be copied: do not track it
            return _MISSING
    if isinstance(value, tuple):
        return tuple(_snapshot(item, depth + 1) for item in value)
    return _MISSING


def _same(before: Any, after: Any) -> bool:
    if before is _MISSING:
        return True
    if isinstance(after, torch.Tensor):
        return (isinstance(before, torch.Tensor) and before.shape == after.shape
                and before.dtype == after.dtype and torch.equal(before, after.detach()))
    if isinstance(after, np.ndarray):
        return (isinstance(before, np.ndarray) and before.shape == after.shape
                and np.array_equal(before, after, equal_nan=True))
    if isinstance(after, torch.nn.Module):
        state = after.state_dict()
        return before.keys() == state.keys() and all(
            before[key].shape == state[key].shape and torch.equal(before[key], state[key]) for key in state)
    if isinstance(after, tuple):
        return len(before) == len(after) and all(_same(b, a) for b, a in zip(before, after, strict=True))
    if isinstance(after, (list, dict)):
        try:
            return _containers_equal(before, after)
        except Exception:
            return True
    return True


def _containers_equal(before: Any, after: Any) -> bool:
    """Compare a deep copy taken before the call (``before``) with the object after it."""
    if isinstance(after, dict):
        return (isinstance(before, dict) and before.keys() == after.keys()
                and all(_containers_equal(before[key], after[key]) for key in after))
    if isinstance(after, (list, tuple)):
        return (type(before) is type(after) and len(before) == len(after)
                and all(_containers_equal(b, a) for b, a in zip(before, after, strict=True)))
    if isinstance(after, torch.nn.Module):
        return isinstance(before, torch.nn.Module) and _same(
            {name: t.detach() for name, t in before.state_dict().items()}, after)
    if isinstance(after, (torch.Tensor, np.ndarray)):
        return _same(before, after)
    try:
        return bool(before == after)
    except Exception:  # a value that cannot be compared: nothing to say
        return True


def _signature_text(function: Callable[..., Any], name: str) -> str:
    try:
        return f"{name}{inspect.signature(function)}"
    except (TypeError, ValueError):
        return name


def _call_text(name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> str:
    shown = [_describe(arg) for arg in args] + [f"{key}={_describe(value)}" for key, value in kwargs.items()]
    return f"{name}({', '.join(shown)})"


def _describe(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return f"<tensor {tuple(value.shape)}>"
    if isinstance(value, np.ndarray):
        return f"<array {value.shape}>"
    if isinstance(value, torch.nn.Module):
        return f"<{type(value).__name__}>"
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."


class _Runaway(BaseException):
    """Raised inside the learner's function when it runs more of its own lines than allowed."""


@contextmanager
def _line_budget(answer: Any, max_lines: int | None) -> Iterator[None]:
    """Count the lines the answer's own function runs; stop it after ``max_lines``.

    Only the learner's function itself is traced; whatever it calls runs at full speed.
    """
    code = getattr(inspect.unwrap(answer), "__code__", None) if max_lines is not None else None
    if code is None:
        yield
        return
    previous = sys.gettrace()
    executed = 0

    def local(frame: Any, event: str, arg: Any) -> Any:
        nonlocal executed
        if event == "line":
            executed += 1
            if executed > max_lines:
                raise _Runaway
        return local

    def start(frame: Any, event: str, arg: Any) -> Any:
        if frame.f_code is code:
            return local
        return previous(frame, event, arg) if previous is not None else None

    sys.settrace(start)
    try:
        yield
    finally:
        sys.settrace(previous)


def call(answer: Callable[..., Any], *args: Any, name: str | None = None, max_lines: int | None = None,
         why_endless: str = "", **kwargs: Any) -> Any:
    """Call the learner's ``answer(*args, **kwargs)`` and return what it returns.

    The inputs are passed as they are, not as copies, so an answer that changes one
    of them in place (``x -= m``, ``x[mask] = 0``, ``np.sort(a)`` replaced by ``a.sort()``)
    is caught, even when the input is a view of a larger tensor. Also raises
    :class:`Wrong` when the call does not fit the function's signature (the stub's
    signature was changed) and when the function returns ``None`` or ``...``.

    Args:
        answer: the learner's function (or class, or module instance).
        name: how to call the function in messages; defaults to its ``__name__``.
        max_lines: for an answer that loops (training "until no mistake", a ``while``), the
            most lines of its own code it may run; past that it is stopped with a verdict
            instead of hanging. ``why_endless`` may say why the loop could not end here.
    """
    label = name or getattr(answer, "__name__", None) or type(answer).__name__
    if not callable(answer):
        raise Wrong(f"Expected a function {label}(...), got {type(answer).__name__}.")
    # A module instance is called through forward: its signature names the inputs.
    signed = answer.forward if isinstance(answer, torch.nn.Module) else answer
    try:
        bound: inspect.BoundArguments | None = inspect.signature(signed).bind(*args, **kwargs)
    except TypeError as error:
        raise Wrong(
            f"The check calls {_call_text(label, args, kwargs)}, but your function is "
            f"{_signature_text(signed, label)} ({error}).",
            hint="Keep the signature of the stub, default arguments included.",
        ) from error
    except ValueError:  # no signature available (some builtins): call it anyway
        bound = None
    names = list(bound.arguments) if bound is not None else []
    labelled = [(names[i] if i < len(names) else f"argument {i + 1}", value) for i, value in enumerate(args)]
    labelled += list(kwargs.items())
    before = [(arg_name, value, _snapshot(value)) for arg_name, value in labelled]
    try:
        with _line_budget(answer, max_lines):
            result = answer(*args, **kwargs)
    except _Runaway:
        raise Wrong(f"{label} ran more than {max_lines:,} lines of its own code without returning: a loop in it "
                    "never stops." + (f" {why_endless}" if why_endless else ""),
                    hint="Bound every loop: for ... in range(...) runs a known number of times; a while loop "
                         "needs a condition that becomes false.") from None
    for arg_name, value, snapshot in before:
        if not _same(snapshot, value):
            raise Wrong(
                f"Your function changed its input {arg_name!r} in place. A function should leave the "
                "data it is given as it was: the caller may still need it (and it may be a view "
                "into a whole dataset).",
                hint="Build new values instead of overwriting: write x = x - m, not x -= m, "
                     "and x.clone() (or a.copy()) before changing entries.",
            )
    if result is None:
        raise Wrong(f"{label} returned None: it needs a return statement.",
                    hint="End the function with return and the value it computes.")
    if result is Ellipsis:
        raise Wrong(f"{label} returned ... (the placeholder): replace it with your result.")
    return result


# ---------------------------------------------------------------- types of results


def _type_name(value: Any) -> str:
    kind = type(value)
    module = kind.__module__
    return kind.__name__ if module in ("builtins", "torch") else f"{module.split('.')[0]}.{kind.__name__}"


def _shape_text(shape: Sequence[int]) -> str:
    return "(" + ", ".join(str(size) for size in shape) + ("," if len(shape) == 1 else "") + ")"


def expect_tensor(
    value: Any,
    what: str,
    *,
    shape: Sequence[int] | None = None,
    dtype: torch.dtype | None = None,
    floating: bool | None = None,
) -> torch.Tensor:
    """Return ``value`` if it is a ``torch.Tensor`` of the given shape and dtype; else raise :class:`Wrong`.

    ``floating=True`` asks for any floating-point dtype; ``dtype`` for one exactly.
    """
    if not isinstance(value, torch.Tensor):
        if isinstance(value, np.ndarray):
            advice = "This exercise works with PyTorch: return a torch tensor (torch operations all the way)."
        elif isinstance(value, (numbers.Number, list, tuple)):
            advice = "Return a tensor, not a Python value: keep the computation in torch operations."
        else:
            advice = "Return a torch tensor."
        raise Wrong(f"{what}: expected a torch tensor, got {_type_name(value)}. {advice}")
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise Wrong(f"{what}: expected shape {_shape_text(shape)}, got {_shape_text(value.shape)}.")
    if dtype is not None and value.dtype != dtype:
        raise Wrong(f"{what}: expected dtype {dtype}, got {value.dtype}.")
    if floating is True and not value.is_floating_point():
        raise Wrong(f"{what}: expected floating-point numbers, got dtype {value.dtype}.",
                    hint="Integer tensors cannot hold fractions: compute in float (e.g. x.float()).")
    if floating is False and value.is_floating_point():
        raise Wrong(f"{what}: expected whole numbers (an integer tensor), got dtype {value.dtype}.")
    return value


def expect_array(
    value: Any,
    what: str,
    *,
    shape: Sequence[int] | None = None,
    dtype: Any = None,
    floating: bool | None = None,
) -> np.ndarray:
    """Return ``value`` if it is a NumPy array of the given shape and dtype; else raise :class:`Wrong`.

    ``floating=True`` asks for any floating-point dtype; ``dtype`` (e.g. ``np.float64``) for one exactly.
    """
    if isinstance(value, torch.Tensor):
        raise Wrong(f"{what}: expected a NumPy array, got a torch tensor. This exercise is written in "
                    "NumPy: use np. functions on the arrays you are given.")
    if not isinstance(value, np.ndarray) or isinstance(value, np.matrix):
        raise Wrong(f"{what}: expected a NumPy array, got {_type_name(value)}.")
    if shape is not None and value.shape != tuple(shape):
        raise Wrong(f"{what}: expected shape {_shape_text(shape)}, got {_shape_text(value.shape)}.")
    if not np.issubdtype(value.dtype, np.number) and value.dtype != np.bool_:
        raise Wrong(f"{what}: expected numbers, got an array of dtype {value.dtype}.")
    if dtype is not None and value.dtype != np.dtype(dtype):
        raise Wrong(f"{what}: expected dtype {np.dtype(dtype)}, got {value.dtype}.",
                    hint="Keep the precision of the inputs: do not cast (NumPy keeps float64 if you let it).")
    if floating is True and not np.issubdtype(value.dtype, np.floating):
        raise Wrong(f"{what}: expected floating-point numbers, got dtype {value.dtype}.")
    return value


def expect_number(value: Any, what: str) -> float:
    """Return ``value`` as a float if it is a real Python (or NumPy) number; else raise :class:`Wrong`.

    A tensor, an array, a string or ``True`` is not accepted, even when it holds one number.
    """
    if isinstance(value, torch.Tensor):
        raise Wrong(f"{what}: expected a Python number, got a tensor of shape {_shape_text(value.shape)}.",
                    hint="Turn a one-element tensor into a number with .item().")
    if isinstance(value, np.ndarray):
        raise Wrong(f"{what}: expected a Python number, got a NumPy array of shape {_shape_text(value.shape)}.",
                    hint="Turn a one-element array into a number with float(a) or a.item().")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise Wrong(f"{what}: expected a number, got {_type_name(value)} {value!r}.")
    return float(value)


def expect_int(value: Any, what: str) -> int:
    """Return ``value`` if it is a whole Python (or NumPy) integer; else raise :class:`Wrong`."""
    if isinstance(value, (bool, np.bool_)):
        raise Wrong(f"{what}: expected a whole number, got {value!r}.")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, (float, np.floating)):
        raise Wrong(f"{what}: expected a whole number (an int), got the float {value!r}.",
                    hint="Counts are integers: use // for division, or int(...) once the value is exact.")
    if isinstance(value, torch.Tensor):
        raise Wrong(f"{what}: expected a Python int, got a tensor.", hint="Use .item() to get the number out.")
    raise Wrong(f"{what}: expected a whole number, got {_type_name(value)}.")


def expect_defaults(answer: Callable[..., Any], name: str | None = None, **defaults: Any) -> None:
    """Raise :class:`Wrong` unless ``answer`` has each of these parameters with this default value."""
    label = name or getattr(answer, "__name__", "your function")
    try:
        parameters = inspect.signature(answer).parameters
    except (TypeError, ValueError):
        return
    for parameter, expected in defaults.items():
        if parameter not in parameters:
            raise Wrong(f"{label} has no parameter {parameter!r}: keep the stub's signature, "
                        f"{parameter}={expected!r} included.")
        default = parameters[parameter].default
        if default is inspect.Parameter.empty:
            raise Wrong(f"In {label}, {parameter!r} has no default value: the stub gives it "
                        f"{parameter}={expected!r}, and the check calls the function without it.")
        if type(default) is not type(expected) and not (
                isinstance(default, numbers.Real) and isinstance(expected, numbers.Real)):
            raise Wrong(f"In {label}, the default {parameter}={default!r} should be {parameter}={expected!r}.")
        if default != expected:
            raise Wrong(f"In {label}, the default {parameter}={default!r} should be {parameter}={expected!r}, "
                        "as in the stub.")


# ---------------------------------------------------------------- builtins an exercise rules out


class ForbiddenCall(Wrong):
    """Raised when the learner's code calls a function the exercise asks them to write themselves."""


def _resolve(target: str) -> tuple[Any, str, Any]:
    """``"torch.nn.functional.cross_entropy"`` -> (the module or class, attribute name, current value)."""
    parts = target.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            owner: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for part in parts[split:-1]:
                owner = getattr(owner, part)
            return owner, parts[-1], getattr(owner, parts[-1])
        except AttributeError:
            break
    raise ValueError(f"Cannot find {target!r} to forbid it.")


class _Guard:
    def __init__(self, targets: Sequence[str], instead: str, message: str, hint: str | None) -> None:
        self.targets = list(targets)
        self.instead = instead
        self.message = message
        self.hint = hint
        self.calls: list[str] = []

    def blocker(self, target: str) -> Callable[..., Any]:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(target)
            raise self.error(target)

        blocked.__name__ = target.rsplit(".", 1)[-1]
        return blocked

    def error(self, target: str) -> ForbiddenCall:
        extra = f" {self.instead}" if self.instead else ""
        first = self.message.format(target=target)
        hint = self.hint or f"Build the result from simpler operations, without {target}."
        return ForbiddenCall(f"{first}{extra}", hint=hint)


def _globals_of(answer: Any) -> list[dict[str, Any]]:
    """The global namespaces the learner's code looks names up in (notebook, module)."""
    found: list[dict[str, Any]] = []
    functions: list[Any] = []
    if inspect.isfunction(answer) or inspect.ismethod(answer):
        functions.append(answer)
    elif isinstance(answer, type):
        functions += [value for value in vars(answer).values() if inspect.isfunction(value)]
    elif answer is not None:
        functions += [value for value in vars(type(answer)).values() if inspect.isfunction(value)]
    for function in functions:
        namespace = getattr(inspect.unwrap(function), "__globals__", None)
        if isinstance(namespace, dict) and all(namespace is not seen for seen in found):
            found.append(namespace)
    return found


_FORBIDDEN = "Your code calls {target}, which this exercise asks you to write yourself."


# Where PyTorch puts the same function under a second name.
_ALIAS_MODULES = ("torch", "torch.functional", "torch.nn.functional", "torch.special", "torch.linalg",
                  "torch.fft", "torch.func")


def _alias_modules() -> list[Any]:
    return [module for module in (sys.modules.get(name) for name in _ALIAS_MODULES) if module is not None]


@contextmanager
def forbid(*targets: str, answer: Any = None, instead: str = "", message: str = _FORBIDDEN,
           hint: str | None = None) -> Iterator[None]:
    """Make the named functions raise :class:`ForbiddenCall` while the block runs.

    ``targets`` are dotted names: ``"torch.logsumexp"``, ``"torch.Tensor.logsumexp"``,
    ``"torch.nn.functional.cross_entropy"``, ``"torch.Tensor.backward"``. Pass the learner's
    function (or class) as ``answer`` so that names it imported directly
    (``from torch import logsumexp``) are blocked too; ``instead`` says what to use, and
    ``message`` (with ``{target}`` in it) replaces the first sentence of the verdict and
    ``hint`` its hint.
    Even if the learner's code swallows the error, leaving the block fails the answer.
    Compute the expected results *before* entering the block.
    """
    guard = _Guard(targets, instead, message, hint)
    restore: list[Callable[[], None]] = []
    try:
        originals = []
        for target in targets:
            owner, attribute, original = _resolve(target)
            originals.append(original)
            had_own = isinstance(owner, type) and attribute in vars(owner)
            blocked = guard.blocker(target)
            setattr(owner, attribute, blocked)
            if isinstance(owner, type) and not had_own:
                restore.append(lambda owner=owner, attribute=attribute: delattr(owner, attribute))
            else:
                restore.append(lambda owner=owner, attribute=attribute, original=original:
                               setattr(owner, attribute, original))
        # The same function under other names (torch.functional.cdist is torch.cdist) is blocked too.
        for target, original in zip(targets, originals, strict=True):
            for module in _alias_modules():
                for key, value in list(vars(module).items()):
                    if value is original:
                        setattr(module, key, guard.blocker(target))
                        restore.append(lambda module=module, key=key, value=value: setattr(module, key, value))
        for namespace in _globals_of(answer):
            for key, value in list(namespace.items()):
                for target, original in zip(targets, originals, strict=True):
                    if value is original:
                        namespace[key] = guard.blocker(target)
                        restore.append(lambda namespace=namespace, key=key, value=value:
                                       namespace.__setitem__(key, value))
        try:
            yield
        except Exception:
            if guard.calls:  # whatever broke next, the forbidden call is what to report
                raise guard.error(guard.calls[0]) from None
            raise
    finally:
        for undo in reversed(restore):
            undo()
    if guard.calls:  # the learner's code caught the error and went on
        raise guard.error(guard.calls[0])


@contextmanager
def numpy_only(answer: Any = None) -> Iterator[None]:
    """Block autograd and every array-to-tensor conversion while a "NumPy only" answer runs."""
    with forbid(*NUMPY_ONLY, answer=answer,
                message="Your code calls {target}: this exercise is written in NumPy only.",
                instead="Work on the NumPy arrays you are given and return NumPy arrays."):
        yield


# ---------------------------------------------------------------- loops an exercise rules out

_LOOP_NODES = {ast.For: "a for loop", ast.AsyncFor: "a for loop", ast.While: "a while loop",
               ast.ListComp: "a comprehension", ast.SetComp: "a comprehension",
               ast.DictComp: "a comprehension", ast.GeneratorExp: "a generator expression"}


# Loops by another name: map(f, rows), functools.reduce, itertools, Tensor.apply_ ...
_LOOP_CALLS = {"map", "filter", "reduce", "starmap", "accumulate", "apply_", "map_", "map2_", "vectorize"}


def python_loop_in(function: Callable[..., Any]) -> str | None:
    """The first kind of Python loop in ``function``'s source ("a for loop", ...), or None.

    Counts loops by another name too (``map``, ``functools.reduce``, ``Tensor.apply_``,
    ``np.vectorize``). None also when the source cannot be read (nothing to judge).
    """
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return None
    for node in ast.walk(tree):
        if type(node) in _LOOP_NODES:
            return _LOOP_NODES[type(node)]
        if isinstance(node, ast.Call):
            called = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if called in _LOOP_CALLS:
                return f"{called}(...), a loop by another name"
    return None


def expect_no_loops(answer: Callable[..., Any], what: str = "This exercise") -> None:
    """Raise :class:`Wrong` when the answer's source holds a Python loop or comprehension."""
    loop = python_loop_in(answer)
    if loop is not None:
        raise Wrong(f"{what} asks for tensor operations, and your function uses {loop}.",
                    hint="Let broadcasting do the looping: add a dimension with [:, None] and combine whole tensors.")


class _KernelBlocker(torch.overrides.TorchFunctionMode):
    """Fails every call of a PyTorch function whose own name starts with one of ``prefixes``."""

    def __init__(self, prefixes: tuple[str, ...], instead: str) -> None:
        super().__init__()
        self.prefixes, self.instead, self.seen = prefixes, instead, ""

    def error(self) -> Wrong:
        return Wrong(f"Your code calls PyTorch's {self.seen}, which this exercise asks you to write yourself."
                     + (f" {self.instead}" if self.instead else ""))

    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        name = (getattr(func, "__name__", "") or str(func).rsplit(".", 1)[-1]).split(".")[0]
        if name.startswith(self.prefixes):
            self.seen = self.seen or name
            raise self.error()
        return func(*args, **(kwargs or {}))


@contextmanager
def forbid_kernels(*prefixes: str, instead: str = "") -> Iterator[None]:
    """Fail the answer if it reaches a PyTorch kernel whose name starts with one of ``prefixes``.

    :func:`forbid` replaces public names (``torch.nn.functional.scaled_dot_product_attention``)
    but cannot patch private aliases of the same kernel (``torch._C._nn.scaled_dot_product_attention``,
    ``torch.ops.aten.lstm_cell``, ``torch._VF.gru_cell``), whose attributes are read-only. Every
    one of them goes through PyTorch's ``__torch_function__`` protocol, so this mode sees the call
    by the kernel's own name, whatever the alias. Use it together with :func:`forbid` (which gives
    the nicer message for the public names). Even if the learner's code swallows the error,
    leaving the block fails the answer.

    Example::

        with forbid("torch.nn.LSTM", answer=answer), forbid_kernels("lstm", instead="Write the gates."):
            got = call(answer, x)
    """
    if not prefixes or not all(isinstance(p, str) and p for p in prefixes):
        raise ValueError("forbid_kernels needs one or more non-empty kernel names, e.g. 'lstm_cell'.")
    blocker = _KernelBlocker(tuple(prefixes), instead)
    with blocker:
        yield
    if blocker.seen:  # the learner's code caught the error and went on
        raise blocker.error()
