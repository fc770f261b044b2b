"""Generate the self-check data from the source notebooks' solutions (one command).

    .venv/bin/python tools/selfcheck_data.py                 # every assignment in SPECS
    .venv/bin/python tools/selfcheck_data.py 04-reading-trials
    .venv/bin/python tools/selfcheck_data.py --cost    # how many guesses a scan would need

For each assignment it runs the *source* notebook (with solutions) in a fresh kernel, cell by
cell, and just before each autograder test cell listed in :data:`SPECS` it turns the solution's
variables into tokens with :mod:`ketlearn.answers.canonical` and stores only their salted scrypt
hash and lattice offsets in ``src/ketlearn/_selfcheck_data.json`` (shipped in the package, so
release notebooks reach it on Binder). Salts of existing items are kept, so regenerating
unchanged solutions gives an identical file. ``tests/test_selfcheck_verdicts.py`` checks that
the stored data is up to date and agrees with the autograder on every item.

A part (or a function call's ``out``) may carry ``reference``: a Python expression (copied from the hidden test) for the value
the autograder compares with, where that differs from the solution's own value (e.g. a published
number with a wide tolerance); it is evaluated at generation time and never stored.

SPECS is the public description of each item: the variables, their kinds, units and the
autograder's tolerances (copied from the hidden test: ``checks.assert_close`` uses
``rel=1e-6`` unless told otherwise), a hint that does not give the answer away, and the section
to reread. Kinds: number, array, choice, column_values, mapping, table_mapping, function, figure
(see ``ketlearn/answers/canonical.py``).
"""

from __future__ import annotations

import json
import math
import os
import secrets
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "course" / "source"
DATA = ROOT / "src" / "ketlearn" / "_selfcheck_data.json"
MARK = "@@SELFCHECK@@"

ROUTES = ["intramuscular", "intranasal", "oral", "rectal", "sublingual"]
CAPSTONE_CATEGORIES = (
    "hype",
    "absolute_safety",
    "unsourced_number",
    "vague_authority",
    "speed_permanence",
    "mechanism_proof",
    "risk_dismissal",
    "testimonial",
    "call_to_action",
    "approval_conflation",
)  # media.CATEGORIES, spelled out so the stored spec does not change silently
CATEGORIES = ["chemistry", "clinical", "regulation", "recreational use", "science", "media"]


_DESK = (
    "_m = media.sentence_predictions({args})\n"
    "_m = _m[_m['genre'].astype(str).isin(['press_release', 'news_feature']) | (not {genres})]\n"
    "_r = media.confusion_rates(_m['promotional'].to_numpy(bool), _m['flagged'].to_numpy(bool))\n"
    "desk_precision, desk_recall = _r['precision'], _r['recall']\n"
    "desk_specificity = _r['specificity']"
)  # notebook 06, Exercise 5: the desk's figures computed the wrong way (misconceptions)


def _num(name, **kw):
    return {"name": name, "kind": "number", **kw}


