"""Lexicons and patterns behind :func:`ketlearn.media.flag_text` (private, but meant to be read).

Every rule is a plain regular expression a student can read, and every category rests on a
published taxonomy of exaggeration or promotion in health communication (the ``sources`` of each
:class:`Rule`, keys in ``references.bib``):

- exaggeration in health press releases: causal claims, advice to readers, inference from animals
  to people [@sumner2014association];
- spin: reporting that makes a null or uncontrolled result look beneficial [@boutron2010reporting;
  @yavchitz2012misrepresentation];
- the HealthNewsReview.org criteria and red-flag terms [@healthnewsreview2018criteria], the IHC Key
  Concepts' claim phrasings [@oxman2022key];
- promotional ("hype") vocabulary in science: superlatives [@abola2016use], positive words
  [@vinkers2015use], hype adjectives [@millar2022trends].

The lexicons were extended on the DEVELOPMENT split of ``media_sentences_fictional`` only; its
test split was frozen and committed before any rule here changed.

Context patterns (critical journalism, history, negation, questions) and the :class:`Rule` type
are in ``ketlearn._media_patterns``; rule-specific ``exclude`` patterns drop hedged or cautionary
uses (animal studies and "may" for mechanism; "wears off" and "fades" for speed). Every repeat
is bounded and every alternation starts with a literal character, so the cost stays linear.
"""

from __future__ import annotations

from ketlearn._media_patterns import (
    ABBREVIATIONS,
    BOUNDARY,
    CLOSERS,
    CRITICAL,
    HISTORY,
    NEGATION_BEFORE,
    Rule,
)
from ketlearn._media_patterns import QUOTE as _Q
from ketlearn._media_patterns import words as _words

__all__ = [
    "ABBREVIATIONS",
    "BOUNDARY",
    "CLOSERS",
    "CRITICAL",
    "HISTORY",
    "NEGATION_BEFORE",
    "RULES",
    "Rule",
]

_W = r"[\w'’-]+ "  # one word and a space (used with a bounded repeat)
_SAFE_ADVERBS = ("completely", "totally", "perfectly", "entirely", "absolutely", "very",
                 "extremely", "remarkably", "incredibly", "100% ", "100 percent")  # fmt: skip
_BENIGN = (
    "(?:rare|mild|minimal|minor|temporary|trivial|brief|short-lived|extremely rare|manageable)"
)
_VOLUME_WORDS = ("thousands", "hundreds", "dozens", "millions", "countless", "decades", "years",
                 "mountains?", "wealth", "body")  # fmt: skip
_EVIDENCE_WORDS = ("studies", "research", "science", "trials", "data", "papers", "evidence")
_EVIDENCE = "(?:research|evidence|science|studies|data|trials|literature)"

