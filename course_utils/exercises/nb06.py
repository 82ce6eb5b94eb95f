"""Exercises of notebook 06 (Convolutions)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from course_utils.checks import (
    AUTOGRAD,
    Wrong,
    assert_tensor_close,
    call,
    exercise,
    expect_defaults,
    expect_function,
    expect_int,
    expect_tensor,
    forbid,
)

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
    hint="A thin \\ line through the centre of a 3 x 3 patch covers three of its nine cells. Which numbers make "
         "those cells count for the line, the others against it, and a flat patch give exactly 0?",
)
def diagonal_line_kernel(answer: Any) -> None:
    """The answer is a 3 x 3 tensor that finds thin \\ lines."""
    kernel = expect_tensor(answer, "Your kernel", shape=(3, 3))
    if kernel.is_complex() or kernel.dtype == torch.bool:
        raise Wrong(f"Your kernel has dtype {kernel.dtype}: fill it with real numbers.")
    # A float kernel such as torch.eye(3) - 1 / 3 adds up to 0 only up to its rounding: allow for that much.
    rounding = 16 * torch.finfo(kernel.dtype).eps if kernel.is_floating_point() else 0.0
    kernel = kernel.detach().cpu().double()
    if not torch.isfinite(kernel).all():
        raise Wrong("Your kernel contains inf or nan.")
    if not kernel.any():
        raise Wrong("Your kernel is all zeros: it gives 0 on every image, lines included.",
                    hint="Fill in nine numbers that make a thin \\ line stand out.")
    responses = _responses(kernel)
    scale = kernel.abs().max().item()
    flat = responses["flat gray image"].abs().max().item()
    if flat > 1e-9 * scale + rounding * kernel.abs().sum().item():
        raise Wrong(f"On a flat gray image (every pixel 0.5) your kernel gives {flat:.3g}, not 0: "
                    f"its numbers add up to {kernel.sum().item():.3g}.",
                    hint="A detector should stay silent where nothing changes: make the nine numbers add up to zero.")
    target = responses["\\ line"]
    peak = target.max().item()
    if -target.min().item() > peak:
        raise Wrong(f"Your kernel's strongest response to the \\ line is negative ({target.min().item():.3g}).",
                    hint="Multiply your kernel by -1: the line should give a large positive value.")
    if peak <= 1e-9 * scale:
        raise Wrong(f"Your kernel gives no positive response to a thin \\ line (at most {peak:.3g}): it does not "
                    "see the line at all.",
                    hint="Where a \\ line crosses the patch, it covers the three cells of the \\ diagonal: how "
                         "should those three cells count, compared with the other six?")
    for name in ("/ line", "horizontal line", "vertical line"):
        other = responses[name].abs().max().item()
        if other > 0.5 * peak + 1e-9 * scale:
            hints = {
                "/ line": "Your kernel likes the other diagonal too: the / diagonal's corner cells should count "
                          "against the line.",
                "horizontal line": "A horizontal line covers one row of the patch: make each row add up to zero "
                                   "(or close to it), so that it gives little.",
                "vertical line": "A vertical line covers one column of the patch: make each column add up to zero "
                                 "(or close to it), so that it gives little.",
            }
            raise Wrong(f"Your kernel responds up to {other:.3g} to a thin {name}, more than half of its response "
                        f"to the \\ line ({peak:.3g}): it cannot tell them apart.", hint=hints[name])


# ----------------------------------------------------------------------------- shared


def _name_the_mistake(values: list[int], cases: list[Any], wrong: list[int],
                      candidates: list[tuple[Callable[..., int], str]]) -> str:
    """Why the learner's values are wrong: the mistake whose formula gives them.

    A candidate that reproduces every value wins; otherwise the one that reproduces every
    wrong value (``wrong`` holds their indices) and most of the others; "" when none does,
    so that a mistake is only named when it explains all the wrong values.
    """
    best, best_matches = "", 0
    for formula, why in candidates:
        try:
            predicted = [formula(*case) for case in cases]
        except (ArithmeticError, ValueError, IndexError):
            continue
        if any(predicted[i] != values[i] for i in wrong):
            continue
        matches = sum(p == v for p, v in zip(predicted, values, strict=True))
        if matches == len(values):
            return why
        if matches > best_matches:
            best, best_matches = why, matches
    return best


# ----------------------------------------------------------------------------- 06.2


def _true_output_size(n: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


_SIZE_MISTAKES: list[tuple[Callable[..., int], str]] = [
    (lambda n, k, s, p, d: (n + 2 * p - k) // s + 1,
     "You left out the dilation: k taps, d pixels apart, span d(k - 1) + 1 pixels."),
    (lambda n, k, s, p, d: (n + 2 * p - d * k) // s + 1,
     "A dilated kernel spans d(k - 1) + 1 pixels, not d * k: there are only k - 1 gaps between k taps."),
    (lambda n, k, s, p, d: (n + 2 * p - d * (k - 1)) // s + 1,
     "Close: k taps d apart span d(k - 1) + 1 pixels; you left out the + 1."),
    (lambda n, k, s, p, d: (n + p - d * (k - 1) - 1) // s + 1,
     "Padding adds p rows at the top *and* p at the bottom: use n + 2p."),
    (lambda n, k, s, p, d: (n - d * (k - 1) - 1) // s + 1,
     "You left out the padding: the kernel slides over the padded input, n + 2p long."),
    (lambda n, k, s, p, d: (n + 2 * p - d * (k - 1) - 1) // s,
     "You forgot the + 1 for the first position: with n = k and no padding there is still one position."),
    (lambda n, k, s, p, d: -(-(n + 2 * p - d * (k - 1) - 1) // s) + 1,
     "You rounded up; a last step that would run past the edge is not taken, so round down."),
    (lambda n, k, s, p, d: round((n + 2 * p - d * (k - 1) - 1) / s) + 1,
     "You rounded to the nearest whole number; a last step that would run past the edge is not taken, so "
     "round down (//)."),
    (lambda n, k, s, p, d: (n - d * (k - 1) - 1) // s + 1 + 2 * p,
     "You added the padding after dividing by the stride: the kernel slides over the padded input, so n + 2p "
     "is what the stride divides."),
    (lambda n, k, s, p, d: (n + 2 * p) // s,
     "Subtract the kernel's span: the kernel needs room for all its taps at its last position."),
    (lambda n, k, s, p, d: (n + 2 * p - d * (k - 1)) // s,
     "Close: divide the distance the kernel can travel by s first, then add 1 for the first position."),
    (lambda n, k, s, p, d: n + 2 * p - d * (k - 1),
     "You left out the stride: with stride s the kernel takes only every s-th position."),
]


#: Ways of measuring an output size instead of working it out (06.2 rules them out).
_MEASURES = (
    "torch.nn.functional.conv1d", "torch.nn.functional.conv2d", "torch.conv1d", "torch.conv2d",
    "torch.nn.functional.max_pool1d", "torch.nn.functional.max_pool2d", "torch.max_pool1d", "torch.max_pool2d",
    "torch.nn.functional.avg_pool1d", "torch.nn.functional.avg_pool2d", "torch.avg_pool1d",
    "torch.nn.functional.unfold",
)


@exercise(
    "06.2",
    title="The output size of a convolution",
    hint="Count the places where the kernel's first tap can start on the padded input (n + 2p pixels long): "
         "0, s, 2s, ... as long as its last tap still fits. How many pixels does a kernel of k taps, d apart, span?",
)
def conv_output_size(answer: Any) -> None:
    """The answer is f(n, kernel_size, stride=1, padding=0, dilation=1) -> output size along one side."""
    expect_function(answer, "conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1)")
    expect_defaults(answer, "conv_output_size", stride=1, padding=0, dilation=1)
    # (n, k, options): the first cases use the defaults, then one option at a time, then all of them.
    calls: list[tuple[int, int, dict[str, int]]] = [
        (28, 3, {}), (13, 5, {}), (9, 9, {}), (17, 1, {}),
        (28, 3, {"stride": 2}), (13, 4, {"stride": 3}), (20, 3, {"padding": 1}), (11, 5, {"padding": 2}),
        (28, 3, {"dilation": 2}), (19, 4, {"dilation": 3}),
        (32, 3, {"stride": 2, "padding": 1}), (10, 4, {"stride": 3, "padding": 1}),
        (224, 7, {"stride": 2, "padding": 3}), (25, 3, {"stride": 2, "padding": 2, "dilation": 2}),
        (30, 3, {"stride": 3, "padding": 1, "dilation": 4}), (7, 3, {"stride": 1, "padding": 0, "dilation": 3}),
    ]
    cases, values, texts = [], [], []
    with forbid(*_MEASURES, answer=answer, message="Your code calls {target} to measure the size.",
                instead="This exercise asks you to work it out from n, k, s, p and d, as you would on paper."):
        for n, k, options in calls:
            shown = "".join(f", {key}={value}" for key, value in options.items())
            texts.append(f"conv_output_size({n}, {k}{shown})")
            values.append(expect_int(call(answer, n, k, name="conv_output_size", **options), texts[-1]))
            cases.append((n, k, options.get("stride", 1), options.get("padding", 0), options.get("dilation", 1)))
    expected = [_true_output_size(*case) for case in cases]
    wrong = [i for i, (v, e) in enumerate(zip(values, expected, strict=True)) if v != e]
    if not wrong:
        return
    first = wrong[0]
    why = _name_the_mistake(values, cases, wrong, _SIZE_MISTAKES)
    raise Wrong(f"{texts[first]} returned {values[first]}, expected {expected[first]}. {why}".rstrip(),
                hint=None if why else "Work one case out by hand: write down the padded row of pixels and the "
                                      "positions where the kernel's first tap can go.")


# ----------------------------------------------------------------------------- 06.3


def _pair(kernel_size: int | tuple[int, int]) -> tuple[int, int]:
    if isinstance(kernel_size, int):
        return kernel_size, kernel_size
    k_h, k_w = kernel_size
    return k_h, k_w


def _count_mistakes() -> list[tuple[Callable[..., int], str]]:
    def weights(c_in: int, c_out: int, k: Any) -> int:
        k_h, k_w = _pair(k)
        return c_out * c_in * k_h * k_w

    def with_bias(count: Callable[..., int]) -> Callable[..., int]:
        return lambda c_in, c_out, k, bias: count(c_in, c_out, k) + (c_out if bias else 0)

    return [
        (lambda c_in, c_out, k, bias: weights(c_in, c_out, k) + c_out,
         "With bias=False the layer has no biases: add them only when bias is True."),
        (lambda c_in, c_out, k, bias: weights(c_in, c_out, k),
         "That counts the weights only: with bias=True every output channel also has one bias."),
        (with_bias(lambda c_in, c_out, k: weights(1, c_out, k)),
         "Each kernel has a k_h x k_w slice for *every* input channel: multiply by in_channels."),
        (with_bias(lambda c_in, c_out, k: c_out * c_in * _pair(k)[0] ** 2),
         "A kernel of size (k_h, k_w) has k_h * k_w weights per channel; you used the height twice."),
        (with_bias(lambda c_in, c_out, k: c_out * c_in * _pair(k)[1] ** 2),
         "A kernel of size (k_h, k_w) has k_h * k_w weights per channel; you used the width twice."),
        (with_bias(lambda c_in, c_out, k: c_out * c_in * sum(_pair(k))),
         "A k_h x k_w kernel has k_h * k_w weights per channel, not k_h + k_w."),
        (with_bias(lambda c_in, c_out, k: c_out * c_in * _pair(k)[0]),
         "A kernel is k_h x k_w, not k_h: use both sides."),
        (lambda c_in, c_out, k, bias: weights(c_in, c_out, k) + (c_in if bias else 0),
         "The biases belong to the output channels (one per kernel), not to the input channels."),
        (lambda c_in, c_out, k, bias: weights(c_in, c_out, k) * (2 if bias else 1),
         "There is one bias per output channel, not one per weight."),
        (lambda c_in, c_out, k, bias: (weights(c_in, c_out, k) + (c_out if bias else 0)) * 28 * 28,
         "The count does not depend on the image size: the same kernels are used at every position."),
    ]


@exercise(
    "06.3",
    title="Parameters of a convolutional layer",
    hint="Count the numbers that make one kernel (section 2: how does a kernel treat several input channels?), "
         "then how many kernels the layer has, and what else each kernel comes with.",
)
def conv_parameter_count(answer: Any) -> None:
    """The answer is f(in_channels, out_channels, kernel_size, bias=True) -> parameters of nn.Conv2d."""
    expect_function(answer, "conv_parameter_count(in_channels, out_channels, kernel_size, bias=True)")
    expect_defaults(answer, "conv_parameter_count", bias=True)
    calls: list[tuple[int, int, int | tuple[int, int], dict[str, bool]]] = [
        (1, 32, 3, {}), (16, 8, 5, {}), (3, 64, 7, {"bias": False}), (64, 16, 1, {}),
        (2, 3, (5, 2), {}), (6, 4, (1, 3), {"bias": False}), (5, 7, (3, 4), {"bias": True}), (7, 5, 3, {}),
    ]
    expected = []
    for c_in, c_out, k, options in calls:  # counted before the check forbids building layers
        layer = torch.nn.Conv2d(c_in, c_out, k, device="meta", **options)
        expected.append(sum(p.numel() for p in layer.parameters()))
    cases, values, texts = [], [], []
    with forbid("torch.nn.Conv2d.__init__", answer=answer,
                instead="Work the count out from the shapes of the kernels and biases instead of building the layer."):
        for c_in, c_out, k, options in calls:
            shown = "".join(f", {key}={value}" for key, value in options.items())
            texts.append(f"conv_parameter_count({c_in}, {c_out}, {k!r}{shown})")
            values.append(expect_int(call(answer, c_in, c_out, k, name="conv_parameter_count", **options),
                                     texts[-1]))
            cases.append((c_in, c_out, k, options.get("bias", True)))
    wrong = [i for i, (v, e) in enumerate(zip(values, expected, strict=True)) if v != e]
    if not wrong:
        return
    first = wrong[0]
    why = _name_the_mistake(values, cases, wrong, _count_mistakes())
    raise Wrong(f"{texts[first]} returned {values[first]:,}, expected {expected[first]:,}. {why}".rstrip())


# ----------------------------------------------------------------------------- 06.4

_AUTOGRAD_AND_FRIENDS = (
    *AUTOGRAD,
    "torch.nn.functional.conv_transpose2d", "torch.conv_transpose2d",
    "torch.nn.grad.conv2d_input", "torch.nn.grad.conv2d_weight", "torch.ops.aten.convolution_backward",
)


def _reference_gradients(grad_output: torch.Tensor, x: torch.Tensor, w: torch.Tensor, stride: int,
                         padding: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Autograd's gradients of F.conv2d, in float64."""
    x64 = x.detach().double().requires_grad_()
    w64 = w.detach().double().requires_grad_()
    b64 = torch.zeros(w.shape[0], dtype=torch.float64, requires_grad=True)
    out = F.conv2d(x64, w64, b64, stride=stride, padding=padding)
    grads = torch.autograd.grad(out, (x64, w64, b64), grad_output.detach().double())
    return grads[0], grads[1], grads[2]


