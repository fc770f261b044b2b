"""Inverse-variance meta-analysis: pooling, heterogeneity, small-study effects.

What this module does
---------------------
:func:`pool` combines study estimates ``y_i`` (on an additive scale: mean differences, SMDs,
log odds ratios, log risk ratios, log hazard ratios) with their sampling variances ``v_i``:

- **fixed effect** (``method="FE"``, "common effect"): weights ``1/v_i``;
- **random effects** with the between-study variance τ² from DerSimonian–Laird (``"DL"``),
  Paule–Mandel (``"PM"``) or restricted maximum likelihood (``"REML"``), weights ``1/(v_i + τ²)``;
- Cochran's Q, I² and H² (metafor's definitions, which use τ² from the chosen estimator and the
  "typical" within-study variance [@higgins2002quantifying; @viechtbauer2010conducting]);
- the Hartung–Knapp(–Sidik–Jonkman) confidence interval (``hartung_knapp=True``) with a
  t distribution on k − 1 degrees of freedom [@hartung2001refined], or its modified form
  (``hartung_knapp="modified"``) whose variance multiplier is never below 1, so the interval is
  never narrower than the usual one [@rover2015hartung];
- a prediction interval for the effect in a new study, μ ± t(k−2)·√(τ² + SE²)
  [@higgins2009reevaluation] (``prediction="t"``, the Cochrane Handbook form) or with a normal
  quantile (``prediction="z"``, metafor's ``predict()`` default). SE is the pooled estimate's
  SE, the Hartung–Knapp one when that option is on (as in R package meta).

:func:`leave_one_out` refits without each study in turn, and :func:`egger_test` runs Egger's
regression test for funnel-plot asymmetry [@egger1997bias], in its classic weighted-least-squares
form (``model="lm"``) or as metafor's default mixed-effects meta-regression on the standard error
(``model="rma"``). :func:`simulate_studies` makes a SIMULATED literature with an optional
publication filter, for teaching small-study effects. :func:`se_from_ci` and :func:`effect_from_ci` recover a standard error from a
published confidence interval; :func:`effect_from_counts` gives log odds or risk ratios from
2 × 2 counts.

Design notes
------------
- statsmodels does part of the job and is used for it: ``combine_effects`` supplies the DL τ²
  (truncated at 0 here: statsmodels 0.15 returns the negative moment estimate and uses it in its
  own random-effects weights),
  ``effectsize_2proportions`` the log odds/risk ratios and ``WLS`` the classic Egger regression.
  statsmodels has no REML τ², no leave-one-out and no random-effects Egger test, so those are
  written here: REML solves the restricted-likelihood score equation with ``scipy.optimize.brentq``
  (also used for the meta-regression inside the ``"rma"`` Egger test). Paule–Mandel is also solved
  here with ``brentq`` on the generalised Q equation: statsmodels 0.15's iterative PM solver
  returned τ² = 0 for some orderings of the same studies (found by the permutation-invariance
  property test), so it is not used. All inference after τ²
  (weights, CI, Hartung–Knapp, prediction interval, I²) is one code path for every estimator, so
  the estimators differ only in τ².
- Split by idea into private modules: τ² estimators (``_meta_tau2``), pooling and
  leave-one-out (``_meta_pool``), Egger's test and the simulated literature (``_meta_bias``).
  CI → SE and 2 × 2 ratios come from ``_effectsize``, shared with :mod:`ketlearn.trials`. This
  module keeps the input helpers and re-exports the rest, so ``meta.X`` is the public path.
- Results are a frozen dataclass, :class:`MetaResult`, with a tidy per-study table
  (:meth:`MetaResult.forest_table`) that plotting code (``ketlearn.widgets.meta``) draws from.
  This module imports no plotting library.
- Bad input raises ``ValueError`` saying what is wrong: non-positive variances, fewer than two
  studies where heterogeneity is asked for, a confidence interval that does not contain its
  estimate, events greater than the arm size.

Zero cells (continuity correction)
----------------------------------
:func:`effect_from_counts` follows the package's one zero-cell policy (written once, in the private
``ketlearn._effectsize``, and shared with :mod:`ketlearn.trials`): 0.5 is added to all four cells
of a study's 2 × 2 table **only when one of its cells is zero** (RevMan's rule, Cochrane Handbook
5.1 section 9.4.4; also metafor's ``escalc`` default ``add=1/2, to="only0"``). A study with zero
events in both arms (or all events in both arms) carries no information on a ratio scale and
raises a ValueError naming it: leave it out, the Handbook's standard practice (section 16.9.3).
(metafor's ``escalc`` would keep it with the correction; none of the reference datasets below
has such a study.) Choose ``continuity=0`` to refuse zero cells instead, or another positive value.

Validation against metafor (R)
------------------------------
``tests/test_meta.py`` checks results against metafor's output to 4 decimals on:

1. **BCG vaccine trials** (13 trials, Colditz et al. 1994 [@colditz1994efficacy]), dataset
   ``meta_reference_bcg`` (counts transcribed from metafor's data source file
   ``data-raw/dat.colditz1994.txt`` in the ``wviechtb/metadat`` repository). Expected values are the
   ones hard-coded in metafor's own test suite (``wviechtb/metafor``,
   ``tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r``: FE and DL estimate, CI, z, Q,
   τ², I²; ``tests/testthat/test_misc_influence.r``: REML τ², Q and the first leave-one-out row).
2. **CLASP trials** (DerSimonian & Kacker 2007 [@dersimonian2007random]): PM, DL and REML τ, μ
   and SE from metafor's ``tests/testthat/test_analysis_example_dersimonian2007.r``.
3. **Kacker 2004 interlaboratory example**: metafor output (PM, DL, DL with Knapp–Hartung, FE) as
   stored in statsmodels' test suite (``statsmodels/stats/tests/results/results_meta.py``).
4. **Magnesium trials** (``dat.egger2001``): metafor ``regtest()`` z = −4.6686 from metafor's
   ``tests/testthat/test_misc_pub_bias.r``.
5. The t-based prediction interval against R package meta's ``metabin(..., hakn=TRUE)`` output
   stored in statsmodels' test suite (same results file).
6. The z-based prediction interval by hand from metafor's published DL fit of the BCG trials
   (estimate, z and τ² from item 1).

Examples
--------
>>> from ketlearn import meta
>>> res = meta.pool([-0.5, -0.2, -0.9, -0.4], [0.04, 0.09, 0.16, 0.05], method="REML")
>>> round(res.estimate, 4), round(res.tau2, 4), res.k
(-0.4546, 0.0, 4)
>>> meta.se_from_ci(-4.0, -7.31, -0.64)  # TRANSFORM-2 day-28 MADRS difference
1.7016
"""

