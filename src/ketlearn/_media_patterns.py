"""Pattern machinery of the flagger (private): sentence boundaries, context, the Rule type.

Used by :mod:`ketlearn._media_rules` (the lexicons) and :mod:`ketlearn.media_flagger` (the
engine). Context patterns keep the flagger quiet on the genre's hard negatives:

- :data:`CRITICAL` marks sentences that quote hype in order to question it (critical journalism,
  fact checks, advice to readers); no flag is raised in them;
- :data:`HISTORY` marks historical description (a year before 2000, "was introduced /
  developed / first used", or "in 2000 a study reported"); rules that do not set
  ``historical_ok`` stay quiet there;
- :data:`NEGATION_BEFORE`: a negation just before a match ("not a miracle", "no longer")
  cancels it for the rules that set ``negatable``.

Speed rules (no catastrophic backtracking): no nested quantifiers; every repeat is a character
class or bounded; :func:`words` builds alternations grouped by first letter.
:func:`literal_prefixes` lists the literal strings a pattern's matches must begin with, which
lets the flagger find the candidate positions of all word-list rules in one scan.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

__all__ = [
    "ABBREVIATIONS",
    "BOUNDARY",
    "CLOSERS",
    "CRITICAL",
    "HISTORY",
    "NEGATION_BEFORE",
    "QUOTE",
    "Rule",
    "literal_prefixes",
    "words",
]

BOUNDARY = re.compile(r"[.!?\n][.!?]*")
CLOSERS = frozenset("\"'”’)]")

# Tokens before a single full stop that do not end a sentence.
ABBREVIATIONS = frozenset(
    {"dr", "mr", "mrs", "ms", "prof", "e.g", "i.e", "vs", "etc", "no", "st", "approx", "fig", "u.s"}
)

QUOTE = _Q = "['’]"  # straight or curly apostrophe

# Sentences that quote or name promotional wording in order to question it. Matched on the whole
# sentence (case-insensitive); a sentence that matches gets no flag at all.
CRITICAL = re.compile(
    r"\b(?:misleading|not (?:backed|supported|a fair|justified)|overstat\w*|exaggerat\w*"
    r"|be wary|with caution|claim(?:s|ed)?|phrases?|words? (?:like|such as)|common line"
    r"|beyond the data|half true|no medicine can|leaves? out|left out|without saying"
    rf"|described as false|a sign of|don{_Q}?t turn|dismiss\w*|critics say|marketing|hype"
    r"|fact check|is that (?:even )?allowed|advert(?:s|ised)?|flyer|headlines? (?:that|often)"
    r"|every (?:clinic|site|advert|few months)|another (?:story|headline|advert)"
    r"|clinic (?:sites?|websites?)|websites? (?:say|said|promise)"
    rf"|has run ahead|wasn{_Q}?t the|it(?:{_Q}s| is) a tool|please don{_Q}?t)\b",
    re.IGNORECASE,
)

# Historical description: the past, told as history, is not a claim about today.
HISTORY = re.compile(
    r"\b(?:1[89]\d\d|19\d\ds|in the (?:early |late )?(?:19\d0s|sixties|seventies))\b"
    r"|\b(?:was|were) (?:first |originally )?(?:introduced|developed|synthesi[sz]ed|made|used|"
    r"approved as|placed|added)\b"
    r"|\b(?:in|by) (?:19|20)\d\d\b[^.!?\n]*\b(?:reported|found|showed|was|were|had)\b",
    re.IGNORECASE,
)

# A negation in the few characters before a match cancels it (rules with ``negatable=True``).
NEGATION_BEFORE = re.compile(
    rf"\b(?:not|never|no longer|isn{_Q}?t|wasn{_Q}?t|aren{_Q}?t|hardly)\s+(?:\w+\s+){{0,2}}$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Rule:
    """One red-flag category.

    Attributes
    ----------
    category : str
        Machine name used in the annotations.
    label : str
        Short human label.
    explanation : str
        Why the pattern is a red flag, in one sentence, naming the framework it comes from.
    sources : tuple of str
        Bibliography keys (``references.bib``) of the taxonomy behind the category.
    pattern : str or tuple of str
        Regular expression(s) (matched on a lower-cased copy of the text). A tuple is used when
        one combined pattern would stop the regex engine's fast first-character skip.
    require : str or None
        The sentence must also match this pattern for the flag to count.
    exclude : str or None
        The flag is dropped if the sentence matches this pattern.
    negatable : bool
        Drop the flag when a negation ("not", "never", "no longer") comes just before it.
    historical_ok : bool
        Keep the flag in historical sentences (see :data:`HISTORY`).
    in_questions : bool
        Keep the flag in a sentence that ends with a question mark (a question asks, it does not
        claim; calls to action and hype still count).
    """

    category: str
    label: str
    explanation: str
    sources: tuple[str, ...]
    pattern: str | tuple[str, ...]
    require: str | None = None
    exclude: str | None = None
    negatable: bool = False
    historical_ok: bool = False
    in_questions: bool = True


def _expand(alt: str) -> list[str]:
    """Expand a leading group, ``(?:a|b )?rest`` -> ``a rest``, ``b rest``, ``rest``.

    Lets :func:`words` keep its rule that every alternative starts with a literal character
    (which keeps the regex engine's fast skip) while the lexicons stay readable.
    """
    if not alt.startswith("(?:"):
        return [alt]
    depth, i = 0, 0
    for i, ch in enumerate(alt):
        if ch == "(" and alt[i - 1 : i] != "\\":
            depth += 1
        elif ch == ")" and alt[i - 1 : i] != "\\":
            depth -= 1
            if depth == 0:
                break
    inner, rest = alt[3:i], alt[i + 1 :]
    optional = rest.startswith("?")
    if optional:
        rest = rest[1:]
    options, depth, start = [], 0, 0
    for j, ch in enumerate(inner):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            options.append(inner[start:j])
            start = j + 1
    options.append(inner[start:])
    if optional:
        options.append("")
    return [e for o in options for e in _expand(o + rest)]


def words(*alternatives: str) -> str:
    """Join alternatives into ``(?:a|b|...)\\b``, grouped by first letter.

    Every alternative starts with a literal character, so every match begins with a literal
    prefix (:func:`literal_prefixes`), which the flagger's single candidate scan needs, and
    alternatives sharing a first letter are grouped (``b(?:reakthrough|acked by)``) so each
    position tries one branch per letter rather than one per word. The word boundary BEFORE a
    match is given by the space the flagger anchors each pattern on (a leading ``\\b`` would
    hide the literal prefixes).
    """
    groups: dict[str, list[str]] = {}
    for alt in (e for a in alternatives for e in _expand(a)):
        if not alt[0].isalnum() or alt[1:2] in {"?", "*", "+", "{"}:
            raise ValueError(f"alternative must start with a plain letter or digit: {alt!r}")
        groups.setdefault(alt[0], []).append(alt[1:])
    branches = [
        first + (rest[0] if len(rest) == 1 else "(?:" + "|".join(rest) + ")")
        for first, rest in groups.items()
    ]
    return "(?:" + "|".join(branches) + r")\b"


def _scan(pattern: str, start: int = 0):
    """Each unescaped character from ``start``: ``(index, char, group depth, inside a class)``.

    The depth is counted after the character (an opening ``(`` already counts); a class is
    ``[...]``, its closing ``]`` included, and the parentheses inside it count for nothing.
    Escaped characters (``\\x``) are skipped. The lexicons' dialect only: no nested classes.
    """
    depth, in_class, i = 0, False, start
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
            yield i, ch, depth, True
        else:
            if ch == "[":
                in_class = True
            elif ch in "()":
                depth += 1 if ch == "(" else -1
            yield i, ch, depth, False
        i += 1


def _close(pattern: str, i: int) -> int:
    """Index of the ``)`` or ``]`` closing the group or class that opens at ``pattern[i]``."""
    closing = "]" if pattern[i] == "[" else ")"
    for j, ch, depth, in_class in _scan(pattern, i):
        if ch == closing and j > i and (in_class if closing == "]" else depth == 0):
            return j
    raise ValueError(f"unbalanced pattern: {pattern!r}")


def _top_level_alternatives(pattern: str) -> list[str]:
    """Split ``pattern`` at its top-level ``|`` (not inside a group, a class or an escape)."""
    cuts = [
        j for j, ch, depth, in_class in _scan(pattern) if ch == "|" and not depth and not in_class
    ]
    bounds = [-1, *cuts, len(pattern)]
    return [pattern[a + 1 : b] for a, b in itertools.pairwise(bounds)]


def literal_prefixes(pattern: str, max_length: int = 10) -> frozenset[str]:
    """Literal strings, one of which begins every match of ``pattern``.

    Reads the regular-expression dialect of the lexicons: literal characters, non-capturing
    groups ``(?:a|b)`` (optional ones with ``?``), classes of plain characters (``[- ]``) and
    optional characters (``colou?r``) are expanded; anything else (``\\w``, ``\\d``, other
    repeats, look-arounds) ends the prefix there, which is always safe: a shorter prefix only
    admits more candidates. Prefixes are cut at ``max_length`` characters and those that extend
    a shorter one are dropped. The flagger relies on this to skip text where no rule can match;
    a test compares the result with a plain scan.

    >>> sorted(literal_prefixes(r"(?:very )?safe(?:ly)? for|colou?rs?"))
    ['color', 'colour', 'safe for', 'safely for', 'very safe ', 'very safel']
    >>> literal_prefixes(r"colou?r|\\w+ safe")  # any word can begin a match
    frozenset({''})
    """
    found: set[str] = set()

    def walk(prefix: str, rest: str) -> None:
        i = 0
        while i < len(rest) and len(prefix) + i < max_length:
            ch, after = rest[i], rest[i + 1 : i + 2]
            if rest.startswith("(?:", i) or ch == "[":
                j = _close(rest, i)
                body = rest[i + 3 : j] if ch == "(" else rest[i + 1 : j]
                q = rest[j + 1 : j + 2]
                plain_class = (
                    ch == "[" and body and not set(body) & set("\\^[") and ("-" not in body[1:-1])
                )
                if (q and q in "*+{") or (ch == "[" and not plain_class):
                    break
                options = _top_level_alternatives(body) if ch == "(" else list(body)
                tail = rest[j + 2 :] if q == "?" else rest[j + 1 :]
                for option in [*options, *([""] if q == "?" else [])]:
                    walk(prefix + rest[:i], option + tail)
                return
            if ch in "\\().|?*+{}^$" or (after and after in "*+{"):
                break
            if after == "?":  # an optional character: with it and without it
                walk(prefix + rest[:i], ch + rest[i + 2 :])
                walk(prefix + rest[:i], rest[i + 2 :])
                return
            i += 1
        found.add(prefix + rest[:i])

    for alternative in _top_level_alternatives(pattern):
        walk("", alternative)
    kept: list[str] = []
    for p in sorted(found, key=len):
        if not p.startswith(tuple(kept)):
            kept.append(p)
    return frozenset(kept)
