"""Reference generators: the VAE of notebook 15 and the DCGAN of notebook 16, packaged so that later
notebooks can train them in one line.

Both trainers take real digit images (float ``(N, 1, 28, 28)`` or ``(N, 1, 14, 14)`` in ``[0, 1]``,
for example ``load_mnist("train", source="sample").images``) and return a :class:`TrainedGenerator`
whose :meth:`~TrainedGenerator.sample` draws new images of the same form::

    vae = train_vae(train.images, size=14, epochs=30, seed=0)
    digits = vae.sample(1000, seed=0)          # (1000, 1, 14, 14) in [0, 1]

- :func:`train_vae`: the pytorch/examples VAE (784-400-20, Kingma & Welling 2014) adapted to the
  image size: fc 400 + ReLU, mu and log-variance of 20, decoder 400 + ReLU, sigmoid; Adam 1e-3,
  batch 128, summed binary cross-entropy + KL.
- :func:`train_dcgan`: a small DCGAN (Radford et al. 2016): transposed convolutions with batch norm
  in the generator, strided convolutions with leaky ReLUs in the discriminator; Adam 2e-4, betas
  (0.5, 0.999), batch 64, the non-saturating generator loss. At 14x14 it has one upsampling stage
  fewer.

With ``size=14`` and 28x28 input images, the images are average-pooled 2x2 first. Training is
deterministic for a given seed on one machine, and leaves the global random state as it was.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from course_utils._args import check_whole

__all__ = ["SIZES", "TrainedGenerator", "prepare_images", "train_dcgan", "train_vae"]

SIZES = (28, 14)
"""The image sizes the trainers accept."""


@dataclass
class TrainedGenerator:
    """A trained generator: ``sample(n, seed=...)`` returns ``n`` images ``(n, 1, size, size)`` in [0, 1].

    Attributes:
        name: ``"VAE"`` or ``"DCGAN"``.
        network: the decoder (VAE) or generator (DCGAN), in eval mode, mapping latent codes to images.
        size: the image side, 28 or 14.
        latent_dim: the length of a latent code z ~ N(0, I).
        losses: the training loss per epoch (VAE: negative ELBO per image) or per 100 steps (DCGAN:
            the generator's loss).
        train_seconds: wall-clock seconds of training.
    """

    name: str
    network: nn.Module
    size: int
    latent_dim: int
    losses: list[float] = field(default_factory=list)
    train_seconds: float = 0.0

    @torch.inference_mode()
    def sample(self, n: int, *, seed: int = 0) -> torch.Tensor:
        """Decode ``n`` codes z ~ N(0, I) drawn with ``seed``: images ``(n, 1, size, size)`` in [0, 1].

        A VAE's decoder gives pixel probabilities; they are returned as they are (the usual way to
        show a VAE's samples), not drawn as black-and-white pixels.
        """
        n = check_whole(n, "n", minimum=1)
        seed = check_whole(seed, "seed", minimum=0)
        device = next(self.network.parameters()).device
        z = torch.randn(n, self.latent_dim, generator=torch.Generator().manual_seed(seed)).to(device)
        images = self.network(z).reshape(n, 1, self.size, self.size)
        return images.float().cpu().clamp(0.0, 1.0)


def prepare_images(images: torch.Tensor, size: int) -> torch.Tensor:
    """Check ``images`` (float ``(N, 1, 28 or 14, 28 or 14)`` in [0, 1]) and return them at ``size``.

    28x28 images asked for at 14x14 are average-pooled 2x2. Raises ``TypeError``/``ValueError``
    that say what was given and what is accepted.
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, got {size!r}.")
    if not isinstance(images, torch.Tensor) or not images.is_floating_point():
        raise TypeError("images must be a floating-point torch tensor of shape (N, 1, H, W) in [0, 1], such as "
                        f"load_mnist('train', source='sample').images; got {type(images).__name__}"
                        + (f" of dtype {images.dtype}" if isinstance(images, torch.Tensor) else "") + ".")
    if images.dim() != 4 or images.shape[1] != 1 or images.shape[2] != images.shape[3] \
            or images.shape[2] not in SIZES or images.shape[0] < 2:
        raise ValueError("images must have shape (N, 1, 28, 28) or (N, 1, 14, 14) with N >= 2 (one channel, "
                         f"square), got {tuple(images.shape)}; add the channel axis with images.unsqueeze(1).")
    if images.shape[2] < size:
        raise ValueError(f"images are {images.shape[2]}x{images.shape[3]}, smaller than size={size}: "
                         "pass 28x28 images, or size=14.")
    if not bool(torch.isfinite(images).all()):
        raise ValueError("pixel values must be finite numbers in [0, 1]; the images hold NaN or infinite values.")
    low, high = float(images.min()), float(images.max())
    if low < 0.0 or high > 1.0:
        raise ValueError(f"pixel values must lie in [0, 1], got values from {low:.3g} to {high:.3g}; "
                         "divide 0..255 pixels by 255.")
    images = images.detach().float()
    return F.avg_pool2d(images, 2) if images.shape[2] != size else images


def _forked_rng(device: str | torch.device) -> contextlib.AbstractContextManager[None]:
    """Fork the CPU random state, and that of the CUDA device trained on, so the caller's are left as they were.

    ``torch.manual_seed`` inside seeds every device; without forking the CUDA state too, training on a GPU would
    reset the caller's CUDA random numbers.
    """
    device = torch.device(device)
    cuda = [device.index if device.index is not None else torch.cuda.current_device()] if device.type == "cuda" else []
    return torch.random.fork_rng(devices=cuda)


class _VAE(nn.Module):
    def __init__(self, pixels: int, hidden: int = 400, latent: int = 20) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(pixels, hidden), nn.ReLU())
        self.mu = nn.Linear(hidden, latent)
        self.logvar = nn.Linear(hidden, latent)
        self.decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, pixels), nn.Sigmoid())

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        h = self.encoder(x)
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return self.decoder(z), mu, logvar


