"""Media literacy tools: an appraisal rubric, inter-rater agreement and a red-flag flagger.

Three small, transparent tools for assignment 06 (hype and misuse):

- **Rubric.** Fourteen red-flag criteria built on HealthNewsReview.org's ten criteria
  [@healthnewsreview2018criteria], DISCERN [@charnock1999discern] and the IHC Key Concepts
  [@oxman2022key], stored as data (``media_rubric.csv``), each scored 0 (absent, good),
  1 (minor or qualified) or 2 (prominent). :func:`score_text` validates and totals a set of scores.
- **Agreement.** :func:`cohen_kappa` gives Cohen's kappa and weighted
  kappa [@cohen1968weighted] for two raters; :func:`class_agreement` does every pair of raters
  in a class. Tests compare them with ``statsmodels.stats.inter_rater.cohens_kappa``; we wrap it
  in our own function only to check inputs (same item sets, scores on the scale) and to fix the
  category list to the rubric's scale, which statsmodels leaves to the caller.
- **Flagger.** :func:`flag_text` applies readable regular expressions (``ketlearn._media_rules``)
  sentence by sentence. It is deliberately rule-based, not a trained model: every flag can be
  traced to a word list and an explanation, and students can see *why* it fails. It finds
  wording, not truth: a flagged sentence may be accurate and a false claim may pass unflagged.
  :func:`precision_recall` and :func:`evaluate_flagger` measure it against the sentence-level
  annotations of the fictional corpus; the rules were written on the ``dev`` part only.

Design notes
------------
- Linear time. Sentence splitting and every pattern avoid nested or unbounded-backtracking
  quantifiers; each category is one ``finditer`` over the whole text and sentence-level
  conditions are cached per sentence, so 10 MB of text takes about 2 s of CPU time and 1 MB of
  adversarial text (long runs without sentence ends) well under a second (see
  ``benchmarks/bench_media.py``).
- Offsets refer to the original string. Patterns run on ``text.lower()`` when lower-casing keeps
  the length (almost always), otherwise on the original text with ``re.IGNORECASE``.
- No plotting or widget code here (see ``ketlearn.widgets.media``).

Examples
--------
>>> from ketlearn import media
>>> flags = media.flag_text("Ketamine is 100% safe. Book your infusion today!")
>>> flags[["sentence", "category", "matched"]].values.tolist()
[[0, 'absolute_safety', '100% safe'], [1, 'call_to_action', 'Book your']]
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import chain, combinations

import numpy as np
import pandas as pd

from ketlearn import _media_rules as _rules
from ketlearn._validation import check_choice

__all__ = [
    "CATEGORIES",
    "FLAG_COLUMNS",
    "RubricScore",
    "category_labels",
    "class_agreement",
    "cohen_kappa",
    "evaluate_flagger",
    "flag_corpus",
    "flag_text",
    "load_rubric",
    "precision_recall",
    "score_text",
    "split_sentences",
]

FLAG_COLUMNS: tuple[str, ...] = ("sentence", "start", "end", "category", "matched", "explanation")
"""Columns of :func:`flag_text`'s result."""

CATEGORIES: tuple[str, ...] = tuple(rule.category for rule in _rules.RULES)
"""The ten red-flag categories, in the order the flagger reports them."""

_FLAGS = re.IGNORECASE
_COMPILED = [
    (
        rule,
        [
            re.compile(p)
            for p in ((rule.pattern,) if isinstance(rule.pattern, str) else rule.pattern)
        ],
        [
            re.compile(p, _FLAGS)
            for p in ((rule.pattern,) if isinstance(rule.pattern, str) else rule.pattern)
        ],
        re.compile(rule.require, _FLAGS) if rule.require else None,
        re.compile(rule.exclude, _FLAGS) if rule.exclude else None,
    )
    for rule in _rules.RULES
]


def category_labels() -> dict[str, str]:
    """Map each category to its short human label.

    >>> category_labels()["mechanism_proof"]
    'Mechanism offered as proof'
    """
    return {rule.category: rule.label for rule in _rules.RULES}


