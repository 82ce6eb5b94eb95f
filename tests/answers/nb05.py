"""Answers for the exercises of notebook 05: plausible mistakes (each must fail) and other right answers."""

from __future__ import annotations

import copy
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# ---------------------------------------------------------------- 05.1 inverted dropout


def _dropout_stub(x, p=0.5, training=True):
    # Your code here: torch.rand_like(x) gives uniform random numbers of the same shape as x.
    ...


def _right_dropout(x, p=0.5, training=True):
    if not training or p == 0:
        return x
    keep = (torch.rand_like(x) > p).float()
    return x * keep / (1 - p)


def _right_dropout_where(x, p=0.5, training=True):
    if not training:
        return x
    return torch.where(torch.rand_like(x) < p, torch.zeros_like(x), x / (1 - p))


def _right_dropout_bernoulli(x, p=0.5, training=True):
    if not training or p == 0:
        return x.clone()
    return x * torch.bernoulli(torch.full_like(x, 1 - p)) / (1 - p)


def _no_scaling(x, p=0.5, training=True):
    if not training:
        return x
    return x * (torch.rand_like(x) > p).float()


def _keep_with_p(x, p=0.5, training=True):
    if not training or p == 0:
        return x
    return x * (torch.rand_like(x) < p).float() / p


def _bernoulli_of_p(x, p=0.5, training=True):  # keeps with probability p instead of 1 - p
    if not training or p == 0:
        return x
    return x * torch.bernoulli(torch.full_like(x, p)) / (1 - p)


def _multiply_by_keep(x, p=0.5, training=True):
    if not training:
        return x
    return x * (torch.rand_like(x) > p).float() * (1 - p)


def _divide_by_p(x, p=0.5, training=True):
    if not training or p == 0:
        return x
    return x * (torch.rand_like(x) > p).float() / p


def _drops_in_eval(x, p=0.5, training=True):
    return x * (torch.rand_like(x) > p).float() / (1 - p)


def _old_style_eval(x, p=0.5, training=True):
    if not training:
        return x * (1 - p)
    return x * (torch.rand_like(x) > p).float()


def _rescales_in_eval(x, p=0.5, training=True):
    if not training:
        return x / (1 - p)
    return x * (torch.rand_like(x) > p).float() / (1 - p)


def _fixed_mask(x, p=0.5, training=True):
    if not training or p == 0:
        return x
    generator = torch.Generator().manual_seed(0)
    keep = (torch.rand(x.shape, generator=generator) > p).float()
    return x * keep / (1 - p)


def _in_place(x, p=0.5, training=True):  # right values, but it overwrites the caller's tensor
    if not training or p == 0:
        return x
    x[torch.rand_like(x) < p] = 0
    x /= 1 - p
    return x


def _uses_builtin(x, p=0.5, training=True):
    return F.dropout(x, p, training)


def _uses_module(x, p=0.5, training=True):
    layer = nn.Dropout(p)
    layer.train(training)
    return layer(x)


def _one_mask_per_column(x, p=0.5, training=True):  # the same mask for every row
    if not training or p == 0:
        return x
    return x * (torch.rand(x.shape[-1]) > p).float() / (1 - p)


def _one_mask_per_row(x, p=0.5, training=True):  # drops whole rows
    if not training or p == 0:
        return x
    return x * (torch.rand(x.shape[0], *[1] * (x.dim() - 1)) > p).float() / (1 - p)


def _hard_coded_shape(x, p=0.5, training=True):  # the mask has the shape of the notebook's example
    if not training or p == 0:
        return x
    return x * (torch.rand(1000, 100) > p).float() / (1 - p)


def _ignores_p(x, p=0.5, training=True):  # always drops half
    if not training:
        return x
    return x * (torch.rand_like(x) > 0.5).float() / 0.5


def _only_2d(x, p=0.5, training=True):  # hard-coded to matrices
    if not training or p == 0:
        return x
    return x * (torch.rand(x.shape[0], x.shape[1]) > p).float() / (1 - p)


def _returns_numpy(x, p=0.5, training=True):
    if not training or p == 0:
        return x
    keep = np.random.default_rng().random(x.shape) > p
    return x.detach().numpy() * keep / (1 - p)


