"""nbgrader stays the gradebook: the single writer that records results through nbgrader.

Only one process (the one running ``ketlearn grade``) ever writes the SQLite gradebook, one
submission at a time, in nbgrader's own short transactions: workers never open the database.
Concurrent SQLite writers are safe only up to the 5 s busy timeout (a formgrader holding a
write lock longer makes the write fail), so a failed write is retried with back-off.

Two ways of recording a submission, both ending in nbgrader's schema and ``autograded/`` folder:

- ``fast=False``: ``nbgrader autograde`` itself, through its Python API, with one change of
  configuration: its ``Execute`` step is replaced by :class:`InjectResults`, which fills every
  cell's outputs from the worker's result instead of running a kernel. About 4 submissions/s:
  each call builds an nbgrader app, opens the database five times (a new SQLAlchemy engine each
  time, so no statement is ever cached) and round-trips every notebook through the disk.
- ``fast=True`` (the default, :mod:`ketlearn.grading.gradebook_fast`): the same nbgrader
  preprocessors (sanitising, restoring locked cells, ``determine_grade``, the late-penalty
  plugin) run in memory against one long-lived ``Gradebook`` session, one transaction per
  submission. ``tests/test_gradebook_writer.py`` checks both ways give identical gradebooks and
  autograded notebooks; ``benchmarks/bench_gradebook.py`` measures them.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    IgnorePattern,
    LimitOutput,
    NbGraderPreprocessor,
    SaveAutoGrades,
)

from ketlearn.grading._outputs import inject_outputs, worker_outputs

__all__ = [
    "CourseError",
    "InjectResults",
    "Recorder",
    "course_api",
    "inject_outputs",
    "open_course",
    "report_answers",
    "worker_outputs",
]


@contextlib.contextmanager
def _scripts_on_path():
    """This environment's scripts first on PATH, only while nbgrader runs (and restored).

    nbgrader runs `alembic` from PATH when it creates or upgrades a gradebook; ``ketlearn`` may
    be started without its environment activated. Importing this module changes nothing.
    """
    scripts = os.path.dirname(sys.executable)
    before = os.environ.get("PATH")
    if scripts in (before or "").split(os.pathsep):
        yield
        return
    os.environ["PATH"] = os.pathsep.join([scripts, before or ""])
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("PATH", None)
        else:
            os.environ["PATH"] = before


_RESULTS: dict[tuple[str, str, str], dict] = {}
MARKER = ".ketlearn-grade.json"


class CourseError(RuntimeError):
    """The course folder or gradebook is not usable; the message says what to do."""


class InjectResults(NbGraderPreprocessor):
    """nbgrader preprocessor used instead of ``Execute``: outputs come from a grading worker."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        key = (info["assignment"], info["student"], info["notebook"])
        inject_outputs(nb, _RESULTS[key]["outputs"])
        return nb, resources


def course_api(root: Path, submitted: Path | None = None, inject: bool = False):
    """nbgrader's Python API for the course folder ``root`` (its nbgrader_config.py).

    With ``submitted``, submissions are read from that folder instead of ``root/submitted``;
    with ``inject``, autograde takes outputs from :class:`InjectResults` instead of a kernel.
    """
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.Execute.shutdown_kernel = "immediate"
    if inject:
        config.Autograde.autograde_preprocessors = [
            InjectResults,
            IgnorePattern,
            ClearMetadataPreprocessor,
            LimitOutput,
            SaveAutoGrades,
            AssignLatePenalties,
            CheckCellMetadata,
        ]
    coursedir = CourseDirectory(config=config, root=str(root))
    if submitted is not None:
        coursedir.submitted_directory = str(submitted)
    return NbGraderAPI(coursedir=coursedir, config=config)


def open_course(root: Path):
    """Check ``root`` is an nbgrader course with a gradebook; return (api, db_url)."""
    root = Path(root).resolve()
    if not root.is_dir():
        raise CourseError(f"{root} is not a folder. Pass the course folder with --course.")
    if not (root / "nbgrader_config.py").exists():
        raise CourseError(
            f"{root} is not an nbgrader course folder (no nbgrader_config.py). "
            "Run the command in the course folder or pass --course PATH."
        )
    api = course_api(root)
    db_url = api.coursedir.db_url
    if db_url.startswith("sqlite:///"):
        db_file = Path(db_url[len("sqlite:///") :])
        if not db_file.exists():
            raise CourseError(
                f"no gradebook at {db_file}. Create it by releasing the assignments first "
                "(`nbgrader generate_assignment NAME` in the course folder)."
            )
    return api, db_url


MAX_ANSWER_CHARS = 2000


def report_answers(values: dict) -> dict:
    """The answers worth keeping for item analysis: plain values, no modules or functions.

    ``values`` maps names to the codec's plain data (:mod:`ketlearn.grading.codec`); entries
    longer than ``MAX_ANSWER_CHARS`` characters of JSON (tables, long arrays) are dropped.

    >>> report_answers({"x": 20.0, "checks": {"$": "module", "name": "ketlearn.checks"}})
    {'x': 20.0}
    """
    kept = {}
    for name, data in values.items():
        if type(data) is dict and data.get("$") in ("module", "callable", "opaque"):
            continue
        try:
            text = json.dumps(data)
        except (TypeError, ValueError):
            continue
        if len(text) <= MAX_ANSWER_CHARS:
            kept[str(name)] = data
    return kept


