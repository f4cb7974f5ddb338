"""Builders shared by the offline generation tests: the sample context, one-call generation and snapshots."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import yaml

from companion.generation.base import Audience, Retrieved
from companion.generation.offline import OfflineComposer
from companion.generation.taskspec import task_spec
from companion.retrieval.retriever import SearchResult
from companion.schemas import MentoringContext, _Output
from companion.service import Companion

REPO = Path(__file__).resolve().parents[2]
SAMPLE_CONTEXT = REPO / "examples" / "context.yaml"
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
MENTOR = "Dana Okafor"

CONTEXTS: dict[str, dict[str, Any]] = {
    # Changes applied to the sample context; each is run through every task and snapshotted.
    "sample": {},
    "first_session_engineer": {
        "tenant": "globex",
        "mentor": {"name": "Mei Tanaka", "interests": ["climbing"]},
        "mentee": {
            "name": "Tom Berg",
            "role": "senior engineer",
            "situation": "wants to lead the platform team",
            "goals": ["lead the platform team by Q3", "give a first conference talk"],
            "interests": ["climbing", "baking"],
            "challenges": ["saying no to extra work"],
        },
        "session": {"number": 1, "duration_minutes": 30, "focus": [], "date": "2027-01-12"},
        "open_action_items": [],
        "previous_icebreakers": [],
        "notes": (
            "First session with Tom, 12 Jan. Coffee place near the office, 30 min.\n"
            "- Background: 6 yrs backend, senior for 2. Platform team lead role opens in Q3.\n"
            "- Went well: he was very open about wanting the lead role, clear about why.\n"
            "- He struggled to name anything he'd stop doing to make room.\n"
            "- We agreed to meet every other Tuesday, 30 minutes.\n"
            "- Tom will write down his top three 'say no' candidates by Friday\n"
            "- I'll send him the team-lead expectations doc tomorrow\n"
            "- TODO: check if the internal speaker programme still has spring slots\n"
        ),
        "decision": {
            "statement": "Accept the interim tech lead role on the payments team?",
            "options": ["accept it as a six-month trial", "decline and wait for the platform lead role"],
            "deadline": "2027-02-01",
            "risk_appetite": "low",
        },
    },
}


def sample_data() -> dict[str, Any]:
    """The shipped example context as plain data (a fresh copy every time)."""
    return copy.deepcopy(yaml.safe_load(SAMPLE_CONTEXT.read_text(encoding="utf-8")))


def merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Nested update: {'session': {'number': 1}} changes one field and keeps the rest."""
    merged = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def sample_context(**changes: Any) -> MentoringContext:
    return MentoringContext.model_validate(merge(sample_data(), changes))


def mentor_audience(task: str) -> Audience:
    """What the CLI uses: operator mode for mentor tasks, mentee-facing for reflection."""
    return Audience(mentee_facing=True) if task == "reflection" else Audience(include_all_private=True)


def compose(
    companion: Companion, task: str, context: MentoringContext, audience: Audience | None = None
) -> tuple[_Output, Retrieved]:
    """Retrieve and compose offline, keeping the retrieved bundle so citations can be checked against it."""
    retrieved = task_spec(task).retrieve(context, companion.retriever, audience or mentor_audience(task))
    return OfflineComposer().generate(task, context, retrieved), retrieved


def as_json(output: _Output) -> str:
    return json.dumps(output.model_dump(mode="json"), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def check_snapshot(name: str, output: _Output) -> None:
    """Compare with snapshots/<name>.json; UPDATE_SNAPSHOTS=1 rewrites the file instead."""
    path = SNAPSHOTS / f"{name}.json"
    actual = as_json(output)
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"missing snapshot {path.name}; run with UPDATE_SNAPSHOTS=1 to create it"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, (
        f"{path.name} differs from the offline output; if the change is intended, "
        "run `UPDATE_SNAPSHOTS=1 python -m pytest tests/generation` and review the diff"
    )


def search_result(chunk_id: str, *, source: str = "banks/agenda-blocks.md", **fields: Any) -> SearchResult:
    """A shared, global retrieval result for unit tests of composers and drafts; `fields` override the rest."""
    values: dict[str, Any] = {
        "title": Path(source).stem,
        "heading": Path(source).stem,
        "score": 1.0,
        "text": "A passage.",
        "tenant": "global",
        "kind": "question_bank",
        "themes": (),
        "stage": "any",
        "audience": "mentor",
        "visibility": "shared",
    }
    values.update(fields)
    return SearchResult(chunk_id=chunk_id, source=source, **values)
