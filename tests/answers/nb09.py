"""Answers for the exercises of notebook 09."""

from __future__ import annotations

import warnings

import numpy as np
import torch
from torch import nn

# ---------------------------------------------------------------- 09.1 the unrolled RNN


def rnn_by_aten_alias(x, W_xh, W_hh, b_xh, b_hh, h0=None):
    """nn.RNN's kernel reached by a private alias that forbid cannot patch."""
    h = torch.zeros(1, x.shape[1], W_hh.shape[0], dtype=x.dtype) if h0 is None else h0[None]
    out, h_n = torch.ops.aten.rnn_tanh.input(x, h, [W_xh, W_hh, b_xh, b_hh], True, 1, 0.0, False, False, False)
    return out, h_n[0]


def rnn_forward_stub(x, W_xh, W_hh, b_xh, b_hh, h0=None):
    # Your code here: loop over the time steps, keep every hidden state.
    ...


def _start(x, W_hh, h0):
    return torch.zeros(x.shape[1], W_hh.shape[0], dtype=x.dtype) if h0 is None else h0


def _loop(step):
    """An answer built from one (possibly wrong) step h = step(x_t, h, W_xh, W_hh, b_xh, b_hh)."""
    def rnn_forward(x, W_xh, W_hh, b_xh, b_hh, h0=None):
        h = _start(x, W_hh, h0)
        states = []
        for t in range(x.shape[0]):
            h = step(x[t], h, W_xh, W_hh, b_xh, b_hh)
            states.append(h)
        return torch.stack(states), h
    return rnn_forward


rnn_no_tanh = _loop(lambda xt, h, wx, wh, bx, bh: xt @ wx.T + bx + h @ wh.T + bh)
rnn_relu = _loop(lambda xt, h, wx, wh, bx, bh: torch.relu(xt @ wx.T + bx + h @ wh.T + bh))
rnn_whh_transposed = _loop(lambda xt, h, wx, wh, bx, bh: torch.tanh(xt @ wx.T + bx + h @ wh + bh))
rnn_wxh_transposed = _loop(lambda xt, h, wx, wh, bx, bh: torch.tanh(xt @ wx + bx + h @ wh.T + bh))
rnn_one_bias = _loop(lambda xt, h, wx, wh, bx, bh: torch.tanh(xt @ wx.T + bx + h @ wh.T))
rnn_no_input_bias = _loop(lambda xt, h, wx, wh, bx, bh: torch.tanh(xt @ wx.T + h @ wh.T + bh))
rnn_tanh_on_input_only = _loop(lambda xt, h, wx, wh, bx, bh: torch.tanh(xt @ wx.T + bx) + h @ wh.T + bh)


def rnn_truthy_h0(x, W_xh, W_hh, b_xh, b_hh, h0=None):
    h = h0 if h0 else torch.zeros(x.shape[1], W_hh.shape[0], dtype=x.dtype)  # `if h0` fails for a tensor
    states = []
    for t in range(len(x)):
        h = torch.tanh(x[t] @ W_xh.T + b_xh + h @ W_hh.T + b_hh)
        states.append(h)
    return torch.stack(states), h


def rnn_outputs_batch_major(x, W_xh, W_hh, b_xh, b_hh, h0=None):
    h = _start(x, W_hh, h0)
    states = []
    for t in range(len(x)):
        h = torch.tanh(x[t] @ W_xh.T + b_xh + h @ W_hh.T + b_hh)
        states.append(h)
    return torch.stack(states, dim=1), h  # (B, T, H), as batch_first=True would give


def rnn_h0_ones(x, W_xh, W_hh, b_xh, b_hh, h0=None):
    h = torch.ones(x.shape[1], W_hh.shape[0], dtype=x.dtype) if h0 is None else h0  # ones, not zeros
    states = []
    for t in range(len(x)):
        h = torch.tanh(x[t] @ W_xh.T + b_xh + h @ W_hh.T + b_hh)
        states.append(h)
    return torch.stack(states), h


