"""The stored self-check data and its item list (private; shared by selfcheck and progress).

Kept apart from :mod:`ketlearn.selfcheck` so that :mod:`ketlearn.progress` can list the
course's items without importing the self-check (which records into progress): imports point
one way only, ``selfcheck -> progress -> _selfcheck_items``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

__all__ = ["item_ids", "item_spec", "load_data"]

_DATA_FILE = "_selfcheck_data.json"


@lru_cache(maxsize=1)
def load_data() -> dict:
    """The stored self-check data (public descriptions, salts, lattice offsets, hashes)."""
    text = resources.files("ketlearn").joinpath(_DATA_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def item_ids(assignment: str | None = None) -> dict[str, list[str]]:
    """The self-checked items, ``{assignment: [grade_id, ...]}`` in notebook order.

    >>> "q1_tests" in item_ids("00-orientation")["00-orientation"]
    True
    """
    data = load_data()["assignments"]
    names = [assignment] if assignment is not None else sorted(data)
    for name in names:
        if name not in data:
            raise ValueError(f"assignment must be one of {sorted(data)}; got {name!r}")
    return {name: list(data[name]) for name in names}


def item_spec(assignment: str, item: str) -> dict:
    """The stored description and record(s) of one item (ValueError naming the valid items).

    An item with per-learner variants holds one record set per variant under ``"variants"``;
    :func:`ketlearn.selfcheck.for_learner` picks the learner's.
    """
    items = item_ids(assignment)[assignment]
    if item not in items:
        raise ValueError(f"item must be one of {items} for {assignment}; got {item!r}")
    return load_data()["assignments"][assignment][item]
