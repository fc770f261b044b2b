"""Course datasets: list them, load them as typed DataFrames, and read their provenance.

Every dataset is a CSV file described by one Frictionless Data Package, ``datapackage.json``
(https://specs.frictionlessdata.io/data-package/). The descriptor is the single source of
column types, units, licences, sources and bibliography keys; this module reads it rather than
repeating any of it in code.

Design notes
------------
- Loading is all-or-nothing: a missing file, a row with the wrong number of fields, a value
  that does not parse as its declared type or an empty required cell raises
  :class:`DatasetError` naming the file. A partial DataFrame is never returned.
- Types come from the Table Schema: ``integer`` and ``year`` become pandas' nullable ``Int64``,
  ``number`` becomes ``float64``, ``boolean`` becomes ``boolean``, ``date`` becomes
  ``datetime64``, and a ``string`` field with an ``enum`` constraint becomes an ordered-as-listed
  ``category``. Empty cells are missing values, never guesses.
- Full validation against the schema (constraints, uniqueness) is done with the
  ``frictionless`` library in the test suite; loading only needs pandas.
- Each dataset says whether it is **simulated**; simulated files also carry ``simulated`` in
  their file name.

Examples
--------
>>> from ketlearn import data
>>> "bioavailability" in data.list_datasets()
True
>>> df = data.load("bioavailability")
>>> str(df["bioavailability_pct"].dtype)
'float64'
"""

from __future__ import annotations

import csv
import difflib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

__all__ = ["DatasetError", "DatasetInfo", "datasets_dir", "describe", "list_datasets", "load"]

_DESCRIPTOR = "datapackage.json"


class DatasetError(ValueError):
    """A dataset file is missing, corrupt, or does not match its schema."""


def datasets_dir() -> Path:
    """Folder holding ``datapackage.json`` and the CSV files.

    Inside an installed wheel the files live in ``ketlearn/_datasets``; in a source checkout
    (including an editable install) they are the repository's ``datasets/`` folder.
    """
    packaged = resources.files("ketlearn") / "_datasets"
    if packaged.is_dir() and (packaged / _DESCRIPTOR).is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "datasets"


