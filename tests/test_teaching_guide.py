"""The teaching guide: every written item has a rubric with levels and a model answer, in the
notebook's grader-only cell and word for word in docs/teaching-guide.md, and none of it reaches
the student versions (course/release) or the public site page."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "teaching-guide.md"
SITE_PAGE = ROOT / "site" / "teaching-guide.md"


def _written():
    for path in sorted((ROOT / "course" / "source").glob("*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "markdown" and meta.get("solution") and meta.get("grade"):
                yield path.parent.name, meta["grade_id"], cell.source.strip()


WRITTEN = list(_written())


def _lines(text: str) -> list[str]:
    """Distinctive lines of grader text (long enough not to occur by chance)."""
    out = []
    for line in text.splitlines():
        line = line.strip(" -*|")
        if len(line) >= 40:
            out.append(line)
    return out


def test_there_are_nine_written_items_each_with_levels_and_a_model_answer():
    assert len(WRITTEN) >= 9
    for name, gid, text in WRITTEN:
        assert "Rubric" in text, f"{name} {gid}: no rubric"
        assert "odel answer" in text, f"{name} {gid}: no model answer"
        assert re.search(r"\b1: ", text) and re.search(r"0\.5: |1: correct direction", text), (
            f"{name} {gid}: the rubric needs levels (1 / 0.5 / 0)"
        )


@pytest.mark.parametrize(("name", "gid", "text"), WRITTEN, ids=[f"{n}-{g}" for n, g, _ in WRITTEN])
def test_the_guide_holds_the_notebooks_rubric_word_for_word(name, gid, text):
    guide = GUIDE.read_text(encoding="utf-8")
    begin, end = f"<!-- rubric {name} {gid} begin -->", f"<!-- rubric {name} {gid} end -->"
    assert begin in guide and end in guide, (
        f"docs/teaching-guide.md lacks the rubric of {name} {gid}"
    )
    block = guide.split(begin, 1)[1].split(end, 1)[0].strip()
    assert block == text, f"{name} {gid}: the guide and the notebook cell differ; copy the cell"


def test_no_rubric_text_reaches_the_student_versions_or_the_site():
    released = [
        p.read_text(encoding="utf-8")
        for p in sorted((ROOT / "course" / "release").glob("*/*.ipynb"))
    ]
    assert len(released) == 8
    public = [nbformat.reads(t, as_version=4) for t in released]
    public_text = "\n".join(c.source for nb in public for c in nb.cells)
    public_text += "\n" + SITE_PAGE.read_text(encoding="utf-8")
    for name, gid, text in WRITTEN:
        for line in _lines(text):
            assert line not in public_text, f"grader text of {name} {gid} is public: {line[:60]}"
    assert "FOR INSTRUCTORS AND GRADERS ONLY" not in public_text


def test_site_page_is_in_the_toc_and_maps_every_graded_item_to_an_outcome():
    toc = yaml.safe_load((ROOT / "site" / "_toc.yml").read_text(encoding="utf-8"))
    files = [c["file"] for part in toc["parts"] for c in part.get("chapters", [])]
    assert "teaching-guide" in files
    page = SITE_PAGE.read_text(encoding="utf-8")
    for path in sorted((ROOT / "course" / "source").glob("*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        prefix = path.parent.name[:2]
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade"):
                row = [ln for ln in page.splitlines() if ln.startswith("| LO")]
                assert any(
                    f"{prefix}: " in ln
                    and meta["grade_id"] in ln.split(f"{prefix}: ")[1].split(";")[0]
                    for ln in row
                ), f"{path.parent.name} {meta['grade_id']} is not mapped to a learning outcome"
    weeks = re.findall(r"^\| (\d+) \|", page, flags=re.M)
    assert 8 <= len(weeks) <= 12
