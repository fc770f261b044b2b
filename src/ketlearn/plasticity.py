"""An ILLUSTRATIVE time course of BDNF/mTORC1 signalling and dendritic spines after ketamine.

What the model encodes (each a published qualitative finding, not a number):

- Ketamine rapidly activates mTOR signalling and increases synaptic proteins and new spine
  synapses in rat prefrontal cortex; rapamycin, an mTOR inhibitor, blocks both the
  synaptogenesis and the behavioural effects [@li2010mtor].
- Ketamine restores stress-eliminated spines, and this spine formation is needed for the
  **maintenance** of its effect on a motivated escape behaviour, but **not** for its initial
  **induction** [@modasava2019sustained].

Model
-----
Two linear first-order stages driven by the circuit's ``drive`` (see
:func:`ketlearn.circuit.respond`):

1. a BDNF/mTORC1 signal ``S`` in [0, 1] relaxing towards ``drive / (drive + K)`` with time
   constant ``tau_signal_h`` (``S`` is held at 0 when ``rapamycin=True``);
2. spine density ``D`` relative to the pre-drug (stressed) baseline, rising at
   ``k_form · S`` and returning to baseline with time constant ``tau_spine_h``. With
   ``spinogenesis_blocked=True`` newly formed spines are removed (``D`` stays at baseline),
   mimicking experiments that stop new spines from contributing [@modasava2019sustained].

Two read-outs: ``induction_index`` follows the fast signal ``S``; ``maintenance_index`` follows
the spine gain, squashed to [0, 1] as ``gain / (gain + spine_gain_half)``. Their larger
value is reported as ``effect_index``.

**Every parameter and every output is illustrative**: the time constants and gains were chosen
to make the shapes visible over hours to days, not fitted. No output is a measured percentage
and none should be quoted as one. The model leaves out: BDNF release versus translation, TrkB,
AMPA receptor insertion, eEF2 kinetics, GSK-3, synapse types and brain areas, sex and age,
stress history, spine elimination by ongoing stress, and any link to a depression rating scale.

Design notes
------------
The two stages form one linear system ``x = (S, D − 1)`` driven by the target
``drive / (drive + K)``, which is held constant over each output step. Its exact one-step update
comes from the package's one exponential solver (``ketlearn._linear_system``,
:func:`scipy.linalg.expm`); turned into a discrete transfer function
(:func:`scipy.signal.ss2tf`), it runs over the whole grid in :func:`scipy.signal.lfilter`
rather than a Python loop. The input held over the step from ``t[n-1]`` to ``t[n]`` is the one
at ``t[n-1]``, so a drive switched on at time 0 shows no signal at time 0 (an earlier version
used the value at ``t[n]`` and ran one step ahead). Rapamycin multiplies the drive of the
signal stage by 0, so with it every output is the drug-free one, whatever the drive.

Nothing here is medical advice.

Examples
--------
>>> import numpy as np
>>> from ketlearn import plasticity
>>> t = np.arange(0, 24 * 60 + 1, 5.0)
>>> drive = np.where(t < 40, 1.0, 0.0)
>>> df = plasticity.simulate(t, drive, days=7)
>>> bool(df["spine_density_rel"].max() > 1.0)
True
>>> blocked = plasticity.simulate(t, drive, days=7, rapamycin=True)
>>> float(blocked["spine_density_rel"].max())
1.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from ketlearn._linear_system import step_matrices
from ketlearn._validation import check_array, check_number

__all__ = ["DEFAULT_PARAMS", "PlasticityParams", "simulate"]


@dataclass(frozen=True)
class PlasticityParams:
    """Illustrative parameters of the signal → spine model (not fitted to data)."""

    k_half_drive: float = 0.5
    tau_signal_h: float = 1.0
    k_form_per_h: float = 0.05
    tau_spine_h: float = 72.0
    spine_gain_half: float = 0.025
    source: str = "illustrative"
    notes: str = (
        "Illustrative values chosen for visible shapes over hours to days; the qualitative "
        "structure follows [@li2010mtor] (mTOR-dependent synaptogenesis, blocked by "
        "rapamycin) and [@modasava2019sustained] (spines for maintenance, not induction)."
    )


DEFAULT_PARAMS = PlasticityParams()


def _stages(target: np.ndarray, dt_h: float, p: PlasticityParams) -> tuple[np.ndarray, ...]:
    """Exact signal and spine gain for a target held constant over each step (zero-order hold).

    With ``(E, F)`` the exact one-step matrices of ``dx/dt = A x + b·target``:
    ``S[n] = E00 S[n-1] + (F b)0 target[n-1]`` and
    ``G[n] = E11 G[n-1] + E10 S[n-1] + (F b)1 target[n-1]``, each one ``lfilter`` call.
    All coefficients are >= 0, so S and G stay >= 0 exactly.
    """
    a = np.array([[-1.0 / p.tau_signal_h, 0.0], [p.k_form_per_h, -1.0 / p.tau_spine_h]])
    e, f = step_matrices(a, dt_h)
    b = f @ np.array([1.0 / p.tau_signal_h, 0.0])
    signal = lfilter([0.0, b[0]], [1.0, -e[0, 0]], target)
    gain = lfilter([0.0, 1.0], [1.0, -e[1, 1]], e[1, 0] * signal + b[1] * target)
    return signal, gain


def simulate(
    time_min,
    drive,
    *,
    days: float = 7.0,
    dt_min: float = 5.0,
    rapamycin: bool = False,
    spinogenesis_blocked: bool = False,
    params: PlasticityParams = DEFAULT_PARAMS,
) -> pd.DataFrame:
    """Illustrative BDNF/mTORC1 signal and spine density over hours to days.

    Parameters
    ----------
    time_min : array_like
        Increasing times (min) at which ``drive`` is given, >= 0.
    drive : array_like
        Circuit drive at those times (dimensionless, >= 0); 0 is assumed after the last time.
    days : float
        Length of the simulation (days), in (0, 60].
    dt_min : float
        Output spacing (min), in [1, 60].
    rapamycin : bool
        Block mTORC1 throughout (signal held at 0), as in [@li2010mtor].
    spinogenesis_blocked : bool
        Remove newly formed spines, as in [@modasava2019sustained].
    params : PlasticityParams
        Illustrative parameters.

    Returns
    -------
    pandas.DataFrame
        Columns ``time_h``, ``drive``, ``mtorc1_signal`` (0–1), ``spine_density_rel``
        (1 = baseline), ``induction_index``, ``maintenance_index`` and ``effect_index``
        (0–1). All ILLUSTRATIVE.

    Examples
    --------
    >>> t = np.arange(0, 600, 5.0)
    >>> d = np.where(t < 40, 1.0, 0.0)
    >>> a = simulate(t, d, days=3)
    >>> b = simulate(t, d, days=3, spinogenesis_blocked=True)
    >>> bool(abs(a["induction_index"].max() - b["induction_index"].max()) < 1e-12)
    True
    >>> bool(a["maintenance_index"].iloc[-1] > b["maintenance_index"].iloc[-1])
    True
    """
    t_in = check_array("time_min", time_min, unit="min", low=0.0, ndim=1, min_size=1)
    u_in = check_array("drive", drive, low=0.0, ndim=1, min_size=1)
    if t_in.shape != u_in.shape:
        raise ValueError(
            f"time_min and drive must have the same length; got {t_in.size} and {u_in.size}"
        )
    if t_in.size > 1 and np.any(np.diff(t_in) <= 0):
        raise ValueError("time_min must be strictly increasing (min)")
    n_days = check_number("days", days, unit="days", low=0.0, high=60.0, low_inclusive=False)
    dt = check_number("dt_min", dt_min, unit="min", low=1.0, high=60.0)
    t = np.arange(0.0, n_days * 1440.0 + dt / 2, dt)
    u = np.interp(t, t_in, u_in, left=0.0, right=0.0)
    p = params
    mtor_available = 0.0 if rapamycin else 1.0
    target = mtor_available * u / (u + p.k_half_drive)
    signal, gain = _stages(target, dt / 60.0, p)
    if spinogenesis_blocked:
        gain = np.zeros_like(gain)
    spine = 1.0 + gain
    maintenance = gain / (gain + p.spine_gain_half)
    return pd.DataFrame(
        {
            "time_h": t / 60.0,
            "drive": u,
            "mtorc1_signal": signal,
            "spine_density_rel": spine,
            "induction_index": signal,
            "maintenance_index": maintenance,
            "effect_index": np.maximum(signal, maintenance),
        }
    )
