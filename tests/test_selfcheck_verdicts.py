"""The self-check and the autograder give the same verdict, on every autograded item.

For each assignment with self-check data, the SOURCE notebook runs in a fresh kernel. Just
before each autograder test cell, with the solution's variables in place, the test runs both
the self-check (``selfcheck.evaluate``) and the test cell itself (visible and hidden tests) on:

- the solution: both must pass (this also shows the stored data is up to date);
- the blank answer (the answer cell's variables undefined, or still the ``...`` stub of the
  released notebook): both fail, and the self-check says "not answered yet";
- every anticipated misconception of the item's spec: both fail and the self-check shows
  exactly that misconception's hint (the solution never shows one);
- every plausible wrong answer in :data:`WRONG` (code run on top of the solution): both fail.

It also checks that every autograded item has a self-check cell (a normal code cell, no nbgrader
metadata) right after its test cell, that every numeric item has at least two misconception
hints, and that the stored public description of each item equals the specs in
``tools/selfcheck_data.py``.
"""

from __future__ import annotations

import copy
import json

import nbformat
import notebook_cache
import pytest
from answer_leaks import find_leaks, visible_text
from conftest import RELEASE, ROOT, SOURCE
from selfcheck_data import (
    SPECS,
    KernelSession,
    _strip,
    grade_cells,
    is_selfcheck_cell,
    item_span,
    notebook_path,
    public,
)

from ketlearn import selfcheck, variant

MARK = "@@VERDICT@@"

