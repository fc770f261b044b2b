"""The ``ketlearn`` console script for instructors.

``ketlearn grade``     autograde (parallel, resumable, tamper-resistant; nbgrader's gradebook)
``ketlearn feedback``  HTML feedback per student: scores and visible messages, no hidden tests
``ketlearn export``    grades as nbgrader's CSV and as a Canvas gradebook import CSV

Run ``ketlearn COMMAND --help`` for the options. Every command works on an nbgrader course
folder (the folder holding ``nbgrader_config.py``), by default the current folder.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["main"]


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
    return p


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
            code = report.exit_code  # 130 after Ctrl-C, 1 when tampering or a fault needs you
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
