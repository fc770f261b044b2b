"""Reading trials: effect sizes with confidence intervals, NNT, power, and a trial simulator.

Design reasons
--------------
- **One sign convention everywhere.** Differences are *treatment minus control*. On depression
  scales (MADRS, HDRS) a lower score is better, so a negative mean difference favours treatment.
  Risk differences are proportions (0.142 = 14.2 percentage points), treatment minus control.
  Whether a positive risk difference is good news depends on the event (response is wanted,
  relapse is not); :func:`number_needed_to_treat` asks which, and never guesses.
- **Library first.** Power and sample size come from :mod:`statsmodels.stats.power`, Newcombe's
  interval for a risk difference from :func:`statsmodels.stats.proportion.confint_proportions_2indep`
  and t quantiles from :mod:`scipy.stats`. The few closed-form formulas written here (pooled
  mean difference, Cohen's d and Hedges' g, Woolf and Katz log intervals) are checked against
  scipy and statsmodels in ``tests/test_trials.py``.
- **Zero cells.** Ratio measures are undefined when a cell of the 2x2 table is zero. We then add
  0.5 to every cell (the "standard" continuity correction that RevMan applies) and say so in
  the result's ``method``. This correction pulls estimates towards "no effect"
  [@ades2025continuity]. (statsmodels' ``Table2x2(shift_zeros=True)`` differs: it adds 0.5 only
  to the zero cells.) With no events in *either* arm a ratio
  says nothing, and we raise :class:`ValueError` rather than invent one.
- **NNT said plainly.** A risk difference of exactly zero gives no NNT (1/0), and a confidence
  interval that includes zero gives an NNT interval that passes through infinity, written
  ``NNTB a to ∞ to NNTH b`` as recommended by Altman [@altman1998confidence].
- **A simulator students can break.** :func:`simulate_trials` runs many two-arm trials at once
  (arrays of shape trials x patients) with placebo response, regression to the mean (selection on
  a noisy screening score), dropout, functional unblinding (a side effect such as dissociation
  reveals allocation and shifts expectancy) and an active placebo that mimics the side effect.
  Every mechanism is off unless asked for, so the plain trial is unbiased and each bias can be
  switched on alone. The default numbers are *illustrative*, loosely based on published
  summaries (sources in :class:`TrialDesign`); they are not estimates of any trial.

What the simulator leaves out: informative dropout (here dropout is completely at random, so it
costs power but not bias), ceiling and floor effects of the scale (no clipping in
:func:`simulate_trials`), rater unblinding, heterogeneous treatment effects, covariate-adjusted
(ANCOVA/MMRM) analysis, and crossover designs. Educational material, not medical advice.

Examples
--------
>>> r = mean_difference(-20.0, 12.0, 100, -16.0, 12.0, 100)
>>> print(r)
mean_difference -4 (95% CI -7.347 to -0.6534)
>>> print(number_needed_to_treat(0.10, -0.05, 0.25))
NNTB 10 (95% CI NNTB 4 to ∞ to NNTH 20)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import stats

from ._validation import check_array, check_choice, check_number

__all__ = [
    "CONTINUITY_CORRECTION",
    "IPD_EXERCISE_PRESET",
    "EffectEstimate",
    "NNTResult",
    "SimulationResult",
    "TrialDesign",
    "check_ci",
    "cohens_d",
    "hedges_g",
    "mean_difference",
    "number_needed_to_treat",
    "odds_ratio",
    "power_two_proportions",
    "power_two_sample",
    "remission",
    "response",
    "risk_difference",
    "risk_ratio",
    "sample_size_two_proportions",
    "sample_size_two_sample",
    "se_from_ci",
    "simulate_patients",
    "simulate_trials",
]

#: Added to every cell of a 2x2 table that has a zero cell, before a ratio is computed.
CONTINUITY_CORRECTION = 0.5


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

    def __str__(self) -> str:
        pct = f"{self.ci_level * 100:g}%"
        return (
            f"{self.measure} {self.estimate:.4g} ({pct} CI {self.ci_low:.4g} to {self.ci_high:.4g})"
        )


def _z(ci_level: float) -> float:
    check_number("ci_level", ci_level, low=0, high=1, low_inclusive=False, high_inclusive=False)
    return float(stats.norm.ppf(0.5 + ci_level / 2))


def check_ci(estimate: float, ci_low: float, ci_high: float, *, name: str = "estimate") -> None:
    """Raise :class:`ValueError` unless ``ci_low <= estimate <= ci_high``.

    >>> check_ci(-4.0, -7.31, -0.64)
    >>> check_ci(2.0, 0.5, 1.5, name="odds_ratio")
    Traceback (most recent call last):
    ...
    ValueError: the confidence interval of odds_ratio (0.5 to 1.5) does not contain its estimate 2
    """
    for label, v in (("estimate", estimate), ("ci_low", ci_low), ("ci_high", ci_high)):
        check_number(label, v)
    if ci_low > ci_high:
        raise ValueError(
            f"the confidence interval of {name} is reversed: ci_low {ci_low:g} > ci_high {ci_high:g}"
        )
    if not ci_low <= estimate <= ci_high:
        raise ValueError(
            f"the confidence interval of {name} ({ci_low:g} to {ci_high:g}) does not contain its "
            f"estimate {estimate:g}"
        )


def se_from_ci(
    estimate: float, ci_low: float, ci_high: float, *, ci_level: float = 0.95, ratio: bool = False
) -> float:
    """Standard error recovered from a published symmetric confidence interval.

    For a ratio (``ratio=True``) the interval is symmetric on the log scale and the returned SE
    is that of the log ratio. The estimate must lie inside the interval.

    >>> round(se_from_ci(-4.0, -7.31, -0.64), 3)  # TRANSFORM-2: published SE 1.69
    1.702
    >>> round(se_from_ci(0.49, 0.29, 0.84, ratio=True), 3)
    0.271
    """
    check_ci(estimate, ci_low, ci_high)
    z = _z(ci_level)
    if ratio:
        for label, v in (("estimate", estimate), ("ci_low", ci_low)):
            check_number(label, v, low=0, low_inclusive=False)
        return (math.log(ci_high) - math.log(ci_low)) / (2 * z)
    return (ci_high - ci_low) / (2 * z)


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


def _cells(et: int, nt: int, ec: int, nc: int, measure: str) -> tuple[float, ...]:
    if et == 0 and ec == 0:
        raise ValueError(
            f"{measure} is undefined with no events in either arm (0/{nt} vs 0/{nc}); "
            "report the risk difference instead"
        )
    if et == nt and ec == nc:
        raise ValueError(
            f"{measure} is undefined when every participant in both arms has the event "
            f"({et}/{nt} vs {ec}/{nc}); report the risk difference instead"
        )
    a, b, c, d = float(et), float(nt - et), float(ec), float(nc - ec)
    if min(a, b, c, d) == 0:
        k = CONTINUITY_CORRECTION
        return a + k, b + k, c + k, d + k, True
    return a, b, c, d, False


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

    A zero cell triggers the 0.5 continuity correction (see module notes), reported in
    ``method``.

    >>> print(risk_ratio(24, 90, 39, 86))  # SUSTAIN-1 stable remitters, relapse
    risk_ratio 0.588 (95% CI 0.3888 to 0.8894)
    """
    et, nt, ec, nc = _check_counts(events_t, n_t, events_c, n_c)
    a, b, c, d, corrected = _cells(et, nt, ec, nc, "risk_ratio")
    rr = (a / (a + b)) / (c / (c + d))
    se = math.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d))
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
    a, b, c, d, corrected = _cells(et, nt, ec, nc, "odds_ratio")
    orr = (a * d) / (b * c)
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    z = _z(ci_level)
    how = "Woolf log interval" + (" with 0.5 added to every cell" if corrected else "")
    return EffectEstimate(
        "odds_ratio", orr, orr * math.exp(-z * se), orr * math.exp(z * se), ci_level, se, how
    )


