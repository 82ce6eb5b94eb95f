"""Device choice, seeding and the environment report."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from course_utils.device import environment_report, get_device, seed_everything


def test_get_device_prefers_an_available_accelerator(monkeypatch):
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    device = get_device()
    if torch.cuda.is_available():
        assert device.type == "cuda"
    elif torch.backends.mps.is_available():
        assert device.type == "mps"
    else:
        assert device.type == "cpu"


def test_get_device_order_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert get_device().type == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert get_device().type == "mps"
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert get_device().type == "cpu"


def test_forced_device_through_the_environment(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "CPU")
    assert get_device() == torch.device("cpu")


def test_unknown_or_unavailable_device_explains_the_fix(monkeypatch):
    with pytest.raises(ValueError, match="choose one of cuda, mps, cpu"):
        get_device("tpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match="Unset COURSE_DEVICE"):
        get_device("cuda")


def _draw() -> tuple[float, float, float]:
    return random.random(), float(np.random.rand())  # noqa: NPY002, torch.rand(()).item()


def test_seed_everything_makes_python_numpy_and_torch_repeatable():
    seed_everything(123)
    first = _draw()
    seed_everything(123)
    assert _draw() == first
    seed_everything(124)
    assert _draw() != first


def test_seed_everything_returns_a_seeded_generator():
    g1, g2 = seed_everything(7), seed_everything(7)
    assert torch.equal(torch.randperm(10, generator=g1), torch.randperm(10, generator=g2))


@pytest.mark.parametrize("bad", [-1, 1.5, "0", True])
def test_seed_everything_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="non-negative integer"):
        seed_everything(bad)


def test_environment_report_lists_versions_device_threads_and_data(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    report = environment_report()
    assert report.packages["torch"] == torch.__version__.split("+")[0] or report.packages["torch"]
    assert report.device == get_device().type
    assert report.cpu_threads >= 1 and report.torch_threads >= 1
    assert "mnist" in report.data_sources
    text = str(report)
    for word in ("Python", "torch", "Device", "CPU threads", "Data: mnist"):
        assert word in text
