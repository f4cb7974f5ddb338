"""Pydantic models shared by the CLI, the API and the generators: the mentoring context in,
one output model per task out. Field names here are the public contract."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from companion import vocabulary as vocab

ShortText = Annotated[str, Field(min_length=1, max_length=300)]

EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2200, 12, 31)
"""The dates input may carry (`Date`). Date arithmetic (schedules, 'in two weeks') then cannot
overflow `datetime.date`, and the phrases a generator reads are held to the same range."""


def _date_in_range(value: dt.date) -> dt.date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}")
    return value


Date = Annotated[
    dt.date,
    AfterValidator(_date_in_range),
    Field(json_schema_extra={"formatMinimum": EARLIEST_DATE.isoformat(), "formatMaximum": LATEST_DATE.isoformat()}),
]
"""A date in input models: between EARLIEST_DATE and LATEST_DATE, else a 422 naming the field."""


@dataclass(frozen=True)
class Drafted:
    """What a model's draft of an output field must meet; the LLM path's draft models are derived from
    the output models with these bounds (`companion.generation.drafts`). The composer is not held to them."""

    min_length: int | None = None
    max_length: int | None = None
    ge: int | None = None
    le: int | None = None
    hint: str | None = None
    """What the prompt's example JSON shows as this field's value (else its description)."""


@dataclass(frozen=True)
class ByCode:
    """An output field that code fills in (from the notes, the context or retrieval); a model never writes it."""


BY_CODE = ByCode()
NONEMPTY = Drafted(min_length=1)


TASKS = ("agenda", "icebreakers", "feedback", "decision", "reflection", "goals")
Task = Literal["agenda", "icebreakers", "feedback", "decision", "reflection", "goals"]


def question_key(text: str) -> str:
    """When two questions are the same one: by words only, so case, punctuation, curly quotes and spacing do
    not count. The one rule for icebreakers already asked, stored, merged into a context or written again."""
    text = text.lower().replace("’", "'")
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def _strip_list(values: list[str]) -> list[str]:
    return [v.strip() for v in values if v and v.strip()]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple | set):
        return any(_has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return False


class _Model(BaseModel):
    """Input models: unknown fields refused, text stripped, and no NUL characters anywhere (PostgreSQL
    text cannot store them, and no person types one), so every backend refuses them alike with a 422."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if _has_nul(value):
            raise ValueError("must not contain NUL characters")
        return value


# --------------------------------------------------------------------------------------
# Context (input)
# --------------------------------------------------------------------------------------
class MentorProfile(_Model):
    name: str | None = Field(default=None, max_length=100)
    expertise: list[ShortText] = Field(default_factory=list, max_length=30)
    interests: list[ShortText] = Field(default_factory=list, max_length=30)


class MenteeProfile(_Model):
    name: str = Field(min_length=1, max_length=100)
    role: str | None = Field(default=None, max_length=200)
    situation: str | None = Field(default=None, max_length=500)
    goals: list[ShortText] = Field(default_factory=list, max_length=20)
    interests: list[ShortText] = Field(default_factory=list, max_length=30)
    challenges: list[ShortText] = Field(default_factory=list, max_length=20)


