"""Exercises of notebook 01 (The artificial neuron)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from course_utils.checks import (
    Wrong,
    call,
    exercise,
    expect_defaults,
    expect_function,
    expect_int,
    expect_number,
    expect_tensor,
    multiple_choice,
)

_GATE_INPUTS = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


# ---------------------------------------------------------------- 01.1 the perceptron training loop


def _train(X: torch.Tensor, y: torch.Tensor, lr: float = 1.0, max_epochs: int = 100, *, strict: bool = False,
           bias: bool = True, sign: float = 1.0, early_stop: bool = True, record_last: bool = True,
           cumulative: bool = False, count_visits: bool = False, batch: bool = False,
           reverse: bool = False, bias_lr: bool = True,
           tie: bool = False) -> tuple[torch.Tensor, torch.Tensor, list[int]]:
    """Rosenblatt's rule in row order, with switches that reproduce the usual mistakes."""
    w = torch.zeros(X.shape[1], dtype=X.dtype)
    b = torch.zeros((), dtype=X.dtype)
    updates: list[int] = []
    total = 0
    for _ in range(max_epochs):
        mistakes = 0
        step_w, step_b = torch.zeros_like(w), torch.zeros_like(b)
        for i in (range(len(X) - 1, -1, -1) if reverse else range(len(X))):
            z = X[i] @ w + b
            y_hat = int(z > 0) if strict else int(z >= 0)
            error = sign * (int(y[i]) - y_hat)
            if tie and float(z) == 0.0:  # s_i z_i <= 0 as the test: z = 0 counts as a mistake for class 1 too
                error = sign * (2 * int(y[i]) - 1)
            if error != 0:
                if batch:
                    step_w, step_b = step_w + lr * error * X[i], step_b + lr * error
                else:
                    w = w + lr * error * X[i]
                    if bias:
                        b = b + (lr if bias_lr else 1.0) * error
                mistakes += 1
        if batch:
            w = w + step_w
            if bias:
                b = b + step_b
        total += mistakes
        if mistakes == 0 and early_stop and not record_last:
            break
        updates.append(total if cumulative else (len(X) if count_visits else mistakes))
        if mistakes == 0 and early_stop:
            break
    return w, b, updates


@dataclass
class _Case:
    name: str
    X: torch.Tensor
    y: torch.Tensor
    kwargs: dict[str, Any]
    separable: bool


