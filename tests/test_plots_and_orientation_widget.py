"""House style is opt-in; figures carry their numbers; the orientation widget works headless."""

from __future__ import annotations

import matplotlib as mpl
import pandas as pd
import pytest

from ketlearn import data, plots
from ketlearn.widgets import orientation

# Okabe & Ito (2008), "Color Universal Design" [@okabe2008colour]: the eight colours of the CUD
# palette as published there in RGB 0-255, in the order the module documents.
OKABE_ITO_RGB = {
    "orange": (230, 159, 0),
    "sky blue": (86, 180, 233),
    "bluish green": (0, 158, 115),
    "yellow": (240, 228, 66),
    "blue": (0, 114, 178),
    "vermillion": (213, 94, 0),
    "reddish purple": (204, 121, 167),
    "black": (0, 0, 0),
}


def test_palette_is_okabe_ito_and_distinct():
    from matplotlib.colors import to_rgb

    assert len(plots.PALETTE) == len(set(plots.PALETTE)) == 8
    for (name, rgb), colour in zip(OKABE_ITO_RGB.items(), plots.PALETTE, strict=True):
        got = tuple(round(255 * c) for c in to_rgb(colour))
        assert got == rgb, f"{name}: {colour} is {got}, Okabe & Ito publish {rgb}"


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
