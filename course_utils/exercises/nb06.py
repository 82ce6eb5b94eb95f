"""Exercises of notebook 06 (Convolutions)."""

from __future__ import annotations

import math
import numbers
from typing import Any

import torch
import torch.nn.functional as F

from course_utils.checks import NotAttempted, Wrong, exercise, expect_function, multiple_choice


def _whole_number(got: Any, what: str) -> int:
    """``got`` as an int, or Wrong/NotAttempted with a message that says what came back."""
    if got is None or got is Ellipsis:
        raise NotAttempted("Your function returns None: it still needs a return statement.")
    if isinstance(got, torch.Tensor) and got.numel() == 1:
        got = got.item()
    if isinstance(got, bool) or not isinstance(got, numbers.Real):
        raise Wrong(f"{what}: expected a whole number, got {type(got).__name__} {got!r}.")
    if not float(got).is_integer():
        raise Wrong(f"{what}: you returned {got!r}, which is not a whole number.",
                    hint="A size or a count is a whole number: the kernel only stops at whole steps, so round "
                         "down with // (floor division).")
    return int(got)


# ----------------------------------------------------------------------------- 06.1


def _line_images(size: int = 15) -> dict[str, torch.Tensor]:
    """Thin one-pixel lines on a black background, and a flat gray image."""
    eye = torch.eye(size, dtype=torch.float64)
    horizontal = torch.zeros(size, size, dtype=torch.float64)
    horizontal[size // 2] = 1.0
    return {
        "\\ line": eye,
        "/ line": eye.flip(1),
        "horizontal line": horizontal,
        "vertical line": horizontal.T.contiguous(),
        "flat gray image": torch.full((size, size), 0.5, dtype=torch.float64),
    }


def _responses(kernel: torch.Tensor) -> dict[str, torch.Tensor]:
    """The kernel applied (as F.conv2d does, no padding) to each test image."""
    return {name: F.conv2d(image[None, None], kernel[None, None])[0, 0]
            for name, image in _line_images().items()}


@exercise(
    "06.1",
    title="A kernel for diagonal lines",
    hint="Give the three cells on the \\ diagonal a positive weight and the six others a negative weight, "
         "so that all nine add up to zero.",
)
def diagonal_line_kernel(answer: Any) -> None:
    """The answer is a 3x3 kernel (tensor, array or nested list) that finds thin \\ lines."""
    try:
        kernel = torch.as_tensor(answer, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise Wrong(f"Expected a 3 x 3 grid of numbers (a tensor or a nested list), got {type(answer).__name__}.") from exc
    if kernel.shape != (3, 3):
        raise Wrong(f"Your kernel has shape {tuple(kernel.shape)}; it needs 3 rows of 3 numbers.")
    if not torch.isfinite(kernel).all():
        raise Wrong("Your kernel contains inf or nan.")
    if not kernel.any():
        raise NotAttempted("Your kernel is all zeros: fill in the nine numbers.")
    responses = _responses(kernel)
    scale = kernel.abs().max().item()
    flat = responses["flat gray image"].abs().max().item()
    if flat > 1e-9 * scale:
        raise Wrong(f"On a flat gray image (every pixel 0.5) your kernel gives {flat:.3g}, not 0: "
                    f"its numbers add up to {kernel.sum().item():.3g}.",
                    hint="A detector should stay silent where nothing changes: make the nine numbers add up to zero.")
    target = responses["\\ line"]
    peak = target.max().item()
    if -target.min().item() > peak:
        raise Wrong(f"Your kernel's strongest response to the \\ line is negative ({target.min().item():.3g}).",
                    hint="Multiply your kernel by -1: the line should give a large positive value.")
    for name in ("/ line", "horizontal line", "vertical line"):
        other = responses[name].abs().max().item()
        if other > 0.5 * peak + 1e-9 * scale:
            hints = {
                "/ line": "Your kernel likes the other diagonal too: the weights on the / diagonal should be negative, except the centre.",
                "horizontal line": "Each row of your kernel should add up to zero, so that a horizontal line gives nothing.",
                "vertical line": "Each column of your kernel should add up to zero, so that a vertical line gives nothing.",
            }
            raise Wrong(f"Your kernel responds up to {other:.3g} to a thin {name}, more than half of its response "
                        f"to the \\ line ({peak:.3g}): it cannot tell them apart.", hint=hints[name])


# ----------------------------------------------------------------------------- 06.2


def _true_output_size(n: int, k: int, s: int, p: int) -> int:
    return (n + 2 * p - k) // s + 1


@exercise(
    "06.2",
    title="The output size of a convolution",
    hint="Pad first (n + 2p positions), count the places the kernel's first row can start (n + 2p - k + 1 of "
         "them with stride 1), and with stride s keep every s-th: (n + 2p - k) // s + 1.",
)
def conv_output_size(answer: Any) -> None:
    """The answer is a function f(n, k, s, p) -> output size of a convolution or pooling layer."""
    expect_function(answer, "conv_output_size(n, k, s, p)")
    cases = [(28, 3, 1, 0), (10, 3, 1, 2), (28, 3, 1, 1), (28, 5, 2, 2), (32, 3, 2, 1), (7, 3, 3, 0),
             (10, 4, 3, 1), (224, 7, 2, 3), (13, 2, 2, 0), (5, 5, 1, 0), (9, 1, 2, 0)]
    for n, k, s, p in cases:
        what = f"For n={n}, k={k}, s={s}, p={p}"
        value = _whole_number(answer(n, k, s, p), what)
        expected = _true_output_size(n, k, s, p)
        if value == expected:
            continue
        mistakes = {
            (n + p - k) // s + 1: "Padding adds p rows at the top *and* p at the bottom: use n + 2p.",
            (n - k) // s + 1: "You left out the padding: the kernel slides over the padded input, n + 2p long.",
            (n + 2 * p - k) // s: "You forgot the + 1: with n = k and no padding there is still one position.",
            -(-(n + 2 * p - k) // s) + 1: "You rounded up; a last step that would run past the edge is not taken, so round down.",
            (n + 2 * p) // s: "Subtract the kernel size: the kernel needs k rows of room at its last position.",
            (n + 2 * p - k + 1) // s: "Close: divide n + 2p - k by s first, then add 1 for the first position.",
        }
        raise Wrong(f"{what} you returned {value}, expected {expected}. {mistakes.get(value, '')}".rstrip())


# ----------------------------------------------------------------------------- 06.3


@exercise(
    "06.3",
    title="Parameters of a convolutional layer",
    hint="Each output channel has one k x k kernel per input channel, plus one bias.",
)
def conv_parameter_count(answer: Any) -> None:
    """The answer is a function f(in_channels, out_channels, kernel_size) -> number of parameters of nn.Conv2d."""
    expect_function(answer, "conv_parameter_count(in_channels, out_channels, kernel_size)")
    cases = [(1, 32, 3), (16, 32, 5), (3, 64, 3), (8, 4, 1), (64, 128, 3), (2, 3, 7)]
    for c_in, c_out, k in cases:
        what = f"For Conv2d({c_in}, {c_out}, kernel_size={k})"
        value = _whole_number(answer(c_in, c_out, k), what)
        expected = c_out * c_in * k * k + c_out
        if value == expected:
            continue
        weights = c_out * c_in * k * k
        mistakes = {
            weights: "That counts the weights only: every output channel also has one bias.",
            c_out * (k * k + 1): "Each kernel has a k x k slice for *every* input channel: multiply by in_channels.",
            c_out * c_in * k + c_out: "A kernel is k x k, not k: use kernel_size squared.",
            weights + c_in: "The biases belong to the output channels (one each), not to the input channels.",
            2 * weights: "There is one bias per output channel, not one per weight.",
            (c_in * k * k + 1) * c_out * 28 * 28: "The count does not depend on the image size: the same kernels are used at every position.",
        }
        raise Wrong(f"{what} you returned {value:,}, expected {expected:,}. {mistakes.get(value, '')}".rstrip())


# ----------------------------------------------------------------------------- 06.4

exercise(
    "06.4",
    title="Which representation ignores a shift?",
    hint="A shift moves every feature to a new position. Which representation has forgotten positions altogether?",
)(
    multiple_choice(
        correct="d",
        feedback={
            "a": "Raw pixels are compared position by position: a 2-pixel shift moves the strokes off many of their "
                 "old pixels, so the similarity drops a lot.",
            "b": "The edge maps move with the digit (equivariance), so, compared position by position, they change "
                 "as much as the pixels do, or more: thin edges overlap their shifted copies even less than strokes.",
            "c": "Close: a 4 x 4 max pool forgives moves inside each window, but a feature that crosses into the "
                 "next window still changes the result. There is an option that forgets position entirely.",
            "d": "Right: the maximum over the whole map does not care where a feature is, as long as it stays in "
                 "the image, so the shifted digit gives (almost) exactly the same numbers.",
        },
    )
)


# ----------------------------------------------------------------------------- 06.5


def _true_receptive_field(layers: list[tuple[int, int]]) -> int:
    size, jump = 1, 1
    for k, s in layers:
        size += (k - 1) * jump
        jump *= s
    return size


@exercise(
    "06.5",
    title="The receptive field of a stack",
    hint="Keep two numbers while you walk through the layers: the receptive field r (start 1) and the jump j "
         "(start 1, the input distance between neighbouring units). Each layer does r += (k - 1) * j, then j *= s.",
)
def receptive_field(answer: Any) -> None:
    """The answer is a function f([(kernel_size, stride), ...]) -> receptive field of the last layer's units."""
    expect_function(answer, "receptive_field(layers)")
    cases = [
        [(3, 1)],
        [(3, 1), (3, 1)],
        [(5, 2), (3, 2), (3, 1)],
        [(2, 2), (2, 2), (2, 2)],
        [(3, 1), (3, 1), (2, 2), (3, 1), (3, 1), (2, 2), (3, 1)],
        [(7, 2), (3, 2), (3, 2), (3, 2)],
        [(1, 1), (1, 2)],
    ]
    for layers in cases:
        what = f"For layers {layers}"
        value = _whole_number(answer([tuple(layer) for layer in layers]), what)
        expected = _true_receptive_field(layers)
        if value == expected:
            continue
        kernels = [k for k, _ in layers]
        strides_too_early, jump = 1, 1
        for k, s in layers:
            jump *= s
            strides_too_early += (k - 1) * jump
        mistakes = {
            1 + sum(k - 1 for k in kernels): "You ignored the strides: after a stride-2 layer, one step of the next "
                                             "kernel covers 2 input pixels.",
            sum(kernels): "Adding the kernel sizes counts the centre pixel again at every layer: each layer adds k - 1.",
            math.prod(kernels): "Multiplying the kernel sizes grows far too fast: each layer adds (k - 1) x jump.",
        }
        if strides_too_early != expected:
            mistakes.setdefault(strides_too_early, "A layer's own stride does not widen its own receptive field: "
                                                   "update r with the old jump, then multiply the jump by s.")
        raise Wrong(f"{what} you returned {value}, expected {expected}. {mistakes.get(value, '')}".rstrip())
