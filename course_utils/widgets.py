"""Interactive demos that also work where widgets cannot run.

A demo is one drawing function plus a few controls::

    def draw(ax, w1, w2):
        ...  # draw one view into `ax` for these values

    interactive_plot(
        draw,
        {"w1": FloatSlider(-2, 2, value=1.0), "w2": FloatSlider(-2, 2, value=-0.5)},
        static=[{"w1": 1.0}, {"w1": -1.0}, {"w1": 0.0, "w2": 2.0}],
    )

:func:`interactive_plot` first draws a *static* figure, one small panel per setting in
``static``. It renders everywhere a notebook can be read: JupyterLab, Colab, GitHub's preview,
the course website, CI logs. Then, when ipywidgets is installed, it adds the live version with
sliders. The controls below are plain descriptions, so a notebook never depends on which
ipywidgets version is installed; only the APIs shared by ipywidgets 7.7 (Colab) and 8 are used.
"""

from __future__ import annotations

import keyword
import math
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from course_utils._args import check_flag, check_whole
from course_utils.plots import course_style

__all__ = [
    "Checkbox",
    "Control",
    "Dropdown",
    "FloatSlider",
    "IntSlider",
    "InteractiveDemo",
    "interactive_plot",
]

_NO_WIDGETS_NOTE = (
    "The live version of this demo needs ipywidgets (pip install ipywidgets); "
    "the static figure above shows sample settings."
)


# --------------------------------------------------------------------------------------
# Controls: what the learner can change
# --------------------------------------------------------------------------------------


def _check_slider(control: FloatSlider | IntSlider) -> None:
    """Check the ends and the step, and store them as plain ints or floats (ipywidgets wants those)."""
    whole = isinstance(control, IntSlider)
    for name in ("min", "max", "step"):
        value = getattr(control, name)
        if isinstance(value, bool) or not isinstance(value, numbers.Integral if whole else numbers.Real):
            raise TypeError(f"{type(control).__name__}: {name} must be a "
                            f"{'whole number' if whole else 'number'}, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"{type(control).__name__}: {name} must be a finite number, got {value}")
        object.__setattr__(control, name, int(value) if whole else float(value))
    if not control.min < control.max:
        raise ValueError(f"a slider needs min < max, got min={control.min}, max={control.max}")
    if not control.step > 0:
        raise ValueError(f"a slider needs a positive step, got step={control.step}")
    _check_description(control.description)


def _check_description(description: Any) -> None:
    if description is not None and not isinstance(description, str):
        raise TypeError(f"description must be a string (the label shown next to the control), "
                        f"got {description!r}")


@dataclass(frozen=True)
class FloatSlider:
    """A slider for a real number between ``min`` and ``max`` (inclusive)."""

    min: float
    max: float
    value: float
    step: float = 0.1
    description: str | None = None

    def __post_init__(self) -> None:
        _check_slider(self)
        self._check("value", self.value)
        object.__setattr__(self, "value", float(self.value))

    def _check(self, name: str, value: Any) -> None:
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise ValueError(f"{name} must be a number, got {value!r}")
        if not self.min <= value <= self.max:
            raise ValueError(
                f"{name}={value} is outside the slider's range [{self.min}, {self.max}]; "
                "pick a value inside it or widen the range"
            )


@dataclass(frozen=True)
class IntSlider:
    """A slider for a whole number between ``min`` and ``max`` (inclusive)."""

    min: int
    max: int
    value: int
    step: int = 1
    description: str | None = None

    def __post_init__(self) -> None:
        _check_slider(self)
        self._check("value", self.value)
        object.__setattr__(self, "value", int(self.value))

    def _check(self, name: str, value: Any) -> None:
        if not isinstance(value, numbers.Integral) or isinstance(value, bool):
            raise ValueError(f"{name} must be a whole number, got {value!r}")
        if not self.min <= value <= self.max:
            raise ValueError(
                f"{name}={value} is outside the slider's range [{self.min}, {self.max}]; "
                "pick a value inside it or widen the range"
            )


@dataclass(frozen=True)
class Dropdown:
    """A choice among ``options`` (numbers, strings, anything shown with ``str``)."""

    options: Sequence[Any]
    value: Any
    description: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.options, (str, bytes)) or not hasattr(self.options, "__iter__"):
            raise TypeError(f"Dropdown options must be a list of choices, e.g. [{self.options!r}], "
                            f"not {type(self.options).__name__} {self.options!r}")
        object.__setattr__(self, "options", tuple(self.options))
        if not self.options:
            raise ValueError("a Dropdown needs at least one option")
        _check_description(self.description)
        self._check("value", self.value)

    def _check(self, name: str, value: Any) -> None:
        if value not in self.options:
            raise ValueError(f"{name}={value!r} is not one of the options {list(self.options)}")


