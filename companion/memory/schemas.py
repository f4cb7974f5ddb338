"""Request and response models of the memory layer: `XCreate` in, `XPublic` out.

The generation contract (MentoringContext, ActionItem, Cadence, ...) stays in `companion.schemas`;
these models wrap it with what memory adds: ids, tenants, people and timestamps.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, Field, model_validator

from companion.schemas import (
    ActionItem,
    Agenda,
    Cadence,
    Date,
    DecisionFramework,
    FeedbackSummary,
    MenteeProfile,
    MentorProfile,
    _Model,
)

TENANT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
"""The same rule as `MentoringContext.tenant`, so any stored tenant can be used for generation."""

TenantId = Annotated[str, Field(min_length=1, max_length=64, pattern=TENANT_PATTERN)]
PersonId = Annotated[
    str,
    Field(min_length=1, max_length=128, pattern=r"^\S+$", description="The platform's id for a person."),
]
GoalText = Annotated[str, Field(min_length=1, max_length=300)]
IcebreakerText = Annotated[str, Field(min_length=1, max_length=500)]

Role = Literal["admin", "platform", "mentor", "mentee"]
ROLES: tuple[str, ...] = get_args(Role)
PERSON_ROLES: tuple[str, ...] = ("mentor", "mentee")
"""Roles whose keys act as one person and therefore must name that person."""

Visibility = Literal["shared", "mentor_private"]
MentorshipStatus = Literal["active", "paused", "closed"]
MAX_GOALS = 20


def _unique(values: list[str]) -> list[str]:
    """Keep the first spelling of each value, comparing case-insensitively."""
    seen: set[str] = set()
    kept = []
    for value in values:
        if value.casefold() not in seen:
            seen.add(value.casefold())
            kept.append(value)
    return kept


# --------------------------------------------------------------------------------------
# Mentorships
# --------------------------------------------------------------------------------------
class MentorPerson(MentorProfile):
    person_id: PersonId


class MenteePerson(MenteeProfile):
    person_id: PersonId


class MentorshipCreate(_Model):
    mentor: MentorPerson
    mentee: MenteePerson
    goals: list[GoalText] = Field(
        default_factory=list,
        max_length=MAX_GOALS,
        description="The mentorship's goals; merged with `mentee.goals`, and stored in both places.",
    )

    @model_validator(mode="after")
    def _merge_goals_and_check_people(self) -> MentorshipCreate:
        if self.mentor.person_id == self.mentee.person_id:
            raise ValueError("mentor and mentee must be different people (same person_id)")
        merged = _unique(self.goals + self.mentee.goals)
        if len(merged) > MAX_GOALS:
            raise ValueError(f"at most {MAX_GOALS} goals in total (goals plus mentee.goals)")
        self.goals = merged
        self.mentee = self.mentee.model_copy(update={"goals": list(merged)})
        return self


class MentorshipPublic(BaseModel):
    id: str
    tenant: str
    mentor: MentorPerson
    mentee: MenteePerson
    goals: list[str]
    cadence: Cadence | None = Field(default=None, description="Set by the latest goal plan.")
    status: MentorshipStatus
    created_at: dt.datetime


# --------------------------------------------------------------------------------------
# Sessions, notes and action items
# --------------------------------------------------------------------------------------
class NoteCreate(_Model):
    text: str = Field(min_length=1, max_length=20_000)
    visibility: Visibility = "shared"
    author_person_id: PersonId | None = Field(
        default=None, description="Who wrote it; a mentor_private note without one belongs to the mentor."
    )


class NotesCreate(_Model):
    """Notes to append to a stored session, e.g. typed in after it."""

    notes: list[NoteCreate] = Field(min_length=1, max_length=50)


class NotePublic(BaseModel):
    id: str
    session_id: str
    visibility: Visibility
    text: str
    author_person_id: str | None
    created_at: dt.datetime


class ActionItemPublic(ActionItem):
    # Any stored date reads back, also one saved before input dates were bounded (see `Date`).
    due: dt.date | None = None
    id: str
    mentorship_id: str
    session_id: str | None
    done_at: dt.datetime | None
    created_at: dt.datetime


PLAN_VISIBILITY_HELP = (
    "Who may read the plan (agenda and asked icebreakers). Unset: mentor_private when the agenda drew on the "
    "mentor's private notes (its `visibility`), else shared. A shared plan keeps only citations the mentee may read."
)


class SessionCreate(_Model):
    date: Date
    agenda: Agenda | None = Field(default=None, description="The agenda used in the session, as generated.")
    notes: list[NoteCreate] = Field(default_factory=list, max_length=50)
    icebreakers_asked: list[IcebreakerText] = Field(default_factory=list, max_length=20)
    action_items: list[ActionItem] = Field(default_factory=list, max_length=50)
    plan_visibility: Visibility | None = Field(default=None, description=PLAN_VISIBILITY_HELP)


class SessionPlanUpdate(_Model):
    """A change to a stored session's plan: only the fields sent are changed (see `model_fields_set`).

    `agenda: null` removes the agenda; `date` and `icebreakers_asked` cannot be null (send `[]`
    to clear the icebreakers).
    """

    # The None default only stands for "not sent": pydantic does not validate defaults, and an explicit
    # null is refused because the type is a date.
    date: Date = Field(default=None, description="Move the session to this date.")  # type: ignore[assignment]
    agenda: Agenda | None = Field(default=None, description="The agenda planned for (or used in) the session.")
    icebreakers_asked: list[IcebreakerText] = Field(
        default_factory=list, max_length=20, description="Replaces the session's asked icebreakers."
    )
    plan_visibility: Visibility | None = Field(default=None, description=PLAN_VISIBILITY_HELP)


class SessionPublic(BaseModel):
    id: str
    mentorship_id: str
    number: int = Field(description="1 for the first session of the mentorship.")
    date: dt.date
    agenda: Agenda | None
    icebreakers_asked: list[str]
    plan_visibility: Visibility = Field(
        default="shared",
        description="mentor_private: the plan stays with the mentor; mentees and platforms get no agenda and no icebreakers.",
    )
    notes: list[NotePublic] = Field(description="Only the notes the viewer may see.")
    action_items: list[ActionItemPublic]
    feedback: FeedbackSummary | None = Field(
        default=None,
        description="The feedback summary saved for the session. It may draw on private notes, so only the "
        "mentor and admins receive it; mentees and platforms always get null.",
    )
    created_at: dt.datetime


# --------------------------------------------------------------------------------------
# Decisions
# --------------------------------------------------------------------------------------
class DecisionFrameworkIn(DecisionFramework):
    """A decision framework to save: as generated, with a statement that says something."""

    decision: str = Field(
        min_length=1,
        pattern=r"^[^\x00]*[^\x00\s][^\x00]*$",
        description="The decision being weighed; not blank, no NUL characters.",
    )
    check_in_date: Date | None = None


class DecisionCreate(_Model):
    framework: DecisionFrameworkIn = Field(
        description="The framework as generated (POST /v1/decision-framework), edited or not. Its `decision` "
        "is the statement and its `check_in_date` the day to look at it again."
    )


class DecisionPublic(BaseModel):
    """A saved decision framework. Mentor-side: it may cite the mentor's private experience."""

    id: str
    mentorship_id: str
    statement: str = Field(description="The decision, as in `framework.decision`.")
    framework: DecisionFramework
    check_in_date: dt.date | None = Field(description="When to check in on the decision.")
    outcome: str | None = Field(default=None, description="What happened, recorded at the check-in.")
    checked_in_at: dt.datetime | None = Field(default=None, description="When the check-in was recorded.")
    created_at: dt.datetime


