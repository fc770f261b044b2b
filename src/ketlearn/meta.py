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
- Results are a frozen dataclass, :class:`MetaResult`, with a tidy per-study table
  (:meth:`MetaResult.forest_table`) that plotting code (``ketlearn.widgets.meta``) draws from.
  This module imports no plotting library.
- Bad input raises ``ValueError`` saying what is wrong: non-positive variances, fewer than two
  studies where heterogeneity is asked for, a confidence interval that does not contain its
  estimate, events greater than the arm size.

Zero cells (continuity correction)
----------------------------------
:func:`effect_from_counts` adds 0.5 to all four cells of a study's 2 × 2 table **only when one of
its cells is zero** (metafor's ``escalc`` default ``add=1/2, to="only0"``). Studies with zero events
in both arms (or all events in both arms) carry no information on a ratio scale; they are kept
with the correction, as metafor does by default, and the docstring example shows it. Choose
``continuity=0`` to refuse zero cells instead (a ValueError), or another positive value.

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

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ketlearn._validation import check_array, check_choice, check_number

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
]

#: τ² estimators known to :func:`pool` (``"FE"`` means no τ², a fixed/common-effect model).
TAU2_METHODS: tuple[str, ...] = ("FE", "DL", "PM", "REML")

_TOL = 1e-12


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


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
    the log scale, where such intervals are symmetric.

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
    0.2712
    >>> se_from_ci(-4.0, -0.64, -7.31)
    Traceback (most recent call last):
    ...
    ValueError: ci_low must be below ci_high; got ci_low=-0.64, ci_high=-7.31
    """
    _, lo, hi = _check_ci(estimate, ci_low, ci_high, log_scale=log_scale)
    level = check_number("ci_level", ci_level, unit="fraction", low=0, high=1,
                         low_inclusive=False, high_inclusive=False)  # fmt: skip
    z = stats.norm.ppf(0.5 + level / 2)
    se = (hi - lo) / (2 * z)
    return round(float(se), decimals) if decimals is not None else float(se)


def _check_ci(estimate, ci_low, ci_high, *, log_scale: bool) -> tuple[float, float, float]:
    low_bound = 0 if log_scale else None
    unit = "ratio" if log_scale else None
    est = check_number("estimate", estimate, unit=unit, low=low_bound, low_inclusive=False)
    lo = check_number("ci_low", ci_low, unit=unit, low=low_bound, low_inclusive=False)
    hi = check_number("ci_high", ci_high, unit=unit, low=low_bound, low_inclusive=False)
    if not lo < hi:
        raise ValueError(
            f"ci_low must be below ci_high; got ci_low={ci_low!r}, ci_high={ci_high!r}"
        )
    if not lo <= est <= hi:
        raise ValueError(
            f"the confidence interval [{ci_low!r}, {ci_high!r}] does not contain its estimate "
            f"{estimate!r}: check the sign convention and the columns"
        )
    if log_scale:
        return math.log(est), math.log(lo), math.log(hi)
    return est, lo, hi


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
    est, _, _ = _check_ci(estimate, ci_low, ci_high, log_scale=log_scale)
    se = se_from_ci(estimate, ci_low, ci_high, ci_level=ci_level, log_scale=log_scale,
                    decimals=None)  # fmt: skip
    return est, se**2


def effect_from_counts(
    events_treatment,
    n_treatment,
    events_control,
    n_control,
    *,
    measure: str = "odds_ratio",
    continuity: float = 0.5,
) -> tuple[np.ndarray, np.ndarray]:
    """Log odds ratios or log risk ratios and their variances from 2 × 2 counts.

    Parameters
    ----------
    events_treatment, n_treatment, events_control, n_control : array_like of int
        Events and arm sizes (people); ``0 <= events <= n`` and ``n >= 1``.
    measure : {"odds_ratio", "risk_ratio"}
        Returned on the natural-log scale (treatment vs control).
    continuity : float
        Added to every cell of a study's table when any of its cells is zero (metafor's
        ``add=1/2, to="only0"``); 0 refuses zero cells.

    Returns
    -------
    (y, v) : tuple of ndarray
        Log ratios and their large-sample variances (computed by
        ``statsmodels.stats.meta_analysis.effectsize_2proportions``).

    Examples
    --------
    >>> y, v = effect_from_counts([4], [123], [11], [139], measure="risk_ratio")
    >>> round(float(y[0]), 4), round(float(v[0]), 4)
    (-0.8893, 0.3256)
    >>> y, v = effect_from_counts([0], [20], [3], [20])  # zero cell: 0.5 added to each cell
    >>> round(float(y[0]), 4)
    -2.1041
    """
    from statsmodels.stats.meta_analysis import effectsize_2proportions

    measure = check_choice("measure", measure, ["odds_ratio", "risk_ratio"])
    add = check_number("continuity", continuity, unit="people per cell", low=0)
    a = check_array("events_treatment", events_treatment, unit="people", low=0, ndim=1)
    n1 = check_array("n_treatment", n_treatment, unit="people", low=1, ndim=1)
    c = check_array("events_control", events_control, unit="people", low=0, ndim=1)
    n2 = check_array("n_control", n_control, unit="people", low=1, ndim=1)
    if not (a.size == n1.size == c.size == n2.size) or a.size == 0:
        raise ValueError("the four count arrays must have the same, non-zero length")
    for name, arr in (("events_treatment", a), ("n_treatment", n1), ("events_control", c),
                      ("n_control", n2)):  # fmt: skip
        if not np.all(arr == np.round(arr)):
            raise ValueError(f"{name} must be whole numbers of people; got {arr.tolist()}")
    for ev, n, name in ((a, n1, "events_treatment"), (c, n2, "events_control")):
        if np.any(ev > n):
            i = int(np.argmax(ev > n))
            raise ValueError(
                f"{name} must not exceed its arm size; study {i} has {ev[i]:g} events "
                f"out of {n[i]:g}"
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
    return np.asarray(y, dtype=float), np.asarray(v, dtype=float)


def _check_yv(estimates, variances, *, min_k: int = 1) -> tuple[np.ndarray, np.ndarray]:
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


def _tau2_reml(y: np.ndarray, v: np.ndarray, x: np.ndarray | None = None) -> float:
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


def _tau2(y: np.ndarray, v: np.ndarray, method: str) -> float:
    if method == "FE":
        return 0.0
    if method == "DL":
        return _tau2_dl(y, v)
    if method == "PM":
        return _tau2_pm(y, v)
    return _tau2_reml(y, v)


# ---------------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetaResult:
    """A fitted meta-analysis (all effects on the analysis scale, e.g. log OR).

    Attributes
    ----------
    method : str
        ``"FE"``, ``"DL"``, ``"PM"`` or ``"REML"``.
    k : int
        Number of studies.
    estimate, se : float
        Pooled effect and its standard error (Hartung–Knapp SE when ``hartung_knapp``).
    ci_low, ci_high : float
        Confidence interval at ``level``.
    statistic, p_value : float
        z (or t with ``df`` when Hartung–Knapp) and its two-sided p-value.
    df : float
        Degrees of freedom of the t test (k − 1), or ``inf`` for the normal test.
    tau2, tau : float
        Between-study variance and SD (0 for FE).
    q, q_df, q_p_value : float
        Cochran's Q (fixed-effect weights), its degrees of freedom and p-value.
    i2_pct, h2 : float
        I² (percent) and H², metafor's definitions (via τ² and the typical within-study variance).
    pi_low, pi_high : float
        Prediction interval for the true effect in a new study (NaN for the fixed-effect
        model, which assumes no between-study variation, and when k < 3 with ``"t"``).
    level : float
        Confidence level (fraction).
    hartung_knapp : bool or str
        False, True (Hartung–Knapp CI) or ``"modified"``.
    prediction : str
        ``"t"`` (t with k − 2 df) or ``"z"``.
    labels, estimates, variances, weights_pct : tuple
        Per-study inputs and the weights (percent of total) used for the pooled estimate.
    """

    method: str
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    p_value: float
    df: float
    tau2: float
    tau: float
    q: float
    q_df: int
    q_p_value: float
    i2_pct: float
    h2: float
    pi_low: float
    pi_high: float
    level: float
    hartung_knapp: bool | str
    prediction: str
    labels: tuple = field(repr=False)
    estimates: tuple = field(repr=False)
    variances: tuple = field(repr=False)
    weights_pct: tuple = field(repr=False)

    def forest_table(self, *, transform=None) -> pd.DataFrame:
        """Tidy table for a forest plot: one row per study, then the pooled row.

        Columns: ``label``, ``estimate``, ``ci_low``, ``ci_high``, ``weight_pct``, ``kind``
        (``"study"`` or ``"pooled"``), and ``pi_low``/``pi_high`` on the pooled row. Study CIs
        are normal-based at ``level``. ``transform`` (e.g. ``numpy.exp`` for ratios) is applied to
        the effect columns.
        """
        z = stats.norm.ppf(0.5 + self.level / 2)
        y = np.asarray(self.estimates)
        se = np.sqrt(np.asarray(self.variances))
        rows = pd.DataFrame(
            {
                "label": list(self.labels),
                "estimate": y,
                "ci_low": y - z * se,
                "ci_high": y + z * se,
                "weight_pct": np.asarray(self.weights_pct),
                "kind": "study",
                "pi_low": np.nan,
                "pi_high": np.nan,
            }
        )
        name = "Fixed effect" if self.method == "FE" else f"Random effects ({self.method})"
        if self.hartung_knapp:
            name += (
                ", modified Hartung–Knapp"
                if self.hartung_knapp == "modified"
                else (", Hartung–Knapp")
            )
        pooled = pd.DataFrame(
            {
                "label": [name],
                "estimate": [self.estimate],
                "ci_low": [self.ci_low],
                "ci_high": [self.ci_high],
                "weight_pct": [100.0],
                "kind": ["pooled"],
                "pi_low": [self.pi_low],
                "pi_high": [self.pi_high],
            }
        )
        table = pd.concat([rows, pooled], ignore_index=True)
        if transform is not None:
            for col in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high"):
                table[col] = transform(table[col].to_numpy(dtype=float))
        return table

    def summary(self, *, digits: int = 3, transform=None, scale: str = "") -> str:
        """A few lines in words: pooled effect, CI, heterogeneity and prediction interval."""
        f = transform or (lambda t: t)
        fmt = f"{{:.{digits}f}}"
        model = "fixed-effect" if self.method == "FE" else f"random-effects ({self.method})"
        if self.hartung_knapp:
            model += (
                " with modified Hartung–Knapp CI"
                if self.hartung_knapp == "modified"
                else " with Hartung–Knapp CI"
            )
        lines = [
            f"{model} meta-analysis of k = {self.k} studies" + (f" ({scale})" if scale else ""),
            f"pooled estimate {fmt.format(f(self.estimate))} "
            f"({self.level:.0%} CI {fmt.format(f(self.ci_low))} to {fmt.format(f(self.ci_high))}),"
            f" p = {self.p_value:.3g}",
            f"heterogeneity: Q = {self.q:.2f} on {self.q_df} df (p = {self.q_p_value:.3g}), "
            f"I² = {self.i2_pct:.1f}%, tau² = {self.tau2:.4g}",
        ]
        if np.isfinite(self.pi_low):
            lines.append(
                f"{self.level:.0%} prediction interval for a new study: "
                f"{fmt.format(f(self.pi_low))} to {fmt.format(f(self.pi_high))}"
            )
        return "\n".join(lines)


def pool(
    estimates,
    variances,
    *,
    method: str = "REML",
    hartung_knapp: bool | str = False,
    level: float = 0.95,
    prediction: str = "t",
    labels=None,
    tau2: float | None = None,
) -> MetaResult:
    """Inverse-variance meta-analysis of study estimates.

    Parameters
    ----------
    estimates : array_like
        Study effects on an additive scale (e.g. MADRS points, SMD, log OR).
    variances : array_like
        Their sampling variances (squared units of ``estimates``), all > 0.
    method : {"REML", "DL", "PM", "FE"}
        τ² estimator; ``"FE"`` is the fixed (common) effect model. Default REML, as in metafor.
    hartung_knapp : bool or "modified"
        Use the Hartung–Knapp(–Sidik–Jonkman) SE and a t(k − 1) interval [@hartung2001refined].
        Its variance multiplier q = Σwᵢ(yᵢ − μ̂)²/(k − 1) can be below 1 when studies agree more
        than chance predicts, making the interval *narrower* than the normal one; ``"modified"``
        uses max(1, q) [@rover2015hartung].
    level : float
        Confidence level as a fraction, default 0.95.
    prediction : {"t", "z"}
        Prediction interval with t(k − 2) [@higgins2009reevaluation] or the normal quantile
        (metafor's ``predict()``).
    labels : sequence of str, optional
        Study labels for tables and plots.
    tau2 : float, optional
        Fix τ² at this value (≥ 0) instead of estimating it.

    Returns
    -------
    MetaResult

    Raises
    ------
    ValueError
        Non-positive variances, mismatched lengths, fewer than two studies for a random-effects
        model or Hartung–Knapp (one study has no heterogeneity to estimate).

    Examples
    --------
    >>> res = pool([1.0, 3.0], [1.0, 1.0], method="FE")
    >>> res.estimate, round(res.se, 4), res.q
    (2.0, 0.7071, 2.0)
    >>> pool([1.0], [1.0], method="DL")
    Traceback (most recent call last):
    ...
    ValueError: method='DL' needs at least two studies to estimate heterogeneity; got k = 1
    """
    method = check_choice("method", method, TAU2_METHODS)
    prediction = check_choice("prediction", prediction, ["t", "z"])
    if hartung_knapp not in (True, False, "modified"):
        raise ValueError(f"hartung_knapp must be True, False or 'modified'; got {hartung_knapp!r}")
    level = check_number("level", level, unit="fraction", low=0, high=1, low_inclusive=False,
                         high_inclusive=False)  # fmt: skip
    y, v = _check_yv(estimates, variances)
    k = y.size
    if k < 2 and (method != "FE" or hartung_knapp):
        raise ValueError(
            f"method={method!r} needs at least two studies to estimate heterogeneity; got k = {k}"
        )
    if labels is None:
        labels = [f"Study {i + 1}" for i in range(k)]
    labels = tuple(str(s) for s in labels)
    if len(labels) != k:
        raise ValueError(f"labels must have one entry per study ({k}); got {len(labels)}")

    # heterogeneity statistics (fixed-effect weights)
    w0 = 1.0 / v
    mu0 = float(np.sum(w0 * y) / np.sum(w0))
    q = float(np.sum(w0 * (y - mu0) ** 2))
    q_df = k - 1
    q_p = float(stats.chi2.sf(q, q_df)) if q_df > 0 else float("nan")

    if tau2 is None:
        t2 = _tau2(y, v, method) if k >= 2 else 0.0
    else:
        t2 = check_number("tau2", tau2, unit="squared outcome units", low=0)
        if method == "FE" and t2 > 0:
            raise ValueError("tau2 must be 0 (or None) with method='FE'")

    w = 1.0 / (v + t2)
    sw = float(np.sum(w))
    mu = float(np.sum(w * y) / sw)
    se = math.sqrt(1.0 / sw)
    if hartung_knapp:
        s2 = float(np.sum(w * (y - mu) ** 2) / (k - 1))
        if hartung_knapp == "modified":
            s2 = max(1.0, s2)
        se = math.sqrt(s2 / sw)
        df = float(k - 1)
        crit = stats.t.ppf(0.5 + level / 2, df)
        stat = mu / se
        p = float(2 * stats.t.sf(abs(stat), df))
    else:
        df = float("inf")
        crit = stats.norm.ppf(0.5 + level / 2)
        stat = mu / se
        p = float(2 * stats.norm.sf(abs(stat)))

    # I² and H² via the typical within-study variance (Higgins & Thompson 2002; metafor)
    if k >= 2:
        s2_typical = (k - 1) * np.sum(w0) / (np.sum(w0) ** 2 - np.sum(w0**2))
        if method == "FE":
            i2 = max(0.0, (q - q_df) / q) * 100 if q > 0 else 0.0
            h2 = q / q_df if q_df > 0 else float("nan")
        else:
            i2 = float(100 * t2 / (t2 + s2_typical))
            h2 = float((t2 + s2_typical) / s2_typical)
    else:
        i2, h2 = float("nan"), float("nan")

    if method == "FE":
        pcrit = float("nan")  # no between-study variation is assumed: nothing to predict
    elif prediction == "t" and k >= 3:
        pcrit = stats.t.ppf(0.5 + level / 2, k - 2)
    elif prediction == "z":
        pcrit = stats.norm.ppf(0.5 + level / 2)
    else:
        pcrit = float("nan")
    half = pcrit * math.sqrt(t2 + se**2)  # se is the Hartung–Knapp SE when used (as R meta)

    return MetaResult(
        method=method,
        k=k,
        estimate=mu,
        se=se,
        ci_low=mu - crit * se,
        ci_high=mu + crit * se,
        statistic=float(stat),
        p_value=p,
        df=df,
        tau2=float(t2),
        tau=math.sqrt(t2),
        q=q,
        q_df=q_df,
        q_p_value=q_p,
        i2_pct=float(i2),
        h2=float(h2),
        pi_low=mu - half,
        pi_high=mu + half,
        level=level,
        hartung_knapp=hartung_knapp,
        prediction=prediction,
        labels=labels,
        estimates=tuple(float(t) for t in y),
        variances=tuple(float(t) for t in v),
        weights_pct=tuple(float(t) for t in 100 * w / sw),
    )


def leave_one_out(estimates, variances, *, labels=None, **kwargs) -> pd.DataFrame:
    """Refit :func:`pool` leaving out each study in turn (needs k ≥ 3).

    Returns a DataFrame with one row per omitted study: ``omitted``, ``estimate``, ``se``,
    ``ci_low``, ``ci_high``, ``p_value``, ``q``, ``tau2``, ``i2_pct``, ``h2``. Keyword arguments
    go to :func:`pool`.

    >>> t = leave_one_out([0.1, 0.2, 0.9], [0.01, 0.01, 0.01], method="FE")
    >>> t["estimate"].round(2).tolist()
    [0.55, 0.5, 0.15]
    """
    y, v = _check_yv(estimates, variances, min_k=3)
    k = y.size
    labels = [f"Study {i + 1}" for i in range(k)] if labels is None else list(labels)
    if len(labels) != k:
        raise ValueError(f"labels must have one entry per study ({k}); got {len(labels)}")
    rows = []
    for i in range(k):
        keep = np.arange(k) != i
        r = pool(y[keep], v[keep], **kwargs)
        rows.append(
            {
                "omitted": labels[i],
                "estimate": r.estimate,
                "se": r.se,
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
                "p_value": r.p_value,
                "q": r.q,
                "tau2": r.tau2,
                "i2_pct": r.i2_pct,
                "h2": r.h2,
            }
        )
    return pd.DataFrame(rows)


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
    y, v = _check_yv(estimates, variances, min_k=3)
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
        t2 = _tau2_reml(y, v, x)
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
