"""The fast gradebook writer: nbgrader's autograde steps in memory, one long-lived session.

``nbgrader autograde`` (the reference, ``Recorder(fast=False)``) spends almost all of its time
outside scoring: it builds an app per call, writes each notebook to disk and reads it back
between its two passes, and opens the database five times per submission, each time with a new
SQLAlchemy engine, so no SQL statement is ever compiled from cache. :class:`FastWriter` runs the
*same* nbgrader preprocessors, configured from the course's ``nbgrader_config.py``, in the same
order, on the notebook in memory, and gives the four that touch the database (kernelspec, locked
cells, auto-grades, late penalty) one shared ``Gradebook`` whose per-cell commits become flushes.
Each submission is one transaction: it is committed whole or rolled back whole (and retried
with back-off while another process, e.g. the formgrader, holds SQLite's write lock).

The database schema and the ``autograded/`` folder are nbgrader's own, so ``nbgrader export``,
the formgrader and manual grading work unchanged, with SQLite or any SQLAlchemy URL (PostgreSQL).
"""

from __future__ import annotations

import os
import shutil
import time
import weakref
from fnmatch import fnmatch
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    IgnorePattern,
    LimitOutput,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)

__all__ = ["FastWriter"]


class _FlushOnly:
    """A session stand-in whose ``commit`` does nothing: the writer commits per submission.

    The session autoflushes before every query, so later reads see earlier changes.
    """

    def __init__(self, session) -> None:
        self._session = session

    def commit(self) -> None:
        return None

    def __getattr__(self, name):
        return getattr(self._session, name)


class _Shared:
    """A borrowed ``Gradebook`` that preprocessors may enter and leave without closing it."""

    def __init__(self, gradebook) -> None:
        self._gb = gradebook
        self.rows: dict[tuple, object] = {}  # (kind, grade_id, notebook) -> Grade or Comment

    def load(self, submission) -> None:
        """Index one submission's Grade and Comment rows (the objects the session holds)."""
        self.rows = {}
        for snb in submission.notebooks:
            for g in snb.grades:
                self.rows["grade", g.name, snb.notebook.name] = g
            for c in snb.comments:
                self.rows["comment", c.name, snb.notebook.name] = c

    def find_grade(self, grade_id, notebook, assignment, student):
        row = self.rows.get(("grade", grade_id, notebook))
        return (
            row if row is not None else self._gb.find_grade(grade_id, notebook, assignment, student)
        )

    def find_comment(self, grade_id, notebook, assignment, student):
        row = self.rows.get(("comment", grade_id, notebook))
        if row is None:
            return self._gb.find_comment(grade_id, notebook, assignment, student)
        return row

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def __getattr__(self, name):
        return getattr(self._gb, name)


# nbgrader's database preprocessors open their own Gradebook in ``preprocess``; these subclasses
# take the writer's instead and otherwise run nbgrader's cell logic unchanged.
class _Kernelspec(OverwriteKernelspec):
    gradebook = None

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        spec = self.gradebook.find_notebook(info["notebook"], info["assignment"]).kernelspec
        if spec:
            import json

            nb.metadata["kernelspec"] = json.loads(spec)
        return nb, resources


class _Overwrite(OverwriteCells):
    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        self.notebook_id, self.assignment_id = info["notebook"], info["assignment"]
        nb, resources = super(OverwriteCells, self).preprocess(nb, resources)
        if self.add_missing_cells:
            nb, resources = self.add_missing_grade_cells(nb, resources)
            nb, resources = self.add_missing_task_cells(nb, resources)
        return nb, resources


class _Save(SaveAutoGrades):
    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        self.notebook_id, self.assignment_id = info["notebook"], info["assignment"]
        self.student_id = info["student"]
        return super(SaveAutoGrades, self).preprocess(nb, resources)


class _Late(AssignLatePenalties):
    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        self.notebook_id, self.assignment_id = info["notebook"], info["assignment"]
        self.student_id = info["student"]
        self.init_plugin()
        gb = self.gradebook
        nb, resources = super(AssignLatePenalties, self).preprocess(nb, resources)
        sub = gb.find_submission(self.assignment_id, self.student_id)
        notebook = gb.find_submission_notebook(
            self.notebook_id, self.assignment_id, self.student_id
        )
        notebook.late_submission_penalty = None
        if sub.total_seconds_late > 0:
            penalty = self.plugin_inst.late_submission_penalty(
                self.student_id, notebook.score, sub.total_seconds_late
            )
            if penalty is not None:
                notebook.late_submission_penalty = self._check_late_penalty(notebook, penalty)
        return nb, resources


class _Check(CheckCellMetadata):
    """nbgrader's metadata check with the JSON schema compiled once, not once per cell."""

    _validator = None

    def preprocess(self, nb, resources):
        from jsonschema.validators import validator_for
        from nbgrader.nbgraderformat import MetadataValidator, ValidationError

        meta = MetadataValidator()
        if _Check._validator is None:
            _Check._validator = validator_for(meta.schema)(meta.schema)
        try:
            for cell in nb.cells:
                if "nbgrader" not in cell.metadata:
                    continue
                if cell.metadata["nbgrader"].get("schema_version", 0) != meta.schema_version:
                    meta.validate_cell(cell)  # nbgrader's own error for a wrong version
                _Check._validator.validate(cell.metadata["nbgrader"])
        except Exception as exc:
            raise ValidationError(
                "Notebook failed to validate; the nbgrader metadata may be corrupted."
            ) from exc
        return nb, resources


def _locked(exc: Exception) -> bool:
    text = str(exc).lower()
    return "database is locked" in text or "could not serialize" in text or "deadlock" in text


