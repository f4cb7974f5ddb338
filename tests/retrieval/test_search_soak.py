"""Soak the embedded store in one process: notes written, rewritten and forgotten between (and,
in a second phase, during) filtered searches with random Unicode queries.

Every search must answer: Chroma 1.x's filtered search fails with "Error finding id" (a 503 in
the API) when it is asked about an id its HNSW index does not hold, which a write or delete
running beside the search was enough to cause. Every result must obey its filters, judged by
what the test itself wrote, not by the retriever's own rules; and every few searches the dense
top-k is compared with exact scoring over the chunks the caller may see, so that what the
caller may not see never pushes out what they may."""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from companion import vocabulary as vocab
from companion.retrieval.retriever import EXACT_ALL_MAX, EXACT_MAX, SearchFilters, SearchResult
from companion.service import Companion
from tests.retrieval.helpers import note, sample_folder, write

ITERATIONS = 150
CONCURRENT_WRITES = 30
SEED = 20261126
TENANTS = ("acme", "globex", "initech")
AUTHORS = ("Dana", "Mei", "Luis")
NOTE_KINDS = ("note", "guide", "example")
THEMES = tuple(vocab.THEMES)
WORDS = (
    *("trust", "rapport", "burnout", "rest", "pitching", "investors", "revenue", "feedback", "goals"),
    *("milestones", "chess", "hiking", "confidentiality", "cadence", "risk", "career", "promotion"),
    *("sleep", "boundaries", "agenda", "reflection"),
)
# Scripts, symbols, emoji, combining marks, right-to-left text and odd spaces (no NUL, no surrogates).
ALPHABETS = (
    (0x0041, 0x007A),
    (0x00C0, 0x024F),
    (0x0370, 0x03FF),
    (0x0400, 0x04FF),
    (0x0590, 0x05FF),
    (0x0600, 0x06FF),
    (0x0900, 0x097F),
    (0x0300, 0x036F),
    (0x2000, 0x206F),
    (0x3040, 0x30FF),
    (0x4E00, 0x4FFF),
    (0xAC00, 0xAD00),
    (0x1F300, 0x1F64F),
    (0x1D400, 0x1D4FF),
)
MARKER = re.compile(r"SOAKMARK\d{4}")


@dataclass(frozen=True)
class Written:
    """One version of a note as the test wrote it: the truth results are checked against."""

    tenant: str
    source: str
    visibility: str
    author: str | None
    kind: str
    themes: tuple[str, ...]


class Notes:
    """Writes notes through the service and remembers each version by its unique marker."""

    def __init__(self, service: Companion) -> None:
        self.service = service
        self.versions: dict[str, Written] = {}
        self.alive: dict[tuple[str, str], str] = {}
        """(tenant, source) -> the marker of the version now indexed."""
        self._lock = threading.Lock()
        self._count = 0

    def write(self, rng: random.Random, tenant: str, source: str) -> None:
        with self._lock:
            self._count += 1
            marker = f"SOAKMARK{self._count:04d}"
        themes = tuple(rng.sample(THEMES, rng.randint(0, 2)))
        written = Written(
            tenant,
            source,
            rng.choice(("shared", "mentor_private")),
            rng.choice(AUTHORS),
            rng.choice(NOTE_KINDS),
            themes,
        )
        front = {"kind": written.kind, "visibility": written.visibility}
        if themes:
            front["themes"] = "[" + ", ".join(themes) + "]"
        body = f"{marker} {' '.join(rng.choices(WORDS, k=rng.randint(5, 25)))} {random_query(rng)}"
        with self._lock:
            self.versions[marker] = written  # known before a concurrent search can find it
        self.service.add_document(
            data=note(f"Soak {marker}", body, **front).encode(),
            name="note.md",
            source=source,
            tenant=tenant,
            author=written.author,
        )
        with self._lock:
            self.alive[(tenant, source)] = marker

    def forget(self, tenant: str, source: str) -> None:
        self.service.forget(source, tenant)
        with self._lock:
            del self.alive[(tenant, source)]


def random_query(rng: random.Random) -> str:
    """A few words and runs of random characters."""
    parts: list[str] = []
    for _ in range(rng.randint(1, 4)):
        if rng.random() < 0.4:
            parts.append(rng.choice(WORDS))
        else:
            low, high = rng.choice(ALPHABETS)
            parts.append("".join(chr(rng.randint(low, high)) for _ in range(rng.randint(1, 6))))
    return rng.choice((" ", "", "\u3000", "\t", " \u200d ")).join(parts)


