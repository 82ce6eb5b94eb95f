"""Answers for the exercises of notebook 17."""

from __future__ import annotations

import itertools
import math
import operator

import numpy as np
import torch

# ---------------------------------------------------------------- 17.1 alpha-bar


def alpha_bar_stub(betas):
    # Your code here: one alpha-bar per step.
    ...


def _shifted(betas):
    return torch.cat([torch.ones(1, dtype=betas.dtype), torch.cumprod(1 - betas, 0)[:-1]])


def _in_place_alpha_bar(betas):
    betas.mul_(-1).add_(1)  # turns the caller's betas into alphas
    return torch.cumprod(betas, 0)


def _loop_product(betas):
    values, running = [], torch.ones((), dtype=betas.dtype)
    for beta in betas:
        running = running * (1 - beta)
        values.append(running)
    return torch.stack(values)


WRONG_17_1 = [
    alpha_bar_stub,
    lambda betas: 1 - betas,                               # the alphas themselves
    lambda betas: torch.cumprod(betas, 0),                 # product of the betas
    lambda betas: 1 - torch.cumprod(betas, 0),             # 1 - product of the betas
    _shifted,                                              # off by one: starts at 1
    lambda betas: torch.cat([torch.cumprod(1 - betas, 0)[1:], torch.zeros(1, dtype=betas.dtype)]),  # skips step 0
    lambda betas: torch.cumsum(1 - betas, 0),              # sum, not product
    lambda betas: 1 - torch.cumsum(betas, 0),              # first-order approximation
    lambda betas: torch.exp(-torch.cumsum(betas, 0)),      # exponential approximation
    lambda betas: torch.cumprod(1 - betas, 0).sqrt(),      # sqrt(alpha-bar)
    lambda betas: torch.cumprod((1 - betas).flip(0), 0).flip(0),  # product from the end
    lambda betas: torch.prod(1 - betas),                   # only the last value
    lambda betas: torch.cumprod(1 - betas, 0).float(),     # dtype changed to float32
    lambda betas: torch.cumprod(1 - betas, 0).numpy(),     # a NumPy array
    lambda betas: torch.cumprod(1 - betas, 0).tolist(),    # a list
    _in_place_alpha_bar,                                   # changes its input
]
RIGHT_17_1 = [
    _loop_product,
    lambda betas: torch.exp(torch.cumsum(torch.log1p(-betas), dim=0)),
    lambda betas: (1 - betas).cumprod(dim=-1),
]

# ---------------------------------------------------------------- 17.2 q_sample


def q_sample_stub(x0, t, eps, alpha_bar):
    # Your code here: x_t = sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) eps, one t per row.
    ...


def _per_row(values, like):
    return values.reshape(-1, *[1] * (like.dim() - 1))


def _q_with(signal, noise, index=lambda t: t):
    """A q_sample whose coefficients are signal(a) and noise(a), a = alpha_bar at index(t), one per row."""
    def q_sample(x0, t, eps, alpha_bar):
        a = _per_row(alpha_bar[index(t)], x0)
        return signal(a) * x0 + noise(a) * eps
    return q_sample


def _q_wrong_axis(x0, t, eps, alpha_bar):
    a = alpha_bar[t]  # (batch,) broadcast along the last axis
    return a.sqrt() * x0 + (1 - a).sqrt() * eps


def _q_first_row_only(x0, t, eps, alpha_bar):
    a = alpha_bar[t[0]]
    return a.sqrt() * x0 + (1 - a).sqrt() * eps


def _q_in_place(x0, t, eps, alpha_bar):
    a = _per_row(alpha_bar[t], x0)
    x0.mul_(a.sqrt())
    return x0 + (1 - a).sqrt() * eps


def _q_unsqueeze(x0, t, eps, alpha_bar):
    a = alpha_bar[t]
    while a.dim() < x0.dim():
        a = a.unsqueeze(-1)
    return torch.sqrt(a) * x0 + torch.sqrt(1 - a) * eps


