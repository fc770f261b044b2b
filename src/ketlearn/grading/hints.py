"""Misconception hints for the autograder's feedback and report, from the self-check data.

The package's ``_selfcheck_data.json`` stores, per item, anticipated wrong answers as salted
scrypt hashes of quantised tokens (never readable values) next to a hint: on the right answer's
salt and lattice (:func:`ketlearn.answers.regions.region_digests`) or, where a wrong answer
cannot be written on that lattice, as a record of its own (:func:`ketlearn.answers.make_record`)::

    "misconceptions": [{"hint": "...", "digests": ["..."]},
                       {"hint": "...", "record": {"salt", "lattice", "digest"}}, ...]

:class:`SelfcheckHints` implements :class:`ketlearn.grading.report.HintSource` from that file,
so the self-check (in the learner's kernel) and the autograder's feedback (on the instructor's
side) show the same hint for the same wrong answer.

Trusted side. It sees only what the grading codec carried out of the student's process: plain
values rebuilt as fresh objects (:func:`ketlearn.grading.codec.decode`) and kept in the grade
marker (:func:`ketlearn.grading.gradebook.report_answers`). It never imports, calls or executes
anything a student wrote; so items whose answer is a function (the codec carries no behaviour)
get no hint here, and neither do answers too large for the marker.

Cost. A failed answer costs one scrypt derivation per candidate token (32 MiB, about
0.1-0.3 s; usually one token), whatever the number of hints, plus one per hint stored with a
record of its own: only failed items are matched, and each distinct answer is matched once per item
(results are cached, so a class repeating the same mistake costs one derivation), and
:meth:`SelfcheckHints.prefetch` matches a whole class on every core before the feedback is
written.
``benchmarks/bench_hints.py`` prints the figures.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor

from ketlearn.answers import canonical, regions
from ketlearn.answers.plain import AnswerTypeError
from ketlearn.grading.codec import decode

__all__ = ["SelfcheckHints"]


class SelfcheckHints:
    """Hints of anticipated wrong answers, read from the self-check data (a ``HintSource``).

    Parameters
    ----------
    data : dict, optional
        The self-check data (``{"kdf", "assignments": {name: {grade_id: spec}}}``); by default
        the file shipped in the package.

    Examples
    --------
    >>> hints = SelfcheckHints({"kdf": {}, "assignments": {"a": {"q1_tests": {"parts": []}}}})
    >>> hints.declares("a", "q1_tests"), hints.declares("b", "q1_tests")
    (False, False)
    """

    def __init__(self, data: dict | None = None):
        if data is None:
            from ketlearn._selfcheck_items import load_data

            data = load_data()
        self._data = data
        self._kdf = data.get("kdf", canonical.KDF)
        self._cache: dict[tuple, str | None] = {}
        self.derivations = 0  # scrypt derivations made so far (for the benchmark)
        self._lock = threading.Lock()

    def _spec(self, assignment: str, grade_id: str, student: str | None = None) -> dict | None:
        """The item's data; for an item with variants, that of ``student``'s variant."""
        spec = self._data.get("assignments", {}).get(assignment, {}).get(grade_id)
        if spec and "variants" in spec:
            if not student:
                return None  # whose variant is unknown: no hint rather than another's
            from ketlearn.selfcheck import for_learner

            try:
                return for_learner(spec, assignment, grade_id, student)
            except (ValueError, RuntimeError):
                return None
        return spec

    def declares(self, assignment: str, grade_id: str) -> bool:
        """True when the item has anticipated wrong answers with hints."""
        spec = self._data.get("assignments", {}).get(assignment, {}).get(grade_id)
        if spec and "variants" in spec:
            return any(v.get("misconceptions") for v in spec["variants"])
        return bool(spec and spec.get("misconceptions"))

    def match(
        self,
        assignment: str,
        grade_id: str,
        answers: Mapping[str, object],
        student: str | None = None,
    ) -> str | None:
        """The hint a failed item's answers trigger, or None.

        ``answers`` maps the item's variable names to the codec's plain data (as stored in the
        grade marker) or to already decoded plain values. The first matching misconception
        wins, in the order the item lists them. ``student`` picks the variant of an item with
        per-student variants (:mod:`ketlearn.variant`); without it such items get no hint.
        """
        job = self._job(assignment, grade_id, answers, student)
        if job is None:
            return None
        key, spec, atoms = job
        if key not in self._cache:
            self._cache[key] = self._first_hint(spec, atoms)
        return self._cache[key]

    def prefetch(self, requests: Iterable[tuple[str, str, Mapping]], workers: int = 0) -> int:
        """Match many failed items at once, on every core, so later :meth:`match` calls are free.

        ``requests`` are ``(assignment, grade_id, answers)`` or ``(assignment, grade_id, answers,
        student)``; scrypt releases the GIL, so threads use all cores. Returns how many distinct
        answers were matched.
        """
        jobs = {}
        for request in requests:
            job = self._job(*request)
            if job is not None and job[0] not in self._cache:
                jobs[job[0]] = job
        if jobs:
            with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
                found = pool.map(lambda job: self._first_hint(job[1], job[2]), jobs.values())
                self._cache.update(zip(jobs, found, strict=True))
        return len(jobs)

    def _job(
        self, assignment: str, grade_id: str, answers: Mapping, student: str | None = None
    ) -> tuple | None:
        spec = self._spec(assignment, grade_id, student)
        if not spec or not spec.get("misconceptions"):
            return None
        values = {name: _plain(data) for name, data in answers.items()}
        try:
            atoms = canonical.canonical_atoms(spec["parts"], values)
        except (KeyError, AnswerTypeError, canonical.Mismatch, ValueError, TypeError):
            return None  # missing, of the wrong kind, a function, or failing a visible check
        return (
            (assignment, grade_id, spec.get("variant"), json.dumps(atoms, default=repr)),
            spec,
            atoms,
        )

    def _first_hint(self, spec: dict, atoms: list[tuple]) -> str | None:
        hint, made = regions.first_hint(
            spec["misconceptions"], atoms, spec.get("record", {}), self._kdf
        )
        with self._lock:
            self.derivations += made
        return hint


def _plain(data: object) -> object:
    """A marker's encoded value decoded with the codec (a decoded value passes through)."""
    if type(data) in (dict, list):
        try:
            return decode(data)
        except Exception:  # not the codec's format: leave it as it is
            return data
    return data
