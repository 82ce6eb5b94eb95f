"""Answers for the exercises of notebook 16."""

from __future__ import annotations

import torch
import torch.nn.functional as F

# ---------------------------------------------------------------- 16.1 the two losses from logits


def gan_losses_stub(real_logits, fake_logits):
    # Your code here: d_loss (real labelled 1, generated 0) and the non-saturating g_loss.
    ...


def _labels_swapped(real_logits, fake_logits):
    return F.softplus(real_logits).mean() + F.softplus(-fake_logits).mean(), F.softplus(-fake_logits).mean()


def _saturating(real_logits, fake_logits):
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean(), -F.softplus(fake_logits).mean()


def _sigmoid_first(real_logits, fake_logits):
    real, fake = torch.sigmoid(real_logits), torch.sigmoid(fake_logits)  # probabilities treated as logits
    return F.softplus(-real).mean() + F.softplus(fake).mean(), F.softplus(-fake).mean()


def _summed(real_logits, fake_logits):
    return F.softplus(-real_logits).sum() + F.softplus(fake_logits).sum(), F.softplus(-fake_logits).sum()


def _halved(real_logits, fake_logits):
    return 0.5 * (F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()), F.softplus(-fake_logits).mean()


def _concatenated_mean(real_logits, fake_logits):
    both = torch.cat([F.softplus(-real_logits).flatten(), F.softplus(fake_logits).flatten()])
    return both.mean(), F.softplus(-fake_logits).mean()


def _naive_logs(real_logits, fake_logits):
    d_real, d_fake = torch.sigmoid(real_logits), torch.sigmoid(fake_logits)
    return -torch.log(d_real).mean() - torch.log(1 - d_fake).mean(), -torch.log(d_fake).mean()


def _minimax_generator(real_logits, fake_logits):
    d_loss = F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
    return d_loss, -d_loss


def _order_swapped(real_logits, fake_logits):
    return F.softplus(-fake_logits).mean(), F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def _uses_bce(real_logits, fake_logits):
    d = (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
         + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))
    return d, F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))


def _no_fake_term(real_logits, fake_logits):
    return F.softplus(-real_logits).mean(), F.softplus(-fake_logits).mean()


def _generator_fake_term(real_logits, fake_logits):
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean(), F.softplus(fake_logits).mean()


def _detached(real_logits, fake_logits):
    d = F.softplus(-real_logits.detach()).mean() + F.softplus(fake_logits.detach()).mean()
    return d.requires_grad_(), F.softplus(-fake_logits).mean()


def _floats(real_logits, fake_logits):
    return ((F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()).item(),
            F.softplus(-fake_logits).mean().item())


def _per_example(real_logits, fake_logits):
    return F.softplus(-real_logits) + F.softplus(fake_logits).mean(), F.softplus(-fake_logits)


def _right_logsigmoid(real_logits, fake_logits):
    return -F.logsigmoid(real_logits).mean() - F.logsigmoid(-fake_logits).mean(), -F.logsigmoid(fake_logits).mean()


def _right_by_hand(real_logits, fake_logits):
    def softplus(t):  # log(1 + e^t), stable: max(t, 0) + log(1 + e^-|t|)
        return t.clamp_min(0) + torch.log1p(torch.exp(-t.abs()))

    return softplus(-real_logits).mean() + softplus(fake_logits).mean(), softplus(-fake_logits).mean()


# ---------------------------------------------------------------- 16.3 one training step


def _bce(logits, label):
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, float(label)))


def train_step_stub(G, D, opt_G, opt_D, real, z):
    # Your code here: the discriminator's step (fakes detached), then the generator's step.
    ...


def _no_detach_recomputed(G, D, opt_G, opt_D, real, z):
    d_loss = _bce(D(real), 1) + _bce(D(G(z)), 0)  # no detach: gradients reach G in the discriminator's step
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()
    g_loss = _bce(D(G(z)), 1)
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
    return d_loss.item(), g_loss.item()


def _no_detach_retained(G, D, opt_G, opt_D, real, z):
    fake = G(z)
    d_loss = _bce(D(real), 1) + _bce(D(fake), 0)
    opt_D.zero_grad()
    d_loss.backward(retain_graph=True)
    opt_D.step()
    g_loss = _bce(D(fake), 1)
    g_loss.backward()  # and no opt_G.zero_grad(): G's gradients from the D step leak in
    opt_G.step()
    return d_loss.item(), g_loss.item()