def _float32_always(x, p=0.5, training=True):  # loses float64 precision
    if not training or p == 0:
        return x
    return x.float() * (torch.rand(x.shape) > p).float() / (1 - p)


def _detached(x, p=0.5, training=True):  # no gradient flows back through the layer
    if not training or p == 0:
        return x
    return x.detach() * (torch.rand_like(x) > p).float() / (1 - p)


def _fixed_count(x, p=0.5, training=True):  # drops exactly round(p * n) entries: no independent coin flips
    if not training or p == 0:
        return x
    keep = torch.ones(x.numel(), dtype=x.dtype)
    keep[torch.randperm(x.numel())[: round(p * x.numel())]] = 0
    return x * keep.view_as(x) / (1 - p)


def _right_dropout_bernoulli_(x, p=0.5, training=True):  # an in-place draw, but into a new tensor
    if training:
        return x * torch.empty_like(x).bernoulli_(1 - p).div_(1 - p)
    return x


def _wrong_default_p(x, p=0.1, training=True):
    return _right_dropout(x, p, training)


def _no_defaults(x, p, training):
    return _right_dropout(x, p, training)


# ---------------------------------------------------------------- 05.2 early stopping


class _EarlyStoppingBase:
    def __init__(self, patience=5, min_delta=0.0):
        self.patience = patience
        self.min_delta = min_delta
        self.best_loss = math.inf
        self.best_epoch = 0
        self.best_state = None
        self.epoch = 0
        self.bad_epochs = 0

    def restore(self, model):
        model.load_state_dict(self.best_state)


class _stub_EarlyStopping(_EarlyStoppingBase):
    def step(self, val_loss, model):
        """Record one epoch; return True when training should stop."""
        # Your code here
        ...


class _RightStopper(_EarlyStoppingBase):
    def step(self, val_loss, model):
        self.epoch += 1
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, self.epoch, 0
            self.best_state = {name: tensor.clone() for name, tensor in model.state_dict().items()}
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience


class _RightStopperDeepcopy(_EarlyStoppingBase):  # another way to copy, another way to count
    def step(self, val_loss, model):
        self.epoch += 1
        improved = val_loss < self.best_loss - self.min_delta
        if improved:
            self.best_loss = val_loss
            self.best_epoch = self.epoch
            self.best_state = copy.deepcopy(model.state_dict())
        self.bad_epochs = 0 if improved else self.bad_epochs + 1
        return bool(self.bad_epochs == self.patience)


class _RightStopperHistory(_EarlyStoppingBase):  # keeps every loss and works from the history
    def step(self, val_loss, model):
        self.epoch += 1
        if not hasattr(self, "history"):
            self.history = []
        self.history.append(val_loss)
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = val_loss, self.epoch
            self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        self.bad_epochs = self.epoch - self.best_epoch
        return self.epoch - self.best_epoch >= self.patience


class _StopperNoCopy(_RightStopper):  # stores references: the optimizer overwrites them in place
    def step(self, val_loss, model):
        self.epoch += 1
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, self.epoch, 0
            self.best_state = model.state_dict()
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience


class _StopperShallowCopy(_RightStopper):  # a new dict, the same tensors
    def step(self, val_loss, model):
        self.epoch += 1
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, self.epoch, 0
            self.best_state = copy.copy(model.state_dict())
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience


class _StopperParametersOnly(_RightStopper):  # forgets the buffers (batch norm statistics)
    def step(self, val_loss, model):
        self.epoch += 1
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, self.epoch, 0
            self.best_state = {name: p.detach().clone() for name, p in model.named_parameters()}
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience


class _StopperModelCopy(_RightStopper):  # keeps a copy of the module instead of its state_dict
    def step(self, val_loss, model):
        self.epoch += 1
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, self.epoch, 0
            self.best_state = copy.deepcopy(model)
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience


class _StopperEveryEpoch(_RightStopper):  # copies the weights every epoch, not only at the best one
    def step(self, val_loss, model):
        self.epoch += 1
        self.best_state = {name: tensor.clone() for name, tensor in model.state_dict().items()}
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, self.epoch, 0
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience


