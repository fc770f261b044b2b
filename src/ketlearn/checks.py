"""Answer checking shared by nbgrader test cells and students' self-checks.

A test must not trust the object a student hands it: an object can rig ``__eq__`` or
``__float__``, subclass ``float`` or ``ndarray``, and so pass a naive ``assert answer == 3.2``.
So every check first turns the answer into **plain data** of an exact built-in type, rejecting
anything else with a message that says what was expected, and only then compares, using
arithmetic on those plain values (not ``math.isclose`` or ``numpy.isclose``, which student code
could replace).

The conversions and the tolerance rule are defined once, in :mod:`ketlearn.answers` (the answer
model shared with self-checks and the grading codec); this module is the short name the course's
test cells use.

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

from .answers.compare import assert_close, is_close
from .answers.plain import AnswerTypeError, plain_array, plain_number, plain_table, plain_text

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
