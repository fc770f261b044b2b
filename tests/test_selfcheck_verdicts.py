"""The self-check and the autograder give the same verdict, on every autograded item.

For each assignment with self-check data, the SOURCE notebook runs in a fresh kernel. Just
before each autograder test cell, with the solution's variables in place, the test runs both
the self-check (``selfcheck.evaluate``) and the test cell itself (visible and hidden tests) on:

- the solution: both must pass (this also shows the stored data is up to date);
- the blank answer (the answer cell's variables undefined, as in the released notebook before
  the learner writes anything): both must fail;
- every plausible wrong answer in :data:`WRONG` (code run on top of the solution): both fail.

It also checks that every autograded item has a self-check cell (a normal code cell, no nbgrader
metadata) between its answer cell and its test cell, and that the stored public description of
each item equals the specs in ``tools/selfcheck_data.py``.
"""

from __future__ import annotations

import json

import nbformat
import pytest
from conftest import SOURCE
from selfcheck_data import (
    SPECS,
    KernelSession,
    grade_cells,
    is_selfcheck_cell,
    notebook_path,
    public,
)

from ketlearn import selfcheck

MARK = "@@VERDICT@@"

# Plausible wrong answers, per assignment and grade_id: each is code run after the solution.
WRONG: dict[str, dict[str, list[str]]] = {
    "00-orientation": {
        "q1_tests": ["n_estimates = len(bio) - 1", "n_estimates = bio['route'].nunique()"],
        "q2_tests": [
            "median_f_intranasal_pct = "
            "bio.loc[bio['route'] == 'intranasal', 'bioavailability_pct'].mean()",
            "median_f_intranasal_pct = median_f_intranasal_pct / 100",
        ],
        "q3_tests": ["widest_route = 'oral'", "widest_range_pct = widest_range_pct - 1"],
        "q4_tests": [
            "def ng_per_ml_to_um(c):\n    return np.asarray(c, dtype=float) / 274.19",
            "def ng_per_ml_to_um(c):\n    return float(c) / 237.727",
            "def ng_per_ml_to_um(c):\n    return np.asarray(c, dtype=float) * 237.727",
        ],
    },
    "01-history": {
        "q1_tests": [
            "n_secondary = int((timeline['source_type'] == 'primary').sum())",
            "n_secondary = n_secondary + 1",
        ],
        "q2_tests": [
            "us_regulation_recent = timeline[(timeline['category'] == 'regulation')"
            " & (timeline['jurisdiction'] == 'US')]",
            "us_regulation_recent = us_regulation_recent.iloc[:-1]",
        ],
        "q3_tests": [
            "events_per_category = timeline.groupby('category', observed=True).size()",
            "events_per_category = events_per_category.iloc[1:]",
        ],
        "q4_tests": [
            "years_berman_to_spravato = 2019 - 2000",
            "years_berman_to_spravato = years_berman_to_spravato * 365.25",
        ],
        "q5_tests": [
            "decade_table = decade_table.iloc[1:]",
            "decade_table = decade_table.rename(columns={'n_events': 'count'})",
            "fig_decades = 'a figure'",
        ],
        "q6_tests": ["first_dose_verdict = 'A'", "first_dose_verdict = 'E'"],
        "q7_tests": ["approval_explanation = 'C'"],
    },
    "02-pharmacokinetics": {
        "q1_tests": [
            "auc_ng_h_per_ml = auc_ng_h_per_ml * 60",
            "auc_ng_h_per_ml = float(simulated_oral['plasma_ng_per_ml'].sum()) / 60",
        ],
        "q2_tests": [
            "t_half_terminal_min = t_half_terminal_min / 60",
            "t_half_terminal_min = t_half_terminal_min / np.log(2)",
        ],
        "q3_tests": [
            "k_fit_per_min, ka_fit_per_min = ka_fit_per_min, k_fit_per_min",
            "def one_compartment_oral(t, ka, k, v_over_f_l):\n"
            "    return 35.0 * ka / (v_over_f_l * (ka - k)) * (np.exp(-k * t) - np.exp(-ka * t))",
        ],
        "q4_tests": [
            "in_auc_ratio_high_vs_low = 1 / in_auc_ratio_high_vs_low",
            "in_auc_ratio_high_vs_low = 0.45 - 0.11",
        ],
        "q5_tests": [
            "cmax_ratio_bolus_vs_infusion = 1 / cmax_ratio_bolus_vs_infusion",
            "cmax_ratio_bolus_vs_infusion = 40.0",
        ],
        "q6_tests": ["peak_um = 185.0 * 237.73", "peak_um = 185.0 / 274.19"],
    },
    "03-nmda-neuroplasticity": {
        "q1_tests": [
            "def b_of_v(voltage_mv, mg_mm=1.0):\n"
            "    v = np.asarray(voltage_mv, dtype=float)\n"
            "    return 1.0 / (1.0 + (mg_mm / 3.57) * np.exp(0.062 * v))",
            "def b_of_v(voltage_mv, mg_mm=1.0):\n"
            "    return 1.0 / (1.0 + (1.0 / 3.57) * np.exp(-0.062 * float(voltage_mv)))",
        ],
        "q2_tests": ["v_half_mv = -v_half_mv", "v_half_mv = np.log(3.57) / 0.062 / 10"],
        "q3_tests": [
            "def block_fraction(conc_um, ki_um):\n    return ki_um / (conc_um + ki_um)",
            "def block_fraction(conc_um, ki_um):\n    return float(conc_um) / (conc_um + ki_um)",
        ],
        "q4_tests": [
            "s_block, r_block = r_block, s_block",
            "r_conc_matching_s_um = 0.78 * 0.3 / 1.4",
        ],
        "q5_tests": ["explanation = 'A'", "blocked_after_reopening = blocked_before_reopening"],
        "q6_tests": [
            "scenario_without_firing_change = 'disinhibition'",
            "scenario_without_firing_change = 'Block at rest'",
            "rate_e_rel_at_60 = rate_e_rel_at_60 - 1",
        ],
    },
    "04-reading-trials": {
        "q1_tests": [
            "itt_response_rate = itt_response_rate * 100",
            "itt_response_rate = {'control': 0.1, 'treatment': 0.2}",
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
            "nnt_remission_56 = round(nnt_remission_56)",
            "nnth_end_56 = nnth_end_56 / 100",
        ],
        "q5_tests": ["n_per_arm_3pt = n_per_arm_3pt - 1", "sd_change_transform2 = 10.0"],
        "q6_tests": ["expected_bias_points = 0.0", "mean_estimate_points = -2.5"],
        "q7_tests": ["or_response_t2 = 0.693 / 0.52", "rr_response_t2 = 0.693 - 0.52"],
    },
    "05-evidence-synthesis": {
        "q1_tests": ["se_transform3 = 0.07 + 7.20", "se_transform3 = (0.07 + 7.20) / 1.959964"],
        "q2_tests": ["pooled_fe_md = -pooled_fe_md", "pooled_fe_md = pooled_fe_md + 0.5"],
        "q3_tests": ["i2_bcg_pct = i2_bcg_pct / 100", "i2_bcg_pct = 100.0"],
        "q4_tests": ["pooled_rd = pooled_rd * 100", "pooled_rd = 1 / pooled_rd"],
        "q5_tests": ["nnt_response = 1 / pooled_rd", "nnt_response = math.floor(1 / pooled_rd)"],
        "q6_tests": ["egger_p_bcg = 1 - egger_p_bcg", "egger_p_bcg = egger_p_bcg / 2"],
        "q7_tests": ["risk_ketamine_24h = 3.94 * 0.088", "risk_ketamine_24h = 27.4"],
    },
    "06-media-literacy-misuse": {
        "q1_tests": [
            "f04_total = f04_total + 2",
            "f04_percent = 100 * f04_total / 28",
            "f04_scored_2 = f04_scored_2[::-1]",
        ],
        "q2_tests": [
            "kappa_ab, kappa_ab_quadratic = kappa_ab_quadratic, kappa_ab",
            "kappa_ab = 0.5",
        ],
        "q3_tests": [
            "risk_difference_pct_points = risk_difference_pct_points / 100",
            "nnh = 1 / risk_difference_pct_points",
            "implied_per_1000 = relative_risk",
        ],
        "q4_tests": ["test_precision = 1.0", "test_recall = test_recall * 100"],
        "q6_tests": [
            "verdicts = {'a': 'false', 'b': 'false', 'c': 'supported'}",
            "verdicts = {'a': 'unverifiable', 'b': 'misleading', 'c': 'supported'}",
            "verdicts = ['unverifiable', 'false', 'supported']",
        ],
        "q7_tests": [
            "relative_increase_pct = relative_increase_pct / 100",
            "absolute_increase_pct_points = absolute_increase_pct_points * 100",
        ],
    },
    "07-capstone": {
        "q1_tests": [
            "cmax_ratio_lozenge_vs_iv = 1 / cmax_ratio_lozenge_vs_iv",
            "auc_ratio_lozenge_vs_iv = 1.0",
            "auc_ratio_lozenge_vs_iv = cmax_ratio_lozenge_vs_iv",
        ],
        "q2_tests": [
            "block_at_lozenge_peak = float(receptor.inhibition("
            "pk.summary(lozenge_profile)['cmax_ng_per_ml'], receptor.get_preset('racemic').ki_um))",
            "mechanism_verdict = 'A'",
            "mechanism_verdict = 'D'",
        ],
        "q3_tests": [
            "pooled_remission_rd = pooled_remission_rd * 100",
            "nnt_remission = math.floor(1 / pooled_remission_rd)",
            "pooled_remission_rd = float(remission_rows['estimate'].mean())",
        ],
        "q4_tests": [
            "flag_categories = list(media.flag_text(ADVERT)['category'].astype(str))",
            "flag_categories = flag_categories[:-1]",
            "approval_sentence_category = 'vague_authority'",
            "flag_categories = ', '.join(flag_categories)",
        ],
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
                ]
                variants += [(f"wrong: {w}", w) for w in WRONG[assignment].get(gid, [])]
                for label, setup in variants:
                    ok, out = kernel.run(setup)
                    assert ok, f"{assignment} {gid}: variant {label!r} did not run: {out}"
                    verdict = _evaluate(kernel, assignment, gid)
                    grader_ok, grader_out = kernel.run(cell.source)
                    rows.append(
                        {"variant": label, "self": verdict, "grader": grader_ok, "out": grader_out}
                    )
                    kernel.run(restore)
                results[gid] = rows
            ok, out = kernel.run(cell.source)
            assert ok, f"{assignment} cell {i} failed: {out[-1500:]}"
            if is_selfcheck_cell(cell):
                assert "✔" in out, (
                    f"{assignment} cell {i}: the solution fails its self-check: {out}"
                )
    return results


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
    solution, blank, *wrong = rows
    assert solution["self"]["passed"], f"solution fails the self-check: {solution['self']}"
    assert solution["grader"], f"solution fails the autograder: {solution['out']}"
    assert not blank["self"]["passed"] and not blank["grader"]
    assert blank["self"]["kind"] == "missing"
    assert wrong, f"{assignment} {gid}: add at least one plausible wrong answer to WRONG"
    for row in wrong:
        assert not row["grader"], f"{row['variant']} passes the autograder: not a wrong answer"
        assert not row["self"]["passed"], f"{row['variant']} passes the self-check"
        assert "Traceback" not in row["self"]["message"]


def test_every_autograded_item_has_a_spec_and_a_selfcheck_cell():
    for assignment in ASSIGNMENTS:
        nb = nbformat.read(notebook_path(assignment), as_version=4)
        graded = grade_cells(nb)
        assert sorted(g for _, g in graded) == sorted(SPECS[assignment]), assignment
        for i, gid in graded:
            answer = max(
                j
                for j in range(i)
                if nb.cells[j].metadata.get("nbgrader", {}).get("solution")
                and nb.cells[j].cell_type == "code"
            )
            between = nb.cells[answer + 1 : i]
            call = f'selfcheck.check("{assignment}", "{gid}")'
            cells = [c for c in between if c.cell_type == "code" and call in c.source]
            assert cells, f"{assignment} {gid}: no self-check cell calling {call}"
            assert all("nbgrader" not in c.metadata for c in cells), "self-checks are plain cells"


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
            stored_spec = {k: v for k, v in stored[assignment][gid].items() if k != "record"}
            assert json.loads(json.dumps(public(spec))) == stored_spec, (
                f"{assignment} {gid}: stored spec is out of date; "
                "run: .venv/bin/python tools/selfcheck_data.py " + assignment
            )