def _no_zero_grad_d(G, D, opt_G, opt_D, real, z):
    fake = G(z)
    d_loss = _bce(D(real), 1) + _bce(D(fake.detach()), 0)
    d_loss.backward()
    opt_D.step()
    g_loss = _bce(D(fake), 1)
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
    return d_loss.item(), g_loss.item()


def _no_zero_grad_g(G, D, opt_G, opt_D, real, z):
    fake = G(z)
    d_loss = _bce(D(real), 1) + _bce(D(fake.detach()), 0)
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()
    g_loss = _bce(D(fake), 1)
    g_loss.backward()
    opt_G.step()
    return d_loss.item(), g_loss.item()


def _saturating_step(G, D, opt_G, opt_D, real, z):
    fake = G(z)
    d_loss = _bce(D(real), 1) + _bce(D(fake.detach()), 0)
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()
    g_loss = -F.softplus(D(fake)).mean()  # log(1 - D(G(z)))
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
    return d_loss.item(), _bce(D(fake), 1).item()


def _generator_first(G, D, opt_G, opt_D, real, z):
    g_loss = _bce(D(G(z)), 1)
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
    d_loss = _bce(D(real), 1) + _bce(D(G(z).detach()), 0)
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()
    return d_loss.item(), g_loss.item()


def _old_discriminator(G, D, opt_G, opt_D, real, z):
    fake = G(z)
    d_loss = _bce(D(real), 1) + _bce(D(fake.detach()), 0)
    g_loss = _bce(D(fake), 1)  # computed before the discriminator's update
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
    return d_loss.item(), g_loss.item()


def _d_stepped_twice(G, D, opt_G, opt_D, real, z):
    fake = G(z)
    d_loss = _bce(D(real), 1) + _bce(D(fake.detach()), 0)
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()
    g_loss = _bce(D(fake), 1)
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
    opt_D.step()  # the discriminator moves again, along the generator's gradients
    return d_loss.item(), g_loss.item()


def _returns_tensors(G, D, opt_G, opt_D, real, z):
    fake = G(z)
    d_loss = _bce(D(real), 1) + _bce(D(fake.detach()), 0)
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()
    g_loss = _bce(D(fake), 1)
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
    return d_loss, g_loss


def _generator_detached(G, D, opt_G, opt_D, real, z):
    fake = G(z).detach()  # detached once for both steps: the generator never learns
    d_loss = _bce(D(real), 1) + _bce(D(fake), 0)
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()
    g_loss = _bce(D(fake), 1)
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
    return d_loss.item(), g_loss.item()


def _real_only(G, D, opt_G, opt_D, real, z):
    fake = G(z)
    d_loss = _bce(D(real), 1)
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()
    g_loss = _bce(D(fake), 1)
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
    return d_loss.item(), g_loss.item()


def _fake_only(G, D, opt_G, opt_D, real, z):
    fake = G(z)
    d_loss = _bce(D(fake.detach()), 0)
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()
    g_loss = _bce(D(fake), 1)
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
    return d_loss.item(), g_loss.item()


def _labels_swapped_step(G, D, opt_G, opt_D, real, z):
    fake = G(z)
    d_loss = _bce(D(real), 0) + _bce(D(fake.detach()), 1)
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()
    g_loss = _bce(D(fake), 0)
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
    return d_loss.item(), g_loss.item()


def _loss_after_update(G, D, opt_G, opt_D, real, z):
    fake = G(z)
    d_loss = _bce(D(real), 1) + _bce(D(fake.detach()), 0)
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()
    g_loss = _bce(D(fake), 1)
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
    with torch.no_grad():  # reports the discriminator's loss after both updates
        after = _bce(D(real), 1) + _bce(D(G(z)), 0)
    return after.item(), g_loss.item()


def _right_recomputed(G, D, opt_G, opt_D, real, z):
    opt_D.zero_grad()
    with torch.no_grad():
        fake = G(z)
    d_loss = F.binary_cross_entropy_with_logits(D(torch.cat([real, fake])),
                                                torch.cat([torch.ones(len(real), 1), torch.zeros(len(z), 1)]),
                                                reduction="none")
    d_loss = d_loss[:len(real)].mean() + d_loss[len(real):].mean()
    d_loss.backward()
    opt_D.step()
    opt_G.zero_grad()
    g_loss = -F.logsigmoid(D(G(z))).mean()
    g_loss.backward()
    opt_G.step()
    return float(d_loss.detach()), float(g_loss.detach())


