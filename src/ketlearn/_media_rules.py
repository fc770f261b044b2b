"""Lexicons and patterns behind :func:`ketlearn.media.flag_text` (private, but meant to be read).

Every rule is a plain regular expression a student can read. The lexicons come from published
lists and frameworks (HealthNewsReview.org red-flag terms [@healthnewsreview2018criteria],
Abola & Prasad's ten superlatives [@abola2016use], the IHC Key Concepts' claim phrasings
[@oxman2022key]) and from the DEVELOPMENT part of the fictional corpus
(``media_corpus_fictional.csv``, ``split == "dev"``). The held-out test part was not used to
write or tune them.

Speed rules (no catastrophic backtracking):

- no nested quantifiers; every repeat is either a character class or bounded (``{0,2}``);
- each category is one compiled alternation (two when a digit-led pattern would stop the regex
  engine's fast first-character skip), run once over the whole text with ``finditer``;
- sentence-level conditions (``require`` / ``exclude``) are evaluated once per sentence and
  cached, so a long sentence is never re-scanned for every match in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ABBREVIATIONS", "BOUNDARY", "CLOSERS", "RULES", "Rule"]

# A sentence ends at a run of . ! ? (plus closing quotes or brackets) followed by white space or
# the end of the text, or at a line break. The pattern finds candidate runs (it starts with a
# character class, so the regex engine skips quickly along the text); the flagger checks what
# follows each run in Python, once per run, so the cost stays linear.
BOUNDARY = re.compile(r"[.!?\n][.!?]*")
CLOSERS = frozenset("\"'”’)]")

# Tokens before a single full stop that do not end a sentence.
ABBREVIATIONS = frozenset(
    {"dr", "mr", "mrs", "ms", "prof", "e.g", "i.e", "vs", "etc", "no", "st", "approx", "fig", "u.s"}
)

_Q = "['’]"  # straight or curly apostrophe


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
        Why the pattern is a red flag, with the framework it comes from.
    pattern : str or tuple of str
        Regular expression(s) (matched on a lower-cased copy of the text). A tuple is used when
        one combined pattern would stop the regex engine's fast first-character skip.
    require : str or None
        The sentence must also match this pattern for the flag to count.
    exclude : str or None
        The flag is dropped if the sentence matches this pattern.
    """

    category: str
    label: str
    explanation: str
    pattern: str | tuple[str, ...]
    require: str | None = None
    exclude: str | None = None


def _words(*alternatives: str) -> str:
    """Join alternatives into ``(?:a|b|...)\\b``, grouped by first letter.

    Every alternative starts with a literal character, so the regex engine can skip quickly
    along the text, and alternatives sharing a first letter are grouped
    (``b(?:reakthrough|acked by)``) so each position tries one branch per letter rather than
    one per word. The word boundary BEFORE a match is checked in Python by the flagger (a
    leading ``\\b`` would make every pattern about twice as slow).
    """
    groups: dict[str, list[str]] = {}
    for alt in alternatives:
        if not alt[0].isalnum() or alt[1:2] in {"?", "*", "+", "{"}:
            raise ValueError(f"alternative must start with a plain letter or digit: {alt!r}")
        groups.setdefault(alt[0], []).append(alt[1:])
    branches = [
        first + (rest[0] if len(rest) == 1 else "(?:" + "|".join(rest) + ")")
        for first, rest in groups.items()
    ]
    return "(?:" + "|".join(branches) + r")\b"


_SAFE_WORDS = ("completely", "totally", "perfectly", "entirely", "absolutely", "very")

