"""One small base class for the course's interactive apps: controls from a spec, compute, draw.

An app declares its controls as data (:class:`Control`), computes with a pure method
(:meth:`App.compute`, no drawing, no widgets), and draws with another (:meth:`App.draw`, which
returns a :class:`ketlearn.plots.FigureWithTable` or anything IPython can display). The base
class builds the ipywidgets from the spec, calls ``compute`` then ``draw`` whenever a control
changes, and shows the result in an ``Output`` widget. Tests call :meth:`App.compute` or
:meth:`App.update` headless (Agg backend, ``display_output=False``).

:class:`FigureApp` is the variant with one persistent figure whose artists are updated in place
and sent as a PNG to an ``Image`` widget (the mechanism apps).

Sliders whose redraw costs more than about 30 ms are declared with ``continuous=False``: the
app recomputes when the slider is released, not at every step of a drag
(``benchmarks/bench_widgets.py`` prints each app's redraw time).

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> class Doubler(App):
...     CONTROLS = (Control("x", "float", 1.0, "x", bounds=(0.0, 10.0, 0.5)),)
...
...     def compute(self, x):
...         return {"x": x, "y": 2 * x}
...
...     def text(self, result):
...         return f"2 × {result['x']:g} = {result['y']:g}"
>>> app = Doubler(display_output=False)
>>> app.last_text
'2 × 1 = 2'
>>> app.x.value = 3.0  # what a learner's drag does
>>> app.last_text
'2 × 3 = 6'
>>> app.update(x=4.5)
'2 × 4.5 = 9'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = ["App", "Control", "FigureApp"]

_KINDS = ("float", "int", "choice", "multi", "check")


@dataclass(frozen=True)
class Control:
    """One control, declared without ipywidgets.

    Parameters
    ----------
    name : str
        The keyword :meth:`App.compute` receives and the app's attribute holding the widget.
    kind : {"float", "int", "choice", "multi", "check"}
        Slider (float or integer), dropdown, multiple-choice list, or checkbox.
    value : object
        Initial value.
    description : str
        The label shown to the learner (with units).
    bounds : tuple of (min, max, step), optional
        Slider limits: the values the model accepts.
    options : sequence, optional
        Choices of a dropdown or list: values, or ``(label, value)`` pairs.
    continuous : bool, default False
        Recompute during a drag (only for redraws well under ~30 ms).
    """

    name: str
    kind: str
    value: Any
    description: str
    bounds: tuple = ()
    options: Sequence = ()
    continuous: bool = False

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"kind must be one of {_KINDS}; got {self.kind!r}")
        if self.kind in ("float", "int") and len(self.bounds) != 3:
            raise ValueError(f"{self.name}: a slider needs bounds=(min, max, step)")
        if self.kind in ("choice", "multi") and not self.options:
            raise ValueError(f"{self.name}: a dropdown or list needs options")

    def build(self, style: dict, layout=None):
        """The ipywidgets control for this spec."""
        import ipywidgets as w

        common = {"value": self.value, "description": self.description, "style": style}
        if layout is not None and self.kind != "check":
            common["layout"] = layout
        if self.kind in ("float", "int"):
            lo, hi, step = self.bounds
            cls = w.FloatSlider if self.kind == "float" else w.IntSlider
            return cls(min=lo, max=hi, step=step, continuous_update=self.continuous, **common)
        if self.kind == "choice":
            return w.Dropdown(options=list(self.options), **common)
        if self.kind == "multi":
            common["value"] = tuple(self.value)
            return w.SelectMultiple(options=list(self.options), rows=6, **common)
        return w.Checkbox(indent=False, **{k: v for k, v in common.items() if k != "style"})


class App:
    """Base of every app: controls from :attr:`CONTROLS` (or :meth:`spec`), compute, draw.

    Subclasses define ``CONTROLS`` (or override :meth:`spec` when the controls depend on data),
    :meth:`compute` and usually :meth:`draw` and :meth:`text`. After each update, ``last`` holds
    what ``compute`` returned, ``last_text`` the printed summary and ``last_shown`` what ``draw``
    returned.
    """

    CONTROLS: ClassVar[tuple[Control, ...]] = ()
    #: Control columns side by side (1: one column under each other).
    columns: ClassVar[int] = 1
    #: Width of the control labels (CSS).
    label_width: ClassVar[str] = "initial"
    width: ClassVar[str | None] = None
    #: Print the summary under the figure (when the figure's caption is not the summary).
    print_text: ClassVar[bool] = False

    def __init__(self, *, display_output: bool = True) -> None:
        import ipywidgets as w

        self.display_output = display_output
        layout = w.Layout(width=self.width) if self.width else None
        style = {"description_width": self.label_width}
        self.controls = {c.name: c.build(style, layout) for c in self.spec()}
        for name, control in self.controls.items():
            if hasattr(type(self), name):
                raise ValueError(f"control name {name!r} would hide {type(self).__name__}.{name}")
            setattr(self, name, control)
            control.observe(self._changed, names="value")
        self.output = w.Output()
        self.widget = self.assemble(self.arrange(list(self.controls.values())))
        self.last: Any = None
        self.last_text = ""
        self.last_shown: Any = None
        self._busy = False
        self.update()

    # -- what subclasses provide ------------------------------------------------------------
    def spec(self) -> Sequence[Control]:
        """The controls, in display order (default: :attr:`CONTROLS`)."""
        return self.CONTROLS

    def compute(self, **values) -> Any:  # pragma: no cover - abstract
        """Pure computation from the control values: no drawing, no widgets."""
        raise NotImplementedError

    def text(self, result) -> str:
        """The printed summary of a result (default: its ``text`` or ``summary`` attribute)."""
        for attr in ("text", "summary"):
            value = getattr(result, attr, None)
            if isinstance(value, str):
                return value
        return str(result)

    def draw(self, result) -> Any:
        """What to display for a result (a figure with its table); default: nothing."""
        return None

    def before_compute(self, values: dict) -> None:
        """Hook to enable/disable controls from the current values (default: nothing)."""

    def arrange(self, controls: list):
        """Lay the control widgets out (default: :attr:`columns` columns)."""
        import ipywidgets as w

        if self.columns <= 1:
            return w.VBox(controls)
        size = -(-len(controls) // self.columns)
        return w.HBox([w.VBox(controls[i : i + size]) for i in range(0, len(controls), size)])

    def assemble(self, controls_box):
        """The whole app from the arranged controls (default: controls above the output)."""
        import ipywidgets as w

        return w.VBox([controls_box, self.output])

    # -- the machinery ------------------------------------------------------------------------
    def values(self) -> dict:
        """The controls' current values, keyed by control name."""
        return {name: control.value for name, control in self.controls.items()}

    def _changed(self, _change=None) -> None:
        if not self._busy:
            self.update()

    def update(self, **values) -> str:
        """Recompute and redraw; ``values`` (by control name) are set on the controls first.

        The computation uses ``values`` exactly as given (a slider would clamp an out-of-range
        value; the model raises on it instead). Returns the printed summary.
        """
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ValueError(f"unknown control(s) {unknown}; controls: {sorted(self.controls)}")
        self._busy = True
        try:
            for name, value in values.items():
                control = self.controls[name]
                control.value = tuple(value) if isinstance(value, list) else value
        finally:
            self._busy = False
        current = {**self.values(), **values}
        self.before_compute(current)
        result = self.compute(**current)
        self.last = result
        self.last_text = self.text(result)
        self.last_shown = self.draw(result)
        self._display()
        return self.last_text

    @property
    def last_summary(self) -> str:
        """Alias of ``last_text``."""
        return self.last_text

    def _display(self) -> None:
        if not self.display_output:
            return
        from IPython.display import display

        self.output.clear_output(wait=True)
        with self.output:
            if self.last_shown is not None:
                display(self.last_shown)
            if self.last_shown is None or self.print_text:
                print(self.last_text)

    def show(self):
        """The ipywidgets app (controls and output)."""
        return self.widget


