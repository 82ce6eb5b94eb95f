"""Exercises of notebook 01 (The artificial neuron)."""

from __future__ import annotations

from typing import Any

import torch

from course_utils.checks import NotAttempted, Wrong, exercise, expect_function, multiple_choice

_INPUTS = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def _step(z: torch.Tensor) -> torch.Tensor:
    """The step of notebook 01: 1 where z >= 0, else 0."""
    return (z >= 0).to(torch.int64)


def _reference_step(w: torch.Tensor, b: float, x: torch.Tensor, y: int, lr: float) -> tuple[torch.Tensor, float]:
    y_hat = float(_step(x @ w + b))
    return w + lr * (y - y_hat) * x, b + lr * (y - y_hat)


def _as_pair(result: Any) -> tuple[torch.Tensor, float]:
    if result is None or result is Ellipsis:
        raise NotAttempted("Your function returns None: it still needs to return (new_w, new_b).")
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Wrong(f"Expected a pair (new_w, new_b), got {type(result).__name__}.",
                    hint="End with `return w_new, b_new`.")
    new_w, new_b = result
    new_w = torch.as_tensor(new_w, dtype=torch.float32)
    try:
        new_b = float(new_b)
    except (TypeError, ValueError) as exc:
        raise Wrong(f"new_b should be one number, got {new_b!r}.") from exc
    return new_w, new_b


@exercise(
    "01.1",
    title="One step of the perceptron learning rule",
    hint="First predict y_hat = step(x @ w + b) (1 when the sum is >= 0). Then w + lr * (y - y_hat) * x and b + lr * (y - y_hat).",
)
def perceptron_step(answer: Any) -> None:
    """The answer is a function f(w, b, x, y, lr) -> (new_w, new_b)."""
    expect_function(answer)
    # (w, b, x, y, lr) cases: a false 0, a false 1, a correct one, and z exactly 0.
    cases = [
        (torch.tensor([0.5, -1.0]), 0.2, torch.tensor([1.0, 2.0]), 1, 0.1),
        (torch.tensor([1.0, 1.0]), -0.5, torch.tensor([1.0, 0.0]), 0, 0.5),
        (torch.tensor([2.0, -1.0]), 0.0, torch.tensor([1.0, 1.0]), 1, 0.3),
        (torch.tensor([0.0, 0.0]), 0.0, torch.tensor([1.0, 1.0]), 0, 0.1),
    ]
    generator = torch.Generator().manual_seed(7)
    for _ in range(20):  # random 3-d cases guard against answers that only fit two inputs
        w = torch.randn(3, generator=generator)
        x = torch.randn(3, generator=generator)
        cases.append((w, float(torch.randn((), generator=generator)), x,
                      int(torch.randint(0, 2, (), generator=generator)), 0.25))
    for w, b, x, y, lr in cases:
        expected_w, expected_b = _reference_step(w, b, x, y, lr)
        got_w, got_b = _as_pair(answer(w.clone(), b, x.clone(), y, lr))
        if got_w.shape != w.shape:
            raise Wrong(f"new_w has shape {tuple(got_w.shape)}, expected {tuple(w.shape)} (one weight per input).")
        if torch.allclose(got_w, expected_w, atol=1e-5) and abs(got_b - expected_b) < 1e-5:
            continue
        where = f"For w={w.tolist()}, b={b}, x={x.tolist()}, y={y}, lr={lr}"
        z = float(x @ w + b)
        y_hat = float(_step(torch.tensor(z)))
        error = y - y_hat
        mistakes = [] if z != 0 else [
            (w, b, "at z = 0 exactly the step outputs 1 here (step(z) = 1 when z >= 0), so this example is a false 1."),
        ]
        mistakes += [
            (w - lr * error * x, b - lr * error,
             "the update goes the wrong way: use (y - y_hat), not (y_hat - y)."),
            (w + lr * error * x, b,
             "the weights are right but the bias did not move: update b by lr * (y - y_hat) too."),
            (w + lr * (y - z) * x, b + lr * (y - z),
             "you used the raw sum z instead of the prediction step(z): that is a different rule (the delta rule)."),
            (w + lr * y * x, b + lr * y,
             "you added y * x even when the prediction was right: the update is proportional to the error y - y_hat."),
            (w + error * x, b + error,
             "the learning rate lr is missing from the update."),
        ]
        for wrong_w, wrong_b, why in mistakes:
            if torch.allclose(got_w, wrong_w, atol=1e-5) and abs(got_b - wrong_b) < 1e-5:
                raise Wrong(f"{where}: {why}")
        if error == 0:
            raise Wrong(f"{where} the prediction is already right, so nothing should change; "
                        f"you returned w={got_w.tolist()}, b={got_b:.4g}.")
        raise Wrong(f"{where} you returned w={[round(v, 4) for v in got_w.tolist()]}, b={got_b:.4g}; "
                    f"expected w={[round(v, 4) for v in expected_w.tolist()]}, b={expected_b:.4g}.")


