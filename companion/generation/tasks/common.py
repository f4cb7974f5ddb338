"""What every offline task composer shares: reading cues from the context, filling bank
templates, and citing only chunks that retrieval returned."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from companion.generation.base import Retrieved
from companion.retrieval.retriever import SearchResult
from companion.schemas import Citation, GeneratorInfo, MentoringContext, SessionInfo

PROVIDER = "offline"
MODEL = "grounded-composer"


class MissingInput(ValueError):
    """The context lacks a field this task cannot work without; the message names it."""


class KnowledgeMissing(ValueError):
    """Retrieval returned none of the bank items a task is built from (usually: nothing is indexed)."""


def require_inputs(task: str, context: MentoringContext) -> None:
    """Fail early, with the field to add, when a task has nothing to work from."""
    if task == "decision" and context.decision is None:
        raise MissingInput("the decide task needs a decision: add `decision: {statement: ...}` to the context")
    if task == "feedback" and not (context.notes or "").strip():
        raise MissingInput("the feedback task needs session notes: add `notes:` to the context or pass --notes FILE")


# --------------------------------------------------------------------------------------
# Session stage and persona
# --------------------------------------------------------------------------------------
_CLOSING_FOCUS = re.compile(
    r"^(closing|ending|wrap[- ]?up|wrapping up|farewell)( session)?$"
    r"|\b(closing|final|last|farewell) session\b"
    r"|\b(end|ending|close|closing|wrap|wrapping up) (of |up )?(the |our )?(mentorship|mentoring|partnership|programme|program)\b"
)


def session_stage(session: SessionInfo) -> str:
    """Session 1 is the first, 2-3 are early, later ones established; a closing focus wins."""
    if any(_CLOSING_FOCUS.search(item.lower()) for item in session.focus):
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

_FOUNDER = r"\b(founder|co-?founder|founding|start-?up|pre-?seed|bootstrapp\w*|my own (company|business))\b"
_PERSONA_RULES: tuple[tuple[str, str, str | None], ...] = (
    # (persona, pattern, pattern that must also match)
    (
        "career_changer",
        r"\b(career[- ]chang\w*|changing careers?|career switch\w*|switch\w* (careers?|into|to)|moving (from \w+ )?into|"
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


def normalise(text: str) -> str:
    """Compare questions by words only: case, punctuation and spacing do not count."""
    text = text.lower().replace("’", "'")
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


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
