"""Figures of the evidence-synthesis strand: forest and funnel plots, each with its table.

Pure drawing on the results of :mod:`ketlearn.meta`; both return a
:class:`ketlearn.plots.FigureWithTable` (the image, its caption and the numbers it shows).

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from ketlearn import meta
>>> r = meta.pool([0.2, 0.5, 0.35], [0.01, 0.02, 0.015], method="FE", labels=["A", "B", "C"])
>>> list(forest_plot(r).table["label"])[:3]
['A', 'B', 'C']
>>> funnel_plot([0.2, 0.5, 0.35], [0.01, 0.02, 0.015]).table["se"].tolist()
[0.1, 0.141, 0.122]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .. import meta, plots

__all__ = ["forest_plot", "funnel_plot"]


def forest_plot(
    result: meta.MetaResult,
    *,
    transform=None,
    xlabel: str = "effect",
    caption: str | None = None,
    null_value: float | None = None,
    digits: int = 2,
):
    """Forest plot of a :class:`ketlearn.meta.MetaResult`, paired with its table of numbers.

    ``transform`` (e.g. ``numpy.exp`` for log ratios) is applied to everything drawn and tabled;
    the x axis is then logarithmic. ``null_value`` defaults to 1 with a transform, else 0.
    """
    table = result.forest_table(transform=transform)
    null = (1.0 if transform is not None else 0.0) if null_value is None else null_value
    k = result.k
    with plots.house_style():
        fig, ax = plots.new_figure(figsize=(7.5, 1.0 + 0.42 * (k + 2)))
        ypos = np.arange(k, 0, -1) + 1.0
        studies = table[table["kind"] == "study"]
        w = studies["weight_pct"].to_numpy()
        sizes = 30 + 250 * w / max(w.max(), 1e-9)
        ax.hlines(ypos, studies["ci_low"], studies["ci_high"], color="black", lw=1.2)
        ax.scatter(studies["estimate"], ypos, s=sizes, marker="s", color=plots.PALETTE[4],
                   edgecolor="black", zorder=3)  # fmt: skip
        pooled = table.iloc[-1]
        yd = 0.6
        ax.fill(
            [pooled["ci_low"], pooled["estimate"], pooled["ci_high"], pooled["estimate"]],
            [yd, yd + 0.25, yd, yd - 0.25],
            color=plots.PALETTE[5],
            edgecolor="black",
            zorder=3,
        )
        if np.isfinite(pooled["pi_low"]):
            ax.hlines(yd - 0.45, pooled["pi_low"], pooled["pi_high"], color=plots.PALETTE[5],
                      lw=3, label=f"{result.level:.0%} prediction interval")  # fmt: skip
            ax.legend(loc="lower right", frameon=False)
        ax.axvline(null, color="grey", ls="--", lw=1)
        ax.set_yticks([*ypos, yd])
        ax.set_yticklabels([*studies["label"], pooled["label"]])
        ax.set_ylim(-0.2, k + 1.6)
        ax.set_xlabel(xlabel)
        if transform is not None:
            ax.set_xscale("log")
        ax.grid(axis="y", visible=False)
    shown = table[["label", "estimate", "ci_low", "ci_high", "weight_pct", "pi_low", "pi_high"]]
    shown = shown.round({"estimate": digits, "ci_low": digits, "ci_high": digits,
                         "weight_pct": 1, "pi_low": digits, "pi_high": digits})  # fmt: skip
    shown = shown.astype({"pi_low": "object", "pi_high": "object"})
    shown.loc[shown["pi_low"].isna(), ["pi_low", "pi_high"]] = ""
    if caption is None:
        caption = (
            f"Forest plot: {k} studies (squares sized by weight, lines = {result.level:.0%} CI), "
            f"pooled estimate (diamond) and prediction interval (bar)."
        )
    return plots.figure_with_table(fig, shown.reset_index(drop=True), caption)


def funnel_plot(
    estimates,
    variances,
    *,
    labels=None,
    pooled: float | None = None,
    highlight=None,
    xlabel: str = "effect",
    caption: str | None = None,
    max_rows: int = 15,
):
    """Funnel plot (effect vs standard error, inverted) with the pseudo 95% region.

    ``pooled`` defaults to the fixed-effect estimate. ``highlight`` is an optional boolean mask
    (e.g. "published") drawn as filled circles; the others are open circles.
    """
    y, v = meta._check_yv(estimates, variances)
    se = np.sqrt(v)
    if pooled is None:
        pooled = meta.pool(y, v, method="FE").estimate
    mask = np.ones(y.size, bool) if highlight is None else np.asarray(highlight, bool)
    labels = [f"Study {i + 1}" for i in range(y.size)] if labels is None else list(labels)
    with plots.house_style():
        fig, ax = plots.new_figure(figsize=(6.5, 4.5))
        top = se.max() * 1.05
        s_grid = np.linspace(0, top, 50)
        z = stats.norm.ppf(0.975)
        ax.plot(pooled - z * s_grid, s_grid, color="grey", ls="--", lw=1)
        ax.plot(pooled + z * s_grid, s_grid, color="grey", ls="--", lw=1)
        ax.axvline(pooled, color="grey", lw=1)
        ax.scatter(y[mask], se[mask], color=plots.PALETTE[4], edgecolor="black", zorder=3,
                   label="shown" if highlight is None else "published")  # fmt: skip
        if highlight is not None and (~mask).any():
            ax.scatter(y[~mask], se[~mask], facecolor="none", edgecolor="black", marker="o",
                       label="not published")  # fmt: skip
            ax.legend(loc="lower right")
        ax.set_ylim(top, 0)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("standard error")
    table = pd.DataFrame({"label": labels, "estimate": y.round(3), "se": se.round(3)})
    if highlight is not None:
        table["published"] = mask
    if len(table) > max_rows:
        table = table.sort_values("se").head(max_rows)
    if caption is None:
        caption = (
            f"Funnel plot of {y.size} studies: effect against standard error (most precise at "
            f"the top); dashed lines are the pseudo 95% limits around {pooled:.2f}."
        )
    return plots.figure_with_table(fig, table.reset_index(drop=True), caption)
