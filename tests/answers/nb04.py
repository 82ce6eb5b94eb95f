"""Answers for the exercises of notebook 04: plausible mistakes (each must fail) and other right answers."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import torch

# --------------------------------------------------------------------------- 04.1 XOR by hand

_ONES = np.ones((2, 2))


def _xor(W1, b1, w2, b2):
    return (np.array(W1, dtype=float), np.array(b1, dtype=float), np.array(w2, dtype=float), b2)


XOR_WRONG = [
    (..., ..., ..., ...),                                  # the untouched stub
    None,
    _xor(_ONES, [0, -1], [1, -1], 0.0),                    # OR: relu(s) - relu(s - 1)
    _xor(_ONES, [0, -1], [0, 1], 0.0),                     # AND
    _xor(_ONES, [0, -1], [1, 2], 0.0),                     # sign slip in w2
    _xor(_ONES, [0, 0], [1, -2], 0.0),                     # both hidden neurons the same
    _xor([[1, 2], [1, 2]], [0, -2], [1, -1], 0.0),         # W1 written transposed (columns as neurons)
    _xor(_ONES, [0, -1], [0.9, -1.8], 0.0),                # classifies right, but outputs 0.9, not 1
    _xor(_ONES, [0, -1], [1, -2], 0.5),                    # a stray output bias
    ([[1, 1], [1, 1]], [0, -1], [1, -2], 0),               # Python lists, not arrays
    (torch.ones(2, 2), torch.tensor([0.0, -1.0]), torch.tensor([1.0, -2.0]), 0.0),  # tensors
    _xor(_ONES, [0, -1], [[1, -2]], 0.0),                  # w2 of shape (1, 2)
    _xor(_ONES, [0, -1], [1, -2], np.zeros(1)),            # b2 an array of shape (1,)
    (np.ones((2, 2)), np.array([0.0, -1.0]), np.array([1.0, -2.0])),  # three values
    "relu(x1 + x2) - 2 relu(x1 + x2 - 1)",                 # a formula, not weights
]
XOR_RIGHT = [
    _xor(_ONES, [0, -1], [1, -2], 0.0),                    # "at least one" minus twice "both"
    _xor([[1, -1], [-1, 1]], [0, 0], [1, 1], 0),           # |x1 - x2| = relu(x1 - x2) + relu(x2 - x1)
    _xor([[1, 1], [2, 2]], [0, -2], [1, -1], np.float64(0)),  # the same idea, scaled differently
    (np.ones((2, 2), dtype=int), np.array([0, -1]), np.array([1, -2]), 0),  # whole-number arrays
]


# --------------------------------------------------------------------------- 04.2 ReLU interpolation


def _interp_stub(xs, ys):
    """Weights (w, c, v, d) of a one-hidden-layer ReLU network through the points."""
    # Your code here: one hidden neuron per segment between consecutive points.
    ...


def _slopes(xs, ys):
    return np.diff(ys) / np.diff(xs)


def _interp_slopes_as_weights(xs, ys):
    return np.ones(len(xs) - 1), -xs[:-1], _slopes(xs, ys), float(ys[0])


def _interp_no_offset(xs, ys):
    return np.ones(len(xs) - 1), -xs[:-1], np.diff(_slopes(xs, ys), prepend=0.0), 0.0


def _interp_sign_of_c(xs, ys):
    return np.ones(len(xs) - 1), xs[:-1].copy(), np.diff(_slopes(xs, ys), prepend=0.0), float(ys[0])


def _interp_kinks_one_late(xs, ys):
    return np.ones(len(xs) - 1), -xs[1:], np.diff(_slopes(xs, ys), prepend=0.0), float(ys[0])


def _interp_even_spacing(xs, ys):
    slopes = np.diff(ys) / (xs[1] - xs[0])  # right only if the points are evenly spaced
    return np.ones(len(xs) - 1), -xs[:-1], np.diff(slopes, prepend=0.0), float(ys[0])


def _interp_mutates(xs, ys):
    d = float(ys[0])
    ys -= d  # works on offsets, but shifts the caller's data in place
    return np.ones(len(xs) - 1), -xs[:-1], np.diff(_slopes(xs, ys), prepend=0.0), d


def _interp_one_neuron_per_point(xs, ys):
    v = np.append(np.diff(_slopes(xs, ys), prepend=0.0), 0.0)
    return np.ones(len(xs)), -xs, v, float(ys[0])


def _interp_five_neurons(xs, ys):
    v = np.zeros(5)
    v[: len(xs) - 1] = np.diff(_slopes(xs, ys), prepend=0.0)[:5]
    c = np.zeros(5)
    c[: len(xs) - 1] = -xs[:-1][:5]
    return np.ones(5), c, v, float(ys[0])


def _interp_lists(xs, ys):
    w, c, v, d = _interp_right(xs, ys)
    return list(w), list(c), list(v), d


def _interp_tensors(xs, ys):
    w, c, v, d = _interp_right(xs, ys)
    return torch.tensor(w), torch.tensor(c), torch.tensor(v), d


def _interp_d_array(xs, ys):
    w, c, v, _ = _interp_right(xs, ys)
    return w, c, v, ys[:1].copy()


def _interp_flips_xs(xs, ys):
    c = xs[:-1]  # a view of the caller's xs ...
    c *= -1      # ... so this flips the caller's points
    return np.ones(len(xs) - 1), c, np.diff(_slopes(xs, ys), prepend=0.0), float(ys[0])


def _interp_forgets_return(xs, ys):
    w, c = np.ones(len(xs) - 1), -xs[:-1]  # noqa: F841 (computed, never returned)
    v, d = np.diff(_slopes(xs, ys), prepend=0.0), float(ys[0])  # noqa: F841


def _interp_solved(xs, ys):
    """Right: kinks at xs[:-1], and v from the triangular system 'the network passes through every point'."""
    c = -xs[:-1]
    on = np.maximum(xs[1:, None] + c[None, :], 0.0)  # on[i, k] = relu(xs[i + 1] - xs[k])
    return np.ones(len(xs) - 1), c, np.linalg.solve(on, ys[1:] - ys[0]), float(ys[0])


def _interp_right(xs, ys):
    return np.ones(len(xs) - 1), -xs[:-1], np.diff(_slopes(xs, ys), prepend=0.0), float(ys[0])


def _interp_scaled(xs, ys):
    v = np.diff(_slopes(xs, ys), prepend=0.0)
    return 2 * np.ones(len(xs) - 1), -2 * xs[:-1], v / 2, ys[0]


def _interp_from_the_right(xs, ys):
    """Neurons that face left, relu(xs[k] - x), switched on from the last point backwards."""
    s = _slopes(xs, ys)
    u = np.append(s[1:], 0.0) - s
    return -np.ones(len(xs) - 1), xs[1:].copy(), u, float(ys[-1])


def _interp_loop(xs, ys):
    w, c, v = [], [], []
    previous = 0.0
    for k in range(len(xs) - 1):
        slope = (ys[k + 1] - ys[k]) / (xs[k + 1] - xs[k])
        w.append(1.0)
        c.append(-xs[k])
        v.append(slope - previous)
        previous = slope
    return np.array(w), np.array(c), np.array(v), ys[0]


# --------------------------------------------------------------------------- 04.3 MLP forward/backward


def _mlp_stub(params, X, y):
    """Loss and gradients of the 2-layer MLP."""
    # Forward pass: Z1, H, Z2, P, loss.
    # Backward pass: dZ2, then dW2 and db2, then dH, dZ1, dW1 and db1.
    ...


def _mlp(params, X, y, *, mean=True, divide=True, sign=1.0, mask="gt", stable=True, one_hot_classes=None,
         transpose_dW=False, db_mean=False, loss_keepdims=False, cast=None, softmax_axis=1, keys=None):
    """The reference, with one switch per plausible mistake."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    if cast is not None:
        X, W1, b1, W2, b2 = (a.astype(cast) for a in (X, W1, b1, W2, b2))
    N = len(X)
    Z1 = X @ W1.T + b1
    H = np.maximum(Z1, 0)
    Z2 = H @ W2.T + b2
    if stable:
        Z2 = Z2 - Z2.max(axis=softmax_axis, keepdims=True)
    E = np.exp(Z2)
    P = E / E.sum(axis=softmax_axis, keepdims=True)
    losses = -np.log(P[np.arange(N), y])
    loss = losses.mean(keepdims=loss_keepdims) if mean else losses.sum()
    K = one_hot_classes(y, P) if one_hot_classes is not None else P.shape[1]
    Y = np.eye(K)[y]
    dZ2 = sign * (P - Y) / (N if divide else 1)
    reduce_b = (lambda G: G.mean(axis=0)) if db_mean else (lambda G: G.sum(axis=0))
    grads = {"W2": dZ2.T @ H, "b2": reduce_b(dZ2)}
    dH = dZ2 @ W2
    gate = {"gt": Z1 > 0, "ge": Z1 >= 0, "none": np.ones_like(Z1), "dH": dH > 0}[mask]
    dZ1 = dH * gate
    grads["W1"] = X.T @ dZ1 if transpose_dW else dZ1.T @ X
    grads["b1"] = reduce_b(dZ1)
    if keys is not None:
        grads = {keys(name): value for name, value in grads.items()}
    return (loss if loss_keepdims else float(loss)), grads


