"""Exercises of notebook 10 (LSTMs and GRUs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from course_utils.checks import (
    Wrong,
    assert_tensor_close,
    call,
    exercise,
    expect_defaults,
    expect_int,
    expect_tensor,
    forbid,
    forbid_kernels,
    matching_mistake,
    multiple_choice,
    randomize_module,
)

# Builtins that would do the exercise's work.
_LSTM_BUILTINS = ("torch.nn.LSTM", "torch.nn.LSTMCell", "torch.lstm", "torch.lstm_cell", "torch._VF.lstm",
                  "torch._VF.lstm_cell")
_GRU_BUILTINS = ("torch.nn.GRU", "torch.nn.GRUCell", "torch.gru", "torch.gru_cell", "torch._VF.gru",
                 "torch._VF.gru_cell")
_RNN_BUILTINS = ("torch.nn.RNN", "torch.nn.LSTM", "torch.nn.GRU", "torch.nn.RNNBase")
# The same kernels under names forbid cannot patch (torch._C._VariableFunctions.lstm_cell, torch.ops.aten.gru_cell),
# blocked by forbid_kernels by the prefix of the kernel's own name.
_LSTM_KERNELS = ("lstm", "_thnn_fused_lstm_cell", "quantized_lstm_cell")
_GRU_KERNELS = ("gru", "_thnn_fused_gru_cell", "quantized_gru_cell")
_LOSS_KERNELS = ("cross_entropy", "nll_loss")


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# ---------------------------------------------------------------- 10.1 the LSTM, unrolled


def _lstm_variant(x: torch.Tensor, w_ih: torch.Tensor, w_hh: torch.Tensor, b_ih: torch.Tensor | None,
                  b_hh: torch.Tensor | None, h: torch.Tensor, c: torch.Tensor, *, order: str = "ifgo",
                  candidate: Callable[[torch.Tensor], torch.Tensor] = torch.tanh, squash_c: bool = True,
                  forget: bool = True, old_c_for_h: bool = False, emit: str = "h",
                  ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """An LSTM with the usual mistakes as switches; the defaults are the right LSTM (nn.LSTM's).

    ``order`` says which gate each quarter of the stacked weights is read as.
    Returns (outputs, h_T, c_T).
    """
    outputs = []
    for t in range(x.shape[1]):
        pre = x[:, t] @ w_ih.T + h @ w_hh.T
        if b_ih is not None:
            pre = pre + b_ih
        if b_hh is not None:
            pre = pre + b_hh
        parts = dict(zip(order, pre.chunk(4, dim=1), strict=True))
        i, f, o = torch.sigmoid(parts["i"]), torch.sigmoid(parts["f"]), torch.sigmoid(parts["o"])
        g = candidate(parts["g"])
        c_new = (f * c if forget else c) + i * g
        h = o * (torch.tanh(c if old_c_for_h else c_new) if squash_c else c_new)
        c = c_new
        outputs.append(c if emit == "c" else h)
    return torch.stack(outputs, dim=1), h, c


def _lstm_mistakes(x: torch.Tensor, w_ih: torch.Tensor, w_hh: torch.Tensor, b_ih: torch.Tensor,
                   b_hh: torch.Tensor, h0: torch.Tensor, c0: torch.Tensor,
                   state_given: bool) -> list[tuple[Callable[[], Any], str]]:
    """(what a plausible mistake returns, as (outputs, h, c); the sentence that names it)."""
    def run(**switches: Any) -> Callable[[], Any]:
        return lambda: _lstm_variant(x, w_ih, w_hh, switches.pop("b_ih", b_ih), switches.pop("b_hh", b_hh),
                                     switches.pop("h", h0), switches.pop("c", c0), **switches)

    mistakes = [
        (run(order="figo"), "You read the first two quarters of the weights as (f, i): PyTorch stacks the gates in "
                            "the order (i, f, g, o), input gate first, then the forget gate."),
        (run(order="igfo"), "You read the gates in the order (i, g, f, o), the candidate second. PyTorch stacks "
                            "them as (i, f, g, o)."),
        (run(order="ifog"), "You read the last two quarters as (o, g): PyTorch stacks the gates as (i, f, g, o), "
                            "the candidate g third and the output gate o last."),
        (run(order="gifo"), "You read the candidate g first: PyTorch stacks the gates as (i, f, g, o)."),
        (run(candidate=torch.sigmoid), "Your candidate g goes through a sigmoid. The three gates (i, f, o) use a "
                                       "sigmoid (numbers between 0 and 1 that say how much passes); the candidate "
                                       "g uses tanh, so it can add or remove (values between -1 and 1)."),
        (run(squash_c=False), "You computed h = o * c. The output gate multiplies tanh(c), the squashed cell state: "
                              "h = o * tanh(c)."),
        (run(forget=False), "Your cell state never forgets: c = c + i * g is the 1997 LSTM, before Gers, "
                            "Schmidhuber and Cummins (2000) added the forget gate. Use c = f * c + i * g."),
        (run(old_c_for_h=True), "Your h uses the previous cell state: compute the new c first, then "
                                "h = o * tanh(c) with that new c."),
        (run(b_hh=None), "bias_hh is missing: PyTorch adds both bias vectors, "
                         "W_ih x + b_ih + W_hh h + b_hh."),
        (run(b_ih=None), "bias_ih is missing: PyTorch adds both bias vectors, "
                         "W_ih x + b_ih + W_hh h + b_hh."),
        (run(b_ih=None, b_hh=None), "Both biases are missing: PyTorch adds W_ih x + b_ih + W_hh h + b_hh."),
        (run(emit="c"), "Your outputs are the cell states c_t. The LSTM's per-step output is the hidden state "
                        "h_t; the cell state is the memory it keeps inside."),
    ]
    if state_given:
        zeros = torch.zeros_like(h0)
        mistakes += [
            (run(h=zeros, c=zeros), "You ignored the given state and started from zeros: start from state = "
                                    "(h0, c0) when it is given, from zeros only when it is None."),
            (run(h=c0, c=h0), "You unpacked the state the wrong way round: state is (h0, c0), hidden state "
                              "first, as nn.LSTM takes it."),
            (run(c=zeros), "You ignored c0 and started the cell state from zeros."),
            (run(h=zeros), "You ignored h0 and started the hidden state from zeros."),
        ]
    return mistakes


def _lstm_name_mistake(got: tuple[torch.Tensor, torch.Tensor, torch.Tensor], expected: tuple[torch.Tensor, ...],
                       mistakes: list[tuple[Callable[[], Any], str]]) -> str | None:
    out, h, c = got
    with torch.no_grad():
        for compute, why in mistakes:
            try:
                candidate = compute()
            except RuntimeError:
                continue
            if all(a.shape == b.shape and torch.allclose(a, b, atol=1e-5, rtol=1e-4)
                   for a, b in zip(got, candidate, strict=True)):
                return why
        e_out, e_h, e_c = expected
        if torch.allclose(h, e_c, atol=1e-5) and torch.allclose(c, e_h, atol=1e-5):
            return ("Your final state is (c, h): return (h_T, c_T), the hidden state first, as nn.LSTM does. "
                    "The cell state carries the long-term memory; the hidden state is the per-step output.")
        if out.shape == e_out.shape and e_out.shape[1] > 1:
            if torch.allclose(out[:, 1:], e_out[:, :-1], atol=1e-5):
                return ("Your outputs are shifted one step late: outputs[:, t] must be h_t, the state after "
                        "reading x_t (the initial state h0 is not an output).")
            if torch.allclose(out, e_out.flip(1), atol=1e-5):
                return "Your outputs are in reverse time order: outputs[:, t] is the hidden state after step t."
    return None


_LSTM_CASES = [  # (batch, steps, input_size, hidden_size): D != H, B = 1, T = 1 and T > 1
    (3, 5, 4, 6),
    (1, 7, 5, 3),
    (2, 1, 3, 5),
    (4, 6, 2, 2),
]


@exercise(
    "10.1",
    title="The LSTM, from its equations",
    hint=("Loop over the time steps. One product of x_t with weight_ih.T, one of h with weight_hh.T and both biases "
          "give the four gates' pre-activations at once, shape (batch, 4H): split them in PyTorch's order "
          "(i, f, g, o). Only one of the four goes through tanh. Update c first, then h from the new c."),
)
def check_lstm_forward(answer: Any) -> None:
    """The answer is lstm_forward(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None) -> (outputs, (h, c))."""
    expect_defaults(answer, "lstm_forward", state=None)
    for index, (b, t, d, hsize) in enumerate(_LSTM_CASES):
        lstm = randomize_module(nn.LSTM(d, hsize, batch_first=True), seed=1000 + index)
        # Larger biases than randomize_module's: gates far from 0.5 show mistakes better.
        with torch.no_grad():
            lstm.bias_ih_l0.mul_(3.0)
            lstm.bias_hh_l0.add_(torch.randn(lstm.bias_hh_l0.shape, generator=_gen(index)))
        g = _gen(10 + index)
        wide = torch.randn(b, t, d + 2, generator=g)
        x = wide[..., 1:1 + d]  # a view of a bigger tensor, as a slice of a batch would be
        h0, c0 = torch.randn(b, hsize, generator=g), 2 * torch.randn(b, hsize, generator=g)
        params = [lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0]
        weights = [p.detach().clone() for p in params]
        for state_given in (False, True):
            where = (f"For x of shape ({b}, {t}, {d}), hidden size {hsize}"
                     + (", with a given state (h0, c0)" if state_given else ", with state=None"))
            leaves = [x.detach().clone().requires_grad_(), *(w.clone().requires_grad_() for w in weights)]
            state_leaves = [h0.clone().requires_grad_(), c0.clone().requires_grad_()]
            # The expected values and gradients come from nn.LSTM itself, before the learner's code runs.
            lstm.zero_grad()
            if state_given:
                e_out, (e_h, e_c) = lstm(leaves[0], (state_leaves[0][None], state_leaves[1][None]))
            else:
                e_out, (e_h, e_c) = lstm(leaves[0])
            e_h, e_c = e_h[0], e_c[0]
            up = [torch.randn(e_out.shape, generator=g), torch.randn(e_h.shape, generator=g),
                  torch.randn(e_c.shape, generator=g)]
            ((e_out * up[0]).sum() + (e_h * up[1]).sum() + (e_c * up[2]).sum()).backward()
            e_grads = {"x": leaves[0].grad.clone(), "weight_ih": params[0].grad.clone(),
                       "weight_hh": params[1].grad.clone(), "bias_ih": params[2].grad.clone(),
                       "bias_hh": params[3].grad.clone()}
            if state_given:
                e_grads.update(h0=state_leaves[0].grad.clone(), c0=state_leaves[1].grad.clone())
            expected = (e_out.detach(), e_h.detach(), e_c.detach())
            leaves[0].grad = None
            # The learner's call: the real inputs (a view), the forbidden builtins blocked.
            x_leaf = wide.detach().clone().requires_grad_()
            x_view = x_leaf[..., 1:1 + d]
            args = [x_view, *leaves[1:]]
            kwargs = {"state": (state_leaves[0], state_leaves[1])} if state_given else {}
            for leaf in (*leaves[1:], *state_leaves):
                leaf.grad = None
            with forbid(*_LSTM_BUILTINS, answer=answer,
                        instead="Write the four gates and the two state updates yourself."), \
                    forbid_kernels(*_LSTM_KERNELS, instead= "Write the four gates and the two state updates yourself."):
                result = call(answer, *args, **kwargs) if state_given else call(answer, *args)
            if not isinstance(result, tuple) or len(result) != 2:
                raise Wrong(f"{where}: lstm_forward returned {type(result).__name__}"
                            + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
                            + "; return a pair (outputs, (h, c)), as nn.LSTM does.")
            if not isinstance(result[1], tuple) or len(result[1]) != 2:
                raise Wrong(f"{where}: the second item you returned is {type(result[1]).__name__}; it should be "
                            "the final state as a tuple (h, c), so that it can be passed back in as state.")
            out = expect_tensor(result[0], f"{where}, outputs", floating=True)
            h = expect_tensor(result[1][0], f"{where}, the final h", floating=True)
            c = expect_tensor(result[1][1], f"{where}, the final c", floating=True)
            if tuple(h.shape) == (1, b, hsize) or tuple(c.shape) == (1, b, hsize):
                raise Wrong(f"{where}: your final h or c has shape (1, {b}, {hsize}), nn.LSTM's layout with a "
                            f"layer axis. This exercise asks for (batch, hidden) = ({b}, {hsize}).")
            if tuple(out.shape) == (t, b, hsize) and t != b:
                raise Wrong(f"{where}: outputs has shape ({t}, {b}, {hsize}), time first. x is batch first, "
                            f"(batch, steps, features), so stack along dim=1: ({b}, {t}, {hsize}).")
            expect_tensor(out, f"{where}, outputs", shape=(b, t, hsize), dtype=x.dtype)
            expect_tensor(h, f"{where}, the final h", shape=(b, hsize), dtype=x.dtype)
            expect_tensor(c, f"{where}, the final c", shape=(b, hsize), dtype=x.dtype)
            close = all(torch.allclose(a.detach(), e, atol=1e-5, rtol=1e-4)
                        for a, e in zip((out, h, c), expected, strict=True))
            if not close:
                mistakes = _lstm_mistakes(x.detach(), *weights, h0, c0, state_given) if state_given else \
                    _lstm_mistakes(x.detach(), *weights, torch.zeros(b, hsize), torch.zeros(b, hsize), False)
                named = _lstm_name_mistake((out.detach(), h.detach(), c.detach()), expected, mistakes)
                if named:
                    raise Wrong(f"{where}: {named}")
                assert_tensor_close(out, expected[0], f"{where}, outputs (all the h_t)", atol=1e-5, rtol=1e-4)
                assert_tensor_close(h, expected[1], f"{where}, the final h", atol=1e-5, rtol=1e-4)
                assert_tensor_close(c, expected[2], f"{where}, the final c", atol=1e-5, rtol=1e-4)
            if not h.requires_grad or not out.requires_grad:
                raise Wrong(f"{where}: your outputs are right but autograd cannot backpropagate through them "
                            "(.detach(), .data, torch.no_grad() or NumPy somewhere).")
            ((out * up[0]).sum() + (h * up[1]).sum() + (c * up[2]).sum()).backward()
            got_grads = {"x": x_leaf.grad[..., 1:1 + d] if x_leaf.grad is not None else None,
                         "weight_ih": leaves[1].grad, "weight_hh": leaves[2].grad,
                         "bias_ih": leaves[3].grad, "bias_hh": leaves[4].grad}
            if state_given:
                got_grads.update(h0=state_leaves[0].grad, c0=state_leaves[1].grad)
            for name, grad in e_grads.items():
                if got_grads[name] is None:
                    raise Wrong(f"{where}: the result does not depend on {name} through autograd: use the "
                                "tensors you are given (not copies made with .detach() or torch.tensor).")
                assert_tensor_close(got_grads[name], grad, f"{where}, the gradient with respect to {name}",
                                    atol=1e-4, rtol=1e-3)


# ---------------------------------------------------------------- 10.2 one GRU step, PyTorch's form


def _gru_variant(x: torch.Tensor, h: torch.Tensor, w_ih: torch.Tensor, w_hh: torch.Tensor,
                 b_ih: torch.Tensor | None, b_hh: torch.Tensor | None, *, order: str = "rzn",
                 reset: str = "after", blend: str = "pytorch",
                 candidate: Callable[[torch.Tensor], torch.Tensor] = torch.tanh) -> torch.Tensor:
    """A GRU step with the usual mistakes as switches; the defaults are PyTorch's GRU."""
    b_ih = torch.zeros(w_ih.shape[0]) if b_ih is None else b_ih
    b_hh = torch.zeros(w_hh.shape[0]) if b_hh is None else b_hh
    gx = dict(zip(order, (x @ w_ih.T + b_ih).chunk(3, dim=1), strict=True))
    w = dict(zip(order, w_hh.chunk(3, dim=0), strict=True))
    bh = dict(zip(order, b_hh.chunk(3), strict=True))
    r = torch.sigmoid(gx["r"] + h @ w["r"].T + bh["r"])
    z = torch.sigmoid(gx["z"] + h @ w["z"].T + bh["z"])
    if reset == "after":            # PyTorch: r * (W_hn h + b_hn)
        n = candidate(gx["n"] + r * (h @ w["n"].T + bh["n"]))
    elif reset == "before":         # the paper: W_hn (r * h) + b_hn
        n = candidate(gx["n"] + (r * h) @ w["n"].T + bh["n"])
    elif reset == "bias outside":   # r * (W_hn h) + b_hn
        n = candidate(gx["n"] + r * (h @ w["n"].T) + bh["n"])
    else:                           # no reset gate at all
        n = candidate(gx["n"] + h @ w["n"].T + bh["n"])
    if blend == "pytorch":
        return (1 - z) * n + z * h
    if blend == "swapped":
        return z * n + (1 - z) * h
    return n


def _gru_mistakes(x: torch.Tensor, h: torch.Tensor, w_ih: torch.Tensor, w_hh: torch.Tensor, b_ih: torch.Tensor,
                  b_hh: torch.Tensor) -> list[tuple[Callable[[], torch.Tensor], str]]:
    def run(**switches: Any) -> Callable[[], torch.Tensor]:
        return lambda: _gru_variant(x, h, w_ih, w_hh, switches.pop("b_ih", b_ih), switches.pop("b_hh", b_hh),
                                    **switches)

    return [
        (run(reset="before"), "You applied the reset gate before the recurrent product, W_hn (r * h) + b_hn: that "
                              "is the paper's form (Cho et al. 2014). PyTorch multiplies after it, bias "
                              "included: n = tanh(W_in x + b_in + r * (W_hn h + b_hn))."),
        (run(reset="bias outside"), "Your reset gate multiplies W_hn h but not b_hn. In PyTorch the bias is inside: "
                                    "r * (W_hn h + b_hn)."),
        (run(reset="none"), "Your candidate ignores the reset gate r: n = tanh(W_in x + b_in + r * (W_hn h + b_hn))."),
        (run(blend="swapped"), "You blended the wrong way round: PyTorch keeps the old state where z is 1, "
                               "h' = (1 - z) * n + z * h."),
        (run(blend="candidate"), "You returned the candidate n. The new state blends it with the old one: "
                                 "h' = (1 - z) * n + z * h."),
        (run(order="zrn"), "You read the gates in the order (z, r, n): PyTorch stacks them as (r, z, n), reset "
                           "gate first."),
        (run(order="rnz"), "You read the last two thirds as (n, z): PyTorch stacks the gates as (r, z, n)."),
        (run(order="nrz"), "You read the candidate first: PyTorch stacks the gates as (r, z, n)."),
        (run(candidate=torch.sigmoid), "Your candidate n goes through a sigmoid: the gates r and z use sigmoids, "
                                       "the candidate uses tanh."),
        (run(b_hh=None), "bias_hh is missing: PyTorch adds both bias vectors (and b_hn sits inside the reset "
                         "gate's product)."),
        (run(b_ih=None), "bias_ih is missing: PyTorch adds both bias vectors."),
    ]


_GRU_CASES = [(3, 4, 6), (1, 5, 3), (4, 2, 2), (2, 7, 5)]  # (batch, input_size, hidden_size)


@exercise(
    "10.2",
    title="One GRU step, PyTorch's form",
    hint=("Compute the input part (x, weight_ih, bias_ih) and the recurrent part (h, weight_hh, bias_hh) separately "
          "and split each into three chunks in the order (r, z, n). In PyTorch's form the reset gate multiplies "
          "the whole recurrent chunk of n, its bias included. Where z is 1 the old state is kept."),
)
def check_gru_step(answer: Any) -> None:
    """The answer is gru_step(x, h, weight_ih, weight_hh, bias_ih, bias_hh) -> the new h."""
    for index, (b, d, hsize) in enumerate(_GRU_CASES):
        cell = randomize_module(nn.GRUCell(d, hsize), seed=2000 + index)
        with torch.no_grad():  # larger biases: gates far from 0.5 show the mistakes better
            cell.bias_ih.mul_(3.0)
            cell.bias_hh.add_(2 * torch.randn(cell.bias_hh.shape, generator=_gen(index)))
        g = _gen(20 + index)
        x, h = torch.randn(b, d, generator=g), 1.5 * torch.randn(b, hsize, generator=g)
        where = f"For x of shape ({b}, {d}) and h of shape ({b}, {hsize})"
        params = [cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh]
        xl, hl = x.clone().requires_grad_(), h.clone().requires_grad_()
        cell.zero_grad()
        expected = cell(xl, hl)
        up = torch.randn(expected.shape, generator=g)
        (expected * up).sum().backward()
        e_grads = {"x": xl.grad, "h": hl.grad, "weight_ih": params[0].grad, "weight_hh": params[1].grad,
                   "bias_ih": params[2].grad, "bias_hh": params[3].grad}
        leaves = [x.clone().requires_grad_(), h.clone().requires_grad_(),
                  *(p.detach().clone().requires_grad_() for p in params)]
        with forbid(*_GRU_BUILTINS, answer=answer, instead="Write the two gates and the candidate yourself."), \
                forbid_kernels(*_GRU_KERNELS, instead= "Write the two gates and the candidate yourself."):
            got = call(answer, *leaves, name="gru_step")
        got = expect_tensor(got, where, shape=(b, hsize), floating=True)
        expect_tensor(got, where, dtype=x.dtype)
        if not torch.allclose(got.detach(), expected.detach(), atol=1e-5, rtol=1e-4):
            named = matching_mistake(got.detach(), _gru_mistakes(x, h, *(p.detach() for p in params)), atol=1e-5,
                                     rtol=1e-4)
            if named:
                raise Wrong(f"{where}: {named}")
            assert_tensor_close(got, expected, f"{where}, the new h", atol=1e-5, rtol=1e-4)
        if not got.requires_grad:
            raise Wrong(f"{where}: your result is right but autograd cannot backpropagate through it.")
        (got * up).sum().backward()
        for (name, grad), leaf in zip(e_grads.items(), leaves, strict=True):
            if leaf.grad is None:
                raise Wrong(f"{where}: the result does not depend on {name} through autograd.")
            assert_tensor_close(leaf.grad, grad, f"{where}, the gradient with respect to {name}", atol=1e-4,
                                rtol=1e-3)


# ---------------------------------------------------------------- 10.3 predict: the adding problem

exercise(
    "10.3",
    title="Which network solves the adding problem?",
    hint=("The network must carry a number from the moment it sees its marker to the very last step, up to 49 "
          "steps later, and training must discover that it should: the gradient that teaches it has to travel "
          "back just as far. Section 1 measured what is left of such a gradient after 50 steps."),
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "Both have enough units to add two numbers; the hard part is learning to remember them for up to 49 "
                 "steps. The plain RNN's gradient through that many tanh steps is tiny, so it never learns what "
                 "the markers mean and stays at the baseline.",
            "b": "Right: the plain RNN stays at the baseline of 1/6, the LSTM goes far below it. Its cell state "
                 "carries a number unchanged as long as the forget gate is near 1, and so does the gradient.",
            "c": "Fewer parameters do not make a long memory easier to learn: the plain RNN's gradient through up "
                 "to 49 tanh steps is tiny, so it stays at the baseline.",
            "d": "50 steps is not too long for an LSTM: its cell state can carry a number (and the gradient) "
                 "across all of them; Hochreiter and Schmidhuber (1997) solved the adding problem at lengths of "
                 "100 and more.",
        },
    )
)


