"""Test cases that a plausible wrong answer cannot slip through.

A check that tries one input proves little: an answer that hard-codes the notebook's
sizes, reduces over the wrong axis of a square matrix, or ignores an input that never
changes the result passes it. These helpers make the cases:

- :func:`random_shapes`: 1-D, 2-D and 3-D shapes with unequal sizes (no square matrices,
  nothing the notebook's example used);
- :func:`randomize_module`: random values for every parameter and buffer, so that freshly
  built layers (a batch norm with weight 1 and bias 0, a zero shortcut) do not look alike;
- :func:`forward_backward`: a forward pass and a backward pass with random upstream
  gradients, returning the output and every gradient, to compare with a reference;
- :func:`assert_tensor_close`: a comparison that says where and by how much two results differ;
- :func:`matching_mistake`: which of a table of plausible mistakes an answer reproduces, so the
  feedback can name it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from .core import Wrong

__all__ = [
    "Gradients",
    "assert_tensor_close",
    "forward_backward",
    "matching_mistake",
    "random_shapes",
    "randomize_module",
]


def random_shapes(
    seed: int,
    ndims: Sequence[int] = (1, 2, 3),
    *,
    low: int = 2,
    high: int = 9,
    avoid: Sequence[int] = (),
) -> list[tuple[int, ...]]:
    """One random shape per entry of ``ndims``, every size in ``[low, high]``, all sizes distinct.

    Distinct sizes mean no square matrix, so a wrong axis or a transpose shows; ``avoid``
    lists sizes not to use (for example the ones in the notebook's own example).
    """
    rng = np.random.default_rng(seed)
    pool = [size for size in range(low, high + 1) if size not in set(avoid)]
    shapes = []
    for ndim in ndims:
        if ndim > len(pool):
            raise ValueError(f"Not enough distinct sizes in [{low}, {high}] for {ndim} dimensions.")
        shapes.append(tuple(int(size) for size in rng.choice(pool, size=ndim, replace=False)))
    return shapes


@torch.no_grad()
def randomize_module(module: torch.nn.Module, seed: int) -> torch.nn.Module:
    """Give every floating-point parameter and buffer of ``module`` random values; return the module.

    Weight matrices and kernels get N(0, 1/fan_in); 1-D weights (a norm's scale) 1 + N(0, 0.3^2);
    biases and running means N(0, 0.3^2); running variances U(0.5, 2). Integer buffers (the
    batch counter of a batch norm) are left alone.
    """
    generator = torch.Generator().manual_seed(seed)

    def normal(like: torch.Tensor, std: float, mean: float = 0.0) -> torch.Tensor:
        return (mean + std * torch.randn(like.shape, generator=generator)).to(like)

    for name, tensor in [*module.named_parameters(), *module.named_buffers()]:
        if not tensor.is_floating_point():
            continue
        leaf = name.rsplit(".", 1)[-1]
        if leaf == "running_var":
            tensor.copy_((0.5 + 1.5 * torch.rand(tensor.shape, generator=generator)).to(tensor))
        elif tensor.dim() >= 2:
            fan_in = math.prod(tensor.shape[1:])
            tensor.copy_(normal(tensor, 1 / math.sqrt(fan_in)))
        elif "weight" in leaf:
            tensor.copy_(normal(tensor, 0.3, 1.0))
        else:
            tensor.copy_(normal(tensor, 0.3))
    return module


@dataclass
class Gradients:
    """What :func:`forward_backward` measured: the output and the gradient of every input and parameter."""

    output: torch.Tensor
    inputs: list[torch.Tensor | None]
    parameters: dict[str, torch.Tensor | None]


def forward_backward(
    function: Callable[..., Any],
    inputs: Sequence[torch.Tensor],
    *,
    module: torch.nn.Module | None = None,
    seed: int = 0,
) -> Gradients:
    """Run ``function(*inputs)``, then backpropagate random upstream gradients through it.

    Inputs are used as leaf copies that require gradients; parameters are those of
    ``module`` (if given), whose ``.grad`` fields are reset first. The same ``seed``
    gives the same upstream gradient, so two runs (the learner's and the reference)
    can be compared entry by entry.
    """
    leaves = [x.detach().clone().requires_grad_(x.is_floating_point()) for x in inputs]
    parameters = dict(module.named_parameters()) if module is not None else {}
    for parameter in parameters.values():
        parameter.grad = None
    output = function(*leaves)
    if not isinstance(output, torch.Tensor):
        raise Wrong(f"Expected a tensor as the output, got {type(output).__name__}.")
    if not output.requires_grad:
        raise Wrong("The output does not depend on the inputs or parameters through autograd: was it "
                    "computed under torch.no_grad(), with .detach(), or via NumPy?")
    generator = torch.Generator().manual_seed(seed)
    upstream = torch.randn(output.shape, generator=generator).to(output)
    output.backward(upstream)
    return Gradients(
        output=output.detach(),
        inputs=[leaf.grad for leaf in leaves],
        parameters={name: None if p.grad is None else p.grad.detach().clone() for name, p in parameters.items()},
    )


def assert_tensor_close(
    got: torch.Tensor | np.ndarray,
    expected: torch.Tensor | np.ndarray,
    what: str,
    *,
    atol: float = 1e-6,
    rtol: float = 1e-5,
) -> None:
    """Raise :class:`Wrong` unless ``got`` has ``expected``'s shape and values (within tolerance).

    The message names the shape mismatch, or the largest difference and where it is.
    """
    got_t = torch.as_tensor(np.asarray(got) if isinstance(got, np.ndarray) else got).detach().cpu().double()
    exp_t = torch.as_tensor(np.asarray(expected) if isinstance(expected, np.ndarray) else expected)
    exp_t = exp_t.detach().cpu().double()
    if got_t.shape != exp_t.shape:
        raise Wrong(f"{what}: expected shape {tuple(exp_t.shape)}, got {tuple(got_t.shape)}.")
    if not torch.isfinite(got_t).all() and torch.isfinite(exp_t).all():
        raise Wrong(f"{what}: your result contains inf or nan where the expected one is finite.")
    if torch.allclose(got_t, exp_t, atol=atol, rtol=rtol, equal_nan=True):
        return
    difference = (got_t - exp_t).abs().nan_to_num(nan=math.inf)
    index = tuple(int(i) for i in np.unravel_index(int(difference.argmax()), tuple(exp_t.shape))) \
        if exp_t.dim() else ()
    at = f" at index {index}" if index else ""
    raise Wrong(f"{what}: differs from the expected result by up to {difference.max().item():.3g}{at} "
                f"(got {got_t[index].item():.6g}, expected {exp_t[index].item():.6g}).")


def _close(got: Any, candidate: Any, atol: float, rtol: float) -> bool:
    try:
        a = torch.as_tensor(np.asarray(got) if isinstance(got, np.ndarray) else got).detach().cpu().double()
        b = torch.as_tensor(np.asarray(candidate) if isinstance(candidate, np.ndarray) else candidate)
        b = b.detach().cpu().double()
    except (TypeError, ValueError, RuntimeError):
        return False
    return a.shape == b.shape and bool(torch.allclose(a, b, atol=atol, rtol=rtol, equal_nan=True))


def matching_mistake(
    got: Any,
    mistakes: Sequence[tuple[Any, str]],
    *,
    atol: float = 1e-6,
    rtol: float = 1e-5,
) -> str | None:
    """The explanation of the first mistake whose result ``got`` reproduces, or None.

    ``mistakes`` pairs what a plausible mistake would have returned (a tensor, an array, a
    number, or a function of no arguments that computes it; one that raises is skipped) with
    the sentence that names it. Shapes must agree too.
    """
    for candidate, why in mistakes:
        if callable(candidate):
            try:
                candidate = candidate()
            except Exception:
                continue
        if _close(got, candidate, atol, rtol):
            return why
    return None
