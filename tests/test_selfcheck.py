"""The self-check mechanism: tolerance agreement with checks.is_close, messages, secrecy.

The tolerance tests use a fast stand-in hash (sha256) so hypothesis can try many values; the
real scrypt hash is exercised on the stored course data at the end.
"""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ketlearn import checks, selfcheck
from ketlearn.answers import canonical as codec


def _fast(token, salt, kdf):
    return hashlib.sha256((salt + token).encode()).hexdigest()


def _agrees(part, expected, answer):
    rec = codec.expected_record(codec.flatten(part, expected), "00" * 16, hasher=_fast)
    try:
        atoms = codec.flatten(part, answer)
    except AssertionError:
        return False
    return codec.matches(atoms, rec, hasher=_fast)


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=50, deadline=None)
@given(
    e=finite,
    frac=st.floats(min_value=-3, max_value=3),
    rel=st.sampled_from([1e-6, 1e-3, 0.05]),
    abs_tol=st.sampled_from([0.0, 1e-9, 1e-6, 0.02, 0.3]),
)
def test_same_verdict_as_is_close_near_the_tolerance_boundary(e, frac, rel, abs_tol):
    # Exactly on the boundary, float rounding may tip either way (documented in selfcheck).
    assume(abs(abs(frac) - 1) > 1e-6)
    tol = max(rel * abs(e), abs_tol)
    x = e + frac * tol  # from well inside to well outside the tolerance
    part = {"name": "v", "kind": "number", "rel": rel, "abs_tol": abs_tol}
    assert _agrees(part, e, x) == checks.is_close(x, e, rel=rel, abs_tol=abs_tol)


@settings(max_examples=50, deadline=None)
@given(e=finite, x=finite)
def test_same_verdict_as_is_close_anywhere(e, x):
    part = {"name": "v", "kind": "number", "abs_tol": 1e-6}
    assert _agrees(part, e, x) == checks.is_close(x, e, abs_tol=1e-6)


@settings(max_examples=50, deadline=None)
@given(n=st.integers(-5000, 5000), d=st.floats(-1e-2, 1e-2))
def test_integer_items_accept_exactly_the_autograder_tolerance(n, d):
    part = {"name": "k", "kind": "number", "integer": True}
    assert _agrees(part, n, n + d) == checks.is_close(n + d, n)


def test_zero_expected_with_relative_tolerance_needs_exact_zero():
    part = {"name": "v", "kind": "number", "rel": 1e-3}
    assert _agrees(part, 0.0, 0.0) and _agrees(part, 0.0, -0.0)
    assert not _agrees(part, 0.0, 1e-12)


def test_sign_matters():
    part = {"name": "v", "kind": "number", "rel": 1e-3}
    assert not _agrees(part, -2.5, 2.5)


def test_arrays_mappings_tables_choices():
    arr = {"name": "a", "kind": "array", "shape": [2], "abs_tol": 1e-6}
    assert _agrees(arr, (1.0, 2.0), np.array([1.0, 2.0 + 1e-7]))
    assert not _agrees(arr, (1.0, 2.0), [2.0, 1.0])
    with pytest.raises(checks.AnswerTypeError, match=r"shape \(2,\)"):
        codec.flatten(arr, [1.0, 2.0, 3.0])
    mp = {"name": "m", "kind": "mapping", "integer": True, "drop_zero": True}
    assert _agrees(mp, pd.Series({"a": 2, "b": 0}), {"a": 2})
    assert not _agrees(mp, {"a": 2}, {"a": 2, "c": 1})
    col = {"name": "t", "kind": "column_values", "column": "id"}
    assert _agrees(col, pd.DataFrame({"id": ["x", "y"]}), pd.DataFrame({"id": ["y", "x"], "z": 1}))
    with pytest.raises(checks.AnswerTypeError, match="column 'id'"):
        codec.flatten(col, pd.DataFrame({"other": [1]}))
    ch = {"name": "c", "kind": "choice", "case": "upper", "choices": ["A", "B"]}
    assert _agrees(ch, "B", " b ") and not _agrees(ch, "B", "A")
    with pytest.raises(codec.Mismatch, match="one of"):
        codec.flatten(ch, "E")