def _right_requires_grad_toggle(G, D, opt_G, opt_D, real, z):
    fake = G(z)
    d_loss = _bce(D(real), 1) + _bce(D(fake.detach()), 0)
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()
    for p in D.parameters():  # no gradients into D during the generator's step
        p.requires_grad_(False)
    g_loss = _bce(D(fake), 1)
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
    for p in D.parameters():
        p.requires_grad_(True)
    return d_loss.item(), g_loss.item()


# ---------------------------------------------------------------- 16.4 counting modes


def count_modes_stub(samples, centres, sigma, min_share=0.01):
    # Your code here: each sample's nearest centre and distance, the high-quality ones, counts per mode.
    ...


def _nearest(samples, centres):
    return torch.cdist(samples, centres).min(dim=1)


def _one_sigma(samples, centres, sigma, min_share=0.01):
    nearest, mode = _nearest(samples, centres)
    good = nearest <= sigma
    per_mode = torch.bincount(mode[good], minlength=len(centres))
    return int((per_mode >= min_share * len(samples)).sum()), good.float().mean().item()


def _squared_distance(samples, centres, sigma, min_share=0.01):
    nearest, mode = _nearest(samples, centres)
    good = nearest ** 2 <= 3 * sigma
    per_mode = torch.bincount(mode[good], minlength=len(centres))
    return int((per_mode >= min_share * len(samples)).sum()), good.float().mean().item()


def _share_of_good(samples, centres, sigma, min_share=0.01):
    nearest, mode = _nearest(samples, centres)
    good = nearest <= 3 * sigma
    per_mode = torch.bincount(mode[good], minlength=len(centres))
    return int((per_mode >= min_share * good.sum()).sum()), good.float().mean().item()


def _strictly_more(samples, centres, sigma, min_share=0.01):
    nearest, mode = _nearest(samples, centres)
    good = nearest <= 3 * sigma
    per_mode = torch.bincount(mode[good], minlength=len(centres))
    return int((per_mode > min_share * len(samples)).sum()), good.float().mean().item()


def _any_sample(samples, centres, sigma, min_share=0.01):
    nearest, mode = _nearest(samples, centres)
    good = nearest <= 3 * sigma
    return int(mode[good].unique().numel()), good.float().mean().item()


def _percent(samples, centres, sigma, min_share=0.01):
    nearest, mode = _nearest(samples, centres)
    good = nearest <= 3 * sigma
    per_mode = torch.bincount(mode[good], minlength=len(centres))
    return int((per_mode >= min_share * len(samples)).sum()), 100 * good.float().mean().item()


def _eight_modes(samples, centres, sigma, min_share=0.01):
    nearest, mode = _nearest(samples, centres)
    good = nearest <= 3 * sigma
    per_mode = torch.bincount(mode[good], minlength=8)[:8]  # the ring's 8 modes hard-coded
    return int((per_mode >= min_share * len(samples)).sum()), good.float().mean().item()


def _tensor_count(samples, centres, sigma, min_share=0.01):
    nearest, mode = _nearest(samples, centres)
    good = nearest <= 3 * sigma
    per_mode = torch.bincount(mode[good], minlength=len(centres))
    return (per_mode >= min_share * len(samples)).sum(), good.float().mean()


def _all_nearest(samples, centres, sigma, min_share=0.01):
    nearest, mode = _nearest(samples, centres)
    per_mode = torch.bincount(mode, minlength=len(centres))  # far samples counted too
    good = nearest <= 3 * sigma
    return int((per_mode >= min_share * len(samples)).sum()), good.float().mean().item()


def _covered_share(samples, centres, sigma, min_share=0.01):
    nearest, mode = _nearest(samples, centres)
    good = nearest <= 3 * sigma
    per_mode = torch.bincount(mode[good], minlength=len(centres))
    covered = int((per_mode >= min_share * len(samples)).sum())
    return covered, covered / len(centres)


