"""Tests of ketlearn.receptor against published values, analytic results and properties."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketlearn import receptor

REFERENCE = Path(__file__).parent / "reference"  # values and citations: see its README.md

# B(V) at 1 mM Mg2+ computed by hand from the Jahr & Stevens (1990) equation, rounded to 3
# decimals; the -70 mV entry (0.045) sits on a rounding edge (0.0445).
_JS = pd.read_csv(REFERENCE / "receptor_jahr_stevens1990.csv")
JAHR_STEVENS_TABLE = dict(zip(_JS["voltage_mv"], _JS["unblocked_fraction"], strict=True))
MEALING = pd.read_csv(REFERENCE / "receptor_mealing1999.csv").set_index("quantity")
EBERT = pd.read_csv(REFERENCE / "receptor_ebert1997.csv").set_index("preset")["ki_um"]


@pytest.mark.parametrize(("voltage_mv", "expected"), sorted(JAHR_STEVENS_TABLE.items()))
def test_mg_block_matches_table(voltage_mv, expected):
    assert receptor.mg_block(voltage_mv, 1.0) == pytest.approx(expected, abs=1e-3)


def test_mg_block_hand_worked_half_block_point():
    # B = 1/2 where [Mg]/3.57 * exp(-0.062 V) = 1, i.e. V = ln([Mg]/3.57) / 0.062.
    mg = 2.0
    v_half = np.log(mg / 3.57) / 0.062
    assert receptor.mg_block(v_half, mg) == pytest.approx(0.5, rel=1e-12)


def test_mg_block_vectorised_and_limits():
    v = np.array([-100.0, -50.0, 0.0, 50.0])
    b = receptor.mg_block(v, 1.0)
    assert isinstance(b, np.ndarray) and b.shape == (4,)
    assert np.all(np.diff(b) > 0)  # relief of block with depolarisation
    assert np.all(receptor.mg_block(v, 0.0) == 1.0)
    assert isinstance(receptor.mg_block(-60.0), float)


@settings(max_examples=50, deadline=None)
@given(
    v=st.floats(-150, 100),
    mg1=st.floats(0.0, 10.0),
    mg2=st.floats(0.0, 10.0),
)
def test_mg_block_more_mg_more_block(v, mg1, mg2):
    lo, hi = sorted((mg1, mg2))
    b_lo, b_hi = receptor.mg_block(v, lo), receptor.mg_block(v, hi)
    assert 0.0 < b_hi <= b_lo <= 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"voltage_mv": float("nan")}, "voltage_mv"),
        ({"voltage_mv": 500.0}, "voltage_mv"),
        ({"voltage_mv": -60.0, "mg_mm": -1.0}, "mg_mm"),
        ({"voltage_mv": -60.0, "mg_mm": float("inf")}, "mg_mm"),
    ],
)
def test_mg_block_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        receptor.mg_block(**kwargs)


def test_inhibition_half_at_ki():
    for name, preset in receptor.PRESETS.items():
        assert receptor.inhibition(preset.ki_um, preset.ki_um) == pytest.approx(0.5), name


def test_ebert_presets_are_the_published_values():
    # Ebert et al. 1997 abstract (tests/reference/receptor_ebert1997.csv).
    for name, ki in EBERT.items():
        pre = receptor.get_preset(name)
        assert pre.ki_um == ki
        assert pre.verified and pre.source == "ebert1997norketamine"
    racemic = receptor.get_preset("racemic")
    assert not racemic.verified  # derived, flagged
    assert racemic.ki_low_um <= racemic.ki_um <= racemic.ki_high_um


def test_mixture_ki_equals_two_competitor_occupancy():
    # Independent check: occupancy of a 50:50 mixture of two competitors at one site.
    ks, kr = 0.3, 1.4
    c = np.array([0.1, 0.5, 2.0, 10.0])
    x = c / 2 / ks + c / 2 / kr
    direct = x / (1 + x)
    via_mix = receptor.inhibition(c, receptor.mixture_ki_um(ks, kr))
    np.testing.assert_allclose(via_mix, direct, rtol=1e-12)


@settings(max_examples=50, deadline=None)
@given(
    c1=st.floats(0.0, 1e3),
    c2=st.floats(0.0, 1e3),
    ki=st.floats(1e-3, 1e2),
)
def test_inhibition_monotonic_and_bounded(c1, c2, ki):
    lo, hi = sorted((c1, c2))
    f_lo, f_hi = receptor.inhibition(lo, ki), receptor.inhibition(hi, ki)
    assert 0.0 <= f_lo <= f_hi < 1.0


@settings(max_examples=50, deadline=None)
@given(f=st.floats(0.0, 0.999), ki=st.floats(1e-3, 1e2))
def test_conc_for_inhibition_inverts(f, ki):
    c = receptor.conc_for_inhibition(f, ki)
    assert receptor.inhibition(c, ki) == pytest.approx(f, abs=1e-9)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-0.1, 0.3), "conc_um"),
        ((float("nan"), 0.3), "conc_um"),
        ((1.0, 0.0), "ki_um"),
        ((1.0, -2.0), "ki_um"),
    ],
)
def test_inhibition_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        receptor.inhibition(*args)


def test_unknown_preset():
    with pytest.raises(ValueError, match="preset must be one of"):
        receptor.get_preset("ketamine")


# --- trapping block -------------------------------------------------------------------------

STATES = ["closed", "open", "open_blocked", "trapped"]


def test_occupancies_sum_to_one_and_stay_in_range():
    df = receptor.simulate_trapping(
        [(10, 30.0, 1.0), (20, 0.0, 0.0), (5, 0.0, 1.0), (30, 3.0, 0.3)], dt_s=0.25
    )
    occ = df[STATES].to_numpy()
    assert np.all(occ >= 0) and np.all(occ <= 1)
    np.testing.assert_allclose(occ.sum(axis=1), 1.0, atol=1e-9)


def test_steady_state_block_is_one_site_with_agonist():
    # With agonist present and detailed balance, steady-state block = c / (c + Kd).
    rates = receptor.TRAPPING_ILLUSTRATIVE
    for c in (1.0, 2.5, 10.0):
        df = receptor.simulate_trapping([(600, c, 1.0)], dt_s=10)
        assert df["blocked"].iloc[-1] == pytest.approx(c / (c + rates.kd_um), abs=1e-6)


def test_rates_still_meet_their_calibration_targets():
    # NOT a validation: the illustrative rates were chosen to give these two numbers of Mealing
    # et al. 1999 (tests/reference/receptor_mealing1999.csv). This guards the documented
    # calibration against accidental edits of the rates; the independent checks of the scheme
    # are the closed-form and ODE-solver tests below.
    row = MEALING.loc["block_end_coapplication"]
    s = receptor.trapping_summary(row["conc_um"], row["coapplication_s"], row["washout_s"])
    assert s["block_end_coapplication"] == pytest.approx(row["value"], abs=row["sd"])
    trapped = MEALING.loc["fraction_trapped"]
    assert s["fraction_trapped"] == pytest.approx(trapped["value"], abs=trapped["sd"])


def test_block_builds_with_agonist_activity():
    blocks = [
        receptor.simulate_trapping([(5, 10.0, a)], dt_s=0.5)["blocked"].iloc[-1]
        for a in (0.0, 0.005, 0.02, 0.1, 1.0)
    ]
    assert all(b1 < b2 for b1, b2 in itertools.pairwise(blocks))
    assert blocks[0] < 0.05 < 0.7 < blocks[-1]


def test_block_persists_after_washout_without_agonist_but_not_with_it():
    loaded = [(30, 10.0, 1.0)]
    no_agonist = receptor.simulate_trapping([*loaded, (120, 0.0, 0.0)], dt_s=1)
    with_agonist = receptor.simulate_trapping([*loaded, (120, 0.0, 1.0)], dt_s=1)
    assert no_agonist["blocked"].iloc[-1] > 0.6  # trapped
    assert no_agonist["trapped"].iloc[-1] > 0.9 * no_agonist["blocked"].iloc[-1]
    assert with_agonist["blocked"].iloc[-1] < 0.01  # opened channels let the drug out


def test_trapped_block_released_on_reopening():
    df = receptor.simulate_trapping([(30, 10.0, 1.0), (120, 0.0, 0.0), (60, 0.0, 1.0)], dt_s=1)
    before = df.loc[df["time_s"] == 150, "blocked"].iloc[0]
    after = df["blocked"].iloc[-1]
    assert after < 0.05 < 0.5 < before


def test_trapping_time_grid_and_segments():
    df = receptor.simulate_trapping([(1.25, 1.0, 1.0)], dt_s=0.5)
    assert df["time_s"].tolist() == [0.0, 0.5, 1.0, 1.25]


@pytest.mark.parametrize(
    ("protocol", "message"),
    [
        ([], "protocol"),
        ([(-1, 1.0, 1.0)], "duration_s"),
        ([(1, -1.0, 1.0)], "drug_um"),
        ([(1, 1.0, 1.5)], "activity"),
    ],
)
def test_trapping_bad_input(protocol, message):
    with pytest.raises(ValueError, match=message):
        receptor.simulate_trapping(protocol)


def test_trapping_bad_dt():
    with pytest.raises(ValueError, match="dt_s"):
        receptor.simulate_trapping([(1, 1.0, 1.0)], dt_s=0)


def test_two_state_kinetics_match_closed_form():
    # C <-> O with rates a (C->O) and b (O->C), starting closed:
    # p_open(t) = a/(a+b) * (1 - exp(-(a+b) t)), the textbook two-state solution.
    from ketlearn._linear_system import Propagator

    a, b = 3.0, 0.5
    q = np.array([[-a, a], [b, -b]])
    t = np.linspace(0.0, 4.0, 41)
    got = Propagator(q.T).states(np.array([1.0, 0.0]), np.zeros(2), t)[:, 1]
    np.testing.assert_allclose(got, a / (a + b) * (1 - np.exp(-(a + b) * t)), rtol=0, atol=1e-13)


def test_washout_without_agonist_matches_closed_form():
    # Hand solution from the rates (independent of the calibration targets): with no agonist and
    # no drug, OB empties at k = k_off + k_close, feeding CB at k_close; CB leaks at k_escape:
    #   OB(T) = OB0 e^{-kT},  CB(T) = CB0 e^{-k_e T} + OB0 k_close (e^{-k_e T} - e^{-kT}) / (k - k_e).
    rates = receptor.TRAPPING_ILLUSTRATIVE
    loaded = receptor.simulate_trapping([(30, 10.0, 1.0)], dt_s=1.0)
    ob0, cb0 = loaded["open_blocked"].iloc[-1], loaded["trapped"].iloc[-1]
    df = receptor.simulate_trapping(
        [(120.0, 0.0, 0.0)], dt_s=0.5, initial=loaded[STATES].iloc[-1].to_numpy()
    )
    t = df["time_s"].to_numpy()
    k, ke = rates.k_off_per_s + rates.k_close_per_s, rates.k_escape_per_s
    ob = ob0 * np.exp(-k * t)
    cb = cb0 * np.exp(-ke * t) + ob0 * rates.k_close_per_s * (np.exp(-ke * t) - np.exp(-k * t)) / (
        k - ke
    )
    np.testing.assert_allclose(df["open_blocked"], ob, rtol=0, atol=1e-12)
    np.testing.assert_allclose(df["trapped"], cb, rtol=0, atol=1e-12)


def test_trapping_matches_ode_solver():
    # Independent check of the exact propagation with a numerical ODE solver.
    from scipy.integrate import solve_ivp

    rates = receptor.TRAPPING_ILLUSTRATIVE
    q = receptor._generator(rates, 5.0, 0.4)
    p0 = np.array([1.0, 0.0, 0.0, 0.0])
    sol = solve_ivp(lambda t, p: p @ q, (0, 20), p0, t_eval=[20], rtol=1e-10, atol=1e-12)
    df = receptor.simulate_trapping([(20, 5.0, 0.4)], dt_s=0.5, initial=p0)
    np.testing.assert_allclose(df[STATES].iloc[-1].to_numpy(), sol.y[:, -1], atol=1e-7)
