"""The reference generators: right shapes and range, deterministic, clear errors, better than noise."""

from __future__ import annotations

import pytest
import torch

from course_utils.generative import DigitJudge
from course_utils.generators import TrainedGenerator, prepare_images, train_dcgan, train_vae


@pytest.fixture(scope="module")
def digits() -> tuple[torch.Tensor, torch.Tensor]:
    """1,200 real MNIST digits (28x28) and their labels, from the bundled sample."""
    from course_utils.data import load_mnist

    train = load_mnist("train", source="sample", verbose=False)
    return train.images[:1200], train.labels[:1200]


@pytest.mark.parametrize("size", [28, 14])
def test_vae_samples_have_the_right_shape_and_range(digits, size):
    vae = train_vae(digits[0][:256], size=size, epochs=1, seed=0)
    assert isinstance(vae, TrainedGenerator) and vae.name == "VAE" and vae.size == size
    samples = vae.sample(5, seed=3)
    assert samples.shape == (5, 1, size, size) and samples.dtype == torch.float32
    assert 0.0 <= float(samples.min()) and float(samples.max()) <= 1.0
    assert len(vae.losses) == 1 and vae.train_seconds > 0


@pytest.mark.parametrize("size", [28, 14])
def test_dcgan_samples_have_the_right_shape_and_range(digits, size):
    gan = train_dcgan(digits[0][:256], size=size, steps=3, seed=0)
    assert gan.name == "DCGAN" and gan.latent_dim == 32
    samples = gan.sample(1)  # batch norm in eval mode: one sample works
    assert samples.shape == (1, 1, size, size)
    assert 0.0 <= float(samples.min()) and float(samples.max()) <= 1.0


def test_training_is_deterministic_and_leaves_the_global_random_state_alone(digits):
    torch.manual_seed(123)
    before = torch.get_rng_state()
    first = train_dcgan(digits[0][:256], size=14, steps=5, seed=1)
    assert torch.equal(torch.get_rng_state(), before)
    second = train_dcgan(digits[0][:256], size=14, steps=5, seed=1)
    other = train_dcgan(digits[0][:256], size=14, steps=5, seed=2)
    assert torch.equal(first.sample(8, seed=0), second.sample(8, seed=0))
    assert not torch.equal(first.sample(8, seed=0), other.sample(8, seed=0))
    assert not torch.equal(first.sample(8, seed=0), first.sample(8, seed=1))
    vae_a = train_vae(digits[0][:256], size=14, epochs=2, seed=4)
    vae_b = train_vae(digits[0][:256], size=14, epochs=2, seed=4)
    assert vae_a.losses == vae_b.losses
    assert torch.equal(vae_a.sample(4), vae_b.sample(4))


def test_prepare_images_pools_28_to_14():
    images = torch.rand(3, 1, 28, 28)
    pooled = prepare_images(images, 14)
    assert pooled.shape == (3, 1, 14, 14)
    assert torch.allclose(pooled[0, 0, 0, 0], images[0, 0, :2, :2].mean())
    assert torch.equal(prepare_images(images, 28), images)


@pytest.mark.parametrize(
    ("images", "size", "error", "match"),
    [
        (torch.rand(4, 28, 28), 28, ValueError, r"unsqueeze\(1\)"),           # channel axis missing
        (torch.rand(4, 3, 28, 28), 28, ValueError, "one channel"),          # colour images
        (torch.rand(4, 1, 8, 8), 14, ValueError, r"\(N, 1, 28, 28\)"),       # a size it does not model
        (torch.rand(4, 1, 14, 14), 28, ValueError, "size=14"),              # smaller than asked
        (torch.rand(4, 1, 28, 28) * 255, 28, ValueError, "divide"),         # 0..255 pixels
        (torch.rand(4, 1, 28, 28), 20, ValueError, "size must be one of"),  # unsupported size
        ((torch.rand(4, 1, 28, 28) * 255).to(torch.uint8), 28, TypeError, "floating-point"),
        (torch.full((4, 1, 28, 28), float("nan")), 28, ValueError, "finite"),  # NaN pixels
        ([[0.0]], 28, TypeError, "torch tensor"),
    ],
)
def test_wrong_images_raise_a_clear_error(images, size, error, match):
    with pytest.raises(error, match=match):
        train_vae(images, size=size, epochs=1)
    with pytest.raises(error, match=match):
        train_dcgan(images, size=size, steps=1)


def test_wrong_arguments_raise_a_clear_error(digits):
    with pytest.raises(ValueError, match="epochs"):
        train_vae(digits[0][:8], size=14, epochs=0)
    with pytest.raises(ValueError, match="steps"):
        train_dcgan(digits[0][:8], size=14, steps=0)
    vae = train_vae(digits[0][:8], size=14, epochs=1)
    with pytest.raises(ValueError, match="n"):
        vae.sample(0)


def test_short_training_beats_noise_on_the_judge(digits):
    images, labels = digits
    judge = DigitJudge.train(images[:1000], labels[:1000], reference=images[1000:], size=14, verbose=False)
    vae = train_vae(images[:1000], size=14, epochs=20, seed=0)
    gan = train_dcgan(images[:1000], size=14, steps=300, seed=0)
    noise = judge.score(torch.rand(200, 1, 14, 14, generator=torch.Generator().manual_seed(0)), "noise").fcd
    vae_fcd, gan_fcd = judge.score(vae.sample(200), "VAE").fcd, judge.score(gan.sample(200), "DCGAN").fcd
    assert vae_fcd < noise / 2 and gan_fcd < noise / 2, (vae_fcd, gan_fcd, noise)
