"""Build the static course website (`make site`) from the STUDENT versions of the notebooks.

What it does, in order:

1. **Stage** a Jupyter Book 1 project in ``build/site/book``: the hand-written pages in ``site/``,
   a generated course map, a bibliography page, and a copy of every ``course/release/*/*.ipynb``.
   Only the student versions are read, never ``course/source/``, so no solution and no hidden test
   can reach the site. (The course map's "in preparation" rows name ``course/source`` *folders*
   only; those notebooks are not opened.)
2. **Execute** each student notebook, nbgrader-aware (our choice over ``execute.allow_errors``):
   answer cells (nbgrader ``solution``) and autograder test cells (nbgrader ``grade``) are *not*
   run, so the site shows the blank answer cell and the visible test code without a traceback.
   A later ordinary cell may fail only with ``NameError`` or ``NotImplementedError`` (a self-check
   waiting for a student's answer); its output is replaced by a short note. Any other error, or any
   error before the first answer cell, fails the build. Notebooks run in parallel (``--jobs``).
3. **Snapshot widgets.** A static page cannot run a kernel, so every ipywidgets view is replaced by
   a static snapshot rendered from the saved widget state: the controls with their starting values
   and choices (as text), then what the widget's output area showed (figure with alt text, caption,
   table, printed summary). Widget state is then dropped, so no widget JavaScript is fetched from a
   CDN.
4. **Link** each notebook page to Binder (``mybinder.org/v2/git/...``, opening the same student
   notebook in JupyterLab) and to a clean download of the student notebook (no outputs); turn the
   notebooks' ``[@key]`` citations into sphinxcontrib-bibtex citations that link to the
   bibliography page, which is built from ``src/ketlearn/references.bib``.
5. **Build** with ``jupyter-book build -W --keep-going`` (warnings are errors; Jupyter Book 1 and
   Sphinx work offline; notebooks are already executed, so ``execute_notebooks: "off"``), then
   **check internal links**: every relative ``href``/``src`` in the HTML must name an existing
   file, and every ``#fragment`` an existing ``id``.

``--solutions`` (``make site SOLUTIONS=1``) builds into ``build/site-solutions`` and adds a
"Worked solutions" part rendered from ``course/worked/*.md`` (readable: for instructors to publish
after a deadline; see ``tools/worked.py``). The normal build never reads that folder.

``ensure_built()`` is what the tests use: under a file lock (several pytest-xdist workers may ask at
once) it builds into ``build/site-tests/<hash of the inputs>`` unless that build exists already
(inputs: notebooks, site pages, package code, datasets, README, bibliography and this file).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import fcntl
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import yaml

from ketlearn import progress

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
RELEASE = ROOT / "course" / "release"
SOURCE = ROOT / "course" / "source"
BIB = ROOT / "src" / "ketlearn" / "references.bib"
README = ROOT / "README.md"
OUT = ROOT / "build" / "site"  # `make site`
SOLUTIONS_OUT = ROOT / "build" / "site-solutions"  # `make site SOLUTIONS=1`: never the same folder
TEST_OUT = ROOT / "build" / "site-tests"  # ensure_built(), for the tests

#: Per-cell limit. Course notebooks run in < 60 s in all, so no cell should come near it. It is
#: also how long a rare stall costs: under load, nbclient sometimes receives a finished cell's
#: reply only when its wait times out (seen here: a NameError cell "taking" exactly 120 s with
#: the old limit, about 1 notebook in 10), so a shorter limit keeps the build near its target.
CELL_TIMEOUT_S = 45
#: Errors tolerated after the first answer cell: the student has not answered yet.
WAITING_FOR_ANSWER = ("NameError", "NotImplementedError")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
SNAPSHOT_CLASS = "ketlearn-widget-snapshot"

__all__ = [
    "BuildResult",
    "build",
    "check_links",
    "ensure_built",
    "execute_student_notebook",
    "release_notebooks",
    "snapshot_widgets",
]


def release_notebooks(release: Path = RELEASE) -> list[Path]:
    """The student notebooks, ``course/release/NN-topic/NN-topic.ipynb``, in course order."""
    return sorted(p for p in release.glob("*/*.ipynb") if p.stem == p.parent.name)


def site_config(site: Path = SITE) -> dict:
    """site/_config.yml, with the repository address from pyproject.toml's ``Source`` URL.

    The address is set in one place, ``[project.urls] Source``; the Binder links use it.
    """
    config = yaml.safe_load((site / "_config.yml").read_text(encoding="utf-8"))
    config.setdefault("ketlearn", {})["repository_url"] = repository_url()
    return config


def repository_url(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """``[project.urls] Source`` from pyproject.toml: the public git repository of the course."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    return data["project"].get("urls", {}).get("Source", "")