def rnn_batch_first(x, W_xh, W_hh, b_xh, b_hh, h0=None):
    """Wrong: reads x as (B, T, D), batch first."""
    h = torch.zeros(x.shape[0], W_hh.shape[0], dtype=x.dtype) if h0 is None else h0
    states = []
    for t in range(x.shape[1]):
        h = torch.tanh(x[:, t] @ W_xh.T + b_xh + h @ W_hh.T + b_hh)
        states.append(h)
    return torch.stack(states, dim=1), h


def rnn_ignores_h0(x, W_xh, W_hh, b_xh, b_hh, h0=None):
    h = torch.zeros(x.shape[1], W_hh.shape[0], dtype=x.dtype)
    states = []
    for t in range(len(x)):
        h = torch.tanh(x[t] @ W_xh.T + b_xh + h @ W_hh.T + b_hh)
        states.append(h)
    return torch.stack(states), h


def rnn_never_updates(x, W_xh, W_hh, b_xh, b_hh, h0=None):
    h0 = _start(x, W_hh, h0)
    states = [torch.tanh(x[t] @ W_xh.T + b_xh + h0 @ W_hh.T + b_hh) for t in range(len(x))]
    return torch.stack(states), states[-1]


def rnn_shifted_outputs(x, W_xh, W_hh, b_xh, b_hh, h0=None):
    h = _start(x, W_hh, h0)
    states = []
    for t in range(len(x)):
        states.append(h)  # appended before the update: h_(t-1) instead of h_t
        h = torch.tanh(x[t] @ W_xh.T + b_xh + h @ W_hh.T + b_hh)
    return torch.stack(states), h


def rnn_h_last_with_layer_axis(x, W_xh, W_hh, b_xh, b_hh, h0=None):
    h = _start(x, W_hh, h0)
    states = []
    for t in range(len(x)):
        h = torch.tanh(x[t] @ W_xh.T + b_xh + h @ W_hh.T + b_hh)
        states.append(h)
    return torch.stack(states), h[None]  # as nn.RNN returns it


def rnn_list_of_states(x, W_xh, W_hh, b_xh, b_hh, h0=None):
    h = _start(x, W_hh, h0)
    states = []
    for t in range(len(x)):
        h = torch.tanh(x[t] @ W_xh.T + b_xh + h @ W_hh.T + b_hh)
        states.append(h)
    return states, h


def rnn_backwards_in_time(x, W_xh, W_hh, b_xh, b_hh, h0=None):
    h = _start(x, W_hh, h0)
    states = []
    for t in reversed(range(len(x))):
        h = torch.tanh(x[t] @ W_xh.T + b_xh + h @ W_hh.T + b_hh)
        states.append(h)
    return torch.stack(states), h


def rnn_in_place_h0(x, W_xh, W_hh, b_xh, b_hh, h0=None):
    h = _start(x, W_hh, h0)
    states = []
    for t in range(len(x)):
        h.copy_(torch.tanh(x[t] @ W_xh.T + b_xh + h @ W_hh.T + b_hh))  # overwrites h0
        states.append(h.clone())
    return torch.stack(states), h


def rnn_detached(x, W_xh, W_hh, b_xh, b_hh, h0=None):
    h = _start(x, W_hh, h0)
    states = []
    for t in range(len(x)):
        h = torch.tanh(x[t] @ W_xh.T + b_xh + h.detach() @ W_hh.T + b_hh)  # truncated after one step
        states.append(h)
    return torch.stack(states), h


def rnn_builtin(x, W_xh, W_hh, b_xh, b_hh, h0=None):
    rnn = nn.RNN(W_xh.shape[1], W_hh.shape[0], dtype=x.dtype)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(W_xh)
        rnn.weight_hh_l0.copy_(W_hh)
        rnn.bias_ih_l0.copy_(b_xh)
        rnn.bias_hh_l0.copy_(b_hh)
    out, h = rnn(x, None if h0 is None else h0[None])
    return out, h[0]