SPECS: dict[str, dict[str, dict]] = {
    "00-orientation": {
        "q1_tests": {
            "title": "Exercise 1: how many estimates?",
            "section": "section 2, A first dataset",
            "hint": "Count the rows of the whole dataset, for example with len().",
            "parts": [_num("n_estimates", unit="rows", whole=True, integer=True)],
        },
        "q2_tests": {
            "title": "Exercise 2: a typical intranasal value",
            "section": "section 2, A first dataset, and the widget in section 4",
            "hint": "Keep only the intranasal rows, then take the median (not the mean), in %.",
            "parts": [_num("median_f_intranasal_pct", unit="%", low=0, high=100, abs_tol=1e-9)],
        },
        "q3_tests": {
            "title": "Exercise 3: which route disagrees most?",
            "section": "section 3, A figure that carries its numbers",
            "hint": "For each route compute highest minus lowest estimate; pick the largest.",
            "parts": [
                {"name": "widest_route", "kind": "choice", "case": "lower", "choices": ROUTES},
                _num("widest_range_pct", unit="percentage points", abs_tol=1e-9),
            ],
        },
        "q4_tests": {
            "title": "Exercise 4: from ng/mL to µM",
            "section": "Exercise 4's explanation of molar mass",
            "hint": "Divide ng/mL by the molar mass of the base in g/mol; it must work on arrays.",
            "parts": [
                {
                    "name": "ng_per_ml_to_um",
                    "kind": "function",
                    "unit": "µM",
                    "calls": [
                        {"arg": 237.727, "out": {"kind": "number", "rel": 1e-3}},
                        {
                            "arg": [0.0, 185.0, 1000.0],
                            "array": True,
                            "out": {"kind": "array", "shape": [3], "rel": 1e-3},
                        },
                    ],
                }
            ],
        },
    },
    "01-history": {
        "q1_tests": {
            "title": "Exercise 1: secondary sources",
            "section": "section 1, The timeline dataset",
            "hint": "Count rows whose source_type is 'secondary'.",
            "parts": [_num("n_secondary", unit="rows", whole=True, integer=True)],
        },
        "q2_tests": {
            "title": "Exercise 2: filtering",
            "section": "section 1, The timeline dataset",
            "hint": "Combine the three conditions with & (and brackets); year 1990 counts.",
            "parts": [
                {"name": "us_regulation_recent", "kind": "column_values", "column": "event_id"}
            ],
        },
        "q3_tests": {
            "title": "Exercise 3: events per category",
            "section": "Exercise 3's hint on claim groups",
            "hint": "Count each claim group once, and every row without a claim group once.",
            "parts": [
                {
                    "name": "events_per_category",
                    "kind": "mapping",
                    "unit": "events",
                    "integer": True,
                    "drop_zero": True,
                    "allowed_keys": CATEGORIES,
                }
            ],
        },
        "q4_tests": {
            "title": "Exercise 4: years between two milestones",
            "section": "sections 5 and 6 (the two events' rows in the timeline)",
            "hint": "Subtract the two full dates and divide the days by 365.25.",
            "parts": [_num("years_berman_to_spravato", unit="years", low=0, high=70, abs_tol=0.02)],
        },
        "q5_tests": {
            "title": "Exercise 5: a figure with a text alternative",
            "section": "section 7, The whole timeline",
            "hint": "One row per decade and category that has rows; decade = year // 10 * 10.",
            "parts": [
                {
                    "name": "decade_table",
                    "kind": "table_mapping",
                    "columns": ["decade", "category", "n_events"],
                    "keys": [["decade", "int"], ["category", "str"]],
                    "value": "n_events",
                    "integer": True,
                    "drop_zero": True,
                },
                {"name": "fig_decades", "kind": "figure", "min_bars_from": "decade_table"},
            ],
        },
        "q6_tests": {
            "title": "Exercise 6: the first human dose",
            "section": "section 2, From phencyclidine to CI-581",
            "hint": "Which claim fits a paper that already reported human results in 1965?",
            "parts": [
                {
                    "name": "first_dose_verdict",
                    "kind": "choice",
                    "case": "upper",
                    "choices": ["A", "B", "C", "D"],
                }
            ],
        },
        "q7_tests": {
            "title": "Exercise 7: the US approval years",
            "section": "section 3, Approval, and ketamine goes to war",
            "hint": "Ask what exactly each source dates, and what kind of source it is.",
            "parts": [
                {
                    "name": "approval_explanation",
                    "kind": "choice",
                    "case": "upper",
                    "choices": ["A", "B", "C"],
                }
            ],
        },
    },
    "02-pharmacokinetics": {
        "q1_tests": {
            "title": "Exercise 1: AUC from sampled data",
            "section": "section 2, Compartments and micro-constants (AUC)",
            "hint": "Trapezoidal rule over the samples gives ng·min/mL; divide by 60 for ng·h/mL.",
            "parts": [_num("auc_ng_h_per_ml", unit="ng·h/mL", low=0, rel=1e-3)],
        },
        "q2_tests": {
            "title": "Exercise 2: terminal half-life",
            "section": "section 2, Compartments and micro-constants",
            "hint": "Fit ln(concentration) against time; t½ = ln 2 / (minus the slope), in min.",
            "parts": [_num("t_half_terminal_min", unit="min", low=0, rel=0.02, reference="114.6")],
        },
        "q3_tests": {
            "title": "Exercise 3: fit a one-compartment model",
            "section": "Exercise 3's model equation and section 2",
            "hint": "Check the formula, the dose (35 mg), mg/L to ng/mL, and the parameter order.",
            "parts": [
                _num("k_fit_per_min", unit="1/min", low=0, rel=0.12, reference="0.006"),
                _num("ka_fit_per_min", unit="1/min", low=0, rel=0.30, reference="0.03"),
                {
                    "name": "one_compartment_oral",
                    "kind": "function",
                    "unit": "ng/mL",
                    "calls": [
                        {
                            "args": [[60.0], 0.03, 0.006, 1050.0],
                            "array_args": [0],
                            "out": {"kind": "array", "shape": [1], "rel": 1e-6},
                        }
                    ],
                },
            ],
        },
        "q4_tests": {
            "title": "Exercise 4: the intranasal range",
            "section": "section 1, Routes and bioavailability",
            "hint": "AUC is proportional to F x dose / clearance: the ratio is high / low.",
            "parts": [
                _num(
                    "in_auc_ratio_high_vs_low",
                    unit="ratio",
                    low=1,
                    rel=2e-3,
                    reference="0.45 / 0.11",
                )
            ],
        },
        "q5_tests": {
            "title": "Exercise 5: bolus versus infusion",
            "section": "section 3, Bolus versus infusion",
            "hint": "Simulate both over 240 min with dt_min=0.5; divide the bolus peak by the "
            "infusion peak.",
            "parts": [_num("cmax_ratio_bolus_vs_infusion", unit="ratio", low=1, rel=1e-3)],
        },
        "q6_tests": {
            "title": "Exercise 6: units",
            "section": "section 1 and notebook 00's unit conversion",
            "hint": "ng/mL divided by g/mol gives nmol/mL, which is µM.",
            "parts": [_num("peak_um", unit="µM", rel=0.005, reference="0.778")],
        },
    },
    "03-nmda-neuroplasticity": {
        "q1_tests": {
            "title": "Exercise 1: the Mg2+ block, B(V)",
            "section": "section 2, The Mg²⁺ block: B(V)",
            "hint": "Check the sign of the exponent, the 3.57 mM constant, that mg_mm is used, "
            "and that it works on arrays.",
            "parts": [
                {
                    "name": "b_of_v",
                    "kind": "function",
                    "calls": [
                        {
                            "args": [-60.0],
                            "out": {"kind": "number", "low": 0, "high": 1, "check_only": True},
                        },
                        {
                            "args": [-80.0],
                            "out": {"kind": "number", "abs_tol": 1e-3, "reference": "0.024"},
                        },
                        {
                            "args": [-60.0],
                            "out": {"kind": "number", "abs_tol": 1e-3, "reference": "0.080"},
                        },
                        {
                            "args": [-40.0],
                            "out": {"kind": "number", "abs_tol": 1e-3, "reference": "0.230"},
                        },
                        {
                            "args": [-20.0],
                            "out": {"kind": "number", "abs_tol": 1e-3, "reference": "0.508"},
                        },
                        {
                            "args": [0.0],
                            "out": {"kind": "number", "abs_tol": 1e-3, "reference": "0.781"},
                        },
                        {
                            "args": [20.0],
                            "out": {"kind": "number", "abs_tol": 1e-3, "reference": "0.925"},
                        },
                        {
                            "args": [40.0],
                            "out": {"kind": "number", "abs_tol": 1e-3, "reference": "0.977"},
                        },
                        {
                            "args": [[-80.0, 0.0, 40.0], 2.0],
                            "array_args": [0],
                            "out": {"kind": "array", "shape": [3], "rel": 1e-6},
                        },
                        {"args": [-100.0, 0.0], "out": {"kind": "number", "rel": 1e-12}},
                    ],
                }
            ],
        },
        "q2_tests": {
            "title": "Exercise 2: half-block voltage",
            "section": "section 2, The Mg²⁺ block: B(V)",
            "hint": "Set (Mg / 3.57) exp(-0.062 V) = 1 and solve for V, in mV.",
            "parts": [
                _num("v_half_mv", unit="mV", low=-150, high=100, abs_tol=0.05, reference="-20.525")
            ],
        },
        "q3_tests": {
            "title": "Exercise 3: one-site block",
            "section": "section 3, From concentration to block: Ki and the enantiomers",
            "hint": "c / (c + Ki), element by element.",
            "parts": [
                {
                    "name": "block_fraction",
                    "kind": "function",
                    "calls": [
                        {
                            "args": [1.0, 1.4],
                            "out": {"kind": "number", "low": 0, "high": 1, "check_only": True},
                        },
                        {"args": [0.3, 0.3], "out": {"kind": "number", "rel": 1e-9}},
                        {
                            "args": [[0.0, 1.0, 13.0], 13.0],
                            "array_args": [0],
                            "out": {"kind": "array", "shape": [3], "rel": 1e-9},
                        },
                    ],
                }
            ],
        },
        "q4_tests": {
            "title": "Exercise 4: the two enantiomers",
            "section": "section 3, From concentration to block: Ki and the enantiomers",
            "hint": "Use each enantiomer's Ki; equal occupancy means equal c / Ki.",
            "parts": [
                _num("s_block", unit="fraction", low=0, high=1, rel=1e-3),
                _num("r_block", unit="fraction", low=0, high=1, rel=1e-3),
                _num("r_conc_matching_s_um", unit="µM", rel=1e-3),
            ],
        },
        "q5_tests": {
            "title": "Exercise 5: trapping block",
            "section": "section 4, Use-dependent block and trapping",
            "hint": "Read the blocked column at 90 s and at the end; what must the channel do "
            "for the drug to leave?",
            "parts": [
                _num("blocked_before_reopening", unit="fraction", abs_tol=0.01),
                _num("blocked_after_reopening", unit="fraction", abs_tol=0.01),
                {
                    "name": "explanation",
                    "kind": "choice",
                    "case": "upper",
                    "choices": ["A", "B", "C"],
                },
            ],
        },
        "q6_tests": {
            "title": "Exercise 6: two circuit hypotheses",
            "section": "section 5, From receptors to a circuit (Figure 2)",
            "hint": "rate_e_rel at block 0.6, disinhibition; which scenario leaves firing flat?",
            "parts": [
                _num("rate_e_rel_at_60", unit="ratio", rel=1e-2),
                {
                    "name": "scenario_without_firing_change",
                    "kind": "choice",
                    "case": "exact",
                    "choices": ["disinhibition", "block_at_rest"],
                },
            ],
        },
    },
    "04-reading-trials": {
        "q1_tests": {
            "title": "Exercise 1: response rate (simulated)",
            "section": "section 2, Scales and definitions",
            "hint": "Completers of the treatment arm only; response = a fall of at least 50%.",
            "parts": [
                _num("response_rate_treatment", unit="proportion", low=0, high=1, abs_tol=1e-9)
            ],
        },
        "q2_tests": {
            "title": "Exercise 2: mean difference and 95% CI",
            "section": "section 3, Absolute and relative effects",
            "hint": "Treatment minus control, completers only, pooled-SD t interval.",
            "parts": [
                _num("md_points", unit="MADRS points", abs_tol=1e-6),
                {
                    "name": "md_ci_points",
                    "kind": "array",
                    "shape": [2],
                    "unit": "MADRS points",
                    "abs_tol": 1e-6,
                },
            ],
        },
        "q3_tests": {
            "title": "Exercise 3: SUSTAIN-1's NNT",
            "section": "section 3 (NNT) and section 6 (randomised withdrawal)",
            "hint": "Esketamine minus placebo for relapse; NNT = 1 / |RD|, rounded up.",
            "parts": [
                _num("rd_relapse", unit="proportion", abs_tol=1e-6),
                _num("nnt_remitters", unit="people", whole=True, integer=True),
            ],
        },
        "q4_tests": {
            "title": "Exercise 4: an NNT interval through infinity",
            "section": "section 3, Absolute and relative effects, and the NNT",
            "hint": "Use proportions, not per-100 values; the negative RD limit gives the NNTH.",
            "parts": [
                _num("nnt_remission_84", unit="people", low=0, rel=1e-3),
                _num("nnth_limit_84", unit="people", low=0, rel=1e-3),
            ],
        },
        "q5_tests": {
            "title": "Exercise 5: how big a trial?",
            "section": "section 1, Anatomy of a trial",
            "hint": "d = difference / SD; round the sample size per arm up.",
            "parts": [_num("n_needed", unit="participants per arm", whole=True, integer=True)],
        },
        "q6_tests": {
            "title": "Exercise 6: expectancy in simulated trials",
            "section": "section 5, Placebo response and functional unblinding",
            "hint": "Use exactly the settings given, including the seed.",
            "parts": [
                _num("apparent_effect", unit="MADRS points", abs_tol=0.3),
                _num("apparent_effect_active_placebo", unit="MADRS points", abs_tol=0.3),
            ],
        },
        "q7_tests": {
            "title": "Exercise 7: a crude odds ratio",
            "section": "section 3, Absolute and relative effects",
            "hint": "odds = p / (1 - p) in each arm; divide ketamine's odds by midazolam's.",
            "parts": [_num("crude_or", unit="ratio", low=0)],
        },
    },
    "05-evidence-synthesis": {
        "q1_tests": {
            "title": "Exercise 1: SE from a confidence interval",
            "section": "section 1, From a published confidence interval to a standard error",
            "hint": "SE = (upper - lower) / (2 x 1.96).",
            "parts": [_num("se_transform3", unit="MADRS points", low=0, rel=2e-3)],
        },
        "q2_tests": {
            "title": "Exercise 2: a fixed-effect pool",
            "section": "section 2, Pooling by inverse variance",
            "hint": "Weights are 1/SE²; the pooled value is sum(w*y)/sum(w).",
            "parts": [_num("pooled_fe_md", unit="MADRS points", rel=1e-3)],
        },
        "q3_tests": {
            "title": "Exercise 3: I² for the BCG data",
            "section": "section 3, Random effects, τ², I² and the prediction interval",
            "hint": "I² = (Q - df) / Q x 100, with df = k - 1.",
            "parts": [
                _num("i2_bcg_pct", unit="%", low=0, high=100, abs_tol=0.01, reference="92.1173")
            ],
        },
        "q4_tests": {
            "title": "Exercise 4: pooling the esketamine response RDs",
            "section": "section 4, Pooling the esketamine short-term trials",
            "hint": "Use the three rows named, method='DL', and the pooled .estimate.",
            "parts": [_num("pooled_rd", unit="proportion", low=-1, high=1, rel=2e-3)],
        },
        "q5_tests": {
            "title": "Exercise 5: the NNT from the pooled RD",
            "section": "section 4 and notebook 04's section on the NNT",
            "hint": "NNT = 1 / risk difference, rounded up to a whole person.",
            "parts": [_num("nnt_response", unit="people", whole=True, integer=True)],
        },
        "q6_tests": {
            "title": "Exercise 6: Egger's test",
            "section": "section 5, Small-study effects and publication bias",
            "hint": "Use meta.egger_test(y_bcg, v_bcg, model='lm').p_value.",
            "parts": [_num("egger_p_bcg", low=0, high=1, rel=1e-4)],
        },
        "q7_tests": {
            "title": "Exercise 7: from an odds ratio to a risk",
            "section": "section 7, Published meta-analyses of ketamine disagree",
            "hint": "Convert with p1 = OR x p0 / (1 - p0 + OR x p0), using the review's numbers.",
            "parts": [_num("risk_ketamine_24h", unit="proportion", low=0, high=1, rel=1e-3)],
        },
    },
    "06-media-literacy-misuse": {
        "q1_tests": {
            "title": "Exercise 1: a relative headline, in absolute terms",
            "section": "section 3, Absolute versus relative numbers",
            "hint": "Each risk is the remitters per 100 divided by 100; percentage points are 100 x "
            "the difference of the risks; odds are p / (1 - p).",
            "parts": [
                _num("relative_risk", unit="ratio", low=0, rel=1e-3),
                _num("risk_difference_pct_points", unit="percentage points", rel=1e-3),
                _num("nnt", unit="people", rel=1e-3),
                _num("odds_ratio", unit="ratio", low=0, rel=1e-3),
            ],
            "misconceptions": [
                {
                    "code": "relative_risk = odds_ratio",
                    "hint": "relative_risk is a ratio of odds here. A relative risk divides the "
                    "two risks (the proportions in remission) themselves; odds, p / (1 - p), "
                    "belong in odds_ratio.",
                },
                {
                    "code": "risk_difference_pct_points = risk_difference_pct_points / 100",
                    "hint": "risk_difference_pct_points looks like a difference of proportions. "
                    "Percentage points are 100 x that difference (the difference of the two "
                    "percentages).",
                },
                {
                    "code": "nnt = 1 / risk_difference_pct_points",
                    "hint": "nnt divides 1 by the difference in percentage points. The number "
                    "needed to treat is 1 / the difference written as a proportion: a number of "
                    "people.",
                },
                {
                    "code": "odds_ratio = relative_risk",
                    "hint": "odds_ratio equals the ratio of the risks. Turn each risk p into odds, "
                    "p / (1 - p), then divide the odds.",
                },
            ],
        },
        "q2_tests": {
            "title": "Exercise 2: what n.a. does to a score",
            "section": "section 5, A rubric, and whether two people agree on it",
            "hint": "Each applicable criterion gives at most 2 points; n.a. leaves a criterion out "
            "of the maximum, a 0 keeps it in. List the 2-point ids sorted.",
            "parts": [
                _num("f04_percent", unit="%", low=0, high=100, rel=1e-6),
                _num("f04_percent_r13_zero", unit="%", low=0, high=100, rel=1e-6),
                {"name": "f04_scored_2", "kind": "text_list", "ordered": True},
            ],
            "misconceptions": [
                {
                    "code": "f04_percent = f04_percent_r13_zero",
                    "hint": "f04_percent divides by the maximum over all 14 criteria. A criterion "
                    "marked n.a. leaves the maximum as well as the total.",
                },
                {
                    "code": "f04_percent = f04_percent / 100",
                    "hint": "f04_percent looks like a fraction; the item asks for a percentage "
                    "(0 to 100).",
                },
                {
                    "code": "f04_percent_r13_zero = f04_percent",
                    "hint": "f04_percent_r13_zero equals the n.a. version. Scoring R13 as 0 adds "
                    "nothing to the total but 2 points to the maximum.",
                },
            ],
        },
        "q3_tests": {
            "title": "Exercise 3: agreement beyond chance, by hand",
            "section": "section 5, A rubric, and whether two people agree on it",
            "hint": "p_o is the share of items scored the same; p_e adds, over the scores k, "
            "(A's share of k) x (B's share of k); kappa = (p_o - p_e) / (1 - p_e).",
            "parts": [
                _num("p_observed", unit="proportion", low=0, high=1, rel=1e-6),
                _num("p_chance", unit="proportion", low=0, high=1, rel=1e-6),
                _num("kappa_ab", low=-1, high=1, rel=1e-6),
                {"name": "kappa_statements", "kind": "text_list", "ordered": False},
            ],
            "misconceptions": [
                {
                    "code": "kappa_ab = p_observed",
                    "hint": "kappa_ab equals the raw agreement. Kappa takes away the agreement "
                    "expected by chance: (p_o - p_e) / (1 - p_e).",
                },
                {
                    "code": "p_chance = 1 / 3\nkappa_ab = (p_observed - p_chance) / (1 - p_chance)",
                    "hint": "p_chance treats the three scores as equally likely. Chance agreement "
                    "uses each student's own shares of 0s, 1s and 2s, multiplied score by score "
                    "and added.",
                },
                {
                    "code": "kappa_ab = float(media.cohen_kappa(ratings['rater_a'].tolist(), "
                    "ratings['rater_b'].tolist(), weights='quadratic', categories=[0, 1, 2]))",
                    "hint": "kappa_ab is a weighted kappa. The item asks for Cohen's kappa without "
                    "weights, where every disagreement counts the same.",
                },
            ],
        },
        "q4_tests": {
            "title": "Exercise 4: the flagger's scorecard (flag_rates)",
            "section": "section 6, A transparent red-flag flagger",
            "hint": "Count each cell of the confusion matrix with & and ~ on the two True/False "
            "arrays; each rate divides by a different total (all flagged, all promotional, all "
            "not promotional).",
            "parts": [
                {
                    "name": "flag_rates",
                    "kind": "function",
                    "calls": [
                        {
                            "args": [
                                [True] * 10 + [False] * 5,
                                [True] * 4 + [False] * 6 + [True] + [False] * 4,
                            ],
                            "out": {"kind": "mapping", "rel": 1e-6},
                        },
                        {
                            "args": [
                                [True, False, False, False, False, True, False],
                                [False, True, True, True, True, True, False],
                            ],
                            "out": {"kind": "mapping", "rel": 1e-6},
                        },
                    ],
                }
            ],
            "misconceptions": [
                {
                    "code": "_right_flag_rates = flag_rates\n\n\n"
                    "def flag_rates(promotional, flagged):\n"
                    "    r = _right_flag_rates(promotional, flagged)\n"
                    "    return r | {'precision': r['recall'], 'recall': r['precision']}\n",
                    "hint": "precision and recall are swapped. Precision divides the true "
                    "positives by everything flagged; recall divides them by everything "
                    "promotional.",
                },
                {
                    "code": "_right_flag_rates = flag_rates\n\n\n"
                    "def flag_rates(promotional, flagged):\n"
                    "    r = _right_flag_rates(promotional, flagged)\n"
                    "    return r | {'specificity': r['tn'] / (r['tn'] + r['fn'])}\n",
                    "hint": "specificity divides by the wrong total. It is the share of the "
                    "not-promotional sentences (tn + fp) that were left alone, not a share of the "
                    "unflagged ones.",
                },
                {
                    "code": "_right_flag_rates = flag_rates\n\n\n"
                    "def flag_rates(promotional, flagged):\n"
                    "    r = _right_flag_rates(promotional, flagged)\n"
                    "    return r | {'specificity': r['fp'] / (r['fp'] + r['tn'])}\n",
                    "hint": "specificity here is the false-positive rate, its complement. "
                    "Specificity counts the not-promotional sentences that were NOT flagged.",
                },
            ],
        },
        "q5_tests": {
            "title": "Exercise 5: a stricter threshold for journalists' texts",
            "section": "section 6, A transparent red-flag flagger",
            "hint": "Test split; genres press_release and news_feature only; method='model' with "
            "threshold=0.75; each sentence flagged on its own.",
            "parts": [
                _num("desk_precision", unit="proportion", low=0, high=1, rel=1e-6),
                _num("desk_recall", unit="proportion", low=0, high=1, rel=1e-6),
                _num("desk_specificity", unit="proportion", low=0, high=1, rel=1e-6),
            ],
            "misconceptions": [
                {
                    "code": _DESK.format(args="'test', 'model'", genres=True),
                    "hint": "These are the model's figures at its default threshold. The desk "
                    "uses a stricter one: pass threshold= to flag_text.",
                },
                {
                    "code": _DESK.format(args="'test', 'rules', threshold=None", genres=True),
                    "hint": "These are the rules' figures (flag_text's default method). The desk "
                    "uses the learned model: method='model'.",
                },
                {
                    "code": _DESK.format(args="'test', 'model', threshold=0.75", genres=False),
                    "hint": "These figures cover every genre of the test split. The desk screens "
                    "press releases and news features only.",
                },
                {
                    "code": "desk_precision, desk_recall = desk_recall, desk_precision",
                    "hint": "precision and recall are swapped: precision is a share of the "
                    "flagged sentences, recall a share of the promotional ones.",
                },
            ],
        },
        "q7_tests": {
            "title": "Exercise 7: verdicts on four claims",
            "section": "section 2, Claims against evidence, with sections 4 and 7",
            "hint": "For each claim ask: is there a source, what exactly is FDA-approved, and is a "
            "mechanism standing in for an outcome?",
            "parts": [
                {
                    "name": "verdicts",
                    "kind": "choice_map",
                    "keys": ["a", "b", "c", "d"],
                    "choices": ["supported", "overstated", "misleading", "false", "unverifiable"],
                }
            ],
        },
        "q8_tests": {
            "title": "Exercise 8: a rise in use, told two ways",
            "section": "section 8, Non-medical use and its harms",
            "hint": "The values are already percentages: their difference is in percentage points; "
            "the ratio divides the 2019 value by the 2015 value.",
            "parts": [
                _num("use_ratio_2019_vs_2015", unit="ratio", low=0, rel=1e-3),
                _num(
                    "absolute_increase_pct_points", unit="percentage points", rel=1e-3, abs_tol=1e-9
                ),
                {"name": "true_statements", "kind": "text_list", "ordered": False},
            ],
            "misconceptions": [
                {
                    "code": "use_ratio_2019_vs_2015 = 100 * (use_ratio_2019_vs_2015 - 1)",
                    "hint": "use_ratio_2019_vs_2015 is the percentage increase. The item asks how "
                    "many times as high 2019 was: the 2019 value divided by the 2015 value.",
                },
                {
                    "code": "use_ratio_2019_vs_2015 = 1 / use_ratio_2019_vs_2015",
                    "hint": "use_ratio_2019_vs_2015 is upside down: it divides 2015 by 2019. The "
                    "starting year (2015) is the reference, so it goes in the denominator.",
                },
                {
                    "code": "absolute_increase_pct_points = absolute_increase_pct_points / 100",
                    "hint": "absolute_increase_pct_points was converted, but the values are "
                    "already percentages: their plain difference is in percentage points.",
                },
            ],
        },
    },
    "07-capstone": {
        "q1_tests": {
            "title": "Exercise 1: same dose, same exposure?",
            "section": "section 2, Dose and route",
            "hint": "Lozenge divided by infusion, for the peak and for the AUC (same mg/kg).",
            "parts": [
                _num("cmax_ratio_lozenge_vs_iv", unit="ratio", low=0, rel=1e-3),
                _num("auc_ratio_lozenge_vs_iv", unit="ratio", low=0, rel=0.02, reference="0.29"),
            ],
        },
        "q2_tests": {
            "title": "Exercise 2: block, and the mechanism verdict",
            "section": "section 3, Mechanism",
            "hint": "Peak in µM, c / (c + Ki) with the racemic Ki; which links of the chain are "
            "shown, and in whom?",
            "parts": [
                _num("block_at_lozenge_peak", unit="fraction", low=0, high=1, rel=1e-3),
                {
                    "name": "mechanism_verdict",
                    "kind": "choice",
                    "case": "upper",
                    "choices": ["A", "B", "C", "D"],
                },
            ],
        },
        "q3_tests": {
            "title": "Exercise 3: pooled remission RD and NNT",
            "section": "section 4, Evidence (and notebook 05, section 3)",
            "hint": "effect_from_ci for each row, meta.pool(method='DL'); NNT = 1 / RD rounded up.",
            "parts": [
                _num("pooled_remission_rd", unit="proportion", low=-1, high=1, rel=2e-3),
                _num("nnt_remission", unit="people", whole=True, integer=True),
            ],
        },
        "q4_tests": {
            "title": "Exercise 4: red flags in the advert",
            "section": "section 5, Marketing red flags (and notebook 06, section 6)",
            "hint": "Distinct categories from media.flag_text(ADVERT), sorted; then ask what "
            "exactly is FDA-approved.",
            "parts": [
                {"name": "flag_categories", "kind": "text_list", "ordered": True},
                {
                    "name": "approval_sentence_category",
                    "kind": "choice",
                    "case": "lower",
                    "choices": list(CAPSTONE_CATEGORIES),
                },
            ],
        },
    },
}


