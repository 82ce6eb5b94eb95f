"""Answers for the exercises of notebook 03: plausible mistakes (each must fail) and other right answers."""

from __future__ import annotations

from collections import deque

import numpy as np
import torch

# ---------------------------------------------------------------- 03.1 the largest stable learning rate


def lr_stub(curvatures):
    # Your code here: return the threshold learning rate as a Python float.
    ...


def lr_tensor(curvatures):
    return 2 / curvatures.max()                      # a 0-d tensor, not a float


def lr_python_max(curvatures):
    return 2 / max(curvatures)                       # max over a tensor gives a tensor


def lr_in_place(curvatures):
    curvatures /= 2                                  # right value, but halves the caller's tensor
    return 1 / curvatures.max().item()


def lr_bisection(curvatures):
    """Finds the limit by running gradient descent: close, but not the exact threshold."""
    low, high = 0.0, 10.0
    for _ in range(20):
        mid = (low + high) / 2
        w = torch.ones_like(curvatures)
        for _ in range(200):
            w = w - mid * curvatures * w
        low, high = (mid, high) if w.abs().max() < 1 else (low, mid)
    return low


def lr_string(curvatures):
    return f"{2 / curvatures.max().item():.3f}"


# ---------------------------------------------------------------- 03.3 the backward walk


def backward_stub(root):
    # Your code here: build `order` (every node after its parents), seed root.grad,
    # call each node's _backward in reverse order, and return order.
    ...


def _postorder(root):
    order, visited = [], set()

    def visit(node):
        if node not in visited:
            visited.add(node)
            for parent in node._parents:
                visit(parent)
            order.append(node)

    visit(root)
    return order


def backward_no_seed(root):
    order = _postorder(root)
    for node in reversed(order):                     # forgot root.grad = 1
        node._backward()
    return order


def backward_seed_after(root):
    order = _postorder(root)
    for node in reversed(order):
        node._backward()
    root.grad = 1.0                                  # seeded too late
    return order


def backward_forwards(root):
    order = _postorder(root)
    root.grad = 1.0
    for node in order:                               # parents first: the wrong direction
        node._backward()
    return order


def backward_from_the_top(root):
    """The notebook's tempting walk: pre-order, each node runs as soon as it is reached."""
    order, visited = [], set()

    def visit(node):
        if node not in visited:
            visited.add(node)
            order.append(node)
            node._backward()
            for parent in node._parents:
                visit(parent)

    root.grad = 1.0
    visit(root)
    return order[::-1]


def backward_no_visited(root):
    order = []

    def visit(node):                                 # no visited set: shared nodes go in several times
        for parent in node._parents:
            visit(parent)
        order.append(node)

    visit(root)
    root.grad = 1.0
    for node in reversed(order):
        node._backward()
    return order


def backward_breadth_first(root):
    order, seen, queue = [], {root}, deque([root])
    while queue:                                     # breadth-first: by distance from the root
        node = queue.popleft()
        order.append(node)
        for parent in node._parents:
            if parent not in seen:
                seen.add(parent)
                queue.append(parent)
    root.grad = 1.0
    for node in order:
        node._backward()
    return order[::-1]


def backward_preorder_reversed(root):
    order, visited = [], set()

    def visit(node):                                 # appends a node before its parents
        if node not in visited:
            visited.add(node)
            order.append(node)
            for parent in node._parents:
                visit(parent)

    visit(root)
    root.grad = 1.0
    for node in reversed(order):
        node._backward()
    return order


def backward_resets_grads(root):
    order = _postorder(root)
    for node in order:                               # wipes what earlier backward calls left in the inputs
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        node._backward()
    return order


def backward_returns_reversed(root):
    order = _postorder(root)
    root.grad = 1.0
    for node in reversed(order):
        node._backward()
    return order[::-1]                               # right gradients, but not the order asked for


def backward_returns_iterator(root):
    order = _postorder(root)
    root.grad = 1.0
    for node in reversed(order):
        node._backward()
    return reversed(order)


def backward_no_return(root):
    order = _postorder(root)
    root.grad = 1.0
    for node in reversed(order):
        node._backward()


def backward_twice(root):
    order = _postorder(root)
    root.grad = 1.0
    for node in reversed(order):
        node._backward()
    for node in reversed(order):                     # "to make sure": passes every gradient on again
        node._backward()
    return order


def backward_right_kahn(root):
    """Kahn's algorithm: a node runs once every node that uses it has run."""
    users, stack, seen = {}, [root], set()
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            for parent in node._parents:
                users[parent] = users.get(parent, 0) + 1
                stack.append(parent)
    root.grad = 1.0
    ready, ran = [root], []
    while ready:
        node = ready.pop()
        node._backward()
        ran.append(node)
        for parent in node._parents:
            users[parent] -= 1
            if users[parent] == 0:
                ready.append(parent)
    return ran[::-1]