# --------------------------------------------------------------------------------------------
# NNT
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NNTResult:
    """Number needed to treat, with Altman's wording for its interval.

    Attributes
    ----------
    kind : str
        ``"NNTB"`` (benefit), ``"NNTH"`` (harm) or ``"undefined"`` (no difference).
    value : float
        The NNT as a positive number (``inf`` when undefined). Conventionally rounded *up* for
        reporting: see ``rounded``.
    ci_text : str
        The interval in words, e.g. ``"NNTB 4 to ∞ to NNTH 20"``.
    spans_infinity : bool
        Whether the interval of the risk difference includes zero.
    benefit_rd, benefit_ci : float, tuple
        The risk difference re-signed so that positive means benefit, and its interval.
    """

    kind: str
    value: float
    ci_text: str
    spans_infinity: bool
    benefit_rd: float
    benefit_ci: tuple[float, float]

    @property
    def rounded(self) -> float:
        """The NNT rounded up to a whole person (``inf`` when undefined)."""
        return math.ceil(self.value - 1e-9) if math.isfinite(self.value) else math.inf

    def __str__(self) -> str:
        if self.kind == "undefined":
            return f"NNT undefined: no difference between arms (95% CI {self.ci_text})"
        return f"{self.kind} {self.value:.3g} (95% CI {self.ci_text})"


