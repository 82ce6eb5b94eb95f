"""Exercises of notebook 15 (Variational autoencoders)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from course_utils.checks import (
    Wrong,
    assert_tensor_close,
    call,
    exercise,
    expect_array,
    expect_number,
    expect_tensor,
    forbid,
    forward_backward,
    matching_mistake,
    multiple_choice,
)

_KL_HELPERS = (
    "torch.distributions.kl_divergence",
    "torch.distributions.kl.kl_divergence",
    "torch.nn.functional.kl_div",
    "torch.distributions.Normal.log_prob",
    "torch.distributions.Normal.entropy",
)


def _inputs(n: int, d: int, seed: int, scale: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Random means and log-variances (some negative, some positive) for n examples of d dimensions."""
    generator = torch.Generator().manual_seed(seed)
    mu = scale * torch.randn(n, d, generator=generator)
    logvar = 1.5 * torch.randn(n, d, generator=generator)
    return mu, logvar


# ---------------------------------------------------------------- 15.1 closed-form KL


def _kl(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    return 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(dim=1)


def _kl_mistakes(mu: torch.Tensor, logvar: torch.Tensor) -> list[tuple[Any, str]]:
    kl = _kl(mu, logvar)
    return [
        (-kl, "Your KL has the wrong sign: a KL divergence is never negative. -0.5 * sum(1 + logvar - mu^2 - "
              "exp(logvar)) is the usual way to write it; mind the minus in front."),
        (2 * kl, "Your KL is twice the right value: the formula has a factor 1/2 in front of the sum."),
        (kl.sum(), "You summed over the batch too: return one KL per example, a tensor of shape (N,) (sum over "
                   "dim=1 only)."),
        (kl / mu.shape[1], "You took the mean over the latent dimensions; the KL of independent dimensions is "
                           "their sum."),
        (kl.mean(), "You averaged over everything: return one KL per example, summed over the latent dimensions."),
        (0.5 * (mu.pow(2) + logvar.pow(2) - 1 - torch.log(logvar.pow(2) + 1e-30)).sum(dim=1),
         "You used logvar as the standard deviation. It is the log of the variance: sigma^2 = exp(logvar)."),
        (0.5 * (mu.pow(2) + logvar - 1 - torch.log(logvar.clamp_min(1e-30))).sum(dim=1),
         "You used logvar as the variance itself. It is the log of the variance: sigma^2 = exp(logvar)."),
        (0.5 * (mu.pow(2) + (0.5 * logvar).exp() - 1 - logvar).sum(dim=1),
         "You used sigma = exp(logvar / 2) where the formula needs the variance sigma^2 = exp(logvar)."),
        (0.5 * (logvar.exp() - 1 - logvar).sum(dim=1), "You left out the mu^2 term: a code away from 0 costs KL too."),
        (0.5 * (mu.pow(2) + logvar.exp() - logvar).sum(dim=1),
         "You left out the -1: then a posterior equal to the prior (mu = 0, logvar = 0) would not cost 0."),
        (0.5 * (mu.pow(2) + logvar.exp() - 1 + logvar).sum(dim=1),
         "The log-variance enters with a minus sign: 1/2 (mu^2 + sigma^2 - 1 - log sigma^2)."),
        (0.5 * (mu + logvar.exp() - 1 - logvar).sum(dim=1), "The mean enters squared: mu^2, not mu."),
    ]


@exercise(
    "15.1",
    title="The closed-form KL divergence to the prior",
    hint="For one dimension, KL(N(mu, sigma^2) || N(0, 1)) = 1/2 (mu^2 + sigma^2 - 1 - ln sigma^2), and "
         "sigma^2 = exp(logvar). Independent dimensions add up: sum over dim=1, one number per example.",
)
def check_gaussian_kl(answer: Any) -> None:
    """gaussian_kl(mu, logvar) -> (N,) tensor: KL(N(mu, diag(exp(logvar))) || N(0, I)) per example."""
    mu0, logvar0 = torch.zeros(3, 4), torch.zeros(3, 4)
    with forbid(*_KL_HELPERS, answer=answer, instead="Write the closed form with torch.exp and sums."):
        got0 = expect_tensor(call(answer, mu0, logvar0, name="gaussian_kl"), "gaussian_kl(zeros, zeros)")
    if got0.shape != (3,):
        raise Wrong(f"For mu and logvar of shape (3, 4) gaussian_kl returned shape {tuple(got0.shape)}; it should "
                    "return one KL per example, shape (3,).",
                    hint="Sum over the latent dimensions only: .sum(dim=1).")
    if not torch.isfinite(got0).all():
        raise Wrong(f"For mu = 0 and logvar = 0 your KL is {got0.tolist()}: the log of 0 appears, so logvar is used "
                    "as the standard deviation or as the variance itself. It is the log of the variance: "
                    "sigma^2 = exp(logvar), and ln sigma^2 = logvar.")
    if torch.allclose(got0, torch.full((3,), 2.0)):
        raise Wrong("For mu = 0 and logvar = 0 (the prior itself) your KL is 2.0 = 4 x 1/2 instead of 0: the -1 in "
                    "1/2 (mu^2 + sigma^2 - 1 - ln sigma^2) is missing.")
    if got0.abs().max() > 1e-6:
        raise Wrong(f"A posterior equal to the prior (mu = 0, logvar = 0) should cost 0, but your KL gives "
                    f"{got0.tolist()}.", hint="Check the -1 and the log-variance term.")
    cases = [(1, 1, 1.0), (1, 20, 1.0), (5, 3, 2.0), (7, 20, 0.5), (64, 2, 1.0)]
    for seed, (n, d, scale) in enumerate(cases):
        mu, logvar = _inputs(n, d, seed, scale)
        expected = _kl(mu, logvar)
        with forbid(*_KL_HELPERS, answer=answer, instead="Write the closed form with torch.exp and sums."):
            got = expect_tensor(call(answer, mu, logvar, name="gaussian_kl"), f"For {n} examples of {d} dimensions")
        why = matching_mistake(got, _kl_mistakes(mu, logvar), atol=1e-5, rtol=1e-5)
        if why and not torch.allclose(got.double(), expected.double(), atol=1e-5, rtol=1e-5):
            raise Wrong(why)
        assert_tensor_close(got, expected, f"gaussian_kl for {n} examples of {d} dimensions", atol=1e-4, rtol=1e-5)
    # The gradient: the training loop differentiates the KL with respect to mu and logvar.
    mu, logvar = _inputs(6, 5, 11)
    expected = forward_backward(_kl, [mu, logvar], seed=3)
    with forbid(*_KL_HELPERS, answer=answer):
        got = forward_backward(lambda m, v: call(answer, m, v, name="gaussian_kl"), [mu, logvar], seed=3)
    for name, g, e in zip(("mu", "logvar"), got.inputs, expected.inputs, strict=True):
        if g is None:
            raise Wrong(f"No gradient reaches {name}: keep the computation in PyTorch, without .detach() or .item().")
        assert_tensor_close(g, e, f"The gradient of your KL with respect to {name}", atol=1e-4)


# ---------------------------------------------------------------- 15.2 reparameterised sample


@exercise(
    "15.2",
    title="The reparameterisation trick",
    hint="The noise eps must carry no parameters: draw it fresh from a standard normal, one value per entry of mu. "
         "The standard deviation comes from the log-variance (sigma^2 = exp(logvar)), and z is built from mu, "
         "sigma and eps with ordinary tensor operations.",
)
def check_reparameterize(answer: Any) -> None:
    """reparameterize(mu, logvar) -> z: one sample of N(mu, exp(logvar)) per entry, differentiable in both."""
    for n, d in [(1, 1), (3, 7), (200, 2)]:
        mu, logvar = _inputs(n, d, n + d)
        mu.requires_grad_(True)
        logvar.requires_grad_(True)
        z = expect_tensor(call(answer, mu, logvar, name="reparameterize"), f"For mu of shape {(n, d)}")
        if z.shape != (n, d):
            raise Wrong(f"For mu and logvar of shape {(n, d)} you returned shape {tuple(z.shape)}: one z per entry.")
        if not z.requires_grad:
            raise Wrong("Your z does not depend on mu and logvar through autograd: a sample drawn with "
                        "Normal(...).sample(), under torch.no_grad() or from detached tensors blocks the gradient. "
                        "That is exactly what the trick avoids.")
        if (z - mu).abs().max() < 1e-6:
            raise Wrong("z equals mu: you left out the noise sigma * eps.")
        z.sum().backward()
        if mu.grad is None or logvar.grad is None:
            raise Wrong("No gradient reaches mu or logvar: build z from mu and logvar with ordinary operations.")
        if torch.allclose(mu.grad, torch.zeros_like(mu)) and torch.allclose(logvar.grad, torch.zeros_like(logvar)):
            raise Wrong("The gradients with respect to mu and logvar are all zero: torch.normal(mu, sigma) and "
                        "Normal(mu, sigma).sample() draw z without a path back to mu and sigma. Write "
                        "z = mu + sigma * eps with eps = torch.randn_like(mu).")
        # dz/dmu = 1 and dz/dlogvar = sigma * eps / 2 = (z - mu) / 2 for z = mu + exp(logvar / 2) * eps.
        assert_tensor_close(mu.grad, torch.ones_like(mu), "The gradient of sum(z) with respect to mu", atol=1e-5)
        eps_sigma = (z - mu).detach()
        if torch.allclose(logvar.grad, eps_sigma, atol=1e-4, rtol=1e-4) and not torch.allclose(eps_sigma, 0 * eps_sigma):
            raise Wrong("Your z moves with logvar as if sigma were exp(logvar): that is the variance's square root "
                        "squared. sigma = exp(logvar / 2) = exp(0.5 * logvar).")
        if torch.allclose(logvar.grad, eps_sigma / logvar.detach(), atol=1e-4, rtol=1e-4):
            raise Wrong("Your z moves with logvar as if logvar were the standard deviation (z = mu + logvar * eps). "
                        "logvar is the log of the variance: sigma = exp(logvar / 2).")
        assert_tensor_close(logvar.grad, eps_sigma / 2, "The gradient of sum(z) with respect to logvar", atol=1e-4)
    # The distribution: many draws of one (mu, logvar) pair have that mean and standard deviation.
    m = 40_000
    mu = torch.tensor([[1.5, -2.0, 0.0]]).expand(m, 3)
    logvar = torch.tensor([[0.0, math.log(0.25), math.log(4.0)]]).expand(m, 3)
    torch.manual_seed(0)
    z = expect_tensor(call(answer, mu, logvar, name="reparameterize"), f"For mu of shape {(m, 3)}").detach()
    sigma = torch.tensor([1.0, 0.5, 2.0])
    # Standard errors: sigma / sqrt(m) for the mean (at most 0.01), about sigma / sqrt(2 m) for the std.
    mean_off = (z.mean(dim=0) - mu[0]).abs() / (sigma / math.sqrt(m))
    std = z.std(dim=0)
    if (std - sigma).abs().div(sigma / math.sqrt(2 * m)).max() > 6:
        if torch.allclose(std, sigma.pow(2), rtol=0.05):
            raise Wrong("Your samples have standard deviation exp(logvar), the variance: use sigma = exp(logvar / 2).")
        raise Wrong(f"Samples of N(mu, exp(logvar)) for sigma = {sigma.tolist()} have standard deviations "
                    f"{[round(s, 3) for s in std.tolist()]}.",
                    hint="eps must be standard normal (torch.randn_like, not torch.rand_like), times sigma.")
    if mean_off.max() > 6:
        raise Wrong(f"Samples for mu = {mu[0].tolist()} have means {[round(s, 3) for s in z.mean(dim=0).tolist()]}.",
                    hint="Add mu to sigma * eps, and draw eps with mean 0.")
    # The shape of the distribution, not only its mean and spread: the noise (z - mu) / sigma must be standard
    # normal. Kolmogorov-Smirnov distance to N(0, 1): about 0.004 for 40,000 normal draws (0.02 is exceeded with
    # probability below 1e-12 per column), 0.06 for uniform noise of the right variance, 0.07 for Laplace noise.
    eps = ((z - mu[0]) / sigma).double()
    cdf = 0.5 * (1 + torch.erf(eps.sort(dim=0).values / math.sqrt(2)))
    ranks = torch.arange(1, m + 1, dtype=torch.float64)[:, None]
    ks = torch.maximum(ranks / m - cdf, cdf - (ranks - 1) / m).amax(dim=0)
    if ks.max() > 0.02:
        raise Wrong(f"Your noise eps = (z - mu) / sigma has the right mean and spread but is not normally distributed "
                    f"(its distribution is {ks.max():.3f} away from N(0, 1) in the Kolmogorov-Smirnov distance; "
                    "normal draws stay below 0.01).",
                    hint="Draw eps with torch.randn_like(mu): standard normal, not uniform (torch.rand_like) or "
                         "another distribution scaled to variance 1.")
    # Independent noise for every entry: the noises of the three columns are uncorrelated (standard error 0.005).
    correlation = torch.corrcoef(eps.T)
    off_diagonal = (correlation - torch.eye(3, dtype=correlation.dtype)).abs().max()
    if off_diagonal > 0.05:
        raise Wrong(f"The noises of different entries of one row are correlated (correlation up to "
                    f"{off_diagonal:.2f}): you drew one eps per row (or shared it across entries). Every entry of z "
                    "needs its own eps: torch.randn_like(mu) has the shape of mu.")
    torch.manual_seed(0)
    first = call(answer, mu[:5], logvar[:5], name="reparameterize").detach()
    second = call(answer, mu[:5], logvar[:5], name="reparameterize").detach()
    if torch.equal(first, second):
        raise Wrong("Two calls returned the same z: draw fresh noise eps on every call (no fixed seed inside).")


# ---------------------------------------------------------------- 15.3 negative ELBO


def _nelbo(logits: torch.Tensor, x: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=1)
    return bce + _kl(mu, logvar)


def _elbo_mistakes(logits: torch.Tensor, x: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor
                   ) -> list[tuple[Any, str]]:
    bce_terms = F.binary_cross_entropy_with_logits(logits, x, reduction="none")
    bce = bce_terms.sum(dim=1)
    kl = _kl(mu, logvar)
    p = torch.sigmoid(logits)
    return [
        (bce - kl, "You subtracted the KL: the negative ELBO is reconstruction loss PLUS the KL."),
        (bce + 2 * kl, "Your KL term is twice too big: the closed form has a factor 1/2."),
        (bce_terms.mean(dim=1) + kl, "You averaged the BCE over the pixels: sum it, so that every pixel counts "
                                     "(the ELBO is a log-likelihood of the whole image)."),
        (bce, "The KL term is missing."),
        (kl, "The reconstruction term is missing."),
        (bce + kl.sum(), "Your KL is summed over the batch while the BCE is per example: both must be per example."),
        (bce.mean() + kl, "Your BCE is averaged over the batch while the KL is per example: both must be per "
                          "example."),
        ((bce + kl).sum(), "You summed over the batch: return one negative ELBO per example, shape (N,)."),
        ((bce + kl).mean(), "You averaged over the batch: return one negative ELBO per example, shape (N,)."),
        (lambda: F.binary_cross_entropy_with_logits(torch.sigmoid(logits), x, reduction="none").sum(dim=1) + kl,
         "You applied the sigmoid twice: binary_cross_entropy_with_logits takes the logits themselves."),
        (lambda: F.binary_cross_entropy_with_logits(x, p, reduction="none").sum(dim=1) + kl,
         "You swapped the prediction and the target in the BCE: the target is the image x."),
        (lambda: F.binary_cross_entropy_with_logits(x, torch.sigmoid(logits), reduction="none").sum(dim=1) + kl,
         "You swapped the prediction and the target in the BCE: the target is the image x."),
        ((p - x).pow(2).sum(dim=1) + kl, "You used the squared error: this VAE's decoder is a Bernoulli model, "
                                         "so its reconstruction term is the binary cross-entropy."),
        (bce + (0.5 * (mu.pow(2) + logvar.pow(2) - 1 - torch.log(logvar.pow(2) + 1e-30))).sum(dim=1),
         "Your KL used logvar as the standard deviation: sigma^2 = exp(logvar)."),
        (bce + 0.5 * (mu.pow(2) + (0.5 * logvar).exp() - 1 - logvar).sum(dim=1),
         "Your KL used sigma = exp(logvar / 2) where the variance exp(logvar) belongs."),
        (bce + kl / mu.shape[1], "Your KL is averaged over the latent dimensions: sum it."),
        (lambda: F.binary_cross_entropy_with_logits(logits, (x > 0.5).to(x.dtype), reduction="none").sum(dim=1) + kl,
         "You rounded the image to 0 and 1: use the grey values x themselves as the BCE targets (as "
         "pytorch/examples does), so that the numbers compare."),
    ]


@exercise(
    "15.3",
    title="The negative ELBO of a batch",
    hint="Two terms, each one number per example: the BCE between the decoder's logits and the image x (the "
         "target), summed over the pixels (dim=1), and the closed-form KL of 15.1, summed over the latent "
         "dimensions. Return the (N,) tensor of their sums; no mean over the batch.",
)
def check_negative_elbo(answer: Any) -> None:
    """negative_elbo(logits, x, mu, logvar) -> (N,) tensor: summed BCE + closed-form KL per example."""
    cases = [(1, 784, 20), (4, 12, 3), (9, 64, 2), (3, 5, 8)]  # pixels != latent size, batch 1 included
    for seed, (n, pixels, d) in enumerate(cases):
        generator = torch.Generator().manual_seed(100 + seed)
        logits = 3 * torch.randn(n, pixels, generator=generator)
        x = torch.rand(n, pixels, generator=generator)  # grey values in [0, 1], as the MNIST targets
        x[:, ::3] = (x[:, ::3] > 0.5).float()  # some pixels exactly 0 or 1
        mu, logvar = _inputs(n, d, 200 + seed)
        expected = _nelbo(logits, x, mu, logvar)
        got = expect_tensor(call(answer, logits, x, mu, logvar, name="negative_elbo"),
                            f"For {n} images of {pixels} pixels and {d} latent dimensions")
        if not torch.allclose(got.double(), expected.double(), atol=1e-3, rtol=1e-5):
            why = matching_mistake(got, _elbo_mistakes(logits, x, mu, logvar), atol=1e-3, rtol=1e-5)
            if why:
                raise Wrong(why)
        assert_tensor_close(got, expected, f"negative_elbo for {n} images of {pixels} pixels, {d} latent "
                            "dimensions", atol=1e-3, rtol=1e-5)
    # Extreme logits: a numerically stable BCE stays finite (sigmoid then log overflows to inf at |logit| > 90).
    logits = torch.tensor([[120.0, -120.0, 0.0, 40.0]])
    x = torch.tensor([[0.0, 1.0, 0.5, 1.0]])
    mu, logvar = torch.zeros(1, 2), torch.zeros(1, 2)
    got = expect_tensor(call(answer, logits, x, mu, logvar, name="negative_elbo"), "For very large logits")
    if not torch.isfinite(got).all():
        raise Wrong("For logits of +-120 your loss is inf or nan: torch.log(torch.sigmoid(logits)) underflows.",
                    hint="Use F.binary_cross_entropy_with_logits, which is computed stably from the logits.")
    assert_tensor_close(got, _nelbo(logits, x, mu, logvar), "negative_elbo for very large logits", atol=1e-2)
    # Gradients with respect to all four inputs' learnable parts.
    generator = torch.Generator().manual_seed(7)
    logits = torch.randn(5, 10, generator=generator)
    x = torch.rand(5, 10, generator=generator)
    mu, logvar = _inputs(5, 3, 8)
    expected = forward_backward(lambda lo, m, v: _nelbo(lo, x, m, v), [logits, mu, logvar], seed=1)
    got = forward_backward(lambda lo, m, v: call(answer, lo, x, m, v, name="negative_elbo"), [logits, mu, logvar],
                           seed=1)
    for name, g, e in zip(("logits", "mu", "logvar"), got.inputs, expected.inputs, strict=True):
        if g is None:
            raise Wrong(f"No gradient reaches {name}: keep the computation in PyTorch, without .detach() or .item().")
        assert_tensor_close(g, e, f"The gradient of your negative ELBO with respect to {name}", atol=1e-4)


# ---------------------------------------------------------------- 15.6 predict: a heavier KL term

exercise(
    "15.6",
    title="What a heavier KL weight does",
    hint="The KL term is the price of each code's distance from N(0, I). Make that price 8 times higher: what "
         "is cheaper for the encoder now, and what does the decoder get to work with?",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "The weight multiplies the KL term in the loss, so the optimiser works harder to shrink it: the KL "
                 "goes down, not up, and the codes carry less information about each image.",
            "b": "Right: with beta = 8 every nat of information in the code costs 8 times more, so the encoder "
                 "sends less (lower KL), the decoder reconstructs worse (higher BCE) and the digits, reconstructed "
                 "or sampled, come out blurrier and more alike.",
            "c": "The two terms trade against each other, so a heavier KL weight changes the optimum: the KL falls "
                 "and the reconstruction error rises.",
            "d": "The KL pulls every code towards N(0, I) and is lowest when the code says nothing about the image, "
                 "so a heavier weight makes the reconstructions worse, not sharper.",
        },
    )
)


