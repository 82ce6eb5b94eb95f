"""Tests for course_utils.widgets, run in the kernel only: no browser, no frontend."""

from __future__ import annotations

import subprocess
import sys

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from course_utils import widgets as widgets_module
from course_utils.widgets import (
    Checkbox,
    Dropdown,
    FloatSlider,
    InteractiveDemo,
    IntSlider,
    interactive_plot,
)

matplotlib.use("Agg")  # draw off-screen: the tests need no display

ipywidgets = pytest.importorskip("ipywidgets")


@pytest.fixture(autouse=True)
def _clean_matplotlib():
    yield
    plt.close("all")


@pytest.fixture
def displayed(monkeypatch):
    """Record what the module passes to IPython's display() instead of showing it.

    Besides the static figure and the widget, the first live figure is displayed too, into
    the widget's Output area (which, outside a kernel, is the same display() call).
    """
    shown: list[object] = []
    monkeypatch.setattr(widgets_module, "display", shown.append)
    return shown


class Recorder:
    """A draw function that remembers every call it gets."""

    def __init__(self) -> None:
        self.calls: list[dict[str, object]] = []

    def __call__(self, ax, **values) -> None:
        self.calls.append(values)
        ax.plot([0, 1], [0, values.get("w1", 0)])


CONTROLS = {
    "w1": FloatSlider(-2.0, 2.0, value=1.0, step=0.5),
    "n": IntSlider(1, 10, value=3),
    "act": Dropdown(["relu", "tanh"], value="relu", description="activation"),
    "bias": Checkbox(True),
}


def test_static_figure_has_one_titled_panel_per_setting(displayed):
    draw = Recorder()
    settings = [{"w1": 1.0}, {"w1": -0.5, "n": 7}, {"act": "tanh"}, {"bias": False}]
    demo = interactive_plot(draw, CONTROLS, static=settings, ncols=3, display_now=False)
    assert isinstance(demo, InteractiveDemo)
    assert isinstance(demo.figure, Figure)
    titles = [ax.get_title() for ax in demo.figure.axes]
    assert titles == ["w1=1.0", "w1=-0.5, n=7", "act=tanh", "bias=False"]
    # every static panel got the defaults for the controls its setting does not name
    assert draw.calls[1] == {"w1": -0.5, "n": 7, "act": "relu", "bias": True}
    # display_now=False shows nothing in the cell
    assert demo.figure not in displayed and demo.widget not in displayed


def test_default_static_panel_is_titled_with_all_defaults(displayed):
    demo = interactive_plot(Recorder(), CONTROLS, title="demo")
    assert [ax.get_title() for ax in demo.figure.axes] == ["w1=1.0, n=3, act=relu, bias=True"]
    assert demo.figure.get_suptitle() == "demo"
    # display_now=True shows the static figure first, then the live widget
    live_figure, *shown = displayed
    assert shown == [demo.figure, demo.widget]
    assert isinstance(live_figure, Figure) and live_figure is not demo.figure


def test_panel_keeps_the_title_draw_chose(displayed):
    def draw(ax, w1):
        ax.set_title("a line")

    demo = interactive_plot(draw, {"w1": FloatSlider(0, 1, value=0.5)}, display_now=False)
    assert demo.figure.axes[0].get_title() == "w1=0.5\na line"


def test_widget_has_one_matching_control_per_entry(displayed):
    demo = interactive_plot(Recorder(), CONTROLS, display_now=False)
    assert isinstance(demo.widget, ipywidgets.VBox)
    assert set(demo.controls) == set(CONTROLS)
    w1, n, act, bias = (demo.controls[k] for k in ("w1", "n", "act", "bias"))
    assert isinstance(w1, ipywidgets.FloatSlider)
    assert (w1.min, w1.max, w1.value, w1.step) == (-2.0, 2.0, 1.0, 0.5)
    assert w1.description == "w1" and w1.continuous_update is False
    assert isinstance(n, ipywidgets.IntSlider)
    assert (n.min, n.max, n.value) == (1, 10, 3)
    assert isinstance(act, ipywidgets.Dropdown)
    assert act.value == "relu" and act.description == "activation"
    assert list(act.options) == ["relu", "tanh"] or list(act.options) == [
        ("relu", "relu"),
        ("tanh", "tanh"),
    ]
    assert isinstance(bias, ipywidgets.Checkbox) and bias.value is True
    # the controls sit above the output area in the root widget
    controls_box, output = demo.widget.children
    assert list(controls_box.children) == [w1, n, act, bias]
    assert isinstance(output, ipywidgets.Output)


