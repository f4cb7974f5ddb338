"""Programme health: how every mentorship of a tenant is going, for its admins and platforms.

Per mentorship: days since the last session, sessions held against the sessions its goal plan's
cadence planned so far, open and overdue action items, decisions due for a check-in, and whether it
is *stalled* or *at risk*; then totals for the programme and sessions held per week.

Only counts, dates and ids leave this module: never note text, agendas, feedback, action item or
decision wording, reflection answers or profiles. A platform reads it as an admin does (it is the
programme's view, not a mentorship's), so nothing here may carry content one of them may not read.

Definitions (the README repeats them for the people reading the table):

- A session is *held* when its date is today or earlier (a session prepared for a later date is not).
- *Stalled*: an active mentorship with no session held in the last `stalled_after_days` days
  (counted from its start when it has none yet). Paused and closed mentorships are never stalled.
- *Planned by the cadence*: the dates of the latest goal plan's meeting schedule up to today. Held
  against it: sessions held on or after the schedule's first date. No goal plan: all three are null,
  never a guess.
- *At risk*: an active mentorship that is stalled, has `at_risk_overdue_items` or more overdue action
  items, or is `at_risk_sessions_behind` or more sessions behind its cadence.

Everything is computed with four grouped queries per call (mentorships, sessions per mentorship and
date, action items per mentorship, decisions due per mentorship), whatever the number of mentorships.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Integer, and_, case, func, select
from sqlalchemy.orm import Session

from companion import access
from companion.access import Caller
from companion.config import Settings
from companion.generation.goal_history import STALLED_CHECK_INS, no_rise_for
from companion.memory.db import Database
from companion.memory.models import (
    ActionItemRecord,
    DecisionRecord,
    Goal,
    GoalCheckIn,
    MentoringSession,
    Mentorship,
)
from companion.schemas import Cadence

Scoped = Mentorship | MentoringSession | ActionItemRecord | DecisionRecord | Goal | GoalCheckIn
StatusFilter = Literal["all", "stalled", "at_risk"]
Risk = Literal["stalled", "overdue_items", "sessions_behind", "goals_stalled"]
DEFAULT_WEEKS = 12
MAX_WEEKS = 104


class MentorshipHealth(BaseModel):
    """One mentorship's health: counts, dates and ids only."""

    mentorship_id: str
    mentor_person_id: str
    mentee_person_id: str
    status: Literal["active", "paused", "closed"]
    started_on: dt.date
    sessions_held: int = Field(description="Sessions dated today or earlier.")
    last_session_date: dt.date | None
    days_since_last_session: int | None = Field(description="Null before the first session.")
    sessions_planned: int | None = Field(
        description="Dates of the goal plan's meeting schedule up to today; null without a goal plan."
    )
    sessions_held_in_plan: int | None = Field(
        description="Sessions held on or after the schedule's first date; null without a goal plan."
    )
    sessions_behind: int | None = Field(description="Planned minus held in the plan, at least 0; null without a plan.")
    next_planned_session: dt.date | None
    open_action_items: int = Field(description="Not done, overdue ones included.")
    overdue_action_items: int = Field(description="Not done, due before today.")
    decisions_due: int = Field(description="Decisions whose check-in date has come and that are not checked in.")
    goals_active: int = Field(0, description="Goals still being worked on.")
    goals_on_track: int = Field(0, description="Active goals that are not stalled.")
    goals_stalled: int = Field(
        0,
        description="Active goals past their deadline, or whose mentee rating has not risen over the last "
        f"{STALLED_CHECK_INS} check-ins.",
    )
    goals_achieved: int = Field(0, description="Goals marked achieved.")
    stalled: bool
    at_risk: bool
    risks: list[Risk] = Field(description="Why it is at risk (empty when it is not).")


class WeekCount(BaseModel):
    week_start: dt.date = Field(description="The Monday the week starts on.")
    sessions: int


class ProgrammeTotals(BaseModel):
    """The whole programme, whatever the filter."""

    mentorships: int
    active: int
    paused: int
    closed: int
    stalled: int
    at_risk: int
    sessions_held: int
    open_action_items: int
    overdue_action_items: int
    decisions_due: int
    goals_active: int = 0
    goals_stalled: int = 0
    goals_achieved: int = 0


class ProgrammeHealth(BaseModel):
    tenant: str
    today: dt.date
    status: StatusFilter = Field(description="The filter applied to `mentorships`.")
    stalled_after_days: int
    at_risk_overdue_items: int
    at_risk_sessions_behind: int
    totals: ProgrammeTotals
    mentorships: list[MentorshipHealth]
    sessions_per_week: list[WeekCount] = Field(description="Sessions held across the programme, oldest week first.")


@dataclass
class GoalCounts:
    active: int = 0
    stalled: int = 0
    achieved: int = 0


