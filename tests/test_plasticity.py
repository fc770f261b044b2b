"""Tests of ketlearn.plasticity: induction vs maintenance, rapamycin, linearity, bad input."""

from __future__ import annotations

import numpy as np
import pytest

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


def test_rapamycin_blocks_signal_and_spines():
    # Li et al. 2010: rapamycin blocks ketamine-induced synaptogenesis.
    df = plasticity.simulate(T, PULSE, days=3, rapamycin=True)
    assert df["mtorc1_signal"].max() == 0
    assert df["spine_density_rel"].max() == 1.0


def test_spines_needed_for_maintenance_not_induction():
    # Moda-Sava et al. 2019: removing new spines leaves induction, loses maintenance.
    a = plasticity.simulate(T, PULSE, days=7)
    b = plasticity.simulate(T, PULSE, days=7, spinogenesis_blocked=True)
    np.testing.assert_allclose(a["induction_index"], b["induction_index"])
    late = (a["time_h"] > 48) & (a["time_h"] < 96)
    assert (b.loc[late, "effect_index"] < 1e-9).all()
    assert (a.loc[late, "effect_index"] > 0.1).all()


def test_first_stage_matches_analytic_solution():
    # Constant drive u from t=0: S(t) = s* (1 - exp(-t / tau)), s* = u / (u + K).
    p = plasticity.DEFAULT_PARAMS
    u = 2.0
    df = plasticity.simulate(T, np.full_like(T, u), days=1, dt_min=1.0)
    t_h = df["time_h"].to_numpy()
    expected = u / (u + p.k_half_drive) * (1 - np.exp(-t_h / p.tau_signal_h))
    np.testing.assert_allclose(df["mtorc1_signal"], expected, atol=0.02)


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
