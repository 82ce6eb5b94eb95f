"""Answers for the exercises of notebook 07."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from course_utils.exercises import nb07
from course_utils.train import fit

# ----------------------------------------------------------------------- 07.1 multiply-adds


def _macs_stub(model, input_shape):
    # Your code here: follow the shapes layer by layer, and add up the multiply-adds of Conv2d and Linear.
    ...


def _macs(model, input_shape, *, conv=None, linear=None):
    """Walk the layers with a dummy input; conv(layer, before, after) and linear(layer) give each layer's count."""
    x = torch.zeros(1, *input_shape)
    total = 0
    with torch.no_grad():
        for layer in model:
            before, x = x, layer(x)
            if isinstance(layer, nn.Conv2d) and conv is not None:
                total += conv(layer, before, x)
            elif isinstance(layer, nn.Linear) and linear is not None:
                total += linear(layer)
    return total


def _right_conv(layer, before, after):
    return after.numel() * layer.in_channels * layer.kernel_size[0] * layer.kernel_size[1]


def _right_linear(layer):
    return layer.in_features * layer.out_features


def _macs_right(model, input_shape):
    return _macs(model, input_shape, conv=_right_conv, linear=_right_linear)


def _macs_right_hooks(model, input_shape):
    counts = []

    def hook(module, inputs, output):
        if isinstance(module, nn.Conv2d):
            counts.append(output[0].numel() * module.weight[0].numel())
        elif isinstance(module, nn.Linear):
            counts.append(module.weight.numel())

    handles = [module.register_forward_hook(hook) for module in model.modules()]
    with torch.no_grad():
        model(torch.zeros(1, *input_shape))
    for handle in handles:
        handle.remove()
    return sum(counts)


def _pair(value):
    return value if isinstance(value, tuple) else (value, value)


