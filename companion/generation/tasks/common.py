"""What every offline task composer shares: reading cues from the context, filling bank
templates, and citing only chunks that retrieval returned."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from companion.generation.base import Retrieved
from companion.retrieval.retriever import SearchResult
from companion.schemas import Citation, GeneratorInfo, MentoringContext, SessionInfo, question_key

if TYPE_CHECKING:
    from companion.generation.notes import NotesFacts

PROVIDER = "offline"
MODEL = "grounded-composer"


class MissingInput(ValueError):
    """The context lacks a field this task cannot work without; the message names it."""


class KnowledgeMissing(ValueError):
    """Retrieval returned none of the bank items a task is built from (usually: nothing is indexed)."""


# --------------------------------------------------------------------------------------
# Session stage and persona
# --------------------------------------------------------------------------------------
_CLOSING_FOCUS = re.compile(
    r"^(closing|ending|wrap[- ]?up|wrapping up|farewell)( session)?$"
    r"|\b(closing|final|last|farewell) session\b"
    r"|\b(end|ending|close|closing|wrap|wrapping up) (of |up )?(the |our )?(mentorship|mentoring|partnership|programme|program)\b"
)


def session_stage(session: SessionInfo) -> str:
    """Session 1 is the first, 2-3 are early, later ones established; a closing focus, or the last of the
    planned sessions, is the closing one. `context_stage` also reads the notes and the focus in more words."""
    if any(_CLOSING_FOCUS.search(item.lower()) for item in session.focus):
        return "closing"
    if session.planned_sessions is not None and session.number == session.planned_sessions:
        return "closing"
    if session.number == 1:
        return "first_session"
    if session.number <= 3:
        return "early"
    return "established"


STAGE_LABELS = {
    "first_session": "first session",
    "early": "early session",
    "established": "established partnership",
    "closing": "closing session",
}

PERSONA_LABELS = {
    "first_time_founder": "first-time founder",
    "scaling_founder": "founder scaling a business",
    "engineer": "engineer",
    "manager": "manager",
    "emerging_leader": "emerging leader",
    "career_changer": "career changer",
    "student": "student",
}


def persona_label(persona: str, context: MentoringContext) -> str:
    """The persona as shown to the mentor: the "engineer" persona covers analysts, designers and data
    scientists too, so it is named for what they share unless the role says engineer or developer."""
    label = PERSONA_LABELS[persona]
    if persona == "engineer" and not re.search(
        r"\b(?:engineer\w*|developer|programmer|ingenier\w*|entwickler\w*)\b", context.mentee.role or "", re.I
    ):
        return "technical specialist"
    return label


_FOUNDER = r"\b(founder|co-?founder|founding|start-?up|pre-?seed|bootstrapp\w*|my own (company|business))\b"
_PERSONA_RULES: tuple[tuple[str, str, str | None], ...] = (
    # (persona, pattern, pattern that must also match)
    (
        "career_changer",
        r"\b(career[- ]chang\w*|changing careers?|career switch\w*|switch\w* (careers?|into|to)|moving (from [\w\s-]{1,40}? )?into|"
        r"transition\w* (in)?to|retrain\w*|pivot\w* (in)?to)\b",
        None,
    ),
    ("student", r"\b(student|undergrad\w*|graduate|university|college|intern(ship)?|bootcamp|phd|school)\b", None),
    (
        "scaling_founder",
        r"\b(scal(e|ing)|scale-?up|series [a-d]|growth stage|second-time|serial|\d{2,} (people|employees|staff))\b",
        _FOUNDER,
    ),
    ("first_time_founder", _FOUNDER, None),
    ("manager", r"\b(manager|head of|director|vp|team lead|leads? a team|managing)\b", None),
    ("emerging_leader", r"\b(senior|lead|leader|aspiring|high[- ]potential|staff|principal|promotion)\b", None),
    ("engineer", r"\b(engineer\w*|developer|programmer|data scientist|designer|analyst)\b", None),
)


_SITUATION_PERSONAS = frozenset({"career_changer", "student", "scaling_founder", "first_time_founder"})
"""Personas a situation alone can reveal ('career change into UX'); job-title personas come from the role first."""


def infer_persona(context: MentoringContext) -> str | None:
    """Map free-text role and situation to the nearest persona by keyword."""
    role = (context.mentee.role or "").lower()
    both = f"{role} {(context.mentee.situation or '').lower()}"
    for text, allowed in ((both, _SITUATION_PERSONAS), (role, None), (both, None)):
        for persona, pattern, also in _PERSONA_RULES:
            if allowed is not None and persona not in allowed:
                continue
            if re.search(pattern, text) and (also is None or re.search(also, both)):
                return persona
    return None


# --------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------
_SLOT = re.compile(r"\{(\w+)\}")
_INSTRUCTION_LIKE = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(previous|prior|above|earlier|all|system|instructions?|rules?)\b"
    r"|^\W*(system|assistant|developer)\s*:"
    r"|\byou are now\b|\bact as (an?|the)\b|\bnew instructions\b|\bprompt injection\b|\bjailbreak\b"
    r"|</?\s*[a-z_][\w-]*\s*>|<\|[^|>]*\|>",
    re.I,
)


def looks_like_instruction(line: str) -> bool:
    """A line that talks to an AI rather than about the session; such lines never become output."""
    return bool(_INSTRUCTION_LIKE.search(line))


def fill(template: str, values: Mapping[str, str | None]) -> str | None:
    """Fill {slot} placeholders; None when a slot has no value, so the caller can skip the template."""
    missing = False

    def replace(match: re.Match[str]) -> str:
        nonlocal missing
        value = values.get(match.group(1))
        if not value:
            missing = True
            return ""
        return value

    filled = _SLOT.sub(replace, template)
    return None if missing else filled


def slots(template: str) -> list[str]:
    return _SLOT.findall(template)


normalise = question_key
"""Text by its words only (case, punctuation and spacing do not count): how questions are compared."""


def words(text: str) -> set[str]:
    return {w for w in normalise(text).split() if len(w) > 2 and w not in _STOPWORDS}


_STOPWORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "that",
        "this",
        "from",
        "into",
        "your",
        "you",
        "are",
        "was",
        "were",
        "will",
        "have",
        "has",
        "had",
        "but",
        "not",
        "our",
        "out",
        "own",
        "per",
        "any",
        "all",
        "can",
        "its",
        "how",
        "what",
        "when",
        "who",
        "why",
        "which",
        "more",
        "most",
        "less",
        "than",
        "then",
        "them",
        "they",
        "their",
        "there",
        "about",
    ]
)


def sentence(text: str) -> str:
    """Capitalise the first letter and end with a full stop (unless it already ends a sentence)."""
    text = " ".join(text.split()).strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def quoted(text: str) -> str:
    return f"“{text}”"


def join_words(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def article(noun_phrase: str) -> str:
    """'an early session', 'a first-time founder'."""
    return f"{'an' if noun_phrase[:1].lower() in 'aeiou' else 'a'} {noun_phrase}"


def first_name(name: str | None) -> str | None:
    return name.split()[0] if name and name.split() else None


WELLBEING_CUES = re.compile(
    r"\b(\d+[- ]?(h|hr|hrs|hour)s?[- ]weeks?|hours|overwork\w*|burn\w*|exhaust\w*|tired|sleep\w*|stress\w*|"
    r"balance|weekends?|evenings?|family|health|energy|rest)\b",
    re.I,
)


def wellbeing_challenges(context: MentoringContext) -> list[str]:
    return [c for c in context.mentee.challenges if WELLBEING_CUES.search(c)]


_CONCEPTS: tuple[tuple[str, frozenset[str]], ...] = tuple(
    (name, frozenset(members.split()))
    for name, members in (
        (
            "fundraising",
            "fundraising raise raising seed round investor investors angel angels funding funds vc pitch pitching deck",
        ),
        ("hiring", "hire hiring hired recruit recruiting candidate candidates interview interviews"),
        ("speaking", "talk talks conference speaker speaking presentation keynote"),
        ("part_time", "part-time parttime teilzeit tiempo parcial reduced hours"),
    )
)


def concepts(text: str) -> set[str]:
    """The few mentoring topics a phrase is about, across wordings ('raise a seed round' ~ 'fundraising')."""
    tokens = set(normalise(text).replace("part time", "part-time").split()) | {
        t for t in re.findall(r"[\w-]+", text.lower())
    }
    return {name for name, members in _CONCEPTS if tokens & members}


def best_match(candidates: Iterable[str], query: str) -> str | None:
    """The candidate sharing most words with `query`; the first candidate on ties (or when none share any)."""
    ranked = list(candidates)
    if not ranked:
        return None
    wanted = words(query)
    return max(ranked, key=lambda c: (len(words(c) & wanted), -ranked.index(c)))


def template_values(context: MentoringContext) -> dict[str, str | None]:
    """The values bank templates may use, each chosen to fit the session's focus."""
    mentee = context.mentee
    focus = join_words(list(context.session.focus)) or None
    anchor = " ".join(context.session.focus) or " ".join(mentee.goals)
    goal = best_match(mentee.goals, anchor)
    return {
        "goal": quoted(goal) if goal else None,
        "challenge": best_match(mentee.challenges, anchor),
        "interest": next(iter(shared_interests(context) + list(mentee.interests)), None),
        "role": mentee.role,
        "focus": focus,
    }


