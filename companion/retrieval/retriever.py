"""Hybrid retrieval: dense (Chroma, cosine) and BM25, fused, filtered, de-duplicated by source.

Tenant scoping fails closed: a query without a tenant is an error, and a tenant only ever
sees its own chunks plus the shared library (the `global` tenant).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from companion import vocabulary as vocab
from companion.retrieval.catalog import Catalog, ChunkRecord
from companion.retrieval.embeddings import Embedder
from companion.retrieval.lexical import LexicalFilter, LexicalIndex, LexicalSnapshot
from companion.retrieval.store import ChromaStore

MODES = ("hybrid", "dense", "bm25")
OVERFETCH = 4
"""How many times more unfiltered neighbours to fetch before falling back to a filtered search."""
QUERY_CACHE_SIZE = 2048
"""Query embeddings kept (384 floats each, so about 3 MB)."""
OVERFETCH_ABOVE = 10_000
"""Below this many chunks a filtered Chroma query is already fast (a few ms), so it is used directly."""
ID_FILTER_MAX = 1000
"""Largest set of admitted chunks sent to Chroma as ids rather than as a metadata filter."""
RECORD_CACHE_SIZE = 8192
"""Catalogued chunks kept parsed between searches (about 2 KB each), for one catalog generation."""


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

    @property
    def tenants(self) -> tuple[str, ...]:
        if self.include_global and self.tenant != vocab.GLOBAL_TENANT:
            return (self.tenant, vocab.GLOBAL_TENANT)
        return (self.tenant,)

    @property
    def column_filters(self) -> list[tuple[str, tuple[str, ...]]]:
        """(metadata column, allowed values) for every column this search restricts."""
        columns = (
            ("kind", self.kinds),
            ("stage", self.stages),
            ("audience", self.audiences),
            ("bank", self.banks),
            ("source", self.sources),
        )
        return [(column, values) for column, values in columns if values]

    def chroma_where(self) -> dict[str, Any]:
        clauses: list[dict[str, Any]] = [{"tenant": {"$in": list(self.tenants)}}]
        for column, values in self.column_filters:
            clauses.append({column: {"$in": list(values)}})
        if self.themes:
            flags = [{f"theme_{t}": True} for t in self.themes]
            clauses.append(flags[0] if len(flags) == 1 else {"$or": flags})
        if not self.allow_private:
            clauses.append({"visibility": "shared"})
        elif self.private_author is not None:
            clauses.append(
                {
                    "$or": [
                        {"visibility": "shared"},
                        {"author": self.private_author},
                    ]
                }
            )
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def allows(self, meta: dict[str, Any]) -> bool:
        """The same rules as `chroma_where`, applied to one chunk's metadata (fail closed)."""
        if meta.get("tenant") not in self.tenants:
            return False
        for column, values in self.column_filters:
            if meta.get(column) not in values:
                return False
        if self.themes and not any(meta.get(f"theme_{t}") is True for t in self.themes):
            return False
        if meta.get("visibility") != "shared":
            if not self.allow_private:
                return False
            if self.private_author is not None and meta.get("author") != self.private_author:
                return False
        return True

    def lexical(self) -> LexicalFilter:
        allowed = {"tenant": self.tenants, **dict(self.column_filters)}
        return LexicalFilter(allowed, self.themes, self.private_author, self.allow_private)