def test_changing_a_control_redraws_with_the_new_value(displayed):
    draw = Recorder()
    demo = interactive_plot(draw, CONTROLS, display_now=False)
    draw.calls.clear()
    demo.controls["w1"].value = -1.5
    assert draw.calls == [{"w1": -1.5, "n": 3, "act": "relu", "bias": True}]
    demo.controls["act"].value = "tanh"
    assert draw.calls[-1] == {"w1": -1.5, "n": 3, "act": "tanh", "bias": True}
    # each redraw displays one fresh figure inside the output widget
    assert len([obj for obj in displayed if isinstance(obj, Figure)]) == 1 + 2


def test_continuous_update_reaches_the_sliders(displayed):
    demo = interactive_plot(Recorder(), CONTROLS, display_now=False, continuous_update=True)
    assert demo.controls["w1"].continuous_update is True
    assert demo.controls["n"].continuous_update is True


def test_redraw_returns_a_fresh_figure_and_keeps_defaults(displayed):
    draw = Recorder()
    demo = interactive_plot(draw, CONTROLS, display_now=False)
    fig = demo.redraw(w1=2.0)
    assert isinstance(fig, Figure) and fig is not demo.figure
    assert draw.calls[-1] == {"w1": 2.0, "n": 3, "act": "relu", "bias": True}
    assert fig.axes[0].get_title() == "w1=2.0"
    with pytest.raises(ValueError, match="outside the slider's range"):
        demo.redraw(w1=5.0)


def test_figures_are_not_left_open_in_pyplot(displayed):
    demo = interactive_plot(Recorder(), CONTROLS, static=[{"w1": 0.0}, {"w1": 1.0}])
    demo.controls["w1"].value = 0.5
    assert plt.get_fignums() == []  # nothing for the notebook to show a second time


def test_without_ipywidgets_there_is_a_static_figure_and_a_note(monkeypatch, displayed, capsys):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # makes `import ipywidgets` fail
    demo = interactive_plot(Recorder(), CONTROLS, static=[{"w1": 0.0}, {"w1": 1.0}])
    assert demo.widget is None and demo.controls == {}
    assert len(demo.figure.axes) == 2
    assert displayed == [demo.figure]
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    assert "pip install ipywidgets" in out[0] and "static figure above" in out[0]
    assert isinstance(demo.redraw(w1=-1.0), Figure)


def test_demo_displays_itself_once_as_the_last_expression_of_a_cell(displayed):
    demo = interactive_plot(Recorder(), CONTROLS, display_now=False)
    displayed.clear()  # forget the first live figure, drawn into the Output widget
    demo._ipython_display_()
    demo._ipython_display_()  # already shown: no second copy
    assert displayed == [demo.figure, demo.widget]
    demo.show()  # an explicit request always shows it
    assert displayed[2:] == [demo.figure, demo.widget]


def test_unknown_static_key_is_a_helpful_error(displayed):
    with pytest.raises(ValueError, match=r"unknown control\(s\) \['w3'\].*\['w1', 'n', 'act'"):
        interactive_plot(Recorder(), CONTROLS, static=[{"w3": 1.0}])


def test_static_must_be_a_list_of_settings(displayed):
    with pytest.raises(TypeError, match=r"wrap your dict in \[ \]"):
        interactive_plot(Recorder(), CONTROLS, static={"w1": 1.0})


