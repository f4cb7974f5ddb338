"""Tenant-scoped reads and writes of mentorships, sessions, notes and action items.

Every method takes the tenant first and filters by it in SQL, so an id from another tenant is
NotFound exactly like an id that never existed. `viewer_person_id`, when given, narrows further to
mentorships in which that person is the mentor or the mentee (what mentor and mentee keys see);
for decisions, which are mentor-side, only to mentorships in which that person is the mentor.
A session's feedback summary may draw on private notes, so it goes out only with
`include_private_notes` and never to the mentee. Note text never goes to the log.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from annotated_types import MaxLen
from pydantic import BaseModel
from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.orm import Session

from companion.access import Forbidden
from companion.memory.db import Database
from companion.memory.errors import InvalidMemoryRequest, NotFound
from companion.memory.models import (
    ActionItemRecord,
    DecisionRecord,
    Goal,
    GoalCheckIn,
    MentoringSession,
    Mentorship,
    Note,
    SessionTopic,
)
from companion.memory.schemas import (
    MAX_OPEN_TOPICS,
    TENANT_PATTERN,
    ActionItemGroups,
    ActionItemPublic,
    DecisionCheckIn,
    DecisionPublic,
    GoalCheckInCreate,
    GoalCheckInPublic,
    GoalCreate,
    GoalPublic,
    GoalUpdate,
    MenteePerson,
    MentorPerson,
    MentorshipCreate,
    MentorshipPublic,
    MonthCount,
    NoteCreate,
    NotePublic,
    Progress,
    SessionCreate,
    SessionPlanUpdate,
    SessionPublic,
    TopicPublic,
)
from companion.schemas import (
    ActionItem,
    Agenda,
    Cadence,
    DecisionFramework,
    FeedbackSummary,
    GoalHistory,
    GoalRating,
    MenteeProfile,
    MentoringContext,
    MentorProfile,
    Milestone,
    ReflectionPrompts,
    SessionInfo,
    question_key,
)

log = logging.getLogger("companion.memory")

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def check_tenant(tenant: str) -> str:
    """Refuse a tenant name that MentoringContext would refuse later, before anything is stored."""
    if not (1 <= len(tenant) <= 64 and re.fullmatch(TENANT_PATTERN, tenant)):
        raise InvalidMemoryRequest(f"invalid tenant {tenant!r}: use 1-64 letters, digits, '_', '.' or '-'")
    return tenant


def _max_length(model: type[BaseModel], field: str) -> int:
    """A list field's limit, read from the model so the context can never outgrow its own schema."""
    for constraint in model.model_fields[field].metadata:
        if isinstance(constraint, MaxLen):
            return constraint.max_length
    raise LookupError(f"{model.__name__}.{field} has no max_length")


MAX_CONTEXT_ITEMS = _max_length(MentoringContext, "open_action_items")
MAX_CONTEXT_ICEBREAKERS = _max_length(MentoringContext, "previous_icebreakers")
MAX_CONTEXT_GOALS = _max_length(MentoringContext, "goal_history")
MAX_GOAL_RATINGS = _max_length(GoalHistory, "ratings")
SESSION_NUMBER_LIMIT = 1000
"""SessionInfo accepts session numbers up to this; later sessions are presented as this number."""
SESSION_MINUTES_RANGE = (10, 240)
"""SessionInfo's accepted duration, which a stored cadence is clamped to."""