def _q_movedim(x0, t, eps, alpha_bar):
    a = alpha_bar[t]
    return (a.sqrt() * x0.movedim(0, -1) + (1 - a).sqrt() * eps.movedim(0, -1)).movedim(-1, 0)


WRONG_17_2 = [
    q_sample_stub,
    _q_with(lambda a: a, lambda a: 1 - a),                 # no square roots
    _q_with(lambda a: a.sqrt(), lambda a: 1 - a),          # noise coefficient without sqrt
    _q_with(lambda a: a, lambda a: (1 - a).sqrt()),        # signal coefficient without sqrt
    _q_with(lambda a: (1 - a).sqrt(), lambda a: a.sqrt()),  # swapped
    _q_with(lambda a: a.sqrt(), lambda a: 1 - a.sqrt()),   # 1 - sqrt(alpha-bar)
    _q_with(lambda a: torch.ones_like(a), lambda a: (1 - a).sqrt()),  # signal not shrunk
    _q_with(lambda a: a.sqrt(), lambda a: torch.zeros_like(a)),       # no noise
    _q_with(lambda a: a.sqrt(), lambda a: (1 - a).sqrt(), index=lambda t: t - 1),  # off by one
    _q_with(lambda a: a.sqrt(), lambda a: (1 - a).sqrt(), index=lambda t: t + 1),  # off by one
    _q_wrong_axis,
    _q_first_row_only,
    _q_in_place,
    lambda x0, t, eps, alpha_bar: _q_unsqueeze(x0, t, eps, alpha_bar).numpy(),
]
RIGHT_17_2 = [
    _q_unsqueeze,
    _q_movedim,
    lambda x0, t, eps, alpha_bar: (alpha_bar.gather(0, t).view(-1, *[1] * (x0.ndim - 1)).sqrt() * x0
                                   + (1 - alpha_bar.gather(0, t)).view(-1, *[1] * (x0.ndim - 1)).sqrt() * eps),
]

# ---------------------------------------------------------------- 17.4 the reverse step


def reverse_step_stub(x_t, t, eps_hat, betas, alpha_bar, z):
    # Your code here: the mean, then + sigma_t * z except at t == 0.
    ...


def _step(coefficient=None, divide=None, sigma=None, noise_at_zero=False, index=0, sign=1.0, noise_sign=1.0,
          last=0):
    """A reverse step built from pieces, each replaceable by a plausible mistake."""
    def reverse_step(x_t, t, eps_hat, betas, alpha_bar, z):
        s = t + index
        beta, abar = betas[s], alpha_bar[s]
        c = coefficient(beta, abar) if coefficient else beta / (1 - abar).sqrt()
        d = divide(beta, abar) if divide else (1 - beta).sqrt()
        mean = (x_t - sign * c * eps_hat) / d
        if t == last and not noise_at_zero:
            return mean
        return mean + noise_sign * (sigma(beta, abar, s, alpha_bar) if sigma else beta.sqrt()) * z
    return reverse_step


def _posterior_sigma(beta, abar, s, alpha_bar):
    previous = alpha_bar[s - 1] if s > 0 else torch.ones((), dtype=alpha_bar.dtype)
    return (beta * (1 - previous) / (1 - abar)).sqrt()


def _predicted_x0(x_t, t, eps_hat, betas, alpha_bar, z):
    return (x_t - (1 - alpha_bar[t]).sqrt() * eps_hat) / alpha_bar[t].sqrt()


def _step_in_place(x_t, t, eps_hat, betas, alpha_bar, z):
    x_t -= betas[t] / (1 - alpha_bar[t]).sqrt() * eps_hat
    x_t /= (1 - betas[t]).sqrt()
    return x_t + betas[t].sqrt() * z if t > 0 else x_t


