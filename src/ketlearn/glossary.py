"""The course glossary: look up a term, list terms by strand, render the site's glossary page.

Design notes
------------
- One source of truth: the definitions live in the ``glossary`` dataset
  (``datasets/glossary.csv``, described in ``datapackage.json``). This module only reads it;
  the site's glossary page is rendered from the same rows by :func:`markdown_page`, so a
  definition is never written twice.
- Look-ups are forgiving about case, spacing, hyphens and the aliases listed with each term
  (``define("nnt")`` finds "Number needed to treat"); an unknown term raises ``ValueError``
  naming close matches, so a typo in a notebook fails loudly.
- Anchors (:func:`anchor`) are stable slugs of the term; on the site page each entry's target is
  ``glossary-<anchor>`` (prefixed so it cannot collide with another page's label).
- Links from the notebooks are made in one place, :func:`link_first_uses`, run on every student
  notebook when nbgrader generates it (:class:`ketlearn.grading.glossary_links.LinkGlossary`):
  the first use of each term in a notebook's prose becomes a relative Markdown link to the
  glossary page shipped beside the notebook (``glossary.md``, from :func:`notebook_page`), to the
  term's heading. JupyterLab opens a relative ``.md`` link in its Markdown preview and scrolls to
  the heading whose text, spaces turned into hyphens, matches the fragment
  (:func:`heading_id`), so the links work on a hub, a laptop, Binder and offline. The website
  turns the same links into references to its own glossary page.

Examples
--------
>>> from ketlearn import glossary
>>> glossary.define("NNT").startswith("The number of people")
True
>>> glossary.anchor("Number needed to treat")
'number-needed-to-treat'
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

import pandas as pd

from . import data

__all__ = [
    "PAGE_NAME",
    "anchor",
    "define",
    "heading_id",
    "link_first_uses",
    "lookup",
    "markdown_page",
    "notebook_page",
    "terms",
]

#: The glossary page shipped beside every student notebook; notebook links point to it.
PAGE_NAME = "glossary.md"

_STRANDS = ("pharmacology", "statistics", "media")
_STRAND_TITLES = {
    "pharmacology": "Pharmacology and neuroscience",
    "statistics": "Trials and statistics",
    "media": "Media literacy",
}


def _norm(text: str) -> str:
    return re.sub(r"[\s\-–_']+", " ", str(text)).strip().casefold()


@lru_cache(maxsize=1)
def _table() -> pd.DataFrame:
    return data.load("glossary")


@lru_cache(maxsize=1)
def _index() -> dict[str, int]:
    index: dict[str, int] = {}
    for i, row in _table().iterrows():
        names = [row["term"]]
        if isinstance(row["aliases"], str):
            names += [a for a in row["aliases"].split(";") if a.strip()]
        for name in names:
            index.setdefault(_norm(name), i)
    return index


def terms(strand: str | None = None) -> pd.DataFrame:
    """All glossary rows, optionally for one strand, sorted by term.

    Parameters
    ----------
    strand : {"pharmacology", "statistics", "media"}, optional
        Keep only this strand.

    Returns
    -------
    pandas.DataFrame
        Columns ``term``, ``aliases``, ``strand``, ``notebook``, ``definition``, ``source_key``.

    Examples
    --------
    >>> len(terms()) >= 60
    True
    >>> set(terms("media")["strand"]) == {"media"}
    True
    """
    table = _table()
    if strand is not None:
        if strand not in _STRANDS:
            raise ValueError(f"strand must be one of {', '.join(_STRANDS)}; got {strand!r}")
        table = table[table["strand"].astype(str) == strand]
    return table.sort_values("term", key=lambda s: s.str.casefold()).reset_index(drop=True)


def lookup(term: str) -> pd.Series:
    """The glossary row for a term or one of its aliases (case and hyphens ignored).

    Raises
    ------
    ValueError
        If the term is not in the glossary; the message lists close matches.

    Examples
    --------
    >>> lookup("Ki")["term"]
    'Inhibition constant'
    """
    key = _norm(term)
    index = _index()
    if key not in index:
        close = difflib.get_close_matches(key, list(index), n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(f"term {term!r} is not in the course glossary{hint}")
    return _table().loc[index[key]]


def define(term: str) -> str:
    """The definition of a term or alias, as one sentence or two of plain text.

    Examples
    --------
    >>> "NMDA" in define("magnesium block")
    True
    """
    return str(lookup(term)["definition"])


def anchor(term: str) -> str:
    """A stable URL fragment for a term on the site's glossary page.

    Examples
    --------
    >>> anchor("Mg²⁺ block")
    'magnesium-block'
    """
    name = lookup(term)["term"]
    slug = re.sub(r"[^a-z0-9]+", "-", _norm(name).replace("'", ""))
    return slug.strip("-")


def _by_strand() -> list[tuple[str, list[dict]]]:
    """The glossary's entries grouped under their strand's title, as the pages list them.

    Each entry holds ``term``, ``definition``, ``aliases`` (a list), ``source`` (a bibliography
    key or "") and ``notebook``: the one reading of the table both pages are written from.
    """
    out = []
    for strand in _STRANDS:
        entries = []
        for _, row in terms(strand).iterrows():
            aliases = row["aliases"] if isinstance(row["aliases"], str) else ""
            source = row["source_key"] if isinstance(row["source_key"], str) else ""
            entries.append(
                {
                    "term": str(row["term"]),
                    "definition": str(row["definition"]),
                    "aliases": [a.strip() for a in aliases.split(";") if a.strip()],
                    "source": source,
                    "notebook": row["notebook"],
                }
            )
        out.append((_STRAND_TITLES[strand], entries))
    return out


def markdown_page(cite: bool = True) -> str:
    """The glossary as a Markdown page (one section per strand), for the course website.

    Parameters
    ----------
    cite : bool, default True
        Append a citation (the row's source key in brackets) where a definition rests on a source.

    Examples
    --------
    >>> page = markdown_page()
    >>> page.startswith("# Glossary")
    True
    >>> "(glossary-number-needed-to-treat)=" in page
    True
    """
    lines = [
        "# Glossary",
        "",
        "Short definitions of the terms used in the course, grouped by strand. Each entry names",
        'the notebook that teaches it. In a notebook, `ketlearn.glossary.define("term")` prints the',
        "same definition.",
        "",
    ]
    for heading, entries in _by_strand():
        lines += [f"## {heading}", ""]
        for e in entries:
            also = f" (also: {', '.join(e['aliases'])})" if e["aliases"] else ""
            citation = f" [@{e['source']}]" if cite and e["source"] else ""
            lines += [
                f"(glossary-{anchor(e['term'])})=",
                f"**{e['term']}**{also}: {e['definition']}{citation} "
                f"*Taught in notebook {e['notebook']}.*",
                "",
            ]
    return "\n".join(lines)


def heading_id(term: str) -> str:
    """The fragment that finds a term's heading on :data:`PAGE_NAME` in JupyterLab.

    JupyterLab names a rendered heading by its text with spaces turned into hyphens (case kept),
    and a link's ``#fragment`` scrolls to that heading. Terms are plain ASCII, so the fragment
    needs no percent-encoding.

    Examples
    --------
    >>> heading_id("nnt")
    'Number-needed-to-treat'
    """
    return str(lookup(term)["term"]).replace(" ", "-")


def notebook_page() -> str:
    """The glossary as a Markdown file for JupyterLab (:data:`PAGE_NAME`): one heading per term.

    Unlike :func:`markdown_page` (the website's page, with MyST labels and citation roles), this
    uses plain Markdown only, so it reads the same in JupyterLab's Markdown preview, in a text
    editor and on a git host, and works offline. Sources are written out in full.

    Examples
    --------
    >>> page = notebook_page()
    >>> "### Number needed to treat" in page.splitlines()
    True
    """
    from . import bibliography

    lines = [
        "# Glossary",
        "",
        "Short definitions of the terms used in the course, grouped by strand. Links in the",
        "notebooks lead here; each entry names the notebook that teaches the term. In a notebook,",
        '`ketlearn.glossary.define("term")` prints the same definition.',
        "",
        "JupyterLab opens the links as a formatted preview; to open this file yourself that way,",
        "right-click it in the file browser and choose *Open With > Markdown Preview*. It is",
        "generated from the course glossary (`datasets/glossary.csv`) with the student notebooks.",
        "",
    ]
    for heading, entries in _by_strand():
        lines += [f"## {heading}", ""]
        for e in entries:
            lines += [f"### {e['term']}", "", e["definition"], ""]
            notes = [f"Also: {', '.join(e['aliases'])}."] if e["aliases"] else []
            notes.append(f"Taught in notebook {e['notebook']}.")
            note = "*" + " ".join(notes) + "*"
            if e["source"]:
                note += " Source: " + bibliography.cite(e["source"])
            lines += [note, ""]
    return "\n".join(lines)


#: Spans where a glossary link must not go: code, maths, links and images, citations, MyST
#: roles, HTML tags and bare web addresses.
_PROTECTED = re.compile(
    r"(```.*?```|`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]+\$|!?\[[^\]\n]*\]\([^)\n]*\)|\[@[^\]\n]*\]"
    r"|\{[\w:]+\}`[^`]*`|<[^>\n]+>|https?://[^\s)>\]]+)",
    flags=re.S,
)

#: nbgrader cell roles that keep a cell free of links: exercise prompts (locked, task),
#: answer cells (solution) and graded cells; their text is the assessment, left as written.
_NBGRADER_ROLES = ("solution", "grade", "locked", "task")


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[str, re.Pattern], ...]:
    """(term, pattern) for every term and alias of 3+ characters, longest name first."""
    found = []
    for _, row in terms().iterrows():
        names = [row["term"]]
        if isinstance(row["aliases"], str):
            names += [a.strip() for a in row["aliases"].split(";") if len(a.strip()) >= 3]
        for name in names:
            flags = 0 if name.isupper() else re.IGNORECASE  # abbreviations match in capitals only
            pattern = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])", flags)
            found.append((str(row["term"]), pattern))
    return tuple(sorted(found, key=lambda item: -len(item[1].pattern)))


def _jupyter_link(text: str, term: str) -> str:
    return f"[{text}]({PAGE_NAME}#{heading_id(term)})"


def link_first_uses(nb, link=None) -> list[str]:
    """Link the first use of each glossary term in a notebook's prose; return the terms linked.

    Only Markdown cells are touched, and in them only prose: headings, tables, block quotes,
    fenced code, maths, existing links, citations, roles, HTML and web addresses are left alone,
    and so are cells with an nbgrader role (exercise prompts, answer and graded cells), so a link
    never changes what is assessed. Each term (or one of its aliases) is linked once per notebook,
    at its first use in reading order; on a tie the longer name wins.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        Changed in place.
    link : callable, optional
        ``link(text, term) -> str``: the Markdown that replaces the matched ``text`` for the
        glossary ``term``. Default: a relative link to the term's heading on :data:`PAGE_NAME`
        (``[NNT](glossary.md#Number-needed-to-treat)``).

    Returns
    -------
    list of str
        The glossary terms linked, in the order of their first use.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_markdown_cell("The NNT, then the NNT again.")]
    >>> link_first_uses(nb)
    ['Number needed to treat']
    >>> nb.cells[0].source
    'The [NNT](glossary.md#Number-needed-to-treat), then the NNT again.'
    """
    link = link or _jupyter_link
    patterns = _patterns()
    done: list[str] = []
    for cell in nb.cells:
        roles = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "markdown" or any(roles.get(r) for r in _NBGRADER_ROLES):
            continue
        lines = cell.source.split("\n")
        in_block = False  # inside a fenced code block or a $$ maths block
        for i, line in enumerate(lines):
            stripped = line.strip()
            if stripped.startswith(("```", "~~~")) or stripped == "$$":
                in_block = not in_block
                continue
            if in_block or stripped.startswith(("#", "|", ">", "$$")) or not stripped:
                continue
            pieces = _PROTECTED.split(line)  # even indices: prose; odd: protected spans
            j = 0
            while j < len(pieces):
                hits = [
                    (m.start(), -len(m.group(0)), term, m)
                    for term, pattern in patterns
                    if term not in done and (m := pattern.search(pieces[j])) is not None
                ]
                if hits:
                    _, _, term, m = min(hits, key=lambda h: (h[0], h[1]))
                    before, rest = pieces[j][: m.start()], pieces[j][m.end() :]
                    pieces[j : j + 1] = [before, link(m.group(0), term), rest]
                    done.append(term)
                j += 2
            lines[i] = "".join(pieces)
        cell.source = "\n".join(lines)
    return done
