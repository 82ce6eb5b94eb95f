"""Exercises of notebook 00 (Welcome and setup)."""

from __future__ import annotations

from typing import Any

import torch

from course_utils.checks import (
    AUTOGRAD,
    Wrong,
    assert_tensor_close,
    call,
    exercise,
    expect_defaults,
    expect_function,
    expect_tensor,
    forbid,
    multiple_choice,
    python_loop_in,
)


def _expect_scalar_tensor(value: Any, what: str) -> torch.Tensor:
    """A 0-d floating-point tensor, with a specific message for the usual near misses."""
    if isinstance(value, (float, int)) and not isinstance(value, bool):
        raise Wrong(f"{what}: you returned the Python number {value!r}; return a 0-d tensor instead.",
                    hint="Keep the result a tensor: drop .item() or float(...) at the end.")
    value = expect_tensor(value, what, floating=True)
    if value.dim() != 0:
        raise Wrong(f"{what}: expected one number, a 0-d tensor (shape ()), got shape {tuple(value.shape)}.")
    return value


# ---------------------------------------------------------------- 00.1 the mean squared error


@exercise(
    "00.1",
    title="Mean squared error",
    hint="Subtract the targets from the predictions, square each difference, then average all of them "
    "(tensors have a .mean() method).",
)
def mean_squared_error(answer: Any) -> None:
    """The answer is a function f(predictions, targets) -> the mean squared error, a 0-d tensor."""
    expect_function(answer, "mean_squared_error(predictions, targets)")
    generator = torch.Generator().manual_seed(1)
    base = torch.randn(6, 7, generator=generator)
    cases = [
        (torch.tensor([2.0, 0.5, -1.0, 3.0]), torch.tensor([1.0, 0.5, 1.0, 0.0])),  # (1 + 0 + 4 + 9) / 4 = 3.5
        (torch.randn(3, 5, generator=generator), torch.randn(3, 5, generator=generator)),  # a matrix: every entry counts
        (torch.randn(7, generator=generator), torch.randn(7, generator=generator)),
        (torch.randn(2, 3, 4, generator=generator), torch.randn(2, 3, 4, generator=generator)),
        (base[:, 2], base[:, 5]),  # columns of a larger tensor (views): an in-place change would show there
        # predictions that require a gradient, as a model's outputs do: loss.backward() must reach them
        (torch.randn(5, 3, generator=generator).requires_grad_(), torch.randn(5, 3, generator=generator)),
        (torch.randn(4, 2, generator=generator, dtype=torch.float64),
         torch.randn(4, 2, generator=generator, dtype=torch.float64)),  # double precision stays double
    ]
    for predictions, targets in cases:
        difference = (predictions - targets).detach()
        expected = (difference**2).mean()
        shown = (f"predictions {predictions.tolist()} and targets {targets.tolist()}" if predictions.numel() <= 4
                 else f"predictions and targets of shape {tuple(predictions.shape)}")
        tracked = predictions.requires_grad
        if tracked:
            shown += " (the predictions requiring a gradient)"
        with torch.enable_grad():
            try:
                with forbid("torch.nn.functional.mse_loss", answer=answer,
                            instead="Write the mean squared error from tensor operations (-, ** 2, .mean())."):
                    got = call(answer, predictions, targets, name="mean_squared_error")
            except RuntimeError as error:
                if not tracked or "numpy" not in str(error).lower():
                    raise
                raise Wrong(f"For {shown}, your function failed in NumPy: a tensor that autograd follows cannot "
                            "become a NumPy array.", hint="Stay with torch operations: -, ** 2 and .mean().") from None
            if isinstance(got, torch.Tensor) and got.dim() != 0:
                if got.shape == predictions.shape:
                    raise Wrong(f"For {shown} you returned a tensor of that same shape: one squared difference per "
                                "entry. Average them into one number.", hint="Finish with .mean().")
                raise Wrong(f"For {shown} you returned shape {tuple(got.shape)}: you averaged along one axis only. "
                            "The mean squared error averages over every entry.",
                            hint="Call .mean() without a dim argument.")
            value = _expect_scalar_tensor(got, f"mean_squared_error for {shown}")
            if tracked and not value.requires_grad:
                raise Wrong(f"For {shown}, your result does not require one: something cut it off from autograd "
                            "(.item(), float(...), torch.tensor(...), .detach() or a detour through NumPy), so "
                            "loss.backward() could not train anything with it.",
                            hint="Return the tensor that (predictions - targets) ** 2 and .mean() give you, as it "
                                 "is.")
            gradient = torch.autograd.grad(value, predictions)[0] if tracked else None
        if value.dtype != predictions.dtype:
            raise Wrong(f"For {shown} of dtype {predictions.dtype} you returned dtype {value.dtype}: the loss "
                        "should keep the precision of its inputs.",
                        hint="Compute with the tensors as they are: no .float(), .double() or torch.tensor(...).")
        value = value.detach()
        if torch.allclose(value.double(), expected.double(), rtol=1e-5, atol=1e-6):
            if gradient is not None:
                assert_tensor_close(gradient, 2 * difference / difference.numel(),
                                    f"For {shown}, the gradient of your loss", rtol=1e-5, atol=1e-7)
            continue
        number = value.item()
        count = predictions.numel()
        mistakes = [
            (difference.abs().mean(), "That is the mean absolute error (L1): square the differences instead of "
                                      "taking their absolute value."),
            ((difference**2).sum(), "That is the sum of squared errors: divide by the number of entries to get "
                                    "the mean."),
            ((difference**2).mean().sqrt(), "That is the root mean squared error: leave out the square root."),
            (difference.mean(), "That is the mean difference: positive and negative errors cancel out, so square "
                                "them first."),
            (difference.mean() ** 2, "You squared the mean difference; square each difference first, then average."),
            ((difference**2).sum() / len(predictions), "You divided by len(predictions), the length of the first "
                                                       "axis only; .mean() divides by the number of entries."),
            ((difference**2).sum() / 4, "You divided by 4, the length of the first example: divide by the number "
                                        "of entries of the inputs you are given."),
            ((difference**2).mean() / 2, "That is half the mean squared error. Some books put a 1/2 in front to "
                                         "tidy the derivative; this exercise (and PyTorch) does not."),
            ((difference**2).sum() / (count - 1), "You divided by N - 1, as for a sample variance; the mean "
                                                  "divides by N, the number of entries."),
            ((predictions.detach()**2 - targets**2).mean(), "You subtracted the squares; square the difference "
                                                            "instead: (p - t)^2, not p^2 - t^2."),
        ]
        for wrong, why in mistakes:
            if abs(number - wrong.item()) <= 1e-5 * max(1.0, abs(wrong.item())):
                raise Wrong(f"For {shown} you returned {number:.4g}. {why}")
        raise Wrong(f"For {shown} you returned {number:.4g}, expected {expected.item():.4g}.")


