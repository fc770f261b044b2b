"""The orientation notebook's widget: explore published bioavailability estimates by route.

Computation (:func:`route_estimates`, :func:`route_summary`) is separate from display
(:class:`RouteExplorer`), so tests drive it headless. Not a dosing guide.

Examples
--------
>>> from ketlearn import data
>>> df = data.load("bioavailability")
>>> print(route_summary(df, "sublingual"))
sublingual: 2 estimates from 2 sources, 29 to 30% (median 29.5%); the highest is 1.0 times the lowest.
"""

from __future__ import annotations

import pandas as pd

from .._validation import check_choice

__all__ = ["RouteExplorer", "route_estimates", "route_summary"]


def _routes(df: pd.DataFrame) -> list[str]:
    return sorted(str(r) for r in df["route"].dropna().unique())


def route_estimates(df: pd.DataFrame, route: str) -> pd.DataFrame:
    """The rows for one route, lowest bioavailability first (a new DataFrame)."""
    check_choice("route", route, _routes(df))
    rows = df[df["route"].astype(str) == route]
    cols = ["bioavailability_pct", "estimate_type", "dose_mg", "n_participants", "source_key"]
    return rows.sort_values("bioavailability_pct")[cols].reset_index(drop=True)


def route_summary(df: pd.DataFrame, route: str) -> str:
    """One sentence: how many estimates, from how many sources, their range and median."""
    rows = route_estimates(df, route)
    f = rows["bioavailability_pct"]
    n_sources = rows["source_key"].nunique()
    if len(rows) == 1:
        return f"{route}: 1 estimate from 1 source: {f.iloc[0]:g}%; nothing to compare it with."
    ratio = f.max() / f.min()
    return (
        f"{route}: {len(rows)} estimate{'s' if len(rows) != 1 else ''} from {n_sources} "
        f"source{'s' if n_sources != 1 else ''}, {f.min():g} to {f.max():g}% "
        f"(median {f.median():g}%); the highest is {ratio:.1f} times the lowest."
    )


class RouteExplorer:
    """A dropdown of routes, a dot plot of that route's estimates and a printed summary.

    Parameters
    ----------
    df : pandas.DataFrame
        The ``bioavailability`` dataset (``ketlearn.data.load("bioavailability")``).
    """

    def __init__(self, df: pd.DataFrame):
        import ipywidgets as widgets

        self.df = df
        routes = _routes(df)
        self.route = widgets.Dropdown(
            options=routes,
            value="intranasal" if "intranasal" in routes else routes[0],
            description="Route",
        )
        self.output = widgets.Output()
        self.route.observe(lambda change: self.update(change["new"]), names="value")
        self.widget = widgets.VBox([self.route, self.output])
        self.last_summary = ""
        self.update(self.route.value)

    def figure(self, route: str):
        """The dot plot for ``route`` (a matplotlib Figure, not shown)."""
        from .. import plots

        rows = route_estimates(self.df, route)
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

    def update(self, route: str) -> str:
        """Redraw for ``route``; return the printed summary."""
        from IPython.display import display

        from .. import plots

        summary = route_summary(self.df, route)
        table = route_estimates(self.df, route)
        self.output.clear_output(wait=True)
        with self.output:
            display(plots.figure_with_table(self.figure(route), table, summary))
        self.last_summary = summary
        return summary
