"""Tests for course_utils.plots: the figures' contents, not their pixels."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from course_utils import plots
from course_utils.plots import (
    COURSE_STYLE,
    PALETTE,
    confusion_matrix,
    course_style,
    decision_grid,
    plot_confusion_matrix,
    plot_decision_boundary,
    plot_image_grid,
    plot_training_curves,
    use_course_style,
)

matplotlib.use("Agg")  # draw off-screen: the tests need no display


@pytest.fixture(autouse=True)
def _clean_matplotlib():
    """Each test starts and ends with matplotlib's settings untouched and no open figures."""
    with matplotlib.rc_context():
        yield
    plt.close("all")


def linear(weights: list[list[float]], bias: list[float]) -> torch.nn.Linear:
    """A torch linear layer with hand-picked weights (one row per output)."""
    layer = torch.nn.Linear(2, len(weights))
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(weights))
        layer.bias.copy_(torch.tensor(bias))
    return layer


# Points on both sides of the vertical axis, labelled by the sign of x1.
X = torch.tensor([[-2.0, -1.0], [-1.5, 1.0], [-1.0, 0.0], [1.0, 0.5], [1.5, -1.0], [2.0, 1.0]])
Y = (X[:, 0] > 0).long()


def class_at(xx: np.ndarray, yy: np.ndarray, probs: np.ndarray, x: float, y: float) -> int:
    """Predicted class at the grid point nearest to (x, y)."""
    i = np.abs(yy[:, 0] - y).argmin()
    j = np.abs(xx[0, :] - x).argmin()
    return int(probs[i, j].argmax())


# --- style -----------------------------------------------------------------------------


def test_palette_has_eight_distinct_hex_colours():
    assert len(PALETTE) == 8
    assert len(set(PALETTE)) == 8
    assert all(c.startswith("#") and len(c) == 7 for c in PALETTE)


def test_importing_the_module_leaves_rcparams_alone():
    import importlib

    before = dict(matplotlib.rcParams)
    importlib.reload(plots)
    assert dict(matplotlib.rcParams) == before


def test_use_course_style_changes_rcparams():
    use_course_style()
    assert matplotlib.rcParams["axes.spines.top"] is False
    assert list(matplotlib.rcParams["figure.figsize"]) == list(COURSE_STYLE["figure.figsize"])
    assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"] == list(PALETTE)


def test_course_style_does_not_leak():
    before = dict(matplotlib.rcParams)
    with course_style():
        assert matplotlib.rcParams["axes.spines.right"] is False
        assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"] == list(PALETTE)
    assert dict(matplotlib.rcParams) == before


def test_course_style_restores_rcparams_after_an_error():
    before = dict(matplotlib.rcParams)
    with pytest.raises(RuntimeError), course_style():
        raise RuntimeError("boom")
    assert dict(matplotlib.rcParams) == before


def test_plot_functions_do_not_leak_style():
    before = dict(matplotlib.rcParams)
    plot_decision_boundary(linear([[1.0, 0.0]], [0.0]), X, Y, resolution=20)
    plot_confusion_matrix([0, 1], [1, 1])
    assert dict(matplotlib.rcParams) == before


# --- decision boundaries -----------------------------------------------------------------


def test_decision_grid_binary_logits():
    model = linear([[1.0, 0.0]], [0.0])  # logit = x1: class 1 on the right
    xx, yy, probs = decision_grid(model, X, resolution=50, padding=0.5)
    assert xx.shape == yy.shape == (50, 50)
    assert probs.shape == (50, 50, 2)
    np.testing.assert_allclose(probs.sum(-1), 1.0, rtol=1e-6)
    assert xx.min() == pytest.approx(-2.5) and xx.max() == pytest.approx(2.5)
    assert yy.min() == pytest.approx(-1.5) and yy.max() == pytest.approx(1.5)
    assert class_at(xx, yy, probs, -2.4, 0.0) == 0
    assert class_at(xx, yy, probs, 2.4, 0.0) == 1
    # logits go through a sigmoid: far right is confidently class 1
    assert probs[25, -1, 1] == pytest.approx(torch.sigmoid(torch.tensor(2.5)).item(), abs=1e-5)


