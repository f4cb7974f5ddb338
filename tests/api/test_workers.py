"""`companion serve --workers 2` over one data dir, one vector store and one database: what a
request writes through one worker, the next request reads through either.

The vector store is a Chroma server: COMPANION_TEST_CHROMA_URL's when set, else one started
here. The embedded store cannot be shared by processes: a worker's Chroma client does not see
another process's writes, so its searches would miss them. The memory
database is COMPANION_TEST_DATABASE_URL's PostgreSQL when set, else SQLite in the data dir.
Each worker keeps its own /metrics; `companion_process_info{pid}` says which one answered, which
is how these tests show that both workers served the requests they check.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from companion.retrieval.catalog import Catalog
from tests.conftest import KNOWLEDGE, TEST_CHROMA_URL, TEST_DATABASE_URL, make_settings, wipe_database
from tests.faults.helpers import ChromaServer, cli_env, create_key, request_count
from tests.retrieval.helpers import sample_folder
from tests.servers import CompanionServer, metrics_by_process

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not TEST_CHROMA_URL and shutil.which("chroma") is None, reason="the `chroma` CLI is not installed"
    ),
]

SESSIONS_ROUTE = "/v1/mentorships/{mentorship_id}/sessions"
WRITES = 24
READS = 16


@dataclass
class Served:
    url: str
    headers: dict[str, str]
    data_dir: Path

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request on a new connection, so that any worker may take it."""
        headers = {**self.headers, "Connection": "close"}
        return httpx.request(method, f"{self.url}{path}", headers=headers, timeout=60, **kwargs)


def shared_env(tmp: Path, chroma_url: str) -> dict[str, str]:
    """The environment of every process: one data dir, one Chroma collection, one database."""
    knowledge = tmp / "knowledge"
    (knowledge / "banks").mkdir(parents=True)
    shutil.copy(KNOWLEDGE / "banks" / "agenda-blocks.md", knowledge / "banks" / "agenda-blocks.md")
    sample_folder(knowledge / "samples")
    data_dir = tmp / "data"
    settings = make_settings(data_dir, knowledge_dir=knowledge)
    extra = {
        "COMPANION_KNOWLEDGE_DIR": str(knowledge),
        "COMPANION_CHROMA_URL": settings.chroma_url or chroma_url,
        "COMPANION_CHROMA_COLLECTION": settings.chroma_collection,
        "COMPANION_RATE_LIMIT_PER_MINUTE": "0",
        "COMPANION_LOG_LEVEL": "WARNING",
    }
    if TEST_DATABASE_URL:
        wipe_database(TEST_DATABASE_URL)
        extra["COMPANION_DATABASE_URL"] = TEST_DATABASE_URL
    return cli_env(data_dir, **extra)


@contextmanager
def chroma_for_workers(folder: Path) -> Iterator[str]:
    """COMPANION_TEST_CHROMA_URL, else a Chroma server started in `folder` for the duration."""
    if TEST_CHROMA_URL:
        yield TEST_CHROMA_URL
        return
    server = ChromaServer(folder)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with chroma_for_workers(tmp_path_factory.mktemp("workers-chroma")) as url:
        yield url


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, chroma_url: str) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("workers")
    env = shared_env(tmp, chroma_url)
    key = create_key(env, "acme", "admin")
    # Both workers start on an empty index: one indexes the knowledge, the other waits its turn on
    # the ingest lock and then finds every file unchanged.
    server = CompanionServer(tmp / "server", env, workers=2)
    server.start()
    yield Served(server.url, {"Authorization": f"Bearer {key}"}, Path(env["COMPANION_DATA_DIR"]))
    server.stop()


def in_parallel(count: int, call: Callable[[int], httpx.Response], threads: int = 6) -> list[httpx.Response]:
    """`call(0..count-1)` from several threads at once (new connections spread over the workers)."""
    responses: list[httpx.Response | None] = [None] * count
    indexes = iter(range(count))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                index = next(indexes, None)
            if index is None:
                return
            responses[index] = call(index)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert all(r is not None for r in responses), "a request thread did not finish"
    return [r for r in responses if r is not None]


