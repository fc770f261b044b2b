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


def test_import_changes_no_global_state():
    code = """
import json, warnings, random
import numpy as np, pandas as pd, matplotlib as mpl
def snapshot():
    return json.dumps({
        "rc": {k: repr(v) for k, v in mpl.rcParams.items()},
        "warnings": repr(warnings.filters),
        "np_random": repr(np.random.get_state()[1][:5].tolist()),
        "py_random": repr(random.getstate()[1][:5]),
        "pandas": repr(pd.get_option("display.max_rows")),
    }, sort_keys=True)
before = snapshot()
import ketlearn
from ketlearn import data, bibliography, checks, plots
from ketlearn.widgets import orientation
print(before == snapshot())
"""
    assert _run(code).strip() == "True"


def test_public_api_lists_submodules_and_version():
    assert ketlearn.__version__
    for name in ("data", "plots", "bibliography", "checks", "widgets"):
        assert name in ketlearn.__all__
    assert all(not n.startswith("_") or n == "__version__" for n in ketlearn.__all__)
    assert ketlearn.data.__name__ == "ketlearn.data"
    with pytest.raises(AttributeError):
        ketlearn.no_such_module  # noqa: B018
