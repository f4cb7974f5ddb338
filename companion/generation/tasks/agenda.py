"""Session agenda: bank blocks chosen by stage and session type, fitted to the minute.

Blocks are wanted for a reason (the session stage, open action items, the mentor's own
stories, a wellbeing challenge) and ranked by priority; a short session drops the least
important ones instead of shaving every block down to a minute or two.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from companion.generation.base import Retrieved
from companion.generation.tasks.common import (
    PERSONA_LABELS,
    STAGE_LABELS,
    Citations,
    KnowledgeMissing,
    article,
    bank_items,
    fill,
    first_name,
    generator_info,
    infer_persona,
    join_words,
    quoted,
    session_stage,
    slots,
    template_values,
    wellbeing_challenges,
)
from companion.retrieval.retriever import SearchResult
from companion.schemas import ActionItem, Agenda, AgendaItem, Citation, MentoringContext

COMPOSER_VERSION = "offline-agenda-1"

RAPPORT = "block-rapport-checkin"
REVIEW = "block-review-action-items"
NEEDS = "block-needs-assessment"
SHARE = "block-share-experience"
WELLBEING = "block-work-life-check"
NEXT_STEPS = "block-next-steps"
CUE_DRIVEN = frozenset({RAPPORT, REVIEW, NEEDS, SHARE, WELLBEING, NEXT_STEPS})
MAIN_BLOCKS: dict[str, tuple[str, ...]] = {
    "first_session": (NEEDS,),
    "goal_setting": ("block-goal-setting-smart",),
    "feedback": ("block-feedback-exchange-sbi",),
    "decision": ("block-options-mapping",),
    "closing": ("block-partnership-retrospective",),
}
"""The block that carries each session type's main work; progress reviews choose by focus and rank."""

BREAK_FROM_MINUTES = 120
BREAK_MINUTES = 10
STRETCH = 2
"""In long sessions a supporting block grows to at most this multiple of its default length."""
MAX_BANK_PROMPTS = 4
MAX_PROMPTS = 6
MAX_STORIES = 2

# Priorities: lower survives a short session. Extras (any other eligible block) rank after all of these.
REQUIRED, CARRY_FORWARD, RAPPORT_EARLY, NEEDS_EARLY, STORIES, TYPE_SPECIFIC, WELLBEING_CUE = range(7)
EXTRAS = 10
# Order inside the open / middle / close part of the agenda.
FIRST, EARLY_IN_PART, MIDDLE_OF_PART, LATE_IN_PART, AFTER_CUED, LAST = 0, 1, 2, 3, 4, 9
POSITIONS = ("open", "middle", "close")

SESSION_TYPE_LABELS = {
    "first_session": "first session",
    "goal_setting": "goal setting",
    "progress_review": "progress review",
    "feedback": "feedback",
    "decision": "decision",
    "closing": "closing",
}

NEEDS_QUESTIONS: dict[str, tuple[str, ...]] = {
    "first_time_founder": (
        "Of product, customers, fundraising and hiring, which one will decide how the next three months go?",
        "Which decision about the company have you been postponing, and what is holding it up?",
    ),
    "scaling_founder": (
        "Which parts of running the company still wait on you personally, and who could own them?",
        "What did you do yourself a year ago that the company now needs someone else to do?",
    ),
    "engineer": (
        "What would your manager need to see from you as a {role} to trust you with a bigger scope?",
        "Which part of your work do you want to get noticeably better at this year?",
    ),
    "manager": (
        "Which conversation with someone on your team have you been putting off?",
        "How does your own manager judge whether you are doing well as a {role}?",
    ),
    "emerging_leader": (
        "What part of your old way of working is hardest to let go of as a {role}?",
        "Who outside your team should know your work better, and why do they not yet?",
    ),
    "career_changer": (
        "What do you already know about the daily work in the new field, and what are you still guessing?",
        "How long could you manage on a lower income if the move takes longer than planned?",
    ),
    "student": (
        "Which two or three paths are you curious about, and how could you try one of them this term?",
        "Who could show you what a normal working day in that field looks like?",
    ),
}

