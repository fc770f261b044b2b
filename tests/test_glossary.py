"""The course glossary: enough terms in every strand, unambiguous look-ups, sources that resolve."""

from __future__ import annotations

import re

import pytest

from ketlearn import bibliography, data, glossary

ROWS = data.load("glossary")


def test_glossary_covers_the_three_strands():
    assert len(ROWS) >= 60
    counts = ROWS["strand"].astype(str).value_counts()
    for strand in ("pharmacology", "statistics", "media"):
        assert counts.get(strand, 0) >= 15, f"only {counts.get(strand, 0)} {strand} terms"


def test_every_name_and_alias_points_to_exactly_one_term():
    seen: dict[str, str] = {}
    for _, row in ROWS.iterrows():
        names = [row["term"]] + [
            a for a in (row["aliases"] if isinstance(row["aliases"], str) else "").split(";") if a
        ]
        for name in names:
            key = re.sub(r"[\s\-–_']+", " ", name).strip().casefold()
            assert seen.get(key, row["term"]) == row["term"], (
                f"{name!r} is used by both {seen[key]!r} and {row['term']!r}"
            )
            seen[key] = row["term"]
            assert glossary.lookup(name)["term"] == row["term"]


def test_anchors_are_unique_and_url_safe():
    anchors = [glossary.anchor(t) for t in ROWS["term"]]
    assert len(set(anchors)) == len(anchors)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", a) for a in anchors)


def test_sources_resolve_and_match_the_metadata():
    keys = {k for k in ROWS["source_key"].dropna()}
    missing = keys - set(bibliography.entries())
    assert not missing, f"glossary cites unknown keys: {sorted(missing)}"
    assert set(data.describe("glossary").citation_keys) == keys


def test_unknown_terms_fail_loudly_with_suggestions():
    with pytest.raises(ValueError, match="did you mean"):
        glossary.define("half life time")  # close to "half life"
    with pytest.raises(ValueError, match="strand must be one of"):
        glossary.terms("chemistry")


def test_definitions_are_written_out_and_do_not_define_a_term_by_itself():
    for _, row in ROWS.iterrows():
        definition = row["definition"]
        assert len(definition.split()) >= 6, row["term"]
        assert definition.rstrip().endswith((".", ")")), row["term"]
        assert not definition.casefold().startswith(row["term"].casefold() + " is"), row["term"]


def test_site_page_lists_every_term_once():
    page = glossary.markdown_page()
    for term in ROWS["term"]:
        assert page.count(f"\n**{term}**") == 1, term
        assert f"(glossary-{glossary.anchor(term)})=" in page