def _default_share(samples, centres, sigma, min_share=0.05):
    nearest, mode = _nearest(samples, centres)
    good = nearest <= 3 * sigma
    per_mode = torch.bincount(mode[good], minlength=len(centres))
    return int((per_mode >= min_share * len(samples)).sum()), good.float().mean().item()


def _fixed_sigma(samples, centres, sigma, min_share=0.01):
    nearest, mode = _nearest(samples, centres)
    good = nearest <= 3 * 0.05  # the notebook's sigma hard-coded
    per_mode = torch.bincount(mode[good], minlength=len(centres))
    return int((per_mode >= min_share * len(samples)).sum()), good.float().mean().item()


def _in_place(samples, centres, sigma, min_share=0.01):
    samples /= sigma  # measure in units of sigma, but in the caller's tensor
    nearest, mode = _nearest(samples, centres / sigma)
    good = nearest <= 3
    per_mode = torch.bincount(mode[good], minlength=len(centres))
    return int((per_mode >= min_share * len(samples)).sum()), good.float().mean().item()


def _right_loop(samples, centres, sigma, min_share=0.01):
    counts = [0] * len(centres)
    good = 0
    for point in samples:
        distances = ((centres - point) ** 2).sum(dim=1).sqrt()
        k = int(distances.argmin())
        if distances[k] <= 3 * sigma:
            counts[k] += 1
            good += 1
    return sum(c >= min_share * len(samples) for c in counts), good / len(samples)


def _right_broadcast(samples, centres, sigma, min_share=0.01):
    distance = (samples[:, None, :] - centres[None, :, :]).norm(dim=2)
    nearest = distance.argmin(dim=1)
    good = distance.gather(1, nearest[:, None]).squeeze(1) <= 3 * sigma
    one_hot = F.one_hot(nearest[good], len(centres)).sum(dim=0)
    return int((one_hot / len(samples) >= min_share).sum().item()), float(good.sum()) / len(samples)


WRONG_ANSWERS: dict[str, list[object]] = {
    "16.1": [gan_losses_stub, _labels_swapped, _saturating, _sigmoid_first, _summed, _halved, _concatenated_mean,
             _naive_logs, _minimax_generator, _order_swapped, _uses_bce, _no_fake_term, _generator_fake_term,
             _detached, _floats, _per_example],
    "16.2": [None, "a", "c", "d", "e"],
    "16.3": [train_step_stub, _no_detach_recomputed, _no_detach_retained, _no_zero_grad_d, _no_zero_grad_g,
             _saturating_step, _generator_first, _old_discriminator, _d_stepped_twice, _returns_tensors,
             _generator_detached, _real_only, _fake_only, _labels_swapped_step, _loss_after_update],
    "16.4": [count_modes_stub, _one_sigma, _squared_distance, _share_of_good, _strictly_more, _any_sample, _percent,
             _eight_modes, _tensor_count, _all_nearest, _covered_share, _default_share, _fixed_sigma, _in_place],
    "16.5": [None, "a", "c", "d", "bb", 2],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "16.1": [_right_logsigmoid, _right_by_hand],
    "16.2": ["b", "B", " (b) "],
    "16.3": [_right_recomputed, _right_requires_grad_toggle],
    "16.4": [_right_loop, _right_broadcast],
    "16.5": ["b", "(b)", "B "],
}


# ---------------------------------------------------------------- added by the independent review


def _log_one_plus_exp(real_logits, fake_logits):
    def softplus(t):
        return torch.log1p(torch.exp(t))  # by hand: exp overflows float32 above about 88

    return softplus(-real_logits).mean() + softplus(fake_logits).mean(), softplus(-fake_logits).mean()


def _clamped_probabilities(real_logits, fake_logits):
    p_real = torch.sigmoid(real_logits).clamp(1e-7, 1 - 1e-7)
    p_fake = torch.sigmoid(fake_logits).clamp(1e-7, 1 - 1e-7)
    return -torch.log(p_real).mean() - torch.log(1 - p_fake).mean(), -torch.log(p_fake).mean()


def _label_smoothing(real_logits, fake_logits):
    d_loss = (0.9 * F.softplus(-real_logits) + 0.1 * F.softplus(real_logits)).mean() + F.softplus(fake_logits).mean()
    return d_loss, F.softplus(-fake_logits).mean()


