"""Headless tests of the mechanism widgets: compute functions, updates, controls and ranges."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import re

import numpy as np
import pytest

from ketlearn import circuit, mechanism, pk, receptor
from ketlearn.widgets import mechanism as wm

APPS = [wm.MgBlockExplorer, wm.TrappingSimulator, wm.CircuitExplorer, wm.WholeChainExplorer]


def test_mg_explorer_numbers_match_model():
    app = wm.MgBlockExplorer()
    data = app.compute(mg_mm=2.0, voltage_mv=-40.0)
    assert data.info["b"] == pytest.approx(receptor.mg_block(-40.0, 2.0))
    assert f"{data.info['b']:.3f}" in data.summary
    curve = data.tables["curve"]
    np.testing.assert_allclose(curve["b_selected_mg"], receptor.mg_block(curve["voltage_mv"], 2.0))


def test_mg_explorer_summary_changes_with_controls():
    app = wm.MgBlockExplorer()
    assert app.update(mg_mm=1.0, voltage_mv=-70.0) != app.update(mg_mm=0.2, voltage_mv=-70.0)
    line = app._line.get_ydata()
    np.testing.assert_allclose(line, receptor.mg_block(np.arange(-100.0, 60.5, 1.0), 0.2))


def test_mg_explorer_draws_a_given_b_function():
    """Notebook 03 hands the learner's own B(V) to the explorer (build, then reuse)."""
    calls = []

    def halved(voltage_mv, mg_mm):
        calls.append(mg_mm)
        return 0.5 * receptor.mg_block(voltage_mv, mg_mm)

    app = wm.MgBlockExplorer(b_func=halved)
    assert not app.uses_package_function
    summary = app.update(mg_mm=1.5, voltage_mv=-45.0)
    assert app.last.info["b"] == pytest.approx(0.5 * receptor.mg_block(-45.0, 1.5))
    assert "your b_of_v" in summary
    v = np.arange(-100.0, 60.5, 1.0)
    np.testing.assert_allclose(app._line.get_ydata(), 0.5 * receptor.mg_block(v, 1.5))
    np.testing.assert_allclose(app._ref.get_ydata(), 0.5 * receptor.mg_block(v, 1.0))
    assert 1.5 in calls and 1.0 in calls


def test_trapping_simulator_reproduces_mealing_protocol():
    app = wm.TrappingSimulator()
    app.update(conc_um=10.0, activity=1.0, coapplication_s=30.0, washout_s=120.0)
    v = app.last.info
    assert v["block_end_coapplication"] == pytest.approx(0.80, abs=0.02)
    assert v["kept"] == pytest.approx(0.86, abs=0.01)
    assert "not a dosing guide" in app.last.summary


def test_trapping_simulator_agonist_in_washout_releases_block():
    app = wm.TrappingSimulator()
    app.update(conc_um=10.0, washout_s=120.0, agonist_in_washout=True)
    assert app.last.info["kept"] < 0.05
    assert "WITH agonist" in app.last.summary


def test_circuit_explorer_follows_model():
    app = wm.CircuitExplorer()
    app.update(block=0.6, scenario="disinhibition", selectivity_e=0.25)
    row = circuit.respond(0.6, "disinhibition").iloc[0]
    assert app.last.info["row"]["rate_e_hz"] == pytest.approx(row["rate_e_hz"])
    text_rest = app.update(block=0.6, scenario="block_at_rest", selectivity_e=0.25)
    assert "resting (ambient glutamate) 60 %" in text_rest


def test_whole_chain_matches_mechanism_chain():
    app = wm.WholeChainExplorer()
    summary = app.update(
        route="iv_infusion",
        dose_mg_per_kg=0.5,
        weight_kg=70.0,
        duration_min=40.0,
        enantiomer="s_ketamine",
    )
    res = mechanism.chain(
        pk.Regimen("iv_infusion", 0.5, 70.0, duration_min=40.0), enantiomer="s_ketamine"
    )
    assert app.last.info["summary"]["block_at_cmax"] == pytest.approx(res.summary["block_at_cmax"])
    assert "not a dosing guide" in summary


@pytest.mark.parametrize("route", ["iv_bolus", "oral", "intranasal"])
def test_whole_chain_other_routes(route):
    app = wm.WholeChainExplorer()
    text = app.update(route=route, dose_mg_per_kg=1.0, duration_min=40.0)
    assert route in text and "not a dosing guide" in text


@pytest.mark.parametrize("app_cls", APPS)
def test_show_builds_bounded_controls(app_cls):
    ui = app_cls().show()
    import ipywidgets as w

    sliders = [c for c in ui.children[0].children if isinstance(c, w.FloatSlider)]
    assert sliders
    for s in sliders:
        assert s.min < s.max
    app = app_cls()
    controls = app.controls
    for name, ctrl in controls.items():
        if isinstance(ctrl, w.FloatSlider):
            lo, hi, _ = wm.CONTROL_RANGES[name]
            assert (ctrl.min, ctrl.max) == (lo, hi)