def _month(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _months_between(first: dt.date, last: dt.date) -> list[str]:
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class MemoryRepository:
    """The memory of every mentorship: one instance per process, safe to share between threads."""

    def __init__(self, database: Database, *, clock: Clock = utc_now) -> None:
        self.database = database
        self.clock = clock

    # -- mentorships -----------------------------------------------------------------------
    def create_mentorship(self, tenant: str, data: MentorshipCreate) -> MentorshipPublic:
        check_tenant(tenant)
        mentor, mentee = data.mentor, data.mentee
        if mentor is None or mentee is None:
            raise InvalidMemoryRequest(
                "fill the profiles from mentor_id / mentee_id first (People.mentorship_with_profiles)"
            )
        row = Mentorship(
            id=new_id(),
            tenant=tenant,
            mentor_person_id=mentor.person_id,
            mentee_person_id=mentee.person_id,
            mentor=mentor.model_dump(mode="json"),
            mentee=mentee.model_dump(mode="json"),
            goals=list(data.goals),
            cadence=None,
            status="active",
            created_at=self.clock(),
        )
        with self.database.write() as session:
            session.add(row)
            session.flush()
            _upsert_goals(session, row, [GoalCreate(statement=goal) for goal in row.goals], "profile", row.created_at)
        log.info("mentorship created", extra={"tenant": tenant, "mentorship_id": row.id})
        return _mentorship_public(row)

    def list_mentorships(self, tenant: str, *, viewer_person_id: str | None = None) -> list[MentorshipPublic]:
        """All of the tenant's mentorships, or only those the viewer is mentor or mentee in."""
        query = select(Mentorship).where(Mentorship.tenant == tenant)
        if viewer_person_id is not None:
            query = query.where(_has_person(viewer_person_id))
        with self.database.read() as session:
            rows = session.scalars(query.order_by(Mentorship.created_at, Mentorship.id)).all()
        return [_mentorship_public(row) for row in rows]

    def get_mentorship(
        self, tenant: str, mentorship_id: str, *, viewer_person_id: str | None = None
    ) -> MentorshipPublic:
        with self.database.read() as session:
            return _mentorship_public(_load_mentorship(session, tenant, mentorship_id, viewer_person_id))

    def save_cadence(
        self, tenant: str, mentorship_id: str, cadence: Cadence, *, viewer_person_id: str | None = None
    ) -> MentorshipPublic:
        """Keep the latest goal plan's cadence, so progress and later contexts can use it."""
        with self.database.write() as session:
            row = _load_mentorship(session, tenant, mentorship_id, viewer_person_id)
            row.cadence = cadence.model_dump(mode="json")
        return _mentorship_public(row)

    # -- sessions --------------------------------------------------------------------------
    def add_session(
        self,
        tenant: str,
        mentorship_id: str,
        data: SessionCreate,
        *,
        viewer_person_id: str | None = None,
        include_private_notes: bool = True,
    ) -> SessionPublic:
        """Store a session with the next number, its notes, icebreakers and action items, atomically.

        Returns the session as `get_session` would show it to this viewer (with all it wrote by
        default), from what it wrote: no second read."""
        now = self.clock()
        with self.database.write() as session:
            mentorship = _load_mentorship(session, tenant, mentorship_id, viewer_person_id, for_update=True)
            authors = [
                _note_author(mentorship, note.visibility, note.author_person_id, viewer_person_id)
                for note in data.notes
            ]
            number = _next_session_number(session, mentorship_id)
            row = MentoringSession(
                id=new_id(),
                mentorship_id=mentorship_id,
                tenant=tenant,
                number=number,
                date=data.date,
                agenda=data.agenda.model_dump(mode="json") if data.agenda is not None else None,
                icebreakers_asked=list(data.icebreakers_asked),
                plan_visibility=data.plan_visibility,
                created_at=now,
            )
            session.add(row)
            session.flush()
            notes = [
                Note(
                    id=new_id(),
                    session_id=row.id,
                    mentorship_id=mentorship_id,
                    tenant=tenant,
                    position=position,
                    text=note.text,
                    visibility=note.visibility,
                    author_person_id=author,
                    created_at=now,
                )
                for position, (note, author) in enumerate(zip(data.notes, authors, strict=True))
            ]
            items = _new_action_items(tenant, mentorship_id, row.id, data.action_items, now)
            session.add_all([*notes, *items])
        shown = _session_public(
            row,
            [note for note in notes if _note_visible(mentorship, note, viewer_person_id, include_private_notes)],
            sorted(items, key=_urgency),
        )
        log.info(
            "session added",
            extra={
                "tenant": tenant,
                "mentorship_id": mentorship_id,
                "session_number": number,
                "notes": len(notes),
                "action_items": len(items),
            },
        )
        return shown

    def list_sessions(
        self,
        tenant: str,
        mentorship_id: str,
        *,
        viewer_person_id: str | None = None,
        include_private_notes: bool = False,
    ) -> list[SessionPublic]:
        """Sessions in order, with only the notes this viewer may read.

        Shared notes always; mentor_private notes only with `include_private_notes`, and then only
        the viewer's own when `viewer_person_id` is given. The mentee never gets a private note,
        whatever the flag says. The same rule gives each session's `feedback`: only with
        `include_private_notes`, and never to the mentee.
        """
        with self.database.read() as session:
            mentorship = _load_mentorship(session, tenant, mentorship_id, viewer_person_id)
            rows = session.scalars(
                select(MentoringSession)
                .where(MentoringSession.tenant == tenant, MentoringSession.mentorship_id == mentorship_id)
                .order_by(MentoringSession.number)
            ).all()
            notes = session.scalars(
                select(Note)
                .where(
                    Note.tenant == tenant,
                    Note.mentorship_id == mentorship_id,
                    _visible_notes(mentorship, viewer_person_id, include_private_notes),
                )
                .order_by(Note.session_id, Note.position)
            ).all()
            items = _action_items(session, tenant, mentorship_id, ActionItemRecord.session_id.is_not(None))
        notes_by_session: dict[str, list[Note]] = {}
        for note in notes:
            notes_by_session.setdefault(note.session_id, []).append(note)
        items_by_session: dict[str | None, list[ActionItemRecord]] = {}
        for item in items:
            items_by_session.setdefault(item.session_id, []).append(item)
        show_feedback = _may_see_feedback(mentorship, viewer_person_id, include_private_notes)
        return [
            _session_public(
                row, notes_by_session.get(row.id, []), items_by_session.get(row.id, []), show_feedback=show_feedback
            )
            for row in rows
        ]

    def get_session(
        self,
        tenant: str,
        mentorship_id: str,
        session_id: str,
        *,
        viewer_person_id: str | None = None,
        include_private_notes: bool = False,
    ) -> SessionPublic:
        """One session, with the notes (and feedback) this viewer may read, as in `list_sessions`."""
        with self.database.read() as session:
            mentorship = _load_mentorship(session, tenant, mentorship_id, viewer_person_id)
            row = _load_session(session, tenant, mentorship_id, session_id)
            return _session_view(session, mentorship, row, viewer_person_id, include_private_notes)

    def add_notes(
        self,
        tenant: str,
        mentorship_id: str,
        session_id: str,
        notes: Sequence[NoteCreate],
        *,
        viewer_person_id: str | None = None,
        include_private_notes: bool = True,
    ) -> SessionPublic:
        """Append notes to a stored session, after the ones it has, with add_session's author rules.

        Returns the session as `get_session` would show it with `include_private_notes` (True, as
        add_session returns what was just written; pass False for a caller that may not read private
        notes, such as a platform).
        """
        now = self.clock()
        with self.database.write() as session:
            mentorship = _load_mentorship(session, tenant, mentorship_id, viewer_person_id)
            row = _load_session(session, tenant, mentorship_id, session_id, for_update=True)
            authors = [
                _note_author(mentorship, note.visibility, note.author_person_id, viewer_person_id) for note in notes
            ]
            highest = session.scalar(
                select(func.max(Note.position)).where(
                    Note.tenant == tenant, Note.mentorship_id == mentorship_id, Note.session_id == session_id
                )
            )
            start = -1 if highest is None else highest
            session.add_all(
                [
                    Note(
                        id=new_id(),
                        session_id=session_id,
                        mentorship_id=mentorship_id,
                        tenant=tenant,
                        position=start + offset,
                        text=note.text,
                        visibility=note.visibility,
                        author_person_id=author,
                        created_at=now,
                    )
                    for offset, (note, author) in enumerate(zip(notes, authors, strict=True), start=1)
                ]
            )
            session.flush()
            public = _session_view(session, mentorship, row, viewer_person_id, include_private_notes)
        log.info(
            "notes added",
            extra={"tenant": tenant, "mentorship_id": mentorship_id, "session_number": row.number, "notes": len(notes)},
        )
        return public

    def update_session_plan(
        self,
        tenant: str,
        mentorship_id: str,
        session_id: str,
        data: SessionPlanUpdate,
        *,
        viewer_person_id: str | None = None,
        include_private_notes: bool = True,
    ) -> SessionPublic:
        """Change a stored session's date, agenda or asked icebreakers: only the fields set in `data`."""
        changed = sorted(data.model_fields_set)
        with self.database.write() as session:
            mentorship = _load_mentorship(session, tenant, mentorship_id, viewer_person_id)
            row = _load_session(session, tenant, mentorship_id, session_id, for_update=True)
            if "date" in changed:
                row.date = data.date
            if "agenda" in changed:
                row.agenda = data.agenda.model_dump(mode="json") if data.agenda is not None else None
            if "icebreakers_asked" in changed:
                row.icebreakers_asked = list(data.icebreakers_asked)
            if data.plan_visibility is not None:
                row.plan_visibility = data.plan_visibility
            session.flush()
            public = _session_view(session, mentorship, row, viewer_person_id, include_private_notes)
        log.info(
            "session plan updated",
            extra={"tenant": tenant, "mentorship_id": mentorship_id, "session_number": row.number, "fields": changed},
        )
        return public

    def save_feedback(
        self,
        tenant: str,
        mentorship_id: str,
        session_id: str,
        feedback: FeedbackSummary,
        *,
        viewer_person_id: str | None = None,
        include_private_notes: bool = True,
    ) -> SessionPublic:
        """Keep `feedback` as the session's feedback summary, replacing any saved before.

        Its action items are not stored by this: save the ones confirmed with `add_action_items`.
        """
        with self.database.write() as session:
            mentorship = _load_mentorship(session, tenant, mentorship_id, viewer_person_id)
            row = _load_session(session, tenant, mentorship_id, session_id, for_update=True)
            row.feedback = feedback.model_dump(mode="json")
            session.flush()
            public = _session_view(session, mentorship, row, viewer_person_id, include_private_notes)
        log.info(
            "feedback saved", extra={"tenant": tenant, "mentorship_id": mentorship_id, "session_number": row.number}
        )
        return public

    def save_reflection(
        self,
        tenant: str,
        mentorship_id: str,
        session_id: str,
        reflection: ReflectionPrompts,
        *,
        viewer_person_id: str | None = None,
    ) -> None:
        """Keep `reflection` as the prompts for the session, replacing any kept before. The caller decides
        that they may be kept (made for the mentee from what the mentee may read)."""
        with self.database.write() as session:
            _load_mentorship(session, tenant, mentorship_id, viewer_person_id)
            row = _load_session(session, tenant, mentorship_id, session_id, for_update=True)
            row.reflection = reflection.model_dump(mode="json")
        log.info(
            "reflection saved", extra={"tenant": tenant, "mentorship_id": mentorship_id, "session_number": row.number}
        )

    def get_reflection(
        self, tenant: str, mentorship_id: str, session_id: str, *, viewer_person_id: str | None = None
    ) -> ReflectionPrompts | None:
        """The reflection prompts kept for the session, if any."""
        with self.database.read() as session:
            _load_mentorship(session, tenant, mentorship_id, viewer_person_id)
            row = _load_session(session, tenant, mentorship_id, session_id)
            return ReflectionPrompts.model_validate(row.reflection) if row.reflection else None

    # -- action items ----------------------------------------------------------------------
    def add_action_items(
        self,
        tenant: str,
        mentorship_id: str,
        items: Sequence[ActionItem],
        *,
        session_id: str | None = None,
        viewer_person_id: str | None = None,
    ) -> list[ActionItemPublic]:
        """Save action items (e.g. a feedback summary's) in one call, optionally onto a stored session."""
        now = self.clock()
        with self.database.write() as session:
            _load_mentorship(session, tenant, mentorship_id, viewer_person_id)
            if session_id is not None:
                found = session.scalar(
                    select(MentoringSession.id).where(
                        MentoringSession.id == session_id,
                        MentoringSession.tenant == tenant,
                        MentoringSession.mentorship_id == mentorship_id,
                    )
                )
                if found is None:
                    raise NotFound("session", session_id)
            # Saving is idempotent by content: an item whose text is already stored for this session (or,
            # without a session, among the open items) is that item, with the owner and due date sent now;
            # a second click on "Save", a retried request or a re-save after a fix stores nothing twice.
            same_place = (
                ActionItemRecord.session_id == session_id
                if session_id is not None
                else ActionItemRecord.session_id.is_(None) & ~ActionItemRecord.done
            )
            stored = {
                _item_key(row.text): row
                for row in session.scalars(
                    select(ActionItemRecord).where(
                        ActionItemRecord.tenant == tenant, ActionItemRecord.mentorship_id == mentorship_id, same_place
                    )
                )
            }
            saved: dict[str, ActionItemRecord] = {}
            for item in items:
                key = _item_key(item.text)
                row = saved.get(key) or stored.get(key)
                if row is None:
                    row = _new_action_item(tenant, mentorship_id, session_id, item, now, position=len(saved))
                    session.add(row)
                else:
                    row.owner, row.due = item.owner, item.due
                saved[key] = row
            rows = list(saved.values())
        return [_action_item_public(row) for row in rows]

    def set_action_item_done(
        self,
        tenant: str,
        mentorship_id: str,
        item_id: str,
        done: bool,
        *,
        viewer_person_id: str | None = None,
        may_change: Callable[[str | None], bool] | None = None,
    ) -> ActionItemPublic:
        """Mark an item done (keeping the first completion time) or reopen it.

        `may_change(owner)` is the caller's access rule for this item; False raises Forbidden."""
        with self.database.write() as session:
            _load_mentorship(session, tenant, mentorship_id, viewer_person_id)
            row = session.scalar(
                select(ActionItemRecord).where(
                    ActionItemRecord.id == item_id,
                    ActionItemRecord.tenant == tenant,
                    ActionItemRecord.mentorship_id == mentorship_id,
                )
            )
            if row is None:
                raise NotFound("action item", item_id)
            if may_change is not None and not may_change(row.owner):
                raise Forbidden("this action item is not yours to tick off: it belongs to the mentor side")
            if done and not row.done:
                row.done, row.done_at = True, self.clock()
            elif not done:
                row.done, row.done_at = False, None
        return _action_item_public(row)

    def open_action_items(
        self, tenant: str, mentorship_id: str, *, viewer_person_id: str | None = None
    ) -> list[ActionItemPublic]:
        """Items not done yet, most urgent first (earliest due date; undated last)."""
        with self.database.read() as session:
            _load_mentorship(session, tenant, mentorship_id, viewer_person_id)
            rows = _action_items(session, tenant, mentorship_id, ActionItemRecord.done.is_(False))
        return [_action_item_public(row) for row in rows]

    # -- decisions -------------------------------------------------------------------------
    def save_decision(
        self, tenant: str, mentorship_id: str, framework: DecisionFramework, *, viewer_person_id: str | None = None
    ) -> DecisionPublic:
        """Keep a decision framework; its `decision` is the statement, its `check_in_date` the check-in.

        Decisions are mentor-side: with `viewer_person_id`, only that person's mentorships as mentor.
        """
        statement = framework.decision.strip()
        if not statement:
            raise InvalidMemoryRequest("a decision needs a statement (framework.decision is empty)")
        if "\x00" in statement:
            raise InvalidMemoryRequest("framework.decision must not contain NUL characters")
        row = DecisionRecord(
            id=new_id(),
            mentorship_id=mentorship_id,
            tenant=tenant,
            statement=statement,
            framework=framework.model_dump(mode="json"),
            check_in_date=framework.check_in_date,
            created_at=self.clock(),
        )
        with self.database.write() as session:
            _load_mentorship(session, tenant, mentorship_id, viewer_person_id, mentor_only=True)
            session.add(row)
        log.info("decision saved", extra={"tenant": tenant, "mentorship_id": mentorship_id, "decision_id": row.id})
        return _decision_public(row)

    def list_decisions(
        self, tenant: str, mentorship_id: str, *, viewer_person_id: str | None = None
    ) -> list[DecisionPublic]:
        """The mentorship's saved decisions, newest first."""
        with self.database.read() as session:
            _load_mentorship(session, tenant, mentorship_id, viewer_person_id, mentor_only=True)
            rows = session.scalars(
                select(DecisionRecord)
                .where(DecisionRecord.tenant == tenant, DecisionRecord.mentorship_id == mentorship_id)
                .order_by(DecisionRecord.created_at.desc(), DecisionRecord.id.desc())
            ).all()
        return [_decision_public(row) for row in rows]

    def get_decision(
        self, tenant: str, mentorship_id: str, decision_id: str, *, viewer_person_id: str | None = None
    ) -> DecisionPublic:
        with self.database.read() as session:
            return _decision_public(_load_decision(session, tenant, mentorship_id, decision_id, viewer_person_id))

    def check_in_decision(
        self,
        tenant: str,
        mentorship_id: str,
        decision_id: str,
        check_in: DecisionCheckIn,
        *,
        viewer_person_id: str | None = None,
    ) -> DecisionPublic:
        """Record what happened; the decision leaves `decisions_due`. A later check-in replaces the outcome."""
        with self.database.write() as session:
            row = _load_decision(session, tenant, mentorship_id, decision_id, viewer_person_id)
            row.outcome, row.checked_in_at = check_in.outcome, self.clock()
        log.info(
            "decision checked in", extra={"tenant": tenant, "mentorship_id": mentorship_id, "decision_id": decision_id}
        )
        return _decision_public(row)

    def decisions_due(
        self, tenant: str, today: dt.date, *, viewer_person_id: str | None = None
    ) -> list[DecisionPublic]:
        """Decisions not checked in yet whose check-in date is `today` or earlier, across the tenant's mentorships (or the
        viewer's, as mentor): the longest overdue first."""
        query = (
            select(DecisionRecord)
            .join(
                Mentorship,
                and_(Mentorship.id == DecisionRecord.mentorship_id, Mentorship.tenant == DecisionRecord.tenant),
            )
            .where(
                DecisionRecord.tenant == tenant,
                Mentorship.tenant == tenant,
                DecisionRecord.check_in_date.is_not(None),
                DecisionRecord.check_in_date <= today,
                DecisionRecord.checked_in_at.is_(None),
            )
            .order_by(DecisionRecord.check_in_date, DecisionRecord.created_at, DecisionRecord.id)
        )
        if viewer_person_id is not None:
            query = query.where(Mentorship.mentor_person_id == viewer_person_id)
        with self.database.read() as session:
            rows = session.scalars(query).all()
        return [_decision_public(row) for row in rows]

    # -- goals -----------------------------------------------------------------------------
    def list_goals(self, tenant: str, mentorship_id: str, *, viewer_person_id: str | None = None) -> list[GoalPublic]:
        """The mentorship's goals in order, each with its check-ins, oldest first."""
        with self.database.read() as session:
            _load_mentorship(session, tenant, mentorship_id, viewer_person_id)
            return _goals_public(session, tenant, mentorship_id)

    def get_goal(
        self, tenant: str, mentorship_id: str, goal_id: str, *, viewer_person_id: str | None = None
    ) -> GoalPublic:
        with self.database.read() as session:
            _load_mentorship(session, tenant, mentorship_id, viewer_person_id)
            row = _load_goal(session, tenant, mentorship_id, goal_id)
            return _goals_public(session, tenant, mentorship_id, only=row.id)[0]

    def add_goals(
        self,
        tenant: str,
        mentorship_id: str,
        goals: Sequence[GoalCreate],
        *,
        source: str = "manual",
        viewer_person_id: str | None = None,
    ) -> list[GoalPublic]:
        """Keep goals as rows, one per statement: a statement the mentorship already has fills that row's
        missing deadline, SMART fields and milestones instead of adding a row. Returns the rows touched."""
        now = self.clock()
        with self.database.write() as session:
            mentorship = _load_mentorship(session, tenant, mentorship_id, viewer_person_id, for_update=True)
            touched = _upsert_goals(session, mentorship, goals, source, now)
            session.flush()
            shown = {goal.id: goal for goal in _goals_public(session, tenant, mentorship_id)}
        log.info("goals saved", extra={"tenant": tenant, "mentorship_id": mentorship_id, "goals": len(touched)})
        return [shown[goal_id] for goal_id in dict.fromkeys(touched)]

    def update_goal(
        self,
        tenant: str,
        mentorship_id: str,
        goal_id: str,
        data: GoalUpdate,
        *,
        viewer_person_id: str | None = None,
    ) -> GoalPublic:
        """Change a goal's statement, deadline or status: only the fields set in `data`."""
        fields = data.model_fields_set
        with self.database.write() as session:
            _load_mentorship(session, tenant, mentorship_id, viewer_person_id, for_update=True)
            row = _load_goal(session, tenant, mentorship_id, goal_id, for_update=True)
            if "statement" in fields and data.statement is not None:
                key = statement_key(data.statement)
                clash = session.scalar(
                    select(Goal.id).where(
                        Goal.tenant == tenant,
                        Goal.mentorship_id == mentorship_id,
                        Goal.statement_key == key,
                        Goal.id != goal_id,
                    )
                )
                if clash is not None:
                    raise InvalidMemoryRequest("the mentorship already has a goal with this statement")
                row.statement, row.statement_key = data.statement, key
            if "deadline" in fields:
                row.deadline = data.deadline
            if "status" in fields and data.status is not None:
                row.status = data.status
            row.updated_at = self.clock()
            session.flush()
            return _goals_public(session, tenant, mentorship_id, only=row.id)[0]

    def add_goal_check_in(
        self,
        tenant: str,
        mentorship_id: str,
        goal_id: str,
        data: GoalCheckInCreate,
        *,
        rater: str,
        author_person_id: str | None = None,
        viewer_person_id: str | None = None,
    ) -> GoalCheckInPublic:
        """A rating of an active goal by `rater` (mentee or mentor, decided by the caller's relation). With a
        session of the same mentorship, one per rater and session: rating again replaces the first."""
        if rater not in ("mentee", "mentor"):
            raise InvalidMemoryRequest(f"rater must be mentee or mentor, not {rater!r}")
        now = self.clock()
        with self.database.write() as session:
            _load_mentorship(session, tenant, mentorship_id, viewer_person_id, for_update=True)
            goal = _load_goal(session, tenant, mentorship_id, goal_id)
            if goal.status != "active":
                raise InvalidMemoryRequest(f"this goal is {goal.status}: only active goals take check-ins")
            number = None
            if data.session_id is not None:
                number = _load_session(session, tenant, mentorship_id, data.session_id).number
            row = None
            if data.session_id is not None:
                row = session.scalar(
                    select(GoalCheckIn).where(
                        GoalCheckIn.tenant == tenant,
                        GoalCheckIn.goal_id == goal_id,
                        GoalCheckIn.session_id == data.session_id,
                        GoalCheckIn.rater == rater,
                    )
                )
            if row is None:
                row = GoalCheckIn(
                    id=new_id(),
                    goal_id=goal_id,
                    mentorship_id=mentorship_id,
                    session_id=data.session_id,
                    tenant=tenant,
                    rater=rater,
                    created_at=now,
                )
                session.add(row)
            row.rating, row.comment, row.author_person_id = data.rating, data.comment or None, author_person_id
        log.info("goal check-in", extra={"tenant": tenant, "mentorship_id": mentorship_id, "rater": rater})
        return _check_in_public(row, number)

    # -- the shared agenda: topics for the next session --------------------------------------
    def list_topics(
        self, tenant: str, mentorship_id: str, *, viewer_person_id: str | None = None, include_taken: bool = False
    ) -> list[TopicPublic]:
        """The open topics for the next session, oldest first; with `include_taken`, also those saved plans
        took in. Removed topics never come back."""
        with self.database.read() as session:
            _load_mentorship(session, tenant, mentorship_id, viewer_person_id)
            conditions: list[ColumnElement[bool]] = [SessionTopic.removed_at.is_(None)]
            if not include_taken:
                conditions.append(SessionTopic.session_id.is_(None))
            rows = _topics(session, tenant, mentorship_id, *conditions)
        return [_topic_public(row) for row in rows]

    def add_topic(
        self,
        tenant: str,
        mentorship_id: str,
        text: str,
        *,
        author_person_id: str | None,
        author_role: str,
        viewer_person_id: str | None = None,
    ) -> tuple[TopicPublic, bool]:
        """Add a topic for the next session; (the topic, whether it is new). Idempotent by content: the same
        text (ignoring case, spacing and a final stop) among the open topics is that topic, so a double
        submit or a retried request adds nothing. The mentorship row is locked while it looks, so two
        requests at once cannot both add it."""
        text = text.strip()
        if not text:
            raise InvalidMemoryRequest("a topic needs some words")
        key = topic_key(text)
        now = self.clock()
        with self.database.write() as session:
            _load_mentorship(session, tenant, mentorship_id, viewer_person_id, for_update=True)
            open_rows = _topics(
                session, tenant, mentorship_id, SessionTopic.session_id.is_(None), SessionTopic.removed_at.is_(None)
            )
            existing = next((row for row in open_rows if row.text_key == key), None)
            if existing is not None:
                return _topic_public(existing), False
            if len(open_rows) >= MAX_OPEN_TOPICS:
                raise InvalidMemoryRequest(
                    f"the next session already has {MAX_OPEN_TOPICS} open topics: remove one, or wait until a "
                    "plan takes some in"
                )
            row = SessionTopic(
                id=new_id(),
                mentorship_id=mentorship_id,
                tenant=tenant,
                text=text,
                text_key=key,
                author_person_id=author_person_id,
                author_role=author_role,
                session_id=None,
                removed_at=None,
                created_at=now,
            )
            session.add(row)
        log.info("topic added", extra={"tenant": tenant, "mentorship_id": mentorship_id, "role": author_role})
        return _topic_public(row), True

    def remove_topic(
        self,
        tenant: str,
        mentorship_id: str,
        topic_id: str,
        *,
        viewer_person_id: str | None = None,
        may_remove: Callable[[str | None, str], bool] | None = None,
    ) -> None:
        """Remove an open topic. `may_remove(author_person_id, author_role)` is the caller's access rule
        (False raises Forbidden). Removing it again changes nothing; a topic a saved plan took in stays."""
        with self.database.write() as session:
            _load_mentorship(session, tenant, mentorship_id, viewer_person_id)
            row = session.scalar(
                select(SessionTopic)
                .where(
                    SessionTopic.id == topic_id,
                    SessionTopic.tenant == tenant,
                    SessionTopic.mentorship_id == mentorship_id,
                )
                .with_for_update()
            )
            if row is None:
                raise NotFound("topic", topic_id)
            if may_remove is not None and not may_remove(row.author_person_id, row.author_role):
                raise Forbidden("this topic is not yours to remove: ask the person who added it, or the mentor")
            if row.session_id is not None:
                raise InvalidMemoryRequest("this topic was taken into a saved session plan, so it is no longer open")
            if row.removed_at is None:
                row.removed_at = self.clock()
        log.info("topic removed", extra={"tenant": tenant, "mentorship_id": mentorship_id})

    def take_topics(
        self,
        tenant: str,
        mentorship_id: str,
        session_id: str,
        topic_ids: Sequence[str],
        *,
        viewer_person_id: str | None = None,
    ) -> list[TopicPublic]:
        """Mark the open topics among `topic_ids` as taken into the session (a saved plan used them); ids that
        are not open topics of this mentorship are passed over, so saving the same plan again is harmless."""
        wanted = list(dict.fromkeys(topic_ids))
        with self.database.write() as session:
            _load_mentorship(session, tenant, mentorship_id, viewer_person_id, for_update=True)
            _load_session(session, tenant, mentorship_id, session_id)
            rows = (
                _topics(
                    session,
                    tenant,
                    mentorship_id,
                    SessionTopic.id.in_(wanted),
                    SessionTopic.session_id.is_(None),
                    SessionTopic.removed_at.is_(None),
                )
                if wanted
                else []
            )
            for row in rows:
                row.session_id = session_id
        if rows:
            log.info("topics taken", extra={"tenant": tenant, "mentorship_id": mentorship_id, "topics": len(rows)})
        return [_topic_public(row) for row in rows]

    # -- what generation remembers ---------------------------------------------------------
    def asked_icebreakers(self, tenant: str, mentorship_id: str, *, viewer_person_id: str | None = None) -> list[str]:
        """Every icebreaker asked in the mentorship, oldest first, each once: never ask them again."""
        with self.database.read() as session:
            _load_mentorship(session, tenant, mentorship_id, viewer_person_id)
            return _asked_icebreakers(session, tenant, mentorship_id)

    def progress(
        self, tenant: str, mentorship_id: str, today: dt.date, *, viewer_person_id: str | None = None
    ) -> Progress:
        """Goals, action items as open / overdue / done relative to `today`, and sessions over time."""
        with self.database.read() as session:
            mentorship = _load_mentorship(session, tenant, mentorship_id, viewer_person_id)
            items = _action_items(session, tenant, mentorship_id)
            dates = session.scalars(
                select(MentoringSession.date)
                .where(MentoringSession.tenant == tenant, MentoringSession.mentorship_id == mentorship_id)
                .order_by(MentoringSession.number)
            ).all()
            next_number = _next_session_number(session, mentorship_id)
        groups = ActionItemGroups(open=[], overdue=[], done=[])
        for item in items:
            public = _action_item_public(item)
            if item.done:
                groups.done.append(public)
            elif item.due is not None and item.due < today:
                groups.overdue.append(public)
            else:
                groups.open.append(public)
        cadence = Cadence.model_validate(mentorship.cadence) if mentorship.cadence is not None else None
        return Progress(
            mentorship_id=mentorship_id,
            today=today,
            goals=list(mentorship.goals),
            cadence=cadence,
            action_items=groups,
            sessions_total=len(dates),
            sessions_by_month=_sessions_by_month(dates, today),
            last_session_date=max(dates) if dates else None,
            next_session_number=next_number,
            next_planned_session=min((d for d in cadence.sessions if d >= today), default=None) if cadence else None,
        )

    def context_for(
        self,
        tenant: str,
        mentorship_id: str,
        today: dt.date,
        *,
        viewer_person_id: str | None = None,
        include_private_plans: bool = True,
    ) -> MentoringContext:
        """The generation context a mentorship_id stands for: profiles, goals, open items, asked icebreakers.

        Stored notes are not included: which notes a caller may use depends on who asks.
        """
        with self.database.read() as session:
            mentorship = _load_mentorship(session, tenant, mentorship_id, viewer_person_id)
            next_number = _next_session_number(session, mentorship_id)
            open_items = _action_items(session, tenant, mentorship_id, ActionItemRecord.done.is_(False))
            asked = _asked_icebreakers(session, tenant, mentorship_id, include_private_plans=include_private_plans)
            goals = _goals_public(session, tenant, mentorship_id)
        mentor = MentorPerson.model_validate(mentorship.mentor).model_dump(exclude={"person_id"})
        mentee = MenteePerson.model_validate(mentorship.mentee).model_dump(exclude={"person_id"})
        mentee["goals"] = list(mentorship.goals)
        session_info: dict[str, Any] = {"number": min(next_number, SESSION_NUMBER_LIMIT)}
        if mentorship.cadence is not None:
            low, high = SESSION_MINUTES_RANGE
            session_info["duration_minutes"] = min(max(int(mentorship.cadence["session_minutes"]), low), high)
            planned = _planned_sessions(Cadence.model_validate(mentorship.cadence), next_number, today)
            if planned is not None:
                session_info["planned_sessions"] = planned
        return MentoringContext(
            tenant=tenant,
            mentor=MentorProfile.model_validate(mentor),
            mentee=MenteeProfile.model_validate(mentee),
            session=SessionInfo.model_validate(session_info),
            open_action_items=[
                ActionItem(text=item.text, owner=item.owner, due=item.due, done=False)
                for item in open_items[:MAX_CONTEXT_ITEMS]
            ],
            previous_icebreakers=asked[-MAX_CONTEXT_ICEBREAKERS:],
            today=today,
            goal_history=[_goal_history(goal) for goal in goals[:MAX_CONTEXT_GOALS]],
        )


# --------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------
def _has_person(person_id: str) -> ColumnElement[bool]:
    return or_(Mentorship.mentor_person_id == person_id, Mentorship.mentee_person_id == person_id)


def _load_mentorship(
    session: Session,
    tenant: str,
    mentorship_id: str,
    viewer_person_id: str | None,
    *,
    for_update: bool = False,
    mentor_only: bool = False,
) -> Mentorship:
    """The mentorship if this tenant (and viewer) may see it; the same NotFound otherwise.

    `mentor_only` narrows a viewer to mentorships in which they are the mentor (mentor-side data).
    """
    query = select(Mentorship).where(Mentorship.id == mentorship_id, Mentorship.tenant == tenant)
    if viewer_person_id is not None:
        query = query.where(
            Mentorship.mentor_person_id == viewer_person_id if mentor_only else _has_person(viewer_person_id)
        )
    if for_update:
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise NotFound("mentorship", mentorship_id)
    return row


def _load_session(
    session: Session, tenant: str, mentorship_id: str, session_id: str, *, for_update: bool = False
) -> MentoringSession:
    """The mentorship's session; NotFound alike when it is missing, another mentorship's or another tenant's."""
    query = select(MentoringSession).where(
        MentoringSession.id == session_id,
        MentoringSession.tenant == tenant,
        MentoringSession.mentorship_id == mentorship_id,
    )
    if for_update:
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise NotFound("session", session_id)
    return row


def _session_view(
    session: Session,
    mentorship: Mentorship,
    row: MentoringSession,
    viewer_person_id: str | None,
    include_private_notes: bool,
) -> SessionPublic:
    """One stored session with the notes, action items and feedback this viewer may read."""
    notes = session.scalars(
        select(Note)
        .where(
            Note.tenant == row.tenant,
            Note.mentorship_id == row.mentorship_id,
            Note.session_id == row.id,
            _visible_notes(mentorship, viewer_person_id, include_private_notes),
        )
        .order_by(Note.position)
    ).all()
    items = _action_items(session, row.tenant, row.mentorship_id, ActionItemRecord.session_id == row.id)
    show_feedback = _may_see_feedback(mentorship, viewer_person_id, include_private_notes)
    return _session_public(row, notes, items, show_feedback=show_feedback)


def _load_decision(
    session: Session, tenant: str, mentorship_id: str, decision_id: str, viewer_person_id: str | None
) -> DecisionRecord:
    """A decision of a mentorship this viewer may reach as the mentor side; NotFound otherwise."""
    _load_mentorship(session, tenant, mentorship_id, viewer_person_id, mentor_only=True)
    row = session.scalar(
        select(DecisionRecord).where(
            DecisionRecord.id == decision_id,
            DecisionRecord.tenant == tenant,
            DecisionRecord.mentorship_id == mentorship_id,
        )
    )
    if row is None:
        raise NotFound("decision", decision_id)
    return row


def statement_key(statement: str) -> str:
    """A goal's identity within its mentorship: casefolded, spaces collapsed."""
    return " ".join(statement.casefold().split())[:200]


def topic_key(text: str) -> str:
    """A topic's identity among the open ones: its words, ignoring case, spacing and a final stop."""
    return " ".join(text.casefold().split()).rstrip(".!?")[:300]


def _topics(
    session: Session, tenant: str, mentorship_id: str, *conditions: ColumnElement[bool]
) -> Sequence[SessionTopic]:
    return session.scalars(
        select(SessionTopic)
        .where(SessionTopic.tenant == tenant, SessionTopic.mentorship_id == mentorship_id, *conditions)
        .order_by(SessionTopic.created_at, SessionTopic.id)
    ).all()


def _load_goal(session: Session, tenant: str, mentorship_id: str, goal_id: str, *, for_update: bool = False) -> Goal:
    """The mentorship's goal; NotFound alike when it is missing, another mentorship's or another tenant's."""
    query = select(Goal).where(Goal.id == goal_id, Goal.tenant == tenant, Goal.mentorship_id == mentorship_id)
    if for_update:
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise NotFound("goal", goal_id)
    return row


def _upsert_goals(
    session: Session, mentorship: Mentorship, goals: Sequence[GoalCreate], source: str, now: dt.datetime
) -> list[str]:
    """Add the goals not yet kept and fill what the kept ones miss; the ids of the rows touched, in order."""
    rows = session.scalars(
        select(Goal).where(Goal.tenant == mentorship.tenant, Goal.mentorship_id == mentorship.id)
    ).all()
    by_key = {row.statement_key: row for row in rows}
    position = max((row.position for row in rows), default=-1)
    touched = []
    for goal in goals:
        key = statement_key(goal.statement)
        smart = {k: v for k, v in (goal.smart or {}).items() if v}
        milestones = [m.model_dump(mode="json") for m in goal.milestones]
        row = by_key.get(key)
        if row is None:
            position += 1
            row = Goal(
                id=new_id(),
                mentorship_id=mentorship.id,
                tenant=mentorship.tenant,
                position=position,
                statement=goal.statement,
                statement_key=key,
                deadline=goal.deadline,
                status="active",
                source=source,
                smart=smart or None,
                milestones=milestones,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            by_key[key] = row
        else:
            merged = {**smart, **(row.smart or {})}
            changed = merged != (row.smart or {}) or (row.deadline is None and goal.deadline is not None)
            changed = changed or (not row.milestones and bool(milestones))
            if changed:
                row.smart = merged or None
                row.deadline = row.deadline or goal.deadline
                row.milestones = row.milestones or milestones
                row.updated_at = now
        touched.append(row.id)
    return touched


def _goals_public(session: Session, tenant: str, mentorship_id: str, *, only: str | None = None) -> list[GoalPublic]:
    query = select(Goal).where(Goal.tenant == tenant, Goal.mentorship_id == mentorship_id)
    if only is not None:
        query = query.where(Goal.id == only)
    rows = session.scalars(query.order_by(Goal.position, Goal.created_at)).all()
    check_ins = session.execute(
        select(GoalCheckIn, MentoringSession.number)
        .outerjoin(
            MentoringSession,
            and_(
                MentoringSession.id == GoalCheckIn.session_id,
                MentoringSession.mentorship_id == GoalCheckIn.mentorship_id,
                MentoringSession.tenant == GoalCheckIn.tenant,
            ),
        )
        .where(GoalCheckIn.tenant == tenant, GoalCheckIn.mentorship_id == mentorship_id)
        .order_by(GoalCheckIn.created_at, GoalCheckIn.id)
    ).all()
    by_goal: dict[str, list[GoalCheckInPublic]] = {}
    for check_in, number in check_ins:
        by_goal.setdefault(check_in.goal_id, []).append(_check_in_public(check_in, number))
    for found in by_goal.values():
        found.sort(key=lambda c: (c.session_number is None, c.session_number or 0, c.created_at, c.by))
    return [
        GoalPublic(
            id=row.id,
            mentorship_id=row.mentorship_id,
            statement=row.statement,
            deadline=row.deadline,
            status=row.status,  # type: ignore[arg-type]
            source=row.source,  # type: ignore[arg-type]
            smart=dict(row.smart or {}),
            milestones=[Milestone.model_validate(m) for m in row.milestones],
            check_ins=by_goal.get(row.id, []),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
        for row in rows
    ]


def _goal_history(goal: GoalPublic) -> GoalHistory:
    """A stored goal as generation sees it: its ratings (the latest ones when there are very many)."""
    return GoalHistory(
        statement=goal.statement,
        status=goal.status,
        deadline=goal.deadline,
        ratings=[
            GoalRating(
                session_number=min(c.session_number, SESSION_NUMBER_LIMIT) if c.session_number else None,
                by=c.by,
                rating=c.rating,
                comment=c.comment,
            )
            for c in goal.check_ins[-MAX_GOAL_RATINGS:]
        ],
    )


def _check_in_public(row: GoalCheckIn, session_number: int | None) -> GoalCheckInPublic:
    return GoalCheckInPublic(
        id=row.id,
        goal_id=row.goal_id,
        session_id=row.session_id,
        session_number=session_number,
        by=row.rater,  # type: ignore[arg-type]
        rating=row.rating,
        comment=row.comment,
        created_at=row.created_at,
    )


def _next_session_number(session: Session, mentorship_id: str) -> int:
    highest = session.scalar(
        select(func.max(MentoringSession.number)).where(MentoringSession.mentorship_id == mentorship_id)
    )
    return (highest or 0) + 1


def _visible_notes(
    mentorship: Mentorship, viewer_person_id: str | None, include_private_notes: bool
) -> ColumnElement[bool]:
    shared = Note.visibility == "shared"
    if not include_private_notes or viewer_person_id == mentorship.mentee_person_id:
        return shared
    if viewer_person_id is None:
        return true()
    return or_(shared, and_(Note.visibility == "mentor_private", Note.author_person_id == viewer_person_id))


def _note_visible(
    mentorship: Mentorship, note: Note, viewer_person_id: str | None, include_private_notes: bool
) -> bool:
    """`_visible_notes` for one note in memory (the same rule, for what was just written)."""
    if note.visibility == "shared":
        return True
    if not include_private_notes or viewer_person_id == mentorship.mentee_person_id:
        return False
    return viewer_person_id is None or (
        note.visibility == "mentor_private" and note.author_person_id == viewer_person_id
    )


def _urgency(item: ActionItemRecord) -> tuple[bool, dt.date, dt.datetime, int]:
    """`_action_items`' order for items in memory: earliest due date, undated last, then creation order."""
    return (item.due is None, item.due or dt.date.min, item.created_at, item.position)


def _may_see_feedback(mentorship: Mentorship, viewer_person_id: str | None, include_private_notes: bool) -> bool:
    """A feedback summary may draw on private notes: the private-notes rule, and never the mentee."""
    return include_private_notes and viewer_person_id != mentorship.mentee_person_id


def _note_author(
    mentorship: Mentorship, visibility: str, author_person_id: str | None, viewer_person_id: str | None
) -> str | None:
    """Who a note belongs to; a mentor_private note always belongs to this mentorship's mentor."""
    author = author_person_id or viewer_person_id
    if visibility != "mentor_private":
        return author
    if author is None:
        return mentorship.mentor_person_id
    if author != mentorship.mentor_person_id:
        raise InvalidMemoryRequest("only the mentorship's mentor can write mentor_private notes")
    return author


def _action_items(
    session: Session, tenant: str, mentorship_id: str, *conditions: ColumnElement[bool]
) -> Sequence[ActionItemRecord]:
    """The mentorship's items, most urgent first: earliest due date, undated last, then creation order."""
    return session.scalars(
        select(ActionItemRecord)
        .where(ActionItemRecord.tenant == tenant, ActionItemRecord.mentorship_id == mentorship_id, *conditions)
        .order_by(
            ActionItemRecord.due.is_(None),
            ActionItemRecord.due,
            ActionItemRecord.created_at,
            ActionItemRecord.position,
        )
    ).all()


def _asked_icebreakers(
    session: Session, tenant: str, mentorship_id: str, *, include_private_plans: bool = True
) -> list[str]:
    """Every icebreaker asked, oldest first, each once; without `include_private_plans`, none of a plan
    that stays with the mentor (it may quote the mentor's private notes)."""
    rows = session.scalars(
        select(MentoringSession)
        .where(MentoringSession.tenant == tenant, MentoringSession.mentorship_id == mentorship_id)
        .order_by(MentoringSession.number)
    ).all()
    seen: set[str] = set()
    questions = []
    for row in rows:
        if not include_private_plans and _plan_visibility(row) == "mentor_private":
            continue
        for question in row.icebreakers_asked:
            if question_key(question) not in seen:
                seen.add(question_key(question))
                questions.append(question)
    return questions


def _planned_sessions(cadence: Cadence, next_number: int, today: dt.date) -> int | None:
    """How many sessions the mentorship plans in all, when its goal plan knows where it ends: the sessions
    held so far plus the plan's dates still ahead (today's included). None when the end is unknown or past,
    so a mentorship that outlives its plan is never told its next session is the closing one."""
    if cadence.ends_on is None:
        return None
    ahead = sum(1 for day in set(cadence.sessions) if day >= today)
    if ahead == 0:
        return None
    return min(next_number - 1 + ahead, SESSION_NUMBER_LIMIT)


def _item_key(text: str) -> str:
    """An action item's identity within a session: its words, ignoring case, spacing and a final stop."""
    return " ".join(text.casefold().split()).rstrip(".!")


def _new_action_item(
    tenant: str, mentorship_id: str, session_id: str | None, item: ActionItem, now: dt.datetime, *, position: int
) -> ActionItemRecord:
    return ActionItemRecord(
        id=new_id(),
        mentorship_id=mentorship_id,
        session_id=session_id,
        tenant=tenant,
        position=position,
        text=item.text,
        owner=item.owner,
        due=item.due,
        done=item.done,
        done_at=now if item.done else None,
        created_at=now,
    )


def _new_action_items(
    tenant: str, mentorship_id: str, session_id: str | None, items: Sequence[ActionItem], now: dt.datetime
) -> list[ActionItemRecord]:
    return [
        _new_action_item(tenant, mentorship_id, session_id, item, now, position=position)
        for position, item in enumerate(items)
    ]


def _sessions_by_month(dates: Sequence[dt.date], today: dt.date) -> list[MonthCount]:
    if not dates:
        return []
    counts: dict[str, int] = {}
    for day in dates:
        counts[_month(day)] = counts.get(_month(day), 0) + 1
    rows = []
    cumulative = 0
    for month in _months_between(min(dates), max(max(dates), today)):
        cumulative += counts.get(month, 0)
        rows.append(MonthCount(month=month, sessions=counts.get(month, 0), cumulative=cumulative))
    return rows


# --------------------------------------------------------------------------------------
# Rows to public models
# --------------------------------------------------------------------------------------
def _mentorship_public(row: Mentorship) -> MentorshipPublic:
    return MentorshipPublic(
        id=row.id,
        tenant=row.tenant,
        mentor=MentorPerson.model_validate(row.mentor),
        mentee=MenteePerson.model_validate(row.mentee),
        goals=list(row.goals),
        cadence=Cadence.model_validate(row.cadence) if row.cadence is not None else None,
        status=row.status,  # type: ignore[arg-type]
        created_at=row.created_at,
    )


def _action_item_public(row: ActionItemRecord) -> ActionItemPublic:
    return ActionItemPublic(
        id=row.id,
        mentorship_id=row.mentorship_id,
        session_id=row.session_id,
        text=row.text,
        owner=row.owner,
        due=row.due,
        done=row.done,
        done_at=row.done_at,
        created_at=row.created_at,
    )


def _note_public(row: Note) -> NotePublic:
    return NotePublic(
        id=row.id,
        session_id=row.session_id,
        visibility=row.visibility,  # type: ignore[arg-type]
        text=row.text,
        author_person_id=row.author_person_id,
        created_at=row.created_at,
    )


def _plan_visibility(row: MentoringSession) -> str:
    """The stored rule, or for a plan saved before there was one: an agenda an LLM wrote may quote
    whatever its prompt held, so it stays mentor-side (fail closed); the offline composer never quotes
    private notes into an agenda."""
    if row.plan_visibility is not None:
        return row.plan_visibility
    agenda = row.agenda or {}
    if agenda.get("visibility") == "mentor_private":
        return "mentor_private"
    provider = (agenda.get("generator") or {}).get("provider", "offline")
    return "shared" if provider == "offline" else "mentor_private"


def _session_public(
    row: MentoringSession, notes: Sequence[Note], items: Sequence[ActionItemRecord], *, show_feedback: bool = False
) -> SessionPublic:
    return SessionPublic(
        id=row.id,
        mentorship_id=row.mentorship_id,
        number=row.number,
        date=row.date,
        agenda=Agenda.model_validate(row.agenda) if row.agenda is not None else None,
        icebreakers_asked=list(row.icebreakers_asked),
        plan_visibility=_plan_visibility(row),  # type: ignore[arg-type]
        notes=[_note_public(note) for note in notes],
        action_items=[_action_item_public(item) for item in items],
        feedback=FeedbackSummary.model_validate(row.feedback) if show_feedback and row.feedback is not None else None,
        created_at=row.created_at,
    )


def _topic_public(row: SessionTopic) -> TopicPublic:
    return TopicPublic(
        id=row.id,
        mentorship_id=row.mentorship_id,
        text=row.text,
        added_by=row.author_person_id,
        added_by_role=row.author_role,  # type: ignore[arg-type]
        session_id=row.session_id,
        created_at=row.created_at,
    )


def _decision_public(row: DecisionRecord) -> DecisionPublic:
    return DecisionPublic(
        id=row.id,
        mentorship_id=row.mentorship_id,
        statement=row.statement,
        framework=DecisionFramework.model_validate(row.framework),
        check_in_date=row.check_in_date,
        outcome=row.outcome,
        checked_in_at=row.checked_in_at,
        created_at=row.created_at,
    )