class _StopperTies(_RightStopper):  # a tie counts as an improvement
    def step(self, val_loss, model):
        self.epoch += 1
        if val_loss <= self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, self.epoch, 0
            self.best_state = {name: tensor.clone() for name, tensor in model.state_dict().items()}
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience


class _StopperPrevious(_RightStopper):  # compares with the previous epoch, not with the best
    def step(self, val_loss, model):
        self.epoch += 1
        previous = getattr(self, "previous", math.inf)
        self.previous = val_loss
        if val_loss < previous - self.min_delta:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, self.epoch, 0
            self.best_state = {name: tensor.clone() for name, tensor in model.state_dict().items()}
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience


class _StopperNoReset(_RightStopper):  # counts every bad epoch since the start
    def step(self, val_loss, model):
        self.epoch += 1
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = val_loss, self.epoch
            self.best_state = {name: tensor.clone() for name, tensor in model.state_dict().items()}
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience


class _StopperRelativeDelta(_RightStopper):  # min_delta as a fraction of the best loss
    def step(self, val_loss, model):
        self.epoch += 1
        if val_loss < self.best_loss * (1 - self.min_delta):
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, self.epoch, 0
            self.best_state = {name: tensor.clone() for name, tensor in model.state_dict().items()}
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience


class _StopperLate(_RightStopper):  # off by one
    def step(self, val_loss, model):
        super().step(val_loss, model)
        return self.bad_epochs > self.patience


class _StopperPatienceFive(_RightStopper):  # hard-coded patience
    def step(self, val_loss, model):
        super().step(val_loss, model)
        return self.bad_epochs >= 5


class _StopperNoMinDelta(_RightStopper):
    def step(self, val_loss, model):
        self.epoch += 1
        if val_loss < self.best_loss:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, self.epoch, 0
            self.best_state = {name: tensor.clone() for name, tensor in model.state_dict().items()}
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience


class _StopperMinDeltaSign(_RightStopper):
    def step(self, val_loss, model):
        self.epoch += 1
        if val_loss < self.best_loss + self.min_delta:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, self.epoch, 0
            self.best_state = {name: tensor.clone() for name, tensor in model.state_dict().items()}
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience


class _StopperNanImproves(_RightStopper):  # "not worse" is not "better" when the loss is nan
    def step(self, val_loss, model):
        self.epoch += 1
        if val_loss >= self.best_loss - self.min_delta:
            self.bad_epochs += 1
        else:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, self.epoch, 0
            self.best_state = {name: tensor.clone() for name, tensor in model.state_dict().items()}
        return self.bad_epochs >= self.patience


class _StopperZeroBased(_RightStopper):  # counts epochs from 0
    def step(self, val_loss, model):
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, self.epoch, 0
            self.best_state = {name: tensor.clone() for name, tensor in model.state_dict().items()}
        else:
            self.bad_epochs += 1
        self.epoch += 1
        return self.bad_epochs >= self.patience


class _StopperReturnsNone(_RightStopper):  # forgets to return False
    def step(self, val_loss, model):
        if super().step(val_loss, model):
            return True


class _StopperReturnsInt(_RightStopper):
    def step(self, val_loss, model):
        return int(super().step(val_loss, model))


class _StopperRestoresInStep(_RightStopper):  # loads the best weights into the model inside step
    def step(self, val_loss, model):
        stop = super().step(val_loss, model)
        if stop:
            model.load_state_dict(self.best_state)
        return stop


class _StopperWrongDefaults(_RightStopper):
    def __init__(self, patience=10, min_delta=0.0):
        super().__init__(patience, min_delta)


# ---------------------------------------------------------------- 05.3 batch norm with running statistics


class _BatchNormBase(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))


class _stub_BatchNorm(_BatchNormBase):
    def forward(self, x):
        # Your code here: use self.training to choose between the two modes.
        ...


class _RightBatchNorm(_BatchNormBase):
    def forward(self, x):
        if self.training:
            mean = x.mean(dim=0)
            var = x.var(dim=0, unbiased=False)
            with torch.no_grad():
                n = x.shape[0]
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        return (x - mean) / torch.sqrt(var + self.eps) * self.weight + self.bias


