"""Measuring the flagger: precision, recall and specificity with intervals, and thresholds.

The evaluation is **pre-registered**: the test split of ``media_sentences_fictional`` (and its
labels) was frozen and committed before any rule or model changed, and its SHA-256 is checked by
the tests. Rules were written and the model fitted on the development split only; the default
method and threshold were chosen on the development split only (:func:`choose_default_method`,
:func:`ketlearn.media_model.tune_on_dev`).

- :func:`sentence_predictions` flags every sentence of a split (one sentence at a time; a
  sentence counts as flagged when :func:`ketlearn.media_flagger.flag_text` returns any row).
- :func:`evaluate_flagger` reports recall, specificity and precision overall, per category (recall
  of each category's promotional sentences), per kind of hard negative (specificity) and per
  genre, each with a 95% bootstrap interval that resamples **documents** (sentences of one
  document are not independent).
- :func:`confusion_rates` turns truth and flags into the confusion matrix and its rates (the
  one definition the other functions use).
- :func:`threshold_table` shows the precision-recall trade-off of the model's threshold.
- :func:`precision_recall` compares (text, sentence, category) units with annotations, e.g. for
  the older ``media_corpus_fictional`` texts.
- :func:`corpus_agreement` gives Cohen's kappa between the two labelling passes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ketlearn import media_flagger as _flagger
from ketlearn._validation import check_choice, check_number

__all__ = [
    "choose_default_method",
    "confusion_rates",
    "corpus_agreement",
    "evaluate_flagger",
    "precision_recall",
    "sentence_predictions",
    "threshold_table",
]

CATEGORIES = _flagger.CATEGORIES


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


def _corpus(split: str) -> pd.DataFrame:
    from ketlearn import data

    check_choice("split", split, ["dev", "test", "all"])
    s = data.load("media_sentences_fictional")
    if split != "all":
        s = s[s["split"].astype(str) == split]
    return s.sort_values(["doc_id", "sentence_index"]).reset_index(drop=True)


def sentence_predictions(
    split: str = "test", method: str = "rules", *, threshold: float | None = None
) -> pd.DataFrame:
    """Flag every sentence of one split of ``media_sentences_fictional``.

    Parameters
    ----------
    split : {"test", "dev", "all"}
        ``"test"`` is the frozen, held-out part; ``"dev"`` the part the rules were written on
        and the model fitted on.
    method, threshold
        As :func:`ketlearn.media_flagger.flag_text`.

    Returns
    -------
    pandas.DataFrame
        The corpus rows (``sentence_id``, ``doc_id``, ``genre``, ``sentence``, ``promotional``,
        ``category``, ``kind``) with ``flagged`` (bool) and ``flag_categories`` (the flagged
        categories, joined with ``;``).

    Examples
    --------
    >>> p = sentence_predictions("dev")
    >>> bool(p["flagged"].dtype == bool)
    True
    """
    s = _corpus(split)
    flagged, cats = [], []
    for text in s["sentence"]:
        flags = _flagger.flag_text(str(text), method, threshold=threshold)
        flagged.append(not flags.empty)
        cats.append(";".join(sorted(set(flags["category"].astype(str)))))
    out = s[["sentence_id", "doc_id", "genre", "sentence", "promotional", "category", "kind"]]
    out = out.assign(promotional=s["promotional"].astype(bool), flagged=flagged,
                     flag_categories=cats)  # fmt: skip
    return out


def confusion_rates(promotional, flagged) -> dict[str, float]:
    """Confusion matrix and rates of a flagger against the truth, sentence by sentence.

    Parameters
    ----------
    promotional : sequence of bool
        The truth: ``True`` for a sentence annotated as promotional (a positive).
    flagged : sequence of bool
        The prediction: ``True`` when the flagger raised any flag in the sentence. Same length.

    Returns
    -------
    dict
        ``n``, ``tp``, ``fp``, ``fn``, ``tn`` (counts) and the proportions (0 to 1)
        ``precision`` = tp / (tp + fp), ``recall`` (sensitivity) = tp / (tp + fn) and
        ``specificity`` = tn / (tn + fp); a rate whose denominator is 0 is NaN.

    Examples
    --------
    >>> r = confusion_rates([True, True, False, False], [True, False, True, False])
    >>> r["tp"], r["fp"], r["fn"], r["tn"], r["precision"], r["recall"], r["specificity"]
    (1, 1, 1, 1, 0.5, 0.5, 0.5)
    """
    y = np.asarray(promotional)
    p = np.asarray(flagged)
    for name, v in (("promotional", y), ("flagged", p)):
        if v.ndim != 1 or (v.size and v.dtype != bool):
            raise ValueError(f"{name} must be a 1-D sequence of True/False (no unit); got {v!r}")
    if len(y) != len(p):
        raise ValueError(
            f"flagged must have one value per sentence of promotional ({len(y)}); got {len(p)}"
        )
    y, p = y.astype(bool), p.astype(bool)
    tp = int((p & y).sum())
    fp = int((p & ~y).sum())
    fn = int((~p & y).sum())
    tn = int((~p & ~y).sum())
    return {
        "n": len(y), "tp": tp, "fp": fp, "fn": fn, "tn": tn,
        "recall": tp / (tp + fn) if tp + fn else math.nan,
        "specificity": tn / (tn + fp) if tn + fp else math.nan,
        "precision": tp / (tp + fp) if tp + fp else math.nan,
    }  # fmt: skip


def _rates(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    return confusion_rates(np.asarray(y, dtype=bool), np.asarray(p, dtype=bool))


def _bootstrap(frame: pd.DataFrame, n_boot: int, seed: int) -> dict[str, tuple[float, float]]:
    """Percentile 95% intervals from resampling documents with replacement."""
    rng = np.random.default_rng(seed)
    docs = frame["doc_id"].astype(str).to_numpy()
    uniq, inverse = np.unique(docs, return_inverse=True)
    y = frame["promotional"].to_numpy(dtype=bool)
    p = frame["flagged"].to_numpy(dtype=bool)
    # per-document counts, so each resample is a weighted sum
    counts = np.zeros((len(uniq), 4))
    np.add.at(counts, (inverse, 0), p & y)
    np.add.at(counts, (inverse, 1), p & ~y)
    np.add.at(counts, (inverse, 2), ~p & y)
    np.add.at(counts, (inverse, 3), ~p & ~y)
    weights = rng.multinomial(len(uniq), np.full(len(uniq), 1 / len(uniq)), size=n_boot)
    tp, fp, fn, tn = (weights @ counts).T
    with np.errstate(divide="ignore", invalid="ignore"):
        stats = {"recall": tp / (tp + fn), "specificity": tn / (tn + fp),
                 "precision": tp / (tp + fp)}  # fmt: skip
    out = {}
    for name, v in stats.items():
        v = v[np.isfinite(v)]
        out[name] = (
            (float(np.quantile(v, 0.025)), float(np.quantile(v, 0.975))) if len(v) else
            (math.nan, math.nan)
        )  # fmt: skip
    return out


def evaluate_flagger(
    split: str = "test",
    method: str = "rules",
    *,
    threshold: float | None = None,
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Recall, specificity and precision of the flagger on one split, with 95% intervals.

    A sentence is a positive when it is annotated promotional, and is predicted positive when
    the flagger raises any flag in it (any category).

    Parameters
    ----------
    split : {"test", "dev", "all"}
        ``"test"`` is the frozen held-out part.
    method, threshold
        As :func:`ketlearn.media_flagger.flag_text`.
    n_boot : int
        Bootstrap resamples of documents (default 2000).
    seed : int
        Seed of the resampling.

    Returns
    -------
    pandas.DataFrame
        Rows: ``group_type`` ``"all"``, then ``"category"`` (promotional sentences of each
        category: recall), ``"kind"`` (hard negatives of each kind: specificity) and ``"genre"``;
        ``group``; counts ``n``, ``tp``, ``fp``, ``fn``, ``tn``; ``recall``, ``specificity``,
        ``precision`` and their ``_low`` / ``_high`` 95% bootstrap limits.

    Examples
    --------
    >>> t = evaluate_flagger("dev", n_boot=200)
    >>> t.iloc[0][["group_type", "group"]].tolist()
    ['all', 'all']
    """
    n_boot = int(check_number("n_boot", n_boot, unit="resamples", low=10, integer=True))
    pred = sentence_predictions(split, method, threshold=threshold)
    groups = [("all", "all", pred)]
    promo, neg = pred[pred["promotional"]], pred[~pred["promotional"]]
    groups += [("category", str(c), g) for c, g in promo.groupby("category", observed=True)]
    groups += [("kind", str(k), g) for k, g in neg.groupby("kind", observed=True)]
    groups += [("genre", str(g), f) for g, f in pred.groupby("genre", observed=True)]
    rows = []
    for k, (gtype, name, frame) in enumerate(groups):
        y = frame["promotional"].to_numpy(dtype=bool)
        p = frame["flagged"].to_numpy(dtype=bool)
        row = {"group_type": gtype, "group": name, **_rates(y, p)}
        ci = _bootstrap(frame, n_boot, seed + k)
        for m, (lo, hi) in ci.items():
            row[f"{m}_low"], row[f"{m}_high"] = lo, hi
        rows.append(row)
    cols = ["group_type", "group", "n", "tp", "fp", "fn", "tn", "recall", "recall_low",
            "recall_high", "specificity", "specificity_low", "specificity_high", "precision",
            "precision_low", "precision_high"]  # fmt: skip
    return pd.DataFrame(rows)[cols]