RULES: tuple[Rule, ...] = (
    Rule(
        "hype",
        "Hype or superlative",
        "Evaluative words stand in for data (HNR red-flag terms; Abola & Prasad superlatives).",
        _words(
            r"breakthroughs?",
            r"miracles?",
            r"miraculous",
            r"game[- ]?chang\w*",
            r"revolutionar\w*",
            r"revolutioni[sz]\w*",
            r"groundbreaking",
            r"transformative",
            r"transform(?:s|ing|ed)?",
            r"holy grail",
            r"magic(?:al)?",
            r"unprecedented",
            r"paradigm[- ]shift",
            r"landmark",
            r"life[- ]?savers?",
            r"wonder[- ]drug",
            r"first[- ]of[- ]its[- ]kind",
            r"chang(?:es|ing) everything",
            r"home run",
            r"marvel",
            r"the future of (?:mental health|psychiatry|medicine|care)",
            r"most (?:revolutionary|important|exciting|advanced|effective|powerful)",
            r"far (?:exceed\w*|better|superior)",
            r"amazing",
            r"astonishing",
            r"spectacular",
            r"phenomenal",
            r"incredible",
            r"extraordinary",
            r"promising",
        ),
    ),
    Rule(
        "absolute_safety",
        "Absolute safety claim",
        "No medicine is risk-free; '100% safe' is a claim too good to be true (IHC 1.1; FDA 2023 "
        "warning lists misuse, raised blood pressure, slowed breathing and bladder symptoms).",
        _words(
            r"100 ?(?:%|percent) (?:safe|natural|risk[- ]free)",
            *(w + " safe" for w in _SAFE_WORDS),
            r"risk[- ]free",
            r"no (?:risks?|dangers?|downsides?)",
            r"zero (?:risks?|dangers?)",
            r"no (?:side[- ]effects?|withdrawal|hangover)",
            r"without (?:any )?side[- ]effects",
            r"non[- ]?addictive",
            r"not (?:addictive|habit[- ]forming)",
            r"non[- ]habit[- ]forming",
            rf"can{_Q}?t be addicted",
            r"cannot be addicted",
            r"harmless",
        ),
        exclude=r"\bnot (?:risk[- ]free|100|completely|totally|perfectly|entirely|absolutely)",
    ),
    Rule(
        "unsourced_number",
        "Unsourced number",
        "A success figure without source, denominator, comparator or time frame (HNR criterion 2; "
        "Moynihan 2000).",
        (
            # (?<!\d\d) after the first digit: only the start of a run of digits can begin a
            # match, so a long run of digits is scanned once, not once per digit.
            r"\d(?<!\d\d)\d*(?:(?:\.\d+)? ?(?:%|percent)(?! off| safe| natural| risk)"
            r"| (?:out of|in) (?:ten|10)\b)",
            _words(
                *(f"{w} (?:out of|in) (?:ten|10)" for w in ("nine", "eight", "seven", "six")),
                *(
                    f"{w} [\\d,]+ (?:people|patients|clients|members|customers)"
                    for w in ("over", "more than", "nearly", "almost")
                ),
            ),
        ),
        exclude=r"\b(?:survey|according to|et al|journal|published in|doi|nsduh|randomi[sz]ed"
        r"|placebo|controlled trial|meta-analysis)\b|\[@",
    ),
    Rule(
        "vague_authority",
        "Vague appeal to evidence or authority",
        "Volume of evidence or credentials instead of a citation (IHC 'A study shows!', "
        "'Recommended by experts!').",
        _words(
            *(
                f"{w} (?:show|shows|prove|proves|have shown|has shown|confirm|confirms|says)"
                for w in ("studies", "research", "science", "trials", "data")
            ),
            r"backed by (?:science|research|studies|evidence)",
            r"clinically proven",
            r"scientifically proven",
            *(
                f"{w} of (?:studies|trials|papers|scientists|doctors)"
                for w in ("thousands", "hundreds", "dozens")
            ),
            *(
                f"{w} (?:agree|say|recommend)"
                for w in ("doctors", "experts", "scientists", "physicians", "researchers")
            ),
            r"trusted by",
            r"recommended by",
            *(
                f"{w} (?:universities|doctors|experts|physicians|scientists|clinicians)"
                for w in ("top", "leading", "world[- ]class", "renowned", "elite")
            ),
            r"harvard",
            r"ivy[- ]league",
            r"as seen on",
        ),
    ),
    Rule(
        "speed_permanence",
        "Speed or permanence promise",
        "Promises of instant or permanent results; large, dramatic effects are rare and benefits "
        "of ketamine are often short-lived (IHC concepts; HNR criterion 2).",
        _words(
            r"within (?:hours|an hour|a day|days|\d+ hours)",
            r"in (?:hours|a day)",
            r"overnight",
            r"instant(?:ly)?",
            r"immediate(?:ly)?",
            r"fast(?!-)",
            r"rapid(?:ly)?",
            r"quick(?:ly)?",
            r"on day one",
            r"in (?:one|a single|1) (?:session|infusion|dose|treatment)",
            r"permanent(?:ly)?",
            r"long[- ]lasting",
            r"lasting",
            r"forever",
            r"for good",
            r"cure[sd]?",
        ),
    ),
    Rule(
        "mechanism_proof",
        "Mechanism offered as proof",
        "Brain mechanism language presented as if it proved clinical benefit (IHC 'It works like "
        "this!').",
        _words(
            r"re-?wir\w*",
            r"regrow\w*",
            r"rebuild\w*",
            r"reset\w*",
            r"neuroplasticity",
            r"plasticity",
            r"synap\w*",
            r"glutamate",
            r"nmda",
            r"bdnf",
            r"neural pathways?",
            r"different pathway",
            r"new pathway",
            r"heal(?:s|ing)? (?:your|the) brain",
            r"brain (?:healing|damage)",
            r"new connections",
            r"reverses? (?:the )?(?:brain|damage)",
        ),
        exclude=r"\b(?:mice|mouse|rats?|rodents?|animals?|in vitro|cells? cultures?)\b",
    ),
    Rule(
        "risk_dismissal",
        "Dismissal of risks or critics",
        "Risks or critics waved away instead of answered (HNR criterion 3; DISCERN Q11).",
        _words(
            r"side[- ]effects (?:are|were) (?:rare|mild|minimal|minor|temporary)",
            r"nothing to worry about",
            r"no need to worry",
            r"fear-?mongering",
            r"scare-?mongering",
            r"critics who",
            r"haters",
            r"naysayers",
            r"big pharma",
            rf"don{_Q}?t want you to know",
            rf"doesn{_Q}?t want you to know",
            rf"haven{_Q}?t kept up",
            r"overblown",
            r"myths? about",
        ),
    ),
    Rule(
        "testimonial",
        "Testimonial or anecdote",
        "A personal story offered as evidence (IHC 'It worked for me!'; Meta Oversight Board 2023 "
        "case on paid influencer posts).",
        _words(
            rf"i(?:{_Q}ve|{_Q}m)?(?: \w+){{0,2}} (?:felt|feel|got|gained|was|finally|wish)",
            r"saved my",
            r"changed my",
            r"transformed my",
            r"gave me back my",
            r"my (?:life|depression|anxiety|ptsd|mind)",
            *(
                f"{w} (?:[a-z]\\.|one (?:woman|man|patient|client|member))"
                for w in ("says", "said", "writes", "wrote")
            ),
        ),
    ),
    Rule(
        "call_to_action",
        "Call to action or urgency",
        "Pressure to act now replaces shared decision-making (DISCERN Q15; FTC disclosure "
        "guidance).",
        (
            _words(
                r"book (?:now|today|your|a)",
                r"call (?:now|today|us)",
                r"sign up",
                r"join (?:now|today|us)",
                r"start (?:your|now|today)",
                r"get started",
                r"apply now",
                r"take (?:our|the|this) (?:[\w-]+ )?quiz",
                r"see if you qualify",
                r"reserve (?:your|now|today)",
                r"schedule (?:now|your)",
                r"order now",
                r"buy now",
                r"link in bio",
                r"use (?:my|our|the) code",
                r"discount code",
                r"promo code",
                r"dm (?:me|us)",
                r"free (?:consult\w*|assessment)",
                r"limited (?:time|spots|offer)",
                r"half price",
                rf"don{_Q}?t wait",
                r"act now",
            ),
            r"\d(?<!\d\d)\d*(?: spots| ?% off)",
        ),
    ),
    Rule(
        "approval_conflation",
        "Esketamine's approval used for other ketamine",
        "Spravato (esketamine) is approved only under a REMS in certified settings; off-label IV and "
        "compounded oral ketamine are not FDA-approved (FDA 2023 warning; Crane 2023).",
        r"fda[- ]?approv\w*|approved by the fda\b",
        require=r"\b(?:our|we|ketamine (?:therapy|treatment|infusions?)|same (?:medicine|drug)"
        r"|cousin|at[- ]home|delivered|lozenges?|insurers?|cover)\b",
        exclude=rf"\b(?:not|never|no|isn{_Q}?t|only|off-label|unapproved)\b",
    ),
)
