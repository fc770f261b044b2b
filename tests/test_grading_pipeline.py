"""`ketlearn grade` end to end on the fixture course: faults, resume, CLI, feedback, export, Dask.

One module-scoped course holds students with every kind of fault the issue lists; it is graded
once through the command line (`ketlearn.grading.cli.main`), then rerun to check resumption.
"""

from __future__ import annotations

import csv
import html
import importlib.util
import json
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading-pipeline")]

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
_spec = importlib.util.spec_from_file_location("grading_attacks", FIXTURES / "attacks.py")
attacks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(attacks)
HONEST = attacks.ATTACKS[0]
WRONG = attacks.ATTACKS[1]


def _course() -> tuple[Path, object]:
    from ketlearn.grading.gradebook import course_api

    root = Path(tempfile.mkdtemp(prefix="ketlearn-grading-pipeline-"))
    shutil.copytree(FIXTURES / "course", root, dirs_exist_ok=True)
    assert course_api(root).generate_assignment("mini", force=True, create=True)["success"]
    return root, nbformat.read(root / "release" / "mini" / "mini.ipynb", as_version=4)


def _submit(root: Path, student: str, nb=None, filename="mini.ipynb", raw: str | None = None):
    folder = root / "submitted" / student / "mini"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC")
    if raw is not None:
        (folder / filename).write_text(raw)
    elif nb is not None:
        nbformat.write(nb, folder / filename)
    return folder


@pytest.fixture(scope="module")
def course():
    from ketlearn.grading.cli import main

    root, release = _course()
    _submit(root, "ada", attacks.build(release, HONEST))
    _submit(root, "bo", attacks.build(release, WRONG))
    _submit(root, "cy", attacks.build(release, HONEST), filename="mini-Copy1.ipynb")
    _submit(root, "dee", raw='{"cells": [ this is not json')
    (_submit(root, "eve") / "notes.txt").write_text("forgot the notebook")
    _submit(
        root, "fay", attacks.build(release, {"answers": {"num_answer": "while True:\n    pass"}})
    )
    code = main(["grade", "--course", str(root), "-j", "2", "--no-progress"])
    yield root, release, code
    shutil.rmtree(root, ignore_errors=True)


def _scores(root: Path) -> dict:
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for sub in gb.assignment_submissions("mini"):
            nb = sub.notebooks[0]
            out[sub.student.id] = {g.name: g.auto_score for g in nb.grades}
    return out


def test_everything_else_is_graded_and_exit_status_flags_the_instructor(course, capsys):
    root, _, code = course
    scores = _scores(root)
    assert sum(scores["ada"].values()) == 7
    assert sum(scores["bo"].values()) == 0
    assert sum(scores["cy"].values()) == 7, "the renamed notebook was not graded"
    assert scores["fay"]["num_tests"] == 0 and scores["fay"]["text_tests"] == 1
    assert code == 1, "a corrupt and a missing notebook need the instructor"


def test_fault_summary_names_each_fault(course):
    from ketlearn.grading.runner import grade

    root, _, _ = course
    report = grade(root, progress=False, force=True, students=["cy", "dee", "eve", "fay"])
    kinds = {
        (f["where"].split("/")[0], f["kind"], bool(f.get("needs_instructor")))
        for f in report.faults
    }
    assert ("cy", "renamed file", False) in kinds
    assert ("dee", "corrupt notebook", True) in kinds
    assert ("eve", "missing file", True) in kinds
    assert ("fay", "timeout", False) in kinds
    text = report.summary()
    assert "NEEDS INSTRUCTOR" in text and "corrupt notebook" in text


