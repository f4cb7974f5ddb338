"""The first-index state that /readyz, the pages and the service facade read."""

from __future__ import annotations

import pytest

from companion.first_start import IndexStatus, KnowledgeIndexFailed, KnowledgeIndexing
from companion.retrieval.indexer import FileFailure, IngestReport


def test_searches_are_refused_while_indexing_and_allowed_once_it_is_done() -> None:
    status = IndexStatus()
    status.require_ready()  # a status nobody started is ready: nothing to index
    status.begin(files_total=3)
    status.advance("read", 2, 3)
    with pytest.raises(KnowledgeIndexing, match="2 of 3 files"):
        status.require_ready()
    status.advance("embed", 10, 40)
    assert "10 of 40 passages" in status.snapshot().words()
    status.finish(IngestReport(files=3))
    status.require_ready()
    assert status.snapshot().state == "ready"


def test_a_file_that_failed_is_named_but_search_goes_on_over_the_rest() -> None:
    status = IndexStatus()
    status.begin(files_total=2)
    status.finish(IngestReport(files=2, failures=[FileFailure("guides/bad.md", "unknown theme(s) x")]))
    progress = status.snapshot()
    assert progress.state == "failed" and "1 of 2 files" in progress.words() and "guides/bad.md" in progress.words()
    status.require_ready()


def test_an_error_that_stopped_the_index_keeps_search_off_and_says_why() -> None:
    status = IndexStatus()
    status.begin(files_total=2)
    status.fail(OSError("disk full"))
    with pytest.raises(KnowledgeIndexFailed, match="disk full"):
        status.require_ready()
