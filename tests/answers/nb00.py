"""Answers for the exercises of notebook 00."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

# ---------------------------------------------------------------- 00.1 the mean squared error


def _mse_stub(predictions, targets):
    # Your code here: replace the `...` with one line that returns the mean squared error.
    ...


def _mse_in_place(predictions, targets):
    predictions -= targets  # changes the caller's tensor
    return (predictions**2).mean()


def _mse_numpy(predictions, targets):
    return np.mean((predictions.numpy() - targets.numpy()) ** 2)


def _mse_item(predictions, targets):
    return ((predictions - targets) ** 2).mean().item()


def _mse_first_axis(predictions, targets):
    return ((predictions - targets) ** 2).sum() / len(predictions)  # right for 1-D inputs only


def _mse_one_axis(predictions, targets):
    return ((predictions - targets) ** 2).mean(dim=-1)


def _mse_builtin(predictions, targets):
    return F.mse_loss(predictions, targets)


def _mse_module(predictions, targets):
    return torch.nn.MSELoss()(predictions, targets)


def _mse_forgot_return(predictions, targets):
    ((predictions - targets) ** 2).mean()


def _mse_subtract_then_t(predictions, targets):
    return (targets - predictions).pow(2).sum() / predictions.numel()


def _mse_square(predictions, targets):
    return torch.square(predictions - targets).mean()


def _mse_rewrapped(predictions, targets):
    return torch.tensor(((predictions - targets) ** 2).mean().item())  # a new tensor: cut off from autograd


def _mse_numpy_round_trip(predictions, targets):
    p, t = predictions.detach().numpy(), targets.detach().numpy()
    return torch.from_numpy(np.asarray(np.mean((p - t) ** 2)))  # the right number, but autograd cannot follow


def _mse_detached(predictions, targets):
    return ((predictions.detach() - targets) ** 2).mean()


def _mse_always_float32(predictions, targets):
    return ((predictions - targets) ** 2).mean().float()  # float64 inputs give a float32 loss


def _mse_flattened_dot(predictions, targets):
    d = (predictions - targets).reshape(-1)
    return d @ d / d.numel()


# ---------------------------------------------------------------- 00.3 pairwise squared distances


def _distances_stub(A, B):
    # Your code here: one expression with broadcasting, no loops.
    ...


def _distances_swapped(A, B):
    return ((B[:, None, :] - A[None, :, :]) ** 2).sum(dim=-1)  # (M, N): right only when N == M


def _distances_sqrt(A, B):
    return ((A[:, None, :] - B[None, :, :]) ** 2).sum(dim=-1).sqrt()


def _distances_l1(A, B):
    return (A[:, None, :] - B[None, :, :]).abs().sum(dim=-1)


def _distances_mean(A, B):
    return ((A[:, None, :] - B[None, :, :]) ** 2).mean(dim=-1)


def _distances_square_after_sum(A, B):
    return (A[:, None, :] - B[None, :, :]).sum(dim=-1) ** 2


def _distances_keep_axis(A, B):
    return (A[:, None, :] - B[None, :, :]) ** 2


def _distances_two_features(A, B):
    dx = A[:, None, 0] - B[None, :, 0]
    dy = A[:, None, 1] - B[None, :, 1]
    return dx**2 + dy**2  # points in the plane only


def _distances_hard_coded(A, B):
    return ((A.reshape(4, 1, 2) - B.reshape(1, 3, 2)) ** 2).sum(dim=-1)  # the notebook's example sizes


def _distances_cdist(A, B):
    return torch.cdist(A, B) ** 2


def _distances_loop(A, B):
    out = torch.empty(len(A), len(B))
    for i in range(len(A)):
        out[i] = ((A[i] - B) ** 2).sum(dim=1)
    return out


def _distances_comprehension(A, B):
    return torch.stack([((a - B) ** 2).sum(dim=1) for a in A])


def _distances_unsqueeze_in_place(A, B):
    A.unsqueeze_(1)  # changes the caller's A into shape (N, 1, D)
    return ((A - B[None]) ** 2).sum(dim=-1)


def _distances_numpy(A, B):
    a, b = A.numpy(), B.numpy()
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1)


def _distances_no_cross_factor(A, B):
    return (A**2).sum(1, keepdim=True) - A @ B.T + (B**2).sum(1)[None, :]


def _distances_expanded(A, B):
    return (A**2).sum(dim=1, keepdim=True) - 2 * A @ B.T + (B**2).sum(dim=1)


def _distances_unsqueeze(A, B):
    return (A.unsqueeze(1) - B.unsqueeze(0)).pow(2).sum(-1)


def _distances_map(A, B):
    return torch.stack(list(map(lambda b: ((A - b) ** 2).sum(dim=1), B)), dim=1)  # a loop by another name


def _distances_reduce(A, B):
    import functools
    return functools.reduce(lambda total, k: total + (A[:, None, k] - B[None, :, k]) ** 2, range(A.shape[1]),
                            torch.zeros(len(A), len(B)))  # a loop over the features


def _distances_pairwise_distance(A, B):
    return torch.nn.functional.pairwise_distance(A[:, None, :], B[None, :, :]) ** 2  # a ready-made distance


def _distances_torch_pairwise(A, B):
    return torch.pairwise_distance(A[:, None, :], B[None, :, :]) ** 2  # the same builtin, another name


def _distances_functional_cdist(A, B):
    return torch.functional.cdist(A, B) ** 2  # torch.cdist under its module's name


def _distances_in_double(A, B):
    return ((A.double()[:, None, :] - B.double()[None, :, :]) ** 2).sum(dim=-1)  # float32 in, float64 out


def _distances_scipy(A, B):
    from scipy.spatial.distance import cdist
    return torch.from_numpy(cdist(A.detach().numpy(), B.detach().numpy(), "sqeuclidean")).to(A.dtype)


def _distances_detached(A, B):
    return ((A.detach()[:, None, :] - B[None, :, :]) ** 2).sum(dim=-1)


def _distances_norm(A, B):
    return torch.linalg.vector_norm(A[:, None, :] - B[None, :, :], dim=-1) ** 2


def _distances_einsum(A, B):
    d = A[:, None] - B[None]
    return torch.einsum("nmd,nmd->nm", d, d)


# ---------------------------------------------------------------- 00.5 gradient descent by hand


def _line_stub(x, y, learning_rate=0.1, steps=100):
    # Your code here: start from w = b = 0 (0-d tensors), take `steps` steps of gradient descent
    # with dL/dw and dL/db written out by hand, then return w, b.
    ...


def _line(x, y, learning_rate=0.1, steps=100, *, factor=2.0, n=None, sign=1.0, sequential=False,
          b_times_x=False, w_without_x=False, extra_steps=0, lr=None):
    w = torch.zeros(())
    b = torch.zeros(())
    n = len(x) if n is None else n
    for _ in range(steps + extra_steps):
        error = w * x + b - y
        grad_w = factor * ((error if w_without_x else error * x).sum()) / n
        if sequential:
            w = w - sign * (learning_rate if lr is None else lr) * grad_w
            error = w * x + b - y
        grad_b = factor * ((error * x if b_times_x else error).sum()) / n
        if not sequential:
            w = w - sign * (learning_rate if lr is None else lr) * grad_w
        b = b - sign * (learning_rate if lr is None else lr) * grad_b
    return w, b


def _line_uphill(x, y, learning_rate=0.1, steps=100):
    return _line(x, y, learning_rate, steps, sign=-1.0)


def _line_no_factor_two(x, y, learning_rate=0.1, steps=100):
    return _line(x, y, learning_rate, steps, factor=1.0)


def _line_sum_not_mean(x, y, learning_rate=0.1, steps=100):
    return _line(x, y, learning_rate, steps, n=1)


def _line_hard_coded_50(x, y, learning_rate=0.1, steps=100):
    return _line(x, y, learning_rate, steps, n=50)


def _line_sequential(x, y, learning_rate=0.1, steps=100):
    return _line(x, y, learning_rate, steps, sequential=True)


def _line_b_times_x(x, y, learning_rate=0.1, steps=100):
    return _line(x, y, learning_rate, steps, b_times_x=True)


def _line_w_without_x(x, y, learning_rate=0.1, steps=100):
    return _line(x, y, learning_rate, steps, w_without_x=True)


def _line_one_step_too_many(x, y, learning_rate=0.1, steps=100):
    return _line(x, y, learning_rate, steps, extra_steps=1)


def _line_fixed_rate(x, y, learning_rate=0.1, steps=100):
    return _line(x, y, learning_rate, steps, lr=0.1)


def _line_wrong_default(x, y, learning_rate=0.01, steps=100):
    return _line(x, y, learning_rate, steps)


def _line_no_defaults(x, y, learning_rate, steps):
    return _line(x, y, learning_rate, steps)


def _line_floats(x, y, learning_rate=0.1, steps=100):
    w, b = _line(x, y, learning_rate, steps)
    return w.item(), b.item()


def _line_shape_one(x, y, learning_rate=0.1, steps=100):
    w, b = torch.zeros(1), torch.zeros(1)
    for _ in range(steps):
        error = w * x + b - y
        w, b = w - learning_rate * 2 * (error * x).mean(), b - learning_rate * 2 * error.mean()
    return w, b


def _line_aliased_in_place(x, y, learning_rate=0.1, steps=100):
    w, b = torch.zeros(()), torch.zeros(())
    for _ in range(steps):
        residual = y            # not a copy: the next line changes the caller's y
        residual -= w * x + b   # residual = y - prediction
        grad_w, grad_b = -2 * (residual * x).mean(), -2 * residual.mean()
        w, b = w - learning_rate * grad_w, b - learning_rate * grad_b
    return w, b


def _line_autograd(x, y, learning_rate=0.1, steps=100):
    w = torch.zeros((), requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    for _ in range(steps):
        loss = ((w * x + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= learning_rate * w.grad
            b -= learning_rate * b.grad
            w.grad.zero_()
            b.grad.zero_()
    return w.detach(), b.detach()


def _line_autograd_grad(x, y, learning_rate=0.1, steps=100):
    w = torch.zeros((), requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    for _ in range(steps):
        grad_w, grad_b = torch.autograd.grad(((w * x + b - y) ** 2).mean(), (w, b))
        w, b = (w - learning_rate * grad_w).detach().requires_grad_(), (b - learning_rate * grad_b).detach().requires_grad_()
    return w.detach(), b.detach()


def _line_returns_none(x, y, learning_rate=0.1, steps=100):
    _line(x, y, learning_rate, steps)  # computes the line, but forgot to return it


def _line_forgot_increment(x, y, learning_rate=0.1, steps=100):
    w, b = torch.zeros(()), torch.zeros(())
    step = 0
    while step < steps:  # step never grows: the loop never ends (the check stops it)
        error = w * x + b - y
        w, b = w - learning_rate * 2 * (error * x).mean(), b - learning_rate * 2 * error.mean()
    return w, b


def _line_func_grad(x, y, learning_rate=0.1, steps=100):
    def loss(params):
        return ((params[0] * x + params[1] - y) ** 2).mean()

    params = torch.zeros(2)
    for _ in range(steps):
        params = params - learning_rate * torch.func.grad(loss)(params)  # autograd by another door
    return params[0], params[1]


def _line_one_step_too_few(x, y, learning_rate=0.1, steps=100):
    return _line(x, y, learning_rate, steps, extra_steps=-1)


def _line_closed_form(x, y, learning_rate=0.1, steps=100):
    xm, ym = x.mean(), y.mean()
    w = ((x - xm) * (y - ym)).sum() / ((x - xm) ** 2).sum()  # the optimum, not `steps` steps towards it
    return w, ym - w * xm


def _line_right_while(x, y, learning_rate=0.1, steps=100):
    w, b, n, step = torch.tensor(0.0), torch.tensor(0.0), x.shape[0], 0
    while step < steps:
        e = w * x + b - y
        w, b = w - learning_rate * 2 * torch.dot(e, x) / n, b - learning_rate * 2 * e.sum() / n
        step += 1
    return w, b


def _line_right_vectorised(x, y, learning_rate=0.1, steps=100):
    params = torch.zeros(2)                       # (w, b)
    features = torch.stack([x, torch.ones_like(x)], dim=1)
    for _ in range(steps):
        error = features @ params - y
        params = params - learning_rate * 2 * features.T @ error / len(x)
    return params[0], params[1]


def _line_right_mean(x, y, learning_rate=0.1, steps=100):
    w = b = torch.tensor(0.0)
    for _ in range(steps):
        e = (w * x + b) - y
        dw, db = (2 * e * x).mean(), (2 * e).mean()
        w, b = w - learning_rate * dw, b - learning_rate * db
    return w, b


WRONG_ANSWERS: dict[str, list[object]] = {
    "00.1": [
        _mse_stub,
        lambda p, t: (p - t).abs().mean(),          # mean absolute error (index 1: tests/test_checks.py names it)
        lambda p, t: ((p - t) ** 2).sum(),          # forgot to divide by N
        lambda p, t: ((p - t) ** 2).mean().sqrt(),  # root mean squared error
        lambda p, t: (p - t).mean(),                # errors cancel
        lambda p, t: (p - t).mean() ** 2,           # squares the mean, not the differences
        lambda p, t: ((p - t) ** 2).sum() / 4,      # hard-coded length
        lambda p, t: ((p - t) ** 2),                # not reduced to one number
        _mse_first_axis,                            # right on 1-D inputs only
        _mse_one_axis,                              # averages along one axis
        _mse_in_place,                              # right value, but changes its input
        _mse_numpy,                                 # a NumPy number, not a tensor
        _mse_item,                                  # a Python float, not a tensor
        _mse_builtin,                               # the forbidden builtin
        _mse_module,                                # the same builtin, through nn.MSELoss
        _mse_forgot_return,
        lambda p, t: "3.5",                         # a string
        lambda p, t: p.foo,                         # crashes
        lambda p, t: ((p - t) ** 2).mean() / 2,     # half the mean squared error
        lambda p, t: ((p - t) ** 2).sum() / (p.numel() - 1),  # N - 1, as for a sample variance
        _mse_rewrapped,                             # right number, cut off from autograd
        _mse_numpy_round_trip,                      # right number, through NumPy
        _mse_detached,                              # right number, detached
        _mse_always_float32,                        # float64 inputs, float32 loss
    ],
    "00.2": ["a", "c", "d", None],
    "00.3": [
        _distances_stub,
        _distances_swapped,
        _distances_sqrt,
        _distances_l1,
        _distances_mean,
        _distances_square_after_sum,
        _distances_keep_axis,
        _distances_two_features,
        _distances_hard_coded,
        _distances_cdist,
        _distances_loop,
        _distances_comprehension,
        _distances_unsqueeze_in_place,
        _distances_numpy,
        _distances_no_cross_factor,
        lambda A, B: A - B,                          # no broadcasting at all
        _distances_map,
        _distances_reduce,
        _distances_pairwise_distance,
        _distances_torch_pairwise,
        _distances_functional_cdist,
        _distances_in_double,
        _distances_scipy,
        _distances_detached,
    ],
    "00.4": ["a", "c", "d", "e", None],
    "00.5": [
        _line_stub,
        _line_uphill,
        _line_no_factor_two,
        _line_sum_not_mean,
        _line_hard_coded_50,
        _line_sequential,
        _line_b_times_x,
        _line_w_without_x,
        _line_one_step_too_many,
        _line_fixed_rate,
        _line_wrong_default,
        _line_no_defaults,
        _line_floats,
        _line_shape_one,
        _line_aliased_in_place,
        _line_autograd,
        _line_autograd_grad,
        _line_returns_none,
        _line_forgot_increment,
        _line_func_grad,
        _line_one_step_too_few,
        _line_closed_form,
    ],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "00.1": [lambda p, t: ((p - t) ** 2).mean(), _mse_subtract_then_t, _mse_square, _mse_flattened_dot],
    "00.2": ["b", " B ", "(b)"],
    "00.3": [_distances_expanded, _distances_unsqueeze, _distances_norm, _distances_einsum],
    "00.4": ["b", "(b)"],
    "00.5": [_line_right_vectorised, _line_right_mean, _line_right_while],
}
