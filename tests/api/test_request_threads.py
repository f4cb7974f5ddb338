"""The API's request threads: few when everything is in-process (CPU-bound under one GIL), many
when requests wait on a network (docs/benchmarks.md has the measurement behind the default)."""

from __future__ import annotations

import threading
import time

import anyio.to_thread
from fastapi.testclient import TestClient

from companion.config import IN_PROCESS_REQUEST_THREADS, NETWORK_REQUEST_THREADS, Settings


def _tokens(client: TestClient) -> int:
    assert client.portal is not None
    return int(client.portal.call(lambda: anyio.to_thread.current_default_thread_limiter().total_tokens))


def test_the_default_follows_whether_anything_waits_on_a_network(tmp_path) -> None:
    local = Settings(data_dir=tmp_path)
    assert local.in_process and local.request_thread_count == IN_PROCESS_REQUEST_THREADS
    for remote in (
        {"llm_provider": "openai"},
        {"embedding_provider": "openai"},
        {"chroma_url": "http://127.0.0.1:8000"},
        {"database_url": "postgresql://127.0.0.1/companion"},
    ):
        settings = Settings(data_dir=tmp_path, **remote)
        assert not settings.in_process, remote
        assert settings.request_thread_count == NETWORK_REQUEST_THREADS, remote
    assert Settings(data_dir=tmp_path, llm_provider="openai", request_threads=5).request_thread_count == 5


