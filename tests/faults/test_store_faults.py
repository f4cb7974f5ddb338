"""The Chroma server goes down under a running API, then comes back: reads go on from the vectors
already held, writes get 503 naming the store, then recovery on the same port and folder without
restarting the app, with nothing lost."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from companion.config import Settings
from companion.retrieval.retriever import EXACT_ALL_MAX
from tests.conftest import make_settings
from tests.faults.helpers import ChromaServer, problem

pytestmark = [
    pytest.mark.chroma_server,
    pytest.mark.skipif(shutil.which("chroma") is None, reason="the `chroma` CLI is not installed"),
]

CONTEXT = {
    "mentor": {"name": "Dana", "interests": ["chess"]},
    "mentee": {"name": "Priya", "role": "first-time founder", "goals": ["raise a seed round by June"]},
    "session": {"number": 2, "duration_minutes": 45, "focus": ["fundraising"]},
    "today": "2026-11-20",
}
NOTE = {"notes": [{"id": "outage-note", "text": "Rehearse the revenue slide with two founders before Friday."}]}


@pytest.fixture
def chroma(tmp_path: Path) -> Iterator[ChromaServer]:
    server = ChromaServer(tmp_path / "chroma-server")
    server.start()
    yield server
    server.stop()


def search(client: TestClient, query: str) -> list[tuple[str, str]]:
    response = client.get("/v1/search", params={"q": query, "k": 5})
    assert response.status_code == 200, response.text
    return [(hit["chunk_id"], hit["source"]) for hit in response.json()["results"]]


def test_chroma_server_down_then_back_without_restarting_the_app(
    chroma: ChromaServer, small_knowledge: Path, tmp_path: Path, app_client: Callable[[Settings], TestClient]
) -> None:
    settings = make_settings(
        tmp_path / "data",
        knowledge_dir=small_knowledge,
        chroma_url=chroma.url,
        chroma_collection="faults",
        rate_limit_per_minute=0,
    )
    client = app_client(settings)  # the first start indexes the small knowledge folder into the server
    store_name = f"Chroma server at {chroma.url}"
    assert client.get("/readyz").json() == {"status": "ready", "store": store_name}
    before = search(client, "hiking chess rapport")
    assert before and before[0][1] == "samples/guides/icebreakers.md"
    agenda = client.post("/v1/agenda", json=CONTEXT)
    assert agenda.status_code == 200, agenda.text
    vectors = client.app.state.companion.store.count()

    chroma.kill()

    # Reads go on from the vectors already held: a small index is scored in memory, and the
    # catalog (not Chroma) says which chunks exist, so nothing stale or missing is served.
    assert search(client, "hiking chess rapport") == before, "searches answer during the outage"
    during = client.post("/v1/agenda", json=CONTEXT)
    assert during.status_code == 200, during.text
    assert during.json()["items"] == agenda.json()["items"]
    # A write needs the store: refused in words, with a retry hint, and nothing half-written.
    response = client.post("/v1/knowledge/notes", json=NOTE)
    body = problem(response, 503)
    assert body["title"] == "Vector store unavailable"
    assert body["detail"].startswith(f"{store_name} failed to "), body["detail"]
    assert response.headers["retry-after"] == "5"
    # A search of an index too large to score in memory asks Chroma, and says the store is down.
    client.app.state.companion.retriever.exact_all_max = 0
    body = problem(client.get("/v1/search", params={"q": "hiking chess rapport"}), 503)
    assert body["title"] == "Vector store unavailable"
    client.app.state.companion.retriever.exact_all_max = EXACT_ALL_MAX
    ready = problem(client.get("/readyz"), 503)
    assert store_name in ready["detail"]
    assert client.get("/healthz").status_code == 200, "the process itself stays up"

    chroma.start()  # same port, same folder

    assert client.get("/readyz").json() == {"status": "ready", "store": store_name}
    assert search(client, "hiking chess rapport") == before, "the same results as before the outage"
    recovered = client.post("/v1/agenda", json=CONTEXT)
    assert recovered.status_code == 200, recovered.text
    assert recovered.json()["items"] == agenda.json()["items"], "the same agenda as before the outage"
    assert client.app.state.companion.store.count() == vectors, "no vector was lost or duplicated"

    # The note refused during the outage is stored when the client retries, and nothing of the
    # refused attempt is left behind (no half-written source).
    stored = client.post("/v1/knowledge/notes", json=NOTE)
    assert stored.status_code == 201, stored.text
    assert stored.json() == [{"source": "outage-note", "chunks": 1, "unchanged": False}]
    assert search(client, "rehearse revenue slide founders")[0][1] == "outage-note"
    catalog = client.app.state.companion.catalog
    assert catalog.counts()["pending_sources"] == 0
    assert client.app.state.companion.store.count() == vectors + 1
