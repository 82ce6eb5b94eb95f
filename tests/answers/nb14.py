"""Answers for the exercises of notebook 14."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

# ---------------------------------------------------------------- 14.1 the hourglass autoencoder


class _Reference(nn.Module):
    """The notebook's solution."""

    def __init__(self, code_size, hidden_size=256, image_shape=(1, 28, 28)):
        super().__init__()
        pixels = int(np.prod(image_shape))
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(pixels, hidden_size), nn.ReLU(),
                                     nn.Linear(hidden_size, code_size))
        self.decoder = nn.Sequential(nn.Linear(code_size, hidden_size), nn.ReLU(), nn.Linear(hidden_size, pixels),
                                     nn.Sigmoid(), nn.Unflatten(1, image_shape))

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        return self.decode(self.encode(x))


class AutoencoderStub(nn.Module):
    def __init__(self, code_size, hidden_size=256, image_shape=(1, 28, 28)):
        super().__init__()
        # Your code here
        ...

    def encode(self, x):
        ...

    def decode(self, z):
        ...

    def forward(self, x):
        ...


def _variant(name, encoder=None, decoder=None, **methods):
    """The reference with other encoder/decoder layers (functions of code, hidden, pixels, shape) or methods."""

    def __init__(self, code_size, hidden_size=256, image_shape=(1, 28, 28)):
        _Reference.__init__(self, code_size, hidden_size, image_shape)
        pixels = int(np.prod(image_shape))
        if encoder is not None:
            self.encoder = encoder(code_size, hidden_size, pixels, image_shape)
        if decoder is not None:
            self.decoder = decoder(code_size, hidden_size, pixels, image_shape)

    return type(name, (_Reference,), {"__init__": __init__, **methods})


def _enc(*middle, last=()):
    return lambda c, h, p, s: nn.Sequential(nn.Flatten(), nn.Linear(p, h), *middle, nn.Linear(h, c), *last)


def _dec(*middle, last=(nn.Sigmoid,), unflatten=True):
    return lambda c, h, p, s: nn.Sequential(nn.Linear(c, h), *[m() for m in middle], nn.Linear(h, p),
                                            *[m() for m in last], *([nn.Unflatten(1, s)] if unflatten else []))


_ReluCode = _variant("ReluCode", encoder=_enc(nn.ReLU(), last=(nn.ReLU(),)))
_SigmoidCode = _variant("SigmoidCode", encoder=_enc(nn.ReLU(), last=(nn.Sigmoid(),)))
_LinearEncoder = _variant("LinearEncoder", encoder=_enc())
_NoSigmoid = _variant("NoSigmoid", decoder=_dec(nn.ReLU, last=()))
_FlatOutput = _variant("FlatOutput", decoder=_dec(nn.ReLU, unflatten=False))
_TanhOutput = _variant("TanhOutput", decoder=_dec(nn.ReLU, last=(nn.Tanh,)))
_DecoderWithoutRelu = _variant("DecoderWithoutRelu", decoder=_dec())
_Hard784 = _variant("Hard784", encoder=lambda c, h, p, s: nn.Sequential(nn.Flatten(), nn.Linear(784, h), nn.ReLU(),
                                                                          nn.Linear(h, c)))
_Hidden256 = _variant("Hidden256", encoder=lambda c, h, p, s: nn.Sequential(nn.Flatten(), nn.Linear(p, 256), nn.ReLU(),
                                                                              nn.Linear(256, c)),
                      decoder=lambda c, h, p, s: nn.Sequential(nn.Linear(c, 256), nn.ReLU(), nn.Linear(256, p),
                                                               nn.Sigmoid(), nn.Unflatten(1, s)))
_ExtraLayer = _variant("ExtraLayer", encoder=lambda c, h, p, s: nn.Sequential(
    nn.Flatten(), nn.Linear(p, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, c)))
_ForwardReturnsCode = _variant("ForwardReturnsCode", forward=lambda self, x: self.encode(x))
_DetachedCode = _variant("DetachedCode", forward=lambda self, x: self.decode(self.encode(x).detach()))


def _softmax_decode(self, z):
    scores = self.decoder[2](self.decoder[1](self.decoder[0](z)))
    return torch.softmax(scores, dim=1).reshape(z.shape[0], *self.decoder[4].unflattened_size)


_SoftmaxOutput = _variant("SoftmaxOutput", decode=_softmax_decode)


class _NoBias(_Reference):
    def __init__(self, code_size, hidden_size=256, image_shape=(1, 28, 28)):
        super().__init__(code_size, hidden_size, image_shape)
        pixels = int(np.prod(image_shape))
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(pixels, hidden_size, bias=False), nn.ReLU(),
                                     nn.Linear(hidden_size, code_size, bias=False))


