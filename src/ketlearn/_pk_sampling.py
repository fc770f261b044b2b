"""Simulated blood samples with assay noise, for :mod:`ketlearn.pk` (private).

A study never sees a concentration curve, only samples taken at chosen times and measured with
some error. :func:`sampled_profile` turns a simulated profile into such samples: the model's
concentration at each sampling time times a log-normal error (a constant coefficient of
variation, the usual error model of bioanalytical assays), rounded as a laboratory reports it.
:func:`simulated_crossover` builds the one fictional person of notebook 02, section 4: the same
dose in mg/kg once as the 40-minute IV infusion and once by mouth, with an oral bioavailability
drawn within the published range (:data:`ketlearn.pk.ROUTE_PARAMETERS`). Notebook 02 and its
hidden tests both call it, so the data a student analyses and the data the grader checks come
from one definition.

Everything here is SIMULATED: no number is a measurement of a real person, and none is a
dosing guide.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ketlearn._pk_regimen import Regimen
from ketlearn._pk_routes import ROUTE_PARAMETERS
from ketlearn._pk_simulate import simulate
from ketlearn._validation import check_array, check_number

__all__ = ["CROSSOVER_TIMES_MIN", "sampled_profile", "simulated_crossover"]

#: Sampling times (min) of notebook 02's simulated crossover: 15 samples over 12 hours.
CROSSOVER_TIMES_MIN = (0, 10, 20, 30, 40, 50, 60, 90, 120, 180, 240, 360, 480, 600, 720)


def sampled_profile(
    regimen,
    times_min,
    preset="domino1984",
    *,
    noise_cv: float = 0.05,
    rng: np.random.Generator | None = None,
    decimals: int = 1,
    **options,
) -> pd.DataFrame:
    """SIMULATED plasma samples of a regimen at given times, with log-normal assay noise.

    Educational simulation, not a dosing guide.

    Parameters
    ----------
    regimen : Regimen or list of Regimen
        What is given (see :func:`ketlearn.pk.simulate`).
    times_min : array_like
        Sampling times (min): whole minutes, >= 0, strictly increasing, at least two.
    preset : str or preset object
        Disposition model (default ``"domino1984"`` [@domino1984kinetics]).
    noise_cv : float
        Standard deviation of the log of the assay error, >= 0 (about the coefficient of
        variation for small values; 0 gives the model's own concentrations).
    rng : numpy.random.Generator, optional
        Source of the noise: one normal draw per sample, in time order. Pass the same generator
        to several calls to continue one stream. Required when ``noise_cv`` > 0.
    decimals : int
        Rounding of the reported concentrations (ng/mL), >= 0.
    **options
        Passed to :func:`ketlearn.pk.simulate` (e.g. ``bioavailability``).

    Returns
    -------
    pandas.DataFrame
        Columns ``time_min`` and ``plasma_ng_per_ml``; ``attrs["simulated"]`` is True.

    Examples
    --------
    >>> reg = Regimen("iv_infusion", 0.5, 70.0, duration_min=40.0)
    >>> exact = sampled_profile(reg, [0, 40, 120], noise_cv=0.0)
    >>> exact["plasma_ng_per_ml"].tolist()
    [0.0, 240.4, 35.8]
    """
    t = check_array("times_min", times_min, unit="min", low=0, ndim=1, min_size=2)
    if not np.all(np.diff(t) > 0) or not np.all(t == np.round(t)):
        raise ValueError("times_min must be strictly increasing whole minutes (min)")
    noise_cv = check_number("noise_cv", noise_cv, unit="log-scale SD", low=0)
    decimals = int(check_number("decimals", decimals, unit="decimal places", low=0, integer=True))
    if noise_cv > 0 and not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator when noise_cv > 0")
    curve = simulate(regimen, preset, t_end_min=float(t.max()), dt_min=1.0, **options)
    exact = curve.set_index("time_min").loc[t, "plasma_ng_per_ml"].to_numpy()
    error = np.exp(rng.normal(0.0, noise_cv, t.size)) if noise_cv > 0 else 1.0
    out = pd.DataFrame({"time_min": t, "plasma_ng_per_ml": (exact * error).round(decimals)})
    out.attrs = {"simulated": True, "preset": curve.attrs["preset"], "noise_cv": noise_cv}
    return out


def simulated_crossover(
    seed: int, dose_mg_per_kg: float = 0.5, weight_kg: float = 70.0
) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """One SIMULATED person given the same mg/kg IV over 40 min and by mouth (notebook 02).

    The oral bioavailability is drawn uniformly between the low and high published values
    (:data:`ketlearn.pk.ROUTE_PARAMETERS` ``["oral"]``), then each occasion is sampled at
    :data:`CROSSOVER_TIMES_MIN` with 5 % log-normal assay noise, all from one
    :func:`numpy.random.default_rng` stream seeded with ``seed``. Domino model. Fictional data,
    not a dosing guide.

    Returns
    -------
    (iv, oral, f_true)
        The two sample tables (see :func:`sampled_profile`) and the drawn oral bioavailability
        (a fraction), which the analyst is meant to estimate.

    Examples
    --------
    >>> iv, oral, f = simulated_crossover(7)
    >>> len(iv), len(oral), 0.2 <= f <= 0.45
    (15, 15, True)
    """
    seed = int(check_number("seed", seed, unit="random seed", low=0, integer=True))
    rng = np.random.default_rng(seed)
    oral = ROUTE_PARAMETERS["oral"]
    f_true = float(rng.uniform(oral.f_low, oral.f_high))
    times = np.array(CROSSOVER_TIMES_MIN, dtype=float)
    iv = sampled_profile(
        Regimen("iv_infusion", dose_mg_per_kg, weight_kg, duration_min=40.0), times, rng=rng
    )
    by_mouth = sampled_profile(
        Regimen("oral", dose_mg_per_kg, weight_kg), times, rng=rng, bioavailability=f_true
    )
    return iv, by_mouth, f_true
