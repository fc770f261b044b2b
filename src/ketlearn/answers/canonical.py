"""Canonicalise, quantise, hash: how an answer is stored and recognised without being readable.

This is the path every stored answer takes (self-checks, misconception hints and the keys of
sealed worked solutions; per-student variants next, see :mod:`ketlearn.answers`):

1. **Canonicalise** (:func:`flatten`, :func:`canonical_atoms`): the answer's variables, described
   by public *parts* (kind, unit, tolerance, shape, labels), become *atoms*: text atoms (a route
   name, a sorted list of row ids, a mapping's labels) and number atoms (each carrying the
   autograder's tolerance). Conversions are the plain-data ones of :mod:`ketlearn.answers.plain`,
   so what is accepted here is what the autograder's checker accepts.
2. **Quantise**: number atoms become integer *lattice tokens*:

   - ``integer`` items (counts): the nearest whole number, kept only if the answer is within
     ``max(rel*|n|, abs_tol)`` of it, which is exactly what ``assert_close`` accepts;
   - relative tolerance (``rel*|e| >= abs_tol``): lattice points ``sign*exp((j + f)*w)`` with
     ``w = ln((1+rel)/(1-rel))``; an answer is within tolerance of at most one point (two on an
     exact boundary), so it maps to ``j``, and the point is then compared with the answer
     exactly as the autograder would compare the expected value;
   - absolute tolerance: lattice points ``(j + f)*2*abs_tol``, same idea;
   - zero tolerance: the exact value.

   The offset ``f`` of each number is stored in clear: it says where the lattice lies (its
   spacing is the tolerance anyway), not which of its points is the answer.
3. **Hash**: the tokens of all parts are joined and hashed once with scrypt (memory-hard),
   salted per record (:func:`digest`).
4. **Hints** (:mod:`ketlearn.answers.regions`): an anticipated wrong answer is stored as the
   hashes of the right lattice's tokens that answers near it quantise to, with the right
   record's salt, so a check hashes the learner's answer once (:func:`answer_digests`) and
   compares that with the right digest and every hint (:func:`any_digest_in`).

:func:`make_record` runs the path for an expected answer and returns what may be stored
(``salt``, ``lattice``, ``digest``); :func:`record_matches` runs it for a learner's answer
against one stored record. A record is self-contained (its own salt and lattice), so any number
of records can describe one item: the right answer, variants, and a wrong answer that cannot be
written on the right lattice.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import math
import sys
from collections.abc import Callable, Mapping

import numpy as np

from .compare import DEFAULT_REL, tolerance
from .plain import (
    AnswerTypeError,
    plain_array,
    plain_kind,
    plain_label,
    plain_number,
    plain_table,
    plain_text,
)

__all__ = [
    "KDF",
    "Mismatch",
    "Unfinished",
    "answer_digests",
    "any_digest_in",
    "call_answer",
    "candidate_tokens",
    "canonical_atoms",
    "digest",
    "expected_record",
    "flatten",
    "make_record",
    "matches",
    "record_matches",
]

#: scrypt cost: 2**15 x 8 x 128 bytes = 32 MiB of memory and about 0.1-0.3 s per query.
KDF = {"name": "scrypt", "n": 2**15, "r": 8, "p": 1, "dklen": 32}
_MAX_CANDIDATES = 16


class Unfinished(AnswerTypeError):
    """A scaffolded function whose ``...`` blanks are not all filled in yet: it returns ``...``
    or fails on an ``...`` it still holds. Not answered yet, rather than wrong."""


def call_answer(fn: Callable, args: tuple, shown: str, name: str) -> object:
    """Call a learner's function on probe inputs; its errors become messages, not tracebacks.

    Raises :class:`Unfinished` when the function still holds ``...`` blanks (it returns ``...``
    or an error mentions the ellipsis object) and :class:`AnswerTypeError` for other errors.

    >>> def scaffold(x):
    ...     y = ...  # a blank
    ...     return y * x
    >>> call_answer(scaffold, (2.0,), "f(2.0)", "f")
    Traceback (most recent call last):
    ...
    ketlearn.answers.canonical.Unfinished: f still has ... blanks to fill in
    >>> call_answer(lambda x: (2 * x, ...), (2.0,), "f(2.0)", "f")
    Traceback (most recent call last):
    ...
    ketlearn.answers.canonical.Unfinished: f still has ... blanks to fill in
    >>> call_answer(lambda x: 2 * x, (2.0,), "f(2.0)", "f")
    4.0
    """
    try:
        out = fn(*args)
    except Exception as exc:  # the student's code: report it, do not crash
        if "ellipsis" in str(exc):
            raise Unfinished(f"{name} still has ... blanks to fill in") from None
        raise AnswerTypeError(f"calling {shown} raised {type(exc).__name__}: {exc}") from None
    parts = out.values() if isinstance(out, dict) else out if isinstance(out, tuple | list) else ()
    if out is ... or any(x is ... for x in parts):  # e.g. a scaffold's `return rd, low, high`
        raise Unfinished(f"{name} still has ... blanks to fill in")
    return out


class Mismatch(AssertionError):
    """The answer is of the right kind but fails a visible condition; the message says which."""


def digest(token: str, salt_hex: str, kdf: dict = KDF) -> str:
    """The scrypt hash (hex) of ``token`` with the item's salt."""
    if kdf["name"] != "scrypt":
        raise ValueError(f"unknown key derivation function {kdf['name']!r}")
    if not hasattr(hashlib, "scrypt"):  # Python built against an OpenSSL older than 1.1
        raise RuntimeError("self-checks need hashlib.scrypt (Python with OpenSSL >= 1.1)")
    return hashlib.scrypt(
        token.encode("utf-8"),
        salt=bytes.fromhex(salt_hex),
        n=kdf["n"],
        r=kdf["r"],
        p=kdf["p"],
        maxmem=2**27,
        dklen=kdf["dklen"],
    ).hex()


