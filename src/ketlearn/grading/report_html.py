"""The ``ketlearn report`` page and CSV files: a thin layer over :mod:`ketlearn.grading.report`.

Writes ``index.html`` (one static page: per assignment a score histogram with its table,
reliability and the item table with wrong answers; per course the trajectories and the "needs
attention" list) and ``items.csv``, ``students.csv``, ``attention.csv``. Everything a student
typed is escaped for HTML, and CSV cells that a spreadsheet would run as a formula are quoted
with a leading apostrophe.
"""

from __future__ import annotations

import csv
import html
import io
import math
from pathlib import Path

from ketlearn.grading.report import CourseReport

__all__ = ["write_report"]

_CSS = """body{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #bbb;padding:.2em .5em;
text-align:left;vertical-align:top}th{background:#eee}.note{color:#8a4b00}figure{margin:0}"""


def _fmt(x, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def _cell(value) -> str:
    """A CSV cell that spreadsheets will not run as a formula."""
    text = "" if value is None else str(value)
    return (
        "'" + text
        if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text)
        else text
    )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _histogram_svg(hist, title: str) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5, 2.6))
    ax = fig.add_subplot()
    ax.bar(
        [lo for lo, _, _ in hist],
        [c for _, _, c in hist],
        width=[hi - lo for lo, hi, _ in hist],
        align="edge",
        color="#4c72b0",
        edgecolor="white",
    )
    ax.set_xlabel("total score (% of maximum)")
    ax.set_ylabel("students")
    ax.set_title(title)
    return _svg(fig)


def _trajectory_svg(report: CourseReport) -> str:
    import numpy as np
    from matplotlib.figure import Figure

    names = [a.name for a in report.assignments]
    fig = Figure(figsize=(6, 2.8))
    ax = fig.add_subplot()
    rows = np.array(
        [[np.nan if v is None else v for v in row] for row in report.trajectories.values()],
        dtype=float,
    ).reshape(len(report.trajectories), len(names))
    x = np.arange(len(names))
    if rows.size:
        for row in rows[: min(len(rows), 200)]:
            ax.plot(x, row, color="#999", alpha=0.25, lw=0.8)
        with np.errstate(all="ignore"):
            if np.isfinite(rows).any():
                q = np.nanpercentile(rows, [25, 50, 75], axis=0)
                ax.fill_between(x, q[0], q[2], color="#4c72b0", alpha=0.3, label="middle half")
                ax.plot(x, q[1], color="#4c72b0", lw=2, label="median")
                ax.legend(loc="lower left", fontsize=8)
    ax.set_xticks(x, names, rotation=30, ha="right", fontsize=8)
    ax.set_ylim(0, 100)
    ax.set_ylabel("score (%)")
    return _svg(fig)


def _table(header: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


ITEM_HEADER = [
    "assignment",
    "notebook",
    "item",
    "kind",
    "max points",
    "students scored",
    "mean points",
    "difficulty (full marks)",
    "item-rest r",
    "r 95% CI",
    "upper-lower index",
    "time-outs",
    "errors",
    "common wrong answers",
    "hint hits",
    "note",
]


def _item_rows(report: CourseReport) -> list[list]:
    rows = []
    for a in report.assignments:
        for it in a.items:
            st = it.stats
            wrong = "; ".join(f"{n} = {lab} ({c})" for n, lab, c in it.wrong_answers)
            hint = "" if it.hints is None else "; ".join(f"{h} ({c})" for h, c in it.hints.items())
            rows.append(
                [
                    a.name,
                    it.notebook,
                    it.grade_id,
                    it.kind,
                    st.max_points if st else None,
                    it.graded,
                    st.mean_points if st else None,
                    st.difficulty if st else None,
                    st.item_rest_r if st else None,
                    f"{_fmt(st.r_ci95[0])} to {_fmt(st.r_ci95[1])}" if st else None,
                    st.upper_lower if st else None,
                    it.timeouts,
                    it.errors,
                    wrong,
                    hint,
                    st.note if st else "not scored for every student yet (manual grading pending)",
                ]
            )
    return rows


def write_report(report: CourseReport, out: str | Path) -> list[Path]:
    """Write ``index.html`` and the CSV files into the folder ``out``; return their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    items = _item_rows(report)
    names = [a.name for a in report.assignments]
    paths = []

    def write_csv(name, header, rows):
        path = out / name
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(
                [[_cell(_fmt(c, 4) if isinstance(c, float) else c) for c in r] for r in rows]
            )
        paths.append(path)

    write_csv("items.csv", ITEM_HEADER, items)
    write_csv(
        "students.csv",
        ["student", *[f"{n} (%)" for n in names], "flags"],
        [[s, *report.trajectories[s], report.flags.get(s, 0)] for s in report.students],
    )
    write_csv(
        "attention.csv", ["student", "reasons"], [[s, "; ".join(r)] for s, r in report.attention]
    )

    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>ketlearn item analysis</title>",
        f"<style>{_CSS}</style></head><body><h1>Item analysis</h1>",
        "<p>Difficulty is the share of students with full marks; discrimination is the corrected "
        "item–rest correlation (point-biserial for right/wrong items) with its 95 % interval, "
        "and the upper–lower index compares the top and bottom 27 % by total score. "
        "Data: items.csv, students.csv, attention.csv.</p>",
    ]
    for a in report.assignments:
        parts.append(f"<h2>{html.escape(a.name)}</h2>")
        parts.append(
            f"<p>{len(a.students)} submissions; reliability: Cronbach's α = {_fmt(a.alpha)}, "
            f"KR-20 (full marks as right) = {_fmt(a.kr20)}, over {a.alpha_items} item(s) "
            "scored for every student.</p>"
        )
        parts.append(f"<figure>{_histogram_svg(a.histogram, a.name)}</figure>")
        parts.append(
            _table(
                ["score (%)", "students"],
                [[f"{lo:.0f}–{hi:.0f}", c] for lo, hi, c in a.histogram],
            )
        )
        parts.append(_table(ITEM_HEADER[2:], [r[2:] for r in items if r[0] == a.name]))
    parts.append("<h2>Course: trajectories</h2>")
    parts.append(f"<figure>{_trajectory_svg(report)}</figure>")
    parts.append("<h2>Needs attention</h2>")
    if report.attention:
        parts.append(
            _table(["student", "reasons"], [[s, "; ".join(r)] for s, r in report.attention])
        )
    else:
        parts.append("<p>Nobody: no missing work, falling scores or repeated flags.</p>")
    parts.append(
        "<h3>Every student</h3>"
        + _table(
            ["student", *[f"{n} (%)" for n in names], "flags"],
            [[s, *report.trajectories[s], report.flags.get(s, 0)] for s in report.students],
        )
    )
    parts.append("</body></html>")
    page = out / "index.html"
    page.write_text("".join(parts), encoding="utf-8")
    paths.insert(0, page)
    return paths