def _loop_variants(grad_output: torch.Tensor, x: torch.Tensor, w: torch.Tensor, stride: int, padding: int
                   ) -> dict[str, torch.Tensor]:
    """Gradients as a learner's loop with one classic mistake computes them (float64)."""
    g, x, w = grad_output.double(), x.double(), w.double()
    _, _, height, width = x.shape
    c_out, _, k_h, k_w = w.shape
    x_p = F.pad(x, (padding,) * 4)
    overwrite = torch.zeros_like(x_p)
    flipped = torch.zeros_like(x_p)
    first_channel = torch.zeros_like(x_p)
    no_stride_w = torch.zeros_like(w)
    no_stride_x = torch.zeros_like(x_p)
    for n in range(g.shape[0]):
        for o in range(c_out):
            for i in range(g.shape[2]):
                for j in range(g.shape[3]):
                    top, left = i * stride, j * stride
                    window = (n, slice(None), slice(top, top + k_h), slice(left, left + k_w))
                    overwrite[window] = g[n, o, i, j] * w[o]  # = instead of +=
                    flipped[window] += g[n, o, i, j] * w[o].flip(-1, -2)
                    if o == 0:
                        first_channel[window] += g[n, o, i, j] * w[o]
                    if i + k_h <= x_p.shape[2] and j + k_w <= x_p.shape[3]:
                        no_stride_w[o] += g[n, o, i, j] * x_p[n, :, i:i + k_h, j:j + k_w]
                        no_stride_x[n, :, i:i + k_h, j:j + k_w] += g[n, o, i, j] * w[o]
    crop = (slice(None), slice(None), slice(padding, padding + height), slice(padding, padding + width))
    return {"overwrite": overwrite[crop], "flipped": flipped[crop], "first channel (x)": first_channel[crop],
            "no stride (w)": no_stride_w, "no stride (x)": no_stride_x[crop]}


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    a, b = a.detach().cpu().double(), b.detach().cpu().double()
    return a.shape == b.shape and torch.allclose(a, b, atol=1e-4, rtol=1e-4)