class DecisionCheckIn(_Model):
    """The check-in on a saved decision: what happened. Once recorded, the decision is no longer due."""

    outcome: str = Field(min_length=1, max_length=5_000)


# --------------------------------------------------------------------------------------
# Progress
# --------------------------------------------------------------------------------------
class ActionItemGroups(BaseModel):
    open: list[ActionItemPublic] = Field(description="Not done and not overdue.")
    overdue: list[ActionItemPublic] = Field(description="Not done, due before `today`.")
    done: list[ActionItemPublic]


class MonthCount(BaseModel):
    month: str = Field(description="YYYY-MM")
    sessions: int
    cumulative: int


class Progress(BaseModel):
    mentorship_id: str
    today: dt.date
    goals: list[str]
    cadence: Cadence | None
    action_items: ActionItemGroups
    sessions_total: int
    sessions_by_month: list[MonthCount] = Field(
        description="Every month from the first session to today's month (or the last session's), gaps as 0."
    )
    last_session_date: dt.date | None
    next_session_number: int
    next_planned_session: dt.date | None = Field(description="The first cadence date on or after `today`.")


# --------------------------------------------------------------------------------------
# API keys
# --------------------------------------------------------------------------------------
class KeyCreate(_Model):
    role: Role
    person_id: PersonId | None = Field(default=None, description="Required for mentor and mentee keys, else unset.")
    name: str | None = Field(default=None, max_length=100, description="A label to recognise the key by.")

    @model_validator(mode="after")
    def _person_matches_role(self) -> KeyCreate:
        if self.role in PERSON_ROLES and self.person_id is None:
            raise ValueError(f"a {self.role} key needs a person id (--person)")
        if self.role not in PERSON_ROLES and self.person_id is not None:
            raise ValueError(f"a person id is only for mentor and mentee keys, not {self.role}")
        return self


class KeyRecord(BaseModel):
    """A stored key as callers may see it: never the key, never its hash."""

    id: str
    tenant: str
    role: Role
    person_id: str | None
    name: str | None
    prefix: str = Field(description="The key's first characters, to recognise it.")
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None
