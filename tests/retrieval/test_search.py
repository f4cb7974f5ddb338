"""Filters, tenant isolation and visibility over real hybrid search."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from companion.retrieval.retriever import (
    EXACT_ALL_MAX,
    EXACT_MAX,
    SearchFilters,
    TenantRequired,
    fuse_rrf,
    fuse_weighted,
)
from companion.service import Companion
from tests.retrieval.helpers import note, sample_folder, write

MARKER = "PRIVATE-MARKER-7731"


@pytest.fixture
def two_tenants(companion: Companion, tmp_path: Path) -> Companion:
    """Tenant acme (sample folder incl. Dana's private note), tenant globex, and a global guide."""
    companion.ingest([sample_folder(tmp_path / "acme")], tenant="acme")
    globex = tmp_path / "globex"
    write(
        globex / "globex-secret.md", note("Globex pricing", "GLOBEX-ONLY pricing review with the board.", kind="note")
    )
    write(
        globex / "globex-private.md",
        note("Kenji", "GLOBEX-PRIVATE Kenji is stalling.", kind="note", visibility="mentor_private", author="Mei"),
    )
    companion.ingest([globex], tenant="globex")
    shared = tmp_path / "shared"
    write(
        shared / "library.md", note("Library guide", "LIBRARY-GUIDE pricing review and burnout signs.", tenant="global")
    )
    companion.ingest([shared])
    return companion


QUERIES = (
    "pricing review",
    "Priya investors revenue pitching",
    "burnout rest",
    "hiking chess",
    "Kenji stalling",
    "seed round investor list",
)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_tenants_never_see_each_other(two_tenants: Companion, mode: str) -> None:
    for query in QUERIES:
        for tenant, foreign in (("acme", "globex"), ("globex", "acme")):
            results = two_tenants.search(query, tenant=tenant, k=20, allow_private=True, mode=mode).results
            assert all(r.tenant in (tenant, "global") for r in results), (query, tenant)
            assert not any(r.tenant == foreign for r in results)
    acme_hits = two_tenants.search("pricing review", tenant="acme", k=20, mode=mode).results
    assert "library.md" in {r.source for r in acme_hits}, "the shared library is readable by every tenant"
    assert all("GLOBEX" not in r.text for r in acme_hits)


def test_a_search_without_a_tenant_is_refused(two_tenants: Companion) -> None:
    for tenant in ("", "   "):
        with pytest.raises(TenantRequired):
            SearchFilters(tenant=tenant)
        with pytest.raises(TenantRequired):
            two_tenants.search("pricing", tenant=tenant)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_private_notes_need_permission_and_stay_with_their_author(two_tenants: Companion, mode: str) -> None:
    query = "Priya freezes when investors ask about revenue"
    default = two_tenants.search(query, tenant="acme", k=20, mode=mode).results
    assert all(r.visibility == "shared" for r in default)
    assert all(MARKER not in r.text for r in default)
    other_mentor = two_tenants.search(
        query, tenant="acme", k=20, allow_private=True, private_author="Luis", mode=mode
    ).results
    assert all(MARKER not in r.text for r in other_mentor)
    author = two_tenants.search(
        query, tenant="acme", k=20, allow_private=True, private_author="Dana", mode=mode
    ).results
    assert any(MARKER in r.text for r in author)
    operator = two_tenants.search(query, tenant="acme", k=20, allow_private=True, mode=mode).results
    assert any(MARKER in r.text for r in operator)


def test_kind_theme_and_stage_filters(two_tenants: Companion) -> None:
    notes = two_tenants.search(
        "pricing burnout investors", tenant="acme", k=20, kinds=("note",), allow_private=True
    ).results
    assert notes and all(r.kind == "note" for r in notes)
    themed = two_tenants.search("rest and sleep", tenant="acme", k=20, themes=("work_life_balance",)).results
    assert [r.source for r in themed] == ["guides/burnout.md"]
    staged = two_tenants.search("burnout", tenant="acme", k=20, stages=("established",)).results
    assert {r.source for r in staged} == {"guides/burnout.md"}
    with pytest.raises(ValueError, match="unknown theme astrology"):
        two_tenants.search("x", tenant="acme", themes=("astrology",))


def test_results_carry_citations_to_real_files(two_tenants: Companion, tmp_path: Path) -> None:
    results = two_tenants.search("confidentiality and rapport", tenant="acme", k=5).results
    assert results
    for result in results:
        assert set(result.public()) == {"chunk_id", "source", "title", "heading", "score", "text"}
        root = tmp_path / ("shared" if result.tenant == "global" else "acme")
        path = root / result.source
        assert path.is_file(), result.source
        first_words = " ".join(result.text.split()[:4])
        assert first_words in " ".join(path.read_text().split())


def test_source_diversity_caps_chunks_per_file(companion: Companion, tmp_path: Path) -> None:
    body = "\n\n".join(f"## Part {i}\n\nGoal setting with milestones, part {i}." for i in range(6))
    write(tmp_path / "kb" / "goals.md", note("Goals", body))
    write(tmp_path / "kb" / "other.md", note("Other", "Milestones keep goal setting honest."))
    companion.ingest([tmp_path / "kb"])
    capped = companion.search("goal setting milestones", tenant="local", k=5).results
    assert [r.source for r in capped].count("goals.md") == 2
    uncapped = companion.retriever.search("goal setting milestones", SearchFilters(tenant="local"), 5, max_per_source=0)
    assert [r.source for r in uncapped].count("goals.md") >= 4


def test_fusion_functions() -> None:
    fused = fuse_rrf([["a", "b", "c"], ["c", "a"]], k=60)
    assert sorted(fused, key=lambda cid: -fused[cid]) == ["a", "c", "b"]
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 62)
    dense_led = fuse_rrf([["a", "b"], ["b", "a"]], k=10, weights=[1.0, 0.5])
    assert dense_led["a"] > dense_led["b"], "with equal ranks swapped, the heavier ranking wins"
    weighted = fuse_weighted([("a", 0.9), ("b", 0.5)], [("b", 10.0), ("c", 2.0)], dense_weight=0.5)
    assert weighted == {"a": 0.5, "b": 0.5, "c": 0.0}


