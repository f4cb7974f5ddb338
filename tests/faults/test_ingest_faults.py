"""Ingest under faults, with the real CLI in real processes and the real embedding model.

- An ingest killed with SIGKILL while it embeds, then run again, leaves exactly the index a clean
  run leaves: the same chunk ids and content hashes in the catalog, the same ids in Chroma, the
  same BM25 documents, nothing pending, nothing duplicated, nothing missing, and every chunk
  findable by dense search. The rerun reuses the vectors the killed run had already written.
- Two ingests on one embedded data dir take turns: the second says on stderr that another
  ingest is writing and waits, or, with a tiny COMPANION_LOCK_TIMEOUT, refuses with that
  message and changes nothing. Afterwards catalog, Chroma and BM25 agree.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import sqlite3
import subprocess
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from companion import service as service_module
from tests.conftest import make_settings
from tests.faults.helpers import (
    IndexSnapshot,
    cli_env,
    pending_sources,
    problem,
    snapshot,
    write_corpus,
)
from tests.servers import COMMAND, wait_for

pytestmark = pytest.mark.slow

RUN_TIMEOUT = 300  # seconds any one CLI run may take on a loaded 2-core machine


def start_ingest(folder: Path, data_dir: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*COMMAND, "ingest", str(folder), "--json"],
        env=cli_env(data_dir, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, dict[str, object], str]:
    """Wait for an ingest; returns (exit code, its JSON report, stderr with rich's line wrapping undone)."""
    try:
        stdout, stderr = process.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    report = json.loads(stdout.strip().splitlines()[-1]) if stdout.strip() else {}
    return process.returncode, report, stderr.replace("\n", "")


def ingest(folder: Path, data_dir: Path, **env: str) -> dict[str, object]:
    code, report, stderr = finish(start_ingest(folder, data_dir, **env))
    assert code == 0, stderr
    assert report["failures"] == [], report
    return report


def vectors_written(data_dir: Path) -> int:
    """Vectors the embedded store has accepted so far, read from its SQLite log without locking it
    for long. Only used to time the kill; every assertion goes through public interfaces."""
    path = data_dir / "chroma" / "chroma.sqlite3"
    if not path.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.5)) as db:
            return int(db.execute("SELECT COUNT(*) FROM embeddings_queue").fetchone()[0])
    except sqlite3.Error:
        return 0


def dense_top_hits(data_dir: Path, texts: list[str], tmp_path: Path) -> list[str]:
    """`companion search --mode dense` for each text (one process); returns the top hit's text."""
    queries = tmp_path / f"queries-{data_dir.name}.txt"
    queries.write_text("\n".join(texts), encoding="utf-8")
    result = subprocess.run(
        [*COMMAND, "search", "--from-file", str(queries), "--mode", "dense", "--k", "1", "--json"],
        env=cli_env(data_dir),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line)["results"][0]["text"] for line in result.stdout.splitlines()]


def assert_same_index(resumed: IndexSnapshot, clean: IndexSnapshot) -> None:
    assert resumed.chunks == clean.chunks, "chunk ids or content hashes differ from a clean run"
    assert resumed.chroma_ids == clean.chroma_ids
    assert sorted(resumed.bm25_ids) == sorted(clean.bm25_ids)
    assert resumed.sources == clean.sources


def sample_texts(data_dir: Path, every: int) -> list[str]:
    from companion.retrieval.catalog import Catalog

    records = list(Catalog(data_dir / "catalog.sqlite3").iter_chunks())
    return [r.text for r in records[::every]]


def test_an_ingest_killed_midway_then_rerun_equals_a_clean_run(tmp_path: Path) -> None:
    corpus = tmp_path / "kb"
    write_corpus(corpus, files=40, sections=8)
    crashed, clean = tmp_path / "crashed", tmp_path / "clean"

    victim = start_ingest(corpus, crashed)
    try:
        assert wait_for(lambda: pending_sources(crashed) > 0 or victim.poll() is not None, timeout=120)
        assert victim.poll() is None, "ingest ended before it started writing"
        # Kill once the first batch of vectors has landed, while the next batch is being embedded.
        landed = wait_for(lambda: vectors_written(crashed) > 0 or victim.poll() is not None, timeout=240, interval=0.25)
        assert landed and victim.poll() is None, "ingest finished before it could be killed: enlarge the corpus"
        os.kill(victim.pid, signal.SIGKILL)
    finally:
        if victim.poll() is None:
            victim.kill()
        victim.communicate(timeout=60)
    assert victim.returncode == -signal.SIGKILL
    assert pending_sources(crashed) == 40, "the killed run journalled every changed source as pending"

    resumed_report = ingest(corpus, crashed)
    clean_report = ingest(corpus, clean)

    assert clean_report["chunks_added"] == 320
    # The rerun redid every pending source, and found in Chroma (and did not embed again) the
    # vectors the killed run had written.
    assert resumed_report["files_changed"] == 40
    assert resumed_report["chunks_embedded"] + resumed_report["chunks_unchanged"] == 320  # type: ignore[operator]
    assert resumed_report["chunks_unchanged"] > 0  # type: ignore[operator]

    resumed, reference = snapshot(crashed), snapshot(clean)
    reference.assert_consistent()
    resumed.assert_consistent()
    assert_same_index(resumed, reference)
    assert len(resumed.chunks) == 320

    texts = sample_texts(crashed, every=8)
    assert dense_top_hits(crashed, texts, tmp_path) == texts, "a chunk is missing from the vector index"

    again = ingest(corpus, crashed)
    assert again["files_unchanged"] == 40 and again["chunks_added"] == 0


