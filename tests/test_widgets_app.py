"""The one app base class (ketlearn.views.app): controls from a spec, compute apart from draw."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import ipywidgets as w
import pytest

from ketlearn import data
from ketlearn.views.app import App, Control, FigureApp
from ketlearn.widgets import history, mechanism, media, meta, orientation, pk, trials


class Area(App):
    CONTROLS = (
        Control("width_m", "float", 2.0, "width (m)", bounds=(0.0, 10.0, 0.5)),
        Control("n", "int", 1, "copies", bounds=(1, 5, 1)),
        Control("shape", "choice", "square", "shape", options=("square", "triangle")),
        Control("shown", "check", True, "show"),
    )

    def __init__(self):
        self.computed = []
        super().__init__(display_output=False)

    def compute(self, width_m, n, shape, shown):
        self.computed.append((width_m, n, shape, shown))
        area = width_m**2 * (0.5 if shape == "triangle" else 1.0) * n
        return f"{n} {shape}(s) of {width_m:g} m: {area:g} m²"


def test_controls_are_built_from_the_spec():
    app = Area()
    assert isinstance(app.width_m, w.FloatSlider) and (app.width_m.min, app.width_m.max) == (0, 10)
    assert isinstance(app.n, w.IntSlider) and isinstance(app.shape, w.Dropdown)
    assert isinstance(app.shown, w.Checkbox)
    assert app.width_m.continuous_update is False, "sliders recompute on release by default"
    assert app.last_text == "1 square(s) of 2 m: 4 m²"


def test_a_control_change_recomputes_once_and_update_sets_controls():
    app = Area()
    app.shape.value = "triangle"
    assert app.last_text == "1 triangle(s) of 2 m: 2 m²"
    assert app.computed[-1] == (2.0, 1, "triangle", True) and len(app.computed) == 2
    assert app.update(width_m=4.0, n=2) == "2 triangle(s) of 4 m: 16 m²"
    assert (app.width_m.value, app.n.value) == (4.0, 2)
    assert len(app.computed) == 3, "setting two controls in update() computes once"


def test_bad_specs_and_unknown_controls_raise():
    with pytest.raises(ValueError, match="bounds"):
        Control("x", "float", 1.0, "x")
    with pytest.raises(ValueError, match="kind"):
        Control("x", "slider", 1.0, "x", bounds=(0, 1, 0.1))
    with pytest.raises(ValueError, match="options"):
        Control("x", "choice", "a", "x")
    with pytest.raises(ValueError, match="unknown control"):
        Area().update(depth_m=1.0)

    class Clash(Area):
        CONTROLS = (Control("update", "check", True, "oops"),)

    with pytest.raises(ValueError, match="would hide"):
        Clash()


def _apps():
    studies = meta.studies_from_ci(["A", "B"], [-4.0, -2.0], [-7.0, -5.0], [-1.0, 1.0])
    return [
        pk.PKExplorer(display_output=False),
        pk.RouteComparison(display_output=False),
        meta.MetaExplorer(studies, display_output=False),
        meta.FunnelDemo(display_output=False),
        trials.TrialSimulator(n_trials=50, display_output=False),
        trials.NNTExplorer(display_output=False),
        orientation.RouteExplorer(data.load("bioavailability"), display_output=False),
        history.TimelineExplorer(data.load("history_timeline"), display_output=False),
        media.RubricForm(display_output=False),
        mechanism.MgBlockExplorer(),
    ]


def test_every_app_is_an_app_with_release_only_sliders_and_a_summary():
    # Every redraw here re-simulates or re-renders a matplotlib figure (well over 30 ms, see
    # benchmarks/bench_widgets.py): no slider may recompute during a drag.
    for app in _apps():
        assert isinstance(app, App)
        sliders = [c for c in app.controls.values() if isinstance(c, (w.FloatSlider, w.IntSlider))]
        assert all(s.continuous_update is False for s in sliders), type(app).__name__
        assert app.last_text and app.last_text == app.text(app.last)
    assert isinstance(mechanism.WholeChainExplorer(), FigureApp)