def rnn_float32(x, W_xh, W_hh, b_xh, b_hh, h0=None):
    h = _start(x, W_hh, h0).float()
    states = []
    for t in range(len(x)):
        h = torch.tanh(x[t].float() @ W_xh.float().T + b_xh.float() + h @ W_hh.float().T + b_hh.float())
        states.append(h)
    return torch.stack(states), h


def rnn_hidden_size_from_input(x, W_xh, W_hh, b_xh, b_hh, h0=None):
    h = torch.zeros(x.shape[1], x.shape[2], dtype=x.dtype) if h0 is None else h0  # D instead of H
    states = []
    for t in range(len(x)):
        h = torch.tanh(x[t] @ W_xh.T + b_xh + h @ W_hh.T + b_hh)
        states.append(h)
    return torch.stack(states), h


def rnn_float32_zeros(x, W_xh, W_hh, b_xh, b_hh, h0=None):
    h = torch.zeros(x.shape[1], W_hh.shape[0]) if h0 is None else h0  # float32 whatever x is
    states = []
    for t in range(len(x)):
        h = torch.tanh(x[t] @ W_xh.T + b_xh + h @ W_hh.T + b_hh)
        states.append(h)
    return torch.stack(states), h


def rnn_no_default(x, W_xh, W_hh, b_xh, b_hh, h0):
    h = h0
    states = []
    for t in range(len(x)):
        h = torch.tanh(x[t] @ W_xh.T + b_xh + h @ W_hh.T + b_hh)
        states.append(h)
    return torch.stack(states), h


def rnn_right_cat(x, W_xh, W_hh, b_xh, b_hh, h0=None):
    """Right: one matrix product on [x_t, h] with the weights side by side."""
    W = torch.cat([W_xh, W_hh], dim=1)
    b = b_xh + b_hh
    h = torch.zeros(x.shape[1], W_hh.shape[0], dtype=x.dtype) if h0 is None else h0
    outputs = []
    for x_t in x.unbind(0):
        h = torch.tanh(torch.cat([x_t, h], dim=1) @ W.T + b)
        outputs.append(h)
    return torch.stack(outputs), outputs[-1]


def rnn_right_precomputed(x, W_xh, W_hh, b_xh, b_hh, h0=None):
    """Right: the input terms of every step in one product, then the recurrence (as cuDNN does)."""
    inputs = torch.einsum("tbd,hd->tbh", x, W_xh) + b_xh
    h = x.new_zeros(x.shape[1], W_hh.shape[0]) if h0 is None else h0
    out = x.new_zeros(x.shape[0], x.shape[1], W_hh.shape[0])
    for t in range(x.shape[0]):
        h = torch.tanh(inputs[t] + torch.nn.functional.linear(h, W_hh, b_hh))
        out = torch.cat([out[:t], h[None], out[t + 1:]])
    return out, h


# ---------------------------------------------------------------- 09.2 the Jacobian product


def jacobian_through_time_stub(states, W_hh):
    # Your code here: start from the identity, multiply by J_t = diag(1 - h_t^2) W_hh for t = 1, ..., T.
    ...


def _jacobian(factor, order="left", skip=None):
    def jacobian_through_time(states, W_hh):
        product = torch.eye(W_hh.shape[0], dtype=W_hh.dtype)
        chosen = states if skip is None else skip(states)
        for h in chosen:
            product = factor(h, W_hh) @ product if order == "left" else product @ factor(h, W_hh)
        return product
    return jacobian_through_time


