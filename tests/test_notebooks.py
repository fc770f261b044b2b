"""Every course notebook: structure, no outputs in git, headless execution, nbgrader metadata.

Adding a notebook under course/source/<assignment>/ adds it to every test here. Execution is
shared with the other tests that read outputs (tests/notebook_cache.py). The nbgrader
pipeline itself (release generation, validation, autograding) is in test_nbgrader_pipeline.py.
"""

from __future__ import annotations

import re

import nbformat
import notebook_cache
import pytest
from conftest import release_notebooks, source_notebooks

SOURCES = source_notebooks()
IDS = [p.parent.name for p in SOURCES]


def _read(path):
    return nbformat.read(path, as_version=4)


def _graded(nb, *, grade, solution, cell_type=None):
    cells = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") is grade and meta.get("solution") is solution:
            if cell_type is None or cell.cell_type == cell_type:
                cells.append(cell)
    return cells


def test_there_are_notebooks():
    assert SOURCES, "no source notebooks found under course/source"
    assert SOURCES[0].parent.name == "00-orientation"


@pytest.mark.parametrize("path", SOURCES + release_notebooks(), ids=lambda p: str(p.parts[-3:]))
def test_committed_without_outputs(path):
    nb = _read(path)
    dirty = [i for i, c in enumerate(nb.cells) if c.get("outputs") or c.get("execution_count")]
    assert not dirty, f"{path} has outputs or execution counts in cells {dirty}: strip them"


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_notebook_file_name_matches_folder(path):
    assert re.fullmatch(r"\d\d-[a-z0-9-]+", path.parent.name), path.parent.name
    assert path.stem == path.parent.name


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_opening_and_closing_structure(path):
    nb = _read(path)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    opening = "\n".join(markdown[:3]).lower()
    for needed in ("learning objectives", "prerequisites", "time", "not medical advice"):
        assert needed in opening, f"{path.name}: the opening cells should state {needed!r}"
    assert any(re.search(r"^#+\s*summary", m, re.I | re.M) for m in markdown), "no Summary section"
    last_code = [c.source for c in nb.cells if c.cell_type == "code"][-1]
    assert "reference_list" in last_code, "the last code cell should render the references"


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_graded_items_follow_the_conventions(path):
    nb = _read(path)
    answers = _graded(nb, grade=False, solution=True)
    tests = _graded(nb, grade=True, solution=False)
    manual = _graded(nb, grade=True, solution=True, cell_type="markdown")
    assert len(tests) >= 3, "at least three autograded items"
    assert manual, "at least one manually graded answer"
    for cell in answers:
        assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
    for cell in tests:
        meta = cell.metadata["nbgrader"]
        assert meta["locked"] and meta.get("points", 0) > 0, meta["grade_id"]
        assert "### BEGIN HIDDEN TESTS" in cell.source, f"{meta['grade_id']} has no hidden tests"
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids)), "grade_id values must be unique"


@pytest.mark.slow
@pytest.mark.parametrize(
    "path", notebook_cache.per_notebook(SOURCES, lambda p: p.parent.name, lambda p: p.parent.name)
)
def test_executes_headless_without_errors_or_stderr(path):
    """Top to bottom in a fresh kernel (the session's shared execution, see notebook_cache)."""
    noisy = notebook_cache.stderr_and_errors(notebook_cache.executed(path))
    assert not noisy, (
        f"cells raised or wrote to stderr (nbgrader scores that as a failure): {noisy}"
    )


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_written_answers_keep_their_question_visible_to_students(path):
    """nbgrader replaces a whole manually graded Markdown cell with "YOUR ANSWER HERE" in the
    student version, so the question must sit in a separate, locked cell just before it."""
    nb = _read(path)
    for i, cell in enumerate(nb.cells):
        if cell in _graded(nb, grade=True, solution=True, cell_type="markdown"):
            prompt = nb.cells[i - 1]
            meta = prompt.metadata.get("nbgrader", {})
            grade_id = cell.metadata["nbgrader"]["grade_id"]
            assert prompt.cell_type == "markdown" and meta.get("locked"), (
                f"{grade_id}: put the question in a locked Markdown cell before the answer cell"
            )
            assert "YOUR ANSWER HERE" not in cell.source or len(cell.source.strip()) > 40, grade_id


def test_shared_execution_validator_sees_failures_and_passes(monkeypatch):
    """The Validator checks run on the shared execution are not vacuous (no kernel needed)."""
    path = SOURCES[0]
    nb = _read(path)
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") is True]
    code_tests = [c for c in tests if c.cell_type == "code"]
    monkeypatch.setattr(notebook_cache, "executed", lambda _path: nb)
    assert notebook_cache.validate(path) == {}, "no output at all: every test cell passes"
    assert len(notebook_cache.validate(path, invert=True)["passed"]) == len(code_tests)
    code_tests[-1].outputs = [
        nbformat.v4.new_output("error", ename="AssertionError", evalue="", traceback=[])
    ]
    failed = notebook_cache.validate(path)["failed"]
    assert [f["source"] for f in failed] == [code_tests[-1].source.strip()]
    code_tests[0].outputs = [nbformat.v4.new_output("stream", name="stderr", text="warning\n")]
    assert len(notebook_cache.validate(path)["failed"]) == 2, "stderr fails a test cell too"
    assert notebook_cache.stderr_and_errors(nb)[0][1] == "warning\n"
