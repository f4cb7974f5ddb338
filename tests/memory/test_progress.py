"""Progress: goals, grouped action items, sessions over time and the stored cadence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from companion.memory import MemoryRepository
from companion.memory.schemas import MentorshipPublic, MonthCount, SessionCreate
from companion.schemas import ActionItem, Cadence
from tests.memory.conftest import TODAY


def test_progress_counts_items_and_sessions_by_month(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    mentorship = make_mentorship()
    for day, items in (
        (dt.date(2024, 12, 3), [ActionItem(text="Old and overdue", due=dt.date(2025, 1, 1))]),
        (dt.date(2024, 12, 17), [ActionItem(text="Finished", done=True)]),
        (dt.date(2025, 2, 11), [ActionItem(text="Due soon", due=TODAY + dt.timedelta(days=3))]),
    ):
        repository.add_session("acme", mentorship.id, SessionCreate(date=day, action_items=items))

    progress = repository.progress("acme", mentorship.id, TODAY)

    assert progress.goals == ["Become a staff engineer", "Lead a cross-team project"]
    assert [i.text for i in progress.action_items.overdue] == ["Old and overdue"]
    assert [i.text for i in progress.action_items.open] == ["Due soon"]
    assert [i.text for i in progress.action_items.done] == ["Finished"]
    assert progress.sessions_total == 3
    assert progress.sessions_by_month == [
        MonthCount(month="2024-12", sessions=2, cumulative=2),
        MonthCount(month="2025-01", sessions=0, cumulative=2),
        MonthCount(month="2025-02", sessions=1, cumulative=3),
        MonthCount(month="2025-03", sessions=0, cumulative=3),
    ]
    assert progress.last_session_date == dt.date(2025, 2, 11)
    assert progress.next_session_number == 4


def test_progress_of_a_new_mentorship_is_empty(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    progress = repository.progress("acme", make_mentorship().id, TODAY)

    assert progress.sessions_total == 0
    assert progress.sessions_by_month == []
    assert progress.next_session_number == 1
    assert progress.cadence is None and progress.next_planned_session is None


def test_saved_cadence_shows_in_progress_with_the_next_planned_session(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    mentorship = make_mentorship()
    cadence = Cadence(
        frequency="every 2 weeks",
        session_minutes=60,
        meeting_day="Tuesday",
        sessions=[dt.date(2025, 3, 4), dt.date(2025, 3, 18), dt.date(2025, 4, 1)],
    )

    saved = repository.save_cadence("acme", mentorship.id, cadence)
    progress = repository.progress("acme", mentorship.id, TODAY)

    assert saved.cadence == cadence
    assert progress.cadence == cadence
    assert progress.next_planned_session == dt.date(2025, 3, 18)
