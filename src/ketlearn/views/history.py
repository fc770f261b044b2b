"""Figure of the history strand: a sourced timeline, one marker per claim.

Pure drawing on rows of the ``history_timeline`` dataset; :func:`timeline_view_figure` pairs the
figure with the table of the events it shows.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from ketlearn import data
>>> t = data.load("history_timeline")
>>> fig = timeline_figure(t[t["category"] == "regulation"])
>>> [label.get_text() for label in fig.axes[0].get_yticklabels()]
['regulation']
"""

from __future__ import annotations

import pandas as pd

from .. import history, plots

__all__ = ["timeline_figure", "timeline_view_figure"]


def timeline_figure(timeline: pd.DataFrame, *, highlight: str | None = None):
    """A timeline: one lane per category, one marker per claim (not shown; returns the Figure).

    Filled circles are claims read in a primary source, open squares in a secondary source;
    the horizontal bar spans the date's possible interval (a whole year when only the year is
    known); dashed lines join competing claims about one event. ``highlight`` rings one event.
    """
    dated = history.add_date_columns(timeline)
    lanes = [c for c in history.CATEGORIES if c in set(dated["category"].astype("object"))]
    with plots.house_style():
        fig, ax = plots.new_figure(figsize=(9, 0.6 * max(len(lanes), 1) + 1.6))
        if dated.empty:
            ax.text(
                0.5,
                0.5,
                "No events match the filters",
                ha="center",
                va="center",
                transform=ax.transAxes,
            )
            ax.set_axis_off()
            return fig
        lane_of = {c: i for i, c in enumerate(lanes)}
        y = dated["category"].astype("object").map(lane_of).astype("float64")
        start = [history.decimal_year(d.date()) for d in dated["date_start"]]
        end = [history.decimal_year(d.date()) + 1 / 365 for d in dated["date_end"]]
        ax.hlines(y, start, end, color="0.55", linewidth=3, alpha=0.6)
        primary = (dated["source_type"].astype("object") == "primary").to_numpy()
        ax.plot(
            dated.loc[primary, "year_mid"],
            y[primary],
            "o",
            color=plots.PALETTE[4],
            markersize=7,
            linestyle="none",
            label="primary source",
        )
        ax.plot(
            dated.loc[~primary, "year_mid"],
            y[~primary],
            "s",
            markerfacecolor="white",
            markeredgecolor=plots.PALETTE[5],
            markeredgewidth=1.6,
            markersize=7,
            linestyle="none",
            label="secondary source",
        )
        for _, grp in dated[dated["claim_group"].notna()].groupby("claim_group"):
            if len(grp) > 1:
                ys = grp["category"].astype("object").map(lane_of)
                ax.plot(grp["year_mid"], ys, linestyle="--", color="0.3", linewidth=1)
        if highlight is not None:
            hit = dated[dated["event_id"] == highlight]
            if not hit.empty:
                ax.plot(
                    hit["year_mid"],
                    hit["category"].astype("object").map(lane_of),
                    "o",
                    markersize=15,
                    markerfacecolor="none",
                    markeredgecolor="black",
                    markeredgewidth=1.5,
                    label="selected event",
                )
        ax.set_yticks(range(len(lanes)), lanes)
        ax.set_ylim(-0.7, len(lanes) - 0.3)
        ax.set_xlabel("Year")
        ax.grid(axis="x", alpha=0.3)
        ax.legend(loc="upper left", fontsize=8, frameon=False, ncol=3)
        ax.set_title("Ketamine timeline (one marker per sourced claim)")
    return fig


def timeline_view_figure(
    rows: pd.DataFrame, table: pd.DataFrame, caption: str, *, highlight: str | None = None
) -> plots.FigureWithTable:
    """:func:`timeline_figure` of ``rows`` paired with ``table`` (the same events, as text)."""
    return plots.figure_with_table(timeline_figure(rows, highlight=highlight), table, caption)