def test_decision_grid_binary_probabilities_use_half_as_boundary():
    model = torch.nn.Sequential(linear([[0.0, 1.0]], [0.0]), torch.nn.Sigmoid())
    xx, yy, probs = decision_grid(model, X, resolution=41)
    assert class_at(xx, yy, probs, 0.0, -1.4) == 0  # below the horizontal axis
    assert class_at(xx, yy, probs, 0.0, 1.4) == 1
    assert probs[..., 1].min() >= 0 and probs[..., 1].max() <= 1


def test_decision_grid_three_classes():
    # class 0 wins on the left, class 1 on the right, class 2 at the top
    model = linear([[-3.0, 0.0], [3.0, 0.0], [0.0, 5.0]], [0.0, 0.0, -3.0])
    xx, yy, probs = decision_grid(model, X, resolution=60, padding=1.0)
    assert probs.shape == (60, 60, 3)
    np.testing.assert_allclose(probs.sum(-1), 1.0, rtol=1e-6)
    assert class_at(xx, yy, probs, -2.8, -2.0) == 0
    assert class_at(xx, yy, probs, 2.8, -2.0) == 1
    assert class_at(xx, yy, probs, 0.0, 1.9) == 2


def test_decision_grid_accepts_numpy_functions_and_class_indices():
    def numpy_model(points: np.ndarray) -> np.ndarray:
        if not isinstance(points, np.ndarray):
            raise TypeError("numpy only")
        return (points[:, 1] > 0).astype(np.int64)  # hard class indices

    xx, yy, probs = decision_grid(numpy_model, X.numpy(), resolution=30)
    assert class_at(xx, yy, probs, 0.0, -1.4) == 0
    assert class_at(xx, yy, probs, 0.0, 1.4) == 1


def test_decision_grid_restores_training_mode():
    model = torch.nn.Sequential(linear([[1.0, 0.0]], [0.0]), torch.nn.Dropout(0.5))
    model.train()
    decision_grid(model, X, resolution=10)
    assert model.training and model[1].training
    model.eval()
    decision_grid(model, X, resolution=10)
    assert not model.training


def test_decision_grid_runs_in_eval_mode_without_gradients():
    seen = {}

    class Spy(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layer = linear([[1.0, 0.0]], [0.0])

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            seen["training"] = self.training
            seen["grad"] = torch.is_grad_enabled()
            seen["dtype"] = x.dtype
            return self.layer(x)

    decision_grid(Spy().train(), X, resolution=5)
    assert seen == {"training": False, "grad": False, "dtype": torch.float32}


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_decision_grid_uses_the_models_device():
    model = linear([[1.0, 0.0]], [0.0]).cuda()
    xx, yy, probs = decision_grid(model, X.cuda(), resolution=20)
    assert class_at(xx, yy, probs, 2.0, 0.0) == 1


@pytest.mark.parametrize("shape", [(10,), (10, 3), (4, 2, 2), (0, 2)])
def test_decision_grid_rejects_wrong_shapes_with_a_helpful_message(shape):
    with pytest.raises(ValueError, match=r"expected X of shape \(N, 2\), got"):
        decision_grid(linear([[1.0, 0.0]], [0.0]), np.zeros(shape))


def test_decision_grid_reports_a_model_with_the_wrong_input_size():
    model = torch.nn.Linear(3, 1)
    with pytest.raises(RuntimeError, match="2 input features"):
        decision_grid(model, X)


def test_plot_decision_boundary_binary_returns_figure_and_axes():
    fig, ax = plot_decision_boundary(linear([[1.0, 0.0]], [0.0]), X, Y, title="x1 > 0")
    assert isinstance(fig, Figure) and isinstance(ax, Axes)
    assert ax.get_title() == "x1 > 0"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["class 0", "class 1"]
    # one scatter per class, with different markers
    scatters = [c for c in ax.collections if c.get_label().startswith("class")]
    assert len(scatters) == 2
    assert scatters[0].get_paths()[0] != scatters[1].get_paths()[0]
    assert len(fig.axes) == 2  # the plot and its P(class 1) colour bar


def test_plot_decision_boundary_three_classes_into_given_axes():
    fig, given = plt.subplots()
    model = linear([[-3.0, 0.0], [3.0, 0.0], [0.0, 5.0]], [0.0, 0.0, -3.0])
    y = np.array([0, 0, 2, 1, 1, 2])
    out_fig, ax = plot_decision_boundary(model, X.numpy(), y, ax=given, resolution=30)
    assert out_fig is fig and ax is given
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "class 0",
        "class 1",
        "class 2",
    ]


