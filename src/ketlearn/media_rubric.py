"""Appraisal rubric and inter-rater agreement for assignment 06.

- **Rubric.** Fourteen red-flag criteria built on HealthNewsReview.org's ten criteria
  [@healthnewsreview2018criteria], DISCERN [@charnock1999discern] and the IHC Key Concepts
  [@oxman2022key], stored as data (``media_rubric.csv``), each scored 0 (absent, good),
  1 (minor or qualified) or 2 (prominent). :func:`score_text` validates and totals a set of scores.
- **Agreement.** :func:`cohen_kappa` gives Cohen's kappa and weighted kappa [@cohen1968weighted]
  for two raters by calling scikit-learn's ``cohen_kappa_score``; our wrapper only checks inputs
  (same item sets, scores on the scale) and fixes the category list to the rubric's scale.
  :func:`class_agreement` does every pair of raters in a class. Tests compare both with
  ``statsmodels.stats.inter_rater.cohens_kappa`` and with hand-worked values.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from ketlearn._validation import check_choice

__all__ = ["RubricScore", "class_agreement", "cohen_kappa", "load_rubric", "score_text"]


def load_rubric() -> pd.DataFrame:
    """The 14-criterion red-flag rubric as a DataFrame (from ``media_rubric.csv``).

    Columns: ``criterion_id``, ``name``, ``question``, ``scale_min``, ``scale_max``,
    ``anchor_0``, ``anchor_1``, ``anchor_2``, ``frameworks``, ``source_keys``.

    >>> rubric = load_rubric()
    >>> len(rubric), int(rubric["scale_max"].max())
    (14, 2)
    """
    from ketlearn import data

    return data.load("media_rubric")


@dataclass(frozen=True)
class RubricScore:
    """A validated rubric score for one text.

    Attributes
    ----------
    total : int
        Sum of the applicable criteria (higher = more concerning).
    max_total : int
        Highest possible sum over the applicable criteria.
    percent_of_max : float
        ``100 * total / max_total`` (NaN when nothing is applicable).
    n_applicable : int
        Criteria scored (not ``None``).
    table : pandas.DataFrame
        One row per criterion: ``criterion_id``, ``name``, ``score`` (``<NA>`` = not
        applicable).
    """

    total: int
    max_total: int
    percent_of_max: float
    n_applicable: int
    table: pd.DataFrame

    def summary(self) -> str:
        """One line for printing, e.g. ``'Total 9 of 28 (32%) over 14 criteria'``."""
        pct = "n/a" if math.isnan(self.percent_of_max) else f"{self.percent_of_max:.0f}%"
        return f"Total {self.total} of {self.max_total} ({pct}) over {self.n_applicable} criteria"


def score_text(scores: Mapping[str, int | None], rubric: pd.DataFrame | None = None) -> RubricScore:
    """Validate and total one rater's rubric scores for one text.

    Parameters
    ----------
    scores : mapping of str to int or None
        ``{criterion_id: score}`` for EVERY criterion of the rubric. Scores are whole numbers on
        the criterion's scale (0, 1 or 2 for the course rubric); ``None`` means "not applicable"
        and leaves the criterion out of both the total and the maximum, as HealthNewsReview did.
    rubric : pandas.DataFrame, optional
        Defaults to :func:`load_rubric`.

    Returns
    -------
    RubricScore

    Raises
    ------
    ValueError
        If ``scores`` is not a mapping, names an unknown criterion, misses one, or holds a
        score that is not a whole number on the scale.

    Examples
    --------
    >>> ids = load_rubric()["criterion_id"].tolist()
    >>> s = score_text({cid: 1 for cid in ids})
    >>> s.total, s.max_total, s.percent_of_max
    (14, 28, 50.0)
    >>> score_text({**{cid: 0 for cid in ids}, "R01": 3})
    Traceback (most recent call last):
    ...
    ValueError: scores['R01'] must be a whole number in [0, 2] (rubric points) or None; got 3
    """
    if rubric is None:
        rubric = load_rubric()
    if not isinstance(scores, Mapping):
        raise ValueError(
            f"scores must be a mapping {{criterion_id: score}}; got {type(scores).__name__}"
        )
    ids = [str(c) for c in rubric["criterion_id"]]
    unknown = sorted(set(map(str, scores)) - set(ids))
    if unknown:
        raise ValueError(f"scores has unknown criterion id(s) {unknown}; valid ids are {ids}")
    missing = [c for c in ids if c not in scores]
    if missing:
        raise ValueError(
            f"scores is missing criterion id(s) {missing}; give every criterion a score "
            "(use None for 'not applicable')"
        )
    lows = dict(zip(ids, (int(v) for v in rubric["scale_min"]), strict=True))
    highs = dict(zip(ids, (int(v) for v in rubric["scale_max"]), strict=True))
    values: list[int | None] = []
    for cid in ids:
        v = scores[cid]
        if v is None:
            values.append(None)
            continue
        ok = isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            ok, v = True, int(v)
        if not ok or not lows[cid] <= int(v) <= highs[cid]:
            raise ValueError(
                f"scores[{cid!r}] must be a whole number in [{lows[cid]}, {highs[cid]}] "
                f"(rubric points) or None; got {v!r}"
            )
        values.append(int(v))
    applicable = [(cid, v) for cid, v in zip(ids, values, strict=True) if v is not None]
    total = sum(v for _, v in applicable)
    max_total = sum(highs[cid] for cid, _ in applicable)
    pct = 100.0 * total / max_total if max_total else math.nan
    table = pd.DataFrame(
        {
            "criterion_id": ids,
            "name": [str(n) for n in rubric["name"]],
            "score": pd.array(values, dtype="Int64"),
        }
    )
    return RubricScore(int(total), int(max_total), pct, len(applicable), table)


# --------------------------------------------------------------------------- agreement


def _as_items(ratings: object, name: str) -> dict:
    if isinstance(ratings, pd.Series):
        if not ratings.index.is_unique:
            raise ValueError(f"{name} has duplicate item labels")
        return dict(zip(ratings.index.tolist(), ratings.tolist(), strict=True))
    if isinstance(ratings, Mapping):
        return dict(ratings)
    if isinstance(ratings, (str, bytes)) or not isinstance(ratings, Iterable):
        raise ValueError(
            f"{name} must be a mapping {{item: score}}, a pandas Series or a sequence of scores; "
            f"got {type(ratings).__name__}"
        )
    return dict(enumerate(ratings))


def cohen_kappa(
    rater_a: object,
    rater_b: object,
    *,
    weights: str | None = None,
    categories: Iterable | None = None,
) -> float:
    """Cohen's kappa (unweighted, linear or quadratic weights) for two raters.

    kappa = 1 - sum(w * observed) / sum(w * expected), where ``observed`` is the table of
    joint proportions, ``expected`` the product of the raters' marginal proportions and ``w``
    the disagreement weights: 1 off the diagonal (unweighted), ``|i - j| / (k - 1)`` (linear)
    or ``((i - j) / (k - 1))**2`` (quadratic), with ``i, j`` the positions of the categories
    in ``categories`` [@cohen1968weighted].

    Parameters
    ----------
    rater_a, rater_b : mapping, pandas.Series or sequence
        Scores by item. Mappings and Series are matched by item label (the two raters must
        have scored the same items); plain sequences by position (same length).
    weights : {None, "linear", "quadratic"}
        ``None`` for Cohen's original kappa.
    categories : iterable, optional
        The ordered scale, e.g. ``[0, 1, 2]`` for the rubric. Defaults to the sorted values
        that occur. Weighted kappa depends on it when a category is never used.

    Returns
    -------
    float
        Kappa; 1 = perfect agreement, 0 = agreement expected by chance. NaN when chance
        agreement is already perfect (both raters gave one and the same score throughout).

    Raises
    ------
    ValueError
        Different item sets, fewer than one item, a score outside ``categories``, or an
        unknown ``weights``.

    Examples
    --------
    Hand-worked: 10 items, agreement on 7 (observed 0.7); marginals a = (0.5, 0.5),
    b = (0.6, 0.4), so chance agreement = 0.5*0.6 + 0.5*0.4 = 0.5 and kappa = (0.7-0.5)/0.5:

    >>> a = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    >>> b = [0, 0, 0, 0, 1, 0, 0, 1, 1, 1]
    >>> round(cohen_kappa(a, b), 6)
    0.4
    >>> cohen_kappa({"x": 1, "y": 2}, {"x": 1, "z": 2})
    Traceback (most recent call last):
    ...
    ValueError: rater_a and rater_b must score the same items; only rater_a has ['y'], only rater_b has ['z']
    """
    check_choice("weights", "none" if weights is None else weights, ["none", "linear", "quadratic"])
    a = _as_items(rater_a, "rater_a")
    b = _as_items(rater_b, "rater_b")
    if set(a) != set(b):
        only_a = sorted(map(str, set(a) - set(b)))
        only_b = sorted(map(str, set(b) - set(a)))
        raise ValueError(
            "rater_a and rater_b must score the same items; "
            f"only rater_a has {only_a}, only rater_b has {only_b}"
        )
    if not a:
        raise ValueError("rater_a and rater_b must score at least one item; got none")
    items = list(a)
    va = [a[i] for i in items]
    vb = [b[i] for i in items]
    for name, vals in (("rater_a", va), ("rater_b", vb)):
        for v in vals:
            if v is None or (isinstance(v, float) and math.isnan(v)):
                raise ValueError(f"{name} has a missing score; remove the item from both raters")
    if categories is None:
        cats = sorted(set(va) | set(vb))
    else:
        cats = list(categories)
        bad = [v for v in va + vb if v not in cats]
        if bad:
            raise ValueError(f"scores must be in categories {cats}; got {bad[0]!r}")
    return _sklearn_kappa(va, vb, cats, weights)


def _sklearn_kappa(va: list, vb: list, cats: list, weights: str | None) -> float:
    """scikit-learn's kappa on category positions; NaN when chance agreement is perfect."""
    from sklearn.metrics import cohen_kappa_score

    index = {c: k for k, c in enumerate(cats)}
    a = np.array([index[x] for x in va])
    b = np.array([index[y] for y in vb])
    if len(cats) < 2 or (len(set(a.tolist())) == 1 and set(a.tolist()) == set(b.tolist())):
        return math.nan  # both raters used one and the same category: kappa is undefined
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        k = cohen_kappa_score(a, b, labels=list(range(len(cats))), weights=weights)
    return float(k)