def test_stored_data_holds_no_expected_values():
    data = selfcheck.load_data()
    for items in data["assignments"].values():
        for spec in items.values():
            for one in spec.get("variants", [spec]):  # items with variants: one record each
                rec = one["record"]
                assert set(rec) == {"salt", "lattice", "digest"}
                assert len(bytes.fromhex(rec["salt"])) == 16 and len(rec["digest"]) == 64
                for info in rec["lattice"]:
                    assert info in ("i", "x") or (info[0] in "ra" and 0 <= info[1] < 1)
            assert "record" not in spec or "variants" not in spec
    assert data["kdf"]["name"] == "scrypt" and data["kdf"]["n"] >= 2**15


def _stored_hints() -> list[tuple[str, str, dict, dict]]:
    """(assignment, item, right record, hint entry) of every stored misconception."""
    out = []
    for assignment, items in selfcheck.load_data()["assignments"].items():
        for gid, spec in items.items():
            for one in spec.get("variants", [spec]):
                out += [(assignment, gid, one["record"], m) for m in one.get("misconceptions", [])]
    return out


def test_hints_are_hashes_on_the_right_records_salt_never_values():
    hints = _stored_hints()
    on_lattice = [m for *_, m in hints if "digests" in m]
    assert len(on_lattice) >= 0.9 * len(hints), "most hints should cost no extra hash"
    for _, _, right, m in hints:
        assert set(m) in ({"hint", "digests"}, {"hint", "record"}), m
        if "digests" in m:
            assert m["digests"] == sorted(set(m["digests"])) and 1 <= len(m["digests"]) <= 16
            assert all(len(d) == 64 and int(d, 16) >= 0 for d in m["digests"])
            assert right["digest"] not in m["digests"]
        else:
            assert set(m["record"]) == {"salt", "lattice", "digest"}
            assert m["record"]["salt"] != right["salt"]


def test_a_wrong_answer_costs_one_hash_however_many_hints():
    from ketlearn.grading.hints import SelfcheckHints

    per_item: dict[tuple[str, str], list[dict]] = {}
    for assignment, gid, _, m in _stored_hints():
        per_item.setdefault((assignment, gid), []).append(m)

    def plain_numbers(key):
        parts = selfcheck.load_data()["assignments"][key[0]][key[1]]["parts"]
        return all(p["kind"] == "number" and not p.get("integer") for p in parts)

    (assignment, gid), many = max(
        (
            (key, ms)
            for key, ms in per_item.items()
            if all("digests" in m for m in ms) and plain_numbers(key)
        ),
        key=lambda kv: len(kv[1]),
    )
    assert len(many) >= 3, (assignment, gid)
    spec = selfcheck.load_data()["assignments"][assignment][gid]
    source = SelfcheckHints()
    wrong = {p["name"]: (p.get("low") or 0.0) + 1.2345e-3 for p in spec["parts"]}
    assert source.match(assignment, gid, wrong, student="t1") in (None, *[m["hint"] for m in many])
    assert source.derivations == 1


def test_each_query_costs_a_slow_hash():
    v = selfcheck.evaluate("00-orientation", "q2_tests", {"weighted_f_intranasal_pct": 12.0})
    assert not v.passed and v.kind == "wrong"
    assert v.seconds > 0.02  # scrypt with 32 MiB: tens of milliseconds at the very least


@pytest.mark.parametrize(
    ("answer", "kind", "words"),
    [
        ("15", "type", "plain number"),
        ([15.0, 1.0], "type", "plain number"),
        (float("nan"), "type", "not a finite number"),
        (150.0, "wrong", "outside 0 to 100 %"),
    ],
)
def test_bad_input_gets_a_message_not_a_traceback(answer, kind, words):
    v = selfcheck.evaluate("00-orientation", "q2_tests", {"weighted_f_intranasal_pct": answer})
    assert not v.passed and v.kind == kind and words in v.message
    assert "Traceback" not in v.message


def test_function_answers_that_crash_are_explained():
    def broken(c):
        return float(c) / 237.7

    v = selfcheck.evaluate("00-orientation", "q4_tests", {"ng_per_ml_to_um": broken})
    assert v.kind == "type" and "raised TypeError" in v.message and "numpy array" in v.message


