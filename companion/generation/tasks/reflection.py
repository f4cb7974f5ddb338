"""Reflection prompts for the mentee, tied to the session that just happened and to their goals.

The session comes from the notes in the context: for the mentee view these are the session's
shared notes only (the caller passes no private note, and retrieval for a mentee-facing task
never returns one). What was agreed, decided, won, found hard and planned for next time each
becomes a prompt in the mentee's own terms, and the goal the session worked on gets a
self-assessment question. Each prompt cites the bank prompt (or guide) whose idea it uses.

This output is mentee-facing: besides the retrieval audience, the composer itself refuses any
chunk that is not shared, so a mentor's private note can never surface here.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from companion.generation.base import Retrieved
from companion.generation.goal_history import last_mentee_rating, needs_attention
from companion.generation.tasks.common import (
    LANGUAGE_NAMES,
    STAGE_LABELS,
    Citations,
    KnowledgeMissing,
    bank_items,
    concepts,
    context_stage,
    fill,
    first_name,
    fits_person,
    generator_info,
    guide_section,
    is_setback,
    join_words,
    normalise,
    notes_facts,
    quoted,
    read_person,
    session_stage,
    short_quote,
    slots,
    unpaused_goals,
    words,
)
from companion.generation.tasks.feedback import Voice
from companion.schemas import Citation, MentoringContext, ReflectionPrompt, ReflectionPrompts

if TYPE_CHECKING:
    from companion.generation.notes import NotesFacts

COMPOSER_VERSION = "offline-reflection-5"
PROMPTS_PER_GOAL = 2
MAX_GOALS = 4
GENERAL_PROMPTS = 2
GENERAL_PROMPTS_WITHOUT_GOALS = 5
MAX_SESSION_PROMPTS = 6

SELF_ASSESSMENT = ("refl-069", "refl-050", "refl-075", "refl-082")
CLOSING_SELF_ASSESSMENT = ("refl-065", "refl-069", "refl-050")
IDEAS = {
    "action": ("refl-049", "refl-063", "refl-116"),
    "decision": ("refl-097", "refl-090", "refl-083"),
    "win": ("refl-070", "refl-058"),
    "growth": ("refl-077", "refl-067"),
    "plan": ("refl-116", "refl-118"),
    "wellbeing": ("refl-101", "refl-103", "refl-099"),
}
"""The bank prompts whose idea each kind of session prompt uses (cited), first retrieved one wins."""
GUIDE_SECTIONS = {
    "self_assessment": ("guides/feedback-and-self-assessment.md", "Building a self-assessment rubric"),
    "action": ("guides/feedback-and-self-assessment.md", "Turning feedback into action items"),
    "decision": ("frameworks/decision-journal.md", "What it is"),
    "wellbeing": ("guides/work-life-balance.md", "Setting and keeping boundaries"),
    "growth": ("frameworks/small-experiments.md", "What it is"),
}
"""The guide section whose idea each kind of prompt uses; it is cited beside the bank prompt."""
GUIDE_SOURCES = tuple(dict.fromkeys(source for source, _ in GUIDE_SECTIONS.values()))
CUE_WORDS = {
    "sleep": "sleep",
    "overwork": "long hours",
    "overwhelm": "feeling overwhelmed",
    "stress": "stress",
    "burnout": "burnout",
    "exhaustion": "being tired",
    "low_energy": "low energy",
    "health": "your health",
}
_CHECK_IN = re.compile(r"(?i)\b(?:energy check|check[- ]in|start with)\b")
_THIRD_PERSON = (
    (r"\b(?:his|her)\b", "your"),
    (r"\b(?:himself|herself|themself)\b", "yourself"),
    (r"\b(?:he|she)\b", "you"),
    (r"\bhim\b", "you"),
)
_NEXT_TIME = re.compile(r"(?i)\bnext\s+(?:time|session|call|meeting)\b|\bn[aä]chste\w*\s+mal\b|\bpr[oó]xima\s+vez\b")

TEMPLATED = [
    "Prompts about the session are fixed sentence templates around what the session's notes record (agreed "
    "actions, decisions, wins, things to work on, plans for next time, wellbeing); the notes' own words are quoted.",
    "The goal the session worked on gets a self-assessment question from the reflection-prompts bank; other goals "
    "get bank prompts in turn, with {goal} filled with the mentee's own goal.",
    "Bank prompts are filtered to the session stage and the mentee's age and ordered by retrieval relevance to "
    "the goals, challenges, focus and notes.",
]


_AMBIGUOUS_OWNERS = frozenset({"they", "them", "someone", "somebody", "tbd", "tbc", "?", "who", "wer", "alguien"})


def _names_nobody(owner_as_written: str | None) -> bool:
    """True when the notes give no owner, or only a word that could be anyone ('they', 'someone', '?')."""
    return owner_as_written is None or owner_as_written.strip().lower() in _AMBIGUOUS_OWNERS


def _second_person(text: str, english: bool) -> str:
    """The mentee's own action item addressed to them: 'Write down his top three' -> 'Write down your top three'."""
    if not english:
        return text
    for pattern, replacement in _THIRD_PERSON:
        text = re.sub(pattern, replacement, text)
    return text


