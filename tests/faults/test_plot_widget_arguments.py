"""Plots and widgets: every public function checks its arguments.

Wrong shapes, NaN, a list where an array or a name is expected, negative or fractional sizes, an
unknown colour map or option: each is a ValueError or TypeError that names the argument and
what is allowed, raised before a figure is half drawn.
"""

from __future__ import annotations

from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from course_utils.plots import (
    confusion_matrix,
    decision_grid,
    plot_confusion_matrix,
    plot_decision_boundary,
    plot_image_grid,
    plot_training_curves,
)
from course_utils.widgets import Checkbox, Dropdown, FloatSlider, IntSlider, interactive_plot
from tests.faults.cases import Case, assert_unique_ids, run_case

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


X = np.array([[-2.0, -1.0], [-1.5, 1.0], [-1.0, 0.0], [1.0, 0.5], [1.5, -1.0], [2.0, 1.0]])
Y = (X[:, 0] > 0).astype(int)
IMAGES = np.random.default_rng(0).random((4, 1, 6, 6))


def _score(points: Any) -> Any:
    """A binary logit: x1."""
    return points[:, 0]


def _nan_model(points: Any) -> Any:
    return points[:, 0] * float("nan")


def _with_nan(array: np.ndarray, index: tuple[int, ...]) -> np.ndarray:
    array = array.copy()
    array[index] = np.nan
    return array


def _with_inf(array: np.ndarray) -> np.ndarray:
    array = array.copy()
    array[0, 1] = np.inf
    return array


def _figure(result: Any) -> bool:
    figure = result[0] if isinstance(result, tuple) else result
    return isinstance(figure, Figure)


def _draw(ax: Any, w: float = 0.0, n: int = 1, on: bool = True, act: str = "relu") -> None:
    ax.plot([0, 1], [0, w])


def _demo(controls: Any = None, draw: Any = _draw, **kwargs: Any) -> Any:
    controls = {"w": FloatSlider(-1, 1, value=0.0)} if controls is None else controls
    return interactive_plot(draw, controls, display_now=False, **kwargs)


