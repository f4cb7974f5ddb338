"""Shared by the fault tests: real servers and CLI processes on loopback, and index snapshots."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from companion.config import Settings
from companion.retrieval.catalog import Catalog
from companion.retrieval.embeddings import embedding_model_id
from companion.retrieval.store import ChromaStore
from tests.servers import COMMAND, free_port, wait_for

PROBLEM = "application/problem+json"


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert an RFC 9457 problem response with this status; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM, response.headers
    body = response.json()
    assert body["status"] == status and body["detail"]
    return body  # type: ignore[no-any-return]


class ChromaServer:
    """A real `chroma run` on a fixed loopback port and folder, which a test can kill and restart."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = folder
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self, timeout: float = 60) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._log = open(self.folder / "server.log", "ab")  # noqa: SIM115 - closed in stop()
        command = ["chroma", "run", "--path", str(self.folder / "db"), "--host", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT)
        if not wait_for(self.answers, timeout, interval=0.2):
            self.stop()
            log = (self.folder / "server.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"chroma run did not answer on {self.url} within {timeout}s: {log}")

    def answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2):
                return True
        except OSError:
            return False

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill would; the port is closed once this returns."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=20)
        assert wait_for(lambda: not self.answers(), timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)
        if self._log is not None:
            self._log.close()
            self._log = None


# -- generated corpora -----------------------------------------------------------------------
_TOPICS = (
    "pitching",
    "hiring",
    "burnout",
    "promotion",
    "feedback",
    "fundraising",
    "delegation",
    "negotiation",
    "onboarding",
    "boundaries",
    "roadmaps",
    "pricing",
)
KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


def _vocabulary() -> list[str]:
    """Some 3,000 distinct words from the shipped knowledge, so generated chunks differ in meaning."""
    words = {w.lower() for p in KNOWLEDGE.rglob("*.md") for w in re.findall(r"[A-Za-z]{4,12}", p.read_text())}
    return sorted(words)


def write_corpus(folder: Path, files: int = 40, sections: int = 8, seed: int = 7) -> list[Path]:
    """Markdown files with distinct titles and sections: each section is its own random draw of
    words, so every chunk is unique and a dense search for its text finds it first."""
    rng = random.Random(seed)
    vocabulary = _vocabulary()
    written = []
    for number in range(files):
        topic = _TOPICS[number % len(_TOPICS)]
        lines = [
            "---",
            f"title: Field notes {number:02d} on {topic}",
            "kind: guide",
            "themes: [goals_and_progress]",
            "---",
            f"# Field notes {number:02d} on {topic}",
            "",
        ]
        for section in range(sections):
            body = " ".join(rng.sample(vocabulary, rng.randint(30, 45)))
            lines += [f"## Part {section} of note {number:02d}", "", f"Marker n{number}s{section}: {body}.", ""]
        path = folder / f"topic-{number % 5}" / f"note-{number:02d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines), encoding="utf-8")
        written.append(path)
    return written


# -- the CLI as a real process ---------------------------------------------------------------
def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COMPANION_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", COMPANION_DATA_DIR=str(data_dir), **extra)
    return env


# -- what is in an index -----------------------------------------------------------------------
@dataclass(frozen=True)
class IndexSnapshot:
    """Everything that makes up an index, read from disk after every writer has exited."""

    chunks: dict[str, str]
    """chunk id -> content hash, from the catalog."""
    chunk_rows: int
    sources: dict[str, tuple[str, int]]
    """source -> (state, chunk count)."""
    chroma_ids: frozenset[str]
    chroma_count: int
    bm25_ids: list[str]
    bm25_current: bool
    """The BM25 index is stamped with the catalog generation it was built from."""

    def assert_consistent(self) -> None:
        """Catalog == Chroma == BM25, with no duplicates and nothing pending."""
        assert self.chunk_rows == len(self.chunks), "duplicate chunk rows in the catalog"
        pending = sorted(s for s, (state, _) in self.sources.items() if state != "done")
        assert not pending, f"sources left pending: {pending}"
        assert sum(n for _, n in self.sources.values()) == len(self.chunks)
        assert self.chroma_count == len(self.chroma_ids) == len(self.chunks), (self.chroma_count, len(self.chunks))
        assert self.chroma_ids == frozenset(self.chunks), "Chroma and the catalog hold different ids"
        duplicates = [cid for cid, n in Counter(self.bm25_ids).items() if n > 1]
        assert not duplicates, f"BM25 documents indexed twice: {duplicates[:5]}"
        assert set(self.bm25_ids) == set(self.chunks), "BM25 and the catalog hold different ids"
        assert self.bm25_current, "the BM25 index is older than the catalog"


def snapshot(data_dir: Path) -> IndexSnapshot:
    """Read the catalog, the embedded Chroma store and the BM25 files of a data dir.

    Open each data dir's Chroma only once per test process, after the last writer exited:
    chromadb caches clients per path, and a cached client could predate another process's writes.
    """
    settings = Settings(_env_file=None, data_dir=data_dir)  # type: ignore[call-arg]
    catalog = Catalog(settings.catalog_path)
    records = list(catalog.iter_chunks())
    chunks = {r.chunk_id: r.content_hash for r in records}
    sources = {f"{r.tenant}/{r.source}": (r.state, r.chunk_count) for r in catalog.sources()}
    store = ChromaStore(settings, embedding_model_id(settings))
    chroma_ids = store.existing_ids(sorted(chunks))
    columns = json.loads((settings.lexical_dir / "columns.json").read_text(encoding="utf-8"))
    stamp = int((settings.lexical_dir / "generation").read_text())
    return IndexSnapshot(
        chunks=chunks,
        chunk_rows=len(records),
        sources=sources,
        chroma_ids=frozenset(chroma_ids),
        chroma_count=store.count(),
        bm25_ids=list(columns["chunk_ids"]),
        bm25_current=stamp == catalog.generation(),
    )


def pending_sources(data_dir: Path) -> int:
    """Sources journalled as being rewritten (read straight from the catalog file, if it exists yet)."""
    import sqlite3

    path = data_dir / "catalog.sqlite3"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as db:
            return int(db.execute("SELECT COUNT(*) FROM sources WHERE state = 'pending'").fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # the schema is being created


# -- `companion serve` as a real process (started by tests.servers.CompanionServer) -------------
def create_key(env: dict[str, str], tenant: str, role: str) -> str:
    """`companion keys create` as a real process (it migrates the database first); returns the key."""
    done = subprocess.run(
        [*COMMAND, "keys", "create", "--tenant", tenant, "--role", role, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return str(json.loads(done.stdout)["key"])


def request_count(metrics: str, method: str, route: str, status: int) -> int:
    pattern = (
        rf'^companion_http_request_duration_seconds_count\{{method="{method}",route="{re.escape(route)}",'
        rf'status="{status}"\}} (\d+)\.0$'
    )
    match = re.search(pattern, metrics, re.MULTILINE)
    return int(match.group(1)) if match else 0
