"""Regenerate course/release/ from course/source/ with nbgrader (used by `make release`).

nbgrader's generate_assignment runs (in-process, through nbgrader's own Python API) in a
scratch copy of the course, so no gradebook database is left in the repository; the student
versions are then copied back into course/release/. The test suite uses the same functions and
compares the result with the committed release.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"

# nbgrader runs `alembic` from PATH: make sure this environment's scripts come first.
os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])


def assignments(course: Path = COURSE) -> list[str]:
    return sorted(p.name for p in (course / "source").iterdir() if p.is_dir())


def course_api(root: Path):
    """nbgrader's Python API for the course folder ``root``, configured by its nbgrader_config.py."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.Execute.shutdown_kernel = "immediate"
    coursedir = CourseDirectory(config=config, root=str(root))
    return NbGraderAPI(coursedir=coursedir, config=config)


def scratch_course(course: Path = COURSE, only: list[str] | None = None) -> Path:
    """A new temporary course folder holding a copy of source/ and nbgrader_config.py.

    ``only`` keeps just those assignments' source folders (a one-assignment course).
    """
    scratch = Path(tempfile.mkdtemp(prefix="ketlearn-course-"))
    keep = set(only or [])

    def skip(folder: str, names: list[str]) -> set[str]:
        ignored = set(shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")(folder, names))
        if keep and Path(folder) == course / "source":
            ignored |= {n for n in names if n not in keep}
        return ignored

    shutil.copytree(course / "source", scratch / "source", ignore=skip)
    shutil.copy(course / "nbgrader_config.py", scratch / "nbgrader_config.py")
    return scratch


def generate_in(scratch: Path, names: list[str] | None = None) -> Path:
    """Run generate_assignment for ``names`` (default: all) in ``scratch``; return its release/."""
    api = course_api(scratch)
    for name in names or assignments(scratch):
        result = api.generate_assignment(name, force=True, create=True)
        if not result["success"]:
            raise RuntimeError(f"generate_assignment {name} failed:\n{result.get('log', '')}")
    return scratch / "release"


def generate(course: Path = COURSE, out: Path | None = None) -> Path:
    """Generate every assignment's student version into ``out`` (default: a scratch folder)."""
    scratch = scratch_course(course)
    release = generate_in(scratch)
    if out is None:
        return release
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(release, out)
    shutil.rmtree(scratch)
    return out


if __name__ == "__main__":
    target = generate(out=COURSE / "release")
    print(f"Regenerated {target.relative_to(ROOT)} for: {', '.join(assignments())}")