def _finite(frame):
    values = frame.select_dtypes("number").to_numpy(dtype=float)
    return bool(np.isfinite(values).all())


def _valid_mg(data):
    curve = data.tables["curve"]
    b = curve["b_selected_mg"].to_numpy()
    assert _finite(curve) and ((b >= 0) & (b <= 1)).all()
    assert (np.diff(b) >= 0).all(), "depolarisation never increases Mg²⁺ block"
    here = receptor.mg_block(data.info["voltage_mv"], data.info["mg_mm"])
    assert data.info["b"] == pytest.approx(here)
    if data.info["mg_mm"] == 0:
        np.testing.assert_allclose(b, 1.0)


def _valid_trapping(data):
    df = data.tables["occupancy"]
    states = df[["closed", "open", "open_blocked", "trapped"]]
    # open_rel (open / open without drug) is 0/0, so NaN, while no channel can open.
    assert _finite(df.drop(columns="open_rel"))
    assert ((states >= -1e-9) & (states <= 1 + 1e-9)).all().all()
    rel = df["open_rel"].to_numpy()
    assert (np.isfinite(rel) | (df["activity"].to_numpy() == 0)).all()
    np.testing.assert_allclose(states.sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(df["blocked"], df["open_blocked"] + df["trapped"], atol=1e-9)
    washout = df[df["time_s"] > data.info["coapplication_s"]]
    if not washout.empty:
        assert (np.diff(washout["blocked"].to_numpy()) <= 1e-9).all(), "no drug: block only falls"


def _valid_circuit(data):
    curve, dyn = data.tables["curve"], data.tables["dynamics"]
    assert _finite(curve) and _finite(dyn)
    assert (curve[["rate_e_hz", "rate_i_hz"]] >= 0).all().all()
    assert (dyn[["rate_e_hz", "rate_i_hz"]] >= 0).all().all()
    np.testing.assert_allclose(curve.iloc[0][["rate_e_rel", "rate_i_rel"]], 1.0)


def _valid_chain(data):
    tc = data.tables["timecourse"]
    assert _finite(tc) and _finite(data.tables["plasticity"])
    assert (tc["plasma_ng_per_ml"] >= 0).all()
    assert ((tc["block"] >= 0) & (tc["block"] <= 1)).all()
    assert (
        np.diff(tc["block"].to_numpy()) * np.diff(tc["receptor_conc_um"].to_numpy()) >= -1e-12
    ).all(), "block rises and falls with the concentration at the receptor"


# For each app: the property check, a headline number, and the sign of its change from a
# slider's minimum to its maximum where the model fixes it (+1 rises, -1 falls; others free).
VALID = {
    wm.MgBlockExplorer: (_valid_mg, lambda d: d.info["b"], {"mg_mm": -1, "voltage_mv": +1}),
    wm.TrappingSimulator: (
        _valid_trapping,
        lambda d: d.info["block_end_coapplication"],
        {"conc_um": +1, "activity": +1, "coapplication_s": +1},
    ),
    wm.CircuitExplorer: (
        _valid_circuit,
        lambda d: d.info["row"]["rate_i_rel"],
        {"block": -1},
    ),
    wm.WholeChainExplorer: (
        _valid_chain,
        lambda d: d.info["summary"]["block_at_cmax"],
        {"dose_mg_per_kg": +1, "duration_min": -1},
    ),
}


@pytest.mark.parametrize("app_cls", APPS)
def test_every_slider_extreme_is_valid(app_cls):
    import ipywidgets as w

    check, headline, direction = VALID[app_cls]
    app = app_cls()
    controls = app.controls
    defaults = {k: c.value for k, c in controls.items()}
    for name, ctrl in controls.items():
        if not isinstance(ctrl, w.FloatSlider):
            continue
        ends = []
        for value in (ctrl.min, ctrl.max):
            text = app.update(**{**defaults, name: value})
            assert text == app.last.summary and not re.search(r"\bnan\b", text, re.I), (name, value)
            check(app.last)
            ends.append(headline(app.last))
        low, high = ends
        sign = direction.get(name)
        if sign is not None:
            assert sign * (high - low) > 0, f"{app_cls.__name__}: {name} {ends}"


def test_inhibition_figure_table_matches_model():
    shown = wm.inhibition_figure()
    t = shown.table
    np.testing.assert_allclose(t["s_ketamine"], np.round(t["conc_um"] / (t["conc_um"] + 0.3), 3))
    assert "not a dosing guide" in shown.caption


def test_show_updates_image_and_summary_when_a_control_changes():
    import ipywidgets as w

    app = wm.MgBlockExplorer()
    ui = app.show()
    controls, image, text = ui.children
    assert isinstance(image, w.Image) and image.value[:4] == b"\x89PNG"
    before = text.value
    slider = next(c for c in controls.children if c.description.startswith("[Mg"))
    slider.value = 0.3
    assert text.value != before and "0.3 mM" in text.value
