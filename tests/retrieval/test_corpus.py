"""The real, messy corpus in ../shared/corpus: cleaned prose, clear failures, real citations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from companion.service import Companion
from tests.conftest import CORPUS

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
FOLDERS = ("developer-mentoring", "18f-handbook", "buckwoody-mentoring")


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory: pytest.TempPathFactory, embedder) -> tuple[Companion, object]:
    from tests.conftest import make_settings

    service = Companion(make_settings(tmp_path_factory.mktemp("corpus")), embedder=embedder)
    report = service.ingest([CORPUS / name for name in FOLDERS])
    return service, report


def test_markup_never_reaches_the_index(corpus_index) -> None:
    service, report = corpus_index
    assert report.files_changed > 50
    leftovers = re.compile(r"(:::|<[a-zA-Z/][^>]*>|\{%|%\}|\{\{|^import .* from|\]\(http)", re.M)
    for record in service.catalog.iter_chunks():
        assert not leftovers.search(record.text), (record.source, leftovers.search(record.text))


def test_every_corpus_file_is_indexed_and_note_shaped_json_is_read_as_notes(corpus_index) -> None:
    service, report = corpus_index
    assert report.failures == []
    assert service.catalog.counts()["sources"] == report.files
    quiz = [r for r in service.catalog.iter_chunks() if r.source == "quiz_questions.json"]
    assert len(quiz) == 30 and all(r.meta["kind"] == "note" for r in quiz)


def test_json_that_is_not_notes_fails_clearly_and_the_rest_is_indexed(companion: Companion) -> None:
    folder = CORPUS / "1on1-questions"
    report = companion.ingest([folder])
    assert [(Path(f.path).name, f.problem) for f in report.failures] == [
        (
            "questions.json",
            "not a mentor-notes file: expected a note object with 'text', a list of notes, or {\"notes\": [...]}",
        )
    ]
    assert {r.source for r in companion.catalog.sources()} == {"README.md"}


def test_citations_point_at_real_corpus_files(corpus_index) -> None:
    service, _ = corpus_index
    response = service.search("how should a mentor structure the first meeting", k=5)
    assert len(response.results) == 5
    for result in response.results:
        matches = [CORPUS / folder / result.source for folder in FOLDERS if (CORPUS / folder / result.source).is_file()]
        assert matches, result.source
        assert result.heading.startswith(result.title)