def _fmt_nnt(x: float) -> str:
    return f"{x:.3g}"


def number_needed_to_treat(
    rd: float, ci_low: float, ci_high: float, *, outcome_is_good: bool = True
) -> NNTResult:
    """NNT from a risk difference (treatment minus control) and its confidence interval.

    Parameters
    ----------
    rd, ci_low, ci_high : float
        Risk difference and its interval, as proportions in [-1, 1].
    outcome_is_good : bool
        ``True`` when the event is wanted (response, remission): a positive ``rd`` is benefit.
        ``False`` when it is not (relapse, adverse event): a negative ``rd`` is benefit.

    Returns
    -------
    NNTResult
        NNTB when the treatment helps, NNTH when it harms. When the interval of the risk
        difference includes 0 the NNT interval runs through infinity and is written
        ``NNTB a to ∞ to NNTH b`` [@altman1998confidence]. A risk difference of exactly 0
        gives no NNT at all ("undefined").

    Examples
    --------
    Newcombe's example: an absolute risk reduction of -5% to +25%:

    >>> print(number_needed_to_treat(0.10, -0.05, 0.25))
    NNTB 10 (95% CI NNTB 4 to ∞ to NNTH 20)
    >>> print(number_needed_to_treat(0.0, -0.1, 0.1))
    NNT undefined: no difference between arms (95% CI NNTB 10 to ∞ to NNTH 10)
    """
    for label, v in (("rd", rd), ("ci_low", ci_low), ("ci_high", ci_high)):
        check_number(label, v, low=-1, high=1)
    check_ci(rd, ci_low, ci_high, name="rd")
    if not isinstance(outcome_is_good, bool):
        raise ValueError(f"outcome_is_good must be True or False; got {outcome_is_good!r}")
    sign = 1.0 if outcome_is_good else -1.0
    b = sign * rd
    lo, hi = sorted((sign * ci_low, sign * ci_high))

    def side(x: float) -> str:
        return f"NNTB {_fmt_nnt(1 / x)}" if x > 0 else f"NNTH {_fmt_nnt(-1 / x)}"

    spans = lo <= 0 <= hi
    if lo > 0:  # all benefit: NNTB from 1/hi to 1/lo
        text = f"NNTB {_fmt_nnt(1 / hi)} to {_fmt_nnt(1 / lo)}"
    elif hi < 0:  # all harm
        text = f"NNTH {_fmt_nnt(-1 / lo)} to {_fmt_nnt(-1 / hi)}"
    elif lo == 0 and hi == 0:
        text = "∞ (no difference at either limit)"
    elif lo == 0:
        text = f"{side(hi)} to ∞"
    elif hi == 0:
        text = f"∞ to {side(lo)}"
    else:
        text = f"{side(hi)} to ∞ to {side(lo)}"
    if b > 0:
        kind, value = "NNTB", 1 / b
    elif b < 0:
        kind, value = "NNTH", -1 / b
    else:
        kind, value = "undefined", math.inf
    return NNTResult(kind, value, text, spans, b, (lo, hi))


