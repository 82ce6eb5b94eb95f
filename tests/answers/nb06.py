"""Answers for the exercises of notebook 06."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

LINE = [[2.0, -1.0, -1.0], [-1.0, 2.0, -1.0], [-1.0, -1.0, 2.0]]


# ----------------------------------------------------------------------------- 06.2 output size


def _size_stub(n, kernel_size, stride=1, padding=0, dilation=1):
    # Your code here: how many positions does the kernel take along a side of n pixels?
    ...


def _size_right(n, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * (kernel_size - 1) + 1
    return (n + 2 * padding - span) // stride + 1


def _size_no_dilation(n, kernel_size, stride=1, padding=0, dilation=1):
    return (n + 2 * padding - kernel_size) // stride + 1


def _size_dilation_times_k(n, kernel_size, stride=1, padding=0, dilation=1):
    return (n + 2 * padding - dilation * kernel_size) // stride + 1


def _size_span_without_one(n, kernel_size, stride=1, padding=0, dilation=1):
    return (n + 2 * padding - dilation * (kernel_size - 1)) // stride + 1


def _size_true_division(n, kernel_size, stride=1, padding=0, dilation=1):
    return (n + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1  # a float, not floored


def _size_float_floor(n, kernel_size, stride=1, padding=0, dilation=1):
    return (n + 2 * padding - dilation * (kernel_size - 1) - 1) / stride // 1 + 1  # right value, but a float


def _size_one_side(n, kernel_size, stride=1, padding=0, dilation=1):
    return (n + padding - dilation * (kernel_size - 1) - 1) // stride + 1


def _size_rounds_up(n, kernel_size, stride=1, padding=0, dilation=1):
    return math.ceil((n + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1


def _size_wrong_default(n, kernel_size, stride=1, padding=1, dilation=1):
    return (n + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1  # "same" padding by default


def _size_no_defaults(n, kernel_size, stride, padding, dilation):
    return (n + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def _size_tensor(n, kernel_size, stride=1, padding=0, dilation=1):
    return torch.tensor((n + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1)


def _size_only_stride_one(n, kernel_size, stride=1, padding=0, dilation=1):
    return n + 2 * padding - dilation * (kernel_size - 1)  # right for stride 1 only


def _size_by_range(n, kernel_size, stride=1, padding=0, dilation=1):
    return len(range(0, n + 2 * padding - dilation * (kernel_size - 1), stride))


def _size_by_floor(n, kernel_size, stride=1, padding=0, dilation=1):
    return math.floor((n + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1


def _size_by_walking(n, kernel_size, stride=1, padding=0, dilation=1):
    positions, first_tap = 0, 0
    while first_tap + dilation * (kernel_size - 1) < n + 2 * padding:  # the last tap still fits
        positions += 1
        first_tap += stride
    return positions


def _size_numpy_integer(n, kernel_size, stride=1, padding=0, dilation=1):
    return np.int64((n + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1)  # a whole number


def _size_pads_after_stride(n, kernel_size, stride=1, padding=0, dilation=1):
    return (n - dilation * (kernel_size - 1) - 1) // stride + 1 + 2 * padding


def _size_rounds_to_nearest(n, kernel_size, stride=1, padding=0, dilation=1):
    return round((n + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1


def _size_measured_by_conv(n, kernel_size, stride=1, padding=0, dilation=1):
    image, kernel = torch.zeros(1, 1, n, 1), torch.zeros(1, 1, kernel_size, 1)
    return F.conv2d(image, kernel, stride=stride, padding=(padding, 0), dilation=dilation).shape[2]


def _size_measured_by_pooling(n, kernel_size, stride=1, padding=0, dilation=1):
    pool = nn.MaxPool2d((kernel_size, 1), stride=(stride, 1), dilation=(dilation, 1))
    return pool(F.pad(torch.zeros(1, 1, n, 1), (0, 0, padding, padding))).shape[2]


def _size_measured_by_unfold(n, kernel_size, stride=1, padding=0, dilation=1):
    return F.unfold(torch.zeros(1, 1, n, 1), (kernel_size, 1), dilation=(dilation, 1), padding=(padding, 0),
                    stride=(stride, 1)).shape[-1]


# ----------------------------------------------------------------------------- 06.3 parameter count


def _count_stub(in_channels, out_channels, kernel_size, bias=True):
    # Your code here: kernel_size is an int k (a k x k kernel) or a pair (k_h, k_w).
    ...


def _sides(kernel_size):
    return (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)


def _count_right(in_channels, out_channels, kernel_size, bias=True):
    k_h, k_w = _sides(kernel_size)
    return out_channels * in_channels * k_h * k_w + (out_channels if bias else 0)


def _count_by_prod(in_channels, out_channels, kernel_size, bias=True):
    sides = [kernel_size] * 2 if isinstance(kernel_size, int) else list(kernel_size)
    return math.prod([out_channels, in_channels, *sides]) + bias * out_channels


def _count_numpy(in_channels, out_channels, kernel_size, bias=True):
    weight_shape = (out_channels, in_channels, *np.broadcast_to(kernel_size, (2,)))
    return np.prod(weight_shape) + (out_channels if bias else 0)  # a NumPy integer is a whole number


def _count_no_bias(in_channels, out_channels, kernel_size, bias=True):
    k_h, k_w = _sides(kernel_size)
    return out_channels * in_channels * k_h * k_w


def _count_ignores_bias_flag(in_channels, out_channels, kernel_size, bias=True):
    k_h, k_w = _sides(kernel_size)
    return out_channels * (in_channels * k_h * k_w + 1)


def _count_wrong_default(in_channels, out_channels, kernel_size, bias=False):
    k_h, k_w = _sides(kernel_size)
    return out_channels * in_channels * k_h * k_w + (out_channels if bias else 0)


def _count_no_input_channels(in_channels, out_channels, kernel_size, bias=True):
    k_h, k_w = _sides(kernel_size)
    return out_channels * k_h * k_w + (out_channels if bias else 0)


def _count_square_only(in_channels, out_channels, kernel_size, bias=True):
    k = kernel_size if isinstance(kernel_size, int) else kernel_size[0]
    return out_channels * in_channels * k * k + (out_channels if bias else 0)


def _count_int_only(in_channels, out_channels, kernel_size, bias=True):
    return out_channels * in_channels * kernel_size * kernel_size + (out_channels if bias else 0)  # tuple: error


def _count_bias_per_input(in_channels, out_channels, kernel_size, bias=True):
    k_h, k_w = _sides(kernel_size)
    return out_channels * in_channels * k_h * k_w + (in_channels if bias else 0)


def _count_sum_of_sides(in_channels, out_channels, kernel_size, bias=True):
    k_h, k_w = _sides(kernel_size)
    return out_channels * in_channels * (k_h + k_w) + (out_channels if bias else 0)


def _count_float(in_channels, out_channels, kernel_size, bias=True):
    k_h, k_w = _sides(kernel_size)
    return out_channels * in_channels * k_h * k_w * 1.0 + (out_channels if bias else 0)


def _count_builds_the_layer(in_channels, out_channels, kernel_size, bias=True):
    layer = torch.nn.Conv2d(in_channels, out_channels, kernel_size, bias=bias, device="meta")
    return sum(p.numel() for p in layer.parameters())


def _count_bias_per_input_channel(in_channels, out_channels, kernel_size, bias=True):
    k_h, k_w = _sides(kernel_size)
    return out_channels * (in_channels * k_h * k_w + (in_channels if bias else 0))


def _count_tensor(in_channels, out_channels, kernel_size, bias=True):
    k_h, k_w = _sides(kernel_size)
    return torch.tensor(out_channels * in_channels * k_h * k_w + (out_channels if bias else 0))


# ----------------------------------------------------------------------------- 06.4 conv backward


def _backward_stub(grad_output, x, w, stride=1, padding=0):
    """Gradients of a convolution (no dilation), given grad_output = dL/d(out)."""
    # Your code here: loop over the output positions (or use unfold), without autograd.
    ...


def _backward_loops(grad_output, x, w, stride=1, padding=0, *, overwrite=False, crop=True, flip=False,
                    ignore_stride=False, batch=None, channels=None, square=False, square_kernel=False):
    """The reference loop, with switches for the classic mistakes."""
    N, _, H, W = x.shape
    C_out, _, K_h, K_w = w.shape
    if square:
        W = H
    if square_kernel:
        K_w = K_h
    x_p = F.pad(x, (padding, padding, padding, padding))
    grad_x_p = torch.zeros_like(x_p)
    grad_w = torch.zeros_like(w)
    kernel = w.flip(-1, -2) if flip else w
    c = slice(None) if channels is None else slice(0, channels)
    for n in range(N if batch is None else batch):
        for o in range(C_out):
            for i in range(grad_output.shape[2]):
                for j in range(grad_output.shape[3]):
                    top, left = (i, j) if ignore_stride else (i * stride, j * stride)
                    g = grad_output[n, o, i, j]
                    grad_w[o, c] += g * x_p[n, c, top:top + K_h, left:left + K_w]
                    if overwrite:
                        grad_x_p[n, c, top:top + K_h, left:left + K_w] = g * kernel[o, c]
                    else:
                        grad_x_p[n, c, top:top + K_h, left:left + K_w] += g * kernel[o, c]
    grad_b = grad_output.sum(dim=(0, 2, 3))
    grad_x = grad_x_p[:, :, padding:padding + H, padding:padding + W] if crop else grad_x_p
    return grad_x, grad_w, grad_b


def _backward_right(grad_output, x, w, stride=1, padding=0):
    return _backward_loops(grad_output, x, w, stride, padding)


def _backward_unfold(grad_output, x, w, stride=1, padding=0):
    N, _, H, W = x.shape
    C_out, _, K_h, K_w = w.shape
    cols = F.unfold(x, (K_h, K_w), padding=padding, stride=stride)  # (N, C_in K_h K_w, positions)
    g = grad_output.reshape(N, C_out, -1)                             # (N, C_out, positions)
    grad_w = torch.einsum("nol,nkl->ok", g, cols).reshape(w.shape)
    grad_cols = torch.einsum("ok,nol->nkl", w.reshape(C_out, -1), g)
    grad_x = F.fold(grad_cols, (H, W), (K_h, K_w), padding=padding, stride=stride)
    return grad_x, grad_w, grad_output.sum(dim=(0, 2, 3))


def _backward_by_offsets(grad_output, x, w, stride=1, padding=0):
    """One step per kernel offset (u, v), every position at once: a different loop order."""
    _, _, H, W = x.shape
    _, _, K_h, K_w = w.shape
    _, _, H_out, W_out = grad_output.shape
    x_p = F.pad(x, (padding,) * 4)
    grad_x_p = torch.zeros_like(x_p)
    grad_w = torch.empty_like(w)
    rows, cols = stride * (H_out - 1) + 1, stride * (W_out - 1) + 1
    for u in range(K_h):
        for v in range(K_w):
            seen = x_p[:, :, u:u + rows:stride, v:v + cols:stride]  # the pixels that weight (u, v) multiplied
            grad_w[:, :, u, v] = torch.einsum("nohw,nchw->oc", grad_output, seen)
            grad_x_p[:, :, u:u + rows:stride, v:v + cols:stride] += torch.einsum(
                "nohw,oc->nchw", grad_output, w[:, :, u, v])
    return [grad_x_p[:, :, padding:padding + H, padding:padding + W], grad_w, grad_output.sum((0, 2, 3))]


def _backward_conv2d_for_weights(grad_output, x, w, stride=1, padding=0):
    """grad_w as a convolution of x with grad_output (allowed: only autograd and its helpers are off limits)."""
    grad_x, _, grad_b = _backward_loops(grad_output, x, w, stride, padding)
    grad_w = F.conv2d(F.pad(x, (padding,) * 4).transpose(0, 1), grad_output.transpose(0, 1), dilation=stride)
    return grad_x, grad_w.transpose(0, 1)[:, :, :w.shape[2], :w.shape[3]], grad_b


def _backward_autograd(grad_output, x, w, stride=1, padding=0):
    x = x.detach().requires_grad_()
    w = w.detach().requires_grad_()
    b = torch.zeros(w.shape[0], requires_grad=True)
    F.conv2d(x, w, b, stride=stride, padding=padding).backward(grad_output)
    return x.grad, w.grad, b.grad


def _backward_autograd_grad(grad_output, x, w, stride=1, padding=0):
    x = x.detach().requires_grad_()
    w = w.detach().requires_grad_()
    b = torch.zeros(w.shape[0], requires_grad=True)
    return torch.autograd.grad(F.conv2d(x, w, b, stride=stride, padding=padding), (x, w, b), grad_output)


def _backward_transposed_conv(grad_output, x, w, stride=1, padding=0):
    _, grad_w, grad_b = _backward_unfold(grad_output, x, w, stride, padding)
    grad_x = F.conv_transpose2d(grad_output, w, stride=stride, padding=padding)
    extra = (x.shape[2] - grad_x.shape[2], x.shape[3] - grad_x.shape[3])  # rows the stride skipped
    return F.pad(grad_x, (0, extra[1], 0, extra[0])), grad_w, grad_b


def _backward_torch_nn_grad(grad_output, x, w, stride=1, padding=0):
    grad_x = torch.nn.grad.conv2d_input(x.shape, w, grad_output, stride=stride, padding=padding)
    grad_w = torch.nn.grad.conv2d_weight(x, w.shape, grad_output, stride=stride, padding=padding)
    return grad_x, grad_w, grad_output.sum(dim=(0, 2, 3))


def _backward_overwrites(grad_output, x, w, stride=1, padding=0):
    return _backward_loops(grad_output, x, w, stride, padding, overwrite=True)


def _backward_keeps_padding(grad_output, x, w, stride=1, padding=0):
    return _backward_loops(grad_output, x, w, stride, padding, crop=False)


def _backward_crops_with_negative_index(grad_output, x, w, stride=1, padding=0):
    grad_x_p, grad_w, grad_b = _backward_loops(grad_output, x, w, stride, padding, crop=False)
    return grad_x_p[:, :, padding:-padding, padding:-padding], grad_w, grad_b  # empty when padding is 0


def _backward_ignores_padding(grad_output, x, w, stride=1, padding=0):
    return _backward_loops(grad_output, x, w, stride, 0)  # right for padding 0 only


def _backward_flipped_kernel(grad_output, x, w, stride=1, padding=0):
    return _backward_loops(grad_output, x, w, stride, padding, flip=True)


def _backward_ignores_stride(grad_output, x, w, stride=1, padding=0):
    return _backward_loops(grad_output, x, w, stride, padding, ignore_stride=True)


def _backward_first_image_only(grad_output, x, w, stride=1, padding=0):
    _, grad_w, grad_b = _backward_loops(grad_output, x, w, stride, padding, batch=1)  # forgot the batch loop
    return _backward_right(grad_output, x, w, stride, padding)[0], grad_w, grad_b


def _backward_one_input_channel(grad_output, x, w, stride=1, padding=0):
    return _backward_loops(grad_output, x, w, stride, padding, channels=1)


def _backward_square_images(grad_output, x, w, stride=1, padding=0):
    return _backward_loops(grad_output, x, w, stride, padding, square=True)


def _backward_square_kernels(grad_output, x, w, stride=1, padding=0):
    return _backward_loops(grad_output, x, w, stride, padding, square_kernel=True)


def _backward_mean_bias(grad_output, x, w, stride=1, padding=0):
    grad_x, grad_w, _ = _backward_right(grad_output, x, w, stride, padding)
    return grad_x, grad_w, grad_output.mean(dim=(0, 2, 3))


def _backward_bias_per_image(grad_output, x, w, stride=1, padding=0):
    grad_x, grad_w, _ = _backward_right(grad_output, x, w, stride, padding)
    return grad_x, grad_w, grad_output.sum(dim=(2, 3))  # (N, C_out): the batch is not summed


def _backward_mean_weights(grad_output, x, w, stride=1, padding=0):
    grad_x, grad_w, grad_b = _backward_right(grad_output, x, w, stride, padding)
    return grad_x, grad_w / x.shape[0], grad_b


def _backward_reuses_w(grad_output, x, w, stride=1, padding=0):
    """Right values, but grad_w is w itself, zeroed and filled in: the caller's kernels are gone."""
    N, _, H, W = x.shape
    C_out, _, K_h, K_w = w.shape
    x_p = F.pad(x, (padding,) * 4)
    grad_x_p = torch.zeros_like(x_p)
    kernels = w.clone()
    grad_w = w
    grad_w.zero_()
    for n in range(N):
        for o in range(C_out):
            for i in range(grad_output.shape[2]):
                for j in range(grad_output.shape[3]):
                    window = (n, slice(None), slice(i * stride, i * stride + K_h), slice(j * stride, j * stride + K_w))
                    grad_w[o] += grad_output[n, o, i, j] * x_p[window]
                    grad_x_p[window] += grad_output[n, o, i, j] * kernels[o]
    return grad_x_p[:, :, padding:padding + H, padding:padding + W], grad_w, grad_output.sum(dim=(0, 2, 3))


