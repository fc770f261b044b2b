"""Importing ketlearn is cheap and changes no global state; the public API is curated."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import ketlearn


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout


def test_import_loads_no_heavy_dependency():
    out = _run(
        "import sys, ketlearn, json; "
        "print(json.dumps(sorted(m for m in ('numpy', 'pandas', 'scipy', 'matplotlib', 'ipywidgets',"
        " 'statsmodels', 'pybtex', 'nbgrader') if m in sys.modules)))"
    )
    assert json.loads(out) == []


# Importing any module changes no global state: tests/test_import_hygiene.py (every module).


def test_public_api_lists_submodules_and_version():
    assert ketlearn.__version__
    for name in ("data", "plots", "bibliography", "checks", "widgets"):
        assert name in ketlearn.__all__
    assert all(not n.startswith("_") or n == "__version__" for n in ketlearn.__all__)
    assert ketlearn.data.__name__ == "ketlearn.data"
    with pytest.raises(AttributeError):
        ketlearn.no_such_module  # noqa: B018