@lru_cache(maxsize=4)
def _read_descriptor(folder: str) -> dict:
    path = Path(folder) / _DESCRIPTOR
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DatasetError(f"dataset descriptor not found: {path}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"dataset descriptor {path} is not valid JSON: {exc}") from None


def _descriptor() -> dict:
    return _read_descriptor(str(datasets_dir()))


def _resources() -> dict[str, dict]:
    return {r["name"]: r for r in _descriptor().get("resources", [])}


def list_datasets() -> list[str]:
    """Names of all course datasets, sorted.

    >>> names = list_datasets()
    >>> names == sorted(names)
    True
    """
    return sorted(_resources())


def _resource(name: object) -> dict:
    available = _resources()
    if not isinstance(name, str) or name not in available:
        names = sorted(available)
        close = difflib.get_close_matches(str(name), names, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise KeyError(f"no dataset named {name!r}.{hint} Available: {', '.join(names)}")
    return available[name]


@dataclass(frozen=True)
class DatasetInfo:
    """Provenance and column documentation of one dataset (see :func:`describe`)."""

    name: str
    title: str
    description: str
    path: str
    simulated: bool
    citation_keys: tuple[str, ...]
    sources: tuple[dict, ...]
    licences: tuple[dict, ...]
    columns: pd.DataFrame = field(repr=False, compare=False)

    def __str__(self) -> str:
        lines = [
            f"{self.title} ({self.name})",
            "SIMULATED DATA - not measurements from real people." if self.simulated else "",
            self.description,
            f"File: {self.path}",
            "Sources: " + "; ".join(s.get("title", "") for s in self.sources),
            "Citation keys: " + ", ".join(self.citation_keys),
            "Licence: " + ", ".join(lic.get("name", "") for lic in self.licences),
            "",
            self.columns.to_string(index=False),
        ]
        return "\n".join(line for line in lines if line is not None)

    def _repr_markdown_(self) -> str:
        sim = (
            "\n\n**Simulated data** - not measurements from real people." if self.simulated else ""
        )
        src = "; ".join(s.get("title", "") for s in self.sources)
        return (
            f"### {self.title} (`{self.name}`){sim}\n\n{self.description}\n\n"
            f"- File: `{self.path}`\n- Sources: {src}\n"
            f"- Citation keys: {', '.join(self.citation_keys)}\n"
            f"- Licence: {', '.join(lic.get('name', '') for lic in self.licences)}\n\n"
            + self.columns.to_markdown(index=False)
            if _has_tabulate()
            else str(self)
        )


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


def describe(name: str) -> DatasetInfo:
    """Title, description, sources, citation keys, licence, simulated flag and columns.

    Parameters
    ----------
    name : str
        A name from :func:`list_datasets`.

    Returns
    -------
    DatasetInfo
        ``columns`` is a DataFrame with one row per column: ``name``, ``type``, ``unit``
        (empty where the column has none) and ``description``.

    Raises
    ------
    KeyError
        For an unknown name; the message lists the available names and the closest match.

    Examples
    --------
    >>> info = describe("bioavailability")
    >>> info.simulated
    False
    >>> "bioavailability_pct" in set(info.columns["name"])
    True
    """
    res = _resource(name)
    extra = res.get("ketlearn", {})
    fields = res.get("schema", {}).get("fields", [])
    columns = pd.DataFrame(
        {
            "name": [f["name"] for f in fields],
            "type": [f.get("type", "string") for f in fields],
            "unit": [f.get("unit", "") for f in fields],
            "description": [f.get("description", "") for f in fields],
        }
    )
    licences = res.get("licenses") or _descriptor().get("licenses", [])
    return DatasetInfo(
        name=res["name"],
        title=res.get("title", res["name"]),
        description=res.get("description", ""),
        path=res["path"],
        simulated=bool(extra.get("simulated", False)),
        citation_keys=tuple(extra.get("citation_keys", [])),
        sources=tuple(res.get("sources", [])),
        licences=tuple(licences),
        columns=columns,
    )


_TRUE = {"true", "True", "TRUE", "1", "yes"}
_FALSE = {"false", "False", "FALSE", "0", "no"}


def _convert(column: pd.Series, spec: dict, path: Path) -> pd.Series:
    kind = spec.get("type", "string")
    name = spec["name"]
    present = column.notna()

    def fail(bad: pd.Series) -> DatasetError:
        row = int(bad.idxmax()) + 2  # header is line 1
        return DatasetError(
            f"{path}: column {name!r} (type {kind}) has a value that does not parse: "
            f"{column[bad].iloc[0]!r} on line {row}"
        )

    if kind in ("integer", "year"):
        nums = pd.to_numeric(column, errors="coerce")
        bad = present & (nums.isna() | (nums % 1 != 0))
        if bad.any():
            raise fail(bad)
        return nums.astype("Int64")
    if kind == "number":
        nums = pd.to_numeric(column, errors="coerce")
        bad = present & nums.isna()
        if bad.any():
            raise fail(bad)
        return nums.astype("float64")
    if kind == "boolean":
        bad = present & ~column.isin(_TRUE | _FALSE)
        if bad.any():
            raise fail(bad)
        return column.map(lambda v: pd.NA if pd.isna(v) else v in _TRUE).astype("boolean")
    if kind in ("date", "datetime"):
        fmt = "%Y-%m-%d" if kind == "date" else "ISO8601"
        parsed = pd.to_datetime(column, format=fmt, errors="coerce")
        bad = present & parsed.isna()
        if bad.any():
            raise fail(bad)
        return parsed
    enum = spec.get("constraints", {}).get("enum")
    if enum:
        bad = present & ~column.isin(enum)
        if bad.any():
            raise fail(bad)
        return column.astype(pd.CategoricalDtype(categories=enum))
    return column.astype("string")


def load(name: str) -> pd.DataFrame:
    """Load a dataset as a DataFrame with the column types its schema declares.

    Parameters
    ----------
    name : str
        A name from :func:`list_datasets`.

    Returns
    -------
    pandas.DataFrame
        One column per schema field, in schema order. ``DataFrame.attrs`` holds ``name``,
        ``simulated`` and ``citation_keys``.

    Raises
    ------
    KeyError
        Unknown name (the message lists the available names and the closest match).
    DatasetError
        The file is missing or corrupt, or does not match its schema. Never a partial table.

    Examples
    --------
    >>> df = load("bioavailability")
    >>> df.attrs["simulated"]
    False
    >>> load("bioavailabilty")
    Traceback (most recent call last):
    ...
    KeyError: "no dataset named 'bioavailabilty'. Did you mean 'bioavailability'? Available: ..."
    """
    res = _resource(name)
    path = datasets_dir() / res["path"]
    schema = res.get("schema", {})
    fields = schema.get("fields", [])
    missing = set(schema.get("missingValues", [""]))
    try:
        with path.open(newline="", encoding=res.get("encoding", "utf-8")) as fh:
            rows = list(csv.reader(fh, strict=True))
    except FileNotFoundError:
        raise DatasetError(f"data file for dataset {name!r} not found: {path}") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: cannot be read as CSV: {exc}") from None
    if not rows:
        raise DatasetError(f"{path}: file is empty")
    header, body = rows[0], rows[1:]
    expected = [f["name"] for f in fields]
    if header != expected:
        raise DatasetError(f"{path}: header {header} does not match the schema's fields {expected}")
    for lineno, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise DatasetError(
                f"{path}: line {lineno} has {len(row)} fields, expected {len(header)} "
                "(truncated or corrupt file?)"
            )
    raw = pd.DataFrame(body, columns=header, dtype=object)
    raw = raw.map(lambda v: None if v in missing else v)
    out = pd.DataFrame(index=raw.index)
    for spec in fields:
        column = _convert(raw[spec["name"]], spec, path)
        if spec.get("constraints", {}).get("required") and column.isna().any():
            row = int(column.isna().to_numpy().argmax()) + 2
            raise DatasetError(f"{path}: required column {spec['name']!r} is empty on line {row}")
        out[spec["name"]] = column
    extra = res.get("ketlearn", {})
    out.attrs = {
        "name": name,
        "simulated": bool(extra.get("simulated", False)),
        "citation_keys": list(extra.get("citation_keys", [])),
    }
    return out
