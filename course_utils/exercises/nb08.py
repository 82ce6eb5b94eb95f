"""Exercises of notebook 08 (Modern architectures and tricks)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from course_utils.checks import (
    Wrong,
    call,
    exercise,
    expect_defaults,
    expect_function,
    expect_number,
    expect_tensor,
    forbid,
    forward_backward,
    multiple_choice,
    randomize_module,
)

exercise(
    "08.1",
    title="A plain 33-layer network",
    hint="Notebook 05 found the weight variance that keeps a signal's size through a layer and a ReLU; PyTorch's "
         "default for a convolution is 1 / (3 fan-in). Follow the part of the signal that depends on the image "
         "through 33 such layers: what is left of it for the last layer, and what can the network output then?",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "More layers could represent more, but only if training finds the weights. Here every layer shrinks "
                 "the part of the signal that depends on the image, and after 33 layers nothing of it is left.",
            "b": "Right: with PyTorch's default initialisation each convolution and ReLU shrinks the image's signal by "
                 "about 2.5 times, so after 33 layers every image gives the same output and the loss stays at "
                 "ln 10 = 2.30. That is a failure of the initialisation (signal collapse); the rest of the section "
                 "separates it from the degradation problem.",
            "c": "Overfitting needs a network that can fit its training data. This one cannot even do that: its "
                 "output is the same for every image, so its training loss stays at chance level.",
            "d": "With PyTorch's default initialisation each layer shrinks its input, so the signal and the gradients "
                 "vanish rather than explode; the loss stays finite, at chance level.",
        },
    )
)


# ---------------------------------------------------------------- 08.2 pre-activation residual block

_BLOCK_CASES = [  # (in_channels, out_channels, stride, batch, height, width): non-square, odd sizes included
    (6, 6, 1, 4, 7, 5),   # identity shortcut
    (5, 8, 2, 3, 9, 6),   # stride 2 and more channels: projection
    (4, 7, 1, 2, 6, 5),   # more channels only: projection with stride 1
    (6, 6, 2, 3, 8, 7),   # stride 2 only: projection although the channels match
]


def _is_identity(shortcut: Any) -> bool:
    """None, as the task asks, or a module that is the identity (nn.Identity, or an empty nn.Sequential)."""
    return (shortcut is None or isinstance(shortcut, nn.Identity)
            or (isinstance(shortcut, nn.Sequential) and len(shortcut) == 0))


def _standard_norm(bn: nn.Module, h: torch.Tensor) -> torch.Tensor:
    """What a standard nn.BatchNorm2d (eps 1e-5, momentum 0.1) computes with ``bn``'s parameters and buffers."""
    if bn.training:
        bn.num_batches_tracked.add_(1)
    return F.batch_norm(h, bn.running_mean, bn.running_var, bn.weight, bn.bias, training=bn.training,
                        momentum=0.1, eps=1e-5)