def threshold_table(
    split: str = "dev", thresholds: Iterable[float] = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
) -> pd.DataFrame:
    """Precision, recall and specificity of the model at several thresholds.

    Parameters
    ----------
    split : {"dev", "test", "all"}
        Sentences to score. On ``"dev"`` the model is scored on the data it was fitted on, so
        the figures are optimistic; the table is for seeing the trade-off, not for reporting.
    thresholds : iterable of float
        Probabilities between 0 and 1.

    Returns
    -------
    pandas.DataFrame
        Columns ``threshold``, ``flagged``, ``tp``, ``fp``, ``fn``, ``tn``, ``precision``,
        ``recall``, ``specificity``.

    Examples
    --------
    >>> t = threshold_table("dev", [0.3, 0.7])
    >>> bool(t["recall"].iloc[0] >= t["recall"].iloc[1])
    True
    """
    from ketlearn import media_model

    ts = [check_number("thresholds", t, unit="probability", low=0, high=1) for t in thresholds]
    s = _corpus(split)
    prob = media_model.predict_proba(s["sentence"].astype(str).tolist())
    y = s["promotional"].to_numpy(dtype=bool)
    rows = []
    for t in ts:
        r = _rates(y, prob >= t)
        rows.append({"threshold": t, "flagged": r["tp"] + r["fp"],
                     **{k: r[k] for k in ("tp", "fp", "fn", "tn", "precision", "recall",
                                          "specificity")}})  # fmt: skip
    return pd.DataFrame(rows)


