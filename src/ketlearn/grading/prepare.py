"""From the gradebook and a student's folder to a gradable job (cell-level integrity).

The gradebook (written by ``nbgrader generate_assignment``) is the authority on which cells are
tests, what they contain and what they are worth. For each submitted notebook this module:

- finds the notebook, or a single renamed copy of it (fault ``renamed file``);
- reports a notebook that cannot be read (fault ``corrupt notebook``: needs the instructor);
- removes every test cell the student's file holds (edited, duplicated, moved or with altered
  metadata) and puts back the gradebook's own test cells at their places in the source
  notebook's order (faults ``deleted test cell``, ``duplicated test cell``, ``edited test
  cell``, ``moved test cell``: graded, reported);
- restores locked (read-only) cells from the gradebook before anything runs (fault ``edited
  locked cell``), as nbgrader's ``OverwriteCells`` does;
- builds the job a worker runs: the student's code cells, each test cell's *visible* part at
  its place (what the student was given), the points at which each test's answers are read,
  and the files the notebook may open (never following links).

Hidden test code never goes into the job's cells; the checker gets the full tests separately.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ketlearn.grading.safefs import collect_files, read_nofollow

__all__ = [
    "AssignmentSpec",
    "Prepared",
    "TestCell",
    "load_assignment",
    "prepare_submission",
    "strip_hidden",
]

MAX_FILE_BYTES = 50_000_000


@dataclass(frozen=True)
class TestCell:
    """An autograded test cell as the gradebook knows it."""

    grade_id: str
    source: str
    points: float


@dataclass
class NotebookSpec:
    name: str
    tests: dict[str, TestCell]
    locked: dict[str, str]  # grade_id -> source of every locked cell (restored as nbgrader does)
    order: list[str]  # grade_ids in the source notebook's order
    locked_types: dict[str, str] = field(default_factory=dict)  # grade_id -> cell type


@dataclass
class AssignmentSpec:
    """Everything about one assignment that grading needs, read once from the gradebook."""

    name: str
    notebooks: dict[str, NotebookSpec]
    source_dir: Path
    keep_students: frozenset[str] = frozenset()  # nbgrader's Autograde.exclude_overwriting


@dataclass
class Prepared:
    """One student's notebook, ready for a worker (``job``) and for the gradebook (``nb``)."""

    assignment: str
    student: str
    notebook: str
    nb: object = None
    job: dict | None = None
    code_index: list[int] = field(default_factory=list)  # job cell k -> notebook cell index
    test_index: dict[str, int] = field(default_factory=dict)  # grade_id -> notebook cell index
    faults: list[dict] = field(default_factory=list)
    digest: str = ""