# --------------------------------------------------------------------------------------------
# Response and remission from scale scores
# --------------------------------------------------------------------------------------------
def response(baseline, followup, *, fraction: float = 0.5) -> np.ndarray:
    """Response: a fall of at least ``fraction`` (default 50%) from baseline.

    The 50% definition is the one used in the trials in this course (e.g. TRANSFORM, ELEKT-D
    [@katz2021benefit; @anand2023ketamine]). Scores must be >= 0 and baselines > 0.

    >>> response([30, 30, 40], [15, 16, 10]).tolist()
    [True, False, True]
    """
    base = check_array("baseline", baseline, unit="scale points", low=0, low_inclusive=False)
    fu = check_array("followup", followup, unit="scale points", low=0)
    check_number("fraction", fraction, low=0, high=1, low_inclusive=False)
    if base.shape != fu.shape:
        raise ValueError(
            f"baseline and followup must have the same shape; got {base.shape} and {fu.shape}"
        )
    return (base - fu) / base >= fraction - 1e-12


def remission(followup, *, cutoff: float = 12) -> np.ndarray:
    """Remission: a follow-up score at or below ``cutoff``.

    Default MADRS <= 12, the definition in the esketamine programme [@katz2021benefit]; other
    trials use MADRS <= 10 or HDRS <= 7, so always check the paper's definition.

    >>> remission([12, 13, 4]).tolist()
    [True, False, True]
    """
    fu = check_array("followup", followup, unit="scale points", low=0)
    check_number("cutoff", cutoff, unit="scale points", low=0)
    return fu <= cutoff


# --------------------------------------------------------------------------------------------
# Power and sample size (statsmodels)
# --------------------------------------------------------------------------------------------
def power_two_sample(effect_size_d: float, n_per_arm: int, *, alpha: float = 0.05) -> float:
    """Power of a two-sided two-sample t test (statsmodels ``TTestIndPower``).

    >>> round(power_two_sample(0.5, 64), 3)
    0.801
    """
    from statsmodels.stats.power import TTestIndPower

    d = check_number("effect_size_d", effect_size_d)
    n = check_number("n_per_arm", n_per_arm, unit="participants", low=2, integer=True)
    a = check_number("alpha", alpha, low=0, high=1, low_inclusive=False, high_inclusive=False)
    return float(TTestIndPower().power(effect_size=abs(d), nobs1=n, alpha=a, ratio=1.0))


def sample_size_two_sample(effect_size_d: float, *, power: float = 0.8, alpha: float = 0.05) -> int:
    """Participants per arm for a two-sided two-sample t test, rounded up.

    >>> sample_size_two_sample(0.5)
    64
    """
    from statsmodels.stats.power import TTestIndPower

    d = check_number("effect_size_d", effect_size_d)
    if d == 0:
        raise ValueError("effect_size_d must not be 0: no sample size detects a zero effect")
    p = check_number("power", power, low=0, high=1, low_inclusive=False, high_inclusive=False)
    a = check_number("alpha", alpha, low=0, high=1, low_inclusive=False, high_inclusive=False)
    n = TTestIndPower().solve_power(effect_size=abs(d), power=p, alpha=a, ratio=1.0)
    return math.ceil(float(n) - 1e-9)