def _diagnose_grad_x(got: torch.Tensor, expected: torch.Tensor, case: dict[str, Any], what: str) -> None:
    g, w = case["grad_output"], case["w"]
    variants = case["variants"]
    if w.shape[0] > 1 and _close(got, variants["first channel (x)"]):
        raise Wrong(f"{what}: grad_x uses the first output channel only.",
                    hint="Every output channel's kernel read the input: grad_x adds up the contributions of all "
                         "C_out kernels.")
    if got.shape[1] > 1 and _close(got[:, :1], expected[:, :1]) and not got[:, 1:].any():
        raise Wrong(f"{what}: grad_x is right for the first input channel and zero for the others.",
                    hint="Every input channel of the patch was multiplied by its own slice of the kernel: send the "
                         "gradient back to all of them.")
    if case["stride"] > 1 and _close(got, variants["no stride (x)"]):
        raise Wrong(f"{what}: grad_x is spread as if the stride were 1.",
                    hint="Output (i, j) read the patch whose top-left corner is (i * stride, j * stride) of the "
                         "padded input: that is where its gradient goes back to (in a full convolution, put "
                         "stride - 1 zeros between neighbouring upstream values first).")
    if _close(got, variants["overwrite"]):
        raise Wrong(f"{what}: grad_x is right where windows do not overlap, but where they do, only the last "
                    "window's contribution survives.",
                    hint="A pixel inside several windows (stride < kernel size) gets gradient from each of them: "
                         "add (+=), do not overwrite (=).")
    if _close(got, variants["flipped"]):
        raise Wrong(f"{what}: grad_x comes out as if the kernel were flipped.",
                    hint="The forward pass is a cross-correlation: weight w[o, c, u, v] multiplied the pixel at "
                         "offset (u, v) of the patch, so that pixel's gradient uses the same w[o, c, u, v].")
    if _close(got, -expected):
        raise Wrong(f"{what}: grad_x has the wrong sign.",
                    hint="The backward pass passes gradients on as they are: the minus sign of gradient descent "
                         "belongs to the optimizer's step, not to the gradients.")
    if _close(got, expected / g.shape[0]) and g.shape[0] > 1:
        raise Wrong(f"{what}: grad_x is divided by the batch size.",
                    hint="Each image's gradient is its own: no averaging (any mean is already in grad_output).")


