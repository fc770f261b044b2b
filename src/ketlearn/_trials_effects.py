"""Effect estimates for reading trials (private; public names in :mod:`ketlearn.trials`).

Mean differences, Cohen's d and Hedges' g, risk differences and the two ratio measures, each
returned as an :class:`EffectEstimate`. CI-to-SE recovery, the CI check and the 2 × 2 log
ratios with their zero-cell policy are not written here: they come from
:mod:`ketlearn._effectsize`, the one implementation shared with :mod:`ketlearn.meta`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from scipy import stats

from ketlearn._effectsize import CONTINUITY_CORRECTION, log_ratio_from_counts, z_quantile
from ketlearn._effectsize import check_ci as _check_ci
from ketlearn._effectsize import se_from_ci as _se_from_ci
from ketlearn._validation import check_choice, check_number

__all__ = [
    "CONTINUITY_CORRECTION",
    "EffectEstimate",
    "check_ci",
    "cohens_d",
    "hedges_g",
    "mean_difference",
    "odds_ratio",
    "risk_difference",
    "risk_ratio",
    "se_from_ci",
]


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EffectEstimate:
    """An effect estimate with its confidence interval.

    Attributes
    ----------
    measure : str
        ``mean_difference``, ``cohens_d``, ``hedges_g``, ``risk_difference``, ``risk_ratio``
        or ``odds_ratio``.
    estimate, ci_low, ci_high : float
        Point estimate and confidence limits (scale points, standardised units, proportions or
        ratios, as the measure implies).
    ci_level : float
        Confidence level, e.g. 0.95.
    se : float
        Standard error (of the log ratio for ratio measures).
    method : str
        How the interval was computed, including any continuity correction.
    """

    measure: str
    estimate: float
    ci_low: float
    ci_high: float
    ci_level: float
    se: float
    method: str = ""

    def as_dict(self) -> dict:
        """Plain ``dict`` of the fields."""
        return asdict(self)

    def __iter__(self):
        """Unpack as ``(estimate, ci_low, ci_high)``, the shape students' functions return.

        >>> rd, low, high = EffectEstimate("risk_difference", 0.1, -0.2, 0.4, 0.95, 0.15)
        >>> (rd, low, high)
        (0.1, -0.2, 0.4)
        """
        return iter((self.estimate, self.ci_low, self.ci_high))

    def __str__(self) -> str:
        pct = f"{self.ci_level * 100:g}%"
        return (
            f"{self.measure} {self.estimate:.4g} ({pct} CI {self.ci_low:.4g} to {self.ci_high:.4g})"
        )


def _z(ci_level: float) -> float:
    return z_quantile(ci_level)


def check_ci(estimate: float, ci_low: float, ci_high: float, *, name: str = "estimate") -> None:
    """Raise :class:`ValueError` unless ``ci_low <= estimate <= ci_high``.

    The check is :func:`ketlearn._effectsize.check_ci`, shared with :mod:`ketlearn.meta`.

    >>> check_ci(-4.0, -7.31, -0.64)
    >>> check_ci(2.0, 0.5, 1.5, name="odds_ratio")
    Traceback (most recent call last):
    ...
    ValueError: the confidence interval of odds_ratio (0.5 to 1.5) does not contain its estimate 2: check the sign convention and the columns
    """
    _check_ci(estimate, ci_low, ci_high, name=name)


def se_from_ci(
    estimate: float, ci_low: float, ci_high: float, *, ci_level: float = 0.95, ratio: bool = False
) -> float:
    """Standard error recovered from a published symmetric confidence interval (unrounded).

    A thin wrapper of the one implementation in :mod:`ketlearn._effectsize` (also behind
    :func:`ketlearn.meta.se_from_ci`, which spells ``ratio`` as ``log_scale`` and rounds to 4
    decimals by default). For a ratio (``ratio=True``) the interval is symmetric on the log
    scale and the returned SE is that of the log ratio. The estimate must lie inside the
    interval.

    >>> round(se_from_ci(-4.0, -7.31, -0.64), 3)  # TRANSFORM-2: published SE 1.69
    1.702
    >>> round(se_from_ci(0.49, 0.29, 0.84, ratio=True), 3)
    0.271
    """
    return _se_from_ci(estimate, ci_low, ci_high, ci_level=ci_level, log_scale=ratio)


# --------------------------------------------------------------------------------------------
# Continuous outcomes
# --------------------------------------------------------------------------------------------
def _check_arm(prefix: str, mean: float, sd: float, n: int) -> tuple[float, float, int]:
    m = check_number(f"mean_{prefix}", mean, unit="scale points")
    s = check_number(f"sd_{prefix}", sd, unit="scale points", low=0, low_inclusive=False)
    k = check_number(f"n_{prefix}", n, unit="participants", low=2, integer=True)
    return m, s, k


def _pooled_sd(sd_t: float, n_t: int, sd_c: float, n_c: int) -> float:
    return math.sqrt(((n_t - 1) * sd_t**2 + (n_c - 1) * sd_c**2) / (n_t + n_c - 2))


def mean_difference(
    mean_t: float,
    sd_t: float,
    n_t: int,
    mean_c: float,
    sd_c: float,
    n_c: int,
    *,
    ci_level: float = 0.95,
    equal_var: bool = True,
) -> EffectEstimate:
    """Difference in means (treatment minus control) with a t-based confidence interval.

    Parameters
    ----------
    mean_t, sd_t, n_t : float, float, int
        Mean and standard deviation (scale points) and size of the treatment arm.
    mean_c, sd_c, n_c : float, float, int
        The same for the control arm.
    ci_level : float
        Confidence level, default 0.95.
    equal_var : bool
        ``True``: pooled SD and n_t + n_c - 2 degrees of freedom (Student). ``False``: Welch.

    Returns
    -------
    EffectEstimate
        On MADRS/HDRS change scores a negative value favours treatment.

    Examples
    --------
    Singh 2016, twice-weekly arms, change to day 15 [@singh2016doubleblind]; the per-arm sizes
    here are made up for the example:

    >>> print(mean_difference(-18.4, 12.0, 17, -5.7, 10.2, 17))
    mean_difference -12.7 (95% CI -20.48 to -4.919)
    """
    mt, st, nt = _check_arm("t", mean_t, sd_t, n_t)
    mc, sc, nc = _check_arm("c", mean_c, sd_c, n_c)
    diff = mt - mc
    if equal_var:
        sp = _pooled_sd(st, nt, sc, nc)
        se = sp * math.sqrt(1 / nt + 1 / nc)
        df = nt + nc - 2
        method = "Student t, pooled SD"
    else:
        vt, vc = st**2 / nt, sc**2 / nc
        se = math.sqrt(vt + vc)
        df = (vt + vc) ** 2 / (vt**2 / (nt - 1) + vc**2 / (nc - 1))
        method = "Welch t"
    _z(ci_level)
    t = float(stats.t.ppf(0.5 + ci_level / 2, df))
    return EffectEstimate(
        "mean_difference", diff, diff - t * se, diff + t * se, ci_level, se, method
    )


def cohens_d(
    mean_t: float,
    sd_t: float,
    n_t: int,
    mean_c: float,
    sd_c: float,
    n_c: int,
    *,
    ci_level: float = 0.95,
) -> EffectEstimate:
    """Cohen's d: the mean difference divided by the pooled SD, with a normal-theory CI.

    The variance used is the usual large-sample approximation
    ``(n_t + n_c)/(n_t n_c) + d**2 / (2 (n_t + n_c))``; tests check the interval's coverage by
    simulation.

    >>> print(cohens_d(103, 5.5, 50, 100, 4.5, 50))
    cohens_d 0.597 (95% CI 0.1964 to 0.9977)
    """
    mt, st, nt = _check_arm("t", mean_t, sd_t, n_t)
    mc, sc, nc = _check_arm("c", mean_c, sd_c, n_c)
    d = (mt - mc) / _pooled_sd(st, nt, sc, nc)
    se = math.sqrt((nt + nc) / (nt * nc) + d**2 / (2 * (nt + nc)))
    z = _z(ci_level)
    return EffectEstimate("cohens_d", d, d - z * se, d + z * se, ci_level, se, "normal approx.")


def hedges_g(
    mean_t: float,
    sd_t: float,
    n_t: int,
    mean_c: float,
    sd_c: float,
    n_c: int,
    *,
    ci_level: float = 0.95,
) -> EffectEstimate:
    """Hedges' g: Cohen's d times the small-sample correction ``J = 1 - 3 / (4 N - 9)``.

    ``N = n_t + n_c``; the correction is Hedges' c(N - 2) = 1 - 3/(4(N - 2) - 1)
    [@johnsonndmetaanalytic]. The SE is J times the SE of d.

    >>> print(hedges_g(103, 5.5, 50, 100, 4.5, 50))
    hedges_g 0.5924 (95% CI 0.1949 to 0.99)
    """
    d = cohens_d(mean_t, sd_t, n_t, mean_c, sd_c, n_c, ci_level=ci_level)
    j = 1 - 3 / (4 * (int(n_t) + int(n_c)) - 9)
    g, se = j * d.estimate, j * d.se
    z = _z(ci_level)
    return EffectEstimate("hedges_g", g, g - z * se, g + z * se, ci_level, se, f"J = {j:.4f}")


# --------------------------------------------------------------------------------------------
# Binary outcomes
# --------------------------------------------------------------------------------------------
def _check_counts(events_t: int, n_t: int, events_c: int, n_c: int) -> tuple[int, int, int, int]:
    nt = check_number("n_t", n_t, unit="participants", low=1, integer=True)
    nc = check_number("n_c", n_c, unit="participants", low=1, integer=True)
    et = check_number("events_t", events_t, unit="participants", low=0, integer=True)
    ec = check_number("events_c", events_c, unit="participants", low=0, integer=True)
    if et > nt:
        raise ValueError(f"events_t ({et}) cannot be greater than n_t ({nt})")
    if ec > nc:
        raise ValueError(f"events_c ({ec}) cannot be greater than n_c ({nc})")
    return et, nt, ec, nc


def _log_ratio(et: int, nt: int, ec: int, nc: int, measure: str) -> tuple[float, float, bool]:
    """Log ratio, its SE and whether the zero-cell correction was applied (shared policy)."""
    y, v, corrected = log_ratio_from_counts(
        et, nt, ec, nc, measure=measure, names=("events_t", "n_t", "events_c", "n_c")
    )
    return float(y[0]), math.sqrt(float(v[0])), bool(corrected[0])


def risk_difference(
    events_t: int,
    n_t: int,
    events_c: int,
    n_c: int,
    *,
    ci_level: float = 0.95,
    method: str = "wald",
) -> EffectEstimate:
    """Risk difference (treatment minus control, as a proportion) with a confidence interval.

    Parameters
    ----------
    events_t, n_t, events_c, n_c : int
        Events and participants in each arm.
    method : {"wald", "newcombe"}
        ``wald``: p ± z·SE (can misbehave near 0 or 1 and with small arms); ``newcombe``:
        Newcombe's hybrid score interval from statsmodels, better for small trials. Neither
        needs a continuity correction.

    >>> print(risk_difference(12, 20, 10, 20))  # Lii 2023, response on day 1
    risk_difference 0.1 (95% CI -0.2069 to 0.4069)
    """
    et, nt, ec, nc = _check_counts(events_t, n_t, events_c, n_c)
    check_choice("method", method, ["wald", "newcombe"])
    pt, pc = et / nt, ec / nc
    rd = pt - pc
    se = math.sqrt(pt * (1 - pt) / nt + pc * (1 - pc) / nc)
    z = _z(ci_level)
    if method == "wald":
        lo, hi = rd - z * se, rd + z * se
        how = "Wald"
    else:
        from statsmodels.stats.proportion import confint_proportions_2indep

        lo, hi = confint_proportions_2indep(
            et, nt, ec, nc, method="newcomb", compare="diff", alpha=1 - ci_level
        )
        how = "Newcombe hybrid score"
    return EffectEstimate("risk_difference", rd, float(lo), float(hi), ci_level, se, how)


def risk_ratio(
    events_t: int, n_t: int, events_c: int, n_c: int, *, ci_level: float = 0.95
) -> EffectEstimate:
    """Risk ratio (treatment / control) with the Katz log interval.

    A zero cell triggers the 0.5 continuity correction (the package's one zero-cell policy, see :mod:`ketlearn.trials`), reported in
    ``method``.

    >>> print(risk_ratio(24, 90, 39, 86))  # SUSTAIN-1 stable remitters, relapse
    risk_ratio 0.588 (95% CI 0.3888 to 0.8894)
    """
    et, nt, ec, nc = _check_counts(events_t, n_t, events_c, n_c)
    log_rr, se, corrected = _log_ratio(et, nt, ec, nc, "risk_ratio")
    rr = math.exp(log_rr)
    z = _z(ci_level)
    how = "Katz log interval" + (" with 0.5 added to every cell" if corrected else "")
    return EffectEstimate(
        "risk_ratio", rr, rr * math.exp(-z * se), rr * math.exp(z * se), ci_level, se, how
    )


def odds_ratio(
    events_t: int, n_t: int, events_c: int, n_c: int, *, ci_level: float = 0.95
) -> EffectEstimate:
    """Odds ratio (treatment / control) with the Woolf log interval.

    A zero cell triggers the 0.5 continuity correction, reported in ``method``.

    >>> print(odds_ratio(12, 20, 10, 20))
    odds_ratio 1.5 (95% CI 0.4287 to 5.248)
    """
    et, nt, ec, nc = _check_counts(events_t, n_t, events_c, n_c)
    log_or, se, corrected = _log_ratio(et, nt, ec, nc, "odds_ratio")
    orr = math.exp(log_or)
    z = _z(ci_level)
    how = "Woolf log interval" + (" with 0.5 added to every cell" if corrected else "")
    return EffectEstimate(
        "odds_ratio", orr, orr * math.exp(-z * se), orr * math.exp(z * se), ci_level, se, how
    )