def binder_enabled(config: dict) -> bool:
    """False while the repository address is empty or a placeholder (an ``.invalid`` host).

    ``.invalid`` is reserved for addresses that can never resolve (RFC 6761), so such a link
    could only fail; the site then explains how to switch Binder on instead.
    """
    host = urllib.parse.urlsplit(config["ketlearn"].get("repository_url") or "").hostname or ""
    return bool(host) and not (host == "invalid" or host.endswith(".invalid"))


# --------------------------------------------------------------------------------------------
# 2. nbgrader-aware execution
# --------------------------------------------------------------------------------------------
def _nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {}) or {}


def _is_answer(cell) -> bool:
    meta = _nbgrader(cell)
    return cell.cell_type == "code" and bool(meta.get("solution")) and not meta.get("grade")


def _is_autograder_test(cell) -> bool:
    meta = _nbgrader(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def _note_output(text: str) -> dict:
    body = f'<p class="ketlearn-note"><em>{html.escape(text)}</em></p>'
    return nbformat.v4.new_output("display_data", data={"text/html": body, "text/plain": text})


def execute_student_notebook(path: Path, timeout_s: int = CELL_TIMEOUT_S):
    """Run a student notebook for the site; return ``(notebook, report)``.

    ``report`` has ``skipped`` (answer and autograder test cells not run), ``waiting`` (cells
    whose NameError/NotImplementedError was replaced by a note) and ``seconds``.
    Raises ``RuntimeError`` for any other error.
    """
    from nbclient import NotebookClient

    from ketlearn import _nbclient_patch

    _nbclient_patch.apply()  # jupyter/nbclient#312: a missed reply must not cost a whole time-out

    started = time.perf_counter()
    nb = nbformat.read(path, as_version=4)
    # run in a scratch copy of the assignment folder: a notebook that writes files must not
    # change course/release
    scratch = Path(tempfile.mkdtemp(prefix="ketlearn-site-run-"))
    workdir = scratch / path.parent.name
    shutil.copytree(path.parent, workdir, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    client = NotebookClient(
        nb,
        timeout=timeout_s,
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
        store_widget_state=True,
    )
    try:
        with progress.recording_off():  # the kernel starts inside: it records nothing
            return _run_cells(client, nb, path, started)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _run_cells(client, nb, path: Path, started: float):
    from nbclient.exceptions import CellExecutionError

    report = {"notebook": path.parent.name, "skipped": [], "waiting": [], "slow_cells": {}}
    seen_answer = False
    with client.setup_kernel():
        report["kernel_start_s"] = round(time.perf_counter() - started, 1)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if _is_answer(cell) or _is_autograder_test(cell):
                seen_answer = seen_answer or _is_answer(cell)
                report["skipped"].append(index)
                continue
            cell_started = time.perf_counter()
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as err:
                ename = next(
                    (o.get("ename") for o in cell.outputs if o.get("output_type") == "error"), ""
                )
                if seen_answer and ename in WAITING_FOR_ANSWER:
                    cell.outputs = [
                        _note_output(
                            "This cell runs once you have answered the exercise above "
                            "(it needs your answer). Run the notebook yourself to see its output."
                        )
                    ]
                    cell.execution_count = None
                    report["waiting"].append(index)
                    continue
                raise RuntimeError(
                    f"{path.parent.name}/{path.name} cell {index} failed while building the site "
                    f"({ename or 'error'}):\n{err}"
                ) from None
            finally:
                cell_s = time.perf_counter() - cell_started
                if cell_s > 5:
                    report["slow_cells"][index] = round(cell_s, 1)
        client.set_widgets_metadata()
        executed = time.perf_counter()
    report["shutdown_s"] = round(time.perf_counter() - executed, 1)
    report["seconds"] = round(time.perf_counter() - started, 1)
    return nb, report


# --------------------------------------------------------------------------------------------
# 3. static widget snapshots
# --------------------------------------------------------------------------------------------
def _md_to_html(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").render(text)


def _render_output(output: dict) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        return f'<pre class="ketlearn-printed">{html.escape(output.get("text", ""))}</pre>'
    if kind == "error":
        raise RuntimeError(f"a widget's output area holds an error: {output.get('ename')}")
    data = output.get("data", {})
    if "text/html" in data:
        return (
            "".join(data["text/html"]) if isinstance(data["text/html"], list) else data["text/html"]
        )
    if "text/markdown" in data:
        return _md_to_html(data["text/markdown"])
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            alt = (output.get("metadata", {}).get("alt") or "").strip()
            if not alt:
                raise RuntimeError(
                    "a widget shows an image without a text alternative: display it with "
                    "ketlearn.plots.figure_with_table(fig, table, caption)"
                )
            src = f"data:{mime};base64,{data[mime]}"
            return f'<img src="{src}" alt="{html.escape(alt, quote=True)}"/>'
    if "image/svg+xml" in data:
        return data["image/svg+xml"]
    if "text/plain" in data:
        return f'<pre class="ketlearn-printed">{html.escape(data["text/plain"])}</pre>'
    return ""


def _option_label(state: dict, index) -> str:
    labels = state.get("_options_labels") or []
    if index is None:
        return "none"
    if isinstance(index, list):
        return ", ".join(labels[i] for i in index) or "none"
    return labels[index] if 0 <= index < len(labels) else str(index)


def _control_text(model: str, state: dict) -> str | None:
    """``'Route: intranasal (choices: ...)'`` for a control; ``None`` for anything else."""
    label = (state.get("description") or state.get("tooltip") or "").strip() or "control"
    if "_options_labels" in state:
        if "index" not in state:
            return None
        chosen = _option_label(state, state.get("index"))
        choices = ", ".join(state["_options_labels"])
        return f"{label}: {chosen} (choices: {choices})"
    if model in ("CheckboxModel", "ToggleButtonModel"):
        return f"{label}: {'on' if state.get('value') else 'off'}"
    if model == "ButtonModel":
        return f"button “{label}”"
    if "value" in state and model not in ("HTMLModel", "HTMLMathModel", "LabelModel"):
        value = state["value"]
        if isinstance(value, list):
            value = " to ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
        elif isinstance(value, float):
            value = f"{value:g}"
        rng = ""
        if "min" in state and "max" in state:
            lo, hi = state["min"], state["max"]
            rng = f" (range {lo:g} to {hi:g})" if isinstance(lo, int | float) else ""
        return f"{label}: {value}{rng}"
    return None


def _walk(model_id: str, models: dict, controls: list[str], parts: list[str]) -> None:
    entry = models.get(model_id)
    if entry is None:
        raise RuntimeError(f"widget model {model_id} has no saved state")
    name, state = entry["model_name"], entry["state"]
    if name == "OutputModel":
        parts.extend(_render_output(o) for o in state.get("outputs", []))
        return
    if name in ("HTMLModel", "HTMLMathModel"):
        parts.append(f"<div>{state.get('value', '')}</div>")
        return
    if name == "LabelModel":
        parts.append(f"<p>{html.escape(str(state.get('value', '')))}</p>")
        return
    if "children" in state:
        for ref in state["children"]:
            _walk(str(ref).removeprefix("IPY_MODEL_"), models, controls, parts)
        return
    text = _control_text(name, state)
    if text:
        controls.append(text)


def _snapshot_html(model_id: str, models: dict) -> str:
    controls: list[str] = []
    parts: list[str] = []
    _walk(model_id, models, controls, parts)
    items = "".join(f"<li>{html.escape(c)}</li>" for c in controls)
    controls_html = (
        f'<p>Controls, at their starting values:</p><ul class="ketlearn-widget-controls">{items}</ul>'
        if controls
        else ""
    )
    return (
        f'<div class="{SNAPSHOT_CLASS}" role="group" aria-label="Static snapshot of an interactive '
        f'widget"><p><strong>Static snapshot of an interactive widget.</strong> This web page '
        f"cannot run Python, so it shows what the widget displays at its starting values. Launch "
        f"the notebook on Binder or download it (links at the top of this page) to move the "
        f"controls.</p>{controls_html}{''.join(parts)}</div>"
    )


def snapshot_widgets(nb) -> int:
    """Replace every widget view output by a static snapshot; drop the widget state. Returns count."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for i, output in enumerate(cell.get("outputs", [])):
            data = output.get("data", {})
            if WIDGET_VIEW not in data:
                continue
            snapshot = _snapshot_html(data[WIDGET_VIEW]["model_id"], state)
            cell.outputs[i] = nbformat.v4.new_output(
                "display_data",
                data={"text/html": snapshot, "text/plain": "Static snapshot of a widget."},
            )
            count += 1
    nb.metadata.pop("widgets", None)
    return count


# --------------------------------------------------------------------------------------------
# 4. links and citations
# --------------------------------------------------------------------------------------------
_CITATION = re.compile(r"\[(@[A-Za-z0-9_:\-]+(?:\s*;\s*@[A-Za-z0-9_:\-]+)*)\]")


def _cite_roles(text: str) -> str:
    """``[@a; @b]`` -> ``{cite:p}`a,b``` (sphinxcontrib-bibtex), outside code spans/blocks."""

    def convert(chunk: str) -> str:
        return _CITATION.sub(
            lambda m: (
                "{cite:p}`" + ",".join(k.strip().lstrip("@") for k in m.group(1).split(";")) + "`"
            ),
            chunk,
        )

    pieces = re.split(r"(```.*?```|`[^`\n]*`)", text, flags=re.S)
    return "".join(p if i % 2 else convert(p) for i, p in enumerate(pieces))


def _glossary_roles(nb) -> int:
    """Turn the student notebook's glossary links into references to the site's glossary page.

    The links themselves are made once, when nbgrader generates the student notebooks
    (:func:`ketlearn.glossary.link_first_uses`, run by ``ketlearn.grading.glossary_links``):
    ``[text](glossary.md#Heading-id)``, for JupyterLab. Here each becomes ``{ref}`text
    <glossary-anchor>```, so Sphinx checks that the target exists. Returns how many.
    """
    from ketlearn import glossary

    labels = {
        glossary.heading_id(t): f"glossary-{glossary.anchor(t)}" for t in glossary.terms().term
    }
    link = re.compile(r"(?<!!)\[([^\]\n]+)\]\(" + re.escape(glossary.PAGE_NAME) + r"#([^)\s]+)\)")
    count = 0

    def role(m: re.Match) -> str:
        nonlocal count
        if m.group(2) not in labels:
            raise ValueError(f"glossary link to an unknown term: {m.group(0)!r}")
        count += 1
        return "{ref}`" + m.group(1) + " <" + labels[m.group(2)] + ">`"

    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = link.sub(role, cell.source)
    return count


def binder_url(config: dict, notebook: str) -> str:
    repo = config["ketlearn"]["repository_url"]
    branch = config["ketlearn"].get("branch", "main")
    path = f"lab/tree/course/release/{notebook}/{notebook}.ipynb"
    return (
        f"{config['ketlearn']['binderhub_url'].rstrip('/')}/v2/git/"
        f"{urllib.parse.quote(repo, safe='')}/{branch}?urlpath={urllib.parse.quote(path)}"
    )


#: Shown instead of a Binder link while pyproject.toml's Source URL is a placeholder.
BINDER_DISABLED_NOTE = (
    "Binder is not set up for this copy of the course yet. To switch it on, set "
    "`[project.urls] Source` in `pyproject.toml` to the public git repository's address and "
    "rebuild the site (`make site`)."
)


def _links_cell(config: dict, notebook: str):
    text = (
        "```{admonition} Run this notebook yourself\n"
        ":class: tip\n\n"
        "This page is a static copy of the student notebook: answer cells are left blank and "
        "widgets are shown as snapshots.\n\n"
        + (
            f"- [Launch it on Binder]({binder_url(config, notebook)}) (JupyterLab in your "
            "browser, with live widgets; nothing to install).\n"
            if binder_enabled(config)
            else f"- {BINDER_DISABLED_NOTE}\n"
        )
        + f"- {{download}}`Download the notebook <../downloads/{notebook}.ipynb>`, or "
        f"{{download}}`the notebook with its glossary <../downloads/{notebook}.zip>` (a zip of "
        "the assignment folder, so the glossary links work offline), and open it in your own "
        "JupyterLab (`make lab` sets one up).\n"
        "```"
    )
    return nbformat.v4.new_markdown_cell(text)


# --------------------------------------------------------------------------------------------
# 1. staging: course map, toc, notebooks
# --------------------------------------------------------------------------------------------
def _readme_course_map(readme: Path = README) -> list[dict]:
    """The rows of the README's course-map table: number, assignment, strand, what you learn."""
    text = readme.read_text(encoding="utf-8")
    section = text.split("## Course map", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.fullmatch(r"\d\d", cells[0]):
            rows.append(
                {
                    "number": cells[0],
                    "name": cells[1].strip("`"),
                    "strand": cells[2],
                    "learn": cells[3],
                }
            )
    return rows


def _opening(nb) -> dict:
    """Title, learning objectives (Markdown list) and time estimate from a notebook's opening."""
    first = [c.source for c in nb.cells[:4] if c.cell_type == "markdown"]
    text = "\n\n".join(first)
    title = re.search(r"^#\s+(.+)$", text, re.M)
    objectives = ""
    match = re.search(
        r"learning objectives\.?\*\*[^\n]*\n+((?:(?:\d+\.|\s{2,}|-)[^\n]*\n?)+)", text, re.I
    )
    if match:
        objectives = match.group(1).rstrip()
    time_match = re.search(r"\*\*Time\.?\*\*\s*([^\n]+)", text)
    return {
        "title": title.group(1).strip() if title else "",
        "objectives": objectives,
        "time": time_match.group(1).strip() if time_match else "",
    }


def _course_map(notebooks: dict[str, object], book: Path | None = None) -> str:
    lines = [
        "# Course map",
        "",
        "The course is a sequence of notebooks. Each one opens with learning objectives,",
        "prerequisites and a time estimate, and closes with a summary, what its models leave out,",
        "and its references. Notebook 00 needs no pharmacology; later notebooks say which earlier",
        "ones they build on.",
        "",
    ]
    if book is not None:  # the map as a picture (drawn by ketlearn.views.diagrams), with alt text
        from ketlearn.views import diagrams

        picture = diagrams.course_map_diagram()
        (book / "_static" / "course-map.png").write_bytes(picture.png())
        alt = picture.alt.replace("[", "(").replace("]", ")")
        lines += [f"![{alt}](_static/course-map.png)", "", f"*{picture.caption}*", ""]
    lines += [
        "| # | Notebook | Strand | What you learn |",
        "|---|---|---|---|",
    ]
    for row in _readme_course_map():
        name = row["name"]
        link = (
            f"[{name}](notebooks/{name}.ipynb)" if name in notebooks else f"{name} (in preparation)"
        )
        lines.append(f"| {row['number']} | {link} | {row['strand']} | {row['learn']} |")
    lines += ["", "## Learning objectives, notebook by notebook", ""]
    for name, nb in notebooks.items():
        info = _opening(nb)
        lines += [f"### [{info['title'] or name}](notebooks/{name}.ipynb)", ""]
        if info["time"]:
            lines += [f"*Time:* {info['time']}", ""]
        if info["objectives"]:
            lines += ["By the end of this notebook you can:", "", info["objectives"], ""]
    return "\n".join(lines) + "\n"


def _toc(names: list[str], worked: list[str] | None = None) -> dict:
    """site/_toc.yml with the notebooks; plus a "Worked solutions" part only when ``worked``."""
    toc = yaml.safe_load((SITE / "_toc.yml").read_text(encoding="utf-8"))
    for part in toc["parts"]:
        if part.get("caption") == "Notebooks":
            part["chapters"] = [{"file": f"notebooks/{n}"} for n in names]
    if worked:
        at = next(i for i, p in enumerate(toc["parts"]) if p.get("caption") == "Notebooks") + 1
        toc["parts"].insert(
            at, {"caption": "Worked solutions", "chapters": [{"file": f} for f in worked]}
        )
    return toc


def _execute_one(path_str: str):
    nb, report = execute_student_notebook(Path(path_str))
    return nbformat.writes(nb), report


#: MathJax comes from the npm package, installed once into build/cache (a package install, like
#: every other dependency) and copied into the site, so pages render maths with no CDN.
MATHJAX_VERSION = "3.2.2"
MATHJAX_CACHE = ROOT / "build" / "cache" / "mathjax"
#: What the pages load (site/_config.yml's mathjax_path, at the site root) and what it may
#: load lazily (TeX extensions, output fonts, the menu and accessibility components).
MATHJAX_FILES = ("tex-mml-chtml.js", "input", "output/chtml", "ui", "a11y", "adaptors")


def vendor_mathjax(static: Path, cache: Path = MATHJAX_CACHE) -> Path:
    """Copy MathJax (npm ``mathjax``, :data:`MATHJAX_VERSION`) into ``<static>/mathjax``.

    The npm package is installed into ``cache`` the first time (``npm install``, the only
    download the site build makes; later builds are offline). Raises ``RuntimeError`` with what
    to do when npm is missing or the install fails.
    """
    es5 = cache / "node_modules" / "mathjax" / "es5"
    if not (es5 / MATHJAX_FILES[0]).exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError(
                "the site serves MathJax itself and installs it with npm once: install Node.js "
                f"and npm, or put the npm package mathjax@{MATHJAX_VERSION} into {cache}"
            )
        cache.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--no-package-lock", "--prefix",
             str(cache), f"mathjax@{MATHJAX_VERSION}"],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        if done.returncode != 0 or not (es5 / MATHJAX_FILES[0]).exists():
            raise RuntimeError(
                f"`npm install mathjax@{MATHJAX_VERSION}` failed: {done.stderr[-500:]}"
            )
    target = static / "mathjax"
    for item in MATHJAX_FILES:
        source = es5 / item
        if source.is_dir():
            shutil.copytree(source, target / item, dirs_exist_ok=True)
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target / item)
    return target


def stage(book: Path, jobs: int = 2, solutions: bool = False) -> list[dict]:
    """Write the Jupyter Book project into ``book``; return the execution reports.

    ``solutions`` adds the worked solutions (``course/worked/*.md``, readable) as their own part,
    for an instructor to publish after a deadline (``make site SOLUTIONS=1``); without it the
    site never reads that folder.
    """
    if book.exists():
        shutil.rmtree(book)
    shutil.copytree(SITE, book, ignore=shutil.ignore_patterns("_build", "__pycache__"))
    (book / "notebooks").mkdir()
    (book / "downloads").mkdir()
    vendor_mathjax(book / "_vendor")  # site/_config.yml: html_extra_path (not a static path)
    shutil.copy(BIB, book / "references.bib")
    config = site_config()
    paths = release_notebooks()
    executed: dict[str, object] = {}
    reports = []
    with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        for path, (text, report) in zip(
            paths, pool.map(_execute_one, [str(p) for p in paths]), strict=True
        ):
            executed[path.parent.name] = nbformat.reads(text, as_version=4)
            reports.append(report)
    for path in paths:
        name = path.parent.name
        nb = executed[name]
        report = next(r for r in reports if r["notebook"] == name)
        report["widgets"] = snapshot_widgets(nb)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = _cite_roles(cell.source)
        report["glossary_links"] = _glossary_roles(nb)
        nb.cells.insert(1, _links_cell(config, name))
        nbformat.write(nb, book / "notebooks" / f"{name}.ipynb")
        shutil.copy(path, book / "downloads" / f"{name}.ipynb")
        _zip_folder(path.parent, book / "downloads" / f"{name}.zip")
    (book / "course-map.md").write_text(_course_map(executed, book), encoding="utf-8")
    (book / "glossary.md").write_text(_glossary_page(), encoding="utf-8")
    worked_pages = None
    if solutions:
        import worked  # tools/worked.py

        worked_pages = worked.site_pages(book)
    toc = _toc(list(executed), worked_pages)
    (book / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))
    return reports


def _zip_folder(folder: Path, target: Path) -> None:
    """Zip a released assignment folder (the notebook and its glossary.md) as ``name/...``.

    Entries are sorted and stamped with a fixed date, so the same folder gives the same bytes.
    """
    import zipfile

    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if ".ipynb_checkpoints" in path.parts:
                continue
            info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}")
            info.date_time = (2026, 1, 1, 0, 0, 0)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())


