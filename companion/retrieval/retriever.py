"""Hybrid retrieval: dense (Chroma, cosine) and BM25, fused, filtered, de-duplicated by source.

Tenant scoping fails closed: a query without a tenant is an error, and a tenant only ever
sees its own chunks plus the shared library (the `global` tenant).
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from companion import vocabulary as vocab
from companion.retrieval.catalog import Catalog, ChunkRecord
from companion.retrieval.embeddings import Embedder
from companion.retrieval.expansion import ThemeTerms, expand, theme_terms
from companion.retrieval.lexical import LexicalFilter, LexicalIndex, LexicalSnapshot
from companion.retrieval.store import ChromaStore, DenseHit, StoreInconsistent

MODES = ("hybrid", "dense", "bm25")
AGGREGATIONS = ("none", "max", "sum2", "sum3", "decay")
"""How a document's chunks score it before the per-source cap (`Retriever._by_document`): not at
all (chunk order), by its best chunk, by the sum of its best two or three, or by the sum of all
its chunks with each next one weighing half the one before."""
OVERFETCH = 4
"""At most this many unfiltered neighbours are asked of Chroma per wanted one (the caller's filter
is applied to them here, see `Retriever._dense_many`)."""
OVERFETCH_MARGIN = 1.25
"""With a filter admitting a share s of the index, limit * OVERFETCH_MARGIN / s neighbours are
asked for (at most OVERFETCH times the limit): about a quarter more visible ones than needed."""
GROWTH = 4
"""How many times more neighbours each further unfiltered query asks for, when too few were visible."""
EXACT_MAX = 1000
"""Largest set of admitted chunks scored exactly over their vectors when the unfiltered neighbours
held too few of them (a bank, a small tenant, one mentor's notes); wider filters ask for more."""
EXACT_ALL_MAX = 10000
"""Largest index whose every search is scored exactly in memory, over a matrix of all its stored
vectors (read from Chroma once per chunk id: 384 float32 each, so at most about 15 MB), instead of
asking Chroma for over-fetched neighbours: at this size a matrix product is both faster and exact."""
QUERY_CACHE_SIZE = 2048
"""Query embeddings kept (384 floats each, so about 3 MB)."""
RECORD_CACHE_SIZE = 8192
"""Catalogued chunks kept parsed between searches (about 2 KB each), for one catalog generation."""
VECTOR_CACHE_SIZE = 16384
"""Chunk vectors kept for exact scoring (384 float32 each, so about 25 MB). A chunk id covers the
text that was embedded, so it names one vector for as long as the collection (one model) exists."""


class TenantRequired(ValueError):
    """Raised when a search names no tenant: there is no 'all tenants' search."""


@dataclass(frozen=True)
class SearchFilters:
    """What a caller may see and wants to see. Empty tuples mean 'any'."""

    tenant: str
    kinds: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    banks: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    """Only chunks written by these people (e.g. a mentor's own notes, for matching)."""
    allow_private: bool = False
    """May mentor_private chunks be returned at all? Mentee-facing callers leave this False."""
    private_author: str | None = None
    """With allow_private, only this author's private chunks (a mentor sees their own)."""
    include_global: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.tenant, str) or not self.tenant.strip():
            raise TenantRequired("a tenant is required for every search")
        for name, values, allowed in (
            ("kind", self.kinds, vocab.KINDS),
            ("theme", self.themes, tuple(vocab.THEMES)),
            ("stage", self.stages, vocab.STAGES),
            ("audience", self.audiences, vocab.AUDIENCES),
            ("bank", self.banks, tuple(vocab.BANKS)),
        ):
            unknown = [v for v in values if v not in allowed]
            if unknown:
                raise ValueError(f"unknown {name} {', '.join(unknown)}; allowed: {', '.join(allowed)}")

    @cached_property
    def tenants(self) -> tuple[str, ...]:
        if self.include_global and self.tenant != vocab.GLOBAL_TENANT:
            return (self.tenant, vocab.GLOBAL_TENANT)
        return (self.tenant,)

    @cached_property
    def column_filters(self) -> list[tuple[str, tuple[str, ...]]]:
        """(metadata column, allowed values) for every column this search restricts (worked out once
        per filter: `allows` asks for it for every candidate chunk)."""
        columns = (
            ("kind", self.kinds),
            ("stage", self.stages),
            ("audience", self.audiences),
            ("bank", self.banks),
            ("source", self.sources),
            ("author", self.authors),
        )
        return [(column, values) for column, values in columns if values]

    def allows(self, meta: dict[str, Any]) -> bool:
        """The same rules as `lexical`'s mask, applied to one chunk's metadata (fail closed)."""
        if meta.get("tenant") not in self.tenants:
            return False
        for column, values in self.column_filters:
            if meta.get(column) not in values:
                return False
        if self.themes and not any(meta.get(f"theme_{t}") is True for t in self.themes):
            return False
        if meta.get("visibility") != "shared":
            if not self.allow_private or meta.get("tenant") != self.tenant:
                return False  # private chunks only from the caller's own tenant, never the shared library's
            if self.private_author is not None and meta.get("author") != self.private_author:
                return False
        return True

    def lexical(self) -> LexicalFilter:
        allowed = {"tenant": self.tenants, **dict(self.column_filters)}
        return LexicalFilter(allowed, self.themes, self.private_author, self.allow_private, self.tenant)