def _diagnose_grad_w(got: torch.Tensor, expected: torch.Tensor, case: dict[str, Any], what: str) -> None:
    g, x, w, s, p = case["grad_output"], case["x"], case["w"], case["stride"], case["padding"]
    batch = g.shape[0]
    first_image = _reference_gradients(g[:1], x[:1], w, s, p)[1]
    positions = g.shape[2] * g.shape[3]
    if batch > 1 and _close(got, first_image):
        raise Wrong(f"{what}: grad_w comes from the first image of the batch only.",
                    hint="The same kernel was used on every image: add up the contributions of all N images.")
    if batch > 1 and _close(got, expected / batch):
        raise Wrong(f"{what}: grad_w is the mean over the batch; the gradient is the sum.",
                    hint="Add up upstream gradient times patch over every image and position (any mean is "
                         "already in grad_output).")
    if _close(got, expected / positions) or _close(got, expected / (batch * positions)):
        raise Wrong(f"{what}: grad_w is averaged over the positions; the gradient is the sum.",
                    hint="A shared weight is used at every position, and its gradient adds up the contributions "
                         "of all of them.")
    if w.shape[1] > 1 and _close(got[:, :1], expected[:, :1]) and not got[:, 1:].any():
        raise Wrong(f"{what}: grad_w is right for the first input channel and zero for the others.",
                    hint="A kernel has one slice per input channel, and every slice multiplied its own channel of "
                         "the patch: take all channels of the patch, x_p[n, :, rows, columns].")
    if s > 1 and _close(got, case["variants"]["no stride (w)"]):
        raise Wrong(f"{what}: grad_w uses patches as if the stride were 1.",
                    hint="Output (i, j) read the patch whose top-left corner is (i * stride, j * stride) in the "
                         "padded input.")
    if _close(got, -expected):
        raise Wrong(f"{what}: grad_w has the wrong sign.",
                    hint="The backward pass passes gradients on as they are: the minus sign of gradient descent "
                         "belongs to the optimizer's step, not to the gradients.")


