"""Unit checks of the pieces that make `ketlearn grade` behave like nbgrader (fast, no kernels)."""

from __future__ import annotations

import base64
import os
from types import SimpleNamespace

import nbformat

from ketlearn.grading import checker, kernel, prepare, runner


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_timeout_resolved_like_nbgrader():
    from traitlets.config import Config

    assert runner.course_timeout(Config()) == 30.0  # nbgrader's Execute default
    c = Config()
    c.ExecutePreprocessor.timeout = 120
    assert runner.course_timeout(c) == 120.0
    c.Execute.timeout = 2
    assert runner.course_timeout(c) == 2.0
    c.Execute.timeout = None
    assert runner.course_timeout(c) == runner.NO_LIMIT_S


def test_submission_files_never_follow_links(tmp_path):
    secret = tmp_path / "gradebook.db"
    secret.write_text("answers")
    sub = tmp_path / "sub"
    (sub / "data").mkdir(parents=True)
    (sub / "data.txt").write_text("a\nb\n")
    (sub / "data" / "x.csv").write_text("1,2\n")
    (sub / "link.txt").symlink_to(secret)
    (sub / "linkdir").symlink_to(tmp_path)
    files, links = prepare._files(sub, tmp_path / "no-source")
    assert set(files) == {"data.txt", os.path.join("data", "x.csv")}
    assert set(links) == {"link.txt", "linkdir"}  # found, reported, never followed


def test_locked_cells_restored_before_running_with_a_fault():
    spec = prepare.NotebookSpec(
        "nb",
        {},
        {"ro1": "x = 1", "ro2": "Read me."},
        ["ro1", "ro2"],
        {"ro1": "code", "ro2": "markdown"},
    )
    nb = nbformat.v4.new_notebook()
    edited = nbformat.v4.new_code_cell("x = 2  # the answer placed in a locked cell")
    edited.metadata["nbgrader"] = {"grade_id": "ro1", "locked": False}
    kept = nbformat.v4.new_markdown_cell("Read me.")
    kept.metadata["nbgrader"] = {"grade_id": "ro2", "locked": True}
    nb.cells = [edited, kept]
    prep = prepare.Prepared("a", "s", "nb")
    prepare._restore_locked(nb, spec, prep)
    assert nb.cells[0].source == "x = 1"
    assert [f["kind"] for f in prep.faults] == ["edited locked cell"]


_USES = """orig = squares
del squares
try:
    sum_of_squares(1)
except NameError:
    pass
else:
    raise AssertionError("sum_of_squares does not use squares")
finally:
    squares = orig
"""


def test_deleted_names_are_hidden_from_the_calls_the_test_makes():
    seen = []

    def call(name, args, kwargs, hide=()):
        seen.append((name, tuple(hide)))
        if "squares" in hide:  # what the student's process does: the name is gone
            return {"error": {"ename": "NameError", "evalue": "name 'squares' is not defined"}}
        return {"value": 1}

    values = {"squares": {"$": "callable"}, "sum_of_squares": {"$": "callable"}}
    ok = checker.check_item("t", _USES, values, call)
    assert ok.passed, ok.message
    assert seen == [("sum_of_squares", ("squares",))]

    def reimplemented(name, args, kwargs, hide=()):
        return {"value": 1}  # does not need squares: no NameError

    bad = checker.check_item("t", _USES, values, reimplemented)
    assert not bad.passed and "does not use squares" in bad.message


def test_tests_open_data_files_but_cannot_import_submitted_code():
    folder = checker.submission_folder(
        {"data.txt": _b64("a\nb\nc\n"), "evilmod.py": _b64("raise SystemExit('imported')")}
    )
    source = (
        "with open('data.txt') as f:\n    assert len(f.read().split('\\n')) == 4\n"
        "import importlib.util\nassert importlib.util.find_spec('evilmod') is None\n"
    )
    outcome = checker.check_item("t", source, {}, None, workdir=folder)
    assert outcome.passed, outcome.message
    assert not checker.check_item("t", source, {}, None).passed  # elsewhere: no data.txt


def test_written_files_copied_without_following_links(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "p1.ipynb").write_text("{}")
    outside = tmp_path / "outside"
    outside.mkdir()
    (sub / "out").symlink_to(outside)
    written = {
        "side-effect.txt": _b64("a side effect"),
        "out/escape.txt": _b64("x"),
        "../escape.txt": _b64("x"),
        "p2.ipynb": _b64("{}"),
        "deep/er.txt": _b64("ok"),
    }
    merged = runner.with_written_files(sub, [{"written": written}], tmp_path / "scratch")
    assert (merged / "side-effect.txt").read_text() == "a side effect"
    assert (merged / "deep" / "er.txt").read_text() == "ok"
    assert (merged / "out").is_symlink() and not list(outside.iterdir())
    assert not (tmp_path / "escape.txt").exists() and not (merged / "p2.ipynb").exists()
    assert runner.with_written_files(sub, [{"written": {}}], tmp_path / "none") == sub


def test_kernel_reports_only_new_regular_files(tmp_path):
    given = {"data.txt": _b64("given")}
    workdir = kernel._make_workdir(given)
    try:
        with open(os.path.join(workdir, "new.txt"), "w") as fh:
            fh.write("new")
        secret = tmp_path / "secret.txt"
        secret.write_text("secret")
        os.symlink(secret, os.path.join(workdir, "link.txt"))
        found = kernel._written_files(workdir, given)
    finally:
        import shutil

        shutil.rmtree(workdir)
    assert found == {"new.txt": _b64("new")}


def test_stricter_outcome():
    visible = "assert x == 1"
    hidden = "assert x == 1\n### BEGIN HIDDEN TESTS\nassert y == 2\n### END HIDDEN TESTS\n"
    job = {
        "tests": [{"grade_id": "a", "source": visible}, {"grade_id": "b", "source": hidden}],
        "kernel_tests": {3: "a", 5: "b"},
    }
    err = [{"output_type": "error", "ename": "NameError", "evalue": "x", "traceback": []}]
    result = {
        "cells": {"3": err, "5": err},
        "items": {
            "a": {"passed": True, "message": "", "outputs": []},
            "b": {"passed": True, "message": "", "outputs": []},
        },
    }
    runner.stricter_outcome(SimpleNamespace(job=job), result)
    assert result["items"]["a"]["passed"] is False and result["items"]["a"]["outputs"] == err
    assert result["items"]["b"]["passed"] is True  # visible part alone is not decisive