def _glossary_page() -> str:
    """The glossary page, rendered from the glossary dataset by ketlearn.glossary (one source)."""
    from ketlearn import glossary

    return _cite_roles(glossary.markdown_page()) + "\n"


# --------------------------------------------------------------------------------------------
# 5. build and link check
# --------------------------------------------------------------------------------------------
class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key) and (key == "id" or tag == "a"):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            value = attrs.get(key)
            if value and not (tag == "link" and attrs.get("rel") in ("preconnect", "dns-prefetch")):
                self.links.append(value)


_SIDEBAR = '<div id="pst-primary-sidebar" class="bd-sidebar-primary bd-sidebar">'
_EMPTY_TH = re.compile(r"<th(\s[^>]*)?>(\s*)</th>")


def accessible_html(html_dir: Path) -> int:
    """Fix the two accessibility findings the theme and pandas leave in every build.

    - axe ``region``: the primary sidebar (site title, search, contents) is a plain ``div``, so
      the site title is outside any landmark; it becomes a navigation landmark of its own.
    - axe ``empty-table-header``: pandas writes empty header cells (the corner above the index,
      unnamed column levels); each gets visually hidden text, so a screen reader announces
      "no label" instead of nothing.

    Returns the number of pages changed.

    >>> _EMPTY_TH.sub(_label_th, '<tr><th></th><th>dose</th><th class="blank"> </th></tr>')
    '<tr><th><span class="visually-hidden">no label</span></th><th>dose</th><th class="blank"><span class="visually-hidden">no label</span></th></tr>'
    """
    changed = 0
    for page in html_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        fixed = text.replace(
            _SIDEBAR, _SIDEBAR[:-1] + ' role="navigation" aria-label="Course sidebar">'
        )
        fixed = _EMPTY_TH.sub(_label_th, fixed)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")
            changed += 1
    return changed


