"""Exercises of notebook 16 (GANs)."""

from __future__ import annotations

import inspect
import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from course_utils.checks import (
    Wrong,
    call,
    exercise,
    expect_defaults,
    expect_function,
    expect_int,
    expect_number,
    expect_tensor,
    forbid,
    forward_backward,
    matching_mistake,
    multiple_choice,
    randomize_module,
)

# ---------------------------------------------------------------- 16.1 the two losses from logits

_BCE = (
    "torch.nn.functional.binary_cross_entropy_with_logits",
    "torch.nn.functional.binary_cross_entropy",
    "torch.nn.BCEWithLogitsLoss.forward",
    "torch.nn.BCELoss.forward",
)


def _losses(real: torch.Tensor, fake: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The reference: BCE with logits, real labelled 1 and fake 0; the generator wants its fakes called real."""
    d = (F.binary_cross_entropy_with_logits(real, torch.ones_like(real))
         + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake)))
    g = F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake))
    return d, g


def _d_mistakes(real: torch.Tensor, fake: torch.Tensor) -> list[tuple[Any, str]]:
    sp = F.softplus
    return [
        (sp(real).mean() + sp(-fake).mean(),
         "the labels are swapped: real images should be labelled 1 (loss -log D(x) = softplus(-l)) and generated "
         "ones 0 (loss -log(1 - D(G(z))) = softplus(l))."),
        (0.5 * (sp(-real).mean() + sp(fake).mean()),
         "you halved the discriminator's loss. The task asks for the sum of the two averages, as in "
         "-[log D(x) + log(1 - D(G(z)))]."),
        (torch.cat([sp(-real).flatten(), sp(fake).flatten()]).mean(),
         "you averaged over the real and generated logits together. Average each term over its own batch, then "
         "add the two averages (the batches need not be the same size)."),
        (sp(-real).sum() + sp(fake).sum(), "you summed over the examples; average each term over its batch."),
        (sp(-real).mean(), "the generated images' term -log(1 - D(G(z))) is missing."),
        (sp(fake).mean(), "the real images' term -log D(x) is missing."),
        (-(sp(-real).mean() + sp(fake).mean()),
         "the sign is flipped: the discriminator minimises -[log D(x) + log(1 - D(G(z)))], a positive number."),
        (sp(-torch.sigmoid(real)).mean() + sp(torch.sigmoid(fake)).mean(),
         "you applied a sigmoid to the logits first and then treated the probabilities as logits. The inputs "
         "are logits already: D(x) = sigmoid(l)."),
    ]


def _g_mistakes(real: torch.Tensor, fake: torch.Tensor) -> list[tuple[Any, str]]:
    sp = F.softplus
    return [
        (-sp(fake).mean(),
         "that is the saturating loss log(1 - D(G(z))) of the minimax game. The task asks for the non-saturating "
         "one, -log D(G(z)) = softplus(-l), which keeps a strong gradient while D rejects the fakes."),
        (sp(fake).mean(),
         "that is -log(1 - D(G(z))), the discriminator's term for generated images: the generator wants its "
         "fakes called real, -log D(G(z)) = softplus(-l)."),
        (-sp(-fake).mean(), "the sign is flipped: the generator minimises -log D(G(z)), a positive number."),
        (sp(-real).mean(), "you used the real images' logits; the generator's loss depends on D(G(z)) only."),
        (-(sp(-real).mean() + sp(fake).mean()),
         "that is minus the discriminator's loss (the minimax game taken literally). The generator's "
         "non-saturating loss is -log D(G(z)) = softplus(-l) on the generated logits only."),
        (sp(-fake).sum(), "you summed over the examples; average over the batch."),
        (sp(-torch.sigmoid(fake)).mean(),
         "you applied a sigmoid to the logits first and then treated the probabilities as logits."),
    ]


def _loss_cases() -> list[tuple[str, torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(161)
    wide = torch.randn(9, 4, generator=generator) * 2
    cases = [
        ("5 real and 3 generated logits of shape (N, 1)", wide[:5, 1:2], torch.randn(3, 1, generator=generator)),
        ("4 real and 7 generated logits of shape (N,)", wide[1:5, 2], torch.randn(7, generator=generator) * 3),
        ("one real and one generated logit", torch.randn(1, 1, generator=generator), torch.randn(1, 1, generator=generator)),
        ("6 and 6 logits, the discriminator sure of itself", torch.randn(6, 1, generator=generator) + 4,
         torch.randn(6, 1, generator=generator) - 4),
        ("large logits (up to 80 in size)", torch.tensor([[80.0], [-75.0], [3.0]]), torch.tensor([[-80.0], [60.0]])),
        # beyond 88, exp(l) overflows float32: log(1 + exp(l)) written by hand gives infinity
        ("very large logits (up to 100 in size)", torch.tensor([[-100.0], [95.0]]), torch.tensor([[100.0], [-92.0], [1.0]])),
    ]
    return cases


@exercise(
    "16.1",
    title="The discriminator's loss and the non-saturating generator loss",
    hint="With D = sigmoid(l): -log D = softplus(-l) and -log(1 - D) = softplus(l), and F.softplus (or "
         "F.logsigmoid) stays finite for any logit. Average each term over its own batch.",
)
def gan_losses_check(answer: Any) -> None:
    """The answer is gan_losses(real_logits, fake_logits) -> (d_loss, g_loss), two 0-d tensors."""
    expect_function(answer, "gan_losses(real_logits, fake_logits)")
    instead = "Write the losses with F.softplus or F.logsigmoid: that is the point of the exercise."
    cases = _loss_cases()
    expected = [_losses(r, f) for _, r, f in cases]
    with forbid(*_BCE, answer=answer, instead=instead):
        results = [call(answer, r, f, name="gan_losses") for _, r, f in cases]
    for (what, real, fake), got, (want_d, want_g) in zip(cases, results, expected, strict=True):
        if not isinstance(got, tuple) or len(got) != 2:
            raise Wrong(f"For {what}, gan_losses returned {type(got).__name__}; return a tuple (d_loss, g_loss).")
        d, g = (expect_tensor(v, f"For {what}, {name}", floating=True) for v, name in zip(got, ("d_loss", "g_loss"),
                                                                                          strict=True))
        for value, name in ((d, "d_loss"), (g, "g_loss")):
            if value.shape != ():
                raise Wrong(f"For {what}, {name} has shape {tuple(value.shape)}; each loss is one number (a 0-d "
                            "tensor), an average over the batch.")
        if not (torch.isfinite(d) and torch.isfinite(g)):
            raise Wrong(f"For {what} you returned d_loss = {d.item()}, g_loss = {g.item()}: log(sigmoid(l)) or "
                        "log(1 - sigmoid(l)) overflows for large logits (sigmoid rounds to exactly 0 or 1), and "
                        "log(1 + exp(l)) written by hand does too once exp(l) passes float32's largest number "
                        "(l above about 88).",
                        hint="Use F.softplus(-l) for -log sigmoid(l) and F.softplus(l) for -log(1 - sigmoid(l)).")
        close = dict(atol=1e-5, rtol=1e-5)
        if torch.allclose(d, want_g, **close) and torch.allclose(g, want_d, **close) and not torch.allclose(
                want_d, want_g, **close):
            raise Wrong(f"For {what} your two losses come in the wrong order: return (d_loss, g_loss).")
        if not torch.allclose(d, want_d, **close):
            why = matching_mistake(d, _d_mistakes(real, fake), atol=1e-5, rtol=1e-5)
            raise Wrong(f"For {what} your d_loss is {d.item():.5g}, expected {want_d.item():.5g}"
                        + (f": {why}" if why else "."))
        if not torch.allclose(g, want_g, **close):
            why = matching_mistake(g, _g_mistakes(real, fake), atol=1e-5, rtol=1e-5)
            raise Wrong(f"For {what} your g_loss is {g.item():.5g}, expected {want_g.item():.5g}"
                        + (f": {why}" if why else "."))
    # Gradients of each loss with respect to both sets of logits.
    for index, (what, real, fake) in enumerate(cases):
        for k, name in enumerate(("d_loss", "g_loss")):
            reference = forward_backward(lambda r, f, k=k: _losses(r, f)[k], [real, fake], seed=index)
            with forbid(*_BCE, answer=answer, instead=instead):
                mine = forward_backward(lambda r, f, k=k: call(answer, r, f, name="gan_losses")[k], [real, fake],
                                        seed=index)
            for got_grad, want_grad in zip(mine.inputs, reference.inputs, strict=True):
                if (got_grad is None) != (want_grad is None) or (
                        got_grad is not None and not torch.allclose(got_grad, want_grad, atol=1e-5, rtol=1e-4)):
                    raise Wrong(f"For {what} your {name} is right but its gradient with respect to the logits is "
                                "not: keep the computation in torch operations on the logits (no .item(), "
                                ".detach() or NumPy), and stable for large logits.")


# ---------------------------------------------------------------- 16.2 predict: the saturating gradient

exercise(
    "16.2",
    title="The saturating loss when the discriminator is sure",
    hint="Write both losses as functions of the logit l, with D = sigmoid(l), and differentiate: "
         "d/dl log(1 - sigmoid(l)) and d/dl [-log sigmoid(l)]. Then put in D = 0.001.",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "The two losses have the same fixed points but not the same slopes. With respect to the logit, "
                 "the saturating loss has gradient -D and the non-saturating one -(1 - D): at D = 0.001 they "
                 "differ by a factor of about 1,000.",
            "b": "Right: with respect to the logit, log(1 - D) has gradient -D = -0.001 and -log D has gradient "
                 "-(1 - D) = -0.999. The saturating loss is flat exactly where the generator is worst, which is "
                 "why Goodfellow and colleagues proposed -log D(G(z)) in the same 2014 paper.",
            "c": "log(1 - D) is steep near D = 1, not near D = 0: at D = 0.001 it is almost flat (log 0.999). "
                 "Its gradient with respect to the logit is -D, about 1,000 times smaller than the "
                 "non-saturating loss's -(1 - D).",
            "d": "Neither is exactly zero: the saturating loss's gradient is -D = -0.001 per unit of logit, the "
                 "non-saturating one's -(1 - D) = -0.999. One is 1,000 times smaller, not zero.",
        },
    )
)


# ---------------------------------------------------------------- 16.3 one training step


def _tiny_pair(seed: int, z_dim: int, x_dim: int, hidden: int) -> tuple[nn.Module, nn.Module]:
    torch.manual_seed(seed)
    generator = nn.Sequential(nn.Linear(z_dim, hidden), nn.Tanh(), nn.Linear(hidden, x_dim))
    discriminator = nn.Sequential(nn.Linear(x_dim, hidden + 1), nn.LeakyReLU(0.2), nn.Linear(hidden + 1, 1))
    randomize_module(generator, seed)
    randomize_module(discriminator, seed + 1)
    return generator, discriminator


def _bce(logits: torch.Tensor, label: float) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, label))


def _reference_step(G: nn.Module, D: nn.Module, opt_G: Any, opt_D: Any, real: torch.Tensor, z: torch.Tensor,
                    variant: str = "right") -> tuple[float, float]:
    """One step (and plausible wrong variants of it, to name a learner's mistake)."""
    fake = G(z)
    d_fake_input = fake if variant == "no detach" else fake.detach()
    real_label, fake_label = (0.0, 1.0) if variant == "labels swapped" else (1.0, 0.0)
    d_loss = _bce(D(real), real_label) + _bce(D(d_fake_input), fake_label)
    if variant == "real only":
        d_loss = _bce(D(real), 1.0)
    elif variant == "fake only":
        d_loss = _bce(D(d_fake_input), 0.0)
    if variant == "G first":
        g_loss = _bce(D(fake), 1.0)
        opt_G.zero_grad()
        g_loss.backward(retain_graph=True)
        opt_G.step()
        opt_D.zero_grad()
        d_loss = _bce(D(real), 1.0) + _bce(D(G(z).detach()), 0.0)
        d_loss.backward()
        opt_D.step()
        return d_loss.item(), g_loss.item()
    if variant == "old D":
        g_loss = _bce(D(fake), 1.0)
        opt_D.zero_grad()
        d_loss.backward()
        opt_D.step()
        opt_G.zero_grad()
        g_loss.backward()
        opt_G.step()
        return d_loss.item(), g_loss.item()
    if variant != "no D zero_grad":
        opt_D.zero_grad()
    d_loss.backward(retain_graph=variant == "no detach")
    opt_D.step()
    g_loss = -F.softplus(D(fake)).mean() if variant == "saturating" else _bce(D(fake), 1.0)
    if variant == "labels swapped":
        g_loss = _bce(D(fake), 0.0)
    if variant == "minimax":
        g_loss = -(_bce(D(real), 1.0) + _bce(D(fake), 0.0))
    if variant not in ("no G zero_grad", "no detach"):
        opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
    if variant == "D stepped twice":
        opt_D.step()
    return d_loss.item(), (_bce(D(fake), 1.0).item() if variant in ("saturating", "minimax") else g_loss.item())


_STEP_MISTAKES = {
    "no detach": "the discriminator's step sent gradients into the generator (G's parameters got gradients twice "
                 "in one step): the fake images of the discriminator's loss need .detach(), and G's stale gradients "
                 "then leak into its own update.",
    "no D zero_grad": "the discriminator's gradients pile up from step to step: call opt_D.zero_grad() before "
                      "d_loss.backward().",
    "no G zero_grad": "the generator's gradients pile up from step to step: call opt_G.zero_grad() before "
                      "g_loss.backward().",
    "saturating": "the generator's step uses the saturating loss log(1 - D(G(z))); use the non-saturating "
                  "-log D(G(z)), binary cross-entropy of D(G(z)) against the label 1.",
    "minimax": "the generator's step maximises the discriminator's loss (the minimax game taken literally); "
               "use the non-saturating -log D(G(z)), BCE of D(G(z)) against the label 1.",
    "G first": "you updated the generator before the discriminator; the step is the discriminator first, then "
               "the generator against the updated discriminator.",
    "old D": "the generator's loss was computed with the discriminator from before its update (both losses "
             "computed first, then both steps). Compute g_loss after opt_D.step(), with the updated D.",
    "D stepped twice": "the discriminator's optimizer stepped again in the generator's part: only opt_G.step() "
                       "belongs there.",
    "labels swapped": "the labels are swapped: the discriminator labels real data 1 and generated data 0, and the "
                      "generator wants its fakes labelled 1.",
    "real only": "the discriminator's loss has only the real data's term; add the generated data's, "
                 "BCE of D(fake.detach()) against 0.",
    "fake only": "the discriminator's loss has only the generated data's term; add the real data's, "
                 "BCE of D(real) against 1.",
}


def _parameters(module: nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in module.parameters()]


def _same_parameters(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return all(torch.allclose(x, y, atol=1e-6, rtol=1e-5) for x, y in zip(a, b, strict=True))


def _run_steps(step: Any, seed: int, sizes: tuple[int, int, int, int], steps: int, momentum: float,
               count_grads: bool = False) -> tuple[list[tuple[Any, Any]], list[torch.Tensor], list[torch.Tensor],
                                                  list[int]]:
    """Build a tiny G and D, fill their .grad with stale values, run ``steps`` steps; return what happened."""
    batch, z_dim, x_dim, hidden = sizes
    G, D = _tiny_pair(seed, z_dim, x_dim, hidden)
    stale = torch.Generator().manual_seed(seed + 7)
    for p in [*G.parameters(), *D.parameters()]:  # gradients left over from whatever ran before
        p.grad = torch.randn(p.shape, generator=stale)
    opt_G = torch.optim.SGD(G.parameters(), lr=0.1, momentum=momentum)
    opt_D = torch.optim.SGD(D.parameters(), lr=0.05, momentum=momentum)
    data = torch.Generator().manual_seed(seed + 11)
    counts: list[int] = []
    hooks = []
    if count_grads:
        box = [0]

        def hook(grad: torch.Tensor) -> None:
            box[0] += 1

        first = next(iter(G.parameters()))
        hooks.append(first.register_hook(hook))
    returned = []
    try:
        for _ in range(steps):
            real = torch.randn(batch + 2, x_dim, generator=data)[1:batch + 1]  # a view, as a batch of a dataset
            z = torch.randn(batch, z_dim, generator=data)
            if count_grads:
                box[0] = 0
            returned.append(step(G, D, opt_G, opt_D, real, z))
            if count_grads:
                counts.append(box[0])
    finally:
        for handle in hooks:
            handle.remove()
    return returned, _parameters(G), _parameters(D), counts


@exercise(
    "16.3",
    title="One GAN training step",
    hint="Two halves in order, each with its own optimizer's zero_grad, backward and step. Ask yourself which "
         "tensor the discriminator's loss must not backpropagate into, and whether the generator should answer "
         "the discriminator from before or after its step. Return the two losses as Python numbers.",
)
def train_step_check(answer: Any) -> None:
    """The answer is train_step(G, D, opt_G, opt_D, real, z) -> (d_loss, g_loss) as Python floats."""
    expect_function(answer, "train_step(G, D, opt_G, opt_D, real, z)")
    try:
        inspect.signature(answer).bind(1, 2, 3, 4, 5, 6)
    except TypeError as error:
        raise Wrong(f"The check calls train_step(G, D, opt_G, opt_D, real, z), but your function is "
                    f"train_step{inspect.signature(answer)} ({error}).",
                    hint="Keep the signature of the stub.") from error
    except ValueError:
        pass

    def learner(G: nn.Module, D: nn.Module, opt_G: Any, opt_D: Any, real: torch.Tensor, z: torch.Tensor) -> Any:
        # The modules change (that is the point); call() watches the data and the codes for in-place changes.
        return call(lambda real, z: answer(G, D, opt_G, opt_D, real, z), real, z, name="train_step")

    settings = [((5, 3, 4, 6), 0.0, 3), ((1, 2, 3, 5), 0.0, 2), ((7, 4, 2, 3), 0.5, 3)]
    for index, (sizes, momentum, steps) in enumerate(settings):
        seed = 160 + index
        what = (f"With a batch of {sizes[0]}, codes of {sizes[1]}, data of {sizes[2]} numbers and SGD"
                + (f" with momentum {momentum}" if momentum else "") + f", over {steps} steps")
        want, want_G, want_D, _ = _run_steps(_reference_step, seed, sizes, steps, momentum)
        try:
            got, got_G, got_D, counts = _run_steps(learner, seed, sizes, steps, momentum, count_grads=True)
        except RuntimeError as error:
            if "modified by an inplace operation" not in str(error):
                raise
            raise Wrong(f"{what}: backward() needed weights that an optimizer step had already changed "
                        "(PyTorch: \"modified by an inplace operation\"). Most likely g_loss was computed before "
                        "opt_D.step() and backpropagated after it: compute g_loss after the discriminator's "
                        "step, from D(fake) with the updated D.") from None
        for k, (returned, (want_d, want_g)) in enumerate(zip(got, want, strict=True)):
            if not isinstance(returned, tuple) or len(returned) != 2:
                raise Wrong(f"{what}: train_step returned {type(returned).__name__}; return a tuple "
                            "(d_loss, g_loss) of two numbers.")
            d = expect_number(returned[0], f"{what}, step {k + 1}, d_loss")
            g = expect_number(returned[1], f"{what}, step {k + 1}, g_loss")
            if k == 0 and not (math.isclose(d, want_d, rel_tol=1e-4, abs_tol=1e-6)
                               and math.isclose(g, want_g, rel_tol=1e-4, abs_tol=1e-6)):
                if math.isclose(d, want_g, rel_tol=1e-4) and math.isclose(g, want_d, rel_tol=1e-4):
                    raise Wrong(f"{what}: your two losses come in the wrong order; return (d_loss, g_loss).")
                break  # the parameters below say what went wrong
        if counts and max(counts) > 1:
            raise Wrong(f"{what}: {_STEP_MISTAKES['no detach']}")
        if counts and min(counts) == 0:
            raise Wrong(f"{what}: the generator's parameters got no gradient: its step must backpropagate "
                        "g_loss through D into G (no .detach() in the generator's loss).")
        if _same_parameters(got_G, want_G) and _same_parameters(got_D, want_D):
            for k, (returned, (want_d, want_g)) in enumerate(zip(got, want, strict=True)):
                d, g = float(returned[0]), float(returned[1])
                if not math.isclose(d, want_d, rel_tol=1e-4, abs_tol=1e-6):
                    raise Wrong(f"{what}: the parameters are right, but at step {k + 1} you returned d_loss = "
                                f"{d:.5g}, expected {want_d:.5g} (the discriminator's loss before its update).")
                if not math.isclose(g, want_g, rel_tol=1e-4, abs_tol=1e-6):
                    raise Wrong(f"{what}: the parameters are right, but at step {k + 1} you returned g_loss = "
                                f"{g:.5g}, expected {want_g:.5g} (the generator's loss, -log D(G(z)), with the "
                                "updated discriminator).")
            continue
        for variant, why in _STEP_MISTAKES.items():
            try:
                _, var_G, var_D, _ = _run_steps(lambda *a, v=variant: _reference_step(*a, variant=v), seed, sizes,
                                                steps, momentum)
            except RuntimeError:
                continue
            if _same_parameters(got_G, var_G) and _same_parameters(got_D, var_D):
                raise Wrong(f"{what}: {why}")
        which = ("the generator's and the discriminator's" if not _same_parameters(got_D, want_D)
                 and not _same_parameters(got_G, want_G) else
                 "the discriminator's" if not _same_parameters(got_D, want_D) else "the generator's")
        raise Wrong(f"{what}, {which} parameters differ from those of the step the task describes.")


# ---------------------------------------------------------------- 16.4 counting modes


def _reference_modes(samples: torch.Tensor, centres: torch.Tensor, sigma: float,
                     min_share: float) -> tuple[int, float]:
    distance = torch.cdist(samples.double(), centres.double())
    nearest, index = distance.min(dim=1)
    good = nearest <= 3 * sigma
    counts = torch.bincount(index[good], minlength=len(centres))
    return int((counts >= min_share * len(samples)).sum()), float(good.double().mean())


def _mode_mistakes(samples: torch.Tensor, centres: torch.Tensor, sigma: float,
                   min_share: float) -> list[tuple[tuple[str, Any], str]]:
    """(("covered" or "quality", what the mistake returns), what the mistake is), the most specific first."""
    distance = torch.cdist(samples.double(), centres.double())
    nearest, index = distance.min(dim=1)
    n, k = len(samples), len(centres)

    def covered(radius: float, share_of: int | None = None, strict: bool = False, modes: int | None = None) -> int:
        good = nearest <= radius
        counts = torch.bincount(index[good], minlength=k)[:modes]
        total = n if share_of is None else share_of
        return int((counts > min_share * total).sum() if strict else (counts >= min_share * total).sum())

    def quality(radius: float) -> float:
        return float((nearest <= radius).double().mean())

    good = nearest <= 3 * sigma
    per_mode_any = (distance <= 3 * sigma).sum(dim=0)
    all_nearest = torch.bincount(index, minlength=k)
    mistakes = [] if sigma == 0.05 else [
        (("covered", covered(0.15)), "you used the notebook's sigma, 0.05; use the sigma argument."),
        (("quality", quality(0.15)), "you used the notebook's sigma, 0.05; use the sigma argument.")]
    mistakes += [
        (("covered", int((per_mode_any >= min_share * n).sum())),
         "you counted a sample for every centre within 3 sigma of it; count it once, for its nearest centre "
         "only (two modes can lie less than 6 sigma apart)."),
        (("covered", covered(3 * sigma, strict=True)),
         "a mode with exactly min_share of the samples counts as covered: use >=, not >."),
        (("covered", covered(3 * sigma, modes=8)),
         f"you counted only the first 8 modes (the ring's number); take K from centres, here {k}."),
        (("covered", covered(3 * sigma, share_of=int(good.sum()))),
         "you measured each mode's share among the high-quality samples only; the task asks for its share of "
         "all the samples."),
        (("covered", int((per_mode_any > 0).sum())),
         "you counted a mode as soon as one sample lies near it; it needs at least min_share of the samples."),
        (("covered", int((all_nearest >= min_share * n).sum())),
         "you counted every sample for its nearest mode, near or far: only samples within 3 sigma count."),
        (("covered", covered(math.sqrt(3 * sigma))),
         "you compared the squared distance with 3 sigma: compare the distance itself with 3 sigma."),
        (("covered", covered(9 * sigma ** 2)),
         "you compared the distance with 9 sigma squared: compare the distance with 3 sigma (or its square "
         "with 9 sigma squared)."),
        (("covered", covered(sigma)), "a sample counts when it lies within 3 sigma of a centre, not 1 sigma."),
        (("covered", covered(2 * sigma)), "a sample counts when it lies within 3 sigma of a centre, not 2 sigma."),
        (("covered", int(good.sum())), "you returned the number of high-quality samples, not the number of modes."),
        (("quality", 100 * quality(3 * sigma)),
         "the share of high-quality samples should be a fraction between 0 and 1, not a percentage."),
        (("quality", float(good.double().sum())),
         "you returned the number of high-quality samples; the task asks for their share (divide by N)."),
        (("quality", quality(math.sqrt(3 * sigma))),
         "you compared the squared distance with 3 sigma: compare the distance itself with 3 sigma."),
        (("quality", quality(9 * sigma ** 2)), "you compared the distance with 9 sigma squared, not with 3 sigma."),
        (("quality", quality(sigma)), "a high-quality sample lies within 3 sigma of its nearest centre, not 1 sigma."),
        (("quality", quality(2 * sigma)),
         "a high-quality sample lies within 3 sigma of its nearest centre, not 2 sigma."),
        (("quality", covered(3 * sigma) / k),
         "you returned the share of modes covered; the second number is the share of samples within 3 sigma of "
         "a centre."),
    ]
    return mistakes


def _mode_cases() -> list[tuple[str, torch.Tensor, torch.Tensor, float, float | None]]:
    """Generated samples with known answers: points on modes, near misses just outside 3 sigma, and points far off."""
    generator = torch.Generator().manual_seed(164)

    def ring(k: int, radius: float) -> torch.Tensor:
        angle = torch.arange(k, dtype=torch.float32) * 2 * math.pi / k
        return radius * torch.stack([angle.cos(), angle.sin()], dim=1)

    def around(centre: torch.Tensor, count: int, low: float, high: float) -> torch.Tensor:
        direction = torch.randn(count, 2, generator=generator)
        direction = direction / direction.norm(dim=1, keepdim=True).clamp_min(1e-6)
        return centre + direction * (low + (high - low) * torch.rand(count, 1, generator=generator))

    cases = []
    # (description, modes, radius, sigma, {mode: (points within 3 sigma, near misses at 3.3-6 sigma)}, far, min_share)
    for what, k, radius, sigma, plan, far, min_share in [
        ("5 modes, 3 of them well covered", 5, 1.0, 0.05, {0: (120, 10), 1: (110, 0), 2: (100, 30), 3: (4, 0)}, 26,
         None),
        ("12 modes, uneven, min_share 0.03", 12, 3.0, 0.1,
         {0: (60, 0), 2: (40, 5), 5: (11, 3), 7: (1, 0), 9: (50, 0), 10: (13, 0), 11: (12, 30)}, 175, 0.03),
        ("8 modes, a collapsed generator", 8, 2.0, 0.02, {3: (300, 20), 4: (3, 40)}, 37, None),
        ("3 modes, min_share 0.05 (exactly 10 of 200 samples on one mode)", 3, 1.5, 0.04,
         {0: (90, 10), 1: (30, 0), 2: (10, 25)}, 35, 0.05),
        ("6 modes plus 2 modes 4 sigma apart, half the samples far off", 6, 1.0, 0.03, {0: (150, 0), 1: (40, 0), 2: (3, 0), 4: (7, 0)}, 200,
         None),
    ]:
        centres = ring(k, radius)
        parts = []
        for mode, (good, near) in plan.items():
            # few points (a mode near the threshold): well inside; many: spread out to 2.9 sigma
            parts.append(around(centres[mode], good, 0.1 * sigma, 0.9 * sigma if good <= 12 else 2.9 * sigma))
            parts.append(around(centres[mode], near, 3.3 * sigma, 6.0 * sigma))
        parts.append(around(torch.zeros(2), far, 0.3 * radius, 0.5 * radius))  # far from every centre
        if k == 6:  # two extra centres 4 sigma apart: 20 points within 3 sigma of both, nearer the second
            centres = torch.cat([centres, torch.tensor([[0.0, -2.0], [4 * sigma, -2.0]])])
            shared = torch.tensor([2.5 * sigma, -2.0]) + 0.3 * sigma * (torch.rand(20, 2, generator=generator) - 0.5)
            parts.append(shared)
        samples = torch.cat(parts)
        samples = samples[torch.randperm(len(samples), generator=generator)]
        wide = torch.cat([samples, torch.zeros(len(samples), 1)], dim=1)
        cases.append((what, wide[:, :2], centres, sigma, min_share))  # the samples as a view, columns of a table
    return cases


@exercise(
    "16.4",
    title="Count the modes a generator covers",
    hint="torch.cdist(samples, centres) gives every sample-to-centre distance. A sample belongs to its nearest "
         "centre only, and counts for it only when it lies within 3 sigma; count per mode for all K modes (some "
         "may get none) and compare each count with min_share * N.",
)
def count_modes_check(answer: Any) -> None:
    """The answer is count_modes(samples, centres, sigma, min_share=0.01) -> (modes covered, share of quality)."""
    expect_function(answer, "count_modes(samples, centres, sigma, min_share=0.01)")
    expect_defaults(answer, "count_modes", min_share=0.01)
    for what, samples, centres, sigma, min_share in _mode_cases():
        share = 0.01 if min_share is None else min_share
        want_covered, want_quality = _reference_modes(samples, centres, sigma, share)
        if min_share is None:
            got = call(answer, samples, centres, sigma, name="count_modes")
        else:
            got = call(answer, samples, centres, sigma, min_share=min_share, name="count_modes")
        if not isinstance(got, tuple) or len(got) != 2:
            raise Wrong(f"For {what}, count_modes returned {type(got).__name__}; return a tuple (covered, quality).")
        covered = expect_int(got[0], f"For {what}, the number of modes covered")
        quality = expect_number(got[1], f"For {what}, the share of high-quality samples")
        mistakes = _mode_mistakes(samples, centres, sigma, share)
        if covered != want_covered:
            why = next((text for (kind, value), text in mistakes if kind == "covered" and value == covered and text),
                       "")
            raise Wrong(f"For {what} you found {covered} modes covered, expected {want_covered}"
                        + (f": {why}" if why else "."))
        if not math.isclose(quality, want_quality, rel_tol=1e-6, abs_tol=1e-9):
            why = next((text for (kind, value), text in mistakes if kind == "quality" and value is not None
                        and math.isclose(quality, value, rel_tol=1e-6, abs_tol=1e-9)), "")
            raise Wrong(f"For {what} your share of high-quality samples is {quality:.4g}, expected "
                        f"{want_quality:.4g}" + (f": {why}" if why else "."))


# ---------------------------------------------------------------- 16.5 why packing helps

exercise(
    "16.5",
    title="Why a discriminator that reads pairs catches collapse",
    hint="Think of what a real pair of ring points looks like, and what a pair from a generator that puts every "
         "point on one mode looks like. Can one point alone tell the difference?",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "More points per step would also come from a bigger batch, which does not cure collapse. What "
                 "changes is what the discriminator judges: a pair as a whole, whose two points can be compared.",
            "b": "Right: one point on one mode looks real whichever mode it is on, but two real points fall on the "
                 "same mode only one time in eight, while a collapsed generator's pairs always do. The distribution "
                 "of pairs shows the missing modes that the distribution of single points hides.",
            "c": "The width of the input layer is not what matters (the hidden layers stay as they are). What "
                 "matters is that the discriminator sees two samples together and can notice that they are "
                 "near-copies of each other.",
            "d": "Packing does make collapse easier to detect, which is the point: the generator then gets a "
                 "gradient away from near-identical samples. On the ring it covers more modes, as the next cell "
                 "shows.",
        },
    )
)