def shared_interests(context: MentoringContext) -> list[str]:
    """The mentee's interests the mentor also lists (whole-word match), in the mentee's order."""
    mentor = [normalise(i) for i in context.mentor.interests]
    shared = []
    for interest in context.mentee.interests:
        mine = normalise(interest)
        if any(mine == theirs or f" {mine} " in f" {theirs} " or f" {theirs} " in f" {mine} " for theirs in mentor):
            shared.append(interest)
    return shared


# --------------------------------------------------------------------------------------
# Bank items and citations
# --------------------------------------------------------------------------------------
def bank_items(results: Iterable[SearchResult]) -> list[tuple[SearchResult, dict[str, Any]]]:
    """Only the results that are bank items (prose around the bank blocks is skipped)."""
    return [(r, r.item) for r in results if isinstance(r.item, dict) and r.item.get("id")]


def guide_section(retrieved: Retrieved, groups: Iterable[str], source: str, *headings: str) -> SearchResult | None:
    """A retrieved prose section (not a bank item) of `source` whose last heading starts with the first of
    `headings` found, searched in `groups` in order; with no headings, the first section of the source."""
    groups = tuple(groups)
    for heading in headings or ("",):
        for group in groups:
            for result in retrieved.get(group):
                if (
                    result.source == source
                    and result.item is None
                    and result.heading.split(" > ")[-1].startswith(heading)
                ):
                    return result
    return None