def _preact_forward(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The block the exercise asks for, from the weights of the block's layers (not from their forward methods,
    so that a layer built with other settings, or a shortcut with more in it, cannot fool the comparison)."""
    stride = block.conv1.stride  # checked by _structure_problem
    a = F.relu(_standard_norm(block.bn1, x))
    h = F.conv2d(a, block.conv1.weight, stride=stride, padding=1)
    h = F.conv2d(F.relu(_standard_norm(block.bn2, h)), block.conv2.weight, padding=1)
    if _is_identity(block.shortcut):
        return h + x
    projection = next(m for m in block.shortcut.modules() if isinstance(m, nn.Conv2d))
    return h + F.conv2d(a, projection.weight, stride=stride)


def _conv_problem(conv: Any, name: str, in_channels: int, out_channels: int, kernel: int, stride: int) -> str:
    """What is wrong with ``conv`` (empty when it is the convolution the exercise asks for)."""
    wanted = (f"nn.Conv2d({in_channels}, {out_channels}, {kernel}" + (f", stride={stride}" if stride != 1 else "")
              + (", padding=1" if kernel == 3 else "") + ", bias=False)")
    if not isinstance(conv, nn.Conv2d):
        return f"{name} should be {wanted}, but it is {type(conv).__name__}."
    padding = conv.padding
    if isinstance(padding, str):  # "same" (for stride 1) pads (k - 1) / 2 on each side, "valid" nothing
        padding = tuple((k - 1) // 2 for k in conv.kernel_size) if padding == "same" else (0, 0)
    got = (conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, padding)
    expected = (in_channels, out_channels, (kernel, kernel), (stride, stride), (kernel // 2, kernel // 2))
    if got[:2] != expected[:2]:
        return (f"{name} maps {conv.in_channels} to {conv.out_channels} channels; it should be {wanted}."
                + (" In a pre-activation block conv1 reads the block's input (in_channels) and writes out_channels."
                   if name == "conv1" else ""))
    if got[2] != expected[2]:
        return f"{name} has kernel size {conv.kernel_size}; it should be {wanted}."
    if got[3] != expected[3]:
        where = ("the stride belongs to conv1 (and the projection), so that the branch and the shortcut shrink "
                 "the image together" if name == "conv2" else f"it should be {wanted}")
        return f"{name} has stride {conv.stride}: {where}."
    if got[4] != expected[4]:
        return f"{name} has padding {conv.padding}; it should be {wanted}, which keeps the size (for stride 1)."
    if conv.padding_mode != "zeros":
        return (f"{name} pads with padding_mode={conv.padding_mode!r}; it should be {wanted}, which pads with "
                "zeros (the default), as ResNets do.")
    if conv.bias is not None:
        return (f"{name} has a bias; make it bias=False: every convolution of this block is followed by a batch "
                "norm (here or in the next block) that would cancel it.")
    if conv.groups != 1 or conv.dilation != (1, 1):
        return f"{name} should be a plain {wanted} (no groups, no dilation)."
    return ""


def _structure_problem(block: nn.Module, cin: int, cout: int, stride: int) -> str:
    """Describe the first way the block's layers differ from the exercise's (empty when they match)."""
    for name in ("bn1", "conv1", "bn2", "conv2", "shortcut"):
        if not hasattr(block, name):
            return (f"The block has no attribute {name!r}. Name the layers as the task says: "
                    "self.bn1, self.conv1, self.bn2, self.conv2 and self.shortcut.")
    for name, features in (("bn1", cin), ("bn2", cout)):
        bn = getattr(block, name)
        if not isinstance(bn, nn.BatchNorm2d):
            return f"{name} should be nn.BatchNorm2d({features}), but it is {type(bn).__name__}."
        if bn.num_features != features:
            why = ("bn1 normalises the block's input x, before any convolution, so it has in_channels features"
                   if name == "bn1" else "bn2 normalises conv1's output, which has out_channels channels")
            return f"{name} has {bn.num_features} features, expected {features}: {why}."
        if not (bn.affine and bn.track_running_stats):
            return f"{name} should be a standard nn.BatchNorm2d({features}), with its scale, shift and running statistics."
        if bn.momentum != 0.1:
            return (f"{name} has momentum={bn.momentum}; keep PyTorch's default, nn.BatchNorm2d({features}) "
                    "(momentum=0.1). In PyTorch the momentum is the weight of the new batch in the running "
                    "averages; Keras's momentum=0.99 is the weight of the old average, the other way round.")
        if bn.eps != 1e-5:
            return (f"{name} has eps={bn.eps:g}; keep PyTorch's default, nn.BatchNorm2d({features}) (eps=1e-5), "
                    "the epsilon of the formula in section 2.")
    for problem in (_conv_problem(block.conv1, "conv1", cin, cout, 3, stride),
                    _conv_problem(block.conv2, "conv2", cout, cout, 3, 1)):
        if problem:
            return problem
    shortcut = block.shortcut
    needs_projection = stride != 1 or cin != cout
    if not needs_projection:
        if not _is_identity(shortcut):
            return (f"For {cin} -> {cout} channels with stride 1 the shapes already match: self.shortcut should be "
                    f"None (x is added as it is), but it is {type(shortcut).__name__}.")
        return _count_problem(block, 9 * cin * cout + 9 * cout * cout + 2 * (cin + cout))
    if _is_identity(shortcut):
        return (f"For {cin} -> {cout} channels with stride {stride} the shapes change, so the shortcut needs a "
                f"projection: self.shortcut = nn.Conv2d({cin}, {cout}, 1, stride={stride}, bias=False).")
    if not isinstance(shortcut, nn.Module):
        return f"self.shortcut should be None or an nn.Conv2d, not {type(shortcut).__name__}."
    norms = [m for m in shortcut.modules() if isinstance(m, nn.modules.batchnorm._NormBase)]
    if norms:
        return ("Your projection shortcut has a batch norm. In a pre-activation block the projection is a bare 1x1 "
                "convolution: its input, relu(bn1(x)), is already normalised (the original ResNet block, which has "
                "no batch norm before it, is the one with conv + BN in the shortcut).")
    extras = [type(m).__name__ for m in shortcut.modules()
              if not list(m.children()) and not isinstance(m, (nn.Conv2d, nn.Identity))]
    if extras:
        return (f"Your projection shortcut holds {', '.join(extras)} besides its convolution. It should be one "
                f"nn.Conv2d({cin}, {cout}, 1, stride={stride}, bias=False) and nothing else: the sum is left "
                "alone, and nothing follows the projection.")
    convs = [m for m in shortcut.modules() if isinstance(m, nn.Conv2d)]
    if len(convs) != 1 or sum(p.numel() for p in shortcut.parameters()) != convs[0].weight.numel():
        return f"self.shortcut should be one nn.Conv2d({cin}, {cout}, 1, stride={stride}, bias=False) and nothing else."
    problem = _conv_problem(convs[0], "the shortcut's convolution", cin, cout, 1, stride)
    if problem:
        return problem
    return _count_problem(block, 9 * cin * cout + 9 * cout * cout + 2 * (cin + cout) + cin * cout)


def _count_problem(block: nn.Module, expected: int) -> str:
    found = sum(p.numel() for p in block.parameters())
    if found != expected:
        return (f"The block has {found:,} parameters, expected {expected:,}: keep exactly bn1, conv1, bn2, conv2 and "
                "the shortcut, with no other layers.")
    return ""


def _bare_norm(h: torch.Tensor) -> torch.Tensor:
    """Batch statistics only: no scale, no shift."""
    return F.batch_norm(h, None, None, training=True, eps=1e-5)


def _preact_mistakes(block: nn.Module, x: torch.Tensor) -> list[tuple[str, Callable[[], torch.Tensor]]]:
    """Plausible wrong forward passes (computed from the block's own layers), each with what went wrong."""
    identity = _is_identity(block.shortcut)

    def shortcut(a: torch.Tensor, raw: torch.Tensor) -> torch.Tensor:
        return raw if identity else block.shortcut(a)

    def branch(a: torch.Tensor) -> torch.Tensor:
        return block.conv2(F.relu(block.bn2(block.conv1(a))))

    def a() -> torch.Tensor:
        return F.relu(block.bn1(x))

    mistakes = [
        ("You applied a ReLU after the addition, as the original (post-activation) block does. In the "
         "pre-activation block the sum is the output, left alone, so that the shortcut path stays a pure identity "
         "from block to block.",
         lambda: F.relu(branch(a()) + shortcut(a(), x))),
        ("You applied a ReLU to the branch before adding the shortcut: the branch ends with conv2, and the sum is "
         "returned as it is.",
         lambda: F.relu(branch(a())) + shortcut(a(), x)),
        ("The shortcut is missing: this is a plain block. Add the shortcut to the branch's output.",
         lambda: branch(a())),
        ("You started from relu(bn1(x)) but forgot the ReLU: the block begins with a = relu(bn1(x)).",
         lambda: branch(block.bn1(x)) + shortcut(block.bn1(x), x)),
        ("The ReLU between bn2 and conv2 is missing: the branch is conv2(relu(bn2(conv1(a)))).",
         lambda: block.conv2(block.bn2(block.conv1(a()))) + shortcut(a(), x)),
        ("bn1 is missing: the block begins with a = relu(bn1(x)), not relu(x).",
         lambda: branch(F.relu(x)) + shortcut(F.relu(x), x)),
        ("bn2 is missing: the branch is conv2(relu(bn2(conv1(a)))).",
         lambda: block.conv2(F.relu(block.conv1(a()))) + shortcut(a(), x)),
        ("You put the ReLU before the batch norm: pre-activation is BN first, then ReLU, then the convolution.",
         lambda: block.conv2(block.bn2(F.relu(block.conv1(block.bn1(F.relu(x)))))) + shortcut(block.bn1(F.relu(x)), x)),
        ("You wrote the original (post-activation) block, convolution -> batch norm -> ReLU with a ReLU after the "
         "sum. Pre-activation turns each step around: batch norm -> ReLU -> convolution, and no ReLU after the sum.",
         lambda: F.relu(block.bn2(block.conv2(F.relu(block.bn1(block.conv1(x))))) + x)),
        ("You wrote the original order, convolution -> batch norm -> ReLU (bn2 after conv2), without its final "
         "ReLU. Pre-activation turns each step around: batch norm -> ReLU -> convolution.",
         lambda: block.bn2(block.conv2(F.relu(block.bn1(block.conv1(x))))) + x),
        ("The batch norms used their running statistics in training mode. In training mode they normalise with "
         "the batch's own statistics (and update the running ones): call self.bn1(x) and self.bn2(...) and "
         "leave their mode to model.train() and model.eval().",
         lambda: _in_eval_mode(block, lambda: branch(a()) + shortcut(a(), x))),
        ("bn1 used its running statistics in training mode. In training mode it normalises with the batch's own "
         "statistics (and updates the running ones): call self.bn1(x).",
         lambda: _bn1_in_eval_mode(block, lambda: branch(a()) + shortcut(a(), x))),
        ("You halved the sum: the block returns shortcut + branch as it is, with no averaging.",
         lambda: 0.5 * (branch(a()) + shortcut(a(), x))),
        ("You applied bn2 and the ReLU after conv2 instead of between conv1 and conv2: the branch is "
         "conv2(relu(bn2(conv1(a)))).",
         lambda: F.relu(block.bn2(block.conv2(block.conv1(a())))) + shortcut(a(), x)),
        ("Your batch norms ignore their learned scale and shift (gamma and beta): call the layers, self.bn1(x) "
         "and self.bn2(...), which apply them.",
         lambda: (block.conv2(F.relu(_bare_norm(block.conv1(F.relu(_bare_norm(x))))))
                  + shortcut(F.relu(_bare_norm(x)), x))),
    ]
    if identity:
        mistakes += [
            ("You added relu(bn1(x)) as the shortcut. When the shapes match the shortcut is x itself, untouched: "
             "that untouched path is the point of pre-activation.",
             lambda: branch(a()) + a()),
            ("You added bn1(x) as the shortcut. When the shapes match the shortcut is x itself, untouched.",
             lambda: branch(a()) + block.bn1(x)),
            ("You added relu(x) as the shortcut. When the shapes match the shortcut is x itself, untouched: no "
             "ReLU on the shortcut path.",
             lambda: branch(a()) + F.relu(x)),
        ]
    else:
        mistakes += [
            ("Your projection reads the raw input x. That is the other common convention; this exercise follows "
             "He and colleagues' own code, where the projection reads the pre-activated a = relu(bn1(x)), which the "
             "branch shares (when the shapes change, the shortcut is no identity anyway).",
             lambda: branch(a()) + block.shortcut(x)),
            ("Your projection reads bn1(x) without the ReLU: it should read a = relu(bn1(x)), like the branch.",
             lambda: branch(a()) + block.shortcut(block.bn1(x))),
            ("Your projection reads relu(x), without bn1: it should read a = relu(bn1(x)), like the branch.",
             lambda: branch(a()) + block.shortcut(F.relu(x))),
        ]
    return mistakes


def _in_eval_mode(block: nn.Module, compute: Callable[[], torch.Tensor]) -> torch.Tensor:
    """``compute()`` with both batch norms of ``block`` in evaluation mode (then back in training mode)."""
    block.bn1.eval(), block.bn2.eval()
    try:
        return compute()
    finally:
        block.bn1.train(), block.bn2.train()


def _bn1_in_eval_mode(block: nn.Module, compute: Callable[[], torch.Tensor]) -> torch.Tensor:
    block.bn1.eval()
    try:
        return compute()
    finally:
        block.bn1.train()


def _recognise(block: nn.Module, x: torch.Tensor, got: torch.Tensor, where: str) -> str:
    """Name the mistake whose output matches ``got`` (empty if none does)."""
    with torch.no_grad():
        for index in range(len(_preact_mistakes(block, x))):
            # A fresh copy for every mistake: a batch norm in training mode updates its running statistics,
            # which a later mistake (one that uses them) must not see.
            why, wrong = _preact_mistakes(copy.deepcopy(block).train(), x)[index]
            try:
                candidate = wrong()
            except RuntimeError:  # a wrong order whose shapes do not fit for this block
                continue
            if candidate.shape == got.shape and torch.allclose(candidate, got, atol=1e-5, rtol=1e-4):
                return f"{where}: {why}"
    return ""


def _close(got: torch.Tensor | None, expected: torch.Tensor | None) -> bool:
    if got is None or expected is None:
        return got is None and expected is None
    return got.shape == expected.shape and torch.allclose(got, expected, atol=1e-5, rtol=1e-4)


def _compare_pass(block: nn.Module, reference: nn.Module, pristine: nn.Module, x: torch.Tensor,
                  where: str, seed: int) -> None:
    """One forward and backward pass of the learner's block against the reference, in the block's current mode."""
    expected = forward_backward(lambda t: _preact_forward(reference, t), [x], module=reference, seed=seed)
    measured = forward_backward(block, [x], module=block, seed=seed)
    got = expect_tensor(measured.output, f"{where}, the output", shape=tuple(expected.output.shape), floating=True)
    if not _close(got, expected.output):
        if block.training:
            named = _recognise(pristine, x, got, where)
            if named:
                raise Wrong(named)
        difference = (got - expected.output).abs().max().item()
        raise Wrong(f"{where}, your output differs from shortcut + conv2(relu(bn2(conv1(relu(bn1(x)))))) by up to "
                    f"{difference:.3g}.",
                    hint="Compute a = relu(bn1(x)) once; the branch is conv2(relu(bn2(conv1(a)))); the shortcut is x "
                         "(shapes match) or self.shortcut(a) (projection); return their sum, with no ReLU after it.")
    if not _close(measured.inputs[0], expected.inputs[0]):
        raise Wrong(f"{where}, your output is right but the gradient with respect to x is not: part of your forward "
                    "is cut off from autograd (.detach(), .data, torch.no_grad()) or computed twice in a way that "
                    "autograd does not see.")
    for name, grad in expected.parameters.items():
        if name not in measured.parameters:
            raise Wrong(f"{where}, the block has no parameter {name!r}.")
        if not _close(measured.parameters[name], grad):
            raise Wrong(f"{where}, your output is right but the gradient of {name} is not"
                        + (": that layer is not used in your forward." if measured.parameters[name] is None else "."))


def _compare_statistics(block: nn.Module, reference: nn.Module, where: str) -> None:
    for name in ("bn1", "bn2"):
        mine, theirs = getattr(block, name), getattr(reference, name)
        if int(mine.num_batches_tracked) != int(theirs.num_batches_tracked) or not (
                _close(mine.running_mean, theirs.running_mean) and _close(mine.running_var, theirs.running_var)):
            times = int(mine.num_batches_tracked) - int(theirs.num_batches_tracked) + 1
            if times > 1:
                raise Wrong(f"{where}, the output is right, but {name}'s running statistics were updated {times} "
                            "times in one training step instead of once: you called it more than once. Compute "
                            "relu(bn1(x)) once and reuse it for the branch and the projection.")
            raise Wrong(f"{where}, the output is right, but {name}'s running statistics did not follow this batch as "
                        f"nn.BatchNorm2d does: call the layer itself, self.{name}(...), so that it updates them in "
                        "training mode and uses them in evaluation mode.")


@exercise(
    "08.2",
    title="A pre-activation residual block",
    hint="Write __init__ as the task lists the layers (which layer sees in_channels, which out_channels, which "
         "one has the stride). In forward compute a = relu(bn1(x)) once: the branch starts from it, and so does "
         "the projection, while an identity shortcut adds x itself. Return the sum as it is.",
)
def preact_block(answer: Any) -> None:
    """The answer is the class PreActBlock(in_channels, out_channels, stride=1), __init__ and forward written."""
    if not isinstance(answer, type) or not issubclass(answer, nn.Module):
        raise Wrong(f"Expected the class PreActBlock itself (an nn.Module subclass), got {type(answer).__name__}.",
                    hint="Pass the class, not an instance: check(\"08.2\", PreActBlock).")
    expect_defaults(answer, "PreActBlock", stride=1)
    generator = torch.Generator().manual_seed(82)
    plain = call(answer, 5, 5, name="PreActBlock")  # the default stride: shapes match, so no projection
    problem = _structure_problem(plain, 5, 5, 1)
    if problem:
        raise Wrong(f"PreActBlock(5, 5), with the default stride: {problem}")
    for index, (cin, cout, stride, n, height, width) in enumerate(_BLOCK_CASES):
        where = f"For PreActBlock({cin}, {cout}, stride={stride}) on a batch of shape ({n}, {cin}, {height}, {width})"
        block = call(answer, cin, cout, stride=stride, name="PreActBlock")
        if not isinstance(block, nn.Module):
            raise Wrong(f"PreActBlock(...) gave {type(block).__name__}, not a module.")
        problem = _structure_problem(block, cin, cout, stride)
        if problem:
            raise Wrong(f"PreActBlock({cin}, {cout}, stride={stride}): {problem}")
        # Random weights, batch-norm scales, shifts and running statistics: a fresh block hides mistakes.
        randomize_module(block, seed=100 + index)
        pristine, reference = copy.deepcopy(block), copy.deepcopy(block)
        wide = torch.randn(n, cin + 3, height, width, generator=generator)
        x = wide[:, 2:2 + cin]  # a view into a bigger tensor, as a row of a dataset would be
        # Evaluation mode first: the real input (an in-place change is caught), the running statistics used.
        block.eval()
        reference.eval()
        with torch.no_grad():
            out = call(block.forward, x, name="forward")
            out = expect_tensor(out, f"{where}, the output of forward", floating=True)
            expected_shape = (n, cout, (height - 1) // stride + 1, (width - 1) // stride + 1)
            if tuple(out.shape) != expected_shape:
                raise Wrong(f"{where}, the output has shape {tuple(out.shape)}, expected {expected_shape}.")
        # Training mode: batch statistics, one update of the running statistics, gradients of everything.
        block.train()
        reference.train()
        _compare_pass(block, reference, pristine, x, f"{where} in training mode", seed=index)
        _compare_statistics(block, reference, f"{where} in training mode")
        # Evaluation mode again, now with the updated running statistics, forward and backward.
        block.eval()
        reference.eval()
        _compare_pass(block, reference, pristine, x, f"{where} in evaluation mode", seed=10 + index)


# ---------------------------------------------------------------- 08.3 label smoothing

_CROSS_ENTROPY = (
    "torch.nn.functional.cross_entropy",
    "torch.nn.functional.nll_loss",
    "torch.nn.CrossEntropyLoss.forward",
    "torch.nn.NLLLoss.forward",
)


def _smoothed(logits: torch.Tensor, targets: torch.Tensor, smoothing: float) -> torch.Tensor:
    return F.cross_entropy(logits, targets, label_smoothing=smoothing)


def _smoothing_mistakes(z: torch.Tensor, t: torch.Tensor, eps: float) -> dict[str, torch.Tensor]:
    k = z.shape[1]
    logp = torch.log_softmax(z, dim=1)
    nll = -logp.gather(1, t[:, None])[:, 0]
    uniform = -logp.mean(dim=1)
    one_hot = F.one_hot(t, k).to(z.dtype)
    others = (1 - one_hot) * eps / max(k - 1, 1) + one_hot * (1 - eps)
    q = (1 - eps) * one_hot + eps / k
    return {
        "you ignored the smoothing: that is the plain cross-entropy.": nll.mean(),
        f"you spread the smoothing over the {k - 1} wrong classes only. Label smoothing (Szegedy and colleagues, "
        f"and PyTorch) spreads it over all {k} classes, the true one included: q = (1 - eps) one_hot + eps / K.":
            -(others * logp).sum(1).mean(),
        "the uniform part sums -log p over the classes instead of averaging it: it is eps / K per class.":
            ((1 - eps) * nll - eps * logp.sum(1)).mean(),
        "the true class's weight should be 1 - eps (plus eps / K): you kept the full cross-entropy and added the "
        "smoothing on top.": (nll + eps * uniform).mean(),
        "you dropped the uniform part: only (1 - eps) times the cross-entropy is left.": ((1 - eps) * nll).mean(),
        "you summed over the examples; the loss is the mean over the batch.": ((1 - eps) * nll + eps * uniform).sum(),
        "you averaged over the classes as well as the examples: sum q_k (-log p_k) over the classes, then average "
        "over the examples.": -(q * logp).mean(),
        "the sign is flipped: the loss is -sum q_k log p_k, a positive number.": ((1 - eps) * nll + eps * uniform).mean().neg(),
        "you used the probabilities where the log-probabilities belong.": -(q * logp.exp()).sum(1).mean(),
        "you took the softmax over the wrong axis: the classes are dim 1, each row is one example.":
            -(q * torch.log_softmax(z, dim=0)).sum(1).mean(),
        "you swapped the weights: the true class's cross-entropy gets 1 - eps, the uniform part eps.":
            (eps * nll + (1 - eps) * uniform).mean(),
        "you used 10 classes whatever the logits say: take K from logits.shape[1].":
            ((1 - eps) * nll - eps * logp.sum(1) / 10).mean(),
        "that is the KL divergence from q to p (F.kl_div), which is the smoothed cross-entropy minus the entropy "
        "of q. Same gradient, but not the loss asked for, -sum q_k log p_k (its minimum is the entropy of q, not 0).":
            (torch.xlogy(q, q).sum(1) - (q * logp).sum(1)).mean(),
    }


@exercise(
    "08.3",
    title="Label-smoothed cross-entropy",
    hint="Build q first, an (N, K) tensor with one smoothed target per row, each row summing to 1 (with K = 4 and "
         "smoothing 0.1 the true class gets 0.925, every other class 0.025); F.one_hot(targets, K) gives the "
         "one-hot part. Then decide which axis of q * log p holds the classes and which the examples.",
)
def label_smoothing(answer: Any) -> None:
    """The answer is smoothed_cross_entropy(logits, targets, smoothing=0.1) -> a 0-d tensor."""
    expect_function(answer, "smoothed_cross_entropy(logits, targets, smoothing=0.1)")
    expect_defaults(answer, "smoothed_cross_entropy", smoothing=0.1)
    generator = torch.Generator().manual_seed(83)
    cases = []  # (description, logits, targets, smoothing or None for the default)
    for n, k, scale, smoothing in [(5, 3, 2.0, None), (7, 6, 3.0, 0.25), (1, 4, 1.0, None), (9, 2, 2.0, 0.0),
                                   (6, 11, 1.5, 0.4), (4, 5, 60.0, None)]:
        big = torch.randn(n + 2, k, generator=generator) * scale
        logits = big[1:n + 1]  # a view into a bigger tensor
        targets = torch.randint(0, k, (2 * n,), generator=generator)[::2]  # a strided view
        what = f"{n} example{'s' if n > 1 else ''} and {k} classes" + (
            f", smoothing={smoothing}" if smoothing is not None else " (default smoothing)") + (
            ", large logits" if scale > 10 else "")
        cases.append((what, logits, targets, smoothing))
    expected = [_smoothed(z, t, 0.1 if s is None else s) for _, z, t, s in cases]
    references = [forward_backward(lambda z, t=t, s=s: _smoothed(z, t, 0.1 if s is None else s), [z], seed=i)
                  for i, (_, z, t, s) in enumerate(cases)]
    instead = "Build the smoothed targets and use torch.log_softmax; that is the point of the exercise."

    def learner(z: torch.Tensor, t: torch.Tensor, s: float | None) -> Any:
        if s is None:  # the default smoothing
            return call(answer, z, t, name="smoothed_cross_entropy")
        return call(answer, z, t, smoothing=s, name="smoothed_cross_entropy")

    with forbid(*_CROSS_ENTROPY, answer=answer, instead=instead):
        results = [learner(z, t, s) for _, z, t, s in cases]
    for (what, z, t, s), got, want in zip(cases, results, expected, strict=True):
        got = expect_tensor(got, f"For {what}", floating=True)
        if got.shape != ():
            raise Wrong(f"For {what} you returned a tensor of shape {tuple(got.shape)}; the loss is one number "
                        "(a 0-d tensor), the mean over the examples.")
        if torch.allclose(got, want, atol=1e-5, rtol=1e-5):
            continue
        if not torch.isfinite(got):
            raise Wrong(f"For {what} you returned {got.item()}: exp of a large logit overflows. "
                        "Use torch.log_softmax, which subtracts the largest logit first.")
        eps = 0.1 if s is None else s
        for why, wrong in _smoothing_mistakes(z, t, eps).items():
            if torch.allclose(got, wrong, atol=1e-5, rtol=1e-5):
                raise Wrong(f"For {what} you returned {got.item():.5g}, expected {want.item():.5g}: {why}")
        if eps != 0.1 and torch.allclose(got, _smoothed(z, t, 0.1), atol=1e-5, rtol=1e-5):
            raise Wrong(f"For {what} you returned the loss for smoothing=0.1: use the smoothing argument.")
        raise Wrong(f"For {what} you returned {got.item():.5g}, expected {want.item():.5g}.")
    with forbid(*_CROSS_ENTROPY, answer=answer, instead=instead):
        measured = [forward_backward(lambda z, t=t, s=s: learner(z, t, s), [z], seed=i)
                    for i, (_, z, t, s) in enumerate(cases)]
    for (what, *_), mine, reference in zip(cases, measured, references, strict=True):
        if not _close(mine.inputs[0], reference.inputs[0]):
            raise Wrong(f"For {what} your loss is right but its gradient with respect to the logits is not: keep the "
                        "computation in torch operations on the logits (no .item(), .detach() or NumPy).")


# ---------------------------------------------------------------- 08.4 memory of a dense block

exercise(
    "08.4",
    title="The memory of a dense block",
    hint="Layer l of a dense block reads c0 + l k channels, and autograd keeps a few tensors of that width per layer. "
         "Add those widths up for 8 layers and for 16.",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "That is what the residual stage does: its width stays fixed, so each layer costs the same. A dense "
                 "layer's input grows by k channels per layer, so later layers cost more than earlier ones.",
            "b": "Right: layer l saves tensors of c0 + l k channels, so the total is L c0 + k L(L-1)/2 channels' "
                 "worth, a sum that grows with the square of L. Doubling L multiplies it by between 2 and 4, close "
                 "to 4 once the k L^2 term dominates.",
            "c": "That would be cubic growth. The widths grow linearly with the layer's index, so their sum grows "
                 "with the square of the number of layers: doubling it multiplies the memory by at most about 4.",
            "d": "Concatenation builds a new tensor every time: the layer's input is a fresh copy of all earlier "
                 "feature maps, and autograd keeps it for the backward pass.",
        },
    )
)