# Plausible wrong answers, per assignment and grade_id: each is code run after the solution.
WRONG: dict[str, dict[str, list[str]]] = {
    "00-orientation": {
        "q1_tests": [
            "available_mg_wafer = available_mg_wafer + 1",
            "available_mg_wafer = float(bio.set_index('row_id').loc['yan-sl', 'dose_mg']) * 0.29",
        ],
        "q2_tests": [
            "weighted_f_intranasal_pct = float(np.average("
            "bio.loc[bio['route'] == 'intranasal', 'bioavailability_pct'], weights=[3, 7, 10, 9]))",
            "weighted_f_intranasal_pct = weighted_f_intranasal_pct + 0.5",
        ],
        "q3_tests": [
            "rel_change_f_pct = (13 - 17) / 17 * 100",
            "rel_change_f_pct = rel_change_f_pct * 2",
        ],
        "q4_tests": [
            "def ng_per_ml_to_um(c):\n    return np.asarray(c, dtype=float) / 200.0",
            "def ng_per_ml_to_um(c):\n    return float(c) / 237.727",
            "def ng_per_ml_to_um(c):\n    return np.asarray(c, dtype=float) / 237.727 * np.ones(3)",
        ],
        "q5_tests": [
            "bands_below_1um = bands_below_1um[:-1]",
            "bands_below_1um = sorted(bands_below_1um + ['awakening'])",
            "bands_below_1um = tuple(bands_below_1um)",
        ],
    },
    "01-history": {
        "q1_tests": [
            "pct_rows_disputed = 9 / 43 * 100",
            "pct_rows_disputed = pct_rows_disputed + 1",
        ],
        "q2_tests": [
            "early_secondary = early_secondary.iloc[:-1]",
            "early_secondary = timeline[(timeline['year'] <= 1981)"
            " & (timeline['source_type'] == 'secondary')]",
        ],
        "q3_tests": [
            "events_per_jurisdiction = events_per_jurisdiction.iloc[1:]",
            "events_per_jurisdiction = events_per_jurisdiction + 1",
        ],
        "q4_tests": [
            "def years_between(start_event, end_event):\n    return 19.05",
            "_yb = years_between\n"
            "def years_between(start_event, end_event):\n"
            "    return round(_yb(start_event, end_event))",
        ],
        "q5_tests": [
            "years_from_1981_proposal = years_from_1981_proposal + 0.5",
            "years_from_1981_proposal = float(years_between_used("
            "'dea-proposal-1981-jun', 'who-ecdd-2006'))",
        ],
        "q6_tests": [
            "regulation_sources = regulation_sources.iloc[1:]",
            "regulation_sources = regulation_sources.rename(columns={'n_rows': 'count'})",
            "fig_regulation_sources = 'a figure'",
        ],
        "q7_tests": [
            "supported_statements = ['B', 'D', 'F']",
            "supported_statements = 'BFG'",
            "supported_statements = ['A', 'B', 'C', 'D', 'E', 'F', 'G']",
        ],
    },
    "02-pharmacokinetics": {
        "q1_tests": ["t_half_pooled_min = 114.6", "t_half_pooled_min = 120.0"],
        "q2_tests": [
            "cmax_infusion_um = cmax_infusion_um * 1.01",
            "cmax_infusion_um = 185.0 / 237.73 * mine['dose_mg_per_kg'] / 0.5",
            "cmax_infusion_um = pk.summary(pk.simulate(pk.Regimen('iv_infusion', "
            "mine['dose_mg_per_kg'], 70.0, duration_min=mine['duration_min'])))"
            "['cmax_ng_per_ml'] / 274.19",
        ],
        "q3_tests": [
            "def auc_trapezoid_ng_h_per_ml(time_min, conc_ng_per_ml):\n"
            "    return float(np.sum(conc_ng_per_ml)) / 60",
            "def auc_trapezoid_ng_h_per_ml(time_min, conc_ng_per_ml):\n"
            "    return float(np.trapezoid(conc_ng_per_ml, time_min))",
        ],
        "q4_tests": [
            "f_oral_estimate = f_oral_estimate * 1.01",
            "f_oral_estimate = float(np.sum(my_oral['plasma_ng_per_ml']) "
            "/ np.sum(my_iv['plasma_ng_per_ml']) * 0.9)",
        ],
        "q5_tests": [
            "t_half_child_min = 114.6",
            "t_half_child_min = terminal_half_life_min(child['time_min'], "
            "child['plasma_ng_per_ml'], 10.0)",
        ],
        "q6_tests": [
            "cl_child_l_per_h_per_kg = pk.clearance_l_per_min('herd2007', 20.0) * 60 / 20",
            "cl_child_l_per_h_per_kg = 1.0 / auc_child_inf",
        ],
    },
    "03-nmda-neuroplasticity": {
        "q1_tests": [
            "def b_of_v(voltage_mv, mg_mm=1.0):\n"
            "    return 1.0 / (1.0 + (1.0 / 3.57) * np.exp(-0.062 * float(voltage_mv)))",
            "def b_of_v(voltage_mv, mg_mm=1.0):\n"
            "    v = np.asarray(voltage_mv, dtype=float)\n"
            "    return 1.0 / (1.0 + (mg_mm / 0.357) * np.exp(-0.062 * v))",
        ],
        "q2_tests": ["v_block_mv = np.log(1 / 3.57) / 0.062", "v_block_mv = v_block_mv + 1"],
        "q3_tests": [
            "awakening_block = awake_um / (awake_um + 1.4)",
            "awakening_block = bands.loc['awakening', 'conc_um'] / 237.73",
        ],
        "q4_tests": [
            "g_available = float(b_of_v_used(-35.0, 1.2))",
            "g_available = 1 - drug_block",
        ],
        "q5_tests": [
            "kept_fraction = float(block_at[10.0] / block_at[100.0])",
            "supported = ['B']",
            "supported = 'BD'",
            "supported = ['D', 'E']",
        ],
        "q6_tests": [
            "rate_e_rel_dissociation = rate_e_rel_dissociation - 1",
            "circuit_supported = ['A', 'B']",
            "circuit_supported = ['A', 'B', 'C']",
        ],
    },
    "04-reading-trials": {
        "q1_tests": [
            "itt_response_rate = itt_response_rate * 100",
            "itt_response_rate = {'control': 0.1, 'treatment': 0.2}",
            # the right method on the wrong trial (seed 1, no student's seed)
            "_o = trials.simulate_patients(trials.IPD_EXERCISE_PRESET, seed=1, "
            "dropout_fraction=0.3)\n"
            "_f = ~_o['dropped_out'].astype(bool)\n"
            "_r = pd.Series(False, index=_o.index)\n"
            "_r[_f] = trials.response(_o.loc[_f, 'baseline_madrs'], _o.loc[_f, 'followup_madrs'])\n"
            "itt_response_rate = _r.groupby(_o['arm'], observed=True).mean()",
        ],
        "q2_tests": [
            "def rd_with_ci(events_t, n_t, events_c, n_c):\n"
            "    rd = events_t / n_t - events_c / n_c\n"
            "    return rd, rd - 0.1, rd + 0.1",
            "def rd_with_ci(events_t, n_t, events_c, n_c):\n"
            "    return trials.risk_difference(events_t, n_t, events_c, n_c, method='newcombe')",
        ],
        "q3_tests": ["nnt_responders = 1 / abs(rd_r)", "nnt_responders_ci = (1, 7)"],
        "q4_tests": [
            "nnt_lii = round(nnt_lii) + 1",
            "nnth_end_lii = nnth_end_lii / 100",
        ],
        "q5_tests": ["n_per_arm_new = n_per_arm_new - 3", "sd_change_transform2 = 10.0"],
        "q6_tests": ["expected_bias_points = 0.0", "mean_estimate_points = -2.5"],
        "q7_tests": [
            "or_mine = (p_t / (1 - p_c)) / (p_c / (1 - p_t))",
            "rr_mine = 100 * rr_mine",
            # the answer before variants (TRANSFORM-2 response), which is no student's pair now
            "rr_mine, or_mine = 0.693 / 0.52, (0.693 / 0.307) / (0.52 / 0.48)",
        ],
    },
    "05-evidence-synthesis": {
        "q1_tests": [
            "se_log_hr_responders = 0.5",
            "se_log_hr_responders = (math.log(0.55) - math.log(0.16)) / 2",
        ],
        "q2_tests": [
            "fe_remission_rd = -fe_remission_rd",
            "fe_remission_se = fe_remission_se * 2",
            "fe_remission_rd = fe_remission_rd * 100",
        ],
        "q3_tests": [
            "def tau2_dl(effects, variances):\n    return 0.0",
            "def tau2_dl(effects, variances):\n    return float(np.var(effects, ddof=1))",
        ],
        "q4_tests": ["q_low_lat = q_low_lat - 1", "i2_low_lat_pct = 100.0"],
        "q5_tests": [
            "re_rr_low_lat = math.log(re_rr_low_lat) + 1",
            "pi_rr_low_lat_low, pi_rr_low_lat_high = 0.2, 0.8",
        ],
        "q6_tests": ["egger_p_low_lat = 1 - egger_p_low_lat", "egger_intercept_low_lat = 0.0"],
        "q7_tests": [
            "risk_implied = 0.5",
            "nnt_implied = nnt_implied + 1",
            "rr_implied = 1 / rr_implied",
        ],
    },
    "06-media-literacy-misuse": {
        "q1_tests": [
            "relative_risk = 1 / relative_risk",
            "nnt = math.ceil(nnt)",
            "risk_difference_pct_points = 17.5 - 6.7 / 100",
        ],
        "q2_tests": [
            "f04_scored_2 = f04_scored_2[::-1]",
            "f04_scored_2 = f04_scored_2[:-1]",
            "f04_percent_r13_zero = 100 * (sum(v or 0 for v in rater_a_f04.values()) + 2) / 28",
        ],
        "q3_tests": [
            "kappa_statements = ['A', 'B', 'C', 'E']",
            "kappa_statements = ['B', 'C']",
            "p_observed, p_chance = p_chance, p_observed",
        ],
        "q4_tests": [
            "def flag_rates(promotional, flagged):\n    return {'precision': 0.5}",
            "flag_rates = lambda promotional, flagged: media.confusion_rates(promotional, flagged)",
        ],
        "q5_tests": [
            "desk_specificity = 1 - desk_specificity",
            "desk_recall = float(desk_recall > 0)",
            # the desk of the notebook's earlier, fixed version (no learner's variant now)
            "_m = media.sentence_predictions('test', 'model', threshold=0.75)\n"
            "_m = _m[_m['genre'].astype(str).isin(['press_release', 'news_feature'])]\n"
            "_r = media.confusion_rates(_m['promotional'].to_numpy(bool), "
            "_m['flagged'].to_numpy(bool))\n"
            "desk_precision, desk_recall = _r['precision'], _r['recall']\n"
            "desk_specificity = _r['specificity']",
        ],
        "q7_tests": [
            "verdicts = {'a': 'unverifiable', 'b': 'false', 'c': 'supported', 'd': 'false'}",
            "verdicts = {'a': 'false', 'b': 'false', 'c': 'supported', 'd': 'misleading'}",
            "verdicts = ['unverifiable', 'false', 'supported', 'misleading']",
        ],
        "q8_tests": [
            "true_statements = ['A', 'C', 'D', 'E']",
            "true_statements = ['A', 'B', 'C', 'E']",
            "absolute_increase_pct_points = absolute_increase_pct_points * 100",
        ],
    },
    "07-capstone": {
        "q1_tests": [
            "def peak_block(route, dose_mg_per_kg):\n    return 0.5",
            "def peak_block(route, dose_mg_per_kg):\n"
            "    reg = pk.Regimen(route, dose_mg_per_kg, 70.0, duration_min=40.0)\n"
            "    return 0.0",
        ],
        "q2_tests": [
            "cmax_ratio_lozenge_vs_iv = cmax_ratio_lozenge_vs_iv * 1.1",
            "block_ratio_lozenge_vs_iv = block_ratio_lozenge_vs_iv * 100",
            "block_ratio_lozenge_vs_iv = peak_block_used("
            "mine['lozenge_route'], mine['infusion_mg_per_kg'])",
        ],
        "q3_tests": [
            "pooled_remission_rd_u65 = float(risk_differences['estimate'].mean())",
            "tau2_remission_u65 = tau2_remission_u65 ** 0.5",
        ],
        "q4_tests": [
            "nnt_u65 = 1 / 0.525",
            "nnth_end_u65 = 1 / pooled_remission_rd_u65",
        ],
        "q5_tests": [
            "welcome_verdicts = {i: 'flagged' for i in range(8)}",
            "welcome_verdicts = {**welcome_verdicts, 2: 'missed'}",
        ],
        "q6_tests": ["welcome_score_pct = 100 * 14 / 18"],
    },
}