@dataclass(frozen=True)
class SearchRequest:
    """One search of a batch (`Retriever.search_many`)."""

    query: str
    filters: SearchFilters
    k: int = 5
    mode: str = "hybrid"
    max_per_source: int | None = None
    """None: the retriever's default cap; 0: no cap."""
    aggregation: str | None = None
    """None: the retriever's default document ranking (`AGGREGATIONS`); "none": chunk order."""


@dataclass(frozen=True)
class SearchResult:
    chunk_id: str
    source: str
    title: str
    heading: str
    score: float
    text: str
    tenant: str
    kind: str
    themes: tuple[str, ...]
    stage: str
    audience: str
    visibility: str
    author: str | None = None
    bank: str | None = None
    item: dict[str, Any] | None = field(default=None, compare=False)

    def public(self) -> dict[str, Any]:
        """The documented result shape of `companion search --json` and the API."""
        return {
            "chunk_id": self.chunk_id,
            "source": self.source,
            "title": self.title,
            "heading": self.heading,
            "score": round(self.score, 6),
            "text": self.text,
        }

    def citation(self) -> dict[str, str]:
        return {"chunk_id": self.chunk_id, "source": self.source, "title": self.title, "heading": self.heading}


def fuse_rrf(rankings: list[list[str]], k: int, weights: list[float] | None = None) -> dict[str, float]:
    """Weighted reciprocal rank fusion: sum of weight / (k + rank) over the rankings an id appears in."""
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings), strict=True):
        for rank, chunk_id in enumerate(ranking, start=1):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (k + rank)
    return fused


