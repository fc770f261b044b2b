"""A minimal two-population rate model of prefrontal cortex with NMDA receptor drive.

Two hypotheses about how NMDA receptor block could start ketamine's antidepressant cascade are
contrasted with one small Wilson–Cowan-style model of a pyramidal (E) and an inhibitory
interneuron (I) population:

``disinhibition``
    Block falls preferentially on the NMDA receptors that drive interneurons. Interneuron firing
    falls and, released from inhibition, pyramidal firing rises. This is the direction reported
    by Homayoun & Moghaddam in awake rats, where NMDA receptor blockade decreased firing of
    putative GABA interneurons and, with a delay, increased firing of most pyramidal neurons
    [@homayoun2007nmda]. Why interneurons first? One argument is use dependence: fast-spiking
    interneurons are depolarised and active more of the time, so their channels open more often
    and collect an open-channel blocker faster (see :func:`ketlearn.receptor.simulate_trapping`).
``block_at_rest``
    Ketamine blocks NMDA receptors on pyramidal neurons that are activated at rest by
    spontaneous release or ambient glutamate. Less resting NMDA signalling deactivates eEF2
    kinase, eEF2 is less phosphorylated and BDNF translation is de-repressed [@autry2011nmda];
    cortical GluN2B-containing receptors activated by ambient glutamate are the candidate
    target [@miller2014glun2b]. The model isolates this route: synaptic NMDA drive is left
    unblocked, so firing does not change, and the output that matters is the fraction of
    resting NMDA signalling removed.

Model
-----
``τ_E dE/dt = −E + f_E(g_E·(w_EE·E + h_E) − w_EI·I)`` and
``τ_I dI/dt = −I + f_I(g_I·(w_IE·E + h_I) − w_II·I)``, where ``g_X = (1 − n_X) + n_X·(1 − b_X)``
is the excitatory gain left when a fraction ``b_X`` of the NMDA receptors of population X is
blocked and ``n_X`` is the NMDA share of its excitatory drive; ``f`` is a logistic rate function.

**Every parameter is an illustrative assumption** chosen so that baseline rates are a few Hz
(pyramidal) and tens of Hz (interneurons) and the responses are smooth; none is fitted to data.
The model leaves out: spikes, dendrites and Mg²⁺ voltage dependence, interneuron subtypes,
GluN2 subunits, AMPA receptor changes, neuromodulators, other brain areas (e.g. the lateral
habenula), noise and learning. Its outputs are directions and shapes, not predictions.

Design notes
------------
The network settles in tens of milliseconds while drug concentrations change over minutes, so
:func:`respond` uses the steady state at each block level (computed once on a fine grid of
block values per parameter set, cached, then interpolated); :func:`simulate_dynamics` shows the
millisecond transient with :func:`scipy.integrate.solve_ivp` for the circuit explorer.

Nothing here is medical advice.

Examples
--------
>>> from ketlearn import circuit
>>> base = circuit.respond(0.0, "disinhibition")
>>> blocked = circuit.respond(0.8, "disinhibition")
>>> bool(blocked["rate_i_hz"].iloc[0] < base["rate_i_hz"].iloc[0])
True
>>> bool(blocked["rate_e_hz"].iloc[0] > base["rate_e_hz"].iloc[0])
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.integrate import solve_ivp

from ketlearn._validation import check_array, check_choice, check_number

__all__ = [
    "DEFAULT_PARAMS",
    "SCENARIOS",
    "CircuitParams",
    "blocks_for_scenario",
    "respond",
    "simulate_dynamics",
    "steady_state",
]

#: The two hypotheses the model contrasts.
SCENARIOS = ("disinhibition", "block_at_rest")


@dataclass(frozen=True)
class CircuitParams:
    """Parameters of the two-population rate model (all ILLUSTRATIVE; see module docstring).

    Weights are in units of "drive per Hz", drives ``h`` and thresholds in arbitrary drive
    units, rates in Hz, time constants in ms.
    """

    w_ee: float = 0.4
    w_ei: float = 0.4
    w_ie: float = 0.5
    w_ii: float = 0.2
    h_e: float = 8.0
    h_i: float = 15.0
    nmda_share_e: float = 0.4
    nmda_share_i: float = 0.7
    rmax_e_hz: float = 20.0
    theta_e: float = 10.0
    slope_e: float = 4.0
    rmax_i_hz: float = 60.0
    theta_i: float = 12.0
    slope_i: float = 5.0
    tau_e_ms: float = 20.0
    tau_i_ms: float = 10.0
    selectivity_e: float = 0.25
    source: str = "illustrative"
    notes: str = (
        "Illustrative values, not fitted to data. Interneurons are given a larger NMDA share "
        "of their drive (0.7 vs 0.4) and, in the disinhibition scenario, pyramidal NMDA "
        "receptors receive only selectivity_e (0.25) of the interneurons' block: assumptions "
        "that encode the hypothesis [@homayoun2007nmda], not measurements."
    )


DEFAULT_PARAMS = CircuitParams()


def _f(x, rmax, theta, slope):
    return rmax / (1.0 + np.exp(-(x - theta) / slope))


def _rhs(e, i, be, bi, p: CircuitParams):
    ge = (1.0 - p.nmda_share_e) + p.nmda_share_e * (1.0 - be)
    gi = (1.0 - p.nmda_share_i) + p.nmda_share_i * (1.0 - bi)
    xe = ge * (p.w_ee * e + p.h_e) - p.w_ei * i
    xi = gi * (p.w_ie * e + p.h_i) - p.w_ii * i
    return _f(xe, p.rmax_e_hz, p.theta_e, p.slope_e), _f(xi, p.rmax_i_hz, p.theta_i, p.slope_i)


def _relax(be: np.ndarray, bi: np.ndarray, p: CircuitParams):
    e = np.full(be.shape, 1.0)
    i = np.full(be.shape, 20.0)
    ratio = p.tau_e_ms / p.tau_i_ms
    for step in range(1, 20001):
        fe, fi = _rhs(e, i, be, bi, p)
        if step % 50 == 0 and max(np.max(np.abs(fe - e)), np.max(np.abs(fi - i))) < 1e-9:
            break
        e += 0.1 * (fe - e)
        i += 0.1 * ratio * (fi - i)
    fe, fi = _rhs(e, i, be, bi, p)
    if np.max(np.abs(fe - e)) > 1e-6 or np.max(np.abs(fi - i)) > 1e-6:
        raise RuntimeError("circuit did not settle to a steady state with these parameters")
    return e, i


def steady_state(block_e, block_i, params: CircuitParams = DEFAULT_PARAMS):
    """Steady-state firing rates (Hz) for given NMDA block fractions of each population.

    Parameters
    ----------
    block_e, block_i : float or array_like
        Fraction of pyramidal / interneuron NMDA receptors blocked, in [0, 1] (same shape).
    params : CircuitParams
        Model parameters (illustrative defaults).

    Returns
    -------
    tuple of numpy.ndarray
        ``(rate_e_hz, rate_i_hz)``.

    Examples
    --------
    >>> e0, i0 = steady_state(0.0, 0.0)
    >>> bool(1.0 < float(e0[0]) < 5.0 and 15.0 < float(i0[0]) < 40.0)
    True
    """
    be = np.atleast_1d(check_array("block_e", block_e, low=0.0, high=1.0))
    bi = np.atleast_1d(check_array("block_i", block_i, low=0.0, high=1.0))
    if be.shape != bi.shape:
        raise ValueError(
            f"block_e and block_i must have the same shape; got {be.shape}, {bi.shape}"
        )
    return _relax(be.astype(float), bi.astype(float), params)


def blocks_for_scenario(block, scenario: str, params: CircuitParams = DEFAULT_PARAMS):
    """Split one receptor-block fraction into (pyramidal synaptic, interneuron, resting) block.

    - ``disinhibition``: interneurons get ``block``, pyramidal synaptic receptors
      ``selectivity_e · block``, resting pyramidal receptors are not tracked (0).
    - ``block_at_rest``: synaptic receptors of both populations are left unblocked (0) so the
      resting route is isolated; resting pyramidal receptors get ``block``.

    >>> blocks_for_scenario(0.8, "disinhibition")
    (0.2, 0.8, 0.0)
    """
    check_choice("scenario", scenario, SCENARIOS)
    b = check_array("block", block, low=0.0, high=1.0)
    zero = np.zeros_like(b)
    if scenario == "disinhibition":
        out = (params.selectivity_e * b, b, zero)
    else:
        out = (zero, zero, b)
    if b.ndim == 0:
        return tuple(float(x) for x in out)
    return out


_GRID = np.linspace(0.0, 1.0, 401)


@lru_cache(maxsize=32)
def _grid_rates(params: CircuitParams, scenario: str):
    be, bi, _ = blocks_for_scenario(_GRID, scenario, params)
    return _relax(np.asarray(be, float), np.asarray(bi, float), params)


def respond(block, scenario: str = "disinhibition", params: CircuitParams = DEFAULT_PARAMS):
    """Circuit response to NMDA receptor block under one hypothesis.

    Parameters
    ----------
    block : float or array_like
        Fraction of NMDA receptors blocked (e.g. from :func:`ketlearn.receptor.inhibition`),
        in [0, 1].
    scenario : {"disinhibition", "block_at_rest"}
        Which hypothesis routes the block (see module docstring).
    params : CircuitParams
        Model parameters (illustrative defaults).

    Returns
    -------
    pandas.DataFrame
        One row per block value: ``block``, ``block_e``, ``block_i``, ``block_rest``,
        ``rate_e_hz``, ``rate_i_hz``, ``rate_e_rel`` and ``rate_i_rel`` (relative to no
        block), and ``drive``: the model's signal for downstream plasticity, dimensionless,
        >= 0. For disinhibition it is the relative rise in pyramidal firing
        (``rate_e_rel − 1``, floored at 0); for block at rest it is the fraction of resting
        NMDA signalling removed (``block_rest``).

    Examples
    --------
    >>> df = respond([0.0, 0.5], "block_at_rest")
    >>> df["rate_e_rel"].round(6).tolist(), df["drive"].tolist()
    ([1.0, 1.0], [0.0, 0.5])
    """
    check_choice("scenario", scenario, SCENARIOS)
    b = np.atleast_1d(check_array("block", block, low=0.0, high=1.0))
    be, bi, br = blocks_for_scenario(b, scenario, params)
    grid_e, grid_i = _grid_rates(params, scenario)
    rate_e = np.interp(b, _GRID, grid_e)
    rate_i = np.interp(b, _GRID, grid_i)
    e0, i0 = grid_e[0], grid_i[0]
    rel_e = rate_e / e0
    if scenario == "disinhibition":
        drive = np.maximum(rel_e - 1.0, 0.0)
    else:
        drive = np.asarray(br, float)
    return pd.DataFrame(
        {
            "block": b,
            "block_e": be,
            "block_i": bi,
            "block_rest": br,
            "rate_e_hz": rate_e,
            "rate_i_hz": rate_i,
            "rate_e_rel": rel_e,
            "rate_i_rel": rate_i / i0,
            "drive": drive,
        }
    )


def simulate_dynamics(
    block_e: float,
    block_i: float,
    *,
    t_end_ms: float = 200.0,
    dt_ms: float = 1.0,
    params: CircuitParams = DEFAULT_PARAMS,
) -> pd.DataFrame:
    """Rates over time after a step of NMDA block at t = 0, from the unblocked steady state.

    Parameters
    ----------
    block_e, block_i : float
        Block fractions applied from t = 0, in [0, 1].
    t_end_ms : float
        Simulated time (ms), in (0, 5000].
    dt_ms : float
        Output spacing (ms), in (0, 50].
    params : CircuitParams
        Model parameters (illustrative defaults).

    Returns
    -------
    pandas.DataFrame
        Columns ``time_ms``, ``rate_e_hz``, ``rate_i_hz``.

    Examples
    --------
    >>> df = simulate_dynamics(0.2, 0.8, t_end_ms=300)
    >>> e_end, _ = steady_state(0.2, 0.8)
    >>> bool(abs(df["rate_e_hz"].iloc[-1] - e_end[0]) < 0.01)
    True
    """
    be = check_number("block_e", block_e, low=0.0, high=1.0)
    bi = check_number("block_i", block_i, low=0.0, high=1.0)
    t_end = check_number("t_end_ms", t_end_ms, unit="ms", low=0.0, high=5000.0, low_inclusive=False)
    dt = check_number("dt_ms", dt_ms, unit="ms", low=0.0, high=50.0, low_inclusive=False)
    e0, i0 = _relax(np.zeros(1), np.zeros(1), params)
    times = np.arange(0.0, t_end + dt / 2, dt)

    def rhs(_t, y):
        fe, fi = _rhs(y[0], y[1], be, bi, params)
        return [(fe - y[0]) / params.tau_e_ms, (fi - y[1]) / params.tau_i_ms]

    sol = solve_ivp(rhs, (0.0, times[-1]), [e0[0], i0[0]], t_eval=times, rtol=1e-8, atol=1e-8)
    return pd.DataFrame({"time_ms": times, "rate_e_hz": sol.y[0], "rate_i_hz": sol.y[1]})
