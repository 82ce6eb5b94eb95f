"""Answers for the exercises of notebook 08."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# ---------------------------------------------------------------- 08.2 pre-activation residual block


class _PreAct(nn.Module):
    """The reference PreActBlock: the notebook's solution."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False)
        else:
            self.shortcut = None

    def forward(self, x):
        a = F.relu(self.bn1(x))
        shortcut = x if self.shortcut is None else self.shortcut(a)
        return self.conv2(F.relu(self.bn2(self.conv1(a)))) + shortcut


def _with_forward(forward_pass, name):
    """A PreActBlock with the reference __init__ and the given forward(self, x)."""
    return type(name, (_PreAct,), {"forward": forward_pass})


def _sc(self, a, x):
    return x if self.shortcut is None else self.shortcut(a)


def _branch(self, a):
    return self.conv2(F.relu(self.bn2(self.conv1(a))))


class PreActBlockStub(nn.Module):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        # Your code here
        ...

    def forward(self, x):
        # Your code here
        ...


class _PostActivationLayers(_PreAct):
    """The original block's layers: conv1 -> bn1 (out_channels) -> ReLU -> conv2 -> bn2, ReLU after the sum."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        self.bn1 = nn.BatchNorm2d(out_channels)

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(out + (x if self.shortcut is None else self.shortcut(x)))


class _StrideInConv2(_PreAct):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, stride=stride, padding=1, bias=False)


class _ConvBiases(_PreAct):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)


class _ProjectionWithBatchNorm(_PreAct):
    """torchvision's projection (conv + BN), copied into a pre-activation block."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        if self.shortcut is not None:
            self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                                          nn.BatchNorm2d(out_channels))


class _AlwaysProjects(_PreAct):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        self.shortcut = nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False)


class _NeverProjects(_PreAct):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        self.shortcut = None


class _ProjectsOnChannelsOnly(_PreAct):
    """Forgets that stride 2 changes the shape too."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        if in_channels == out_channels:
            self.shortcut = None


class _DefaultStrideTwo(_PreAct):
    def __init__(self, in_channels, out_channels, stride=2):
        super().__init__(in_channels, out_channels, stride)


class _SixteenChannels(_PreAct):
    """Hard-codes the notebook's width."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        self.bn1 = nn.BatchNorm2d(16)


def _batch_norm_always_training(bn, x):
    return F.batch_norm(x, bn.running_mean, bn.running_var, bn.weight, bn.bias, training=True,
                        momentum=bn.momentum, eps=bn.eps)


def _forward_forced_training(self, x):  # the batch norms always use the batch statistics
    a = F.relu(_batch_norm_always_training(self.bn1, x))
    out = self.conv2(F.relu(_batch_norm_always_training(self.bn2, self.conv1(a))))
    return out + _sc(self, a, x)


def _forward_no_affine(self, x):  # normalises by hand and forgets gamma, beta and the running statistics
    def normalise(h):
        mean = h.mean(dim=(0, 2, 3), keepdim=True)
        var = h.var(dim=(0, 2, 3), unbiased=False, keepdim=True)
        return (h - mean) / torch.sqrt(var + 1e-5)

    a = F.relu(normalise(x))
    return self.conv2(F.relu(normalise(self.conv1(a)))) + _sc(self, a, x)


def _forward_bn1_twice(self, x):  # right output, but bn1's running statistics move twice per step
    out = _branch(self, F.relu(self.bn1(x)))
    return out + (x if self.shortcut is None else self.shortcut(F.relu(self.bn1(x))))


def _forward_in_place(self, x):  # right values, but it adds the branch into the caller's x
    shortcut = x if self.shortcut is None else self.shortcut(F.relu(self.bn1(x)))
    a = F.relu(self.bn1(x))
    shortcut += _branch(self, a)
    return shortcut


def _forward_detached_shortcut(self, x):
    a = F.relu(self.bn1(x))
    return _branch(self, a) + _sc(self, a, x).detach()


def _bn1_running_statistics(self, x):  # bn1 normalises with its running statistics, in training mode too
    bn = self.bn1
    a = F.relu(F.batch_norm(x, bn.running_mean, bn.running_var, bn.weight, bn.bias, training=False, eps=bn.eps))
    return _branch(self, a) + _sc(self, a, x)


