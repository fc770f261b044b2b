"""Item analysis for instructors: difficulty, discrimination, reliability, wrong answers, trends.

Pure computation on plain arrays and dicts (no files, no HTML): ``ketlearn report``
(:mod:`ketlearn.grading.report`) reads the gradebook and feeds these functions.

Conventions. A score matrix has one row per student and one column per item, in points; ``max``
gives each item's maximum. Missing scores are not allowed here (a student who did not submit an
assignment is left out of that assignment's item analysis and reported as missing instead).

Definitions (classical test theory):

- *difficulty* of an item: the proportion of students with full marks on it (for a 0/1 item, the
  proportion correct);
- *discrimination*: the corrected item–rest correlation, Pearson's r between the item score and
  the total of the *other* items (for a 0/1 item this is the point-biserial correlation), with
  a 95 % confidence interval from Fisher's z; and the upper–lower index, the difference in
  difficulty between the top and bottom 27 % of students by total score [@kelley1939selection];
- *reliability*: Cronbach's α [@cronbach1951coefficient]; for 0/1 items it equals KR-20
  [@kuder1937theory].
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ItemStats",
    "attention_list",
    "cronbach_alpha",
    "group_answers",
    "item_statistics",
    "kr20",
    "score_histogram",
    "upper_lower_index",
]

#: Share of students in each of the upper and lower groups [@kelley1939selection].
UPPER_LOWER_SHARE = 0.27


def _matrix(scores, name: str = "scores") -> np.ndarray:
    x = np.asarray(scores, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (students x items, points); got {x.ndim}-D")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must hold finite points (no NaN); drop missing students first")
    return x


def cronbach_alpha(scores) -> float:
    """Cronbach's α of a students × items score matrix (points) [@cronbach1951coefficient].

    α = k/(k−1) · (1 − Σ var(item) / var(total)), variances with the same ``ddof``. NaN when
    there are fewer than 2 items or 2 students, or the totals do not vary.

    >>> round(cronbach_alpha([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]]), 4)
    0.75
    """
    x = _matrix(scores)
    n, k = x.shape
    if k < 2 or n < 2:
        return math.nan
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return math.nan
    return float(k / (k - 1) * (1.0 - x.var(axis=0, ddof=1).sum() / total_var))


def kr20(correct) -> float:
    """KR-20 of a students × items matrix of 0/1 answers [@kuder1937theory].

    k/(k−1) · (1 − Σ p q / σ²), with p the proportion correct per item, q = 1 − p and σ² the
    population variance of the totals; equal to :func:`cronbach_alpha` on the same matrix.

    >>> round(kr20([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]]), 4)
    0.75
    """
    x = _matrix(correct, "correct")
    if not np.isin(x, (0.0, 1.0)).all():
        raise ValueError("correct must hold only 0 and 1 (KR-20 is for right/wrong items)")
    n, k = x.shape
    total_var = x.sum(axis=1).var(ddof=0)
    if k < 2 or n < 2 or total_var == 0:
        return math.nan
    p = x.mean(axis=0)
    return float(k / (k - 1) * (1.0 - (p * (1 - p)).sum() / total_var))


def upper_lower_index(item_full, totals, share: float = UPPER_LOWER_SHARE) -> float:
    """Difficulty in the top ``share`` of students by total minus that in the bottom ``share``.

    Group size is ``max(1, floor(share · n))``; ties at the cut are broken by order (stable
    sort). NaN with fewer than 2 students.

    >>> upper_lower_index([1, 1, 0, 0], [4, 3, 2, 1], share=0.5)
    1.0
    """
    if not 0 < share <= 0.5:
        raise ValueError(f"share must be a fraction in (0, 0.5]; got {share}")
    item = np.asarray(item_full, dtype=float)
    tot = np.asarray(totals, dtype=float)
    n = len(item)
    if n < 2:
        return math.nan
    g = max(1, math.floor(share * n))
    order = np.argsort(tot, kind="stable")
    return float(item[order[-g:]].mean() - item[order[:g]].mean())


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 2 or a.std() == 0 or b.std() == 0:
        return math.nan
    return float(np.corrcoef(a, b)[0, 1])


def _fisher_ci(r: float, n: int) -> tuple[float, float]:
    if math.isnan(r) or n <= 3:
        return (math.nan, math.nan)
    z, se = math.atanh(max(min(r, 0.999999), -0.999999)), 1.0 / math.sqrt(n - 3)
    return (math.tanh(z - 1.959964 * se), math.tanh(z + 1.959964 * se))


@dataclass
class ItemStats:
    """Item-analysis figures for one item (see the module docstring for definitions)."""

    item: str
    max_points: float
    n: int
    mean_points: float
    difficulty: float
    item_rest_r: float
    r_ci95: tuple[float, float]
    upper_lower: float
    note: str = ""


def item_statistics(scores, max_points, items: list[str] | None = None) -> list[ItemStats]:
    """Difficulty and discrimination of every column of a students × items matrix (points).

    ``note`` says when the data cannot support a reading of discrimination: an item everyone
    got the same score on, too few students for an interval (n ≤ 3), or a 95 % interval of
    the item–rest r that includes 0 (the item may or may not discriminate).

    >>> s = item_statistics([[1, 2], [1, 0], [0, 2], [0, 0]], [1, 2], ["a", "b"])
    >>> [(x.item, x.difficulty, x.mean_points) for x in s]
    [('a', 0.5, 0.5), ('b', 0.5, 1.0)]
    """
    x = _matrix(scores)
    mx = np.asarray(max_points, dtype=float)
    n, k = x.shape
    if mx.shape != (k,) or not np.all(mx > 0):
        raise ValueError(f"max_points must hold {k} positive numbers of points, one per item")
    names = list(items) if items is not None else [f"item{j + 1}" for j in range(k)]
    if len(names) != k:
        raise ValueError(f"items must name the {k} columns of scores")
    full = (x >= mx - 1e-9).astype(float)
    totals = x.sum(axis=1)
    out = []
    for j in range(k):
        col = x[:, j]
        r = _pearson(col, totals - col)
        ci = _fisher_ci(r, n)
        if n > 0 and col.std() == 0:
            note = "everyone scored the same: no discrimination to measure"
        elif n <= 3:
            note = f"n = {n}: too few students to judge discrimination"
        elif not math.isnan(ci[0]) and ci[0] <= 0 <= ci[1]:
            note = f"n = {n}: the 95 % interval of r includes 0; read discrimination with care"
        else:
            note = ""
        out.append(
            ItemStats(
                item=names[j],
                max_points=float(mx[j]),
                n=n,
                mean_points=float(col.mean()) if n else math.nan,
                difficulty=float(full[:, j].mean()) if n else math.nan,
                item_rest_r=r,
                r_ci95=ci,
                upper_lower=upper_lower_index(full[:, j], totals),
                note=note,
            )
        )
    return out


def score_histogram(percent, width: float = 10.0) -> list[tuple[float, float, int]]:
    """Counts of total scores (percent of the maximum) in bins ``[lo, lo + width)``.

    The last bin includes 100 %.

    >>> score_histogram([0, 55, 59.9, 100], width=50)
    [(0.0, 50.0, 1), (50.0, 100.0, 3)]
    """
    if not 0 < width <= 100:
        raise ValueError(f"width must be in (0, 100] percentage points; got {width}")
    p = np.asarray(percent, dtype=float)
    edges = np.arange(0.0, 100.0 + width / 2, width)
    if edges[-1] < 100.0:
        edges = np.append(edges, 100.0)
    counts, _ = np.histogram(np.clip(p, 0, 100), bins=edges)
    return [
        (float(a), float(b), int(c)) for a, b, c in zip(edges[:-1], edges[1:], counts, strict=True)
    ]


def _normal_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().strip()
    text = re.sub(r"\s+", " ", text)
    return text.strip(" .,;:!?\"'")


def _number(value) -> float | None:
    if type(value) in (int, float):
        return float(value)
    if type(value) is dict and value.get("$") == "npscalar":
        return _number(value.get("v"))
    return None


def group_answers(values, rel: float = 0.0, abs_tol: float = 0.0, top: int = 5):
    """The most common answers, grouped: numbers by the item's tolerance, text normalised.

    Numbers are grouped as the item's test compares them (:func:`ketlearn.checks.is_close`):
    in increasing order, a number joins the current group when it is within
    ``max(rel·|first|, abs_tol)`` of the group's first (smallest) member, else it starts a new
    group; with both tolerances 0 only equal numbers share a group. Text is compared after
    Unicode NFKC normalisation, case folding, collapsing spaces and trimming punctuation.
    Anything else is compared as canonical JSON. Returns up to ``top`` tuples
    ``(label, count)``, most common first; a numeric label gives its group's range (4 digits).

    >>> group_answers([20.0, 20.01, 0.2, "20", " Oral. ", "oral"], rel=0.01)
    [('oral', 2), ('20 to 20.01', 2), ('"20"', 1), ('0.2', 1)]
    """
    if rel < 0 or abs_tol < 0:
        raise ValueError("rel and abs_tol must be >= 0 (a relative and an absolute tolerance)")
    groups: dict[tuple, list] = {}
    numbers = []
    for v in values:
        num = _number(v)
        if num is not None and type(v) is not bool:
            numbers.append(num)
        elif isinstance(v, str):
            key = ("text", _normal_text(v))
            groups.setdefault(key, []).append(v)
        else:
            text = json.dumps(v, sort_keys=True, default=str)[:200]
            groups.setdefault(("json", text), []).append(text)
    first = None
    for num in sorted(numbers, key=lambda n: (math.isnan(n), n)):
        if first is None or not (abs(num - first) <= max(rel * abs(first), abs_tol)):
            first = num
        groups.setdefault(("num", first), []).append(num)
    labelled = []
    for key, members in groups.items():
        if key[0] == "num":
            lo, hi = min(members), max(members)
            label = f"{lo:.4g}" if f"{lo:.4g}" == f"{hi:.4g}" else f"{lo:.4g} to {hi:.4g}"
        elif key[0] == "text":
            label = key[1]
            if label.replace(".", "", 1).lstrip("-").isdigit():
                label = json.dumps(label)  # a number typed as text stays visibly text
        else:
            label = key[1]
        labelled.append((label, len(members)))
    labelled.sort(key=lambda t: -t[1])  # stable: first seen first among equal counts
    return labelled[:top]


def attention_list(
    percent: dict[str, list[float | None]],
    flags: dict[str, int] | None = None,
    assignments: list[str] | None = None,
    drop: float = 15.0,
    max_flags: int = 3,
) -> list[tuple[str, list[str]]]:
    """Students who need attention, with the reasons, from their trajectories.

    ``percent`` maps each student to their score (percent of the maximum) on each assignment in
    course order, ``None`` when not submitted. Reasons: *missing* (any ``None``), *falling*
    (the mean of the last two submitted scores is at least ``drop`` percentage points below the
    mean of the earlier ones; needs 3 or more submissions), *flags* (``flags[student]``
    ≥ ``max_flags``: time-outs, errors, integrity faults). ``drop`` and ``max_flags`` are course
    policy, not evidence-based cut-offs: set them to what your course considers worth a word.

    >>> attention_list({"ada": [90, 88, 91], "bo": [80, 60, 55], "cy": [70, None, 72]})
    [('bo', ['falling: 80% before, 58% in the last two']), ('cy', ['missing: assignment 2'])]
    """
    flags = flags or {}
    out = []
    for student, row in percent.items():
        names = assignments or [f"assignment {i + 1}" for i in range(len(row))]
        reasons = []
        missing = [names[i] for i, v in enumerate(row) if v is None]
        if missing:
            reasons.append("missing: " + ", ".join(missing))
        done = [float(v) for v in row if v is not None]
        if len(done) >= 3:
            before, last = float(np.mean(done[:-2])), float(np.mean(done[-2:]))
            if before - last >= drop:
                reasons.append(f"falling: {before:.0f}% before, {last:.0f}% in the last two")
        if flags.get(student, 0) >= max_flags:
            reasons.append(f"flags: {flags[student]} time-outs, errors or integrity faults")
        if reasons:
            out.append((student, reasons))
    return out
