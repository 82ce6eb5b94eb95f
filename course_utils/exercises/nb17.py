"""Exercises of notebook 17 (Diffusion and autoregressive generation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from course_utils.checks import (
    Wrong,
    assert_tensor_close,
    call,
    exercise,
    expect_tensor,
    matching_mistake,
    multiple_choice,
    random_shapes,
)


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _random_betas(T: int, seed: int, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """An increasing schedule of T noise levels in (0, 0.4): large enough that approximations show."""
    return torch.sort(0.001 + 0.4 * torch.rand(T, generator=_generator(seed), dtype=dtype)).values


def _first_mistake(got: torch.Tensor, mistakes: list[tuple[Any, str]], what: str, hint: str,
                   expected: torch.Tensor) -> None:
    """Raise Wrong naming the first mistake that ``got`` reproduces, unless ``got`` is the expected result."""
    if matching_mistake(got, [(expected, "right")]):
        return
    why = matching_mistake(got, mistakes)
    if why:
        raise Wrong(f"{what}: {why}", hint=hint)


# ---------------------------------------------------------------- 17.1 the noise schedule

_SCHEDULE_HINT = ("alpha_t = 1 - beta_t is what survives of the signal's variance in one step; alpha-bar_t multiplies "
                  "the alphas of steps 1 to t, step t included. PyTorch has a running product, as it has "
                  "torch.cumsum for running sums.")


@exercise("17.1", title="From the betas to alpha-bar", hint=_SCHEDULE_HINT)
def check_alpha_bar(answer: Any) -> None:
    """answer(betas) -> alpha_bar, a tensor of betas' shape: alpha_bar[t] = prod_{s <= t} (1 - betas[s])."""
    for case, T in enumerate((1, 2, 7, 30, 200)):
        for dtype in (torch.float64, torch.float32):
            betas = _random_betas(T, 17 + case, dtype)
            alphas = 1 - betas
            expected = torch.cumprod(alphas, 0)
            what = f"For {T} betas of dtype {dtype}"
            got = expect_tensor(call(answer, betas, name="alpha_bar_schedule"), what, floating=True)
            if got.shape != expected.shape:
                raise Wrong(f"{what}: expected one alpha-bar per step, shape {tuple(expected.shape)}, got "
                            f"{tuple(got.shape)}." + (" Keep the running product, not only its last value."
                                                      if got.numel() == 1 else ""), hint=_SCHEDULE_HINT)
            if got.dtype != betas.dtype:
                raise Wrong(f"{what}: your result has dtype {got.dtype}; keep the betas' dtype {betas.dtype}.")
            shifted = torch.cat([torch.ones(1, dtype=dtype), expected[:-1]])
            _first_mistake(got, [
                (alphas, "you returned the alphas (1 - beta_t), not their running product alpha-bar."),
                (torch.cumprod(betas, 0), "you multiplied the betas; alpha-bar multiplies the alphas, 1 - beta_s."),
                (1 - torch.cumprod(betas, 0), "you took 1 - (running product of the betas); alpha-bar is the "
                                              "running product of (1 - beta_s)."),
                (shifted, "off by one: your alpha-bar[t] stops before step t (it starts at 1). Step t's own alpha "
                          "is part of the product: alpha-bar[0] = alpha[0]."),
                (torch.cumprod(alphas, 0)[1:], "off by one: your product skips the first step."),
                (torch.cumsum(alphas, 0), "you added the alphas; alpha-bar is their running product."),
                (1 - torch.cumsum(betas, 0), "1 - (sum of the betas) is only the first-order approximation of the "
                                             "product; it is far off for large betas. Multiply the alphas."),
                (torch.exp(-torch.cumsum(betas, 0)), "exp(-sum of the betas) is only an approximation of the product "
                                                     "(good for tiny betas); multiply the alphas exactly."),
                (expected.sqrt(), "you returned sqrt(alpha-bar): the coefficient of x0, not alpha-bar itself."),
                (torch.cumprod(alphas.flip(0), 0).flip(0), "your product runs from the end: alpha-bar[t] multiplies "
                                                           "the alphas of steps 0 to t."),
                (expected.flip(0), "the values are right but in reverse order: entry t is the product up to step t, "
                                   "so alpha-bar falls as t grows."),
            ], what, _SCHEDULE_HINT, expected)
            assert_tensor_close(got, expected, what, atol=1e-12 if dtype == torch.float64 else 1e-6)


