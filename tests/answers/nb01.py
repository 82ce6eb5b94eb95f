"""Answers for the exercises of notebook 01."""

from __future__ import annotations

import numpy as np
import torch

# ---------------------------------------------------------------- 01.1 the perceptron training loop


def _step(z):
    return (z >= 0).long()


def _train_stub(X, y, lr=1.0, max_epochs=100):
    # Your code here: start from w = 0 and b = 0, make one pass over the rows of X per epoch,
    # then return w, b, updates.
    ...


def _train(X, y, lr=1.0, max_epochs=100, *, strict=False, bias=True, sign=1, early_stop=True, record_last=True,
           cumulative=False, count_visits=False, batch=False, use_lr=True, features=None, shuffle=False):
    d = X.shape[1] if features is None else features
    w = torch.zeros(d)
    b = torch.zeros(())
    updates, total = [], 0
    generator = torch.Generator().manual_seed(0)
    for _ in range(max_epochs):
        mistakes = 0
        step_w, step_b = torch.zeros_like(w), torch.zeros_like(b)
        order = torch.randperm(len(X), generator=generator).tolist() if shuffle else range(len(X))
        for i in order:
            x = X[i, :d]
            z = x @ w + b
            y_hat = (z > 0).long() if strict else _step(z)
            error = sign * (y[i] - y_hat)
            if error != 0:
                rate = lr if use_lr else 1.0
                if batch:
                    step_w, step_b = step_w + rate * error * x, step_b + rate * error
                else:
                    w = w + rate * error * x
                    if bias:
                        b = b + rate * error
                mistakes += 1
        if batch:
            w, b = w + step_w, (b + step_b if bias else b)
        total += mistakes
        if mistakes == 0 and early_stop and not record_last:
            break
        updates.append(total if cumulative else (len(X) if count_visits else mistakes))
        if mistakes == 0 and early_stop:
            break
    return w, b, updates


def _train_strict_step(X, y, lr=1.0, max_epochs=100):
    return _train(X, y, lr, max_epochs, strict=True)


def _train_no_bias(X, y, lr=1.0, max_epochs=100):
    return _train(X, y, lr, max_epochs, bias=False)


def _train_sign_flipped(X, y, lr=1.0, max_epochs=100):
    return _train(X, y, lr, max_epochs, sign=-1)


def _train_no_early_stop(X, y, lr=1.0, max_epochs=100):
    return _train(X, y, lr, max_epochs, early_stop=False)


def _train_zero_epoch_not_recorded(X, y, lr=1.0, max_epochs=100):
    return _train(X, y, lr, max_epochs, record_last=False)


def _train_cumulative_counts(X, y, lr=1.0, max_epochs=100):
    return _train(X, y, lr, max_epochs, cumulative=True)


def _train_counts_every_example(X, y, lr=1.0, max_epochs=100):
    return _train(X, y, lr, max_epochs, count_visits=True)


def _train_batch_updates(X, y, lr=1.0, max_epochs=100):
    return _train(X, y, lr, max_epochs, batch=True)


def _train_ignores_lr(X, y, lr=1.0, max_epochs=100):
    return _train(X, y, lr, max_epochs, use_lr=False)


def _train_two_inputs_only(X, y, lr=1.0, max_epochs=100):
    return _train(X, y, lr, max_epochs, features=min(2, X.shape[1]))  # the third input never counts


def _train_third_input_ignored(X, y, lr=1.0, max_epochs=100):
    w, b, updates = torch.zeros(X.shape[1]), torch.zeros(()), []
    for _ in range(max_epochs):
        mistakes = 0
        for i in range(len(X)):
            error = y[i] - _step(X[i, :2] @ w[:2] + b)  # w has every weight, but only two are ever used
            if error != 0:
                w = torch.cat([w[:2] + lr * error * X[i, :2], w[2:]])
                b, mistakes = b + lr * error, mistakes + 1
        updates.append(mistakes)
        if mistakes == 0:
            break
    return w, b, updates


def _train_update_every_example(X, y, lr=1.0, max_epochs=100):
    w, b, updates = torch.zeros(X.shape[1]), torch.zeros(()), []
    for _ in range(max_epochs):
        mistakes = 0
        for i in range(len(X)):
            sign = 2 * y[i] - 1
            mistakes += int(y[i] != _step(X[i] @ w + b))
            w, b = w + lr * sign * X[i], b + lr * sign  # moves even when the prediction was right
        updates.append(mistakes)
        if mistakes == 0:
            break
    return w, b, updates


def _train_shuffled(X, y, lr=1.0, max_epochs=100):
    return _train(X, y, lr, max_epochs, shuffle=True)


def _train_wrong_default_epochs(X, y, lr=1.0, max_epochs=1000):
    return _train(X, y, lr, max_epochs)