# ---------------------------------------------------------------- 08.5 intersection over union


def _iou(p: torch.Tensor, t: torch.Tensor) -> float:
    union = (p | t).sum().item()
    return 1.0 if union == 0 else (p & t).sum().item() / union


@exercise(
    "08.5",
    title="Intersection over union",
    hint="Boolean tensors combine pixel by pixel, whatever their shape, with & (and) and | (or). Count over the "
         "whole mask, turn the counts into Python numbers, and decide the empty case before you divide.",
)
def intersection_over_union(answer: Any) -> None:
    """The answer is a function iou(predicted, target) -> the IoU of two boolean masks, as a float."""
    expect_function(answer, "iou(predicted, target)")
    generator = torch.Generator().manual_seed(85)
    batch_p = torch.rand(3, 7, 5, generator=generator) > 0.6
    batch_t = torch.rand(3, 7, 5, generator=generator) > 0.5
    batch_t[0] = False  # one image with no target pixel: a per-image average would differ from the overall IoU
    wide_p = torch.rand(9, 13, generator=generator) > 0.5
    wide_t = torch.rand(9, 13, generator=generator) > 0.4
    cases = [
        ("two 9x6 masks", wide_p[:, 2:8], wide_t[:, 2:8]),                 # views into bigger masks
        ("two masks of 11 pixels (1-D)", wide_p[3, :11], wide_t[4, :11]),
        ("a batch of three 7x5 masks", batch_p, batch_t),
        ("a mask equal to the target", wide_t[:4], wide_t[:4]),
        ("an empty prediction and a full target", torch.zeros(6, 4, dtype=torch.bool), torch.ones(6, 4, dtype=torch.bool)),
        ("two empty masks", torch.zeros(2, 4, 3, dtype=torch.bool), torch.zeros(2, 4, 3, dtype=torch.bool)),
        ("a prediction and an empty target", wide_p[2:7, 1:6], torch.zeros(5, 5, dtype=torch.bool)),
        ("a batch of two 1-channel 4x6 masks (4-D)", wide_p[:8, :6].reshape(2, 1, 4, 6),
         wide_t[1:9, 3:9].reshape(2, 1, 4, 6)),
        ("a prediction inside the target", wide_p[:5] & wide_t[:5], wide_t[:5]),
    ]
    for what, p, t in cases:
        inter, union = (p & t).sum().item(), (p | t).sum().item()
        try:
            result = call(answer, p, t, name="iou")
        except ZeroDivisionError:
            if union:
                raise
            raise Wrong(f"For {what} your code divided by zero: the union is empty. Nothing to find and nothing "
                        "found counts as a perfect match: return 1.0.",
                        hint="Test for union == 0 before dividing.") from None
        got = expect_number(result, f"For {what}")
        expected = _iou(p, t)
        if abs(got - expected) < 1e-6:
            continue
        if union == 0:
            raise Wrong(f"For {what} you returned {got!r}: nothing to find and nothing found counts as a perfect "
                        "match, 1.0.", hint="Test for union == 0 before dividing.")
        n_p, n_t = p.sum().item(), t.sum().item()
        if got == 1.0 and (n_p == 0 or n_t == 0):
            empty, other = ("prediction", "target") if n_p == 0 else ("target", "prediction")
            raise Wrong(f"For {what} (|P| = {n_p}, |T| = {n_t}) you returned 1.0, expected 0: the {empty} is empty "
                        f"but the {other} is not, so the intersection is empty and the union is not. Only two empty "
                        "masks (an empty union) count as a perfect match.",
                        hint="Test the union, (predicted | target), for emptiness, not one of the masks.")
        per_image = first_image = None
        if p.dim() >= 3:
            per_image = sum(_iou(p[i], t[i]) for i in range(len(p))) / len(p)
            first_image = _iou(p[0], t[0])
        agreeing = (p == t).sum().item()
        mistakes = [  # (what the mistake returns, what it is), the first match is named
            (inter / n_t if n_t else None, "you divided by the target's size: that is the recall, not the IoU."),
            (inter / n_p if n_p else None,
             "you divided by the prediction's size: that is the precision, not the IoU."),
            (2 * inter / (n_p + n_t) if n_p + n_t else None,
             "that is the Dice coefficient 2|P∩T| / (|P| + |T|), not the IoU."),
            (inter / (n_p + n_t) if n_p + n_t else None,
             "the union counts the overlap twice: |P ∪ T| = |P| + |T| - |P ∩ T|."),
            ((p == t).float().mean().item(),
             "that is the pixel accuracy (agreement on every pixel, background included)."),
            (float(inter), "you returned the intersection's size; divide it by the union's size."),
            (float(union), "you returned the union's size; the IoU is the intersection's size divided by it."),
            (per_image, "you averaged an IoU per image; the task asks for one IoU over all the pixels of the masks."),
            (first_image, "you scored only the first mask of the batch; the task asks for one IoU over all its pixels."),
            (float(inter // union), "you used integer division (//): divide with /, which gives a fraction."),
            (union / inter if inter else None,
             "you divided the union by the intersection; the IoU is the other way round, |P ∩ T| / |P ∪ T|, "
             "between 0 and 1."),
            (agreeing / union, "your intersection counts every pixel where the masks agree, background included; "
                               "the intersection is where both are True (predicted & target)."),
            (_iou(~p, ~t), "that is the IoU of the background (the complements of the masks), not of the masks."),
        ]
        why = next((text for wrong, text in mistakes if wrong is not None and abs(got - wrong) < 1e-6), "")
        message = (f"For {what} (|P| = {n_p}, |T| = {n_t}, |P ∩ T| = {inter}) you returned {got:.4g}, "
                   f"expected {expected:.4g}.")
        raise Wrong(f"{message} It looks like {why}" if why else message)