# ---------------------------------------------------------------- 00.2 kinds of learning

exercise(
    "00.2",
    title="Kinds of learning",
    hint="Ask: does the data come with the right answers (labels), without any, or as rewards for actions?",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "It sounds like classification (fraud or not), but supervised learning needs examples whose right "
                 "answer is known, and nobody has marked a single payment.",
            "b": "Right: with no labels, the program can only learn what usual payments look like and flag the ones "
                 "that do not fit. Finding structure without labels is unsupervised learning.",
            "c": "Reinforcement learning needs an agent that acts and receives rewards for its actions; here nothing "
                 "acts, there is only a record of payments.",
        },
    )
)


# ---------------------------------------------------------------- 00.3 pairwise squared distances

#: Every ready-made distance in PyTorch, under each name it can be reached by.
_READY_MADE_DISTANCES = ("torch.cdist", "torch.functional.cdist", "torch.pairwise_distance",
                         "torch.nn.functional.pairwise_distance")


def _squared_distances(A: torch.Tensor, B: torch.Tensor) -> torch.Tensor:
    return ((A.double()[:, None, :] - B.double()[None, :, :]) ** 2).sum(dim=-1)


@exercise(
    "00.3",
    title="Pairwise squared distances by broadcasting",
    hint="Think in shapes: which axis of size 1 must A gain, and which one B, so that A - B broadcasts to "
    "(N, M, D)? Then square, and reduce over the features.",
)
def pairwise_squared_distances(answer: Any) -> None:
    """The answer is a function f(A, B) -> (N, M) squared distances between the rows of A (N, D) and B (M, D)."""
    expect_function(answer, "pairwise_squared_distances(A, B)")
    loop = python_loop_in(answer)
    if loop:
        raise Wrong(f"Your function uses {loop}. The exercise asks for broadcasting alone: one expression that "
                    "computes every pair at once.",
                    hint="A[:, None, :] has shape (N, 1, D) and B[None, :, :] has shape (1, M, D); subtract them.")
    generator = torch.Generator().manual_seed(3)
    big = torch.randn(9, 11, generator=generator)
    cases = [
        (torch.randn(4, 2, generator=generator), torch.randn(3, 2, generator=generator)),  # the notebook's sizes
        (torch.randn(5, 3, generator=generator), torch.randn(7, 3, generator=generator)),  # three features
        (torch.randn(6, 1, generator=generator), torch.randn(2, 1, generator=generator)),  # one feature
        (torch.randn(3, 8, generator=generator), torch.randn(3, 8, generator=generator)),  # N == M, D larger
        (torch.randn(1, 4, generator=generator), torch.randn(5, 4, generator=generator)),  # a single row
        (big[1::2, 2:7], big[:2, 6:]),  # views into a larger tensor, not contiguous
        (torch.randn(3, 2, generator=generator, dtype=torch.float64),
         torch.randn(4, 2, generator=generator, dtype=torch.float64)),  # double precision stays double
        (torch.randn(5, 3, generator=generator).requires_grad_(), torch.randn(2, 3, generator=generator)),
    ]
    for A, B in cases:
        expected = _squared_distances(A.detach(), B)
        (n, d), m = A.shape, len(B)
        where = f"For A of shape ({n}, {d}) and B of shape ({m}, {d})"
        if A.requires_grad:
            where += ", A requiring a gradient"
        with torch.enable_grad():
            try:
                with forbid(*_READY_MADE_DISTANCES, answer=answer,
                            instead="Build the distances yourself with broadcasting.",
                            message="Your code calls {target}, a ready-made distance function; this exercise "
                                    "asks you to write it yourself."):
                    got = call(answer, A, B, name="pairwise_squared_distances")
            except RuntimeError as error:
                if not A.requires_grad or "numpy" not in str(error).lower():
                    raise
                raise Wrong(f"{where}: your function went through NumPy, which autograd cannot follow.",
                            hint="Stay with torch operations: broadcasting, ** 2 and .sum(dim=...).") from None
        got = expect_tensor(got, f"{where}, your result", floating=True)
        if tuple(got.shape) != (n, m):
            if tuple(got.shape) == (m, n) and n != m:
                why = "rows and columns are swapped: row i should hold the distances from A[i] to every row of B."
            elif got.dim() == 3:
                why = "you kept the feature axis: sum the squared differences over it (the last axis)."
            else:
                why = "entry [i, j] should be the squared distance between A[i] and B[j]."
            raise Wrong(f"{where} you returned shape {tuple(got.shape)}, expected ({n}, {m}): {why}")
        if got.dtype != A.dtype:
            raise Wrong(f"{where}, of dtype {A.dtype}, you returned dtype {got.dtype}: keep the precision of the "
                        "inputs.", hint="Compute with A and B as they are: no .float(), .double() or NumPy.")
        if A.requires_grad and not got.requires_grad:
            raise Wrong(f"{where}, your result does not require one: it was cut off from autograd (.detach(), "
                        "NumPy, SciPy or torch.tensor(...) on the way), so nothing could be learned through it.",
                        hint="Stay with torch operations: broadcasting, ** 2 and .sum(dim=...).")
        got = got.detach()
        if torch.allclose(got.double(), expected, rtol=1e-4, atol=1e-4):
            continue
        difference = A.detach().double()[:, None, :] - B.double()[None, :, :]
        mistakes = [
            (expected.sqrt(), "you took the square root: that is the distance itself, the exercise asks for its "
                              "square."),
            (difference.abs().sum(dim=-1), "that is the sum of absolute differences (the L1 or Manhattan "
                                           "distance): square the differences instead."),
            ((difference**2).mean(dim=-1), "you averaged over the features; sum them instead."),
            (difference.sum(dim=-1) ** 2, "you summed the differences before squaring them: square each difference "
                                          "first, then sum."),
        ]
        for wrong, why in mistakes:
            if torch.allclose(got.double(), wrong, rtol=1e-4, atol=1e-4):
                raise Wrong(f"{where}: {why}")
        if d > 1 and torch.allclose(got.double(), (difference[..., :2] ** 2).sum(dim=-1), rtol=1e-4, atol=1e-4):
            raise Wrong(f"{where}: you used the first two features only. Points can have any number of features.")
        assert_tensor_close(got, expected, f"{where}, your distances", rtol=1e-4, atol=1e-4)


