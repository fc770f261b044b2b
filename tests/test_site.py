"""The static course website (`make site`, tools/build_site.py).

Fast tests check the build machinery on hand-made inputs (widget snapshots, citation conversion,
README course map). Slow tests build the real site once per session (``build_site.ensure_built``
rebuilds only when an input changed and is safe under pytest-xdist) and check what a reader gets:
every student notebook, no solution or hidden test, alt text on every image, ordered headings,
working internal links, widget snapshots instead of widget JavaScript, Binder and download links,
and a bibliography page built from references.bib.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import build_site
import nbformat
import pytest
import tomllib
from conftest import RELEASE, ROOT, release_notebooks, source_notebooks

RELEASED = [p.parent.name for p in release_notebooks()]


# ------------------------------------------------------------------------------------------
# fast: the machinery on hand-made inputs
# ------------------------------------------------------------------------------------------
def _widget_notebook() -> nbformat.NotebookNode:
    """A notebook whose one output is a VBox(Dropdown, FloatSlider, Output), as nbclient saves it."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("app.widget")
    view = {"version_major": 2, "version_minor": 0, "model_id": "box"}
    cell.outputs = [
        nbformat.v4.new_output(
            "execute_result",
            data={"text/plain": "VBox(...)", build_site.WIDGET_VIEW: view},
            execution_count=1,
        )
    ]
    nb.cells = [cell]
    shown = {
        "output_type": "display_data",
        "metadata": {},
        "data": {"text/html": "<figure><img alt='A dot plot' src='x.png'/></figure>"},
    }
    state = {
        "box": {
            "model_name": "VBoxModel",
            "state": {"children": ["IPY_MODEL_dd", "IPY_MODEL_sl", "IPY_MODEL_out"]},
        },
        "dd": {
            "model_name": "DropdownModel",
            "state": {"description": "Route", "_options_labels": ["oral", "nasal"], "index": 1},
        },
        "sl": {
            "model_name": "FloatSliderModel",
            "state": {"description": "dose (mg/kg)", "value": 0.5, "min": 0.0, "max": 2.0},
        },
        "out": {
            "model_name": "OutputModel",
            "state": {
                "outputs": [shown, {"output_type": "stream", "name": "stdout", "text": "a < b\n"}]
            },
        },
    }
    nb.metadata["widgets"] = {build_site.WIDGET_STATE: {"state": state, "version_major": 2}}
    return nb


def test_widget_snapshot_lists_controls_and_keeps_output():
    nb = _widget_notebook()
    assert build_site.snapshot_widgets(nb) == 1
    (output,) = nb.cells[0].outputs
    snapshot = output["data"]["text/html"]
    assert build_site.WIDGET_VIEW not in output["data"]
    assert "widgets" not in nb.metadata, "widget state must go, or the page loads widget JS"
    assert "Route: nasal (choices: oral, nasal)" in snapshot
    assert "dose (mg/kg): 0.5 (range 0 to 2)" in snapshot
    assert "<img alt='A dot plot'" in snapshot
    assert "a &lt; b" in snapshot, "printed text is escaped"
    assert f'class="{build_site.SNAPSHOT_CLASS}"' in snapshot


def test_widget_snapshot_refuses_an_image_without_alt_text():
    nb = _widget_notebook()
    out = nb.metadata["widgets"][build_site.WIDGET_STATE]["state"]["out"]["state"]
    out["outputs"] = [
        {"output_type": "display_data", "metadata": {}, "data": {"image/png": "iVBO"}}
    ]
    with pytest.raises(RuntimeError, match="text alternative"):
        build_site.snapshot_widgets(nb)


def test_citations_become_bibtex_roles_outside_code():
    text = "F varies [@a2020x; @b-2019:y] and [@c]. Code: `[@not]` and ```\n[@no]\n```."
    assert build_site._cite_roles(text) == (
        "F varies {cite:p}`a2020x,b-2019:y` and {cite:p}`c`. Code: `[@not]` and ```\n[@no]\n```."
    )


