"""Goal plan: each of the mentee's goals made SMART from its own words, with milestones dated back from
its deadline, and a meeting schedule that follows the cadence the notes agreed and stops where the
mentorship ends.

A goal is read as a verb, an object and a deadline ("write | the PRD for the onboarding revamp | end of
Q1"). The verb says what kind of goal it is (write, ship, hire, raise, give a talk, pass an exam, a
habit, a number of things to do, a role to reach, a number to hit, a skill to learn, a decision), and
the milestones are that kind's checkpoints filled with the goal's object: never another goal's worked
example. A bank example of the same kind may still illustrate the SMART lines.

A date phrase is the goal's deadline only after a deadline word (by, before, until, due, within, bis,
vor, para, antes de, hasta), when it names an end ("end of Q1", "Ende Q1", "finales de marzo"), or when
it closes the goal ("give a talk in March"). "late 3 times in November" is no deadline.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

from companion.generation.base import Retrieved
from companion.generation.notes import MONTH_NAMES_RE, NotesFacts, detect_language, find_dates, month_number
from companion.generation.tasks.common import (
    Citations,
    KnowledgeMissing,
    MissingInput,
    bank_items,
    best_match,
    context_stage,
    first_name,
    generator_info,
    infer_persona,
    is_english,
    looks_english,
    looks_like_instruction,
    names_someone,
    notes_facts,
    persona_label,
    quoted,
    scrub_placeholders,
    sentence,
    short_quote,
    slot_values,
    wellbeing_challenges,
    without_placeholders,
    words,
)
from companion.generation.tasks.dates import (
    WEEKDAYS,
    add_months,
    days_to_weekday,
    end_of_month,
    plausible,
    shift,
)
from companion.retrieval.retriever import SearchResult
from companion.schemas import Cadence, GoalPlan, MentoringContext, Milestone, SmartGoal

COMPOSER_VERSION = "offline-goals-6"
DEFAULT_HORIZON_DAYS = 91
WEEKLY_UNTIL_DAYS = 42
MONTHLY_FROM_DAYS = 270
MAX_SESSIONS = 26
SCAFFOLD_WINDOW = 10
"""How many of the best-ranked examples compete on shared words with the goal."""
DEFAULT_MEETING_DAY = 1  # Tuesday
NOTES_CADENCE_DAYS = {"weekly": 7, "every two weeks": 14}
FREQUENCY_LABELS = {7: "every week", 14: "every 2 weeks", 28: "every 4 weeks"}

TEMPLATED = [
    "Each goal is read as a verb, an object and a deadline; the verb names its kind (write, ship, hire, raise, "
    "talk, exam, habit, a number of things to do, a role, a number to reach, a skill, a decision), and the SMART "
    "lines and milestones are fixed sentences for that kind, filled with the goal's own object and dated back from "
    "its deadline. A worked example from the smart-goals bank is added only when it is a goal of the same kind.",
    "A date phrase is a deadline only after a deadline word (by, before, until, due, within, bis, para, antes de), "
    "when it names an end ('end of Q1', 'Ende Q1'), or when it closes the goal; a goal without one gets three months.",
    "The schedule follows the cadence and next meeting the notes agree; without them it is a fixed rule (weekly "
    "when a deadline is within six weeks, every four weeks beyond nine months, otherwise every two weeks). It stops "
    "at the mentorship's end: the planned number of sessions, an end date in the notes, or the closing session.",
]


# --------------------------------------------------------------------------------------
# Deadlines
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Deadline:
    date: dt.date
    phrase: str
    start: int
    end: int


_MONTH_WORD = MONTH_NAMES_RE
_UNTIL = re.compile(
    rf"\b(?:until|till|til|through|hasta|bis)\s+(?:the\s+)?(?:end\s+of\s+|ende\s+|finales\s+de\s+|fin\s+de\s+)?"
    rf"(?P<month>{_MONTH_WORD})\.?(?:\s+(?P<year>\d{{4}}))?\b",
    re.I,
)
_YEAR_END = re.compile(
    r"\b(?:by\s+|until\s+|before\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?year\b|\bthis\s+year\b", re.I
)
_SEASON = re.compile(
    r"\b(?P<lead>by|before|until|till|antes\s+del?|para\s+el|vor\s+dem|bis\s+zum|in|im|en\s+el|this|next|este|diesen)?"
    r"\s*(?:the\s+)?(?P<season>summer|verano|sommer|spring|primavera|fr(?:ü|ue)hling|autumn|fall|oto(?:ñ|n)o|herbst|"
    r"winter|invierno)\b(?:\s+(?:of\s+|de\s+)?(?P<year>\d{4}))?",
    re.I,
)
_SEASON_MONTHS = {
    "spring": (3, 20, 5), "primavera": (3, 20, 5), "frühling": (3, 20, 5), "fruehling": (3, 20, 5),
    "summer": (6, 21, 8), "verano": (6, 21, 8), "sommer": (6, 21, 8),
    "autumn": (9, 22, 11), "fall": (9, 22, 11), "otoño": (9, 22, 11), "otono": (9, 22, 11), "herbst": (9, 22, 11),
    "winter": (12, 21, 2), "invierno": (12, 21, 2),
}  # fmt: skip
"""(start month, start day, last month) of each season, northern hemisphere."""


def _season_deadline(match: re.Match[str], reference: dt.date) -> dt.date | None:
    """'before summer' is the day summer starts; 'in summer', 'this summer' its last day; the next one after
    `reference` unless a year is named."""
    start_month, start_day, last_month = _SEASON_MONTHS[match.group("season").lower()]
    before = bool(re.match(r"(?i)by|before|until|till|antes|para|vor|bis", match.group("lead") or ""))
    if not (match.group("lead") or match.group("year")):
        return None  # 'fall behind', 'Sommer' as a name: a season is a deadline after a deadline word only
    years = (
        [int(match.group("year"))] if match.group("year") else [reference.year - 1, reference.year, reference.year + 1]
    )
    for year in years:
        if before:
            date = dt.date(year, start_month, start_day)
        else:
            end_year = year + 1 if last_month < start_month else year
            date = _month_end(last_month, str(end_year), reference)
        if date >= reference:
            return date if plausible(date, reference) else None
    return None


_CLOSING_DATE = re.compile(
    rf"\b(?:in|im|en|during)\s+(?:(?P<quarter>q[1-4])|(?P<month>{_MONTH_WORD}))\.?(?:\s+(?P<year>\d{{4}}))?\s*[.!]?\s*$",
    re.I,
)
_WITHIN_YEARS = re.compile(
    r"\b(?:within|in)\s+(?:the\s+next\s+)?(?P<n>\d{1,3}|a|an|one|two|three|four|five)\s+years?\b", re.I
)
_IN_YEAR = re.compile(r"\b(?:in|by|during|im\s+jahr|en)\s+(?P<year>20\d\d)\s*[.!]?\s*$", re.I)
_COUNTED_BEFORE = re.compile(r"(?:\d|\btimes?|\btwice|\bonce|\bx)\s*$", re.I)
_END_WORDS = re.compile(
    r"^(?:by\s+|bis\s+|para\s+|before\s+)?(?:the\s+)?(?:end\s+of|ende|finales\s+de|fin\s+de)\b", re.I
)


def _inside_aside(text: str, start: int) -> bool:
    """Whether position `start` lies inside parentheses or after a dash aside ('... (late 3 times in Nov)')."""
    before = text[:start]
    return before.count("(") > before.count(")") or bool(re.search(r"\s[-–—]\s[^-–—]*$", before))


def _resolved(date: dt.date | None, reference: dt.date) -> dt.date | None:
    return date if date is not None and plausible(date, reference) else None


def _month_end(month: int, year: str | None, reference: dt.date) -> dt.date:
    if year:
        return end_of_month(int(year), month)
    deadline = end_of_month(reference.year, month)
    return deadline if deadline >= reference else end_of_month(reference.year + 1, month)


def _month(word: str) -> int:
    number = month_number(word)
    if number is None:  # MONTH_NAMES_RE and month_number read the same table
        raise ValueError(f"not a month: {word!r}")
    return number


def read_deadline(goal: str, reference: dt.date, language: str = "en") -> Deadline | None:
    """The goal's deadline, or None. A phrase counts after a deadline word, when it names an end, or when it
    closes the goal; never inside an aside or after a count ('late 3 times in November')."""
    try:
        return _read_deadline(goal, reference, language)
    except (OverflowError, ValueError):  # a date past what `datetime.date` can hold
        return None


def _read_deadline(goal: str, reference: dt.date, language: str) -> Deadline | None:
    lang = detect_language(goal, language[:2].lower())
    for hit in sorted(find_dates(goal, lang), key=lambda h: (-h.priority, h.start)):
        if _inside_aside(goal, hit.start) or _COUNTED_BEFORE.search(goal[: hit.start]):
            continue
        at_end = not goal[hit.end :].strip(" .!)")
        if hit.priority >= 2 or _END_WORDS.match(hit.text) or (hit.priority >= 0 and at_end):
            date = _resolved(hit.resolve(reference, None), reference)
            if date is not None:
                return Deadline(date, hit.text, hit.start, hit.end)
    if (match := _UNTIL.search(goal)) and not _inside_aside(goal, match.start()):
        date = _month_end(_month(match.group("month")), match.group("year"), reference)
        return Deadline(date, match.group(0), match.start(), match.end()) if plausible(date, reference) else None
    if (match := _WITHIN_YEARS.search(goal)) and not _inside_aside(goal, match.start()):
        word = match.group("n").lower()
        years = int(word) if word.isdigit() else _NUMBER_WORDS.get(word, 1)
        if years <= 100:
            date = add_months(reference, 12 * years)
            return Deadline(date, match.group(0), match.start(), match.end()) if plausible(date, reference) else None
    if (match := _YEAR_END.search(goal)) and not _inside_aside(goal, match.start()):
        return Deadline(dt.date(reference.year, 12, 31), match.group(0), match.start(), match.end())
    if (match := _SEASON.search(goal)) and not _inside_aside(goal, match.start()):
        season_date = _season_deadline(match, reference)
        if season_date is not None:
            return Deadline(season_date, match.group(0).strip(), match.start(), match.end())
    match_year = _IN_YEAR.search(goal)
    if match_year and not _inside_aside(goal, match_year.start()):
        date = dt.date(int(match_year.group("year")), 12, 31)
        if plausible(date, reference) and date >= reference:
            return Deadline(date, match_year.group(0).strip(" .!"), match_year.start(), match_year.end())
    match = _CLOSING_DATE.search(goal)
    if match and not _inside_aside(goal, match.start()) and not _COUNTED_BEFORE.search(goal[: match.start()]):
        year = match.group("year")
        if match.group("quarter"):
            quarter = int(match.group("quarter")[1])
            date = _month_end(quarter * 3, year, reference)
        else:
            date = _month_end(_month(match.group("month")), year, reference)
        if plausible(date, reference):
            return Deadline(date, match.group(0).strip(" .!"), match.start(), match.end())
    return None


# --------------------------------------------------------------------------------------
# Reading a goal: kind, verb, object
# --------------------------------------------------------------------------------------
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50,
    "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "zehn": 10, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5,
}  # fmt: skip
_COUNT = r"(?P<count>\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|fifty|zwei|drei|vier|fünf|sechs|zehn|dos|tres|cuatro|cinco)"

KINDS: tuple[tuple[str, str], ...] = (
    (
        "raise",
        r"\b(?:rais\w*|clos\w*|secur\w*)\b.*\b(?:round|funding|seed|money|capital|investment|series [a-d])\b|\bfundrais\w*|finanzierung|ronda de",
    ),
    (
        "hire",
        r"\b(?:hir(?:e|ing)|recruit\w*|fill\w* (?:\w+ ){0,3}(?:roles?|positions?|vacanc\w*)|(?:build|grow)\w* (?:out )?(?:the |a |my |our )?(?:\w+ )?team"
        r"|team (?:to|of|auf|a) \d+|einstell\w*|aufbauen|contratar)\b",
    ),
    (
        "write",
        r"\b(?:writ(?:e|ing)|draft\w*|publish\w*|submit\w*|finish\w*|complet\w*|schreib\w*|verfass\w*|escribir|redactar)\b"
        r".*\b(?:prd|specs?|specification|document|doc|proposal|plan|thesis|dissertation|paper|article|post|book|chapter|report|"
        r"case|strategy|cv|resume|portfolio|essay|application|arbeit|konzept|tesis|informe)\b|^(?:write|draft)\b",
    ),
    (
        "talk",
        r"\b(?:give|giv\w+|deliver\w*|present\w*|speak\w*|hold)\b.*\b(?:talk|presentation|keynote|pitch|speech|lecture|vortrag)\b|vortrag halten|dar una charla",
    ),
    (
        "assessed",  # a period someone signs off, not a paper: 'pass the second induction year', 'pass probation'
        r"\b(?:pass\w*|complete|finish|get through|survive|bestehen|aprobar|superar)\b.*\b(?:induction|probation\w*|"
        r"apprenticeship|traineeship|residency|preceptorship|training year|qualifying year|ect year|nqt year|"
        r"probezeit|ausbildung|referendariat|periodo de prueba)\b",
    ),
    (
        "exam",
        r"\b(?:pass\w*|sit|take|bestehen|aprobar)\b.*\b(?:exam|examen|test|certification|certificate|assessment|prüfung|pruefung)\b|\bget certified\b|prüfung bestehen"
        r"|pr(?:ü|ue)fung\w*\b.{0,40}\bbestehen\b|\bexamen\b.{0,40}\baprobar\b",
    ),
    (
        "habit",
        r"\bon time\b|\bevery (?:day|shift|week|morning|evening|session|lesson)\b|\bdaily\b|\beach (?:day|week|shift)\b|\bhabit\b"
        r"|\broutine\b|\bpunctual\w*|\bpünktlich|\bstop (?:being|doing|working)\b|\bno (?:more )?(?:late|missed)\b|\bjeden tag\b|\btodos los d[ií]as\b|\bpuntual",
    ),
    (
        "count",
        rf"\b(?:shadow|interview|meet|talk to|speak to|call|visit|attend|run|hold|do|complete)\b\s+(?:with\s+)?{_COUNT}\s+(?!weeks?\b|months?\b|days?\b|years?\b)\w+",
    ),
    (
        "role",
        r"\b(?:lead|become|becoming|get promoted|promoted|promotion|mov(?:e|ing) (?:\w+ ){0,4}into|land|transition\w* (?:in)?to|step into|werden|conseguir un puesto)\b"
        r"|\bget (?:a|the|my) (?:\w+ ){0,3}(?:job|role|position)\b",
    ),
    (
        "ship",
        r"\b(?:ship|launch|release|deploy|go live|starten|launchen|veröffentlichen|lanzar)\w*\b"
        r"|\bbuild\w* (?:\w+ ){0,3}(?:mvp|app|apps|product|prototype|feature|website|site|tool|platform|v\d|version|service)\b",
    ),
    (
        "metric",
        r"\b(?:reach|hit|grow|increase|reduce|cut|lower|get to \d|double|halve|break[- ]even|revenue|mrr|arr|erreichen|alcanzar)\b",
    ),
    (
        "learn",
        r"\b(?:learn\w*|get (?:better|comfortable|good|confident) (?:at|with|in|leading)|improv\w*|practi[cs]\w*|master\w*|become fluent|lernen|verbessern|aprender|mejorar)\b",
    ),
    ("decide", r"\b(?:decid\w*|choose|choos\w*|figure out|work out|make a decision|entscheid\w*|decidir)\b"),
)
_PAST = {
    "shadow": "shadowed", "interview": "interviewed", "meet": "met", "call": "called", "visit": "visited",
    "attend": "attended", "run": "run", "hold": "held", "do": "done", "complete": "completed",
    "talk to": "spoken to", "speak to": "spoken to", "write": "written", "draft": "drafted", "submit": "submitted",
    "publish": "published", "finish": "finished", "ship": "shipped", "launch": "launched", "release": "released",
    "deploy": "deployed", "build": "built", "go live": "live",
}  # fmt: skip
_ARTICLE = re.compile(r"^(?:a|an|the|my|our|your|one)\s+", re.I)
_LEAD_IN = re.compile(
    r"^(?:i\s+want\s+to|i\s+will|i'll|to|want\s+to|be\s+able\s+to|try\s+to|ich\s+will|quiero)\s+", re.I
)


@dataclass(frozen=True)
class GoalReading:
    text: str
    core: str
    """The goal without its deadline phrase ('write the PRD for the onboarding revamp')."""
    kind: str
    verb: str
    obj: str
    """What the verb acts on ('the PRD for the onboarding revamp'); the core when it could not be parsed."""
    count: int | None
    noun: str | None
    """What is counted ('product managers', 'Leute')."""
    deadline: Deadline | None
    english: bool
    aside: str | None
    """Words in parentheses or after a dash ('late 3 times in November'): a baseline, not a deadline."""


def goal_kind(text: str) -> str:
    """The kind whose words come first in the goal ('write down the values and use them in hiring' is a
    writing goal); on a tie, the first in KINDS."""
    lowered = text.lower()
    found = []
    for order, (kind, pattern) in enumerate(KINDS):
        match = re.search(pattern, lowered, re.I)
        if match:
            found.append((match.start(), order, kind))
    return min(found)[2] if found else "generic"


def read_goal(goal: str, reference: dt.date, language: str = "en") -> GoalReading:
    deadline = read_deadline(goal, reference, language)
    core = goal
    if deadline is not None:
        before = goal[: deadline.start]
        before = re.sub(
            # Spanish 'a' ('a finales de mayo') in lower case only: 'Series A in 2027' keeps its 'A'
            r"(?i)\b(?:by|before|until|till|due|within|in|bis|vor|para|antes\s+de|hasta|zum|(?-i:a))\s*$",
            "",
            before,
        )
        core = f"{before} {goal[deadline.end :]}"
    else:
        for hit in find_dates(goal, detect_language(goal, language[:2].lower())):
            if hit.priority >= 2 and not _inside_aside(goal, hit.start):  # a deadline too far away to be one
                core = (
                    re.sub(r"(?i)\b(?:by|before|until|due|bis|para|antes\s+de)\s*$", "", goal[: hit.start])
                    + goal[hit.end :]
                )
                break
    aside_match = re.search(r"\(([^)]*)\)|\s[-–—]\s(.+)$", core)
    aside = None
    if aside_match:
        aside = (aside_match.group(1) or aside_match.group(2) or "").strip() or None
        core = core[: aside_match.start()] + core[aside_match.end() :]
    core = " ".join(core.split()).strip(" ,;:.-–—")
    core = _LEAD_IN.sub("", core) or goal.strip()
    english = looks_english(core)
    kind = goal_kind(core)
    verb, obj = _verb_object(core, english)
    count, noun = _count(core, kind)
    return GoalReading(goal, core, kind, verb, obj, count, noun, deadline, english, aside)


def _verb_object(core: str, english: bool) -> tuple[str, str]:
    words_ = core.split()
    if not english or len(words_) < 2:
        return "", core
    verb = words_[0].lower()
    if verb in ("get", "be", "go", "talk", "speak", "move", "step") and len(words_) > 2:
        two = f"{verb} {words_[1].lower()}"
        if two == "get promoted":
            rest = words_[2:]
            if rest and rest[0].lower() in ("to", "as"):
                rest = rest[1:]
            return two, " ".join(rest)
        if two in ("talk to", "speak to", "go live", "move into", "step into", "get better", "get comfortable"):
            rest = words_[2:]
            if two.startswith("get") and rest and rest[0].lower() in ("at", "with", "in"):
                rest = rest[1:]
            return two, " ".join(rest)
    return verb, " ".join(words_[1:])


def _count(core: str, kind: str) -> tuple[int | None, str | None]:
    match = re.search(
        rf"\b{_COUNT}\s+(?P<noun>(?!weeks?\b|months?\b|days?\b|years?\b|times?\b)[\w-]+(?:\s+(?!by\b|in\b|for\b|at\b|to\b)[\w-]+)?)",
        core,
        re.I,
    )
    if match is None:
        return None, None
    word = match.group("count").lower()
    number = int(word) if word.isdigit() else _NUMBER_WORDS.get(word)
    noun = match.group("noun")
    if kind == "count":
        noun = re.split(r"\s+(?:in|at|for|by|from|with|during)\b", noun)[0]
    return number, noun


def _the(phrase: str) -> str:
    """'a seed round' -> 'the seed round'; 'my first talk' -> 'the first talk'; 'v1' stays."""
    if _ARTICLE.match(phrase):
        return _ARTICLE.sub("the ", phrase, count=1)
    return phrase


def _bare(phrase: str) -> str:
    return _ARTICLE.sub("", phrase, count=1)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _singular(noun: str) -> str:
    head, _, tail = noun.rpartition(" ")
    last = tail or head
    single = last[:-1] if last.endswith("s") and not last.endswith("ss") else last
    return f"{head} {single}".strip() if tail else single


def _number_word(n: int) -> str:
    words_ = {
        1: "one",
        2: "two",
        3: "three",
        4: "four",
        5: "five",
        6: "six",
        7: "seven",
        8: "eight",
        9: "nine",
        10: "ten",
    }
    return words_.get(n, str(n))


# --------------------------------------------------------------------------------------
# Milestones and SMART lines per kind of goal
# --------------------------------------------------------------------------------------
Step = tuple[str, float]
"""A milestone's text and where it falls between today (0) and the deadline (1)."""


