"""The course glossary: enough terms in every strand, unambiguous look-ups, sources that resolve."""

from __future__ import annotations

import re
import urllib.parse

import mistune
import nbformat
import pytest
from conftest import RELEASE, SOURCE

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


# ------------------------------------------------------------------------------------------
# links from the notebooks (ketlearn.glossary.link_first_uses, run by nbgrader's generate step)
# ------------------------------------------------------------------------------------------
NBGRADER_ROLES = ("solution", "grade", "locked", "task")
RELEASED = sorted(p.parent.name for p in RELEASE.glob("*/*.ipynb") if p.stem == p.parent.name)
GLOSSARY_LINK = re.compile(r"\[([^\]\n]+)\]\(glossary\.md#([^)\s]+)\)")
#: Removed before reading a cell's prose: maths, citations and web addresses are not prose.
NOT_PROSE = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|\[@[^\]\n]*\]|https?://\S+", re.S)


def _role(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return any(meta.get(r) for r in NBGRADER_ROLES)


def _prose_cells(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "markdown" and not _role(c)]


def _events(source: str):
    """("text", raw) for prose and ("link", fragment) for glossary links, in reading order.

    An independent reading of the Markdown (mistune, nbconvert's parser): headings, tables,
    block quotes, code, HTML and the text of existing links are not prose.
    """
    parse = mistune.create_markdown(renderer=None, plugins=["table"])
    skip = {"heading", "table", "block_quote", "block_code", "codespan", "block_html"}
    skip |= {"inline_html", "image"}

    def walk(tokens):
        for token in tokens:
            kind = token["type"]
            if kind in skip:
                continue
            if kind == "link":
                url = token.get("attrs", {}).get("url", "")
                if url.startswith("glossary.md#"):
                    # mistune writes ' as %27; a browser leaves it (WHATWG fragment encode set)
                    yield ("link", urllib.parse.unquote(url.split("#", 1)[1]))
                continue
            if kind == "text":
                yield ("text", token["raw"])
            yield from walk(token.get("children", []))

    yield from walk(parse(NOT_PROSE.sub(" ", source)))


def _heading_ids(page: str) -> dict[str, str]:
    """JupyterLab's ids for the page's headings (text, spaces made hyphens) -> heading text."""
    headings = re.findall(r"^#{1,6} +(.+?) *$", page, flags=re.M)
    ids = [h.replace(" ", "-") for h in headings]
    assert len(set(ids)) == len(ids), "two headings on the glossary page share an id"
    return dict(zip(ids, headings, strict=True))


def _names() -> dict[str, list[re.Pattern]]:
    out = {}
    for _, row in ROWS.iterrows():
        names = [row["term"]] + [
            a.strip()
            for a in (row["aliases"] if isinstance(row["aliases"], str) else "").split(";")
            if len(a.strip()) >= 3
        ]
        out[row["term"]] = [
            re.compile(rf"(?<![\w-]){re.escape(n)}(?![\w-])", 0 if n.isupper() else re.I)
            for n in names
        ]
    return out


def test_link_first_uses_skips_code_maths_headings_links_citations_and_exercises():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "# Placebo heading\n\nA `placebo` in code, $placebo$ in maths, [placebo](x.md),\n"
            "```\nplacebo in a fence\n```\n| placebo | in a table |\n> placebo quoted\n"
            "See https://example.org/placebo and [@placebo2020].\n"
            "then the placebo in prose, and placebo again.\n"
            "The NNT and the number needed to treat."
        ),
        nbformat.v4.new_markdown_cell("### Exercise 1\n\nWhat is an odds ratio?"),
        nbformat.v4.new_code_cell("odds_ratio = ...  # an odds ratio"),
        nbformat.v4.new_markdown_cell("An odds ratio compares odds."),
    ]
    nb.cells[1].metadata["nbgrader"] = {"locked": True, "grade_id": "q1", "solution": False}
    linked = glossary.link_first_uses(nb)
    text = nb.cells[0].source
    assert text.count("[placebo](glossary.md#Placebo)") == 1  # first use in prose only
    assert "then the [placebo](glossary.md#Placebo) in prose, and placebo again" in text
    for kept in ("# Placebo heading", "`placebo` in code", "$placebo$", "[placebo](x.md)",
                 "placebo in a fence", "| placebo |", "> placebo quoted",
                 "https://example.org/placebo", "[@placebo2020]"):  # fmt: skip
        assert kept in text, kept
    assert "[NNT](glossary.md#Number-needed-to-treat)" in text  # an alias links the term once
    assert "the number needed to treat." in text
    assert nb.cells[1].source == "### Exercise 1\n\nWhat is an odds ratio?"  # a prompt: untouched
    assert nb.cells[2].source == "odds_ratio = ...  # an odds ratio"
    assert nb.cells[3].source == "An [odds ratio](glossary.md#Odds-ratio) compares odds."
    assert linked == ["Placebo", "Number needed to treat", "Odds ratio"]


