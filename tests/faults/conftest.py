"""Fixtures for the fault tests: a small knowledge folder and real apps built over it."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from companion.config import Settings
from companion.retrieval.embeddings import Embedder
from tests.conftest import KNOWLEDGE, LOCAL_BASE_URL, wait_until_indexed
from tests.retrieval.helpers import sample_folder


@pytest.fixture
def small_knowledge(tmp_path: Path) -> Path:
    """The shipped agenda blocks (all an agenda needs) plus four small sources; a fresh app indexes
    it on start in a few seconds, where the whole shipped knowledge takes close to a minute."""
    folder = tmp_path / "knowledge"
    (folder / "banks").mkdir(parents=True)
    shutil.copy(KNOWLEDGE / "banks" / "agenda-blocks.md", folder / "banks" / "agenda-blocks.md")
    sample_folder(folder / "samples")
    return folder


@pytest.fixture
def app_client(embedder: Embedder) -> Iterator[Callable[[Settings], TestClient]]:
    """Start the real app (lifespan included) for given settings, in local mode; closed at teardown."""
    clients: list[TestClient] = []

    def start(settings: Settings) -> TestClient:
        client = TestClient(
            create_app(settings, embedder=embedder, local_mode=True),
            raise_server_exceptions=False,
            base_url=LOCAL_BASE_URL,
        )
        client.__enter__()
        wait_until_indexed(client)
        clients.append(client)
        return client

    yield start
    for client in clients:
        client.__exit__(None, None, None)
