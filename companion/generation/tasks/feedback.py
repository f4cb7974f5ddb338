"""Feedback summary from free-form session notes.

The notes are read line by line: decisions, action items (with owner and due date where the
notes say so), topics, strengths and growth areas. Lines that read like instructions to an AI
are dropped before anything else looks at them, so they can never become output. Feedback
statements follow the SBI patterns of the feedback-patterns bank.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from companion.generation.base import Retrieved
from companion.generation.tasks.common import (
    WELLBEING_CUES,
    Citations,
    MissingInput,
    bank_items,
    best_match,
    fill,
    first_name,
    generator_info,
    join_words,
    looks_like_instruction,
    normalise,
    quoted,
    sentence,
    session_stage,
    slots,
)
from companion.generation.tasks.dates import WEEKDAYS, find_due_date
from companion.retrieval.retriever import SearchResult
from companion.schemas import ActionItem, FeedbackStatement, FeedbackSummary, MentoringContext

COMPOSER_VERSION = "offline-feedback-1"
MAX_STATEMENTS_PER_KIND = 2
MAX_SELF_ASSESSMENT = 4
MAX_TOPIC_WORDS = 6

_BULLET = re.compile(r"^\s*(?:[-*•+>]|\d{1,2}[.)])\s+")
_CHECKBOX = re.compile(r"^\s*(?:[-*•+]\s+)?\[(?P<mark>[ xX])\]\s*")
_HEADING = re.compile(r"^\s*#{1,6}\s+(?P<title>.+?)\s*#*\s*$")
_LABEL = re.compile(r"^(?P<label>[A-Za-z][\w /&'-]{0,30}?)\s*:\s+(?P<rest>\S.*)$")
_SPLIT = re.compile(r"(?<=[.!?;])\s+(?=[A-Za-z\"'“(\[])")
_ABBREVIATIONS = ("e.g.", "i.e.", "vs.", "etc.", "approx.", "mr.", "ms.", "mrs.", "dr.", "no.", "w/o.")
_ACTION_PREFIX = re.compile(
    r"^(?:action(?:\s+items?)?|todo|to-do|to do|follow[- ]?ups?|next steps?)\b\s*[:\-–]?\s*", re.I
)
_ACTION_HEADING = re.compile(
    r"^(?:action(?:\s+items?)?|actions|todos?|to-dos?|follow[- ]?ups?|next steps?)\s*:?\s*$", re.I
)
_DECISION_LABEL = re.compile(r"^(?:decided|decision|agreed|agreement)\s*[:\-–]\s*", re.I)
_DECISION = re.compile(
    r"\b(decided|decision|agreed|agree|we will|we'll|we’ll|settled on|going with|we chose|committed to)\b", re.I
)
_NOT_DECIDED = re.compile(
    r"\b(not|n't|un|no|nothing|nobody|yet to be|still)\s*(yet\s+)?(decided|decision|agreed|deciding)\b", re.I
)
_STRENGTH = re.compile(
    r"\b(went (really |very |so )?well|proud|strong(er|est)?|great|nailed|excellent|improved|confident(ly)?|"
    r"good (job|progress|work)|well done|tighter|clearer|breakthrough)\b",
    re.I,
)
_GROWTH = re.compile(
    r"\b(struggl\w*|hard|difficult|improve|next time|stuck|froze|freez\w*|nervous|rushed|went off|avoid\w*|"
    r"weak(er|ness)?|didn'?t land|missed|slipp\w*|too long|unclear|rambl\w*)\b",
    re.I,
)
_TOPIC_PHRASE = re.compile(
    r"\b(?:talked about|discussed|covered|went through|spent (?:time|most of the time) on|worked on)\s+"
    r"(?:the\s+|a\s+|her\s+|his\s+|their\s+)?(?P<topic>[^,.;:()!?]+)",
    re.I,
)
_OWNER_VERBS = (
    r"(?:will|'ll|’ll|is going to|are going to|am going to|'m going to|agreed to|agrees to|offered to|"
    r"promised to|needs to|has to|must|should|to)"
)
_SELF = re.compile(rf"^(?P<owner>I)\s*{_OWNER_VERBS}\s+(?P<rest>.+)$", re.I)
_YOU = re.compile(rf"^(?P<owner>you)\s*{_OWNER_VERBS}\s+(?P<rest>.+)$", re.I)
_NAMED = re.compile(
    r"^(?P<owner>[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\s*(?:will|'ll|’ll|is going to|agreed to|offered to)\s+(?P<rest>.+)$"
)
_MARKED_OWNER = re.compile(r"^(?P<owner>[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\s*(?::|[-–]|\bto\b)\s*(?P<rest>.+)$")
_NOT_OWNERS_WORDS = (
    "we they it this that these those he she who there what which next then time nothing everyone "
    "someone both plan goal also still maybe perhaps deck round session team company product "
    "everything nobody"
)
_NOT_OWNERS = frozenset(_NOT_OWNERS_WORDS.split())
_PAST_VERBS_WORDS = (
    "froze took made gave ran spoke led kept held got went did told sent wrote built found came "
    "chose began brought taught thought felt left lost won sold bought met saw said"
)
_PAST_VERBS = frozenset(_PAST_VERBS_WORDS.split())


@dataclass
class _Line:
    """One line of notes, with the topic heading it sits under."""

    text: str
    topic: str | None
    checkbox: str | None = None
    speaker: str | None = None
    """In a transcript ('Jonas: I will …'), who is talking: 'I' means them."""
    in_actions: bool = False
    """Under a 'Next steps' or 'Action items' heading, every line is an action item."""


@dataclass
class _Observation:
    """A strength or growth area in the notes' own words, with where it was said and by whom."""

    text: str
    topic: str | None
    speaker: str | None = None


