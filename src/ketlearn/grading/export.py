"""Grades out of the gradebook: nbgrader's own CSV and a Canvas gradebook import CSV.

The nbgrader CSV is written by nbgrader's ``CsvExportPlugin`` (one row per student and
assignment). The Canvas CSV has the layout of a Canvas gradebook export, which Canvas reads
back on import: ``Student, ID, SIS User ID, SIS Login ID, Section``, then one column per
assignment (``name (canvas id)`` when the Canvas id is known, which updates that assignment;
a bare name makes Canvas create a new assignment), then a ``Points Possible`` row. Students
are matched on the SIS User ID, which is the nbgrader student id unless a Canvas roster
(a gradebook export from Canvas) maps them. A missing submission is left blank (Canvas leaves
the cell unchanged); a submission counts with its total score from the gradebook, and a score
that cannot be read stops the export with an error naming the student (never a blank).
"""

from __future__ import annotations

import csv
from pathlib import Path

from nbgrader.api import MissingEntry

from ketlearn.grading.gradebook import CourseError, open_course

__all__ = ["canvas_rows", "export"]

CANVAS_FIXED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def canvas_rows(gb, roster: dict | None = None, ids: dict | None = None) -> list[list[str]]:
    """Rows of a Canvas gradebook import CSV (header first) from an open nbgrader Gradebook."""
    roster = roster or {}
    ids = ids or {}
    assignments = sorted(gb.assignments, key=lambda a: (a.duedate is None, a.duedate, a.name))
    header = CANVAS_FIXED + [
        f"{a.name} ({ids[a.name]})" if a.name in ids else a.name for a in assignments
    ]
    rows = [header, ["Points Possible", "", "", "", ""] + [f"{a.max_score:g}" for a in assignments]]
    for student in sorted(gb.students, key=lambda s: s.id):
        info = roster.get(student.id, {})
        name = info.get("Student") or ", ".join(
            x for x in (student.last_name, student.first_name) if x
        )
        row = [
            name or student.id,
            info.get("ID", ""),
            student.id,
            info.get("SIS Login ID", ""),
            info.get("Section", ""),
        ]
        for a in assignments:
            try:
                submission = gb.find_submission(a.name, student.id)
            except MissingEntry:  # no submission: blank, which Canvas leaves unchanged
                row.append("")
                continue
            try:
                row.append(f"{float(submission.score):g}")
            except Exception as exc:  # never a silent blank for a submission that exists
                raise CourseError(
                    f"cannot export the score of student {student.id!r} for {a.name!r}: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
        rows.append(row)
    return rows


def _read_csv(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def export(course=".", nbgrader_csv=None, canvas_csv=None, canvas_roster=None, canvas_ids=None):
    """Write the requested exports; return the paths written."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins.export import CsvExportPlugin

    api, db_url = open_course(Path(course))
    written = []
    if nbgrader_csv is None and canvas_csv is None:
        nbgrader_csv = "grades.csv"
    with Gradebook(db_url, api.coursedir.course_id) as gb:
        if nbgrader_csv:
            CsvExportPlugin(to=str(nbgrader_csv)).export(gb)
            written.append(Path(nbgrader_csv))
        if canvas_csv:
            roster = (
                {r["SIS User ID"]: r for r in _read_csv(canvas_roster)} if canvas_roster else {}
            )
            ids = (
                {r["assignment"]: r["canvas_id"] for r in _read_csv(canvas_ids)}
                if canvas_ids
                else {}
            )
            with open(canvas_csv, "w", newline="", encoding="utf-8") as fh:
                csv.writer(fh).writerows(canvas_rows(gb, roster, ids))
            written.append(Path(canvas_csv))
    return written
