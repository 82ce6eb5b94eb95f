"""Exercises of notebook 09 (Recurrent networks)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from course_utils.checks import (
    AUTOGRAD,
    Wrong,
    call,
    exercise,
    expect_array,
    expect_defaults,
    expect_function,
    expect_number,
    expect_tensor,
    forbid,
    forbid_kernels,
    forward_backward,
    matching_mistake,
    multiple_choice,
    randomize_module,
)

# ---------------------------------------------------------------- 09.1 the unrolled RNN

_RNN_BUILTINS = (
    "torch.nn.RNN.forward",
    "torch.nn.RNNCell.forward",
    "torch.rnn_tanh",
    "torch.rnn_tanh_cell",
    "torch.rnn_relu",
    "torch.rnn_relu_cell",
)
_RNN_KERNELS = ("rnn_tanh", "rnn_relu")  # the same kernels by any alias (torch._VF, torch.ops.aten)

# (T, B, D, H, h0 given, dtype): D != H, B = 1, T = 1, a square W_xh (D = H) and a longer sequence
_RNN_CASES = [
    (5, 3, 4, 6, True, torch.float64),
    (7, 1, 3, 5, False, torch.float64),   # batch 1, the default h0
    (1, 4, 6, 3, True, torch.float64),    # one time step
    (6, 2, 5, 5, True, torch.float64),    # D = H: a W_xh used untransposed would still fit
    (11, 3, 2, 7, False, torch.float64),
    (8, 2, 3, 4, True, torch.float32),    # float32, as the notebook uses
]


def _rnn_reference(x: torch.Tensor, w_xh: torch.Tensor, w_hh: torch.Tensor, b_xh: torch.Tensor,
                   b_hh: torch.Tensor, h0: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
    """What nn.RNN computes with these weights (run by nn.RNN itself)."""
    hidden, inputs = w_xh.shape
    rnn = nn.RNN(inputs, hidden, dtype=x.dtype)
    with torch.no_grad():
        for parameter, value in zip((rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0),
                                    (w_xh, w_hh, b_xh, b_hh), strict=True):
            parameter.copy_(value)
    out, h_n = rnn(x, None if h0 is None else h0[None])
    return out, h_n[0]


def _rnn_autograd(x: torch.Tensor, w_xh: torch.Tensor, w_hh: torch.Tensor, b_xh: torch.Tensor,
                  b_hh: torch.Tensor, h0: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The same computation in plain operations, so that autograd reaches every input (for the gradients)."""
    h = torch.zeros(x.shape[1], w_hh.shape[0], dtype=x.dtype) if h0 is None else h0
    return _unroll(x, h, lambda xt, h: torch.tanh(xt @ w_xh.T + b_xh + h @ w_hh.T + b_hh))


def _unroll(x: torch.Tensor, h: torch.Tensor, step: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
            ) -> tuple[torch.Tensor, torch.Tensor]:
    states = []
    for t in range(len(x)):
        h = step(x[t], h)
        states.append(h)
    return torch.stack(states), h


