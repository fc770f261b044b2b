"""The history strand: the timeline dataset, ketlearn.history and the timeline widget.

Checks against independent references: the bibliography file, Python's ``datetime`` calendar,
the Frictionless validator (including a deliberately broken copy), hand-worked intervals, and
plain pandas filters computed here rather than by the code under test.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import json
import shutil

import matplotlib
import pandas as pd
import pytest
from conftest import DATASETS
from hypothesis import given, settings
from hypothesis import strategies as st

from ketlearn import bibliography, data, history
from ketlearn.widgets import history as whistory

matplotlib.use("Agg")

CSV = DATASETS / "history_timeline.csv"
CATEGORIES = ["chemistry", "clinical", "regulation", "recreational use", "science", "media"]


@pytest.fixture(scope="module")
def raw() -> list[dict]:
    """The CSV read with the csv module only (independent of ketlearn.data)."""
    with CSV.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def timeline() -> pd.DataFrame:
    return data.load("history_timeline")


# --- the dataset -------------------------------------------------------------------------


def test_at_least_30_events_covering_every_category(raw):
    assert len(raw) >= 30
    assert {r["category"] for r in raw} == set(CATEGORIES)


def test_event_ids_are_unique(raw):
    ids = [r["event_id"] for r in raw]
    assert len(ids) == len(set(ids))


def test_every_source_key_resolves_and_has_a_stable_link(raw):
    known = set(bibliography.keys())
    missing = sorted({r["source_key"] for r in raw} - known)
    assert not missing, f"source keys not in references.bib: {missing}"
    entries = bibliography.entries()
    for key in {r["source_key"] for r in raw}:
        fields = entries[key].fields
        assert any(fields.get(f) for f in ("doi", "pmid", "url")), f"{key} has no doi/pmid/url"


def test_metadata_citation_keys_match_the_rows():
    descriptor = json.loads((DATASETS / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in descriptor["resources"] if r["name"] == "history_timeline")
    with CSV.open(newline="", encoding="utf-8") as fh:
        used = {row["source_key"] for row in csv.DictReader(fh)}
    assert set(res["ketlearn"]["citation_keys"]) == used
    assert res["ketlearn"]["simulated"] is False


def test_dates_are_real_calendar_dates_with_honest_precision(raw):
    for r in raw:
        year = int(r["year"])
        month = int(r["month"]) if r["month"] else None
        day = int(r["day"]) if r["day"] else None
        assert 1900 <= year <= dt.date.today().year, r["event_id"]
        if day is not None:
            assert month is not None, f"{r['event_id']}: a day without a month"
        # datetime.date raises ValueError for 30 February, month 13, and so on.
        dt.date(year, month or 1, day or 1)
        expected = "day" if day else "month" if month else None
        if expected:
            assert r["date_precision"] == expected, r["event_id"]
        else:
            assert r["date_precision"] in {"year", "approximate"}, r["event_id"]


def test_required_text_is_present(raw):
    for r in raw:
        for col in ("event", "category", "source_key", "certainty", "source_type"):
            assert r[col].strip(), f"{r['event_id']}: empty {col}"


def test_conflicting_claims_each_have_their_own_source(raw):
    groups: dict[str, list[dict]] = {}
    for r in raw:
        if r["claim_group"]:
            groups.setdefault(r["claim_group"], []).append(r)
    assert {"first_human_dose", "us_approval"} <= set(groups)
    for name, rows in groups.items():
        assert len(rows) >= 2, f"claim group {name} has a single claim"
        keys = [r["source_key"] for r in rows]
        assert len(keys) == len(set(keys)), f"claims in {name} share a source"
        dates = {(r["year"], r["month"], r["day"]) for r in rows}
        assert len(dates) == len(rows), f"claims in {name} do not differ in date"
        for r in rows:
            assert "disagree" in r["certainty"], f"{r['event_id']}: say that sources disagree"
    years = lambda g: sorted(int(r["year"]) for r in groups[g])  # noqa: E731
    assert years("first_human_dose") == [1964, 1966]
    assert years("us_approval") == [1969, 1970, 1971]


def test_frictionless_accepts_the_dataset():
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(DATASETS / "datapackage.json"))
    task = next(t for t in report.tasks if t.name == "history_timeline")
    assert task.valid, [e.message for e in task.errors][:5]


def _broken_copy(tmp_path, column: str, value: str, row: int = 0):
    """A copy of the package with the history resource only, one cell changed."""
    descriptor = json.loads((DATASETS / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in descriptor["resources"] if r["name"] == "history_timeline")
    descriptor["resources"] = [res]
    df = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    df.loc[row, column] = value
    df.to_csv(tmp_path / res["path"], index=False)
    path = tmp_path / "datapackage.json"
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("column", "value", "error"),
    [
        ("category", "rumour", "constraint-error"),
        ("jurisdiction", "Atlantis", "constraint-error"),
        ("month", "13", "constraint-error"),
        ("year", "", "constraint-error"),
        ("source_type", "blog", "constraint-error"),
    ],
)
def test_schema_rejects_a_bad_value(tmp_path, column, value, error):
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(_broken_copy(tmp_path, column, value)))
    assert not report.valid
    kinds = {e.type for t in report.tasks for e in t.errors}
    assert error in kinds, kinds


def test_schema_rejects_a_duplicate_event_id(tmp_path, raw):
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(_broken_copy(tmp_path, "event_id", raw[1]["event_id"])))
    assert not report.valid


def test_loader_rejects_a_bad_category(tmp_path, monkeypatch):
    shutil.copy(DATASETS / "datapackage.json", tmp_path / "datapackage.json")
    df = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    df.loc[3, "category"] = "rumour"
    df.to_csv(tmp_path / "history_timeline.csv", index=False)
    monkeypatch.setattr(data, "datasets_dir", lambda: tmp_path)
    with pytest.raises(data.DatasetError, match="category"):
        data.load("history_timeline")


def test_loaded_types(timeline):
    assert str(timeline["year"].dtype) == "Int64"
    assert list(timeline["category"].cat.categories) == CATEGORIES
    assert timeline.attrs["simulated"] is False


# --- ketlearn.history ----------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_date_interval_of_a_full_date_is_that_day(day):
    assert history.date_interval(day.year, day.month, day.day) == (day, day)


@settings(max_examples=50, deadline=None)
@given(st.integers(1900, 2100), st.integers(1, 12))
def test_month_interval_matches_the_calendar(year, month):
    start, end = history.date_interval(year, month)
    assert start == dt.date(year, month, 1)
    assert end.day == calendar.monthrange(year, month)[1]
    assert (end + dt.timedelta(days=1)).day == 1


@settings(max_examples=50, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 30)))
def test_decimal_year_increases_and_stays_in_its_year(day):
    x, y = history.decimal_year(day), history.decimal_year(day + dt.timedelta(days=1))
    assert day.year < x < day.year + 1
    assert y > x


@pytest.mark.parametrize(
    ("args", "name"),
    [((2023, 2, 29), "day"), ((2023, 13), "month"), ((1999, None, 5), "day"), ((1999.5,), "year")],
)
def test_impossible_dates_name_the_parameter(args, name):
    with pytest.raises(ValueError, match=name):
        history.date_interval(*args)


def test_leap_day_is_accepted():
    assert history.date_interval(2024, 2, 29)[0] == dt.date(2024, 2, 29)


def test_milestone_interval_hand_worked():
    t = pd.DataFrame(
        {"event_id": ["a", "b"], "year": [1964, 1999], "month": [None, 8], "day": [None, 12]}
    )
    gap = history.milestone_interval(t, "a", "b")
    # 12 Aug 1999 is day 224 of 365: midpoint 1999 + 223.5/365. 1964 (leap year) spans
    # 1 Jan (0.5/366) to 31 Dec (365.5/366): midpoint exactly 1964.5.
    b = 1999 + 223.5 / 365
    assert gap.years_mid == pytest.approx(b - 1964.5, abs=1e-9)
    assert gap.years_min == pytest.approx(b - (1964 + 365.5 / 366), abs=1e-9)
    assert gap.years_max == pytest.approx(b - (1964 + 0.5 / 366), abs=1e-9)
    assert gap.years_min < gap.years_mid < gap.years_max


def test_milestone_interval_rejects_unknown_events(timeline):
    with pytest.raises(ValueError, match="event_id"):
        history.milestone_interval(timeline, "berman-trial-2000", "no-such-event")


def test_filter_timeline_matches_a_plain_pandas_filter(timeline):
    got = history.filter_timeline(timeline, categories=["regulation"], jurisdictions=["US", "UK"])
    cat = timeline["category"].astype(str)
    jur = timeline["jurisdiction"].astype(object)
    expected = timeline[(cat == "regulation") & jur.isin(["US", "UK"])]
    assert sorted(got["event_id"]) == sorted(expected["event_id"])
    assert list(got["year"]) == sorted(got["year"])


def test_filter_timeline_none_and_year_range(timeline):
    none = history.filter_timeline(timeline, jurisdictions="(none)")
    assert none["jurisdiction"].isna().all()
    assert len(none) == int(timeline["jurisdiction"].isna().sum())
    recent = history.filter_timeline(timeline, year_range=(2019, 2025))
    assert set(recent["year"]) <= set(range(2019, 2026))


def test_filter_timeline_rejects_unknown_category(timeline):
    with pytest.raises(ValueError, match="categories must be one of"):
        history.filter_timeline(timeline, categories=["rumour"])


def test_conflicting_claims_table(timeline):
    table = history.conflicting_claims(timeline)
    groups = timeline["claim_group"].dropna()
    assert len(table) == len(groups)
    first = table[table["claim_group"] == "first_human_dose"]
    # 1964 (midpoint 1964.5) to Aug 1966 (midpoint of August): about 2.1 years.
    aug_mid = (
        history.decimal_year(dt.date(1966, 8, 1)) + history.decimal_year(dt.date(1966, 8, 31))
    ) / 2
    assert first["spread_years"].iloc[0] == pytest.approx(aug_mid - 1964.5)
    assert first["event_id"].tolist() == ["first-human-dose-1964", "first-human-dose-1966"]


def test_add_date_columns_reports_the_bad_row():
    t = pd.DataFrame({"year": [2000, 2001], "month": [1, 2], "day": [1, 30]})
    with pytest.raises(ValueError, match="row 1"):
        history.add_date_columns(t)


# --- the widget, headless ------------------------------------------------------------------


def test_view_filters_rows_and_summary(timeline):
    everything = whistory.timeline_view(timeline)
    media = whistory.timeline_view(timeline, categories=["media"])
    n_media = int((timeline["category"].astype(str) == "media").sum())
    assert len(everything.rows) == len(timeline)
    assert len(media.rows) == len(media.table) == n_media
    assert media.summary.startswith(f"{n_media} events shown (media; all jurisdictions)")
    assert everything.summary != media.summary
    n_secondary = int((timeline["source_type"].astype(str) == "secondary").sum())
    assert f"{n_secondary} from secondary sources" in everything.summary
    assert "4 disputed dates" in everything.summary


def test_view_with_no_match(timeline):
    view = whistory.timeline_view(timeline, categories=["media"], jurisdictions=["WHO"])
    assert view.rows.empty and view.summary.startswith("No events match")


def test_source_details_gives_the_full_reference_and_competing_claims(timeline):
    text = whistory.source_details(timeline, "first-human-dose-1966")
    assert bibliography.cite("mercer2009drug") in text
    assert "Competing claim: 1964 [domino2010taming]" in text
    with pytest.raises(ValueError, match="event_id"):
        whistory.source_details(timeline, "nope")


def test_explorer_callbacks_headless(timeline):
    pytest.importorskip("ipywidgets")
    app = whistory.TimelineExplorer(timeline)
    first = app.last_summary
    assert first.startswith(f"{len(timeline)} events shown")
    summary = app.update(categories=["regulation"], jurisdictions=["WHO"])
    assert summary.startswith("5 events shown (regulation; WHO)")
    assert app.last_summary == summary != first
    assert len(app.event.options) == 5
    # Changing the widget's value (as a user would) fires the observer.
    app.categories.value = ("media",)
    assert app.last_summary.startswith("No events match (media; WHO)")
    app.jurisdictions.value = tuple(app.jurisdictions.options)
    assert app.last_summary.startswith("4 events shown (media; all jurisdictions)")
    # Selecting an event shows its full source.
    app.event.value = "clinic-ads-2023"
    assert bibliography.cite("crane2023false") in app.last_source
    text = app.select("us-approval-1970")
    assert "Competing claim: 1969" in text and "Competing claim: 1971" in text


def test_figure_has_one_marker_per_claim(timeline):
    sub = history.filter_timeline(timeline, categories=["regulation", "media"])
    fig = whistory.timeline_figure(sub)
    ax = fig.axes[0]
    points = sum(len(line.get_xdata()) for line in ax.lines if line.get_linestyle() == "None")
    assert points == len(sub)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["regulation", "media"]