@dataclass(frozen=True)
class Thresholds:
    stalled_after_days: int
    at_risk_overdue_items: int
    at_risk_sessions_behind: int

    @classmethod
    def from_settings(cls, settings: Settings, stalled_after_days: int | None = None) -> Thresholds:
        return cls(
            stalled_after_days=stalled_after_days or settings.stalled_after_days,
            at_risk_overdue_items=settings.at_risk_overdue_items,
            at_risk_sessions_behind=settings.at_risk_sessions_behind,
        )


# --------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------
def health(
    database: Database,
    caller: Caller,
    settings: Settings,
    *,
    today: dt.date,
    status: StatusFilter = "all",
    stalled_after_days: int | None = None,
    weeks: int = DEFAULT_WEEKS,
) -> ProgrammeHealth:
    """The caller's tenant's programme health (admin and platform keys; Forbidden for any other)."""
    access.require_programme_viewer(caller)
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be between 1 and {MAX_WEEKS}")
    limits = Thresholds.from_settings(settings, stalled_after_days)
    with database.read() as session:
        rows, dates, _ = _compute(session, caller.tenant, today, limits)
    by_day: dict[dt.date, int] = defaultdict(int)
    for per_day in dates.values():
        for day, count in per_day.items():
            by_day[day] += count
    shown = [row for row in rows if status == "all" or (row.stalled if status == "stalled" else row.at_risk)]
    return ProgrammeHealth(
        tenant=caller.tenant,
        today=today,
        status=status,
        stalled_after_days=limits.stalled_after_days,
        at_risk_overdue_items=limits.at_risk_overdue_items,
        at_risk_sessions_behind=limits.at_risk_sessions_behind,
        totals=totals(rows),
        mentorships=shown,
        sessions_per_week=sessions_per_week(by_day, today, weeks),
    )


def totals_by_tenant(database: Database, settings: Settings, today: dt.date) -> dict[str, ProgrammeTotals]:
    """Every tenant's totals, for the operator's /metrics (counts only; the same four queries)."""
    with database.read() as session:
        rows, _, tenants = _compute(session, None, today, Thresholds.from_settings(settings))
    grouped: dict[str, list[MentorshipHealth]] = defaultdict(list)
    for row in rows:
        grouped[tenants[row.mentorship_id]].append(row)
    return {tenant: totals(group) for tenant, group in sorted(grouped.items())}