class Citations:
    """Collects citations in order of first use; only chunks that retrieval returned can be cited."""

    def __init__(self, retrieved: Retrieved) -> None:
        self._known = retrieved.by_id()
        self._used: dict[str, Citation] = {}

    def cite(self, *results: SearchResult) -> list[Citation]:
        cited = []
        for result in results:
            if result.chunk_id not in self._known:
                continue
            citation = self._used.get(result.chunk_id) or Citation(**self._known[result.chunk_id].citation())
            self._used.setdefault(result.chunk_id, citation)
            if citation not in cited:
                cited.append(citation)
        return cited

    @property
    def all(self) -> list[Citation]:
        return list(self._used.values())


def is_english(language: str) -> bool:
    return re.split(r"[-_]", language.lower())[0] in ("en", "eng")


def generator_info(
    version: str, context: MentoringContext, templated: list[str], notes: list[str] | None = None
) -> GeneratorInfo:
    """The generator block, with the plain statement that offline output is English."""
    all_notes = list(notes or [])
    if not is_english(context.session.language):
        all_notes.append(
            f"You asked for language {context.session.language!r}; the offline composer answers in English. "
            "Configure an LLM provider for other languages."
        )
    return GeneratorInfo(provider=PROVIDER, model=MODEL, prompt_version=version, templated=templated, notes=all_notes)


# --------------------------------------------------------------------------------------
# Reading the session: the stage from the number, the planned count, the focus and the notes
# --------------------------------------------------------------------------------------
_CLOSING_PHRASES = re.compile(
    r"\b(?:last|final|closing)\s+(?:formal\s+|mentoring\s+)?(?:session|meeting|call|one)\b"
    r"|\bwrap(?:ping)?[- ]?up\s+(?:of\s+)?(?:the\s+|our\s+)?(?:mentoring|mentorship|programme|program|partnership|sessions)\b"
    r"|\b(?:end|ending|close|closing)\s+(?:of\s+)?(?:the\s+|our\s+|this\s+)?(?:mentoring|mentorship|programme|program|partnership)\b"
    r"|\bsay(?:ing)?\s+(?:good-?bye|farewell)\b|\bfarewell\s+session\b"
    r"|\babschluss(?:gespr[aä]ch|sitzung|session|treffen|termin)\b|\b(?:zum|als)\s+abschluss\b"
    r"|\bletzte[sn]?\s+(?:sitzung|session|treffen|termin|gespr[aä]ch)\b"
    r"|\b[uú]ltima\s+(?:sesi[oó]n|reuni[oó]n)\b|\bsesi[oó]n\s+(?:final|de\s+cierre)\b"
    r"|\bcierre\s+del?\s+(?:programa|mentor[ií]a)\b",
    re.I,
)
_CLOSING_FOCUS_ONLY = re.compile(
    r"^\W*(?:closing|ending|wrap[- ]?up|wrapping up|farewell|goodbye|last one|final one)\b", re.I
)
_PREVIOUS_SENSE = re.compile(
    r"(?:\b(?:in|at|from|since|during|after|of|on|about|like|than|her|his|their|my|your)\s+(?:the\s+|our\s+|that\s+)?"
    r"|\b(?:in der|im|beim|seit der|seit dem|nach der|aus der|en la|desde la|de la|tras la)\s+(?:unserer\s+|nuestra\s+)?)$",
    re.I,
)
_PREVIOUS_AFTER = re.compile(
    r"^(?:'s|’s|\s+(?:we|i|you|she|he|they|was|went|with|wir|ich|war|hat|haben|wurde|hemos|fue|con)\b)", re.I
)
_LAST_WORD = re.compile(r"(?i)^(?:last|letzte[sn]?|[uú]ltima)\b")
_DETERMINED = re.compile(
    r"(?i)\b(?:our|the|this|is|be|as|unsere[sn]?|unser|die|das|ist|als|nuestra|la|es)\s+(?:very\s+)?$"
)


