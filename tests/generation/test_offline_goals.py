"""Offline goal plans: SMART sentences about the mentee's own goals, dated milestones and a real cadence."""

from __future__ import annotations

import datetime as dt

import pytest

from companion.generation.tasks.common import MissingInput
from companion.schemas import GoalPlan
from companion.service import Companion
from tests.generation.support import compose, sample_context

REFERENCE = dt.date(2026, 11, 24)


def plan_for(companion: Companion, **changes: object) -> tuple[GoalPlan, dict]:
    output, retrieved = compose(companion, "goals", sample_context(**changes))
    assert isinstance(output, GoalPlan)
    return output, retrieved.by_id()


def test_every_goal_becomes_smart_with_dated_milestones(knowledge_companion: Companion) -> None:
    plan, by_id = plan_for(knowledge_companion)
    assert [g.statement for g in plan.goals] == ["Raise a seed round by June.", "Hire a first engineer."]
    for goal, text in zip(plan.goals, ("raise a seed round by June", "hire a first engineer"), strict=True):
        for field in (goal.specific, goal.measurable, goal.achievable, goal.relevant, goal.time_bound):
            assert f"“{text}”" in field
        dues = [m.due for m in goal.milestones]
        assert len(dues) >= 3 and all(d is not None for d in dues)
        assert dues == sorted(dues) and dues[0] > REFERENCE
        assert len(goal.citations) == 1 and by_id[goal.citations[0].chunk_id].bank == "smart_goals"

    seed = plan.goals[0]
    assert seed.milestones[-1].due == dt.date(2027, 6, 30)
    assert by_id[seed.citations[0].chunk_id].item["persona"] == "first_time_founder"
    assert "week" not in " ".join(m.text for m in seed.milestones).lower()
    assert "“70-hour weeks”" in seed.achievable

    hire = plan.goals[1]
    assert hire.milestones[-1].due == REFERENCE + dt.timedelta(days=91)
    assert "names no date" in hire.time_bound


def test_cadence_is_fortnightly_on_the_session_weekday_until_the_last_deadline(knowledge_companion: Companion) -> None:
    plan, _ = plan_for(knowledge_companion)
    cadence = plan.cadence
    assert (cadence.frequency, cadence.meeting_day, cadence.session_minutes) == ("every 2 weeks", "Tuesday", 45)
    assert cadence.sessions[0] == dt.date(2026, 12, 8)
    assert all(day.weekday() == 1 for day in cadence.sessions)
    assert all((b - a).days == 14 for a, b in zip(cadence.sessions, cadence.sessions[1:], strict=False))
    assert cadence.sessions[-1] <= dt.date(2027, 6, 30) < cadence.sessions[-1] + dt.timedelta(days=14)


def test_a_close_deadline_means_weekly_sessions(knowledge_companion: Companion) -> None:
    plan, _ = plan_for(knowledge_companion, mentee={"goals": ["give a conference talk by 2026-12-20"]})
    assert plan.cadence.frequency == "every week"
    assert plan.cadence.sessions == [dt.date(2026, 12, 1), dt.date(2026, 12, 8), dt.date(2026, 12, 15)]


def test_goals_without_dates_plan_three_months(knowledge_companion: Companion) -> None:
    plan, _ = plan_for(
        knowledge_companion, mentee={"goals": ["get better at delegating"]}, session={"date": None}, today="2026-11-24"
    )
    assert plan.cadence.sessions[-1] <= REFERENCE + dt.timedelta(days=91)
    assert len(plan.cadence.sessions) == 6


def test_a_plan_needs_at_least_one_goal(knowledge_companion: Companion) -> None:
    with pytest.raises(MissingInput, match="at least one goal"):
        compose(knowledge_companion, "goals", sample_context(mentee={"goals": []}))
