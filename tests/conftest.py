"""Shared paths and fixtures for the ketlearn test suite."""

from __future__ import annotations

import functools
import importlib.abc
import importlib.util
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
# Self-checks record progress in ~/.ketlearn; tests must never write the learner's file
# (tests that check recording set their own path).
os.environ["KETLEARN_PROGRESS_FILE"] = "off"
# nbgrader calls `alembic` and `jupyter` from PATH: this environment's scripts come first.
os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"
SOURCE = COURSE / "source"
RELEASE = COURSE / "release"
DATASETS = ROOT / "datasets"

sys.path.insert(0, str(ROOT / "tools"))

# nbclient (and so nbgrader's executor, used in-process by these tests) can miss a cell's reply and
# wait for the whole time-out (jupyter/nbclient#312): poll in short slices instead.
from ketlearn import _nbclient_patch  # noqa: E402

_nbclient_patch.apply()


class _AlembicHeadOnce(importlib.abc.MetaPathFinder):
    """Ask alembic for nbgrader's schema head once per test process, not per new gradebook.

    nbgrader's ``Gradebook`` stamps every new database with ``get_alembic_version()``, which
    starts a new Python process (``alembic heads``: several seconds, more on a loaded machine);
    the grading tests create dozens of gradebooks. The head is fixed by the installed nbgrader, so
    the answer is memoised when ``nbgrader.api`` is first imported (importing it here would cost
    every test process nbgrader's slow import). Gradebooks are stamped exactly as before.
    """

    def find_spec(self, fullname, path, target=None):
        if fullname != "nbgrader.api":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or not hasattr(spec.loader, "exec_module"):
            return spec
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            module.get_alembic_version = functools.cache(module.get_alembic_version)

        spec.loader.exec_module = exec_module
        return spec


if "nbgrader.api" in sys.modules:
    _api = sys.modules["nbgrader.api"]
    _api.get_alembic_version = functools.cache(_api.get_alembic_version)
else:
    sys.meta_path.insert(0, _AlembicHeadOnce())


def pytest_configure(config):
    # Measure units on the controlling process only (workers report to it).
    if not hasattr(config, "workerinput"):
        import unit_times

        config.pluginmanager.register(unit_times.DurationRecorder(), "ketlearn-durations")


# Fixture notebooks and course folders used by the grading tests are data, not test modules.
collect_ignore_glob = ["fixtures/*"]


def source_notebooks() -> list[Path]:
    return sorted(SOURCE.glob("*/*.ipynb"))


def release_notebooks() -> list[Path]:
    return sorted(RELEASE.glob("*/*.ipynb"))


def assignment_names() -> list[str]:
    return sorted(p.parent.name for p in source_notebooks())


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def stop_process_group(proc) -> None:
    """End a process started with ``start_new_session=True`` and everything in its group."""
    import signal
    import subprocess

    for sig, wait_s in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


def build_wheel(outdir: Path) -> Path:
    """Build ketlearn's wheel from this checkout into ``outdir`` (no isolation); return its path."""
    import subprocess

    built = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(outdir),
         str(ROOT)],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-2000:]
    (path,) = Path(outdir).glob("ketlearn-*.whl")
    return path


def _wrong_numbers(source: str) -> str:
    """A plausible wrong answer: every number literal in a solution cell plus one."""
    return re.sub(r"(?<![\w.])(\d+)(?![\w])", lambda m: str(int(m.group(1)) + 1), source)


@pytest.fixture(scope="session")
def _honest_course_graded():
    """All eight assignments (generated once, tests/notebook_cache.py), each submitted as its
    solution (student ``solution``), its blank student version (``blank``) and a wrong-numbers
    variant (``wrong``), graded once through the real pipeline (``ketlearn.grading.runner.grade``,
    two workers). Read it through :func:`honest_course` (a private copy per module).

    Used by tests/test_grading_integrity.py and tests/test_grading_feedback_all.py, which share
    the pytest-xdist group ``grading-integrity`` so one worker grades it once for both.
    """
    import nbformat
    import notebook_cache
    import release as release_tool

    from ketlearn.grading.runner import grade

    root = notebook_cache.generated_course()
    names = release_tool.assignments(root)
    for name in names:
        source = nbformat.read(root / "source" / name / f"{name}.ipynb", as_version=4)
        blank = nbformat.read(root / "release" / name / f"{name}.ipynb", as_version=4)
        wrong = nbformat.from_dict(source)
        for cell in wrong.cells:
            if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
                cell.source = _wrong_numbers(cell.source)
        for student, nb in (("solution", source), ("blank", blank), ("wrong", wrong)):
            folder = root / "submitted" / student / name
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{name}.ipynb")
    report = grade(root, workers=2, progress=False)
    yield root, names, report
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def honest_course(_honest_course_graded):
    """``(course folder, assignment names, GradeReport)``: this module's own copy of the graded
    course of :func:`_honest_course_graded` (tests may grade again or write feedback in it)."""
    graded, names, report = _honest_course_graded
    root = Path(tempfile.mkdtemp(prefix="ketlearn-honest-"))
    shutil.copytree(graded, root, dirs_exist_ok=True, symlinks=True)
    yield root, names, report
    shutil.rmtree(root, ignore_errors=True)