def _rnn_mistakes(x: torch.Tensor, w_xh: torch.Tensor, w_hh: torch.Tensor, b_xh: torch.Tensor,
                  b_hh: torch.Tensor, h0: torch.Tensor | None) -> list[tuple[Callable[[], Any], str]]:
    """Plausible wrong forward passes: each returns (outputs, h_last) as a mistaken answer would."""
    zeros = torch.zeros(x.shape[1], w_hh.shape[0], dtype=x.dtype)
    start = zeros if h0 is None else h0

    def run(step: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], h: torch.Tensor = start,
            ) -> tuple[torch.Tensor, torch.Tensor]:
        return _unroll(x, h, step)

    def right(xt: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        return torch.tanh(xt @ w_xh.T + b_xh + h @ w_hh.T + b_hh)

    def shifted() -> tuple[torch.Tensor, torch.Tensor]:
        out, h = run(right)
        return torch.cat([start[None], out[:-1]]), h

    def frozen() -> tuple[torch.Tensor, torch.Tensor]:
        out = torch.stack([right(x[t], start) for t in range(len(x))])
        return out, out[-1]

    def reversed_time() -> tuple[torch.Tensor, torch.Tensor]:
        out, h = run(right)
        return out.flip(0), h

    def second_to_last() -> tuple[torch.Tensor, torch.Tensor]:
        out, _ = run(right)
        return out, torch.cat([start[None], out])[-2]

    def first_state() -> tuple[torch.Tensor, torch.Tensor]:
        out, _ = run(right)
        return out, out[0]

    def backwards_in_time() -> tuple[torch.Tensor, torch.Tensor]:
        return _unroll(x.flip(0), start, right)

    return [
        (lambda: run(lambda xt, h: xt @ w_xh.T + b_xh + h @ w_hh.T + b_hh),
         "there is no tanh: the new state is tanh(W_xh x_t + b_xh + W_hh h_(t-1) + b_hh)."),
        (lambda: run(lambda xt, h: torch.relu(xt @ w_xh.T + b_xh + h @ w_hh.T + b_hh)),
         "you used a ReLU; nn.RNN's default nonlinearity, the one asked for, is tanh."),
        (lambda: run(lambda xt, h: torch.sigmoid(xt @ w_xh.T + b_xh + h @ w_hh.T + b_hh)),
         "you used a sigmoid; the RNN cell uses tanh, whose outputs lie in (-1, 1)."),
        (lambda: run(lambda xt, h: torch.tanh(xt @ w_xh.T + b_xh + h @ w_hh + b_hh)),
         "W_hh is used transposed: with nn.RNN's layout (rows = hidden units) the recurrent term is "
         "h_(t-1) @ W_hh.T for a batch of row vectors."),
        (lambda: run(lambda xt, h: torch.tanh(xt @ w_xh + b_xh + h @ w_hh.T + b_hh)),
         "W_xh is used transposed: it has shape (H, D), so the input term is x_t @ W_xh.T."),
        (lambda: run(lambda xt, h: torch.tanh(xt @ w_xh + b_xh + h @ w_hh + b_hh)),
         "both weight matrices are used transposed: nn.RNN stores them as (H, D) and (H, H), so a batch of row "
         "vectors is multiplied by W.T."),
        (lambda: run(lambda xt, h: torch.tanh(xt @ w_xh.T + b_xh + h @ w_hh.T)),
         "b_hh is missing: nn.RNN has two biases, b_xh (bias_ih) and b_hh (bias_hh), and adds both."),
        (lambda: run(lambda xt, h: torch.tanh(xt @ w_xh.T + h @ w_hh.T + b_hh)),
         "b_xh is missing: nn.RNN has two biases, b_xh (bias_ih) and b_hh (bias_hh), and adds both."),
        (lambda: run(lambda xt, h: torch.tanh(xt @ w_xh.T + h @ w_hh.T)),
         "both biases are missing: add b_xh and b_hh inside the tanh."),
        (lambda: run(lambda xt, h: torch.tanh(xt @ w_xh.T + b_xh) + h @ w_hh.T + b_hh),
         "the tanh covers only the input term: it wraps the whole sum, input and recurrent terms and both biases."),
        (lambda: run(right, zeros),
         "you ignored h0 and started from zeros: start from h0 when it is given (zeros only when h0 is None)."),
        (frozen, "every step uses h0 instead of the previous state: update h at every step and feed it to the next."),
        (shifted, "your outputs are shifted by one step: outputs[t] should be h_t, the state after reading x_t "
                  "(h0 is not one of the outputs)."),
        (reversed_time, "your outputs are in reverse time order: outputs[t] is the state after reading x_t."),
        (backwards_in_time, "you read the sequence from its last step to its first: x[0] comes first."),
        (second_to_last, "your last state is one step early: h_last is the state after the last input, outputs[-1]."),
        (first_state, "you returned the first state as h_last: it is the state after the last input, outputs[-1]."),
    ]


def _pair(result: Any, where: str, shape_out: tuple[int, ...], shape_h: tuple[int, ...]) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Wrong(f"{where}: return two things, (outputs, h_last), as a tuple; got {type(result).__name__}"
                    + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "") + ".")
    outputs, h_last = result
    if isinstance(outputs, list):
        raise Wrong(f"{where}: outputs is a Python list; stack the states into one tensor of shape "
                    f"{shape_out} (torch.stack).")
    outputs = expect_tensor(outputs, f"{where}, outputs", floating=True)
    h_last = expect_tensor(h_last, f"{where}, h_last", floating=True)
    if tuple(h_last.shape) == (1, *shape_h):
        raise Wrong(f"{where}: h_last has shape {tuple(h_last.shape)}, with nn.RNN's extra layer axis; return it "
                    f"as {shape_h} (batch, hidden), as the task asks.")
    if tuple(outputs.shape) != shape_out:
        raise Wrong(f"{where}: outputs should have shape {shape_out} (time, batch, hidden), got "
                    f"{tuple(outputs.shape)}.")
    if tuple(h_last.shape) != shape_h:
        raise Wrong(f"{where}: h_last should have shape {shape_h} (batch, hidden), got {tuple(h_last.shape)}.")
    return outputs, h_last


