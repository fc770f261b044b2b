"""A student's "module" answer never makes the trusted checker import something.

A name bound to a module crosses to the checker as ``{"$": "module", "name": X}``, and the
student controls ``X`` (``types.ModuleType("anything")``). Importing ``X`` in the trusted
process would run whatever module of that name it can find (with a writable site-packages, code
the student planted). The checker binds only the course's declared modules; this suite runs
such an attack through the real ``ketlearn grade`` pipeline (fixture course of
tests/test_grading_integrity.py): the planted module is never imported, the item scores 0, and
the run's report names the attempt. Honest submissions raise no such fault.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from test_grading_integrity import POINTS, attacks, make_course

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading-module-answers")]

PROBE = "ketlearn_planted_probe"
ATTACKS = [
    {"name": "honest", "answers": {}},
    {
        "name": "planted_module",  # math.isclose of the naive test would come from the plant
        "answers": {
            "num_answer": f"import types\nmath = types.ModuleType({PROBE!r})\n" + attacks.WRONG_NUM
        },
    },
    {
        "name": "stdlib_module_by_name",  # a real module the course does not use
        "answers": {
            "num_answer": "import types\nmath = types.ModuleType('this')\n" + attacks.WRONG_NUM
        },
    },
]


@pytest.fixture(scope="module")
def planted():
    """A module on the *trusted* process's path that leaves a mark when imported."""
    folder = Path(tempfile.mkdtemp(prefix="ketlearn-plant-"))
    marker = folder / "imported.txt"
    (folder / f"{PROBE}.py").write_text(
        f"import pathlib\npathlib.Path({str(marker)!r}).write_text('imported')\n"
        "def isclose(*args, **kwargs):\n    return True\n",
        encoding="utf-8",
    )
    sys.path.insert(0, str(folder))
    yield marker
    sys.path.remove(str(folder))
    sys.modules.pop(PROBE, None)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def graded(planted):
    from ketlearn.grading.runner import grade

    root = make_course(ATTACKS)
    report = grade(root, workers=1, progress=False)
    yield report
    shutil.rmtree(root, ignore_errors=True)


def _faults(report, student: str) -> list[dict]:
    return [f for f in report.faults if f["where"].startswith(f"{student}/")]


def test_the_plant_works_when_imported(planted, tmp_path):
    """Control: the checker's module binding is a real channel (so the suite can fail)."""
    from ketlearn.grading import checker

    module = {"$": "module", "name": PROBE}
    out = checker.check_item("t", "assert math.isclose(1, 2)", {"math": module}, None,
                             modules=[PROBE])  # fmt: skip
    assert out.passed and planted.exists()
    planted.unlink()
    sys.modules.pop(PROBE, None)


@pytest.mark.parametrize("student", ["planted_module", "stdlib_module_by_name"])
def test_module_answers_outside_the_course_are_refused_and_reported(planted, graded, student):
    scores = graded.graded[("mini", student)]["mini"]
    assert scores["num_naive_tests"] == 0 and scores["num_tests"] == 0
    assert not planted.exists(), "the trusted checker imported the student's module"
    assert PROBE not in sys.modules and "this" not in sys.modules
    kinds = [f for f in _faults(graded, student) if f["kind"] == "refused module answer"]
    assert kinds and "num_naive_tests" in kinds[0]["detail"]
    assert not any(f.get("needs_instructor") for f in kinds)


def test_honest_submission_keeps_its_points_and_raises_no_fault(graded):
    scores = graded.graded[("mini", "honest")]["mini"]
    assert scores == POINTS
    assert _faults(graded, "honest") == []
