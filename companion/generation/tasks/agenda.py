"""Session agenda: blocks chosen for the stage and the person, fitted to the minute.

The agenda reads the session the way a mentor would before writing one:

- the stage, from the session number against the planned number, the focus in the user's own
  words and the notes ("next time is our last session", "Abschluss", "última sesión"); a closing
  session is a closing (look back, plan ahead without the mentor, celebrate), never a progress
  review with new goals;
- the notes (`companion.generation.notes`): wellbeing cues put a gentle, longer check-in first;
  last time's "next time" plans, unconfirmed owners, action items, wins and decisions are carried in;
- the stated focus and a pending decision each get their own block, with the decision's deadline;
- the person: questions fit the mentee's age, role and situation (no co-founders or fundraising
  for a teenager), and profile text goes into a question only when it reads as a phrase there.

Blocks are wanted for a reason and ranked by priority; a short session drops the least important
ones instead of shaving every block down to a minute or two. Minutes always add up exactly.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from companion.generation.base import Retrieved
from companion.generation.goal_history import needs_attention
from companion.generation.tasks.common import (
    LANGUAGE_NAMES,
    STAGE_LABELS,
    Citations,
    KnowledgeMissing,
    PersonReading,
    article,
    bank_items,
    best_match,
    concepts,
    context_stage,
    distress_level,
    fill_phrase,
    first_name,
    fits_person,
    generator_info,
    guide_section,
    infer_persona,
    is_closing_focus,
    is_setback,
    join_words,
    looks_english,
    notes_facts,
    persona_label,
    quoted,
    read_person,
    short_quote,
    slot_safe,
    slot_values,
    slots,
    unpaused_goals,
    wellbeing_challenges,
    words,
)
from companion.generation.tasks.feedback import check_previous
from companion.retrieval.retriever import SearchResult
from companion.schemas import ActionItem, Agenda, AgendaItem, Citation, MentoringContext

if TYPE_CHECKING:
    from companion.generation.notes import NoteAction, NoteFact, NotesFacts

COMPOSER_VERSION = "offline-agenda-6"

RAPPORT = "block-rapport-checkin"
REVIEW = "block-review-action-items"
NEEDS = "block-needs-assessment"
SHARE = "block-share-experience"
WELLBEING = "block-work-life-check"
NEXT_STEPS = "block-next-steps"
GROW = "block-grow-coaching"
OPTIONS = "block-options-mapping"
LOOKING_BACK = "block-looking-back-opening"
RETROSPECTIVE = "block-partnership-retrospective"
SELF_ASSESSMENT = "block-self-assessment"
FAREWELL = "block-farewell"
CUE_DRIVEN = frozenset({RAPPORT, REVIEW, NEEDS, SHARE, WELLBEING, NEXT_STEPS})
MAIN_BLOCKS: dict[str, tuple[str, ...]] = {
    "first_session": (NEEDS,),
    "goal_setting": ("block-goal-setting-smart",),
    "feedback": ("block-feedback-exchange-sbi",),
    "decision": (OPTIONS,),
    "closing": (RETROSPECTIVE,),
}
"""The block that carries each session type's main work; progress reviews choose by focus and rank."""
FOCUS_BLOCKS: dict[str, str] = {
    "first_session": GROW,
    "goal_setting": "block-goal-setting-smart",
    "progress_review": GROW,
    "feedback": "block-feedback-exchange-sbi",
    "decision": OPTIONS,
}
"""The bank block whose method a stated focus is worked through with, by session type."""

SESSION_GUIDES = {
    "first_session": "sessions/first-session.md",
    "goal_setting": "sessions/goal-setting-session.md",
    "progress_review": "sessions/progress-review-session.md",
    "feedback": "sessions/feedback-session.md",
    "decision": "sessions/decision-session.md",
    "closing": "sessions/closing-session.md",
}
"""The session-type guide each kind of session follows (fetched by `retrieval_plan`)."""
WELLBEING_GUIDE = "guides/work-life-balance.md"
REVIEW_GUIDE = "sessions/progress-review-session.md"
DECISION_GUIDES = (
    "sessions/decision-session.md",
    "frameworks/reversible-vs-irreversible.md",
    "guides/calculated-career-risk.md",
)
GUIDE_GROUPS = ("session_guide", "wellbeing_guide", "decision_guides", "review_guide", "needs_guides", "guides")

BREAK_FROM_MINUTES = 120
BREAK_MINUTES = 10
STRETCH = 2
"""In long sessions a supporting block grows to at most this multiple of its default length."""
ABSOLUTE_MIN = 3
CLOSE_IN_FULL_FROM = 45
"""From this session length on, the closing block keeps its full default length."""
REQUIRED_IN_FULL_FROM = 45
"""From this length on, the check-in and the main block get their full length before optional blocks get any."""
MAX_BANK_PROMPTS = 4
MAX_GENERAL_PROMPTS = 3
"""A block's questions that would read the same for anyone: at most three, so a block is not all filler;
two in a block of five minutes or less, which has room for two open questions."""
SHORT_BLOCK_MINUTES = 5
MAX_PROMPTS = 6
MAX_STORIES = 2
MAX_PLANS = 2
URGENT_DAYS = 7

# Priorities: lower survives a short session. Extras (any other eligible block) rank after all of these.
REQUIRED, DECISION_URGENT, CARRY_FORWARD, NEXT_TIME, DECISION, NEEDS_EARLY, STORIES, TYPE_SPECIFIC, WELLBEING_CUE = (
    range(9)
)
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

SITUATION_QUESTIONS: dict[str, tuple[str, ...]] = {
    "apprentice": (
        "What do you want to be able to do on your own by the end of this year of your apprenticeship?",
        "Who at work or at college is easiest to ask when you are stuck, and who is hardest?",
    ),
    "young": (
        "What are you enjoying most at the moment, and what would you like to get better at?",
        "What would make these sessions feel useful to you, rather than like more homework?",
    ),
    "returning": (
        "What has changed in the team and the work while you were away, and what has stayed the same?",
        "What does a realistic week look like for you now, inside and outside work?",
    ),
    "newly_promoted": (
        "Which parts of your old job are you still doing that now belong to someone else?",
        "How are the people who used to be your peers reacting to the change?",
    ),
}
"""Questions for what the role and situation say beyond the persona (read by `read_person`)."""

NEEDS_SECTIONS = {
    "first_time_founder": "First-time founder",
    "scaling_founder": "Founder scaling a business",
    "engineer": "Employee growing into leadership",
    "manager": "Employee growing into leadership",
    "emerging_leader": "Employee growing into leadership",
    "career_changer": "Career changer",
    "student": "Student",
}

CUE_QUESTIONS = {
    "sleep": "How have you been sleeping since we last met?",
    "overwork": "How many evenings or weekends has work taken since we last met?",
    "overwhelm": "What feels like too much at the moment, and what could wait?",
    "stress": "What has been weighing on you most since we last met?",
    "burnout": "How are you really doing, away from the to-do list?",
    "exhaustion": "How tired have you been this week, compared with when we last met?",
    "health": "How is your health, and is there anything I should keep in mind today?",
}
"""One question per kind of wellbeing cue in the notes; the cue itself is quoted in the block's purpose."""

