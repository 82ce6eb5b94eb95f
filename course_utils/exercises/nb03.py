"""Exercises of notebook 03 (Gradient descent and backpropagation)."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import torch

from course_utils.checks import (
    AUTOGRAD,
    Wrong,
    assert_tensor_close,
    call,
    exercise,
    expect_function,
    expect_number,
    expect_tensor,
    forbid,
    multiple_choice,
    random_shapes,
)

# ---------------------------------------------------------------- 03.1 the speed limit

# Curvatures of diagonal quadratic valleys L(w) = sum_i c_i w_i^2 / 2: the notebook's own, the
# steepest direction first, in the middle and last, a round bowl, one parameter, a limit above 1.
_CURVATURE_CASES: list[list[float]] = [
    [1.0, 10.0],
    [4.0, 1.0],
    [0.3, 7.0, 2.0],
    [3.0, 3.0],
    [2.5],
    [0.5, 0.2],
    [5.0, 0.1, 40.0, 1.5, 12.0],
    # Curvatures with all 16 digits of a float64, which float32 cannot hold: "to 12 digits" has to mean it.
    [0.7234567891234567, 3.141592653589793, 1.2345678901234567],
    [2.718281828459045, 0.1234567890123457, 9.876543210987654, 6.02214076e-1],
]

# Plausible limits other than 2 / max(c), each with what it gets wrong.
_LR_MISTAKES: list[tuple[Callable[[list[float]], float], str]] = [
    (lambda c: 1 / max(c), "1 / c_max is the rate that reaches the minimum of the steepest direction in one "
     "step. Gradient descent still converges above it, zig-zagging, up to twice that rate."),
    (lambda c: 2 / min(c), "That is the limit of the flattest direction. The steepest direction diverges "
     "first, so its limit is the one that counts."),
    (lambda c: 2 / sum(c), "The coordinates do not mix: each has its own limit 2 / c_i, and the smallest of "
     "those limits counts, not a limit for the sum of the curvatures."),
    (lambda c: 2 / (sum(c) / len(c)), "An average curvature hides the steepest direction, which diverges first."),
    (lambda c: 2 / c[-1], "You used the last curvature (the notebook's steep one happens to be last); take the "
     "largest one, wherever it is."),
    (lambda c: 2 * max(c), "Upside down: a steeper direction allows only a smaller rate, so the limit is 2 "
     "divided by a curvature."),
    (lambda c: 1 / (2 * max(c)), "Check the factor |1 - lr * c| < 1 again: it allows rates up to 2 / c."),
    (lambda c: 0.2, "That is the limit of the notebook's valley (curvatures 1 and 10) only; the function must "
     "work for any curvatures."),
    (lambda c: 2 / float(torch.tensor(max(c), dtype=torch.float32)),
     "Right formula, but computed in 32-bit floats, which keep only about 7 digits: stay in the tensor's float64 "
     "(no .float(), no torch.float32)."),
]


@exercise(
    "03.1",
    title="The largest stable learning rate",
    hint="Write one step for a single coordinate, w_i <- w_i - lr * c_i * w_i: it multiplies w_i by a fixed "
    "factor. For which rates does repeating it shrink w_i to 0, and which coordinate is the first to fail?",
)
def largest_stable_lr(answer: Any) -> None:
    """The answer is a function (1-D float64 tensor of curvatures) -> the float 2 / max(curvatures)."""
    expect_function(answer, "largest_stable_lr(curvatures)")
    got: list[float] = []
    for values in _CURVATURE_CASES:
        curvatures = torch.tensor(values, dtype=torch.float64)
        what = f"largest_stable_lr(torch.tensor({values}))"
        try:
            result = call(answer, curvatures, name="largest_stable_lr")
        except IndexError as error:
            raise Wrong(f"{what} raised IndexError ({error}): your code picks a fixed entry of the tensor, and this "
                        f"valley has {len(values)} dimension{'s' if len(values) > 1 else ''}.",
                        hint="Work with all the curvatures, whatever their number and order (max, min, sum, ...)."
                        ) from error
        got.append(expect_number(result, what))
    wrong = [(values, value) for values, value in zip(_CURVATURE_CASES, got, strict=True)
             if not math.isclose(value, 2 / max(values), rel_tol=1e-12)]
    if not wrong:
        return
    values, value = wrong[0]
    where = f"For the curvatures {values} you returned {value:.12g}; the limit is {2 / max(values):.12g}."
    for mistake, why in _LR_MISTAKES:
        if all(math.isclose(g, mistake(c), rel_tol=1e-9) for c, g in zip(_CURVATURE_CASES, got, strict=True)):
            raise Wrong(f"{where} {why}")
    if math.isclose(value, 2 / max(values), rel_tol=2e-2):
        raise Wrong(f"{where} Close, but the check wants the exact threshold (to 12 digits), not an estimate: "
                    "derive it from the factor that one step multiplies each coordinate by.")
    raise Wrong(where)


# ---------------------------------------------------------------- 03.2 predict the walk from the top

exercise(
    "03.2",
    title="Predict the walk from the top",
    hint="Trace the calls in order. f runs first and adds 1 to u.grad and to v.grad. Which of f's parents is "
    "visited next, what is u.grad when u runs, and when does v add its share to u.grad?",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "16 = 8x is the true gradient of f = 4x^2, but this walk does not find it. It reaches u through "
            "f's first parent and runs u's _backward at once, while u.grad still holds only f's share.",
            "b": "Right: u runs when u.grad holds only f's share, 1, so x.grad = 2 * x * 1 = 4. v then adds 3 to "
            "u.grad, but u has already passed its gradient on, so that share never reaches x.",
            "c": "32 would count the whole gradient twice. The visited set stops any node from running twice; "
            "the trouble here is the opposite: a share that never arrives.",
            "d": "12 is the share that travels through v (3 * 2x). The walk passes on the other one: u runs "
            "before v has added its part, so x receives only 2 * x * 1 = 4.",
        },
    )
)


# ---------------------------------------------------------------- 03.3 the backward walk


class Value:
    """A scalar node with the fields of the notebook's ``Value``; every run of its ``_backward`` is logged.

    The check of 03.3 builds graphs out of these, so it can see in which order (and how often)
    the learner's walk ran each node's ``_backward``.
    """

    def __init__(self, data: float, parents: Sequence[Value] = (), name: str = "", formula: str = "",
                 log: list[Value] | None = None) -> None:
        self.data = float(data)
        self.grad = 0.0
        self._parents = tuple(parents)
        self.name = name
        self.formula = formula
        self._op = ""
        self._log = log if log is not None else []
        self._backward: Callable[[], None] = self._recorded(lambda: None)

    def _recorded(self, rule: Callable[[], None]) -> Callable[[], None]:
        def _backward() -> None:
            self._log.append(self)
            rule()

        return _backward

    @property
    def label(self) -> str:
        """The node as messages name it: "u (= x * x)", or "x" for an input."""
        return f"{self.name} (= {self.formula})" if self.formula else self.name

    def __repr__(self) -> str:
        return f"Value({self.label}: data={self.data:.4g}, grad={self.grad:.4g})"


class _Graph:
    """A scalar expression graph, built op by op, that can be replayed with torch for reference gradients."""

    def __init__(self) -> None:
        self.log: list[Value] = []
        self.nodes: list[Value] = []
        self.program: list[tuple[Any, ...]] = []  # how to rebuild each node with torch

    def _new(self, data: float, parents: Sequence[Value], name: str, formula: str, step: tuple[Any, ...]) -> Value:
        node = Value(data, parents, name or f"n{len(self.nodes)}", formula, self.log)
        node._op = "" if step[0] == "leaf" else step[0]  # as in the notebook's Value
        self.nodes.append(node)
        self.program.append(step)
        return node

    def _index(self, node: Value) -> int:
        return next(i for i, known in enumerate(self.nodes) if known is node)

    def leaf(self, data: float, name: str) -> Value:
        return self._new(data, (), name, "", ("leaf", data))

    def add(self, a: Value, b: Value, name: str = "") -> Value:
        out = self._new(a.data + b.data, (a, b), name, f"{a.name} + {b.name}", ("+", self._index(a), self._index(b)))

        def rule() -> None:
            a.grad += out.grad
            b.grad += out.grad

        out._backward = out._recorded(rule)
        return out

    def mul(self, a: Value, b: Value, name: str = "") -> Value:
        out = self._new(a.data * b.data, (a, b), name, f"{a.name} * {b.name}", ("*", self._index(a), self._index(b)))

        def rule() -> None:
            a.grad += b.data * out.grad
            b.grad += a.data * out.grad

        out._backward = out._recorded(rule)
        return out

    def scale(self, a: Value, factor: float, name: str = "") -> Value:
        out = self._new(a.data * factor, (a,), name, f"{a.name} * {factor:g}", ("scale", self._index(a), factor))

        def rule() -> None:
            a.grad += factor * out.grad

        out._backward = out._recorded(rule)
        return out

    def tanh(self, a: Value, name: str = "") -> Value:
        t = math.tanh(a.data)
        out = self._new(t, (a,), name, f"tanh({a.name})", ("tanh", self._index(a)))

        def rule() -> None:
            a.grad += (1 - t**2) * out.grad

        out._backward = out._recorded(rule)
        return out

    def users(self) -> dict[int, list[Value]]:
        """For each node (by id), the nodes that use it, once per use."""
        found: dict[int, list[Value]] = {id(node): [] for node in self.nodes}
        for node in self.nodes:
            for parent in node._parents:
                found[id(parent)].append(node)
        return found

    def reachable(self, root: Value) -> list[Value]:
        seen: dict[int, Value] = {}
        stack = [root]
        while stack:
            node = stack.pop()
            if id(node) not in seen:
                seen[id(node)] = node
                stack.extend(node._parents)
        return [node for node in self.nodes if id(node) in seen]

    def torch_gradients(self, root: Value) -> list[float]:
        """d(root)/d(node) for every node, by torch.autograd in float64 (0 for nodes root does not use)."""
        tensors: list[torch.Tensor] = []
        for step in self.program:
            if step[0] == "leaf":
                tensor = torch.tensor(step[1], dtype=torch.float64, requires_grad=True)
            elif step[0] == "+":
                tensor = tensors[step[1]] + tensors[step[2]]
            elif step[0] == "*":
                tensor = tensors[step[1]] * tensors[step[2]]
            elif step[0] == "scale":
                tensor = tensors[step[1]] * step[2]
            else:
                tensor = torch.tanh(tensors[step[1]])
            tensors.append(tensor)
        grads = torch.autograd.grad(tensors[self._index(root)], tensors, allow_unused=True)
        return [0.0 if g is None else g.item() for g in grads]

    def reset(self) -> None:
        self.log.clear()
        for node in self.nodes:
            node.grad = 0.0


def _paths(root: Value) -> int:
    """How many paths lead from root to the nodes below it (what a walk without a visited set visits)."""
    memo: dict[int, int] = {}

    def count(node: Value) -> int:
        if id(node) not in memo:
            memo[id(node)] = 1 + sum(count(parent) for parent in node._parents)
        return memo[id(node)]

    return count(root)


def _handmade_graphs() -> list[tuple[str, _Graph, Value]]:
    graphs = []
    g = _Graph()  # the notebook's example: a shared node reached through paths of two lengths
    x = g.leaf(2.0, "x")
    u = g.mul(x, x, "u")
    v = g.scale(u, 3.0, "v")
    graphs.append(("f = u + v, with u = x * x and v = u * 3", g, g.add(u, v, "f")))
    g = _Graph()
    a, b = g.leaf(2.0, "a"), g.leaf(-3.0, "b")
    graphs.append(("c = a * b + a", g, g.add(g.mul(a, b, "ab"), a, "c")))
    g = _Graph()  # a breadth-first walk reaches p (one step from the root) before q, which uses p
    x = g.leaf(0.7, "x")
    p = g.tanh(x, "p")
    q = g.mul(p, x, "q")
    r = g.tanh(q, "r")
    graphs.append(("s = r + p, with p = tanh(x), q = p * x and r = tanh(q)", g, g.add(r, p, "s")))
    g = _Graph()  # one node used twice by the same operation
    x = g.leaf(-1.3, "x")
    y = g.mul(x, x, "y")
    graphs.append(("z = y * y, with y = x * x", g, g.mul(y, y, "z")))
    g = _Graph()  # a chain 150 operations long
    x = g.leaf(0.4, "x")
    node = x
    for k in range(150):
        node = g.tanh(node, f"t{k + 1}") if k % 2 else g.scale(node, 1.5, f"t{k + 1}")
    graphs.append(("a chain of 150 operations", g, node))
    return graphs


def _random_graph(seed: int) -> tuple[_Graph, Value]:
    """A random expression graph over three inputs in which many nodes feed several later ones."""
    while True:
        rng = random.Random(seed)
        g = _Graph()
        nodes = [g.leaf(round(rng.uniform(-1.5, 1.5), 3), name) for name in "xyz"]

        def pick(rng: random.Random = rng, nodes: list[Value] = nodes) -> Value:
            """Mostly a recent node, now and then an old one: that makes shared subexpressions."""
            return nodes[-1 - min(int(rng.expovariate(0.4)), len(nodes) - 1)]

        for k in range(rng.randint(14, 30)):
            op, label = rng.choice(("+", "*", "*", "tanh", "scale")), f"n{k + 1}"
            if op == "+":
                node = g.add(pick(), pick(), label)
            elif op == "*":
                node = g.mul(pick(), pick(), label)
            elif op == "tanh":
                node = g.tanh(pick(), label)
            else:
                node = g.scale(pick(), round(rng.choice((-1, 1)) * rng.uniform(0.5, 2.0), 2), label)
            nodes.append(node)
        users = g.users()
        sinks = [node for node in nodes[3:] if not users[id(node)]]
        root = sinks[0]
        for k, sink in enumerate(sinks[1:]):  # the root adds up every unused node, so every node matters
            root = g.add(root, sink, f"s{k + 1}")
        users = g.users()
        shared = sum(len(users[id(node)]) > 1 for node in g.nodes if node._parents)
        values_ok = all(abs(node.data) < 1e4 for node in g.nodes)
        if shared >= 2 and values_ok and _paths(root) <= 3000:
            grads = g.torch_gradients(root)
            if all(math.isfinite(grad) and abs(grad) < 1e6 for grad in grads):
                return g, root
        seed += 1000


def _describe(nodes: Sequence[Value]) -> str:
    names = [node.label for node in nodes[:3]]
    return ", ".join(names) + (f" and {len(nodes) - 3} more" if len(nodes) > 3 else "")


def _check_walk(answer: Any, name: str, graph: _Graph, root: Value) -> None:
    expected = graph.torch_gradients(root)
    graph.reset()
    data_before = [node.data for node in graph.nodes]
    order = call(answer, root, name="backward")
    where = f"On {name}:"
    if [node.data for node in graph.nodes] != data_before:
        raise Wrong(f"{where} your walk changed the .data of some nodes. The backward pass only fills in .grad.")
    nodes = graph.reachable(root)
    inner = [node for node in nodes if node._parents]
    runs = Counter(id(node) for node in graph.log)
    twice = [node for node in inner if runs[id(node)] > 1]
    if twice:
        raise Wrong(f"{where} the _backward of {_describe(twice)} ran {runs[id(twice[0])]} times, so its gradient "
                    "was passed on more than once (counted twice).",
                    hint="Remember which nodes you have already put in the order (a set), and run each node's "
                    "_backward exactly once.")
    never = [node for node in inner if runs[id(node)] == 0]
    if never:
        raise Wrong(f"{where} the _backward of {_describe(never)} never ran, so nothing reached its parents.",
                    hint="The order must hold every node that root depends on: follow _parents all the way down "
                    "to the inputs.")
    position = {id(node): index for index, node in enumerate(graph.log) if node._parents}
    users = graph.users()
    early = [(node, user) for node in inner for user in users[id(node)]
             if id(user) in position and position[id(user)] > position[id(node)]]
    if early:
        pairs = [(id(n), id(u)) for n in inner for u in users[id(n)] if id(u) in position]
        if all(position[n] < position[u] for n, u in pairs):
            raise Wrong(f"{where} every node ran its _backward before the nodes that use it: you walked the order "
                        "forwards, from the inputs to the root.",
                        hint="A topological order puts parents first; the backward walk goes through it in "
                        "reverse, from the root down (reversed(order)).")
        node, user = early[0]
        raise Wrong(f"{where} {node.label} ran its _backward before {user.label}, which uses it, had added its "
                    f"share to {node.name}.grad; that share was never passed on.",
                    hint="Build the whole order first, each node after all of its parents (a depth-first search "
                    "that appends a node once its parents are done), then walk it in reverse.")
    if root._parents and root.grad == 1.0 and all(node.grad == 0.0 for node in nodes if node is not root):
        raise Wrong(f"{where} root.grad is 1 but every other gradient is 0: the _backward functions ran while "
                    "root.grad was still 0. Set root.grad = 1.0 before the walk, not after it.")
    if all(node.grad == 0.0 for node in nodes):
        raise Wrong(f"{where} every gradient is still 0. Seed the walk: set root.grad = 1.0 (d root / d root = 1) "
                    "before calling the _backward functions.")
    for node in nodes:
        want = expected[graph._index(node)]
        if not math.isclose(node.grad, want, rel_tol=1e-9, abs_tol=1e-12):
            seed = " (d root / d root is 1)" if node is root else ""
            raise Wrong(f"{where} {node.name}.grad is {node.grad:.6g}, but torch.autograd gives {want:.6g}{seed}.")
    if not isinstance(order, (list, tuple)):
        raise Wrong(f"{where} backward returned a {type(order).__name__}; return order, the list of nodes "
                    "(each after its parents).",
                    hint="reversed(order) is an iterator for the walk; return the list order itself.")
    known = {id(node) for node in nodes}
    if any(id(item) not in known for item in order):
        raise Wrong(f"{where} the list you returned holds something that is not a node of the graph.")
    if len({id(item) for item in order}) != len(order):
        raise Wrong(f"{where} the list you returned holds some nodes more than once; each node belongs in it once.")
    listed = {id(item): index for index, item in enumerate(order)}
    if any(id(node) not in listed for node in inner):
        raise Wrong(f"{where} the list you returned misses some of the nodes whose _backward ran; return the "
                    "whole order.")
    missing = [node for node in nodes if id(node) not in listed]
    if missing:
        raise Wrong(f"{where} the list you returned misses {_describe(missing)}. The order holds every node that "
                    "root depends on, the inputs (leaves) and root itself included.",
                    hint="Append every node you visit, also those without parents.")
    pairs = [(listed[id(parent)], listed[id(node)]) for node in order for parent in node._parents
             if id(parent) in listed]
    if any(p > n for p, n in pairs):
        if all(p > n for p, n in pairs):
            raise Wrong(f"{where} the gradients are right, but you returned the order reversed. Return order "
                        "itself: every node after its parents, the root last.")
        raise Wrong(f"{where} the gradients are right, but in the list you returned some nodes come before their "
                    "parents. Return the topological order the walk used.")


@exercise(
    "03.3",
    title="The backward walk",
    hint="A node may go into the order only once all of its parents are in it: let a helper handle a node's "
    "parents before it appends the node, and keep a set of the nodes already handled. Then seed root.grad "
    "with 1.0 and walk the order in reverse.",
)
def backward_walk(answer: Any) -> None:
    """The answer is ``backward(root)``: it fills every .grad and returns the topological order."""
    expect_function(answer, "backward(root)")
    cases = _handmade_graphs()
    for seed in range(12):
        graph, root = _random_graph(seed)
        cases.append((f"a random graph with {len(graph.nodes)} nodes and shared subexpressions (seed {seed})",
                      graph, root))
    for name, graph, root in cases:
        _check_walk(answer, name, graph, root)
    # The root can be an input itself.
    g = _Graph()
    x = g.leaf(1.5, "x")
    _check_walk(answer, "a graph that is a single input x", g, x)
    # Like PyTorch's .backward(), the walk adds to the gradients it finds: a second graph on the same inputs.
    g = _Graph()
    x, y = g.leaf(0.5, "x"), g.leaf(-2.0, "y")
    first = g.add(g.mul(x, y), x)
    second = g.mul(g.tanh(x), y)
    want_x = (y.data + 1) + (1 - math.tanh(x.data) ** 2) * y.data
    want_y = x.data + math.tanh(x.data)
    call(answer, first, name="backward")
    call(answer, second, name="backward")
    if not (math.isclose(x.grad, want_x, rel_tol=1e-12) and math.isclose(y.grad, want_y, rel_tol=1e-12)):
        raise Wrong(f"After backward(x * y + x) and then backward(tanh(x) * y), x.grad is {x.grad:.6g} and y.grad "
                    f"{y.grad:.6g}; both should hold the sum of the two gradients ({want_x:.6g} and {want_y:.6g}). "
                    "Like PyTorch's .backward(), your walk must add to the gradients it finds and not reset them "
                    "(the training loop resets them itself before each step).",
                    hint="Set root.grad = 1.0, but leave every other .grad as it is: the _backward functions "
                    "add to them.")


# ---------------------------------------------------------------- 03.4 the backward pass of a linear layer



def _linear_case(n: int, d_in: int, d_out: int, seed: int, dtype: torch.dtype) -> tuple[torch.Tensor, ...]:
    """X, W, b and dY for one check. X and dY are views into larger tensors, as they would be in a network."""
    gen = torch.Generator().manual_seed(seed)
    big = torch.randn(n + 3, d_in + 2, generator=gen, dtype=torch.float64).to(dtype)
    X = big[2:n + 2, 1:-1]  # a non-contiguous view
    W = (torch.randn(d_out, d_in, generator=gen, dtype=torch.float64) / math.sqrt(d_in)).to(dtype)
    b = torch.randn(d_out, generator=gen, dtype=torch.float64).to(dtype)
    dY = torch.randn(d_out, n, generator=gen, dtype=torch.float64).to(dtype).T  # a transposed view
    return X, W, b, dY


def _linear_expected(X: torch.Tensor, W: torch.Tensor, b: torch.Tensor, dY: torch.Tensor) -> list[torch.Tensor]:
    leaves = [t.detach().clone().requires_grad_() for t in (X, W, b)]
    (leaves[0] @ leaves[1].T + leaves[2]).backward(dY)
    return [leaf.grad for leaf in leaves]


def _close(got: torch.Tensor, want: torch.Tensor, tol: float) -> bool:
    return got.shape == want.shape and torch.allclose(got.double(), want.double(), rtol=tol, atol=tol)


@exercise(
    "03.4",
    title="The backward pass of a linear layer",
    hint="Work entry by entry first: from Y[n, j] = sum_i X[n, i] W[j, i] + b[j], dL/dW[j, i] is a sum over the "
    "rows n, dL/dX[n, i] a sum over the outputs j, dL/db[j] a sum over the rows. Then match each sum with a "
    "product of dY, W or X (or their transposes), using the shapes: each gradient has its tensor's shape.",
)
def linear_backward(answer: Any) -> None:
    """The answer is ``linear_backward(X, W, b, dY)`` -> (dX, dW, db) = (dY W, dY^T X, dY summed over rows)."""
    expect_function(answer, "linear_backward(X, W, b, dY)")
    sizes = [tuple(shape) for seed in range(3) for shape in random_shapes(seed, ndims=(3,), avoid=(3, 4, 5))]
    sizes += [(1, 7, 2), (13, 6, 1), (12, 17, 10)]  # a batch of one, a single output, larger sizes
    cases = [(shape, torch.float64) for shape in sizes] + [((6, 9, 7), torch.float32)]
    for index, ((n, d_in, d_out), dtype) in enumerate(cases):
        X, W, b, dY = _linear_case(n, d_in, d_out, seed=100 + index, dtype=dtype)
        expected = _linear_expected(X, W, b, dY)
        where = f"For N={n}, D_in={d_in}, D_out={d_out} ({dtype})"
        try:
            with forbid(*AUTOGRAD, answer=answer,
                        instead="Derive the three gradients with the chain rule and write them with matrix products "
                        "and sums."):
                result = call(answer, X, W, b, dY, name="linear_backward")
        except RuntimeError as error:
            if "shape" not in str(error) and "size" not in str(error):
                raise
            raise Wrong(f"{where}, with X {tuple(X.shape)}, W {tuple(W.shape)} and dY {tuple(dY.shape)}, your function "
                        f"raised RuntimeError: {error}. A product has its factors the wrong way round or transposed.",
                        hint="Write each gradient's shape first (dX like X: (N, D_in); dW like W: (D_out, D_in)) and "
                        "pick the product of dY, W and X whose shapes give it.") from error
        _judge_linear(result, X, W, dY, expected, where)


def _judge_linear(result: Any, X: torch.Tensor, W: torch.Tensor, dY: torch.Tensor,
                  expected: list[torch.Tensor], where: str) -> None:
    n, d_in = X.shape
    d_out = W.shape[0]
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        count = f"{len(result)} values" if isinstance(result, (tuple, list)) else f"a {type(result).__name__}"
        raise Wrong(f"{where}: linear_backward returned {count}; return the three gradients: "
                    "return dX, dW, db.")
    names = ("dX", "dW", "db")
    shapes = [tuple(X.shape), tuple(W.shape), (d_out,)]
    got_shapes = [tuple(r.shape) if isinstance(r, torch.Tensor) else None for r in result]
    if got_shapes != shapes and sorted(map(str, got_shapes)) == sorted(map(str, shapes)):
        raise Wrong(f"{where}: your three results have the right shapes but in another order: return them as "
                    "(dX, dW, db), the order of the inputs X, W, b.")
    dX, dW, db = (expect_tensor(r, f"{where}: {name}") for r, name in zip(result, names, strict=True))
    if tuple(dW.shape) == (d_in, d_out):
        raise Wrong(f"{where}: dW has shape {tuple(dW.shape)}, the transpose of W's {tuple(W.shape)}. The gradient "
                    "of W has W's shape: entry [j, i] sums dY[n, j] X[n, i] over the rows n.")
    if tuple(db.shape) in ((1, d_out), (d_out, 1)):
        raise Wrong(f"{where}: db has shape {tuple(db.shape)}; b has shape ({d_out},), so db must too "
                    "(drop keepdim, or flatten).")
    if tuple(db.shape) == (n,):
        raise Wrong(f"{where}: db has shape ({n},), one number per row: you summed over the outputs. b[j] is "
                    "added to every row, so db[j] sums dY[:, j] over the rows (dim 0).")
    if db.dim() == 0:
        raise Wrong(f"{where}: db is a single number; b has {d_out} entries, each with its own gradient. "
                    "Sum dY over the rows only (dim 0).")
    for value, shape, name in zip((dX, dW, db), shapes, names, strict=True):
        expect_tensor(value, f"{where}: {name}", shape=shape, dtype=X.dtype)
    tol = 1e-10 if X.dtype == torch.float64 else 1e-5
    want_dX, want_dW, want_db = expected
    ones = torch.ones_like(dY)
    for got, want, name in ((dX, want_dX, "dX"), (dW, want_dW, "dW"), (db, want_db, "db")):
        if _close(got, want, tol):
            continue
        if _close(got, -want, tol):
            raise Wrong(f"{where}: {name} has the right size but the wrong sign. The chain rule multiplies the "
                        "upstream gradient by the local derivative; no minus sign comes in.")
        if n > 1 and _close(got, want / n, tol):
            raise Wrong(f"{where}: {name} is the gradient divided by N = {n} (a mean over the batch). The layer "
                        "just sums what every row contributes; any 1/N of a mean loss is already inside dY.")
        mistakes = {
            "dX": [(ones @ W, "you used a gradient of ones instead of dY: the upstream gradient dY is what "
                    "the loss says about Y, and it enters every gradient.")],
            "dW": [(ones.T @ X, "you used a gradient of ones instead of dY: the upstream gradient enters every "
                    "gradient."),
                   (torch.outer(dY[0], X[0]), "that is the contribution of the first row only: dW sums the "
                    "contributions of all N rows.")],
            "db": [(ones.sum(0), "you summed ones instead of dY: db sums the upstream gradient over the rows."),
                   (dY[0], "that is the first row of dY only: b is added to every row, so db sums dY over "
                    "all N rows.")],
        }[name]
        for wrong, why in mistakes:
            if _close(got, wrong.to(got.dtype), tol):
                raise Wrong(f"{where}: {name} is wrong: {why}")
        assert_tensor_close(got, want, f"{where}: {name} (compared with autograd)", atol=tol, rtol=tol)


# ---------------------------------------------------------------- 03.5 predict the gradient through torch.where

exercise(
    "03.5",
    title="Predict the gradient through torch.where",
    hint="torch.where computes both branches. Which local derivative does the square root have at x = -1, and "
    "what is 0 times that?",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "That is what the if-else of Python would give. torch.where computes both branches; the unused "
            "square root receives a gradient of 0, and multiplies it by its own derivative at -1, which is nan: "
            "0 * nan is nan.",
            "b": "Right: torch.where computes sqrt(-1) = nan anyway. In the backward pass the square root gets a "
            "gradient of 0 and multiplies it by its derivative 1 / (2 sqrt(-1)) = nan, and 0 * nan = nan.",
            "c": "PyTorch does not raise for the square root of a negative number: it returns nan, as IEEE "
            "floating point prescribes, and carries on. That nan shows up in the backward pass.",
            "d": "-0.5 is the slope of sqrt(-x) at -1, a function that is real there. sqrt(x) is not: its "
            "derivative 1 / (2 sqrt(x)) is nan at -1, and the 0 that torch.where sends it turns into nan too.",
        },
    )
)