def _backward_numpy(grad_output, x, w, stride=1, padding=0):
    return tuple(t.numpy() for t in _backward_right(grad_output, x, w, stride, padding))


def _backward_wrong_order(grad_output, x, w, stride=1, padding=0):
    grad_x, grad_w, grad_b = _backward_right(grad_output, x, w, stride, padding)
    return grad_w, grad_x, grad_b


def _backward_two_results(grad_output, x, w, stride=1, padding=0):
    grad_x, grad_w, _ = _backward_right(grad_output, x, w, stride, padding)
    return grad_x, grad_w


def _backward_wrong_default(grad_output, x, w, stride=1, padding=1):
    return _backward_right(grad_output, x, w, stride, padding)


def _backward_full_convolution(grad_output, x, w, stride=1, padding=0):
    """grad_x as the 'full' convolution of the zero-stuffed upstream gradient with the flipped kernels."""
    N, _, H, W = x.shape
    C_out, _, K_h, K_w = w.shape
    _, _, H_out, W_out = grad_output.shape
    stuffed = grad_output.new_zeros(N, C_out, (H_out - 1) * stride + 1, (W_out - 1) * stride + 1)
    stuffed[:, :, ::stride, ::stride] = grad_output
    full = F.conv2d(F.pad(stuffed, (K_w - 1, K_w - 1, K_h - 1, K_h - 1)), w.flip(2, 3).transpose(0, 1))
    full = F.pad(full, (0, W + 2 * padding - full.shape[3], 0, H + 2 * padding - full.shape[2]))  # rows never read
    grad_w = F.conv2d(F.pad(x, (padding,) * 4).transpose(0, 1), stuffed.transpose(0, 1)).transpose(0, 1)
    return (full[:, :, padding:padding + H, padding:padding + W], grad_w[:, :, :K_h, :K_w],
            grad_output.sum(dim=(0, 2, 3)))