def test_messages_never_contain_the_expected_value():
    v = selfcheck.evaluate("00-orientation", "q2_tests", {"weighted_f_intranasal_pct": 14.0})
    assert "16.4" not in v.message and "section" in v.message


def test_missing_variable_and_unknown_items():
    v = selfcheck.evaluate("00-orientation", "q1_tests", {})
    assert v.kind == "missing" and "available_mg_wafer" in v.message
    with pytest.raises(ValueError, match="assignment must be one of"):
        selfcheck.evaluate("99-nothing", "q1_tests", {})
    with pytest.raises(ValueError, match="item must be one of"):
        selfcheck.evaluate("00-orientation", "q9_tests", {})


def test_check_reads_the_callers_globals_and_prints(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("KETLEARN_PROGRESS_FILE", str(tmp_path / "p.json"))
    ns = {"selfcheck": selfcheck, "available_mg_wafer": 7.25}
    exec('selfcheck.check("00-orientation", "q1_tests")', ns)
    assert "✔" in capsys.readouterr().out
    saved = json.loads((tmp_path / "p.json").read_text())
    assert saved["assignments"]["00-orientation"]["q1_tests"]["passed"] is True


def test_lattice_offsets_reveal_only_the_grid():
    # Two answers on the same tolerance grid get the same offset, so the offset alone cannot
    # tell them apart; only the hash can.
    part = {"name": "v", "kind": "number", "abs_tol": 0.5}
    a = codec.expected_record(codec.flatten(part, 3.25), "00" * 16, hasher=_fast)
    b = codec.expected_record(codec.flatten(part, 7.25), "00" * 16, hasher=_fast)
    assert a["lattice"] == b["lattice"] and a["digest"] != b["digest"]
    assert math.isclose(a["lattice"][0][1], 0.25)


def test_works_without_nbgrader():
    code = (
        "import sys; sys.modules['nbgrader'] = None\n"
        "from ketlearn import selfcheck\n"
        "v = selfcheck.evaluate('00-orientation', 'q1_tests', {'available_mg_wafer': 7.25})\n"
        "assert v.passed and 'nbgrader' not in [m.split('.')[0] for m in sys.modules if sys.modules[m]]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_student_function_falls_back_calmly(capsys):
    """Build, then reuse: a missing or wrong function is replaced by the package's, with a notice;
    a right one is used."""

    def package(c):
        return np.asarray(c, dtype=float) / 237.727

    def wrong(c):
        return np.asarray(c, dtype=float) * 237.727

    def nothing_yet(c):
        return ...

    for theirs in (None, ..., wrong, nothing_yet):
        ns = {} if theirs is None else {"ng_per_ml_to_um": theirs}
        used = selfcheck.student_function(
            "00-orientation", "q4_tests", "ng_per_ml_to_um", package, ns
        )
        assert used is package
        assert "instead" in capsys.readouterr().out
    ns = {"ng_per_ml_to_um": lambda c: np.asarray(c, dtype=float) / 237.727, "np": np}
    used = selfcheck.student_function("00-orientation", "q4_tests", "ng_per_ml_to_um", package, ns)
    assert used is ns["ng_per_ml_to_um"]
    assert "your ng_per_ml_to_um" in capsys.readouterr().out
    with pytest.raises(ValueError, match="fallback"):
        selfcheck.student_function("00-orientation", "q4_tests", "x", 3, {})


def test_a_scaffold_with_blanks_left_is_not_answered_yet():
    """A scaffolded function whose ... blanks are not filled in (it returns ..., or fails on an
    ... it still holds) is 'not answered yet', not wrong; a function that raises for another
    reason is reported as an error in the learner's code."""

    def untouched(c):
        y = ...  # a blank
        return y

    def half_done(c):
        y = ...
        return np.asarray(c, dtype=float) * y

    def broken(c):
        raise ZeroDivisionError("division by zero")

    for fn in (untouched, half_done):
        v = selfcheck.evaluate("00-orientation", "q4_tests", {"ng_per_ml_to_um": fn, "np": np})
        assert v.kind == "missing" and "not answered yet" in v.message, v.message
        assert "... blanks" in v.message
    v = selfcheck.evaluate("00-orientation", "q4_tests", {"ng_per_ml_to_um": broken})
    assert v.kind == "type" and "ZeroDivisionError" in v.message