def _label_th(match: re.Match) -> str:
    return f'<th{match.group(1) or ""}><span class="visually-hidden">no label</span></th>'


def check_links(html_dir: Path) -> list[str]:
    """Broken internal links in the built site: ``'page.html -> target'`` strings (empty: none)."""
    parsed: dict[Path, _Links] = {}

    def parse(page: Path) -> _Links:
        if page not in parsed:
            parser = _Links()
            parser.feed(page.read_text(encoding="utf-8", errors="replace"))
            parsed[page] = parser
        return parsed[page]

    broken = []
    for page in sorted(html_dir.rglob("*.html")):
        if page.relative_to(html_dir).parts[0] in ("_static", "_sources"):
            continue  # theme templates and copied sources, not pages
        for link in parse(page).links:
            url = urllib.parse.urlsplit(link)
            if url.scheme or link.startswith(("//", "data:", "mailto:", "javascript:")):
                continue
            target = page if not url.path else (page.parent / urllib.parse.unquote(url.path))
            target = target.resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(html_dir)} -> {link}")
                continue
            if url.fragment and target.suffix == ".html":
                if urllib.parse.unquote(url.fragment) not in parse(target).ids:
                    broken.append(f"{page.relative_to(html_dir)} -> {link} (no such anchor)")
    return broken