def _train_wrong_default_lr(X, y, lr=0.1, max_epochs=100):
    return _train(X, y, lr, max_epochs)


def _train_no_defaults(X, y, lr, max_epochs):
    return _train(X, y, lr, max_epochs)


def _train_hard_coded_two_weights(X, y, lr=1.0, max_epochs=100):
    w, b, updates = torch.zeros(2), torch.zeros(()), []
    for _ in range(max_epochs):
        mistakes = 0
        for i in range(len(X)):
            error = y[i] - _step(X[i] @ w + b)
            if error != 0:
                w, b, mistakes = w + lr * error * X[i], b + lr * error, mistakes + 1
        updates.append(mistakes)
        if mistakes == 0:
            break
    return w, b, updates


def _train_extra_epoch(X, y, lr=1.0, max_epochs=100):
    w, b, updates = torch.zeros(X.shape[1]), torch.zeros(()), []
    for _ in range(max_epochs + 1):  # one epoch too many
        mistakes = 0
        for i in range(len(X)):
            error = y[i] - _step(X[i] @ w + b)
            if error != 0:
                w, b, mistakes = w + lr * error * X[i], b + lr * error, mistakes + 1
        updates.append(mistakes)
        if mistakes == 0:
            break
    return w, b, updates


def _train_plus_minus_in_place(X, y, lr=1.0, max_epochs=100):
    y[y == 0] = -1  # labels as -1/+1, written into the caller's tensor
    w, b, updates = torch.zeros(X.shape[1]), torch.zeros(()), []
    for _ in range(max_epochs):
        mistakes = 0
        for i in range(len(X)):
            prediction = 1 if X[i] @ w + b >= 0 else -1
            if prediction != y[i]:
                w, b, mistakes = w + lr * y[i] * X[i], b + lr * y[i], mistakes + 1
        updates.append(mistakes)
        if mistakes == 0:
            break
    return w, b, updates


def _train_numpy_weights(X, y, lr=1.0, max_epochs=100):
    w, b, updates = _train(X, y, lr, max_epochs)
    return w.numpy(), b, updates


def _train_float_bias(X, y, lr=1.0, max_epochs=100):
    w, b, updates = _train(X, y, lr, max_epochs)
    return w, b.item(), updates


def _train_tensor_updates(X, y, lr=1.0, max_epochs=100):
    w, b, updates = _train(X, y, lr, max_epochs)
    return w, b, torch.tensor(updates)


def _train_tensor_counts(X, y, lr=1.0, max_epochs=100):
    w, b, updates = _train(X, y, lr, max_epochs)
    return w, b, [torch.tensor(count) for count in updates]


def _train_accuracy_log(X, y, lr=1.0, max_epochs=100):
    w, b, updates = _train(X, y, lr, max_epochs)
    return w, b, [1 - count / len(X) for count in updates]  # a float per epoch, not a count


def _train_two_outputs(X, y, lr=1.0, max_epochs=100):
    w, b, _ = _train(X, y, lr, max_epochs)
    return w, b


def _train_bias_without_lr(X, y, lr=1.0, max_epochs=100):
    w, b, updates = torch.zeros(X.shape[1]), torch.zeros(()), []
    for _ in range(max_epochs):
        mistakes = 0
        for i in range(len(X)):
            error = y[i] - _step(X[i] @ w + b)
            if error != 0:
                w, b, mistakes = w + lr * error * X[i], b + error, mistakes + 1  # the bias forgets lr
        updates.append(mistakes)
        if mistakes == 0:
            break
    return w, b, updates


def _train_sign_test_at_zero(X, y, lr=1.0, max_epochs=100):
    s = 2 * y - 1
    w, b, updates = torch.zeros(X.shape[1]), torch.zeros(()), []
    for _ in range(max_epochs):
        mistakes = 0
        for i in range(len(X)):
            if s[i] * (X[i] @ w + b) <= 0:  # the theorem's test: also "wrong" at z = 0 for class 1
                w, b, mistakes = w + lr * s[i] * X[i], b + lr * s[i], mistakes + 1
        updates.append(mistakes)
        if mistakes == 0:
            break
    return w, b, updates


def _train_python_bias(X, y, lr=1.0, max_epochs=100):
    w, b, updates = torch.zeros(X.shape[1]), 0.0, []  # b is a tensor only after its first update
    for _ in range(max_epochs):
        mistakes = 0
        for i in range(len(X)):
            error = y[i] - _step(X[i] @ w + b)
            if error != 0:
                w, b, mistakes = w + lr * error * X[i], b + lr * error, mistakes + 1
        updates.append(mistakes)
        if mistakes == 0:
            break
    return w, b, updates