def test_float_slider_values_reach_draw_as_floats(displayed):
    draw = Recorder()
    demo = interactive_plot(
        draw, {"w1": FloatSlider(-2, 2, value=1)}, static=[{"w1": 2}], display_now=False
    )
    assert draw.calls[:2] == [{"w1": 2.0}, {"w1": 1.0}]
    assert all(isinstance(call["w1"], float) for call in draw.calls)
    assert demo.figure.axes[0].get_title() == "w1=2.0"


def test_static_value_outside_the_range_is_an_error(displayed):
    with pytest.raises(ValueError, match=r"w1=3.0 is outside the slider's range \[-2.0, 2.0\]"):
        interactive_plot(Recorder(), CONTROLS, static=[{"w1": 3.0}])
    with pytest.raises(ValueError, match="not one of the options"):
        interactive_plot(Recorder(), CONTROLS, static=[{"act": "sigmoid"}])


def test_draw_failing_on_the_defaults_is_a_helpful_error(displayed):
    def draw(ax, w1):
        raise ZeroDivisionError("division by zero")

    with pytest.raises(ValueError, match=r"draw\(ax, w1=0.0\) failed with ZeroDivisionError"):
        interactive_plot(draw, {"w1": FloatSlider(-1, 1, value=0.0)})
    # also when the static settings avoid the defaults
    with pytest.raises(ValueError, match="failed with ZeroDivisionError"):
        interactive_plot(draw, {"w1": FloatSlider(-1, 1, value=0.0)}, static=[{"w1": 1.0}])


def test_draw_with_the_wrong_parameters_is_explained(displayed):
    def draw(ax, weight):
        pass

    with pytest.raises(ValueError, match=r"one keyword argument per control \(w1\)"):
        interactive_plot(draw, {"w1": FloatSlider(-1, 1, value=0.0)})


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: FloatSlider(0, 1, value=2), "outside the slider's range"),
        (lambda: FloatSlider(1, 0, value=0.5), "min < max"),
        (lambda: FloatSlider(0, 1, value=0.5, step=0), "positive step"),
        (lambda: IntSlider(0, 10, value=2.5), "whole number"),
        (lambda: Dropdown([], value=None), "at least one option"),
        (lambda: Dropdown(["a"], value="b"), "not one of the options"),
        (lambda: Checkbox(1), "True or False"),
    ],
)
def test_controls_check_their_own_values(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_controls_must_come_from_this_module(displayed):
    with pytest.raises(TypeError, match="FloatSlider, IntSlider, Dropdown or Checkbox"):
        interactive_plot(Recorder(), {"w1": ipywidgets.FloatSlider()})
    with pytest.raises(ValueError, match="at least one control"):
        interactive_plot(Recorder(), {})


def test_importing_the_module_does_not_import_ipywidgets():
    code = "import sys, course_utils.widgets; print('ipywidgets' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_numpy_values_reach_ipywidgets_as_plain_numbers(displayed):
    import numpy as np

    controls = {
        "w": FloatSlider(np.float64(-1), np.float32(1), value=np.float64(0.5), step=np.float64(0.25)),
        "n": IntSlider(np.int64(0), np.int32(5), value=np.int64(2)),
        "on": Checkbox(np.bool_(True)),
    }
    demo = interactive_plot(Recorder(), controls, static=[{"n": np.int64(4)}], display_now=False)
    assert (demo.controls["w"].min, demo.controls["w"].value) == (-1.0, 0.5)
    assert demo.controls["n"].value == 2 and type(demo.controls["n"].value) is int
    assert demo.controls["on"].value is True
    demo.controls["n"].value = 3  # the live control still redraws


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: IntSlider(0, 10, value=3, step=0.5), TypeError, "step must be a whole number"),
        (lambda: FloatSlider(0, float("inf"), value=1.0), ValueError, "max must be a finite"),
        (lambda: Dropdown("relu", value="relu"), TypeError, "must be a list of choices"),
        (lambda: FloatSlider(0, 1, value=0.5, description=3), TypeError, "description"),
    ],
)
def test_controls_check_their_types_before_ipywidgets_sees_them(make, error, message):
    with pytest.raises(error, match=message):
        make()
