"""Exercises of notebook 08 (Modern architectures and tricks)."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from course_utils.checks import NotAttempted, Wrong, exercise, expect_function, multiple_choice

exercise(
    "08.1",
    title="A plain 32-layer network",
    hint="Remember what notebook 05 showed about gradients in deep networks without normalization or shortcuts, "
         "and what loss a network has when it has learned nothing.",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "More layers could represent more, but only if training finds the weights. Here the signal and "
                 "the gradient shrink at every layer, and the network never leaves chance level.",
            "b": "Right: the gradient reaching the early layers is vanishingly small, so the network keeps guessing "
                 "and its loss stays at ln 10 = 2.30. He and colleagues called this the degradation problem.",
            "c": "Overfitting needs a network that can fit its training data. This one cannot even do that: its "
                 "training loss stays at chance level.",
            "d": "With PyTorch's default initialisation each layer shrinks its input, so the gradients vanish rather "
                 "than explode; the loss stays finite, at chance level.",
        },
    )
)


def _block_cases() -> list[tuple[int, int, int]]:
    return [(8, 8, 1), (8, 16, 2), (4, 12, 1), (6, 6, 2)]


def _expected_output(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
    residual = block.bn2(block.conv2(F.relu(block.bn1(block.conv1(x)))))
    return F.relu(residual + block.shortcut(x))


def _residual_mistakes(block: nn.Module, x: torch.Tensor) -> list[tuple[str, Any]]:
    """Outputs of plausible wrong forward passes, each with what went wrong (computed lazily)."""
    def branch() -> torch.Tensor:
        return block.bn2(block.conv2(F.relu(block.bn1(block.conv1(x)))))

    return [
        ("The final ReLU is missing: apply F.relu to F(x) + shortcut(x).",
         lambda: branch() + block.shortcut(x)),
        ("The shortcut is missing: this is a plain block. Add self.shortcut(x) to F(x) before the final ReLU.",
         lambda: F.relu(branch())),
        ("You applied the ReLU to F(x) before adding the shortcut: add first, then apply the ReLU to the sum.",
         lambda: F.relu(branch()) + block.shortcut(x)),
        ("bn2 is missing: F(x) ends with self.bn2(self.conv2(...)).",
         lambda: F.relu(block.conv2(F.relu(block.bn1(block.conv1(x)))) + block.shortcut(x))),
        ("The ReLU between the two convolutions is missing: F(x) = bn2(conv2(relu(bn1(conv1(x))))).",
         lambda: F.relu(block.bn2(block.conv2(block.bn1(block.conv1(x)))) + block.shortcut(x))),
        ("You added x itself: use self.shortcut(x), which projects x when the shapes differ.",
         lambda: F.relu(branch() + x)),
    ]


@exercise(
    "08.2",
    title="A residual block with a projection shortcut",
    hint="F(x) is conv1, bn1, a ReLU, conv2 and bn2, in that order. Add self.shortcut(x) (not x) to it, "
         "then apply the final ReLU to the sum.",
)
def residual_block(answer: Any) -> None:
    """The answer is the class ResidualBlock(in_channels, out_channels, stride) with its forward written."""
    if not isinstance(answer, type) or not issubclass(answer, nn.Module):
        raise Wrong(f"Expected the class ResidualBlock itself (an nn.Module subclass), got {type(answer).__name__}.",
                    hint="Pass the class, not an instance: check(\"08.2\", ResidualBlock).")
    generator = torch.Generator().manual_seed(8)
    with torch.random.fork_rng():
        for in_channels, out_channels, stride in _block_cases():
            torch.manual_seed(in_channels * 100 + out_channels)
            block = answer(in_channels, out_channels, stride)
            block.train()
            for name in ("conv1", "bn1", "conv2", "bn2", "shortcut"):
                if not hasattr(block, name):
                    raise Wrong(f"The block has no attribute {name!r}: keep the __init__ as given.")
            x = torch.randn(4, in_channels, 8, 8, generator=generator)
            with torch.no_grad():
                expected = _expected_output(block, x)
                try:
                    got = block(x)
                except RuntimeError as error:
                    if "size" in str(error) or "shape" in str(error):
                        raise Wrong(f"For {in_channels} -> {out_channels} channels with stride {stride} your forward "
                                    f"raised a shape error: F(x) and x have different shapes there.",
                                    hint="Add self.shortcut(x), not x: the shortcut projects x to F(x)'s shape.") from error
                    raise
                if got is None:
                    raise NotAttempted("forward returns None: it still needs a return statement.")
                if not isinstance(got, torch.Tensor):
                    raise Wrong(f"forward returned {type(got).__name__}, expected a tensor.")
                shape = (4, out_channels, 8 // stride, 8 // stride)
                if tuple(got.shape) != shape:
                    raise Wrong(f"For {in_channels} -> {out_channels} channels with stride {stride}, the output has "
                                f"shape {tuple(got.shape)}, expected {shape}.")
                if torch.allclose(got, expected, atol=1e-5):
                    continue
                for why, wrong in _residual_mistakes(block, x):
                    try:
                        candidate = wrong()
                    except RuntimeError:
                        continue
                    if candidate.shape == got.shape and torch.allclose(got, candidate, atol=1e-5):
                        raise Wrong(f"For {in_channels} -> {out_channels} channels with stride {stride}: {why}")
                raise Wrong(f"For {in_channels} -> {out_channels} channels with stride {stride}, your output differs "
                            "from relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)).")


def _dense_parameters(in_channels: int, growth_rate: int, num_layers: int) -> int:
    return sum(2 * c + 9 * c * growth_rate
               for c in (in_channels + i * growth_rate for i in range(num_layers)))


@exercise(
    "08.3",
    title="Parameters of a dense block",
    hint="Layer i (from 0) reads c = in_channels + i * growth_rate channels: its batch norm has 2 * c parameters "
         "and its 3x3 convolution to growth_rate channels, without bias, has 9 * c * growth_rate. Sum over the layers.",
)
def dense_block_parameters(answer: Any) -> None:
    """The answer is a function f(in_channels, growth_rate, num_layers) -> number of parameters."""
    expect_function(answer, "of (in_channels, growth_rate, num_layers)")
    for c0, k, layers in [(16, 8, 4), (3, 12, 6), (64, 32, 1), (10, 4, 0), (24, 6, 10)]:
        got = answer(c0, k, layers)
        if got is None or got is Ellipsis:
            raise NotAttempted("Your function returns None: it still needs a return statement.")
        try:
            value = int(got)
        except (TypeError, ValueError) as exc:
            raise Wrong(f"For ({c0}, {k}, {layers}) expected a whole number, got {got!r}.") from exc
        expected = _dense_parameters(c0, k, layers)
        if value == expected:
            continue
        channels = [c0 + i * k for i in range(layers)]
        mistakes = {
            sum(2 * c0 + 9 * c0 * k for _ in range(layers)):
                "every layer reads only in_channels; but the input grows by growth_rate channels per layer.",
            sum(9 * c * k for c in channels):
                "the batch norms are missing: each has a scale and a shift per input channel (2 * c).",
            sum(2 * c + 9 * c * k + k for c in channels):
                "that includes a bias in each convolution; these convolutions have bias=False (batch norm follows).",
            sum(2 * (c + k) + 9 * c * k for c in channels):
                "the batch norm acts on the layer's input (c channels), not on its output.",
            sum(2 * c + 9 * c * k for c in (c0 + (i + 1) * k for i in range(layers))):
                "off by one layer: the first layer reads in_channels, the second in_channels + growth_rate, and so on.",
            sum(2 * c + c * k for c in channels):
                "a 3x3 convolution has 9 weights per (input channel, output channel) pair, not 1.",
            c0 + layers * k:
                "that is the number of output channels; the question asks for the parameters.",
        }
        why = mistakes.get(value, "")
        message = f"For in_channels={c0}, growth_rate={k}, num_layers={layers} you returned {value:,}, expected {expected:,}."
        raise Wrong(f"{message} It looks like {why}" if why else message)


@exercise(
    "08.4",
    title="Intersection over union",
    hint="The intersection is where both masks are True (&), the union where at least one is (|). "
         "Count each with .sum(), divide, return a float, and handle an empty union first.",
)
def intersection_over_union(answer: Any) -> None:
    """The answer is a function f(predicted, target) -> IoU of two boolean masks."""
    expect_function(answer, "iou(predicted, target)")
    generator = torch.Generator().manual_seed(4)
    predicted = torch.rand(20, 30, generator=generator) > 0.6
    target = torch.rand(20, 30, generator=generator) > 0.5
    cases = [
        (predicted, target),
        (predicted[:5], predicted[:5]),
        (torch.zeros(6, 6, dtype=torch.bool), torch.ones(6, 6, dtype=torch.bool)),
        (torch.zeros(2, 4, 4, dtype=torch.bool), torch.zeros(2, 4, 4, dtype=torch.bool)),
    ]
    for p, t in cases:
        got = answer(p.clone(), t.clone())
        if got is None or got is Ellipsis:
            raise NotAttempted("Your function returns None: it still needs a return statement.")
        try:
            value = float(got)
        except (TypeError, ValueError, RuntimeError) as exc:
            raise Wrong(f"Expected one number, got {type(got).__name__}"
                        f"{' of shape ' + str(tuple(got.shape)) if isinstance(got, torch.Tensor) else ''}.") from exc
        inter, union = (p & t).sum().item(), (p | t).sum().item()
        expected = 1.0 if union == 0 else inter / union
        if abs(value - expected) < 1e-6:
            continue
        if union == 0:
            raise Wrong(f"For two empty masks you returned {value!r}: nothing to find and nothing found counts as "
                        "a perfect match, 1.0.", hint="Test for union == 0 before dividing.")
        n_p, n_t = p.sum().item(), t.sum().item()
        mistakes = {
            inter / n_t if n_t else None: "you divided by the target's size: that is the recall, not the IoU.",
            inter / n_p if n_p else None: "you divided by the prediction's size: that is the precision, not the IoU.",
            2 * inter / (n_p + n_t) if n_p + n_t else None: "that is the Dice coefficient 2|P∩T| / (|P| + |T|), not the IoU.",
            inter / (n_p + n_t) if n_p + n_t else None: "the union counts the overlap twice: |P ∪ T| = |P| + |T| - |P ∩ T|.",
            (p == t).float().mean().item(): "that is the pixel accuracy (agreement on every pixel, background included).",
            float(inter): "you returned the intersection's size; divide it by the union's size.",
        }
        why = next((text for wrong, text in mistakes.items() if wrong is not None and abs(value - wrong) < 1e-6), "")
        message = f"For masks with |P| = {n_p}, |T| = {n_t}, |P ∩ T| = {inter} you returned {value:.4g}, expected {expected:.4g}."
        raise Wrong(f"{message} It looks like {why}" if why else message)