def goal_steps(g: GoalReading) -> list[Step]:
    """The goal's own checkpoints: its kind's steps filled with its object."""
    obj = g.obj if g.english else quoted(g.core)
    the = _the(obj) if g.english else obj
    core = sentence(g.core)[:-1] if g.english else quoted(g.core)
    verb_past = _PAST.get(g.verb, "done")
    if g.english and (not g.verb or not g.obj.strip()):
        return _generic_steps(g, core)
    if g.kind == "write":
        final = f"Final {_bare(obj)} {'submitted' if g.verb == 'submit' else 'shared with its reviewers'}"
        return [
            (f"Outline of {the} agreed with the people who will review it", 0.3),
            (f"First full draft of {the} reviewed and the comments collected", 0.7),
            (final if g.english else f"{core}: final version shared", 1.0),
        ]
    if g.kind == "ship":
        return [
            (f"Scope of {the} written down: what is in the first version and what is not", 0.25),
            (f"A working version of {the} in front of its first users", 0.7),
            (
                f"{_cap(the)} {verb_past if verb_past != 'done' else 'live'} and in use"
                if g.english
                else f"{core}: done",
                1.0,
            ),
        ]
    if g.kind == "hire":
        if g.count and g.count > 1:
            people = g.noun if g.noun and g.english else "people"
            final = (
                f"Team at {g.count} {people}: the last offer accepted"
                if re.search(r"\bteam\b", g.core, re.I)
                else f"{g.count} {people} in post: the last offer accepted"
            )
            return [
                (f"Roles needed to reach {g.count} {people} written down and the first job posts out", 0.25),
                ("Interviews under way for every open role, with a shortlist agreed", 0.6),
                (final, 1.0),
            ]
        role = _the(_bare_hire(obj)) if g.english else obj
        return [
            (f"Role profile for {role} written and the job post out", 0.2),
            (f"First interviews held and a shortlist for {role} agreed", 0.6),
            (f"Offer to {role} accepted, with a start date", 1.0),
        ]
    if g.kind == "raise":
        return [
            (f"Materials for {the} ready: deck, numbers and a target list of investors", 0.2),
            ("First investor meetings held and the feedback written down", 0.5),
            (f"Lead investor committed to {the}", 0.8),
            (f"{_cap(the)} closed: the money is in the bank", 1.0),
        ]
    if g.kind == "talk":
        return [
            (f"Topic and outline for {the} agreed (and the abstract submitted, if there is a call)", 0.3),
            (f"Full rehearsal of {the} in front of a friendly audience, with feedback", 0.75),
            (f"{_cap(the)} given", 1.0),
        ]
    if g.kind == "assessed":
        return [
            (f"Standards for {the} listed, with your evidence against each and the thinnest named", 0.25),
            ("Evidence for the thinnest standards gathered and seen at a progress review", 0.65),
            (f"{_cap(the)} signed off at the final assessment", 1.0),
        ]
    if g.kind == "exam":
        return [
            (f"Revision plan for {the} set, with the weakest topics listed", 0.2),
            (f"A practice paper for {the} done under exam conditions and marked", 0.7),
            (f"{_cap(the)} passed", 1.0),
        ]
    if g.kind == "habit":
        baseline = f" ({g.aside})" if g.aside else ""
        return [
            (f"Starting point written down{baseline}, with the reason for each miss named", 0.15),
            (f"Two weeks in a row without a miss: {g.core}", 0.5),
            (f"{core} for four weeks running", 1.0),
        ]
    if g.kind == "count" and g.count:
        noun = g.noun or "of them"
        single = _singular(noun)
        n = g.count
        with_people = g.verb in ("shadow", "interview", "meet", "call", "visit", "talk to", "speak to")
        first: Step = (
            (f"{_cap(_number_word(n))} {noun} asked and dates booked", 0.25)
            if with_people
            else (f"Dates for all {n} {noun} picked and in the calendar", 0.25)
        )
        steps: list[Step] = [first]
        if n > 2:
            steps.append((f"{math.ceil(n / 2)} of {n} {verb_past} and notes written", 0.6))
        else:
            steps.append((f"First {single} {verb_past} and notes written", 0.6))
        every = "Both" if n == 2 else f"All {n}"
        steps.append((f"{every} {noun} {verb_past}, and what you learned written up", 1.0))
        return steps
    if g.kind == "role":
        role = g.obj if g.english else quoted(g.core)
        target = {
            "lead": f"leading {role}",
            "become": f"becoming {role}",
            "get promoted": f"a promotion to {role}" if role else "the promotion",
            "move into": f"a move into {role}",
            "step into": f"stepping into {role}",
        }.get(g.verb, role)
        return [
            (f"What {target} requires written down, with your gaps against it", 0.25),
            ("Evidence for the biggest gap: one piece of work that shows it, seen by the person who decides", 0.6),
            (f"Conversation about {target} held with the person who decides", 0.85),
            (f"{core}: agreed, with a start date", 1.0),
        ]
    if g.kind == "metric":
        return [
            (f"Today's number measured and the target for {quoted(g.core)} written down", 0.2),
            ("Halfway to the target, or the plan changed", 0.6),
            (f"{core}: reached", 1.0),
        ]
    if g.kind == "learn":
        skill = g.obj if g.english else quoted(g.core)
        return [
            (f"Starting level in {skill} written down, with one way to practise each week", 0.2),
            (f"First real use of {skill} at work, with feedback from someone who saw it", 0.6),
            (f"{core}: shown in a real setting, and the feedback says so", 1.0),
        ]
    if g.kind == "decide":
        topic = g.obj if g.english else quoted(g.core)
        between = re.match(r"(?i)between\s+(.+?)\s+and\s+(.+)$", topic) if g.english else None
        options = f"The options ({between.group(1)} or {between.group(2)})" if between else f"Options for {topic}"
        return [
            (f"{options} and what matters in choosing written down", 0.25),
            ("Evidence gathered for each option: conversations, a small test", 0.65),
            ("Decision made and told to the people it affects", 1.0),
        ]
    return _generic_steps(g, core)


