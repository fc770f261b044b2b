"""The three places that name dependencies agree: pyproject.toml, the lock, environment.yml."""

from __future__ import annotations

import re

import pytest
import tomllib
import yaml
from conftest import ROOT
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
RUNTIME = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
ENV = yaml.safe_load((ROOT / "environment.yml").read_text())

# conda-forge name -> PyPI name, where they differ.
CONDA_TO_PYPI = {"jupyterlab_widgets": "jupyterlab-widgets"}


def _lock() -> dict[str, Version]:
    """Pins from requirements/lock.txt that apply to the Python version Binder uses (3.11)."""
    pins: dict[str, Version] = {}
    for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-")):
            continue
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate(
            {"python_full_version": "3.11.7", "python_version": "3.11"}
        ):
            (spec,) = req.specifier
            pins[canonicalize_name(req.name)] = Version(spec.version)
    return pins


def _conda() -> dict[str, SpecifierSet]:
    """environment.yml entries as PEP 440 specifiers (conda's `name=1.2` means 1.2.*)."""
    specs: dict[str, SpecifierSet] = {}
    for dep in ENV["dependencies"]:
        if not isinstance(dep, str):
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(?:(==|=|>=|<=)\s*([0-9][0-9A-Za-z.*]*))?", dep)
        assert m, f"cannot read environment.yml entry {dep!r}"
        name, op, version = m.groups()
        name = canonicalize_name(CONDA_TO_PYPI.get(name, name))
        if op is None:
            specs[name] = SpecifierSet()
        elif op == "=":
            specs[name] = SpecifierSet(
                f"=={version}" if version.count(".") >= 2 else f"=={version}.*"
            )
        else:
            specs[name] = SpecifierSet(f"{op}{version}")
    return specs


LOCK = _lock()
CONDA = _conda()


@pytest.mark.parametrize("req", RUNTIME, ids=lambda r: r.name)
def test_runtime_dependency_in_environment_yml_and_lock(req):
    name = canonicalize_name(req.name)
    assert name in CONDA, f"{req.name} is a runtime dependency but is missing from environment.yml"
    assert name in LOCK, f"{req.name} is missing from requirements/lock.txt"
    pinned = LOCK[name]
    assert pinned in req.specifier, (
        f"lock pins {name}=={pinned}, outside pyproject's {req.specifier}"
    )
    assert pinned in CONDA[name], (
        f"environment.yml's {name}{CONDA[name]} excludes the lock's {pinned}"
    )


@pytest.mark.parametrize("name", ["jupyterlab", "ipywidgets", "jupyterlab-widgets"])
def test_widget_stack_pinned_exactly_and_identically(name):
    spec = CONDA[name]
    assert len(spec) == 1 and next(iter(spec)).operator == "==" and "*" not in str(spec), (
        f"{name} must be pinned to one exact version in environment.yml"
    )
    assert Version(next(iter(spec)).version) == LOCK[name], f"{name}: environment.yml != lock"


def test_binder_installs_ketlearn_itself():
    post_build = (ROOT / "postBuild").read_text()
    assert "pip install" in post_build and "-e ." in post_build
    python = [d for d in ENV["dependencies"] if isinstance(d, str) and d.startswith("python=")]
    assert python, "environment.yml should pin the Python version"
    assert Version(python[0].split("=")[1]) in SpecifierSet(PYPROJECT["project"]["requires-python"])