def closing_phrase(text: str, *, focus: bool = False) -> str | None:
    """The words that say this is the closing session ('our final session', 'Abschlussgespräch',
    'última sesión'), or None. 'Since the last session' and 'in der letzten Sitzung' mean the previous one."""
    if focus and _CLOSING_FOCUS_ONLY.search(text):
        return text.strip()
    for match in _CLOSING_PHRASES.finditer(text):
        before = text[max(0, match.start() - 24) : match.start()]
        if _PREVIOUS_SENSE.search(before) or _PREVIOUS_AFTER.search(text[match.end() :]):
            continue
        if _LAST_WORD.match(match.group(0)) and not _DETERMINED.search(before):
            continue  # "Last session: ..." heads notes about the previous one
        return match.group(0)
    return None


def is_closing_focus(item: str) -> bool:
    """A focus item that asks for a closing session ('closing', 'our last one together', 'wrap-up')."""
    return bool(_CLOSING_FOCUS.search(item.lower()) or closing_phrase(item, focus=True))


def _line_with(text: str, phrase: str) -> str:
    """The (bullet-less) line of `text` that holds `phrase`."""
    for line in text.splitlines():
        if phrase in line:
            return line.strip().lstrip("-*•+ ").strip()
    return phrase


@dataclass(frozen=True)
class StageReading:
    stage: str
    reason: str
    """Why, in words a mentor can check: 'session 6 of 6 planned', 'the notes say “...”'."""


def context_stage(context: MentoringContext) -> StageReading:
    """The stage from everything the context says: the session number against the planned number, the
    focus in the user's own words, and the notes ('next time is our last session', 'Abschluss')."""
    session = context.session
    planned = session.planned_sessions
    if planned is not None and session.number == planned:
        return StageReading("closing", f"session {session.number} of {planned} planned")
    for item in session.focus:
        if is_closing_focus(item):
            return StageReading("closing", f"the focus says {quoted(item)}")
    notes = "\n".join(line for line in (context.notes or "").splitlines() if not looks_like_instruction(line))
    phrase = closing_phrase(notes)
    if phrase is not None and session.number > 1:
        return StageReading("closing", f"the notes say {quoted(_line_with(notes, phrase))}")
    stage = session_stage(session)
    if stage == "first_session":
        return StageReading(stage, "session 1")
    if planned is not None and session.number > planned:
        return StageReading(stage, f"session {session.number}, beyond the {planned} planned")
    of = f" of {planned} planned" if planned is not None else ""
    return StageReading(stage, f"session {session.number}{of}")


# --------------------------------------------------------------------------------------
# Reading the person: age and situation cues that change which questions fit
# --------------------------------------------------------------------------------------
_AGE = re.compile(
    r"\b(?:aged?\s+|age:?\s*)(?P<a>\d{1,2})\b|\b(?P<b>\d{1,2})[- ]?(?:years?[- ]old|y/?o|yrs? old|jahre alt|años)\b"
    r"|^\W*(?P<c>\d{1,2})\s*(?:,|;|\s-\s)",
    re.I,
)
_YOUNG_WORDS = re.compile(
    r"\b(?:apprentice\w*|trainee|azubi|ausbildung\w*|lehrling|aprendiz\w*|pupil|sch[uü]ler\w*|teen(?:ager)?s?|"
    r"(?:high|secondary|sixth[- ]form)\s+school|at school|school (?:pupil|student|leaver)|gcses?|a[- ]levels?|"
    r"student|undergrad\w*|college|first[- ]year|estudiante|instituto|bachillerato)\b",
    re.I,
)
_SCHOOL = re.compile(
    r"\b(?:pupil|sch[uü]ler\w*|teen(?:ager)?s?|(?:high|secondary|sixth[- ]form)\s+school|at school|"
    r"school (?:pupil|student|leaver)|gcses?|a[- ]levels?|instituto|bachillerato)\b",
    re.I,
)
_ADULT_STUDENT = re.compile(r"\b(?:phd|doctoral|mba|postgrad\w*|master'?s|mature student|postdoc)\b", re.I)
_APPRENTICE = re.compile(r"\b(?:apprentice\w*|trainee|azubi|ausbildung\w*|lehrling|aprendiz\w*)\b", re.I)
_RETURNING = re.compile(
    r"\b(?:back|returning|returned|return)\s+(?:to work\s+)?(?:from|after)\s+(?:\w+\s+){0,4}?"
    r"(?:leave|parental|maternity|paternity|sabbatical|sick(?:ness)?|career break|break)\b"
    r"|\b(?:elternzeit|wiedereinstieg|baja (?:de )?maternidad|excedencia)\b",
    re.I,
)
_PROMOTED = re.compile(
    r"\b(?:newly|recently|just)\s+(?:promoted|appointed)\b|\bpromoted (?:from|to)\b|\bnew (?:in|to) the role\b", re.I
)
_FOUNDER_WORDS = re.compile(_FOUNDER, re.I)


