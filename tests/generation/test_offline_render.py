"""Markdown rendering of every output model: readable sections, running clock times, a short source list."""

from __future__ import annotations

import json
import re

import pytest

from companion.generation.taskspec import TASK_SPECS, render_markdown
from companion.schemas import TASKS, Agenda, _Output
from tests.generation.support import SNAPSHOTS, sample_context


def snapshot_output(task: str) -> _Output:
    """Render from the committed snapshots: no index needed, and the input is fixed."""
    data = json.loads((SNAPSHOTS / f"{task}-sample.json").read_text(encoding="utf-8"))
    return TASK_SPECS[task].output.model_validate(data)


@pytest.mark.parametrize("task", TASKS)
def test_every_output_renders_with_sources_and_generator_line(task: str) -> None:
    output = snapshot_output(task)
    text = render_markdown(output, sample_context())
    assert text.startswith("## ") and text.endswith("\n")
    sources = text.split("### Sources\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert sources and len(sources) == len(set(sources))
    assert len(sources) <= len(output.citations)
    assert f"_Written by the offline generator (grounded-composer, {output.generator.prompt_version})._" in text
    assert "{" not in text.replace("{goal}", "")


def test_agenda_clock_times_run_continuously_to_the_session_length() -> None:
    agenda = snapshot_output("agenda")
    assert isinstance(agenda, Agenda)
    text = render_markdown(agenda)
    spans = re.findall(r"\*\*(\d+):(\d\d)–(\d+):(\d\d) ", text)
    starts = [int(h) * 60 + int(m) for h, m, _, _ in spans]
    ends = [int(h) * 60 + int(m) for _, _, h, m in spans]
    assert starts[0] == 0 and ends[-1] == agenda.total_minutes
    assert starts[1:] == ends[:-1]
    assert text.startswith("## Session: agenda (45 minutes)")


@pytest.mark.parametrize("task", ["feedback", "agenda"])
def test_an_export_leaves_out_the_generators_notes_to_the_mentor(task: str) -> None:
    """The web's .md export goes into a calendar invite or to the mentee; 'Relative dates are counted from…'
    and similar notes are for the mentor reading the output, not for them."""
    output = snapshot_output(task)
    assert output.generator.notes, "the snapshot should carry generator notes for this test to mean anything"
    note = output.generator.notes[0]
    assert f"_{note}_" in render_markdown(output, sample_context())
    exported = render_markdown(output, sample_context(), generator_notes=False)
    assert note not in exported and "_Written by the offline generator" in exported


def test_a_fallback_reason_is_shown() -> None:
    output = snapshot_output("icebreakers")
    output.generator.fallback_reason = "connection refused"
    assert "the LLM was not used: connection refused" in render_markdown(output)


def test_reflection_groups_prompts_by_goal() -> None:
    text = render_markdown(snapshot_output("reflection"))
    assert "### For your goal: raise a seed round by June" in text
    assert "### For your goal: hire a first engineer" in text
    assert "### General" in text
