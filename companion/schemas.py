"""Pydantic models shared by the CLI, the API and the generators: the mentoring context in,
one output model per task out. Field names here are the public contract."""

from __future__ import annotations

import datetime as dt
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

TASKS = ("agenda", "icebreakers", "feedback", "decision", "reflection", "goals")
Task = Literal["agenda", "icebreakers", "feedback", "decision", "reflection", "goals"]


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
    text: str = Field(min_length=1, max_length=500)
    owner: str | None = Field(default=None, max_length=100, description="'mentee', 'mentor' or a name.")
    due: Date | None = None
    done: bool = False


class DecisionInput(_Model):
    statement: str = Field(min_length=3, max_length=500)
    options: list[ShortText] = Field(default_factory=list, max_length=8)
    deadline: Date | None = None
    risk_appetite: Literal["low", "medium", "high"] = "medium"


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

    @property
    def reference_date(self) -> dt.date:
        return self.today or self.session.date or dt.date.today()


class ContextPatch(_Model):
    """The mentoring context, every field optional: with a mentorship_id the stored context fills the gaps,
    and every field sent here overrides the stored one (previous_icebreakers are added to the stored ones)."""

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
    generator: GeneratorInfo
    usage: Usage = Field(default_factory=Usage)
    citations: list[Citation] = Field(default_factory=list, description="Every chunk the output drew on.")
    visibility: Literal["shared", "mentor_private"] = Field(
        default="shared",
        description="mentor_private when the output drew on a mentor's private notes: it stays with that mentor "
        "(a session plan saved from it is never shown to the mentee or a platform).",
    )


class AgendaItem(BaseModel):
    title: str
    minutes: int = Field(ge=1)
    purpose: str
    prompts: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)


class Agenda(_Output):
    task: Literal["agenda"] = "agenda"
    items: list[AgendaItem]
    total_minutes: int
    carried_forward: list[ActionItem] = Field(default_factory=list)


class Icebreaker(BaseModel):
    text: str
    why: str
    citations: list[Citation] = Field(default_factory=list)


class Icebreakers(_Output):
    task: Literal["icebreakers"] = "icebreakers"
    questions: list[Icebreaker]


class FeedbackStatement(BaseModel):
    situation: str
    behavior: str
    impact: str
    text: str = Field(description="The statement in SBI form, ready to say.")


class FeedbackSummary(_Output):
    task: Literal["feedback"] = "feedback"
    summary: str
    topics: list[str] = Field(default_factory=list)
    decisions: list[str] = Field(default_factory=list)
    action_items: list[ActionItem] = Field(default_factory=list)
    strengths: list[str] = Field(default_factory=list)
    growth_areas: list[str] = Field(default_factory=list)
    feedback_statements: list[FeedbackStatement] = Field(default_factory=list)
    self_assessment_questions: list[str] = Field(default_factory=list)
    to_confirm: list[ActionItem] = Field(
        default_factory=list,
        description="The action items (also in action_items) whose owner the notes leave unclear: ask who takes them.",
    )
    mentor_owes: list[ActionItem] = Field(
        default_factory=list,
        description="What the mentor owes: this session's open items and the open ones from before.",
    )
    previous_items: list[ActionItem] = Field(
        default_factory=list,
        description="The open action items from before the session, marked done when the notes say so.",
    )
    next_time: list[str] = Field(default_factory=list, description="What the notes plan for the next session.")
    wellbeing_note: str | None = Field(
        default=None, description="A gentle acknowledgement when the notes say how the mentee is doing."
    )
    follow_up_message: str | None = Field(
        default=None, description="A short message the mentor can send after the session, one line per line."
    )
    language_note: str | None = Field(
        default=None, description="Set when the session or the notes are not in English (offline output is English)."
    )


class Reversibility(BaseModel):
    level: Literal["reversible", "partly_reversible", "irreversible"]
    reason: str


class DecisionOption(BaseModel):
    name: str
    upside: str
    downside: str
    worst_case: str
    mitigation: str
    kind: str | None = Field(
        default=None,
        description="The kind of move the option's own words name (stay, leave, layoff, raise, trial, ...), "
        "when the composer could tell; None when it could not, and then its lines are questions to ask.",
    )
    reversibility: Reversibility | None = Field(default=None, description="How hard this option is to undo, and why.")
    questions: list[str] = Field(
        default_factory=list, description="What to ask about this option: what the composer cannot know."
    )
    from_notes: list[str] = Field(default_factory=list, description="What the session notes say about this option.")


class DecisionFramework(_Output):
    task: Literal["decision"] = "decision"
    decision: str
    reversibility: Reversibility
    criteria: list[str]
    options: list[DecisionOption]
    premortem: list[str]
    questions_for_mentor: list[str]
    experiment: str
    next_steps: list[str]
    check_in_date: dt.date | None = None
    relevant_experience: list[Citation] = Field(default_factory=list)
    ten_ten_ten: list[str] = Field(
        default_factory=list, description="The 10/10/10 lens: the options at ten minutes, ten months and ten years."
    )
    premortem_citations: list[Citation] = Field(
        default_factory=list, description="The framework guide the pre-mortem follows."
    )
    ten_ten_ten_citations: list[Citation] = Field(
        default_factory=list, description="The framework guide the 10/10/10 lens follows."
    )
    experiment_citations: list[Citation] = Field(
        default_factory=list, description="The framework guide the small experiment follows."
    )


class ReflectionPrompt(BaseModel):
    text: str
    goal: str | None = None
    citations: list[Citation] = Field(default_factory=list)


class ReflectionPrompts(_Output):
    task: Literal["reflection"] = "reflection"
    prompts: list[ReflectionPrompt]


class Milestone(BaseModel):
    text: str
    due: dt.date | None = None


class SmartGoal(BaseModel):
    statement: str
    specific: str
    measurable: str
    achievable: str
    relevant: str
    time_bound: str
    milestones: list[Milestone] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)


class Cadence(BaseModel):
    frequency: str = Field(description="e.g. 'every 2 weeks'")
    session_minutes: int
    meeting_day: str = Field(description="e.g. 'Tuesday'")
    sessions: list[dt.date] = Field(description="The planned sessions after this one; empty after the closing session.")
    ends_on: dt.date | None = Field(
        default=None,
        description="The last planned session when the mentorship's end is known (planned sessions, a stated end "
        "date, or this being the closing session).",
    )
    basis: list[str] = Field(
        default_factory=list,
        description="Why the schedule looks as it does: the cadence agreed in the notes, the next meeting, the end.",
    )


class GoalPlan(_Output):
    task: Literal["goals"] = "goals"
    goals: list[SmartGoal]
    cadence: Cadence


OUTPUT_MODELS: dict[str, type[_Output]] = {
    "agenda": Agenda,
    "icebreakers": Icebreakers,
    "feedback": FeedbackSummary,
    "decision": DecisionFramework,
    "reflection": ReflectionPrompts,
    "goals": GoalPlan,
}


def output_json_schema(task: str) -> dict[str, Any]:
    return OUTPUT_MODELS[task].model_json_schema()
