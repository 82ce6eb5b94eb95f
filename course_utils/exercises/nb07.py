"""Exercises of notebook 07 (CNNs for image classification)."""

from __future__ import annotations

import copy
import functools
import hashlib
import importlib.util
import inspect
import math
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from course_utils.checks import (
    Wrong,
    call,
    exercise,
    expect_function,
    expect_int,
    expect_tensor,
    forbid,
    multiple_choice,
)

# --------------------------------------------------------------------------- 07.1


def _walk_macs(model: nn.Sequential, input_shape: tuple[int, ...], conv_cost: Any = None, *, stride: bool = True,
               dilation: bool = True, padding: bool = True) -> tuple[int, int]:
    """(conv, linear) multiply-adds of one example; conv_cost(layer, before, after) prices a convolution.

    ``stride=False``, ``dilation=False`` or ``padding=False`` follows the shapes as an answer would that forgot
    them: each convolution runs with stride 1 (dilation 1, no padding), and a Linear that then gets the wrong size is priced
    in_features x out_features, as every answer prices it.
    """
    if conv_cost is None:
        def conv_cost(layer: nn.Conv2d, before: torch.Tensor, after: torch.Tensor) -> int:
            return after[0].numel() * layer.in_channels // layer.groups * math.prod(layer.kernel_size)
    x = torch.zeros(1, *input_shape)
    conv = linear = 0
    with torch.no_grad():
        for layer in model:
            before = x
            if isinstance(layer, nn.Conv2d) and not (stride and dilation and padding):
                layer = copy.deepcopy(layer)
                layer.stride = layer.stride if stride else (1, 1)
                layer.dilation = layer.dilation if dilation else (1, 1)
                layer.padding = layer.padding if padding else (0, 0)
            if isinstance(layer, nn.Linear) and x.shape[-1] != layer.in_features:
                x = torch.zeros(1, layer.out_features)
            else:
                x = layer(x)
            if isinstance(layer, nn.Conv2d):
                conv += conv_cost(layer, before, x)
            elif isinstance(layer, nn.Linear):
                linear += x[0].numel() // layer.out_features * layer.in_features * layer.out_features
    return conv, linear


def _reference_macs(model: nn.Sequential, input_shape: tuple[int, ...]) -> dict[str, int]:
    """Multiply-adds of one example, by kind: conv weights, linear weights, and what a wrong answer counts."""
    conv, linear = _walk_macs(model, input_shape)
    layers = [layer for layer in model if isinstance(layer, (nn.Conv2d, nn.Linear))]
    linears = [layer for layer in layers if isinstance(layer, nn.Linear)]

    def with_conv(cost: Any, **options: bool) -> int:
        return sum(_walk_macs(model, input_shape, cost, **options))

    def footprint(layer: nn.Conv2d) -> int:   # the area a dilated kernel spans, not the weights it has
        return math.prod((k - 1) * d + 1 for k, d in zip(layer.kernel_size, layer.dilation, strict=True))

    return {
        "conv": conv,
        "linear": linear,
        "bias": sum(layer.out_features for layer in linears if layer.bias is not None) + with_conv(
            lambda layer, before, after: after[0].numel() if layer.bias is not None else 0) - linear,
        "conv_in_size": with_conv(lambda layer, before, after: layer.out_channels * math.prod(before.shape[2:])
                                  * layer.in_channels * math.prod(layer.kernel_size)),
        "params": sum(p.numel() for p in model.parameters()),
        "weights_once": sum(layer.weight.numel() for layer in layers),
        "square_kernel": with_conv(lambda layer, before, after: after[0].numel() * layer.in_channels
                                   * layer.kernel_size[0] ** 2),
        "square_image": with_conv(lambda layer, before, after: layer.out_channels * after.shape[2] ** 2
                                  * layer.in_channels * math.prod(layer.kernel_size)),
        "no_in_channels": with_conv(lambda layer, before, after: after[0].numel() * math.prod(layer.kernel_size)),
        "linear_in_only": conv + sum(layer.in_features for layer in linears),
        "linear_out_only": conv + sum(layer.out_features for layer in linears),
        "dilated_footprint": with_conv(lambda layer, before, after: after[0].numel() * layer.in_channels
                                       * footprint(layer)),
        "no_dilation": with_conv(None, dilation=False),
        "no_stride": with_conv(None, stride=False),
        "no_padding": with_conv(None, padding=False),
        "pooling": conv + linear + _pooling_work(model, input_shape),
    }


def _pooling_work(model: nn.Sequential, input_shape: tuple[int, ...]) -> int:
    """What an answer adds that prices a pooling layer like a convolution: kernel area per output value."""
    x, total = torch.zeros(1, *input_shape), 0
    with torch.no_grad():
        for layer in model:
            x = layer(x)
            if isinstance(layer, (nn.MaxPool2d, nn.AvgPool2d)):
                size = layer.kernel_size if isinstance(layer.kernel_size, tuple) else (layer.kernel_size,) * 2
                total += x[0].numel() * math.prod(size)
    return total