@dataclass
class ParsedNotes:
    """Everything the summary takes from the notes (instruction-like lines already removed)."""

    decisions: list[str] = field(default_factory=list)
    action_items: list[ActionItem] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    strengths: list[_Observation] = field(default_factory=list)
    growth_areas: list[_Observation] = field(default_factory=list)
    skipped_instructions: int = 0


def _clean(text: str) -> str:
    text = re.sub(r"\bw/(?=\s)", "with", text)
    return " ".join(text.split()).strip(" -–—")


def _topic_label(text: str) -> str:
    text = _clean(text).strip(" :")
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def _sentences(text: str) -> list[str]:
    pieces: list[str] = []
    for piece in _SPLIT.split(text):
        if pieces and pieces[-1].lower().endswith(_ABBREVIATIONS):
            pieces[-1] = f"{pieces[-1]} {piece}"
        else:
            pieces.append(piece)
    return [p.strip() for p in pieces if p.strip()]


def _looks_like_heading(line: str) -> bool:
    """A short unpunctuated line such as 'Hiring' that introduces the bullets below it."""
    words = line.split()
    return (
        0 < len(words) <= 3
        and line[0].isupper()
        and line[-1] not in ".!?;,"
        and not _BULLET.match(line)
        and not _ACTION_PREFIX.match(line)
        and not _DECISION.search(line)
    )