def test_two_ingests_on_one_data_dir_take_turns(tmp_path: Path) -> None:
    first_corpus, second_corpus = tmp_path / "kb-first", tmp_path / "kb-second"
    write_corpus(first_corpus, files=40, sections=8, seed=1)
    write_corpus(second_corpus / "more", files=10, sections=4, seed=2)
    data_dir = tmp_path / "data"
    lock_file = data_dir / "ingest.lock"

    first = start_ingest(first_corpus, data_dir)
    try:
        holds_lock = wait_for(
            lambda: first.poll() is not None or (lock_file.exists() and lock_file.read_text() == str(first.pid)),
            timeout=120,
        )
        assert holds_lock and first.poll() is None, "the first ingest never took the lock"

        impatient = start_ingest(second_corpus, data_dir, COMPANION_LOCK_TIMEOUT="0.5")
        code, report, stderr = finish(impatient)
        assert code == 1 and report == {}
        assert f"another ingest is writing to {data_dir}" in stderr and "gave up after 0.5s" in stderr, stderr
        assert first.poll() is None, "the first ingest finished too soon to show a refusal"

        patient = start_ingest(second_corpus, data_dir, COMPANION_LOCK_TIMEOUT=str(RUN_TIMEOUT))
        patient_code, patient_report, patient_stderr = finish(patient)
        first_code, first_report, first_stderr = finish(first)
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate(timeout=60)

    assert first_code == 0, first_stderr
    assert first_report["chunks_added"] == 320 and first_report["failures"] == []
    assert patient_code == 0, patient_stderr
    assert f"another ingest is writing to {data_dir}; waiting up to {RUN_TIMEOUT}s" in patient_stderr
    assert patient_report["files_changed"] == 10 and patient_report["chunks_added"] == 40

    index = snapshot(data_dir)
    index.assert_consistent()
    assert len(index.chunks) == 360
    assert len(index.sources) == 50 and all(state == "done" for state, _ in index.sources.values())
    texts = sample_texts(data_dir, every=9)
    assert dense_top_hits(data_dir, texts, tmp_path) == texts, "a chunk is missing from the vector index"


def test_a_write_request_behind_a_held_writer_lock_is_refused_as_busy_not_left_hanging(
    tmp_path: Path, small_knowledge: Path, app_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by schemathesis: a DELETE of a missing source waited the full 60 s lock timeout behind busy
    writers, past the client's own timeout. A missing source is answered at once; a real write waits at
    most REQUEST_LOCK_WAIT and then gets a 503 with Retry-After, and nothing stored changes."""
    monkeypatch.setattr(service_module, "REQUEST_LOCK_WAIT", 0.5)
    client = app_client(make_settings(tmp_path / "data", knowledge_dir=small_knowledge))
    note = {"id": "lock-note", "text": "Weekly one-to-ones helped Sam plan the rota."}
    assert client.post("/v1/knowledge/notes", json={"notes": [note]}).status_code == 201
    with open(tmp_path / "data" / "ingest.lock", "a+") as handle:  # another writer holds the lock
        fcntl.flock(handle, fcntl.LOCK_EX)
        started = time.monotonic()
        problem(client.delete("/v1/knowledge/no-such-source"), 404)
        assert time.monotonic() - started < 0.5, "a missing source must not wait for the writer lock"
        for response in (
            client.delete("/v1/knowledge/lock-note"),
            client.post("/v1/knowledge/notes", json={"notes": [{**note, "text": "Replaced while locked."}]}),
        ):
            body = problem(response, 503)
            assert response.headers["retry-after"] and "another ingest" in body["detail"]
        fcntl.flock(handle, fcntl.LOCK_UN)
    listed = client.get("/v1/knowledge").json()
    assert [s for s in listed if s["source"] == "lock-note"], listed
    found = client.get("/v1/search", params={"q": "one-to-ones rota"}).json()["results"]
    assert any("Weekly one-to-ones" in r["text"] for r in found) and not any("Replaced" in r["text"] for r in found)