_FOCUS_TYPES: tuple[tuple[str, str], ...] = (
    ("decision", r"\b(decision|decide|deciding|choice|choose|dilemma|offer)\b"),
    ("feedback", r"\b(feedback|self[- ]assessment|performance review)\b"),
    ("goal_setting", r"\b(goals?|goal[- ]setting|objectives?|okrs?|planning)\b"),
)
_PRACTICE = re.compile(
    r"(?i)\b(role[- ]?play\w*|rehears\w*|practi[cs]\w*|mock|dry[- ]run|run[- ]through|üben|proben|ensay\w*)\b"
)
_GOOD_NEWS_PROMPTS = frozenset({"What has been the best part of your week so far?"})
"""The check-in's general good-news question, left out when the review starts with a win from the notes."""
_CHECK_IN_PLAN = re.compile(r"(?i)\b(energy check|check[- ]in|start with (?:an? )?(?:energy|wellbeing|how))\b")
_NEXT_TIME_WORDS = re.compile(
    r"(?i)\bnext\s+(?:time|session|call|meeting)\b|\bn[aä]chste\w*\s+mal\b|\bpr[oó]xima\s+vez\b"
)
_PLAN_LEAD = re.compile(
    r"(?i)^(?:agreed:?\s*|decided:?\s*)?(?:(?:in\s+the\s+)?next\s+(?:time|session|call|meeting)[:,]?\s*)?"
    r"(?:(?:we|you|i)(?:'ll|’ll| will| can| should)|let's|to)?\s*"
)
_PLAN_TAIL = re.compile(r"(?i)\s*(?:in\s+the\s+)?next\s+(?:time|session|call|meeting)\s*[.?!]*$|[.?!]+$")
_TRAILING_PRONOUN = re.compile(r"(?i)\s+(?:it|this|that|them)\s*\.?$")
_NOT_FOCUS_WORDS = frozenset(
    {
        "next",
        "time",
        "session",
        "last",
        "plan",
        "talk",
        "discuss",
        "week",
        "today",
        "start",
        "want",
        "get",
        "make",
        "help",
    }
)