def _backward_full_convolution_stride_one(grad_output, x, w, stride=1, padding=0):
    """The same, but the upstream gradient is not zero-stuffed: right at stride 1 only."""
    _, grad_w, grad_b = _backward_right(grad_output, x, w, stride, padding)
    _, _, H, W = x.shape
    _, _, K_h, K_w = w.shape
    full = F.conv2d(F.pad(grad_output, (K_w - 1, K_w - 1, K_h - 1, K_h - 1)), w.flip(2, 3).transpose(0, 1))
    full = full[:, :, padding:padding + H, padding:padding + W]
    return F.pad(full, (0, W - full.shape[3], 0, H - full.shape[2])), grad_w, grad_b


def _backward_aten(grad_output, x, w, stride=1, padding=0):
    return torch.ops.aten.convolution_backward(grad_output, x, w, [w.shape[0]], [stride] * 2, [padding] * 2,
                                               [1, 1], False, [0, 0], 1, [True, True, True])


def _backward_negated(grad_output, x, w, stride=1, padding=0):
    grad_x, grad_w, grad_b = _backward_right(grad_output, x, w, stride, padding)
    return -grad_x, -grad_w, -grad_b  # "descent" applied to the gradients themselves


def _backward_zeroes_grad_output(grad_output, x, w, stride=1, padding=0):
    result = _backward_right(grad_output, x, w, stride, padding)
    grad_output.zero_()  # "consumed"
    return result