_IRREGULAR_PAST = frozenset(
    {"was", "were", "had", "did", "made", "took", "got", "went", "felt", "said", "came", "found", "gave", "kept",
     "left", "lost", "ran", "saw", "thought", "told", "wrote", "spoke", "sent", "led", "held", "knew", "began",
     "brought"}
)  # fmt: skip
_AGREEMENT = {"was": "were", "is": "are", "has": "have", "does": "do", "doesn't": "don't", "wasn't": "weren't",
              "isn't": "aren't", "hasn't": "haven't", "'s": "'re", "’s": "’re"}  # fmt: skip
_SUBJECT = re.compile(r"^(?P<subject>she|he)(?P<verb>'s|’s|\s+[\w'’]+)", re.I)


def to_you(text: str, mentee_first: str | None) -> str | None:
    """A notes sentence about the mentee addressed to them ('She struggled with X' -> 'You struggled with X'),
    or None when the verb would need more than a pronoun swap ('she finds it hard')."""
    text = text.strip().rstrip(".")
    named = bool(mentee_first) and bool(re.match(rf"{re.escape(mentee_first or '')}\b", text))
    if named:
        text = re.sub(rf"^{re.escape(mentee_first or '')}\b", "she", text)
    match = _SUBJECT.match(text)
    if match is None:
        return None
    # The rest speaks of the mentee with the subject's pronouns; an object 'him'/'her' is someone else
    # ('she avoids asking him'). Named, the mentee's pronoun is unknown: both possessives are theirs.
    subject = match.group("subject").lower()
    own = ("his", "her") if named else (("her",) if subject == "she" else ("his",))
    reflexive = ("himself", "herself") if named else (("herself",) if subject == "she" else ("himself",))
    pronoun = ("he", "she") if named else (subject,)
    rules = (
        (rf"\b(?:{'|'.join(own)})\b(?=\s+\w)", "your"),
        (rf"\b(?:{'|'.join(reflexive)})\b", "yourself"),
        (rf"\b(?:{'|'.join(pronoun)})\b", "you"),
    )
    verb = match.group("verb").strip()
    low = verb.lower()
    if low in _AGREEMENT:
        verb = _AGREEMENT[low]
    elif low.endswith("ies") and len(low) > 4:  # 'she worries' -> 'you worry'
        verb = verb[:-3] + "y"
    elif low.endswith(("sses", "ches", "shes", "xes", "zes", "oes")):  # 'she avoids', 'she pushes', 'she goes'
        verb = verb[:-2]
    elif low.endswith("s") and not low.endswith(("ss", "us", "is")) and len(low) > 3:
        verb = verb[:-1]
    elif not (low.endswith("ed") or low in _IRREGULAR_PAST or low in ("will", "would", "could", "can", "should")):
        return None
    joiner = "" if verb.startswith(("'", "’")) else " "
    rest = text[match.end() :]
    for pattern, replacement in rules:
        rest = re.sub(pattern, replacement, rest)
    return "You" + joiner + verb + rest


def _first_clause(text: str) -> str:
    """The note's first clause, or its second when the first only names a conversation ('talked about Kev -
    she avoids asking him': the second says what to work on)."""
    parts = re.split(r"(?<=[.!?])\s+|\s+[-–—]\s+|;\s+", " ".join(text.split()), maxsplit=1)
    if len(parts) > 1 and _TOPIC_ONLY.match(parts[0]) and parts[1].strip():
        return parts[1]
    return parts[0]


_TOPIC_ONLY = re.compile(r"(?i)^(?:we\s+)?(?:talked|spoke|chatted|discussed)\b")
_NEXT_TIME_TAIL = re.compile(r"(?i)\s*(?:in\s+the\s+)?next\s+(?:time|session|call|meeting)\s*[.?!]*$|[.?!]+$")


