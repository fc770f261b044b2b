"""Small Sphinx extension for the course website (loaded by site/_config.yml).

1. A pybtex style, ``ketlearn``: BibTeX "plain", but titles keep the capitals the bibliography
   gives them ("United States", not "united states"), and an entry whose author list is not yet
   known reads "[Authors not listed]" instead of raising a warning (the site is built with
   warnings as errors).
2. Accessibility repairs of theme and docutils markup, applied to the built pages (each fixes
   what axe-core reports as a *serious* or *critical* violation):

   - the citation list is written as ``role="list"`` holding ``role="doc-biblioentry"`` entries
     and plain anchors (critical: a list with children that are not list items): the roles go,
     leaving ordinary ``div`` elements;
   - pydata-sphinx-theme's search field is labelled "Search" while it shows "Search Ctrl+K"
     (serious: visible text not in the accessible name): the aria-label goes, so the name is the
     visible text;
   - the colour-mode button's icons carry ``title`` tooltips ("Light", "Dark", ...), which Font
     Awesome turns into SVG titles that count as visible text missing from the button's label
     "Color mode" (serious): the titles go and the icons are marked decorative.
"""

from __future__ import annotations

import re
from pathlib import Path

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as Plain
from pybtex.style.template import field, first_of, optional, sentence

_FIXES = [
    (re.compile(r'<div role="list" class="citation-list">'), '<div class="citation-list">'),
    (re.compile(r' role="doc-biblioentry"'), ""),
    (re.compile(r'(<button class="btn search-button-field[^"]*"[^>]*?) aria-label="[^"]*"'), r"\1"),
    (
        re.compile(r'<i class="(theme-switch [^"]*)"([^>]*?) title="[^"]*"'),
        r'<i aria-hidden="true" class="\1"\2',
    ),
]


class KetlearnStyle(Plain):
    def format_names(self, role, as_sentence=True):
        names = super().format_names(role, as_sentence=False)
        if role == "author":
            names = first_of[optional[names], "[Authors not listed]"]
        return sentence[names] if as_sentence else names

    def format_title(self, e, which, as_sentence=True):
        title = field(which)
        return sentence[title] if as_sentence else title


def _repair_markup(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        fixed = text
        for pattern, replacement in _FIXES:
            fixed = pattern.sub(replacement, fixed)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


def setup(app):
    register_plugin("pybtex.style.formatting", "ketlearn", KetlearnStyle)
    app.connect("build-finished", _repair_markup)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
