"""No dual-use reading: doses in mg/kg only, effect bands only on clinical IV/IM regimens.

Issue 13: a reader must not be able to read off an absolute amount for a non-medical route that
lands in an effect band. The explorer and the route comparison are driven headless over every
route and the whole dose range; their printed text and their figures are checked.
"""

from __future__ import annotations

import re

import matplotlib
import pytest

matplotlib.use("Agg")

from ketlearn import pk
from ketlearn.views.pk import CLINICAL_BAND_ROUTES, band_rows
from ketlearn.widgets.pk import (
    DOSE_RANGE_MG_PER_KG,
    PKExplorer,
    RouteComparison,
    explorer_data,
)

ABSOLUTE_MG = re.compile(r"\d(?:[\d,.]*)\s*mg\b(?!\s*/\s*kg)", re.I)
BAND_WORDS = ("dissociation", "anaesthesia", "analgesia", "antidepressant infusion")


def _band_labels(fig) -> list[str]:
    labels = []
    for ax in fig.axes:
        _handles, texts = ax.get_legend_handles_labels()
        labels += [t.lower() for t in texts]
    return [t for t in labels if any(w in t for w in BAND_WORDS)]


@pytest.mark.parametrize("route", pk.ROUTES)
@pytest.mark.parametrize("dose", [DOSE_RANGE_MG_PER_KG[0], 0.5, DOSE_RANGE_MG_PER_KG[1]])
def test_explorer_text_never_gives_an_absolute_dose(route, dose):
    text = explorer_data(route, dose, 70.0).text
    assert not ABSOLUTE_MG.search(text), text
    assert "not a dosing guide" in text


@pytest.mark.parametrize("route", pk.ROUTES)
def test_explorer_draws_bands_only_for_clinical_routes(route):
    app = PKExplorer()
    app.update(route=route, dose=0.5)
    labels = _band_labels(app.last_figure)
    if route in CLINICAL_BAND_ROUTES:
        assert len(labels) == 4, labels
        assert all("measured after" in t or "intravenous" in t for t in labels)
    else:
        assert labels == [], f"{route} plot shows effect bands: {labels}"


def test_route_comparison_shows_no_bands():
    app = RouteComparison()
    app.update(dose=DOSE_RANGE_MG_PER_KG[1])
    assert _band_labels(app.last_figure) == []
    assert not ABSOLUTE_MG.search(app.text(app.last))


def test_every_band_names_the_clinical_study_and_an_iv_regimen():
    rows = band_rows()
    for _, row in rows.iterrows():
        assert row["clinical_study"].startswith("intravenous"), row["band_id"]
        assert re.search(r"\(\d{4}\)", row["clinical_study"]), row["clinical_study"]