# ----------------------------------------------------------------------------- canonicalise
def _number(x: float, part: dict, label: str) -> tuple:
    if x != x or x in (math.inf, -math.inf):
        raise AnswerTypeError(f"{label} is {x} (not a finite number): check for missing values")
    if part.get("whole") and x != int(x):
        raise Mismatch(f"{label} should be a whole number; got {x:g}")
    low, high = part.get("low"), part.get("high")
    if (low is not None and x < low) or (high is not None and x > high):
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        unit = f" {part['unit']}" if part.get("unit") else ""
        raise Mismatch(f"{label} = {x:g} is outside {lo} to {hi}{unit}: check units and sign")
    rel, abs_tol = float(part.get("rel", DEFAULT_REL)), float(part.get("abs_tol", 0.0))
    return ("n", x + 0.0, rel, abs_tol, bool(part.get("integer", False)))


def _numbers(arr: np.ndarray, part: dict, label: str) -> list[tuple]:
    return [_number(float(v), part, f"{label}[{i}]") for i, v in enumerate(arr.reshape(-1))]


def _text_key(value: object, cast: str) -> str:
    if cast == "int":
        x = plain_number(value, "key")
        if not math.isfinite(x):
            raise AnswerTypeError(f"a key must be a finite number; got {x}")
        return str(int(x))
    return plain_label(value, "key")