def _hooks(model: nn.Module) -> int:
    """How many forward hooks the model and its layers carry."""
    return sum(len(module._forward_hooks) + len(module._forward_pre_hooks) for module in model.modules())


_LENET_MACS = 6 * 28 * 28 * 25 + 16 * 10 * 10 * 150 + 400 * 120 + 120 * 84 + 84 * 10   # 416,520


def _mac_models() -> list[tuple[str, nn.Sequential, tuple[int, ...]]]:
    """Small networks that a wrong count cannot get right by luck (built with fixed seeds)."""
    torch.manual_seed(7)
    lenet = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    strided = nn.Sequential(                       # 3 channels, a non-square image, stride 2, a 3 x 5 kernel
        nn.Conv2d(3, 8, kernel_size=(3, 5), stride=2, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
        nn.Conv2d(8, 12, kernel_size=3, padding=1, bias=False), nn.ReLU(), nn.AvgPool2d(2),
        nn.Dropout(0.1), nn.Flatten(), nn.Linear(12 * 3 * 4, 7))
    convolutional = nn.Sequential(                 # no Linear layer; dilation changes only the output size
        nn.Conv2d(2, 5, kernel_size=3, dilation=2), nn.ReLU(),
        nn.Conv2d(5, 4, kernel_size=1), nn.MaxPool2d(3, stride=2), nn.Conv2d(4, 3, kernel_size=(5, 2), stride=(1, 3)))
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    return [
        ("LeNet on a 1 x 28 x 28 digit", lenet, (1, 28, 28)),
        ("a strided network on a 3 x 11 x 20 image", strided, (3, 11, 20)),
        ("a network without Linear layers on a 2 x 17 x 25 image", convolutional, (2, 17, 25)),
        ("an MLP on a 1 x 28 x 28 digit", mlp, (1, 28, 28)),
        ("an MLP on a flat vector of 784 numbers", nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10)),
         (784,)),
    ]


@exercise(
    "07.1",
    title="The multiply-adds of a CNN",
    hint="Follow the shapes as the summary cell does: send torch.zeros(1, *input_shape) through the layers one "
         "by one. After each Conv2d or Linear, ask two questions: how many output values did it produce, and "
         "how many input values (over all the input channels) did each of them read?",
)
def multiply_adds(answer: Any) -> None:
    """The answer is a function f(model, input_shape) -> multiply-adds of one forward pass (an int)."""
    expect_function(answer, "count_macs(model, input_shape)")
    for what, model, shape in _mac_models():
        model.eval()
        counts = _reference_macs(model, shape)
        expected = counts["conv"] + counts["linear"]
        hooks = _hooks(model)
        with forbid("torch.utils.flop_counter.FlopCounterMode", answer=answer,
                    instead="Count the multiply-adds yourself; the FLOP counter comes right after this exercise."):
            got = call(answer, model, shape, name="count_macs")
        if _hooks(model) > hooks:
            raise Wrong(f"count_macs left {_hooks(model) - hooks} forward hooks on the model of {what}: they run at "
                        "every later forward pass, and a second count of the same model would add up twice.",
                        hint="Keep the handle that register_forward_hook returns and call handle.remove() before "
                             "returning (a try/finally does it even when the forward pass fails).")
        if isinstance(got, np.integer):
            raise Wrong(f"count_macs for {what} returned a NumPy {type(got).__name__}; the exercise asks for a "
                        "Python int.", hint="Wrap the total in int(...), or add Python ints (math.prod, not "
                                             "np.prod).")
        got = expect_int(got, f"count_macs for {what}")
        if got == expected:
            continue
        mistakes = {
            2 * expected: "That is twice the right number: a multiply-add (one multiplication and one addition) "
                          "is two floating-point operations (FLOPs). Count each multiply-add once.",
            counts["params"]: "That is the number of parameters. Parameters are stored once; a convolution uses "
                              "each weight again at every output position.",
            counts["weights_once"]: "You counted each weight once. A convolution uses every weight at every "
                                    "output position: multiply by H_out x W_out.",
            expected + counts["bias"]: "You also counted the biases. A bias is an addition, not a multiply-add: "
                                       "leave it out.",
            counts["conv_in_size"]: "You used each layer's input size. The count depends on the number of "
                                    "outputs: use the height and width after the layer (stride and padding "
                                    "change them).",
            counts["conv"]: "You counted the convolutions only: the Linear layers cost in_features x "
                            "out_features multiply-adds each.",
            counts["linear"]: "You counted the Linear layers only: the convolutions cost the most.",
            counts["linear_in_only"]: "Each Linear layer costs in_features multiply-adds for every one of its "
                                      "out_features outputs: in_features x out_features, not in_features.",
            counts["linear_out_only"]: "Each Linear layer costs in_features multiply-adds for every one of its "
                                       "out_features outputs: in_features x out_features, not out_features.",
            counts["square_kernel"]: "Kernels need not be square: multiply the kernel's height by its width "
                                     "(layer.kernel_size is a pair).",
            counts["square_image"]: "Images need not be square: multiply the output's height by its width.",
            counts["no_in_channels"]: "Each output value of a convolution reads all in_channels input maps: "
                                      "multiply by in_channels too.",
            counts["dilated_footprint"]: "A dilated kernel spreads its weights apart but has no more of them: "
                                         "each output value still costs in_channels x kernel height x kernel "
                                         "width multiply-adds. Dilation changes only the output's size.",
            counts["no_dilation"]: "Your output sizes ignore the dilation: a 3 x 3 kernel with dilation 2 spans "
                                   "5 x 5 pixels, so the output is smaller. Run the layers, or use "
                                   "size + 2 * padding - dilation * (kernel_size - 1) - 1, over stride, + 1.",
            counts["no_stride"]: "Your output sizes ignore the stride: a stride of 2 halves the height and the "
                                 "width of the output. Run the layers to learn the shapes, or divide by the "
                                 "stride in the output-size formula.",
            counts["no_padding"]: "Your output sizes ignore the padding: the zeros added on every side make the "
                                  "output larger (LeNet's conv1, a 5 x 5 kernel with padding 2, keeps 28 x 28). "
                                  "Run the layers to learn the shapes, or add 2 * padding in the output-size "
                                  "formula.",
            counts["pooling"]: "You counted the pooling layers too. Pooling has no weights: a max takes "
                               "comparisons and an average additions, not multiply-adds. Count Conv2d and Linear "
                               "only.",
            _LENET_MACS: "That is LeNet's count, but this is another network: compute the count from the model "
                         "and input_shape you are given.",
        }
        message = mistakes.get(got, "")
        raise Wrong(f"For {what} you counted {got:,} multiply-adds, expected {expected:,}. {message}".rstrip())


