"""SQLAlchemy 2 models of the memory database. Alembic migrations must match them (a test checks).

Every row carries `tenant`, and every child row points at its parent through a foreign key that
includes the tenant, so the database itself refuses a session, note, action item or decision whose
parent lives in another tenant.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Named constraints, so SQLite batch migrations can find and alter them later."""

ID_LENGTH = 36
TENANT_LENGTH = 64
PERSON_LENGTH = 128


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on every backend (SQLite would otherwise hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware one")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
    }


def _tenant_column() -> Mapped[str]:
    return mapped_column(String(TENANT_LENGTH))


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    tenant: Mapped[str] = _tenant_column()
    role: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[str | None] = mapped_column(String(PERSON_LENGTH))
    name: Mapped[str | None] = mapped_column(String(100))
    key_prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    __table_args__ = (
        CheckConstraint("role IN ('admin', 'platform', 'mentor', 'mentee')", name="role"),
        CheckConstraint(
            "(role IN ('mentor', 'mentee') AND person_id IS NOT NULL)"
            " OR (role IN ('admin', 'platform') AND person_id IS NULL)",
            name="person_matches_role",
        ),
        UniqueConstraint("key_hash"),
        Index(None, "key_prefix"),
        Index(None, "tenant", "created_at"),
    )


class MenteeInvite(Base):
    """A one-time sign-in link for the mentee of a mentorship: only the token's SHA-256 is kept, as for API
    keys. Usable while `used_at` and `revoked_at` are NULL and `expires_at` is ahead; using it sets `used_at`
    and `key_id` (the mentee key it made), so it works once."""

    __tablename__ = "mentee_invites"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    tenant: Mapped[str] = _tenant_column()
    mentorship_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    mentee_person_id: Mapped[str] = mapped_column(String(PERSON_LENGTH), comment="Who the link signs in")
    token_hash: Mapped[str] = mapped_column(String(64), comment="SHA-256 of the token; the token is never stored")
    created_by: Mapped[str | None] = mapped_column(
        String(PERSON_LENGTH), comment="The inviting person id; NULL for admin and platform keys"
    )
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None] = mapped_column(comment="Set when a newer invite replaced it")
    key_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), comment="The mentee key the invite made")

    __table_args__ = (
        ForeignKeyConstraint(["mentorship_id", "tenant"], ["mentorships.id", "mentorships.tenant"], ondelete="CASCADE"),
        UniqueConstraint("token_hash"),
        Index(None, "tenant", "mentorship_id", "mentee_person_id"),
    )


class Mentorship(Base):
    __tablename__ = "mentorships"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    tenant: Mapped[str] = _tenant_column()
    mentor_person_id: Mapped[str] = mapped_column(String(PERSON_LENGTH))
    mentee_person_id: Mapped[str] = mapped_column(String(PERSON_LENGTH))
    mentor: Mapped[dict[str, Any]] = mapped_column(comment="schemas.MentorProfile plus person_id")
    mentee: Mapped[dict[str, Any]] = mapped_column(comment="schemas.MenteeProfile plus person_id")
    goals: Mapped[list[str]]
    cadence: Mapped[dict[str, Any] | None] = mapped_column(comment="schemas.Cadence of the latest goal plan")
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime]

    __table_args__ = (
        CheckConstraint("status IN ('active', 'paused', 'closed')", name="status"),
        UniqueConstraint("id", "tenant"),
        Index(None, "tenant", "mentor_person_id"),
        Index(None, "tenant", "mentee_person_id"),
    )


class MentoringSession(Base):
    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    mentorship_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    tenant: Mapped[str] = _tenant_column()
    number: Mapped[int] = mapped_column(Integer)
    date: Mapped[dt.date] = mapped_column(Date)
    agenda: Mapped[dict[str, Any] | None] = mapped_column(comment="schemas.Agenda used in the session")
    icebreakers_asked: Mapped[list[str]]
    feedback: Mapped[dict[str, Any] | None] = mapped_column(
        comment="schemas.FeedbackSummary saved for the session (the latest one)"
    )
    plan_visibility: Mapped[str | None] = mapped_column(
        String(16), comment="Who may read the agenda and asked icebreakers: shared or mentor_private"
    )
    reflection: Mapped[dict[str, Any] | None] = mapped_column(
        comment="schemas.ReflectionPrompts the mentee asked for after the session (the latest)"
    )
    created_at: Mapped[dt.datetime]

    __table_args__ = (
        ForeignKeyConstraint(["mentorship_id", "tenant"], ["mentorships.id", "mentorships.tenant"], ondelete="CASCADE"),
        UniqueConstraint("mentorship_id", "number"),
        UniqueConstraint("id", "mentorship_id", "tenant"),
        CheckConstraint("number >= 1", name="number_positive"),
    )


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    mentorship_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    tenant: Mapped[str] = _tenant_column()
    position: Mapped[int] = mapped_column(Integer, comment="Order within the session")
    text: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(16))
    author_person_id: Mapped[str | None] = mapped_column(String(PERSON_LENGTH))
    created_at: Mapped[dt.datetime]

    __table_args__ = (
        ForeignKeyConstraint(
            ["session_id", "mentorship_id", "tenant"],
            ["sessions.id", "sessions.mentorship_id", "sessions.tenant"],
            ondelete="CASCADE",
        ),
        CheckConstraint("visibility IN ('shared', 'mentor_private')", name="visibility"),
        Index(None, "session_id", "position"),
        Index(None, "mentorship_id", "visibility"),
    )


