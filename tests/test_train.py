"""The training loop: fit lowers the loss, evaluate restores the mode, accuracy is right."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from course_utils.train import History, accuracy, evaluate, fit


def _toy_problem(n: int = 256):
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(n, 2, generator=generator)
    y = (x[:, 0] * x[:, 1] > 0).long()  # XOR-like quadrants: needs a hidden layer
    return x, y


def _mlp() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))


def test_accuracy_multiclass_and_binary():
    logits = torch.tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0], [0.0, 1.0]])
    assert accuracy(logits, torch.tensor([0, 1, 1, 1])) == pytest.approx(0.75)
    binary = torch.tensor([1.5, -0.5, 0.2, -3.0])
    assert accuracy(binary, torch.tensor([1, 0, 0, 0])) == pytest.approx(0.75)
    assert accuracy(binary.unsqueeze(1), torch.tensor([1, 0, 1, 0])) == pytest.approx(1.0)


def test_fit_lowers_the_loss_and_learns_the_task(capsys):
    x, y = _toy_problem()
    model = _mlp()
    before = evaluate(model, (x, y), nn.CrossEntropyLoss())
    history = fit(model, (x, y), val_data=(x, y), epochs=30, lr=0.02, batch_size=32,
                  progress=False)
    after = evaluate(model, (x, y), nn.CrossEntropyLoss())
    assert len(history) == 30
    assert history["train_loss"][-1] < 0.5 * history["train_loss"][0]
    assert after["loss"] < 0.5 * before["loss"]
    assert after["accuracy"] > 0.9
    assert set(history.as_dict()) >= {"epoch", "train_loss", "train_accuracy", "val_loss",
                                      "val_accuracy", "seconds"}
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 30 and lines[0].startswith("epoch 1/30")


def test_fit_is_repeatable_with_the_same_seed():
    x, y = _toy_problem()
    runs = []
    for _ in range(2):
        model = _mlp()
        runs.append(fit(model, (x, y), epochs=3, seed=5, progress=False, verbose=False)["train_loss"])
    assert runs[0] == runs[1]


def test_fit_accepts_a_tensordataset_and_a_dataloader():
    x, y = _toy_problem(64)
    for data in (TensorDataset(x, y), DataLoader(TensorDataset(x, y), batch_size=16)):
        history = fit(_mlp(), data, epochs=2, progress=False, verbose=False)
        assert len(history) == 2


def test_fit_rejects_unknown_data_with_a_helpful_message():
    with pytest.raises(TypeError, match="TensorDataset"):
        fit(_mlp(), [1, 2, 3], epochs=1, progress=False, verbose=False)


def test_evaluate_restores_training_mode_and_does_not_change_weights():
    x, y = _toy_problem(64)
    model = nn.Sequential(nn.Linear(2, 8), nn.Dropout(0.5), nn.Linear(8, 2))
    model.train()
    weights = [p.detach().clone() for p in model.parameters()]
    first = evaluate(model, (x, y), nn.CrossEntropyLoss())
    second = evaluate(model, (x, y), nn.CrossEntropyLoss())
    assert model.training
    assert first == second  # dropout is off during evaluation, so it is deterministic
    assert all(torch.equal(a, b) for a, b in zip(weights, model.parameters(), strict=True))


def test_evaluate_weights_batches_by_size():
    # 3 examples in batches of 2: the mean must be over examples, not over batches.
    x = torch.zeros(3, 2)
    y = torch.tensor([0, 0, 1])
    model = nn.Linear(2, 2)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.copy_(torch.tensor([1.0, 0.0]))
    scores = evaluate(model, (x, y), nn.CrossEntropyLoss(), batch_size=2)
    assert scores["accuracy"] == pytest.approx(2 / 3)


def test_history_column_view():
    history = History([{"epoch": 1, "train_loss": 1.0}, {"epoch": 2, "train_loss": 0.5}])
    assert history["train_loss"] == [1.0, 0.5]
    assert history.as_dict() == {"epoch": [1, 2], "train_loss": [1.0, 0.5]}


def test_progress_bar_knows_how_many_batches_an_epoch_has():
    from course_utils.train import _num_batches

    x, y = _toy_problem(101)
    assert _num_batches((x, y), 10) == 11
    assert _num_batches(TensorDataset(x, y), 10) == 11
    assert _num_batches(DataLoader(TensorDataset(x, y), batch_size=25), 10) == 5


def test_fit_steps_the_scheduler_after_every_batch_and_records_the_rate():
    x, y = _toy_problem(256)
    model = _mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.5, total_steps=3 * 8)
    history = fit(model, (x, y), epochs=3, batch_size=32, optimizer=optimizer, scheduler=scheduler,
                  progress=False, verbose=False)
    assert scheduler.last_epoch == 24  # 8 batches per epoch, 3 epochs
    rates = history["lr"]
    assert len(rates) == 3 and rates[-1] < rates[0] / 100  # one-cycle ends near zero


def test_fit_transforms_training_batches_only():
    x, y = _toy_problem(64)
    seen_train, seen_val = [], []

    class Spy(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(2, 2)

        def forward(self, inputs):
            (seen_train if self.training else seen_val).append(inputs.clone())
            return self.linear(inputs)

    fit(Spy(), (x, y), val_data=(x, y), epochs=1, batch_size=64, transform=lambda b: b + 100.0,
        progress=False, verbose=False)
    assert all((batch > 50).all() for batch in seen_train)
    assert all((batch < 50).all() for batch in seen_val)