@exercise(
    "09.1",
    title="The unrolled RNN",
    hint="Keep one state h, starting from h0 (or zeros of shape (B, H) and the dtype of x), and update it once "
         "per time step with the cell's equation, feeding it the state it produced the step before. Collect the "
         "states in a list and stack them along a new first axis at the end.",
)
def unrolled_rnn(answer: Any) -> None:
    """The answer is rnn_forward(x, W_xh, W_hh, b_xh, b_hh, h0=None) -> (outputs (T, B, H), h_last (B, H))."""
    expect_function(answer, "rnn_forward(x, W_xh, W_hh, b_xh, b_hh, h0=None)")
    expect_defaults(answer, "rnn_forward", h0=None)
    generator = torch.Generator().manual_seed(91)
    instead = "Write the loop over time yourself: that is the point of the exercise."
    for index, (t_len, batch, d_in, hidden, with_h0, dtype) in enumerate(_RNN_CASES):
        layer = randomize_module(nn.RNN(d_in, hidden, dtype=dtype), seed=190 + index)
        w_xh, w_hh = layer.weight_ih_l0.detach().clone(), layer.weight_hh_l0.detach().clone()
        b_xh, b_hh = layer.bias_ih_l0.detach().clone(), layer.bias_hh_l0.detach().clone()
        big = torch.randn(t_len, batch, d_in + 2, generator=generator, dtype=dtype)
        x = big[..., 1:1 + d_in]  # a view into a bigger tensor (not contiguous)
        h0 = (0.8 * torch.randn(batch, hidden, generator=generator, dtype=dtype)) if with_h0 else None
        where = (f"For x of shape ({t_len}, {batch}, {d_in}), H = {hidden}, "
                 + ("h0 given" if with_h0 else "h0 left at its default (None)") + f", {dtype}")
        with torch.no_grad():
            expected_out, expected_h = _rnn_reference(x, w_xh, w_hh, b_xh, b_hh, h0)
        tensors = [x, w_xh, w_hh, b_xh, b_hh] + ([h0] if with_h0 else [])

        with forbid(*_RNN_BUILTINS, answer=answer, instead=instead), \
                forbid_kernels(*_RNN_KERNELS, instead=instead):
            try:
                result = call(answer, *tensors, name="rnn_forward")  # without h0 when the case leaves it at None
            except RuntimeError as error:
                if "same dtype" in str(error) or "scalar type" in str(error):
                    raise Wrong(f"{where}: your code mixes dtypes ({error}). Start from zeros with the dtype of x "
                                "(torch.zeros(..., dtype=x.dtype) or x.new_zeros(...)).") from None
                if "Boolean value of Tensor" in str(error):
                    raise Wrong(f"{where}: your code asks a tensor whether it is true ({error}). Test "
                                "`if h0 is None:`, not `if h0:` or `h0 or ...`: a tensor of several numbers is "
                                "neither true nor false.") from None
                if "must match the size of tensor" in str(error):
                    raise Wrong(f"{where}: shapes do not fit ({error}). x is time first, (T, B, D), nn.RNN's default: "
                                "step through x[t] for t in range(x.shape[0]), and the state has shape (B, H) with "
                                "B = x.shape[1] and H = W_hh.shape[0].") from None
                if "cannot be multiplied" not in str(error):
                    raise
                raise Wrong(f"{where}: a matrix product does not fit ({error}). Here x[t] is ({batch}, {d_in}), "
                            f"W_xh ({hidden}, {d_in}), W_hh ({hidden}, {hidden}) and the state ({batch}, {hidden}): "
                            "multiply batches of row vectors by the transposed weights, x[t] @ W_xh.T and "
                            "h @ W_hh.T, and take H from W_hh, not from x.") from None
        outputs, h_last = _pair(result, where, (t_len, batch, hidden), (batch, hidden))
        if outputs.dtype != dtype or h_last.dtype != dtype:
            raise Wrong(f"{where}: you returned {outputs.dtype} and {h_last.dtype} tensors; keep the dtype of x "
                        f"({dtype}): start from zeros with dtype=x.dtype (or x.new_zeros) and do not convert.")
        atol = 1e-10 if dtype == torch.float64 else 1e-6
        got_ok = (torch.allclose(outputs, expected_out, atol=atol, rtol=0)
                  and torch.allclose(h_last, expected_h, atol=atol, rtol=0))
        if not got_ok:
            with torch.no_grad():
                why = None
                for candidate, text in _rnn_mistakes(x, w_xh, w_hh, b_xh, b_hh, h0):
                    try:
                        wrong_out, wrong_h = candidate()
                    except RuntimeError:
                        continue
                    if (wrong_out.shape == outputs.shape and torch.allclose(outputs.to(dtype), wrong_out, atol=1e-6)
                            and torch.allclose(h_last.to(dtype), wrong_h, atol=1e-6)):
                        why = text
                        break
            if why:
                raise Wrong(f"{where}: {why}")
            if torch.allclose(outputs.to(dtype), expected_out, atol=atol, rtol=0):
                raise Wrong(f"{where}: your outputs are right but h_last is not: it is the state after the last "
                            "input, outputs[-1].")
            difference = (outputs.to(dtype) - expected_out).abs().max().item()
            raise Wrong(f"{where}: your outputs differ from nn.RNN's by up to {difference:.3g}.")
        # The backward pass: gradients with respect to x, the weights, the biases and h0.
        def both(fn: Callable[..., Any]) -> Callable[..., torch.Tensor]:
            def combined(*args: torch.Tensor) -> torch.Tensor:
                out, h = fn(*args)
                return torch.cat([out.reshape(-1), h.reshape(-1)])
            return combined

        reference = forward_backward(both(_rnn_autograd), tensors, seed=index)
        with forbid(*_RNN_BUILTINS, answer=answer, instead=instead), \
                forbid_kernels(*_RNN_KERNELS, instead=instead):
            mine = forward_backward(both(lambda *a: answer(*a)), tensors, seed=index)
        names = ["x", "W_xh", "W_hh", "b_xh", "b_hh", "h0"]
        for name, got_grad, want in zip(names, mine.inputs, reference.inputs, strict=False):
            if got_grad is None or not torch.allclose(got_grad.to(dtype), want, atol=1e-5 if dtype == torch.float32
                                                      else 1e-9, rtol=0):
                raise Wrong(f"{where}: the forward pass is right but the gradient with respect to {name} is not: "
                            "part of your computation is cut off from autograd (.detach(), .data, .item(), "
                            "torch.no_grad() or NumPy).")