def power_two_proportions(p_t: float, p_c: float, n_per_arm: int, *, alpha: float = 0.05) -> float:
    """Power to detect response rates ``p_t`` vs ``p_c`` (arcsine effect size, normal test).

    >>> round(power_two_proportions(0.693, 0.52, 114), 2)  # TRANSFORM-2 response rates
    0.77
    """
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    pt = check_number("p_t", p_t, low=0, high=1)
    pc = check_number("p_c", p_c, low=0, high=1)
    n = check_number("n_per_arm", n_per_arm, unit="participants", low=2, integer=True)
    a = check_number("alpha", alpha, low=0, high=1, low_inclusive=False, high_inclusive=False)
    h = abs(float(proportion_effectsize(pt, pc)))
    return float(NormalIndPower().power(effect_size=h, nobs1=n, alpha=a, ratio=1.0))


def sample_size_two_proportions(
    p_t: float, p_c: float, *, power: float = 0.8, alpha: float = 0.05
) -> int:
    """Participants per arm to detect ``p_t`` vs ``p_c`` (arcsine effect size), rounded up.

    >>> sample_size_two_proportions(0.5, 0.3)
    93
    """
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    pt = check_number("p_t", p_t, low=0, high=1)
    pc = check_number("p_c", p_c, low=0, high=1)
    if pt == pc:
        raise ValueError("p_t and p_c must differ: no sample size detects a zero difference")
    p = check_number("power", power, low=0, high=1, low_inclusive=False, high_inclusive=False)
    a = check_number("alpha", alpha, low=0, high=1, low_inclusive=False, high_inclusive=False)
    h = abs(float(proportion_effectsize(pt, pc)))
    n = NormalIndPower().solve_power(effect_size=h, power=p, alpha=a, ratio=1.0)
    return math.ceil(float(n) - 1e-9)


