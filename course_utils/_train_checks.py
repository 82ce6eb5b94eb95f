"""The checks behind :func:`course_utils.train.fit` and :func:`~course_utils.train.evaluate`.

Each helper turns a mistake a learner makes (an empty dataset, float labels, a schedule
sized in epochs, a loss that turns NaN...) into a message that says what to change. They
run before training where they can, on the first batch before the first step where they
need the model's outputs, and per batch only where they cost nothing. PyTorch's own
errors from the model or the loss come back with the shapes, dtypes and devices that
explain them.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Callable, Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

Metric = Callable[[Tensor, Tensor], float]

_CLASS_LOSSES = (nn.CrossEntropyLoss, nn.NLLLoss, F.cross_entropy, F.nll_loss)
_BINARY_LOSSES = (nn.BCEWithLogitsLoss, nn.BCELoss, F.binary_cross_entropy_with_logits,
                  F.binary_cross_entropy)
_ELEMENTWISE_LOSSES = (nn.MSELoss, nn.L1Loss, nn.SmoothL1Loss, nn.HuberLoss, F.mse_loss,
                       F.l1_loss, F.smooth_l1_loss, F.huber_loss)


def _is(loss_fn: Any, kinds: tuple[Any, ...]) -> bool:
    return any(loss_fn is kind or (isinstance(kind, type) and isinstance(loss_fn, kind))
               for kind in kinds)


def _name(loss_fn: Any) -> str:
    if isinstance(loss_fn, nn.Module):
        return f"nn.{type(loss_fn).__name__}"
    return f"F.{loss_fn.__name__}" if getattr(loss_fn, "__module__", "").startswith("torch") \
        else "loss_fn"


def check_seed(seed: Any) -> int:
    """``seed`` as an int, checked to be a whole number."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be a whole number or None, got {seed!r}")
    return int(seed)


def check_model(model: Any) -> None:
    """``model`` must be an nn.Module instance."""
    if isinstance(model, nn.Module):
        return
    if isinstance(model, type):
        raise TypeError(f"model must be an nn.Module instance, but {model.__name__} is a class: "
                        f"build one first, e.g. model = {model.__name__}(...)")
    raise TypeError(f"model must be an nn.Module (e.g. nn.Sequential(...)), got "
                    f"{type(model).__name__}. To train or evaluate a plain function, wrap it in "
                    "an nn.Module whose forward calls it.")


def check_function(value: Any, name: str, call: str) -> None:
    """``value`` is None or something to call; a class instead of an instance is the usual slip."""
    if value is None or (callable(value) and not isinstance(value, type)):
        return
    if isinstance(value, type):
        prefix = "nn." if value.__module__.startswith("torch.nn") else ""
        raise TypeError(f"{name} must be an instance, but {value.__name__} is a class: pass "
                        f"{name}={prefix}{value.__name__}() (with its arguments)")
    raise TypeError(f"{name} must be a function {call} or a module, got {type(value).__name__}")


