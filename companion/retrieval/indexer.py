"""Ingestion: files -> parts -> chunks -> embeddings -> Chroma + catalog + BM25.

Crash safety: a source is journalled as pending before its vectors change and marked done
in the same catalog transaction that records its chunks. A run that dies midway leaves
pending sources, which the next run redoes from Chroma's actual state, so rerunning gives
exactly the index a clean run gives.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from companion import vocabulary as vocab
from companion.retrieval.catalog import Catalog
from companion.retrieval.chunking import Chunk, Chunker
from companion.retrieval.lexical import LexicalIndex
from companion.retrieval.loaders import LoadError, Part, as_note, discover, load_bytes
from companion.retrieval.store import ChromaStore

PIPELINE_VERSION = "2"
"""Bump when loading or chunking changes meaning, so unchanged files are re-chunked once."""


class IngestLocked(RuntimeError):
    """Another ingest holds the data dir's lock for longer than we were willing to wait."""


class NotIndexed(LookupError):
    """The named source is not in the index (for this tenant)."""


class SourceConflict(ValueError):
    """An uploaded document would overwrite a source ingested from files under the same name."""


@dataclass
class FileFailure:
    path: str
    problem: str


@dataclass
class IngestReport:
    files: int = 0
    files_changed: int = 0
    files_unchanged: int = 0
    chunks_added: int = 0
    chunks_unchanged: int = 0
    chunks_removed: int = 0
    chunks_embedded: int = 0
    sources_pruned: int = 0
    failures: list[FileFailure] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "files": self.files,
            "files_changed": self.files_changed,
            "files_unchanged": self.files_unchanged,
            "chunks_added": self.chunks_added,
            "chunks_unchanged": self.chunks_unchanged,
            "chunks_removed": self.chunks_removed,
            "chunks_embedded": self.chunks_embedded,
            "sources_pruned": self.sources_pruned,
            "failures": [{"path": f.path, "problem": f.problem} for f in self.failures],
            "seconds": round(self.seconds, 3),
        }


@dataclass
class _Plan:
    """One changed source: its new chunks, ready to be written."""

    tenant: str
    source: str
    root: str
    file_hash: str
    chunks: list[Chunk]
    replaces: list[tuple[str, str]] = field(default_factory=list)
    """(tenant, source) records of the same file under another tenant, removed once this lands."""


ProgressCallback = Callable[[str, int, int], None]
"""(phase, done, total): called as files are read and chunks embedded."""


def no_progress(phase: str, done: int, total: int) -> None:
    return None


