"""Measure generated digits, so that generators can be compared by a number, not by eye.

A grid of blurry digits proves nothing. Part IV scores every generator the same way
(notebook 15 builds each piece by hand first):

- :class:`DigitJudge` is a small CNN trained in seconds on real training digits. Its
  penultimate layer gives 128 features per image, its last layer a class.
- :func:`frechet_distance` between the Gaussians fitted to the features of real held-out
  digits and of generated ones: the Frechet classifier distance (FCD). It is the idea of
  FID (Heusel et al. 2017) with a feature network small enough to train here. Lower is
  better; 0 means the two feature distributions share mean and covariance.
- Class coverage: how many of the 10 classes the judge finds among the samples (a class
  counts when it gets at least a fifth of its fair share, 2% of the samples), how evenly
  (the entropy of the predicted classes over ln 10: 1 is perfectly even), and the judge's
  mean confidence.
- Reference points on the same scale (:meth:`DigitJudge.baselines`): real training digits
  (the floor a perfect generator would reach), a per-pixel Gaussian fitted to the data and
  uniform noise (ceilings any real generator should beat).

The Frechet distance is biased upwards for small samples, so compare scores only at equal
sample counts (1,000 throughout the course).

Example::

    judge = DigitJudge.train(train.images, train.labels, reference=test.images)
    scores = judge.baselines(train.images) + [judge.score(samples, "my VAE")]
    print(score_table(scores))
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ._args import check_whole

NUM_CLASSES = 10
FEATURES = 128
FOUND_SHARE = 0.2 / NUM_CLASSES  # a class is "found" with at least a fifth of its fair share


def _as_images(images: Any, argument: str, minimum: int = 2) -> Tensor:
    """Return ``images`` as a float32 CPU tensor ``(N, 1, H, W)`` with values in [0, 1]."""
    if isinstance(images, np.ndarray):
        images = torch.from_numpy(np.asarray(images, dtype=np.float32))
    if not isinstance(images, Tensor):
        raise TypeError(f"{argument} must be a tensor or NumPy array of images, not {type(images).__name__}.")
    x = images.detach().to("cpu", torch.float32)
    if x.ndim == 2:  # flat images (N, H*W), as an MLP generator returns them
        side = math.isqrt(x.shape[1])
        if side * side != x.shape[1]:
            raise ValueError(f"{argument} has shape {tuple(x.shape)}: {x.shape[1]} pixels per row are not a "
                             "square image. Pass images as (N, 1, H, W), (N, H, W) or (N, H*W).")
        x = x.reshape(-1, 1, side, side)
    elif x.ndim == 3:
        x = x.unsqueeze(1)
    if x.ndim != 4 or x.shape[1] != 1 or x.shape[2] != x.shape[3]:
        raise ValueError(f"{argument} has shape {tuple(images.shape)}; the judge needs square grey images "
                         "(N, 1, H, W), (N, H, W) or (N, H*W).")
    if x.shape[0] < minimum:
        raise ValueError(f"{argument} holds {x.shape[0]} image(s); the judge needs at least {minimum} "
                         "(scores compare sets of 1,000).")
    if not torch.isfinite(x).all():
        bad = int((~torch.isfinite(x)).any(dim=(1, 2, 3)).sum())
        raise ValueError(f"{argument}: {bad} image(s) contain NaN or infinite values; a generator that "
                         "diverged produces these. Retrain it (a lower learning rate) before scoring.")
    low, high = float(x.min()), float(x.max())
    if low < -1e-3 or high > 1 + 1e-3:
        raise ValueError(
            f"{argument} has values from {low:.3g} to {high:.3g}; the judge expects pixels in [0, 1] like "
            "the MNIST loaders give. Map tanh outputs with (x + 1) / 2, and clamp samples that overshoot "
            "slightly (a diffusion sampler's) with x.clamp(0, 1)."
        )
    return x.clamp(0, 1)


def _resized(x: Tensor, size: int, argument: str) -> Tensor:
    if x.shape[-1] == size:
        return x
    if x.shape[-1] < size:
        raise ValueError(f"{argument} are {x.shape[-1]}x{x.shape[-1]} images, smaller than this judge's "
                         f"{size}x{size}: train a judge with size={x.shape[-1]} to score them.")
    return F.adaptive_avg_pool2d(x, size)


def feature_statistics(features: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return the mean ``(D,)`` and covariance ``(D, D)`` (float64) of features ``(N, D)``, N >= 2."""
    array = np.asarray(features.detach().cpu() if isinstance(features, Tensor) else features, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] < 2:
        raise ValueError(f"features must be a 2-D array (N, D) with N >= 2 rows, got shape {array.shape}.")
    return array.mean(axis=0), np.cov(array, rowvar=False).reshape(array.shape[1], array.shape[1])


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def frechet_distance(mu1: Any, sigma1: Any, mu2: Any, sigma2: Any) -> float:
    """The Frechet (2-Wasserstein squared) distance between N(mu1, sigma1) and N(mu2, sigma2).

    ``||mu1 - mu2||^2 + Tr(sigma1 + sigma2 - 2 (sigma1 sigma2)^(1/2))``. The trace of the
    square root is computed as that of ``(s sigma2 s)^(1/2)`` with ``s = sigma1^(1/2)``, a
    symmetric matrix with the same eigenvalues, so singular covariances work and no complex
    numbers appear.
    """
    m1, m2 = (np.asarray(m, dtype=np.float64) for m in (mu1, mu2))
    s1, s2 = (np.asarray(s, dtype=np.float64) for s in (sigma1, sigma2))
    if m1.ndim != 1 or m1.shape != m2.shape or s1.shape != (m1.size, m1.size) or s2.shape != s1.shape:
        raise ValueError(f"frechet_distance needs two means (D,) and two covariances (D, D) of one size D; got "
                         f"{m1.shape}, {s1.shape}, {m2.shape}, {s2.shape}.")
    for name, s in (("sigma1", s1), ("sigma2", s2)):
        if not np.allclose(s, s.T, rtol=1e-6, atol=1e-9 * max(1.0, float(np.abs(s).max()))):
            raise ValueError(f"{name} is not symmetric, so it is not a covariance matrix: use np.cov(x, rowvar=False).")
    root = _psd_sqrt(s1)
    middle = np.linalg.eigvalsh((root @ s2 @ root + (root @ s2 @ root).T) / 2)
    trace_sqrt = float(np.sqrt(np.clip(middle, 0, None)).sum())
    distance = float(np.sum((m1 - m2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * trace_sqrt)
    return max(distance, 0.0)


@dataclass(frozen=True)
class SampleScore:
    """The judge's verdict on one set of images (see the module docstring for each number)."""

    name: str
    fcd: float
    classes: int
    evenness: float
    confidence: float
    count: int

    def __str__(self) -> str:
        return (f"{self.name}: FCD {self.fcd:.1f}, {self.classes} of {NUM_CLASSES} classes "
                f"(evenness {self.evenness:.2f}), confidence {self.confidence:.2f}, {self.count:,} images")


def score_table(scores: Sequence[SampleScore]) -> str:
    """A plain-text table of scores, one row each, in the order given."""
    width = max([len("images")] + [len(score.name) for score in scores])
    lines = [f"{'images':<{width}}  {'FCD':>8}  {'classes':>7}  {'evenness':>8}  {'confidence':>10}  {'n':>6}"]
    lines += [f"{s.name:<{width}}  {s.fcd:8.1f}  {s.classes:7d}  {s.evenness:8.2f}  {s.confidence:10.2f}  {s.count:6,}"
              for s in scores]
    return "\n".join(lines)


def pixel_gaussian_samples(images: Any, n: int = 1000, *, seed: int = 0) -> Tensor:
    """``n`` images drawn pixel by pixel from Gaussians fitted to ``images``, clamped to [0, 1].

    Each pixel gets the mean and standard deviation of that pixel over the data, and pixels
    are drawn independently: the simplest model that knows where ink usually is.
    """
    x = _as_images(images, "images")
    n = check_whole(n, "n", minimum=2)
    generator = torch.Generator().manual_seed(seed)
    noise = torch.randn((n, *x.shape[1:]), generator=generator)
    return (x.mean(dim=0) + x.std(dim=0) * noise).clamp(0, 1)


class _JudgeNet(nn.Module):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * (size // 4) ** 2, FEATURES), nn.ReLU(),
        )
        self.head = nn.Linear(FEATURES, NUM_CLASSES)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.body(x))


class DigitJudge:
    """A small digit classifier whose features and predictions score generated digits.

    Make one with :meth:`train`; then :meth:`score` any set of images of its size (or larger:
    those are average-pooled to it).
    """

    def __init__(self, net: nn.Module, size: int, reference: Tensor, accuracy: float | None) -> None:
        self.net = net.eval()
        self.size = size
        self.accuracy = accuracy
        self.reference_count = reference.shape[0]
        self.reference_stats = feature_statistics(self.features(reference))

    @classmethod
    def train(cls, images: Any, labels: Any, *, reference: Any, reference_labels: Any = None, size: int = 28,
              epochs: int = 6, seed: int = 0, verbose: bool = True) -> DigitJudge:
        """Train the judge on real digits and keep the feature statistics of ``reference``.

        Args:
            images, labels: real training digits (values in [0, 1]) and their classes 0-9.
            reference: real held-out digits that generated ones are compared with (1,000 is
                the course's standard; never the generator's own training digits).
            reference_labels: their classes, to report the judge's accuracy (optional).
            size: the resolution the judge works at (8 or more; 28 for MNIST, 14 to compare
                generators of 14x14 images with 28x28 ones).
            epochs, seed: training length (Adam at 2e-3, batch 128) and the seed that fixes it.
            verbose: print one line: the judge's accuracy and training time.
        """
        size = check_whole(size, "size", minimum=8, maximum=64)
        epochs = check_whole(epochs, "epochs", minimum=1)
        x = _resized(_as_images(images, "images"), size, "images")
        y = torch.as_tensor(np.asarray(labels.cpu() if isinstance(labels, Tensor) else labels), dtype=torch.long)
        if y.shape != (x.shape[0],) or int(y.min()) < 0 or int(y.max()) >= NUM_CLASSES:
            raise ValueError(f"labels must be {x.shape[0]:,} class numbers 0-9 (one per image), got shape "
                             f"{tuple(y.shape)} with values {int(y.min())}..{int(y.max())}.")
        ref = _resized(_as_images(reference, "reference"), size, "reference")
        start = time.perf_counter()
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            net = _JudgeNet(size)
            optimizer = torch.optim.Adam(net.parameters(), lr=2e-3)
            generator = torch.Generator().manual_seed(seed)
            net.train()
            for _ in range(epochs):
                for batch in torch.randperm(x.shape[0], generator=generator).split(128):
                    loss = F.cross_entropy(net(x[batch]), y[batch])
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
        seconds = time.perf_counter() - start
        accuracy = None
        net.eval()
        if reference_labels is not None:
            truth = torch.as_tensor(np.asarray(reference_labels.cpu() if isinstance(reference_labels, Tensor)
                                               else reference_labels), dtype=torch.long)
            if truth.shape != (ref.shape[0],):
                raise ValueError(f"reference_labels must hold one class per reference image ({ref.shape[0]:,}), "
                                 f"got shape {tuple(truth.shape)}.")
            with torch.no_grad():
                accuracy = float((net(ref).argmax(dim=1) == truth).float().mean())
        judge = cls(net, size, ref, accuracy)
        if verbose:
            told = f"{accuracy:.1%} accurate on the reference digits, " if accuracy is not None else ""
            print(f"Digit judge ({size}x{size}): {told}trained on {x.shape[0]:,} digits in {seconds:.1f} s; "
                  f"reference: {ref.shape[0]:,} held-out digits.")
        return judge

    @torch.no_grad()
    def _outputs(self, x: Tensor) -> tuple[Tensor, Tensor]:
        features, logits = [], []
        for part in x.split(500):
            hidden = self.net.body(part)
            features.append(hidden)
            logits.append(self.net.head(hidden))
        return torch.cat(features), torch.cat(logits)

    def features(self, images: Any) -> Tensor:
        """The judge's 128 penultimate features of each image, ``(N, 128)``."""
        return self._outputs(_resized(_as_images(images, "images", minimum=1), self.size, "images"))[0]

    def predict_proba(self, images: Any) -> Tensor:
        """The judge's class probabilities for each image, ``(N, 10)``."""
        return self._outputs(_resized(_as_images(images, "images", minimum=1), self.size, "images"))[1].softmax(dim=1)

    def score(self, samples: Any, name: str = "samples") -> SampleScore:
        """Score ``samples`` against the reference digits (see the module docstring)."""
        x = _resized(_as_images(samples, "samples"), self.size, "samples")
        features, logits = self._outputs(x)
        probabilities = logits.softmax(dim=1)
        share = torch.bincount(probabilities.argmax(dim=1), minlength=NUM_CLASSES).double() / x.shape[0]
        found = share[share > 0]
        entropy = max(0.0, -float((found * found.log()).sum()))
        return SampleScore(
            name=name,
            fcd=frechet_distance(*feature_statistics(features), *self.reference_stats),
            classes=int((share >= FOUND_SHARE - 1e-12).sum()),
            evenness=entropy / math.log(NUM_CLASSES),
            confidence=float(probabilities.max(dim=1).values.mean()),
            count=x.shape[0],
        )

    def baselines(self, train_images: Any, n: int = 1000, *, seed: int = 0) -> list[SampleScore]:
        """Scores of the reference points: real training digits, a per-pixel Gaussian, noise.

        ``n`` real digits drawn from ``train_images`` without replacement give the floor; the
        per-pixel Gaussian fitted to ``train_images`` and uniform noise give the ceilings.
        """
        x = _resized(_as_images(train_images, "train_images"), self.size, "train_images")
        n = check_whole(n, "n", minimum=2, maximum=x.shape[0])
        generator = torch.Generator().manual_seed(seed)
        real = x[torch.randperm(x.shape[0], generator=generator)[:n]]
        noise = torch.rand((n, 1, self.size, self.size), generator=generator)
        return [
            self.score(real, "real training digits (floor)"),
            self.score(pixel_gaussian_samples(x, n, seed=seed), "per-pixel Gaussian"),
            self.score(noise, "uniform noise"),
        ]

    def __repr__(self) -> str:
        told = f", {self.accuracy:.1%} accurate" if self.accuracy is not None else ""
        return f"DigitJudge({self.size}x{self.size}{told}, reference of {self.reference_count:,} digits)"