def backward_right_iterative(root):
    """Depth-first with an explicit stack, no recursion."""
    order, done, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if node in done:
            continue
        if expanded:
            done.add(node)
            order.append(node)
        else:
            stack.append((node, True))
            stack.extend((parent, False) for parent in node._parents if parent not in done)
    root.grad = 1.0
    for node in reversed(order):
        node._backward()
    return order


def backward_right_list_membership(root):
    order = []

    def visit(node):
        if node not in order:                        # slow but right: a list as the visited set
            for parent in node._parents:
                visit(parent)
            order.append(node)

    visit(root)
    root.grad = 1.0
    for node in order[::-1]:
        node._backward()
    return tuple(order)


# ---------------------------------------------------------------- 03.4 the backward pass of a linear layer


def linear_stub(X, W, b, dY):
    # X: (N, D_in), W: (D_out, D_in), b: (D_out,), dY: (N, D_out).
    # Your code here: compute dX, dW and db, each of the shape of X, W and b.
    ...


def linear_dW_transposed(X, W, b, dY):
    return dY @ W, X.T @ dY, dY.sum(0)


def linear_db_mean(X, W, b, dY):
    return dY @ W, dY.T @ X, dY.mean(0)


def linear_all_mean(X, W, b, dY):
    n = X.shape[0]
    return dY @ W / n, dY.T @ X / n, dY.sum(0) / n


def linear_db_wrong_axis(X, W, b, dY):
    return dY @ W, dY.T @ X, dY.sum(1)


def linear_db_keepdim(X, W, b, dY):
    return dY @ W, dY.T @ X, dY.sum(0, keepdim=True)


def linear_db_total(X, W, b, dY):
    return dY @ W, dY.T @ X, dY.sum()


def linear_first_row(X, W, b, dY):
    return dY @ W, torch.outer(dY[0], X[0]), dY[0]  # right for a batch of one only


def linear_broadcast_batch_of_one(X, W, b, dY):
    return dY @ W, dY.T * X, dY.sum(0)               # an outer product only when N = 1


def linear_ones(X, W, b, dY):
    ones = torch.ones_like(dY)                       # the gradient of Y.sum(), not the real upstream
    return ones @ W, ones.T @ X, ones.sum(0)


def linear_sign(X, W, b, dY):
    return -(dY @ W), -(dY.T @ X), -dY.sum(0)


def linear_dX_square_only(X, W, b, dY):
    return dY @ W.T, dY.T @ X, dY.sum(0)             # shapes fit only when D_in = D_out


def linear_order(X, W, b, dY):
    return dY.T @ X, dY @ W, dY.sum(0)


def linear_two_values(X, W, b, dY):
    return dY @ W, dY.T @ X


def linear_in_place(X, W, b, dY):
    dX = dY @ W
    dW = (X.t_() @ dY).T                             # t_() transposes the caller's X
    return dX, dW, dY.sum(0)


def linear_autograd(X, W, b, dY):
    X, W, b = (t.detach().clone().requires_grad_() for t in (X, W, b))
    (X @ W.T + b).backward(dY)
    return X.grad, W.grad, b.grad


def linear_autograd_grad(X, W, b, dY):
    X, W, b = (t.detach().clone().requires_grad_() for t in (X, W, b))
    return torch.autograd.grad(X @ W.T + b, (X, W, b), grad_outputs=dY)


def linear_torch_func(X, W, b, dY):
    _, pullback = torch.func.vjp(lambda x, w, c: x @ w.T + c, X, W, b)
    return pullback(dY)


def linear_numpy(X, W, b, dY):
    x, w, g = X.numpy(), W.numpy(), dY.numpy()
    return g @ w, g.T @ x, g.sum(axis=0)


def linear_float32_loops(X, W, b, dY):
    dW = torch.zeros(W.shape)                        # float32, whatever the inputs are
    for n in range(X.shape[0]):
        dW += torch.outer(dY[n], X[n])
    return dY @ W, dW, dY.sum(0)


def linear_squeeze(X, W, b, dY):
    return dY @ W, dY.T @ X, dY.squeeze().sum(0)     # wrong for a batch of one row or a single output


def linear_float64_loops(X, W, b, dY):
    dW = torch.zeros(W.shape, dtype=torch.float64)   # float64, whatever the inputs are
    for n in range(X.shape[0]):
        dW += torch.outer(dY[n], X[n])
    return dY @ W, dW, dY.sum(0)


def linear_hard_coded_sizes(X, W, b, dY):
    dW = torch.zeros(3, 4, dtype=X.dtype)            # the sizes of the notebook's example
    for j in range(3):
        for i in range(4):
            dW[j, i] = (dY[:, j] * X[:, i]).sum()
    return dY @ W, dW, dY.sum(0)


def linear_right_einsum(X, W, b, dY):
    return (torch.einsum("nj,ji->ni", dY, W), torch.einsum("nj,ni->ji", dY, X), torch.einsum("nj->j", dY))


