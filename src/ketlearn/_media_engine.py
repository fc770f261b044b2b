"""The rule engine behind :mod:`ketlearn.media_flagger`: sentence spans and one scan per rule.

Private. It sits below both the public flagger and the learned model
(:mod:`ketlearn.media_model` uses the rule rows as features), so neither has to import the
other's caller: ``media_flagger`` → ``media_model`` → ``_media_engine`` has no cycle.

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

FLAG_COLUMNS: tuple[str, ...] = ("sentence", "start", "end", "category", "matched", "explanation")
"""Columns of :func:`flag_text`'s result."""

MODEL_CATEGORY = "model_promotional"
"""Category of a flag raised by the learned model where no rule fired in the sentence."""

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
    for s, e in cuts:  # strip white space with str methods (C loops), not char by char
        piece = text[s:e]
        kept = piece.strip()
        if kept:
            s += len(piece) - len(piece.lstrip())
            spans.append((s, s + len(kept)))
    return spans


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
# anchored on a space of the scanning copy, like the rules (see _anchored): a literal first
# character lets the engine skip from space to space instead of trying every position. Each alternative of the
# original patterns starts with ``\b``, which the anchor replaces.
_CRITICAL_LOWER = re.compile(r" (?:" + _rules.CRITICAL.pattern[2:] + ")")
_HISTORY_LOWER = re.compile(
    r" (?:" + "|".join(p.removeprefix(r"\b") for p in _rules.HISTORY.pattern.split(r"|\b")) + ")"
)


def _sentences_matching(pattern: re.Pattern, source: str, starts: list[int]) -> set[int]:
    """Indices of the sentences in which ``pattern`` matches (one scan of the whole text).

    With an anchored pattern ``source`` is the text with one space prepended, so a match's start
    (the non-word character before the word) is already the word's offset in the original text.
    """
    found = np.fromiter((m.start() for m in pattern.finditer(source)), dtype=np.int64)
    if not found.size:
        return set()
    index = np.searchsorted(np.asarray(starts, dtype=np.int64), found, side="right") - 1
    return set(np.unique(index).tolist())


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
    padded = " " + _SEPARATORS.sub(" ", source)  # for the anchored patterns (_anchored)
    if same_length:
        critical = _sentences_matching(_CRITICAL_LOWER, padded, starts)
        historical = _sentences_matching(_HISTORY_LOWER, padded, starts)
    else:
        critical = _sentences_matching(_rules.CRITICAL, source, starts)
        historical = _sentences_matching(_rules.HISTORY, source, starts)
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
