"""Self-check and autograder give the same verdict, on generated answers of every kind.

Both paths are the real ones:

- **self-check**: :func:`ketlearn.selfcheck.evaluate_spec` on a record made by
  :func:`ketlearn.answers.make_record` from the expected value (canonicalise → quantise → hash),
  exactly what ``tools/selfcheck_data.py`` stores; only the scrypt cost is lowered so that
  hypothesis can try many answers;
- **autograder**: the answer is encoded as the student's grading worker encodes it
  (:func:`ketlearn.grading.codec.encode`, then JSON text), and a hidden test written like the
  course's is run on it by the trusted checker (:func:`ketlearn.grading.checker.check_item`,
  which decodes it with its own numpy and pandas).

The expected values are drawn by hypothesis and the hidden tests compare with them in plain
Python, independently of the self-check's lattice. Answers are drawn from the expected value in
many representations (int, float, Fraction, numpy scalars and arrays, pandas objects), nudged
inside or outside the tolerance, and from arbitrary values of every kind (strings, dicts, nested
lists, NaN and infinities, booleans, None, subclasses).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ketlearn import answers, selfcheck
from ketlearn.grading import checker, codec

#: The stored data uses scrypt with 32 MiB; the same function with a tiny cost keeps this fast.
CHEAP_KDF = {"name": "scrypt", "n": 2, "r": 1, "p": 1, "dklen": 32}
SALT = "5a" * 16
ROUTES = ["oral", "intranasal", "intravenous"]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Sneaky(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


def self_check_verdict(part: dict, expected: object, answer: object) -> bool:
    record = answers.make_record([part], {"answer": expected}, SALT, CHEAP_KDF)
    spec = {"title": "item", "parts": [part], "record": record}
    return selfcheck.evaluate_spec(spec, {"answer": answer}, CHEAP_KDF).passed


def grader_verdict(test_source: str, answer: object) -> bool:
    wire = codec.loads(codec.dumps(codec.encode(answer)))  # what the worker sends
    return checker.check_item("item_tests", test_source, {"answer": wire}, call=None).passed


def assert_same_verdict(part: dict, expected: object, test_source: str, answer: object) -> bool:
    ours = self_check_verdict(part, expected, answer)
    theirs = grader_verdict(test_source, answer)
    assert ours == theirs, f"self-check {ours}, autograder {theirs} for {answer!r}"
    return ours


# ----------------------------------------------------------------------------- answers
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.fractions(max_denominator=50)
    | st.text(max_size=8)
    | st.sampled_from([np.float64(2.5), np.float32(-1.5), np.int64(3), np.bool_(True)])
    | st.just(Sneaky(1.0))
)
anything = st.recursive(
    scalars,
    lambda kids: (
        st.lists(kids, max_size=3)
        | st.tuples(kids, kids)
        | st.dictionaries(st.text(max_size=4) | st.integers(0, 5), kids, max_size=3)
        | st.lists(st.floats(allow_nan=True), max_size=4).map(np.array)
        | st.lists(st.integers(-5, 5), max_size=4).map(lambda v: pd.Series(v, dtype="int64"))
        | st.lists(st.text(max_size=3), max_size=3).map(lambda v: pd.DataFrame({"id": v}))
    ),
    max_leaves=6,
)


def number_forms(x: float) -> list:
    """The same number written the ways a learner might hand it in."""
    forms = [x, Fraction(x), np.float64(x), np.float32(x), np.array([x]), np.array(x)]
    if float(x).is_integer() and abs(x) < 2**53:
        forms += [int(x), np.int64(int(x))]
    return forms


def near_boundary(x: float, e: float, rel: float, abs_tol: float) -> bool:
    """Within float rounding of the tolerance edge, where the verdicts may differ (documented)."""
    if not (math.isfinite(x) and math.isfinite(e)):
        return False
    tol = answers.tolerance(e, rel, abs_tol)
    return abs(abs(x - e) - tol) <= 1e-9 * max(tol, abs(e), 1e-300)


tolerances = st.tuples(st.sampled_from([1e-6, 1e-3, 0.05]), st.sampled_from([0.0, 1e-9, 0.02, 0.5]))
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
nudges = st.sampled_from([0.0, 0.0, -0.5, 0.5, -3.0, 3.0])


def number_test(expected: float, rel: float, abs_tol: float) -> str:
    return (
        "from ketlearn import checks\n"
        "value = checks.plain_number(answer, 'answer')\n"
        f"checks.assert_close(value, {expected!r}, rel={rel!r}, abs_tol={abs_tol!r})\n"
    )


# ----------------------------------------------------------------------------- properties
@SETTINGS
@given(e=finite, tol=tolerances, nudge=nudges, form=st.integers(0, 7), other=anything,
       use_other=st.booleans())  # fmt: skip
def test_numbers(e, tol, nudge, form, other, use_other):
    rel, abs_tol = tol
    x = e + nudge * answers.tolerance(e, rel, abs_tol)
    assume(not near_boundary(x, e, rel, abs_tol))
    forms = number_forms(x)
    answer = other if use_other else forms[form % len(forms)]
    if use_other and answers.plain_kind(other) in ("int", "float", "fraction", "npscalar"):
        with_number = other if answers.plain_kind(other) != "npscalar" else other.item()
        if type(with_number) in (int, float, Fraction):
            assume(not near_boundary(float(with_number), e, rel, abs_tol))
    part = {"name": "answer", "kind": "number", "rel": rel, "abs_tol": abs_tol}
    assert_same_verdict(part, e, number_test(e, rel, abs_tol), answer)


@SETTINGS
@given(n=st.integers(-5000, 5000), d=st.sampled_from([0.0, 1e-9, 0.3, 1.0]),
       form=st.integers(0, 7))  # fmt: skip
def test_counts(n, d, form):
    forms = number_forms(n + d)
    part = {"name": "answer", "kind": "number", "integer": True}
    assert_same_verdict(part, n, number_test(n, 1e-6, 0.0), forms[form % len(forms)])


@SETTINGS
@given(
    e=st.lists(finite, min_size=1, max_size=4),
    tol=tolerances,
    nudge=nudges,
    which=st.integers(0, 3),
    form=st.sampled_from(
        ["list", "tuple", "array", "series", "float32", "nested", "nan", "nullable"]
    ),
    other=anything,
    use_other=st.booleans(),
)
def test_arrays(e, tol, nudge, which, form, other, use_other):
    rel, abs_tol = tol
    x = list(e)
    i = which % len(x)
    x[i] = e[i] + nudge * answers.tolerance(e[i], rel, abs_tol)
    assume(not near_boundary(x[i], e[i], rel, abs_tol))
    shape = [len(e)]
    written = {
        "list": x,
        "tuple": tuple(Fraction(v) for v in x),
        "array": np.array(x),
        "series": pd.Series(x),
        "float32": np.array(x, dtype=np.float32),
        "nested": [x],
        "nan": [*x[:-1], math.nan],
        "nullable": pd.Series([*x[:-1], None], dtype="Float64"),
    }
    if form == "float32":
        assume(
            all(
                not near_boundary(float(np.float32(a)), b, rel, abs_tol)
                for a, b in zip(x, e, strict=True)
            )
        )
    answer = other if use_other else written[form]
    part = {"name": "answer", "kind": "array", "shape": shape, "rel": rel, "abs_tol": abs_tol}
    test = (
        "from ketlearn import checks\n"
        f"out = checks.plain_array(answer, 'answer', shape={tuple(shape)!r})\n"
        f"checks.assert_close(out, {list(e)!r}, rel={rel!r}, abs_tol={abs_tol!r})\n"
    )
    assert_same_verdict(part, list(e), test, answer)


@SETTINGS
@given(
    expected=st.sampled_from(ROUTES),
    answer=st.sampled_from([*ROUTES, " Oral ", "IV", "oral\n"]) | anything,
)
def test_choices(expected, answer):
    part = {"name": "answer", "kind": "choice", "case": "lower", "choices": ROUTES}
    test = (
        "from ketlearn import checks\n"
        "name = checks.plain_text(answer, 'answer').lower()\n"
        f"assert name == {expected!r}, 'not yet'\n"
    )
    assert_same_verdict(part, expected, test, answer)


VERDICTS = ["supported", "overstated", "misleading", "false"]


@SETTINGS
@given(
    a=st.sampled_from(VERDICTS),
    d=st.sampled_from([*VERDICTS, " Overstated", "MISLEADING"]),
    other=anything,
    use_other=st.booleans(),
)
def test_choice_maps_with_an_equivalent_label(a, d, other, use_other):
    # One key accepts two labels (06 q7 d); both sides must agree on which answers pass.
    part = {
        "name": "answer",
        "kind": "choice_map",
        "keys": ["a", "d"],
        "choices": VERDICTS,
        "equivalent": {"d": {"overstated": "misleading"}},
    }
    test = (
        "from ketlearn import checks\n"
        "v = {k: checks.plain_text(answer[k]).lower() for k in ('a', 'd')}\n"
        "assert type(answer) is dict and sorted(answer) == ['a', 'd']\n"
        "assert v['a'] == 'false' and v['d'] in {'misleading', 'overstated'}, 'not yet'\n"
    )
    answer = other if use_other else {"a": a, "d": d}
    passed = assert_same_verdict(part, {"a": "false", "d": "misleading"}, test, answer)
    if not use_other:
        assert passed == (a == "false" and d.strip().lower() in {"misleading", "overstated"})


labels = st.sampled_from(["oral", "intranasal", "iv", "1", "2"]) | st.integers(0, 3)


@SETTINGS
@given(
    expected=st.dictionaries(
        st.sampled_from(["oral", "intranasal", "iv"]), st.integers(0, 30), min_size=1, max_size=3
    ),
    form=st.sampled_from(["dict", "series", "categorical", "numpy", "fraction", "shuffled"]),
    change=st.sampled_from([None, "drop", "add", "bump", "nan"]),
    other=st.dictionaries(labels, scalars, max_size=3) | anything,
    use_other=st.booleans(),
)
def test_labelled_counts(expected, form, change, other, use_other):
    got = dict(expected)
    key = sorted(got)[0]
    if change == "drop":
        del got[key]
    elif change == "add":
        got["rectal"] = 1
    elif change == "bump":
        got[key] += 1
    elif change == "nan":
        got[key] = math.nan
    keys = list(got)
    if form == "shuffled":
        keys = keys[::-1]
    written = {
        "dict": got,
        "shuffled": {k: got[k] for k in keys},
        "series": pd.Series(got, dtype=float),
        "categorical": pd.Series(list(got.values()), index=pd.CategoricalIndex(keys), dtype=float),
        "numpy": {k: np.int64(v) if v == v else np.float64(v) for k, v in got.items()},
        "fraction": {k: Fraction(v) if v == v else v for k, v in got.items()},
    }
    answer = other if use_other else written[form]
    part = {"name": "answer", "kind": "mapping", "integer": True}
    test = (
        "from ketlearn import checks\n"
        "_got = {str(k): checks.plain_number(v, 'answer') for k, v in answer.items()}\n"
        f"_expected = {expected!r}\n"
        "assert sorted(_got) == sorted(_expected), 'labels'\n"
        "for k, n in _expected.items():\n"
        "    checks.assert_close(_got[k], n, abs_tol=0)\n"
    )
    assert_same_verdict(part, expected, test, answer)


ids = st.lists(st.sampled_from(["e1", "e2", "e3", "e4"]), min_size=1, max_size=4, unique=True)


@SETTINGS
@given(expected=ids, answer_ids=ids, extra=st.sampled_from([None, "numbers", "missing"]),
       other=anything, use_other=st.booleans())  # fmt: skip
def test_table_rows(expected, answer_ids, extra, other, use_other):
    table = {"event_id": answer_ids}
    if extra == "numbers":
        table["year"] = [1990 + i for i in range(len(answer_ids))]
    elif extra == "missing":
        table["note"] = [None] * len(answer_ids)
    answer = other if use_other else pd.DataFrame(table)
    part = {"name": "answer", "kind": "column_values", "column": "event_id"}
    test = (
        "from ketlearn import checks\n"
        "_table = checks.plain_table(answer, 'answer')\n"
        "assert 'event_id' in _table, 'keep the event_id column'\n"
        f"assert sorted(str(v) for v in _table['event_id']) == {sorted(expected)!r}\n"
    )
    assert_same_verdict(part, pd.DataFrame({"event_id": expected}), test, answer)


@SETTINGS
@given(
    rows=st.dictionaries(
        st.tuples(st.sampled_from([1960, 1970, 2000]), st.sampled_from(["science", "media"])),
        st.integers(1, 9),
        min_size=1,
        max_size=4,
    ),
    change=st.sampled_from(
        [None, "bump", "float_decades", "drop_column", "object", "infinite", "missing"]
    ),
)
def test_tables_keyed_by_two_columns(rows, change):
    cols = ["decade", "category", "n_events"]
    frame = pd.DataFrame([(d, c, n) for (d, c), n in rows.items()], columns=cols).astype(
        {"decade": "int64"}
    )
    answer = frame.copy()
    if change == "bump":
        answer.loc[0, "n_events"] += 1
    elif change == "float_decades":
        answer["decade"] = answer["decade"].astype(float)
    elif change == "drop_column":
        answer = answer.drop(columns="category")
    elif change in ("infinite", "missing"):
        answer["decade"] = answer["decade"].astype(float)
        answer.loc[0, "decade"] = math.inf if change == "infinite" else math.nan
    elif change == "object":
        answer["n_events"] = answer["n_events"].astype(object).map(Fraction)
    part = {
        "name": "answer",
        "kind": "table_mapping",
        "columns": cols,
        "keys": [["decade", "int"], ["category", "str"]],
        "value": "n_events",
        "integer": True,
    }
    expected = {(int(d), str(c)): n for (d, c), n in rows.items()}
    test = (
        "from ketlearn import checks\n"
        f"_t = checks.plain_table(answer, 'answer', columns={cols!r})\n"
        "_got = {}\n"
        "for d, c, n in zip(_t['decade'], _t['category'], _t['n_events'], strict=True):\n"
        "    _got[(int(d), str(c))] = checks.plain_number(n, 'n_events')\n"
        f"_expected = {expected!r}\n"
        "assert sorted(_got) == sorted(_expected)\n"
        "for k, n in _expected.items():\n"
        "    checks.assert_close(_got[k], n, abs_tol=0)\n"
    )
    passed = assert_same_verdict(part, frame, test, answer)
    assert passed == (change in (None, "float_decades", "object"))


def test_fractions_are_plain_on_both_sides():
    """The case that used to differ: Fraction passed the self-check and scored 0 when graded."""
    part = {"name": "answer", "kind": "number", "rel": 1e-6}
    assert assert_same_verdict(part, 0.25, number_test(0.25, 1e-6, 0.0), Fraction(1, 4))
    assert answers.plain_kind(codec.decode(codec.encode(Fraction(1, 4)))) == "fraction"


def test_categorical_labels_survive_the_trip():
    """A groupby on a categorical column gives a CategoricalIndex; its labels must cross."""
    part = {"name": "answer", "kind": "mapping", "integer": True}
    counts = pd.Series([3, 1], index=pd.CategoricalIndex(["media", "science"]))
    test = (
        "from ketlearn import checks\n"
        "_got = {str(k): checks.plain_number(v) for k, v in answer.items()}\n"
        "assert _got == {'media': 3.0, 'science': 1.0}\n"
    )
    assert assert_same_verdict(part, {"media": 3, "science": 1}, test, counts)


def _student_side_call(functions: dict):
    """The worker child's side of a call (ketlearn.grading.kernel): decode, call, encode."""

    def call(name, args, kwargs):
        try:
            value = functions[name](*codec.decode(args), **codec.decode(kwargs))
            return {"value": codec.loads(codec.dumps(codec.encode(value)))}
        except Exception as exc:
            return {"error": {"ename": type(exc).__name__, "evalue": str(exc)}}

    return call