# --------------------------------------------------------------------------- 07.2


def _true_confusion(y_true: torch.Tensor, y_pred: torch.Tensor, num_classes: int) -> torch.Tensor:
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.long)
    matrix.index_put_((y_true.long(), y_pred.long()), torch.ones(len(y_true), dtype=torch.long), accumulate=True)
    return matrix


def _label_cases() -> list[tuple[torch.Tensor, int]]:
    """(pairs, num_classes): column 0 true labels, column 1 predictions. The check passes the columns as views."""
    generator = torch.Generator().manual_seed(7)
    small = torch.tensor([[0, 0], [0, 1], [1, 1], [2, 2], [2, 0], [2, 0], [1, 1], [0, 0]])  # class 3 never appears
    big_true = torch.randint(0, 10, (300,), generator=generator)
    wrong = torch.rand(300, generator=generator) < 0.3
    big_pred = torch.where(wrong, torch.randint(0, 10, (300,), generator=generator), big_true)
    three_true = torch.randint(0, 3, (41,), generator=generator)
    three_pred = torch.randint(0, 3, (41,), generator=generator)
    predicted_only = torch.tensor([[1, 4], [1, 1], [0, 4], [2, 2], [1, 0]])                 # class 4 only predicted
    return [(small, 4), (torch.stack([big_true, big_pred], dim=1), 10),
            (torch.stack([three_true, three_pred], dim=1), 3), (predicted_only, 6), (torch.tensor([[2, 1]]), 3)]


def _confusion_builtins(answer: Any) -> list[str]:
    """The ready-made confusion matrices a "by hand" answer may not call (scikit-learn's only when it is used)."""
    targets = ["course_utils.plots.confusion_matrix"]
    try:
        source = inspect.getsource(answer)
    except (OSError, TypeError):
        source = ""
    if "sklearn" in sys.modules or "sklearn" in source:
        if importlib.util.find_spec("sklearn") is not None:
            targets.append("sklearn.metrics.confusion_matrix")
    return targets