NEEDS_SECTIONS = {
    "first_time_founder": "First-time founder",
    "scaling_founder": "Founder scaling a business",
    "engineer": "Employee growing into leadership",
    "manager": "Employee growing into leadership",
    "emerging_leader": "Employee growing into leadership",
    "career_changer": "Career changer",
    "student": "Student",
}

_FOCUS_TYPES: tuple[tuple[str, str], ...] = (
    ("decision", r"\b(decision|decide|deciding|choice|choose|dilemma|offer)\b"),
    ("feedback", r"\b(feedback|self[- ]assessment|performance review)\b"),
    ("goal_setting", r"\b(goals?|goal[- ]setting|objectives?|okrs?|planning)\b"),
)

TEMPLATED = [
    "Block titles, purposes, default lengths and questions come from the agenda-blocks bank; fixed rules for the "
    "session stage and type choose and order them.",
    "Minutes: every block starts at its shortest useful length, then spare time goes to blocks in priority order, "
    "so the total equals the session length exactly.",
    "Placeholders such as {goal}, {focus}, {role} and {challenge} are filled with the mentee's own words.",
    "The questions about carried-forward action items, the persona needs questions, the wellbeing question and the "
    "story suggestions are fixed sentence templates.",
    f"Sessions of {BREAK_FROM_MINUTES} minutes or more get a fixed {BREAK_MINUTES}-minute break.",
]


@dataclass
class _Block:
    """One candidate agenda item; lower `priority` is kept first when time is short."""

    key: str
    priority: int
    position: str
    order: int
    rank: int
    title: str
    purpose: str
    default_minutes: int
    min_minutes: int
    prompts: list[str] = field(default_factory=list)
    minutes: int = 0
    """The allocated length, set by `_allocate`."""
    citations: list[Citation] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple[int, int, int]:
        return (POSITIONS.index(self.position), self.order, self.rank)


def session_type(context: MentoringContext, stage: str) -> str:
    """The kind of session: stage first, then words in the focus, then the session number."""
    if stage in ("first_session", "closing"):
        return stage
    focus = " ".join(context.session.focus).lower()
    for kind, pattern in _FOCUS_TYPES:
        if re.search(pattern, focus):
            return kind
    if context.session.number == 2 and not context.open_action_items:
        return "goal_setting"
    return "progress_review"


def _eligible(item: dict[str, Any], kind: str, stage: str) -> bool:
    stages = item.get("stages") or []
    return kind in (item.get("session_types") or []) and (not stages or stage in stages)


def _owner_label(owner: str | None, context: MentoringContext) -> str | None:
    if owner == "mentee":
        return first_name(context.mentee.name)
    if owner == "mentor":
        return first_name(context.mentor.name) or "mentor"
    return owner


def _action_prompt(item: ActionItem, context: MentoringContext) -> str:
    owner = _owner_label(item.owner, context)
    who = f" ({owner})" if owner else ""
    reference = context.reference_date
    if item.done:
        return f"{quoted(item.text)}{who} is done: what made it work?"
    if item.due is None:
        return f"{quoted(item.text)}{who}: where does it stand?"
    if item.due < reference:
        days = (reference - item.due).days
        return f"{quoted(item.text)}{who} was due {item.due.isoformat()}, overdue by {days} day{'s' * (days != 1)}: what got in the way?"
    return f"{quoted(item.text)}{who}, due {item.due.isoformat()}: done, in progress or stuck?"


def _bank_prompts(item: dict[str, Any], values: dict[str, str | None]) -> list[str]:
    """Bank questions with placeholders filled; personalised ones first, unfillable ones left out."""
    personal: list[str] = []
    general: list[str] = []
    for template in item.get("prompts") or []:
        filled = fill(str(template), values)
        if filled is not None:
            (personal if slots(str(template)) else general).append(filled)
    return (personal + general)[:MAX_BANK_PROMPTS]