def _diagnose_grad_b(got: torch.Tensor, expected: torch.Tensor, case: dict[str, Any], what: str) -> None:
    g = case["grad_output"].double()
    if _close(got, g.mean(dim=(0, 2, 3))):
        raise Wrong(f"{what}: grad_b is the mean of grad_output; the gradient is the sum.",
                    hint="Bias o is added at every position of every image: its gradient adds up grad_output "
                         "over the batch and the positions of channel o.")
    if g.shape[0] > 1 and _close(got, g[0].sum(dim=(1, 2))):
        raise Wrong(f"{what}: grad_b comes from the first image only.",
                    hint="Sum grad_output over the batch dimension too.")
    if _close(got, -expected):
        raise Wrong(f"{what}: grad_b has the wrong sign.",
                    hint="The backward pass passes gradients on as they are: the minus sign of gradient descent "
                         "belongs to the optimizer's step, not to the gradients.")


def _conv_cases() -> list[dict[str, Any]]:
    """Inputs for the 06.4 check: non-square images and kernels, several channels, strides and paddings."""
    generator = torch.Generator().manual_seed(6)
    specs = [  # N, C_in, C_out, H, W, K_h, K_w, options (none: the defaults stride=1, padding=0)
        (2, 3, 4, 7, 9, 3, 2, {}),
        (3, 2, 3, 8, 5, 3, 3, {"stride": 2, "padding": 1}),      # overlapping windows, padding
        (1, 3, 2, 9, 10, 4, 3, {"stride": 3, "padding": 2}),     # leftover rows and columns
        (2, 2, 3, 6, 11, 2, 2, {"stride": 2}),                   # non-overlapping windows, like pooling
        (2, 5, 2, 5, 6, 1, 1, {"padding": 1}),                   # a 1 x 1 kernel on a padded input
        (1, 1, 1, 6, 4, 3, 3, {"padding": 1}),                   # one channel, "same" padding
    ]
    cases = []
    for N, c_in, c_out, height, width, k_h, k_w, options in specs:
        stride, padding = options.get("stride", 1), options.get("padding", 0)
        # x is a view: the rows of a larger batch, as a dataset would hand them out
        batch = torch.randn(N + 2, c_in, height, width, generator=generator)
        x = batch[1:N + 1]
        w = torch.randn(c_out, c_in, k_h, k_w, generator=generator)
        h_out = (height + 2 * padding - k_h) // stride + 1
        w_out = (width + 2 * padding - k_w) // stride + 1
        grad_output = torch.randn(N, c_out, h_out, w_out, generator=generator)
        cases.append({"x": x, "w": w, "grad_output": grad_output, "stride": stride, "padding": padding,
                      "options": options})
    return cases