class Indexer:
    def __init__(
        self,
        *,
        embed: Callable[[list[str]], np.ndarray],
        model_id: str,
        store: ChromaStore,
        catalog: Catalog,
        lexical: LexicalIndex,
        chunker: Chunker,
        max_file_bytes: int,
        embed_batch: int = 256,
    ) -> None:
        self.embed = embed
        self.store = store
        self.catalog = catalog
        self.lexical = lexical
        self.chunker = chunker
        self.max_file_bytes = max_file_bytes
        self.embed_batch = embed_batch
        self._settings_key = f"{PIPELINE_VERSION}:{chunker.chunk_size}:{model_id}"

    # -- ingest --------------------------------------------------------------------------
    def ingest(
        self,
        paths: list[Path],
        *,
        tenant: str | None = None,
        prune: bool = False,
        progress: ProgressCallback = no_progress,
        exclude: frozenset[str] = frozenset(),
    ) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        files: list[tuple[Path, Path, str]] = []  # (file, root, source)
        for given in paths:
            path = Path(given)
            if not path.exists():
                report.failures.append(FileFailure(str(given), "no such file or folder"))
                continue
            root = path.resolve() if path.is_dir() else path.resolve().parent
            for file in discover(path.resolve(), exclude):
                files.append((file, root, file.relative_to(root).as_posix()))
        report.files = len(files)

        pending = {(r.tenant, r.source) for r in self.catalog.sources() if r.state == "pending"}
        plans: list[_Plan] = []
        seen: dict[str, set[str]] = {}
        for done, (file, root, source) in enumerate(files, start=1):
            progress("read", done, len(files))
            seen.setdefault(str(root), set()).add(source)
            try:
                plan = self._plan_file(file, root, source, tenant, pending)
            except LoadError as exc:
                report.failures.append(FileFailure(str(file), str(exc)))
                continue
            except OSError as exc:
                report.failures.append(FileFailure(str(file), f"cannot read: {exc.strerror or exc}"))
                continue
            if isinstance(plan, int):
                report.files_unchanged += 1
                report.chunks_unchanged += plan  # a re-run of unchanged files says how much it kept
                continue
            plans.append(plan)

        if plans:
            self._apply(plans, report, progress)
        if prune:
            for root_dir, sources in seen.items():
                report.sources_pruned += self._prune(root_dir, sources, report)
            for given in paths:
                folder = Path(given).resolve()
                if folder.is_dir() and str(folder) not in seen:
                    report.sources_pruned += self._prune(str(folder), set(), report)
        if plans or report.sources_pruned or self.lexical.saved_generation() != self.catalog.generation():
            # also when nothing changed but the saved BM25 index is older than the catalog: a run
            # killed between its catalog commit and its rebuild (readers never write it)
            self.lexical.rebuild()
        report.seconds = time.perf_counter() - started
        return report

    def index_document(
        self,
        *,
        data: bytes,
        name: str,
        source: str,
        tenant: str,
        author: str | None = None,
        notes_only: bool = False,
    ) -> IngestReport:
        """Index one uploaded document (API notes and files) as `source` in `tenant`, replacing
        an earlier version; problems raise LoadError instead of being collected.

        `notes_only` stores it as a note whatever its front matter says: no bank items (they would be
        shown word for word to every mentee of the tenant) and no guide or framework kinds."""
        started = time.perf_counter()
        report = IngestReport(files=1)
        if len(data) > self.max_file_bytes:
            raise LoadError(
                f"document is {len(data) / 1_000_000:.1f} MB, larger than the "
                f"{self.max_file_bytes / 1_000_000:.1f} MB limit (COMPANION_MAX_FILE_MB)"
            )
        root = f"api:{tenant}"
        file_hash = self._file_hash(data + f"\x1fauthor={author or ''}\x1fnotes={notes_only}".encode(), tenant)
        same_name = [r for r in self.catalog.find_source(source) if r.tenant == tenant]
        if any(r.root != root for r in same_name):
            raise SourceConflict(
                f"source {source!r} already exists in tenant {tenant!r} (ingested from files); choose another id"
            )
        previous = [r for r in same_name if r.root == root]
        if previous and previous[0].state == "done" and previous[0].file_hash == file_hash:
            report.files_unchanged = 1
            report.chunks_unchanged = previous[0].chunk_count
        else:
            parts = load_bytes(data, name)
            if author is not None:
                parts = [replace(p, meta=replace(p.meta, author=author)) for p in parts]
            if notes_only:
                parts = [as_note(p) for p in parts]
            if any(p.meta.visibility == "mentor_private" and not p.meta.author for p in parts):
                raise LoadError("a mentor_private note needs an author (it belongs to the mentor who wrote it)")
            resolved = resolve_tenant(parts, tenant)
            chunks = self.chunker.chunk_parts(parts, tenant=resolved, source=source)
            if not chunks:
                raise LoadError("no text to index")
            self._apply([_Plan(resolved, source, root, file_hash, chunks)], report, no_progress)
            self.lexical.rebuild()
        report.seconds = time.perf_counter() - started
        return report

    def _file_hash(self, data: bytes, tenant: str | None) -> str:
        digest = hashlib.sha256(data)
        digest.update(f"\x1f{tenant or ''}\x1f{self._settings_key}".encode())
        return digest.hexdigest()

    def _plan_file(
        self, file: Path, root: Path, source: str, tenant_option: str | None, pending: set[tuple[str, str]]
    ) -> _Plan | int:
        """What to index for one file, or, when it is unchanged since the last run, how many chunks it has."""
        size = file.stat().st_size
        if size > self.max_file_bytes:
            raise LoadError(
                f"file is {size / 1_000_000:.1f} MB, larger than the {self.max_file_bytes / 1_000_000:.1f} MB "
                "limit (COMPANION_MAX_FILE_MB)"
            )
        data = file.read_bytes()
        file_hash = self._file_hash(data, tenant_option)
        previous = self.catalog.find_source(source, str(root))
        if (
            len(previous) == 1
            and previous[0].state == "done"
            and previous[0].file_hash == file_hash
            and (previous[0].tenant, source) not in pending
        ):
            return previous[0].chunk_count
        parts = load_bytes(data, file.name)
        tenant = resolve_tenant(parts, tenant_option)
        chunks = self.chunker.chunk_parts(parts, tenant=tenant, source=source)
        if not chunks:
            raise LoadError("no text to index")
        replaces = [(r.tenant, r.source) for r in previous if r.tenant != tenant]
        return _Plan(tenant, source, str(root), file_hash, chunks, replaces)

    def _apply(self, plans: list[_Plan], report: IngestReport, progress: ProgressCallback) -> None:
        """Journal, embed only what Chroma lacks, swap chunks per source, then clean up."""
        self.catalog.mark_pending((p.tenant, p.source, p.root) for p in plans)
        in_store: dict[tuple[str, str], set[str]] = {
            (p.tenant, p.source): self.store.ids_for_source(p.tenant, p.source) for p in plans
        }
        to_embed: dict[str, Chunk] = {}
        for plan in plans:
            existing = in_store[(plan.tenant, plan.source)]
            for chunk in plan.chunks:
                if chunk.chunk_id in existing:
                    report.chunks_unchanged += 1
                else:
                    to_embed.setdefault(chunk.chunk_id, chunk)
        self._embed_and_write(list(to_embed.values()), progress)
        report.chunks_embedded += len(to_embed)
        report.chunks_added += len(to_embed)
        stale_ids: set[str] = set()
        for plan in plans:
            new_ids = {c.chunk_id for c in plan.chunks}
            stale = in_store[(plan.tenant, plan.source)] - new_ids
            stale |= self.catalog.chunk_ids(plan.tenant, plan.source) - new_ids
            stale_ids |= stale
            report.chunks_removed += len(stale)
        if stale_ids:
            self.store.delete(sorted(stale_ids))
        self.catalog.replace_sources([(p.tenant, p.source, p.root, p.file_hash, p.chunks) for p in plans])
        report.files_changed += len(plans)
        for plan in plans:
            for other_tenant, other_source in plan.replaces:
                report.chunks_removed += self._remove(other_tenant, other_source)

    def _embed_and_write(self, chunks: list[Chunk], progress: ProgressCallback) -> None:
        """Embed in length-sorted batches (little padding); each batch is written to the store
        on a second thread while the next one is embedded, so writes hide behind the model."""
        ordered = sorted(chunks, key=lambda c: len(c.embed_text))
        total = len(ordered)
        progress("embed", 0, total)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-writer") as writer:
            pending: Future[None] | None = None
            for start in range(0, total, self.embed_batch):
                batch = ordered[start : start + self.embed_batch]
                vectors = self.embed([c.embed_text for c in batch])
                if pending is not None:
                    pending.result()
                pending = writer.submit(
                    self.store.upsert,
                    [c.chunk_id for c in batch],
                    vectors,
                    [c.embed_text for c in batch],
                    [c.metadata() for c in batch],
                )
                progress("embed", min(start + len(batch), total), total)
            if pending is not None:
                pending.result()

    def _prune(self, root: str, present: set[str], report: IngestReport) -> int:
        removed_sources = 0
        for record in self.catalog.sources():
            if record.root == root and record.source not in present:
                removed_sources += 1
                report.chunks_removed += self._remove(record.tenant, record.source)
        return removed_sources

    def _remove(self, tenant: str, source: str) -> int:
        ids = self.catalog.remove_source(tenant, source)
        ids |= self.store.ids_for_source(tenant, source)
        self.store.delete(sorted(ids))
        return len(ids)

    def forget(self, source: str, tenant: str | None = None) -> tuple[str, int]:
        """Remove one source; without a tenant the source must exist in exactly one tenant."""
        records = [r for r in self.catalog.find_source(source) if tenant is None or r.tenant == tenant]
        if not records:
            where = f" for tenant {tenant!r}" if tenant else ""
            raise NotIndexed(f"source {source!r} is not indexed{where}")
        if len(records) > 1:
            tenants = ", ".join(sorted(r.tenant for r in records))
            raise NotIndexed(f"source {source!r} exists in several tenants ({tenants}); name one with --tenant")
        removed = self._remove(records[0].tenant, source)
        self.lexical.rebuild()
        return records[0].tenant, removed