class _Composer:
    def __init__(self, context: MentoringContext, retrieved: Retrieved) -> None:
        self.context = context
        self.retrieved = retrieved
        self.citations = Citations(retrieved)
        self.stage = session_stage(context.session)
        self.kind = session_type(context, self.stage)
        self.persona = infer_persona(context)
        self.values = template_values(context)
        self.duration = context.session.duration_minutes
        self.blocks: dict[str, tuple[int, SearchResult, dict[str, Any]]] = {}
        for rank, (result, item) in enumerate(bank_items(retrieved.get("agenda_blocks"))):
            self.blocks.setdefault(str(item["id"]), (rank, result, item))
        if NEXT_STEPS not in self.blocks:
            raise KnowledgeMissing(
                f"no agenda blocks were retrieved for tenant {context.tenant!r}; run `companion knowledge ingest` first"
            )
        self.open_items = [a for a in context.open_action_items if not a.done]
        self.stories = self._own_stories()
        self.notes: list[str] = []
        self.main_id = self._main_block_id()

    def _own_stories(self) -> list[SearchResult]:
        """This mentor's shareable experience notes that retrieval found relevant (one per source)."""
        mentor = self.retrieved.mentor_authors
        if not mentor:
            return []
        stories: list[SearchResult] = []
        for result in self.retrieved.get("mentor_notes"):
            shareable = result.author in mentor and result.visibility == "shared"
            if shareable and all(result.source != s.source for s in stories):
                stories.append(result)
        return stories[:MAX_STORIES]

    def _block(self, block_id: str, priority: int, order: int) -> _Block:
        rank, result, item = self.blocks[block_id]
        return _Block(
            key=block_id,
            priority=priority,
            position=str(item.get("position", "middle")),
            order=order,
            rank=rank,
            title=str(item["title"]),
            purpose=str(item["purpose"]),
            default_minutes=int(item["minutes"]),
            min_minutes=int(item.get("min_minutes") or item["minutes"]),
            prompts=_bank_prompts(item, self.values),
            citations=self.citations.cite(result),
        )

    def _main_block_id(self) -> str:
        """The block that carries the session's work: the session type's own block, a {focus} block in a progress
        review with a focus, else the best-ranked eligible middle block."""
        for preferred in MAIN_BLOCKS.get(self.kind, ()):
            if preferred in self.blocks:
                return preferred
        candidates = [
            (rank, block_id, item)
            for block_id, (rank, _, item) in self.blocks.items()
            if item.get("position") == "middle"
            and block_id not in CUE_DRIVEN
            and _eligible(item, self.kind, self.stage)
        ]
        candidates.sort(key=lambda c: c[0])
        if self.values["focus"] and self.kind == "progress_review":
            focused = [c for c in candidates if any("{focus}" in str(p) for p in c[2].get("prompts") or [])]
            candidates = focused + [c for c in candidates if c not in focused]
        if not candidates:
            return NEEDS if NEEDS in self.blocks else NEXT_STEPS
        return candidates[0][1]

    def wanted_blocks(self) -> list[_Block]:
        """Every block this session could use, each with the priority that decides what survives a short slot."""
        context = self.context
        early = self.stage in ("first_session", "early")
        main_id = self.main_id
        chosen: dict[str, _Block] = {}

        def want(block_id: str, priority: int, order: int) -> _Block | None:
            if block_id in chosen or block_id not in self.blocks:
                return chosen.get(block_id)
            chosen[block_id] = self._block(block_id, priority, order)
            return chosen[block_id]

        next_steps = want(NEXT_STEPS, REQUIRED, LAST)
        main = want(main_id, REQUIRED, EARLY_IN_PART)
        if main is not None and self.values["focus"] and main.key != NEEDS:
            main.purpose += f" Today's focus: {self.values['focus']}."
        if self.open_items or any(a.done for a in context.open_action_items):
            review = want(REVIEW, CARRY_FORWARD, MIDDLE_OF_PART)
            if review is not None:
                self._add_review_prompts(review)
        if early:
            want(RAPPORT, RAPPORT_EARLY, FIRST)
            needs = want(NEEDS, NEEDS_EARLY, FIRST)
            if needs is not None:
                self._tailor_needs(needs)
        if self.stories:
            share = want(SHARE, STORIES, MIDDLE_OF_PART)
            if share is not None:
                self._add_stories(share)
        elif context.mentor.name:
            self.notes.append(
                f"No shareable experience notes by {context.mentor.name} matched this context, so there is no "
                "'Share your experience' block."
            )
        for block_id, (_, _, item) in sorted(self.blocks.items(), key=lambda pair: pair[1][0]):
            type_specific = len(item.get("session_types") or []) == 1 and item.get("position") != "middle"
            if type_specific and _eligible(item, self.kind, self.stage):
                want(block_id, TYPE_SPECIFIC, EARLY_IN_PART)
        challenges = wellbeing_challenges(context)
        if challenges:
            wellbeing = want(WELLBEING, WELLBEING_CUE, LATE_IN_PART)
            if wellbeing is not None:
                wellbeing.prompts.insert(
                    0, f"You mentioned {quoted(challenges[0])}: what would a sustainable week look like for you?"
                )
        for block_id, (rank, _, item) in sorted(self.blocks.items(), key=lambda pair: pair[1][0]):
            if _eligible(item, self.kind, self.stage) and block_id not in (NEEDS, SHARE, WELLBEING, REVIEW):
                want(block_id, EXTRAS + rank, AFTER_CUED)
        if next_steps is not None and self.open_items:
            next_steps.prompts.append("Which of the open action items carry over, and do their dates still hold?")
        return list(chosen.values())

    def _add_review_prompts(self, review: _Block) -> None:
        carried = [_action_prompt(a, self.context) for a in self.context.open_action_items]
        overdue = [a for a in self.open_items if a.due is not None and a.due < self.context.reference_date]
        review.prompts = carried + review.prompts[:2]
        review.purpose += f" Carried forward: {len(self.open_items)} open item{'s' * (len(self.open_items) != 1)}"
        review.purpose += f", {len(overdue)} overdue." if overdue else "."
        if overdue:
            self.notes.append(
                f"{len(overdue)} carried-forward action item{'s are' if len(overdue) != 1 else ' is'} overdue as of "
                f"{self.context.reference_date.isoformat()}."
            )

    def _tailor_needs(self, needs: _Block) -> None:
        if self.persona is None:
            self.notes.append(
                "No persona was recognised in the role or situation; the needs block asks general questions."
            )
            return
        label = PERSONA_LABELS[self.persona]
        questions = [q for q in (fill(t, self.values) for t in NEEDS_QUESTIONS[self.persona]) if q]
        needs.prompts = (questions + needs.prompts)[:MAX_PROMPTS]
        needs.purpose += f" Framed for {article(label)}."
        section = NEEDS_SECTIONS[self.persona]
        for result in self.retrieved.get("needs_guides"):
            if result.heading.split(" > ")[-1] == section:
                needs.citations += [c for c in self.citations.cite(result) if c not in needs.citations]
                break

    def _add_stories(self, share: _Block) -> None:
        offers = [
            f"Story to offer: {quoted(story.title)}. Tell it in about two minutes, then ask which part fits "
            f"{first_name(self.context.mentee.name)}'s situation."
            for story in self.stories
        ]
        share.prompts = offers + share.prompts[:2]
        share.citations += [c for c in self.citations.cite(*self.stories) if c not in share.citations]

    def fit(self, wanted: list[_Block]) -> list[_Block]:
        """Keep blocks in priority order while they fit; required blocks may shrink to their minimum."""
        reserved = BREAK_MINUTES if self.duration >= BREAK_FROM_MINUTES else 0
        budget = self.duration - reserved
        required = [b for b in wanted if b.priority == REQUIRED]
        floor = sum(b.min_minutes for b in required)
        if floor > budget:
            elastic = next(b for b in required if b.key != NEXT_STEPS) if len(required) > 1 else required[0]
            elastic.min_minutes = max(1, elastic.min_minutes - (floor - budget))
            elastic.default_minutes = max(elastic.default_minutes, elastic.min_minutes)
        kept = list(required)
        dropped = []
        for block in sorted((b for b in wanted if b.priority > REQUIRED), key=lambda b: (b.priority, b.rank)):
            if block.priority < EXTRAS:
                fits = sum(b.min_minutes for b in kept) + block.min_minutes <= budget
            else:
                fits = sum(b.default_minutes for b in kept) + block.default_minutes <= budget
            if fits:
                kept.append(block)
            elif block.priority < EXTRAS:
                dropped.append(block.title)
        if dropped:
            self.notes.append(f"Left out to fit {self.duration} minutes: {join_words(dropped)}.")
        self._allocate(kept, budget)
        ordered = sorted(kept, key=lambda b: b.sort_key)
        if reserved:
            middle = [i for i, b in enumerate(ordered) if b.position == "middle"]
            at = middle[math.ceil(len(middle) / 2)] if len(middle) > 1 else len(ordered) - 1
            pause = _Block(
                key="break",
                priority=REQUIRED,
                position="middle",
                order=FIRST,
                rank=0,
                title="Break",
                purpose="A short pause keeps a long session productive.",
                default_minutes=BREAK_MINUTES,
                min_minutes=BREAK_MINUTES,
                minutes=BREAK_MINUTES,
            )
            ordered.insert(at, pause)
        return ordered

    def _allocate(self, blocks: list[_Block], budget: int) -> None:
        """Minimum first, then up to the default length by priority; a long session's spare time lets the other
        middle blocks stretch to twice their default and gives the rest to the main block."""
        for block in blocks:
            block.minutes = block.min_minutes
        spare = budget - sum(b.minutes for b in blocks)
        by_priority = sorted(blocks, key=lambda b: (b.priority, b.rank))
        for block in by_priority:
            extra = min(spare, block.default_minutes - block.minutes)
            block.minutes += extra
            spare -= extra
        main = next((b for b in blocks if b.key == self.main_id), None)
        if main is None or main.position != "middle":
            main = next((b for b in by_priority if b.position == "middle"), by_priority[0])
        for block in by_priority:
            if block is not main and block.position == "middle":
                extra = min(spare, block.default_minutes * (STRETCH - 1))
                block.minutes += extra
                spare -= extra
        main.minutes += spare

    def compose(self) -> Agenda:
        blocks = self.fit(self.wanted_blocks())
        items = [
            AgendaItem(title=b.title, minutes=b.minutes, purpose=b.purpose, prompts=b.prompts, citations=b.citations)
            for b in blocks
        ]
        context = self.context
        kind = "" if self.kind == self.stage else f" of type {SESSION_TYPE_LABELS[self.kind]}"
        notes = [f"Session {context.session.number} is treated as {article(STAGE_LABELS[self.stage])}{kind}."]
        if self.persona is not None:
            notes.append(f"Persona read from the mentee's role and situation: {PERSONA_LABELS[self.persona]}.")
        private = [r for r in self.retrieved.get("mentor_notes") if r.visibility != "shared"]
        if private:
            notes.append(
                f"{len(private)} mentor-private note{'s' * (len(private) != 1)} matched this context; they are not "
                "quoted here because an agenda is often shared with the mentee."
            )
        in_item_order = list({c.chunk_id: c for item in items for c in item.citations}.values())
        return Agenda(
            items=items,
            total_minutes=sum(item.minutes for item in items),
            carried_forward=list(self.open_items),
            citations=in_item_order,
            generator=generator_info(COMPOSER_VERSION, context, TEMPLATED, notes + self.notes),
        )


def compose(context: MentoringContext, retrieved: Retrieved) -> Agenda:
    """An agenda whose minutes add up to the session length, built from the agenda-blocks bank."""
    return _Composer(context, retrieved).compose()