jacobian_wrong_order = _jacobian(lambda h, W: (1 - h**2)[:, None] * W, order="right")
jacobian_columns = _jacobian(lambda h, W: (1 - h**2) * W)
jacobian_diag_right = _jacobian(lambda h, W: W @ torch.diag(1 - h**2))
jacobian_transposed = _jacobian(lambda h, W: (1 - h**2)[:, None] * W.T)
jacobian_no_slope = _jacobian(lambda h, W: W)
jacobian_tanh_again = _jacobian(lambda h, W: (1 - torch.tanh(h) ** 2)[:, None] * W)
jacobian_no_square = _jacobian(lambda h, W: (1 - h)[:, None] * W)
jacobian_sigmoid_slope = _jacobian(lambda h, W: (h * (1 - h))[:, None] * W)
jacobian_skips_first = _jacobian(lambda h, W: (1 - h**2)[:, None] * W, skip=lambda s: s[1:])
jacobian_skips_last = _jacobian(lambda h, W: (1 - h**2)[:, None] * W, skip=lambda s: s[:-1])


def jacobian_norm_only(states, W_hh):
    product = torch.eye(W_hh.shape[0], dtype=W_hh.dtype)
    for h in states:
        product = (1 - h**2)[:, None] * W_hh @ product
    return torch.linalg.matrix_norm(product, ord=2)


def jacobian_last_step_only(states, W_hh):
    return (1 - states[-1] ** 2)[:, None] * W_hh


def jacobian_autograd(states, W_hh):
    h0 = torch.zeros(W_hh.shape[0], dtype=W_hh.dtype, requires_grad=True)
    return torch.autograd.functional.jacobian(lambda h: torch.tanh(W_hh @ h), h0)


def jacobian_float32(states, W_hh):
    product = torch.eye(W_hh.shape[0])  # float32
    for h in states:
        product = ((1 - h**2)[:, None] * W_hh).float() @ product
    return product


def jacobian_in_place(states, W_hh):
    states.pow_(2)  # squares the caller's states
    product = torch.eye(W_hh.shape[0], dtype=W_hh.dtype)
    for h2 in states:
        product = (1 - h2)[:, None] * W_hh @ product
    return product


def jacobian_previous_state(states, W_hh):
    """Wrong: one step late, tanh's slope taken at h_(t-1) (zeros for the first step) instead of h_t."""
    product = torch.eye(W_hh.shape[0], dtype=W_hh.dtype)
    previous = torch.zeros_like(states[0])
    for h in states:
        product = (1 - previous**2)[:, None] * W_hh @ product
        previous = h
    return product


def jacobian_from_zeros(states, W_hh):
    product = torch.zeros_like(W_hh)  # the product starts at zeros instead of the identity
    for h in states:
        product = (1 - h**2)[:, None] * W_hh @ product
    return product


def jacobian_elementwise(states, W_hh):
    product = torch.eye(W_hh.shape[0], dtype=W_hh.dtype)
    for h in states:
        product = (1 - h**2)[:, None] * W_hh * product  # * where @ is meant
    return product


def jacobian_float32_identity(states, W_hh):
    product = torch.eye(W_hh.shape[0])  # float32 identity, float64 states: the matrix product fails
    for h in states:
        product = (1 - h**2)[:, None] * W_hh @ product
    return product


def jacobian_slopes_then_power(states, W_hh):
    """Wrong: all the slopes multiplied first, then W_hh to the power T (diagonal and W_hh do not commute)."""
    slopes = torch.prod(1 - states**2, dim=0)
    return slopes[:, None] * torch.linalg.matrix_power(W_hh, len(states))


def jacobian_notebook_size(states, W_hh):
    product = torch.eye(32, dtype=W_hh.dtype)  # the notebook's H = 32, hard-coded
    for h in states:
        product = (1 - h**2)[:, None] * W_hh @ product
    return product


def jacobian_right_multi_dot(states, W_hh):
    """Right: torch.linalg.multi_dot over the factors J_T, ..., J_1 (it needs two at least)."""
    factors = [torch.diag(1 - h**2) @ W_hh for h in reversed(states)]
    return factors[0] if len(factors) == 1 else torch.linalg.multi_dot(factors)


