"""Decision framework, written per option from what the option says and what the context knows.

Each option is read as one kind of move (stay, leave, switch, study, take a job, lay off, raise money,
hire, cut costs, wait, decline, a trial...) from its own words; its upside, downside, worst case,
mitigation, reversibility and the questions to ask follow from that kind and from the context: the
person (a founder, a student, a 17-year-old apprentice), the situation (runway, a visa, a partner),
the risk appetite, the deadline and the session notes. An option whose kind the wording does not
reveal gets honest questions instead of made-up claims. The pre-mortem, the 10/10/10 lens and the
small experiment each cite the framework guide whose steps they follow.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from companion.generation.base import Retrieved
from companion.generation.tasks.common import (
    Citations,
    KnowledgeMissing,
    MissingInput,
    PersonReading,
    bank_items,
    best_match,
    distress_level,
    first_name,
    fits_person,
    generator_info,
    guide_section,
    infer_persona,
    join_words,
    looks_english,
    looks_like_instruction,
    names_someone,
    notes_facts,
    quoted,
    read_person,
    scrub_placeholders,
    sentence,
    short_quote,
    slot_safe,
    slot_values,
    wellbeing_challenges,
    without_placeholders,
    words,
)
from companion.generation.tasks.dates import shift
from companion.retrieval.retriever import SearchResult
from companion.schemas import (
    Citation,
    DecisionFramework,
    DecisionInput,
    DecisionOption,
    MentoringContext,
    Reversibility,
)

COMPOSER_VERSION = "offline-decision-3"
CHECK_IN_DAYS = 14
DECIDE_BEFORE_DEADLINE_DAYS = 7
QUESTIONS_PER_TEMPLATE = 2
TEMPLATES_USED = 3
MAX_EXPERIENCE = 3
MAX_NOTES_PER_OPTION = 2
TEN_TEN_TEN_OPTIONS = 3
FALLBACK_OPTIONS = ("go ahead", "wait")

REVERSIBILITY_GUIDE = "frameworks/reversible-vs-irreversible.md"
PREMORTEM_GUIDE = "frameworks/premortem.md"
TEN_TEN_TEN_GUIDE = "frameworks/ten-ten-ten.md"
EXPERIMENT_GUIDE = "frameworks/small-experiments.md"
FRAMEWORK_GUIDES = (REVERSIBILITY_GUIDE, PREMORTEM_GUIDE, TEN_TEN_TEN_GUIDE, EXPERIMENT_GUIDE)
"""The framework guides whose steps the framework follows; retrieval fetches them for every decision."""

FLOORS = {"low": "twelve months", "medium": "six months", "high": "three months"}
STUDENT_FLOOR = "rent and essentials covered to the end of the academic year"
LEVEL_ORDER = {"reversible": 0, "partly_reversible": 1, "irreversible": 2}


# --------------------------------------------------------------------------------------
# The kind of move an option's words name
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Kind:
    name: str
    pattern: str
    level: str
    why: str


KINDS: tuple[Kind, ...] = (
    Kind(
        "trial",
        r"\b(?:trial(?:s| week| day| period)?|pilot\w*|taster|try(?:ing)? (?:it )?out|experiment\w*|test(?:ing)? (?:it|the|a)\b"
        r"|part[- ]time|sabbatical|unpaid leave|secondment|shadow\w*|work experience|one day a week|four[- ]day week"
        r"|(?:one|two|a few|one or two|a couple of|\d(?:-\d)?) (?:\w+ ){0,2}shifts? (?:a|per|each) (?:week|month)"
        r"|on the side)",
        "reversible",
        "a trial, a pilot or a part-time step is built to be stopped, and the way back stays open",
    ),
    Kind(
        "layoff",
        r"\b(?:lay(?:ing)?[- ]?offs?|laid off|let (?:\w+ ){1,3}go\b|fir(?:e|ing) (?:\w+ ){0,3}(?:people|staff|employees|them|him|her|\w+s)\b"
        r"|make (?:\w+ ){0,3}redundant|redundanc\w*|cut(?:ting)? (?:\w+ ){0,2}(?:jobs?|roles|headcount|staff|people))",
        "irreversible",
        "a layoff cannot be taken back: the people leave, and the team that stays remembers how it was done",
    ),
    Kind(
        "sell",
        r"\b(?:sell(?:s|ing)?|sale of|get(?:ting)? acquired|accept(?:ing)? the acquisition)\b",
        "irreversible",
        "a sale cannot be taken back",
    ),
    Kind(
        "equity",
        r"\b(?:equity|cap table|shares in|a stake)\b",
        "irreversible",
        "equity given away is very hard to win back",
    ),
    Kind(
        "raise",
        r"\b(?:rais(?:e|ing) (?:a |an |the |some |more )?(?:\w+ ){0,3}(?:round|money|funding|capital|seed)|bridge(?: round| loan)?"
        r"|fundrais\w*|investors?|venture debt|(?:take|get)(?:ing)? (?:a |an )?(?:loan|investment|funding))\b",
        "partly_reversible",
        "money can be spent slowly, but its terms (price, dilution, investors' rights) stay, and a raise that fails "
        "has cost months and goodwill",
    ),
    Kind(
        "hire",
        r"\b(?:hir(?:e|ing)|recruit\w*|bring(?:ing)? (?:on|in) (?:a|an|two|three|another|\w+ \w+)|take on (?:a|an) (?:\w+ )?(?:person|engineer|employee|assistant))\b",
        "partly_reversible",
        "a hire is undone only by letting the person go, which is costly for them and for you",
    ),
    Kind(
        "cut_costs",
        r"\b(?:cut\w*|reduc\w*|lower(?:ing|s|ed)?(?!\s+(?:pay|salary|wages?|income)\b)|trim\w*|freez\w*)\b"
        r"(?:\s+[\w']+){0,3}?\s+(?:salary|salaries|pay|costs?|spend\w*|burn|budget|expenses)\b"
        r"|\bcheaper\b|\bpay cut\b",
        "reversible",
        "costs cut now can be restored when money comes in",
    ),
    Kind(
        "leave",
        r"\b(?:quit\w*|resign\w*|leav(?:e|ing) (?:my |the |a |our |this )?(?:\w+ )?(?:job|role|company|position|employer|course|apprenticeship|programme|program|phd|university|school|team"
        r"|ward|post|practice|firm|hospital|nhs|trust|profession|sector|clinic|agency|army|force)"
        r"|drop(?:ping)? out|hand(?:ing)? in (?:my |your )?notice|go(?:ing)? (?:full[- ]time|all in))\b",
        "partly_reversible",
        "work can be found again, but rarely the same role, pay and standing",
    ),
    Kind(
        "switch",
        r"\b(?:switch\w*|chang(?:e|ing) (?:to|into|trade|careers?|field|course|subject|jobs?)|retrain\w*|mov(?:e|ing) into|transfer\w* (?:to|into)|pivot\w*)\b",
        "partly_reversible",
        "you can switch back, but the place you leave is usually filled and the time spent counts only in part",
    ),
    Kind(
        "study",
        r"\b(?:postdoc\w*|phd|doctorate|master'?s|mba|degree|diploma|course|studies|study|studying|university|college|sixth form"
        r"|a[- ]levels?|fellowship|apprenticeship|training place|school|back to (?:school|college|university|study))\b"
        r"(?!\s+(?:hardship|funds?|grants?|bursar\w*|loans?|caf[eé]s?|canteen|bar|shop|library|accommodation|halls|"
        r"support|office|job|jobs|counsell\w*|services?)\b)",
        "partly_reversible",
        "a course or a contract can be left or ends by itself, but the years are spent, and some doors are easier "
        "to go through one way than back",
    ),
    Kind(
        "job",
        r"\b(?:(?:take|accept|join|sign)\w* (?:\w+ ){0,4}(?:job|offer|role|position|contract)|industry|(?:new|the|a) job|job (?:at|in|with)|offer (?:at|from)"
        r"|(?:sign\w*|register\w*|go\w*|join\w*) (?:up )?(?:with |for |to )?(?:an? |the )?(?:\w+ )?agency|agency (?:work|shifts?|nursing|contract)"
        r"|locum\w*|bank shifts)\b",
        "partly_reversible",
        "you can leave a job again, but the door you do not take may not reopen",
    ),
    Kind(
        "move",
        r"\b(?:relocat\w*|emigrat\w*|live abroad|mov(?:e|ing) (?:abroad|countries|country|cities|city|house|back"
        r"|to (?!(?:the|a|an|another) )|to (?:the|a|an|another) (?:city|country|town|coast|countryside)\b))",
        "partly_reversible",
        "moving back costs money, time and relationships",
    ),
    Kind(
        "commit",
        r"\b(?:full[- ]time|all in|commit\w*|sign(?:s|ing|ed)?|term sheet|buy\w*|purchas\w*|invest(?:s|ing|ed)?|spend\w*|launch\w*|expand\w*|mortgage"
        r"|start (?:a|my own|our own|the) (?:company|business|start-?up)|announc\w*|go(?:ing)? public|publicly)\b",
        "partly_reversible",
        "money spent or a signature given is hard to take back once the evidence comes in",
    ),
    Kind(
        "decline",
        r"\b(?:declin\w*|turn(?:ing)? (?:it |them |the \w+ )?down|say(?:ing)? no|refus\w*|reject\w*|pass(?:ing)? on)\b",
        "partly_reversible",
        "an offer turned down rarely comes back the same way",
    ),
    Kind(
        "wait",
        r"\b(?:wait\w*|postpon\w*|delay\w*|hold(?:ing)? off|not now|later|next year|pause\w*|defer\w*|go ahead later)\b",
        "reversible",
        "waiting keeps every option open, unless an offer, a window or the money runs out first",
    ),
    Kind(
        "stay",
        r"\b(?:stay\w*|remain\w*|keep (?:my|the|your|our|it|things) ?\w*|stick(?:ing)? with|continu\w*|carry(?:ing)? on|as (?:it|we|things) (?:is|are)"
        r"|finish\w*|complet\w*|status quo|the course)\b",
        "reversible",
        "staying keeps today's position; you can still move later, though another offer may not wait",
    ),
    Kind(
        "negotiate",
        r"\b(?:ask(?:ing)? (?:for|my|the|about|whether|if)|negotiat\w*|propos\w*|request\w*|talk(?:ing)? to|discuss\w*)\b",
        "reversible",
        "asking costs little and commits you to nothing",
    ),
)
KIND_BY_NAME = {kind.name: kind for kind in KINDS}
_LEADING_VERBS: dict[str, str] = {
    **dict.fromkeys(("finish", "stay", "remain", "keep", "continue", "stick", "carry", "complete"), "stay"),
    **dict.fromkeys(("quit", "resign", "leave", "drop"), "leave"),
    **dict.fromkeys(("wait", "postpone", "delay", "pause", "defer", "hold"), "wait"),
    **dict.fromkeys(("decline", "reject", "refuse", "turn"), "decline"),
    **dict.fromkeys(("hire", "recruit"), "hire"),
    **dict.fromkeys(("raise", "fundraise"), "raise"),
    **dict.fromkeys(("switch", "change", "retrain", "pivot", "transfer"), "switch"),
    **dict.fromkeys(("relocate", "emigrate"), "move"),
    **dict.fromkeys(("ask", "negotiate", "propose", "request", "talk"), "negotiate"),
    "sell": "sell",
}
"""An option's first verb names the move when it is one of these; 'take', 'accept' or 'join' leave it to the object."""