def check_data(data: Any, name: str) -> None:
    """Can ``data`` be batched, with one target per input, and at least one example?"""
    if data is None and name == "val_data":
        return
    if isinstance(data, DataLoader):
        if isinstance(data.dataset, TensorDataset):
            check_data(data.dataset, name)
        if _length(data) == 0:
            raise ValueError(f"{name} is a DataLoader that yields no batches: its dataset is "
                             "empty, or drop_last=True drops its only, incomplete batch (fewer "
                             f"than batch_size={data.batch_size} examples)")
        return
    if isinstance(data, TensorDataset):
        if len(data.tensors) != 2:
            raise TypeError(f"{name} is a TensorDataset of {len(data.tensors)} tensors; fit and "
                            "evaluate need 2: TensorDataset(inputs, targets)")
        data = data.tensors
    elif isinstance(data, Dataset):
        if _length(data) == 0:
            raise ValueError(f"{name} is empty (0 examples)")
        return
    if isinstance(data, list):
        raise TypeError(f"{name} is a list; pass a tuple (inputs, targets) of two tensors, "
                        "a TensorDataset (e.g. an ImageSet) or a DataLoader")
    if not isinstance(data, tuple):
        raise TypeError("fit/evaluate take a TensorDataset (e.g. an ImageSet), a DataLoader, or "
                        f"a tuple (inputs, targets) of tensors; got {type(data).__name__}.")
    if len(data) != 2:
        raise TypeError(f"{name} must be a tuple of 2 tensors (inputs, targets), got {len(data)}")
    for part, value in zip(("inputs", "targets"), data, strict=True):
        if not isinstance(value, Tensor):
            raise TypeError(f"the {part} of {name} are a {type(value).__name__}, not a tensor: "
                            "convert them with torch.as_tensor(...) (dtype=torch.float32 for "
                            "inputs, dtype=torch.long for class labels)")
    inputs, targets = data
    if inputs.ndim == 0 or targets.ndim == 0:
        raise ValueError(f"{name} needs one row per example in its inputs and targets; got "
                         f"shapes {tuple(inputs.shape)} and {tuple(targets.shape)}")
    if len(inputs) != len(targets):
        raise ValueError(f"{name} has {len(inputs)} inputs but {len(targets)} targets: give "
                         "exactly one target per input (were both split or filtered the same way?)")
    if len(inputs) == 0:
        raise ValueError(f"{name} is empty (0 examples): check the split or filter that made it")
    if inputs.device != targets.device:
        raise ValueError(f"{name}: its inputs are on {inputs.device} but its targets on "
                         f"{targets.device}; put both on one device, e.g. (x.to(device), y.to(device))")


def _length(data: Any) -> int | None:
    try:
        return len(data)
    except TypeError:  # an iterable dataset has no length
        return None


def pair(batch: Any) -> tuple[Tensor, Tensor]:
    """One batch of a DataLoader, checked to be (inputs, targets)."""
    if (isinstance(batch, (tuple, list)) and len(batch) == 2
            and all(isinstance(part, Tensor) for part in batch)):
        return batch[0], batch[1]
    raise TypeError("fit and evaluate need a DataLoader (or Dataset) of (inputs, targets) pairs "
                    f"of tensors; this one gives {type(batch).__name__} batches. Make its "
                    "__getitem__ return (input, label).")


def checked_device(device: Any) -> torch.device:
    """``device`` as a torch.device, checked to name a device that this machine has."""
    try:
        checked = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise ValueError(f"device={device!r} is not a device: use 'cpu', 'cuda' or 'mps', or "
                         "device=get_device() from course_utils, which picks the best one here") \
            from None
    mps = getattr(torch.backends, "mps", None)
    if ((checked.type == "cuda" and not torch.cuda.is_available())
            or (checked.type == "mps" and not (mps is not None and mps.is_available()))):
        raise ValueError(f"device={device!r}, but PyTorch sees no {checked.type.upper()} GPU on "
                         "this machine: leave device out (the model's device is used), or use "
                         "device=get_device() from course_utils, which picks cuda, mps or cpu")
    return checked


def model_device(model: nn.Module, device: Any = None) -> torch.device:
    """The device of the model's weights, or ``device``, checked to be where the weights are."""
    tensor = next(model.parameters(), next(model.buffers(), None))
    where = tensor.device if tensor is not None else torch.device("cpu")
    if device is None:
        return where
    checked = checked_device(device)
    same = checked.type == where.type and checked.index in (None, where.index)
    if tensor is not None and not same:
        raise ValueError(f"the model's weights are on {where} but device={device!r}: move the "
                         f"model first (model.to({device!r})), or leave device out to evaluate "
                         "where the model is")
    return checked


