"""NNT, response and remission, power and sample size (private; see :mod:`ketlearn.trials`).

The NNT follows Altman's wording for intervals through infinity [@altman1998confidence]; power
and sample size are :mod:`statsmodels.stats.power` calls with the course's conventions
(two-sided, equal arms, sizes rounded up).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ketlearn._trials_effects import check_ci
from ketlearn._validation import check_array, check_number

__all__ = [
    "NNTResult",
    "number_needed_to_treat",
    "power_two_proportions",
    "power_two_sample",
    "remission",
    "response",
    "sample_size_two_proportions",
    "sample_size_two_sample",
]


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