def _macs_right_by_formula(model, input_shape):
    """Shapes from the output-size formula of notebook 06, without running the model."""
    shape = list(input_shape)
    total = 0
    for layer in model:
        if isinstance(layer, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
            k, s, p = _pair(layer.kernel_size), _pair(layer.stride), _pair(layer.padding)
            d = _pair(getattr(layer, "dilation", 1))
            size = [(shape[i + 1] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(2)]
            channels = layer.out_channels if isinstance(layer, nn.Conv2d) else shape[0]
            if isinstance(layer, nn.Conv2d):
                total += channels * size[0] * size[1] * layer.in_channels * k[0] * k[1]
            shape = [channels, *size]
        elif isinstance(layer, nn.Flatten):
            shape = [math.prod(shape)]
        elif isinstance(layer, nn.Linear):
            total += layer.in_features * layer.out_features
            shape = [layer.out_features]
    return total


WRONG_MACS = [
    _macs_stub,
    lambda model, input_shape: sum(p.numel() for p in model.parameters()),                    # parameters
    lambda model, input_shape: sum(m.weight.numel() for m in model if isinstance(m, (nn.Conv2d, nn.Linear))),
    lambda model, input_shape: 2 * _macs_right(model, input_shape),                           # FLOPs
    lambda model, input_shape: _macs(                                                          # biases counted
        model, input_shape, conv=lambda layer, b, a: _right_conv(layer, b, a) + a.numel(),
        linear=lambda layer: _right_linear(layer) + layer.out_features),
    lambda model, input_shape: _macs(                                                          # the input's size
        model, input_shape, conv=lambda layer, b, a: layer.out_channels * b[0, 0].numel() * layer.weight[0].numel(),
        linear=_right_linear),
    lambda model, input_shape: _macs(model, input_shape, conv=_right_conv),                    # no Linear
    lambda model, input_shape: _macs(model, input_shape, linear=_right_linear),                # no Conv2d
    lambda model, input_shape: _macs(                                                          # square kernels
        model, input_shape, conv=lambda layer, b, a: a.numel() * layer.in_channels * layer.kernel_size[0] ** 2,
        linear=_right_linear),
    lambda model, input_shape: _macs(                                                          # square images
        model, input_shape, conv=lambda layer, b, a: layer.out_channels * a.shape[2] ** 2 * layer.weight[0].numel(),
        linear=_right_linear),
    lambda model, input_shape: _macs(                                                          # no in_channels
        model, input_shape, conv=lambda layer, b, a: a.numel() * math.prod(layer.kernel_size), linear=_right_linear),
    lambda model, input_shape: 416_520,                                                        # LeNet's, hard-coded
    lambda model, input_shape: float(_macs_right(model, input_shape)),                         # a float
    lambda model, input_shape: torch.tensor(_macs_right(model, input_shape)),                  # a tensor
    lambda model, input_shape: _macs_right(model, (1, 28, 28)),                                # MNIST size assumed
]


def _macs_flop_counter(model, input_shape):
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        model(torch.zeros(1, *input_shape))
    return counter.get_total_flops() // 2


WRONG_MACS.append(_macs_flop_counter)                                                          # forbidden

def _macs_leaves_hooks(model, input_shape):
    """Right count, but the hooks stay on the model: every later forward pass runs them."""
    counts = []

    def hook(module, inputs, output):
        if isinstance(module, nn.Conv2d):
            counts.append(output[0].numel() * module.weight[0].numel())
        elif isinstance(module, nn.Linear):
            counts.append(module.weight.numel())

    for module in model:
        module.register_forward_hook(hook)
    with torch.no_grad():
        model(torch.zeros(1, *input_shape))
    return sum(counts)


def _macs_numpy_int(model, input_shape):
    """Right count, as np.int64 (np.prod), not the Python int the text asks for."""
    return np.int64(0) + _macs(model, input_shape, conv=lambda layer, b, a: np.prod(a.shape) * np.prod(
        layer.weight.shape[1:]), linear=_right_linear)


def _macs_by_formula_without(model, input_shape, *, stride=True, dilation=True, padding=True):
    """The formula of notebook 06 with one term forgotten."""
    shape = list(input_shape)
    total = 0
    for layer in model:
        if isinstance(layer, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
            conv = isinstance(layer, nn.Conv2d)
            k = _pair(layer.kernel_size)
            s = _pair(layer.stride) if stride or not conv else (1, 1)
            p = _pair(layer.padding) if padding or not conv else (0, 0)
            d = _pair(getattr(layer, "dilation", 1)) if dilation or not conv else (1, 1)
            size = [(shape[i + 1] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(2)]
            if conv:
                total += layer.weight.numel() * size[0] * size[1]
            shape = [layer.out_channels if conv else shape[0], *size]
        elif isinstance(layer, nn.Flatten):
            shape = [math.prod(shape)]
        elif isinstance(layer, nn.Linear):
            total += layer.weight.numel()
            shape = [layer.out_features]
    return total


def _macs_with_pooling(model, input_shape):
    """Pooling priced like a convolution: kernel area per output value."""
    x, total = torch.zeros(1, *input_shape), _macs_right(model, input_shape)
    for layer in model:
        x = layer(x)
        if isinstance(layer, (nn.MaxPool2d, nn.AvgPool2d)):
            total += x[0].numel() * math.prod(_pair(layer.kernel_size))
    return total


WRONG_MACS += [
    _macs_leaves_hooks,
    _macs_numpy_int,
    lambda model, input_shape: _macs(model, input_shape, conv=_right_conv,                    # in_features only
                                     linear=lambda layer: layer.in_features),
    lambda model, input_shape: _macs(                                                          # dilated footprint
        model, input_shape, conv=lambda layer, b, a: a.numel() * layer.in_channels * math.prod(
            (k - 1) * d + 1 for k, d in zip(layer.kernel_size, layer.dilation, strict=True)), linear=_right_linear),
    lambda model, input_shape: _macs_by_formula_without(model, input_shape, dilation=False),
    lambda model, input_shape: _macs_by_formula_without(model, input_shape, stride=False),
    lambda model, input_shape: _macs_by_formula_without(model, input_shape, padding=False),
    _macs_with_pooling,
]


def _macs_right_weights_times_positions(model, input_shape):
    """Every weight of a convolution is used once per output position; every Linear weight once."""
    x, total = torch.zeros(1, *input_shape), 0
    with torch.no_grad():
        for layer in model:
            x = layer(x)
            if isinstance(layer, nn.Conv2d):
                total += layer.weight.numel() * x.shape[-2] * x.shape[-1]
            elif isinstance(layer, nn.Linear):
                total += layer.weight.numel()
    return int(total)


# ----------------------------------------------------------------------- 07.2 confusion matrix


def _confusion_stub(y_true, y_pred, num_classes):
    # Your code here: start from torch.zeros(num_classes, num_classes, dtype=torch.long) and count.
    ...


def _right_confusion(y_true, y_pred, num_classes):
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.long)
    for t, p in zip(y_true.tolist(), y_pred.tolist(), strict=True):
        matrix[t, p] += 1
    return matrix


def _right_confusion_bincount(y_true, y_pred, num_classes):
    counts = torch.bincount(y_true * num_classes + y_pred, minlength=num_classes**2)
    return counts.reshape(num_classes, num_classes)


def _right_confusion_one_hot(y_true, y_pred, num_classes):
    return F.one_hot(y_true, num_classes).T @ F.one_hot(y_pred, num_classes)


def _transposed(y_true, y_pred, num_classes):
    return _right_confusion(y_true, y_pred, num_classes).T


def _row_normalised(y_true, y_pred, num_classes):
    matrix = _right_confusion(y_true, y_pred, num_classes).float()
    return matrix / matrix.sum(dim=1, keepdim=True).clamp(min=1)


def _sized_by_labels(y_true, y_pred, num_classes):
    k = int(max(y_true.max(), y_pred.max())) + 1
    return _right_confusion(y_true, y_pred, k)


def _sized_by_true_labels(y_true, y_pred, num_classes):
    k = int(y_true.max()) + 1
    matrix = torch.zeros(k, k, dtype=torch.long)
    for t, p in zip(y_true.tolist(), y_pred.tolist(), strict=True):
        if p < k:
            matrix[t, p] += 1
    return matrix


def _diagonal_only(y_true, y_pred, num_classes):
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.long)
    for t, p in zip(y_true.tolist(), y_pred.tolist(), strict=True):
        if t == p:
            matrix[t, p] += 1
    return matrix


def _mistakes_only(y_true, y_pred, num_classes):
    matrix = _right_confusion(y_true, y_pred, num_classes)
    return matrix - torch.diag(torch.diag(matrix))


def _fancy_index_assignment(y_true, y_pred, num_classes):
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.long)
    matrix[y_true, y_pred] += 1          # repeated pairs are counted once only
    return matrix


def _float_counts(y_true, y_pred, num_classes):
    matrix = torch.zeros(num_classes, num_classes)          # float32 by default
    for t, p in zip(y_true.tolist(), y_pred.tolist(), strict=True):
        matrix[t, p] += 1
    return matrix


def _ten_classes(y_true, y_pred, num_classes):
    return _right_confusion(y_true, y_pred, 10)


def _in_place(y_true, y_pred, num_classes):
    y_true.mul_(num_classes).add_(y_pred)                   # overwrites the caller's labels
    return torch.bincount(y_true, minlength=num_classes**2).reshape(num_classes, num_classes)


def _course_confusion(y_true, y_pred, num_classes):
    """The course's own confusion_matrix, shown right after the exercise."""
    from course_utils.plots import confusion_matrix

    return torch.as_tensor(confusion_matrix(y_true, y_pred, num_classes=num_classes), dtype=torch.long)


def _sklearn_confusion(y_true, y_pred, num_classes):
    from sklearn.metrics import confusion_matrix

    return torch.as_tensor(confusion_matrix(y_true.numpy(), y_pred.numpy(), labels=list(range(num_classes))))


def _counts_of_dtype(dtype):
    def counts(y_true, y_pred, num_classes):
        matrix = torch.zeros(num_classes, num_classes, dtype=dtype)   # int32 or uint8: not torch.long
        for t, p in zip(y_true.tolist(), y_pred.tolist(), strict=True):
            matrix[t, p] += 1
        return matrix
    return counts


def _one_based(y_true, y_pred, num_classes):
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.long)
    for t, p in zip(y_true.tolist(), y_pred.tolist(), strict=True):
        matrix[t - 1, p - 1] += 1                              # as if the labels were 1 ... num_classes
    return matrix


