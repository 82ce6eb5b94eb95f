"""Exercises of notebook 05 (Training in practice)."""

from __future__ import annotations

from typing import Any

import torch

from course_utils.checks import NotAttempted, Wrong, exercise, expect_function, multiple_choice


def _as_tensor(value: Any, what: str) -> torch.Tensor:
    if value is None or value is Ellipsis:
        raise NotAttempted("Your function returns None: it still needs a return statement.")
    if not isinstance(value, torch.Tensor):
        raise Wrong(f"{what}: expected a tensor, got {type(value).__name__}.")
    return value


@exercise(
    "05.1",
    title="Inverted dropout",
    hint="In training, keep each entry with probability 1 - p (torch.rand_like(x) > p), zero the rest, "
         "and divide the kept ones by 1 - p. In evaluation, return x unchanged.",
)
def inverted_dropout(answer: Any) -> None:
    """The answer is a function f(x, p, training) -> x with inverted dropout applied."""
    expect_function(answer)
    # The learner's function draws from the global generator: seed it for a repeatable check,
    # and give the notebook its random state back afterwards.
    with torch.random.fork_rng():
        torch.manual_seed(123)
        _check_inverted_dropout(answer)


def _check_inverted_dropout(answer: Any) -> None:
    x = torch.full((200, 500), 2.0)
    p = 0.3
    out = _as_tensor(answer(x, p, True), "In training mode")
    if out.shape != x.shape:
        raise Wrong(f"In training mode the output has shape {tuple(out.shape)}, expected {tuple(x.shape)}.")
    zeros = (out == 0).float().mean().item()
    mean = out.mean().item()
    if abs(zeros - (1 - p)) < 0.02:
        raise Wrong(f"With p = {p} you zeroed {zeros:.0%} of the entries: p is the probability of *dropping* "
                    "an entry, not of keeping it.", hint="Keep an entry when torch.rand_like(x) > p.")
    if abs(zeros - p) > 0.02:
        raise Wrong(f"With p = {p} you zeroed {zeros:.1%} of the entries, expected about {p:.0%}.")
    kept = out[out != 0]
    if torch.allclose(kept, torch.full_like(kept, 2.0)):
        raise Wrong(f"The kept entries are not rescaled: the mean drops from 2.0 to {mean:.2f}.",
                    hint="Divide the kept entries by 1 - p, so that the expected value stays the same.")
    if torch.allclose(kept, torch.full_like(kept, 2.0 * (1 - p))):
        raise Wrong("You multiplied the kept entries by 1 - p: divide by 1 - p instead "
                    "(inverted dropout scales up in training so that evaluation needs no change).")
    if not torch.allclose(kept, torch.full_like(kept, 2.0 / (1 - p)), rtol=1e-5):
        raise Wrong(f"The kept entries should all equal 2.0 / (1 - p) = {2.0 / (1 - p):.4f}; "
                    f"yours range from {kept.min().item():.4f} to {kept.max().item():.4f}.")
    if abs(mean - 2.0) > 0.03:
        raise Wrong(f"The mean in training mode is {mean:.3f}; inverted dropout keeps it at 2.0.")
    # Evaluation mode: the identity, deterministic.
    z = torch.randn(64, 32, generator=torch.Generator().manual_seed(5))
    evaluated = _as_tensor(answer(z, p, False), "In evaluation mode")
    if not torch.equal(evaluated, z):
        if torch.allclose(evaluated, z * (1 - p)):
            raise Wrong("In evaluation mode you multiplied by 1 - p: that is the old, non-inverted dropout. "
                        "With inverted dropout the scaling already happened in training, so evaluation returns x as is.")
        raise Wrong("In evaluation mode (training=False) dropout must return its input unchanged.",
                    hint="Start the function with: if not training or p == 0: return x")
    # p = 0 in training drops nothing.
    unchanged = _as_tensor(answer(z, 0.0, True), "With p = 0")
    if not torch.allclose(unchanged, z):
        raise Wrong("With p = 0 nothing should be dropped or rescaled, even in training mode.")
    # The mask must be random: two calls give different masks.
    first, second = answer(x, 0.5, True), answer(x, 0.5, True)
    if torch.equal(first, second):
        raise Wrong("Two calls in training mode dropped exactly the same entries: draw a new random mask each call.")