# ----------------------------------------------------------------------------- kernel helper
class KernelSession:
    """A Python kernel started in a notebook's folder; ``run(code)`` returns (ok, stdout)."""

    def __init__(self, cwd: Path, env: dict[str, str] | None = None):
        from jupyter_client.manager import KernelManager

        full_env = {**os.environ, "MPLBACKEND": "Agg", "KETLEARN_PROGRESS_FILE": "off"}
        full_env.update(env or {})
        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(cwd=str(cwd), env=full_env)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)

    def run(self, code: str, timeout: float = 180) -> tuple[bool, str]:
        out: list[str] = []

        def hook(msg):
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and content.get("name") == "stdout":
                out.append(content["text"])
            elif kind == "error":
                out.append(f"{content['ename']}: {content['evalue']}\n")

        reply = self.kc.execute_interactive(
            code, output_hook=hook, timeout=timeout, store_history=False, allow_stdin=False
        )
        return reply["content"]["status"] == "ok", "".join(out)

    def run_ok(self, code: str, what: str) -> str:
        ok, out = self.run(code)
        if not ok:
            raise RuntimeError(f"{what} failed:\n{out[-2000:]}")
        return out

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def notebook_path(assignment: str) -> Path:
    return SOURCE / assignment / f"{assignment}.ipynb"