class NotesReader:
    """Extracts the parts of a feedback summary from messy, free-form notes."""

    def __init__(self, context: MentoringContext) -> None:
        self.context = context
        self.reference = context.reference_date
        self.mentee_names = {n.lower() for n in (context.mentee.name, first_name(context.mentee.name)) if n}
        mentor = context.mentor.name
        self.mentor_names = {n.lower() for n in (mentor, first_name(mentor)) if n}
        known = {n for n in (context.mentee.name, first_name(context.mentee.name), mentor, first_name(mentor)) if n}
        names = "|".join(re.escape(n) for n in sorted(known, key=lambda n: (-len(n), n)))
        self._known_leading = (
            re.compile(rf"^(?P<owner>{names})\s*(?::|[-–]|{_OWNER_VERBS}\b)\s*(?P<rest>.+)$", re.I) if known else None
        )
        self._known_inside = (
            re.compile(
                rf"\b(?P<owner>{names})\s+(?:will|'ll|’ll|is going to|agreed to|offered to|promised to)\s+(?P<rest>[^.;]+)",
                re.I,
            )
            if known
            else None
        )

    def owner(self, raw: str, speaker: str | None = None) -> str:
        """'mentee', 'mentor' or the name as written; 'I' is the speaker (the mentor, who writes the notes)."""
        lowered = raw.lower()
        if lowered in ("i", "me"):
            return speaker or "mentor"
        if lowered == "you":
            return "mentor" if speaker == "mentee" else "mentee"
        if lowered in self.mentee_names:
            return "mentee"
        if lowered in self.mentor_names:
            return "mentor"
        return raw

    def lines(self, notes: str, parsed: ParsedNotes) -> list[_Line]:
        """Notes as lines with their topic, speaker and checkbox; instruction-like lines are counted and dropped."""
        topic: str | None = None
        in_actions = False
        found: list[_Line] = []
        for raw in notes.splitlines():
            line = raw.strip()
            if not line:
                continue
            if looks_like_instruction(line):
                parsed.skipped_instructions += 1
                continue
            heading = _HEADING.match(line)
            title = heading.group("title") if heading else line
            if _ACTION_HEADING.match(_BULLET.sub("", title)):
                in_actions = True
                continue
            if heading or (_looks_like_heading(line) and self.action(line) is None):
                topic, in_actions = _topic_label(title), False
                self._add_topic(parsed, topic)
                continue
            checkbox = _CHECKBOX.match(line)
            if checkbox:
                state = "done" if checkbox.group("mark").lower() == "x" else "open"
                found.append(_Line(_clean(line[checkbox.end() :]), topic, state, in_actions=in_actions))
                continue
            line = _clean(_BULLET.sub("", line))
            label = _LABEL.match(line)
            if (
                label
                and not _ACTION_PREFIX.match(line)
                and not _DECISION_LABEL.match(line)
                and label.group("label").lower() not in self.mentee_names | self.mentor_names
                and len(label.group("label").split()) <= 3
                and label.group("label")[:1].isupper()
                and not _STRENGTH.search(label.group("label"))
                and not _GROWTH.search(label.group("label"))
            ):
                line_topic = _topic_label(label.group("label"))
                self._add_topic(parsed, line_topic)
                found.append(_Line(label.group("rest"), line_topic))
                continue
            if label and label.group("label").lower() in self.mentee_names | self.mentor_names:
                rest = label.group("rest")
                if rest[:1].isupper():
                    found.append(_Line(rest, topic, speaker=self.owner(label.group("label"))))
                    continue
            found.append(_Line(line, topic, in_actions=in_actions))
        return found

    @staticmethod
    def _add_topic(parsed: ParsedNotes, topic: str) -> None:
        if topic and normalise(topic) not in {normalise(t) for t in parsed.topics}:
            parsed.topics.append(topic)

    def action(
        self, text: str, checkbox: str | None = None, speaker: str | None = None, listed: bool = False
    ) -> ActionItem | None:
        """An action item when the sentence says who will do what, or is marked or listed as one; None otherwise."""
        body = text
        prefixed = _ACTION_PREFIX.match(body)
        if prefixed:
            body = body[prefixed.end() :]
            bracket = re.match(r"^\((?P<owner>[^)]{1,40})\)\s*[:\-–]?\s*", body)
            if bracket:
                return self._item(body[bracket.end() :], self.owner(bracket.group("owner").strip(), speaker), checkbox)
        owner, rest = self._leading_owner(body)
        marked = bool(prefixed or checkbox or listed)
        if owner is None and marked:
            owner, rest = self._marked_owner(body)
        if owner is None and not marked:
            owner, rest = self._owner_inside(body)
        if owner is not None:
            return self._item(rest, self.owner(owner, speaker), checkbox)
        return self._item(body, None, checkbox) if marked else None

    def _leading_owner(self, body: str) -> tuple[str | None, str]:
        """'I'll …', 'You will …', 'Priya to …', 'Priya: …' or 'Sam will …' at the start of a sentence."""
        for pattern in (_SELF, _YOU, self._known_leading):
            match = pattern.match(body) if pattern is not None else None
            if match:
                return match.group("owner"), match.group("rest")
        named = _NAMED.match(body)
        if (
            named
            and named.group("owner").split()[0].lower() not in _NOT_OWNERS
            and not named.group("rest").lower().startswith("be ")
        ):
            return named.group("owner"), named.group("rest")
        return None, body

    @staticmethod
    def _marked_owner(body: str) -> tuple[str | None, str]:
        """In a marked action ('ACTION: Sam to …', '- [ ] Sam: …'), any leading name is the owner."""
        match = _MARKED_OWNER.match(body)
        if match and match.group("owner").split()[0].lower() not in _NOT_OWNERS:
            return match.group("owner"), match.group("rest")
        return None, body

    def _owner_inside(self, body: str) -> tuple[str | None, str]:
        """'Agreed that Priya will send …': a known name with a future verb in mid-sentence."""
        match = self._known_inside.search(body) if self._known_inside is not None else None
        return (match.group("owner"), match.group("rest")) if match else (None, body)

    def _item(self, body: str, owner: str | None, checkbox: str | None) -> ActionItem | None:
        due = find_due_date(body, self.reference)
        text = body
        if due is not None:
            text = f"{body[: due.start]} {body[due.end :]}"
        text = re.sub(r"^\s*(?:to|:)\s+", "", _clean(text)).strip(" ,;:.")
        if not text:
            return None
        return ActionItem(
            text=text[0].upper() + text[1:],
            owner=owner,
            due=due.date if due else None,
            done=checkbox == "done",
        )

    def read(self, notes: str) -> ParsedNotes:
        parsed = ParsedNotes()
        for focus in self.context.session.focus:
            self._add_topic(parsed, _topic_label(focus))
        for line in self.lines(notes, parsed):
            rest: list[str] = []
            for part in [line.text] if line.checkbox or line.in_actions else _sentences(line.text):
                item = self.action(part, line.checkbox, line.speaker, line.in_actions)
                if item is not None:
                    parsed.action_items.append(item)
                elif _DECISION.search(part) and not _NOT_DECIDED.search(part):
                    decision = sentence(_DECISION_LABEL.sub("", part))
                    if normalise(decision) not in {normalise(d) for d in parsed.decisions}:
                        parsed.decisions.append(decision)
                elif not part.endswith("?"):
                    rest.append(part)
                for phrase in _TOPIC_PHRASE.finditer(part):
                    self._add_topic(parsed, " ".join(phrase.group("topic").split()[:MAX_TOPIC_WORDS]))
            remainder = " ".join(rest)
            if remainder and _STRENGTH.search(remainder):
                parsed.strengths.append(_Observation(remainder, line.topic, line.speaker))
            if remainder and _GROWTH.search(remainder):
                parsed.growth_areas.append(_Observation(remainder, line.topic, line.speaker))
        return parsed