from __future__ import annotations

import numpy as np

from ketlearn._effectsize import CONTINUITY_CORRECTION, log_ratio_from_counts
from ketlearn._effectsize import check_ci as _shared_check_ci
from ketlearn._effectsize import se_from_ci as _shared_se_from_ci
from ketlearn._meta_bias import EggerResult, egger_test, simulate_studies
from ketlearn._meta_pool import MetaResult, leave_one_out, pool
from ketlearn._meta_tau2 import TAU2_METHODS
from ketlearn._meta_tau2 import check_yv as _check_yv  # also used by widgets.meta
from ketlearn._meta_tau2 import tau2 as _tau2
from ketlearn._validation import check_number

__all__ = [
    "TAU2_METHODS",
    "EggerResult",
    "MetaResult",
    "effect_from_ci",
    "effect_from_counts",
    "egger_test",
    "leave_one_out",
    "pool",
    "se_from_ci",
    "simulate_studies",
    "tau2_dl",
]


def tau2_dl(estimates, variances) -> float:
    """DerSimonian–Laird estimate of the between-study variance τ² [@dersimonian2007random].

    τ² = max(0, (Q − (k − 1)) / (Σwᵢ − Σwᵢ²/Σwᵢ)) with fixed-effect weights wᵢ = 1/vᵢ and
    Cochran's Q = Σwᵢ(yᵢ − θ̂_FE)². The same estimate :func:`pool` uses with ``method="DL"``;
    notebook 05 has students write it and checks theirs against this one.

    Parameters
    ----------
    estimates : array_like
        Study effects on an additive scale (e.g. MADRS points, log risk ratios), at least two.
    variances : array_like
        Their sampling variances (squared units of ``estimates``), all > 0.

    Returns
    -------
    float
        τ² in squared units of ``estimates`` (0 when the studies agree at least as well as chance
        predicts).

    Examples
    --------
    >>> tau2_dl([1.0, 3.0], [1.0, 1.0])  # Q = 2, df = 1, denominator 2 - 2/2 = 1
    1.0
    >>> tau2_dl([1.0, 1.1, 0.9], [1.0, 1.0, 1.0])
    0.0
    """
    y, v = _check_yv(estimates, variances, min_k=2)
    return float(_tau2(y, v, "DL"))