def _right_confusion_index_put(y_true, y_pred, num_classes):
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.long)
    return matrix.index_put_((y_true, y_pred), torch.ones(len(y_true), dtype=torch.long), accumulate=True)


def _right_confusion_cells(y_true, y_pred, num_classes):
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.long)
    for i in range(num_classes):
        for j in range(num_classes):
            matrix[i, j] = ((y_true == i) & (y_pred == j)).sum()
    return matrix


# ----------------------------------------------------------------------- 07.3 random crop


def _crop_stub(images, padding):
    # Your code here: F.pad(images, (padding,) * 4) pads every side; then slice one window per image.
    ...


def _crop_with(images, padding, tops, lefts, height=None, width=None, channels=None):
    _, _, h, w = images.shape
    height, width = height or h, width or w
    padded = F.pad(images, (padding, padding, padding, padding))
    return torch.stack([padded[i, :channels, t:t + height, s:s + width]
                        for i, (t, s) in enumerate(zip(tops.tolist(), lefts.tolist(), strict=True))])


def _offsets(images, padding, high=None):
    high = 2 * padding + 1 if high is None else high
    return torch.randint(0, high, (len(images),)), torch.randint(0, high, (len(images),))


def _right_crop(images, padding):
    return _crop_with(images, padding, *_offsets(images, padding))


