"""Answers for the exercises of notebook 10."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

# ---------------------------------------------------------------- 10.1 the LSTM, unrolled


def lstm_forward_stub(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):
    # Your code here: loop over the time steps; the four gates, then c and h.
    ...


def _lstm(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None, *, order="ifgo", cand=torch.tanh,
          squash=True, forget=True, old_c=False, emit="h", use_bih=True, use_bhh=True, swap_return=False,
          swap_state=False, ignore_state=False, shift=False):
    """The reference LSTM with switches that reproduce a learner's mistake."""
    b, steps, _ = x.shape
    hidden = weight_hh.shape[1]
    if state is None or ignore_state:
        h = x.new_zeros(b, hidden)
        c = x.new_zeros(b, hidden)
    else:
        h, c = state
        if swap_state:
            h, c = c, h
    outputs = [h] if shift else []
    for t in range(steps):
        z = x[:, t] @ weight_ih.T + h @ weight_hh.T
        if use_bih:
            z = z + bias_ih
        if use_bhh:
            z = z + bias_hh
        gates = dict(zip(order, z.chunk(4, dim=1), strict=True))
        i, f, o = torch.sigmoid(gates["i"]), torch.sigmoid(gates["f"]), torch.sigmoid(gates["o"])
        g = cand(gates["g"])
        c_new = (f * c if forget else c) + i * g
        h = o * (torch.tanh(c if old_c else c_new) if squash else c_new)
        c = c_new
        outputs.append(c if emit == "c" else h)
    if shift:
        outputs = outputs[:-1]
    out = torch.stack(outputs, dim=1)
    return (out, (c, h)) if swap_return else (out, (h, c))


def _lstm_with(name, **switches):
    def answer(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):
        return _lstm(x, weight_ih, weight_hh, bias_ih, bias_hh, state, **switches)

    answer.__name__ = name
    return answer


def lstm_time_first(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):
    out, (h, c) = _lstm(x, weight_ih, weight_hh, bias_ih, bias_hh, state)
    return out.transpose(0, 1), (h, c)


def lstm_layer_axis(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):
    out, (h, c) = _lstm(x, weight_ih, weight_hh, bias_ih, bias_hh, state)
    return out, (h[None], c[None])


def lstm_builtin(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):
    lstm = nn.LSTM(x.shape[2], weight_hh.shape[1], batch_first=True)
    with torch.no_grad():
        for p, w in zip(lstm.parameters(), (weight_ih, weight_hh, bias_ih, bias_hh), strict=True):
            p.copy_(w)
    out, (h, c) = lstm(x) if state is None else lstm(x, (state[0][None], state[1][None]))
    return out, (h[0], c[0])


def lstm_cell_builtin(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):
    b, hidden = x.shape[0], weight_hh.shape[1]
    h, c = (x.new_zeros(b, hidden), x.new_zeros(b, hidden)) if state is None else state
    outs = []
    for t in range(x.shape[1]):
        h, c = torch.lstm_cell(x[:, t], (h, c), weight_ih, weight_hh, bias_ih, bias_hh)
        outs.append(h)
    return torch.stack(outs, 1), (h, c)


def lstm_detached(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):
    out, (h, c) = _lstm(x.detach(), weight_ih.detach(), weight_hh.detach(), bias_ih.detach(), bias_hh.detach(),
                        None if state is None else (state[0].detach(), state[1].detach()))
    return out, (h, c)


def lstm_in_place(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):
    out, (h, c) = _lstm(x, weight_ih, weight_hh, bias_ih, bias_hh, state)
    if state is not None:
        state[0].data.copy_(h.detach())  # "keep the state for next time"
    return out, (h, c)


def lstm_reversed(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):
    out, (h, c) = _lstm(x, weight_ih, weight_hh, bias_ih, bias_hh, state)
    return out.flip(1), (h, c)


def lstm_list_return(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):
    out, (h, c) = _lstm(x, weight_ih, weight_hh, bias_ih, bias_hh, state)
    return out, [h, c]


def lstm_hidden_from_input(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):
    """Takes the hidden size from x (right only when D == H)."""
    hidden = x.shape[2]
    if state is None:
        state = (torch.zeros(x.shape[0], hidden), torch.zeros(x.shape[0], hidden))
    return _lstm(x, weight_ih, weight_hh, bias_ih, bias_hh, state)


def lstm_transposed_weights(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):
    return _lstm(x, weight_ih.T.reshape(weight_ih.shape), weight_hh.T.reshape(weight_hh.shape), bias_ih, bias_hh,
                 state)


def lstm_last_output_only(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):
    _, (h, c) = _lstm(x, weight_ih, weight_hh, bias_ih, bias_hh, state)
    return h, (h, c)


def lstm_all_sigmoid(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):
    """Sigmoid on the candidate and no tanh on the cell: two mistakes at once."""
    return _lstm(x, weight_ih, weight_hh, bias_ih, bias_hh, state, cand=torch.sigmoid, squash=False)


def lstm_squeezed(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):
    """squeeze() 'to tidy the shapes': wrong for a batch of one or a single step."""
    out, (h, c) = _lstm(x, weight_ih, weight_hh, bias_ih, bias_hh, state)
    return out.squeeze(), (h.squeeze(), c.squeeze())


# Right answers written differently.