def flatten(part: dict, value: object) -> list[tuple]:
    """Atoms of one part of an answer, or raise AnswerTypeError / Mismatch with a message."""
    kind, name = part["kind"], part["name"]
    if kind == "number":
        atom = _number(plain_number(value, name), part, name)
        return [] if part.get("check_only") else [atom]
    if kind == "array":
        if type(value) is tuple:
            value = list(value)
        shape = tuple(part["shape"]) if part.get("shape") is not None else None
        return _numbers(plain_array(value, name, shape=shape), part, name)
    if kind == "choice":
        text = plain_text(value, name)
        case = part.get("case", "exact")
        text = text.upper() if case == "upper" else (text.lower() if case == "lower" else text)
        choices = part["choices"]
        if text not in choices:
            raise Mismatch(f"{name} should be one of {', '.join(map(repr, choices))}; got {text!r}")
        return [("s", text)]
    if kind == "text_list":
        if type(value) is not list:
            raise AnswerTypeError(f"{name} must be a list of text; got a {type(value).__name__}")
        items = [plain_text(v, f"{name}[{i}]") for i, v in enumerate(value)]
        return [("s", json.dumps(items if part.get("ordered", True) else sorted(items)))]
    if kind == "choice_map":
        keys = part["keys"]
        if type(value) is not dict:
            raise AnswerTypeError(f"{name} must be a dict; got a {type(value).__name__}")
        by_key = {str(k): v for k, v in value.items()}
        if len(by_key) != len(value) or sorted(by_key) != sorted(keys):
            shown = sorted(map(str, value))
            raise AnswerTypeError(f"{name} needs exactly the keys {keys}; got {shown}")
        out = []
        for k in keys:
            text = plain_text(by_key[k], f"{name}[{k!r}]").lower()
            if text not in part["choices"]:
                raise Mismatch(f"{name}[{k!r}] should be one of {', '.join(part['choices'])}")
            # A spec may accept two labels for one key (``equivalent``: {key: {alias: label}}).
            out.append(part.get("equivalent", {}).get(k, {}).get(text, text))
        return [("s", json.dumps(out))]
    if kind == "column_values":
        table = plain_table(value, name)
        column = part["column"]
        if column not in table:
            raise AnswerTypeError(f"{name} must keep the column {column!r}")
        return [("s", json.dumps(sorted(str(v) for v in table[column])))]
    if kind == "mapping":
        pairs = _mapping_pairs(value, name)
        return _keyed(pairs, part, name)
    if kind == "table_mapping":
        table = plain_table(value, name, columns=part["columns"])
        keys = part["keys"]
        pairs = []
        for i in range(len(table[part["value"]])):
            key = tuple(_text_key(table[col][i], cast) for col, cast in keys)
            pairs.append((json.dumps(key), plain_number(table[part["value"]][i], part["value"])))
        return _keyed(pairs, part, name)
    if kind == "function":
        if not callable(value) or isinstance(value, type):
            raise AnswerTypeError(f"{name} must be a function; got a {type(value).__name__}")
        atoms: list[tuple] = []
        for i, call in enumerate(part["calls"]):
            args, arrays = call.get("args", [call.get("arg")]), call.get("array_args", [])
            if call.get("array"):
                arrays = [0]
            args = [np.array(a, dtype=float) if j in arrays else a for j, a in enumerate(args)]
            shown = (
                f"{name}("
                + ", ".join(
                    f"np.array({a.tolist()})" if j in arrays else repr(a)
                    for j, a in enumerate(args)
                )
                + ")"
            )
            out = call_answer(value, args, shown, name)
            sub = {**call["out"], "name": shown}
            atoms.append(("s", f"call{i}"))
            atoms.extend(flatten(sub, out))
        return atoms
    raise ValueError(f"unknown self-check part kind {kind!r}")


def _mapping_pairs(value: object, name: str) -> list[tuple[str, float]]:
    if plain_kind(value) not in ("dict", "series"):
        raise AnswerTypeError(
            f"{name} must be a pandas Series (or dict) from names to numbers; "
            f"got a {type(value).__name__}"
        )
    return [
        (plain_label(k, f"a label of {name}"), plain_number(v, f"{name}[{k!r}]"))
        for k, v in value.items()
    ]


