"""Answer checking shared by nbgrader test cells and students' self-checks.

A test must not trust the object a student hands it: an object can rig ``__eq__`` or
``__float__``, subclass ``float`` or ``ndarray``, and so pass a naive ``assert answer == 3.2``.
So every check first turns the answer into **plain data** of an exact built-in type, rejecting
anything else with a message that says what was expected, and only then compares, using
arithmetic on those plain values (not ``math.isclose`` or ``numpy.isclose``, which student code
could replace).

This closes the cheap tricks; a student who deliberately rewrites the kernel's machinery is a
different threat, handled by grading outside the student's kernel (see the instructor guide).

Functions
---------
plain_number, plain_array, plain_text, plain_table
    Convert an answer to plain data or raise :class:`AnswerTypeError`.
is_close, assert_close
    Compare plain numbers or arrays with a relative and absolute tolerance.
expect_number
    A visible self-check: "is this a number, in a plausible range, in the right unit?"
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

__all__ = [
    "AnswerTypeError",
    "assert_close",
    "expect_number",
    "is_close",
    "plain_array",
    "plain_number",
    "plain_table",
    "plain_text",
]

_PLAIN_SCALARS = (int, float, Fraction)


class AnswerTypeError(AssertionError):
    """The answer is not of the expected kind (type, shape or unit); the message says which."""


def _numpy_scalar(value: object) -> bool:
    t = type(value)
    return t.__module__ == "numpy" and isinstance(value, (np.integer, np.floating))


def plain_number(value: object, name: str = "answer") -> float:
    """Return ``value`` as a built-in float if it is a plain real number.

    Accepted: exact ``int``, ``float`` or ``Fraction``, numpy integer or floating scalars, and
    numpy arrays holding exactly one number. Rejected: ``bool``, strings, subclasses of numbers,
    and any other object, however it behaves.

    >>> plain_number(3)
    3.0
    >>> plain_number(np.float32(0.5))
    0.5
    >>> class Sneaky(float):
    ...     def __eq__(self, other):
    ...         return True
    >>> plain_number(Sneaky(1.0))
    Traceback (most recent call last):
    ...
    ketlearn.checks.AnswerTypeError: answer must be a plain number (int or float); got a Sneaky
    """
    t = type(value)
    if t in _PLAIN_SCALARS:
        return float(value)
    if _numpy_scalar(value):
        return float(value.item())
    if t is np.ndarray and value.size == 1 and value.dtype.kind in "iuf":
        return float(value.reshape(-1)[0].item())
    raise AnswerTypeError(f"{name} must be a plain number (int or float); got a {t.__name__}")


def plain_array(
    value: object, name: str = "answer", *, shape: tuple[int, ...] | None = None
) -> np.ndarray:
    """Return ``value`` as a new float ndarray if it holds only plain numbers.

    Accepted: lists or tuples (nested allowed) of plain numbers, exact numpy arrays of integer
    or float dtype, and exact pandas Series of such dtype.

    >>> plain_array([1, 2.5])
    array([1. , 2.5])
    >>> plain_array([1, 2], shape=(3,))
    Traceback (most recent call last):
    ...
    ketlearn.checks.AnswerTypeError: answer must have shape (3,); got shape (2,)
    """
    t = type(value)
    if t in (list, tuple):
        arr = np.array([_plain_nested(v, name) for v in value], dtype=float)
    elif t is np.ndarray and value.dtype.kind in "iuf":
        arr = np.array(value, dtype=float, copy=True)
    elif t.__module__.startswith("pandas") and t.__name__ == "Series":
        if value.dtype.kind not in "iuf":
            raise AnswerTypeError(f"{name} must hold numbers; got a Series of {value.dtype}")
        arr = np.array(value.to_numpy(dtype=float), dtype=float, copy=True)
    else:
        raise AnswerTypeError(
            f"{name} must be a list or numpy array of numbers; got a {t.__name__}"
        )
    if shape is not None and arr.shape != tuple(shape):
        raise AnswerTypeError(f"{name} must have shape {tuple(shape)}; got shape {arr.shape}")
    return arr


def _plain_nested(value: object, name: str):
    if type(value) in (list, tuple):
        return [_plain_nested(v, name) for v in value]
    return plain_number(value, name)


def plain_text(value: object, name: str = "answer") -> str:
    """Return ``value`` stripped of surrounding white space if it is an exact ``str``.

    >>> plain_text("  oral ")
    'oral'
    """
    if type(value) is not str:
        raise AnswerTypeError(f"{name} must be text (a str); got a {type(value).__name__}")
    return "".join(value).strip()


def plain_table(
    value: object, name: str = "answer", *, columns: list[str] | None = None
) -> dict[str, list]:
    """Return a DataFrame's contents as ``{column: [plain values]}``.

    Numbers become floats, text stays text, missing values become ``None``.

    >>> import pandas as pd
    >>> plain_table(pd.DataFrame({"route": ["oral"], "f_pct": [20]}))
    {'route': ['oral'], 'f_pct': [20.0]}
    """
    t = type(value)
    if not (t.__module__.startswith("pandas") and t.__name__ == "DataFrame"):
        raise AnswerTypeError(f"{name} must be a pandas DataFrame; got a {t.__name__}")
    names = [str(c) for c in value.columns]
    if columns is not None and sorted(names) != sorted(columns):
        raise AnswerTypeError(
            f"{name} must have the columns {sorted(columns)}; got {sorted(names)}"
        )
    out: dict[str, list] = {}
    for label, key in zip(value.columns, names, strict=True):
        cells = []
        for item in value[label].tolist():
            if item is None or (type(item) is float and item != item):
                cells.append(None)
            elif type(item) is str:
                cells.append("".join(item))
            elif type(item) is bool or type(item) is np.bool_:
                cells.append(bool(item))
            elif type(item) in _PLAIN_SCALARS or _numpy_scalar(item):
                cells.append(plain_number(item, f"{name}[{key!r}]"))
            elif type(item).__name__ in ("NAType", "NaTType"):
                cells.append(None)
            else:
                raise AnswerTypeError(
                    f"{name}[{key!r}] must hold numbers or text; found a {type(item).__name__}"
                )
        out[key] = cells
    return out


def is_close(actual: object, expected: object, *, rel: float = 1e-6, abs_tol: float = 0.0) -> bool:
    """True if plain numbers (or arrays of equal shape) agree within ``max(rel*|expected|, abs_tol)``.

    >>> is_close(0.1 + 0.2, 0.3)
    True
    >>> is_close([1.0, 2.0], [1.0, 2.1], rel=0.01)
    False
    """
    a = plain_array(actual if type(actual) in (list, tuple, np.ndarray) else [actual], "actual")
    e = plain_array(
        expected if type(expected) in (list, tuple, np.ndarray) else [expected], "expected"
    )
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
    rel: float = 1e-6,
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


def expect_number(
    value: object,
    name: str = "answer",
    *,
    unit: str = "",
    low: float | None = None,
    high: float | None = None,
) -> None:
    """A visible self-check: is ``value`` a plain number in a plausible range?

    It says nothing about whether the answer is right, only whether it is the right kind of
    thing, so students can run it freely.

    >>> expect_number(240.0, "cmax_ng_per_ml", unit="ng/mL", low=0, high=5000)
    cmax_ng_per_ml: a number in the plausible range (0 to 5000 ng/mL). Now run the test cell.
    >>> expect_number(-3, "cmax_ng_per_ml", unit="ng/mL", low=0)
    Traceback (most recent call last):
    ...
    AssertionError: cmax_ng_per_ml = -3 is outside the plausible range (0 to any ng/mL): check the units and the sign.
    """
    x = plain_number(value, name)
    lo = "any" if low is None else f"{low:g}"
    hi = "any" if high is None else f"{high:g}"
    rng = f"{lo} to {hi} {unit}".strip()
    if (low is not None and x < low) or (high is not None and x > high) or x != x:
        raise AssertionError(
            f"{name} = {x:g} is outside the plausible range ({rng}): check the units and the sign."
        )
    print(f"{name}: a number in the plausible range ({rng}). Now run the test cell.")
