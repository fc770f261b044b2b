"""Misconception hints reach the autograder's feedback, through the real grading pipeline.

A scratch copy of the course, generated (tests/notebook_cache.py, once per session); students submit the instructor's solution
with an anticipated mistake appended to one answer cell, and one submits the solution as it is.
`ketlearn grade` grades them (student code runs in the grader's worker; the trusted side keeps
only the plain answers in its marker), then `ketlearn feedback` writes the HTML. The student
with the mistake must see its hint; the right answer must see none.

Two sources of mistakes: every anticipated wrong answer the course itself declares for this
assignment (``SPECS[...]["misconceptions"]``: the code is appended, the stored hint expected),
and one made here, independently of the course data: the right answer scaled by 1.5, hashed
with :func:`ketlearn.answers.make_record` from the solver's own recorded answer.
"""

from __future__ import annotations

import copy
import json
import secrets
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

NAME = "00-orientation"
SCALED_HINT = "You scaled the answer by 1.5 (a made-up mistake for this test)."


def _number_items(data: dict) -> list[str]:
    """Items whose parts the codec carries (no functions or figures), in notebook order."""
    return [
        gid
        for gid, spec in data["assignments"][NAME].items()
        if all(p["kind"] not in ("function", "figure") for p in spec["parts"])
    ]


def _with_code(source_nb, gid: str, names: list[str], code: str):
    """The solution notebook with ``code`` appended to the answer cell before test ``gid``."""
    nb = copy.deepcopy(source_nb)
    test = next(
        i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == gid
    )
    for cell in reversed(nb.cells[:test]):
        meta = cell.metadata.get("nbgrader", {})
        if (
            cell.cell_type == "code"
            and meta.get("solution")
            and any(n in cell.source for n in names)
        ):
            cell.source = cell.source.rstrip() + "\n" + code + "\n"
            return nb
    raise AssertionError(f"no answer cell for {gid} defines {names}")


# ----------------------------------------------------------------------------- the hint source
CHEAP = {"name": "scrypt", "n": 2**10, "r": 8, "p": 1, "dklen": 32}
PCT = [{"name": "f_pct", "kind": "number", "low": 0, "high": 100, "rel": 1e-3}]
FUNC = [{"name": "f", "kind": "function", "calls": [{"arg": 1.0, "out": {"kind": "number"}}]}]


def _source():
    from ketlearn.answers import make_record
    from ketlearn.answers.canonical import canonical_atoms
    from ketlearn.answers.regions import region_digests
    from ketlearn.grading.hints import SelfcheckHints

    def rec(parts, values):
        return make_record(parts, values, secrets.token_hex(16), CHEAP)

    right = rec(PCT, {"f_pct": 45.0})

    def on_right(values):  # how tools/selfcheck_data.py stores a hint
        return region_digests(canonical_atoms(PCT, values), right, CHEAP)

    items = {
        "q1_tests": {
            "parts": PCT,
            "record": right,
            "misconceptions": [
                {"hint": "fraction, not percent", "digests": on_right({"f_pct": 0.45})},
                {"hint": "mean, not median", "digests": on_right({"f_pct": 52.0})},
            ],
        },
        "q4_tests": {  # a hint with a record of its own (another lattice) is read too
            "parts": PCT,
            "record": right,
            "misconceptions": [
                {"hint": "mean, not median", "digests": on_right({"f_pct": 52.0})},
                {"hint": "fraction, not percent", "record": rec(PCT, {"f_pct": 0.45})},
            ],
        },
        "q2_tests": {"parts": PCT, "record": rec(PCT, {"f_pct": 45.0})},
        "q3_tests": {"parts": FUNC, "record": {}, "misconceptions": [{"hint": "x", "record": {}}]},
    }
    return SelfcheckHints({"kdf": CHEAP, "assignments": {"a": items}})


def test_hints_match_the_items_tolerance_in_order_and_are_cached():
    import numpy as np

    from ketlearn.grading.codec import encode

    hints = _source()
    assert hints.declares("a", "q1_tests") and not hints.declares("a", "q2_tests")
    assert hints.match("a", "q1_tests", {"f_pct": 0.45}) == "fraction, not percent"
    assert hints.match("a", "q1_tests", {"f_pct": 0.45 * (1 + 5e-4)}) == "fraction, not percent"
    assert hints.match("a", "q1_tests", {"f_pct": 0.45 * 1.01}) is None  # beyond rel=1e-3
    assert hints.match("a", "q1_tests", {"f_pct": encode(np.float64(52.0))}) == "mean, not median"
    assert hints.match("a", "q1_tests", {"f_pct": 45.0}) is None  # the right answer: no hint
    before = hints.derivations
    assert hints.match("a", "q1_tests", {"f_pct": 0.45}) == "fraction, not percent"
    assert hints.derivations == before  # cached
    assert hints.match("a", "q1_tests", {"f_pct": 7.0}) is None
    assert hints.derivations == before + 1  # one hash for a new answer, whatever the hints
    assert hints.match("a", "q4_tests", {"f_pct": 0.45}) == "fraction, not percent"
    assert hints.derivations == before + 3  # its own hash, then the own record's