@exercise(
    "07.2",
    title="A confusion matrix by hand",
    hint="Start from torch.zeros(num_classes, num_classes, dtype=torch.long) and add 1 at [true, predicted] for "
         "every example: row = true class, column = prediction.",
)
def confusion_matrix_by_hand(answer: Any) -> None:
    """The answer is a function f(y_true, y_pred, num_classes) -> counts[true, predicted], an integer tensor."""
    expect_function(answer, "my_confusion_matrix(y_true, y_pred, num_classes)")
    for pairs, num_classes in _label_cases():
        y_true, y_pred = pairs[:, 0], pairs[:, 1]                  # views of one table, as a dataset's columns
        expected = _true_confusion(y_true, y_pred, num_classes)
        with forbid(*_confusion_builtins(answer), answer=answer,
                    instead="Counting the pairs is the exercise (the course's own confusion_matrix comes "
                            "right after it).", hint="Start from torch.zeros(num_classes, num_classes, dtype=torch.long) "
                                              "and add 1 at [true, predicted] for every example."):
            got = call(answer, y_true, y_pred, num_classes, name="my_confusion_matrix")
        got = expect_tensor(got, f"The matrix for {len(y_true)} labels and num_classes={num_classes}")
        if got.is_floating_point():
            raise Wrong(f"Your matrix has dtype {got.dtype}; counts are whole numbers.",
                        hint="Create it with torch.zeros(num_classes, num_classes, dtype=torch.long).")
        if got.dtype == torch.bool:
            raise Wrong("Your matrix holds True/False values; it should count the examples.")
        if got.dtype != torch.long:
            limit = {torch.uint8: 255, torch.int8: 127, torch.int16: 32_767}.get(got.dtype)
            overflow = (f" It holds at most {limit:,}: the cell of a class with {limit + 1:,} examples would "
                        "wrap around." if limit else "")
            raise Wrong(f"Your matrix has dtype {got.dtype}; the exercise asks for torch.long (64-bit integers), "
                        f"the dtype PyTorch uses for counts and labels.{overflow}",
                        hint="Create it with torch.zeros(num_classes, num_classes, dtype=torch.long).")
        if tuple(got.shape) != (num_classes, num_classes):
            raise Wrong(f"For num_classes={num_classes} expected a {num_classes} x {num_classes} matrix, got shape "
                        f"{tuple(got.shape)}.",
                        hint="Make the matrix num_classes x num_classes even when a class never appears, "
                             "in the labels or in the predictions.")
        got = got.detach().cpu().long()
        if torch.equal(got, expected):
            continue
        if torch.equal(got, expected.T):
            raise Wrong("Your matrix is transposed: rows must be the true classes, columns the predictions.",
                        hint="Add 1 at [true, predicted], not at [predicted, true].")
        if torch.equal(got, torch.diag(torch.diag(expected))):
            raise Wrong("Only the diagonal is filled: count the mistakes too, at [true, predicted].")
        if torch.equal(got, expected - torch.diag(torch.diag(expected))):
            raise Wrong("The diagonal is empty: the correct predictions belong there, at [c, c].")
        if torch.equal(got, torch.roll(expected, shifts=(-1, -1), dims=(0, 1))):
            raise Wrong("Every count sits one row and one column too early: labels start at 0, so class c "
                        "belongs at row c and column c (with c - 1, class 0 lands in the last row).")
        if torch.equal(got, (expected > 0).long()):
            raise Wrong("Each cell is 0 or 1: a pair (true, predicted) that occurs several times was counted once. "
                        "With matrix[y_true, y_pred] += 1, repeated index pairs are written only once.",
                        hint="Loop over the examples, or use torch.bincount(y_true * num_classes + y_pred, "
                             "minlength=num_classes ** 2).")
        if got.sum().item() != len(y_true):
            raise Wrong(f"Your counts add up to {got.sum().item()}, but there are {len(y_true)} examples: "
                        "each example adds exactly 1 to one cell.")
        raise Wrong(f"For y_true={y_true.tolist()[:8]}... and num_classes={num_classes}, your matrix differs "
                    "from the true counts.")


# --------------------------------------------------------------------------- 07.3


def _find_shift(original: torch.Tensor, output: torch.Tensor, reach: int) -> tuple[int, int] | None:
    """The (dy, dx) with output[:, y, x] == original[:, y + dy, x + dx] (zeros outside), if any."""
    _, height, width = original.shape
    padded = F.pad(original, (reach, reach, reach, reach))
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            window = padded[:, reach + dy:reach + dy + height, reach + dx:reach + dx + width]
            if torch.equal(window, output):
                return dy, dx
    return None


def _is_wrapped_shift(original: torch.Tensor, output: torch.Tensor, reach: int) -> bool:
    return any(torch.equal(torch.roll(original, (dy, dx), dims=(1, 2)), output)
               for dy in range(-reach, reach + 1) for dx in range(-reach, reach + 1))


def _channels_moved_apart(original: torch.Tensor, output: torch.Tensor, reach: int) -> bool:
    """True when every channel is a zero-filled shift of its own channel, but not all by the same amount."""
    shifts = [_find_shift(original[c:c + 1], output[c:c + 1], reach) for c in range(len(original))]
    return all(shift is not None for shift in shifts) and len(set(shifts)) > 1


# (images in the batch, channels, height, width, padding, dtype): several channels, non-square images, several
# paddings, and a float64 batch (a crop keeps the dtype of what it is given).
_CROP_CASES = [(64, 1, 12, 12, 3, torch.float32), (48, 3, 9, 14, 2, torch.float64),
               (40, 2, 16, 10, 1, torch.float32)]


