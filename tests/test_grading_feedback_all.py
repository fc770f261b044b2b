"""Feedback for every assignment of the course, by both buttons, never shows a hidden test.

A scratch copy of the course (its real `nbgrader_config.py`) in which all eight assignments were
generated; students submit each one: the instructor's solution, the untouched student version
(whose tests fail, so error outputs are rendered too) and a wrong-numbers variant. `ketlearn
grade` grades them (once per session: the `honest_course` fixture of tests/conftest.py, shared
with tests/test_grading_integrity.py); then feedback is written by `ketlearn feedback` and by
nbgrader's own `generate_feedback` (the formgrader's button, configured by the course to use
`ketlearn.grading.feedback.HideHiddenTests`). Every file must be written, and no line of any
hidden-test block may appear in any of them unless the student was shown that same text in
their own notebook (the released version).
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import nbformat
import pytest

# the graded course is shared with tests/test_grading_integrity.py: same worker, graded once
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading-integrity")]
_BLOCK = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.DOTALL)


@pytest.fixture(scope="module")
def course(honest_course):
    """``honest_course`` (tests/conftest.py): this module's copy, graded by ``ketlearn grade``."""
    root, names, report = honest_course
    return root, names, report.exit_code


def _hidden_lines(root: Path, name: str, student: str) -> set[str]:
    """Hidden-test lines the student never saw (not in the released notebook or their own)."""
    source = nbformat.read(root / "source" / name / f"{name}.ipynb", as_version=4)
    given = nbformat.read(root / "release" / name / f"{name}.ipynb", as_version=4)
    own = nbformat.read(root / "submitted" / student / name / f"{name}.ipynb", as_version=4)
    shown = "\n".join(c.source for c in given.cells)
    for cell in own.cells:  # the student's own cells (not the tests, which come from the gradebook)
        meta = cell.metadata.get("nbgrader", {})
        if not (meta.get("grade") and not meta.get("solution")):
            shown += "\n" + cell.source
    lines = set()
    for cell in source.cells:
        for block in _BLOCK.findall(cell.source):
            lines.update(ln.strip() for ln in block.splitlines() if len(ln.strip()) >= 8)
    return {ln for ln in lines if ln not in shown}


def _text(page: str) -> str:
    """What a reader sees: the HTML without styles, scripts and tags (code spans joined)."""
    page = re.sub(r"<(style|script)\b.*?</\1>", "", page, flags=re.DOTALL | re.IGNORECASE)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _check(page: str, hidden: set[str], where: str) -> None:
    text = _text(page)
    assert "BEGIN HIDDEN TESTS" not in text and "BEGIN HIDDEN TESTS" not in page, where
    leaked = [ln for ln in hidden if ln in text]
    assert not leaked, f"{where}: {leaked[:3]}"


def test_course_grades_cleanly(course):
    """Each assignment grades without a fault for the instructor; solutions get full marks."""
    from nbgrader.api import Gradebook

    root, names, code = course
    assert code == 0
    assert len(names) == 8
    lost = set()
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for name in names:
            nb = gb.find_submission(name, "solution").notebooks[0]
            auto = [g for g in nb.grades if g.auto_score is not None]
            assert auto, name
            lost |= {(name, g.name) for g in auto if g.auto_score != g.max_score}
    # Every solution gets full marks: categorical labels and figures cross as plain data now.
    assert not lost, f"the solutions lost points in {sorted(lost)}"


def test_ketlearn_feedback_for_every_assignment(course, capsys):
    from ketlearn.grading.cli import main

    root, names, _ = course
    students = ["--student", "solution", "--student", "blank"]  # the two checked below
    assert main(["feedback", "--course", str(root), *students]) == 0, capsys.readouterr().out
    for name in names:
        for student in ("solution", "blank"):
            hidden = _hidden_lines(root, name, student)
            assert hidden, f"{name} has no hidden tests: the check would be vacuous"
            page = (root / "feedback" / student / name / f"{name}.html").read_text()
            _check(page, hidden, f"ketlearn feedback {student}/{name}")
            assert "hidden tests not shown" in page


def test_nbgrader_generate_feedback_for_every_assignment(course):
    from ketlearn.grading.gradebook import course_api

    root, names, _ = course
    api = course_api(root)
    out = root / "nbgrader-feedback"
    for name in names:
        for student in ("solution", "blank"):
            hidden = _hidden_lines(root, name, student)
            result = api.generate_feedback(name, student, force=True)
            assert result["success"], result.get("log", "")[-2000:]
            page = (root / "feedback" / student / name / f"{name}.html").read_text()
            _check(page, hidden, f"nbgrader generate_feedback {student}/{name}")
            assert "hidden tests not shown" in page
            (out / student).mkdir(parents=True, exist_ok=True)
            shutil.copy(root / "feedback" / student / name / f"{name}.html", out / student)


def test_control_plain_nbgrader_feedback_leaks(course):
    """Without the course's preprocessor, nbgrader's button shows hidden tests (so the checks bite)."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    root, names, _ = course
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.GenerateFeedback.preprocessors = [
        "nbgrader.preprocessors.GetGrades",
        "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    ]
    api = NbGraderAPI(coursedir=CourseDirectory(config=config, root=str(root)), config=config)
    name = names[2]
    assert api.generate_feedback(name, "blank", force=True)["success"]
    page = (root / "feedback" / "blank" / name / f"{name}.html").read_text()
    with pytest.raises(AssertionError):
        _check(page, _hidden_lines(root, name, "blank"), "control")