class _DefaultHidden128(_Reference):
    def __init__(self, code_size, hidden_size=128, image_shape=(1, 28, 28)):
        super().__init__(code_size, hidden_size, image_shape)


class _ViewRight(nn.Module):
    """Right: no nn.Sequential for the reshape, math.prod for the pixels, a functional sigmoid."""

    def __init__(self, code_size, hidden_size=256, image_shape=(1, 28, 28)):
        super().__init__()
        self.image_shape = tuple(image_shape)
        pixels = math.prod(image_shape)
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(pixels, hidden_size), nn.ReLU(),
                                     nn.Linear(hidden_size, code_size))
        self.decoder = nn.Sequential(nn.Linear(code_size, hidden_size), nn.ReLU(), nn.Linear(hidden_size, pixels))

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return torch.sigmoid(self.decoder(z)).view(z.shape[0], *self.image_shape)

    def forward(self, x):
        return self.decode(self.encode(x))


class _LayerNamesRight(nn.Module):
    """Right: layers kept as attributes inside an encoder and decoder built from an OrderedDict."""

    def __init__(self, code_size, hidden_size=256, image_shape=(1, 28, 28)):
        super().__init__()
        pixels = 1
        for size in image_shape:
            pixels *= size
        from collections import OrderedDict

        self.encoder = nn.Sequential(OrderedDict(flat=nn.Flatten(), fc1=nn.Linear(pixels, hidden_size),
                                                 act=nn.ReLU(), code=nn.Linear(hidden_size, code_size)))
        self.decoder = nn.Sequential(OrderedDict(fc1=nn.Linear(code_size, hidden_size), act=nn.ReLU(),
                                                 fc2=nn.Linear(hidden_size, pixels), out=nn.Sigmoid(),
                                                 shape=nn.Unflatten(1, tuple(image_shape))))

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        return self.decoder(self.encoder(x))


# ---------------------------------------------------------------- 14.2 PCA by hand


def _pca_stub(train, x, k):
    ...


def _pca_right(train, x, k):
    mean = train.mean(dim=0)
    _, _, vh = torch.linalg.svd(train - mean, full_matrices=False)
    axes = vh[:k].T
    return mean + (x - mean) @ axes @ axes.T


def _pca_eigh_right(train, x, k):
    mean = train.mean(0, keepdim=True)
    centred = (train - mean).double()
    covariance = centred.T @ centred / (len(train) - 1)
    _, vectors = torch.linalg.eigh(covariance)
    axes = vectors[:, -k:].to(train.dtype)  # eigh sorts ascending: the last k are the top k
    return mean + (x - mean) @ axes @ axes.T


def _pca_numpy_right(train, x, k):
    t, v = train.double().numpy(), x.double().numpy()
    mean = t.mean(axis=0)
    _, _, vh = np.linalg.svd(t - mean, full_matrices=False)
    codes = (v - mean) @ vh[:k].T
    return torch.from_numpy(mean + codes @ vh[:k]).to(x.dtype)


def _pca_no_centre(train, x, k):
    _, _, vh = torch.linalg.svd(train, full_matrices=False)
    return x @ vh[:k].T @ vh[:k]


def _pca_no_mean_back(train, x, k):
    mean = train.mean(0)
    _, _, vh = torch.linalg.svd(train - mean, full_matrices=False)
    return (x - mean) @ vh[:k].T @ vh[:k]


def _pca_own_mean(train, x, k):
    _, _, vh = torch.linalg.svd(train - train.mean(0), full_matrices=False)
    mean = x.mean(0)
    return mean + (x - mean) @ vh[:k].T @ vh[:k]


def _pca_eigh_ascending(train, x, k):
    mean = train.mean(0)
    _, vectors = torch.linalg.eigh(torch.cov((train - mean).T))
    axes = vectors[:, :k]  # the smallest eigenvalues
    return mean + (x - mean) @ axes @ axes.T


def _pca_columns_of_vh(train, x, k):
    mean = train.mean(0)
    _, _, vh = torch.linalg.svd(train - mean, full_matrices=False)
    axes = vh[:, :k]
    return mean + (x - mean) @ axes @ axes.T


def _pca_k_plus_one(train, x, k):
    return _pca_right(train, x, k + 1)


def _pca_standardised(train, x, k):
    mean, std = train.mean(0), train.std(0)
    _, _, vh = torch.linalg.svd((train - mean) / std, full_matrices=False)
    return mean + ((x - mean) / std) @ vh[:k].T @ vh[:k] * std