@dataclass(frozen=True)
class PersonReading:
    """What the role and situation say about the person beyond the persona."""

    age: int | None = None
    young: bool = False
    """A teenager, pupil, apprentice or student: no questions about co-founders, fundraising or reports."""
    apprentice: bool = False
    at_school: bool = False
    """Under 18 or still at school: questions written for a pupil rather than a university student."""
    returning: bool = False
    """Back from parental leave, illness or a career break."""
    newly_promoted: bool = False
    founder: bool = False


_WEIGHING = re.compile(
    r"\b(?:between|choos\w*|consider\w*|apply\w*|whether|thinking (?:about|of)|interested in|or)\b[^.;]{0,60}$", re.I
)


def _is_apprentice(role: str | None, situation: str | None) -> bool:
    """An apprentice by the role, or by a situation that does not only weigh an apprenticeship as an option
    ('choosing between a degree and a degree apprenticeship' is a school student's choice)."""
    if role and _APPRENTICE.search(role):
        return True
    match = _APPRENTICE.search(situation or "")
    return match is not None and not _WEIGHING.search((situation or "")[: match.start()])


def read_person(context: MentoringContext) -> PersonReading:
    mentee = context.mentee
    text = " ".join(part for part in (mentee.role, mentee.situation) if part)
    age: int | None = None
    for part in (mentee.situation or "", mentee.role or ""):
        match = _AGE.search(part)
        if match:
            value = int(next(g for g in match.groups() if g))
            if 10 <= value <= 99:
                age = value
                break
    adult_student = bool(_ADULT_STUDENT.search(text))
    young = (age is not None and age < 20) or (
        (age is None or age < 25) and bool(_YOUNG_WORDS.search(text)) and not adult_student
    )
    return PersonReading(
        age=age,
        young=young,
        apprentice=_is_apprentice(mentee.role, mentee.situation),
        at_school=(age is not None and age < 18) or bool(_SCHOOL.search(text)),
        returning=bool(_RETURNING.search(text)),
        newly_promoted=bool(_PROMOTED.search(text)),
        founder=bool(_FOUNDER_WORDS.search(text)),
    )


_ADULT_CAREER = re.compile(
    r"\b(?:co-?founders?|founders?|fundrais\w*|investors?|funding|seed round|board meeting|the board|direct reports?|"
    r"your reports|reports to you|managing (?:people|a team|others)|salary|mortgage|careers?|cv|résumé|resume|"
    r"working life|been managed|job offers?|your company|the company|start-?ups?|promotion|quit|quitting|"
    r"ten years from now|five years ahead|at my stage|since you started working)\b",
    re.I,
)


_WORKPLACE = re.compile(
    r"\b(?:(?:your|current|the) (?:current )?(?:job|role|workplace|shift)|at work|colleagues?|your manager|"
    r"the office|useful at work)\b|\byour job\b",
    re.I,
)


def fits_person(template: str, person: PersonReading) -> bool:
    """False for a question written for an adult career when the mentee is young (a founder's questions
    stay fine for a student founder), and for one about a job or colleagues when the mentee is still at
    school and not an apprentice. Judged on the bank template, before any profile text is filled in."""
    if not person.young:
        return True
    if person.at_school and not person.apprentice and _WORKPLACE.search(template):
        return False
    for match in _ADULT_CAREER.finditer(template):
        if person.founder and re.match(
            r"(?i)co-?founders?|founders?|start-?ups?|fundrais|investors?|funding", match.group(0)
        ):
            continue
        return False
    return True


# --------------------------------------------------------------------------------------
# Profile text that fits a template slot, and filling that keeps the grammar
# --------------------------------------------------------------------------------------
_PRONOUNS = re.compile(
    r"\b(?:i|me|my|mine|myself|we|us|our|he|she|him|his|her|hers|himself|herself|they|them|their|themselves|"
    r"you|your|yourself|it's)\b|\b\w+'(?:s|re|ll|d|ve|m)\b|\b\w+n't\b",
    re.I,
)
_CLAUSE_MARKS = re.compile(
    r"\b(?:because|when|whenever|if|that|which|who|whose|while|although|though|but|so)\b|[,;:!?()\"“”]"
)
_FINITE_VERBS = re.compile(
    r"\b(?:is|are|was|were|am|been|has|have|had|does|do|did|can|cannot|could|will|would|should|must|"
    r"feels?|gets?|finds?|struggles?|worries|worried|wants?|needs?|keeps?|tends?|seems?|thinks?|hates?|loves?|"
    r"says?|said|knows?|goes|went|"
    # verbs of a third party's view: 'parents prefer university' is a clause, not a phrase for {challenge}
    r"prefers?|expects?|insists?|refuses?|believes?|doubts?|disagrees?|objects?|opposes?|pressures?|pushe?s)\b",
    re.I,
)
_LEADING_NEGATION = re.compile(r"^(?:no|not|never|too|very|always|lack)\b", re.I)
_FOREIGN_CHARS = re.compile(r"[äöüßÄÖÜáéíóúñÁÉÍÓÚÑ¿¡]")
_FOREIGN_WORDS = re.compile(
    r"\b(?:und|über|ueber|mit|für|fuer|der|die|das|den|dem|ein|eine|einen|nicht|zum|zur|im|vom|beim|"
    r"y|de|del|con|para|por|los|las|el|la|en|una|unos|sobre|muy)\b(?!-)",
    re.I,
)


