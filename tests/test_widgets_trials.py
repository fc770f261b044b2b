"""Headless tests for ketlearn.widgets.trials (computation functions and the apps)."""

from __future__ import annotations

import math

import matplotlib
import pytest

from ketlearn.widgets import trials as wt

matplotlib.use("Agg")


def test_simulation_summary_changes_with_unblinding():
    _, t0, text0 = wt.simulation_summary(n_trials=300, seed=2, expectancy_points=-3.0)
    _, t1, text1 = wt.simulation_summary(
        n_trials=300, seed=2, expectancy_points=-3.0, unblinding=1.0
    )
    assert abs(t0["bias_points"].iloc[0]) < 0.5
    assert t1["bias_points"].iloc[0] == pytest.approx(-3.0, abs=0.5)
    assert "biased" in text1 and "biased" not in text0
    assert "SIMULATED" in text0


def test_simulation_summary_null_effect_reports_false_positives():
    _, table, text = wt.simulation_summary(true_effect_points=0.0, n_trials=1000, seed=3)
    assert "false positives" in text
    assert 0.03 <= table["share_p_below_alpha"].iloc[0] <= 0.07


def test_simulation_figure_has_two_panels():
    res, _, _ = wt.simulation_summary(n_trials=50, seed=1)
    fig = wt.simulation_figure(res)
    assert len(fig.axes) == 2


def test_nnt_table_hand_worked():
    # 30/100 vs 45/100: RD 0.15, Wald SE sqrt(.45*.55/100 + .3*.7/100)
    t = wt.nnt_table(0.30, 0.45, n_per_arm=100).iloc[0]
    se = math.sqrt(0.45 * 0.55 / 100 + 0.3 * 0.7 / 100)
    assert t["risk_difference"] == pytest.approx(0.15)
    assert t["rd_ci_low"] == pytest.approx(0.15 - 1.959964 * se, abs=1e-4)
    assert t["risk_ratio"] == pytest.approx(1.5)
    assert t["nnt"] == "NNTB 6.67"


def test_same_risk_ratio_gives_different_nnt_at_different_baseline_risks():
    common = wt.nnt_table(0.40, 0.60, n_per_arm=1000).iloc[0]
    rare = wt.nnt_table(0.02, 0.03, n_per_arm=1000).iloc[0]
    assert common["risk_ratio"] == pytest.approx(rare["risk_ratio"])
    assert common["nnt"] == "NNTB 5" and rare["nnt"] == "NNTB 100"


def test_nnt_summary_wording_for_no_difference_harm_and_bad_events():
    assert "NNT undefined" in wt.nnt_summary(0.3, 0.3)
    harm = wt.nnt_summary(0.5, 0.3, n_per_arm=200)
    assert "NNTH" in harm and "harmed" in harm
    relapse = wt.nnt_summary(0.45, 0.27, n_per_arm=200, outcome_is_good=False)
    assert "NNTB" in relapse and "benefit" in relapse
    wide = wt.nnt_summary(0.30, 0.40, n_per_arm=30)
    assert "∞" in wide and "through infinity" in wide
    assert "not defined" in wt.nnt_summary(0.0, 0.2)


def test_bad_input():
    with pytest.raises(ValueError, match="control_risk"):
        wt.nnt_table(1.2, 0.3)
    with pytest.raises(ValueError, match="n_per_arm"):
        wt.nnt_table(0.2, 0.3, n_per_arm=1)


def test_apps_update_headless():
    pytest.importorskip("ipywidgets")
    sim = wt.TrialSimulator(n_trials=100, seed=0)
    first = sim.last_summary
    changed = sim.update(unblinding=1.0, expectancy_points=-4.0)
    assert changed != first and sim.last_summary == changed
    sim.controls["n_per_arm"].value = 120
    assert "120 per arm" in sim.last_summary
    app = wt.NNTExplorer()
    before = app.last_summary
    app.control_risk.value = 0.05
    assert app.last_summary != before
    assert "Out of 100 people" in app.update(control_risk=0.1, risk_ratio=2.0)


def test_nnt_table_uses_a_learners_risk_difference_function():
    """Build, then reuse (notebook 04): any (events_t, n_t, events_c, n_c) -> (rd, low, high)."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    def newcombe(et, nt, ec, nc):
        low, high = confint_proportions_2indep(et, nt, ec, nc, method="newcomb", compare="diff")
        return et / nt - ec / nc, low, high

    t = wt.nnt_table(0.3, 0.45, n_per_arm=40, risk_difference=newcombe).iloc[0]
    low, high = confint_proportions_2indep(18, 40, 12, 40, method="newcomb", compare="diff")
    assert (t["rd_ci_low"], t["rd_ci_high"]) == pytest.approx((low, high), abs=1e-4)
    default = wt.nnt_table(0.3, 0.45, n_per_arm=40).iloc[0]
    assert t["rd_ci_low"] != default["rd_ci_low"]  # the Wald default differs
    text = wt.nnt_summary(0.3, 0.45, n_per_arm=40, risk_difference=newcombe)
    assert text != wt.nnt_summary(0.3, 0.45, n_per_arm=40)
    with pytest.raises(ValueError, match="risk_difference must be a function"):
        wt.nnt_table(0.3, 0.45, risk_difference=0.15)


def test_nnt_explorer_runs_on_a_learners_function():
    pytest.importorskip("ipywidgets")

    def rd_with_ci(et, nt, ec, nc):  # a learner's Wald interval, written out
        pt, pc = et / nt, ec / nc
        se = (pt * (1 - pt) / nt + pc * (1 - pc) / nc) ** 0.5
        return pt - pc, pt - pc - 1.96 * se, pt - pc + 1.96 * se

    theirs = wt.NNTExplorer(risk_difference=rd_with_ci, display_output=False)
    ours = wt.NNTExplorer(display_output=False)
    assert theirs.last_summary == ours.last_summary  # same Wald interval, same words
    with pytest.raises(ValueError, match="risk_difference must be a function"):
        wt.NNTExplorer(risk_difference="wald", display_output=False)