class FastWriter:
    """Records graded submissions through nbgrader's preprocessors and one gradebook session.

    Parameters
    ----------
    api : nbgrader.apps.NbGraderAPI
        The course's API object (its ``coursedir`` and ``config`` are used).
    retries : int
        Attempts after the first when the database is locked (waits 0.1, 0.2, 0.4 … s).
    """

    def __init__(self, api, retries: int = 4) -> None:
        from nbgrader.api import Gradebook

        self.coursedir = api.coursedir
        self.config = api.config
        self.retries = retries
        self.gb = Gradebook(self.coursedir.db_url, self.coursedir.course_id)
        self.gb.db = _FlushOnly(self.gb.db)  # our instance only: nbgrader's methods flush
        self._session = self.gb.db._session
        self._finalizer = weakref.finalize(self, _close, self.gb)
        self.shared = shared = _Shared(self.gb)

        def make(cls):
            pp = cls(config=self.config)
            if cls in (_Kernelspec, _Overwrite, _Save, _Late):
                pp.gradebook = shared
            return pp

        # nbgrader validates the cells' metadata (CheckCellMetadata, a pure check that raises)
        # after both passes; once, at the end, fails the same submissions for half the cost.
        self.sanitize = [make(c) for c in (ClearOutput, DeduplicateIds, _Kernelspec, _Overwrite)]
        self.autograde = [
            make(c)
            for c in (
                IgnorePattern,
                ClearMetadataPreprocessor,
                LimitOutput,
                _Save,
                _Late,
                _Check,
            )
        ]
        permissions = None
        for section in ("BaseConverter", "Autograde"):  # nbgrader's trait, most specific last
            permissions = self.config.get(section, {}).get("permissions", permissions)
        if permissions is None:
            permissions = 664 if self.coursedir.groupshared else 444
        self.permissions = int(str(permissions), 8)

    def close(self) -> None:
        """Close the gradebook session and its engine."""
        self._finalizer()

    def record(self, assignment: str, student: str, folder: Path, prepared: list, results: dict):
        """Record one submission (one transaction); return per-notebook auto scores."""
        for attempt in range(self.retries + 1):
            try:
                return self._record(assignment, student, Path(folder), prepared, results)
            except Exception as exc:
                self._session.rollback()
                if not _locked(exc):
                    # nbgrader commits the student and the submission before it processes the
                    # notebooks, so a notebook it refuses (old metadata, corrupt) still leaves
                    # that row; do the same, then report the failure.
                    self._record_submission_only(assignment, student, Path(folder))
                    raise
                if attempt == self.retries:
                    raise
                time.sleep(0.1 * 2**attempt)
        raise AssertionError("unreachable")

    def _record_submission_only(self, assignment: str, student: str, folder: Path) -> None:
        try:
            self.gb.update_or_create_student(student)
            timestamp = self.coursedir.get_existing_timestamp(str(folder))
            if timestamp:
                self.gb.update_or_create_submission(assignment, student, timestamp=timestamp)
            else:
                self.gb.update_or_create_submission(assignment, student)
            self._session.commit()
        except Exception:
            self._session.rollback()

    def _record(self, assignment, student, folder, prepared, results):
        from ketlearn.grading._outputs import inject_outputs, worker_outputs

        gb, cd = self.gb, self.coursedir
        gb.update_or_create_student(student)
        timestamp = cd.get_existing_timestamp(str(folder))
        if timestamp:
            gb.update_or_create_submission(assignment, student, timestamp=timestamp)
        else:
            gb.update_or_create_submission(assignment, student)
        self.shared.load(gb.find_submission(assignment, student))
        dest = Path(cd.format_path(cd.autograded_directory, student, assignment))
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        self._copy_files(folder, dest, assignment)
        notebooks = {}
        for prep in prepared:
            if prep.nb is None:
                continue
            resources = {
                "nbgrader": {
                    "student": student,
                    "assignment": assignment,
                    "notebook": prep.notebook,
                    "db_url": cd.db_url,
                }
            }
            nb = nbformat.from_dict(prep.nb)
            for pp in self.sanitize:
                nb, resources = pp(nb, resources)
            inject_outputs(nb, worker_outputs(prep, results[prep.notebook]))
            for pp in self.autograde:
                nb, resources = pp(nb, resources)
            notebooks[prep.notebook] = nb
        sub = gb.find_submission(assignment, student)
        scores = {}
        for snb in sub.notebooks:
            name = snb.notebook.name
            if name not in notebooks:  # nbgrader: a notebook not submitted scores zero
                for grade in snb.grades:
                    grade.auto_score = 0
                    grade.needs_manual_grade = False
            scores[name] = {g.name: g.auto_score for g in snb.grades}
        self._session.commit()
        for name, nb in notebooks.items():
            nbformat.write(nb, dest / f"{name}.ipynb")
        for dirpath, _, filenames in os.walk(dest):
            for filename in filenames:
                os.chmod(os.path.join(dirpath, filename), self.permissions)
        return scores

    def _copy_files(self, folder: Path, dest: Path, assignment: str) -> None:
        """The student's other files, then the source folder's (as nbgrader autograde copies)."""
        cd = self.coursedir
        source = Path(cd.format_path(cd.source_directory, ".", assignment))
        keep = set(
            self.config.get("Autograde", {}).get("exclude_overwriting", {}).get(assignment, [])
        )
        for base, skip in ((folder, set()), (source, keep)):
            for path in base.rglob("*"):
                rel = path.relative_to(base)
                if not path.is_file() or path.suffix == ".ipynb" or str(rel) in skip:
                    continue
                if any(fnmatch(part, pat) for part in rel.parts for pat in cd.ignore):
                    continue
                target = dest / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.exists():
                    target.unlink()
                shutil.copy(path, target)


def _close(gb) -> None:
    try:
        gb.db._session.remove()
    finally:
        gb.engine.dispose()