def test_plot_decision_boundary_without_labels_and_without_proba():
    fig, ax = plot_decision_boundary(
        lambda p: p[:, 0] - p[:, 1], X, proba=False, device="cpu", resolution=20
    )
    assert ax.get_legend() is None
    assert len(fig.axes) == 1  # no colour bar for flat class regions


def test_plot_decision_boundary_checks_label_count():
    with pytest.raises(ValueError, match=r"expected y of shape \(6,\)"):
        plot_decision_boundary(linear([[1.0, 0.0]], [0.0]), X, [0, 1])


def test_plot_decision_boundary_rejects_negative_labels():
    with pytest.raises(ValueError, match="class labels 0, 1, 2"):
        plot_decision_boundary(linear([[1.0, 0.0]], [0.0]), X, [-1, -1, -1, 1, 1, 1])


# --- image grids -------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(5, 1, 8, 8), (5, 3, 8, 8), (5, 8, 8)])
def test_plot_image_grid_accepts_common_shapes(shape):
    fig = plot_image_grid(torch.rand(shape), ncols=3)
    assert isinstance(fig, Figure)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 5


def test_plot_image_grid_marks_mistakes_with_text_and_frame():
    labels = torch.tensor([0, 1, 2, 3])
    predictions = torch.tensor([0, 1, 0, 3])
    fig = plot_image_grid(
        torch.rand(4, 1, 6, 6), labels, predictions, classes=["zero", "one", "two", "three"]
    )
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["zero → zero", "one → one", "✗ two → zero", "three → three"]
    frames = [ax.spines["left"].get_visible() for ax in fig.axes]
    assert frames == [False, False, True, False]


def test_plot_image_grid_titles_with_labels_only_and_limit():
    fig = plot_image_grid(
        np.random.default_rng(0).random((10, 4, 4)), labels=list(range(10)), max_images=6
    )
    titles = [ax.get_title() for ax in fig.axes if ax.images]
    assert titles == ["0", "1", "2", "3", "4", "5"]


def test_plot_image_grid_normalises_images_outside_unit_range():
    images = torch.stack([torch.full((4, 4), -3.0), torch.linspace(-2, 5, 16).reshape(4, 4)])
    fig = plot_image_grid(images)
    data = [np.asarray(ax.images[0].get_array()) for ax in fig.axes if ax.images]
    assert data[1].min() == pytest.approx(0) and data[1].max() == pytest.approx(1)
    assert np.all(data[0] == 0)  # a constant image does not divide by zero


def test_plot_image_grid_shape_error_says_what_to_do():
    with pytest.raises(ValueError, match=r"expected images of shape .* got \(8, 8\)"):
        plot_image_grid(np.zeros((8, 8)))


def test_plot_image_grid_needs_one_label_per_image():
    with pytest.raises(ValueError, match="expected at least 3 labels"):
        plot_image_grid(np.zeros((3, 4, 4)), labels=[1, 2])


# --- training curves ---------------------------------------------------------------------


HISTORY = {
    "epoch": [1, 2, 3],
    "train_accuracy": [0.5, 0.7, 0.8],
    "train_loss": [1.0, 0.6, 0.4],
    "val_loss": [1.1, 0.8, 0.7],
    "val_accuracy": [0.5, 0.6, 0.7],
    "seconds": [2.0, 2.1, 2.0],
}


