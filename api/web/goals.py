"""The goal progress page (chart and table, both sides), and the forms that rate, add and change goals.

Everything goes through `companion.mentoring`, whose access rules are the API's: every party reads the
goals, the mentor side adds and changes them, each side rates for itself. The forms work without JS:
each answers with a redirect back to the page it came from.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from pydantic import ValidationError

from api.lanes import memory_write
from api.web.core import FormError, WebRoute, parse_date, parse_int, readable_validation, redirect, render, safe_next
from api.web.goal_progress import goal_values
from api.web.pages import Form, MentoringDep, MentorshipId, WebCaller, form_value, load
from companion import access
from companion.access import Action
from companion.memory.schemas import GoalCheckInCreate, GoalCreate, GoalUpdate

router = APIRouter(route_class=WebRoute, include_in_schema=False)
GoalId = Annotated[str, Path(max_length=64)]


def back_to(form_back: str, mentorship_id: str) -> str:
    """Where a form returns: the page it was on (a local path of this mentorship), else the goal page."""
    back = safe_next(form_back)
    page = f"/mentorships/{mentorship_id}"
    return back if back == page or back.startswith(page + "/") else f"{page}/goal-progress"


@router.get("/mentorships/{mentorship_id}/goal-progress")
def goal_progress_page(
    request: Request, mentorship_id: MentorshipId, mentoring: MentoringDep, caller: WebCaller
) -> Response:
    reach = load(mentoring, caller, mentorship_id)
    sessions = mentoring.list_sessions(caller, mentorship_id)
    held = [s for s in sessions if s.date <= dt.date.today()]
    return render(
        request,
        "goal_progress.html",
        mentorship=reach.mentorship,
        manages=access.allows(caller, reach.parties, Action.MANAGE_GOALS),
        saved=request.query_params.get("saved"),
        **goal_values(mentoring, caller, reach, sessions, check_in_session=held[-1] if held else None),
    )


@router.post("/mentorships/{mentorship_id}/goal-progress/check-ins")
@memory_write
def save_check_ins(mentorship_id: MentorshipId, mentoring: MentoringDep, caller: WebCaller, form: Form) -> Response:
    """One rating per active goal that has one in the form (an empty rating skips that goal)."""
    reach = load(mentoring, caller, mentorship_id, Action.RATE_GOAL)
    session_id = form_value(form, "session_id") or None
    goals = {goal.id: goal for goal in mentoring.list_goals(caller, mentorship_id) if goal.status == "active"}
    ratings = []
    for goal_id, goal in goals.items():
        raw = form_value(form, f"rating_{goal_id}")
        if not raw:
            continue
        rating = parse_int(raw, f"Progress on “{goal.statement}”", 0, 10)
        try:
            ratings.append(
                (
                    goal_id,
                    GoalCheckInCreate(
                        rating=rating, comment=form_value(form, f"comment_{goal_id}") or None, session_id=session_id
                    ),
                )
            )
        except ValidationError as exc:
            raise FormError(f"“{goal.statement}”: {readable_validation(exc)}") from None
    if not ratings:
        raise FormError("Rate at least one goal (0 to 10) to save a check-in.")
    for goal_id, data in ratings:
        mentoring.add_goal_check_in(caller, reach.mentorship.id, goal_id, data)
    return redirect(f"{back_to(form_value(form, 'back'), mentorship_id)}?goals={len(ratings)}#goal-check-in")


@router.post("/mentorships/{mentorship_id}/goal-progress/goals")
@memory_write
def add_goal(mentorship_id: MentorshipId, mentoring: MentoringDep, caller: WebCaller, form: Form) -> Response:
    load(mentoring, caller, mentorship_id, Action.MANAGE_GOALS)
    deadline = parse_date(form_value(form, "deadline"), "Deadline")
    try:
        goal = GoalCreate(statement=form_value(form, "statement"), deadline=deadline)
    except ValidationError as exc:
        raise FormError(f"The goal: {readable_validation(exc)}") from None
    mentoring.add_goal(caller, mentorship_id, goal)
    return redirect(f"/mentorships/{mentorship_id}/goal-progress?saved=added#goals-h")


@router.post("/mentorships/{mentorship_id}/goal-progress/goals/{goal_id}")
@memory_write
def change_goal(
    mentorship_id: MentorshipId, goal_id: GoalId, mentoring: MentoringDep, caller: WebCaller, form: Form
) -> Response:
    load(mentoring, caller, mentorship_id, Action.MANAGE_GOALS)
    status = form_value(form, "status")
    if status not in ("active", "achieved", "dropped"):
        raise FormError("Status: choose active, achieved or dropped.")
    update = GoalUpdate(status=status, deadline=parse_date(form_value(form, "deadline"), "Deadline"))  # type: ignore[arg-type]
    mentoring.update_goal(caller, mentorship_id, goal_id, update)
    return redirect(f"/mentorships/{mentorship_id}/goal-progress?saved=changed#goals-h")