def _right_crop_one_by_one(images, padding):
    out = torch.zeros_like(images)
    _, _, height, width = images.shape
    for i, image in enumerate(images):
        padded = F.pad(image, (padding, padding, padding, padding))
        top, left = (int(v) for v in torch.randint(0, 2 * padding + 1, (2,)))
        out[i] = padded[:, top:top + height, left:left + width]
    return out


def _right_crop_roll_and_mask(images, padding):
    """Roll each image, then blank what wrapped around: the same as a crop of the zero-padded image."""
    out = []
    for image in images:
        dy, dx = (int(v) for v in torch.randint(-padding, padding + 1, (2,)))
        moved = torch.roll(image, (dy, dx), dims=(1, 2)).clone()
        if dy > 0:
            moved[:, :dy] = 0
        elif dy < 0:
            moved[:, dy:] = 0
        if dx > 0:
            moved[:, :, :dx] = 0
        elif dx < 0:
            moved[:, :, dx:] = 0
        out.append(moved)
    return torch.stack(out)


def _rolled(images, padding):
    shifts = torch.randint(-padding, padding + 1, (len(images), 2))
    return torch.stack([torch.roll(image, tuple(s.tolist()), dims=(1, 2))
                        for image, s in zip(images, shifts, strict=True)])


def _same_offset_for_the_batch(images, padding):
    _, _, height, width = images.shape
    padded = F.pad(images, (padding, padding, padding, padding))
    top, left = (int(v) for v in torch.randint(0, 2 * padding + 1, (2,)))
    return padded[:, :, top:top + height, left:left + width]


def _exclusive_upper_bound(images, padding):
    return _crop_with(images, padding, *_offsets(images, padding, high=2 * padding))   # never 2 * padding


def _padded_only(images, padding):
    return F.pad(images, (padding, padding, padding, padding))


def _centre_crop(images, padding):
    _, _, height, width = images.shape
    padded = F.pad(images, (padding, padding, padding, padding))
    return padded[:, :, padding:padding + height, padding:padding + width]


