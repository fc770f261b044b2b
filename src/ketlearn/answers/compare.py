"""How plain answers are compared: one tolerance rule for tests, self-checks and hashes.

An answer ``x`` matches an expected ``e`` when ``|x - e| <= max(rel*|e|, abs_tol)``, element by
element, with NaN matching only NaN in the same place. The comparison uses arithmetic on plain
values (not ``math.isclose`` or ``numpy.isclose``, which student code could replace).
"""

from __future__ import annotations

import numpy as np

from .plain import plain_array

__all__ = ["DEFAULT_REL", "assert_close", "is_close", "tolerance"]

#: The relative tolerance of a check unless the item says otherwise.
DEFAULT_REL = 1e-6


def tolerance(expected: float, rel: float = DEFAULT_REL, abs_tol: float = 0.0) -> float:
    """The largest accepted distance from ``expected``: ``max(rel*|expected|, abs_tol)``.

    >>> tolerance(200.0, rel=0.01), tolerance(0.0, rel=0.01, abs_tol=0.5)
    (2.0, 0.5)
    """
    return max(rel * abs(expected), abs_tol)


def _as_array(value: object, name: str) -> np.ndarray:
    return plain_array(value if type(value) in (list, tuple, np.ndarray) else [value], name)


def is_close(
    actual: object, expected: object, *, rel: float = DEFAULT_REL, abs_tol: float = 0.0
) -> bool:
    """True if plain numbers (or arrays of equal shape) agree within :func:`tolerance`.

    >>> is_close(0.1 + 0.2, 0.3)
    True
    >>> is_close([1.0, 2.0], [1.0, 2.1], rel=0.01)
    False
    """
    a = _as_array(actual, "actual")
    e = _as_array(expected, "expected")
    if a.shape != e.shape:
        return False
    if np.isnan(a).any() or np.isnan(e).any():
        return bool(np.array_equal(np.isnan(a), np.isnan(e))) and _within(
            a[~np.isnan(a)], e[~np.isnan(e)], rel, abs_tol
        )
    return _within(a, e, rel, abs_tol)


def _within(a: np.ndarray, e: np.ndarray, rel: float, abs_tol: float) -> bool:
    diff = np.abs(a - e)
    tol = np.maximum(rel * np.abs(e), abs_tol)
    return bool(np.all(diff <= tol))


def assert_close(
    actual: object,
    expected: object,
    *,
    rel: float = DEFAULT_REL,
    abs_tol: float = 0.0,
    name: str = "answer",
    hint: str = "",
) -> None:
    """Raise ``AssertionError`` (without revealing ``expected``) unless the values agree.

    >>> assert_close(2.0, 2.0000001)
    >>> assert_close(2.5, 2.0, name="t_half_min", hint="Use the terminal slope.")
    Traceback (most recent call last):
    ...
    AssertionError: t_half_min is not correct yet. Use the terminal slope.
    """
    if not is_close(actual, expected, rel=rel, abs_tol=abs_tol):
        raise AssertionError(f"{name} is not correct yet. {hint}".strip())