@contextmanager
def ingest_lock(data_dir: Path, lock_timeout: float, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """One writer per data dir: a second ingest waits up to lock_timeout, then refuses."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "ingest.lock"
    with open(path, "a+") as handle:
        deadline = time.monotonic() + lock_timeout
        warned = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IngestLocked(
                        f"another ingest is writing to {data_dir} (lock {path}); "
                        f"gave up after {lock_timeout:g}s — try again when it finishes"
                    ) from None
                if not warned and on_wait is not None:
                    on_wait(f"another ingest is writing to {data_dir}; waiting up to {lock_timeout:g}s")
                    warned = True
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def resolve_tenant(parts: list[Part], tenant_option: str | None) -> str:
    """The file's tenant: front matter, else the --tenant option, else the default.

    A front-matter tenant that contradicts an explicit --tenant is an error, not a guess.
    """
    declared = {p.meta.tenant for p in parts if p.meta.tenant}
    if len(declared) > 1:
        raise LoadError(f"notes in one file name different tenants ({', '.join(sorted(declared))})")
    if declared:
        (file_tenant,) = declared
        if tenant_option and tenant_option != file_tenant:
            raise LoadError(f"front matter says tenant {file_tenant!r} but this ingest is for tenant {tenant_option!r}")
        return file_tenant
    return tenant_option or vocab.DEFAULT_TENANT