def checked_optimizer(model: nn.Module, optimizer: Any, lr: Any) -> torch.optim.Optimizer:
    """The given optimizer, checked to update this model; or Adam(lr) on all its parameters."""
    example = "e.g. optimizer=torch.optim.Adam(model.parameters(), lr=1e-3)"
    if optimizer is None:
        if not isinstance(lr, Tensor):   # (a tensor learning rate is PyTorch's own business)
            if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
                raise TypeError(f"lr must be a positive number such as 1e-3, got {lr!r}")
            if not (math.isfinite(lr) and lr > 0):
                raise ValueError(f"lr must be a positive number such as 1e-3, got {lr!r}")
        if not any(p.requires_grad for p in model.parameters()):
            raise ValueError(
                "the model has no parameters to train: add a layer with weights (e.g. nn.Linear)"
                if next(model.parameters(), None) is None else
                "none of the model's parameters requires a gradient (requires_grad=False on all): "
                "unfreeze the ones to train with p.requires_grad_(True)")
        return torch.optim.Adam(model.parameters(), lr=lr)
    if isinstance(optimizer, type) or not all(
            hasattr(optimizer, attribute) for attribute in ("step", "zero_grad", "param_groups")):
        got = f"the class {optimizer.__name__}" if isinstance(optimizer, type) else \
            type(optimizer).__name__
        raise TypeError(f"optimizer must be a torch.optim.Optimizer built on the model's "
                        f"parameters, {example}; got {got}")
    mine = {id(p) for p in model.parameters()}
    if not any(id(p) in mine for group in optimizer.param_groups for p in group["params"]):
        raise ValueError("the optimizer updates none of the model's parameters: it was built on "
                         "another model (perhaps before the cell that builds the model ran "
                         f"again). Build it after the model, {example}")
    return optimizer


def check_scheduler(scheduler: Any, optimizer: Any, epochs: int, batches: int | None) -> None:
    """Does fit's stepping (once per batch, no arguments) suit this scheduler?"""
    if scheduler is None:
        return
    if isinstance(scheduler, type) or not callable(getattr(scheduler, "step", None)):
        raise TypeError("scheduler must be a learning-rate scheduler built on the optimizer, e.g. "
                        "torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.01, "
                        f"total_steps=epochs * batches_per_epoch); got {scheduler!r}")
    if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
        raise TypeError("fit steps the scheduler after every batch without arguments, but "
                        "ReduceLROnPlateau needs a metric (scheduler.step(val_loss)). Train one "
                        "epoch at a time instead: history = fit(..., epochs=1, optimizer=optimizer)"
                        ", then scheduler.step(history['val_loss'][-1])")
    own = getattr(scheduler, "optimizer", None)
    if own is not None and optimizer is None:
        raise ValueError("fit builds its own Adam optimizer when optimizer= is not given, and the "
                         "scheduler was built on another one: pass optimizer=<the optimizer the "
                         "scheduler was built on>")
    if own is not None and own is not optimizer:
        raise ValueError("the scheduler was built on another optimizer than the one given to fit, "
                         "so it would change nothing: build it on that optimizer")
    total = getattr(scheduler, "total_steps", None)
    if isinstance(total, int) and batches is not None:
        left, needed = total - scheduler.last_epoch, epochs * batches
        if needed > left:
            used = f", {scheduler.last_epoch} of them used already" if scheduler.last_epoch else \
                ", sized in epochs? it counts batches" if total == epochs else ""
            raise ValueError(
                f"scheduler: this {type(scheduler).__name__} has {left} steps left (total_steps="
                f"{total}{used}), but fit steps it after every batch: {needed} steps ({epochs} "
                f"epochs x {batches} batches). PyTorch would stop at step {left + 1} (\"Tried to "
                f"step {left + 1} times\"). Size it in batches: total_steps={needed}, or "
                f"{type(scheduler).__name__}(optimizer, max_lr, epochs={epochs}, "
                f"steps_per_epoch={batches}), built anew for every run.")


def binary_threshold(loss_fn: Any) -> float | None:
    """Where a single score per example splits the classes: 0 for a loss that takes logits
    (``BCEWithLogitsLoss``), 0.5 for one that takes probabilities (``BCELoss``), else None."""
    while isinstance(loss_fn, functools.partial):  # partial(F.binary_cross_entropy, weight=w)
        loss_fn = loss_fn.func
    if _is(loss_fn, (nn.BCEWithLogitsLoss, F.binary_cross_entropy_with_logits)):
        return 0.0
    return 0.5 if _is(loss_fn, (nn.BCELoss, F.binary_cross_entropy)) else None