def random_filters(rng: random.Random) -> SearchFilters:
    allow_private = rng.random() < 0.6
    return SearchFilters(
        tenant=rng.choice(TENANTS),
        kinds=tuple(rng.sample(NOTE_KINDS, rng.randint(0, 2))),
        themes=tuple(rng.sample(THEMES, rng.choice((0, 0, 1, 2)))),
        allow_private=allow_private,
        private_author=rng.choice((None, *AUTHORS)) if allow_private else None,
    )


def may_see(written: Written, filters: SearchFilters) -> bool:
    """The access and filter rules, restated here from the documentation."""
    if written.tenant not in (filters.tenant, vocab.GLOBAL_TENANT):
        return False
    if written.visibility != "shared":
        if not filters.allow_private:
            return False
        if filters.private_author is not None and written.author != filters.private_author:
            return False
    if filters.kinds and written.kind not in filters.kinds:
        return False
    return not filters.themes or bool(set(written.themes) & set(filters.themes))


def violations(result: SearchResult, filters: SearchFilters, notes: Notes, *, settled: bool) -> list[str]:
    """Why a result should not have been returned (empty: it may be). `settled`: no write is
    running, so a forgotten or replaced version must not be found either."""
    problems: list[str] = []
    if result.tenant not in (filters.tenant, vocab.GLOBAL_TENANT):
        problems.append(f"tenant {result.tenant}")
    if result.visibility != "shared" and (
        not filters.allow_private or (filters.private_author is not None and result.author != filters.private_author)
    ):
        problems.append(f"private chunk of {result.author}")
    if filters.kinds and result.kind not in filters.kinds:
        problems.append(f"kind {result.kind}")
    if filters.themes and not set(result.themes) & set(filters.themes):
        problems.append(f"themes {result.themes}")
    if result.source.startswith("soak/"):
        markers = MARKER.findall(result.text)
        written = notes.versions.get(markers[0]) if markers else None
        if written is None or (written.tenant, written.source) != (result.tenant, result.source):
            problems.append("not a note the test wrote there")
        elif not may_see(written, filters):
            problems.append(f"{written} is not visible to this caller")
        elif settled and notes.alive.get((result.tenant, result.source)) != markers[0]:
            problems.append("a forgotten or replaced version")
    return problems


def exact_dense_top(
    service: Companion, query_vector: np.ndarray, filters: SearchFilters, notes: Notes, k: int
) -> list[float]:
    """The k best cosine similarities over every catalogued chunk the caller may see."""
    visible = []
    for record in service.catalog.iter_chunks():
        markers = MARKER.findall(record.text)
        written = notes.versions.get(markers[0]) if markers else None
        if written is None:  # a fixed sample source: judged by its catalogued metadata
            meta = record.meta
            written = Written(
                record.tenant,
                record.source,
                str(meta.get("visibility")),
                meta.get("author") or None,
                str(meta.get("kind")),
                tuple(filter(None, str(meta.get("themes", "")).split(","))),
            )
        if may_see(written, filters):
            visible.append(record.chunk_id)
    vectors = service.store.embeddings(visible)
    query = query_vector / np.linalg.norm(query_vector)
    scores = sorted((float(v @ query / np.linalg.norm(v)) for v in vectors.values()), reverse=True)
    return scores[:k]


@pytest.fixture
def seeded(companion: Companion, tmp_path) -> Companion:
    companion.ingest([sample_folder(tmp_path / "acme")], tenant="acme")
    write(tmp_path / "globex" / "pricing.md", note("Globex pricing", "GLOBEX-ONLY pricing review.", kind="note"))
    companion.ingest([tmp_path / "globex"], tenant="globex")
    write(
        tmp_path / "shared" / "library.md",
        note("Library guide", "LIBRARY-GUIDE trust, rest and feedback.", tenant="global", themes="[trust_and_rapport]"),
    )
    companion.ingest([tmp_path / "shared"])
    return companion


