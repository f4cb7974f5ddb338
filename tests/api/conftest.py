"""The real app over a copy of the indexed shipped knowledge, a real SQLite file and real Chroma."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from companion.config import Settings
from companion.memory.schemas import MentorshipCreate
from tests.conftest import LOCAL_BASE_URL, TEST_DATABASE_URL, make_settings, wait_until_indexed, wipe_database


@pytest.fixture
def api_settings(knowledge_data_dir: Path, tmp_path: Path) -> Settings:
    data_dir = tmp_path / "data"
    shutil.copytree(knowledge_data_dir, data_dir)
    overrides: dict[str, object] = {"rate_limit_per_minute": 0}
    if TEST_DATABASE_URL:
        wipe_database(TEST_DATABASE_URL)
        overrides["database_url"] = TEST_DATABASE_URL
    return make_settings(data_dir, **overrides)


@pytest.fixture
def make_client(embedder) -> Iterator[Callable[..., TestClient]]:
    """Build a TestClient (lifespan run) for given settings; closed at teardown."""
    clients: list[TestClient] = []

    def build(settings: Settings, **kwargs: Any) -> TestClient:
        kwargs.setdefault("local_mode", True)
        client = TestClient(
            create_app(settings, embedder=embedder, **kwargs), raise_server_exceptions=False, base_url=LOCAL_BASE_URL
        )
        client.__enter__()
        wait_until_indexed(client)
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(api_settings: Settings, make_client) -> TestClient:
    """Local mode: no keys exist, so requests act as the local admin."""
    return make_client(api_settings)


@pytest.fixture
def keys(client: TestClient) -> Callable[..., dict[str, str]]:
    """Create an API key through the same memory the app uses; returns Authorization headers."""

    def create(tenant: str, role: str, person: str | None = None) -> dict[str, str]:
        from companion.memory.schemas import KeyCreate

        created = client.app.state.companion.keys.create_key(
            tenant, KeyCreate(role=role, person_id=person, name="test")
        )
        return {"Authorization": f"Bearer {created.key}"}

    return create


@pytest.fixture
def people(client: TestClient, keys: Callable[..., dict[str, str]]) -> dict[str, Any]:
    """A mentorship in tenant acme (mentor Dana, mentee Priya) and keys for both."""
    mentorship = client.app.state.companion.memory.create_mentorship(
        "acme",
        MentorshipCreate.model_validate(
            {
                "mentor": {"person_id": "dana", "name": "Dana"},
                "mentee": {"person_id": "priya", "name": "Priya"},
                "goals": ["Raise a seed round by June"],
            }
        ),
    )
    return {
        "mentorship": mentorship,
        "mentor": keys("acme", "mentor", "dana"),
        "mentee": keys("acme", "mentee", "priya"),
    }