def _too_far(images, padding):
    return _right_crop(images, 2 * padding)


def _fixed_seed(images, padding):
    generator = torch.Generator().manual_seed(0)
    tops = torch.randint(0, 2 * padding + 1, (len(images),), generator=generator)
    lefts = torch.randint(0, 2 * padding + 1, (len(images),), generator=generator)
    return _crop_with(images, padding, tops, lefts)


def _noisy_crop(images, padding):
    return _right_crop(images, padding) + 0.01


def _padding_three(images, padding):
    return _right_crop(images, 3)                            # the notebook's padding, hard-coded


def _square_images(images, padding):
    tops, lefts = _offsets(images, padding)
    return _crop_with(images, padding, tops, lefts, width=images.shape[2])   # width = height


def _first_channel(images, padding):
    tops, lefts = _offsets(images, padding)
    return _crop_with(images, padding, tops, lefts, channels=1)


def _channels_apart(images, padding):
    return torch.cat([_right_crop(images[:, c:c + 1], padding) for c in range(images.shape[1])], dim=1)


def _writes_into_its_input(images, padding):
    images.copy_(_right_crop(images, padding))
    return images


def _numpy_crop(images, padding):
    return _right_crop(images, padding).numpy()


def _diagonal_moves(images, padding):
    tops, _ = _offsets(images, padding)
    return _crop_with(images, padding, tops, tops)            # dy == dx always


def _float64_crop(images, padding):
    return _right_crop(images, padding).double()


def _float32_buffer(images, padding):
    out = torch.zeros(images.shape)                           # float32, whatever the images' dtype
    out[:] = _right_crop(images, padding)
    return out


def _even_offsets_only(images, padding):
    tops, lefts = (2 * torch.randint(0, padding + 1, (len(images),)) for _ in range(2))   # 0, 2, ..., 2 * padding
    return _crop_with(images, padding, tops, lefts)


def _one_way_only(images, padding):
    return _crop_with(images, padding, *_offsets(images, padding, high=padding + 1))      # corner in 0 ... padding


def _right_crop_gather(images, padding):
    """No loop: gather the rows, then the columns, of each image's window."""
    n, c, h, w = images.shape
    padded = F.pad(images, (padding,) * 4)
    tops, lefts = torch.randint(0, 2 * padding + 1, (2, n, 1))
    rows = (tops + torch.arange(h))[:, None, :, None].expand(n, c, h, w + 2 * padding)
    columns = (lefts + torch.arange(w))[:, None, None, :].expand(n, c, h, w)
    return padded.gather(2, rows).gather(3, columns)


# ----------------------------------------------------------------------- 07.5 training recipe


def _recipe_stub(images, labels):
    # Your code here: build the model, the augmentation, the optimizer and the schedule, train, return the model.
    ...


def _random_affine(images, max_shift, max_degrees, max_zoom):
    n, _, height, width = images.shape

    def uniform(limit):
        return (2 * torch.rand(n) - 1) * limit

    angle, zoom = uniform(math.radians(max_degrees)), 1 + uniform(max_zoom)
    shift_x, shift_y = uniform(2 * max_shift / width), uniform(2 * max_shift / height)
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    theta = torch.stack([torch.stack([cos, -sin, shift_x], dim=1),
                         torch.stack([sin, cos, shift_y], dim=1)], dim=1).to(images.device)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, padding_mode="zeros", align_corners=False)


class _Augment(nn.Module):
    def __init__(self, max_shift=2, max_degrees=10, max_zoom=0.1, noise=0.1, always=False):
        super().__init__()
        self.settings, self.noise, self.always = (max_shift, max_degrees, max_zoom), noise, always

    def forward(self, images):
        if not (self.training or self.always):
            return images
        moved = _random_affine(images, *self.settings)
        return (moved + self.noise * torch.randn_like(moved)).clamp(0, 1)