def _generic_steps(g: GoalReading, core: str) -> list[Step]:
    return [
        (f"What done looks like for {quoted(g.core)} written down and agreed with your mentor", 0.25),
        (f"First concrete step towards {quoted(g.core)} taken and reviewed at a session", 0.6),
        (f"{core}: done", 1.0),
    ]


def _bare_hire(obj: str) -> str:
    """'a first engineer' stays; 'two engineers for the platform team' -> as written."""
    return obj


def done_means(g: GoalReading) -> str:
    """What 'done' means for a goal of this kind, in one sentence."""
    the = _the(g.obj) if g.english else "it"
    if g.kind == "write":
        return f"Done means {the} exists as a shared document, reviewed by the people who must sign it off."
    if g.kind == "ship":
        return f"Done means {the} is in the hands of its first users, not only built."
    if g.kind == "hire":
        if g.count and g.count > 1:
            return f"Done means {g.count} people in post, each with an accepted offer and a start date."
        return f"Done means {the} has accepted an offer and has a start date."
    if g.kind == "raise":
        return f"Done means {the} is closed: committed in writing and the money in the bank."
    if g.kind == "talk":
        return f"Done means {the} has been given to a real audience."
    if g.kind == "assessed":
        return f"Done means {the} is signed off at its final assessment, against the standards it is judged on."
    if g.kind == "exam":
        return f"Done means {the} is passed."
    if g.kind == "habit":
        return "Done means four weeks in a row without a miss."
    if g.kind == "count" and g.count:
        every = "both" if g.count == 2 else f"all {g.count}"
        return f"Done means {every} {g.noun or ''} {_PAST.get(g.verb, 'done')}, with what you learned written down."
    if g.kind == "role":
        return "Done means the role is formally yours: title, scope and start date agreed."
    if g.kind == "metric":
        return "Done means the number is reached and has held for a month."
    if g.kind == "learn":
        return "Done means you can show it in a real setting, and someone who saw it says so."
    if g.kind == "decide":
        return "Done means a decision made and told to the people it affects, with a date to look back at it."
    return "Describe it so that a stranger could tell when it is done."


