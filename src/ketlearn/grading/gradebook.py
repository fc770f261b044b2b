"""nbgrader stays the gradebook: the single writer that records results through nbgrader.

Only one process (the one running ``ketlearn grade``) ever writes the SQLite gradebook, one
submission at a time, in nbgrader's own short transactions: workers never open the database.
Concurrent SQLite writers are safe only up to the 5 s busy timeout (a formgrader holding a
write lock longer makes the write fail), so a failed write is retried with back-off.

Recording a submission is ``nbgrader autograde`` itself, through its Python API, with one change
of configuration: its ``Execute`` step is replaced by :class:`InjectResults`, which fills every
cell's outputs from the worker's result instead of running a kernel. Everything else
(sanitising, restoring locked cells, ``SaveAutoGrades`` turning outputs into scores, late
penalties, the ``autograded/`` folder the formgrader shows) is nbgrader's code, so a result
is scored exactly as nbgrader scores the same outputs.
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

__all__ = ["CourseError", "InjectResults", "Recorder", "course_api", "open_course"]


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
        result = _RESULTS[key]
        for index, outputs in result["outputs"].items():
            cell = nb.cells[int(index)]
            cell.outputs = [nbformat.from_dict(o) for o in outputs]
            for o in cell.outputs:
                if o.output_type == "execute_result":
                    o.setdefault("metadata", {})
                    o.setdefault("execution_count", None)
                if o.output_type == "display_data":
                    o.setdefault("metadata", {})
        count = 0
        for cell in nb.cells:
            if cell.cell_type == "code":
                count += 1
                cell.execution_count = count
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


class Recorder:
    """Writes worker results into the gradebook via nbgrader's autograde (single writer)."""

    def __init__(self, root: Path, staging: Path, retries: int = 4) -> None:
        self.root = Path(root)
        self.staging = Path(staging)
        self.retries = retries
        self.api = course_api(self.root, submitted=self.staging, inject=True)
        self.autograded = Path(self.api.coursedir.root) / self.api.coursedir.autograded_directory

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
        """Stage the prepared notebooks, run nbgrader autograde on them, return scores."""
        stage = self.staging / student / assignment
        if stage.exists():
            shutil.rmtree(stage)
        top = str(folder)
        shutil.copytree(  # everything the student submitted except the notebooks we rewrite
            folder,
            stage,
            ignore=lambda d, names: [n for n in names if d == top and n.endswith(".ipynb")],
        )
        for prep in prepared:
            if prep.nb is None:
                continue
            nbformat.write(prep.nb, stage / f"{prep.notebook}.ipynb")
            result = results[prep.notebook]
            outputs = {}
            for k, idx in enumerate(prep.code_index):
                outputs[idx] = result["cells"].get(str(k), [])
            for gid, idx in prep.test_index.items():
                outputs[idx] = result["items"][gid]["outputs"]
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
        digests = {p.notebook: p.digest for p in prepared}
        self.marker(assignment, student).write_text(
            json.dumps({"digests": digests, "scores": scores})
        )
        return scores

    def scores(self, assignment: str, student: str) -> dict[str, dict[str, float | None]]:
        """Per notebook, per grade cell: the auto score recorded in the gradebook."""
        from nbgrader.api import Gradebook

        out: dict[str, dict[str, float | None]] = {}
        with Gradebook(self.api.coursedir.db_url, self.api.coursedir.course_id) as gb:
            sub = gb.find_submission(assignment, student)
            for nb in sub.notebooks:
                out[nb.notebook.name] = {g.name: g.auto_score for g in nb.grades}
        return out
