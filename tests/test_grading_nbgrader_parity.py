"""Scores from `ketlearn grade` equal serial `nbgrader autograde` for honest submissions.

Assignment 00-orientation (the stable one) in a scratch course: the solution, the blank student
version, a partly wrong submission, and one whose function writes a warning to stderr when the
tests call it (nbgrader scores a test cell with stderr output as failed). Each is graded by
plain nbgrader (kernel per submission) in one course copy and by `ketlearn grade` in another;
every cell's score must be the same.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
NAME = "00-orientation"


def _variants(source_nb, release_nb) -> dict:
    def with_answers(nb, answers):
        nb = nbformat.from_dict(nbformat.reads(nbformat.writes(nb), as_version=4))
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid in answers:
                cell.source = answers[gid]
        return nb

    return {
        "solver": source_nb,
        "blank": release_nb,
        "partial": with_answers(
            source_nb,
            {
                "q2_answer": "weighted_f_intranasal_pct = 20.0",
                "q4_answer": "def ng_per_ml_to_um(c):\n    return np.asarray(c, dtype=float) / 200.0",
            },
        ),
        "warns": with_answers(
            source_nb,
            {
                "q4_answer": "import warnings\n\n"
                "def ng_per_ml_to_um(c):\n    warnings.warn('deprecated unit helper')\n"
                "    return np.asarray(c, dtype=float) / 237.727\n"
            },
        ),
    }


def _course(tmp: Path) -> Path:
    """A scratch course in which nbgrader generated every assignment (tests/notebook_cache.py)."""
    sys.path.insert(0, str(ROOT / "tools"))
    import notebook_cache

    return notebook_cache.generated_course()


def _scores(root: Path) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return {
            sub.student.id: {g.name: g.auto_score for g in sub.notebooks[0].grades}
            for sub in gb.assignment_submissions(NAME)
        }


def test_scores_identical_to_serial_nbgrader(tmp_path):
    from ketlearn.grading.gradebook import course_api
    from ketlearn.grading.runner import grade

    ours, theirs = _course(tmp_path), _course(tmp_path)
    try:
        source = nbformat.read(ours / "source" / NAME / f"{NAME}.ipynb", as_version=4)
        release = nbformat.read(ours / "release" / NAME / f"{NAME}.ipynb", as_version=4)
        for root in (ours, theirs):
            for student, nb in _variants(source, release).items():
                folder = root / "submitted" / student / NAME
                folder.mkdir(parents=True)
                nbformat.write(nb, folder / f"{NAME}.ipynb")
        api = course_api(theirs)
        for student in ("solver", "blank", "partial", "warns"):
            assert api.autograde(NAME, student, force=True, create=True)["success"]
        report = grade(ours, workers=2, progress=False)
        assert report.exit_code == 0, report.summary()
        expected, got = _scores(theirs), _scores(ours)
        assert got == expected
        # the comparison is not vacuous: the four students differ
        assert len({tuple(sorted(v.items())) for v in expected.values()}) == 4
    finally:
        shutil.rmtree(ours, ignore_errors=True)
        shutil.rmtree(theirs, ignore_errors=True)
