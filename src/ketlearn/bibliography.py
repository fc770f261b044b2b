"""The course bibliography: look up citation keys and render reference lists.

One BibTeX file, ``references.bib`` beside this module, is the course's single bibliography.
Notebooks cite with ``[@key]`` (several: ``[@key1; @key2]``), datasets list keys in their
metadata, and presets name a ``source`` key. The test suite checks that every key cited
anywhere resolves here and that every entry has a DOI, a PMID or a stable URL.

Design notes
------------
Parsing uses pybtex (the library behind Sphinx's bibliography support, so a future course
website reads the same file). It is imported on first use, not when ketlearn is imported.

Examples
--------
>>> from ketlearn import bibliography
>>> bibliography.find_keys("Bioavailability varies [@rolan2014absolute; @yanagihara2003plasma].")
['rolan2014absolute', 'yanagihara2003plasma']
>>> print(bibliography.cite("rolan2014absolute"))  # doctest: +ELLIPSIS
Paul Rolan, Stephen Lim, ... 2014. https://doi.org/10.1111/bcp.12264
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "BIB_PATH",
    "ReferenceList",
    "cite",
    "entries",
    "find_keys",
    "identifier",
    "keys",
    "reference_list",
]

BIB_PATH = Path(__file__).with_name("references.bib")

_CITATION = re.compile(r"\[([^\[\]]*@[^\[\]]*)\]")
_KEY = re.compile(r"@([A-Za-z0-9_:\-]+)")


def find_keys(text: str) -> list[str]:
    """Citation keys used as ``[@key]`` or ``[@a; @b]`` in ``text``, in order of first use.

    E-mail addresses and decorators outside square brackets are ignored.

    >>> find_keys("see [@a2020x; @b2019y] and again [@a2020x], mail me@example.org")
    ['a2020x', 'b2019y']
    """
    found: list[str] = []
    for group in _CITATION.findall(text):
        for key in _KEY.findall(group):
            if key not in found:
                found.append(key)
    return found


@lru_cache(maxsize=1)
def _database():
    from pybtex.database import parse_file

    return parse_file(str(BIB_PATH), bib_format="bibtex")


def entries() -> dict:
    """All bibliography entries as pybtex ``Entry`` objects, by key."""
    return dict(_database().entries)


def keys() -> list[str]:
    """All citation keys, sorted."""
    return sorted(_database().entries.keys())


def _entry(key: str):
    db = _database().entries
    if key not in db:
        close = difflib.get_close_matches(key, list(db.keys()), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise KeyError(f"no bibliography entry {key!r}.{hint} (file: {BIB_PATH})")
    return db[key]


def identifier(key: str) -> str:
    """The entry's stable link: ``https://doi.org/<doi>``, else a PubMed URL, else its URL.

    >>> identifier("yanagihara2003plasma")
    'https://doi.org/10.1002/bdd.336'
    """
    fields = _entry(key).fields
    if fields.get("doi"):
        return "https://doi.org/" + fields["doi"]
    if fields.get("pmid"):
        return "https://pubmed.ncbi.nlm.nih.gov/" + fields["pmid"] + "/"
    return fields.get("url", "")


def _authors(entry) -> str:
    people = entry.persons.get("author", [])
    names = []
    for person in people:
        text = " ".join(person.first_names + person.middle_names + person.prelast_names)
        text = (text + " " + " ".join(person.last_names)).strip()
        names.append(_clean(text))
    if not names:
        return ""
    if names[-1] == "others":
        return ", ".join(names[:-1]) + " et al."
    if len(names) > 3:
        return ", ".join(names[:3]) + " et al."
    return ", ".join(names)


def _clean(text: str) -> str:
    return text.replace("{", "").replace("}", "").replace("\\&", "&").replace("--", "–")


def cite(key: str) -> str:
    """One formatted reference: authors. Title. Venue volume(issue):pages, year. Link.

    Raises
    ------
    KeyError
        Unknown key (the message names the closest existing key).
    """
    entry = _entry(key)
    f = entry.fields
    venue = (
        f.get("journal") or f.get("booktitle") or f.get("howpublished") or f.get("publisher", "")
    )
    details = venue
    if f.get("volume"):
        details += f" {f['volume']}"
        if f.get("number"):
            details += f"({f['number']})"
    if f.get("pages"):
        details += f":{f['pages']}"
    authors = _authors(entry)
    parts = [
        authors if not authors or authors.endswith(".") else authors + ".",
        _clean(f.get("title", "")).rstrip(".") + ".",
        (_clean(details).strip() + ",") if details.strip() else "",
        f.get("year", "") + ".",
        identifier(key),
    ]
    text = " ".join(p for p in parts if p and p != ".")
    return re.sub(r"\s+", " ", text)


@dataclass(frozen=True)
class ReferenceList:
    """A rendered list of references; shows as Markdown in Jupyter, as text elsewhere."""

    keys: tuple[str, ...]

    def lines(self) -> list[str]:
        return [f"[{k}] {cite(k)}" for k in self.keys]

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def _repr_markdown_(self) -> str:
        items = []
        for k in self.keys:
            link = identifier(k)
            text = cite(k).replace(link, f"<{link}>") if link else cite(k)
            items.append(f"- **[{k}]** {text}")
        return "### References\n\n" + "\n".join(items)


def reference_list(keys: list[str] | tuple[str, ...]) -> ReferenceList:
    """Render the references for ``keys`` (unknown keys raise ``KeyError`` at once).

    >>> refs = reference_list(["yanagihara2003plasma"])
    >>> str(refs).startswith("[yanagihara2003plasma] Y. Yanagihara et al.")
    True
    """
    for k in keys:
        _entry(k)
    return ReferenceList(tuple(keys))