def _crop_shifts(answer: Any, images: torch.Tensor, padding: int) -> torch.Tensor:
    """The (dy, dx) of every image after one call of the answer; raises Wrong for anything but a crop."""
    out = call(answer, images, padding, name="random_crop")
    n, channels, height, width = images.shape
    out = expect_tensor(out, f"random_crop of a batch of shape {tuple(images.shape)}")
    padded_shape = (n, channels, height + 2 * padding, width + 2 * padding)
    if tuple(out.shape) == padded_shape:
        raise Wrong(f"You returned the padded images, shape {tuple(out.shape)}: cut a window of the original "
                    f"size {(height, width)} out of each padded image.")
    if tuple(out.shape) != tuple(images.shape):
        extra = ""
        if tuple(out.shape) == (n, channels, height, height) or tuple(out.shape) == (n, channels, width, width):
            extra = " Images need not be square: use the height for rows and the width for columns."
        elif out.dim() == 4 and out.shape[1] != channels:
            extra = " Keep every channel: slice [:, top:top + height, left:left + width] of each padded image."
        raise Wrong(f"For a batch of shape {tuple(images.shape)} the output has shape {tuple(out.shape)}; "
                    f"a random crop keeps the shape.{extra}")
    if out.dtype != images.dtype:
        raise Wrong(f"The output has dtype {out.dtype}, the images {images.dtype}: a crop only moves pixels.")
    reach = padding + 2
    shifts = []
    for i in range(n):
        shift = _find_shift(images[i].cpu(), out[i].detach().cpu(), reach)
        if shift is None:
            if _is_wrapped_shift(images[i].cpu(), out[i].detach().cpu(), reach):
                raise Wrong("Your images wrap around: pixels that leave one side come back on the other "
                            "(that is what torch.roll does). A crop of a zero-padded image fills the "
                            "uncovered border with zeros.",
                            hint="Pad with F.pad(images, (padding,) * 4), then slice a window of the "
                                 "original size at a random offset.")
            if channels > 1 and _channels_moved_apart(images[i].cpu(), out[i].detach().cpu(), reach):
                raise Wrong(f"In image {i} the {channels} channels moved by different amounts: the colours of "
                            "one picture would come apart. Draw one offset per image and cut the same "
                            "window from all its channels.")
            raise Wrong(f"Output image {i} (of a batch of shape {tuple(images.shape)}) is not a shifted copy of "
                        "its input with zeros around it. A random crop only moves the image; it does not "
                        "change the pixel values.")
        shifts.append(shift)
    return torch.tensor(shifts)


def _check_random_crop(answer: Any) -> None:
    generator = torch.Generator().manual_seed(3)
    for n, channels, height, width, p, dtype in _CROP_CASES:
        # A view into a larger batch (as a dataset's rows are), with no zeros in it, so that padding shows.
        pool = (0.1 + 0.9 * torch.rand(n + 8, channels, height, width, generator=generator)).to(dtype)
        images = pool[4:4 + n]
        first, second = _crop_shifts(answer, images, p), _crop_shifts(answer, images, p)
        shifts = torch.cat([first, second])
        largest = shifts.abs().max().item()
        if largest > p:
            raise Wrong(f"With padding={p} one image moved by {largest} pixels; a crop can move it by at most "
                        f"{p}.", hint="Choose each offset in 0 ... 2 * padding (inclusive), from the padding "
                                      "you are given.")
        if largest == 0:
            raise Wrong("Every image came back unchanged: choose a random offset for each image.")
        if (first == first[0]).all():
            raise Wrong(f"Every image of the batch moved by the same offset {tuple(first[0].tolist())}: "
                        "draw a separate random offset for each image.",
                        hint="torch.randint(0, 2 * padding + 1, (len(images),)) gives one offset per image.")
        if torch.equal(first, second):
            raise Wrong("Two calls gave exactly the same offsets: draw new random offsets at every call.")
        if torch.equal(shifts[:, 0], shifts[:, 1]):
            raise Wrong("Every image moved as far down as it moved right (dy == dx): draw the vertical and "
                        "the horizontal offset separately.")
        for axis, name in ((0, "vertical"), (1, "horizontal")):
            seen = set(shifts[:, axis].tolist())
            missing = sorted(set(range(-p, p + 1)) - seen)
            if not missing:
                continue
            if min(seen) >= 0 or max(seen) <= 0:
                raise Wrong(f"With padding={p}, in {len(shifts)} crops the {name} offset went one way only "
                            f"(offsets {sorted(seen)}): the window's corner must range over the whole padded "
                            "image, 0 ... 2 * padding, so that the image can move both ways.",
                            hint="Use torch.randint(0, 2 * padding + 1, ...) for the window's top-left corner.")
            if missing in ([p], [-p]):
                raise Wrong(f"With padding={p}, in {len(shifts)} crops the {name} offset never reached "
                            f"{missing[0]:+d}. torch.randint(low, high) never returns high itself.",
                            hint="Use torch.randint(0, 2 * padding + 1, ...) so that every offset from 0 to "
                                 "2 * padding can come out.")
            raise Wrong(f"With padding={p}, in {len(shifts)} crops the {name} offsets {missing} never came out: "
                        f"every shift from -{p} to +{p} should be possible.",
                        hint="Draw each offset with torch.randint(0, 2 * padding + 1, ...): every whole number "
                             "from 0 to 2 * padding, each as likely.")


