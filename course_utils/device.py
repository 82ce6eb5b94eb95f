"""Devices, seeds and an environment report.

Three small jobs that every notebook's setup cell needs:

- :func:`get_device` picks the fastest device PyTorch can use here: an NVIDIA GPU
  (CUDA), then an Apple-silicon GPU (MPS), then the CPU.
- :func:`seed_everything` seeds Python, NumPy and PyTorch in one call, so that a
  notebook gives the same numbers every time it runs on the same machine.
- :func:`environment_report` collects the versions and hardware facts that help
  when something behaves differently on your machine than on someone else's.
"""

from __future__ import annotations

import os
import platform
import random
import sys
from dataclasses import dataclass, field

import numpy as np
import torch

from course_utils.threads import last_choice, manage_threads, usable_cpus

__all__ = ["EnvironmentReport", "environment_report", "get_device", "seed_everything"]

_KNOWN_DEVICES = ("cuda", "mps", "cpu")


def get_device(prefer: str | None = None) -> torch.device:
    """Return the best available device: CUDA, then Apple MPS, then CPU.

    Args:
        prefer: force one kind of device (``"cuda"``, ``"mps"`` or ``"cpu"``). The
            environment variable ``COURSE_DEVICE`` does the same without editing
            the notebook. A preference that this machine cannot satisfy raises an
            error rather than silently falling back.

    Returns:
        A :class:`torch.device` to pass to ``model.to(device)`` and ``tensor.to(device)``.

    It also chooses how many CPU threads PyTorch uses, from the CPUs this process can really
    get (see :mod:`course_utils.threads`), and in Jupyter chooses again before every cell.
    """
    device = _pick_device(prefer)
    try:
        manage_threads()
    except Exception:  # thread tuning must never stop a notebook's setup
        pass
    return device


def _pick_device(prefer: str | None) -> torch.device:
    wanted = prefer or os.environ.get("COURSE_DEVICE") or None
    if wanted is not None:
        wanted = wanted.strip().lower()
        if wanted not in _KNOWN_DEVICES:
            raise ValueError(
                f"Unknown device {wanted!r}: choose one of {', '.join(_KNOWN_DEVICES)} "
                "(or leave it unset to pick the best one automatically)."
            )
        if wanted == "cuda" and not torch.cuda.is_available():
            raise RuntimeError(
                "CUDA was requested but PyTorch sees no NVIDIA GPU here. Unset COURSE_DEVICE "
                "(or pass prefer=None) to use the best available device, or install a CUDA "
                "build of PyTorch on a machine with an NVIDIA GPU."
            )
        if wanted == "mps" and not _mps_available():
            raise RuntimeError(
                "MPS was requested but this is not an Apple-silicon Mac with a PyTorch build "
                "that supports it. Unset COURSE_DEVICE to use the best available device."
            )
        return torch.device(wanted)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if _mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed Python's ``random``, NumPy's global generator and PyTorch (CPU and GPUs).

    Call it once at the top of a notebook. Same seed, same machine, same library
    versions: same numbers. (Different hardware can still differ in the last
    digits, because floating-point sums are not associative.)

    Args:
        seed: any non-negative integer.

    Returns:
        A :class:`torch.Generator` seeded with ``seed``, handy for a ``DataLoader``
        or ``torch.randperm`` that should not depend on anything else you ran.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    random.seed(seed)
    np.random.seed(seed % 2**32)  # noqa: NPY002 - learners use the global np.random too
    torch.manual_seed(seed)  # also seeds every CUDA and MPS device
    generator = torch.Generator()
    generator.manual_seed(seed)
    return generator


@dataclass(frozen=True)
class EnvironmentReport:
    """What this machine offers the course; ``print(report)`` shows a readable table."""

    python: str
    platform: str
    packages: dict[str, str]
    device: str
    device_name: str
    cpu_threads: int
    torch_threads: int
    data_sources: dict[str, str] = field(default_factory=dict)
    usable_cpus: int = 0
    threads_reason: str = ""

    def rows(self) -> list[tuple[str, str]]:
        """The report as (label, value) pairs, in display order."""
        rows = [("Python", self.python), ("Platform", self.platform)]
        rows += [(name, version) for name, version in self.packages.items()]
        rows += [
            ("Device", f"{self.device} ({self.device_name})"),
            ("CPU threads", f"{self.cpu_threads} on this machine, {self.usable_cpus} usable here; "
                            f"PyTorch uses {self.torch_threads}" + (f" ({self.threads_reason})" if self.threads_reason else "")),
        ]
        rows += [(f"Data: {name}", source) for name, source in self.data_sources.items()]
        return rows

    def __str__(self) -> str:
        rows = self.rows()
        width = max(len(label) for label, _ in rows)
        return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


_REPORTED_PACKAGES = ("torch", "torchvision", "numpy", "matplotlib", "ipywidgets", "jupyterlab")


def package_version(name: str) -> str | None:
    """Installed version of a distribution, or ``None`` when it is not installed."""
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def environment_report(include_data: bool = True) -> EnvironmentReport:
    """Collect versions, the chosen device, thread counts and the data sources.

    Args:
        include_data: also ask :mod:`course_utils.data` which source each dataset
            would come from right now (cache, download or a bundled sample). This
            never downloads anything.
    """
    device = get_device()
    if device.type == "cuda":
        device_name = torch.cuda.get_device_name(device)
    elif device.type == "mps":
        device_name = "Apple GPU"
    else:
        device_name = platform.processor() or platform.machine() or "CPU"
    packages = {name: package_version(name) or "not installed" for name in _REPORTED_PACKAGES}
    sources: dict[str, str] = {}
    if include_data:
        from course_utils.data import dataset_sources

        sources = dataset_sources()
    return EnvironmentReport(
        python=sys.version.split()[0],
        platform=f"{platform.system()} {platform.release()} ({platform.machine()})",
        packages=packages,
        device=device.type,
        device_name=device_name,
        cpu_threads=os.cpu_count() or 1,
        torch_threads=torch.get_num_threads(),
        data_sources=sources,
        usable_cpus=usable_cpus(),
        threads_reason=choice.reason if (choice := last_choice()) is not None else "",
    )
