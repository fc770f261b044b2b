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
answered, is_stub
    The guard of every visible test: "has the learner replaced the ``...`` stub (or filled in
    every ``...`` blank of a scaffolded function) yet?"
expect_number
    A visible self-check: "is this a number, in a plausible range, in the right unit?"
"""

from __future__ import annotations

import os
import sys

from .answers.canonical import Unfinished, call_answer
from .answers.compare import assert_close, is_close
from .answers.plain import AnswerTypeError, plain_array, plain_number, plain_table, plain_text

__all__ = [
    "AnswerTypeError",
    "answered",
    "assert_close",
    "expect_number",
    "is_close",
    "is_stub",
    "plain_array",
    "plain_number",
    "plain_table",
    "plain_text",
]


def is_stub(value: object, probe: tuple | None = None) -> bool:
    """True for the ``...`` stub, and (given ``probe`` arguments) for a scaffolded function
    whose ``...`` blanks are not all filled in yet: called on ``probe`` it returns ``...`` or
    fails on the ``...`` it still holds.

    >>> def half(x):
    ...     y = ...  # a blank
    ...     return y / 2
    >>> is_stub(...), is_stub(half, probe=(1.0,)), is_stub(abs, probe=(1.0,)), is_stub(0.0)
    (True, True, False, False)
    """
    if value is ...:
        return True
    if probe is None or not callable(value):
        return False
    try:
        call_answer(value, tuple(probe), "", "")
    except Unfinished:
        return True
    except AnswerTypeError:
        return False  # another error: answered, and the visible checks will say what is wrong
    return False


def answered(
    *names: str, namespace: dict | None = None, probe: tuple | None = None, quiet: bool = False
) -> bool:
    """Has the learner answered yet? True when every variable is defined and not ``...``.

    Every answer cell starts with a stub such as ``dose_mg_per_kg = ...``; the visible part of
    a test cell runs its checks only once the learner has replaced it, so Run All on a fresh
    notebook reaches the end with one calm line per unanswered item instead of a traceback.
    The hidden tests do not use this guard: an unanswered item scores 0.

    Parameters
    ----------
    *names : str
        The answer's variable names.
    namespace : dict, optional
        Where to look; by default the caller's global namespace (the notebook's variables).
    probe : tuple, optional
        Arguments to call function answers with, to tell a scaffold whose ``...`` blanks are
        not filled in yet (see :func:`is_stub`) from a finished function.
    quiet : bool
        Only answer the question: print nothing and never raise. For cells that are not test
        cells (e.g. one that shows the learner's own answer once there is one).

    Returns
    -------
    bool
        True if all are answered; otherwise prints which are not and returns False.

    Raises
    ------
    AssertionError
        Instead of printing, when nbgrader validates or autogrades the notebook
        (``NBGRADER_EXECUTION`` is ``validate`` or ``autograde``): its Validate button and the
        autograder count a cell as failed only when it raises, so an unanswered item fails
        there while Run All in JupyterLab stays calm.

    Examples
    --------
    >>> answered("t_half_min", namespace={"t_half_min": 150.0})
    True
    >>> answered("t_half_min", "auc", namespace={"t_half_min": ...})
    ○ Not answered yet: t_half_min and auc still hold ... (write or finish your answer in the answer cell above, then run it).
    False
    """
    if not names or not all(isinstance(n, str) and n.isidentifier() for n in names):
        raise ValueError(f"names must be one or more variable names (str); got {names!r}")
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    missing = [n for n in names if is_stub(namespace.get(n, ...), probe)]
    if not missing or quiet:
        return not missing
    listed = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " and " + missing[-1]
    verb = "holds" if len(missing) == 1 else "hold"
    message = (
        f"○ Not answered yet: {listed} still {verb} ... "
        "(write or finish your answer in the answer cell above, then run it)."
    )
    if os.environ.get("NBGRADER_EXECUTION") in ("validate", "autograde"):
        # nbgrader's Validate button and the autograder judge a cell by whether it raises:
        # there an unanswered item must fail, with the same calm message.
        raise AssertionError(message)
    print(message)
    return False


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
