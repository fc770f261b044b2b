"""``ketlearn report``: item analysis of graded assignments, from nbgrader's gradebook.

:func:`build_report` reads the gradebook (scores of every grade cell, manual scores where a
grader gave one) and the instructor-only ``autograded/STUDENT/ASSIGNMENT/.ketlearn-grade.json``
files that ``ketlearn grade`` writes (per test: passed, error, the plain answers the test read;
per notebook: time-outs and other faults), and computes with :mod:`ketlearn.analytics`. The
page and CSV files are :mod:`ketlearn.grading.report_html`, a thin layer on the result.

Misconception hints (issue 12) plug in through :class:`HintSource`: an object that says which
items declare hints and which hint a wrong answer triggers
(:class:`ketlearn.grading.hints.SelfcheckHints` reads them from the self-check data; ``ketlearn
report`` uses it). The ``hints`` column of an item is filled (hint → number of students) when the
source declares hints for it, and left empty otherwise; without a source no item declares hints.
"""

from __future__ import annotations

import ast
import json
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from ketlearn import analytics, variant
from ketlearn.grading.codec import decode

__all__ = ["AssignmentReport", "CourseReport", "HintSource", "ItemRow", "build_report"]

MARKER = ".ketlearn-grade.json"


class HintSource(Protocol):
    """Where misconception hints come from (see the module docstring)."""

    def declares(self, assignment: str, grade_id: str) -> bool:
        """True when the item has anticipated wrong answers with hints."""

    def match(
        self,
        assignment: str,
        grade_id: str,
        answers: Mapping[str, object],
        student: str | None = None,
    ) -> str | None:
        """The hint a student's wrong answer triggers, or None (``student``: whose variant).

        ``answers`` maps the item's variable names to the plain data the test read (as the grade
        marker stores it: the codec's encoding); an item is matched as a whole, since an
        anticipated wrong answer may involve several of its variables.
        """


@dataclass
class ItemRow:
    """One item of one assignment: statistics, faults, grouped wrong answers, hint hits."""

    assignment: str
    notebook: str
    grade_id: str
    kind: str  # "autograded" or "manual"
    stats: analytics.ItemStats | None
    graded: int = 0  # students with a score for this item
    timeouts: int = 0
    errors: int = 0
    wrong_answers: list = field(default_factory=list)  # (name, label, count)
    hints: dict | None = None  # hint label -> students, or None when no hints are declared


@dataclass
class AssignmentReport:
    name: str
    students: list[str]
    max_points: float
    percent: dict[str, float]
    alpha: float
    kr20: float
    alpha_items: int
    histogram: list
    items: list[ItemRow]


@dataclass
class CourseReport:
    assignments: list[AssignmentReport]
    students: list[str]
    trajectories: dict[str, list[float | None]]
    flags: dict[str, int]
    attention: list


