"""Request and response models of the memory layer: `XCreate` in, `XPublic` out.

The generation contract (MentoringContext, ActionItem, Cadence, ...) stays in `companion.schemas`;
these models wrap it with what memory adds: ids, tenants, people and timestamps.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from functools import lru_cache
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, Field, model_validator

from companion.schemas import (
    ActionItem,
    Agenda,
    Cadence,
    Citation,
    Date,
    DecisionFramework,
    FeedbackSummary,
    MenteeProfile,
    MentorProfile,
    Milestone,
    SmartGoal,
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
    mentor: MentorPerson | None = Field(
        default=None, description="The mentor's profile; or send `mentor_id` to use their stored mentor record."
    )
    mentee: MenteePerson | None = Field(
        default=None, description="The mentee's profile; or send `mentee_id` to use their stored mentee record."
    )
    mentor_id: PersonId | None = Field(
        default=None, description="Person id of a stored mentor record (POST /v1/mentors) whose profile is used."
    )
    mentee_id: PersonId | None = Field(
        default=None, description="Person id of a stored mentee record (POST /v1/mentees) whose profile is used."
    )
    goals: list[GoalText] = Field(
        default_factory=list,
        max_length=MAX_GOALS,
        description="The mentorship's goals; merged with `mentee.goals`, and stored in both places.",
    )

    @model_validator(mode="after")
    def _merge_goals_and_check_people(self) -> MentorshipCreate:
        for side in ("mentor", "mentee"):
            given, ref = getattr(self, side), getattr(self, f"{side}_id")
            if given is None and ref is None:
                raise ValueError(f"send {side} (a profile) or {side}_id (a stored {side} record)")
            if given is not None and ref is not None:
                raise ValueError(f"send {side} or {side}_id, not both")
        mentor_id = self.mentor.person_id if self.mentor else self.mentor_id
        mentee_id = self.mentee.person_id if self.mentee else self.mentee_id
        if mentor_id == mentee_id:
            raise ValueError("mentor and mentee must be different people (same person_id)")
        if self.mentee is None:
            if len(self.goals) > MAX_GOALS:
                raise ValueError(f"at most {MAX_GOALS} goals")
            return self
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
# People: mentor and mentee records of a tenant
# --------------------------------------------------------------------------------------
CAPACITY_RANGE = (0, 50)
"""Mentees a mentor may take at once (0: not taking anyone now)."""
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$"


@lru_cache(maxsize=1)
def known_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _known_time_zone(value: str) -> str:
    if value not in known_time_zones():
        raise ValueError(f"unknown time zone {value!r}: use an IANA name such as 'Europe/Berlin' or 'UTC'")
    return value


def _language_codes(values: list[str]) -> list[str]:
    """Language tags kept in the order given (the first is the preferred one), each once, lower case."""
    return _unique([v.lower().replace("_", "-") for v in values])


TimeZone = Annotated[
    str,
    AfterValidator(_known_time_zone),
    Field(max_length=64, description="IANA time zone, e.g. 'Europe/Berlin'; used for the working-hours overlap."),
]
LanguageCode = Annotated[str, Field(min_length=2, max_length=35, pattern=LANGUAGE_PATTERN)]
Languages = Annotated[
    list[LanguageCode],
    AfterValidator(_language_codes),
    Field(max_length=10, description="Language tags such as 'en' or 'pt-BR', the preferred one first."),
]
Phrases = Annotated[list[Annotated[str, Field(min_length=1, max_length=300)]], Field(max_length=30)]
Capacity = Annotated[
    int,
    Field(
        ge=CAPACITY_RANGE[0],
        le=CAPACITY_RANGE[1],
        description="Mentees the mentor takes at once, active mentorships included (0: none now).",
    ),
]


class MentorFields(_Model):
    """What a mentor record says; every field but `name` may be left out."""

    name: str = Field(min_length=1, max_length=100)
    expertise: Phrases = Field(default_factory=list, description="Short phrases, e.g. 'fundraising for B2B SaaS'.")
    experience: str | None = Field(
        default=None, max_length=2000, description="A summary of the mentor's experience, in a few sentences."
    )
    interests: Phrases = Field(default_factory=list, description="Interests outside work, a start for trust.")
    languages: Languages = Field(default_factory=list)
    time_zone: TimeZone | None = None
    capacity: Capacity = 2
    availability: str | None = Field(
        default=None, max_length=300, description="When they can meet, in words (e.g. 'Tuesday evenings')."
    )


class MenteeFields(_Model):
    """What a mentee record says; every field but `name` may be left out."""

    name: str = Field(min_length=1, max_length=100)
    role: str | None = Field(default=None, max_length=200)
    situation: str | None = Field(default=None, max_length=500)
    goals: list[GoalText] = Field(default_factory=list, max_length=MAX_GOALS)
    challenges: Phrases = Field(default_factory=list)
    interests: Phrases = Field(default_factory=list)
    languages: Languages = Field(default_factory=list)
    time_zone: TimeZone | None = None


class MentorCreate(MentorFields):
    person_id: PersonId


class MenteeCreate(MenteeFields):
    person_id: PersonId


def _no_nulls(model: BaseModel, required: tuple[str, ...]) -> None:
    for name in required:
        if name in model.model_fields_set and getattr(model, name) is None:
            raise ValueError(f"{name} cannot be null")


class MentorUpdate(_Model):
    """A change to a mentor record: only the fields sent change (lists are replaced whole)."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    expertise: Phrases | None = None
    experience: str | None = Field(default=None, max_length=2000)
    interests: Phrases | None = None
    languages: Languages | None = None
    time_zone: TimeZone | None = None
    capacity: Capacity | None = None
    availability: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _required_stay_set(self) -> MentorUpdate:
        _no_nulls(self, ("name", "expertise", "interests", "languages", "capacity"))
        return self


