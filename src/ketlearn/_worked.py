"""Open an item's sealed worked solution with the learner's answer (private; see selfcheck.worked).

The data file stores, per item that has one, ``"worked": {"salt", "nonce", "box"}``: the worked
solution encrypted under a key derived from the right answer (:mod:`ketlearn.answers.sealed`).
This module turns the learner's answer into its candidate tokens (the same canonical path as
the check, :mod:`ketlearn.answers.canonical`) and tries them; nothing else can open the box.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

from .answers import canonical, sealed
from .answers.plain import AnswerTypeError

__all__ = ["context", "open_item", "show"]


def context(assignment: str, item: str) -> str:
    """The associated data a box is bound to: ``"assignment/item"``."""
    return f"{assignment}/{item}"


def open_item(
    spec: Mapping, namespace: Mapping, kdf: dict, *, assignment: str, item: str
) -> str | None:
    """The worked solution of ``spec`` if ``namespace`` holds the right answer, else None.

    Returns None as well when the item has no worked solution or the answer is missing or of
    the wrong kind (the self-check's message explains those cases).
    """
    box = spec.get("worked")
    if not box:
        return None
    try:
        atoms = canonical.canonical_atoms(spec["parts"], namespace)
    except (KeyError, AnswerTypeError, canonical.Mismatch):
        return None
    tokens = canonical.candidate_tokens(atoms, spec["record"]["lattice"])
    return sealed.open_sealed(box, tokens, context(assignment, item), kdf)


def show(text: str) -> None:
    """Render markdown in a notebook (IPython display), or print it elsewhere."""
    ipython = sys.modules.get("IPython")  # never import IPython just to ask
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None and getattr(shell, "kernel", None) is not None:
        from IPython.display import Markdown, display

        display(Markdown(text))
    else:
        print(text)