def _check_text(text: object, name: str = "text") -> str:
    if not isinstance(text, str):
        raise ValueError(f"{name} must be a str (the text to analyse); got {type(text).__name__}")
    return text


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, stripped of surrounding white space. Linear time."""
    cuts: list[tuple[int, int]] = []
    pos = 0
    n = len(text)
    closers = _rules.CLOSERS
    for m in _rules.BOUNDARY.finditer(text):
        a, e = m.span()
        if text[a] == "\n":
            cut = a + 1
        else:
            while e < n and text[e] in closers:
                e += 1
            if e < n and not text[e].isspace():
                continue  # e.g. a decimal point or "e.g.,": not a sentence end
            if e - a == 1 and text[a] == ".":
                k = a
                while k > pos and a - k < 8 and not text[k - 1].isspace():
                    k -= 1
                if text[k:a].lower().lstrip("(\"'“‘") in _rules.ABBREVIATIONS:
                    continue
            cut = e
        cuts.append((pos, cut))
        pos = cut
    if pos < n:
        cuts.append((pos, n))
    spans = []
    for s, e in cuts:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
    return spans


def split_sentences(text: str) -> pd.DataFrame:
    """Split text into sentences (at ``.``, ``!``, ``?`` before white space, and at line breaks).

    Parameters
    ----------
    text : str
        Any text. Common abbreviations (``Dr.``, ``e.g.``) do not end a sentence; decimals do
        not either, because a boundary needs white space after the full stop.

    Returns
    -------
    pandas.DataFrame
        Columns ``sentence_index`` (0-based), ``start``, ``end`` (character offsets, end
        exclusive) and ``sentence`` (the text).

    Raises
    ------
    ValueError
        If ``text`` is not a string.

    Examples
    --------
    >>> split_sentences("Dr. Lee gave 0.5 units. It worked!\\nNext line")["sentence"].tolist()
    ['Dr. Lee gave 0.5 units.', 'It worked!', 'Next line']
    """
    text = _check_text(text)
    spans = _sentence_spans(text)
    return pd.DataFrame(
        {
            "sentence_index": np.arange(len(spans), dtype=int),
            "start": np.array([s for s, _ in spans], dtype=int),
            "end": np.array([e for _, e in spans], dtype=int),
            "sentence": [text[s:e] for s, e in spans],
        }
    )


def _empty_flags() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sentence": pd.Series([], dtype=int),
            "start": pd.Series([], dtype=int),
            "end": pd.Series([], dtype=int),
            "category": pd.Series([], dtype=object),
            "matched": pd.Series([], dtype=object),
            "explanation": pd.Series([], dtype=object),
        }
    )


def flag_text(text: str) -> pd.DataFrame:
    """Flag red-flag wording in a text, sentence by sentence, with readable rules.

    The ten categories (:data:`CATEGORIES`): hype words, absolute safety claims, unsourced
    numbers, vague appeals to evidence or authority, speed or permanence promises, mechanism
    offered as proof, dismissal of risks or critics, testimonials, calls to action, and
    esketamine's FDA approval used for other ketamine products. The patterns are in
    ``ketlearn._media_rules``.

    Parameters
    ----------
    text : str
        Any text, any length. Non-English text simply yields few or no flags: the lexicons are
        English.

    Returns
    -------
    pandas.DataFrame
        One row per flag, sorted by position, with columns ``sentence`` (0-based sentence index
        as in :func:`split_sentences`), ``start`` and ``end`` (character offsets of the matched
        words in ``text``, end exclusive), ``category``, ``matched`` (the words as written) and
        ``explanation``. An empty DataFrame with these columns when nothing is flagged.

    Raises
    ------
    ValueError
        If ``text`` is not a string.

    Notes
    -----
    A flag marks wording that often signals a problem, not a verdict on truth: check the claim
    against the evidence. Precision and recall on the held-out fictional texts are reported by
    :func:`evaluate_flagger`.

    Examples
    --------
    >>> flag_text("")
    Empty DataFrame
    Columns: [sentence, start, end, category, matched, explanation]
    Index: []
    >>> flag_text("It rewires the brain.")["category"].tolist()
    ['mechanism_proof']
    """
    text = _check_text(text)
    if not text:
        return _empty_flags()
    spans = _sentence_spans(text)
    if not spans:
        return _empty_flags()
    starts = [s for s, _ in spans]
    lowered = text.lower()
    same_length = len(lowered) == len(text)
    rows_sentence: list[int] = []
    rows_start: list[int] = []
    rows_end: list[int] = []
    rows_category: list[str] = []
    rows_matched: list[str] = []
    rows_explanation: list[str] = []
    for rule, plain, insensitive, require, exclude in _COMPILED:
        source = lowered if same_length else text
        matches = chain.from_iterable(
            p.finditer(source) for p in (plain if same_length else insensitive)
        )
        verdict: dict[int, bool] = {}
        for m in matches:
            a, b = m.span()
            if a and (source[a - 1].isalnum() or source[a - 1] == "_"):
                continue  # not at the start of a word (checked here, not in the pattern, for speed)
            i = bisect.bisect_right(starts, a) - 1
            if i < 0 or a >= spans[i][1]:
                continue  # match in white space between sentences (cannot happen in practice)
            if require is not None or exclude is not None:
                ok = verdict.get(i)
                if ok is None:
                    sentence = text[spans[i][0] : spans[i][1]]
                    ok = (require is None or require.search(sentence) is not None) and (
                        exclude is None or exclude.search(sentence) is None
                    )
                    verdict[i] = ok
                if not ok:
                    continue
            rows_sentence.append(i)
            rows_start.append(a)
            rows_end.append(min(b, spans[i][1]))
            rows_category.append(rule.category)
            rows_matched.append(text[a:b])
            rows_explanation.append(rule.explanation)
    if not rows_sentence:
        return _empty_flags()
    out = pd.DataFrame(
        {
            "sentence": np.array(rows_sentence, dtype=int),
            "start": np.array(rows_start, dtype=int),
            "end": np.array(rows_end, dtype=int),
            "category": rows_category,
            "matched": rows_matched,
            "explanation": rows_explanation,
        }
    )
    order = np.lexsort((out["end"].to_numpy(), out["start"].to_numpy()))
    return out.iloc[order].reset_index(drop=True)


# --------------------------------------------------------------------------- evaluation


def _pairs(table: pd.DataFrame, name: str, sentence_col: str) -> set[tuple[str, int, str]]:
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame; got {type(table).__name__}")
    needed = {"text_id", sentence_col, "category"}
    missing = needed - set(table.columns)
    if missing:
        raise ValueError(
            f"{name} must have the columns {sorted(needed)}; missing {sorted(missing)}"
        )
    return {
        (str(t), int(s), str(c))
        for t, s, c in zip(table["text_id"], table[sentence_col], table["category"], strict=True)
    }


def precision_recall(
    predicted: pd.DataFrame,
    gold: pd.DataFrame,
    *,
    categories: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Sentence-level precision and recall of flags against annotations, per category and overall.

    A *unit* is a (text, sentence, category) triple: several flags of one category in one
    sentence count once. True positive = the unit is both predicted and annotated.

    Parameters
    ----------
    predicted : pandas.DataFrame
        Columns ``text_id``, ``sentence_index`` (or ``sentence``) and ``category``, e.g. from
        :func:`flag_corpus`.
    gold : pandas.DataFrame
        Same columns, e.g. ``data.load("media_annotations_fictional")``.
    categories : iterable of str, optional
        Categories to report (default :data:`CATEGORIES`).

    Returns
    -------
    pandas.DataFrame
        One row per category plus ``"all"`` (micro-averaged), with columns ``category``,
        ``tp``, ``fp``, ``fn``, ``precision``, ``recall`` and ``f1``. Precision is NaN when
        nothing was predicted, recall is NaN when nothing was annotated.

    Examples
    --------
    >>> gold = pd.DataFrame(
    ...     {"text_id": ["a", "a"], "sentence_index": [0, 1], "category": ["hype", "hype"]}
    ... )
    >>> pred = pd.DataFrame(
    ...     {"text_id": ["a", "a"], "sentence_index": [0, 2], "category": ["hype", "hype"]}
    ... )
    >>> [
    ...     float(x)
    ...     for x in precision_recall(pred, gold, categories=["hype"]).iloc[-1][
    ...         ["precision", "recall"]
    ...     ]
    ... ]
    [0.5, 0.5]
    """
    pcol = "sentence_index" if "sentence_index" in getattr(predicted, "columns", []) else "sentence"
    gcol = "sentence_index" if "sentence_index" in getattr(gold, "columns", []) else "sentence"
    pred = _pairs(predicted, "predicted", pcol)
    true = _pairs(gold, "gold", gcol)
    cats = list(CATEGORIES if categories is None else categories)
    rows = []

    def row(label: str, p: set, t: set) -> dict:
        tp, fp, fn = len(p & t), len(p - t), len(t - p)
        precision = tp / (tp + fp) if tp + fp else math.nan
        recall = tp / (tp + fn) if tp + fn else math.nan
        if precision + recall > 0:
            f1 = 2 * precision * recall / (precision + recall)
        else:
            f1 = math.nan if math.isnan(precision) or math.isnan(recall) else 0.0
        return {"category": label, "tp": tp, "fp": fp, "fn": fn, "precision": precision,
                "recall": recall, "f1": f1}  # fmt: skip

    for c in cats:
        rows.append(row(c, {u for u in pred if u[2] == c}, {u for u in true if u[2] == c}))
    keep = set(cats)
    rows.append(row("all", {u for u in pred if u[2] in keep}, {u for u in true if u[2] in keep}))
    return pd.DataFrame(rows)