def checked_metrics(metrics: Any) -> dict[str, Metric]:
    """``metrics`` as a dict of name -> metric, checked: names are strings, values functions."""
    if not isinstance(metrics, Mapping):
        raise TypeError("metrics must be a dict of name -> function(outputs, targets), e.g. "
                        "metrics={'accuracy': accuracy}, or {} for none; got "
                        f"{type(metrics).__name__}")
    for name, metric in metrics.items():
        if not isinstance(name, str):
            raise TypeError(f"metric names must be strings, got {name!r}")
        if name == "loss":
            raise ValueError("a metric may not be called 'loss': that name holds the loss already "
                             "(train_loss, val_loss); rename it, e.g. {'my_loss': ...}")
        if isinstance(metric, type) or not callable(metric):
            raise TypeError(f"metric {name!r} must be a function metric(outputs, targets) that "
                            f"returns a number, got {type(metric).__name__}")
    return dict(metrics)


def score(name: str, metric: Metric, outputs: Tensor, targets: Tensor) -> float:
    """``metric(outputs, targets)``, checked to be one number."""
    value: Any = metric(outputs, targets)
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise TypeError(f"metric {name!r} returned a tensor of shape {tuple(value.shape)}, but "
                            "a metric returns one number for the batch: average it, e.g. "
                            "(...).float().mean().item()")
        return value.item()
    if isinstance(value, numbers.Real):
        return float(value)
    raise TypeError(f"metric {name!r} returned a {type(value).__name__}, but a metric returns one "
                    "number for the batch (a float)")


def transformed(transform: Callable[[Tensor], Any], inputs: Tensor) -> Tensor:
    """``transform(inputs)``, checked to be a tensor with one row per input."""
    result = transform(inputs)
    if result is None:
        raise TypeError("transform returned None: did it forget to `return` the batch?")
    if not isinstance(result, Tensor):
        hint = (" fit passes it the inputs only; an augmentation that changes the labels too "
                "(like mixup) needs a loop of your own") if isinstance(result, tuple) else ""
        raise TypeError(f"transform returned a {type(result).__name__}, but it must return the "
                        f"batch of inputs as a tensor (torch.as_tensor converts arrays).{hint}")
    if result.ndim == 0 or len(result) != len(inputs):
        raise ValueError(f"transform changed the batch size from {len(inputs)} to "
                         f"{len(result) if result.ndim else 0}: it must return one output per "
                         "input, so that each still matches its label (to add augmented copies, "
                         "enlarge the dataset before fit)")
    return result


# PyTorch's errors for shapes, dtypes and devices: re-raised with a message that says more. Their
# subclasses (NotImplementedError, torch.cuda.OutOfMemoryError...) pass through unchanged.
_EXPLAINED = (RuntimeError, ValueError, TypeError, IndexError)


def predict(model: nn.Module, inputs: Tensor) -> Any:
    """``model(inputs)``; PyTorch's error, if any, comes with what the batch looked like."""
    try:
        return model(inputs)
    except _EXPLAINED as error:
        if type(error) not in _EXPLAINED:
            raise
        raise type(error)(_forward_failure(model, inputs, error)) from error


def _forward_failure(model: nn.Module, inputs: Tensor, error: Exception) -> str:
    weights = next((p for p in model.parameters() if p.is_floating_point()), None)
    text = (f"model(inputs) failed for a batch of inputs of shape {tuple(inputs.shape)} "
            f"({inputs.dtype}, on {inputs.device}): {str(error).rstrip('.!')}. ")
    if weights is not None and inputs.dtype != weights.dtype and not inputs.is_floating_point():
        return text + (f"The inputs are {inputs.dtype} but the model's weights are {weights.dtype}:"
                       " convert the inputs, e.g. x.float() (and divide images by 255), unless "
                       "the first layer is an nn.Embedding")
    if weights is not None and inputs.dtype != weights.dtype:
        return text + (f"The inputs are {inputs.dtype} but the model's weights are {weights.dtype}:"
                       f" use one dtype for both, e.g. x.to({weights.dtype}) or model.to({inputs.dtype})")
    if "device" in str(error):
        return text + ("A tensor the model uses is on another device than its weights: create "
                       "tensors in forward on x.device, and store constant tensors with "
                       "self.register_buffer(name, tensor) so that model.to(device) moves them")
    return text + ("Check that the first layer takes inputs of this shape (in_features of "
                   "nn.Linear; nn.Flatten() before it for images) and try model(x[:2]) by hand")