def grade_cells(nb) -> list[tuple[int, str]]:
    """(index, grade_id) of the autograder test cells, in order."""
    out = []
    for i, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            out.append((i, meta["grade_id"]))
    return out


def is_selfcheck_cell(cell) -> bool:
    return cell.cell_type == "code" and "selfcheck.check(" in cell.source


def _strip(part: dict) -> dict:
    """A part without instructor-only ``reference`` entries (also inside function calls)."""
    out = {k: v for k, v in part.items() if k != "reference"}
    if "calls" in out:
        out["calls"] = [
            {**c, "out": {k: v for k, v in c["out"].items() if k != "reference"}}
            for c in out["calls"]
        ]
    return out


def public(spec: dict) -> dict:
    """The item description as stored in the package (without instructor-only references).

    Misconceptions keep only their hint: the code that makes the wrong answer stays here, and
    the package stores the wrong answer's salted hash (``record``) next to the hint.
    """
    out = {**spec, "parts": [_strip(p) for p in spec["parts"]]}
    if "misconceptions" in spec:
        out["misconceptions"] = [{"hint": m["hint"]} for m in spec["misconceptions"]]
    return out


def _misconception_records(kernel, assignment: str, gid: str, spec: dict, right: dict, old: dict):
    """Run each anticipated wrong answer on top of the solution and hash it like the right one.

    The wrong value must fail the right record (else it is not a wrong answer); the kernel's
    answer variables are restored afterwards.
    """
    names = [p["name"] for p in spec["parts"]]
    salts = {m["hint"]: m["record"]["salt"] for m in old.get("misconceptions", [])}
    kernel.run_ok(f"_sc_saved = {{n: globals()[n] for n in {names!r}}}", "save answers")
    out = []
    try:
        for m in spec.get("misconceptions", []):
            what = f"{assignment} {gid} misconception {m['hint'][:40]!r}"
            kernel.run_ok(m["code"], what)
            salt = salts.get(m["hint"]) or secrets.token_hex(16)
            probe = _probe({**spec, "parts": [_strip(p) for p in spec["parts"]]}, salt)
            probe += (
                "from ketlearn.answers import record_matches as _sc_rm\n"
                f"print({MARK!r} + 'RIGHT' + str(_sc_rm({[_strip(p) for p in spec['parts']]!r}, "
                f"globals(), {right!r})))\n"
            )
            text = kernel.run_ok(probe, what)
            record_text, same = text.split(MARK)[1:3]
            if same.strip() != "RIGHTFalse":
                raise SystemExit(f"{what}: this 'wrong' answer passes as right; change its code")
            out.append({"hint": m["hint"], "record": json.loads(record_text.strip())})
            kernel.run_ok("globals().update(_sc_saved)", "restore answers")
    finally:
        kernel.run("globals().update(_sc_saved)")
    return out