def _keyed(pairs: list[tuple[str, float]], part: dict, name: str) -> list[tuple]:
    merged = dict(pairs)
    if part.get("drop_zero"):
        merged = {k: v for k, v in merged.items() if v != 0}
    allowed = part.get("allowed_keys")
    if allowed is not None:
        extra = sorted(set(merged) - set(allowed))
        if extra:
            raise Mismatch(f"{name} has unexpected labels {extra}; use the names in the dataset")
    keys = sorted(merged)
    atoms: list[tuple] = [("s", json.dumps(keys))]
    atoms.extend(_number(merged[k], part, f"{name}[{k}]") for k in keys)
    return atoms


# ----------------------------------------------------------------------------- quantise
def _width(rel: float) -> float:
    return math.log((1 + rel) / (1 - rel))


def _encode_expected(atom: tuple) -> tuple[object, str]:
    """(lattice info, token) for an expected number."""
    _, e, rel, abs_tol, integer = atom
    if integer:
        n = round(e)
        if abs(e - n) > 1e-9:
            raise ValueError(f"the expected value {e!r} is not a whole number")
        return "i", f"i{n}"
    if rel > 0 and e != 0 and rel * abs(e) >= abs_tol:
        w = _width(rel)
        u = math.log(abs(e)) / w
        j = math.floor(u)
        sign = "+" if e > 0 else "-"
        return ["r", u - j], f"r{sign}{j}"
    if abs_tol > 0:
        u = e / (2 * abs_tol)
        j = math.floor(u)
        return ["a", u - j], f"a{j}"
    return "x", f"x{e!r}"


def _within(x: float, e: float, rel: float, abs_tol: float) -> bool:
    """The tolerance rule at a lattice point, with a few units of rounding to spare.

    Neighbouring lattice cells touch, so a value on their common edge lies within both; the
    spare rounding keeps float error from putting it in neither (an answer with no token).
    """
    return abs(x - e) <= tolerance(e, rel, abs_tol) + 4 * sys.float_info.epsilon * max(
        abs(x), abs(e)
    )


def _cells(x: float, rel: float, abs_tol: float, info: list) -> list[int]:
    """Indices ``j`` of the points of a relative or absolute lattice within tolerance of ``x``."""
    mode, f = info
    if mode == "r":
        if x == 0:
            return []
        w = _width(rel)
        a = (math.log(abs(x)) - math.log1p(rel)) / w - f
        sign = 1.0 if x > 0 else -1.0
    elif mode == "a":
        h = 2 * abs_tol
        a = (x - abs_tol) / h - f
    else:
        raise ValueError(f"unknown lattice {info!r}")
    if not math.isfinite(a):  # so far from any lattice point that nothing can match
        return []
    out = []
    for j in range(math.ceil(a) - 1, math.ceil(a) + 2):
        try:
            e = sign * math.exp((j + f) * w) if mode == "r" else (j + f) * h
        except OverflowError:  # a lattice point beyond the largest float matches nothing
            continue
        if _within(x, e, rel, abs_tol):
            out.append(j)
    return out


def _cell_token(info: list, negative: bool, j: int) -> str:
    """The token of point ``j`` of a relative (signed) or absolute lattice."""
    return f"r{'-' if negative else '+'}{j}" if info[0] == "r" else f"a{j}"


def _encode_answer(atom: tuple, info: object) -> list[str]:
    """Tokens of the lattice points within the autograder's tolerance of an answer."""
    _, x, rel, abs_tol, _ = atom
    if info == "i":
        n = round(x)
        return [f"i{n}"] if abs(x - n) <= tolerance(n, rel, abs_tol) else []
    if info == "x":
        return [f"x{x!r}"]
    return [_cell_token(info, x < 0, j) for j in _cells(x, rel, abs_tol, info)]


def _join(tokens: list[str]) -> str:
    return json.dumps(tokens, ensure_ascii=True, separators=(",", ":"))


def expected_record(
    atoms: list[tuple], salt_hex: str, kdf: dict = KDF, *, hasher: Callable = digest
) -> dict:
    """What the data file stores for one item: lattice offsets and one salted hash."""
    lattice, tokens = [], []
    for atom in atoms:
        if atom[0] == "s":
            tokens.append("s" + atom[1])
        else:
            info, token = _encode_expected(atom)
            lattice.append(info)
            tokens.append(token)
    return {"salt": salt_hex, "lattice": lattice, "digest": hasher(_join(tokens), salt_hex, kdf)}