def _error_name(outputs: list) -> str | None:
    """The exception a test cell ended with, unless it is a plain failed assertion."""
    for out in outputs:
        if isinstance(out, dict) and out.get("output_type") == "error":
            name = str(out.get("ename", "Error"))
            return None if name == "AssertionError" else name
    return None


class Recorder:
    """Writes worker results into the gradebook via nbgrader's autograde (single writer)."""

    def __init__(self, root: Path, staging: Path, retries: int = 4, fast: bool = True) -> None:
        self.root = Path(root)
        self.staging = Path(staging)
        self.retries = retries
        self.api = course_api(self.root, submitted=self.staging, inject=True)
        self.autograded = Path(self.api.coursedir.root) / self.api.coursedir.autograded_directory
        self._fast = None
        if fast:
            from ketlearn.grading.gradebook_fast import FastWriter

            self._fast = FastWriter(self.api, retries=retries)

    def close(self) -> None:
        """Close the long-lived gradebook session of the fast writer (if any)."""
        if self._fast is not None:
            self._fast.close()

    def marker(self, assignment: str, student: str) -> Path:
        return self.autograded / student / assignment / MARKER

    def is_current(self, assignment: str, student: str, digests: dict) -> bool:
        path = self.marker(assignment, student)
        if not path.exists():
            return False
        try:
            return json.loads(path.read_text())["digests"] == digests
        except (ValueError, KeyError):
            return False

    def record(self, assignment: str, student: str, folder: Path, prepared: list, results: dict):
        """Record one graded submission in the gradebook and ``autograded/``; return scores."""
        if self._fast is not None:
            scores = self._fast.record(assignment, student, folder, prepared, results)
            self._write_marker(assignment, student, prepared, results, scores)
            return scores
        stage = self.staging / student / assignment
        if stage.exists():
            shutil.rmtree(stage)
        top = str(folder)
        shutil.copytree(  # everything the student submitted except the notebooks we rewrite
            folder,
            stage,
            ignore=lambda d, names: [  # notebooks we rewrite; links are never followed
                n
                for n in names
                if (d == top and n.endswith(".ipynb")) or os.path.islink(os.path.join(d, n))
            ],
        )
        for prep in prepared:
            if prep.nb is None:
                continue
            nbformat.write(prep.nb, stage / f"{prep.notebook}.ipynb")
            outputs = worker_outputs(prep, results[prep.notebook])
            _RESULTS[(assignment, student, prep.notebook)] = {"outputs": outputs}
        try:
            for attempt in range(self.retries + 1):
                with _scripts_on_path():
                    out = self.api.autograde(assignment, student, force=True, create=True)
                if out["success"]:
                    break
                log = out.get("log", "") + out.get("error", "")
                if "database is locked" not in log or attempt == self.retries:
                    raise RuntimeError(log[-3000:])
                time.sleep(2**attempt)
        finally:
            for prep in prepared:
                _RESULTS.pop((assignment, student, prep.notebook), None)
            shutil.rmtree(stage, ignore_errors=True)
        scores = self.scores(assignment, student)
        self._write_marker(assignment, student, prepared, results, scores)
        return scores

    def _write_marker(self, assignment, student, prepared, results, scores) -> None:
        """The resume marker, plus what ``ketlearn report`` reads (instructor side only).

        ``items``: per notebook, per test grade_id: ``passed``, ``error`` (the test cell ended in
        an exception other than a failed assertion) and ``answers`` (the plain data the test
        read from the student, :func:`report_answers`); ``faults``: per notebook, the kinds of
        faults (``timeout``, ``kernel death``, …).
        """
        digests = {p.notebook: p.digest for p in prepared}
        items: dict = {}
        faults: dict = {}
        for name, result in results.items():
            faults[name] = [f.get("kind", "") for f in result.get("faults", [])]
            items[name] = {
                gid: {
                    "passed": bool(item.get("passed")),
                    "error": _error_name(item.get("outputs", [])),
                    "answers": report_answers(item.get("answers") or {}),
                }
                for gid, item in result.get("items", {}).items()
            }
        self.marker(assignment, student).write_text(
            json.dumps(
                {"digests": digests, "scores": scores, "items": items, "faults": faults},
                allow_nan=True,
            )
        )

    def scores(self, assignment: str, student: str) -> dict[str, dict[str, float | None]]:
        """Per notebook, per grade cell: the auto score recorded in the gradebook."""
        from nbgrader.api import Gradebook

        out: dict[str, dict[str, float | None]] = {}
        with Gradebook(self.api.coursedir.db_url, self.api.coursedir.course_id) as gb:
            sub = gb.find_submission(assignment, student)
            for nb in sub.notebooks:
                out[nb.notebook.name] = {g.name: g.auto_score for g in nb.grades}
        return out