@exercise(
    "05.2",
    title="One SGD step with an L2 penalty",
    hint="The penalty (lam / 2) * ||w||^2 has gradient lam * w. Add it to the loss gradient, then step: "
         "w - lr * (grad + lam * w).",
)
def sgd_step_with_l2(answer: Any) -> None:
    """The answer is a function f(w, grad, lr, lam) -> the new weights."""
    expect_function(answer)
    w = torch.tensor([1.0, -2.0, 0.5, 0.0])
    grad = torch.tensor([0.2, 0.1, -0.4, 0.3])
    lr, lam = 0.1, 0.5
    expected = w - lr * (grad + lam * w)
    got = _as_tensor(answer(w.clone(), grad.clone(), lr, lam), "The new weights")
    if got.shape != w.shape:
        raise Wrong(f"The new weights have shape {tuple(got.shape)}, expected {tuple(w.shape)}.")
    mistakes = {
        "the penalty gradient has the wrong sign: weight decay pulls weights towards zero, so subtract lr * lam * w.":
            w - lr * (grad - lam * w),
        "you used lam / 2 * w as the penalty's gradient: the derivative of (lam / 2) w^2 is lam * w.":
            w - lr * (grad + lam / 2 * w),
        "you used lam * sign(w): that is the gradient of the L1 penalty lam * |w|, not of the L2 penalty.":
            w - lr * (grad + lam * torch.sign(w)),
        "the loss gradient is missing: the step must follow grad + lam * w.":
            w - lr * lam * w,
        "the penalty is missing: this is a plain SGD step.":
            w - lr * grad,
        "the learning rate does not multiply the penalty term.":
            w - lr * grad - lam * w,
        "the step goes uphill: subtract the gradient, do not add it.":
            w + lr * (grad + lam * w),
    }
    if not torch.allclose(got, expected, atol=1e-6):
        for why, wrong in mistakes.items():
            if torch.allclose(got, wrong, atol=1e-6):
                raise Wrong(f"For w = {w.tolist()} you returned {got.tolist()}: {why}")
        raise Wrong(f"For w = {w.tolist()}, grad = {grad.tolist()}, lr = {lr}, lam = {lam} "
                    f"you returned {got.tolist()}, expected {expected.tolist()}.")
    # A second case with other numbers guards against hard-coded values.
    g = torch.Generator().manual_seed(3)
    w2, grad2 = torch.randn(3, 4, generator=g), torch.randn(3, 4, generator=g)
    got2 = _as_tensor(answer(w2.clone(), grad2.clone(), 0.03, 0.01), "The new weights")
    if not torch.allclose(got2, w2 - 0.03 * (grad2 + 0.01 * w2), atol=1e-6):
        raise Wrong("Right on the first example but not on a random 3x4 matrix with lr = 0.03, lam = 0.01: "
                    "does your function use its lr and lam arguments?")


exercise(
    "05.3",
    title="A big model trained for long",
    hint="Think of the two curves in the overfitting section: what does the training loss do, and what does "
         "the validation loss do once the network starts memorising?",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "The training loss keeps falling, but the validation loss does not follow it for ever: "
                 "once the network memorises the training examples, it gets worse on new ones.",
            "b": "Right: validation loss falls, reaches a minimum, then rises while the training loss keeps "
                 "falling. That minimum is where early stopping would stop.",
            "c": "At first the network learns patterns that hold for all digits, so validation loss falls too; "
                 "overfitting only shows later.",
            "d": "A network that is big enough keeps driving its training loss down; nothing makes both curves freeze.",
        },
    )
)

exercise(
    "05.4",
    title="The first debugging step",
    hint="Which test is fast, needs no tuning, and fails only if something is broken in the model, loss or loop?",
)(
    multiple_choice(
        correct="c",
        feedback={
            "a": "A search over learning rates is expensive, and if there is a bug every point of it is wasted.",
            "b": "More layers add capacity, but a model that cannot learn because of a bug will not learn when it is bigger.",
            "c": "Right: a working model and loop can drive the loss on a single small batch close to zero in "
                 "seconds. If it cannot, there is a bug to fix before anything else.",
            "d": "Training on everything for 100 epochs takes long and, if the loss does not fall, tells you "
                 "little about where the problem is.",
        },
    )
)
