"""Tests for ketlearn.meta: agreement with R's metafor (and R meta) on published reference output,
properties of the estimators, and bad input.

Where every expected number comes from
---------------------------------------
- BCG (``dat.bcg``, Colditz et al. 1994; our dataset ``meta_reference_bcg``):
  * FE and DL rows: metafor's test file ``tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r``
    (repository wviechtb/metafor), where they are checked against Stata's ``metan``.
  * REML τ², Q and the first leave-one-out row: metafor's ``tests/testthat/test_misc_influence.r``
    (``influence(res)`` and ``leave1out(res)`` for ``rma(yi, vi, data=dat)``, i.e. REML), printed
    there to 15 significant digits.
  * DL I² CI bounds are not used.
- CLASP (DerSimonian & Kacker 2007, Tables 3-4): metafor's
  ``tests/testthat/test_analysis_example_dersimonian2007.r`` (τ, μ, SE for PM, DL and REML, 4 dp).
- Kacker 2004 example: metafor output for PM, DL, DL + ``test="knha"`` and FE, stored in statsmodels'
  ``statsmodels/stats/tests/results/results_meta.py`` (objects ``exk1_metafor``, ``exk1_dl``,
  ``exk1_dl_hksj``, ``exk1_fe``).
- Magnesium trials (``dat.egger2001``, counts from wviechtb/metadat ``data-raw/dat.egger2001.txt``):
  metafor ``regtest(res)`` z = -4.6686 for ``rma(measure="OR", ...)``, from metafor's
  ``tests/testthat/test_misc_pub_bias.r``.
- Prediction interval (t with k - 2 df) and Hartung-Knapp CI: R package ``meta``,
  ``metabin(..., sm="OR", method="Inverse", method.tau="DL", hakn=TRUE)`` output stored in the same
  statsmodels results file (object ``results_or_dl_hk``), with its event counts.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketlearn import data, meta, trials

TOL4 = 5e-5  # "to 4 decimals": metafor prints/tests 4 dp


def close4(actual, expected):
    assert abs(actual - expected) <= TOL4, (actual, expected)


@pytest.fixture(scope="module")
def bcg():
    df = data.load("meta_reference_bcg")
    t = df[["tpos", "tneg", "cpos", "cneg"]].to_numpy(dtype=float)
    return meta.effect_from_counts(
        t[:, 0], t[:, 0] + t[:, 1], t[:, 2], t[:, 2] + t[:, 3], measure="risk_ratio"
    )


# ------------------------------------------------------------------------------------- BCG / metafor


def test_bcg_yi_vi_match_metafor_printout(bcg):
    # vanhouwelingen2002 analysis page of metafor-project.org prints log ORs; for the log RR we
    # check the first trial by hand: log((4/123)/(11/139)), v = 1/4 - 1/123 + 1/11 - 1/139.
    y, v = bcg
    assert y[0] == pytest.approx(math.log((4 / 123) / (11 / 139)), rel=1e-12)
    assert v[0] == pytest.approx(1 / 4 - 1 / 123 + 1 / 11 - 1 / 139, rel=1e-12)


def test_bcg_fixed_effect_matches_metafor(bcg):
    r = meta.pool(*bcg, method="FE")
    close4(r.estimate, -0.4303)
    close4(r.ci_low, -0.5097)
    close4(r.ci_high, -0.3509)
    close4(r.statistic, -10.6247)
    close4(r.q, 152.2330)
    close4(math.exp(r.estimate), 0.6503)
    close4(math.exp(r.ci_low), 0.6007)
    close4(math.exp(r.ci_high), 0.7040)


def test_bcg_dersimonian_laird_matches_metafor(bcg):
    r = meta.pool(*bcg, method="DL")
    close4(r.estimate, -0.7141)
    close4(r.ci_low, -1.0644)
    close4(r.ci_high, -0.3638)
    close4(r.statistic, -3.9952)
    close4(r.tau2, 0.3088)
    close4(r.i2_pct, 92.1173)
    close4(math.exp(r.estimate), 0.4896)
    close4(math.exp(r.ci_low), 0.3449)
    close4(math.exp(r.ci_high), 0.6950)


def test_tau2_dl_matches_metafor_and_the_two_study_formula(bcg):
    # metafor's DL tau2 for BCG (as above); two studies 2 apart with variance 1: Q = 2, df = 1,
    # denominator 2 - 2/2 = 1, so tau2 = 1 exactly; agreeing studies truncate at 0.
    close4(meta.tau2_dl(*bcg), 0.3088)
    assert meta.tau2_dl([1.0, 3.0], [1.0, 1.0]) == pytest.approx(1.0, abs=1e-12)
    assert meta.tau2_dl([-3.2, -4.0, -3.6], [3.4, 2.9, 3.5]) == 0.0
    with pytest.raises(ValueError, match="estimates"):
        meta.tau2_dl([1.0], [1.0])


def test_bcg_reml_matches_metafor(bcg):
    r = meta.pool(*bcg, method="REML")
    # test_misc_influence.r: tau2 = 0.313243325980895, QE = 152.233008082373
    assert r.tau2 == pytest.approx(0.313243325980895, abs=1e-6)
    assert r.q == pytest.approx(152.233008082373, abs=1e-6)


def test_bcg_leave_one_out_first_row_matches_metafor(bcg):
    row = meta.leave_one_out(*bcg, method="REML").iloc[0]
    # test_misc_influence.r, leave1out(res)[1]
    expected = {
        "estimate": -0.707083788031436,
        "se": 0.189961024702717,
        "ci_low": -1.07940055491509,
        "ci_high": -0.334767021147788,
        "q": 151.582572747109,
        "tau2": 0.336156745300306,
        "i2_pct": 93.2259349111223,
        "h2": 14.762184698253,
        "p_value": 0.000197449759023198,
    }
    for key, value in expected.items():
        close4(float(row[key]), value)


# --------------------------------------------------------------------------- CLASP / metafor


CLASP = {
    "n1i": [156, 303, 565, 1570, 103, 4659],
    "n2i": [74, 303, 477, 1565, 105, 4650],
    "ai": [5, 5, 12, 69, 9, 313],
    "ci": [8, 17, 9, 94, 11, 352],
}


@pytest.mark.parametrize(
    ("method", "tau", "mu", "se"),
    [
        ("PM", 0.3681, -0.3811, 0.2060),
        ("DL", 0.2323, -0.3240, 0.1540),
        ("REML", 0.1843, -0.2980, 0.1343),
    ],
)
def test_clasp_estimators_match_metafor(method, tau, mu, se):
    y, v = meta.effect_from_counts(CLASP["ai"], CLASP["n1i"], CLASP["ci"], CLASP["n2i"])
    r = meta.pool(y, v, method=method)
    assert round(r.tau, 4) == pytest.approx(tau, abs=1e-9)
    assert round(r.estimate, 4) == pytest.approx(mu, abs=1e-9)
    assert round(r.se, 4) == pytest.approx(se, abs=1e-9)


# ------------------------------------------------------------------- Kacker 2004 / metafor


KACKER_Y = [61.0, 61.4, 62.21, 62.3, 62.34, 62.6, 62.7, 62.84, 65.9]
KACKER_V = [0.2025, 1.2100, 0.0900, 0.2025, 0.3844, 0.5625, 0.0676, 0.0225, 1.8225]


def test_kacker_paule_mandel_matches_metafor():
    r = meta.pool(KACKER_Y, KACKER_V, method="PM")
    close4(r.estimate, 62.4076199113286)
    close4(r.se, 0.338030602684471)
    close4(r.ci_low, 61.7450921043947)
    close4(r.ci_high, 63.0701477182625)
    close4(r.tau2, 0.705395309224248)
    close4(r.q, 24.801897741835)
    close4(r.q_p_value, 0.00167935146372742)
    close4(r.i2_pct, 83.7218626490482)
    close4(r.h2, 6.14320900751909)


def test_kacker_dl_and_hartung_knapp_match_metafor():
    r = meta.pool(KACKER_Y, KACKER_V, method="DL")
    close4(r.estimate, 62.3901386044504)
    close4(r.se, 0.245749668040304)
    close4(r.tau2, 0.288049246973751)
    close4(r.i2_pct, 67.744403741711)
    close4(r.h2, 3.10023721772938)
    hk = meta.pool(KACKER_Y, KACKER_V, method="DL", hartung_knapp=True)
    close4(hk.se, 0.29477605699879)
    close4(hk.ci_low, 61.710383798052)
    close4(hk.ci_high, 63.0698934108488)
    assert hk.df == 8


def test_kacker_fixed_effect_matches_metafor():
    r = meta.pool(KACKER_Y, KACKER_V, method="FE")
    close4(r.estimate, 62.5833970939982)
    close4(r.se, 0.107845705498231)
    close4(r.ci_low, 62.3720233953344)
    close4(r.ci_high, 62.7947707926621)
    close4(r.i2_pct, 67.744403741711)


# ------------------------------------------------------------- Egger test / metafor regtest


EGGER2001 = np.array(
    [
        [1, 40, 2, 36],
        [9, 135, 23, 135],
        [2, 200, 7, 200],
        [1, 48, 1, 46],
        [10, 150, 8, 148],
        [1, 59, 9, 56],
        [1, 25, 3, 23],
        [0, 22, 1, 21],
        [6, 76, 11, 75],
        [1, 27, 7, 27],
        [2, 89, 12, 80],
        [5, 23, 13, 33],
        [4, 130, 8, 122],
        [90, 1159, 118, 1157],
        [4, 107, 17, 108],
        [2216, 29011, 2103, 29039],
    ]
)


def test_egger_rma_matches_metafor_regtest():
    d = EGGER2001
    y, v = meta.effect_from_counts(d[:, 0], d[:, 1], d[:, 2], d[:, 3])
    r = meta.egger_test(y, v, model="rma")
    assert round(r.statistic, 4) == pytest.approx(-4.6686, abs=1e-9)


def test_egger_lm_equals_classic_egger_regression():
    # Independent formulation (Egger 1997): OLS of y/se on 1/se; the intercept and its t statistic
    # equal the SE slope of the weighted regression that egger_test(model="lm") fits.
    import statsmodels.api as sm

    d = EGGER2001
    y, v = meta.effect_from_counts(d[:, 0], d[:, 1], d[:, 2], d[:, 3])
    se = np.sqrt(v)
    ols = sm.OLS(y / se, np.column_stack([np.ones_like(se), 1 / se])).fit()
    r = meta.egger_test(y, v, model="lm")
    assert r.coefficient == pytest.approx(ols.params[0], rel=1e-10)
    assert r.statistic == pytest.approx(ols.tvalues[0], rel=1e-10)
    assert r.p_value == pytest.approx(ols.pvalues[0], rel=1e-8)
    assert r.limit_estimate == pytest.approx(ols.params[1], rel=1e-10)


def test_egger_symmetric_funnel_has_no_asymmetry():
    se = np.array([0.1, 0.2, 0.3, 0.4, 0.1, 0.2, 0.3, 0.4])
    y = 0.3 + np.array([1, 1, 1, 1, -1, -1, -1, -1]) * se  # mirror image around 0.3
    r = meta.egger_test(y, se**2)
    assert abs(r.coefficient) < 1e-10
    assert r.limit_estimate == pytest.approx(0.3)


# ------------------------------------------- prediction interval and HK / R package meta


META_EE = [18, 22, 21, 14, 42, 80, 13, 37, 23, 19, 106, 170, 34, 18, 13, 12, 42]
META_NE = [19, 34, 72, 22, 70, 183, 26, 61, 36, 45, 246, 386, 59, 45, 14, 26, 74]
META_EC = [12, 12, 15, 5, 13, 33, 18, 30, 12, 14, 76, 46, 17, 3, 14, 10, 40]
META_NC = [22, 35, 68, 20, 32, 94, 50, 55, 25, 35, 208, 141, 32, 15, 18, 19, 75]


def test_prediction_interval_and_hk_match_r_meta():
    y, v = meta.effect_from_counts(META_EE, META_NE, META_EC, META_NC)
    r = meta.pool(y, v, method="DL", hartung_knapp=True, prediction="t")
    close4(r.estimate, 0.429520368698268)
    close4(r.tau2, 0.0016783981912744)
    close4(r.ci_low, 0.235347059333852)
    close4(r.ci_high, 0.623693678062684)
    close4(r.pi_low, 0.215650965184522)
    close4(r.pi_high, 0.643389772212014)
    fe = meta.pool(y, v, method="FE")
    close4(fe.estimate, 0.428036725396544)
    close4(fe.se, 0.0902874968199668)


def test_modified_hartung_knapp_never_narrower_than_normal():
    # three closely agreeing studies: the HK multiplier q < 1, so plain HK is narrower than z
    y, v = [0.142, 0.173, 0.137], [0.0047, 0.0046, 0.0051]
    z = meta.pool(y, v, method="DL")
    hk = meta.pool(y, v, method="DL", hartung_knapp=True)
    mod = meta.pool(y, v, method="DL", hartung_knapp="modified")
    w = 1 / (np.array(v) + z.tau2)
    q = float(np.sum(w * (np.array(y) - z.estimate) ** 2) / 2)
    assert q < 1
    assert hk.se == pytest.approx(math.sqrt(q / w.sum()))
    assert mod.se == pytest.approx(math.sqrt(1 / w.sum()))  # max(1, q) = 1
    assert (mod.ci_high - mod.ci_low) > (z.ci_high - z.ci_low) > (hk.ci_high - hk.ci_low)
    with pytest.raises(ValueError, match="hartung_knapp must be"):
        meta.pool(y, v, hartung_knapp="yes")


def test_prediction_interval_z_matches_hand_calculation_from_metafor_output(bcg):
    # Independent inputs: metafor's published DL fit of the BCG trials (estimate -0.7141,
    # z = -3.9952, tau2 = 0.3088; test_misc_metan_vs_rma.uni_with_dat.bcg.r). By hand:
    # SE = estimate / z = 0.178739, PI = estimate ± 1.959964 * sqrt(tau2 + SE²)
    #    = -0.7141 ± 1.144102 -> (-1.8582, 0.4300).
    r = meta.pool(*bcg, method="DL", prediction="z")
    assert r.pi_low == pytest.approx(-1.8582, abs=5e-4)
    assert r.pi_high == pytest.approx(0.4300, abs=5e-4)
    t = meta.pool(*bcg, method="DL", prediction="t")  # t(11) quantile 2.200985 instead of z
    assert t.pi_low == pytest.approx(-0.7141 - 2.200985 * 0.583736, abs=5e-4)


def test_double_zero_study_is_refused_with_the_policy_named():
    # One zero-cell policy (Cochrane Handbook 5.1, 16.9.3): no ratio from 0/n vs 0/m.
    with pytest.raises(ValueError, match=r"no events in either arm.*16\.9\.3"):
        meta.effect_from_counts([3, 0], [20, 15], [5, 0], [20, 15])
    with pytest.raises(ValueError, match="every participant in both arms"):
        meta.effect_from_counts([20], [20], [15], [15], measure="risk_ratio")


@pytest.mark.parametrize("counts", [(4, 123, 11, 139), (3, 11, 0, 33), (12, 20, 10, 20)])
def test_meta_and_trials_share_one_log_ratio(counts):
    et, nt, ec, nc = counts
    for measure, f in (("odds_ratio", trials.odds_ratio), ("risk_ratio", trials.risk_ratio)):
        y, v = meta.effect_from_counts([et], [nt], [ec], [nc], measure=measure)
        r = f(et, nt, ec, nc)
        assert math.log(r.estimate) == pytest.approx(float(y[0]), rel=1e-12)
        assert r.se**2 == pytest.approx(float(v[0]), rel=1e-12)
    assert meta.se_from_ci(0.49, 0.29, 0.84, log_scale=True, decimals=None) == trials.se_from_ci(
        0.49, 0.29, 0.84, ratio=True
    )


# ------------------------------------------------------------------------------- properties

finite = st.floats(min_value=-5, max_value=5, allow_nan=False)
positive = st.floats(min_value=0.01, max_value=4, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(finite, positive), min_size=3, max_size=12), st.randoms())
def test_permutation_invariance(studies, rnd):
    y, v = map(np.array, zip(*studies, strict=True))
    order = list(range(len(y)))
    rnd.shuffle(order)
    for method in meta.TAU2_METHODS:
        a = meta.pool(y, v, method=method)
        b = meta.pool(y[order], v[order], method=method)
        assert a.estimate == pytest.approx(b.estimate, rel=1e-9, abs=1e-9)
        assert a.tau2 == pytest.approx(b.tau2, rel=1e-6, abs=1e-9)
        assert a.q == pytest.approx(b.q, rel=1e-9, abs=1e-9)


@settings(max_examples=50, deadline=None)
@given(finite, positive, st.integers(min_value=2, max_value=10))
def test_identical_studies_have_no_heterogeneity(y0, v0, k):
    for method in meta.TAU2_METHODS:
        r = meta.pool([y0] * k, [v0] * k, method=method)
        assert r.i2_pct == pytest.approx(0.0, abs=1e-9)
        assert r.tau2 == pytest.approx(0.0, abs=1e-12)
        assert r.estimate == pytest.approx(y0)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(finite, positive), min_size=2, max_size=10))
def test_random_equals_fixed_when_tau2_is_zero(studies):
    y, v = map(np.array, zip(*studies, strict=True))
    fe = meta.pool(y, v, method="FE")
    for method in ("DL", "PM", "REML"):
        re = meta.pool(y, v, method=method)
        if re.tau2 == 0.0:
            assert re.estimate == pytest.approx(fe.estimate, rel=1e-12, abs=1e-12)
            assert re.se == pytest.approx(fe.se, rel=1e-12)
        fixed = meta.pool(y, v, method=method, tau2=0.0)
        assert fixed.estimate == pytest.approx(fe.estimate, rel=1e-12, abs=1e-12)


def test_weights_sum_to_100_and_table_shape(bcg):
    r = meta.pool(*bcg, labels=[f"T{i}" for i in range(13)])
    assert sum(r.weights_pct) == pytest.approx(100.0)
    t = r.forest_table(transform=np.exp)
    assert list(t["kind"]) == ["study"] * 13 + ["pooled"]
    assert t["estimate"].iloc[-1] == pytest.approx(math.exp(r.estimate))
    assert "I²" in r.summary()


def test_fixed_effect_has_no_prediction_interval(bcg):
    r = meta.pool(*bcg, method="FE")
    assert math.isnan(r.pi_low) and math.isnan(r.pi_high)
    assert "prediction interval" not in r.summary()


def test_dl_is_zero_when_q_below_df():
    # Q < k - 1 => the DL moment estimator truncates at 0 (hand-worked: Q = 0.5 with k = 3).
    r = meta.pool([0.0, 0.5, 0.25], [1.0, 1.0, 1.0], method="DL")
    assert r.q == pytest.approx(0.125)
    assert r.tau2 == 0.0


def test_se_from_ci_matches_published_se():
    # TRANSFORM-2: LS mean difference -4.0 (SE 1.69; 95% CI -7.31 to -0.64) [popova2019efficacy]
    assert meta.se_from_ci(-4.0, -7.31, -0.64) == pytest.approx(1.69, abs=0.02)
    # ASPIRE I: -3.8 (SE 1.39; 95% CI -6.56 to -1.09) [fu2020esketamine]
    assert meta.se_from_ci(-3.8, -6.56, -1.09) == pytest.approx(1.39, abs=0.01)
    # 90% CI uses z = 1.645
    assert meta.se_from_ci(0.0, -1.6449, 1.6449, ci_level=0.90) == pytest.approx(1.0, abs=1e-4)


def test_no_warnings_on_typical_use(bcg):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for m in meta.TAU2_METHODS:
            meta.pool(*bcg, method=m, hartung_knapp=m != "FE")
        meta.egger_test(*bcg)


def test_zero_cell_gets_continuity_correction():
    y, v = meta.effect_from_counts([0], [20], [3], [20])
    # hand-worked: cells 0.5, 20.5, 3.5, 17.5
    assert y[0] == pytest.approx(math.log(0.5 * 17.5 / (20.5 * 3.5)))
    assert v[0] == pytest.approx(1 / 0.5 + 1 / 20.5 + 1 / 3.5 + 1 / 17.5)
    # studies without zero cells are left alone
    y2, _ = meta.effect_from_counts([0, 5], [20, 20], [3, 10], [20, 20])
    assert y2[1] == pytest.approx(math.log(5 * 10 / (15 * 10)))


# ------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"estimates": [1.0, 2.0], "variances": [1.0, 0.0]}, "variances must be > 0"),
        ({"estimates": [1.0, 2.0], "variances": [1.0, -1.0]}, "variances must be > 0"),
        ({"estimates": [1.0], "variances": [1.0], "method": "REML"}, "at least two studies"),
        ({"estimates": [1.0, 2.0], "variances": [1.0]}, "same length"),
        ({"estimates": [1.0, 2.0], "variances": [1.0, 1.0], "method": "ML"}, "method must be"),
        ({"estimates": [1.0, float("nan")], "variances": [1.0, 1.0]}, "estimates must be"),
        ({"estimates": [1.0, 2.0], "variances": [1, 1], "level": 95}, "level must be"),
    ],
)
def test_pool_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        meta.pool(**kwargs)


def test_ci_not_containing_estimate_is_rejected():
    with pytest.raises(ValueError, match="does not contain its estimate"):
        meta.se_from_ci(4.0, -7.31, -0.64)
    with pytest.raises(ValueError, match="ci_low must be below ci_high"):
        meta.se_from_ci(-4.0, -0.64, -7.31)
    with pytest.raises(ValueError, match="estimate must be"):
        meta.se_from_ci(0.0, 0.5, 2.0, log_scale=True)


def test_counts_bad_input():
    with pytest.raises(ValueError, match="must not exceed its arm size"):
        meta.effect_from_counts([21], [20], [3], [20])
    with pytest.raises(ValueError, match="events_control must be finite numbers >= 0"):
        meta.effect_from_counts([2], [20], [-3], [20])
    with pytest.raises(ValueError, match="whole numbers"):
        meta.effect_from_counts([2.5], [20], [3], [20])
    with pytest.raises(ValueError, match="zero cell"):
        meta.effect_from_counts([0], [20], [3], [20], continuity=0)


def test_leave_one_out_and_egger_need_three_studies():
    with pytest.raises(ValueError, match="at least 3"):
        meta.leave_one_out([1.0, 2.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="at least 3"):
        meta.egger_test([1.0, 2.0], [1.0, 1.0])
