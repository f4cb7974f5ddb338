"""The first `companion serve` on a fresh data dir: it answers at once and indexes in the background.

A real server process, real Chroma, the real embedder. The test holds the data dir's writer lock
(as a `companion ingest` in another terminal would) so the indexing state lasts as long as the test
needs, whatever the machine's speed; then it lets go and waits for ready. Nothing asserts a time,
only the order of what was seen.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from companion.retrieval.indexer import ingest_lock
from tests.conftest import KNOWLEDGE, make_settings
from tests.retrieval.helpers import sample_folder
from tests.servers import CompanionServer, server_env, wait_for

pytestmark = pytest.mark.slow

PROBLEM = "application/problem+json"


def small_knowledge(folder: Path) -> Path:
    """The shipped agenda blocks plus four small sources: a knowledge folder that indexes in seconds."""
    (folder / "banks").mkdir(parents=True)
    shutil.copy(KNOWLEDGE / "banks" / "agenda-blocks.md", folder / "banks" / "agenda-blocks.md")
    sample_folder(folder / "samples")
    return folder


def start_fresh(tmp_path: Path, knowledge: Path) -> tuple[CompanionServer, Path]:
    data_dir = tmp_path / "data"
    settings = make_settings(data_dir, knowledge_dir=knowledge)
    env = server_env(data_dir, settings, COMPANION_LOG_LEVEL="INFO")
    return CompanionServer(tmp_path / "server", env), data_dir


def readyz(server: CompanionServer) -> httpx.Response:
    return httpx.get(f"{server.url}/readyz", timeout=30)


def test_a_fresh_server_answers_while_it_indexes_then_becomes_ready(tmp_path: Path) -> None:
    server, data_dir = start_fresh(tmp_path, small_knowledge(tmp_path / "knowledge"))
    with ingest_lock(data_dir, 0):  # another writer holds the index: the first index must wait
        server.start(wait_ready=False)
        try:
            assert httpx.get(f"{server.url}/healthz", timeout=30).status_code == 200

            waiting = readyz(server)
            assert waiting.status_code == 503
            assert waiting.headers["content-type"].startswith(PROBLEM)
            assert int(waiting.headers["retry-after"]) > 0
            body = waiting.json()
            assert body["detail"].startswith("Indexing the shipped knowledge")
            assert body["progress"]["state"] == "indexing"
            assert body["progress"]["files_total"] == 5 and body["progress"]["files_done"] == 0

            page = httpx.get(f"{server.url}/", timeout=30)
            assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
            assert "Indexing the shipped knowledge" in page.text and "of 5 files" in page.text
            assert 'http-equiv="refresh"' in page.text
            assert page.headers["content-security-policy"].startswith("default-src 'self'")  # a page like any other

            search = httpx.get(f"{server.url}/v1/search", params={"q": "hiking chess rapport"}, timeout=30)
            assert search.status_code == 503 and search.headers["content-type"].startswith(PROBLEM)
            assert int(search.headers["retry-after"]) > 0
            assert "Indexing the shipped knowledge" in search.json()["detail"]

            note = {"notes": [{"id": "early-note", "text": "Written while the knowledge was indexed."}]}
            refused = httpx.post(f"{server.url}/v1/knowledge/notes", json=note, timeout=30)
            assert refused.status_code == 503 and "Indexing the shipped knowledge" in refused.json()["detail"]

            # memory needs no index: a mentorship can be created while the knowledge is indexed
            created = httpx.post(
                f"{server.url}/v1/mentorships",
                json={"mentor": {"person_id": "dana", "name": "Dana"}, "mentee": {"person_id": "sam", "name": "Sam"}},
                timeout=30,
            )
            assert created.status_code == 201, created.text
        except BaseException:
            server.stop()
            raise
    try:
        assert wait_for(lambda: readyz(server).status_code == 200, timeout=300, interval=0.2), server.log_tail()
        found = httpx.get(f"{server.url}/v1/search", params={"q": "hiking chess rapport"}, timeout=30)
        assert found.status_code == 200
        assert found.json()["results"][0]["source"] == "samples/guides/icebreakers.md"
        assert httpx.get(f"{server.url}/", timeout=30).status_code == 200
    finally:
        server.stop()

    # a second start over the indexed data dir has nothing to index: its first answer is ready
    again = CompanionServer(tmp_path / "server-again", server.env)
    again.start(wait_ready=False)
    try:
        assert readyz(again).status_code == 200
    finally:
        again.stop()


def test_a_knowledge_file_that_cannot_be_indexed_leaves_the_server_up_and_readyz_says_why(tmp_path: Path) -> None:
    knowledge = small_knowledge(tmp_path / "knowledge")
    marker = "CONTENT-MARKER-5521"
    (knowledge / "samples" / "guides" / "broken.md").write_text(
        f"---\ntitle: Broken\nkind: guide\nthemes: [no_such_theme]\n---\n{marker} must never reach the log.\n"
    )
    server, _ = start_fresh(tmp_path, knowledge)
    server.start(wait_ready=False)
    try:
        seen = []

        def settled() -> bool:
            response = readyz(server)
            seen.append(response.status_code)
            return response.status_code == 503 and "progress" not in response.json()

        assert wait_for(settled, timeout=300, interval=0.2), server.log_tail()
        detail = readyz(server).json()["detail"]
        assert "could not be indexed" in detail and "broken.md" in detail and "no_such_theme" in detail
        assert httpx.get(f"{server.url}/healthz", timeout=30).status_code == 200
        # the other files are indexed and searchable
        found = httpx.get(f"{server.url}/v1/search", params={"q": "hiking chess rapport"}, timeout=30)
        assert found.status_code == 200 and found.json()["results"]
        assert 200 not in seen
    finally:
        server.stop()
    log = (server.folder / "server.log").read_text(errors="replace")
    assert "broken.md" in log and marker not in log