class ActionItemRecord(Base):
    __tablename__ = "action_items"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    mentorship_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    session_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    tenant: Mapped[str] = _tenant_column()
    position: Mapped[int] = mapped_column(Integer, comment="Order within the batch that created it")
    text: Mapped[str] = mapped_column(String(500))
    owner: Mapped[str | None] = mapped_column(String(100))
    due: Mapped[dt.date | None] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean)
    done_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]

    __table_args__ = (
        ForeignKeyConstraint(["mentorship_id", "tenant"], ["mentorships.id", "mentorships.tenant"], ondelete="CASCADE"),
        ForeignKeyConstraint(
            ["session_id", "mentorship_id", "tenant"],
            ["sessions.id", "sessions.mentorship_id", "sessions.tenant"],
            ondelete="CASCADE",
        ),
        CheckConstraint("(done AND done_at IS NOT NULL) OR (NOT done AND done_at IS NULL)", name="done_at_when_done"),
        Index(None, "mentorship_id", "done"),
    )


class DecisionRecord(Base):
    """A decision framework saved for a mentorship (mentor-side: it may cite the mentor's private notes)."""

    __tablename__ = "decisions"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    mentorship_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    tenant: Mapped[str] = _tenant_column()
    statement: Mapped[str] = mapped_column(Text, comment="The framework's decision, for listing")
    framework: Mapped[dict[str, Any]] = mapped_column(comment="schemas.DecisionFramework as saved")
    check_in_date: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(Text, comment="What happened, recorded at the check-in")
    checked_in_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]

    __table_args__ = (
        ForeignKeyConstraint(["mentorship_id", "tenant"], ["mentorships.id", "mentorships.tenant"], ondelete="CASCADE"),
        Index(None, "tenant", "mentorship_id"),
    )


class Person(Base):
    """A mentor's or a mentee's profile, kept once per tenant and reused: by matching, and to fill a new
    mentorship's profiles. `vectors` caches the embedded phrases of the profile (see companion/people.py)."""

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    tenant: Mapped[str] = _tenant_column()
    role: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[str] = mapped_column(String(PERSON_LENGTH))
    name: Mapped[str] = mapped_column(String(100))
    profile: Mapped[dict[str, Any]] = mapped_column(comment="memory.schemas.MentorRecord or MenteeRecord")
    capacity: Mapped[int | None] = mapped_column(Integer, comment="Mentees a mentor takes at once; NULL for mentees")
    vectors: Mapped[bytes | None] = mapped_column(
        LargeBinary, comment="float32 rows, one per matching phrase of the profile"
    )
    vector_model: Mapped[str | None] = mapped_column(String(100), comment="Embedding model that made `vectors`")
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    __table_args__ = (
        CheckConstraint("role IN ('mentor', 'mentee')", name="role"),
        CheckConstraint("capacity IS NULL OR (capacity >= 0 AND capacity <= 50)", name="capacity_range"),
        UniqueConstraint("tenant", "role", "person_id"),
    )


class MentorRequest(Base):
    """A mentee asking for one mentor of their tenant; its managers see it beside the suggested matches.
    One row per (tenant, mentee, mentor): asking again changes the message, never adds a row."""

    __tablename__ = "mentor_requests"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    tenant: Mapped[str] = _tenant_column()
    mentee_person_id: Mapped[str] = mapped_column(String(PERSON_LENGTH))
    mentor_person_id: Mapped[str] = mapped_column(String(PERSON_LENGTH))
    message: Mapped[str | None] = mapped_column(String(500), comment="Why this mentor, in the mentee's words")
    status: Mapped[str] = mapped_column(String(16))
    mentorship_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), comment="Set when the pair is accepted")
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    __table_args__ = (
        CheckConstraint("status IN ('open', 'accepted')", name="status"),
        UniqueConstraint("tenant", "mentee_person_id", "mentor_person_id"),
    )


