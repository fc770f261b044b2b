"""The fast gradebook writer records exactly what ``nbgrader autograde`` records.

The same worker results are recorded twice, in two copies of one course: once through nbgrader's
own autograde app (``Recorder(fast=False)``, the reference) and once through the fast writer.
The gradebooks (every grade, comment and submission row) and the ``autograded/`` folders must be
identical, and nbgrader's own export and formgrader API must read the fast one. Speed is
measured by ``benchmarks/bench_gradebook.py``, not here.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("gradebook-writer")]

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
_spec = importlib.util.spec_from_file_location("grading_attacks_w", FIXTURES / "attacks.py")
attacks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(attacks)

STUDENTS = {  # student -> (attack, submission time; the fixture's due date is 2026-11-21)
    "ada": (attacks.ATTACKS[0], "2026-11-20 10:00:00.000000 UTC"),
    "bo": (attacks.ATTACKS[1], "2026-11-20 11:00:00.000000 UTC"),
    "cy": ({"answers": {"num_answer": attacks.WRONG_NUM}}, "2026-11-22 09:00:00.000000 UTC"),
    "dan": ({"answers": {}, "edit": "delete"}, ""),
}


def _rows(db_url: str) -> dict:
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(db_url, "ketlearn-fixture") as gb:
        for sub in gb.assignment_submissions("mini"):
            out[sub.student.id, "timestamp"] = (str(sub.timestamp), sub.total_seconds_late)
            for nb in sub.notebooks:
                out[sub.student.id, nb.name, "late"] = nb.late_submission_penalty
                for g in nb.grades:
                    out[sub.student.id, g.name] = (
                        g.auto_score,
                        g.manual_score,
                        g.extra_credit,
                        g.needs_manual_grade,
                    )
                for c in nb.comments:
                    out[sub.student.id, c.name, "comment"] = (c.auto_comment, c.manual_comment)
    return out


def _tree(folder: Path) -> dict:
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != ".ketlearn-grade.json":
            mode = oct(path.stat().st_mode & 0o777)
            if path.suffix == ".ipynb":
                out[str(path.relative_to(folder))] = (mode, json.loads(path.read_text()))
            else:
                out[str(path.relative_to(folder))] = (mode, path.read_bytes())
    return out


@pytest.fixture(scope="module")
def recorded():
    from nbgrader.api import Gradebook

    from ketlearn.grading.engine import Worker
    from ketlearn.grading.gradebook import Recorder, course_api
    from ketlearn.grading.prepare import load_assignment, prepare_submission
    from ketlearn.grading.runner import warm_modules

    base = Path(tempfile.mkdtemp(prefix="ketlearn-writer-"))
    ref = base / "reference"
    shutil.copytree(FIXTURES / "course", ref)
    with open(ref / "nbgrader_config.py", "a", encoding="utf-8") as fh:
        fh.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    assert course_api(ref).generate_assignment("mini", force=True, create=True)["success"]
    with Gradebook(f"sqlite:///{ref / 'gradebook.db'}", "ketlearn-fixture") as gb:
        gb.update_or_create_assignment("mini", duedate="2026-11-21 00:00:00 UTC")
    (ref / "source" / "mini" / "notes.txt").write_text("a data file shipped with the assignment")
    release = nbformat.read(ref / "release" / "mini" / "mini.ipynb", as_version=4)
    for student, (attack, stamp) in STUDENTS.items():
        folder = ref / "submitted" / student / "mini"
        folder.mkdir(parents=True)
        nbformat.write(attacks.build(release, attack), folder / "mini.ipynb")
        if stamp:
            (folder / "timestamp.txt").write_text(stamp)
        (folder / "scratch.txt").write_text(f"{student}'s own file")
    fast = base / "fast"
    shutil.copytree(ref, fast)

    with Gradebook(f"sqlite:///{ref / 'gradebook.db'}", "ketlearn-fixture") as gb:
        spec = load_assignment(gb, ref, "mini")
    worker = Worker(warm_modules([spec.source_dir]))
    jobs = {}
    try:
        for student in STUDENTS:
            prepared = prepare_submission(spec, student, ref / "submitted" / student / "mini", 4)
            jobs[student] = (prepared, {p.notebook: worker.grade(p.job) for p in prepared})
    finally:
        worker.close()

    scores = {}
    for root, is_fast in ((ref, False), (fast, True)):
        recorder = Recorder(root, Path(tempfile.mkdtemp(dir=base)), fast=is_fast)
        for student, (prepared, results) in jobs.items():
            folder = root / "submitted" / student / "mini"
            scores[is_fast, student] = recorder.record("mini", student, folder, prepared, results)
        # a regrade of an already recorded submission updates it in place
        prepared, results = jobs["bo"]
        recorder.record("mini", "bo", root / "submitted" / "bo" / "mini", prepared, results)
        recorder.close()
    yield ref, fast, scores
    shutil.rmtree(base, ignore_errors=True)


def test_fast_writer_gives_nbgraders_scores(recorded):
    _, _, scores = recorded
    for student in STUDENTS:
        assert scores[True, student] == scores[False, student], student
    assert scores[True, "ada"]["mini"]["num_tests"] == 2  # full marks (2 points)
    assert scores[True, "bo"]["mini"]["num_tests"] == 0


def test_fast_writer_gives_nbgraders_gradebook_rows(recorded):
    ref, fast, _ = recorded
    want = _rows(f"sqlite:///{ref / 'gradebook.db'}")
    got = _rows(f"sqlite:///{fast / 'gradebook.db'}")
    assert got == want
    assert want["cy", "timestamp"][1] > 0, "cy submitted late: the late penalty path ran"
    assert want["cy", "mini", "late"] is not None


def test_fast_writer_gives_nbgraders_autograded_folder(recorded):
    ref, fast, _ = recorded
    want, got = _tree(ref / "autograded"), _tree(fast / "autograded")
    assert sorted(got) == sorted(want)
    assert "ada/mini/notes.txt" in got and "ada/mini/scratch.txt" in got
    for key in want:
        assert got[key] == want[key], key


def test_nbgrader_export_and_formgrader_api_read_the_fast_gradebook(recorded, tmp_path):
    import subprocess
    import sys

    from ketlearn.grading.gradebook import course_api

    ref, fast, _ = recorded
    csvs = []
    for root in (ref, fast):
        out = tmp_path / f"{root.name}.csv"
        env = {
            **os.environ,
            "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]]),
        }
        done = subprocess.run(
            [os.path.join(os.path.dirname(sys.executable), "nbgrader"), "export", f"--to={out}"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        csvs.append(out.read_text())
    assert csvs[0] == csvs[1]
    assert "ada" in csvs[1]
    api = course_api(fast)  # what the formgrader's handlers call
    sub = api.get_submission("mini", "ada")
    assert sub["autograded"] and sub["score"] > 0
    indices = api.get_notebook_submission_indices("mini", "mini")
    assert len(indices) == len(STUDENTS)
    notebook = api.get_student_notebook_submissions("bo", "mini")
    assert notebook[0]["score"] < sub["score"]
