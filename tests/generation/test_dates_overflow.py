"""Date arithmetic never overflows: far phrases are not dates, schedules stop at date.max, and
input dates outside the documented range are refused naming the field (issue 11, "Never a 500")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from companion.calendar import session_end
from companion.generation.base import Retrieved
from companion.generation.tasks import goals
from companion.generation.tasks.dates import MAX_YEARS_AWAY, find_due_date, goal_deadline, plausible, shift
from companion.memory.schemas import ActionItemPublic, DecisionCreate, SessionCreate, SessionPlanUpdate
from companion.schemas import (
    EARLIEST_DATE,
    LATEST_DATE,
    DecisionFramework,
    MentoringContext,
    format_validation_error,
)
from tests.generation.support import search_result

TUESDAY = dt.date(2026, 11, 24)
HUGE = "9" * 5000  # longer than int() accepts from a string (4300 digits)


# -- phrases -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "follow up in 600000 weeks",
        "follow up in 999999999 days",
        "follow up in 99999999999999999999999 days",
        "renew it within 5000 months",
        pytest.param(f"book it in {HUGE} days", id="book it in <5000 digits> days"),
        "sign by 9999-12-31",
        "sign by 1066-10-14",
        "by March 1 1850",
    ],
)
def test_a_due_phrase_that_overflows_or_lies_centuries_away_is_not_a_date(text: str) -> None:
    assert find_due_date(text, TUESDAY) is None


@pytest.mark.parametrize(
    "goal",
    [
        "ship v1 in 500000 weeks",
        "ship v1 within 3000000 years",
        "ship v1 in 200 years",
        pytest.param(f"ship v1 in {HUGE} weeks", id="ship v1 in <5000 digits> weeks"),
        "retire by 2999-01-01",
    ],
)
def test_a_goal_deadline_that_overflows_or_lies_centuries_away_is_none(goal: str) -> None:
    assert goal_deadline(goal, TUESDAY) is None


@pytest.mark.parametrize(
    "text",
    [
        "reply tomorrow",
        "send it by Friday",
        "by next Friday",
        "close the books by end of the week",
        "in 3 days",
        "within two months",
        "pay by the 14th",
        "by Dec 31",
    ],
)
def test_phrases_on_the_last_days_a_date_can_hold_do_not_overflow(text: str) -> None:
    for reference in (dt.date.max, dt.date.max - dt.timedelta(days=3), LATEST_DATE):
        found = find_due_date(text, reference)
        assert found is None or EARLIEST_DATE <= found.date <= LATEST_DATE, (text, reference, found)


@pytest.mark.parametrize("goal", ["launch by Q3", "ship by December", "done by the end of the year", "within 6 months"])
def test_goal_deadlines_on_the_last_day_a_date_can_hold_do_not_overflow(goal: str) -> None:
    assert goal_deadline(goal, dt.date.max) is None


def test_near_phrases_still_resolve_and_the_window_is_a_century() -> None:
    assert find_due_date("follow up in 600 weeks", TUESDAY).date == TUESDAY + dt.timedelta(weeks=600)  # type: ignore[union-attr]
    assert goal_deadline("ship v1 in 50 years", TUESDAY) == dt.date(2076, 11, 24)
    assert plausible(TUESDAY + dt.timedelta(days=365 * MAX_YEARS_AWAY), TUESDAY)
    assert not plausible(TUESDAY + dt.timedelta(days=366 * MAX_YEARS_AWAY + 1), TUESDAY)
    assert shift(dt.date.max, 1) is None and shift(dt.date.min, -1) is None and shift(TUESDAY, 10**20) is None
    assert shift(TUESDAY, 7) == dt.date(2026, 12, 1)


# -- schedules -----------------------------------------------------------------------------
def goals_context(today: dt.date, goal: str = "ship v1", session_date: dt.date | None = None) -> MentoringContext:
    """A context whose reference date is past the accepted range: what a caller building contexts
    itself (not through validation) may hand the composer."""
    context = MentoringContext.model_validate({"mentee": {"name": "Priya", "goals": [goal]}})
    session = context.session.model_copy(update={"date": session_date})
    return context.model_copy(update={"today": today, "session": session})


@pytest.mark.parametrize("today", [dt.date.max, dt.date.max - dt.timedelta(days=20), dt.date(9999, 12, 20)])
def test_the_cadence_stops_at_date_max_instead_of_overflowing(today: dt.date) -> None:
    for deadlines in ([], [dt.date.max], [today]):
        cadence = goals.plan_cadence(goals_context(today), deadlines)
        assert cadence.sessions, deadlines
        assert all(today <= day <= dt.date.max for day in cadence.sessions)
        assert cadence.sessions == sorted(set(cadence.sessions))


def test_the_cadence_is_unchanged_for_ordinary_dates() -> None:
    cadence = goals.plan_cadence(goals_context(TUESDAY), [dt.date(2027, 6, 30)])
    assert cadence.frequency == "every 2 weeks" and cadence.meeting_day == "Tuesday"
    assert cadence.sessions[0] == dt.date(2026, 12, 8)  # the Tuesday after next: a week later than weekly
    assert all((b - a).days == 14 for a, b in zip(cadence.sessions, cadence.sessions[1:], strict=False))


def test_milestones_near_date_max_leave_the_due_date_out_instead_of_overflowing() -> None:
    start = dt.date.max - dt.timedelta(days=1)
    milestones = goals._milestones(["a", "b", "c", "d"], start, dt.date.max)
    assert [m.text for m in milestones] == ["a", "b", "c", "d"]
    assert milestones[0].due == dt.date.max and milestones[-1].due is None


def smart_goal_bank() -> Retrieved:
    """What retrieval returns for one goal: a single SMART-goal example (no index needed)."""
    item = {
        "id": "ship-first-version",
        "goal": "ship the first version",
        "specific": "s",
        "measurable": "m",
        "achievable": "a",
        "relevant": "r",
        "time_bound": "t",
        "milestones": ["Write the plan", "Build it", "Ship it"],
    }
    result = search_result(
        "c1",
        source="banks/smart-goals.md",
        title="SMART goals",
        heading="SMART goals",
        text="ship the first version",
        audience="both",
        bank="smart_goals",
        item=item,
    )
    retrieved = Retrieved()
    retrieved.add("smart_goals:0", [result])
    return retrieved


def test_a_goal_plan_for_a_far_goal_assumes_three_months_and_never_overflows() -> None:
    plan = goals.compose(goals_context(TUESDAY, goal="ship v1 in 500000 weeks"), smart_goal_bank())
    deadline = TUESDAY + dt.timedelta(days=goals.DEFAULT_HORIZON_DAYS)
    assert f"names no date, so this plan uses {deadline.isoformat()}" in plan.goals[0].time_bound
    assert plan.cadence.sessions and max(plan.cadence.sessions) <= deadline

    plan = goals.compose(goals_context(dt.date.max, goal="ship v1 in 3 weeks"), smart_goal_bank())
    assert plan.cadence.sessions == [dt.date.max]
    assert plan.goals[0].milestones[-1].due is None


# -- the calendar export -------------------------------------------------------------------
def test_a_session_on_the_last_day_ends_at_the_last_moment_instead_of_overflowing() -> None:
    late = dt.datetime.combine(dt.date.max, dt.time(23, 0))
    assert session_end(late, 240) == dt.datetime(9999, 12, 31, 23, 59, 59)
    assert session_end(dt.datetime(2026, 12, 1, 9), 45) == dt.datetime(2026, 12, 1, 9, 45)
    assert session_end(dt.datetime(2026, 12, 1, 9), 10**15) == dt.datetime(2026, 12, 2, 9), "held to one day"
    assert session_end(dt.datetime(2026, 12, 1, 9), -5) == dt.datetime(2026, 12, 1, 9, 1)


# -- the input bound -----------------------------------------------------------------------
BOUND = f"must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}"


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"today": "9999-12-20"}, "today"),
        ({"today": "1899-12-31"}, "today"),
        ({"session": {"date": "2201-01-01"}}, "session.date"),
        ({"decision": {"statement": "take the job", "deadline": "9999-12-31"}}, "decision.deadline"),
        ({"open_action_items": [{"text": "x", "due": "0001-01-01"}]}, "open_action_items.0.due"),
    ],
)
def test_context_dates_outside_the_range_are_refused_naming_the_field(data: dict[str, Any], path: str) -> None:
    with pytest.raises(ValidationError) as raised:
        MentoringContext.model_validate({"mentee": {"name": "Priya"}, **data})
    assert format_validation_error(raised.value) == f"{path} {BOUND}"


def test_the_bounds_themselves_are_accepted() -> None:
    for day in (EARLIEST_DATE, LATEST_DATE):
        context = MentoringContext.model_validate({"mentee": {"name": "P"}, "today": day.isoformat()})
        assert context.reference_date == day


def test_memory_input_dates_outside_the_range_are_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as raised:
        SessionCreate.model_validate({"date": "9999-12-31"})
    assert format_validation_error(raised.value) == f"date {BOUND}"
    with pytest.raises(ValidationError) as raised:
        SessionPlanUpdate.model_validate({"date": "1800-01-01"})
    assert format_validation_error(raised.value) == f"date {BOUND}"
    with pytest.raises(ValidationError) as raised:
        SessionCreate.model_validate({"date": "2026-01-01", "action_items": [{"text": "x", "due": "3000-01-01"}]})
    assert format_validation_error(raised.value) == f"action_items.0.due {BOUND}"
    framework = {
        "decision": "take the job",
        "reversibility": {"level": "reversible", "reason": "r"},
        "criteria": [],
        "options": [],
        "premortem": [],
        "questions_for_mentor": [],
        "experiment": "e",
        "next_steps": [],
        "check_in_date": "9999-01-01",
        "generator": {"provider": "offline", "model": "m", "prompt_version": "p"},
    }
    with pytest.raises(ValidationError) as raised:
        DecisionCreate.model_validate({"framework": framework})
    assert format_validation_error(raised.value) == f"framework.check_in_date {BOUND}"
    assert DecisionFramework.model_validate(framework).check_in_date == dt.date(9999, 1, 1), "outputs are not bounded"


def test_stored_dates_outside_the_range_still_read_back() -> None:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    item = ActionItemPublic(
        id="i", mentorship_id="m", session_id=None, done_at=None, created_at=now, text="old", due=dt.date(9999, 1, 1)
    )
    assert item.due == dt.date(9999, 1, 1)
