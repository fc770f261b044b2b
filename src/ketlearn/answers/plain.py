"""What a plain answer is: exact built-in, numpy and pandas types, and how to get one.

A test must not trust the object a student hands it: an object can rig ``__eq__`` or
``__float__``, subclass ``float`` or ``ndarray``, and so pass a naive ``assert answer == 3.2``.
So every check first turns the answer into **plain data** of an exact type, rejecting anything
else with a message that says what was expected.

:func:`plain_kind` is the one list of plain types: the grading codec
(:mod:`ketlearn.grading.codec`) carries exactly these across the trust boundary (everything else
becomes an opaque marker), so an answer the conversions below accept in a learner's kernel is
also accepted, unchanged, by the autograder's checker.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

__all__ = [
    "PLAIN_NUMBERS",
    "AnswerTypeError",
    "is_numpy_number",
    "plain_array",
    "plain_kind",
    "plain_label",
    "plain_number",
    "plain_table",
    "plain_text",
]

#: Exact Python types accepted as numbers (``bool`` is deliberately not one).
PLAIN_NUMBERS = (int, float, Fraction)
_ATOMS = {type(None): "none", bool: "bool", int: "int", float: "float", str: "str"}
_CONTAINERS = {
    Fraction: "fraction",
    complex: "complex",
    list: "list",
    tuple: "tuple",
    dict: "dict",
    set: "set",
    frozenset: "frozenset",
}


class AnswerTypeError(AssertionError):
    """The answer is not of the expected kind (type, shape or unit); the message says which."""


AnswerTypeError.__module__ = "ketlearn.answers"


def _is_pandas(value: object, name: str) -> bool:
    t = type(value)
    return t.__name__ == name and t.__module__.startswith("pandas")


def is_numpy_number(value: object) -> bool:
    """True for an exact numpy integer or floating scalar (not ``np.bool_``, not a subclass).

    >>> is_numpy_number(np.float32(1)), is_numpy_number(np.bool_(True)), is_numpy_number(1.0)
    (True, False, False)
    """
    t = type(value)
    return t.__module__ == "numpy" and isinstance(value, (np.integer, np.floating))


def plain_kind(value: object) -> str | None:
    """The kind of plain data ``value`` is, or None if it is not plain data.

    Kinds: ``none``, ``bool``, ``int``, ``float``, ``str``, ``fraction``, ``complex``, ``list``,
    ``tuple``, ``dict``, ``set``, ``frozenset`` (exact built-in types), ``npscalar`` (numpy
    bool, integer, floating or complex scalars), ``ndarray`` (exact ``numpy.ndarray``),
    ``series`` and ``frame`` (exact pandas Series and DataFrame). Containers are plain as
    containers; their items are judged one by one. Subclasses are never plain.

    >>> plain_kind(0.5), plain_kind(Fraction(1, 4)), plain_kind(np.float32(1)), plain_kind(object())
    ('float', 'fraction', 'npscalar', None)
    """
    t = type(value)
    kind = _ATOMS.get(t) or _CONTAINERS.get(t)
    if kind:
        return kind
    if t.__module__ == "numpy":
        if t is np.ndarray:
            return "ndarray"
        if isinstance(value, np.generic) and value.dtype.kind in "biufc":
            return "npscalar"
        return None
    if _is_pandas(value, "Series"):
        return "series"
    if _is_pandas(value, "DataFrame"):
        return "frame"
    return None


def plain_number(value: object, name: str = "answer") -> float:
    """Return ``value`` as a built-in float if it is a plain real number.

    Accepted: exact ``int``, ``float`` or ``Fraction``, numpy integer or floating scalars, and
    numpy arrays holding exactly one number. Rejected: ``bool``, strings, subclasses of numbers,
    and any other object, however it behaves.

    >>> plain_number(3)
    3.0
    >>> plain_number(Fraction(1, 4))
    0.25
    >>> class Sneaky(float):
    ...     def __eq__(self, other):
    ...         return True
    >>> plain_number(Sneaky(1.0))
    Traceback (most recent call last):
    ...
    ketlearn.answers.AnswerTypeError: answer must be a plain number (int or float); got a Sneaky
    """
    t = type(value)
    if t in PLAIN_NUMBERS:
        return float(value)
    if is_numpy_number(value):
        return float(value.item())
    if t is np.ndarray and value.size == 1 and value.dtype.kind in "iuf":
        return float(value.reshape(-1)[0].item())
    raise AnswerTypeError(f"{name} must be a plain number (int or float); got a {t.__name__}")


def plain_array(
    value: object, name: str = "answer", *, shape: tuple[int, ...] | None = None
) -> np.ndarray:
    """Return ``value`` as a new float ndarray if it holds only plain numbers.

    Accepted: lists or tuples (nested allowed) of plain numbers, exact numpy arrays of integer
    or float dtype, and exact pandas Series of such dtype (missing values become NaN).

    >>> plain_array([1, 2.5])
    array([1. , 2.5])
    >>> plain_array([1, 2], shape=(3,))
    Traceback (most recent call last):
    ...
    ketlearn.answers.AnswerTypeError: answer must have shape (3,); got shape (2,)
    """
    t = type(value)
    if t in (list, tuple):
        items = [_plain_nested(v, name) for v in value]
        try:
            arr = np.array(items, dtype=float)
        except ValueError:  # ragged nesting
            raise AnswerTypeError(f"{name} must be a rectangular list of numbers") from None
    elif t is np.ndarray and value.dtype.kind in "iuf":
        arr = np.array(value, dtype=float, copy=True)
    elif _is_pandas(value, "Series"):
        if value.dtype.kind not in "iuf":
            raise AnswerTypeError(f"{name} must hold numbers; got a Series of {value.dtype}")
        arr = np.array(value.to_numpy(dtype=float, na_value=np.nan), dtype=float, copy=True)
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


def plain_label(value: object, name: str = "label") -> str:
    """The text form of a row or column label (a Series index entry, a dict key).

    Labels are compared as text. Accepted: exact ``str``, ``int``, ``float``, ``bool``,
    ``None``, numpy numbers and tuples of these (rows of a multi-level index).

    >>> plain_label("oral"), plain_label(np.int64(3)), plain_label(("a", 1))
    ('oral', '3', "('a', 1)")
    """
    t = type(value)
    if t is tuple:
        return str(tuple(_label_atom(v, name) for v in value))
    return str(_label_atom(value, name))


def _label_atom(value: object, name: str):
    t = type(value)
    if t is str:
        return "".join(value)
    if value is None or t in (bool, int, float):
        return value
    if is_numpy_number(value) or type(value) is np.bool_:
        return value.item()
    raise AnswerTypeError(f"{name} must be text or a number; got a {t.__name__}")


def plain_table(
    value: object, name: str = "answer", *, columns: list[str] | None = None
) -> dict[str, list]:
    """Return a DataFrame's contents as ``{column: [plain values]}``.

    Numbers become floats, text stays text, missing values become ``None``.

    >>> import pandas as pd
    >>> plain_table(pd.DataFrame({"route": ["oral"], "f_pct": [20]}))
    {'route': ['oral'], 'f_pct': [20.0]}
    """
    if not _is_pandas(value, "DataFrame"):
        raise AnswerTypeError(f"{name} must be a pandas DataFrame; got a {type(value).__name__}")
    names = [str(c) for c in value.columns]
    if columns is not None and sorted(names) != sorted(columns):
        raise AnswerTypeError(
            f"{name} must have the columns {sorted(columns)}; got {sorted(names)}"
        )
    out: dict[str, list] = {}
    for i, key in enumerate(names):
        cells = []
        for item in value.iloc[:, i].tolist():
            if item is None or (type(item) is float and item != item):
                cells.append(None)
            elif type(item) is str:
                cells.append("".join(item))
            elif type(item) is bool or type(item) is np.bool_:
                cells.append(bool(item))
            elif type(item) in PLAIN_NUMBERS or is_numpy_number(item):
                cells.append(plain_number(item, f"{name}[{key!r}]"))
            elif type(item).__name__ in ("NAType", "NaTType"):
                cells.append(None)
            else:
                raise AnswerTypeError(
                    f"{name}[{key!r}] must hold numbers or text; found a {type(item).__name__}"
                )
        out[key] = cells
    return out