def test_plot_training_curves_one_panel_per_family_loss_first():
    fig = plot_training_curves(HISTORY, title="run 1")
    assert isinstance(fig, Figure)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    for ax in fig.axes:
        lines = ax.get_lines()
        assert [line.get_label() for line in lines] == ["train", "validation"]
        assert lines[0].get_linestyle() != lines[1].get_linestyle()
        assert lines[0].get_color() != lines[1].get_color()
        assert list(lines[0].get_xdata()) == [1, 2, 3]
        assert ax.get_xlabel() == "epoch"


def test_plot_training_curves_without_validation_and_from_an_object():
    class History:
        def as_dict(self) -> dict[str, list[float]]:
            return {"train_loss": [3.0, 2.0], "epoch": [1, 2]}

    fig = plot_training_curves(History())
    assert len(fig.axes) == 1
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["train"]


def test_plot_training_curves_accepts_tensors_and_selects_metrics():
    history = {k: [torch.tensor(v) for v in vs] for k, vs in HISTORY.items()}
    fig = plot_training_curves(history, metrics=["accuracy"])
    assert [ax.get_title() for ax in fig.axes] == ["accuracy"]
    with pytest.raises(ValueError, match="available metrics"):
        plot_training_curves(HISTORY, metrics=["f1"])


def test_plot_training_curves_explains_bad_input():
    with pytest.raises(TypeError, match="as_dict"):
        plot_training_curves([1.0, 0.5])
    with pytest.raises(ValueError, match="nothing to plot"):
        plot_training_curves({"epoch": [1, 2]})


# --- confusion matrices ------------------------------------------------------------------


def test_confusion_matrix_small_example_by_hand():
    y_true = [0, 0, 1, 1, 1, 2]
    y_pred = [0, 1, 1, 1, 2, 0]
    expected = np.array(
        [
            [1, 1, 0],  # true 0: once right, once predicted as 1
            [0, 2, 1],  # true 1: twice right, once predicted as 2
            [1, 0, 0],  # true 2: predicted as 0
        ]
    )
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred), expected)
    np.testing.assert_array_equal(
        confusion_matrix(torch.tensor(y_true), np.array(y_pred)), expected
    )


def test_confusion_matrix_num_classes_and_scores():
    cm = confusion_matrix([0, 1], [0, 0], num_classes=4)
    assert cm.shape == (4, 4) and cm.sum() == 2
    scores = torch.tensor([[2.0, 0.1], [0.3, 0.9]])  # argmax: 0, 1
    np.testing.assert_array_equal(confusion_matrix([0, 1], scores), np.eye(2))


def test_confusion_matrix_errors_are_helpful():
    with pytest.raises(ValueError, match="one label per example"):
        confusion_matrix([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="pass a larger num_classes"):
        confusion_matrix([0, 5], [0, 1], num_classes=3)


def test_plot_confusion_matrix_counts_and_labels():
    fig, ax = plot_confusion_matrix([0, 0, 1, 1, 1, 2], [0, 1, 1, 1, 2, 0], title="cm")
    assert isinstance(fig, Figure) and isinstance(ax, Axes)
    assert ax.get_xlabel() == "predicted" and ax.get_ylabel() == "true"
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["1", "1", "0", "0", "2", "1", "1", "0", "0"]
    colours = {t.get_color() for t in ax.texts}
    assert colours <= {"black", "white"} and len(colours) == 2  # readable on dark and light


def test_plot_confusion_matrix_normalize_rows_sum_to_one():
    _, ax = plot_confusion_matrix(
        [0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 0, 2], classes=["cat", "dog", "bird"], normalize=True
    )
    values = np.asarray(ax.images[0].get_array())
    np.testing.assert_allclose(values.sum(axis=1), 1.0)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "bird"]
    assert ax.texts[0].get_text() == "67%"


def test_plot_confusion_matrix_class_without_examples_has_zero_row():
    _, ax = plot_confusion_matrix([0, 0], [0, 1], classes=["a", "b", "c"], normalize=True)
    values = np.asarray(ax.images[0].get_array())
    np.testing.assert_allclose(values.sum(axis=1), [1.0, 0.0, 0.0])
