"""A short, readable training loop: ``fit``, ``evaluate`` and ``accuracy``.

Notebook 04 builds this loop step by step and then shows this file in full; later
notebooks call :func:`fit` instead of writing the loop again. Everything it does
is the five-step recipe: take a batch, predict, measure the loss, backpropagate,
update the weights.

The rest is there so that a mistake gets a sentence instead of a traceback: the
arguments and the data are checked before training, the first batch is checked
before the first step (do the outputs, the labels, the loss and the metrics fit
together?), and a loss that turns NaN stops training at once. Those checks live
in :mod:`course_utils._train_checks`.
"""

from __future__ import annotations

import functools
import math
import numbers
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset, TensorDataset
from tqdm.auto import tqdm

from course_utils._args import check_whole
from course_utils._train_checks import (
    binary_threshold,
    check_data,
    check_first_batch,
    check_function,
    check_model,
    check_scheduler,
    check_seed,
    checked_device,
    checked_metrics,
    checked_optimizer,
    measure,
    model_device,
    not_finite,
    pair,
    predict,
    score,
    transformed,
)

__all__ = ["History", "accuracy", "evaluate", "fit"]

Data = Dataset | DataLoader | tuple[Tensor, Tensor]
Metric = Callable[[Tensor, Tensor], float]


def accuracy(outputs: Tensor, targets: Tensor, *, threshold: float | None = None) -> float:
    """Fraction of correct predictions.

    Args:
        outputs: the model's scores for a batch, logits or probabilities:

            - (N, K) for K classes: the prediction is the largest entry, so logits and
              probabilities give the same answer. (N, K, d1, ...) predicts a class at
              every position (e.g. every pixel), as ``nn.CrossEntropyLoss`` reads it.
            - (N,) or (N, 1) for two classes: the prediction is 1 where the score is
              above ``threshold``.
            - (N,) integers: class indices already predicted, e.g. ``outputs.argmax(1)``.
        targets: class labels 0, 1, ..., K-1, of shape (N,) or (N, 1) (or (N, d1, ...)),
            as integers, booleans or whole-valued floats (``nn.BCEWithLogitsLoss`` takes
            0.0 / 1.0). One-hot or smoothed targets of the outputs' shape count by their
            largest entry.
        threshold: for two classes only. By default, scores that all lie in [0, 1] are
            read as probabilities (threshold 0.5), any others as logits (threshold 0).
            Logits can all fall in [0, 1] by chance, so pass ``threshold=0`` for logits
            (``0.5`` for probabilities) to be sure. ``fit`` and ``evaluate`` pass 0.5 for
            ``BCELoss`` and 0 for any other loss.

    Raises:
        TypeError: if ``outputs`` or ``targets`` is not a tensor.
        ValueError: if their shapes do not match (nothing is broadcast), a target is a
            label the outputs cannot predict, the outputs hold NaN, or the targets are
            not class labels (a regression: use ``metrics={}`` in ``fit``).
    """
    predictions, targets, classes = _predictions_and_targets(outputs, targets, threshold)
    labels = targets.long()
    # One read from the device for everything: the fraction, whether the outputs are finite,
    # and the smallest and largest label.
    finite = (torch.isfinite(outputs).all() if outputs.is_floating_point()
              else torch.ones((), dtype=torch.bool, device=outputs.device))
    fraction, all_finite, low, high = torch.stack([
        (predictions == labels).float().mean(), finite.float(),
        labels.min().float(), labels.max().float()]).tolist()
    if not all_finite:
        raise ValueError(
            "accuracy: the outputs hold NaN or infinite values: the model diverged, or its "
            "inputs hold NaN. Check torch.isfinite(inputs).all(), and try a lower learning rate."
        )
    if targets.is_floating_point() and bool(_not_whole(targets).any()):
        raise ValueError(
            "accuracy needs class labels as targets, but these are not whole numbers (e.g. "
            f"{_first(targets, _not_whole(targets))}). For a regression (nn.MSELoss...) "
            "accuracy means nothing: pass metrics={} to fit and evaluate, or a metric of your own."
        )
    if low < 0 or (classes is not None and high >= classes):
        raise ValueError(_label_out_of_range(labels, classes, tuple(outputs.shape)))
    return fraction


