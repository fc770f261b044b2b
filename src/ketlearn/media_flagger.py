"""The red-flag flagger: sentence splitting and readable rules, with an optional learned model.

:func:`flag_text` marks wording that often signals promotion in health communication. It has
three methods:

- ``"rules"``: readable regular expressions (``ketlearn._media_rules``), one category each,
  every category grounded in a published taxonomy (Sumner 2014 exaggeration, Boutron/Yavchitz
  spin, HealthNewsReview criteria, hype-word studies). Context rules keep it quiet on critical
  journalism, history, negation and hedged mechanism;
- ``"model"``: a logistic regression on word n-grams plus the rule features
  (:mod:`ketlearn.media_model`), fitted on the development split only;
- ``"both"``: a sentence is flagged when either method flags it; each method's rows explain
  themselves.

It finds wording, not truth: a flagged sentence may be accurate and a false claim may pass
unflagged. Precision, recall and specificity with intervals are in :mod:`ketlearn.media_eval`.

Design notes
------------
The rule engine (sentence spans, the scan for every rule, context conditions) lives in the private
:mod:`ketlearn._media_engine`, below both this module and the learned model, so the two never
import each other in a circle.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ketlearn import _media_rules as _rules
from ketlearn._media_engine import (
    FLAG_COLUMNS,
    MODEL_CATEGORY,
    _check_text,
    _empty_flags,
    _frame,
    _rule_rows,
    _sentence_spans,
)
from ketlearn._validation import check_choice, check_number

__all__ = [
    "CATEGORIES",
    "FLAG_COLUMNS",
    "METHODS",
    "MODEL_CATEGORY",
    "category_labels",
    "category_sources",
    "flag_corpus",
    "flag_text",
    "split_sentences",
]

CATEGORIES: tuple[str, ...] = (*(rule.category for rule in _rules.RULES), MODEL_CATEGORY)
"""The twelve rule categories, in the order the flagger reports them, then the model's."""

METHODS: tuple[str, ...] = ("rules", "model", "both")
"""Methods of :func:`flag_text`."""


def category_labels() -> dict[str, str]:
    """Map each category to its short human label.

    >>> category_labels()["mechanism_proof"]
    'Mechanism offered as proof'
    """
    labels = {rule.category: rule.label for rule in _rules.RULES}
    labels[MODEL_CATEGORY] = "Promotional wording (learned model)"
    return labels


def category_sources() -> dict[str, tuple[str, ...]]:
    """Map each rule category to the bibliography keys of the taxonomy it rests on.

    >>> category_sources()["spin"]
    ('boutron2010reporting', 'yavchitz2012misrepresentation')
    """
    return {rule.category: rule.sources for rule in _rules.RULES}


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


def flag_text(text: str, method: str = "rules", *, threshold: float | None = None) -> pd.DataFrame:
    """Flag promotional wording in a text, sentence by sentence.

    Parameters
    ----------
    text : str
        Any text, any length. Non-English text simply yields few or no flags: the lexicons and
        the model's vocabulary are English.
    method : {"rules", "model", "both"}
        ``"rules"`` (the default, chosen on the development split: see
        :func:`ketlearn.media_eval.choose_default_method`), the learned ``"model"``, or
        ``"both"`` (a sentence is flagged when either flags it).
    threshold : float, optional
        For ``"model"`` and ``"both"``: the model flags a sentence when its probability of
        being promotional is at least ``threshold`` (between 0 and 1; default
        :data:`ketlearn.media_model.DEFAULT_THRESHOLD`, chosen on the development split).
        Lower values flag more (higher recall, lower precision). Not used by ``"rules"``.

    Returns
    -------
    pandas.DataFrame
        One row per flag, sorted by position, with columns ``sentence`` (0-based sentence index
        as in :func:`split_sentences`), ``start`` and ``end`` (character offsets in ``text``,
        end exclusive: the matched words for a rule, the whole sentence for the model),
        ``category`` (one of :data:`CATEGORIES`), ``matched`` (the words as written, or the
        words that pushed the model most) and ``explanation`` (the rule and its source, or the
        model's probability and word weights). An empty DataFrame with these columns when
        nothing is flagged.

    Raises
    ------
    ValueError
        If ``text`` is not a string, ``method`` is unknown, or ``threshold`` is outside [0, 1]
        or given with ``method="rules"``.

    Notes
    -----
    A flag marks wording that often signals a problem, not a verdict on truth: check the claim
    against the evidence.

    Examples
    --------
    >>> flag_text("")
    Empty DataFrame
    Columns: [sentence, start, end, category, matched, explanation]
    Index: []
    >>> flags = flag_text("Ketamine is 100% safe. Book your infusion today!")
    >>> flags[["sentence", "category", "matched"]].values.tolist()
    [[0, 'absolute_safety', '100% safe'], [1, 'call_to_action', 'Book your']]
    >>> flag_text("It was introduced as a fast-acting anaesthetic in the 1960s.").empty
    True
    """
    text = _check_text(text)
    check_choice("method", method, list(METHODS))
    if threshold is not None:
        if method == "rules":
            raise ValueError(
                "threshold applies to method='model' or 'both' (a probability); "
                "method='rules' has no threshold"
            )
        threshold = check_number("threshold", threshold, unit="probability", low=0.0, high=1.0)
    spans = _sentence_spans(text) if text else []
    if not spans:
        return _empty_flags()
    if method == "rules":
        return _frame(_rule_rows(text, spans))
    from ketlearn import media_model

    rule_rows = _rule_rows(text, spans)
    model_rows = media_model.model_rows(text, spans, rule_rows, threshold=threshold)
    if method == "model":
        return _frame(model_rows)
    both = {c: rule_rows[c] + model_rows[c] for c in FLAG_COLUMNS}
    return _frame(both)


def flag_corpus(corpus: pd.DataFrame, method: str = "rules", **kwargs) -> pd.DataFrame:
    """Run :func:`flag_text` on every row of a corpus table (columns ``text_id`` and ``text``).

    Returns the flags with a leading ``text_id`` column; ``method`` and ``threshold`` are passed
    on to :func:`flag_text`.

    >>> c = pd.DataFrame({"text_id": ["x"], "text": ["A miracle!"]})
    >>> flag_corpus(c)[["text_id", "category"]].values.tolist()
    [['x', 'hype']]
    """
    if not isinstance(corpus, pd.DataFrame) or not {"text_id", "text"} <= set(corpus.columns):
        raise ValueError("corpus must be a pandas DataFrame with the columns 'text_id' and 'text'")
    frames = []
    for tid, text in zip(corpus["text_id"], corpus["text"], strict=True):
        flags = flag_text(str(text), method, **kwargs)
        flags.insert(0, "text_id", str(tid))
        frames.append(flags)
    if not frames:
        out = _empty_flags()
        out.insert(0, "text_id", pd.Series([], dtype=object))
        return out
    return pd.concat(frames, ignore_index=True)