def test_rerun_resumes_without_duplicates(course):
    from nbgrader.api import Gradebook

    from ketlearn.grading.runner import grade

    root, release, _ = course
    before = _scores(root)
    report = grade(root, progress=False)
    assert report.graded == {}, "unchanged submissions were graded again"
    assert "ada/mini" in report.skipped
    # a changed submission is regraded; the gradebook keeps one submission per student
    _submit(root, "bo", attacks.build(release, HONEST))
    report = grade(root, progress=False, students=["bo"])
    assert list(report.graded) == [("mini", "bo")]
    after = _scores(root)
    assert sum(after["bo"].values()) == 7 and after["ada"] == before["ada"]
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        assert len(gb.assignment_submissions("mini")) == len(after)


def test_feedback_shows_scores_and_messages_but_no_hidden_tests(course):
    from ketlearn.grading.cli import main

    root, _, _ = course
    assert main(["feedback", "--course", str(root), "--student", "ada", "--student", "fay"]) == 0
    page = (root / "feedback" / "fay" / "mini" / "mini.html").read_text()
    assert "Total: 4 / 7" in page  # the answer cell hung: answer_num never defined
    assert "NameError: name 'answer_num' is not defined" in html.unescape(page)
    for secret in (
        "BEGIN HIDDEN TESTS",
        "assert_close(value, 10.0",
        "assert name == &quot;intranasal&quot;",
        "np.allclose(double",
    ):
        assert secret not in page
    assert "hidden tests not shown" in page


def test_nbgrader_feedback_would_leak(course):
    """Control: nbgrader's own generate_feedback puts the hidden tests in the HTML."""
    from ketlearn.grading.gradebook import course_api

    root, _, _ = course
    result = course_api(root).generate_feedback("mini", "ada", force=True)
    assert result["success"], result.get("log")
    page = (root / "feedback" / "ada" / "mini" / "mini.html").read_text()
    assert "BEGIN HIDDEN TESTS" in page


def test_exports(course):
    from ketlearn.grading.cli import main

    root, _, _ = course
    out = root / "out"
    out.mkdir()
    ids = out / "ids.csv"
    ids.write_text("assignment,canvas_id\nmini,4242\n")
    code = main(
        [
            "export",
            "--course",
            str(root),
            "--nbgrader-csv",
            str(out / "grades.csv"),
            "--canvas-csv",
            str(out / "canvas.csv"),
            "--canvas-ids",
            str(ids),
        ]
    )
    assert code == 0
    with open(out / "grades.csv", newline="") as fh:
        nbg = {r["student_id"]: float(r["score"]) for r in csv.DictReader(fh)}
    with open(out / "canvas.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "mini (4242)"]
    assert rows[1][0] == "Points Possible" and float(rows[1][5]) == 7
    canvas = {r[2]: r[5] for r in rows[2:]}
    assert float(canvas["ada"]) == nbg["ada"] == 7
    assert set(canvas) == set(nbg)


def test_wrong_course_folder_and_missing_gradebook(tmp_path, capsys):
    from ketlearn.grading.cli import main

    assert main(["grade", "--course", str(tmp_path)]) == 2
    assert "not an nbgrader course folder" in capsys.readouterr().err
    shutil.copy(FIXTURES / "course" / "nbgrader_config.py", tmp_path)
    assert main(["grade", "--course", str(tmp_path)]) == 2
    assert "no gradebook" in capsys.readouterr().err


def test_dask_local_cluster_gives_the_same_scores(course):
    distributed = pytest.importorskip("distributed")
    from ketlearn.grading.runner import grade

    root, _, _ = course
    expected = _scores(root)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        report = grade(
            root,
            progress=False,
            force=True,
            students=["ada", "bo"],
            scheduler=cluster.scheduler_address,
        )
    assert set(report.graded) == {("mini", "ada"), ("mini", "bo")}
    assert _scores(root) == expected


def test_marker_records_digest(course):
    root, _, _ = course
    marker = json.loads((root / "autograded" / "ada" / "mini" / ".ketlearn-grade.json").read_text())
    assert set(marker) == {"digests", "scores", "items", "faults"}
    assert len(marker["digests"]["mini"]) == 64