def _predictions_and_targets(outputs: Any, targets: Any, threshold: float | None
                             ) -> tuple[Tensor, Tensor, int | None]:
    """The predicted classes, the targets they are compared with (same shape) and K, if known."""
    for name, value, make in (("outputs", outputs, "as_tensor"), ("targets", targets, "tensor")):
        if not isinstance(value, Tensor):
            raise TypeError(f"accuracy: {name} must be a tensor, got {type(value).__name__}: "
                            f"convert it with torch.{make}(...)")
    if threshold is not None and (isinstance(threshold, bool)
                                  or not isinstance(threshold, numbers.Real)):
        raise TypeError(f"accuracy: threshold must be a number such as 0 (for logits) or 0.5 "
                        f"(for probabilities), got {threshold!r}")
    if threshold is not None and not math.isfinite(threshold):
        raise ValueError(f"accuracy: threshold must be a finite number, got {threshold}")
    shape, target_shape = tuple(outputs.shape), tuple(targets.shape)
    if outputs.ndim == 0 or targets.ndim == 0:
        raise ValueError(f"accuracy needs one row per example; got outputs of shape {shape} "
                         f"and targets of shape {target_shape}")
    if shape[0] == 0 or target_shape[0] == 0:
        raise ValueError("accuracy of no examples is undefined: outputs and targets are empty")
    classes: int | None
    if not outputs.is_floating_point():                 # class indices, already predicted
        predictions, classes = outputs.long(), None
        if predictions.ndim == 2 and shape[1] == 1:
            predictions = predictions[:, 0]
    elif outputs.ndim >= 2 and shape[1] > 1:            # one score per class
        predictions, classes = outputs.argmax(dim=1), shape[1]
        if target_shape == shape:                       # one-hot or smoothed targets
            targets = targets.argmax(dim=1)
    else:                                               # one score per example: two classes
        scores = outputs.reshape(shape[0], *shape[2:]) if outputs.ndim >= 2 else outputs
        if threshold is None:
            low, high = scores.min().item(), scores.max().item()
            threshold = 0.5 if 0 <= low and high <= 1 else 0.0
        predictions, classes = (scores > threshold).long(), 2
    if targets.ndim == predictions.ndim + 1 and targets.shape[1] == 1:
        targets = targets.squeeze(1)
    if targets.shape != predictions.shape:
        n = target_shape[0]
        swapped = not outputs.is_floating_point() and targets.is_floating_point()
        raise ValueError(
            f"accuracy: outputs of shape {shape} and targets of shape {target_shape} do not "
            + ("match: they look swapped; the model's scores come first, "
               "accuracy(outputs, targets)." if swapped else
               f"match. For {n} targets, the outputs are ({n}, K) scores for K classes, or "
               f"({n},) / ({n}, 1) scores for two classes: one row per target.")
        )
    return predictions, targets, classes


def _not_whole(values: Tensor) -> Tensor:
    return (values != values.trunc()) | values.isinf()


def _first(values: Tensor, mask: Tensor) -> float:
    return values[mask].reshape(-1)[0].item()


def _label_out_of_range(labels: Tensor, classes: int | None, shape: tuple[int, ...]) -> str:
    label = int(_first(labels, (labels < 0) | (labels >= (classes or 2**62))))
    if label == -100:
        return ("accuracy: the targets contain the label -100 (the ignore_index of PyTorch's "
                "losses), which accuracy cannot skip: pass metrics={} or a metric of your own "
                "that leaves those positions out.")
    if classes == 2:
        return (f"accuracy: outputs of shape {shape} predict two classes, 0 and 1, but the targets "
                f"contain the label {label}. For -1/+1 labels use (y + 1) // 2; for more classes, "
                "give the model one output per class.")
    if classes is None:
        return f"accuracy: the targets contain the label {label}; class labels start at 0."
    return (f"accuracy: the targets contain the label {label}, but the outputs have {classes} "
            f"scores per example (classes 0 to {classes - 1}). Use labels 0 to {classes - 1} "
            "(labels - 1 for labels counted from 1), or give the model one output per class.")


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
    if not isinstance(data, DataLoader):
        data = DataLoader(data, batch_size=batch_size, shuffle=shuffle, generator=generator)
    for batch in data:
        yield pair(batch)


