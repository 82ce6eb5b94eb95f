"""Plots used throughout the course, all in one colour-blind-safe style.

Every function here draws inside :func:`course_style` and returns the matplotlib objects it
made, so you can keep adjusting them (``ax.set_xlim(...)``, ``fig.savefig(...)``) after the
call. Nothing changes matplotlib's global settings unless you ask for it with
:func:`use_course_style`.

Colour is never the only carrier of meaning: classes also get different markers, mistakes
get a text marker as well as a coloured frame, and train/validation curves differ in line
style. Figures stay readable in greyscale and for readers with colour-vision deficiencies.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.colors import Colormap, LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from course_utils._args import check_flag, check_whole

__all__ = [
    "COURSE_STYLE",
    "MARKERS",
    "PALETTE",
    "confusion_matrix",
    "course_style",
    "decision_grid",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_image_grid",
    "plot_training_curves",
    "use_course_style",
]

# The eight Okabe-Ito colours, which stay distinguishable for the common forms of colour
# blindness. They are ordered for plotting: strong blue and orange first, pale yellow and
# black last. Class ``i`` is drawn in ``PALETTE[i]``.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)

# One marker per class, so classes can be told apart without colour.
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")

# Sequential data (counts, intensities) uses a perceptually uniform map instead.
_SEQUENTIAL_CMAP = "cividis"
_MISTAKE_COLOUR = PALETTE[3]  # vermillion

COURSE_STYLE: dict[str, Any] = {
    "axes.prop_cycle": cycler(color=PALETTE),
    "image.cmap": "viridis",
    "figure.figsize": (6.0, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "figure.constrained_layout.use": True,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "figure.titlesize": 13,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#b0b0b0",
    "grid.alpha": 0.4,
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 2.0,
    "legend.frameon": False,
}


def use_course_style() -> None:
    """Make the course style the default for every later figure in this session.

    Notebooks call this once in their setup cell. To undo it, restart the kernel or call
    ``matplotlib.rcdefaults()``.
    """
    mpl.rcParams.update(COURSE_STYLE)


@contextmanager
def course_style() -> Iterator[None]:
    """Apply the course style only inside a ``with`` block.

    Example::

        with course_style():
            fig, ax = plt.subplots()
            ax.plot([1, 2, 3])

    matplotlib's settings are restored when the block ends, even after an error.
    """
    with mpl.rc_context(COURSE_STYLE):
        yield


# --------------------------------------------------------------------------------------
# Small conversions shared by the functions below
# --------------------------------------------------------------------------------------


def _to_numpy(values: Any) -> np.ndarray:
    """Turn a tensor (on any device, with or without gradients), array or list into numpy."""
    if isinstance(values, (list, tuple)) and values and all(
            isinstance(value, torch.Tensor) for value in values):
        values = torch.stack([value.detach().cpu() for value in values])  # a list of images
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu()
        if values.is_floating_point() and values.dtype not in (torch.float32, torch.float64):
            values = values.float()  # numpy has no bfloat16
        return values.numpy()
    return np.asarray(values)


def _to_class_indices(values: Any, name: str) -> np.ndarray:
    """Check that ``values`` are class labels 0, 1, 2, ... and return them as a 1-D int array.

    A 2-D input of shape (N, K) is read as one row of scores per example, and its argmax is used.
    """
    array = _to_numpy(values)
    if array.dtype.kind not in "biuf":
        kind = "str" if array.dtype.kind in "US" else array.dtype.name
        raise TypeError(
            f"{name} must hold class labels 0, 1, 2, ... (numbers), not {kind}: map names to "
            "indices first, e.g. [classes.index(label) for label in labels]"
        )
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    elif array.ndim == 2:
        if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
            raise ValueError(f"{name} contains NaN or infinite scores: the model diverged, or its "
                             "inputs hold NaN (check them with np.isfinite)")
        array = array.argmax(axis=1)
    if array.ndim != 1:
        raise ValueError(
            f"expected {name} of shape (N,) with one class label per example, "
            f"got shape {tuple(array.shape)}"
        )
    if array.size and not np.all(np.mod(array, 1) == 0):
        raise ValueError(
            f"{name} must hold whole-number class labels (0, 1, 2, ...), got {array[:5]}"
        )
    array = array.astype(np.int64)
    if array.size and array.min() < 0:
        raise ValueError(
            f"{name} must hold class labels 0, 1, 2, ...; found {array.min()}. "
            "If your labels are -1/+1, map them first, e.g. (y + 1) // 2."
        )
    return array


def _figure_of(ax: Axes) -> Figure:
    return ax.get_figure()  # type: ignore[return-value]


def _check_ax(ax: Any) -> None:
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(
            "ax must be one matplotlib Axes (the ax of fig, ax = plt.subplots(), or axes[0] of "
            f"several), or None for a new figure; got {type(ax).__name__}"
        )


def _class_names(classes: Any, largest_label: int) -> list[str] | None:
    """``classes`` as a list of names, checked to name every label up to ``largest_label``."""
    if classes is None:
        return None
    if isinstance(classes, str) or not isinstance(classes, Sequence | np.ndarray):
        raise TypeError(
            "classes must be a list of names, one per class in label order, e.g. "
            f"['cat', 'dog']; got {type(classes).__name__} {classes!r}"
        )
    if largest_label >= len(classes):
        raise ValueError(
            f"classes has {len(classes)} names, but the labels go up to {largest_label}: give "
            "one name per class, in label order"
        )
    return [str(name) for name in classes]


# --------------------------------------------------------------------------------------
# Decision boundaries
# --------------------------------------------------------------------------------------


def _check_points(X: Any) -> np.ndarray:
    points = _to_numpy(X)
    if points.ndim != 2 or points.shape[1] != 2 or points.shape[0] == 0:
        raise ValueError(
            f"expected X of shape (N, 2), got {tuple(points.shape)}: X needs at least one "
            "row, one per point, each with two features (decision boundaries are drawn in 2-D)"
        )
    if points.dtype.kind not in "biuf":
        raise TypeError(f"X must hold numbers, got an array of {points.dtype}")
    points = points.astype(np.float64)
    bad = ~np.isfinite(points).all(axis=1)
    if bad.any():
        raise ValueError(
            f"X contains NaN or infinite values (row {int(bad.argmax())} is the first): drop "
            "or fix those points first, e.g. X[np.isfinite(X).all(axis=1)]"
        )
    return points


def _model_device_and_dtype(model: Any) -> tuple[torch.device, torch.dtype]:
    if isinstance(model, torch.nn.Module):
        for parameter in model.parameters():
            if parameter.is_floating_point():
                return parameter.device, parameter.dtype
    return torch.device("cpu"), torch.float32


def _torch_device(device: Any) -> torch.device | None:
    if device is None:
        return None
    try:
        return torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise ValueError(
            f"device={device!r} is not a device: use 'cpu', 'cuda' or 'mps', or leave it out "
            "to use the model's own"
        ) from None


def _evaluate(model: Callable[..., Any], grid: np.ndarray, device: Any) -> np.ndarray:
    """Run ``model`` on the grid points, first as a torch tensor, then as a numpy array."""
    model_device, dtype = _model_device_and_dtype(model)
    target = device if device is not None else model_device
    inputs = torch.as_tensor(grid, dtype=dtype, device=target)
    try:
        return _to_numpy(model(inputs))
    except Exception as torch_error:
        if isinstance(model, torch.nn.Module):
            raise RuntimeError(
                f"the model failed on a {tuple(inputs.shape)} float tensor on {target}: "
                f"{torch_error}. Check that it takes 2 input features and that `device` "
                "matches where its weights are."
            ) from torch_error
        try:
            return _to_numpy(model(grid.astype(np.float32)))
        except Exception as numpy_error:
            raise RuntimeError(
                f"could not evaluate the model on {grid.shape[0]} grid points of shape (M, 2), "
                f"neither as a torch tensor ({torch_error}) nor as a numpy array "
                f"({numpy_error}). It should accept one of them and return one score or one "
                "row of class scores per point."
            ) from numpy_error


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _as_probabilities(outputs: np.ndarray, num_points: int) -> np.ndarray:
    """Turn model outputs into an (M, K) array of class probabilities, K >= 2."""
    if outputs.ndim == 2 and outputs.shape[1] == 1:
        outputs = outputs[:, 0]
    if outputs.ndim not in (1, 2) or outputs.shape[0] != num_points:
        raise ValueError(
            f"the model returned shape {tuple(outputs.shape)} for {num_points} points; expected "
            f"({num_points},) or ({num_points}, 1) for two classes, or ({num_points}, K) for "
            "K classes"
        )
    if outputs.ndim == 1 and (outputs.dtype == bool or np.issubdtype(outputs.dtype, np.integer)):
        # Hard predictions (class indices), e.g. from a scikit-learn style `predict`.
        num_classes = max(int(outputs.max()) + 1, 2)
        return np.eye(num_classes)[outputs.astype(np.int64)]
    outputs = outputs.astype(np.float64)
    bad = ~np.isfinite(outputs.reshape(num_points, -1)).all(axis=1)
    if bad.any():
        raise ValueError(
            f"the model returned NaN or infinite scores for {int(bad.sum()):,} of the "
            f"{num_points:,} grid points: train it with a lower learning rate, or check what "
            "it does far from the data (the grid extends `padding` beyond the points)"
        )
    in_unit_range = bool(np.all((outputs >= 0) & (outputs <= 1)))
    if outputs.ndim == 1:
        p_one = outputs if in_unit_range else 0.5 * (1 + np.tanh(outputs / 2))  # sigmoid
        return np.stack([1 - p_one, p_one], axis=1)
    if in_unit_range and np.allclose(outputs.sum(axis=1), 1, atol=1e-3):
        return outputs
    return _softmax(outputs)


_MAX_RESOLUTION = 1000  # grid points per axis: a million model evaluations at most


def decision_grid(
    model: Callable[..., Any],
    X: Any,
    resolution: int = 200,
    padding: float = 0.5,
    device: str | torch.device | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluate a 2-D classifier on a regular grid that covers the points ``X``.

    This is the computation behind :func:`plot_decision_boundary`, useful on its own when
    you want to inspect or test the regions a model predicts.

    Args:
        model: a ``torch.nn.Module`` or any function of an (M, 2) float tensor (float32,
            or the dtype of the module's weights) or float32 numpy array. It may return (M,) or (M, 1) scores for two classes (probabilities if
            they all lie in [0, 1], otherwise logits, passed through a sigmoid), (M, K)
            logits or probabilities for K classes, or (M,) integer class indices.
        X: the (N, 2) data points; the grid spans their range plus ``padding`` on each side.
        resolution: number of grid points along each axis.
        padding: margin added around the data, in data units.
        device: where to run the model. By default, the device of the model's weights
            (CPU for plain functions).

    Returns:
        ``(xx, yy, probs)``: ``xx`` and ``yy`` are (resolution, resolution) coordinate
        arrays as made by ``np.meshgrid``, and ``probs`` has shape
        (resolution, resolution, K) with the probability of each class at each grid point
        (K = 2 for binary models). ``probs.argmax(-1)`` gives the predicted class.

    The model runs under ``torch.inference_mode()`` and in eval mode; a module that was in
    training mode is switched back afterwards.
    """
    if not callable(model):
        raise TypeError(
            "model must be a torch.nn.Module or a function of an (M, 2) tensor or array, got "
            f"{type(model).__name__}"
        )
    points = _check_points(X)
    resolution = check_whole(resolution, "resolution (grid points per axis)", minimum=2)
    if resolution > _MAX_RESOLUTION:
        raise ValueError(
            f"resolution={resolution} would evaluate the model at {resolution**2:,} grid points; "
            f"use at most {_MAX_RESOLUTION} per axis (the default 200 is plenty for a figure)"
        )
    if isinstance(padding, bool) or not isinstance(padding, numbers.Real):
        raise TypeError(f"padding must be a number (data units around the points), got {padding!r}")
    if not (math.isfinite(padding) and padding >= 0):
        raise ValueError(f"padding must be a finite number >= 0 (data units), got {padding}")
    device = _torch_device(device)
    (x_min, y_min), (x_max, y_max) = points.min(axis=0), points.max(axis=0)
    xx, yy = np.meshgrid(
        np.linspace(x_min - padding, x_max + padding, resolution),
        np.linspace(y_min - padding, y_max + padding, resolution),
    )
    grid = np.column_stack([xx.ravel(), yy.ravel()])

    # Remember each submodule's mode (dropout, batch norm...) to put it back afterwards.
    modes = {m: m.training for m in model.modules()} if isinstance(model, torch.nn.Module) else {}
    if isinstance(model, torch.nn.Module):
        model.eval()
    try:
        with torch.inference_mode():
            outputs = _evaluate(model, grid, device)
    finally:
        for module, training in modes.items():
            module.training = training
    probs = _as_probabilities(outputs, grid.shape[0])
    return xx, yy, probs.reshape(resolution, resolution, -1)


