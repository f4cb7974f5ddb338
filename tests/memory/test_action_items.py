"""Action items: done, reopened, overdue relative to a given day, and most urgent first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from companion.memory import MemoryRepository, NotFound
from companion.memory.schemas import MentorshipPublic, SessionCreate
from companion.schemas import ActionItem
from tests.memory.conftest import TODAY, Clock


@pytest.fixture
def mentorship(make_mentorship: Callable[..., MentorshipPublic]) -> MentorshipPublic:
    return make_mentorship()


def test_item_is_done_then_reopened(repository: MemoryRepository, mentorship: MentorshipPublic, clock: Clock) -> None:
    (item,) = repository.add_action_items("acme", mentorship.id, [ActionItem(text="Draft the proposal")])
    finished_at = clock.advance(hours=2)

    done = repository.set_action_item_done("acme", mentorship.id, item.id, True)
    assert (done.done, done.done_at) == (True, finished_at)
    assert repository.open_action_items("acme", mentorship.id) == []

    reopened = repository.set_action_item_done("acme", mentorship.id, item.id, False)
    assert (reopened.done, reopened.done_at) == (False, None)
    assert [i.id for i in repository.open_action_items("acme", mentorship.id)] == [item.id]


def test_marking_done_twice_keeps_the_first_completion_time(
    repository: MemoryRepository, mentorship: MentorshipPublic, clock: Clock
) -> None:
    (item,) = repository.add_action_items("acme", mentorship.id, [ActionItem(text="Read the book")])
    first = repository.set_action_item_done("acme", mentorship.id, item.id, True)
    clock.advance(days=1)

    again = repository.set_action_item_done("acme", mentorship.id, item.id, True)

    assert again.done_at == first.done_at


def test_item_created_done_records_when(
    repository: MemoryRepository, mentorship: MentorshipPublic, clock: Clock
) -> None:
    (item,) = repository.add_action_items("acme", mentorship.id, [ActionItem(text="Already sent", done=True)])

    assert (item.done, item.done_at) == (True, clock.now)


def test_item_of_another_mentorship_is_not_found(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    first = make_mentorship("acme", "mentor-ada", "mentee-bo")
    second = make_mentorship("acme", "mentor-ada", "mentee-cy")
    (item,) = repository.add_action_items("acme", first.id, [ActionItem(text="Mine")])

    with pytest.raises(NotFound, match="action item"):
        repository.set_action_item_done("acme", second.id, item.id, True)


def test_overdue_is_relative_to_today(repository: MemoryRepository, mentorship: MentorshipPublic) -> None:
    repository.add_action_items(
        "acme",
        mentorship.id,
        [
            ActionItem(text="Yesterday", due=TODAY - dt.timedelta(days=1)),
            ActionItem(text="Today", due=TODAY),
            ActionItem(text="Someday"),
        ],
    )

    now = repository.progress("acme", mentorship.id, TODAY).action_items
    later = repository.progress("acme", mentorship.id, TODAY + dt.timedelta(days=1)).action_items

    assert [i.text for i in now.overdue] == ["Yesterday"]
    assert [i.text for i in now.open] == ["Today", "Someday"]
    assert [i.text for i in later.overdue] == ["Yesterday", "Today"]
    assert [i.text for i in later.open] == ["Someday"]


def test_open_items_come_most_urgent_first_and_undated_last(
    repository: MemoryRepository, mentorship: MentorshipPublic
) -> None:
    repository.add_action_items(
        "acme",
        mentorship.id,
        [
            ActionItem(text="Undated A"),
            ActionItem(text="Later", due=TODAY + dt.timedelta(days=10)),
            ActionItem(text="Undated B"),
            ActionItem(text="Sooner", due=TODAY + dt.timedelta(days=1)),
        ],
    )

    assert [i.text for i in repository.open_action_items("acme", mentorship.id)] == [
        "Sooner",
        "Later",
        "Undated A",
        "Undated B",
    ]


def test_feedback_items_can_be_attached_to_a_stored_session(
    repository: MemoryRepository, mentorship: MentorshipPublic
) -> None:
    session = repository.add_session("acme", mentorship.id, SessionCreate(date=TODAY))

    repository.add_action_items(
        "acme", mentorship.id, [ActionItem(text="Share the draft", owner="mentee")], session_id=session.id
    )

    (listed,) = repository.list_sessions("acme", mentorship.id)
    assert [(i.text, i.owner, i.session_id) for i in listed.action_items] == [("Share the draft", "mentee", session.id)]