# --------------------------------------------------------------------------------------------
# Trial simulator
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrialDesign:
    """Parameters of a simulated two-arm trial on a MADRS-like scale (points; lower = better).

    Every bias mechanism is off by default. The other defaults are illustrative values loosely
    based on published summaries, not estimates of any trial.

    Attributes
    ----------
    n_per_arm : int
        Participants randomised to each arm.
    true_effect_points : float
        True drug effect on the change score, treatment minus control. Default -4.0, the size of
        the difference reported for TRANSFORM-2 [@popova2019efficacy].
    placebo_response_points : float
        Change shared by both arms (expectancy, natural course, care). Default -5.7, the
        placebo arm's 24-hour change in Daly 2018 Table 1 [@daly2018efficacy].
    baseline_mean_points, baseline_sd_points : float
        Distribution of true severity among people screened. Defaults 35.0 and 5.2, close to the
        placebo arm's baseline in Daly 2018 Table 1 (35.0, SD 5.18) [@daly2018efficacy].
    within_sd_points : float
        SD of individual change around the arm mean (response heterogeneity plus rating noise at
        follow-up). Default 10.0, near the placebo arm's SD of change in Singh 2016 (10.2)
        [@singh2016doubleblind].
    screening_noise_sd_points : float
        Measurement noise of the screening/baseline rating. 0 (default) = no regression to the
        mean. Illustrative; no published value is used.
    entry_threshold_points : float or None
        Only people whose noisy screening score is at least this are enrolled (selection that
        produces regression to the mean). ``None``: no selection.
    dropout_fraction : float
        Share of participants who leave before follow-up, at random (costs power, not bias).
    unblinding : float
        0 to 1. How strongly a side effect (e.g. dissociation) reveals allocation: participants
        on the drug guess "active" with probability 0.5 + 0.5·u and those on inert placebo with
        0.5 - 0.5·u.
    expectancy_points : float
        Extra change (points, negative = improvement) in anyone who *believes* they had the
        active drug. Default 0; its real size is unknown, which is the point of the exercise.
    active_placebo_mimicry : float
        0 to 1. How well the control mimics the tell-tale side effect (midazolam-like = partial).
        The control arm's chance of guessing "active" becomes 0.5 - 0.5·u + mimicry·u.
    source, notes : str
        Where the defaults come from and what the model leaves out.
    """

    n_per_arm: int = 50
    true_effect_points: float = -4.0
    placebo_response_points: float = -5.7
    baseline_mean_points: float = 35.0
    baseline_sd_points: float = 5.2
    within_sd_points: float = 10.0
    screening_noise_sd_points: float = 0.0
    entry_threshold_points: float | None = None
    dropout_fraction: float = 0.0
    unblinding: float = 0.0
    expectancy_points: float = 0.0
    active_placebo_mimicry: float = 0.0
    source: str = "popova2019efficacy; daly2018efficacy; singh2016doubleblind"
    notes: str = field(
        default=(
            "Illustrative. Leaves out informative dropout, scale floor/ceiling, rater "
            "unblinding, heterogeneous drug effects and covariate-adjusted analysis."
        )
    )

    def __post_init__(self) -> None:
        n = check_number("n_per_arm", self.n_per_arm, unit="participants", low=2, integer=True)
        object.__setattr__(self, "n_per_arm", n)
        for name in ("true_effect_points", "placebo_response_points", "expectancy_points"):
            check_number(name, getattr(self, name), unit="points")
        check_number("baseline_mean_points", self.baseline_mean_points, unit="points", low=0)
        for name in ("baseline_sd_points", "within_sd_points", "screening_noise_sd_points"):
            check_number(name, getattr(self, name), unit="points", low=0)
        if self.entry_threshold_points is not None:
            check_number("entry_threshold_points", self.entry_threshold_points, unit="points")
            if self.baseline_sd_points == 0 and self.screening_noise_sd_points == 0:
                raise ValueError(
                    "entry_threshold_points needs baseline_sd_points or screening_noise_sd_points "
                    "> 0 (points): with no spread nobody or everybody passes the threshold"
                )
        check_number("dropout_fraction", self.dropout_fraction, low=0, high=1, high_inclusive=False)
        check_number("unblinding", self.unblinding, low=0, high=1)
        check_number("active_placebo_mimicry", self.active_placebo_mimicry, low=0, high=1)

    def kwargs(self) -> dict:
        """The numeric parameters as keyword arguments (without ``source`` and ``notes``)."""
        d = asdict(self)
        d.pop("source")
        d.pop("notes")
        return d

    @property
    def expected_bias_points(self) -> float:
        """Bias of the completers' mean difference from unblinding: expectancy x guess gap."""
        return self.expectancy_points * self.unblinding * (1 - self.active_placebo_mimicry)

    def guess_probabilities(self) -> tuple[float, float]:
        """P(guess "active") in the treatment and control arms."""
        u, m = self.unblinding, self.active_placebo_mimicry
        return 0.5 + 0.5 * u, 0.5 - 0.5 * u + m * u


#: The design used to make ``datasets/trial_ipd_simulated.csv`` (seed 2024). SIMULATED.
IPD_EXERCISE_PRESET = TrialDesign(
    n_per_arm=60,
    screening_noise_sd_points=3.0,
    entry_threshold_points=28.0,
    dropout_fraction=0.1,
    unblinding=0.6,
    expectancy_points=-2.0,
    notes=(
        "SIMULATED exercise data: a two-arm trial with parameters loosely based on published "
        "summaries. The screening noise, entry threshold, dropout, unblinding and expectancy "
        "values are illustrative choices, not published estimates."
    ),
)


