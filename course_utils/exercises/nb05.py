"""Exercises of notebook 05 (Training in practice).

- 05.1 Inverted dropout by hand (``F.dropout`` and ``nn.Dropout`` forbidden).
- 05.2 The central algorithm, part one: an early-stopping helper that counts epochs without
  improvement and keeps a copy of the best weights.
- 05.3 The central algorithm, part two: batch normalization with running statistics, against
  ``nn.BatchNorm1d`` (forward, running statistics, evaluation mode and backward pass).
- 05.4 Predict: what momentum does to the size of the steps.
- 05.5 A learning-rate schedule: linear warm-up, then half a cosine wave.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from course_utils.checks import (
    Wrong,
    assert_tensor_close,
    call,
    exercise,
    expect_defaults,
    expect_function,
    expect_int,
    expect_number,
    expect_tensor,
    forbid,
    forward_backward,
    multiple_choice,
    random_shapes,
    randomize_module,
)

# ---------------------------------------------------------------- 05.1 inverted dropout

DROPOUT_BUILTINS = (
    "torch.nn.functional.dropout",
    "torch.nn.functional.dropout1d",
    "torch.nn.functional.dropout2d",
    "torch.nn.functional.dropout3d",
    "torch.dropout",
    "torch.dropout_",
    "torch.native_dropout",
    "torch.nn.Dropout.forward",
)
_DROPOUT_ADVICE = "Build the mask yourself: torch.rand_like(x) > p keeps each entry with probability 1 - p."


def _dropout_call(answer: Any, *args: Any, **kwargs: Any) -> Any:
    with forbid(*DROPOUT_BUILTINS, answer=answer, instead=_DROPOUT_ADVICE):
        return call(answer, *args, name="my_dropout", **kwargs)


def _describe_call(shape: Sequence[int], p: float | None, training: bool | None) -> str:
    shown = [f"x of shape {tuple(shape)}"]
    if p is not None:
        shown.append(f"p={p}")
    if training is not None:
        shown.append(f"training={training}")
    return "my_dropout(" + ", ".join(shown) + ")"


def _check_training_output(out: torch.Tensor, x: torch.Tensor, p: float, where: str, statistics: bool) -> None:
    """Every entry is 0 or x / (1 - p); with many entries, about a share p of them is 0."""
    dropped = out == 0
    kept = ~dropped
    if statistics:
        share = dropped.double().mean().item()
        tolerance = 0.01 if out.numel() >= 50_000 else 0.03
        if p != 0.5 and abs(share - (1 - p)) < tolerance:
            raise Wrong(f"{where} zeroed {share:.0%} of the entries, about 1 - p: p is the probability of "
                        "*dropping* an entry, not of keeping it.", hint="Keep an entry when torch.rand_like(x) > p.")
        if abs(share - p) > tolerance:
            raise Wrong(f"{where} zeroed {share:.1%} of the entries; with p = {p} about {p:.0%} should be zero.")
        if out.dim() == 2 and bool((dropped == dropped[:1]).all()):
            raise Wrong(f"{where}: every row has exactly the same entries dropped. Draw one random number per "
                        "entry (a mask of x's full shape), not one per column.")
        if out.dim() == 2 and bool((dropped == dropped[:, :1]).all()):
            raise Wrong(f"{where}: within each row, either every entry is dropped or none is. Draw one random "
                        "number per entry, not one per row.")
    if not bool(kept.any()):
        return
    ratio = (out[kept] / x[kept]).double()
    scales = [
        (1.0, "The kept entries are not rescaled, so the expected value drops by the factor 1 - p.",
         "Divide the kept entries by 1 - p (inverted dropout)."),
        (1 - p, "You multiplied the kept entries by 1 - p: divide by 1 - p instead (inverted dropout scales up "
                "in training, so that evaluation needs no change).", None),
        (1 / p, "You divided the kept entries by p: divide by 1 - p, the probability of keeping an entry.", None),
    ]
    expected = 1 / (1 - p)
    if torch.allclose(ratio, torch.full_like(ratio, expected), rtol=1e-5, atol=0):
        return
    for scale, why, hint in scales:
        if not math.isclose(scale, expected, rel_tol=1e-9) and torch.allclose(
                ratio, torch.full_like(ratio, scale), rtol=1e-5, atol=0):
            raise Wrong(f"{where}: {why}", hint=hint)
    raise Wrong(f"{where}: every kept entry should be x / (1 - p), that is x times {expected:.4g}; yours are x times "
                f"{ratio.min().item():.4g} to {ratio.max().item():.4g}.")


@exercise(
    "05.1",
    title="Inverted dropout",
    hint="Draw one uniform random number per entry (torch.rand_like(x)) and let an entry survive when its number "
         "is above p. By what must the survivors be scaled to keep the expected value, and what is left to do in "
         "evaluation mode?",
)
def inverted_dropout(answer: Any) -> None:
    """The answer is a function my_dropout(x, p=0.5, training=True) -> x with inverted dropout applied."""
    expect_function(answer, "my_dropout(x, p=0.5, training=True)")
    expect_defaults(answer, name="my_dropout", p=0.5, training=True)
    generator = torch.Generator().manual_seed(7)
    # No zeros in the inputs, so a zero in the output means "dropped".
    big = torch.rand(400, 500, generator=generator) + 0.5
    for args, kwargs, p in [((), {}, 0.5), ((0.2,), {}, 0.2), ((), {"p": 0.8, "training": True}, 0.8)]:
        where = _describe_call(big.shape, kwargs.get("p", args[0] if args else None), kwargs.get("training"))
        out = expect_tensor(_dropout_call(answer, big, *args, **kwargs), where, shape=big.shape, dtype=big.dtype)
        _check_training_output(out, big, p, where, statistics=True)
    # Other shapes, a float64 input, and views of a larger tensor (an in-place change would show there).
    matrix = torch.rand(60, 9, generator=generator, dtype=torch.float64) + 0.5
    cases = [torch.rand(shape, generator=generator) + 0.5 for shape in random_shapes(5, ndims=(1, 2, 3))]
    cases += [torch.rand(3000, generator=generator) + 0.5, torch.rand(4, 30, 25, generator=generator) + 0.5,
              matrix, matrix[:, 4], matrix[10:50]]
    for x in cases:
        where = _describe_call(x.shape, 0.3, True)
        out = expect_tensor(_dropout_call(answer, x, 0.3, True), where, shape=x.shape, dtype=x.dtype)
        _check_training_output(out, x, 0.3, where, statistics=x.numel() >= 3000)
    # Evaluation mode: the input, unchanged, every time (the default p too).
    z = torch.randn(6, 7, generator=generator)
    for args, kwargs in [((0.3, False), {}), ((), {"training": False}), ((0.6,), {"training": False})]:
        p = args[0] if args else 0.5
        where = _describe_call(z.shape, args[0] if args else None, False)
        evaluated = expect_tensor(_dropout_call(answer, z, *args, **kwargs), where, shape=z.shape)
        if not torch.equal(evaluated, z):
            if torch.allclose(evaluated, z * (1 - p)):
                raise Wrong(f"{where} multiplied by 1 - p: that is the old, non-inverted dropout. With inverted "
                            "dropout the scaling already happened in training, so evaluation returns x as it is.")
            if torch.allclose(evaluated, z / (1 - p)):
                raise Wrong(f"{where} divided by 1 - p: in evaluation mode nothing is dropped, so nothing needs "
                            "rescaling; return x as it is.")
            raise Wrong(f"{where} changed the values: in evaluation mode dropout must return its input unchanged.",
                        hint="Start the function with: if not training or p == 0: return x")
    # p = 0 drops nothing, even in training.
    unchanged = expect_tensor(_dropout_call(answer, z, 0.0, True), "my_dropout(x, p=0.0)", shape=z.shape)
    if not torch.allclose(unchanged, z):
        raise Wrong("With p = 0 nothing should be dropped or rescaled, even in training mode.")
    # A fresh random mask at every call.
    first, second = _dropout_call(answer, big, 0.5, True), _dropout_call(answer, big, 0.5, True)
    if torch.equal(first, second):
        raise Wrong("Two calls in training mode dropped exactly the same entries: draw a new random mask at each "
                    "call (from torch's global random generator, e.g. torch.rand_like(x)).")
    # Each entry is dropped on its own coin flip, so how many are dropped varies from call to call.
    counts = {int((_dropout_call(answer, big[0], 0.3, True) == 0).sum()) for _ in range(8)}
    if len(counts) == 1:
        raise Wrong(f"Eight calls on {big.shape[1]} entries with p = 0.3 each dropped exactly {counts.pop()} of them. "
                    "Dropout flips an independent coin for every entry, so the number dropped varies from call to "
                    "call; choosing a fixed number of entries to drop (with randperm, say) is a different method.",
                    hint="Keep each entry on its own: mask = torch.rand_like(x) > p.")
    # Gradients flow through the kept entries, scaled by 1 / (1 - p), and nowhere else.
    x = (torch.rand(30, 40, generator=generator) + 0.5).requires_grad_(True)
    out = expect_tensor(_dropout_call(answer, x, 0.4, True), "my_dropout(x, p=0.4) on an x that requires grad")
    if not out.requires_grad:
        raise Wrong("The output of my_dropout does not depend on x through autograd (was it computed with .detach(), "
                    ".data or NumPy?): a network could not learn through this layer.")
    upstream = torch.randn(x.shape, generator=generator)
    (out * upstream).sum().backward()
    expected_grad = upstream * (out.detach() != 0) / (1 - 0.4)
    assert_tensor_close(x.grad, expected_grad, "The gradient of my_dropout with respect to x", atol=1e-5)


# ---------------------------------------------------------------- 05.2 early stopping


def _simulate_early_stopping(losses: Sequence[float], patience: int, min_delta: float, *, ties: bool = False,
                             previous: bool = False, no_reset: bool = False, late: bool = False,
                             best_always: bool = False, flipped: bool = False,
                             nan_improves: bool = False, relative: bool = False) -> tuple[int | None, int]:
    """(the epoch at which step returns True or None, the best epoch), for the rule and for its usual mistakes."""
    best, best_epoch, bad, last = math.inf, 0, 0, math.inf
    for epoch, loss in enumerate(losses, start=1):
        reference = last if previous else best
        if relative:
            threshold = reference * (1 - min_delta)
        else:
            threshold = reference + min_delta if flipped else reference - min_delta
        if nan_improves:
            improved = not loss >= threshold
        else:
            improved = loss <= threshold if ties else loss < threshold
        if best_always and loss < best:
            best, best_epoch = loss, epoch
        if improved:
            if not best_always:
                best, best_epoch = loss, epoch
            if not no_reset:
                bad = 0
        else:
            bad += 1
        last = loss
        if (bad > patience) if late else (bad >= patience):
            return epoch, best_epoch
    return None, best_epoch


# (kwargs for the constructor, the validation losses, what the curve tests)
_CURVES: list[tuple[dict[str, Any], list[float], str]] = [
    ({"patience": 3}, [0.90, 0.70, 0.60, 0.62, 0.65, 0.70, 0.80, 0.90], "a curve that falls, then rises"),
    ({"patience": 4}, [1.0, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8], "a plateau (ties are not improvements)"),
    ({"patience": 3}, [1.0, 0.9, 0.95, 0.92, 0.85, 0.88, 0.87, 0.86, 0.9, 0.84, 0.95], "a noisy curve"),
    ({}, [2.0, 1.5, 1.2, 1.1, 1.15, 1.12, 1.3, 1.11, 1.2, 1.25, 1.3, 1.4], "the default patience and min_delta"),
    ({"patience": 2, "min_delta": 0.05}, [1.0, 0.9, 0.92, 0.93, 0.94, 0.95],
     "min_delta = 0.05 on a curve that rises slowly (a worse loss is never an improvement)"),
    ({"patience": 3, "min_delta": 0.05}, [1.0, 0.97, 0.96, 0.93, 0.90, 0.895, 0.885, 0.87, 0.86],
     "min_delta = 0.05 (smaller improvements do not count)"),
    ({"patience": 2, "min_delta": 0.05}, [0.4, 0.3, 0.27, 0.26, 0.24, 0.23, 0.225, 0.222],
     "min_delta = 0.05 on small losses (min_delta is an amount of loss, not a fraction of it)"),
    ({"patience": 2}, [1.0, 0.9, 0.8, 0.7, 0.6, 0.5], "a curve that keeps falling (never stop)"),
    ({"patience": 2}, [1.0, 0.8, math.nan, math.nan, math.nan], "a run that diverges (nan is never an improvement)"),
]

_STOPPING_MISTAKES: list[tuple[dict[str, Any], str]] = [
    ({"ties": True}, "you count a loss equal to the best one as an improvement: only a strictly lower loss "
                     "(by more than min_delta) is one, so a plateau runs out of patience"),
    ({"previous": True}, "you compare with the previous epoch's loss: compare with the best loss so far, or a "
                         "noisy curve that wobbles above its best would never stop"),
    ({"no_reset": True}, "the count of epochs without improvement is not reset to 0 when the loss improves"),
    ({"late": True}, "you stop one epoch late: stop as soon as patience epochs in a row brought no improvement "
                     "(bad_epochs >= patience)"),
    ({"patience_override": 5}, "you stop after 5 epochs whatever the patience: use self.patience"),
    ({"min_delta_override": 0.0}, "min_delta is ignored: an improvement must beat the best loss by more than "
                                  "self.min_delta"),
    ({"flipped": True}, "min_delta has the wrong sign: an improvement is val_loss < best_loss - min_delta"),
    ({"nan_improves": True}, "a nan loss counts as an improvement: test val_loss < best_loss - min_delta, which is "
                             "False for nan (not 'not val_loss >= ...')"),
    ({"relative": True}, "min_delta is used as a fraction of the best loss (best_loss * (1 - min_delta)); it is an "
                         "amount of loss: an improvement is val_loss < best_loss - min_delta"),
    ({"best_always": True}, "best_loss follows every new low, even one that is not an improvement by min_delta: "
                            "change best_loss, best_epoch and best_state only on an improvement"),
]


def _stopper_model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))


def _new_weights(model: nn.Module, generator: torch.Generator, epoch: int) -> None:
    """Change every weight and buffer in place, as an optimizer step and batch norm's statistics do."""
    with torch.no_grad():
        for tensor in model.state_dict().values():
            if tensor.is_floating_point():
                tensor.copy_(torch.randn(tensor.shape, generator=generator))
            else:
                tensor.fill_(epoch)