def _nbg(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def load_assignment(gradebook, course_root: Path, name: str) -> AssignmentSpec:
    """Read an assignment's test cells from an open nbgrader ``Gradebook``."""
    assignment = gradebook.find_assignment(name)
    notebooks = {}
    for nb in assignment.notebooks:
        sources = {c.name: c for c in nb.source_cells}
        tests = {}
        for gc in nb.grade_cells:
            sc = sources.get(gc.name)
            if gc.cell_type == "code" and sc is not None and sc.locked:
                tests[gc.name] = TestCell(gc.name, sc.source or "", float(gc.max_score))
        locked = {c.name: c.source or "" for c in nb.source_cells if c.locked}
        locked_types = {c.name: c.cell_type for c in nb.source_cells if c.locked}
        order: list[str] = []
        path = course_root / "source" / name / f"{nb.name}.ipynb"
        if path.exists():
            src = nbformat.read(path, as_version=4)
            order = [_nbg(c).get("grade_id") for c in src.cells if _nbg(c).get("grade_id")]
        order += [g for g in sources if g not in order]
        notebooks[nb.name] = NotebookSpec(nb.name, tests, locked, order, locked_types)
    return AssignmentSpec(name, notebooks, course_root / "source" / name)


def _find_file(folder: Path, spec: NotebookSpec, all_names: set[str]) -> tuple[Path | None, list]:
    wanted = folder / f"{spec.name}.ipynb"
    if wanted.exists():
        return wanted, []
    candidates = []
    for path in sorted(folder.glob("*.ipynb")):
        if path.stem in all_names:
            continue
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:
            continue
        if {_nbg(c).get("grade_id") for c in nb.cells} & set(spec.order):
            candidates.append(path)
    if len(candidates) == 1:
        return candidates[0], [
            {"kind": "renamed file", "detail": f"graded {candidates[0].name} as {wanted.name}"}
        ]
    if candidates:
        names = ", ".join(p.name for p in candidates)
        return None, [
            {
                "kind": "missing file",
                "detail": f"{wanted.name} missing; several candidates: {names}",
                "needs_instructor": True,
            }
        ]
    return None, [
        {"kind": "missing file", "detail": f"{wanted.name} not submitted", "needs_instructor": True}
    ]


def _files(
    folder: Path, source_dir: Path, keep_students: frozenset[str] = frozenset()
) -> tuple[dict[str, str], list[str]]:
    """Data files for the job (never through a symbolic link) and the links found.

    The student's files, then the instructor's, which win as in nbgrader, except for the paths in
    ``keep_students`` (``Autograde.exclude_overwriting``), where the student's copy is kept.
    Files are opened with ``O_NOFOLLOW``, so a link swapped in meanwhile is refused too.
    """

    def keep(rel: str) -> bool:
        parts = Path(rel).parts
        return (
            not rel.endswith(".ipynb")
            and not any(part.startswith(".") for part in parts)
            and parts[-1] != "timestamp.txt"
        )

    found, links = collect_files([folder], MAX_FILE_BYTES, keep)
    instructor, _ = collect_files([source_dir], MAX_FILE_BYTES, keep)
    for rel, data in instructor.items():
        if rel in keep_students and rel in found:
            continue  # the student's copy is kept (``Autograde.exclude_overwriting``)
        found[rel] = data
    files = {rel: base64.b64encode(data).decode() for rel, data in found.items()}
    return files, [link for link in links if (folder / link).is_symlink()]


def prepare_submission(
    spec: AssignmentSpec, student: str, folder: Path, timeout: float
) -> list[Prepared]:
    """Prepare every notebook of ``spec`` in ``folder`` (``submitted/<student>/<assignment>``)."""
    out = []
    all_names = set(spec.notebooks)
    files, links = _files(folder, spec.source_dir, spec.keep_students)
    contents = hashlib.sha256()
    for rel in sorted(files):  # the resume digest covers data-file contents, not just names
        contents.update(f"{rel}\x00{files[rel]}\x00".encode())
    for nbspec in spec.notebooks.values():
        prep = Prepared(spec.name, student, nbspec.name)
        out.append(prep)
        path, faults = _find_file(folder, nbspec, all_names)
        prep.faults += faults
        if path is None:
            continue
        for link in links:
            prep.faults.append(
                {
                    "kind": "tampering",
                    "detail": f"symbolic link in the submission: {link} (ignored)",
                }
            )
        raw = read_nofollow(folder, path.name, MAX_FILE_BYTES)
        if raw is None:
            prep.faults.append(
                {
                    "kind": "tampering",
                    "detail": f"{path.name} is a symbolic link or not a regular file (not graded)",
                    "needs_instructor": True,
                }
            )
            continue
        prep.digest = hashlib.sha256(raw + contents.digest()).hexdigest()
        try:
            nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
        except Exception as exc:
            prep.faults.append(
                {
                    "kind": "corrupt notebook",
                    "detail": f"{path.name}: {type(exc).__name__}: {str(exc)[:200]}",
                    "needs_instructor": True,
                }
            )
            continue
        from ketlearn.grading.hygiene import dedupe_cells

        prep.faults += dedupe_cells(nb, set(nbspec.tests))
        _restore_tests(nb, nbspec, prep)
        _restore_locked(nb, nbspec, prep)
        prep.nb = nb
        cells, points, kernel_tests = [], [], {}
        for i, cell in enumerate(nb.cells):
            gid = _nbg(cell).get("grade_id")
            if cell.cell_type == "code" and gid in nbspec.tests:
                # The test's visible part (what the student was given anyway) also runs in the
                # student's kernel at its place, as in nbgrader, so that what a test does to the
                # namespace (``del squares``) is seen by the student's code. The full test, hidden
                # parts included, runs only in the checker; the stricter outcome counts.
                prep.test_index[gid] = i
                points.append(
                    {"grade_id": gid, "source": nbspec.tests[gid].source, "after": len(cells)}
                )
                kernel_tests[len(cells)] = gid
                prep.code_index.append(i)
                cells.append(strip_hidden(nbspec.tests[gid].source))
            elif cell.cell_type == "code":
                prep.code_index.append(i)
                cells.append(cell.source)
        prep.job = {
            "key": [spec.name, student, nbspec.name],
            "cells": cells,
            "tests": points,
            "kernel_tests": kernel_tests,
            "timeout": timeout,
            "files": files,
        }
    return out


def _restore_locked(nb, spec: NotebookSpec, prep: Prepared) -> None:
    """Put back every locked (read-only) cell as the gradebook has it, before anything runs.

    nbgrader's ``OverwriteCells`` does the same, so an accidental edit to a locked cell costs
    nothing and an answer typed into one earns nothing; each restored cell is reported.
    """
    for cell in nb.cells:
        gid = _nbg(cell).get("grade_id")
        if gid not in spec.locked or gid in spec.tests:
            continue
        want_type = spec.locked_types.get(gid, cell.cell_type)
        if cell.cell_type == want_type and cell.source == spec.locked[gid]:
            continue
        prep.faults.append(
            {"kind": "edited locked cell", "detail": f"{gid} restored from the gradebook"}
        )
        if cell.cell_type != want_type:
            new = (
                nbformat.v4.new_code_cell(spec.locked[gid])
                if want_type == "code"
                else nbformat.v4.new_markdown_cell(spec.locked[gid])
            )
            new.metadata = cell.metadata
            cell.clear()
            cell.update(new)
        cell.source = spec.locked[gid]


def _restore_tests(nb, spec: NotebookSpec, prep: Prepared) -> None:
    """Remove the student's copies of test cells and put the gradebook's back in place."""
    seen: dict[str, int] = {}
    kept = []
    for cell in nb.cells:
        gid = _nbg(cell).get("grade_id")
        if gid in spec.tests:
            seen[gid] = seen.get(gid, 0) + 1
            if seen[gid] == 1:
                if cell.cell_type != "code" or not _same_test(cell.source, spec.tests[gid].source):
                    prep.faults.append(
                        {"kind": "edited test cell", "detail": f"{gid} restored from the gradebook"}
                    )
            continue
        kept.append(cell)
    for gid, count in seen.items():
        if count > 1:
            prep.faults.append(
                {
                    "kind": "duplicated test cell",
                    "detail": f"{gid} appeared {count} times; one kept",
                }
            )
    for gid in spec.tests:
        if gid not in seen:
            prep.faults.append(
                {"kind": "deleted test cell", "detail": f"{gid} restored from the gradebook"}
            )
    # Put each test before the next cell (in source order) that the student's notebook still has.
    present = {_nbg(c).get("grade_id"): i for i, c in enumerate(kept) if _nbg(c).get("grade_id")}
    inserts: dict[int, list[str]] = {}
    for pos, gid in enumerate(spec.order):
        if gid not in spec.tests:
            continue
        later = [present[g] for g in spec.order[pos + 1 :] if g in present and g not in spec.tests]
        inserts.setdefault(min(later) if later else len(kept), []).append(gid)
    cells = []
    for i in range(len(kept) + 1):
        for gid in inserts.get(i, []):
            cells.append(_test_cell(gid, spec))
        if i < len(kept):
            cells.append(kept[i])
    if _neighbours(nb.cells, spec) != {
        g: n for g, n in _neighbours(cells, spec).items() if g in seen
    }:
        prep.faults.append(
            {"kind": "moved test cell", "detail": "test cells put back in their places"}
        )
    nb.cells = cells


_HIDDEN = re.compile(
    r"^[ \t]*### BEGIN (ALWAYS )?HIDDEN TESTS.*?^[ \t]*### END (ALWAYS )?HIDDEN TESTS[^\n]*\n?",
    re.MULTILINE | re.DOTALL,
)


def strip_hidden(source: str) -> str:
    r"""Test source with hidden-test blocks removed (what students were given).

    >>> strip_hidden("a = 1\n### BEGIN HIDDEN TESTS\nassert a == 1\n### END HIDDEN TESTS\n")
    'a = 1\n'
    """
    return _HIDDEN.sub("", source)


def _same_test(student: str, gradebook: str) -> bool:
    def norm(text: str) -> str:
        return "\n".join(ln.rstrip() for ln in strip_hidden(text).strip().splitlines())

    return norm(student) == norm(gradebook)


def _neighbours(cells, spec: NotebookSpec) -> dict[str, str | None]:
    """For each test cell: the first non-test nbgrader cell after it (its place)."""
    out: dict[str, str | None] = {}
    waiting: list[str] = []
    for cell in cells:
        gid = _nbg(cell).get("grade_id")
        if gid in spec.tests:
            if gid not in out and gid not in waiting:
                waiting.append(gid)
        elif gid:
            for g in waiting:
                out[g] = gid
            waiting = []
    for g in waiting:
        out[g] = None
    return out


def _test_cell(gid: str, spec: NotebookSpec):
    test = spec.tests[gid]
    cell = nbformat.v4.new_code_cell(test.source)
    cell.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": gid,
        "locked": True,
        "points": test.points,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    return copy.deepcopy(cell)