def totals(rows: list[MentorshipHealth]) -> ProgrammeTotals:
    return ProgrammeTotals(
        mentorships=len(rows),
        active=sum(row.status == "active" for row in rows),
        paused=sum(row.status == "paused" for row in rows),
        closed=sum(row.status == "closed" for row in rows),
        stalled=sum(row.stalled for row in rows),
        at_risk=sum(row.at_risk for row in rows),
        sessions_held=sum(row.sessions_held for row in rows),
        open_action_items=sum(row.open_action_items for row in rows),
        overdue_action_items=sum(row.overdue_action_items for row in rows),
        decisions_due=sum(row.decisions_due for row in rows),
        goals_active=sum(row.goals_active for row in rows),
        goals_stalled=sum(row.goals_stalled for row in rows),
        goals_achieved=sum(row.goals_achieved for row in rows),
    )


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def sessions_per_week(by_day: dict[dt.date, int], today: dt.date, weeks: int) -> list[WeekCount]:
    """`weeks` Monday-based weeks ending with the one holding `today`; every week listed, empty ones too."""
    last = week_start(today)
    starts = [last - dt.timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    counts = dict.fromkeys(starts, 0)
    for day, count in by_day.items():
        start = week_start(day)
        if start in counts and day <= today:
            counts[start] += count
    return [WeekCount(week_start=start, sessions=counts[start]) for start in starts]


# --------------------------------------------------------------------------------------
# The queries
# --------------------------------------------------------------------------------------
def _compute(
    session: Session, tenant: str | None, today: dt.date, limits: Thresholds
) -> tuple[list[MentorshipHealth], dict[str, dict[dt.date, int]], dict[str, str]]:
    """Each mentorship's health (oldest first), its sessions held per date, and its tenant (by id)."""

    def in_tenant(model: type[Scoped]) -> list[ColumnElement[bool]]:
        return [] if tenant is None else [model.tenant == tenant]

    mentorships = session.execute(
        select(
            Mentorship.id,
            Mentorship.tenant,
            Mentorship.mentor_person_id,
            Mentorship.mentee_person_id,
            Mentorship.status,
            Mentorship.cadence,
            Mentorship.created_at,
        )
        .where(*in_tenant(Mentorship))
        .order_by(Mentorship.created_at, Mentorship.id)
    ).all()

    dates: dict[str, dict[dt.date, int]] = defaultdict(dict)
    for mentorship_id, day, count in session.execute(
        select(MentoringSession.mentorship_id, MentoringSession.date, func.count())
        .where(*in_tenant(MentoringSession), MentoringSession.date <= today)
        .group_by(MentoringSession.mentorship_id, MentoringSession.date)
    ):
        dates[mentorship_id][day] = int(count)

    not_done = ActionItemRecord.done.is_(False)
    overdue = and_(not_done, ActionItemRecord.due.is_not(None), ActionItemRecord.due < today)
    items = {
        mentorship_id: (int(open_ or 0), int(late or 0))
        for mentorship_id, open_, late in session.execute(
            select(
                ActionItemRecord.mentorship_id,
                func.sum(case((not_done, 1), else_=0), type_=Integer),
                func.sum(case((overdue, 1), else_=0), type_=Integer),
            )
            .where(*in_tenant(ActionItemRecord))
            .group_by(ActionItemRecord.mentorship_id)
        )
    }

    decisions = {
        mentorship_id: int(count)
        for mentorship_id, count in session.execute(
            select(DecisionRecord.mentorship_id, func.count())
            .where(
                *in_tenant(DecisionRecord),
                DecisionRecord.check_in_date.is_not(None),
                DecisionRecord.check_in_date <= today,
                DecisionRecord.checked_in_at.is_(None),
            )
            .group_by(DecisionRecord.mentorship_id)
        )
    }

    # Goals: the mentee's ratings per goal, oldest first, decide whether an active goal has stalled.
    mentee_ratings: dict[str, list[int]] = defaultdict(list)
    for goal_id, rating in session.execute(
        select(GoalCheckIn.goal_id, GoalCheckIn.rating)
        .where(*in_tenant(GoalCheckIn), GoalCheckIn.rater == "mentee")
        .order_by(GoalCheckIn.goal_id, GoalCheckIn.created_at, GoalCheckIn.id)
    ):
        mentee_ratings[goal_id].append(int(rating))
    goals: dict[str, GoalCounts] = defaultdict(GoalCounts)
    for mentorship_id, goal_id, goal_status, deadline in session.execute(
        select(Goal.mentorship_id, Goal.id, Goal.status, Goal.deadline).where(*in_tenant(Goal))
    ):
        counts = goals[mentorship_id]
        if goal_status == "achieved":
            counts.achieved += 1
        elif goal_status == "active":
            counts.active += 1
            late = deadline is not None and deadline < today
            if late or no_rise_for(mentee_ratings.get(goal_id, [])) >= STALLED_CHECK_INS:
                counts.stalled += 1

    rows = []
    tenants: dict[str, str] = {}
    for mentorship_id, row_tenant, mentor, mentee, status, cadence, created_at in mentorships:
        tenants[mentorship_id] = row_tenant
        open_items, overdue_items = items.get(mentorship_id, (0, 0))
        rows.append(
            _health(
                mentorship_id,
                mentor,
                mentee,
                status,
                cadence,
                created_at.date(),
                dates.get(mentorship_id, {}),
                open_items,
                overdue_items,
                decisions.get(mentorship_id, 0),
                goals.get(mentorship_id, GoalCounts()),
                today,
                limits,
            )
        )
    return rows, dates, tenants


def _health(
    mentorship_id: str,
    mentor: str,
    mentee: str,
    status: str,
    cadence: dict[str, Any] | None,
    started_on: dt.date,
    held: dict[dt.date, int],
    open_items: int,
    overdue_items: int,
    decisions_due: int,
    goals: GoalCounts,
    today: dt.date,
    limits: Thresholds,
) -> MentorshipHealth:
    last = max(held, default=None)
    days_since = (today - last).days if last is not None else None
    quiet_for = days_since if days_since is not None else (today - started_on).days
    active = status == "active"
    stalled = active and quiet_for >= limits.stalled_after_days

    planned = held_in_plan = behind = None
    next_planned = None
    if cadence is not None:
        schedule = sorted(set(Cadence.model_validate(cadence).sessions))
        planned = sum(1 for day in schedule if day <= today)
        held_in_plan = sum(count for day, count in held.items() if schedule and day >= schedule[0])
        behind = max(planned - held_in_plan, 0)
        next_planned = next((day for day in schedule if day > today), None)

    risks: list[Risk] = []
    if active:
        if stalled:
            risks.append("stalled")
        if overdue_items >= limits.at_risk_overdue_items:
            risks.append("overdue_items")
        if behind is not None and behind >= limits.at_risk_sessions_behind:
            risks.append("sessions_behind")
        if goals.stalled:
            risks.append("goals_stalled")
    return MentorshipHealth(
        mentorship_id=mentorship_id,
        mentor_person_id=mentor,
        mentee_person_id=mentee,
        status=status,  # type: ignore[arg-type]
        started_on=started_on,
        sessions_held=sum(held.values()),
        last_session_date=last,
        days_since_last_session=days_since,
        sessions_planned=planned,
        sessions_held_in_plan=held_in_plan,
        sessions_behind=behind,
        next_planned_session=next_planned,
        open_action_items=open_items,
        overdue_action_items=overdue_items,
        decisions_due=decisions_due,
        goals_active=goals.active,
        goals_on_track=goals.active - goals.stalled,
        goals_stalled=goals.stalled,
        goals_achieved=goals.achieved,
        stalled=stalled,
        at_risk=bool(risks),
        risks=risks,
    )
