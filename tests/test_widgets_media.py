"""Headless tests for ketlearn.widgets.media (highlighter and rubric form)."""

from __future__ import annotations

import pytest

from ketlearn import media
from ketlearn.widgets import media as wm


def test_highlight_html_marks_every_flag_and_escapes_markup():
    text = "<b>Miracle</b> cure! Book now."
    h = wm.highlight(text)
    out = h._repr_html_()
    assert out.count("<mark") == len(wm._segments(text, h.flags))
    assert "&lt;b&gt;" in out and "<b>Miracle" not in out
    for code in ("[H]", "[P]", "[C]"):
        assert code in out
    assert "Codes:" in out  # legend
    assert "<table" in out  # same flags as a table


def test_plain_text_table_lists_the_same_flags():
    text = "It rewires the brain. 92% of clients improved."
    h = wm.highlight(text)
    lines = str(h).splitlines()
    assert lines[0].split() == ["sentence", "code", "category", "matched"]
    assert len(lines) == 1 + len(h.flags)
    assert "mechanism_proof" in lines[1] and "unsourced_number" in lines[2]


def test_highlight_without_flags_and_bad_input():
    h = wm.highlight("The study had 40 participants and a placebo group.")
    assert h.flags.empty
    assert "No red-flag wording" in str(h)
    assert "<mark" not in h._repr_html_()
    with pytest.raises(ValueError, match="text must be a str"):
        wm.highlight(None)


def test_overlapping_flags_merge_into_one_mark():
    flags = media.flag_text("FDA-approved breakthrough ketamine therapy at home.")
    segs = wm._segments("x", flags)
    assert all(a < b for a, b, _ in segs)
    assert all(segs[i][1] <= segs[i + 1][0] for i in range(len(segs) - 1))


def test_flag_highlighter_render_headless():
    app = wm.FlagHighlighter("Ketamine is 100% safe.")
    result = app.render()
    assert list(result.flags["category"]) == ["absolute_safety"]
    assert app.render("Nothing here.").flags.empty


def test_rubric_form_update_and_summary():
    form = wm.RubricForm()
    ids = list(form.selectors)
    assert len(ids) == len(media.load_rubric())
    scores = dict.fromkeys(ids, 0)
    scores.update({"R01": 2, "R07": 2, "R03": 1, "R12": None})
    summary = form.update(scores)
    assert summary.startswith("Total 5 of 26 (19%) over 13 criteria")
    assert "R01 Hype vocabulary" in summary and "R07 Regulatory status" in summary
    assert form.scores["R12"] is None
    form.selectors["R01"].value = 0  # the widget path recomputes the summary
    assert form.summary().startswith("Total 3 of 26")


def test_rubric_form_rejects_bad_scores_without_changing_state():
    form = wm.RubricForm()
    before = form.scores
    with pytest.raises(ValueError, match="whole number in"):
        form.update({**before, "R02": 5})
    assert form.scores == before
