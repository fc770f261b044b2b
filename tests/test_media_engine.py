"""The flagger's speed devices give exactly what a plain regex scan gives (issue 16, speed).

The rule engine (``ketlearn._media_engine``) tries each word-list pattern only where one of its
literal prefixes (``_media_patterns.literal_prefixes``) follows a space, found by one scan for
all patterns. These tests compare that with the plain ``finditer`` of each pattern, the oracle.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ketlearn import _media_engine as engine
from ketlearn import data
from ketlearn._media_patterns import literal_prefixes

# Pieces of the lexicons and of ordinary text, so random texts hit many patterns and near misses.
_PIECES = [
    "miracle", "breakthrough", "the future of", "safe", "safely", "100% safe", "studies show",
    "the evidence is clear", "book now", "5 spots", "20% off", "$0", "fda-approved",
    "fda approved", "approved by the fda", "in 1965", "was introduced", "claims", "not a",
    "never", "rewire", "re-wire", "colour", "color", "game-changer", "gamechanger", "life",
    "changing", "i ", "i’ve finally felt", "wasn't the", "it’s a tool", "dr.", "e.g.", "the",
    "in", "a", "of", "1", "9", " ", " ", " ", ". ", "? ", "! ", "\n", "-", "—", "“", "(", "'",
    "’", "_", "K", "İ", "ſ", "critics say", "hype", "by 2015 it was", "in the 1960s", "SIGN",
    "ſign", "cla\u0131m", "Claim", "MISLEADING", "Was First Used",
]  # fmt: skip
_TEXTS = st.lists(st.sampled_from(_PIECES), max_size=60).map("".join)


def _plain_spans(pattern: re.Pattern, source: str, padded: str) -> list[tuple[int, int]]:
    """What ``_rule_spans`` returns, computed with ``finditer`` only (the oracle)."""
    if pattern.pattern.startswith(" (?:"):
        return [(m.start(), m.end() - 1) for m in pattern.finditer(padded)]
    return [
        m.span()
        for m in pattern.finditer(source)
        if not m.start() or not (source[m.start() - 1].isalnum() or source[m.start() - 1] == "_")
    ]


def _all_patterns() -> list[re.Pattern]:
    plain = [p for _, patterns, *_ in engine._COMPILED for p in patterns]
    return [*plain, engine._CRITICAL_LOWER, engine._HISTORY_LOWER]


def _check_same_spans(text: str) -> None:
    source = text.lower()
    if len(source) != len(text):
        return  # the engine scans such texts with finditer anyway
    padded = " " + engine._SEPARATORS.sub(" ", source)
    candidates = engine._candidates(padded)
    for pattern in _all_patterns():
        fast = engine._rule_spans(pattern, source, padded, candidates)
        assert fast == _plain_spans(pattern, source, padded), (pattern.pattern[:60], text)


def test_candidate_scan_equals_finditer_on_the_corpora():
    sentences = data.load("media_sentences_fictional")["sentence"].astype(str)
    documents = data.load("media_corpus_fictional")["text"].astype(str)
    _check_same_spans("\n".join([*sentences, *documents]))


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_candidate_scan_equals_finditer_on_random_text(text):
    _check_same_spans(text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["safe", "(?:very |so )?", "colou?r", "[- ]?", "miracle", "s?", "\\w*"]),
        min_size=1,
        max_size=4,
    ).map("".join),
    st.lists(
        st.sampled_from(["very ", "so", "safe", "colour", "color", "-", " ", "miracles", "x"])
    ).map("".join),
)
def test_every_match_begins_with_a_literal_prefix(pattern, text):
    prefixes = tuple(literal_prefixes(pattern))
    for start in range(len(text) + 1):
        if re.compile(pattern).match(text, start):
            assert text.startswith(prefixes, start), (pattern, text, prefixes)


def test_literal_prefixes_of_the_lexicons_are_selective():
    """No word-list pattern may begin with a non-literal (the scan would need every position)."""
    for pattern in engine._TARGETS:
        prefixes = literal_prefixes(pattern.pattern[1:])
        assert prefixes and "" not in prefixes
        assert min(map(len, prefixes)) >= 2, pattern.pattern[:60]


def _check_context(text: str) -> None:
    spans = engine._sentence_spans(text)
    critical, historical = engine._context_masks(text, spans)
    for (a, b), c, h in zip(spans, critical, historical, strict=True):
        sentence = text[a:b]
        assert c == (engine._rules.CRITICAL.search(sentence) is not None), sentence
        assert h == (engine._rules.HISTORY.search(sentence) is not None), sentence


def test_context_features_of_a_text_equal_those_of_its_sentences_on_the_corpora():
    """The model's context features, one pass per text, as if each sentence were searched."""
    sentences = data.load("media_sentences_fictional")["sentence"].astype(str)
    documents = data.load("media_corpus_fictional")["text"].astype(str)
    text = "\n".join([*sentences, *documents])
    _check_context(text)
    _check_context(text.upper())


@settings(max_examples=300, deadline=None)
@given(_TEXTS, st.booleans())
def test_context_features_of_a_text_equal_those_of_its_sentences(text, upper):
    _check_context(text.upper() if upper else text)