def slot_safe(text: str, max_words: int = 5) -> bool:
    """A short noun phrase ('fear of pitching', 'climbing', '70-hour weeks') that reads right inside a
    question; a clause with a subject, a verb or a pronoun ('doesn't ask questions because he's worried')
    does not."""
    text = text.strip()
    count = len(text.split())
    if not 1 <= count <= max_words:
        return False
    return not (
        _PRONOUNS.search(text)
        or _CLAUSE_MARKS.search(text)
        or _FINITE_VERBS.search(text)
        or _LEADING_NEGATION.search(text)
    )


def looks_english(text: str) -> bool:
    """False for profile text with German or Spanish letters or function words ('Podcasts über Architektur')."""
    return not (_FOREIGN_CHARS.search(text) or _FOREIGN_WORDS.search(text))


def mixes_languages(text: str, at_least: int = 2) -> bool:
    """Text holding `at_least` German or Spanish function words ('we dropped it, zu viel auf einmal'): a line
    of mixed notes that an English rewrite would leave half in another language."""
    from companion.generation.notes import detect_language  # notes imports this module

    words = re.findall(r"(?<![\w'])[^\W\d_]+(?![\w'])", text.lower())
    return sum(1 for word in words if detect_language(word, "en") != "en") >= at_least


def role_phrase(role: str | None) -> str | None:
    """The job title part of a role ('ward manager, newly promoted from ...' -> 'ward manager')."""
    if not role:
        return None
    head = re.split(r"\s*[,;(]|\s+[-–—]\s+|\s+(?:at|in|for|with|since)\s+", role.strip(), maxsplit=1)[0].strip()
    # a role in another language ('recién graduada en Marketing') breaks an English sentence: no slot value,
    # so the caller picks a question that does not need one
    return head if slot_safe(head, 5) and looks_english(head) else None


def interest_phrase(interest: str, english: bool = True) -> str | None:
    """An interest as a slot value: as written when it is a short noun phrase, its head before a preposition
    ('making beats on my laptop' -> 'making beats'), quoted when it is not English, else None."""
    text = interest.strip()
    if not english or not looks_english(text):
        return quoted(text) if len(text.split()) <= 6 else None
    if slot_safe(text, 4):
        return text
    head = re.split(r"\s+(?:on|in|at|with|for|during|after|before|around|about|when|while)\s+", text, maxsplit=1)[0]
    return head if head != text and slot_safe(head, 3) else None


def focus_phrase(context: MentoringContext) -> str | None:
    """The session focus as the user wrote it: spliced when it reads as a phrase, quoted when it does not."""
    items = [item for item in context.session.focus if item.strip()]
    if not items:
        return None
    english = is_english(context.session.language) and all(looks_english(item) for item in items)
    if english and all(slot_safe(item, 10) or _WHETHER.match(item) for item in items):
        return join_words([_mid_sentence(item) for item in items])
    return join_words([quoted(item) for item in items])


_SENTENCE_START = re.compile(
    r"^(?:(?:How|What|When|Where|Which|Who|Whether|Why|The|A|An|My|Our|Your|Her|His|Their|Some|Next)\b|"
    r"[A-Z][a-z]{2,}ing\s)"
)


def _mid_sentence(item: str) -> str:
    """'How to answer investors' spliced into a question reads 'how to answer investors'; a name, an
    acronym or any other capital stays."""
    return item[:1].lower() + item[1:] if _SENTENCE_START.match(item) else item


_WHETHER = re.compile(r"(?i)^(?:whether|how|what|when|where|which|who)\s+to\s+[\w\s-]{1,60}$")


def with_article(phrase: str) -> str:
    """'an apprentice electrician', 'a ward manager', 'a user researcher', 'an hour'."""
    lowered = phrase.lower()
    if re.match(r"(?:the|a|an|my|our|their)\s", lowered):
        return phrase
    vowel = lowered[:1] in "aeiou" and not re.match(r"u(?:ni|s[eu]|r[aeiou])|eu|one\b", lowered)
    vowel = vowel or bool(re.match(r"h(?:our|onest|onou?r|eir)", lowered))
    return f"{'an' if vowel else 'a'} {phrase}"