def _step_posterior_mean(x_t, t, eps_hat, betas, alpha_bar, z):
    """The same mean written through the predicted x0 and the posterior q(x_{t-1} | x_t, x_0)."""
    abar = alpha_bar[t]
    previous = alpha_bar[t - 1] if t > 0 else torch.ones((), dtype=alpha_bar.dtype)
    x0_hat = (x_t - (1 - abar).sqrt() * eps_hat) / abar.sqrt()
    mean = (previous.sqrt() * betas[t] / (1 - abar)) * x0_hat + ((1 - betas[t]).sqrt() * (1 - previous) / (1 - abar)) * x_t
    return mean + (betas[t].sqrt() * z if t > 0 else 0)


def _step_alpha_from_ratio(x_t, t, eps_hat, betas, alpha_bar, z):
    alpha = alpha_bar[t] / alpha_bar[t - 1] if t > 0 else alpha_bar[0]
    mean = (x_t - (1 - alpha) / torch.sqrt(1 - alpha_bar[t]) * eps_hat) / torch.sqrt(alpha)
    return torch.where(torch.tensor(t > 0), mean + torch.sqrt(1 - alpha) * z, mean)


WRONG_17_4 = [
    reverse_step_stub,
    _step(noise_at_zero=True),                                        # noise added at t = 0
    _step(sigma=lambda beta, abar, s, ab: 0 * beta),                  # never any noise
    _step(sigma=lambda beta, abar, s, ab: beta),                      # variance for standard deviation
    _step(sigma=_posterior_sigma),                                    # the other variance
    _step(coefficient=lambda beta, abar: beta / (1 - abar)),          # sqrt missing
    _step(coefficient=lambda beta, abar: beta / beta.sqrt()),         # beta for 1 - alpha-bar
    _step(coefficient=lambda beta, abar: (1 - abar).sqrt()),          # removes all the noise
    _step(divide=lambda beta, abar: abar.sqrt()),                     # alpha-bar for alpha
    _step(divide=lambda beta, abar: 1 / (1 - beta).sqrt()),           # multiplies by sqrt(alpha)
    _step(divide=lambda beta, abar: 1 - beta),                        # alpha, not its square root
    _step(sign=-1.0),                                                 # adds the predicted noise
    _step(noise_sign=-1.0),                                           # subtracts the noise
    _step(index=-1),                                                  # schedule at t - 1
    _step(last=1),                                                    # 1-based: no noise at t == 1
    _predicted_x0,                                                    # jumps to x0
    _step_in_place,                                                   # changes x_t
    lambda x_t, t, eps_hat, betas, alpha_bar, z: _step()(x_t, t, eps_hat, betas, alpha_bar, z).numpy(),
]
RIGHT_17_4 = [_step(), _step_posterior_mean, _step_alpha_from_ratio]

# ---------------------------------------------------------------- 17.5 MADE masks


def made_masks_stub(degrees, D):
    # Your code here: return (mask_in, mask_out), mask_in of shape (H, D) and mask_out of shape (D, H).
    ...


def _masks(inp, out, transpose=False, swap=False):
    def made_masks(degrees, D):
        pixels = torch.arange(D)
        mask_in = inp(pixels[None, :], degrees[:, None]).float()
        mask_out = out(degrees[None, :], pixels[:, None]).float()
        if transpose:
            mask_in, mask_out = mask_in.T, mask_out.T
        return (mask_out, mask_in) if swap else (mask_in, mask_out)
    return made_masks


def _masks_loops(degrees, D):
    H = len(degrees)
    mask_in, mask_out = torch.zeros(H, D), torch.zeros(D, H)
    for k in range(H):
        for i in range(D):
            mask_in[k, i] = float(i <= degrees[k])
            mask_out[i, k] = float(degrees[k] < i)
    return mask_in, mask_out


def _masks_by_position(degrees, D):
    H = len(degrees)
    return torch.ones(H, D).tril(), torch.ones(D, H).tril(-1)  # ignores the degrees


def _masks_one_based(degrees, D):
    pixels = torch.arange(1, D + 1)
    return (pixels[None, :] <= degrees[:, None]).float(), (degrees[None, :] < pixels[:, None]).float()


_le, _lt = (lambda a, b: a <= b), (lambda a, b: a < b)