# Assignments whose notebooks were still being written when the self-checks were added.
PENDING: set[str] = set()

ASSIGNMENTS = sorted(SPECS)
ITEMS = [(a, gid) for a in ASSIGNMENTS for gid in SPECS[a]]


def _names(assignment: str, gid: str) -> list[str]:
    return [p["name"] for p in SPECS[assignment][gid]["parts"]]


def _evaluate(kernel, assignment: str, gid: str) -> dict:
    code = (
        "from ketlearn import selfcheck as _sc_mod\n"
        f"_sc_v = _sc_mod.evaluate({assignment!r}, {gid!r}, globals())\n"
        "import json as _sc_json\n"
        f"print({MARK!r} + _sc_json.dumps({{'passed': _sc_v.passed, 'kind': _sc_v.kind,"
        " 'message': _sc_v.message}))\n"
    )
    ok, out = kernel.run(code)
    assert ok, f"selfcheck.evaluate raised for {assignment} {gid}: {out}"
    return json.loads(out.split(MARK, 1)[1])


def _expected_numbers(kernel, assignment: str, gid: str) -> list[list[float]]:
    """``[value, tolerance]`` of every number the autograder expects for the item.

    The solution's values and the hidden test's references (``reference`` in the spec), as the
    canonical form sees them (function answers: their outputs at the probe inputs).
    """
    parts = SPECS[assignment][gid]["parts"]
    code = [
        "import json as _sc_json",
        "from ketlearn.answers import canonical as _sc_codec",
        "from ketlearn.answers.compare import tolerance as _sc_tol",
        "_sc_atoms = []",
    ]
    for part in parts:
        if part["kind"] == "figure":
            continue
        code.append(
            f"_sc_atoms += _sc_codec.flatten({_strip(part)!r}, globals()[{part['name']!r}])"
        )
        if "reference" in part:
            code.append(f"_sc_atoms += _sc_codec.flatten({_strip(part)!r}, {part['reference']})")
    code.append(
        f"print({MARK!r} + _sc_json.dumps([[a[1], _sc_tol(a[1], a[2], a[3])]"
        " for a in _sc_atoms if a[0] == 'n']))"
    )
    ok, out = kernel.run("\n".join(code))
    assert ok, f"{assignment} {gid}: could not read the expected numbers: {out}"
    return json.loads(out.split(MARK, 1)[1])


