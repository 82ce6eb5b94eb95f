"""``fit`` and ``evaluate`` under bad arguments, data, models and schedules.

Each case is a mistake a learner makes (empty data, a batch size of 0, float labels, a schedule
sized in epochs, a loss that turns NaN...). It must end in an error that names the argument and
the fix, raised before the first weight update wherever it can be checked up front, or in the
right result.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from course_utils.train import History, evaluate, fit
from tests.faults.cases import Case, assert_unique_ids, run_case


def _data(n: int = 64, features: int = 2, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, features, generator=generator)
    return x, (x[:, 0] > 0).long()


def _model(outputs: int = 2, features: int = 2) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(features, 8), nn.ReLU(), nn.Linear(8, outputs))


def _fit(model: nn.Module | None = None, data: Any = None, **kwargs: Any) -> History:
    options = {"epochs": 1, "batch_size": 16, "progress": False, "verbose": False, **kwargs}
    return fit(_model() if model is None else model, _data() if data is None else data, **options)


def _untouched(train: Callable[[nn.Module], Any], model: nn.Module | None = None) -> Callable[[], Any]:
    """Run ``train(model)``; when it raises, check that no weight changed before the error."""

    def run() -> Any:
        net = _model() if model is None else model
        before = copy.deepcopy(net.state_dict())
        try:
            return train(net)
        except Exception:
            after = net.state_dict()
            if any(not torch.equal(before[k], after[k].cpu()) for k in before):
                raise AssertionError("the model was trained before the error was raised") from None
            raise

    return run


X, Y = _data()


def _one_cycle(total_steps: int | None = None, **kwargs: Any) -> tuple[nn.Module, Any, Any]:
    model = _model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    if total_steps is not None:
        kwargs["total_steps"] = total_steps
    return model, optimizer, torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.5, **kwargs)


def _scheduled(total_steps: int | None = None, **kwargs: Any) -> Callable[[], Any]:
    """Three epochs of 4 batches (12 steps) with a one-cycle schedule built from ``kwargs``."""

    def run() -> Any:
        model, optimizer, scheduler = _one_cycle(total_steps, **kwargs)
        return _untouched(lambda net: _fit(net, epochs=3, optimizer=optimizer, scheduler=scheduler),
                          model)()

    return run


def _plateau() -> Any:
    model = _model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer)
    return _fit(model, optimizer=optimizer, scheduler=scheduler)


def _other_optimizers_scheduler() -> Any:
    model = _model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    other = torch.optim.SGD(_model().parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(other, step_size=1)
    return _fit(model, optimizer=optimizer, scheduler=scheduler)


def _scheduler_without_its_optimizer() -> Any:
    model = _model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    return _fit(model, scheduler=torch.optim.lr_scheduler.StepLR(optimizer, step_size=1))


def _stale_optimizer() -> Any:
    old = _model()
    optimizer = torch.optim.Adam(old.parameters(), lr=1e-2)
    return _fit(_model(), optimizer=optimizer)  # the model was built again after the optimizer


def _frozen() -> nn.Module:
    model = _model()
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return model


class _Pairs(Dataset):
    """A map-style dataset (not a TensorDataset) of (input, label) pairs."""

    def __init__(self, n: int, item: Callable[[int], Any] | None = None) -> None:
        self.n, self.item = n, item

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> Any:
        return self.item(i) if self.item else (X[i], Y[i])


class _UnregisteredTensor(nn.Module):
    """A constant tensor kept as a plain attribute: model.to(device) does not move it."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(2, 2)
        self.scale = torch.ones(2, device="meta")  # stands for a tensor left on another device

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x) * self.scale


