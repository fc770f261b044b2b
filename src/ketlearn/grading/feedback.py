"""Leak-free feedback: each item's score and the visible tests' messages, never hidden tests.

``nbgrader generate_feedback`` (0.9) renders the autograded notebook, whose test cells hold the
hidden tests and whose tracebacks quote their source (nbgrader issue #917). This module renders
its own HTML from the autograded notebook instead:

- a summary table first: every graded item, its score, its maximum, and the message of a
  failed test (the exception's type and message only), plus the hint of an anticipated wrong
  answer the student's answer matches (misconception hints, :mod:`ketlearn.grading.hints`,
  the same hints the self-check shows);
- test cells reduced to what the student was given (hidden-test blocks removed);
- error outputs reduced to ``ExceptionType: message`` (no traceback, so no source lines);
- a final check: no distinctive line of any hidden test may appear in the HTML; if one does,
  the file is not written and the problem is reported.

Files go where nbgrader puts feedback (``feedback/<student>/<assignment>/<notebook>.html``), so
``nbgrader release_feedback`` distributes them as usual.

What is hidden is decided by the hidden-test blocks themselves (``### BEGIN HIDDEN TESTS`` …
``### END HIDDEN TESTS``), never by comparing text: the blocks are cut out of every cell, and
the final check looks only for hidden lines that appear nowhere in what remains visible (a
hidden line that repeats a visible one, such as ``.set_index("time_min")``, reveals nothing).

The same stripping serves nbgrader's own ``generate_feedback`` (the formgrader's button): the
course's ``nbgrader_config.py`` adds :class:`HideHiddenTests` to ``GenerateFeedback``'s
preprocessors, so both ways of producing feedback leave the hidden tests out.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import nbformat
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from ketlearn.grading.gradebook import open_course
from ketlearn.grading.prepare import strip_hidden

__all__ = ["HideHiddenTests", "feedback_html", "hide_hidden_tests", "write_feedback"]

_HIDDEN_BLOCK = re.compile(
    r"### BEGIN (?:ALWAYS )?HIDDEN TESTS(.*?)### END (?:ALWAYS )?HIDDEN TESTS", re.DOTALL
)
HIDDEN_NOTE = "# (hidden tests not shown)"


class HiddenTestLeak(RuntimeError):
    """Hidden-test text would reach a student's feedback; the feedback is not written."""


_KEYWORDS = re.compile(
    r"\b(?:return|if|elif|else|for|in|while|def|pass|try|except|finally|with|as|and|or|not|"
    r"None|True|False|lambda|yield|break|continue)\b"
)


def _distinctive(line: str) -> bool:
    """A hidden line worth guarding: 8+ characters with a name or number besides keywords.

    ``return [`` or ``else:`` say nothing about a test and also occur in the HTML template's own
    scripts, so guarding them would refuse every feedback page.

    >>> _distinctive("return ["), _distinctive("assert x == 3"), _distinctive("_e = 0.153")
    (False, True, True)
    """
    return len(line) >= 8 and bool(re.search(r"\w", _KEYWORDS.sub("", line)))


def _hidden_lines(source: str) -> set[str]:
    lines = set()
    for block in _HIDDEN_BLOCK.findall(source):
        lines.update(ln.strip() for ln in block.splitlines() if _distinctive(ln.strip()))
    return lines