def _probe(spec: dict, salt: str) -> str:
    """Kernel code: the item's tokens from the solution (or the hidden test's reference)."""
    lines = [
        "import json as _sc_json",
        "from ketlearn.answers import canonical as _sc_codec",
        "_sc_atoms = []",
    ]
    for part in spec["parts"]:
        if part["kind"] == "figure":
            continue
        value = part.get("reference", f"globals()[{part['name']!r}]")
        refs = {
            json.dumps(c["args"]): c["out"]["reference"]
            for c in part.get("calls", [])
            if "reference" in c.get("out", {})
        }
        if refs:  # a stand-in for the solution that answers the referenced calls
            lines.append(
                f"def _sc_stand_in(*a, _real={value}):\n"
                "    key = _sc_json.dumps([x.tolist() if hasattr(x, 'tolist') else x for x in a])\n"
                f"    refs = {{{', '.join(f'{k!r}: {v}' for k, v in refs.items())}}}\n"
                "    return refs[key] if key in refs else _real(*a)"
            )
            value = "_sc_stand_in"
        lines.append(f"_sc_atoms += _sc_codec.flatten({_strip(part)!r}, {value})")
    lines.append(
        f"print({MARK!r} + _sc_json.dumps(_sc_codec.expected_record(_sc_atoms, {salt!r})))"
    )
    return "\n".join(lines) + "\n"


