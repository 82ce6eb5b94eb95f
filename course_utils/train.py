"""A short, readable training loop: ``fit``, ``evaluate`` and ``accuracy``.

Notebook 04 builds this loop step by step and then shows this file in full; later
notebooks call :func:`fit` instead of writing the loop again. Everything it does
is the five-step recipe: take a batch, predict, measure the loss, backpropagate,
update the weights.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset, TensorDataset
from tqdm.auto import tqdm

__all__ = ["History", "accuracy", "evaluate", "fit"]

Data = Dataset | DataLoader | tuple[Tensor, Tensor]
Metric = Callable[[Tensor, Tensor], float]


def accuracy(outputs: Tensor, targets: Tensor) -> float:
    """Fraction of correct predictions.

    ``outputs`` are logits or probabilities: shape (N, K) for K classes (the
    prediction is the largest entry), or (N,) / (N, 1) for two classes (the
    prediction is 1 when the logit is above 0).
    """
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        predictions = outputs.argmax(dim=1)
    else:
        predictions = (outputs.reshape(-1) > 0).long()
    return (predictions == targets.reshape(-1)).float().mean().item()


@dataclass
class History:
    """One dict of numbers per epoch, e.g. ``{"epoch": 1, "train_loss": 0.41, ...}``."""

    records: list[dict[str, float]] = field(default_factory=list)

    def __getitem__(self, key: str) -> list[float]:
        return [record[key] for record in self.records if key in record]

    def __len__(self) -> int:
        return len(self.records)

    def as_dict(self) -> dict[str, list[float]]:
        """Column view: ``{"train_loss": [...], "val_loss": [...], ...}``."""
        keys = dict.fromkeys(key for record in self.records for key in record)
        return {key: self[key] for key in keys}


def _batches(data: Data, batch_size: int, shuffle: bool, generator: torch.Generator | None
             ) -> Iterator[tuple[Tensor, Tensor]]:
    """Yield (inputs, targets) batches. Tensors are sliced directly: no worker processes."""
    if isinstance(data, DataLoader):
        yield from data
        return
    tensors = data.tensors if isinstance(data, TensorDataset) else data
    if isinstance(tensors, tuple) and len(tensors) == 2:
        inputs, targets = tensors
        n = len(inputs)
        order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
        order = order.to(inputs.device)
        for start in range(0, n, batch_size):
            index = order[start:start + batch_size]
            yield inputs[index], targets[index]
        return
    if isinstance(data, Dataset):
        yield from DataLoader(data, batch_size=batch_size, shuffle=shuffle, generator=generator)
        return
    raise TypeError(
        "fit/evaluate take a TensorDataset (e.g. an ImageSet), a DataLoader, or a tuple "
        f"(inputs, targets) of tensors; got {type(data).__name__}."
    )


def _num_batches(data: Data, batch_size: int) -> int | None:
    """How many batches an epoch has, for the progress bar (None when unknown)."""
    if isinstance(data, DataLoader):
        return len(data)
    try:
        return -(-len(data if not isinstance(data, tuple) else data[0]) // batch_size)
    except TypeError:
        return None


def _device_of(model: nn.Module) -> torch.device:
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


def evaluate(model: nn.Module, data: Data, loss_fn: Callable[[Tensor, Tensor], Tensor], *,
             metrics: Mapping[str, Metric] | None = None, batch_size: int = 1024,
             device: torch.device | str | None = None) -> dict[str, float]:
    """Average loss and metrics of ``model`` over ``data``, without training it.

    Runs in evaluation mode (dropout off, batch norm uses its running statistics)
    and under ``torch.inference_mode()`` (no graph is recorded), then puts the
    model back in the mode it was in.
    """
    device = torch.device(device) if device is not None else _device_of(model)
    metrics = {"accuracy": accuracy} if metrics is None else metrics
    was_training = model.training
    model.eval()
    totals = dict.fromkeys(["loss", *metrics], 0.0)
    count = 0
    with torch.inference_mode():
        for inputs, targets in _batches(data, batch_size, shuffle=False, generator=None):
            inputs, targets = inputs.to(device), targets.to(device)
            outputs = model(inputs)
            n = len(targets)
            totals["loss"] += loss_fn(outputs, targets).item() * n
            for name, metric in metrics.items():
                totals[name] += metric(outputs, targets) * n
            count += n
    model.train(was_training)
    if count == 0:
        raise ValueError("evaluate() got no examples: is the dataset empty?")
    return {name: total / count for name, total in totals.items()}


def fit(model: nn.Module, train_data: Data, *, epochs: int, val_data: Data | None = None,
        loss_fn: Callable[[Tensor, Tensor], Tensor] | None = None,
        optimizer: torch.optim.Optimizer | None = None, lr: float = 1e-3, batch_size: int = 64,
        metrics: Mapping[str, Metric] | None = None, device: torch.device | str | None = None,
        scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
        transform: Callable[[Tensor], Tensor] | None = None,
        seed: int | None = 0, progress: bool | None = None, verbose: bool = True) -> History:
    """Train ``model`` for ``epochs`` passes over ``train_data``; return its history.

    Args:
        model: any ``nn.Module``; it is moved to ``device``.
        train_data, val_data: a TensorDataset (such as an ImageSet), a DataLoader,
            or a tuple ``(inputs, targets)``.
        epochs: number of passes over the training data.
        loss_fn: defaults to ``nn.CrossEntropyLoss()`` (classification with logits).
        optimizer: defaults to Adam with learning rate ``lr`` on all parameters.
        batch_size: examples per gradient step (ignored for a DataLoader).
        metrics: name -> function(outputs, targets); defaults to accuracy.
        device: defaults to the device the model is already on.
        scheduler: a learning-rate schedule (e.g. ``OneCycleLR``), stepped after every
            batch, so set its total number of steps to ``epochs * batches per epoch``.
        transform: applied to each training batch of inputs (on the device) before the
            forward pass, e.g. random augmentation; validation data is never transformed.
        seed: seeds the shuffling order, so two runs see the same batches.
        progress: show a progress bar per epoch; by default on, except when the
            environment variable ``CI`` is set (keeps CI logs short).
        verbose: print one summary line per epoch.

    Returns:
        A :class:`History` with ``train_loss``, ``train_<metric>`` and, when
        ``val_data`` is given, ``val_loss`` and ``val_<metric>`` for every epoch.
    """
    device = torch.device(device) if device is not None else _device_of(model)
    model.to(device)
    loss_fn = loss_fn if loss_fn is not None else nn.CrossEntropyLoss()
    optimizer = optimizer if optimizer is not None else torch.optim.Adam(model.parameters(), lr=lr)
    metrics = {"accuracy": accuracy} if metrics is None else metrics
    progress = os.environ.get("CI") is None if progress is None else progress
    generator = torch.Generator().manual_seed(seed) if seed is not None else None
    history = History()

    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        model.train()
        totals = dict.fromkeys(["loss", *metrics], 0.0)
        count = 0
        batches = _batches(train_data, batch_size, shuffle=True, generator=generator)
        for inputs, targets in tqdm(batches, desc=f"epoch {epoch}/{epochs}", leave=False,
                                    total=_num_batches(train_data, batch_size), disable=not progress):
            inputs, targets = inputs.to(device), targets.to(device)
            if transform is not None:
                inputs = transform(inputs)
            outputs = model(inputs)              # 1. predict
            loss = loss_fn(outputs, targets)     # 2. measure the error
            optimizer.zero_grad()                # 3. forget the last step's gradients
            loss.backward()                      # 4. backpropagate
            optimizer.step()                     # 5. update the weights
            if scheduler is not None:
                scheduler.step()
            n = len(targets)
            totals["loss"] += loss.item() * n
            with torch.no_grad():
                for name, metric in metrics.items():
                    totals[name] += metric(outputs, targets) * n
            count += n
        record = {"epoch": epoch, **{f"train_{k}": v / count for k, v in totals.items()}}
        if scheduler is not None:
            record["lr"] = optimizer.param_groups[0]["lr"]
        if val_data is not None:
            scores = evaluate(model, val_data, loss_fn, metrics=metrics, device=device)
            record.update({f"val_{k}": v for k, v in scores.items()})
        record["seconds"] = time.perf_counter() - start
        history.records.append(record)
        if verbose:
            print(_summary(record, epochs))
    return history


def _summary(record: Mapping[str, float], epochs: int) -> str:
    """One line per epoch, e.g. ``epoch 2/5  train_loss 0.312  val_accuracy 0.912  (1.4 s)``."""
    parts = [f"epoch {int(record['epoch'])}/{epochs}"]
    parts += [f"{key} {value:.4f}" for key, value in record.items()
              if key not in ("epoch", "seconds")]
    return "  ".join(parts) + f"  ({record['seconds']:.1f} s)"
