"""Answers for the exercises of notebook 15."""

from __future__ import annotations

import numpy as np
import scipy.linalg
import torch
import torch.nn.functional as F
from torch.distributions import Normal, kl_divergence

# ---------------------------------------------------------------- 15.1 closed-form KL


def gaussian_kl_stub(mu, logvar):
    # Your code here: one KL per example, shape (N,)
    ...


def _kl_sign(mu, logvar):
    return 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1)


def _kl_no_half(mu, logvar):
    return torch.sum(mu.pow(2) + logvar.exp() - 1 - logvar, dim=1)


def _kl_batch_sum(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def _kl_mean_dims(mu, logvar):
    return -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp(), dim=1)


def _kl_std_is_logvar(mu, logvar):
    return 0.5 * torch.sum(mu.pow(2) + logvar.pow(2) - 1 - torch.log(logvar.pow(2)), dim=1)


def _kl_var_is_logvar(mu, logvar):
    return 0.5 * torch.sum(mu.pow(2) + logvar - 1 - torch.log(logvar), dim=1)


def _kl_std_for_var(mu, logvar):
    return 0.5 * torch.sum(mu.pow(2) + torch.exp(0.5 * logvar) - 1 - logvar, dim=1)


def _kl_no_mu(mu, logvar):
    return 0.5 * torch.sum(logvar.exp() - 1 - logvar, dim=1)


def _kl_no_one(mu, logvar):
    return 0.5 * torch.sum(mu.pow(2) + logvar.exp() - logvar, dim=1)


def _kl_log_sign(mu, logvar):
    return 0.5 * torch.sum(mu.pow(2) + logvar.exp() - 1 + logvar, dim=1)


def _kl_library(mu, logvar):
    q = Normal(mu, torch.exp(0.5 * logvar))
    return kl_divergence(q, Normal(torch.zeros_like(mu), torch.ones_like(mu))).sum(dim=1)


def _kl_detached(mu, logvar):
    mu, logvar = mu.detach(), logvar.detach()
    return 0.5 * torch.sum(mu.pow(2) + logvar.exp() - 1 - logvar, dim=1)


def _kl_in_place(mu, logvar):
    var = logvar.exp_()
    return 0.5 * torch.sum(mu.pow(2) + var - 1 - var.log(), dim=1)


def _kl_numpy(mu, logvar):
    m, v = mu.detach().numpy(), logvar.detach().numpy()
    return 0.5 * np.sum(m**2 + np.exp(v) - 1 - v, axis=1)


def _kl_hardcoded_20(mu, logvar):
    return 0.5 * torch.sum(mu.pow(2) + logvar.exp() - 1 - logvar, dim=1) * (20 / 20 if mu.shape[1] == 20 else 0)


def _kl_right_std(mu, logvar):
    std = torch.exp(0.5 * logvar)
    return (-torch.log(std) + (std**2 + mu**2) / 2 - 0.5).sum(-1)


def _kl_right_loop(mu, logvar):
    total = torch.zeros(mu.shape[0])
    for j in range(mu.shape[1]):
        total = total + 0.5 * (mu[:, j] ** 2 + torch.exp(logvar[:, j]) - 1 - logvar[:, j])
    return total


# ---------------------------------------------------------------- 15.2 reparameterised sample


def reparameterize_stub(mu, logvar):
    # Your code here
    ...


def _rep_torch_normal(mu, logvar):
    return torch.normal(mu, torch.exp(0.5 * logvar))


def _rep_sample(mu, logvar):
    return Normal(mu, torch.exp(0.5 * logvar)).sample()


def _rep_std_is_logvar(mu, logvar):
    return mu + logvar * torch.randn_like(mu)


def _rep_std_is_var(mu, logvar):
    return mu + torch.exp(logvar) * torch.randn_like(mu)


def _rep_uniform(mu, logvar):
    return mu + torch.exp(0.5 * logvar) * torch.rand_like(mu)


def _rep_no_noise(mu, logvar):
    return mu + 0 * logvar


def _rep_detached(mu, logvar):
    return (mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)).detach()


def _rep_fixed_seed(mu, logvar):
    generator = torch.Generator().manual_seed(0)
    return mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape, generator=generator)


def _rep_one_eps(mu, logvar):
    return mu + torch.exp(0.5 * logvar) * torch.randn(())  # one number shared by every entry


def _rep_minus_mu(mu, logvar):
    return torch.exp(0.5 * logvar) * torch.randn_like(mu) - mu


def _rep_sqrt_logvar(mu, logvar):
    return mu + torch.sqrt(logvar.abs()) * torch.randn_like(mu)


def _rep_right_rsample(mu, logvar):
    return Normal(mu, logvar.mul(0.5).exp()).rsample()


