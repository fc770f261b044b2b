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

__all__ = ["anchor", "define", "lookup", "markdown_page", "terms"]

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
    for strand in _STRANDS:
        lines += [f"## {_STRAND_TITLES[strand]}", ""]
        for _, row in terms(strand).iterrows():
            aliases = row["aliases"] if isinstance(row["aliases"], str) else ""
            also = f" (also: {aliases.replace(';', ',')})" if aliases else ""
            source = row["source_key"] if isinstance(row["source_key"], str) else ""
            citation = f" [@{source}]" if cite and source else ""
            lines += [
                f"(glossary-{anchor(row['term'])})=",
                f"**{row['term']}**{also}: {row['definition']}{citation} "
                f"*Taught in notebook {row['notebook']}.*",
                "",
            ]
    return "\n".join(lines)