def plot_decision_boundary(
    model: Callable[..., Any],
    X: Any,
    y: Any = None,
    *,
    ax: Axes | None = None,
    resolution: int = 200,
    padding: float = 0.5,
    device: str | torch.device | None = None,
    title: str | None = None,
    proba: bool = True,
) -> tuple[Figure, Axes]:
    """Shade the regions where a 2-D classifier predicts each class, and draw the data on top.

    Args:
        model: a ``torch.nn.Module`` or a function of an (M, 2) tensor or numpy array; see
            :func:`decision_grid` for the outputs it may return.
        X: (N, 2) points, as a tensor or array.
        y: optional class labels 0, 1, ... for the points; each class gets its own colour
            and marker.
        ax: draw into these axes instead of a new figure.
        resolution, padding, device: passed to :func:`decision_grid`.
        title: optional axes title.
        proba: for two classes, shade the probability of class 1 (with the 0.5 boundary as
            a black line) instead of flat class regions.

    Returns:
        ``(fig, ax)``.
    """
    _check_ax(ax)
    proba = check_flag(proba, "proba", meaning="shade the probability of class 1, or flat class regions")
    points = _check_points(X)
    labels = None if y is None else _to_class_indices(y, "y")
    if labels is not None and labels.shape[0] != points.shape[0]:
        raise ValueError(
            f"expected y of shape ({points.shape[0]},), one label per row of X, "
            f"got {labels.shape[0]} labels"
        )
    xx, yy, probs = decision_grid(model, points, resolution, padding, device)
    num_classes = probs.shape[-1]
    if labels is not None and labels.size:
        num_classes = max(num_classes, int(labels.max()) + 1)
    colours = [PALETTE[i % len(PALETTE)] for i in range(num_classes)]

    with course_style():
        if ax is None:
            fig, ax = plt.subplots()
        else:
            fig = _figure_of(ax)
        ax.grid(False)
        if proba and probs.shape[-1] == 2:
            cmap = LinearSegmentedColormap.from_list(
                "class0_to_class1", [PALETTE[0], "#f7f7f7", PALETTE[1]]
            )
            filled = ax.contourf(
                xx, yy, probs[..., 1], levels=np.linspace(0, 1, 11), cmap=cmap, alpha=0.6
            )
            fig.colorbar(filled, ax=ax, label="P(class 1)", ticks=[0, 0.25, 0.5, 0.75, 1])
            if probs[..., 1].min() < 0.5 < probs[..., 1].max():
                ax.contour(xx, yy, probs[..., 1], levels=[0.5], colors="black", linewidths=1.5)
        else:
            predicted = probs.argmax(axis=-1)
            levels = np.arange(num_classes + 1) - 0.5
            ax.contourf(xx, yy, predicted, levels=levels, colors=colours, alpha=0.3)
            if predicted.min() != predicted.max():  # at least one boundary to draw
                ax.contour(xx, yy, predicted, levels=levels[1:-1], colors="black", linewidths=0.8)

        if labels is None:
            ax.scatter(points[:, 0], points[:, 1], s=18, c="black", marker=".")
        else:
            for c in np.unique(labels):
                mask = labels == c
                ax.scatter(
                    points[mask, 0],
                    points[mask, 1],
                    s=30,
                    color=colours[c],
                    marker=MARKERS[c % len(MARKERS)],
                    edgecolors="black",
                    linewidths=0.5,
                    label=f"class {c}",
                )
            ax.legend(loc="best", frameon=True, framealpha=0.8)
        ax.set_xlim(xx.min(), xx.max())
        ax.set_ylim(yy.min(), yy.max())
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        if title:
            ax.set_title(title)
    return fig, ax


