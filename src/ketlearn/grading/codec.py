"""Plain-data codec: how answers cross from the student's process to the checker.

The student's process is untrusted, so nothing it sends may carry behaviour. Values are encoded
as JSON built from the plain types of the answer model (:func:`ketlearn.answers.plain_kind`:
exact built-in types including ``Fraction``, numpy arrays and scalars, pandas Series and
DataFrames with their labels); anything else (including every *subclass* of those types)
becomes an ``opaque`` marker that carries only a type name. The checker decodes with its own, clean numpy and pandas,
so a rebuilt value is a fresh object of an exact type: rigged ``__eq__``/``__float__`` and
subclasses cannot survive the trip. No pickle is used anywhere.

Whatever the student's process does to this encoder (it runs there and can be patched), it can
only change *which plain value is claimed*, which is no more than writing that value as the
answer. The decoder rejects anything outside the format and bounds sizes.

>>> import numpy as np
>>> decode(loads(dumps(encode({"a": np.arange(3), "b": (1, 2.5, "x")}))))
{'a': array([0, 1, 2]), 'b': (1, 2.5, 'x')}
>>> class Sneaky(float):
...     pass
>>> decode(encode(Sneaky(1.0)))
Opaque('Sneaky')
"""

from __future__ import annotations

import json
import re
import types
from fractions import Fraction

from ketlearn.answers.plain import plain_kind

__all__ = [
    "MAX_ELEMENTS",
    "CodecError",
    "Figure",
    "Opaque",
    "decode",
    "dumps",
    "encode",
    "loads",
]

MAX_ELEMENTS = 2_000_000  # numbers or strings in one encoded value (huge-output defence)
MAX_DEPTH = 32
_DTYPE_OK = re.compile(
    r"^(u?int(8|16|32|64)|float(16|32|64)|complex(64|128)|bool|object|str|string|category"
    r"|Int(8|16|32|64)|UInt(8|16|32|64)|Float(32|64)|boolean|[<>|=]?[iufbc][1248]|[<>|=]?f16"
    r"|[<>|=]?U[0-9]{1,6})$"
)


class CodecError(ValueError):
    """The encoded data is malformed or too large."""


class Opaque:
    """Stands for a student object that is not plain data (its type name only)."""

    __slots__ = ("type_name",)

    def __init__(self, type_name: str) -> None:
        self.type_name = str(type_name)[:100]

    def __repr__(self) -> str:
        return f"Opaque({self.type_name!r})"


class _Artists(tuple):
    """Stands for an axes' list of artists: only how many there are crosses."""


class _Axes:
    """What a test may read of one student axes: artist counts and its labels (plain data)."""

    __slots__ = ("collections", "lines", "patches", "texts", "title", "xlabel", "ylabel")

    def __init__(self, counts: dict, labels: dict) -> None:
        for name in ("lines", "patches", "collections", "texts"):
            setattr(self, name, _Artists([None] * counts[name]))
        self.title, self.xlabel, self.ylabel = labels["title"], labels["xlabel"], labels["ylabel"]

    def get_title(self) -> str:
        return self.title

    def get_xlabel(self) -> str:
        return self.xlabel

    def get_ylabel(self) -> str:
        return self.ylabel


class Figure:
    """A student's matplotlib figure as plain data: its axes, their artist counts and labels.

    Tests may check ``type(fig).__name__ == "Figure"``, ``len(fig.axes)`` and, per axes,
    ``len(ax.patches)`` (bars), ``len(ax.lines)``, ``len(ax.collections)`` and the labels, as
    the self-check does. Nothing of the student's object crosses but these numbers and strings.
    """

    __slots__ = ("axes",)

    def __init__(self, axes: list[_Axes]) -> None:
        self.axes = axes

    def get_axes(self) -> list[_Axes]:
        return list(self.axes)

    def __repr__(self) -> str:
        return f"Figure(axes={len(self.axes)})"


_MAX_ARTISTS = 100_000


def _encode_figure(fig) -> dict:
    axes = []
    for ax in list(fig.axes)[:50]:
        axes.append(
            {
                "counts": {
                    name: min(len(getattr(ax, name)), _MAX_ARTISTS)
                    for name in ("lines", "patches", "collections", "texts")
                },
                "labels": {
                    "title": str(ax.get_title())[:500],
                    "xlabel": str(ax.get_xlabel())[:500],
                    "ylabel": str(ax.get_ylabel())[:500],
                },
            }
        )
    return {"$": "figure", "axes": axes}


def _decode_figure(data: dict) -> Figure:
    axes = []
    for ax in _list(data, "axes")[:50]:
        if type(ax) is not dict or type(ax.get("counts")) is not dict:
            raise CodecError("a figure's axes must be objects with counts")
        counts = {}
        for name in ("lines", "patches", "collections", "texts"):
            n = ax["counts"].get(name)
            if type(n) is not int or not 0 <= n <= _MAX_ARTISTS:
                raise CodecError(f"a figure's {name} count must be a small whole number")
            counts[name] = n
        raw = ax.get("labels")
        labels = {
            k: str(raw.get(k, ""))[:500] if type(raw) is dict else ""
            for k in ("title", "xlabel", "ylabel")
        }
        axes.append(_Axes(counts, labels))
    return Figure(axes)