def test_binder_is_off_while_the_repository_address_is_a_placeholder():
    config = {"ketlearn": {"repository_url": "https://example.invalid/ketlearn"}}
    assert not build_site.binder_enabled(config)
    assert "Binder is not set up" in build_site._links_cell(config, "00-orientation").source
    config["ketlearn"] |= {"repository_url": "https://git.example/k.git", "branch": "main",
                           "binderhub_url": "https://mybinder.org"}  # fmt: skip
    assert build_site.binder_enabled(config)
    assert "mybinder.org/v2/git/" in build_site._links_cell(config, "00-orientation").source


def test_binder_url_opens_the_student_notebook_in_lab():
    config = {"ketlearn": {"repository_url": "https://git.example/k.git", "branch": "main",
                           "binderhub_url": "https://mybinder.org/"}}  # fmt: skip
    url = build_site.binder_url(config, "02-pharmacokinetics")
    assert url == (
        "https://mybinder.org/v2/git/https%3A%2F%2Fgit.example%2Fk.git/main?urlpath="
        "lab/tree/course/release/02-pharmacokinetics/02-pharmacokinetics.ipynb"
    )


def test_course_map_rows_come_from_the_readme():
    rows = build_site._readme_course_map()
    names = [r["name"] for r in rows]
    assert names[0] == "00-orientation"
    assert set(RELEASED) <= set(names), "every released notebook needs a README course-map row"
    assert all(r["learn"] for r in rows)


def test_site_config_points_at_the_project_repository():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    config = build_site.site_config()
    assert config["ketlearn"]["repository_url"] == pyproject["project"]["urls"]["Source"]
    assert config["execute"]["execute_notebooks"] == "off", "build_site.py executes the notebooks"
    assert config["bibtex_bibfiles"] == ["references.bib"]


def test_toc_lists_every_released_notebook():
    toc = build_site._toc(RELEASED)
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    assert [f for f in files if f.startswith("notebooks/")] == [f"notebooks/{n}" for n in RELEASED]
    assert {"course-map", "accessibility", "bibliography"} <= set(files)


# ------------------------------------------------------------------------------------------
# slow: execution policy on a real kernel
# ------------------------------------------------------------------------------------------
def _exercise_notebook(tmp_path: Path, before: str) -> Path:
    def graded(source, **meta):
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["nbgrader"] = {"schema_version": 3, "locked": False, "task": False, **meta}
        return cell

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# T"),
        nbformat.v4.new_code_cell(before),
        graded("# YOUR CODE HERE\nraise NotImplementedError()", grade=False, solution=True),
        nbformat.v4.new_code_cell("print(answer + 1)"),
        graded("assert answer == 1", grade=True, solution=False, points=1),
        nbformat.v4.new_code_cell("print('after')"),
    ]
    path = tmp_path / "t.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_execution_skips_answers_and_tests_and_notes_waiting_cells(tmp_path):
    nb, report = build_site.execute_student_notebook(_exercise_notebook(tmp_path, "x = 2"))
    assert report["skipped"] == [2, 4]
    assert report["waiting"] == [3]
    assert "once you have answered" in nb.cells[3].outputs[0]["data"]["text/plain"]
    assert not nb.cells[2].outputs and not nb.cells[4].outputs
    assert nb.cells[5].outputs[0]["text"] == "after\n", "cells after an exercise still run"


@pytest.mark.slow
def test_execution_fails_on_an_error_that_is_not_a_missing_answer(tmp_path):
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        build_site.execute_student_notebook(_exercise_notebook(tmp_path, "1 / 0"))


# ------------------------------------------------------------------------------------------
# slow: the real site
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site_html() -> Path:
    pytest.importorskip("jupyter_book", reason="the `site` extra (jupyter-book) is not installed")
    if not RELEASED:
        pytest.skip("no student notebooks in course/release yet")
    return build_site.ensure_built()