def _pca_codes(train, x, k):
    mean = train.mean(0)
    _, _, vh = torch.linalg.svd(train - mean, full_matrices=False)
    return (x - mean) @ vh[:k].T


def _pca_sklearn(train, x, k):
    from sklearn.decomposition import PCA

    pca = PCA(n_components=k).fit(train.numpy())
    return torch.from_numpy(pca.inverse_transform(pca.transform(x.numpy())))


def _pca_lowrank(train, x, k):
    mean = train.mean(0)
    _, _, v = torch.pca_lowrank(train, q=k)
    return mean + (x - mean) @ v @ v.T


def _pca_in_place(train, x, k):
    mean = train.mean(0)
    train -= mean
    _, _, vh = torch.linalg.svd(train, full_matrices=False)
    return mean + (x - mean) @ vh[:k].T @ vh[:k]


def _pca_numpy_result(train, x, k):
    return _pca_right(train, x, k).numpy()


def _pca_u_instead(train, x, k):
    mean = train.mean(0)
    u, _, _ = torch.linalg.svd((train - mean).T, full_matrices=False)  # right, written via the transpose
    axes = u[:, :k]
    return mean + (x - mean) @ axes @ axes.T


# ---------------------------------------------------------------- 14.4 masking noise


def _mask_stub(x, rate, generator=None):
    ...


def _mask_right(x, rate, generator=None):
    keep = torch.rand(x.shape, generator=generator, device=x.device) >= rate
    return x * keep


def _mask_where_right(x, rate, generator=None):
    drop = torch.rand(x.shape, generator=generator) < rate
    return torch.where(drop, torch.zeros_like(x), x)


def _mask_bernoulli_right(x, rate, generator=None):
    keep = torch.bernoulli(torch.full_like(x, 1 - rate), generator=generator)
    return x * keep


def _mask_keep_probability(x, rate, generator=None):
    return x * (torch.rand(x.shape, generator=generator) < rate)


def _mask_dropout(x, rate, generator=None):
    keep = torch.rand(x.shape, generator=generator) >= rate
    return x * keep / (1 - rate) if rate < 1 else torch.zeros_like(x)


def _mask_global_rng(x, rate, generator=None):
    return x * (torch.rand(x.shape) >= rate)


def _mask_reseeded(x, rate, generator=None):
    return x * (torch.rand(x.shape, generator=torch.Generator().manual_seed(0)) >= rate)


def _mask_shared_across_batch(x, rate, generator=None):
    if x.dim() == 1:
        return x * (torch.rand(x.shape, generator=generator) >= rate)
    return x * (torch.rand(x.shape[1:], generator=generator) >= rate)


def _mask_whole_rows(x, rate, generator=None):
    shape = (x.shape[0],) + (1,) * (x.dim() - 1)
    return x * (torch.rand(shape, generator=generator) >= rate)


def _mask_in_place(x, rate, generator=None):
    x[torch.rand(x.shape, generator=generator) < rate] = 0
    return x


def _mask_noise_added(x, rate, generator=None):
    return x + rate * torch.randn(x.shape, generator=generator)


def _mask_float32_always(x, rate, generator=None):
    return (x * (torch.rand(x.shape, generator=generator) >= rate)).float()


def _mask_ignores_rate(x, rate, generator=None):
    return x * (torch.rand(x.shape, generator=generator) >= 0.5)


_SEEDED = torch.Generator().manual_seed(0)


def _mask_default_generator_seeded(x, rate, generator=_SEEDED):
    return x * (torch.rand(x.shape, generator=generator) >= rate)


def _mask_numpy(x, rate, generator=None):
    rng = np.random.default_rng(0 if generator is None else generator.initial_seed())
    return x * torch.from_numpy(rng.random(tuple(x.shape)) >= rate)



# ---------------------------------------------------------------- added by the independent review


class _DropoutInEncoder(_Reference):
    """Wrong: an extra nn.Dropout (no weights, invisible in evaluation mode, but it changes training)."""

    def __init__(self, code_size, hidden_size=256, image_shape=(1, 28, 28)):
        super().__init__(code_size, hidden_size, image_shape)
        pixels = int(np.prod(image_shape))
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(pixels, hidden_size), nn.ReLU(), nn.Dropout(0.2),
                                     nn.Linear(hidden_size, code_size))


