"""Inverse-variance pooling for :mod:`ketlearn.meta` (private).

:func:`pool` runs every τ² estimator through one inference path (weights, CI, Hartung–Knapp,
prediction interval, I²), so the estimators differ only in τ²; :class:`MetaResult` is a frozen
dataclass with a tidy forest-plot table. Design reasons and validation against metafor are in
:mod:`ketlearn.meta`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ketlearn._meta_tau2 import TAU2_METHODS, check_yv
from ketlearn._meta_tau2 import tau2 as _tau2
from ketlearn._validation import check_choice, check_number

__all__ = ["MetaResult", "leave_one_out", "pool"]


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
    y, v = check_yv(estimates, variances)
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
    y, v = check_yv(estimates, variances, min_k=3)
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
