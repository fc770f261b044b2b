"""The orientation notebook's widget: explore published bioavailability estimates by route.

Computation (:func:`route_estimates`, :func:`route_summary`) is separate from the figure
(:mod:`ketlearn.views.orientation`) and from the app (:class:`RouteExplorer`, a
:class:`ketlearn.views.app.App`), so tests drive it headless. Not a dosing guide.

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
from ..views.app import App, Control
from ..views.orientation import route_figure, route_view

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


class RouteExplorer(App):
    """A dropdown of routes, a dot plot of that route's estimates and a printed summary.

    Parameters
    ----------
    df : pandas.DataFrame
        The ``bioavailability`` dataset (``ketlearn.data.load("bioavailability")``).
    """

    def __init__(self, df: pd.DataFrame, *, display_output: bool = True):
        self.df = df
        super().__init__(display_output=display_output)

    def spec(self) -> list[Control]:
        routes = _routes(self.df)
        first = "intranasal" if "intranasal" in routes else routes[0]
        return [Control("route", "choice", first, "Route", options=routes)]

    def figure(self, route: str):
        """The dot plot for ``route`` (a matplotlib Figure, not shown)."""
        return route_figure(route_estimates(self.df, route), route)

    def compute(self, route: str) -> tuple[str, pd.DataFrame, str]:
        return route, route_estimates(self.df, route), route_summary(self.df, route)

    def text(self, result) -> str:
        return result[2]

    def draw(self, result):
        route, rows, summary = result
        return route_view(rows, route, summary)