def jacobian_right_diag(states, W_hh):
    """Right: torch.diag and a reversed accumulation from the left (BPTT's backward order)."""
    result = torch.eye(W_hh.shape[0], dtype=W_hh.dtype)
    for t in reversed(range(len(states))):
        result = result @ (torch.diag(1 - states[t] ** 2) @ W_hh)
    return result


def jacobian_right_reduce(states, W_hh):
    """Right: all Jacobians at once, multiplied in the right order."""
    jacobians = (1 - states**2)[:, :, None] * W_hh  # (T, H, H)
    product = jacobians[0]
    for J in jacobians[1:]:
        product = J @ product
    return product


# ---------------------------------------------------------------- 09.4 clipping by the global norm


def clip_grad_norm_stub(parameters, max_norm):
    # Your code here: the total norm of all gradients, then scale them if it is above max_norm.
    ...


def clip_returns_norm_after(parameters, max_norm):
    grads = [p.grad for p in parameters if p.grad is not None]
    total = torch.sqrt(sum((g ** 2).sum() for g in grads)).item()
    if total > max_norm:
        for g in grads:
            g.mul_(max_norm / (total + 1e-6))
        return float(max_norm)
    return total


def clip_sum_of_norms(parameters, max_norm):
    grads = [p.grad for p in parameters if p.grad is not None]
    total = sum(g.norm().item() for g in grads)
    if total > max_norm:
        for g in grads:
            g.mul_(max_norm / total)
    return total


def clip_squared_norm(parameters, max_norm):
    grads = [p.grad for p in parameters if p.grad is not None]
    total = sum((g ** 2).sum().item() for g in grads)
    if total > max_norm:
        for g in grads:
            g.mul_(max_norm / total)
    return total


def clip_each_separately(parameters, max_norm):
    grads = [p.grad for p in parameters if p.grad is not None]
    total = torch.sqrt(sum((g ** 2).sum() for g in grads)).item()
    for g in grads:
        n = g.norm().item()
        if n > max_norm:
            g.mul_(max_norm / (n + 1e-6))
    return total


def clip_always_scales(parameters, max_norm):
    grads = [p.grad for p in parameters if p.grad is not None]
    total = torch.sqrt(sum((g ** 2).sum() for g in grads)).item()
    for g in grads:
        g.mul_(max_norm / (total + 1e-6))
    return total


def clip_by_value(parameters, max_norm):
    grads = [p.grad for p in parameters if p.grad is not None]
    total = torch.sqrt(sum((g ** 2).sum() for g in grads)).item()
    for g in grads:
        g.clamp_(-max_norm, max_norm)
    return total


def clip_reads_generator_twice(parameters, max_norm):
    total = torch.sqrt(sum((p.grad ** 2).sum() for p in parameters if p.grad is not None)).item()
    if total > max_norm:
        for p in parameters:
            if p.grad is not None:
                p.grad.mul_(max_norm / (total + 1e-6))
    return total


def clip_fails_on_none(parameters, max_norm):
    parameters = list(parameters)
    total = torch.sqrt(sum((p.grad ** 2).sum() for p in parameters)).item()
    if total > max_norm:
        for p in parameters:
            p.grad.mul_(max_norm / (total + 1e-6))
    return total


def clip_returns_tensor(parameters, max_norm):
    grads = [p.grad for p in parameters if p.grad is not None]
    total = torch.sqrt(sum((g ** 2).sum() for g in grads))
    if total > max_norm:
        for g in grads:
            g.mul_(max_norm / (total + 1e-6))
    return total


def clip_scales_parameters(parameters, max_norm):
    parameters = [p for p in parameters if p.grad is not None]
    total = torch.sqrt(sum((p.grad ** 2).sum() for p in parameters)).item()
    if total > max_norm:
        with torch.no_grad():
            for p in parameters:
                p.mul_(max_norm / (total + 1e-6))
    return total