def candidate_tokens(atoms: list[tuple], lattice: list) -> list[str]:
    """Every joined token an answer could stand for (usually one; none if it is clearly off)."""
    numbers = [a for a in atoms if a[0] == "n"]
    if len(numbers) != len(lattice):
        return []
    options: list[list[str]] = []
    infos = iter(lattice)
    for atom in atoms:
        options.append(["s" + atom[1]] if atom[0] == "s" else _encode_answer(atom, next(infos)))
    combos = itertools.islice(itertools.product(*options), _MAX_CANDIDATES)
    return [_join(list(c)) for c in combos]


def answer_digests(
    atoms: list[tuple], record: dict, kdf: dict = KDF, *, hasher: Callable = digest
) -> list[str]:
    """The hashes of an answer's candidate tokens on a record's lattice, with its salt.

    Usually one hash (up to 16 on tolerance boundaries); none if the answer cannot match.
    Computed once per check and compared with the right digest and every hint digest.
    """
    return [hasher(t, record["salt"], kdf) for t in candidate_tokens(atoms, record["lattice"])]


def any_digest_in(digests: list[str], targets: list[str]) -> bool:
    """True if any of ``digests`` is among ``targets`` (each pair compared in constant time)."""
    ok = False
    for d in digests:
        for t in targets:
            ok |= hmac.compare_digest(d, t)
    return ok


def matches(
    atoms: list[tuple], record: dict, kdf: dict = KDF, *, hasher: Callable = digest
) -> bool:
    """True if the answer's atoms hash to the stored digest (constant-time comparison)."""
    return any_digest_in(answer_digests(atoms, record, kdf, hasher=hasher), [record["digest"]])


# ----------------------------------------------------------------------------- the whole path
def canonical_atoms(parts: list[dict], values: Mapping[str, object]) -> list[tuple]:
    """Canonicalise every part of an answer (figure parts are checked elsewhere and skipped).

    Raises ``KeyError`` naming a missing variable, :class:`~ketlearn.answers.AnswerTypeError`
    for a value of the wrong kind and :class:`Mismatch` for a visible condition it fails.
    """
    atoms: list[tuple] = []
    for part in parts:
        if part["kind"] != "figure":
            atoms.extend(flatten(part, values[part["name"]]))
    return atoms


def make_record(
    parts: list[dict],
    values: Mapping[str, object],
    salt_hex: str,
    kdf: dict = KDF,
    *,
    hasher: Callable = digest,
) -> dict:
    """Canonicalise, quantise and hash an expected answer: the record that may be stored.

    >>> import hashlib
    >>> fast = lambda token, salt, kdf: hashlib.sha256((salt + token).encode()).hexdigest()
    >>> parts = [{"name": "t_half_min", "kind": "number", "rel": 0.01}]
    >>> rec = make_record(parts, {"t_half_min": 150.0}, "00" * 16, hasher=fast)
    >>> sorted(rec)
    ['digest', 'lattice', 'salt']
    >>> record_matches(parts, {"t_half_min": 151.0}, rec, hasher=fast)
    True
    >>> record_matches(parts, {"t_half_min": 160.0}, rec, hasher=fast)
    False
    """
    return expected_record(canonical_atoms(parts, values), salt_hex, kdf, hasher=hasher)


def record_matches(
    parts: list[dict],
    values: Mapping[str, object],
    record: dict,
    kdf: dict = KDF,
    *,
    hasher: Callable = digest,
) -> bool:
    """Canonicalise, quantise and hash an answer and compare it with one stored record.

    Raises like :func:`canonical_atoms` when the answer is missing or of the wrong kind.
    """
    return matches(canonical_atoms(parts, values), record, kdf, hasher=hasher)
