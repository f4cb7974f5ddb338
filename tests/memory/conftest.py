"""Memory fixtures: a real database, migrated from empty for every test.

SQLite files in tmp_path by default; set COMPANION_TEST_DATABASE_URL (e.g. a throwaway
postgresql+psycopg://... database) to run the same tests against another server. That database
is wiped before and after each test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from companion.config import Settings
from companion.memory import ApiKeys, Database, MemoryRepository, upgrade_database
from companion.memory.schemas import MentorshipCreate, MentorshipPublic
from tests.conftest import TEST_DATABASE_URL, make_settings, wipe_database

TODAY = dt.date(2025, 3, 15)


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    if TEST_DATABASE_URL is None:
        yield f"sqlite:///{tmp_path / 'memory.sqlite3'}"
        return
    wipe_database(TEST_DATABASE_URL)
    yield TEST_DATABASE_URL
    wipe_database(TEST_DATABASE_URL)


@pytest.fixture
def memory_settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path / "data", database_url=database_url)


@pytest.fixture
def database(memory_settings: Settings) -> Iterator[Database]:
    upgrade_database(memory_settings)
    database = Database.from_settings(memory_settings)
    yield database
    database.dispose()


class Clock:
    """A settable clock, so timestamps in assertions are exact."""

    def __init__(self) -> None:
        self.now = dt.datetime(2025, 3, 15, 9, 30, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def repository(database: Database, clock: Clock) -> MemoryRepository:
    return MemoryRepository(database, clock=clock)


@pytest.fixture
def api_keys(database: Database, clock: Clock) -> ApiKeys:
    return ApiKeys(database, clock=clock)


def mentorship_request(mentor: str = "mentor-ada", mentee: str = "mentee-bo", **changes: object) -> MentorshipCreate:
    data: dict[str, object] = {
        "mentor": {"person_id": mentor, "name": "Ada", "expertise": ["engineering leadership"]},
        "mentee": {
            "person_id": mentee,
            "name": "Bo",
            "role": "senior engineer",
            "goals": ["Lead a cross-team project"],
            "interests": ["climbing"],
        },
        "goals": ["Become a staff engineer"],
    }
    data.update(changes)
    return MentorshipCreate.model_validate(data)


@pytest.fixture
def make_mentorship(repository: MemoryRepository) -> Callable[..., MentorshipPublic]:
    """Create a mentorship in a tenant (default `acme`) between two people."""

    def make(tenant: str = "acme", mentor: str = "mentor-ada", mentee: str = "mentee-bo") -> MentorshipPublic:
        return repository.create_mentorship(tenant, mentorship_request(mentor, mentee))

    return make