@dataclass(frozen=True)
class Checkbox:
    """An on/off switch."""

    value: bool
    description: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.value, np.bool_):
            object.__setattr__(self, "value", bool(self.value))
        _check_description(self.description)
        self._check("value", self.value)

    def _check(self, name: str, value: Any) -> None:
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"{name} must be True or False, got {value!r}")


Control = FloatSlider | IntSlider | Dropdown | Checkbox


def _checked_setting(setting: Mapping[str, Any], controls: Mapping[str, Control]) -> dict[str, Any]:
    """Return ``setting`` as a dict after checking it against the controls.

    Unknown names and invalid values raise a ValueError that says what is allowed. Values
    of float sliders become floats, so that ``draw`` gets 1.0 whether it was written 1 or 1.0.
    """
    unknown = [name for name in setting if name not in controls]
    if unknown:
        raise ValueError(
            f"the setting {dict(setting)} names unknown control(s) {unknown}; "
            f"the controls are {list(controls)}"
        )
    checked = {}
    for name, value in setting.items():
        controls[name]._check(name, value)
        control = controls[name]
        checked[name] = (float(value) if isinstance(control, FloatSlider) else int(value)
                         if isinstance(control, IntSlider) else bool(value)
                         if isinstance(control, Checkbox) else value)
    return checked


# --------------------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------------------


def _format_value(value: Any) -> str:
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        text = f"{value:.4g}"
        return f"{text}.0" if text.lstrip("-").isdigit() else text  # 1.0 stays "1.0", not "1"
    return str(value)


def _label(setting: Mapping[str, Any]) -> str:
    return ", ".join(f"{name}={_format_value(value)}" for name, value in setting.items())


def _draw_panel(draw: Callable[..., None], ax: Axes, values: Mapping[str, Any], label: str) -> None:
    """Call ``draw(ax, **values)``, then put ``label`` above whatever title draw chose."""
    plt.sca(ax)  # so that plt.* calls inside draw land in this panel
    try:
        draw(ax, **values)
    except Exception as error:
        raise ValueError(
            f"draw(ax, {_label(values)}) failed with {type(error).__name__}: {error}. "
            f"draw must accept the axes plus one keyword argument per control "
            f"({', '.join(values)}) and work for every value the controls allow."
        ) from error
    existing = ax.get_title()
    ax.set_title(f"{label}\n{existing}" if existing else label)


def _static_figure(
    draw: Callable[..., None],
    defaults: Mapping[str, Any],
    settings: Sequence[Mapping[str, Any]],
    ncols: int,
    figsize_per_panel: tuple[float, float],
    title: str | None,
) -> Figure:
    """Small multiples: one panel per setting, each titled by the values it sets."""
    ncols = max(1, min(ncols, len(settings)))
    nrows = math.ceil(len(settings) / ncols)
    width, height = figsize_per_panel
    with course_style():
        fig, axes = plt.subplots(
            nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False
        )
        try:
            for ax, setting in zip(axes.flat[: len(settings)], settings, strict=True):
                _draw_panel(draw, ax, {**defaults, **setting}, _label(setting or defaults))
        finally:
            # Leave pyplot's list of open figures: the demo decides when this one is shown,
            # not the end of the cell.
            plt.close(fig)
        for ax in axes.flat[len(settings) :]:
            fig.delaxes(ax)
        if title:
            fig.suptitle(title)
    return fig


# --------------------------------------------------------------------------------------
# The live version (ipywidgets 7.7 and 8)
# --------------------------------------------------------------------------------------


def _import_ipywidgets() -> Any | None:
    try:
        import ipywidgets
    except ImportError:
        return None
    return ipywidgets