def _end(sentence: str) -> str:
    return sentence if sentence.endswith(("!", "?", ".")) else f"{sentence}."


def _stop(quote: str) -> str:
    return quote if quote.rstrip("”").endswith(("!", "?", ".", "…")) else f"{quote}."


class _Composer:
    def __init__(self, context: MentoringContext, retrieved: Retrieved) -> None:
        self.context = context
        reading = context_stage(context)
        self.stage = reading.stage
        if reading.reason.startswith("the notes") and re.search(r"(?i)\bnext\b|n[aä]chste|pr[oó]xim", reading.reason):
            self.stage = session_stage(context.session)  # the notes plan the closing for next time
        self.person = read_person(context)
        self.citations = Citations(retrieved)
        self.pool = [
            (result, item)
            for result, item in bank_items(retrieved.get("reflection_prompts"))
            if result.visibility == "shared"
            and item.get("stage") in (self.stage, "any")
            and fits_person(str(item["text"]), self.person)
        ]
        if not self.pool:
            raise KnowledgeMissing(
                f"no reflection prompts were retrieved for tenant {context.tenant!r}; run `companion knowledge "
                "ingest` first"
            )
        self.by_id = {str(item["id"]): (result, item) for result, item in self.pool}
        self.retrieved = retrieved
        written_on: dt.date | None = context.session.date
        self.facts: NotesFacts | None = notes_facts(context, written_on)
        self.name = first_name(context.mentee.name) or "you"
        self.prompts: list[ReflectionPrompt] = []
        self.from_session: list[ReflectionPrompt] = []
        self.seen: set[str] = set()
        self.used_ids: set[str] = set()

    # -- citing ----------------------------------------------------------------------------
    def idea(self, kind: str) -> list[Citation]:
        """The first retrieved bank prompt whose idea a prompt uses, and the guide section behind that idea."""
        for item_id in IDEAS.get(kind, ()):
            if item_id in self.by_id:
                self.used_ids.add(item_id)
                return self.citations.cite(self.by_id[item_id][0]) + self.guide(kind)
        return self.guide(kind)

    def guide(self, kind: str) -> list[Citation]:
        if kind not in GUIDE_SECTIONS:
            return []
        source, heading = GUIDE_SECTIONS[kind]
        found = guide_section(self.retrieved, ("reflection_guides",), source, heading)
        if found is None or found.visibility != "shared":  # mentee-facing: shared chunks only
            return []
        return self.citations.cite(found)

    def add(self, text: str, citations: list[Citation], goal: str | None = None) -> bool:
        key = normalise(text)
        if key in self.seen:
            return False
        self.seen.add(key)
        self.prompts.append(ReflectionPrompt(text=text, goal=goal, citations=citations[:2]))
        return True

    # -- the session that just happened -------------------------------------------------------
    def session_prompts(self) -> int:
        """What the session's notes record, in order of use to the mentee: one agreed action, wellbeing, the
        decision, the win, the thing to work on, the plan for next time, then a second action."""
        facts = self.facts
        if facts is None:
            return 0
        english = facts.language == "en"
        said = (
            "the session notes"
            if english
            else f"the session notes (in {LANGUAGE_NAMES.get(facts.language, facts.language)})"
        )
        candidates: list[tuple[str, str]] = []
        mine = [a for a in facts.action_items if a.owner == "mentee" and not a.done]
        actions = []
        # one sentence per prompt, the question asked about the notes' own item (not a generic question after it)
        asks = (
            "what is the first step, and when will you take it?",
            "what could get in the way, and what will you do if it does?",
        )
        for action, ask in zip(mine[:2], asks, strict=False):
            when = f" (agreed for {action.due.strftime('%A')} {action.due.isoformat()})" if action.due else ""
            text = _second_person(action.text.rstrip("."), english)
            actions.append(f"For {quoted(text)}{when}, {ask}")
        if actions:
            candidates.append((actions[0], "action"))
        kinds = [CUE_WORDS[c.kind] for c in facts.wellbeing if c.kind in CUE_WORDS]
        if kinds:
            candidates.append(
                (
                    f"Today's session touched on {join_words(list(dict.fromkeys(kinds))[:2])}: what is one small "
                    "boundary you could hold before the next session, and how will you hold it?",
                    "wellbeing",
                )
            )
        plans = [
            p
            for p in [*facts.next_time, *(d for d in facts.decisions if _NEXT_TIME.search(d.text))]
            if not _CHECK_IN.search(p.text)
        ]
        decisions = [d for d in facts.decisions if d not in plans and not _NEXT_TIME.search(d.text)]
        for decided in decisions[:1]:
            candidates.append(
                (
                    f"Now that you have slept on today's decision, {quoted(decided.text.rstrip('.'))}, does it still "
                    "feel right, and what would change your mind?",
                    "decision",
                )
            )
        for win in [w for w in facts.wins if not is_setback(w.text)][:1]:
            said_to_you = to_you(_first_clause(win.text), self.name) if english else None
            told = said_to_you.rstrip(".!") if said_to_you else f"A win from today in {said}, {short_quote(win.text)}"
            candidates.append(
                (
                    f"{told}: what did you do that made it work, and how could you do it again on purpose?",
                    "win",
                )
            )
        unnamed = Voice(self.context, self.context.notes or "").strip_third_parties if english else (lambda t: t)
        for growth in facts.growth_areas[:1]:
            clause = unnamed(_first_clause(growth.text))  # the mentee reads it: no one else is named
            initial = self.name[:1].upper()
            if initial not in ("I", "A"):  # "M avoids asking him": the mentee by initial
                clause = re.sub(rf"^{initial}\.?(?=\s+[a-z])", self.name, clause)
            said_to_you = to_you(clause, self.name) if english else None
            told = said_to_you.rstrip(".!") if said_to_you else short_quote(unnamed(growth.text))
            told = f"y{told[1:]}" if told.startswith("You ") else told  # inside the brackets
            candidates.append(
                (
                    f"Something to work on from today ({told}): what small experiment could you try on it before the "
                    "next session?",
                    "growth",
                )
            )
        for plan in plans[:1]:
            candidates.append(
                (
                    f"Planned for next time, {quoted(_NEXT_TIME_TAIL.sub('', plan.text))}: what could you "
                    "prepare so we can start "
                    "on it quickly?",
                    "plan",
                )
            )
        candidates += [(text, "action") for text in actions[1:]]
        # 'is it yours?' only when the notes name nobody; an item they give to someone else by name
        # ('his cofounder Ama will run the update') is not the mentee's to pick up
        unowned = [a for a in facts.action_items if a.owner == "unclear" and _names_nobody(a.owner_as_written)]
        for action in unowned[:1]:
            candidates.append(
                (
                    f"The notes leave open who does {quoted(action.text.rstrip('.'))}: is it yours, and if so, by when?",
                    "action",
                )
            )
        added = 0
        for text, kind in candidates:
            if added >= MAX_SESSION_PROMPTS:
                break
            if self.add(text, self.idea(kind)):
                self.prompts[-1].from_session = True
                self.from_session.append(self.prompts[-1])
                added += 1
        return added

    def worked_goal(self, goals: list[str]) -> str | None:
        """The goal the session worked on: the one sharing most words with the notes and the focus."""
        if not goals:
            return None
        focus = " ".join(self.context.session.focus)
        notes = self.context.notes or ""

        flagged = needs_attention(self.context)
        attention = flagged.goal.statement.casefold() if flagged is not None else None

        def score(goal: str) -> tuple[int, int, int, int]:
            about = concepts(goal)
            in_focus = len(words(goal) & words(focus)) + 2 * len(about & concepts(focus))
            in_notes = len(words(goal) & words(notes)) + len(about & concepts(notes))
            # on a tie, the goal its check-ins say needs attention (without stored check-ins: no effect)
            return (in_focus, in_notes, int(goal.casefold() == attention), -goals.index(goal))

        return max(goals, key=score)

    def self_assessment(self, goal: str) -> bool:
        last = last_mentee_rating(self.context, goal)
        if last is not None:
            # the check-in question itself, with the rating the mentee gave last time
            said = f", saying {quoted(last.comment)}" if last.comment else ""
            question = (
                f"Last time you put {quoted(goal)} at {last.rating} out of 10{said}. Where is it now, from 0 to 10, "
                "and what moved it or held it back?"
            )
            return self.add(question, self.guide("self_assessment"), goal)
        order = CLOSING_SELF_ASSESSMENT if self.stage == "closing" else SELF_ASSESSMENT
        for item_id in order:
            if item_id in self.by_id and item_id not in self.used_ids:
                result, item = self.by_id[item_id]
                if self.facts is not None and self.facts.wellbeing and re.search(r"\beffort\b", str(item["text"])):
                    continue  # someone the notes show struggling is not asked to grade their own effort
                text = fill(str(item["text"]), {"goal": quoted(goal)})
                if text:
                    self.used_ids.add(item_id)
                    return self.add(text, self.citations.cite(result) + self.guide("self_assessment"), goal)
        text = (
            f"On a scale of one to ten, where are you now on {quoted(goal)}, and what evidence from this week "
            "supports that number?"
        )
        return self.add(text, self.guide("self_assessment"), goal)

    # -- goals and general prompts ------------------------------------------------------------
    def goal_prompts(self, goals: list[str], per_goal: dict[str, int]) -> None:
        templates = [
            (r, i) for r, i in self.pool if slots(str(i["text"])) == ["goal"] and str(i["id"]) not in self.used_ids
        ]
        cursor = 0
        for round_ in range(PROMPTS_PER_GOAL):
            for goal in goals:
                if round_ >= per_goal.get(goal, 0):
                    continue
                while cursor < len(templates):
                    result, item = templates[cursor]
                    cursor += 1
                    text = fill(str(item["text"]), {"goal": quoted(goal)})
                    if text and self.add(text, self.citations.cite(result), goal):
                        self.used_ids.add(str(item["id"]))
                        break

    def general_prompts(self, count: int) -> None:
        for result, item in self.pool:
            if count <= 0:
                break
            if slots(str(item["text"])) or str(item["id"]) in self.used_ids:
                continue
            if self.add(str(item["text"]), self.citations.cite(result)):
                self.used_ids.add(str(item["id"]))
                count -= 1

    def compose(self) -> ReflectionPrompts:
        context = self.context
        goals = list(context.mentee.goals)[:MAX_GOALS]
        paused: list[str] = []
        if self.facts is not None:  # a goal the session put on hold gets no prompt to work on it
            kept = unpaused_goals(goals, self.facts.decisions)
            paused, goals = [g for g in goals if g not in kept], kept
        from_session = self.session_prompts()
        worked = self.worked_goal(goals)
        if worked is not None:
            self.self_assessment(worked)
        # Without notes every goal gets two prompts (the worked one: its self-assessment and one more);
        # with notes the session's own prompts take that room and each goal gets one.
        per_goal = {g: (1 if from_session else PROMPTS_PER_GOAL) for g in goals}
        if worked is not None:
            per_goal[worked] -= 1
        self.goal_prompts(goals, per_goal)
        general = GENERAL_PROMPTS if goals else GENERAL_PROMPTS_WITHOUT_GOALS
        self.general_prompts(max(1, general - from_session) if from_session else general)

        order = {goal: index for index, goal in enumerate(goals)}
        session = self.from_session
        tied = sorted(
            (p for p in self.prompts if p.goal is not None), key=lambda p: order.get(p.goal or "", len(goals))
        )
        rest = [p for p in self.prompts if p.goal is None and all(p is not q for q in session)]
        prompts = session + tied + rest
        notes = [f"Stage: {STAGE_LABELS[self.stage]}. Written for the mentee; mentor-private notes are never used."]
        if self.facts is not None:
            notes.append(
                f"{from_session} prompt{'s' * (from_session != 1)} come from the notes of this session (for the "
                "mentee these are the shared notes only); the notes' own words are quoted."
            )
        else:
            notes.append("No session notes were given, so the prompts are not tied to what was discussed.")
        if worked is not None:
            notes.append(f"Self-assessment question for the goal the session worked on: {quoted(worked)}.")
        if paused:
            notes.append(f"No prompt on {join_words([quoted(g) for g in paused])}: the session's notes put it on hold.")
        if not goals:
            notes.append("The mentee lists no goals, so the prompts are general; add goals to tie them to the work.")
        if self.person.young:
            notes.append("Read as a young person: prompts about careers, co-founders and fundraising are left out.")
        return ReflectionPrompts(
            prompts=prompts,
            citations=self.citations.all,
            generator=generator_info(COMPOSER_VERSION, context, TEMPLATED, notes),
        )


def compose(context: MentoringContext, retrieved: Retrieved) -> ReflectionPrompts:
    """Prompts about the session that just happened, a self-assessment for the goal it worked on, the other
    goals in turn and a general prompt or two; shared chunks only."""
    return _Composer(context, retrieved).compose()