# ---------------------------------------------------------------- 17.2 the closed-form forward process

_Q_HINT = ("x_t = sqrt(alpha_bar[t]) * x0 + sqrt(1 - alpha_bar[t]) * eps, with t holding one step per row. "
           "alpha_bar[t] has one value per row, shape (batch,), while x0 may have any number of axes after the "
           "first: give the coefficients a shape that broadcasts along the first axis.")


def _per_row(values: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    return values.reshape(-1, *([1] * (like.dim() - 1)))


def _q_reference(x0: torch.Tensor, t: torch.Tensor, eps: torch.Tensor, alpha_bar: torch.Tensor) -> torch.Tensor:
    a = _per_row(alpha_bar[t], x0)
    return a.sqrt() * x0 + (1 - a).sqrt() * eps


def _q_mistakes(x0: torch.Tensor, t: torch.Tensor, eps: torch.Tensor,
                alpha_bar: torch.Tensor) -> list[tuple[Callable[[], Any], str]]:
    """Plausible wrong forward-noising results, each with what went wrong."""
    a = _per_row(alpha_bar[t], x0)
    return [
        (lambda: a * x0 + (1 - a) * eps, "the square roots are missing: alpha-bar and 1 - alpha-bar are "
                                         "variances; the coefficients are their square roots."),
        (lambda: a.sqrt() * x0 + (1 - a) * eps, "the noise's coefficient is sqrt(1 - alpha-bar), not 1 - alpha-bar."),
        (lambda: a * x0 + (1 - a).sqrt() * eps, "the signal's coefficient is sqrt(alpha-bar), not alpha-bar."),
        (lambda: (1 - a).sqrt() * x0 + a.sqrt() * eps, "the two coefficients are swapped: the signal gets "
                                                       "sqrt(alpha-bar), which starts near 1."),
        (lambda: a.sqrt() * x0 + (1 - a.sqrt()) * eps, "the noise's coefficient is sqrt(1 - alpha-bar), not "
                                                       "1 - sqrt(alpha-bar): the variances must add up to 1."),
        (lambda: x0 + (1 - a).sqrt() * eps, "the signal is not shrunk: x0 needs the factor sqrt(alpha-bar), or "
                                            "the variance of x_t grows without bound."),
        (lambda: a.sqrt() * x0, "the noise is missing: add sqrt(1 - alpha-bar) * eps."),
        (lambda: _q_reference(x0, t - 1, eps, alpha_bar),  # alpha_bar[-1] at t = 0, as the mistake gives
         "off by one: you used alpha_bar[t - 1]. Row i is at step t[i]: index alpha_bar with t itself."),
        (lambda: _q_reference(x0, t + 1, eps, alpha_bar),  # raises (skipped) where t + 1 = T
         "off by one: you used alpha_bar[t + 1]. Row i is at step t[i]: index alpha_bar with t itself."),
        (lambda: _q_reference(x0, t, eps, alpha_bar / torch.cat([alpha_bar.new_ones(1), alpha_bar[:-1]])),
         "you used alpha_t, the share that survives one step, where alpha-bar_t, the share that survives all the "
         "steps 1 to t, is needed: q(x_t | x_0) jumps over the whole chain."),
        (lambda: _q_reference(x0, t[:1].expand_as(t), eps, alpha_bar) if bool((t != t[0]).any()) else None,
         "every row got the noise level of the first row's step t[0]: each row has its own step, t[i]."),
    ]


@exercise("17.2", title="Noise in one jump: q(x_t | x_0)", hint=_Q_HINT)
def check_q_sample(answer: Any) -> None:
    """answer(x0, t, eps, alpha_bar) -> x_t of x0's shape, one step t per row."""
    # (batch, rest of the shape): square (B, B) catches a broadcast along the wrong axis
    cases = [(6, (6,)), (5, (2,)), (1, (3,)), (4, ()), *[(b, tuple(s)) for b, *s in random_shapes(17, (3, 4))]]
    for case, (batch, rest) in enumerate(cases):
        g = _generator(100 + case)
        T = 13 + case
        alpha_bar = torch.cumprod(1 - _random_betas(T, case), 0)
        x0 = torch.randn(batch, *rest, generator=g, dtype=torch.float64)
        eps = torch.randn(batch, *rest, generator=g, dtype=torch.float64)
        t = torch.randint(1, T - 1, (batch,), generator=g)
        if batch > 2:  # the ends of the schedule: step 0 always, the last step after the first case
            t[0] = 0
            if case > 0:
                t[1] = T - 1
        what = f"For x0 of shape {tuple(x0.shape)} and t = {t.tolist()}"
        expected = _q_reference(x0, t, eps, alpha_bar)
        got = expect_tensor(call(answer, x0, t, eps, alpha_bar, name="q_sample"), what, floating=True)
        if got.shape != x0.shape:
            raise Wrong(f"{what}: expected x_t of x0's shape {tuple(x0.shape)}, got {tuple(got.shape)}. Reshape "
                        "alpha_bar[t] to (batch, 1, ...) before multiplying.", hint=_Q_HINT)
        _first_mistake(got, _q_mistakes(x0, t, eps, alpha_bar), what, _Q_HINT, expected)
        if not torch.allclose(got, expected, atol=1e-10, rtol=0):
            again = expect_tensor(call(answer, x0, t, eps, alpha_bar, name="q_sample"), what, floating=True)
            if not torch.equal(again, got):
                raise Wrong(f"{what}: two calls with the same inputs gave different results: your function draws "
                            "its own noise. Use the eps it is given.", hint=_Q_HINT)
        if len(rest) == 1 and rest[0] == batch:
            wrong_axis = alpha_bar[t].sqrt() * x0 + (1 - alpha_bar[t]).sqrt() * eps
            _first_mistake(got, [(wrong_axis, "alpha_bar[t] of shape (batch,) broadcast along the last axis, so "
                                              "column j got row j's noise level. Reshape it to (batch, 1).")],
                           what, _Q_HINT, expected)
        assert_tensor_close(got, expected, what, atol=1e-10)


# ---------------------------------------------------------------- 17.3 predict the loss against t

exercise(
    "17.3",
    title="Where is noise hardest to predict?",
    hint="Picture x_t = sqrt(alpha-bar_t) x0 + sqrt(1 - alpha-bar_t) eps at the two ends, t = 1 and t = T: at "
         "each end, how much does looking at x_t tell you about eps?",
)(
    multiple_choice(
        correct="a",
        feedback={
            "a": "Right: at small t the noise is a tiny difference between x_t and an x0 that the network does not "
                 "know exactly, so the noise is nearly unpredictable (loss near 1 per number); at large t, x_t is "
                 "almost eps itself and the loss falls towards 0.",
            "b": "At large t, x_t = sqrt(alpha-bar) x0 + sqrt(1 - alpha-bar) eps is almost eps itself: predicting eps "
                 "is then nearly copying the input, and the loss is smallest there.",
            "c": "eps has the same distribution at every t, but how much x_t tells you about it changes: almost "
                 "everything at large t, almost nothing at small t.",
            "d": "Look at the two ends: at large t the input nearly is eps (easy); at small t eps is a tiny "
                 "perturbation of an unknown x0 (hard). The loss falls steadily from small t to large t.",
        },
    )
)


# ---------------------------------------------------------------- 17.4 the reverse step (the sampler)

_STEP_HINT = ("x_{t-1} = (x_t - beta_t / sqrt(1 - alpha_bar_t) * eps_hat) / sqrt(alpha_t) + sigma_t * z with "
              "alpha_t = 1 - beta_t and sigma_t = sqrt(beta_t), all taken at index t; add no noise at t = 0, the "
              "last step.")


def _step_reference(x_t: torch.Tensor, t: int, eps_hat: torch.Tensor, betas: torch.Tensor,
                    alpha_bar: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    beta, abar = betas[t], alpha_bar[t]
    mean = (x_t - beta / (1 - abar).sqrt() * eps_hat) / (1 - beta).sqrt()
    return mean + beta.sqrt() * z if t > 0 else mean


def _step_mistakes(x_t: torch.Tensor, t: int, eps_hat: torch.Tensor, betas: torch.Tensor,
                   alpha_bar: torch.Tensor, z: torch.Tensor) -> list[tuple[Callable[[], Any], str]]:
    T = len(betas)
    beta, abar, alpha = betas[t], alpha_bar[t], 1 - betas[t]
    noise = beta.sqrt() * z if t > 0 else 0 * z
    mean = _step_reference(x_t, t, eps_hat, betas, alpha_bar, 0 * z)
    previous = alpha_bar[t - 1] if t > 0 else torch.ones((), dtype=alpha_bar.dtype)
    posterior = (beta * (1 - previous) / (1 - abar)).sqrt() * z if t > 0 else 0 * z

    def at(s: int) -> torch.Tensor:
        return _step_reference(x_t, s, eps_hat, betas, alpha_bar, z)

    return [
        (lambda: mean + beta.sqrt() * z, "you added noise at t = 0 too. The last step returns the mean: noise added "
                                         "there would stay in the sample."),
        (lambda: mean, "no noise is added: for t > 0 the step draws x_{t-1} around the mean, + sigma_t * z with "
                       "sigma_t = sqrt(beta_t)."),
        (lambda: mean + beta * z if t > 0 else None, "sigma_t * z uses the standard deviation sqrt(beta_t), not the "
                                                     "variance beta_t."),
        (lambda: mean + posterior, "you used the posterior's variance beta_t (1 - alpha_bar_{t-1}) / (1 - alpha_bar_t). "
                                   "Ho et al. found it as good, but this exercise asks for sigma_t^2 = beta_t."),
        (lambda: (x_t - beta / (1 - abar) * eps_hat) / alpha.sqrt() + noise,
         "eps_hat is scaled by beta_t / (1 - alpha_bar_t): the square root of 1 - alpha_bar_t is missing."),
        (lambda: (x_t - beta / beta.sqrt() * eps_hat) / alpha.sqrt() + noise,
         "eps_hat is scaled by beta_t / sqrt(beta_t): the denominator is sqrt(1 - alpha_bar_t), the noise's standard "
         "deviation in x_t, not sqrt(beta_t)."),
        (lambda: (x_t - (1 - abar).sqrt() * eps_hat) / alpha.sqrt() + noise,
         "eps_hat is scaled by sqrt(1 - alpha_bar_t): that removes all the noise at once. One step removes "
         "beta_t / sqrt(1 - alpha_bar_t) of it."),
        (lambda: (x_t - beta / (1 - abar).sqrt() * eps_hat) / abar.sqrt() + noise,
         "you divided by sqrt(alpha_bar_t): one step undoes one step's shrinking, sqrt(alpha_t) = sqrt(1 - beta_t)."),
        (lambda: (x_t - beta / (1 - abar).sqrt() * eps_hat) * alpha.sqrt() + noise,
         "you multiplied by sqrt(alpha_t): the forward step shrank x by sqrt(alpha_t), so the reverse step divides by it."),
        (lambda: (x_t - beta / (1 - abar).sqrt() * eps_hat) / alpha + noise,
         "you divided by alpha_t: divide by its square root, sqrt(1 - beta_t)."),
        (lambda: (x_t + beta / (1 - abar).sqrt() * eps_hat) / alpha.sqrt() + noise,
         "the sign of the noise term: the step subtracts the predicted noise, x_t - (...) * eps_hat."),
        (lambda: (x_t - beta / (1 - abar).sqrt() * eps_hat) / alpha.sqrt() - noise,
         "the noise is subtracted: the step adds + sigma_t * z."),
        (lambda: (x_t - (1 - abar).sqrt() * eps_hat) / abar.sqrt(),
         "you returned the predicted x_0, (x_t - sqrt(1 - alpha_bar_t) eps_hat) / sqrt(alpha_bar_t): a jump to the "
         "end, not one step back."),
        (lambda: at(t - 1), "off by one: you used the schedule at index t - 1; the step from x_t uses beta_t and "
                            "alpha_bar_t at index t."),
        (lambda: (x_t - beta / (1 - previous).sqrt() * eps_hat) / alpha.sqrt() + noise if t > 0 else None,
         "eps_hat is scaled by beta_t / sqrt(1 - alpha_bar_(t-1)): use alpha_bar at index t, the noise level of "
         "x_t itself."),
        (lambda: (x_t - beta / (1 - abar).sqrt() * eps_hat + noise) / alpha.sqrt() if t > 0 else None,
         "sigma_t * z is inside the division by sqrt(alpha_t): add the noise after the mean is computed."),
        (lambda: at(t + 1) if t + 1 < T and t > 0 else None,
         "off by one: you used the schedule at index t + 1; use index t."),
    ]


@exercise("17.4", title="One step back: the DDPM sampler", hint=_STEP_HINT)
def check_reverse_step(answer: Any) -> None:
    """answer(x_t, t, eps_hat, betas, alpha_bar, z) -> x_{t-1}, a tensor of x_t's shape; t a Python int."""
    shapes = [(4, 2), (1, 2), (3, 196), *random_shapes(7, (1, 3, 4))]
    case = 0
    for shape in shapes:
        T = 5 + (3 * case) % 11
        betas = _random_betas(T, 40 + case)
        alpha_bar = torch.cumprod(1 - betas, 0)
        for t in sorted({0, 1, T // 2, T - 1}):
            g = _generator(1000 + 10 * case + t)
            x_t, eps_hat, z = (torch.randn(shape, generator=g, dtype=torch.float64) for _ in range(3))
            expected = _step_reference(x_t, t, eps_hat, betas, alpha_bar, z)
            what = f"For x_t of shape {shape} at t = {t} of T = {T}"
            got = expect_tensor(call(answer, x_t, t, eps_hat, betas, alpha_bar, z, name="reverse_step"), what,
                                floating=True)
            if t > 0 and got.shape == x_t.shape and not torch.allclose(got, expected, atol=1e-10, rtol=0):
                again = expect_tensor(call(answer, x_t, t, eps_hat, betas, alpha_bar, z, name="reverse_step"), what,
                                      floating=True)
                if not torch.equal(again, got):
                    raise Wrong(f"{what}: two calls with the same inputs gave different results: your step draws "
                                "its own noise. Use the z it is given (the sampler draws it), so that the step "
                                "can be tested and reproduced.", hint=_STEP_HINT)
            if got.shape != x_t.shape:
                raise Wrong(f"{what}: expected x_(t-1) of x_t's shape {tuple(shape)}, got {tuple(got.shape)}.",
                            hint=_STEP_HINT)
            _first_mistake(got, _step_mistakes(x_t, t, eps_hat, betas, alpha_bar, z), what, _STEP_HINT, expected)
            assert_tensor_close(got, expected, what, atol=1e-10)
        case += 1


# ---------------------------------------------------------------- 17.5 the masks of an autoregressive MLP

_MASK_HINT = ("Pixel i has degree i. Hidden unit k with degree m[k] may read pixel i when i <= m[k]; output i may "
              "read hidden unit k only when m[k] < i (strictly), so that it never sees pixel i itself or a later "
              "one. Shapes follow nn.Linear's weights: (out_features, in_features).")


def _mask_reference(degrees: torch.Tensor, D: int) -> tuple[torch.Tensor, torch.Tensor]:
    pixels = torch.arange(D)
    mask_in = (pixels[None, :] <= degrees[:, None]).float()
    mask_out = (degrees[None, :] < pixels[:, None]).float()
    return mask_in, mask_out


@exercise("17.5", title="Masks that make an MLP autoregressive", hint=_MASK_HINT)
def check_made_masks(answer: Any) -> None:
    """answer(degrees, D) -> (mask_in (H, D), mask_out (D, H)), float tensors of 0s and 1s."""
    for case, (H, D) in enumerate([(7, 4), (3, 5), (12, 12), (1, 2), (9, 6)]):
        degrees = torch.randint(0, D - 1, (H,), generator=_generator(case))
        if H >= 3:
            degrees[0], degrees[1] = 0, D - 2
        what = f"For {H} hidden units with degrees {degrees.tolist()} and D = {D} pixels"
        result = call(answer, degrees, D, name="made_masks")
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise Wrong(f"{what}: expected a pair (mask_in, mask_out), got {type(result).__name__}.", hint=_MASK_HINT)
        mask_in_ref, mask_out_ref = _mask_reference(degrees, D)
        names = ("mask_in", "mask_out")
        got = [expect_tensor(m, f"{what}, {name}", floating=True) for m, name in zip(result, names, strict=True)]
        if got[0].shape == (D, H) and got[1].shape == (H, D) and H != D:
            raise Wrong(f"{what}: both masks have the other one's shape (transposed, or returned in the other "
                        f"order). nn.Linear stores its weight as (out_features, in_features): return (mask_in, "
                        f"mask_out) with mask_in of shape ({H}, {D}) and mask_out of shape ({D}, {H}).", hint=_MASK_HINT)
        for mask, expected, name in zip(got, (mask_in_ref, mask_out_ref), names, strict=True):
            if mask.shape != expected.shape:
                raise Wrong(f"{what}: {name} should have shape {tuple(expected.shape)} (out_features, in_features), "
                            f"got {tuple(mask.shape)}.", hint=_MASK_HINT)
        pixels = torch.arange(D)
        _first_mistake(got[1], [
            ((degrees[None, :] <= pixels[:, None]).float(),
             "mask_out lets output i read hidden units of degree i, which may have seen pixel i itself: the model "
             "could copy the pixel it should predict. Use a strict m[k] < i."),
            (torch.ones(D, H), "mask_out is all ones: every output sees every hidden unit, and so every pixel."),
            (torch.zeros(D, H), "mask_out is all zeros: no output sees anything, so the model cannot use the earlier "
                                "pixels at all. Output i should read every hidden unit with m[k] < i."),
            ((degrees[None, :] > pixels[:, None]).float(), "mask_out points the wrong way: output i may only use "
                                                           "hidden units with degree below i."),
        ], f"{what}, mask_out", _MASK_HINT, mask_out_ref)
        _first_mistake(got[0], [
            ((pixels[None, :] < degrees[:, None]).float(),
             "mask_in is too strict: hidden unit k may read pixel m[k] itself (i <= m[k]); it is the output mask "
             "that needs the strict inequality."),
            (torch.ones(H, D), "mask_in is all ones: every hidden unit sees every pixel, the last ones too."),
            (torch.zeros(H, D), "mask_in is all zeros: no hidden unit sees any pixel. Unit k should read every "
                                "pixel i <= m[k]."),
            (_mask_reference(degrees.sort().values, D)[0] if H > 1 and bool((degrees.diff() < 0).any()) else None,
             "the rows follow the degrees sorted, not in the order given: row k belongs to hidden unit k, with "
             "degree degrees[k]."),
            ((pixels[None, :] >= degrees[:, None]).float(), "mask_in points the wrong way: unit k may read pixels "
                                                            "0 to m[k], not the ones after."),
            ((pixels[None, :] <= degrees[:, None]).float().T.reshape(H, D) if H == D else None,
             "mask_in is transposed: rows are hidden units, columns pixels."),
        ], f"{what}, mask_in", _MASK_HINT, mask_in_ref)
        assert_tensor_close(got[0], mask_in_ref, f"{what}, mask_in", atol=0)
        assert_tensor_close(got[1], mask_out_ref, f"{what}, mask_out", atol=0)
    # The network the masks make: output i must not depend on pixels i, i+1, ... (checked through the Jacobian)
    degrees = torch.tensor([0, 1, 2, 0, 1, 2, 2, 1])
    mask_in, mask_out = (m.float() for m in call(answer, degrees, 4, name="made_masks"))
    w1 = torch.randn(8, 4, generator=_generator(5), dtype=torch.float64)
    w2 = torch.randn(4, 8, generator=_generator(6), dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(
        lambda x: (w2 * mask_out.double()) @ torch.tanh((w1 * mask_in.double()) @ x), torch.ones(4, dtype=torch.float64))
    if bool((jac.triu() != 0).any()):
        raise Wrong("With your masks, some output depends on its own pixel or a later one: the model is not "
                    "autoregressive.", hint=_MASK_HINT)
