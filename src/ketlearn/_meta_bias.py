"""Small-study effects for :mod:`ketlearn.meta` (private): Egger's test and a SIMULATED literature.

The classic Egger regression is statsmodels ``WLS``; metafor's random-effects form (``"rma"``)
reuses the REML τ² of :mod:`ketlearn._meta_tau2`. :func:`simulate_studies` makes SIMULATED
studies with a publication filter for teaching; nothing in it describes real trials.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ketlearn._meta_tau2 import check_yv, tau2_reml
from ketlearn._validation import check_choice, check_number

__all__ = ["EggerResult", "egger_test", "simulate_studies"]


# ---------------------------------------------------------------------------------------------
# Small-study effects
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EggerResult:
    """Egger's regression test for funnel-plot asymmetry.

    ``coefficient`` is the slope on the standard error (equal to the intercept of the classic
    Egger regression of y/SE on 1/SE); ``statistic`` is t (``model="lm"``, df = k − 2) or z
    (``model="rma"``); ``limit_estimate`` is the predicted effect of an infinitely large study.
    """

    model: str
    k: int
    coefficient: float
    se: float
    statistic: float
    df: float
    p_value: float
    limit_estimate: float

    def summary(self) -> str:
        """The test in one line of words."""
        kind = "t" if self.model == "lm" else "z"
        return (
            f"Egger test ({self.model}), k = {self.k}: asymmetry coefficient "
            f"{self.coefficient:.3f} (SE {self.se:.3f}), {kind} = {self.statistic:.2f}, "
            f"p = {self.p_value:.3g}"
        )


def egger_test(estimates, variances, *, model: str = "lm") -> EggerResult:
    """Egger's regression test for funnel-plot asymmetry (small-study effects).

    Parameters
    ----------
    estimates, variances : array_like
        Study effects and sampling variances (at least 3 studies; the test has very little power
        below about 10 studies).
    model : {"lm", "rma"}
        ``"lm"``: the classic test [@egger1997bias], weighted least squares of y on SE with
        weights 1/v and a multiplicative error term, t test with k − 2 df (statsmodels ``WLS``).
        ``"rma"``: metafor's ``regtest()`` default, a random-effects meta-regression on SE with
        REML τ² and a z test.

    Examples
    --------
    >>> se = [0.1, 0.2, 0.3, 0.4]
    >>> r = egger_test([0.2, 0.2, 0.2, 0.2], [s**2 for s in se])
    >>> round(r.coefficient, 6), round(r.limit_estimate, 6)
    (0.0, 0.2)
    """
    model = check_choice("model", model, ["lm", "rma"])
    y, v = check_yv(estimates, variances, min_k=3)
    k = y.size
    sei = np.sqrt(v)
    x = np.column_stack([np.ones(k), sei])
    if model == "lm":
        import statsmodels.api as sm

        fit = sm.WLS(y, x, weights=1.0 / v).fit()
        coef, se = float(fit.params[1]), float(fit.bse[1])
        df = float(k - 2)
        stat = coef / se if se > 0 else 0.0
        p = float(2 * stats.t.sf(abs(stat), df))
        limit = float(fit.params[0])
    else:
        t2 = tau2_reml(y, v, x)
        w = 1.0 / (v + t2)
        xtwx = x.T @ (w[:, None] * x)
        cov = np.linalg.inv(xtwx)
        beta = cov @ (x.T @ (w * y))
        coef, se = float(beta[1]), float(math.sqrt(cov[1, 1]))
        df = float("inf")
        stat = coef / se
        p = float(2 * stats.norm.sf(abs(stat)))
        limit = float(beta[0])
    return EggerResult(model, k, coef, se, float(stat), df, p, limit)


# ---------------------------------------------------------------------------------------------
# A simulated literature (teaching small-study effects)
# ---------------------------------------------------------------------------------------------


def simulate_studies(
    k: int = 30,
    *,
    true_effect: float = 0.3,
    tau: float = 0.0,
    n_per_arm_min: int = 10,
    n_per_arm_max: int = 300,
    publish_nonsignificant: float = 1.0,
    seed=None,
) -> pd.DataFrame:
    """A SIMULATED set of two-arm studies of a standardised mean difference, with publication bias.

    Each study's true effect is drawn from N(``true_effect``, ``tau``²); its arm size is
    log-uniform between the limits; its estimate is N(true effect, 2/n) (the large-sample variance
    of an SMD near 0, per arm size n). A study "is published" if its result is significant
    (two-sided p < 0.05) in the favourable (positive) direction, otherwise only with probability
    ``publish_nonsignificant``. Nothing here describes real ketamine trials.

    Parameters
    ----------
    k : int
        Studies run (1 to 10 000).
    true_effect : float
        Mean true SMD (unitless, positive favours treatment).
    tau : float
        Between-study SD of true effects (SMD units, >= 0).
    n_per_arm_min, n_per_arm_max : int
        Range of people per arm (>= 2).
    publish_nonsignificant : float
        Probability in [0, 1] that a non-significant or unfavourable study is published
        (1 = no publication bias).
    seed : int or numpy.random.Generator, optional
        For reproducible runs.

    Returns
    -------
    pandas.DataFrame
        ``study``, ``n_per_arm``, ``true_effect``, ``estimate``, ``variance``, ``se``, ``p_value``,
        ``significant``, ``published``, ``simulated`` (always True).

    Examples
    --------
    >>> sims = simulate_studies(200, true_effect=0.0, publish_nonsignificant=0.1, seed=1)
    >>> bool(sims["simulated"].all()), len(sims)
    (True, 200)
    >>> published = sims[sims["published"]]
    >>> bool(published["estimate"].mean() > sims["estimate"].mean())  # the filter inflates
    True
    """
    k = check_number("k", k, unit="studies", low=1, high=10_000, integer=True)
    true_effect = check_number("true_effect", true_effect, unit="SMD")
    tau = check_number("tau", tau, unit="SMD", low=0)
    n_lo = check_number("n_per_arm_min", n_per_arm_min, unit="people", low=2, integer=True)
    n_hi = check_number("n_per_arm_max", n_per_arm_max, unit="people", low=n_lo, integer=True)
    q = check_number("publish_nonsignificant", publish_nonsignificant, unit="probability",
                     low=0, high=1)  # fmt: skip
    rng = np.random.default_rng(seed)
    n = np.round(np.exp(rng.uniform(np.log(n_lo), np.log(n_hi), k))).astype(int)
    theta = true_effect + tau * rng.standard_normal(k)
    v = 2.0 / n
    y = theta + np.sqrt(v) * rng.standard_normal(k)
    z = y / np.sqrt(v)
    p = 2 * stats.norm.sf(np.abs(z))
    significant = (p < 0.05) & (y > 0)
    published = significant | (rng.uniform(size=k) < q)
    return pd.DataFrame(
        {
            "study": [f"Simulated study {i + 1}" for i in range(k)],
            "n_per_arm": n,
            "true_effect": theta,
            "estimate": y,
            "variance": v,
            "se": np.sqrt(v),
            "p_value": p,
            "significant": significant,
            "published": published,
            "simulated": True,
        }
    )