def test_link_first_uses_takes_a_link_maker():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("Half-life and clearance.")]
    glossary.link_first_uses(nb, link=lambda text, term: f"<{text}|{glossary.anchor(term)}>")
    assert nb.cells[0].source == "<Half-life|half-life> and <clearance|clearance>."


def test_notebook_page_has_one_heading_per_term_that_links_can_reach():
    ids = _heading_ids(glossary.notebook_page())
    for term in ROWS["term"]:
        fragment = glossary.heading_id(term)
        assert ids.get(fragment) == term, term
        # the fragment survives URL parsing unchanged (WHATWG fragment percent-encode set)
        assert re.fullmatch(r"[A-Za-z0-9'\-]+", fragment), fragment
    assert "Source: Amit Anand" in glossary.notebook_page()  # sources are written out


def test_generate_step_links_prose_leaves_nbgrader_cells_and_ships_the_page():
    from ketlearn.grading.glossary_links import LinkGlossary

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("A placebo arm."),
        nbformat.v4.new_markdown_cell("Define a placebo."),
    ]
    nb.cells[1].metadata["nbgrader"] = {"task": True, "grade_id": "t1", "points": 1}
    nb, resources = LinkGlossary().preprocess(nb, {})
    assert nb.cells[0].source == "A [placebo](glossary.md#Placebo) arm."
    assert nb.cells[1].source == "Define a placebo."
    page = resources["outputs"][glossary.PAGE_NAME].decode("utf-8")
    assert page == glossary.notebook_page() + "\n"


def test_release_ships_the_current_glossary_page_beside_every_notebook():
    assert RELEASED
    for name in RELEASED:
        page = RELEASE / name / glossary.PAGE_NAME
        assert page.is_file(), f"course/release/{name}/ has no {glossary.PAGE_NAME}"
        assert page.read_text(encoding="utf-8") == glossary.notebook_page() + "\n", (
            f"course/release/{name}/{glossary.PAGE_NAME} is out of date: run `make release`"
        )


@pytest.mark.parametrize("name", RELEASED)
def test_release_links_each_glossary_term_at_its_first_use(name):
    """Read as a student gets it: every link reaches a heading of the page beside the notebook,
    no term is linked twice or after an earlier unlinked use, every term used is linked, and no
    exercise prompt or answer cell carries a link."""
    nb = nbformat.read(RELEASE / name / f"{name}.ipynb", as_version=4)
    ids = _heading_ids((RELEASE / name / glossary.PAGE_NAME).read_text(encoding="utf-8"))
    names = _names()
    used_before: set[str] = set()
    linked: list[str] = []
    for source in _prose_cells(nb):
        for event in _events(source):
            if event[0] == "text":
                used_before |= {t for t, ps in names.items() if any(p.search(event[1]) for p in ps)}
                continue
            fragment = event[1]
            assert fragment in ids, f"{name}: link to #{fragment}, not a heading of the page"
            term = ids[fragment]
            assert term not in linked, f"{name}: {term!r} linked twice"
            assert term not in used_before, f"{name}: {term!r} used before its link"
            linked.append(term)
    assert linked, f"{name}: no glossary link"
    unlinked = sorted(used_before - set(linked))
    assert not unlinked, f"{name}: glossary terms used in prose but never linked: {unlinked}"
    for cell in nb.cells:
        if _role(cell):
            assert "glossary.md#" not in cell.source, f"{name}: a link in an nbgrader cell"


@pytest.mark.parametrize("name", RELEASED)
def test_release_prose_is_the_source_prose_plus_links(name):
    source = nbformat.read(SOURCE / name / f"{name}.ipynb", as_version=4)
    release = nbformat.read(RELEASE / name / f"{name}.ipynb", as_version=4)
    unlinked = [GLOSSARY_LINK.sub(r"\1", text) for text in _prose_cells(release)]
    assert unlinked == _prose_cells(source), f"{name}: prose differs: run `make release`"