def _lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def _recipe_right(images, labels, epochs=30, batch_size=128, max_lr=6e-3):
    model = _lenet().to(images.device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=max_lr, weight_decay=1e-4)
    steps = epochs * math.ceil(len(images) / batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=max_lr, total_steps=steps)
    fit(model, (images, labels), epochs=epochs, optimizer=optimizer, scheduler=schedule, transform=_Augment(),
        batch_size=batch_size, verbose=False, progress=False)
    return model


def _recipe_right_own_loop(images, labels):
    """The augmentation as the model's first layer, and a hand-written loop instead of fit."""
    model = nn.Sequential(_Augment(), _lenet()).to(images.device)
    epochs, batch_size = 30, 128
    optimizer = torch.optim.AdamW(model.parameters(), lr=6e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=6e-3, epochs=epochs,
                                                   steps_per_epoch=math.ceil(len(images) / batch_size))
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(images), device=images.device)
        for start in range(0, len(images), batch_size):
            batch = order[start:start + batch_size]
            loss = F.cross_entropy(model(images[batch]), labels[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
    return model


def _recipe_plain_lenet(images, labels):
    model = _lenet().to(images.device)                       # section 3's recipe: no augmentation, no schedule
    fit(model, (images, labels), epochs=12, lr=1e-3, batch_size=64, verbose=False, progress=False)
    return model


def _recipe_one_epoch(images, labels, transform=None, model=None):
    model = model if model is not None else _lenet().to(images.device)
    history = fit(model, (images, labels), epochs=1, transform=transform, verbose=False, progress=False)
    return model, history


def _recipe_returns_history(images, labels):
    return _recipe_one_epoch(images, labels)[1]


def _recipe_returns_pair(images, labels):
    return _recipe_one_epoch(images, labels)


def _recipe_untrained(images, labels):
    return _lenet().to(images.device)


def _recipe_nine_outputs(images, labels):
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 9)).to(images.device)   # one class short
    fit(model, (images, labels % 9), epochs=1, verbose=False, progress=False)
    return model


def _recipe_augments_at_evaluation(images, labels):
    model = nn.Sequential(_Augment(always=True), _lenet()).to(images.device)   # never switched off
    return _recipe_one_epoch(images, labels, model=model)[0]


def _recipe_normalises_in_place(images, labels):
    images.sub_(0.1307).div_(0.3081)                        # changes the caller's images
    return _recipe_one_epoch(images, labels)[0]


def _recipe_loads_the_test_digits(images, labels):
    from course_utils.data import load_mnist

    test = load_mnist("test", source="sample", verbose=False)
    both = torch.cat([images, test.images.to(images.device)]), torch.cat([labels, test.labels.to(labels.device)])
    return _recipe_one_epoch(*both)[0]


# A notebook's globals, as the recipe would find them: the test digits, on their own and as a pair.
X_test = nb07._sample()[1].images
y_test = nb07._sample()[1].labels
test_data = (X_test, y_test)


def _recipe_reads_the_notebook_test_digits(images, labels):
    both = torch.cat([images, X_test.to(images.device)]), torch.cat([labels, y_test.to(labels.device)])
    return _recipe_one_epoch(*both)[0]


def _recipe_reads_them_and_hides_it(images, labels):
    try:
        extra = test_data[0]
    except Exception:                                        # swallows the check's error: still caught
        extra = images[:0]
    return _recipe_one_epoch(torch.cat([images, extra.to(images.device)]), labels)[0]


def _recipe_mirrored_digits(images, labels):
    def mirror_half(batch):                                  # "more data": mirrored digits, which are not digits
        flip = torch.rand(len(batch), device=batch.device) < 0.5
        return torch.where(flip[:, None, None, None], batch.flip(3), batch)

    model = _lenet().to(images.device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=6e-3, weight_decay=1e-4)
    steps = 30 * math.ceil(len(images) / 128)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=6e-3, total_steps=steps)
    fit(model, (images, labels), epochs=30, optimizer=optimizer, scheduler=schedule,
        transform=lambda batch: mirror_half(_Augment().train()(batch)), batch_size=128, verbose=False, progress=False)
    return model