# ---------------------------------------------------------------- 10.4 stacked and bidirectional shapes


def _shapes(batch: int, steps: int, hidden: int, layers: int, directions: int
            ) -> tuple[tuple[int, ...], tuple[int, ...]]:
    return (batch, steps, directions * hidden), (layers * directions, batch, hidden)


def _shape_of(value: Any, what: str) -> tuple[int, ...]:
    if isinstance(value, torch.Size):
        value = tuple(value)
    if isinstance(value, list):
        raise Wrong(f"{what}: you returned a list {value}; return a tuple, as the exercise asks. A list never "
                    "equals a shape: torch.Size([2, 5]) == [2, 5] is False, torch.Size([2, 5]) == (2, 5) is True.")
    if not isinstance(value, tuple):
        raise Wrong(f"{what}: expected a tuple of whole numbers such as (2, 5, 8), got {type(value).__name__}.")
    return tuple(expect_int(size, what) for size in value)


@exercise(
    "10.4",
    title="Shapes of a stacked, bidirectional LSTM",
    hint=("Read the Outputs part of nn.LSTM's documentation and note which of the two results batch_first "
          "rearranges. Then ask, for each result: which layers does it hold, and how are the two directions "
          "combined?"),
)
def check_lstm_shapes(answer: Any) -> None:
    """The answer is lstm_shapes(batch, steps, input_size, hidden_size, num_layers=1, bidirectional=False)."""
    expect_defaults(answer, "lstm_shapes", num_layers=1, bidirectional=False)
    cases = [(3, 7, 5, 4, 2, True), (2, 5, 3, 6, 1, False), (1, 4, 2, 3, 3, True), (5, 2, 7, 2, 2, False),
             (4, 9, 6, 5, 1, True), (6, 3, 4, 8, 3, False)]
    for batch, steps, d, hidden, layers, bidirectional in [(*case[:4], None, None) for case in cases[:2]] + cases:
        default = layers is None
        layers_, bi = (1, False) if default else (layers, bidirectional)
        expected = _shapes(batch, steps, hidden, layers_, 2 if bi else 1)
        call_text = (f"lstm_shapes({batch}, {steps}, {d}, {hidden}" +
                     (")" if default else f", num_layers={layers}, bidirectional={bidirectional})"))
        with forbid(*_RNN_BUILTINS, answer=answer, instead="Work the shapes out from the rules, without building "
                                                           "a network."):
            if default:
                result = call(answer, batch, steps, d, hidden)
            else:
                result = call(answer, batch, steps, d, hidden, num_layers=layers, bidirectional=bidirectional)
        if not isinstance(result, tuple) or len(result) != 2:
            raise Wrong(f"{call_text} returned {type(result).__name__}; return a pair (output_shape, h_n_shape).")
        out, h_n = _shape_of(result[0], f"{call_text}, output's shape"), _shape_of(result[1],
                                                                                    f"{call_text}, h_n's shape")
        dirs = 2 if bi else 1
        if out != expected[0]:
            if out == (steps, batch, dirs * hidden) and steps != batch:
                raise Wrong(f"{call_text}: output's shape {out} is time first; with batch_first=True it is "
                            f"(batch, steps, features) = {expected[0]}.")
            if bi and out == (batch, steps, hidden):
                raise Wrong(f"{call_text}: output's shape {out} has one direction only. A bidirectional LSTM puts "
                            f"both directions' h_t side by side: {2 * hidden} features.")
            if layers_ > 1 and out[2] == layers_ * dirs * hidden:
                raise Wrong(f"{call_text}: output holds the last layer's h_t only, not every layer's: "
                            f"{expected[0]}.")
            raise Wrong(f"{call_text}: output's shape is {expected[0]}, not {out}.")
        if h_n != expected[1]:
            if h_n == (batch, layers_ * dirs, hidden) and batch != layers_ * dirs:
                raise Wrong(f"{call_text}: h_n's shape {h_n} is batch first, but batch_first applies to output "
                            f"only: h_n is always (layers * directions, batch, hidden) = {expected[1]}.")
            if bi and h_n == (layers_, batch, hidden):
                raise Wrong(f"{call_text}: h_n's shape {h_n} leaves out the backward direction: it holds one "
                            f"final state per layer and direction, {expected[1]}.")
            if bi and h_n == (layers_, batch, 2 * hidden):
                raise Wrong(f"{call_text}: h_n stacks the two directions along its first axis, not side by side "
                            f"along the features: {expected[1]}.")
            if layers_ > 1 and h_n[0] == dirs:
                raise Wrong(f"{call_text}: h_n holds the final state of every layer, not only the last: "
                            f"{expected[1]}.")
            if h_n == (layers_ * dirs, batch, d) and d != hidden:
                raise Wrong(f"{call_text}: h_n has hidden_size features, not input_size: {expected[1]}.")
            raise Wrong(f"{call_text}: h_n's shape is {expected[1]}, not {h_n}.")