def _clamps_in_place(real_logits, fake_logits):
    real_logits.clamp_(-50, 50)
    fake_logits.clamp_(-50, 50)
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean(), F.softplus(-fake_logits).mean()


def _right_logaddexp(real_logits, fake_logits):
    def softplus(t):
        return torch.logaddexp(torch.zeros_like(t), t)

    d_loss = softplus(-real_logits).sum() / real_logits.numel() + softplus(fake_logits).sum() / fake_logits.numel()
    return d_loss, softplus(-fake_logits).mean()


def _new_noise(G, D, opt_G, opt_D, real, z):
    fake = G(z)
    d_loss = _bce(D(real), 1) + _bce(D(fake.detach()), 0)
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()
    g_loss = _bce(D(G(torch.randn_like(z))), 1)  # draws its own noise
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
    return d_loss.item(), g_loss.item()


def _zero_grad_before_step(G, D, opt_G, opt_D, real, z):
    fake = G(z)
    d_loss = _bce(D(real), 1) + _bce(D(fake.detach()), 0)
    d_loss.backward()
    opt_D.zero_grad()  # between backward and step: D never moves
    opt_D.step()
    g_loss = _bce(D(fake), 1)
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
    return d_loss.item(), g_loss.item()


def _one_bce_over_both(G, D, opt_G, opt_D, real, z):
    fake = G(z)
    inputs = torch.cat([real, fake.detach()])
    labels = torch.cat([torch.ones(len(real), 1), torch.zeros(len(z), 1)])
    d_loss = F.binary_cross_entropy_with_logits(D(inputs), labels)  # one mean over both batches
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()
    g_loss = _bce(D(fake), 1)
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
    return d_loss.item(), g_loss.item()


def _generator_stepped_twice(G, D, opt_G, opt_D, real, z):
    fake = G(z)
    d_loss = _bce(D(real), 1) + _bce(D(fake.detach()), 0)
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()
    g_loss = _bce(D(fake), 1)
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
    opt_G.step()
    return d_loss.item(), g_loss.item()


def _right_set_to_none(G, D, opt_G, opt_D, real, z):
    opt_D.zero_grad(set_to_none=True)
    fake = G(z)
    d_loss = F.softplus(-D(real)).mean() + F.softplus(D(fake.detach())).mean()
    d_loss.backward()
    opt_D.step()
    G.zero_grad()
    g_loss = F.softplus(-D(fake)).mean()
    g_loss.backward()
    opt_G.step()
    return float(d_loss.detach()), float(g_loss.detach())


def _every_centre_within(samples, centres, sigma, min_share=0.01):
    within = torch.cdist(samples, centres) <= 3 * sigma  # a sample counted for every centre near it
    return int((within.sum(dim=0) >= min_share * len(samples)).sum()), within.any(dim=1).float().mean().item()


def _chebyshev(samples, centres, sigma, min_share=0.01):
    nearest, mode = (samples[:, None] - centres[None]).abs().amax(dim=2).min(dim=1)
    good = nearest <= 3 * sigma
    per_mode = torch.bincount(mode[good], minlength=len(centres))
    return int((per_mode >= min_share * len(samples)).sum()), good.float().mean().item()


def _right_numpy(samples, centres, sigma, min_share=0.01):
    import numpy as np

    s, c = samples.detach().cpu().numpy(), centres.detach().cpu().numpy()
    distance = np.linalg.norm(s[:, None, :] - c[None, :, :], axis=2)
    good = distance.min(axis=1) <= 3 * sigma
    per_mode = np.bincount(distance.argmin(axis=1)[good], minlength=len(c))
    return int((per_mode >= min_share * len(s)).sum()), float(good.mean())


WRONG_ANSWERS["16.1"] += [_log_one_plus_exp, _clamped_probabilities, _label_smoothing, _clamps_in_place]
WRONG_ANSWERS["16.3"] += [_new_noise, _zero_grad_before_step, _one_bce_over_both, _generator_stepped_twice]
WRONG_ANSWERS["16.4"] += [_every_centre_within, _chebyshev]
RIGHT_ANSWERS["16.1"] += [_right_logaddexp]
RIGHT_ANSWERS["16.3"] += [_right_set_to_none]
RIGHT_ANSWERS["16.4"] += [_right_numpy]
