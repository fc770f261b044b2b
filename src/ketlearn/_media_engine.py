"""The rule engine behind :mod:`ketlearn.media_flagger`: sentence spans and the rule scan.

Private. It sits below both the public flagger and the learned model
(:mod:`ketlearn.media_model` uses the rule rows as features), so neither has to import the
other's caller: ``media_flagger`` → ``media_model`` → ``_media_engine`` has no cycle.

Design notes
------------
- Linear time. Sentence splitting and every pattern avoid nested or unbounded-backtracking
  quantifiers (see ``benchmarks/bench_media.py``: 10 MB in well under 2 s).
- One scan for all word lists. Python's regex engine tries a pattern at every place its first
  character allows, so fourteen scans of the whole text cost fourteen times the text, and most
  of the flagger's time went there. Instead, every pattern that begins with a word (all rules
  but the digit ones, and the critical/history context patterns) is tried only where one of its
  literal prefixes (``_media_patterns.literal_prefixes``: "miracle", "safe f", "the evidence")
  follows a space; ONE scan of the text finds those places for all patterns together.
  Trying a pattern at every place it can begin, in order, resuming after each match, gives
  exactly ``finditer``'s matches, overlaps between rules included (a single combined pattern
  would lose them); ``tests/test_media_engine.py`` compares the two.
- The checks of each match that need no text (which sentence, critical or historical sentence)
  run on arrays of matches; those that do (question, negation, require/exclude) once per
  match or once per sentence.
- Offsets refer to the original string. Patterns run on ``text.lower()`` when lower-casing keeps
  the length (almost always), otherwise on the original text with ``re.IGNORECASE`` (and then
  with ``finditer``, without the prefix scan).
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from ketlearn import _media_rules as _rules
from ketlearn._media_patterns import literal_prefixes

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
    closers, abbreviations = _rules.CLOSERS, _rules.ABBREVIATIONS
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
                # the word before the full stop (its last 8 characters), e.g. "(Dr" or "e.g"
                before = text[max(a - 8, 0) : a]
                if (
                    before
                    and not before[-1].isspace()
                    and before.split()[-1].lower().lstrip("(\"'“‘") in abbreviations
                ):
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
# character lets the engine skip from space to space instead of trying every position. Each
# alternative of the original patterns starts with ``\b``, which the anchor replaces.
_CRITICAL_LOWER = re.compile(r" (?:" + _rules.CRITICAL.pattern[2:] + ")")
_HISTORY_LOWER = re.compile(
    r" (?:" + "|".join(p.removeprefix(r"\b") for p in _rules.HISTORY.pattern.split(r"|\b")) + ")"
)


def _longest_of(prefixes) -> str:
    """A regular expression matching the longest of ``prefixes`` that begins at a position.

    The prefixes are merged into a trie (``sa(?:fe|ved my)``), so the engine reads each
    character once whatever the number of prefixes; a prefix that ends where a longer one goes
    on becomes a greedy optional tail.
    """
    trie: dict = {}
    for word in prefixes:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        parts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not parts:
            return ""
        body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


# Every anchored pattern (the word-list rules and the two context patterns) is tried only where
# one of its literal prefixes (_media_patterns.literal_prefixes) follows a space: ONE scan of the
# text finds those places for all patterns together and reports the longest prefix found, and
# _TARGETS_OF says which patterns that prefix (or a shorter prefix of it) belongs to. Scanning
# once instead of once per pattern is most of the flagger's speed; matching only where a match
# can begin, in order and without overlaps, gives exactly the matches of ``finditer``.
_TARGETS: list[re.Pattern] = [
    *(p for _, plain, *_ in _COMPILED for p in plain if p.pattern.startswith(" (?:")),
    _CRITICAL_LOWER,
    _HISTORY_LOWER,
]
_PREFIXES = [literal_prefixes(p.pattern[1:]) for p in _TARGETS]
if any("" in found for found in _PREFIXES):  # pragma: no cover - guards future lexicon edits
    raise ValueError("every anchored pattern must begin with a literal word (see words())")
_TARGETS_OF: dict[str, tuple[int, ...]] = {
    word: tuple(t for t, found in enumerate(_PREFIXES) if word.startswith(tuple(found)))
    for word in set().union(*_PREFIXES)
}


@lru_cache(maxsize=1)
def _candidate_scan() -> re.Pattern:
    """The one scan (compiled on first use: a large pattern, kept out of the import)."""
    return re.compile(" (?=(" + _longest_of(_TARGETS_OF) + "))")


_TARGET_INDEX = {id(p): t for t, p in enumerate(_TARGETS)}

# Patterns not anchored on a space whose matches begin with literal text ("fda"): tried only
# where one of those literals occurs (found with ``str.find``, a fast literal search). Those
# that begin with a digit keep their own scan.
_LITERAL_PREFIXES: dict[int, frozenset[str]] = {
    id(p): found
    for _, plain, *_ in _COMPILED
    for p in plain
    if not p.pattern.startswith(" (?:") and "" not in (found := literal_prefixes(p.pattern))
}


def _occurrences(source: str, words) -> list[int]:
    """Sorted start of every occurrence of each of ``words`` in ``source`` (overlaps included)."""
    found = set()
    for word in words:
        i = source.find(word)
        while i >= 0:
            found.add(i)
            i = source.find(word, i + 1)
    return sorted(found)


# The learned model reads two context features per sentence: does the case-insensitive CRITICAL
# (or HISTORY) pattern match in it? For a whole text they come from one pass: no match can cross
# a sentence end (none contains ".", "!", "?" or a line break) and the characters around a
# sentence are white space, so a match in the text is a match in its sentence and vice versa.
# The pass tries the pattern only where one of its literal prefixes occurs in the lower-cased
# text (one scan that steps over characters that cannot begin a prefix). That holds when
# lower-casing keeps every character's position and the text has neither dotless "ı" nor long
# "ſ" (the only characters that match an ASCII letter case-insensitively but do not lower-case
# to it); otherwise the pattern scans the whole text.
def _first_then(prefixes) -> str:
    """Like :func:`_longest_of`, but consuming the first character (a fast skip for the engine)."""
    rests: dict[str, list[str]] = {}
    for word in prefixes:
        rests.setdefault(word[0], []).append(word[1:])
    return (
        "(?:"
        + "|".join(
            re.escape(ch) + ("" if "" in rest else "(?=" + _longest_of(rest) + ")")
            for ch, rest in sorted(rests.items())
        )
        + ")"
    )


@lru_cache(maxsize=1)
def _context_scans() -> list[tuple[re.Pattern, re.Pattern]]:
    """Each context pattern with the scan for its prefixes (compiled on first use)."""
    return [
        (_rules.CRITICAL, re.compile(_first_then(_PREFIXES[-2]))),
        (_rules.HISTORY, re.compile(_first_then(_PREFIXES[-1]))),
    ]


def _context_masks(text: str, spans: list[tuple[int, int]]) -> list[np.ndarray]:
    """Per sentence: does ``_rules.CRITICAL`` match in it; does ``_rules.HISTORY``."""
    starts = np.fromiter((s for s, _ in spans), dtype=np.int64, count=len(spans))
    lowered = text.lower()
    fast = len(lowered) == len(text) and "ı" not in text and "ſ" not in text
    masks = []
    for pattern, prefixes in _context_scans():
        if fast:
            found = _matches_at(pattern, text, [m.start() for m in prefixes.finditer(lowered)])
        else:
            found = [m.span() for m in pattern.finditer(text)]
        masks.append(_sentence_mask(found, starts))
    return masks


def _candidates(padded: str) -> list[list[int]]:
    """For each of :data:`_TARGETS`, the sorted positions of ``padded`` where it may match."""
    per_target: list[list[int]] = [[] for _ in _TARGETS]
    targets_of = _TARGETS_OF
    for m in _candidate_scan().finditer(padded):
        position = m.start()
        for t in targets_of[m.group(1)]:
            per_target[t].append(position)
    return per_target


def _matches_at(pattern: re.Pattern, source: str, candidates: list[int]) -> list[tuple[int, int]]:
    """The spans ``pattern.finditer(source)`` yields, trying ``pattern`` only at ``candidates``.

    ``candidates`` are sorted and include every position where a match can begin. Like
    ``finditer``, the search resumes where the last match ended, so matches never overlap.
    """
    spans = []
    resume = 0
    match = pattern.match
    for position in candidates:
        if position >= resume:
            m = match(source, position)
            if m is not None:
                spans.append(m.span())
                resume = m.end()
    return spans


def _rule_spans(pattern, source: str, padded: str, candidates) -> list[tuple[int, int]]:
    """(start, end) in ``source`` of every match of ``pattern`` (an anchored one on ``padded``).

    An anchored match starts at the space before the word; with the one space prepended to
    ``padded`` that position is already the word's offset in ``source``.
    """
    if not pattern.pattern.startswith(" (?:"):
        words = _LITERAL_PREFIXES.get(id(pattern)) if candidates is not None else None
        if words is None:
            found = [m.span() for m in pattern.finditer(source)]
        else:
            found = _matches_at(pattern, source, _occurrences(source, words))
        return [
            (a, b)
            for a, b in found
            if not a or not (source[a - 1].isalnum() or source[a - 1] == "_")  # word start
        ]
    if candidates is None:
        found = [m.span() for m in pattern.finditer(padded)]
    else:
        found = _matches_at(pattern, padded, candidates[_TARGET_INDEX[id(pattern)]])
    return [(a, b - 1) for a, b in found]


def _sentence_mask(spans: list[tuple[int, int]], starts: np.ndarray) -> np.ndarray:
    """Boolean mask of the sentences in which a match (a span) begins."""
    mask = np.zeros(len(starts), dtype=bool)
    if spans:
        first = np.fromiter((a for a, _ in spans), dtype=np.int64, count=len(spans))
        mask[np.searchsorted(starts, first, side="right") - 1] = True
    return mask


def _lazy_mask(cache: np.ndarray, index: np.ndarray, test) -> np.ndarray:
    """``test(i)`` for each sentence index, computed once per sentence (cache: 0 unknown, 1, 2)."""
    todo = np.unique(index[cache[index] == 0])
    if todo.size:
        cache[todo] = [2 if test(i) else 1 for i in todo.tolist()]
    return cache[index] == 2


def _rule_rows(text: str, spans: list[tuple[int, int]]) -> dict[str, list]:
    """Rule flags as column lists (the engine behind ``method="rules"``).

    The checks of each match are done on whole arrays of matches where they are simple
    (in which sentence, critical or historical sentence) and once per sentence or per match in
    Python where they need the text (question, require/exclude, negation).
    """
    starts = np.fromiter((s for s, _ in spans), dtype=np.int64, count=len(spans))
    ends = np.fromiter((e for _, e in spans), dtype=np.int64, count=len(spans))
    lowered = text.lower()
    same_length = len(lowered) == len(text)
    source = lowered if same_length else text
    padded = " " + _SEPARATORS.sub(" ", source)  # for the anchored patterns (_anchored)
    if same_length:
        candidates = _candidates(padded)
        context = [
            _rule_spans(p, source, padded, candidates) for p in (_CRITICAL_LOWER, _HISTORY_LOWER)
        ]
    else:
        candidates = None
        context = [
            [m.span() for m in p.finditer(source)] for p in (_rules.CRITICAL, _rules.HISTORY)
        ]
    critical = _sentence_mask(context[0], starts)
    blocked_in_history = critical | _sentence_mask(context[1], starts)
    question = np.zeros(len(spans), dtype=np.int8)

    def is_question(i: int) -> bool:
        s0, s1 = spans[i]
        return text[s0:s1].rstrip("\"'”’) ").endswith("?")

    rows: dict[str, list] = {c: [] for c in FLAG_COLUMNS}
    negation = _rules.NEGATION_BEFORE.search
    for rule, plain, insensitive, require, exclude in _COMPILED:
        found = [
            span
            for p in (plain if same_length else insensitive)
            for span in _rule_spans(p, source, padded, candidates)
        ]
        if not found:
            continue
        a = np.fromiter((x for x, _ in found), dtype=np.int64, count=len(found))
        b = np.fromiter((y for _, y in found), dtype=np.int64, count=len(found))
        i = np.searchsorted(starts, a, side="right") - 1
        keep = i >= 0
        i = np.maximum(i, 0)
        keep &= a < ends[i]  # not in white space between sentences (cannot happen in practice)
        keep &= ~(critical if rule.historical_ok else blocked_in_history)[i]
        a, b, i = a[keep], b[keep], i[keep]
        if not rule.in_questions:
            keep = ~_lazy_mask(question, i, is_question)
            a, b, i = a[keep], b[keep], i[keep]
        if rule.negatable:
            keep = np.array(
                [
                    negation(source, max(s0, x - 24), x) is None
                    for x, s0 in zip(a.tolist(), starts[i].tolist(), strict=True)
                ],
                dtype=bool,
            )
            a, b, i = a[keep], b[keep], i[keep]
        if require is not None or exclude is not None:

            def verdict(k: int, require=require, exclude=exclude) -> bool:
                sentence = text[spans[k][0] : spans[k][1]]
                return (require is None or require.search(sentence) is not None) and (
                    exclude is None or exclude.search(sentence) is None
                )

            keep = _lazy_mask(np.zeros(len(spans), dtype=np.int8), i, verdict)
            a, b, i = a[keep], b[keep], i[keep]
        n = len(a)
        rows["sentence"].extend(i.tolist())
        rows["start"].extend(a.tolist())
        rows["end"].extend(np.minimum(b, ends[i]).tolist())
        rows["category"].extend([rule.category] * n)
        rows["matched"].extend([text[x:y] for x, y in zip(a.tolist(), b.tolist(), strict=True)])
        rows["explanation"].extend([rule.explanation] * n)
    return rows
