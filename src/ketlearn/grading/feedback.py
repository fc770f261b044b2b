"""Leak-free feedback: each item's score and the visible tests' messages, never hidden tests.

``nbgrader generate_feedback`` (0.9) renders the autograded notebook, whose test cells hold the
hidden tests and whose tracebacks quote their source (nbgrader issue #917). This module renders
its own HTML from the autograded notebook instead:

- a summary table first: every graded item, its score, its maximum, and the message of a
  failed test (the exception's type and message only);
- test cells reduced to what the student was given (hidden-test blocks removed);
- error outputs reduced to ``ExceptionType: message`` (no traceback, so no source lines);
- a final check: no distinctive line of any hidden test may appear in the HTML; if one does,
  the file is not written and the problem is reported.

Files go where nbgrader puts feedback (``feedback/<student>/<assignment>/<notebook>.html``), so
``nbgrader release_feedback`` distributes them as usual.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat

from ketlearn.grading.gradebook import open_course
from ketlearn.grading.prepare import strip_hidden

__all__ = ["feedback_html", "write_feedback"]

_HIDDEN_BLOCK = re.compile(
    r"### BEGIN (?:ALWAYS )?HIDDEN TESTS(.*?)### END (?:ALWAYS )?HIDDEN TESTS", re.DOTALL
)


def _hidden_lines(source: str) -> set[str]:
    lines = set()
    for block in _HIDDEN_BLOCK.findall(source):
        lines.update(ln.strip() for ln in block.splitlines() if len(ln.strip()) >= 8)
    return lines


def feedback_html(nb, grades: dict[str, dict], tests: dict[str, str], title: str) -> str:
    """HTML feedback for an autograded notebook ``nb``.

    ``grades`` maps grade ids to ``{"score", "max_score", "auto_score"}``; ``tests`` maps test
    grade ids to their full source (from the gradebook), used to strip and to check for leaks.
    """
    from nbconvert import HTMLExporter

    rows = []
    messages: dict[str, str] = {}
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and gid:
            if gid in tests or "BEGIN HIDDEN TESTS" in cell.source:
                cell.source = strip_hidden(cell.source).rstrip() + "\n# (hidden tests not shown)"
            clean = []
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    text = f"{out.get('ename', 'Error')}: {out.get('evalue', '')}".strip()
                    messages.setdefault(gid, text)
                    out["traceback"] = [text]
                clean.append(out)
            cell.outputs = clean
    for gid, g in grades.items():
        score = "needs manual grading" if g["score"] is None else f"{g['score']:g}"
        rows.append(
            f"| {gid} | {score} | {g['max_score']:g} | {messages.get(gid, '').replace('|', '/')} |"
        )
    total = sum(g["score"] or 0 for g in grades.values())
    top = sum(g["max_score"] for g in grades.values())
    summary = nbformat.v4.new_markdown_cell(
        f"# Feedback: {title}\n\n**Total: {total:g} / {top:g}**\n\n"
        "| Item | Score | Out of | Message from the tests |\n|---|---|---|---|\n" + "\n".join(rows)
    )
    nb.cells.insert(0, summary)
    body, _ = HTMLExporter().from_notebook_node(nb)
    leaks = set().union(*[_hidden_lines(src) for src in tests.values()]) if tests else set()
    visible = {ln.strip() for c in nb.cells for ln in c.source.splitlines()}
    text = html.unescape(re.sub(r"<[^>]+>", "", body))
    for line in leaks - visible:
        if line in text:
            raise RuntimeError(f"hidden test text would leak into feedback: {line[:60]!r}")
    return body


def write_feedback(course=".", assignments=None, students=None) -> tuple[list[Path], list[str]]:
    """Write feedback HTML for every autograded submission; return (files, problems)."""
    from nbgrader.api import Gradebook

    from ketlearn.grading.prepare import load_assignment

    api, db_url = open_course(Path(course))
    root = Path(api.coursedir.root)
    autograded = root / api.coursedir.autograded_directory
    written, problems = [], []
    with Gradebook(db_url, api.coursedir.course_id) as gb:
        names = assignments or [a.name for a in gb.assignments]
        for name in names:
            spec = load_assignment(gb, root, name)
            for sub in gb.assignment_submissions(name):
                student = sub.student.id
                if students and student not in students:
                    continue
                for nbsub in sub.notebooks:
                    nb_name = nbsub.notebook.name
                    path = autograded / student / name / f"{nb_name}.ipynb"
                    if not path.exists():
                        continue
                    grades = {
                        g.name: {
                            "score": g.score,
                            "max_score": g.max_score,
                            "auto_score": g.auto_score,
                        }
                        for g in nbsub.grades
                    }
                    tests = {g: t.source for g, t in spec.notebooks[nb_name].tests.items()}
                    nb = nbformat.read(path, as_version=4)
                    try:
                        body = feedback_html(nb, grades, tests, f"{name} / {nb_name} / {student}")
                    except RuntimeError as exc:
                        problems.append(f"{student}/{name}/{nb_name}: {exc}")
                        continue
                    out = (
                        root / api.coursedir.feedback_directory / student / name / f"{nb_name}.html"
                    )
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_text(body, encoding="utf-8")
                    _copy_release_keys(root / api.coursedir.submitted_directory, student, name, out)
                    written.append(out)
    return written, problems


def _copy_release_keys(submitted: Path, student: str, assignment: str, out: Path) -> None:
    """Copy the files ``nbgrader release_feedback`` needs next to the feedback HTML.

    nbgrader names released feedback by a hash of the submission's secret and reads the
    submission's time stamp; both are plain text nbgrader wrote into ``submitted/`` when it
    collected the submission (as ``nbgrader generate_feedback`` copies them).
    """
    for key in ("timestamp.txt", "submission_secret.txt"):
        source = submitted / student / assignment / key
        if source.is_file() and not source.is_symlink():
            (out.parent / key).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