# --------------------------------------------------------------------------------------
# Image grids
# --------------------------------------------------------------------------------------


def _images_for_display(images: Any) -> np.ndarray:
    """Return images as (N, H, W) or (N, H, W, 3) floats in [0, 1]."""
    array = _to_numpy(images)
    if array.ndim == 4 and array.shape[1] in (1, 3):
        array = np.moveaxis(array, 1, -1)  # channels first -> channels last
    elif not (array.ndim == 3 or (array.ndim == 4 and array.shape[-1] in (1, 3))):
        raise ValueError(
            "expected images of shape (N, H, W), (N, 1, H, W) or (N, 3, H, W), "
            f"got {tuple(array.shape)}. For a single image, add a batch axis, "
            "e.g. image[None] or image.unsqueeze(0)."
        )
    if array.ndim == 4 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.dtype == np.uint8:
        return array.astype(np.float64) / 255
    if array.dtype.kind not in "biuf":
        raise TypeError(f"images must hold numbers, got an array of {array.dtype}")
    array = array.astype(np.float64)
    bad = ~np.isfinite(array.reshape(len(array), -1)).all(axis=1)
    if bad.any():
        raise ValueError(
            f"images contain NaN or infinite values ({int(bad.sum())} of {len(array)} images, the "
            f"first is image {int(bad.argmax())}): check what made them, e.g. a division by a zero "
            "standard deviation"
        )
    if array.size == 0 or (array.min() >= 0 and array.max() <= 1):
        return array
    # Outside [0, 1] (e.g. normalised inputs): stretch each image to its own range.
    axes = tuple(range(1, array.ndim))
    low = array.min(axis=axes, keepdims=True)
    high = array.max(axis=axes, keepdims=True)
    return (array - low) / np.where(high > low, high - low, 1)