class _RightBatchNormVarMean(_BatchNormBase):  # torch.var_mean, lerp_ and reassigned buffers
    def forward(self, x):
        if not self.training:
            x_hat = (x - self.running_mean) * torch.rsqrt(self.running_var + self.eps)
            return self.weight * x_hat + self.bias
        var, mean = torch.var_mean(x, dim=0, correction=0)
        unbiased = torch.var(x.detach(), dim=0, correction=1)
        self.running_mean.lerp_(mean.detach(), self.momentum)
        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * unbiased
        return self.weight * (x - mean) / (var + self.eps).sqrt() + self.bias


class _RightBatchNormSums(_BatchNormBase):  # written with sums, keepdim and unsqueezed parameters
    def forward(self, x):
        n = x.shape[0]
        if self.training:
            mean = x.sum(dim=0, keepdim=True) / n
            centred = x - mean
            var = (centred**2).sum(dim=0, keepdim=True) / n
            self.running_mean.copy_((1 - self.momentum) * self.running_mean + self.momentum * mean.detach()[0])
            self.running_var.copy_((1 - self.momentum) * self.running_var
                                   + self.momentum * var.detach()[0] * n / (n - 1))
        else:
            centred = x - self.running_mean[None, :]
            var = self.running_var[None, :]
        return centred / (var + self.eps) ** 0.5 * self.weight[None, :] + self.bias[None, :]


def _batch_norm_variant(**mistakes):
    """A batch norm with one plausible mistake switched on."""

    class Variant(_BatchNormBase):
        def forward(self, x):
            axis = 1 if mistakes.get("feature_axis") else 0
            n = x.shape[1] if mistakes.get("n_from_features") else x.shape[0]
            if mistakes.get("fixed_n"):
                n = 64  # the batch size of the notebook's example
            momentum = 0.1 if mistakes.get("fixed_momentum") else self.momentum
            eps = 1e-5 if mistakes.get("fixed_eps") else self.eps
            use_batch = self.training or mistakes.get("eval_batch_stats")
            if use_batch:
                mean = x.mean(dim=axis, keepdim=True)
                var = x.var(dim=axis, unbiased=bool(mistakes.get("unbiased_norm")), keepdim=True)
                if mistakes.get("detach_stats"):
                    mean, var = mean.detach(), var.detach()
            else:
                mean, var = self.running_mean, self.running_var
            if (self.training or mistakes.get("eval_updates")) and not mistakes.get("no_update"):
                batch_mean = x.mean(dim=0)
                batch_var = x.var(dim=0, unbiased=False)
                if not mistakes.get("biased_running"):
                    batch_var = batch_var * n / (n - 1)
                if not mistakes.get("keep_graph"):
                    batch_mean, batch_var = batch_mean.detach(), batch_var.detach()
                if mistakes.get("momentum_reversed"):
                    new_mean = momentum * self.running_mean + (1 - momentum) * batch_mean
                    new_var = momentum * self.running_var + (1 - momentum) * batch_var
                elif mistakes.get("replace"):
                    new_mean, new_var = batch_mean, batch_var
                elif mistakes.get("forget_old"):
                    new_mean, new_var = momentum * batch_mean, (1 - momentum) + momentum * batch_var
                else:
                    new_mean = (1 - momentum) * self.running_mean + momentum * batch_mean
                    new_var = (1 - momentum) * self.running_var + momentum * batch_var
                self.running_mean, self.running_var = new_mean, new_var
            if mistakes.get("eps_outside"):
                normalised = (x - mean) / (var.sqrt() + eps)
            else:
                normalised = (x - mean) / (var + eps).sqrt()
            if mistakes.get("no_affine"):
                return normalised
            if mistakes.get("swap_affine"):
                return normalised * self.bias + self.weight
            return normalised * self.weight + self.bias

    Variant.__name__ = "BatchNorm_" + "_".join(mistakes)
    return Variant


class _BatchNormInPlace(_BatchNormBase):  # right numbers, but it overwrites the caller's batch
    def forward(self, x):
        if self.training:
            mean, var = x.mean(dim=0), x.var(dim=0, unbiased=False)
            with torch.no_grad():
                n = x.shape[0]
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        x -= mean
        x /= torch.sqrt(var + self.eps)
        return x * self.weight + self.bias