WRONG_17_5 = [
    made_masks_stub,
    _masks(_le, _le),                                  # output sees its own pixel
    _masks(_lt, _lt),                                  # hidden layer too strict
    _masks(_le, _lt, transpose=True),                  # both transposed
    _masks(_le, _lt, swap=True),                       # returned in the other order
    _masks(lambda a, b: a >= b, lambda a, b: a > b),   # both directions reversed
    _masks(lambda a, b: torch.ones_like(a | b, dtype=torch.bool), _lt),  # mask_in all ones
    _masks(_le, lambda a, b: torch.ones_like(a | b, dtype=torch.bool)),  # mask_out all ones
    lambda degrees, D: tuple(m.bool() for m in _masks(_le, _lt)(degrees, D)),    # bool, not float
    lambda degrees, D: tuple(m.numpy() for m in _masks(_le, _lt)(degrees, D)),   # NumPy arrays
    _masks_by_position,
    _masks_one_based,
]
RIGHT_17_5 = [
    _masks_loops,
    lambda degrees, D: (torch.ge(degrees[:, None], torch.arange(D)[None]).to(torch.float32),
                        torch.gt(torch.arange(D)[:, None], degrees[None]).to(torch.float32)),
    lambda degrees, D: (lambda m: (m, (degrees[None, :] < torch.arange(D)[:, None]).double()))(
        (torch.arange(D).unsqueeze(0) <= degrees.unsqueeze(1)).double()),
]

# ---------------------------------------------------------------- more wrong answers (independent review)


def _ab_hard_coded(betas):
    b = torch.linspace(1e-3, 0.2, 100, dtype=betas.dtype)  # the notebook's schedule, not the argument
    return torch.cumprod(1 - b, 0)


def _ab_no_return(betas):
    alpha_bar = torch.cumprod(1 - betas, 0)  # noqa: F841 (forgets to return it)


def _q_alpha_not_alpha_bar(x0, t, eps, alpha_bar):
    alphas = alpha_bar / torch.cat([torch.ones(1, dtype=alpha_bar.dtype), alpha_bar[:-1]])
    return _q_with(lambda a: a.sqrt(), lambda a: (1 - a).sqrt())(x0, t, eps, alphas)


def _q_two_dims_only(x0, t, eps, alpha_bar):
    a = alpha_bar[t][:, None]
    return a.sqrt() * x0 + (1 - a).sqrt() * eps


def _q_images_only(x0, t, eps, alpha_bar):
    a = alpha_bar[t].view(-1, 1, 1, 1)
    return a.sqrt() * x0 + (1 - a).sqrt() * eps


def _q_own_noise(x0, t, eps, alpha_bar):
    a = _per_row(alpha_bar[t], x0)
    return a.sqrt() * x0 + (1 - a).sqrt() * torch.randn_like(x0)


def _q_mean_step(x0, t, eps, alpha_bar):
    a = alpha_bar[t].mean()
    return a.sqrt() * x0 + (1 - a).sqrt() * eps


def _q_no_return(x0, t, eps, alpha_bar):
    x_t = _q_unsqueeze(x0, t, eps, alpha_bar)  # noqa: F841


def _step_coefficient_previous(x_t, t, eps_hat, betas, alpha_bar, z):
    abar = alpha_bar[t - 1] if t > 0 else alpha_bar[0]
    mean = (x_t - betas[t] / (1 - abar).sqrt() * eps_hat) / (1 - betas[t]).sqrt()
    return mean + betas[t].sqrt() * z if t > 0 else mean


def _step_noise_inside(x_t, t, eps_hat, betas, alpha_bar, z):
    noise = betas[t].sqrt() * z if t > 0 else 0
    return (x_t - betas[t] / (1 - alpha_bar[t]).sqrt() * eps_hat + noise) / (1 - betas[t]).sqrt()


def _step_own_noise(x_t, t, eps_hat, betas, alpha_bar, z):
    return _step()(x_t, t, eps_hat, betas, alpha_bar, torch.randn_like(x_t))