_WORKS = re.compile(
    r"\b(?:part[- ]time|barista|waiter|waitress|shifts?|works?|working|job|cashier|bar staff|retail|café|cafe)\b", re.I
)
_JOB_SEEKING = re.compile(
    r"\b(?:unemployed|out of work|between jobs|job[- ]?(?:seek\w*|hunt\w*|search\w*)|looking for (?:a |my |her |his |their )?"
    r"(?:first |new |permanent )?(?:job|role|position|work)|busca\w* (?:su |un |mi )?(?:primer |nuevo )?(?:empleo|trabajo)"
    r"|sin (?:empleo|trabajo)|en paro|desemplead\w*|arbeitslos\w*|arbeitssuchend\w*|auf jobsuche|sucht? (?:eine |seine |ihre )?"
    r"(?:erste |neue )?(?:stelle|arbeit|job))\b",
    re.I,
)
_SEARCHING = re.compile(r"\b(?:look\w*|search\w*|apply\w*|applications?|busc\w*|suche\w*|bewerb\w*)\b", re.I)
_MONEY_APPLICATION = re.compile(
    r"\b(?:fund|funds|funding|grant|bursar\w*|scholarship|loan|hardship|allowance|benefits?|support)\b", re.I
)
_VISA = re.compile(r"\b(?:visa|work permit|sponsor(?:ed|ship)|residence permit|aufenthalts\w*)\b", re.I)
_PUBLIC = re.compile(
    r"\b(?:announc\w*|publicly|go(?:ing)? public|press release|tell(?:ing)? (?:everyone|the world|the press))\b", re.I
)
_RUNWAY = re.compile(
    r"\b(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen)\s+months?\s+(?:of\s+)?runway"
    r"|\brunway\s+(?:of\s+)?(?P<m>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+months?",
    re.I,
)
_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "eighteen": 18,
}  # fmt: skip
_PARTNER = re.compile(r"\b(?:partner|wife|husband|spouse|girlfriend|boyfriend|fianc[ée]e?)\b", re.I)
_CHILDREN = re.compile(r"\b(?:child|children|kids?|baby|son|daughter|toddler)\b", re.I)
_COFOUNDER_LEFT = re.compile(r"\bco-?founders?\b[^.;]{0,30}\b(?:left|quit|gone|departed)\b", re.I)
_COFOUNDER = re.compile(r"\bco-?founders?\b", re.I)
_NO_SAVINGS = re.compile(r"\b(?:no|little|few|not much|hardly any)\s+(?:savings|money saved|cushion)\b", re.I)
_FEAR = re.compile(r"\b(fear\w*|afraid|anxi\w*|nervous|confiden\w*|impostor|guilt\w*|scared|worr\w*)\b", re.I)
_HARD_WELLBEING = re.compile(r"\b(?:burn\w*|exhaust\w*|sleep\w*|overwhelm\w*|breaking|collaps\w*)\b", re.I)
_COUNT_OF_PEOPLE = re.compile(
    r"\b(?P<count>\d+|one|two|three|four|five|six|seven|eight|nine|ten|a few|several|some)\s+"
    r"(?P<who>people|persons|employees|staff|roles|positions|engineers|developers|salespeople|contractors)\b",
    re.I,
)
_PLACE = re.compile(r"\b(?:in|at|to|near)\s+(?P<place>[A-Z][a-zäöüé]+(?:\s+[A-Z][a-zäöüé]+)?)")
_PLACE_ELSEWHERE = re.compile(
    r"\b(?:en|a|nach|in)\s+(?P<place>[A-ZÁÉÍÓÚÄÖÜ][a-záéíóúñäöüß]+(?:\s+[A-ZÁÉÍÓÚÄÖÜ][a-záéíóúñäöüß]+)?)"
)
"""A place in a Spanish or German option: 'irse a Madrid', 'nach Hamburg ziehen'."""
_SPLIT = re.compile(
    r"\b(?:part[- ]time|one day a week|four[- ]day week|sabbatical|unpaid leave|evenings|weekends|on the side"
    r"|(?:\w+ ){0,2}shifts? (?:a|per|each) (?:week|month))\b",
    re.I,
)
_PRODUCT = re.compile(r"\b(?:customers?|clients?|product|tier|pricing|feature|market|users?|paid)\b", re.I)
_OWN_PAY = re.compile(r"\b(?:my|own|our)\s+(?:own\s+)?(?:salary|salaries|pay)\b", re.I)
_OFFICE = re.compile(r"\b(?:office|lease|premises|rent)\b", re.I)
_POSTDOC = re.compile(r"\b(?:postdoc\w*|fellowship|research (?:post|position)|academi\w*)\b", re.I)
_SCHOOLING = re.compile(r"\b(?:apprenticeship|training|trade|school|college|sixth form|a[- ]levels?|course)\b", re.I)
_DURATION = re.compile(
    r"\b(?P<span>(?:\d+|one|two|three|four|five|six|twelve|eighteen)[- ](?:year|month|week)s?)\b", re.I
)

TEMPLATED = [
    "Each option is read as one kind of move from its own words (stay, leave, switch, study, take a job, lay off, "
    "raise money, hire, cut costs, move, commit, decline, wait, ask, or a trial); its upside, downside, worst case, "
    "mitigation and questions are fixed sentences for that kind, chosen for the person (founder, student, a young "
    "person in training, employee) and filled with the option's words, the goals, the risk appetite, the deadline "
    "and the situation. An option whose kind the wording does not show gets questions instead.",
    "Reversibility is judged per option from its kind and cue words (a layoff, a sale, a visa-bound job or a public "
    "commitment are hard to undo; a trial, a pilot or a part-time step are easy), each with a fixed reason.",
    "The pre-mortem, the 10/10/10 lens and the small experiment follow the steps of their framework guides, with "
    "fixed sentences per kind of move.",
    "Questions come word for word from the decision-templates bank; the templates are chosen by rules (reversibility "
    "first, then pre-mortem, regret minimisation, expected value or 10/10/10 as the options suggest); questions "
    "that do not fit a young person are skipped.",
    "Lines from the session notes are quoted when they share words with an option; relevant experience lists "
    "mentors' shared notes that retrieval matched, this mentor's own first.",
]


# --------------------------------------------------------------------------------------
# Reading the options
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cue:
    """A kind of move found in some words: the words as written, and how hard they are to undo."""

    kind: Kind
    word: str


def find_cues(text: str) -> list[Cue]:
    """Every kind of move the text names, in the order of KINDS, each with the words that named it."""
    found: list[Cue] = []
    for kind in KINDS:
        match = re.search(kind.pattern, text, re.I)
        if match:
            found.append(Cue(kind, _cue_word(match.group(0))))
    return found


_KEY_WORDS = (
    "part-time", "part time", "lay off", "laid off", "pay cut", "bridge round", "full-time", "full time",
    "industry job", "job offer", "postdoc", "apprenticeship", "offer", "job", "role", "contract", "salary",
)  # fmt: skip


def _cue_word(matched: str) -> str:
    """The word a person would recognise as the cue: 'lay off', 'part-time', 'sell', 'relocate', 'job'."""
    text = " ".join(matched.lower().split())
    for short in _KEY_WORDS:
        if re.search(rf"\b{re.escape(short)}\b", text):
            return short
    head = re.split(r"\s+", text)[0]
    stems = {
        "relocating": "relocate",
        "relocated": "relocate",
        "selling": "sell",
        "sells": "sell",
        "resigning": "resign",
    }
    return stems.get(head, head if len(text.split()) > 3 else text)


_CLAUSE = re.compile(r"\s*(?:,\s*)?\b(?:and then|and|but|then)\s+", re.I)
_DESTINATIONS = frozenset({"job", "switch", "study", "move"})


_GLOSSES: tuple[tuple[str, str], ...] = (
    # German
    (r"(?:ab|auf)brech\w*|schmei(?:ß|ss)\w* (?:\w+ )?hin", "drop out"),
    (r"k(?:ü|ue)ndig\w*|aufh(?:ö|oe)r\w*|aussteig\w*|verlass\w*", "quit"),
    (r"teilzeit\w*|probezeit|probewoche|hospitier\w*|ausprobier\w*", "part-time"),
    (
        r"(?:angebot|stelle|job|position)\w* (?:\w+ ){0,3}an(?:nehm\w*)?|annehm\w*|zusag\w*|neue[nrs]? (?:stelle|job)",
        "accept the job offer",
    ),
    (r"bleib\w*|weitermach\w*|beibehalt\w*|weiter (?:\w+ ){0,3}arbeit\w*", "stay"),
    (r"wechsel\w*|umsteig\w*|umschul\w*|quereinstieg\w*", "switch"),
    (r"abwart\w*|wart\w*|verschieb\w*|aufschieb\w*|sp(?:ä|ae)ter", "wait"),
    (r"ablehn\w*|absag\w*", "decline"),
    (r"umzieh\w*|(?:nach|in) [A-ZÄÖÜ]\w+ (?:zu )?zieh\w*|auswander\w*|ins ausland", "relocate"),
    (r"studi\w*|master\w*|ausbildung\w*|weiterbildung\w*|fortbildung\w*|promotion|promovier\w*", "study"),
    (r"verkauf\w*", "sell"),
    (r"einstell\w* (?:\w+ ){0,2}(?:leute|person\w*|mitarbeit\w*|entwickl\w*)", "hire"),
    (r"(?:nach)?frag\w*|ansprech\w*|verhandel\w*|bitt\w* um", "ask for"),
    (r"gr(?:ü|ue)nd\w*|selbst(?:ä|a)ndig\w*", "start a company"),
    # Spanish
    (r"dej(?:ar|o|arlo|arla)(?: \w+)? (?:carrera|estudios|grado|universidad|bachillerato)", "drop out"),
    (r"dej(?:ar|o|arlo|arla)|renunci\w*|abandon\w*|irme de|irse de", "quit"),
    (r"media jornada|tiempo parcial|probar\w*|a prueba", "part-time"),
    (r"acept\w* (?:\w+ ){0,3}(?:oferta|puesto|trabajo|empleo)|acept\w*", "accept the job offer"),
    (r"qued(?:ar|arme|arse|o)|segu(?:ir|iré)|sigo|continu\w*|mantener\w*", "stay"),
    (r"cambi(?:ar|arme|arse|o)", "switch"),
    (r"esper\w*|aplaz\w*|pospon\w*|m(?:á|a)s adelante", "wait"),
    (r"rechaz\w*|decir que no", "decline"),
    (r"mud(?:ar|arme|arse)|irse a|irme a", "relocate"),
    (r"estudi\w*|m(?:á|a)ster|carrera|grado|curso|universidad|formaci(?:ó|o)n|polit(?:é|e)cnica", "study"),
    (r"vend\w*", "sell"),
    (r"contrat(?:ar|o)", "hire"),
    (r"pedir|pido|negoci\w*|hablar con", "ask for"),
    (r"montar|fundar|emprender", "start a company"),
)
"""German and Spanish words for a move, glossed into English only to read an option's kind; the option is
always written back in its own words, quoted."""
_GLOSS = re.compile("|".join(f"(?P<g{index}>\\b(?:{pattern})\\b)" for index, (pattern, _) in enumerate(_GLOSSES)), re.I)
_JOINERS = re.compile(r"\s*(?:,\s*)?\b(?:y|e|und|o|oder|pero|aber|sino|dann|luego)\b\s*", re.I)


def gloss(option: str) -> str:
    """An English reading of a German or Spanish option's moves, clause by clause ('seguir buscando en Valencia y
    hacer un curso' -> 'stay and study'); text naming no move is returned as it is."""
    clauses = []
    for clause in _JOINERS.split(option):
        # within a clause the verb decides ('die Ausbildung abbrechen' is dropping out, not studying): the
        # glosses are listed verbs first
        found = sorted({int(m.lastgroup[1:]) for m in _GLOSS.finditer(clause) if m.lastgroup})
        if found:
            clauses.append(" ".join(dict.fromkeys(_GLOSSES[index][1] for index in found)))
    return " and ".join(clauses) if clauses else option


def option_kind(option: str, person: Person | None = None) -> Kind | None:
    """The move an option names, for this person when known: someone without a job who would 'keep looking' is
    not staying in a post but holding out for a better one (a wait)."""
    kind = _option_move(option)
    searching = person is not None and person.job_seeking and _SEARCHING.search(option)
    return KIND_BY_NAME["wait"] if kind is not None and kind.name == "stay" and searching else kind