def _backward_grad_w_transposed(grad_output, x, w, stride=1, padding=0):
    grad_x, grad_w, grad_b = _backward_right(grad_output, x, w, stride, padding)
    return grad_x, grad_w.transpose(0, 1), grad_b  # (C_in, C_out, ...): right only when C_in == C_out


# ----------------------------------------------------------------------------- 06.6 receptive field


def _field_stub(layers):
    # Your code here.
    ...


def _field_ignoring_strides(layers):
    return 1 + sum(k - 1 for k, _ in layers)


def _field_stride_too_early(layers):
    size, jump = 1, 1
    for k, s in layers:
        jump *= s
        size += (k - 1) * jump
    return size


def _field_right(layers):
    size, jump = 1, 1
    for k, s in layers:
        size += (k - 1) * jump
        jump *= s
    return size


def _field_backwards(layers):
    # From the top unit down to the input: r_in = (r_out - 1) * s + k.
    size = 1
    for k, s in reversed(layers):
        size = (size - 1) * s + k
    return size


def _field_recursive(layers):
    if not layers:
        return 1
    (k, s), rest = layers[0], layers[1:]
    return k + s * (_field_recursive(rest) - 1)


def _field_pops(layers):
    size, jump = 1, 1
    while layers:
        k, s = layers.pop(0)  # empties the caller's list
        size += (k - 1) * jump
        jump *= s
    return size