def test_hints_never_fire_for_missing_malformed_or_function_answers():
    hints = _source()
    assert hints.match("a", "q1_tests", {}) is None
    assert hints.match("a", "q1_tests", {"f_pct": "0.45"}) is None
    assert hints.match("a", "q1_tests", {"f_pct": 450.0}) is None  # outside the stated range
    assert hints.match("a", "q3_tests", {"f": {"$": "callable", "name": "f"}}) is None
    assert hints.match("b", "q1_tests", {"f_pct": 0.45}) is None
    assert hints.derivations == 0


def test_prefetch_fills_the_cache_for_a_whole_class():
    hints = _source()
    requests = [("a", "q1_tests", {"f_pct": v}) for v in (0.45, 52.0, 7.0, 0.45, 52.0)]
    assert hints.prefetch(requests) == 3  # three distinct answers
    spent = hints.derivations
    assert [hints.match(*r) for r in requests] == [
        "fraction, not percent", "mean, not median", None, "fraction, not percent",
        "mean, not median",
    ]  # fmt: skip
    assert hints.derivations == spent


# ----------------------------------------------------------------------------- the real pipeline
@pytest.fixture(scope="module")
def graded():
    sys.path.insert(0, str(ROOT / "tools"))
    import notebook_cache
    import selfcheck_data

    from ketlearn.grading.cli import main
    from ketlearn.selfcheck import load_data

    data = copy.deepcopy(load_data())
    items = _number_items(data)
    assert items, f"{NAME} has no item with plain answers"
    root = notebook_cache.generated_course()  # every assignment generated (once, shared)
    source_nb = nbformat.read(root / "source" / NAME / f"{NAME}.ipynb", as_version=4)
    students: dict[str, tuple[str, str] | None] = {"solver": None}
    gid = items[0]
    names = [p["name"] for p in data["assignments"][NAME][gid]["parts"]]
    scale = "\n".join(f"{n} = {n} * 1.5" for n in names)
    students["scaled"] = (gid, scale)
    declared = selfcheck_data.SPECS[NAME]
    for item in items:
        for k, m in enumerate(declared[item].get("misconceptions", [])):
            students[f"m_{item}_{k}"] = (item, m["code"])
    for student, change in students.items():
        nb = source_nb
        if change:
            item, code = change
            parts = [p["name"] for p in data["assignments"][NAME][item]["parts"]]
            nb = _with_code(source_nb, item, parts, code)
        dest = root / "submitted" / student / NAME
        dest.mkdir(parents=True)
        nbformat.write(nb, dest / f"{NAME}.ipynb")
    assert main(["grade", "--course", str(root), "-j", "2", "--no-progress"]) == 0
    yield root, data, students
    shutil.rmtree(root, ignore_errors=True)


def _marker(root: Path, student: str) -> dict:
    return json.loads((root / "autograded" / student / NAME / ".ketlearn-grade.json").read_text())


def _feedback(root: Path, hints) -> dict[str, str]:
    from ketlearn.grading.feedback import write_feedback

    written, problems = write_feedback(root, [NAME], hints=hints)
    assert not problems, problems
    return {p.parent.parent.name: p.read_text(encoding="utf-8") for p in written}


@pytest.mark.slow
@pytest.mark.xdist_group("grading-hints")
def test_a_known_mistake_gets_its_hint_and_the_right_answer_none(graded):
    """The made-up mistake, hashed from the solver's own recorded answer."""
    from ketlearn.answers import make_record
    from ketlearn.grading.codec import decode
    from ketlearn.grading.hints import SelfcheckHints

    root, data, students = graded
    data = copy.deepcopy(data)  # the made-up hint must not reach the next test's stored data
    gid, _ = students["scaled"]
    spec = data["assignments"][NAME][gid]
    right = _marker(root, "solver")["items"][NAME][gid]
    assert right["passed"]
    wrong = {n: decode(v) * 1.5 for n, v in right["answers"].items()}
    record = make_record(spec["parts"], wrong, secrets.token_hex(16), data["kdf"])
    spec["misconceptions"] = [{"hint": SCALED_HINT, "record": record}]
    hints = SelfcheckHints(data)
    assert not _marker(root, "scaled")["items"][NAME][gid]["passed"]
    pages = _feedback(root, hints)
    assert SCALED_HINT in pages["scaled"]
    assert SCALED_HINT not in pages["solver"]
    assert hints.derivations <= 2 * len(students)  # only failed items are matched


@pytest.mark.slow
@pytest.mark.xdist_group("grading-hints")
def test_every_declared_misconception_reaches_the_feedback(graded):
    from ketlearn.grading.hints import SelfcheckHints

    root, data, students = graded
    declared = {s: c for s, c in students.items() if s.startswith("m_")}
    if not declared:
        pytest.skip(f"{NAME} declares no misconceptions for items with plain answers yet")
    pages = _feedback(root, SelfcheckHints())  # the package's own data
    stored = data["assignments"][NAME]
    for student, (gid, _) in declared.items():
        k = int(student.rsplit("_", 1)[1])
        hint = stored[gid]["misconceptions"][k]["hint"]
        assert not _marker(root, student)["items"][NAME][gid]["passed"], student
        assert hint in pages[student], f"{student}: the feedback lacks {hint!r}"
        assert hint not in pages["solver"]
