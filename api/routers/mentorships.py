"""Mentorships, their sessions, notes, action items, decisions, progress and meeting schedule;
every query scoped to the caller's tenant.

A mentor or mentee only ever reaches mentorships they belong to (others answer 404, exactly
as an id from another tenant does). A mentee never receives a mentor_private note, a session's
feedback summary (it may draw on private notes) or a saved decision (mentor-side; it may cite
the mentor's private experience). Platforms act for the pair but, like mentees, get shared notes
only and no feedback summaries.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Principal, require_role
from api.deps import CompanionDep, PrincipalDep
from api.errors import ApiError, Problem
from companion.calendar import schedule_filename, schedule_ics
from companion.memory.schemas import (
    ActionItemPublic,
    DecisionCheckIn,
    DecisionCreate,
    DecisionPublic,
    MentorshipCreate,
    MentorshipPublic,
    NotesCreate,
    Progress,
    SessionCreate,
    SessionPlanUpdate,
    SessionPublic,
)
from companion.schemas import ActionItem, FeedbackSummary

router = APIRouter(prefix="/mentorships", tags=["mentorships"])
MentorshipId = Annotated[str, Path(max_length=64, description="The mentorship's id.")]
SessionId = Annotated[str, Path(max_length=64, description="The session's id.")]
DecisionId = Annotated[str, Path(max_length=64, description="The decision's id.")]


def viewer(principal: Principal) -> str | None:
    """Mentors and mentees see only their own mentorships; admins and platforms the whole tenant."""
    return principal.person_id if principal.role in ("mentor", "mentee") else None


def reads_private(principal: Principal) -> bool:
    """Whether private notes (and feedback summaries) may go back to this caller: admins and the mentor."""
    return principal.role in ("admin", "mentor")


class CalendarResponse(Response):
    media_type = "text/calendar"


class ActionItemsIn(BaseModel):
    """Action items to store at once, e.g. the `action_items` of a feedback summary."""

    model_config = ConfigDict(extra="forbid")
    session_id: str | None = Field(default=None, max_length=64, description="Attach them to this session.")
    items: list[ActionItem] = Field(min_length=1, max_length=50)


class ActionItemUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    done: bool = Field(description="true marks the item done; false reopens it.")


@router.post(
    "", operation_id="create_mentorship", summary="Start a mentorship", status_code=201, response_model=MentorshipPublic
)
def create_mentorship(body: MentorshipCreate, companion: CompanionDep, principal: PrincipalDep) -> MentorshipPublic:
    require_role(principal, "admin", "platform", "mentor")
    if principal.role == "mentor" and body.mentor.person_id != principal.person_id:
        raise ApiError(403, "Forbidden", "a mentor can only start mentorships in which they are the mentor")
    return companion.memory.create_mentorship(principal.tenant, body)


@router.get(
    "", operation_id="list_mentorships", summary="The caller's mentorships", response_model=list[MentorshipPublic]
)
def list_mentorships(companion: CompanionDep, principal: PrincipalDep) -> list[MentorshipPublic]:
    return companion.memory.list_mentorships(principal.tenant, viewer_person_id=viewer(principal))


@router.get(
    "/{mentorship_id}", operation_id="get_mentorship", summary="One mentorship", response_model=MentorshipPublic
)
def get_mentorship(mentorship_id: MentorshipId, companion: CompanionDep, principal: PrincipalDep) -> MentorshipPublic:
    return companion.memory.get_mentorship(principal.tenant, mentorship_id, viewer_person_id=viewer(principal))


@router.get(
    "/{mentorship_id}/sessions",
    operation_id="list_sessions",
    summary="Sessions, with the notes the caller may see",
    response_model=list[SessionPublic],
)
def list_sessions(mentorship_id: MentorshipId, companion: CompanionDep, principal: PrincipalDep) -> list[SessionPublic]:
    return companion.memory.list_sessions(
        principal.tenant,
        mentorship_id,
        viewer_person_id=viewer(principal),
        include_private_notes=reads_private(principal),
    )


@router.post(
    "/{mentorship_id}/sessions",
    operation_id="create_session",
    summary="Store a session",
    status_code=201,
    response_model=SessionPublic,
)
def create_session(
    mentorship_id: MentorshipId, body: SessionCreate, companion: CompanionDep, principal: PrincipalDep
) -> SessionPublic:
    require_role(principal, "admin", "platform", "mentor")
    session = companion.memory.add_session(principal.tenant, mentorship_id, body, viewer_person_id=viewer(principal))
    if principal.role == "platform":
        session.notes = [n for n in session.notes if n.visibility == "shared"]
    return session


@router.get(
    "/{mentorship_id}/sessions/{session_id}",
    operation_id="get_session",
    summary="One session, with the notes the caller may see",
    response_model=SessionPublic,
)
def get_session(
    mentorship_id: MentorshipId, session_id: SessionId, companion: CompanionDep, principal: PrincipalDep
) -> SessionPublic:
    return companion.memory.get_session(
        principal.tenant,
        mentorship_id,
        session_id,
        viewer_person_id=viewer(principal),
        include_private_notes=reads_private(principal),
    )


@router.post(
    "/{mentorship_id}/sessions/{session_id}/notes",
    operation_id="add_session_notes",
    summary="Add notes to a stored session",
    description="Appends the notes after the session's existing ones and returns the session. Only the "
    "mentorship's mentor may write mentor_private notes; a platform gets the shared notes back.",
    status_code=201,
    response_model=SessionPublic,
)
def add_session_notes(
    mentorship_id: MentorshipId,
    session_id: SessionId,
    body: NotesCreate,
    companion: CompanionDep,
    principal: PrincipalDep,
) -> SessionPublic:
    require_role(principal, "admin", "platform", "mentor")
    return companion.memory.add_notes(
        principal.tenant,
        mentorship_id,
        session_id,
        body.notes,
        viewer_person_id=viewer(principal),
        include_private_notes=reads_private(principal),
    )


@router.patch(
    "/{mentorship_id}/sessions/{session_id}",
    operation_id="update_session_plan",
    summary="Change a session's date, agenda or asked icebreakers",
    description="Only the fields sent are changed; `agenda: null` removes the agenda.",
    response_model=SessionPublic,
)
def update_session_plan(
    mentorship_id: MentorshipId,
    session_id: SessionId,
    body: SessionPlanUpdate,
    companion: CompanionDep,
    principal: PrincipalDep,
) -> SessionPublic:
    require_role(principal, "admin", "platform", "mentor")
    return companion.memory.update_session_plan(
        principal.tenant,
        mentorship_id,
        session_id,
        body,
        viewer_person_id=viewer(principal),
        include_private_notes=reads_private(principal),
    )


@router.put(
    "/{mentorship_id}/sessions/{session_id}/feedback",
    operation_id="save_session_feedback",
    summary="Save the session's feedback summary",
    description="Replaces any summary saved before. The summary's action items are not stored by this: "
    "save the confirmed ones with POST /v1/mentorships/{id}/action-items. Mentees and platforms never "
    "receive a saved summary, because it may draw on private notes.",
    response_model=SessionPublic,
)
def save_session_feedback(
    mentorship_id: MentorshipId,
    session_id: SessionId,
    body: FeedbackSummary,
    companion: CompanionDep,
    principal: PrincipalDep,
) -> SessionPublic:
    require_role(principal, "admin", "mentor")
    return companion.memory.save_feedback(
        principal.tenant, mentorship_id, session_id, body, viewer_person_id=viewer(principal)
    )


@router.post(
    "/{mentorship_id}/action-items",
    operation_id="create_action_items",
    summary="Save action items (e.g. a feedback summary's) in one call",
    status_code=201,
    response_model=list[ActionItemPublic],
)
def create_action_items(
    mentorship_id: MentorshipId, body: ActionItemsIn, companion: CompanionDep, principal: PrincipalDep
) -> list[ActionItemPublic]:
    require_role(principal, "admin", "platform", "mentor")
    return companion.memory.add_action_items(
        principal.tenant, mentorship_id, body.items, session_id=body.session_id, viewer_person_id=viewer(principal)
    )


@router.patch(
    "/{mentorship_id}/action-items/{item_id}",
    operation_id="update_action_item",
    summary="Mark an action item done, or reopen it",
    response_model=ActionItemPublic,
)
def update_action_item(
    mentorship_id: MentorshipId,
    item_id: Annotated[str, Path(max_length=64)],
    body: ActionItemUpdate,
    companion: CompanionDep,
    principal: PrincipalDep,
) -> ActionItemPublic:
    return companion.memory.set_action_item_done(
        principal.tenant, mentorship_id, item_id, body.done, viewer_person_id=viewer(principal)
    )


@router.get(
    "/{mentorship_id}/progress",
    operation_id="get_progress",
    summary="Goals, action items and sessions over time",
    response_model=Progress,
)
def get_progress(
    mentorship_id: MentorshipId,
    companion: CompanionDep,
    principal: PrincipalDep,
    today: Annotated[dt.date | None, Query(description="Reference date for 'overdue'; defaults to today.")] = None,
) -> Progress:
    return companion.memory.progress(
        principal.tenant, mentorship_id, today or dt.date.today(), viewer_person_id=viewer(principal)
    )


@router.post(
    "/{mentorship_id}/decisions",
    operation_id="create_decision",
    summary="Save a decision framework",
    description="Decisions are mentor-side (a framework may cite the mentor's private experience): "
    "admins, platforms and the mentor only.",
    status_code=201,
    response_model=DecisionPublic,
)
def create_decision(
    mentorship_id: MentorshipId, body: DecisionCreate, companion: CompanionDep, principal: PrincipalDep
) -> DecisionPublic:
    require_role(principal, "admin", "platform", "mentor")
    return companion.memory.save_decision(
        principal.tenant, mentorship_id, body.framework, viewer_person_id=viewer(principal)
    )


@router.get(
    "/{mentorship_id}/decisions",
    operation_id="list_decisions",
    summary="Saved decisions, newest first",
    response_model=list[DecisionPublic],
)
def list_decisions(
    mentorship_id: MentorshipId, companion: CompanionDep, principal: PrincipalDep
) -> list[DecisionPublic]:
    require_role(principal, "admin", "platform", "mentor")
    return companion.memory.list_decisions(principal.tenant, mentorship_id, viewer_person_id=viewer(principal))


@router.get(
    "/{mentorship_id}/decisions/{decision_id}",
    operation_id="get_decision",
    summary="One saved decision",
    response_model=DecisionPublic,
)
def get_decision(
    mentorship_id: MentorshipId, decision_id: DecisionId, companion: CompanionDep, principal: PrincipalDep
) -> DecisionPublic:
    require_role(principal, "admin", "platform", "mentor")
    return companion.memory.get_decision(
        principal.tenant, mentorship_id, decision_id, viewer_person_id=viewer(principal)
    )


@router.post(
    "/{mentorship_id}/decisions/{decision_id}/check-in",
    operation_id="check_in_decision",
    summary="Record what happened with a decision",
    description="Once checked in, a decision no longer appears among those due; a later check-in replaces the outcome.",
    response_model=DecisionPublic,
)
def check_in_decision(
    mentorship_id: MentorshipId,
    decision_id: DecisionId,
    body: DecisionCheckIn,
    companion: CompanionDep,
    principal: PrincipalDep,
) -> DecisionPublic:
    require_role(principal, "admin", "platform", "mentor")
    return companion.memory.check_in_decision(
        principal.tenant, mentorship_id, decision_id, body, viewer_person_id=viewer(principal)
    )


@router.get(
    "/{mentorship_id}/schedule.ics",
    operation_id="get_schedule_ics",
    summary="The goal plan's meeting schedule as an iCalendar file",
    description="One event per planned session of the latest goal plan, at 09:00 floating local time, with "
    "stable UIDs so a re-import updates the events. A stored session's agenda on that date is the event's "
    "description; notes never are. 409 until a goal plan has been made for the mentorship.",
    response_class=CalendarResponse,
    responses={
        200: {
            "content": {"text/calendar": {"schema": {"type": "string"}}},
            "description": "An iCalendar (RFC 5545) file, as an attachment.",
        },
        409: {
            "model": Problem,
            "content": {"application/problem+json": {}},
            "description": "No meeting schedule yet: make a goal plan first",
        },
    },
)
def get_schedule_ics(mentorship_id: MentorshipId, companion: CompanionDep, principal: PrincipalDep) -> Response:
    person = viewer(principal)
    mentorship = companion.memory.get_mentorship(principal.tenant, mentorship_id, viewer_person_id=person)
    sessions = companion.memory.list_sessions(principal.tenant, mentorship_id, viewer_person_id=person)
    return CalendarResponse(
        schedule_ics(mentorship, sessions),
        headers={"Content-Disposition": f'attachment; filename="{schedule_filename(mentorship)}"'},
    )