def generate(assignment: str, old: dict | None = None) -> dict[str, dict]:
    """Run the source notebook and return the data of every item of ``assignment``."""
    specs = SPECS[assignment]
    nb = nbformat.read(notebook_path(assignment), as_version=4)
    graded = dict((gid, i) for i, gid in grade_cells(nb))
    missing = sorted(set(graded) - set(specs))
    if missing:
        raise SystemExit(f"{assignment}: no self-check spec for {missing}")
    unknown = sorted(set(specs) - set(graded))
    if unknown:
        raise SystemExit(f"{assignment}: specs for items not in the notebook: {unknown}")
    last = max(graded.values())
    out: dict[str, dict] = {}
    with KernelSession(notebook_path(assignment).parent) as kernel:
        for i, cell in enumerate(nb.cells[: last + 1]):
            if cell.cell_type != "code" or is_selfcheck_cell(cell):
                continue
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid in specs and i == graded[gid]:
                salt = (old or {}).get(gid, {}).get("record", {}).get("salt")
                salt = salt or secrets.token_hex(16)
                text = kernel.run_ok(_probe(specs[gid], salt), f"{assignment} {gid} probe")
                record = json.loads(text.split(MARK, 1)[1].strip())
                out[gid] = {**public(specs[gid]), "record": record}
                if specs[gid].get("misconceptions"):
                    out[gid]["misconceptions"] = _misconception_records(
                        kernel, assignment, gid, specs[gid], record, (old or {}).get(gid, {})
                    )
            kernel.run_ok(cell.source, f"{assignment} cell {i}")
    return {gid: out[gid] for gid, _ in sorted(graded.items(), key=lambda kv: kv[1])}


