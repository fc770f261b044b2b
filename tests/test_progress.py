"""Progress records: written only by self-checks, read back per assignment."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ketlearn import progress, selfcheck


def test_importing_ketlearn_writes_nothing(tmp_path):
    target = tmp_path / "p.json"
    code = (
        "import ketlearn, ketlearn.progress, ketlearn.selfcheck\n"
        "ketlearn.progress.summary(); ketlearn.progress.show()\n"
    )
    env = {"KETLEARN_PROGRESS_FILE": str(target), "HOME": str(tmp_path), "PATH": ""}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    assert not list(tmp_path.rglob("*progress*")) and not (tmp_path / ".ketlearn").exists()


def test_records_attempts_and_first_pass(tmp_path):
    path = tmp_path / "sub" / "p.json"
    wrong = selfcheck.evaluate("00-orientation", "q1_tests", {"n_estimates": 3})
    right = selfcheck.evaluate("00-orientation", "q1_tests", {"n_estimates": 8})
    progress.record(wrong, path)
    progress.record(right, path)
    progress.record(wrong, path)  # a later wrong attempt does not undo a pass
    entry = progress.read(path)["00-orientation"]["q1_tests"]
    assert entry["passed"] and entry["attempts"] == 3 and entry["attempts_to_pass"] == 2
    table = progress.summary(path)
    row = table[(table.assignment == "00-orientation") & (table["item"] == "q1_tests")].iloc[0]
    assert row.status == "passed" and row.attempts == 3
    others = table[(table.assignment == "00-orientation") & (table["item"] != "q1_tests")]
    assert set(others.status) == {"not tried"}
    text = progress.show(path)
    assert "00-orientation" in text and "1 of 4 passed" in text


def test_recording_can_be_switched_off(monkeypatch, tmp_path):
    monkeypatch.setenv("KETLEARN_PROGRESS_FILE", "off")
    v = selfcheck.evaluate("00-orientation", "q1_tests", {"n_estimates": 8})
    assert progress.record(v) is None
    assert progress.read() == {}


def test_nothing_is_recorded_while_nbgrader_grades(monkeypatch, tmp_path):
    monkeypatch.setenv("KETLEARN_PROGRESS_FILE", str(tmp_path / "p.json"))
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    v = selfcheck.evaluate("00-orientation", "q1_tests", {"n_estimates": 8})
    assert progress.record(v) is None and not (tmp_path / "p.json").exists()


def test_a_damaged_file_is_set_aside_not_fatal(tmp_path):
    path = tmp_path / "p.json"
    path.write_text("{not json", encoding="utf-8")
    assert progress.read(path) == {}
    v = selfcheck.evaluate("00-orientation", "q1_tests", {"n_estimates": 8})
    progress.record(v, path)
    assert (tmp_path / "p.json.bak").exists()
    assert json.loads(path.read_text())["assignments"]["00-orientation"]["q1_tests"]["passed"]


def test_progress_widget_headless(tmp_path):
    from ketlearn.widgets.progress import ProgressView

    path = tmp_path / "p.json"
    view = ProgressView(path)
    assert "0 of 4 passed" in view.refresh()
    progress.record(selfcheck.evaluate("00-orientation", "q1_tests", {"n_estimates": 8}), path)
    assert "1 of 4 passed" in view.refresh()


def _home_file(home) -> object:
    return home / ".ketlearn" / "progress.json"


@pytest.mark.slow
def test_running_a_solution_headless_leaves_the_home_file_untouched(monkeypatch, tmp_path):
    """What the test suite, `make bench` and the site build do: no progress is recorded.

    The variable the suite sets is removed here, so the rule itself is tested: a notebook
    executed through nbclient (as every headless runner does) is not a learner at work.
    """
    import nbformat
    from conftest import SOURCE
    from nbclient import NotebookClient

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KETLEARN_PROGRESS_FILE", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    path = SOURCE / "00-orientation" / "00-orientation.ipynb"
    nb = nbformat.read(path, as_version=4)
    assert any("selfcheck.check(" in c.source for c in nb.cells)
    NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "✔" in outputs  # the self-checks ran and passed on the solution ...
    assert not _home_file(tmp_path).exists()  # ... and recorded nothing


@pytest.mark.slow
def test_a_cell_run_from_a_frontend_is_recorded(monkeypatch, tmp_path):
    """Control: the same call from a frontend (input allowed, as JupyterLab sends) records."""
    from jupyter_client.manager import KernelManager

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KETLEARN_PROGRESS_FILE", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(tmp_path))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        code = "from ketlearn import selfcheck\nn_estimates = 3\nselfcheck.check('00-orientation', 'q1_tests')"
        reply = kc.execute_interactive(
            code, allow_stdin=False, timeout=120, output_hook=lambda m: None
        )
        assert reply["content"]["status"] == "ok"
        assert not _home_file(tmp_path).exists()
        reply = kc.execute_interactive(
            code, allow_stdin=True, timeout=120, output_hook=lambda m: None
        )
        assert reply["content"]["status"] == "ok"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    saved = json.loads(_home_file(tmp_path).read_text(encoding="utf-8"))
    assert saved["assignments"]["00-orientation"]["q1_tests"]["attempts"] == 1


def test_plain_python_is_not_an_interactive_session():
    assert progress.interactive_session() is False


@pytest.mark.slow
def test_the_site_build_records_nothing_even_with_an_exported_path(monkeypatch, tmp_path):
    """The repository's tooling overrides a progress path the user exported for their notebooks.

    A learner who set ``KETLEARN_PROGRESS_FILE`` (an explicit path is written in any context)
    then runs ``make site``: the site build executes the notebooks' self-check cells, and
    neither that file nor ``~/.ketlearn`` may appear (``progress.recording_off``).
    """
    import build_site
    from conftest import RELEASE

    exported = tmp_path / "mine" / "progress.json"
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KETLEARN_PROGRESS_FILE", str(exported))
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    path = RELEASE / "00-orientation" / "00-orientation.ipynb"
    nb, _ = build_site.execute_student_notebook(path)
    ran = [c for c in nb.cells if "selfcheck.check(" in c.source and c.get("execution_count")]
    assert ran, "the self-check cells ran"
    assert not exported.exists() and not _home_file(tmp_path).exists()
    assert not list(tmp_path.rglob("*progress*")) and not (tmp_path / ".ketlearn").exists()
    assert os.environ["KETLEARN_PROGRESS_FILE"] == str(exported)  # restored afterwards


def test_recording_off_overrides_and_restores(monkeypatch, tmp_path):
    target = tmp_path / "p.json"
    monkeypatch.setenv("KETLEARN_PROGRESS_FILE", str(target))
    v = selfcheck.evaluate("00-orientation", "q1_tests", {"n_estimates": 8})
    with progress.recording_off():
        assert progress.progress_file() is None and progress.record(v) is None
    assert not target.exists()
    assert progress.record(v) == target  # an explicit path outside the tools is written
