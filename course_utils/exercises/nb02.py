"""Exercises of notebook 02 (Activations and losses).

02.1 the derivative of swish by hand; 02.2 predict which deep network keeps its gradient;
02.3 a stable log-sum-exp; 02.4 cross-entropy from logits; 02.5 the gradient of
softmax + cross-entropy with respect to the logits, derived and coded (the notebook's
central algorithm); 02.6 the Huber loss.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F

from course_utils.checks import (
    AUTOGRAD,
    Wrong,
    call,
    exercise,
    expect_defaults,
    expect_function,
    expect_tensor,
    forbid,
    forward_backward,
    multiple_choice,
    random_shapes,
)

LOG_SOFTMAX = ("torch.nn.functional.log_softmax", "torch.log_softmax", "torch.Tensor.log_softmax",
               "torch.special.log_softmax")
# log_softmax computes log-sum-exp inside (z - log_softmax(z) is log-sum-exp in every position).
LOGSUMEXP = ("torch.logsumexp", "torch.Tensor.logsumexp", "torch.special.logsumexp", *LOG_SOFTMAX)
CROSS_ENTROPY_BUILTINS = (
    "torch.nn.functional.cross_entropy",
    "torch.nn.functional.nll_loss",
    *LOG_SOFTMAX,
    "torch.distributions.Categorical.log_prob",  # normalises the logits and picks log p_y: cross-entropy
)
HUBER_BUILTINS = ("torch.nn.functional.huber_loss", "torch.nn.functional.smooth_l1_loss")


def _close(got: torch.Tensor, expected: torch.Tensor, atol: float, rtol: float) -> bool:
    return got.shape == expected.shape and torch.allclose(
        got.detach().double(), expected.detach().double(), atol=atol, rtol=rtol)


def _tolerances(dtype: torch.dtype) -> tuple[float, float]:
    return (1e-10, 1e-9) if dtype == torch.float64 else (1e-5, 1e-4)


def _name_mistake(got: torch.Tensor, mistakes: Sequence[tuple[torch.Tensor, str]], atol: float,
                  rtol: float) -> str | None:
    for wrong, why in mistakes:
        if _close(got, wrong, atol, rtol):
            return why
    return None


def _largest_gap(got: torch.Tensor, expected: torch.Tensor) -> str:
    gap = (got.detach().double() - expected.double()).abs().nan_to_num(nan=float("inf"))
    index = tuple(int(i) for i in torch.unravel_index(gap.argmax(), gap.shape)) if gap.dim() else ()
    at = f" at index {index}" if index else ""
    return (f"differs by up to {gap.max().item():.3g}{at} (got {got[index].item():.6g}, "
            f"expected {expected[index].item():.6g})")


def _call_all(answer: Any, calls: Sequence[tuple[tuple[Any, ...], dict[str, Any]]], name: str) -> list[Any]:
    """Call the answer on every case (inside the caller's forbid block); an error is kept, not raised."""
    results: list[Any] = []
    for args, kwargs in calls:
        try:
            results.append(call(answer, *args, name=name, **kwargs))
        except (RuntimeError, IndexError, ValueError) as error:
            results.append(error)
    return results


def _raise_if_error(result: Any, what: str, index: int, first: str) -> None:
    """Turn an error the answer raised on one case into feedback that names the case."""
    if isinstance(result, Exception):
        sizes = f" It ran on {first}: does your code depend on those sizes?" if index > 0 else ""
        raise Wrong(f"For {what} your function raised {type(result).__name__}: {str(result).rstrip('.')}.{sizes}",
                    hint="Use the sizes of the tensors you are given (x.shape, len(x)) and the arguments "
                         "(such as dim), never the sizes of one example.") from result


def _shape_text(shape: Sequence[int]) -> str:
    return "(" + ", ".join(str(size) for size in shape) + ("," if len(shape) == 1 else "") + ")"


# ---------------------------------------------------------------- 02.1 the derivative of swish


def _swish_derivative_autograd(z: torch.Tensor, beta: float) -> torch.Tensor:
    leaf = z.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad((leaf * torch.sigmoid(beta * leaf)).sum(), leaf)
    return grad


@exercise(
    "02.1",
    title="The derivative of swish, by hand",
    hint="Swish is a product, z times sigma(beta z): use the product rule, the chain rule for "
         "sigma(beta z), and sigma'(u) = sigma(u)(1 - sigma(u)) from section 3.",
)
def swish_derivative_by_hand(answer: Any) -> None:
    """The answer is a function swish_derivative(z, beta=1.0) -> d/dz [z sigma(beta z)], by hand."""
    expect_function(answer, "swish_derivative(z, beta=1.0)")
    expect_defaults(answer, "swish_derivative", beta=1.0)
    generator = torch.Generator().manual_seed(21)
    shapes = random_shapes(21, (1, 2, 3), avoid=(1,))
    matrix = 3 * torch.randn(7, 5, generator=generator)
    cases: list[tuple[str, torch.Tensor, float | None]] = [
        (f"a random {_shape_text(shapes[0])} input, default beta", 3 * torch.randn(shapes[0], generator=generator), None),
        (f"a random {_shape_text(shapes[1])} input, beta=2.0", 3 * torch.randn(shapes[1], generator=generator), 2.0),
        (f"a random {_shape_text(shapes[2])} input, beta=0.5", 3 * torch.randn(shapes[2], generator=generator), 0.5),
        ("row 2 of a (7, 5) matrix (a view), beta=10.0", matrix[2], 10.0),
        ("a random (4, 6) input in 64-bit floats, default beta",
         3 * torch.randn(4, 6, generator=generator, dtype=torch.float64), None),
        ("the inputs [-1000, -100, -30, 0, 30, 100, 1000], default beta",
         torch.tensor([-1000.0, -100.0, -30.0, 0.0, 30.0, 100.0, 1000.0]), None),
    ]
    expected_values = [_swish_derivative_autograd(z, 1.0 if beta is None else beta) for _, z, beta in cases]
    with forbid(*AUTOGRAD, answer=answer,
                instead="Here you derive the formula and code it with tensor operations (torch.sigmoid is fine)."):
        results = _call_all(answer, [((z,), {} if beta is None else {"beta": beta}) for _, z, beta in cases],
                            "swish_derivative")
    for index, ((what, z, beta), got, expected) in enumerate(zip(cases, results, expected_values, strict=True)):
        _raise_if_error(got, what, index, cases[0][0])
        got = expect_tensor(got, f"For {what}", floating=True)
        if got.shape != z.shape:
            raise Wrong(f"For {what} you returned shape {_shape_text(got.shape)}; the derivative has one value "
                        f"per entry of z, shape {_shape_text(z.shape)}.",
                        hint="Element-wise operations only: no sum or mean over z.")
        if got.dtype != z.dtype:
            raise Wrong(f"For {what} you returned {got.dtype}; keep the input's dtype ({z.dtype}).",
                        hint="Build the result from z itself, without .float() or new tensors of another dtype.")
        atol, rtol = _tolerances(z.dtype)
        if _close(got, expected, atol, rtol):
            continue
        b = 1.0 if beta is None else beta
        s = torch.sigmoid(b * z)
        if not torch.isfinite(got).all():
            raise Wrong(f"For {what} your function returned inf or nan, where the derivative is finite. "
                        "Some exp(...) overflowed: e^1000 is inf in floating point.",
                        hint="Write the derivative with torch.sigmoid(beta * z), which never overflows, "
                             "instead of exp(-beta * z) fractions.")
        if beta is not None and b != 1.0 and _close(got, _swish_derivative_autograd(z, 1.0), atol, rtol):
            raise Wrong(f"For {what} you returned the derivative for beta = 1: your function ignores beta.")
        mistakes = [
            (s, "that is sigma(beta z) alone. Swish is a product, z times sigma(beta z): the product rule "
                "adds a second term, z times the derivative of sigma(beta z)."),
            (z * s, "that is swish itself, z sigma(beta z), not its derivative."),
            (s * (1 - s), "that is the derivative of the sigmoid; swish is z times sigma(beta z)."),
            (b * s * (1 - s), "that is the derivative of sigma(beta z) only; swish is z times sigma(beta z)."),
            (s + z * s * (1 - s), "the chain rule is missing: the derivative of sigma(beta z) with respect to z "
                                  "is beta sigma(beta z)(1 - sigma(beta z)), with the inner factor beta."),
            (b * s + b * z * s * (1 - s), "beta belongs to the second term only: the first term of the product "
                                          "rule is sigma(beta z) itself."),
            (s - b * z * s * (1 - s), "a sign is wrong: both terms of the product rule are added."),
            (s + b * z * (1 - s), "the derivative of sigma(u) is sigma(u)(1 - sigma(u)), not 1 - sigma(u)."),
            (s + b * z * s, "the derivative of sigma(u) is sigma(u)(1 - sigma(u)), not sigma(u)."),
            (torch.sigmoid(z) + b * z * torch.sigmoid(z) * (1 - torch.sigmoid(z)),
             "you wrote sigma(z) where swish has sigma(beta z): beta belongs inside the sigmoid too."),
        ]
        why = _name_mistake(got, mistakes, atol, rtol)
        if why:
            raise Wrong(f"For {what}, {why}")
        raise Wrong(f"For {what} your derivative {_largest_gap(got, expected)}; the check compares with "
                    "autograd on z * torch.sigmoid(beta * z).")


# ---------------------------------------------------------------- 02.2 predict the gradient flow

exercise(
    "02.2",
    title="Which deep network keeps its gradient",
    hint="At initialisation the weighted sums are small. What is each activation's slope near z = 0, "
         "and does every unit pass the gradient back, or only some of them?",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "Near z = 0 the ReLU's slope is 1 for the units whose weighted sum is positive and 0 for "
                 "the others: only about half of the units pass the gradient back. tanh passes it through "
                 "every unit with a slope close to 1. (With He initialisation, the right panel below, the "
                 "ReLU does keep its gradient.)",
            "b": "Right: at initialisation the weighted sums are close to 0, where tanh'(z) is close to 1 for "
                 "every unit. The ReLU passes the gradient through only about half of its units, GELU and "
                 "SiLU have slope 1/2 at 0, and the sigmoid at most 1/4. tanh saturates only once the weighted "
                 "sums are large.",
            "c": "The sigmoid does worst: its slope is at most 1/4, so every layer divides the gradient by at "
                 "least 4, on top of what the weights do.",
            "d": "GELU and SiLU both have slope 1/2 at z = 0: near zero they halve the gradient at every unit "
                 "and every layer. They do better than the sigmoid, not better than tanh or the ReLU.",
            "e": "Twenty layers is deep enough for small differences to compound: a factor applied 18 times "
                 "over is enormous (0.5^18 is about 4e-6, 0.25^18 about 1.5e-11).",
        },
    )
)


