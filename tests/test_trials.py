"""Tests for ketlearn.trials and the published-trials dataset.

Independent references: scipy and statsmodels for intervals and tests, hand-worked textbook
values, published numbers (each with its source key and where it is in the source), and
properties of the simulator checked by simulation.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.proportion import confint_proportions_2indep
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from ketlearn import bibliography, data, meta, trials

# --------------------------------------------------------------------------------------------
# Continuous effect sizes
# --------------------------------------------------------------------------------------------


def _sample_with(mean: float, sd: float, n: int, seed: int) -> np.ndarray:
    """A sample whose mean and SD (ddof=1) are exactly ``mean`` and ``sd``."""
    x = np.random.default_rng(seed).standard_normal(n)
    x = (x - x.mean()) / x.std(ddof=1)
    return mean + sd * x


@pytest.mark.parametrize("equal_var", [True, False])
def test_mean_difference_matches_statsmodels_and_scipy(equal_var):
    xt = _sample_with(-18.4, 12.0, 17, 1)
    xc = _sample_with(-5.7, 10.2, 19, 2)
    r = trials.mean_difference(-18.4, 12.0, 17, -5.7, 10.2, 19, equal_var=equal_var)
    cm = CompareMeans(DescrStatsW(xt), DescrStatsW(xc))
    lo, hi = cm.tconfint_diff(alpha=0.05, usevar="pooled" if equal_var else "unequal")
    assert r.estimate == pytest.approx(-12.7)
    assert (r.ci_low, r.ci_high) == pytest.approx((lo, hi), rel=1e-9)
    t = stats.ttest_ind_from_stats(-18.4, 12.0, 17, -5.7, 10.2, 19, equal_var=equal_var)
    assert r.estimate / r.se == pytest.approx(t.statistic, rel=1e-9)


def test_cohens_d_and_hedges_g_hand_worked():
    # Hand-worked: means 103 vs 100, SDs 5.5 and 4.5, n = 50 each.
    # pooled SD = sqrt((49*30.25 + 49*20.25)/98) = sqrt(25.25) = 5.02494; d = 3/5.02494 = 0.59702
    # var(d) = 100/2500 + 0.59702**2/200 = 0.041782; J = 1 - 3/(4*100 - 9) = 0.992327
    d = trials.cohens_d(103, 5.5, 50, 100, 4.5, 50)
    assert d.estimate == pytest.approx(3 / math.sqrt(25.25), rel=1e-12)
    assert d.se**2 == pytest.approx(0.04 + d.estimate**2 / 200, rel=1e-12)
    assert d.se**2 == pytest.approx(0.041782, abs=1e-6)
    g = trials.hedges_g(103, 5.5, 50, 100, 4.5, 50)
    assert g.estimate / d.estimate == pytest.approx(1 - 3 / 391, rel=1e-12)
    assert g.estimate == pytest.approx(0.5924, abs=1e-4)
    z = stats.norm.ppf(0.975)
    assert g.ci_high - g.ci_low == pytest.approx(2 * z * g.se)


def test_cohens_d_ci_covers_about_95_percent():
    rng = np.random.default_rng(11)
    n, true_d, hits, reps = 30, 0.5, 0, 2000
    xt = rng.normal(true_d, 1, size=(reps, n))
    xc = rng.normal(0, 1, size=(reps, n))
    for a, b in zip(xt, xc, strict=True):
        r = trials.cohens_d(a.mean(), a.std(ddof=1), n, b.mean(), b.std(ddof=1), n)
        hits += r.ci_low <= true_d <= r.ci_high
    assert 0.93 <= hits / reps <= 0.97


# --------------------------------------------------------------------------------------------
# Binary effect sizes
# --------------------------------------------------------------------------------------------
TABLES = [(24, 90, 39, 86), (16, 62, 34, 59), (12, 20, 10, 20), (5, 12, 1, 33), (3, 11, 0, 33)]


@pytest.mark.parametrize("et,nt,ec,nc", TABLES)
def test_ratios_match_statsmodels_table2x2(et, nt, ec, nc):
    table = Table2x2(np.array([[et, nt - et], [ec, nc - ec]]))
    rr = trials.risk_ratio(et, nt, ec, nc)
    orr = trials.odds_ratio(et, nt, ec, nc)
    if 0 not in (et, nt - et, ec, nc - ec):
        assert orr.estimate == pytest.approx(table.oddsratio, rel=1e-12)
        assert (orr.ci_low, orr.ci_high) == pytest.approx(table.oddsratio_confint(), rel=1e-9)
        assert rr.estimate == pytest.approx(table.riskratio, rel=1e-12)
        assert (rr.ci_low, rr.ci_high) == pytest.approx(table.riskratio_confint(), rel=1e-9)
    else:
        assert "0.5 added" in rr.method and "0.5 added" in orr.method


@pytest.mark.parametrize("et,nt,ec,nc", TABLES[:4])
def test_risk_ratio_matches_scipy(et, nt, ec, nc):
    ref = stats.contingency.relative_risk(et, nt, ec, nc)
    ci = ref.confidence_interval(0.95)
    r = trials.risk_ratio(et, nt, ec, nc)
    assert r.estimate == pytest.approx(ref.relative_risk, rel=1e-12)
    assert (r.ci_low, r.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-9)


def test_zero_cell_continuity_correction_hand_worked():
    # 3/11 vs 0/33 -> cells 3.5, 8.5, 0.5, 33.5: OR = 3.5*33.5/(8.5*0.5)
    r = trials.odds_ratio(3, 11, 0, 33)
    assert r.estimate == pytest.approx(3.5 * 33.5 / (8.5 * 0.5))
    assert r.se == pytest.approx(math.sqrt(1 / 3.5 + 1 / 8.5 + 1 / 0.5 + 1 / 33.5))
    rr = trials.risk_ratio(3, 11, 0, 33)
    assert rr.estimate == pytest.approx((3.5 / 12) / (0.5 / 34))
    with pytest.raises(ValueError, match="no events in either arm"):
        trials.risk_ratio(0, 10, 0, 12)
    with pytest.raises(ValueError, match="every participant"):
        trials.odds_ratio(10, 10, 12, 12)


@pytest.mark.parametrize("method,sm", [("wald", "wald"), ("newcombe", "newcomb")])
@pytest.mark.parametrize("et,nt,ec,nc", TABLES)
def test_risk_difference_matches_statsmodels(method, sm, et, nt, ec, nc):
    r = trials.risk_difference(et, nt, ec, nc, method=method)
    lo, hi = confint_proportions_2indep(et, nt, ec, nc, method=sm, compare="diff")
    assert r.estimate == pytest.approx(et / nt - ec / nc)
    assert (r.ci_low, r.ci_high) == pytest.approx((lo, hi), rel=1e-7, abs=1e-12)


def test_effect_estimate_unpacks_as_estimate_and_interval():
    """Students' rd_with_ci returns (rd, low, high); the package's fallback unpacks the same way."""
    r = trials.risk_difference(16, 62, 34, 59)
    rd, low, high = r
    assert (rd, low, high) == (r.estimate, r.ci_low, r.ci_high)
    assert rd == pytest.approx(16 / 62 - 34 / 59)


@settings(max_examples=50, deadline=None)
@given(
    nt=st.integers(2, 300),
    nc=st.integers(2, 300),
    ft=st.floats(0.01, 0.99),
    fc=st.floats(0.01, 0.99),
)
def test_ratio_intervals_contain_estimate_and_are_symmetric_on_log_scale(nt, nc, ft, fc):
    et, ec = max(1, round(ft * nt)), max(1, round(fc * nc))
    et, ec = min(et, nt - 1), min(ec, nc - 1)
    for f in (trials.risk_ratio, trials.odds_ratio):
        r = f(et, nt, ec, nc)
        assert r.ci_low < r.estimate < r.ci_high
        assert math.log(r.estimate) - math.log(r.ci_low) == pytest.approx(
            math.log(r.ci_high) - math.log(r.estimate)
        )
    rd = trials.risk_difference(et, nt, ec, nc)
    assert rd.ci_low <= rd.estimate <= rd.ci_high


# --------------------------------------------------------------------------------------------
# NNT
# --------------------------------------------------------------------------------------------
def test_nnt_newcombe_example_spans_infinity():
    # Newcombe (BMJ rapid response to Altman 1998): ARR -5% to +25% -> NNTB 4 to inf to NNTH 20
    r = trials.number_needed_to_treat(0.10, -0.05, 0.25)
    assert r.kind == "NNTB" and r.value == pytest.approx(10)
    assert r.ci_text == "NNTB 4 to ∞ to NNTH 20"
    assert r.spans_infinity


def test_nnt_no_difference_is_undefined_and_said_plainly():
    r = trials.number_needed_to_treat(0.0, -0.1, 0.1)
    assert r.kind == "undefined" and math.isinf(r.value) and math.isinf(r.rounded)
    assert "undefined" in str(r) and "no difference" in str(r)


def test_nnt_harm_gives_nnth_and_bad_outcome_flips_sign():
    harm = trials.number_needed_to_treat(-0.2, -0.3, -0.1)  # fewer responders on treatment
    assert harm.kind == "NNTH" and harm.value == pytest.approx(5)
    assert harm.ci_text == "NNTH 3.33 to 10"
    relapse = trials.number_needed_to_treat(-0.2, -0.3, -0.1, outcome_is_good=False)
    assert relapse.kind == "NNTB" and relapse.ci_text == "NNTB 3.33 to 10"
    edge = trials.number_needed_to_treat(0.1, 0.0, 0.2)
    assert edge.ci_text == "NNTB 5 to ∞"


@pytest.mark.parametrize(
    "et,nt,ec,nc,published_nnt",
    # SUSTAIN-1 [daly2019efficacy], abstract: relapse counts and NNT 6 (remitters), 4 (responders)
    [(24, 90, 39, 86, 6), (16, 62, 34, 59, 4)],
)
def test_nnt_reproduces_sustain1_published_nnt(et, nt, ec, nc, published_nnt):
    rd = trials.risk_difference(et, nt, ec, nc)
    r = trials.number_needed_to_treat(rd.estimate, rd.ci_low, rd.ci_high, outcome_is_good=False)
    assert r.kind == "NNTB" and r.rounded == published_nnt


# --------------------------------------------------------------------------------------------
# Response, remission, power
# --------------------------------------------------------------------------------------------
def test_response_and_remission_definitions():
    assert trials.response([30, 30, 40, 20], [15, 15.1, 10, 20]).tolist() == [
        True,
        False,
        True,
        False,
    ]
    assert trials.remission([10, 12, 12.5], cutoff=12).tolist() == [True, True, False]
    assert trials.remission([10, 11], cutoff=10).tolist() == [True, False]
    with pytest.raises(ValueError, match="baseline"):
        trials.response([0, 30], [0, 10])
    with pytest.raises(ValueError, match="same shape"):
        trials.response([30, 30], [10])


def test_power_matches_noncentral_t():
    d, n = 0.5, 64
    df = 2 * n - 2
    nc = d * math.sqrt(n / 2)
    tcrit = stats.t.ppf(0.975, df)
    power = stats.nct.sf(tcrit, df, nc) + stats.nct.cdf(-tcrit, df, nc)
    assert trials.power_two_sample(d, n) == pytest.approx(power, rel=1e-6)
    assert trials.sample_size_two_sample(0.5) == 64  # Cohen's classic table value
    assert trials.power_two_sample(0.5, trials.sample_size_two_sample(0.5)) >= 0.8
    assert trials.power_two_sample(0.5, 63) < 0.8


def test_sample_size_two_proportions_hand_worked():
    h = abs(2 * math.asin(math.sqrt(0.5)) - 2 * math.asin(math.sqrt(0.3)))
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    assert trials.sample_size_two_proportions(0.5, 0.3) == math.ceil((z / h) ** 2 * 2 - 1e-9)


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: trials.risk_ratio(5, 0, 1, 10), "n_t must be"),
        (lambda: trials.risk_ratio(-1, 10, 1, 10), "events_t must be"),
        (lambda: trials.odds_ratio(11, 10, 1, 10), "events_t .11. cannot be greater than n_t"),
        (lambda: trials.risk_difference(1, 10, 12, 10), "events_c .12. cannot be greater"),
        (lambda: trials.mean_difference(1, 0, 10, 1, 1, 10), "sd_t must be"),
        (lambda: trials.mean_difference(1, 1, 10, 1, -2, 10), "sd_c must be"),
        (lambda: trials.cohens_d(1, 1, 1, 1, 1, 10), "n_t must be"),
        (lambda: trials.check_ci(2.0, 0.5, 1.5), "does not contain its estimate"),
        (lambda: trials.check_ci(1.0, 1.5, 0.5), "reversed"),
        (lambda: trials.number_needed_to_treat(0.3, 0.1, 0.2), "does not contain"),
        (lambda: trials.number_needed_to_treat(1.5, 1.0, 2.0), "rd must be"),
        (lambda: trials.se_from_ci(0.5, 0.6, 0.9, ratio=True), "does not contain"),
        (lambda: trials.mean_difference(1, 1, 10, 1, 1, 10, ci_level=1.2), "ci_level"),
        (lambda: trials.risk_difference(1, 10, 1, 10, method="exact"), "method must be one of"),
        (lambda: trials.sample_size_two_sample(0), "must not be 0"),
        (lambda: trials.TrialDesign(dropout_fraction=1.0), "dropout_fraction"),
        (lambda: trials.TrialDesign(unblinding=-0.1), "unblinding"),
        (lambda: trials.simulate_trials(n_trials=0), "n_trials"),
        (lambda: trials.simulate_trials(seed="x"), "seed"),
        (lambda: trials.simulate_trials(n_trials=2, bogus=1), "unknown design parameter"),
    ],
)
def test_bad_input_raises_valueerror_saying_what(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_se_from_ci_recovers_published_se():
    # TRANSFORM-2 abstract [popova2019efficacy]: -4.0, SE 1.69, 95% CI -7.31 to -0.64
    assert trials.se_from_ci(-4.0, -7.31, -0.64) == pytest.approx(1.69, abs=0.02)
    # ASPIRE I [fu2020esketamine]: -3.8, SE 1.39, 95% CI -6.56 to -1.09
    assert trials.se_from_ci(-3.8, -6.56, -1.09) == pytest.approx(1.39, abs=0.02)


# --------------------------------------------------------------------------------------------
# Simulator
# --------------------------------------------------------------------------------------------
def test_simulator_unbiased_without_bias_mechanisms():
    res = trials.simulate_trials(n_trials=400, n_per_arm=250, seed=5)
    se_of_mean = res.estimate.std(ddof=1) / math.sqrt(res.estimate.size)
    assert abs(res.estimate.mean() - (-4.0)) < 4 * se_of_mean
    assert 0.92 <= res.summary()["ci_coverage"].iloc[0] <= 0.98
    # under the null the p values are uniform and about 5% fall below 0.05
    null = trials.simulate_trials(n_trials=2000, n_per_arm=30, seed=6, true_effect_points=0.0)
    assert 0.035 <= np.mean(null.p_value < 0.05) <= 0.065
    assert stats.kstest(null.p_value, "uniform").pvalue > 0.001


def test_unblinding_biases_towards_benefit_and_active_placebo_reduces_it():
    base = dict(n_trials=400, n_per_arm=200, seed=7, expectancy_points=-3.0)
    blind = trials.simulate_trials(**base, unblinding=0.0).estimate.mean()
    unblinded = trials.simulate_trials(**base, unblinding=1.0).estimate.mean()
    active = trials.simulate_trials(**base, unblinding=1.0, active_placebo_mimicry=0.5)
    assert unblinded < blind - 2.0  # more negative = apparently more benefit
    assert unblinded == pytest.approx(-4.0 - 3.0, abs=0.3)
    assert active.estimate.mean() == pytest.approx(-4.0 - 1.5, abs=0.3)
    assert active.design.expected_bias_points == pytest.approx(-1.5)


def test_regression_to_the_mean_shows_in_both_arms_but_not_in_the_difference():
    rtm = trials.simulate_trials(
        n_trials=300,
        n_per_arm=200,
        seed=8,
        screening_noise_sd_points=4.0,
        entry_threshold_points=36.0,
    )
    plain = trials.simulate_trials(n_trials=300, n_per_arm=200, seed=8)
    assert rtm.mean_change_c.mean() < plain.mean_change_c.mean() - 1.0
    assert rtm.estimate.mean() == pytest.approx(-4.0, abs=0.3)


def test_dropout_costs_power_not_bias():
    full = trials.simulate_trials(n_trials=1000, n_per_arm=50, seed=9)
    lossy = trials.simulate_trials(n_trials=1000, n_per_arm=50, seed=9, dropout_fraction=0.4)
    assert lossy.n_t.mean() == pytest.approx(30, abs=1)
    assert np.mean(lossy.p_value < 0.05) < np.mean(full.p_value < 0.05)
    assert lossy.estimate.mean() == pytest.approx(-4.0, abs=0.4)


def test_simulator_seeded_runs_reproducible():
    a = trials.simulate_trials(n_trials=50, seed=123, unblinding=0.5, expectancy_points=-2)
    b = trials.simulate_trials(n_trials=50, seed=123, unblinding=0.5, expectancy_points=-2)
    c = trials.simulate_trials(n_trials=50, seed=124, unblinding=0.5, expectancy_points=-2)
    np.testing.assert_array_equal(a.estimate, b.estimate)
    np.testing.assert_array_equal(a.p_value, b.p_value)
    assert not np.array_equal(a.estimate, c.estimate)
    pd.testing.assert_frame_equal(
        trials.simulate_patients(seed=1), trials.simulate_patients(seed=1)
    )


def test_simulated_ipd_file_is_what_the_preset_makes_and_says_simulated():
    df = data.load("trial_ipd_simulated")
    info = data.describe("trial_ipd_simulated")
    assert info.simulated and "SIMULATED" in info.title and "SIMULATED" in info.description
    assert "simulated" in info.path
    again = trials.simulate_patients(trials.IPD_EXERCISE_PRESET, seed=2024)
    assert list(df["patient_id"]) == list(again["patient_id"])
    np.testing.assert_allclose(df["baseline_madrs"], again["baseline_madrs"])
    np.testing.assert_allclose(
        df["change_madrs"].to_numpy(dtype=float, na_value=np.nan),
        again["change_madrs"].to_numpy(dtype=float, na_value=np.nan),
    )
    assert df["baseline_madrs"].between(0, 60).all()


# --------------------------------------------------------------------------------------------
# The published-trials dataset
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return data.load("trials_published").set_index("row_id")


def test_every_row_has_a_source_key_in_the_bibliography(published):
    keys = set(bibliography.keys())
    assert published["source_key"].notna().all()
    missing = set(published["source_key"]) - keys
    assert not missing, f"source keys missing from references.bib: {missing}"
    info = data.describe("trials_published")
    assert not info.simulated
    assert set(published["source_key"]) <= set(info.citation_keys)


def test_dataset_intervals_contain_estimates_and_rates_are_proportions(published):
    has_ci = published.dropna(subset=["estimate", "ci_low", "ci_high"])
    for row_id, row in has_ci.iterrows():
        trials.check_ci(row["estimate"], row["ci_low"], row["ci_high"], name=row_id)
    rates = published[published["measure"].astype(str).str.endswith("_rate")]
    assert rates["estimate"].between(0, 1).all()
    assert all(i.endswith(("_trt", "_ctl")) for i in rates.index)
    ratio = published[published["measure"].isin(["odds_ratio", "risk_ratio", "hazard_ratio"])]
    assert (ratio["estimate"] > 0).all()


# Cited values, typed from the sources (value, source key, where in the source).
CITED = [
    # Berman abstract: HDRS fell 14 (ketamine) and 0 (saline); the row stores 14 - 0 as -14.
    ("berman2000_hdrs_72h", "estimate", -14.0, "berman2000antidepressant", "abstract"),
    ("murrough2013_madrs_24h", "estimate", -7.95, "murrough2013antidepressant", "abstract"),
    ("murrough2013_madrs_24h", "ci_low", -12.71, "murrough2013antidepressant", "abstract"),
    ("murrough2013_madrs_24h", "ci_high", -3.20, "murrough2013antidepressant", "abstract"),
    ("murrough2013_response_or_24h", "estimate", 2.18, "murrough2013antidepressant", "abstract"),
    ("murrough2013_response_or_24h", "ci_low", 1.21, "murrough2013antidepressant", "abstract"),
    ("murrough2013_response_or_24h", "ci_high", 4.14, "murrough2013antidepressant", "abstract"),
    ("murrough2013_response_24h_trt", "estimate", 0.64, "murrough2013antidepressant", "abstract"),
    ("murrough2013_response_24h_ctl", "estimate", 0.28, "murrough2013antidepressant", "abstract"),
    ("fava2020_hamd6_day1_0p1", "estimate", -0.82, "fava2020doubleblind", "abstract"),
    ("lii2023_madrs_days1to3", "estimate", -5.82, "lii2023randomized", "abstract"),
    ("lii2023_madrs_days1to3", "ci_low", -13.3, "lii2023randomized", "abstract"),
    ("lii2023_madrs_days1to3", "ci_high", 1.64, "lii2023randomized", "abstract"),
    ("lii2023_madrs_days1to3", "p_value", 0.13, "lii2023randomized", "abstract"),
    ("lii2023_response_day1_trt", "events_treatment", 12, "lii2023randomized", "Ext. Data Table 1"),
    ("lii2023_response_day1_ctl", "events_control", 10, "lii2023randomized", "Ext. Data Table 1"),
    ("daly2018_madrs_24h_28mg", "estimate", -9.1, "daly2018efficacy", "Table 1, period 1, 24 h"),
    ("daly2018_madrs_24h_28mg", "se", 3.08, "daly2018efficacy", "Table 1, period 1, 24 h"),
    ("daly2018_madrs_24h_56mg", "estimate", -10.0, "daly2018efficacy", "Table 1, period 1, 24 h"),
    ("daly2018_madrs_24h_84mg", "estimate", -10.7, "daly2018efficacy", "Table 1, period 1, 24 h"),
    ("daly2018_madrs_24h_84mg", "se", 2.88, "daly2018efficacy", "Table 1, period 1, 24 h"),
    ("daly2018_response_24h_84mg_trt", "events_treatment", 5, "daly2018efficacy", "Table 1"),
    ("daly2018_response_24h_ctl", "events_control", 1, "daly2018efficacy", "Table 1"),
    ("transform1_madrs_day28_84mg", "estimate", -3.2, "fedgchin2019efficacy", "abstract"),
    ("transform1_madrs_day28_84mg", "ci_low", -6.88, "fedgchin2019efficacy", "abstract"),
    ("transform1_madrs_day28_84mg", "ci_high", 0.45, "fedgchin2019efficacy", "abstract"),
    ("transform1_madrs_day28_84mg", "p_value", 0.088, "fedgchin2019efficacy", "abstract"),
    ("transform1_madrs_day28_56mg", "estimate", -4.1, "fedgchin2019efficacy", "abstract"),
    ("transform1_madrs_day28_56mg", "ci_low", -7.67, "fedgchin2019efficacy", "abstract"),
    ("transform1_madrs_day28_56mg", "ci_high", -0.49, "fedgchin2019efficacy", "abstract"),
    ("transform1_response_rd_56mg", "estimate", 0.152, "katz2021benefit", "Table 1"),
    ("transform1_response_rd_84mg", "ci_low", 0.0068, "katz2021benefit", "Table 1"),
    ("transform1_remission_rd_84mg", "ci_high", 0.2120, "katz2021benefit", "Table 1"),
    ("transform1_response_ctl", "estimate", 0.389, "katz2021benefit", "Table 1"),
    ("transform2_madrs_day28", "estimate", -4.0, "popova2019efficacy", "abstract"),
    ("transform2_madrs_day28", "se", 1.69, "popova2019efficacy", "abstract"),
    ("transform2_madrs_day28", "ci_low", -7.31, "popova2019efficacy", "abstract"),
    ("transform2_madrs_day28", "ci_high", -0.64, "popova2019efficacy", "abstract"),
    ("transform2_response_trt", "estimate", 0.693, "katz2021benefit", "Table 1"),
    ("transform2_remission_rd", "estimate", 0.215, "katz2021benefit", "Table 1"),
    ("transform3_madrs_day28", "estimate", -3.6, "ochsross2020efficacy", "abstract"),
    ("transform3_madrs_day28", "ci_high", 0.07, "ochsross2020efficacy", "abstract"),
    ("transform3_madrs_day28", "p_value", 0.059, "ochsross2020efficacy", "abstract"),
    ("transform3_response_rd", "ci_low", -0.0028, "katz2021benefit", "Table 2"),
    ("sustain1_relapse_hr_remitters", "estimate", 0.49, "daly2019efficacy", "abstract"),
    ("sustain1_relapse_hr_remitters", "ci_low", 0.29, "daly2019efficacy", "abstract"),
    ("sustain1_relapse_hr_remitters", "ci_high", 0.84, "daly2019efficacy", "abstract"),
    ("sustain1_relapse_hr_remitters", "events_treatment", 24, "daly2019efficacy", "abstract"),
    ("sustain1_relapse_hr_remitters", "events_control", 39, "daly2019efficacy", "abstract"),
    ("sustain1_relapse_hr_responders", "estimate", 0.30, "daly2019efficacy", "abstract"),
    ("sustain1_relapse_hr_responders", "ci_high", 0.55, "daly2019efficacy", "abstract"),
    ("aspire1_madrs_24h", "estimate", -3.8, "fu2020esketamine", "abstract"),
    ("aspire1_madrs_24h", "ci_low", -6.56, "fu2020esketamine", "abstract"),
    ("aspire1_madrs_24h", "p_value", 0.006, "fu2020esketamine", "abstract"),
    ("elektd_response_rd", "estimate", 0.142, "anand2023ketamine", "abstract"),
    ("elektd_response_rd", "ci_low", 0.039, "anand2023ketamine", "abstract"),
    ("elektd_response_rd", "ci_high", 0.242, "anand2023ketamine", "abstract"),
    ("elektd_response_trt", "estimate", 0.554, "anand2023ketamine", "abstract"),
    ("elektd_response_ctl", "estimate", 0.412, "anand2023ketamine", "abstract"),
]


@pytest.mark.parametrize("row_id,column,value,key,where", CITED)
def test_dataset_matches_cited_values(published, row_id, column, value, key, where):
    row = published.loc[row_id]
    assert row["source_key"] == key, f"{row_id}: expected source {key} ({where})"
    assert float(row[column]) == pytest.approx(value, abs=1e-9), f"{row_id}.{column} ({where})"


def test_unverified_values_are_left_empty(published):
    # Zarate's effect numbers were not verified; TRANSFORM-1's untested 56 mg arm has no p value.
    for col in ("estimate", "ci_low", "ci_high", "p_value"):
        assert pd.isna(published.loc["zarate2006_design", col])
    assert pd.isna(published.loc["transform1_madrs_day28_56mg", "p_value"])


def test_sustain1_counts_agree_with_published_percentages(published):
    # daly2019efficacy abstract: 26.7% vs 45.3% (remitters), 25.8% vs 57.6% (responders)
    for grp, pt, pc in (("remitters", 0.267, 0.453), ("responders", 0.258, 0.576)):
        row = published.loc[f"sustain1_relapse_hr_{grp}"]
        assert row["events_treatment"] / row["n_treatment"] == pytest.approx(pt, abs=0.0006)
        assert row["events_control"] / row["n_control"] == pytest.approx(pc, abs=0.0006)


# --------------------------------------------------------------------------------------------
# One zero-cell policy, one implementation (shared with ketlearn.meta)
# --------------------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(nt=st.integers(1, 60), nc=st.integers(1, 60), data=st.data())
def test_trials_and_meta_apply_the_same_zero_cell_policy(nt, nc, data):
    et = data.draw(st.integers(0, nt))
    ec = data.draw(st.integers(0, nc))
    double = (et == 0 and ec == 0) or (et == nt and ec == nc)
    for measure, f in (("odds_ratio", trials.odds_ratio), ("risk_ratio", trials.risk_ratio)):
        if double:  # no ratio from a study without contrast (Cochrane Handbook 5.1, 16.9.3)
            with pytest.raises(ValueError, match=r"either arm|both arms"):
                f(et, nt, ec, nc)
            with pytest.raises(ValueError, match=r"either arm|both arms"):
                meta.effect_from_counts([et], [nt], [ec], [nc], measure=measure)
            continue
        r = f(et, nt, ec, nc)
        y, v = meta.effect_from_counts([et], [nt], [ec], [nc], measure=measure)
        assert math.log(r.estimate) == pytest.approx(float(y[0]), rel=1e-12, abs=1e-12)
        assert r.se**2 == pytest.approx(float(v[0]), rel=1e-12)
        zero_cell = 0 in (et, nt - et, ec, nc - ec)
        assert ("0.5 added to every cell" in r.method) == zero_cell
        # hand formula with 0.5 added to all four cells only when a cell is zero
        k = 0.5 if zero_cell else 0.0
        a, b, c, d = et + k, nt - et + k, ec + k, nc - ec + k
        log_or = math.log(a * d / (b * c))
        log_rr = math.log((a / (a + b)) / (c / (c + d)))
        expected = log_or if measure == "odds_ratio" else log_rr
        assert float(y[0]) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def _numeric_literals(source: str):
    return (float(m) for m in re.findall(r"(?<![\w.])-?\d+\.\d+(?![\w.])", source))


def test_notebook_code_reads_published_trial_values_from_the_dataset(published):
    """One source of truth: no code cell restates a published estimate, CI bound, SE or p value."""
    import json

    from conftest import source_notebooks

    values = {}
    for row_id, row in published.iterrows():
        for col in ("estimate", "ci_low", "ci_high", "se", "p_value"):
            v = row[col]
            # three or more significant digits: short numbers such as 0.5 collide by chance
            if (
                pd.notna(v)
                and len(f"{float(v):g}".replace("-", "").replace(".", "").lstrip("0")) >= 3
            ):
                values.setdefault(float(v), f"{row_id}.{col}")
    offenders = []
    for path in source_notebooks():
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] != "code":
                continue
            for v in _numeric_literals("".join(cell["source"])):
                if v in values:
                    offenders.append(f"{path.parent.name} cell {i}: {v} ({values[v]})")
    assert not offenders, (
        "notebooks restate dataset values; read them with data.load: " + "; ".join(offenders)
    )