def _option_move(option: str) -> Kind | None:
    """The move an option's words name. An option of several moves ('sign up with the agency and leave the ward',
    'stay and ask for days only') is read as the move that decides it: leaving for a job, a switch or a
    course is that move, and staying while asking for something is the ask; otherwise see `_move_of`."""
    whole = _move_of(option) if looks_english(option) else None
    if whole is None:
        option = gloss(option)
        whole = _move_of(option)
    clauses = [c for c in _CLAUSE.split(option.strip()) if c.strip()]
    if len(clauses) < 2 or (whole is not None and whole.name == "trial"):
        return whole
    kinds = [_move_of(c) for c in clauses]
    names = [k.name if k is not None else None for k in kinds]
    if "leave" in names:
        destination = next((k for k in kinds if k is not None and k.name in _DESTINATIONS), None)
        if destination is not None:
            return destination
        return KIND_BY_NAME["leave"]
    if names[0] == "stay" and "negotiate" in names[1:]:
        return KIND_BY_NAME["negotiate"]
    return whole


def _move_of(option: str) -> Kind | None:
    """The move of one clause: a trial first (it keeps the way back), then the first verb when that names a
    move, then the first kind its words name; None when they name none."""
    text = option.strip().lower()
    cues = find_cues(text)
    if any(c.kind.name == "trial" for c in cues):
        return KIND_BY_NAME["trial"]
    first = re.sub(r"[^\w-]", "", text.split()[0]) if text.split() else ""
    lead = _LEADING_VERBS.get(first)
    if first in ("drop", "dropping") and not re.match(r"drop(?:ping)? out\b", text):
        return None  # 'drop to 12 hours a week' is not dropping out; the wording does not say what it costs
    if first in ("apply", "applying") and re.search(_MONEY_APPLICATION, text):
        return None  # a fund, grant or loan applied for: what hangs on its answer is the person's to say
    if (
        first in ("move", "moving")
        and re.match(r"mov(?:e|ing) (?:over )?to (?:the|a|an|another) [a-z]", text)
        and not re.search(r"\b(?:city|country|abroad|town|area|flat|house|home|office|premises|cheaper)\b", text)
    ):
        lead = "job"  # 'move to the campus café': another employer, not another city
    if lead == "move" and re.search(r"\bcheaper\b", text):
        lead = "cut_costs"
    if lead == "stay" and any(c.kind.name in ("layoff", "cut_costs") for c in cues):
        lead = None
    if lead is not None:
        return KIND_BY_NAME[lead]
    return cues[0].kind if cues else None


@dataclass
class Reading:
    """One option as the composer understands it."""

    name: str
    kind: Kind | None
    level: str
    reasons: list[str]
    cue_words: list[str]
    synthetic: bool = False
    """'go ahead' or 'wait' made up because no options were given."""

    @property
    def hard(self) -> bool:
        return self.level != "reversible" and self.kind is not None


@dataclass
class Person:
    """What the profile and notes say about the person that changes which lines fit."""

    reading: PersonReading
    founder: bool
    young: bool
    academic: bool
    runway: int | None
    partner: bool
    children: bool
    visa: bool
    no_savings: bool
    cofounders: bool
    distress: int
    job_seeking: bool = False
    """Between jobs or looking for a first one: no employer, manager or income to keep."""
    student: bool = False
    """A university or college student: young, but neither an apprentice nor at school."""
    works: bool = False
    """Has a job besides (a student working shifts): the lines may name their manager."""
    strain: list[str] = field(default_factory=list)
    """Wellbeing words in the person's own terms: challenges first, then the notes' cues."""


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word.lower()]


def read_situation(context: MentoringContext) -> Person:
    mentee = context.mentee
    reading = read_person(context)
    persona = infer_persona(context)
    profile = " ".join(p for p in (mentee.role, mentee.situation, *mentee.challenges) if p)
    notes = _notes_lines(context)
    everything = " ".join([profile, *notes])
    runway_match = _RUNWAY.search(everything)
    runway = _number(runway_match.group("n") or runway_match.group("m")) if runway_match else None
    facts = notes_facts(context)
    strain = wellbeing_challenges(context)
    if facts is not None:
        for cue in facts.wellbeing:
            if not any(_same_cue(cue.phrase, known) for known in strain):
                strain.append(cue.phrase)
    distress = distress_level(facts)
    if any(_HARD_WELLBEING.search(c) for c in wellbeing_challenges(context)):
        distress = 2
    elif wellbeing_challenges(context):
        distress = max(distress, 1)
    founder = reading.founder or persona in ("first_time_founder", "scaling_founder")
    situation = mentee.situation or ""
    return Person(
        reading=reading,
        founder=founder,
        # The young-person lines talk about training places, school and parents or guardians: they fit an
        # apprentice or a pupil, not a university student, whose choices read like an adult employee's.
        young=reading.young and (reading.apprentice or reading.at_school),
        academic=bool(re.search(r"\b(?:phd|doctoral|postdoc|researcher|lab)\b", profile, re.I)),
        runway=runway,
        partner=bool(_PARTNER.search(situation)),
        children=bool(_CHILDREN.search(situation)),
        visa=bool(_VISA.search(everything)),
        no_savings=bool(_NO_SAVINGS.search(profile)),
        cofounders=bool(_COFOUNDER.search(situation)) and not _COFOUNDER_LEFT.search(situation),
        distress=distress,
        strain=strain,
        student=reading.young and not (reading.apprentice or reading.at_school),
        works=(founder or not reading.young or bool(_WORKS.search(profile))) and not _JOB_SEEKING.search(profile),
        job_seeking=bool(_JOB_SEEKING.search(profile)) and not founder,
    )


def _without_cue(reason: str) -> str:
    """'“ask the”: asking costs little' as 'asking costs little', for an option already quoted whole."""
    return re.sub(r"^“[^”]*”: ", "", reason)


def _same_cue(a: str, b: str) -> bool:
    """'70h weeks' in the notes is the '70-hour weeks' of the profile, 'Burnt out' the 'burnout'; 'sleep is
    bad' is neither."""
    numbers_a, numbers_b = set(re.findall(r"\d+", a)), set(re.findall(r"\d+", b))
    if numbers_a and numbers_a & numbers_b:
        return True
    noun_a, noun_b = _feeling_noun(a), _feeling_noun(b)
    if noun_a is not None and noun_a == noun_b:
        return True
    return a.lower() in b.lower() or b.lower() in a.lower()


_FEELING_NOUNS = {
    **dict.fromkeys(("scared", "afraid", "frightened", "fearful", "fear"), "fear"),
    **dict.fromkeys(("anxious", "anxiety"), "anxiety"),
    **dict.fromkeys(("nervous", "nerves"), "nerves"),
    **dict.fromkeys(("worried", "worry", "worries"), "worry"),
    **dict.fromkeys(("stressed", "stressed out", "stress"), "stress"),
    **dict.fromkeys(("tired", "tiredness", "knackered"), "tiredness"),
    **dict.fromkeys(("exhausted", "drained", "exhaustion"), "exhaustion"),
    **dict.fromkeys(("burnt out", "burned out", "burnt-out", "burned-out", "burnout"), "burnout"),
    **dict.fromkeys(("overwhelmed", "overwhelm"), "overwhelm"),
    **dict.fromkeys(("lonely", "loneliness"), "loneliness"),
    **dict.fromkeys(("isolated", "isolation"), "isolation"),
    **dict.fromkeys(("low", "down", "flat", "sad", "low mood"), "low mood"),
    **dict.fromkeys(("frustrated", "frustration"), "frustration"),
    **dict.fromkeys(("demotivated", "unmotivated"), "low motivation"),
}
_FEELING_FILLER = re.compile(
    r"^(?:(?:feel(?:s|ing)?|felt|is|was|he'?s|she'?s|they'?re|i'?m|really|very|so|quite|a bit|pretty|totally|"
    r"completely|super|his words|her words)\W+)+",
    re.I,
)


def _feeling_noun(phrase: str) -> str | None:
    """'scared', 'Burnt out.', 'feeling very anxious' as the noun of the feeling; None for anything else."""
    text = _FEELING_FILLER.sub("", phrase.strip().lower().rstrip(".!…")).strip()
    return _FEELING_NOUNS.get(text)


def strain_phrase(phrase: str) -> str:
    """A wellbeing cue as a noun phrase for the decision's sentences (see `_Writer.strain`)."""
    noun = _feeling_noun(phrase)
    if noun is not None:
        return f"the {noun} you described"
    if slot_safe(phrase, max_words=6):
        return quoted(phrase)
    return "the strain you described"


def _notes_lines(context: MentoringContext) -> list[str]:
    """The notes' lines, without bullets and without any line that talks to an AI."""
    lines = []
    for line in (context.notes or "").splitlines():
        text = line.strip().lstrip("-*•+ ").strip()
        text = re.sub(r"^\[[ xX✓]?\]\s*", "", text)
        if text and not looks_like_instruction(text) and not text.startswith("#"):
            lines.append(text)
    return lines


def _reversibility_of(reading_kind: Kind | None, text: str, person: Person | None) -> tuple[str, list[str], list[str]]:
    """(level, reasons, cue words) for one option or statement."""
    cues = find_cues(text)
    if reading_kind is None:
        return "partly_reversible", [], []
    level = reading_kind.level
    main = next((c for c in cues if c.kind is reading_kind), None)
    word = main.word if main else text.split()[0].lower()
    reasons = [f"{quoted(word)}: {_why(reading_kind, text, person)}"]
    words_ = [word]
    if reading_kind.name != "trial":
        for cue in cues:
            if cue.kind is reading_kind or cue.kind.level == "reversible" or cue.kind.name in ("job", "study"):
                continue
            if cue.kind.name == "move" and _OFFICE.search(text):
                continue
            if LEVEL_ORDER[cue.kind.level] <= LEVEL_ORDER[level] and cue.kind.name != "leave":
                continue  # a second cue as hard as the move itself ('sign' up for a job) only repeats it
            reasons.append(f"{quoted(cue.word)}: {_why(cue.kind, text, person)}")
            words_.append(cue.word)
            if LEVEL_ORDER[cue.kind.level] > LEVEL_ORDER[level]:
                level = cue.kind.level
    if person is not None and person.visa and reading_kind.name in ("leave", "switch", "job"):
        level = "irreversible"
        reasons.append(
            "your visa is mentioned: leaving or changing a job a visa depends on can end the right to stay, and no "
            "later offer undoes that quickly"
        )
    if _PUBLIC.search(text) and LEVEL_ORDER[level] < LEVEL_ORDER["partly_reversible"]:
        level = "partly_reversible"
    if _PUBLIC.search(text):
        reasons.append("a public commitment is hard to walk back without losing credibility")
    return level, reasons, words_


def _why(kind: Kind, text: str, person: Person | None) -> str:
    young = person is not None and person.young
    if kind.name == "cut_costs" and _OFFICE.search(text):
        return "a new lease binds you for its term, and moving costs money up front"
    pupil = young and person is not None and not person.reading.apprentice
    if kind.name in ("leave", "switch") and young and not pupil:
        return "you can change your mind later, but a training place you leave is usually given to someone else"
    if kind.name == "stay" and pupil:
        return "staying near home keeps the other place open for a later move, for a master's or a first job"
    if kind.name == "study" and _POSTDOC.search(text):
        return "a fixed-term contract ends by itself, but moving from academia to industry later is easier than the way back"
    if kind.name == "job" and person is not None and person.academic:
        return "you can leave a job again, but the way back into research narrows with every year away from it"
    return kind.why