# ---------------------------------------------------------------- 10.5 nats per character, padding masked

_LOSS_BUILTINS = ("torch.nn.functional.cross_entropy", "torch.nn.functional.nll_loss", "torch.nn.CrossEntropyLoss",
                  "torch.nn.NLLLoss")


def _nll_cases() -> list[tuple[torch.Tensor, torch.Tensor]]:
    """(logits, targets) with names of different lengths padded with -1; V and the lengths vary."""
    g = _gen(1050)
    cases = []
    for batch, steps, vocab in [(4, 6, 5), (1, 5, 7), (3, 9, 4), (6, 3, 11)]:
        logits = 2 * torch.randn(batch, steps, vocab, generator=g)
        targets = torch.randint(0, vocab, (batch, steps), generator=g)
        lengths = torch.randint(1, steps + 1, (batch,), generator=g)
        lengths[0] = steps  # one full row, so the padding is never all that varies
        if batch > 2:
            lengths[1] = 1  # and one name of a single predicted character
        targets[torch.arange(steps)[None, :] >= lengths[:, None]] = -1
        cases.append((logits, targets))
    return cases


def _nll_mistakes(logits: torch.Tensor, targets: torch.Tensor) -> list[tuple[Callable[[], Any], str]]:
    valid = targets >= 0
    safe = targets.clamp(min=0)
    log_p = torch.log_softmax(logits, dim=-1).gather(-1, safe[..., None])[..., 0]
    per_position = -log_p
    per_name = (per_position * valid).sum(1) / valid.sum(1)
    return [
        (lambda: per_position.mean(), "You averaged over every position, padding included: only the positions whose "
                                      "target is not -1 count, in the sum and in the number you divide by."),
        (lambda: (per_position * valid).sum() / valid.numel(), "You set the padding's loss to 0 but still divided by "
                                                               "every position: divide by the number of positions "
                                                               "whose target is not -1."),
        (lambda: per_name.mean(), "You averaged each name's mean: that weighs the characters of a short name more. "
                                  "Average over all predicted characters at once (sum of -log p over the valid "
                                  "positions, divided by their number)."),
        (lambda: (per_position * valid).sum(), "You returned the sum: divide by the number of predicted characters "
                                               "to get nats per character."),
        (lambda: (per_position * valid).sum() / valid.sum() / torch.log(torch.tensor(2.0)),
         "You measured in bits (log base 2): nats use the natural logarithm."),
        (lambda: -(per_position * valid).sum() / valid.sum(), "The sign is wrong: the loss is the mean of -log p, a "
                                                              "positive number."),
        (lambda: -(torch.softmax(logits, -1).gather(-1, safe[..., None])[..., 0] * valid).sum() / valid.sum(),
         "You averaged probabilities, not log-probabilities: take log_softmax, then the mean of -log p."),
        (lambda: -(torch.log_softmax(logits, dim=1).gather(-1, safe[..., None])[..., 0] * valid).sum() / valid.sum(),
         "Your log_softmax runs over the time axis: each position's distribution is over the vocabulary, the "
         "last axis (dim=-1)."),
        (lambda: -(logits.gather(-1, safe[..., None])[..., 0] * valid).sum() / valid.sum(),
         "You used the raw logits as log-probabilities: normalise them with log_softmax first."),
        (lambda: (per_position * (targets > 0)).sum() / (targets > 0).sum(),
         "You left out the positions whose target is 0, the end token '.': only -1 marks padding, and predicting "
         "where a name ends is part of the score."),
        (lambda: (per_position * ~valid).sum() / (~valid).sum(), "Your mask has the opposite meaning: you averaged "
                                                                 "over the padding (target -1) and left out the "
                                                                 "real characters."),
        (lambda: (per_position * valid).sum() / targets.shape[0], "You divided by the number of names (the batch "
                                                                  "size): divide by the number of predicted "
                                                                  "characters, the positions whose target is not -1."),
        (lambda: -torch.log_softmax(logits, dim=-1).gather(-1, (targets % logits.shape[-1])[..., None]).mean(),
         "You indexed with the -1 targets unmasked: in Python and PyTorch index -1 is the last token, so the "
         "padding counted as predictions of it. Mask those positions out."),
    ]


