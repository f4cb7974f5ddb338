"""What the goal pieces of the pages show: every goal with its rows of ratings, the chart, and the check-in
fieldsets (the caller's side only, decided by access.py). Shared by the session page, the mentee view and
the goal progress page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from api.web.charts import goal_progress_svg, goal_rows
from companion import access
from companion.access import Action, Caller
from companion.memory.schemas import GoalPublic, MentorshipPublic, SessionPublic
from companion.mentoring import Mentoring, Reach


def rater_for(caller: Caller, reach: Reach) -> str | None:
    """The side this caller rates for, or None when they rate nothing (a platform)."""
    if not access.allows(caller, reach.parties, Action.RATE_GOAL):
        return None
    return access.goal_rater(caller, reach.parties)


def goal_values(
    mentoring: Mentoring,
    caller: Caller,
    reach: Reach,
    sessions: list[SessionPublic],
    *,
    check_in_session: SessionPublic | None = None,
    rater: str | None = None,
) -> dict[str, Any]:
    """Goals, their table rows and chart; and for the check-in form, the active goals with what the rater
    already said for `check_in_session` (so saving the form again changes the ratings, never adds rows)."""
    mentorship: MentorshipPublic = reach.mentorship
    goals = mentoring.list_goals(caller, mentorship.id)
    rows = {goal.id: goal_rows(goal, sessions) for goal in goals}
    rater = (rater or None) if rater is not None else rater_for(caller, reach)  # "" means: no form
    return {
        "goals": goals,
        "goal_rows": rows,
        "goal_rated": any(rows.values()),
        # no ratings and no dates to mark: an empty 0-10 frame says nothing, the page says what to do instead
        "goal_chart": goal_progress_svg(goals, rows, dt.date.today()) if any(rows.values()) or dated(goals) else "",
        "check_in": {
            "rater": rater,
            "session": check_in_session,
            "goals": [goal for goal in goals if goal.status == "active"],
            "given": given(goals, check_in_session, rater),
        },
    }


def dated(goals: list[GoalPublic]) -> bool:
    """Does any goal have a deadline or a dated milestone (something the chart marks without ratings)?"""
    return any(goal.deadline is not None or any(m.due is not None for m in goal.milestones) for goal in goals)


def given(goals: list[GoalPublic], session: SessionPublic | None, rater: str | None) -> dict[str, Any]:
    """goal id -> the rater's check-in for this session, to fill the form with."""
    if session is None or rater is None:
        return {}
    return {c.goal_id: c for goal in goals for c in goal.check_ins if c.session_id == session.id and c.by == rater}