def test_the_app_runs_sync_work_on_that_many_threads(api_settings: Settings, make_client) -> None:
    client = make_client(api_settings)
    assert _tokens(client) == api_settings.request_thread_count

    chosen = make_client(api_settings.model_copy(update={"request_threads": 1}))
    assert _tokens(chosen) == 1
    # One thread: sync requests sent together are served one after another, and all of them are.
    running = 0
    most = 0
    lock = threading.Lock()
    original = anyio.to_thread.run_sync

    async def counting(func, *args, **kwargs):  # type: ignore[no-untyped-def]
        def wrapped(*a):  # type: ignore[no-untyped-def]
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            try:
                time.sleep(0.01)
                return func(*a)
            finally:
                with lock:
                    running -= 1

        return await original(wrapped, *args, **kwargs)

    anyio.to_thread.run_sync = counting  # type: ignore[assignment]
    try:
        statuses: list[int] = []
        threads = [
            threading.Thread(
                target=lambda: statuses.append(chosen.get("/v1/search", params={"q": "trust"}).status_code)
            )
            for _ in range(6)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        anyio.to_thread.run_sync = original  # type: ignore[assignment]
    assert statuses == [200] * 6
    assert most == 1


def test_memory_writes_run_on_their_own_lane_while_every_request_thread_is_busy(
    api_settings: Settings, make_client
) -> None:
    """A session write (and the key lookup before it) does not queue behind generation or search: with
    the one request thread held, the write completes, while a search waits for that thread."""
    client = make_client(api_settings.model_copy(update={"request_threads": 1}))
    assert client.portal is not None
    mentorship = client.post(
        "/v1/mentorships",
        json={"mentor": {"person_id": "dana", "name": "Dana"}, "mentee": {"person_id": "priya", "name": "Priya"}},
    )
    assert mentorship.status_code == 201, mentorship.text
    sessions = f"/v1/mentorships/{mentorship.json()['id']}/sessions"

    release = threading.Event()
    holding = threading.Event()

    def hold_the_request_thread() -> None:
        holding.set()
        release.wait(60)

    limiter = client.portal.call(anyio.to_thread.current_default_thread_limiter)
    client.portal.start_task_soon(anyio.to_thread.run_sync, hold_the_request_thread)
    assert holding.wait(10)
    searched: list[int] = []
    search = threading.Thread(
        target=lambda: searched.append(client.get("/v1/search", params={"q": "trust"}).status_code)
    )
    try:
        search.start()
        # the search is queued for the busy request thread...
        for _ in range(3000):  # up to 30 s on a loaded machine
            if client.portal.call(lambda: limiter.statistics().tasks_waiting) >= 1:
                break
            time.sleep(0.01)
        assert client.portal.call(lambda: limiter.statistics().tasks_waiting) >= 1
        # ...and a write is served all the same, on the write lane
        written = client.post(
            sessions, json={"date": "2026-11-25", "notes": [{"text": "lane", "visibility": "shared"}]}
        )
        assert written.status_code == 201, written.text
        assert searched == []
    finally:
        release.set()
        search.join(60)
    assert searched == [200]
    assert [s["id"] for s in client.get(sessions).json()] == [written.json()["id"]]


def test_every_write_and_bulk_job_is_on_a_laned_route(api_settings: Settings, make_client) -> None:
    """`@memory_write` and `@bulk_work` only set the lane when their route is a LanedRoute (which sets it
    before the key lookup); enumerate the app so a new one on a plain router cannot slip through."""
    from fastapi.routing import APIRoute

    from api.lanes import BULK_LANE, WRITE_LANE, LanedRoute, lane_of
    from tests.api.test_isolation_matrix import route_contexts

    app = make_client(api_settings).app
    writes, bulk = {}, {}
    for context in route_contexts(app):
        route = getattr(context, "original_route", context)
        path = getattr(context, "path_format", None) or context.path
        if isinstance(route, APIRoute) and lane_of(route) == WRITE_LANE:
            writes[path] = route
        elif isinstance(route, APIRoute) and lane_of(route) == BULK_LANE:
            bulk[path] = route
    assert {"/v1/mentorships/{mentorship_id}/sessions", "/mentorships/{mentorship_id}/action-items/{item_id}"} <= set(
        writes
    )
    assert {"/v1/knowledge/notes", "/v1/knowledge/files", "/v1/matches/cohort", "/matches/cohort"} <= set(bulk)
    writes.update(bulk)
    assert all(isinstance(r, LanedRoute) for r in writes.values()), [
        p for p, r in writes.items() if not isinstance(r, LanedRoute)
    ]
    assert all(not ({"GET", "HEAD"} & r.methods) for r in writes.values())


def test_bulk_work_waits_on_its_own_lane_and_leaves_the_request_thread_free(
    api_settings: Settings, make_client
) -> None:
    """An upload being embedded (here: its lane held) does not hold up search; the upload itself is
    served once its lane is free, and it is stored once."""
    client = make_client(api_settings)
    assert client.portal is not None
    bulk = client.app.state.lanes["bulk"]
    release = threading.Event()
    held = threading.Semaphore(0)

    def hold_a_bulk_thread() -> None:
        held.release()
        release.wait(60)

    # every thread of the lane: one in-process, more when a database or Chroma server is remote
    tokens = int(client.portal.call(lambda: bulk.total_tokens))
    for _ in range(tokens):
        client.portal.start_task_soon(lambda: anyio.to_thread.run_sync(hold_a_bulk_thread, limiter=bulk))
    for _ in range(tokens):
        assert held.acquire(timeout=10)
    uploaded: list[int] = []
    upload = threading.Thread(
        target=lambda: uploaded.append(
            client.post(
                "/v1/knowledge/files", files={"file": ("lane-notes.md", b"# Lanes\n\nA note on pacing a session.\n")}
            ).status_code
        )
    )
    try:
        upload.start()
        for _ in range(3000):  # up to 30 s on a loaded machine
            if client.portal.call(lambda: bulk.statistics().tasks_waiting) >= 1:
                break
            time.sleep(0.01)
        assert client.portal.call(lambda: bulk.statistics().tasks_waiting) >= 1, "the upload waits for its lane"
        assert client.get("/v1/search", params={"q": "trust"}).status_code == 200
        assert uploaded == []
    finally:
        release.set()
        upload.join(60)
    assert uploaded == [201]
    sources = [s["source"] for s in client.get("/v1/knowledge").json()]
    assert sources.count("lane-notes.md") == 1, sources
