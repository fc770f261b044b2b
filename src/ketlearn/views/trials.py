"""Figures of the reading-trials strand: simulated trial estimates, and events per 100 people.

Pure drawing on computed results (:func:`ketlearn.trials.simulate_trials` and the one-row
tables of :func:`ketlearn.widgets.trials.nnt_table`); the ``*_view`` functions pair each figure
with its table. All numbers are SIMULATED or hypothetical.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> row = pd.DataFrame({"n_per_arm": [100], "events_control": [30], "events_treatment": [45]})
>>> shown = nnt_view(row, "30 vs 45 events per 100 people (hypothetical).")
>>> shown.caption
'30 vs 45 events per 100 people (hypothetical).'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import plots, trials

__all__ = ["events_figure", "nnt_view", "simulation_figure", "simulation_view"]


def simulation_figure(result: trials.SimulationResult):
    """Histograms of the estimates (with the true effect) and of the p values."""
    with plots.house_style():
        fig, (ax1, ax2) = plots.new_figure(1, 2, figsize=(9, 3.2))
        ax1.hist(result.estimate, bins=30, color=plots.PALETTE[1])
        ax1.axvline(
            result.design.true_effect_points, color=plots.PALETTE[5], lw=2, label="true effect"
        )
        ax1.axvline(0, color="0.3", lw=1, ls="--", label="no effect")
        ax1.set_xlabel("Estimated difference (MADRS points)")
        ax1.set_ylabel("Simulated trials")
        ax1.legend(frameon=False, fontsize=8)
        ax2.hist(result.p_value, bins=np.linspace(0, 1, 21), color=plots.PALETTE[2])
        ax2.axvline(0.05, color=plots.PALETTE[5], lw=1.5, label="p = 0.05")
        ax2.set_xlabel("p value")
        ax2.set_ylabel("Simulated trials")
        ax2.legend(frameon=False, fontsize=8)
    return fig


def simulation_view(
    result: trials.SimulationResult, table: pd.DataFrame, text: str
) -> plots.FigureWithTable:
    """:func:`simulation_figure` with the summary table (rounded to 3 decimals) and text."""
    return plots.figure_with_table(simulation_figure(result), table.round(3), text)


def events_figure(table: pd.DataFrame):
    """Bar chart of events per 100 people in each arm, from a one-row ``nnt_table``."""
    t = table.iloc[0]
    n = int(t["n_per_arm"])
    per100 = [100 * t["events_control"] / n, 100 * t["events_treatment"] / n]
    with plots.house_style():
        fig, ax = plots.new_figure(figsize=(5, 3))
        ax.bar(["control", "treatment"], per100, color=[plots.PALETTE[1], plots.PALETTE[0]])
        ax.set_ylim(0, 100)
        ax.set_ylabel("Events per 100 people")
        for i, v in enumerate(per100):
            ax.text(i, v + 2, f"{v:.0f}", ha="center")
    return fig


def nnt_view(table: pd.DataFrame, text: str) -> plots.FigureWithTable:
    """:func:`events_figure` paired with its table and the printed summary."""
    return plots.figure_with_table(events_figure(table), table, text)
