"""``ketlearn report``: statistics against hand calculations and scipy, then a graded course.

The statistics of :mod:`ketlearn.analytics` are checked on small matrices worked by hand here
(Cronbach's α and KR-20 from their formulas, the upper–lower index by counting), against
``scipy.stats.pointbiserialr`` and with hypothesis properties. The report itself runs on a
scratch copy of the fixture course graded end to end by ``ketlearn grade``.
"""

from __future__ import annotations

import csv
import html
import importlib.util
import math
import shutil
import tempfile
from pathlib import Path

import nbformat
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from ketlearn import analytics

# ---------------------------------------------------------------- statistics, by hand and scipy

# 5 students x 4 items (points; maxima 1, 1, 2, 1)
M = [
    [1, 1, 2, 1],
    [1, 1, 1, 0],
    [1, 0, 1, 1],
    [0, 1, 0, 0],
    [0, 0, 0, 0],
]


def test_cronbach_alpha_matches_a_hand_calculation():
    # item variances (ddof=1): item1 mean .6, squares sum 3 -> (3 - 5*.36)/4 = 0.3
    # item2 the same 0.3; item3 mean .8, squares 6 -> (6 - 3.2)/4 = 0.7; item4 mean .4,
    # squares 2 -> (2 - .8)/4 = 0.3. Totals 5, 3, 3, 1, 0: mean 2.4, squares 44 ->
    # (44 - 28.8)/4 = 3.8. alpha = 4/3 * (1 - 1.6/3.8) = 0.771929...
    assert analytics.cronbach_alpha(M) == pytest.approx(4 / 3 * (1 - 1.6 / 3.8), abs=1e-12)


def test_kr20_matches_a_hand_calculation_and_equals_alpha_on_right_wrong_items():
    right = [[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]]
    # p = .75, .5, .25 -> sum pq = .1875 + .25 + .1875 = .625; totals 3,2,1,0 -> pop. var 1.25
    assert analytics.kr20(right) == pytest.approx(1.5 * (1 - 0.625 / 1.25), abs=1e-12)
    assert analytics.cronbach_alpha(right) == pytest.approx(analytics.kr20(right), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 1), min_size=4, max_size=4), min_size=3, max_size=12))
def test_kr20_is_alpha_for_every_right_wrong_matrix(rows):
    a, k = analytics.cronbach_alpha(rows), analytics.kr20(rows)
    assert (math.isnan(a) and math.isnan(k)) or a == pytest.approx(k, abs=1e-9)


def test_item_rest_r_is_scipys_point_biserial_and_difficulty_counts_full_marks():
    x = np.array(M, dtype=float)
    result = analytics.item_statistics(M, [1, 1, 2, 1], ["a", "b", "c", "d"])
    for j, item in enumerate(result):
        rest = x.sum(axis=1) - x[:, j]
        if j != 2:  # right/wrong items: point-biserial
            assert item.item_rest_r == pytest.approx(stats.pointbiserialr(x[:, j], rest)[0])
        else:
            assert item.item_rest_r == pytest.approx(stats.pearsonr(x[:, j], rest)[0])
    assert [i.difficulty for i in result] == [0.6, 0.6, 0.2, 0.4]  # full marks: 3, 3, 1, 2 of 5
    assert result[2].mean_points == pytest.approx(0.8)
    for j, item in enumerate(result):  # the 95 % interval is scipy's (Fisher's z)
        ci = stats.pearsonr(x[:, j], x.sum(axis=1) - x[:, j]).confidence_interval(0.95)
        assert item.r_ci95 == pytest.approx((ci.low, ci.high), abs=1e-6)
        assert bool(item.note) == (ci.low <= 0 <= ci.high)


def test_upper_lower_index_by_counting():
    # 10 students: groups of floor(.27 * 10) = 2. Top two by total got the item, bottom two
    # one of them -> 1.0 - 0.5.
    item = [1, 1, 0, 0, 1, 0, 1, 0, 0, 1]
    totals = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    assert analytics.upper_lower_index(item, totals) == pytest.approx(0.5)


def test_a_constant_item_and_bad_input_are_reported_not_hidden():
    (item,) = analytics.item_statistics([[1], [1], [1], [1]], [1])
    assert math.isnan(item.item_rest_r) and "scored the same" in item.note
    with pytest.raises(ValueError, match="max_points"):
        analytics.item_statistics([[1, 0]], [1])
    with pytest.raises(ValueError, match="2-D"):
        analytics.cronbach_alpha([1, 2, 3])
    with pytest.raises(ValueError, match="0 and 1"):
        analytics.kr20([[0, 2], [1, 1]])


def test_wrong_answers_are_grouped_by_tolerance_and_normalised_text():
    groups = analytics.group_answers(
        [0.20, 0.2001, 20.0, 19.99, 20.5, "Intranasal ", "intranasal.", "IV"], rel=0.001, top=10
    )
    assert ("intranasal", 2) in groups
    counts = dict(groups)
    assert counts["0.2 to 0.2001"] == 2 and counts["19.99 to 20"] == 2 and counts["20.5"] == 1
    assert analytics.group_answers([3.0, 3.0000000001, 3.1], abs_tol=1e-6)[0] == ("3", 2)


def test_attention_list_names_missing_falling_and_flagged_students():
    got = dict(
        analytics.attention_list(
            {"a": [90, 90, 90, 90], "b": [90, 85, 60, 65], "c": [None, 80, 80, 80], "d": [70] * 4},
            flags={"d": 3},
            assignments=["w1", "w2", "w3", "w4"],
        )
    )
    assert sorted(got) == ["b", "c", "d"]
    assert got["c"] == ["missing: w1"]
    assert got["b"][0].startswith("falling: 88% before, 62%")
    assert got["d"][0].startswith("flags: 3")


