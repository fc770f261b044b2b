"""Input checks shared by every ketlearn module (private).

Every public function validates its arguments through these helpers, so bad input always
raises a :class:`ValueError` worded the same way: the parameter's name, its unit, the valid
range and what was received, e.g.::

    ValueError: dose_mg_per_kg must be a finite number >= 0 (mg/kg); got -1
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import numpy as np

__all__ = ["check_array", "check_choice", "check_number", "describe_range"]


def describe_range(
    low: float | None = None,
    high: float | None = None,
    *,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> str:
    """Words for a numeric range, e.g. ``'>= 0'`` or ``'in [0, 1]'``.

    >>> describe_range(0)
    '>= 0'
    >>> describe_range(0, 1, low_inclusive=False)
    'in (0, 1]'
    >>> describe_range()
    ''
    """
    fmt = "{:g}".format
    if low is not None and high is not None:
        left = "[" if low_inclusive else "("
        right = "]" if high_inclusive else ")"
        return f"in {left}{fmt(low)}, {fmt(high)}{right}"
    if low is not None:
        return (">= " if low_inclusive else "> ") + fmt(low)
    if high is not None:
        return ("<= " if high_inclusive else "< ") + fmt(high)
    return ""


def _message(name: str, what: str, rng: str, unit: str | None, got: object) -> str:
    unit_part = f" ({unit})" if unit else ""
    rng_part = f" {rng}" if rng else ""
    return f"{name} must be {what}{rng_part}{unit_part}; got {got!r}"


def check_number(
    name: str,
    value: object,
    *,
    unit: str | None = None,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
    integer: bool = False,
) -> float:
    """Return ``value`` as a plain float (or int) after checking it is finite and in range.

    Parameters
    ----------
    name : str
        Parameter name as the caller spells it (it carries the unit, e.g. ``weight_kg``).
    value : object
        What the caller passed. Booleans are rejected.
    unit : str, optional
        Unit shown in the message, e.g. ``"mg/kg"``.
    low, high : float, optional
        Range limits; ``None`` means unbounded.
    low_inclusive, high_inclusive : bool
        Whether the limits themselves are allowed.
    integer : bool
        Require a whole number and return an ``int``.

    Raises
    ------
    ValueError
        If ``value`` is not a finite real number in range.

    Examples
    --------
    >>> check_number("weight_kg", 70, unit="kg", low=0, low_inclusive=False)
    70.0
    >>> check_number("dose_mg_per_kg", -1, unit="mg/kg", low=0)
    Traceback (most recent call last):
    ...
    ValueError: dose_mg_per_kg must be a finite number >= 0 (mg/kg); got -1
    """
    what = "a whole number" if integer else "a finite number"
    rng = describe_range(low, high, low_inclusive=low_inclusive, high_inclusive=high_inclusive)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(_message(name, what, rng, unit, value))
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(_message(name, what, rng, unit, value))
    if integer and not x.is_integer():
        raise ValueError(_message(name, what, rng, unit, value))
    too_low = low is not None and (x < low if low_inclusive else x <= low)
    too_high = high is not None and (x > high if high_inclusive else x >= high)
    if too_low or too_high:
        raise ValueError(_message(name, what, rng, unit, value))
    return int(x) if integer else x


def check_array(
    name: str,
    values: object,
    *,
    unit: str | None = None,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
    ndim: int | None = None,
    min_size: int = 0,
) -> np.ndarray:
    """Return ``values`` as a float ndarray after checking every element is finite and in range.

    >>> check_array("time_min", [0, 1, 2], unit="min", low=0)
    array([0., 1., 2.])
    >>> check_array("conc_um", [0.1, float("nan")], unit="µM", low=0)
    Traceback (most recent call last):
    ...
    ValueError: conc_um must be finite numbers >= 0 (µM); got an array with 1 bad value(s), first nan
    """
    rng = describe_range(low, high, low_inclusive=low_inclusive, high_inclusive=high_inclusive)
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(_message(name, "finite numbers", rng, unit, values)) from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(
            f"{name} must be a {ndim}-dimensional array ({unit or 'no unit'}); "
            f"got shape {arr.shape}"
        )
    if arr.size < min_size:
        raise ValueError(f"{name} must have at least {min_size} value(s); got {arr.size}")
    bad = ~np.isfinite(arr)
    if low is not None:
        bad |= arr < low if low_inclusive else arr <= low
    if high is not None:
        bad |= arr > high if high_inclusive else arr >= high
    if bad.any():
        first = float(arr[bad].flat[0])
        unit_part = f" ({unit})" if unit else ""
        rng_part = f" {rng}" if rng else ""
        raise ValueError(
            f"{name} must be finite numbers{rng_part}{unit_part}; got an array with "
            f"{int(bad.sum())} bad value(s), first {first!r}"
        )
    return arr


def check_choice(name: str, value: object, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices`` (case-sensitive).

    >>> check_choice("route", "iv", ["iv", "im"])
    'iv'
    >>> check_choice("route", "IV drip", ["iv", "im"])
    Traceback (most recent call last):
    ...
    ValueError: route must be one of 'iv', 'im'; got 'IV drip'
    """
    options = list(choices)
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(repr(c) for c in options)
        raise ValueError(f"{name} must be one of {listed}; got {value!r}")
    return value