def test_dense_search_falls_back_to_a_filtered_query_for_a_small_tenant(companion: Companion, tmp_path: Path) -> None:
    """The unfiltered over-fetch sees only the big tenant's chunks; the filtered fallback still finds ours."""
    big = "\n\n".join(f"## Pitch {i}\n\nInvestor pitching practice number {i}." for i in range(30))
    write(tmp_path / "big" / "pitching.md", note("Pitching", big))
    companion.ingest([tmp_path / "big"], tenant="bigco")
    write(tmp_path / "small" / "one.md", note("Ours", "Our only note: rest and recovery after a launch."))
    companion.ingest([tmp_path / "small"], tenant="smallco")
    companion.retriever.overfetch_above = 0  # take the over-fetch path on this small index
    companion.retriever.candidates = 2  # over-fetch 8 of 31 chunks: all of them bigco's
    hits = companion.search("investor pitching practice", tenant="smallco", k=3, mode="dense").results
    assert [h.source for h in hits] == ["one.md"]
    assert all(h.tenant == "smallco" for h in hits)


def test_a_vector_missing_behind_the_catalog_does_not_fail_filtered_search(two_tenants: Companion) -> None:
    """Regression (issue 11): the catalog still lists a chunk whose vector Chroma no longer holds,
    as between the indexer's Chroma delete and its catalog swap, or after a crash there. Chroma
    1.x fails a filtered query naming that id with "Error finding id" (a 503); search must not."""
    dana = next(r for r in two_tenants.catalog.iter_chunks() if MARKER in r.text)
    two_tenants.store.delete([dana.chunk_id])
    for mode in ("dense", "hybrid"):
        for filters in (
            SearchFilters("acme", kinds=("note",), allow_private=True),
            SearchFilters("acme", allow_private=True, private_author="Dana"),
            SearchFilters("acme", themes=("feedback_and_self_assessment",), allow_private=True),
            SearchFilters("acme"),
        ):
            results = two_tenants.retriever.search("Priya investors revenue", filters, 20, mode=mode)
            assert all(r.tenant in ("acme", "global") for r in results)
            assert all(r.visibility == "shared" or filters.allow_private for r in results)
            assert all(r.kind in (filters.kinds or (r.kind,)) for r in results)
            if mode == "dense":
                assert dana.chunk_id not in {r.chunk_id for r in results}, "no vector, no dense hit"
    hybrid = two_tenants.search("PRIVATE-MARKER-7731 Priya", tenant="acme", k=10, allow_private=True).results
    assert dana.chunk_id in {r.chunk_id for r in hybrid}, "BM25 still finds the catalogued chunk"