def _mlp_autograd(params, X, y):
    """Right numbers, but autograd does the backward pass (the exercise asks for it by hand)."""
    leaves = {name: torch.tensor(value, requires_grad=True) for name, value in params.items()}
    Z1 = torch.tensor(X) @ leaves["W1"].T + leaves["b1"]
    logits = torch.relu(Z1) @ leaves["W2"].T + leaves["b2"]
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(y))
    loss.backward()
    return loss.item(), {name: leaf.grad.numpy() for name, leaf in leaves.items()}


def _mlp_torch_by_hand(params, X, y):
    """The backward pass by hand, but in torch (the exercise asks for NumPy)."""
    t = {name: torch.from_numpy(value) for name, value in params.items()}
    Xt = torch.from_numpy(X)
    Z1 = Xt @ t["W1"].T + t["b1"]
    H = Z1.clamp(min=0)
    P = torch.softmax(H @ t["W2"].T + t["b2"], dim=1)
    N = len(X)
    dZ2 = P.clone()
    dZ2[torch.arange(N), torch.from_numpy(y)] -= 1
    dZ2 /= N
    dZ1 = (dZ2 @ t["W2"]) * (Z1 > 0)
    loss = -torch.log(P[torch.arange(N), torch.from_numpy(y)]).mean().item()
    return loss, {"W1": (dZ1.T @ Xt).numpy(), "b1": dZ1.sum(0).numpy(), "W2": (dZ2.T @ H).numpy(),
                  "b2": dZ2.sum(0).numpy()}


