"""Exercises that teach: the rules of issue 12 that can be read off the notebooks.

- every visible test asserts something (type, shape or range) with a message, and runs only once
  the learner has answered (``checks.answered``), so an unanswered item is calm;
- every hint points to a section that exists above the item (``section N, <heading>``);
- every exercise has an answer cell;
- a student's first Run All is calm: the student version runs top to bottom without an error or
  a stderr line, and every unanswered item says "not answered yet" in its test and self-check.

The answer-leak test and the misconception hints are in ``test_selfcheck_verdicts.py`` (they
need the source notebook's solution values).
"""

from __future__ import annotations

import ast
import re

import nbformat
import notebook_cache
import pytest
from conftest import RELEASE, SOURCE
from selfcheck_data import SPECS, grade_cells

ASSIGNMENTS = sorted(SPECS)
HIDDEN = "### BEGIN HIDDEN TESTS"


def _nb(assignment: str, folder=SOURCE):
    return nbformat.read(folder / assignment / f"{assignment}.ipynb", as_version=4)


def _visible_part(source: str) -> str:
    return source.split(HIDDEN, 1)[0]


def _asserts_something(code: str) -> bool:
    """An ``assert`` with a message, or a plain-data conversion (it raises a typed message)."""
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Assert) and node.msg is not None:
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr.startswith("plain_") or node.func.attr == "assert_close":
                return True
    return False


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_visible_tests_assert_something_and_wait_for_an_answer(assignment):
    nb = _nb(assignment)
    for i, gid in grade_cells(nb):
        visible = _visible_part(nb.cells[i].source)
        assert "checks.answered(" in visible, (
            f"{assignment} {gid}: guard the visible checks with `if checks.answered(...):` so an "
            "unanswered item prints 'not answered yet' instead of a traceback"
        )
        assert _asserts_something(visible), (
            f"{assignment} {gid}: the visible test should assert the answer's type, shape or "
            "range with a message"
        )


def _headings(nb) -> list[tuple[int, int, str]]:
    """``(cell index, section number, heading text)`` of every ``## N. Heading``."""
    out = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            m = re.match(r"^##\s+(\d+)\.\s+(.*)$", line)
            if m:
                out.append((i, int(m.group(1)), m.group(2).strip()))
    return out


def _words(text: str) -> list[str]:
    return re.findall(r"[\w²⁺µ-]+", text.lower())


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_hint_points_to_a_section_above_the_item(assignment):
    nb = _nb(assignment)
    headings = _headings(nb)
    for i, gid in grade_cells(nb):
        where = SPECS[assignment][gid].get("section", "")
        m = re.match(r"^sections? (\d+)(?:, ([^(;]+))?", where)
        assert m, (
            f"{assignment} {gid}: the spec's section should start 'section N, <heading>'; "
            f"got {where!r}"
        )
        number, title = int(m.group(1)), (m.group(2) or "").strip()
        above = [(j, n, text) for j, n, text in headings if n == number and j < i]
        assert above, f"{assignment} {gid}: no '## {number}. ...' heading above the item"
        if title:
            want = _words(title)[:3]
            got = _words(above[-1][2])[: len(want)]
            assert want == got, (
                f"{assignment} {gid}: section {number} is {above[-1][2]!r}, not {title!r}"
            )


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_exercise_has_an_answer_cell(assignment):
    nb = _nb(assignment)
    starts = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "markdown" and re.search(r"^###\s+Exercise\b", c.source, re.M)
    ]
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(nb.cells)
        for j in range(start + 1, end):  # stop at the next section heading
            if nb.cells[j].cell_type == "markdown" and re.match(r"^##\s", nb.cells[j].source):
                end = j
                break
        title = nb.cells[start].source.splitlines()[0]
        solution = [
            c for c in nb.cells[start:end] if c.metadata.get("nbgrader", {}).get("solution")
        ]
        assert solution, f"{assignment}: {title!r} asks something but has no answer cell"


@pytest.mark.slow
@pytest.mark.parametrize(
    "assignment",
    [pytest.param(a, marks=pytest.mark.xdist_group(f"notebook-{a}")) for a in ASSIGNMENTS],
)
def test_first_run_all_of_the_student_version_is_calm(assignment):
    """The shared execution runs as nbgrader's Validate does (``NBGRADER_EXECUTION=validate``),
    where ``checks.answered`` raises its "not answered yet" message so that Validate fails an
    unanswered item; in JupyterLab the same call only prints it (tests/test_checks.py). So every
    error allowed here is that message, in a test cell; anything else (or any stderr) is not."""
    run = notebook_cache.executed(RELEASE / assignment / f"{assignment}.ipynb")
    graded = dict(grade_cells(run))
    noisy = [
        (i, text)
        for i, text in notebook_cache.stderr_and_errors(run)
        if not (i in graded and text.startswith("AssertionError") and "Not answered yet" in text)
    ]
    assert not noisy, (
        f"{assignment}: Run All of the student version raised or wrote stderr: {noisy}"
    )
    text = [
        "".join(
            o.get("text", "") if o.get("output_type") == "stream" else o.get("evalue", "")
            for o in c.get("outputs", [])
        )
        for c in run.cells
    ]
    for i, gid in graded.items():
        assert "not answered yet" in text[i].lower(), (
            f"{assignment} {gid}: the unanswered test cell should say 'not answered yet'"
        )
        call = f'selfcheck.check("{assignment}", "{gid}")'
        checks = [j for j, c in enumerate(run.cells) if call in c.source]
        assert checks and "not answered yet" in text[checks[0]], (
            f"{assignment} {gid}: the self-check of an unanswered item should say so"
        )
