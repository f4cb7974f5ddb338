"""First start: index the shipped knowledge in the background while the server already answers.

`IndexStatus` is what every reader asks: /readyz, the web pages and the service facade, which
refuses to search or generate (with `KnowledgeIndexing`) rather than answer from half an index.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from companion.retrieval.indexer import IngestLocked, IngestReport
from companion.retrieval.loaders import discover

if TYPE_CHECKING:
    from companion.service import Companion

log = logging.getLogger("companion.first_start")

State = Literal["ready", "indexing", "failed"]
RETRY_AFTER_SECONDS = 5
"""What /readyz and a refused search tell a client to wait while the first index is built."""
LOCK_RETRY_SECONDS = 1.0


class KnowledgeIndexing(RuntimeError):
    """The shipped knowledge is still being indexed: search and generation would miss most of it."""


class KnowledgeIndexFailed(RuntimeError):
    """The first index of the shipped knowledge stopped with an error: the index is incomplete."""


@dataclass(frozen=True)
class IndexProgress:
    state: State
    step: str
    """'model' (loading the embedding model), 'waiting' (for another writer), 'read' or 'embed'."""
    files_done: int
    files_total: int
    chunks_done: int
    chunks_total: int
    problem: str | None
    """Why the index is not whole: the failed files, or the error that stopped it."""

    def public(self) -> dict[str, object]:
        return {
            "state": self.state,
            "step": self.step,
            "files_done": self.files_done,
            "files_total": self.files_total,
            "chunks_done": self.chunks_done,
            "chunks_total": self.chunks_total,
        }

    def words(self) -> str:
        """For a person: the page, /readyz's detail and the 503 a search gets."""
        if self.state == "failed":
            return self.problem or "Indexing the shipped knowledge failed; see the server log."
        if self.state == "ready":
            return "The shipped knowledge is indexed."
        files = f"{self.files_done} of {self.files_total} files"
        if self.step == "model":
            return f"Indexing the shipped knowledge: loading the embedding model, then {self.files_total} files…"
        if self.step == "waiting":
            return (
                f"Indexing the shipped knowledge: {files}… "
                "(waiting for another process that is writing to the same index)"
            )
        if self.step == "embed":
            return (
                f"Indexing the shipped knowledge: {files} read, "
                f"{self.chunks_done} of {self.chunks_total} passages embedded…"
            )
        return f"Indexing the shipped knowledge: {files}…"


class IndexStatus:
    """The first index's state, shared by the indexing thread and request threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._progress = IndexProgress("ready", "done", 0, 0, 0, 0, None)
        self.fatal = False

    def snapshot(self) -> IndexProgress:
        with self._lock:
            return self._progress

    @property
    def indexing(self) -> bool:
        return self.snapshot().state == "indexing"

    def _update(self, **changes: object) -> None:
        with self._lock:
            values = {**self._progress.public(), "problem": self._progress.problem, **changes}
            self._progress = IndexProgress(**values)  # type: ignore[arg-type]

    def begin(self, files_total: int) -> None:
        self.fatal = False
        self._update(state="indexing", step="model", files_done=0, files_total=files_total, problem=None)

    def wait_for_writer(self) -> None:
        self._update(step="waiting")

    def advance(self, phase: str, done: int, total: int) -> None:
        """An ingest ProgressCallback: files read, then chunks embedded."""
        if phase == "read":
            self._update(step="read", files_done=done, files_total=total)
        elif phase == "embed":
            self._update(step="embed", chunks_done=done, chunks_total=total)

    def finish(self, report: IngestReport) -> None:
        if not report.failures:
            self._update(state="ready", step="done", files_done=report.files, problem=None)
            return
        failed = "; ".join(f"{f.path}: {f.problem}" for f in report.failures[:5])
        more = f" and {len(report.failures) - 5} more" if len(report.failures) > 5 else ""
        problem = (
            f"Indexing the shipped knowledge finished with problems: {len(report.failures)} of {report.files} "
            f"files could not be indexed ({failed}{more}). Search uses the other files; fix or remove these "
            "files, then run `companion ingest` on the knowledge folder or restart."
        )
        self._update(state="failed", step="done", files_done=report.files, problem=problem)

    def fail(self, error: BaseException) -> None:
        self.fatal = True
        problem = (
            f"Indexing the shipped knowledge failed ({type(error).__name__}: {error}). The server stays up, "
            "but search and suggestions are off until the index is whole: fix the cause and restart."
        )
        self._update(state="failed", step="done", problem=problem)

    def require_ready(self) -> None:
        """Raise instead of letting a search or a task run on an index that is not whole."""
        progress = self.snapshot()
        if progress.state == "indexing":
            raise KnowledgeIndexing(f"{progress.words()} Search and suggestions start when it is done.")
        if progress.state == "failed" and self.fatal:
            raise KnowledgeIndexFailed(progress.words())


def needs_first_index(companion: Companion) -> bool:
    """An empty catalog: nothing was ever indexed in this data dir (today's first-start rule)."""
    return not companion.catalog.sources()


def index_in_background(
    companion: Companion, on_done: Callable[[IndexProgress, float], None] | None = None
) -> threading.Thread:
    """Load the embedding model and index the shipped knowledge on a daemon thread; the
    writer lock keeps other writers (a second worker, `companion ingest`) in turn."""
    status = companion.index_status
    knowledge = companion.settings.resolved_knowledge_dir()
    from companion.service import KNOWLEDGE_EXCLUDE

    files_total = len(list(discover(knowledge, KNOWLEDGE_EXCLUDE))) if knowledge.is_dir() else 0
    status.begin(files_total)

    def run() -> None:
        started = time.monotonic()
        try:
            companion.load_models()
            while True:
                try:
                    report = companion.ingest_shipped_knowledge(
                        progress=status.advance, on_wait=lambda _message: status.wait_for_writer()
                    )
                    break
                except IngestLocked:
                    status.wait_for_writer()
                    time.sleep(LOCK_RETRY_SECONDS)
            status.finish(report)
            if report.failures:
                log.error(
                    "some shipped knowledge files could not be indexed",
                    extra={"failed_files": [f.path for f in report.failures], "files": report.files},
                )
            else:
                log.info("indexed the shipped knowledge", extra={"files": report.files, "added": report.chunks_added})
        except Exception as exc:  # the server stays up and says why on /readyz
            status.fail(exc)
            log.error("indexing the shipped knowledge failed", extra={"error": type(exc).__name__})
        if on_done is not None:
            on_done(status.snapshot(), time.monotonic() - started)

    thread = threading.Thread(target=run, name="first-index", daemon=True)
    thread.start()
    return thread
