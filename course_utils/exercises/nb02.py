"""Exercises of notebook 02 (Activations and losses)."""

from __future__ import annotations

import math
from typing import Any

import torch

from course_utils.checks import NotAttempted, Wrong, exercise, expect_function, multiple_choice

exercise(
    "02.1",
    title="Which gradient vanishes",
    hint="Picture each activation's slope far to the left and far to the right of zero.",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "The ReLU's slope is 0 for negative inputs but exactly 1 for every positive input, "
                 "however large: it does not saturate on the positive side.",
            "b": "Right: tanh'(z) = 1 - tanh(z)^2 tends to 0 as z grows in either direction.",
            "c": "The leaky ReLU's slope is 1 for positive inputs and alpha (e.g. 0.01) for negative "
                 "ones, whatever their size: small, but it does not shrink towards 0.",
            "d": "The absolute value has slope +1 or -1 everywhere except at 0: its gradient never vanishes.",
        },
    )
)


def _as_tensor(value: Any, what: str) -> torch.Tensor:
    if value is None or value is Ellipsis:
        raise NotAttempted("Your function returns None: it still needs a return statement.")
    try:
        return torch.as_tensor(value, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise Wrong(f"{what}: expected a tensor of numbers, got {type(value).__name__}.") from exc


@exercise(
    "02.2",
    title="A stable log-sum-exp",
    hint="m = z.max(dim=-1, keepdim=True).values; then m + log(sum(exp(z - m))) over the last dimension.",
)
def stable_logsumexp(answer: Any) -> None:
    """The answer is a function logsumexp(z) -> log(sum(exp(z))) over the last dimension."""
    expect_function(answer)
    generator = torch.Generator().manual_seed(2)
    z = 2 * torch.randn(4, 6, generator=generator)
    expected = torch.logsumexp(z, dim=-1)
    got = _as_tensor(answer(z.clone()), "For a (4, 6) input")
    if got.shape != expected.shape:
        if got.numel() == 1:
            raise Wrong("For a (4, 6) input you returned a single number; expected one value per row, shape (4,).",
                        hint="Reduce over the last dimension only: .sum(dim=-1), and .max(dim=-1, keepdim=True).")
        if got.shape == z.shape:
            raise Wrong("For a (4, 6) input you returned shape (4, 6): one value per logit. "
                        "Sum the exponentials over the last dimension to get one value per row.")
        if got.shape == (4, 1):
            raise Wrong("You returned shape (4, 1); expected (4,). Drop the kept dimension with .squeeze(-1).")
        raise Wrong(f"For a (4, 6) input you returned shape {tuple(got.shape)}, expected (4,): one value per row. "
                    "Reduce over the last dimension (dim=-1), where the classes are.")
    rows_max = z.max(dim=-1).values
    mistakes = [
        (rows_max, "That is the maximum of each row, the T -> 0 limit of log-sum-exp, not log-sum-exp itself."),
        (torch.log(torch.exp(z - z.max(dim=-1, keepdim=True).values).sum(dim=-1)),
         "You subtracted the maximum but forgot to add it back at the end: log sum exp(z) = m + log sum exp(z - m)."),
        (torch.exp(z).sum(dim=-1), "That is the sum of the exponentials: take its logarithm."),
        (torch.log(torch.exp(z).sum(dim=-1)) - rows_max,
         "You subtracted the maximum after taking the logarithm; it has to be added back, not subtracted."),
    ]
    if not torch.allclose(got, expected.double(), atol=1e-4, rtol=1e-5):
        for wrong, why in mistakes:
            if torch.allclose(got, wrong.double(), atol=1e-4, rtol=1e-5):
                raise Wrong(why)
        raise Wrong(f"For z = {z[0].numpy().round(2).tolist()} you returned {got[0].item():.4f}, "
                    f"expected {expected[0].item():.4f}.")
    # Huge logits: the naive formula overflows (exp(1000) = inf) or underflows (exp(-1000) = 0).
    huge = torch.tensor([[1000.0, 0.0, -1000.0], [-1000.0, -1001.0, -1002.0], [88.0, 89.0, 90.0]])
    expected_huge = torch.logsumexp(huge, dim=-1).double()
    got_huge = _as_tensor(answer(huge.clone()), "For huge logits")
    if got_huge.shape != expected_huge.shape or not torch.isfinite(got_huge).all():
        rows_alone_ok = True
        for row in huge:
            try:
                alone = _as_tensor(answer(row[None].clone()), "For one row")
                rows_alone_ok &= bool(torch.isfinite(alone).all())
            except Wrong:
                rows_alone_ok = False
        if rows_alone_ok:
            raise Wrong("On the logits [[1000, 0, -1000], [-1000, -1001, -1002]] your function gave inf or nan, "
                        "although each row alone works: you shifted by the maximum of the whole tensor. "
                        "Shift each row by its own maximum (z.max(dim=-1, keepdim=True)).")
        raise Wrong(f"On the logits [[1000, 0, -1000], [-1000, -1001, -1002]] your function returned "
                    f"{got_huge.flatten()[:3].tolist()}: exp(1000) overflows to inf and exp(-1000) underflows to 0 "
                    "in float32. Subtract each row's maximum before exp, and add it back after log.")
    if not torch.allclose(got_huge, expected_huge, atol=1e-3, rtol=1e-6):
        raise Wrong(f"On huge logits you returned {got_huge.tolist()}, expected "
                    f"{[round(v, 4) for v in expected_huge.tolist()]}.")
    # A single 1-D vector of logits gives a single number.
    vector = torch.tensor([1.0, 2.0, 3.0])
    try:
        got_vector = _as_tensor(answer(vector.clone()), "For a 1-D input")
    except IndexError as exc:
        raise Wrong(f"For the 1-D logits [1, 2, 3] your function raised IndexError ({exc}). "
                    "Use dim=-1 (the last dimension), which works for any number of dimensions, not dim=1.") from exc
    if got_vector.numel() != 1 or abs(got_vector.item() - torch.logsumexp(vector, 0).item()) > 1e-4:
        raise Wrong(f"For the 1-D logits [1, 2, 3] you returned {got_vector.tolist()}, expected "
                    f"{torch.logsumexp(vector, 0).item():.4f}. Use dim=-1 (the last dimension), not dim=1.")


@exercise(
    "02.3",
    title="Cross-entropy from logits",
    hint="Per example: logsumexp(logits) - logits[i, y_i]; then the mean over the examples.",
)
def cross_entropy_from_logits(answer: Any) -> None:
    """The answer is a function cross_entropy(logits, targets) -> the mean cross-entropy."""
    expect_function(answer)
    generator = torch.Generator().manual_seed(3)
    logits = 2 * torch.randn(6, 4, generator=generator)
    targets = torch.tensor([0, 3, 1, 1, 2, 0])
    per_example = torch.logsumexp(logits, -1) - logits[torch.arange(6), targets]
    expected = per_example.mean().item()
    got = _as_tensor(answer(logits.clone(), targets.clone()), "For a batch of 6 examples")
    if got.numel() != 1:
        if got.numel() == 6:
            raise Wrong("You returned 6 numbers, one loss per example. The cost is their mean: add .mean().")
        raise Wrong(f"Expected one number, got a tensor of shape {tuple(got.shape)}.")
    value = got.item()
    probabilities = torch.softmax(logits, -1)
    mistakes = {
        per_example.sum().item(): "That is the sum of the per-example losses: divide by the number of examples (use .mean()).",
        -expected: "That is the mean log-probability of the true class: the loss is its negative (a minus sign is missing).",
        -probabilities[torch.arange(6), targets].mean().item(): "You averaged -p_y, the probabilities themselves: take their logarithm, -log p_y.",
        (1 - probabilities[torch.arange(6), targets]).mean().item(): "That is the mean of 1 - p_y: cross-entropy uses -log p_y.",
        -torch.log_softmax(logits, -1).mean().item(): "You averaged -log p over every class; use only the true class of each example (logits[torch.arange(N), targets]).",
        torch.nn.functional.cross_entropy(probabilities, targets).item(): "You applied softmax and then a cross-entropy that applies softmax again (double softmax).",
    }
    if not math.isclose(value, expected, rel_tol=1e-5, abs_tol=1e-5):
        for wrong, why in mistakes.items():
            if math.isclose(value, wrong, rel_tol=1e-5, abs_tol=1e-5):
                raise Wrong(f"For 6 random examples you returned {value:.4f}, expected {expected:.4f}. {why}")
        raise Wrong(f"For 6 random examples with 4 classes you returned {value:.4f}, expected {expected:.4f}.")
    # Huge logits: finite and right.
    huge = torch.tensor([[1000.0, 0.0, -1000.0], [-1000.0, -1001.0, -1002.0]])
    huge_targets = torch.tensor([2, 0])
    expected_huge = (torch.logsumexp(huge, -1) - huge[torch.arange(2), huge_targets]).mean().item()
    got_huge = _as_tensor(answer(huge.clone(), huge_targets.clone()), "For huge logits")
    if got_huge.numel() != 1 or not torch.isfinite(got_huge).all():
        raise Wrong(f"On the logits [[1000, 0, -1000], [-1000, -1001, -1002]] you returned {got_huge.flatten().tolist()}: "
                    "exp overflows or underflows. Compute log p_y as z_y - logsumexp(z) (stable), not log(softmax(z)).")
    if not math.isclose(got_huge.item(), expected_huge, rel_tol=1e-5, abs_tol=1e-3):
        raise Wrong(f"On huge logits you returned {got_huge.item():.4f}, expected {expected_huge:.4f}.")
    # A second, larger batch guards against answers tied to the first one's size.
    logits2 = 3 * torch.randn(50, 7, generator=generator)
    targets2 = torch.randint(0, 7, (50,), generator=generator)
    expected2 = torch.nn.functional.cross_entropy(logits2, targets2).item()
    got2 = _as_tensor(answer(logits2.clone(), targets2.clone()), "For 50 examples")
    if got2.numel() != 1 or not math.isclose(got2.item(), expected2, rel_tol=1e-5, abs_tol=1e-5):
        raise Wrong("Right on the first batch but not on 50 examples with 7 classes: does your code depend on the "
                    "batch size 6 or on 4 classes?")


exercise(
    "02.4",
    title="The constant that minimises MAE",
    hint="Which constant has as many readings above it as below it?",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "The mean minimises the MSE (squared errors). Under MAE, moving c from 22 towards 4 brings it "
                 "closer to four readings and further from only one, so the cost falls.",
            "b": "Right: MAE is minimised by the median, 4, however far away the 96 is.",
            "c": "Halfway between the extremes minimises the largest error, not the average absolute error.",
            "d": "A whole interval of minimisers happens with an even number of readings (anything between the "
                 "two middle ones). With five readings the middle one, 4, is the only minimiser: at 3 or 5 there "
                 "are three readings on one side and two on the other.",
        },
    )
)