class _Budget:
    def __init__(self) -> None:
        self.left = MAX_ELEMENTS

    def take(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise CodecError(f"value too large (more than {MAX_ELEMENTS} elements)")


def _is_pandas(value: object, name: str) -> bool:
    t = type(value)
    return t.__name__ == name and t.__module__.startswith("pandas")


def encode(value: object, _depth: int = 0, _budget: _Budget | None = None):
    """Encode ``value`` as JSON-compatible plain data (runs in the student's process).

    What counts as plain data is :func:`ketlearn.answers.plain_kind`, the answer model shared
    with the checks and self-checks; everything else becomes a marker.
    """
    budget = _budget or _Budget()
    budget.take(1)
    if _depth > MAX_DEPTH:
        raise CodecError("value nested too deeply")
    kind = plain_kind(value)
    if kind in ("none", "bool", "int", "float", "str"):
        if kind == "str" and len(value) > MAX_ELEMENTS:
            raise CodecError("string too long")
        return value
    d = _depth + 1
    if kind == "list":
        return [encode(v, d, budget) for v in value]
    if kind == "tuple":
        return {"$": "tuple", "v": [encode(v, d, budget) for v in value]}
    if kind == "dict":
        return {
            "$": "dict",
            "k": [encode(k, d, budget) for k in value],
            "v": [encode(v, d, budget) for v in value.values()],
        }
    if kind in ("set", "frozenset"):
        return {"$": kind, "v": [encode(v, d, budget) for v in value]}
    if kind == "complex":
        return {"$": "complex", "re": value.real, "im": value.imag}
    if kind == "fraction":
        return {"$": "fraction", "n": value.numerator, "d": value.denominator}
    if kind == "ndarray":
        return _encode_array(value, d, budget)
    if kind == "npscalar":
        return {"$": "npscalar", "dtype": value.dtype.str, "v": encode(value.item(), d)}
    if kind == "series":
        return _encode_series(value, d, budget)
    if kind == "frame":
        cols = [_encode_series(value.iloc[:, i], d, budget) for i in range(value.shape[1])]
        return {
            "$": "frame",
            "columns": [encode(c, d, budget) for c in value.columns],
            "data": cols,
            "index": _encode_index(value.index, d, budget),
        }
    # Not plain data: the checker binds modules and callables itself; the rest is opaque.
    t = type(value)
    if t.__name__ == "Figure" and t.__module__ == "matplotlib.figure":
        return _encode_figure(value)  # counts and labels only (see Figure)
    if t is types.ModuleType:
        return {"$": "module", "name": str(value.__name__)}
    if t in (types.FunctionType, types.BuiltinFunctionType, types.MethodType, type):
        return {"$": "callable"}
    if callable(value) and t.__name__ in ("partial", "cython_function_or_method", "ufunc"):
        return {"$": "callable"}
    return {"$": "opaque", "type": t.__name__[:100]}


def _encode_array(arr, depth, budget):
    budget.take(int(arr.size))
    kind = arr.dtype.kind
    if kind in "biuf":
        data = arr.ravel().tolist()
    elif kind == "c":
        data = [[z.real, z.imag] for z in arr.ravel().tolist()]
    elif kind == "U":
        data = arr.ravel().tolist()
    elif kind == "O":
        data = [encode(v, depth, budget) for v in arr.ravel().tolist()]
    else:
        return {"$": "opaque", "type": f"ndarray[{arr.dtype.str}]"}
    return {"$": "ndarray", "dtype": arr.dtype.str, "shape": list(arr.shape), "v": data}


def _encode_values(values: list, depth, budget) -> list:
    out = []
    for v in values:
        if v is not None and type(v).__name__ in ("NAType", "NaTType"):
            out.append({"$": "NA"})
        else:
            out.append(encode(v, depth, budget))
    return out


def _encode_series(series, depth, budget):
    budget.take(len(series))
    dtype = series.dtype
    spec: dict = {"dtype": str(dtype)}
    if spec["dtype"] == "category":
        spec["categories"] = _encode_values(dtype.categories.tolist(), depth, budget)
        spec["ordered"] = bool(dtype.ordered)
        values = [None if c < 0 else c for c in series.cat.codes.tolist()]
    else:
        values = _encode_values(series.tolist(), depth, budget)
    return {
        "$": "series",
        **spec,
        "name": encode(series.name, depth, budget),
        "index": _encode_index(series.index, depth, budget),
        "v": values,
    }


def _encode_index(index, depth, budget):
    """Row labels: a range, or the labels themselves (categorical and multi-level included).

    Labels that are not plain data (timestamps, objects) cross as opaque markers, so a label
    is never silently replaced by a position.
    """
    if type(index).__name__ == "RangeIndex":
        return {"$": "range", "start": index.start, "stop": index.stop, "step": index.step}
    budget.take(len(index))
    return {
        "$": "index",
        "v": _encode_values(index.tolist(), depth, budget),
        "name": encode(index.name, depth, budget),
    }


def dumps(encoded) -> str:
    """Serialise encoded data (NaN and infinities allowed, as Python's json writes them)."""
    return json.dumps(encoded, separators=(",", ":"))


def loads(text: str, *, max_chars: int = 200_000_000):
    """Parse JSON text from the student's process, refusing over-long input."""
    if len(text) > max_chars:
        raise CodecError("message too large")
    return json.loads(text)


def decode(data, _depth: int = 0):
    """Rebuild a value of an exact type from encoded data (runs in the clean checker)."""
    if _depth > MAX_DEPTH + 2:
        raise CodecError("value nested too deeply")
    t = type(data)
    if data is None or t in (bool, int, float, str):
        return data
    d = _depth + 1
    if t is list:
        return [decode(v, d) for v in data]
    if t is not dict:
        raise CodecError(f"unexpected JSON type {t.__name__}")
    tag = data.get("$")
    if tag == "tuple":
        return tuple(decode(v, d) for v in _list(data, "v"))
    if tag == "dict":
        keys = [decode(k, d) for k in _list(data, "k")]
        return dict(zip(keys, [decode(v, d) for v in _list(data, "v")], strict=True))
    if tag in ("set", "frozenset"):
        items = [decode(v, d) for v in _list(data, "v")]
        return set(items) if tag == "set" else frozenset(items)
    if tag == "complex":
        return complex(_num(data["re"]), _num(data["im"]))
    if tag == "fraction":
        num, den = data.get("n"), data.get("d")
        if type(num) is not int or type(den) is not int or den <= 0:
            raise CodecError("a fraction needs an integer numerator and a positive denominator")
        return Fraction(num, den)
    if tag == "npscalar":
        import numpy as np

        return np.dtype(_dtype(data["dtype"])).type(decode(data["v"], d))
    if tag == "ndarray":
        return _decode_array(data, d)
    if tag == "series":
        return _decode_series(data, d)
    if tag == "frame":
        import pandas as pd

        columns = [decode(c, d) for c in _list(data, "columns")]
        series = [_decode_series(s, d) for s in _list(data, "data")]
        index = _decode_index(data["index"], d)
        frame = pd.DataFrame(
            {i: s.set_axis(index) if index is not None else s for i, s in enumerate(series)},
            index=index,
        )
        frame.columns = pd.Index(columns) if columns else frame.columns
        return frame
    if tag == "figure":
        return _decode_figure(data)
    if tag == "opaque":
        return Opaque(str(data.get("type", "object")))
    if tag == "NA":
        return None
    if tag in ("callable", "module"):  # bound by the checker itself, never rebuilt here
        return Opaque(tag)
    raise CodecError(f"unknown tag {tag!r}")


def _list(data: dict, key: str) -> list:
    value = data.get(key)
    if type(value) is not list:
        raise CodecError(f"{key!r} must be a list")
    return value


def _num(x):
    if type(x) not in (int, float):
        raise CodecError("expected a number")
    return x


def _dtype(text) -> str:
    if type(text) is not str or not _DTYPE_OK.match(text):
        raise CodecError(f"dtype {text!r} not allowed")
    return text


def _decode_array(data: dict, depth: int):
    import numpy as np

    dtype = np.dtype(_dtype(data["dtype"]))
    shape = tuple(int(_num(n)) for n in _list(data, "shape"))
    values = _list(data, "v")
    if dtype.kind == "c":
        values = [complex(_num(a), _num(b)) for a, b in values]
    elif dtype.kind == "O":
        values = [decode(v, depth) for v in values]
    else:
        for v in values:
            if type(v) not in (int, float, bool, str):
                raise CodecError("array values must be plain")
    if dtype.kind == "O":
        arr = np.empty(len(values), dtype=object)
        arr[:] = values
    else:
        arr = np.array(values, dtype=dtype)
    return arr.reshape(shape)


def _decode_index(data, depth: int):
    import pandas as pd

    tag = data.get("$") if type(data) is dict else None
    if tag == "range":
        return pd.RangeIndex(
            int(_num(data["start"])), int(_num(data["stop"])), int(_num(data["step"]))
        )
    if tag == "index":
        return pd.Index([decode(v, depth) for v in _list(data, "v")], name=decode(data.get("name")))
    raise CodecError("an index must be a range or a list of labels")


def _decode_series(data: dict, depth: int):
    import pandas as pd

    if type(data) is not dict or data.get("$") != "series":
        raise CodecError("expected a series")
    dtype = _dtype(data["dtype"])
    index = _decode_index(data["index"], depth)
    raw = _list(data, "v")
    if dtype == "category":
        cats = [decode(v, depth) for v in _list(data, "categories")]
        codes = [-1 if c is None else int(_num(c)) for c in raw]
        values = pd.Categorical.from_codes(codes, categories=cats, ordered=bool(data["ordered"]))
        return pd.Series(values, index=index, name=decode(data.get("name"), depth))
    values = [decode(v, depth) for v in raw]
    return pd.Series(values, index=index, dtype=dtype, name=decode(data.get("name"), depth))