@exercise(
    "06.4",
    title="The backward pass of a convolution",
    hint="Start from conv2d_loops: at output position (n, o, i, j), which numbers did out[n, o, i, j] depend on, "
         "and what is its derivative with respect to each of them? A number used at several positions collects "
         "the gradients from all of them.",
)
def conv2d_backward(answer: Any) -> None:
    """The answer is f(grad_output, x, w, stride=1, padding=0) -> (grad_x, grad_w, grad_b), without autograd."""
    expect_function(answer, "conv2d_backward(grad_output, x, w, stride=1, padding=0)")
    expect_defaults(answer, "conv2d_backward", stride=1, padding=0)
    cases = _conv_cases()
    for case in cases:  # expected values first: autograd is forbidden while the learner's code runs
        case["expected"] = _reference_gradients(case["grad_output"], case["x"], case["w"], case["stride"],
                                                case["padding"])
    for case in cases:
        x, w, grad_output, options = case["x"], case["w"], case["grad_output"], case["options"]
        shown = "".join(f", {key}={value}" for key, value in options.items())
        what = (f"For x of shape {tuple(x.shape)}, w of shape {tuple(w.shape)}{shown or ' (default stride and padding)'}")
        with forbid(*_AUTOGRAD_AND_FRIENDS, answer=answer,
                    instead="Compute the three gradients with loops (or unfold) and plain tensor arithmetic."):
            result = call(answer, grad_output, x, w, name="conv2d_backward", **options)
        if not isinstance(result, (tuple, list)) or len(result) != 3:
            raise Wrong(f"{what}: conv2d_backward should return three tensors (grad_x, grad_w, grad_b), "
                        f"got {type(result).__name__}"
                        + (f" of length {len(result)}." if isinstance(result, (tuple, list)) else "."))
        grad_x, grad_w, grad_b = result
        expected_x, expected_w, expected_b = case["expected"]
        padding = case["padding"]
        if isinstance(grad_x, torch.Tensor) and padding and tuple(grad_x.shape) == (
                *x.shape[:2], x.shape[2] + 2 * padding, x.shape[3] + 2 * padding):
            raise Wrong(f"{what}: grad_x has the shape of the *padded* input {tuple(grad_x.shape)}.",
                        hint="The zeros added by padding are not part of x: cut padding rows and columns off "
                             "each side before returning.")
        if isinstance(grad_x, torch.Tensor) and not padding and grad_x.dim() == 4 and grad_x.shape[2:].numel() == 0:
            raise Wrong(f"{what}: grad_x is empty, of shape {tuple(grad_x.shape)}.",
                        hint="With padding 0, a slice like [padding:-padding] is [0:0], which is empty: cut the "
                             "padding off with [padding:padding + H] instead.")
        if isinstance(grad_b, torch.Tensor) and grad_b.dim() > 1:
            raise Wrong(f"{what}: grad_b has shape {tuple(grad_b.shape)}; there is one bias per output channel, "
                        f"so it has shape ({w.shape[0]},).",
                        hint="Sum grad_output over every dimension except the channel: batch, rows and columns.")
        expect_tensor(grad_x, f"{what}: grad_x", shape=x.shape, floating=True)
        expect_tensor(grad_w, f"{what}: grad_w", shape=w.shape, floating=True)
        expect_tensor(grad_b, f"{what}: grad_b", shape=(w.shape[0],), floating=True)
        for name, got, expected, diagnose in (("grad_b", grad_b, expected_b, _diagnose_grad_b),
                                              ("grad_w", grad_w, expected_w, _diagnose_grad_w),
                                              ("grad_x", grad_x, expected_x, _diagnose_grad_x)):
            if _close(got, expected):
                continue
            if "variants" not in case:
                case["variants"] = _loop_variants(grad_output, x, w, case["stride"], case["padding"])
            diagnose(got, expected, case, what)
            assert_tensor_close(got, expected, f"{what}: {name} (compared with autograd)", atol=1e-4, rtol=1e-4)


