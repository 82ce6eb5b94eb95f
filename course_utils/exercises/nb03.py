"""Exercises of notebook 03 (Gradient descent and backpropagation)."""

from __future__ import annotations

import math
from typing import Any

from course_utils.checks import NotAttempted, Wrong, exercise, expect_function, multiple_choice


@exercise(
    "03.1",
    title="The largest stable learning rate",
    hint="One step multiplies w_i by (1 - lr * curvature_i). For which lr does |1 - lr * c| stay below 1, "
    "and which of the two curvatures gives the tighter limit?",
)
def largest_stable_lr(answer: Any) -> None:
    """The answer is a function (a, b) -> the threshold learning rate 2 / max(a, b)."""
    expect_function(answer, "of (a, b)")
    cases = [(1.0, 10.0), (4.0, 1.0), (3.0, 3.0), (0.5, 0.2), (100.0, 7.0)]
    for a, b in cases:
        got = answer(a, b)
        if got is None or got is Ellipsis:
            raise NotAttempted("Your function returns None: it still needs a return statement.")
        try:
            value = float(got)
        except (TypeError, ValueError) as exc:
            raise Wrong(f"For a={a}, b={b} expected one number, got {got!r}.") from exc
        expected = 2 / max(a, b)
        if math.isclose(value, expected, rel_tol=1e-6):
            continue
        where = f"For a={a}, b={b} you returned {value:.4g}, expected {expected:.4g}."
        if math.isclose(value, 1 / max(a, b), rel_tol=1e-6):
            raise Wrong(f"{where} 1/curvature is the rate that lands exactly on the minimum in one step; "
                        "gradient descent still converges (zig-zagging) up to twice that.")
        if math.isclose(value, 2 / min(a, b), rel_tol=1e-6):
            raise Wrong(f"{where} That is the limit of the flattest direction; the steepest direction "
                        "diverges first, so it sets the limit.")
        if math.isclose(value, 2 / (a + b), rel_tol=1e-6):
            raise Wrong(f"{where} The coordinates move independently: each has its own limit 2/curvature, "
                        "and the smaller of the two limits counts.")
        if math.isclose(value, 2 / b, rel_tol=1e-6) or math.isclose(value, 2 / a, rel_tol=1e-6):
            raise Wrong(f"{where} You used one fixed curvature; use whichever of a and b is larger.")
        raise Wrong(where)


@exercise(
    "03.2",
    title="A chain rule by hand",
    hint="Forward: z = w x + b = 1, y = tanh(z). Backward: dL/dy = 2 (y - t), dy/dz = 1 - y^2, dz/dw = x. "
    "Multiply the three.",
)
def chain_rule(answer: Any) -> None:
    """The answer is the number dL/dw for L = (tanh(w x + b) - t)^2 at w=1, x=3, b=-2, t=0."""
    try:
        value = float(answer)
    except (TypeError, ValueError) as exc:
        raise Wrong(f"Expected a number, got {type(answer).__name__}.") from exc
    if not math.isfinite(value):
        raise Wrong(f"Expected a finite number, got {value}.")
    y = math.tanh(1.0)
    expected = 2 * y * (1 - y**2) * 3.0
    if math.isclose(value, expected, rel_tol=2e-3):
        return
    mistakes = {
        2 * y * (1 - y**2): "That is dL/dz (which equals dL/db): one more factor, dz/dw = x = 3, is missing.",
        y * (1 - y**2) * 3.0: "The factor 2 from the derivative of the square, d(d^2)/dd = 2d, is missing.",
        2 * y * 3.0: "The derivative of tanh, 1 - tanh(z)^2, is missing from the product.",
        2 * y * (1 - y) * 3.0: "The derivative of tanh is 1 - tanh(z)^2, with a square.",
        2 * y * (1 - 1.0**2) * 3.0: "Use 1 - tanh(z)^2 with z = 1, not 1 - z^2.",
        2 * math.tanh(3.0) * (1 - math.tanh(3.0) ** 2) * 3.0: "z = w x + b = 1*3 - 2 = 1: did you forget the bias?",
        (y - 0.0) ** 2: "That is the loss L itself, not its derivative.",
    }
    for wrong, why in mistakes.items():
        if math.isclose(value, wrong, rel_tol=2e-3):
            raise Wrong(f"You gave {value:.4g}. {why}")
    if math.isclose(value, -expected, rel_tol=2e-3):
        raise Wrong(f"You gave {value:.4g}: right size, wrong sign. With t = 0, y - t = tanh(1) is positive.")
    raise Wrong(f"You gave {value:.4g}, which is not dL/dw.")


def _leaf_grads(cls: Any, x: float, build: Any) -> tuple[float, float]:
    leaf = cls(x)
    out = build(leaf)
    out.backward()
    return float(out.data), float(leaf.grad)


