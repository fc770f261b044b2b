"""Build nbgrader source notebooks from Python (an authoring aid; not part of the package).

The committed ``.ipynb`` files in ``course/source`` are the single truth. This module only helps
authors write cells with correct nbgrader metadata (schema version 3) from a script, e.g.::

    import sys

    sys.path.insert(0, "tools")
    from nbauthor import md, code, answer, tests, manual, write

    write(
        "course/source/00-orientation/00-orientation.ipynb",
        [
            md("# Title"),
            code("import ketlearn"),
            answer("q1_answer", "### BEGIN SOLUTION\\nx = 1\\n### END SOLUTION"),
            tests("q1_tests", "assert x == 1", points=1),
            manual("q2_written", "YOUR ANSWER HERE", points=2),
        ],
    )

Cell kinds and their nbgrader metadata:

- ``md`` / ``code``: ordinary cells, no nbgrader metadata.
- ``locked_md``: read-only instructions (``locked``).
- ``answer``: autograded answer (``solution``); wrap the solution in BEGIN/END SOLUTION.
- ``tests``: autograder tests (``grade``, ``locked``, points); hidden part in BEGIN/END HIDDEN TESTS.
- ``manual``: manually graded Markdown answer (``grade`` + ``solution``, points).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

_ID = re.compile(r"^[a-zA-Z0-9_\-]+$")


def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float | None):
    if not _ID.match(grade_id):
        raise ValueError(f"grade_id must match [a-zA-Z0-9_-]+; got {grade_id!r}")
    meta = {
        "schema_version": 3,
        "grade": grade,
        "solution": solution,
        "locked": locked,
        "task": False,
        "grade_id": grade_id,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def md(text: str):
    return nbformat.v4.new_markdown_cell(text.strip("\n"))


def code(source: str):
    return nbformat.v4.new_code_cell(source.strip("\n"))


def locked_md(grade_id: str, text: str):
    cell = md(text)
    cell.metadata.update(_meta(grade_id, grade=False, solution=False, locked=True, points=None))
    return cell


def answer(grade_id: str, source: str):
    if "### BEGIN SOLUTION" not in source:
        raise ValueError(f"answer cell {grade_id} needs ### BEGIN SOLUTION / ### END SOLUTION")
    cell = code(source)
    cell.metadata.update(_meta(grade_id, grade=False, solution=True, locked=False, points=None))
    return cell


def tests(grade_id: str, source: str, points: float = 1):
    cell = code(source)
    cell.metadata.update(_meta(grade_id, grade=True, solution=False, locked=True, points=points))
    return cell


def manual(grade_id: str, text: str, points: float = 1):
    cell = md(text)
    cell.metadata.update(_meta(grade_id, grade=True, solution=True, locked=False, points=points))
    return cell


def write(path: str | Path, cells: list, *, title: str | None = None) -> Path:
    """Write a notebook (no outputs) with a Python 3 kernelspec and validate it."""
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    nb.metadata["language_info"] = {"name": "python"}
    if title:
        nb.metadata["title"] = title
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i:03d}-" + (cell.metadata.get("nbgrader", {}).get("grade_id") or "cell")
        cell["id"] = cell["id"][:64]
    nbformat.validate(nb)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)
    return out
