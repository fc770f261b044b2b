"""Importing any ketlearn module changes no global state, and ketlearn's imports have no cycles.

Every module of the package (``ketlearn.grading.*`` and ``ketlearn.widgets.*`` included) is
imported in a fresh interpreter; the process-wide state a course notebook or an instructor's
session relies on is compared before and after. The libraries ketlearn imports are imported
*before* the first snapshot, so what they do on import is not blamed on ketlearn.
"""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import ketlearn

PACKAGE = Path(ketlearn.__file__).parent


def all_modules() -> list[str]:
    names = ["ketlearn"]
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="ketlearn."):
        names.append(info.name)
    return sorted(names)


def _imports(path: Path, module: str) -> list[tuple[str, int]]:
    """(imported module, level) for every import statement, also inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            found.append(stem)
            found.extend(f"{stem}.{a.name}" for a in node.names)
    return found


def import_graph() -> dict[str, set[str]]:
    """Edges between ketlearn modules (only modules that exist; parent packages implied)."""
    modules = set(all_modules())
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module in modules:
        parts = module.split(".")[1:]
        path = PACKAGE.joinpath(*parts)
        path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        for target in _imports(path, module):
            if target in modules and target != module and not module.startswith(target + "."):
                graph[module].add(target)
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return cycles


def test_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_relative_and_lazy_imports():
    graph = import_graph()
    assert "ketlearn.progress" in graph["ketlearn.selfcheck"]  # `from . import progress`
    assert "ketlearn.progress" in graph["ketlearn.widgets.progress"]  # `from .. import progress`


def test_no_import_cycles_among_ketlearn_modules():
    assert find_cycles(import_graph()) == []


_SNAPSHOT = r"""
import importlib, json, logging, os, random, sys, warnings
import numpy as np, pandas as pd, matplotlib as mpl

def snapshot():
    loggers = {
        name: [getattr(lg, "level", None), getattr(lg, "propagate", None),
               getattr(lg, "disabled", None), [repr(h) for h in getattr(lg, "handlers", [])]]
        for name, lg in sorted(logging.root.manager.loggerDict.items())
        if name.startswith("ketlearn") or isinstance(lg, logging.Logger) and lg.handlers
    }
    options = {}
    for key in sorted(pd._config.config._registered_options):
        try:
            options[key] = repr(pd.get_option(key))
        except Exception:
            pass
    return {
        "environ": dict(os.environ),
        "sys.path": list(sys.path),
        "cwd": os.getcwd(),
        "warnings": [repr(f) for f in warnings.filters],
        "rcParams": {k: repr(v) for k, v in mpl.rcParams.items()},
        "pandas": options,
        "numpy print": repr(np.get_printoptions()),
        "numpy errors": repr(np.geterr()),
        "numpy random": repr(np.random.get_state()[1][:8].tolist()),
        "python random": repr(random.getstate()[1][:8]),
        "logging root": [logging.root.level, [repr(h) for h in logging.root.handlers]],
        "logging disable": logging.root.manager.disable,
        "loggers": loggers,
        "hooks": [repr(sys.excepthook), repr(sys.displayhook), repr(sys.breakpointhook)],
    }

for name in THIRD_PARTY:
    try:
        importlib.import_module(name)
    except Exception:
        pass
before = snapshot()
failed = {}
for name in MODULES:
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed[name] = f"{type(exc).__name__}: {exc}"
after = snapshot()
changed = {
    key: {"before": before[key], "after": after[key]}
    for key in before
    if before[key] != after[key]
}
print(json.dumps({"failed": failed, "changed": changed}, default=str))
"""


def _third_party() -> list[str]:
    names: set[str] = set()
    for module in all_modules():
        parts = module.split(".")[1:]
        path = PACKAGE.joinpath(*parts)
        path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        for target in _imports(path, module):
            top = target.split(".")[0]
            if top and top != "ketlearn" and top not in sys.stdlib_module_names:
                names.add(target)
    return sorted(names)


@pytest.mark.slow  # imports the whole stack once (nbgrader, statsmodels, ...): ~15 s of CPU
def test_importing_every_module_changes_no_global_state(tmp_path):
    modules = all_modules()
    assert "ketlearn.grading.gradebook" in modules and "ketlearn.widgets.pk" in modules
    code = f"MODULES = {modules!r}\nTHIRD_PARTY = {_third_party()!r}\n" + _SNAPSHOT
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["failed"] == {}
    changed = result["changed"]
    if "environ" in changed:  # show only the variables that differ
        b, a = changed["environ"]["before"], changed["environ"]["after"]
        changed["environ"] = {
            k: (b.get(k), a.get(k)) for k in set(a) | set(b) if b.get(k) != a.get(k)
        }
    assert changed == {}