_WRONG_FORWARDS = {
    "ReluAfterSum": lambda self, x: F.relu(_branch(self, F.relu(self.bn1(x))) + _sc(self, F.relu(self.bn1(x)), x)),
    "ReluOnBranch": lambda self, x: F.relu(_branch(self, F.relu(self.bn1(x)))) + _sc(self, F.relu(self.bn1(x)), x),
    "NoShortcut": lambda self, x: _branch(self, F.relu(self.bn1(x))),
    "IdentityFromPreactivated": lambda self, x: (
        _branch(self, F.relu(self.bn1(x))) + (F.relu(self.bn1(x)) if self.shortcut is None
                                              else self.shortcut(F.relu(self.bn1(x))))),
    "ProjectionFromRawInput": lambda self, x: _branch(self, F.relu(self.bn1(x))) + (
        x if self.shortcut is None else self.shortcut(x)),
    "NoInnerRelu": lambda self, x: self.conv2(self.bn2(self.conv1(F.relu(self.bn1(x))))) + _sc(
        self, F.relu(self.bn1(x)), x),
    "NoBn2": lambda self, x: self.conv2(F.relu(self.conv1(F.relu(self.bn1(x))))) + _sc(self, F.relu(self.bn1(x)), x),
    "NoFirstRelu": lambda self, x: _branch(self, self.bn1(x)) + _sc(self, self.bn1(x), x),
    "ReluBeforeBn": lambda self, x: self.conv2(self.bn2(F.relu(self.conv1(self.bn1(F.relu(x)))))) + _sc(
        self, self.bn1(F.relu(x)), x),
    "ForcedTraining": _forward_forced_training,
    "NoAffine": _forward_no_affine,
    "Bn1Twice": _forward_bn1_twice,
    "InPlace": _forward_in_place,
    "DetachedShortcut": _forward_detached_shortcut,
    "ReturnsNumpy": lambda self, x: (_branch(self, F.relu(self.bn1(x))) + _sc(self, F.relu(self.bn1(x)), x)).detach().numpy(),
    "MultipliesShortcut": lambda self, x: _branch(self, F.relu(self.bn1(x))) * _sc(self, F.relu(self.bn1(x)), x),
    "Bn1RunningStatistics": _bn1_running_statistics,
    "HalvesTheSum": lambda self, x: 0.5 * (_branch(self, F.relu(self.bn1(x))) + _sc(self, F.relu(self.bn1(x)), x)),
    "ReluOnIdentity": lambda self, x: _branch(self, F.relu(self.bn1(x))) + (
        F.relu(x) if self.shortcut is None else self.shortcut(F.relu(self.bn1(x)))),
}


class _RightWithModules(nn.Module):
    """Written differently: nn.Sequential for the branch, nn.Identity and a flag for the shortcut."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, stride=1, padding=1, bias=False)
        self.project = stride != 1 or in_channels != out_channels
        self.shortcut = (nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride, bias=False))
                         if self.project else nn.Identity())

    def forward(self, x):
        a = self.relu(self.bn1(x))
        out = self.conv1(a)
        out = self.conv2(self.relu(self.bn2(out)))
        return (self.shortcut(a) if self.project else x) + out


class _RightInPlaceRelu(_PreAct):
    """In-place ReLUs on intermediate results (not on x) are fine."""

    def forward(self, x):
        a = F.relu(self.bn1(x), inplace=True)
        out = self.conv1(a)
        out = self.conv2(F.relu(self.bn2(out), inplace=True))
        out += x if self.shortcut is None else self.shortcut(a)
        return out


class _KerasMomentum(_PreAct):
    """Keras's momentum convention (0.9 of the old average kept) written as PyTorch's momentum."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        self.bn1, self.bn2 = nn.BatchNorm2d(in_channels, momentum=0.9), nn.BatchNorm2d(out_channels, momentum=0.9)


class _KerasEpsilon(_PreAct):
    """Keras's default epsilon, 1e-3."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        self.bn1, self.bn2 = nn.BatchNorm2d(in_channels, eps=1e-3), nn.BatchNorm2d(out_channels, eps=1e-3)


class _ReluInsideProjection(_PreAct):
    """A ReLU after the projection, hidden inside self.shortcut (the check once used the learner's shortcut as
    the reference, so this passed)."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        if self.shortcut is not None:
            self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False), nn.ReLU())