@dataclass
class BuildResult:
    html: Path
    seconds: float
    reports: list[dict] = field(default_factory=list)
    log: str = ""
    stage_seconds: float = 0.0


def build(out: Path = OUT, jobs: int = 2, solutions: bool = False) -> BuildResult:
    """Stage, execute and build the site into ``out``; raise ``RuntimeError`` on any problem."""
    started = time.perf_counter()
    book = out / "book"
    with progress.recording_off():  # executing notebooks never records a learner's progress
        reports = stage(book, jobs=jobs, solutions=solutions)
    staged = time.perf_counter()
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(book), "--builder", "html", "-W", "--keep-going"]
    env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    log = proc.stdout + proc.stderr
    (out / "build.log").write_text(log, encoding="utf-8")
    html_dir = book / "_build" / "html"
    if proc.returncode != 0:
        warnings = [ln for ln in log.splitlines() if "WARNING" in ln or "ERROR" in ln]
        raise RuntimeError(
            "jupyter-book build failed (warnings are errors):\n"
            + "\n".join(warnings[:40] or log.splitlines()[-40:])
        )
    accessible_html(html_dir)
    broken = check_links(html_dir)
    if broken:
        raise RuntimeError("broken internal links:\n" + "\n".join(broken[:40]))
    result = BuildResult(html_dir, round(time.perf_counter() - started, 1), reports, log)
    result.stage_seconds = round(staged - started, 1)
    (out / "report.json").write_text(
        json.dumps({"seconds": result.seconds, "notebooks": reports}, indent=2) + "\n"
    )
    return result


