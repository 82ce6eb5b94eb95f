"""Exercises of notebook 07 (CNNs for image classification)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from course_utils.checks import NotAttempted, Wrong, exercise, expect_function, multiple_choice

# --------------------------------------------------------------------------- 07.1


def _conv_size(size: int, kernel_size: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - kernel_size) // stride + 1


# (size, kernel_size, stride, padding): LeNet's layers first, then strides that do not divide evenly.
_CONV_CASES = [
    (28, 5, 1, 2), (14, 5, 1, 0), (28, 2, 2, 0), (10, 2, 2, 0),
    (32, 3, 2, 1), (7, 3, 2, 0), (28, 3, 3, 0), (15, 4, 2, 1), (5, 5, 1, 0), (224, 11, 4, 2),
]


@exercise(
    "07.1",
    title="Output size of a convolution",
    hint="Padding adds `padding` pixels on *both* sides; the kernel fits (size + 2*padding - kernel_size) "
         "// stride + 1 times (// rounds down, and the + 1 counts the first position).",
)
def conv_output_size(answer: Any) -> None:
    """The answer is a function f(size, kernel_size, stride, padding) -> output size."""
    expect_function(answer, "conv_output_size(size, kernel_size, stride, padding)")
    for size, kernel_size, stride, padding in _CONV_CASES:
        got = answer(size, kernel_size, stride, padding)
        if got is None or got is Ellipsis:
            raise NotAttempted("Your function returns None: it still needs a return statement.")
        expected = _conv_size(size, kernel_size, stride, padding)
        case = f"size={size}, kernel_size={kernel_size}, stride={stride}, padding={padding}"
        try:
            value = float(got)
        except (TypeError, ValueError) as exc:
            raise Wrong(f"For {case} expected a whole number, got {got!r}.") from exc
        if value != int(value):
            raise Wrong(f"For {case} you returned {value:g}, which is not a whole number: a kernel "
                        "cannot stop half-way. Round down with //.")
        if int(value) == expected:
            continue
        span = size + 2 * padding - kernel_size
        mistakes = {
            span // stride: "You forgot the + 1: the first position of the kernel counts too.",
            (size + padding - kernel_size) // stride + 1: "Padding is added on both sides: use 2 * padding.",
            (size - kernel_size) // stride + 1: "You left out the padding: it makes the input bigger by 2 * padding.",
            span + 1: "You left out the stride: the kernel moves `stride` pixels at a time.",
            -(-span // stride) + 1: "You rounded up; PyTorch rounds down (a last, partial window is dropped).",
            size // stride: "size // stride ignores the kernel and the padding.",
        }
        why = mistakes.get(int(value), "")
        raise Wrong(f"For {case} you returned {int(value)}, expected {expected}. {why}".rstrip())


# --------------------------------------------------------------------------- 07.2


def _as_matrix(value: Any, shape: tuple[int, int]) -> np.ndarray:
    if value is None or value is Ellipsis:
        raise NotAttempted("Your function returns None: it still needs a return statement.")
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise Wrong(f"Expected a {shape[0]} x {shape[1]} array or tensor, got {type(value).__name__}.") from exc
    if array.shape != shape:
        raise Wrong(f"Expected shape {shape} (num_classes x num_classes), got {array.shape}.",
                    hint="Make the matrix num_classes x num_classes even when a class never appears: "
                         "torch.zeros(num_classes, num_classes) is a good start.")
    return array


def _true_confusion(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> np.ndarray:
    matrix = np.zeros((num_classes, num_classes))
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


@exercise(
    "07.2",
    title="A confusion matrix by hand",
    hint="Start from a num_classes x num_classes matrix of zeros and add 1 at [true, predicted] for "
         "every example: row = true class, column = prediction.",
)
def confusion_matrix_by_hand(answer: Any) -> None:
    """The answer is a function f(y_true, y_pred, num_classes) -> counts[true, predicted]."""
    expect_function(answer, "my_confusion_matrix(y_true, y_pred, num_classes)")
    rng = np.random.default_rng(7)
    small_true = np.array([0, 0, 1, 2, 2, 2, 1, 0])
    small_pred = np.array([0, 1, 1, 2, 0, 0, 1, 0])   # class 3 never appears; 2 -> 0 twice, 0 -> 2 never
    big_true = rng.integers(0, 10, 300)
    big_pred = np.where(rng.random(300) < 0.7, big_true, rng.integers(0, 10, 300))
    cases = [(small_true, small_pred, 4), (big_true, big_pred, 10)]
    for y_true, y_pred, num_classes in cases:
        got = _as_matrix(answer(torch.from_numpy(y_true), torch.from_numpy(y_pred), num_classes),
                         (num_classes, num_classes))
        expected = _true_confusion(y_true, y_pred, num_classes)
        if np.array_equal(got, expected):
            continue
        if np.array_equal(got, expected.T):
            raise Wrong("Your matrix is transposed: rows must be the true classes, columns the predictions.",
                        hint="Add 1 at [true, predicted], not at [predicted, true].")
        totals = expected.sum(axis=1, keepdims=True)
        normalised = np.divide(expected, totals, out=np.zeros_like(expected), where=totals > 0)
        if np.allclose(got, normalised):
            raise Wrong("You divided each row by its total: the exercise asks for counts.")
        if np.array_equal(got, np.diag(np.diag(expected))):
            raise Wrong("Only the diagonal is filled: count the mistakes too, at [true, predicted].")
        if np.array_equal(got, expected - np.diag(np.diag(expected))):
            raise Wrong("The diagonal is empty: the correct predictions belong there, at [c, c].")
        if got.sum() != len(y_true):
            raise Wrong(f"Your counts add up to {got.sum():g}, but there are {len(y_true)} examples: "
                        "each example adds exactly 1 to one cell.")
        raise Wrong(f"For y_true={y_true.tolist()[:8]}..., your matrix differs from the true counts.")


# --------------------------------------------------------------------------- 07.3

_CROP_PADDING = 3


def _find_shift(original: torch.Tensor, output: torch.Tensor, reach: int) -> tuple[int, int] | None:
    """The (dy, dx) with output[y, x] == original[y + dy, x + dx] (zeros outside), if any."""
    _, height, width = original.shape
    padded = F.pad(original, (reach, reach, reach, reach))
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            window = padded[:, reach + dy:reach + dy + height, reach + dx:reach + dx + width]
            if torch.equal(window, output):
                return dy, dx
    return None


def _is_wrapped_shift(original: torch.Tensor, output: torch.Tensor, reach: int) -> bool:
    return any(torch.equal(torch.roll(original, (dy, dx), dims=(1, 2)), output)
               for dy in range(-reach, reach + 1) for dx in range(-reach, reach + 1))


def _crop_outputs(answer: Any, images: torch.Tensor) -> torch.Tensor:
    out = answer(images.clone(), _CROP_PADDING)
    if out is None or out is Ellipsis:
        raise NotAttempted("Your function returns None: it still needs a return statement.")
    if not isinstance(out, torch.Tensor):
        raise Wrong(f"Expected a tensor of images, got {type(out).__name__}.")
    padded_shape = (*images.shape[:2], images.shape[2] + 2 * _CROP_PADDING, images.shape[3] + 2 * _CROP_PADDING)
    if tuple(out.shape) == padded_shape:
        raise Wrong(f"You returned the padded images, shape {tuple(out.shape)}: cut a window of the original "
                    f"size {tuple(images.shape[2:])} out of each padded image.")
    if out.shape != images.shape:
        raise Wrong(f"The output has shape {tuple(out.shape)}; a random crop keeps the shape {tuple(images.shape)}.")
    return out


def _check_random_crop(answer: Any) -> None:
    generator = torch.Generator().manual_seed(3)
    images = 0.1 + 0.9 * torch.rand(64, 1, 12, 12, generator=generator)   # no zeros: padding shows
    p = _CROP_PADDING
    shifts = []
    for _ in range(2):
        out = _crop_outputs(answer, images)
        for i in range(len(images)):
            shift = _find_shift(images[i], out[i], p + 2)
            if shift is None:
                if _is_wrapped_shift(images[i], out[i], p + 2):
                    raise Wrong("Your images wrap around: pixels that leave one side come back on the other "
                                "(that is what torch.roll does). A crop of a zero-padded image fills the "
                                "uncovered border with zeros.",
                                hint="Pad with F.pad(images, (padding,) * 4), then slice a window of the "
                                     "original size at a random offset.")
                raise Wrong(f"Output image {i} is not a shifted copy of its input with zeros around it. "
                            "A random crop only moves the image; it does not change the pixel values.")
            shifts.append(shift)
    shifts_t = torch.tensor(shifts)
    largest = shifts_t.abs().max().item()
    if largest > p:
        raise Wrong(f"One image moved by {largest} pixels, but with padding={p} a crop can move it by at "
                    f"most {p}.", hint="Choose each offset in 0 ... 2 * padding (inclusive).")
    if largest == 0:
        raise Wrong("Every image came back unchanged: choose a random offset for each image.")
    first_call = shifts_t[:len(images)]
    if (first_call == first_call[0]).all():
        raise Wrong(f"Every image of the batch moved by the same offset {tuple(first_call[0].tolist())}: "
                    "draw a separate random offset for each image.",
                    hint="torch.randint(0, 2 * padding + 1, (len(images),)) gives one offset per image.")
    if torch.equal(first_call, shifts_t[len(images):]):
        raise Wrong("Two calls gave exactly the same offsets: draw new random offsets at every call.")
    for axis, name in ((0, "vertical"), (1, "horizontal")):
        seen = set(shifts_t[:, axis].tolist())
        if not {-p, p} <= seen:
            raise Wrong(f"In {len(shifts)} crops the {name} offset never reached both -{p} and +{p}. "
                        "torch.randint(low, high) never returns high itself.",
                        hint="Use torch.randint(0, 2 * padding + 1, ...) so that every offset from 0 to "
                             "2 * padding can come out.")


@exercise(
    "07.3",
    title="Random crop with zero padding",
    hint="Pad every image with `padding` zeros on each side (F.pad(images, (padding,) * 4)), then for each "
         "image cut out a window of the original size at a random top-left corner in 0 ... 2 * padding.",
)
def random_crop(answer: Any) -> None:
    """The answer is a function f(images, padding) -> randomly cropped images of the same shape."""
    expect_function(answer, "random_crop(images, padding)")
    # The learner's function draws from the global generator: seed it for a repeatable check,
    # and give the notebook its random state back afterwards.
    with torch.random.fork_rng():
        torch.manual_seed(2024)
        _check_random_crop(answer)


# --------------------------------------------------------------------------- 07.4

exercise(
    "07.4",
    title="Predict what augmentation does",
    hint="Augmentation shows the network moved digits during training; ask what that changes for moved test "
         "digits, and whether it costs anything on clean ones.",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "The moved digits gain a lot, but the clean ones have little room left: the network already "
                 "recognises most of them, and the augmented training images are still ordinary digits.",
            "b": "Right: the network learns that a digit keeps its name when it moves, which is exactly what "
                 "the moved test set asks; on clean digits the effect is small, either way.",
            "c": "A small network can learn both: the moved training digits are still digits, so the clean "
                 "accuracy changes by a point or two at most, not by ten.",
            "d": "The measurements of section 6 say otherwise: the CNN's accuracy fell a lot on moved digits. "
                 "Pooling tolerates shifts of a pixel or two, not rotations or larger shifts, and the fully "
                 "connected layers care where things are.",
        },
    )
)

# --------------------------------------------------------------------------- 07.5

exercise(
    "07.5",
    title="Why the time-averaged spectrum fails",
    hint="Draw the frequency of a rising and of a falling chirp against time, then count how long each one "
         "spends at each frequency.",
)(
    multiple_choice(
        correct="b",
        feedback={
            "a": "A bigger MLP would not help: after averaging, rising and falling chirps give inputs drawn from "
                 "the same distribution, and no function of those inputs can beat a coin toss between them.",
            "b": "Right: averaging over time keeps how much energy each frequency got and throws away when. "
                 "A rising and a falling chirp over the same range get the same amounts, in opposite orders.",
            "c": "The average keeps the log-frequency axis: it is a vector of F_BINS numbers, one per frequency. "
                 "It is the time axis that disappears.",
            "d": "Loudness and noise are drawn the same way for every class, and the baseline still recognises "
                 "clicks: nothing vanishes. The information about direction is simply gone.",
        },
    )
)
