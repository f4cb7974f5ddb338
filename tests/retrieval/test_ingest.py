"""Ingest against real Chroma and the real embedding model: incremental, exact, robust."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.config import Settings
from companion.retrieval.embeddings import Embedder
from companion.service import Companion
from tests.conftest import make_settings
from tests.retrieval.helpers import CountingEmbedder, note, sample_folder, write


@pytest.fixture
def counting(embedder: Embedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


@pytest.fixture
def service(settings: Settings, counting: CountingEmbedder) -> Companion:
    return Companion(settings, embedder=counting)


def index_state(service: Companion) -> dict[str, tuple[str, str]]:
    """chunk id -> (source, content hash), as the catalog and as Chroma see it; they must agree."""
    catalog = {r.chunk_id: (r.source, r.content_hash) for r in service.catalog.iter_chunks()}
    assert service.store.count() == len(catalog)
    assert service.store.existing_ids(sorted(catalog)) == set(catalog)
    assert service.lexical.size() == len(catalog)
    return catalog


def test_ingest_then_reingest_does_no_embedding_work(
    service: Companion, counting: CountingEmbedder, tmp_path: Path
) -> None:
    folder = sample_folder(tmp_path / "kb")
    first = service.ingest([folder])
    assert first.failures == []
    assert first.files == 4 and first.files_changed == 4
    assert first.chunks_added == counting.texts > 0
    state = index_state(service)
    assert {source for source, _ in state.values()} == {
        "guides/icebreakers.md",
        "guides/burnout.md",
        "notes/dana-private.md",
        "notes/session.txt",
    }

    counting.texts = 0
    again = service.ingest([folder])
    assert counting.texts == 0
    assert (again.files_unchanged, again.files_changed, again.chunks_added, again.chunks_removed) == (4, 0, 0, 0)
    assert index_state(service) == state


def test_a_changed_file_replaces_exactly_its_old_chunks(
    service: Companion, counting: CountingEmbedder, tmp_path: Path
) -> None:
    folder = sample_folder(tmp_path / "kb")
    service.ingest([folder])
    before = index_state(service)
    guide = folder / "guides" / "icebreakers.md"
    guide.write_text(guide.read_text().replace("weekend plans", "favourite books"))
    counting.texts = 0
    report = service.ingest([folder])
    after = index_state(service)
    changed_out = {cid for cid in before if cid not in after}
    changed_in = {cid for cid in after if cid not in before}
    assert len(changed_out) == len(changed_in) == 1 == counting.texts
    assert before[changed_out.pop()][0] == after[changed_in.pop()][0] == "guides/icebreakers.md"
    # of the five chunks one was replaced; the other four were kept (one in the changed file, three in the others)
    assert (report.files_changed, report.chunks_added, report.chunks_removed, report.chunks_unchanged) == (1, 1, 1, 4)
    hits = service.search("favourite books", tenant="local", k=1).results
    assert hits[0].source == "guides/icebreakers.md" and "favourite books" in hits[0].text


def test_prune_and_forget_remove_sources_everywhere(service: Companion, tmp_path: Path) -> None:
    folder = sample_folder(tmp_path / "kb")
    service.ingest([folder])
    (folder / "guides" / "burnout.md").unlink()
    not_pruned = service.ingest([folder])
    assert not_pruned.sources_pruned == 0
    assert "guides/burnout.md" in {s for s, _ in index_state(service).values()}
    pruned = service.ingest([folder], prune=True)
    assert pruned.sources_pruned == 1 and pruned.chunks_removed == 1
    assert "guides/burnout.md" not in {s for s, _ in index_state(service).values()}
    assert not service.search("burnout seventy-hour weeks", tenant="local", k=5, mode="bm25").results

    tenant, removed = service.forget("notes/session.txt")
    assert (tenant, removed) == ("local", 1)
    assert "notes/session.txt" not in {s for s, _ in index_state(service).values()}
    from companion.retrieval.indexer import NotIndexed

    with pytest.raises(NotIndexed, match="not indexed"):
        service.forget("notes/session.txt")


def test_bad_files_are_reported_and_nothing_indexed_is_lost(service: Companion, tmp_path: Path) -> None:
    folder = sample_folder(tmp_path / "kb")
    service.ingest([folder])
    before = index_state(service)
    write(folder / "bad" / "front.md", "---\ntitle: [oops\n---\nbody")
    (folder / "bad" / "binary.md").write_bytes(b"\x00\x01\x02binary")
    (folder / "bad" / "latin1.txt").write_bytes(b"r\xe9sum\xe9")
    (folder / "bad" / "empty.md").write_bytes(b"")
    with open(folder / "bad" / "huge.md", "wb") as handle:
        handle.write(b"# Big\n\n" + b"words and more words " * 1_000_000)  # 20 MB
    write(folder / "good-new.md", note("Fresh guide", "Weekly meetings on a fixed day keep momentum."))
    # A file that used to be fine and is now broken keeps its old chunks.
    (folder / "guides" / "burnout.md").write_text("---\nthemes: [nonsense]\n---\nbody")

    report = service.ingest([folder], prune=True)
    problems = {Path(f.path).name: f.problem for f in report.failures}
    assert set(problems) == {"front.md", "binary.md", "latin1.txt", "empty.md", "huge.md", "burnout.md"}
    assert "malformed front matter" in problems["front.md"]
    assert "binary file" in problems["binary.md"]
    assert "not valid UTF-8" in problems["latin1.txt"]
    assert "empty file" in problems["empty.md"]
    assert "larger than the 10.0 MB limit" in problems["huge.md"]
    assert "unknown theme(s) nonsense" in problems["burnout.md"]
    after = index_state(service)
    assert set(before) <= set(after), "nothing already indexed may be lost"
    assert {s for s, _ in after.values()} - {s for s, _ in before.values()} == {"good-new.md"}
    assert report.sources_pruned == 0


def test_writes_respect_the_store_batch_limit(service: Companion, tmp_path: Path) -> None:
    service.store.max_batch_size = 3
    body = "\n\n".join(f"## Section {i}\n\nDistinct advice number {i} about mentoring." for i in range(10))
    write(tmp_path / "kb" / "many.md", note("Many sections", body))
    report = service.ingest([tmp_path / "kb"])
    assert report.chunks_added == 10
    assert len(index_state(service)) == 10


def test_tenant_comes_from_front_matter_or_option_and_conflicts_fail(service: Companion, tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    write(folder / "acme.md", note("Acme note", "Acme's onboarding buddy programme.", tenant="acme"))
    write(folder / "plain.md", note("Plain note", "Plain onboarding checklist."))
    report = service.ingest([folder], tenant="beta")
    assert [Path(f.path).name for f in report.failures] == ["acme.md"]
    assert "front matter says tenant 'acme' but this ingest is for tenant 'beta'" in report.failures[0].problem
    assert {r.tenant for r in service.catalog.sources()} == {"beta"}
    service.ingest([folder])
    assert {(r.source, r.tenant) for r in service.catalog.sources()} == {("acme.md", "acme"), ("plain.md", "local")}


def test_the_same_file_moved_to_another_tenant_leaves_no_copy_behind(service: Companion, tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    write(folder / "n.md", note("Note", "A note about delegation."))
    service.ingest([folder], tenant="alpha")
    service.ingest([folder], tenant="beta")
    assert [(r.tenant, r.source) for r in service.catalog.sources()] == [("beta", "n.md")]
    assert not service.search("delegation", tenant="alpha", k=5).results
    assert service.search("delegation", tenant="beta", k=5).results
    index_state(service)


def test_an_interrupted_ingest_is_finished_by_the_next_run(
    settings: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    folder = sample_folder(tmp_path / "kb")

    class Boom(RuntimeError):
        pass

    class FailingEmbedder(CountingEmbedder):
        def embed(self, texts):  # type: ignore[no-untyped-def]
            if self.texts:
                raise Boom("killed midway")
            return super().embed(texts)

    crashed = Companion(settings.model_copy(update={"embedding_batch_size": 1}), embedder=FailingEmbedder(embedder))
    crashed.indexer.embed_batch = 1
    with pytest.raises(Boom):
        crashed.ingest([folder])
    assert crashed.catalog.counts()["pending_sources"] == 4

    resumed = Companion(settings, embedder=embedder)
    resumed.ingest([folder])
    clean = Companion(make_settings(tmp_path / "clean"), embedder=embedder)
    clean.ingest([folder])
    assert index_state(resumed) == index_state(clean)
    assert resumed.catalog.counts()["pending_sources"] == 0
