"""The grading-integrity suite: every attack goes through the real `ketlearn grade` pipeline.

A fixture course (tests/fixtures/grading/course, assignment ``mini``) is released with nbgrader;
one student per attack in tests/fixtures/grading/attacks.py submits a notebook built from the
student version; everything is graded once (module fixture) into nbgrader's gradebook, and
each test reads the gradebook: attacked items must score 0, honest ones full marks. Two
control tests run plain `nbgrader autograde` on some attacks to show they are real threats
(they earn points there), so the suite cannot pass vacuously.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading-integrity")]

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
_spec = importlib.util.spec_from_file_location("grading_attacks", FIXTURES / "attacks.py")
attacks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(attacks)
POINTS = {"num_tests": 2, "num_naive_tests": 1, "func_tests": 2, "table_tests": 1, "text_tests": 1}


def make_course(students: list[dict]) -> Path:
    """A scratch copy of the fixture course, released, with one submission per attack."""
    from ketlearn.grading.gradebook import course_api

    root = Path(tempfile.mkdtemp(prefix="ketlearn-grading-course-"))
    shutil.copytree(FIXTURES / "course", root, dirs_exist_ok=True)
    result = course_api(root).generate_assignment("mini", force=True, create=True)
    assert result["success"], result.get("log")
    release = nbformat.read(root / "release" / "mini" / "mini.ipynb", as_version=4)
    for attack in students:
        folder = root / "submitted" / attack["name"] / "mini"
        folder.mkdir(parents=True)
        nbformat.write(attacks.build(release, attack), folder / "mini.ipynb")
    return root


@pytest.fixture(scope="module")
def graded():
    from ketlearn.grading.engine import sandbox_prefix
    from ketlearn.grading.runner import grade

    sandboxed = sandbox_prefix([]) is not None
    root = make_course([a for a in attacks.ATTACKS if sandboxed or not a.get("sandbox")])
    report = grade(root, workers=2, progress=False)
    yield root, report
    shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize("attack", attacks.ATTACKS, ids=[a["name"] for a in attacks.ATTACKS])
def test_attack_scores(graded, attack):
    _, report = graded
    if attack.get("sandbox") and not report.sandbox:
        pytest.skip("needs the namespace sandbox (unshare), which this system does not allow")
    scores = report.graded[("mini", attack["name"])]["mini"]
    for gid in attack.get("zero", []):
        assert scores[gid] == 0, f"{attack['name']} earned {scores[gid]} on {gid}"
    for gid in attack.get("full", []):
        assert scores[gid] == POINTS[gid], f"{attack['name']} lost points on {gid}"
    if "fault" in attack:
        kinds = {f["kind"] for f in report.faults if f["where"].startswith(attack["name"] + "/")}
        assert attack["fault"] in kinds


def test_student_faults_do_not_need_the_instructor(graded):
    _, report = graded
    assert report.needs_instructor == []
    assert report.exit_code == 0


def test_huge_output_is_truncated(graded):
    root, _ = graded
    path = root / "autograded" / "huge_output" / "mini" / "mini.ipynb"
    assert path.stat().st_size < 2_000_000


def test_hidden_tests_never_reach_the_student_process(graded):
    """The job a worker receives holds no test code, only salted hashes of names."""
    from nbgrader.api import Gradebook

    from ketlearn.grading.prepare import load_assignment, prepare_submission

    root, _ = graded
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        spec = load_assignment(gb, root, "mini")
    (prep,) = prepare_submission(spec, "honest", root / "submitted" / "honest" / "mini", 5)
    cells = "\n".join(prep.job["cells"])
    assert "BEGIN HIDDEN TESTS" not in cells and "assert_close" not in cells
    assert "10.0" not in cells.replace("2.5 * 4", "")


@pytest.fixture(scope="module")
def nbgrader_alone():
    """Plain nbgrader autograde (student code and tests in one kernel) on two attacks."""
    from nbgrader.api import Gradebook

    from ketlearn.grading.gradebook import course_api

    chosen = [
        a
        for a in attacks.ATTACKS
        if a["name"] in ("float_subclass_and_isclose", "input_transformer_blanks_later_cells")
    ]
    root = make_course(chosen)
    api = course_api(root)
    scores = {}
    for attack in chosen:
        result = api.autograde("mini", attack["name"], force=True, create=True)
        assert result["success"], result.get("log")
        with Gradebook(api.coursedir.db_url) as gb:
            nb = gb.find_submission_notebook("mini", "mini", attack["name"])
            scores[attack["name"]] = {g.name: g.auto_score for g in nb.grades}
    yield scores
    shutil.rmtree(root, ignore_errors=True)


def test_control_nbgrader_alone_is_fooled(nbgrader_alone):
    """The same attacks earn points under plain nbgrader 0.9: the threats are real."""
    assert nbgrader_alone["float_subclass_and_isclose"]["num_naive_tests"] == 1
    blanked = nbgrader_alone["input_transformer_blanks_later_cells"]
    assert sum(blanked[g] for g in attacks.ALL_TESTS) > 0