def _run_assignment(assignment: str) -> dict[str, list[dict]]:
    nb = nbformat.read(notebook_path(assignment), as_version=4)
    graded = dict((i, gid) for i, gid in grade_cells(nb))
    results: dict[str, list[dict]] = {}
    with KernelSession(notebook_path(assignment).parent) as kernel:
        for i, cell in enumerate(nb.cells[: max(graded) + 1]):
            if cell.cell_type != "code":
                continue
            if i in graded:
                gid = graded[i]
                names = _names(assignment, gid)
                rows = []
                save = f"_sc_saved = {{n: globals()[n] for n in {names!r}}}"
                restore = "globals().update(_sc_saved)"
                kernel.run(save)
                variants = [
                    ("solution", "pass"),
                    ("blank", f"for _n in {names!r}: del globals()[_n]"),
                    ("stub", f"for _n in {names!r}: globals()[_n] = ..."),
                ]
                variants += [(f"wrong: {w}", w) for w in WRONG[assignment].get(gid, [])]
                variants += [
                    (f"misconception {k}: {m['code']}", m["code"])
                    for k, m in enumerate(SPECS[assignment][gid].get("misconceptions", []))
                ]
                expected = _expected_numbers(kernel, assignment, gid)
                for label, setup in variants:
                    ok, out = kernel.run(setup)
                    assert ok, f"{assignment} {gid}: variant {label!r} did not run: {out}"
                    verdict = _evaluate(kernel, assignment, gid)
                    grader_ok, grader_out = kernel.run(cell.source)
                    rows.append(
                        {"variant": label, "self": verdict, "grader": grader_ok, "out": grader_out}
                    )
                    kernel.run(restore)
                rows[0]["expected"] = expected
                results[gid] = rows
                if gid in variant.items(assignment).get(assignment, []):
                    span = item_span(nb, {g: j for j, g in graded.items()}, gid)
                    results[f"{gid} variants"] = _run_variants(kernel, assignment, gid, cell, span)
            ok, out = kernel.run(cell.source)
            assert ok, f"{assignment} cell {i} failed: {out[-1500:]}"
            if is_selfcheck_cell(cell):
                assert "✔" in out, (
                    f"{assignment} cell {i}: the solution fails its self-check: {out}"
                )
    return results