def _mlp_sgd_step_inside(params, X, y):
    loss, grads = _mlp(params, X, y)
    for name in params:  # "helpfully" updates the parameters: changes the caller's arrays in place
        params[name] -= 0.1 * grads[name]
    return loss, grads


def _mlp_normalises_X(params, X, y):
    X -= X.mean(axis=0)  # changes the caller's data in place (and the problem)
    return _mlp(params, X, y)


def _mlp_wrong_log_index(params, X, y):
    _, grads = _mlp(params, X, y)
    Z2 = np.maximum(X @ params["W1"].T + params["b1"], 0) @ params["W2"].T + params["b2"]
    P = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    return float(-np.log(P[:, y]).mean()), grads  # P[:, y] is (N, N): every label for every row


def _mlp_no_b1(params, X, y):
    loss, grads = _mlp(params, X, y)
    del grads["b1"]
    return loss, grads


def _mlp_tuple_grads(params, X, y):
    loss, grads = _mlp(params, X, y)
    return loss, (grads["W1"], grads["b1"], grads["W2"], grads["b2"])


def _mlp_log_softmax(params, X, y):
    """Right, written differently: log-softmax with a hand-made log-sum-exp, one-hot by indexing."""
    N = X.shape[0]
    Z1 = X @ params["W1"].T + params["b1"]
    H = np.where(Z1 > 0, Z1, 0.0)
    Z2 = H @ params["W2"].T + params["b2"]
    m = Z2.max(axis=1, keepdims=True)
    log_p = Z2 - (m + np.log(np.exp(Z2 - m).sum(axis=1, keepdims=True)))
    loss = -log_p[np.arange(N), y].sum() / N
    dZ2 = np.exp(log_p)
    dZ2[np.arange(N), y] -= 1.0
    dZ2 = dZ2 / N
    dZ1 = (dZ2 @ params["W2"]) * np.heaviside(Z1, 0.0)  # heaviside(0, 0.0) = 0: PyTorch's convention
    return loss, {"b2": dZ2.sum(axis=0), "W2": dZ2.T @ H, "W1": dZ1.T @ X, "b1": dZ1.sum(axis=0)}