def _readout_format(step: float) -> str:
    """Enough decimals to tell neighbouring slider positions apart: step 0.25 -> ".2f"."""
    decimals = -Decimal(str(step)).as_tuple().exponent
    return f".{min(max(decimals, 1), 6)}f"


def _make_control(widgets: Any, name: str, control: Control, continuous_update: bool) -> Any:
    """Build the ipywidgets control for one of our plain control descriptions."""
    common = {
        "description": control.description or name,
        "style": {"description_width": "initial"},
    }
    if isinstance(control, FloatSlider):
        return widgets.FloatSlider(
            min=control.min,
            max=control.max,
            step=control.step,
            value=control.value,
            readout_format=_readout_format(control.step),
            continuous_update=continuous_update,
            layout=widgets.Layout(width="420px"),
            **common,
        )
    if isinstance(control, IntSlider):
        return widgets.IntSlider(
            min=control.min,
            max=control.max,
            step=control.step,
            value=control.value,
            continuous_update=continuous_update,
            layout=widgets.Layout(width="420px"),
            **common,
        )
    if isinstance(control, Dropdown):
        # (label, value) pairs let options be any value, shown with str().
        options = [(str(option), option) for option in control.options]
        return widgets.Dropdown(options=options, value=control.value, **common)
    return widgets.Checkbox(value=control.value, indent=False, **common)


@dataclass
class InteractiveDemo:
    """What :func:`interactive_plot` made.

    Attributes:
        figure: the static figure, one panel per sample setting.
        widget: the live demo (an ipywidgets ``VBox``), or None without ipywidgets.
        controls: the live ipywidgets controls by name (empty without ipywidgets). Setting
            ``demo.controls["w1"].value = 2.0`` redraws the live figure.
        redraw: ``redraw(**values)`` draws and returns a fresh one-panel figure; values not
            given keep their defaults.
    """

    figure: Figure
    widget: Any | None
    controls: dict[str, Any]
    redraw: Callable[..., Figure]
    _shown: bool = field(default=False, init=False, repr=False)

    def show(self) -> None:
        """Display the static figure, then the live demo (or a note saying why there is none)."""
        display(self.figure)
        if self.widget is not None:
            display(self.widget)
        else:
            print(_NO_WIDGETS_NOTE)
        self._shown = True

    def _ipython_display_(self) -> None:
        # A demo left as the last expression of a cell is shown once, not twice.
        if not self._shown:
            self.show()


def _check_arguments(draw: Any, controls: Any, static: Any, ncols: Any, figsize_per_panel: Any,
                     continuous_update: Any) -> None:
    """interactive_plot's arguments, each with a message that says what is allowed."""
    if not callable(draw):
        raise TypeError(f"draw must be a function draw(ax, **values) that draws one view into the "
                        f"axes, got {draw!r}")
    example = "{'w': FloatSlider(-1, 1, value=0)}"
    if not isinstance(controls, Mapping):
        raise TypeError(f"controls must be a dict of name -> control, e.g. {example}; got "
                        f"{type(controls).__name__}")
    if not controls:
        raise ValueError(f"give at least one control, e.g. {example}")
    for name, control in controls.items():
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            suggestion = re.sub(r"\W+", "_", str(name)).strip("_") or "w"
            raise ValueError(f"{name!r} is not a valid Python name for a control (draw receives "
                             f"each control as a keyword argument): call it e.g. {suggestion!r}, "
                             "and set description= for the label shown")
        if not isinstance(control, (FloatSlider, IntSlider, Dropdown, Checkbox)):
            raise TypeError(
                f"control {name!r} is a {type(control).__name__}; use FloatSlider, IntSlider, "
                "Dropdown or Checkbox from course_utils.widgets"
            )
    if isinstance(static, Mapping):
        raise TypeError(
            f"static should be a list of settings, e.g. [{dict(static)}]; "
            "wrap your dict in [ ] (one dict per panel)"
        )
    first, control = next(iter(controls.items()))
    if static is not None and (isinstance(static, str) or not isinstance(static, Sequence)):
        raise TypeError(f"static should be a list of settings, e.g. [{{{first!r}: "
                        f"{control.value!r}}}], got {type(static).__name__}")
    for i, setting in enumerate(static or []):
        if not isinstance(setting, Mapping):
            value = setting if isinstance(setting, (numbers.Number, str)) else control.value
            raise TypeError(f"static[{i}] is a {type(setting).__name__}, but each setting is a dict "
                            f"of control values, e.g. {{{first!r}: {value!r}}}")
    check_whole(ncols, "ncols", minimum=1, unit=" of panels per row")
    size = "figsize_per_panel must be (width, height) in inches, e.g. (4, 3.2)"
    if not isinstance(figsize_per_panel, Sequence) or len(figsize_per_panel) != 2 or not all(
            isinstance(v, numbers.Real) and not isinstance(v, bool) for v in figsize_per_panel):
        raise TypeError(f"{size}; got {figsize_per_panel!r}")
    if not all(math.isfinite(v) and v > 0 for v in figsize_per_panel):
        raise ValueError(f"{size}, with positive sizes; got {figsize_per_panel!r}")
    check_flag(continuous_update, "continuous_update", meaning="redraw while a slider moves")


