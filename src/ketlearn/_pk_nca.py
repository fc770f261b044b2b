"""Non-compartmental read-outs of a sampled concentration profile, for :mod:`ketlearn.pk` (private).

Two textbook calculations that need no model: the area under the curve by the linear
trapezoidal rule, and the terminal half-life from a straight line fitted to ln(concentration)
against time over the samples the caller says belong to the terminal phase. Notebook 02 asks
students to write both; these are the fallbacks its later cells use when a student's version is
missing or wrong. Choosing where the terminal phase starts is a judgement (look at the curve on a
log scale), so the caller makes it: nothing here guesses.

The trapezoid comes from :func:`scipy.integrate.trapezoid` and the line from
:func:`numpy.polyfit`; this module only checks inputs and converts units.
"""

from __future__ import annotations

import numpy as np

from ketlearn._validation import check_array, check_number

__all__ = ["auc_trapezoid_ng_h_per_ml", "terminal_half_life_min"]


def _profile(time_min, conc_ng_per_ml) -> tuple[np.ndarray, np.ndarray]:
    t = check_array("time_min", time_min, unit="min", low=0, ndim=1, min_size=2)
    c = check_array("conc_ng_per_ml", conc_ng_per_ml, unit="ng/mL", low=0, ndim=1, min_size=2)
    if t.size != c.size:
        raise ValueError(
            f"time_min and conc_ng_per_ml must have the same length; got {t.size} and {c.size}"
        )
    if not np.all(np.diff(t) > 0):
        raise ValueError("time_min must be strictly increasing (min)")
    return t, c


def auc_trapezoid_ng_h_per_ml(time_min, conc_ng_per_ml) -> float:
    """Area under a sampled concentration curve by the linear trapezoidal rule, in ng·h/mL.

    From the first to the last sample, not extrapolated. The samples may be unevenly spaced.

    Parameters
    ----------
    time_min : array_like
        Sampling times (min), strictly increasing, >= 0.
    conc_ng_per_ml : array_like
        Concentrations at those times (ng/mL), >= 0.

    Returns
    -------
    float
        AUC from the first to the last time (ng·h/mL).

    Examples
    --------
    >>> auc_trapezoid_ng_h_per_ml([0, 30, 90], [0, 100, 40])  # (30·50 + 60·70) / 60
    95.0
    """
    from scipy.integrate import trapezoid

    t, c = _profile(time_min, conc_ng_per_ml)
    return float(trapezoid(c, t)) / 60.0


def terminal_half_life_min(time_min, conc_ng_per_ml, t_from_min: float) -> float:
    """Terminal half-life (min) from a log-linear fit to the samples taken at or after ``t_from_min``.

    Fits ln(C) = a − λz·t by least squares and returns ln 2 / λz.

    Parameters
    ----------
    time_min : array_like
        Sampling times (min), strictly increasing, >= 0.
    conc_ng_per_ml : array_like
        Concentrations (ng/mL); those used in the fit must be > 0.
    t_from_min : float
        First time (min) of the terminal phase, chosen by looking at the curve on a log scale.
        At least two samples must lie at or after it.

    Returns
    -------
    float
        Terminal half-life (min).

    Examples
    --------
    >>> round(terminal_half_life_min([0, 60, 120, 180], [80, 40, 20, 10], t_from_min=60), 6)
    60.0
    """
    t, c = _profile(time_min, conc_ng_per_ml)
    start = check_number("t_from_min", t_from_min, unit="min", low=0)
    keep = t >= start
    if keep.sum() < 2:
        raise ValueError(
            f"t_from_min must leave at least 2 samples in the fit (min); got {t_from_min!r}"
        )
    if (c[keep] <= 0).any():
        raise ValueError("conc_ng_per_ml must be > 0 (ng/mL) at the samples used in the fit")
    slope = float(np.polyfit(t[keep], np.log(c[keep]), 1)[0])
    if slope >= 0:
        raise ValueError("the samples after t_from_min do not fall: no terminal half-life")
    return float(np.log(2.0) / -slope)