def _check_cmap(cmap: Any) -> None:
    if isinstance(cmap, Colormap):
        return
    if not isinstance(cmap, str):
        raise TypeError(
            "cmap must be the name of a matplotlib colour map such as 'gray' or 'viridis', got "
            f"{type(cmap).__name__} {cmap!r}"
        )
    if cmap not in mpl.colormaps:
        close = difflib.get_close_matches(cmap, list(mpl.colormaps), n=3)
        raise ValueError(
            f"cmap={cmap!r} is not a matplotlib colour map; "
            + (f"did you mean {', '.join(map(repr, close))}? " if close else "")
            + "'gray' (the default), 'viridis' or 'cividis' suit single-channel images"
        )


def _class_name(value: Any, classes: Sequence[str] | None) -> str:
    if classes is not None and isinstance(value, (int, np.integer)) and 0 <= value < len(classes):
        return str(classes[value])
    return str(value)


def _image_title(
    i: int, true: list[Any] | None, pred: list[Any] | None, classes: Sequence[str] | None
) -> tuple[str, bool]:
    """Title of image ``i``: "label", "label → prediction", or "✗ label → prediction"."""
    if pred is None:
        return ("" if true is None else _class_name(true[i], classes)), False
    predicted = _class_name(pred[i], classes)
    if true is None:
        return f"pred: {predicted}", False
    if true[i] == pred[i]:
        return f"{_class_name(true[i], classes)} → {predicted}", False
    return f"✗ {_class_name(true[i], classes)} → {predicted}", True