def train_vae(images: torch.Tensor, *, size: int = 28, epochs: int = 30, seed: int = 0,
              device: str | torch.device = "cpu") -> TrainedGenerator:
    """Train the pytorch/examples VAE (pixels-400-20) on ``images`` and return its decoder as a generator.

    Args:
        images: float ``(N, 1, 28, 28)`` or ``(N, 1, 14, 14)`` in [0, 1] (pooled to ``size`` if needed).
        size: 28 or 14, the side of the images the VAE models.
        epochs: passes over the images (batch 128, Adam 1e-3, summed BCE + KL per batch).
        seed: seeds the initialisation, the shuffling and the reparameterisation noise.
        device: where to train.
    """
    data = prepare_images(images, size).flatten(1).to(device)
    epochs = check_whole(epochs, "epochs", minimum=1)
    seed = check_whole(seed, "seed", minimum=0)
    start = time.perf_counter()
    losses: list[float] = []
    with _forked_rng(device):
        torch.manual_seed(seed)
        model = _VAE(size * size).to(device)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        order = torch.Generator().manual_seed(seed)
        for _ in range(epochs):
            total = 0.0
            for batch in torch.randperm(len(data), generator=order).split(128):
                x = data[batch]
                recon, mu, logvar = model(x)
                bce = F.binary_cross_entropy(recon, x, reduction="sum")
                kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
                loss = bce + kl
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item()
            losses.append(total / len(data))
    decoder = model.decoder.eval()
    return TrainedGenerator("VAE", decoder, size, 20, losses, time.perf_counter() - start)


def _dcgan(size: int, latent: int) -> tuple[nn.Module, nn.Module]:
    """The generator and discriminator of the small DCGAN, for 28x28 or 14x14 images."""
    if size == 28:  # 7x7 -> 14x14 -> 28x28, and back down
        up = [nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.BatchNorm2d(32), nn.ReLU(), nn.ConvTranspose2d(32, 1, 4, 2, 1)]
        down = [nn.Conv2d(1, 32, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(32, 64, 4, 2, 1)]
    else:  # one upsampling (and one downsampling) stage fewer: 7x7 -> 14x14
        up = [nn.ConvTranspose2d(64, 1, 4, 2, 1)]
        down = [nn.Conv2d(1, 64, 4, 2, 1)]
    generator = nn.Sequential(nn.Linear(latent, 64 * 7 * 7), nn.Unflatten(1, (64, 7, 7)),
                              nn.BatchNorm2d(64), nn.ReLU(), *up, nn.Sigmoid())
    discriminator = nn.Sequential(*down, nn.BatchNorm2d(64), nn.LeakyReLU(0.2), nn.Flatten(),
                                  nn.Linear(64 * 7 * 7, 1))
    return generator, discriminator


def train_dcgan(images: torch.Tensor, *, size: int = 28, steps: int = 1500, seed: int = 0,
                device: str | torch.device = "cpu") -> TrainedGenerator:
    """Train the small DCGAN on ``images`` for ``steps`` generator updates; return its generator.

    Each step updates the discriminator once (real images labelled 1, generated 0, binary
    cross-entropy on logits) and then the generator once with the non-saturating loss
    -log D(G(z)). Batch 64, z of 32, Adam 2e-4 with betas (0.5, 0.999) for both.

    Args:
        images: float ``(N, 1, 28, 28)`` or ``(N, 1, 14, 14)`` in [0, 1] (pooled to ``size`` if needed).
        size: 28 or 14.
        steps: generator updates (one discriminator update each).
        seed: seeds the initialisation, the batches and the codes.
        device: where to train.
    """
    data = prepare_images(images, size).to(device)
    steps = check_whole(steps, "steps", minimum=1)
    seed = check_whole(seed, "seed", minimum=0)
    latent, batch = 32, 64
    start = time.perf_counter()
    losses: list[float] = []
    with _forked_rng(device):
        torch.manual_seed(seed)
        generator, discriminator = (m.to(device) for m in _dcgan(size, latent))
        opt_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
        opt_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
        ones, zeros = torch.ones(batch, 1, device=device), torch.zeros(batch, 1, device=device)
        running = 0.0
        for step in range(1, steps + 1):
            real = data[torch.randint(len(data), (batch,))]
            fake = generator(torch.randn(batch, latent, device=device))
            loss_d = (F.binary_cross_entropy_with_logits(discriminator(real), ones)
                      + F.binary_cross_entropy_with_logits(discriminator(fake.detach()), zeros))
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
            loss_g = F.binary_cross_entropy_with_logits(discriminator(fake), ones)  # -log D(G(z))
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
            running += loss_g.item()
            if step % 100 == 0 or step == steps:
                losses.append(running / (100 if step % 100 == 0 else step % 100))
                running = 0.0
    generator.eval()
    return TrainedGenerator("DCGAN", generator, size, latent, losses, time.perf_counter() - start)