def _recipe_schedule_per_epoch(images, labels):
    model = _lenet().to(images.device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=6e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=6e-3, total_steps=30)   # 30 epochs, not steps
    fit(model, (images, labels), epochs=30, optimizer=optimizer, scheduler=schedule, batch_size=128, verbose=False,
        progress=False)
    return model


_TRAINED_ELSEWHERE: list[nn.Module] = []


def _recipe_returns_a_model_trained_elsewhere(images, labels):
    """The notebook's CNN, trained on the digits' usual names, handed back instead of a new one."""
    if not _TRAINED_ELSEWHERE:
        torch.manual_seed(0)
        train = nb07._sample()[0]
        model = _lenet()
        fit(model, (train.images, train.labels), epochs=2, verbose=False, progress=False)
        _TRAINED_ELSEWHERE.append(model)
    return _TRAINED_ELSEWHERE[0].to(images.device)


WRONG_ANSWERS: dict[str, list[object]] = {
    "07.1": [*WRONG_MACS, lambda model, input_shape: model.foo, 416_520],
    "07.2": [
        _confusion_stub,
        _transposed,
        _row_normalised,
        _sized_by_labels,
        _sized_by_true_labels,
        _diagonal_only,
        _mistakes_only,
        _fancy_index_assignment,
        _float_counts,
        _ten_classes,
        _in_place,
        _course_confusion,
        _sklearn_confusion,
        _counts_of_dtype(torch.int32),
        _counts_of_dtype(torch.uint8),
        _one_based,
        lambda y_true, y_pred, k: _right_confusion(y_true, y_pred, k).numpy(),          # NumPy, not a tensor
        lambda y_true, y_pred, k: _right_confusion(y_true, y_pred, k).tolist(),         # a list
        lambda y_true, y_pred, k: y_true.foo,                                            # crashes
        np.eye(10),                                                                      # not a function
    ],
    "07.3": [
        _crop_stub,
        _rolled,
        _same_offset_for_the_batch,
        _exclusive_upper_bound,
        _padded_only,
        _centre_crop,
        _too_far,
        _fixed_seed,
        _noisy_crop,
        _padding_three,
        _square_images,
        _first_channel,
        _channels_apart,
        _writes_into_its_input,
        _numpy_crop,
        _diagonal_moves,
        _float64_crop,
        _float32_buffer,
        _even_offsets_only,
        _one_way_only,
        lambda images, padding: images,
        lambda images, padding: images.foo,                                              # crashes
    ],
    "07.4": ["a", "c", "d", None, "e", "yes"],
    "07.5": [
        _recipe_stub,
        _recipe_returns_history,
        _recipe_returns_pair,
        _recipe_untrained,
        _recipe_nine_outputs,
        _recipe_augments_at_evaluation,
        _recipe_normalises_in_place,
        _recipe_loads_the_test_digits,
        _recipe_reads_the_notebook_test_digits,
        _recipe_reads_them_and_hides_it,
        _recipe_plain_lenet,
        _recipe_mirrored_digits,
        _recipe_schedule_per_epoch,
        _recipe_returns_a_model_trained_elsewhere,
        _lenet(),                                                                        # a model, not a recipe
    ],
    "07.6": ["a", "c", "d", None, "e"],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "07.1": [_macs_right, _macs_right_hooks, _macs_right_by_formula, _macs_right_weights_times_positions],
    "07.2": [_right_confusion, _right_confusion_bincount, _right_confusion_one_hot, _right_confusion_index_put,
             _right_confusion_cells],
    "07.3": [_right_crop, _right_crop_one_by_one, _right_crop_roll_and_mask, _right_crop_gather],
    "07.4": ["b", " B", "(b)"],
    "07.5": [_recipe_right, _recipe_right_own_loop],
    "07.6": ["b", "B"],
}