class Goal(Base):
    """A goal of a mentorship as a record: made from a goal plan, the mentee's profile or by hand.
    `statement_key` (the statement casefolded, spaces collapsed) keeps one row per goal, so seeding
    from the same plan twice adds nothing."""

    __tablename__ = "goals"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    mentorship_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    tenant: Mapped[str] = _tenant_column()
    position: Mapped[int] = mapped_column(Integer, comment="Order among the mentorship's goals")
    statement: Mapped[str] = mapped_column(Text)
    statement_key: Mapped[str] = mapped_column(String(200), comment="Normalised statement, one row per goal")
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16), comment="plan, profile or manual")
    smart: Mapped[dict[str, Any] | None] = mapped_column(
        comment="specific, measurable, achievable, relevant, time_bound where the plan knew them"
    )
    milestones: Mapped[list[dict[str, Any]]] = mapped_column(JSON(), comment="schemas.Milestone rows")
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    __table_args__ = (
        ForeignKeyConstraint(["mentorship_id", "tenant"], ["mentorships.id", "mentorships.tenant"], ondelete="CASCADE"),
        CheckConstraint("status IN ('active', 'achieved', 'dropped')", name="status"),
        CheckConstraint("source IN ('plan', 'profile', 'manual')", name="source"),
        UniqueConstraint("mentorship_id", "statement_key"),
        UniqueConstraint("id", "mentorship_id", "tenant"),
    )


class GoalCheckIn(Base):
    """One rating (0-10) of a goal's progress, by the mentee or by the mentor side, usually at the end of
    a session. With a session, one per (goal, session, rater): rating again replaces it."""

    __tablename__ = "goal_check_ins"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    goal_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    mentorship_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    session_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    tenant: Mapped[str] = _tenant_column()
    rater: Mapped[str] = mapped_column(String(8), comment="mentee or mentor, from the caller's relation")
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text, comment="The line of self-assessment (or the mentor's view)")
    author_person_id: Mapped[str | None] = mapped_column(String(PERSON_LENGTH))
    created_at: Mapped[dt.datetime]

    __table_args__ = (
        ForeignKeyConstraint(
            ["goal_id", "mentorship_id", "tenant"],
            ["goals.id", "goals.mentorship_id", "goals.tenant"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["session_id", "mentorship_id", "tenant"],
            ["sessions.id", "sessions.mentorship_id", "sessions.tenant"],
            ondelete="CASCADE",
        ),
        CheckConstraint("rater IN ('mentee', 'mentor')", name="rater"),
        CheckConstraint("rating >= 0 AND rating <= 10", name="rating_range"),
        UniqueConstraint("goal_id", "session_id", "rater"),
        Index(None, "tenant", "mentorship_id", "created_at"),
    )


class SessionTopic(Base):
    """A topic a party of the mentorship wants to talk about at the next session: the shared agenda.
    Open while `session_id` and `removed_at` are both NULL; a saved plan that used it sets `session_id`.
    Shared by nature: both parties read every open topic, so a topic never holds a private note."""

    __tablename__ = "session_topics"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    mentorship_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    tenant: Mapped[str] = _tenant_column()
    text: Mapped[str] = mapped_column(String(300), comment="The topic, in its author's words")
    text_key: Mapped[str] = mapped_column(String(300), comment="Normalised text: one open topic per key")
    author_person_id: Mapped[str | None] = mapped_column(
        String(PERSON_LENGTH), comment="NULL for admin and platform keys"
    )
    author_role: Mapped[str] = mapped_column(String(16), comment="The author's relation to the mentorship")
    session_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), comment="The session whose saved plan took the topic in; NULL while open"
    )
    removed_at: Mapped[dt.datetime | None] = mapped_column(comment="Set when a party removed it")
    created_at: Mapped[dt.datetime]

    __table_args__ = (
        ForeignKeyConstraint(["mentorship_id", "tenant"], ["mentorships.id", "mentorships.tenant"], ondelete="CASCADE"),
        ForeignKeyConstraint(
            ["session_id", "mentorship_id", "tenant"],
            ["sessions.id", "sessions.mentorship_id", "sessions.tenant"],
            ondelete="CASCADE",
        ),
        CheckConstraint("author_role IN ('admin', 'platform', 'mentor', 'mentee')", name="author_role"),
        CheckConstraint("session_id IS NULL OR removed_at IS NULL", name="taken_or_removed"),
        Index(None, "tenant", "mentorship_id", "created_at"),
    )
