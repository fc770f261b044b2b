"""Redraw cost of every app built on ketlearn.views.app.App, and its sliders' continuous_update.

A slider may recompute during a drag (``continuous_update=True``) only if one update with its
redraw stays well under ~30 ms; above that the drag lags (worse on Binder), so the slider must
recompute on release. One update here = compute + draw + render the figure (Agg), headless.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import ipywidgets as w
from _timing import median_ms

from ketlearn import data
from ketlearn.widgets import history, mechanism, media, meta, orientation, pk, trials

LIMIT_MS = 30.0


def _render(app) -> None:
    fig = getattr(app, "fig", None)
    shown = app.last_shown
    fig = fig if fig is not None else getattr(shown, "figure", shown)
    if fig is not None and hasattr(fig, "canvas"):
        fig.canvas.draw()


def main() -> None:
    studies = meta.studies_from_ci(
        ["A", "B", "C"], [-4.0, -3.6, -2.0], [-7.31, -7.2, -5.0], [-0.64, 0.07, 1.0]
    )
    apps = [
        pk.PKExplorer(display_output=False),
        pk.RouteComparison(display_output=False),
        meta.MetaExplorer(studies, display_output=False),
        meta.FunnelDemo(display_output=False),
        trials.TrialSimulator(n_trials=1000, display_output=False),
        trials.NNTExplorer(display_output=False),
        orientation.RouteExplorer(data.load("bioavailability"), display_output=False),
        history.TimelineExplorer(data.load("history_timeline"), display_output=False),
        media.RubricForm(display_output=False),
        mechanism.MgBlockExplorer(),
        mechanism.TrappingSimulator(),
        mechanism.CircuitExplorer(),
        mechanism.WholeChainExplorer(),
    ]
    print(f"{'app':<22} {'update + render (ms)':>21}  sliders  continuous_update")
    for app in apps:
        ms = median_ms(lambda app=app: (app.update(), _render(app)), 5)
        sliders = [c for c in app.controls.values() if isinstance(c, (w.FloatSlider, w.IntSlider))]
        continuous = sorted({bool(s.continuous_update) for s in sliders})
        ok = not sliders or ms <= LIMIT_MS or continuous == [False]
        print(
            f"{type(app).__name__:<22} {ms:21.0f}  {len(sliders):7d}  "
            f"{continuous if sliders else '-'}  {'ok' if ok else 'LAGS: set continuous=False'}"
        )


if __name__ == "__main__":
    main()
