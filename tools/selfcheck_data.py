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
            "title": "Exercise 1: a one-compartment half-life from pooled data",
            "section": "section 2, Compartments and micro-constants (and the one-compartment "
            "primer before it)",
            "hint": "k = CL / V; t½ = ln 2 / k; mind the unit of k (per hour) and answer in minutes.",
            "parts": [_num("t_half_pooled_min", unit="min", low=0, rel=0.005)],
            "misconceptions": [
                {
                    "code": "t_half_pooled_min = np.log(2) * 252.0 / 79.0",
                    "hint": "That looks like hours: with V in L and CL in L/h, k is per hour. "
                    "Convert the half-life to minutes.",
                },
                {
                    "code": "t_half_pooled_min = np.log10(2) * 252.0 / 79.0 * 60.0",
                    "hint": "A half-life uses the natural logarithm: t½ = ln 2 / k, not log10 2 / k.",
                },
                {
                    "code": "t_half_pooled_min = np.log(2) * 79.0 / 252.0 * 60.0",
                    "hint": "The rate constant is clearance over volume (k = CL / V): check which "
                    "way up your ratio is.",
                },
                {
                    "code": "t_half_pooled_min = 252.0 / 79.0 * 60.0",
                    "hint": "V / CL is 1 / k (the mean residence time), not the half-life: the "
                    "half-life is ln 2 times that.",
                },
            ],
        },
        "q2_tests": {
            "title": "Exercise 2: a slower infusion, in µM",
            "section": "section 3, Bolus versus infusion",
            "hint": "Simulate the 100-minute infusion itself, take its highest concentration and "
            "convert ng/mL to µM with the molar mass of the base.",
            "parts": [_num("cmax_100min_um", unit="µM", low=0, rel=2e-3)],
            "misconceptions": [
                {
                    "code": "cmax_100min_um = cmax_100min_um * pk.MOLAR_MASS_G_PER_MOL",
                    "hint": "That is in ng/mL. Divide by the molar mass (g/mol): ng/mL per g/mol "
                    "is nmol/mL, which is µM.",
                },
                {
                    "code": "cmax_100min_um = pk.summary(pk.simulate(pk.Regimen('iv_infusion', "
                    "0.5, 70.0, duration_min=40.0), t_end_min=480.0, dt_min=0.5))"
                    "['cmax_ng_per_ml'] * 40 / 100 / pk.MOLAR_MASS_G_PER_MOL",
                    "hint": "The peak does not fall in proportion to the infusion rate: "
                    "distribution and elimination run during the infusion. Simulate the "
                    "100-minute infusion itself.",
                },
                {
                    "code": "cmax_100min_um = pk.summary(pk.simulate(pk.Regimen('iv_infusion', "
                    "0.5, 70.0, duration_min=40.0), t_end_min=480.0, dt_min=0.5))"
                    "['cmax_ng_per_ml'] / pk.MOLAR_MASS_G_PER_MOL",
                    "hint": "That is the peak of the 40-minute infusion of Figure 2; this "
                    "question spreads the same dose over 100 minutes.",
                },
                {
                    "code": "cmax_100min_um = cmax_100min_um * pk.MOLAR_MASS_G_PER_MOL / 274.19",
                    "hint": "Use the molar mass of ketamine base (pk.MOLAR_MASS_G_PER_MOL), not "
                    "that of the hydrochloride salt: plasma concentrations are of the base.",
                },
            ],
        },
        "q3_tests": {
            "title": "Exercise 3: the trapezoidal rule",
            "section": "section 4, Exposure from samples",
            "hint": "Each trapezoid: its own width (np.diff of the times) times the mean of its "
            "two heights; add them up; ng·min/mL to ng·h/mL.",
            "parts": [
                {
                    "name": "auc_trapezoid_ng_h_per_ml",
                    "kind": "function",
                    "unit": "ng·h/mL",
                    "calls": [
                        {
                            "args": [[0.0, 10.0, 35.0, 155.0, 395.0], [0.0, 71.0, 62.0, 33.0, 8.0]],
                            "array_args": [0, 1],
                            "out": {"kind": "number", "rel": 1e-6},
                        },
                        {
                            "args": [[0.0, 25.0, 85.0], [0.0, 131.0, 47.0]],
                            "array_args": [0, 1],
                            "out": {"kind": "number", "rel": 1e-6},
                        },
                    ],
                }
            ],
            "misconceptions": [
                {
                    "code": "def auc_trapezoid_ng_h_per_ml(time_min, conc_ng_per_ml):\n"
                    "    t = np.asarray(time_min, dtype=float)\n"
                    "    c = np.asarray(conc_ng_per_ml, dtype=float)\n"
                    "    return float(np.sum(np.diff(t) * (c[1:] + c[:-1]) / 2))",
                    "hint": "Your function returns ng·min/mL: the times are in minutes, so divide "
                    "by 60 to get ng·h/mL.",
                },
                {
                    "code": "def auc_trapezoid_ng_h_per_ml(time_min, conc_ng_per_ml):\n"
                    "    t = np.asarray(time_min, dtype=float)\n"
                    "    c = np.asarray(conc_ng_per_ml, dtype=float)\n"
                    "    return float(np.sum(np.diff(t) * c[:-1])) / 60",
                    "hint": "Each trapezoid's height is the mean of its two ends, not the value "
                    "at its left end (that is a rectangle).",
                },
                {
                    "code": "def auc_trapezoid_ng_h_per_ml(time_min, conc_ng_per_ml):\n"
                    "    t = np.asarray(time_min, dtype=float)\n"
                    "    c = np.asarray(conc_ng_per_ml, dtype=float)\n"
                    "    return float(np.mean(np.diff(t)) * np.sum((c[1:] + c[:-1]) / 2)) / 60",
                    "hint": "The samples are unevenly spaced: give every trapezoid its own width "
                    "(the difference of its two times), not the average spacing.",
                },
            ],
        },
        "q4_tests": {
            "title": "Exercise 4: oral bioavailability from samples",
            "section": "section 4, Exposure from samples (clearance and bioavailability)",
            "hint": "Same dose per kg by both routes: F = AUC after the oral dose / AUC after the "
            "IV dose, both over the sampled 12 h, as a fraction.",
            "parts": [_num("f_oral_estimate", unit="fraction", low=0, rel=2e-3)],
            "misconceptions": [
                {
                    "code": "f_oral_estimate = f_oral_estimate * 100",
                    "hint": "A fraction, please, not a percentage (between 0 and 1).",
                },
                {
                    "code": "f_oral_estimate = float(adult_oral['plasma_ng_per_ml'].max() / "
                    "adult_iv['plasma_ng_per_ml'].max())",
                    "hint": "Bioavailability compares total exposure (AUC), not peaks: how fast a "
                    "dose is absorbed changes its peak, not how much arrives.",
                },
                {
                    "code": "f_oral_estimate = 1 / f_oral_estimate",
                    "hint": "The IV dose is the reference (F = 1): divide the oral AUC by the IV "
                    "AUC, not the other way round.",
                },
                {
                    "code": "f_oral_estimate = pk.ROUTE_PARAMETERS['oral'].f_default",
                    "hint": "That is a published value for other people (section 1). Estimate "
                    "this person's F from their two sets of samples.",
                },
            ],
        },
        "q5_tests": {
            "title": "Exercise 5: terminal half-life",
            "section": "section 4, Exposure from samples (terminal half-life)",
            "hint": "Keep the samples at or after t_from_min, fit ln(c) against t with "
            "np.polyfit, t½ = ln 2 / (minus the slope), in minutes; for the child, start where "
            "Figure 4 turns straight.",
            "parts": [
                {
                    "name": "terminal_half_life_min",
                    "kind": "function",
                    "unit": "min",
                    "calls": [
                        {
                            "args": [
                                [0.0, 30.0, 60.0, 120.0, 240.0],
                                [90.0, 61.0, 45.0, 26.0, 9.5],
                                0.0,
                            ],
                            "array_args": [0, 1],
                            "out": {"kind": "number", "rel": 1e-4},
                        },
                        {
                            "args": [
                                [0.0, 5.0, 10.0, 60.0, 120.0, 180.0],
                                [250.0, 120.0, 75.0, 41.0, 24.0, 13.0],
                                60.0,
                            ],
                            "array_args": [0, 1],
                            "out": {"kind": "number", "rel": 1e-4},
                        },
                    ],
                },
                _num(
                    "t_half_child_min",
                    unit="min",
                    low=0,
                    rel=0.0168,
                    reference="(lambda f: (max(f) + min(f)) / 2)([pk.terminal_half_life_min("
                    "child['time_min'], child['plasma_ng_per_ml'], s) for s in (30.0, 45.0, 60.0, "
                    "90.0)])",
                ),
            ],
            "misconceptions": [
                {
                    "code": "t_half_child_min = terminal_half_life_min(child['time_min'].iloc[1:], "
                    "child['plasma_ng_per_ml'].iloc[1:], 1.0)",
                    "hint": "Your fit starts too early: the first samples still fall fast because "
                    "the drug is distributing. Start where Figure 4 becomes a straight line.",
                },
                {
                    "code": "t_half_child_min = t_half_child_min / 60",
                    "hint": "In minutes, please: your value looks like hours.",
                },
                {
                    "code": "def terminal_half_life_min(time_min, conc_ng_per_ml, t_from_min):\n"
                    "    t = np.asarray(time_min, dtype=float)\n"
                    "    c = np.asarray(conc_ng_per_ml, dtype=float)\n"
                    "    keep = t >= t_from_min\n"
                    "    return float(np.log(2) / -np.polyfit(t[keep], np.log10(c[keep]), 1)[0])\n"
                    "t_half_child_min = terminal_half_life_min(child['time_min'], "
                    "child['plasma_ng_per_ml'], 45.0)",
                    "hint": "Fit the natural logarithm of the concentrations (np.log): with log10 "
                    "the slope is ln 10 times smaller and the half-life that much too long.",
                },
                {
                    "code": "t_half_child_min = pk.half_lives_min('herd2007', 20.0)[-1]",
                    "hint": "That is the population model's typical child, not this one: use this "
                    "child's own samples.",
                },
            ],
        },
        "q6_tests": {
            "title": "Exercise 6: a child's clearance",
            "section": "section 4, Exposure from samples (clearance)",
            "hint": "CL = dose / AUC(0-inf); AUC(0-inf) = AUC of the samples + C_last / λz, all in "
            "ng·h/mL; 1 mg = 1000 µg and 1 ng/mL = 1 µg/L.",
            "parts": [
                _num(
                    "cl_child_l_per_h_per_kg",
                    unit="L/h/kg",
                    low=0,
                    rel=0.01,
                    reference="(lambda t, c: 1000.0 / ((np.trapezoid(c, t) + c[-1] / -np.polyfit("
                    "t[t >= 45], np.log(c[t >= 45]), 1)[0]) / 60.0))(child['time_min'].to_numpy(), "
                    "child['plasma_ng_per_ml'].to_numpy())",
                )
            ],
            "misconceptions": [
                {
                    "code": "cl_child_l_per_h_per_kg = 1000.0 / auc_trapezoid_ng_h_per_ml("
                    "child['time_min'], child['plasma_ng_per_ml'])",
                    "hint": "Add the area after the last sample (C_last / λz): at 3 h the curve "
                    "has not reached zero, so the AUC of the samples alone is too small.",
                },
                {
                    "code": "cl_child_l_per_h_per_kg = cl_child_l_per_h_per_kg / 1000",
                    "hint": "Units: 1 mg = 1000 µg and 1 ng/mL = 1 µg/L, so a dose in µg/kg over "
                    "an AUC in µg·h/L gives L/h per kg.",
                },
                {
                    "code": "cl_child_l_per_h_per_kg = 1000.0 / (auc_child_0_last + "
                    "child['plasma_ng_per_ml'].iloc[-1] / lambda_z_child_per_min)",
                    "hint": "C_last / λz with λz per minute is in ng·min/mL: convert it to "
                    "ng·h/mL before adding it to the AUC in ng·h/mL.",
                },
                {
                    "code": "cl_child_l_per_h_per_kg = cl_child_l_per_h_per_kg * 20.0",
                    "hint": "Per kg of body weight: the dose was given per kg, so dose per kg "
                    "over the AUC is already a clearance per kg.",
                },
            ],
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
            "title": "Exercise 1: scoring an advert with the rubric",
            "section": "section 5, A rubric, and whether two people agree on it",
            "hint": "Leave the n.a. criterion out of the maximum; list the 2-point ids sorted.",
            "parts": [
                _num("f04_total", unit="points", integer=True),
                _num("f04_percent", unit="%", rel=1e-6),
                {"name": "f04_scored_2", "kind": "text_list", "ordered": True},
            ],
        },
        "q2_tests": {
            "title": "Exercise 2: Cohen's kappa",
            "section": "section 5, A rubric, and whether two people agree on it",
            "hint": "Categories 0, 1, 2; the second kappa uses weights='quadratic'.",
            "parts": [
                _num("kappa_ab", low=-1, high=1, rel=1e-6),
                _num("kappa_ab_quadratic", low=-1, high=1, rel=1e-6),
            ],
        },
        "q3_tests": {
            "title": "Exercise 3: relative claim to absolute risks",
            "section": "section 3, Absolute versus relative numbers",
            "hint": "Risks are events / people per arm; percentage points are 100 x the "
            "difference.",
            "parts": [
                _num("relative_risk", unit="ratio", low=1, rel=1e-3),
                _num("risk_difference_pct_points", unit="percentage points", rel=1e-3),
                _num("nnh", unit="people", rel=1e-3),
                _num("implied_per_1000", unit="per 1,000", rel=1e-3),
            ],
        },
        "q4_tests": {
            "title": "Exercise 4: precision and recall (frozen test split)",
            "section": "section 6, A transparent red-flag flagger",
            "hint": "Test sentences only, each flagged on its own; a sentence counts as flagged "
            "when flag_text returns any row.",
            "parts": [
                _num("test_precision", unit="proportion", low=0, high=1, rel=1e-6),
                _num("test_recall", unit="proportion", low=0, high=1, rel=1e-6),
            ],
        },
        "q6_tests": {
            "title": "Exercise 6: verdicts on three claims",
            "section": "section 2, Claims against evidence, and section 7, The regulatory gap",
            "hint": "For each claim ask: is there a source, and what exactly is FDA-approved?",
            "parts": [
                {
                    "name": "verdicts",
                    "kind": "choice_map",
                    "keys": ["a", "b", "c"],
                    "choices": ["supported", "overstated", "misleading", "false", "unverifiable"],
                }
            ],
        },
        "q7_tests": {
            "title": "Exercise 7: absolute and relative change",
            "section": "section 8, Non-medical use and its harms",
            "hint": "The values are already percentages: subtract them for percentage points.",
            "parts": [
                _num("relative_increase_pct", unit="%", rel=1e-3),
                _num(
                    "absolute_increase_pct_points", unit="percentage points", rel=1e-3, abs_tol=1e-9
                ),
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
