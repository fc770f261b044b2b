"""Figure of the orientation notebook: published bioavailability estimates for one route.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> rows = pd.DataFrame({"bioavailability_pct": [17.0, 45.0], "source_key": ["a", "b"]})
>>> shown = route_view(rows, "intranasal", "intranasal: 2 estimates.")
>>> shown.table["bioavailability_pct"].tolist()
[17.0, 45.0]
"""

from __future__ import annotations

import pandas as pd

from .. import plots

__all__ = ["route_figure", "route_view"]


def route_figure(rows: pd.DataFrame, route: str):
    """Dot plot of one route's estimates (``bioavailability_pct`` by ``source_key``); a Figure."""
    with plots.house_style():
        fig, ax = plots.new_figure(figsize=(6.5, 2.6))
        keys = list(dict.fromkeys(rows["source_key"]))
        markers = ["o", "s", "^", "D", "v"]
        for i, key in enumerate(keys):
            sub = rows[rows["source_key"] == key]
            ax.plot(
                sub["bioavailability_pct"],
                [i] * len(sub),
                linestyle="none",
                marker=markers[i % len(markers)],
                color=plots.PALETTE[i % 8],
                label=key,
            )
        ax.set_yticks(range(len(keys)), keys)
        ax.set_xlim(0, 100)
        ax.set_xlabel("Bioavailability F (%)")
        ax.set_title(f"Published estimates: {route}")
    return fig


def route_view(rows: pd.DataFrame, route: str, summary: str) -> plots.FigureWithTable:
    """:func:`route_figure` paired with the rows it plots and the printed summary."""
    return plots.figure_with_table(route_figure(rows, route), rows, summary)