# Kernel code: an answer's value as Python source that rebuilds it (pipeline test literals).
_LITERAL = """
def _sc_literal(v):
    import numpy as _np
    if hasattr(v, "columns"):
        return "pd.DataFrame(" + repr({str(c): _sc_plain(v[c]) for c in v.columns}) + ")"
    if hasattr(v, "index") and hasattr(v, "to_dict"):
        return "pd.Series(" + repr(_sc_plain(v)) + ")"
    if isinstance(v, _np.ndarray):
        return "np.array(" + repr(v.tolist()) + ")"
    return repr(_sc_plain(v))


def _sc_plain(v):
    if hasattr(v, "to_dict") and hasattr(v, "index") and not hasattr(v, "columns"):
        return {(k.item() if hasattr(k, "item") else k): _sc_plain(x) for k, x in v.items()}
    if hasattr(v, "tolist"):
        return v.tolist()
    if isinstance(v, dict):
        return {k: _sc_plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_sc_plain(x) for x in v]
    return v
"""


def _run_variants(kernel, assignment: str, gid: str, cell, span: list[int]) -> list[dict]:
    """Each parameter set of a variant item: its solution, and the next set's answer, checked.

    For variant ``k`` the item's cells (variant cell, answer cell, anything between) are re-run
    with :func:`ketlearn.variant.force_index`; the solution must pass both the self-check and
    the test cell (visible and hidden tests, as nbgrader runs them), and the answer that
    variant ``k + 1`` computes must fail both. The source of each variant's answer values is
    kept for the grading-pipeline test below. The example learner's state is restored at the end.
    """
    nb = nbformat.read(notebook_path(assignment), as_version=4)
    names = _names(assignment, gid)
    count = variant.count(assignment, gid)
    kernel.run_ok(
        _LITERAL + "\nfrom ketlearn import variant as _sc_variant\n_sc_vals = {}", "set-up"
    )
    rows = []
    for k in range(count):
        kernel.run_ok(f"_sc_variant.force_index({k})", "force a variant")
        for j in span:
            ok, out = kernel.run(nb.cells[j].source)
            assert ok, f"{assignment} {gid} variant {k}: cell {j} failed: {out[-1500:]}"
        kernel.run_ok(f"_sc_vals[{k}] = {{n: globals()[n] for n in {names!r}}}", "keep answers")
        literal = kernel.run_ok(
            "import json as _sc_json\n"
            f"print({MARK!r} + _sc_json.dumps({{n: _sc_literal(globals()[n]) for n in {names!r}}}))",
            "literal",
        )
        grader_ok, grader_out = kernel.run(cell.source)
        rows.append(
            {
                "variant": k,
                "self": _evaluate(kernel, assignment, gid),
                "grader": grader_ok,
                "out": grader_out,
                "expected": _expected_numbers(kernel, assignment, gid),
                "literal": json.loads(literal.split(MARK, 1)[1]),
            }
        )
    for row in rows:  # variant k checked with the answer of variant k + 1
        k, other = row["variant"], (row["variant"] + 1) % count
        kernel.run_ok(f"_sc_variant.force_index({k})\nglobals().update(_sc_vals[{other}])", "swap")
        row["swapped_self"] = _evaluate(kernel, assignment, gid)
        row["swapped_grader"], row["swapped_out"] = kernel.run(cell.source)
    kernel.run_ok("_sc_variant.force_index(None)", "normal draw")
    for j in span:
        kernel.run_ok(nb.cells[j].source, f"{assignment} cell {j}")
    return rows