def _tolerance(source: str) -> tuple[float, float]:
    """``rel`` and ``abs_tol`` of the first ``assert_close`` call in a test (0 when absent)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return 0.0, 0.0
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if name in ("assert_close", "is_close"):
                rel, abs_tol = 1e-6, 0.0  # ketlearn.checks.assert_close's defaults
                for kw in node.keywords:
                    if isinstance(kw.value, ast.Constant) and isinstance(
                        kw.value.value, int | float
                    ):
                        if kw.arg == "rel":
                            rel = float(kw.value.value)
                        elif kw.arg == "abs_tol":
                            abs_tol = float(kw.value.value)
                return rel, abs_tol
    return 0.0, 0.0


def _natural(name: str) -> list:
    """Sort key putting q2 before q10."""
    import re

    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


def _read_gradebook(db_url: str, course_id: str, names: list[str]):
    from nbgrader.api import (
        Assignment,
        Gradebook,
        GradeCell,
        Notebook,
        SourceCell,
        SubmittedAssignment,
        SubmittedNotebook,
    )
    from nbgrader.api import Grade as G

    with Gradebook(db_url, course_id) as gb:
        known = {a.name for a in gb.assignments}
        students = sorted(s.id for s in gb.students)
        cells = (
            gb.db.query(Assignment.name, Notebook.name, GradeCell.name, GradeCell.max_score)
            .select_from(GradeCell)
            .join(Notebook, GradeCell.notebook_id == Notebook.id)
            .join(Assignment, Notebook.assignment_id == Assignment.id)
            .filter(Assignment.name.in_(names))
            .all()
        )
        sources = (
            gb.db.query(Assignment.name, Notebook.name, SourceCell.name, SourceCell.source)
            .select_from(SourceCell)
            .join(Notebook, SourceCell.notebook_id == Notebook.id)
            .join(Assignment, Notebook.assignment_id == Assignment.id)
            .filter(Assignment.name.in_(names))
            .all()
        )
        grades = (
            gb.db.query(
                Assignment.name,
                SubmittedAssignment.student_id,
                Notebook.name,
                GradeCell.name,
                G.auto_score,
                G.manual_score,
            )
            .select_from(G)
            .join(SubmittedNotebook, G.notebook_id == SubmittedNotebook.id)
            .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
            .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
            .join(GradeCell, G.cell_id == GradeCell.id)
            .join(Notebook, GradeCell.notebook_id == Notebook.id)
            .filter(Assignment.name.in_(names))
            .all()
        )
    src = {(a, nb, name): text or "" for a, nb, name, text in sources}
    return known, students, cells, src, grades


def _markers(autograded: Path, assignment: str, students: list[str]) -> dict:
    out = {}
    for student in students:
        path = autograded / student / assignment / MARKER
        try:
            out[student] = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
    return out


def build_report(
    course: str | Path = ".",
    assignments: list[str] | None = None,
    hints: HintSource | None = None,
    top: int = 5,
    drop: float = 15.0,
    max_flags: int = 3,
) -> CourseReport:
    """Item analysis of ``assignments`` (default: all in the gradebook, in name order).

    ``drop`` and ``max_flags`` set the "needs attention" policy
    (:func:`ketlearn.analytics.attention_list`); ``top`` is how many wrong-answer groups to keep
    per item.
    """
    from ketlearn.grading.gradebook import CourseError, open_course

    api, db_url = open_course(Path(course))
    cd = api.coursedir
    names = list(assignments or [])
    known, students, cells, src, grades = _read_gradebook(db_url, cd.course_id, names)
    if not names:
        names = sorted(known)
        known, students, cells, src, grades = _read_gradebook(db_url, cd.course_id, names)
    unknown = [a for a in names if a not in known]
    if unknown:
        raise CourseError(
            f"unknown assignment(s) {', '.join(unknown)}; the gradebook has: "
            f"{', '.join(sorted(known)) or 'none'}"
        )
    autograded = Path(cd.root) / cd.autograded_directory
    by_assignment: dict[str, dict] = {a: {} for a in names}
    for a, student, nb, gid, auto, manual in grades:
        score = manual if manual is not None else auto
        by_assignment[a].setdefault(student, {})[nb, gid] = score
    reports, flags = [], Counter()
    for a in names:
        items = sorted(
            [(nb, gid, float(mx)) for aa, nb, gid, mx in cells if aa == a],
            key=lambda t: (t[0], _natural(t[1])),
        )
        markers = _markers(autograded, a, sorted(by_assignment[a]))
        for student, m in markers.items():
            for kinds in m.get("faults", {}).values():
                flags[student] += len(kinds)
            for per_nb in m.get("items", {}).values():
                flags[student] += sum(1 for it in per_nb.values() if it.get("error"))
        reports.append(_assignment(a, items, by_assignment[a], markers, src, hints, top))
    trajectories = {s: [r.percent.get(s) for r in reports] for s in students}
    attention = analytics.attention_list(
        trajectories, dict(flags), names, drop=drop, max_flags=max_flags
    )
    return CourseReport(reports, students, trajectories, dict(flags), attention)


def _assignment(a, items, scores, markers, src, hints, top) -> AssignmentReport:
    submitted = sorted(scores)
    total_max = sum(mx for _, _, mx in items) or math.nan
    percent = {s: 100.0 * sum(v or 0.0 for v in scores[s].values()) / total_max for s in submitted}
    complete = [
        j
        for j, (nb, gid, _) in enumerate(items)
        if submitted and all(scores[s].get((nb, gid)) is not None for s in submitted)
    ]
    matrix = np.array(
        [[scores[s][items[j][0], items[j][1]] for j in complete] for s in submitted],
        dtype=float,
    ).reshape(len(submitted), len(complete))
    maxes = [items[j][2] for j in complete]
    stats = {}
    if complete:
        for j, st in zip(
            complete,
            analytics.item_statistics(matrix, maxes, [items[j][1] for j in complete]),
            strict=True,
        ):
            stats[j] = st
    alpha = analytics.cronbach_alpha(matrix) if len(complete) >= 2 else math.nan
    full = (matrix >= np.asarray(maxes) - 1e-9).astype(float) if complete else matrix
    kr = analytics.kr20(full) if len(complete) >= 2 else math.nan
    rows = []
    for j, (nb, gid, _mx) in enumerate(items):
        graded = sum(1 for s in submitted if scores[s].get((nb, gid)) is not None)
        test = [m.get("items", {}).get(nb, {}).get(gid) for m in markers.values()]
        test = [t for t in test if t is not None]
        kind = "autograded" if test else "manual"
        row = ItemRow(a, nb, gid, kind, stats.get(j), graded=graded)
        if test:
            row.errors = sum(1 for t in test if t.get("error") and t["error"] != "NotGraded")
            row.timeouts = sum(
                1
                for m in markers.values()
                if gid in m.get("items", {}).get(nb, {})
                and (
                    m["items"][nb][gid].get("error") == "NotGraded"
                    or any(
                        k in ("timeout", "kernel death") for k in m.get("faults", {}).get(nb, [])
                    )
                )
            )
            row.wrong_answers, row.hints = _wrong(a, nb, gid, markers, src, hints, top)
        rows.append(row)
    return AssignmentReport(
        name=a,
        students=submitted,
        max_points=total_max,
        percent=percent,
        alpha=alpha,
        kr20=kr,
        alpha_items=len(complete),
        histogram=analytics.score_histogram(list(percent.values())),
        items=rows,
    )


def _decoded(data):
    try:
        value = decode(data)
    except Exception:
        return data
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, int | float | str | bool | type(None) | list | dict | tuple):
        return value
    return data


def _variant_of(assignment: str, gid: str, student: str) -> str:
    """The 1-based variant ``student`` got for an item with variants ("?" for an unusable id)."""
    try:
        return str(variant.index(assignment, gid, student) + 1)
    except ValueError:
        return "?"


def _wrong(a, nb, gid, markers, src, hints, top):
    test_name = gid  # the test cell's own source holds the tolerance
    rel, abs_tol = _tolerance(src.get((a, nb, test_name), ""))
    per_name: dict[str, list] = {}
    declared = hints is not None and hints.declares(a, gid)
    hits: Counter = Counter()
    varies = gid in variant.items(a).get(a, [])
    for student, m in markers.items():
        item = m.get("items", {}).get(nb, {}).get(gid)
        if not item or item.get("passed"):
            continue
        for name, data in sorted(item.get("answers", {}).items()):
            if varies:  # one student's wrong value may be another's right one: group per variant
                name = f"{name} (variant {_variant_of(a, gid, student)})"
            per_name.setdefault(name, []).append(_decoded(data))
        hint = hints.match(a, gid, item.get("answers", {}), student) if declared else None
        if hint:
            hits[hint] += 1
    wrong = []
    for name, values in sorted(per_name.items()):
        for label, count in analytics.group_answers(values, rel=rel, abs_tol=abs_tol, top=top):
            wrong.append((name, label, count))
    wrong.sort(key=lambda t: -t[2])
    return wrong[:top], (dict(hits.most_common()) if declared else None)
