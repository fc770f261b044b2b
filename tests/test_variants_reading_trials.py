"""Notebook 04's variant items (issue 19): the declared options are sound, and each is graded.

- q7 (risk ratio and odds ratio): every option names a treatment-arm and a control-arm rate row
  of the SAME published trial and outcome in ``datasets/trials_published.csv``, with its own
  ``source_key``; no option is the worked example's trial group or the item's old fixed answer.
- q1 (intention to treat): every option is a seed of the SIMULATED trial generator, not the
  seed of section 2's example trial.

That every variant is graded as its own (and another's answer is not) is checked for every
variant item by tests/test_selfcheck_verdicts.py.
"""

from __future__ import annotations

import pandas as pd

from ketlearn import data, variant

A = "04-reading-trials"
CSV = data.datasets_dir() / "trials_published.csv"


def test_q7_options_are_rate_rows_of_one_published_trial_and_outcome():
    rows = pd.read_csv(CSV).set_index("row_id")
    options = variant.preview("ada", A)  # also shows the declaration loads
    assert set(options["item"]) == {"q1_tests", "q7_tests"}
    for k in range(variant.count(A, "q7_tests")):
        with variant.force_index(k):
            p = variant.params(A, "q7_tests")
        t, c = rows.loc[p["treatment_row"]], rows.loc[p["control_row"]]
        assert t["study"] == c["study"] and t["measure"] == c["measure"], p
        assert t["measure"] in ("response_rate", "remission_rate"), p
        assert t["source_key"] == c["source_key"] and isinstance(t["source_key"], str), p
        assert pd.notna(t["n_treatment"]) and pd.notna(c["n_control"]), p
        assert 0 < t["estimate"] < 1 and 0 < c["estimate"] < 1, p
        assert not p["treatment_row"].startswith("sustain1"), "the worked example's trial"
        assert p["treatment_row"] != "transform2_response_trt", "the old fixed answer"


def test_q1_options_are_seeds_other_than_the_example_trial():
    seeds = []
    for k in range(variant.count(A, "q1_tests")):
        with variant.force_index(k):
            seeds.append(variant.params(A, "q1_tests")["seed"])
    assert 12 not in seeds and 2024 not in seeds  # section 2's ipd_dropout; the dataset's seed
    assert len(set(seeds)) == variant.count(A, "q1_tests")