def clip_inverted_factor(parameters, max_norm):
    grads = [p.grad for p in parameters if p.grad is not None]
    total = torch.sqrt(sum((g ** 2).sum() for g in grads)).item()
    if total > max_norm:
        for g in grads:
            g.mul_(total / max_norm)
    return total


def clip_builtin(parameters, max_norm):
    return torch.nn.utils.clip_grad_norm_(parameters, max_norm).item()


def clip_max_entry(parameters, max_norm):
    grads = [p.grad for p in parameters if p.grad is not None]
    total = max(g.abs().max().item() for g in grads)
    if total > max_norm:
        for g in grads:
            g.mul_(max_norm / total)
    return total


def clip_not_assigned(parameters, max_norm):
    grads = [p.grad for p in parameters if p.grad is not None]
    total = torch.sqrt(sum((g ** 2).sum() for g in grads)).item()
    if total > max_norm:
        for g in grads:
            g = g * (max_norm / (total + 1e-6))  # a new tensor, never stored: p.grad is unchanged
    return total


def clip_first_gradient_only(parameters, max_norm):
    grads = [p.grad for p in parameters if p.grad is not None]
    total = float(torch.sqrt(sum((g ** 2).sum() for g in grads)))
    if total > max_norm:
        grads[0].mul_(max_norm / (total + 1e-6))  # the other gradients are left unscaled
    return total


def clip_right_flat(parameters, max_norm):
    """Right: one long vector of all gradients, and the factor clamped at 1 (as PyTorch writes it)."""
    grads = [p.grad for p in list(parameters) if p.grad is not None]
    total = torch.linalg.vector_norm(torch.cat([g.flatten() for g in grads]))
    factor = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    for g in grads:
        g.mul_(factor)
    return float(total)


def clip_right_assign(parameters, max_norm):
    """Right: math on Python floats, p.grad *= factor (in place: *= on a tensor keeps the same tensor), no 1e-6."""
    parameters = [p for p in parameters if p.grad is not None]
    total = sum(float((p.grad ** 2).sum()) for p in parameters) ** 0.5
    if total > max_norm:
        for p in parameters:
            p.grad *= max_norm / total
    return total


def clip_assigns_new_tensor(parameters, max_norm):
    """Wrong: the right values, but new tensors assigned to p.grad instead of scaling the gradients in place."""
    parameters = [p for p in parameters if p.grad is not None]
    total = sum(float((p.grad ** 2).sum()) for p in parameters) ** 0.5
    if total > max_norm:
        for p in parameters:
            p.grad = p.grad * (max_norm / (total + 1e-6))
    return total


def clip_indexes_parameters(parameters, max_norm):
    """Wrong: right for a list, but a generator has no len() and cannot be indexed."""
    grads = [parameters[i].grad for i in range(len(parameters)) if parameters[i].grad is not None]
    total = float(torch.sqrt(sum((g ** 2).sum() for g in grads)))
    if total > max_norm:
        for g in grads:
            g.mul_(max_norm / (total + 1e-6))
    return total


# ---------------------------------------------------------------- 09.5 AR(p) by least squares


def fit_ar_float32_solve(y, p):
    """Wrong: the least squares solved in float32, then cast back to float64 (about 6 digits only)."""
    n = len(y)
    X = np.column_stack([np.ones(n - p)] + [y[p - k:n - k] for k in range(1, p + 1)]).astype(np.float32)
    return np.linalg.lstsq(X, y[p:].astype(np.float32), rcond=None)[0].astype(np.float64)


def fit_ar_stub(y, p):
    # Your code here: the design matrix of lagged values, then least squares.
    ...


def _design(y, p):
    return np.column_stack([np.ones(len(y) - p)] + [y[p - k:len(y) - k] for k in range(1, p + 1)]), y[p:]