def _field_starts_at_first_kernel(layers):
    size, jump = layers[0][0], layers[0][1]  # no layers: IndexError
    for k, s in layers[1:]:
        size += (k - 1) * jump
        jump *= s
    return size


def _field_float(layers):
    size, jump = 1.0, 1.0
    for k, s in layers:
        size += (k - 1) * jump
        jump *= s
    return size


def _field_closed_form(layers):
    return 1 + sum((k - 1) * math.prod(s for _, s in layers[:i]) for i, (k, _) in enumerate(layers))


def _field_reverses(layers):
    layers.reverse()  # the caller's list, top layer first now
    size = 1
    for k, s in layers:
        size = (size - 1) * s + k
    return size


def _field_overwrites_pairs(layers):
    size, jump = 1, 1
    for i, (k, s) in enumerate(layers):
        size += (k - 1) * jump
        jump *= s
        layers[i] = (size, jump)  # notes written into the caller's list
    return size


def _field_walks_top_down(layers):
    size, jump = 1, 1
    for k, s in reversed(layers):  # the bottom-up rule, walked from the top
        size += (k - 1) * jump
        jump *= s
    return size


def _field_returns_jump(layers):
    size, jump = 1, 1
    for k, s in layers:
        size += (k - 1) * jump
        jump *= s
    return jump