def read_notes(context: MentoringContext) -> ParsedNotes:
    """Parse `context.notes`; the entry point tests and other tasks use."""
    return NotesReader(context).read(context.notes or "")


# --------------------------------------------------------------------------------------
# SBI statements
# --------------------------------------------------------------------------------------
STRENGTH_PATTERNS = ("fb-sbi-positive-specific", "fb-sbi-basic")
GROWTH_PATTERNS = ("fb-sbi-with-question", "fb-sbi-basic")
IMPACTS = {
    ("fb-sbi-positive-specific", "strength"): "you are closer to {goal}",
    ("fb-sbi-basic", "strength"): "a real step towards {goal}",
    ("fb-sbi-with-question", "growth"): "it matters for {goal}",
    ("fb-sbi-basic", "growth"): "a step away from {goal}",
}


_AGREEMENT = {"was": "were", "is": "are", "has": "have", "does": "do", "wasn't": "weren't", "isn't": "aren't"}
_AGREEMENT |= {"hasn't": "haven't", "doesn't": "don't", "am": "are", "'m": "are"}
_SECOND_PERSON = (
    (r"\b(he|she)'d\b", "you'd"),
    (r"\b(he|she)'ll\b", "you'll"),
    (r"\b(himself|herself)\b", "yourself"),
    (r"\bhis\b", "your"),
    (r"\bhim\b", "you"),
)


