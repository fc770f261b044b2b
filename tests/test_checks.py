"""ketlearn.checks: answers become plain data before comparison, so rigged objects earn nothing."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketlearn import checks


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __float__(self):
        return 3.0


class RiggedFloat(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class RiggedArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)


@pytest.mark.parametrize(
    "rigged",
    [
        AlwaysEqual(),
        RiggedFloat(1.0),
        True,
        "3.0",
        None,
        [3.0],
        np.array([1.0, 2.0]),
        np.array(["3"]),
        np.array([AlwaysEqual()], dtype=object),
    ],
    ids=[
        "eq-object",
        "float-subclass",
        "bool",
        "str",
        "none",
        "list",
        "2-array",
        "str-array",
        "object-array",
    ],
)
def test_plain_number_rejects_anything_but_plain_numbers(rigged):
    with pytest.raises(checks.AnswerTypeError):
        checks.plain_number(rigged)


def test_plain_array_rejects_subclasses_and_object_arrays():
    rigged = np.array([1.0, 2.0]).view(RiggedArray)
    with pytest.raises(checks.AnswerTypeError):
        checks.plain_array(rigged)
    with pytest.raises(checks.AnswerTypeError):
        checks.plain_array(np.array([AlwaysEqual()], dtype=object))
    with pytest.raises(checks.AnswerTypeError):
        checks.plain_array([1.0, RiggedFloat(2.0)])


def test_plain_text_and_table():
    with pytest.raises(checks.AnswerTypeError):
        checks.plain_text(type("S", (str,), {"__eq__": lambda s, o: True})("x"))
    df = pd.DataFrame({"route": ["oral", None], "f": [20.0, float("nan")]})
    assert checks.plain_table(df) == {"route": ["oral", None], "f": [20.0, None]}
    with pytest.raises(checks.AnswerTypeError, match="columns"):
        checks.plain_table(df, columns=["route"])
    with pytest.raises(checks.AnswerTypeError):
        checks.plain_table(pd.DataFrame({"x": [AlwaysEqual()]}))


def test_assert_close_does_not_reveal_the_expected_value():
    with pytest.raises(AssertionError) as err:
        checks.assert_close(1.0, 123.456, name="x")
    assert "123" not in str(err.value)


def test_is_close_survives_monkeypatched_math(monkeypatch):
    monkeypatch.setattr(math, "isclose", lambda *a, **k: True)
    monkeypatch.setattr(np, "isclose", lambda *a, **k: True)
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    assert not checks.is_close(1.0, 2.0)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_is_close_is_reflexive_and_plain_number_round_trips(x):
    assert checks.plain_number(x) == x
    assert checks.is_close(x, x)


@given(
    st.floats(min_value=1e-6, max_value=1e6),
    st.floats(min_value=1e-4, max_value=0.5),
)
def test_relative_tolerance_boundary(expected, rel):
    inside = expected * (1 + rel * 0.99)
    outside = expected * (1 + rel * 1.01)
    assert checks.is_close(inside, expected, rel=rel)
    assert not checks.is_close(outside, expected, rel=rel)


def test_expect_number_checks_kind_and_range_only(capsys):
    checks.expect_number(5.0, "y", unit="mg", low=0, high=10)
    assert "plausible range (0 to 10 mg)" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="outside the plausible range"):
        checks.expect_number(-1.0, "y", low=0)
    with pytest.raises(checks.AnswerTypeError):
        checks.expect_number("5", "y")


def test_answered_is_calm_until_every_stub_is_replaced(capsys):
    assert not checks.answered("a", "b", namespace={"a": 1.0, "b": ...})
    assert "b still holds ..." in capsys.readouterr().out
    assert not checks.answered("a", namespace={})
    assert "a still holds" in capsys.readouterr().out
    assert checks.answered("a", "b", namespace={"a": 0, "b": None})
    assert capsys.readouterr().out == ""
    with pytest.raises(ValueError, match="names"):
        checks.answered("not a name", namespace={})


def test_unanswered_items_fail_under_nbgrader_validate_and_autograde(monkeypatch):
    for mode in ("validate", "autograde"):
        monkeypatch.setenv("NBGRADER_EXECUTION", mode)
        with pytest.raises(AssertionError, match="Not answered yet: a still holds"):
            checks.answered("a", namespace={"a": ...})
        assert checks.answered("a", namespace={"a": 1})
        assert not checks.answered("a", namespace={"a": ...}, quiet=True)  # not a test cell
    monkeypatch.delenv("NBGRADER_EXECUTION")
    assert not checks.answered("a", namespace={"a": ...})  # in JupyterLab: calm


def test_a_scaffold_with_blanks_left_is_not_answered_yet(capsys):
    def scaffold(x):
        y = ...  # a blank the learner has not filled in
        return np.asarray(x, dtype=float) * y

    def finished(x):
        return np.asarray(x, dtype=float) * 2

    def broken(x):
        return x.nope

    assert not checks.answered("f", namespace={"f": scaffold}, probe=(1.0,))
    assert "f still holds ..." in capsys.readouterr().out
    assert checks.answered("f", namespace={"f": finished}, probe=(1.0,))
    assert checks.answered("f", namespace={"f": broken}, probe=(1.0,))  # its own error shows next
    assert checks.answered("f", namespace={"f": scaffold})  # without a probe: defined is enough
