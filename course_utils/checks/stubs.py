"""Tell an exercise stub that was never touched from an answer that was attempted.

A stub is what the notebook hands out: ``None``, ``...``, a tuple of ``...``, or a
function whose body holds nothing but placeholders::

    def mean_squared_error(predictions, targets):
        # Your code here
        ...

A class is a stub while one of its own methods still is (``forward`` left as ``...``).
Anything else counts as attempted, so :func:`~course_utils.checks.check` grades it:
a function that does some work and then forgets its ``return`` is "not quite", never
"not attempted".
"""

from __future__ import annotations

import ast
import dis
import inspect
import textwrap
import types
from typing import Any

__all__ = ["is_stub"]

# Instructions that an empty function body (docstring, pass, ...) compiles to.
_TRIVIAL_OPS = {
    "RESUME", "NOP", "LOAD_CONST", "RETURN_CONST", "RETURN_VALUE", "POP_TOP", "CACHE",
    "PUSH_NULL", "NOT_TAKEN",
}


def _is_placeholder(node: ast.AST | None) -> bool:
    """``...``, ``None``, or a tuple of them: what a stub assigns or returns."""
    if node is None:
        return True
    if isinstance(node, ast.Constant):
        return node.value is Ellipsis or node.value is None
    if isinstance(node, ast.Tuple):
        return all(_is_placeholder(element) for element in node.elts)
    return False


def _raises_not_implemented(node: ast.Raise) -> bool:
    target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    return isinstance(target, ast.Name) and target.id == "NotImplementedError"


def _placeholder_statement(node: ast.stmt) -> bool:
    if isinstance(node, ast.Pass):
        return True
    if isinstance(node, ast.Expr):  # a docstring or a bare ...
        return isinstance(node.value, ast.Constant) and isinstance(node.value.value, (str, type(Ellipsis)))
    if isinstance(node, ast.Return):
        return _is_placeholder(node.value)
    if isinstance(node, ast.Assign):  # y_hat = ...
        return _is_placeholder(node.value)
    if isinstance(node, ast.AnnAssign):
        return _is_placeholder(node.value)
    if isinstance(node, ast.Raise):
        return _raises_not_implemented(node)
    return False


def _function_node(function: types.FunctionType) -> ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | None:
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return None
    try:
        tree = ast.parse(source)
    except SyntaxError:  # e.g. a lambda in the middle of an expression
        return None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == function.__name__:
            return node
    return None


def _bytecode_is_trivial(code: types.CodeType) -> bool:
    """True when the code only returns None or ``...`` (a function that returns 3 is an answer)."""
    if code.co_names:
        return False
    for instruction in dis.get_instructions(code):
        if instruction.opname not in _TRIVIAL_OPS:
            return False
        if instruction.opname in ("LOAD_CONST", "RETURN_CONST") and not (
                instruction.argval is None or instruction.argval is Ellipsis):
            return False
    return True


def _function_is_stub(function: types.FunctionType) -> bool:
    node = _function_node(function)
    if node is not None:
        return all(_placeholder_statement(statement) for statement in node.body)
    # No source (built with exec, or a lambda): fall back to the compiled code.
    return _bytecode_is_trivial(function.__code__)


def is_stub(answer: Any) -> bool:
    """True when ``answer`` is still an exercise's untouched placeholder."""
    if answer is None or answer is Ellipsis:
        return True
    if isinstance(answer, (tuple, list)) and answer:
        return all(element is None or element is Ellipsis for element in answer)
    if isinstance(answer, (staticmethod, classmethod)):
        answer = answer.__func__
    if isinstance(answer, types.MethodType):
        answer = answer.__func__
    if isinstance(answer, types.FunctionType):
        return _function_is_stub(answer)
    if isinstance(answer, type):
        own = [value for value in vars(answer).values()
               if isinstance(value, (types.FunctionType, staticmethod, classmethod))]
        return any(is_stub(method) for method in own)
    return False
