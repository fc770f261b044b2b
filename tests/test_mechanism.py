"""Tests of ketlearn.mechanism.chain: stages agree with the modules they chain, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketlearn import circuit, mechanism, pk, receptor

REG = pk.Regimen("iv_infusion", 0.5, 70.0, duration_min=40.0)


def test_chain_stages_agree_with_modules():
    res = mechanism.chain(REG)
    tc = res.timecourse
    direct = pk.simulate(REG, "domino1984")
    np.testing.assert_allclose(tc["plasma_um"], direct["plasma_um"])
    ki = receptor.mixture_ki_um(0.3, 1.4)
    np.testing.assert_allclose(tc["block"], tc["receptor_conc_um"] / (tc["receptor_conc_um"] + ki))
    circ = circuit.respond(tc["block"].to_numpy(), "disinhibition")
    np.testing.assert_allclose(tc["rate_e_hz"], circ["rate_e_hz"])
    assert res.plasticity["time_h"].iloc[-1] == pytest.approx(7 * 24)


def test_summary_values():
    res = mechanism.chain(REG)
    s = res.summary
    assert s["cmax_um"] == pytest.approx(res.timecourse["receptor_conc_um"].max())
    assert 0 < s["block_at_cmax"] < 1
    assert s["peak_rate_e_rel"] > 1 > s["min_rate_i_rel"]
    assert "not a dosing guide" in res.summary_text()


def test_racemic_block_equals_two_competitors():
    c = np.array([0.2, 0.78, 3.0])
    x = c / 2 / 0.3 + c / 2 / 1.4
    np.testing.assert_allclose(mechanism.fraction_blocked(c, "racemic"), x / (1 + x))


def test_enantiomer_order_of_block():
    b = {
        e: mechanism.chain(REG, enantiomer=e).summary["block_at_cmax"]
        for e in mechanism.ENANTIOMERS
    }
    assert b["s_ketamine"] > b["racemic"] > b["r_ketamine"]


def test_zero_dose_gives_no_effect():
    res = mechanism.chain(pk.Regimen("iv_infusion", 0.0, 70.0, duration_min=40.0))
    assert res.timecourse["block"].max() == 0
    assert res.summary["peak_rate_e_rel"] == pytest.approx(1.0)
    assert res.summary["spine_density_rel_end"] == pytest.approx(1.0)


def test_block_at_rest_scenario_and_interventions():
    rest = mechanism.chain(REG, scenario="block_at_rest")
    assert rest.summary["peak_rate_e_rel"] == pytest.approx(1.0)
    assert rest.summary["peak_mtorc1_signal"] > 0
    rapa = mechanism.chain(REG, rapamycin=True)
    assert rapa.summary["peak_spine_density_rel"] == 1.0


def test_effect_site_option_changes_receptor_concentration():
    # After a bolus, plasma peaks at once and the (assumed) effect site lags behind it.
    res = mechanism.chain(pk.Regimen("iv_bolus", 0.5, 70.0), ke0_per_min=0.2)
    tc = res.timecourse
    assert not np.allclose(tc["receptor_conc_um"], tc["plasma_um"])
    assert tc["receptor_conc_um"].idxmax() > tc["plasma_um"].idxmax()


@settings(max_examples=15, deadline=None)
@given(d1=st.floats(0.05, 1.0), d2=st.floats(0.05, 1.0))
def test_more_dose_more_block(d1, d2):
    lo, hi = sorted((d1, d2))
    b_lo = mechanism.chain(pk.Regimen("iv_bolus", lo, 70.0), days=1).summary["block_at_cmax"]
    b_hi = mechanism.chain(pk.Regimen("iv_bolus", hi, 70.0), days=1).summary["block_at_cmax"]
    assert b_lo <= b_hi + 1e-12


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"enantiomer": "hnk"}, "enantiomer"),
        ({"scenario": "opioid"}, "scenario"),
        ({"preset": "nope"}, "preset"),
        ({"days": 0.5}, "days"),
        ({"t_end_min": -1}, "t_end_min"),
    ],
)
def test_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        mechanism.chain(REG, **kwargs)


def test_bad_regimen():
    with pytest.raises(ValueError, match="dose_mg_per_kg"):
        mechanism.chain(pk.Regimen("iv_bolus", -1.0, 70.0))
