"""Headless tests of the pharmacokinetics widgets (computation functions and update methods)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest

from ketlearn import pk
from ketlearn.widgets import pk as wpk


def test_explorer_data_matches_model_directly():
    res = wpk.explorer_data("oral", 1.0, 80.0, t_end_min=1440.0)
    df = pk.simulate(pk.Regimen("oral", 1.0, 80.0), t_end_min=1440.0)
    direct = pk.summary(df)
    assert res.summary["cmax_ng_per_ml"] == pytest.approx(direct["cmax_ng_per_ml"])
    # the explorer shows the exact AUC, which the trapezoidal rule approximates on a smooth curve
    assert res.summary["auc_ng_min_per_ml"] == df.attrs["auc_exact_ng_min_per_ml"]
    assert res.summary["auc_ng_h_per_ml"] == pytest.approx(direct["auc_ng_h_per_ml"], rel=1e-3)
    assert wpk.DISCLAIMER in res.text
    assert "not a dosing guide" in res.text
    assert "(derived)" not in res.text and "(published)" in res.text  # oral ka is published


def test_explorer_data_respects_bioavailability_choice():
    low = wpk.explorer_data("intranasal", 1.0, 70.0, bioavailability="low")
    high = wpk.explorer_data("intranasal", 1.0, 70.0, bioavailability="high")
    # linear model: exposure scales with F (0.45 / 0.11)
    ratio = high.summary["auc_ng_h_per_ml"] / low.summary["auc_ng_h_per_ml"]
    assert ratio == pytest.approx(0.45 / 0.11, rel=1e-9)


def test_explorer_data_rejects_doses_outside_slider_range():
    with pytest.raises(ValueError, match=r"dose_mg_per_kg .*\[0, 2\] \(mg/kg\)"):
        wpk.explorer_data("oral", 5.0, 70.0)
    with pytest.raises(ValueError, match=r"route must be one of"):
        wpk.explorer_data("smoked", 0.5, 70.0)


def test_compare_routes_orders_exposure_by_bioavailability():
    profiles, table = wpk.compare_routes(0.5, 70.0, t_end_min=2880.0)
    t = table.set_index("route")
    # AUC is proportional to F for the same dose in a linear model (same CL)
    auc_per_f = t["auc_ng_h_per_ml"] / t["F"]
    assert auc_per_f.max() / auc_per_f.min() < 1.02
    assert set(profiles["route"]) == set(pk.ROUTES)
    assert t.loc["iv_infusion", "tmax_min"] == 40.0


def test_band_rows_come_from_dataset():
    b = wpk.band_rows().set_index("band_id")
    assert b.loc["dissociation", "low_ng_per_ml"] == 100.0
    assert b.loc["dissociation", "high_ng_per_ml"] == 250.0
    assert b.loc["antidepressant_infusion", "low_ng_per_ml"] == 185.0


def test_explorer_widget_updates_headless():
    app = wpk.PKExplorer(display_output=False)
    first = app.last_text
    assert "IV infusion" in first and "not a dosing guide" in first
    text = app.update(route="sublingual", dose=1.0)
    assert text != first
    assert "sublingual" in text and "derived" in text
    assert app.duration.disabled  # infusion duration only matters for infusions
    assert app.last_figure is not None
    ax = app.last_figure.axes[0]
    assert "NOT A DOSING GUIDE" in ax.get_title()
    # sliders are bounded to valid ranges
    assert app.dose.min == 0.0 and app.dose.max == 2.0
    assert app.weight.min > 0
    assert app.interval.min > app.duration.max
    app.dose.value = 99.0  # ipywidgets clamps to the slider's max
    assert app.dose.value == 2.0


def test_explorer_reports_infusion_longer_than_window():
    app = wpk.PKExplorer(display_output=False)
    text = app.update(route="iv_infusion", duration=120.0, repeats=8, interval=1440.0, window="6 h")
    assert "Cannot simulate" not in text  # later infusions start after the window: ignored
    text = app.update(repeats=2, interval=300.0)  # second infusion 300-420 min > 360 min
    assert "Cannot simulate" in text and "t_end_min" in text
    assert "not a dosing guide" in text


def test_route_comparison_updates_headless():
    app = wpk.RouteComparison(display_output=False)
    first = app.last_text
    text = app.update(f_choice="high")
    assert text != first
    assert "not a dosing guide" in text
    assert app.last_table.set_index("route").loc["intranasal", "F"] == 0.45
    assert app.last_figure is not None
