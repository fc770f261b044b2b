"""Each course notebook executed once, shared by every test that only needs its outputs.

Executing the eight notebooks dominated the test suite: the headless-execution test and nbgrader's
Validator (source and student version) each ran every notebook again. Here a notebook is
executed exactly the way nbgrader's :class:`~nbgrader.validator.Validator` executes it (its own
``CheckCellMetadata``, ``ClearOutput`` and ``Execute`` preprocessors, in the notebook's folder,
with ``NBGRADER_EXECUTION=validate``, errors recorded rather than raised), and the executed copy
is stored under ``build/cache/notebooks/``.

The file name carries a hash of everything the outputs depend on: the notebook's folder (the
notebook and any file beside it), every file of the ketlearn package and of ``datasets/``, the locked requirements, the interpreter
version and this module's own source. Any change there is a new key, so a stale execution is
never reused; a file lock makes concurrent pytest-xdist workers wait for one execution instead of
running their own. An execution that timed out or lost its kernel is returned but not stored.

:func:`validate` then runs nbgrader's own Validator checks (type changes, checksums, failed or
passing grade cells) on the shared execution instead of executing the notebook again.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import hashlib
import os
import shutil
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

import nbformat
import pytest

__all__ = [
    "CACHE",
    "executed",
    "generated_course",
    "generated_release",
    "per_notebook",
    "stderr_and_errors",
    "validate",
]

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "build" / "cache" / "notebooks"
GENERATED = ROOT / "build" / "cache" / "generated"
#: Errors that say the run itself went wrong (not the notebook): never stored.
_TRANSIENT = {"CellTimeoutError", "DeadKernelError", "TimeoutError"}


@contextlib.contextmanager
def _locked(path: Path):
    """An exclusive lock on ``path`` (created if missing), as tools/build_site.py takes one."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _hash_tree(digest, folder: Path) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())


