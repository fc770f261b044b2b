"""Every ValueError names the parameter, its unit and the valid range."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketlearn._validation import check_array, check_choice, check_number, describe_range


@pytest.mark.parametrize("bad", [-1, math.nan, math.inf, "3", None, True, [1]])
def test_check_number_message_names_parameter_unit_and_range(bad):
    with pytest.raises(ValueError) as err:
        check_number("dose_mg_per_kg", bad, unit="mg/kg", low=0)
    message = str(err.value)
    assert message.startswith("dose_mg_per_kg must be")
    assert ">= 0" in message and "(mg/kg)" in message and repr(bad) in message


@given(st.floats(min_value=0, max_value=10))
def test_values_in_range_pass_unchanged(x):
    assert check_number("x", x, low=0, high=10) == x


def test_exclusive_bounds_and_integers():
    with pytest.raises(ValueError, match=r"in \(0, 1\]"):
        check_number("p", 0, low=0, high=1, low_inclusive=False)
    assert check_number("n", 3.0, integer=True) == 3
    with pytest.raises(ValueError, match="whole number"):
        check_number("n", 3.5, integer=True)


def test_check_array_reports_count_and_first_bad_value():
    with pytest.raises(ValueError, match=r"2 bad value\(s\), first -1.0"):
        check_array("conc_um", [1, -1, -2], unit="µM", low=0)
    assert check_array("t", np.arange(3), ndim=1).dtype == float
    with pytest.raises(ValueError, match="1-dimensional"):
        check_array("t", [[1, 2]], ndim=1)


def test_check_choice_lists_options():
    with pytest.raises(ValueError, match="route must be one of 'iv', 'oral'; got 'im'"):
        check_choice("route", "im", ["iv", "oral"])


def test_describe_range():
    assert describe_range(None, 5, high_inclusive=False) == "< 5"