@pytest.fixture(scope="module")
def verdicts():
    cache: dict[str, dict] = {}

    def get(assignment: str) -> dict[str, list[dict]]:
        if assignment not in cache:
            cache[assignment] = _run_assignment(assignment)
        return cache[assignment]

    return get


@pytest.mark.slow
@pytest.mark.parametrize(
    ("assignment", "gid"),
    [
        pytest.param(a, g, id=f"{a}-{g}", marks=pytest.mark.xdist_group(f"notebook-{a}"))
        for a, g in ITEMS
    ],
)
def test_selfcheck_and_autograder_agree(verdicts, assignment, gid):
    rows = verdicts(assignment)[gid]
    solution, blank, stub, *wrong = rows
    hints = [m["hint"] for m in SPECS[assignment][gid].get("misconceptions", [])]
    assert solution["self"]["passed"], f"solution fails the self-check: {solution['self']}"
    assert solution["grader"], f"solution fails the autograder: {solution['out']}"
    assert not any(h in solution["self"]["message"] for h in hints)
    for unanswered in (blank, stub):
        assert not unanswered["self"]["passed"] and not unanswered["grader"], unanswered["variant"]
        assert unanswered["self"]["kind"] == "missing", unanswered["self"]
        assert "not answered yet" in unanswered["self"]["message"]
    assert wrong, f"{assignment} {gid}: add at least one plausible wrong answer to WRONG"
    for row in wrong:
        assert not row["grader"], f"{row['variant']} passes the autograder: not a wrong answer"
        assert not row["self"]["passed"], f"{row['variant']} passes the self-check"
        assert "Traceback" not in row["self"]["message"]
    for k, hint in enumerate(hints):
        row = next(r for r in wrong if r["variant"].startswith(f"misconception {k}:"))
        assert hint in row["self"]["message"], (
            f"{assignment} {gid}: {row['variant']} should show its hint; got {row['self']}"
        )


VARIANT_ITEMS = [(a, gid) for a, gids in variant.items().items() for gid in gids]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("assignment", "gid"),
    [
        pytest.param(a, g, id=f"{a}-{g}", marks=pytest.mark.xdist_group(f"notebook-{a}"))
        for a, g in VARIANT_ITEMS
    ],
)
def test_each_variant_passes_with_its_own_answer_and_fails_with_another(verdicts, assignment, gid):
    """Issue 19: per variant, the self-check agrees with the grader; a classmate's answer fails."""
    rows = verdicts(assignment)[f"{gid} variants"]
    assert len(rows) == variant.count(assignment, gid) >= 4
    for row in rows:
        k = row["variant"]
        assert row["self"]["passed"], f"variant {k}: the solution fails the self-check: {row}"
        assert row["grader"], f"variant {k}: the solution fails the autograder: {row['out']}"
        assert not row["swapped_self"]["passed"], f"variant {k} accepts variant {k + 1}'s answer"
        assert not row["swapped_grader"], (
            f"variant {k}: the grader accepts another variant's answer"
        )
    answers = [json.dumps(r["literal"], sort_keys=True) for r in rows]
    assert len(set(answers)) == len(answers), "two variants have the same answer"


NUMERIC_KINDS = {"number", "array", "mapping", "function", "table_mapping"}


@pytest.mark.parametrize(("assignment", "gid"), ITEMS, ids=[f"{a}-{g}" for a, g in ITEMS])
def test_numeric_items_have_two_misconception_hints(assignment, gid):
    spec = SPECS[assignment][gid]
    if not any(p["kind"] in NUMERIC_KINDS for p in spec["parts"]):
        pytest.skip("no numeric part")
    hints = [m["hint"] for m in spec.get("misconceptions", [])]
    assert len(hints) >= 2, f"{assignment} {gid}: add at least two anticipated wrong answers"
    assert len(set(hints)) == len(hints), "each misconception needs its own hint"


