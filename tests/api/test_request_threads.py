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