def fit_ar_reversed(y, p):
    X = np.column_stack([np.ones(len(y) - p)] + [y[k:len(y) - p + k] for k in range(p)])  # y[t-p] first
    return np.linalg.lstsq(X, y[p:], rcond=None)[0]


def fit_ar_intercept_last(y, p):
    X, target = _design(y, p)
    params = np.linalg.lstsq(X, target, rcond=None)[0]
    return np.concatenate([params[1:], params[:1]])


def fit_ar_no_intercept(y, p):
    X, target = _design(y, p)
    return np.linalg.lstsq(X[:, 1:], target, rcond=None)[0]


def fit_ar_zero_intercept(y, p):
    X, target = _design(y, p)
    return np.concatenate([[0.0], np.linalg.lstsq(X[:, 1:], target, rcond=None)[0]])


def fit_ar_demeaned(y, p):
    m = y.mean()
    X, target = _design(y - m, p)
    phi = np.linalg.lstsq(X[:, 1:], target, rcond=None)[0]
    return np.concatenate([[m * (1 - phi.sum())], phi])


def fit_ar_off_by_one(y, p):
    X = np.column_stack([np.ones(len(y) - p - 1)] + [y[p - k:len(y) - k - 1] for k in range(1, p + 1)])
    return np.linalg.lstsq(X, y[p + 1:], rcond=None)[0]


def fit_ar_list(y, p):
    X, target = _design(y, p)
    return list(np.linalg.lstsq(X, target, rcond=None)[0])


def fit_ar_in_place(y, p):
    m = y.mean()
    y -= m  # changes the caller's series
    X, target = _design(y, p)
    params = np.linalg.lstsq(X, target, rcond=None)[0]
    params[0] += m * (1 - params[1:].sum())
    return params


def fit_ar_statsmodels(y, p):
    from statsmodels.tsa.ar_model import AutoReg

    return np.asarray(AutoReg(y, lags=p, trend="c").fit().params)


def fit_ar_nine_lags(y, p):
    X, target = _design(y, 9)  # the notebook's order, whatever p says
    return np.linalg.lstsq(X, target, rcond=None)[0]


def fit_ar_yule_walker(y, p):
    from statsmodels.regression.linear_model import yule_walker

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        phi, _ = yule_walker(y, order=p, method="mle")
    return np.concatenate([[y.mean() * (1 - phi.sum())], phi])


def fit_ar_float32(y, p):
    X, target = _design(y.astype(np.float32), p)
    return np.linalg.lstsq(X, target, rcond=None)[0].astype(np.float32)


def fit_ar_tensor(y, p):
    X, target = _design(y, p)
    return torch.from_numpy(np.linalg.lstsq(X, target, rcond=None)[0])


def fit_ar_right_normal_equations(y, p):
    """Right: the normal equations X^T X beta = X^T y."""
    n = len(y)
    X = np.ones((n - p, p + 1))
    for k in range(1, p + 1):
        X[:, k] = y[p - k:n - k]
    return np.linalg.solve(X.T @ X, X.T @ y[p:])


def fit_ar_right_rows(y, p):
    """Right: one row per target, lags newest first, pinv."""
    rows = [[1.0, *y[t - p:t][::-1]] for t in range(p, len(y))]
    return np.linalg.pinv(np.array(rows)) @ y[p:]


def rnn_right_columns(x, W_xh, W_hh, b_xh, b_hh, h0=None):
    """Right: the state kept as columns (H, B), as in the equation W_hh h, transposed back at the end."""
    h = torch.zeros(W_hh.shape[0], x.shape[1], dtype=x.dtype) if h0 is None else h0.T
    states = []
    for x_t in x:
        h = torch.tanh(W_xh @ x_t.T + b_xh[:, None] + W_hh @ h + b_hh[:, None])
        states.append(h.T)
    return torch.stack(states), states[-1]


