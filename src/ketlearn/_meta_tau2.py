"""Between-study variance (τ²) estimators for :mod:`ketlearn.meta` (private).

DerSimonian–Laird comes from statsmodels' ``combine_effects`` (truncated at 0: statsmodels 0.15
returns the negative moment estimate). Paule–Mandel and REML are solved here with
:func:`scipy.optimize.brentq` on their estimating equations: statsmodels has no REML τ², and its
iterative Paule–Mandel solver returned τ² = 0 for some orderings of the same studies. The REML
score also serves the meta-regression inside the random-effects Egger test.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import optimize

from ketlearn._validation import check_array

__all__ = ["TAU2_METHODS", "check_yv", "tau2", "tau2_reml"]

#: τ² estimators known to :func:`ketlearn.meta.pool` (``"FE"`` means no τ², a common effect).
TAU2_METHODS: tuple[str, ...] = ("FE", "DL", "PM", "REML")

_TOL = 1e-12


def check_yv(estimates, variances, *, min_k: int = 1) -> tuple[np.ndarray, np.ndarray]:
    y = check_array("estimates", estimates, ndim=1, min_size=min_k)
    v = check_array("variances", variances, ndim=1, min_size=min_k)
    if y.size != v.size:
        raise ValueError(
            f"estimates and variances must have the same length; got {y.size} and {v.size}"
        )
    if np.any(v <= 0):
        i = int(np.argmax(v <= 0))
        raise ValueError(
            f"variances must be > 0 (squared outcome units); study {i} has variance {v[i]!r}"
        )
    return y, v


# ---------------------------------------------------------------------------------------------
# τ² estimators
# ---------------------------------------------------------------------------------------------


def _tau2_dl(y: np.ndarray, v: np.ndarray) -> float:
    from statsmodels.stats.meta_analysis import combine_effects

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = combine_effects(y, v, method_re="dl")
    return max(float(res.tau2), 0.0)


def _pm_equation(tau2: float, y: np.ndarray, v: np.ndarray) -> float:
    """Generalised Q(τ²) − (k − 1); decreasing in τ², its root is the Paule–Mandel τ²."""
    w = 1.0 / (v + tau2)
    mu = np.sum(w * y) / np.sum(w)
    return float(np.sum(w * (y - mu) ** 2) - (y.size - 1))


def _tau2_pm(y: np.ndarray, v: np.ndarray) -> float:
    if _pm_equation(0.0, y, v) <= 0:
        return 0.0
    hi = max(float(np.var(y)) * 10, float(v.max()), 1e-8)
    for _ in range(200):
        if _pm_equation(hi, y, v) < 0:
            break
        hi *= 4
    return float(optimize.brentq(_pm_equation, 0.0, hi, args=(y, v), xtol=_TOL, rtol=1e-14))


def _reml_score(tau2: float, y: np.ndarray, v: np.ndarray, x: np.ndarray) -> float:
    """Derivative (×2) of the restricted log-likelihood with respect to τ²."""
    w = 1.0 / (v + tau2)
    xtwx = x.T @ (w[:, None] * x)
    inv = np.linalg.inv(xtwx)
    beta = inv @ (x.T @ (w * y))
    r = y - x @ beta
    # P = W - W X (X'WX)^-1 X'W ; score = y'PPy - tr(P)
    py = w * r
    tr_p = w.sum() - np.trace(inv @ (x.T @ ((w**2)[:, None] * x)))
    return float(py @ py - tr_p)


def tau2_reml(y: np.ndarray, v: np.ndarray, x: np.ndarray | None = None) -> float:
    if x is None:
        x = np.ones((y.size, 1))
    if _reml_score(0.0, y, v, x) <= 0:
        return 0.0
    hi = max(float(np.var(y)) * 10, float(v.max()), 1e-8)
    for _ in range(200):
        if _reml_score(hi, y, v, x) < 0:
            break
        hi *= 4
    return float(optimize.brentq(_reml_score, 0.0, hi, args=(y, v, x), xtol=_TOL, rtol=1e-14))


def tau2(y: np.ndarray, v: np.ndarray, method: str) -> float:
    if method == "FE":
        return 0.0
    if method == "DL":
        return _tau2_dl(y, v)
    if method == "PM":
        return _tau2_pm(y, v)
    return tau2_reml(y, v)
