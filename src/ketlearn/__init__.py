"""ketlearn: the helper package of an open Jupyter course on the pharmacology of ketamine.

The package is a set of small modules, one idea each, that the course notebooks call:

- data layer: :mod:`ketlearn.data` (datasets with provenance), :mod:`ketlearn.bibliography`;
- models (pure computation, no plotting): for example :mod:`ketlearn.pk`;
- views: :mod:`ketlearn.plots` (house style, figures paired with tables), :mod:`ketlearn.views`
  (figure functions per strand, diagrams, the app base class) and :mod:`ketlearn.widgets`
  (the apps);
- answers: :mod:`ketlearn.answers` (one answer model), :mod:`ketlearn.checks` (what test
  cells call), :mod:`ketlearn.selfcheck` and :mod:`ketlearn.progress` (learners' self-checks).

The instructor tooling, :mod:`ketlearn.grading` (``ketlearn grade/feedback/export``), is part of
the package but not of its student-facing API: it needs the ``instructor`` extra
(``pip install "ketlearn[instructor]"``) and is imported explicitly
(``import ketlearn.grading.runner``).

Design notes
------------
Submodules are imported lazily on first attribute access (PEP 562), so ``import ketlearn``
is fast and changes no global state: it sets no matplotlib style, no warnings filters,
no pandas options and no random seeds.

Nothing here is medical advice, and no number in this package is a dosing guide.
"""

from __future__ import annotations

import importlib
import pkgutil

__version__ = "0.1.0"

#: Importable as ``ketlearn.grading`` too, but not advertised to students: the instructor
#: tooling needs the ``instructor`` extra.
_INSTRUCTOR = ("grading",)
#: The student-facing modules: every public module or package except the instructor tooling.
_SUBMODULES = sorted(
    m.name
    for m in pkgutil.iter_modules(__path__)
    if not m.name.startswith("_") and m.name not in _INSTRUCTOR
)

__all__ = ["__version__", *_SUBMODULES]


def __getattr__(name: str):
    if name in _SUBMODULES or name in _INSTRUCTOR:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'ketlearn' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBMODULES))