@lru_cache(maxsize=1)
def _environment_hash() -> str:
    digest = hashlib.sha256(sys.version.encode())
    _hash_tree(digest, ROOT / "src" / "ketlearn")
    _hash_tree(digest, ROOT / "datasets")
    for name in ("pyproject.toml", "requirements/lock.txt"):
        if (ROOT / name).exists():
            digest.update((ROOT / name).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def _generated() -> Path:
    """The cached scratch course in which ``nbgrader generate_assignment`` ran for every assignment.

    Generated once per state of the inputs (``course/source``, ``course/nbgrader_config.py``,
    ``tools/release.py`` and the environment) and shared by the pytest-xdist workers. It holds
    ``source/``, ``release/``, ``nbgrader_config.py`` and the ``gradebook.db`` that generation
    wrote; it is read-only by convention (:func:`generated_course` hands out copies).
    """
    import release as release_tool

    digest = hashlib.sha256(_environment_hash().encode())
    _hash_tree(digest, ROOT / "course" / "source")
    for name in ("course/nbgrader_config.py", "tools/release.py"):
        digest.update((ROOT / name).read_bytes())
    target = GENERATED / digest.hexdigest()[:20]
    GENERATED.mkdir(parents=True, exist_ok=True)
    with _locked(Path(str(target) + ".lock")):
        if not (target / "course" / "release").is_dir():
            scratch = release_tool.scratch_course()
            try:
                release_tool.generate_in(scratch)
                fresh = target.with_name(f"{target.name}.{os.getpid()}.tmp")
                shutil.copytree(scratch, fresh / "course")
                os.replace(fresh, target)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
            for old in GENERATED.iterdir():
                if old.is_dir() and old != target and not old.name.endswith(".tmp"):
                    shutil.rmtree(old, ignore_errors=True)
    return target / "course"


def generated_release() -> Path:
    """``course/release`` as ``nbgrader generate_assignment`` makes it from ``course/source``.

    The ``release/`` folder of the shared generated course (:func:`_generated`); read-only by
    convention.
    """
    return _generated() / "release"


def generated_course() -> Path:
    """A new scratch course (a temporary folder the caller removes) as generation leaves it.

    A copy of the shared generated course: ``source/``, ``release/``, the course's real
    ``nbgrader_config.py`` and a gradebook that knows every assignment, exactly what
    ``tools/release.py``'s ``scratch_course`` + ``generate_in`` make, without generating again.
    """
    scratch = Path(tempfile.mkdtemp(prefix="ketlearn-course-"))
    shutil.copytree(_generated(), scratch, dirs_exist_ok=True)
    return scratch


def _key(path: Path) -> str:
    digest = hashlib.sha256(_environment_hash().encode())
    digest.update(path.name.encode())
    for other in sorted(path.parent.iterdir()):  # the notebook and any file beside it
        if other.is_file():
            digest.update(other.name.encode())
            digest.update(other.read_bytes())
    return digest.hexdigest()[:20]


def _execute(path: Path) -> nbformat.NotebookNode:
    """Run the notebook as ``Validator.validate`` does, returning the executed copy."""
    from nbgrader import utils
    from nbgrader.validator import Validator
    from traitlets.config import Config

    config = Config()
    # nbgrader's default is 30 s per cell; the old headless test allowed 180 s (a loaded CI
    # machine running two notebooks at once must not turn slowness into a failure).
    config.Execute.timeout = 180
    nb = nbformat.read(path, as_version=4)
    with utils.chdir(str(path.parent)):
        return Validator(config=config)._preprocess(nb)


def _transient(nb: nbformat.NotebookNode) -> bool:
    return any(
        out.get("output_type") == "error" and out.get("ename") in _TRANSIENT
        for cell in nb.cells
        for out in cell.get("outputs", [])
    )


def executed(path: Path) -> nbformat.NotebookNode:
    """The notebook at ``path`` executed (once per content and environment), as a fresh copy."""
    path = Path(path).resolve()
    key = _key(path)
    CACHE.mkdir(parents=True, exist_ok=True)
    target = CACHE / f"{path.parent.parent.name}-{path.stem}-{key}.ipynb"
    with _locked(Path(str(target) + ".lock")):
        if target.exists():
            return nbformat.read(target, as_version=4)
        nb = _execute(path)
        if not _transient(nb):
            scratch = target.with_suffix(f".{os.getpid()}.tmp")
            nbformat.write(nb, scratch)
            os.replace(scratch, target)
            for old in CACHE.glob(f"{path.parent.parent.name}-{path.stem}-*.ipynb"):
                if old != target:
                    old.unlink(missing_ok=True)
        return nb


def stderr_and_errors(nb: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """``(cell index, first 300 characters)`` of every stderr stream and error output."""
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                found.append((i, out.get("text", "")[:300]))
            elif out.get("output_type") == "error":
                found.append((i, f"{out.get('ename')}: {out.get('evalue', '')}"[:300]))
    return found


def validate(path: Path, *, invert: bool = False) -> dict:
    """nbgrader's ``Validator(invert=...).validate(path)``, checked on the shared execution."""
    from nbgrader.validator import Validator

    run = executed(path)

    class _SharedExecution(Validator):
        def _preprocess(self, nb):  # the checks that follow read this executed copy
            return copy.deepcopy(run)

    return _SharedExecution(invert=invert).validate(str(Path(path).resolve()))


def per_notebook(values, assignment=lambda v: v, ids=None) -> list:
    """``pytest.param`` per value, in one pytest-xdist group per assignment.

    With ``--dist loadgroup`` every test of one notebook (its execution, validation, end to end
    grading, self-check verdicts) runs in the same worker, so module-scoped results are computed
    once and no worker waits for another's execution of the same notebook.
    """
    return [
        pytest.param(
            v,
            marks=pytest.mark.xdist_group(f"notebook-{assignment(v)}"),
            id=None if ids is None else ids(v),
        )
        for v in values
    ]