@dataclass(frozen=True)
class SearchRequest:
    """One search of a batch (`Retriever.search_many`)."""

    query: str
    filters: SearchFilters
    k: int = 5
    mode: str = "hybrid"
    max_per_source: int | None = None
    """None: the retriever's default cap; 0: no cap."""


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
    ) -> None:
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
        self.overfetch_above = OVERFETCH_ABOVE
        self._query_cache: OrderedDict[str, Any] = OrderedDict()
        self._record_cache: OrderedDict[str, ChunkRecord] = OrderedDict()
        self._records_generation = -1
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
        Chroma call per distinct filter and one catalog lookup, instead of one of each per search."""
        for request in requests:
            if request.mode not in MODES:
                raise ValueError(f"mode must be one of {', '.join(MODES)}")
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
                lexical = lexical_index.search(request.query, request.filters.lexical(), limit)
            hits = dense.get(i, [])
            if request.mode == "dense":
                fused = dict(hits)
            elif request.mode == "bm25":
                fused = dict(lexical)
            elif self.fusion == "weighted":
                fused = fuse_weighted(hits, lexical, self.dense_weight)
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
            answers[i] = self._materialise(ranked, request.filters, request.k, cap, records)
        return answers

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

    def clear_query_cache(self) -> None:
        """Forget remembered query embeddings (benchmarks time the embedding too)."""
        with self._cache_lock:
            self._query_cache.clear()

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
        self, wanted: list[tuple[int, Any, SearchFilters, int]], lexical: LexicalSnapshot
    ) -> dict[int, list[tuple[str, float]]]:
        """`_dense` for several (key, vector, filters, limit), one Chroma call per distinct filter.

        Below OVERFETCH_ABOVE chunks, a filter that admits at most ID_FILTER_MAX chunks is sent to
        Chroma as the list of their ids, which the loaded BM25 columns give (the same catalog
        metadata Chroma holds: a chunk's id covers its metadata, so it never changes under an id).
        Chroma answers that two to three times faster than the equivalent metadata filter, and a
        filter that admits nothing costs no call at all. Wider filters keep the `where` clause."""
        found: dict[int, list[tuple[str, float]]] = {}
        if lexical.size() >= self.overfetch_above:
            for key, vector, filters, limit in wanted:
                found[key] = self._dense(vector, filters, limit, lexical.size())
            return found
        groups: dict[tuple[str, int], tuple[dict[str, Any] | None, list[str] | None, list[tuple[int, Any]]]] = {}
        for key, vector, filters, limit in wanted:
            ids = lexical.allowed_ids(filters.lexical(), ID_FILTER_MAX)
            where = None if ids is not None else filters.chroma_where()
            group_key = (json.dumps(filters.lexical().key() if ids is not None else where, sort_keys=True), limit)
            groups.setdefault(group_key, (where, ids, []))[2].append((key, vector))
        for (_, limit), (where, ids, members) in groups.items():
            hits = self.store.query_many([vector for _, vector in members], where, limit, ids=ids)
            for (key, _), each in zip(members, hits, strict=True):
                found[key] = [(h.chunk_id, h.similarity) for h in each]
        return found

    def _dense(
        self, vector: Any, filters: SearchFilters, limit: int, index_size: int | None = None
    ) -> list[tuple[str, float]]:
        """Nearest neighbours the caller may see.

        Chroma's filtered search costs time in proportion to how many chunks the filter admits
        (about 0.3 s at 100k chunks), while an unfiltered one takes a few ms. So, in a large
        index, ask unfiltered for OVERFETCH times more and filter here; only when too few of those
        are visible (a small tenant in a big collection, where a filtered search is cheap anyway)
        ask Chroma to filter. Small indexes use the filtered search directly.
        """
        if (self.lexical.size() if index_size is None else index_size) < self.overfetch_above:
            return [(h.chunk_id, h.similarity) for h in self.store.query(vector, filters.chroma_where(), limit)]
        wanted = limit * OVERFETCH
        hits = self.store.query(vector, None, wanted, with_metadata=True)
        visible = [(h.chunk_id, h.similarity) for h in hits if h.metadata is not None and filters.allows(h.metadata)]
        if len(visible) >= limit or len(hits) < wanted:
            return visible[:limit]
        return [(h.chunk_id, h.similarity) for h in self.store.query(vector, filters.chroma_where(), limit)]

    def _materialise(
        self,
        ranked: list[tuple[str, float]],
        filters: SearchFilters,
        k: int,
        per_source_cap: int,
        records: dict[str, ChunkRecord],
    ) -> list[SearchResult]:
        """Look the winners up in the catalog, re-check access, cap chunks per source."""
        results: list[SearchResult] = []
        per_source: dict[tuple[str, str], int] = {}
        for chunk_id, score in ranked:
            record = records.get(chunk_id)
            if record is None:
                continue  # vector without a catalogued chunk: a write in progress; never cite it
            meta = record.meta
            if not filters.allows(meta):
                continue  # defence in depth: the catalog's metadata decides, whatever the indexes said
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