def _grid_points(part: dict, info: object) -> float | None:
    """How many answers a scan of one number's stated range must try (None: no stated range)."""
    low, high = part.get("low"), part.get("high")
    if info == "i":
        return None if low is None or high is None else high - low + 1
    if low is None or high is None:
        return None
    if info[0] == "a":
        return (high - low) / (2 * part.get("abs_tol", 0.0))
    # Relative grid: magnitudes from 1/1000 of the largest (or from low, if larger) upwards.
    rel = part.get("rel", 1e-6)
    width = math.log((1 + rel) / (1 - rel))
    top = max(abs(low), abs(high))
    bottom = max(min(abs(low), abs(high)) if low * high > 0 else 0.0, 1e-3 * top)
    return (math.log(top / bottom) / width + 1) * (2 if low < 0 < high else 1)


def cost_report() -> None:
    """Print, per item, how many guesses a scan over the stated ranges needs (residual risk)."""
    from ketlearn import selfcheck

    data = selfcheck.load_data()
    sec = selfcheck.evaluate("00-orientation", "q2_tests", {"median_f_intranasal_pct": 1.0}).seconds
    print(f"one query costs {sec:.2f} s here (scrypt, {data['kdf']['n'] * 128 * 8 >> 20} MiB)")
    for assignment, items in data["assignments"].items():
        for gid, spec in items.items():
            lattice = iter(spec["record"]["lattice"])
            total, open_ended = 1.0, False
            for part in spec["parts"]:
                if part["kind"] == "number":
                    n = _grid_points(part, next(lattice))
                    open_ended |= n is None
                    total *= n or 1
                elif part["kind"] in ("choice",):
                    total *= len(part["choices"])
                elif part["kind"] == "choice_map":
                    total *= len(part["choices"]) ** len(part["keys"])
                else:
                    open_ended = True
            shown = (
                "no stated range"
                if open_ended
                else f"{total:.3g} guesses, {total * sec / 3600:.3g} h"
            )
            print(f"{assignment:28} {gid:10} {shown}")


def main(argv: list[str]) -> int:
    from ketlearn.answers import canonical as codec

    if argv == ["--cost"]:
        cost_report()
        return 0

    names = argv or list(SPECS)
    data = {"format": 1, "kdf": codec.KDF, "assignments": {}}
    if DATA.exists():
        data = json.loads(DATA.read_text(encoding="utf-8"))
        data["kdf"] = codec.KDF
    for name in names:
        if name not in SPECS:
            raise SystemExit(f"unknown assignment {name!r}; known: {sorted(SPECS)}")
        print(f"{name}: running the source notebook ...", flush=True)
        data["assignments"][name] = generate(name, data["assignments"].get(name))
        print(f"{name}: {len(data['assignments'][name])} items", flush=True)
    data["assignments"] = dict(sorted(data["assignments"].items()))
    DATA.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {DATA.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    raise SystemExit(main(sys.argv[1:]))
