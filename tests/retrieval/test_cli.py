"""The `companion` command: exit codes, summaries and the documented JSON shapes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.retrieval.helpers import sample_folder, write


def test_ingest_search_stats_forget_json(run_cli, tmp_path: Path) -> None:
    folder = sample_folder(tmp_path / "kb")
    code, out, err = run_cli("ingest", str(folder), "--tenant", "acme", "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["files"] == 4 and summary["chunks_added"] == 5 and summary["failures"] == []
    assert set(summary) >= {"files", "chunks_added", "chunks_unchanged", "chunks_removed", "failures", "seconds"}

    code, out, err = run_cli("ingest", str(folder), "--tenant", "acme", "--json")
    again = json.loads(out)
    assert (again["files_unchanged"], again["chunks_added"], again["chunks_unchanged"]) == (4, 0, 5)

    code, out, err = run_cli("search", "hiking and chess", "--tenant", "acme", "--k", "2")
    assert code == 0, err
    assert not re.search(r"\(0\.\d{4}\)", out), "a fused score means nothing to a reader: --json keeps it"

    queries = tmp_path / "queries.txt"
    queries.write_text("hiking and chess\n\nburnout and rest\n")
    code, out, err = run_cli("search", "--from-file", str(queries), "--tenant", "acme", "--k", "2", "--json")
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["query"] for line in lines] == ["hiking and chess", "burnout and rest"]
    for line in lines:
        assert 1 <= len(line["results"]) <= 2
        for result in line["results"]:
            assert set(result) == {"chunk_id", "source", "title", "heading", "score", "text"}
    assert lines[0]["results"][0]["source"] == "guides/icebreakers.md"

    code, out, _ = run_cli("stats", "--json")
    stats = json.loads(out)
    assert stats["sources"] == 4 and stats["chunks"] == 5 == stats["vectors"]
    assert stats["by_tenant"] == {"acme": {"sources": 4, "chunks": 5}}
    assert stats["by_kind"] == {"guide": 3, "note": 2}

    code, out, _ = run_cli("forget", "notes/session.txt", "--json")
    assert code == 0 and json.loads(out) == {"source": "notes/session.txt", "tenant": "acme", "chunks_removed": 1}
    code, _, err = run_cli("forget", "notes/session.txt")
    assert code == 1 and "source 'notes/session.txt' is not indexed" in err


def test_ingest_exit_code_is_non_zero_when_a_file_fails(run_cli, tmp_path: Path) -> None:
    folder = sample_folder(tmp_path / "kb")
    (folder / "broken.md").write_bytes(b"\xff\xfe\x00binary")
    code, out, err = run_cli("ingest", str(folder))
    assert code == 1
    assert "broken.md: binary file" in " ".join(err.split())
    assert "Ingest summary" in out
    code, _, err = run_cli("search", "x", "--theme", "astrology")
    assert code == 1 and "unknown theme astrology" in err
    code, _, err = run_cli("search")
    assert code == 2 and "give a QUERY" in err


def test_console_script_runs_end_to_end(tmp_path: Path) -> None:
    """The installed `companion` entry point, in a fresh process, with the data dir from the environment."""
    folder = tmp_path / "kb"
    write(folder / "one.md", "---\ntitle: Cadence\n---\n# Cadence\n\nMeet every other Tuesday for 45 minutes.\n")
    env = {**os.environ, "COMPANION_DATA_DIR": str(tmp_path / "data")}
    script = Path(sys.executable).with_name("companion")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "companion.cli"]
    done = subprocess.run(
        [*command, "ingest", str(folder), "--json"], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    found = subprocess.run(
        [*command, "search", "how often should we meet", "--json"], env=env, capture_output=True, text=True, timeout=300
    )
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["results"][0]["source"] == "one.md"
    assert (tmp_path / "data" / "chroma").is_dir() and (tmp_path / "data" / "bm25" / "generation").is_file()


def test_help_shows_no_type_after_a_flag(run_cli) -> None:
    code, out, _ = run_cli("search", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "<bool>" not in text and "<str>" not in text
    assert "--include-private Also return" in text  # a flag takes no value, so none is shown
    assert "--k INTEGER" in text and "--from-file PATH" in text


def test_a_search_snippet_ends_at_a_word() -> None:
    from companion.cli import _snippet

    text = "Set the rules early: how much notice to give before cancelling " * 8
    snippet = _snippet(text, limit=100)
    assert snippet.endswith("…") and len(snippet) <= 101
    assert text.startswith(snippet[:-1]) and text[len(snippet) - 1] == " "  # cut before a space, not inside a word
    assert _snippet("Short enough.") == "Short enough."
