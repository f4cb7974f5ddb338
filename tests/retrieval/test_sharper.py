"""Issue 15's retrieval changes: document-level ranking before the per-source cap, query expansion
from the controlled vocabulary, the optional BM25 heading field and document-level RRF."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.retrieval.catalog import ChunkRecord
from companion.retrieval.expansion import expand, theme_terms
from companion.retrieval.lexical import Tokenizer
from companion.retrieval.retriever import SearchFilters, SearchRequest, fuse_rrf_documents, rank_by_document
from companion.service import Companion
from tests.retrieval.helpers import note, sample_folder, write


def entry(chunk_id: str, score: float, source: str, tenant: str = "local") -> tuple[str, float, ChunkRecord]:
    record = ChunkRecord(chunk_id, tenant, source, 0, "", source.title(), source, f"text {chunk_id}", {})
    return chunk_id, score, record


def test_aggregation_gives_one_entry_per_source_first_in_document_order() -> None:
    ranked = [
        entry("a1", 0.9, "a.md"),
        entry("a2", 0.8, "a.md"),
        entry("a3", 0.7, "a.md"),
        entry("b1", 0.6, "b.md"),
        entry("c1", 0.5, "c.md"),
        entry("b2", 0.4, "b.md"),
    ]
    rounds = rank_by_document(ranked, per_source_cap=2, aggregation="max")
    assert [c for c, _, _ in rounds] == ["a1", "b1", "c1", "a2", "b2"], "best chunk of each source first, cap 2"
    assert [c for c, _, _ in rank_by_document(ranked, 1)] == ["a1", "b1", "c1"]
    # Summing a source's best two chunks lets b (0.6 + 0.4) pass a lone strong chunk of d (0.95).
    with_d = [entry("d1", 0.95, "d.md"), *ranked]
    assert [c for c, _, _ in rank_by_document(with_d, 1, "sum2")] == ["a1", "b1", "d1", "c1"]
    assert [c for c, _, _ in rank_by_document(with_d, 1, "max")] == ["d1", "a1", "b1", "c1"]
    assert rank_by_document(ranked, 2, "none") == ranked
    assert len(rank_by_document(ranked, 0)) == len(ranked), "no cap: every chunk, in rounds"
    # The same path in two tenants is two documents.
    two = [entry("x", 0.9, "same.md", "acme"), entry("y", 0.8, "same.md", "global")]
    assert [c for c, _, _ in rank_by_document(two, 1)] == ["x", "y"]
    with pytest.raises(ValueError, match="aggregation must be one of"):
        rank_by_document(ranked, 2, "median")


def test_search_names_distinct_sources_before_second_chunks(companion: Companion, tmp_path: Path) -> None:
    body = "\n\n".join(f"## Part {i}\n\nGoal setting with milestones and deadlines, part {i}." for i in range(4))
    write(tmp_path / "kb" / "goals.md", note("Goals", body))
    write(tmp_path / "kb" / "milestones.md", note("Milestones", "Milestones keep goal setting honest."))
    write(tmp_path / "kb" / "deadlines.md", note("Deadlines", "Deadlines turn goal setting into a plan."))
    companion.ingest([tmp_path / "kb"])
    assert companion.retriever.aggregation == "max"
    results = companion.search("goal setting milestones deadlines", tenant="local", k=5).results
    sources = [r.source for r in results]
    assert sources[0] == "goals.md" and len(set(sources[:3])) == 3, sources
    assert sources.count("goals.md") == 2, "the per-source cap still holds"
    for result in results:  # citations survive the reordering
        assert result.chunk_id and result.source and result.title
    # A request may keep chunk order (the generation plan does); the cap still holds.
    filters = SearchFilters(tenant="local")
    request = SearchRequest("goal setting milestones deadlines", filters, 5, aggregation="none")
    chunk_order = companion.retriever.search_many([request])[0]
    assert [r.source for r in chunk_order][:2] == ["goals.md", "goals.md"]
    assert sorted(r.chunk_id for r in chunk_order) == sorted(r.chunk_id for r in results), "same chunks, other order"
    with pytest.raises(ValueError, match="aggregation must be one of"):
        companion.retriever.search_many([SearchRequest("goals", filters, 5, aggregation="median")])


def test_aggregation_never_brings_back_what_the_filters_hide(companion: Companion, tmp_path: Path) -> None:
    companion.ingest([sample_folder(tmp_path / "acme")], tenant="acme")
    for query in ("Priya investors revenue pitching", "hiking chess rapport", "burnout rest"):
        for k in (1, 5, 20):
            results = companion.search(query, tenant="acme", k=k).results
            assert all(r.visibility == "shared" and r.tenant in ("acme", "global") for r in results)
            other = companion.search(query, tenant="globex", k=k).results
            assert all(r.tenant != "acme" for r in other)


def test_vocabulary_expansion_adds_a_theme_s_other_words() -> None:
    tokenize = Tokenizer()
    themes = theme_terms(tokenize)
    extra = expand(tokenize("I am close to burnout"), themes, weight=0.3)
    assert extra and all(weight == 0.3 for _, weight in extra)
    words = {w for tokens, _ in extra for w in tokens}
    assert set(tokenize("rest boundaries family")) <= words
    assert "burnout" not in words, "the query's own words are not counted twice"
    assert expand(tokenize("quarterly pricing spreadsheet"), themes, weight=0.3) == []
    assert expand(tokenize("burnout"), themes, weight=0.0) == []


def test_expansion_lets_bm25_find_a_theme_written_in_other_words(companion: Companion, tmp_path: Path) -> None:
    write(
        tmp_path / "kb" / "rest.md", note("Recharging", "Protect your rest, keep boundaries and make time for family.")
    )
    write(tmp_path / "kb" / "pricing.md", note("Pricing", "Quarterly pricing spreadsheet review."))
    companion.ingest([tmp_path / "kb"])
    retriever = companion.retriever
    filters = SearchFilters(tenant="local")
    retriever.expansion_weight = 0.0
    assert retriever.search("signs of burnout", filters, 5, mode="bm25") == []
    retriever.expansion_weight = 0.3
    found = retriever.search("signs of burnout", filters, 5, mode="bm25")
    assert [r.source for r in found] == ["rest.md"]


def test_heading_weighted_bm25_ranks_a_matching_heading_above_a_passing_mention(
    companion: Companion, tmp_path: Path
) -> None:
    filler = " ".join(f"word{i}" for i in range(60))
    write(tmp_path / "kb" / "handbook.md", note("Handbook", f"## Delegation\n\nHand work to others. {filler}"))
    write(tmp_path / "kb" / "misc.md", note("Misc", "A short aside on delegation."))
    companion.ingest([tmp_path / "kb"])
    lexical = companion.lexical
    lexical.heading_field = True
    lexical.rebuild()
    snapshot = lexical.current()
    flt = SearchFilters(tenant="local").lexical()
    plain = [cid for cid, _ in snapshot.search("delegation", flt, 5)]
    weighted = [cid for cid, _ in snapshot.search("delegation", flt, 5, heading_weight=1.0)]
    source = dict(zip(snapshot.columns.chunk_ids, snapshot.columns.values["source"], strict=True))
    assert [source[c] for c in plain] == ["misc.md", "handbook.md"], "without the field, the short mention wins"
    assert [source[c] for c in weighted] == ["handbook.md", "misc.md"]
    # Saved with the field, and loaded back with it by a fresh index.
    assert (lexical.directory / "bm25_headings").is_dir()


def test_document_rrf_lifts_every_chunk_of_a_document_both_rankings_agree_on() -> None:
    document_of = {"a1": ("t", "a"), "a2": ("t", "a"), "b1": ("t", "b"), "c1": ("t", "c")}
    rankings = [["b1", "a1", "c1"], ["a2", "c1"]]  # dense likes b1 best; BM25 likes another chunk of a
    fused = fuse_rrf_documents(rankings, 10, [1.0, 0.5], document_of, 1.0)
    assert fused["a1"] > fused["b1"], "document a is in both rankings, b in one"
    chunk_only = fuse_rrf_documents(rankings, 10, [1.0, 0.5], document_of, 0.0)
    assert chunk_only["b1"] > chunk_only["a1"]