def _state_equal(a: Mapping[str, torch.Tensor], b: Mapping[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[key], b[key]) for key in a)


def _curve_text(losses: Sequence[float]) -> str:
    return "[" + ", ".join("nan" if math.isnan(v) else f"{v:g}" for v in losses) + "]"


def _run_stopper(answer: Any, kwargs: dict[str, Any], losses: Sequence[float], what: str) -> None:
    patience, min_delta = kwargs.get("patience", 5), kwargs.get("min_delta", 0.0)
    shown = ", ".join(f"{key}={value}" for key, value in kwargs.items())
    where = f"EarlyStopping({shown}) on {what}, validation losses {_curve_text(losses)}"
    expected_stop, expected_best = _simulate_early_stopping(losses, patience, min_delta)
    stopper = call(answer, name="EarlyStopping", **kwargs)
    model = _stopper_model()
    generator = torch.Generator().manual_seed(len(losses))
    snapshots: list[dict[str, torch.Tensor]] = []
    stopped_at = None
    for epoch, loss in enumerate(losses, start=1):
        _new_weights(model, generator, epoch)
        snapshots.append({key: value.clone() for key, value in model.state_dict().items()})
        decision = call(stopper.step, loss, model, name="step")
        if not isinstance(decision, (bool, np.bool_)):
            raise Wrong(f"{where}: step returned {decision!r} ({type(decision).__name__}) at epoch {epoch}; it "
                        "should return True (stop now) or False (go on).",
                        hint="End step with: return self.bad_epochs >= self.patience")
        if decision:
            stopped_at = epoch
            break
    if stopped_at != expected_stop:
        said = f"step returned True at epoch {stopped_at}" if stopped_at else "step never returned True"
        should = f"it should stop at epoch {expected_stop}" if expected_stop else "it should never stop"
        seen = (stopped_at, getattr(stopper, "best_epoch", None))
        for flags, why in _STOPPING_MISTAKES:
            flags = dict(flags)
            wrong_patience = flags.pop("patience_override", patience)
            wrong_delta = flags.pop("min_delta_override", min_delta)
            outcome = _simulate_early_stopping(losses, wrong_patience, wrong_delta, **flags)
            if outcome == seen and outcome != (expected_stop, expected_best):
                raise Wrong(f"{where}: {said}, but {should}. It looks as if {why}.")
        raise Wrong(f"{where}: {said}, but {should} (the best epoch is {expected_best}).")
    best_epoch = expect_int(getattr(stopper, "best_epoch", None), f"{where}: best_epoch")
    if best_epoch != expected_best:
        if best_epoch == expected_best - 1:
            raise Wrong(f"{where}: best_epoch is {best_epoch}, expected {expected_best}: epochs count from 1 (the "
                        "first call of step is epoch 1).", hint="Increase self.epoch at the start of step.")
        raise Wrong(f"{where}: best_epoch is {best_epoch}, expected {expected_best}.")
    best_loss = expect_number(getattr(stopper, "best_loss", None), f"{where}: best_loss")
    if not math.isclose(best_loss, losses[expected_best - 1], rel_tol=1e-12):
        raise Wrong(f"{where}: best_loss is {best_loss:g}, expected {losses[expected_best - 1]:g}, the loss of "
                    f"epoch {expected_best}.")
    best_state = getattr(stopper, "best_state", None)
    current = model.state_dict()
    if not isinstance(best_state, Mapping):
        raise Wrong(f"{where}: best_state is {type(best_state).__name__}; it should be a copy of "
                    "model.state_dict(), a dict from names to tensors.",
                    hint="{name: tensor.clone() for name, tensor in model.state_dict().items()}")
    if best_state.keys() != current.keys():
        raise Wrong(f"{where}: best_state has the keys {sorted(best_state)}, but the model's state_dict() has "
                    f"{sorted(current)}. Copy the whole state_dict(): the buffers too (a batch norm's running "
                    "statistics), not only the parameters.")
    for key, tensor in best_state.items():
        if not isinstance(tensor, torch.Tensor):
            raise Wrong(f"{where}: best_state[{key!r}] is {type(tensor).__name__}, expected a tensor.")
        if tensor.data_ptr() == current[key].data_ptr():
            raise Wrong(f"{where}: best_state[{key!r}] is the model's own tensor, not a copy. The optimizer changes "
                        "those tensors in place at every step, so the 'best' weights silently become the latest.",
                        hint="Store copies: {k: v.clone() for k, v in model.state_dict().items()}, or "
                             "copy.deepcopy(model.state_dict()).")
    if not _state_equal(best_state, snapshots[expected_best - 1]):
        if _state_equal(best_state, snapshots[-1]):
            raise Wrong(f"{where}: best_state holds the weights of the last epoch, not of epoch {expected_best}: "
                        "copy the weights only when the loss improves.")
        raise Wrong(f"{where}: best_state does not hold the weights the model had at epoch {expected_best}.")
    stopper.restore(model)  # changes the model in place, as it should (so not through call())
    if not _state_equal(model.state_dict(), snapshots[expected_best - 1]):
        raise Wrong(f"{where}: after restore(model) the model does not have the weights of epoch {expected_best}.")


