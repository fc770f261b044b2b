"""Effect sizes shared by :mod:`ketlearn.trials` and :mod:`ketlearn.meta` (private).

One definition of each idea, used by both public modules (which re-export thin, documented
wrappers so that ``trials.se_from_ci`` and ``meta.se_from_ci`` keep their historical keyword
names and defaults):

- :func:`check_ci`: a confidence interval must contain its estimate;
- :func:`se_from_ci`: the standard error implied by a symmetric (normal-theory) published CI,
  SE = (upper − lower) / (2 z), on the log scale for ratios; never rounded here;
- :func:`log_ratio_from_counts`: log odds ratios or log risk ratios with their large-sample
  variances from 2 × 2 counts, computed by
  ``statsmodels.stats.meta_analysis.effectsize_2proportions`` (Woolf variance for the log odds
  ratio, Katz variance for the log risk ratio).

Zero-cell policy (one policy for the whole package)
---------------------------------------------------
A ratio and its variance are undefined when a cell of the 2 × 2 table is zero. As RevMan does
(Cochrane Handbook 5.1, section 9.4.4 [@higgins2011cochrane];
https://handbook-5-1.cochrane.org/chapter_9/9_4_4_0_introductory_text.htm), and as metafor's
``escalc`` does by default (``add=1/2, to="only0"``), :data:`CONTINUITY_CORRECTION` (0.5) is
added to **all four cells of a study that has a zero cell**, and to no other study.
statsmodels' ``Table2x2(shift_zeros=True)`` differs (it shifts only the zero cells) and is not
used for this.

A study with **no events in either arm** (or events in every participant of both arms) carries no
information on a ratio scale; the Handbook calls excluding such studies from meta-analyses of
odds and risk ratios the standard practice (version 5.1, section 16.9.3,
https://handbook-5-1.cochrane.org/chapter_16/16_9_3_studies_with_no_events.htm). Here such a
study raises :class:`ValueError` naming it, so the caller drops it knowingly (or reports a risk
difference) instead of silently pooling an invented ratio. The correction pulls estimates
towards "no effect" [@ades2025continuity].
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from ketlearn._validation import check_array, check_choice, check_number

__all__ = [
    "CONTINUITY_CORRECTION",
    "MEASURES",
    "check_ci",
    "log_ratio_from_counts",
    "se_from_ci",
    "z_quantile",
]

#: Added to every cell of a 2 × 2 table that has a zero cell [@higgins2011cochrane] (section 9.4.4).
CONTINUITY_CORRECTION = 0.5

#: Ratio measures :func:`log_ratio_from_counts` knows.
MEASURES: tuple[str, ...] = ("odds_ratio", "risk_ratio")


def z_quantile(ci_level: float) -> float:
    """Two-sided normal quantile for a confidence level in (0, 1), e.g. 1.96 for 0.95.

    >>> round(z_quantile(0.95), 4)
    1.96
    """
    level = check_number("ci_level", ci_level, unit="fraction", low=0, high=1,
                         low_inclusive=False, high_inclusive=False)  # fmt: skip
    return float(stats.norm.ppf(0.5 + level / 2))


def check_ci(
    estimate: float,
    ci_low: float,
    ci_high: float,
    *,
    name: str = "estimate",
    positive: bool = False,
) -> tuple[float, float, float]:
    """Check that ``ci_low <= estimate <= ci_high`` (all > 0 when ``positive``).

    Returns the three values as floats; raises :class:`ValueError` naming the problem.

    >>> check_ci(-4.0, -7.31, -0.64)
    (-4.0, -7.31, -0.64)
    >>> check_ci(1.0, 1.5, 0.5)
    Traceback (most recent call last):
    ...
    ValueError: the confidence interval of estimate is reversed: ci_low 1.5 > ci_high 0.5
    """
    low = 0 if positive else None
    unit = "ratio" if positive else None
    est = check_number("estimate", estimate, unit=unit, low=low, low_inclusive=False)
    lo = check_number("ci_low", ci_low, unit=unit, low=low, low_inclusive=False)
    hi = check_number("ci_high", ci_high, unit=unit, low=low, low_inclusive=False)
    if lo > hi:
        raise ValueError(
            f"the confidence interval of {name} is reversed: ci_low {lo:g} > ci_high {hi:g}"
        )
    if not lo <= est <= hi:
        raise ValueError(
            f"the confidence interval of {name} ({lo:g} to {hi:g}) does not contain its "
            f"estimate {est:g}: check the sign convention and the columns"
        )
    return float(est), float(lo), float(hi)


def se_from_ci(
    estimate: float,
    ci_low: float,
    ci_high: float,
    *,
    ci_level: float = 0.95,
    log_scale: bool = False,
) -> float:
    """Standard error implied by a symmetric published confidence interval (unrounded).

    SE = (upper − lower) / (2 z) with z the normal quantile for ``ci_level``; with ``log_scale``
    the three values are ratios and the SE is that of the log ratio.

    Raises
    ------
    ValueError
        If the interval is empty (``ci_low == ci_high``), reversed, or does not contain the
        estimate, or (``log_scale``) a value is not > 0.

    Examples
    --------
    >>> round(se_from_ci(-4.0, -7.31, -0.64), 6)
    1.701562
    >>> round(se_from_ci(0.49, 0.29, 0.84, log_scale=True), 6)
    0.271311
    """
    _, lo, hi = check_ci(estimate, ci_low, ci_high, positive=log_scale)
    if not lo < hi:
        raise ValueError(
            f"ci_low must be below ci_high; got ci_low={ci_low!r}, ci_high={ci_high!r}"
        )
    z = z_quantile(ci_level)
    if log_scale:
        lo, hi = math.log(lo), math.log(hi)
    return float((hi - lo) / (2 * z))


_DEFAULT_NAMES = ("events_treatment", "n_treatment", "events_control", "n_control")


def log_ratio_from_counts(
    events_t,
    n_t,
    events_c,
    n_c,
    *,
    measure: str = "odds_ratio",
    continuity: float = CONTINUITY_CORRECTION,
    names: tuple[str, str, str, str] = _DEFAULT_NAMES,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log ratios, their variances and which studies were corrected, from 2 × 2 counts.

    Parameters
    ----------
    events_t, n_t, events_c, n_c : array_like of int
        Events and arm sizes (people) per study, treatment then control; ``0 <= events <= n``,
        ``n >= 1``. Scalars are treated as one study.
    measure : {"odds_ratio", "risk_ratio"}
        Returned on the natural-log scale (treatment vs control).
    continuity : float
        Added to all four cells of a study with a zero cell (see the module's zero-cell
        policy); 0 refuses such studies.
    names : tuple of 4 str
        Parameter names used in error messages.

    Returns
    -------
    (y, v, corrected) : tuple of ndarray
        Log ratios, their variances, and a boolean mask of the studies that were corrected.

    Raises
    ------
    ValueError
        Bad counts, or a study with no events (or only events) in both arms.

    Examples
    --------
    >>> y, v, c = log_ratio_from_counts([3], [11], [0], [33])  # cells 3.5, 8.5, 0.5, 33.5
    >>> round(float(y[0]), 4), bool(c[0])
    (3.3174, True)
    """
    from statsmodels.stats.meta_analysis import effectsize_2proportions

    measure = check_choice("measure", measure, MEASURES)
    add = check_number("continuity", continuity, unit="people per cell", low=0)
    ne, nn, ce, cn = names
    a = check_array(ne, np.atleast_1d(events_t), unit="people", low=0, ndim=1)
    n1 = check_array(nn, np.atleast_1d(n_t), unit="people", low=1, ndim=1)
    c = check_array(ce, np.atleast_1d(events_c), unit="people", low=0, ndim=1)
    n2 = check_array(cn, np.atleast_1d(n_c), unit="people", low=1, ndim=1)
    if not (a.size == n1.size == c.size == n2.size) or a.size == 0:
        raise ValueError("the four count arrays must have the same, non-zero length")
    for name, arr in ((ne, a), (nn, n1), (ce, c), (cn, n2)):
        if not np.all(arr == np.round(arr)):
            raise ValueError(f"{name} must be whole numbers of people; got {arr.tolist()}")
    for ev, n, name in ((a, n1, ne), (c, n2, ce)):
        if np.any(ev > n):
            i = int(np.argmax(ev > n))
            raise ValueError(
                f"{name} must not exceed its arm size; study {i} has {ev[i]:g} events "
                f"out of {n[i]:g}"
            )
    label = measure.replace("_", " ")
    none = (a == 0) & (c == 0)
    every = (a == n1) & (c == n2)
    if np.any(none | every):
        i = int(np.argmax(none | every))
        what = (
            "no events in either arm" if none[i] else "every participant in both arms has the event"
        )
        raise ValueError(
            f"the {label} is undefined for study {i} ({a[i]:g}/{n1[i]:g} vs {c[i]:g}/{n2[i]:g}): "
            f"{what}. Leave such studies out of a ratio meta-analysis (Cochrane Handbook 16.9.3) "
            "or report the risk difference instead"
        )
    zero = (a == 0) | (a == n1) | (c == 0) | (c == n2)
    if np.any(zero) and add == 0:
        raise ValueError(
            "a study has a zero cell and continuity=0; use a continuity correction (e.g. 0.5)"
        )
    corr = np.where(zero, add, 0.0)
    stat = "odds-ratio" if measure == "odds_ratio" else "risk-ratio"
    y, v = effectsize_2proportions(a + corr, n1 + 2 * corr, c + corr, n2 + 2 * corr,
                                   statistic=stat)  # fmt: skip
    return np.asarray(y, dtype=float), np.asarray(v, dtype=float), zero