def _rep_right_sqrt(mu, logvar):
    return mu + torch.sqrt(torch.exp(logvar)) * torch.randn(mu.shape)


# ---------------------------------------------------------------- 15.3 negative ELBO


def negative_elbo_stub(logits, x, mu, logvar):
    # Your code here: reconstruction + KL, one number per example
    ...


def _kl_ref(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1)


def _bce(logits, x):
    return F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=1)


def _elbo_kl_sign(logits, x, mu, logvar):
    return _bce(logits, x) - _kl_ref(mu, logvar)


def _elbo_pixel_mean(logits, x, mu, logvar):
    return F.binary_cross_entropy_with_logits(logits, x, reduction="none").mean(dim=1) + _kl_ref(mu, logvar)


def _elbo_kl_batch_sum(logits, x, mu, logvar):
    return _bce(logits, x) + _kl_ref(mu, logvar).sum()


def _elbo_bce_batch_mean(logits, x, mu, logvar):
    return F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / len(x) + _kl_ref(mu, logvar)


def _elbo_batch_sum(logits, x, mu, logvar):
    return F.binary_cross_entropy_with_logits(logits, x, reduction="sum") + _kl_ref(mu, logvar).sum()


def _elbo_double_sigmoid(logits, x, mu, logvar):
    return _bce(torch.sigmoid(logits), x) + _kl_ref(mu, logvar)


def _elbo_probabilities_as_logits(logits, x, mu, logvar):
    return F.binary_cross_entropy(logits, x, reduction="none").sum(dim=1) + _kl_ref(mu, logvar)


def _elbo_swapped(logits, x, mu, logvar):
    return F.binary_cross_entropy_with_logits(x, torch.sigmoid(logits), reduction="none").sum(dim=1) + _kl_ref(mu, logvar)


def _elbo_mse(logits, x, mu, logvar):
    return (torch.sigmoid(logits) - x).pow(2).sum(dim=1) + _kl_ref(mu, logvar)


def _elbo_no_kl(logits, x, mu, logvar):
    return _bce(logits, x)


def _elbo_kl_std_for_var(logits, x, mu, logvar):
    return _bce(logits, x) + 0.5 * (mu.pow(2) + (0.5 * logvar).exp() - 1 - logvar).sum(dim=1)


def _elbo_unstable(logits, x, mu, logvar):
    p = torch.sigmoid(logits)
    return -(x * torch.log(p) + (1 - x) * torch.log(1 - p)).sum(dim=1) + _kl_ref(mu, logvar)


def _elbo_no_half(logits, x, mu, logvar):
    return _bce(logits, x) + 2 * _kl_ref(mu, logvar)


def _elbo_right_manual(logits, x, mu, logvar):
    # log(sigmoid(l)) = -softplus(-l), log(1 - sigmoid(l)) = -softplus(l): stable for any logit
    bce = (x * F.softplus(-logits) + (1 - x) * F.softplus(logits)).sum(-1)
    kl = 0.5 * (mu**2 + torch.exp(logvar) - 1 - logvar).sum(-1)
    return bce + kl


def _elbo_right_distributions(logits, x, mu, logvar):
    from torch.distributions import Bernoulli

    reconstruction = -Bernoulli(logits=logits, validate_args=False).log_prob(x).sum(dim=1)  # grey targets
    return reconstruction + _kl_library(mu, logvar)


# ---------------------------------------------------------------- 15.4 Frechet distance


def frechet_stub(mu1, sigma1, mu2, sigma2):
    # Your code here
    ...


def _trace_sqrt(s1, s2):
    return np.sqrt(np.clip(np.linalg.eigvals(s1 @ s2).real, 0, None)).sum()


def _fd_no_two(mu1, sigma1, mu2, sigma2):
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(sigma1) + np.trace(sigma2) - _trace_sqrt(sigma1, sigma2))


def _fd_not_squared(mu1, sigma1, mu2, sigma2):
    return float(np.linalg.norm(mu1 - mu2) + np.trace(sigma1 + sigma2) - 2 * _trace_sqrt(sigma1, sigma2))


def _fd_elementwise(mu1, sigma1, mu2, sigma2):
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(sigma1 + sigma2) - 2 * np.trace(np.sqrt(np.abs(sigma1 * sigma2))))


def _fd_elementwise_sum(mu1, sigma1, mu2, sigma2):
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(sigma1 + sigma2) - 2 * np.sqrt(np.abs(sigma1 * sigma2)).sum())


def _psd_sqrt(s):
    values, vectors = np.linalg.eigh(s)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def _fd_product_of_roots(mu1, sigma1, mu2, sigma2):
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(sigma1 + sigma2)
                 - 2 * np.trace(_psd_sqrt(sigma1) @ _psd_sqrt(sigma2)))