@exercise(
    "05.2",
    title="Early stopping",
    hint="Trace one curve by hand first: losses 0.9, 0.7, 0.6, 0.62, 0.65, 0.7 with patience 3. At which call "
         "should step return True, and which epoch's weights should best_state hold? Then write step so that it "
         "does exactly that, keeping copies of the tensors, not the model's own.",
)
def early_stopping(answer: Any) -> None:
    """The answer is a class EarlyStopping(patience=5, min_delta=0.0) with step(val_loss, model) and restore(model)."""
    if not isinstance(answer, type):
        raise Wrong(f"Expected the class EarlyStopping itself, got {type(answer).__name__}.",
                    hint='Pass the class, not an instance: check("05.2", EarlyStopping).')
    expect_defaults(answer, name="EarlyStopping", patience=5, min_delta=0.0)
    for name in ("step", "restore"):
        if not callable(getattr(answer, name, None)):
            raise Wrong(f"EarlyStopping has no method {name}: keep the stub's methods step and restore.")
    for kwargs, losses, what in _CURVES:
        _run_stopper(answer, kwargs, losses, what)


# ---------------------------------------------------------------- 05.3 batch norm with running statistics

BATCH_NORM_BUILTINS = (
    "torch.nn.functional.batch_norm",
    "torch.batch_norm",
    "torch.native_batch_norm",
    "torch.nn.BatchNorm1d.forward",
    "torch.nn.modules.batchnorm._BatchNorm.forward",
)
_BATCH_NORM_ADVICE = "Compute the batch mean and variance yourself (x.mean(dim=0), x.var(dim=0, unbiased=False))."
_BUFFERS = ("weight", "bias", "running_mean", "running_var")


