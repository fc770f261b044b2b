"""ketlearn: the helper package of an open Jupyter course on the pharmacology of ketamine.

The package is a set of small modules, one idea each, that the course notebooks call:

- data layer: :mod:`ketlearn.data` (datasets with provenance), :mod:`ketlearn.bibliography`;
- models (pure computation, no plotting): for example :mod:`ketlearn.pk`;
- views: :mod:`ketlearn.plots` (house style, figures paired with tables), :mod:`ketlearn.views`
  (figure functions per strand, the app base class) and :mod:`ketlearn.widgets` (the apps);
- answer checking: :mod:`ketlearn.checks`.

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

_SUBMODULES = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))

__all__ = ["__version__", *_SUBMODULES]


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'ketlearn' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBMODULES))
