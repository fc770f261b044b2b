"""Tests of ketlearn.circuit: direction of the hypotheses, fixed points and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketlearn import circuit


def test_disinhibition_direction():
    # Homayoun & Moghaddam 2007: interneuron firing falls, pyramidal firing rises.
    df = circuit.respond(np.linspace(0, 1, 11), "disinhibition")
    assert np.all(np.diff(df["rate_i_hz"]) < 0)
    assert np.all(np.diff(df["rate_e_hz"]) > 0)
    assert df["rate_e_rel"].iloc[0] == pytest.approx(1.0)
    assert df["drive"].iloc[0] == pytest.approx(0.0, abs=1e-12)
    assert np.all(np.diff(df["drive"]) > 0)


def test_block_of_pyramidal_only_lowers_pyramidal_rate():
    # Control for the direction test: NMDA block on E alone should not raise E.
    e0, _ = circuit.steady_state(0.0, 0.0)
    e1, _ = circuit.steady_state(0.8, 0.0)
    assert e1[0] < e0[0]


def test_block_at_rest_leaves_firing_and_drives_plasticity_by_block():
    df = circuit.respond([0.0, 0.3, 0.9], "block_at_rest")
    np.testing.assert_allclose(df["rate_e_rel"], 1.0, atol=1e-9)
    np.testing.assert_allclose(df["rate_i_rel"], 1.0, atol=1e-9)
    np.testing.assert_allclose(df["drive"], [0.0, 0.3, 0.9])
    np.testing.assert_allclose(df["block_rest"], [0.0, 0.3, 0.9])


def test_steady_state_is_a_fixed_point():
    p = circuit.DEFAULT_PARAMS
    be, bi = np.array([0.0, 0.2, 0.5]), np.array([0.0, 0.8, 0.5])
    e, i = circuit.steady_state(be, bi)
    # Recompute the right-hand side independently of the module's helper.
    ge = (1 - p.nmda_share_e) + p.nmda_share_e * (1 - be)
    gi = (1 - p.nmda_share_i) + p.nmda_share_i * (1 - bi)
    xe = ge * (p.w_ee * e + p.h_e) - p.w_ei * i
    xi = gi * (p.w_ie * e + p.h_i) - p.w_ii * i
    fe = p.rmax_e_hz / (1 + np.exp(-(xe - p.theta_e) / p.slope_e))
    fi = p.rmax_i_hz / (1 + np.exp(-(xi - p.theta_i) / p.slope_i))
    np.testing.assert_allclose(e, fe, atol=1e-8)
    np.testing.assert_allclose(i, fi, atol=1e-8)


def test_interpolated_response_matches_direct_steady_state():
    b = np.array([0.137, 0.52, 0.913])
    df = circuit.respond(b, "disinhibition")
    e, i = circuit.steady_state(circuit.DEFAULT_PARAMS.selectivity_e * b, b)
    np.testing.assert_allclose(df["rate_e_hz"], e, rtol=1e-3)
    np.testing.assert_allclose(df["rate_i_hz"], i, rtol=1e-3)


def test_dynamics_start_at_baseline_and_settle():
    dyn = circuit.simulate_dynamics(0.2, 0.8, t_end_ms=400.0)
    e0, _i0 = circuit.steady_state(0.0, 0.0)
    e1, i1 = circuit.steady_state(0.2, 0.8)
    assert dyn["rate_e_hz"].iloc[0] == pytest.approx(e0[0])
    assert dyn["rate_e_hz"].iloc[-1] == pytest.approx(e1[0], rel=1e-3)
    assert dyn["rate_i_hz"].iloc[-1] == pytest.approx(i1[0], rel=1e-3)


def test_zero_selectivity_and_custom_params():
    p = circuit.CircuitParams(selectivity_e=0.0)
    df = circuit.respond([0.5], "disinhibition", p)
    assert df["block_e"].iloc[0] == 0.0
    assert isinstance(df, pd.DataFrame)


@settings(max_examples=30, deadline=None)
@given(b=st.floats(0.0, 1.0))
def test_rates_positive_and_bounded(b):
    df = circuit.respond(b, "disinhibition")
    p = circuit.DEFAULT_PARAMS
    assert 0 < df["rate_e_hz"].iloc[0] < p.rmax_e_hz
    assert 0 < df["rate_i_hz"].iloc[0] < p.rmax_i_hz


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: circuit.respond(1.5), "block"),
        (lambda: circuit.respond(-0.1), "block"),
        (lambda: circuit.respond(0.5, "ketamine"), "scenario"),
        (lambda: circuit.steady_state([0.1, 0.2], [0.1]), "same shape"),
        (lambda: circuit.simulate_dynamics(0.1, 0.1, t_end_ms=0), "t_end_ms"),
        (lambda: circuit.simulate_dynamics(0.1, 2.0), "block_i"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
