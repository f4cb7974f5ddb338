"""Sessions: numbered per mentorship without gaps or duplicates, even under concurrent writers."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from companion.memory import Database, MemoryRepository
from companion.memory.schemas import MentorshipPublic, SessionCreate
from companion.schemas import Agenda, AgendaItem, GeneratorInfo
from tests.memory.conftest import TODAY


def test_sessions_are_numbered_per_mentorship(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    first = make_mentorship("acme", "mentor-ada", "mentee-bo")
    second = make_mentorship("acme", "mentor-ada", "mentee-cy")

    numbers = [repository.add_session("acme", first.id, SessionCreate(date=TODAY)).number for _ in range(3)]
    other = repository.add_session("acme", second.id, SessionCreate(date=TODAY)).number

    assert numbers == [1, 2, 3]
    assert other == 1
    assert [s.number for s in repository.list_sessions("acme", first.id)] == [1, 2, 3]


def test_session_keeps_the_agenda_and_icebreakers_it_was_given(
    repository: MemoryRepository, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    mentorship = make_mentorship()
    agenda = Agenda(
        generator=GeneratorInfo(provider="offline", model="composer", prompt_version="agenda/1"),
        items=[AgendaItem(title="Check-in", minutes=10, purpose="Arrive", prompts=["How are you?"])],
        total_minutes=10,
    )

    repository.add_session(
        "acme", mentorship.id, SessionCreate(date=TODAY, agenda=agenda, icebreakers_asked=["How are you?"])
    )

    (stored,) = repository.list_sessions("acme", mentorship.id)
    assert stored.agenda == agenda
    assert stored.icebreakers_asked == ["How are you?"]
    assert stored.date == TODAY


@pytest.mark.parametrize("shared_engine", [True, False], ids=["threads-one-engine", "workers-own-engines"])
def test_concurrent_writers_get_distinct_consecutive_numbers(
    shared_engine: bool, database_url: str, database: Database, make_mentorship: Callable[..., MentorshipPublic]
) -> None:
    mentorship = make_mentorship()
    writers = 6
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write_session() -> None:
        worker_database = database if shared_engine else Database(database_url)
        try:
            start.wait()
            MemoryRepository(worker_database).add_session("acme", mentorship.id, SessionCreate(date=TODAY))
        except BaseException as exc:
            errors.append(exc)
        finally:
            if worker_database is not database:
                worker_database.dispose()

    threads = [threading.Thread(target=write_session) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    numbers = [s.number for s in MemoryRepository(database).list_sessions("acme", mentorship.id)]
    assert numbers == list(range(1, writers + 1))
