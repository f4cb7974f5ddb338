"""The mentorship use cases behind the service, each run for a `Caller` under the access policy.

Routers, web pages and the CLI are thin adapters over this module: they turn a request into a call
and the result into a response. What a caller may read or change is asked of `companion.access`
here, once, so no adapter decides on its own.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from companion import access, schemas
from companion.access import Action, Caller, Parties, Relation
from companion.calendar import schedule_filename, schedule_ics
from companion.generation import pipeline
from companion.memory.errors import InvalidMemoryRequest, NotFound
from companion.memory.schemas import (
    SMART_FIELDS,
    AcceptedPair,
    ActionItemPublic,
    DecisionCheckIn,
    DecisionPublic,
    GoalCheckInCreate,
    GoalCheckInPublic,
    GoalCreate,
    GoalPublic,
    GoalUpdate,
    MatchAccept,
    MatchAcceptResponse,
    MentorshipCreate,
    MentorshipPublic,
    NoteCreate,
    Progress,
    SessionCreate,
    SessionPlanUpdate,
    SessionPublic,
    TopicCreate,
    TopicPublic,
)
from companion.retrieval.catalog import ChunkRecord
from companion.retrieval.retriever import SearchFilters

if TYPE_CHECKING:
    from companion.memory import MemoryRepository
    from companion.memory.keys import CreatedInvite
    from companion.service import Companion


class InvalidContext(ValueError):
    """A generation context that does not validate once the stored and the sent parts are merged."""


_ACCEPTING = threading.Lock()
"""One accept at a time in this process (module-wide, so it holds however many facades exist)."""


def parties(mentorship: MentorshipPublic) -> Parties:
    return Parties(
        mentor_person_id=mentorship.mentor.person_id,
        mentee_person_id=mentorship.mentee.person_id,
        mentee_name=mentorship.mentee.name,
    )


@dataclass(frozen=True)
class Reach:
    """One mentorship as a caller reaches it: what it is and how the caller stands to it."""

    mentorship: MentorshipPublic
    parties: Parties
    relation: Relation


def session_held(session: SessionPublic, today: dt.date) -> bool:
    """A session is behind us once its day has passed, or on its day once notes or a summary were written."""
    return session.date < today or bool(session.notes) or session.feedback is not None


def next_session_date(
    mentorship: MentorshipPublic, sessions: Sequence[SessionPublic], today: dt.date
) -> dt.date | None:
    """The first session still to hold, from today on: a saved plan not held yet, else the goal plan's next
    date after the last session held (a planned date that a saved session already stands for is that
    session's, held or not)."""
    held = [s for s in sessions if session_held(s, today)]
    last_held = max((s.date for s in held), default=None)
    planned = [s.date for s in sessions if s.date >= today and not session_held(s, today)]
    if mentorship.cadence is not None:
        saved = {s.date for s in sessions}
        planned += [
            d
            for d in mentorship.cadence.sessions
            if d >= today and d not in saved and (last_held is None or d > last_held)
        ]
    return min(planned, default=None)


def _date_words(day: dt.date) -> list[str]:
    """How a generated text may write `day`: ISO first, then the English long forms."""
    month = day.strftime("%B")
    return [day.isoformat(), f"{day.day} {month} {day.year}", f"{month} {day.day}, {day.year}"]


def move_check_in(framework: schemas.DecisionFramework, day: dt.date | None) -> schemas.DecisionFramework:
    """The framework with its check-in on `day`, and its text saying so: a step that said "review it on"
    the old date names the new one. A date written as the deadline ("Decide by ...") is left alone."""
    old = framework.check_in_date
    moved = framework.model_copy(deep=True)
    moved.check_in_date = day
    if old is None or day is None or old == day:
        return moved
    pairs = list(zip(_date_words(old), _date_words(day), strict=True))

    def turn(text: str) -> str:
        for before, after in pairs:
            text = re.sub(rf"(?<!Decide by )(?<!deadline of )(?<!deadline: )\b{re.escape(before)}\b", after, text)
        return text

    moved.decision = turn(moved.decision)
    moved.reversibility.reason = turn(moved.reversibility.reason)
    moved.experiment = turn(moved.experiment)
    for name in ("criteria", "premortem", "questions_for_mentor", "next_steps", "ten_ten_ten"):
        setattr(moved, name, [turn(text) for text in getattr(moved, name)])
    for option in moved.options:
        for field in ("upside", "downside", "worst_case", "mitigation"):
            setattr(option, field, turn(getattr(option, field)))
    return moved


def goal_from_plan(goal: schemas.SmartGoal) -> GoalCreate:
    """A plan's SMART goal as a goal row: the SMART fields it filled, its milestones, and as deadline its last
    dated milestone."""
    smart = {
        name: str(getattr(goal, name)).strip()[:1_000] for name in SMART_FIELDS if str(getattr(goal, name)).strip()
    }
    dated = [m.due for m in goal.milestones if m.due is not None]
    deadline = max(dated, default=None)
    if deadline is not None and not schemas.EARLIEST_DATE <= deadline <= schemas.LATEST_DATE:
        deadline = None  # a plan started near the end of the calendar: no storable deadline, rather than a wrong one
    return GoalCreate(
        statement=goal.statement.strip()[:300],
        deadline=deadline,
        smart=smart or None,
        milestones=goal.milestones[:8],
    )


class Mentoring:
    def __init__(self, companion: Companion) -> None:
        self.companion = companion

    @property
    def memory(self) -> MemoryRepository:
        return self.companion.memory

    # -- reaching a mentorship -------------------------------------------------------------
    def reach(self, caller: Caller, mentorship_id: str, action: Action = Action.READ) -> Reach:
        """The mentorship if the caller may do `action` on it. A stranger gets NotFound, exactly like a
        missing id or another tenant's; a known party that may not do this gets Forbidden."""
        mentorship = self.memory.get_mentorship(caller.tenant, mentorship_id, viewer_person_id=caller.person_scope)
        who = parties(mentorship)
        relation = access.relation(caller, who)
        if relation is Relation.STRANGER:
            raise NotFound("mentorship", mentorship_id)
        access.require(caller, who, action)
        return Reach(mentorship, who, relation)

    def create_mentorship(self, caller: Caller, data: MentorshipCreate) -> MentorshipPublic:
        access.require_role(caller, "admin", "platform", "mentor", what="start a mentorship")
        data = self.companion.people.mentorship_with_profiles(caller, data)
        if caller.role == "mentor" and (data.mentor is None or data.mentor.person_id != caller.person_id):
            raise access.Forbidden("a mentor can only start mentorships in which they are the mentor")
        return self.memory.create_mentorship(caller.tenant, data)

    def active_mentorship(self, tenant: str, mentor_person_id: str, mentee_person_id: str) -> MentorshipPublic | None:
        """The pair's active mentorship, if they have one."""
        found = self.memory.list_mentorships(tenant, viewer_person_id=mentee_person_id)
        return next(
            (
                m
                for m in found
                if m.status == "active"
                and m.mentor.person_id == mentor_person_id
                and m.mentee.person_id == mentee_person_id
            ),
            None,
        )

    def accept_matches(self, caller: Caller, accept: MatchAccept) -> MatchAcceptResponse:
        """Start a mentorship for each pair from the stored records. Idempotent: a pair that has an active
        mentorship gets it back, not a second one. Every record and every mentor's free places are checked
        before anything is created, so a refused request starts none of its pairs."""
        access.require_match_acceptor(caller)
        people = self.companion.people
        pairs = list(dict.fromkeys((p.mentee_id, p.mentor_id) for p in accept.pairs))
        for mentee_id, mentor_id in pairs:
            people.get_mentee(caller, mentee_id)
            people.get_mentor(caller, mentor_id)
            if mentee_id == mentor_id:
                raise InvalidMemoryRequest(f"{mentee_id!r} cannot be their own mentor")
        # One accept at a time per tenant, in this process and across every worker on the same database, so a
        # double-submitted form (even one landing on two workers) finds the first one's mentorships.
        with _ACCEPTING, self.memory.database.exclusive(f"accept-matches:{caller.tenant}"):
            existing = {pair: self.active_mentorship(caller.tenant, pair[1], pair[0]) for pair in pairs}
            wanted: dict[str, int] = {}
            for (_, mentor_id), mentorship in existing.items():
                if mentorship is None:
                    wanted[mentor_id] = wanted.get(mentor_id, 0) + 1
            for mentor_id, count in sorted(wanted.items()):
                free = people.get_mentor(caller, mentor_id).remaining_capacity
                if count > free:
                    raise InvalidMemoryRequest(
                        f"mentor {mentor_id!r} has {free} free place{'s' if free != 1 else ''} "
                        f"but {count} new mentee{'s' if count != 1 else ''} were accepted for them; "
                        "nothing was started"
                    )
            accepted = []
            for mentee_id, mentor_id in pairs:
                mentorship = existing[(mentee_id, mentor_id)]
                created = mentorship is None
                if mentorship is None:
                    mentorship = self.create_mentorship(
                        caller, MentorshipCreate(mentor_id=mentor_id, mentee_id=mentee_id)
                    )
                people.store.mark_request_accepted(caller.tenant, mentee_id, mentor_id, mentorship.id)
                accepted.append(
                    AcceptedPair(mentee_id=mentee_id, mentor_id=mentor_id, created=created, mentorship=mentorship)
                )
        return MatchAcceptResponse(accepted=accepted)

    def list_mentorships(self, caller: Caller) -> list[MentorshipPublic]:
        found = self.memory.list_mentorships(caller.tenant, viewer_person_id=caller.person_scope)
        return [m for m in found if access.relation(caller, parties(m)) is not Relation.STRANGER]

    def get_mentorship(self, caller: Caller, mentorship_id: str) -> MentorshipPublic:
        return self.reach(caller, mentorship_id).mentorship

    # -- sessions ----------------------------------------------------------------------------
    def _shown(self, caller: Caller, reach: Reach, session: SessionPublic) -> SessionPublic:
        """A session as this caller may read it: a mentor-side plan is withheld from everyone else."""
        if session.plan_visibility == "mentor_private" and not access.reads_private_notes(caller, reach.parties):
            return session.model_copy(update={"agenda": None, "icebreakers_asked": []})
        return session

    def _reads_private(self, caller: Caller, reach: Reach) -> bool:
        return access.reads_private_notes(caller, reach.parties)

    def list_sessions(self, caller: Caller, mentorship_id: str) -> list[SessionPublic]:
        reach = self.reach(caller, mentorship_id)
        sessions = self.memory.list_sessions(
            caller.tenant,
            mentorship_id,
            viewer_person_id=caller.person_scope,
            include_private_notes=self._reads_private(caller, reach),
        )
        return [self._shown(caller, reach, s) for s in sessions]

    def get_session(self, caller: Caller, mentorship_id: str, session_id: str) -> SessionPublic:
        reach = self.reach(caller, mentorship_id)
        session = self.memory.get_session(
            caller.tenant,
            mentorship_id,
            session_id,
            viewer_person_id=caller.person_scope,
            include_private_notes=self._reads_private(caller, reach),
        )
        return self._shown(caller, reach, session)

    def _authored(self, caller: Caller, reach: Reach, notes: Sequence[NoteCreate]) -> list[NoteCreate]:
        """The notes with their author decided by the policy (nobody writes as somebody else)."""
        return [
            note.model_copy(
                update={
                    "author_person_id": access.note_author(
                        caller, reach.parties, note.visibility, note.author_person_id
                    )
                }
            )
            for note in notes
        ]

    def _plan(
        self, caller: Caller, agenda: schemas.Agenda | None, requested: str | None, *extra: str | None
    ) -> tuple[schemas.Agenda | None, str]:
        """The agenda to store and who may read the plan. A plan made from private notes stays with the
        mentor; a shared plan keeps only citations the mentee may read."""
        declared = [v for v in (requested, agenda.visibility if agenda else None, *extra) if v]
        visibility = requested or ("mentor_private" if "mentor_private" in declared else "shared")
        if agenda is None:
            return None, visibility
        agenda = agenda.model_copy(deep=True)
        cited = [c for item in agenda.items for c in item.citations] + list(agenda.citations)
        if visibility == "shared":
            readable = self._readable(SearchFilters(tenant=caller.tenant), cited)
        else:
            readable = self.passages(caller, cited)
        for item in agenda.items:
            item.citations = [c for c in item.citations if c.chunk_id in readable]
        agenda.citations = [c for c in agenda.citations if c.chunk_id in readable]
        agenda.visibility = "mentor_private" if visibility == "mentor_private" else "shared"
        return agenda, visibility

    def add_session(
        self, caller: Caller, mentorship_id: str, data: SessionCreate, *, icebreakers_visibility: str | None = None
    ) -> SessionPublic:
        reach = self.reach(caller, mentorship_id, Action.PLAN)
        agenda, visibility = self._plan(caller, data.agenda, data.plan_visibility, icebreakers_visibility)
        stored = data.model_copy(
            update={
                "agenda": agenda,
                "plan_visibility": visibility,
                "notes": self._authored(caller, reach, data.notes),
            }
        )
        session = self.memory.add_session(
            caller.tenant,
            mentorship_id,
            stored,
            viewer_person_id=caller.person_scope,
            include_private_notes=self._reads_private(caller, reach),
        )
        return self._shown(caller, reach, session)

    def add_notes(
        self, caller: Caller, mentorship_id: str, session_id: str, notes: Sequence[NoteCreate]
    ) -> SessionPublic:
        reach = self.reach(caller, mentorship_id, Action.WRITE_NOTES)
        self.memory.add_notes(
            caller.tenant,
            mentorship_id,
            session_id,
            self._authored(caller, reach, notes),
            viewer_person_id=caller.person_scope,
            include_private_notes=False,
        )
        return self.get_session(caller, mentorship_id, session_id)

    def update_session_plan(
        self,
        caller: Caller,
        mentorship_id: str,
        session_id: str,
        update: SessionPlanUpdate,
        *,
        icebreakers_visibility: str | None = None,
    ) -> SessionPublic:
        reach = self.reach(caller, mentorship_id, Action.PLAN)
        changes: dict[str, Any] = {}
        if "agenda" in update.model_fields_set or update.plan_visibility or icebreakers_visibility:
            current = self.memory.get_session(
                caller.tenant, mentorship_id, session_id, viewer_person_id=caller.person_scope
            )
            replaces_plan = "agenda" in update.model_fields_set and "icebreakers_asked" in update.model_fields_set
            if (
                current.plan_visibility == "mentor_private"
                and not replaces_plan
                and not access.reads_private_notes(caller, reach.parties)
            ):
                raise access.Forbidden(
                    "this session's plan stays with the mentor: only they can change it, unless you replace "
                    "both its agenda and its icebreakers"
                )
            agenda = update.agenda if "agenda" in update.model_fields_set else current.agenda
            stored_agenda, visibility = self._plan(caller, agenda, update.plan_visibility, icebreakers_visibility)
            changes["plan_visibility"] = visibility
            changes["agenda"] = stored_agenda
        stored = update.model_copy(update=changes)  # the keys of `changes` count as sent
        self.memory.update_session_plan(
            caller.tenant, mentorship_id, session_id, stored, viewer_person_id=caller.person_scope
        )
        return self.get_session(caller, mentorship_id, session_id)

    def save_feedback(
        self, caller: Caller, mentorship_id: str, session_id: str, feedback: schemas.FeedbackSummary
    ) -> SessionPublic:
        self.reach(caller, mentorship_id, Action.SAVE_FEEDBACK)
        self.memory.save_feedback(
            caller.tenant, mentorship_id, session_id, feedback, viewer_person_id=caller.person_scope
        )
        return self.get_session(caller, mentorship_id, session_id)

    # -- reflection prompts ----------------------------------------------------------------------
    def keep_reflection(
        self, caller: Caller, mentorship_id: str, session_id: str, reflection: schemas.ReflectionPrompts
    ) -> bool:
        """Keep the mentee's reflection prompts with the session they reflect on. Only prompts the mentee
        asked for are kept: they were made from what the mentee may read, so showing them again (to the
        mentee, or a mentor previewing the mentee's page) shows nothing new. Anyone else's are not kept."""
        reach = self.reach(caller, mentorship_id)
        if reach.relation is not Relation.MENTEE or reflection.visibility != "shared":
            return False
        self.memory.save_reflection(
            caller.tenant, mentorship_id, session_id, reflection, viewer_person_id=caller.person_scope
        )
        return True

    def kept_reflection(self, caller: Caller, mentorship_id: str, session_id: str) -> schemas.ReflectionPrompts | None:
        self.reach(caller, mentorship_id)
        return self.memory.get_reflection(
            caller.tenant, mentorship_id, session_id, viewer_person_id=caller.person_scope
        )

    # -- action items --------------------------------------------------------------------------
    def add_action_items(
        self,
        caller: Caller,
        mentorship_id: str,
        items: Sequence[schemas.ActionItem],
        *,
        session_id: str | None = None,
    ) -> list[ActionItemPublic]:
        self.reach(caller, mentorship_id, Action.PLAN)
        return self.memory.add_action_items(
            caller.tenant, mentorship_id, items, session_id=session_id, viewer_person_id=caller.person_scope
        )

    def set_action_item_done(self, caller: Caller, mentorship_id: str, item_id: str, done: bool) -> ActionItemPublic:
        reach = self.reach(caller, mentorship_id, Action.TICK_ITEM)
        return self.memory.set_action_item_done(
            caller.tenant,
            mentorship_id,
            item_id,
            done,
            viewer_person_id=caller.person_scope,
            may_change=lambda owner: access.may_tick_item(caller, reach.parties, owner),
        )

    def is_mentee_item(self, item: schemas.ActionItem, mentorship: MentorshipPublic) -> bool:
        return access.is_mentee_item_owner(item.owner, parties(mentorship))

    def progress(self, caller: Caller, mentorship_id: str, today: dt.date) -> Progress:
        self.reach(caller, mentorship_id)
        return self.memory.progress(caller.tenant, mentorship_id, today, viewer_person_id=caller.person_scope)

    def save_cadence(self, caller: Caller, mentorship_id: str, cadence: schemas.Cadence) -> MentorshipPublic:
        self.reach(caller, mentorship_id, Action.PLAN)
        return self.memory.save_cadence(caller.tenant, mentorship_id, cadence, viewer_person_id=caller.person_scope)

    # -- goals ---------------------------------------------------------------------------------
    def list_goals(self, caller: Caller, mentorship_id: str) -> list[GoalPublic]:
        """Goals with both sides' check-ins: every party of the mentorship reads them."""
        self.reach(caller, mentorship_id)
        return self.memory.list_goals(caller.tenant, mentorship_id, viewer_person_id=caller.person_scope)

    def get_goal(self, caller: Caller, mentorship_id: str, goal_id: str) -> GoalPublic:
        self.reach(caller, mentorship_id)
        return self.memory.get_goal(caller.tenant, mentorship_id, goal_id, viewer_person_id=caller.person_scope)

    def add_goal(self, caller: Caller, mentorship_id: str, goal: GoalCreate) -> GoalPublic:
        self.reach(caller, mentorship_id, Action.MANAGE_GOALS)
        return self.memory.add_goals(
            caller.tenant, mentorship_id, [goal], source="manual", viewer_person_id=caller.person_scope
        )[0]

    def goals_from_plan(
        self, caller: Caller, mentorship_id: str, goals: Sequence[schemas.SmartGoal]
    ) -> list[GoalPublic]:
        """A goal plan's SMART goals as rows (idempotent: a statement already kept is filled in, not repeated)."""
        self.reach(caller, mentorship_id, Action.MANAGE_GOALS)
        return self.memory.add_goals(
            caller.tenant,
            mentorship_id,
            [goal_from_plan(goal) for goal in goals],
            source="plan",
            viewer_person_id=caller.person_scope,
        )

    def update_goal(self, caller: Caller, mentorship_id: str, goal_id: str, update: GoalUpdate) -> GoalPublic:
        self.reach(caller, mentorship_id, Action.MANAGE_GOALS)
        return self.memory.update_goal(
            caller.tenant, mentorship_id, goal_id, update, viewer_person_id=caller.person_scope
        )

    def list_goal_check_ins(self, caller: Caller, mentorship_id: str, goal_id: str) -> list[GoalCheckInPublic]:
        return self.get_goal(caller, mentorship_id, goal_id).check_ins

    def add_goal_check_in(
        self, caller: Caller, mentorship_id: str, goal_id: str, data: GoalCheckInCreate
    ) -> GoalCheckInPublic:
        """A rating for the caller's side of the mentorship, which the policy decides from the relation."""
        reach = self.reach(caller, mentorship_id)
        rater = access.goal_rater(caller, reach.parties)
        return self.memory.add_goal_check_in(
            caller.tenant,
            mentorship_id,
            goal_id,
            data,
            rater=rater,
            author_person_id=caller.person_id,
            viewer_person_id=caller.person_scope,
        )

    # -- the shared agenda: topics for the next session ----------------------------------------
    def list_topics(self, caller: Caller, mentorship_id: str, *, include_taken: bool = False) -> list[TopicPublic]:
        """The topics for the next session: shared by nature, so every party reads them all."""
        self.reach(caller, mentorship_id)
        return self.memory.list_topics(
            caller.tenant, mentorship_id, viewer_person_id=caller.person_scope, include_taken=include_taken
        )

    def add_topic(self, caller: Caller, mentorship_id: str, topic: TopicCreate) -> tuple[TopicPublic, bool]:
        """Add a topic as the caller (the policy decides the author); (the topic, whether it is new): the same
        text among the open topics is that topic, not a second one."""
        reach = self.reach(caller, mentorship_id, Action.ADD_TOPIC)
        author, role = access.topic_author(caller, reach.parties)
        return self.memory.add_topic(
            caller.tenant,
            mentorship_id,
            topic.text,
            author_person_id=author,
            author_role=role,
            viewer_person_id=caller.person_scope,
        )

    def remove_topic(self, caller: Caller, mentorship_id: str, topic_id: str) -> None:
        reach = self.reach(caller, mentorship_id)
        self.memory.remove_topic(
            caller.tenant,
            mentorship_id,
            topic_id,
            viewer_person_id=caller.person_scope,
            may_remove=lambda author, role: access.may_remove_topic(caller, reach.parties, author, role),
        )

    def take_topics(
        self, caller: Caller, mentorship_id: str, session_id: str, topic_ids: Sequence[str]
    ) -> list[TopicPublic]:
        """A saved plan used these topics: they are taken into its session and no longer open."""
        self.reach(caller, mentorship_id, Action.PLAN)
        return self.memory.take_topics(
            caller.tenant, mentorship_id, session_id, topic_ids, viewer_person_id=caller.person_scope
        )

    # -- inviting the mentee -------------------------------------------------------------------
    def invite_mentee(self, caller: Caller, mentorship_id: str) -> tuple[Reach, CreatedInvite]:
        """A one-time sign-in link for the mentorship's mentee (their unused earlier one stops working).
        A stranger gets NotFound, as for a missing mentorship; the mentee gets Forbidden."""
        reach = self.reach(caller, mentorship_id, Action.INVITE_MENTEE)
        access.require_inviter(caller, reach.parties)
        created = self.companion.keys.create_invite(
            caller.tenant,
            mentorship_id,
            reach.parties.mentee_person_id,
            created_by=caller.person_id if reach.relation is Relation.MENTOR else None,
        )
        return reach, created

    # -- decisions -----------------------------------------------------------------------------
    def save_decision(self, caller: Caller, mentorship_id: str, framework: schemas.DecisionFramework) -> DecisionPublic:
        """Keep a decision framework; one that cites a private note stays with the mentor, whatever it says."""
        reach = self.reach(caller, mentorship_id, Action.DECIDE)
        framework = framework.model_copy(deep=True)
        cited = framework.relevant_experience + framework.citations
        readable = self.passages(caller, cited, reach.parties)
        framework.relevant_experience = [c for c in framework.relevant_experience if c.chunk_id in readable]
        framework.citations = [c for c in framework.citations if c.chunk_id in readable]
        if any(record.meta.get("visibility") != "shared" for record in readable.values()):
            framework.visibility = "mentor_private"
        if framework.visibility == "mentor_private" and not access.reads_private_notes(caller, reach.parties):
            framework.visibility = "shared"  # it could not have drawn on notes this caller cannot read
        return self.memory.save_decision(
            caller.tenant, mentorship_id, framework, viewer_person_id=self._decider(caller)
        )

    def _visible_decision(self, caller: Caller, reach: Reach, decision: DecisionPublic) -> bool:
        return decision.framework.visibility == "shared" or access.reads_private_notes(caller, reach.parties)

    def list_decisions(self, caller: Caller, mentorship_id: str) -> list[DecisionPublic]:
        reach = self.reach(caller, mentorship_id, Action.DECIDE)
        found = self.memory.list_decisions(caller.tenant, mentorship_id, viewer_person_id=self._decider(caller))
        return [d for d in found if self._visible_decision(caller, reach, d)]

    def get_decision(self, caller: Caller, mentorship_id: str, decision_id: str) -> DecisionPublic:
        """A decision drawn from the mentor's private notes answers, to anyone else, as a missing one."""
        reach = self.reach(caller, mentorship_id, Action.DECIDE)
        decision = self.memory.get_decision(
            caller.tenant, mentorship_id, decision_id, viewer_person_id=self._decider(caller)
        )
        if not self._visible_decision(caller, reach, decision):
            raise NotFound("decision", decision_id)
        return decision

    def check_in_decision(
        self, caller: Caller, mentorship_id: str, decision_id: str, check_in: DecisionCheckIn
    ) -> DecisionPublic:
        self.get_decision(caller, mentorship_id, decision_id)
        return self.memory.check_in_decision(
            caller.tenant, mentorship_id, decision_id, check_in, viewer_person_id=self._decider(caller)
        )

    def decisions_due(self, caller: Caller, today: dt.date) -> list[Any]:
        if not caller.is_mentor_side:
            return []
        due = self.memory.decisions_due(caller.tenant, today, viewer_person_id=self._decider(caller))
        if caller.role in ("admin", "mentor"):
            return due  # an admin reads every private note; a mentor only reaches mentorships they mentor
        return [d for d in due if d.framework.visibility == "shared"]

    @staticmethod
    def _decider(caller: Caller) -> str | None:
        """Decisions are mentor-side: a person reaches them only in mentorships they mentor."""
        return caller.person_scope

    # -- schedule --------------------------------------------------------------------------------
    def schedule(self, caller: Caller, mentorship_id: str) -> tuple[bytes, str]:
        """The meeting schedule as iCalendar text and its file name; agendas only where the caller may read them."""
        mentorship = self.get_mentorship(caller, mentorship_id)
        sessions = self.list_sessions(caller, mentorship_id)
        return schedule_ics(mentorship, sessions), schedule_filename(mentorship)

    # -- citations --------------------------------------------------------------------------------
    def _readable(self, rules: SearchFilters, citations: Sequence[schemas.Citation]) -> dict[str, ChunkRecord]:
        records = self.companion.retriever.records(sorted({c.chunk_id for c in citations}))
        return {cid: record for cid, record in records.items() if rules.allows(record.meta)}

    def passages(
        self, caller: Caller, citations: Sequence[schemas.Citation], who: Parties | None = None
    ) -> dict[str, ChunkRecord]:
        """chunk id -> catalog record, for the cited chunks this caller may open (fail closed: others
        are dropped). Within a mentorship, the relation decides; outside one, the key's role."""
        rules = self.search_filters(caller, who)
        return self._readable(rules, citations)

    def search_filters(self, caller: Caller, who: Parties | None = None) -> SearchFilters:
        if who is not None:
            reads = access.reads_private_notes(caller, who)
            return SearchFilters(
                tenant=caller.tenant, allow_private=reads, private_author=access.private_note_author(caller, who)
            )
        rule = access.search_access(caller)
        return SearchFilters(tenant=caller.tenant, allow_private=rule.allow_private, private_author=rule.private_author)

    # -- generation ---------------------------------------------------------------------------------
    def context(
        self, caller: Caller, patch: schemas.ContextPatch | None, mentorship_id: str | None
    ) -> tuple[schemas.MentoringContext, Parties | None]:
        """Merge the stored mentorship context (if any) with what the caller sent."""
        if patch is not None and patch.tenant not in (None, caller.tenant):
            raise access.Forbidden(f"context.tenant {patch.tenant!r} is not your tenant {caller.tenant!r}")
        sent = patch.model_dump(exclude_unset=True, exclude={"tenant"}) if patch is not None else {}
        who: Parties | None = None
        base: dict[str, Any] = {}
        if mentorship_id is not None:
            reach = self.reach(caller, mentorship_id)
            who = reach.parties
            today = (patch.today if patch else None) or dt.date.today()
            stored = self.memory.context_for(
                caller.tenant,
                mentorship_id,
                today,
                viewer_person_id=caller.person_scope,
                include_private_plans=access.reads_private_notes(caller, who),
            )
            base = stored.model_dump()
            asked = {schemas.question_key(q) for q in base.get("previous_icebreakers", [])}
            extra = [q for q in sent.pop("previous_icebreakers", None) or [] if schemas.question_key(q) not in asked]
            base["previous_icebreakers"] = [*base.get("previous_icebreakers", []), *extra]
        for part in ("mentor", "mentee", "session"):  # a part sent in part keeps the stored rest
            if isinstance(base.get(part), dict) and isinstance(sent.get(part), dict):
                sent[part] = {**base[part], **sent[part]}
        base.update(sent)
        base["tenant"] = caller.tenant
        try:
            return schemas.MentoringContext.model_validate(base), who
        except ValidationError as exc:
            raise InvalidContext(schemas.format_validation_error(exc)) from None

    def events(
        self,
        caller: Caller,
        task: str,
        context: schemas.MentoringContext,
        who: Parties | None,
        mentorship_id: str | None = None,
    ) -> Iterator[pipeline.Event]:
        """Run a task for a caller: its audience from the policy, progress events that list only what the
        caller may read, and what the output means for the mentorship remembered."""
        audience = access.audience(caller, task, who)
        for name, payload in self.companion.generate_events(task, context, audience=audience):
            if isinstance(payload, schemas._Output):
                self.remember(caller, mentorship_id, payload)
                yield name, payload
            elif name == "retrieved":
                cited = [schemas.Citation(**c) for c in payload["citations"]]
                readable = self.passages(caller, cited, who)
                shown = [c for c in payload["citations"] if c["chunk_id"] in readable]
                yield name, {"chunks": len(shown), "citations": shown}
            else:
                yield name, payload

    def run(
        self,
        caller: Caller,
        task: str,
        context: schemas.MentoringContext,
        who: Parties | None,
        mentorship_id: str | None,
    ) -> schemas._Output:
        for name, payload in self.events(caller, task, context, who, mentorship_id):
            if name == "result":
                assert isinstance(payload, schemas._Output)
                return payload
        raise RuntimeError("generation ended without a result")

    def remember(self, caller: Caller, mentorship_id: str | None, output: schemas._Output) -> None:
        """A goal plan made for a mentorship by its mentor side stores its cadence, so progress shows the schedule,
        and its goals as rows (idempotently), so they can be rated over the sessions."""
        if mentorship_id is None or not isinstance(output, schemas.GoalPlan):
            return
        reach = self.reach(caller, mentorship_id)
        if access.allows(caller, reach.parties, Action.PLAN):
            self.memory.save_cadence(caller.tenant, mentorship_id, output.cadence, viewer_person_id=caller.person_scope)
        if access.allows(caller, reach.parties, Action.MANAGE_GOALS):
            self.memory.add_goals(
                caller.tenant,
                mentorship_id,
                [goal_from_plan(goal) for goal in output.goals],
                source="plan",
                viewer_person_id=caller.person_scope,
            )


__all__ = ["InvalidContext", "InvalidMemoryRequest", "Mentoring", "Reach", "next_session_date", "parties"]