class _LoopRight(nn.Module):
    """Right: the layers built from lists, encode written as a loop over the layers, ReLU(inplace=True)."""

    def __init__(self, code_size, hidden_size=256, image_shape=(1, 28, 28)):
        super().__init__()
        pixels = math.prod(image_shape)
        self.encoder = nn.Sequential(*[nn.Flatten(), nn.Linear(pixels, hidden_size), nn.ReLU(),
                                       nn.Linear(hidden_size, code_size)])
        self.decoder = nn.Sequential(*[nn.Linear(code_size, hidden_size), nn.ReLU(inplace=True),
                                       nn.Linear(hidden_size, pixels), nn.Sigmoid(), nn.Unflatten(-1, image_shape)])

    def encode(self, x):
        for layer in self.encoder:
            x = layer(x)
        return x

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        return self.decoder(self.encoder(x))


def _pca_float32_always(train, x, k):
    mean = train.float().mean(0)
    _, _, vh = torch.linalg.svd(train.float() - mean, full_matrices=False)
    return mean + (x.float() - mean) @ vh[:k].T @ vh[:k]


def _pca_scalar_mean(train, x, k):
    mean = train.mean()
    _, _, vh = torch.linalg.svd(train - mean, full_matrices=False)
    return mean + (x - mean) @ vh[:k].T @ vh[:k]


def _pca_uncentred_axes(train, x, k):
    mean = train.mean(0)
    _, _, vh = torch.linalg.svd(train, full_matrices=False)
    return mean + (x - mean) @ vh[:k].T @ vh[:k]


def _pca_projector_right(train, x, k):
    mean = train.sum(0) / train.shape[0]
    vh = torch.linalg.svd(train - mean, full_matrices=True)[2]
    return ((x - mean) @ (vh[:k].T @ vh[:k])).add(mean)


def _mask_shared_by_channels(x, rate, generator=None):
    shape = (x.shape[0], 1, *x.shape[2:]) if x.dim() >= 3 else x.shape
    return x * (torch.rand(shape, generator=generator) >= rate)


def _mask_fixed_share(x, rate, generator=None):
    flat = x.reshape(-1).clone()
    flat[torch.randperm(flat.numel(), generator=generator)[: round(rate * flat.numel())]] = 0
    return flat.view(x.shape)


def _mask_fixed_share_per_image(x, rate, generator=None):
    rows = x.reshape(x.shape[0], -1).clone() if x.dim() > 1 else x.reshape(1, -1).clone()
    for row in rows:
        row[torch.randperm(row.numel(), generator=generator)[: round(rate * row.numel())]] = 0
    return rows.view(x.shape)


def _mask_masked_fill_right(x, rate, generator=None):
    drop = torch.rand(x.numel(), generator=generator, device=x.device).view(x.shape) < rate
    return x.masked_fill(drop, 0)


WRONG_ANSWERS: dict[str, list[object]] = {
    "14.1": [
        AutoencoderStub,
        _ReluCode,
        _SigmoidCode,
        _LinearEncoder,
        _NoSigmoid,
        _FlatOutput,
        _TanhOutput,
        _DecoderWithoutRelu,
        _Hard784,
        _Hidden256,
        _ExtraLayer,
        _ForwardReturnsCode,
        _DetachedCode,
        _SoftmaxOutput,
        _NoBias,
        _DefaultHidden128,
        _Reference(4),  # an instance, not the class
        _DropoutInEncoder,
    ],
    "14.2": [
        _pca_stub,
        _pca_no_centre,
        _pca_no_mean_back,
        _pca_own_mean,
        _pca_eigh_ascending,
        _pca_columns_of_vh,
        _pca_k_plus_one,
        _pca_standardised,
        _pca_codes,
        _pca_sklearn,
        _pca_lowrank,
        _pca_in_place,
        _pca_numpy_result,
        _pca_float32_always,
        _pca_scalar_mean,
        _pca_uncentred_axes,
    ],
    "14.3": [None, "a", "c", "d", "e"],
    "14.5": [None, "a", "c", "d", 2],
    "14.4": [
        _mask_stub,
        _mask_keep_probability,
        _mask_dropout,
        _mask_global_rng,
        _mask_reseeded,
        _mask_shared_across_batch,
        _mask_whole_rows,
        _mask_in_place,
        _mask_noise_added,
        _mask_float32_always,
        _mask_ignores_rate,
        _mask_default_generator_seeded,
        _mask_numpy,
        _mask_shared_by_channels,
        _mask_fixed_share,
        _mask_fixed_share_per_image,
    ],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "14.1": [_Reference, _ViewRight, _LayerNamesRight, _LoopRight],
    "14.2": [_pca_right, _pca_eigh_right, _pca_numpy_right, _pca_u_instead, _pca_projector_right],
    "14.3": ["b", " B ", "(b)"],
    "14.5": ["b", "B"],
    "14.4": [_mask_right, _mask_where_right, _mask_bernoulli_right, _mask_masked_fill_right],
}