def se_from_ci(
    estimate: float,
    ci_low: float,
    ci_high: float,
    *,
    ci_level: float = 0.95,
    log_scale: bool = False,
    decimals: int | None = 4,
) -> float:
    """Standard error implied by a symmetric published confidence interval.

    SE = (upper − lower) / (2 · z), with z the normal quantile for ``ci_level`` (1.96 for 95 %).
    For ratios (odds, risk, hazard) pass the ratio and its CI with ``log_scale=True``: the SE is on
    the log scale, where such intervals are symmetric. The computation is the one shared with
    :func:`ketlearn.trials.se_from_ci` (there ``ratio=`` and unrounded); this wrapper only rounds.

    Parameters
    ----------
    estimate, ci_low, ci_high : float
        Point estimate and CI limits, in the outcome's units (e.g. MADRS points) or as ratios.
    ci_level : float
        Confidence level as a fraction, in (0, 1); default 0.95.
    log_scale : bool
        Work on the natural-log scale (ratios); all three values must then be > 0.
    decimals : int or None
        Round the result (published CIs are rounded, so more digits are noise); None keeps all.

    Raises
    ------
    ValueError
        If the interval is empty or does not contain the estimate.

    Examples
    --------
    >>> se_from_ci(-4.0, -7.31, -0.64)
    1.7016
    >>> se_from_ci(0.49, 0.29, 0.84, log_scale=True)
    0.2713
    >>> se_from_ci(-4.0, -0.64, -7.31)
    Traceback (most recent call last):
    ...
    ValueError: ci_low must be below ci_high; got ci_low=-0.64, ci_high=-7.31
    """
    if decimals is not None:
        decimals = check_number("decimals", decimals, unit="decimal places", low=0, integer=True)
    if not check_number("ci_low", ci_low) < check_number("ci_high", ci_high):
        raise ValueError(
            f"ci_low must be below ci_high; got ci_low={ci_low!r}, ci_high={ci_high!r}"
        )
    se = _shared_se_from_ci(estimate, ci_low, ci_high, ci_level=ci_level, log_scale=log_scale)
    return round(se, decimals) if decimals is not None else se


def effect_from_ci(
    estimate: float,
    ci_low: float,
    ci_high: float,
    *,
    ci_level: float = 0.95,
    log_scale: bool = False,
) -> tuple[float, float]:
    """``(y, v)`` for pooling from a published estimate and CI (log scale for ratios).

    The variance is the squared :func:`se_from_ci` (unrounded).

    >>> y, v = effect_from_ci(0.49, 0.29, 0.84, log_scale=True)
    >>> round(y, 4), round(v, 5)
    (-0.7133, 0.07361)
    """
    se = _shared_se_from_ci(estimate, ci_low, ci_high, ci_level=ci_level, log_scale=log_scale)
    est, _, _ = _shared_check_ci(estimate, ci_low, ci_high, positive=log_scale)
    return (float(np.log(est)) if log_scale else est), se**2


def effect_from_counts(
    events_treatment,
    n_treatment,
    events_control,
    n_control,
    *,
    measure: str = "odds_ratio",
    continuity: float = CONTINUITY_CORRECTION,
) -> tuple[np.ndarray, np.ndarray]:
    """Log odds ratios or log risk ratios and their variances from 2 × 2 counts.

    Parameters
    ----------
    events_treatment, n_treatment, events_control, n_control : array_like of int
        Events and arm sizes (people); ``0 <= events <= n`` and ``n >= 1``.
    measure : {"odds_ratio", "risk_ratio"}
        Returned on the natural-log scale (treatment vs control).
    continuity : float
        Added to every cell of a study's table when any of its cells is zero (the package's
        zero-cell policy, see the module notes); 0 refuses zero cells.

    Returns
    -------
    (y, v) : tuple of ndarray
        Log ratios and their large-sample variances (computed by
        ``statsmodels.stats.meta_analysis.effectsize_2proportions``).

    Raises
    ------
    ValueError
        Bad counts, or a study with no events (or only events) in both arms: leave it out.

    Examples
    --------
    >>> y, v = effect_from_counts([4], [123], [11], [139], measure="risk_ratio")
    >>> round(float(y[0]), 4), round(float(v[0]), 4)
    (-0.8893, 0.3256)
    >>> y, v = effect_from_counts([0], [20], [3], [20])  # zero cell: 0.5 added to each cell
    >>> round(float(y[0]), 4)
    -2.1041
    >>> effect_from_counts([0], [20], [0], [20])
    Traceback (most recent call last):
    ...
    ValueError: the odds ratio is undefined for study 0 (0/20 vs 0/20): no events in either arm. Leave such studies out of a ratio meta-analysis (Cochrane Handbook 16.9.3) or report the risk difference instead
    """
    y, v, _ = log_ratio_from_counts(
        events_treatment, n_treatment, events_control, n_control,
        measure=measure, continuity=continuity,
    )  # fmt: skip
    return y, v