# ---------------------------------------------------------------- 09.2 the Jacobian product of BPTT

_JACOBIAN_CASES = [(5, 4), (1, 3), (8, 6), (3, 2), (12, 5)]  # (T, H): T = 1 included, never square with T


def _tanh_states(t_len: int, hidden: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """States h_1..h_T (T, H) of a random tanh RNN in float64, its W_hh, and autograd's dh_T/dh_0."""
    generator = torch.Generator().manual_seed(seed)
    w_hh = torch.randn(hidden, hidden, generator=generator, dtype=torch.float64) * (1.3 / math.sqrt(hidden))
    w_xh = torch.randn(hidden, 2, generator=generator, dtype=torch.float64)
    xs = torch.randn(t_len, 2, generator=generator, dtype=torch.float64)
    h0 = 0.5 * torch.randn(hidden, generator=generator, dtype=torch.float64)

    def run(h: torch.Tensor) -> torch.Tensor:
        states = []
        for t in range(t_len):
            h = torch.tanh(w_hh @ h + w_xh @ xs[t])
            states.append(h)
        return torch.stack(states)

    states = run(h0)
    jacobian = torch.autograd.functional.jacobian(lambda h: run(h)[-1], h0)
    return states, w_hh, jacobian


def _jacobian_mistakes(states: torch.Tensor, w_hh: torch.Tensor) -> list[tuple[Callable[[], Any], str]]:
    eye = torch.eye(w_hh.shape[0], dtype=w_hh.dtype)

    def product(factor: Callable[[torch.Tensor], torch.Tensor], left: bool = True,
                which: Any = None) -> torch.Tensor:
        result = eye
        for h in (states if which is None else which):
            result = factor(h) @ result if left else result @ factor(h)
        return result

    def j(h: torch.Tensor) -> torch.Tensor:
        return (1 - h**2)[:, None] * w_hh

    return [
        (lambda: product(j, left=False), "your factors are in the wrong order: J_1 is applied first, so it stands on "
                                         "the right, and each new J_t multiplies the product from the left."),
        (lambda: product(lambda h: (1 - h**2)[:, None] * w_hh.T), "you used W_hh transposed: J_t = diag(1 - h_t^2) W_hh."),
        (lambda: product(lambda h: w_hh), "the factor diag(1 - h_t^2) is missing: that is the linear RNN's product, "
                                          "W_hh to the power T."),
        (lambda: product(lambda h: (1 - torch.tanh(h) ** 2)[:, None] * w_hh),
         "you applied tanh to the states again: they already are tanh outputs, so the derivative is 1 - h_t^2."),
        (lambda: product(lambda h: (1 - h)[:, None] * w_hh), "the derivative of tanh is 1 - h_t^2, not 1 - h_t."),
        (lambda: product(lambda h: (h * (1 - h))[:, None] * w_hh),
         "h (1 - h) is the derivative of the sigmoid; tanh's is 1 - h_t^2."),
        (lambda: product(lambda h: (1 - h**2) * w_hh),
         "the diagonal factor is on the wrong side: you scaled the columns of W_hh (W_hh diag(1 - h_t^2); "
         "(1 - h**2) * W_hh broadcasts a row). J_t = diag(1 - h_t^2) W_hh scales its rows: tanh's slope is applied "
         "after the matrix product, so write (1 - h**2)[:, None] * W_hh."),
        (lambda: product(j, which=states[1:]), "one factor is missing: you skipped J_1; there are T factors, one per step."),
        (lambda: product(j, which=states[:-1]), "one factor is missing: you skipped J_T; there are T factors, one per step."),
        (lambda: product(j) @ w_hh, "there is one W_hh too many."),
        (lambda: product(j, which=states[:1]), "you used only the first step: multiply the Jacobians of all T steps."),
        (lambda: j(states[-1]), "you returned only the last step's Jacobian J_T: multiply the Jacobians of all T steps."),
        (lambda: product(j, which=torch.cat([torch.zeros_like(states[:1]), states[:-1]])),
         "your slopes are one step late: J_t uses h_t, the state the step produced (states[t - 1] with 0-based "
         "indexing), not the state before it."),
        (lambda: torch.zeros_like(w_hh), "you returned a zero matrix: the running product starts as the identity, "
                                         "not zeros (zeros times anything stays zero)."),
        (lambda: torch.stack([j(h) for h in states]).prod(dim=0) * eye,
         "you multiplied the Jacobians entry by entry (*), which keeps only a diagonal; the product of Jacobians is "
         "a matrix product (@)."),
    ]


@exercise(
    "09.2",
    title="The gradient through time, by hand",
    hint="Keep a running product that starts as the identity. For each step in order, build that step's "
         "Jacobian (the rows of W_hh, each scaled by tanh's slope 1 - h^2 of its unit) and multiply it onto the "
         "product from the left.",
)
def jacobian_through_time(answer: Any) -> None:
    """The answer is jacobian_through_time(states (T, H), W_hh (H, H)) -> dh_T/dh_0, (H, H)."""
    expect_function(answer, "jacobian_through_time(states, W_hh)")
    for index, (t_len, hidden) in enumerate(_JACOBIAN_CASES):
        states, w_hh, expected = _tanh_states(t_len, hidden, seed=920 + index)
        wide = torch.cat([states, torch.zeros(t_len, 2, dtype=states.dtype)], dim=1)
        states_view = wide[:, :hidden]  # a view into a bigger tensor
        where = f"For T = {t_len} steps and H = {hidden} units"
        with forbid(*AUTOGRAD, "torch.autograd.functional.jacobian", answer=answer,
                    instead="Multiply the Jacobians J_t = diag(1 - h_t^2) W_hh yourself."):
            try:
                result = call(answer, states_view, w_hh, name="jacobian_through_time")
            except RuntimeError as error:
                if "cannot be multiplied" in str(error) or "must match the size of tensor" in str(error):
                    raise Wrong(f"{where}: shapes do not fit ({error}). Take H from the inputs (W_hh.shape[0]), "
                                "never from the notebook's example.") from None
                if "same dtype" not in str(error) and "scalar type" not in str(error):
                    raise
                raise Wrong(f"{where}: your code mixes dtypes ({error}). The states and W_hh are float64 here: build "
                            "the identity with torch.eye(H, dtype=W_hh.dtype).") from None
        got = expect_tensor(result, where, floating=True)
        if got.shape == ():
            raise Wrong(f"{where} you returned one number; return the whole H x H matrix dh_T/dh_0, not its norm.")
        if tuple(got.shape) != (hidden, hidden):
            raise Wrong(f"{where} you returned shape {tuple(got.shape)}; expected ({hidden}, {hidden}).")
        if got.dtype != torch.float64:
            raise Wrong(f"{where} you returned {got.dtype}; keep the dtype of the states (float64): build the identity "
                        "with torch.eye(H, dtype=W_hh.dtype).")
        if torch.allclose(got, expected, atol=1e-10, rtol=1e-8):
            continue
        why = matching_mistake(got, _jacobian_mistakes(states, w_hh), atol=1e-10, rtol=1e-8)
        difference = (got - expected).abs().max().item()
        raise Wrong(f"{where} your matrix differs from autograd's dh_T/dh_0 by up to {difference:.3g}"
                    + (f": {why}" if why else "."))


# ---------------------------------------------------------------- 09.3 predict: tanh and a spectral radius of 1.5

exercise(
    "09.3",
    title="Does a spectral radius above 1 make the gradient explode?",
    hint="Each Jacobian diag(1 - h_t^2) W_hh has two factors: W_hh, the same at every step, and diag(1 - h_t^2), "
         "which depends on the states. Ask what W_hh = 1.5 Q does to the states over many steps, and what that "
         "does to the other factor.",
)(
    multiple_choice(
        correct="d",
        feedback={
            "a": "That is what the linear RNN does, where every Jacobian is W_hh itself. In the tanh RNN each "
                 "Jacobian is diag(1 - h_t^2) W_hh, and the larger W_hh is, the closer the states get to -1 and 1 "
                 "and the smaller 1 - h_t^2 becomes.",
            "b": "The norm grows for the first few steps, but then the states saturate (close to -1 or 1), the "
                 "factors 1 - h_t^2 become tiny, and the product shrinks instead of growing.",
            "c": "Nothing in the product keeps it near 1: each factor diag(1 - h_t^2) W_hh multiplies it by "
                 "up to 1.5, but by much less wherever a unit saturates. Here the saturation wins.",
            "d": "Right: a spectral radius above 1 makes the states large, the tanh saturates, and the factors "
                 "1 - h_t^2 shrink the product faster than W_hh grows it. A norm ||W_hh|| above 1 (here every singular "
                 "value, like the spectral radius, is 1.5) is needed for exploding gradients, but it is not enough "
                 "(Pascanu, Mikolov and Bengio, 2013).",
        },
    )
)


# ---------------------------------------------------------------- 09.4 clipping by the global norm

_CLIP_BUILTINS = (
    "torch.nn.utils.clip_grad_norm_",
    "torch.nn.utils.clip_grad_norm",
    "torch.nn.utils.get_total_norm",
    "torch.nn.utils.clip_grads_with_norm_",
    "torch.nn.utils.clip_grad.clip_grad_norm_",
    "torch.nn.utils.clip_grad.clip_grad_norm",
    "torch.nn.utils.clip_grad._get_total_norm",
    "torch.nn.utils.clip_grad._clip_grads_with_norm_",
)


def _make_parameters(shapes: list[tuple[int, ...] | None], scale: float, seed: int) -> list[torch.Tensor]:
    """Parameters with random values and random gradients (None where the shape is None: no gradient)."""
    generator = torch.Generator().manual_seed(seed)
    parameters = []
    for index, shape in enumerate(shapes):
        size = shape if shape is not None else (3,)
        p = nn.Parameter(torch.randn(size, generator=generator))
        if shape is not None:
            p.grad = scale * torch.randn(size, generator=generator) * (1 + index)
        parameters.append(p)
    return parameters


def _clip_reference(parameters: list[torch.Tensor], max_norm: float) -> tuple[float, list[torch.Tensor | None]]:
    copies = []
    for p in parameters:
        c = nn.Parameter(p.detach().clone())
        c.grad = None if p.grad is None else p.grad.detach().clone()
        copies.append(c)
    total = float(torch.nn.utils.clip_grad_norm_(copies, max_norm))
    return total, [None if c.grad is None else c.grad.clone() for c in copies]


@exercise(
    "09.4",
    title="Clipping by the global norm",
    hint="A generator can be read only once: make a list first, and leave out the parameters without a "
         "gradient. The global norm treats all the gradients as one long vector. Scale only when it is above "
         "max_norm, and return the norm measured before scaling.",
)
def clip_by_global_norm(answer: Any) -> None:
    """The answer is clip_grad_norm(parameters, max_norm) -> the total norm before clipping (a float)."""
    expect_function(answer, "clip_grad_norm(parameters, max_norm)")
    cases = [  # (what, parameter shapes (None: no gradient), gradient scale, max_norm, as a generator)
        ("three parameters whose gradients are too large", [(4, 3), (3,), (2, 5)], 2.0, 1.0, False),
        ("gradients already below max_norm", [(5, 2), (2,)], 0.05, 1.0, False),
        ("a list in which one parameter has no gradient (p.grad is None)", [(3, 4), None, (6,)], 1.5, 2.0, False),
        ("model.parameters(), a generator, with max_norm=5", [(7, 3), (7,), (1, 7), (1,)], 3.0, 5, True),
        ("one parameter, max_norm=0.5", [(8,)], 1.0, 0.5, False),
    ]
    for index, (what, shapes, scale, max_norm, as_generator) in enumerate(cases):
        parameters = _make_parameters(shapes, scale, seed=930 + index)
        values = [p.detach().clone() for p in parameters]
        grads = [None if p.grad is None else p.grad.clone() for p in parameters]
        grad_tensors = [p.grad for p in parameters]  # the tensors themselves: clipping changes them in place
        total, expected = _clip_reference(parameters, max_norm)
        argument: Any = (p for p in parameters) if as_generator else parameters
        where = f"For {what}"
        with forbid(*_CLIP_BUILTINS, answer=answer, instead="Compute the norm and scale the gradients yourself."):
            try:
                result = call(answer, argument, max_norm, name="clip_grad_norm")
            except (AttributeError, TypeError) as error:
                if any(p.grad is None for p in parameters) and "NoneType" in str(error):
                    raise Wrong(f"{where}: your code failed on a parameter without a gradient ({error}). "
                                "Skip every p whose p.grad is None, as PyTorch does.") from None
                if as_generator and "generator" in str(error):
                    raise Wrong(f"{where}: your code failed on a generator ({error}). A generator has no len() and "
                                "cannot be indexed: make a list of it first (list(parameters)).") from None
                raise
        got = expect_number(result, f"{where}, the returned total norm")
        for p, value in zip(parameters, values, strict=True):
            if not torch.equal(p.detach(), value):
                raise Wrong(f"{where}: your function changed the parameters themselves; clip only their gradients "
                            "(p.grad), and leave the optimizer to update the parameters.")
        got_grads = [p.grad for p in parameters]
        for p, g in zip(parameters, got_grads, strict=True):
            if g is not None and g.shape != p.shape:
                raise Wrong(f"{where}: a gradient now has shape {tuple(g.shape)} instead of its parameter's "
                            f"{tuple(p.shape)}.")
        present = [g for g in grads if g is not None]
        flat = torch.cat([g.reshape(-1) for g in present])
        if not math.isclose(got, total, rel_tol=1e-5):
            why = matching_mistake(got, [
                (min(total, max_norm), "you returned the norm after clipping; return the total norm measured "
                                       "before, as torch.nn.utils.clip_grad_norm_ does (it tells you how large "
                                       "the gradient really was)."),
                (sum(g.norm().item() for g in present), "you added up the norms of the separate gradients; the "
                                                        "global norm is the square root of the sum of all squared "
                                                        "entries, as if all gradients were one long vector."),
                (flat.pow(2).sum().item(), "you forgot the square root: that is the squared norm."),
                (flat.abs().max().item(), "that is the largest entry (the max norm); the global norm is the "
                                          "Euclidean one, over all entries."),
                (flat.abs().sum().item(), "that is the sum of the absolute values (the L1 norm); the global norm "
                                          "is the Euclidean (L2) one."),
                (max(g.norm().item() for g in present), "that is the norm of one gradient only; the global norm "
                                                        "combines all of them."),
                (0.0, "you returned 0: was the list of gradients empty? A generator such as model.parameters() "
                      "can be read only once: make a list of it first."),
            ], rtol=1e-5)
            raise Wrong(f"{where} you returned {got:.6g} as the total norm, expected {total:.6g}"
                        + (f": {why}" if why else "."))
        for g, want, before in zip(got_grads, expected, grads, strict=True):
            if want is None:
                if g is not None:
                    raise Wrong(f"{where}: a parameter without a gradient now has one; leave p.grad None there.")
                continue
            if g is not None and torch.allclose(g, want, atol=1e-6, rtol=1e-5):
                continue
            c = max_norm / (total + 1e-6)
            why = matching_mistake(g, [
                (before, "the gradients were not changed" + (
                    ": a generator such as model.parameters() can be read only once, so a second loop over it "
                    "finds nothing. Make a list of the parameters first." if as_generator else
                    ". Multiply each p.grad in place: p.grad.mul_(...), or g.mul_(...) for g = p.grad.")),
                (before * c, "you scaled the gradients although their norm was already below max_norm: clip only "
                             "when the total norm is larger (the factor is min(1, max_norm / total))."),
                (before * min(1.0, max_norm / (before.norm().item() + 1e-6)),
                 "you clipped each gradient by its own norm; clipping by the global norm scales all of them by the "
                 "same factor, so the direction of the whole gradient is kept."),
                (before.clamp(-max_norm, max_norm), "you clipped each entry (that is clip_grad_value_); clipping "
                                                    "by the norm rescales whole gradients."),
                (before * (total / max_norm), "the factor is upside down: it is max_norm / total."),
                (before / total, "you divided by the total norm but forgot to multiply by max_norm."),
            ], atol=1e-6, rtol=1e-5)
            raise Wrong(f"{where}: after your call a gradient differs from what clip_grad_norm_ leaves"
                        + (f": {why}" if why else "."))
        if any(g is not None and p.grad is not g for p, g in zip(parameters, grad_tensors, strict=True)):
            raise Wrong(f"{where}: your values are right, but you assigned new tensors to p.grad. clip_grad_norm_ "
                        "changes each gradient in place (the trailing underscore), as the task asks: "
                        "p.grad.mul_(factor). Code that holds on to a gradient tensor (a hook, a buffer that "
                        "accumulates gradients) would still see the old, unclipped one.")


# ---------------------------------------------------------------- 09.5 an AR(p) model by least squares


def _ar_design(y: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    rows = len(y) - p
    columns = [np.ones(rows)] + [y[p - k:len(y) - k] for k in range(1, p + 1)]
    return np.column_stack(columns), y[p:]


def _ar_reference(y: np.ndarray, p: int) -> np.ndarray:
    from statsmodels.tsa.ar_model import AutoReg

    return np.asarray(AutoReg(y, lags=p, trend="c").fit().params, dtype=float)


def _ar_mistakes(y: np.ndarray, p: int) -> list[tuple[Callable[[], Any], str]]:
    def lstsq(design: np.ndarray, target: np.ndarray) -> np.ndarray:
        return np.linalg.lstsq(design, target, rcond=None)[0]

    design, target = _ar_design(y, p)

    def demeaned() -> np.ndarray:
        m = y.mean()
        d, t = _ar_design(y - m, p)
        phi = lstsq(d[:, 1:], t)
        return np.concatenate([[m * (1 - phi.sum())], phi])

    def yule_walker() -> np.ndarray:
        from statsmodels.regression.linear_model import yule_walker as yw

        with warnings.catch_warnings():  # statsmodels announces a change of its return type
            warnings.simplefilter("ignore", FutureWarning)
            phi, _ = yw(y, order=p, method="mle")
        return np.concatenate([[y.mean() * (1 - phi.sum())], phi])

    def shifted() -> np.ndarray:
        rows = len(y) - p - 1
        columns = [np.ones(rows)] + [y[p + 1 - k - 1:len(y) - k - 1] for k in range(1, p + 1)]
        return lstsq(np.column_stack(columns), y[p + 1:])

    return [
        (lambda: np.concatenate([lstsq(design, target)[:1], lstsq(design, target)[1:][::-1]]),
         "your coefficients are in reverse order: params[1] is phi_1, the weight of the previous value y_(t-1), "
         "and params[p] the weight of y_(t-p)."),
        (lambda: np.concatenate([lstsq(design, target)[1:], lstsq(design, target)[:1]]),
         "the intercept is last; put it first, as statsmodels does: [c, phi_1, ..., phi_p]."),
        (lambda: np.concatenate([[0.0], lstsq(design[:, 1:], target)]),
         "you fitted without an intercept (and returned 0 for it): add a column of ones to the design matrix."),
        (demeaned, "you subtracted the mean and fitted without an intercept. That is close, but not the "
                   "least-squares fit with an intercept column that AutoReg makes."),
        (yule_walker, "those are the Yule-Walker estimates (from autocorrelations); the task asks for ordinary "
                      "least squares on the lagged values."),
        (shifted, "your rows are off by one: the first target is y[p], predicted from y[p-1], ..., y[0]."),
    ]


@exercise(
    "09.5",
    title="An AR(p) model by least squares",
    hint="Build a design matrix with one row per target y[t], t = p, ..., n-1: a 1 (for the intercept), then "
         "y[t-1], y[t-2], ..., y[t-p]. np.linalg.lstsq(X, target, rcond=None)[0] solves the least-squares problem.",
)
def ar_least_squares(answer: Any) -> None:
    """The answer is fit_ar(y, p) -> a NumPy array [c, phi_1, ..., phi_p] (AutoReg's params)."""
    expect_function(answer, "fit_ar(y, p)")
    rng = np.random.default_rng(94)
    cases = []  # (what, series, p)
    for n, phis, c, p in [(120, [0.6, -0.3], 2.0, 2), (80, [0.9], -1.0, 1), (200, [0.5, 0.2, -0.25], 5.0, 5),
                          (60, [1.2, -0.5], 0.3, 3), (150, [0.3], 10.0, 7)]:
        y = np.zeros(n + 50)
        for t in range(len(phis), n + 50):
            y[t] = c + sum(phi * y[t - k - 1] for k, phi in enumerate(phis)) + rng.normal()
        wide = np.column_stack([y[50:], rng.normal(size=n)])
        cases.append((f"a series of {n} values with p = {p}", wide[:, 0], p))  # a strided view
    for what, y, p in cases:
        expected = _ar_reference(y, p)
        with forbid("statsmodels.tsa.ar_model.AutoReg.fit", "statsmodels.regression.linear_model.OLS.fit",
                    "statsmodels.tsa.arima.model.ARIMA.fit", answer=answer,
                    instead="Build the design matrix and solve the least-squares problem with NumPy."):
            result = call(answer, y, p, name="fit_ar")
        if isinstance(result, (list, tuple)):
            raise Wrong(f"For {what} you returned a {type(result).__name__}; return a NumPy array (np.array(...)).")
        got = expect_array(result, f"For {what}", floating=True)
        if got.dtype != np.float64:
            raise Wrong(f"For {what} you returned an array of dtype {got.dtype}; keep float64, the dtype of the "
                        "series (a float32 fit loses digits).")
        if got.shape == (p,):
            raise Wrong(f"For {what} you returned {p} numbers: the intercept is missing. Return "
                        f"[c, phi_1, ..., phi_{p}], {p + 1} numbers.")
        if got.shape != (p + 1,):
            raise Wrong(f"For {what} you returned shape {got.shape}; expected ({p + 1},): [c, phi_1, ..., phi_{p}].")
        if np.allclose(got, expected, atol=1e-8, rtol=1e-6):
            continue
        why = matching_mistake(got, _ar_mistakes(y, p), atol=1e-6, rtol=1e-5)
        if why is None and np.allclose(got, expected, atol=1e-4, rtol=1e-3):
            why = (f"close, but not the least-squares solution: the largest difference is "
                   f"{np.abs(got - expected).max():.2g}, where ordinary least squares in float64 agrees with AutoReg "
                   "to about 1e-10. Did part of your computation run in float32, or did you add a penalty?")
        raise Wrong(f"For {what} you returned {np.array2string(got, precision=4)}, expected "
                    f"{np.array2string(expected, precision=4)}" + (f": {why}" if why else "."))