def measure(g: GoalReading) -> str:
    if g.kind == "write":
        return "Three checkpoints anyone can see: outline agreed, draft reviewed, final shared."
    if g.kind == "hire":
        target = g.count if g.count and g.count > 1 else 1
        return f"People with an accepted offer, against the target of {target}; the pipeline (applicants, interviews, offers) at every session."
    if g.kind == "raise":
        return "Money committed in writing against the target, tracked in an investor pipeline."
    if g.kind == "habit":
        baseline = f" (starting point: {quoted(g.aside)})" if g.aside else ""
        return f"The misses per week, counted at every session{baseline}."
    if g.kind == "count" and g.count:
        return f"How many of the {_number_word(g.count)} are done, checked at every session."
    if g.kind == "assessed":
        return "The standards met with evidence, counted at every session, and what each progress review says."
    if g.kind == "exam":
        return "A marked practice paper before the exam, then the result."
    if g.kind == "talk":
        return "Outline, rehearsal, talk: three checkpoints, and the feedback from the rehearsal."
    if g.kind == "metric":
        return "The number itself, measured the same way at every session."
    return "Pick one number or one thing you can show, and check it at every session."


# --------------------------------------------------------------------------------------
# Worked examples of the same kind
# --------------------------------------------------------------------------------------
def _stem(word: str) -> str:
    """Crude stemming so 'hire', 'hiring' and 'hired' (or 'promoted' and 'promotion') meet."""
    for suffix in ("ing", "ion", "ed", "es", "s"):
        if len(word) > 4 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