def _bn_reference(x: torch.Tensor, state: Mapping[str, torch.Tensor], training: bool, eps: float, momentum: float,
                  variant: str = "") -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(output, new running mean, new running var) of batch norm, or of one of its usual mistakes."""
    with warnings.catch_warnings():  # the unbiased variance of a batch of one is nan, and torch says so
        warnings.simplefilter("ignore")
        return _bn_formulas(x.double(), state, training, eps, momentum, variant)


def _bn_formulas(x: torch.Tensor, state: Mapping[str, torch.Tensor], training: bool, eps: float, momentum: float,
                 variant: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    gamma, beta = state["weight"].double(), state["bias"].double()
    mean_r, var_r = state["running_mean"].double(), state["running_var"].double()
    if training or variant == "eval_batch_stats":
        axis = 1 if variant == "feature_axis" else 0
        mean = x.mean(dim=axis, keepdim=True)
        var = x.var(dim=axis, unbiased=variant == "unbiased_norm", keepdim=True)
        batch_mean, batch_var = x.mean(dim=0), x.var(dim=0, unbiased=variant != "biased_running")
        if variant == "n_from_features":
            batch_var = x.var(dim=0, unbiased=False) * x.shape[1] / (x.shape[1] - 1)
    else:
        mean, var = mean_r, var_r
        batch_mean, batch_var = x.mean(dim=0), x.var(dim=0, unbiased=True)
    if variant == "eps_outside":
        normalised = (x - mean) / (var.sqrt() + eps)
    else:
        normalised = (x - mean) / (var + eps).sqrt()
    out = normalised if variant == "no_affine" else normalised * gamma + beta
    if not training and variant != "eval_updates":
        return out, mean_r, var_r
    if variant == "no_update":
        return out, mean_r, var_r
    if variant == "replace":
        return out, batch_mean, batch_var
    if variant == "momentum_reversed":
        return out, momentum * mean_r + (1 - momentum) * batch_mean, momentum * var_r + (1 - momentum) * batch_var
    if variant == "forget_old":  # right only while the running statistics are still 0 and 1
        return out, momentum * batch_mean, (1 - momentum) + momentum * batch_var
    return out, (1 - momentum) * mean_r + momentum * batch_mean, (1 - momentum) * var_r + momentum * batch_var


_OUTPUT_MISTAKES = {
    "unbiased_norm": "you normalise with the unbiased variance (dividing by N - 1); batch norm normalises with "
                     "the biased one, x.var(dim=0, unbiased=False), and keeps the unbiased one for running_var",
    "feature_axis": "you take the mean and variance of each example over its features (dim=1): that is layer "
                    "norm. Batch norm takes each feature's statistics over the batch (dim=0)",
    "eps_outside": "eps is added outside the square root: divide by sqrt(var + eps)",
    "no_affine": "the learned scale and shift are missing: multiply by self.weight (gamma), then add self.bias (beta)",
    "eval_batch_stats": "in evaluation mode you normalise with the batch's statistics: use self.running_mean and "
                        "self.running_var there, so the output of one example does not depend on the others",
}
_FIXED_SETTINGS = {
    "fixed_eps": "you use eps = 1e-5 whatever the layer was built with: use self.eps",
    "fixed_momentum": "you use momentum = 0.1 whatever the layer was built with: use self.momentum",
}
_RUNNING_MISTAKES = {
    "biased_running": "running_var is updated with the biased batch variance; PyTorch keeps the unbiased one "
                      "(x.var(dim=0, unbiased=True)) in running_var",
    "momentum_reversed": "momentum is used the wrong way round: new = (1 - momentum) * old + momentum * batch "
                         "(batch norm's momentum is the weight of the new batch, unlike an optimizer's)",
    "no_update": "the running statistics are never updated in training mode",
    "replace": "the running statistics are replaced by the batch's: blend them, "
               "new = (1 - momentum) * old + momentum * batch",
    "forget_old": "the old running statistics are dropped from the update (right only while they are still 0 and "
                  "1, as at initialisation): new = (1 - momentum) * old + momentum * batch",
    "n_from_features": "the unbiased variance divides by the number of features minus one: it is N - 1 with N the "
                       "batch size, x.shape[0]",
    "eval_updates": "the running statistics change in evaluation mode: update them only when self.training is True",
}


def _feature_batch(generator: torch.Generator, n: int, c: int, loc: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """A batch whose features have different means and spreads, so the axis and every feature matter."""
    return loc + scale * torch.randn(n, c, generator=generator)


def _state_of(module: nn.Module) -> dict[str, torch.Tensor]:
    return {name: getattr(module, name).detach().clone() for name in _BUFFERS}


def _make_batch_norm(answer: Any, c: int, args: tuple[Any, ...], kwargs: dict[str, Any], where: str) -> nn.Module:
    module = call(answer, c, *args, name="MyBatchNorm1d", **kwargs)
    if not isinstance(module, nn.Module):
        raise Wrong(f"{where}: MyBatchNorm1d(...) is not an nn.Module; keep class MyBatchNorm1d(nn.Module).")
    for name in _BUFFERS:
        tensor = getattr(module, name, None)
        if not isinstance(tensor, torch.Tensor) or tuple(tensor.shape) != (c,):
            raise Wrong(f"{where}: MyBatchNorm1d({c}) should have a tensor {name} of shape ({c},), as in the stub.",
                        hint="Keep the stub's __init__: weight, bias, running_mean and running_var.")
    return module


def _load_state(module: nn.Module, reference: nn.Module) -> None:
    with torch.no_grad():
        for name in _BUFFERS:
            getattr(module, name).copy_(getattr(reference, name))


def _bn_forward(answer: Any, module: nn.Module, x: torch.Tensor, label: str) -> torch.Tensor:
    with forbid(*BATCH_NORM_BUILTINS, answer=answer, instead=_BATCH_NORM_ADVICE):
        return call(module.forward, x, name=label)


def _explain(got: torch.Tensor, candidates: Mapping[str, torch.Tensor], mistakes: Mapping[str, str]) -> str | None:
    for variant, why in mistakes.items():
        candidate = candidates.get(variant)
        if candidate is not None and candidate.shape == got.shape and torch.allclose(
                got.double(), candidate, atol=1e-5, rtol=1e-4):
            return why
    return None


def _check_running(module: nn.Module, reference: nn.Module, before: Mapping[str, torch.Tensor], x: torch.Tensor,
                   training: bool, eps: float, momentum: float, where: str) -> None:
    for index, name in ((1, "running_mean"), (2, "running_var")):
        got = getattr(module, name)
        if got.requires_grad or got.grad_fn is not None:
            raise Wrong(f"{where}: {name} is part of the autograd graph. Running statistics are not learned: "
                        "update them under torch.no_grad() (or from x.detach()), or every step keeps the previous "
                        "graphs alive.")
        expected = getattr(reference, name).detach()
        if got.shape == expected.shape and torch.allclose(got.double(), expected.double(), atol=1e-6, rtol=1e-5):
            continue
        candidates = {variant: _bn_reference(x, before, training, eps, momentum, variant)[index]
                      for variant in _RUNNING_MISTAKES}
        if momentum != 0.1:
            candidates["fixed_momentum"] = _bn_reference(x, before, training, eps, 0.1)[index]
        why = _explain(got.detach(), candidates, {**_RUNNING_MISTAKES, **_FIXED_SETTINGS})
        if why:
            raise Wrong(f"{where}: {name} is wrong: {why}.")
        assert_tensor_close(got, expected, f"{where}: {name}", atol=1e-6, rtol=1e-5)


def _check_batch_norm_run(answer: Any, n: int, c: int, args: tuple[Any, ...], kwargs: dict[str, Any],
                          seed: int) -> None:
    eps = kwargs.get("eps", args[0] if args else 1e-5)
    momentum = kwargs.get("momentum", args[1] if len(args) > 1 else 0.1)
    settings = ", ".join([*map(repr, args), *(f"{key}={value}" for key, value in kwargs.items())])
    label = f"MyBatchNorm1d({c}{', ' + settings if settings else ''})"
    generator = torch.Generator().manual_seed(seed)
    loc, scale = 2 * torch.randn(c, generator=generator), 0.5 + 2.5 * torch.rand(c, generator=generator)
    reference = randomize_module(nn.BatchNorm1d(c, eps=eps, momentum=momentum), seed)
    module = _make_batch_norm(answer, c, args, kwargs, label)
    _load_state(module, reference)
    module.train()
    reference.train()
    for step in range(1, 4):
        where = f"{label} in training mode, step {step} (a batch of {n})"
        x = _feature_batch(generator, n, c, loc, scale)
        before = _state_of(reference)
        with torch.no_grad():
            expected = reference(x)
        got = expect_tensor(_bn_forward(answer, module, x, label), f"{where}: the output", shape=(n, c),
                            floating=True)
        if not torch.allclose(got.detach().double(), expected.double(), atol=1e-5, rtol=1e-4):
            candidates = {variant: _bn_reference(x, before, True, eps, momentum, variant)[0]
                          for variant in _OUTPUT_MISTAKES}
            if eps != 1e-5:
                candidates["fixed_eps"] = _bn_reference(x, before, True, 1e-5, momentum)[0]
            why = _explain(got.detach(), candidates, {**_OUTPUT_MISTAKES, **_FIXED_SETTINGS})
            if why:
                raise Wrong(f"{where}: the output is wrong: {why}.")
            if torch.allclose(got.detach().double(), _bn_reference(x, before, False, eps, momentum)[0],
                              atol=1e-5, rtol=1e-4):
                raise Wrong(f"{where}: in training mode you normalise with the running statistics: training "
                            "mode uses the batch's own mean and variance (check self.training).")
            assert_tensor_close(got, expected, f"{where}: the output", atol=1e-5, rtol=1e-4)
        _check_running(module, reference, before, x, True, eps, momentum, where)
    # Evaluation mode, after training: the running statistics, for a batch of one as well.
    module.eval()
    reference.eval()
    for size in (1, 5):
        where = f"{label} in evaluation mode after 3 training steps (a batch of {size})"
        x = _feature_batch(generator, size, c, loc, scale)
        before = _state_of(reference)
        with torch.no_grad():
            expected = reference(x)
        got = expect_tensor(_bn_forward(answer, module, x, label), f"{where}: the output", shape=(size, c),
                            floating=True)
        if not torch.allclose(got.detach().double(), expected.double(), atol=1e-5, rtol=1e-4):
            candidates = {variant: _bn_reference(x, before, False, eps, momentum, variant)[0]
                          for variant in _OUTPUT_MISTAKES}
            why = _explain(got.detach(), candidates, _OUTPUT_MISTAKES)
            if why:
                raise Wrong(f"{where}: the output is wrong: {why}.")
            assert_tensor_close(got, expected, f"{where}: the output", atol=1e-5, rtol=1e-4)
        _check_running(module, reference, before, x, False, eps, momentum, where)


def _check_batch_norm_backward(answer: Any, n: int, c: int, seed: int) -> None:
    where = f"MyBatchNorm1d({c}) in training mode, backward pass (a batch of {n})"
    generator = torch.Generator().manual_seed(seed)
    loc, scale = 2 * torch.randn(c, generator=generator), 0.5 + 2.5 * torch.rand(c, generator=generator)
    x = _feature_batch(generator, n, c, loc, scale)
    reference = randomize_module(nn.BatchNorm1d(c), seed)
    module = _make_batch_norm(answer, c, (), {}, f"MyBatchNorm1d({c})")
    _load_state(module, reference)
    reference.train()
    module.train()
    expected = forward_backward(reference, [x], module=reference, seed=seed)
    with forbid(*BATCH_NORM_BUILTINS, answer=answer, instead=_BATCH_NORM_ADVICE):
        got = forward_backward(lambda t: call(module, t, name=f"MyBatchNorm1d({c})"), [x], module=module, seed=seed)
    for name in ("running_mean", "running_var"):
        tensor = getattr(module, name)
        if tensor.requires_grad or tensor.grad_fn is not None:
            raise Wrong(f"{where}: {name} is part of the autograd graph. Running statistics are not learned: "
                        "update them under torch.no_grad() (or from x.detach()).")
    for name in ("weight", "bias"):
        if got.parameters.get(name) is None:
            raise Wrong(f"{where}: no gradient reached self.{name}: compute the output from the parameters "
                        "self.weight and self.bias, so that the network can learn them.")
    input_grad = got.inputs[0]
    if input_grad is None:
        raise Wrong(f"{where}: no gradient reached x.")
    if not torch.allclose(input_grad.double(), expected.inputs[0].double(), atol=1e-5, rtol=1e-4):
        detached = (got.output.double() - expected.output.double()).abs().max().item() < 1e-4
        extra = (" The output is right, so the gradient misses the paths through the batch mean and variance: "
                 "did you .detach() them (or compute them with torch.no_grad() or NumPy)? In training mode each "
                 "output depends on every example of the batch, and autograd must see it.") if detached else ""
        raise Wrong(f"{where}: the gradient with respect to x differs from nn.BatchNorm1d's by up to "
                    f"{(input_grad - expected.inputs[0]).abs().max().item():.3g}.{extra}")
    for name in ("weight", "bias"):
        assert_tensor_close(got.parameters[name], expected.parameters[name], f"{where}: the gradient of self.{name}",
                            atol=1e-5, rtol=1e-4)


@exercise(
    "05.3",
    title="Batch normalization with running statistics",
    hint="Write the training branch first and compare it with nn.BatchNorm1d on one batch: which statistics "
         "normalise the output, and which variance goes into running_var? The evaluation branch only reads the "
         "buffers.",
)
def batch_norm(answer: Any) -> None:
    """The answer is a class MyBatchNorm1d(nn.Module) with MyBatchNorm1d(num_features, eps=1e-5, momentum=0.1)."""
    if not isinstance(answer, type):
        raise Wrong(f"Expected the class MyBatchNorm1d itself, got {type(answer).__name__}.",
                    hint='Pass the class, not an instance: check("05.3", MyBatchNorm1d).')
    if not issubclass(answer, nn.Module):
        raise Wrong("MyBatchNorm1d should be a subclass of nn.Module, as in the stub.")
    expect_defaults(answer, name="MyBatchNorm1d", eps=1e-5, momentum=0.1)
    (n_random, c_random), = random_shapes(3, ndims=(2,), low=3, high=11)
    runs = [  # batch size, features, positional and keyword arguments
        (8, 3, (), {}),
        (2, 5, (), {"eps": 0.1, "momentum": 0.3}),
        (13, 6, (1e-3, 0.5), {}),
        (n_random, c_random, (), {"momentum": 0.2}),
    ]
    for index, (n, c, args, kwargs) in enumerate(runs):
        _check_batch_norm_run(answer, n, c, args, kwargs, seed=10 + index)
    for index, (n, c) in enumerate([(7, 4), (3, 9)]):
        _check_batch_norm_backward(answer, n, c, seed=20 + index)


# ---------------------------------------------------------------- 05.4 predict: momentum and the step size

exercise(
    "05.4",
    title="Momentum and the size of the steps",
    hint="Suppose the gradient g stays the same for many steps. Follow v = beta * v + g from v = 0: what value does "
         "v settle at? (Sum the geometric series 1 + beta + beta^2 + ...)",
)(
    multiple_choice(
        correct="c",
        feedback={
            "a": "Momentum does smooth the noise, but it also changes the size of the steps: with a gradient that "
                 "stays the same, the velocity keeps growing for a while before it settles.",
            "b": "That would be true if the velocity only added one earlier gradient, beta * g. It adds all of "
                 "them, each one shrunk by another factor beta: g (1 + beta + beta^2 + ...).",
            "c": "Right: v settles at g (1 + beta + beta^2 + ...) = g / (1 - beta) = 10 g, so momentum 0.9 at "
                 "learning rate 0.05 takes the steps plain SGD takes at 0.5.",
            "d": "Momentum does not shrink the steps: each new velocity adds the new gradient to a shrunk copy of "
                 "the old velocity, so steps grow where the gradient keeps its direction.",
        },
    )
)


# ---------------------------------------------------------------- 05.5 warm-up and cosine decay


def _schedule(step: int, total: int, peak: float, warmup: int = 0, final: float = 0.0, variant: str = "") -> float:
    if step < warmup:
        if variant == "warmup_plus_one":
            return peak * (step + 1) / warmup
        if variant == "warmup_integer":
            return peak * (step // warmup)
        return peak * step / warmup
    progress = step / total if variant == "cosine_from_zero" else (step - warmup) / (total - warmup)
    if variant == "linear":
        return final + (peak - final) * (1 - progress)
    if variant == "full_period":
        wave = (1 + math.cos(2 * math.pi * progress)) / 2
    elif variant == "rising":
        wave = (1 - math.cos(math.pi * progress)) / 2
    else:
        wave = (1 + math.cos(math.pi * progress)) / 2
    if variant == "no_final":
        return peak * wave
    if variant == "final_added":
        return final + peak * wave
    return final + (peak - final) * wave


_SCHEDULE_MISTAKES = {
    "warmup_plus_one": "the warm-up is one step ahead: it should start at 0 at step 0 and reach peak_lr at step "
                       "warmup_steps (lr = peak_lr * step / warmup_steps)",
    "warmup_integer": "the warm-up uses integer division (step // warmup_steps), which is 0 until it jumps: use /",
    "cosine_from_zero": "the cosine starts at step 0 instead of at the end of the warm-up: measure the progress "
                        "from step = warmup_steps",
    "linear": "the decay is a straight line; it should follow half a cosine wave",
    "full_period": "the cosine makes a whole period, so the learning rate climbs back to peak_lr at the end: use "
                   "half a period (cos of pi * progress)",
    "rising": "the cosine part rises from final_lr to peak_lr: it should fall from peak_lr to final_lr",
    "no_final": "final_lr is ignored: the learning rate should end at final_lr, not at 0",
    "final_added": "final_lr is added on top of the whole wave: the wave should span from peak_lr down to final_lr, "
                   "final_lr + (peak_lr - final_lr) * (1 + cos(pi * progress)) / 2",
}


@exercise(
    "05.5",
    title="Warm-up, then cosine decay",
    hint="Handle the two pieces separately. For the cosine piece, first turn the step into how far through the "
         "decay you are, from 0 at step = warmup_steps to 1 at step = total_steps; then find an expression with "
         "math.cos that falls from 1 to 0 as that number goes from 0 to 1.",
)
def warmup_cosine(answer: Any) -> None:
    """The answer is a function warmup_cosine(step, total_steps, peak_lr, warmup_steps=0, final_lr=0.0) -> float."""
    expect_function(answer, "warmup_cosine(step, total_steps, peak_lr, warmup_steps=0, final_lr=0.0)")
    expect_defaults(answer, name="warmup_cosine", warmup_steps=0, final_lr=0.0)
    cases: list[tuple[int, float, dict[str, Any]]] = [
        (100, 0.1, {}),
        (50, 0.3, {"warmup_steps": 10, "final_lr": 0.01}),
        (37, 2.0, {"warmup_steps": 5, "final_lr": 0.5}),
        (12, 1.0, {"warmup_steps": 11}),
        (80, 0.05, {"final_lr": 0.02}),
    ]
    for total, peak, kwargs in cases:
        warmup, final = kwargs.get("warmup_steps", 0), kwargs.get("final_lr", 0.0)
        shown = ", ".join(f"{key}={value}" for key, value in kwargs.items())
        label = f"warmup_cosine(step, total_steps={total}, peak_lr={peak}{', ' + shown if shown else ''})"
        got = [expect_number(call(answer, step, total, peak, name="warmup_cosine", **kwargs),
                             f"{label} at step {step}") for step in range(total + 1)]
        expected = [_schedule(step, total, peak, warmup, final) for step in range(total + 1)]
        bad = [step for step in range(total + 1) if not math.isclose(got[step], expected[step],
                                                                      rel_tol=1e-9, abs_tol=1e-12)]
        if not bad:
            continue
        for variant, why in _SCHEDULE_MISTAKES.items():
            wrong = [_schedule(step, total, peak, warmup, final, variant) for step in range(total + 1)]
            if wrong != expected and all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) for a, b in zip(got, wrong,
                                                                                                         strict=True)):
                raise Wrong(f"{label}: {why}.")
        step = bad[0]
        raise Wrong(f"{label} at step {step} returned {got[step]:.6g}, expected {expected[step]:.6g}. The schedule "
                    f"should be 0 at step 0, reach peak_lr at step warmup_steps ({warmup}) and end at final_lr at "
                    f"step total_steps ({total}).")
    # With no warm-up it is exactly PyTorch's CosineAnnealingLR (closed form, T_max = total_steps).
    total, peak, final = 30, 0.2, 0.005
    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=peak)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total, eta_min=final)
    for step in range(total):
        torch_lr = scheduler.get_last_lr()[0]
        mine = expect_number(call(answer, step, total, peak, final_lr=final, name="warmup_cosine"), "warmup_cosine")
        if not math.isclose(mine, torch_lr, rel_tol=1e-6, abs_tol=1e-9):
            raise Wrong(f"Without warm-up, warmup_cosine(step={step}, total_steps={total}, peak_lr={peak}, "
                        f"final_lr={final}) gives {mine:.6g}, but PyTorch's CosineAnnealingLR gives {torch_lr:.6g}.")
        optimizer.step()
        scheduler.step()

