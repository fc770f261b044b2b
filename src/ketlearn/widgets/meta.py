"""Evidence-synthesis views: forest and funnel plots, a meta-analysis explorer and a SIMULATED
small-study-effects demo.

Every plot is returned as :class:`ketlearn.plots.FigureWithTable` (figure + caption + the numbers
it shows). The widgets keep their computation in plain functions that tests call headless:

- :func:`explore` (used by :class:`MetaExplorer`): pool the chosen studies with the chosen model
  and return the result, a tidy table and the printed summary;
- :func:`funnel_demo` (used by :class:`FunnelDemo`): simulate a literature with
  :func:`ketlearn.meta.simulate_studies`, compare the pooled estimate of all studies with that of
  the "published" ones, and run Egger's test on the published ones.

Design notes
------------
- Forest plots: squares sized by weight, horizontal CI lines, a diamond for the pooled estimate
  and a thin bar for the prediction interval; the null line is drawn at 0 (or 1 for ratios).
  Shape and position carry the information, so nothing depends on colour.
- Funnel plots: effect on x, standard error on y (inverted, as is usual), with the pseudo 95%
  confidence region around the pooled estimate.
- The explorer works on any table of studies with ``label``, ``estimate`` and ``variance``
  columns (on the analysis scale), e.g. built with :func:`studies_from_ci`.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> studies = studies_from_ci(
...     ["A", "B", "C"], [-4.0, -3.6, -2.0], [-7.31, -7.2, -5.0], [-0.64, 0.07, 1.0]
... )
>>> view = explore(studies, ["A", "B"], method="FE")
>>> print(view.summary.splitlines()[0])
fixed-effect meta-analysis of k = 2 studies (mean difference)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .. import meta
from .._validation import check_choice

__all__ = [
    "ExplorerView",
    "FunnelDemo",
    "FunnelView",
    "MetaExplorer",
    "explore",
    "forest_plot",
    "funnel_demo",
    "funnel_plot",
    "studies_from_ci",
]


def studies_from_ci(labels, estimates, ci_low, ci_high, *, ci_level=0.95, log_scale=False):
    """A study table (``label``, ``estimate``, ``variance``, ``se``) from published CIs.

    With ``log_scale=True`` the estimates are ratios and the table is on the log scale.
    Each row goes through :func:`ketlearn.meta.effect_from_ci` (so a CI that does not contain its
    estimate raises ``ValueError``).
    """
    rows = []
    for lab, e, lo, hi in zip(labels, estimates, ci_low, ci_high, strict=True):
        y, v = meta.effect_from_ci(e, lo, hi, ci_level=ci_level, log_scale=log_scale)
        rows.append({"label": str(lab), "estimate": y, "variance": v, "se": float(np.sqrt(v))})
    return pd.DataFrame(rows)


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
    from .. import plots

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
    from .. import plots

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


# ---------------------------------------------------------------------------------------------
# Meta-analysis explorer
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExplorerView:
    """What the explorer shows for one choice of studies and model."""

    result: meta.MetaResult | None
    table: pd.DataFrame
    summary: str


def explore(
    studies: pd.DataFrame,
    included,
    *,
    method: str = "REML",
    hartung_knapp: bool = False,
    scale: str = "mean difference",
    transform=None,
) -> ExplorerView:
    """Pool the ``included`` studies (labels) of ``studies`` with the chosen model.

    Returns an :class:`ExplorerView` whose ``summary`` is the text the widget prints. With one
    study there is nothing to pool: the summary says so (and a fixed-effect "pool" of one study is
    that study). With no study the summary says so too.
    """
    method = check_choice("method", method, meta.TAU2_METHODS)
    included = [str(x) for x in included]
    unknown = sorted(set(included) - set(studies["label"].astype(str)))
    if unknown:
        raise ValueError(f"included has labels not in studies: {unknown}")
    rows = studies[studies["label"].astype(str).isin(included)]
    if rows.empty:
        return ExplorerView(None, rows, "No study selected: tick at least two studies to pool.")
    y = rows["estimate"].to_numpy(float)
    v = rows["variance"].to_numpy(float)
    labels = rows["label"].astype(str).tolist()
    if len(rows) == 1:
        r = meta.pool(y, v, method="FE", labels=labels)
        text = (
            f"Only one study selected ({labels[0]}): there is nothing to pool and no "
            "heterogeneity to estimate. Tick at least two studies."
        )
        return ExplorerView(r, r.forest_table(transform=transform), text)
    r = meta.pool(y, v, method=method, hartung_knapp=hartung_knapp, labels=labels)
    text = r.summary(transform=transform, scale=scale)
    if r.k == 2 and method != "FE":
        text += (
            "\nCaution: with 2 studies tau² is barely estimable; a Hartung–Knapp interval uses a "
            "t distribution with 1 degree of freedom (critical value 12.7), and the unmodified "
            "version can still be narrow if the two estimates happen to agree."
        )
    return ExplorerView(r, r.forest_table(transform=transform), text)


class MetaExplorer:
    """Tick studies in or out and change the model; the forest plot and summary update.

    Parameters
    ----------
    studies : pandas.DataFrame
        ``label``, ``estimate``, ``variance`` (analysis scale), e.g. from :func:`studies_from_ci`.
    scale, xlabel : str
        Words for the summary and the x axis.
    transform : callable, optional
        ``numpy.exp`` when the analysis scale is a log ratio.
    """

    def __init__(self, studies: pd.DataFrame, *, scale="mean difference", xlabel="effect",
                 transform=None):  # fmt: skip
        import ipywidgets as widgets

        self.studies = studies
        self.scale, self.xlabel, self.transform = scale, xlabel, transform
        labels = studies["label"].astype(str).tolist()
        self.checks = [widgets.Checkbox(value=True, description=lab, indent=False)
                       for lab in labels]  # fmt: skip
        self.method = widgets.Dropdown(
            options=[("Fixed effect", "FE"), ("Random, DerSimonian–Laird", "DL"),
                     ("Random, Paule–Mandel", "PM"), ("Random, REML", "REML")],
            value="REML", description="Model",
        )  # fmt: skip
        self.hk = widgets.Dropdown(
            options=[("normal (z)", False), ("Hartung–Knapp", True),
                     ("modified Hartung–Knapp", "modified")],
            value=False, description="CI",
        )  # fmt: skip
        self.output = widgets.Output()
        self.last_summary = ""
        for w in [*self.checks, self.method, self.hk]:
            w.observe(lambda _: self.update(), names="value")
        controls = widgets.VBox([widgets.HTML("<b>Studies</b>"), *self.checks])
        self.widget = widgets.VBox(
            [widgets.HBox([controls, widgets.VBox([self.method, self.hk])]), self.output]
        )
        self.update()

    def update(self) -> str:
        """Recompute from the current controls, redraw, and return the printed summary."""
        from IPython.display import display

        included = [c.description for c in self.checks if c.value]
        view = explore(self.studies, included, method=self.method.value,
                       hartung_knapp=self.hk.value, scale=self.scale,
                       transform=self.transform)  # fmt: skip
        self.view = view
        self.last_summary = view.summary
        self.output.clear_output(wait=True)
        with self.output:
            if view.result is not None and view.result.k >= 2:
                display(forest_plot(view.result, transform=self.transform, xlabel=self.xlabel))
            print(view.summary)
        return view.summary


# ---------------------------------------------------------------------------------------------
# Funnel / small-study-effects demo on SIMULATED studies
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelView:
    """What the funnel demo shows: the simulated studies and the two pooled results."""

    studies: pd.DataFrame
    all_result: meta.MetaResult
    published_result: meta.MetaResult | None
    egger: meta.EggerResult | None
    summary: str


def funnel_demo(
    k: int = 40,
    *,
    true_effect: float = 0.2,
    publish_nonsignificant: float = 0.2,
    tau: float = 0.0,
    seed: int = 2026,
) -> FunnelView:
    """Simulate a literature, filter it by publication, and compare pooled estimates (SIMULATED).

    >>> v = funnel_demo(60, true_effect=0.0, publish_nonsignificant=0.1, seed=3)
    >>> v.all_result.k, bool(v.published_result.estimate > v.all_result.estimate)
    (60, True)
    """
    sims = meta.simulate_studies(k, true_effect=true_effect, tau=tau,
                                 publish_nonsignificant=publish_nonsignificant, seed=seed)  # fmt: skip
    all_r = meta.pool(sims["estimate"], sims["variance"], method="REML")
    pub = sims[sims["published"]]
    pub_r = meta.pool(pub["estimate"], pub["variance"], method="REML") if len(pub) >= 2 else None
    egger = meta.egger_test(pub["estimate"], pub["variance"]) if len(pub) >= 3 else None
    lines = [
        f"SIMULATED literature: {k} studies run, {len(pub)} published "
        f"(true mean effect {true_effect:+.2f} SMD).",
        f"Pooled (REML) over all studies run: {all_r.estimate:+.3f} "
        f"(95% CI {all_r.ci_low:+.3f} to {all_r.ci_high:+.3f}).",
    ]
    if pub_r is not None:
        lines.append(
            f"Pooled (REML) over published studies only: {pub_r.estimate:+.3f} "
            f"(95% CI {pub_r.ci_low:+.3f} to {pub_r.ci_high:+.3f})."
        )
    else:
        lines.append("Fewer than two studies were published: nothing to pool.")
    if egger is not None:
        lines.append(egger.summary() + " (on the published studies)")
    return FunnelView(sims, all_r, pub_r, egger, "\n".join(lines))


class FunnelDemo:
    """Sliders for the number of studies, the true effect and publication bias (SIMULATED data)."""

    def __init__(self, seed: int = 2026):
        import ipywidgets as widgets

        self.seed = seed
        self.k = widgets.IntSlider(value=40, min=5, max=200, step=5, description="studies")
        self.effect = widgets.FloatSlider(value=0.2, min=-0.5, max=1.0, step=0.05,
                                          description="true SMD")  # fmt: skip
        self.publish = widgets.FloatSlider(
            value=0.2, min=0.0, max=1.0, step=0.05, description="P(publish n.s.)",
            style={"description_width": "initial"},
        )  # fmt: skip
        self.output = widgets.Output()
        self.last_summary = ""
        for w in (self.k, self.effect, self.publish):
            w.observe(lambda _: self.update(), names="value")
        self.widget = widgets.VBox([widgets.HBox([self.k, self.effect, self.publish]), self.output])
        self.update()

    def update(self) -> str:
        """Re-simulate with the current sliders, redraw, and return the printed summary."""
        from IPython.display import display

        view = funnel_demo(self.k.value, true_effect=self.effect.value,
                           publish_nonsignificant=self.publish.value, seed=self.seed)  # fmt: skip
        self.view = view
        self.last_summary = view.summary
        self.output.clear_output(wait=True)
        with self.output:
            display(
                funnel_plot(
                    view.studies["estimate"], view.studies["variance"],
                    labels=view.studies["study"], highlight=view.studies["published"],
                    pooled=view.all_result.estimate, xlabel="SMD (simulated)",
                    caption="SIMULATED studies: filled = published, open = never published. "
                    "Dashed lines: pseudo 95% limits around the pooled estimate of all studies.",
                )
            )  # fmt: skip
            print(view.summary)
        return view.summary
