"""A mentorship's goals as records, and their check-ins (issue 13).

A thin adapter over `companion.mentoring`: the caller's relation to the mentorship decides everything
(see `companion/access.py`). Every party reads the goals and both sides' check-ins; the mentor side
creates and changes goals; a check-in's `by` (mentee or mentor) comes from the caller, never the body.
A stranger gets 404 exactly as for an id from another tenant.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import CallerDep, MentoringDep
from api.lanes import LanedRoute, memory_write
from companion.memory.schemas import (
    GoalCheckInCreate,
    GoalCheckInPublic,
    GoalCreate,
    GoalPublic,
    GoalsFromPlan,
    GoalUpdate,
)

router = APIRouter(route_class=LanedRoute, prefix="/mentorships", tags=["goals"])
MentorshipId = Annotated[str, Path(max_length=64, description="The mentorship's id.")]
GoalId = Annotated[str, Path(max_length=64, description="The goal's id.")]


@router.get(
    "/{mentorship_id}/goals",
    operation_id="list_goals",
    summary="The mentorship's goals, each with its check-ins",
    response_model=list[GoalPublic],
)
def list_goals(mentorship_id: MentorshipId, mentoring: MentoringDep, caller: CallerDep) -> list[GoalPublic]:
    return mentoring.list_goals(caller, mentorship_id)


@router.post(
    "/{mentorship_id}/goals",
    operation_id="create_goal",
    summary="Add a goal by hand",
    description="Mentor side only (admin, platform, the mentor). A statement the mentorship already has "
    "(compared without case or extra spaces) returns that goal, with any missing fields filled in.",
    status_code=201,
    response_model=GoalPublic,
)
@memory_write
def create_goal(
    mentorship_id: MentorshipId, body: GoalCreate, mentoring: MentoringDep, caller: CallerDep
) -> GoalPublic:
    return mentoring.add_goal(caller, mentorship_id, body)


@router.post(
    "/{mentorship_id}/goals/from-plan",
    operation_id="create_goals_from_plan",
    summary="Keep a goal plan's SMART goals as goal rows",
    description="Send the `goals` of a goal plan (POST /v1/goal-plan). Idempotent: sending the same plan "
    "again adds no rows. A goal plan made for a mentorship by its mentor side is kept this way already.",
    response_model=list[GoalPublic],
)
@memory_write
def create_goals_from_plan(
    mentorship_id: MentorshipId, body: GoalsFromPlan, mentoring: MentoringDep, caller: CallerDep
) -> list[GoalPublic]:
    return mentoring.goals_from_plan(caller, mentorship_id, body.goals)


@router.patch(
    "/{mentorship_id}/goals/{goal_id}",
    operation_id="update_goal",
    summary="Change a goal's statement, deadline or status",
    description="Only the fields sent change; `deadline: null` removes the deadline. Mentor side only.",
    response_model=GoalPublic,
)
@memory_write
def update_goal(
    mentorship_id: MentorshipId, goal_id: GoalId, body: GoalUpdate, mentoring: MentoringDep, caller: CallerDep
) -> GoalPublic:
    return mentoring.update_goal(caller, mentorship_id, goal_id, body)


@router.get(
    "/{mentorship_id}/goals/{goal_id}/check-ins",
    operation_id="list_goal_check_ins",
    summary="A goal's check-ins, by session",
    response_model=list[GoalCheckInPublic],
)
def list_goal_check_ins(
    mentorship_id: MentorshipId, goal_id: GoalId, mentoring: MentoringDep, caller: CallerDep
) -> list[GoalCheckInPublic]:
    return mentoring.list_goal_check_ins(caller, mentorship_id, goal_id)


@router.post(
    "/{mentorship_id}/goals/{goal_id}/check-ins",
    operation_id="create_goal_check_in",
    summary="Rate progress on an active goal (0-10), with a line of self-assessment",
    description="`by` is the caller's side: the mentee rates as the mentee; the mentor (or an admin) as the "
    "mentor; platform keys rate nothing (403). With `session_id` (a session of this mentorship) there is one "
    "rating per side and session: rating again replaces it.",
    status_code=201,
    response_model=GoalCheckInPublic,
)
@memory_write
def create_goal_check_in(
    mentorship_id: MentorshipId,
    goal_id: GoalId,
    body: GoalCheckInCreate,
    mentoring: MentoringDep,
    caller: CallerDep,
) -> GoalCheckInPublic:
    return mentoring.add_goal_check_in(caller, mentorship_id, goal_id, body)