def inputs_hash() -> str:
    """A hash of everything the site is built from (to skip rebuilding an up-to-date site)."""
    digest = hashlib.sha256()
    files = [Path(__file__), README, BIB, ROOT / "pyproject.toml", *release_notebooks()]
    files += sorted(SITE.rglob("*")) + sorted((ROOT / "src" / "ketlearn").rglob("*.py"))
    files += sorted((ROOT / "datasets").glob("*"))
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_built(root: Path = TEST_OUT, jobs: int = 2, keep: int = 3) -> Path:
    """The HTML folder of a site built from the current inputs; builds it if needed.

    Each set of inputs gets its own folder ``root/<hash>``, built under a file lock, so parallel
    test workers build once and a rebuild (an input changed mid-run) never deletes pages another
    worker is reading. Only the ``keep`` most recent builds are kept.
    """
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        wanted = inputs_hash()
        out = root / wanted[:16]
        html_dir = out / "book" / "_build" / "html"
        if (out / "complete").exists():
            return html_dir
        if out.exists():
            shutil.rmtree(out)
        build(out, jobs=jobs)
        (out / "complete").write_text(wanted)
        builds = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
        for old in builds[:-keep]:
            shutil.rmtree(old, ignore_errors=True)
        return html_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=None, help="build folder (default build/site)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed in parallel")
    parser.add_argument(
        "--solutions",
        action="store_true",
        help="add the worked solutions (course/worked/) as a readable part, for publishing after "
        f"a deadline; default folder {SOLUTIONS_OUT.relative_to(ROOT)}",
    )
    args = parser.parse_args(argv)
    out = args.out or (SOLUTIONS_OUT if args.solutions else OUT)
    try:
        result = build(out, jobs=args.jobs, solutions=args.solutions)
    except RuntimeError as err:
        print(f"site build FAILED: {err}", file=sys.stderr)
        return 1
    for r in result.reports:
        print(
            f"  {r['notebook']}: {r['seconds']} s, {len(r['skipped'])} answer/test cells not run, "
            f"{len(r['waiting'])} cells waiting for answers, {r['widgets']} widget snapshots "
            f"(kernel start {r['kernel_start_s']} s, shutdown {r['shutdown_s']} s"
            + (f", slow cells {r['slow_cells']}" if r["slow_cells"] else "")
            + ")"
        )
    print(f"Notebooks executed and staged in {result.stage_seconds} s")
    print(f"Site built in {result.seconds} s: {result.html}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
