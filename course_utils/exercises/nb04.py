"""Exercises of notebook 04 (Multi-layer perceptrons).

- 04.1 XOR by hand: the weights of a 2-2-1 ReLU network that outputs exactly XOR.
- 04.2 Universal approximation, built: a one-hidden-layer ReLU network through given points.
- 04.3 The central algorithm: an MLP's forward and backward pass in NumPy, against autograd.
- 04.4 The backward pass of a leaky ReLU.
- 04.5 The number of parameters of any MLP.
- 04.6 Predict the race of batch sizes (1, 32, the whole training split) over one epoch.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from course_utils.checks import (
    Wrong,
    call,
    exercise,
    expect_array,
    expect_defaults,
    expect_function,
    expect_int,
    expect_number,
    multiple_choice,
    numpy_only,
    random_shapes,
)

# --------------------------------------------------------------------------- 04.1

_CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
_XOR = np.array([0.0, 1.0, 1.0, 0.0])


def _relu_net(W1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: float, X: np.ndarray) -> np.ndarray:
    return np.maximum(X @ W1.T + b1, 0.0) @ w2 + b2


@exercise(
    "04.1",
    title="XOR by hand",
    hint="Make a table: what should each hidden neuron output on the four corners, and how can the output "
         "neuron combine those two columns into 0, 1, 1, 0? A ReLU neuron's bias decides how much input it "
         "needs before it switches on.",
)
def xor_by_hand(answer: Any) -> None:
    """The answer is a tuple (W1, b1, w2, b2) of NumPy arrays (2, 2), (2,), (2,) and a number."""
    if not isinstance(answer, (tuple, list)) or len(answer) != 4:
        raise Wrong("Expected the tuple (W1, b1, w2, b2), four values in this order.")
    W1 = expect_array(answer[0], "W1", shape=(2, 2)).astype(float)
    b1 = expect_array(answer[1], "b1", shape=(2,)).astype(float)
    w2 = expect_array(answer[2], "w2", shape=(2,)).astype(float)
    b2 = expect_number(answer[3], "b2")
    out = _relu_net(W1, b1, w2, b2, _CORNERS)
    if np.allclose(out, _XOR, rtol=0, atol=1e-9):
        return
    shown = ", ".join(f"{value:.3g}" for value in out)
    if np.allclose(_relu_net(W1.T, b1, w2, b2, _CORNERS), _XOR, rtol=0, atol=1e-9):
        raise Wrong("Your weights work with W1 transposed: row j of W1 holds the two input weights of hidden "
                    "neuron j, as in nn.Linear (z = W1 x + b1).")
    if np.allclose(np.maximum(_CORNERS @ W1.T + b1, 0.0), np.maximum(_CORNERS @ W1.T + b1, 0.0)[:, ::-1]):
        why = (" Both hidden neurons compute the same thing, so the hidden layer adds nothing: give them "
               "different biases.")
    elif np.allclose(out - _XOR, (out - _XOR)[0], atol=1e-9):
        why = f" Every output is off by the same {out[0] - _XOR[0]:.3g}: look at b2."
    elif np.allclose(out, [0, 1, 1, 1], atol=1e-9):
        why = " That is OR: the output at (1, 1) must come back down to 0."
    elif np.allclose(out, [0, 0, 0, 1], atol=1e-9):
        why = " That is AND."
    elif np.array_equal(out > 0.5, _XOR > 0.5):
        why = (" Every corner is on the right side of 1/2, but the task asks for exactly 0 and 1: with ReLU "
               "and a linear output, simple whole-number weights get there.")
    else:
        wrong = [f"({int(x1)}, {int(x2)})" for (x1, x2), got, want in zip(_CORNERS, out, _XOR, strict=True)
                 if abs(got - want) > 1e-9]
        why = f" Wrong at {', '.join(wrong)}."
    raise Wrong(f"On the corners (0, 0), (0, 1), (1, 0), (1, 1) your network outputs {shown}; XOR is 0, 1, 1, "
                f"0.{why}")


# --------------------------------------------------------------------------- 04.2


def _interpolation_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(42)
    xs_random = np.sort(rng.uniform(-4, 5, size=8))
    return [
        ("2 points (one neuron)", np.array([0.5, 2.0]), np.array([1.5, -1.0])),
        ("5 unevenly spaced points", np.array([-2.5, -1.0, 0.3, 0.4, 2.0]), np.array([0.7, -1.2, 2.0, 1.0, 1.4])),
        ("4 points, the middle two on one line", np.array([-1.0, 0.0, 1.0, 3.0]), np.array([2.0, 1.0, 0.0, 3.0])),
        ("8 random points", xs_random, rng.normal(size=8)),
    ]


def _relu_layer(w: np.ndarray, c: np.ndarray, v: np.ndarray, d: float, x: np.ndarray) -> np.ndarray:
    return np.maximum(np.outer(x, w) + c, 0.0) @ v + d


@exercise(
    "04.2",
    title="A ReLU network through given points",
    hint="Give neuron k its kink at xs[k] and let it face right (w > 0): off to the left of xs[k], on to the "
         "right. Then go segment by segment: which neurons are on there, and what must their v add up to?",
)
def relu_interpolation(answer: Any) -> None:
    """The answer is a function f(xs, ys) -> (w, c, v, d) of a one-hidden-layer ReLU network."""
    expect_function(answer, "relu_interpolation(xs, ys)")
    for name, xs_values, ys_values in _interpolation_cases():
        n = len(xs_values)
        data = np.stack([xs_values, ys_values])  # xs and ys are views of this array (in-place changes show)
        xs, ys = data[0], data[1]
        result = call(answer, xs, ys)
        if not isinstance(result, (tuple, list)) or len(result) != 4:
            raise Wrong(f"For {name}, expected the tuple (w, c, v, d), got {type(result).__name__}.")
        w, c, v = (expect_array(value, f"{label} (for {name})")
                   for label, value in zip("wcv", result[:3], strict=True))
        for label, value in zip("wcv", (w, c, v), strict=True):
            if value.shape != (n - 1,):
                extra = (" One neuron per segment is enough: n points make n - 1 segments."
                         if value.shape == (n,) else "")
                raise Wrong(f"For {name}, {label} has shape {value.shape}; with {n} points the network has "
                            f"{n - 1} hidden neuron{'s' * (n > 2)}, so {label} has shape ({n - 1},).{extra}")
        d = expect_number(result[3], f"d (for {name})")
        grid = np.union1d(np.linspace(xs_values[0], xs_values[-1], 1001), xs_values)
        expected = np.interp(grid, xs_values, ys_values)
        got = _relu_layer(w.astype(float), c.astype(float), v.astype(float), d, grid)
        if np.allclose(got, expected, rtol=0, atol=1e-9):
            continue
        at_knots = _relu_layer(w.astype(float), c.astype(float), v.astype(float), d, xs_values)
        kinks = np.sort(-c / w) if np.all(w > 0) else None
        if kinks is not None and not np.allclose(kinks, xs_values[:-1]):
            shown = ", ".join(f"{x:.3g}" for x in kinks)
            wanted = ", ".join(f"{x:.3g}" for x in xs_values[:-1])
            why = (f" With w > 0, a neuron is off left of its kink x = -c/w and on to its right. Your kinks are "
                   f"at {shown}; they belong at the points {wanted} (xs[0] to xs[n - 2]: the first one at xs[0], "
                   "so that the first segment gets its slope).")
        elif abs(at_knots[0] - ys_values[0]) > 1e-9:
            why = (f" At the first point x = {xs_values[0]:g} your network gives {at_knots[0]:.4g} instead of "
                   f"{ys_values[0]:.4g}: is d right, and does any neuron switch on before that point?")
        elif np.allclose(at_knots, ys_values, atol=1e-9):
            why = (" It passes through every point but is not straight between them: some neuron switches "
                   "on or off between two points. Put the kinks (x = -c/w) exactly at the points.")
        else:
            k = int(np.flatnonzero(np.abs(at_knots - ys_values) > 1e-9)[0])
            slopes = np.diff(ys_values) / np.diff(xs_values)
            candidate_v = slopes  # slopes used as the weights, not their changes
            if np.allclose(v * w, candidate_v) or np.allclose(v * np.abs(w), candidate_v):
                why = (" You used each segment's slope as the neuron's output weight, but neurons that have "
                       "switched on stay on: from xs[k] on, neuron k should add only the *change* of slope.")
            else:
                why = (f" It first goes wrong at point {k} (x = {xs_values[k]:g}): {at_knots[k]:.4g} instead of "
                       f"{ys_values[k]:.4g}.")
        raise Wrong(f"For {name} your network does not draw the straight lines through the points.{why}")


# --------------------------------------------------------------------------- 04.3

_PARAM_NAMES = ("W1", "b1", "W2", "b2")


def _mlp_problem(seed: int, N: int, D: int, H: int, K: int, *, integer: bool = False,
                 logit_shift: float = 0.0, labels: list[int] | None = None, confident: float = 0.0
                 ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if integer:  # whole numbers: some hidden pre-activations are exactly 0
        X = rng.integers(-2, 3, size=(N, D)).astype(float)
        W1 = rng.integers(-1, 2, size=(H, D)).astype(float)
        b1 = rng.integers(-1, 2, size=H).astype(float)
    else:
        X = rng.normal(size=(N, D))
        W1 = rng.normal(size=(H, D)) / np.sqrt(D)
        b1 = rng.normal(scale=0.5, size=H)
    W2 = rng.normal(size=(K, H)) / np.sqrt(H)
    b2 = rng.normal(scale=0.5, size=K) + logit_shift
    y = np.array(labels, dtype=np.int64) if labels is not None else rng.integers(0, K, size=N)
    if confident:  # large logits, and every other example labelled with its least likely class
        W2, b2 = confident * W2, confident * b2
        Z2 = np.maximum(X @ W1.T + b1, 0.0) @ W2.T + b2
        y[::2] = Z2[::2].argmin(axis=1)
    # X is handed over as a view of a larger array, so an in-place change of it shows.
    wide = np.concatenate([X, rng.normal(size=(N, 3))], axis=1)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, wide[:, :D], y


def _autograd_mlp(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray
                  ) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
    """PyTorch's loss and gradients for the same MLP (relu'(0) = 0, mean cross-entropy)."""
    leaves = {name: torch.tensor(value, dtype=torch.float64, requires_grad=True) for name, value in params.items()}
    Z1 = torch.tensor(X) @ leaves["W1"].T + leaves["b1"]
    logits = torch.relu(Z1) @ leaves["W2"].T + leaves["b2"]
    loss = F.cross_entropy(logits, torch.tensor(y))
    loss.backward()
    return loss.item(), {name: leaf.grad.numpy() for name, leaf in leaves.items()}, Z1.detach().numpy()


_MLP_CASES = (
    # (what, seed, N, D, H, K, options)
    ("a batch of 7 examples, 5 inputs, 9 hidden units and 3 classes", 1, 7, 5, 9, 3, {}),
    ("a batch of 1 example (label 2 of 8 classes)", 2, 1, 4, 6, 8, {"labels": [2]}),
    ("whole-number inputs and weights, where some Z1 are exactly 0", 3, 13, 3, 10, 4, {"integer": True}),
    ("logits near 750", 4, 6, 8, 5, 2, {"logit_shift": 750.0}),
    ("confident mistakes, where some labels get a probability below 1e-20", 5, 10, 6, 7, 5, {"confident": 16.0}),
)


def _close(got: np.ndarray, expected: np.ndarray) -> bool:
    return bool(np.allclose(got, expected, rtol=1e-10, atol=1e-12))


def _diagnose_gradient(name: str, got: np.ndarray, expected: np.ndarray, N: int, case: str) -> str:
    where = f"For {case}, d{name} is wrong"
    if N > 1 and _close(got, expected * N):
        return f"{where}: it is N = {N} times too large. The loss is the *mean* over the batch, so dZ2 = (P - Y) / N."
    if N > 1 and _close(got, expected / N):
        return (f"{where}: it is N = {N} times too small. The 1/N is already in dZ2 = (P - Y) / N; do not "
                "divide (or average) again.")
    if _close(got, -expected):
        return f"{where}: it has the wrong sign. The gradient of the loss with respect to the logits is P - Y."
    return ""


@exercise(
    "04.3",
    title="An MLP's forward and backward pass in NumPy",
    hint="Write the forward pass first and check its loss, then go backward in reverse order with the three "
         "rules of the text, one line each. Check shapes as you go: every gradient has the shape of what it "
         "is the gradient of. np.eye(K)[y] is the one-hot matrix.",
)
def mlp_forward_backward(answer: Any) -> None:
    """The answer is a function f(params, X, y) -> (loss, grads) written with NumPy only."""
    expect_function(answer, "mlp_forward_backward(params, X, y)")
    for case, seed, N, D, H, K, options in _MLP_CASES:
        params, X, y = _mlp_problem(seed, N, D, H, K, **options)
        expected_loss, expected, Z1 = _autograd_mlp(params, X, y)
        with numpy_only(answer):
            result = call(answer, params, X, y)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise Wrong(f"Expected the pair (loss, grads) back, got {type(result).__name__}.")
        loss_value, grads = result
        loss = expect_number(loss_value, f"The loss (for {case})")
        if not isinstance(grads, dict):
            raise Wrong(f"grads should be a dict with the keys {', '.join(_PARAM_NAMES)}, "
                        f"got {type(grads).__name__}.")
        missing = [name for name in _PARAM_NAMES if name not in grads]
        if missing:
            raise Wrong(f"grads has no entry {missing[0]!r}: it needs one gradient per parameter, with the same "
                        "keys as params.")
        got = {}
        for name in _PARAM_NAMES:
            value = expect_array(grads[name], f"grads[{name!r}] (for {case})")
            shape = params[name].shape
            if value.shape != shape:
                transposed = " It looks transposed: dW = dZ.T @ A has W's shape (out, in)." \
                    if value.shape == shape[::-1] else ""
                raise Wrong(f"For {case}, grads[{name!r}] has shape {value.shape}, but {name} has shape {shape}: "
                            f"every gradient has its parameter's shape.{transposed}")
            expect_array(value, f"grads[{name!r}] (for {case})", dtype=np.float64)
            got[name] = value
        if not np.isfinite(loss) or not all(np.isfinite(value).all() for value in got.values()):
            raise Wrong(f"For {case} your loss or gradients contain inf or nan. exp of a logit near 750 "
                        "overflows: subtract each row's maximum before the exponential (notebook 02).")
        if not np.isclose(loss, expected_loss, rtol=1e-10, atol=1e-12):
            if N > 1 and np.isclose(loss, expected_loss * N, rtol=1e-10):
                why = " That is the sum over the batch: the loss is the mean."
            elif options.get("confident") and loss < expected_loss:
                why = (" Your loss is too small where an example's own label gets a tiny probability: do not "
                       "clip P or add a small number inside the log. With the stable softmax, log P is finite and "
                       "exact (or compute it as Z2 - max - log(sum(exp(Z2 - max)))); a confident mistake must cost "
                       "its full -log P.")
            elif np.isclose(loss, expected_loss, rtol=1e-5):
                why = (" They agree to only about 6 digits, the precision of float32: keep everything in "
                       "float64, as the inputs are.")
            else:
                why = (" Check the forward pass: Z1, the ReLU, Z2, a softmax over each row (axis=1), and -log of "
                       "the probability of each example's own label.")
            raise Wrong(f"For {case} your loss is {loss:.10g}, PyTorch's is {expected_loss:.10g}.{why}")
        # Backward order: an error in the first wrong gradient is where to look.
        for name in ("W2", "b2", "W1", "b1"):
            if _close(got[name], expected[name]):
                continue
            message = _diagnose_gradient(name, got[name], expected[name], N, case)
            if message:
                raise Wrong(message)
            if name in ("W1", "b1"):
                on = Z1 > 0
                zero = Z1 == 0
                gated_ge = _reference_first_layer(params, X, y, mask=Z1 >= 0)
                if zero.any() and _close(got[name], gated_ge[name]):
                    raise Wrong(f"For {case}, d{name} is wrong exactly where Z1 = 0: there ReLU has no derivative, "
                                "and the convention (PyTorch's too) is 0. Use Z1 > 0, not Z1 >= 0.")
                ungated = _reference_first_layer(params, X, y, mask=np.ones_like(on))
                if _close(got[name], ungated[name]):
                    raise Wrong(f"For {case}, dW2 and db2 are right but d{name} is not: you did not pass the "
                                "gradient through the ReLU. dZ1 = dH * (Z1 > 0): it stops where a neuron was off.")
                raise Wrong(f"For {case}, dW2 and db2 are right but d{name} is not. Check dH = dZ2 @ W2, the "
                            "ReLU step dZ1 = dH * (Z1 > 0), and the products for the first layer.")
            raise Wrong(f"For {case}, d{name} differs from PyTorch's autograd (largest difference "
                        f"{np.abs(got[name] - expected[name]).max():.3g}). Start from dZ2 = (P - Y) / N.")


def _reference_first_layer(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray,
                           mask: np.ndarray) -> dict[str, np.ndarray]:
    """dW1 and db1 with a given ReLU mask (to recognise the usual mistakes in the ReLU step)."""
    Z1 = X @ params["W1"].T + params["b1"]
    Z2 = np.maximum(Z1, 0) @ params["W2"].T + params["b2"]
    P = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    dZ2 = (P - np.eye(P.shape[1])[y]) / len(X)
    dZ1 = (dZ2 @ params["W2"]) * mask
    return {"W1": dZ1.T @ X, "b1": dZ1.sum(axis=0)}


# --------------------------------------------------------------------------- 04.4


@exercise(
    "04.4",
    title="Backward pass of a leaky ReLU",
    hint="Differentiate leaky(z) on each side of 0: the chain rule combines that local derivative with "
         "grad_output, entry by entry. np.where(condition, a, b) chooses element by element, for arrays of any "
         "shape.",
)
def leaky_relu_backward(answer: Any) -> None:
    """The answer is a function f(grad_output, z, slope=0.01) -> dL/dz, written with NumPy only."""
    expect_function(answer, "leaky_relu_backward(grad_output, z, slope=0.01)")
    expect_defaults(answer, slope=0.01)
    shapes = random_shapes(4, ndims=(1, 2, 3, 2), low=2, high=9)
    slopes = (None, 0.2, None, 0.5)  # None: the check leaves the default slope=0.01 in place
    rng = np.random.default_rng(4)
    for shape, slope in zip(shapes, slopes, strict=True):
        z = rng.normal(size=shape)
        z.flat[:: max(2, z.size // 3)] = 0.0  # not differentiable at 0; PyTorch (and this course) uses the slope
        upstream = rng.normal(size=(2, *shape))
        grad_output = upstream[1]  # a view: an answer that writes into it changes `upstream`
        used = 0.01 if slope is None else slope
        z_torch = torch.tensor(z, requires_grad=True)
        F.leaky_relu(z_torch, negative_slope=used).backward(torch.tensor(grad_output))
        expected = z_torch.grad.numpy()
        with numpy_only(answer):
            got = call(answer, grad_output, z) if slope is None else call(answer, grad_output, z, slope=slope)
        how = f"leaky_relu_backward(grad_output, z{'' if slope is None else f', slope={slope}'})"
        got = expect_array(got, f"{how} for z of shape {shape}", shape=shape)
        expect_array(got, f"The result of {how}", dtype=np.float64)
        if np.allclose(got, expected, rtol=0, atol=1e-12):
            continue
        where = f"With z of shape {shape} and slope={used}: "
        mistakes = [
            (grad_output, "you returned grad_output unchanged: on the negative side the gradient is "
                          "multiplied by the slope."),
            (np.where(z > 0, 1.0, used), "you returned the local derivative only: multiply it by grad_output "
                                         "(the chain rule)."),
            (grad_output * np.where(z > 0, z, used * z), "you multiplied by the activation leaky(z); the local "
                                                         "derivative is 1 or the slope, not the activation."),
            (grad_output * np.where(z > 0, used, 1.0), "the slope is on the wrong side: it belongs to z <= 0, "
                                                       "and 1 to z > 0."),
            (grad_output * (z > 0), "that is the plain ReLU's backward pass: the leaky one keeps slope * "
                                    "grad_output where z <= 0."),
            (grad_output * np.where(z >= 0, 1.0, used), "almost: at z = 0 exactly, PyTorch uses the slope. "
                                                        "Use z > 0, not z >= 0."),
            (grad_output * np.where(grad_output > 0, 1.0, used), "the mask must come from z, the activation's "
                                                                 "input, not from the gradient."),
        ]
        if slope is not None:
            mistakes.append((grad_output * np.where(z > 0, 1.0, 0.01),
                             "you used 0.01 whatever the slope argument: use slope."))
        for wrong, why in mistakes:
            if np.allclose(got, wrong, rtol=0, atol=1e-12):
                raise Wrong(where + why)
        if np.allclose(got[z > 0], expected[z > 0], rtol=0, atol=1e-12):
            raise Wrong(where + "right for z > 0, wrong where z <= 0: there the gradient is slope * grad_output.")
        raise Wrong(where + "your gradient differs from PyTorch's autograd of F.leaky_relu.")


# --------------------------------------------------------------------------- 04.5


def _true_count(sizes: Any) -> int:
    return sum(n_in * n_out + n_out for n_in, n_out in pairwise(sizes))


@exercise(
    "04.5",
    title="Parameters of an MLP",
    hint="What shapes do the weight matrix and the bias of a layer from n_in to n_out units have? Count their "
         "entries, then add up over every pair of consecutive sizes (itertools.pairwise, or zip(sizes, sizes[1:])).",
)
def mlp_parameter_count(answer: Any) -> None:
    """The answer is a function f(sizes) -> number of parameters of the MLP with those layer sizes."""
    expect_function(answer, "mlp_parameter_count(sizes)")
    cases: list[Any] = [[784, 128, 10], (3, 5, 4, 2), [10, 1], (7, 30, 30, 30, 3), [5, 1, 6], (2, 2, 1)]
    for sizes in cases:
        got = call(answer, sizes)  # the list itself, so that an answer that changes it is caught
        value = expect_int(got, f"mlp_parameter_count({sizes!r})")
        expected = _true_count(sizes)
        if value == expected:
            continue
        pairs = list(pairwise(sizes))
        weights_only = sum(a * b for a, b in pairs)
        mistakes = {
            weights_only: "That counts the weights only: every unit of each layer also has a bias.",
            weights_only + sum(sizes): "That gives a bias to the input units too: inputs are data, they have no bias.",
            weights_only + sum(a for a, _ in pairs): "That adds one bias per *input* of each layer: biases belong "
                                                     "to the layer's outputs (n_out of them).",
            sizes[0] * sizes[1] + sizes[1]: "That is the first layer only: sum over every pair of consecutive sizes.",
            sum((a + 1) * (b + 1) for a, b in pairs): "That treats the bias as an extra unit on both sides: add "
                                                      "exactly n_out biases per layer.",
            int(np.prod(sizes)): "Multiplying all sizes together is not it: each layer connects only to the next one.",
        }
        why = mistakes.get(value, "")
        raise Wrong(f"For layer sizes {sizes!r} you returned {value:,}, expected {expected:,}. {why}".rstrip())


# --------------------------------------------------------------------------- 04.6

exercise(
    "04.6",
    title="Predict the race of batch sizes",
    hint="Count the steps each run makes in one epoch. Then ask what one step costs: is a step on 32 "
         "examples 32 times as slow as a step on one?",
)(
    multiple_choice(
        correct="c",
        feedback={
            "a": "Seeing every image once is not what matters: what moves the weights is the number of steps, "
                 "and the full batch takes only one.",
            "b": "Its gradient is exact, but it makes a single step of size about the learning rate, and one "
                 "small step cannot train a network.",
            "c": "Right: batch 1 makes 3,600 noisy steps and batch 32 makes 113, both enough to learn a lot, "
                 "while the full batch makes one. But a step costs about the same whatever its batch size on "
                 "small data, so batch 1 is many times slower per epoch.",
            "d": "A step on 1 example is not 32 times cheaper than a step on 32: most of its cost is overhead "
                 "(Python, launching each operation, the optimizer), so batch 1 is many times slower per epoch.",
        },
    )
)
