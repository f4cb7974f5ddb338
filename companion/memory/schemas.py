"""Request and response models of the memory layer: `XCreate` in, `XPublic` out.

The generation contract (MentoringContext, ActionItem, Cadence, ...) stays in `companion.schemas`;
these models wrap it with what memory adds: ids, tenants, people and timestamps.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from companion.schemas import ActionItem, Agenda, Cadence, MenteeProfile, MentorProfile

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


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


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


class NotePublic(BaseModel):
    id: str
    session_id: str
    visibility: Visibility
    text: str
    author_person_id: str | None
    created_at: dt.datetime


class ActionItemPublic(ActionItem):
    id: str
    mentorship_id: str
    session_id: str | None
    done_at: dt.datetime | None
    created_at: dt.datetime


class SessionCreate(_Model):
    date: dt.date
    agenda: Agenda | None = Field(default=None, description="The agenda used in the session, as generated.")
    notes: list[NoteCreate] = Field(default_factory=list, max_length=50)
    icebreakers_asked: list[IcebreakerText] = Field(default_factory=list, max_length=20)
    action_items: list[ActionItem] = Field(default_factory=list, max_length=50)


class SessionPublic(BaseModel):
    id: str
    mentorship_id: str
    number: int = Field(description="1 for the first session of the mentorship.")
    date: dt.date
    agenda: Agenda | None
    icebreakers_asked: list[str]
    notes: list[NotePublic] = Field(description="Only the notes the viewer may see.")
    action_items: list[ActionItemPublic]
    created_at: dt.datetime


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
