"""Per-student variants (issue 19): who the learner is, the draw, the declarations, the notebooks.

The grading side is tested through the real pipelines in tests/test_selfcheck_verdicts.py
(every variant against the self-check and the test cell; three students through
``nbgrader autograde`` and ``ketlearn grade``).
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from pathlib import Path

import nbformat
import pytest
from conftest import SOURCE
from hypothesis import given, settings
from hypothesis import strategies as st

from ketlearn import bibliography, data, progress, variant
from ketlearn.grading.cli import main as cli

ITEMS = [(a, g) for a, gids in variant.items().items() for g in gids]
IDS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,20}", fullmatch=True)


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for var in ("KETLEARN_STUDENT_ID", "JUPYTERHUB_USER", "NBGRADER_EXECUTION"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("KETLEARN_PROGRESS_FILE", str(tmp_path / "progress.json"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_assignment_01_to_07_has_a_variant_item():
    have = set(variant.items())
    want = {
        p.name
        for p in SOURCE.iterdir()
        if p.is_dir() and p.name[:2] in {f"0{i}" for i in range(1, 8)}
    }
    assert want <= have, f"no variant item yet in {sorted(want - have)}"


def test_learner_id_precedence(clean_env, monkeypatch):
    # Headless, nothing stored: the example learner, and nothing is written.
    assert variant.learner_id() == variant.EXAMPLE_LEARNER
    assert not (clean_env / "progress.json").exists()
    # An id stored in the progress file (a laptop course's set_learner_id) ...
    variant.set_learner_id("s-stored")
    assert variant.learner_id() == "s-stored"
    # ... is overridden by the hub user name, then by KETLEARN_STUDENT_ID ...
    monkeypatch.setenv("JUPYTERHUB_USER", "hubuser")
    assert variant.learner_id() == "hubuser"
    monkeypatch.setenv("KETLEARN_STUDENT_ID", "graded-id")
    assert variant.learner_id() == "graded-id"
    # ... then by nbgrader autograde's student folder ...
    folder = clean_env / "autograded" / "folder-student" / "01-history"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert variant.learner_id() == "folder-student"
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")  # Validate is not autograde
    assert variant.learner_id() == "graded-id"
    monkeypatch.delenv("KETLEARN_STUDENT_ID")
    monkeypatch.delenv("JUPYTERHUB_USER")
    assert variant.learner_id() == "s-stored"  # Validate on a laptop: the learner's own values
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    monkeypatch.chdir(clean_env)  # autograding outside a student folder: not the grader's own id
    assert variant.learner_id() == variant.EXAMPLE_LEARNER
    monkeypatch.setenv("KETLEARN_STUDENT_ID", "graded-id")
    # ... and as_learner (the trusted grading side) wins over everything.
    with variant.as_learner("trusted"):
        assert variant.learner_id() == "trusted"
    assert variant.learner_id() == "graded-id"


def test_a_random_id_is_created_once_in_an_interactive_session_and_survives_reset(
    clean_env, monkeypatch
):
    monkeypatch.setattr(progress, "interactive_session", lambda: True)
    first = variant.learner_id()
    assert first.startswith("learner-") and first != variant.EXAMPLE_LEARNER
    assert variant.learner_id() == first  # stored, not drawn again
    progress.reset()
    assert variant.learner_id() == first  # forgetting progress keeps the variants


def test_recording_off_means_no_stored_id(clean_env, monkeypatch):
    monkeypatch.setattr(progress, "interactive_session", lambda: True)
    monkeypatch.setenv("KETLEARN_PROGRESS_FILE", "off")
    assert variant.learner_id() == variant.EXAMPLE_LEARNER


def test_as_learner_is_per_thread():
    """ketlearn grade checks several submissions at once in threads of one process."""
    seen = {}
    barrier = threading.Barrier(2)

    def work(who):
        with variant.as_learner(who):
            barrier.wait()
            seen[who] = variant.learner_id()

    threads = [threading.Thread(target=work, args=(w,)) for w in ("t-one", "t-two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"t-one": "t-one", "t-two": "t-two"}


@pytest.mark.parametrize("bad", ["", " ", "a b", "../x", "x" * 65, "-leading", 7])
def test_bad_ids_are_refused_with_the_rule(bad):
    with pytest.raises(ValueError, match="learner must be 1-64 characters"):
        with variant.as_learner(bad):
            pass


def test_unknown_items_are_refused_naming_the_valid_ones():
    with pytest.raises(ValueError, match="one of"):
        variant.params("01-history", "q99_tests", "ada")
    with pytest.raises(ValueError, match=r"k \(variant index\)"):
        variant.force_index(-1)


@settings(max_examples=200, deadline=None)
@given(who=IDS)
def test_the_draw_is_deterministic_and_in_range(who):
    for assignment, gid in ITEMS:
        k = variant.index(assignment, gid, who)
        assert 0 <= k < variant.count(assignment, gid)
        assert variant.index(assignment, gid, who) == k
        assert variant.params(assignment, gid, who) == variant.params(assignment, gid, who)


@pytest.mark.parametrize(("assignment", "gid"), ITEMS)
def test_the_draw_spreads_students_over_all_variants(assignment, gid):
    """600 student ids: every variant is used, none by more than twice its fair share."""
    n = variant.count(assignment, gid)
    counts = Counter(variant.index(assignment, gid, f"student{i:04d}") for i in range(600))
    assert set(counts) == set(range(n))
    assert max(counts.values()) < 2 * 600 / n


@pytest.mark.parametrize(("assignment", "gid"), ITEMS)
def test_two_students_get_different_values(assignment, gid):
    values = {
        json.dumps(variant.params(assignment, gid, f"s{i}"), sort_keys=True) for i in range(50)
    }
    assert len(values) == variant.count(assignment, gid)


def test_force_index_restores_the_draw():
    a, g = ITEMS[0]
    normal = variant.index(a, g, "ada")
    with variant.force_index((normal + 1) % variant.count(a, g)):
        assert variant.index(a, g, "ada") != normal
    assert variant.index(a, g, "ada") == normal


def test_params_are_copies():
    a, g = ITEMS[0]
    mine = variant.params(a, g, "ada")
    mine.clear()
    assert variant.params(a, g, "ada")


def _declared(assignment: str) -> dict:
    path = Path(variant.__file__).parent / "_variant_data" / f"{assignment}.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("assignment", "gid"), ITEMS)
def test_declarations_are_sourced_and_distinct(assignment, gid):
    spec = _declared(assignment)[gid]
    assert {"title", "varies", "options"} <= set(spec)
    options = spec["options"]
    assert 4 <= len(options) <= 8, "4 to 8 parameter sets"
    assert len({json.dumps(o, sort_keys=True) for o in options}) == len(options)
    for key in spec.get("sources", []):
        assert key in bibliography.keys(), f"{key} is not in references.bib"
    # Text values name something real: a value of the declared dataset ("dataset": a name, or
    # {parameter: dataset name}), or a key of a named table in the package ("named").
    named = {k: _resolve(path) for k, path in spec.get("named", {}).items()}
    per_key = spec.get("dataset") if isinstance(spec.get("dataset"), dict) else {}
    whole = spec.get("dataset") if isinstance(spec.get("dataset"), str) else None
    for option in options:
        for key, value in option.items():
            for v in value if isinstance(value, list) else [value]:
                if not isinstance(v, str):
                    continue
                if key in named:
                    assert v in named[key], f"{v!r} is not a key of {spec['named'][key]}"
                    continue
                where = per_key.get(key, whole)
                assert where, f"{key}={v!r}: declare the dataset (or named table) it comes from"
                assert v in _cells(where), f"{v!r} is not a value of dataset {where}"
    if not whole and not per_key:
        assert spec.get("sources"), "values not read from a dataset need a bibliography source"


def _cells(name: str) -> set[str]:
    table = data.load(name)
    return {str(v) for col in table.columns for v in table[col].dropna().tolist()}


def _resolve(path: str):
    import importlib

    module, _, attr = path.rpartition(".")
    return getattr(importlib.import_module(module), attr)


@pytest.mark.parametrize(("assignment", "gid"), ITEMS)
def test_notebook_shows_the_values_and_the_hidden_test_draws_them(assignment, gid):
    nb = nbformat.read(SOURCE / assignment / f"{assignment}.ipynb", as_version=4)
    call = f'variant.show("{assignment}", "{gid}")'
    shows = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and call in c.source]
    test = next(
        i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == gid
    )
    assert shows and shows[0] < test, f"a cell above the item should call {call}"
    assert not nb.cells[shows[0]].metadata.get("nbgrader"), "the variant cell is a normal cell"
    hidden = nb.cells[test].source.split("### BEGIN HIDDEN TESTS", 1)
    assert len(hidden) == 2, "the test cell has hidden tests"
    assert f'variant.params("{assignment}", "{gid}")' in hidden[1]


def test_preview_and_cli_agree(capsys):
    a, g = ITEMS[0]
    table = variant.preview("student001", a)
    row = table[table["item"] == g].iloc[0]
    assert row["params"] == variant.params(a, g, "student001")
    assert row["variant"] == variant.index(a, g, "student001") + 1
    assert cli(["variants", "--student", "student001", a]) == 0
    out = capsys.readouterr().out
    assert f"{a} {g}: variant {row['variant']} of {row['of']}" in out
    assert cli(["variants", "--student", "no spaces allowed"]) == 2


def test_show_prints_the_learner_and_the_values(capsys):
    a, g = ITEMS[0]
    with variant.as_learner("student001"):
        mine = variant.show(a, g)
    out = capsys.readouterr().out
    assert "'student001'" in out and mine == variant.params(a, g, "student001")
    for value in mine.values():
        assert repr(value) in out


def test_item_analysis_groups_wrong_answers_per_variant():
    """`ketlearn report`: one student's wrong value may be another's right one, so the common
    wrong answers of a variant item are counted per variant."""
    from ketlearn.grading import report

    a, g = ITEMS[0]
    students = [f"student{i:03d}" for i in range(40)]
    markers = {
        s: {"items": {a: {g: {"passed": False, "answers": {"answer": 1.5}}}}} for s in students
    }
    wrong, _ = report._wrong(a, a, g, markers, {}, None, top=50)
    per_variant = Counter(variant.index(a, g, s) + 1 for s in students)
    assert sorted((label, count) for label, _, count in wrong) == sorted(
        (f"answer (variant {k})", n) for k, n in per_variant.items()
    )