def measure(loss_fn: Callable[[Tensor, Tensor], Any], outputs: Tensor, targets: Tensor,
             backward: bool = False) -> Tensor:
    """``loss_fn(outputs, targets)``, checked to be one number with a gradient when training."""
    try:
        loss = loss_fn(outputs, targets)
    except _EXPLAINED as error:
        if type(error) not in _EXPLAINED:
            raise
        if type(error) is IndexError and outputs.ndim >= 2:  # "Target 12 is out of bounds."
            raise ValueError(f"loss_fn failed on a batch: {error} The model gives {outputs.shape[1]} "
                             f"scores per example, so labels must lie in 0 to {outputs.shape[1] - 1}:"
                             " check labels.min() and labels.max() of the data") from error
        raise type(error)(f"loss_fn(outputs, targets) failed for outputs of shape "
                          f"{tuple(outputs.shape)} ({outputs.dtype}) and targets of shape "
                          f"{tuple(targets.shape)} ({targets.dtype}): {error}") from error
    if not isinstance(loss, Tensor) or loss.numel() != 1:
        got = f"a tensor of shape {tuple(loss.shape)}" if isinstance(loss, Tensor) else \
            f"a {type(loss).__name__}"
        raise ValueError(f"loss_fn must return one number (a 0-d tensor) to backpropagate, but it "
                         f"returned {got}: average it (reduction='mean', or loss.mean())")
    if backward and not loss.requires_grad:
        where = "" if torch.is_grad_enabled() else " (fit is running inside torch.no_grad())"
        raise RuntimeError(f"the loss has no gradient, so fit cannot backpropagate{where}: it was "
                           "computed outside autograd (.item(), .detach(), NumPy or torch.no_grad() "
                           "in loss_fn or the model), or the optimizer holds only frozen weights")
    return loss


def not_finite(value: float, where: str, inputs: Tensor, optimizer: Any) -> FloatingPointError:
    """The error for a NaN or infinite loss: bad inputs, or (with an optimizer) divergence."""
    bad_inputs = inputs.is_floating_point() and not bool(torch.isfinite(inputs).all())
    if optimizer is None:  # evaluate
        return FloatingPointError(
            f"evaluate stopped: the loss is {value} {where} of its data (fit's val_data, when fit "
            "evaluates) " + ("and this batch's inputs hold NaN or infinite values: find them with "
                             "torch.isfinite(x).all(dim=1) and clean the data" if bad_inputs else
                             "while its inputs are finite: the model's weights hold NaN or inf "
                             "(did training diverge?)"))
    lr = optimizer.param_groups[0].get("lr")
    return FloatingPointError(
        f"fit stopped: the training loss is {value} {where}, "
        + ("and this batch's inputs hold NaN or infinite values: find them with "
           "torch.isfinite(x).all(dim=1) and clean the data. " if bad_inputs else
           f"with finite inputs, so training diverged: try a lower learning rate (lr={lr:g} now, "
           "e.g. ten times lower), and check the scale of the inputs (normalise them). ")
        + "This step was not taken, but earlier steps may have pushed the weights far off: "
          "build a fresh model before training again.")