def _as_label_list(values: Any, count: int, name: str) -> list[Any]:
    array = _to_numpy(values)
    if array.ndim == 2 and name == "predictions":
        array = array.argmax(axis=1)  # (N, K) scores -> predicted classes
    array = array.reshape(-1)
    if np.issubdtype(array.dtype, np.floating) and np.all(np.mod(array, 1) == 0):
        array = array.astype(np.int64)  # show class 3.0 as "3"
    items = array.tolist()
    if len(items) < count:
        raise ValueError(f"expected at least {count} {name}, one per image shown, got {len(items)}")
    return items[:count]


def plot_image_grid(
    images: Any,
    labels: Any = None,
    predictions: Any = None,
    *,
    classes: Sequence[str] | None = None,
    ncols: int = 8,
    cmap: str = "gray",
    title: str | None = None,
    max_images: int = 64,
) -> Figure:
    """Show a batch of images in a grid, with their labels and, optionally, predictions.

    Args:
        images: (N, H, W), (N, 1, H, W) or (N, 3, H, W) tensor or array ((N, H, W, 3) works
            too, as numpy and PIL store colour images). Values in [0, 1] are shown as they
            are, uint8 values are divided by 255, and anything else (for example normalised
            inputs) is stretched per image to fill the colour range.
        labels: optional true class of each image.
        predictions: optional predicted class of each image (or (N, K) scores). Each title
            reads ``"label → prediction"``; mistakes start with ✗ and get a coloured frame.
        classes: optional class names, so that class 3 is shown as ``classes[3]``.
        ncols: images per row.
        cmap: colour map for single-channel images.
        title: optional title above the grid.
        max_images: show at most this many images (the first ones).

    Returns:
        The figure.
    """
    ncols = check_whole(ncols, "ncols", minimum=1)
    max_images = check_whole(max_images, "max_images", minimum=1)
    _check_cmap(cmap)
    shown = _images_for_display(images)[:max_images]
    count = shown.shape[0]
    if count == 0:
        raise ValueError("there are no images to show: `images` is empty")
    true = None if labels is None else _as_label_list(labels, count, "labels")
    pred = None if predictions is None else _as_label_list(predictions, count, "predictions")
    known = [v for v in (true or []) + (pred or []) if isinstance(v, int)]
    classes = _class_names(classes, max(known, default=-1))

    ncols = min(ncols, count)
    nrows = -(-count // ncols)  # ceiling division
    with course_style():
        fig, axes = plt.subplots(nrows, ncols, figsize=(1.5 * ncols, 1.7 * nrows), squeeze=False)
        for i, ax in enumerate(axes.flat):
            if i >= count:
                ax.set_axis_off()
                continue
            ax.imshow(shown[i], cmap=cmap, vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            text, mistake = _image_title(i, true, pred, classes)
            ax.set_title(text, fontsize=9, color=_MISTAKE_COLOUR if mistake else "black")
            for spine in ax.spines.values():
                spine.set_visible(mistake)
                spine.set_color(_MISTAKE_COLOUR)
                spine.set_linewidth(3)
        if title:
            fig.suptitle(title)
    return fig


# --------------------------------------------------------------------------------------
# Training curves
# --------------------------------------------------------------------------------------

_NOT_PLOTTED = ("epoch", "seconds")
_SPLITS = (("train_", "train"), ("val_", "validation"))


def _curve(key: Any, values: Any) -> np.ndarray:
    """One recorded metric as floats, one per epoch (None, for a missing value, becomes NaN)."""
    if not isinstance(key, str):
        raise TypeError(f"history keys must be names such as 'train_loss', got {key!r}")
    if isinstance(values, (str, bytes, Mapping)) or not hasattr(values, "__iter__") or (
            isinstance(values, (np.ndarray, torch.Tensor)) and values.ndim == 0):
        raise TypeError(f"history[{key!r}] must be a list of numbers, one per epoch, got {values!r}")
    curve = []
    for epoch, value in enumerate(values, start=1):
        if isinstance(value, (torch.Tensor, np.ndarray)) and math.prod(value.shape) != 1:
            raise ValueError(f"history[{key!r}] must hold one number per epoch; epoch {epoch} "
                             f"has a tensor of shape {tuple(value.shape)}")
        try:
            curve.append(np.nan if value is None else float(value))
        except (TypeError, ValueError):
            raise ValueError(f"history[{key!r}] must hold numbers, one per epoch; epoch {epoch} "
                             f"has {value!r}") from None
    return np.array(curve, dtype=float)


def _metric_families(history: Mapping[str, Sequence[float]]) -> dict[str, dict[str, str]]:
    """Group keys by metric: {"loss": {"train": "train_loss", "validation": "val_loss"}, ...}."""
    families: dict[str, dict[str, str]] = {}
    for key in history:
        if key in _NOT_PLOTTED:
            continue
        family, split = key, key
        for prefix, split_name in _SPLITS:
            if key.startswith(prefix):
                family, split = key[len(prefix) :], split_name
                break
        families.setdefault(family, {})[split] = key
    # Loss first, everything else in the order it was recorded.
    return dict(sorted(families.items(), key=lambda item: item[0] != "loss"))


def plot_training_curves(
    history: Mapping[str, Sequence[float]] | Any,
    *,
    metrics: Sequence[str] | None = None,
    title: str | None = None,
) -> Figure:
    """Plot how the loss and other metrics changed over the epochs of training.

    Args:
        history: a mapping such as ``{"train_loss": [...], "val_loss": [...],
            "train_accuracy": [...]}``, or an object with an ``as_dict()`` method that
            returns one. Keys ``"epoch"`` and ``"seconds"`` are ignored.
        metrics: which metric families to plot, e.g. ``["loss"]``. Default: all, loss first.
        title: optional title above the panels.

    Returns:
        The figure, with one panel per metric family. Training is a solid blue line,
        validation a dashed orange line.
    """
    if not isinstance(history, Mapping):
        if not hasattr(history, "as_dict"):
            raise TypeError(
                "expected history to be a dict like {'train_loss': [...], 'val_loss': [...]} "
                f"or an object with an as_dict() method, got {type(history).__name__}"
            )
        history = history.as_dict()
    if metrics is not None and (isinstance(metrics, str) or not isinstance(metrics, Sequence)):
        raise TypeError(f"metrics must be a list of names, e.g. ['loss'], got {metrics!r}")
    curves = {key: _curve(key, values) for key, values in history.items()
              if key not in _NOT_PLOTTED}
    families = _metric_families(curves)
    if metrics is not None:
        unknown = [m for m in metrics if m not in families]
        if unknown:
            raise ValueError(
                f"no values recorded for {unknown}; available metrics: {list(families)}"
            )
        families = {m: families[m] for m in metrics}
    if not any(len(curves[key]) for splits in families.values() for key in splits.values()):
        raise ValueError(
            f"nothing to plot: history has no metric values (keys: {list(history)}). "
            "Train for at least one epoch first."
        )

    line_styles = {
        "train": {"color": PALETTE[0], "linestyle": "-", "marker": "o"},
        "validation": {"color": PALETTE[1], "linestyle": "--", "marker": "s"},
    }
    with course_style():
        fig, axes = plt.subplots(1, len(families), figsize=(5 * len(families), 3.6), squeeze=False)
        for ax, (family, splits) in zip(axes.flat, families.items(), strict=True):
            for split, key in splits.items():
                values = curves[key]
                epochs = np.arange(1, len(values) + 1)
                # Keys without a train_/val_ prefix (e.g. "lr") are drawn like training values.
                style = dict(line_styles.get(split, line_styles["train"]))
                if len(values) > 30:
                    style["marker"] = None  # markers would hide a long curve
                ax.plot(epochs, values, label=split, markersize=4, **style)
            ax.set_title(family.replace("_", " "))
            ax.set_xlabel("epoch")
            ax.set_ylabel(family.replace("_", " "))
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.legend()
        if title:
            fig.suptitle(title)
    return fig


# --------------------------------------------------------------------------------------
# Confusion matrices
# --------------------------------------------------------------------------------------


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int | None = None) -> np.ndarray:
    """Count how often each true class was predicted as each class.

    Args:
        y_true: true class labels 0, 1, ..., as a tensor, array or list.
        y_pred: predicted class labels of the same length (or (N, K) scores, whose argmax
            is used).
        num_classes: number of classes; by default one more than the largest label seen.

    Returns:
        An integer array ``cm`` of shape (num_classes, num_classes) where ``cm[i, j]`` is the
        number of examples of true class ``i`` predicted as class ``j``. Rows are true
        classes, columns are predictions, so the diagonal holds the correct predictions.
    """
    if num_classes is not None:
        num_classes = check_whole(num_classes, "num_classes", minimum=1)
    true = _to_class_indices(y_true, "y_true")
    pred = _to_class_indices(y_pred, "y_pred")
    if true.shape != pred.shape:
        raise ValueError(
            f"y_true and y_pred must have one label per example each; got {true.shape[0]} "
            f"true labels and {pred.shape[0]} predictions"
        )
    largest = int(max(true.max(initial=-1), pred.max(initial=-1)))
    if num_classes is None:
        num_classes = largest + 1
    elif largest >= num_classes:
        raise ValueError(
            f"found class label {largest}, but num_classes={num_classes} allows only labels "
            f"0 to {num_classes - 1}; pass a larger num_classes"
        )
    counts = np.bincount(true * num_classes + pred, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)


def plot_confusion_matrix(
    y_true: Any,
    y_pred: Any,
    *,
    classes: Sequence[str] | None = None,
    normalize: bool = False,
    ax: Axes | None = None,
    title: str | None = None,
) -> tuple[Figure, Axes]:
    """Draw a confusion matrix as an annotated heat map.

    Args:
        y_true, y_pred: true and predicted class labels, see :func:`confusion_matrix`.
        classes: optional class names, used as tick labels.
        normalize: show each row as percentages of that true class instead of counts, so
            the diagonal reads as the accuracy on each class.
        ax: draw into these axes instead of a new figure.
        title: optional axes title.

    Returns:
        ``(fig, ax)``.
    """
    _check_ax(ax)
    normalize = check_flag(normalize, "normalize", meaning="rows as fractions of each true class")
    cm = confusion_matrix(y_true, y_pred)
    if classes is not None:
        classes = _class_names(classes, cm.shape[0] - 1)
        extra = len(classes) - cm.shape[0]  # classes without examples get rows and columns of 0
        cm = np.pad(cm, ((0, extra), (0, extra)))
    num_classes = cm.shape[0]
    if num_classes == 0:
        raise ValueError("there is nothing to count: y_true and y_pred are empty")
    values = cm.astype(float)
    if normalize:
        totals = values.sum(axis=1, keepdims=True)
        values = np.divide(values, totals, out=np.zeros_like(values), where=totals > 0)
    names = (
        [str(c) for c in classes] if classes is not None else [str(i) for i in range(num_classes)]
    )

    with course_style():
        if ax is None:
            size = min(3 + 0.45 * num_classes, 12)
            fig, ax = plt.subplots(figsize=(size + 1, size))
        else:
            fig = _figure_of(ax)
        cmap = mpl.colormaps[_SEQUENTIAL_CMAP]
        vmax = 1.0 if normalize else max(float(values.max()), 1.0)
        image = ax.imshow(values, cmap=cmap, vmin=0, vmax=vmax)
        fig.colorbar(image, ax=ax, label="fraction of the true class" if normalize else "count")
        ax.grid(False)
        long_names = max(map(len, names)) > 3  # tilt them so they do not overlap
        ax.set_xticks(
            range(num_classes),
            names,
            rotation=45 if long_names else 0,
            ha="right" if long_names else "center",
        )
        ax.set_yticks(range(num_classes), names)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        if num_classes <= 20:
            for (i, j), value in np.ndenumerate(values):
                # Dark text on light cells, light text on dark cells.
                r, g, b, _ = cmap(value / vmax)
                luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
                ax.text(
                    j,
                    i,
                    f"{value:.0%}" if normalize else f"{int(value)}",
                    ha="center",
                    va="center",
                    fontsize=9 if num_classes > 10 else 10,
                    color="black" if luminance > 0.5 else "white",
                )
        if title:
            ax.set_title(title)
    return fig, ax