RULES: tuple[Rule, ...] = (
    Rule(
        "hype",
        "Hype or transformational language",
        "Superlatives and promotional words stand in for data (HealthNewsReview red-flag terms; "
        "superlatives counted by Abola & Prasad; positive and hype words in Vinkers 2015 and "
        "Millar 2022).",
        ("healthnewsreview2018criteria", "abola2016use", "vinkers2015use", "millar2022trends"),
        _words(
            r"breakthroughs?",
            r"miracles?",
            r"miraculous",
            r"game[- ]?chang\w*",
            r"revolution\w*",
            r"groundbreaking",
            r"ground-breaking",
            r"transformati\w+",
            r"transform(?:s|ing|ed)?",
            r"holy grail",
            r"magic(?:al)?",
            r"unprecedented",
            r"paradigm[- ]shift",
            r"landmark",
            r"watershed",
            r"life[- ]?savers?",
            r"life[- ](?:changing|altering|transforming)",
            r"chang(?:ed|es|ing) (?:everything|the world|lives)",
            r"lives changed",
            r"wonder[- ]drug",
            r"first[- ]of[- ]its[- ]kind",
            r"home run",
            r"marvel\w*",
            r"cutting[- ]edge",
            r"state[- ]of[- ]the[- ]art",
            r"award[- ]winning",
            r"the future of \w+",
            r"the future\b",
            r"new (?:era|standard of care|wave|dawn|frontier)",
            r"(?:new|real|fresh) hope",
            r"hope (?:for|to) (?:millions|thousands|everyone|all)",
            r"hope is here",
            r"hope where",
            r"offers? hope",
            r"gave me hope",
            r"brought (?:new )?hope",
            r"for millions",
            r"do the same for millions",
            r"fresh start",
            r"new beginning",
            r"unlock\w*",
            r"rediscover\w*",
            r"redefin\w+",
            r"reinvent\w*",
            r"reclaim\w*",
            r"say goodbye to",
            r"end the (?:mental health )?crisis",
            r"the answer you",
            r"nothing (?:short|less) (?:of|than)",
            r"(?:the )?(?:nation|world|country)" + _Q + r"s leading",
            r"leading the way",
            r"at the forefront",
            r"most (?:exciting|important|significant|promising|effective|powerful|advanced|"
            r"revolutionary|magical|trusted)",
            r"biggest (?:advance|breakthrough|discovery|development)",
            r"best (?:decision|thing)",
            r"amazing",
            r"astonishing",
            r"spectacular",
            r"phenomenal",
            r"incredible",
            r"extraordinary",
            r"remarkable",
            r"outstanding",
            r"unmatched",
            r"exceptional",
            r"profound",
            r"deeply healing",
            r"promising",
            r"innovative",
            r"inspiring",
            r"dramatic(?:ally)? (?:new|improve\w*|results?|relief|change\w*|recover\w*)",
            r"healing power",
            r"the power of",
        ),
        exclude=r"\b(?:designation|pathway|breakthrough therapy)\b",
        negatable=True,
    ),
    Rule(
        "absolute_safety",
        "Absolute safety claim",
        "No medicine is risk-free: denying dependence or calling side effects rare, mild or "
        "well managed states safety as a finding (IHC 'too good to be true'; HealthNewsReview "
        "criterion 3; 'not addictive' claims in clinic adverts, Crane 2023).",
        ("oxman2022key", "healthnewsreview2018criteria", "crane2023false"),
        _words(
            *(a.strip() + " safe" for a in _SAFE_ADVERBS if not a[0].isdigit()),
            r"100 ?(?:%|percent) (?:safe|natural|risk[- ]free)",
            r"safe, ",
            r"safe and",
            r"safe hands",
            r"safest",
            r"safe(?:ly)? (?:for|in) (?:everyone|millions|decades)",
            r"used safely",
            r"safety (?:record|profile)",
            r"excellent safety",
            r"risk[- ]free",
            r"harmless",
            r"gentle",
            r"no (?:risks?|dangers?|downsides?|dangerous|potential for)",
            r"zero (?:risks?|dangers?|side[- ]effects?)",
            r"without (?:any )?(?:risks?|side[- ]effects)",
            r"eliminates? (?:the )?risks?",
            r"(?:the )?risks? (?:is|are) (?:minimal|negligible|tiny|low)",
            r"minimal risks?",
            r"no (?:side[- ]effects?|withdrawal|hangover|dependence|addiction|long-term harm)",
            r"no (?:physical|psychological|real|known|serious) (?:dependence|addiction|risks?|"
            r"withdrawal|side[- ]effects?)",
            r"never (?:had|felt|seen) (?:a single |any )?(?:serious )?side[- ]effects?",
            r"non[- ]?addictive",
            r"not (?:addictive|habit[- ]forming|considered addictive)",
            r"non[- ]habit[- ]forming",
            rf"can{_Q}?t be addict\w*",
            r"cannot be addict\w*",
            r"addiction is not",
            r"dependence (?:does not|doesn" + _Q + r"?t|won" + _Q + r"?t) (?:occur|happen)",
            r"getting hooked",
            r"nothing to (?:worry about|be afraid of|fear)",
            rf"don{_Q}?t worry",
            r"complications (?:simply )?(?:don" + _Q + r"?t|do not|never) (?:happen|occur)",
            r"side[- ]effects (?:are|were) (?:" + _W + "){0,2}" + _BENIGN,
            r"side[- ]effects (?:are|were) (?:" + _W + "){0,2}(?:well|carefully) (?:managed"
            r"|tolerated|controlled)",
            r"well[- ](?:tolerated|managed)",
            r"carefully managed",
            r"any side[- ]effects (?:are|were) " + _BENIGN,
            r"(?:very|totally|completely) safe",
        ),
        exclude=r"\b(?:not (?:risk[- ]free|100|completely|totally|perfectly|entirely|absolutely"
        r"|without risks?)|don" + _Q + r"?t tell)",
        in_questions=False,
    ),
    Rule(
        "vague_authority",
        "Appeal to volume of research or to authority",
        "The amount of research or the standing of experts replaces a citation (IHC 'A study "
        "shows!', 'Recommended by experts!'; HealthNewsReview criterion 4).",
        ("oxman2022key", "healthnewsreview2018criteria"),
        _words(
            *(
                f"{w} of (?:published |peer-reviewed |clinical |scientific )?"
                f"(?:studies|papers|trials|articles|research|patients|scientists|doctors)"
                for w in _VOLUME_WORDS
            ),
            r"study after study",
            r"countless",
            r"(?:enormous|growing|large|vast|huge|overwhelming|robust|extensive) "
            r"(?:and growing )?(?:body|weight|mountain|amount|wealth) of",
            r"(?:a |the )?(?:overwhelming )?" + _EVIDENCE + r" (?:is|are) (?:clear|settled|"
            r"overwhelming|everywhere|on our side|unequivocal|conclusive)",
            r"the " + _EVIDENCE + r" speaks?",
            r"speaks? for itself",
            r"(?:the )?overwhelming (?:" + _W + "){0,2}(?:research|evidence|science|consensus)",
            r"(?:science|research|studies) (?:has|have) (?:proven|confirmed)",
            r"science (?:proves|has proven)",
            r"(?:scientifically|clinically) proven",
            *(
                f"{w} (?:show|shows|prove|proves|confirm|confirms|have shown|has shown|"
                f"demonstrate|demonstrates|support|supports)"
                for w in _EVIDENCE_WORDS
            ),
            r"backed by",
            r"grounded in",
            r"underpins",
            r"based on the latest",
            r"latest (?:neuro)?science",
            r"very latest",
            r"(?:experts|doctors|researchers|psychiatrists|scientists|physicians) "
            r"(?:around the world |now |all )?(?:agree|say|describe|recommend)",
            r"(?:leading|top|world[- ]class|renowned|prestigious|elite|world" + _Q + r"s most) "
            r"(?:" + _W + "){0,2}(?:universities|doctors|physicians|psychiatrists|researchers|"
            r"institutions|medical schools|centres|centers|experts|scientists)",
            r"trusted by",
            r"recommended by",
            r"consensus of",
            r"harvard",
            r"yale",
            r"stanford",
            r"ivy[- ]league",
            r"as seen on",
            r"invited to speak",
            r"google it",
            r"(?:tell|assure) you",
        ),
        exclude=r"\b(?:et al|doi|journal|published in|randomi[sz]ed|placebo|meta-analys\w+|mixed"
        r"|some studies|a few studies|small studies|a handful|others show)\b",
        in_questions=False,
    ),
    Rule(
        "causal_overclaim",
        "Causal claim, advice or animal-to-human leap",
        "Press releases exaggerate by stating causes, giving readers advice, or carrying animal "
        "results over to people (Sumner et al. 2014).",
        ("sumner2014association",),
        _words(
            r"cures? (?:depression|anxiety|ptsd|pain|addiction)",
            r"(?:repair|reverse|heal|undo)s? (?:the )?(?:damage|depression|brain)",
            r"(?:should|must|need to|needs to) (?:try|ask|get|be offered|consider ketamine)",
            r"need to try",
            r"should be offered",
            r"pave the way",
            r"in humans",
            r"the human brain",
            r"(?:everyone|anyone|you) (?:with|who has) depression",
            r"if you have depression",
        ),
        exclude=r"\b(?:mice|mouse|rats?|rodents?|animals?)\b.*\b(?:limited|not|cannot|caution)",
        negatable=True,
        in_questions=False,
    ),
    Rule(
        "spin",
        "Spin: a weak or null result presented as a benefit",
        "Reporting that highlights benefit despite a non-significant primary outcome or no "
        "control group (Boutron et al. 2010; Yavchitz et al. 2012).",
        ("boutron2010reporting", "yavchitz2012misrepresentation"),
        _words(
            r"trend(?:ed|s)? toward",
            r"numerically (?:better|greater|higher)",
            r"strong potential",
            r"prove[sd]? the effectiveness",
            r"support moving forward",
            r"clinically meaningful",
            r"(?:clear|strong) signal",
        ),
    ),
    Rule(
        "unsourced_number",
        "Unsourced number",
        "A success figure or head count without source, denominator, comparator or time frame "
        "(HealthNewsReview criterion 2; Moynihan et al. 2000).",
        ("healthnewsreview2018criteria", "moynihan2000coverage"),
        (
            # (?<!\d\d) after the first digit: only the start of a run of digits can begin a
            # match, so a long run of digits is scanned once, not once per digit.
            r"\d(?<!\d\d)[\d,]*(?:(?:\.\d+)? ?(?:%|percent)(?! off| safe| natural| risk)"
            r"| (?:out of|in) (?:ten|10|five|5)\b|\+? (?:patients|clients|members|treatments|"
            r"infusions|lives|customers|people)\b)",
            _words(
                *(f"{w} (?:out of|in) (?:ten|10)" for w in ("nine", "eight", "seven", "six")),
                *(
                    f"{w} [\\d,]+\\+? (?:people|patients|clients|members|customers|treatments|"
                    f"infusions|lives)"
                    for w in ("over", "more than", "nearly", "almost", "by", "the")
                ),
                r"most (?:of our )?(?:patients|clients|guests|members) (?:improve|respond|feel)",
            ),
        ),
        exclude=r"\b(?:(?<!internal )(?<!our )survey|according to|et al|journal|published in|doi|nsduh|randomi[sz]ed"
        r"|placebo|controlled trial|meta-analysis|against|compared with a|review of|aged|trial"
        r"|study|fall of|at least)\b|\[@",
        in_questions=False,
    ),
    Rule(
        "speed_permanence",
        "Speed or permanence promise",
        "Promises of instant, one-session or lasting results; large, dramatic effects are rare "
        "and ketamine's benefit often fades within weeks (IHC key concepts; HealthNewsReview "
        "criterion 2).",
        ("oxman2022key", "healthnewsreview2018criteria"),
        _words(
            r"within (?:hours|an hour|a day|days|minutes|\d+ hours)",
            r"in (?:hours|a day|days|minutes)",
            r"in as little as",
            r"overnight",
            r"instant(?:ly)?",
            r"immediate(?:ly)?",
            r"works? fast",
            r"fast, ",
            r"rapid relief",
            r"rapidly (?:relieve|lift|improve|regrow)\w*",
            r"(?:after|in|with) (?:just )?(?:one|a single|my first|the first|their first|their "
            r"very first|your first|1) (?:session|infusion|treatment|dose|visit|lozenge)",
            r"one (?:session|treatment|infusion|visit)",
            r"just one",
            r"by the next morning",
            r"by the drive home",
            r"walked out (?:healed|cured|\w+ \w+)",
            r"permanent(?:ly)?",
            r"long[- ](?:lasting|term results)",
            r"lasting relief",
            r"for the long term",
            r"lasts? for good",
            r"for good",
            r"forever",
            r"never came back",
            r"not come back",
            rf"haven{_Q}?t looked back",
            r"ever since",
            r"(?:depression|pain|anxiety)[- ]free",
            r"completely different person",
            r"lifted completely",
            r"fog (?:had )?lifted",
            r"cured",
            r"healed",
        ),
        exclude=r"\b(?:wears? off|wore off|fades?|faded|fading|settle|does not last|doesn"
        + _Q
        + r"?t last|did not last|side effects|tired|unsteady|improvement was often|rapid-acting"
        r"|drive home|spines?|synap\w*|mice|mouse|rats?|rodents?)\b",
        negatable=True,
        in_questions=False,
    ),
    Rule(
        "mechanism_proof",
        "Mechanism offered as proof",
        "Brain mechanism language presented as if it proved clinical benefit (IHC 'It works like "
        "this!').",
        ("oxman2022key",),
        _words(
            r"re-?wir\w*",
            r"regrow\w*",
            r"rebuild\w*",
            r"re-?sets? (?:the|your)",
            r"resets",
            r"neuroplasticity",
            r"new (?:neural )?(?:pathways|connections)",
            r"neural (?:pathways|connections)",
            r"heal(?:s|ing)? (?:itself|your brain|the brain)",
            r"power to heal",
            r"brain (?:healing|scans prove)",
            r"reverses? (?:the )?(?:brain|damage)",
            r"switch\w* off",
            r"worn away",
        ),
        exclude=r"\b(?:mice|mouse|rats?|rodents?|animals?|in vitro|laboratory|cell cultures?"
        r"|thought to|may|might|debated|not proof)\b",
        in_questions=False,
    ),
    Rule(
        "risk_dismissal",
        "Dismissal of risks or critics",
        "Risks or critics waved away instead of answered: bad press blamed on recreational "
        "misuse, critics acknowledged then overruled by 'the research' (HealthNewsReview "
        "criterion 3; Yaden et al. 2022 on 'superenthusiasts').",
        ("healthnewsreview2018criteria", "yaden2022preparing"),
        _words(
            r"nothing to do with",
            r"nothing in common",
            r"no relation to",
            r"confusion with",
            r"conflate\w*",
            r"(?:stems?|comes?) from (?:" + _W + "){0,2}(?:street|illicit|recreational|party)",
            r"(?:largely |mostly |all )?(?:about|reflects?|involves?) (?:" + _W + "){0,3}"
            r"(?:illicit|recreational|abus\w+|misus\w+|street)",
            r"bad press",
            r"negative (?:publicity|press|media|coverage)",
            r"scary headlines",
            r"fear-?mongering",
            r"scare-?mongering",
            r"haters",
            r"naysayers",
            r"critics who",
            r"critics (?:remain|still|may)",
            r"commentators still",
            r"still question",
            r"(?:early |initial )?scepticism",
            r"skepticism",
            r"beyond doubt",
            r"outdated",
            rf"haven{_Q}?t kept up",
            r"overblown",
            r"myths?\b",
            r"big pharma",
            r"resistance from",
            r"invested in the old",
            r"never actually been",
            r"nothing compared to",
            r"just a party drug",
            r"a dangerous party drug",
            r"people (?:get|are) scared",
            r"understandable, but",
        ),
    ),
    Rule(
        "testimonial",
        "Testimonial or anecdote",
        "A personal story offered as evidence (IHC 'It worked for me!'; Meta Oversight Board "
        "2023 case on a paid influencer post).",
        ("oxman2022key", "oversightboard2023promoting"),
        _words(
            r"saved my",
            r"changed my",
            r"transformed (?:my|who i)",
            r"gave me (?:back )?my",
            r"given me my",
            r"gave (?:me|us) (?:hope|my|back)",
            r"got my life back",
            r"(?:my|their|his|her) (?:life|lives|future|spark) back",
            r"saw colou?rs? again",
            r"colou?r again",
            r"turning point",
            r"(?:i|i" + _Q + r"ve) (?:finally|already|actually) (?:felt|feel)",
            r"felt like (?:myself|a heavy)",
            r"feel like myself",
            r"feel hopeful",
            r"wanting to get out of bed",
            r"couldn" + _Q + r"?t get out of bed",
            r"ran my first",
            r"stopped counting",
            r"just\W{0,3}left",
            r"tell everyone",
            r"wow",
            r"says (?:one of our \w+|a (?:patient|client|guest|member|user|mother|father|veteran)"
            r"|\w+, \d+)",
            r"one (?:guest|client|patient|member) told",
            r"(?:said|says|told us) (?:a|one|our) (?:long-time )?(?:patient|client|guest|member)",
            r"(?:our )?clients (?:often )?tell us",
        ),
    ),
    Rule(
        "call_to_action",
        "Call to action or urgency",
        "Pressure to act now replaces shared decision-making (DISCERN Q15; FTC disclosure "
        "guidance as summarised by Crane 2023).",
        ("charnock1999discern", "crane2023false"),
        (
            _words(
                r"book (?:now|today|your|a|it|online)",
                r"bookings open",
                r"call (?:now|today|us)",
                r"sign up",
                r"join (?:now|today|us|the)",
                r"start (?:your|now|today|healing)",
                r"begin your",
                r"get started",
                r"apply now",
                r"enquire (?:now|today)",
                r"request an appointment",
                r"take (?:our|the|this) (?:[\w-]+ )?quiz",
                r"(?:see|find out) if you qualify",
                r"reserve (?:your|now|today)",
                r"schedule (?:now|your|today)",
                r"order now",
                r"buy now",
                r"link in bio",
                r"tap the link",
                r"use (?:my|our|the) code",
                r"use code",
                r"discount code",
                r"promo code",
                r"dm (?:me|us)",
                r"message me",
                r"get you booked",
                r"free (?:consult\w*|assessment|phone)",
                r"first consultation free",
                r"limited (?:time|spots|offer|new-patient|slots)",
                r"(?:spots|slots|places) (?:are )?(?:filling|left|available)",
                r"filling fast",
                r"early[- ]bird",
                r"half price",
                r"gift cards",
                rf"don{_Q}?t wait",
                r"act now",
                r"your story could",
                r"learn more",
                r"standing by",
            ),
            # "5 spots", "20% off", "$0"; one class first lets the engine skip to a digit or "$"
            r"[\d$](?:(?<=\d)(?<!\d\d)\d*(?: spots| ?% off)|(?<=\$)0\b)",
        ),
    ),
    Rule(
        "approval_conflation",
        "Esketamine's approval used for other ketamine",
        "Esketamine (Spravato) is approved only under a REMS in certified settings; off-label IV "
        "and compounded oral ketamine are not FDA-approved (FDA 2023 warning; Crane 2023).",
        ("fda2023compounded", "crane2023false"),
        r"fda[- ]?approv\w*|approved by the fda\b",
        require=r"\b(?:our|we|ketamine (?:therapy|treatment|infusions?)|fda[- ]approved ketamine"
        r"|same (?:medicine|drug)|cousin|at[- ]home|delivered|door|lozenges?|insurers?|cover"
        r"|without leaving|prescriptions?|trusted)\b",
        exclude=rf"\b(?:not|never|no|isn{_Q}?t|only|off-label|unapproved|compounded)\b",
    ),
)
