"""House style is opt-in; figures carry their numbers; the orientation widget works headless."""

from __future__ import annotations

import matplotlib as mpl
import pandas as pd
import pytest

from ketlearn import data, plots
from ketlearn.widgets import orientation


def test_palette_is_okabe_ito_and_distinct():
    assert len(set(plots.PALETTE)) == 8
    assert plots.PALETTE[0].upper() == "#E69F00"


def test_house_style_is_scoped():
    before = dict(mpl.rcParams)
    with plots.house_style():
        assert mpl.rcParams["font.size"] == 12
    assert dict(mpl.rcParams) == before


def test_figure_with_table_renders_image_alt_text_and_table():
    fig, ax = plots.new_figure()
    ax.plot([0, 1], [0, 1])
    table = pd.DataFrame({"x": [0, 1], "y": [0, 1]})
    shown = plots.figure_with_table(fig, table, "Figure. A line.", alt="A rising straight line.")
    html = shown._repr_html_()
    assert 'alt="A rising straight line."' in html and "<table" in html
    assert html.count("data:image/png;base64,") == 1
    assert str(shown).splitlines()[0] == "Figure. A line."
    with pytest.raises(ValueError, match="caption"):
        plots.figure_with_table(fig, table, " ")
    with pytest.raises(ValueError, match="DataFrame"):
        plots.figure_with_table(fig, [1, 2], "caption")


def test_route_summary_matches_a_hand_count():
    df = data.load("bioavailability")
    text = orientation.route_summary(df, "intranasal")
    # 45 (Yanagihara 2003) and 17, 13, 11 (Pharmacotherapy 2022): median 15, 45 / 11 = 4.1.
    assert "4 estimates from 2 sources, 11 to 45% (median 15%)" in text and "4.1 times" in text
    assert "nothing to compare" in orientation.route_summary(df, "oral")
    with pytest.raises(ValueError, match="route must be one of"):
        orientation.route_summary(df, "intravenous")


def test_route_explorer_updates_headless():
    explorer = orientation.RouteExplorer(data.load("bioavailability"))
    assert explorer.last_summary.startswith("intranasal")
    explorer.route.value = "sublingual"
    assert explorer.last_summary.startswith("sublingual: 2 estimates")
    assert explorer.route.options == ("intranasal", "oral", "rectal", "sublingual")