def lstm_one_matmul(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):
    """All input projections at once, then a cell step with split weights."""
    b, steps, _ = x.shape
    hidden = weight_hh.shape[1]
    h, c = (torch.zeros(b, hidden), torch.zeros(b, hidden)) if state is None else state
    projected = x @ weight_ih.T + bias_ih  # (B, T, 4H)
    outputs = []
    for t in range(steps):
        z = projected[:, t] + F.linear(h, weight_hh, bias_hh)
        i, f, g, o = z.split(hidden, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        outputs.append(h.unsqueeze(1))
    return torch.cat(outputs, dim=1), (h, c)


def lstm_by_slices(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):
    hidden = weight_hh.shape[1]
    w = {name: (weight_ih[k * hidden:(k + 1) * hidden], weight_hh[k * hidden:(k + 1) * hidden],
                bias_ih[k * hidden:(k + 1) * hidden] + bias_hh[k * hidden:(k + 1) * hidden])
         for k, name in enumerate("ifgo")}
    if state is None:
        h = torch.zeros(x.shape[0], hidden, dtype=x.dtype)
        c = torch.zeros_like(h)
    else:
        h, c = state[0], state[1]
    out = torch.empty(x.shape[0], 0, hidden)
    for t in range(x.shape[1]):
        pre = {k: x[:, t] @ wi.T + h @ wh.T + bb for k, (wi, wh, bb) in w.items()}
        c = torch.sigmoid(pre["f"]) * c + torch.sigmoid(pre["i"]) * torch.tanh(pre["g"])
        h = torch.sigmoid(pre["o"]) * torch.tanh(c)
        out = torch.cat([out, h[:, None]], dim=1)
    return out, (h, c)


# ---------------------------------------------------------------- 10.2 one GRU step


def gru_step_stub(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    # Your code here: r and z, the candidate n, then the blend.
    ...


def _gru(x, h, weight_ih, weight_hh, bias_ih, bias_hh, *, order="rzn", reset="after", blend="pytorch",
         cand=torch.tanh, use_bih=True, use_bhh=True):
    gx = x @ weight_ih.T + (bias_ih if use_bih else 0)
    gh_raw = h @ weight_hh.T
    b_hh = bias_hh if use_bhh else torch.zeros_like(bias_hh)
    idx = {name: k for k, name in enumerate(order)}
    x_c, h_c, w_c, b_c = gx.chunk(3, 1), gh_raw.chunk(3, 1), weight_hh.chunk(3, 0), b_hh.chunk(3)
    r = torch.sigmoid(x_c[idx["r"]] + h_c[idx["r"]] + b_c[idx["r"]])
    z = torch.sigmoid(x_c[idx["z"]] + h_c[idx["z"]] + b_c[idx["z"]])
    k = idx["n"]
    if reset == "after":
        n = cand(x_c[k] + r * (h_c[k] + b_c[k]))
    elif reset == "before":
        n = cand(x_c[k] + (r * h) @ w_c[k].T + b_c[k])
    elif reset == "bias outside":
        n = cand(x_c[k] + r * h_c[k] + b_c[k])
    else:
        n = cand(x_c[k] + h_c[k] + b_c[k])
    if blend == "pytorch":
        return (1 - z) * n + z * h
    if blend == "swapped":
        return z * n + (1 - z) * h
    return n


def _gru_with(name, **switches):
    def answer(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
        return _gru(x, h, weight_ih, weight_hh, bias_ih, bias_hh, **switches)

    answer.__name__ = name
    return answer


def gru_builtin(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    return torch.gru_cell(x, h, weight_ih, weight_hh, bias_ih, bias_hh)


def gru_module(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    cell = nn.GRUCell(x.shape[1], h.shape[1])
    with torch.no_grad():
        for p, w in zip(cell.parameters(), (weight_ih, weight_hh, bias_ih, bias_hh), strict=True):
            p.copy_(w)
    return cell(x, h)


def gru_numpy(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    out = _gru(x.detach(), h.detach(), weight_ih.detach(), weight_hh.detach(), bias_ih.detach(), bias_hh.detach())
    return torch.tensor(out.numpy())


def gru_in_place(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    new = _gru(x, h, weight_ih, weight_hh, bias_ih, bias_hh)
    h.data.copy_(new.detach())
    return new


def gru_hardcoded(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    """Sizes of one example hard-coded (hidden size 6)."""
    gx, gh = x @ weight_ih.T + bias_ih, h @ weight_hh.T + bias_hh
    r = torch.sigmoid(gx[:, :6] + gh[:, :6])
    z = torch.sigmoid(gx[:, 6:12] + gh[:, 6:12])
    n = torch.tanh(gx[:, 12:] + r * gh[:, 12:])
    return (1 - z) * n + z * h


def gru_split(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    hidden = h.shape[1]
    x_r, x_z, x_n = F.linear(x, weight_ih, bias_ih).split(hidden, dim=1)
    h_r, h_z, h_n = F.linear(h, weight_hh, bias_hh).split(hidden, dim=1)
    r = torch.sigmoid(x_r + h_r)
    z = torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    return n + z * (h - n)


def gru_addmm(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    hidden = h.shape[1]
    gx = torch.addmm(bias_ih, x, weight_ih.t())
    gh = torch.addmm(bias_hh, h, weight_hh.t())
    rz = torch.sigmoid(gx[:, :2 * hidden] + gh[:, :2 * hidden])
    r, z = rz[:, :hidden], rz[:, hidden:]
    n = torch.tanh(gx[:, 2 * hidden:] + r * gh[:, 2 * hidden:])
    return torch.lerp(n, h, z)


# ---------------------------------------------------------------- 10.4 shapes


def lstm_shapes_stub(batch, steps, input_size, hidden_size, num_layers=1, bidirectional=False):
    # Your code here: return (output_shape, h_n_shape).
    ...


def shapes_batch_first_h(batch, steps, input_size, hidden_size, num_layers=1, bidirectional=False):
    d = 2 if bidirectional else 1
    return (batch, steps, d * hidden_size), (batch, num_layers * d, hidden_size)


def shapes_time_first(batch, steps, input_size, hidden_size, num_layers=1, bidirectional=False):
    d = 2 if bidirectional else 1
    return (steps, batch, d * hidden_size), (num_layers * d, batch, hidden_size)


def shapes_one_direction(batch, steps, input_size, hidden_size, num_layers=1, bidirectional=False):
    return (batch, steps, hidden_size), (num_layers, batch, hidden_size)


def shapes_all_layers_in_output(batch, steps, input_size, hidden_size, num_layers=1, bidirectional=False):
    d = 2 if bidirectional else 1
    return (batch, steps, num_layers * d * hidden_size), (num_layers * d, batch, hidden_size)


def shapes_h_side_by_side(batch, steps, input_size, hidden_size, num_layers=1, bidirectional=False):
    d = 2 if bidirectional else 1
    return (batch, steps, d * hidden_size), (num_layers, batch, d * hidden_size)


def shapes_last_layer_only(batch, steps, input_size, hidden_size, num_layers=1, bidirectional=False):
    d = 2 if bidirectional else 1
    return (batch, steps, d * hidden_size), (d, batch, hidden_size)


def shapes_input_size(batch, steps, input_size, hidden_size, num_layers=1, bidirectional=False):
    d = 2 if bidirectional else 1
    return (batch, steps, d * hidden_size), (num_layers * d, batch, input_size)


def shapes_default_bidirectional(batch, steps, input_size, hidden_size, num_layers=1, bidirectional=True):
    d = 2 if bidirectional else 1
    return (batch, steps, d * hidden_size), (num_layers * d, batch, hidden_size)


def shapes_by_running(batch, steps, input_size, hidden_size, num_layers=1, bidirectional=False):
    lstm = nn.LSTM(input_size, hidden_size, num_layers=num_layers, bidirectional=bidirectional, batch_first=True)
    out, (h, _) = lstm(torch.zeros(batch, steps, input_size))
    return tuple(out.shape), tuple(h.shape)


def shapes_floats(batch, steps, input_size, hidden_size, num_layers=1, bidirectional=False):
    d = 2.0 if bidirectional else 1.0
    return (batch, steps, d * hidden_size), (num_layers * d, batch, hidden_size)


def shapes_notebook_sizes(batch, steps, input_size, hidden_size, num_layers=1, bidirectional=False):
    return (batch, steps, 2 * hidden_size), (2 * num_layers, batch, hidden_size)


def shapes_sizes(batch, steps, input_size, hidden_size, num_layers=1, bidirectional=False):
    d = 1 + int(bidirectional)
    return torch.Size([batch, steps, d * hidden_size]), torch.Size([d * num_layers, batch, hidden_size])


def shapes_lists(batch, steps, input_size, hidden_size, num_layers=1, bidirectional=False):
    d = 2 if bidirectional else 1
    return [batch, steps, hidden_size * d], [num_layers * d, batch, hidden_size]


# ---------------------------------------------------------------- 10.5 nats per character


def masked_nll_stub(logits, targets):
    # Your code here.
    ...


def _picked(logits, targets, dim=-1):
    return torch.log_softmax(logits, dim=dim).gather(-1, targets.clamp(min=0)[..., None])[..., 0]


def nll_all_positions(logits, targets):
    return -_picked(logits, targets).mean()


def nll_zeroed_padding(logits, targets):
    valid = targets != -1
    return -(_picked(logits, targets) * valid).sum() / targets.numel()


def nll_mean_of_names(logits, targets):
    valid = (targets != -1).float()
    return (-(_picked(logits, targets) * valid).sum(1) / valid.sum(1)).mean()


def nll_sum(logits, targets):
    return -(_picked(logits, targets) * (targets != -1)).sum()


def nll_bits(logits, targets):
    valid = targets != -1
    return -(_picked(logits, targets) * valid).sum() / valid.sum() / torch.log(torch.tensor(2.0))


def nll_sign(logits, targets):
    valid = targets != -1
    return (_picked(logits, targets) * valid).sum() / valid.sum()


def nll_log_of_softmax(logits, targets):
    valid = targets != -1
    p = torch.softmax(logits, -1).gather(-1, targets.clamp(min=0)[..., None])[..., 0]
    return -(torch.log(p) * valid).sum() / valid.sum()


def nll_time_axis(logits, targets):
    valid = targets != -1
    return -(_picked(logits, targets, dim=1) * valid).sum() / valid.sum()


def nll_builtin(logits, targets):
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-1)


def nll_item(logits, targets):
    valid = targets != -1
    return (-(_picked(logits, targets) * valid).sum() / valid.sum()).item()


def nll_detached(logits, targets):
    valid = targets != -1
    return (-(_picked(logits, targets) * valid).sum() / valid.sum()).detach()


def nll_per_row(logits, targets):
    valid = (targets != -1).float()
    return -(_picked(logits, targets) * valid).sum(1) / valid.sum(1)


def nll_raw_logits(logits, targets):
    valid = targets != -1
    return -(logits.gather(-1, targets.clamp(min=0)[..., None])[..., 0] * valid).sum() / valid.sum()


def nll_in_place(logits, targets):
    valid = targets != -1
    targets[~valid] = 0  # "so that gather works"
    return -(_picked(logits, targets) * valid).sum() / valid.sum()


def nll_boolean_index(logits, targets):
    keep = targets >= 0
    log_p = torch.log_softmax(logits[keep], dim=-1)
    return -log_p[torch.arange(len(log_p)), targets[keep]].mean()


def nll_logsumexp(logits, targets):
    keep = targets.reshape(-1) != -1
    flat = logits.reshape(-1, logits.shape[-1])[keep]
    t = targets.reshape(-1)[keep]
    return (torch.logsumexp(flat, dim=1) - flat[torch.arange(len(t)), t]).sum() / keep.sum()


# ---------------------------------------------------------------- 10.6 temperature


def temperature_probs_stub(logits, temperature=1.0):
    # Your code here.
    ...


def temp_multiply(logits, temperature=1.0):
    if temperature == 0:
        return F.one_hot(logits.argmax(-1), logits.shape[-1]).float()
    return torch.softmax(logits * temperature, dim=-1)


def temp_no_zero_case(logits, temperature=1.0):
    return torch.softmax(logits / temperature, dim=-1)


def temp_power_unnormalised(logits, temperature=1.0):
    if temperature == 0:
        return F.one_hot(logits.argmax(-1), logits.shape[-1]).float()
    return torch.softmax(logits, dim=-1) ** (1 / temperature)


def temp_dim0(logits, temperature=1.0):
    if temperature == 0:
        return F.one_hot(logits.argmax(-1), logits.shape[-1]).float()
    return torch.softmax(logits / temperature, dim=0)


def temp_log(logits, temperature=1.0):
    if temperature == 0:
        return F.one_hot(logits.argmax(-1), logits.shape[-1]).float()
    return torch.log_softmax(logits / temperature, dim=-1)


def temp_in_place(logits, temperature=1.0):
    if temperature == 0:
        return F.one_hot(logits.argmax(-1), logits.shape[-1]).float()
    logits /= temperature
    return torch.softmax(logits, dim=-1)


def temp_naive_exp(logits, temperature=1.0):
    if temperature == 0:
        return F.one_hot(logits.argmax(-1), logits.shape[-1]).float()
    e = torch.exp(logits / temperature)
    return e / e.sum(-1, keepdim=True)


def temp_default_zero(logits, temperature=0.0):
    if temperature == 0:
        return F.one_hot(logits.argmax(-1), logits.shape[-1]).float()
    return torch.softmax(logits / temperature, dim=-1)


def temp_zero_uniform(logits, temperature=1.0):
    if temperature == 0:
        return torch.full_like(logits, 1 / logits.shape[-1])
    return torch.softmax(logits / temperature, dim=-1)


def temp_zero_index(logits, temperature=1.0):
    if temperature == 0:
        return logits.argmax(-1)
    return torch.softmax(logits / temperature, dim=-1)


def temp_zero_last_tie(logits, temperature=1.0):
    if temperature == 0:
        flipped = logits.flip(-1)
        index = logits.shape[-1] - 1 - flipped.argmax(-1)
        return F.one_hot(index, logits.shape[-1]).float()
    return torch.softmax(logits / temperature, dim=-1)


def temp_numpy(logits, temperature=1.0):
    import numpy as np

    z = logits.numpy() / max(temperature, 1e-9)
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def temp_ignores(logits, temperature=1.0):
    return torch.softmax(logits, dim=-1)


def temp_tiny_temperature(logits, temperature=1.0):
    """A tiny temperature instead of the special case: not one-hot where two logits tie."""
    return torch.softmax(logits / max(temperature, 1e-8), dim=-1)


def temp_stable_by_hand(logits, temperature=1.0):
    if temperature == 0:
        out = torch.zeros_like(logits)
        return out.scatter(-1, logits.argmax(-1, keepdim=True), 1.0)
    z = logits / temperature
    z = z - z.max(dim=-1, keepdim=True).values
    e = z.exp()
    return e / e.sum(dim=-1, keepdim=True)


def temp_where(logits, temperature=1.0):
    greedy = torch.zeros_like(logits).scatter_(-1, logits.argmax(-1, keepdim=True), 1.0)
    return greedy if temperature == 0 else F.softmax(logits.div(temperature), dim=-1)


WRONG_ANSWERS: dict[str, list[object]] = {
    "10.1": [
        lstm_forward_stub,
        _lstm_with("lstm_gates_f_i", order="figo"),
        _lstm_with("lstm_gates_tensorflow_order", order="igfo"),
        _lstm_with("lstm_gates_o_g", order="ifog"),
        _lstm_with("lstm_sigmoid_candidate", cand=torch.sigmoid),
        _lstm_with("lstm_o_times_c", squash=False),
        _lstm_with("lstm_no_forget_gate", forget=False),
        _lstm_with("lstm_old_c_in_h", old_c=True),
        _lstm_with("lstm_no_bias_hh", use_bhh=False),
        _lstm_with("lstm_no_bias_ih", use_bih=False),
        _lstm_with("lstm_emits_c", emit="c"),
        _lstm_with("lstm_returns_c_h", swap_return=True),
        _lstm_with("lstm_state_swapped", swap_state=True),
        _lstm_with("lstm_ignores_state", ignore_state=True),
        _lstm_with("lstm_shifted", shift=True),
        lstm_time_first,
        lstm_layer_axis,
        lstm_builtin,
        lstm_cell_builtin,
        lstm_detached,
        lstm_in_place,
        lstm_reversed,
        lstm_list_return,
        lstm_hidden_from_input,
        lstm_transposed_weights,
        lstm_last_output_only,
        lstm_all_sigmoid,
        lstm_squeezed,
    ],
    "10.2": [
        gru_step_stub,
        _gru_with("gru_paper_form", reset="before"),
        _gru_with("gru_bias_outside_reset", reset="bias outside"),
        _gru_with("gru_no_reset", reset="none"),
        _gru_with("gru_blend_swapped", blend="swapped"),
        _gru_with("gru_returns_candidate", blend="candidate"),
        _gru_with("gru_order_zrn", order="zrn"),
        _gru_with("gru_order_rnz", order="rnz"),
        _gru_with("gru_sigmoid_candidate", cand=torch.sigmoid),
        _gru_with("gru_no_bias_hh", use_bhh=False),
        _gru_with("gru_no_bias_ih", use_bih=False),
        gru_builtin,
        gru_module,
        gru_numpy,
        gru_in_place,
        gru_hardcoded,
    ],
    "10.3": [None, "a", "c", "d", "e", 2],
    "10.4": [
        lstm_shapes_stub,
        shapes_batch_first_h,
        shapes_time_first,
        shapes_one_direction,
        shapes_all_layers_in_output,
        shapes_h_side_by_side,
        shapes_last_layer_only,
        shapes_input_size,
        shapes_default_bidirectional,
        shapes_by_running,
        shapes_floats,
        shapes_notebook_sizes,
    ],
    "10.5": [
        masked_nll_stub,
        nll_all_positions,
        nll_zeroed_padding,
        nll_mean_of_names,
        nll_sum,
        nll_bits,
        nll_sign,
        nll_log_of_softmax,
        nll_time_axis,
        nll_builtin,
        nll_item,
        nll_detached,
        nll_per_row,
        nll_raw_logits,
        nll_in_place,
    ],
    "10.6": [
        temperature_probs_stub,
        temp_multiply,
        temp_no_zero_case,
        temp_power_unnormalised,
        temp_dim0,
        temp_log,
        temp_in_place,
        temp_naive_exp,
        temp_default_zero,
        temp_zero_uniform,
        temp_zero_index,
        temp_zero_last_tie,
        temp_numpy,
        temp_ignores,
        temp_tiny_temperature,
    ],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "10.1": [lstm_one_matmul, lstm_by_slices, _lstm_with("lstm_reference")],
    "10.2": [gru_split, gru_addmm, _gru_with("gru_reference")],
    "10.3": ["b", " B ", "(b)"],
    "10.4": [shapes_sizes, shapes_lists],
    "10.5": [nll_boolean_index, nll_logsumexp],
    "10.6": [temp_stable_by_hand, temp_where],
}


# ---------------------------------------------------------------- added by the independent review
# Mistakes a learner makes that the lists above did not have, aliases of the forbidden kernels, float64 results,
# and right answers written in other ways.


def _rev_init(x, weight_hh, state):
    batch = x.shape[0]
    hidden = weight_hh.shape[1]
    if state is None:
        return x.new_zeros(batch, hidden), x.new_zeros(batch, hidden)
    return state


def _rev_lstm_generic(x, weight_ih, weight_hh, bias_ih, bias_hh, state, order="ifgo", g_act=torch.tanh,
                  h_fn=None, use_bih=True, use_bhh=True, ret_swap=False, out_c=False):
    h, c = _rev_init(x, weight_hh, state)
    outs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ weight_ih.T + h @ weight_hh.T
        if use_bih:
            z = z + bias_ih
        if use_bhh:
            z = z + bias_hh
        parts = dict(zip(order, z.chunk(4, dim=1), strict=True))
        i, f, g, o = torch.sigmoid(parts["i"]), torch.sigmoid(parts["f"]), g_act(parts["g"]), torch.sigmoid(parts["o"])
        c = f * c + i * g
        h = o * torch.tanh(c) if h_fn is None else h_fn(o, c)
        outs.append(c if out_c else h)
    if ret_swap:
        return torch.stack(outs, dim=1), (c, h)
    return torch.stack(outs, dim=1), (h, c)


def _rev_gru(x, h, weight_ih, weight_hh, bias_ih, bias_hh, mode="torch", order="rzn", blend="ok", n_act=torch.tanh,
         use_bih=True, use_bhh=True, no_reset=False):
    gi = x @ weight_ih.T + (bias_ih if use_bih else 0)
    parts_i = dict(zip(order, gi.chunk(3, dim=1), strict=True))
    W = dict(zip(order, weight_hh.chunk(3, dim=0), strict=True))
    b = dict(zip(order, (bias_hh if use_bhh else torch.zeros_like(bias_hh)).chunk(3), strict=True))
    r = torch.sigmoid(parts_i["r"] + h @ W["r"].T + b["r"])
    z = torch.sigmoid(parts_i["z"] + h @ W["z"].T + b["z"])
    if no_reset:
        n = n_act(parts_i["n"] + h @ W["n"].T + b["n"])
    elif mode == "torch":
        n = n_act(parts_i["n"] + r * (h @ W["n"].T + b["n"]))
    elif mode == "paper":
        n = n_act(parts_i["n"] + (r * h) @ W["n"].T + b["n"])
    elif mode == "bias_out":
        n = n_act(parts_i["n"] + r * (h @ W["n"].T) + b["n"])
    elif mode == "bin_in":
        n = n_act(r * (parts_i["n"] + h @ W["n"].T + b["n"]))
    if blend == "ok":
        return (1 - z) * n + z * h
    return z * n + (1 - z) * h


def rev_lstm_candidate_relu(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):
    return _rev_lstm_generic(x, weight_ih, weight_hh, bias_ih, bias_hh, state, g_act=torch.relu)


def rev_lstm_h_tanh_o_c(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):  # tanh around the product
    return _rev_lstm_generic(x, weight_ih, weight_hh, bias_ih, bias_hh, state, h_fn=lambda o, c: torch.tanh(o * c))


def rev_lstm_hardcoded_h5(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):  # the notebook's H = 5
    batch = x.shape[0]
    if state is None:
        state = (x.new_zeros(batch, 5), x.new_zeros(batch, 5))
    return _rev_lstm_generic(x, weight_ih, weight_hh, bias_ih, bias_hh, state)


def rev_lstm_coupled_gates(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):  # c = f c + (1 - f) g
    h, c = _rev_init(x, weight_hh, state)
    outs = []
    for t in range(x.shape[1]):
        _, f, g, o = (x[:, t] @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh).chunk(4, dim=1)
        f = torch.sigmoid(f)
        c = f * c + (1 - f) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        outs.append(h)
    return torch.stack(outs, dim=1), (h, c)


def rev_lstm_gates_interleaved(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):  # chunks batch
    h, c = _rev_init(x, weight_hh, state)
    outs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh
        i, f, g, o = z.reshape(-1, z.shape[1] // 4, 4).unbind(2)  # reads the gates as interleaved, not blocks
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        outs.append(h)
    return torch.stack(outs, dim=1), (h, c)


def rev_lstm_forgets_return(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):
    h, c = _rev_init(x, weight_hh, state)
    outs = []
    for t in range(x.shape[1]):
        i, f, g, o = (x[:, t] @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh).chunk(4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        outs.append(h)
    outputs = torch.stack(outs, dim=1)  # noqa: F841


def rev_lstm_no_grad(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):  # right values, no gradient
    with torch.no_grad():
        return _rev_lstm_generic(x, weight_ih, weight_hh, bias_ih, bias_hh, state)


def rev_lstm_numpy(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):  # NumPy outputs
    out, (h, c) = _rev_lstm_generic(x, weight_ih, weight_hh, bias_ih, bias_hh, state)
    return out.detach().numpy(), (h.detach().numpy(), c.detach().numpy())


def rev_lstm_ops_aten(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):
    h, c = _rev_init(x, weight_hh, state)
    outs = []
    for t in range(x.shape[1]):
        h, c = torch.ops.aten.lstm_cell(x[:, t], [h, c], weight_ih, weight_hh, bias_ih, bias_hh)
        outs.append(h)
    return torch.stack(outs, 1), (h, c)


def rev_lstm_variable_functions(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):
    h, c = _rev_init(x, weight_hh, state)
    outs = []
    for t in range(x.shape[1]):
        h, c = torch._C._VariableFunctions.lstm_cell(x[:, t], (h, c), weight_ih, weight_hh, bias_ih, bias_hh)
        outs.append(h)
    return torch.stack(outs, 1), (h, c)


def rev_lstm_float64(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):  # returns float64 for float32 inputs
    xd = x.double()
    hd, cd = _rev_init(xd, weight_hh, None if state is None else (state[0].double(), state[1].double()))
    return _rev_lstm_generic(xd, weight_ih.double(), weight_hh.double(), bias_ih.double(), bias_hh.double(), (hd, cd))


def rev_gru_reset_on_input_too(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    return _rev_gru(x, h, weight_ih, weight_hh, bias_ih, bias_hh, mode="bin_in")


def rev_gru_forgets_return(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    h_new = _rev_gru(x, h, weight_ih, weight_hh, bias_ih, bias_hh)  # noqa: F841


def rev_gru_hidden_from_input(x, h, weight_ih, weight_hh, bias_ih, bias_hh):  # slices blocks by D
    d = x.shape[1]
    Wr, Wz, Wn = weight_hh[:d], weight_hh[d:2 * d], weight_hh[2 * d:3 * d]
    ir, iz, inn = (x @ weight_ih.T + bias_ih).chunk(3, dim=1)
    br, bz, bn = bias_hh.chunk(3)
    r = torch.sigmoid(ir + h @ Wr.T + br)
    z = torch.sigmoid(iz + h @ Wz.T + bz)
    n = torch.tanh(inn + r * (h @ Wn.T + bn))
    return (1 - z) * n + z * h


def rev_gru_layer_axis(x, h, weight_ih, weight_hh, bias_ih, bias_hh):  # (1, B, H)
    return _rev_gru(x, h, weight_ih, weight_hh, bias_ih, bias_hh).unsqueeze(0)


def rev_gru_no_grad(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    with torch.no_grad():
        return _rev_gru(x, h, weight_ih, weight_hh, bias_ih, bias_hh)


def rev_gru_returns_pair(x, h, weight_ih, weight_hh, bias_ih, bias_hh):  # (output, h) like nn.GRU
    h_new = _rev_gru(x, h, weight_ih, weight_hh, bias_ih, bias_hh)
    return h_new, h_new


def rev_gru_variable_functions(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    return torch._C._VariableFunctions.gru_cell(x, h, weight_ih, weight_hh, bias_ih, bias_hh)


def rev_gru_ops_aten(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    return torch.ops.aten.gru_cell(x, h, weight_ih, weight_hh, bias_ih, bias_hh)


def rev_gru_float64(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    return _rev_gru(x.double(), h.double(), weight_ih.double(), weight_hh.double(), bias_ih.double(), bias_hh.double())


def rev_shapes_hn_no_layers(batch, steps, input_size, hidden_size, num_layers=1, bidirectional=False):
    d = 2 if bidirectional else 1
    return (batch, steps, d * hidden_size), (d, batch, hidden_size)


def rev_shapes_default_two_layers(batch, steps, input_size, hidden_size, num_layers=2, bidirectional=False):
    d = 2 if bidirectional else 1
    return (batch, steps, d * hidden_size), (num_layers * d, batch, hidden_size)


def rev_shapes_layers_plus(batch, steps, input_size, hidden_size, num_layers=1, bidirectional=False):
    d = 2 if bidirectional else 1
    return (batch, steps, d * hidden_size), (num_layers + d - 1, batch, hidden_size)


def rev_shapes_swapped(batch, steps, input_size, hidden_size, num_layers=1, bidirectional=False):
    d = 2 if bidirectional else 1
    return (num_layers * d, batch, hidden_size), (batch, steps, d * hidden_size)


def rev_shapes_with_cn(batch, steps, input_size, hidden_size, num_layers=1, bidirectional=False):
    d = 2 if bidirectional else 1
    return (batch, steps, d * hidden_size), (num_layers * d, batch, hidden_size), (num_layers * d, batch, hidden_size)


def rev_shapes_forgets_return(batch, steps, input_size, hidden_size, num_layers=1, bidirectional=False):
    d = 2 if bidirectional else 1
    output_shape = (batch, steps, d * hidden_size)  # noqa: F841
    h_n_shape = (num_layers * d, batch, hidden_size)  # noqa: F841


def rev_shapes_strings(batch, steps, input_size, hidden_size, num_layers=1, bidirectional=False):
    d = 2 if bidirectional else 1
    return str((batch, steps, d * hidden_size)), str((num_layers * d, batch, hidden_size))


def rev_nll_naive_exp(logits, targets):  # exp without the max: overflow
    valid = targets != -1
    log_p = logits - torch.log(torch.exp(logits).sum(-1, keepdim=True))
    return -log_p.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)[valid].mean()


def rev_nll_uses_nll_loss(logits, targets):  # forbidden
    return F.nll_loss(torch.log_softmax(logits, -1).reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-1)


def rev_nll_mask_inverted(logits, targets):
    valid = targets == -1
    log_p = torch.log_softmax(logits, dim=-1)
    picked = log_p.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return -(picked * valid).sum() / valid.sum().clamp(min=1)


def rev_nll_drops_end_token(logits, targets):  # mask targets > 0
    valid = targets > 0
    log_p = torch.log_softmax(logits, dim=-1)
    return -log_p.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)[valid].mean()


def rev_nll_divide_batch(logits, targets):  # masked sum / batch size
    valid = targets != -1
    log_p = torch.log_softmax(logits, dim=-1)
    picked = log_p.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return -(picked * valid).sum() / targets.shape[0]


def rev_nll_wraps_minus_one(logits, targets):  # -1 indexes the last token; no mask
    log_p = torch.log_softmax(logits, dim=-1)
    B, T, V = logits.shape
    picked = log_p.reshape(-1, V)[torch.arange(B * T), targets.reshape(-1)]
    return -picked.mean()


def rev_nll_numpy(logits, targets):
    import numpy as np

    valid = (targets != -1).numpy()
    log_p = torch.log_softmax(logits, dim=-1).detach().numpy()
    picked = np.take_along_axis(log_p, targets.clamp(min=0).numpy()[..., None], -1)[..., 0]
    return -picked[valid].mean()


def rev_nll_shape_1(logits, targets):  # keeps a dimension: shape (1,)
    valid = targets != -1
    log_p = torch.log_softmax(logits, dim=-1)
    return -log_p.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)[valid].mean().reshape(1)


def rev_nll_forgets_return(logits, targets):
    valid = targets != -1
    log_p = torch.log_softmax(logits, dim=-1)
    loss = -log_p.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)[valid].mean()  # noqa: F841


def rev_nll_c_nn(logits, targets):  # the private kernel under F.cross_entropy
    return torch._C._nn.cross_entropy_loss(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), None, 1, -1, 0.0)


def rev_nll_targets_in_place(logits, targets):  # overwrites the padding in the caller's targets
    valid = targets != -1
    targets[~valid] = 0
    picked = torch.log_softmax(logits, -1).gather(-1, targets[..., None])[..., 0]
    return -(picked * valid).sum() / valid.sum()


def rev_nll_float64(logits, targets):
    valid = targets != -1
    log_p = torch.log_softmax(logits.double(), dim=-1)
    return -log_p.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)[valid].mean()


def rev_temp_zero_flat_argmax(logits, temperature=1.0):  # one-hot of the flat argmax: right only in 1-D
    if temperature == 0:
        out = torch.zeros_like(logits)
        out.view(-1)[logits.argmax()] = 1.0
        return out
    return torch.softmax(logits / temperature, dim=-1)


def rev_temp_default_half(logits, temperature=0.5):
    if temperature == 0:
        return F.one_hot(logits.argmax(-1), logits.shape[-1]).float()
    return torch.softmax(logits / temperature, dim=-1)


def rev_temp_zero_long(logits, temperature=1.0):  # one-hot of integer dtype
    if temperature == 0:
        return F.one_hot(logits.argmax(-1), logits.shape[-1])
    return torch.softmax(logits / temperature, dim=-1)


def rev_temp_zero_all_ties(logits, temperature=1.0):  # 1 at every maximum
    if temperature == 0:
        return (logits == logits.max(-1, keepdim=True).values).float()
    return torch.softmax(logits / temperature, dim=-1)


def rev_temp_subtract(logits, temperature=1.0):  # subtracts instead of dividing
    if temperature == 0:
        return F.one_hot(logits.argmax(-1), logits.shape[-1]).float()
    return torch.softmax(logits - temperature, dim=-1)


def rev_temp_softmax_then_divide(logits, temperature=1.0):
    if temperature == 0:
        return F.one_hot(logits.argmax(-1), logits.shape[-1]).float()
    return torch.softmax(logits, dim=-1) / temperature


def rev_temp_forgets_return(logits, temperature=1.0):
    if temperature == 0:
        return F.one_hot(logits.argmax(-1), logits.shape[-1]).float()
    probs = torch.softmax(logits / temperature, dim=-1)  # noqa: F841


def rev_temp_zero_2d_only(logits, temperature=1.0):  # keepdim trick that breaks 1-D: argmax over dim 1
    if temperature == 0:
        return F.one_hot(logits.argmax(1), logits.shape[1]).float()
    return torch.softmax(logits / temperature, dim=-1)


def rev_temp_float64(logits, temperature=1.0):
    if temperature == 0:
        return F.one_hot(logits.argmax(-1), logits.shape[-1]).double()
    return torch.softmax(logits.double() / temperature, dim=-1)


def rev_lstm_right_linear(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):  # RIGHT: F.linear, precomputed inputs
    hidden = weight_hh.shape[1]
    if state is None:
        h = torch.zeros(x.shape[0], hidden, dtype=x.dtype)
        c = torch.zeros_like(h)
    else:
        h, c = state[0], state[1]
    pre = F.linear(x, weight_ih, bias_ih)  # (B, T, 4H)
    outs = []
    for step in pre.unbind(1):
        z = step + F.linear(h, weight_hh, bias_hh)
        i = torch.sigmoid(z[:, :hidden])
        f = torch.sigmoid(z[:, hidden:2 * hidden])
        g = torch.tanh(z[:, 2 * hidden:3 * hidden])
        o = torch.sigmoid(z[:, 3 * hidden:])
        c = torch.addcmul(f * c, i, g)
        h = o * c.tanh()
        outs.append(h)
    return torch.stack(outs, 1), (h, c)


def rev_lstm_right_prealloc(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):  # RIGHT: per-gate weights, einsum, buffer
    B, T, _ = x.shape
    H = weight_hh.shape[-1]
    Wi = weight_ih.view(4, H, -1)
    Wh = weight_hh.view(4, H, H)
    bi = (bias_ih + bias_hh).view(4, H)
    h, c = (x.new_zeros(B, H), x.new_zeros(B, H)) if state is None else state
    outputs = x.new_empty(B, T, H)
    for t in range(T):
        z = torch.einsum("bd,khd->kbh", x[:, t], Wi) + torch.einsum("bj,khj->kbh", h, Wh) + bi[:, None, :]
        c = torch.sigmoid(z[1]) * c + torch.sigmoid(z[0]) * torch.tanh(z[2])
        h = torch.sigmoid(z[3]) * torch.tanh(c)
        outputs[:, t] = h
    return outputs, (h, c)


def rev_lstm_right_recursive(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):  # RIGHT: recursion over steps
    if state is None:
        zeros = x.new_zeros(x.shape[0], weight_hh.shape[1])
        state = (zeros, zeros)
    if x.shape[1] == 0:
        return x.new_zeros(x.shape[0], 0, weight_hh.shape[1]), state
    h, c = state
    i, f, g, o = torch.split(x[:, 0] @ weight_ih.t() + h @ weight_hh.t() + bias_ih + bias_hh, weight_hh.shape[1], dim=-1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    if x.shape[1] == 1:
        return h[:, None], (h, c)
    rest, final = rev_lstm_right_recursive(x[:, 1:], weight_ih, weight_hh, bias_ih, bias_hh, (h, c))
    return torch.cat([h[:, None], rest], dim=1), final


def rev_lstm_right_reshape(x, weight_ih, weight_hh, bias_ih, bias_hh, state=None):  # RIGHT: reshape (B, 4, H)
    h, c = _rev_init(x, weight_hh, state)
    outs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh
        i, f, g, o = z.reshape(-1, 4, z.shape[1] // 4).unbind(1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        outs.append(h)
    return torch.stack(outs, dim=1), (h, c)


def rev_gru_right_linear(x, h, weight_ih, weight_hh, bias_ih, bias_hh):  # RIGHT: F.linear, lerp
    H = h.shape[1]
    gi = F.linear(x, weight_ih, bias_ih)
    gh = F.linear(h, weight_hh, bias_hh)
    r = torch.sigmoid(gi[:, :H] + gh[:, :H])
    z = torch.sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
    n = torch.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
    return torch.lerp(n, h, z)


def rev_gru_right_einsum(x, h, weight_ih, weight_hh, bias_ih, bias_hh):  # RIGHT: einsum over stacked gates
    H = h.shape[-1]
    gi = torch.einsum("bd,kd->bk", x, weight_ih).view(-1, 3, H) + bias_ih.view(3, H)
    gh = torch.einsum("bj,kj->bk", h, weight_hh).view(-1, 3, H) + bias_hh.view(3, H)
    rz = torch.sigmoid(gi[:, :2] + gh[:, :2])
    n = torch.tanh(gi[:, 2] + rz[:, 0] * gh[:, 2])
    return (1 - rz[:, 1]) * n + rz[:, 1] * h


def rev_shapes_right_branches(batch, steps, input_size, hidden_size, num_layers=1, bidirectional=False):  # RIGHT
    if bidirectional:
        return (batch, steps, hidden_size + hidden_size), (2 * num_layers, batch, hidden_size)
    return (batch, steps, hidden_size), (num_layers, batch, hidden_size)


def rev_nll_right_onehot(logits, targets):  # RIGHT: one-hot product, masked_fill
    V = logits.shape[-1]
    valid = targets != -1
    onehot = F.one_hot(targets.masked_fill(~valid, 0), V).to(logits.dtype) * valid[..., None]
    return -(onehot * torch.log_softmax(logits, dim=-1)).sum() / valid.sum()


def rev_temp_right_power(logits, temperature=1.0):  # RIGHT: p ** (1/T), renormalised in log space
    if temperature == 0:
        out = torch.zeros_like(logits)
        return out.scatter(-1, logits.argmax(-1, keepdim=True), 1.0)
    log_p = torch.log_softmax(logits, dim=-1) / temperature
    return torch.exp(log_p - torch.logsumexp(log_p, dim=-1, keepdim=True))


def rev_temp_right_manual(logits, temperature=1.0):  # RIGHT: max-shifted exp, float(temperature)
    t = float(temperature)
    if t == 0.0:
        idx = torch.argmax(logits, dim=-1, keepdim=True)
        return torch.zeros_like(logits).scatter_(-1, idx, torch.ones_like(idx, dtype=logits.dtype))
    scaled = logits / t
    e = torch.exp(scaled - scaled.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)


WRONG_ANSWERS["10.1"] += [rev_lstm_candidate_relu, rev_lstm_h_tanh_o_c, rev_lstm_hardcoded_h5, rev_lstm_coupled_gates, rev_lstm_gates_interleaved, rev_lstm_forgets_return, rev_lstm_no_grad, rev_lstm_numpy, rev_lstm_ops_aten, rev_lstm_variable_functions, rev_lstm_float64]
WRONG_ANSWERS["10.2"] += [rev_gru_reset_on_input_too, rev_gru_forgets_return, rev_gru_hidden_from_input, rev_gru_layer_axis, rev_gru_no_grad, rev_gru_returns_pair, rev_gru_variable_functions, rev_gru_ops_aten, rev_gru_float64]
WRONG_ANSWERS["10.4"] += [rev_shapes_hn_no_layers, rev_shapes_default_two_layers, rev_shapes_layers_plus, rev_shapes_swapped, rev_shapes_with_cn, rev_shapes_forgets_return, rev_shapes_strings]
WRONG_ANSWERS["10.5"] += [rev_nll_naive_exp, rev_nll_uses_nll_loss, rev_nll_mask_inverted, rev_nll_drops_end_token, rev_nll_divide_batch, rev_nll_wraps_minus_one, rev_nll_numpy, rev_nll_shape_1, rev_nll_forgets_return, rev_nll_c_nn, rev_nll_targets_in_place, rev_nll_float64]
WRONG_ANSWERS["10.6"] += [rev_temp_zero_flat_argmax, rev_temp_default_half, rev_temp_zero_long, rev_temp_zero_all_ties, rev_temp_subtract, rev_temp_softmax_then_divide, rev_temp_forgets_return, rev_temp_zero_2d_only, rev_temp_float64]
RIGHT_ANSWERS["10.1"] += [rev_lstm_right_linear, rev_lstm_right_prealloc, rev_lstm_right_recursive, rev_lstm_right_reshape]
RIGHT_ANSWERS["10.2"] += [rev_gru_right_linear, rev_gru_right_einsum]
RIGHT_ANSWERS["10.4"] += [rev_shapes_right_branches]
RIGHT_ANSWERS["10.5"] += [rev_nll_right_onehot]
RIGHT_ANSWERS["10.6"] += [rev_temp_right_power, rev_temp_right_manual]
RIGHT_ANSWERS["10.4"].remove(shapes_lists)
WRONG_ANSWERS["10.4"].append(shapes_lists)  # a list never equals a torch.Size; the text asks for tuples