def _is_test(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
    return bool(meta.get("grade")) and not meta.get("solution")


def hide_hidden_tests(nb, tests: dict[str, str] | None = None) -> set[str]:
    r"""Cut hidden-test blocks out of ``nb`` (in place) and reduce test tracebacks.

    Every cell holding a hidden-test block, and every test cell named in ``tests`` (grade id
    to the full source from the gradebook), is reduced to its visible part plus a note; error
    outputs of test cells become ``ExceptionType: message`` (a traceback quotes source lines).
    Returns the hidden lines that appear nowhere in the visible text: these must not appear in
    the rendered feedback (see :func:`check_no_leak`).

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> src = "assert f(1) == 1\n### BEGIN HIDDEN TESTS\nassert f(2) == 4\n### END HIDDEN TESTS\n"
    >>> nb.cells = [nbformat.v4.new_code_cell(src)]
    >>> sorted(hide_hidden_tests(nb)), nb.cells[0].source
    (['assert f(2) == 4'], 'assert f(1) == 1\n# (hidden tests not shown)')
    """
    tests = tests or {}
    hidden: set[str] = set()
    for src in tests.values():
        hidden |= _hidden_lines(src)
    for cell in nb.cells:
        hidden |= _hidden_lines(cell.source)
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if "HIDDEN TESTS" in cell.source or (cell.cell_type == "code" and gid in tests):
            if _HIDDEN_BLOCK.search(cell.source) or _HIDDEN_BLOCK.search(tests.get(gid, "")):
                cell.source = strip_hidden(cell.source).rstrip() + "\n" + HIDDEN_NOTE
            cell.source = re.sub(r"### (BEGIN|END) (ALWAYS )?HIDDEN TESTS", "#", cell.source)
        if cell.cell_type == "code" and (_is_test(cell) or gid in tests):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
    visible = "\n".join(cell.source for cell in nb.cells)
    return {line for line in hidden if line not in visible}


def check_no_leak(text: str, hidden: set[str]) -> None:
    """Raise :class:`HiddenTestLeak` if any of ``hidden`` occurs in ``text``."""
    for line in sorted(hidden):
        if line in text:
            raise HiddenTestLeak(f"hidden test text would leak into feedback: {line[:60]!r}")


class HideHiddenTests(Preprocessor):
    """nbconvert preprocessor for ``nbgrader generate_feedback``: no hidden tests in feedback.

    Registered in the course's ``nbgrader_config.py``::

        c.GenerateFeedback.preprocessors = [
            "nbgrader.preprocessors.GetGrades",
            "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
            "ketlearn.grading.feedback.HideHiddenTests",
        ]

    The autograded notebook holds the full tests (nbgrader restores them); this cuts the
    hidden blocks out and reduces test tracebacks, then refuses (raises
    :class:`HiddenTestLeak`, so nbgrader reports the notebook as failed) if a hidden line is
    still anywhere in the notebook's sources or outputs.
    """

    # nbconvert preprocessors are off unless enabled; nbgrader registers them without enabling.
    enabled = Bool(True, help="Strip hidden tests from feedback (on by default).").tag(config=True)

    def preprocess(self, nb, resources):
        hidden = hide_hidden_tests(nb)
        check_no_leak(html.unescape(nbformat.writes(nb)), hidden)
        check_no_leak(nbformat.writes(nb), hidden)
        return nb, resources


def feedback_html(
    nb, grades: dict[str, dict], tests: dict[str, str], title: str, hints: dict | None = None
) -> str:
    """HTML feedback for an autograded notebook ``nb``.

    ``grades`` maps grade ids to ``{"score", "max_score", "auto_score"}``; ``tests`` maps test
    grade ids to their full source (from the gradebook), used to strip and to check for leaks;
    ``hints`` maps grade ids of failed items to a misconception hint (shown after the message).
    """
    hints = hints or {}
    from nbconvert import HTMLExporter

    rows = []
    messages: dict[str, str] = {}
    hidden = hide_hidden_tests(nb, tests)
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and gid:
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    text = f"{out.get('ename', 'Error')}: {out.get('evalue', '')}".strip()
                    messages.setdefault(gid, text)
    for gid, g in grades.items():
        score = "needs manual grading" if g["score"] is None else f"{g['score']:g}"
        message = messages.get(gid, "")
        if hints.get(gid):
            message = f"{message} **Hint:** {hints[gid]}".strip()
        rows.append(f"| {gid} | {score} | {g['max_score']:g} | {_cell_text(message)} |")
    total = sum(g["score"] or 0 for g in grades.values())
    top = sum(g["max_score"] for g in grades.values())
    summary = nbformat.v4.new_markdown_cell(
        f"# Feedback: {title}\n\n**Total: {total:g} / {top:g}**\n\n"
        "| Item | Score | Out of | Message from the tests |\n|---|---|---|---|\n" + "\n".join(rows)
    )
    nb.cells.insert(0, summary)
    body, _ = HTMLExporter().from_notebook_node(nb)
    check_no_leak(html.unescape(re.sub(r"<[^>]+>", "", body)), hidden)
    check_no_leak(html.unescape(body), hidden)
    return body


def _cell_text(text: str) -> str:
    """Text for one markdown table cell: one line, no cell separators."""
    return " ".join(text.split()).replace("|", "/")


def _failed_items(autograded: Path, names: list[str], students) -> list[tuple]:
    """``(assignment, grade_id, answers, student)`` of every failed item in the grade markers."""
    from ketlearn.grading.gradebook import MARKER

    out = []
    for name in names:
        for marker in sorted(autograded.glob(f"*/{name}/{MARKER}")):
            if students and marker.parent.parent.name not in students:
                continue
            try:
                notebooks = json.loads(marker.read_text(encoding="utf-8")).get("items", {})
            except (OSError, ValueError, AttributeError):
                continue
            for items in notebooks.values():
                for gid, item in items.items():
                    if isinstance(item, dict) and not item.get("passed") and item.get("answers"):
                        out.append((name, gid, item["answers"], marker.parent.parent.name))
    return out


def _item_hints(marker: Path, notebook: str, source) -> dict[str, str]:
    """Hints for the failed items of one notebook, from ``ketlearn grade``'s marker file."""
    if source is None:
        return {}
    try:
        items = json.loads(marker.read_text(encoding="utf-8")).get("items", {}).get(notebook, {})
    except (OSError, ValueError, AttributeError):
        return {}
    assignment = marker.parent.name
    out = {}
    for gid, item in items.items():
        if isinstance(item, dict) and not item.get("passed") and item.get("answers"):
            if source.declares(assignment, gid):
                hint = source.match(assignment, gid, item["answers"], marker.parent.parent.name)
                if hint:
                    out[gid] = hint
    return out


def write_feedback(
    course=".", assignments=None, students=None, hints=None
) -> tuple[list[Path], list[str]]:
    """Write feedback HTML for every autograded submission; return (files, problems).

    ``hints`` is a :class:`ketlearn.grading.report.HintSource`; by default the misconception
    hints of the self-check data (:class:`ketlearn.grading.hints.SelfcheckHints`), matched on
    the plain answers ``ketlearn grade`` recorded for each failed item. Pass ``False`` for none.
    """
    from nbgrader.api import Gradebook

    from ketlearn.grading.gradebook import MARKER
    from ketlearn.grading.hints import SelfcheckHints
    from ketlearn.grading.prepare import load_assignment

    if hints is None:
        hints = SelfcheckHints()
    hints = hints or None
    api, db_url = open_course(Path(course))
    root = Path(api.coursedir.root)
    autograded = root / api.coursedir.autograded_directory
    written, problems = [], []
    with Gradebook(db_url, api.coursedir.course_id) as gb:
        names = assignments or [a.name for a in gb.assignments]
        if hints is not None and hasattr(hints, "prefetch"):  # match the class on every core
            hints.prefetch(_failed_items(autograded, names, students))
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
                    found = _item_hints(autograded / student / name / MARKER, nb_name, hints)
                    try:
                        title = f"{name} / {nb_name} / {student}"
                        body = feedback_html(nb, grades, tests, title, hints=found)
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