def check_first_batch(outputs: Any, targets: Tensor, loss_fn: Any, metrics: Mapping[str, Metric],
                       data: Mapping[str, Any]) -> None:
    """Before the first step: do the outputs, the targets, the loss and the metrics fit together?"""
    if not isinstance(outputs, Tensor):
        raise TypeError(f"the model returned a {type(outputs).__name__}, but fit and evaluate need "
                        "a tensor of outputs, one row per example. If forward returns several "
                        "things (outputs, hidden state...), return only the outputs")
    shape, target_shape = tuple(outputs.shape), tuple(targets.shape)
    if outputs.ndim == 0 or shape[0] != target_shape[0]:
        raise ValueError(f"the model returned outputs of shape {shape} for a batch of "
                         f"{target_shape[0]} inputs: it must return one row per example. Look for "
                         "a reshape that mixes examples, such as x.view(-1); flatten images with "
                         "nn.Flatten() or x.flatten(1)")
    name = _name(loss_fn)
    if _is(loss_fn, _CLASS_LOSSES):
        _check_class_targets(outputs, targets, loss_fn, data)
    elif _is(loss_fn, _BINARY_LOSSES) and not targets.is_floating_point():
        raise TypeError(f"{name} needs float targets (0.0 or 1.0), but these are {targets.dtype}: "
                        "use labels.float()")
    if (_is(loss_fn, _BINARY_LOSSES + _ELEMENTWISE_LOSSES)) and shape != target_shape:
        fix = ("use labels.unsqueeze(1) (or labels[:, None]) for targets of the outputs' shape, "
               "or outputs.squeeze(1) in the model") if shape == (*target_shape, 1) else \
            "give them the same shape"
        broadcast = ("; PyTorch would broadcast them into a table of every output against every "
                     "target and train on the wrong thing") if _is(loss_fn, _ELEMENTWISE_LOSSES) else ""
        raise ValueError(f"{name} compares outputs and targets element by element, but the model's "
                         f"outputs of shape {shape} and the targets of shape {target_shape} "
                         f"differ{broadcast}: {fix}")
    if not outputs.is_floating_point() or bool(torch.isfinite(outputs).all()):  # (NaN: the loss says so)
        with torch.no_grad():
            for metric_name, metric in metrics.items():
                score(metric_name, metric, outputs.detach(), targets)  # a metric that fails, fails now


def _check_class_targets(outputs: Tensor, targets: Tensor, loss_fn: Any,
                         data: Mapping[str, Any]) -> None:
    """Cross-entropy targets: class indices of the right shape, each one the outputs can score."""
    name, shape, target_shape = _name(loss_fn), tuple(outputs.shape), tuple(targets.shape)
    if outputs.ndim < 2:
        raise ValueError(f"{name} needs outputs of shape (N, K), one score per class, but the model "
                         f"returned shape {shape}: give its last layer K outputs, or use "
                         "nn.BCEWithLogitsLoss with float targets for one score per example")
    expected = (shape[0], *shape[2:])
    if targets.is_floating_point() and target_shape == shape:
        return  # class probabilities (soft labels): nothing more to check
    if targets.dtype not in (torch.int64, torch.uint8):
        raise TypeError(f"the targets are {targets.dtype}, but {name} needs class indices (int64) "
                        f"of shape {expected}, like tensor([3, 0, 7, ...]): use labels.long(). "
                        f"(Float targets must be class probabilities of shape {shape}.)")
    if target_shape != expected:
        squeeze = target_shape == (shape[0], 1, *shape[2:])
        raise ValueError(f"{name} needs one class index per example: targets of shape {expected} "
                         f"for outputs of shape {shape}, but got {target_shape}"
                         + (": use labels.squeeze(1)" if squeeze else ""))
    ignore = getattr(loss_fn, "ignore_index", -100)
    sources = [(source, _labels_of(value)) for source, value in data.items()]
    sources.append(("a batch of " + next(iter(data)), targets))  # for data without a label tensor
    for source, labels in sources:
        if labels is None:
            continue
        labels = labels[labels != ignore]
        if labels.numel() == 0:
            continue
        low, high = int(labels.min()), int(labels.max())
        if high >= shape[1]:
            raise ValueError(f"{source}: labels go up to {high}, but the model gives {shape[1]} "
                             f"scores per example (classes 0 to {shape[1] - 1}). Give its last layer "
                             f"{high + 1} outputs, one per class, or relabel the data"
                             + (" (labels counted from 1: use labels - 1)" if low >= 1 else ""))
        if low < 0:
            raise ValueError(f"{source}: labels include {low}, but class indices start at 0"
                             + (": for -1/+1 labels use (y + 1) // 2" if (low, high) == (-1, 1)
                                else ""))


def _labels_of(data: Any) -> Tensor | None:
    """The integer label tensor of tensor data (to check its range once), else None."""
    data = data.dataset if isinstance(data, DataLoader) else data
    tensors = data.tensors if isinstance(data, TensorDataset) else data
    if isinstance(tensors, tuple) and len(tensors) == 2 and isinstance(tensors[1], Tensor) \
            and not tensors[1].is_floating_point() and tensors[1].dtype != torch.bool:
        return tensors[1]
    return None