def _mlp_einsum(params, X, y):
    """Right, with einsum and an explicit one-hot built with np.zeros."""
    Z1 = np.einsum("nd,hd->nh", X, params["W1"]) + params["b1"]
    H = Z1 * (Z1 > 0)
    Z2 = np.einsum("nh,kh->nk", H, params["W2"]) + params["b2"]
    Z2 = Z2 - Z2.max(axis=1)[:, None]
    P = np.exp(Z2) / np.exp(Z2).sum(axis=1)[:, None]
    Y = np.zeros_like(P)
    Y[np.arange(len(y)), y] = 1
    loss = np.mean(-np.log((P * Y).sum(axis=1)))
    dZ2 = (P - Y) / len(X)
    dZ1 = np.einsum("nk,kh->nh", dZ2, params["W2"]) * (Z1 > 0)
    return loss, {"W1": np.einsum("nh,nd->hd", dZ1, X), "b1": dZ1.sum(0), "W2": np.einsum("nk,nh->kh", dZ2, H),
                  "b2": dZ2.sum(0)}


def _mlp_clipped_log(params, X, y):
    """Right gradients, but the loss clips P at 1e-7 before the log (a confident mistake is under-charged)."""
    _, grads = _mlp(params, X, y)
    Z2 = np.maximum(X @ params["W1"].T + params["b1"], 0) @ params["W2"].T + params["b2"]
    P = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    return float(-np.log(np.clip(P[np.arange(len(y)), y], 1e-7, 1.0)).mean()), grads


def _mlp_log_plus_eps(params, X, y):
    """Right gradients, but -log(P + 1e-12): wrong by about 20 for a label of probability 1e-20."""
    _, grads = _mlp(params, X, y)
    Z2 = np.maximum(X @ params["W1"].T + params["b1"], 0) @ params["W2"].T + params["b2"]
    P = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    return float(-np.log(P[np.arange(len(y)), y] + 1e-12).mean()), grads


def _mlp_cs231n(params, X, y):
    """Right, in the style of CS231n: in-place edits of the arrays the function made itself."""
    N = X.shape[0]
    hidden = np.maximum(0, X @ params["W1"].T + params["b1"])
    scores = hidden @ params["W2"].T + params["b2"]
    scores -= np.max(scores, axis=1, keepdims=True)
    probs = np.exp(scores)
    probs /= np.sum(probs, axis=1, keepdims=True)
    loss = np.sum(-np.log(probs[range(N), y])) / N
    dscores = probs.copy()
    dscores[range(N), y] -= 1
    dscores /= N
    dhidden = dscores @ params["W2"]
    dhidden[hidden <= 0] = 0
    return loss, {"W1": dhidden.T @ X, "b1": dhidden.sum(axis=0), "W2": dscores.T @ hidden,
                  "b2": dscores.sum(axis=0)}


