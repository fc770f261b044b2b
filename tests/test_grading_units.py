"""Fast tests of the grading building blocks (no kernels, no nbgrader runs)."""

from __future__ import annotations

import math

import nbformat
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketlearn.grading import checker, codec, prepare
from ketlearn.grading.runner import GradeReport, Progress

plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda kids: (
        st.lists(kids, max_size=4)
        | st.tuples(kids, kids)
        | st.dictionaries(st.text(max_size=5), kids, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=50, deadline=None)
@given(plain)
def test_codec_round_trips_plain_values_exactly(value):
    back = codec.decode(codec.loads(codec.dumps(codec.encode(value))))
    assert back == value
    assert type(back) is type(value)


@pytest.mark.parametrize(
    "value",
    [
        np.arange(6, dtype=np.int32).reshape(2, 3),
        np.array([0.5, np.nan, -np.inf]),
        np.float32(1.5),
        pd.Series([1.0, None, 3.0], name="x"),
        pd.DataFrame({"a": [1, 2], "b": ["x", None]}),
        pd.DataFrame(
            {"c": pd.Categorical(["lo", "hi", "lo"], categories=["lo", "hi"], ordered=True)}
        ),
    ],
)
def test_codec_round_trips_numpy_and_pandas(value):
    back = codec.decode(codec.loads(codec.dumps(codec.encode(value))))
    assert type(back) is type(value)
    if isinstance(value, np.ndarray):
        np.testing.assert_array_equal(back, value)
        assert back.dtype == value.dtype
    elif isinstance(value, pd.Series):
        pd.testing.assert_series_equal(back, value)
    elif isinstance(value, pd.DataFrame):
        pd.testing.assert_frame_equal(back, value)
    else:
        assert back == value and back.dtype == value.dtype


def test_codec_turns_subclasses_and_objects_into_opaque_markers():
    class F(float):
        pass

    class A(np.ndarray):
        pass

    class D(pd.DataFrame):
        pass

    for obj in (F(1.0), np.zeros(2).view(A), D({"a": [1]}), object(), print):
        back = codec.decode(codec.encode(obj))
        assert isinstance(back, codec.Opaque), obj


def test_codec_carries_fractions_and_row_labels():
    from fractions import Fraction

    assert codec.decode(codec.encode(Fraction(-3, 8))) == Fraction(-3, 8)
    for bad in ({"$": "fraction", "n": 1, "d": 0}, {"$": "fraction", "n": 1.5, "d": 2}):
        with pytest.raises(codec.CodecError):
            codec.decode(bad)
    cats = pd.Series([3, 1], index=pd.CategoricalIndex(["media", "science"]))
    multi = pd.Series([1.0, 2.0], index=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)]))
    for series in (cats, multi):
        back = codec.decode(codec.loads(codec.dumps(codec.encode(series))))
        assert back.index.tolist() == series.index.tolist()
    stamped = pd.Series([1.0], index=pd.DatetimeIndex(["2019-03-05"]))
    back = codec.decode(codec.encode(stamped))
    assert isinstance(back.index[0], codec.Opaque)  # not silently renumbered 0, 1, ...


def test_codec_refuses_too_large_and_malformed_data():
    with pytest.raises(codec.CodecError):
        codec.encode(np.zeros(codec.MAX_ELEMENTS + 1))
    for bad in (
        {"$": "ndarray", "dtype": "V8", "shape": [1], "v": [0]},
        {"$": "pickle"},
        {"$": "tuple", "v": 3},
    ):
        with pytest.raises(codec.CodecError):
            codec.decode(bad)


def test_checker_uses_its_own_math_and_replays_calls():
    calls = []

    def call(name, args, kwargs):
        calls.append((name, codec.decode(args)))
        (x,) = codec.decode(args)
        return {"value": codec.encode(2 * x)}

    values = {"f": {"$": "callable"}, "math": {"$": "module", "name": "math"}}
    src = "assert f(2) == 4\nassert f(3.5) == 7.0\nassert math.isclose(f(1), 2)"
    outcome = checker.check_item("t", src, values, call)
    assert outcome.passed, outcome.message
    assert calls == [("f", [2]), ("f", [3.5]), ("f", [1])]
    assert math.isclose is not None  # the checker's math is this process's math