def per_worker(url: str, method: str, route: str, status: int) -> dict[int, int]:
    """How many such requests each worker answered, from each worker's own /metrics."""
    scraped = metrics_by_process(url)
    assert len(scraped) == 2, f"only workers {sorted(scraped)} answered /metrics"
    return {pid: request_count(text, method, route, status) for pid, text in scraped.items()}


def test_sessions_written_through_both_workers_are_read_back_whole_by_both(served: Served) -> None:
    created = served.call(
        "POST",
        "/v1/mentorships",
        json={
            "mentor": {"person_id": "dana", "name": "Dana"},
            "mentee": {"person_id": "priya", "name": "Priya", "goals": ["raise a seed round by June"]},
        },
    )
    assert created.status_code == 201, created.text
    mentorship = created.json()["id"]
    path = f"/v1/mentorships/{mentorship}/sessions"
    before = per_worker(served.url, "POST", SESSIONS_ROUTE, 201)

    writes = in_parallel(
        WRITES,
        lambda i: served.call(
            "POST",
            path,
            json={
                "date": "2026-11-25",
                "notes": [{"text": f"worker note {i}", "visibility": "shared"}],
                "action_items": [{"text": f"item {i}", "owner": "mentee"}],
            },
        ),
    )
    assert [w.status_code for w in writes] == [201] * WRITES, [w.text for w in writes if w.status_code != 201]
    # Numbers are given under a lock on the mentorship row, whichever worker wrote.
    assert sorted(w.json()["number"] for w in writes) == list(range(1, WRITES + 1))

    expected = {f"worker note {i}" for i in range(WRITES)}
    for read in in_parallel(READS, lambda _: served.call("GET", path)):
        assert read.status_code == 200, read.text
        sessions = read.json()
        assert len(sessions) == WRITES
        assert {note["text"] for s in sessions for note in s["notes"]} == expected
    progress = served.call("GET", f"/v1/mentorships/{mentorship}/progress")
    assert progress.status_code == 200, progress.text

    after = per_worker(served.url, "POST", SESSIONS_ROUTE, 201)
    wrote = {pid: after[pid] - before.get(pid, 0) for pid in after}
    assert sum(wrote.values()) == WRITES
    assert all(count > 0 for count in wrote.values()), f"one worker took every write: {wrote}"
    reads = per_worker(served.url, "GET", SESSIONS_ROUTE, 200)
    assert all(count > 0 for count in reads.values()), f"one worker took every read: {reads}"


def test_a_note_written_through_one_worker_is_found_and_then_forgotten_by_both(served: Served) -> None:
    token = "Zephyrquill"
    note = {"id": "workers-note", "text": f"{token}: open every session with a two-minute energy check."}
    search = {"q": f"{token} energy check", "k": 10}

    def sources(response: httpx.Response) -> list[str]:
        assert response.status_code == 200, response.text
        return [hit["source"] for hit in response.json()["results"]]

    before = per_worker(served.url, "GET", "/v1/search", 200)
    # Both workers search first, so each holds the index as it was before the write.
    unknown = in_parallel(READS, lambda _: served.call("GET", "/v1/search", params=search))
    assert all("workers-note" not in sources(r) for r in unknown)

    written = served.call("POST", "/v1/knowledge/notes", json={"notes": [note]})
    assert written.status_code == 201, written.text
    # The writer rebuilt the BM25 index before answering, stamped with the catalog generation;
    # the other worker sees the generation move on and loads that index instead of its own.
    catalog = Catalog(served.data_dir / "catalog.sqlite3")
    assert int((served.data_dir / "bm25" / "generation").read_text()) == catalog.generation()

    found = in_parallel(READS, lambda _: served.call("GET", "/v1/search", params=search))
    assert all("workers-note" in sources(r) for r in found)

    forgotten = served.call("DELETE", "/v1/knowledge/workers-note")
    assert forgotten.status_code in (200, 204), forgotten.text
    gone = in_parallel(READS, lambda _: served.call("GET", "/v1/search", params=search))
    assert all("workers-note" not in sources(r) for r in gone)

    after = per_worker(served.url, "GET", "/v1/search", 200)
    searched = {pid: after[pid] - before.get(pid, 0) for pid in after}
    assert sum(searched.values()) == 3 * READS
    assert all(count > 0 for count in searched.values()), f"one worker took every search: {searched}"
