"""Evidence-synthesis views: forest and funnel plots, a meta-analysis explorer and a SIMULATED
small-study-effects demo.

The plots (:func:`forest_plot`, :func:`funnel_plot`) live in :mod:`ketlearn.views.meta` and are
re-exported here; each is a :class:`ketlearn.plots.FigureWithTable` (figure + caption + the
numbers it shows). The apps are :class:`ketlearn.views.app.App` subclasses whose computation is in
plain functions that tests call headless:

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

from .. import meta
from .._validation import check_choice
from ..views.app import App, Control
from ..views.meta import forest_plot, funnel_plot

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


_MODELS = (
    ("Fixed effect", "FE"),
    ("Random, DerSimonian–Laird", "DL"),
    ("Random, Paule–Mandel", "PM"),
    ("Random, REML", "REML"),
)
_INTERVALS = (
    ("normal (z)", False),
    ("Hartung–Knapp", True),
    ("modified Hartung–Knapp", "modified"),
)


class MetaExplorer(App):
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

    print_text = True

    def __init__(self, studies: pd.DataFrame, *, scale="mean difference", xlabel="effect",
                 transform=None, display_output: bool = True):  # fmt: skip
        self.studies = studies
        self.labels = studies["label"].astype(str).tolist()
        self.scale, self.xlabel, self.transform = scale, xlabel, transform
        super().__init__(display_output=display_output)

    def spec(self) -> list[Control]:
        ticks = [Control(f"include_{i}", "check", True, lab) for i, lab in enumerate(self.labels)]
        return [
            *ticks,
            Control("method", "choice", "REML", "Model", options=_MODELS),
            Control("hk", "choice", False, "CI", options=_INTERVALS),
        ]

    @property
    def checks(self) -> list:
        """The study checkboxes, in the order of ``studies``."""
        return [self.controls[f"include_{i}"] for i in range(len(self.labels))]

    @property
    def view(self) -> ExplorerView:
        return self.last

    def arrange(self, controls: list):
        import ipywidgets as widgets

        ticks = widgets.VBox([widgets.HTML("<b>Studies</b>"), *self.checks])
        return widgets.HBox([ticks, widgets.VBox([self.method, self.hk])])

    def compute(self, *, method, hk, **ticks) -> ExplorerView:
        included = [lab for i, lab in enumerate(self.labels) if ticks[f"include_{i}"]]
        return explore(self.studies, included, method=method, hartung_knapp=hk,
                       scale=self.scale, transform=self.transform)  # fmt: skip

    def draw(self, view: ExplorerView):
        if view.result is None or view.result.k < 2:
            return None
        return forest_plot(view.result, transform=self.transform, xlabel=self.xlabel)


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


class FunnelDemo(App):
    """Sliders for the number of studies, the true effect and publication bias (SIMULATED data).

    Each change re-simulates the literature, so the sliders recompute when released.
    """

    CONTROLS = (
        Control("k", "int", 40, "studies", bounds=(5, 200, 5)),
        Control("effect", "float", 0.2, "true SMD", bounds=(-0.5, 1.0, 0.05)),
        Control("publish", "float", 0.2, "P(publish n.s.)", bounds=(0.0, 1.0, 0.05)),
    )
    columns = 3
    print_text = True

    def __init__(self, seed: int = 2026, *, display_output: bool = True):
        self.seed = seed
        super().__init__(display_output=display_output)

    @property
    def view(self) -> FunnelView:
        return self.last

    def compute(self, k, effect, publish) -> FunnelView:
        return funnel_demo(k, true_effect=effect, publish_nonsignificant=publish, seed=self.seed)

    def draw(self, view: FunnelView):
        return funnel_plot(
            view.studies["estimate"], view.studies["variance"],
            labels=view.studies["study"], highlight=view.studies["published"],
            pooled=view.all_result.estimate, xlabel="SMD (simulated)",
            caption="SIMULATED studies: filled = published, open = never published. "
            "Dashed lines: pseudo 95% limits around the pooled estimate of all studies.",
        )  # fmt: skip