# ---------------------------------------------------------------- 02.3 a stable log-sum-exp


def _lse(z: torch.Tensor, dim: int) -> torch.Tensor:
    return torch.logsumexp(z, dim=dim)


def _logsumexp_shape_hint(got: torch.Tensor, z: torch.Tensor, dim: int, what: str) -> Wrong:
    expected = tuple(_lse(z, dim).shape)
    got_shape = tuple(got.shape)
    kept = list(z.shape)
    kept[dim] = 1
    if got_shape == tuple(kept):
        return Wrong(f"For {what} you returned shape {_shape_text(got_shape)}, expected {_shape_text(expected)}: "
                     "the kept dimension is still there.",
                     hint="Drop it at the end with .squeeze(dim), or sum without keepdim.")
    if got_shape == tuple(z.shape):
        return Wrong(f"For {what} you returned shape {_shape_text(got_shape)}, one value per logit; expected "
                     f"{_shape_text(expected)}. Sum the exponentials along dim.")
    squeezed = tuple(size for size in _lse(z, dim).shape if size != 1)
    if got_shape == squeezed and got_shape != expected:
        return Wrong(f"For {what} you returned shape {_shape_text(got_shape)}, expected {_shape_text(expected)}: "
                     "you squeezed every dimension of size 1, not only the one you reduced over.",
                     hint="Write .squeeze(dim): a batch of one row must keep its batch dimension.")
    if got.numel() == 1 and len(expected) > 0:
        return Wrong(f"For {what} you returned a single number; expected shape {_shape_text(expected)}: "
                     "reduce along dim only, not over the whole tensor.")
    for other in range(z.dim()):
        if other != dim % z.dim() and got_shape == tuple(_lse(z, other).shape):
            return Wrong(f"For {what} you returned shape {_shape_text(got_shape)}: you reduced over dimension "
                         f"{other}, not over dim={dim}. Use the argument dim everywhere (in max and in sum).")
    return Wrong(f"For {what} you returned shape {_shape_text(got_shape)}, expected {_shape_text(expected)}.")