def _second_person(phrase: str, first_person: bool = False) -> str:
    """'was very open about his plan' -> 'were very open about your plan' (after a 'you' subject)."""
    first, _, rest = phrase.partition(" ")
    first = _AGREEMENT.get(first.lower(), first)
    phrase = f"{first} {rest}".strip()
    replacements = _SECOND_PERSON + (((r"\bmy\b", "your"), (r"\bme\b", "you")) if first_person else ())
    for pattern, replacement in replacements:
        phrase = re.sub(pattern, replacement, phrase, flags=re.I)
    return phrase


def verb_phrase(observation: str, mentee_names: set[str], speaker: str | None = None) -> str | None:
    """The observation as 'you ...' would continue it ('struggled with ...'), or None when it does not read so."""
    first = _sentences(observation)[0].rstrip(".!?;")
    label = _LABEL.match(first)
    if label:
        first = label.group("rest")
    subject = re.match(r"^(?P<subject>\w+)\s+(?P<rest>.+)$", first)
    if subject is None:
        return None
    word, rest = subject.group("subject"), subject.group("rest")
    if word.lower() in mentee_names | {"she", "he", "they"} or (word == "I" and speaker == "mentee"):
        return _second_person(rest, first_person=word == "I")
    if word.lower().endswith("ed") or word.lower() in _PAST_VERBS:
        return first[0].lower() + first[1:]
    return None


def _statement(
    observation: _Observation,
    kind: str,
    patterns: dict[str, tuple[SearchResult, dict[str, Any]]],
    context: MentoringContext,
    citations: Citations,
    mentee_names: set[str],
) -> FeedbackStatement | None:
    """One SBI statement in the shape of the best bank pattern for its kind, citing that pattern."""
    preferred = STRENGTH_PATTERNS if kind == "strength" else GROWTH_PATTERNS
    available = [p for p in preferred if p in patterns]
    if not available:
        return None
    goal = best_match(context.mentee.goals, f"{observation.text} {observation.topic or ''}")
    goal_text = quoted(goal) if goal else "what you are working towards"
    if WELLBEING_CUES.search(f"{observation.text} {observation.topic or ''}"):
        goal_text = "your energy and everything else you are working on"
    topic = observation.topic or join_words(list(context.session.focus))
    situation = f"session {context.session.number}" + (f" ({topic})" if topic else "")
    phrase = verb_phrase(observation.text, mentee_names, observation.speaker)
    observed = sentence(_sentences(observation.text)[0])
    pattern_id = available[0]
    result, item = patterns[pattern_id]
    impact = IMPACTS[(pattern_id, kind)].format(goal=goal_text)
    text = fill(str(item["pattern"]), {"situation": situation, "behaviour": phrase, "impact": impact})
    if text is None or set(slots(str(item["pattern"]))) - {"situation", "behaviour", "impact"}:
        lowered = observed[:1].lower() + observed[1:] if observed[1:2].islower() else observed
        text = f"In {situation}: {lowered[:-1]}. The impact: {impact}."
    citations.cite(result)
    return FeedbackStatement(
        situation=sentence(f"In {situation}")[:-1],
        behavior=phrase or observed[:-1],
        impact=impact,
        text=sentence(text),
    )


TEMPLATED = [
    "Decisions, action items, owners, due dates, topics, strengths and growth areas are extracted from the notes by "
    "fixed keyword rules (for example 'decided', 'agreed', 'X will', 'ACTION:', 'TODO', '- [ ]', 'by Friday', "
    "'went well', 'struggled'); the text is the notes' own wording.",
    "Feedback statements fill the SBI patterns of the feedback-patterns bank with the session, the observation from "
    "the notes and a fixed impact sentence tied to the mentee's goal.",
    "Self-assessment questions come from the reflection-prompts bank, with {goal} filled in.",
    "The summary is a fixed sentence template.",
]