def _canvas(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    return fig


class FigureApp(App):
    """An app with one persistent figure whose artists get new data at each update.

    ``compute(**controls)`` calls the model; ``draw`` puts the result into the artists created
    once by ``_setup`` (no new figure per update, no layout engine: a redraw stays cheap).
    ``show()`` sends the figure as PNG bytes to an ``Image`` widget and the summary to an
    ``HTML`` widget, updated by ``observe`` callbacks; this avoids capturing displays in an
    ``Output`` widget, which made headless execution (nbclient) hang intermittently.
    """

    nrows = 1
    ncols = 1
    figsize = (7.0, 4.2)
    margins: ClassVar[dict] = {
        "left": 0.11,
        "right": 0.97,
        "bottom": 0.14,
        "top": 0.95,
        "wspace": 0.3,
        "hspace": 0.45,
    }

    def __init__(self) -> None:
        import ipywidgets as w
        import matplotlib as mpl

        from .. import plots

        with plots.house_style(), mpl.rc_context({"figure.constrained_layout.use": False}):
            self.fig, self.axes = plots.new_figure(self.nrows, self.ncols, figsize=self.figsize)
            # A fixed layout: a layout engine would be re-run at every redraw (slow).
            self.fig.subplots_adjust(**self.margins)
            _canvas(self.fig)
            self._setup()
        self.image = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.summary_html = w.HTML()
        self._live = False  # PNG and HTML are sent only once show() was called
        self._redraw = True
        super().__init__(display_output=True)

    # subclasses implement CONTROLS, compute(**values) -> Any, _setup() and _draw(data)
    def _setup(self) -> None:  # pragma: no cover - abstract
        """Create the artists once (lines with no data yet, labels, legends)."""
        raise NotImplementedError

    def _draw(self, data: Any) -> None:  # pragma: no cover - abstract
        """Put new data into the existing artists."""
        raise NotImplementedError

    def draw(self, data: Any):
        from .. import plots

        with plots.house_style():
            self._draw(data)
            if self._redraw:
                self.fig.canvas.draw()
        return self.fig

    def update(self, redraw: bool = True, **values) -> str:
        """Recompute, redraw the figure and return the printed summary.

        With ``redraw=False`` the artists get the new data but the canvas is not rendered (the
        caller renders it, e.g. :meth:`png`).
        """
        self._redraw = redraw and not self._live  # show() renders through png()
        try:
            return super().update(**values)
        finally:
            self._redraw = True

    def arrange(self, controls: list):
        import ipywidgets as w

        return w.HBox(controls, layout=w.Layout(flex_flow="row wrap"))

    def assemble(self, controls_box):
        import ipywidgets as w

        return w.VBox([controls_box, self.image, self.summary_html])

    def _display(self) -> None:
        if self._live:
            import html

            self.image.value = self.png()
            self.summary_html.value = (
                f"<pre style='white-space: pre-wrap'>{html.escape(self.last_text)}</pre>"
            )

    def png(self) -> bytes:
        """The current figure as PNG bytes."""
        import io

        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png")
        return buffer.getvalue()

    def show(self):
        """The ipywidgets app: controls, the figure (an Image widget) and the summary."""
        self._live = True
        self._display()
        return self.widget