@exercise(
    "07.3",
    title="Random crop with zero padding",
    hint="Pad every image with `padding` zeros on each side (F.pad(images, (padding,) * 4)), then cut out of "
         "each padded image a window of the original height and width at its own random top-left corner. "
         "Which corners keep the window inside the padded image?",
)
def random_crop(answer: Any) -> None:
    """The answer is a function f(images, padding) -> randomly cropped images of the same shape."""
    expect_function(answer, "random_crop(images, padding)")
    _check_random_crop(answer)   # check() has seeded the global generator the answer draws from


# --------------------------------------------------------------------------- 07.4

exercise(
    "07.4",
    title="Predict what augmentation does",
    hint="Augmentation shows the network moved digits during training; ask what that changes for moved test "
         "digits, and whether it costs anything on clean ones.",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "The moved digits gain a lot, but the clean ones have little room left: the network already "
                 "recognises most of them, and the augmented training images are still ordinary digits.",
            "b": "Right: the network learns that a digit keeps its name when it moves, which is exactly what "
                 "the moved test set asks; on clean digits the effect is small, either way.",
            "c": "A small network can learn both: the moved training digits are still digits, so the clean "
                 "accuracy changes by a point or two at most, not by ten.",
            "d": "The measurements of section 6 say otherwise: the CNN's accuracy fell a lot on moved digits. "
                 "Pooling tolerates shifts of a pixel or two, not rotations or larger shifts, and the fully "
                 "connected layers care where things are.",
        },
    )
)


# --------------------------------------------------------------------------- 07.5

#: The recipe must reach this accuracy on the check's held-out digits ...
RECIPE_TARGET = 0.97
#: ... within this many seconds of training (on the machine the check runs on).
RECIPE_SECONDS = 120.0
#: The check renames every digit (0 is called 3, 1 is called 7, ...), so that no digit keeps its name.
RENAMED = (3, 7, 0, 9, 5, 1, 8, 2, 6, 4)


@functools.cache
def _sample() -> tuple[Any, Any]:
    """The bundled sample's training and test ImageSets, loaded once."""
    from course_utils.data import load_mnist

    return load_mnist("train", source="sample", verbose=False), load_mnist("test", source="sample", verbose=False)


@functools.cache
def _sample_digits() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The check's own split of the sample's 4,000 training digits: 3,000 to learn from, 1,000 held out.

    The test split is never used: a learner who tunes a recipe against this check tunes it on
    digits held out from the training data, as validation should be.
    """
    from course_utils.data import train_val_split

    given, held = train_val_split(_sample()[0], val_fraction=0.25, seed=7)
    rename = torch.tensor(RENAMED)
    return given.images, rename[given.labels], held.images, rename[held.labels]


@functools.cache
def _digit_fingerprints() -> frozenset[str]:
    """A fingerprint of every image of the bundled sample (train and test), to recognise them anywhere."""
    train, test = _sample()
    return frozenset(_fingerprints(torch.cat([train.images, test.images])))


def _fingerprints(images: torch.Tensor | np.ndarray) -> list[str]:
    rows = images.detach().cpu().numpy() if isinstance(images, torch.Tensor) else images
    rows = np.ascontiguousarray(rows, dtype=np.float32).reshape(-1, 28 * 28)
    return [hashlib.blake2b(row.tobytes(), digest_size=12).hexdigest() for row in rows]


def _holds_digits(value: Any) -> int | None:
    """The number of images when ``value`` holds MNIST digits of the sample (tensor, array, dataset, pair)."""
    if isinstance(value, torch.utils.data.TensorDataset):
        return _holds_digits(value.tensors[0])
    if isinstance(value, (tuple, list)) and 0 < len(value) <= 4:
        counts = [_holds_digits(item) for item in value]
        return next((count for count in counts if count), None)
    if isinstance(value, (torch.Tensor, np.ndarray)) and value.ndim >= 3 and tuple(value.shape[-2:]) == (28, 28):
        if isinstance(value, torch.Tensor) and not value.is_floating_point():
            return None
        if isinstance(value, np.ndarray) and value.dtype not in (np.float32, np.float64):
            return None
        flat = value.reshape(-1, 28, 28)
        if len(flat) and not _digit_fingerprints().isdisjoint(_fingerprints(flat[:32])):
            return int(value.shape[0])
    return None


class DataTouched(Wrong):
    """Raised when a recipe reads the notebook's digits instead of the data it was given."""