@exercise(
    "03.3",
    title="tanh as a single node",
    hint="Inside _backward: self.grad += (1 - t**2) * out.grad. Local derivative, times the gradient from above, "
    "added (not assigned) to self.grad.",
)
def tanh_backward(answer: Any) -> None:
    """The answer is the learner's function ``tanh(self)``; it is tried as ``Value.tanh`` for a moment."""
    if isinstance(answer, type):
        raise Wrong("Pass your function, not the class: check(\"03.3\", tanh).")
    expect_function(answer, "tanh(self)")
    owner = getattr(answer, "__globals__", {}).get("Value")
    if not isinstance(owner, type):
        raise Wrong("Define tanh in the notebook, below the cells that build the Value class, so that it can "
                    "create Value nodes.")
    missing = object()
    previous = owner.__dict__.get("tanh", missing)
    owner.tanh = answer  # type: ignore[attr-defined]
    try:
        _check_tanh_node(owner)
    finally:
        if previous is missing:
            del owner.tanh  # type: ignore[attr-defined]
        else:
            owner.tanh = previous  # type: ignore[attr-defined]


def _check_tanh_node(value_class: Any) -> None:
    x = 0.7
    local = 1 - math.tanh(x) ** 2
    value, grad = _leaf_grads(value_class, x, lambda a: a.tanh())
    if not math.isclose(value, math.tanh(x), rel_tol=1e-9):
        raise Wrong(f"tanh(Value({x})).data is {value:.6g}, expected tanh({x}) = {math.tanh(x):.6g}: "
                    "the forward pass changed.")
    if grad == 0.0:
        raise NotAttempted("After y = tanh(Value(0.7)); y.backward(), the input's grad is still 0: "
                           "_backward does not add anything to self.grad yet.")
    if math.isclose(grad, 1 - x**2, rel_tol=1e-6):
        raise Wrong(f"For input {x} you gave the gradient {grad:.6g} = 1 - {x}^2. The derivative is "
                    "1 - tanh(x)^2: square the output t, not the input.")
    if math.isclose(grad, 1 - math.tanh(x), rel_tol=1e-6):
        raise Wrong(f"For input {x} you gave {grad:.6g} = 1 - tanh(x). The derivative is 1 - tanh(x)^2.")
    if not math.isclose(grad, local, rel_tol=1e-6):
        raise Wrong(f"For input {x} the gradient is {grad:.6g}, expected 1 - tanh({x})^2 = {local:.6g}.")
    # Inside a larger expression: the gradient from above must be multiplied in (chain rule).
    x2 = 0.3
    _, grad2 = _leaf_grads(value_class, x2, lambda a: (a * 3.0).tanh() * 2.0)
    expected2 = 2.0 * 3.0 * (1 - math.tanh(0.9) ** 2)
    if math.isclose(grad2, 3.0 * (1 - math.tanh(0.9) ** 2), rel_tol=1e-6):
        raise Wrong("For 2 * tanh(3 x) your gradient misses the factor 2 from above: multiply the local "
                    "derivative by out.grad (the chain rule).")
    if not math.isclose(grad2, expected2, rel_tol=1e-6):
        raise Wrong(f"For 2 * tanh(3 x) at x = {x2} the gradient is {grad2:.6g}, expected {expected2:.6g}. "
                    "Multiply the local derivative by out.grad.")
    # Used twice: contributions must add up.
    x3 = -0.4
    _, grad3 = _leaf_grads(value_class, x3, lambda a: a.tanh() + a.tanh())
    expected3 = 2 * (1 - math.tanh(x3) ** 2)
    if math.isclose(grad3, expected3 / 2, rel_tol=1e-6):
        raise Wrong("For tanh(x) + tanh(x) you get only one of the two contributions: use self.grad += ..., "
                    "not self.grad = ..., so that gradients through several uses add up.")
    if not math.isclose(grad3, expected3, rel_tol=1e-6):
        raise Wrong(f"For tanh(x) + tanh(x) at x = {x3} the gradient is {grad3:.6g}, expected {expected3:.6g}.")


exercise(
    "03.4",
    title="Where the gradient goes",
    hint="Ask which inputs could change the output if you nudged them a little.",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "0.25 for every input is what average pooling sends back. Max pooling's output depends only on "
            "the largest value, 5.0; nudging 3.0 a little changes nothing, so it gets 0.",
            "b": "Right: max sends all of the gradient to the element it selected, and a ReLU whose input was "
            "negative is flat there, so it passes back 0 whatever arrives from above.",
            "c": "That would be an identity function. Nudging 3.0 does not change the max (5.0), and nudging "
            "-2 does not change ReLU's output (0): both derivatives are 0.",
            "d": "The pooling half is right. But ReLU's slope at a negative input is 0, not the input itself: "
            "0 times 0.7 is 0. (A leaky ReLU would pass back a small fraction of 0.7.)",
        },
    )
)