def _each_row_alone_is_finite(answer: Any, huge: torch.Tensor) -> bool:
    """Whether the answer gives finite values on each row of ``huge`` passed on its own."""
    try:
        with forbid(*LOGSUMEXP, answer=answer):
            alone = [call(answer, row[None].clone(), name="logsumexp") for row in huge]
    except Exception:
        return False
    return all(isinstance(value, torch.Tensor) and bool(torch.isfinite(value).all()) for value in alone)


@exercise(
    "02.3",
    title="A stable log-sum-exp",
    hint="Which constant m makes every exponent z_j - m at most 0? Take it along dim only (each row has its "
         "own), keep it in a shape that broadcasts against z, add it back after the log, and check that dim is "
         "gone from the result.",
)
def stable_logsumexp(answer: Any) -> None:
    """The answer is a function logsumexp(z, dim=-1) -> log(sum(exp(z))) along dim."""
    expect_function(answer, "logsumexp(z, dim=-1)")
    expect_defaults(answer, "logsumexp", dim=-1)
    generator = torch.Generator().manual_seed(23)
    (k,), (n, k2), (a, b, c) = random_shapes(23, (1, 2, 3), avoid=(1, 4, 6))
    big = 2 * torch.randn(9, k2 + 2, generator=generator)
    huge = torch.tensor([[1000.0, 0.0, -1000.0], [-1000.0, -1001.0, -1002.0], [88.0, 89.0, 90.0]])
    cases: list[tuple[str, torch.Tensor, int | None]] = [
        (f"a random ({n}, {k2}) input, default dim", 2 * torch.randn(n, k2, generator=generator), None),
        (f"a 1-D input of {k} logits, default dim", 2 * torch.randn(k, generator=generator), None),
        (f"a random ({a}, {b}, {c}) input, default dim", 2 * torch.randn(a, b, c, generator=generator), None),
        (f"a random ({a}, {b}, {c}) input with dim=1", 2 * torch.randn(a, b, c, generator=generator), 1),
        (f"a random ({n}, {k2}) input with dim=0", 2 * torch.randn(n, k2, generator=generator), 0),
        (f"a single row of {k2} logits, shape (1, {k2}), default dim", 2 * torch.randn(1, k2, generator=generator), None),
        ("the columns 1 to the end of a (9, ...) matrix (a view), default dim", big[:, 1:], None),
        ("the logits [[1000, 0, -1000], [-1000, -1001, -1002], [88, 89, 90]], default dim", huge, None),
        ("the same huge logits in 64-bit floats with dim=0", huge.double() * 3, 0),
    ]
    expected_values = [_lse(z, -1 if dim is None else dim) for _, z, dim in cases]
    with forbid(*LOGSUMEXP, answer=answer,
                instead="Here you write it yourself from max, exp, sum and log (log_softmax has log-sum-exp "
                        "inside, so it is ruled out too)."):
        results = _call_all(answer, [((z,), {} if dim is None else {"dim": dim}) for _, z, dim in cases], "logsumexp")
    for index, ((what, z, dim), got, expected) in enumerate(zip(cases, results, expected_values, strict=True)):
        d = -1 if dim is None else dim
        if isinstance(got, IndexError) and "out of range" in str(got):
            raise Wrong(f"For {what} your function raised IndexError ({got}): it reduces over a fixed "
                        "dimension. Use the argument dim (whose default -1 means the last dimension) in both "
                        "max and sum.") from got
        _raise_if_error(got, what, index, cases[0][0])
        got = expect_tensor(got, f"For {what}", floating=True)
        if got.shape != expected.shape:
            raise _logsumexp_shape_hint(got, z, d, what)
        if got.dtype != z.dtype:
            raise Wrong(f"For {what} you returned {got.dtype}; keep the input's dtype ({z.dtype}).")
        atol, rtol = _tolerances(z.dtype)
        if _close(got, expected, atol, rtol):
            continue
        if not torch.isfinite(got).all():
            if z is huge and _each_row_alone_is_finite(answer, huge):
                raise Wrong("On the logits [[1000, 0, -1000], [-1000, -1001, -1002], [88, 89, 90]] your "
                            "function gave inf or nan, although each row alone works: you shifted by the "
                            "maximum of the whole tensor. Shift each row by its own maximum "
                            "(z.max(dim=dim, keepdim=True)).")
            raise Wrong(f"For {what} your function returned inf or nan: exp(1000) overflows to inf and "
                        "exp(-1000) underflows to 0. Subtract the maximum along dim before exp, and add it back "
                        "after log.")
        m = z.max(dim=d, keepdim=True).values
        mistakes = [
            (m.squeeze(d), "that is the maximum along dim, the T -> 0 limit of log-sum-exp, not log-sum-exp itself."),
            (torch.log(torch.exp(z - m).sum(dim=d)),
             "you subtracted the maximum but forgot to add it back at the end: "
             "log sum exp(z) = m + log sum exp(z - m)."),
            (torch.exp(z).sum(dim=d), "that is the sum of the exponentials: take its logarithm."),
            (torch.log(torch.exp(z).sum(dim=d)) - m.squeeze(d),
             "you subtracted the maximum after taking the logarithm; it has to be added back, not subtracted."),
            (z.max() + torch.log(torch.exp(z - z.max()).sum(dim=d)),
             "you shifted by the maximum of the whole tensor: shift by the maximum along dim "
             "(z.max(dim=dim, keepdim=True))."),
            ((m + torch.log(torch.exp(z - m).mean(dim=d, keepdim=True))).squeeze(d),
             "you took the mean of the exponentials, which is log K too small: log-sum-exp sums them."),
        ]
        why = _name_mistake(got, mistakes, atol, rtol)
        raise Wrong(f"For {what}, {why}" if why else f"For {what} your result {_largest_gap(got, expected)}.")
    # The gradient flows: log-sum-exp is differentiable, and its gradient is the softmax.
    z = 2 * torch.randn(n, k2, generator=generator)
    with forbid(*LOGSUMEXP, answer=answer, instead="Here you write it yourself from max, exp, sum and log."):
        measured = forward_backward(lambda t: call(answer, t, name="logsumexp"), [z], seed=3)
    upstream = torch.randn(n, generator=torch.Generator().manual_seed(3))
    expected_grad = upstream[:, None] * torch.softmax(z, dim=-1)
    if measured.inputs[0] is None or not _close(measured.inputs[0], expected_grad, 1e-5, 1e-4):
        raise Wrong("Your values are right, but the gradient through your function is not the softmax: "
                    "keep the computation in torch operations on z (no .item(), no new tensors from numbers).")