def interactive_plot(
    draw: Callable[..., None],
    controls: Mapping[str, Control],
    *,
    static: Sequence[Mapping[str, Any]] | None = None,
    ncols: int = 3,
    figsize_per_panel: tuple[float, float] = (4, 3.2),
    title: str | None = None,
    display_now: bool = True,
    continuous_update: bool = False,
) -> InteractiveDemo:
    """Make a demo that is a static figure everywhere and a live one where widgets run.

    Args:
        draw: ``draw(ax, **values)`` draws one view into the matplotlib axes ``ax``, for one
            value per control, passed as keyword arguments named like the controls.
        controls: the controls by name, e.g. ``{"lr": FloatSlider(0.01, 1.0, value=0.1)}``.
        static: the settings drawn in the static figure, each a dict that overrides some
            control values, e.g. ``[{"lr": 0.01}, {"lr": 0.5}]``. Default: only the
            defaults. Choose settings that tell the story without the sliders.
        ncols: panels per row in the static figure.
        figsize_per_panel: (width, height) of each panel, in inches.
        title: optional title above the static figure and the live figure.
        display_now: show the static figure and the live demo right away. With False,
            nothing is shown until you call ``demo.show()`` or leave ``demo`` as the last
            line of a cell.
        continuous_update: redraw while a slider is being dragged (smooth for fast
            ``draw`` functions) instead of only when it is released.

    Returns:
        An :class:`InteractiveDemo` with the static figure, the widget and ``redraw``.

    Raises:
        ValueError: if a static setting names an unknown control or a value outside a
            control's range, or if ``draw`` fails for a setting or for the defaults.
    """
    _check_arguments(draw, controls, static, ncols, figsize_per_panel, continuous_update)
    settings = [_checked_setting(setting, controls) for setting in static] if static else [{}]
    defaults = _checked_setting({name: c.value for name, c in controls.items()}, controls)

    def redraw(**values: Any) -> Figure:
        """Draw a fresh one-panel figure for these values (the others keep their defaults)."""
        values = _checked_setting(values, controls)
        with course_style():
            fig, ax = plt.subplots(figsize=figsize_per_panel)
            try:
                _draw_panel(draw, ax, {**defaults, **values}, _label(values or defaults))
            finally:
                plt.close(fig)
            if title:
                fig.suptitle(title)
        return fig

    figure = _static_figure(draw, defaults, settings, ncols, figsize_per_panel, title)
    first_live_figure = redraw()  # checks the defaults even when they are not in `static`

    widget, live_controls = None, {}
    widgets = _import_ipywidgets()
    if widgets is not None:
        live_controls = {
            name: _make_control(widgets, name, control, continuous_update)
            for name, control in controls.items()
        }
        output = widgets.Output()

        def on_change(_change: Any = None) -> None:
            values = {name: control.value for name, control in live_controls.items()}
            # Inside a notebook, an error here is shown in the output area under the controls.
            with output:
                output.clear_output(wait=True)
                display(redraw(**values))

        for control in live_controls.values():
            control.observe(on_change, names="value")
        with output:
            display(first_live_figure)
        widget = widgets.VBox([widgets.VBox(list(live_controls.values())), output])

    demo = InteractiveDemo(figure=figure, widget=widget, controls=live_controls, redraw=redraw)
    if display_now:
        demo.show()
    return demo