OBJECT_SENSITIVE = frozenset({"write", "ship", "role", "learn", "metric", "habit", "count", "decide"})
"""Kinds whose examples differ by what is written, shipped or learned; the others (hire, raise, talk, exam)
are alike whatever the object."""


def _without_verb(goal: str) -> str:
    return goal.split(" ", 1)[1] if " " in goal else goal


def _shared(goal: str, text: str) -> int:
    return len({_stem(w) for w in words(goal)} & {_stem(w) for w in words(text)})


def pick_example(
    reading: GoalReading, ranked: list[tuple[SearchResult, dict[str, Any]]], persona: str | None
) -> tuple[SearchResult, dict[str, Any]] | None:
    """A well-ranked bank example of the same kind of goal: most words shared, then the persona, then rank;
    None when no example is of the same kind (another kind's example would mislead)."""
    window = [pair for pair in ranked[: SCAFFOLD_WINDOW * 4] if goal_kind(str(pair[1].get("goal", ""))) == reading.kind]
    if reading.kind in OBJECT_SENSITIVE:
        # A writing goal's example is only useful about the same kind of document: the object must meet.
        window = [pair for pair in window if _shared(reading.obj, _without_verb(str(pair[1].get("goal", "")))) > 0]
    if not window or reading.kind == "generic":
        return None
    return max(
        window,
        key=lambda pair: (
            _shared(reading.core, str(pair[1].get("goal", ""))),
            pair[1].get("persona") == persona,
            _shared(reading.core, str(pair[1].get("specific", ""))),
            -window.index(pair),
        ),
    )