# ---------------------------------------------------------------- 02.4 cross-entropy from logits


def _per_example(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return torch.logsumexp(logits, -1) - logits[torch.arange(len(targets)), targets]


@exercise(
    "02.4",
    title="Cross-entropy from logits",
    hint="Write -log p_y with the logits only (the right-hand form of section 7), the log-sum-exp computed "
         "stably; pick each example's true-class logit by indexing; then average over the examples.",
)
def cross_entropy_from_logits(answer: Any) -> None:
    """The answer is a function cross_entropy(logits, targets) -> the mean cross-entropy, a 0-d tensor."""
    expect_function(answer, "cross_entropy(logits, targets)")
    generator = torch.Generator().manual_seed(3)
    big = 3 * torch.randn(12, 9, generator=generator)
    cases: list[tuple[str, torch.Tensor, torch.Tensor]] = [
        ("6 random examples with 4 classes", 2 * torch.randn(6, 4, generator=generator), torch.tensor([0, 3, 1, 1, 2, 0])),
        ("9 examples with 5 classes", 3 * torch.randn(9, 5, generator=generator),
         torch.randint(0, 5, (9,), generator=generator)),
        ("3 examples with 11 classes", 3 * torch.randn(3, 11, generator=generator), torch.tensor([10, 0, 4])),
        ("a single example with 7 classes", 3 * torch.randn(1, 7, generator=generator), torch.tensor([5])),
        ("rows 2 to 8 of a (12, 9) matrix (a view)", big[2:8], torch.tensor([8, 1, 0, 7, 7, 3])),
        ("the logits [[1000, 0, -1000], [-1000, -1001, -1002]]",
         torch.tensor([[1000.0, 0.0, -1000.0], [-1000.0, -1001.0, -1002.0]]), torch.tensor([2, 0])),
        ("50 examples with 7 classes in 64-bit floats", 3 * torch.randn(50, 7, generator=generator, dtype=torch.float64),
         torch.randint(0, 7, (50,), generator=generator)),
    ]
    expected_values = [_per_example(z, t).mean() for _, z, t in cases]
    instead = ("Compute z_y and the log-sum-exp yourself (torch.logsumexp or your logsumexp from 02.3 "
               "is allowed).")
    with forbid(*CROSS_ENTROPY_BUILTINS, answer=answer, instead=instead):
        results = _call_all(answer, [((z, t), {}) for _, z, t in cases], "cross_entropy")
    for index, ((what, z, t), got, expected) in enumerate(zip(cases, results, expected_values, strict=True)):
        _raise_if_error(got, what, index, cases[0][0])
        got = expect_tensor(got, f"For {what}", floating=True)
        if got.shape != ():
            if got.shape == t.shape:
                raise Wrong(f"For {what} you returned {len(t)} numbers, one loss per example. The cost is their "
                            "mean: add .mean().")
            raise Wrong(f"For {what} you returned shape {_shape_text(got.shape)}; the cost is one number, a tensor "
                        "of shape () (what .mean() returns).")
        if got.dtype != z.dtype:
            raise Wrong(f"For {what} you returned {got.dtype}; keep the logits' dtype ({z.dtype}).")
        atol, rtol = _tolerances(z.dtype)
        if _close(got, expected, atol, rtol):
            continue
        if not torch.isfinite(got):
            raise Wrong(f"For {what} you returned {got.item()}: exp overflows or underflows. Compute log p_y as "
                        "z_y - logsumexp(z), which stays finite, not as log(softmax(z)).")
        per_example = _per_example(z, t)
        n, k = z.shape
        p = torch.softmax(z, -1)
        p_true = p[torch.arange(n), t]
        mistakes = [
            (per_example.sum(), "that is the sum of the per-example losses: divide by the number of examples "
                                "(use .mean())."),
            (per_example.sum() / k, "you divided the sum by the number of classes K; the mean is over the N examples."),
            (-expected, "that is the mean log-probability of the true class: the loss is its negative "
                        "(a minus sign is missing)."),
            (-p_true.mean(), "you averaged -p_y, the probabilities themselves: take their logarithm, -log p_y."),
            ((1 - p_true).mean(), "that is the mean of 1 - p_y: cross-entropy uses -log p_y."),
            (-torch.log_softmax(z, -1).mean(), "you averaged -log p over every class; use only the true class of "
                                               "each example (logits[torch.arange(N), targets])."),
            (F.cross_entropy(p, t), "you applied softmax and then a cross-entropy that applies softmax again "
                                    "(double softmax)."),
            (per_example.sum() / (n * k), "you divided by N times K, as if the cost were a mean over every logit; "
                                          "it is the mean over the N examples of one loss each."),
            (per_example.mean() - math.log(k), "you took the log of the mean of the exponentials, which is log K "
                                               "too small: the log-sum-exp sums them."),
            ((torch.logsumexp(z, -1) - z.max(dim=-1).values).mean(),
             "you used the largest logit of each row, the model's prediction; use the logit of the true class, "
             "logits[torch.arange(N), targets]."),
            ((torch.logsumexp(z, -1)[:, None] - z[:, t]).mean(),
             "logits[:, targets] picks every target's column in every row (an N x N table); pick one entry per "
             "row with logits[torch.arange(N), targets]."),
            ((torch.logsumexp(z, 0).mean() - z[torch.arange(n), t].mean()),
             "the log-sum-exp runs over the wrong axis: each example's classes lie along its row (dim=1)."),
        ]
        if int(t.max()) < k - 1:  # no example of the last class: F.one_hot(targets) guesses too few classes
            present = z[:, : int(t.max()) + 1]
            mistakes.append(((torch.logsumexp(present, -1) - z[torch.arange(n), t]).mean(),
                             f"the log-sum-exp left out the classes above {int(t.max())}, the largest target in "
                             f"this batch: F.one_hot(targets) guesses the number of classes from the targets. "
                             f"Use all {k} logits (num_classes=logits.shape[1])."))
        why = _name_mistake(got, mistakes, atol, rtol)
        if why:
            raise Wrong(f"For {what} you returned {got.item():.4f}, expected {expected.item():.4f}: {why}")
        if index > 0:  # the first case passed
            raise Wrong(f"Right on 6 examples with 4 classes, but for {what} you returned {got.item():.4f}, expected "
                        f"{expected.item():.4f}: does your code depend on the batch size 6 or on 4 classes?")
        raise Wrong(f"For {what} you returned {got.item():.4f}, expected {expected.item():.4f}.")
    # The cost must be differentiable: training calls .backward() on it.
    z, t = cases[1][1], cases[1][2]
    with forbid(*CROSS_ENTROPY_BUILTINS, answer=answer, instead=instead):
        measured = forward_backward(lambda logits: call(answer, logits, t, name="cross_entropy"), [z], seed=4)
    upstream = torch.randn((), generator=torch.Generator().manual_seed(4))
    expected_grad = upstream * (torch.softmax(z, -1) - F.one_hot(t, z.shape[1])) / len(t)
    if measured.inputs[0] is None or not _close(measured.inputs[0], expected_grad, 1e-5, 1e-4):
        raise Wrong("Your values are right, but the gradient of your cost with respect to the logits is not: "
                    "keep the computation in torch operations on the logits (no .item(), no detach).")


# ---------------------------------------------------------------- 02.5 the gradient of cross-entropy


def _cross_entropy_grad_autograd(logits: torch.Tensor, targets: torch.Tensor, reduction: str) -> torch.Tensor:
    leaf = logits.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(F.cross_entropy(leaf, targets, reduction=reduction), leaf)
    return grad


@exercise(
    "02.5",
    title="The gradient of cross-entropy, by hand",
    hint="Follow the four steps of the derivation: the log-sum-exp term (which quantity of section 5 is "
         "e^{z_k} / sum_j e^{z_j}?), the -z_y term, one example, then the batch.",
)
def cross_entropy_gradient(answer: Any) -> None:
    """The answer is a function cross_entropy_grad(logits, targets, reduction="mean") -> dJ/dlogits."""
    expect_function(answer, 'cross_entropy_grad(logits, targets, reduction="mean")')
    expect_defaults(answer, "cross_entropy_grad", reduction="mean")
    generator = torch.Generator().manual_seed(25)
    big = 2 * torch.randn(10, 8, generator=generator)
    cases: list[tuple[str, torch.Tensor, torch.Tensor, str | None]] = [
        ("5 examples with 3 classes", 2 * torch.randn(5, 3, generator=generator), torch.tensor([0, 2, 1, 1, 0]), None),
        ("7 examples with 12 classes", 3 * torch.randn(7, 12, generator=generator),
         torch.randint(0, 12, (7,), generator=generator), None),
        ("4 examples with 6 classes, none of them of the last class", 2 * torch.randn(4, 6, generator=generator),
         torch.tensor([0, 3, 1, 3]), None),
        ("9 examples with 4 classes, reduction=\"sum\"", 2 * torch.randn(9, 4, generator=generator),
         torch.tensor([3, 1, 0, 2, 2, 1, 0, 3, 1]), "sum"),
        ("a single example with 5 classes", 2 * torch.randn(1, 5, generator=generator), torch.tensor([4]), None),
        ("rows 1 to 7 of a (10, 8) matrix (a view)", big[1:7], torch.tensor([7, 0, 2, 5, 5, 1]), None),
        ("the logits [[1000, 0, -1000], [-1000, -1001, -1002]]",
         torch.tensor([[1000.0, 0.0, -1000.0], [-1000.0, -1001.0, -1002.0]]), torch.tensor([2, 0]), None),
        ("the same huge logits, reduction=\"sum\"",
         torch.tensor([[1000.0, 0.0, -1000.0], [-1000.0, -1001.0, -1002.0]]), torch.tensor([1, 0]), "sum"),
        ("32 examples with 10 classes in 64-bit floats", 3 * torch.randn(32, 10, generator=generator, dtype=torch.float64),
         torch.randint(0, 10, (32,), generator=generator), None),
    ]
    expected_values = [_cross_entropy_grad_autograd(z, t, reduction or "mean") for _, z, t, reduction in cases]
    instead = ("Here you derive the gradient and code the formula; torch.softmax (or softmax_stable) and "
               "F.one_hot are allowed.")
    with forbid(*AUTOGRAD, *CROSS_ENTROPY_BUILTINS[:2], answer=answer, instead=instead):
        results = _call_all(answer, [((z, t), {} if reduction is None else {"reduction": reduction})
                                     for _, z, t, reduction in cases], "cross_entropy_grad")
    for index, ((what, z, t, reduction), got, expected) in enumerate(zip(cases, results, expected_values, strict=True)):
        if isinstance(got, Exception) and "size" in str(got).lower():
            if int(t.max()) < z.shape[1] - 1:
                raise Wrong(f"For {what} your function raised {type(got).__name__} ({got}). This batch has no "
                            f"example of the last class, so F.one_hot(targets) guessed {int(t.max()) + 1} classes "
                            f"instead of {z.shape[1]}.",
                            hint="Pass num_classes=logits.shape[1] to F.one_hot.") from got
            raise Wrong(f"For {what} (logits of shape {_shape_text(z.shape)}) your function raised "
                        f"{type(got).__name__}: {got}. The probabilities and the one-hot targets must both be "
                        "(N, K): one row per example, one column per class.") from got
        if isinstance(got, Exception) and reduction == "sum":
            raise Wrong(f"For {what} your function raised {type(got).__name__}: {got}. It must handle "
                        'reduction="sum" as well as the default "mean".') from got
        _raise_if_error(got, what, index, cases[0][0])
        got = expect_tensor(got, f"For {what}", floating=True)
        if got.shape != z.shape:
            if got.shape == z.T.shape:
                raise Wrong(f"For {what} you returned shape {_shape_text(got.shape)}, the transpose of the "
                            f"logits' {_shape_text(z.shape)}: the one-hot matrix is on the wrong axis. One row "
                            "per example, one column per class.")
            raise Wrong(f"For {what} you returned shape {_shape_text(got.shape)}; the gradient has the logits' "
                        f"shape {_shape_text(z.shape)}, one entry per logit.")
        if got.dtype != z.dtype:
            raise Wrong(f"For {what} you returned {got.dtype}; keep the logits' dtype ({z.dtype}).")
        atol, rtol = (1e-12, 1e-9) if z.dtype == torch.float64 else (1e-6, 1e-4)
        if _close(got, expected, atol, rtol):
            continue
        if not torch.isfinite(got).all():
            raise Wrong(f"For {what} your gradient contains inf or nan: a softmax written as exp(z) / sum(exp(z)) "
                        "overflows on logits like 1000.",
                        hint="Use a stable softmax: torch.softmax, or softmax_stable from section 6.")
        n, k = z.shape
        p = torch.softmax(z, dim=1)
        one_hot = F.one_hot(t, k).to(z.dtype)
        gap = p - one_hot
        if reduction == "sum":
            mistakes = [(gap / n, 'with reduction="sum" the cost is the plain sum of the losses: there is no '
                                  "division by N.")]
        else:
            mistakes = [(gap, "that is the gradient of the sum of the losses. The mean divides each loss by N, "
                              "and so each gradient entry.")]
        scale = 1.0 if reduction == "sum" else 1.0 / n
        mistakes += [
            (-gap * scale, "the sign is flipped: raising the logit of the true class lowers the loss, so its "
                           "derivative is negative."),
            (gap / k, "you divided by the number of classes K; the mean is over the N examples."),
            (gap / (n * k), "you divided by N times K, as if the cost were a mean over every logit; it is a mean "
                            "over the N examples."),
            (p * scale, "the one-hot term is missing: the derivative of -z_y with respect to z_k is -1 for the "
                        "true class k = y."),
            (-one_hot * scale, "the softmax term is missing: the log-sum-exp also depends on every logit."),
            ((torch.softmax(z, dim=0) - one_hot) * scale, "the softmax is taken over the wrong axis: each example's "
                                                         "probabilities run along its row (dim=1)."),
            ((p - 1) * one_hot * scale, "you kept only the true class's entry; every logit gets a gradient, "
                                        "p_k for the wrong classes."),
            ((torch.sigmoid(z) - one_hot) * scale, "you used the sigmoid of each logit; the probabilities of a "
                                                   "K-class model come from the softmax over its row."),
            ((torch.log_softmax(z, dim=1) - one_hot) * scale, "you used log p_k; the derivative of log S with "
                                                              "respect to z_k is e^{z_k} / S = p_k, the probability "
                                                              "itself."),
            (-one_hot / p * scale, "that is the derivative with respect to the probabilities p; the exercise asks "
                                   "for the derivative with respect to the logits z."),
            ((p - F.one_hot(t, k).to(z.dtype).sum(dim=0).clamp(max=1)) * scale,
             "p[:, targets] -= 1 subtracts 1 in every row, at the column of every target in the batch; pick one "
             "entry per row with p[torch.arange(N), targets]."),
            (p * (1 - p) * gap * scale, "the extra factor p(1 - p) is the slope of the softmax; the logarithm of "
                                        "the cross-entropy cancels it: the gradient is just p - onehot(y)."),
        ]
        why = _name_mistake(got, mistakes, atol, rtol)
        if why:
            raise Wrong(f"For {what}, {why}")
        raise Wrong(f"For {what} your gradient {_largest_gap(got, expected)}; the check compares with autograd "
                    f"on F.cross_entropy(logits, targets, reduction=\"{reduction or 'mean'}\").")


# ---------------------------------------------------------------- 02.6 the Huber loss


def _huber_reference(predictions: torch.Tensor, targets: torch.Tensor, delta: float) -> torch.Tensor:
    return F.huber_loss(predictions, targets, delta=delta)


@exercise(
    "02.6",
    title="The Huber loss",
    hint="Compute the size of every error once; torch.where(condition, a, b) chooses between the two pieces of "
         "the formula entry by entry; then average over all the entries.",
)
def huber_loss(answer: Any) -> None:
    """The answer is a function huber(predictions, targets, delta=1.0) -> the mean Huber loss, a 0-d tensor."""
    expect_function(answer, "huber(predictions, targets, delta=1.0)")
    expect_defaults(answer, "huber", delta=1.0)
    generator = torch.Generator().manual_seed(26)
    shapes = random_shapes(26, (1, 2, 3), avoid=(1, 2))

    def pair(shape: Sequence[int], delta: float, dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
        """Targets, and predictions whose errors lie on both sides of delta (up to 3 delta, either sign)."""
        targets = torch.randn(*shape, generator=generator, dtype=dtype)
        sizes = 3 * delta * torch.rand(*shape, generator=generator, dtype=dtype)
        signs = torch.where(torch.rand(*shape, generator=generator) < 0.5, -1.0, 1.0).to(dtype)
        errors = (sizes * signs).flatten()
        errors[0], errors[1], errors[2] = 0.3 * delta, -2.5 * delta, 2.0 * delta  # both sides of delta, both signs
        return targets + errors.reshape(shape), targets

    table = 2 * torch.randn(6, 9, generator=generator)
    table[4, 0], table[4, 1] = table[1, 0] + 0.5, table[1, 1] - 6.0  # errors of 0.5 and 6 against row 1
    cases: list[tuple[str, torch.Tensor, torch.Tensor, float | None]] = [
        (f"random {_shape_text(shapes[0])} inputs, default delta", *pair(shapes[0], 1.0), None),
        (f"random {_shape_text(shapes[1])} inputs, default delta", *pair(shapes[1], 1.0), None),
        (f"random {_shape_text(shapes[2])} inputs, delta=0.5", *pair(shapes[2], 0.5), 0.5),
        ("row 4 of a (6, 9) table (a view) against row 1, delta=2.5", table[4], table[1], 2.5),
        ("random (5, 7) inputs in 64-bit floats, delta=3.0", *pair((5, 7), 3.0, torch.float64), 3.0),
    ]
    for what, predictions, targets, delta in cases:  # both pieces of the loss are tested in every case
        error = (predictions - targets).abs()
        d = 1.0 if delta is None else delta
        assert (error < d).any() and (error > d).any(), what
    expected_values = [_huber_reference(p, t, 1.0 if d is None else d) for _, p, t, d in cases]
    instead = "Here you write the two pieces yourself (torch.where, abs and arithmetic)."
    with forbid(*HUBER_BUILTINS, answer=answer, instead=instead):
        results = _call_all(answer, [((p, t), {} if d is None else {"delta": d}) for _, p, t, d in cases], "huber")
    for index, ((what, predictions, targets, delta), got, expected) in enumerate(
            zip(cases, results, expected_values, strict=True)):
        _raise_if_error(got, what, index, cases[0][0])
        got = expect_tensor(got, f"For {what}", floating=True)
        if got.shape != ():
            if got.shape == predictions.shape:
                raise Wrong(f"For {what} you returned one loss per entry, shape {_shape_text(got.shape)}; the "
                            "Huber loss is their mean, one number (add .mean()).")
            raise Wrong(f"For {what} you returned shape {_shape_text(got.shape)}; expected one number, a tensor of "
                        "shape () (what .mean() returns).")
        if got.dtype != predictions.dtype:
            raise Wrong(f"For {what} you returned {got.dtype}; keep the inputs' dtype ({predictions.dtype}).")
        atol, rtol = _tolerances(predictions.dtype)
        if _close(got, expected, atol, rtol):
            continue
        d = 1.0 if delta is None else delta
        e = predictions - targets
        a = e.abs()
        small = a <= d
        mistakes = [
            (torch.where(small, 0.5 * e**2, d * (a - 0.5 * d)).sum(),
             "that is the sum over the entries; the loss is their mean."),
            (torch.where(small, e**2, d * (a - 0.5 * d)).mean(),
             "the quadratic piece is 0.5 * error**2, with the 1/2 (so that both pieces meet with the same slope)."),
            (torch.where(small, 0.5 * e**2, d * (a - d)).mean(),
             "the linear piece is delta * (|error| - delta / 2), with half of delta: then both pieces are "
             "delta**2 / 2 at |error| = delta."),
            (torch.where(small, 0.5 * e**2, d * a).mean(),
             "the linear piece is delta * (|error| - delta / 2): without the - delta / 2 the two pieces do not "
             "meet at |error| = delta."),
            (torch.where(small, 0.5 * e**2 / d, a - 0.5 * d).mean(),
             "that is the smooth L1 loss (F.smooth_l1_loss with beta=delta), which is the Huber loss divided by "
             "delta: the two agree only for delta = 1."),
            (torch.where(small, 0.5 * e**2, a - 0.5 * d).mean(),
             "the linear piece is delta * (|error| - delta / 2): the factor delta is missing."),
            (torch.where(e <= d, 0.5 * e**2, d * (a - 0.5 * d)).mean(),
             "you compared the signed error with delta: large negative errors must use the linear piece too "
             "(compare |error|)."),
            (torch.where(small, d * (a - 0.5 * d), 0.5 * e**2).mean(),
             "the two pieces are swapped: quadratic for small errors, linear for large ones."),
            ((0.5 * e**2).mean(), "that is half the mean squared error: large errors need the linear piece."),
            (a.mean(), "that is the mean absolute error: small errors need the quadratic piece."),
        ]
        if delta is not None and d != 1.0:
            one = torch.where(a <= 1.0, 0.5 * e**2, a - 0.5)
            mistakes.append((one.mean(), f"that is the loss for delta = 1: your function ignores delta={d}."))
        why = _name_mistake(got, mistakes, atol, rtol)
        raise Wrong(f"For {what} you returned {got.item():.5f}, expected {expected.item():.5f}"
                    + (f": {why}" if why else "."))
    # Training needs the gradient: d loss / d prediction is the error clipped to [-delta, delta], over N.
    _, predictions, targets, _ = cases[1]
    leaf = predictions.detach().clone().requires_grad_(True)
    (expected_grad,) = torch.autograd.grad(_huber_reference(leaf, targets, 1.0), leaf)
    with forbid(*HUBER_BUILTINS, answer=answer, instead=instead):
        measured = forward_backward(lambda p: call(answer, p, targets, name="huber"), [predictions], seed=5)
    upstream = torch.randn((), generator=torch.Generator().manual_seed(5))
    if measured.inputs[0] is None or not _close(measured.inputs[0], upstream * expected_grad, 1e-5, 1e-4):
        raise Wrong("Your values are right, but the gradient of your loss with respect to the predictions is "
                    "not: keep the computation in torch operations (no .item(), no detach, no NumPy).")