def _mlp_per_example(params, X, y):
    """Right, one example at a time, the gradients averaged as they are added up."""
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    total, N = 0.0, len(X)
    for x, label in zip(X, y, strict=True):
        z1 = params["W1"] @ x + params["b1"]
        h = np.maximum(z1, 0.0)
        z2 = params["W2"] @ h + params["b2"]
        e = np.exp(z2 - z2.max())
        p = e / e.sum()
        total -= np.log(p[label])
        g2 = p.copy()
        g2[label] -= 1.0
        g1 = (params["W2"].T @ g2) * (z1 > 0)
        grads["W2"] += np.outer(g2, h) / N
        grads["b2"] += g2 / N
        grads["W1"] += np.outer(g1, x) / N
        grads["b1"] += g1 / N
    return total / N, grads


MLP_WRONG = [
    _mlp_stub,
    lambda params, X, y: _mlp(params, X, y, mean=False, divide=False),      # sum over the batch, not the mean
    lambda params, X, y: _mlp(params, X, y, divide=False),                  # mean loss, but no 1/N in dZ2
    lambda params, X, y: _mlp(params, X, y, sign=-1.0),                     # Y - P
    lambda params, X, y: _mlp(params, X, y, mask="ge"),                     # relu'(0) = 1
    lambda params, X, y: _mlp(params, X, y, mask="none"),                   # no ReLU gate in the backward pass
    lambda params, X, y: _mlp(params, X, y, mask="dH"),                     # gated on the gradient's sign
    lambda params, X, y: _mlp(params, X, y, stable=False),                  # exp overflows for large logits
    lambda params, X, y: _mlp(params, X, y, one_hot_classes=lambda y, P: y.max() + 1),  # classes from labels
    lambda params, X, y: _mlp(params, X, y, one_hot_classes=lambda y, P: 2),            # the moons' 2 classes
    lambda params, X, y: _mlp(params, X, y, one_hot_classes=lambda y, P: 3),            # 3 classes, hard-coded
    lambda params, X, y: _mlp(params, X, y, transpose_dW=True),             # dW1 transposed
    lambda params, X, y: _mlp(params, X, y, db_mean=True),                  # db as a mean
    lambda params, X, y: _mlp(params, X, y, loss_keepdims=True),            # loss as an array of shape (1,)
    lambda params, X, y: _mlp(params, X, y, cast=np.float32),               # float32
    lambda params, X, y: _mlp(params, X, y, keys=str.lower),                # keys "w1", ...
    _mlp_autograd,                                                          # autograd, forbidden
    _mlp_torch_by_hand,                                                     # torch, forbidden
    _mlp_sgd_step_inside,                                                   # changes params in place
    _mlp_normalises_X,                                                      # changes X in place
    _mlp_wrong_log_index,                                                   # P[:, y]
    _mlp_no_b1,
    _mlp_tuple_grads,
    _mlp_clipped_log,                                                       # log(clip(P, 1e-7, 1))
    _mlp_log_plus_eps,                                                      # log(P + 1e-12)
    lambda params, X, y: params["W1"].foo,                                  # crashes
]
MLP_RIGHT = [
    _mlp,
    _mlp_log_softmax,
    _mlp_einsum,
    _mlp_cs231n,
    _mlp_per_example,
]


# --------------------------------------------------------------------------- 04.4 leaky ReLU backward


def _leaky_stub(grad_output, z, slope=0.01):
    ...