def flag_corpus(corpus: pd.DataFrame) -> pd.DataFrame:
    """Run :func:`flag_text` on every row of a corpus table (columns ``text_id`` and ``text``).

    Returns the flags with a leading ``text_id`` column.

    >>> c = pd.DataFrame({"text_id": ["x"], "text": ["A miracle!"]})
    >>> flag_corpus(c)[["text_id", "category"]].values.tolist()
    [['x', 'hype']]
    """
    if not isinstance(corpus, pd.DataFrame) or not {"text_id", "text"} <= set(corpus.columns):
        raise ValueError("corpus must be a pandas DataFrame with the columns 'text_id' and 'text'")
    frames = []
    for tid, text in zip(corpus["text_id"], corpus["text"], strict=True):
        flags = flag_text(str(text))
        flags.insert(0, "text_id", str(tid))
        frames.append(flags)
    if not frames:
        out = _empty_flags()
        out.insert(0, "text_id", pd.Series([], dtype=object))
        return out
    return pd.concat(frames, ignore_index=True)


def evaluate_flagger(split: str = "test") -> pd.DataFrame:
    """Precision and recall of :func:`flag_text` on one part of the fictional corpus.

    Parameters
    ----------
    split : {"test", "dev", "all"}
        ``"test"`` is the held-out part (about a third of the texts) that was not used to
        write the rules; ``"dev"`` is the part the rules were written on.

    Returns
    -------
    pandas.DataFrame
        As :func:`precision_recall`.

    Examples
    --------
    >>> table = evaluate_flagger("dev")
    >>> list(table.columns)
    ['category', 'tp', 'fp', 'fn', 'precision', 'recall', 'f1']
    """
    from ketlearn import data

    check_choice("split", split, ["test", "dev", "all"])
    corpus = data.load("media_corpus_fictional")
    gold = data.load("media_annotations_fictional")
    if split != "all":
        corpus = corpus[corpus["split"].astype(str) == split]
    ids = set(corpus["text_id"].astype(str))
    gold = gold[gold["text_id"].astype(str).isin(ids)]
    flags = flag_corpus(corpus)
    return precision_recall(flags, gold)


# --------------------------------------------------------------------------- rubric


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
    index = {c: k for k, c in enumerate(cats)}
    k = len(cats)
    table = np.zeros((k, k))
    for x, y in zip(va, vb, strict=True):
        table[index[x], index[y]] += 1
    return _kappa_from_table(table, weights)


def _kappa_from_table(table: np.ndarray, weights: str | None) -> float:
    k = table.shape[0]
    p = table / table.sum()
    expected = np.outer(p.sum(axis=1), p.sum(axis=0))
    i, j = np.indices((k, k))
    if weights is None:
        w = (i != j).astype(float)
    else:
        dist = np.abs(i - j) / max(k - 1, 1)
        w = dist if weights == "linear" else dist**2
    denom = float((w * expected).sum())
    if denom == 0.0:
        return math.nan
    return 1.0 - float((w * p).sum()) / denom


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
