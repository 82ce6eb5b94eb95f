"""Answers for the exercises of notebook 03."""

from __future__ import annotations

import math


def _stub(a, b):
    ...


def _engine(tanh_backward):
    """A learner's ``tanh(self)`` whose backward is ``tanh_backward(self, out, t)``, defined (like the
    notebook's) in a namespace that also holds a minimal scalar autograd class ``Value``."""

    class Value:
        def __init__(self, data, parents=()):
            self.data, self.grad, self._parents = float(data), 0.0, parents
            self._backward = lambda: None

        def __add__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data + other.data, (self, other))

            def _backward():
                self.grad += out.grad
                other.grad += out.grad

            out._backward = _backward
            return out

        def __mul__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data * other.data, (self, other))

            def _backward():
                self.grad += other.data * out.grad
                other.grad += self.data * out.grad

            out._backward = _backward
            return out

        def backward(self):
            order, seen = [], set()

            def visit(node):
                if node not in seen:
                    seen.add(node)
                    for parent in node._parents:
                        visit(parent)
                    order.append(node)

            visit(self)
            self.grad = 1.0
            for node in reversed(order):
                node._backward()

    namespace = {"Value": Value, "math": math, "rule": tanh_backward}
    exec(  # a function whose globals hold Value, as in the notebook
        "def tanh(self):\n"
        "    t = math.tanh(self.data)\n"
        "    out = Value(t, (self,))\n"
        "    out._backward = lambda: rule(self, out, t)\n"
        "    return out\n",
        namespace,
    )
    return namespace["tanh"]


def _add(node, amount):
    node.grad += amount


def _set(node, amount):
    node.grad = amount


y1 = math.tanh(1.0)

WRONG_ANSWERS: dict[str, list[object]] = {
    "03.1": [
        _stub,
        lambda a, b: 1 / max(a, b),      # one-step rate, half the limit
        lambda a, b: 2 / min(a, b),      # flattest direction
        lambda a, b: 2 / (a + b),        # mixes the coordinates
        lambda a, b: 2 / b,              # assumes b is the steeper one
        lambda a, b: 0.2,                # the notebook's number only
        lambda a, b: 2 * max(a, b),      # upside down
        lambda a, b: [a, b],             # not a number
    ],
    "03.2": [
        None,
        2 * y1 * (1 - y1**2),            # dL/dz, forgot dz/dw = x
        y1 * (1 - y1**2) * 3,            # forgot the 2
        2 * y1 * 3,                      # forgot tanh'
        2 * y1 * (1 - y1) * 3,           # 1 - tanh instead of 1 - tanh^2
        -2 * y1 * (1 - y1**2) * 3,       # sign
        y1**2,                           # the loss itself
        "about two",
    ],
    "03.3": [
        _engine(lambda self, out, t: None),                                # stub: adds nothing
        _engine(lambda self, out, t: _add(self, (1 - self.data**2) * out.grad)),  # squares the input
        _engine(lambda self, out, t: _add(self, (1 - t) * out.grad)),      # forgot the square
        _engine(lambda self, out, t: _add(self, 1 - t**2)),                # forgot out.grad
        _engine(lambda self, out, t: _set(self, (1 - t**2) * out.grad)),   # = instead of +=
        _engine(lambda self, out, t: _add(self, (1 + t**2) * out.grad)),   # sign slip
        "Value",
        _engine(lambda self, out, t: _add(self, (1 - t**2) * out.grad)).__globals__["Value"],  # the class
        lambda self: self,                                                 # a function without Value
    ],
    "03.4": ["a", "c", "d", "e", None],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "03.1": [lambda a, b: 2 / max(a, b), lambda a, b: min(2 / a, 2 / b)],
    "03.2": [2 * y1 * (1 - y1**2) * 3, 1.919],
    "03.3": [
        _engine(lambda self, out, t: _add(self, (1 - t**2) * out.grad)),
        _engine(lambda self, out, t: _add(self, out.grad / math.cosh(self.data) ** 2)),
    ],
    "03.4": ["b", " B "],
}