@exercise(
    "10.5",
    title="Nats per character, padding masked",
    hint=("A position whose target is -1 must count neither in the sum nor in the number you divide by. And -1 is "
          "not an index you can pick with (or it is one, the last token, which is worse): give those positions "
          "any valid id for the picking, then mask them out."),
)
def check_masked_nll(answer: Any) -> None:
    """The answer is masked_nll(logits, targets) -> a 0-d tensor: mean of -log p over the unpadded positions."""
    for logits, targets in _nll_cases():
        b, t, v = logits.shape
        where = f"For logits of shape ({b}, {t}, {v}) and {int((targets >= 0).sum())} predicted characters"
        leaf = logits.clone().requires_grad_()
        valid = targets >= 0
        expected = -(torch.log_softmax(leaf, -1).gather(-1, targets.clamp(min=0)[..., None])[..., 0]
                     * valid).sum() / valid.sum()
        expected.backward()
        e_grad = leaf.grad.clone()
        mine = logits.clone().requires_grad_()
        with forbid(*_LOSS_BUILTINS, answer=answer, instead="Build it from torch.log_softmax."), \
                forbid_kernels(*_LOSS_KERNELS, instead= "Build it from torch.log_softmax."):
            got = call(answer, mine, targets, name="masked_nll")
        got = expect_tensor(got, where, floating=True)
        expect_tensor(got, where, dtype=logits.dtype)
        if got.dim() != 0:
            raise Wrong(f"{where}: expected one number (a 0-d tensor), got shape {tuple(got.shape)}: average over "
                        "every predicted character of every name.")
        if not torch.allclose(got.detach(), expected.detach(), atol=1e-6, rtol=1e-5):
            named = matching_mistake(got.detach(), _nll_mistakes(logits, targets), atol=1e-6, rtol=1e-5)
            if named:
                raise Wrong(f"{where}: {named}")
            assert_tensor_close(got, expected, where)
        if not got.requires_grad:
            raise Wrong(f"{where}: the value is right but autograd cannot backpropagate through it "
                        "(.item(), .detach(), NumPy or torch.no_grad() somewhere); a loss must stay a tensor.")
        got.backward()
        if mine.grad is None:
            raise Wrong(f"{where}: the result does not depend on the logits through autograd.")
        assert_tensor_close(mine.grad, e_grad, f"{where}, the gradient with respect to the logits")
    # Large logits: log_softmax stays finite where log(softmax) does not.
    logits = torch.tensor([[[0.0, 200.0, -200.0], [50.0, -50.0, 0.0]]])
    targets = torch.tensor([[2, -1]])
    got = expect_tensor(call(answer, logits, targets, name="masked_nll"), "For large logits", floating=True)
    if not torch.isfinite(got).all():
        raise Wrong("For logits as large as 200, your loss is inf or nan: use torch.log_softmax, which stays finite, "
                    "rather than the log of a softmax.")
    assert_tensor_close(got, torch.tensor(400.0), "For logits (0, 200, -200) and target 2", atol=1e-3)


