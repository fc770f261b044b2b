"""Per-learner variants: the same exercise with different numbers for each learner.

An item with variants declares a short list of parameter sets (which published trial, which
route and dose in mg/kg, which advert from the corpus, which simulation seed); each learner
gets one of them, drawn deterministically from the learner's identity and the item, so
re-running the notebook gives the same values, and two learners usually get different ones.
The design follows PrairieLearn's per-student question variants; nbgrader and otter have none.

Where the declarations live
---------------------------
``ketlearn/_variant_data/<assignment>.json`` holds, per item (the grade_id of its autograder
test cell), a title, what varies, the bibliography keys the values come from, where text values
come from (``dataset``: a course dataset, or ``{parameter: dataset}``; ``named``:
``{parameter: "ketlearn.module.TABLE"}`` for keys of a table in the package), and the list of
parameter sets. Values are plain data (numbers, text, row ids of the course datasets) so that
an instructor can :func:`preview` any learner's variant without running a notebook, and so that
notebooks read the real numbers from the datasets (one source of truth) rather than from here.

Who the learner is (:func:`learner_id`)
--------------------------------------
In order:

1. inside ``with as_learner(...)``: that id (``ketlearn grade`` uses it on the trusted side,
   where the hidden tests run; :func:`preview` too);
2. under ``nbgrader autograde``: the student folder the notebook runs in
   (``autograded/<student>/<assignment>``), which is where nbgrader executes it;
3. the environment variable ``KETLEARN_STUDENT_ID`` (``ketlearn grade`` sets it for the
   student's own process; a course without a hub may ask students to set it);
4. the JupyterHub user name (``JUPYTERHUB_USER``), which is also the nbgrader student id on a
   course hub;
5. an id stored in the learner's progress file (:mod:`ketlearn.progress`): a random one created
   the first time a learner runs an exercise interactively (Binder, ``make lab``), or one set
   with :func:`set_learner_id` (a laptop course that grades by student id); it is also read
   under nbgrader's Validate, so validating on a laptop checks the learner's own values, but
   never under ``nbgrader autograde`` (which would otherwise find the grader's own file);
6. otherwise ``"example"``: headless runs (the site build, tests, tools) show the example
   learner's values.

Which variant (:func:`index`)
----------------------------
``sha256("<assignment>/<item>/<learner>")`` modulo the number of parameter sets. Hashing (not a
seeded generator) keeps the draw independent of library versions and of the order items are
asked in. Tools that must visit every variant (the self-check data generator, the tests) use
:func:`force_index`.

Grading and self-checks
-----------------------
Hidden tests call :func:`params` and compute the expected answer for the learner's own
parameters with ketlearn's functions, so ``ketlearn grade`` and plain ``nbgrader autograde``
grade each variant. The self-check data holds one hashed record (and misconception hints and
sealed worked solution) per parameter set; :mod:`ketlearn.selfcheck` picks the learner's.

Residual risk, stated plainly: variants make a classmate's numbers useless, not a classmate's
method; with K parameter sets, two learners share a variant with probability 1/K. Under plain
``nbgrader autograde`` the student's code and the tests share one kernel, so a student could
change the working folder; ``ketlearn grade`` takes the id from the submission's folder on the
trusted side.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import hashlib
import json
import os
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported only when a table is asked for
    import pandas as pd

__all__ = [
    "EXAMPLE_LEARNER",
    "as_learner",
    "count",
    "force_index",
    "index",
    "items",
    "learner_id",
    "params",
    "preview",
    "set_learner_id",
    "show",
]

#: The learner whose values headless runs (site, tests, tools) show.
EXAMPLE_LEARNER = "example"
_ENV = "KETLEARN_STUDENT_ID"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$")
_LEARNER: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "ketlearn_variant_learner", default=None
)
_FORCED: dict[str, int | None] = {"index": None}  # set only by force_index (tools and tests)


def _valid_id(value: str, what: str = "learner") -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise ValueError(
            f"{what} must be 1-64 characters of letters, digits and . _ @ + - (starting with a "
            f"letter or digit); got {value!r}"
        )
    return value


@cache
def _declared(assignment: str) -> dict:
    name = f"{assignment}.json"
    folder = resources.files("ketlearn").joinpath("_variant_data")
    if not folder.joinpath(name).is_file():
        return {}
    return json.loads(folder.joinpath(name).read_text(encoding="utf-8"))


def _assignments() -> list[str]:
    folder = resources.files("ketlearn").joinpath("_variant_data")
    return sorted(
        p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json")
    )


def items(assignment: str | None = None) -> dict[str, list[str]]:
    """The items with variants, ``{assignment: [grade_id, ...]}``.

    >>> items("01-history")
    {'01-history': ['q5_tests']}
    """
    names = [assignment] if assignment is not None else _assignments()
    return {name: list(_declared(name)) for name in names if _declared(name)}


def _item(assignment: str, item: str) -> dict:
    declared = _declared(assignment)
    if item not in declared:
        raise ValueError(
            f"item must be an item with variants of {assignment!r}, one of {sorted(declared)}; "
            f"got {item!r}"
        )
    return declared[item]


def count(assignment: str, item: str) -> int:
    """How many parameter sets (variants) an item has."""
    return len(_item(assignment, item)["options"])


def _stored_id(create: bool) -> str | None:
    from . import progress

    return progress.learner_id(create=create)


def learner_id() -> str:
    """Who the current learner is, for drawing variants (see the module notes for the order).

    >>> with as_learner("ada"):
    ...     learner_id()
    'ada'
    """
    forced = _LEARNER.get()
    if forced:
        return forced
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        parts = Path.cwd().parts
        if len(parts) >= 3 and parts[-3] == "autograded" and _ID.match(parts[-2]):
            return parts[-2]
    for var in (_ENV, "JUPYTERHUB_USER"):
        value = os.environ.get(var, "").strip()
        if value and _ID.match(value):
            return value
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        return EXAMPLE_LEARNER  # grading, with no student folder found: never the grader's own id
    from . import progress

    stored = _stored_id(create=progress.interactive_session())
    return stored or EXAMPLE_LEARNER


@contextlib.contextmanager
def as_learner(learner: str) -> Iterator[str]:
    """Draw variants for ``learner`` inside the block (this thread or task only).

    ``ketlearn grade`` wraps each submission's hidden tests in it; :func:`preview` uses it.
    """
    token = _LEARNER.set(_valid_id(learner))
    try:
        yield learner
    finally:
        _LEARNER.reset(token)


class force_index:  # used like a function: force_index(k), or with force_index(k): ...
    """Every item draws parameter set ``k`` (modulo its count); for tools and tests.

    It takes effect at once and is process-wide on purpose: the self-check data generator calls
    it in a kernel, then re-runs an item's cells for each variant. Used as a context manager,
    the previous setting comes back at the end of the block; ``force_index(None)`` restores the
    normal draw.

    >>> with force_index(2):
    ...     index("01-history", "q5_tests", "ada") == 2 % count("01-history", "q5_tests")
    True
    """

    def __init__(self, k: int | None) -> None:
        if k is not None and (not isinstance(k, int) or isinstance(k, bool) or k < 0):
            raise ValueError(f"k (variant index) must be a whole number >= 0 or None; got {k!r}")
        self._old = _FORCED["index"]
        _FORCED["index"] = k

    def __enter__(self) -> force_index:
        return self

    def __exit__(self, *exc: object) -> None:
        _FORCED["index"] = self._old


def index(assignment: str, item: str, learner: str | None = None) -> int:
    """Which parameter set ``learner`` (default: :func:`learner_id`) gets for an item.

    >>> index("01-history", "q5_tests", "ada") == index("01-history", "q5_tests", "ada")
    True
    >>> sorted({index("01-history", "q5_tests", f"s{i}") for i in range(100)})
    [0, 1, 2, 3, 4, 5]
    """
    n = count(assignment, item)
    if _FORCED["index"] is not None:
        return _FORCED["index"] % n
    who = learner_id() if learner is None else _valid_id(learner)
    digest = hashlib.sha256(f"{assignment}/{item}/{who}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % n


def params(assignment: str, item: str, learner: str | None = None) -> dict:
    """The learner's parameter set for an item (a fresh copy: changing it changes nothing).

    Parameters
    ----------
    assignment, item : str
        e.g. ``"04-reading-trials"`` and the grade_id of the item's test cell.
    learner : str, optional
        Whose variant; by default the current learner (:func:`learner_id`).
    """
    options = _item(assignment, item)["options"]
    return copy.deepcopy(options[index(assignment, item, learner)])


def show(assignment: str, item: str) -> dict:
    """Print which values this learner works with for an item, and return them (notebook cells).

    The line says that the values are the learner's own, and why (a classmate's numbers differ).
    """
    spec = _item(assignment, item)
    k, n = index(assignment, item), count(assignment, item)
    mine = params(assignment, item)
    shown = ", ".join(f"{key} = {value!r}" for key, value in mine.items())
    who = learner_id()
    print(
        f"Your values for {spec.get('title', item)} (variant {k + 1} of {n}, drawn for learner "
        f"{who!r}): {shown}. Classmates get other values, so compare methods, not numbers."
    )
    return mine


def set_learner_id(learner: str) -> None:
    """Store the id variants are drawn for (a course without a hub that grades by student id).

    On a JupyterHub the user name is used and this is not needed. Write the id your instructor
    gives you (your nbgrader student id) once; it is kept in the progress file.
    """
    from . import progress

    progress.store_learner_id(_valid_id(learner))


def preview(learner: str, assignment: str | None = None) -> pd.DataFrame:
    """Every variant item's parameters for ``learner``: what that student sees (instructors).

    >>> table = preview("ada", "01-history")
    >>> list(table.columns)
    ['assignment', 'item', 'title', 'variant', 'of', 'params']
    """
    import pandas as pd

    rows = []
    with as_learner(learner):
        for name, gids in items(assignment).items():
            for gid in gids:
                spec = _item(name, gid)
                rows.append(
                    {
                        "assignment": name,
                        "item": gid,
                        "title": spec.get("title", gid),
                        "variant": index(name, gid) + 1,
                        "of": count(name, gid),
                        "params": params(name, gid),
                    }
                )
    return pd.DataFrame(rows, columns=["assignment", "item", "title", "variant", "of", "params"])