def _train_tuple_updates(X, y, lr=1.0, max_epochs=100):
    w, b, updates = _train(X, y, lr, max_epochs)
    return w, b, tuple(updates)


def _train_until_converged(X, y, lr=1.0, max_epochs=100):
    w, b, updates = torch.zeros(X.shape[1]), torch.zeros(()), []
    while not updates or updates[-1] != 0:  # forgets max_epochs: never ends on XOR (the check stops it)
        mistakes = 0
        for i in range(len(X)):
            error = y[i] - _step(X[i] @ w + b)
            if error != 0:
                w, b, mistakes = w + lr * error * X[i], b + lr * error, mistakes + 1
        updates.append(mistakes)
    return w, b, updates


def _train_zeros_from_a_row(X, y, lr=1.0, max_epochs=100):
    w = X[0]
    w.zero_()  # "a zero vector the size of a row", but it is the caller's first row
    b, updates = torch.zeros(()), []
    for _ in range(max_epochs):
        mistakes = 0
        for i in range(len(X)):
            error = y[i] - _step(X[i] @ w + b)
            if error != 0:
                w, b, mistakes = w + lr * error * X[i], b + lr * error, mistakes + 1
        updates.append(mistakes)
        if mistakes == 0:
            break
    return w, b, updates


def _train_right_augmented(X, y, lr=1.0, max_epochs=100):
    A = torch.cat([X, torch.ones(len(X), 1)], dim=1)  # the bias as one more weight
    u, updates = torch.zeros(A.shape[1]), []
    for _ in range(max_epochs):
        count = 0
        for a, target in zip(A, y.tolist(), strict=True):
            fires = int(float(a @ u) >= 0)
            if fires != target:
                u, count = u + lr * (target - fires) * a, count + 1
        updates.append(count)
        if count == 0:
            break
    return u[:-1], u[-1], updates


def _train_right_float64_inside(X, y, lr=1.0, max_epochs=100):
    w = torch.zeros(X.shape[1], dtype=torch.float64)
    b = torch.zeros((), dtype=torch.float64)
    updates = []
    for _epoch in range(max_epochs):
        mistakes = 0
        for x_i, y_i in zip(X.double(), y.tolist(), strict=True):
            y_hat = int(torch.dot(w, x_i) + b >= 0)
            if y_hat != y_i:
                w += lr * (y_i - y_hat) * x_i
                b += lr * (y_i - y_hat)
                mistakes += 1
        updates.append(mistakes)
        if not mistakes:
            break
    return w.float(), b.float(), updates


def _train_right_while(X, y, lr=1.0, max_epochs=100):
    w, b = X.new_zeros(X.shape[1]), X.new_zeros(())
    updates, epoch = [], 0
    while epoch < max_epochs:
        count = 0
        for i in range(X.shape[0]):
            y_hat = (torch.dot(X[i], w) + b >= 0).long()
            delta = (y[i] - y_hat).float()
            if delta:
                w = w + lr * delta * X[i]
                b = b + lr * delta
                count += 1
        updates.append(count)
        epoch += 1
        if count == 0:
            break
    return w, b, updates


# ---------------------------------------------------------------- 01.2 the margin


def _margin_stub(w, b, X, y):
    # Your code here: the signed margin of the hyperplane (w, b), as a Python float.
    ...


def _signs(y):
    return 2 * y.float() - 1


def _margin_w_only(w, b, X, y):
    return ((_signs(y) * (X @ w + b)).min() / w.norm()).item()


def _margin_unnormalised(w, b, X, y):
    return (_signs(y) * (X @ w + b)).min().item()


def _margin_abs(w, b, X, y):
    u = torch.cat([w, b.reshape(1)])
    return ((X @ w + b).abs().min() / u.norm()).item()


def _margin_labels_not_signs(w, b, X, y):
    u = torch.cat([w, b.reshape(1)])
    return ((y * (X @ w + b)).min() / u.norm()).item()


def _margin_mean(w, b, X, y):
    u = torch.cat([w, b.reshape(1)])
    return ((_signs(y) * (X @ w + b)).mean() / u.norm()).item()


def _margin_max(w, b, X, y):
    u = torch.cat([w, b.reshape(1)])
    return ((_signs(y) * (X @ w + b)).max() / u.norm()).item()


def _margin_sign_flipped(w, b, X, y):
    u = torch.cat([w, b.reshape(1)])
    return ((1 - 2 * y.float()) * (X @ w + b)).min().item() / u.norm().item()


def _margin_no_bias_in_z(w, b, X, y):
    u = torch.cat([w, b.reshape(1)])
    return ((_signs(y) * (X @ w)).min() / u.norm()).item()