def _leaky_in_place(grad_output, z, slope=0.01):
    grad_output[z <= 0] *= slope  # right numbers, but overwrites the caller's gradient
    return grad_output


def _leaky_overwrites_z(grad_output, z, slope=0.01):
    negative = z <= 0
    z[negative] = slope  # turns z into the local derivative: right numbers, but the caller's z is gone
    z[~negative] = 1.0
    return grad_output * z


def _leaky_copy_then_scale(grad_output, z, slope=0.01):
    out = np.array(grad_output, dtype=np.float64)  # a copy, so scaling it in place is fine
    out[z <= 0] *= slope
    return out


def _leaky_2d_loops(grad_output, z, slope=0.01):
    out = np.empty_like(z)
    for i in range(z.shape[0]):
        for j in range(z.shape[1]):
            out[i, j] = grad_output[i, j] * (1.0 if z[i, j] > 0 else slope)
    return out


def _leaky_1d_list(grad_output, z, slope=0.01):
    return np.array([g if zi > 0 else slope * g for g, zi in zip(grad_output, z, strict=True)])


def _leaky_autograd(grad_output, z, slope=0.01):
    zt = torch.tensor(z, requires_grad=True)
    torch.nn.functional.leaky_relu(zt, slope).backward(torch.tensor(grad_output))
    return zt.grad.numpy()


def _leaky_torch_where(grad_output, z, slope=0.01):
    g, zt = torch.from_numpy(grad_output), torch.from_numpy(z)
    return torch.where(zt > 0, g, slope * g).numpy()


def _leaky_wrong_default(grad_output, z, slope=0.1):
    return grad_output * np.where(z > 0, 1.0, slope)


def _leaky_right(grad_output, z, slope=0.01):
    return grad_output * np.where(z > 0, 1.0, slope)


LEAKY_WRONG = [
    _leaky_stub,
    lambda g, z, slope=0.01: g,                                    # no gating
    lambda g, z, slope=0.01: np.where(z > 0, 1.0, slope),          # local derivative only
    lambda g, z, slope=0.01: g * np.where(z > 0, z, slope * z),    # multiplied by the activation
    lambda g, z, slope=0.01: g * np.where(z > 0, slope, 1.0),      # slope on the wrong side
    lambda g, z, slope=0.01: g * (z > 0),                          # plain ReLU backward
    lambda g, z, slope=0.01: g * np.where(z > 0, 1.0, 0.01),       # ignores the slope argument
    lambda g, z, slope=0.01: g * np.where(z >= 0, 1.0, slope),     # wrong at exactly zero
    lambda g, z, slope=0.01: g * np.where(g > 0, 1.0, slope),      # gated on the gradient's sign
    lambda g, z: g * np.where(z > 0, 1.0, 0.01),                   # no slope parameter at all
    lambda g, z, slope: g * np.where(z > 0, 1.0, slope),           # slope without its default
    _leaky_wrong_default,                                          # default 0.1 instead of 0.01
    lambda g, z, slope=0.01: (g * np.where(z > 0, 1.0, slope)).T,  # wrong shape
    lambda g, z, slope=0.01: g * np.where(z > 0, 1.0, -slope),     # sign slip
    lambda g, z, slope=0.01: list(g * np.where(z > 0, 1.0, slope)),             # a list, not an array
    lambda g, z, slope=0.01: (g * np.where(z > 0, 1.0, slope)).astype(np.float32),  # float32
    _leaky_in_place,                                               # changes grad_output in place
    _leaky_overwrites_z,                                           # changes z in place
    _leaky_2d_loops,                                               # only works for 2-D z
    _leaky_1d_list,                                                # only works for 1-D z
    _leaky_autograd,                                               # autograd, forbidden
    _leaky_torch_where,                                            # torch, forbidden
    lambda g, z, slope=0.01: g.foo,                                # crashes
]
LEAKY_RIGHT = [
    _leaky_right,
    lambda g, z, slope=0.01: np.where(z > 0, g, slope * g),
    lambda g, z, slope=0.01: g * (z > 0) + slope * g * (z <= 0),
    _leaky_copy_then_scale,
]