def _separable(n: int, weights: Sequence[float], bias: float, margin: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """n points labelled by a known hyperplane, none closer to it than `margin`."""
    generator = torch.Generator().manual_seed(seed)
    w_true = torch.tensor(weights)
    X = torch.randn(20 * n, len(weights), generator=generator)
    z = X @ w_true + bias
    keep = z.abs() > margin * w_true.norm()
    X, z = X[keep][:n], z[keep][:n]
    return X, (z >= 0).long()


def _as_view(X: torch.Tensor, y: torch.Tensor, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The same data as views (a block of columns of a larger matrix, every other entry of a longer vector)."""
    generator = torch.Generator().manual_seed(seed)
    big = torch.randn(len(X), X.shape[1] + 3, generator=generator)
    big[:, 1:-2] = X
    labels = torch.randint(0, 2, (2 * len(y),), generator=generator)
    labels[::2] = y
    return big[:, 1:-2], labels[::2]


def _perceptron_cases() -> list[_Case]:
    X3, y3 = _separable(24, [1.0, -0.7, 1.6], 0.3, 0.15, seed=11)            # the third input matters
    X12, y12 = _separable(40, [0.9, -1.2, 0.6, 1.4, -0.8, 1.1, -0.5, 0.7, -1.3, 1.0, -0.9, 0.6], -0.4, 0.1,
                          seed=12)
    X1, y1 = _separable(9, [1.5], -0.5, 0.2, seed=13)                         # a single input
    generator = torch.Generator().manual_seed(14)
    X_noisy = torch.randn(30, 2, generator=generator)
    y_noisy = (X_noisy[:, 0] + X_noisy[:, 1] > 0).long()
    y_noisy[[3, 17, 22]] = 1 - y_noisy[[3, 17, 22]]                          # three flipped labels
    gates = _GATE_INPUTS.clone()
    X3v, y3v = _as_view(X3, y3, seed=15)
    X12v, y12v = _as_view(X12, y12, seed=16)
    return [
        _Case("the AND gate (the notebook's four pairs, in their row order)", gates,
              torch.tensor([0, 0, 0, 1]), {}, True),
        _Case("24 separable points with 3 inputs", X3v, y3v, {}, True),
        _Case("24 separable points with 3 inputs, lr=0.3", X3, y3, {"lr": 0.3}, True),
        _Case("40 separable points with 12 inputs", X12v, y12v, {"max_epochs": 50}, True),
        _Case("40 separable points with 12 inputs, lr=0.5", X12, y12, {"lr": 0.5, "max_epochs": 50}, True),
        _Case("9 separable points with 1 input", X1, y1, {}, True),
        _Case("the OR gate with lr=0.5", gates, torch.tensor([0, 1, 1, 1]), {"lr": 0.5}, True),
        _Case("5 points that are all of class 1 (step(0) = 1 gets every one right at once)",
              X3[:5], torch.ones(5, dtype=torch.long), {}, True),
        _Case("the four XOR points (not separable)", gates, torch.tensor([0, 1, 1, 0]), {}, False),
        _Case("the four XOR points, max_epochs=7", gates, torch.tensor([0, 1, 1, 0]), {"max_epochs": 7}, False),
        _Case("30 noisy points with 2 inputs (not separable), lr=0.25, max_epochs=12", X_noisy, y_noisy,
              {"lr": 0.25, "max_epochs": 12}, False),
    ]


def _same_run(got: tuple[torch.Tensor, torch.Tensor, list[int]], expected: tuple[torch.Tensor, torch.Tensor, list[int]]) -> bool:
    w, b, updates = got
    w_e, b_e, updates_e = expected
    return (list(updates) == list(updates_e) and w.shape == w_e.shape
            and bool(torch.allclose(w.double(), w_e.double(), rtol=1e-5, atol=1e-5))
            and bool(torch.allclose(b.double(), b_e.double(), rtol=1e-5, atol=1e-5)))


def _short(values: Sequence[Any], keep: int = 6) -> str:
    """A list for a message: all of it when short, else its start, its length and its end."""
    values = list(values)
    if len(values) <= 2 * keep:
        return str(values)
    head, tail = ", ".join(map(str, values[:keep])), ", ".join(map(str, values[-2:]))
    return f"[{head}, ... ({len(values)} entries) ..., {tail}]"


def _unpack_run(result: Any, dimension: int, where: str) -> tuple[torch.Tensor, torch.Tensor, list[int]]:
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise Wrong(f"{where}: expected the triple (w, b, updates), got {type(result).__name__}"
                    + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "") + ".",
                    hint="End with return w, b, updates.")
    w, b, updates = result
    w = expect_tensor(w, f"{where}, w", floating=True)
    if tuple(w.shape) != (dimension,):
        raise Wrong(f"{where}: w has shape {tuple(w.shape)}, expected ({dimension},): one weight per input "
                    "(per column of X).", hint="Start from w = torch.zeros(X.shape[1]).")
    if isinstance(b, (float, int)) and not isinstance(b, bool):
        raise Wrong(f"{where}: b is the Python number {b!r}; return it as a 0-d tensor.",
                    hint="Start from b = torch.zeros(()) and keep it a tensor (no .item()).")
    b = expect_tensor(b, f"{where}, b", floating=True)
    if b.dim() != 0:
        raise Wrong(f"{where}: b has shape {tuple(b.shape)}; the bias is one number, a 0-d tensor.",
                    hint="Start from b = torch.zeros(()).")
    if not isinstance(updates, list):
        raise Wrong(f"{where}: updates should be a Python list with one int per epoch, got "
                    f"{type(updates).__name__}.", hint="Start from updates = [] and append one count per epoch.")
    counts = [expect_int(count, f"{where}, updates[{k}]") for k, count in enumerate(updates)]
    return w.detach(), b.detach(), counts


@exercise(
    "01.1",
    title="The perceptron training loop",
    hint="Two loops: the epochs outside, the rows of X (in order) inside, with the rule of the text applied to "
    "one row at a time. Count the mistakes of each epoch, and stop right after an epoch with none.",
)
def train_perceptron(answer: Any) -> None:
    """The answer is a function f(X, y, lr=1.0, max_epochs=100) -> (w, b, updates)."""
    expect_function(answer, "train_perceptron(X, y, lr=1.0, max_epochs=100)")
    expect_defaults(answer, lr=1.0, max_epochs=100)
    for case in _perceptron_cases():
        lr, max_epochs = case.kwargs.get("lr", 1.0), case.kwargs.get("max_epochs", 100)
        expected = _train(case.X, case.y, lr, max_epochs)
        where = f"On {case.name}"
        result = call(answer, case.X, case.y, name="train_perceptron",
                      max_lines=100 * max_epochs * len(case.X) + 10_000,
                      why_endless="" if case.separable else f"On {case.name} no epoch is ever free of mistakes, "
                                                            "so the loop must also end after max_epochs epochs.",
                      **case.kwargs)
        got = _unpack_run(result, case.X.shape[1], where)
        if _same_run(got, expected):
            continue
        w, b, updates = got
        shown = (f"you returned updates {_short(updates)}, w = {_short([round(v, 3) for v in w.tolist()])}, "
                 f"b = {b.item():.3g}; expected updates {_short(expected[2])}, "
                 f"w = {_short([round(v, 3) for v in expected[0].tolist()])}, b = {expected[1].item():.3g}")
        if not case.separable and len(updates) != max_epochs:
            raise Wrong(f"{where}: no line separates these points, so every epoch has a mistake and the loop "
                        f"must run all max_epochs = {max_epochs} epochs; your updates list has {len(updates)} "
                        "entries.", hint="Loop with for epoch in range(max_epochs), and break only after an "
                                         "epoch without a mistake.")
        mistakes: list[tuple[dict[str, Any], str]] = [
            ({"strict": True}, "at z = 0 exactly the step gives 1 (step(z) = 1 when z >= 0). With z > 0 "
                               "instead, the very first example (where w = 0 and b = 0) is already handled "
                               "differently."),
            ({"bias": False}, "the bias never moved: on a mistake, update b by lr * (y - y_hat) too."),
            ({"sign": -1.0}, "the updates go the wrong way: use (y - y_hat), not (y_hat - y)."),
            ({"early_stop": False}, "you kept training after an epoch without mistakes. Stop right after the "
                                    "first such epoch (its 0 is the last entry of updates)."),
            ({"record_last": False}, "you stopped without recording the mistake-free epoch: its 0 belongs at "
                                     "the end of updates."),
            ({"cumulative": True}, "updates holds running totals; it should hold the number of mistakes made "
                                   "in each epoch."),
            ({"count_visits": True}, "you counted every example visited; count only the mistakes (the updates)."),
            ({"batch": True}, "you applied the updates at the end of the epoch. Rosenblatt's rule updates right "
                              "after each mistake, so the next example already sees the new weights."),
            ({"reverse": True}, "you visited the rows from last to first: go in the order of the rows of X."),
            ({"bias_lr": False}, "the bias moved by (y - y_hat) without the learning rate: b changes by "
                                 "lr * (y - y_hat), like every weight."),
            ({"tie": True}, "you treated z = 0 as a mistake for a point of class 1, but step(0) = 1 is the right "
                            "answer for it. Update only when step(z) differs from y (s_i z_i <= 0 is not the "
                            "same test: it also fires at z = 0 for class 1)."),
        ]
        if lr != 1.0:
            mistakes.append(({"lr": 1.0}, f"you ignored the learning rate (the check passed lr={lr}): multiply "
                                          "both updates by lr."))
        for switches, why in mistakes:
            options = {"lr": lr, "max_epochs": max_epochs, **switches}
            if _same_run(got, _train(case.X, case.y, **options)):
                raise Wrong(f"{where}: {why}")
        if case.separable and updates and updates[-1] == 0 and len(updates) <= max_epochs:
            predictions = ((case.X @ w + b) >= 0).long()
            if torch.equal(predictions, case.y):
                raise Wrong(f"{where}: your loop found a separating line, but not the one the rule finds from "
                            f"w = 0 and b = 0, visiting the rows of X in order and updating after each mistake "
                            f"({shown}).",
                            hint="Start from zeros, no shuffling (for i in range(len(X)) in every epoch), and "
                                 "update only on a mistake, so that the check can follow your run step by step.")
        raise Wrong(f"{where}: {shown}.")


# ---------------------------------------------------------------- 01.2 the margin


def _signed_margin(w: torch.Tensor, b: float, X: torch.Tensor, y: torch.Tensor) -> float:
    u = torch.cat([w.double(), torch.tensor([float(b)], dtype=torch.float64)])
    A = torch.cat([X.double(), torch.ones(len(X), 1, dtype=torch.float64)], dim=1)
    s = 2 * y.double() - 1
    return ((s * (A @ u)).min() / u.norm()).item()


def _margin_cases() -> list[tuple[str, torch.Tensor, torch.Tensor, torch.Tensor, float]]:
    generator = torch.Generator().manual_seed(21)
    # Two clouds in the plane and a line between them: a positive margin.
    X2 = torch.cat([torch.randn(12, 2, generator=generator) * 0.4 + torch.tensor([1.5, 1.0]),
                    torch.randn(9, 2, generator=generator) * 0.4 + torch.tensor([-1.0, -0.5])])
    y2 = torch.cat([torch.ones(12, dtype=torch.long), torch.zeros(9, dtype=torch.long)])
    # Five inputs and weights that get some points wrong: a negative margin.
    X5 = torch.randn(17, 5, generator=generator)
    y5 = (X5 @ torch.tensor([1.0, -1.0, 0.5, 0.0, 2.0]) > 0).long()
    w5 = torch.tensor([0.8, -1.3, 0.2, 0.9, 1.5])
    # One input far from 0, so that the bias is ten times the weight: the length of (w, b) is mostly b.
    X1 = torch.linspace(8.0, 13.0, 7)[:, None]
    y1 = (X1[:, 0] > 10.1).long()
    big = torch.randn(21, 6, generator=generator)
    big[:, 2:4] = X2
    labels = torch.randint(0, 2, (42,), generator=generator)
    labels[1::2] = y2
    return [
        ("21 points with 2 inputs (separated)", torch.tensor([1.0, 0.8]), torch.tensor(-0.3), X2, y2),
        ("17 points with 5 inputs (some on the wrong side)", w5, torch.tensor(0.4), X5, y5),
        ("7 points with 1 input and a bias ten times the weight", torch.tensor([0.3]), torch.tensor(-3.03), X1, y1),
        ("the 21 points again, as views into larger tensors", torch.tensor([1.0, 0.8]), torch.tensor(-0.3),
         big[:, 2:4], labels[1::2]),
        ("21 points with 2 inputs and a line that is far off", torch.tensor([-0.5, 2.0]), torch.tensor(1.5), X2, y2),
    ]


@exercise(
    "01.2",
    title="The margin of a separating hyperplane",
    hint="Work in the augmented space of the theorem: the bias is one more weight, on a constant input 1. "
    "Turn the 0/1 labels into signs first, and remember that a distance does not change when w and b are scaled.",
)
def margin(answer: Any) -> None:
    """The answer is a function f(w, b, X, y) -> the signed margin, a Python float."""
    expect_function(answer, "margin(w, b, X, y)")
    for name, w, b, X, y in _margin_cases():
        expected = _signed_margin(w, float(b), X, y)
        where = f"On {name}"
        got = call(answer, w, b, X, y, name="margin")
        if isinstance(got, int) and not isinstance(got, bool):
            raise Wrong(f"{where}: you returned the whole number {got!r}. A margin is a real number: int(...) or "
                        "round(...) cut off its fraction.", hint="Return the float that .item() gives you, as it is.")
        value = expect_number(got, f"{where}, your margin")
        if math.isclose(value, expected, rel_tol=1e-4, abs_tol=1e-6):
            continue
        z = (X.double() @ w.double() + float(b))
        s = 2 * y.double() - 1
        length = math.hypot(w.double().norm().item(), float(b))
        mistakes = [
            ((s * z).min().item() / w.double().norm().item(), "you divided by the length of w alone. The theorem "
                                                              "counts the bias as a weight: divide by the length "
                                                              "of u = (w, b)."),
            ((s * z).min().item(), "you did not divide by the length of (w, b): s_i z_i alone changes when you "
                                   "scale w and b, the distance does not."),
            ((z.abs()).min().item() / length, "you took the point nearest the boundary (the smallest |z_i|), "
                                              "which ignores the side: a point on the wrong side, however far "
                                              "from the boundary, must make the margin negative."),
            ((y.double() * z).min().item() / length, "you multiplied by the label y_i, which is 0 for class 0. "
                                                     "Use the sign s_i = 2 y_i - 1 (+1 or -1)."),
            ((s * z).mean().item() / length, "you averaged over the points; the margin is the smallest value, "
                                             "the point closest to the boundary."),
            ((s * z).max().item() / length, "you took the largest value; the margin is the smallest."),
            ((-s * z).min().item() / length, "the sign is flipped: class 1 should count positive on the side "
                                             "where z >= 0."),
            ((s * (X.double() @ w.double())).min().item() / length, "z_i is missing the bias: z_i = w . x_i + b."),
            ((s * z).min().item() / length**2, "you divided by the squared length of (w, b); divide by the length "
                                               "itself, the square root of the sum of squares."),
            ((s * z).min().item() / (w.double().norm().item() + abs(float(b))), "you divided by ||w|| + |b|; the "
                                                                               "length of u = (w, b) is "
                                                                               "sqrt(||w||^2 + b^2)."),
        ]
        for wrong, why in mistakes:
            if math.isclose(value, wrong, rel_tol=1e-4, abs_tol=1e-6):
                raise Wrong(f"{where}: {why}")
        raise Wrong(f"{where} you returned {value:.5g}, expected {expected:.5g}.")


# ---------------------------------------------------------------- 01.3 predict: how many truth tables


@exercise(
    "01.3",
    title="Predict: how many of the 16 truth tables",
    hint="Sort the 16 tables: those that ignore both inputs, those that depend on one input only, and those that "
    "need both. For each, ask whether one straight line can split the four corners of the square that way.",
)
def truth_tables(answer: Any) -> None:
    """The answer is an int: how many of the 16 Boolean functions of two inputs one neuron computes."""
    count = expect_int(answer, "Your prediction")
    if count == 14:
        return
    feedback = {
        16: "Not every table: XOR was just proved impossible.",
        15: "XOR is out, but so is its mirror image XNOR (1 when the inputs agree): swap the two classes in "
            "the proof and the same contradiction appears.",
        4: "More than AND, OR, NAND and NOR: a neuron can also ignore an input (w = 0) or both.",
        6: "More than six: besides AND, OR, NAND and NOR, a neuron can also copy or negate a single input, "
           "or ignore both.",
    }
    if not 0 <= count <= 16:
        raise Wrong(f"{count} is not possible: there are only 2^4 = 16 truth tables on two binary inputs.")
    if count in feedback:
        raise Wrong(f"Not {count}. {feedback[count]}")
    if count > 14:
        raise Wrong(f"Not {count}: too many. Which tables put (0, 1) and (1, 0) on one side and (0, 0) and "
                    "(1, 1) on the other?")
    raise Wrong(f"Not {count}: too few. Count by kind: the two constants; the four tables that copy or negate "
                "one input; and, among those that need both inputs, AND, OR, NAND, NOR, 'x1 and not x2' and "
                "'x1 or not x2', the last two in both directions.")


# ---------------------------------------------------------------- 01.4 predict: will it converge

exercise(
    "01.4",
    title="Will it converge?",
    hint="The convergence theorem needs one thing of the data, in however many dimensions the points live. "
    "Which of these sets has it?",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "The four XOR points cannot be split by one line, so at least one is always misclassified and "
                 "the updates never stop, however long you train.",
            "b": "Right: with x3 = x1 x2 the points live in three dimensions, where a plane separates them (for "
                 "example x1 + x2 - 2 x3 = 0.5), so the convergence theorem promises that the updates stop.",
            "c": "One mislabelled point inside the other cloud makes the set not linearly separable: that point "
                 "(or a neighbour) is always wrong, so updates never stop.",
            "d": "The learning rate does not change which lines exist: from zero weights it only scales them, as "
                 "the run with lr = 0.5 showed. XOR has no separating line, so the perceptron still cycles.",
        },
    )
)