# ---------------------------------------------------------------- 15.4 Frechet distance


def _frechet(mu1: np.ndarray, s1: np.ndarray, mu2: np.ndarray, s2: np.ndarray) -> float:
    values, vectors = np.linalg.eigh(s1)
    root = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = np.linalg.eigvalsh(root @ s2 @ root)
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.sqrt(np.clip(middle, 0, None)).sum())


def _psd_root(s: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh(s)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def _frechet_mistakes(mu1: np.ndarray, s1: np.ndarray, mu2: np.ndarray, s2: np.ndarray) -> list[tuple[Any, str]]:
    mean_term = float(np.sum((mu1 - mu2) ** 2))
    trace_root = (_frechet(mu1, s1, mu2, s2) - mean_term - np.trace(s1) - np.trace(s2)) / -2
    traces = float(np.trace(s1) + np.trace(s2))
    return [
        (mean_term + traces - trace_root, "The trace of the square root is counted once: it needs the factor 2, "
                                          "Tr(S1 + S2 - 2 (S1 S2)^(1/2))."),
        (float(np.sqrt(mean_term)) + traces - 2 * trace_root,
         "The distance between the means enters squared: ||mu1 - mu2||^2, not ||mu1 - mu2||."),
        (traces - 2 * trace_root, "The mean term ||mu1 - mu2||^2 is missing."),
        (mean_term + traces - 2 * float(np.sqrt(np.abs(s1 * s2)).sum()),
         "You took the square root of the elementwise product S1 * S2. The formula needs the matrix product "
         "S1 @ S2 and its matrix square root (through its eigenvalues)."),
        (mean_term + traces - 2 * float(np.trace(np.sqrt(np.abs(s1 * s2)))),
         "You used only the diagonals (the variances) of S1 and S2, as the trace of the elementwise square root "
         "sqrt(S1 * S2) does: the off-diagonal covariances count too. Take the eigenvalues of the matrix product "
         "S1 @ S2."),
        (mean_term + traces - 2 * float(np.trace(_psd_root(s1) @ _psd_root(s2))),
         "You used Tr(S1^(1/2) S2^(1/2)). That equals Tr((S1 S2)^(1/2)) only when S1 and S2 commute; take the "
         "eigenvalues of the product S1 @ S2 instead."),
        (mean_term + traces - 2 * float(np.sqrt(max(np.trace(s1 @ s2), 0))),
         "You took the square root of the trace, sqrt(Tr(S1 S2)); the formula needs the trace of the square "
         "root, the sum of the square roots of the eigenvalues of S1 @ S2."),
        (mean_term + traces - 2 * float(np.sqrt(np.abs(np.linalg.eigvals(s1 + s2))).sum()) / 2,
         "The square root is of the product S1 @ S2, not of the sum."),
    ]


def _random_cov(d: int, rank: int, generator: np.random.Generator, scale: float = 1.0) -> np.ndarray:
    factor = scale * generator.normal(size=(d, rank))
    return factor @ factor.T


@exercise(
    "15.4",
    title="The Frechet distance between two Gaussians",
    hint="||mu1 - mu2||^2 + Tr(S1) + Tr(S2) - 2 Tr((S1 S2)^(1/2)). For the last trace you need no matrix square "
         "root: it is the sum of the square roots of the eigenvalues of S1 @ S2 (np.linalg.eigvals). Those are "
         "real and >= 0 in exact arithmetic; take .real and clip tiny negative ones to 0 before the square root.",
)
def check_frechet(answer: Any) -> None:
    """frechet(mu1, sigma1, mu2, sigma2) -> float, for NumPy means (D,) and covariances (D, D)."""
    generator = np.random.default_rng(15)
    cases = []
    for d, rank1, rank2, scale in [(1, 1, 1, 1.0), (2, 2, 2, 1.0), (5, 5, 5, 0.3), (7, 3, 7, 1.0), (12, 12, 4, 2.0),
                                   (30, 10, 10, 0.5), (6, 6, 6, 1.0)]:
        mu1, mu2 = generator.normal(size=d), generator.normal(size=d) * scale
        cases.append((f"D = {d}" + (f", ranks {rank1} and {rank2}" if min(rank1, rank2) < d else ""),
                      mu1, _random_cov(d, rank1, generator, scale), mu2, _random_cov(d, rank2, generator)))
    s = _random_cov(4, 4, generator)
    cases.append(("two equal Gaussians", np.zeros(4), s, np.zeros(4), s.copy()))
    cases.append(("two diagonal covariances", np.ones(3), np.diag([1.0, 4.0, 9.0]), np.zeros(3), np.diag([4.0, 1.0, 0.25])))
    for what, mu1, s1, mu2, s2 in cases:
        expected = _frechet(mu1, s1, mu2, s2)
        with forbid("scipy.linalg.sqrtm", "course_utils.generative.frechet_distance", answer=answer,
                    instead="Use the eigenvalues of S1 @ S2 (np.linalg.eigvals)."):
            result = call(answer, mu1, s1, mu2, s2, name="frechet")
        if isinstance(result, complex) or (isinstance(result, np.ndarray | np.generic) and np.iscomplexobj(result)):
            raise Wrong(f"For {what} your distance is a complex number ({result}): rounding makes some "
                        "eigenvalues of S1 @ S2 complex with tiny imaginary parts.",
                        hint="Take the real part (.real) of the eigenvalues and clip small negative ones to 0.")
        got = expect_number(result, f"frechet for {what}")
        scale = 1 + abs(expected) + float(np.trace(s1) + np.trace(s2))
        if math.isnan(got):
            raise Wrong(f"For {what} your distance is nan: with a singular covariance some eigenvalues of S1 @ S2 "
                        "come out slightly below 0 from rounding, and their square root is nan.",
                        hint="Clip the eigenvalues at 0 (np.clip(values, 0, None)) before the square root.")
        if abs(got - expected) > 1e-6 * scale:
            why = matching_mistake(got, _frechet_mistakes(mu1, s1, mu2, s2), atol=1e-6 * scale, rtol=0)
            if why:
                raise Wrong(f"For {what}: {why[0].lower()}{why[1:]}")
            raise Wrong(f"For {what} your distance is {got:.6g}; expected {expected:.6g}.")
    # A symmetric distance, and the arguments must not be changed (call() checks that) or mixed up.
    mu1, s1, mu2, s2 = cases[4][1:]
    if abs(expect_number(call(answer, mu2, s2, mu1, s1, name="frechet"), "frechet with the Gaussians swapped")
           - _frechet(mu1, s1, mu2, s2)) > 1e-6 * (1 + float(np.trace(s1) + np.trace(s2))):
        raise Wrong("Your distance changes when the two Gaussians swap places; the Frechet distance is symmetric.")


# ---------------------------------------------------------------- 15.5 feature statistics


def _stats_mistakes(x: np.ndarray) -> list[tuple[Any, str, str]]:
    """(what a mistake returns as the covariance, its explanation, which part is wrong)."""
    n = x.shape[0]
    centred = x - x.mean(axis=0)
    return [
        (centred.T @ centred / n, "You divided by N; the sample covariance divides by N - 1 (as np.cov does), "
                                  "so that it is unbiased.", "cov"),
        (x.T @ x / (n - 1), "Your covariance is not centred: subtract the mean of each feature before the product.",
         "cov"),
        (x.T @ x / n, "Your covariance is not centred: subtract the mean of each feature before the product.", "cov"),
        (np.diag(np.diag(centred.T @ centred / (n - 1))), "You kept only the variances (the diagonal): the Frechet "
                                                          "distance needs the whole covariance matrix.", "cov"),
        (np.corrcoef(x, rowvar=False) if n > 1 else None, "You returned the correlation matrix; the covariance is "
                                                         "not divided by the standard deviations.", "cov"),
    ]


@exercise(
    "15.5",
    title="Feature statistics: a mean and a covariance",
    hint="Each row is an image and each column a feature, so the mean is over the rows (axis=0). Subtract it from "
         "every row; the covariance is a D x D matrix of products of centred columns, divided by N - 1.",
)
def check_feature_stats(answer: Any) -> None:
    """feature_stats(features) -> (mean (D,), covariance (D, D)) of a NumPy array (N, D), with 1 / (N - 1)."""
    generator = np.random.default_rng(5)
    for n, d in [(9, 4), (3, 7), (2, 1), (50, 12), (6, 6)]:
        x = generator.normal(size=(n, d)) * generator.uniform(0.5, 3, size=d) + generator.normal(size=d) * 4
        expected_mean, expected_cov = x.mean(axis=0), np.cov(x, rowvar=False).reshape(d, d)
        with forbid("numpy.cov", "torch.cov", "numpy.corrcoef", "course_utils.generative.feature_statistics",
                    answer=answer, instead="Centre the features and multiply: centred.T @ centred / (N - 1)."):
            result = call(answer, x, name="feature_stats")
        if not isinstance(result, tuple | list) or len(result) != 2:
            raise Wrong(f"feature_stats should return two things, (mean, covariance); it returned "
                        f"{type(result).__name__}" + (f" of length {len(result)}" if hasattr(result, "__len__") else "")
                        + ".")
        what = f"For {n} images of {d} features"
        mean = expect_array(result[0], f"{what}, the mean", floating=True)
        cov = expect_array(result[1], f"{what}, the covariance", floating=True)
        if mean.shape != (d,):
            if mean.shape == (n,):
                raise Wrong(f"{what} your mean has shape {mean.shape}: one number per image. Average over the "
                            "images, axis=0, to get one mean per feature.")
            raise Wrong(f"{what} your mean has shape {mean.shape}; expected ({d},), one per feature.")
        if not np.allclose(mean, expected_mean, rtol=1e-9, atol=1e-9):
            raise Wrong(f"{what} your mean differs from the mean of each column (feature).")
        if cov.shape != (d, d):
            if cov.shape == (n, n):
                raise Wrong(f"{what} your covariance is {n} x {n}, one row per image: that is the covariance of the "
                            "transposed data (np.cov's default treats rows as variables). It should be "
                            f"{d} x {d}, feature against feature.")
            raise Wrong(f"{what} your covariance has shape {cov.shape}; expected ({d}, {d}).")
        if not np.allclose(cov, expected_cov, rtol=1e-9, atol=1e-9):
            for candidate, why, _ in _stats_mistakes(x):
                if candidate is not None and np.allclose(cov, candidate, rtol=1e-9, atol=1e-9):
                    raise Wrong(f"{what}: {why[0].lower()}{why[1:]}")
            raise Wrong(f"{what} your covariance differs from the sample covariance by up to "
                        f"{np.abs(cov - expected_cov).max():.3g}.")