# ---------------------------------------------------------------- 10.6 temperature


def _temperature_mistakes(logits: torch.Tensor, temperature: float) -> list[tuple[Callable[[], Any], str]]:
    t = temperature
    return [
        (lambda: torch.softmax(logits * t, dim=-1), "You multiplied the logits by the temperature: divide them, "
                                                    "so that a temperature below 1 sharpens the distribution."),
        (lambda: torch.softmax(logits, dim=-1) ** (1 / t), "You raised the probabilities to the power 1/T without "
                                                           "normalising them again: they no longer sum to 1."),
        (lambda: torch.softmax(logits, dim=-1) / t, "You divided the probabilities by T after the softmax: divide "
                                                    "the logits before it."),
        (lambda: logits / t, "You returned the scaled logits: apply the softmax to turn them into probabilities."),
        (lambda: torch.log_softmax(logits / t, dim=-1), "You returned log-probabilities: return the probabilities "
                                                       "themselves (softmax, not log_softmax)."),
        (lambda: torch.softmax(logits / t, dim=0), "Your softmax runs over the first axis: each row of logits is "
                                                   "one distribution over the vocabulary, so use dim=-1."),
        (lambda: torch.softmax(logits, dim=-1), "Your probabilities ignore the temperature: divide the logits by it."),
    ]


