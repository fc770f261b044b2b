"""ketlearn.data: typed loading, provenance, all-or-nothing errors, Frictionless validity, wheels."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv

import pandas as pd
import pytest
from conftest import DATASETS, build_wheel

from ketlearn import bibliography, data

PACKAGE = json.loads((DATASETS / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in PACKAGE["resources"]}


def test_list_datasets_matches_the_descriptor():
    assert data.list_datasets() == sorted(RESOURCES)


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_load_gives_schema_columns_and_types(name):
    df = data.load(name)
    fields = RESOURCES[name]["schema"]["fields"]
    assert list(df.columns) == [f["name"] for f in fields]
    for f in fields:
        col = df[f["name"]]
        if f["type"] == "number":
            assert col.dtype == "float64", f["name"]
        elif f["type"] in ("integer", "year"):
            assert str(col.dtype) == "Int64", f["name"]
        elif f.get("constraints", {}).get("enum"):
            assert isinstance(col.dtype, pd.CategoricalDtype), f["name"]
            assert list(col.dtype.categories) == f["constraints"]["enum"]
    assert len(df) > 0
    assert df.attrs["simulated"] == RESOURCES[name].get("ketlearn", {}).get("simulated", False)


def test_known_values_survive_loading():
    df = data.load("bioavailability").set_index("row_id")
    # Rolan et al. 2014 abstract: median 29% (90% CI 27-31%), 25 mg wafer, 8 healthy men.
    assert df.loc["rolan-sl", "bioavailability_pct"] == 29.0
    assert df.loc["rolan-sl", "n_participants"] == 8
    # Pharmacotherapy 2022 (PubMed 35146776): ten adults with uncontrolled cancer-related pain,
    # not healthy volunteers like the other intranasal row.
    assert "cancer-related pain" in df.loc["ph22-in10", "population"]
    assert df.loc["yan-in", "population"] == "healthy volunteers"


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_describe_reports_provenance(name):
    info = data.describe(name)
    assert info.title and info.description
    assert info.licences, "every dataset states its licence"
    if "fictional" not in info.path:  # texts we wrote ourselves have no published source
        assert info.citation_keys, "every dataset lists its bibliography keys"
    assert list(info.columns.columns) == ["name", "type", "unit", "description"]
    assert "SIMULATED" in str(info) if info.simulated else "SIMULATED" not in str(info)


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_simulated_data_says_so_in_name_metadata_and_title(name):
    res = RESOURCES[name]
    simulated = res.get("ketlearn", {}).get("simulated", False)
    assert ("simulated" in res["path"]) == simulated, res["path"]
    if simulated:
        text = (res.get("title", "") + " " + res.get("description", "")).lower()
        assert "simulated" in text


def test_unknown_name_lists_names_and_closest_match():
    with pytest.raises(KeyError) as err:
        data.load("bioavailabilty")
    message = str(err.value)
    assert "'bioavailability'?" in message and "Available:" in message
    with pytest.raises(KeyError):
        data.describe(42)


@pytest.fixture
def broken_copy(tmp_path, monkeypatch):
    """A copy of the datasets folder that data.load reads instead of the real one."""
    folder = tmp_path / "datasets"
    shutil.copytree(DATASETS, folder)
    monkeypatch.setattr(data, "datasets_dir", lambda: folder)
    return folder


def _rewrite(path, edit):
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")


def test_missing_file_names_the_file(broken_copy):
    (broken_copy / "bioavailability.csv").unlink()
    with pytest.raises(data.DatasetError, match=r"bioavailability\.csv"):
        data.load("bioavailability")


def test_truncated_file_is_rejected_not_half_loaded(broken_copy):
    path = broken_copy / "bioavailability.csv"
    _rewrite(path, lambda t: t[: t.rindex(",", 0, len(t) - 40)])
    with pytest.raises(data.DatasetError, match=r"bioavailability\.csv.*line \d+"):
        data.load("bioavailability")


def test_bad_number_is_rejected_with_file_and_line(broken_copy):
    _rewrite(
        broken_copy / "bioavailability.csv",
        lambda t: t.replace(",29,median", ",twenty-nine,median"),
    )
    with pytest.raises(data.DatasetError, match=r"bioavailability\.csv.*'twenty-nine'.*line 6"):
        data.load("bioavailability")


def test_value_outside_the_vocabulary_is_rejected(broken_copy):
    _rewrite(
        broken_copy / "bioavailability.csv", lambda t: t.replace("yan-oral,oral", "yan-oral,orally")
    )
    with pytest.raises(data.DatasetError, match="route"):
        data.load("bioavailability")


def test_empty_required_cell_is_rejected(broken_copy):
    _rewrite(
        broken_copy / "bioavailability.csv",
        lambda t: t.replace(
            ",yanagihara2003plasma,Reported as approximately 20%", ",,Reported as approximately 20%"
        ),
    )
    with pytest.raises(data.DatasetError, match="source_key"):
        data.load("bioavailability")


def test_every_resource_is_valid_frictionless_data():
    import frictionless

    report = frictionless.validate(str(DATASETS / "datapackage.json"))
    assert report.valid, report.flatten(["type", "message"])[:10]


def test_frictionless_rejects_a_deliberately_broken_copy(broken_copy):
    import frictionless

    _rewrite(broken_copy / "bioavailability.csv", lambda t: t.replace(",29,median", ",129,median"))
    report = frictionless.validate(str(broken_copy / "datapackage.json"))
    assert not report.valid
    assert any(e[0] == "constraint-error" for e in report.flatten(["type"]))


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_citation_keys_and_row_sources_resolve(name):
    keys = set(bibliography.keys())
    res = RESOURCES[name]
    for key in res.get("ketlearn", {}).get("citation_keys", []):
        assert key in keys, f"{name}: unknown citation key {key!r}"
    df = data.load(name)
    if "source_key" in df.columns:
        for key in df["source_key"].dropna().unique():
            for part in str(key).replace(",", ";").split(";"):
                assert part.strip() in keys, (
                    f"{name}: row source {part!r} is not in the bibliography"
                )


@pytest.mark.slow
def test_datasets_ship_in_the_wheel(tmp_path):
    """Build a wheel, install it (no deps) in a fresh venv, load a dataset from outside the repo."""
    wheel = build_wheel(tmp_path / "dist")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    done = subprocess.run(
        [str(py), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    site = subprocess.run(
        [sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    script = (
        "import ketlearn, ketlearn.data as d; "
        "assert 'site-packages' in ketlearn.__file__ and 'src' not in ketlearn.__file__.split('site-packages')[1], ketlearn.__file__; "
        "print(ketlearn.__file__); print(len(d.load('bioavailability'))); print(d.datasets_dir())"
    )
    run = subprocess.run(
        [str(py), "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": site, "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 0, run.stderr
    file_line, rows, folder = run.stdout.strip().splitlines()
    assert str(env_dir) in file_line
    assert int(rows) == len(data.load("bioavailability"))
    assert "_datasets" in folder