@pytest.mark.slow
def test_writes_deletes_and_filtered_searches_never_fail_and_never_leak(
    seeded: Companion, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = seeded
    retriever = service.retriever
    rng = random.Random(SEED)
    # Few candidates, so that the unfiltered neighbours are often too few to be visible and both
    # fallbacks run (exact scoring, or with exact_max 0 a wider unfiltered query), as well as the
    # whole-index scoring of a small index; count them.
    retriever.candidates = 4
    paths = {"_score_all": 0, "_exact": 0, "_widen": 0}
    for name in paths:
        inner = getattr(retriever, name)

        def counted(*args: object, _inner: Any = inner, _name: str = name) -> Any:
            paths[_name] += 1
            return _inner(*args)

        monkeypatch.setattr(retriever, name, counted)
    notes = Notes(service)
    errors: list[str] = []
    leaks: list[str] = []
    ranking: list[str] = []
    # Embedded in one batch up front: one model call per search would be most of the soak's time.
    queries = [random_query(rng) for _ in range(ITERATIONS)]
    retriever._query_vectors(queries)
    searches = exact_checks = 0

    def search(query: str, filters: SearchFilters, settled: bool, label: str) -> list[SearchResult]:
        nonlocal searches
        mode = rng.choice(("hybrid", "hybrid", "dense", "bm25"))
        retriever.exact_max = rng.choice((EXACT_MAX, EXACT_MAX, 0))
        retriever.exact_all_max = rng.choice((EXACT_ALL_MAX, 0, 0))
        k = rng.randint(1, 20)
        searches += 1
        try:
            results = retriever.search(query, filters, k, mode=mode, max_per_source=0)
        except Exception as exc:  # every failure is collected and reported below
            errors.append(f"{label} search {query!r} {filters}: {type(exc).__name__}: {exc}")
            return []
        for result in results:
            for problem in violations(result, filters, notes, settled=settled):
                leaks.append(f"{label} {filters}: {result.source} is {problem}")
        if settled and mode == "dense" and query.strip():
            nonlocal exact_checks
            exact_checks += 1
            expected = exact_dense_top(service, retriever._query_vector(query), filters, notes, k)
            got = [r.score for r in results]
            if len(got) != len(expected) or not np.allclose(got, expected, atol=1e-4):
                ranking.append(f"{label} {filters} k={k}: {got} != exact {expected}")
        return results

    # Phase 1: writes, rewrites and deletes between searches.
    for iteration in range(ITERATIONS):
        action = rng.random()
        try:
            if action < 0.3 or not notes.alive:
                notes.write(rng, rng.choice(TENANTS), f"soak/{rng.randint(0, 60):02d}.md")
            elif action < 0.45:
                notes.forget(*rng.choice(sorted(notes.alive)))
        except Exception as exc:
            errors.append(f"iteration {iteration} write: {type(exc).__name__}: {exc}")
        search(queries[iteration], random_filters(rng), True, f"iteration {iteration}")
        search(rng.choice(queries[: iteration + 1]), random_filters(rng), True, f"iteration {iteration} again")

    # Phase 2: the same, with the writes on a second thread while this one searches.
    writer_rng = random.Random(SEED + 1)

    def writer() -> None:
        for step in range(CONCURRENT_WRITES):
            try:
                if writer_rng.random() < 0.7 or not notes.alive:
                    notes.write(writer_rng, writer_rng.choice(TENANTS), f"soak/{writer_rng.randint(0, 8):02d}.md")
                else:
                    notes.forget(*writer_rng.choice(sorted(notes.alive)))
            except Exception as exc:
                errors.append(f"concurrent write {step}: {type(exc).__name__}: {exc}")

    thread = threading.Thread(target=writer, name="soak-writer")
    thread.start()
    concurrent = 0
    while thread.is_alive() or concurrent == 0:
        concurrent += 1
        search(rng.choice(queries), random_filters(rng), False, f"concurrent {concurrent}")
    thread.join()

    assert errors == [], "\n".join(errors)
    assert leaks == [], "\n".join(leaks)
    assert ranking == [], "\n".join(ranking)
    assert exact_checks >= 10 and concurrent >= 50, (exact_checks, concurrent)
    assert all(paths.values()), paths
    assert service.catalog.counts()["pending_sources"] == 0
    for tenant, source in list(notes.alive):  # settled again: what is indexed is exactly what is alive
        hits = retriever.search(
            notes.alive[(tenant, source)], SearchFilters(tenant, allow_private=True), 3, mode="bm25"
        )
        assert hits and hits[0].source == source, (tenant, source)