def test_every_autograded_item_has_a_spec_and_a_selfcheck_cell():
    for assignment in ASSIGNMENTS:
        nb = nbformat.read(notebook_path(assignment), as_version=4)
        graded = grade_cells(nb)
        assert sorted(g for _, g in graded) == sorted(SPECS[assignment]), assignment
        for i, gid in graded:
            # The one verdict the learner reads comes right after the test cell (before any
            # other nbgrader cell), so it is the last message of the item.
            after = []
            for cell in nb.cells[i + 1 :]:
                if "nbgrader" in cell.metadata:
                    break
                after.append(cell)
            call = f'selfcheck.check("{assignment}", "{gid}")'
            cells = [c for c in after if c.cell_type == "code" and call in c.source]
            assert cells, f"{assignment} {gid}: no self-check cell calling {call} after its test"


def test_every_source_notebook_is_covered_or_pending():
    on_disk = {p.parent.name for p in SOURCE.glob("*/*.ipynb")}
    missing = sorted(on_disk - set(SPECS) - PENDING)
    assert not missing, f"assignments without self-checks: {missing}"


def test_stored_data_matches_the_specs():
    stored = selfcheck.load_data()["assignments"]
    assert sorted(stored) == ASSIGNMENTS, "run: .venv/bin/python tools/selfcheck_data.py"
    for assignment in ASSIGNMENTS:
        assert list(stored[assignment]) == list(SPECS[assignment]), assignment
        for gid, spec in SPECS[assignment].items():
            stored_spec = {
                k: v
                for k, v in stored[assignment][gid].items()
                if k not in ("record", "worked", "variants")
            }
            if "misconceptions" in stored_spec:
                stored_spec["misconceptions"] = [
                    {"hint": m["hint"]} for m in stored_spec["misconceptions"]
                ]
            assert json.loads(json.dumps(public(spec))) == stored_spec, (
                f"{assignment} {gid}: stored spec is out of date; "
                "run: .venv/bin/python tools/selfcheck_data.py " + assignment
            )


def _answer_cell(nb, test_index: int) -> int:
    """The item's first answer cell: the first solution code cell after the previous test cell."""
    start = 0
    for j in range(test_index - 1, -1, -1):
        meta = nb.cells[j].metadata.get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            start = j + 1
            break
    for j in range(start, test_index):
        meta = nb.cells[j].metadata.get("nbgrader", {})
        if meta.get("solution") and nb.cells[j].cell_type == "code":
            return j
    raise AssertionError(f"no answer cell before cell {test_index}")


@pytest.mark.slow
@pytest.mark.parametrize(
    "assignment",
    [pytest.param(a, marks=pytest.mark.xdist_group(f"notebook-{a}")) for a in ASSIGNMENTS],
)
def test_no_expected_answer_is_visible_above_its_answer_cell(verdicts, assignment):
    """Issue 12's leak test: the student version, run top to bottom, shows no expected value
    (within tolerance or rounding, also as a percentage) above the item's answer cell."""
    results = verdicts(assignment)
    release = RELEASE / assignment / f"{assignment}.ipynb"
    run = notebook_cache.executed(release)
    problems = []
    for i, gid in grade_cells(run):
        answer = _answer_cell(run, i)
        allowed = [
            float(x["value"])
            for x in run.cells[i].metadata.get("ketlearn", {}).get("leak_ok", [])
            if x.get("why")
        ]
        expected = [tuple(x) for x in results[gid][0]["expected"]]
        for row in results.get(f"{gid} variants", []):  # every variant's answer, not only ours
            expected += [tuple(x) for x in row["expected"]]
        for j, cell in enumerate(run.cells[:answer]):
            leaks = find_leaks(expected, visible_text(cell), allowed)
            problems += [f"{gid}: cell {j} {leak}" for leak in leaks]
    assert not problems, f"{assignment}: answers visible above their items:\n" + "\n".join(problems)


def _learners(assignment: str) -> tuple[str, str, str]:
    """Three student ids: A and B differ on every variant item; C gets none of A's variants."""
    gids = variant.items(assignment)[assignment]
    ids = [f"student{n:03d}" for n in range(400)]

    def draws(who: str) -> list[int]:
        return [variant.index(assignment, g, who) for g in gids]

    a = ids[0]
    others = [i for i in ids[1:] if all(x != y for x, y in zip(draws(a), draws(i), strict=True))]
    assert len(others) >= 2, "no two students differ on every variant item"
    return a, others[0], others[1]