def _fd_complex(mu1, sigma1, mu2, sigma2):
    root = np.sqrt(np.linalg.eigvals(sigma1 @ sigma2).astype(complex)).sum()
    return np.sum((mu1 - mu2) ** 2) + np.trace(sigma1 + sigma2) - 2 * root


def _fd_no_clip(mu1, sigma1, mu2, sigma2):
    root = np.sqrt(np.linalg.eigvals(sigma1 @ sigma2).real).sum()
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(sigma1 + sigma2) - 2 * root)


def _fd_sqrt_of_trace(mu1, sigma1, mu2, sigma2):
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(sigma1 + sigma2) - 2 * np.sqrt(np.trace(sigma1 @ sigma2)))


def _fd_no_mean(mu1, sigma1, mu2, sigma2):
    return float(np.trace(sigma1 + sigma2) - 2 * _trace_sqrt(sigma1, sigma2))


def _fd_diagonal(mu1, sigma1, mu2, sigma2):
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(sigma1 + sigma2)
                 - 2 * np.sqrt(np.diag(sigma1) * np.diag(sigma2)).sum())


def _fd_sqrtm(mu1, sigma1, mu2, sigma2):
    root = scipy.linalg.sqrtm(sigma1 @ sigma2).real
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(sigma1 + sigma2) - 2 * np.trace(root))


def _fd_in_place(mu1, sigma1, mu2, sigma2):
    mu1 -= mu2
    return float(np.sum(mu1**2) + np.trace(sigma1 + sigma2) - 2 * _trace_sqrt(sigma1, sigma2))


def _fd_right_eigh(mu1, sigma1, mu2, sigma2):
    root = _psd_sqrt(sigma1)
    middle = np.clip(np.linalg.eigvalsh(root @ sigma2 @ root), 0, None)
    return float(((mu1 - mu2) ** 2).sum() + sigma1.trace() + sigma2.trace() - 2 * np.sqrt(middle).sum())


def _fd_right_torch(mu1, sigma1, mu2, sigma2):
    s1, s2 = torch.from_numpy(sigma1), torch.from_numpy(sigma2)
    values = torch.linalg.eigvals(s1 @ s2).real.clamp_min(0)
    diff = torch.from_numpy(mu1 - mu2)
    return (diff @ diff + s1.trace() + s2.trace() - 2 * values.sqrt().sum()).item()


# ---------------------------------------------------------------- 15.5 feature statistics


def feature_stats_stub(features):
    # Your code here
    ...


def _st_transposed(features):
    centred = features - features.mean(axis=1, keepdims=True)
    return features.mean(axis=0), centred @ centred.T / (features.shape[1] - 1)


def _st_biased(features):
    centred = features - features.mean(axis=0)
    return features.mean(axis=0), centred.T @ centred / len(features)


def _st_not_centred(features):
    return features.mean(axis=0), features.T @ features / (len(features) - 1)


def _st_mean_per_image(features):
    centred = features - features.mean(axis=0)
    return features.mean(axis=1), centred.T @ centred / (len(features) - 1)


def _st_np_cov(features):
    return features.mean(axis=0), np.cov(features, rowvar=False)


def _st_in_place(features):
    mean = features.mean(axis=0)
    features -= mean
    return mean, features.T @ features / (len(features) - 1)


def _st_diagonal(features):
    return features.mean(axis=0), np.diag(features.var(axis=0, ddof=1))


def _st_only_cov(features):
    centred = features - features.mean(axis=0)
    return centred.T @ centred / (len(features) - 1)


def _st_swapped(features):
    centred = features - features.mean(axis=0)
    return centred.T @ centred / (len(features) - 1), features.mean(axis=0)


def _st_correlation(features):
    centred = features - features.mean(axis=0)
    std = centred.std(axis=0, ddof=1)
    return features.mean(axis=0), (centred / std).T @ (centred / std) / (len(features) - 1)


def _st_right_loop(features):
    n, d = features.shape
    mean = features.sum(axis=0) / n
    cov = np.zeros((d, d))
    for row in features:
        cov += np.outer(row - mean, row - mean)
    return mean, cov / (n - 1)


def _st_right_torch(features):
    x = torch.from_numpy(features)
    centred = x - x.mean(dim=0)
    return x.mean(dim=0).numpy(), (centred.T @ centred / (x.shape[0] - 1)).numpy()