class _ReflectPadding(_PreAct):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False,
                               padding_mode="reflect")
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False, padding_mode="reflect")


class _RightPaddingSame(_PreAct):
    """padding="same" for the stride-1 conv2 is the same as padding=1."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding="same", bias=False)


class _RightEmptySequential(_PreAct):
    """The pytorch-cifar idiom: an empty nn.Sequential as the identity shortcut, applied to x."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(in_channels, out_channels, stride)
        if self.shortcut is None:
            self.shortcut = nn.Sequential()

    def forward(self, x):
        out = F.relu(self.bn1(x))
        shortcut = x if isinstance(self.shortcut, nn.Sequential) else self.shortcut(out)
        out = self.conv2(F.relu(self.bn2(self.conv1(out))))
        out += shortcut
        return out


class _EmptySequentialOnPreactivated(_RightEmptySequential):
    """The same layers, but the empty nn.Sequential is applied to a: it adds relu(bn1(x)), not x."""

    def forward(self, x):
        out = F.relu(self.bn1(x))
        return self.conv2(F.relu(self.bn2(self.conv1(out)))) + self.shortcut(out)


# ---------------------------------------------------------------- 08.3 label smoothing


def _smoothed_stub(logits, targets, smoothing=0.1):
    # Your code here
    ...


def _smoothed_right(logits, targets, smoothing=0.1):
    k = logits.shape[1]
    log_p = torch.log_softmax(logits, dim=1)
    q = (1 - smoothing) * F.one_hot(targets, k).to(log_p.dtype) + smoothing / k
    return -(q * log_p).sum(dim=1).mean()


def _smoothed_logsumexp(logits, targets, smoothing=0.1):
    lse = torch.logsumexp(logits, dim=1)
    nll = lse - logits[torch.arange(len(targets)), targets]
    uniform = lse - logits.mean(dim=1)
    return ((1 - smoothing) * nll + smoothing * uniform).mean()


def _smoothed_scatter(logits, targets, smoothing=0.1):
    k = logits.size(-1)
    q = torch.full_like(logits, smoothing / k).scatter(1, targets.unsqueeze(1), 1 - smoothing + smoothing / k)
    return torch.sum(-q * F.log_softmax(logits, -1)) / logits.size(0)


def _log_p(logits):
    return torch.log_softmax(logits, dim=1)


def _smoothed_in_place(logits, targets, smoothing=0.1):  # "stabilises" the caller's logits in place
    logits -= logits.max(dim=1, keepdim=True).values
    return _smoothed_right(logits, targets, smoothing)


def _smoothed_numpy(logits, targets, smoothing=0.1):  # right numbers, but no gradient reaches the logits
    z = logits.detach().numpy().astype(np.float64)
    z = z - z.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    q = (1 - smoothing) * np.eye(z.shape[1])[targets.numpy()] + smoothing / z.shape[1]
    return torch.tensor(-(q * log_p).sum(axis=1).mean(), dtype=logits.dtype)


def _smoothed_kl_div(logits, targets, smoothing=0.1):  # the KL divergence: off by the entropy of q
    q = (1 - smoothing) * F.one_hot(targets, logits.shape[1]).float() + smoothing / logits.shape[1]
    return F.kl_div(_log_p(logits), q, reduction="batchmean")


def _smoothed_builtin(logits, targets, smoothing=0.1):
    return F.cross_entropy(logits, targets, label_smoothing=smoothing)


def _smoothed_module(logits, targets, smoothing=0.1):
    return nn.CrossEntropyLoss(label_smoothing=smoothing)(logits, targets)


def _smoothed_nll(logits, targets, smoothing=0.1):
    log_p = torch.log_softmax(logits, dim=1)
    return (1 - smoothing) * F.nll_loss(log_p, targets) - smoothing * log_p.mean(dim=1).mean()


# ---------------------------------------------------------------- 08.5 intersection over union


def _iou_right(p, t):
    union = (p | t).sum()
    return 1.0 if union == 0 else ((p & t).sum() / union).item()


