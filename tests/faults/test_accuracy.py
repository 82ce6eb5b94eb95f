"""``accuracy``, and every metric ``fit`` and ``evaluate`` use.

``accuracy`` takes what its docstring allows (logits or probabilities, (N, K) for K classes,
(N,) or (N, 1) for two, class indices, one-hot targets, a class per pixel) and gives the right
fraction; anything else (shapes that do not match, labels the outputs cannot predict, NaN, a
regression target) is a ValueError or TypeError that names both sides and the fix, never a
broadcast.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils.train import accuracy, evaluate, fit
from tests.faults.cases import Case, assert_unique_ids, run_case


def _is(value: float) -> Callable[[Any], bool]:
    return lambda result: isinstance(result, float) and abs(result - value) < 1e-6


PROBS = torch.tensor([0.9, 0.2, 0.8, 0.1])      # P(class 1) for four examples
LOGITS = torch.tensor([2.0, -1.0, 0.5, -3.0])   # the same predictions as logits
T = torch.tensor([1, 0, 1, 0])
SCORES = torch.tensor([[2.0, 0.1, 0.3], [0.1, 0.2, 3.0], [0.5, 1.5, 0.2], [1.0, 0.0, 0.5]])
LABELS = torch.tensor([0, 2, 1, 2])             # 3 of 4 right: the last is predicted 0


def _binary_model(sigmoid: bool) -> nn.Module:
    """Scores x1 (as a logit, or through a sigmoid): class 1 on the right."""
    linear = nn.Linear(2, 1)
    with torch.no_grad():
        linear.weight.copy_(torch.tensor([[1.0, 0.0]]))
        linear.bias.zero_()
    return nn.Sequential(linear, nn.Sigmoid()) if sigmoid else linear


def _constant_logit(value: float) -> nn.Module:
    linear = nn.Linear(2, 1)
    with torch.no_grad():
        linear.weight.zero_()
        linear.bias.fill_(value)
    return linear


X = torch.tensor([[-2.0, 0.0], [-1.0, 1.0], [1.0, 0.0], [2.0, -1.0], [0.5, 0.5], [-0.5, 2.0]])
Y = (X[:, 0] > 0).float()[:, None]  # targets for BCE losses: float, shape (N, 1)
MOSTLY_ONES = torch.tensor([1.0, 1.0, 1.0, 1.0, 0.0, 0.0])[:, None]


def _fit_accuracy(loss_fn: nn.Module, sigmoid: bool) -> float:
    model = _binary_model(sigmoid)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)  # the metric of the untrained model
    history = fit(model, (X, Y), epochs=1, loss_fn=loss_fn, optimizer=optimizer, progress=False,
                  verbose=False)
    return history["train_accuracy"][0]


def _metric(metric: Any) -> Any:
    return evaluate(_binary_model(False), (X, Y), nn.BCEWithLogitsLoss(), metrics={"m": metric})


CASES: list[Case] = [
    # --- what the docstring allows gives the right answer -------------------------------------
    Case("binary probabilities (N,)", lambda: accuracy(PROBS, T), expect=_is(1.0)),
    Case("binary probabilities (N, 1)", lambda: accuracy(PROBS[:, None], T), expect=_is(1.0)),
    Case("binary probabilities (N, 1) against (N, 1) float targets",
         lambda: accuracy(PROBS[:, None], T[:, None].float()), expect=_is(1.0)),
    Case("binary probabilities, one wrong", lambda: accuracy(torch.tensor([0.9, 0.6, 0.8, 0.1]), T),
         expect=_is(0.75)),
    Case("binary logits (N,)", lambda: accuracy(LOGITS, T), expect=_is(1.0)),
    Case("binary logits (N, 1)", lambda: accuracy(LOGITS[:, None], T), expect=_is(1.0)),
    Case("bool targets", lambda: accuracy(LOGITS, T.bool()), expect=_is(1.0)),
    Case("multiclass logits", lambda: accuracy(SCORES, LABELS), expect=_is(0.75)),
    Case("multiclass probabilities", lambda: accuracy(SCORES.softmax(1), LABELS), expect=_is(0.75)),
    Case("targets of shape (N, 1)", lambda: accuracy(SCORES, LABELS[:, None]), expect=_is(0.75)),
    Case("one-hot targets", lambda: accuracy(SCORES, F.one_hot(LABELS, 3)), expect=_is(0.75)),
    Case("label-smoothed targets",
         lambda: accuracy(SCORES, F.one_hot(LABELS, 3).float() * 0.9 + 0.1 / 3), expect=_is(0.75)),
    Case("predicted class indices instead of scores", lambda: accuracy(SCORES.argmax(1), LABELS),
         expect=_is(0.75)),
    Case("a class per pixel (N, K, H, W) against (N, H, W)",
         lambda: accuracy(SCORES.T.reshape(1, 3, 2, 2), LABELS.reshape(1, 2, 2)), expect=_is(0.75)),
    Case("half-precision logits", lambda: accuracy(SCORES.half(), LABELS), expect=_is(0.75)),
    Case("logits that need gradients", lambda: accuracy(SCORES.clone().requires_grad_(), LABELS),
         expect=_is(0.75)),
    # --- shapes that do not match: an error naming both, never a broadcast --------------------
    Case("(1, K) outputs against 5 targets", lambda: accuracy(torch.randn(1, 10), torch.arange(5)),
         ValueError, r"outputs of shape \(1, 10\) and targets of shape \(5,\)"),
    Case("(N, K) outputs against fewer targets", lambda: accuracy(SCORES, LABELS[:3]), ValueError,
         r"outputs of shape \(4, 3\) and targets of shape \(3,\)"),
    Case("(N,) outputs against (N, K) targets", lambda: accuracy(LOGITS, F.one_hot(T, 3)), ValueError,
         r"outputs of shape \(4,\) and targets of shape \(4, 3\)"),
    Case("(N, 1) outputs against (1, N) targets", lambda: accuracy(PROBS[:, None], T[None, :]),
         ValueError, r"outputs of shape \(4, 1\) and targets of shape \(1, 4\)"),
    Case("one-hot targets with another number of classes",
         lambda: accuracy(SCORES, F.one_hot(LABELS, 4)), ValueError,
         r"outputs of shape \(4, 3\) and targets of shape \(4, 4\)"),
    Case("outputs and targets swapped", lambda: accuracy(LABELS, SCORES), ValueError,
         r"swapped.*accuracy\(outputs, targets\)"),
    Case("a single 0-d output", lambda: accuracy(torch.tensor(0.3), torch.tensor(1)), ValueError,
         r"one row per example"),
    Case("no examples", lambda: accuracy(torch.zeros(0, 3), torch.zeros(0, dtype=torch.long)),
         ValueError, r"no examples"),
    # --- values the outputs cannot predict -----------------------------------------------------
    Case("label 3 with 3 scores per example", lambda: accuracy(SCORES, torch.tensor([0, 3, 1, 2])),
         ValueError, r"label 3.*3 scores per example \(classes 0 to 2\)"),
    Case("a negative label", lambda: accuracy(SCORES, torch.tensor([0, -1, 1, 2])), ValueError,
         r"label -1"),
    Case("ignore_index -100 labels", lambda: accuracy(SCORES, torch.tensor([0, -100, 1, 2])),
         ValueError, r"-100.*metrics=\{\}"),
    Case("-1/+1 labels for two classes", lambda: accuracy(LOGITS, 2 * T - 1), ValueError,
         r"0 and 1.*\(y \+ 1\) // 2"),
    Case("label 2 for a binary output", lambda: accuracy(LOGITS, torch.tensor([1, 0, 2, 0])),
         ValueError, r"0 and 1"),
    Case("regression targets", lambda: accuracy(torch.randn(4, 1), torch.randn(4, 1)), ValueError,
         r"whole numbers.*metrics=\{\}"),
    Case("NaN outputs", lambda: accuracy(torch.tensor([[0.1, float("nan")], [0.3, 0.2]]),
                                         torch.tensor([0, 1])),
         ValueError, r"NaN or infinite"),
    Case("infinite outputs", lambda: accuracy(torch.tensor([float("inf"), -1.0]), torch.tensor([1, 0])),
         ValueError, r"NaN or infinite"),
    # --- types --------------------------------------------------------------------------------
    Case("numpy outputs", lambda: accuracy(SCORES.numpy(), LABELS), TypeError,
         r"outputs must be a tensor.*torch\.as_tensor"),
    Case("list targets", lambda: accuracy(SCORES, [0, 2, 1, 2]), TypeError,
         r"targets must be a tensor.*torch\.tensor"),
    Case("numpy targets", lambda: accuracy(SCORES, np.array([0, 2, 1, 2])), TypeError,
         r"targets must be a tensor"),
    # --- the metric fit and evaluate use --------------------------------------------------------
    Case("fit with BCELoss (a sigmoid model): train_accuracy",
         lambda: _fit_accuracy(nn.BCELoss(), sigmoid=True), expect=_is(1.0)),
    Case("fit with BCEWithLogitsLoss: train_accuracy",
         lambda: _fit_accuracy(nn.BCEWithLogitsLoss(), sigmoid=False), expect=_is(1.0)),
    Case("evaluate with BCEWithLogitsLoss, logits that all lie in [0, 1]",
         lambda: evaluate(_constant_logit(0.3), (X, MOSTLY_ONES), nn.BCEWithLogitsLoss())["accuracy"],
         expect=_is(4 / 6)),
    Case("evaluate with F.binary_cross_entropy, probabilities",
         lambda: evaluate(_binary_model(True), (X, Y), F.binary_cross_entropy)["accuracy"],
         expect=_is(1.0)),
    Case("a metric that returns one value per example",
         lambda: _metric(lambda o, t: ((o > 0).float() == t).float()), TypeError,
         r"metric 'm' returned a tensor of shape \(6, 1\).*one number"),
    Case("a metric that returns a string", lambda: _metric(lambda o, t: "0.9"), TypeError,
         r"metric 'm' returned a str.*one number"),
    Case("a metric that returns a 0-d tensor", lambda: _metric(lambda o, t: torch.tensor(0.5))["m"],
         expect=lambda value: type(value) is float and value == 0.5),
    Case("a metric called 'loss'", lambda: evaluate(_binary_model(False), (X, Y), nn.BCEWithLogitsLoss(),
                                                    metrics={"loss": accuracy}),
         ValueError, r"metric.*'loss'.*rename"),
    Case("metrics as a list", lambda: evaluate(_binary_model(False), (X, Y), nn.BCEWithLogitsLoss(),
                                               metrics=[accuracy]),
         TypeError, r"metrics must be a dict.*\{'accuracy': accuracy\}"),
    Case("metrics as one function", lambda: evaluate(_binary_model(False), (X, Y), nn.BCEWithLogitsLoss(),
                                                     metrics=accuracy),
         TypeError, r"metrics must be a dict"),
    Case("a metric that is not a function", lambda: _metric(0.9), TypeError,
         r"metric 'm' must be a function"),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_fault(case: Case) -> None:
    run_case(case)


def test_case_ids_are_unique() -> None:
    assert_unique_ids(CASES)


# --- the threshold argument: logits that look like probabilities -----------------------------


def test_threshold_decides_between_logits_and_probabilities() -> None:
    scores = torch.tensor([0.3, 0.6, 0.2, 0.9])  # in [0, 1]: read as probabilities by default
    targets = torch.tensor([1, 1, 1, 1])
    assert accuracy(scores, targets) == 0.5
    assert accuracy(scores, targets, threshold=0.0) == 1.0  # they were logits after all
    assert accuracy(scores, targets, threshold=0.5) == 0.5


@pytest.mark.parametrize("threshold", ["0.5", float("nan"), True])
def test_threshold_must_be_a_number(threshold: Any) -> None:
    with pytest.raises(TypeError if not isinstance(threshold, float) else ValueError,
                       match="threshold"):
        accuracy(PROBS, T, threshold=threshold)


def test_accuracy_equals_the_float32_mean_it_always_was() -> None:
    # fit's history and printed lines depend on these exact values.
    generator = torch.Generator().manual_seed(0)
    for n in (3, 7, 64, 1000):
        scores = torch.randn(n, 10, generator=generator)
        labels = torch.randint(0, 10, (n,), generator=generator)
        expected = (scores.argmax(dim=1) == labels).float().mean().item()
        assert accuracy(scores, labels) == expected


class _Scores(nn.Module):
    """A 'model' that returns fixed scores, one per example."""

    def __init__(self, scores: torch.Tensor) -> None:
        super().__init__()
        self.scores = scores
        self.unused = nn.Parameter(torch.zeros(()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.scores[x.long()] + 0 * self.unused


def test_fit_and_evaluate_read_scores_of_an_unknown_loss_as_logits() -> None:
    # Logits can all fall in [0, 1] early in training; with a loss fit cannot recognise (a
    # lambda, a partial of the logits loss) they must still be split at 0, as fit always did.
    scores = torch.linspace(0.3, 0.6, 200)
    data = (torch.arange(200.0), torch.ones(200))
    model = _Scores(scores)
    for loss in (lambda o, t: F.binary_cross_entropy_with_logits(o, t),
                 functools.partial(F.binary_cross_entropy_with_logits, pos_weight=torch.tensor(2.0)),
                 nn.BCEWithLogitsLoss()):
        assert evaluate(model, data, loss)["accuracy"] == 1.0
    # A partial of the probability loss is still read as probabilities (threshold 0.5).
    half = sum(float(s) > 0.5 for s in scores) / 200
    assert evaluate(model, data, functools.partial(F.binary_cross_entropy))["accuracy"] == pytest.approx(half, abs=1e-6)


def test_large_finite_outputs_are_not_taken_for_nan() -> None:
    # The sum of big float32 scores overflows to inf; the scores themselves are finite.
    outputs = torch.full((4, 3), 3e38)
    outputs[:, 1] = 3.3e38
    assert accuracy(outputs, torch.tensor([1, 1, 1, 1])) == 1.0
