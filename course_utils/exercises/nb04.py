"""Exercises of notebook 04 (Multi-layer perceptrons)."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from course_utils.checks import NotAttempted, Wrong, exercise, expect_function, multiple_choice


def _true_count(sizes: list[int]) -> int:
    return sum(n_in * n_out + n_out for n_in, n_out in pairwise(sizes))


exercise(
    "04.1",
    title="XOR without activation functions",
    hint="Write out the network: h = W1 x + b1, then y = W2 h + b2. Substitute h and simplify.",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "Training longer cannot help: whatever the weights, the two layers together compute one affine function, and its decision boundary is a straight line.",
            "b": "Right: W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2), a single affine map. Its boundary is a straight line, and no line separates XOR.",
            "c": "More hidden units do not help either: any number of stacked affine maps is still one affine map. It is the non-linear activation that bends the space.",
        },
    )
)


exercise(
    "04.2",
    title="What universal approximation promises",
    hint="The theorem is an existence statement: read each option and ask whether it is about whether good weights exist, or about finding them, their number, or new data.",
)(
    multiple_choice(
        correct="c",
        feedback={
            "a": "Not promised: the theorem says good weights exist, not that gradient descent will find them (you saw the XOR network get stuck).",
            "b": "Not promised: the width needed can be huge, in some cases exponential in the input dimension.",
            "c": "Right: that is the whole promise. Enough hidden units can approximate a continuous function on a bounded region as closely as you like; nothing about training, size or new data.",
            "d": "Not promised: the theorem is about approximating a known function, not about learning it from a finite sample and predicting new data well.",
        },
    )
)
@exercise(
    "04.3",
    title="Backward pass of a leaky ReLU",
    hint="The local derivative is 1 where z > 0 and the slope where z <= 0; multiply it by grad_output. "
    "np.where(condition, a, b) picks a or b element by element.",
)
def leaky_relu_backward(answer: Any) -> None:
    """The answer is a function f(grad_output, z, slope=0.01) -> gradient of the loss w.r.t. z, in NumPy."""
    expect_function(answer, "leaky_relu_backward(grad_output, z, slope=0.01)")
    rng = np.random.default_rng(4)
    z = rng.normal(size=(6, 5))
    z[0, 0] = 0.0  # not differentiable at 0; PyTorch (and this course) uses the slope there
    z[3, 2] = 0.0
    grad_output = rng.normal(size=(6, 5))
    for slope, call in ((0.01, lambda: answer(grad_output.copy(), z.copy())),
                        (0.2, lambda: answer(grad_output.copy(), z.copy(), slope=0.2))):
        z_torch = torch.tensor(z, requires_grad=True)
        F.leaky_relu(z_torch, negative_slope=slope).backward(torch.tensor(grad_output))
        expected = z_torch.grad.numpy()
        try:
            got = call()
        except TypeError as exc:
            if "slope" not in str(exc):
                raise
            raise Wrong("Keep the signature leaky_relu_backward(grad_output, z, slope=0.01): "
                        "the check also calls it with slope=0.2.") from exc
        if got is None or got is Ellipsis:
            raise NotAttempted("Your function returns None: it still needs a return statement.")
        got = np.asarray(got, dtype=float)
        if got.shape != expected.shape:
            raise Wrong(f"For inputs of shape {z.shape} you returned shape {got.shape}: "
                        "the gradient has the shape of z.")
        if np.allclose(got, expected, atol=1e-12):
            continue
        where = f"With slope={slope}: "
        negative = z <= 0
        mistakes = [
            (grad_output, "you returned grad_output unchanged: on the negative side the gradient is "
                          "multiplied by the slope."),
            (np.where(z > 0, 1.0, slope), "you returned the local derivative only: multiply it by grad_output "
                                          "(the chain rule)."),
            (grad_output * np.where(z > 0, z, slope * z), "you multiplied by the activation leaky(z); the local "
                                                          "derivative is 1 or the slope, not the activation."),
            (grad_output * np.where(z > 0, slope, 1.0), "the slope is on the wrong side: it belongs to z <= 0, "
                                                        "and 1 to z > 0."),
            (grad_output * (z > 0), "that is the plain ReLU's backward pass: the leaky one keeps slope * "
                                    "grad_output where z <= 0."),
            (grad_output * np.where(z > 0, 1.0, 0.01), "you used 0.01 whatever the slope argument: use slope."),
            (grad_output * np.where(z >= 0, 1.0, slope), "almost: at z = 0 exactly, PyTorch uses the slope. "
                                                         "Use z > 0, not z >= 0."),
            (grad_output * np.where(grad_output > 0, 1.0, slope), "the mask must come from z, the activation's "
                                                                  "input, not from the gradient."),
        ]
        for wrong, why in mistakes:
            if np.allclose(got, wrong, atol=1e-12):
                raise Wrong(where + why)
        if np.allclose(got[~negative], expected[~negative], atol=1e-12):
            raise Wrong(where + "right for z > 0, wrong where z <= 0: there the gradient is slope * grad_output.")
        raise Wrong(where + "your gradient differs from PyTorch's autograd of F.leaky_relu on a random 6 x 5 input.")


@exercise(
    "04.4",
    title="Parameters of an MLP",
    hint="A fully connected layer from n_in to n_out units has an n_out x n_in weight matrix and n_out biases; add this up over consecutive pairs of sizes.",
)
def mlp_parameter_count(answer: Any) -> None:
    """The answer is a function f(sizes) -> number of parameters of the MLP with those layer sizes."""
    expect_function(answer, "of a list of layer sizes")
    cases = [[784, 128, 10], [2, 2, 1], [3, 5, 4, 2], [10, 1], [7, 30, 30, 30, 3]]
    for sizes in cases:
        got = answer(list(sizes))
        if got is None or got is Ellipsis:
            raise NotAttempted("Your function returns None: it still needs a return statement.")
        try:
            value = int(got)
        except (TypeError, ValueError) as exc:
            raise Wrong(f"For sizes {sizes} expected a whole number, got {got!r}.") from exc
        expected = _true_count(sizes)
        if value == expected:
            continue
        pairs = list(pairwise(sizes))
        weights_only = sum(a * b for a, b in pairs)
        mistakes = {
            weights_only: "That counts the weights only: every unit of each layer also has a bias.",
            weights_only + sum(sizes): "That gives a bias to the input units too: inputs are data, they have no bias.",
            weights_only + sum(a for a, _ in pairs): "That adds one bias per *input* of each layer: biases belong to the layer's outputs (n_out of them).",
            sizes[0] * sizes[1] + sizes[1]: "That is the first layer only: sum over every pair of consecutive sizes.",
            sum((a + 1) * (b + 1) for a, b in pairs): "That treats the bias as an extra unit on both sides: add exactly n_out biases per layer.",
            int(np.prod(sizes)): "Multiplying all sizes together is not it: each layer connects only to the next one.",
        }
        why = mistakes.get(value, "")
        raise Wrong(f"For layer sizes {sizes} you returned {value:,}, expected {expected:,}. {why}".rstrip())