def _iou_stub(p, t):
    ...


def _iou_in_place(p, t):  # right value, but it overwrites the caller's prediction
    union = (p | t).sum().item()
    p &= t
    return 1.0 if union == 0 else p.sum().item() / union


def _iou_target_empty_is_perfect(p, t):  # "nothing to find" tested on the target alone
    if not t.any():
        return 1.0
    return ((p & t).sum() / (p | t).sum()).item()


def _iou_divides_by_zero(p, t):
    return (p & t).sum().item() / (p | t).sum().item()


def _iou_per_image(p, t):
    if p.dim() < 3:
        return _iou_right(p, t)
    return sum(_iou_right(a, b) for a, b in zip(p, t, strict=True)) / len(p)


WRONG_ANSWERS: dict[str, list[object]] = {
    "08.1": ["a", "c", "d", None, "yes"],
    "08.2": [
        PreActBlockStub,                                    # the stub
        *[_with_forward(forward, name) for name, forward in _WRONG_FORWARDS.items()],
        _PostActivationLayers,                              # the original block's order and layers
        _StrideInConv2,                                     # stride in the wrong convolution
        _ConvBiases,                                        # biases before batch norms
        _ProjectionWithBatchNorm,                           # torchvision's projection in a pre-activation block
        _AlwaysProjects,                                    # a projection even when the shapes match
        _NeverProjects,                                     # no projection when the shapes change
        _ProjectsOnChannelsOnly,                            # forgets the stride changes the shape
        _DefaultStrideTwo,                                  # wrong default argument
        _SixteenChannels,                                   # the notebook's width hard-coded
        _KerasMomentum,                                     # batch norm momentum 0.9 (Keras's convention)
        _KerasEpsilon,                                      # batch norm eps 1e-3 (Keras's default)
        _ReluInsideProjection,                              # a ReLU hidden inside the shortcut module
        _ReflectPadding,                                    # reflection padding
        _EmptySequentialOnPreactivated,                     # an empty nn.Sequential applied to a, not x
        _PreAct(8, 8),                                      # an instance, not the class
        "PreActBlock",
    ],
    "08.3": [
        _smoothed_stub,
        lambda logits, targets, smoothing=0.1: -_log_p(logits)[torch.arange(len(targets)), targets].mean(),  # no smoothing
        lambda logits, targets, smoothing=0.1: -(  # smoothing over the K - 1 wrong classes
            (F.one_hot(targets, logits.shape[1]) * (1 - smoothing - smoothing / (logits.shape[1] - 1))
             + smoothing / (logits.shape[1] - 1)) * _log_p(logits)).sum(1).mean(),
        lambda logits, targets, smoothing=0.1: -(  # sum over the batch
            ((1 - smoothing) * F.one_hot(targets, logits.shape[1]) + smoothing / logits.shape[1])
            * _log_p(logits)).sum(),
        lambda logits, targets, smoothing=0.1: -(  # mean over classes and examples
            ((1 - smoothing) * F.one_hot(targets, logits.shape[1]) + smoothing / logits.shape[1])
            * _log_p(logits)).mean(),
        lambda logits, targets, smoothing=0.1: -(  # the true class keeps weight 1
            (F.one_hot(targets, logits.shape[1]) + smoothing / logits.shape[1]) * _log_p(logits)).sum(1).mean(),
        lambda logits, targets, smoothing=0.1: -(  # probabilities instead of log-probabilities
            ((1 - smoothing) * F.one_hot(targets, logits.shape[1]) + smoothing / logits.shape[1])
            * logits.softmax(1)).sum(1).mean(),
        lambda logits, targets, smoothing=0.1: -(  # log of the softmax: inf for large logits
            ((1 - smoothing) * F.one_hot(targets, logits.shape[1]) + smoothing / logits.shape[1])
            * torch.log(logits.exp() / logits.exp().sum(1, keepdim=True))).sum(1).mean(),
        lambda logits, targets, smoothing=0.1: -(  # softmax over the batch axis
            ((1 - smoothing) * F.one_hot(targets, logits.shape[1]) + smoothing / logits.shape[1])
            * torch.log_softmax(logits, dim=0)).sum(1).mean(),
        lambda logits, targets, smoothing=0.1: -(  # ten classes hard-coded
            ((1 - smoothing) * F.one_hot(targets, logits.shape[1]) + smoothing / 10) * _log_p(logits)).sum(1).mean(),
        lambda logits, targets, smoothing=0.1: _smoothed_right(logits, targets, 0.1),  # ignores the argument
        lambda logits, targets, smoothing=0.0: _smoothed_right(logits, targets, smoothing),  # wrong default
        lambda logits, targets, smoothing=0.1: _smoothed_right(logits, targets, smoothing).item(),  # a float
        lambda logits, targets, smoothing=0.1: -(  # one loss per example
            ((1 - smoothing) * F.one_hot(targets, logits.shape[1]) + smoothing / logits.shape[1])
            * _log_p(logits)).sum(1),
        lambda logits, targets, smoothing=0.1: -_smoothed_right(logits, targets, smoothing),  # the sign
        lambda logits, targets, smoothing=0.1: _smoothed_right(logits, targets, smoothing).detach().numpy(),  # NumPy
        _smoothed_in_place,
        _smoothed_numpy,
        lambda logits, targets, smoothing=0.1: (  # the weights swapped: eps on the true class
            smoothing * -_log_p(logits)[torch.arange(len(targets)), targets]
            - (1 - smoothing) * _log_p(logits).mean(1)).mean(),
        _smoothed_kl_div,
        _smoothed_builtin,
        _smoothed_module,
        _smoothed_nll,
    ],
    "08.4": ["a", "c", "d", None, "e"],
    "08.5": [
        _iou_stub,
        lambda p, t: ((p & t).sum() / t.sum()).item(),                                     # recall
        lambda p, t: ((p & t).sum() / p.sum()).item(),                                     # precision
        lambda p, t: (2 * (p & t).sum() / (p.sum() + t.sum())).item(),                     # Dice
        lambda p, t: ((p & t).sum() / (p.sum() + t.sum())).item(),                         # union double-counts
        lambda p, t: (p == t).float().mean().item(),                                       # pixel accuracy
        lambda p, t: ((p & t).sum() / (p | t).sum()).item(),                               # nan on empty masks
        lambda p, t: (p & t).sum().item(),                                                 # intersection only
        lambda p, t: (p & t).float() / (p | t).float(),                                    # per pixel, not one number
        lambda p, t: (p & t).sum() / (p | t).sum() if (p | t).any() else torch.tensor(1.0),  # a tensor, not a float
        lambda p, t: "1.0" if not (p | t).any() else str(_iou_right(p, t)),                # a string
        lambda p, t: ((p & t).sum(dim=(0, 1)) / (p | t).sum(dim=(0, 1))).item(),          # 2-D masks only
        _iou_in_place,
        _iou_per_image,
        _iou_target_empty_is_perfect,                                                      # 1.0 for an empty target
        _iou_divides_by_zero,                                                              # ZeroDivisionError
        lambda p, t: float((p & t).sum().item() // max((p | t).sum().item(), 1)) if (p | t).any() else 1.0,  # //
        lambda p, t: _iou_right(p[0], t[0]) if p.dim() >= 3 else _iou_right(p, t),        # first image only
        lambda p, t: _iou_right(~p, ~t),                                                   # the background's IoU
    ],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "08.1": ["b", " B", "(b)"],
    "08.2": [_PreAct, _RightWithModules, _RightInPlaceRelu, _RightPaddingSame, _RightEmptySequential],
    "08.3": [_smoothed_right, _smoothed_logsumexp, _smoothed_scatter],
    "08.4": ["b", " B "],
    "08.5": [_iou_right,
             lambda p, t: float((p & t).sum()) / max(float((p | t).sum()), 1.0) if (p | t).any() else 1.0,
             lambda p, t: (torch.logical_and(p, t).count_nonzero() / torch.logical_or(p, t).count_nonzero()).item()
             if torch.logical_or(p, t).any() else 1.0,
             lambda p, t: (lambda i, u: i / u if u else 1.0)(int((p * t).sum()),  # inclusion-exclusion, NumPy
                                                             int(np.count_nonzero(p.numpy())) + int(t.sum()) - int((p * t).sum()))],
}