def linear_right_loops(X, W, b, dY):
    n_rows, d_in = X.shape
    d_out = W.shape[0]
    dX, dW, db = X.new_zeros(n_rows, d_in), W.new_zeros(d_out, d_in), b.new_zeros(d_out)
    for n in range(n_rows):
        for j in range(d_out):
            db[j] += dY[n, j]
            for i in range(d_in):
                dX[n, i] += dY[n, j] * W[j, i]
                dW[j, i] += dY[n, j] * X[n, i]
    return dX, dW, db


def linear_right_transposes(X, W, b, dY):
    return [torch.mm(W.T, dY.T).T, torch.matmul(X.T, dY).T, dY.T @ torch.ones(dY.shape[0], dtype=dY.dtype)]


def lr_float32(curvatures):
    return 2 / float(curvatures.float().max())       # right formula in float32: only about 7 digits


def backward_no_leaves(root):
    order = [node for node in _postorder(root) if node._parents]   # the inputs left out of order
    root.grad = 1.0
    for node in reversed(order):
        node._backward()
    return order


def linear_forward_ad(X, W, b, dY):
    """dW by forward-mode autodiff, one entry at a time: PyTorch differentiates, not you."""
    import torch.autograd.forward_ad as fwAD

    dW = torch.zeros_like(W)
    for j in range(W.shape[0]):
        for i in range(W.shape[1]):
            tangent = torch.zeros_like(W)
            tangent[j, i] = 1
            with fwAD.dual_level():
                Y = X @ fwAD.make_dual(W, tangent).T + b
                dW[j, i] = (fwAD.unpack_dual(Y).tangent * dY).sum()
    return dY @ W, dW, dY.sum(dim=0)


def linear_dX_transposed(X, W, b, dY):
    return dY @ W.T, dY.T @ X, dY.sum(dim=0)         # W the wrong way round: a shape error


# ---------------------------------------------------------------- the tables

WRONG_ANSWERS: dict[str, list[object]] = {
    "03.1": [
        lr_stub,
        lambda c: 1 / c.max().item(),                # the one-step rate, half the limit
        lambda c: 2 / c.min().item(),                # the flattest direction
        lambda c: 2 / c.sum().item(),                # mixes the coordinates
        lambda c: 2 / c.mean().item(),               # an average curvature
        lambda c: 2 / c[-1].item(),                  # the last one (steep in the notebook's example)
        lambda c: 2 / c[1].item(),                   # the notebook's steep coordinate: fails on one parameter
        lambda c: 0.2,                               # the notebook's valley only
        lambda c: 2 * c.max().item(),                # upside down
        lambda c: 0.99 * 2 / c.max().item(),         # "safely" below the limit
        lr_tensor,                                   # a tensor, not a float
        lr_python_max,                               # also a tensor
        lr_in_place,                                 # right value, changes its input
        lr_bisection,                                # an estimate, not the threshold
        lr_string,                                   # a string
        lambda c: [2 / v for v in c.tolist()],       # one limit per coordinate
        lr_float32,                                  # 32-bit floats: not 12 digits
    ],
    "03.2": ["a", "c", "d", "e", None, 4],
    "03.3": [
        backward_stub,
        backward_no_seed,
        backward_seed_after,
        backward_forwards,
        backward_from_the_top,
        backward_no_visited,
        backward_breadth_first,
        backward_preorder_reversed,
        backward_resets_grads,
        backward_returns_reversed,
        backward_returns_iterator,
        backward_no_return,
        backward_twice,
        lambda root: root.backward(),                # the engine's own walk does not exist yet
        backward_no_leaves,                          # right gradients, but the inputs are missing from order
    ],
    "03.4": [
        linear_stub,
        linear_dW_transposed,
        linear_db_mean,
        linear_all_mean,
        linear_db_wrong_axis,
        linear_db_keepdim,
        linear_db_total,
        linear_first_row,
        linear_broadcast_batch_of_one,
        linear_ones,
        linear_sign,
        linear_dX_square_only,
        linear_order,
        linear_two_values,
        linear_in_place,
        linear_autograd,
        linear_autograd_grad,
        linear_torch_func,
        linear_numpy,
        linear_float32_loops,
        linear_float64_loops,
        linear_squeeze,
        linear_hard_coded_sizes,
        linear_forward_ad,                           # forward-mode autodiff
        linear_dX_transposed,                        # a shape error, named
    ],
    "03.5": ["a", "c", "d", "nan", None],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "03.1": [
        lambda c: 2 / c.max().item(),
        lambda c: min(2 / v for v in c.tolist()),
        lambda c: float((2 / c).min()),
        lambda c: np.float64(2 / np.max(c.numpy())),
    ],
    "03.2": ["b", " B "],
    "03.3": [backward_right_kahn, backward_right_iterative, backward_right_list_membership],
    "03.4": [linear_right_einsum, linear_right_loops, linear_right_transposes],
    "03.5": ["b", "(b)"],
}