# --------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------
def _milestones(steps: list[str], start: dt.date, deadline: dt.date) -> list[Milestone]:
    """Steps spaced evenly from `start` to `deadline`."""
    return _dated([(step, (i + 1) / len(steps)) for i, step in enumerate(steps)], start, deadline)


def _dated(steps: list[Step], start: dt.date, deadline: dt.date) -> list[Milestone]:
    """Each step at its place between `start` and the deadline, the last on the deadline itself; a due date
    past date.max (a start on its last days) is left out rather than overflowing."""
    span = max((deadline - start).days, len(steps))
    milestones: list[Milestone] = []
    previous = 0
    for text, fraction in steps:
        days = max(previous + 1, round(span * fraction))
        previous = days
        milestones.append(Milestone(text=text, due=shift(start, days)))
    return milestones


def _meeting_day(context: MentoringContext) -> int:
    for day in (context.session.date, context.reference_date):
        if day is not None and day.weekday() < 5:
            return day.weekday()
    return DEFAULT_MEETING_DAY


def _monthly(first: dt.date, until: dt.date, limit: int) -> list[dt.date]:
    """The same weekday of the same week of every month ('the second Tuesday'), from `first`."""
    nth = (first.day - 1) // 7
    sessions: list[dt.date] = []
    month = first.replace(day=1)
    while len(sessions) < limit:
        try:
            day = month + dt.timedelta(days=(first.weekday() - month.weekday()) % 7 + 7 * nth)
            if day.month != month.month:  # no fifth such weekday this month: the last one
                day -= dt.timedelta(days=7)
            month = add_months(month, 1)
        except (OverflowError, ValueError):
            break
        if day > until:
            break
        if day >= first:
            sessions.append(day)
    return sessions


_END_LINE = re.compile(
    r"\b(?:programme|program|mentorship|mentoring|partnership|programm|mentoring-?programm|programa|mentor[ií]a)\b",
    re.I,
)
_END_VERB = re.compile(
    r"\b(?:ends?|ending|finish\w*|runs?|until|till|closes?|over|endet|l[aä]uft|bis|termina|acaba|hasta)\b", re.I
)


def mentorship_end(context: MentoringContext, facts: NotesFacts | None) -> tuple[dt.date, str] | None:
    """An end date the notes state for the mentorship ('the programme ends on 30 June'), with the line."""
    reference = context.reference_date
    language = facts.language if facts is not None else "en"
    for line in (context.notes or "").splitlines():
        text = line.strip().lstrip("-*•+ ").strip()
        if not text or looks_like_instruction(text) or not (_END_LINE.search(text) and _END_VERB.search(text)):
            continue
        found: dt.date | None = None
        try:
            for hit in find_dates(text, language):
                found = _resolved(hit.resolve(reference, None), reference)
                if found is not None:
                    break
        except (OverflowError, ValueError):
            found = None
        if found is None and (
            match := _UNTIL.search(text)
            or re.search(rf"\b(?:in|im|en)\s+(?P<month>{_MONTH_WORD})(?:\s+(?P<year>\d{{4}}))?\b", text, re.I)
        ):
            found = _month_end(_month(match.group("month")), match.group("year"), reference)
        if found is not None and found > reference:
            return found, text
    return None


_EVENT_WORDS = re.compile(
    r"(?i)\b(?:interviews?|panel|assessment(?:\s+centre)?|exams?|test|deadline|closing\s+date|audition|hearing|"
    r"presentation|pitch|review|appraisal|vorstellungsgespr[aä]ch|pr[uü]fung|entrevista|examen)\b"
)
_NOT_THE_EVENT = re.compile(r"(?i)\s*(?:notes?|prep\w*|questions?|tips|skills?|practi[cs]e|techniques?|feedback)\b")
"""'interview notes', 'interview prep': things about an event, not the event."""
_REHEARSAL = re.compile(r"(?i)\b(?:mock|practice|practise|trial|dry[- ]run|probe)(?:\s+[\w-]+){0,2}\s*$")
"""'mock test', 'practice course exam': a rehearsal before the event, not the event."""
_EVENT_GOALS = {
    "interview": re.compile(
        r"(?i)\b(?:post|role|job|position|promot\w*|offer|place|hired|apprentice\w*|stelle|puesto)\b"
    ),
    "exam": re.compile(r"(?i)\b(?:pass|exam|test|certif\w*|qualif\w*|licen[cs]e|degree|pr[uü]fung|examen|aprobar)\b"),
}