WRONG_ANSWERS: dict[str, list[object]] = {
    "15.1": [
        gaussian_kl_stub, _kl_sign, _kl_no_half, _kl_batch_sum, _kl_mean_dims, _kl_std_is_logvar, _kl_var_is_logvar,
        _kl_std_for_var, _kl_no_mu, _kl_no_one, _kl_log_sign, _kl_library, _kl_detached, _kl_in_place, _kl_numpy,
        _kl_hardcoded_20,
    ],
    "15.2": [
        reparameterize_stub, _rep_torch_normal, _rep_sample, _rep_std_is_logvar, _rep_std_is_var, _rep_uniform,
        _rep_no_noise, _rep_detached, _rep_fixed_seed, _rep_one_eps, _rep_minus_mu, _rep_sqrt_logvar,
    ],
    "15.3": [
        negative_elbo_stub, _elbo_kl_sign, _elbo_pixel_mean, _elbo_kl_batch_sum, _elbo_bce_batch_mean,
        _elbo_batch_sum, _elbo_double_sigmoid, _elbo_probabilities_as_logits, _elbo_swapped, _elbo_mse, _elbo_no_kl,
        _elbo_kl_std_for_var, _elbo_unstable, _elbo_no_half,
    ],
    "15.5": [
        feature_stats_stub, _st_transposed, _st_biased, _st_not_centred, _st_mean_per_image, _st_np_cov, _st_in_place,
        _st_diagonal, _st_only_cov, _st_swapped, _st_correlation,
    ],
    "15.6": [None, "a", "c", "d", "B?", 2],
    "15.4": [
        frechet_stub, _fd_no_two, _fd_not_squared, _fd_elementwise, _fd_elementwise_sum, _fd_product_of_roots, _fd_complex, _fd_no_clip,
        _fd_sqrt_of_trace, _fd_no_mean, _fd_diagonal, _fd_sqrtm, _fd_in_place,
    ],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "15.1": [_kl_right_std, _kl_right_loop],
    "15.2": [_rep_right_rsample, _rep_right_sqrt],
    "15.3": [_elbo_right_manual, _elbo_right_distributions],
    "15.5": [_st_right_loop, _st_right_torch],
    "15.6": ["b", "B", " b "],
    "15.4": [_fd_right_eigh, _fd_right_torch],
}


# ---------------------------------------------------------------- added by the review


def _rep_uniform_scaled(mu, logvar):
    # uniform noise with mean 0 and variance 1: right mean and spread, wrong distribution
    return mu + torch.exp(0.5 * logvar) * (torch.rand_like(mu) * 2 - 1) * 3**0.5


def _rep_rademacher(mu, logvar):
    return mu + torch.exp(0.5 * logvar) * torch.sign(torch.randn_like(mu))


def _rep_one_eps_per_row(mu, logvar):
    eps = torch.randn(mu.shape[0], 1, dtype=mu.dtype)
    return mu + torch.exp(0.5 * logvar) * eps


def _rep_right_addcmul(mu, logvar):
    return torch.addcmul(mu, torch.randn_like(logvar), (logvar / 2).exp())


def _elbo_binarised(logits, x, mu, logvar):
    bce = F.binary_cross_entropy_with_logits(logits, (x > 0.5).float(), reduction="none").sum(dim=1)
    return bce + 0.5 * torch.sum(mu.pow(2) + logvar.exp() - 1 - logvar, dim=1)


def _elbo_right_logsigmoid(logits, x, mu, logvar):
    bce = -(x * F.logsigmoid(logits) + (1 - x) * F.logsigmoid(-logits)).sum(dim=1)
    return bce + 0.5 * torch.sum(mu * mu + torch.exp(logvar) - logvar - 1, dim=1)


def _st_torch_tensors(features):
    x = torch.from_numpy(features)
    centred = x - x.mean(dim=0)
    return x.mean(dim=0), centred.T @ centred / (x.shape[0] - 1)


def _st_mean_as_list(features):
    centred = features - features.mean(axis=0)
    return features.mean(axis=0).tolist(), centred.T @ centred / (len(features) - 1)


def _st_right_list_pair(features):
    n, mean = len(features), features.mean(axis=0)
    return [mean, (features.T @ features - n * np.outer(mean, mean)) / (n - 1)]


def _fd_right_nansum(mu1, sigma1, mu2, sigma2):
    with np.errstate(invalid="ignore"):
        roots = np.sqrt(np.linalg.eigvals(sigma1 @ sigma2).real)  # nan for tiny negative eigenvalues: skipped
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.nansum(roots))


WRONG_ANSWERS["15.2"] += [_rep_uniform_scaled, _rep_rademacher, _rep_one_eps_per_row]
WRONG_ANSWERS["15.3"] += [_elbo_binarised]
WRONG_ANSWERS["15.5"] += [_st_torch_tensors, _st_mean_as_list]
RIGHT_ANSWERS["15.2"] += [_rep_right_addcmul]
RIGHT_ANSWERS["15.3"] += [_elbo_right_logsigmoid]
RIGHT_ANSWERS["15.5"] += [_st_right_list_pair]
RIGHT_ANSWERS["15.4"] += [_fd_right_nansum]
