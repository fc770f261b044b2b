"""Explanatory diagrams: each renders headless, carries alt text and a table of what it shows."""

from __future__ import annotations

import pytest

from ketlearn import pk
from ketlearn.views import diagrams

ALL = {
    "synapse": diagrams.synapse_diagram,
    "chain": diagrams.chain_diagram,
    "one_compartment": lambda: diagrams.compartment_diagram(1),
    "three_compartments": lambda: diagrams.compartment_diagram(3),
    "parallel": lambda: diagrams.trial_design_diagram("parallel"),
    "crossover": lambda: diagrams.trial_design_diagram("crossover"),
    "withdrawal": lambda: diagrams.trial_design_diagram("randomised_withdrawal"),
    "course_map": diagrams.course_map_diagram,
}


@pytest.mark.parametrize("name", sorted(ALL))
def test_diagram_renders_with_alt_text_and_table(name):
    d = ALL[name]()
    png = d.png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000
    assert len(d.alt.split()) >= 15, "alt text should describe the picture, not name it"
    assert len(d.table) >= 1 and not d.table.isna().all(axis=None)
    assert str(d).startswith(d.caption)  # the text form carries caption and table


def test_three_compartment_arrows_carry_the_preset_values():
    d = diagrams.compartment_diagram(3, preset="domino1984")
    preset = pk.get_preset("domino1984")
    for _, row in d.table.iterrows():
        assert row["value_per_min"] == getattr(preset, f"{row['arrow']}_per_min")


def test_bad_arguments_name_the_parameter():
    with pytest.raises(ValueError, match="n_compartments must be 1 or 3"):
        diagrams.compartment_diagram(2)
    with pytest.raises(ValueError, match="design must be one of"):
        diagrams.trial_design_diagram("factorial")
    with pytest.raises(ValueError, match="preset must have three-compartment"):
        diagrams.compartment_diagram(3, preset="herd2007")


def test_course_map_lists_every_assignment_and_only_existing_prerequisites():
    table = diagrams.course_map_diagram().table
    assert list(table["notebook"]) == [f"{i:02d}" for i in range(8)]
    numbers = set(table["notebook"])
    for deps in table["builds_on"]:
        assert {d.strip() for d in deps.split(",") if d.strip()} <= numbers


def test_dose_views_say_they_are_not_a_dosing_guide():
    assert "not a dosing guide" in diagrams.chain_diagram().caption.lower()