class _Page(HTMLParser):
    """Headings inside <article>, images and links of one built page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0  # >0 inside <article>
        self.headings: list[tuple[int, str]] = []
        self.images: list[dict] = []
        self.links: list[str] = []
        self.scripts: list[str] = []
        self._heading: list | None = None
        self.text: list[str] = []
        self.prose: list[str] = []  # text outside <code>/<pre>
        self._code = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article":
            self.depth += 1
        if self.depth and re.fullmatch(r"h[1-6]", tag):
            self._heading = [int(tag[1]), ""]
        if tag == "img":
            self.images.append(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "script":
            self.scripts.append(attrs.get("src") or "")
        if tag in ("code", "pre"):
            self._code += 1

    def handle_endtag(self, tag):
        if tag == "article":
            self.depth -= 1
        if tag in ("code", "pre"):
            self._code = max(0, self._code - 1)
        if self._heading and re.fullmatch(r"h[1-6]", tag):
            self.headings.append((self._heading[0], self._heading[1].strip()))
            self._heading = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading[1] += data
        self.text.append(data)
        if not self._code:
            self.prose.append(data)


def _pages(html_dir: Path) -> dict[str, _Page]:
    pages = {}
    for path in sorted(html_dir.rglob("*.html")):
        rel = path.relative_to(html_dir).as_posix()
        if rel.startswith(("_static/", "_sources/")):
            continue
        page = _Page()
        page.feed(path.read_text(encoding="utf-8"))
        pages[rel] = page
    return pages


@pytest.fixture(scope="module")
def pages(site_html):
    return _pages(site_html)


@pytest.mark.slow
def test_build_reports_what_it_did(site_html):
    import json

    report = json.loads((site_html.parents[2] / "report.json").read_text())
    print(f"site build: {report['seconds']} s (target 120 s)")
    done = {r["notebook"]: r for r in report["notebooks"]}
    assert sorted(done) == RELEASED
    for name, r in done.items():
        assert r["skipped"], f"{name}: no answer/test cells were recognised"


@pytest.mark.slow
def test_every_student_notebook_has_a_page(pages):
    for name in RELEASED:
        assert f"notebooks/{name}.html" in pages, f"{name} is missing from the site"
    for required in ("index.html", "intro.html", "course-map.html", "bibliography.html"):
        assert required in pages


def _secret_lines() -> dict[str, set[str]]:
    """Lines that only the instructor versions contain: solution and hidden-test code."""
    secrets: dict[str, set[str]] = {}
    for path in source_notebooks():
        release = RELEASE / path.parent.name / path.name
        if not release.exists():
            continue
        public = release.read_text(encoding="utf-8")
        lines = set()
        for cell in nbformat.read(path, as_version=4).cells:
            for block in re.findall(
                r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(.*?)### END \1", cell.source, re.S
            ):
                for line in block[1].splitlines():
                    line = line.strip()
                    if (
                        len(line) >= 25
                        and not line.startswith("#")
                        and json_escape(line) not in public
                    ):
                        lines.add(line)
        secrets[path.parent.name] = lines
    return secrets


def json_escape(line: str) -> str:
    import json

    return json.dumps(line)[1:-1]


@pytest.mark.slow
def test_no_solutions_or_hidden_tests_on_the_site(site_html, pages):
    secrets = _secret_lines()
    assert secrets, "no instructor notebooks to compare with"
    everything = {rel: html.unescape("".join(p.text)) for rel, p in pages.items()}
    for rel, text in everything.items():
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
            assert marker not in text, f"{rel} contains {marker!r}"
    for name, lines in secrets.items():
        page = everything[f"notebooks/{name}.html"]
        leaked = [line for line in lines if line in page]
        assert not leaked, f"{name}: instructor-only code on the site: {leaked[:3]}"
    for download in (site_html / "_downloads").rglob("*.ipynb"):
        text = download.read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    # worked solutions are published only by `make site SOLUTIONS=1` (tests/test_worked.py)
    from test_worked import _leaks, _sentences

    assert not (site_html / "worked").exists()
    for rel, text in everything.items():
        leaks = _leaks(text, _sentences())
        assert not leaks, f"{rel} holds a worked solution: {leaks[0]!r}"


@pytest.mark.slow
def test_every_image_has_alt_text(pages):
    for rel, page in pages.items():
        for img in page.images:
            alt = (img.get("alt") or "").strip()
            src = (img.get("src") or "")[:60]
            assert alt, f"{rel}: image {src} has no alt text"
            assert not re.search(r"\.(png|jpe?g|svg|gif)$", alt, re.I), f"{rel}: alt is a file name"


@pytest.mark.slow
def test_headings_are_ordered(pages):
    for rel, page in pages.items():
        levels = [level for level, _ in page.headings]
        if not levels:
            continue
        assert levels[0] == 1 and levels.count(1) == 1, f"{rel}: one h1 first, got {levels[:5]}"
        for (prev, _), (level, text) in zip(page.headings, page.headings[1:], strict=False):
            assert level <= prev + 1, f"{rel}: heading {text!r} jumps from h{prev} to h{level}"


@pytest.mark.slow
def test_internal_links_resolve(site_html):
    assert build_site.check_links(site_html) == []


@pytest.mark.slow
def test_widgets_are_static_snapshots(site_html, pages):
    snapshots = 0
    for name in RELEASED:
        text = (site_html / "notebooks" / f"{name}.html").read_text(encoding="utf-8")
        assert "application/vnd.jupyter.widget" not in text, f"{name}: widget JS/state on page"
        snapshots += text.count(f'class="{build_site.SNAPSHOT_CLASS}"')
    assert snapshots >= 1, "00-orientation has a widget, so there must be a snapshot"
    orientation = (site_html / "notebooks" / "00-orientation.html").read_text(encoding="utf-8")
    assert "Controls, at their starting values" in orientation and "Route: " in orientation
    for (
        name
    ) in RELEASED:  # every control carries a description (build_site falls back to "control")
        text = (site_html / "notebooks" / f"{name}.html").read_text(encoding="utf-8")
        assert "<li>control:" not in text, f"{name}: a widget control has no description"
    for page in pages.values():
        for src in page.scripts:
            assert "jupyter-widgets" not in src and "require.js" not in src


@pytest.mark.slow
def test_notebook_pages_link_to_binder_and_a_clean_download(site_html, pages):
    for name in RELEASED:
        links = pages[f"notebooks/{name}.html"].links
        binder = [u for u in links if u.startswith("https://mybinder.org/v2/")]
        if build_site.binder_enabled(build_site.site_config()):
            assert binder and binder[0].endswith(f"course/release/{name}/{name}.ipynb"), binder
        else:  # placeholder repository address: no broken Binder link
            assert not binder and not [u for u in links if ".invalid" in u], binder
        downloads = [u for u in links if "_downloads/" in u and u.endswith(f"/{name}.ipynb")]
        assert downloads, f"{name}: no download link"
        target = (site_html / "notebooks" / downloads[0]).resolve()
        assert target.read_bytes() == (RELEASE / name / f"{name}.ipynb").read_bytes()
        zips = [u for u in links if "_downloads/" in u and u.endswith(f"/{name}.zip")]
        assert zips, f"{name}: no download of the notebook with its glossary"
        _check_zip(site_html / "notebooks" / zips[0], name)


def _check_zip(path, name: str) -> None:
    """The zip holds the released folder byte for byte, and its glossary links resolve."""
    import re
    import zipfile

    from ketlearn import glossary

    with zipfile.ZipFile(path.resolve()) as archive:
        files = {i.filename: archive.read(i) for i in archive.infolist()}
    released = {
        f"{name}/{p.relative_to(RELEASE / name).as_posix()}": p.read_bytes()
        for p in (RELEASE / name).rglob("*")
        if p.is_file() and ".ipynb_checkpoints" not in p.parts
    }
    assert files == released, f"{name}.zip differs from course/release/{name}"
    page = files[f"{name}/{glossary.PAGE_NAME}"].decode("utf-8")
    headings = {
        line[4:].strip().replace(" ", "-") for line in page.splitlines() if line.startswith("### ")
    }
    notebook = files[f"{name}/{name}.ipynb"].decode("utf-8")
    targets = re.findall(re.escape(glossary.PAGE_NAME) + r"#([^)\s\\]+)\)", notebook)
    assert targets, f"{name}: no glossary links in the released notebook"
    assert set(targets) <= headings, sorted(set(targets) - headings)


@pytest.mark.slow
def test_bibliography_page_lists_every_entry(site_html, pages):
    from ketlearn import bibliography

    text = (site_html / "bibliography.html").read_text(encoding="utf-8")
    assert text.count('class="citation"') == len(bibliography.keys())
    for rel, page in pages.items():
        if rel.startswith("notebooks/"):
            body = "".join(page.prose)  # `[@key]` inside code is an example, not a citation
            assert not re.search(r"\[@[A-Za-z0-9_:\-]+", body), f"{rel}: unconverted citation"
    cited = [u for u in pages["notebooks/00-orientation.html"].links if "bibliography.html#" in u]
    assert cited, "citations should link to the bibliography page"


@pytest.mark.slow
def test_course_map_links_every_notebook_with_objectives(pages):
    page = pages["course-map.html"]
    for name in RELEASED:
        assert any(u.endswith(f"notebooks/{name}.html") for u in page.links), name
    assert len([h for h in page.headings if h[0] == 3]) == len(RELEASED)
    assert "By the end of this notebook you can" in "".join(page.text)


@pytest.mark.slow
def test_site_notebooks_are_the_student_versions(site_html):
    staged = site_html.parents[1] / "notebooks"
    for name in RELEASED:
        built = nbformat.read(staged / f"{name}.ipynb", as_version=4)
        student = nbformat.read(RELEASE / name / f"{name}.ipynb", as_version=4)
        code = [c.source for c in built.cells if c.cell_type == "code"]
        assert code == [c.source for c in student.cells if c.cell_type == "code"], name
        assert len(built.cells) == len(student.cells) + 1, "only the links cell is added"


def test_glossary_links_become_references_to_the_site_page():
    # the links are made once, for JupyterLab, when nbgrader generates the student notebooks
    from ketlearn import glossary

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("The NNT, a placebo, and [a placebo](other.md#Placebo)."),
        nbformat.v4.new_code_cell("# [NNT](glossary.md#Number-needed-to-treat) in code stays"),
    ]
    assert glossary.link_first_uses(nb) == ["Number needed to treat", "Placebo"]
    assert build_site._glossary_roles(nb) == 2
    assert nb.cells[0].source == (
        "The {ref}`NNT <glossary-number-needed-to-treat>`, a {ref}`placebo <glossary-placebo>`, "
        "and [a placebo](other.md#Placebo)."
    )
    assert nb.cells[1].source.startswith("# [NNT](glossary.md#")
    nb.cells = [nbformat.v4.new_markdown_cell("[x](glossary.md#No-such-term)")]
    with pytest.raises(ValueError, match="unknown term"):
        build_site._glossary_roles(nb)


@pytest.mark.slow
def test_glossary_page_defines_every_term_and_notebooks_link_to_it(site_html, pages):
    from ketlearn import glossary

    html = (site_html / "glossary.html").read_text(encoding="utf-8")
    for term in glossary.terms()["term"]:
        assert f'id="glossary-{glossary.anchor(term)}"' in html, term
    linked = {
        name
        for name, page in pages.items()
        if name.startswith("notebooks/")
        and any("glossary.html#glossary-" in link for link in page.links)
    }
    assert len(linked) >= 7, f"notebook pages linking to the glossary: {sorted(linked)}"
    assert "course-map.png" in (site_html / "course-map.html").read_text(encoding="utf-8")