class SessionInfo(_Model):
    number: int = Field(default=1, description="1 for the first session.")
    duration_minutes: int = Field(default=45)
    focus: list[ShortText] = Field(default_factory=list, max_length=10)
    language: str = Field(default="en", min_length=2, max_length=35, pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
    date: Date | None = None
    planned_sessions: int | None = Field(
        default=None,
        description="How many sessions the mentorship plans in all (e.g. from its cadence), when known; "
        "the session with that number is treated as the closing session.",
    )

    @field_validator("number")
    @classmethod
    def _number_range(cls, value: int) -> int:
        if not 1 <= value <= 1000:
            raise ValueError("must be between 1 and 1000")
        return value

    @field_validator("planned_sessions")
    @classmethod
    def _planned_range(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= 1000:
            raise ValueError("must be between 1 and 1000")
        return value

    @field_validator("duration_minutes")
    @classmethod
    def _duration_range(cls, value: int) -> int:
        if not 10 <= value <= 240:
            raise ValueError("must be between 10 and 240")
        return value


class ActionItem(_Model):
    text: Annotated[str, Drafted(hint="what will be done")] = Field(min_length=1, max_length=500)
    owner: Annotated[str | None, Drafted(hint="mentee, mentor")] = Field(
        default=None, max_length=100, description="'mentee', 'mentor' or a name."
    )
    due: Date | None = None
    done: bool = False


class DecisionInput(_Model):
    statement: str = Field(min_length=3, max_length=500)
    options: list[ShortText] = Field(default_factory=list, max_length=8)
    deadline: Date | None = None
    risk_appetite: Literal["low", "medium", "high"] = "medium"


class GoalRating(BaseModel):
    """One check-in of a stored goal, as generation sees it."""

    session_number: int | None = Field(default=None, ge=1, le=1000)
    by: Literal["mentee", "mentor"]
    rating: int = Field(ge=0, le=10)
    comment: str | None = Field(default=None, max_length=1_000)


class GoalHistory(BaseModel):
    """A stored goal with its ratings over the sessions (oldest first): what agenda, reflection and
    feedback use to see which goal has stalled, where mentee and mentor disagree, and what changed."""

    statement: str = Field(min_length=1, max_length=300)
    status: Literal["active", "achieved", "dropped"] = "active"
    deadline: dt.date | None = None
    ratings: list[GoalRating] = Field(default_factory=list, max_length=400)


class MentoringContext(_Model):
    """Everything a generator may use; only `mentee` is required."""

    tenant: str = Field(
        default=vocab.DEFAULT_TENANT, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
    )
    mentor: MentorProfile = Field(default_factory=MentorProfile)
    mentee: MenteeProfile
    session: SessionInfo = Field(default_factory=SessionInfo)
    open_action_items: list[ActionItem] = Field(default_factory=list, max_length=100)
    previous_icebreakers: list[Annotated[str, Field(max_length=500)]] = Field(default_factory=list, max_length=1000)
    notes: str | None = Field(default=None, max_length=100_000)
    decision: DecisionInput | None = None
    today: Date | None = Field(
        default=None,
        description="Reference date for schedules and overdue items; defaults to the session date or today.",
    )
    goal_history: list[GoalHistory] = Field(
        default_factory=list,
        max_length=20,
        description="The mentorship's stored goals and their check-ins (filled from memory with a mentorship_id).",
    )

    @property
    def reference_date(self) -> dt.date:
        return self.today or self.session.date or dt.date.today()


class ContextPatch(_Model):
    """The mentoring context, every field optional: with a mentorship_id the stored context fills the gaps,
    and every field sent here overrides the stored one, inside `mentor`, `mentee` and `session` too (a
    session sent with only its date keeps the stored number); previous_icebreakers are added to the stored ones."""

    tenant: str | None = Field(default=None, description="Must be the caller's tenant if sent.")
    mentor: MentorProfile | None = None
    mentee: MenteeProfile | None = None
    session: SessionInfo | None = None
    open_action_items: list[ActionItem] | None = Field(default=None, max_length=100)
    previous_icebreakers: list[Annotated[str, Field(max_length=500)]] | None = Field(default=None, max_length=1000)
    notes: str | None = Field(default=None, max_length=100_000)
    decision: DecisionInput | None = None
    today: Date | None = None


def format_validation_error(exc: ValidationError) -> str:
    """One readable line per problem, e.g. 'session.duration_minutes must be between 10 and 240'."""
    lines = []
    for error in exc.errors():
        path = ".".join(str(part) for part in error["loc"]) or "input"
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "missing":
            message = "is required"
        elif error["type"] == "extra_forbidden":
            message = "is not a known field"
        lines.append(f"{path} {message}")
    return "; ".join(lines)


# --------------------------------------------------------------------------------------
# Outputs
# --------------------------------------------------------------------------------------
class Citation(BaseModel):
    chunk_id: str
    source: str
    title: str
    heading: str


class GeneratorInfo(BaseModel):
    provider: str
    model: str
    prompt_version: str
    fallback_reason: str | None = None
    templated: list[str] = Field(default_factory=list, description="Which parts were filled from templates.")
    notes: list[str] = Field(default_factory=list, description="Plain statements about the output, e.g. language.")


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0


class _Output(BaseModel):
    """Every task's output. These fields are all filled by code: a model's draft never holds them."""

    generator: GeneratorInfo
    usage: Usage = Field(default_factory=Usage)
    citations: list[Citation] = Field(default_factory=list, description="Every chunk the output drew on.")
    visibility: Literal["shared", "mentor_private"] = Field(
        default="shared",
        description="mentor_private when the output drew on a mentor's private notes: it stays with that mentor "
        "(a session plan saved from it is never shown to the mentee or a platform).",
    )


class AgendaItem(BaseModel):
    title: Annotated[str, Drafted(min_length=1, max_length=200)] = Field(description="short block title")
    minutes: Annotated[int, Drafted(ge=1, le=240)] = Field(ge=1)
    purpose: Annotated[str, Drafted(min_length=1, max_length=500)] = Field(
        description="why this block matters for this mentee"
    )
    prompts: Annotated[list[str], Drafted(max_length=6)] = Field(
        default_factory=list, description="a question the mentor can ask"
    )
    citations: list[Citation] = Field(default_factory=list)


class Agenda(_Output):
    task: Literal["agenda"] = "agenda"
    items: Annotated[list[AgendaItem], Drafted(min_length=1, max_length=10)]
    total_minutes: Annotated[int, BY_CODE]
    carried_forward: Annotated[list[ActionItem], BY_CODE] = Field(default_factory=list)


class Icebreaker(BaseModel):
    text: Annotated[str, Drafted(min_length=3, max_length=500, hint="the question, ending with ?")] = Field(
        description="the question, to ask as written"
    )
    why: Annotated[str, Drafted(min_length=1, max_length=500, hint="why it suits this mentee now")] = Field(
        description="why it suits this mentee"
    )
    citations: list[Citation] = Field(default_factory=list)


class Icebreakers(_Output):
    task: Literal["icebreakers"] = "icebreakers"
    questions: Annotated[list[Icebreaker], Drafted(min_length=1, max_length=10)]


class FeedbackStatement(BaseModel):
    situation: Annotated[str, Drafted(hint="when and where")]
    behavior: Annotated[str, Drafted(hint="what the mentee did")]
    impact: Annotated[str, Drafted(hint="the effect it had, or empty")]
    text: Annotated[str, Drafted(hint="the whole statement, ready to say")] = Field(
        description="The statement in SBI form, ready to say."
    )


class FeedbackSummary(_Output):
    task: Literal["feedback"] = "feedback"
    summary: Annotated[str, Drafted(min_length=1, hint="3 sentences at most")]
    topics: Annotated[list[str], Drafted(hint="topic")] = Field(default_factory=list)
    decisions: Annotated[list[str], Drafted(hint="a decision taken")] = Field(default_factory=list)
    action_items: list[ActionItem] = Field(default_factory=list)
    strengths: Annotated[list[str], Drafted(hint="strength shown")] = Field(default_factory=list)
    growth_areas: Annotated[list[str], Drafted(hint="area to grow")] = Field(default_factory=list)
    feedback_statements: list[FeedbackStatement] = Field(default_factory=list)
    self_assessment_questions: Annotated[list[str], Drafted(hint="question for the mentee")] = Field(
        default_factory=list
    )
    to_confirm: Annotated[list[ActionItem], BY_CODE] = Field(
        default_factory=list,
        description="The action items (also in action_items) whose owner the notes leave unclear: ask who takes them.",
    )
    mentor_owes: Annotated[list[ActionItem], BY_CODE] = Field(
        default_factory=list,
        description="What the mentor owes: this session's open items and the open ones from before.",
    )
    previous_items: Annotated[list[ActionItem], BY_CODE] = Field(
        default_factory=list,
        description="The open action items from before the session, marked done when the notes say so.",
    )
    next_time: Annotated[list[str], BY_CODE] = Field(
        default_factory=list, description="What the notes plan for the next session."
    )
    wellbeing_note: Annotated[str | None, BY_CODE] = Field(
        default=None, description="A gentle acknowledgement when the notes say how the mentee is doing."
    )
    follow_up_message: Annotated[str | None, BY_CODE] = Field(
        default=None, description="A short message the mentor can send after the session, one line per line."
    )
    language_note: Annotated[str | None, BY_CODE] = Field(
        default=None, description="Set when the session or the notes are not in English (offline output is English)."
    )


class Reversibility(BaseModel):
    level: Literal["reversible", "partly_reversible", "irreversible"]
    reason: Annotated[str, Drafted(min_length=1, hint="why")]


class DecisionOption(BaseModel):
    name: Annotated[str, Drafted(min_length=1, hint="option, in the mentee's words")]
    upside: Annotated[str, Drafted(hint="what this option could give")]
    downside: Annotated[str, Drafted(hint="what it costs")]
    worst_case: Annotated[str, Drafted(hint="the worst that could happen")]
    mitigation: Annotated[str, Drafted(hint="how to soften the worst case")]
    kind: Annotated[str | None, BY_CODE] = Field(
        default=None,
        description="The kind of move the option's own words name (stay, leave, layoff, raise, trial, ...), "
        "when the composer could tell; None when it could not, and then its lines are questions to ask.",
    )
    reversibility: Reversibility | None = Field(default=None, description="How hard this option is to undo, and why.")
    questions: Annotated[list[str], Drafted(hint="a question the mentor should ask about it")] = Field(
        default_factory=list, description="What to ask about this option: what the composer cannot know."
    )
    from_notes: Annotated[list[str], BY_CODE] = Field(
        default_factory=list, description="What the session notes say about this option."
    )


class DecisionFramework(_Output):
    task: Literal["decision"] = "decision"
    decision: Annotated[str, Drafted(min_length=1, hint="the decision in one sentence")]
    reversibility: Reversibility
    criteria: Annotated[list[str], Drafted(min_length=1, hint="what matters in choosing")]
    options: Annotated[list[DecisionOption], Drafted(min_length=1, max_length=8)]
    premortem: Annotated[list[str], Drafted(hint="a way this could fail")]
    questions_for_mentor: Annotated[list[str], Drafted(hint="question")]
    experiment: Annotated[str, Drafted(min_length=1, hint="a small, cheap test before the big bet")]
    next_steps: Annotated[list[str], Drafted(hint="step")]
    check_in_date: dt.date | None = None
    relevant_experience: list[Citation] = Field(default_factory=list)
    ten_ten_ten: Annotated[list[str], Drafted(hint="how an option looks in ten minutes, ten months, ten years")] = (
        Field(
            default_factory=list, description="The 10/10/10 lens: the options at ten minutes, ten months and ten years."
        )
    )
    premortem_citations: Annotated[list[Citation], BY_CODE] = Field(
        default_factory=list, description="The framework guide the pre-mortem follows."
    )
    ten_ten_ten_citations: Annotated[list[Citation], BY_CODE] = Field(
        default_factory=list, description="The framework guide the 10/10/10 lens follows."
    )
    experiment_citations: Annotated[list[Citation], BY_CODE] = Field(
        default_factory=list, description="The framework guide the small experiment follows."
    )


class ReflectionPrompt(BaseModel):
    text: Annotated[str, Drafted(min_length=3, hint="an open question")]
    goal: Annotated[str | None, Drafted(hint="the mentee goal it serves")] = None
    from_session: Annotated[
        bool,
        Drafted(
            hint="true when it asks about something this session's notes record: an agreed action, a decision, a win"
        ),
    ] = False
    """True for a prompt about what the session's notes record (an agreed action, a decision, a win)."""
    citations: list[Citation] = Field(default_factory=list)


class ReflectionPrompts(_Output):
    task: Literal["reflection"] = "reflection"
    prompts: Annotated[list[ReflectionPrompt], Drafted(min_length=1, max_length=10)]


class Milestone(BaseModel):
    text: Annotated[str, Drafted(min_length=1, hint="milestone")]
    due: dt.date | None = None


class SmartGoal(BaseModel):
    statement: Annotated[str, Drafted(min_length=1, hint="the goal")]
    specific: Annotated[str, Drafted(hint="...")]
    measurable: Annotated[str, Drafted(hint="...")]
    achievable: Annotated[str, Drafted(hint="...")]
    relevant: Annotated[str, Drafted(hint="...")]
    time_bound: Annotated[str, Drafted(hint="...")]
    milestones: Annotated[list[Milestone], Drafted(max_length=8)] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)


class Cadence(BaseModel):
    frequency: Annotated[str, Drafted(min_length=1, hint="e.g. every 2 weeks")] = Field(
        description="e.g. 'every 2 weeks'"
    )
    session_minutes: Annotated[int, Drafted(ge=10, le=240)]
    meeting_day: Annotated[str, Drafted(min_length=1, hint="e.g. Tuesday")] = Field(description="e.g. 'Tuesday'")
    sessions: Annotated[list[dt.date], Drafted(max_length=26)] = Field(
        description="The planned sessions after this one; empty after the closing session."
    )
    ends_on: Annotated[dt.date | None, BY_CODE] = Field(
        default=None,
        description="The last planned session when the mentorship's end is known (planned sessions, a stated end "
        "date, or this being the closing session).",
    )
    basis: Annotated[list[str], BY_CODE] = Field(
        default_factory=list,
        description="Why the schedule looks as it does: the cadence agreed in the notes, the next meeting, the end.",
    )


class GoalPlan(_Output):
    task: Literal["goals"] = "goals"
    goals: Annotated[list[SmartGoal], Drafted(min_length=1, max_length=6)]
    cadence: Cadence