TEMPLATED = [
    "Block titles, purposes, default lengths and bank questions come from the agenda-blocks bank; the check-in, "
    "focus, decision, last-time plan, closing look-ahead and wellbeing lines are fixed sentence templates around "
    "the mentee's own facts.",
    "The stage comes from the session number against the planned number, the focus and the notes; the session "
    "type from the stage and the words of the focus.",
    "Minutes: every block starts at its shortest useful length, then spare time goes to blocks in priority order, "
    "so the total equals the session length exactly.",
    "Profile text is put into a question only when it reads as a short phrase there, and non-English text is "
    "quoted; lines taken from the notes are quoted as written.",
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

    def cite(self, citations: list[Citation]) -> None:
        self.citations += [c for c in citations if c not in self.citations]


def session_type(context: MentoringContext, stage: str) -> str:
    """The kind of session: stage first, then words in the focus, then the session number."""
    if stage in ("first_session", "closing"):
        return stage
    focus = " ".join(context.session.focus).lower()
    for kind, pattern in _FOCUS_TYPES:
        if re.search(pattern, focus):
            return kind
    if context.session.number == 2 and not context.open_action_items and not focus.strip():
        return "goal_setting"
    return "progress_review"


def _eligible(item: dict[str, Any], kind: str, stage: str) -> bool:
    stages = item.get("stages") or []
    return kind in (item.get("session_types") or []) and (not stages or stage in stages)


def _stems(text: str) -> set[str]:
    return {w[:5] for w in words(text) if w not in _NOT_FOCUS_WORDS and len(w) > 2}


def related(text: str, other: str) -> bool:
    """Do two phrases share a content word (by its first five letters: 'lateness' ~ 'late', 'asking' ~ 'ask')?"""
    if concepts(text) & concepts(other):
        return True
    mine, theirs = _stems(text), _stems(other)
    return any(a.startswith(b) or b.startswith(a) for a in mine for b in theirs if min(len(a), len(b)) >= 3)


def _same_item(text: str, other: str) -> bool:
    mine, theirs = words(text), words(other)
    if not mine or not theirs:
        return False
    return len(mine & theirs) / min(len(mine), len(theirs)) >= 0.5


def _variant(general: str, personal: str) -> bool:
    """The personal question is the general one with a slot filled: most of the general one's words are in it."""
    words = re.findall(r"\w+", general.lower())
    theirs = set(re.findall(r"\w+", personal.lower()))
    return bool(words) and sum(w in theirs for w in words) / len(words) >= 0.6


def _stop(quote: str) -> str:
    """A quotation ending a sentence: '“Got the offer!”' as it is, '“Shipped v2”' with a full stop."""
    return quote if quote.rstrip("”").endswith(("!", "?", ".", "…")) else f"{quote}."


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _whole_line(source: str, max_words: int = 30) -> str:
    """A notes line without its bullet, for a plan whose 'it' needs the sentence before it."""
    tokens = " ".join(source.split()).lstrip("-*•+[] x").strip().rstrip(".").split()
    return " ".join(tokens[:max_words]) + ("…" if len(tokens) > max_words else "")


def _sentence_with(source: str, phrase: str, max_words: int = 18) -> str:
    """The sentence of a notes line that holds `phrase`, without the bullet, cut to `max_words`."""
    line = " ".join(source.split()).lstrip("-*•+[] x").strip()
    parts = re.split(r"(?<=[.!?])\s+", line)
    chosen = next((p for p in parts if phrase.lower() in p.lower()), line)
    tokens = chosen.rstrip(".").split()
    return " ".join(tokens[:max_words]) + ("…" if len(tokens) > max_words else "")


class _Composer:
    def __init__(self, context: MentoringContext, retrieved: Retrieved) -> None:
        self.context = context
        self.retrieved = retrieved
        self.citations = Citations(retrieved)
        reading = context_stage(context)
        self.stage, self.stage_reason = reading.stage, reading.reason
        self.kind = session_type(context, self.stage)
        self.persona = infer_persona(context)
        self.person: PersonReading = read_person(context)
        self.values = slot_values(context)
        self.facts: NotesFacts | None = notes_facts(context) if context.session.number > 1 else None
        self.distress = distress_level(self.facts)
        if self.facts is not None and context.mentee.goals:  # no progress question on a goal paused last time
            kept = unpaused_goals(context.mentee.goals, self.facts.decisions)
            if kept != list(context.mentee.goals):
                goal = best_match(kept, " ".join(context.session.focus) or " ".join(kept))
                self.values["goal"] = quoted(goal) if goal else None
        self.name = first_name(context.mentee.name) or "the mentee"
        self.duration = context.session.duration_minutes
        self.reference = context.reference_date
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
        self.used_plans: set[str] = set()
        decision = context.decision
        self.decision_days = (
            (decision.deadline - self.reference).days if decision is not None and decision.deadline else None
        )
        self.focus_text = join_words(list(context.session.focus))
        self.focus_is_closing = any(is_closing_focus(item) for item in context.session.focus)
        self.decision_is_focus = bool(
            decision is not None
            and self.focus_text
            and (related(self.focus_text, decision.statement) or self.kind == "decision")
        )
        self.main_id = self._main_block_id()

    # -- knowledge -------------------------------------------------------------------------
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

    def guide(self, source: str, *headings: str) -> list[Citation]:
        """The citation of a retrieved guide section (by source and the start of its last heading)."""
        found = guide_section(self.retrieved, GUIDE_GROUPS, source, *headings)
        return self.citations.cite(found) if found is not None else []

    def structure_guide(self, source: str) -> list[Citation]:
        """The 'Suggested structure' section of a session guide nearest this session's length."""
        lengths = sorted((30, 45, 60), key=lambda m: (abs(m - self.duration), m))
        for minutes in lengths:
            found = self.guide(source, f"Suggested structure: {minutes} minutes")
            if found:
                return found
        return self.guide(source)

    # -- text --------------------------------------------------------------------------------
    def personal(self, text: str) -> str:
        """A bank purpose about 'the mentee' written about this mentee."""
        mentor = first_name(self.context.mentor.name)
        text = text.replace("the mentee's", f"{self.name}'s").replace("the mentee", self.name)
        text = text.replace("The mentee's", f"{self.name}'s").replace("The mentee", self.name)
        if mentor:
            text = text.replace("the mentor's own", f"{mentor}'s own")
        return text

    def from_notes(self, text: str, source: str | None = None) -> str:
        """'From last session's notes', saying the language when the notes are not in English."""
        language = self.facts.language if self.facts is not None else "en"
        if language != "en" or (source is not None and not looks_english(source)):
            return f"last session's notes (in {LANGUAGE_NAMES.get(language, language)})"
        return "last session's notes"

    def fits(self, template: str) -> bool:
        return fits_person(template, self.person)

    def bank_prompts(self, item: dict[str, Any], limit: int = MAX_BANK_PROMPTS) -> list[str]:
        """Bank questions with slots filled only by values that fit; personalised ones first; questions
        for an adult career left out for a young mentee."""
        personal: list[str] = []
        general: list[str] = []
        for template in item.get("prompts") or []:
            text = str(template)
            if not self.person.founder:
                text = text.replace("manager or co-founder", "manager")
            if not self.fits(text):
                continue
            filled = fill_phrase(text, self.values)
            if filled is not None:
                (personal if slots(text) else general).append(filled)
        # a general question whose personal variant was filled ('Is the goal still …' / 'Is “X” still …') goes
        general = [g for g in general if not any(_variant(g, p) for p in personal)]
        short = int(item.get("minutes") or 0) <= SHORT_BLOCK_MINUTES
        return (personal + general[: MAX_GENERAL_PROMPTS - short])[:limit]

    def owner_label(self, owner: str | None) -> str | None:
        if owner == "mentee":
            return self.name
        if owner == "mentor":
            return first_name(self.context.mentor.name) or "mentor"
        if owner == "unclear":
            return None
        return owner

    # -- blocks --------------------------------------------------------------------------------
    def _block(self, block_id: str, priority: int, order: int, position: str | None = None) -> _Block:
        rank, result, item = self.blocks[block_id]
        return _Block(
            key=block_id,
            priority=priority,
            position=position or str(item.get("position", "middle")),
            order=order,
            rank=rank,
            title=str(item["title"]),
            purpose=self.personal(str(item["purpose"])),
            default_minutes=int(item["minutes"]),
            min_minutes=int(item.get("min_minutes") or item["minutes"]),
            prompts=self.bank_prompts(item),
            citations=self.citations.cite(result),
        )

    def _composed(
        self, key: str, priority: int, position: str, order: int, title: str, purpose: str, minutes: tuple[int, int]
    ) -> _Block:
        default, minimum = minutes
        return _Block(key, priority, position, order, 50, title, purpose, default, minimum)

    def _main_block_id(self) -> str:
        """The block that carries the session's work: the decision when it is today's focus, the focus block,
        the session type's own block, else the best-ranked eligible middle block."""
        if self.stage == "closing" and RETROSPECTIVE in self.blocks:
            return RETROSPECTIVE
        if self.decision_is_focus and OPTIONS in self.blocks:
            return "decision"
        focused = self.focus_text and not self.focus_is_closing and self.kind != "first_session"
        if focused and FOCUS_BLOCKS.get(self.kind, GROW) in self.blocks:
            return "focus"
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
        if not candidates:
            return NEEDS if NEEDS in self.blocks else NEXT_STEPS
        return candidates[0][1]

    def wanted_blocks(self) -> list[_Block]:
        """Every block this session could use, each with the priority that decides what survives a short slot."""
        chosen: dict[str, _Block] = {}

        def keep(block: _Block | None) -> _Block | None:
            if block is not None and block.key not in chosen:
                chosen[block.key] = block
            return block

        def want(block_id: str, priority: int, order: int, position: str | None = None) -> _Block | None:
            if block_id in chosen or block_id not in self.blocks:
                return chosen.get(block_id)
            return keep(self._block(block_id, priority, order, position))

        keep(self._check_in())
        closing = self.stage == "closing"
        if closing:
            self._closing_blocks(want, keep)
        else:
            want(NEXT_STEPS, REQUIRED, LAST)
        main = self.main_id
        if main == "focus":
            keep(self._focus_block(REQUIRED))
        elif main == "decision":
            keep(self._decision_block(REQUIRED))
        else:
            block = want(main, REQUIRED, EARLY_IN_PART if main != NEEDS else FIRST)
            if block is not None and main == NEEDS:
                self._tailor_needs(block)
        if self.focus_text and not self.focus_is_closing and main not in ("focus", "decision"):
            keep(self._focus_block(NEXT_TIME))
        if self.context.decision is not None and main != "decision" and not self.decision_is_focus:
            urgent = self.decision_days is not None and self.decision_days <= URGENT_DAYS
            keep(self._decision_block(DECISION_URGENT if urgent else DECISION))
        if not closing:
            keep(self._review_block())
            keep(self._goal_block())
        for block in self._plan_blocks():
            keep(block)
        # After the first session, a decision due within the week takes the time a needs assessment would.
        pressing = (
            self.context.decision is not None and self.decision_days is not None and self.decision_days <= URGENT_DAYS
        )
        if self.stage == "early" and pressing and main != NEEDS:
            days = self.decision_days or 0
            due = "overdue" if days < 0 else "due today" if days == 0 else f"due in {days} day" + "s" * (days != 1)
            self.notes.append(
                f"The decision is {due}, so this early session has no needs-assessment block; come back to "
                "it once the decision is made."
            )
        elif self.stage in ("first_session", "early") and not closing:
            needs = want(NEEDS, NEEDS_EARLY, FIRST if self.stage == "first_session" else LATE_IN_PART)
            if needs is not None and needs.key == NEEDS and needs.priority == NEEDS_EARLY:
                self._tailor_needs(needs)
        if self.stories and not closing:
            share = want(SHARE, STORIES, MIDDLE_OF_PART)
            if share is not None:
                self._add_stories(share)
        elif self.context.mentor.name and not closing:
            self.notes.append(
                f"No shareable experience notes by {self.context.mentor.name} matched this context, so there is no "
                "'Share your experience' block."
            )
        framed = {LOOKING_BACK, FAREWELL, "block-decision-framing"}
        for block_id, (_, _, item) in sorted(self.blocks.items(), key=lambda pair: pair[1][0]):
            type_specific = len(item.get("session_types") or []) == 1 and item.get("position") != "middle"
            if type_specific and _eligible(item, self.kind, self.stage) and block_id not in framed:
                commitment = want(block_id, NEXT_TIME if self.kind == "first_session" else TYPE_SPECIFIC, EARLY_IN_PART)
                if commitment is not None and self.distress >= 2:
                    commitment.prompts = [p for p in commitment.prompts if "decide today" not in p]
        challenges = wellbeing_challenges(self.context)
        if challenges and not self.distress and not closing:
            wellbeing = want(WELLBEING, WELLBEING_CUE, LATE_IN_PART)
            if wellbeing is not None:
                wellbeing.prompts.insert(
                    0, f"You mentioned {quoted(challenges[0])}: what would a sustainable week look like for you?"
                )
                wellbeing.cite(self.guide(WELLBEING_GUIDE, "Setting and keeping boundaries", "Raising the topic"))
        skip = {NEEDS, SHARE, WELLBEING, REVIEW, RAPPORT, OPTIONS, LOOKING_BACK, FAREWELL, RETROSPECTIVE}
        if self.main_id == "focus":
            skip.add(FOCUS_BLOCKS.get(self.kind, GROW))
        for block_id, (rank, _, item) in sorted(self.blocks.items(), key=lambda pair: pair[1][0]):
            if _eligible(item, self.kind, self.stage) and block_id not in skip:
                want(block_id, EXTRAS + rank, AFTER_CUED)
        if NEXT_STEPS in chosen:
            self._tailor_next_steps(chosen[NEXT_STEPS])
        return list(chosen.values())

    # -- the check-in --------------------------------------------------------------------------
    def _check_in(self) -> _Block:
        """Always first. With wellbeing cues in the notes it starts with how the mentee is, gently and for
        longer; in a closing session it names the purpose of the last session."""
        rapport = self.blocks.get(RAPPORT)
        block = self._composed(
            RAPPORT,
            REQUIRED,
            "open",
            FIRST,
            "Rapport check-in",
            f"Reconnect as people before the work starts, and notice {self.name}'s energy and mood today.",
            (5, 3),
        )
        if rapport is not None:
            block = self._block(RAPPORT, REQUIRED, FIRST, "open")
        prompts: list[str] = []
        plans = self._plans_matching(_CHECK_IN_PLAN)
        if self.distress and self.facts is not None:
            cues = list(self.facts.wellbeing)
            heard = []
            for cue in cues:
                sentence = quoted(_sentence_with(cue.source, cue.phrase))
                if sentence not in heard:
                    heard.append(sentence)
            block.title = "Check-in: wellbeing first"
            block.purpose = (
                f"Start with how {self.name} is, before any review. {_cap(self.from_notes(''))} record "
                f"{join_words(heard[:2])}."
            )
            if self.distress < 2:
                block.purpose += " Ask about it lightly, then let the answer set the pace."
                block.default_minutes, block.min_minutes = 6, 4
            else:
                block.purpose += (
                    " Keep it gentle: say what you noticed rather than diagnose, listen more than you advise, and let "
                    f"{self.name} decide how much of today's plan still fits."
                )
                block.purpose += (
                    f" If {self.name} says things feel unmanageable or unsafe, suggest a doctor or an employee "
                    "assistance programme."
                )
                block.default_minutes, block.min_minutes = 10, 5
            energy = next((c for c in cues if c.kind == "low_energy"), None)
            if energy is not None:
                score = re.search(r"\d{1,2}\s*/\s*10", energy.phrase)
                number = score.group(0).replace(" ", "") if score else "low"
                prompts.append(f"Last time your energy was {number}. Where is it today, and what is behind the number?")
            kinds = [c.kind for c in cues if c.kind != "low_energy" and not (energy and c.kind == "exhaustion")]
            if "sleep" not in kinds and any(re.search(r"(?i)\bslept|sleep", c.source) for c in cues):
                kinds.insert(0, "sleep")
            for kind in dict.fromkeys(kinds):
                if kind in CUE_QUESTIONS and CUE_QUESTIONS[kind] not in prompts:
                    prompts.append(CUE_QUESTIONS[kind])
            prompts = prompts[:3]
            prompts.append("What, even something small, has given you some energy back since we last met?")
            if self.distress >= 2:
                prompts.append(
                    "Is there anything we should take off today's agenda so this session helps rather than adds to "
                    "the load?"
                )
            block.cite(self.guide(WELLBEING_GUIDE, "Warning signs of burnout", "Raising the topic without intruding"))
            self.notes.append(
                f"{_cap(self.from_notes(''))} show wellbeing cues ({join_words([c.phrase for c in cues][:3])}), "
                "so the check-in comes first and is about how the mentee is."
            )
        elif self.stage == "closing":
            block.title = "Check-in"
            block.purpose = (
                f"Welcome {self.name} and name the purpose: this is the last formal session ({self.stage_reason}). "
                "Say what you plan to cover: the journey so far, what comes next, and a proper goodbye."
            )
            prompts += ["How are you arriving at our last session?", "What would make today a good ending for you?"]
            block.cite(self.structure_guide(SESSION_GUIDES["closing"]))
        for plan in plans:
            prompts.insert(
                0,
                f"Planned last time: {quoted(plan.text.rstrip('.'))}. On a scale of one to ten, how is your energy today?",
            )
        for challenge in wellbeing_challenges(self.context)[:1] if self.distress else []:
            prompts.append(f"You mentioned {quoted(challenge)}: what would a sustainable week look like for you?")
        if not self.facts and self.stage not in ("first_session", "closing"):
            prompts.append("What has happened since we last met that I should know about before we start?")
            self.notes.append(
                "No notes from last session were given, so nothing from last time is carried in: ask what was agreed."
            )
        bank = [p for p in block.prompts if self._hour_fits(p)]
        if self._wins() and self.stage != "closing":
            bank = [p for p in bank if p not in _GOOD_NEWS_PROMPTS]  # the review starts with the win instead
        if self.distress >= 2 or self.stage == "closing":
            bank = []
        elif self.distress:
            bank = [p for p in bank if "drained" not in p][:2]
        block.prompts = list(dict.fromkeys(prompts + bank))[:MAX_PROMPTS]
        return block

    def _wins(self) -> list[NoteFact]:
        """Last session's wins (not a setback the notes call one), which the review asks about first."""
        return [f for f in self.facts.wins if not is_setback(f.text)] if self.facts is not None else []

    def _hour_fits(self, prompt: str) -> bool:
        """'The next hour' only in a session of about an hour."""
        return "next hour" not in prompt or 50 <= self.duration <= 75

    def _plans_matching(self, pattern: re.Pattern[str]) -> list[NoteFact]:
        found = [plan for plan in self._next_time() if pattern.search(plan.text) and plan.text not in self.used_plans]
        self.used_plans.update(plan.text for plan in found)
        return found

    def _next_time(self) -> list[NoteFact]:
        """Last session's plans for this one; 'agreed we'll do a mock pitch next session' too, which the notes
        analysis files as a decision."""
        if self.facts is None:
            return []
        plans = list(self.facts.next_time)
        plans += [d for d in self.facts.decisions if _NEXT_TIME_WORDS.search(d.text)]
        return plans

    # -- focus and decision ------------------------------------------------------------------
    def _focus_block(self, priority: int) -> _Block | None:
        """The stated focus, in the user's own words, worked through with the session type's method."""
        base_id = FOCUS_BLOCKS.get(self.kind, GROW)
        if base_id not in self.blocks:
            base_id = GROW if GROW in self.blocks else ""
        if not base_id:
            return None
        block = self._block(base_id, priority, EARLY_IN_PART, "middle")
        block.key = "focus"
        method = block.purpose
        focus = self.focus_text
        short = len(focus.split()) <= 10 and looks_english(focus)
        block.title = f"Focus: {focus}" if short else "Today's focus"
        block.purpose = f"Today's focus, in {self.name}'s words: {quoted(focus)}. {method}"
        if self.decision_days is not None and self.decision_days <= URGENT_DAYS and not self.decision_is_focus:
            block.order = MIDDLE_OF_PART
        templates = [str(t) for t in self.blocks[base_id][2].get("prompts") or [] if "{focus}" in str(t)]
        with_focus = [p for p in (fill_phrase(t, self.values) for t in templates if self.fits(t)) if p]
        prompts = [p for p in block.prompts if p not in with_focus]
        facts: list[str] = []
        for plan in self._next_time():
            if plan.text not in self.used_plans and related(plan.text, focus):
                self.used_plans.add(plan.text)
                facts.append(self._plan_prompt(plan, merged=True))
        if self.facts is not None:
            for decided in self.facts.decisions:
                if decided.text not in self.used_plans and related(decided.text, focus):
                    self.used_plans.add(decided.text)
                    facts.append(f"Last time you decided {quoted(decided.text.rstrip('.'))}: does that still hold?")
            for growth in self.facts.growth_areas:
                if related(growth.text, focus):
                    facts.append(
                        f"From {self.from_notes(growth.text)}: {_stop(short_quote(growth.text))} What would you do differently now?"
                    )
        questions = self._situation_questions()
        situation = ([q for q in questions if related(q, focus)] or questions[-1:])[:1]
        challenge = self.values.get("challenge")
        tried = (
            [f"What have you tried already on {challenge}, and what happened?"]
            if challenge and related(challenge, focus)
            else []
        )
        phrase = self.values.get("focus")
        if base_id == GROW and phrase:
            # Reality, Options and Will asked about this focus rather than 'one live topic'.
            prompts = [
                f"What is actually happening with {phrase} right now, and what have you tried so far?",
                f"What options do you have on {phrase}, including ones you ruled out too quickly?",
                "Which of them will you commit to before we next meet?",
            ]
            block.purpose = block.purpose.replace("Work through one live topic with", "Work through it with")
        block.prompts = list(dict.fromkeys(with_focus + facts[:2] + situation + tried + prompts))[:MAX_PROMPTS]
        return block

    def _decision_block(self, priority: int) -> _Block | None:
        decision = self.context.decision
        if decision is None or OPTIONS not in self.blocks:
            return None
        block = self._block(OPTIONS, priority, EARLY_IN_PART, "middle")
        block.key = "decision"
        statement = decision.statement.strip()
        shown = statement if looks_english(statement) else quoted(statement)
        block.title = f"Decision: {shown}" if len(statement.split()) <= 12 else "The pending decision"
        days = self.decision_days
        deadline = decision.deadline.isoformat() if decision.deadline else None
        when = ""
        if deadline and days is not None:
            when = f", due {deadline} ({'passed' if days < 0 else 'today' if days == 0 else f'in {days} day' + 's' * (days != 1)})"
        stop = "" if statement.endswith(("?", "!", ".")) else "."
        block.purpose = (
            f"{self.name} has a decision pending{when}: {quoted(statement)}{stop} Lay the options side by side and "
            f"leave with a choice or with the one fact still missing; the decision stays {self.name}'s."
        )
        if self.decision_is_focus:
            block.purpose += f" It is also today's stated focus ({quoted(self.focus_text)})."
        if days is not None and days <= URGENT_DAYS and not self.decision_is_focus and priority != REQUIRED:
            block.order = EARLY_IN_PART
        elif priority != REQUIRED:
            block.order = MIDDLE_OF_PART
            block.min_minutes = min(block.min_minutes, 5)
        prompts: list[str] = []
        if days is None:
            prompts.append("When does this really need to be decided, and what happens if it waits?")
        elif days < 0:
            prompts.append(f"The deadline, {deadline}, has passed: was it decided, and how does the choice look now?")
        elif days == 0:
            prompts.append("The decision is due today: what is still missing, and who needs to hear it?")
        elif days <= 14:
            prompts.append(
                f"The answer is due {deadline}, in {days} day{'s' * (days != 1)}: what do you still need to know by "
                "then, and who else has a say?"
            )
        else:
            prompts.append(
                f"There are about {round(days / 7)} weeks until {deadline}: what could a small, cheap test tell you "
                "before then?"
            )
        options = [quoted(o) for o in decision.options]
        if len(options) >= 2:
            prompts.append(
                f"Side by side: {join_words(options).replace(' and ', ' or ', 1) if len(options) == 2 else join_words(options)}"
                ", or waiting: which two or three things matter most in choosing?"
            )
        prompts.append("Which option is easiest to undo if it goes wrong, and what would undoing it cost?")
        if self.distress >= 2:
            soon = days is None or days <= 14
            prompts.append(
                "With energy as low as it has been, is this the week to make a call that is hard to undo? Could you ask "
                "for more time, or make the first step smaller?"
                if soon
                else "With energy as low as it has been, how could you make this decision smaller or easier to undo?"
            )
            block.cite(self.guide(WELLBEING_GUIDE, "Why work-life balance"))
        if decision.risk_appetite == "low":
            prompts.append(
                "You rated your appetite for risk here as low: what is the worst realistic outcome of each option, and "
                "could you recover from it?"
            )
        elif decision.risk_appetite == "high":
            prompts.append("You are ready to take a risk here: what would you need to see to walk away instead?")
        bank = [p for p in block.prompts if not p.startswith("Which option is easiest") and "ten minutes" not in p]
        if len(options) >= 2:
            bank = [p for p in bank if not p.startswith(("What are all the options", "Which two or three things"))]
        if self.distress >= 2:
            bank = [p for p in bank if "decide" not in p]
        block.prompts = list(dict.fromkeys(prompts + bank))[:MAX_PROMPTS]
        block.cite(self.guide(DECISION_GUIDES[0], "Questions to ask", "Goal of the session"))
        block.cite(self.guide(DECISION_GUIDES[1], "How to run it", "Questions to ask", "What it is"))
        block.cite(self.guide(DECISION_GUIDES[2], "The mentor's role", "Mapping the risk"))
        return block

    # -- what carries over from last time ----------------------------------------------------
    def _goal_block(self) -> _Block | None:
        """Time for the goal whose check-ins most need it: where mentee and mentor ratings diverge most, else
        the one stalled longest (goal_history.needs_attention). None without such a goal."""
        attention = needs_attention(self.context)
        if attention is None:
            return None
        goal = attention.goal.statement
        title = f"Goal check: {goal}" if len(goal.split()) <= 8 else "Goal check"
        block = self._composed(
            "goal-check",
            NEXT_TIME,
            "middle",
            EARLY_IN_PART,
            title,
            f"Progress on {quoted(goal)}: {attention.sentence()}.",
            (10, 5),
        )
        if attention.reason == "diverge":
            block.prompts = [
                f"You put {quoted(goal)} at {attention.mentee} out of 10 and I put it at {attention.mentor}: "
                "what are we each counting?",
                "What would you need to see to raise your number, and what would I?",
            ]
        else:
            block.prompts = [
                f"{quoted(goal)} has stayed at {attention.mentee} out of 10 for {attention.stalled_for} check-ins: "
                "what is holding it up?",
                "What is the smallest step that would move it one point before we next meet?",
            ]
        if attention.goal.deadline is not None:
            block.prompts.append(f"The deadline is {attention.goal.deadline.isoformat()}: does it still hold?")
        self.notes.append(f"A goal check for {quoted(goal)} from its check-ins: {attention.sentence()}.")
        return block

    def _review_block(self) -> _Block | None:
        """Open items (the stored list), items only the notes mention, unconfirmed owners, done items and wins."""
        notes_items = self._notes_only_items()
        unconfirmed = [a for a in notes_items if a.to_confirm]
        notes_items = [a for a in notes_items if not a.to_confirm]
        # a setback the notes analyser read as a win or as done ('2 funds passed last week') is neither
        done = [f for f in self.facts.done if not is_setback(f.text)] if self.facts is not None else []
        wins = self._wins()
        done = [f for f in done if f.text not in {w.text for w in wins[:1]}]  # the win is asked about once
        done_stored = [a for a in self.context.open_action_items if a.done]
        decisions = [
            d
            for d in (self.facts.decisions if self.facts is not None else ())
            if d.text not in self.used_plans and not _NEXT_TIME_WORDS.search(d.text)
        ]
        if not (self.open_items or done_stored or notes_items or unconfirmed or done or wins or decisions):
            return None
        if REVIEW in self.blocks:
            block = self._block(REVIEW, CARRY_FORWARD, MIDDLE_OF_PART, "open")
        else:
            block = self._composed(
                REVIEW, CARRY_FORWARD, "open", MIDDLE_OF_PART, "Review of open action items", "", (10, 5)
            )
        # Stored items the notes say are done are not chased as overdue; the mentor is asked to tick them off.
        checked = (
            check_previous(self.context.open_action_items, self.facts, self.context.notes or "")[0]
            if self.facts is not None
            else []
        )
        done_in_notes = {a.text for a in checked if a.done}
        overdue = [
            a for a in self.open_items if a.due is not None and a.due < self.reference and a.text not in done_in_notes
        ]
        prompts: list[str] = []
        for win in wins[:1]:
            prompts.append(f"Start with the win from last time, {short_quote(win.text)}: what made it happen?")
        for fact in done[:2]:
            prompts.append(f"Done since last time, {short_quote(fact.text)}: what made it work?")
        if self.distress and overdue:
            prompts.append(
                "Before the list: which of these still matter, and which could be dropped, made smaller or handed over?"
            )
        prompts += [self._action_prompt(a, a.text in done_in_notes) for a in self.context.open_action_items]
        for action in notes_items[:3]:
            owner = self.owner_label(action.owner)
            due = f", due {quoted(action.due_as_written)} in the notes" if action.due_as_written else ""
            who = f" ({owner}{due})" if owner else (f" ({due[2:]})" if due else "")
            prompts.append(
                f"From {self.from_notes(action.text)}: {quoted(action.text)}{who}: done, in progress or stuck?"
            )
        for action in unconfirmed[:2]:
            leaning = self.owner_label(action.owner) if action.owner in ("mentee", "mentor") else None
            if leaning:  # "(who? prob me)": the notes guess, the pair confirms
                prompts.append(
                    f"Owner to confirm: {quoted(action.text)}: the notes lean to {leaning}. Right, and by when?"
                )
            else:
                prompts.append(f"Owner not clear in the notes: {quoted(action.text)}: who is doing this, and by when?")
        for decided in decisions[:2]:
            prompts.append(
                f"Decided last time, {quoted(decided.text.rstrip('.'))}: is it holding, and how has it gone?"
            )
        general = [p for p in block.prompts if p not in prompts]
        block.prompts = list(dict.fromkeys(prompts + general[: 2 if not prompts else 1 if len(prompts) < 3 else 0]))
        count = len(self.open_items)
        from_notes = len(notes_items) + len(unconfirmed)
        block.purpose = (
            f"Go through what was agreed with {self.name} last time: name what got done first, then learn from what "
            "did not."
        )
        if count:
            block.purpose += f" Carried forward: {count} open item{'s' * (count != 1)}"
            block.purpose += f", {len(overdue)} overdue" if overdue else ""
            block.purpose += f", and {from_notes} more in the notes." if from_notes else "."
        elif from_notes:
            block.purpose += f" From the notes: {from_notes} item{'s' * (from_notes != 1)} to check."
        if self.distress and overdue:
            block.purpose += (
                " After a hard stretch, stay curious rather than disappointed: ask whether each item was too big or "
                "no longer wanted before asking what got in the way."
            )
        block.cite(self.guide(REVIEW_GUIDE, "Questions to ask", "How to close"))
        if overdue:
            self.notes.append(
                f"{len(overdue)} carried-forward action item{'s are' if len(overdue) != 1 else ' is'} overdue as of "
                f"{self.reference.isoformat()}."
            )
        if notes_items or unconfirmed:
            self.notes.append(
                f"{len(notes_items) + len(unconfirmed)} action item(s) come only from the notes, not from the open "
                "action items; their owners and dates are as the notes wrote them."
            )
        return block

    def _notes_only_items(self) -> list[NoteAction]:
        if self.facts is None:
            return []
        stored = [a.text for a in self.context.open_action_items]
        return [a for a in self.facts.open_items if not any(_same_item(a.text, s) for s in stored)]

    def _action_prompt(self, item: ActionItem, done_in_notes: bool = False) -> str:
        owner = self.owner_label(item.owner)
        who = f" ({owner})" if owner else ""
        if item.done:
            return f"{quoted(item.text)}{who} is done: what made it work?"
        if done_in_notes:
            return f"{quoted(item.text)}{who}: last session's notes say it is done. Tick it off, and what made it work?"
        if item.due is None:
            return f"{quoted(item.text)}{who}: where does it stand?"
        if item.due < self.reference:
            days = (self.reference - item.due).days
            return (
                f"{quoted(item.text)}{who} was due {item.due.isoformat()} ({days} day{'s' * (days != 1)} ago): "
                "done, or what got in the way?"
            )
        return f"{quoted(item.text)}{who}, due {item.due.isoformat()}: done, in progress or stuck?"

    def _plan_blocks(self) -> list[_Block]:
        """Last session's 'next time' plans that no other block took up, each with its own time."""
        plans = [p for p in self._next_time() if p.text not in self.used_plans]
        if self.stage == "closing":
            return []
        blocks = []
        for index, plan in enumerate(plans[:MAX_PLANS]):
            self.used_plans.add(plan.text)
            block = self._composed(
                f"plan-{index}", NEXT_TIME, "middle", MIDDLE_OF_PART, self._plan_title(plan), "", (10, 5)
            )
            said = _whole_line(plan.source) if _TRAILING_PRONOUN.search(plan.text) else plan.text.rstrip(".")
            block.purpose = f"Planned for this session in {self.from_notes(plan.source)}: {quoted(said)}."
            block.prompts = [self._plan_prompt(plan, merged=False), *self._plan_follow_ups(plan)]
            blocks.append(block)
        if len(plans) > MAX_PLANS:
            self.notes.append(f"{len(plans) - MAX_PLANS} more plan(s) from the notes were left for next steps.")
        return blocks

    def _plan_title(self, plan: NoteFact) -> str:
        text = plan.text.strip()
        if not looks_english(text):
            return (
                f"Planned last time ({LANGUAGE_NAMES.get(self.facts.language if self.facts else 'en', 'notes')} notes)"
            )
        core = _PLAN_TAIL.sub("", _PLAN_LEAD.sub("", text)).strip()
        core = _TRAILING_PRONOUN.sub("", core).strip()
        core = re.sub(r"(?i)^do\s+(?=a\s|an\s|the\s)", "", core)
        if not core or len(core.split()) > 8:
            return "Planned last time"
        return f"Planned last time: {core}"

    def _plan_prompt(self, plan: NoteFact, merged: bool) -> str:
        quote = quoted(plan.text.rstrip("."))
        lead = f"Planned last time: {quote}. " if merged else ""
        if _PRACTICE.search(plan.text):
            return (
                lead + "Shall we run it now: you do it the way you would for real, I play the other side, then we swap?"
            )
        return lead + "What do you want to have settled about this by the end of today?"

    def _plan_follow_ups(self, plan: NoteFact) -> list[str]:
        if _PRACTICE.search(plan.text):
            return [
                "What is the one thing the other person must hear from you?",
                "Which reaction are you most afraid of, and how would you answer it?",
                "What will you change for the real thing after running it once?",
            ]
        return ["What has changed since we agreed to come back to this?", "What would a good next step look like?"]

    # -- needs, stories, next steps ------------------------------------------------------------
    def _situation_questions(self) -> list[str]:
        person = self.person
        keys = [
            key
            for key, on in (
                ("apprentice", person.apprentice),
                ("young", person.at_school and not person.apprentice),
                ("returning", person.returning),
                ("newly_promoted", person.newly_promoted),
            )
            if on
        ]
        return [q for key in keys for q in SITUATION_QUESTIONS[key]]

    def _tailor_needs(self, needs: _Block) -> None:
        situation = self._situation_questions()
        persona_questions: list[str] = []
        if self.persona is not None and not (self.person.apprentice and self.persona == "student"):
            persona_questions = [
                q for q in (fill_phrase(t, self.values) for t in NEEDS_QUESTIONS[self.persona] if self.fits(t)) if q
            ]
        if self.persona is None and not situation:
            self.notes.append(
                "No persona was recognised in the role or situation; the needs block asks general questions."
            )
            return
        needs.prompts = list(dict.fromkeys(situation[:2] + persona_questions + needs.prompts))[:MAX_PROMPTS]
        if self.persona is not None:
            label = "apprentice" if self.person.apprentice else persona_label(self.persona, self.context)
            needs.purpose += f" Framed for {article(label)}."
            section = NEEDS_SECTIONS[self.persona]
            for result in self.retrieved.get("needs_guides"):
                if result.heading.split(" > ")[-1] == section:
                    needs.cite(self.citations.cite(result))
                    break

    def _add_stories(self, share: _Block) -> None:
        offers = [
            f"Story to offer: {quoted(story.title)}. Tell it in about two minutes, then ask which part fits "
            f"{self.name}'s situation."
            for story in self.stories
        ]
        share.prompts = offers + share.prompts[:2]
        share.cite(self.citations.cite(*self.stories))

    def _tailor_next_steps(self, block: _Block) -> None:
        prompts: list[str] = []
        decision = self.context.decision
        if self.distress >= 2:
            prompts.append("Keep it to one or two actions this time: which matter most, and what can wait?")
        if decision is not None and self.decision_days is not None and self.decision_days > 0:
            prompts.append(
                f"What will you do before the decision is due on {decision.deadline.isoformat() if decision.deadline else ''}?"
            )
        bank = [p for p in block.prompts if not (self.distress >= 2 and p.startswith("What are the one to three"))]
        prompts += bank[: 3 - min(len(prompts), 2)]
        leftover = [p for p in self._next_time() if p.text not in self.used_plans]
        if leftover:
            prompts.append(
                f"Also from last time's plans: {quoted(leftover[0].text.rstrip('.'))}: when do we pick it up?"
            )
        if self.open_items:
            prompts.append("Which of the open action items carry over, and do their dates still hold?")
        planned = self.context.session.planned_sessions
        if planned is not None and self.context.session.number == planned - 1:
            prompts.append(
                "The next session is the last one planned: what would you like it to include, and what should you "
                "reflect on beforehand?"
            )
            block.cite(self.guide(SESSION_GUIDES["closing"], "Goal of the session"))
        elif self.facts is not None and self.facts.next_meeting is not None:
            prompts.append(f"Confirm the next session, planned in the notes for {self.facts.next_meeting.isoformat()}.")
        elif self.facts is not None and self.facts.cadence:
            prompts.append(f"Book the next session: the notes agree to meet {self.facts.cadence}.")
        else:
            prompts.append("When do we meet next, and does the current rhythm still suit you?")
        block.prompts = list(dict.fromkeys(prompts))[: MAX_PROMPTS + 1]

    # -- closing -------------------------------------------------------------------------------
    def _closing_blocks(self, want: Any, keep: Any) -> None:
        """Look back, lessons, before and after, keeping going without the mentor, and a warm farewell."""
        context = self.context
        goals = [quoted(g) for g in context.mentee.goals[:3]]
        wins = [f for f in self.facts.wins if not is_setback(f.text)] if self.facts is not None else []
        back = want(LOOKING_BACK, CARRY_FORWARD, EARLY_IN_PART, "open")
        if back is not None:
            lines = []
            if goals:
                lines.append(f"You started with {join_words(goals)}: where did each one land, and what shows it?")
            for win in wins[:1]:
                lines.append(f"Along the way: {_stop(short_quote(win.text))} What made that possible?")
            back.prompts = list(dict.fromkeys(lines + back.prompts))[:MAX_PROMPTS]
            back.cite(self.guide(SESSION_GUIDES["closing"], "Questions to ask"))
        retro = want(RETROSPECTIVE, REQUIRED, EARLY_IN_PART)
        if retro is not None:
            retro.prompts = list(
                dict.fromkeys(
                    [*retro.prompts[:3], "What would you tell yourself at our first session?", *retro.prompts[3:]]
                )
            )[:MAX_PROMPTS]
            retro.cite(self.guide(SESSION_GUIDES["closing"], "Goal of the session"))
        assess = want(SELF_ASSESSMENT, TYPE_SPECIFIC, MIDDLE_OF_PART)
        if assess is not None:
            assess.title = "Before and after"
            assess.purpose = (
                f"Compare where {self.name} started with where {self.name} is now, score by score, so the progress is "
                "visible. " + assess.purpose
            )
            assess.cite(self.structure_guide(SESSION_GUIDES["closing"]))
        keep(self._looking_ahead())
        farewell = want(FAREWELL, REQUIRED, LAST, "close")
        if farewell is not None:
            growth = f" (the notes record {short_quote(wins[0].text)})" if wins else ""
            farewell.purpose = (
                f"End the partnership warmly: thank {self.name}, name one or two specific ways you saw {self.name} grow, "
                "and agree plainly what contact continues."
            )
            farewell.prompts = [
                f"Name one or two specific ways you saw {self.name} grow{growth}, and say thank you.",
                *farewell.prompts,
            ][:MAX_PROMPTS]
            farewell.cite(self.guide(SESSION_GUIDES["closing"], "How to close"))
        self.used_plans.update(p.text for p in self._next_time())

    def _looking_ahead(self) -> _Block:
        mentor = first_name(self.context.mentor.name)
        block = self._composed(
            "looking-ahead",
            CARRY_FORWARD,
            "middle",
            LATE_IN_PART,
            "Looking ahead: keeping going without regular sessions",
            f"Set {self.name} up to keep growing after the mentoring ends: the next goals for the coming months, the "
            "habits to keep, and who else can support them.",
            (10, 6),
        )
        plans = [p for p in self._next_time() if p.text not in self.used_plans]
        if plans:
            block.purpose += f" Planned in {self.from_notes(plans[0].source)}: {quoted(plans[0].text.rstrip('.'))}."
        prompts = []
        for item in self.open_items[:3]:
            owner = self.owner_label(item.owner)
            details = ", ".join(x for x in (owner, f"due {item.due.isoformat()}" if item.due else None) if x)
            prompts.append(
                f"{quoted(item.text)}{f' ({details})' if details else ''}: keep it, hand it over or drop it now that "
                "we stop meeting?"
            )
        for action in [a for a in self._notes_only_items() if a.to_confirm][:2]:
            prompts.append(
                f"Owner not clear in the notes: {quoted(action.text)}: who will do it, now that we stop meeting?"
            )
        prompts += [
            "What are your next goals for the coming six months, and how will you hold yourself to them?",
            "Who else can support you from here: a peer, a manager, another mentor?",
            "Would a short review with yourself every quarter, using the same questions, keep things moving?",
        ]
        if mentor:
            prompts.append(f"What do you need from {mentor} before we finish, such as an introduction or a document?")
        block.prompts = prompts[:MAX_PROMPTS]
        block.cite(self.guide(SESSION_GUIDES["closing"], "How to close", "Suggested structure"))
        return block

    # -- fitting to the minute --------------------------------------------------------------------
    def fit(self, wanted: list[_Block]) -> list[_Block]:
        """Keep blocks in priority order while they fit; required blocks may shrink, never below three minutes."""
        reserved = BREAK_MINUTES if self.duration >= BREAK_FROM_MINUTES else 0
        budget = self.duration - reserved
        required = [b for b in wanted if b.priority == REQUIRED]
        for block in required:
            block.min_minutes = max(ABSOLUTE_MIN, block.min_minutes)
            if block.key in (NEXT_STEPS, FAREWELL) and self.duration >= CLOSE_IN_FULL_FROM:
                block.min_minutes = block.default_minutes  # the bank's rule: always keep the full close
            elif block.key != RETROSPECTIVE and self.duration >= REQUIRED_IN_FULL_FROM:
                block.min_minutes = block.default_minutes  # the check-in and the main work before any extra
        floor = sum(b.min_minutes for b in required)
        while floor > budget:
            largest = max(required, key=lambda b: (b.min_minutes, b.key == self.main_id))
            if largest.min_minutes <= ABSOLUTE_MIN:
                break
            largest.min_minutes -= 1
            floor -= 1
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
        """Minimum first, then up to the default length by priority; a long session's spare time first lets the
        main block grow to three times its default, then the other middle blocks to twice theirs, and gives the
        rest to the main block."""
        for block in blocks:
            block.default_minutes = max(block.default_minutes, block.min_minutes)
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
        extra = min(spare, main.default_minutes * STRETCH)
        main.minutes += extra
        spare -= extra
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
        notes = [
            f"Session {context.session.number} is treated as {article(STAGE_LABELS[self.stage])}{kind} "
            f"({self.stage_reason})."
        ]
        if self.persona is not None:
            notes.append(
                f"Persona read from the mentee's role and situation: {persona_label(self.persona, self.context)}."
            )
        if self.person.young:
            age = f"{self.person.age}, " if self.person.age else ""
            notes.append(
                f"Read as a young person ({age}{'apprentice' if self.person.apprentice else 'in education'}): questions "
                "about co-founders, fundraising, reports and careers are left out."
            )
        unfit = [c for c in context.mentee.challenges if not slot_safe(c, 6)]
        if unfit:
            notes.append(
                f"The challenge {quoted(unfit[0])} reads as a sentence, so it is not spliced into any question."
            )
        private = [r for r in self.retrieved.get("mentor_notes") if r.visibility != "shared"]
        if private:
            notes.append(
                f"{len(private)} mentor-private note{'s' * (len(private) != 1)} matched this context; they are not "
                "quoted here because an agenda is often shared with the mentee."
            )
        if self.facts is not None and self.facts.language != "en":
            notes.append(
                f"The notes are in {LANGUAGE_NAMES.get(self.facts.language, self.facts.language)}; lines taken from "
                "them are quoted as written."
            )
        asked: set[str] = set()
        for item in items:
            fresh = [p for p in dict.fromkeys(item.prompts) if p not in asked]
            asked.update(fresh)
            item.prompts = fresh
        in_item_order = list({c.chunk_id: c for item in items for c in item.citations}.values())
        return Agenda(
            items=items,
            total_minutes=sum(item.minutes for item in items),
            carried_forward=list(self.open_items),
            citations=in_item_order,
            generator=generator_info(COMPOSER_VERSION, context, TEMPLATED, notes + self.notes),
        )


def compose(context: MentoringContext, retrieved: Retrieved) -> Agenda:
    """An agenda whose minutes add up to the session length, built for this stage and this person."""
    return _Composer(context, retrieved).compose()