# --------------------------------------------------------------------------- 04.5 parameter count


def _count_stub(sizes):
    ...


def _weights_only(sizes):
    return sum(a * b for a, b in pairwise(sizes))


def _bias_on_inputs(sizes):
    return sum(a * b + a for a, b in pairwise(sizes))


def _first_layer_only(sizes):
    return sizes[0] * sizes[1] + sizes[1]


def _every_unit_has_bias(sizes):
    return _weights_only(sizes) + sum(sizes)


def _three_sizes_only(sizes):
    return sizes[0] * sizes[1] + sizes[1] + sizes[1] * sizes[2] + sizes[2]


def _count_by_popping(sizes):
    total = 0
    while len(sizes) > 1:
        n_in = sizes.pop(0)  # empties the caller's list
        total += n_in * sizes[0] + sizes[0]
    return total


def _count_lists_only(sizes):
    rest = sizes.copy()  # a list has .copy(), a tuple does not
    total = 0
    while len(rest) > 1:
        n_in = rest.pop(0)
        total += n_in * rest[0] + rest[0]
    return total


def _right_count(sizes):
    return sum(a * b + b for a, b in pairwise(sizes))


def _right_count_recursive(sizes):
    if len(sizes) < 2:
        return 0
    return (sizes[0] + 1) * sizes[1] + _right_count_recursive(sizes[1:])


COUNT_WRONG = [
    _count_stub,
    _weights_only,
    _bias_on_inputs,
    _first_layer_only,
    _every_unit_has_bias,
    _three_sizes_only,                                          # right for three sizes only
    lambda sizes: 101_770,                                      # the notebook's number, hard-coded
    lambda sizes: sum(a * b + b for a, b in pairwise(sizes[:-1])),  # drops the last layer
    lambda sizes: float(_right_count(sizes)),                   # a float
    lambda sizes: f"{_right_count(sizes):,}",                   # a string
    lambda sizes: torch.tensor(_right_count(sizes)),            # a tensor
    _count_by_popping,                                          # changes the list in place
    _count_lists_only,                                          # fails for a tuple of sizes
    lambda sizes: sizes.foo,                                    # crashes
    101_770,                                                    # a number instead of a function
]
COUNT_RIGHT = [
    _right_count,
    lambda sizes: int(sum(np.array(sizes[:-1]) * np.array(sizes[1:]) + np.array(sizes[1:]))),
    lambda sizes: np.sum([(a + 1) * b for a, b in pairwise(sizes)]),  # a NumPy integer
    _right_count_recursive,
]


WRONG_ANSWERS: dict[str, list[object]] = {
    "04.1": XOR_WRONG,
    "04.2": [
        _interp_stub,
        _interp_slopes_as_weights,
        _interp_no_offset,
        _interp_sign_of_c,
        _interp_kinks_one_late,
        _interp_even_spacing,
        _interp_mutates,
        _interp_one_neuron_per_point,
        _interp_five_neurons,
        _interp_lists,
        _interp_tensors,
        _interp_d_array,
        _interp_flips_xs,                                 # changes xs in place through a view
        _interp_forgets_return,                           # attempted, so "not quite", not "not attempted"
        lambda xs, ys: xs.foo,
    ],
    "04.3": MLP_WRONG,
    "04.4": LEAKY_WRONG,
    "04.5": COUNT_WRONG,
    "04.6": ["a", "b", "d", "e", None],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "04.1": XOR_RIGHT,
    "04.2": [_interp_right, _interp_scaled, _interp_from_the_right, _interp_loop, _interp_solved],
    "04.3": MLP_RIGHT,
    "04.4": LEAKY_RIGHT,
    "04.5": COUNT_RIGHT,
    "04.6": ["c", " C", "(c)"],
}
