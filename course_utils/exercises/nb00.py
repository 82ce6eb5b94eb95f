"""Exercises of notebook 00 (Welcome and setup)."""

from __future__ import annotations

from typing import Any

import torch

from course_utils.checks import NotAttempted, Wrong, exercise, expect_function, multiple_choice


@exercise(
    "00.1",
    title="Mean squared error",
    hint="Subtract the targets from the predictions, square each difference, then average (tensors have a .mean() method).",
)
def mean_squared_error(answer: Any) -> None:
    """The answer is a function f(predictions, targets) -> the mean squared error."""
    expect_function(answer)
    predictions = torch.tensor([2.0, 0.5, -1.0, 3.0])
    targets = torch.tensor([1.0, 0.5, 1.0, 0.0])
    expected = ((predictions - targets) ** 2).mean().item()  # (1 + 0 + 4 + 9) / 4 = 3.5
    got = answer(predictions, targets)
    if got is None or got is Ellipsis:
        raise NotAttempted("Your function returns None: it still needs a return statement.")
    try:
        value = float(got)
    except (TypeError, ValueError) as exc:
        raise Wrong(f"Expected one number (a 0-d tensor or a float), got {got!r}.") from exc
    mistakes = {
        (predictions - targets).abs().mean().item(): "That is the mean absolute error (L1): square the differences instead of taking their absolute value.",
        ((predictions - targets) ** 2).sum().item(): "That is the sum of squared errors: divide by the number of examples to get the mean.",
        ((predictions - targets) ** 2).mean().sqrt().item(): "That is the root mean squared error: leave out the square root.",
        (predictions - targets).mean().item(): "That is the mean difference: positive and negative errors cancel out, so square them first.",
    }
    if abs(value - expected) > 1e-5:
        for wrong_value, why in mistakes.items():
            if abs(value - wrong_value) < 1e-5:
                raise Wrong(f"For predictions {predictions.tolist()} and targets {targets.tolist()} you returned {value:.4g}. {why}")
        raise Wrong(f"For predictions {predictions.tolist()} and targets {targets.tolist()} you returned {value:.4g}, expected {expected:.4g}.")
    # A second, random case guards against answers that only fit the first example.
    generator = torch.Generator().manual_seed(1)
    p, t = torch.randn(50, generator=generator), torch.randn(50, generator=generator)
    second = float(answer(p, t))
    if abs(second - ((p - t) ** 2).mean().item()) > 1e-4:
        raise Wrong("Your function is right on the first example but not on 50 random numbers: does it depend on the length 4?")


exercise(
    "00.2",
    title="Kinds of learning",
    hint="Ask: does the data come with the right answers (labels), without any, or as rewards for actions?",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "Supervised learning needs a label for every example, and these photos have none.",
            "b": "Right: finding groups in data without labels is unsupervised learning (clustering).",
            "c": "Reinforcement learning needs an agent that acts and receives rewards; nothing acts here.",
        },
    )
)
