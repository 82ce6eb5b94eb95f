"""The judge of generated digits: the Frechet distance, coverage, reference points, errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
import torch

from course_utils.data import load_mnist
from course_utils.generative import (
    DigitJudge,
    SampleScore,
    feature_statistics,
    frechet_distance,
    pixel_gaussian_samples,
    score_table,
)


def _random_covariance(rng: np.random.Generator, d: int, rank: int | None = None) -> np.ndarray:
    a = rng.normal(size=(d, rank or d + 3))
    return a @ a.T / a.shape[1]


def _scipy_frechet(mu1, s1, mu2, s2) -> float:
    root = scipy.linalg.sqrtm(s1 @ s2)
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * root.real))


@pytest.mark.parametrize("d", [1, 2, 5, 30])
def test_frechet_distance_matches_the_matrix_square_root_formula(d):
    rng = np.random.default_rng(d)
    mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
    s1, s2 = _random_covariance(rng, d), _random_covariance(rng, d)
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(_scipy_frechet(mu1, s1, mu2, s2), rel=1e-7)
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(frechet_distance(mu2, s2, mu1, s1), rel=1e-9)


def test_frechet_distance_of_known_cases():
    rng = np.random.default_rng(0)
    mu, s = rng.normal(size=4), _random_covariance(rng, 4)
    assert frechet_distance(mu, s, mu, s) == pytest.approx(0, abs=1e-9)
    # shifted means only: the squared distance of the means
    assert frechet_distance(mu, s, mu + 2, s) == pytest.approx(4 * 4, rel=1e-9)
    # 1-D: (m1 - m2)^2 + (sd1 - sd2)^2
    assert frechet_distance([1.0], [[4.0]], [-1.0], [[9.0]]) == pytest.approx(4 + 1, rel=1e-12)
    # diagonal covariances: the sum over coordinates of the 1-D case
    v1, v2 = rng.uniform(0.1, 3, 6), rng.uniform(0.1, 3, 6)
    expected = np.sum((np.sqrt(v1) - np.sqrt(v2)) ** 2)
    assert frechet_distance(np.zeros(6), np.diag(v1), np.zeros(6), np.diag(v2)) == pytest.approx(expected, rel=1e-9)


def test_frechet_distance_handles_singular_covariances():
    rng = np.random.default_rng(1)
    s1, s2 = _random_covariance(rng, 20, rank=3), _random_covariance(rng, 20, rank=5)
    mu = np.zeros(20)
    value = frechet_distance(mu, s1, mu, s2)
    assert np.isfinite(value) and value > 0
    assert value == pytest.approx(_scipy_frechet(mu, s1, mu, s2), rel=1e-5)
    assert frechet_distance(mu, s1, mu, s1) == pytest.approx(0, abs=1e-8)


def test_frechet_distance_rejects_what_is_not_a_pair_of_gaussians():
    s = np.eye(3)
    with pytest.raises(ValueError, match="one size D"):
        frechet_distance(np.zeros(3), s, np.zeros(4), np.eye(4))
    with pytest.raises(ValueError, match="not symmetric"):
        frechet_distance(np.zeros(3), s + np.triu(np.ones((3, 3)), 1), np.zeros(3), s)


def test_feature_statistics_are_the_sample_mean_and_covariance():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(50, 4))
    mu, sigma = feature_statistics(torch.as_tensor(x))
    np.testing.assert_allclose(mu, x.mean(axis=0))
    np.testing.assert_allclose(sigma, np.cov(x.T))
    assert feature_statistics(x[:, :1])[1].shape == (1, 1)
    with pytest.raises(ValueError, match="N >= 2"):
        feature_statistics(x[:1])


@pytest.fixture(scope="module")
def digits():
    return load_mnist("train", source="sample", verbose=False), load_mnist("test", source="sample", verbose=False)


@pytest.fixture(scope="module")
def judge(digits):
    train, test = digits
    return DigitJudge.train(train.images, train.labels, reference=test.images, reference_labels=test.labels,
                            verbose=False)


def test_the_judge_reads_real_digits_well(judge):
    assert judge.accuracy is not None and judge.accuracy >= 0.96
    assert judge.features(torch.zeros(3, 1, 28, 28)).shape == (3, 128)
    probabilities = judge.predict_proba(np.zeros((4, 28, 28), dtype=np.float32))
    assert probabilities.shape == (4, 10)
    torch.testing.assert_close(probabilities.sum(dim=1), torch.ones(4))
    assert judge.predict_proba(torch.zeros(1, 28, 28)).shape == (1, 10)  # one image is fine here


def test_reference_points_order_floor_below_ceilings(judge, digits):
    real, gaussian, noise = judge.baselines(digits[0].images)
    assert [s.name for s in (real, gaussian, noise)] == ["real training digits (floor)", "per-pixel Gaussian",
                                                          "uniform noise"]
    assert real.fcd < 0.05 * gaussian.fcd and gaussian.fcd < noise.fcd
    assert real.classes == 10 and real.evenness > 0.98 and real.confidence > 0.9
    assert gaussian.classes <= 5 and noise.classes <= 5
    assert all(s.count == 1000 for s in (real, gaussian, noise))


def test_the_judge_sees_a_collapsed_generator_and_damage(judge, digits):
    train = digits[0]
    images, labels = torch.as_tensor(train.images), torch.as_tensor(train.labels)
    sevens = judge.score(images[labels == 7][:300], "sevens only")
    assert sevens.classes == 1 and sevens.evenness < 0.15
    blurred = judge.score(torch.nn.functional.avg_pool2d(images[:1000], 3, 1, 1), "blurred")
    real = judge.score(images[1000:2000], "real")
    assert real.fcd < blurred.fcd < judge.score(pixel_gaussian_samples(images), "gaussian").fcd
    # flat, tensor, NumPy and (N, H, W) forms of one set of images give one score
    flat = judge.score(images[1000:2000].reshape(1000, 784).numpy(), "real")
    assert flat == real == judge.score(images[1000:2000, 0], "real")


def test_a_smaller_judge_scores_larger_images_by_pooling(digits):
    train, test = digits
    judge = DigitJudge.train(train.images, train.labels, reference=test.images, size=14, epochs=2, verbose=False)
    images = torch.as_tensor(train.images[:500])
    pooled = torch.nn.functional.avg_pool2d(images, 2)
    assert judge.score(images) == judge.score(pooled)
    with pytest.raises(ValueError, match="smaller than this judge"):
        judge.score(torch.nn.functional.avg_pool2d(images, 4))


def test_training_is_reproducible_and_leaves_the_global_generator_alone(digits):
    train, test = digits
    x, y = train.images[:600], train.labels[:600]
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = DigitJudge.train(x, y, reference=test.images[:200], size=14, epochs=1, seed=5, verbose=False)
    assert torch.rand(1) == before
    b = DigitJudge.train(x, y, reference=test.images[:200], size=14, epochs=1, seed=5, verbose=False)
    np.testing.assert_array_equal(a.reference_stats[0], b.reference_stats[0])


@pytest.mark.parametrize(("images", "message"), [
    (torch.rand(10, 3, 28, 28), "square grey images"),
    (torch.rand(10, 1, 28, 20), "square grey images"),
    (torch.rand(10, 700), "not a square image"),
    (torch.rand(1, 1, 28, 28), "at least 2"),
    (torch.full((10, 1, 28, 28), float("nan")), "NaN or infinite"),
    (torch.rand(10, 1, 28, 28) * 2 - 1, r"\(x \+ 1\) / 2"),
    (torch.rand(10, 1, 28, 28) * 255, "pixels in \\[0, 1\\]"),
    ([[0.0] * 784] * 3, "tensor or NumPy array"),
])
def test_wrong_images_get_a_message_that_says_what_to_do(judge, images, message):
    with pytest.raises((TypeError, ValueError), match=message):
        judge.score(images)


def test_wrong_labels_or_sizes_are_refused(digits):
    train, test = digits
    with pytest.raises(ValueError, match="class numbers 0-9"):
        DigitJudge.train(train.images, train.labels[:10], reference=test.images, verbose=False)
    with pytest.raises(ValueError, match="class numbers 0-9"):
        DigitJudge.train(train.images[:20], np.arange(20), reference=test.images, verbose=False)
    with pytest.raises(ValueError, match="size"):
        DigitJudge.train(train.images, train.labels, reference=test.images, size=4, verbose=False)


def test_the_table_and_the_printed_score():
    scores = [SampleScore("a", 1.25, 10, 0.999, 0.9, 1000), SampleScore("longer name", 300.0, 3, 0.3, 0.5, 1000)]
    table = score_table(scores).splitlines()
    assert len(table) == 3 and table[0].split()[:2] == ["images", "FCD"]
    assert table[1].split() == ["a", "1.2", "10", "1.00", "0.90", "1,000"]
    assert str(scores[1]) == "longer name: FCD 300.0, 3 of 10 classes (evenness 0.30), confidence 0.50, 1,000 images"