def class_agreement(
    scores: pd.DataFrame,
    *,
    weights: str | None = "quadratic",
    categories: Iterable | None = (0, 1, 2),
) -> pd.DataFrame:
    """Pairwise agreement between every two raters in a class.

    Parameters
    ----------
    scores : pandas.DataFrame
        Long table with columns ``rater``, ``text_id``, ``criterion_id`` and ``score``; an
        *item* is one (text, criterion) pair. Every rater must score the same items.
    weights : {None, "linear", "quadratic"}
        Passed to :func:`cohen_kappa` (default quadratic, as DISCERN's reliability study
        reported weighted kappa for its overall rating).
    categories : iterable, optional
        The scale (default the rubric's 0, 1, 2).

    Returns
    -------
    pandas.DataFrame
        Columns ``rater_a``, ``rater_b``, ``n_items``, ``percent_agreement``, ``kappa``.

    Raises
    ------
    ValueError
        Missing columns, duplicate (rater, item) rows, raters with different item sets, or
        fewer than two raters.

    Examples
    --------
    >>> df = pd.DataFrame(
    ...     {
    ...         "rater": ["A"] * 3 + ["B"] * 3,
    ...         "text_id": ["F01"] * 6,
    ...         "criterion_id": ["R01", "R02", "R03"] * 2,
    ...         "score": [2, 1, 0, 2, 0, 0],
    ...     }
    ... )
    >>> class_agreement(df, weights=None)[["rater_a", "rater_b", "n_items"]].values.tolist()
    [['A', 'B', 3]]
    """
    if not isinstance(scores, pd.DataFrame):
        raise ValueError(f"scores must be a pandas DataFrame; got {type(scores).__name__}")
    needed = {"rater", "text_id", "criterion_id", "score"}
    if not needed <= set(scores.columns):
        raise ValueError(
            f"scores must have the columns {sorted(needed)}; "
            f"missing {sorted(needed - set(scores.columns))}"
        )
    keyed = scores.assign(
        item=list(zip(scores["text_id"].astype(str), scores["criterion_id"], strict=True))
    )
    if keyed.duplicated(["rater", "item"]).any():
        raise ValueError("scores has duplicate rows for the same rater, text and criterion")
    by_rater = {
        str(r): pd.Series(g["score"].to_numpy(), index=pd.Index(g["item"].tolist()))
        for r, g in keyed.groupby("rater", sort=True)
    }
    if len(by_rater) < 2:
        raise ValueError(f"scores must come from at least 2 raters; got {len(by_rater)}")
    rows = []
    for ra, rb in combinations(sorted(by_rater), 2):
        sa, sb = by_rater[ra], by_rater[rb]
        if set(sa.index) != set(sb.index):
            raise ValueError(
                f"raters {ra!r} and {rb!r} scored different items; every rater must score the "
                "same texts and criteria"
            )
        sb = sb.loc[sa.index]
        kappa = cohen_kappa(
            dict(zip(sa.index, (int(v) for v in sa), strict=True)),
            dict(zip(sb.index, (int(v) for v in sb), strict=True)),
            weights=weights,
            categories=categories,
        )
        agree = float(np.mean(sa.to_numpy() == sb.to_numpy()) * 100)
        rows.append({"rater_a": ra, "rater_b": rb, "n_items": len(sa),
                     "percent_agreement": agree, "kappa": kappa})  # fmt: skip
    return pd.DataFrame(rows)
