"""Worked solutions: read ``course/worked/NN-name.md``, seal them per item, render them for a site.

One markdown file per assignment, one ``## qN_tests`` heading per autograded item (the grade_id
of the item's test cell), then a short worked solution (how an expert does it, common pitfalls).
Text before the first heading is the page's introduction (site only).

Two uses, and only these:

- ``tools/selfcheck_data.py`` seals each item's text with :func:`seal_item` (AES-GCM under a key
  derived from the right answer's token, :mod:`ketlearn.answers.sealed`) into the package's data
  file; learners open it with ``selfcheck.worked(...)`` after a right answer. The package never
  holds the text readable.
- ``make site SOLUTIONS=1`` (``tools/build_site.py --solutions``) adds a "Worked solutions" part
  rendered from these files, for instructors to publish after a deadline. The normal site never
  reads this folder.
"""

from __future__ import annotations

import re
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKED = ROOT / "course" / "worked"
_HEADING = re.compile(r"^##\s+(q\w*_tests)\b[^\n]*$", re.MULTILINE)

__all__ = ["WORKED", "parse", "read_worked", "seal_item", "site_pages", "worked_files"]


def worked_files(folder: Path = WORKED) -> list[Path]:
    """The worked-solution files, ``NN-name.md``, in course order."""
    return sorted(p for p in folder.glob("*.md") if re.match(r"\d\d-", p.name))


def read_worked(assignment: str, folder: Path = WORKED) -> dict[str, str]:
    """``{grade_id: markdown}`` of one assignment (empty if it has no file).

    Raises ``ValueError`` for a grade_id given twice or an empty section.
    """
    path = folder / f"{assignment}.md"
    if not path.exists():
        return {}
    return parse(path.read_text(encoding="utf-8"), str(path))


def parse(text: str, where: str = "worked solutions") -> dict[str, str]:
    """Split a worked-solutions file at its ``## qN_tests`` headings.

    >>> parse(
    ...     "# Intro\\n\\n## q1_tests\\nCount rows.\\n\\n## q2_tests — median\\nUse the median.\\n"
    ... )
    {'q1_tests': 'Count rows.', 'q2_tests': 'Use the median.'}
    """
    heads = list(_HEADING.finditer(text))
    out: dict[str, str] = {}
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        body = text[m.end() : end].strip()
        gid = m.group(1)
        if gid in out:
            raise ValueError(f"{where}: {gid} has two sections")
        if not body:
            raise ValueError(f"{where}: the section {gid} is empty")
        out[gid] = body
    return out


def seal_item(
    assignment: str, grade_id: str, text: str, token: str, record_salt: str, old: dict | None
) -> dict:
    """The stored box of one item's worked solution.

    ``old`` (the box stored before) is kept when it still opens with ``token`` to exactly
    ``text`` (so regenerating unchanged solutions gives an identical data file); otherwise a
    fresh salt and nonce are drawn. The salt is never the check record's (``record_salt``).
    """
    from ketlearn._worked import context
    from ketlearn.answers import sealed

    where = context(assignment, grade_id)
    if old and old.get("salt") != record_salt:
        try:
            if sealed.open_sealed(old, [token], where) == text:
                return old
        except (KeyError, ValueError):
            pass
    salt = secrets.token_hex(16)
    while salt == record_salt:  # pragma: no cover - 2**-128
        salt = secrets.token_hex(16)
    return sealed.seal(text, token, salt, where)


# ----------------------------------------------------------------------------- the site part
def site_pages(book: Path, folder: Path = WORKED) -> list[str]:
    """Write one readable page per worked-solutions file into ``book/worked/``.

    Returns the pages (``worked/NN-name``, for the table of contents), in course order. Each
    page is the file's introduction (or a title) followed by its sections, headed by grade_id.
    """
    out = book / "worked"
    out.mkdir(parents=True, exist_ok=True)
    pages = []
    for path in worked_files(folder):
        name = path.stem
        items = read_worked(name, folder)
        text = path.read_text(encoding="utf-8")
        first = _HEADING.search(text)
        intro = text[: first.start()].strip() if first else text.strip()
        if not intro.startswith("# "):
            intro = f"# Worked solutions: {name}\n\n{intro}".strip()
        body = [intro, ""]
        for gid, section in items.items():
            body += [f"## {gid}", "", section, ""]
        (out / f"{name}.md").write_text("\n".join(body).rstrip() + "\n", encoding="utf-8")
        pages.append(f"worked/{name}")
    return pages


if __name__ == "__main__":  # list what is there
    for p in worked_files():
        print(p.name, sorted(read_worked(p.stem)), file=sys.stdout)