def _step_no_noise_at_one(x_t, t, eps_hat, betas, alpha_bar, z):
    mean = _step()(x_t, t, eps_hat, betas, alpha_bar, 0 * z)
    return mean + betas[t].sqrt() * z if t > 1 else mean


def _step_ddim(x_t, t, eps_hat, betas, alpha_bar, z):
    previous = alpha_bar[t - 1] if t > 0 else torch.ones((), dtype=alpha_bar.dtype)
    return previous.sqrt() * _predicted_x0(x_t, t, eps_hat, betas, alpha_bar, z) + (1 - previous).sqrt() * eps_hat


def _step_hard_coded(x_t, t, eps_hat, betas, alpha_bar, z):
    b = torch.linspace(1e-3, 0.2, 100, dtype=x_t.dtype)
    return _step()(x_t, t, eps_hat, b, torch.cumprod(1 - b, 0), z)


def _masks_sorted_degrees(degrees, D):
    return _masks(_le, _lt)(degrees.sort().values, D)


def _masks_hard_coded(degrees, D):
    return _masks(_le, _lt)(degrees, 196)


def _masks_zero_out(degrees, D):
    mask_in, mask_out = _masks(_le, _lt)(degrees, D)
    return mask_in, torch.zeros_like(mask_out)


def _masks_no_return(degrees, D):
    masks = _masks(_le, _lt)(degrees, D)  # noqa: F841


WRONG_17_1 += [_ab_hard_coded, _ab_no_return,
               lambda betas: torch.cumprod(1 - betas, 0).flip(0),          # right values, reversed order
               lambda betas: torch.cumsum(1 - betas, 0) / len(betas)]      # a running mean
WRONG_17_2 += [_q_alpha_not_alpha_bar, _q_two_dims_only, _q_images_only, _q_own_noise, _q_mean_step, _q_no_return,
               _q_with(lambda a: a.sqrt(), lambda a: (1 + a).sqrt())]       # 1 + alpha-bar
WRONG_17_4 += [_step_coefficient_previous, _step_noise_inside, _step_own_noise, _step_no_noise_at_one, _step_ddim,
               _step_hard_coded]
WRONG_17_5 += [_masks(_lt, _le),                    # the strict inequality in the wrong layer
               _masks_sorted_degrees, _masks_hard_coded, _masks_zero_out, _masks_no_return,
               lambda degrees, D: _masks(_le, _lt)(degrees, D)[0]]          # only mask_in
RIGHT_17_1 += [lambda betas: torch.tensor(list(itertools.accumulate((1 - betas).tolist(), operator.mul)),
                                          dtype=betas.dtype)]
RIGHT_17_2 += [lambda x0, t, eps, alpha_bar: torch.stack([alpha_bar[s].sqrt() * x0[i] + (1 - alpha_bar[s]).sqrt()
                                                          * eps[i] for i, s in enumerate(t)])]
RIGHT_17_4 += [lambda x_t, t, eps_hat, betas, alpha_bar, z: (
    (x_t - float(betas[t]) / math.sqrt(1 - float(alpha_bar[t])) * eps_hat) / math.sqrt(1 - float(betas[t]))
    + (math.sqrt(float(betas[t])) if t else 0.0) * z)]
RIGHT_17_5 += [lambda degrees, D: (
    torch.from_numpy(np.greater_equal.outer(degrees.numpy(), np.arange(D))).float(),
    torch.from_numpy(np.greater.outer(np.arange(D), degrees.numpy())).float())]

WRONG_ANSWERS: dict[str, list[object]] = {
    "17.1": WRONG_17_1,
    "17.2": WRONG_17_2,
    "17.3": ["b", "c", "d", None, "yes"],
    "17.4": WRONG_17_4,
    "17.5": WRONG_17_5,
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "17.1": RIGHT_17_1,
    "17.2": RIGHT_17_2,
    "17.3": ["a", " A", "(a)"],
    "17.4": RIGHT_17_4,
    "17.5": RIGHT_17_5,
}
