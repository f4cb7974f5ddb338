"""Goals as rows: seeded idempotently, changed field by field, rated per session and rater, tenant-scoped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy.exc import IntegrityError

from companion.memory import MemoryRepository
from companion.memory.errors import InvalidMemoryRequest, NotFound
from companion.memory.models import GoalCheckIn
from companion.memory.schemas import GoalCheckInCreate, GoalCreate, GoalUpdate, MentorshipPublic, SessionCreate
from companion.schemas import Milestone


def test_a_new_mentorship_seeds_its_goal_rows_from_its_goals(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    mentorship = make_mentorship()
    goals = repository.list_goals("acme", mentorship.id)
    assert [(g.statement, g.source, g.status) for g in goals] == [
        ("Become a staff engineer", "profile", "active"),
        ("Lead a cross-team project", "profile", "active"),
    ]


def test_adding_the_same_goals_twice_adds_nothing_and_fills_what_was_missing(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    mentorship = make_mentorship()
    planned = GoalCreate(
        statement="become a  STAFF engineer",
        deadline=dt.date(2025, 9, 1),
        smart={"measurable": "promotion packet accepted"},
        milestones=[Milestone(text="Write the design doc", due=dt.date(2025, 5, 1))],
    )
    first = repository.add_goals(
        "acme", mentorship.id, [planned, GoalCreate(statement="Mentor a junior")], source="plan"
    )
    again = repository.add_goals("acme", mentorship.id, [planned], source="plan")
    goals = repository.list_goals("acme", mentorship.id)
    assert len(goals) == 3 and [g.id for g in first] == [goals[0].id, goals[2].id]
    assert again[0].id == goals[0].id
    assert goals[0].statement == "Become a staff engineer" and goals[0].source == "profile"
    assert goals[0].smart == {"measurable": "promotion packet accepted"}
    assert goals[0].deadline == dt.date(2025, 9, 1) and goals[0].milestones[0].text == "Write the design doc"


def test_update_changes_only_the_fields_sent(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    mentorship = make_mentorship()
    goal = repository.list_goals("acme", mentorship.id)[0]
    repository.update_goal("acme", mentorship.id, goal.id, GoalUpdate(deadline=dt.date(2025, 12, 1)))
    done = repository.update_goal("acme", mentorship.id, goal.id, GoalUpdate(status="achieved"))
    assert done.status == "achieved" and done.deadline == dt.date(2025, 12, 1)
    cleared = repository.update_goal("acme", mentorship.id, goal.id, GoalUpdate.model_validate({"deadline": None}))
    assert cleared.deadline is None and cleared.status == "achieved"
    with pytest.raises(InvalidMemoryRequest, match="only active goals"):
        repository.add_goal_check_in("acme", mentorship.id, goal.id, GoalCheckInCreate(rating=5), rater="mentee")


def test_check_ins_are_kept_per_session_and_rater(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    mentorship = make_mentorship()
    goal = repository.list_goals("acme", mentorship.id)[0]
    s1 = repository.add_session("acme", mentorship.id, SessionCreate(date=dt.date(2025, 3, 1)))
    s2 = repository.add_session("acme", mentorship.id, SessionCreate(date=dt.date(2025, 3, 15)))

    def rate(session_id: str, rating: int, rater: str, comment: str | None = None) -> None:
        data = GoalCheckInCreate(rating=rating, comment=comment, session_id=session_id)
        repository.add_goal_check_in("acme", mentorship.id, goal.id, data, rater=rater)

    rate(s2.id, 6, "mentee", "better")
    rate(s1.id, 3, "mentee", "slow start")
    rate(s1.id, 4, "mentee", "slow start, but moving")  # replaces the first rating of session 1
    rate(s1.id, 2, "mentor")
    check_ins = repository.get_goal("acme", mentorship.id, goal.id).check_ins
    assert [(c.session_number, c.by, c.rating) for c in check_ins] == [
        (1, "mentee", 4),
        (1, "mentor", 2),
        (2, "mentee", 6),
    ]
    assert check_ins[0].comment == "slow start, but moving"


def test_goals_and_check_ins_stay_in_their_tenant_and_mentorship(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    mine, other = make_mentorship(), make_mentorship("globex")
    other_in_acme = make_mentorship(mentor="mentor-cy", mentee="mentee-di")
    goal = repository.list_goals("acme", mine.id)[0]
    foreign_session = repository.add_session("acme", other_in_acme.id, SessionCreate(date=dt.date(2025, 3, 1)))
    with pytest.raises(NotFound):
        repository.list_goals("globex", mine.id)
    with pytest.raises(NotFound):
        repository.get_goal("acme", other_in_acme.id, goal.id)
    with pytest.raises(NotFound):
        repository.get_goal("globex", other.id, goal.id)
    with pytest.raises(NotFound):
        repository.list_goals("acme", mine.id, viewer_person_id="mentor-cy")
    with pytest.raises(NotFound, match="session"):
        data = GoalCheckInCreate(rating=5, session_id=foreign_session.id)
        repository.add_goal_check_in("acme", mine.id, goal.id, data, rater="mentee")


def test_the_database_refuses_a_check_in_on_another_tenants_goal(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    mine = make_mentorship()
    goal = repository.list_goals("acme", mine.id)[0]
    with pytest.raises(IntegrityError), repository.database.write() as session:
        session.add(
            GoalCheckIn(
                id="x",
                goal_id=goal.id,
                mentorship_id=mine.id,
                tenant="globex",
                rater="mentee",
                rating=3,
                created_at=dt.datetime.now(dt.UTC),
            )
        )