def assess_reversibility(decision: DecisionInput, options: list[str], person: Person | None = None) -> Reversibility:
    """The decision as a whole: the hard-to-undo options and the easy ones, each named with its cue and reason.
    Without options the statement's own cues are read."""
    places: list[tuple[str, str, list[str]]] = []  # (where, level, "“cue” (why)" parts)
    if options:
        for option in options:
            kind = option_kind(option, person)
            if kind is not None:
                level, reasons, _ = _reversibility_of(kind, option, person)
                # The option is quoted whole, so its cue words ('“ask the”: …') would only repeat a fragment.
                reasons = list(dict.fromkeys(_without_cue(r) for r in reasons))
                places.append((f"option {quoted(option)}", level, reasons))
    else:
        for cue in find_cues(decision.statement):
            if cue.kind.name in ("job", "study"):
                continue
            _, reasons, _ = _reversibility_of(cue.kind, decision.statement, person)
            places.append(("the statement", cue.kind.level, reasons[:1]))
    hardest_first = sorted(LEVEL_ORDER, key=LEVEL_ORDER.__getitem__, reverse=True)
    groups = {level: [p for p in places if p[1] == level] for level in hardest_first}

    def describe(found: list[tuple[str, str, list[str]]]) -> str:
        return join_words([f"{where} ({'; '.join(reasons)})" for where, _, reasons in found])

    headings = {
        "irreversible": "Hard to undo",
        "partly_reversible": "Costly to undo",
        "reversible": "Easy to undo",
    }
    said = [f"{headings[level]}: {describe(found)}." for level, found in groups.items() if found]
    if said:
        present = [level for level, found in groups.items() if found]
        if groups["reversible"] and len(present) > 1:
            overall = "partly_reversible"  # there is a way through that can be undone
        else:
            overall = max(present, key=LEVEL_ORDER.__getitem__)
        return Reversibility(level=overall, reason=" ".join(said))  # type: ignore[arg-type]
    return Reversibility(
        level="partly_reversible",
        reason="No cue either way in the statement or the options; treat it as partly reversible until you have "
        "priced undoing each option in money, time and reputation.",
    )


