"""Binder readiness, checked offline as far as possible.

tests/test_environment.py already checks that every runtime dependency is in environment.yml and
the lock with compatible versions, that jupyterlab/ipywidgets/jupyterlab_widgets are pinned exactly
and identically, and that postBuild installs ketlearn. This file adds what a Binder user would hit
next: an environment.yml that repo2docker accepts (conda-forge only, no duplicates), *every* pin in
it agreeing with the lock (not only the runtime ones), a widget stack whose parts accept each other
and equal what the tests run against, every package a student notebook imports being reachable
from environment.yml, and postBuild's own command installing ketlearn without a network.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import venv
from importlib import metadata
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, release_notebooks
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from test_environment import CONDA, CONDA_TO_PYPI, ENV, LOCK

#: environment.yml entries that are not Python distributions in the lock.
NOT_IN_LOCK = {"python", "pip"}
WIDGET_STACK = ("jupyterlab", "ipywidgets", "jupyterlab-widgets")


def _pinned(name: str) -> Version:
    (spec,) = CONDA[canonicalize_name(name)]
    return Version(spec.version.rstrip(".*"))


def test_environment_yml_is_what_repo2docker_expects():
    assert set(ENV) == {"name", "channels", "dependencies"}, sorted(ENV)
    assert ENV["channels"] == ["conda-forge", "nodefaults"], "conda-forge only, no defaults channel"
    names = [
        re.split(r"[=<>\s]", d, maxsplit=1)[0] for d in ENV["dependencies"] if isinstance(d, str)
    ]
    assert len(names) == len(set(names)), "a package is listed twice in environment.yml"
    for dep in ENV["dependencies"]:
        assert isinstance(dep, str), f"unexpected nested entry {dep!r} (a pip: section?)"
        name = dep.split("=", 1)[0]
        if name != "pip":
            assert "=" in dep, (
                f"{name} must be pinned in environment.yml (Binder builds must repeat)"
            )


@pytest.mark.parametrize(
    "name", sorted(n for n in CONDA if n not in NOT_IN_LOCK), ids=lambda n: str(n)
)
def test_every_environment_pin_agrees_with_the_lock(name):
    assert name in LOCK, f"environment.yml lists {name}, which requirements/lock.txt does not pin"
    assert LOCK[name] in CONDA[name], (
        f"environment.yml's {name}{CONDA[name]} excludes the lock's {LOCK[name]}"
    )


def test_widget_stack_parts_accept_each_other():
    ipywidgets = [Requirement(r) for r in metadata.requires("ipywidgets") or []]
    wanted = {canonicalize_name(r.name): r.specifier for r in ipywidgets}
    for part in ("jupyterlab-widgets", "widgetsnbextension"):
        assert part in wanted, f"ipywidgets no longer requires {part}; revisit this test"
        assert LOCK[part] in wanted[part], (
            f"lock's {part}=={LOCK[part]} vs ipywidgets {wanted[part]}"
        )
    assert _pinned("jupyterlab_widgets") in wanted["jupyterlab-widgets"]
    assert _pinned("jupyterlab").major == 4 and _pinned("ipywidgets").major == 8, (
        "ipywidgets 8 renders in JupyterLab 4 through jupyterlab_widgets 3"
    )


@pytest.mark.parametrize("name", WIDGET_STACK)
def test_tests_run_the_widget_versions_binder_serves(name):
    installed = Version(metadata.version(name))
    assert installed == _pinned(name), (
        f"this environment has {name} {installed} but Binder gets {_pinned(name)}: "
        "the browser tests would not test what Binder serves (run `make env`)"
    )


def test_widget_manager_labextension_is_installed():
    manager = Path(sys.prefix, "share/jupyter/labextensions/@jupyter-widgets/jupyterlab-manager")
    assert (manager / "package.json").exists(), "jupyterlab_widgets' lab extension is missing"


def _closure(roots: set[str]) -> set[str]:
    """Distributions installed by ``roots`` and, recursively, their (non-extra) requirements."""
    env = default_environment() | {"extra": ""}
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for line in requires:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate(env):
                todo.append(req.name)
    return seen


def _imported_modules(nb) -> set[str]:
    modules = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(
            "" if line.lstrip().startswith(("%", "!")) else line
            for line in cell.source.splitlines()
        )
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module.split(".")[0])
    return modules


@pytest.mark.parametrize("path", release_notebooks(), ids=lambda p: p.parent.name)
def test_student_notebook_imports_are_installed_on_binder(path):
    listed = {CONDA_TO_PYPI.get(n, n) for n in CONDA} - NOT_IN_LOCK
    reachable = _closure(listed | {"ipykernel"})  # repo2docker's base image provides the kernel
    providers = metadata.packages_distributions()
    missing = []
    for module in sorted(_imported_modules(nbformat.read(path, as_version=4))):
        if module in sys.stdlib_module_names or module == "ketlearn":
            continue
        dists = {canonicalize_name(d) for d in providers.get(module, [])}
        if not dists & reachable:
            missing.append(f"{module} (from {sorted(dists) or 'no installed distribution'})")
    assert not missing, f"{path.name} imports what environment.yml does not install: {missing}"


@pytest.mark.slow
def test_postbuild_installs_ketlearn_offline(tmp_path):
    """Run postBuild itself in a scratch copy of the repository, with a fresh interpreter.

    Offline, only postBuild's first command (``--no-build-isolation``) can work, and hatchling
    builds this project's editable install (it has a force-include) only with ``editables``
    installed. On Binder the fallback command fetches both into an isolated build.
    """
    for needed in ("hatchling", "editables"):
        try:
            metadata.version(needed)
        except metadata.PackageNotFoundError:
            pytest.skip(
                f"{needed} is not installed, so postBuild's editable install cannot be built "
                "offline here (on Binder pip fetches it); add it to the test extra to check this"
            )
    post_build = (ROOT / "postBuild").read_text()
    assert post_build.startswith("#!"), "postBuild needs a shebang line"
    repo = tmp_path / "repo"
    repo.mkdir()
    for item in ("pyproject.toml", "README.md", "LICENSE", "LICENSE-CONTENT.md", "postBuild"):
        shutil.copy(ROOT / item, repo / item)
    for folder in ("src", "datasets"):
        shutil.copytree(ROOT / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__"))
    env_dir = tmp_path / "binder-env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    # stand-in for the conda environment: this environment's packages, without ketlearn
    site = next((env_dir / "lib").glob("python3*/site-packages"))
    here = [p for p in sys.path if p.endswith("site-packages")]
    (site / "course-deps.pth").write_text("\n".join(here) + "\n")
    bin_dir = env_dir / "bin"
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path), "PIP_NO_INDEX": "1"}
    done = subprocess.run(
        ["bash", "postBuild"], cwd=repo, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout[-1500:] + done.stderr[-1500:]
    check = (
        "import ketlearn, pathlib; from ketlearn import data;"
        "print(pathlib.Path(ketlearn.__file__).resolve()); print(len(data.load('bioavailability')))"
    )
    ran = subprocess.run(
        [str(bin_dir / "python"), "-c", check],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr[-1500:]
    location, rows = ran.stdout.split()
    assert location.startswith(str(repo.resolve())), f"ketlearn imported from {location}"
    assert int(rows) > 0


@pytest.mark.slow
def test_binder_environment_builds_from_the_pins_and_postbuild_runs(tmp_path):
    """What repo2docker does, with PyPI wheels standing in for conda-forge packages.

    A fresh environment gets exactly environment.yml's packages (conda names mapped to PyPI),
    resolved with uv under the lock's versions as constraints (from uv's cache, offline when it
    can), plus ipykernel (repo2docker's base image has it) and postBuild's build requirements;
    then postBuild itself runs there with no package index, and a student notebook's imports and
    a dataset load work.
    """
    uv = Path(sys.executable).with_name("uv")
    uv = str(uv) if uv.exists() else shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed (make env bootstraps it into .venv)")
    wanted = [
        f"{CONDA_TO_PYPI.get(name, name)}{spec}"
        for name, spec in sorted(CONDA.items())
        if name not in NOT_IN_LOCK
    ]
    wanted += ["pip", "ipykernel", "hatchling", "editables"]  # pip: environment.yml lists it
    env_dir = tmp_path / "binder-env"
    python = env_dir / "bin" / "python"
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(env_dir)], check=True)
    install = [uv, "pip", "install", "--quiet", "--python", str(python),
               "--constraint", str(ROOT / "requirements" / "lock.txt"), *wanted]  # fmt: skip
    done = subprocess.run([*install, "--offline"], capture_output=True, text=True, check=False)
    if done.returncode != 0:  # not all in uv's cache: resolve against the index instead
        done = subprocess.run(install, capture_output=True, text=True, check=False)
    assert done.returncode == 0, (
        f"environment.yml's pins do not resolve with the lock:\n{done.stderr[-2000:]}"
    )
    repo = tmp_path / "repo"
    repo.mkdir()
    for item in ("pyproject.toml", "README.md", "LICENSE", "LICENSE-CONTENT.md", "postBuild"):
        shutil.copy(ROOT / item, repo / item)
    for folder in ("src", "datasets"):
        shutil.copytree(ROOT / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__"))
    env = {"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "PIP_NO_INDEX": "1"}
    ran = subprocess.run(["bash", "postBuild"], cwd=repo, env=env, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stdout[-1500:] + ran.stderr[-1500:]
    modules = set()
    for path in release_notebooks():
        modules |= _imported_modules(nbformat.read(path, as_version=4))
    check = (
        f"import importlib; [importlib.import_module(m) for m in {sorted(modules)!r}];"
        "from importlib import metadata; from ketlearn import data;"
        "print(len(data.load('bioavailability')));"
        f"print({{n: metadata.version(n) for n in {sorted(CONDA_TO_PYPI.get(n, n) for n in CONDA if n not in NOT_IN_LOCK)!r}}})"
    )
    ran = subprocess.run([str(python), "-c", check], cwd=tmp_path, env=env | {"MPLBACKEND": "Agg"},
                         capture_output=True, text=True)  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-2000:]
    rows, versions = ran.stdout.strip().splitlines()[-2:]
    assert int(rows) > 0
    for name, version in ast.literal_eval(versions).items():
        assert Version(version) == LOCK[canonicalize_name(name)], (name, version)
