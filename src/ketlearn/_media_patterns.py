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
"""

from __future__ import annotations

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

    Every alternative starts with a literal character, so the regex engine can skip quickly
    along the text, and alternatives sharing a first letter are grouped
    (``b(?:reakthrough|acked by)``) so each position tries one branch per letter rather than
    one per word. The word boundary BEFORE a match is checked in Python by the flagger (a
    leading ``\\b`` would make every pattern about twice as slow).
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