def _field_starts_at_zero(layers):
    size, jump = 0, 1
    for k, s in layers:
        size += (k - 1) * jump
        jump *= s
    return size


def _field_forgets_last(layers):
    size, jump = 1, 1
    for k, s in layers[:-1]:
        size += (k - 1) * jump
        jump *= s
    return size


WRONG_ANSWERS: dict[str, list[object]] = {
    "06.1": [
        None,                                                       # the stub, untouched
        torch.zeros(3, 3),                                          # attempted, but all zeros
        torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]),     # Sobel x: an edge detector
        torch.tensor([[0.0, 1.0, 2.0], [-1.0, 0.0, 1.0], [-2.0, -1.0, 0.0]]),     # a diagonal *edge* detector
        torch.tensor([[-1.0, -1.0, 2.0], [-1.0, 2.0, -1.0], [2.0, -1.0, -1.0]]),  # the other diagonal
        torch.tensor([[-1.0, -1.0, -1.0], [2.0, 2.0, 2.0], [-1.0, -1.0, -1.0]]),  # horizontal lines
        torch.tensor([[-1.0, -1.0, -1.0], [-1.0, 8.0, -1.0], [-1.0, -1.0, -1.0]]),  # spots: every line alike
        torch.eye(3),                                               # does not sum to zero
        -torch.tensor(LINE),                                        # right idea, wrong sign
        torch.tensor([[2.0, -1.0], [-1.0, 2.0]]),                   # 2 x 2
        torch.tensor([[2.0, -1.0, -1.0], [-1.0, 2.0, -1.0], [-1.0, -1.0, 1.0]]),  # does not sum to zero
        LINE,                                                       # right numbers, but a list, not a tensor
        np.array(LINE),                                             # right numbers, but a NumPy array
        "diagonal",
        torch.tensor([[1.0, 0.0, 0.0], [0.0, -2.0, 0.0], [0.0, 0.0, 1.0]]),  # adds up to 0, blind to the line
        torch.tensor([[1.0, -1.0, 1.0], [-1.0, 0.0, -1.0], [1.0, -1.0, 1.0]]),  # an X: both diagonals alike
        torch.tensor(LINE)[None, None],                             # (1, 1, 3, 3), not 3 x 3
    ],
    "06.2": [
        _size_stub,
        _size_true_division,
        _size_float_floor,
        _size_one_side,
        lambda n, kernel_size, stride=1, padding=0, dilation=1: (n - kernel_size) // stride + 1,  # no padding
        lambda n, kernel_size, stride=1, padding=0, dilation=1: (n + 2 * padding - kernel_size) // stride,
        _size_rounds_up,
        lambda n, kernel_size, stride=1, padding=0, dilation=1: (n + 2 * padding) // stride,  # forgot the kernel
        lambda n, kernel_size, stride=1, padding=0, dilation=1: n - kernel_size + 1,  # the defaults only
        _size_only_stride_one,
        _size_no_dilation,
        _size_dilation_times_k,
        _size_span_without_one,
        _size_wrong_default,
        _size_no_defaults,
        _size_tensor,
        lambda n, kernel_size, stride=1, padding=0, dilation=1: str(n),  # not a number
        28,                                                         # not a function
        _size_pads_after_stride,
        _size_rounds_to_nearest,
        _size_measured_by_conv,                                     # measures instead of working it out
        _size_measured_by_pooling,
        _size_measured_by_unfold,
    ],
    "06.3": [
        _count_stub,
        _count_no_bias,
        _count_ignores_bias_flag,
        _count_wrong_default,
        _count_no_input_channels,
        _count_square_only,
        _count_int_only,
        _count_bias_per_input,
        _count_sum_of_sides,
        _count_float,
        _count_builds_the_layer,
        lambda in_channels, out_channels, kernel_size, bias=True: 320,  # the notebook's number
        lambda in_channels, out_channels, kernel_size, bias=True: in_channels.foo,  # crashes
        _count_bias_per_input_channel,
        _count_tensor,
    ],
    "06.4": [
        _backward_stub,
        _backward_autograd,
        _backward_autograd_grad,
        _backward_transposed_conv,
        _backward_torch_nn_grad,
        _backward_overwrites,
        _backward_keeps_padding,
        _backward_crops_with_negative_index,
        _backward_ignores_padding,
        _backward_flipped_kernel,
        _backward_ignores_stride,
        _backward_first_image_only,
        _backward_one_input_channel,
        _backward_square_images,
        _backward_square_kernels,
        _backward_mean_bias,
        _backward_bias_per_image,
        _backward_mean_weights,
        _backward_reuses_w,
        _backward_numpy,
        _backward_wrong_order,
        _backward_two_results,
        _backward_wrong_default,
        _backward_full_convolution_stride_one,
        _backward_aten,
        _backward_negated,
        _backward_zeroes_grad_output,
        _backward_grad_w_transposed,
    ],
    "06.5": [(..., ...), ("d", "a"), ("c", "b"), ("b", "d"), ("d", "c"), ("d", "d"), "d", ("d", "e"),
             (None, "b"), ("a", "b")],
    "06.6": [
        _field_stub,
        _field_ignoring_strides,
        _field_stride_too_early,
        lambda layers: sum(k for k, _ in layers),
        lambda layers: math.prod(k for k, _ in layers),
        lambda layers: 24,                                          # the notebook's number
        lambda layers: layers[0],                                   # not a number
        _field_pops,
        _field_starts_at_first_kernel,
        _field_float,
        _field_forgets_last,
        _field_reverses,                                            # right number, the caller's list reversed
        _field_overwrites_pairs,                                    # right number, the caller's pairs replaced
        _field_walks_top_down,
        _field_returns_jump,
        _field_starts_at_zero,
    ],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "06.1": [
        torch.tensor(LINE),
        torch.tensor(LINE) / 6,                                     # any positive scale works
        torch.tensor([[2, -1, -1], [-1, 2, -1], [-1, -1, 2]]),      # whole numbers are fine too
        torch.tensor([[1.0, -1.0, 0.0], [-1.0, 2.0, -1.0], [0.0, -1.0, 1.0]]),
        torch.eye(3) - 1 / 3,                                       # adds up to 0 only up to float32 rounding
    ],
    "06.2": [_size_right, _size_by_floor, _size_by_range, _size_by_walking, _size_numpy_integer],
    "06.3": [_count_right, _count_by_prod, _count_numpy],
    "06.4": [_backward_right, _backward_unfold, _backward_by_offsets, _backward_conv2d_for_weights,
             _backward_full_convolution],
    "06.5": [("d", "b"), ("D", "(b)"), ["d", "b"]],
    "06.6": [_field_right, _field_backwards, _field_recursive, _field_closed_form],
}