# ---------------------------------------------------------------- end to end on a graded course

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
_spec = importlib.util.spec_from_file_location("grading_attacks_r", FIXTURES / "attacks.py")
attacks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(attacks)

SUBMISSIONS = {
    "ada": {},
    "bo": {"num_answer": "answer_num = 3.0", "text_answer": 'route = "<script>x</script>"'},
    "cy": {"num_answer": "answer_num = 3.0000000001"},
    "dee": {"num_answer": "answer_num = 30.0", "text_answer": 'route = "=HYPERLINK(1)"'},
    "eve": {"num_answer": "answer_num = 10.0", "text_answer": 'route = " Oral "'},
    "fay": {"text_answer": 'route = "oral"'},
}


@pytest.fixture(scope="module")
def graded():
    from ketlearn.grading.cli import main
    from ketlearn.grading.gradebook import course_api

    root = Path(tempfile.mkdtemp(prefix="ketlearn-report-"))
    shutil.copytree(FIXTURES / "course", root, dirs_exist_ok=True)
    assert course_api(root).generate_assignment("mini", force=True, create=True)["success"]
    release = nbformat.read(root / "release" / "mini" / "mini.ipynb", as_version=4)
    for student, answers in SUBMISSIONS.items():
        folder = root / "submitted" / student / "mini"
        folder.mkdir(parents=True)
        nbformat.write(attacks.build(release, {"answers": answers}), folder / "mini.ipynb")
    assert main(["grade", "--course", str(root), "-j", "2", "--no-progress"]) == 0
    out = root / "report"
    assert main(["report", "mini", "--course", str(root), "--out", str(out)]) == 0
    yield root, out
    shutil.rmtree(root, ignore_errors=True)


def _gradebook_matrix(root: Path):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "ketlearn-fixture") as gb:
        subs = sorted(gb.assignment_submissions("mini"), key=lambda s: s.student.id)
        names = sorted(g.name for g in subs[0].notebooks[0].grades)
        rows = [[{g.name: g.score for g in s.notebooks[0].grades}[n] for n in names] for s in subs]
        maxima = {g.name: g.max_score for g in subs[0].notebooks[0].grades}
    return names, np.array(rows, dtype=float), [maxima[n] for n in names]


def _items(out: Path) -> dict:
    with open(out / "items.csv", newline="", encoding="utf-8") as fh:
        return {row["item"]: row for row in csv.DictReader(fh)}


def test_report_statistics_match_the_gradebook(graded):
    root, out = graded
    names, x, _ = _gradebook_matrix(root)
    items = _items(out)
    assert sorted(items) == names
    j = names.index("num_tests")
    # ada, eve and fay answered 10 -> full marks; bo, cy and dee did not
    assert x[:, j].tolist() == [2, 0, 0, 0, 2, 2]
    assert float(items["num_tests"]["difficulty (full marks)"]) == pytest.approx(3 / 6, abs=1e-4)
    rest = x.sum(axis=1) - x[:, j]
    r = stats.pointbiserialr(x[:, j] / 2, rest)[0]
    assert float(items["num_tests"]["item-rest r"]) == pytest.approx(r, abs=1e-4)
    page = (out / "index.html").read_text()
    alpha = analytics.cronbach_alpha(x)
    assert f"Cronbach's α = {alpha:.2f}" in page


def test_report_groups_wrong_answers_by_the_items_tolerance(graded):
    _, out = graded
    wrong = _items(out)["num_tests"]["common wrong answers"]
    # the test's tolerance is abs_tol=1e-9: 3.0 and 3.0000000001 (1e-10 apart) are one answer
    assert "answer_num = 3 (2)" in wrong and "answer_num = 30 (1)" in wrong
    text = _items(out)["text_tests"]["common wrong answers"]
    assert "route = oral (2)" in text  # " Oral " and "oral", normalised
    assert _items(out)["num_tests"]["hint hits"] == ""  # no item declares hints yet


def test_report_escapes_student_text_and_defuses_spreadsheet_formulas(graded):
    _, out = graded
    page = (out / "index.html").read_text()
    assert "<script>x</script>" not in page
    assert html.escape("<script>x</script>") in page
    raw = (out / "items.csv").read_text()
    assert "route = =hyperlink(1) (1)" in raw  # the cell starts with the name: inert
    from ketlearn.grading.report_html import _cell

    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and _cell("-3.5") == "-3.5"
    for row in csv.reader(raw.splitlines()):
        assert not any(cell.startswith(("=", "+", "@")) for cell in row)


def test_report_course_view_lists_students_and_trajectories(graded):
    _, out = graded
    with open(out / "students.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["student"] for r in rows] == sorted(SUBMISSIONS)
    ada = next(r for r in rows if r["student"] == "ada")
    assert float(ada["mini (%)"]) == pytest.approx(100.0)
    assert "<svg" in (out / "index.html").read_text()


class _Hints:
    def declares(self, assignment, grade_id):
        return grade_id == "num_tests"

    def match(self, assignment, grade_id, answers, student=None):
        return "divided instead of multiplied" if answers.get("answer_num") == 3.0 else None


def test_hint_source_fills_the_hint_column_only_for_items_that_declare_hints(graded):
    from ketlearn.grading.report import build_report

    root, _ = graded
    report = build_report(root, ["mini"], hints=_Hints())
    items = {it.grade_id: it for it in report.assignments[0].items}
    assert items["num_tests"].hints == {"divided instead of multiplied": 1}
    assert items["text_tests"].hints is None
