"""Hardening of `ketlearn grade` (issue 14) beyond the attack suite: the sandbox back-ends, the
trusted side's file reading, Ctrl-C, SIGKILL leftovers, duplicated cells, loud exports.

The attack suite itself (each attack scores 0 and is flagged) is tests/test_grading_integrity.py.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_grading_integrity import attacks, make_course

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading-hardening")]

_INSIDE = r"""
import json, os, socket, sys
out = {"pid": os.getpid(), "tmp": os.listdir("/tmp"), "hidden": os.path.exists(sys.argv[1])}
try:
    open(os.path.join(sys.prefix, "zz-probe"), "w")
    out["prefix_writable"] = True
except OSError:
    out["prefix_writable"] = False
open("/tmp/scratch", "w").write("ok")
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=2)
    out["network"] = True
except OSError:
    out["network"] = False
out["secret"] = any("hardening-secret" in v for v in os.environ.values())
out["home"] = os.path.exists(sys.argv[3])
print(json.dumps(out))
"""


@pytest.mark.parametrize("backend", ["bwrap", "unshare"])
def test_sandbox_backend_isolates(backend, tmp_path, monkeypatch):
    import json

    from ketlearn.grading.sandbox import find_sandbox, worker_env

    course = tmp_path / "course"
    course.mkdir()
    (course / "gradebook.db").write_text("secret")
    box = find_sandbox([course], backend=backend)
    if box is None:
        pytest.skip(f"{backend} cannot make a sandbox on this system")
    monkeypatch.setenv("HARDENING_TOKEN", "hardening-secret")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    home = os.path.expanduser("~")
    try:
        done = subprocess.run(
            [*box.prefix, sys.executable, "-c", _INSIDE, str(course), str(port), home],
            capture_output=True,
            text=True,
            timeout=120,
            env=worker_env(),
            check=False,
        )
    finally:
        listener.close()
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["pid"] == 1  # own PID namespace
    assert seen["tmp"] in ([], [".ketlearn-root"]) or seen["tmp"] == []
    assert not seen["hidden"] and not seen["prefix_writable"]
    assert not seen["network"] and not seen["secret"]
    if not any(home.startswith(r) or r.startswith(home) for r in _roots()):
        assert not seen["home"]
    assert not (Path(sys.prefix) / "zz-probe").exists()


def _roots():
    from ketlearn.grading.sandbox import readable_roots

    return readable_roots()


def test_worker_environment_is_an_allowlist(monkeypatch):
    from ketlearn.grading.sandbox import worker_env

    monkeypatch.setenv("GITHUB_TOKEN", "ghp_secret")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws_secret")
    env = worker_env()
    assert "GITHUB_TOKEN" not in env and "AWS_SECRET_ACCESS_KEY" not in env
    assert env["TMPDIR"] == "/tmp" and env["HOME"] == "/tmp"


def test_symlinks_are_never_followed(tmp_path):
    from ketlearn.grading.safefs import collect_files, read_nofollow

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "hidden.txt").write_text("expected value 10.0")
    sub = tmp_path / "sub"
    (sub / "data").mkdir(parents=True)
    (sub / "data" / "real.csv").write_text("a,b\n1,2\n")
    (sub / "leak.txt").symlink_to(outside / "hidden.txt")
    (sub / "peer").symlink_to(outside)
    files, links = collect_files([sub], 1000, lambda rel: True)
    assert files == {"data/real.csv": b"a,b\n1,2\n"}
    assert links == ["leak.txt", "peer"]
    assert read_nofollow(sub, "leak.txt", 1000) is None
    assert read_nofollow(sub, "peer/hidden.txt", 1000) is None
    assert read_nofollow(sub, "../outside/hidden.txt", 1000) is None


def test_resume_digest_covers_data_file_contents():
    from nbgrader.api import Gradebook

    from ketlearn.grading.prepare import load_assignment, prepare_submission

    root = make_course([attacks.ATTACKS[0]])
    try:
        folder = root / "submitted" / "honest" / "mini"
        (folder / "data.csv").write_text("x\n1\n")
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
            spec = load_assignment(gb, root, "mini")
        first = prepare_submission(spec, "honest", folder, 5)[0].digest
        (folder / "data.csv").write_text("x\n2\n")  # same name, new contents
        assert prepare_submission(spec, "honest", folder, 5)[0].digest != first
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_duplicated_cells_follow_the_stated_rule():
    from ketlearn.grading.hygiene import dedupe_cells

    nb = nbformat.v4.new_notebook()
    for source in ("answer = 1", "answer = 2", "print(answer)"):
        cell = nbformat.v4.new_code_cell(source)
        if source.startswith("answer"):
            cell.metadata["nbgrader"] = {"grade_id": "q1", "solution": True, "grade": False}
        nb.cells.append(cell)
    faults = dedupe_cells(nb, set())
    assert [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells] == ["q1", None, None]
    assert [c.source for c in nb.cells] == ["answer = 1", "answer = 2", "print(answer)"]
    assert len(faults) == 1 and "first copy was graded" in faults[0]["detail"]
    assert "nbgrader update" not in faults[0]["detail"]


def test_duplicated_answer_cell_is_graded_end_to_end():
    from ketlearn.grading.runner import grade

    root = make_course([attacks.ATTACKS[0]])
    try:
        path = root / "submitted" / "honest" / "mini" / "mini.ipynb"
        nb = nbformat.read(path, as_version=4)
        i = next(
            k
            for k, c in enumerate(nb.cells)
            if c.metadata.get("nbgrader", {}).get("grade_id") == "num_answer"
        )
        copy = nbformat.from_dict(nb.cells[i])
        copy.id = "copy-of-answer"
        nb.cells.insert(i + 1, copy)
        nbformat.write(nb, path)
        report = grade(root, workers=1, progress=False)
        assert ("mini", "honest") in report.graded, report.summary()
        kinds = {f["kind"] for f in report.faults}
        assert "duplicated cell" in kinds and "nbgrader update" not in report.summary()
        assert report.graded[("mini", "honest")]["mini"]["num_tests"] == 2
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_export_names_the_student_instead_of_a_blank():
    from nbgrader.api import MissingEntry

    from ketlearn.grading.export import canvas_rows
    from ketlearn.grading.gradebook import CourseError

    class Broken:
        @property
        def score(self):
            raise RuntimeError("database disk image is malformed")

    class Item:
        def __init__(self, **kw):
            self.__dict__.update(kw)

    class FakeGradebook:
        def __init__(self, broken):
            self.broken = broken
            self.assignments = [Item(name="a1", duedate=None, max_score=3.0)]
            self.students = [Item(id="s1", first_name="A", last_name="B")]

        def find_submission(self, assignment, student):
            if not self.broken:
                raise MissingEntry("no submission")
            return Broken()

    rows = canvas_rows(FakeGradebook(broken=False))
    assert rows[-1][-1] == ""  # a missing submission stays blank
    with pytest.raises(CourseError, match="s1"):
        canvas_rows(FakeGradebook(broken=True))


def _slow_course(n: int) -> Path:
    slow = {
        "name": "slow",
        "answers": {"num_answer": "import time\ntime.sleep(1.0)\nanswer_num = 2.5 * 4"},
    }
    root = make_course([{**slow, "name": f"slow{i}"} for i in range(n)])
    return root


def _markers(root: Path) -> list[Path]:
    return sorted((root / "autograded").glob("*/mini/.ketlearn-grade.json"))


def _start(root: Path, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "ketlearn.grading.cli", "grade", "--course", str(root)]
    cmd += ["-j", "1", "--no-progress", *extra]
    code = "import sys; from ketlearn.grading.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.Popen(
        [sys.executable, "-c", code, *cmd[3:]],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _wait_for(pred, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.2)
    return False


def test_ctrl_c_stops_cleanly_and_the_rerun_resumes():
    from nbgrader.api import Gradebook

    root = _slow_course(6)
    try:
        proc = _start(root)
        assert _wait_for(lambda: len(_markers(root)) >= 1, 240), proc.communicate()[0][-3000:]
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 130, out[-3000:]
        assert "INTERRUPTED" in out
        done = _markers(root)
        assert 1 <= len(done) < 6
        assert not list(root.glob(".ketlearn-stage-*"))
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
            for marker in done:  # every record that was made is complete
                sub = gb.find_submission("mini", marker.parts[-3])
                assert sub.score == pytest.approx(7.0)
        again = _start(root)
        out2, _ = again.communicate(timeout=600)
        assert again.returncode == 0, out2[-3000:]
        assert f"skipped {len(done)} already graded" in out2
        assert len(_markers(root)) == 6
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize("sandbox", ["auto", "off"])
def test_sigkill_then_next_run_leaves_nothing_behind(sandbox):
    root = _slow_course(3)
    try:
        proc = _start(root, "--sandbox", sandbox)
        stage = lambda: list(root.glob(".ketlearn-stage-*"))  # noqa: E731
        assert _wait_for(lambda: stage() and _markers(root) == [], 240) or stage()
        time.sleep(1.5)  # a submission is running in a worker
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        time.sleep(1.0)  # workers die with the grader
        assert stage()  # the killed run left its staging folder
        again = _start(root, "--sandbox", sandbox)
        out, _ = again.communicate(timeout=600)
        assert again.returncode == 0, out[-3000:]
        assert not stage()
        import tempfile

        from ketlearn.grading.hygiene import _WORKDIR, _alive

        # Folders of runs that are over. Without a sandbox (e.g. a checkout under /tmp) other
        # tests' graders running at the same time keep live work folders in the real /tmp.
        for tmp in {Path("/tmp"), Path(tempfile.gettempdir())}:
            left = [p for p in tmp.iterdir() if _WORKDIR.match(p.name)]
            assert not [p for p in left if not _alive(int(_WORKDIR.match(p.name).group(1)))]
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_sandbox_on_refuses_and_auto_warns(monkeypatch):
    from ketlearn.grading import runner
    from ketlearn.grading.gradebook import CourseError

    root = make_course([attacks.ATTACKS[0]])
    try:
        monkeypatch.setattr(runner, "find_sandbox", lambda hide: None)
        with pytest.raises(CourseError, match="sandbox"):
            runner.grade(root, sandbox="on", progress=False)
        report = runner.grade(root, sandbox="auto", progress=False, workers=1)
        assert "WARNING: no sandbox" in report.summary() and "sandbox OFF" in report.summary()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_dask_worker_that_cannot_sandbox_refuses(monkeypatch):
    from ketlearn.grading import engine

    monkeypatch.setattr(engine, "sandbox_prefix", lambda hide: None)
    monkeypatch.setattr(engine._DASK_LOCAL, "worker", None, raising=False)
    result = engine.grade_on_dask_worker({"key": ["a", "s", "n"]}, [], [], sandbox=True)
    assert "refused" in result and socket.gethostname() in result["refused"]


def test_unshare_fallback_through_the_real_pipeline(monkeypatch):
    """The fallback back-end is real: attacks still score 0 and are flagged under `unshare`."""
    from ketlearn.grading.runner import grade
    from ketlearn.grading.sandbox import find_sandbox

    if find_sandbox([], backend="unshare") is None:
        pytest.skip("unshare cannot make a sandbox on this system")
    chosen = ["honest", "pth_persistence", "fork_bomb", "read_other_students", "staging_oracle_tmp"]
    root = make_course([a for a in attacks.ATTACKS if a["name"] in chosen])
    monkeypatch.setenv("KETLEARN_SANDBOX", "unshare")
    try:
        report = grade(root, workers=2, progress=False)
        assert report.sandbox_kind == "unshare"
        flagged = {f["where"].split("/")[0] for f in report.tampering}
        assert flagged == set(chosen) - {"honest"}
        for name in chosen:
            scores = report.graded[("mini", name)]["mini"]
            assert scores["num_tests"] == (2 if name == "honest" else 0)
    finally:
        shutil.rmtree(root, ignore_errors=True)
