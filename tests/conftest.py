"""Shared fixtures: real embeddings (loaded once), real Chroma and SQLite in temporary folders."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from companion.config import Settings
from companion.retrieval.embeddings import Embedder, LocalEmbedder
from companion.service import Companion

REPO = Path(__file__).resolve().parent.parent
KNOWLEDGE = REPO / "knowledge"
CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's .env or writes to ./.companion."""
    for key in list(os.environ):
        if key.startswith("COMPANION_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path_factory.mktemp("default-data")))
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real all-MiniLM-L6-v2, loaded once per test session."""
    return LocalEmbedder()


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"data_dir": data_dir, "knowledge_dir": KNOWLEDGE}
    chroma_url = os.environ.get("COMPANION_TEST_CHROMA_URL")
    if chroma_url:
        values["chroma_url"] = chroma_url
        values["chroma_collection"] = f"t{abs(hash(str(data_dir))) % 10**10}"
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


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
    if os.environ.get("COMPANION_TEST_CHROMA_URL"):
        pytest.skip("copying an index is only possible with the embedded store")
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
