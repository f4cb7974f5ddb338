"""The six generation commands: real retrieval over the indexed shipped knowledge, both output formats,
and one clear error line for a bad context file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from companion.generation.taskspec import TASK_SPECS
from tests.generation.support import SAMPLE_CONTEXT

COMMANDS = {
    "agenda": "agenda",
    "icebreakers": "icebreakers",
    "feedback": "feedback",
    "decide": "decision",
    "reflect": "reflection",
    "goals": "goals",
}


@pytest.fixture
def indexed_env(knowledge_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the CLI at the session's index of the shipped knowledge (read-only use)."""
    monkeypatch.setenv("COMPANION_DATA_DIR", str(knowledge_data_dir))


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_prints_its_output_model_as_json(run_cli, indexed_env: None, command: str) -> None:
    code, out, err = run_cli(command, "--context", str(SAMPLE_CONTEXT), "--format", "json")
    assert code == 0, err
    output = TASK_SPECS[COMMANDS[command]].output.model_validate(json.loads(out))
    assert output.generator.provider == "offline" and output.citations


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_prints_markdown_with_sources(run_cli, indexed_env: None, command: str) -> None:
    code, out, err = run_cli(command, "--context", str(SAMPLE_CONTEXT))
    assert code == 0, err
    assert out.startswith("## ")
    assert "### Sources" in out and "_Written by the offline generator" in out


def test_agenda_markdown_reads_like_a_calendar_invite(run_cli, indexed_env: None) -> None:
    code, out, _ = run_cli("agenda", "--context", str(SAMPLE_CONTEXT))
    assert code == 0
    assert out.startswith("## Session 3 with Priya Raman: agenda (45 minutes)\n\nDate: 2026-11-24\n")
    assert re.search(r"^1\. \*\*0:00–0:\d\d Check-in[^*]*\*\* \(\d+ min\) *$", out, re.M), out[:400]
    assert "**0:40–0:45 Next steps and action items** (5 min)" in out
    assert "- [ ] Share two customer references with Priya (Dana, due 2026-11-17, overdue)" in out


def test_json_flag_is_the_same_as_format_json(run_cli, indexed_env: None) -> None:
    _, by_flag, _ = run_cli("goals", "--context", str(SAMPLE_CONTEXT), "--json")
    _, by_format, _ = run_cli("goals", "--context", str(SAMPLE_CONTEXT), "--format", "json")
    assert json.loads(by_flag) == json.loads(by_format)


def test_notes_file_and_tenant_override(run_cli, indexed_env: None, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("- Priya will email the two angels by Friday\n- agreed to drop the B2C pilot\n", encoding="utf-8")
    code, out, err = run_cli(
        "feedback", "--context", str(SAMPLE_CONTEXT), "--notes", str(notes), "--tenant", "globex", "--format", "json"
    )
    assert code == 0, err
    summary = json.loads(out)
    assert summary["action_items"] == [
        {"text": "Email the two angels", "owner": "mentee", "due": "2026-11-27", "done": False}
    ]
    assert summary["decisions"] == ["We agreed to drop the B2C pilot."]
    assert not any("acme" in c["source"] for c in summary["citations"])


def test_a_json_context_file_works(run_cli, indexed_env: None, tmp_path: Path) -> None:
    context = tmp_path / "context.json"
    context.write_text(json.dumps({"mentee": {"name": "Sam", "interests": ["rowing"]}}), encoding="utf-8")
    code, out, err = run_cli("icebreakers", "--context", str(context), "--format", "json")
    assert code == 0, err
    assert 3 <= len(json.loads(out)["questions"]) <= 5


@pytest.mark.parametrize(
    ("content", "suffix", "message"),
    [
        (
            "mentee: {name: P}\nsession: {duration_minutes: 5}\n",
            ".yaml",
            "session.duration_minutes must be between 10 and 240",
        ),
        ("mentor: {name: Dana}\n", ".yaml", "mentee is required"),
        ("mentee: {name: P, hobbies: [chess]}\n", ".yaml", "mentee.hobbies is not a known field"),
        ("mentee: [unclosed\n", ".yml", "is not valid YAML (line 2)"),
        ('{"mentee": ', ".json", "is not valid JSON (line 1)"),
        ("- just\n- a list\n", ".yaml", "must hold a mapping of context fields"),
    ],
)
def test_a_bad_context_file_is_one_clear_error(
    run_cli, indexed_env: None, tmp_path: Path, content: str, suffix: str, message: str
) -> None:
    path = tmp_path / f"context{suffix}"
    path.write_text(content, encoding="utf-8")
    code, out, err = run_cli("agenda", "--context", str(path))
    assert code == 1 and out == ""
    assert message in one_line(err) and str(path) in one_line(err)
    assert "Traceback" not in err


def test_missing_inputs_and_files_are_reported_plainly(run_cli, indexed_env: None, tmp_path: Path) -> None:
    minimal = tmp_path / "minimal.yaml"
    minimal.write_text("mentee: {name: Sam}\n", encoding="utf-8")
    code, _, err = run_cli("decide", "--context", str(minimal))
    assert code == 1 and "the decide task needs a decision" in one_line(err)
    code, _, err = run_cli("feedback", "--context", str(minimal))
    assert code == 1 and "the feedback task needs session notes" in one_line(err)
    code, _, err = run_cli("agenda", "--context", str(tmp_path / "absent.yaml"))
    assert code == 1 and "cannot read context file" in one_line(err)
    code, _, err = run_cli("agenda", "--context", str(minimal), "--format", "html")
    assert code == 2 and "--format must be md or json" in one_line(err)


def test_an_empty_index_says_to_ingest_first(run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path / "empty"))
    code, _, err = run_cli("agenda", "--context", str(SAMPLE_CONTEXT))
    assert code == 1 and "companion knowledge ingest" in one_line(err)
