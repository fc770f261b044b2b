"""The nbgrader pipeline, run for real on every assignment in a scratch copy of the course.

- course/release/ is exactly what `nbgrader generate_assignment` makes from course/source/;
- nbgrader's Validator API passes every source notebook and fails every release notebook
  (the `nbgrader validate` command exits 0 either way, so it cannot be used in CI); its checks
  read the execution shared with test_notebooks.py (tests/notebook_cache.py);
- end to end, per assignment: generate (the session's shared generation of every assignment,
  tests/notebook_cache.py), submit the solution as one student and the untouched release as
  another, autograde, export CSV: full autograded marks and zero respectively.

nbgrader runs in-process through its Python API (NbGraderAPI), which does exactly what the
command-line apps do without paying their start-up time for every step.
"""

from __future__ import annotations

import csv
import filecmp
import shutil

import nbformat
import notebook_cache
import pytest
import release as release_tool
from conftest import RELEASE, SOURCE, assignment_names

pytestmark = pytest.mark.slow
ASSIGNMENTS = assignment_names()


@pytest.fixture(scope="module")
def generated():
    """release/ generated from source/ by nbgrader (once per input state, shared by workers)."""
    return notebook_cache.generated_release()


def _files(folder):
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts
    )


def test_release_is_exactly_what_nbgrader_generates(generated):
    assert _files(generated) == _files(RELEASE), "files differ: run `make release`"
    for rel in _files(generated):
        same = filecmp.cmp(generated / rel, RELEASE / rel, shallow=False)
        assert same, f"course/release/{rel} differs from nbgrader's output: run `make release`"


def test_release_hides_solutions_and_hidden_tests(generated):
    for path in generated.rglob("*.ipynb"):
        text = path.read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text, path
        assert "BEGIN HIDDEN TESTS" not in text, path


@pytest.mark.parametrize("name", notebook_cache.per_notebook(ASSIGNMENTS))
def test_validator_passes_source_and_fails_release(name, generated):
    # nbgrader's Validator checks, on the session's shared execution (tests/notebook_cache.py).
    result = notebook_cache.validate(SOURCE / name / f"{name}.ipynb")
    assert result == {}, f"the source notebook fails its own tests: {result}"
    inverted = notebook_cache.validate(generated / name / f"{name}.ipynb", invert=True)
    assert inverted == {}, f"some tests pass on the blank student version: {inverted}"


def _auto_points(nb) -> float:
    return sum(
        c.metadata["nbgrader"].get("points", 0)
        for c in nb.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
    )


@pytest.mark.parametrize("name", notebook_cache.per_notebook(ASSIGNMENTS))
def test_end_to_end_generate_submit_autograde_export(name):
    from nbgrader.api import Gradebook
    from nbgrader.plugins.export import CsvExportPlugin

    scratch = notebook_cache.generated_course()  # every assignment generated (once, shared)
    try:
        api = release_tool.course_api(scratch)
        for student, origin in (("solver", "source"), ("blank", "release")):
            target = scratch / "submitted" / student / name
            target.mkdir(parents=True)
            shutil.copy(scratch / origin / name / f"{name}.ipynb", target)
            result = api.autograde(name, student, force=True, create=True)
            assert result["success"], result.get("log", "")
        with Gradebook(api.coursedir.db_url) as gradebook:
            CsvExportPlugin(to=str(scratch / "grades.csv")).export(gradebook)
        with open(scratch / "grades.csv", newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if r["assignment"] == name]
        scores = {r["student_id"]: float(r["score"]) for r in rows}
        assert len(rows) == len(scores) == 2, rows
        nb = nbformat.read(SOURCE / name / f"{name}.ipynb", as_version=4)
        assert scores["solver"] == pytest.approx(_auto_points(nb)), "solution lost points"
        assert scores["blank"] == 0.0, "the blank student version earned points"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
