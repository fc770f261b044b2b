"""docs/instructor-guide.md works when followed literally.

Every command in the guide's ``bash`` blocks is accounted for: the one-machine commands are run
here, verbatim, in a scratch copy of the course (00-orientation, two students whose notebooks
arrive through ``zip_collect``); the JupyterHub commands are run by tests/test_hub.py (listed in
its ``GUIDE_COMMANDS``); the rest are named below with the reason they are not run here. A
command added to the guide without a test makes ``test_every_guide_command_is_run_by_a_test``
fail.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import COURSE, ROOT

GUIDE = ROOT / "docs" / "instructor-guide.md"
ASSIGNMENT = "00-orientation"

#: Run here, in this order, from the scratch course folder (section 1, 4, 5, 6 and 7).
LOCAL = [
    "nbgrader generate_assignment 00-orientation --force",
    "nbgrader db student import students.csv",
    "nbgrader zip_collect 00-orientation --FileNameCollectorPlugin.named_regexp="
    "'.*/(?P<student_id>[^/_]+)_(?P<file_id>[^/]+)'",
    "ketlearn grade 00-orientation",
    "ketlearn grade",
    "ketlearn grade 00-orientation --student student001 --student student002",
    "ketlearn grade -j 2 --timeout 60",
    "ketlearn feedback 00-orientation",
    "ketlearn export",
    "ketlearn export --canvas-csv canvas.csv",
    "ketlearn export --nbgrader-csv grades.csv --canvas-csv canvas.csv "
    "--canvas-roster canvas-export.csv --canvas-ids ids.csv",
    "ketlearn grade 00-orientation --force",
    "ketlearn variants --student student001",
    "ketlearn variants --student student001 --student student002 01-history",
]

#: Not run by a test, and why.
NOT_RUN = {
    "git clone <this repository> ketlearn && cd ketlearn": "the tests run in a clone",
    "git clone <this repository> /opt/ketlearn && cd /opt/ketlearn": "the tests run in a clone",
    "make env": "`make test` creates .venv first",
    ". .venv/bin/activate": "the tests run with .venv's interpreter and scripts",
    "cd course": "LOCAL runs in a copy of course/",
    "pytest -m slow tests/test_grading_integrity.py -v": "it is part of `make test`",
    "dask scheduler": "needs a Dask cluster (tests/test_grading_pipeline.py grades on a local one)",
    "dask worker tcp://10.0.0.5:8786 --nworkers 16 --nthreads 1": "needs a Dask cluster",
    "ketlearn grade 02-pharmacokinetics --scheduler tcp://10.0.0.5:8786": (
        "needs a Dask cluster (tests/test_grading_pipeline.py grades on a local one)"
    ),
}


def guide_commands(text: str | None = None) -> list[str]:
    """Command lines of the guide's ``bash`` blocks, without trailing comments."""
    text = GUIDE.read_text(encoding="utf-8") if text is None else text
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.DOTALL):
        for line in block.splitlines():
            command = re.split(r"\s+#\s", line, maxsplit=1)[0].strip()
            if command and not command.startswith("#"):
                commands.append(command)
    return commands


def test_every_guide_command_is_run_by_a_test():
    from test_hub import GUIDE_COMMANDS

    commands = guide_commands()
    accounted = set(LOCAL) | set(GUIDE_COMMANDS) | set(NOT_RUN)
    missing = [c for c in commands if c not in accounted]
    assert not missing, f"guide commands no test runs (add them to a test): {missing}"
    stale = [c for c in [*LOCAL, *GUIDE_COMMANDS, *NOT_RUN] if c not in commands]
    assert not stale, f"tests run commands the guide no longer has: {stale}"


def test_student_data_is_git_ignored():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    paths = [
        "course/students.csv",
        "course/grades.csv",
        "course/canvas.csv",
        "course/canvas-export.csv",
        "course/ids.csv",
        "course/downloaded/00-orientation/archive/x.ipynb",
        "course/submitted/s/00-orientation/00-orientation.ipynb",
        "course/gradebook.db",
        "my-work/00-orientation/00-orientation.ipynb",
    ]
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", *paths], cwd=ROOT, capture_output=True, text=True
    )
    assert set(done.stdout.split()) == set(paths), set(paths) - set(done.stdout.split())


def _sh(command: str, cwd: Path) -> subprocess.CompletedProcess:
    env = os.environ | {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        command, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.mark.slow
def test_the_one_machine_guide_runs_as_written(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(COURSE / "nbgrader_config.py", course)
    for folder in ("source", "release"):
        shutil.copytree(COURSE / folder / ASSIGNMENT, course / folder / ASSIGNMENT)
    with (course / "students.csv").open("w", newline="") as fh:
        csv.writer(fh).writerows(
            [["id", "first_name", "last_name", "email"],
             ["student001", "Ada", "Example", ""], ["student002", "Ben", "Example", ""]]
        )  # fmt: skip
    # the LMS download: student001 hands in the instructor's solution, student002 the blank
    archive = course / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    source = nbformat.read(COURSE / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    nbformat.write(source, archive / f"student001_{ASSIGNMENT}.ipynb")
    shutil.copy(
        COURSE / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
        archive / f"student002_{ASSIGNMENT}.ipynb",
    )
    (course / "canvas-export.csv").write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section\n"
        "Example Ada,101,student001,ada,S1\nExample Ben,102,student002,ben,S1\n"
    )
    (course / "ids.csv").write_text(f"assignment,canvas_id\n{ASSIGNMENT},4242\n")

    outputs = {}
    for command in LOCAL:
        done = _sh(command, course)
        assert done.returncode == 0, (
            f"`{command}` exited {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
        outputs[command] = done.stdout
        if command.startswith("nbgrader zip_collect"):
            for student in ("student001", "student002"):
                assert (
                    course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
                ).exists()

    # `ketlearn grade` ends with each student's score
    points = sum(
        c.metadata["nbgrader"].get("points", 0)
        for c in source.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
    )
    summary = outputs["ketlearn grade 00-orientation --force"]
    assert re.search(rf"student001\s+{points:g} / {points:g}", summary), summary
    assert re.search(rf"student002\s+0 / {points:g}", summary), summary
    # feedback for both, and the exports the README and the guide promise
    assert len(list((course / "feedback").glob(f"*/{ASSIGNMENT}/{ASSIGNMENT}.html"))) == 2
    assert (course / "grades.csv").exists() and (course / "canvas.csv").exists()
    rows = list(csv.reader((course / "canvas.csv").open()))
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert f"{ASSIGNMENT} (4242)" in rows[0]
