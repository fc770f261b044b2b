"""A learned alternative to the flagger's rules: logistic regression on words and rule features.

The model reads one sentence at a time. Its features are word unigrams and bigrams (TF-IDF,
digits folded to ``0``) plus one indicator per rule category of :mod:`ketlearn.media_flagger`
and two context indicators (a critical or a historical sentence, from ``_media_rules``). It is
scikit-learn's :class:`~sklearn.linear_model.LogisticRegression` with balanced class weights,
fitted on the **development split** of ``media_sentences_fictional`` only; the test split was
frozen before the model existed and is used only to measure it.

Design notes
------------
- No pickles are shipped or loaded. The model is fitted deterministically (liblinear solver,
  fixed data order) the first time it is needed and cached in memory for the session (under a
  second on a laptop).
- Every model flag explains itself: the probability, the threshold, and the features that
  pushed the probability up most (weight x feature value), e.g. ``'life changing' (+1.3)``.
- The two tuned numbers, :data:`MODEL_C` and :data:`DEFAULT_THRESHOLD`, were chosen by
  :func:`tune_on_dev` (grouped cross-validation by document on the development split, maximising
  balanced accuracy); a test re-runs it and checks the constants.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from ketlearn import _media_engine as _flagger
from ketlearn import _media_rules as _rules
from ketlearn._validation import check_number

__all__ = [
    "DEFAULT_THRESHOLD",
    "MODEL_C",
    "fitted_model",
    "model_rows",
    "predict_proba",
    "top_features",
    "tune_on_dev",
]

MODEL_C = 16.0
"""Inverse regularisation strength of the logistic regression (chosen by :func:`tune_on_dev`)."""

DEFAULT_THRESHOLD = 0.5
"""Default probability threshold of the model (chosen by :func:`tune_on_dev` on the dev split)."""

_RULE_CATS = tuple(rule.category for rule in _rules.RULES)
_DIGITS = re.compile(r"\d+")


def _preprocess(text: str) -> str:
    return _DIGITS.sub("0", text.lower())


def _vectorizer():
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        preprocessor=_preprocess,
        token_pattern=r"(?u)\b\w[\w'’]*\b",
        ngram_range=(1, 2),
        min_df=2,
        sublinear_tf=True,
        dtype=np.float64,
    )


def _side_features(texts: list[str], rule_cats: list[set[str]], context=None):
    """Rule-category and context indicators, one row per sentence (sparse).

    ``context``: the two context indicators already computed for every sentence (critical,
    historical), as ``_media_engine._context_masks`` gives them for a whole text; by default
    each sentence is searched here.
    """
    from scipy import sparse

    if context is None:
        context = [[pattern.search(t) is not None for t in texts]
                   for pattern in (_rules.CRITICAL, _rules.HISTORY)]  # fmt: skip
    else:
        context = [mask.tolist() for mask in context]
    rows, cols = [], []
    index = {c: k for k, c in enumerate(_RULE_CATS)}
    n_rule = len(_RULE_CATS)
    for r, (cats, critical, historical) in enumerate(zip(rule_cats, *context, strict=True)):
        for c in cats:
            rows.append(r)
            cols.append(index[c])
        if critical:
            rows.append(r)
            cols.append(n_rule)
        if historical:
            rows.append(r)
            cols.append(n_rule + 1)
    data = np.ones(len(rows))
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(texts), n_rule + 2))


_SIDE_NAMES = (*(f"rule: {c}" for c in _RULE_CATS), "context: critical", "context: historical")


def _rule_cats_of(sentences: list[str]) -> list[set[str]]:
    out = []
    for s in sentences:
        spans = _flagger._sentence_spans(s)
        rows = _flagger._rule_rows(s, spans) if spans else {"category": []}
        out.append(set(rows["category"]))
    return out


def _design(vec, texts: list[str], rule_cats: list[set[str]], *, fit: bool = False, context=None):
    from scipy import sparse

    words = vec.fit_transform(texts) if fit else vec.transform(texts)
    return sparse.hstack([words, _side_features(texts, rule_cats, context)], format="csr")


def _fit(texts: list[str], labels: np.ndarray, c: float):
    from sklearn.linear_model import LogisticRegression

    vec = _vectorizer()
    x = _design(vec, texts, _rule_cats_of(texts), fit=True)
    clf = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", random_state=0)
    clf.fit(x, labels)
    names = np.array([*vec.get_feature_names_out(), *_SIDE_NAMES], dtype=object)
    return vec, clf, names


def _dev() -> pd.DataFrame:
    from ketlearn import data

    s = data.load("media_sentences_fictional")
    dev = s[s["split"].astype(str) == "dev"]
    return dev.sort_values(["doc_id", "sentence_index"]).reset_index(drop=True)


@lru_cache(maxsize=1)
def fitted_model():
    """The model fitted on the development split: ``(vectorizer, classifier, feature_names)``.

    Fitted on first use and cached in memory (no file is written or read).

    >>> vec, clf, names = fitted_model()
    >>> len(names) == clf.coef_.shape[1]
    True
    """
    dev = _dev()
    return _fit([str(t) for t in dev["sentence"]], dev["promotional"].to_numpy(dtype=int), MODEL_C)


def predict_proba(sentences) -> np.ndarray:
    """Probability that each sentence is promotional, by the fitted model.

    Parameters
    ----------
    sentences : sequence of str
        One sentence per item.

    Returns
    -------
    numpy.ndarray
        Probabilities between 0 and 1, one per sentence.

    Examples
    --------
    >>> p = predict_proba(["A life-changing miracle!", "It blocks NMDA receptors."])
    >>> bool(p[0] > p[1])
    True
    """
    texts = [str(s) for s in sentences]
    if not texts:
        return np.zeros(0)
    vec, clf, _ = fitted_model()
    return clf.predict_proba(_design(vec, texts, _rule_cats_of(texts)))[:, 1]


def top_features(n: int = 15) -> pd.DataFrame:
    """The features with the largest positive and negative weights (for teaching).

    >>> list(top_features(3).columns)
    ['feature', 'weight', 'direction']
    """
    n = int(check_number("n", n, unit="features", low=1, integer=True))
    _, clf, names = fitted_model()
    w = clf.coef_[0]
    order = np.argsort(w)
    idx = [*order[::-1][:n], *order[:n]]
    return pd.DataFrame(
        {
            "feature": names[idx],
            "weight": w[idx].round(3),
            "direction": ["promotional"] * n + ["not promotional"] * n,
        }
    )


def model_rows(
    text: str,
    spans: list[tuple[int, int]],
    rule_rows: dict[str, list],
    *,
    threshold: float | None = None,
) -> dict[str, list]:
    """Model flags for the sentences of ``text`` as column lists (used by ``flag_text``)."""
    t = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    texts = [text[a:b] for a, b in spans]
    cats: list[set[str]] = [set() for _ in spans]
    for i, c in zip(rule_rows["sentence"], rule_rows["category"], strict=True):
        cats[i].add(c)
    vec, clf, names = fitted_model()
    x = _design(vec, texts, cats, context=_flagger._context_masks(text, spans))
    p = clf.predict_proba(x)[:, 1]
    coef = clf.coef_[0]
    rows: dict[str, list] = {c: [] for c in _flagger.FLAG_COLUMNS}
    indptr, indices, values = x.indptr, x.indices, x.data  # row i: indptr[i] to indptr[i + 1]
    for i in np.flatnonzero(p >= t):
        columns = indices[indptr[i] : indptr[i + 1]]
        contrib = values[indptr[i] : indptr[i + 1]] * coef[columns]
        order = np.argsort(contrib)[::-1][:3]
        top = [(str(names[columns[k]]), float(contrib[k])) for k in order if contrib[k] > 0]
        firing = [c for c in _RULE_CATS if c in cats[i]]
        category = (
            max(firing, key=lambda c: coef[len(names) - len(_SIDE_NAMES) + _RULE_CATS.index(c)])
            if firing
            else _flagger.MODEL_CATEGORY
        )
        pushes = ", ".join(f"'{w}' ({c:+.2f})" for w, c in top) or "no single feature"
        rows["sentence"].append(int(i))
        rows["start"].append(spans[i][0])
        rows["end"].append(spans[i][1])
        rows["category"].append(category)
        rows["matched"].append(", ".join(w for w, _ in top))
        rows["explanation"].append(
            f"Learned model (logistic regression on words and rule features, fitted on the "
            f"dev split): P(promotional) = {p[i]:.2f} >= threshold {t:.2f}; pushed up most by "
            f"{pushes}."
        )
    return rows


def tune_on_dev(
    c_grid=(0.25, 1.0, 4.0, 16.0), n_splits: int = 5
) -> tuple[float, float, pd.DataFrame]:
    """Choose ``C`` and the threshold by grouped cross-validation on the development split.

    See :func:`_tune_on_dev`; the result is cached per session (it is deterministic) and the
    table returned is a copy.
    """
    c, t, table = _tune_on_dev(tuple(float(x) for x in c_grid), int(n_splits))
    return c, t, table.copy()


@lru_cache(maxsize=4)
def _tune_on_dev(c_grid: tuple[float, ...], n_splits: int) -> tuple[float, float, pd.DataFrame]:
    """Choose ``C`` and the threshold by grouped cross-validation on the development split.

    Folds are groups of documents (scikit-learn's ``GroupKFold``), so no document is both fitted
    and scored. ``C`` is the value with the lowest out-of-fold log loss (a proper score of the
    probabilities); the threshold is then the one between 0.05 and 0.95 with the highest
    balanced accuracy (mean of recall and specificity), ties going to the one closest to 0.5.
    The rule features were written on the same dev sentences, so these out-of-fold figures are
    still somewhat optimistic.

    Returns
    -------
    (float, float, pandas.DataFrame)
        The chosen ``C``, the chosen threshold, and the table of every pair (``C``,
        ``threshold``, ``recall``, ``specificity``, ``balanced_accuracy``).
    """
    from sklearn.metrics import log_loss
    from sklearn.model_selection import GroupKFold

    dev = _dev()
    texts = [str(t) for t in dev["sentence"]]
    y = dev["promotional"].to_numpy(dtype=int)
    groups = dev["doc_id"].astype(str).to_numpy()
    thresholds = np.round(np.arange(0.05, 0.951, 0.05), 2)
    rows = []
    for c in c_grid:
        oof = np.zeros(len(texts))
        for train, test in GroupKFold(n_splits=n_splits).split(texts, y, groups):
            vec, clf, _ = _fit([texts[k] for k in train], y[train], c)
            sub = [texts[k] for k in test]
            oof[test] = clf.predict_proba(_design(vec, sub, _rule_cats_of(sub)))[:, 1]
        loss = float(log_loss(y, oof))
        for t in thresholds:
            pred = oof >= t
            rec = float(pred[y == 1].mean())
            spec = float((~pred[y == 0]).mean())
            rows.append({"C": c, "log_loss": loss, "threshold": float(t), "recall": rec, "specificity": spec,
                         "balanced_accuracy": (rec + spec) / 2})  # fmt: skip
    table = pd.DataFrame(rows)
    best_c = float(table.sort_values(["log_loss", "C"]).iloc[0]["C"])
    sub = table[table["C"] == best_c].assign(dist=(table["threshold"] - 0.5).abs())
    best = sub.sort_values(["balanced_accuracy", "dist"], ascending=[False, True]).iloc[0]
    return best_c, float(best["threshold"]), table