# ----------------------------------------------------------------------------- 06.5

_SIMILARITY_OPTIONS = {
    "a": "the raw pixels",
    "b": "the edge maps",
    "c": "the edge maps after 4 x 4 max pooling",
    "d": "the edge maps after global max pooling",
}
_WHY = {
    "a": "Raw pixels are compared position by position, but a stroke two or three pixels wide still overlaps "
         "its shifted copy a little.",
    "b": "The edge maps move with the digit (equivariance) and mark only one thin side of each stroke: "
         "after a 2-pixel move they barely overlap their old selves.",
    "c": "A 4 x 4 max pool forgives moves inside each window, but a feature that crosses into the next window "
         "still changes the result.",
    "d": "The maximum over the whole map does not care where a feature is, as long as it stays in the image.",
}


def _letter(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise Wrong(f"{what}: answer with one letter as a string, such as \"a\"; got {type(value).__name__}.")
    letter = value.strip().lower().strip("()").strip()
    if letter not in _SIMILARITY_OPTIONS:
        raise Wrong(f"{what}: {value!r} is not one of the options a, b, c, d.")
    return letter


@exercise(
    "06.5",
    title="Which representation survives a shift?",
    hint="Picture one stroke and its edge moving 2 pixels to the right. For each representation, ask which of "
         "the numbers being compared change, and by how much.",
)
def shift_prediction(answer: Any) -> None:
    """The answer is a pair (most_similar, least_similar) of letters."""
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise Wrong("Answer with two letters: check(\"06.5\", (most_similar, least_similar)).")
    most = _letter(answer[0], "most_similar")
    least = _letter(answer[1], "least_similar")
    if most == least:
        raise Wrong("The most and the least similar representation cannot be the same one.")
    if most != "d":
        raise Wrong(f"most_similar: not {most!r} ({_SIMILARITY_OPTIONS[most]}). {_WHY[most]} "
                    "One option forgets positions altogether.")
    if least != "b":
        hint = {"a": "Compare the pixels with the edge maps: which of the two is thinner, and so overlaps its "
                     "shifted copy less?",
                "c": "Pooling can only make a representation more tolerant of shifts than the maps it pools."}
        raise Wrong(f"most_similar is right. least_similar: not {least!r} ({_SIMILARITY_OPTIONS[least]}). "
                    f"{_WHY[least]}", hint=hint.get(least))


# ----------------------------------------------------------------------------- 06.6


def _true_receptive_field(layers: list[tuple[int, int]]) -> int:
    size, jump = 1, 1
    for k, s in layers:
        size += (k - 1) * jump
        jump *= s
    return size


def _field_stride_too_early(layers: list[tuple[int, int]]) -> int:
    size, jump = 1, 1
    for k, s in layers:
        jump *= s
        size += (k - 1) * jump
    return size


_FIELD_MISTAKES: list[tuple[Callable[..., int], str]] = [
    (lambda layers: 1 + sum(k - 1 for k, _ in layers),
     "You ignored the strides: after a stride-2 layer, one step of the next kernel covers 2 input pixels."),
    (lambda layers: sum(k for k, _ in layers),
     "Adding the kernel sizes counts the centre pixel again at every layer: each layer adds k - 1 steps."),
    (lambda layers: math.prod(k for k, _ in layers),
     "Multiplying the kernel sizes grows far too fast: each layer adds k - 1 steps of the layer below."),
    (_field_stride_too_early,
     "A layer's own stride does not widen its own receptive field: it spaces out the units that the *next* "
     "layer reads."),
    (lambda layers: _true_receptive_field(layers[:-1]) if layers else 1,
     "You left out the last layer."),
    (lambda layers: _true_receptive_field(layers) - 1,
     "Off by one: start from a receptive field of 1, since before any layer a unit is one input pixel."),
    (lambda layers: math.prod(s for _, s in layers),
     "That is the jump, the distance in input pixels between neighbouring units of the last layer, not the "
     "size of the region one unit sees."),
    (lambda layers: _true_receptive_field(layers[::-1]),
     "The list runs from the input upwards: its first pair is the layer that reads the image, so walk it "
     "in order (or, going from the top down, use r = (r - 1) * s + k)."),
]


@exercise(
    "06.6",
    title="The receptive field of a stack",
    hint="Walk up the layers keeping two numbers: the receptive field so far, and the distance in input pixels "
         "between neighbouring units of the current layer. Which of the two does a layer's kernel change, and "
         "which its stride?",
)
def receptive_field(answer: Any) -> None:
    """The answer is a function f([(kernel_size, stride), ...]) -> receptive field of the last layer's units."""
    expect_function(answer, "receptive_field(layers)")
    cases: list[list[tuple[int, int]]] = [
        [(3, 1)],
        [(3, 1), (3, 1)],
        [(5, 2), (3, 2), (3, 1)],
        [(2, 2), (2, 2), (2, 2)],
        [(3, 2), (5, 1)],
        [(7, 2), (3, 2), (3, 2), (3, 2)],
        [(1, 1), (1, 2)],
        [(3, 1), (3, 1), (2, 2), (3, 1), (3, 1), (2, 2), (3, 1), (3, 3), (2, 1)],
        [],
    ]
    values, texts = [], []
    for layers in cases:
        texts.append(f"receptive_field({layers})")
        given = list(layers)
        values.append(expect_int(call(answer, given, name="receptive_field"), texts[-1]))
        if given != layers:  # call() sees a changed length; this also sees pairs reordered or replaced
            raise Wrong(f"{texts[-1]} changed the list it was given into {given}. Leave the caller's list as it is.",
                        hint="Walk the list with a for loop (or reversed(layers), which makes no copy and changes "
                             "nothing) instead of reversing, sorting or overwriting it.")
    expected = [_true_receptive_field(layers) for layers in cases]
    wrong = [i for i, (v, e) in enumerate(zip(values, expected, strict=True)) if v != e]
    if not wrong:
        return
    first = wrong[0]
    if not cases[first]:
        raise Wrong(f"{texts[first]} returned {values[first]}, expected 1: with no layers, a unit is one input "
                    "pixel.", hint="Start from a receptive field of 1 (one pixel) and a jump of 1.")
    why = _name_the_mistake(values, [(layers,) for layers in cases], wrong, _FIELD_MISTAKES)
    raise Wrong(f"{texts[first]} returned {values[first]}, expected {expected[first]}. {why}".rstrip())
