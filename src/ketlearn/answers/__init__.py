"""One answer model: what a plain answer is, how it is compared, how it is stored.

Every place that judges an answer uses this package, so they cannot disagree:

- the course's test cells and hidden tests (through :mod:`ketlearn.checks`, which re-exports
  the conversions and comparisons below);
- the learners' self-checks (:mod:`ketlearn.selfcheck`), which canonicalise, quantise and hash
  an answer (:mod:`ketlearn.answers.canonical`) and compare it with a stored record;
- the autograder: the grading codec (:mod:`ketlearn.grading.codec`) carries exactly the
  :func:`plain_kind` types from the student's process to the checker and rebuilds them as
  fresh objects of the same exact type, so the checker's conversions see what the learner's
  kernel saw. ``tests/test_answers_parity.py`` checks, on generated answers of every kind, that
  self-check and autograder give the same verdict.

Submodules
----------
:mod:`~ketlearn.answers.plain`
    Plain data: :func:`plain_kind` (the list of plain types), :func:`plain_number`,
    :func:`plain_array`, :func:`plain_text`, :func:`plain_table`, :func:`plain_label`.
:mod:`~ketlearn.answers.compare`
    The tolerance rule ``|x - e| <= max(rel*|e|, abs_tol)``: :func:`tolerance`,
    :func:`is_close`, :func:`assert_close`.
:mod:`~ketlearn.answers.canonical`
    Canonicalise → quantise → hash: :func:`make_record` (for an expected answer, at build
    time) and :func:`record_matches` (for a learner's answer).

Extending it (planned, not built yet)
-------------------------------------
- **Misconception hints** (issue 12): an anticipated wrong answer (percent for fraction,
  forgotten bioavailability, ln for log10 ...) is stored exactly like the right one: a record
  made by :func:`make_record` from the wrong value, with its own salt, plus the hint text. The
  self-check tries the right record first, then each hint record with
  :func:`record_matches`, and shows the hint of the first that matches; the autograder's
  feedback can do the same from the same data file (it runs on the trusted side with the
  decoded plain answer). No readable wrong value is ever stored, and the hints share the
  right answer's tolerance rule.
- **Worked solutions unlocked by the right answer** (issue 12): derive the key from the same
  canonical tokens (:func:`~ketlearn.answers.canonical.candidate_tokens`) with a different salt
  than the stored record's, so the stored digest is never the key.
- **Per-student variants** (issue 19): the expected answer becomes a function of the item's
  parameters; the build step calls :func:`make_record` once per variant (or per variant in a
  bounded set) and keys the records by variant, and the self-check picks the learner's record
  before :func:`record_matches`. Nothing in the canonical form depends on the variant.
"""

from __future__ import annotations

from .canonical import KDF, Mismatch, make_record, record_matches
from .compare import DEFAULT_REL, assert_close, is_close, tolerance
from .plain import (
    PLAIN_NUMBERS,
    AnswerTypeError,
    is_numpy_number,
    plain_array,
    plain_kind,
    plain_label,
    plain_number,
    plain_table,
    plain_text,
)

__all__ = [
    "DEFAULT_REL",
    "KDF",
    "PLAIN_NUMBERS",
    "AnswerTypeError",
    "Mismatch",
    "assert_close",
    "is_close",
    "is_numpy_number",
    "make_record",
    "plain_array",
    "plain_kind",
    "plain_label",
    "plain_number",
    "plain_table",
    "plain_text",
    "record_matches",
    "tolerance",
]
