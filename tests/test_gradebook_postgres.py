"""``ketlearn grade`` and ``ketlearn report`` against a real PostgreSQL gradebook.

A throwaway PostgreSQL server (Debian's ``postgresql`` package: ``initdb`` and ``pg_ctl``, as
installed by ``.ci/run``) is started in a temporary folder, listening only on a Unix socket there,
as the unprivileged ``postgres`` user when the tests run as root. The fixture course is pointed
at it with an SQLAlchemy URL (``CourseDirectory.db_url``), released, graded end to end and
reported on. The server is stopped and its folder removed afterwards. Skips, saying why, when
PostgreSQL or the psycopg driver is missing or the server cannot start.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import nbformat
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("gradebook-postgres")]

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
_spec = importlib.util.spec_from_file_location("grading_attacks_pg", FIXTURES / "attacks.py")
attacks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(attacks)


def _pg_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


def _as_owner(cmd: list[str], user: str | None) -> list[str]:
    return ["runuser", "-u", user, "--", *cmd] if user else cmd


@pytest.fixture(scope="module")
def pg_url():
    if importlib.util.find_spec("psycopg") is None:
        pytest.skip("the psycopg driver is not installed (pip install 'ketlearn[grading]')")
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    user = None
    if os.geteuid() == 0:  # initdb refuses to run as root
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: cannot start PostgreSQL")
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run the server")
        user = "postgres"
    base = Path(tempfile.mkdtemp(prefix="ketlearn-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if user:
        shutil.chown(base, user)
        shutil.chown(sock, user)
    base.chmod(0o755)
    run = dict(capture_output=True, text=True, timeout=120, check=False)
    init = subprocess.run(
        _as_owner([str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "ketlearn"], user),
        **run,
    )
    if init.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"initdb failed: {init.stderr[-500:]}")
    options = f"-k {sock} -c listen_addresses='' -c fsync=off"
    start = subprocess.run(
        _as_owner(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(base / "log"),
                "-w",
                "start",
            ],
            user,
        ),
        **run,
    )
    if start.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"PostgreSQL did not start: {start.stderr[-500:]}")
    try:
        import sqlalchemy

        engine = sqlalchemy.create_engine(
            f"postgresql+psycopg://ketlearn@/postgres?host={sock}", isolation_level="AUTOCOMMIT"
        )
        with engine.connect() as con:
            con.execute(sqlalchemy.text("CREATE DATABASE gradebook"))
        engine.dispose()
        yield f"postgresql+psycopg://ketlearn@/gradebook?host={sock}"
    finally:
        subprocess.run(
            _as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], user),
            **run,
        )
        shutil.rmtree(base, ignore_errors=True)


def test_grade_and_report_on_a_postgresql_gradebook(pg_url):
    from nbgrader.api import Gradebook

    from ketlearn.grading.cli import main
    from ketlearn.grading.gradebook import course_api
    from ketlearn.grading.report import build_report

    root = Path(tempfile.mkdtemp(prefix="ketlearn-pg-course-"))
    try:
        shutil.copytree(FIXTURES / "course", root, dirs_exist_ok=True)
        with open(root / "nbgrader_config.py", "a", encoding="utf-8") as fh:
            fh.write(f"\nc.CourseDirectory.db_url = {pg_url!r}\n")
        assert course_api(root).generate_assignment("mini", force=True, create=True)["success"]
        assert not (root / "gradebook.db").exists(), "the SQLite default must not be used"
        release = nbformat.read(root / "release" / "mini" / "mini.ipynb", as_version=4)
        for student, attack in (("ada", attacks.ATTACKS[0]), ("bo", attacks.ATTACKS[1])):
            folder = root / "submitted" / student / "mini"
            folder.mkdir(parents=True)
            nbformat.write(attacks.build(release, attack), folder / "mini.ipynb")
        assert main(["grade", "--course", str(root), "-j", "2", "--no-progress"]) == 0

        with Gradebook(pg_url, "ketlearn-fixture") as gb:
            got = {
                s.student.id: {g.name: (g.auto_score, g.max_score) for g in s.notebooks[0].grades}
                for s in gb.assignment_submissions("mini")
            }
        assert sorted(got) == ["ada", "bo"]
        for name in attacks.ALL_TESTS:
            score, top = got["ada"][name]
            assert score == top > 0, f"ada should have full marks on {name}"
            assert got["bo"][name][0] == 0, f"bo's wrong answers must score 0 on {name}"
        # a regrade (resume with --force) writes to the same rows
        assert main(["grade", "--course", str(root), "--force", "--no-progress"]) == 0
        report = build_report(root, ["mini"])
        assert report.assignments[0].percent == {"ada": 100.0, "bo": 0.0}
    finally:
        shutil.rmtree(root, ignore_errors=True)
