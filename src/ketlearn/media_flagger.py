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
- Linear time. Sentence splitting and every pattern avoid nested or unbounded-backtracking
  quantifiers; each category is one ``finditer`` over the whole text and sentence-level
  conditions are cached per sentence (see ``benchmarks/bench_media.py``).
- Offsets refer to the original string. Patterns run on ``text.lower()`` when lower-casing keeps
  the length (almost always), otherwise on the original text with ``re.IGNORECASE``.
"""

from __future__ import annotations

import bisect
import re

import numpy as np
import pandas as pd

from ketlearn import _media_rules as _rules
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

FLAG_COLUMNS: tuple[str, ...] = ("sentence", "start", "end", "category", "matched", "explanation")
"""Columns of :func:`flag_text`'s result."""

MODEL_CATEGORY = "model_promotional"
"""Category of a flag raised by the learned model where no rule fired in the sentence."""

CATEGORIES: tuple[str, ...] = (*(rule.category for rule in _rules.RULES), MODEL_CATEGORY)
"""The twelve rule categories, in the order the flagger reports them, then the model's."""

METHODS: tuple[str, ...] = ("rules", "model", "both")
"""Methods of :func:`flag_text`."""

_FLAGS = re.IGNORECASE


def _patterns(rule: _rules.Rule) -> tuple[str, ...]:
    return (rule.pattern,) if isinstance(rule.pattern, str) else rule.pattern


def _anchored(pattern: str) -> str:
    """Prefix a many-branch pattern with one space.

    A word-list pattern can start with most letters, so the regex engine would try it at almost
    every position; requiring a space before the word lets the engine jump from space to space
    (a fast literal search), about one position in six. The text is scanned in a same-length
    copy in which separators that can precede a word (line breaks, brackets, double and opening
    quotes, dashes, slashes, bullets) are spaces, with one space prepended; the flagger shifts
    the offsets back and reads the matched words from the original text. Patterns that start
    with one literal or a digit are fast already and stay as they are.
    """
    return " (?:" + pattern + ")" if pattern.startswith("(?:") else pattern


# Characters turned into spaces in the scanning copy (none of them occurs inside a pattern).
_SEPARATORS = re.compile('[\\n\\t\\r"“”‘(\\[{—–/…*•]')


_COMPILED = [
    (
        rule,
        [re.compile(_anchored(p)) for p in _patterns(rule)],
        [re.compile(_anchored(p), _FLAGS) for p in _patterns(rule)],
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
    labels = {rule.category: rule.label for rule in _rules.RULES}
    labels[MODEL_CATEGORY] = "Promotional wording (learned model)"
    return labels


def category_sources() -> dict[str, tuple[str, ...]]:
    """Map each rule category to the bibliography keys of the taxonomy it rests on.

    >>> category_sources()["spin"]
    ('boutron2010reporting', 'yavchitz2012misrepresentation')
    """
    return {rule.category: rule.sources for rule in _rules.RULES}


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


def _frame(rows: dict[str, list]) -> pd.DataFrame:
    if not rows["sentence"]:
        return _empty_flags()
    out = pd.DataFrame(
        {
            "sentence": np.array(rows["sentence"], dtype=int),
            "start": np.array(rows["start"], dtype=int),
            "end": np.array(rows["end"], dtype=int),
            "category": rows["category"],
            "matched": rows["matched"],
            "explanation": rows["explanation"],
        }
    )
    order = np.lexsort((out["end"].to_numpy(), out["start"].to_numpy()))
    return out.iloc[order].reset_index(drop=True)


# Context patterns for one scan of the whole (lower-cased, padded) text: without IGNORECASE and
# anchored on a non-word character, like the rules (see _anchored). Each alternative of the
# original patterns starts with ``\b``, which the anchor replaces.
_CRITICAL_LOWER = re.compile(r"[^\w](?:" + _rules.CRITICAL.pattern[2:] + ")")
_HISTORY_LOWER = re.compile(
    r"[^\w](?:"
    + "|".join(p.removeprefix(r"\b") for p in _rules.HISTORY.pattern.split(r"|\b"))
    + ")"
)


def _sentences_matching(pattern: re.Pattern, source: str, starts: list[int]) -> set[int]:
    """Indices of the sentences in which ``pattern`` matches (one scan of the whole text).

    With an anchored pattern ``source`` is the text with one space prepended, so a match's start
    (the non-word character before the word) is already the word's offset in the original text.
    """
    return {bisect.bisect_right(starts, m.start()) - 1 for m in pattern.finditer(source)}


def _spans_of(patterns, source: str, padded: str):
    """(start, end) in ``source`` of every match of each pattern (anchored ones on ``padded``)."""
    for p in patterns:
        if p.pattern.startswith(" (?:"):
            for m in p.finditer(padded):
                yield m.start(), m.end() - 1  # drop the space; undo the padding
        else:
            for m in p.finditer(source):
                yield m.span()


def _rule_rows(text: str, spans: list[tuple[int, int]]) -> dict[str, list]:
    """Rule flags as column lists (the engine behind ``method="rules"``)."""
    starts = [s for s, _ in spans]
    lowered = text.lower()
    same_length = len(lowered) == len(text)
    source = lowered if same_length else text
    if same_length:
        padded = " " + source  # for the anchored context patterns
        critical = _sentences_matching(_CRITICAL_LOWER, padded, starts)
        historical = _sentences_matching(_HISTORY_LOWER, padded, starts)
    else:
        critical = _sentences_matching(_rules.CRITICAL, source, starts)
        historical = _sentences_matching(_rules.HISTORY, source, starts)
    padded = " " + _SEPARATORS.sub(" ", source)  # for the anchored rule patterns (_anchored)
    question: dict[int, bool] = {}
    rows: dict[str, list] = {c: [] for c in FLAG_COLUMNS}
    negation = _rules.NEGATION_BEFORE.search
    for rule, plain, insensitive, require, exclude in _COMPILED:
        verdict: dict[int, bool] = {}
        for a, b in _spans_of(plain if same_length else insensitive, source, padded):
            if a and (source[a - 1].isalnum() or source[a - 1] == "_"):
                continue  # not at the start of a word (checked here, not in the pattern, for speed)
            i = bisect.bisect_right(starts, a) - 1
            if i < 0 or a >= spans[i][1]:
                continue  # match in white space between sentences (cannot happen in practice)
            if i in critical or (i in historical and not rule.historical_ok):
                continue
            s0, s1 = spans[i]
            if not rule.in_questions:
                q = question.get(i)
                if q is None:
                    q = question[i] = text[s0:s1].rstrip("\"'”’) ").endswith("?")
                if q:
                    continue
            if rule.negatable and negation(source, max(s0, a - 24), a):
                continue
            if require is not None or exclude is not None:
                ok = verdict.get(i)
                if ok is None:
                    sentence = text[s0:s1]
                    ok = (require is None or require.search(sentence) is not None) and (
                        exclude is None or exclude.search(sentence) is None
                    )
                    verdict[i] = ok
                if not ok:
                    continue
            rows["sentence"].append(i)
            rows["start"].append(a)
            rows["end"].append(min(b, s1))
            rows["category"].append(rule.category)
            rows["matched"].append(text[a:b])
            rows["explanation"].append(rule.explanation)
    return rows


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