class MenteeUpdate(_Model):
    """A change to a mentee record: only the fields sent change (lists are replaced whole)."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    role: str | None = Field(default=None, max_length=200)
    situation: str | None = Field(default=None, max_length=500)
    goals: list[GoalText] | None = Field(default=None, max_length=MAX_GOALS)
    challenges: Phrases | None = None
    interests: Phrases | None = None
    languages: Languages | None = None
    time_zone: TimeZone | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> MenteeUpdate:
        _no_nulls(self, ("name", "goals", "challenges", "interests", "languages"))
        return self


class MentorPublic(MentorFields):
    person_id: str
    tenant: str
    active_mentees: int = Field(description="Active mentorships in which this person is the mentor.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def remaining_capacity(self) -> int:
        return max(self.capacity - self.active_mentees, 0)

    def profile(self) -> MentorPerson:
        """The profile a mentorship started from this record carries."""
        return MentorPerson(
            person_id=self.person_id, name=self.name, expertise=self.expertise, interests=self.interests
        )


class MenteePublic(MenteeFields):
    person_id: str
    tenant: str
    created_at: dt.datetime
    updated_at: dt.datetime

    def profile(self) -> MenteePerson:
        """The profile a mentorship started from this record carries."""
        return MenteePerson(
            person_id=self.person_id,
            name=self.name,
            role=self.role,
            situation=self.situation,
            goals=self.goals,
            interests=self.interests,
            challenges=self.challenges,
        )


def record_fields(model: BaseModel) -> dict[str, Any]:
    """The profile fields of a create or update model as stored (no person id)."""
    return model.model_dump(
        mode="json", exclude={"person_id"}, exclude_unset=isinstance(model, MentorUpdate | MenteeUpdate)
    )


# --------------------------------------------------------------------------------------
# Matching: suggested mentors with reasons, and cohorts
# --------------------------------------------------------------------------------------
MatchPartName = Literal["expertise", "interests", "language", "time_zone", "capacity"]


class MatchEvidence(BaseModel):
    """What one part of a score rests on: the mentee's side and the mentor's side it matched."""

    need: str = Field(description="The mentee's goal, challenge, interest, language or time zone.")
    matched: str = Field(description="The mentor's expertise phrase, experience sentence, note title, or value.")
    kind: Literal["expertise", "experience", "note", "interest", "language", "time_zone", "capacity"]
    similarity: float | None = Field(default=None, description="Cosine similarity of need and match (expertise).")
    citation: Citation | None = Field(default=None, description="The mentor's shared note, for kind `note`.")


class MatchPart(BaseModel):
    name: MatchPartName
    score: float = Field(ge=0, le=1)
    weight: float = Field(ge=0, description="Its weight in the total (COMPANION_MATCH_WEIGHT_*).")
    reason: str = Field(description="Why, in words.")
    evidence: list[MatchEvidence] = Field(default_factory=list)


class MentorMatch(BaseModel):
    mentor_id: str = Field(description="The mentor's person id.")
    name: str
    score: float = Field(ge=0, le=1, description="The weighted mean of the parts.")
    remaining_capacity: int
    parts: list[MatchPart]


class MatchRequest(_Model):
    mentee_id: PersonId | None = Field(default=None, description="A stored mentee record's person id.")
    mentee: MenteeFields | None = Field(default=None, description="Or a mentee profile, not stored.")
    k: int = Field(default=5, ge=1, le=50, description="How many mentors to suggest.")

    @model_validator(mode="after")
    def _one_mentee(self) -> MatchRequest:
        if (self.mentee_id is None) == (self.mentee is None):
            raise ValueError("send mentee_id (a stored mentee record) or mentee (a profile), exactly one")
        return self


class MatchResponse(BaseModel):
    mentee_id: str | None
    mentors_considered: int = Field(description="Mentor records of the tenant with a place left.")
    mentors_full: int = Field(description="Mentor records left out because their capacity is taken.")
    matches: list[MentorMatch] = Field(description="Best first; equal scores by person id.")


class CohortRequest(_Model):
    mentee_ids: list[PersonId] = Field(min_length=1, max_length=5000, description="Stored mentee records.")
    mentor_ids: list[PersonId] = Field(min_length=1, max_length=5000, description="Stored mentor records.")

    @model_validator(mode="after")
    def _no_repeats(self) -> CohortRequest:
        for name in ("mentee_ids", "mentor_ids"):
            repeated = sorted(value for value, count in Counter(getattr(self, name)).items() if count > 1)
            if repeated:
                raise ValueError(f"{name} repeats {', '.join(repeated)}")
        return self


class CohortPair(MentorMatch):
    mentee_id: str


class CohortUnmatched(BaseModel):
    mentee_id: str
    reason: str


class CohortResponse(BaseModel):
    pairs: list[CohortPair] = Field(description="One per matched mentee, in mentee id order.")
    unmatched: list[CohortUnmatched]
    total_fit: float = Field(description="Sum of the pairs' scores, which the assignment maximises.")
    places: int = Field(description="Places the chosen mentors had left before this cohort.")


class MatchPairRef(_Model):
    mentee_id: PersonId = Field(description="A stored mentee record's person id.")
    mentor_id: PersonId = Field(description="A stored mentor record's person id.")


class MatchAccept(_Model):
    """Pairs to start mentorships for: a cohort's pairs, or one suggested pair."""

    pairs: list[MatchPairRef] = Field(min_length=1, max_length=500)