def key_event(goal: str, context: MentoringContext) -> tuple[dt.date, str, str] | None:
    """A dated event the context names for a goal that names no date: 'interview on 14 Jan' in the situation
    for 'Get the permanent post', 'exam 3/3' in the notes for 'Pass the CCNA'. (date, phrase, where), or None.
    The event must concern the goal: a word they share, or an interview for a job goal, an exam for a pass."""
    reference = context.reference_date
    goal_words = words(goal)
    found: list[tuple[dt.date, str, str]] = []
    for where, text in (("your situation", context.mentee.situation or ""), ("the notes", context.notes or "")):
        for part in re.split(r"(?<=[.!?;])\s+|\n|\s[-–—]\s", text):
            event = _EVENT_WORDS.search(part)
            if event is None or _NOT_THE_EVENT.match(part[event.end() :]) or _REHEARSAL.search(part[: event.start()]):
                continue
            kind = "interview" if re.match(r"(?i)interview|panel|assess|vorstell|entrev", event.group(0)) else "exam"
            related = bool(goal_words & (words(part) - {"the", "and"})) or bool(_EVENT_GOALS[kind].search(goal))
            if not related:
                continue
            for hit in find_dates(part, detect_language(part, context.session.language[:2].lower())):
                if not 0 <= hit.start - event.end() <= 25:
                    continue  # the date names the event: 'interview on 14 Jan', 'exam 3/3'
                day = hit.resolve(reference, None)
                if day is not None and reference < day <= (shift(reference, 730) or dt.date.max):
                    found.append((day, " ".join(part.split()).strip(" .;"), where))
                    break
    return min(found) if found else None


def plan_cadence(context: MentoringContext, deadlines: list[dt.date], facts: NotesFacts | None = None) -> Cadence:
    """The sessions after this one: the cadence and next meeting the notes agreed (else a rule from the nearest
    deadline), on a fixed weekday, until the furthest deadline, and never past the mentorship's end."""
    if facts is None:
        facts = notes_facts(context)
    reference = context.reference_date
    session = context.session
    stage = context_stage(context)
    basis: list[str] = []
    agreed_day = facts.meeting_weekday if facts is not None else None
    weekday = agreed_day if agreed_day is not None else _meeting_day(context)
    if stage.stage == "closing":
        ends = session.date or reference
        return Cadence(
            frequency="no further sessions",
            session_minutes=session.duration_minutes,
            meeting_day=WEEKDAYS[weekday].capitalize(),
            sessions=[],
            ends_on=ends,
            basis=[
                f"This is the closing session ({stage.reason}), so no further sessions are planned; the milestones "
                "after today are yours to track, and any later check-in is a date to agree, not a session in this "
                "plan."
            ],
        )
    horizon = max(deadlines) if deadlines else shift(reference, DEFAULT_HORIZON_DAYS) or dt.date.max
    nearest = min(deadlines) if deadlines else horizon
    monthly = False
    agreed = facts.cadence if facts is not None else None
    if agreed in NOTES_CADENCE_DAYS:
        step = NOTES_CADENCE_DAYS[agreed]
        frequency = FREQUENCY_LABELS[step]
        basis.append(f"{_cap(frequency)}, as agreed in the notes.")
    elif agreed == "monthly":
        step, frequency, monthly = 28, "every month", True
        basis.append("Every month, as agreed in the notes.")
    elif (nearest - reference).days <= WEEKLY_UNTIL_DAYS:
        step, frequency = 7, "every week"
        basis.append("Every week, because a deadline is within six weeks.")
    elif (horizon - reference).days > MONTHLY_FROM_DAYS:
        step, frequency = 28, "every 4 weeks"
        basis.append("Every 4 weeks, because the goals run beyond nine months.")
    else:
        step, frequency = 14, "every 2 weeks"
        basis.append("Every 2 weeks, the usual rhythm while goals are being worked on.")
    meeting = facts.next_meeting if facts is not None else None
    if meeting is not None and meeting > reference:
        first = meeting
        weekday = meeting.weekday()
        basis.append(f"The next session is on {meeting.isoformat()}, as the notes say.")
    else:
        if agreed_day is not None:
            basis.append(f"On {WEEKDAYS[agreed_day].capitalize()}s, the day the notes agree.")
        # The first such weekday after the reference (a week later when meeting less than weekly); every
        # step is taken with `shift`, so a schedule reaching date.max stops there instead of overflowing.
        first = shift(reference, days_to_weekday(reference, weekday) + (7 if step > 7 else 0)) or reference
    limit = MAX_SESSIONS
    ends_on: dt.date | None = None
    planned = session.planned_sessions
    if planned is not None and session.number < planned:
        limit = min(limit, planned - session.number)
        basis.append(f"Session {session.number} of {planned}: {planned - session.number} more planned.")
        horizon = dt.date.max  # the planned count decides where it stops
    end = mentorship_end(context, facts)
    if end is not None:
        horizon = min(horizon, end[0]) if planned is None else end[0]
        basis.append(f"The mentorship ends on {end[0].isoformat()} ({short_quote(end[1])}).")
        if deadlines and max(deadlines) > end[0]:
            basis.append("Some goals run past the end of the mentorship: the last session should hand them over.")
    if monthly:
        sessions = _monthly(first, horizon, limit)
    else:
        sessions = []
        day: dt.date | None = first
        while day is not None and day <= horizon and len(sessions) < limit:
            sessions.append(day)
            day = shift(day, step)
    bounded = (planned is not None and session.number < planned) or end is not None
    if bounded:
        ends_on = sessions[-1] if sessions else None
        if not sessions:
            basis.append("No session fits before the mentorship ends.")
    elif not sessions:
        sessions = [first]  # a deadline before the first meeting day still gets one session to review it
    return Cadence(
        frequency=frequency,
        session_minutes=session.duration_minutes,
        meeting_day=WEEKDAYS[weekday].capitalize(),
        sessions=sessions,
        ends_on=ends_on,
        basis=basis,
    )