def fuse_rrf_documents(
    rankings: list[list[str]],
    k: int,
    weights: list[float],
    document_of: dict[str, tuple[str, str]],
    document_weight: float,
) -> dict[str, float]:
    """Reciprocal rank fusion at chunk level plus `document_weight` times the same fusion over
    documents: each ranking ranks the documents (tenant, source) in the order their first chunk
    appears in it, and every chunk of a document gets the document's fused score. So a document
    that both retrievers put near the top lifts all its chunks, whichever chunk each one liked."""
    fused = fuse_rrf(rankings, k, weights)
    documents: dict[tuple[str, str], float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        order: dict[tuple[str, str], int] = {}
        for chunk_id in ranking:
            document = document_of.get(chunk_id)
            if document is not None and document not in order:
                order[document] = len(order) + 1
        for document, rank in order.items():
            documents[document] = documents.get(document, 0.0) + weight / (k + rank)
    return {
        chunk_id: score + document_weight * documents.get(document_of.get(chunk_id, ("", "")), 0.0)
        for chunk_id, score in fused.items()
    }


def fuse_weighted(
    dense: list[tuple[str, float]], lexical: list[tuple[str, float]], dense_weight: float
) -> dict[str, float]:
    """Weighted sum of min-max normalised scores (an id missing from one list scores 0 there)."""

    def normalise(hits: list[tuple[str, float]]) -> dict[str, float]:
        if not hits:
            return {}
        scores = [s for _, s in hits]
        low, high = min(scores), max(scores)
        span = high - low or 1.0
        return {cid: (s - low) / span for cid, s in hits}

    d, b = normalise(dense), normalise(lexical)
    return {cid: dense_weight * d.get(cid, 0.0) + (1 - dense_weight) * b.get(cid, 0.0) for cid in d.keys() | b.keys()}


def rank_by_document(
    visible: list[tuple[str, float, ChunkRecord]], per_source_cap: int, aggregation: str = "max"
) -> list[tuple[str, float, ChunkRecord]]:
    """Document-level ranking before the per-source cap. The (chunk id, fused score, record)
    entries, best first and already filtered, are grouped by source (tenant and path); the
    sources are ordered by `aggregation` of their chunks' scores (ties by first appearance) and
    take turns: the best chunk of every source in that order, then the second best of each, and
    so on up to the cap (0: no cap). So a top-k list names k sources when there are k, each by its best
    chunk, and more chunks of the best sources follow. Nothing is added that was not given."""
    if aggregation not in AGGREGATIONS:
        raise ValueError(f"aggregation must be one of {', '.join(AGGREGATIONS)}")
    if aggregation == "none":
        return list(visible)
    groups: dict[tuple[str, str], list[tuple[str, float, ChunkRecord]]] = {}
    for entry in sorted(visible, key=lambda e: -e[1]):  # stable: equal scores keep their order
        groups.setdefault((entry[2].tenant, entry[2].source), []).append(entry)

    def score(chunks: list[tuple[str, float, ChunkRecord]]) -> float:
        values = [c[1] for c in chunks]
        if aggregation == "sum2":
            return sum(values[:2])
        if aggregation == "sum3":
            return sum(values[:3])
        if aggregation == "decay":
            return sum(v * 0.5**i for i, v in enumerate(values))
        return values[0]

    order = sorted(groups.values(), key=score, reverse=True)  # stable: ties keep first appearance
    rounds: list[tuple[str, float, ChunkRecord]] = []
    depths = per_source_cap if per_source_cap > 0 else max((len(chunks) for chunks in order), default=0)
    for depth in range(depths):
        rounds.extend(chunks[depth] for chunks in order if depth < len(chunks))
    return rounds


class Retriever:
    def __init__(
        self,
        *,
        embedder: Embedder,
        store: ChromaStore,
        lexical: LexicalIndex,
        catalog: Catalog,
        fusion: str = "rrf",
        rrf_k: int = 10,
        lexical_weight: float = 0.5,
        dense_weight: float = 0.6,
        candidates: int = 50,
        max_per_source: int = 2,
        aggregation: str = "max",
        document_weight: float = 1.0,
        heading_weight: float = 0.0,
        expansion_weight: float = 0.3,
        expansion_min_hits: int = 1,
    ) -> None:
        if aggregation not in AGGREGATIONS:
            raise ValueError(f"aggregation must be one of {', '.join(AGGREGATIONS)}")
        self.embedder = embedder
        self.store = store
        self.lexical = lexical
        self.catalog = catalog
        self.fusion = fusion
        self.rrf_k = rrf_k
        self.lexical_weight = lexical_weight
        self.dense_weight = dense_weight
        self.candidates = candidates
        self.max_per_source = max_per_source
        self.aggregation = aggregation
        self.document_weight = document_weight
        """With fusion `rrf_doc`: weight of the document-level fusion added to each chunk's own."""
        self.heading_weight = heading_weight
        """Weight of the BM25 heading field (the heading path alone) added to the whole chunk's BM25."""
        self.expansion_weight = expansion_weight
        """Weight of the controlled vocabulary's theme words added to a matching BM25 query (0: none)."""
        self.expansion_min_hits = expansion_min_hits
        self._theme_terms: list[ThemeTerms] | None = None
        self.exact_max = EXACT_MAX
        self.exact_all_max = EXACT_ALL_MAX
        self._query_cache: OrderedDict[str, Any] = OrderedDict()
        self._record_cache: OrderedDict[str, ChunkRecord] = OrderedDict()
        self._records_generation = -1
        self._vector_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._vectors_missing: set[str] = set()
        """Catalogued chunks Chroma held no vector for in `_missing_generation` (not asked again)."""
        self._missing_generation = -1
        self._rows: tuple[LexicalSnapshot | None, dict[str, int]] = (None, {})
        self._matrix: tuple[LexicalSnapshot | None, np.ndarray, np.ndarray] = (
            None,
            np.zeros(0, dtype=bool),
            np.zeros((0, 0), dtype=np.float32),
        )
        self._cache_lock = threading.Lock()

    def search(
        self,
        query: str,
        filters: SearchFilters,
        k: int = 5,
        *,
        mode: str = "hybrid",
        max_per_source: int | None = None,
    ) -> list[SearchResult]:
        return self.search_many([SearchRequest(query, filters, k, mode, max_per_source)])[0]

    def search_many(self, requests: Sequence[SearchRequest]) -> list[list[SearchResult]]:
        """Run several searches as one batch, with the results each would give alone (a query
        embedded in a batch differs from one embedded alone by float32 rounding at most).

        A generation task issues three to six searches per request; batching them costs one
        embedding call for all the queries not embedded before, one catalog generation check, one
        unfiltered Chroma query (per distinct size) and one catalog lookup, instead of one of each
        per search."""
        for request in requests:
            if request.mode not in MODES:
                raise ValueError(f"mode must be one of {', '.join(MODES)}")
            if request.aggregation is not None and request.aggregation not in AGGREGATIONS:
                raise ValueError(f"aggregation must be one of {', '.join(AGGREGATIONS)}")
        active = [i for i, r in enumerate(requests) if r.query.strip()]
        answers: list[list[SearchResult]] = [[] for _ in requests]
        if not active:
            return answers
        generation = self.catalog.generation()
        lexical_index = self.lexical.current(generation)
        dense_wanted = [i for i in active if requests[i].mode in ("hybrid", "dense")]
        vectors = dict(zip(dense_wanted, self._query_vectors([requests[i].query for i in dense_wanted]), strict=True))
        dense = self._dense_many(
            [(i, vectors[i], requests[i].filters, max(self.candidates, requests[i].k)) for i in dense_wanted],
            lexical_index,
        )
        ranked_by_request: dict[int, list[tuple[str, float]]] = {}
        wanted_ids: list[str] = []
        for i in active:
            request = requests[i]
            limit = max(self.candidates, request.k)
            lexical: list[tuple[str, float]] = []
            if request.mode in ("hybrid", "bm25"):
                lexical = lexical_index.search(
                    request.query,
                    request.filters.lexical(),
                    limit,
                    heading_weight=self.heading_weight,
                    expansion=self._expansion(request.query, lexical_index),
                )
            hits = dense.get(i, [])
            if request.mode == "dense":
                fused = dict(hits)
            elif request.mode == "bm25":
                fused = dict(lexical)
            elif self.fusion == "weighted":
                fused = fuse_weighted(hits, lexical, self.dense_weight)
            elif self.fusion == "rrf_doc":
                fused = fuse_rrf_documents(
                    [[c for c, _ in hits], [c for c, _ in lexical]],
                    self.rrf_k,
                    [1.0, self.lexical_weight],
                    self._documents(lexical_index, [c for c, _ in hits] + [c for c, _ in lexical]),
                    self.document_weight,
                )
            else:
                fused = fuse_rrf(
                    [[c for c, _ in hits], [c for c, _ in lexical]], self.rrf_k, [1.0, self.lexical_weight]
                )
            # Only the top of the ranking is looked up (and so can be returned), as before batching.
            ranked = sorted(fused.items(), key=lambda pair: (-pair[1], pair[0]))[: max(request.k * 4, self.candidates)]
            ranked_by_request[i] = ranked
            wanted_ids.extend(c for c, _ in ranked)
        records = self._records(generation, wanted_ids)
        for i, ranked in ranked_by_request.items():
            request = requests[i]
            cap = self.max_per_source if request.max_per_source is None else request.max_per_source
            aggregation = self.aggregation if request.aggregation is None else request.aggregation
            answers[i] = self._materialise(ranked, request.filters, request.k, cap, records, aggregation)
        return answers

    def _documents(self, snapshot: LexicalSnapshot, chunk_ids: list[str]) -> dict[str, tuple[str, str]]:
        """(tenant, source) of each chunk, from the snapshot's filter columns (the same generation
        the candidates came from; a chunk it does not list has no document and no document score)."""
        rows = self._row_index(snapshot)
        tenants, sources = snapshot.columns.values["tenant"], snapshot.columns.values["source"]
        found: dict[str, tuple[str, str]] = {}
        for chunk_id in chunk_ids:
            row = rows.get(chunk_id)
            if row is not None:
                found[chunk_id] = (str(tenants[row]), str(sources[row]))
        return found

    def _expansion(self, query: str, snapshot: LexicalSnapshot) -> list[tuple[list[str], float]]:
        if self.expansion_weight <= 0:
            return []
        if self._theme_terms is None:
            self._theme_terms = theme_terms(snapshot.tokenize)
        return expand(
            snapshot.tokenize(query), self._theme_terms, weight=self.expansion_weight, min_hits=self.expansion_min_hits
        )

    def _query_vector(self, query: str) -> Any:
        return self._query_vectors([query])[0]

    def _query_vectors(self, queries: list[str]) -> list[Any]:
        """Embed queries, remembering recent ones: generation reuses many fixed bank queries and a
        mentorship's context across calls, and embedding is most of a search's cost. The queries
        not seen before are embedded in one batched call (a batch's vectors match one-at-a-time
        embedding to within float32 rounding, about 1e-7)."""
        found: dict[str, Any] = {}
        with self._cache_lock:
            for query in queries:
                vector = self._query_cache.get(query)
                if vector is not None:
                    self._query_cache.move_to_end(query)
                    found[query] = vector
        missing = list(dict.fromkeys(q for q in queries if q not in found))
        if missing:
            embedded = self.embedder.embed(missing)
            with self._cache_lock:
                for query, vector in zip(missing, embedded, strict=True):
                    found[query] = vector
                    self._query_cache[query] = vector
                while len(self._query_cache) > QUERY_CACHE_SIZE:
                    self._query_cache.popitem(last=False)
        return [found[q] for q in queries]

    def visible_chunks(self, filters: SearchFilters, at_most: int) -> tuple[list[ChunkRecord], np.ndarray]:
        """Every chunk the filters admit, with its unit vector as a row, for scoring many queries against
        them at once (matching). The same mask as a search decides, and each chunk's catalog metadata is
        checked again, so nothing a search would hide is returned. Refuses more than `at_most` chunks."""
        generation = self.catalog.generation()
        snapshot = self.lexical.current(generation)
        allowed = snapshot.allowed_ids(filters.lexical(), at_most)
        if allowed is None:
            raise ValueError(f"more than {at_most} chunks match; narrow the filter")
        records = self._records(generation, allowed)
        admitted = [c for c in allowed if c in records and filters.allows(records[c].meta)]
        ids, matrix = self._chunk_vectors(generation, admitted)
        return [records[c] for c in ids], matrix

    def clear_query_cache(self) -> None:
        """Forget remembered query embeddings (benchmarks time the embedding too)."""
        with self._cache_lock:
            self._query_cache.clear()

    def records(self, chunk_ids: Sequence[str]) -> dict[str, ChunkRecord]:
        """The catalogued chunks among these ids, as the catalog holds them now (a chunk that is
        gone is left out), from the parsed records this generation has already read."""
        return self._records(self.catalog.generation(), list(chunk_ids))

    def _records(self, generation: int, chunk_ids: list[str]) -> dict[str, ChunkRecord]:
        """Catalogued chunks by id, parsed once per catalog generation. Every change to the chunks
        bumps the generation in the same transaction, so within one generation a chunk id names
        one immutable record, and a chunk that is gone is never served from memory."""
        found: dict[str, ChunkRecord] = {}
        with self._cache_lock:
            if generation != self._records_generation:
                self._record_cache.clear()
                self._records_generation = generation
            for chunk_id in chunk_ids:
                record = self._record_cache.get(chunk_id)
                if record is not None:
                    found[chunk_id] = record
        missing = list(dict.fromkeys(c for c in chunk_ids if c not in found))
        if missing:
            fetched = self.catalog.get_chunks(missing)
            found.update(fetched)
            with self._cache_lock:
                if generation == self._records_generation:
                    self._record_cache.update(fetched)
                    while len(self._record_cache) > RECORD_CACHE_SIZE:
                        self._record_cache.popitem(last=False)
        return found

    def _dense_many(
        self, wanted: list[tuple[int, Any, SearchFilters, int]], snapshot: LexicalSnapshot
    ) -> dict[int, list[tuple[str, float]]]:
        """The nearest neighbours each caller may see, for several (key, vector, filters, limit).

        Chroma is never asked to filter. Chroma 1.x answers a `where`- or `ids`-filtered query by
        looking every admitted id up in its HNSW index, and fails ("Error finding id") when one is
        missing there: a vector deleted while the catalog still lists it (the indexer deletes
        vectors before its catalog swap, and a search may hold the older generation), a write in
        progress, another process's write. Its unfiltered query never looks ids up. So the batch
        is one unfiltered query (per distinct size) for more neighbours than wanted (`_overfetch`),
        and the caller's filter is applied here with this generation's catalog metadata (the BM25
        columns): the visible chunks among the nearest neighbours are the nearest visible chunks,
        so a chunk the caller may not see never pushes out one they may. A neighbour the catalog
        does not list (a write in progress) is dropped. When too few neighbours are visible (a
        selective filter), a filter admitting at most `exact_max` chunks is scored exactly over
        their stored vectors, and a wider one asks again, unfiltered, for more neighbours until
        enough are visible or Chroma has no more. A filter that admits nothing costs no call.

        An index of at most `exact_all_max` chunks skips all of that: every search is scored
        exactly over a matrix of its stored vectors (`_whole_index`), and Chroma is read only for
        vectors not seen before."""
        found: dict[int, list[tuple[str, float]]] = {}
        live: list[tuple[int, Any, SearchFilters, int, np.ndarray]] = []
        for key, vector, filters, limit in wanted:
            mask = snapshot.mask(filters.lexical())
            if mask.any():
                live.append((key, vector, filters, limit, mask))
            else:
                found[key] = []
        if not live:
            return found
        whole = self._whole_index(snapshot)
        if whole is not None:
            for member, result in zip(live, self._score_all(whole, live), strict=True):
                found[member[0]] = result
            return found
        rows = self._row_index(snapshot)
        by_size: dict[int, list[tuple[int, Any, SearchFilters, int, np.ndarray]]] = {}
        for member in live:
            by_size.setdefault(self._overfetch(member[3], member[4]), []).append(member)
        short: dict[tuple[object, int, int], list[tuple[int, Any, SearchFilters, int, np.ndarray]]] = {}
        for fetched, members in by_size.items():
            neighbours = self._unfiltered([vector for _, vector, _, _, _ in members], fetched)
            for member, hits in zip(members, neighbours, strict=True):
                key, _, filters, limit, mask = member
                visible = self._visible(hits, mask, rows)
                if len(visible) >= limit or (len(hits) < fetched and len(visible) == np.count_nonzero(mask)):
                    found[key] = visible[:limit]  # enough, or every admitted chunk was among them
                else:
                    short.setdefault((filters.lexical().key(), limit, fetched), []).append(member)
        for (_, limit, fetched), members in short.items():
            vectors = [vector for _, vector, _, _, _ in members]
            mask = members[0][4]
            results: list[list[tuple[str, float]]] | None = None
            allowed = snapshot.allowed_ids(members[0][2].lexical(), self.exact_max)
            if allowed is not None:
                try:
                    results = self._exact(snapshot.generation, vectors, allowed, limit)
                except StoreInconsistent:
                    results = None  # Chroma could not read one of the vectors: ask it unfiltered instead
            if results is None:
                results = self._widen(vectors, limit, mask, rows, fetched)
            for (key, *_), result in zip(members, results, strict=True):
                found[key] = result
        return found

    def _whole_index(self, snapshot: LexicalSnapshot) -> tuple[list[str], np.ndarray, np.ndarray] | None:
        """(chunk ids, has-a-vector mask, unit vectors) in the snapshot's row order, when the index
        is small enough to score every search exactly in memory; built once per loaded snapshot
        from the vector cache, so a new generation reads only its new chunks' vectors from Chroma.
        None when the index is larger, or Chroma could not read a vector (the neighbour path then
        answers, as it does for a larger index)."""
        ids = snapshot.columns.chunk_ids
        if not ids or len(ids) > min(self.exact_all_max, VECTOR_CACHE_SIZE):
            return None
        with self._cache_lock:
            known, present, matrix = self._matrix
        if known is not snapshot:
            try:
                held, vectors = self._chunk_vectors(snapshot.generation, list(ids))
            except StoreInconsistent:
                return None
            rows = self._row_index(snapshot)
            present = np.zeros(len(ids), dtype=bool)
            matrix = np.zeros((len(ids), vectors.shape[1] if len(held) else 0), dtype=np.float32)
            for chunk_id, vector in zip(held, vectors, strict=True):
                present[rows[chunk_id]] = True
                matrix[rows[chunk_id]] = vector
            with self._cache_lock:
                self._matrix = (snapshot, present, matrix)
        return list(ids), present, matrix

    @staticmethod
    def _score_all(
        whole: tuple[list[str], np.ndarray, np.ndarray],
        members: list[tuple[int, Any, SearchFilters, int, np.ndarray]],
    ) -> list[list[tuple[str, float]]]:
        """The exact top `limit` visible chunks of each (key, vector, filters, limit, mask): cosine
        over every stored vector, the caller's filter mask applied before ranking (ties by chunk
        id), so a chunk the caller may not see never takes a visible one's place."""
        ids, present, matrix = whole
        if not present.any():
            return [[] for _ in members]
        queries = np.asarray([m[1] for m in members], dtype=np.float32).reshape(len(members), -1)
        queries = queries / np.maximum(np.linalg.norm(queries, axis=1, keepdims=True), 1e-12)
        scores = queries @ matrix.T
        results: list[list[tuple[str, float]]] = []
        for row, (_, _, _, limit, mask) in zip(scores, members, strict=True):
            admitted = np.flatnonzero(mask & present)
            if admitted.size > limit:
                kth = -np.partition(-row[admitted], limit - 1)[limit - 1]
                admitted = admitted[row[admitted] >= kth]  # every chunk tied at the cut, for the id order
            ranked = sorted(((ids[i], float(row[i])) for i in admitted), key=lambda pair: (-pair[1], pair[0]))
            results.append(ranked[:limit])
        return results

    def _overfetch(self, limit: int, mask: np.ndarray) -> int:
        """How many unfiltered neighbours to ask for: OVERFETCH times the limit, fewer when the
        filter admits most of the index (all of it: a quarter more than the limit), and only the
        limit when so few are admitted that the over-fetch would hardly ever hold enough of them
        and they are scored exactly anyway (the query still checks that Chroma answers)."""
        admitted = int(np.count_nonzero(mask))
        share = max(admitted, 1) / max(len(mask), 1)
        if admitted <= self.exact_max and share * OVERFETCH < 1:
            return limit
        return max(limit, min(limit * OVERFETCH, math.ceil(limit * OVERFETCH_MARGIN / share)))

    def _unfiltered(self, vectors: list[Any], limit: int) -> list[list[DenseHit]]:
        """Chroma's unfiltered nearest neighbours. Even this path looks its answers' ids up, so an
        "Error finding id" (a write landing in between) is retried once before it surfaces."""
        try:
            return self.store.query_many(vectors, limit)
        except StoreInconsistent:
            return self.store.query_many(vectors, limit)

    @staticmethod
    def _visible(hits: list[DenseHit], mask: np.ndarray, rows: dict[str, int]) -> list[tuple[str, float]]:
        visible: list[tuple[str, float]] = []
        for hit in hits:
            row = rows.get(hit.chunk_id)
            if row is not None and mask[row]:
                visible.append((hit.chunk_id, hit.similarity))
        return visible

    def _widen(
        self, vectors: list[Any], limit: int, mask: np.ndarray, rows: dict[str, int], fetched: int
    ) -> list[list[tuple[str, float]]]:
        """Ask for ever more unfiltered neighbours until each query has `limit` visible ones or
        Chroma returned fewer than asked (all it could find). The first step already aims at
        enough: twice the limit over the share of the index the filter admits."""
        results: list[list[tuple[str, float]] | None] = [None] * len(vectors)
        share = max(int(np.count_nonzero(mask)), 1) / max(len(mask), 1)
        asked = max(fetched * GROWTH, math.ceil(2 * limit / share))
        while True:
            pending = [i for i, result in enumerate(results) if result is None]
            if not pending:
                return [result or [] for result in results]
            neighbours = self._unfiltered([vectors[i] for i in pending], asked)
            for i, hits in zip(pending, neighbours, strict=True):
                visible = self._visible(hits, mask, rows)
                if len(visible) >= limit or len(hits) < asked:
                    results[i] = visible[:limit]
            asked *= GROWTH

    def _exact(
        self, generation: int, vectors: list[Any], allowed: list[str], limit: int
    ) -> list[list[tuple[str, float]]]:
        """Cosine similarity of each query to every admitted chunk's stored vector: the exact top
        `limit` (ties by chunk id). A chunk Chroma holds no vector for is left out, as an unfiltered
        query would leave it out."""
        ids, matrix = self._chunk_vectors(generation, allowed)
        if not ids:
            return [[] for _ in vectors]
        queries = np.asarray(vectors, dtype=np.float32).reshape(len(vectors), -1)
        queries = queries / np.maximum(np.linalg.norm(queries, axis=1, keepdims=True), 1e-12)
        scores = queries @ matrix.T
        results: list[list[tuple[str, float]]] = []
        for row in scores:
            top = np.argpartition(-row, limit - 1)[:limit] if limit < len(ids) else np.arange(len(ids))
            ranked = sorted(((ids[i], float(row[i])) for i in top), key=lambda pair: (-pair[1], pair[0]))
            results.append(ranked[:limit])
        return results

    def _chunk_vectors(self, generation: int, chunk_ids: list[str]) -> tuple[list[str], np.ndarray]:
        """Unit-length stored vectors of the chunks (cached by id, the rest read from Chroma in
        one call); returns the ids that have one and their vectors as rows."""
        found: dict[str, np.ndarray] = {}
        with self._cache_lock:
            if generation != self._missing_generation:
                self._vectors_missing = set()
                self._missing_generation = generation
            for chunk_id in chunk_ids:
                vector = self._vector_cache.get(chunk_id)
                if vector is not None:
                    self._vector_cache.move_to_end(chunk_id)
                    found[chunk_id] = vector
            missing = [c for c in chunk_ids if c not in found and c not in self._vectors_missing]
        if missing:
            fetched = self.store.embeddings(missing)
            normalised = {
                chunk_id: vector / max(float(np.linalg.norm(vector)), 1e-12) for chunk_id, vector in fetched.items()
            }
            found.update(normalised)
            with self._cache_lock:
                self._vector_cache.update(normalised)
                while len(self._vector_cache) > VECTOR_CACHE_SIZE:
                    self._vector_cache.popitem(last=False)
                if generation == self._missing_generation:
                    self._vectors_missing.update(c for c in missing if c not in fetched)
        ids = [c for c in chunk_ids if c in found]
        if not ids:
            return [], np.zeros((0, 0), dtype=np.float32)
        return ids, np.stack([found[c] for c in ids])

    def _row_index(self, snapshot: LexicalSnapshot) -> dict[str, int]:
        """Chunk id -> row of the snapshot's filter columns, built once per loaded snapshot."""
        with self._cache_lock:
            known, rows = self._rows
        if known is not snapshot:
            rows = {chunk_id: row for row, chunk_id in enumerate(snapshot.columns.chunk_ids)}
            with self._cache_lock:
                self._rows = (snapshot, rows)
        return rows

    def _materialise(
        self,
        ranked: list[tuple[str, float]],
        filters: SearchFilters,
        k: int,
        per_source_cap: int,
        records: dict[str, ChunkRecord],
        aggregation: str,
    ) -> list[SearchResult]:
        """Look the winners up in the catalog, re-check access, rank documents (`aggregation`), cap
        chunks per source."""
        visible: list[tuple[str, float, ChunkRecord]] = []
        for chunk_id, score in ranked:
            record = records.get(chunk_id)
            if record is None:
                continue  # vector without a catalogued chunk: a write in progress; never cite it
            if not filters.allows(record.meta):
                continue  # defence in depth: the catalog's metadata decides, whatever the indexes said
            visible.append((chunk_id, score, record))
        if per_source_cap and aggregation != "none":
            visible = rank_by_document(visible, per_source_cap, aggregation)
        results: list[SearchResult] = []
        per_source: dict[tuple[str, str], int] = {}
        for chunk_id, score, record in visible:
            meta = record.meta
            key = (record.tenant, record.source)
            if per_source_cap and per_source.get(key, 0) >= per_source_cap:
                continue
            per_source[key] = per_source.get(key, 0) + 1
            item_json = meta.get("item_json")
            results.append(
                SearchResult(
                    chunk_id=chunk_id,
                    source=record.source,
                    title=record.title,
                    heading=record.heading,
                    score=score,
                    text=record.text,
                    tenant=record.tenant,
                    kind=str(meta.get("kind", "")),
                    themes=tuple(filter(None, str(meta.get("themes", "")).split(","))),
                    stage=str(meta.get("stage", "any")),
                    audience=str(meta.get("audience", "both")),
                    visibility=str(meta.get("visibility", "shared")),
                    author=str(meta.get("author") or "") or None,
                    bank=str(meta.get("bank") or "") or None,
                    item=json.loads(item_json) if isinstance(item_json, str) else None,
                )
            )
            if len(results) >= k:
                break
        return results