PATHS = [
    pytest.param("whole index", EXACT_ALL_MAX, EXACT_MAX, 2, id="whole-index"),
    pytest.param("admitted chunks", 0, EXACT_MAX, 1, id="exact-admitted"),
    pytest.param("wider neighbours", 0, 0, 0, id="widen"),
]
"""(path, exact_all_max, exact_max, vector reads that fail before the answer): the whole-index
matrix reads every vector, then exact scoring reads the admitted ones, then only neighbours remain."""


class _FailingReads:
    """A Chroma collection whose reads of embeddings fail the way Chroma 1.x's do when its HNSW
    index lacks an id the metadata holds; everything else is the real collection."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.failures = 0

    def get(self, *args: Any, **kwargs: Any) -> Any:
        if "embeddings" in (kwargs.get("include") or ()):
            self.failures += 1
            raise RuntimeError("Error executing plan: Internal error: Error finding id")
        return self.inner.get(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.mark.parametrize(("path", "exact_all_max", "exact_max", "failed_reads"), PATHS)
def test_private_notes_never_push_out_visible_ones(
    companion: Companion,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    exact_all_max: int,
    exact_max: int,
    failed_reads: int,
) -> None:
    """The nearest chunks are all private notes; the shared ones must still be found, by exact
    scoring over the whole index or over the admitted chunks, or by asking Chroma for more
    unfiltered neighbours, and also when Chroma cannot read a vector ("Error finding id"): each
    path that reads vectors falls back to the next, and the 503 never surfaces."""
    private = "\n\n".join(f"## Pitch {i}\n\nInvestor pitching practice, rehearsal number {i}." for i in range(20))
    write(tmp_path / "kb" / "private.md", note("Pitching", private, kind="note", visibility="mentor_private"))
    write(tmp_path / "kb" / "shared.md", note("Shared", "Rest and recovery after a launch; investors can wait."))
    write(tmp_path / "kb" / "other.md", note("Other", "Hiking and chess as icebreakers."))
    companion.ingest([tmp_path / "kb"], tenant="acme")
    retriever = companion.retriever
    retriever.candidates = 2  # over-fetch 12 neighbours of 22 chunks: all of them private
    retriever.exact_all_max = exact_all_max
    retriever.exact_max = exact_max

    def shared_hits() -> list[str]:
        hits = companion.search("investor pitching practice rehearsal", tenant="acme", k=3, mode="dense").results
        assert all(h.visibility == "shared" for h in hits)
        return [h.source for h in hits]

    assert shared_hits() == ["shared.md", "other.md"]
    mentor = companion.search("investor pitching practice", tenant="acme", k=3, allow_private=True, mode="dense")
    assert {h.source for h in mentor.results} == {"private.md"}, "the private notes are the nearest"
    failing = _FailingReads(companion.store._collection)
    monkeypatch.setattr(companion.store, "_collection", failing)
    retriever._vector_cache.clear()
    retriever._matrix = (None, *retriever._matrix[1:])
    assert shared_hits() == ["shared.md", "other.md"]
    assert failing.failures == failed_reads, path