def fill_phrase(template: str, values: Mapping[str, str | None]) -> str | None:
    """`fill`, with the article before {role} that the grammar needs ('as {role}' -> 'as an apprentice')."""
    role = values.get("role")
    if role and "{role}" in template:
        template = re.sub(r"\b(?:a|an)\s+\{role\}", "{role_with_article}", template)
        template = re.sub(r"\b(as|being|become|becoming)\s+\{role\}", r"\1 {role_with_article}", template)
        values = {**values, "role_with_article": with_article(role)}
    return fill(template, values)


def slot_values(context: MentoringContext) -> dict[str, str | None]:
    """Like `template_values`, but each value only when it fits a slot without breaking the sentence:
    a challenge that is a clause, an interest that is a sentence or a role with a long tail is left out
    (the caller then uses a question that does not need it), and non-English text is quoted."""
    mentee = context.mentee
    english = is_english(context.session.language)
    anchor = " ".join(context.session.focus) or " ".join(mentee.goals)
    goal = best_match(mentee.goals, anchor)
    fitting_challenges = [c for c in mentee.challenges if slot_safe(c, 6) and looks_english(c)]
    shared = shared_interests(context)
    interests = [interest_phrase(i, english) for i in shared + [i for i in mentee.interests if i not in shared]]
    return {
        "goal": quoted(goal) if goal else None,
        "challenge": best_match(fitting_challenges, anchor),
        "interest": next((i for i in interests if i), None),
        "role": role_phrase(mentee.role),
        "focus": focus_phrase(context),
    }


def short_quote(text: str, max_words: int = 16) -> str:
    """The first clause or sentence of a notes line, quoted, cut at a word boundary when long."""
    text = " ".join(text.split()).strip().lstrip("-*•+ ").strip()
    # no cut after a bare number: '1. Lehrjahr', '3. Semester' are ordinals, not a sentence's end
    first = re.split(r"(?<=[.!?])(?<!\b\d\.)(?<!\b\d\d\.)\s+|\s+[-–—]\s+|;\s+", text, maxsplit=1)[0].rstrip(".")
    words_ = first.split()
    if len(words_) > max_words + 3:  # a line one to three words over the limit is quoted whole, not cut
        kept = " ".join(words_[:max_words])
        aside = kept.find(" (")
        # an aside that would be cut open ('… estudiantes (de…') is left out whole instead
        first = kept[:aside].rstrip(" ,;:") if aside > 0 else kept + "…"
    return quoted(first)


# --------------------------------------------------------------------------------------
# The notes, read once per request
# --------------------------------------------------------------------------------------
def notes_facts(context: MentoringContext, written_on: dt.date | None = None) -> NotesFacts | None:
    """What the context's notes say (`companion.generation.notes.analyse_notes`), or None without notes.
    Relative dates ('by Friday') count from `written_on`, else from the context's reference date."""
    text = (context.notes or "").strip()
    if not text:
        return None
    base = written_on or context.reference_date
    return _analysed(text, base, context.mentee.name, context.mentor.name, context.session.language)


@lru_cache(maxsize=32)
def _analysed(text: str, date: dt.date, mentee: str, mentor: str | None, language: str) -> NotesFacts:
    from companion.generation.notes import analyse_notes  # notes imports this module

    return analyse_notes(text, session_date=date, mentee_name=mentee, mentor_name=mentor, language=language)


LANGUAGE_NAMES = {"de": "German", "es": "Spanish", "en": "English"}

MILD_CUES = frozenset({"tired", "müde", "mude", "cansado", "cansada", "platt"})


def distress_level(facts: NotesFacts | None) -> int:
    """0 without wellbeing cues in the notes, 1 for a mild one ('tired'), 2 for exhaustion, burnout, low
    energy, poor sleep or several cues."""
    if facts is None or not facts.wellbeing:
        return 0
    mild = all(cue.kind == "exhaustion" and cue.phrase.lower() in MILD_CUES for cue in facts.wellbeing)
    return 1 if mild and len(facts.wellbeing) == 1 else 2


# --------------------------------------------------------------------------------------
# No placeholder reaches an output
# --------------------------------------------------------------------------------------
PLACEHOLDER = re.compile(r"\{[^{}\n]{0,60}\}")
"""An unfilled template slot ('{interest}', '{goal}', '{ role }'): never shown to a person."""
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")


def has_placeholder(text: str) -> bool:
    return bool(PLACEHOLDER.search(text))


def without_placeholders(text: str, values: Mapping[str, str | None] | None = None) -> str | None:
    """`text` with its slots filled from `values` (keeping the grammar `fill_phrase` keeps); a sentence
    whose slot has no value is dropped, and None is returned when no sentence is left."""
    if not has_placeholder(text):
        return text
    kept: list[str] = []
    for part in _SENTENCE_SPLIT.split(text):
        filled = fill_phrase(part, values or {}) if _SLOT.search(part) else part
        if filled is not None and not has_placeholder(filled):
            kept.append(filled)
    result = " ".join(kept).strip()
    return result or None


