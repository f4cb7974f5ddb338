"""The service facade: the one place the CLI and the API call into. No feature lives only in one of them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from companion import access
from companion import vocabulary as vocab
from companion.access import Caller
from companion.config import Settings
from companion.first_start import IndexStatus, KnowledgeIndexing
from companion.generation.base import Audience, Generator
from companion.retrieval.catalog import Catalog, SourceRecord
from companion.retrieval.chunking import Chunker
from companion.retrieval.embeddings import Embedder, create_embedder, embedding_model_id
from companion.retrieval.indexer import (
    Indexer,
    IngestReport,
    NotIndexed,
    ProgressCallback,
    SourceConflict,
    ingest_lock,
    no_progress,
)
from companion.retrieval.lexical import LexicalIndex
from companion.retrieval.retriever import Retriever, SearchFilters, SearchResult, TenantRequired
from companion.retrieval.store import ChromaStore
from companion.schemas import MentoringContext, _Output

if TYPE_CHECKING:
    from companion.generation import pipeline
    from companion.memory import ApiKeys, Database, MemoryRepository
    from companion.memory.people import PeopleRepository
    from companion.mentoring import Mentoring
    from companion.people import People

log = logging.getLogger("companion.service")

KNOWLEDGE_EXCLUDE = frozenset({"README.md"})
"""The shipped knowledge folder's own README documents the format; it is not knowledge."""


REQUEST_LOCK_WAIT = 20.0
"""Seconds a caller's write waits for the data dir's writer lock before it is refused as busy."""


@dataclass(frozen=True)
class SearchResponse:
    query: str
    results: list[SearchResult]

    def public(self) -> dict[str, Any]:
        return {"query": self.query, "results": [r.public() for r in self.results]}