class _Sealed:
    """Stands in for a variable that holds the notebook's digits while a recipe trains: any use fails."""

    def __init__(self, name: str, uses: list[str]) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_uses", uses)

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        name = object.__getattribute__(self, "_name")
        object.__getattribute__(self, "_uses").append(name)
        raise _touched(name)

    def __getattr__(self, attribute: str) -> Any:
        return self._fail()

    @classmethod
    def __torch_function__(cls, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        candidates = [*args, *(kwargs or {}).values()]
        candidates += [item for arg in args if isinstance(arg, (list, tuple)) for item in arg]
        return next(arg for arg in candidates if isinstance(arg, _Sealed))._fail()

    __getitem__ = __setitem__ = __len__ = __iter__ = __array__ = __call__ = _fail
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __matmul__ = _fail
    __eq__ = __lt__ = __gt__ = __bool__ = __float__ = __int__ = __index__ = _fail
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"<{object.__getattribute__(self, '_name')}: sealed while the check trains your recipe>"


def _touched(name: str) -> DataTouched:
    return DataTouched(
        f"Your recipe reads {name!r}, digits of the notebook. A recipe may learn only from the images and "
        "labels it is given: anything else could be test data (the notebook's test digits must stay unseen "
        "until the very end), and the check gives its own digits, with other names, anyway.",
        hint="Use only train_recipe's arguments, images and labels, inside the function.")


@contextmanager
def _sealed_notebook_data(answer: Any) -> Iterator[list[str]]:
    """While the block runs, every global of the answer's module that holds sample digits is sealed."""
    namespace = getattr(answer, "__globals__", None)
    uses: list[str] = []
    if not isinstance(namespace, dict):
        yield uses
        return
    sealed: dict[str, Any] = {}
    image_counts = set()
    for key, value in list(namespace.items()):
        if key.startswith("__"):
            continue
        try:
            count = _holds_digits(value)
        except Exception:   # an object that cannot be inspected (a meta tensor, a broken container): not digits
            count = None
        if count:
            sealed[key] = value
            image_counts.add(count)
    for key, value in list(namespace.items()):   # their labels: integer vectors as long as a set of digits
        if (key not in sealed and not key.startswith("__") and isinstance(value, torch.Tensor)
                and value.ndim == 1 and not value.is_floating_point() and len(value) in image_counts):
            sealed[key] = value
    try:
        for key in sealed:
            namespace[key] = _Sealed(key, uses)
        yield uses
    finally:
        for key, value in sealed.items():
            namespace[key] = value


_LOADERS = ("course_utils.data.load_mnist", "course_utils.data.mnist.load_mnist",
            "course_utils.data.load_dataset", "course_utils.data.catalog.load_dataset",
            "course_utils.data.mnist.read_sample", "course_utils.data.mnist.read_idx")


def _train(answer: Any, images: torch.Tensor, labels: torch.Tensor) -> tuple[Any, float]:
    """Run the learner's recipe on the check's digits, with the notebook's digits sealed; time it."""
    start = time.perf_counter()
    loaders = forbid(*_LOADERS, answer=answer, message="Your recipe loads data itself ({target}).",
                     instead="A recipe may learn only from the images and labels it is given: a loader could "
                             "hand it the test digits, which must stay unseen until the very end.",
                     hint="Train on train_recipe's arguments, images and labels, and nothing else.")
    with _sealed_notebook_data(answer) as uses, loaders:
        try:
            model = call(answer, images, labels, name="train_recipe")
        except DataTouched:
            raise
        except Exception:
            if uses:   # the learner's code reached the sealed data, and something else broke next
                raise _touched(uses[0]) from None
            raise
        if uses:       # ... or it caught the error and went on
            raise _touched(uses[0])
    return model, time.perf_counter() - start


def _logits(model: nn.Module, images: torch.Tensor) -> torch.Tensor:
    device = next(model.parameters()).device
    with torch.inference_mode():
        outputs = torch.cat([model(images[i:i + 500].to(device)) for i in range(0, len(images), 500)])
    return expect_tensor(outputs, "Your model's output for 1,000 digits", shape=(len(images), 10), floating=True)


@exercise(
    "07.5",
    title="A training recipe that beats the reference",
    hint="Combine what this notebook measured: a CNN (make_lenet), an augmentation that keeps the label and is "
         "milder than section 7's (these digits are not moved), AdamW with a one-cycle schedule sized to "
         "len(images) (one_cycle does it), and enough epochs for the schedule to warm up and settle. Pass the "
         "augmentation to fit as transform= and the schedule as scheduler=.",
    time_limit=360,  # the recipe may train for up to 120 s; on a slow machine, give it room
)
def training_recipe(answer: Any) -> None:
    """The answer is a function f(images, labels) -> a trained model that maps (N, 1, 28, 28) images to 10 logits."""
    from course_utils import get_device
    from course_utils.train import History

    if isinstance(answer, nn.Module):
        raise Wrong("You passed a model; pass the function train_recipe, which builds a model, trains it and "
                    "returns it.")
    expect_function(answer, "train_recipe(images, labels)")
    _digit_fingerprints()                       # loaded now, before any loader is forbidden
    given_images, given_labels, held_images, held_labels = _sample_digits()
    device = get_device()
    images, labels = given_images.to(device), given_labels.to(device)   # fresh copies: the cache stays clean
    if images is given_images:
        images, labels = images.clone(), labels.clone()
    try:
        model, seconds = _train(answer, images, labels)
    except ValueError as error:
        if "Tried to step" not in str(error):
            raise
        raise Wrong(f"Your learning-rate schedule ran out of steps ({error}). fit steps the scheduler after "
                    "every batch, not after every epoch, so a one-cycle schedule needs one step per batch.",
                    hint="Set total_steps = epochs * math.ceil(len(images) / batch_size), as one_cycle does.") \
            from None
    if isinstance(model, History):
        raise Wrong("train_recipe returned the History that fit returns; return the trained model.",
                    hint="fit trains the model in place: call it, then return model.")
    if isinstance(model, tuple) and any(isinstance(item, nn.Module) for item in model):
        raise Wrong(f"train_recipe returned a tuple of {len(model)} things; return only the trained model.")
    if not isinstance(model, nn.Module):
        raise Wrong(f"train_recipe should return the trained model (an nn.Module), got {type(model).__name__}.")
    if next(model.parameters(), None) is None:
        raise Wrong("Your model has no parameters, so it cannot have learned anything.")
    model.eval()
    logits = _logits(model, held_images)
    again = _logits(model, held_images)
    if not torch.allclose(logits, again, atol=1e-5, rtol=1e-4):
        raise Wrong("In evaluation mode your model gives different outputs for the same digits: something random "
                    "(augmentation or noise) is still switched on at evaluation.",
                    hint="Augment in training only: pass the augmentation to fit as transform=, or make it a "
                         "layer that returns its input unchanged when not self.training.")
    predicted = logits.argmax(dim=1).cpu()
    accuracy = (predicted == held_labels).float().mean().item()
    real_names = torch.tensor(RENAMED).argsort()
    accuracy_real_names = (predicted == real_names[held_labels]).float().mean().item()
    summary = (f"trained on 3,000 digits in {seconds:.1f} s, your model recognises {accuracy:.1%} of the 1,000 "
               "held-out digits")
    if accuracy_real_names > 0.5 and accuracy < 0.5:
        raise Wrong(f"Your model calls {accuracy_real_names:.0%} of the held-out digits by their usual names, but "
                    "the check renamed every digit (a 0 is labelled 3, a 1 is labelled 7, ...), in the labels it "
                    "gave your recipe too. So your model learned from other data than it was given.",
                    hint="Train a new model inside train_recipe, on its arguments images and labels.")
    if accuracy < 0.2:
        raise Wrong(f"{summary.capitalize()}: hardly better than guessing (10%). Did the model train, and did "
                    "you return the model you trained?")
    if seconds > RECIPE_SECONDS:
        raise Wrong(f"{summary.capitalize()}, but the exercise asks for at most {RECIPE_SECONDS:.0f} s of "
                    "training.", hint="Fewer epochs, larger batches or a smaller network; or a schedule that "
                                      "gets more out of each epoch.")
    if accuracy < RECIPE_TARGET:
        raise Wrong(f"{summary.capitalize()}; the target is {RECIPE_TARGET:.1%}.",
                    hint="Augment the training batches (mildly), use a one-cycle schedule whose total_steps "
                         "is epochs * ceil(len(images) / batch_size), and train for more epochs.")

# --------------------------------------------------------------------------- 07.6

exercise(
    "07.6",
    title="Why the time-averaged spectrum fails",
    hint="Draw the frequency of a rising and of a falling chirp against time, then count how long each one "
         "spends at each frequency.",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "A bigger MLP would not help: after averaging, rising and falling chirps give inputs drawn from "
                 "the same distribution, and no function of those inputs can beat a coin toss between them.",
            "b": "Right: averaging over time keeps how much energy each frequency got and throws away when. "
                 "A rising and a falling chirp over the same range get the same amounts, in opposite orders.",
            "c": "The average keeps the log-frequency axis: it is a vector of F_BINS numbers, one per frequency. "
                 "It is the time axis that disappears.",
            "d": "Loudness and noise are drawn the same way for every class, and the baseline still recognises "
                 "clicks: nothing vanishes. The information about direction is simply gone.",
        },
    )
)