def _scrub_text(text: str) -> str:
    cleaned = without_placeholders(text)
    if cleaned is not None:
        return cleaned
    # Every sentence held a slot: keep the words, lose the braces ('learn {python}' -> 'learn python').
    return " ".join(PLACEHOLDER.sub(lambda m: m.group(0)[1:-1].strip().replace("_", " "), text).split())


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _scrub_text(value) if has_placeholder(value) else value
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, Citation):
        return value  # identifiers of indexed chunks, not text written for a person
    if hasattr(value, "model_fields") and hasattr(value, "__dict__"):
        for name in type(value).model_fields:
            current = getattr(value, name)
            scrubbed = _scrub(current)
            if scrubbed is not current:
                setattr(value, name, scrubbed)
        return value
    return value


def scrub_placeholders(output: Any) -> Any:
    """The last guard of a composer: any `{...}` still in any text of the output (a bank item whose slot
    the context could not fill, braces in user text) is removed with the sentence holding it, or, when
    that would leave a field empty, only the braces go. Returns the same output, changed in place."""
    return _scrub(output)


_CALENDAR_WORDS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun"
)
_NOT_NAMES = frozenset(
    {"i", "i'll", "i'd", "i've", "pi", "ceo", "cto", "cfo", "hr", "ok", "q1", "q2", "q3", "q4", "mvp", "prd", "phd"}
    | set(_CALENDAR_WORDS.split(" "))
)
"""Capitalised words in notes that are not people: months, weekdays, common acronyms."""


def names_someone(line: str, allowed: Iterable[str] = ()) -> bool:
    """Whether a notes line names a person other than the ones `allowed` (lower case): a capitalised word
    that does not start a sentence and is not a month, a weekday or a common acronym. Lines that do are not
    quoted in outputs, so a third party named in raw jottings stays out of them."""
    known = {a.lower() for a in allowed}
    for match in re.finditer(r"\b[A-Z][a-zäöüéáíóúñ'’-]+\b", line):
        word = re.sub(r"['’]s$", "", match.group(0).lower())
        if word in known or word in _NOT_NAMES:
            continue
        if match.start() == 0 or re.search(r"[.!?:]\s*$", line[: match.start()]):
            # A sentence's first word is a name when what follows reads like a person ('Sam from the lab',
            # 'Marco will', 'Jo's view'), not like a thing ('Revenue is flat').
            if _PERSON_AFTER.match(line[match.end() :]) or match.group(0).endswith(("'s", "’s")):
                return True
            continue
        return True
    return False


_PERSON_AFTER = re.compile(
    r"\s+(?:from|said|says|thinks|thought|mentioned|suggested|asked|told|wants|wanted|will|would|'ll|reckons|feels|"
    r"and\s+[A-Z]|sagt|meint|dice|cree)\b|['’]ll\b|:",
)


# --------------------------------------------------------------------------------------
# Wins that are wins
# --------------------------------------------------------------------------------------
_SETBACK = re.compile(
    r"\b(?:stalled|passed on|passed last|failed|lost|missed|behind|stuck|worse|declined|rejected|no progress|"
    r"didn'?t|couldn'?t|cancell?ed)\b",
    re.I,
)
_GOOD = re.compile(
    r"\b(?:well|great|proud|better|best|up to|improv\w*|nailed|win|won|strong|clean|clear|calm|confident|"
    r"excellent|brilliant\w*|good|first|tighter|faster|signed off)\b",
    re.I,
)


def is_setback(text: str) -> bool:
    """A note the analyser took for a win that only reports a setback ('2 funds passed last week')."""
    return bool(_SETBACK.search(text)) and not _GOOD.search(text)


# --------------------------------------------------------------------------------------
# Goals the session put on hold
# --------------------------------------------------------------------------------------
_PAUSED = re.compile(
    r"\b(?:pause[ds]?|pausing|on hold|put (?:\w+ ){0,3}on hold|postpone[ds]?|park(?:ed|s)?|shelve[ds]?|stop(?:ped|s)?|"
    r"drop(?:ped|s)?|not now|later|aufschieben|verschoben|pausier\w*|auf eis|aplaza\w*|pospon\w*|en pausa)\b",
    re.I,
)


def unpaused_goals(goals: Iterable[str], decisions: Iterable[Any]) -> list[str]:
    """The goals no decision of the session puts on hold ('pause active fundraising' holds 'raise a Series A'):
    a goal paused today is no goal to ask the mentee to rate progress on. All goals when every one is paused."""
    from companion.generation.tasks.goals import goal_kind

    goals = list(goals)
    paused = [d.text for d in decisions if _PAUSED.search(d.text)]

    def held(goal: str) -> bool:
        kind = goal_kind(goal)
        words = {w for w in re.findall(r"[^\W\d_]{5,}", goal.lower())}
        for text in paused:
            if kind != "generic" and goal_kind(text) == kind:
                return True
            if words & set(re.findall(r"[^\W\d_]{5,}", text.lower())):
                return True
        return False

    kept = [g for g in goals if not held(g)]
    return kept or list(goals)
