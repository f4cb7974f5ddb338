"""Mentorships, their sessions, action items and progress; every query scoped to the caller's tenant.

A mentor or mentee only ever reaches mentorships they belong to (others answer 404, exactly
as an id from another tenant does), and a mentee never receives a mentor_private note.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Principal, require_role
from api.deps import CompanionDep, PrincipalDep
from api.errors import ApiError
from companion.memory.schemas import (
    ActionItemPublic,
    MentorshipCreate,
    MentorshipPublic,
    Progress,
    SessionCreate,
    SessionPublic,
)
from companion.schemas import ActionItem

router = APIRouter(prefix="/mentorships", tags=["mentorships"])
MentorshipId = Annotated[str, Path(max_length=64, description="The mentorship's id.")]


def viewer(principal: Principal) -> str | None:
    """Mentors and mentees see only their own mentorships; admins and platforms the whole tenant."""
    return principal.person_id if principal.role in ("mentor", "mentee") else None


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
        include_private_notes=principal.role in ("admin", "mentor"),
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