# --------------------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------------------
def _notes_baseline(context: MentoringContext, reading: GoalReading) -> str | None:
    """A notes sentence about the goal that holds a number ('Kai was late 3 times in November'), quoted."""
    wanted = {_stem(w) for w in words(reading.core)} - {"every", "time", "shift"} | (
        {"late", "time", "punctual"} if reading.kind == "habit" else set()
    )
    allowed = {n.lower() for n in (first_name(context.mentee.name), first_name(context.mentor.name)) if n}
    for line in (context.notes or "").splitlines():
        text = line.strip().lstrip("-*•+ ").strip()
        if not text or looks_like_instruction(text):
            continue
        for part in re.split(r"(?<=[.!?])\s+|;\s+", text):
            counted = re.search(r"\d|\b(?:once|twice|never|always)\b", part)
            if counted and wanted & {_stem(w) for w in words(part)} and not names_someone(part, allowed):
                return short_quote(part)
    return None


def compose(context: MentoringContext, retrieved: Retrieved) -> GoalPlan:
    """A SMART version of every goal the mentee listed, and the sessions to track them."""
    if not context.mentee.goals:
        raise MissingInput("the goals task needs at least one goal: add `mentee.goals` to the context")
    reference = context.reference_date
    persona = infer_persona(context)
    citations = Citations(retrieved)
    wellbeing = wellbeing_challenges(context)
    focus = " ".join(context.session.focus)
    facts = notes_facts(context)
    values = slot_values(context)
    stage = context_stage(context)
    goals: list[SmartGoal] = []
    deadlines: list[dt.date] = []
    notes: list[str] = []
    if persona is not None:
        notes.append(
            f"Worked examples prefer the persona read from role and situation: {persona_label(persona, context)}."
        )
    for index, goal in enumerate(context.mentee.goals):
        ranked = bank_items(retrieved.get(f"smart_goals:{index}"))
        if not ranked:
            raise KnowledgeMissing(
                f"no SMART goal examples were retrieved for tenant {context.tenant!r}; run `companion knowledge ingest` first"
            )
        reading = read_goal(goal, reference, context.session.language)
        if reading.kind == "habit" and reading.aside is None:
            baseline = _notes_baseline(context, reading)
            if baseline:
                reading = GoalReading(**{**reading.__dict__, "aside": baseline.strip("“”")})
        event = key_event(goal, context) if reading.deadline is None else None
        if event is not None:  # "interview on 14 Jan" in the situation: the goal turns on that date
            reading = GoalReading(**{**reading.__dict__, "deadline": Deadline(event[0], event[1], -1, -1)})
        picked = pick_example(reading, ranked, persona)
        deadline = reading.deadline.date if reading.deadline else shift(reference, DEFAULT_HORIZON_DAYS) or dt.date.max
        if event is not None:
            deadlines.append(event[0])
            time_bound = (
                f"{quoted(goal)} names no date, but {quoted(event[1])} ({event[2]}) is the date it turns on: "
                f"{event[0].isoformat()}, so the plan works back from it."
            )
        elif reading.deadline is not None:
            deadlines.append(reading.deadline.date)
            time_bound = (
                f"{quoted(goal)} is due by {deadline.isoformat()} ({quoted(reading.deadline.phrase.strip())}), read "
                "from the goal itself."
            )
        elif reading.kind == "assessed":  # the programme sets the date; the mentor should ask, not guess
            time_bound = (
                f"When is the final assessment for {quoted(goal)}? Until you know, this plan uses "
                f"{deadline.isoformat()}; move it to the real date."
            )
        else:
            time_bound = (
                f"{quoted(goal)} names no date, so this plan uses {deadline.isoformat()}; change it if there is a "
                "real deadline."
            )
            notes.append(f"{quoted(goal)} names no date; the plan assumes {deadline.isoformat()} (three months).")
        if reading.aside and not reading.deadline:
            time_bound += f" {quoted(reading.aside)} describes where things stand, not a deadline."
        weeks = (deadline - reference).days // 7
        challenge = best_match(wellbeing, goal) if wellbeing else None
        related_focus = focus and words(focus) & words(goal)
        done = done_means(reading)
        specific = f"{quoted(goal)} — {done[:1].lower()}{done[1:]}"  # one sentence: the goal and what done means
        measurable = f"{quoted(goal)}: {measure(reading)}"
        achievable = (
            f"Check {quoted(goal)} against the hours you really have"
            + (f", given {quoted(challenge)}" if challenge else "")
            + (f"; that is about {weeks} weeks from now." if 0 < weeks < 520 else ".")
        )
        situation = context.mentee.situation or ""
        related_situation = situation and {_stem(w) for w in words(situation)} & {_stem(w) for w in words(reading.core)}
        relevant = (
            f"Say in one line why {quoted(goal)} matters now"
            + (f" and how it serves the current focus on {focus}" if related_focus else "")
            + (f", given your situation: {quoted(situation)}" if related_situation else "")
            + "."
        )
        cited = []
        if picked is not None:
            result, item = picked
            example = str(item.get("goal", "")).rstrip(".").lower()

            def worked(field: str, lead: str = "Worked example", item: dict[str, Any] = item) -> str:
                text = without_placeholders(str(item.get(field, "")), values)
                return f" {lead}: {text}" if text else ""

            specific += worked("specific", f"Worked example ({example})")
            measurable += worked("measurable")
            achievable += worked("achievable")
            relevant += worked("relevant")
            time_bound += worked("time_bound")
            cited = citations.cite(result)
        else:
            notes.append(f"No worked example is close enough to {quoted(goal)} to help, so none is shown.")
        milestones = _dated(goal_steps(reading), reference, deadline)
        goals.append(
            SmartGoal(
                statement=sentence(goal),
                specific=specific,
                measurable=measurable,
                achievable=achievable,
                relevant=relevant,
                time_bound=time_bound,
                milestones=milestones,
                citations=cited,
            )
        )
    cadence = plan_cadence(context, deadlines, facts)
    for guide in retrieved.get("guides")[:1]:
        citations.cite(guide)
    closing = [r for r in retrieved.get("closing_guide") if r.heading.endswith("Goal of the session")]
    for guide in closing[:1] if stage.stage == "closing" else []:
        citations.cite(guide)
    if not is_english(context.session.language) or any(
        not read_goal(g, reference).english for g in context.mentee.goals
    ):
        notes.append("Goals not written in English are quoted as written inside the English milestones.")
    plan = GoalPlan(
        goals=goals,
        cadence=cadence,
        citations=citations.all,
        generator=generator_info(COMPOSER_VERSION, context, TEMPLATED, notes),
    )
    return scrub_placeholders(plan)
