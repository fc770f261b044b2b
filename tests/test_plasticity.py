"""Tests of ketlearn.plasticity: induction vs maintenance, rapamycin, linearity, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketlearn import plasticity

T = np.arange(0.0, 24 * 60 + 1, 1.0)
PULSE = np.where(T < 40, 1.0, 0.0)


def test_no_drive_no_change():
    df = plasticity.simulate(T, np.zeros_like(T), days=3)
    assert df["mtorc1_signal"].abs().max() == 0
    assert (df["spine_density_rel"] == 1.0).all()


def test_signal_rises_then_returns_and_spines_outlast_it():
    df = plasticity.simulate(T, PULSE, days=7)
    peak_signal_t = df.loc[df["mtorc1_signal"].idxmax(), "time_h"]
    peak_spine_t = df.loc[df["spine_density_rel"].idxmax(), "time_h"]
    assert peak_signal_t < peak_spine_t  # spines follow the signal
    at_2d = df.loc[df["time_h"] >= 48].iloc[0]
    assert at_2d["mtorc1_signal"] < 1e-6 < at_2d["spine_density_rel"] - 1.0
    assert df["spine_density_rel"].iloc[-1] < df["spine_density_rel"].max()  # slow decay


@settings(max_examples=30, deadline=None)
@given(
    drive=st.lists(st.just(0.0) | st.floats(0.01, 50.0), min_size=2, max_size=30),
    step_min=st.floats(5.0, 120.0),
)
def test_rapamycin_makes_the_outcome_independent_of_the_drive(drive, step_min):
    # Li et al. 2010: with mTOR inhibited, ketamine no longer changes synaptogenesis. As a
    # property: under rapamycin every output equals the drug-free output, for any drive; without
    # it, any positive drive raises the signal and the spines above baseline.
    t = np.arange(len(drive)) * step_min
    u = np.asarray(drive)
    baseline = plasticity.simulate(t, np.zeros_like(u), days=2)
    blocked = plasticity.simulate(t, u, days=2, rapamycin=True)
    cols = ["mtorc1_signal", "spine_density_rel", "effect_index"]
    np.testing.assert_array_equal(blocked[cols].to_numpy(), baseline[cols].to_numpy())
    free = plasticity.simulate(t, u, days=2)
    if u[:-1].max() > 0:  # drive held over at least one output step
        assert free["mtorc1_signal"].max() > 0
        assert free["spine_density_rel"].max() > 1.0


def test_more_drive_never_gives_fewer_spines():
    low = plasticity.simulate(T, PULSE, days=3)
    high = plasticity.simulate(T, 3 * PULSE, days=3)
    assert (high["spine_density_rel"] >= low["spine_density_rel"]).all()
    assert (high["mtorc1_signal"] >= low["mtorc1_signal"]).all()


def test_spines_needed_for_maintenance_not_induction():
    # Moda-Sava et al. 2019: removing new spines leaves induction, loses maintenance.
    a = plasticity.simulate(T, PULSE, days=7)
    b = plasticity.simulate(T, PULSE, days=7, spinogenesis_blocked=True)
    np.testing.assert_allclose(a["induction_index"], b["induction_index"])
    late = (a["time_h"] > 48) & (a["time_h"] < 96)
    assert (b.loc[late, "effect_index"] < 1e-9).all()
    assert (a.loc[late, "effect_index"] > 0.1).all()


def test_both_stages_match_analytic_solution():
    # Constant drive u from t=0: S(t) = s* (1 - exp(-t / tau1)), s* = u / (u + K), and
    # dG/dt = k S - G / tau2 gives
    # G(t) = k s* tau2 (1 - e^{-t/tau2}) - k s* (e^{-t/tau1} - e^{-t/tau2}) / (1/tau2 - 1/tau1).
    p = plasticity.DEFAULT_PARAMS
    u = 2.0
    df = plasticity.simulate(T, np.full_like(T, u), days=1, dt_min=1.0)
    t_h = df["time_h"].to_numpy()
    s_star = u / (u + p.k_half_drive)
    tau1, tau2, k = p.tau_signal_h, p.tau_spine_h, p.k_form_per_h
    signal = s_star * (1 - np.exp(-t_h / tau1))
    gain = k * s_star * tau2 * (1 - np.exp(-t_h / tau2)) - k * s_star * (
        np.exp(-t_h / tau1) - np.exp(-t_h / tau2)
    ) / (1 / tau2 - 1 / tau1)
    assert df["mtorc1_signal"].iloc[0] == 0.0  # nothing before the drive has acted
    np.testing.assert_allclose(df["mtorc1_signal"], signal, rtol=0, atol=1e-10)
    np.testing.assert_allclose(df["spine_density_rel"] - 1.0, gain, rtol=0, atol=1e-10)


def test_outputs_bounded():
    df = plasticity.simulate(T, 50 * PULSE, days=5)
    for col in ("mtorc1_signal", "induction_index", "maintenance_index", "effect_index"):
        assert df[col].between(0, 1).all(), col
    assert (df["spine_density_rel"] >= 1.0).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"time_min": [0, 1], "drive": [0, -1]}, "drive"),
        ({"time_min": [0, 1, 2], "drive": [0, 1]}, "same length"),
        ({"time_min": [0, 0], "drive": [0, 1]}, "strictly increasing"),
        ({"time_min": [-1, 0], "drive": [0, 1]}, "time_min"),
        ({"time_min": [0, 1], "drive": [0, 1], "days": 0}, "days"),
        ({"time_min": [0, 1], "drive": [0, 1], "dt_min": 0.1}, "dt_min"),
    ],
)
def test_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plasticity.simulate(**kwargs)