class _BatchNormFunctional(_BatchNormBase):  # right, but it calls the builtin the exercise forbids
    def forward(self, x):
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, self.training,
                            self.momentum, self.eps)


class _BatchNormSubclass(nn.BatchNorm1d):  # right, but nn.BatchNorm1d does all the work
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__(num_features, eps=eps, momentum=momentum)

    def forward(self, x):
        return super().forward(x)


class _BatchNormNumpy(_RightBatchNorm):
    def forward(self, x):
        return super().forward(x).detach().numpy()


class _BatchNormWrongDefaults(_RightBatchNorm):
    def __init__(self, num_features, eps=1e-3, momentum=0.9):
        super().__init__(num_features, eps, momentum)


# ---------------------------------------------------------------- 05.5 warm-up and cosine decay


def _schedule_stub(step, total_steps, peak_lr, warmup_steps=0, final_lr=0.0):
    # Your code here
    ...


def _right_schedule(step, total_steps, peak_lr, warmup_steps=0, final_lr=0.0):
    if step < warmup_steps:
        return peak_lr * step / warmup_steps
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return final_lr + (peak_lr - final_lr) * 0.5 * (1 + math.cos(math.pi * progress))


def _right_schedule_numpy(step, total_steps, peak_lr, warmup_steps=0, final_lr=0.0):
    if warmup_steps and step <= warmup_steps:
        return float(np.interp(step, [0, warmup_steps], [0.0, peak_lr]))
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return float(final_lr + (peak_lr - final_lr) * np.cos(np.pi * progress / 2) ** 2)


