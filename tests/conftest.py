"""Shared fixtures: real embeddings (loaded once), real Chroma and SQLite in temporary folders."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from companion.config import Settings
from companion.retrieval.embeddings import Embedder, LocalEmbedder
from companion.service import Companion

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

REPO = Path(__file__).resolve().parent.parent
KNOWLEDGE = REPO / "knowledge"
CORPUS = REPO.parent / "shared" / "corpus"
# The scale-out path: .ci/run sets these to run the retrieval, memory and API suites again
# against a real `chroma run` server and a real PostgreSQL (read once, before tests clean the env).
TEST_CHROMA_URL = os.environ.get("COMPANION_TEST_CHROMA_URL")
TEST_DATABASE_URL = os.environ.get("COMPANION_TEST_DATABASE_URL")
LOCAL_BASE_URL = "http://127.0.0.1:8000"
"""Test clients talk to the app as a browser on the same machine would: local mode answers only loopback hosts."""


@pytest.fixture(scope="session")
def onnx_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ONNX export per test session, shared by every data dir and CLI process the tests start."""
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(autouse=True)
def _isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, onnx_cache_dir: Path
) -> None:
    """No test reads the developer's .env or writes to ./.companion."""
    for key in list(os.environ):
        if key.startswith("COMPANION_") and not key.startswith("COMPANION_TEST_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path_factory.mktemp("default-data")))
    monkeypatch.setenv("COMPANION_EMBEDDING_CACHE_DIR", str(onnx_cache_dir))
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real all-MiniLM-L6-v2, loaded once per test session."""
    return LocalEmbedder()


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings for a test data dir; with COMPANION_TEST_CHROMA_URL the vectors go to that server."""
    values: dict[str, object] = {"data_dir": data_dir, "knowledge_dir": KNOWLEDGE}
    if TEST_CHROMA_URL:
        values["chroma_url"] = TEST_CHROMA_URL
        values["chroma_collection"] = server_collection(data_dir)
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def server_collection(data_dir: Path) -> str:
    """One server collection per index: named in a file inside the data dir, so a copied data dir
    (catalog and BM25) keeps pointing at the vectors it was built with."""
    marker = data_dir / "test-collection.txt"
    if not marker.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        marker.write_text(f"t{uuid.uuid4().hex[:12]}")
    return marker.read_text().strip()


def wipe_database(url: str) -> None:
    """Drop every table, Alembic's version table included, so the next test starts from empty."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from companion.memory.db import create_database_engine
    from companion.memory.models import Base

    engine = create_database_engine(make_url(url))
    try:
        Base.metadata.drop_all(engine)
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        engine.dispose()


def wait_until_indexed(client: TestClient, timeout: float = 300) -> None:
    """A TestClient's app on a fresh data dir indexes its knowledge on a thread after start; tests
    that are not about that first start begin once it has settled (ready or failed)."""
    status = client.app.state.companion.index_status  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout
    while status.indexing and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not status.indexing, "the first index did not finish"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture
def companion(settings: Settings, embedder: Embedder) -> Companion:
    """A fresh, empty companion with its own data dir and the shared embedder."""
    return Companion(settings, embedder=embedder)


@pytest.fixture(scope="session")
def knowledge_data_dir(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """A data dir with the shipped knowledge indexed once per session (copy it before writing)."""
    data_dir = tmp_path_factory.mktemp("knowledge-index")
    report = Companion(make_settings(data_dir), embedder=embedder).ingest_shipped_knowledge()
    assert not report.failures, report.failures
    return data_dir


@pytest.fixture
def knowledge_companion(knowledge_data_dir: Path, embedder: Embedder) -> Companion:
    """A companion over the indexed shipped knowledge; read-only use (writes go to the shared index)."""
    return Companion(make_settings(knowledge_data_dir), embedder=embedder)


@pytest.fixture
def writable_knowledge_companion(knowledge_data_dir: Path, tmp_path: Path, embedder: Embedder) -> Iterator[Companion]:
    """A private copy of the indexed shipped knowledge that a test may change."""
    data_dir = tmp_path / "data"
    shutil.copytree(knowledge_data_dir, data_dir)
    yield Companion(make_settings(data_dir), embedder=embedder)


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, embedder: Embedder):
    """Run `companion ...` in-process with the session's embedder; returns (exit code, stdout, stderr)."""
    from typer.testing import CliRunner

    from companion import cli

    monkeypatch.setattr(cli, "build_companion", lambda: Companion(cli.load_settings(), embedder=embedder))

    def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
        runner = CliRunner()
        result = runner.invoke(cli.app, list(args), env=env, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return run
