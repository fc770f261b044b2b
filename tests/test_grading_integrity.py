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
import json
import os
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


SECRET = "ketlearn-test-token-" + os.urandom(8).hex()  # an "instructor token" in the environment
CONTROLS = {"honest", "wrong_plain", "deleted_test_honest", "reordered_test_honest"}


def make_course(students: list[dict], context: dict | None = None) -> Path:
    """A scratch copy of the fixture course, released, with one submission per attack."""
    from ketlearn.grading.gradebook import course_api

    root = Path(tempfile.mkdtemp(prefix="ketlearn-grading-course-"))
    context = {"ROOT": root, **(context or {})}
    shutil.copytree(FIXTURES / "course", root, dirs_exist_ok=True)
    result = course_api(root).generate_assignment("mini", force=True, create=True)
    assert result["success"], result.get("log")
    release = nbformat.read(root / "release" / "mini" / "mini.ipynb", as_version=4)
    for attack in students:
        folder = root / "submitted" / attack["name"] / "mini"
        folder.mkdir(parents=True)
        nbformat.write(attacks.build(release, attack, context), folder / "mini.ipynb")
        for link, target in attack.get("symlinks", {}).items():
            os.symlink(attacks.fill(target, context), folder / link)
    return root


def _leak_bait(folder: Path) -> Path:
    """What a staged notebook of another student used to expose: the full hidden test."""
    bait = folder / "other-student" / "mini"
    bait.mkdir(parents=True)
    source = (FIXTURES / "course" / "source" / "mini" / "mini.ipynb").read_text()
    (bait / "mini.ipynb").write_text(source)
    (folder / "gradebook.db").write_text(source)
    return folder


@pytest.fixture(scope="module")
def graded():
    from ketlearn.grading.engine import sandbox_prefix
    from ketlearn.grading.runner import grade

    sandboxed = sandbox_prefix([]) is not None
    bait_tmp = _leak_bait(Path(tempfile.mkdtemp(prefix="ketlearn-fake-stage-", dir="/tmp")))
    tmpdir = Path(tempfile.mkdtemp(prefix="ketlearn-test-tmpdir-"))
    other = _leak_bait(Path(tempfile.mkdtemp(prefix="ketlearn-other-course-")))
    _leak_bait(tmpdir / "ketlearn-grade-stage-bait")
    context = {"TMPDIR": tmpdir, "OTHER_COURSE": other}
    root = make_course([a for a in attacks.ATTACKS if sandboxed or not a.get("sandbox")], context)
    saved = {k: os.environ.get(k) for k in ("TMPDIR", "KETLEARN_TEST_TOKEN")}
    os.environ.update(TMPDIR=str(tmpdir), KETLEARN_TEST_TOKEN=SECRET)
    tempfile.tempdir = None
    try:
        report = grade(root, workers=2, progress=False)
    finally:
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
        tempfile.tempdir = None
    yield root, report, tmpdir
    for path in (root, bait_tmp, tmpdir, other):
        shutil.rmtree(path, ignore_errors=True)


@pytest.mark.parametrize("attack", attacks.ATTACKS, ids=[a["name"] for a in attacks.ATTACKS])
def test_attack_scores(graded, attack):
    _, report, _ = graded
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
    _, report, _ = graded
    assert report.needs_instructor == []
    assert report.exit_code == 1  # tampering was flagged


@pytest.mark.parametrize("attack", attacks.ATTACKS, ids=[a["name"] for a in attacks.ATTACKS])
def test_every_attack_is_reported_and_no_control_is_flagged(graded, attack):
    """100 % of attacks leave a trace in the summary; honest controls raise no tampering flag."""
    root, report, _ = graded
    if attack.get("sandbox") and not report.sandbox:
        pytest.skip("needs the sandbox (bubblewrap or unshare), which this system does not allow")
    mine = [f for f in report.faults if f["where"].startswith(attack["name"] + "/")]
    flags = [f for f in mine if f["kind"] == "tampering"]
    if attack["name"] in CONTROLS:
        assert flags == [], flags
        return
    assert mine, f"{attack['name']} left no trace"
    if attack.get("flag"):
        assert flags, f"{attack['name']} was not flagged as tampering: {mine}"
        evidence = root / "evidence" / "mini" / f"{attack['name']}.json"
        assert json.loads(evidence.read_text())["flags"][0].get("evidence") or "symbolic" in str(
            flags
        )
        assert f"[TAMPERING] {attack['name']}/" in report.summary()


def test_tampering_is_a_comment_in_the_gradebook(graded):
    from nbgrader.api import Gradebook

    root, report, _ = graded
    flagged = {f["where"].split("/")[0] for f in report.tampering}
    assert {"pth_persistence", "environment_snooping"} <= flagged or not report.sandbox
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for student in ("environment_snooping", "honest"):
            nb = gb.find_submission_notebook("mini", "mini", student)
            text = " ".join(c.manual_comment or "" for c in nb.comments)
            assert ("possible tampering" in text) == (student in flagged)


def test_nothing_persists_and_nothing_is_left_behind(graded):
    """No startup hook was written into Python or ketlearn; no staging or work folder stayed."""
    import site

    import ketlearn

    root, _, tmpdir = graded
    for folder in [*site.getsitepackages(), Path(ketlearn.__file__).parent / "grading"]:
        for name in ("zz_ketlearn_attack.pth", "sitecustomize.py"):
            assert not (Path(folder) / name).exists()
    assert not list(root.glob(".ketlearn-stage-*"))
    for tmp in (tmpdir, Path("/tmp")):
        assert not [p for p in tmp.iterdir() if p.name.startswith("ketlearn-sub-")]


def test_instructor_environment_never_reaches_feedback(graded):
    from ketlearn.grading.feedback import write_feedback

    root, _, _ = graded
    written, _ = write_feedback(root, ["mini"], ["environment_snooping"])
    texts = [p.read_text(errors="ignore") for p in written]
    texts += [p.read_text() for p in (root / "autograded").rglob("*.ipynb")]
    assert texts and not any(SECRET in t for t in texts)


def test_huge_output_is_truncated(graded):
    root, _, _ = graded
    path = root / "autograded" / "huge_output" / "mini" / "mini.ipynb"
    assert path.stat().st_size < 2_000_000


def test_hidden_tests_never_reach_the_student_process(graded):
    """The job a worker receives holds no test code, only salted hashes of names."""
    from nbgrader.api import Gradebook

    from ketlearn.grading.prepare import load_assignment, prepare_submission

    root, _, _ = graded
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


# --------------------------------------------------------------------------- honest submissions


# ``honest_course`` (tests/conftest.py): all eight assignments, each submitted as its solution, its
# blank student version and a wrong-numbers variant, graded once through the real pipeline; shared
# with tests/test_grading_feedback_all.py (same pytest-xdist group, so one worker grades it once).


def test_honest_submissions_raise_no_flag(honest_course):
    root, names, report = honest_course
    assert report.tampering == [], report.summary()
    assert len(report.graded) == 3 * len(names) == 24
    assert not (root / "evidence").exists()


def test_the_sandbox_costs_honest_work_nothing(honest_course):
    """Every solution earns the same points per item with the sandbox and without it."""
    from ketlearn.grading.runner import grade

    root, names, report = honest_course
    if not report.sandbox:
        pytest.skip("no sandbox here")
    inside = {k: v for k, v in report.graded.items() if k[1] == "solution"}
    outside = grade(root, students=["solution"], force=True, sandbox="off", progress=False)
    assert outside.tampering == [] and len(inside) == len(names)
    assert {k: v for k, v in outside.graded.items()} == inside