@exercise(
    "10.6",
    title="Temperature",
    hint=("Divide the logits by the temperature before the softmax, which runs over the last axis. Temperature 0 "
          "is a case of its own: you cannot divide by it, and its limit puts all the probability on the largest "
          "logit."),
)
def check_temperature(answer: Any) -> None:
    """The answer is temperature_probs(logits, temperature=1.0) -> probabilities of the logits' shape."""
    expect_defaults(answer, "temperature_probs", temperature=1.0)
    g = _gen(105)
    cases = [(torch.randn(7, generator=g) * 3, None), (torch.randn(4, 9, generator=g) * 2, 0.5),
             (torch.randn(9, 4, generator=g), 2.0), (torch.randn(1, 27, generator=g) * 4, 0.8),
             (torch.randn(3, 6, generator=g) * 50 + 400, 1.0), (torch.randn(5, 11, generator=g), 1.7)]
    for logits, temperature in cases:
        t = 1.0 if temperature is None else temperature
        where = (f"For logits of shape {tuple(logits.shape)}"
                 + (" with the default temperature" if temperature is None else f" at temperature {temperature}"))
        expected = torch.softmax(logits / t, dim=-1)
        got = call(answer, logits) if temperature is None else call(answer, logits, temperature)
        got = expect_tensor(got, where, floating=True)
        expect_tensor(got, where, dtype=logits.dtype)
        if not (got.shape == expected.shape and torch.allclose(got, expected, atol=1e-6, rtol=1e-5)):
            if got.shape == expected.shape and not torch.isfinite(got).all():
                raise Wrong(f"{where}: your probabilities contain nan or inf. Subtract each row's largest logit "
                            "before exponentiating (torch.softmax does this for you).")
            named = matching_mistake(got, _temperature_mistakes(logits, t))
            if named:
                raise Wrong(f"{where}: {named}")
            assert_tensor_close(got, expected, where)
    # Temperature 0: greedy, a one-hot at the argmax of each row (the first one if several tie).
    for logits in (torch.tensor([0.5, 2.0, -1.0, 2.0]), torch.randn(3, 5, generator=g)):
        where = f"For logits of shape {tuple(logits.shape)} at temperature 0"
        expected = F.one_hot(logits.argmax(-1), logits.shape[-1]).float()
        try:
            got = call(answer, logits, 0.0)
        except ZeroDivisionError as error:
            raise Wrong(f"{where}: your function divides by zero. Temperature 0 means greedy: return a one-hot "
                        "tensor with 1.0 at the argmax.") from error
        got = expect_tensor(got, where, floating=True)
        expect_tensor(got, where, dtype=logits.dtype)
        if got.shape == expected.shape and not torch.isfinite(got).all():
            raise Wrong(f"{where}: your probabilities contain nan or inf: dividing by 0 does not work. Treat "
                        "temperature 0 on its own: a one-hot tensor with 1.0 at the argmax of each row.")
        assert_tensor_close(got, expected, f"{where} (greedy: one-hot at the argmax, the first one if several tie)")
