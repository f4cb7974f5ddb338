"""The memory database locked or gone under a running API: 503 problem+json naming the database
(never 500), and the same requests succeed once it is back, with nothing lost or half-written."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from companion.config import Settings
from companion.memory.db import SQLITE_BUSY_TIMEOUT_MS
from tests.conftest import make_settings
from tests.faults.helpers import problem
from tests.servers import free_port

MENTORSHIP = {
    "mentor": {"name": "Dana", "person_id": "dana"},
    "mentee": {"name": "Priya", "person_id": "priya", "goals": ["raise a seed round by June"]},
}


def session_body(marker: str) -> dict[str, object]:
    return {
        "date": "2026-11-03",
        "notes": [{"text": f"{marker}: rehearsed the revenue slide", "visibility": "shared"}],
        "action_items": [{"text": f"{marker}: send the investor list", "owner": "mentee"}],
    }


@contextmanager
def exclusive_lock(database: Path) -> Iterator[sqlite3.Connection]:
    """A second connection holding SQLite's write lock (BEGIN EXCLUSIVE), as another process's writer would."""
    with closing(sqlite3.connect(database, isolation_level=None, timeout=0, check_same_thread=False)) as holder:
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield holder
        finally:
            if holder.in_transaction:
                holder.execute("ROLLBACK")


@pytest.fixture
def memory_settings(tmp_path: Path, small_knowledge: Path) -> Settings:
    return make_settings(tmp_path / "data", knowledge_dir=small_knowledge, rate_limit_per_minute=0)


def sessions_of(client: TestClient, mentorship_id: str) -> list[dict[str, object]]:
    response = client.get(f"/v1/mentorships/{mentorship_id}/sessions")
    assert response.status_code == 200, response.text
    sessions: list[dict[str, object]] = response.json()
    return sessions


def test_a_locked_database_answers_503_then_the_same_write_succeeds(
    memory_settings: Settings, app_client: Callable[[Settings], TestClient]
) -> None:
    client = app_client(memory_settings)
    mentorship_id = client.post("/v1/mentorships", json=MENTORSHIP).json()["id"]
    database = memory_settings.database_path
    busy_timeout = SQLITE_BUSY_TIMEOUT_MS / 1000

    # A lock shorter than the busy timeout: the write queues behind it and succeeds.
    with exclusive_lock(database) as holder:
        threading.Timer(1.0, holder.execute, args=("ROLLBACK",)).start()
        started = time.monotonic()
        queued = client.post(f"/v1/mentorships/{mentorship_id}/sessions", json=session_body("queued"))
        waited = time.monotonic() - started
    assert queued.status_code == 201, queued.text
    assert queued.json()["number"] == 1
    assert 0.8 <= waited < busy_timeout

    # A lock that outlasts the busy timeout: 503 naming the database, after about that timeout.
    with exclusive_lock(database):
        assert client.get(f"/v1/mentorships/{mentorship_id}").status_code == 200, "reads go on (WAL)"
        started = time.monotonic()
        refused = client.post(f"/v1/mentorships/{mentorship_id}/sessions", json=session_body("retried"))
        waited = time.monotonic() - started
    body = problem(refused, 503)
    assert body["title"] == "Database unavailable"
    assert f"database sqlite:///{database}" in body["detail"] and "database is locked" in body["detail"]
    assert refused.headers["retry-after"] == "5"
    assert busy_timeout - 0.5 <= waited < busy_timeout + 10

    retried = client.post(f"/v1/mentorships/{mentorship_id}/sessions", json=session_body("retried"))
    assert retried.status_code == 201, retried.text
    assert retried.json()["number"] == 2, "the refused attempt left no session behind"
    stored = sessions_of(client, mentorship_id)
    assert [s["number"] for s in stored] == [1, 2]
    assert [n["text"] for s in stored for n in s["notes"]] == [  # type: ignore[attr-defined]
        "queued: rehearsed the revenue slide",
        "retried: rehearsed the revenue slide",
    ]
    progress = client.get(f"/v1/mentorships/{mentorship_id}/progress").json()
    assert progress["sessions_total"] == 2
    assert sorted(item["text"] for item in progress["action_items"]["open"]) == [
        "queued: send the investor list",
        "retried: send the investor list",
    ]


def test_a_vanished_database_answers_503_then_recovers_when_it_is_restored(
    tmp_path: Path, small_knowledge: Path, app_client: Callable[[Settings], TestClient]
) -> None:
    """The database's folder disappears (a volume unmounted, a clean-up gone wrong) and comes back.

    Without care, pooled SQLite connections keep writing to the deleted file and the API answers
    201 for writes that nobody will ever read again."""
    folder = tmp_path / "volume"
    database = folder / "memory.sqlite3"
    settings = make_settings(
        tmp_path / "data",
        knowledge_dir=small_knowledge,
        database_url=f"sqlite:///{database}",
        rate_limit_per_minute=0,
    )
    client = app_client(settings)
    mentorship_id = client.post("/v1/mentorships", json=MENTORSHIP).json()["id"]
    first = client.post(f"/v1/mentorships/{mentorship_id}/sessions", json=session_body("before"))
    assert first.status_code == 201, first.text
    backup = tmp_path / "backup.sqlite3"
    with closing(sqlite3.connect(database)) as source, closing(sqlite3.connect(backup)) as copy:
        source.backup(copy)

    shutil.rmtree(folder)

    for response in (
        client.post(f"/v1/mentorships/{mentorship_id}/sessions", json=session_body("during")),
        client.get(f"/v1/mentorships/{mentorship_id}/sessions"),
        client.get("/v1/mentorships"),
        client.post("/v1/mentorships", json=MENTORSHIP),
    ):
        body = problem(response, 503)
        assert body["title"] == "Database unavailable"
        assert f"database sqlite:///{database}" in body["detail"], body["detail"]
    ready = problem(client.get("/readyz"), 503)
    assert "database" in ready["detail"]
    assert client.get("/healthz").status_code == 200
    assert not folder.exists(), "the API must not quietly create an empty database in its place"

    folder.mkdir()
    shutil.copy(backup, database)

    assert client.get("/readyz").status_code == 200
    again = client.post(f"/v1/mentorships/{mentorship_id}/sessions", json=session_body("after"))
    assert again.status_code == 201, again.text
    assert again.json()["number"] == 2
    stored = sessions_of(client, mentorship_id)
    assert [n["text"] for s in stored for n in s["notes"]] == [  # type: ignore[attr-defined]
        "before: rehearsed the revenue slide",
        "after: rehearsed the revenue slide",
    ]
    assert len(client.get("/v1/mentorships").json()) == 1, "nothing from the outage was half-written"


def test_a_database_unreachable_at_start_answers_503_until_it_appears(
    tmp_path: Path, small_knowledge: Path, app_client: Callable[[Settings], TestClient]
) -> None:
    """The app starts while its database cannot be opened (a file sits where its folder should be),
    says so on /readyz and on every endpoint that needs memory, and migrates it once it can."""
    volume = tmp_path / "volume"
    volume.write_text("not a folder")
    database = volume / "memory.sqlite3"
    settings = make_settings(
        tmp_path / "data",
        knowledge_dir=small_knowledge,
        database_url=f"sqlite:///{database}",
        rate_limit_per_minute=0,
    )
    client = app_client(settings)

    assert "database" in problem(client.get("/readyz"), 503)["detail"]
    for response in (
        client.get("/v1/mentorships"),
        client.post("/v1/mentorships", json=MENTORSHIP),
        client.get("/v1/search", params={"q": "trust"}),  # API keys live in the database
    ):
        body = problem(response, 503)
        assert body["title"] == "Database unavailable"
        assert f"database sqlite:///{database}" in body["detail"], body["detail"]
    assert client.get("/healthz").status_code == 200

    volume.unlink()
    volume.mkdir()

    created = client.post("/v1/mentorships", json=MENTORSHIP)
    assert created.status_code == 201, created.text
    assert client.get("/readyz").status_code == 200
    assert [m["id"] for m in client.get("/v1/mentorships").json()] == [created.json()["id"]]
    assert client.get("/v1/search", params={"q": "trust"}).status_code == 200


def test_an_unreachable_postgresql_answers_503_never_500(
    tmp_path: Path, small_knowledge: Path, app_client: Callable[[Settings], TestClient]
) -> None:
    """COMPANION_DATABASE_URL at a closed loopback port: 503 naming the database, never its password."""
    pytest.importorskip("psycopg", reason="the PostgreSQL driver (extra `postgres`) is not installed")
    port = free_port()  # nothing listens there once the probe socket is closed
    settings = make_settings(
        tmp_path / "data",
        knowledge_dir=small_knowledge,
        database_url=f"postgresql+psycopg://u:secret-pw@127.0.0.1:{port}/x",
        rate_limit_per_minute=0,
    )
    client = app_client(settings)

    ready = problem(client.get("/readyz"), 503)
    assert "database" in ready["detail"]
    responses = [
        client.get("/v1/mentorships"),
        client.post("/v1/mentorships", json=MENTORSHIP),
        client.get("/v1/mentorships/any-id/sessions"),
        client.post("/v1/agenda", json={"mentorship_id": "any-id"}),
    ]
    for response in responses:
        body = problem(response, 503)
        assert f"postgresql+psycopg://u:***@127.0.0.1:{port}/x" in body["detail"], body["detail"]
    assert all("secret-pw" not in r.text for r in [*responses, client.get("/readyz")])
    assert client.get("/healthz").status_code == 200