class _TupleModel(nn.Module):
    """Returns (outputs, hidden) like an RNN."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(2, 2)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.linear(x), x


def _nan_inputs() -> tuple[torch.Tensor, torch.Tensor]:
    x = X.clone()
    x[20] = float("nan")  # in the second batch of 16
    return x, Y


def _no_grad(function: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        with torch.no_grad():
            return function(*args, **kwargs)

    return run


def _trained_ok(history: Any) -> bool:
    return isinstance(history, History) and len(history) >= 1 and math.isfinite(history["train_loss"][-1])


def _diverging() -> History:
    model = _model()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e12)
    return _fit(model, optimizer=optimizer, epochs=5, batch_size=8)


CE_FLOAT = "needs class indices"
IGNORED = torch.where(Y > 0, Y, -100)

CASES: list[Case] = [
    # --- sizes: empty data, batch sizes, epochs -------------------------------------------------
    Case("empty tensors", _untouched(lambda m: _fit(m, (X[:0], Y[:0]))), ValueError,
         r"train_data is empty \(0 examples\)"),
    Case("empty TensorDataset", _untouched(lambda m: _fit(m, TensorDataset(X[:0], Y[:0]))),
         ValueError, r"train_data is empty"),
    Case("empty validation data, found before training",
         _untouched(lambda m: _fit(m, val_data=(X[:0], Y[:0]))), ValueError, r"val_data is empty"),
    Case("DataLoader with drop_last and too few examples",
         _untouched(lambda m: _fit(m, DataLoader(TensorDataset(X[:10], Y[:10]), batch_size=16,
                                                 drop_last=True)))
         , ValueError, r"no batches.*drop_last"),
    Case("empty map-style dataset", _untouched(lambda m: _fit(m, _Pairs(0))), ValueError,
         r"train_data is empty"),
    Case("batch_size=0", _untouched(lambda m: _fit(m, batch_size=0)), ValueError,
         r"batch_size must be a whole number, 1 or more, got 0"),
    Case("batch_size negative", _untouched(lambda m: _fit(m, batch_size=-32)), ValueError,
         r"batch_size must be a whole number, 1 or more, got -32"),
    Case("batch_size a float", _untouched(lambda m: _fit(m, batch_size=32.0)), TypeError,
         r"batch_size must be a whole number.*not 32\.0\. Write 32 instead"),
    Case("batch_size a string", _untouched(lambda m: _fit(m, batch_size="64")), TypeError,
         r"batch_size must be a whole number"),
    Case("batch_size True", _untouched(lambda m: _fit(m, batch_size=True)), TypeError,
         r"batch_size must be a whole number"),
    Case("evaluate with batch_size=0", lambda: evaluate(_model(), (X, Y), nn.CrossEntropyLoss(),
                                                        batch_size=0),
         ValueError, r"batch_size must be a whole number, 1 or more"),
    Case("evaluate with a negative batch_size", lambda: evaluate(_model(), (X, Y), F.cross_entropy,
                                                                 batch_size=-1),
         ValueError, r"batch_size must be a whole number, 1 or more"),
    Case("epochs=0", _untouched(lambda m: _fit(m, epochs=0)), ValueError,
         r"epochs must be a whole number, 1 or more, got 0"),
    Case("epochs negative", _untouched(lambda m: _fit(m, epochs=-3)), ValueError,
         r"epochs must be a whole number, 1 or more"),
    Case("epochs a float", _untouched(lambda m: _fit(m, epochs=2.5)), TypeError,
         r"epochs must be a whole number"),
    Case("epochs None", _untouched(lambda m: _fit(m, epochs=None)), TypeError,
         r"epochs must be a whole number"),
    Case("a numpy integer is a fine epoch count", lambda: _fit(epochs=np.int64(2)),
         expect=lambda h: len(h) == 2),
    Case("seed a string", _untouched(lambda m: _fit(m, seed="0")), TypeError,
         r"seed must be a whole number or None"),
    Case("lr negative", _untouched(lambda m: _fit(m, lr=-0.01)), ValueError,
         r"lr must be a positive number"),
    Case("lr NaN", _untouched(lambda m: _fit(m, lr=float("nan"))), ValueError,
         r"lr must be a positive number"),
    # --- data: shapes, types, lengths --------------------------------------------------------
    Case("more labels than inputs", _untouched(lambda m: _fit(m, (X, torch.cat([Y, Y])))),
         ValueError, r"train_data has 64 inputs but 128 targets"),
    Case("fewer labels than inputs", _untouched(lambda m: _fit(m, (X, Y[:50]))), ValueError,
         r"train_data has 64 inputs but 50 targets"),
    Case("validation inputs and labels of unequal length",
         _untouched(lambda m: _fit(m, val_data=(X, Y[:10]))), ValueError,
         r"val_data has 64 inputs but 10 targets"),
    Case("numpy arrays instead of tensors", _untouched(lambda m: _fit(m, (X.numpy(), Y.numpy()))),
         TypeError, r"torch\.as_tensor"),
    Case("a list [inputs, targets]", _untouched(lambda m: _fit(m, [X, Y])), TypeError,
         r"tuple \(inputs, targets\)"),
    Case("a tuple of three tensors", _untouched(lambda m: _fit(m, (X, Y, Y))), TypeError,
         r"2 tensors \(inputs, targets\), got 3"),
    Case("a TensorDataset of three tensors", _untouched(lambda m: _fit(m, TensorDataset(X, Y, Y))),
         TypeError, r"TensorDataset of 3 tensors"),
    Case("a 0-d tensor as inputs", _untouched(lambda m: _fit(m, (torch.tensor(1.0), Y))), ValueError,
         r"one row per example"),
    Case("a DataLoader of dicts", _untouched(lambda m: _fit(m, DataLoader(
        _Pairs(64, lambda i: {"x": X[i], "y": Y[i]}), batch_size=16))), TypeError,
         r"\(inputs, targets\) pairs.*dict"),
    Case("labels as a Python list", _untouched(lambda m: _fit(m, (X, Y.tolist()))), TypeError,
         r"targets of train_data are a list.*torch\.as_tensor"),
    Case("validation data as a list, found before training", _untouched(lambda m: _fit(m, val_data=[X, Y])),
         TypeError, r"val_data is a list; pass a tuple"),
    Case("a DataLoader of a TensorDataset of three tensors",
         _untouched(lambda m: _fit(m, DataLoader(TensorDataset(X, Y, Y), batch_size=16))), TypeError,
         r"TensorDataset of 3 tensors"),
    Case("a map-style dataset of pairs trains", lambda: _fit(data=_Pairs(64)), expect=_trained_ok),
    Case("a DataLoader of a TensorDataset trains",
         lambda: _fit(data=DataLoader(TensorDataset(X, Y), batch_size=16)), expect=_trained_ok),
    Case("batch_size larger than the data trains", lambda: _fit(batch_size=1000), expect=_trained_ok),
    # --- labels ------------------------------------------------------------------------------
    Case("float labels for CrossEntropyLoss", _untouched(lambda m: _fit(m, (X, Y.float()))),
         TypeError, rf"{CE_FLOAT}.*labels\.long\(\)"),
    Case("int32 labels for CrossEntropyLoss", _untouched(lambda m: _fit(m, (X, Y.int()))),
         TypeError, rf"{CE_FLOAT}.*labels\.long\(\)"),
    Case("float labels for F.cross_entropy in evaluate",
         lambda: evaluate(_model(), (X, Y.double()), F.cross_entropy), TypeError,
         rf"{CE_FLOAT}.*labels\.long\(\)"),
    Case("labels of shape (N, 1) for CrossEntropyLoss", _untouched(lambda m: _fit(m, (X, Y[:, None]))),
         ValueError, r"labels\.squeeze\(1\)"),
    Case("a label out of range (2 with 2 outputs)", _untouched(lambda m: _fit(m, (X, Y + 1))),
         ValueError, r"labels go up to 2, but the model gives 2 scores per example"),
    Case("digits 1-10 instead of 0-9", _untouched(lambda m: _fit(m, (X, Y * 9 + 1))),
         ValueError, r"labels go up to 10"),
    Case("a label out of range only in the validation data",
         _untouched(lambda m: _fit(m, val_data=(X, Y * 3))), ValueError,
         r"val_data.*labels go up to 3"),
    Case("a negative label", _untouched(lambda m: _fit(m, (X, Y - 1))), ValueError,
         r"labels include -1"),
    Case("-1/+1 labels for a 2-class model", _untouched(lambda m: _fit(m, (X, 2 * Y - 1))),
         ValueError, r"\(y \+ 1\) // 2"),
    Case("uint8 labels for CrossEntropyLoss train", lambda: _fit(data=(X, Y.to(torch.uint8))),
         expect=_trained_ok),
    Case("ignore_index=-100 labels are allowed", lambda: _fit(data=(X, IGNORED), metrics={}),
         expect=_trained_ok),
    Case("ignore_index=-100 labels with the default accuracy", lambda: _fit(data=(X, IGNORED)),
         ValueError, r"-100.*metrics=\{\}"),
    Case("an out-of-range label inside a DataLoader",
         lambda: _fit(data=DataLoader(_Pairs(64, lambda i: (X[i], Y[i] * 5)), batch_size=16)),
         ValueError, r"labels? .*5.*2 scores per example"),
    Case("long labels for BCEWithLogitsLoss",
         _untouched(lambda m: _fit(m, (X, Y[:, None]), loss_fn=nn.BCEWithLogitsLoss()), _model(1)),
         TypeError, r"BCEWithLogitsLoss needs float targets.*\.float\(\)"),
    Case("(N,) targets for (N, 1) BCEWithLogitsLoss outputs",
         _untouched(lambda m: _fit(m, (X, Y.float()), loss_fn=nn.BCEWithLogitsLoss()), _model(1)),
         ValueError, r"outputs of shape \(16, 1\).*targets of shape \(16,\).*unsqueeze\(1\)"),
    Case("(N,) targets for (N, 1) MSELoss outputs (would broadcast)",
         _untouched(lambda m: _fit(m, (X, X[:, 0]), loss_fn=nn.MSELoss(), metrics={}), _model(1)),
         ValueError, r"outputs of shape \(16, 1\).*targets of shape \(16,\).*broadcast"),
    Case("F.mse_loss with (N, 1) outputs and (N,) targets",
         lambda: evaluate(_model(1), (X, X[:, 0]), F.mse_loss, metrics={}), ValueError,
         r"broadcast"),
    Case("regression with the default accuracy metric",
         _untouched(lambda m: _fit(m, (X, X[:, :1]), loss_fn=nn.MSELoss()), _model(1)),
         ValueError, r"metrics=\{\}"),
    Case("regression with metrics={} trains",
         lambda: _fit(_model(1), (X, X[:, :1]), loss_fn=nn.MSELoss(), metrics={}),
         expect=_trained_ok),
    Case("soft (probability) targets for CrossEntropyLoss train",
         lambda: _fit(data=(X, F.one_hot(Y, 2).float() * 0.9 + 0.05)), expect=_trained_ok),
    # --- model, optimizer, loss --------------------------------------------------------------
    Case("model is a class, not an instance", lambda: _fit(nn.Linear), TypeError,
         r"model must be an nn\.Module.*build one"),
    Case("model is a function", lambda: evaluate(lambda x: x, (X, Y), F.cross_entropy), TypeError,
         r"model must be an nn\.Module"),
    Case("model without parameters", lambda: _fit(nn.Flatten()), ValueError,
         r"no parameters to train"),
    Case("every parameter frozen", lambda: _fit(_frozen()), ValueError, r"requires_grad"),
    Case("optimizer is a class", _untouched(lambda m: _fit(m, optimizer=torch.optim.Adam)), TypeError,
         r"optimizer must be a torch\.optim\.Optimizer.*model\.parameters\(\)"),
    Case("optimizer of another model (built before the model was rebuilt)", _stale_optimizer,
         ValueError, r"optimizer updates none of the model's parameters"),
    Case("loss_fn is a class", _untouched(lambda m: _fit(m, loss_fn=nn.CrossEntropyLoss)), TypeError,
         r"loss_fn.*nn\.CrossEntropyLoss\(\)"),
    Case("loss_fn not callable", _untouched(lambda m: _fit(m, loss_fn="cross_entropy")), TypeError,
         r"loss_fn must be a function"),
    Case("loss with reduction='none'",
         _untouched(lambda m: _fit(m, loss_fn=nn.CrossEntropyLoss(reduction="none"))), ValueError,
         r"one number.*reduction='mean'"),
    Case("a loss cut off from the graph (.item() inside)",
         _untouched(lambda m: _fit(m, loss_fn=lambda o, t: torch.tensor(F.cross_entropy(o, t).item()))),
         RuntimeError, r"no gradient"),
    Case("fit called inside torch.no_grad()", _untouched(lambda m: _no_grad(_fit)(m)), RuntimeError,
         r"no gradient.*inside torch\.no_grad\(\)"),
    Case("a model that returns a tuple", _untouched(lambda m: _fit(m), _TupleModel()), TypeError,
         r"model returned a tuple.*tensor"),
    Case("inputs with the wrong number of features",
         _untouched(lambda m: _fit(m, (torch.randn(64, 3), Y))), RuntimeError,
         r"model\(inputs\) failed.*shape \(16, 3\).*first layer"),
    Case("uint8 inputs for a float model",
         _untouched(lambda m: _fit(m, ((X * 50).to(torch.uint8), Y))), RuntimeError,
         r"inputs are torch\.uint8.*\.float\(\)"),
    Case("float64 inputs for a float32 model", _untouched(lambda m: _fit(m, (X.double(), Y))),
         RuntimeError, r"inputs are torch\.float64.*weights are torch\.float32"),
    Case("the model returns fewer rows than its inputs",
         _untouched(lambda m: _fit(m), nn.Sequential(nn.Flatten(0), nn.Linear(32, 2))), ValueError,
         r"shape \(2,\) for a batch of 16 inputs.*one row"),
    # --- devices -----------------------------------------------------------------------------
    Case("device='gpu' (not a device name)", _untouched(lambda m: _fit(m, device="gpu")), ValueError,
         r"device='gpu' is not a device.*get_device\(\)"),
    Case("device='cuda' on a machine without a GPU",
         _untouched(lambda m: _fit(m, device="cuda")), ValueError, r"no CUDA GPU.*get_device\(\)"),
    Case("device given to evaluate, model elsewhere",
         lambda: evaluate(_model(), (X, Y), F.cross_entropy, device="meta"), ValueError,
         r"weights are on cpu.*device='meta'.*model\.to"),
    Case("a tensor in forward left on another device",
         _untouched(lambda m: _fit(m), _UnregisteredTensor()), RuntimeError,
         r"another device.*register_buffer"),
    Case("inputs and labels on different devices",
         _untouched(lambda m: _fit(m, (X, Y.to("meta")))), ValueError,
         r"inputs are on cpu but its targets on meta"),
    # --- non-finite losses -------------------------------------------------------------------
    Case("NaN in the inputs", lambda: _fit(data=_nan_inputs(), batch_size=16), FloatingPointError,
         r"loss is nan at epoch 1, batch \d+, .*NaN or infinite values"),
    Case("a learning rate that diverges", _diverging, FloatingPointError,
         r"loss is (nan|inf) at epoch \d+, batch \d+.*lower learning rate"),
    Case("NaN in the validation inputs", lambda: _fit(val_data=_nan_inputs()), FloatingPointError,
         r"loss is nan on batch 1 .*val_data"),
    Case("evaluate on data with NaN", lambda: evaluate(_model(), _nan_inputs(), F.cross_entropy),
         FloatingPointError, r"loss is nan on batch 1 .*NaN"),
    # --- schedulers --------------------------------------------------------------------------
    Case("OneCycleLR sized in epochs", _scheduled(total_steps=3), ValueError,
         r"OneCycleLR has 3 steps.*12 steps \(3 epochs x 4 batches\).*Tried to step"),
    Case("OneCycleLR with the wrong steps_per_epoch", _scheduled(epochs=3, steps_per_epoch=1), ValueError,
         r"OneCycleLR has 3 steps.*steps_per_epoch=4"),
    Case("OneCycleLR sized for fewer epochs than fit runs", _scheduled(total_steps=8), ValueError,
         r"OneCycleLR has 8 steps"),
    Case("OneCycleLR sized in batches trains", _scheduled(total_steps=12), expect=_trained_ok),
    Case("ReduceLROnPlateau (needs a metric)", _plateau, TypeError, r"ReduceLROnPlateau.*epochs=1"),
    Case("scheduler is a class", _untouched(lambda m: _fit(m, scheduler=torch.optim.lr_scheduler.StepLR)),
         TypeError, r"scheduler must be a learning-rate scheduler"),
    Case("scheduler of another optimizer", _other_optimizers_scheduler, ValueError,
         r"scheduler was built on another optimizer"),
    Case("scheduler without optimizer=", _scheduler_without_its_optimizer, ValueError,
         r"pass optimizer="),
    # --- transforms --------------------------------------------------------------------------
    Case("transform that doubles the batch",
         _untouched(lambda m: _fit(m, transform=lambda b: torch.cat([b, -b]))), ValueError,
         r"transform changed the batch size from 16 to 32"),
    Case("transform that drops examples", _untouched(lambda m: _fit(m, transform=lambda b: b[1:])),
         ValueError, r"transform changed the batch size"),
    Case("transform that returns numpy", _untouched(lambda m: _fit(m, transform=lambda b: b.numpy())),
         TypeError, r"transform returned a ndarray.*tensor"),
    Case("transform that forgets to return", _untouched(lambda m: _fit(m, transform=lambda b: None)),
         TypeError, r"transform returned None.*return"),
    Case("transform that returns (inputs, targets)",
         _untouched(lambda m: _fit(m, transform=lambda b: (b, b))), TypeError,
         r"transform returned a tuple"),
    Case("transform is a class", _untouched(lambda m: _fit(m, transform=nn.Dropout)), TypeError,
         r"transform.*instance.*Dropout\(\)"),
    Case("transform not callable", _untouched(lambda m: _fit(m, transform=0.5)), TypeError,
         r"transform must be a function"),
    Case("transform that keeps the batch size trains",
         lambda: _fit(transform=lambda b: b + 0.1 * torch.randn_like(b)), expect=_trained_ok),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_fault(case: Case) -> None:
    run_case(case)


def test_case_ids_are_unique() -> None:
    assert_unique_ids(CASES)


# --- valid inputs: the behaviour notebooks 04-08 rely on does not change ---------------------


def _reference_fit(model: nn.Module, x: torch.Tensor, y: torch.Tensor, epochs: int, batch_size: int,
                   lr: float, seed: int) -> list[float]:
    """The loop as it was before the checks: losses per epoch, to compare fit against."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(epochs):
        order, total = torch.randperm(len(x), generator=generator), 0.0
        for start in range(0, len(x), batch_size):
            index = order[start:start + batch_size]
            loss = F.cross_entropy(model(x[index]), y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(index)
        losses.append(total / len(x))
    return losses


def test_fit_gives_the_same_losses_as_the_plain_loop() -> None:
    x, y = _data(100)
    expected = _reference_fit(_model(), x, y, epochs=3, batch_size=32, lr=1e-2, seed=4)
    history = fit(_model(), (x, y), epochs=3, batch_size=32, lr=1e-2, seed=4, progress=False,
                  verbose=False)
    assert history["train_loss"] == expected


def test_fit_prints_one_line_per_epoch_in_the_same_format(capsys: pytest.CaptureFixture[str]) -> None:
    fit(_model(), (X, Y), val_data=(X, Y), epochs=2, progress=False)
    lines = capsys.readouterr().out.splitlines()
    pattern = (r"epoch {e}/2  train_loss \d\.\d{{4}}  train_accuracy \d\.\d{{4}}  val_loss \d\.\d{{4}}  "
               r"val_accuracy \d\.\d{{4}}  \(\d+\.\d s\)")
    assert len(lines) == 2
    for epoch, line in enumerate(lines, start=1):
        assert re.fullmatch(pattern.format(e=epoch), line), line


def test_the_checks_run_before_the_first_step_and_cost_no_extra_batches() -> None:
    calls = []

    class Counting(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.linear = nn.Linear(2, 2)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            calls.append(len(x))
            return self.linear(x)

    fit(Counting(), (X, Y), epochs=2, batch_size=16, progress=False, verbose=False)
    assert calls == [16] * 8  # no extra forward pass to probe the model


def test_non_finite_loss_message_names_the_learning_rate() -> None:
    model = _model()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e12)
    with pytest.raises(FloatingPointError, match=r"lr=1e\+12"):
        fit(model, (X, Y), epochs=5, batch_size=8, optimizer=optimizer, progress=False, verbose=False)


def test_evaluate_defaults_to_cross_entropy_like_fit() -> None:
    model = _model()
    assert evaluate(model, (X, Y)) == evaluate(model, (X, Y), nn.CrossEntropyLoss())


def test_evaluate_gives_the_model_its_mode_back_after_an_error() -> None:
    model = _model().train()
    with pytest.raises(TypeError, match="needs class indices"):
        evaluate(model, (X, Y.float()), F.cross_entropy)
    assert model.training