@dataclass(frozen=True)
class SimulationResult:
    """Per-trial results of :func:`simulate_trials` (arrays of length ``n_trials``).

    ``estimate`` is the completers' mean difference in change (treatment minus control),
    ``p_value`` the two-sided pooled t test, ``guess_active_t``/``guess_active_c`` the share in
    each arm who believed they had the drug.
    """

    design: TrialDesign
    estimate: np.ndarray
    se: np.ndarray
    p_value: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    n_t: np.ndarray
    n_c: np.ndarray
    guess_active_t: np.ndarray
    guess_active_c: np.ndarray
    mean_change_c: np.ndarray

    def summary(self, alpha: float = 0.05) -> pd.DataFrame:
        """One-row table: mean estimate, its SD, bias against the true effect, power, coverage."""
        d = self.design
        truth = d.true_effect_points
        covered = (self.ci_low <= truth) & (truth <= self.ci_high)
        return pd.DataFrame(
            {
                "trials": [self.estimate.size],
                "true_effect_points": [truth],
                "mean_estimate_points": [float(np.mean(self.estimate))],
                "sd_estimate_points": [float(np.std(self.estimate, ddof=1))],
                "bias_points": [float(np.mean(self.estimate) - truth)],
                "share_p_below_alpha": [float(np.mean(self.p_value < alpha))],
                "ci_coverage": [float(np.mean(covered))],
                "mean_change_control_points": [float(np.mean(self.mean_change_c))],
            }
        )


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an int or a numpy.random.Generator; got {seed!r}")
    return np.random.default_rng(int(seed))


def _simulate_arrays(design: TrialDesign, n_trials: int, rng: np.random.Generator) -> dict:
    """Core simulation; arrays shaped (n_trials, 2, n_per_arm); arm 0 control, 1 treatment."""
    d = design
    shape = (n_trials, 2, d.n_per_arm)
    sb, sm = d.baseline_sd_points, d.screening_noise_sd_points
    s_total = math.hypot(sb, sm)
    if d.entry_threshold_points is None:
        screen = d.baseline_mean_points + s_total * rng.standard_normal(shape)
    else:
        a = (d.entry_threshold_points - d.baseline_mean_points) / s_total
        u = rng.uniform(stats.norm.cdf(a), 1.0, size=shape)
        screen = d.baseline_mean_points + s_total * stats.norm.ppf(np.minimum(u, 1 - 1e-15))
    # True severity given the noisy screening score (bivariate normal regression).
    k = sb**2 / s_total**2 if s_total > 0 else 1.0
    true_base = d.baseline_mean_points + k * (screen - d.baseline_mean_points)
    if sm > 0 and sb > 0:
        true_base = true_base + math.sqrt(sb**2 * (1 - k)) * rng.standard_normal(shape)
    arm = np.zeros(shape, dtype=bool)
    arm[:, 1, :] = True
    p_t, p_c = d.guess_probabilities()
    guess = rng.uniform(size=shape) < np.where(arm, p_t, p_c)
    followup = (
        true_base
        + d.placebo_response_points
        + d.true_effect_points * arm
        + d.expectancy_points * guess
        + d.within_sd_points * rng.standard_normal(shape)
    )
    dropped = rng.uniform(size=shape) < d.dropout_fraction
    return {"screen": screen, "followup": followup, "dropped": dropped, "guess": guess}


