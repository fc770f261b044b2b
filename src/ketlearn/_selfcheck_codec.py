"""Former home of the self-check token codec; kept so existing imports keep working.

Everything here now lives in :mod:`ketlearn.answers.canonical` (canonicalise → quantise → hash),
the one definition shared by self-checks, tools and (next) misconception hints.
"""

from __future__ import annotations

from .answers.canonical import (
    KDF,
    Mismatch,
    candidate_tokens,
    canonical_atoms,
    digest,
    expected_record,
    flatten,
    make_record,
    matches,
    record_matches,
)

__all__ = [
    "KDF",
    "Mismatch",
    "candidate_tokens",
    "canonical_atoms",
    "digest",
    "expected_record",
    "flatten",
    "make_record",
    "matches",
    "record_matches",
]