HISTORY = {"train_loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}

CASES: list[Case] = [
    # --- decision_grid / plot_decision_boundary ------------------------------------------
    Case("decision boundary: resolution a float", lambda: decision_grid(_score, X, resolution=50.5), TypeError,
         r"resolution \(grid points per axis\) must be a whole number"),
    Case("decision boundary: resolution a string", lambda: decision_grid(_score, X, resolution="200"), TypeError,
         r"resolution \(grid points per axis\) must be a whole number"),
    Case("decision boundary: resolution True", lambda: decision_grid(_score, X, resolution=True), TypeError,
         r"resolution \(grid points per axis\) must be a whole number"),
    Case("decision boundary: resolution 1", lambda: decision_grid(_score, X, resolution=1), ValueError,
         r"resolution \(grid points per axis\) must be a whole number, 2 or more, got 1"),
    Case("decision boundary: resolution huge (a billion grid points)", lambda: decision_grid(_score, X, resolution=40_000),
         ValueError, r"resolution=40000 .*at most 1000"),
    Case("decision boundary: padding negative", lambda: decision_grid(_score, X, padding=-1.0), ValueError,
         r"padding must be a finite number >= 0"),
    Case("decision boundary: padding NaN", lambda: decision_grid(_score, X, padding=float("nan")), ValueError,
         r"padding must be a finite number >= 0"),
    Case("decision boundary: padding a string", lambda: decision_grid(_score, X, padding="0.5"), TypeError,
         r"padding must be a number"),
    Case("decision boundary: X with NaN", lambda: decision_grid(_score, _with_nan(X, (2, 1))), ValueError,
         r"X contains NaN or infinite values"),
    Case("decision boundary: X with inf", lambda: plot_decision_boundary(_score, _with_inf(X), Y), ValueError,
         r"X contains NaN or infinite values"),
    Case("decision boundary: X as a list of lists", lambda: plot_decision_boundary(_score, X.tolist(), Y.tolist()),
         expect=_figure),
    Case("decision boundary: model None", lambda: decision_grid(None, X), TypeError,
         r"model must be a torch\.nn\.Module or a function"),
    Case("decision boundary: model that returns NaN", lambda: decision_grid(_nan_model, X), ValueError,
         r"model returned NaN or infinite scores"),
    Case("decision boundary: labels as class names", lambda: plot_decision_boundary(_score, X, ["a", "b"] * 3), TypeError,
         r"y must hold class labels 0, 1, 2.*not str"),
    Case("decision boundary: labels with NaN", lambda: plot_decision_boundary(_score, X, _with_nan(Y.astype(float), (0,))),
         ValueError, r"whole-number class labels"),
    Case("decision boundary: ax is an array of axes", lambda: plot_decision_boundary(_score, X, Y, ax=plt.subplots(1, 2)[1]),
         TypeError, r"ax must be one matplotlib Axes.*axes\[0\]"),
    Case("decision boundary: ax is a figure", lambda: plot_decision_boundary(_score, X, Y, ax=plt.figure()), TypeError,
         r"ax must be one matplotlib Axes"),
    Case("decision boundary: device not a device name", lambda: decision_grid(_score, X, device="gpu"), ValueError,
         r"device='gpu' is not a device"),
    Case("decision boundary: proba a string", lambda: plot_decision_boundary(_score, X, Y, proba="no"), TypeError,
         r"proba must be True or False"),
    # --- plot_image_grid ----------------------------------------------------------------------
    Case("image grid: ncols 0", lambda: plot_image_grid(IMAGES, ncols=0), ValueError,
         r"ncols must be a whole number, 1 or more, got 0"),
    Case("image grid: ncols negative", lambda: plot_image_grid(IMAGES, ncols=-2), ValueError,
         r"ncols must be a whole number, 1 or more"),
    Case("image grid: ncols a float", lambda: plot_image_grid(IMAGES, ncols=2.5), TypeError,
         r"ncols must be a whole number"),
    Case("image grid: max_images 0", lambda: plot_image_grid(IMAGES, max_images=0), ValueError,
         r"max_images must be a whole number, 1 or more"),
    Case("image grid: max_images negative (would drop the last image)", lambda: plot_image_grid(IMAGES, max_images=-1),
         ValueError, r"max_images must be a whole number, 1 or more"),
    Case("image grid: images with NaN", lambda: plot_image_grid(_with_nan(IMAGES, (1, 0, 2, 2))), ValueError,
         r"images contain NaN or infinite values.*image 1"),
    Case("image grid: images as a list of tensors", lambda: plot_image_grid([torch.rand(1, 6, 6)] * 3),
         expect=lambda fig: len([ax for ax in fig.axes if ax.images]) == 3),
    Case("image grid: a single image", lambda: plot_image_grid(np.zeros((8, 8))), ValueError,
         r"add a batch axis"),
    Case("image grid: two-channel images", lambda: plot_image_grid(np.zeros((3, 2, 8, 8))), ValueError,
         r"expected images of shape"),
    Case("image grid: unknown colour map", lambda: plot_image_grid(IMAGES, cmap="viridiss"), ValueError,
         r"cmap='viridiss' is not a matplotlib colour map.*'gray'"),
    Case("image grid: colour map not a name", lambda: plot_image_grid(IMAGES, cmap=3), TypeError,
         r"cmap must be the name of a matplotlib colour map"),
    Case("image grid: too few class names", lambda: plot_image_grid(IMAGES, [0, 1, 2, 3], classes=["a", "b"]),
         ValueError, r"classes has 2 names, but the labels go up to 3"),
    Case("image grid: class names as one string", lambda: plot_image_grid(IMAGES, [0, 1, 2, 3], classes="abcd"),
         TypeError, r"classes must be a list of names"),
    Case("image grid: fewer labels than images", lambda: plot_image_grid(IMAGES, labels=[1, 2]), ValueError,
         r"expected at least 4 labels"),
    Case("image grid: uint8 colour images channels last",
         lambda: plot_image_grid(np.zeros((2, 5, 5, 3), dtype=np.uint8)), expect=_figure),
    # --- plot_training_curves ----------------------------------------------------------------
    Case("training curves: metrics as one string", lambda: plot_training_curves(HISTORY, metrics="loss"), TypeError,
         r"metrics must be a list of names, e.g. \['loss'\]"),
    Case("training curves: values that are not numbers", lambda: plot_training_curves({"train_loss": ["high", "low"]}),
         ValueError, r"train_loss.*numbers"),
    Case("training curves: a value instead of a list", lambda: plot_training_curves({"train_loss": 0.5}), TypeError,
         r"train_loss.*list of numbers, one per epoch"),
    Case("training curves: a tensor with many values per epoch",
         lambda: plot_training_curves({"train_loss": [torch.ones(3), torch.ones(3)]}), ValueError,
         r"train_loss.*one number per epoch"),
    Case("training curves: empty lists", lambda: plot_training_curves({"train_loss": [], "val_loss": []}), ValueError,
         r"nothing to plot"),
    Case("training curves: the records list of a History", lambda: plot_training_curves([{"train_loss": 1.0}]),
         TypeError, r"as_dict"),
    Case("training curves: a diverged run with nan keeps its gaps",
         lambda: plot_training_curves({"train_loss": [1.0, float("nan"), 0.5]}), expect=_figure),
    # --- confusion_matrix / plot_confusion_matrix -----------------------------------------
    Case("confusion matrix: num_classes 0", lambda: confusion_matrix([0, 1], [1, 1], num_classes=0), ValueError,
         r"num_classes must be a whole number, 1 or more"),
    Case("confusion matrix: num_classes negative", lambda: confusion_matrix([], [], num_classes=-1), ValueError,
         r"num_classes must be a whole number, 1 or more"),
    Case("confusion matrix: num_classes a float", lambda: confusion_matrix([0, 1], [1, 1], num_classes=2.5), TypeError,
         r"num_classes must be a whole number"),
    Case("confusion matrix: labels as class names", lambda: confusion_matrix(["cat", "dog"], ["dog", "dog"]), TypeError,
         r"y_true must hold class labels 0, 1, 2.*not str"),
    Case("confusion matrix: scores with NaN", lambda: confusion_matrix([0, 1], np.array([[0.2, np.nan], [0.1, 0.9]])),
         ValueError, r"y_pred contains NaN"),
    Case("confusion matrix: too few class names for the labels",
         lambda: plot_confusion_matrix([0, 1, 5], [0, 1, 5], classes=["a", "b", "c"]), ValueError,
         r"classes has 3 names, but the labels go up to 5"),
    Case("confusion matrix: class names as one string", lambda: plot_confusion_matrix([0, 1], [0, 1], classes="ab"),
         TypeError, r"classes must be a list of names"),
    Case("confusion matrix: normalize='true' (scikit-learn style)",
         lambda: plot_confusion_matrix([0, 1], [0, 1], normalize="true"), TypeError,
         r"normalize must be True or False"),
    Case("confusion matrix: ax is an array of axes",
         lambda: plot_confusion_matrix([0, 1], [0, 1], ax=plt.subplots(1, 2)[1]), TypeError,
         r"ax must be one matplotlib Axes"),
    # --- widgets: controls --------------------------------------------------------------------
    Case("controls: slider with an infinite end", lambda: FloatSlider(0, float("inf"), value=1.0), ValueError,
         r"max must be a finite number"),
    Case("controls: slider end as a string", lambda: FloatSlider("0", 1, value=0.5), TypeError,
         r"min must be a number"),
    Case("controls: slider value NaN", lambda: FloatSlider(0, 1, value=float("nan")), ValueError,
         r"value=nan is outside the slider's range"),
    Case("controls: slider step NaN", lambda: FloatSlider(0, 1, value=0.5, step=float("nan")), ValueError,
         r"step must be a finite number"),
    Case("controls: IntSlider with a fractional step", lambda: IntSlider(0, 10, value=3, step=0.5), TypeError,
         r"step must be a whole number"),
    Case("controls: IntSlider with a fractional end", lambda: IntSlider(0.5, 10, value=3), TypeError,
         r"min must be a whole number"),
    Case("controls: IntSlider with numpy integers", lambda: _demo({"n": IntSlider(np.int64(0), 5, value=np.int64(2))},
                                                        draw=_draw).controls["n"].value,
         expect=lambda value: value == 2),
    Case("controls: Dropdown options as one string", lambda: Dropdown("relu", value="relu"), TypeError,
         r"options must be a list.*\['relu'\]"),
    Case("controls: Dropdown options from a dict", lambda: Dropdown({"a": 1, "b": 2}, value="b").options,
         expect=lambda options: options == ("a", "b")),
    Case("controls: Checkbox with a numpy bool", lambda: _demo({"on": Checkbox(np.bool_(True))}).controls["on"].value,
         expect=lambda value: value is True),
    Case("controls: Checkbox with a string", lambda: Checkbox("False"), ValueError, r"True or False"),
    Case("controls: description not a string", lambda: FloatSlider(0, 1, value=0.5, description=5), TypeError,
         r"description must be a string"),
    # --- widgets: interactive_plot --------------------------------------------------------------
    Case("interactive_plot: draw is None", lambda: _demo(draw=None), TypeError, r"draw must be a function draw\(ax"),
    Case("interactive_plot: controls as a list", lambda: _demo([FloatSlider(-1, 1, value=0.0)]), TypeError,
         r"controls must be a dict.*\{'w': FloatSlider"),
    Case("interactive_plot: a control name with a space", lambda: _demo({"learning rate": FloatSlider(0, 1, value=0.5)}),
         ValueError, r"'learning rate' is not a valid Python name.*learning_rate"),
    Case("interactive_plot: static settings that are numbers", lambda: _demo(static=[1.0, -1.0]), TypeError,
         r"static\[0\] is a float.*\{'w': 1.0\}"),
    Case("interactive_plot: static as a string", lambda: _demo(static="w"), TypeError, r"static should be a list"),
    Case("interactive_plot: ncols 0", lambda: _demo(ncols=0), ValueError, r"ncols must be a whole number of panels per row, 1 or more"),
    Case("interactive_plot: figsize_per_panel negative", lambda: _demo(figsize_per_panel=(-4, 3)), ValueError,
         r"figsize_per_panel must be \(width, height\).*positive"),
    Case("interactive_plot: figsize_per_panel one number", lambda: _demo(figsize_per_panel=4), TypeError,
         r"figsize_per_panel must be \(width, height\)"),
    Case("interactive_plot: continuous_update a string", lambda: _demo(continuous_update="no"), TypeError,
         r"continuous_update must be True or False"),
    Case("interactive_plot: static values as numpy floats", lambda: _demo(static=[{"w": np.float64(0.5)}]).figure,
         expect=_figure),
    Case("interactive_plot: an empty static list draws the defaults", lambda: len(_demo(static=[]).figure.axes),
         expect=lambda count: count == 1),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_fault(case: Case) -> None:
    run_case(case)


def test_case_ids_are_unique() -> None:
    assert_unique_ids(CASES)


def test_a_rejected_argument_leaves_no_figure_open() -> None:
    before = plt.get_fignums()
    for bad in (lambda: plot_image_grid(IMAGES, cmap="viridiss"),
                lambda: plot_training_curves(HISTORY, metrics="loss"),
                lambda: plot_confusion_matrix([0, 1, 5], [0, 1, 5], classes=["a", "b", "c"])):
        with pytest.raises((TypeError, ValueError)):
            bad()
    assert plt.get_fignums() == before