def test_checker_maps_student_exceptions_and_stderr():
    def raising(name, args, kwargs):
        return {"error": {"ename": "ValueError", "evalue": "bad dose"}}

    src = (
        "try:\n    f(-1)\nexcept ValueError:\n    pass\nelse:\n    raise AssertionError('no error')"
    )
    assert checker.check_item("t", src, {"f": {"$": "callable"}}, raising).passed
    noisy = checker.check_item("t", "import sys\nprint('x', file=sys.stderr)", {}, None)
    assert not noisy.passed and "stderr" in noisy.message


def test_checker_partial_credit_and_missing_name():
    out = checker.check_item("t", "0.5", {}, None)
    assert out.passed and out.outputs[-1]["data"]["text/plain"] == "0.5"
    missing = checker.check_item("t", "assert answer == 1", {}, None)
    assert not missing.passed and missing.message.startswith("NameError")


def _spec():
    tests = {
        "t1": prepare.TestCell(
            "t1", "assert a == 1\n### BEGIN HIDDEN TESTS\nassert a > 0\n### END HIDDEN TESTS\n", 1.0
        ),
        "t2": prepare.TestCell("t2", "assert b == 2", 1.0),
    }
    nbspec = prepare.NotebookSpec("nb", tests, {}, ["a1", "t1", "p2", "a2", "t2", "end"])
    return nbspec


def _cell(gid, src, **meta):
    cell = nbformat.v4.new_code_cell(src)
    if gid:
        cell.metadata["nbgrader"] = {"grade_id": gid, **meta}
    return cell


def test_restore_tests_puts_cells_back_and_reports_each_fault():
    spec = _spec()
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _cell("t2", "pass", grade=True),  # moved to the top and edited
        _cell("a1", "a = 1"),
        _cell("t2", "pass", grade=True),  # duplicated
        _cell("p2", ""),
        _cell("a2", "b = 2"),
        _cell("end", ""),
    ]  # t1 deleted
    prep = prepare.Prepared("A", "s", "nb")
    prepare._restore_tests(nb, spec, prep)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    assert ids == ["a1", "t1", "p2", "a2", "t2", "end"]
    assert nb.cells[1].source == spec.tests["t1"].source
    kinds = {f["kind"] for f in prep.faults}
    assert kinds == {
        "edited test cell",
        "duplicated test cell",
        "deleted test cell",
        "moved test cell",
    }


def test_student_copy_of_test_without_hidden_part_is_not_an_edit():
    spec = _spec()
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _cell("a1", "a = 1"),
        _cell("t1", "assert a == 1\n", grade=True),
        _cell("p2", ""),
        _cell("a2", ""),
        _cell("t2", "assert b == 2"),
        _cell("end", ""),
    ]
    prep = prepare.Prepared("A", "s", "nb")
    prepare._restore_tests(nb, spec, prep)
    assert prep.faults == []


def test_report_exit_status_and_progress(capsys):
    report = GradeReport(faults=[{"where": "s/a/nb", "kind": "timeout", "detail": "x"}])
    assert report.exit_code == 0
    report.faults.append(
        {"where": "t/a/nb", "kind": "corrupt notebook", "detail": "y", "needs_instructor": True}
    )
    assert report.exit_code == 1
    assert report.summary().splitlines()[2].startswith("  [NEEDS INSTRUCTOR] t/a/nb")
    bar = Progress(2)
    bar.update("s/a")
    bar.update("t/a", 1)
    assert "2/2" in capsys.readouterr().err


def test_later_tests_see_what_earlier_tests_defined():
    first = checker.check_item("t1", "import math\nexpected = 2 * 2", {}, None)
    second = checker.check_item(
        "t2", "assert answer == expected", {"answer": 4}, None, carry=first.defined
    )
    assert second.passed, second.message
    assert "answer" not in second.defined and "expected" in second.defined
