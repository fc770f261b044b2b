"""Misconception hints on the right answer's lattice: one slow hash per check, however many hints.

An anticipated wrong answer (percent for fraction, ln for log10 ...) could be stored like the
right one, as a record with its own salt and lattice (:func:`~ketlearn.answers.make_record`).
Then every hint costs the learner one more scrypt derivation per check (the course's items have
2-8 hints, so 3-9 derivations per wrong answer), and the autograder's feedback the same per
failed item. Here a hint is instead written on the *right* record's lattice and salt: the
tokens that answers within tolerance of the wrong value quantise to, hashed
(:func:`region_digests`). A check hashes the learner's answer once
(:func:`~ketlearn.answers.canonical.answer_digests`), compares that with the right digest, and
then with every hint's digests (:func:`first_hint`).

What it costs in precision: a lattice cell is as wide as the tolerance, so a hint's region is
the tolerance around the wrong value plus at most one cell on each side; an answer up to about
three tolerances from the wrong value may get its hint.

What it costs in secrecy: nothing for the right answer (a guess costs one hash against the
right digest, as before). The number of a hint's digests says how many cells its region spans:
per number, one when the mistake leaves that number right (it sits on a lattice point), else
two (rarely more). That tells which numbers a mistake changes, not their values.

Hints whose answer cannot be written on the right lattice (another number of numbers, a
relative lattice whose region reaches zero, or more than 16 joined tokens, as when a mistake
changes every output of a function answer) keep a record of their own, and :func:`first_hint`
reads both forms.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

from .canonical import (
    KDF,
    _cell_token,
    _cells,
    _encode_answer,
    _join,
    answer_digests,
    any_digest_in,
    candidate_tokens,
    digest,
    matches,
)
from .compare import tolerance

__all__ = ["first_hint", "region_digests"]

#: At most this many joined tokens describe one anticipated wrong answer on the right lattice.
_MAX_REGION = 16


def _region_options(atom: tuple, info: object) -> list[str] | None:
    """Tokens, on the right answer's lattice, of every answer within tolerance of ``atom``."""
    if info in ("i", "x"):
        tokens = _encode_answer(atom, info)
        return tokens or None
    _, w, rel, abs_tol, _ = atom
    tol = tolerance(w, rel, abs_tol)
    # The cells that cover [w - tol, w + tol]: those of its two ends (a hair inside, so that a
    # value on a lattice point, as the numbers a mistake leaves right are, needs one cell, not
    # three) and of w itself; the cells between them are contiguous.
    probes = [w - tol * (1 - 1e-9), w + tol * (1 - 1e-9)]
    if info[0] == "r" and not (all(x > 0 for x in probes) or all(x < 0 for x in probes)):
        return None  # the region reaches zero, where a relative lattice has no points
    if not _cells(w, rel, abs_tol, info):
        return None
    js = [j for x in (w, *probes) for j in _cells(x, rel, abs_tol, info)]
    return [_cell_token(info, w < 0, j) for j in range(min(js), max(js) + 1)]


def region_digests(
    atoms: list[tuple], right: dict, kdf: dict = KDF, *, hasher: Callable = digest
) -> list[str] | None:
    """Hashes that recognise an anticipated wrong answer with the right record's salt and lattice.

    The hint region of a wrong value ``w`` is every answer within the item's tolerance of ``w``
    (the autograder's rule), written as the tokens of the right answer's lattice that such
    answers quantise to. Lattice cells are as wide as the tolerance, so the region is at most
    one cell wider than the tolerance on each side. Because the salt and lattice are the right
    record's, a learner's answer is hashed once (:func:`answer_digests`) and compared with the
    right digest and every hint's digests: one derivation per check instead of one per hint.
    The right answer's own digest is left out, so a hint never claims a right answer.

    Returns None when the wrong answer cannot be written on that lattice (another number of
    numbers, a relative lattice whose region reaches zero, or more than 16 tokens); such a hint
    keeps its own record (:func:`expected_record`).

    >>> import hashlib
    >>> from ketlearn.answers.canonical import canonical_atoms, make_record
    >>> fast = lambda token, salt, kdf: hashlib.sha256((salt + token).encode()).hexdigest()
    >>> parts = [{"name": "f_pct", "kind": "number", "rel": 0.01}]
    >>> right = make_record(parts, {"f_pct": 45.0}, "00" * 16, hasher=fast)
    >>> hint = region_digests(canonical_atoms(parts, {"f_pct": 0.45}), right, hasher=fast)
    >>> answer = canonical_atoms(parts, {"f_pct": 0.452})
    >>> any(d in hint for d in answer_digests(answer, right, hasher=fast))
    True
    >>> answer = canonical_atoms(parts, {"f_pct": 0.47})
    >>> any(d in hint for d in answer_digests(answer, right, hasher=fast))
    False
    """
    lattice = right["lattice"]
    if sum(1 for a in atoms if a[0] == "n") != len(lattice):
        return None
    options: list[list[str]] = []
    infos = iter(lattice)
    for atom in atoms:
        if atom[0] == "s":
            options.append(["s" + atom[1]])
            continue
        found = _region_options(atom, next(infos))
        if found is None:
            return None
        options.append(found)
    if math.prod(len(o) for o in options) > _MAX_REGION:
        return None
    hashes = {hasher(_join(list(c)), right["salt"], kdf) for c in itertools.product(*options)}
    hashes.discard(right["digest"])
    return sorted(hashes) or None


def first_hint(
    hints: list[dict],
    atoms: list[tuple],
    right: dict,
    kdf: dict = KDF,
    *,
    hasher: Callable = digest,
    digests: list[str] | None = None,
) -> tuple[str | None, int]:
    """The hint of the first anticipated wrong answer that ``atoms`` match, and the hashes made.

    ``hints`` are the stored entries ``{"hint", "digests"}`` (on the right record's salt and
    lattice: :func:`region_digests`) or ``{"hint", "record"}`` (a record of their own).
    ``digests`` are the answer's :func:`answer_digests` for ``right`` when the caller already
    has them (the check against the right record made them). Call it only after the right
    record failed.
    """
    made = 0
    if digests is None and any("digests" in h for h in hints):
        digests = answer_digests(atoms, right, kdf, hasher=hasher)
        made += len(digests)
    for h in hints:
        if "digests" in h:
            if any_digest_in(digests or [], h["digests"]):
                return h["hint"], made
            continue
        made += len(candidate_tokens(atoms, h["record"]["lattice"]))
        if matches(atoms, h["record"], kdf, hasher=hasher):
            return h["hint"], made
    return None, made
