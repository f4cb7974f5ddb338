"""Mentorships, their sessions, notes, action items, decisions, progress and meeting schedule.

A thin adapter over `companion.mentoring`: who may read or change what is decided there, by the
caller's relation to the mentorship (see `companion/access.py`). A stranger gets 404 exactly
as for an id from another tenant; a party that may not do something gets 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CallerDep, MentoringDep
from api.errors import Problem
from api.lanes import LanedRoute, memory_write
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
    TopicCreate,
    TopicPublic,
)
from companion.schemas import ActionItem, Date, FeedbackSummary

router = APIRouter(route_class=LanedRoute, prefix="/mentorships", tags=["mentorships"])
MentorshipId = Annotated[str, Path(max_length=64, description="The mentorship's id.")]
SessionId = Annotated[str, Path(max_length=64, description="The session's id.")]
DecisionId = Annotated[str, Path(max_length=64, description="The decision's id.")]
TopicId = Annotated[str, Path(max_length=64, description="The topic's id.")]


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
@memory_write
def create_mentorship(body: MentorshipCreate, mentoring: MentoringDep, caller: CallerDep) -> MentorshipPublic:
    return mentoring.create_mentorship(caller, body)


@router.get(
    "", operation_id="list_mentorships", summary="The caller's mentorships", response_model=list[MentorshipPublic]
)
def list_mentorships(mentoring: MentoringDep, caller: CallerDep) -> list[MentorshipPublic]:
    return mentoring.list_mentorships(caller)


@router.get(
    "/{mentorship_id}", operation_id="get_mentorship", summary="One mentorship", response_model=MentorshipPublic
)
def get_mentorship(mentorship_id: MentorshipId, mentoring: MentoringDep, caller: CallerDep) -> MentorshipPublic:
    return mentoring.get_mentorship(caller, mentorship_id)


@router.get(
    "/{mentorship_id}/sessions",
    operation_id="list_sessions",
    summary="Sessions, with the notes the caller may see",
    response_model=list[SessionPublic],
)
def list_sessions(mentorship_id: MentorshipId, mentoring: MentoringDep, caller: CallerDep) -> list[SessionPublic]:
    return mentoring.list_sessions(caller, mentorship_id)


@router.post(
    "/{mentorship_id}/sessions",
    operation_id="create_session",
    summary="Store a session",
    status_code=201,
    response_model=SessionPublic,
)
@memory_write
def create_session(
    mentorship_id: MentorshipId, body: SessionCreate, mentoring: MentoringDep, caller: CallerDep
) -> SessionPublic:
    return mentoring.add_session(caller, mentorship_id, body)


@router.get(
    "/{mentorship_id}/sessions/{session_id}",
    operation_id="get_session",
    summary="One session, with the notes the caller may see",
    response_model=SessionPublic,
)
def get_session(
    mentorship_id: MentorshipId, session_id: SessionId, mentoring: MentoringDep, caller: CallerDep
) -> SessionPublic:
    return mentoring.get_session(caller, mentorship_id, session_id)


@router.post(
    "/{mentorship_id}/sessions/{session_id}/notes",
    operation_id="add_session_notes",
    summary="Add notes to a stored session",
    description="Appends the notes after the session's existing ones and returns the session. Only the "
    "mentorship's mentor may write mentor_private notes; a platform gets the shared notes back.",
    status_code=201,
    response_model=SessionPublic,
)
@memory_write
def add_session_notes(
    mentorship_id: MentorshipId,
    session_id: SessionId,
    body: NotesCreate,
    mentoring: MentoringDep,
    caller: CallerDep,
) -> SessionPublic:
    return mentoring.add_notes(caller, mentorship_id, session_id, body.notes)


@router.patch(
    "/{mentorship_id}/sessions/{session_id}",
    operation_id="update_session_plan",
    summary="Change a session's date, agenda or asked icebreakers",
    description="Only the fields sent are changed; `agenda: null` removes the agenda.",
    response_model=SessionPublic,
)
@memory_write
def update_session_plan(
    mentorship_id: MentorshipId,
    session_id: SessionId,
    body: SessionPlanUpdate,
    mentoring: MentoringDep,
    caller: CallerDep,
) -> SessionPublic:
    return mentoring.update_session_plan(caller, mentorship_id, session_id, body)


@router.put(
    "/{mentorship_id}/sessions/{session_id}/feedback",
    operation_id="save_session_feedback",
    summary="Save the session's feedback summary",
    description="Replaces any summary saved before. The summary's action items are not stored by this: "
    "save the confirmed ones with POST /v1/mentorships/{id}/action-items. Mentees and platforms never "
    "receive a saved summary, because it may draw on private notes.",
    response_model=SessionPublic,
)
@memory_write
def save_session_feedback(
    mentorship_id: MentorshipId,
    session_id: SessionId,
    body: FeedbackSummary,
    mentoring: MentoringDep,
    caller: CallerDep,
) -> SessionPublic:
    return mentoring.save_feedback(caller, mentorship_id, session_id, body)


@router.post(
    "/{mentorship_id}/action-items",
    operation_id="create_action_items",
    summary="Save action items (e.g. a feedback summary's) in one call",
    description="Idempotent by content: an item whose words (ignoring case and spacing) are already stored "
    "for the same session, or without a session among the open items, is that item, and takes the owner "
    "and due date sent now. A repeated or retried request therefore stores nothing twice.",
    status_code=201,
    response_model=list[ActionItemPublic],
)
@memory_write
def create_action_items(
    mentorship_id: MentorshipId, body: ActionItemsIn, mentoring: MentoringDep, caller: CallerDep
) -> list[ActionItemPublic]:
    return mentoring.add_action_items(caller, mentorship_id, body.items, session_id=body.session_id)


@router.patch(
    "/{mentorship_id}/action-items/{item_id}",
    operation_id="update_action_item",
    summary="Mark an action item done, or reopen it",
    response_model=ActionItemPublic,
)
@memory_write
def update_action_item(
    mentorship_id: MentorshipId,
    item_id: Annotated[str, Path(max_length=64)],
    body: ActionItemUpdate,
    mentoring: MentoringDep,
    caller: CallerDep,
) -> ActionItemPublic:
    return mentoring.set_action_item_done(caller, mentorship_id, item_id, body.done)


@router.get(
    "/{mentorship_id}/topics",
    operation_id="list_topics",
    summary="The shared agenda: topics for the next session",
    description="Topics the mentee or the mentor side added for the next session, oldest first. Shared by "
    "nature: every party of the mentorship reads all of them. Open topics only, unless `include_taken`, which "
    "adds those a saved plan took in (their `session_id` says which session).",
    response_model=list[TopicPublic],
)
def list_topics(
    mentorship_id: MentorshipId,
    mentoring: MentoringDep,
    caller: CallerDep,
    include_taken: Annotated[bool, Query(description="Also the topics saved plans took in.")] = False,
) -> list[TopicPublic]:
    return mentoring.list_topics(caller, mentorship_id, include_taken=include_taken)


@router.post(
    "/{mentorship_id}/topics",
    operation_id="create_topic",
    summary="Add a topic for the next session",
    description="Every party may add one: the mentee, the mentor, an admin or a platform; the author is the "
    "caller, never the body. Idempotent by content: the same text (ignoring case, spacing and a final stop) "
    "among the open topics is that topic, answered 200 instead of 201, so a double submit adds nothing. At "
    "most 20 open topics at once (422 beyond). Topics are read by both parties: never put a private note in one.",
    status_code=201,
    response_model=TopicPublic,
    responses={200: {"model": TopicPublic, "description": "The same topic was open already; nothing was added."}},
)
@memory_write
def create_topic(
    mentorship_id: MentorshipId, body: TopicCreate, response: Response, mentoring: MentoringDep, caller: CallerDep
) -> TopicPublic:
    topic, created = mentoring.add_topic(caller, mentorship_id, body)
    if not created:
        response.status_code = 200
    return topic


@router.delete(
    "/{mentorship_id}/topics/{topic_id}",
    operation_id="delete_topic",
    summary="Remove an open topic",
    description="The mentor (or an admin) removes any open topic; the mentee and a platform only the ones they "
    "added (403 otherwise). Removing it again answers 204 too; a topic a saved plan took in cannot be removed (422).",
    status_code=204,
    response_class=Response,
    responses={
        403: {"model": Problem, "content": {"application/problem+json": {}}, "description": "Not yours to remove"}
    },
)
@memory_write
def delete_topic(
    mentorship_id: MentorshipId, topic_id: TopicId, mentoring: MentoringDep, caller: CallerDep
) -> Response:
    mentoring.remove_topic(caller, mentorship_id, topic_id)
    return Response(status_code=204)


@router.get(
    "/{mentorship_id}/progress",
    operation_id="get_progress",
    summary="Goals, action items and sessions over time",
    response_model=Progress,
)
def get_progress(
    mentorship_id: MentorshipId,
    mentoring: MentoringDep,
    caller: CallerDep,
    today: Annotated[Date | None, Query(description="Reference date for 'overdue'; defaults to today.")] = None,
) -> Progress:
    return mentoring.progress(caller, mentorship_id, today or dt.date.today())


@router.post(
    "/{mentorship_id}/decisions",
    operation_id="create_decision",
    summary="Save a decision framework",
    description="Decisions are mentor-side (a framework may cite the mentor's private experience): "
    "admins, platforms and the mentor only.",
    status_code=201,
    response_model=DecisionPublic,
)
@memory_write
def create_decision(
    mentorship_id: MentorshipId, body: DecisionCreate, mentoring: MentoringDep, caller: CallerDep
) -> DecisionPublic:
    return mentoring.save_decision(caller, mentorship_id, body.framework)


@router.get(
    "/{mentorship_id}/decisions",
    operation_id="list_decisions",
    summary="Saved decisions, newest first",
    response_model=list[DecisionPublic],
)
def list_decisions(mentorship_id: MentorshipId, mentoring: MentoringDep, caller: CallerDep) -> list[DecisionPublic]:
    return mentoring.list_decisions(caller, mentorship_id)


@router.get(
    "/{mentorship_id}/decisions/{decision_id}",
    operation_id="get_decision",
    summary="One saved decision",
    response_model=DecisionPublic,
)
def get_decision(
    mentorship_id: MentorshipId, decision_id: DecisionId, mentoring: MentoringDep, caller: CallerDep
) -> DecisionPublic:
    return mentoring.get_decision(caller, mentorship_id, decision_id)


@router.post(
    "/{mentorship_id}/decisions/{decision_id}/check-in",
    operation_id="check_in_decision",
    summary="Record what happened with a decision",
    description="Once checked in, a decision no longer appears among those due; a later check-in replaces the outcome.",
    response_model=DecisionPublic,
)
@memory_write
def check_in_decision(
    mentorship_id: MentorshipId,
    decision_id: DecisionId,
    body: DecisionCheckIn,
    mentoring: MentoringDep,
    caller: CallerDep,
) -> DecisionPublic:
    return mentoring.check_in_decision(caller, mentorship_id, decision_id, body)


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
def get_schedule_ics(mentorship_id: MentorshipId, mentoring: MentoringDep, caller: CallerDep) -> Response:
    body, filename = mentoring.schedule(caller, mentorship_id)
    return CalendarResponse(
        body, headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    )