class AcceptedPair(BaseModel):
    mentee_id: str
    mentor_id: str
    created: bool = Field(description="False when the pair had an active mentorship already (returned, not repeated).")
    mentorship: MentorshipPublic


class MatchAcceptResponse(BaseModel):
    accepted: list[AcceptedPair] = Field(description="In the order sent, one per distinct pair.")


class MentorRequestCreate(_Model):
    mentor_id: PersonId = Field(description="The stored mentor record the mentee asks for.")
    message: str | None = Field(default=None, max_length=500, description="Why this mentor, in a few words.")


class MentorRequestPublic(BaseModel):
    id: str
    mentee_id: str
    mentor_id: str
    message: str | None
    status: Literal["open", "accepted"]
    mentorship_id: str | None = Field(description="The mentorship started when the pair was accepted.")
    created_at: dt.datetime
    updated_at: dt.datetime


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
# Goals and their check-ins
# --------------------------------------------------------------------------------------
GoalStatus = Literal["active", "achieved", "dropped"]
GoalSource = Literal["plan", "profile", "manual"]
Rater = Literal["mentee", "mentor"]
SMART_FIELDS: tuple[str, ...] = ("specific", "measurable", "achievable", "relevant", "time_bound")


class GoalCreate(_Model):
    """A goal made by hand (or from a plan's SMART goal: `smart` and `milestones` as the plan has them)."""

    statement: GoalText
    deadline: Date | None = None
    smart: dict[str, Annotated[str, Field(max_length=1_000)]] | None = Field(
        default=None, description="Any of specific, measurable, achievable, relevant, time_bound."
    )
    milestones: list[Milestone] = Field(default_factory=list, max_length=8)

    @model_validator(mode="after")
    def _known_smart_fields(self) -> GoalCreate:
        unknown = sorted(set(self.smart or {}) - set(SMART_FIELDS))
        if unknown:
            raise ValueError(f"smart has unknown fields {unknown}; use {list(SMART_FIELDS)}")
        return self


