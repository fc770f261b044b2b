"""Dates, intervals and disagreements in the ketamine history timeline.

The timeline dataset (``ketlearn.data.load("history_timeline")``) records each claim with the
date precision its source gives: a day, a month, or only a year. This module turns those
partial dates into intervals, measures the time between milestones, filters the table and
lines up the rows where sources disagree.

Design notes
------------
- **A partial date is an interval, not a point.** "1964" means some day between 1 January and
  31 December 1964. Forcing it to 1 January (what ``pd.to_datetime`` would do) invents
  precision, so :func:`add_date_columns` keeps the first and last possible day and a midpoint
  in decimal years; :func:`milestone_interval` reports the shortest and longest possible gap
  as well as the gap between midpoints.
- **Disagreement is data.** Conflicting claims about one event are separate rows that share a
  ``claim_group``; :func:`conflicting_claims` puts them side by side with their sources and
  the spread of their dates. Nothing here decides which claim is right.
- Pure pandas and the standard library (``calendar``, ``datetime``); no plotting. The
  interactive view lives in :mod:`ketlearn.widgets.history`.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame(
...     {"event_id": ["a", "b"], "year": [1964, 1970], "month": [None, 2], "day": [None, None]}
... )
>>> out = add_date_columns(t)
>>> [str(d.date()) for d in out["date_start"]]
['1964-01-01', '1970-02-01']
>>> out["date_label"].tolist()
['1964', 'Feb 1970']
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from ketlearn._validation import check_choice, check_number

__all__ = [
    "CATEGORIES",
    "Interval",
    "add_date_columns",
    "conflicting_claims",
    "date_interval",
    "date_label",
    "decimal_year",
    "filter_timeline",
    "milestone_interval",
]

#: The category vocabulary of the timeline (the dataset's schema enforces the same list).
CATEGORIES = ("chemistry", "clinical", "regulation", "recreational use", "science", "media")


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def date_interval(
    year: object, month: object = None, day: object = None
) -> tuple[dt.date, dt.date]:
    """First and last calendar day a (possibly partial) date can mean.

    Parameters
    ----------
    year : int
        Calendar year (1 to 9999).
    month : int, optional
        Month 1-12; ``None`` (or a missing value) when only the year is known.
    day : int, optional
        Day of the month; only allowed together with ``month``.

    Returns
    -------
    (datetime.date, datetime.date)
        The earliest and latest day consistent with the date.

    Raises
    ------
    ValueError
        For a month outside 1-12, a day given without a month, or a day that does not exist
        in that month (e.g. 30 February).

    Examples
    --------
    >>> date_interval(1964)
    (datetime.date(1964, 1, 1), datetime.date(1964, 12, 31))
    >>> date_interval(2024, 2)
    (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    >>> date_interval(1999, 8, 12)
    (datetime.date(1999, 8, 12), datetime.date(1999, 8, 12))
    >>> date_interval(2023, 2, 30)
    Traceback (most recent call last):
    ...
    ValueError: day must be a whole number in [1, 28] (day of February 2023); got 30
    """
    y = check_number("year", _plain(year), low=1, high=9999, integer=True)
    if _missing(month):
        if not _missing(day):
            raise ValueError(f"day must be empty when month is empty; got {day!r}")
        return dt.date(y, 1, 1), dt.date(y, 12, 31)
    m = check_number("month", _plain(month), unit="1-12", low=1, high=12, integer=True)
    last = calendar.monthrange(y, m)[1]
    if _missing(day):
        return dt.date(y, m, 1), dt.date(y, m, last)
    unit = f"day of {calendar.month_name[m]} {y}"
    d = check_number("day", _plain(day), unit=unit, low=1, high=last, integer=True)
    return dt.date(y, m, d), dt.date(y, m, d)


def _plain(value: object) -> object:
    """numpy / pandas integer scalars as plain ints, so the validators accept them."""
    if hasattr(value, "item") and not isinstance(value, (int, float)):
        return value.item()
    return value


def decimal_year(date: dt.date) -> float:
    """A calendar day as a decimal year (the day's midpoint), e.g. for plotting.

    >>> decimal_year(dt.date(2001, 1, 1))  # doctest: +ELLIPSIS
    2001.0013...
    >>> round(decimal_year(dt.date(2000, 7, 2)), 3)
    2000.5
    """
    start = dt.date(date.year, 1, 1)
    length = 366 if calendar.isleap(date.year) else 365
    return date.year + ((date - start).days + 0.5) / length


_MONTHS = [calendar.month_abbr[i] for i in range(13)]


def date_label(year: object, month: object = None, day: object = None) -> str:
    """A short label that shows only the precision the source gives.

    >>> date_label(1964), date_label(1966, 8), date_label(1999, 8, 12)
    ('1964', 'Aug 1966', '1999-08-12')
    """
    start, _ = date_interval(year, month, day)
    if _missing(month):
        return f"{start.year}"
    if _missing(day):
        return f"{_MONTHS[start.month]} {start.year}"
    return start.isoformat()


def add_date_columns(timeline: pd.DataFrame) -> pd.DataFrame:
    """Return a copy with the date interval of every row.

    Added columns: ``date_start`` and ``date_end`` (datetime64; the first and last possible
    day), ``year_mid`` (midpoint of the interval in decimal years) and ``date_label``.

    Parameters
    ----------
    timeline : pandas.DataFrame
        Needs ``year``, ``month`` and ``day`` columns (missing month/day allowed).

    Raises
    ------
    ValueError
        If any row holds an impossible date; the message names the row.

    Examples
    --------
    >>> t = pd.DataFrame({"year": [2000], "month": [None], "day": [None]})
    >>> round(float(add_date_columns(t)["year_mid"].iloc[0]), 2)
    2000.5
    """
    missing = {"year", "month", "day"} - set(timeline.columns)
    if missing:
        raise ValueError(f"timeline must have columns year, month, day; missing {sorted(missing)}")
    starts, ends, mids, labels = [], [], [], []
    for idx, (y, m, d) in enumerate(
        zip(timeline["year"], timeline["month"], timeline["day"], strict=True)
    ):
        try:
            start, end = date_interval(y, m, d)
        except ValueError as exc:
            raise ValueError(f"row {idx}: {exc}") from None
        starts.append(pd.Timestamp(start))
        ends.append(pd.Timestamp(end))
        mids.append((decimal_year(start) + decimal_year(end)) / 2)
        labels.append(date_label(y, m, d))
    out = timeline.copy()
    out["date_start"] = pd.to_datetime(pd.Series(starts, index=timeline.index, dtype=object))
    out["date_end"] = pd.to_datetime(pd.Series(ends, index=timeline.index, dtype=object))
    out["year_mid"] = pd.Series(mids, index=timeline.index, dtype="float64")
    out["date_label"] = pd.Series(labels, index=timeline.index, dtype="string")
    return out


@dataclass(frozen=True)
class Interval:
    """Time between two milestones, in years, allowing for partial dates.

    ``years_mid`` is the gap between the midpoints of the two date intervals; ``years_min``
    and ``years_max`` are the shortest and longest gaps the dates allow (negative if the
    second event could come first).
    """

    start_event: str
    end_event: str
    years_mid: float
    years_min: float
    years_max: float

    def __str__(self) -> str:
        if self.years_min == self.years_max:
            return f"{self.start_event} -> {self.end_event}: {self.years_mid:.2f} years"
        return (
            f"{self.start_event} -> {self.end_event}: {self.years_mid:.2f} years "
            f"(possible range {self.years_min:.2f} to {self.years_max:.2f})"
        )


def _row(timeline: pd.DataFrame, event_id: str) -> pd.Series:
    ids = [str(v) for v in timeline["event_id"]]
    check_choice("event_id", event_id, ids)
    return timeline.iloc[ids.index(event_id)]


def milestone_interval(timeline: pd.DataFrame, start_event: str, end_event: str) -> Interval:
    """Years from one timeline row to another.

    Parameters
    ----------
    timeline : pandas.DataFrame
        The timeline (``event_id``, ``year``, ``month``, ``day``).
    start_event, end_event : str
        ``event_id`` values.

    Returns
    -------
    Interval
        Midpoint gap and the shortest/longest gap allowed by the dates' precision.

    Examples
    --------
    >>> t = pd.DataFrame(
    ...     {"event_id": ["a", "b"], "year": [2000, 2006], "month": [2, 1], "day": [15, 1]}
    ... )
    >>> gap = milestone_interval(t, "a", "b")
    >>> round(gap.years_mid, 2), gap.years_min == gap.years_max
    (5.88, True)
    """
    a, b = _row(timeline, start_event), _row(timeline, end_event)
    a0, a1 = date_interval(a["year"], a["month"], a["day"])
    b0, b1 = date_interval(b["year"], b["month"], b["day"])
    mid_a = (decimal_year(a0) + decimal_year(a1)) / 2
    mid_b = (decimal_year(b0) + decimal_year(b1)) / 2
    return Interval(
        start_event=start_event,
        end_event=end_event,
        years_mid=mid_b - mid_a,
        years_min=decimal_year(b0) - decimal_year(a1),
        years_max=decimal_year(b1) - decimal_year(a0),
    )


def _as_list(name: str, values: object, allowed: Iterable[str]) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    options = list(allowed)
    return [check_choice(name, v, options) for v in values]


def filter_timeline(
    timeline: pd.DataFrame,
    categories: Iterable[str] | str | None = None,
    jurisdictions: Iterable[str] | str | None = None,
    year_range: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Rows matching the chosen categories, jurisdictions and years, sorted by date.

    Parameters
    ----------
    timeline : pandas.DataFrame
        The timeline.
    categories : str or list of str, optional
        Keep only these categories (``None``: all). Must come from :data:`CATEGORIES`.
    jurisdictions : str or list of str, optional
        Keep only these jurisdictions (``None``: all). ``"(none)"`` selects rows with an
        empty jurisdiction.
    year_range : (int, int), optional
        Inclusive first and last year.

    Returns
    -------
    pandas.DataFrame
        A filtered copy, sorted by year, month, day and ``event_id``, with a fresh index.

    Examples
    --------
    >>> t = pd.DataFrame(
    ...     {
    ...         "event_id": ["x", "y"],
    ...         "year": [1999, 1985],
    ...         "month": [8, None],
    ...         "day": [12, None],
    ...         "category": ["regulation", "regulation"],
    ...         "jurisdiction": ["US", "WHO"],
    ...     }
    ... )
    >>> filter_timeline(t, jurisdictions=["US"])["event_id"].tolist()
    ['x']
    >>> filter_timeline(t, categories="media").empty
    True
    """
    cats = _as_list("categories", categories, CATEGORIES)
    juris_values = [str(v) for v in timeline["jurisdiction"].dropna().unique()]
    juris = _as_list("jurisdictions", jurisdictions, [*sorted(juris_values), "(none)"])
    keep = pd.Series(True, index=timeline.index)
    if cats is not None:
        keep &= timeline["category"].astype("object").isin(cats)
    if juris is not None:
        j = timeline["jurisdiction"].astype("object")
        keep &= j.isin(juris) | (j.isna() & ("(none)" in juris))
    if year_range is not None:
        lo, hi = year_range
        lo = check_number("year_range[0]", _plain(lo), unit="year", integer=True)
        hi = check_number("year_range[1]", _plain(hi), unit="year", low=lo, integer=True)
        years = timeline["year"].astype("float64")
        keep &= (years >= lo) & (years <= hi)
    out = timeline[keep.to_numpy(dtype=bool)].copy()
    sort_cols = [c for c in ("year", "month", "day", "event_id") if c in out.columns]
    return out.sort_values(sort_cols, na_position="first", kind="stable").reset_index(drop=True)


def conflicting_claims(timeline: pd.DataFrame) -> pd.DataFrame:
    """Rows that are competing claims about one event, side by side.

    Returns one row per claim in a ``claim_group`` with ``claim_group``, ``event_id``,
    ``date_label``, ``source_key``, ``source_type`` (if present), ``certainty`` (if present)
    and ``spread_years``: the gap between the earliest and latest midpoint within the group.

    Examples
    --------
    >>> t = pd.DataFrame(
    ...     {
    ...         "event_id": ["p", "q", "r"],
    ...         "year": [1964, 1966, 1985],
    ...         "month": [None, 8, None],
    ...         "day": [None, None, None],
    ...         "source_key": ["k1", "k2", "k3"],
    ...         "claim_group": ["first_dose", "first_dose", None],
    ...     }
    ... )
    >>> out = conflicting_claims(t)
    >>> out["event_id"].tolist(), round(float(out["spread_years"].iloc[0]), 2)
    (['p', 'q'], 2.12)
    """
    dated = add_date_columns(timeline)
    grouped = dated[dated["claim_group"].notna()].copy()
    cols = ["claim_group", "event_id", "date_label", "source_key"]
    cols += [c for c in ("source_type", "certainty") if c in grouped.columns]
    if grouped.empty:
        return pd.DataFrame(columns=[*cols, "spread_years"])
    spread = grouped.groupby("claim_group")["year_mid"].agg(lambda s: s.max() - s.min())
    grouped["spread_years"] = grouped["claim_group"].map(spread).astype("float64")
    grouped = grouped.sort_values(["claim_group", "year_mid", "event_id"], kind="stable")
    return grouped[[*cols, "spread_years"]].reset_index(drop=True)
