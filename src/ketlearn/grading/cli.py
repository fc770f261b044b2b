"""The ``ketlearn`` console script for instructors.

``ketlearn grade``     autograde (parallel, resumable, tamper-resistant; nbgrader's gradebook)
``ketlearn feedback``  HTML feedback per student: scores and visible messages, no hidden tests
``ketlearn export``    grades as nbgrader's CSV and as a Canvas gradebook import CSV
``ketlearn report``    item analysis: a static HTML page plus CSV files
``ketlearn variants``  which values given students see in the items with per-student variants

Run ``ketlearn COMMAND --help`` for the options. Every command works on an nbgrader course
folder (the folder holding ``nbgrader_config.py``), by default the current folder.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["main", "score_summary"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ketlearn", description="ketlearn instructor tools")
    sub = p.add_subparsers(dest="command", required=True)

    g = sub.add_parser("grade", help="autograde submissions in parallel (nbgrader gradebook)")
    g.add_argument(
        "assignments", nargs="*", help="assignment names (default: all in the gradebook)"
    )
    g.add_argument(
        "--course", default=".", help="course folder with nbgrader_config.py (default: .)"
    )
    g.add_argument(
        "--student", action="append", dest="students", help="grade only this student (repeatable)"
    )
    g.add_argument(
        "-j",
        "--workers",
        type=int,
        default=None,
        help="parallel workers (default: number of cores)",
    )
    g.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds per cell (default: ExecutePreprocessor.timeout)",
    )
    g.add_argument(
        "--force",
        action="store_true",
        help="regrade submissions already graded from the same files",
    )
    g.add_argument("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://host:8786")
    g.add_argument(
        "--sandbox",
        choices=["auto", "on", "off"],
        default="auto",
        help="run student code in a bubblewrap/unshare sandbox; on: refuse without one; "
        "auto (default): use it when available, warn in the summary otherwise",
    )
    g.add_argument("--no-progress", action="store_true", help="no progress bar")

    f = sub.add_parser("feedback", help="write leak-free HTML feedback into feedback/")
    f.add_argument("assignments", nargs="*")
    f.add_argument("--course", default=".")
    f.add_argument("--student", action="append", dest="students")

    e = sub.add_parser("export", help="export grades (nbgrader CSV and/or Canvas CSV)")
    e.add_argument("--course", default=".")
    e.add_argument("--nbgrader-csv", default=None, help="path of nbgrader's CSV export")
    e.add_argument("--canvas-csv", default=None, help="path of a Canvas gradebook import CSV")
    e.add_argument(
        "--canvas-roster",
        default=None,
        help="CSV exported from Canvas (maps SIS User ID to Canvas ID and name)",
    )
    e.add_argument(
        "--canvas-ids",
        default=None,
        help="CSV with columns assignment,canvas_id for column headers",
    )
    _add_report_parser(sub)
    _add_variants_parser(sub)
    return p


# --- ketlearn report (issue 15) ---------------------------------------------------------------
def _add_report_parser(sub) -> None:
    r = sub.add_parser("report", help="item analysis: HTML page + CSV (difficulty, α, trends)")
    r.add_argument("assignments", nargs="*", help="assignments in course order (default: all)")
    r.add_argument("--course", default=".", help="course folder (default: .)")
    r.add_argument("--out", default="report", help="output folder (default: report/)")
    r.add_argument("--drop", type=float, default=15.0, help="'falling' threshold, % points")
    r.add_argument("--max-flags", type=int, default=3, help="flags before 'needs attention'")


def _run_report(args) -> int:
    from ketlearn.grading.hints import SelfcheckHints
    from ketlearn.grading.report import build_report
    from ketlearn.grading.report_html import write_report

    report = build_report(
        args.course,
        args.assignments or None,
        hints=SelfcheckHints(),
        drop=args.drop,
        max_flags=args.max_flags,
    )
    for path in write_report(report, args.out):
        print(f"Wrote {path}")
    return 0


# --- ketlearn variants (issue 19) -------------------------------------------------------------
def _add_variants_parser(sub) -> None:
    v = sub.add_parser("variants", help="preview students' variants (ketlearn.variant)")
    v.add_argument("assignments", nargs="*", help="assignment names (default: all)")
    v.add_argument(
        "--student", action="append", dest="students", required=True, help="student id (repeat)"
    )


def _run_variants(args) -> int:
    from ketlearn import variant

    for name in args.assignments:
        if not variant.items(name):
            print(f"{name}: no items with variants")
    for student in args.students:
        try:
            variant._valid_id(student, "--student")
        except ValueError as exc:
            print(f"ketlearn variants: {exc}", file=sys.stderr)
            return 2
        print(f"Student {student}:")
        names = args.assignments or [None]
        for name in names:
            for row in variant.preview(student, name).itertuples():
                values = ", ".join(f"{k} = {v!r}" for k, v in row.params.items())
                print(f"  {row.assignment} {row.item}: variant {row.variant} of {row.of}: {values}")
    return 0


# ----------------------------------------------------------------------------------------------


def score_summary(course=".", assignments=None, students=None) -> str:
    """A table of each student's autograded score per assignment, read from the gradebook.

    Printed at the end of ``ketlearn grade``; scores are nbgrader's (``code_score`` of
    ``max_code_score``: autograded points only; written answers are graded in the formgrader).
    """
    from nbgrader.api import Gradebook

    from ketlearn.grading.gradebook import open_course

    api, db_url = open_course(course)
    lines = ["Scores (autograded points):"]
    with Gradebook(db_url, api.coursedir.course_id) as gb:
        names = assignments or [a.name for a in gb.assignments]
        for name in names:
            subs = sorted(gb.assignment_submissions(name), key=lambda s: s.student.id)
            subs = [s for s in subs if not students or s.student.id in students]
            lines.append(f"  {name}: {len(subs)} submission(s)")
            lines += [
                f"    {s.student.id:<24} {s.code_score:g} / {s.max_code_score:g}" for s in subs
            ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns (and exits with) the exit status."""
    args = _parser().parse_args(argv)
    from ketlearn.grading.gradebook import CourseError

    try:
        if args.command == "grade":
            from ketlearn.grading.runner import grade

            report = grade(
                args.course,
                args.assignments or None,
                args.students,
                workers=args.workers,
                timeout=args.timeout,
                force=args.force,
                scheduler=args.scheduler,
                sandbox=args.sandbox,
                progress=not args.no_progress,
            )
            print(report.summary())
            print(score_summary(args.course, args.assignments or None, args.students))
            code = report.exit_code  # 130 after Ctrl-C, 1 when tampering or a fault needs you
        elif args.command == "report":
            code = _run_report(args)
        elif args.command == "variants":
            code = _run_variants(args)
        elif args.command == "feedback":
            from ketlearn.grading.feedback import write_feedback

            written, problems = write_feedback(args.course, args.assignments or None, args.students)
            print(f"Wrote {len(written)} feedback file(s).")
            for problem in problems:
                print(f"  NEEDS INSTRUCTOR: {problem}")
            code = 1 if problems else 0
        else:
            from ketlearn.grading.export import export

            paths = export(
                args.course,
                nbgrader_csv=args.nbgrader_csv,
                canvas_csv=args.canvas_csv,
                canvas_roster=args.canvas_roster,
                canvas_ids=args.canvas_ids,
            )
            for path in paths:
                print(f"Wrote {path}")
            code = 0
    except CourseError as exc:
        print(f"ketlearn {args.command}: {exc}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:  # Ctrl-C outside the grading loop (which stops by itself)
        print(f"ketlearn {args.command}: interrupted", file=sys.stderr)
        code = 130
    if argv is None:
        sys.exit(code)
    return code
