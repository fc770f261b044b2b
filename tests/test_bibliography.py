"""One bibliography for the course: every cited key resolves, every entry has a stable identifier."""

from __future__ import annotations

import re

import nbformat
import pytest
from conftest import ROOT, source_notebooks

from ketlearn import bibliography

ENTRIES = bibliography.entries()
KEYS = set(ENTRIES)
DOI = re.compile(r"^10\.\d{4,9}/\S+$")


def test_bibliography_parses_and_is_not_empty():
    assert len(KEYS) >= 5


@pytest.mark.parametrize("key", sorted(KEYS))
def test_every_entry_has_doi_pmid_or_url(key):
    fields = ENTRIES[key].fields
    assert fields.get("doi") or fields.get("pmid") or fields.get("url"), key
    if fields.get("doi"):
        assert DOI.match(fields["doi"]), f"{key}: {fields['doi']!r} does not look like a DOI"
    if fields.get("pmid"):
        assert fields["pmid"].isdigit(), f"{key}: PMID should be digits"
    if fields.get("url"):
        assert fields["url"].startswith("https://") or fields["url"].startswith("http://"), key
    assert fields.get("title"), f"{key} needs a title"
    if fields.get("year"):
        assert re.fullmatch(r"\d{4}|n\.d\.", fields["year"]), f"{key}: year: four digits or n.d."
    assert bibliography.cite(key)


def test_keys_are_unique_in_the_file():
    text = bibliography.BIB_PATH.read_text(encoding="utf-8")
    keys = re.findall(r"^@\w+\{([^,]+),", text, flags=re.M)
    duplicates = {k for k in keys if keys.count(k) > 1}
    assert not duplicates, f"duplicate bibliography keys: {sorted(duplicates)}"


@pytest.mark.parametrize("path", source_notebooks(), ids=lambda p: p.parent.name)
def test_every_key_cited_in_a_notebook_resolves(path):
    nb = nbformat.read(path, as_version=4)
    cited = set()
    for cell in nb.cells:
        cited.update(bibliography.find_keys(cell.source))
        cited.update(
            re.findall(r"reference_list\(\s*\[([^\]]*)\]", cell.source, re.S)
            and re.findall(
                r"[\"']([A-Za-z0-9_:\-]+)[\"']",
                " ".join(re.findall(r"reference_list\(\s*\[([^\]]*)\]", cell.source, re.S)),
            )
        )
    missing = sorted(cited - KEYS)
    assert not missing, f"{path.name} cites keys missing from references.bib: {missing}"


def test_every_key_cited_in_package_code_resolves():
    cited = set()
    for path in (ROOT / "src" / "ketlearn").rglob("*.py"):
        if path.name == "bibliography.py":  # documents the citation syntax with made-up keys
            continue
        cited.update(bibliography.find_keys(path.read_text(encoding="utf-8")))
    missing = sorted(cited - KEYS)
    assert not missing, f"package docstrings cite unknown keys: {missing}"


def test_unknown_key_is_a_clear_error():
    with pytest.raises(KeyError, match="rolan2014absolute"):
        bibliography.cite("rolan2014absolut")
    with pytest.raises(KeyError):
        bibliography.reference_list(["no-such-key"])


def test_find_keys_reads_pandoc_style_citations_only():
    text = "As shown [@a2001b; @c2002d, p. 3]. Write to someone@example.org. [see @e2003f]"
    assert bibliography.find_keys(text) == ["a2001b", "c2002d", "e2003f"]


def test_reference_list_renders_markdown_with_links():
    md = bibliography.reference_list(["rolan2014absolute"])._repr_markdown_()
    assert md.startswith("### References") and "<https://doi.org/10.1111/bcp.12264>" in md


PLACEHOLDER_AUTHOR = re.compile(r"authors? of|unknown|to be checked", re.I)
SEARCH_LINK = re.compile(r"[?&](term|q|query|search)=", re.I)


def _incomplete(key: str) -> list[str]:
    entry = ENTRIES[key]
    problems = []
    people = entry.persons.get("author", []) or entry.persons.get("editor", [])
    author_field = " ".join(str(p) for p in people)
    if not people:
        problems.append("no author")
    elif PLACEHOLDER_AUTHOR.search(author_field):
        problems.append(f"placeholder author {author_field!r}")
    if not entry.fields.get("title"):
        problems.append("no title")
    if not entry.fields.get("year"):
        problems.append("no year")
    return problems


def test_every_entry_has_real_authors_title_and_year():
    incomplete = {key: _incomplete(key) for key in KEYS if _incomplete(key)}
    assert not incomplete, f"check these entries against the primary record: {incomplete}"


@pytest.mark.parametrize("key", sorted(KEYS))
def test_no_entry_links_to_a_search_page(key):
    url = ENTRIES[key].fields.get("url", "")
    assert not SEARCH_LINK.search(url), f"{key}: {url!r} is a search link, not a record"