class Companion:
    """Builds each component once, lazily, from explicit settings."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self.index_status = IndexStatus()
        """The first index of the shipped knowledge (ready unless a server is building it in the background)."""

    # -- components ----------------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = create_embedder(self.settings)
        return self._embedder

    def load_models(self) -> None:
        """Load the embedding model and open the store now, so the first request does not pay for it."""
        _ = self.embedder.dimension
        _ = self.store

    @cached_property
    def database(self) -> Database:
        """The memory database (SQLite under the data dir, or COMPANION_DATABASE_URL)."""
        from companion.memory import Database

        return Database.from_settings(self.settings)

    @cached_property
    def memory(self) -> MemoryRepository:
        from companion.memory import MemoryRepository

        return MemoryRepository(self.database)

    @cached_property
    def mentoring(self) -> Mentoring:
        """The mentorship use cases, each run for a caller under the access policy."""
        from companion.mentoring import Mentoring

        return Mentoring(self)

    @cached_property
    def people_store(self) -> PeopleRepository:
        from companion.memory.people import PeopleRepository

        return PeopleRepository(self.database)

    @cached_property
    def people(self) -> People:
        """Mentor and mentee records, suggested mentors and cohorts, each for a caller under the access policy."""
        from companion.people import People

        return People(self)

    @cached_property
    def generator(self) -> Generator:
        """Built once: an LLM generator negotiates its structured-output mode on first use and keeps it."""
        from companion.generation.providers import create_generator

        return create_generator(self.settings)

    @cached_property
    def keys(self) -> ApiKeys:
        from companion.memory import ApiKeys

        return ApiKeys(self.database)

    def upgrade_database(self) -> None:
        """Migrate the memory database to the newest revision (idempotent; safe with several workers)."""
        from companion.memory import upgrade_database

        upgrade_database(self.settings)

    def locked(
        self, on_wait: Callable[[str], None] | None = None, *, for_request: bool = False
    ) -> AbstractContextManager[None]:
        """The data dir's writer lock, taken before any store is opened. A caller's request (a note, a
        file, a delete) waits at most REQUEST_LOCK_WAIT seconds, then is refused as busy (503, retry),
        well inside an HTTP client's timeout; an ingest run waits the configured lock_timeout."""
        timeout = min(self.settings.lock_timeout, REQUEST_LOCK_WAIT) if for_request else self.settings.lock_timeout
        return ingest_lock(self.settings.data_dir, timeout, on_wait)

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog(self.settings.catalog_path)

    @cached_property
    def store(self) -> ChromaStore:
        return ChromaStore(self.settings, embedding_model_id(self.settings))

    @cached_property
    def lexical(self) -> LexicalIndex:
        return LexicalIndex(self.settings.lexical_dir, self.catalog, heading_field=self.settings.heading_weight > 0)

    @property
    def retriever(self) -> Retriever:
        """Search over the index; refused (KnowledgeIndexing) while the first index is being built."""
        self.index_status.require_ready()
        return self._retriever

    @cached_property
    def _retriever(self) -> Retriever:
        s = self.settings
        return Retriever(
            embedder=self.embedder,
            store=self.store,
            lexical=self.lexical,
            catalog=self.catalog,
            fusion=s.fusion,
            rrf_k=s.rrf_k,
            lexical_weight=s.lexical_weight,
            dense_weight=s.dense_weight,
            candidates=s.candidates,
            max_per_source=s.max_per_source,
            aggregation=s.aggregation,
            expansion_weight=s.expansion_weight,
            heading_weight=s.heading_weight,
        )

    @cached_property
    def indexer(self) -> Indexer:
        s = self.settings
        return Indexer(
            embed=lambda texts: self.embedder.embed(texts),
            model_id=embedding_model_id(self.settings),
            store=self.store,
            catalog=self.catalog,
            lexical=self.lexical,
            chunker=Chunker(s.chunk_size, s.chunk_overlap),
            max_file_bytes=int(s.max_file_mb * 1_000_000),
            embed_batch=max(s.embedding_batch_size, 256),
        )

    # -- knowledge -----------------------------------------------------------------------
    def ingest(
        self,
        paths: list[Path],
        *,
        tenant: str | None = None,
        prune: bool = False,
        progress: ProgressCallback | None = None,
        on_wait: Callable[[str], None] | None = None,
        exclude: frozenset[str] = frozenset(),
    ) -> IngestReport:
        with self.locked(on_wait):
            report = self.indexer.ingest(
                paths, tenant=tenant, prune=prune, progress=progress or no_progress, exclude=exclude
            )
        log.info(
            "ingest finished",
            extra={"files": report.files, "added": report.chunks_added, "failures": len(report.failures)},
        )
        return report

    def ingest_shipped_knowledge(
        self, *, progress: ProgressCallback | None = None, on_wait: Callable[[str], None] | None = None
    ) -> IngestReport:
        """Index the knowledge base we ship; its files name their own tenant (`global` or an example tenant)."""
        return self.ingest(
            [self.settings.resolved_knowledge_dir()],
            prune=True,
            progress=progress,
            on_wait=on_wait,
            exclude=KNOWLEDGE_EXCLUDE,
        )

    def forget(self, source: str, tenant: str | None = None) -> tuple[str, int]:
        with self.locked():
            return self.indexer.forget(source, tenant)

    def search(
        self,
        query: str,
        *,
        tenant: str = vocab.DEFAULT_TENANT,
        k: int | None = None,
        kinds: tuple[str, ...] = (),
        themes: tuple[str, ...] = (),
        stages: tuple[str, ...] = (),
        audiences: tuple[str, ...] = (),
        allow_private: bool = False,
        private_author: str | None = None,
        mode: str = "hybrid",
    ) -> SearchResponse:
        filters = SearchFilters(
            tenant=tenant,
            kinds=kinds,
            themes=themes,
            stages=stages,
            audiences=audiences,
            allow_private=allow_private,
            private_author=private_author,
        )
        results = self.retriever.search(query, filters, k or self.settings.search_k, mode=mode)
        return SearchResponse(query, results)

    def generate(self, task: str, context: MentoringContext, *, audience: Audience | None = None) -> _Output:
        """Retrieve for the task and generate its output; without an audience, no private note is used."""
        from companion.generation import pipeline

        chosen = audience or pipeline.default_audience(task)
        return pipeline.generate(task, context, self.retriever, self.generator, chosen)

    def add_document(
        self, *, data: bytes, name: str, source: str, tenant: str, author: str | None = None
    ) -> IngestReport:
        """Index one note or file into a tenant as the operator (as `author` if given)."""
        with self.locked():
            return self.indexer.index_document(data=data, name=name, source=source, tenant=tenant, author=author)

    def write_knowledge(
        self, caller: Caller, *, data: bytes, name: str, source: str, requested_author: str | None = None
    ) -> IngestReport:
        """Index a note or file a caller sends, under the access policy: a mentor writes as themself, a
        source belongs to its author (another author's write under its id is refused), and only an admin
        adds question banks or guides; anyone else's upload is stored as a note."""
        author = access.knowledge_author(caller, requested_author)
        self._refuse_while_indexing()
        with self.locked(for_request=True):
            existing = self.catalog.source_access(caller.tenant).get(source)
            if not access.may_replace_source(caller, author, existing[1] if existing else None):
                raise SourceConflict(
                    f"source {source!r} already exists in tenant {caller.tenant!r} and belongs to another author; "
                    "choose another id"
                )
            return self.indexer.index_document(
                data=data,
                name=name,
                source=source,
                tenant=caller.tenant,
                author=author,
                notes_only=not access.may_publish_banks(caller),
            )

    def delete_knowledge(self, caller: Caller, source: str) -> tuple[str, int]:
        """Forget one of the caller's tenant's sources; a mentor only their own."""
        access.require_role(caller, *access.KNOWLEDGE_WRITERS, what="delete knowledge")
        existing = self.catalog.source_access(caller.tenant).get(source)
        if existing is None or not self._may_list(caller, *existing):
            # Missing, or unseen (answered exactly like a missing one), without waiting for the writer lock.
            raise NotIndexed(f"no source {source!r} in tenant {caller.tenant!r}")
        if not access.may_delete_source(caller, existing[1]):
            raise access.Forbidden("a mentor can only delete their own notes")
        self._refuse_while_indexing()
        with self.locked(for_request=True):
            return self.indexer.forget(source, caller.tenant)

    def _refuse_while_indexing(self) -> None:
        """A caller's write would wait behind the first index's writer lock: say why at once instead."""
        progress = self.index_status.snapshot()
        if progress.state == "indexing":
            raise KnowledgeIndexing(f"{progress.words()} Knowledge can be added when it is done.")

    @staticmethod
    def _may_list(caller: Caller, visibilities: frozenset[str], authors: frozenset[str]) -> bool:
        visible = access.search_access(caller)
        if "mentor_private" not in visibilities:
            return True
        return visible.allow_private and (visible.private_author is None or authors <= {visible.private_author})

    def list_knowledge(self, caller: Caller) -> list[tuple[SourceRecord, str]]:
        """The tenant's sources the caller may see, each with 'shared', 'mentor_private' or 'mixed'."""
        sources = self.catalog.source_access(caller.tenant)
        listed = []
        for record in self.list_sources(caller.tenant):
            visibilities, authors = sources.get(record.source, (frozenset({"shared"}), frozenset()))
            if not self._may_list(caller, visibilities, authors):
                continue
            listed.append((record, "mixed" if len(visibilities) > 1 else next(iter(visibilities))))
        return listed

    def list_sources(self, tenant: str) -> list[SourceRecord]:
        """A tenant's own sources (the shared library is listed under tenant `global`)."""
        if not tenant.strip():
            raise TenantRequired("a tenant is required")
        return [r for r in self.catalog.sources(tenant) if r.state == "done"]

    def generate_events(self, task: str, context: MentoringContext, *, audience: Audience) -> Iterator[pipeline.Event]:
        """The same generation as `generate`, as progress events for streaming (SSE)."""
        from companion.generation import pipeline

        return pipeline.generate_events(task, context, self.retriever, self.generator, audience)

    def stats(self) -> dict[str, Any]:
        counts = self.catalog.counts()
        counts["store"] = self.store.description
        counts["vectors"] = self.store.count()
        counts["embedding_model"] = embedding_model_id(self.settings)
        return counts