def choose_default_method() -> pd.DataFrame:
    """Compare the methods on the development split only, as used to choose the default.

    The rules are scored on the dev sentences they were written on (optimistic); the model on
    out-of-fold probabilities from grouped cross-validation (fair); ``"both"`` combines the two.
    The method with the highest balanced accuracy is the default of ``flag_text``.

    Returns
    -------
    pandas.DataFrame
        Columns ``method``, ``recall``, ``specificity``, ``balanced_accuracy``.
    """
    from ketlearn import media_model

    c, t, _ = media_model.tune_on_dev()
    s = _corpus("dev")
    y = s["promotional"].to_numpy(dtype=bool)
    rules = sentence_predictions("dev", "rules")["flagged"].to_numpy(dtype=bool)
    # out-of-fold model predictions at the chosen C and threshold
    from sklearn.model_selection import GroupKFold

    texts = s["sentence"].astype(str).tolist()
    groups = s["doc_id"].astype(str).to_numpy()
    oof = np.zeros(len(texts))
    for train, test in GroupKFold(n_splits=5).split(texts, y, groups):
        vec, clf, _ = media_model._fit([texts[k] for k in train], y[train].astype(int), c)
        sub = [texts[k] for k in test]
        oof[test] = clf.predict_proba(
            media_model._design(vec, sub, media_model._rule_cats_of(sub))
        )[:, 1]
    model = oof >= t
    rows = []
    for name, p in (("rules", rules), ("model", model), ("both", rules | model)):
        r = _rates(y, p)
        rows.append({"method": name, "recall": r["recall"], "specificity": r["specificity"],
                     "balanced_accuracy": (r["recall"] + r["specificity"]) / 2})  # fmt: skip
    return pd.DataFrame(rows)


def corpus_agreement() -> dict[str, float]:
    """Agreement between the two labelling passes of ``media_sentences_fictional``.

    Returns
    -------
    dict
        ``n`` sentences, ``agreed`` (count), ``percent_agreement`` and ``kappa`` (Cohen's,
        promotional vs not, by scikit-learn's ``cohen_kappa_score``). Both passes are by the
        same author (see the annotation guidelines), so this is an upper bound on what two
        independent annotators would reach.

    Examples
    --------
    >>> a = corpus_agreement()
    >>> a["n"] >= 600 and 0 <= a["kappa"] <= 1
    True
    """
    from sklearn.metrics import cohen_kappa_score

    s = _corpus("all")
    a = s["pass1_promotional"].to_numpy(dtype=bool)
    b = s["pass2_promotional"].to_numpy(dtype=bool)
    return {
        "n": len(s),
        "agreed": int((a == b).sum()),
        "percent_agreement": float(100 * (a == b).mean()),
        "kappa": float(cohen_kappa_score(a, b)),
    }
