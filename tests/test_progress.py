"""Progress records: written only by self-checks, read back per assignment."""

from __future__ import annotations

import json
import subprocess
import sys

from ketlearn import progress, selfcheck


def test_importing_ketlearn_writes_nothing(tmp_path):
    target = tmp_path / "p.json"
    code = (
        "import ketlearn, ketlearn.progress, ketlearn.selfcheck\n"
        "ketlearn.progress.summary(); ketlearn.progress.show()\n"
    )
    env = {"KETLEARN_PROGRESS_FILE": str(target), "HOME": str(tmp_path), "PATH": ""}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    assert list(tmp_path.iterdir()) == []


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
