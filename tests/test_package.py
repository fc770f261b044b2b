"""Importing ketlearn is cheap and changes no global state; the public API is curated."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, build_wheel

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


def test_instructor_tooling_is_not_advertised_to_students():
    out = _run("import ketlearn, json; print(json.dumps([ketlearn.__all__, dir(ketlearn)]))")
    exported, listed = json.loads(out)
    assert "grading" not in exported and "grading" not in listed
    assert "answers" in exported and "selfcheck" in exported
    assert ketlearn.grading.__name__ == "ketlearn.grading"  # still importable by instructors


# ----------------------------------------------------------------------------- extras
def _uv() -> str | None:
    here = Path(sys.executable).parent / "uv"
    return str(here) if here.exists() else shutil.which("uv")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return build_wheel(tmp_path_factory.mktemp("dist"))


def _fresh_venv(where: Path, requirement: str) -> Path:
    """A new venv with ``requirement`` installed from uv's cache only (no network)."""
    uv = _uv()
    if uv is None:
        pytest.skip("needs uv (make env installs it into .venv) to install offline from its cache")
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(where)], check=True)
    py = where / "bin" / "python"
    done = subprocess.run(
        [uv, "pip", "install", "--quiet", "--offline", "--python", str(py),
         "-c", str(ROOT / "requirements" / "lock.txt"), requirement],
        capture_output=True,
        text=True,
    )  # fmt: skip
    if done.returncode != 0 and "offline" in done.stderr.lower():
        pytest.skip(
            f"uv's cache lacks a locked package (run `make env` first): {done.stderr[-300:]}"
        )
    assert done.returncode == 0, done.stderr[-2000:]
    return where / "bin"


def _clean_env(tmp_path: Path) -> dict:
    return {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "KETLEARN_PROGRESS_FILE": "off"}


@pytest.mark.slow
def test_instructor_extra_brings_the_console_script(wheel, tmp_path):
    bin_dir = _fresh_venv(tmp_path / "venv", f"ketlearn[instructor] @ {wheel.as_uri()}")
    env = _clean_env(tmp_path)
    done = subprocess.run(
        [str(bin_dir / "ketlearn"), "--help"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    for command in ("grade", "feedback", "export"):
        assert command in done.stdout
    sub = subprocess.run(
        [str(bin_dir / "ketlearn"), "grade", "--course", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
    )  # not a course folder: a message from the real command, not an import error
    assert sub.returncode == 2 and "nbgrader course folder" in sub.stderr
    assert "Traceback" not in sub.stderr


@pytest.mark.slow
def test_students_install_has_no_grading_tools_and_a_clear_message(wheel, tmp_path):
    bin_dir = _fresh_venv(tmp_path / "venv", f"ketlearn @ {wheel.as_uri()}")
    env = _clean_env(tmp_path)
    probe = subprocess.run(
        [str(bin_dir / "python"), "-c",
         "import importlib.util as u, ketlearn; "
         "print(u.find_spec('nbgrader') is None, 'grading' in ketlearn.__all__)"],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    assert probe.stdout.split() == ["True", "False"]
    done = subprocess.run(
        [str(bin_dir / "ketlearn"), "--help"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 1
    assert 'pip install "ketlearn[instructor]"' in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
