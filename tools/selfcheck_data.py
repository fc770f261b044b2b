"""Generate the self-check data from the source notebooks' solutions (one command).

    .venv/bin/python tools/selfcheck_data.py                 # every assignment in SPECS
    .venv/bin/python tools/selfcheck_data.py 04-reading-trials
    .venv/bin/python tools/selfcheck_data.py --cost    # how many guesses a scan would need

For each assignment it runs the *source* notebook (with solutions) in a fresh kernel, cell by
cell, and just before each autograder test cell listed in :data:`SPECS` it turns the solution's
variables into tokens with :mod:`ketlearn.answers.canonical` and stores only their salted scrypt
hash and lattice offsets in ``src/ketlearn/_selfcheck_data.json`` (shipped in the package, so
release notebooks reach it on Binder). An item with a section in ``course/worked/NN-name.md``
also gets its worked solution sealed under a key derived from the same right-answer tokens with
another salt (``"worked"``, see ``tools/worked.py`` and :mod:`ketlearn.answers.sealed`): only
the right answer opens it, with ``selfcheck.worked(...)``. Salts of existing items are kept, so regenerating
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
import re
import secrets
import sys
from pathlib import Path

import nbformat
import worked  # tools/worked.py: course/worked/*.md, sealed per item

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "course" / "source"
DATA = ROOT / "src" / "ketlearn" / "_selfcheck_data.json"
MARK = "@@SELFCHECK@@"

ROUTES = ["intramuscular", "intranasal", "oral", "rectal", "sublingual"]
CATEGORIES = ["chemistry", "clinical", "regulation", "recreational use", "science", "media"]


_DESK = (
    "_m = media.sentence_predictions({args})\n"
    "_m = _m[_m['genre'].astype(str).isin(mine['genres']) | (not {genres})]\n"
    "_r = media.confusion_rates(_m['promotional'].to_numpy(bool), _m['flagged'].to_numpy(bool))\n"
    "desk_precision, desk_recall = _r['precision'], _r['recall']\n"
    "desk_specificity = _r['specificity']"
)  # notebook 06, Exercise 5: the learner's desk's figures computed the wrong way (misconceptions)


def _num(name, **kw):
    return {"name": name, "kind": "number", **kw}


# Notebook 05, item q3: a DerSimonian-Laird estimator with one piece changed (misconceptions).
_TAU2_WRONG = (
    "def tau2_dl(effects, variances):\n"
    "    y = np.asarray(effects, dtype=float)\n"
    "    v = np.asarray(variances, dtype=float)\n"
    "    k = y.size\n"
    "    w = {w}\n"
    "    q = np.sum(w * (y - np.sum(w * y) / np.sum(w)) ** 2)\n"
    "    df = {df}\n"
    "    den = {den}\n"
    "    return float({t})"
)


def _pool07(ids: list[str], method: str = "DL", into: str | None = None) -> str:
    """07-capstone misconception code: pool remission RD rows of ``published`` by ``method``."""
    code = (
        f"_sc_rows = published.set_index('row_id').loc[{ids!r}]\n"
        "_sc_yv = [meta.effect_from_ci(r.estimate, r.ci_low, r.ci_high)"
        " for r in _sc_rows.itertuples()]\n"
        f"_sc_pool = meta.pool([y for y, _ in _sc_yv], [v for _, v in _sc_yv], method={method!r})\n"
    )
    if into:
        return code + f"{into} = _sc_pool\n"
    return code + (
        "pooled_remission_rd_u65 = _sc_pool.estimate\ntau2_remission_u65 = _sc_pool.tau2\n"
    )


SPECS: dict[str, dict[str, dict]] = {
    "00-orientation": {
        "q1_tests": {
            "title": "Exercise 1: how much of a dose reaches the blood?",
            "section": "section 2, A first dataset",
            "hint": "Multiply the wafer's dose by its F, with F turned from a percentage into a "
            "fraction; read both from the row rolan-sl.",
            "parts": [_num("available_mg_wafer", unit="mg", low=0, rel=1e-3)],
            "misconceptions": [
                {
                    "code": "_w = bio.set_index('row_id').loc['rolan-sl']\n"
                    "available_mg_wafer = float(_w['dose_mg'] * _w['bioavailability_pct'])",
                    "hint": "Your amount is larger than the dose itself: F is given in %, so "
                    "divide it by 100 before you multiply.",
                },
                {
                    "code": "available_mg_wafer = float("
                    "bio.set_index('row_id').loc['rolan-sl', 'dose_mg'])",
                    "hint": "That is the whole dose: only the fraction F of it reaches the "
                    "circulation unchanged.",
                },
                {
                    "code": "_b = bio.set_index('row_id')\n"
                    "available_mg_wafer = float(_b.loc['rolan-sl', 'dose_mg']"
                    " * _b.loc['yan-sl', 'bioavailability_pct'] / 100)",
                    "hint": "You used the F of the other sublingual study (Yanagihara's tablet): "
                    "take the dose and F from the same row, rolan-sl.",
                },
            ],
        },
        "q2_tests": {
            "title": "Exercise 2: a typical intranasal value",
            "section": "section 3, Summaries: a typical value, and a change",
            "hint": "Keep only the intranasal rows and let each estimate count in proportion to "
            "its n_participants (np.average with weights=), in %.",
            "parts": [_num("weighted_f_intranasal_pct", unit="%", low=0, high=100, abs_tol=0.01)],
            "misconceptions": [
                {
                    "code": "weighted_f_intranasal_pct = float("
                    "bio.loc[bio['route'] == 'intranasal', 'bioavailability_pct'].mean())",
                    "hint": "That is the plain mean: here every estimate counts the same, however "
                    "few people it rests on. Weight each one by its n_participants.",
                },
                {
                    "code": "weighted_f_intranasal_pct = float("
                    "bio.loc[bio['route'] == 'intranasal', 'bioavailability_pct'].median())",
                    "hint": "That is the median. The exercise asks for the mean weighted by the "
                    "number of participants.",
                },
                {
                    "code": "_n = bio[bio['route'] == 'intranasal']\n"
                    "weighted_f_intranasal_pct = float(np.average("
                    "_n['bioavailability_pct'], weights=_n['dose_mg']))",
                    "hint": "You weighted by the dose. The weights should be the number of people "
                    "behind each estimate (n_participants).",
                },
                {
                    "code": "weighted_f_intranasal_pct = float(np.average("
                    "bio['bioavailability_pct'], weights=bio['n_participants']))",
                    "hint": "You averaged over every route. Keep only the intranasal rows first.",
                },
            ],
        },
        "q3_tests": {
            "title": "Exercise 3: a change in per cent",
            "section": "section 3, Summaries: a typical value, and a change",
            "hint": "Relative change = (new - old) / old x 100, with the 10 mg value as old; a "
            "fall is negative.",
            "parts": [_num("rel_change_f_pct", unit="%", low=-100, abs_tol=0.05)],
            "misconceptions": [
                {
                    "code": "rel_change_f_pct = -rel_change_f_pct",
                    "hint": "Check the sign: F is lower at 50 mg than at 10 mg, so the relative "
                    "change is negative.",
                },
                {
                    "code": "_b = bio.set_index('row_id')['bioavailability_pct']\n"
                    "rel_change_f_pct = float(_b['ph22-in50'] - _b['ph22-in10'])",
                    "hint": "That is the difference in percentage points. A relative change "
                    "divides that difference by the starting (10 mg) value.",
                },
                {
                    "code": "_b = bio.set_index('row_id')['bioavailability_pct']\n"
                    "rel_change_f_pct = float("
                    "(_b['ph22-in50'] - _b['ph22-in10']) / _b['ph22-in50'] * 100)",
                    "hint": "You divided by the 50 mg value. A relative change is in per cent of "
                    "the value you start from, here the 10 mg one.",
                },
                {
                    "code": "rel_change_f_pct = rel_change_f_pct / 100",
                    "hint": "That looks like a fraction. The exercise asks for per cent: "
                    "multiply by 100.",
                },
            ],
        },
        "q4_tests": {
            "title": "Exercise 4: build a unit converter",
            "section": "section 6, Units: from mass to moles",
            "hint": "Molar mass of the base from ATOMIC_WEIGHT (13 C, 16 H, 1 Cl, 1 N, 1 O); "
            "µM = ng/mL divided by g/mol; np.asarray makes it work on arrays.",
            "parts": [
                {
                    "name": "ng_per_ml_to_um",
                    "kind": "function",
                    "unit": "µM",
                    "calls": [
                        {"arg": 185.0, "out": {"kind": "number", "rel": 1e-3}},
                        {
                            "arg": [70.0, 160.0, 1500.0],
                            "array": True,
                            "out": {"kind": "array", "shape": [3], "rel": 1e-3},
                        },
                    ],
                }
            ],
            "misconceptions": [
                {
                    "code": "def ng_per_ml_to_um(conc_ng_per_ml):\n"
                    "    return np.asarray(conc_ng_per_ml, dtype=float) * 237.727",
                    "hint": "Your µM values are larger than the ng/mL ones: going from mass to "
                    "moles you divide by the molar mass, not multiply.",
                },
                {
                    "code": "def ng_per_ml_to_um(conc_ng_per_ml):\n"
                    "    return np.asarray(conc_ng_per_ml, dtype=float) / 274.185",
                    "hint": "You seem to have used the molar mass of ketamine hydrochloride (the "
                    "salt). Blood levels are of the base, C13H16ClNO: one Cl and 16 H.",
                },
                {
                    "code": "def ng_per_ml_to_um(conc_ng_per_ml):\n"
                    "    return np.asarray(conc_ng_per_ml, dtype=float) / 237.727 * 1000",
                    "hint": "Your values are 1000 times too large: that is nM, not µM. ng/mL is "
                    "µg/L, and µg/L divided by g/mol is already µmol/L.",
                },
                {
                    "code": "def ng_per_ml_to_um(conc_ng_per_ml):\n"
                    "    return np.asarray(conc_ng_per_ml, dtype=float) / 237.727 / 1000",
                    "hint": "Your values are 1000 times too small: 1 ng/mL is 1 µg/L, so no "
                    "extra factor of 1000 is needed.",
                },
            ],
        },
        "q5_tests": {
            "title": "Exercise 5: which effects come below 1 µM?",
            "section": "section 6, Units: from mass to moles",
            "hint": "For each band take the highest value (the upper end of a range, else the "
            "single value), convert it with to_um, and keep the band_ids below 1 µM.",
            "parts": [{"name": "bands_below_1um", "kind": "text_list", "ordered": False}],
            "misconceptions": [
                {
                    "code": "bands_below_1um = [str(b) for b in bands.loc[to_um("
                    "bands['conc_low_ng_per_ml'].fillna(bands['conc_ng_per_ml'])) < 1, "
                    "'band_id']]",
                    "hint": "One of your bands reaches above 1 µM at its upper end: you used the "
                    "lower end of each range, but the exercise asks for the highest value.",
                },
                {
                    "code": "bands_below_1um = []",
                    "hint": "Your list is empty: compare the concentrations in µM (after to_um) "
                    "with 1, not the values in ng/mL.",
                },
                {
                    "code": "bands_below_1um = [str(b) for b in bands.loc[to_um("
                    "bands['conc_ng_per_ml'].fillna(1e9)) < 1, 'band_id']]",
                    "hint": "You left out the bands given as ranges: for those, use the upper end "
                    "(conc_high_ng_per_ml).",
                },
            ],
        },
    },
    "01-history": {
        "q1_tests": {
            "title": "Exercise 1: how much of the timeline is disputed?",
            "section": "section 1, The timeline dataset",
            "hint": "The share of rows whose claim_group is not empty (.notna().mean()), times 100.",
            "parts": [_num("pct_rows_disputed", unit="%", low=0, high=100, abs_tol=0.01)],
            "misconceptions": [
                {
                    "code": "pct_rows_disputed = pct_rows_disputed / 100",
                    "hint": "That looks like a fraction. The exercise asks for a percentage: "
                    "multiply by 100.",
                },
                {
                    "code": "pct_rows_disputed = float("
                    "timeline['claim_group'].nunique() / len(timeline) * 100)",
                    "hint": "You counted claim groups. The exercise asks for the rows that belong "
                    "to one (each group has two or three rows).",
                },
                {
                    "code": "pct_rows_disputed = 100 - pct_rows_disputed",
                    "hint": "That is the share of undisputed rows: count the rows that do have a "
                    "claim_group.",
                },
            ],
        },
        "q2_tests": {
            "title": "Exercise 2: early claims to check against the original",
            "section": "section 1, The timeline dataset",
            "hint": "Three conditions joined with & (each in brackets): category is clinical or "
            "regulation (.isin), year 1981 or earlier, source_type secondary.",
            "parts": [{"name": "early_secondary", "kind": "column_values", "column": "event_id"}],
            "misconceptions": [
                {
                    "code": "early_secondary = timeline[timeline['category'].isin("
                    "['clinical', 'regulation']) & (timeline['year'] < 1981)"
                    " & (timeline['source_type'] == 'secondary')]",
                    "hint": "A row from 1981 is missing: '1981 or earlier' needs <=, not <.",
                },
                {
                    "code": "early_secondary = timeline[(timeline['category'] == 'regulation')"
                    " & (timeline['year'] <= 1981) & (timeline['source_type'] == 'secondary')]",
                    "hint": "You kept only regulation: the clinical rows belong in the selection "
                    "too.",
                },
                {
                    "code": "early_secondary = timeline[timeline['category'].isin("
                    "['clinical', 'regulation']) & (timeline['year'] <= 1981)]",
                    "hint": "Your selection includes rows read in primary sources: add the "
                    "source_type condition.",
                },
            ],
        },
        "q3_tests": {
            "title": "Exercise 3: events, not claims, per jurisdiction",
            "section": "section 1, The timeline dataset",
            "hint": "Key = claim_group where there is one, else event_id; then group by "
            "jurisdiction (observed=True) and count distinct keys with .nunique().",
            "parts": [
                {
                    "name": "events_per_jurisdiction",
                    "kind": "mapping",
                    "unit": "events",
                    "integer": True,
                    "drop_zero": True,
                    "allowed_keys": ["US", "UK", "WHO", "international"],
                }
            ],
            "misconceptions": [
                {
                    "code": "events_per_jurisdiction = "
                    "timeline.groupby('jurisdiction', observed=True).size()",
                    "hint": "You counted rows (claims). Competing claims about one event share a "
                    "claim_group: count each group once.",
                },
                {
                    "code": "events_per_jurisdiction = timeline[timeline['claim_group'].isna()]"
                    ".groupby('jurisdiction', observed=True).size()",
                    "hint": "You left out every disputed event: each claim group still counts "
                    "once.",
                },
            ],
        },
        "q4_tests": {
            "title": "Exercise 4: a function for the time between two events",
            "section": "section 1, The timeline dataset",
            "hint": "Middle = date_start + (date_end - date_start) / 2 for each row; the gap is "
            "the days between the middles divided by 365.25.",
            "parts": [
                {
                    "name": "years_between",
                    "kind": "function",
                    "unit": "years",
                    "calls": [
                        {
                            "args": ["us-schedule-iii-1999", "first-human-dose-1964"],
                            "out": {"kind": "number", "abs_tol": 0.02},
                        },
                        {
                            "args": ["harms-review-2012", "uk-class-b-2014"],
                            "out": {"kind": "number", "abs_tol": 0.02},
                        },
                        {
                            "args": ["dissociative-anaesthetic-1965", "uk-clinical-trials-1970"],
                            "out": {"kind": "number", "abs_tol": 0.02},
                        },
                    ],
                }
            ],
            "misconceptions": [
                {
                    "code": "def years_between(start_event, end_event):\n"
                    "    rows = dated.set_index('event_id')\n"
                    "    return float(rows.loc[end_event, 'year'] - rows.loc[start_event, 'year'])",
                    "hint": "You subtracted the years only. Use the middle of each date interval: "
                    "a full date is one day, a year-only date its midsummer.",
                },
                {
                    "code": "def years_between(start_event, end_event):\n"
                    "    rows = dated.set_index('event_id')\n"
                    "    gap = rows.loc[end_event, 'date_start'] - rows.loc[start_event, 'date_start']\n"
                    "    return gap.days / 365.25",
                    "hint": "You measured from the first possible day of each date, as if a "
                    "year-only date were 1 January. Use the middle of each interval.",
                },
                {
                    "code": "_years_between = years_between\n"
                    "def years_between(start_event, end_event):\n"
                    "    return _years_between(start_event, end_event) * 365.25",
                    "hint": "Your result is in days: divide the days by 365.25 to get years.",
                },
                {
                    "code": "_years_between = years_between\n"
                    "def years_between(start_event, end_event):\n"
                    "    return -_years_between(start_event, end_event)",
                    "hint": "Check the sign: subtract the start's middle from the end's, so a "
                    "later end gives a positive gap.",
                },
            ],
        },
        "q5_tests": {
            "title": "Exercise 5: from the 1981 proposal to a later US milestone",
            "section": "section 4, Non-medical use and drug control",
            "hint": "Use question 2 of section 2 (primary or secondary?) on the two 1981 rows; "
            "end on the date of your own milestone, mine['end_event'].",
            "parts": [_num("years_from_1981_proposal", unit="years", low=0, high=50, abs_tol=0.02)],
            "misconceptions": [
                {
                    "code": "years_from_1981_proposal = float(years_between_used("
                    "'dea-proposal-1981-mar', mine['end_event']))",
                    "hint": "You started from the March date, which rests on a secondary web "
                    "compilation. Which 1981 claim was read in the Federal Register itself?",
                },
                {
                    "code": "years_from_1981_proposal = float("
                    "dated.set_index('event_id').loc[mine['end_event'], 'year'] - 1981)",
                    "hint": "You subtracted the years only. Both dates are known more precisely: "
                    "use years_between_used on the two rows.",
                },
            ],
        },
        "q6_tests": {
            "title": "Exercise 6: where do the secondary sources of regulation sit?",
            "section": "section 1, The timeline dataset",
            "hint": "Keep the regulation rows; decade = year // 10 * 10; group by decade and "
            "source_type (as text) and count rows with .size().reset_index(name='n_rows').",
            "parts": [
                {
                    "name": "regulation_sources",
                    "kind": "table_mapping",
                    "columns": ["decade", "source_type", "n_rows"],
                    "keys": [["decade", "int"], ["source_type", "str"]],
                    "value": "n_rows",
                    "integer": True,
                    "drop_zero": True,
                },
                {
                    "name": "fig_regulation_sources",
                    "kind": "figure",
                    "min_bars_from": "regulation_sources",
                },
            ],
            "misconceptions": [
                {
                    "code": "regulation_sources = regulation_sources.assign("
                    "decade=regulation_sources['decade'] // 10)",
                    "hint": "Your decades look like 198 rather than 1980: after // 10, multiply "
                    "by 10 again.",
                },
                {
                    "code": "_r = timeline[timeline['category'] == 'regulation']\n"
                    "_k = _r['claim_group'].fillna(_r['event_id'])\n"
                    "regulation_sources = (_r.assign(key=_k, "
                    "decade=(_r['year'] // 10 * 10).astype(int), "
                    "source_type=_r['source_type'].astype(str))"
                    ".drop_duplicates('key').groupby(['decade', 'source_type']).size()"
                    ".reset_index(name='n_rows'))",
                    "hint": "You counted events (each claim group once). Here every row is a "
                    "claim with its own source: count rows.",
                },
            ],
        },
        "q7_tests": {
            "title": "Exercise 7: source criticism across the disputed dates",
            "section": "section 2, From phencyclidine to CI-581 (the four questions), with "
            "sections 3 to 6",
            "hint": "Check A, B, C, D and G with a short computation on the timeline; judge E "
            "and F with the four questions (what exactly does each source date?).",
            "parts": [{"name": "supported_statements", "kind": "text_list", "ordered": False}],
            "misconceptions": [
                {
                    "code": "supported_statements = sorted(supported_statements + ['E'])",
                    "hint": "Statement E assumes the three rows date the same thing. Read what "
                    "each US approval claim dates (section 3).",
                },
                {
                    "code": "supported_statements = sorted(supported_statements + ['A'])",
                    "hint": "Statement A fails for one claim group: check the source_type of "
                    "every row in each group.",
                },
                {
                    "code": "supported_statements = sorted(supported_statements + ['D'])",
                    "hint": "Statement D: look up the source_type of the Vietnam row in "
                    "timeline before you accept it.",
                },
                {
                    "code": "supported_statements = [s for s in supported_statements if s != 'G']",
                    "hint": "Count the secondary rows among all the rows that have a claim_group "
                    "before you rule out statement G.",
                },
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
            "title": "Exercise 2: your dose as a slower infusion, in µM",
            "section": "section 3, Bolus versus infusion",
            "hint": "Simulate your own infusion (mine['dose_mg_per_kg'] over mine['duration_min']), "
            "take its highest concentration and convert ng/mL to µM with the molar mass of the base.",
            "parts": [_num("cmax_infusion_um", unit="µM", low=0, rel=2e-3)],
            "misconceptions": [
                {
                    "code": "cmax_infusion_um = cmax_infusion_um * pk.MOLAR_MASS_G_PER_MOL",
                    "hint": "That is in ng/mL. Divide by the molar mass (g/mol): ng/mL per g/mol "
                    "is nmol/mL, which is µM.",
                },
                {
                    "code": "cmax_infusion_um = pk.summary(pk.simulate(pk.Regimen('iv_infusion', "
                    "mine['dose_mg_per_kg'], 70.0, duration_min=40.0), t_end_min=480.0, "
                    "dt_min=0.5))['cmax_ng_per_ml'] * 40 / mine['duration_min'] "
                    "/ pk.MOLAR_MASS_G_PER_MOL",
                    "hint": "The peak does not fall in proportion to the infusion rate: "
                    "distribution and elimination run during the infusion. Simulate your "
                    "longer infusion itself.",
                },
                {
                    "code": "cmax_infusion_um = pk.summary(pk.simulate(pk.Regimen('iv_infusion', "
                    "mine['dose_mg_per_kg'], 70.0, duration_min=40.0), t_end_min=480.0, "
                    "dt_min=0.5))['cmax_ng_per_ml'] / pk.MOLAR_MASS_G_PER_MOL",
                    "hint": "That is the peak of your dose over 40 minutes, as in Figure 2; this "
                    "question spreads it over your own, longer duration (mine['duration_min']).",
                },
                {
                    "code": "cmax_infusion_um = pk.summary(pk.simulate(pk.Regimen('iv_infusion', "
                    "0.5, 70.0, duration_min=mine['duration_min']), t_end_min=480.0, "
                    "dt_min=0.5))['cmax_ng_per_ml'] / pk.MOLAR_MASS_G_PER_MOL",
                    "hint": "That is 0.5 mg/kg, the dose of Figure 2: use your own dose, "
                    "mine['dose_mg_per_kg'].",
                },
                {
                    "code": "cmax_infusion_um = cmax_infusion_um * pk.MOLAR_MASS_G_PER_MOL / 274.19",
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
            "title": "Exercise 4: your own person's oral bioavailability from samples",
            "section": "section 4, Exposure from samples (clearance and bioavailability)",
            "hint": "Same dose per kg by both routes: F = AUC of my_oral / AUC of my_iv, both "
            "over the sampled 12 h, as a fraction.",
            "parts": [_num("f_oral_estimate", unit="fraction", low=0, rel=2e-3)],
            "misconceptions": [
                {
                    "code": "f_oral_estimate = f_oral_estimate * 100",
                    "hint": "A fraction, please, not a percentage (between 0 and 1).",
                },
                {
                    "code": "f_oral_estimate = float(my_oral['plasma_ng_per_ml'].max() / "
                    "my_iv['plasma_ng_per_ml'].max())",
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
                    "your person's F from their two sets of samples.",
                },
                {
                    "code": "f_oral_estimate = auc_trapezoid_ng_h_per_ml(adult_oral['time_min'], "
                    "adult_oral['plasma_ng_per_ml']) / auc_trapezoid_ng_h_per_ml("
                    "adult_iv['time_min'], adult_iv['plasma_ng_per_ml'])",
                    "hint": "Right method, wrong person: adult_iv and adult_oral belong to the "
                    "worked example of section 4. Use your own person's samples, my_iv and "
                    "my_oral.",
                },
                {
                    "code": "f_oral_estimate = pk.simulated_crossover(mine['seed'])[2]",
                    "hint": "That is the F the simulation drew, which no study knows. The exercise "
                    "asks for the estimate from your person's samples (AUC ratio over 12 h).",
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
                        {"args": [-65.0], "out": {"kind": "number", "rel": 1e-6}},
                        {"args": [-30.0], "out": {"kind": "number", "rel": 1e-6}},
                        {"args": [10.0], "out": {"kind": "number", "rel": 1e-6}},
                        {
                            "args": [[-90.0, -45.0, 0.0, 30.0], 1.5],
                            "array_args": [0],
                            "out": {"kind": "array", "shape": [4], "rel": 1e-6},
                        },
                        {"args": [-100.0, 0.0], "out": {"kind": "number", "rel": 1e-12}},
                    ],
                }
            ],
            "misconceptions": [
                {
                    "code": "def b_of_v(voltage_mv, mg_mm=1.0):\n"
                    "    v = np.asarray(voltage_mv, dtype=float)\n"
                    "    return 1.0 / (1.0 + (mg_mm / 3.57) * np.exp(0.062 * v))",
                    "hint": "Sign of the exponent: your B grows as the voltage gets more "
                    "negative. Block must be strongest at negative potentials (reread the primer), "
                    "so the exponent is -0.062 times V.",
                },
                {
                    "code": "def b_of_v(voltage_mv, mg_mm=1.0):\n"
                    "    v = np.asarray(voltage_mv, dtype=float)\n"
                    "    return 1.0 - 1.0 / (1.0 + (mg_mm / 3.57) * np.exp(-0.062 * v))",
                    "hint": "Your function returns the fraction blocked. B(V) is the fraction NOT "
                    "blocked (available): 1 / (1 + ...), without the 1 minus.",
                },
                {
                    "code": "def b_of_v(voltage_mv, mg_mm=1.0):\n"
                    "    v = np.asarray(voltage_mv, dtype=float) / 1000\n"
                    "    return 1.0 / (1.0 + (mg_mm / 3.57) * np.exp(-0.062 * v))",
                    "hint": "mV versus V: the slope 0.062 is per millivolt, so keep the voltage in "
                    "mV; converting to volts makes B almost independent of voltage.",
                },
                {
                    "code": "def b_of_v(voltage_mv, mg_mm=1.0):\n"
                    "    v = np.asarray(voltage_mv, dtype=float)\n"
                    "    return 1.0 / (1.0 + (1.0 / 3.57) * np.exp(-0.062 * v))",
                    "hint": "Your function ignores mg_mm (it always uses 1 mM): put the mg_mm "
                    "argument into the equation.",
                },
            ],
        },
        "q2_tests": {
            "title": "Exercise 2: the membrane potential of your Mg2+ block",
            "section": "section 2, The Mg²⁺ block: B(V)",
            "hint": "Decide which B your blocked percentage means, then solve the equation for V "
            "as in the worked example, with your own Mg²⁺, the natural logarithm, in mV.",
            "parts": [_num("v_block_mv", unit="mV", low=-150, high=100, abs_tol=0.05)],
            "misconceptions": [
                {
                    "code": "v_block_mv = -np.log((1 / (mine['blocked_pct'] / 100) - 1) * 3.57 "
                    "/ mine['mg_mm']) / 0.062",
                    "hint": "Fraction blocked versus fraction unblocked: B(V) is the share NOT "
                    "blocked, so a blocked percentage p means B = 1 - p/100.",
                },
                {
                    "code": "v_block_mv = -np.log10((100 / (100 - mine['blocked_pct']) - 1) * 3.57 "
                    "/ mine['mg_mm']) / 0.062",
                    "hint": "ln versus log10: the equation is written with e, so undo it with the "
                    "natural logarithm (np.log), not log10.",
                },
                {
                    "code": "v_block_mv = np.log((100 / (100 - mine['blocked_pct']) - 1) * 3.57 "
                    "/ mine['mg_mm']) / 0.062",
                    "hint": "Check the sign of the voltage: strong block happens at negative "
                    "membrane potentials.",
                },
                {
                    "code": "v_block_mv = -np.log((100 / (100 - mine['blocked_pct']) - 1) * 3.57 "
                    "/ 1.0) / 0.062",
                    "hint": "Your bath does not have the worked example's 1 mM Mg²⁺: use your own "
                    "concentration, mine['mg_mm'].",
                },
                {
                    "code": "v_block_mv = v_block_mv / 1000",
                    "hint": "mV versus V: the answer is asked in millivolts, the unit the equation "
                    "uses.",
                },
            ],
        },
        "q3_tests": {
            "title": "Exercise 3: block at the awakening concentration (racemic)",
            "section": "section 3, From concentration to block: Ki and the enantiomers",
            "hint": "Row awakening of concentration_bands, in µM; the racemic (derived) Ki; then "
            "c / (c + Ki).",
            "parts": [_num("awakening_block", unit="fraction", low=0, high=1, rel=1e-3)],
            "misconceptions": [
                {
                    "code": "ng = bands.loc['awakening', 'conc_ng_per_ml']\n"
                    "awakening_block = ng / (ng + receptor.get_preset('racemic').ki_um)",
                    "hint": "ng/mL versus µM: the Ki is in µM, so the concentration must be in µM "
                    "too (divide ng/mL by the molar mass of the base, or use the µM column).",
                },
                {
                    "code": "salt_um = bands.loc['awakening', 'conc_ng_per_ml'] / 274.19\n"
                    "awakening_block = salt_um / (salt_um + receptor.get_preset('racemic').ki_um)",
                    "hint": "Molar mass: plasma concentrations are of ketamine base (237.73 g/mol), "
                    "not of the hydrochloride salt.",
                },
                {
                    "code": "awakening_block = 1 - awakening_block",
                    "hint": "That is the fraction of receptors left free; the question asks for "
                    "the fraction blocked, c / (c + Ki).",
                },
                {
                    "code": "awakening_block = awake_um / (awake_um + 0.3)",
                    "hint": "Wrong Ki: the patients received racemic ketamine, not (S)-ketamine. "
                    "Use the racemic preset.",
                },
                {
                    "code": "awakening_block = 0.5 * (awake_um / 2 / (awake_um / 2 + 0.3) "
                    "+ awake_um / 2 / (awake_um / 2 + 1.4))",
                    "hint": "Competing enantiomers do not average their separate occupancies: they "
                    "share one site, which is what the mixture Ki of section 3 accounts for.",
                },
            ],
        },
        "q4_tests": {
            "title": "Exercise 4: Mg2+ and your blocker together",
            "section": "section 3, From concentration to block: Ki and the enantiomers",
            "hint": "B(V) at this voltage and Mg²⁺, times the fraction of receptors your blocker "
            "leaves free (your row's concentration in µM, your compound's Ki).",
            "parts": [_num("g_available", unit="fraction", low=0, high=1, rel=1e-3)],
            "misconceptions": [
                {
                    "code": "g_available = float(receptor.mg_block(-35.0, 1.2)) * drug_block",
                    "hint": "Fraction blocked versus fraction free: you multiplied by the share of "
                    "receptors the drug blocks; the available conductance needs 1 - f.",
                },
                {
                    "code": "g_available = float(receptor.mg_block(-35.0, 1.0)) * (1 - drug_block)",
                    "hint": "Use this bath's Mg²⁺ concentration, not the 1 mM of the worked "
                    "example.",
                },
                {
                    "code": "g_available = float(receptor.mg_block(35.0, 1.2)) * (1 - drug_block)",
                    "hint": "Sign of the voltage: the neuron is held at a negative potential.",
                },
                {
                    "code": "_other = {'s_ketamine': 'racemic', 'r_ketamine': 'racemic', "
                    "'racemic': 's_ketamine'}[mine['blocker']]\n"
                    "_c = bands.loc[mine['band_id'], 'conc_um']\n"
                    "g_available = float(receptor.mg_block(-35.0, 1.2)) * (1 - _c / (_c + "
                    "receptor.get_preset(_other).ki_um))",
                    "hint": "Wrong Ki: take the preset named in mine['blocker']. The racemate's Ki "
                    "is the derived mixture value, neither enantiomer's.",
                },
                {
                    "code": "_ng = bands.loc[mine['band_id'], 'conc_ng_per_ml']\n"
                    "g_available = float(receptor.mg_block(-35.0, 1.2)) * (1 - _ng / (_ng + "
                    "receptor.get_preset(mine['blocker']).ki_um))",
                    "hint": "ng/mL versus µM: the Ki is in µM, so the concentration must be in µM "
                    "too (column conc_um).",
                },
                {
                    "code": "g_available = (1 - float(receptor.mg_block(-35.0, 1.2))) * "
                    "(1 - drug_block)",
                    "hint": "B(V) is already the fraction not blocked by Mg²⁺; do not take 1 - B.",
                },
            ],
        },
        "q5_tests": {
            "title": "Exercise 5: a low-activity trapping experiment",
            "section": "section 4, Use-dependent block and trapping",
            "hint": "Block at 100 s divided by block at 10 s; then test every statement with its "
            "own simulation.",
            "parts": [
                _num("kept_fraction", unit="fraction", low=0, high=1, abs_tol=0.005),
                {"name": "supported", "kind": "text_list", "ordered": False},
            ],
            "misconceptions": [
                {
                    "code": "kept_fraction = float(block_at[100.0])",
                    "hint": "That is the block itself at the end of step 2. The question asks for "
                    "the share of the step-1 block that is kept: a ratio.",
                },
                {
                    "code": "kept_fraction = 1 - kept_fraction",
                    "hint": "That is the share of the block that escaped during washout; the "
                    "question asks for the share still present.",
                },
                {
                    "code": "kept_fraction = float(block_at[102.0] / block_at[10.0])",
                    "hint": "Read the end of step 2 (100 s), before the agonist reopens the "
                    "channels in step 3.",
                },
                {
                    "code": "supported = ['B', 'D', 'E']",
                    "hint": "Statement E: the agonist is there for only the first 3 s of step 2. "
                    "Simulate exactly that protocol rather than judging from a whole washout with "
                    "agonist.",
                },
                {
                    "code": "supported = ['A', 'B', 'D']",
                    "hint": "Statement A: with weak agonist activity, channels open rarely. "
                    "Compare the block at 10 s with c / (c + Kd).",
                },
            ],
        },
        "q6_tests": {
            "title": "Exercise 6: the circuit at a dissociative concentration",
            "section": "section 5, From receptors to a circuit: two hypotheses",
            "hint": "Lower end of the dissociation range in µM, racemic Ki, rate_e_rel in the "
            "disinhibition scenario; test each statement with circuit.respond.",
            "parts": [
                _num("rate_e_rel_dissociation", unit="ratio", low=0, high=20, rel=1e-3),
                {"name": "circuit_supported", "kind": "text_list", "ordered": False},
            ],
            "misconceptions": [
                {
                    "code": "c = bands.loc['dissociation', 'conc_low_um']\n"
                    "rate_e_rel_dissociation = float(circuit.respond(c / (c + 0.3))"
                    "['rate_e_rel'].iloc[0])",
                    "hint": "Wrong Ki: the infusion was racemic ketamine; use the racemic preset, "
                    "not (S)-ketamine's.",
                },
                {
                    "code": "c = bands.loc['dissociation', 'conc_low_ng_per_ml']\n"
                    "rate_e_rel_dissociation = float(circuit.respond(racemic_block(c))"
                    "['rate_e_rel'].iloc[0])",
                    "hint": "ng/mL versus µM: the Ki is in µM, so use the µM column of the "
                    "dataset.",
                },
                {
                    "code": "c = bands.loc['dissociation', 'conc_high_um']\n"
                    "rate_e_rel_dissociation = float(circuit.respond(racemic_block(c))"
                    "['rate_e_rel'].iloc[0])",
                    "hint": "The exercise asks for the lower end of the range, not the upper.",
                },
                {
                    "code": "rate_e_rel_dissociation = float(row['rate_i_rel'])",
                    "hint": "That is the interneuron rate; the question asks for the pyramidal "
                    "(E) rate.",
                },
                {
                    "code": "circuit_supported = ['A', 'B', 'C', 'D']",
                    "hint": "Statement C: the drive of block_at_rest is the share of resting "
                    "receptors blocked at your concentration. Compute it from the racemic Ki "
                    "rather than estimating it.",
                },
                {
                    "code": "circuit_supported = ['B']",
                    "hint": "Statements A and D ask about pyramidal share 1, not the default share "
                    "of Figure 2: rerun circuit.respond with CircuitParams(selectivity_e=1.0).",
                },
            ],
        },
    },
    "04-reading-trials": {
        "q1_tests": {
            "title": "Exercise 1: response by intention to treat (simulated)",
            "section": 'section 2, Scales and definitions ("Who counts")',
            "hint": "Work on your own simulated trial, ipd_mine. Everyone randomised in each "
            "arm's denominator; a dropout counts as not responding.",
            "parts": [
                {
                    "name": "itt_response_rate",
                    "kind": "mapping",
                    "unit": "proportion",
                    "low": 0,
                    "high": 1,
                    "abs_tol": 1e-9,
                    "allowed_keys": ["control", "treatment"],
                }
            ],
            "misconceptions": [
                {
                    "code": "itt_response_rate = responded[finished].groupby("
                    "ipd_mine['arm'][finished], observed=True).mean()",
                    "hint": "You divided by the completers only. By "
                    "intention to treat, everyone randomised stays in the denominator and people "
                    "who left count as non-responders.",
                },
                {
                    "code": "_rem = pd.Series(False, index=ipd_mine.index)\n"
                    "_rem[finished] = trials.remission(ipd_mine.loc[finished, 'followup_madrs'])\n"
                    "itt_response_rate = _rem.groupby(ipd_mine['arm'], observed=True).mean()",
                    "hint": "That is remission (a low final score), not response (a fall of at "
                    "least half from the person's own baseline).",
                },
                {
                    "code": "itt_response_rate = {'control': itt_response_rate['treatment'], "
                    "'treatment': itt_response_rate['control']}",
                    "hint": "The two rates are attached to the wrong arms: group by the arm "
                    "column and keep its labels.",
                },
                {
                    "code": "_done = ~ipd_dropout['dropped_out'].astype(bool)\n"
                    "_resp = pd.Series(False, index=ipd_dropout.index)\n"
                    "_resp[_done] = trials.response(ipd_dropout.loc[_done, 'baseline_madrs'], "
                    "ipd_dropout.loc[_done, 'followup_madrs'])\n"
                    "itt_response_rate = _resp.groupby(ipd_dropout['arm'], observed=True).mean()",
                    "hint": "You analysed ipd_dropout, section 2's example trial. The exercise "
                    "is about your own simulated trial, ipd_mine (made with your seed).",
                },
            ],
        },
        "q2_tests": {
            "title": "Exercise 2: build a risk difference with its 95% interval",
            "section": 'section 3, Absolute and relative effects ("Computing them")',
            "hint": "Risks as proportions, treatment minus control; SE adds p(1-p)/n of each arm; "
            "limits at 1.96 SE either side.",
            "parts": [
                {
                    "name": "rd_with_ci",
                    "kind": "function",
                    "unit": "proportion",
                    "calls": [
                        {
                            "args": [63, 68, 2, 39],
                            "out": {"kind": "array", "shape": [3], "rel": 1e-3, "abs_tol": 1e-4},
                        },
                        {
                            "args": [5, 15, 59, 129],
                            "out": {"kind": "array", "shape": [3], "rel": 1e-3, "abs_tol": 1e-4},
                        },
                        {
                            "args": [34, 42, 54, 56],
                            "out": {"kind": "array", "shape": [3], "rel": 1e-3, "abs_tol": 1e-4},
                        },
                        {
                            "args": [22, 115, 33, 58],
                            "out": {"kind": "array", "shape": [3], "rel": 1e-3, "abs_tol": 1e-4},
                        },
                    ],
                }
            ],
            "misconceptions": [
                {
                    "code": "def rd_with_ci(events_t, n_t, events_c, n_c):\n"
                    "    p_t, p_c = 100 * events_t / n_t, 100 * events_c / n_c\n"
                    "    se = np.sqrt(p_t * (100 - p_t) / n_t + p_c * (100 - p_c) / n_c)\n"
                    "    return p_t - p_c, p_t - p_c - 1.96 * se, p_t - p_c + 1.96 * se",
                    "hint": "Your function works in percentage points. Return proportions "
                    "(a risk difference between -1 and 1), as the rest of the notebook uses.",
                },
                {
                    "code": "def rd_with_ci(events_t, n_t, events_c, n_c):\n"
                    "    p_t, p_c = events_t / n_t, events_c / n_c\n"
                    "    se = np.sqrt(p_t * (1 - p_t) / n_t + p_c * (1 - p_c) / n_c)\n"
                    "    return p_c - p_t, p_c - p_t - 1.96 * se, p_c - p_t + 1.96 * se",
                    "hint": "You subtracted the wrong way round: the course's convention is "
                    "treatment minus control.",
                },
                {
                    "code": "def rd_with_ci(events_t, n_t, events_c, n_c):\n"
                    "    p_t, p_c = events_t / n_t, events_c / n_c\n"
                    "    se = np.sqrt(p_t * (1 - p_t) + p_c * (1 - p_c))\n"
                    "    return p_t - p_c, p_t - p_c - 1.96 * se, p_t - p_c + 1.96 * se",
                    "hint": "Your interval is far too wide: sqrt(p(1-p)) is the spread of one "
                    "person's outcome (an SD). The uncertainty of a proportion (its SE) divides "
                    "p(1-p) by the arm's size first.",
                },
            ],
        },
        "q3_tests": {
            "title": "Exercise 3: NNT with its interval, SUSTAIN-1 stable responders",
            "section": "section 3, Absolute and relative effects (NNT and its interval)",
            "hint": "RD of relapse as a proportion; NNT = 1 / |RD| rounded up; the interval "
            "inverts each limit of the RD's interval.",
            "parts": [
                _num("nnt_responders", unit="people", low=1, whole=True, integer=True),
                {
                    "name": "nnt_responders_ci",
                    "kind": "array",
                    "shape": [2],
                    "unit": "people",
                    "low": 1,
                    "rel": 1e-3,
                },
            ],
            "misconceptions": [
                {
                    "code": "nnt_responders = int(np.floor(1 / abs(rd_r)))",
                    "hint": "You rounded the NNT down. Round it up: with the fraction dropped, "
                    "treating that many people would not be enough to prevent one relapse.",
                },
                {
                    "code": "_rr = (row['events_treatment'] / row['n_treatment']) / "
                    "(row['events_control'] / row['n_control'])\n"
                    "nnt_responders = int(np.ceil(1 / (1 - _rr)))",
                    "hint": "You inverted the relative risk reduction. The NNT inverts the "
                    "absolute difference in risk (the risk difference).",
                },
                {
                    "code": "nnt_responders_ci = (nnt_responders_ci[1], nnt_responders_ci[0])",
                    "hint": "Give the interval low end first: the RD limit farthest from zero "
                    "(the larger benefit) gives the smaller NNT.",
                },
                {
                    "code": "_w = pub.set_index('row_id').loc['sustain1_relapse_hr_remitters']\n"
                    "_rd, _lo, _hi = rd_with_ci_used(int(_w['events_treatment']), "
                    "int(_w['n_treatment']), int(_w['events_control']), int(_w['n_control']))\n"
                    "nnt_responders = int(np.ceil(1 / abs(_rd)))\n"
                    "nnt_responders_ci = (1 / abs(_lo), 1 / abs(_hi))",
                    "hint": "Those are the stable remitters of the worked example. This exercise "
                    "is about SUSTAIN-1's stable responders: use their row.",
                },
            ],
        },
        "q4_tests": {
            "title": "Exercise 4: an NNT interval through infinity (Lii 2023)",
            "section": 'section 3, Absolute and relative effects ("The NNT\'s interval")',
            "hint": "Response is wanted: the positive limit of the RD is the benefit end, the "
            "negative limit the harm end; invert the size of each.",
            "parts": [
                _num("nnt_lii", unit="people", low=1, rel=1e-3),
                _num("nntb_end_lii", unit="people", low=1, rel=1e-3),
                _num("nnth_end_lii", unit="people", low=1, rel=1e-3),
            ],
            "misconceptions": [
                {
                    "code": "nntb_end_lii, nnth_end_lii = nnth_end_lii, nntb_end_lii",
                    "hint": "The two ends are swapped. For a wanted outcome the NNTB end comes "
                    "from the limit that shows benefit, the NNTH end from the limit that shows "
                    "harm.",
                },
                {
                    "code": "nntb_end_lii, nnth_end_lii = float(np.ceil(nntb_end_lii)), "
                    "float(np.ceil(nnth_end_lii))",
                    "hint": "Leave the ends of the interval unrounded: only an NNT reported on "
                    "its own is rounded up to a whole person.",
                },
                {
                    "code": "_e = trials.risk_difference(int(trt['events_treatment']), "
                    "int(trt['n_treatment']), int(ctl['events_control']), int(ctl['n_control']), "
                    "method='newcombe')\n"
                    "nntb_end_lii, nnth_end_lii = 1 / _e.ci_high, 1 / abs(_e.ci_low)",
                    "hint": "That is Newcombe's interval. This exercise asks for the Wald "
                    "interval that your rd_with_ci (rd_with_ci_used) computes.",
                },
            ],
        },
        "q5_tests": {
            "title": "Exercise 5: how big would the next trial have to be?",
            "section": 'section 5, Placebo response ("How many people? Power and sample size")',
            "hint": "SE of a difference = SD x sqrt(1/n_t + 1/n_c); then d = the target "
            "difference / SD, 80% power, two-sided 0.05; trials.sample_size_two_sample gives the "
            "number per arm (t test, rounded up).",
            "parts": [
                _num("sd_change_transform2", unit="MADRS points", low=0, high=60, rel=1e-3),
                _num(
                    "n_per_arm_new",
                    unit="participants per arm",
                    low=2,
                    whole=True,
                    abs_tol=1,  # the normal approximation gives one or two fewer than the t test
                ),
            ],
            "misconceptions": [
                {
                    "code": "sd_change_transform2 = row['se']\n"
                    "n_per_arm_new = trials.sample_size_two_sample(3.5 / row['se'])",
                    "hint": "You used the standard error of the difference as if it were the SD "
                    "between people. The SE shrinks as the trial grows; the SD does not.",
                },
                {
                    "code": "n_per_arm_new = 2 * n_per_arm_new",
                    "hint": "That is both arms together. The question (and the power formula) "
                    "counts participants per arm.",
                },
                {
                    "code": "n_per_arm_new = trials.sample_size_two_sample("
                    "abs(row['estimate']) / sd_change_transform2)",
                    "hint": "You planned for TRANSFORM-2's own estimate. The new team wants to "
                    "detect the difference the question gives.",
                },
                {
                    "code": "sd_change_transform2 = row['se'] * np.sqrt(row['n_treatment'])",
                    "hint": "The SE of a difference has uncertainty from both arms: use "
                    "1/n_t + 1/n_c under the square root.",
                },
            ],
        },
        "q6_tests": {
            "title": "Exercise 6: predict the unblinding bias, then check it",
            "section": 'section 5, Placebo response ("How big is the unblinding bias?")',
            "hint": "Bias = expectancy effect x (P(guess active | drug) - P(guess active | "
            "control)); the simulation needs every setting, including the mimicry and the seed.",
            "parts": [
                _num("expected_bias_points", unit="MADRS points", low=-3.5, high=3.5, abs_tol=1e-6),
                _num("mean_estimate_points", unit="MADRS points", low=-30, high=30, abs_tol=1e-6),
            ],
            "misconceptions": [
                {
                    "code": "expected_bias_points = -3.5 * 0.7",
                    "hint": "You left out the active placebo: its mimicry makes some people on "
                    "the control arm guess 'active' too, which narrows the gap.",
                },
                {
                    "code": "expected_bias_points = -3.5 * (1 - 0.4)",
                    "hint": "Unblinding here is partial: with u below 1, fewer people on the "
                    "drug guess right. Put u into both arms' probabilities.",
                },
                {
                    "code": "expected_bias_points = -expected_bias_points",
                    "hint": "Check the sign: believing you had the drug lowers (improves) the "
                    "score, so the bias points the same way as the expectancy effect.",
                },
                {
                    "code": "mean_estimate_points = float(trials.simulate_trials(n_trials=2000, "
                    "n_per_arm=50, seed=11, true_effect_points=-2.5, unblinding=0.7, "
                    "expectancy_points=-3.5).estimate.mean())",
                    "hint": "Your simulation left out the active placebo (active_placebo_mimicry).",
                },
            ],
        },
        "q7_tests": {
            "title": "Exercise 7: odds ratio or risk ratio?",
            "section": 'section 3, Absolute and relative effects ("Computing them")',
            "hint": "Read the two rates of your own rows, mine['treatment_row'] and "
            "mine['control_row']; risk ratio = p_t / p_c; odds = p / (1 - p) in each arm; "
            "treatment over control.",
            "parts": [
                _num("rr_mine", unit="ratio", low=0, high=100, rel=1e-4),
                _num("or_mine", unit="ratio", low=0, high=100, rel=1e-4),
            ],
            "misconceptions": [
                {
                    "code": "or_mine = rr_mine",
                    "hint": "Odds are not risks: the odds of an event are p / (1 - p). When the "
                    "outcome is common in either arm, the two ratios differ noticeably.",
                },
                {
                    "code": "rr_mine, or_mine = 1 / rr_mine, 1 / or_mine",
                    "hint": "You divided the control arm by the treatment arm. The treatment "
                    "arm goes on top.",
                },
                {
                    "code": "_p = pub.set_index('row_id')['estimate']\n"
                    "rr_mine = _p[mine['treatment_row']] - _p[mine['control_row']]",
                    "hint": "Your risk ratio is a difference of the two rates (the risk "
                    "difference, an absolute measure). A ratio divides the treatment arm's rate "
                    "by the control arm's.",
                },
            ],
        },
    },
    "05-evidence-synthesis": {
        "q1_tests": {
            "title": "Exercise 1: a standard error for a hazard ratio",
            "section": "section 1, From a published confidence interval to a standard error",
            "hint": "A ratio's CI is symmetric on the natural-log scale: SE = (ln upper - ln "
            "lower) / (2 x 1.96).",
            "parts": [_num("se_log_hr_responders", unit="ln(HR)", low=0, rel=1e-3)],
            "misconceptions": [
                {
                    "code": "se_log_hr_responders = (_s1['ci_high'] - _s1['ci_low']) "
                    "/ (2 * 1.959964)",
                    "hint": "This is a spread on the hazard-ratio scale, where the interval is "
                    "not symmetric. Pooling happens on the log scale: take natural logs of both "
                    "CI limits first (section 1).",
                },
                {
                    "code": "se_log_hr_responders = (math.log10(_s1['ci_high']) "
                    "- math.log10(_s1['ci_low'])) / (2 * 1.959964)",
                    "hint": "You used base-10 logarithms. Log ratios in meta-analysis are natural "
                    "logs (math.log or np.log).",
                },
                {
                    "code": "se_log_hr_responders = (math.log(_s1['ci_high']) "
                    "- math.log(_s1['ci_low'])) / 1.959964",
                    "hint": "The interval reaches 1.96 SE on *each* side of the estimate, so its "
                    "full width is 2 x 1.96 SE.",
                },
            ],
        },
        "q2_tests": {
            "title": "Exercise 2: a fixed-effect pool of remission",
            "section": "section 2, Pooling by inverse variance",
            "hint": "Your rows are mine['rows']; SE from each CI; weights 1/SE²; pooled value "
            "sum(w*y)/sum(w); its SE 1/sqrt(sum(w)).",
            "parts": [
                _num("fe_remission_rd", unit="proportion", low=-1, high=1, rel=1e-3),
                _num("fe_remission_se", unit="proportion", low=0, high=1, rel=1e-3),
            ],
            "misconceptions": [
                {
                    "code": "fe_remission_rd = float(np.mean(_y))",
                    "hint": "That is a plain average of your trials. In a fixed-effect pool "
                    "each trial counts with its precision, weight 1/SE² (section 2).",
                },
                {
                    "code": "fe_remission_rd = float(np.sum(_y / _se) / np.sum(1 / _se))",
                    "hint": "Your weights are 1/SE. Inverse-variance weights are 1/variance, "
                    "that is 1/SE².",
                },
                {
                    "code": "fe_remission_se = float(1 / np.sum(_w))",
                    "hint": "1/sum(w) is the pooled *variance*; the standard error is its "
                    "square root.",
                },
            ],
        },
        "q3_tests": {
            "title": "Exercise 3: the DerSimonian–Laird estimator",
            "section": "section 3, When trials disagree",
            "hint": "w = 1/v; Q = sum w (y - mu_fe)²; tau² = max(0, (Q - (k - 1)) / (sum w - "
            "sum w² / sum w)).",
            "parts": [
                {
                    "name": "tau2_dl",
                    "kind": "function",
                    "unit": "squared effect units",
                    "calls": [
                        {
                            "args": [[1.0, 3.0], [1.0, 1.0]],
                            "array_args": [0, 1],
                            "out": {"kind": "number", "rel": 1e-6},
                        },
                        {
                            "args": [[0.0, 1.0, 3.0], [0.5, 1.0, 2.0]],
                            "array_args": [0, 1],
                            "out": {"kind": "number", "rel": 1e-6},
                        },
                        {
                            "args": [[-3.2, -4.0, -3.6], [3.4, 2.9, 3.5]],
                            "array_args": [0, 1],
                            "out": {"kind": "number", "rel": 1e-6, "abs_tol": 1e-9},
                        },
                    ],
                }
            ],
            "misconceptions": [
                {
                    "code": _TAU2_WRONG.format(
                        w="1 / v",
                        df="k - 1",
                        den="np.sum(w) - np.sum(w**2) / np.sum(w)",
                        t="(q - df) / den",
                    ),
                    "hint": "When studies agree better than chance, Q < k - 1 and your estimate "
                    "turns negative. tau² is a variance: truncate it at 0 (the max in section 3).",
                },
                {
                    "code": _TAU2_WRONG.format(
                        w="1 / v",
                        df="k",
                        den="np.sum(w) - np.sum(w**2) / np.sum(w)",
                        t="max(0.0, (q - df) / den)",
                    ),
                    "hint": "Chance alone makes Q about k - 1 (its degrees of freedom), not k: "
                    "one degree of freedom is used by the fixed-effect estimate.",
                },
                {
                    "code": _TAU2_WRONG.format(
                        w="1 / v", df="k - 1", den="np.sum(w)", t="max(0.0, (q - df) / den)"
                    ),
                    "hint": "The denominator of the DL formula is sum(w) - sum(w²)/sum(w), not "
                    "sum(w) alone.",
                },
                {
                    "code": _TAU2_WRONG.format(
                        w="1 / np.sqrt(v)",
                        df="k - 1",
                        den="np.sum(w) - np.sum(w**2) / np.sum(w)",
                        t="max(0.0, (q - df) / den)",
                    ),
                    "hint": "The arguments are variances; your weights are 1/SE. Fixed-effect "
                    "weights are 1/variance.",
                },
            ],
        },
        "q4_tests": {
            "title": "Exercise 4: Q and I² within a subgroup",
            "section": "section 3, When trials disagree",
            "hint": "Keep ablat < 40; Q = sum w (y - fixed-effect estimate)² on the log scale; "
            "I² = (Q - df)/Q x 100 with df = k - 1.",
            "parts": [
                _num("q_low_lat", low=0, rel=1e-4),
                _num("i2_low_lat_pct", unit="%", low=0, high=100, abs_tol=0.01),
            ],
            "misconceptions": [
                {
                    "code": "i2_low_lat_pct = i2_low_lat_pct / 100",
                    "hint": "That is I² as a fraction. The item asks for a percentage (0 to 100).",
                },
                {
                    "code": "i2_low_lat_pct = max(0.0, (q_low_lat - "
                    "int((bcg['ablat'] < 40).sum())) / q_low_lat) * 100",
                    "hint": "The degrees of freedom of Q are k - 1 (one is used by the pooled "
                    "estimate), not k.",
                },
                {
                    "code": "q_low_lat = float(q_bcg)",
                    "hint": "That is Q for all 13 trials. Keep only the trials with ablat < 40 "
                    "before computing the weights and Q.",
                },
                {
                    "code": "_rr = np.exp(y_bcg[(bcg['ablat'] < 40).to_numpy()]); "
                    "_wq = 1 / v_bcg[(bcg['ablat'] < 40).to_numpy()]; "
                    "q_low_lat = float(np.sum(_wq * (_rr - np.sum(_wq * _rr) / np.sum(_wq)) ** 2))",
                    "hint": "You computed Q on risk ratios. The variances belong to the log risk "
                    "ratios: work with y_bcg (logs), the scale the trials are pooled on.",
                },
            ],
        },
        "q5_tests": {
            "title": "Exercise 5: random-effects pool and prediction interval, by hand",
            "section": "section 3, When trials disagree",
            "hint": "Weights 1/(v + tau²); mu and SE = 1/sqrt(sum of weights); interval mu ± "
            "t(k - 2) sqrt(tau² + SE²); exp at the end.",
            "parts": [
                _num("re_rr_low_lat", unit="risk ratio", low=0, rel=1e-3),
                _num("pi_rr_low_lat_low", unit="risk ratio", low=0, rel=1e-3),
                _num("pi_rr_low_lat_high", unit="risk ratio", low=0, rel=1e-3),
            ],
            "misconceptions": [
                {
                    "code": "pi_rr_low_lat_low = float(np.exp(_mu - 1.959964 * np.sqrt(_t2 + "
                    "_se**2))); pi_rr_low_lat_high = float(np.exp(_mu + 1.959964 * "
                    "np.sqrt(_t2 + _se**2)))",
                    "hint": "You used the normal 1.96. With tau² estimated from few trials the "
                    "prediction interval uses a t distribution with k - 2 degrees of freedom.",
                },
                {
                    "code": "_h = stats.t.ppf(0.975, _y.size - 1) * np.sqrt(_t2 + _se**2); "
                    "pi_rr_low_lat_low = float(np.exp(_mu - _h)); "
                    "pi_rr_low_lat_high = float(np.exp(_mu + _h))",
                    "hint": "Check the degrees of freedom: the prediction interval's t has k - 2 "
                    "(tau² and the mean are both estimated), not k - 1.",
                },
                {
                    "code": "_h = stats.t.ppf(0.975, _y.size - 2) * _se; "
                    "pi_rr_low_lat_low = float(np.exp(_mu - _h)); "
                    "pi_rr_low_lat_high = float(np.exp(_mu + _h))",
                    "hint": "That interval is for the mean effect only. A prediction interval "
                    "for a new setting adds the between-study variance: sqrt(tau² + SE²).",
                },
                {
                    "code": "re_rr_low_lat = float(np.exp(np.sum(_y / _v) / np.sum(1 / _v)))",
                    "hint": "Your pooled value uses fixed-effect weights 1/v. Random-effects "
                    "weights are 1/(v + tau²).",
                },
            ],
        },
        "q6_tests": {
            "title": "Exercise 6: Egger's test in the subgroup",
            "section": "section 5, Small-study effects and publication bias",
            "hint": "Keep ablat < 40; regress y/SE on 1/SE with a constant (OLS); report "
            "the intercept and its two-sided p-value.",
            "parts": [
                _num("egger_intercept_low_lat", rel=1e-4),
                _num("egger_p_low_lat", low=0, high=1, rel=1e-4),
            ],
            "misconceptions": [
                {
                    "code": "egger_p_low_lat = egger_p_low_lat / 2",
                    "hint": "That is a one-sided p-value. Egger's test is two-sided: asymmetry "
                    "in either direction counts.",
                },
                {
                    "code": "egger_intercept_low_lat = float(_fit.params[1])",
                    "hint": "You reported the slope (the effect of an infinitely precise study). "
                    "The asymmetry is measured by the intercept.",
                },
                {
                    "code": "egger_intercept_low_lat = float(egger_fit.params[0]); "
                    "egger_p_low_lat = float(egger_fit.pvalues[0])",
                    "hint": "That is the test on all 13 trials. Keep only the trials with "
                    "ablat < 40 first.",
                },
                {
                    "code": "egger_intercept_low_lat = float(sm.OLS(y_bcg[_m], "
                    "sm.add_constant(_se)).fit().params[0])",
                    "hint": "Egger regresses the standardised effect y/SE on the precision 1/SE, "
                    "not the effect on its SE.",
                },
            ],
        },
        "q7_tests": {
            "title": "Exercise 7: an odds ratio as a risk, a risk ratio and an NNT",
            "section": "section 7, Published meta-analyses of ketamine disagree",
            "hint": "control risk of your row -> odds, times the OR, odds -> risk; RR = p1/p0; "
            "NNT = 1/(p1 - p0), rounded up.",
            "parts": [
                _num("risk_implied", unit="proportion", low=0, high=1, rel=1e-3),
                _num("rr_implied", unit="ratio", low=0, rel=1e-3),
                _num("nnt_implied", unit="people", whole=True, integer=True, low=1),
            ],
            "misconceptions": [
                {
                    "code": "rr_implied = 9.87",
                    "hint": "That is the odds ratio itself. A risk ratio divides the two risks: "
                    "the risk with ketamine by the control risk.",
                },
                {
                    "code": "risk_implied = risk_implied - _p0",
                    "hint": "That is the risk *difference*. The item asks for the risk of "
                    "responding with ketamine itself.",
                },
                {
                    "code": "_o = 9.87 * 0.088 / (1 - 0.088); risk_implied = _o / (1 + _o)",
                    "hint": "You used the Cochrane review's placebo risk. The control risk here is "
                    "your own row, mine['control_row']: read it from the trials table.",
                },
                {
                    "code": "nnt_implied = math.floor(1 / (risk_implied - _p0))",
                    "hint": "An NNT is rounded *up*: a fraction of a person still needs a whole "
                    "person treated.",
                },
            ],
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
            "title": "Exercise 5: a stricter threshold for one screening desk",
            "section": "section 6, A transparent red-flag flagger",
            "hint": "Test split; only your genres, mine['genres']; method='model' with "
            "threshold=mine['threshold']; each sentence flagged on its own.",
            "parts": [
                _num("desk_precision", unit="proportion", low=0, high=1, rel=1e-6),
                _num("desk_recall", unit="proportion", low=0, high=1, rel=1e-6),
                _num("desk_specificity", unit="proportion", low=0, high=1, rel=1e-6),
            ],
            "misconceptions": [
                {
                    "code": _DESK.format(args="'test', 'model'", genres=True),
                    "hint": "These are the model's figures at its default threshold (0.5). Your "
                    "desk uses a stricter one: pass threshold=mine['threshold'] to flag_text.",
                },
                {
                    "code": _DESK.format(args="'test', 'rules', threshold=None", genres=True),
                    "hint": "These are the rules' figures (flag_text's default method). The desk "
                    "uses the learned model: method='model'.",
                },
                {
                    "code": _DESK.format(
                        args="'test', 'model', threshold=mine['threshold']", genres=False
                    ),
                    "hint": "These figures cover every genre of the test split. Your desk screens "
                    "only its own genres, mine['genres'].",
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
                    # d (a mechanism turned into a promise) sits on the line between the two.
                    "equivalent": {"d": {"overstated": "misleading"}},
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
            "title": "Exercise 1: from a dose to receptor block",
            "section": "section 3, Mechanism (and section 2, Dose and route)",
            "hint": "Regimen for 70 kg, simulate 1440 min, the peak in µM, then c / (c + Ki) with "
            "the racemic preset's Ki.",
            "parts": [
                {
                    "name": "peak_block",
                    "kind": "function",
                    "unit": "fraction blocked",
                    "calls": [
                        {"args": [route, dose], "out": {"kind": "number", "rel": 1e-3}}
                        for route, dose in [
                            ("sublingual", 0.5),
                            ("oral", 1.0),
                            ("intranasal", 0.75),
                            ("im", 0.5),
                            ("iv_infusion", 0.25),
                        ]
                    ],
                }
            ],
            "misconceptions": [
                {
                    "code": "def peak_block(route, dose_mg_per_kg):\n"
                    "    d = 40.0 if route == 'iv_infusion' else 0.0\n"
                    "    reg = pk.Regimen(route, dose_mg_per_kg, 70.0, duration_min=d)\n"
                    "    c = pk.summary(pk.simulate(reg, t_end_min=1440.0))['cmax_ng_per_ml']\n"
                    "    return float(receptor.inhibition(c, receptor.get_preset('racemic').ki_um))",
                    "hint": "Your block is close to 1 even for small doses: Ki is in µM, so the "
                    "peak must be in µM too (ng/mL divided by the molar mass), not in ng/mL.",
                },
                {
                    "code": "def peak_block(route, dose_mg_per_kg):\n"
                    "    d = 40.0 if route == 'iv_infusion' else 0.0\n"
                    "    f = 1.0 if route.startswith('iv') else pk.bioavailability_for(route)\n"
                    "    reg = pk.Regimen(route, dose_mg_per_kg * f, 70.0, duration_min=d)\n"
                    "    c = pk.summary(pk.simulate(reg, t_end_min=1440.0))['cmax_um']\n"
                    "    return float(receptor.inhibition(c, receptor.get_preset('racemic').ki_um))",
                    "hint": "pk.simulate already applies each route's bioavailability: scaling the "
                    "dose by F yourself counts it twice for the routes outside a vein.",
                },
                {
                    "code": "def peak_block(route, dose_mg_per_kg):\n"
                    "    d = 40.0 if route == 'iv_infusion' else 0.0\n"
                    "    reg = pk.Regimen(route, dose_mg_per_kg, 70.0, duration_min=d)\n"
                    "    c = pk.summary(pk.simulate(reg, t_end_min=1440.0))['cmax_um']\n"
                    "    return float(receptor.inhibition(c, receptor.get_preset('s_ketamine').ki_um))",
                    "hint": "The lozenge and the infusion hold racemic ketamine: use the 'racemic' "
                    "preset's Ki, not one enantiomer's.",
                },
            ],
        },
        "q2_tests": {
            "title": "Exercise 2: lozenge against infusion, in concentration and in block",
            "section": "section 3, Mechanism (the figure after Exercise 1; and section 2)",
            "hint": "Simulate the peak of your lozenge route at your mg/kg against the infusion's "
            "at the same mg/kg; for block, divide peak_block_used of the two regimens.",
            "parts": [
                _num("cmax_ratio_lozenge_vs_iv", unit="ratio", low=0, rel=1e-3),
                _num("block_ratio_lozenge_vs_iv", unit="ratio", low=0, rel=2e-3),
            ],
            "misconceptions": [
                {
                    "code": "block_ratio_lozenge_vs_iv = cmax_ratio_lozenge_vs_iv",
                    "hint": "Block is not proportional to concentration: the one-site curve "
                    "saturates. Compute the block at each peak, then divide the two blocks.",
                },
                {
                    "code": "cmax_ratio_lozenge_vs_iv = pk.bioavailability_for("
                    "mine['lozenge_route'])",
                    "hint": "Bioavailability predicts the ratio of the AUCs, not of the peaks: "
                    "slow absorption spreads the dose out and lowers the peak further. Compare "
                    "the two simulated peaks.",
                },
                {
                    "code": "cmax_ratio_lozenge_vs_iv = 1 / cmax_ratio_lozenge_vs_iv\n"
                    "block_ratio_lozenge_vs_iv = 1 / block_ratio_lozenge_vs_iv",
                    "hint": "Your ratios are upside down: the exercise asks for the lozenge "
                    "divided by the infusion.",
                },
                {
                    "code": "cmax_ratio_lozenge_vs_iv = pk.summary(pk.simulate(pk.Regimen("
                    "mine['lozenge_route'], mine['infusion_mg_per_kg'], 70.0), "
                    "t_end_min=1440.0))['cmax_ng_per_ml'] / iv_summary['cmax_ng_per_ml']\n"
                    "block_ratio_lozenge_vs_iv = peak_block_used(mine['lozenge_route'], "
                    "mine['infusion_mg_per_kg']) / peak_block_used('iv_infusion', 0.5)",
                    "hint": "You compared with the 0.5 mg/kg infusion of section 2. The claim is "
                    "'the same mg/kg': simulate the infusion at your own dose too.",
                },
                {
                    "code": "_sc_other = {'sublingual': 'oral', 'oral': 'sublingual'}"
                    "[mine['lozenge_route']]\n"
                    "cmax_ratio_lozenge_vs_iv = pk.summary(pk.simulate(pk.Regimen(_sc_other, "
                    "mine['infusion_mg_per_kg'], 70.0), t_end_min=1440.0))['cmax_ng_per_ml'] / "
                    "pk.summary(pk.simulate(pk.Regimen('iv_infusion', mine['infusion_mg_per_kg'],"
                    " 70.0, duration_min=40.0), t_end_min=1440.0))['cmax_ng_per_ml']\n"
                    "block_ratio_lozenge_vs_iv = peak_block_used(_sc_other, "
                    "mine['infusion_mg_per_kg']) / peak_block_used('iv_infusion', "
                    "mine['infusion_mg_per_kg'])",
                    "hint": "Check the route: you simulated the other way a lozenge's drug can "
                    "enter. Use your own route, mine['lozenge_route'].",
                },
            ],
        },
        "q3_tests": {
            "title": "Exercise 3: pool the right subset",
            "section": "section 4, Evidence: which trials (and notebook 05)",
            "hint": "Rows: remission, population under 65, one arm per trial; variances from the "
            "CIs; DerSimonian–Laird random effects; the pooled estimate and its τ².",
            "parts": [
                _num("pooled_remission_rd_u65", unit="proportion", low=-1, high=1, rel=2e-3),
                _num("tau2_remission_u65", unit="squared proportion", low=0, high=1, rel=5e-3),
            ],
            "misconceptions": [
                {
                    "code": _pool07(
                        [
                            "transform1_remission_rd_56mg",
                            "transform2_remission_rd",
                            "transform3_remission_rd",
                        ]
                    ),
                    "hint": "TRANSFORM-3 enrolled adults aged 65 or more: the exercise pools only "
                    "the trials in adults under 65 (read the population column).",
                },
                {
                    "code": _pool07(
                        [
                            "transform1_remission_rd_56mg",
                            "transform1_remission_rd_84mg",
                            "transform2_remission_rd",
                        ]
                    ),
                    "hint": "TRANSFORM-1's two arms share one placebo group: pooling both counts "
                    "those placebo patients twice. Take one comparison per trial.",
                },
                {
                    "code": _pool07(
                        ["transform1_remission_rd_56mg", "transform2_remission_rd"], method="FE"
                    ),
                    "hint": "A fixed-effect pool assumes the trials share one true effect (τ² = "
                    "0); the exercise asks for DerSimonian–Laird random effects.",
                },
                {
                    "code": _pool07(["transform1_remission_rd_84mg", "transform2_remission_rd"]),
                    "hint": "Check which TRANSFORM-1 arm the exercise asks you to use.",
                },
            ],
        },
        "q4_tests": {
            "title": "Exercise 4: the number needed to treat, with its interval",
            "section": "section 4, Evidence: which trials (and notebook 04, section 3)",
            "hint": "NNT = 1 / RD; each end of the interval is 1 / |a limit of the RD's 95% CI|, "
            "not rounded.",
            "parts": [
                _num("nnt_u65", unit="people", low=1, rel=5e-3),
                _num("nntb_end_u65", unit="people", low=1, rel=5e-3),
                _num("nnth_end_u65", unit="people", low=1, rel=5e-3),
            ],
            "misconceptions": [
                {
                    "code": _pool07(
                        ["transform1_remission_rd_56mg", "transform2_remission_rd"],
                        method="FE",
                        into="_sc_fe",
                    )
                    + "nnt_u65 = 1 / _sc_fe.estimate\n"
                    "nntb_end_u65 = 1 / _sc_fe.ci_high\n"
                    "nnth_end_u65 = 1 / _sc_fe.ci_low",
                    "hint": "These come from a fixed-effect pool. Use the DerSimonian–Laird "
                    "estimate and interval of Exercise 3, and read each end of the NNT interval "
                    "from the RD limit on its own side.",
                },
                {
                    "code": "nntb_end_u65, nnth_end_u65 = nnth_end_u65, nntb_end_u65",
                    "hint": "The ends are swapped: the NNTB end comes from the RD's upper limit "
                    "(the largest benefit), the NNTH end from the limit on the harm side.",
                },
                {
                    "code": "nnt_u65 = math.ceil(nnt_u65)\n"
                    "nntb_end_u65 = math.ceil(nntb_end_u65)\n"
                    "nnth_end_u65 = math.ceil(nnth_end_u65)",
                    "hint": "Rounding up is for reporting one NNT to readers; this exercise asks "
                    "for the unrounded values.",
                },
            ],
        },
        "q5_tests": {
            "title": "Exercise 5: what the flagger finds, and what it misses",
            "section": "section 5, Marketing red flags (and sections 2 to 4 for the facts)",
            "hint": "Label the flagger's sentences first; then check each unflagged sentence "
            "against the numbers of sections 2–4.",
            "parts": [
                {
                    "name": "welcome_verdicts",
                    "kind": "choice_map",
                    "keys": [str(i) for i in range(8)],
                    "choices": ["flagged", "missed", "ok"],
                }
            ],
            "misconceptions": [
                {
                    "code": "welcome_verdicts = {k: 'ok' if v == 'missed' else v "
                    "for k, v in welcome_verdicts.items()}",
                    "hint": "The flagger matches words, so it can miss a false statement written "
                    "calmly. Read every unflagged sentence against the numbers of sections 2 to 4.",
                },
                {
                    "code": "welcome_verdicts = {k: 'missed' if v == 'ok' else v "
                    "for k, v in welcome_verdicts.items()}",
                    "hint": "Not every unflagged sentence is wrong: an accurate sentence the "
                    "sources of sections 2 to 4 confirm is 'ok', even in an advert.",
                },
            ],
        },
        "q6_tests": {
            "title": "Exercise 6: the e-mail's rubric score",
            "section": "section 5, Marketing red flags (and notebook 06, section 5)",
            "hint": "Score R06, R12 and R14 by their anchors, merge with TUTOR_SCORES, and use "
            "media.score_text(...).percent_of_max.",
            "parts": [_num("welcome_score_pct", unit="%", low=0, high=100, abs_tol=0.05)],
            "misconceptions": [
                {
                    "code": "welcome_score_pct = 100 * welcome_score.total / (2 * 14)",
                    "hint": "Criteria that do not apply (None) leave the maximum as well as the "
                    "total: divide by the highest score over the criteria that apply.",
                },
                {
                    "code": "welcome_score_pct = welcome_score_pct / 100",
                    "hint": "Give a percentage between 0 and 100, not a fraction.",
                },
                {
                    "code": "welcome_score_pct = media.score_text({**TUTOR_SCORES, 'R06': 2, "
                    "'R12': 0, 'R14': 2}).percent_of_max",
                    "hint": "Saying nothing about costs is not 'fine' for R12: reread its anchors "
                    "(what does a score of 2 describe?).",
                },
                {
                    "code": "welcome_score_pct = float(welcome_score.total)",
                    "hint": "That is the total in points; the exercise asks for it as a "
                    "percentage of the highest possible score.",
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
    """Run each anticipated wrong answer on top of the solution and hash its hint region.

    Stored as ``{"hint", "digests"}`` on the right record's salt and lattice
    (:func:`ketlearn.answers.regions.region_digests`: a learner's check then costs one hash),
    or as ``{"hint", "record"}`` when the wrong answer cannot be written on that lattice. The
    wrong value must fail the right record (else it is not a wrong answer); the kernel's answer
    variables are restored afterwards.
    """
    names = [p["name"] for p in spec["parts"]]
    salts = {m["hint"]: m["record"]["salt"] for m in old.get("misconceptions", []) if "record" in m}
    kernel.run_ok(f"_sc_saved = {{n: globals()[n] for n in {names!r}}}", "save answers")
    out = []
    try:
        for m in spec.get("misconceptions", []):
            what = f"{assignment} {gid} misconception {m['hint'][:40]!r}"
            kernel.run_ok(m["code"], what)
            salt = salts.get(m["hint"]) or secrets.token_hex(16)
            probe = _probe({**spec, "parts": [_strip(p) for p in spec["parts"]]}, salt, right)
            probe += (
                "from ketlearn.answers import record_matches as _sc_rm\n"
                f"print({MARK!r} + 'RIGHT' + str(_sc_rm({[_strip(p) for p in spec['parts']]!r}, "
                f"globals(), {right!r})))\n"
            )
            text = kernel.run_ok(probe, what)
            record_text, same = text.split(MARK)[1:3]
            if same.strip() != "RIGHTFalse":
                raise SystemExit(f"{what}: this 'wrong' answer passes as right; change its code")
            out.append({"hint": m["hint"], **json.loads(record_text.strip())})
            kernel.run_ok("globals().update(_sc_saved)", "restore answers")
    finally:
        kernel.run("globals().update(_sc_saved)")
    return out


def _sealed_worked(kernel, assignment: str, gid: str, text: str, record: dict, old: dict) -> dict:
    """The item's worked solution sealed under its right answer (see ``tools/worked.py``).

    Runs right after the item's probe, whose atoms (``_sc_atoms``) are the right answer's.
    """
    out = kernel.run_ok(
        "from ketlearn.answers import sealed as _sc_sealed\n"
        f"print({MARK!r} + _sc_sealed.expected_token(_sc_atoms))\n",
        f"{assignment} {gid} worked-solution token",
    )
    token = out.split(MARK, 1)[1].strip()
    return worked.seal_item(assignment, gid, text, token, record["salt"], old.get("worked"))


def _probe(spec: dict, salt: str, right: dict | None = None) -> str:
    """Kernel code: the item's tokens from the solution (or the hidden test's reference).

    It prints the record made with ``salt``; given the ``right`` record, it prints the hint
    region of these (wrong) tokens on the right record's lattice, ``{"digests": [...]}``, or
    ``{"record": ...}`` when they cannot be written there.
    """
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
    record = f"_sc_codec.expected_record(_sc_atoms, {salt!r})"
    if right is None:
        lines.append(f"print({MARK!r} + _sc_json.dumps({record}))")
    else:
        lines.append("from ketlearn.answers.regions import region_digests as _sc_region_digests")
        lines.append(f"_sc_region = _sc_region_digests(_sc_atoms, {right!r})")
        lines.append(
            f"print({MARK!r} + _sc_json.dumps({{'digests': _sc_region}} if _sc_region "
            f"else {{'record': {record}}}))"
        )
    return "\n".join(lines) + "\n"


def item_span(nb, graded: dict[str, int], gid: str) -> list[int]:
    """Indices of the code cells an item's answer depends on: after the previous test cell.

    For an item with variants (:mod:`ketlearn.variant`) these cells (the variant cell that draws
    the learner's parameters, the answer cell and anything between) are re-run once per
    variant; cells before the draw, and self-check cells, are left out.
    """
    end = graded[gid]
    start = max((i for i in graded.values() if i < end), default=-1) + 1
    cells = [
        i
        for i in range(start, end)
        if nb.cells[i].cell_type == "code" and not is_selfcheck_cell(nb.cells[i])
    ]
    # Nothing before the draw can depend on it: start at the variant cell when there is one
    # (04's first item would otherwise re-run most of its notebook for every variant).
    draws = [i for i in cells if _draws_variant(nb.cells[i].source, gid)]
    return [i for i in cells if i >= draws[0]] if draws else cells


def _draws_variant(source: str, gid: str) -> bool:
    """True if a cell draws the parameters of item ``gid`` (``variant.show`` or ``.params``)."""
    return bool(re.search(r"variant\.(show|params)\(", source)) and (
        f'"{gid}"' in source or f"'{gid}'" in source
    )


def _item_data(kernel, assignment: str, gid: str, spec: dict, text: str | None, old: dict) -> dict:
    """Record (and sealed worked solution, misconception records) of the answer in the kernel."""
    salt = old.get("record", {}).get("salt") or secrets.token_hex(16)
    out = kernel.run_ok(_probe(spec, salt), f"{assignment} {gid} probe")
    record = json.loads(out.split(MARK, 1)[1].strip())
    data = {"record": record}
    if text is not None:  # sealed with the token the probe just hashed (_sc_atoms)
        data["worked"] = _sealed_worked(kernel, assignment, gid, text, record, old)
    if spec.get("misconceptions"):
        data["misconceptions"] = _misconception_records(kernel, assignment, gid, spec, record, old)
    return data


def _variant_data(kernel, assignment, gid, spec, text, nb, span, old: dict) -> list[dict]:
    """One record set per parameter set of an item with variants (the span re-run for each)."""
    from ketlearn import variant

    olds = old.get("variants", [])
    out = []
    kernel.run_ok("from ketlearn import variant as _sc_variant", "import variant")
    for k in range(variant.count(assignment, gid)):
        kernel.run_ok(f"_sc_variant.force_index({k})", f"{assignment} {gid} variant {k}")
        for i in span:
            kernel.run_ok(nb.cells[i].source, f"{assignment} cell {i} (variant {k})")
        older = olds[k] if k < len(olds) else {}
        out.append(_item_data(kernel, assignment, gid, spec, text, older))
    kernel.run_ok("_sc_variant.force_index(None)", "back to the normal draw")
    for i in span:  # the example learner's state again, for the cells that follow
        kernel.run_ok(nb.cells[i].source, f"{assignment} cell {i}")
    return out


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
    texts = worked.read_worked(assignment)
    stray = sorted(set(texts) - set(graded))
    if stray:
        raise SystemExit(f"course/worked/{assignment}.md: sections for items not graded: {stray}")
    from ketlearn import variant

    with_variants = set(variant.items(assignment).get(assignment, []))
    stray = sorted(with_variants - set(graded))
    if stray:
        raise SystemExit(f"{assignment}: variants declared for items not graded: {stray}")
    out: dict[str, dict] = {}
    with KernelSession(notebook_path(assignment).parent) as kernel:
        # Self-check cells are skipped below (no slow hashes, nothing recorded), but later cells
        # may use the module they import (selfcheck.student_function): import it as they would.
        kernel.run_ok("from ketlearn import selfcheck", "import selfcheck")
        for i, cell in enumerate(nb.cells[: last + 1]):
            if cell.cell_type != "code" or is_selfcheck_cell(cell):
                continue
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid in specs and i == graded[gid]:
                before = (old or {}).get(gid, {})
                if gid in with_variants:
                    span = item_span(nb, graded, gid)
                    out[gid] = {
                        **public(specs[gid]),
                        "variants": _variant_data(
                            kernel, assignment, gid, specs[gid], texts.get(gid), nb, span, before
                        ),
                    }
                else:
                    data = _item_data(kernel, assignment, gid, specs[gid], texts.get(gid), before)
                    out[gid] = {**public(specs[gid]), **data}
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
    sec = selfcheck.evaluate(
        "00-orientation", "q2_tests", {"weighted_f_intranasal_pct": 1.0}
    ).seconds
    print(f"one query costs {sec:.2f} s here (scrypt, {data['kdf']['n'] * 128 * 8 >> 20} MiB)")
    for assignment, items in data["assignments"].items():
        for gid, spec in items.items():
            record = spec["variants"][0]["record"] if "variants" in spec else spec["record"]
            lattice = iter(record["lattice"])
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
    data = {"format": 2, "kdf": codec.KDF, "assignments": {}}
    if DATA.exists():
        data = json.loads(DATA.read_text(encoding="utf-8"))
        data["format"], data["kdf"] = 2, codec.KDF  # 2: hints share the right record's salt
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