FUNCTIONS = {
    "right": lambda c: np.asarray(c, dtype=float) / 237.727,
    "right_as_fractions": lambda c: (
        Fraction(c) / Fraction("237.727")
        if np.ndim(c) == 0
        else [Fraction(float(v)) / Fraction("237.727") for v in np.ravel(c)]
    ),
    "right_float32": lambda c: np.asarray(c, dtype=np.float32) / np.float32(237.727),
    "right_series": lambda c: (
        pd.Series(np.asarray(c, dtype=float) / 237.727) if np.ndim(c) else c / 237.727
    ),
    "series_for_scalars": lambda c: pd.Series(np.atleast_1d(c) / 237.727),
    "hydrochloride_mass": lambda c: np.asarray(c, dtype=float) / 274.19,
    "scalars_only": lambda c: float(c) / 237.727,
    "text": lambda c: "about 1 µM",
    "none": lambda c: None,
    "nan": lambda c: np.full(np.shape(c), np.nan),
    "subclass": lambda c: Sneaky(1.0),
}


@settings(max_examples=len(FUNCTIONS) * 2, deadline=None)
@given(which=st.sampled_from(sorted(FUNCTIONS)))
def test_function_answers(which):
    """Functions: the self-check calls them on the probe inputs; the checker through the worker."""
    fn = FUNCTIONS[which]
    part = {
        "name": "answer",
        "kind": "function",
        "calls": [
            {"arg": 237.727, "out": {"kind": "number", "rel": 1e-3}},
            {"arg": [0.0, 185.0, 1000.0], "array": True,
             "out": {"kind": "array", "shape": [3], "rel": 1e-3}},
        ],
    }  # fmt: skip
    test = (
        "from ketlearn import checks\n"
        "import numpy as np\n"
        "one = checks.plain_number(answer(237.727), 'answer(237.727)')\n"
        "checks.assert_close(one, 1.0, rel=1e-3)\n"
        "many = checks.plain_array(answer(np.array([0.0, 185.0, 1000.0])), 'many', shape=(3,))\n"
        "checks.assert_close(many, [0.0, 185.0 / 237.727, 1000.0 / 237.727], rel=1e-3)\n"
    )
    record = answers.make_record([part], {"answer": FUNCTIONS["right"]}, SALT, CHEAP_KDF)
    spec = {"title": "item", "parts": [part], "record": record}
    ours = selfcheck.evaluate_spec(spec, {"answer": fn}, CHEAP_KDF).passed
    wire = {"answer": codec.loads(codec.dumps(codec.encode(fn)))}
    theirs = checker.check_item("item_tests", test, wire, _student_side_call({"answer": fn})).passed
    assert ours == theirs, f"{which}: self-check {ours}, autograder {theirs}"
    assert ours == which.startswith("right")


@pytest.mark.parametrize("answer", [1.79504026e308, -1.7e308, 3.59538627e299, 5e-324])
@pytest.mark.parametrize("expected, tol", [(1.0, (0.001, 0.0)), (0.0, (0.0, 1e-300))])
def test_extreme_numbers_get_a_verdict_not_a_traceback(answer, expected, tol):
    # Found by hypothesis: quantising a number near the float limits overflowed.
    rel, abs_tol = tol
    part = {"name": "answer", "kind": "number", "rel": rel, "abs_tol": abs_tol}
    assert_same_verdict(part, expected, number_test(expected, rel, abs_tol), answer)