def compose(context: MentoringContext, retrieved: Retrieved) -> FeedbackSummary:
    """A summary a mentor can send after the session, built only from the notes and the banks."""
    if not (context.notes or "").strip():
        raise MissingInput("the feedback task needs session notes: add `notes:` to the context or pass --notes FILE")
    reader = NotesReader(context)
    parsed = reader.read(context.notes or "")
    citations = Citations(retrieved)
    patterns = {
        str(item["id"]): (result, item)
        for result, item in bank_items(retrieved.get("feedback_patterns"))
        if item.get("form") == "sbi"
    }
    mentee_names = reader.mentee_names
    statements: list[FeedbackStatement] = []
    for kind, observations in (("strength", parsed.strengths), ("growth", parsed.growth_areas)):
        for observation in observations[:MAX_STATEMENTS_PER_KIND]:
            statement = _statement(observation, kind, patterns, context, citations, mentee_names)
            if statement is not None:
                statements.append(statement)

    stage = session_stage(context.session)
    goal = best_match(context.mentee.goals, " ".join(context.session.focus))
    questions: list[str] = []
    for result, item in bank_items(retrieved.get("self_assessment")):
        if item.get("stage") not in (stage, "any") or len(questions) >= MAX_SELF_ASSESSMENT:
            continue
        text = fill(str(item["text"]), {"goal": quoted(goal) if goal else None})
        if text and text not in questions:
            questions.append(text)
            citations.cite(result)

    notes = [f"Due dates are resolved against {context.reference_date.isoformat()}."]
    if parsed.skipped_instructions:
        notes.append(
            f"Skipped {parsed.skipped_instructions} line{'s' * (parsed.skipped_instructions != 1)} that read like "
            "instructions to an AI rather than session notes."
        )
    if any(item.owner is None for item in parsed.action_items):
        notes.append("Some action items name no owner in the notes; their owner is left empty.")
    return FeedbackSummary(
        summary=_summary(context, parsed),
        topics=parsed.topics,
        decisions=parsed.decisions,
        action_items=parsed.action_items,
        strengths=[sentence(o.text) for o in parsed.strengths],
        growth_areas=[sentence(o.text) for o in parsed.growth_areas],
        feedback_statements=statements,
        self_assessment_questions=questions,
        citations=citations.all,
        generator=generator_info(COMPOSER_VERSION, context, TEMPLATED, notes),
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' * (number != 1)}"


def _summary(context: MentoringContext, parsed: ParsedNotes) -> str:
    mentee = first_name(context.mentee.name) or "the mentee"
    session = f"Session {context.session.number}"
    if context.session.date is not None:
        session += f" on {context.session.date.isoformat()}"
    covered = f" covered {join_words(parsed.topics[:5])}" if parsed.topics else ""
    open_items = [a for a in parsed.action_items if not a.done]
    dated = [a for a in open_items if a.due is not None]
    parts = [f"{session} with {mentee}{covered}."]
    parts.append(
        f"{_count(len(parsed.decisions), 'decision')} and {_count(len(open_items), 'open action item')} recorded"
        + (f", {len(dated)} with a due date" if open_items else "")
        + "."
    )
    if parsed.strengths or parsed.growth_areas:
        parts.append(
            f"The notes highlight {_count(len(parsed.strengths), 'strength')} and "
            f"{_count(len(parsed.growth_areas), 'area')} to work on."
        )
    next_due = min((a.due for a in dated if a.due is not None), default=None)
    if next_due is not None:
        parts.append(f"The first due date is {_weekday(next_due)} {next_due.isoformat()}.")
    return " ".join(parts)


def _weekday(day: dt.date) -> str:
    """English weekday name whatever the process locale, so output never depends on the machine."""
    return WEEKDAYS[day.weekday()].capitalize()
