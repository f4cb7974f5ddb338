"""The chunk catalog: a small SQLite file that is the source of truth for what is indexed.

Chroma holds the vectors and BM25 the lexical index; the catalog records every source and
chunk so that re-ingest can skip unchanged files, prune can find vanished ones, the BM25
index can be rebuilt without reading Chroma, and search results are materialised from one
place (a citation therefore always points at a chunk that exists).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from companion.retrieval.chunking import Chunk

SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    tenant TEXT NOT NULL,
    source TEXT NOT NULL,
    root TEXT NOT NULL,
    file_hash TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
    title TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT '',
    chunk_count INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL,
    PRIMARY KEY (tenant, source)
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    source TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    heading TEXT NOT NULL,
    text TEXT NOT NULL,
    meta TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_source ON chunks (tenant, source);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class SourceRecord:
    tenant: str
    source: str
    root: str
    file_hash: str
    state: str
    title: str
    kind: str
    chunk_count: int
    updated_at: float


@dataclass(frozen=True)
class ChunkRecord:
    """A catalogued chunk; `meta` is the flat metadata also stored in Chroma."""

    chunk_id: str
    tenant: str
    source: str
    ordinal: int
    content_hash: str
    title: str
    heading: str
    text: str
    meta: dict[str, Any]


class Catalog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One long-lived connection per thread (closing the last WAL connection checkpoints,
        which made per-call connections cost more than the writes); each use is one transaction."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        with db:
            yield db

    # -- sources -------------------------------------------------------------------------
    def sources(self, tenant: str | None = None) -> list[SourceRecord]:
        query = "SELECT * FROM sources"
        args: tuple[Any, ...] = ()
        if tenant is not None:
            query += " WHERE tenant = ?"
            args = (tenant,)
        with self._connect() as db:
            rows = db.execute(query + " ORDER BY tenant, source", args).fetchall()
        return [SourceRecord(*row) for row in rows]

    def find_source(self, source: str, root: str | None = None) -> list[SourceRecord]:
        """Every tenant's record of `source` (optionally only those ingested from `root`)."""
        query, args = "SELECT * FROM sources WHERE source = ?", [source]
        if root is not None:
            query += " AND root = ?"
            args.append(root)
        with self._connect() as db:
            return [SourceRecord(*row) for row in db.execute(query, args).fetchall()]

    def mark_pending(self, entries: Iterable[tuple[str, str, str]]) -> None:
        """Journal (tenant, source, root) as being rewritten, so a crash midway is redone next run."""
        now = time.time()
        with self._connect() as db:
            db.executemany(
                "INSERT INTO sources (tenant, source, root, file_hash, state, updated_at) "
                "VALUES (?, ?, ?, '', 'pending', ?) "
                "ON CONFLICT (tenant, source) DO UPDATE SET state = 'pending', root = excluded.root",
                [(t, s, r, now) for t, s, r in entries],
            )

    def chunk_ids(self, tenant: str, source: str) -> set[str]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT chunk_id FROM chunks WHERE tenant = ? AND source = ?", (tenant, source)
            ).fetchall()
        return {row[0] for row in rows}

    def replace_source(self, tenant: str, source: str, root: str, file_hash: str, chunks: list[Chunk]) -> None:
        """Atomically make `chunks` the whole content of the source and mark it done."""
        self.replace_sources([(tenant, source, root, file_hash, chunks)])

    def replace_sources(self, entries: list[tuple[str, str, str, str, list[Chunk]]]) -> None:
        """Replace many sources' chunks and mark them done, all in one transaction."""
        with self._connect() as db:
            for tenant, source, root, file_hash, chunks in entries:
                self._replace(db, tenant, source, root, file_hash, chunks)
            self._bump(db)

    @staticmethod
    def _replace(
        db: sqlite3.Connection, tenant: str, source: str, root: str, file_hash: str, chunks: list[Chunk]
    ) -> None:
        title = chunks[0].title if chunks else ""
        kind = chunks[0].kind if chunks else ""
        db.execute("DELETE FROM chunks WHERE tenant = ? AND source = ?", (tenant, source))
        db.executemany(
            "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    c.chunk_id,
                    c.tenant,
                    c.source,
                    c.ordinal,
                    c.content_hash,
                    c.title,
                    c.heading,
                    c.text,
                    json.dumps(c.metadata(), ensure_ascii=False),
                )
                for c in chunks
            ],
        )
        db.execute(
            "INSERT INTO sources VALUES (?, ?, ?, ?, 'done', ?, ?, ?, ?) "
            "ON CONFLICT (tenant, source) DO UPDATE SET root = excluded.root, "
            "file_hash = excluded.file_hash, state = 'done', title = excluded.title, "
            "kind = excluded.kind, chunk_count = excluded.chunk_count, updated_at = excluded.updated_at",
            (tenant, source, root, file_hash, title, kind, len(chunks), time.time()),
        )

    def remove_source(self, tenant: str, source: str) -> set[str]:
        """Delete a source and its chunks; returns the chunk ids that were removed."""
        with self._connect() as db:
            ids = {
                row[0]
                for row in db.execute("SELECT chunk_id FROM chunks WHERE tenant = ? AND source = ?", (tenant, source))
            }
            db.execute("DELETE FROM chunks WHERE tenant = ? AND source = ?", (tenant, source))
            db.execute("DELETE FROM sources WHERE tenant = ? AND source = ?", (tenant, source))
            self._bump(db)
        return ids

    def source_access(self, tenant: str) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
        """Per source of a tenant: the visibilities and authors of its chunks (to filter listings)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT source, json_extract(meta, '$.visibility'), json_extract(meta, '$.author') "
                "FROM chunks WHERE tenant = ?",
                (tenant,),
            ).fetchall()
        visibilities: dict[str, set[str]] = {}
        authors: dict[str, set[str]] = {}
        for source, visibility, author in rows:
            visibilities.setdefault(source, set()).add(visibility or "shared")
            authors.setdefault(source, set()).update([author] if author else [])
        return {s: (frozenset(v), frozenset(authors.get(s, ()))) for s, v in visibilities.items()}

    # -- chunks --------------------------------------------------------------------------
    def get_chunks(self, chunk_ids: list[str]) -> dict[str, ChunkRecord]:
        if not chunk_ids:
            return {}
        placeholders = ",".join("?" * len(chunk_ids))
        with self._connect() as db:
            rows = db.execute(f"SELECT * FROM chunks WHERE chunk_id IN ({placeholders})", chunk_ids).fetchall()
        return {row[0]: self._record(row) for row in rows}

    def iter_chunks(self) -> Iterator[ChunkRecord]:
        """Every chunk in a stable order (the order the BM25 index is built in)."""
        with self._connect() as db:
            for row in db.execute("SELECT * FROM chunks ORDER BY chunk_id"):
                yield self._record(row)

    def counts(self) -> dict[str, Any]:
        with self._connect() as db:
            sources = db.execute("SELECT COUNT(*) FROM sources WHERE state = 'done'").fetchone()[0]
            pending = db.execute("SELECT COUNT(*) FROM sources WHERE state = 'pending'").fetchone()[0]
            chunks = db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
            by_kind = dict(
                db.execute("SELECT json_extract(meta, '$.kind'), COUNT(*) FROM chunks GROUP BY 1 ORDER BY 1").fetchall()
            )
            by_tenant = {
                tenant: {"sources": n_sources, "chunks": n_chunks or 0}
                for tenant, n_sources, n_chunks in db.execute(
                    "SELECT tenant, COUNT(*), SUM(chunk_count) FROM sources GROUP BY tenant ORDER BY tenant"
                ).fetchall()
            }
        return {
            "sources": sources,
            "pending_sources": pending,
            "chunks": chunks,
            "by_kind": by_kind,
            "by_tenant": by_tenant,
        }

    # -- generation stamp ----------------------------------------------------------------
    def generation(self) -> int:
        """Bumped on every change, so derived indexes (BM25) can tell they are stale."""
        with self._connect() as db:
            row = db.execute("SELECT value FROM state WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    @staticmethod
    def _bump(db: sqlite3.Connection) -> None:
        db.execute(
            "INSERT INTO state VALUES ('generation', '1') "
            "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    @staticmethod
    def _record(row: tuple[Any, ...]) -> ChunkRecord:
        chunk_id, tenant, source, ordinal, content_hash, title, heading, text, meta = row
        return ChunkRecord(chunk_id, tenant, source, ordinal, content_hash, title, heading, text, json.loads(meta))