def check_in_date(reference: dt.date, deadline: dt.date | None) -> dt.date:
    """Two weeks out, or halfway to a close deadline so there is still time to act on it."""
    default = reference + dt.timedelta(days=CHECK_IN_DAYS)
    if deadline is None or deadline <= reference:
        return default
    if (deadline - reference).days > CHECK_IN_DAYS + DECIDE_BEFORE_DEADLINE_DAYS:
        return default
    return reference + dt.timedelta(days=max(1, (deadline - reference).days // 2))


# --------------------------------------------------------------------------------------
# Lines per kind of move
# --------------------------------------------------------------------------------------
@dataclass
class Lines:
    upside: str
    downside: str
    worst_case: str
    mitigation: str
    questions: list[str] = field(default_factory=list)
    experiment: str | None = None
    """A cheap test of this option's riskiest assumption, when it is the one to test."""
    causes: list[str] = field(default_factory=list)
    """Pre-mortem stories when this is the option to stress-test."""
    horizons: tuple[str, str, str] | None = None
    """10/10/10: what the option may feel like in ten minutes, ten months and ten years."""


def _object_after(option: str, *verbs: str) -> str:
    """The words after the option's verb ('switch to a carpentry apprenticeship' -> 'a carpentry apprenticeship')."""
    pattern = r"^(?:\w+\s+){0,2}?(?:" + "|".join(verbs) + r")\w*\s+(?:to\s+|into\s+|for\s+|on\s+)?(?P<rest>.+)$"
    match = re.match(pattern, option.strip(), re.I)
    return match.group("rest").strip() if match else option.strip()


class _Writer:
    """Writes one option's lines from its kind, the person and the context."""

    def __init__(self, composer: _Composer) -> None:
        self.c = composer
        self.p = composer.person

    # -- shared phrases --------------------------------------------------------------------
    def goal(self, option: str) -> str | None:
        """The mentee's goal this option serves best, quoted; None without goals."""
        goals = [g for g in self.c.context.mentee.goals if not self.c.notes_rule_out(option, g)]
        if not goals:
            return None
        query = f"{option} {self.c.decision.statement}"
        if len(goals) < len(self.c.context.mentee.goals) and not any(words(g) & words(query) for g in goals):
            return None  # the notes rule out the goal it would serve; no other goal is named by the option
        return quoted(best_match(goals, query) or goals[0])

    def for_goal(self, option: str, template: str, otherwise: str = "") -> str:
        """`template` with the goal in its `{}`, or `otherwise` when the mentee named no goal."""
        goal = self.goal(option)
        return template.format(goal) if goal else otherwise

    def strain(self) -> str | None:
        """The person's strain as a noun phrase that reads right after 'on top of' or before 'continued':
        their own words quoted when they are one ('“70-hour weeks”'), a noun for a feeling word ('scared' is
        'the fear you described'), else a plain reference; None when nothing strains them."""
        return strain_phrase(self.p.strain[0]) if self.p.strain else None

    def people(self, reading: Reading | None = None) -> str:
        """Who is affected, in the person's own situation (and the employer one would leave)."""
        if self.p.young:
            if not self.p.reading.apprentice:
                return "your parents or guardians and your teachers"
            return "your parents or guardians, your employer and your training provider"
        found: list[str] = []
        leaving = reading is not None and reading.kind is not None and reading.kind.name in ("leave", "switch")
        if leaving and self.p.founder:
            found.append("your employer")
        if self.p.founder:
            found += ["your co-founders"] if self.p.cofounders else []
            found += ["the team", "your investors"]
        if self.p.partner:
            found.append("your partner")
        if self.p.children:
            found.append("your family")
        if self.p.student:
            found.append("your personal tutor")
        if not self.p.founder and (self.p.works or self.p.academic):
            found.append("your manager" if not self.p.academic else "your supervisor")
        return join_words(found) or "the people it affects"

    def has_thesis(self) -> bool:
        mentee = self.c.context.mentee
        return bool(re.search(r"\b(?:thesis|dissertation)\b", " ".join([mentee.situation or "", *mentee.goals]), re.I))

    def phrase(self, text: str) -> str:
        """Option words spliced into a sentence: as written when short and English, else quoted."""
        return (
            text if len(text.split()) <= 6 and looks_english(text) and not re.search(r"[“”\"]", text) else quoted(text)
        )

    def runway(self) -> str | None:
        return f"{self.p.runway} months of runway" if self.p.runway else None

    def deadline(self) -> str:
        deadline = self.c.decision.deadline
        if deadline is not None and deadline > self.c.context.reference_date:
            return deadline.isoformat()
        return ""

    def floor(self) -> str:
        if self.p.student:
            return STUDENT_FLOOR
        return f"{FLOORS[self.c.decision.risk_appetite]} of living costs"

    def place(self, option: str) -> str | None:
        match = _PLACE.search(option) or (None if looks_english(option) else _PLACE_ELSEWHERE.search(option))
        return match.group("place") if match else None

    def situation_clause(self, word: str) -> str | None:
        """The clause of the situation that mentions `word` (a place, a person), quoted."""
        for clause in re.split(r"[;,.]\s*", self.c.context.mentee.situation or ""):
            if word.lower() in clause.lower():
                return quoted(clause.strip())
        return None

    # -- the kinds ---------------------------------------------------------------------------
    def write(self, reading: Reading) -> Lines:
        kind = reading.kind.name if reading.kind else None
        writer: Callable[[str], Lines] = getattr(self, f"_{kind}", None) or self._unknown
        return writer(reading.name)

    def _unknown(self, option: str) -> Lines:
        name = quoted(option)
        return Lines(
            upside=f"What would {name} give you that the other options do not?",
            downside=f"What would {name} cost in money, time, energy and relationships, and who else pays part of it?",
            worst_case=f"What is the worst realistic outcome of {name}, and could you recover from it within a year?",
            mitigation=f"What would make {name} smaller or easier to undo: a trial period, a later start, a way back "
            "agreed in advance?",
            questions=[f"What exactly would you do first if you chose {name}, and by when?"],
            causes=[f"{name} turned out to mean something different in practice from what it meant when you chose it."],
        )

    def _trial(self, option: str) -> Lines:
        name = quoted(option)
        if self.p.young:
            return Lines(
                upside=f"You find out what the work is really like, all day and every day, before changing anything: {name} "
                "costs a few days, not a training place.",
                downside="It needs time off agreed with your employer and training provider, and a few days show "
                "only part of the job.",
                worst_case="The trial is too short or not like the real job, and you decide on a misleading week.",
                mitigation="Ask your employer and training provider for the days, tell your parents or guardians, "
                "and write down before it starts what you want to find out.",
                questions=[
                    "What do you want to know after the trial that you do not know now?",
                    "Would the workshop have a training place for you afterwards, and from when?",
                ],
                experiment=f"Treat {name} as the experiment: before it starts, write down two or three things you want "
                "to find out (do you enjoy the work all day, is there a training place, what would you earn) and "
                "which answers would mean switch and which would mean stay; talk it through together on {review}.",
                horizons=(
                    "a bit nervous asking, and relieved to be doing something",
                    "you know much more, whatever the answer was",
                    "a few days that helped you choose your trade",
                ),
            )
        if _SPLIT.search(option):
            return Lines(
                upside=f"Real evidence before the big commitment: {name} keeps the current income and a way back "
                "while you find out.",
                downside="Slower, and split attention can stall both paths"
                + (f"; on top of {self.strain()} it risks more strain." if self.strain() else ".")
                + " It can also turn into a way of not deciding.",
                worst_case="The in-between state drags on, neither side gets your best work, and the window closes "
                "anyway.",
                mitigation="Give it an end date and a result written down in advance that means go ahead or stop, and "
                "protect fixed hours for each side.",
                questions=[
                    f"What result at the end of {name} would make you go ahead, and what would make you stop?",
                    "Who needs to agree to it (an employer, a partner), and have you asked them?",
                ],
                experiment=f"Treat {name} as the experiment: agree now which result means go ahead and which means "
                "stop, then review it together on {review}.",
                causes=[
                    f"{name} never ended: without an end date it became the new normal, and the real decision was "
                    "never made.",
                    "Both sides got half the attention, and neither gave a fair result.",
                ],
                horizons=(
                    "relief at not having to choose everything at once",
                    "do you have the evidence you wanted, or only a longer list of questions?",
                    "a careful step on the way to whatever you chose",
                ),
            )
        if self.p.founder or _PRODUCT.search(option):
            return Lines(
                upside=f"Evidence from real customers before the whole company commits: {name} can end without damage.",
                downside="It takes team time away from the core product, and a pilot that is too small or too friendly "
                "proves little.",
                worst_case="Customers take part because it is new or cheap, and the pilot looks like a yes that the "
                "full launch does not repeat.",
                mitigation="Agree before it starts which number (sign-ups, revenue, retention) means go ahead, put an "
                "end date on it, and keep its cost to what you could write off.",
                questions=[
                    f"Which number at the end of {name} would mean go ahead, and which would mean stop?",
                    "Who on the team runs it, and what do they stop doing meanwhile?",
                ],
                experiment=f"Treat {name} as the experiment: write down the number that means go ahead and the one "
                "that means stop before it starts, and look at the first results together on {review}.",
                causes=[
                    "The pilot had no number agreed in advance, so every result was read as encouraging.",
                    "It ran on the team's spare time and never got a fair test.",
                ],
                horizons=(
                    "relief at testing rather than betting",
                    "what did the customers do, not only say?",
                    "one of the tests that shaped what the company became",
                ),
            )
        return Lines(
            upside=f"You find out what it is really like before committing: {name} is built to be stopped without "
            "losing face.",
            downside="It answers only part of the question in a short time, and people may treat it as the real "
            "commitment anyway.",
            worst_case="The trial is too short or unlike the real thing, and you decide on misleading evidence.",
            mitigation="Agree at the start what you want to find out, what result would mean continue or stop, and "
            "how the end of the trial will be handled with the people involved.",
            questions=[
                f"What do you want to know at the end of {name} that you do not know now?",
                "How would you step back at the end without it being read as failure?",
            ],
            experiment=f"Treat {name} as the experiment: write down what would mean continue and what would mean stop, "
            "and review the first weeks together on {review}.",
            causes=[
                f"{name} had no agreed review, so it quietly became the permanent arrangement.",
                "The trial took time from the work you were hired for, and that suffered.",
            ],
            horizons=(
                "relief at trying rather than deciding for good",
                "do you want to continue, now that you know what it involves?",
                "a step you took on purpose, whichever way it went",
            ),
        )

    def _layoff(self, option: str) -> Lines:
        count = _COUNT_OF_PEOPLE.search(option)
        who = f"{count.group('count')} {count.group('who')}" if count else "the people affected"
        them = f"the {who}" if count else who
        runway = self.runway()
        strain = self.strain()
        money = "runway" if self.p.founder else "budget"
        return Lines(
            upside="Cuts the monthly costs at once and for certain"
            + (f", so the {runway} stretch further" if runway else "")
            + ": unlike raising money, it needs nobody else's yes.",
            downside=f"{sentence(who)[:-1]} lose their jobs, the team that stays carries their work and watches how it is "
            "done, and notice, severance and advice cost money up front, so the saving starts later than it looks."
            + (f" Leading these conversations on top of {strain} is hard on you too." if strain else ""),
            worst_case="The cut is too small or too late: the money problem is back within months, morale drops, and "
            "someone you meant to keep resigns as well.",
            mitigation=f"Work out what the cut really buys in {money} after notice and severance, take employment-law "
            "advice before anyone hears of it, decide which work stops with the roles so the others are not simply "
            "asked to do more, and tell the people affected first, in person, with what you can offer them "
            "(notice, references, introductions).",
            questions=[
                f"How many months of {money} does it buy once notice and severance are paid?",
                "Which work stops with these roles, and who would otherwise pick it up?",
                f"Who must hear it from you first, and who helps you prepare the conversations with {them}?",
            ],
            experiment="Build the cash plan both ways this week, with the cut and without it, month by month until the "
            "money runs out; the month each version runs out is the evidence. Compare them together on {review}.",
            causes=[
                "The saving came later and smaller than planned once notice and severance were paid.",
                "The people who stayed lost trust in how it was handled, and a key person left within three months.",
                "The layoff bought time, but nothing else changed, so the same problem came back.",
            ],
            horizons=(
                f"dread of the conversations with {them}",
                "a smaller team: is it steadier, and did the money last longer?",
                "how you handled it will matter more than whether you did it",
            ),
        )

    def _raise(self, option: str) -> Lines:
        name = quoted(option)
        runway = self.runway()
        deadline = self.deadline()
        if not self.p.founder:
            return Lines(
                upside="Money now" + self.for_goal(option, " for {}") + ", without giving up what you have.",
                downside="It has to be paid back or shared, whatever happens, and finding it takes time.",
                worst_case="The money is spent before the plan works, and the repayments or obligations remain.",
                mitigation="Borrow or raise only what the worst case lets you repay, and know the terms before you sign.",
                questions=["What would repaying it look like if the plan took twice as long?"],
            )
        return Lines(
            upside="Keeps the whole team and buys time" + self.for_goal(option, " for {}") + ", if the money comes in.",
            downside="It is not in your hands: it needs investors to say yes, it takes your time for weeks, and a bridge "
            "often comes at a lower price or with tougher terms than the last round.",
            worst_case="The raise drags on past the runway"
            + (f" ({runway} now)" if runway else "")
            + ": you reach the last months with neither the money nor the time to cut calmly.",
            mitigation="Set a date by which the money must be committed in writing"
            + (f", well before {deadline}" if deadline else ", well before the runway ends")
            + ", decide now what you will cut if it is not, and ask the interested investors what they need to see.",
            questions=[
                "Who has said yes in writing, and on what terms?",
                "What numbers do the interested investors need to see, and can you show them before the money runs out?",
                "What will you cut, and when, if the money is not committed by the date you set?",
            ],
            experiment=f"Test {name} cheaply this week: ask each interested investor for a yes or no, and the terms, by "
            "{review}; a written yes is evidence, a warm maybe is not.",
            causes=[
                "The raise took twice as long as planned, and the runway ran out first.",
                "The money came with terms that made the next round harder.",
                "Fundraising took your time away from the customers who would have fixed the numbers.",
            ],
            horizons=(
                "relief at not having to cut anyone, or dread of more pitching",
                "is the money in the bank and are the numbers better, or are you back at the same decision with less runway?",
                "whether the company survived, and what you did with the time the money bought",
            ),
        )

    def _cut_costs(self, option: str) -> Lines:
        name = quoted(option)
        waits = KIND_BY_NAME["wait"] in [c.kind for c in find_cues(option)]
        span = _DURATION.search(option) or re.search(
            r"\b(?P<span>(?:\d+|one|two|three|four|five|six|twelve) (?:weeks|months))\b", option, re.I
        )
        wait_for = f"the {span.group('span')}" if span else "the wait"
        then = f", write down what must be true at the end of {wait_for}" if waits else ""
        if _OWN_PAY.search(option):
            household = " and your household" if self.p.partner or self.p.children else ""
            return Lines(
                upside="Nobody loses their job, and it shows the team and investors that you share the cost.",
                downside=f"It buys little runway on its own, and you{household} carry it"
                + (f", on top of {self.strain()}." if self.strain() else "."),
                worst_case="The saving is too small to change the outcome, and the harder decision is still waiting, "
                "only later and with less room.",
                mitigation=f"Put a number on what it saves each month and how many weeks that buys{then}, and set "
                "the date you will look at it again.",
                questions=[
                    f"How many weeks of runway does {name} buy, in numbers?",
                    f"Can you{household} live on the lower pay for that long?",
                ],
                experiment="This week, write down every monthly cost with its amount; if what you can cut without "
                "touching people adds up to less than a month of runway, this option alone is not enough. Look at "
                "it together on {review}.",
                causes=["The saving was too small, and the harder decision came anyway, later and with less room."],
                horizons=(
                    "relief that nobody loses a job",
                    "did the saving change the numbers, or only delay the decision?",
                    "whether waiting was a choice or an avoidance",
                ),
            )
        if _OFFICE.search(option):
            return Lines(
                upside="A lower monthly cost that does not touch anyone's job.",
                downside="A move costs money and time up front (deposit, moving, notice on the old lease), so the "
                "saving starts later, and a new lease binds you for its term.",
                worst_case="The move costs more than it saves in the first year, and the team loses weeks to it.",
                mitigation="Compare the full cost of moving with twelve months of savings before signing, and check "
                "the notice on the current lease.",
                questions=["What is the notice on the current lease, and what does moving cost in total?"],
            )
        return Lines(
            upside="Savings you can make now and undo later, without touching anyone's job.",
            downside="The cuts that are easy to make are usually small; the big costs are rarely among them.",
            worst_case="The savings are too small to change the outcome, and the decision you were avoiding is still "
            "waiting.",
            mitigation=f"Put a number on the monthly saving and what it buys{then}.",
            questions=[f"What does {name} save per month, in numbers?"],
        )

    def _leave(self, option: str) -> Lines:
        goal = self.goal(option) or "the new plan"
        strain = self.strain()
        if self.p.young:
            return Lines(
                upside="You stop spending your days on training you do not want.",
                downside="Without a new place lined up you could be left with no training and no pay, and some of "
                "what you have done may not count elsewhere.",
                worst_case="Months go by without a training place, and starting again is harder than staying would "
                "have been.",
                mitigation="Do not leave until a new training place is signed; talk it through first with your "
                "parents or guardians, your training provider and a careers adviser.",
                questions=[
                    "What would you do on the first Monday after leaving?",
                    "Who could help you find a new place before you leave?",
                ],
                horizons=(
                    "relief, and maybe worry about what your parents or guardians will say",
                    "are you in training you like, or still looking?",
                    "one early turn in a working life that is only starting",
                ),
            )
        savings = " (and with no savings to speak of, that comes fast)" if self.p.no_savings else ""
        return Lines(
            upside=f"All your time and energy go into {goal}, and the question stops costing attention.",
            downside="Income stops, and a role you leave is usually filled by someone else."
            + (f" With {strain} already, the load may grow." if strain else ""),
            worst_case=f"It does not work out, the savings run out{savings}, and you look for work again from a weaker "
            "position.",
            mitigation=f"Before resigning, have {self.floor()} set aside, write down which result by which date would make "
            "you stop, check your notice period, and leave on good terms so a way back stays open.",
            questions=[
                "If it does not work out, what would you go back to, and how?",
                "Who depends on your income, and what do they think?",
            ],
            experiment="Before resigning, spend four weeks testing the riskiest assumption behind "
            f"{goal} cheaply (two evenings a week), with a yes-or-no result agreed in advance and reviewed on "
            "{review}.",
            causes=[
                f"{goal} took longer than planned, and the money or patience ran out first.",
                "Without the job's structure, the weeks filled with busywork instead of the work that mattered.",
            ],
            horizons=(
                "a rush of relief, and nerves about telling your employer",
                "is the new plan paying its way, and how are the savings?",
                "would you rather have tried and failed, or never tried?",
            ),
        )

    def _switch(self, option: str) -> Lines:
        new = self.phrase(_object_after(option, "switch", "change", "retrain", "move", "moving", "transfer", "pivot"))
        if self.p.young:
            return Lines(
                upside=f"You train for work you want to do every day, and switching to {new} early costs less than "
                "switching later.",
                downside="You may have to start the new training from the beginning, find a new training place and "
                "employer, and your pay may drop for a while.",
                worst_case="The new trade turns out less different than it looked, and a year has gone.",
                mitigation="Keep your current place until a new one is signed; try the new trade first (a trial day or "
                "week), ask your training provider or a careers adviser which parts of your training would count, "
                "and decide it together with your parents or guardians.",
                questions=[
                    f"What draws you to {new}: the work itself, the people, or getting away from the current one?",
                    "Which parts of your training so far would count in the new trade?",
                    "What do your parents or guardians think, and does your employer know you are thinking about it?",
                ],
                experiment="Before switching, ask for a trial day or week in the new trade, with two or three "
                "questions written down beforehand (do you enjoy the work all day, is there a training place, what "
                "would you earn); talk about what you found on {review}.",
                causes=[
                    "The new trade was chosen to get away from the old one, not for the work itself.",
                    "There was no training place in the new trade when the old one had already gone.",
                    "Your parents or guardians, your employer or your training provider heard late, and it was harder "
                    "to get their help.",
                ],
                horizons=(
                    "excitement, and nerves about telling your employer",
                    f"settled in {new}, or wishing you had tried it first?",
                    "the trade you spend your working life in",
                ),
            )
        return Lines(
            upside=f"Work that fits you better in {new}" + self.for_goal(option, ", and a clearer path to {}") + ".",
            downside="You may start a step lower in pay, seniority and network, and what you know now counts for less "
            "at first.",
            worst_case="The new field is not what it looked like from outside, and going back means explaining the gap.",
            mitigation="Test the new work before committing (a side project, a secondment or a day shadowing someone "
            "who does it), and keep in touch with the people you leave.",
            questions=[
                f"Who already does the work in {new}, and what does their typical week look like?",
                "What would you have to give up in pay or seniority, and for how long?",
            ],
            experiment=f"Before switching, spend four weeks doing a small piece of the work in {new} (a side project, "
            "a volunteer task or a day's shadowing), with a result agreed in advance and reviewed on {review}.",
            causes=["The new field looked better from outside than it was from inside."],
            horizons=(
                "excitement, and nerves about saying it out loud",
                "how is the new work, and how is the pay?",
                "would you regret not having tried?",
            ),
        )

    def _study(self, option: str) -> Lines:
        name = quoted(option)
        span = _DURATION.search(option)
        term = f" ({span.group('span')})" if span else ""
        place = self.place(option)
        if _POSTDOC.search(option):
            where = f", and it means a move to {place}" if place else ""
            return Lines(
                upside="Keeps the academic path open and adds to your publication record, with more say over what "
                "you work on.",
                downside=f"A fixed-term contract{term} that usually pays less than industry, with another search at its "
                f"end{where}.",
                worst_case="The contract ends without a next academic post, and you look for industry work a few years "
                "later with the same gap to explain.",
                mitigation="Ask the group leader whether the funding covers the whole term, what the publication plan is "
                "and where the last postdocs went; set yourself a point (the end of the first year) to check whether "
                "the academic path is still the one.",
                questions=[
                    f"What do you want {name} to lead to, and how many of the group's last postdocs got there?",
                    "Is the funding secured for the whole term?",
                ],
                experiment="Before deciding, talk to two people: someone who did a postdoc in that group, and someone "
                "who left research for industry; ask each what they wish they had known. Compare notes on {review}.",
                causes=[
                    "The funding or the project changed after you arrived, and the postdoc became a holding pattern.",
                    "The contract ended with no academic post, and the industry offer had long gone.",
                ],
                horizons=(
                    "relief at staying in research, or worry about the pay",
                    "are you publishing the work you came for?",
                    "is research the career you wanted, or a few years you are glad of anyway?",
                ),
            )
        if self.p.young:
            return Lines(
                upside=f"More qualifications widen your choices later, and {name} gives you time to find out what "
                "you like.",
                downside="It takes time before you earn a full wage, and some courses cost money.",
                worst_case="You finish a course you are not interested in and are no closer to knowing what you want.",
                mitigation="Talk to a careers adviser and to someone a year ahead of you on the course, and decide it "
                "with your parents or guardians.",
                questions=[f"What would {name} let you do afterwards that you cannot do now?"],
            )
        return Lines(
            upside="A qualification and new skills" + self.for_goal(option, " that move {} forward") + ".",
            downside=f"Fees and time{term}, and income may pause if it is full time.",
            worst_case="The qualification matters less to employers than you hoped, and the time and money are spent.",
            mitigation="Ask two people who hire for the role you want whether the qualification changes their "
            "decision, and look for a part-time or employer-funded route.",
            questions=[f"Who would value {name}, and have you asked them?"],
        )

    def _job(self, option: str) -> Lines:
        name = quoted(option)
        place = self.place(option)
        if self.p.academic:
            tie = self.situation_clause(place) if place else None
            return Lines(
                upside="A permanent salary well above a postdoc's, and experience that counts outside academia"
                + (f"; it keeps you in {place}, and your situation says {tie}." if tie else "."),
                downside="Moving from research to industry is easier than the way back: publishing usually slows, and "
                "academic hiring looks at publications.",
                worst_case="After a couple of years you miss research, and the way back has narrowed.",
                mitigation="Before signing, ask whether you could keep one foot in research (a paper from the thesis, a "
                "collaboration, time for a conference), which keeps the way back wider, and talk to someone who "
                "does the job there now.",
                questions=[
                    f"What would the first year of {name} teach you that the alternative would not?",
                    "If you wanted to return to research in two years, what would it take, and who has done it?",
                ],
                experiment="Before deciding, spend a day with the team (or an hour with two people in the role), and "
                "ask what a typical week looks like; write down beforehand what would make it a yes. Compare notes on "
                "{review}.",
                causes=[
                    "The work was narrower than the interviews suggested, and research kept pulling at you.",
                    *(
                        ["The thesis slipped once the job started, because the evenings went to the new work."]
                        if self.has_thesis()
                        else []
                    ),
                ],
                horizons=(
                    "relief at a decision made, maybe a pang about research",
                    "settled in the job, and is the thesis finished?" if self.has_thesis() else "settled in the job?",
                    "a career outside research, or a detour you chose on purpose",
                ),
            )
        return Lines(
            upside="A concrete offer with known pay, people and work: less uncertainty than the alternatives"
            + self.for_goal(option, ", and a step towards {}")
            + ".",
            downside="A job is known only from the outside until you start, and the door you do not take may not "
            "reopen.",
            worst_case="The work is not what the interviews suggested, and within a year you are looking again.",
            mitigation="Before signing, talk to someone who does the work there now, ask what a typical week looks like, "
            "and check the notice period and probation terms.",
            questions=[f"What would {name} teach you in its first year that the alternative would not?"],
            experiment=f"Before signing {name}, ask to meet two future colleagues and ask each what they wish they had "
            "known before joining; decide what answer would make it a no, and review it on {review}.",
            causes=[
                "The role was not what the interviews described, and you noticed the signs early but explained "
                "them away."
            ],
            horizons=(
                "relief and excitement, or guilt about the people you leave"
                if self.p.works
                else "relief and excitement, or nerves about starting",
                "what does a typical week in the new job look like?",
                "where this step led",
            ),
        )

    def _move(self, option: str) -> Lines:
        place = self.place(option)
        where = place or "the new place"
        people = (
            "your parents or guardians"
            if self.p.young
            else ("your partner" if self.p.partner else "the people close to you")
        )
        if self.p.young and not self.p.reading.apprentice:
            return Lines(
                upside=f"What {where} offers that staying does not: the course you want, new people, and learning to "
                "live on your own.",
                downside="Living away from home costs money (rent or halls, travel, food), and you start without the "
                "people who know you; your parents or guardians are part of the decision.",
                worst_case="The first months are lonely or the money does not stretch, and you think about coming back.",
                mitigation="Visit before you choose, price a year there (room, travel, food) with your parents or "
                "guardians, and find out what the place offers new students who move from elsewhere.",
                causes=[f"{where} felt lonelier than expected, and the money ran out before the term did."],
                questions=[f"What would a normal week in {where} look like, and who would you know there?"],
                horizons=(
                    "excitement, and maybe nerves about leaving home",
                    "settled in, or still homesick?",
                    "what those years away gave you",
                ),
            )
        return Lines(
            upside=f"What {where} offers that staying does not, in work, cost of living or the people there.",
            downside=f"Moving costs money and time, and relationships at home take the strain; {people} are part of it.",
            worst_case=f"{where} does not work out, and moving back costs as much again.",
            mitigation=f"Spend time in {where} before moving, and rent before you buy or sell anything.",
            causes=[f"{where} felt lonelier than expected, and the people at home drifted away."],
            questions=[f"What would a normal week in {where} look like, and who would you know there?"],
        )

    def _hire(self, option: str) -> Lines:
        role = self.phrase(_object_after(option, "hire", "hiring", "recruit", "bring", "take"))
        runway = self.runway()
        return Lines(
            upside="More capacity"
            + self.for_goal(option, " for {}")
            + f", and someone who owns the work of {role} instead of you.",
            downside="Adds a salary to the monthly costs before it pays back"
            + (f", with {runway}" if runway else "")
            + "; a senior hire takes months to find and to get up to speed.",
            worst_case="The hire does not work out after six months, the money is spent, and parting costs more again.",
            mitigation=f"Write down what {role} must have achieved by month three and month six, check that the cash "
            "plan carries the salary for a year, and consider a contractor or part-time start first.",
            questions=[
                f"What must {role} have achieved by month six for it to be worth it?",
                "Could a contractor or a part-time start test it first?",
            ],
            experiment=f"Before hiring {role}, give the work to a contractor or do it yourself for four weeks, with a "
            "number that shows whether it pays back, reviewed on {review}.",
            causes=["The hire came too early for the money and too late for the work."],
        )

    def _commit(self, option: str) -> Lines:
        name = quoted(option)
        return Lines(
            upside="The commitment is visible, and your effort goes"
            + self.for_goal(option, " into {}", " into it")
            + " without hedging.",
            downside="Hard to undo: money, a signature or your position is committed before the evidence is in.",
            worst_case="It does not work out, and undoing it costs more than the commitment did.",
            mitigation="Before committing, find the smallest version that can be undone (a shorter term, a break "
            "clause, a first stage) and write down the result that would make you stop.",
            questions=[f"What is the smallest version of {name} you could undo if it went wrong?"],
            experiment=f"Before {name}, test its riskiest assumption cheaply for four weeks, with a yes-or-no result "
            "agreed in advance and reviewed on {review}.",
            causes=["The commitment ran on enthusiasm, and the early warning signs were explained away."],
        )

    def _sell(self, option: str) -> Lines:
        return Lines(
            upside="Certainty and money now, and the end of the risk you carry.",
            downside="It cannot be undone, and what you built is run by someone else from then on.",
            worst_case="The price looks low a year later, or the terms (earn-outs, staying on) bind you longer than "
            "you wanted.",
            mitigation="Get independent advice on the price and the terms, and talk to founders who sold to the same "
            "buyer.",
            questions=["What would you do the day after the sale, and for the next two years?"],
            causes=["The terms after the sale (earn-out, staying on) turned out worse than the price looked."],
        )

    def _equity(self, option: str) -> Lines:
        return Lines(
            upside="Someone important shares the upside and has a reason to stay.",
            downside="Equity given away is very hard to win back, and it shapes every later round.",
            worst_case="The person leaves early with shares you cannot recover.",
            mitigation="Use vesting with a cliff, so the shares are earned over time and not given at once.",
            causes=["The person left early, and the shares went with them."],
            questions=["What happens to the shares if this person leaves after six months?"],
        )

    def _decline(self, option: str) -> Lines:
        name = quoted(option)
        return Lines(
            upside="Keeps your time and energy for what you want more"
            + self.for_goal(option, " ({})")
            + "; the no itself costs one conversation.",
            downside="An offer turned down rarely comes back the same way, and the people who made it will remember "
            "how you said no.",
            worst_case="What you declined it for does not come, and you have neither.",
            mitigation="Say no with a reason and an offer of help, and ask what the path to what you want looks like "
            "and when it would open.",
            causes=[
                "What you declined it for went to someone else, or came a year later than you hoped.",
                "The people who made the offer read the no as a lack of interest, and the next offer went elsewhere.",
            ],
            questions=[
                f"What are you saying yes to by choosing {name}?",
                "How likely is what you are waiting for, and when will you know?",
            ],
            horizons=(
                "an awkward no, and the face of the person who asked",
                "are you closer to what you declined it for?",
                "whether the no protected the thing that mattered",
            ),
        )

    def _wait(self, option: str) -> Lines:
        runway = self.runway()
        deadline = self.deadline()
        if self.p.job_seeking and _SEARCHING.search(option):
            return self._keep_looking(option, deadline)
        return Lines(
            upside="Nothing irreversible happens now, and you learn more before choosing.",
            downside=(
                f"Waiting is a choice too: each month uses one of the {runway}."
                if runway and self.p.founder
                else "Waiting is a choice too: an offer or a window may close, and the open question keeps "
                "costing attention."
            ),
            worst_case="When you do decide, the good options have gone and you choose under more pressure.",
            mitigation="Write down what you are waiting for and the date you will decide anyway"
            + (f" (before {deadline})." if deadline else "."),
            causes=["The wait had no end date, and the decision was made for you when the option ran out."],
            questions=[
                "What exactly would you know after waiting that you do not know now?",
                "What does waiting cost each week, and who pays it?",
            ],
            horizons=(
                "relief at not choosing yet",
                "what has changed by then, and what has the wait cost?",
                "whether waiting was a decision or an avoidance",
            ),
        )

    def _keep_looking(self, option: str, deadline: str | None) -> Lines:
        """'Keep looking' for someone without a job: holding out for better work, not staying in a post."""
        name = quoted(option)
        return Lines(
            upside="You hold out for work you actually want, where you want it, and the search stays in your hands.",
            downside="The search has no end date: every month without work costs money and confidence, and the offer "
            "on the table may not wait.",
            worst_case="Months later you are still applying, with less money and less confidence, and the offer you "
            "turned down has gone.",
            mitigation="Give the search a number and a date (applications sent, interviews, replies"
            + (f", by {deadline}" if deadline else "")
            + ") and decide now what you will do if it is not met.",
            causes=["The search went on without a change of approach, and the same applications got the same answers."],
            questions=[
                f"What would make the next month of {name} different from the months so far?",
                "What does each month of searching cost you, and who helps you carry it?",
            ],
            horizons=(
                "relief at not settling, or worry about money",
                "is the search working any better than it was?",
                "whether holding out got you the work you wanted",
            ),
        )

    def _stay(self, option: str) -> Lines:
        name = quoted(option)
        if self.p.young and not self.p.reading.apprentice:
            return Lines(  # a pupil staying where they are: near home, the course still theirs to choose
                upside="You stay close to home and the people who know you, and it usually costs far less.",
                downside="You may give up the course, the place or the independence that drew you to the other option, "
                "and wonder about it later.",
                worst_case="A year in, the course or the place is not what you wanted, and changing means starting a "
                "year again.",
                mitigation="Compare the courses line by line (what you would study, placements, what students do "
                "afterwards) with your parents or guardians and a teacher, and visit both places if you can.",
                questions=[
                    "If the course were the same in both places, which would you choose, and why?",
                    f"What would make {name} a choice rather than the safe default?",
                ],
                horizons=(
                    "relief at staying near home, or a pang about the other place",
                    "are you enjoying the course and the life around it?",
                    "whether staying close gave you what you hoped",
                ),
            )
        if self.p.young:
            hard = next((c for c in self.c.context.mentee.challenges if c), None)
            return Lines(
                upside="You keep your training place, your pay and the progress you have made, and finish with a "
                "qualification that counts wherever you go later.",
                downside="If you already know you want a different trade, the years left are a long time to stay "
                "motivated" + (f", and {quoted(hard)} will not ease by itself." if hard else "."),
                worst_case="You finish a qualification you do not use, or drop out later anyway, tired and with less "
                "time.",
                mitigation="Agree a point to look at it again (for example after your next exam) with your parents or "
                "guardians, and ask your training provider what you could try on the side (a taster day, a short "
                "course).",
                questions=[
                    "What exactly do you dislike now: the work itself, the workplace, or the lessons?",
                    f"If you chose {name}, what would make the next year better than the last?",
                ],
                horizons=(
                    "relief at not having to tell anyone, or disappointment",
                    "are you enjoying the work more, or counting the days?",
                    "a qualification you are glad to have, whatever you do with it",
                ),
            )
        if self.p.founder:
            runway = self.runway()
            return Lines(
                upside="No disruption for the team or the customers, and no new risk taken on.",
                downside="If the numbers are not moving, staying the course spends "
                + (f"the {runway}" if runway else "the runway")
                + " on a plan that is not working yet.",
                worst_case="Months later nothing has changed, and the choice is the same one with less money to make it.",
                mitigation=f"Name the number that must move, and by when, for {name} to stay the right choice, and "
                "book the date you will check it.",
                questions=[f"Which number, by which date, would tell you {name} is working?"],
            )
        return Lines(
            upside="You keep what works today (income, standing, people who know you) and can still move later.",
            downside="The reason you are considering a change does not go away by itself, and the other option may "
            "not wait.",
            worst_case="A year from now nothing has changed, and you are weighing the same choice with fewer options.",
            mitigation=f"Name what would make {name} the right choice (a conversation, a change of role, a date), and set "
            "the date you will check whether it happened.",
            questions=[f"What would need to change for {name} to feel like a choice rather than a default?"],
            horizons=(
                "relief, or the flat feeling of not choosing",
                "is it getting better, or are you still weighing the same thing?",
                "would you regret not having tried the other path?",
            ),
        )

    def _negotiate(self, option: str) -> Lines:
        name = quoted(option)
        return Lines(
            upside=f"Asking costs little and commits you to nothing, and a yes to {name} may make the harder options "
            "unnecessary.",
            downside="A no can make the situation more awkward, and asking may only delay the real decision.",
            worst_case="They say no, and you have shown your hand without a next step ready.",
            mitigation="Prepare exactly what you will ask for, and what you will do if the answer is no.",
            causes=["The ask was vague, the answer was a polite maybe, and the real decision slipped."],
            questions=[f"Who decides on {name}, and what do they need to hear to say yes?"],
        )


# --------------------------------------------------------------------------------------
# The composer
# --------------------------------------------------------------------------------------
class _Composer:
    def __init__(self, context: MentoringContext, retrieved: Retrieved) -> None:
        if context.decision is None:
            raise MissingInput("the decide task needs a decision: add `decision: {statement: ...}` to the context")
        self.context = context
        self.decision = context.decision
        self.retrieved = retrieved
        self.citations = Citations(retrieved)
        self.person = read_situation(context)
        self.facts = notes_facts(context)
        self.fears = [c for c in context.mentee.challenges if _FEAR.search(c)]
        self.check_in, self.check_in_why = self._check_in()
        self.templates = {
            str(item.get("framework")): (result, item)
            for result, item in bank_items(retrieved.get("decision_templates"))
        }
        if not self.templates:
            raise KnowledgeMissing(
                f"no decision templates were retrieved for tenant {context.tenant!r}; run `companion knowledge ingest` first"
            )
        self.readings = self._read_options()
        self.writer = _Writer(self)
        self.lines = {reading.name: self.writer.write(reading) for reading in self.readings}
        self._distinct()

    # -- reading ---------------------------------------------------------------------------
    def _read_options(self) -> list[Reading]:
        readings = []
        if self.decision.options:
            for option in self.decision.options:
                kind = option_kind(option, self.person)
                level, reasons, cue_words = _reversibility_of(kind, option, self.person)
                readings.append(Reading(option, kind, level, reasons, cue_words))
            return readings
        statement = self.decision.statement
        kind = option_kind(statement)
        level, reasons, cue_words = _reversibility_of(kind, statement, self.person)
        readings.append(Reading("go ahead", kind, level, reasons, cue_words, synthetic=True))
        wait = KIND_BY_NAME["wait"]
        readings.append(Reading("wait", wait, wait.level, [f"{quoted('wait')}: {wait.why}"], ["wait"], synthetic=True))
        return readings

    def _check_in(self) -> tuple[dt.date, str | None]:
        """The next session the notes plan, when it comes before the deadline; else two weeks out."""
        reference, deadline = self.context.reference_date, self.decision.deadline
        meeting = self.facts.next_meeting if self.facts is not None else None
        if meeting is not None and meeting > reference and (deadline is None or meeting < deadline):
            return meeting, "the next session the notes plan"
        return check_in_date(reference, deadline), None

    def _distinct(self) -> None:
        """Two options of the same kind would read alike: the later one's repeated lines become questions
        that compare it with the earlier one."""
        seen: dict[str, str] = {}
        seen_horizons: set[tuple[str, str, str]] = set()
        for reading in self.readings:
            lines = self.lines[reading.name]
            for attribute in ("upside", "downside", "worst_case", "mitigation"):
                text = getattr(lines, attribute)
                if text in seen:
                    other, mine = quoted(seen[text]), quoted(reading.name)
                    compare = {
                        "upside": f"What does {mine} give you that {other} does not?",
                        "downside": f"What does {mine} cost that {other} does not?",
                        "worst_case": f"How would the worst case of {mine} differ from that of {other}?",
                        "mitigation": f"What would make {mine} easier to undo than {other}?",
                    }[attribute]
                    setattr(lines, attribute, compare)
                else:
                    seen[text] = reading.name
            if lines.horizons is not None:
                if lines.horizons in seen_horizons:
                    lines.horizons = None  # asked as a question in 10/10/10 instead of the same three feelings
                else:
                    seen_horizons.add(lines.horizons)

    def notes_rule_out(self, option: str, goal: str) -> bool:
        """Do the notes say the option cannot serve the goal ('agency has no band 6 route' for 'sign up with
        the agency' and 'get a band 6 post')? A line that negates and shares a telling word with each."""
        option_stems = {_stem(w) for w in words(option) if len(w) > 3} - _GENERIC_STEMS
        goal_stems = {_stem(w) for w in words(goal) if len(w) > 3} - _GENERIC_STEMS - option_stems
        if not option_stems or not goal_stems:
            return False
        for line in _notes_lines(self.context):
            line_stems = {_stem(w) for w in words(line)}
            if _NEGATION.search(line) and option_stems & line_stems and goal_stems & line_stems:
                return True
        return False

    @property
    def leading(self) -> Reading:
        """The option that most needs stress-testing: the hardest to undo, else the first."""
        ranked = sorted(self.readings, key=lambda r: (-LEVEL_ORDER[r.level] if r.kind else 0, self.readings.index(r)))
        return ranked[0]

    def trial(self) -> Reading | None:
        return next((r for r in self.readings if r.kind is not None and r.kind.name == "trial"), None)

    # -- knowledge ---------------------------------------------------------------------------
    def guide(self, source: str, *headings: str) -> list[Citation]:
        """The citation of a retrieved framework guide section, by source and the start of its heading."""
        found = guide_section(self.retrieved, ("framework_guides", "frameworks"), source, *headings, "")
        return self.citations.cite(found) if found is not None else []

    def cite_template(self, framework: str) -> list[Citation]:
        template = self.templates.get(framework)
        return self.citations.cite(template[0]) if template is not None else []

    # -- parts -------------------------------------------------------------------------------
    def criteria(self) -> list[str]:
        appetite = self.decision.risk_appetite
        person = self.person
        income_at_stake = any(
            r.kind is not None and r.kind.name in ("leave", "switch", "commit") for r in self.readings
        )
        hardest = self.leading
        found = [
            f"Reversibility: what it would cost to undo {quoted(hardest.name)}, the hardest option to take back"
            if hardest.hard and not hardest.synthetic
            else "Reversibility: how cheaply you could change course if it goes wrong"
        ]
        if person.young and not person.reading.apprentice:
            found.append(
                {
                    "low": "Safety: you finish school with the grades you need, and a next step stays open, whatever "
                    "you choose",
                    "medium": "A safe next step: you can still change course after the first year if it does not suit you",
                    "high": "What you want to do: worth a risk if you can still change course later",
                }[appetite]
            )
        elif person.young:
            found.append(
                {
                    "low": "Safety: you keep a training place and a way to finish a qualification, whatever you choose",
                    "medium": "A safe next step: you can still finish a qualification if the new plan does not work out",
                    "high": "The work you want to do: worth a risk if you can still get back into training",
                }[appetite]
            )
        elif person.founder and not income_at_stake:
            found.append(
                {
                    "low": "Safety: the company survives the worst case, with enough runway left to make the next "
                    "decision calmly",
                    "medium": "A survivable worst case: the company could recover from it within about a year",
                    "high": "Size of the upside: worth the risk only if the best case changes the company's course",
                }[appetite]
            )
        elif person.student:
            found.append(
                {
                    "low": f"Safety: your place on the course kept, and {STUDENT_FLOOR}, whatever happens",
                    "medium": "A safe next step: you can still finish the year if the new plan does not work out",
                    "high": "The work you want to do: worth a risk if you can still finish the course",
                }[appetite]
            )
        else:
            found.append(
                {
                    "low": f"Safety: a floor of at least {FLOORS['low']} of living costs, whatever happens"
                    if income_at_stake
                    else "Safety: an income you can count on and a way back, whatever you choose",
                    "medium": "A survivable worst case: you could recover from it within about a year",
                    "high": "Size of the upside: worth the risk only if the best case is big",
                }[appetite]
            )
        statement = " ".join([self.decision.statement, *self.decision.options])
        goals = self.context.mentee.goals
        related = [g for g in goals if words(g) & words(statement)]
        found += [f"Progress on {quoted(goal)}" for goal in [*related, *[g for g in goals if g not in related]][:3]]
        if person.strain:
            found.append(
                f"Wellbeing: sustainable hours, sleep and relationships (you mentioned {join_words([quoted(s) for s in person.strain[:3]])})"
            )
        if person.distress >= 2:
            found.append(
                "Energy: prefer the option that does not need your best weeks to work, and keep the "
                "irreversible part for a rested day"
            )
        found += [f"Courage over comfort: does it make you face {quoted(c)} or avoid it?" for c in self.fears]
        others = [
            c
            for c in self.context.mentee.challenges
            if c not in person.strain and c not in self.fears and not _HARD_WELLBEING.search(c)
        ]
        found += [f"Eases {quoted(c)} rather than adding to it" for c in others]
        people = self.writer.people()
        if people != "the people it affects":
            found.append(f"What it means for {people}")
        deadline = self.decision.deadline
        if deadline is not None and deadline > self.context.reference_date:
            found.append(f"Learning speed: which option gives you real evidence before {deadline.isoformat()}")
        else:
            found.append("Learning speed: how soon the option gives you real evidence")
        return found

    def option(self, reading: Reading) -> DecisionOption:
        lines = self.lines[reading.name]
        level = reading.level
        if reading.kind is None:
            reason = (
                f"Not clear from the wording: ask what undoing {quoted(reading.name)} would cost in money, time and "
                "reputation."
            )
        else:
            reason = sentence("; ".join(_without_cue(r) for r in reading.reasons))
        review = self.check_in.isoformat()
        return DecisionOption(
            name=reading.name,
            upside=lines.upside,
            downside=lines.downside,
            worst_case=lines.worst_case,
            mitigation=lines.mitigation.replace("{review}", review),
            kind=reading.kind.name if reading.kind else None,
            reversibility=Reversibility(level=level, reason=reason),  # type: ignore[arg-type]
            questions=lines.questions,
            from_notes=self.from_notes(reading),
        )

    def from_notes(self, reading: Reading) -> list[str]:
        """Lines of the notes that share a telling word with the option, quoted; none that name third parties."""
        if reading.synthetic:
            return []
        option_words = {w for w in words(reading.name) if len(w) > 3} - _GENERIC_WORDS
        if not option_words:
            return []
        allowed = {n.lower() for n in (first_name(self.context.mentee.name), first_name(self.context.mentor.name)) if n}
        allowed |= {
            w.lower()
            for w in re.findall(
                r"[A-Z][\w-]+", " ".join([reading.name, self.decision.statement, self.context.mentee.situation or ""])
            )
        }
        found: list[str] = []
        wanted = {_stem(w) for w in option_words}
        for line in _notes_lines(self.context):
            for part in re.split(r"(?<=[.!?])\s+|;\s+", line):
                if not wanted & {_stem(w) for w in words(part)} or names_someone(part, allowed):
                    continue
                quote = f"The notes say {short_quote(part)}."
                if quote not in found:
                    found.append(quote)
                break
            if len(found) == MAX_NOTES_PER_OPTION:
                break
        return found

    def premortem(self) -> tuple[list[str], list[Citation]]:
        lead = self.leading
        name = quoted(lead.name)
        year_on = shift(self.context.reference_date, 365)
        when = f"it is {year_on.isoformat()}" if year_on else "a year has passed"
        causes = [
            f"Imagine {when} and {name} went badly: take five minutes to write down every reason you can think "
            "of before talking, mark the likeliest three, and test them against these stories:"
        ]
        causes += self.lines[lead.name].causes[:3]
        strain = self.writer.strain()
        if strain:
            named = f"the strain you named, {strain}," if strain.startswith("“") else strain
            causes.append(sentence(f"{named} continued or grew, and health or relationships paid the price"))
        causes += [f"{quoted(c)} kept the hard conversations from happening in time." for c in self.fears[:1]]
        money_kinds = ("leave", "switch", "commit", "study", "job", "move", "hire", "raise", "layoff")
        if (
            self.decision.risk_appetite == "low"
            and not self.person.young
            and lead.kind
            and lead.kind.name in money_kinds
        ):
            floor = "minimum runway" if self.person.founder else "financial floor"
            causes.append(
                f"The downside was bigger than you could carry, because the {floor} you need was never written down."
            )
        people = self.writer.people(lead)
        if people != "the people it affects" and not any("heard late" in c for c in causes):
            causes.append(f"{people[0].upper()}{people[1:]} heard about it late, and their reaction changed the plan.")
        causes.append(
            f"Now the reverse: {when} and {name} went well; what made the difference, and "
            "which of it is in your hands now?"
        )
        cited = self.guide(PREMORTEM_GUIDE, "How to run it", "Questions to ask")
        return causes, cited + self.cite_template("premortem")

    def ten_ten_ten(self) -> tuple[list[str], list[Citation]]:
        lines = []
        chosen = [r for r in self.readings if self.lines[r.name].horizons][:TEN_TEN_TEN_OPTIONS]
        for reading in chosen:
            minutes, months, years = self.lines[reading.name].horizons or ("", "", "")
            lines.append(
                f"{quoted(reading.name)}. Ten minutes: {sentence(minutes)} Ten months: {sentence(months)} "
                f"Ten years: {sentence(years)}"
            )
        for reading in [r for r in self.readings if r not in chosen][: max(0, TEN_TEN_TEN_OPTIONS - len(chosen))]:
            lines.append(
                f"{quoted(reading.name)}: how would you feel ten minutes after choosing it, ten months on, and ten "
                "years on?"
            )
        people = self.writer.people(self.leading)
        if people != "the people it affects":
            lines.append(
                f"Which of these feelings is about the decision itself, and which about telling {people}, a "
                "conversation that is easier once rehearsed?"
            )
        else:
            lines.append(
                "Which of these feelings is about the decision itself, and which about the conversation it needs? "
                "The ten-minute part can often be made easier by rehearsing that conversation."
            )
        if self.person.distress >= 2:
            lines.append("Which time frame is carrying the most weight right now, and is that the tiredness talking?")
        cited = self.guide(TEN_TEN_TEN_GUIDE, "How to run it", "Questions to ask")
        return lines, cited + self.cite_template("ten_ten_ten")

    def experiment(self) -> tuple[str, list[Citation]]:
        review = self.check_in.isoformat()
        trial = self.trial()
        chosen = trial or self.leading
        text = self.lines[chosen.name].experiment
        if text is None:
            name = quoted(chosen.name)
            text = (
                f"Before {name}, find its riskiest assumption and test it cheaply within a month, with a yes-or-no "
                "result agreed in advance and reviewed on {review}."
            )
        cited = self.guide(EXPERIMENT_GUIDE, "How to run it", "Questions to ask") + self.cite_template(
            "small_experiment"
        )
        return text.replace("{review}", review), cited

    def chosen_templates(self) -> list[tuple[SearchResult, dict[str, Any]]]:
        """Reversibility first, then the frameworks the options call for, then retrieval order."""
        kinds = {r.kind.name for r in self.readings if r.kind is not None}
        text = " ".join([self.decision.statement, *self.decision.options])
        wanted = ["reversibility"]
        if any(r.hard for r in self.readings):
            wanted.append("premortem")
        if kinds & {"leave", "switch", "study", "job", "move", "commit"} or re.search(r"\bcareer\b", text, re.I):
            wanted.append("regret_minimisation")
        if self.decision.risk_appetite == "low" or kinds & {"raise", "layoff", "cut_costs", "hire", "sell", "equity"}:
            wanted.append("expected_value")
        if self.fears or self.person.distress:
            wanted.append("ten_ten_ten")
        wanted += [name for name in self.templates if name not in wanted]
        return [self.templates[name] for name in wanted if name in self.templates][:TEMPLATES_USED]

    def questions(self) -> list[str]:
        values = slot_values(self.context)
        questions: list[str] = []
        about = {_stem(w) for w in words(" ".join([self.decision.statement, *self.decision.options]))}
        for result, item in self.chosen_templates():
            fitting = []
            for question in item.get("questions") or []:
                text = without_placeholders(str(question), values)
                if text is not None and fits_person(str(question), self.person.reading):
                    fitting.append(text)
            # The template's questions that share most words with this decision, in the bank's order otherwise.
            ranked = sorted(fitting, key=lambda q: -len(about & {_stem(w) for w in words(q)}))
            taken = [q for q in fitting if q in ranked[:QUESTIONS_PER_TEMPLATE]]
            questions += taken
            if taken:
                self.citations.cite(result)
        return questions

    def next_steps(self) -> list[str]:
        hard = [quoted(r.name) for r in self.readings if r.hard and not r.synthetic]
        steps = [
            f"Write a decision-journal entry today: what you expect {quoted(self.leading.name)} to bring by "
            f"{self.check_in.isoformat()}, and how sure you are of it, as a percentage."
        ]
        if self.person.young:
            costs = "time, pay and your training place" if self.person.reading.apprentice else "time, money and a year"
        else:
            costs = "money, time and reputation"
        if hard:
            steps.append(f"Price undoing {join_words(hard)} in {costs}, and mark the one-way parts.")
        elif all(r.level == "reversible" for r in self.readings if r.kind is not None):
            steps.append(
                "Most of this can be undone: agree to decide within days rather than weeks, and adjust as you learn."
            )
        else:
            steps.append(f"Price undoing each option in {costs}, and mark the one-way parts.")
        steps.append(
            f"Run the pre-mortem on {quoted(self.leading.name)} and pick the two likeliest causes to guard against."
        )
        check_in = self.check_in.isoformat()
        steps.append(
            f"Start the experiment this week and review it on {check_in}"
            + (f", {self.check_in_why}." if self.check_in_why else ".")
        )
        deadline = self.decision.deadline
        if deadline is not None and deadline > self.context.reference_date:
            steps.append(f"Decide by {deadline.isoformat()}; the check-in on {check_in} is the review before it.")
        if self.person.distress >= 2:
            steps.append(
                "Do not make the one-way part of this decision on your worst week: sleep on it, and make the "
                "final call with someone who knows the numbers."
            )
        steps.append(f"Tell {self.writer.people(self.leading)} what you are weighing before you decide, not after.")
        return steps

    def experience(self) -> list[SearchResult]:
        """Shared experience notes, this mentor's first, one per source."""
        notes: list[SearchResult] = []
        for result in self.retrieved.get("mentor_notes"):
            if result.visibility == "shared" and all(result.source != n.source for n in notes):
                notes.append(result)
        return notes[:MAX_EXPERIENCE]

    def compose(self) -> DecisionFramework:
        context = self.context
        reversibility = assess_reversibility(self.decision, list(self.decision.options), self.person)
        self.guide(REVERSIBILITY_GUIDE, "How to run it", "What it is")
        self.cite_template("reversibility")
        for guide in [r for r in self.retrieved.get("frameworks") if r.item is None][:1]:
            self.citations.cite(guide)
        options = [self.option(reading) for reading in self.readings]
        premortem, premortem_cited = self.premortem()
        ten, ten_cited = self.ten_ten_ten()
        experiment, experiment_cited = self.experiment()
        questions = self.questions()
        experience = self.citations.cite(*self.experience())
        notes = ["Reversibility is read from each option's wording; check it against the real costs of undoing it."]
        if not self.decision.options:
            notes.append("No options were given, so the framework compares 'go ahead' with 'wait'.")
        unknown = [quoted(r.name) for r in self.readings if r.kind is None and not r.synthetic]
        if unknown:
            notes.append(
                f"The wording of {join_words(unknown)} does not say what kind of move it is, so its lines are "
                "questions to ask rather than claims."
            )
        if self.person.young:
            notes.append(
                "Written for a young person in training: the lines talk about training places, school and "
                "parents or guardians."
                if self.person.reading.apprentice
                else "Written for a school student: the lines talk about courses, school and parents or guardians."
            )
        deadline = self.decision.deadline
        if deadline is not None and deadline <= context.reference_date:
            notes.append(f"The deadline {deadline.isoformat()} has passed; the check-in is set two weeks out instead.")
        mentor = first_name(context.mentor.name)
        if mentor and not any(n.author in self.retrieved.mentor_authors for n in self.experience()):
            notes.append(f"No shareable experience notes by {mentor} matched this decision.")
        framework = DecisionFramework(
            decision=self.decision.statement,
            reversibility=reversibility,
            criteria=self.criteria(),
            options=options,
            premortem=premortem,
            questions_for_mentor=questions,
            experiment=experiment,
            next_steps=self.next_steps(),
            check_in_date=self.check_in,
            relevant_experience=experience,
            ten_ten_ten=ten,
            premortem_citations=premortem_cited,
            ten_ten_ten_citations=ten_cited,
            experiment_citations=experiment_cited,
            citations=self.citations.all,
            generator=generator_info(COMPOSER_VERSION, context, TEMPLATED, notes),
        )
        return scrub_placeholders(framework)


_GENERIC_WORDS = frozenset(
    {"take", "make", "work", "time", "months", "month", "week", "weeks", "year", "years", "first", "more", "less",
     "some", "just", "still", "want", "wants", "would", "could", "should", "them", "people", "person", "existing",
     "ask", "also", "into", "over", "after", "before", "until", "then", "well", "good", "next", "each", "every"}
)  # fmt: skip


_NEGATION = re.compile(
    r"\b(?:no|not|never|without|cannot|can't|won't|isn't|doesn't|kein\w*|nicht|ohne|sin|ningun[oa]?)\b", re.I
)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


_GENERIC_STEMS = frozenset(
    _stem(w) for w in _GENERIC_WORDS | {"within", "from", "about", "with", "your", "this", "that"}
)


def compose(context: MentoringContext, retrieved: Retrieved) -> DecisionFramework:
    """A framework for the mentee's decision, written per option and grounded in the decision-templates bank
    and the framework guides."""
    return _Composer(context, retrieved).compose()