def clip_right_clamped_tensor(parameters, max_norm):
    """Right: a tensor norm of the per-gradient norms, and PyTorch's factor clamped at 1, always applied."""
    grads = [p.grad for p in parameters if p.grad is not None]
    total = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))
    factor = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    for g in grads:
        g.mul_(factor)
    return float(total)


def fit_ar_right_sliding(y, p):
    """Right: the lags from a sliding window (reversed: y[t-1] first), solved with the pseudo-inverse."""
    from numpy.lib.stride_tricks import sliding_window_view

    lagged = sliding_window_view(y[:-1], p)[:, ::-1]
    X = np.hstack([np.ones((len(lagged), 1)), lagged])
    return np.linalg.pinv(X) @ y[p:]


WRONG_ANSWERS: dict[str, list[object]] = {
    "09.1": [
        rnn_by_aten_alias,
        rnn_forward_stub,
        rnn_no_tanh,
        rnn_relu,
        rnn_whh_transposed,
        rnn_wxh_transposed,
        rnn_one_bias,
        rnn_no_input_bias,
        rnn_tanh_on_input_only,
        rnn_ignores_h0,
        rnn_never_updates,
        rnn_shifted_outputs,
        rnn_h_last_with_layer_axis,
        rnn_list_of_states,
        rnn_backwards_in_time,
        rnn_in_place_h0,
        rnn_detached,
        rnn_builtin,
        rnn_float32,
        rnn_hidden_size_from_input,
        rnn_no_default,
        rnn_float32_zeros,
        rnn_truthy_h0,
        rnn_outputs_batch_major,
        rnn_h0_ones,
        rnn_batch_first,
    ],
    "09.2": [
        jacobian_through_time_stub,
        jacobian_wrong_order,
        jacobian_columns,
        jacobian_diag_right,
        jacobian_transposed,
        jacobian_no_slope,
        jacobian_tanh_again,
        jacobian_no_square,
        jacobian_sigmoid_slope,
        jacobian_skips_first,
        jacobian_skips_last,
        jacobian_norm_only,
        jacobian_last_step_only,
        jacobian_autograd,
        jacobian_float32,
        jacobian_in_place,
        jacobian_previous_state,
        jacobian_from_zeros,
        jacobian_elementwise,
        jacobian_float32_identity,
        jacobian_slopes_then_power,
        jacobian_notebook_size,
    ],
    "09.3": [None, "a", "b", "c", "e"],
    "09.4": [
        clip_grad_norm_stub,
        clip_returns_norm_after,
        clip_sum_of_norms,
        clip_squared_norm,
        clip_each_separately,
        clip_always_scales,
        clip_by_value,
        clip_reads_generator_twice,
        clip_fails_on_none,
        clip_returns_tensor,
        clip_scales_parameters,
        clip_inverted_factor,
        clip_builtin,
        clip_max_entry,
        clip_not_assigned,
        clip_assigns_new_tensor,
        clip_indexes_parameters,
        clip_first_gradient_only,
    ],
    "09.5": [
        fit_ar_stub,
        fit_ar_reversed,
        fit_ar_intercept_last,
        fit_ar_no_intercept,
        fit_ar_zero_intercept,
        fit_ar_demeaned,
        fit_ar_off_by_one,
        fit_ar_list,
        fit_ar_in_place,
        fit_ar_statsmodels,
        fit_ar_nine_lags,
        fit_ar_yule_walker,
        fit_ar_float32,
        fit_ar_tensor,
        fit_ar_float32_solve,
    ],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "09.1": [rnn_right_cat, rnn_right_precomputed, rnn_right_columns],
    "09.2": [jacobian_right_diag, jacobian_right_reduce, jacobian_right_multi_dot],
    "09.3": ["d", " D ", "(d)"],
    "09.4": [clip_right_flat, clip_right_assign, clip_right_clamped_tensor],
    "09.5": [fit_ar_right_normal_equations, fit_ar_right_rows, fit_ar_right_sliding],
}