# ---------------------------------------------------------------- 00.4 predict: gradients accumulate

exercise(
    "00.4",
    title="Predict: three calls of backward",
    hint="Each call of .backward() computes the gradient 2w = 6. What does it do with the value already in w.grad?",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "That would be true if .backward() replaced w.grad. It does not: it adds the new gradient to what "
                 "is there, so three calls leave 6 + 6 + 6.",
            "b": "Right: .backward() adds to w.grad. Three calls at the same w leave 3 x 6 = 18, which is why a "
                 "training loop resets the gradient before (or after) every step.",
            "c": "Nothing resets w.grad by itself; it only goes back to zero when you call w.grad.zero_() "
                 "(or set it to None).",
            "d": "No error here: each pass of the loop builds a new graph by computing w ** 2 again, so each "
                 "graph is backpropagated once. (Calling .backward() twice on the same loss would fail.)",
        },
    )
)


# ---------------------------------------------------------------- 00.5 gradient descent by hand


def _descend(x: torch.Tensor, y: torch.Tensor, learning_rate: float, steps: int, *, factor: float = 2.0,
             divide_by: int | None = None, sign: float = 1.0, sequential: bool = False,
             b_times_x: bool = False, w_without_x: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """Gradient descent for y = w x + b by hand, with switches that reproduce the usual mistakes."""
    w = torch.zeros((), dtype=x.dtype)
    b = torch.zeros((), dtype=x.dtype)
    n = len(x) if divide_by is None else divide_by
    for _ in range(steps):
        error = w * x + b - y
        grad_w = factor * (error if w_without_x else error * x).sum() / n
        if sequential:
            w = w - sign * learning_rate * grad_w
            error = w * x + b - y
        grad_b = factor * (error * x if b_times_x else error).sum() / n
        if not sequential:
            w = w - sign * learning_rate * grad_w
        b = b - sign * learning_rate * grad_b
    return w, b


def _descend_with_autograd(x: torch.Tensor, y: torch.Tensor, learning_rate: float,
                           steps: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The reference: the loop of the notebook, gradients from autograd."""
    w = torch.zeros((), dtype=x.dtype, requires_grad=True)
    b = torch.zeros((), dtype=x.dtype, requires_grad=True)
    with torch.enable_grad():
        for _ in range(steps):
            loss = ((w * x + b - y) ** 2).mean()
            grad_w, grad_b = torch.autograd.grad(loss, (w, b))
            with torch.no_grad():
                w -= learning_rate * grad_w
                b -= learning_rate * grad_b
    return w.detach(), b.detach()


def _line_data(n: int, seed: int) -> torch.Tensor:
    """(n, 2) points: x not centred (so w and b interact), y = a x + c + noise."""
    generator = torch.Generator().manual_seed(seed)
    x = 0.5 + 1.2 * (2 * torch.rand(n, generator=generator) - 1)
    slope, intercept = 3 * torch.rand(2, generator=generator) - 1.5
    y = slope * x + intercept + 0.2 * torch.randn(n, generator=generator)
    return torch.stack([x, y], dim=1)


def _close(got: torch.Tensor, expected: torch.Tensor) -> bool:
    return bool(torch.allclose(got.double(), expected.double(), rtol=1e-4, atol=1e-5, equal_nan=True))


@exercise(
    "00.5",
    title="Gradient descent for a line, by hand",
    hint="Differentiate one term e_i ** 2 with the chain rule, once for w and once for b, then average over the "
    "points. Compute both derivatives from the same w and b before you update either.",
)
def fit_line_by_hand(answer: Any) -> None:
    """The answer is a function f(x, y, learning_rate=0.1, steps=100) -> (w, b), without autograd."""
    expect_function(answer, "fit_line_by_hand(x, y, learning_rate=0.1, steps=100)")
    expect_defaults(answer, learning_rate=0.1, steps=100)
    # (number of points, seed, keyword arguments passed); None means "use the default".
    cases: list[tuple[int, int, dict[str, Any]]] = [
        (50, 0, {}),                                     # both defaults
        (31, 1, {"learning_rate": 0.3, "steps": 1}),     # a single step: every term of the gradient shows
        (13, 2, {"learning_rate": 0.05, "steps": 40}),
        (64, 3, {"steps": 7}),                           # default learning rate, other number of steps
        (20, 4, {"learning_rate": 0.02}),                # default number of steps, other learning rate
        (8, 5, {"learning_rate": 0.2, "steps": 0}),      # no step at all: the start, w = b = 0
    ]
    for n, seed, kwargs in cases:
        data = _line_data(n, seed)
        x, y = data[:, 0], data[:, 1]  # views of one tensor: an in-place change would show
        learning_rate, steps = kwargs.get("learning_rate", 0.1), kwargs.get("steps", 100)
        expected_w, expected_b = _descend_with_autograd(x, y, learning_rate, steps)
        shown = ", ".join([f"{n} points"] + [f"{key}={value}" for key, value in kwargs.items()])
        where = f"fit_line_by_hand({shown})"
        with forbid(*AUTOGRAD, answer=answer,
                    instead="Here the point is to derive the two derivatives yourself and code them."):
            result = call(answer, x, y, name="fit_line_by_hand",
                                  max_lines=1_000 * (steps + 1) + 10_000, **kwargs)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise Wrong(f"{where} returned {type(result).__name__}; expected the pair (w, b).",
                        hint="End with return w, b.")
        w = _expect_scalar_tensor(result[0], f"{where}: w")
        b = _expect_scalar_tensor(result[1], f"{where}: b")
        if _close(w, expected_w) and _close(b, expected_b):
            continue
        if steps == 0:
            raise Wrong(f"{where}: with no step at all, w and b should still be their starting values 0 and 0; "
                        f"you returned w = {w.item():.4g}, b = {b.item():.4g}.")
        mistakes: list[tuple[dict[str, Any], str]] = [
            ({"sign": -1.0}, "you stepped uphill: the update subtracts the learning rate times the gradient."),
            ({"factor": 1.0}, "the factor 2 is missing: the derivative of (e_i)^2 is 2 e_i times the derivative "
                              "of e_i."),
            ({"divide_by": 1}, "you summed the gradient over the points instead of averaging: the loss is a mean, "
                               "so its gradient has a 1/N."),
            ({"divide_by": 50}, "you divided by 50, the size of the notebook's data; use the number of points "
                                "you were given."),
            ({"sequential": True}, "you updated w first and then computed b's gradient with the new w. Compute "
                                   "both gradients from the same (w, b), then update both."),
            ({"b_times_x": True}, "b's gradient has no x: since d(w x_i + b)/db = 1, dL/db = (2/N) sum e_i."),
            ({"w_without_x": True}, "w's gradient is missing the x_i: d(w x_i + b)/dw = x_i, so "
                                    "dL/dw = (2/N) sum e_i x_i."),
        ]
        for switches, why in mistakes:
            wrong_w, wrong_b = _descend(x, y, learning_rate, steps, **switches)
            if _close(w, wrong_w) and _close(b, wrong_b):
                raise Wrong(f"{where}: {why}")
        for other, why in [(steps - 1, "one step too few"), (steps + 1, "one step too many")]:
            wrong_w, wrong_b = _descend(x, y, learning_rate, other)
            if other >= 0 and _close(w, wrong_w) and _close(b, wrong_b):
                raise Wrong(f"{where}: you took {other} steps, {why}: the loop should run exactly `steps` times.")
        if learning_rate != 0.1:
            wrong_w, wrong_b = _descend(x, y, 0.1, steps)
            if _close(w, wrong_w) and _close(b, wrong_b):
                raise Wrong(f"{where}: you used learning rate 0.1 whatever the argument: use learning_rate.")
        raise Wrong(f"{where}: you returned w = {w.item():.5g}, b = {b.item():.5g}; gradient descent with "
                    f"autograd's gradients gives w = {expected_w.item():.5g}, b = {expected_b.item():.5g}.")