_GATES = {
    (0, 0, 0, 1): "AND",
    (0, 1, 1, 1): "OR",
    (1, 0, 0, 0): "NOR",
    (0, 1, 1, 0): "XOR",
    (1, 1, 1, 1): "a unit that always says 1",
    (0, 0, 0, 0): "a unit that always says 0",
}


@exercise(
    "01.2",
    title="A NAND gate by hand",
    hint="NAND is 'not AND': 1 unless both inputs are 1. Start from AND (w1 = w2 = 1, b = -1.5) and flip the signs of all three.",
)
def nand_weights(answer: Any) -> None:
    """The answer is a triple (w1, w2, b) for a neuron step(w1 x1 + w2 x2 + b)."""
    if isinstance(answer, (tuple, list)) and any(v is None or v is Ellipsis for v in answer):
        raise NotAttempted("Replace every ... with a number.")
    try:
        values = [float(v) for v in answer]
    except (TypeError, ValueError) as exc:
        raise Wrong(f"Expected three numbers (w1, w2, b), got {answer!r}.") from exc
    if len(values) != 3:
        raise Wrong(f"Expected three numbers (w1, w2, b), got {len(values)}.")
    w = torch.tensor(values[:2])
    outputs = tuple(int(v) for v in _step(_INPUTS @ w + values[2]))
    if outputs == (1, 1, 1, 0):
        return
    table = ", ".join(f"{a},{b} -> {o}" for (a, b), o in zip(_INPUTS.int().tolist(), outputs, strict=True))
    gate = _GATES.get(outputs)
    named = f" That is {gate}." if gate else ""
    raise Wrong(f"Your neuron computes {table}; NAND needs 0,0 -> 1, 0,1 -> 1, 1,0 -> 1, 1,1 -> 0.{named}")


exercise(
    "01.3",
    title="Will it converge?",
    hint="The convergence theorem needs one thing of the data. Which of these sets has it?",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "The four XOR points cannot be split by one line, so at least one is always misclassified and the updates never stop, however long you train.",
            "b": "Right: a line (for example x1 = 0.5 with the right sign) separates these points, so the convergence theorem promises that the updates stop after finitely many mistakes.",
            "c": "One mislabelled point inside the other cloud makes the set not linearly separable: that point (or a neighbour) is always wrong, so updates never stop.",
            "d": "A smaller learning rate does not change which lines exist. XOR has no separating line at any learning rate, so the perceptron still cycles.",
        },
    )
)


exercise(
    "01.4",
    title="Why XOR defeats one neuron",
    hint="Think about what any setting of w1, w2, b can draw in the plane, not about how the rule searches.",
)(
    multiple_choice(
        correct="c",
        feedback={
            "a": "The learning rate only scales the steps. The brute-force search in the notebook tried every (w1, w2, b) on a grid, with no learning at all, and still found none.",
            "b": "More epochs do not help: the perceptron's accuracy on XOR went up and down for a thousand epochs without ever reaching 100%.",
            "c": "Right: one neuron splits the plane with a straight line, and the four XOR inequalities contradict each other, so no weights exist, whatever the training.",
            "d": "The neuron has a bias b, and even with it no setting works: the contradiction in the proof uses b explicitly.",
        },
    )
)
