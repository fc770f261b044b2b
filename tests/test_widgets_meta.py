"""Headless tests for ketlearn.widgets.meta: plots carry their numbers, the explorer and the
funnel demo compute what they print, and bad input is refused."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from ketlearn import meta
from ketlearn.widgets import meta as wmeta

# TRANSFORM-2 and TRANSFORM-3 day-28 MADRS differences with 95% CIs (fact-pack section D, VERIFIED;
# popova2019efficacy, ochsross2020efficacy) plus one FICTIONAL study "C" for the explorer tests.
LABELS = ["TRANSFORM-2", "TRANSFORM-3", "C (fictional)"]
EST = [-4.0, -3.6, -1.0]
LOW = [-7.31, -7.20, -5.0]
HIGH = [-0.64, 0.07, 3.0]


@pytest.fixture
def studies():
    return wmeta.studies_from_ci(LABELS, EST, LOW, HIGH)


def test_studies_from_ci_recovers_se(studies):
    assert studies["se"].iloc[0] == pytest.approx((-0.64 + 7.31) / (2 * 1.959963984540054))
    with pytest.raises(ValueError, match="does not contain its estimate"):
        wmeta.studies_from_ci(["x"], [1.0], [-7.0], [0.0])


def test_explore_matches_direct_pool(studies):
    view = wmeta.explore(studies, LABELS[:2], method="FE")
    w = 1 / studies["variance"].iloc[:2].to_numpy()
    expected = float(np.sum(w * np.array(EST[:2])) / w.sum())
    assert view.result.estimate == pytest.approx(expected)
    assert "k = 2" in view.summary
    assert f"{expected:.3f}" in view.summary


def test_explore_summary_changes_with_controls(studies):
    a = wmeta.explore(studies, LABELS, method="FE").summary
    b = wmeta.explore(studies, LABELS, method="DL", hartung_knapp=True).summary
    c = wmeta.explore(studies, LABELS[:2], method="REML").summary
    assert len({a, b, c}) == 3
    assert "Hartung" in b
    assert "Caution" in c  # two studies with a random-effects model


def test_explore_one_and_zero_studies(studies):
    one = wmeta.explore(studies, ["TRANSFORM-2"])
    assert "nothing to pool" in one.summary
    assert one.result.estimate == pytest.approx(-4.0)
    none = wmeta.explore(studies, [])
    assert none.result is None and "No study selected" in none.summary
    with pytest.raises(ValueError, match="not in studies"):
        wmeta.explore(studies, ["TRANSFORM-9"])


def test_forest_plot_table_matches_result(studies):
    r = meta.pool(studies["estimate"], studies["variance"], labels=LABELS, method="REML")
    shown = wmeta.forest_plot(r, xlabel="MADRS difference")
    assert list(shown.table["label"][:3]) == LABELS
    assert shown.table["estimate"].iloc[-1] == pytest.approx(round(r.estimate, 2))
    assert shown.table["weight_pct"].iloc[:3].sum() == pytest.approx(100, abs=0.2)
    assert shown.png()[:4] == b"\x89PNG"
    assert "Forest plot" in str(shown)


def test_forest_plot_on_ratio_scale():
    y, v = meta.effect_from_counts([10, 20, 5], [50, 60, 40], [5, 15, 2], [50, 60, 40])
    r = meta.pool(y, v, method="DL")
    shown = wmeta.forest_plot(r, transform=np.exp, xlabel="odds ratio")
    assert shown.table["estimate"].iloc[-1] == pytest.approx(round(math.exp(r.estimate), 2))


def test_funnel_plot_table_and_default_pooled():
    y = [0.1, 0.3, 0.5, 0.2]
    v = [0.01, 0.04, 0.09, 0.02]
    shown = wmeta.funnel_plot(y, v)
    assert list(shown.table["se"]) == pytest.approx([0.1, 0.2, 0.3, 0.141], abs=1e-3)
    fe = meta.pool(y, v, method="FE").estimate
    assert f"{fe:.2f}" in shown.caption


def test_funnel_demo_publication_bias_inflates_and_is_reproducible():
    a = wmeta.funnel_demo(80, true_effect=0.0, publish_nonsignificant=0.05, seed=11)
    b = wmeta.funnel_demo(80, true_effect=0.0, publish_nonsignificant=0.05, seed=11)
    assert a.summary == b.summary
    assert a.published_result.estimate > a.all_result.estimate
    assert "SIMULATED" in a.summary
    assert bool(a.studies["simulated"].all())
    unbiased = wmeta.funnel_demo(80, true_effect=0.0, publish_nonsignificant=1.0, seed=11)
    assert unbiased.published_result.estimate == pytest.approx(unbiased.all_result.estimate)


def test_widgets_build_and_update_headless(studies):
    pytest.importorskip("ipywidgets")
    ex = wmeta.MetaExplorer(studies, xlabel="MADRS difference")
    first = ex.last_summary
    ex.checks[2].value = False  # drop the fictional study
    assert ex.last_summary != first and "k = 2" in ex.last_summary
    ex.hk.value = "modified"
    assert "modified Hartung" in ex.last_summary
    ex.method.value = "FE"
    assert ex.last_summary.startswith("fixed-effect")
    demo = wmeta.FunnelDemo(seed=5)
    before = demo.last_summary
    demo.publish.value = 1.0
    assert demo.last_summary != before


def test_simulate_studies_bad_input():
    with pytest.raises(ValueError, match="publish_nonsignificant"):
        meta.simulate_studies(10, publish_nonsignificant=1.5)
    with pytest.raises(ValueError, match="n_per_arm_max"):
        meta.simulate_studies(10, n_per_arm_min=50, n_per_arm_max=20)