class GoalUpdate(_Model):
    """Only the fields sent change; `deadline: null` removes the deadline."""

    statement: GoalText | None = None
    deadline: Date | None = None
    status: GoalStatus | None = None


class GoalsFromPlan(_Model):
    """The goals of a goal plan (POST /v1/goal-plan's `goals`), to keep as rows. Idempotent: a goal whose
    statement is already a row of the mentorship fills that row's missing SMART fields and adds nothing."""

    goals: list[SmartGoal] = Field(min_length=1, max_length=MAX_GOALS)


class GoalCheckInCreate(_Model):
    rating: int = Field(ge=0, le=10, description="Progress on the goal, 0 (none) to 10 (done).")
    comment: str | None = Field(
        default=None, max_length=1_000, description="A line of self-assessment (or the mentor's view)."
    )
    session_id: str | None = Field(
        default=None, max_length=64, description="The session it closes; one rating per rater and session."
    )


class GoalCheckInPublic(BaseModel):
    id: str
    goal_id: str
    session_id: str | None
    session_number: int | None
    by: Rater = Field(description="Decided by the caller's relation to the mentorship, never by the request.")
    rating: int
    comment: str | None
    created_at: dt.datetime


class GoalPublic(BaseModel):
    id: str
    mentorship_id: str
    statement: str
    deadline: dt.date | None
    status: GoalStatus
    source: GoalSource
    smart: dict[str, str]
    milestones: list[Milestone]
    check_ins: list[GoalCheckInPublic] = Field(description="Oldest first.")
    created_at: dt.datetime
    updated_at: dt.datetime


# --------------------------------------------------------------------------------------
# The shared agenda: topics for the next session
# --------------------------------------------------------------------------------------
TOPIC_MAX_LENGTH = 300
MAX_OPEN_TOPICS = 20
"""Open topics a mentorship holds at once; the next session can only give so many of them time."""
TopicRole = Literal["admin", "platform", "mentor", "mentee"]


class TopicCreate(_Model):
    """A topic for the next session, in the words of the party adding it. Shared by nature: both parties
    read it, so it is no place for a private note."""

    text: str = Field(
        min_length=1,
        max_length=TOPIC_MAX_LENGTH,
        description="What to talk about, e.g. 'How to answer the revenue question'. Leading and trailing "
        "spaces are dropped; the same text (ignoring case, spacing and a final stop) among the open topics "
        "is that topic, not a second one.",
    )


class TopicPublic(BaseModel):
    id: str
    mentorship_id: str
    text: str
    added_by: str | None = Field(description="The person id of who added it; null for admin and platform keys.")
    added_by_role: TopicRole = Field(description="Their relation to the mentorship when they added it.")
    session_id: str | None = Field(
        description="The session whose saved plan took the topic in; null while it is open for the next session."
    )
    created_at: dt.datetime


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


class InviteRecord(BaseModel):
    """A one-time sign-in link for a mentee as it may be shown: never the token, never its hash."""

    id: str
    tenant: str
    mentorship_id: str
    mentee_person_id: str
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None
    revoked_at: dt.datetime | None