def _margin_tensor(w, b, X, y):
    u = torch.cat([w, b.reshape(1)])
    return (_signs(y) * (X @ w + b)).min() / u.norm()  # a tensor, not a float


def _margin_numpy(w, b, X, y):
    u = np.append(w.numpy(), b.item())
    A = np.hstack([X.numpy(), np.ones((len(X), 1))])
    return np.array([(np.min((2 * y.numpy() - 1) * (A @ u)) / np.linalg.norm(u))])


def _margin_in_place(w, b, X, y):
    y[y == 0] = -1  # signs written into the caller's labels
    u = torch.cat([w, b.reshape(1)])
    return ((y * (X @ w + b)).min() / u.norm()).item()


def _margin_two_inputs_only(w, b, X, y):
    z = X[:, 0] * w[0] + (X[:, 1] * w[1] if len(w) > 1 else 0) + b
    return ((_signs(y) * z).min() / torch.cat([w, b.reshape(1)]).norm()).item()


def _margin_whole_number(w, b, X, y):
    u = torch.cat([w, b.reshape(1)])
    return int(((_signs(y) * (X @ w + b)).min() / u.norm()).item())  # the fraction cut off


def _margin_squared_length(w, b, X, y):
    u = torch.cat([w, b.reshape(1)])
    return ((_signs(y) * (X @ w + b)).min() / (u @ u)).item()


def _margin_norm_sum(w, b, X, y):
    return ((_signs(y) * (X @ w + b)).min() / (w.norm() + b.abs())).item()


def _margin_nearest_point(w, b, X, y):
    u = torch.cat([w, b.reshape(1)])
    z = X @ w + b
    nearest = z.abs().argmin()  # the point nearest the boundary, not the worst one
    return (_signs(y)[nearest] * z[nearest] / u.norm()).item()


def _margin_normalised_in_place(w, b, X, y):
    length = torch.cat([w, b.reshape(1)]).norm()
    w /= length  # scales the caller's weights
    b /= length
    return (_signs(y) * (X @ w + b)).min().item()


def _margin_augmented(w, b, X, y):
    A = torch.cat([X, torch.ones(len(X), 1)], dim=1)
    u = torch.cat([w, b.reshape(1)])
    return float(torch.min(torch.where(y == 1, 1.0, -1.0) * (A @ u)) / torch.linalg.vector_norm(u))


def _margin_loop(w, b, X, y):
    length = (float(w @ w) + float(b) ** 2) ** 0.5
    return min((1 if label == 1 else -1) * (float(x @ w) + float(b)) / length for x, label in zip(X, y.tolist(), strict=True))


WRONG_ANSWERS: dict[str, list[object]] = {
    "01.1": [
        _train_stub,
        _train_strict_step,
        _train_no_bias,
        _train_sign_flipped,
        _train_no_early_stop,
        _train_zero_epoch_not_recorded,
        _train_cumulative_counts,
        _train_counts_every_example,
        _train_batch_updates,
        _train_ignores_lr,
        _train_two_inputs_only,
        _train_third_input_ignored,
        _train_update_every_example,
        _train_shuffled,
        _train_wrong_default_epochs,
        _train_wrong_default_lr,
        _train_no_defaults,
        _train_hard_coded_two_weights,
        _train_extra_epoch,
        _train_plus_minus_in_place,
        _train_numpy_weights,
        _train_float_bias,
        _train_tensor_updates,
        _train_tensor_counts,
        _train_accuracy_log,
        _train_two_outputs,
        _train_bias_without_lr,
        _train_sign_test_at_zero,
        _train_python_bias,
        _train_tuple_updates,
        _train_until_converged,
        _train_zeros_from_a_row,
        lambda X, y, lr=1.0, max_epochs=100: X.foo,  # crashes
    ],
    "01.2": [
        _margin_stub,
        _margin_w_only,
        _margin_unnormalised,
        _margin_abs,
        _margin_labels_not_signs,
        _margin_mean,
        _margin_max,
        _margin_sign_flipped,
        _margin_no_bias_in_z,
        _margin_tensor,
        _margin_numpy,
        _margin_in_place,
        _margin_two_inputs_only,
        _margin_whole_number,
        _margin_squared_length,
        _margin_norm_sum,
        _margin_nearest_point,
        _margin_normalised_in_place,
    ],
    "01.3": [None, 16, 15, 13, 12, 6, 4, 2, 17, 14.0, "14", True],
    "01.4": ["a", "c", "d", None],
}
RIGHT_ANSWERS: dict[str, list[object]] = {
    "01.1": [_train, _train_right_float64_inside, _train_right_while, _train_right_augmented],
    "01.2": [_margin_augmented, _margin_loop],
    "01.3": [14, np.int64(14)],
    "01.4": ["b", " B "],
}