def simulate_trials(
    design: TrialDesign | None = None, *, n_trials: int = 1000, seed=0, **overrides
) -> SimulationResult:
    """Simulate ``n_trials`` independent two-arm trials at once (vectorised).

    Parameters
    ----------
    design : TrialDesign, optional
        The design; default ``TrialDesign()``. Keyword ``overrides`` replace its fields, e.g.
        ``simulate_trials(unblinding=1, expectancy_points=-3)``.
    n_trials : int
        Number of simulated trials.
    seed : int or numpy.random.Generator
        Same seed, same trials.

    Returns
    -------
    SimulationResult
        Completers' analysis of change from the (noisy) baseline score.

    Examples
    --------
    >>> res = simulate_trials(n_trials=2000, n_per_arm=50, seed=1)
    >>> round(float(res.estimate.mean()), 1)  # the true effect is -4.0
    -4.0
    >>> biased = simulate_trials(n_trials=2000, seed=1, unblinding=1.0, expectancy_points=-3.0)
    >>> round(float(biased.estimate.mean()), 1)  # about -4 - 3
    -7.0
    """
    design = design if design is not None else TrialDesign()
    if not isinstance(design, TrialDesign):
        raise ValueError(f"design must be a TrialDesign; got {type(design).__name__}")
    if overrides:
        unknown = set(overrides) - set(design.kwargs())
        if unknown:
            raise ValueError(f"unknown design parameter(s): {', '.join(sorted(unknown))}")
        design = replace(design, **overrides)
    n_trials = check_number("n_trials", n_trials, low=1, integer=True)
    rng = _rng(seed)
    a = _simulate_arrays(design, n_trials, rng)
    change = np.where(a["dropped"], np.nan, a["followup"] - a["screen"])
    n = np.sum(~a["dropped"], axis=2)  # (trials, 2)
    if np.any(n < 2):
        raise ValueError(
            "some simulated arms have fewer than 2 completers; raise n_per_arm or lower "
            "dropout_fraction"
        )
    mean = np.nanmean(change, axis=2)
    var = np.nanvar(change, axis=2, ddof=1)
    n_c, n_t = n[:, 0], n[:, 1]
    df = n_t + n_c - 2
    sp2 = ((n_t - 1) * var[:, 1] + (n_c - 1) * var[:, 0]) / df
    se = np.sqrt(sp2 * (1 / n_t + 1 / n_c))
    est = mean[:, 1] - mean[:, 0]
    tstat = est / se
    p = 2 * stats.t.sf(np.abs(tstat), df)
    tq = stats.t.ppf(0.975, df)
    guess = a["guess"].mean(axis=2)
    return SimulationResult(
        design,
        est,
        se,
        p,
        est - tq * se,
        est + tq * se,
        n_t,
        n_c,
        guess[:, 1],
        guess[:, 0],
        mean[:, 0],
    )


def simulate_patients(design: TrialDesign | None = None, *, seed=2024, **overrides) -> pd.DataFrame:
    """Individual data of ONE simulated trial, rounded to whole MADRS points in [0, 60].

    The result is SIMULATED: never describe it as any real trial's data.

    Returns
    -------
    pandas.DataFrame
        Columns ``patient_id``, ``arm``, ``baseline_madrs``, ``followup_madrs``,
        ``change_madrs`` (empty after dropout), ``dropped_out``, ``guessed_active``.

    >>> df = simulate_patients(n_per_arm=5, seed=3)
    >>> df.shape
    (10, 7)
    """
    design = design if design is not None else TrialDesign()
    if overrides:
        design = replace(design, **overrides)
    a = _simulate_arrays(design, 1, _rng(seed))
    base = np.clip(np.rint(a["screen"][0]), 0, 60)
    fu = np.clip(np.rint(a["followup"][0]), 0, 60)
    dropped = a["dropped"][0]
    rows = []
    for arm_i, arm in enumerate(("control", "treatment")):
        for j in range(design.n_per_arm):
            out = bool(dropped[arm_i, j])
            f = None if out else float(fu[arm_i, j])
            b = float(base[arm_i, j])
            rows.append(
                {
                    "patient_id": f"SIM-{arm[0].upper()}{j + 1:03d}",
                    "arm": arm,
                    "baseline_madrs": b,
                    "followup_madrs": f,
                    "change_madrs": None if out else f - b,
                    "dropped_out": out,
                    "guessed_active": bool(a["guess"][0][arm_i, j]),
                }
            )
    df = pd.DataFrame(rows)
    order = _rng(seed + 1 if isinstance(seed, int) else seed).permutation(len(df))
    return df.iloc[order].reset_index(drop=True)