def _num_batches(data: Data, batch_size: int) -> int | None:
    """How many batches an epoch has, for the progress bar (None when unknown)."""
    if isinstance(data, DataLoader):
        try:
            return len(data)
        except TypeError:  # an iterable dataset has no length
            return None
    try:
        return -(-len(data if not isinstance(data, tuple) else data[0]) // batch_size)
    except TypeError:
        return None


def _default_metrics(loss_fn: Any) -> dict[str, Metric]:
    """Accuracy, told whether one score per example is a logit or a probability."""
    threshold = binary_threshold(loss_fn)
    # A loss we cannot recognise (a lambda, a loss of one's own) most often takes logits, and
    # guessing per batch would let one epoch mix two thresholds: 0, as fit always did.
    return {"accuracy": functools.partial(accuracy, threshold=0.0 if threshold is None else threshold)}


def evaluate(model: nn.Module, data: Data, loss_fn: Callable[[Tensor, Tensor], Tensor] | None = None,
             *, metrics: Mapping[str, Metric] | None = None, batch_size: int = 1024,
             device: torch.device | str | None = None) -> dict[str, float]:
    """Average loss and metrics of ``model`` over ``data``, without training it.

    Runs in evaluation mode (dropout off, batch norm uses its running statistics)
    and under ``torch.inference_mode()`` (no graph is recorded), then puts the
    model back in the mode it was in. ``loss_fn`` defaults to ``nn.CrossEntropyLoss()``
    and ``metrics`` to accuracy, as in :func:`fit`; ``device`` defaults to the
    model's own.
    """
    check_model(model)
    batch_size = check_whole(batch_size, "batch_size", minimum=1)
    check_data(data, "data")
    check_function(loss_fn, "loss_fn", "loss_fn(outputs, targets)")
    device = model_device(model, device)
    loss_fn = loss_fn if loss_fn is not None else nn.CrossEntropyLoss()
    metrics = checked_metrics(metrics) if metrics is not None else _default_metrics(loss_fn)
    was_training = model.training
    model.eval()
    totals = dict.fromkeys(["loss", *metrics], 0.0)
    count = 0
    try:
        with torch.inference_mode():
            batches = _batches(data, batch_size, shuffle=False, generator=None)
            for batch, (inputs, targets) in enumerate(batches, start=1):
                inputs, targets = inputs.to(device), targets.to(device)
                outputs = predict(model, inputs)
                if batch == 1:
                    check_first_batch(outputs, targets, loss_fn, metrics, {"data": data})
                n = len(targets)
                loss = measure(loss_fn, outputs, targets).item()
                if not math.isfinite(loss):
                    raise not_finite(loss, f"on batch {batch}", inputs, None)
                totals["loss"] += loss * n
                for name, metric in metrics.items():
                    totals[name] += score(name, metric, outputs, targets) * n
                count += n
    finally:
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

    Raises:
        TypeError, ValueError: for arguments, data or a first batch that cannot work
            (each message says what to change), before any weight is updated.
        FloatingPointError: when the loss turns NaN or infinite; it names the epoch
            and the batch.
    """
    # First, check what can be checked before training.
    check_model(model)
    epochs, batch_size = check_whole(epochs, "epochs", minimum=1), check_whole(batch_size, "batch_size", minimum=1)
    check_data(train_data, "train_data")
    check_data(val_data, "val_data")
    check_function(loss_fn, "loss_fn", "loss_fn(outputs, targets)")
    check_function(transform, "transform", "of a batch of inputs")
    check_scheduler(scheduler, optimizer, epochs, _num_batches(train_data, batch_size))
    device = checked_device(device) if device is not None else model_device(model)
    model.to(device)
    loss_fn = loss_fn if loss_fn is not None else nn.CrossEntropyLoss()
    optimizer = checked_optimizer(model, optimizer, lr)  # Adam unless one is given
    metrics = checked_metrics(metrics) if metrics is not None else _default_metrics(loss_fn)
    progress = os.environ.get("CI") is None if progress is None else progress
    generator = torch.Generator().manual_seed(check_seed(seed)) if seed is not None else None
    history = History()

    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        model.train()
        totals = dict.fromkeys(["loss", *metrics], 0.0)
        count = 0
        batches = _batches(train_data, batch_size, shuffle=True, generator=generator)
        for batch, (inputs, targets) in enumerate(
                tqdm(batches, desc=f"epoch {epoch}/{epochs}", leave=False,
                     total=_num_batches(train_data, batch_size), disable=not progress), start=1):
            inputs, targets = inputs.to(device), targets.to(device)
            if transform is not None:
                inputs = transformed(transform, inputs)
            outputs = predict(model, inputs)     # 1. predict
            if epoch == batch == 1:              #    (before the first step: do the outputs fit?)
                check_first_batch(outputs, targets, loss_fn, metrics,
                                  {"train_data": train_data, "val_data": val_data})
            loss = measure(loss_fn, outputs, targets, backward=True)  # 2. measure the error
            optimizer.zero_grad()                # 3. forget the last step's gradients
            loss.backward()                      # 4. backpropagate
            value = loss.item()
            if not math.isfinite(value):         #    (stop before a NaN reaches the weights)
                raise not_finite(value, f"at epoch {epoch}, batch {batch}", inputs, optimizer)
            optimizer.step()                     # 5. update the weights
            if scheduler is not None:
                scheduler.step()
            n = len(targets)
            totals["loss"] += value * n
            with torch.no_grad():
                for name, metric in metrics.items():
                    totals[name] += score(name, metric, outputs, targets) * n
            count += n
        if count == 0:
            raise ValueError("train_data gave no examples in this epoch: is it empty?")
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
