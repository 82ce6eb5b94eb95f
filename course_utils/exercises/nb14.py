"""Exercises of notebook 14 (Autoencoders)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from course_utils.checks import (
    Wrong,
    assert_tensor_close,
    call,
    exercise,
    expect_defaults,
    expect_tensor,
    forbid,
    forward_backward,
    matching_mistake,
    multiple_choice,
    randomize_module,
)

# ---------------------------------------------------------------- 14.1 the hourglass autoencoder

_AE_CASES = [  # (code_size, hidden_size, image_shape, batch): image shapes other than MNIST's, batches of one
    (3, 7, (1, 4, 5), 2),
    (5, 6, (2, 3, 3), 1),
    (2, 9, (1, 6, 4), 5),
]


def _linears(part: Any, where: str, expected: list[tuple[int, int]]) -> list[nn.Linear]:
    """The nn.Linear layers of ``part``, in order, after checking their number and sizes."""
    if not isinstance(part, nn.Module):
        raise Wrong(f"{where} should be an nn.Sequential of layers, but it is {type(part).__name__}.")
    layers = [m for m in part.modules() if isinstance(m, nn.Linear)]
    wanted = " then ".join(f"nn.Linear({a}, {b})" for a, b in expected)
    if len(layers) != len(expected):
        raise Wrong(f"{where} has {len(layers)} nn.Linear layer(s); it should have {len(expected)}: {wanted}.")
    for layer, (a, b) in zip(layers, expected, strict=True):
        if (layer.in_features, layer.out_features) != (a, b):
            raise Wrong(f"{where} has nn.Linear({layer.in_features}, {layer.out_features}) where it should have "
                        f"nn.Linear({a}, {b}); the layers in order: {wanted}.",
                        hint="Take the number of pixels from image_shape (its product) and the other sizes from "
                             "the arguments, never from MNIST's 784 or the default 256.")
        if layer.bias is None:
            raise Wrong(f"{where}: nn.Linear({a}, {b}) has no bias; keep the default bias=True.")
    return layers


def _reference_codes(layers: list[nn.Linear], x: torch.Tensor) -> torch.Tensor:
    first, second = layers
    return second(F.relu(first(x.flatten(1))))


def _reference_images(layers: list[nn.Linear], z: torch.Tensor, image_shape: tuple[int, ...]) -> torch.Tensor:
    first, second = layers
    return torch.sigmoid(second(F.relu(first(z)))).reshape(z.shape[0], *image_shape)


def _code_mistakes(enc: list[nn.Linear], x: torch.Tensor) -> list[tuple[Callable[[], torch.Tensor], str]]:
    first, second = enc
    flat = x.flatten(1)
    return [
        (lambda: F.relu(second(F.relu(first(flat)))),
         "Your codes went through a ReLU: the code layer has no activation, so that a code can be any real "
         "number (negative ones included). End the encoder with the second nn.Linear."),
        (lambda: torch.sigmoid(second(F.relu(first(flat)))),
         "Your codes went through a sigmoid: the code layer has no activation; end the encoder with the second "
         "nn.Linear."),
        (lambda: torch.tanh(second(F.relu(first(flat)))),
         "Your codes went through a tanh: the code layer has no activation; end the encoder with the second "
         "nn.Linear."),
        (lambda: second(first(flat)),
         "Your encoder has no ReLU between its two linear layers, so it is a linear map: put nn.ReLU() after "
         "the first nn.Linear."),
        (lambda: second(torch.sigmoid(first(flat))),
         "Your encoder's hidden layer uses a sigmoid; the task asks for a ReLU."),
    ]


def _image_mistakes(dec: list[nn.Linear], z: torch.Tensor,
                    image_shape: tuple[int, ...]) -> list[tuple[Callable[[], torch.Tensor], str]]:
    first, second = dec
    n = z.shape[0]
    return [
        (lambda: second(F.relu(first(z))).reshape(n, *image_shape),
         "Your decoder has no sigmoid at the end, so its pixels can leave [0, 1]: end it with nn.Sigmoid() "
         "before the reshape."),
        (lambda: torch.sigmoid(second(F.relu(first(z)))),
         "Your decoder returns flat rows of pixels; reshape them to images of image_shape, e.g. with "
         "nn.Unflatten(1, image_shape) at the end of the decoder."),
        (lambda: torch.sigmoid(second(first(z))).reshape(n, *image_shape),
         "Your decoder has no ReLU between its two linear layers: put nn.ReLU() after the first nn.Linear."),
        (lambda: torch.sigmoid(second(torch.sigmoid(first(z)))).reshape(n, *image_shape),
         "Your decoder's hidden layer uses a sigmoid; the task asks for a ReLU there (the sigmoid comes last)."),
        (lambda: F.relu(second(F.relu(first(z)))).reshape(n, *image_shape),
         "Your decoder ends with a ReLU instead of a sigmoid: pixels lie in [0, 1], so end it with nn.Sigmoid()."),
        (lambda: ((torch.tanh(second(F.relu(first(z)))) + 1) / 2).reshape(n, *image_shape),
         "Your decoder ends with a rescaled tanh; the task asks for nn.Sigmoid()."),
        (lambda: torch.tanh(second(F.relu(first(z)))).reshape(n, *image_shape),
         "Your decoder ends with a tanh, whose values lie in (-1, 1), not in [0, 1]: end it with nn.Sigmoid()."),
        (lambda: torch.softmax(second(F.relu(first(z))), dim=1).reshape(n, *image_shape),
         "Your decoder ends with a softmax, which makes the pixels of an image sum to 1: each pixel is its own "
         "number in [0, 1], so end it with nn.Sigmoid()."),
    ]


def _forward_mistakes(enc: list[nn.Linear], dec: list[nn.Linear], x: torch.Tensor,
                      image_shape: tuple[int, ...]) -> list[tuple[Callable[[], torch.Tensor], str]]:
    codes = _reference_codes(enc, x)
    return [
        (lambda: codes, "forward returned the codes; it should return the reconstruction, decode(encode(x))."),
        (lambda: x, "forward returned its input unchanged; it should return decode(encode(x))."),
        *_image_mistakes(dec, codes, image_shape),
    ]


def _compare(got: Any, expected: torch.Tensor, mistakes: list[tuple[Callable[[], torch.Tensor], str]],
             where: str) -> torch.Tensor:
    got = expect_tensor(got, where, floating=True)
    if tuple(got.shape) != tuple(expected.shape):
        named = matching_mistake(got, mistakes, atol=1e-5, rtol=1e-4)
        raise Wrong(f"{where}: " + (named or f"expected shape {tuple(expected.shape)}, got {tuple(got.shape)}."))
    if not torch.allclose(got.detach().double(), expected.detach().double(), atol=1e-5, rtol=1e-4):
        named = matching_mistake(got, mistakes, atol=1e-5, rtol=1e-4)
        if named:
            raise Wrong(f"{where}: {named}")
        assert_tensor_close(got, expected, where, atol=1e-5, rtol=1e-4)
    return got


@exercise(
    "14.1",
    title="The hourglass autoencoder",
    hint="Build self.encoder and self.decoder as the task lists them, with the number of pixels computed from "
         "image_shape (int(np.prod(image_shape)) or math.prod). encode and decode just call them; forward is "
         "decode(encode(x)). The code layer has no activation; the decoder ends with a sigmoid and nn.Unflatten.",
)
def check_autoencoder(answer: Any) -> None:
    """The answer is the class Autoencoder(code_size, hidden_size=256, image_shape=(1, 28, 28))."""
    if not isinstance(answer, type) or not issubclass(answer, nn.Module):
        raise Wrong(f"Expected the class Autoencoder itself (an nn.Module subclass), got {type(answer).__name__}.",
                    hint="Pass the class, not an instance: check(\"14.1\", Autoencoder).")
    expect_defaults(answer, "Autoencoder", hidden_size=256, image_shape=(1, 28, 28))
    cases = [(4, 256, (1, 28, 28), 3, True), *[(*case, False) for case in _AE_CASES]]
    for index, (code_size, hidden, image_shape, n, defaults) in enumerate(cases):
        if defaults:
            net = call(answer, code_size, name="Autoencoder")
            label = f"Autoencoder({code_size})"
        else:
            net = call(answer, code_size, hidden_size=hidden, image_shape=image_shape, name="Autoencoder")
            label = f"Autoencoder({code_size}, hidden_size={hidden}, image_shape={image_shape})"
        if not isinstance(net, nn.Module):
            raise Wrong(f"{label} gave {type(net).__name__}, not a module.")
        pixels = math.prod(image_shape)
        for name in ("encoder", "decoder", "encode", "decode"):
            if not hasattr(net, name):
                raise Wrong(f"{label} has no attribute {name!r}: write self.encoder, self.decoder and the methods "
                            "encode, decode and forward.")
        enc = _linears(net.encoder, f"{label}: self.encoder", [(pixels, hidden), (hidden, code_size)])
        dec = _linears(net.decoder, f"{label}: self.decoder", [(code_size, hidden), (hidden, pixels)])
        expected_count = 2 * (pixels * hidden + hidden) + 2 * hidden * code_size + code_size + pixels
        found = sum(p.numel() for p in net.parameters())
        if found != expected_count:
            raise Wrong(f"{label} has {found:,} parameters, expected {expected_count:,}: keep exactly the four "
                        "linear layers (and no other layers with weights).")
        randomize_module(net, seed=140 + index)
        net.eval()
        generator = torch.Generator().manual_seed(141 + index)
        wide = torch.rand(n, image_shape[0] + 1, *image_shape[1:], generator=generator)
        x = wide[:, 1:]  # a view into a bigger tensor, as a slice of a dataset would be
        with torch.no_grad():
            codes = _compare(call(net.encode, x, name="encode"), _reference_codes(enc, x), _code_mistakes(enc, x),
                             f"{label}, encode on a batch of shape {tuple(x.shape)}")
            if not (codes < 0).any():
                raise Wrong(f"{label}: encode never gave a negative code number; the code layer has no activation.")
            z = torch.randn(n, code_size, generator=generator) * 2
            images = _compare(call(net.decode, z, name="decode"), _reference_images(dec, z, image_shape),
                              _image_mistakes(dec, z, image_shape), f"{label}, decode on codes of shape {tuple(z.shape)}")
            if not ((images > 0) & (images < 1)).all():
                raise Wrong(f"{label}: decode gave pixels outside (0, 1); end the decoder with nn.Sigmoid().")
            expected = _reference_images(dec, _reference_codes(enc, x), image_shape)
            forward_mistakes = _forward_mistakes(enc, dec, x, image_shape)
            _compare(call(net, x, name="forward"), expected, forward_mistakes,
                     f"{label}, forward on a batch of shape {tuple(x.shape)}")
            net.train()  # fit trains in training mode: a dropout layer would change the images there
            trained = expect_tensor(call(net, x, name="forward"), f"{label}, forward in training mode")
            if tuple(trained.shape) != tuple(expected.shape) or not torch.allclose(
                    trained.double(), expected.double(), atol=1e-5, rtol=1e-4):
                raise Wrong(f"{label}: in training mode (net.train()) forward gives other images than in evaluation "
                            "mode, so a layer behaves differently while training (nn.Dropout, for example). Build "
                            "exactly the layers the task lists, nothing more.")
            net.eval()
        # Gradients: every layer is used, and nothing is cut off from autograd.
        reference = forward_backward(
            lambda t, enc=enc, dec=dec, shape=image_shape: _reference_images(dec, _reference_codes(enc, t), shape),
            [x], module=net, seed=index)
        measured = forward_backward(net, [x], module=net, seed=index)
        if measured.inputs[0] is None or not torch.allclose(measured.inputs[0], reference.inputs[0], atol=1e-5,
                                                            rtol=1e-4):
            raise Wrong(f"{label}: forward gives the right images but the wrong gradient with respect to x: part "
                        "of it is cut off from autograd (.detach(), .data, torch.no_grad()).")
        for name, grad in reference.parameters.items():
            got = measured.parameters.get(name)
            if got is None or not torch.allclose(got, grad, atol=1e-5, rtol=1e-4):
                raise Wrong(f"{label}: forward gives the right images but the gradient of {name} is wrong.")


# ---------------------------------------------------------------- 14.2 PCA by hand

_PCA_BUILTINS = ("sklearn.decomposition.PCA", "sklearn.decomposition.TruncatedSVD",
                 "sklearn.decomposition.IncrementalPCA", "torch.pca_lowrank", "torch.svd_lowrank")


def _pca_data(n: int, d: int, seed: int) -> torch.Tensor:
    """Rows with a clear spectrum (singular values far apart) and a mean far from 0, like pixels."""
    generator = torch.Generator().manual_seed(seed)
    scales = torch.logspace(0, -1.5, d, dtype=torch.float64)
    rotation, _ = torch.linalg.qr(torch.randn(d, d, generator=generator, dtype=torch.float64))
    mean = 2 + torch.rand(d, generator=generator, dtype=torch.float64)
    rows = (torch.randn(n, d, generator=generator, dtype=torch.float64) * scales) @ rotation.T + mean
    return rows.float()


def _pca_expected(train: torch.Tensor, x: torch.Tensor, k: int) -> torch.Tensor:
    from sklearn.decomposition import PCA  # imported here: only this check needs it

    pca = PCA(n_components=k, svd_solver="full").fit(train.double().numpy())
    return torch.from_numpy(pca.inverse_transform(pca.transform(x.double().numpy())))


def _pca_mistakes(train: torch.Tensor, x: torch.Tensor, k: int) -> list[tuple[Callable[[], torch.Tensor], str]]:
    t, v = train.double(), x.double()
    mean = t.mean(0)
    _, _, vh = torch.linalg.svd(t - mean, full_matrices=False)
    _, _, vh_raw = torch.linalg.svd(t, full_matrices=False)

    def project(axes: torch.Tensor, centre: torch.Tensor, rows: torch.Tensor = v) -> torch.Tensor:
        return centre + (rows - centre) @ axes @ axes.T

    std = t.std(0)
    _, _, vh_std = torch.linalg.svd((t - mean) / std, full_matrices=False)
    zero = torch.zeros_like(mean)
    scalar = t.mean()
    _, _, vh_scalar = torch.linalg.svd(t - scalar, full_matrices=False)
    mistakes = [
        (lambda: v @ vh_raw[:k].T @ vh_raw[:k],
         "You did not centre the data: subtract the mean of train before the SVD and before projecting, then add "
         "it back."),
        (lambda: (v - mean) @ vh[:k].T @ vh[:k],
         "You forgot to add the mean back after projecting: the reconstruction is mean + V_k V_k^T (x - mean)."),
        (lambda: project(vh[:k].T, v.mean(0)),
         "You centred x with its own mean. Use the mean of the training rows for every image you encode: a "
         "single row would be its own mean and come back unchanged."),
        (lambda: project(vh[-k:].T, mean),
         "You kept the last k axes, those of the *smallest* variance. torch.linalg.eigh returns eigenvalues in "
         "ascending order (the SVD in descending order): keep the k of largest variance."),
        (lambda: project(vh[:, :k], mean),
         "You took the first k columns of Vh; its rows are the principal axes (Vh is V transposed): use "
         "vh[:k] (or V[:, :k] with V = vh.T)."),
        (lambda: project(vh[: k + 1].T, mean),
         "You kept k + 1 axes: keep exactly k."),
        (lambda: project(vh[: max(k - 1, 0)].T, mean),
         "You kept k - 1 axes: keep exactly k (vh[:k] has k rows)."),
        (lambda: ((v - mean) / std) @ vh_std[:k].T @ vh_std[:k] * std + mean,
         "You divided by the standard deviation of each feature: PCA here only centres the data."),
        (lambda: project(vh[:k].T, zero) if k < t.shape[1] else None,
         "You did not centre the data: subtract the mean of train before the SVD and before projecting, then add "
         "it back."),
        (lambda: scalar + (v - scalar) @ vh_scalar[:k].T @ vh_scalar[:k],
         "You subtracted one number, the mean of all entries of train, from everything: the mean image is a "
         "vector, the mean of each column (train.mean(dim=0))."),
        (lambda: project(vh_raw[:k].T, mean),
         "You took the axes from the SVD of the uncentred train: centre train (subtract its column means) "
         "before the SVD too, not only x before projecting."),
        (lambda: (v - mean) @ vh[:k].T,
         "You returned the codes, (x - mean) V_k, of shape (M, k); return the reconstruction of shape (M, D): "
         "mean + codes V_k^T."),
    ]
    return mistakes


@exercise(
    "14.2",
    title="PCA by hand",
    hint="Centre train with the mean of each column. The rows of Vh from torch.linalg.svd are the principal "
         "axes, largest variance first: project x minus that same training mean onto the first k of them, go back "
         "to pixel space, and add the mean again.",
)
def check_pca(answer: Any) -> None:
    """The answer is a function pca_reconstruct(train, x, k) -> (M, D) tensor."""
    cases = [(40, 9, 6), (7, 12, 5), (60, 5, 1)]  # (N, D, M): more rows than columns, and fewer
    for index, (n, d, m) in enumerate(cases):
        data = _pca_data(n + m + 2, d, seed=1400 + index)
        train, x = data[:n], data[n + 2:]  # views into one tensor, as slices of a dataset would be
        for k in range(1, min(n - 1, d) + 1):  # every k up to the rank of the centred rows (a full reconstruction)
            where = f"For train of shape {tuple(train.shape)}, x of shape {tuple(x.shape)} and k = {k}"
            expected = _pca_expected(train, x, k)
            with forbid(*_PCA_BUILTINS, answer=answer, instead="Use torch.linalg.svd (or eigh) and the formula."):
                got = call(answer, train, x, k, name="pca_reconstruct")
            got = expect_tensor(got, where, floating=True)
            mistakes = _pca_mistakes(train, x, k)
            if tuple(got.shape) != tuple(expected.shape):
                named = matching_mistake(got, mistakes, atol=1e-3, rtol=1e-3)
                raise Wrong(f"{where}: " + (named or f"expected shape {tuple(expected.shape)} (one reconstructed "
                                                     f"row per row of x), got {tuple(got.shape)}."))
            if torch.allclose(got.double(), expected, atol=2e-4, rtol=1e-4):
                continue
            named = matching_mistake(got, mistakes, atol=2e-4, rtol=1e-4)
            if named:
                raise Wrong(f"{where}: {named}")
            assert_tensor_close(got, expected, where, atol=2e-4, rtol=1e-4)
    # One row of the real kind: a single image to compress is a (1, D) tensor.
    data = _pca_data(31, 8, seed=1410)
    train, row = data[:30], data[30:]
    expected = _pca_expected(train, row, 2)
    with forbid(*_PCA_BUILTINS, answer=answer, instead="Use torch.linalg.svd (or eigh) and the formula."):
        got = expect_tensor(call(answer, train, row, 2, name="pca_reconstruct"), "For a single row x", floating=True)
    if tuple(got.shape) == (1, 8) and torch.allclose(got.double(), row.double(), atol=1e-6):
        raise Wrong("For a single row x your reconstruction is x itself: you centred x with its own mean. Use the "
                    "mean of the training rows.")
    assert_tensor_close(got.double() if isinstance(got, torch.Tensor) else got, expected,
                        "For a single row x of shape (1, 8) and k = 2", atol=2e-4, rtol=1e-4)
    # float64 rows (as NumPy's pixels are): the result keeps their dtype and their precision.
    data = _pca_data(50, 10, seed=1411).double()
    train, x = data[:45], data[45:]
    expected = _pca_expected(train, x, 3)
    with forbid(*_PCA_BUILTINS, answer=answer, instead="Use torch.linalg.svd (or eigh) and the formula."):
        got = expect_tensor(call(answer, train, x, 3, name="pca_reconstruct"), "For float64 rows", floating=True)
    if got.dtype != torch.float64:
        raise Wrong(f"For float64 train and x you returned {got.dtype}: keep the dtype of the inputs (a float32 "
                    "result keeps only about 7 of their 16 significant digits).")
    assert_tensor_close(got, expected, "For float64 rows of shape (45, 10) and (5, 10), k = 3", atol=1e-9, rtol=1e-9)


# ---------------------------------------------------------------- 14.3 predict: linear autoencoder against PCA

exercise(
    "14.3",
    title="A linear autoencoder against PCA",
    hint="Which maps can a linear autoencoder compute, and which of them is PCA's? Then ask what in its loss "
         "could single out PCA's particular axes among all bases of the same subspace.",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "PCA's reconstruction is the best of all rank-k linear maps (Eckart and Young, 1936) on the data it "
                 "was fitted on, and the linear autoencoder computes such a map: it cannot beat PCA clearly, only "
                 "tie with it (on validation data, by a hair either way).",
            "b": "Right: the linear autoencoder reaches PCA's error and PCA's subspace (Baldi and Hornik, 1989), "
                 "but the loss depends only on the product W_d W_e, so any invertible mix of PCA's axes is just as "
                 "good, and gradient descent lands on one of those.",
            "c": "Orthogonality is not needed: the loss depends on W_d W_e only, and any basis of PCA's subspace "
                 "gives the same reconstructions. Gradient descent gets close to PCA's error.",
            "d": "The error matches, but the weights are not PCA's axes: for any invertible k x k matrix A, "
                 "W_d A^-1 and A W_e give exactly the same reconstructions, so nothing pushes the columns to be "
                 "orthonormal or ordered by variance. Only the subspace they span is PCA's.",
        },
    )
)


# ---------------------------------------------------------------- 14.5 predict: decoding random codes

exercise(
    "14.5",
    title="Decoding random codes",
    hint="The decoder was trained only on the codes of real digits. Where do random codes from one Gaussian fall "
         "in a code space whose classes form separate regions with gaps between them? And what does the decoder "
         "still know that a per-pixel Gaussian does not?",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "The decoder turns any code into an image, but it was trained only on the codes of real digits. "
                 "Random codes also land in the gaps between the classes, where its output is a blend or a blob: "
                 "the judge puts them more than twice as far from real digits as the reconstructions.",
            "b": "Right: random codes fall between the regions of real codes, so many decode to blends and broken "
                 "strokes (more than twice the reconstructions' distance); the decoder still draws strokes, so "
                 "they stay far better than a per-pixel Gaussian, which ignores how pixels go together.",
            "c": "The decoder still draws strokes and shapes of digits from any code: its outputs are blurred "
                 "blends, not noise, and they score far better than the per-pixel Gaussian, which draws every "
                 "pixel on its own.",
            "d": "New is not the same as good: many random codes fall between the regions of real digits and "
                 "decode to blends and blobs, more than twice as far from real digits as the reconstructions.",
        },
    )
)


# ---------------------------------------------------------------- 14.4 masking noise


def _masked_share(got: torch.Tensor) -> float:
    return float((got == 0).double().mean())


@exercise(
    "14.4",
    title="Masking noise",
    hint="Draw one uniform random number per entry of x with the generator you are given (torch.rand accepts a "
         "generator argument) and keep an entry when its number is at least rate. Build a new tensor: no in-place "
         "change, and no rescaling of what you keep.",
)
def check_mask(answer: Any) -> None:
    """The answer is a function mask_pixels(x, rate, generator=None) -> a tensor of x's shape."""
    expect_defaults(answer, "mask_pixels", generator=None)
    shapes = [(400, 1, 7, 5), (3000,), (60, 50), (50, 3, 4, 4)]
    exact = []  # for each case: was exactly round(rate * size) masked?
    for index, shape in enumerate(shapes):
        base = torch.rand(shape, generator=torch.Generator().manual_seed(1440 + index)) * 0.9 + 0.1  # no zeros
        for rate in (0.3, 0.75):
            where = f"For x of shape {shape} and rate = {rate}"
            got = call(answer, base, rate, torch.Generator().manual_seed(7), name="mask_pixels")
            got = expect_tensor(got, where, shape=shape, floating=True)
            kept = got != 0
            if torch.allclose(got[kept], base[kept] / (1 - rate), rtol=1e-5) and kept.any():
                raise Wrong(f"{where}: the entries you keep are divided by 1 - rate, as dropout does. Masking "
                            "noise keeps them exactly as they were.")
            if not torch.equal(got[kept], base[kept]):
                raise Wrong(f"{where}: some entries you kept have changed value. Every entry is either set to 0 or "
                            "left exactly as it was.")
            if len(shape) > 1:
                rows = kept.reshape(shape[0], -1)
                if (rows == rows[0]).all():
                    raise Wrong(f"{where}: every row (image) has the same mask. Draw a decision for every entry of "
                                "x, not one mask for a single image shared by the whole batch.")
                per_row = rows.all(dim=1) | (~rows).all(dim=1)
                if per_row.all():
                    raise Wrong(f"{where}: your mask keeps or zeroes whole rows (images); draw a decision for "
                                "every entry.")
                for dim in range(1, len(shape)):
                    if shape[dim] > 1 and (kept == kept.narrow(dim, 0, 1)).all():
                        part = "channel" if dim == 1 and len(shape) == 4 else f"index along axis {dim}"
                        raise Wrong(f"{where}: every {part} gets the same mask (your mask does not change along "
                                    f"axis {dim}). Draw a decision for every entry of x, with random numbers of "
                                    "x's full shape.")
                counts = (~rows).sum(dim=1)
                if (counts == counts[0]).all():
                    raise Wrong(f"{where}: every row (image) has exactly {int(counts[0])} masked entries. Mask each "
                                "entry independently with probability rate, so the count varies from image to "
                                "image; a fixed share per image (as Vincent et al. did) is not what the task asks.")
            share = _masked_share(got)
            count = base.numel()
            exact.append(int((got == 0).sum()) == round(rate * count))
            spread = 5 * math.sqrt(rate * (1 - rate) / count)
            if abs(share - (1 - rate)) < spread:
                raise Wrong(f"{where}: you set {share:.0%} of the entries to 0, about 1 - rate. rate is the "
                            "probability of being masked (set to 0), not of being kept.")
            if abs(share - rate) > spread:
                raise Wrong(f"{where}: you set {share:.1%} of the entries to 0; about {rate:.0%} should be (each "
                            "entry independently, with probability rate).")
    if all(exact):
        raise Wrong("In every case you masked exactly round(rate * x.numel()) entries. Mask each entry "
                    "independently with probability rate (so the count varies a little from call to call), not a "
                    "fixed number of randomly chosen entries.")
    x = torch.rand(300, 10, generator=torch.Generator().manual_seed(1450)) + 0.5
    first = expect_tensor(call(answer, x, 0.5, torch.Generator().manual_seed(3), name="mask_pixels"), "mask_pixels")
    torch.manual_seed(12345)  # a change of the global state must not matter when a generator is given
    again = expect_tensor(call(answer, x, 0.5, torch.Generator().manual_seed(3), name="mask_pixels"), "mask_pixels")
    if not torch.equal(first, again):
        raise Wrong("Two calls with generators seeded alike gave different masks: draw the random numbers with "
                    "the generator you are given (torch.rand(..., generator=generator)).")
    other = call(answer, x, 0.5, torch.Generator().manual_seed(4), name="mask_pixels")
    if torch.equal(first, other):
        raise Wrong("Generators with different seeds gave the same mask: draw the random numbers with the "
                    "generator you are given.")
    generator = torch.Generator().manual_seed(5)
    one, two = call(answer, x, 0.5, generator, name="mask_pixels"), call(answer, x, 0.5, generator, name="mask_pixels")
    if torch.equal(one, two):
        raise Wrong("Two calls with the same generator gave the same mask: draw fresh random numbers from the "
                    "generator on every call (do not re-seed it).")
    # The default generator=None uses the global random state.
    torch.manual_seed(0)
    a = expect_tensor(call(answer, x, 0.5, name="mask_pixels"), "mask_pixels(x, 0.5)", shape=x.shape)
    torch.manual_seed(0)
    b = call(answer, x, 0.5, name="mask_pixels")
    c = call(answer, x, 0.5, name="mask_pixels")
    if not torch.equal(a, b) or torch.equal(b, c):
        raise Wrong("With the default generator=None, use PyTorch's global random numbers (torch.rand(..., "
                    "generator=None) does): the same torch.manual_seed should give the same mask, the next call a "
                    "new one.")
    # Rates 0 and 1, and the dtype.
    assert_tensor_close(expect_tensor(call(answer, x, 0.0, name="mask_pixels"), "For rate = 0", shape=x.shape), x,
                        "For rate = 0 nothing is masked, so x comes back")
    zeros = expect_tensor(call(answer, x, 1.0, name="mask_pixels"), "For rate = 1", shape=x.shape)
    if not torch.equal(zeros, torch.zeros_like(x)):
        raise Wrong("For rate = 1 every entry is masked: the result should be all zeros.")
    doubles = x.double()
    result = expect_tensor(call(answer, doubles, 0.5, name="mask_pixels"), "For a float64 x", shape=x.shape)
    if result.dtype != torch.float64:
        raise Wrong(f"For a float64 x you returned {result.dtype}: keep x's dtype.")