def _schedule_variant(kind):
    def schedule(step, total_steps, peak_lr, warmup_steps=0, final_lr=0.0):
        if step < warmup_steps:
            if kind == "warmup_plus_one":
                return peak_lr * (step + 1) / warmup_steps
            if kind == "warmup_integer":
                return peak_lr * (step // warmup_steps)
            return peak_lr * step / warmup_steps
        if kind == "cosine_from_zero":
            progress = step / total_steps
        elif kind == "progress_over_total":
            progress = (step - warmup_steps) / total_steps
        elif kind == "total_hard_coded":
            progress = (step - warmup_steps) / (100 - warmup_steps)
        else:
            progress = (step - warmup_steps) / (total_steps - warmup_steps)
        if kind == "linear":
            return final_lr + (peak_lr - final_lr) * (1 - progress)
        wave = {"full_period": (1 + math.cos(2 * math.pi * progress)) / 2,
                "rising": (1 - math.cos(math.pi * progress)) / 2}.get(kind, (1 + math.cos(math.pi * progress)) / 2)
        if kind == "no_final":
            return peak_lr * wave
        if kind == "final_added":
            return final_lr + peak_lr * wave
        if kind == "tensor":
            return torch.tensor(final_lr + (peak_lr - final_lr) * wave)
        return final_lr + (peak_lr - final_lr) * wave

    schedule.__name__ = f"schedule_{kind}"
    return schedule


def _right_schedule_guarded(step, total_steps, peak_lr, warmup_steps=0, final_lr=0.0):
    warm = step / max(1, warmup_steps) * peak_lr  # computed always, used only during the warm-up
    decay = final_lr + 0.5 * (peak_lr - final_lr) * (1 + math.cos(math.pi * (step - warmup_steps)
                                                                  / (total_steps - warmup_steps)))
    return warm if step < warmup_steps else decay


def _schedule_no_defaults(step, total_steps, peak_lr, warmup_steps, final_lr):
    return _right_schedule(step, total_steps, peak_lr, warmup_steps, final_lr)


def _schedule_default_warmup(step, total_steps, peak_lr, warmup_steps=10, final_lr=0.0):
    return _right_schedule(step, total_steps, peak_lr, warmup_steps, final_lr)


def _schedule_always_divides(step, total_steps, peak_lr, warmup_steps=0, final_lr=0.0):
    warm = peak_lr * min(1.0, step / warmup_steps)  # ZeroDivisionError without warm-up
    progress = max(0.0, (step - warmup_steps) / (total_steps - warmup_steps))
    return min(warm, final_lr + (peak_lr - final_lr) * 0.5 * (1 + math.cos(math.pi * progress)))


WRONG_ANSWERS: dict[str, list[object]] = {
    "05.1": [
        _dropout_stub,
        _no_scaling,
        _keep_with_p,
        _bernoulli_of_p,
        _multiply_by_keep,
        _divide_by_p,
        _drops_in_eval,
        _old_style_eval,
        _rescales_in_eval,
        _fixed_mask,
        _in_place,
        _uses_builtin,
        _uses_module,
        _one_mask_per_column,
        _one_mask_per_row,
        _hard_coded_shape,
        _ignores_p,
        _only_2d,
        _returns_numpy,
        _float32_always,
        _detached,
        _wrong_default_p,
        _no_defaults,
        _fixed_count,
        lambda x, p=0.5, training=True: x,  # never drops anything
        lambda x, p=0.5, training=True: x.foo,  # crashes
    ],
    "05.2": [
        _stub_EarlyStopping,
        _StopperNoCopy,
        _StopperShallowCopy,
        _StopperParametersOnly,
        _StopperModelCopy,
        _StopperEveryEpoch,
        _StopperTies,
        _StopperPrevious,
        _StopperNoReset,
        _StopperLate,
        _StopperPatienceFive,
        _StopperNoMinDelta,
        _StopperMinDeltaSign,
        _StopperRelativeDelta,
        _StopperNanImproves,
        _StopperZeroBased,
        _StopperReturnsNone,
        _StopperReturnsInt,
        _StopperRestoresInStep,
        _StopperWrongDefaults,
        _RightStopper(),  # an instance, not the class
    ],
    "05.3": [
        _stub_BatchNorm,
        _batch_norm_variant(unbiased_norm=True),
        _batch_norm_variant(biased_running=True),
        _batch_norm_variant(momentum_reversed=True),
        _batch_norm_variant(no_update=True),
        _batch_norm_variant(replace=True),
        _batch_norm_variant(forget_old=True),
        _batch_norm_variant(eval_batch_stats=True),
        _batch_norm_variant(eval_updates=True),
        _batch_norm_variant(feature_axis=True),
        _batch_norm_variant(n_from_features=True),
        _batch_norm_variant(fixed_n=True),
        _batch_norm_variant(eps_outside=True),
        _batch_norm_variant(fixed_eps=True),
        _batch_norm_variant(fixed_momentum=True),
        _batch_norm_variant(no_affine=True),
        _batch_norm_variant(swap_affine=True),
        _batch_norm_variant(detach_stats=True),
        _batch_norm_variant(keep_graph=True),
        _BatchNormInPlace,
        _BatchNormFunctional,
        _BatchNormSubclass,
        _BatchNormNumpy,
        _BatchNormWrongDefaults,
        _RightBatchNorm(4),  # an instance, not the class
    ],
    "05.4": ["a", "b", "d", "e", None],
    "05.5": [
        _schedule_stub,
        _schedule_variant("warmup_plus_one"),
        _schedule_variant("warmup_integer"),
        _schedule_variant("cosine_from_zero"),
        _schedule_variant("total_hard_coded"),
        _schedule_variant("progress_over_total"),
        _schedule_variant("linear"),
        _schedule_variant("full_period"),
        _schedule_variant("rising"),
        _schedule_variant("no_final"),
        _schedule_variant("final_added"),
        _schedule_variant("tensor"),
        _schedule_no_defaults,
        _schedule_default_warmup,
        _schedule_always_divides,
        lambda step, total_steps, peak_lr, warmup_steps=0, final_lr=0.0: peak_lr,  # a constant learning rate
    ],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "05.1": [_right_dropout, _right_dropout_where, _right_dropout_bernoulli, _right_dropout_bernoulli_],
    "05.2": [_RightStopper, _RightStopperDeepcopy, _RightStopperHistory],
    "05.3": [_RightBatchNorm, _RightBatchNormVarMean, _RightBatchNormSums],
    "05.4": ["c", " C ", "(c)"],
    "05.5": [_right_schedule, _right_schedule_numpy, _right_schedule_guarded],
}
