"""Answers for the exercises of notebook 02.

Every wrong answer is a mistake a learner could plausibly make; the comment says which.
Untouched stubs have "stub" in their names (they must be "not attempted").
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

# ---------------------------------------------------------------- 02.1 swish_derivative(z, beta=1.0)


def swish_derivative_stub(z, beta=1.0):
    # Your code here: d/dz [z * sigmoid(beta * z)], written out by hand.
    ...


def _swish_reference(z, beta=1.0):
    s = torch.sigmoid(beta * z)
    return s + beta * z * s * (1 - s)


def _swish_autograd(z, beta=1.0):  # right values, but autograd, which the exercise rules out
    t = z.detach().clone().requires_grad_(True)
    (t * torch.sigmoid(beta * t)).sum().backward()
    return t.grad


def _swish_autograd_grad(z, beta=1.0):  # the same with torch.autograd.grad
    t = z.detach().clone().requires_grad_(True)
    return torch.autograd.grad((t * torch.sigmoid(beta * t)).sum(), t)[0]


def _swish_in_place(z, beta=1.0):  # right values, but overwrites z with sigma(beta z)
    s = z.mul_(beta).sigmoid_()
    zz = torch.logit(s) / beta if beta else s
    return s + beta * zz * s * (1 - s)


def _swish_exp_form(z, beta=1.0):  # right formula through exp(-beta z): inf / inf = nan for z = -1000
    e = torch.exp(-beta * z)
    return 1 / (1 + e) + beta * z * e / (1 + e) ** 2


def _swish_numpy(z, beta=1.0):  # right values as a NumPy array
    s = 1 / (1 + np.exp(-beta * z.numpy()))
    return s + beta * z.numpy() * s * (1 - s)


def _swish_float32(z, beta=1.0):  # right, but always returns float32
    s = torch.sigmoid(beta * z.float())
    return s + beta * z.float() * s * (1 - s)


def _swish_mean(z, beta=1.0):  # reduces to one number
    s = torch.sigmoid(beta * z)
    return (s + beta * z * s * (1 - s)).mean()


def _swish_finite_difference(z, beta=1.0):  # a numerical derivative in float32: not accurate enough
    h = 1e-3
    f = lambda t: t * torch.sigmoid(beta * t)  # noqa: E731
    return (f(z + h) - f(z - h)) / (2 * h)


def _swish_jvp(z, beta=1.0):  # forward-mode autodiff (torch.func.jvp): PyTorch finds the derivative
    return torch.func.jvp(lambda t: t * torch.sigmoid(beta * t), (z,), (torch.ones_like(z),))[1]


def _swish_forward_ad(z, beta=1.0):  # forward-mode autodiff by hand: dual numbers do the work
    import torch.autograd.forward_ad as fwAD

    with fwAD.dual_level():
        dual = fwAD.make_dual(z, torch.ones_like(z))
        return fwAD.unpack_dual(dual * torch.sigmoid(beta * dual)).tangent.clone()


def _swish_beta_outside(z, beta=1.0):  # sigma(z) where swish has sigma(beta z)
    s = torch.sigmoid(z)
    return s + beta * z * s * (1 - s)


# ---------------------------------------------------------------- 02.3 logsumexp(z, dim=-1)


def logsumexp_stub(z, dim=-1):
    # Your code here: the maximum along dim (keepdim=True helps), then the trick.
    ...


def _lse_reference(z, dim=-1):
    m = z.max(dim=dim, keepdim=True).values
    return (m + torch.log(torch.exp(z - m).sum(dim=dim, keepdim=True))).squeeze(dim)


def _lse_global_max(z, dim=-1):  # one maximum for the whole tensor
    m = z.max()
    return m + torch.log(torch.exp(z - m).sum(dim=dim))


def _lse_in_place(z, dim=-1):  # right, but shifts z itself: z -= m
    m = z.max(dim=dim, keepdim=True).values
    z -= m
    return (m + torch.log(torch.exp(z).sum(dim=dim, keepdim=True))).squeeze(dim)


def _lse_last_dim_only(z, dim=-1):  # ignores dim: always the last dimension
    m = z.max(dim=-1, keepdim=True).values
    return (m + torch.log(torch.exp(z - m).sum(dim=-1, keepdim=True))).squeeze(-1)


def _lse_dim_one(z, dim=-1):  # hard-codes dim=1
    m = z.max(dim=1, keepdim=True).values
    return (m + torch.log(torch.exp(z - m).sum(dim=1, keepdim=True))).squeeze(1)


def _lse_wrong_default(z, dim=0):  # the default should be the last dimension
    return _lse_reference(z, dim)


def _lse_numpy(z, dim=-1):  # right values as a NumPy array
    a = z.numpy()
    m = a.max(axis=dim, keepdims=True)
    return (m + np.log(np.exp(a - m).sum(axis=dim, keepdims=True))).squeeze(dim)


def _lse_no_gradient(z, dim=-1):  # right values rebuilt from Python numbers: no gradient flows
    return torch.tensor(_lse_reference(z, dim).tolist(), dtype=z.dtype)


def _lse_float32(z, dim=-1):  # right, but 64-bit inputs come back as float32
    return _lse_reference(z.float(), dim)


def _lse_squeeze_all(z, dim=-1):  # .squeeze() without dim: a (1, K) batch loses its batch dimension
    m = z.max(dim=dim, keepdim=True).values
    return (m + torch.log(torch.exp(z - m).sum(dim=dim, keepdim=True))).squeeze()


def _lse_log_softmax(z, dim=-1):  # z - log_softmax(z) is log-sum-exp: log_softmax does the trick for you
    return (z - torch.log_softmax(z, dim=dim)).narrow(dim, 0, 1).squeeze(dim)


def _lse_mean(z, dim=-1):  # the mean of the exponentials: log K too small
    m = z.max(dim=dim, keepdim=True).values
    return (m + torch.log(torch.exp(z - m).mean(dim=dim, keepdim=True))).squeeze(dim)


# ---------------------------------------------------------------- 02.4 cross_entropy(logits, targets)


def cross_entropy_stub(logits, targets):
    # Your code here.
    ...


def _ce_reference(logits, targets):
    return (torch.logsumexp(logits, dim=-1) - logits[torch.arange(len(targets)), targets]).mean()


def _ce_in_place(logits, targets):  # right, but shifts the logits in place
    logits -= logits.max(dim=1, keepdim=True).values
    return (torch.log(torch.exp(logits).sum(dim=1)) - logits[torch.arange(len(targets)), targets]).mean()


def _ce_categorical(logits, targets):  # torch.distributions computes the whole cross-entropy
    return -torch.distributions.Categorical(logits=logits).log_prob(targets).mean()


def _ce_inferred_classes(logits, targets):  # F.one_hot guesses K from the largest target: the lse misses classes
    one_hot = F.one_hot(targets).to(logits.dtype)
    present = logits[:, : one_hot.shape[1]]
    return (torch.logsumexp(present, -1) - (present * one_hot).sum(-1)).mean()


def _ce_hard_coded_classes(logits, targets):  # one-hot with 4 classes, the first example's size
    one_hot = F.one_hot(targets, 4).to(logits.dtype)
    return (torch.logsumexp(logits, -1) - (logits[:, :4] * one_hot).sum(-1)).mean()


# ---------------------------------------------------------------- 02.5 cross_entropy_grad(logits, targets, reduction)


def cross_entropy_grad_stub(logits, targets, reduction="mean"):
    # Your code here: the derivative of the cost with respect to every logit, shape (N, K).
    ...


def _grad_reference(logits, targets, reduction="mean"):
    grad = torch.softmax(logits, dim=1) - F.one_hot(targets, logits.shape[1]).to(logits.dtype)
    return grad / len(logits) if reduction == "mean" else grad


def _grad_autograd(logits, targets, reduction="mean"):  # right, but autograd does the work
    z = logits.detach().clone().requires_grad_(True)
    F.cross_entropy(z, targets, reduction=reduction).backward()
    return z.grad


def _grad_autograd_own_loss(logits, targets, reduction="mean"):  # autograd on a hand-written loss
    z = logits.detach().clone().requires_grad_(True)
    per_example = torch.logsumexp(z, 1) - z[torch.arange(len(targets)), targets]
    cost = per_example.mean() if reduction == "mean" else per_example.sum()
    return torch.autograd.grad(cost, z)[0]


def _grad_func_grad(logits, targets, reduction="mean"):  # torch.func.grad is autograd too
    def cost(z):
        per_example = torch.logsumexp(z, 1) - z[torch.arange(len(targets)), targets]
        return per_example.mean() if reduction == "mean" else per_example.sum()

    return torch.func.grad(cost)(logits)


def _grad_inferred_classes(logits, targets, reduction="mean"):  # F.one_hot guesses K from the batch
    grad = torch.softmax(logits, dim=1) - F.one_hot(targets).to(logits.dtype)
    return grad / len(logits) if reduction == "mean" else grad


def _grad_one_hot_transposed(logits, targets, reduction="mean"):  # one-hot on the wrong axis
    grad = torch.softmax(logits, dim=1) - F.one_hot(targets, logits.shape[1]).to(logits.dtype).T
    return grad / len(logits) if reduction == "mean" else grad


def _grad_in_place(logits, targets, reduction="mean"):  # right, but overwrites the logits
    logits -= logits.max(dim=1, keepdim=True).values
    p = logits.exp_()
    p /= p.sum(dim=1, keepdim=True)
    p[torch.arange(len(targets)), targets] -= 1
    return (p / len(targets) if reduction == "mean" else p).clone()


def _grad_naive_softmax(logits, targets, reduction="mean"):  # exp(z) / sum exp(z): nan for z = 1000
    e = torch.exp(logits)
    grad = e / e.sum(dim=1, keepdim=True) - F.one_hot(targets, logits.shape[1]).to(logits.dtype)
    return grad / len(logits) if reduction == "mean" else grad


def _grad_ignores_reduction(logits, targets, reduction="mean"):  # always the mean
    return _grad_reference(logits, targets)


def _grad_always_sum(logits, targets, reduction="mean"):  # never divides by N
    return _grad_reference(logits, targets, "sum")


def _grad_wrong_default(logits, targets, reduction="sum"):  # the default should be "mean"
    return _grad_reference(logits, targets, reduction)


def _grad_mean_only(logits, targets, reduction="mean"):  # refuses reduction="sum"
    if reduction != "mean":
        raise ValueError(f"unknown reduction {reduction!r}")
    return _grad_reference(logits, targets)


def _grad_numpy(logits, targets, reduction="mean"):  # right values as a NumPy array
    return _grad_reference(logits, targets, reduction).numpy()


def _grad_hard_coded_classes(logits, targets, reduction="mean"):  # num_classes=10, as on MNIST
    grad = torch.softmax(logits, dim=1) - F.one_hot(targets, 10)[:, : logits.shape[1]].to(logits.dtype)
    return grad / len(logits) if reduction == "mean" else grad


def _grad_forward_ad(logits, targets, reduction="mean"):  # forward-mode autodiff, one class at a time
    import torch.autograd.forward_ad as fwAD

    n, k = logits.shape
    grad = torch.zeros_like(logits)
    for j in range(k):
        tangent = torch.zeros_like(logits)
        tangent[:, j] = 1
        with fwAD.dual_level():
            dual = fwAD.make_dual(logits, tangent)
            losses = torch.logsumexp(dual, 1) - dual[torch.arange(n), targets]
            grad[:, j] = fwAD.unpack_dual(losses).tangent
    return grad / n if reduction == "mean" else grad


def _grad_fancy_index(logits, targets, reduction="mean"):  # p[:, targets]: every row, every target's column
    grad = torch.softmax(logits, dim=1)
    grad[:, targets] -= 1
    return grad / len(logits) if reduction == "mean" else grad


def _grad_float32(logits, targets, reduction="mean"):  # right, but always float32
    return _grad_reference(logits.float(), targets, reduction)


def _grad_finite_differences(logits, targets, reduction="mean"):  # numerical, in float32: too inaccurate
    def cost(z):
        per_example = torch.logsumexp(z, 1) - z[torch.arange(len(targets)), targets]
        return per_example.mean() if reduction == "mean" else per_example.sum()

    grad = torch.zeros_like(logits)
    h = 1e-3
    for i in range(logits.shape[0]):
        for k in range(logits.shape[1]):
            step = torch.zeros_like(logits)
            step[i, k] = h
            grad[i, k] = (cost(logits + step) - cost(logits - step)) / (2 * h)
    return grad


# ---------------------------------------------------------------- 02.6 huber(predictions, targets, delta=1.0)


def huber_stub(predictions, targets, delta=1.0):
    # Your code here.
    ...


def _huber_reference(predictions, targets, delta=1.0):
    error = (predictions - targets).abs()
    return torch.where(error <= delta, 0.5 * error**2, delta * (error - 0.5 * delta)).mean()


def _huber_in_place(predictions, targets, delta=1.0):  # right, but overwrites the predictions
    predictions.sub_(targets).abs_()
    return torch.where(predictions <= delta, 0.5 * predictions**2, delta * (predictions - 0.5 * delta)).mean()


def _huber_item(predictions, targets, delta=1.0):  # a Python float: no gradient, and not a tensor
    return _huber_reference(predictions, targets, delta).item()


def _huber_detached(predictions, targets, delta=1.0):  # right value, cut off from autograd
    return _huber_reference(predictions.detach(), targets, delta)


def _huber_no_grad(predictions, targets, delta=1.0):  # right value, computed without gradients
    with torch.no_grad():
        return _huber_reference(predictions, targets, delta)


def _huber_wrong_default(predictions, targets, delta=0.5):  # the default should be 1.0
    return _huber_reference(predictions, targets, delta)


def _huber_no_default(predictions, targets, delta):  # delta must default to 1.0
    return _huber_reference(predictions, targets, delta)


def _huber_smooth_l1(predictions, targets, delta=1.0):  # smooth L1: the Huber loss divided by delta
    error = (predictions - targets).abs()
    return torch.where(error < delta, 0.5 * error**2 / delta, error - 0.5 * delta).mean()


WRONG_ANSWERS: dict[str, list[object]] = {
    "02.1": [
        None,
        swish_derivative_stub,
        _swish_autograd,                                                        # autograd (.backward)
        _swish_autograd_grad,                                                   # autograd (torch.autograd.grad)
        _swish_in_place,                                                        # changes z in place
        _swish_exp_form,                                                        # nan on z = -1000
        _swish_numpy,                                                           # NumPy, not a tensor
        _swish_float32,                                                         # wrong dtype for float64
        _swish_mean,                                                            # one number
        _swish_finite_difference,                                               # numerical, inaccurate
        lambda z, beta=1.0: torch.sigmoid(beta * z),                            # product rule forgotten
        lambda z, beta=1.0: z * torch.sigmoid(beta * z),                        # swish itself
        lambda z, beta=1.0: torch.sigmoid(z) * (1 - torch.sigmoid(z)),          # sigmoid's derivative
        lambda z, beta=1.0: torch.sigmoid(beta * z) + z * torch.sigmoid(beta * z) * (1 - torch.sigmoid(beta * z)),  # chain rule's beta missing
        lambda z, beta=1.0: beta * torch.sigmoid(beta * z) * (1 + z * (1 - torch.sigmoid(beta * z))),  # beta on both terms
        lambda z, beta=1.0: torch.sigmoid(beta * z) * (1 - beta * z * (1 - torch.sigmoid(beta * z))),  # sign
        lambda z, beta=1.0: torch.sigmoid(beta * z) + beta * z * (1 - torch.sigmoid(beta * z)),  # sigma' = 1 - sigma
        lambda z, beta=1.0: _swish_reference(z),                                # ignores beta
        lambda z, beta=2.0: _swish_reference(z, beta),                          # wrong default
        lambda z, beta: _swish_reference(z, beta),                              # no default
        lambda z: _swish_reference(z),                                          # no beta parameter
        lambda z, beta=1.0: _swish_reference(z.flatten(), beta)[: z.shape[-1]] if z.dim() > 1 else _swish_reference(z, beta),  # 1-D only
        lambda z, beta=1.0: z.foo,                                              # crashes
        _swish_jvp,                                                             # forward-mode autodiff
        _swish_forward_ad,                                                      # dual numbers
        _swish_beta_outside,                                                    # sigma(z), not sigma(beta z)
    ],
    "02.2": ["a", "c", "d", "e", "f", None, "tanh"],
    "02.3": [
        logsumexp_stub,
        lambda z, dim=-1: torch.logsumexp(z, dim=dim),                          # the forbidden builtin
        lambda z, dim=-1: z.logsumexp(dim),                                     # the forbidden method
        lambda z, dim=-1: torch.special.logsumexp(z, dim),                      # the forbidden alias
        lambda z, dim=-1: torch.log(torch.exp(z).sum(dim=dim)),                 # naive: overflows
        lambda z, dim=-1: z.max(dim=dim).values,                                # the hard max
        lambda z, dim=-1: torch.log(torch.exp(z - z.max(dim=dim, keepdim=True).values).sum(dim=dim)),  # forgot + m
        _lse_global_max,                                                        # one max for all rows
        lambda z, dim=-1: torch.log(torch.exp(z).sum()),                        # sums over everything
        lambda z, dim=-1: z.max(dim=dim, keepdim=True).values + torch.log(torch.exp(z - z.max(dim=dim, keepdim=True).values).sum(dim=dim, keepdim=True)),  # keeps the dim
        _lse_in_place,                                                          # z -= m
        _lse_last_dim_only,                                                     # ignores dim
        _lse_dim_one,                                                           # dim=1 hard-coded
        _lse_wrong_default,                                                     # default dim=0
        lambda z: _lse_reference(z),                                            # no dim parameter
        _lse_numpy,                                                             # NumPy, not a tensor
        _lse_no_gradient,                                                       # no gradient
        _lse_float32,                                                           # loses float64
        lambda z, dim=-1: _lse_reference(z.T, dim) if z.dim() == 2 else _lse_reference(z, dim),  # transposes
        lambda z, dim=-1: z.foo,                                                # crashes
        _lse_squeeze_all,                                                       # squeezes a batch of one
        _lse_log_softmax,                                                       # log_softmax does the trick
        _lse_mean,                                                              # mean of the exponentials
    ],
    "02.4": [
        cross_entropy_stub,
        lambda z, y: F.cross_entropy(z, y),                                     # the forbidden builtin
        lambda z, y: torch.nn.CrossEntropyLoss()(z, y),                         # the forbidden module
        lambda z, y: F.nll_loss(F.log_softmax(z, dim=-1), y),                   # forbidden pieces
        lambda z, y: -torch.log_softmax(z, dim=-1)[torch.arange(len(y)), y].mean(),  # forbidden log_softmax
        lambda z, y: torch.logsumexp(z, -1) - z[torch.arange(len(y)), y],       # no mean
        lambda z, y: (torch.logsumexp(z, -1) - z[torch.arange(len(y)), y]).sum(),  # sum
        lambda z, y: (torch.logsumexp(z, -1) - z[torch.arange(len(y)), y]).sum() / z.shape[1],  # divides by K
        lambda z, y: (z[torch.arange(len(y)), y] - torch.logsumexp(z, -1)).mean(),  # sign
        lambda z, y: -torch.log(torch.softmax(z, -1)[torch.arange(len(y)), y]).mean(),  # log of softmax: inf
        lambda z, y: -torch.log(torch.exp(z[torch.arange(len(y)), y]) / torch.exp(z).sum(-1)).mean(),  # naive: nan
        lambda z, y: (torch.logsumexp(z, -1)[:, None] - z).mean(),              # all classes
        lambda z, y: (1 - torch.softmax(z, -1)[torch.arange(len(y)), y]).mean(),  # linear penalty
        lambda z, y: (torch.logsumexp(z, -1) - z[torch.arange(6), y[:6]]).sum() / 6,  # hard-coded batch of 6
        _ce_hard_coded_classes,                                                 # hard-coded 4 classes
        _ce_in_place,                                                           # shifts the logits in place
        lambda z, y: _ce_reference(z, y).item(),                                # a Python float
        lambda z, y: _ce_reference(z, y).detach().numpy(),                      # NumPy
        lambda z, y: _ce_reference(z, y).reshape(1),                            # shape (1,)
        lambda z, y: _ce_reference(z.detach(), y),                              # no gradient
        lambda z, y: _ce_reference(z.float(), y),                               # loses float64
        lambda z, y: 1 / 0,                                                     # crashes
        _ce_categorical,                                                        # torch.distributions
        _ce_inferred_classes,                                                   # K from the targets
        lambda z, y: (torch.logsumexp(z, -1) - z.max(dim=-1).values).mean(),    # the predicted class's logit
        lambda z, y: (torch.logsumexp(z, -1) - z[:, y]).mean(),                 # logits[:, targets]: N x N
        lambda z, y: torch.logsumexp(z, 0).mean() - z[torch.arange(len(y)), y].mean(),  # lse over the batch
        lambda z, y: (torch.logsumexp(z, -1) - z[torch.arange(len(y)), y]).sum() / z.numel(),  # / (N K)
    ],
    "02.5": [
        cross_entropy_grad_stub,
        _grad_autograd,                                                         # autograd + F.cross_entropy
        _grad_autograd_own_loss,                                                # autograd
        _grad_func_grad,                                                        # torch.func.grad
        lambda z, y, reduction="mean": torch.softmax(z, 1) - F.one_hot(y, z.shape[1]),  # no 1/N
        lambda z, y, reduction="mean": (F.one_hot(y, z.shape[1]) - torch.softmax(z, 1)) / len(z),  # sign
        lambda z, y, reduction="mean": (torch.softmax(z, 1) - F.one_hot(y, z.shape[1])) / z.shape[1],  # 1/K
        lambda z, y, reduction="mean": (torch.softmax(z, 1) - F.one_hot(y, z.shape[1])) / z.numel(),  # 1/(NK)
        lambda z, y, reduction="mean": torch.softmax(z, 1) / len(z),           # one-hot term missing
        lambda z, y, reduction="mean": -F.one_hot(y, z.shape[1]).to(z.dtype) / len(z),  # softmax missing
        lambda z, y, reduction="mean": (torch.softmax(z, 0) - F.one_hot(y, z.shape[1])) / len(z),  # wrong axis
        lambda z, y, reduction="mean": (torch.softmax(z, 1) - 1) * F.one_hot(y, z.shape[1]) / len(z),  # true class only
        _grad_inferred_classes,                                                 # F.one_hot without num_classes
        _grad_one_hot_transposed,                                               # one-hot on the wrong axis
        _grad_hard_coded_classes,                                               # 10 classes hard-coded
        _grad_in_place,                                                         # overwrites the logits
        _grad_naive_softmax,                                                    # nan on huge logits
        _grad_ignores_reduction,                                                # "sum" ignored
        _grad_always_sum,                                                       # never / N
        _grad_mean_only,                                                        # no "sum"
        _grad_wrong_default,                                                    # default "sum"
        lambda z, y: _grad_reference(z, y),                                     # no reduction parameter
        _grad_numpy,                                                            # NumPy
        lambda z, y, reduction="mean": _grad_reference(z, y, reduction).sum(dim=0),  # sums over the batch
        _grad_float32,                                                          # loses float64
        _grad_finite_differences,                                               # numerical, inaccurate
        lambda z, y, reduction="mean": (torch.sigmoid(z) - F.one_hot(y, z.shape[1])) / len(z),  # sigmoid, not softmax
        lambda z, y, reduction="mean": (torch.log_softmax(z, 1) - F.one_hot(y, z.shape[1])) / len(z),  # log p
        lambda z, y, reduction="mean": -F.one_hot(y, z.shape[1]) / torch.softmax(z, 1) / len(z),  # dJ/dp
        lambda z, y, reduction="mean": [[0.0]],                                 # a list
        _grad_forward_ad,                                                       # forward-mode autodiff
        _grad_fancy_index,                                                      # p[:, targets] -= 1
        lambda z, y, reduction="mean": (torch.softmax(z, 1) * (1 - torch.softmax(z, 1)) * (torch.softmax(z, 1) - F.one_hot(y, z.shape[1]))) / len(z),  # extra softmax slope
    ],
    "02.6": [
        huber_stub,
        lambda p, t, delta=1.0: F.huber_loss(p, t, delta=delta),                # the forbidden builtin
        lambda p, t, delta=1.0: torch.nn.HuberLoss(delta=delta)(p, t),          # the forbidden module
        lambda p, t, delta=1.0: delta * F.smooth_l1_loss(p, t, beta=delta),     # forbidden smooth L1, rescaled
        _huber_smooth_l1,                                                       # smooth L1 by hand
        lambda p, t, delta=1.0: torch.where((p - t).abs() <= delta, 0.5 * (p - t) ** 2, delta * ((p - t).abs() - 0.5 * delta)).sum(),  # sum
        lambda p, t, delta=1.0: torch.where((p - t).abs() <= delta, (p - t) ** 2, delta * ((p - t).abs() - 0.5 * delta)).mean(),  # no 1/2
        lambda p, t, delta=1.0: torch.where((p - t).abs() <= delta, 0.5 * (p - t) ** 2, delta * (p - t).abs()).mean(),  # no - delta/2
        lambda p, t, delta=1.0: torch.where((p - t).abs() <= delta, 0.5 * (p - t) ** 2, (p - t).abs() - 0.5 * delta).mean(),  # no delta factor
        lambda p, t, delta=1.0: torch.where(p - t <= delta, 0.5 * (p - t) ** 2, delta * ((p - t).abs() - 0.5 * delta)).mean(),  # signed error
        lambda p, t, delta=1.0: torch.where((p - t).abs() > delta, 0.5 * (p - t) ** 2, delta * ((p - t).abs() - 0.5 * delta)).mean(),  # swapped
        lambda p, t, delta=1.0: (0.5 * (p - t) ** 2).mean(),                    # half the MSE
        lambda p, t, delta=1.0: (p - t).abs().mean(),                           # MAE
        lambda p, t, delta=1.0: _huber_reference(p, t),                         # ignores delta
        lambda p, t, delta=1.0: torch.where((p - t).abs() <= delta, 0.5 * (p - t) ** 2, delta * ((p - t).abs() - 0.5 * delta)),  # no mean
        _huber_in_place,                                                        # overwrites the predictions
        _huber_item,                                                            # a float
        _huber_detached,                                                        # no gradient
        _huber_no_grad,                                                         # no gradient
        _huber_wrong_default,                                                   # default 0.5
        _huber_no_default,                                                      # no default
        lambda p, t, delta=1.0: _huber_reference(p.float(), t.float(), delta),  # loses float64
        lambda p, t, delta=1.0: _huber_reference(p[:5], t[:5], delta),          # only the first rows
        lambda p, t, delta=1.0: "0.5",                                          # a string
        lambda p, t, delta=1.0: torch.where((p - t).abs() <= delta, 0.5 * (p - t) ** 2, delta * ((p - t).abs() - delta)).mean(),  # - delta, not - delta/2
    ],
}


def _swish_right_expanded(z, beta=1.0):
    s = torch.sigmoid(beta * z)
    return s * (1 + beta * z * (1 - s))


def _swish_right_via_silu(z, beta=1.0):
    s = torch.sigmoid(beta * z)
    return s + beta * (z * s) * (1 - s)  # swish itself times beta (1 - s), plus s


def _lse_right_amax(z, dim=-1):
    m = z.amax(dim=dim, keepdim=True)
    return m.squeeze(dim) + (z - m).exp().sum(dim=dim).log()


def _lse_right_log1p(z, dim=-1):  # the largest term of the sum is exactly 1: log(1 + the rest)
    m = torch.max(z, dim, keepdim=True)[0]
    return (m + torch.log1p(torch.exp(z - m).sum(dim=dim, keepdim=True) - 1)).squeeze(dim)


def _ce_right_inferred_classes(logits, targets):  # F.one_hot without num_classes, but the lse uses every logit
    one_hot = F.one_hot(targets).to(logits.dtype)
    return (torch.logsumexp(logits, -1) - (logits[:, : one_hot.shape[1]] * one_hot).sum(-1)).mean()


def _grad_right_eye(logits, targets, reduction="mean"):
    shifted = logits - logits.amax(dim=1, keepdim=True)
    p = shifted.exp() / shifted.exp().sum(dim=1, keepdim=True)
    scale = 1.0 / len(targets) if reduction == "mean" else 1.0
    return scale * (p - torch.eye(logits.shape[1], dtype=logits.dtype)[targets])


def _huber_right_strict(predictions, targets, delta=1.0):  # < instead of <=: the pieces agree at |e| = delta
    error = torch.abs(predictions - targets)
    return torch.mean(torch.where(error < delta, error * error / 2, delta * error - delta**2 / 2))


def _ce_right_own_lse(logits, targets):
    m = logits.max(dim=1, keepdim=True).values
    lse = m.squeeze(1) + torch.log(torch.exp(logits - m).sum(dim=1))
    return (lse - logits.gather(1, targets[:, None]).squeeze(1)).mean()


def _grad_right_scatter(logits, targets, reduction="mean"):
    grad = torch.softmax(logits, dim=1).clone()
    grad[torch.arange(len(targets)), targets] -= 1  # an in-place change of its own new tensor is fine
    if reduction == "mean":
        grad = grad / len(targets)
    return grad


def _grad_right_by_hand(logits, targets, reduction="mean"):
    shifted = logits - logits.max(dim=1, keepdim=True).values
    p = shifted.exp() / shifted.exp().sum(dim=1, keepdim=True)
    one_hot = torch.zeros_like(logits)
    one_hot[torch.arange(len(targets)), targets] = 1.0
    n = logits.shape[0] if reduction == "mean" else 1
    return (p - one_hot) / n


def _huber_right_clamp(predictions, targets, delta=1.0):
    error = (predictions - targets).abs()
    small = error.clamp(max=delta)  # min(|e|, delta)
    return (0.5 * small**2 + delta * (error - small)).mean()


RIGHT_ANSWERS: dict[str, list[object]] = {
    "02.1": [_swish_reference, _swish_right_expanded, _swish_right_via_silu,
             lambda z, beta=1.0: torch.special.expit(beta * z) * (1 + beta * z * torch.sigmoid(-beta * z))],
    "02.2": ["b", " B ", "(b)"],
    "02.3": [_lse_reference, _lse_right_amax, _lse_right_log1p],
    "02.4": [
        _ce_reference,
        _ce_right_own_lse,
        lambda z, y: -(z.gather(1, y[:, None]) - torch.logsumexp(z, 1, keepdim=True)).mean(),
        _ce_right_inferred_classes,
    ],
    "02.5": [_grad_reference, _grad_right_scatter, _grad_right_by_hand, _grad_right_eye],
    "02.6": [_huber_reference, _huber_right_clamp, _huber_right_strict],
}