def _mini_notebook(assignment: str, gids: list[str]):
    """The variant items alone: the notebook's imports, then each item's answer and test cell."""
    import ast

    nb = nbformat.read(notebook_path(assignment), as_version=4)
    imports = []
    for cell in nb.cells:
        if cell.cell_type != "code" or cell.metadata.get("nbgrader", {}).get("grade"):
            continue
        try:
            tree = ast.parse("\n".join(ln for ln in cell.source.splitlines() if ln[:1] != "%"))
        except SyntaxError:
            continue
        imports += [ast.unparse(n) for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    setup = nbformat.v4.new_code_cell("\n".join(dict.fromkeys(imports)))
    cells = [setup]
    graded = {g: i for i, g in grade_cells(nb)}
    for gid in gids:
        answer = nb.cells[_answer_cell(nb, graded[gid])]
        cells += [copy.deepcopy(answer), copy.deepcopy(nb.cells[graded[gid]])]
    mini = nbformat.v4.new_notebook(metadata=nb.metadata)
    mini.cells = cells
    return mini


def _answered(release_nb, gids: list[str], literals: dict[str, dict]):
    """The student version with each variant item's answer cell set to literal values."""
    out = copy.deepcopy(release_nb)
    for cell in out.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        test = gid.removesuffix("_answer") + "_tests"
        if cell.metadata.get("nbgrader", {}).get("solution") and test in literals:
            cell.source = "\n".join(f"{n} = {src}" for n, src in literals[test].items())
    return out


@pytest.mark.slow
@pytest.mark.parametrize(
    "assignment",
    [pytest.param(a, marks=pytest.mark.xdist_group(f"notebook-{a}")) for a in variant.items()],
)
def test_variants_through_nbgrader_autograde_and_ketlearn_grade(verdicts, assignment):
    """Issue 19 through the real pipelines: each student's own values score full marks; the
    values of a classmate with another variant score 0, under plain ``nbgrader autograde``
    (which runs the notebook in ``autograded/<student>/...``) and under ``ketlearn grade``
    (which passes the student id to the student's process and to the hidden tests)."""
    import shutil
    import sys
    import tempfile
    from pathlib import Path

    from nbgrader.api import Gradebook

    sys.path.insert(0, str(ROOT / "tools"))
    import release as release_tool

    from ketlearn.grading.runner import grade

    results = verdicts(assignment)
    gids = variant.items(assignment)[assignment]
    a, b, c = _learners(assignment)

    def literals(who: str) -> dict[str, dict]:
        return {
            g: results[f"{g} variants"][variant.index(assignment, g, who)]["literal"] for g in gids
        }

    submissions = {a: literals(a), b: literals(b), c: literals(a)}  # c hands in a's values
    roots = [release_tool.scratch_course(only=[assignment])]
    try:
        root = roots[0]
        nbformat.write(
            _mini_notebook(assignment, gids), root / "source" / assignment / f"{assignment}.ipynb"
        )
        release_tool.generate_in(root, [assignment])
        given = nbformat.read(root / "release" / assignment / f"{assignment}.ipynb", 4)
        for who, values in submissions.items():
            folder = root / "submitted" / who / assignment
            folder.mkdir(parents=True)
            nbformat.write(_answered(given, gids, values), folder / f"{assignment}.ipynb")
        # The same course, generated once, for the second grader.
        roots.append(Path(tempfile.mkdtemp(prefix="ketlearn-course-")))
        shutil.copytree(root, roots[1], dirs_exist_ok=True)
        api = release_tool.course_api(roots[0])
        for who in submissions:
            result = api.autograde(assignment, who, force=True, create=True)
            assert result["success"], result.get("log", "")[-2000:]
        report = grade(roots[1], workers=2, progress=False)
        assert report.exit_code == 0, report.summary()
        scores = []
        for root in roots:
            with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
                scores.append(
                    {
                        who: {
                            g.name: (g.auto_score, g.max_score)
                            for g in gb.find_submission(assignment, who).notebooks[0].grades
                            if g.name in gids
                        }
                        for who in submissions
                    }
                )
        nbgrader_scores, ketlearn_scores = scores
        assert ketlearn_scores == nbgrader_scores
        for who, expect_full in ((a, True), (b, True), (c, False)):
            for gid in gids:
                got, best = nbgrader_scores[who][gid]
                assert got == (best if expect_full else 0), (who, gid, got, best)
    finally:
        for root in roots:
            shutil.rmtree(root, ignore_errors=True)
