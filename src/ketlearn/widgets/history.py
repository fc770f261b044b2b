"""The history notebook's widget: an interactive, sourced timeline of ketamine.

Filter the timeline by category and jurisdiction, then pick an event to read the full
reference behind it. The update logic is in plain functions (:func:`timeline_view`,
:func:`source_details`, :func:`timeline_summary`) that tests call headless; the figure is drawn
by :mod:`ketlearn.views.history` (:func:`timeline_figure` is re-exported here), and
:class:`TimelineExplorer` is a :class:`ketlearn.views.app.App` that wires them to ipywidgets.

Design notes
------------
- One row per claim: where sources disagree about a date, each claim is drawn and listed
  separately, joined by a dashed line, so the disagreement stays visible.
- Marker shape encodes the kind of source (filled circle: primary; open square: secondary)
  and the horizontal bar shows the date's precision (a whole year, a month, or a day), so
  nothing depends on colour alone. Every view prints a text summary and a table with the
  same information as the figure.

Examples
--------
>>> from ketlearn import data
>>> t = data.load("history_timeline")
>>> view = timeline_view(t, categories=["regulation"], jurisdictions=["UK"])
>>> print(view.summary)  # doctest: +NORMALIZE_WHITESPACE
2 events shown (regulation; UK), 2006 to 2014: 2 from primary sources, 0 from secondary
sources; 0 disputed dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from .. import bibliography, history
from .._validation import check_choice
from ..views.app import App, Control
from ..views.history import timeline_figure, timeline_view_figure

__all__ = [
    "TimelineExplorer",
    "TimelineView",
    "source_details",
    "timeline_figure",
    "timeline_summary",
    "timeline_table",
    "timeline_view",
]

_TABLE_COLUMNS = ["date_label", "category", "jurisdiction", "event", "source_key", "source_type"]


def timeline_table(timeline: pd.DataFrame) -> pd.DataFrame:
    """The rows as a short table for display: date label, category, jurisdiction, event, source.

    Empty jurisdictions show as an empty string; the order is chronological.
    """
    dated = history.add_date_columns(timeline)
    dated = dated.sort_values(["year_mid", "event_id"], kind="stable")
    out = dated[[c for c in _TABLE_COLUMNS if c in dated.columns]].copy()
    for col in ("category", "jurisdiction", "source_type"):
        if col in out.columns:
            out[col] = out[col].astype("object").where(out[col].notna(), "")
    out = out.rename(columns={"date_label": "date"})
    return out.reset_index(drop=True)


def _describe_filter(categories, jurisdictions) -> str:
    parts = []
    parts.append("all categories" if categories is None else ", ".join(categories))
    parts.append("all jurisdictions" if jurisdictions is None else ", ".join(jurisdictions))
    return "; ".join(parts)


def timeline_summary(
    shown: pd.DataFrame,
    categories: list[str] | None = None,
    jurisdictions: list[str] | None = None,
) -> str:
    """One sentence: how many events, which years, how many rest on secondary sources.

    ``disputed dates`` counts the claim groups with at least two rows among those shown.

    >>> t = pd.DataFrame(
    ...     {
    ...         "event_id": ["a"],
    ...         "year": [1985],
    ...         "month": [None],
    ...         "day": [None],
    ...         "source_type": ["primary"],
    ...         "claim_group": [None],
    ...     }
    ... )
    >>> timeline_summary(t)
    '1 event shown (all categories; all jurisdictions), 1985 to 1985: 1 from primary sources, 0 from secondary sources; 0 disputed dates.'
    """
    what = _describe_filter(categories, jurisdictions)
    if shown.empty:
        return f"No events match ({what})."
    n = len(shown)
    kinds = shown["source_type"].astype("object")
    n_primary = int((kinds == "primary").sum())
    n_secondary = int((kinds == "secondary").sum())
    groups = shown["claim_group"].dropna().astype(str)
    disputed = int((groups.value_counts() >= 2).sum())
    years = shown["year"].astype("int64")
    return (
        f"{n} event{'s' if n != 1 else ''} shown ({what}), {years.min()} to {years.max()}: "
        f"{n_primary} from primary sources, {n_secondary} from secondary sources; "
        f"{disputed} disputed date{'s' if disputed != 1 else ''}."
    )


@dataclass(frozen=True)
class TimelineView:
    """What the widget shows for one choice of filters."""

    rows: pd.DataFrame
    table: pd.DataFrame
    summary: str


def _clean_choice(values: Iterable[str] | None) -> list[str] | None:
    if values is None:
        return None
    values = [values] if isinstance(values, str) else list(values)
    return values


def timeline_view(
    timeline: pd.DataFrame,
    categories: Iterable[str] | None = None,
    jurisdictions: Iterable[str] | None = None,
) -> TimelineView:
    """Filter the timeline and return the rows, a display table and the printed summary.

    Parameters
    ----------
    timeline : pandas.DataFrame
        ``ketlearn.data.load("history_timeline")``.
    categories, jurisdictions : list of str, optional
        ``None`` keeps everything; see :func:`ketlearn.history.filter_timeline`.
    """
    cats = _clean_choice(categories)
    juris = _clean_choice(jurisdictions)
    rows = history.filter_timeline(timeline, categories=cats, jurisdictions=juris)
    if not rows.empty:
        order = history.add_date_columns(rows).sort_values(["year_mid", "event_id"], kind="stable")
        rows = rows.loc[order.index].reset_index(drop=True)
    if rows.empty:
        table = pd.DataFrame(columns=["date", *_TABLE_COLUMNS[1:]])
    else:
        table = timeline_table(rows)
    all_juris = {str(j) for j in timeline["jurisdiction"].dropna().unique()} | {"(none)"}
    said_cats = None if cats is not None and set(cats) == set(history.CATEGORIES) else cats
    said_juris = None if juris is not None and set(juris) == all_juris else juris
    return TimelineView(
        rows=rows, table=table, summary=timeline_summary(rows, said_cats, said_juris)
    )


def source_details(timeline: pd.DataFrame, event_id: str) -> str:
    """The event, its date, its certainty note, the full reference and any competing claims.

    Examples
    --------
    >>> from ketlearn import data
    >>> text = source_details(data.load("history_timeline"), "us-schedule-iii-1999")
    >>> print(text.splitlines()[0])
    1999-08-12 · regulation · US
    >>> "64 FR 37673" in text
    True
    """
    ids = [str(v) for v in timeline["event_id"]]
    check_choice("event_id", event_id, ids)
    row = timeline.iloc[ids.index(event_id)]
    label = history.date_label(row["year"], row["month"], row["day"])
    juris = "" if pd.isna(row["jurisdiction"]) else f" · {row['jurisdiction']}"
    lines = [
        f"{label} · {row['category']}{juris}",
        str(row["event"]),
        f"Certainty: {row['certainty']}. Source type: {row['source_type']}.",
        f"Source [{row['source_key']}]: {bibliography.cite(str(row['source_key']))}",
    ]
    group = row.get("claim_group")
    if group is not None and not pd.isna(group):
        others = timeline[(timeline["claim_group"] == group) & (timeline["event_id"] != event_id)]
        for _, other in others.iterrows():
            other_label = history.date_label(other["year"], other["month"], other["day"])
            lines.append(
                f"Competing claim: {other_label} [{other['source_key']}] ({other['event_id']})"
            )
    return "\n".join(lines)


class TimelineExplorer(App):
    """Category and jurisdiction filters, an event menu, the timeline and the chosen source.

    Parameters
    ----------
    timeline : pandas.DataFrame
        ``ketlearn.data.load("history_timeline")``.
    """

    def __init__(self, timeline: pd.DataFrame, *, display_output: bool = True):
        import ipywidgets as widgets

        self.timeline = timeline
        self.event = widgets.Dropdown(options=[], description="Event")
        self.source_output = widgets.Output()
        self.last_source = ""
        super().__init__(display_output=display_output)
        self.event.observe(lambda change: self.select(change["new"]), names="value")

    def spec(self) -> list[Control]:
        juris = sorted(str(j) for j in self.timeline["jurisdiction"].dropna().unique())
        where = [*juris, "(none)"]
        return [
            Control("categories", "multi", history.CATEGORIES, "Category",
                    options=history.CATEGORIES),
            Control("jurisdictions", "multi", where, "Where", options=where),
        ]  # fmt: skip

    @property
    def figure_output(self):
        """The Output widget holding the timeline figure."""
        return self.output

    def arrange(self, controls: list):
        import ipywidgets as widgets

        return widgets.HBox(controls)

    def assemble(self, controls_box):
        import ipywidgets as widgets

        return widgets.VBox([controls_box, self.output, self.event, self.source_output])

    @property
    def view(self) -> TimelineView:
        return self.last

    def compute(self, categories, jurisdictions) -> TimelineView:
        return timeline_view(self.timeline, list(categories), list(jurisdictions))

    def draw(self, view: TimelineView):
        options = [
            (f"{date} · {event[:60]}", eid)
            for date, event, eid in zip(
                view.table["date"], view.table["event"], view.rows["event_id"], strict=True
            )
        ]
        current = self.event.value
        ids = [eid for _, eid in options]
        self._busy = True
        try:
            self.event.options = options
            self.event.value = current if current in ids else (ids[0] if ids else None)
        finally:
            self._busy = False
        return timeline_view_figure(view.rows, view.table, view.summary, highlight=self.event.value)

    def update(self, categories=None, jurisdictions=None) -> str:
        """Apply the filters (the widgets' values unless given); return the printed summary."""
        given = {"categories": categories, "jurisdictions": jurisdictions}
        summary = super().update(**{k: v for k, v in given.items() if v is not None})
        self.select(self.event.value, redraw=False)
        return summary

    def select(self, event_id: str | None, *, redraw: bool = True) -> str:
        """Show the source of ``event_id`` (and ring it in the figure); return the printed text."""
        if self._busy:
            return self.last_source
        shown = [eid for _, eid in self.event.options]
        if redraw and event_id in shown and event_id != self.event.value:
            self._busy = True
            try:
                self.event.value = event_id
            finally:
                self._busy = False
        text = "No event selected." if event_id is None else source_details(self.timeline, event_id)
        if self.display_output:
            self.source_output.clear_output(wait=True)
            with self.source_output:
                print(text)
        self.last_source = text
        if redraw:
            view = self.last
            self.last_shown = timeline_view_figure(
                view.rows, view.table, view.summary, highlight=self.event.value
            )
            self._display()
        return text
