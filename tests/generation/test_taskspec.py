"""Each task is defined once (`TaskSpec`); its draft, JSON schema and prompt shape derive from its output model."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, get_args

import pytest
from pydantic import BaseModel

from companion.generation.drafts import CitationResolver, InvalidDraft, draft_model
from companion.generation.prompts import PROMPTS_DIR
from companion.generation.tasks.common import MissingInput, normalise
from companion.generation.taskspec import TASK_SPECS, render_markdown, task_spec
from companion.retrieval.retriever import SearchResult
from companion.schemas import (
    TASKS,
    ByCode,
    Citation,
    GeneratorInfo,
    MenteeProfile,
    MentoringContext,
    SessionInfo,
    question_key,
)
from tests.generation.support import search_result


def _types(annotation: Any) -> set[Any]:
    found = {annotation}
    for arg in get_args(annotation):
        found |= _types(arg)
    return found


def _walk(model: type[BaseModel]) -> list[tuple[type[BaseModel], str, Any]]:
    rows = []
    for name, info in model.model_fields.items():
        rows.append((model, name, info))
        for inner in _types(info.annotation):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                rows += _walk(inner)
    return rows


def test_every_task_has_one_spec_with_its_templates() -> None:
    assert tuple(TASK_SPECS) == TASKS
    for name, spec in TASK_SPECS.items():
        assert spec.name == name and spec.output.model_fields["task"].default == name
        assert spec.composer_version.startswith(f"offline-{name}-")
        for part in ("system", "user"):
            assert (PROMPTS_DIR / f"{spec.prompt}.{part}.j2").exists()
        assert "{{ json_shape }}" in (PROMPTS_DIR / f"{spec.prompt}.system.j2").read_text()
    with pytest.raises(ValueError, match="unknown task 'poem'"):
        task_spec("poem")


@pytest.mark.parametrize("task", TASKS)
def test_the_draft_is_the_output_minus_what_code_fills_with_citations_as_ids(task: str) -> None:
    output = task_spec(task).output
    draft = draft_model(output)
    filled_by_code = {"generator", "usage", "visibility", "task"}
    filled_by_code |= {n for n, i in output.model_fields.items() if any(isinstance(m, ByCode) for m in i.metadata)}
    assert set(draft.model_fields) == set(output.model_fields) - filled_by_code
    for model, name, info in _walk(draft):
        assert Citation not in _types(info.annotation), f"{model.__name__}.{name} holds a Citation"
        assert model.__name__.endswith("Draft"), f"{model.__name__} is an output model inside a draft"


def test_by_code_fields_are_left_out_at_every_depth() -> None:
    feedback = draft_model(task_spec("feedback").output).model_fields
    assert not {"to_confirm", "mentor_owes", "previous_items", "follow_up_message", "language_note"} & set(feedback)
    agenda = draft_model(task_spec("agenda").output).model_fields
    assert "total_minutes" not in agenda and "carried_forward" not in agenda
    decision_schema = task_spec("decision").draft_schema([])
    option = decision_schema["properties"]["options"]["items"]["properties"]
    assert "kind" not in option and "from_notes" not in option and "reversibility" in option


def _shape_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _shape_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape_keys(value[0])]
    return None


def _schema_keys(node: dict[str, Any]) -> Any:
    if node.get("type") == "object":
        return {k: _schema_keys(v) for k, v in node["properties"].items()}
    if node.get("type") == "array":
        return [_schema_keys(node["items"])]
    if "anyOf" in node:
        return next((_schema_keys(n) for n in node["anyOf"] if n.get("type") != "null"), None)
    return None


@pytest.mark.parametrize("task", TASKS)
def test_the_prompt_shape_and_the_schema_name_the_same_fields(task: str) -> None:
    spec = task_spec(task)
    shape = json.loads(spec.shape)
    assert _shape_keys(shape) == _schema_keys(spec.draft_schema(["c1"]))


@pytest.mark.parametrize("task", TASKS)
def test_chunk_ids_in_the_schema_are_narrowed_to_the_shown_ones(task: str) -> None:
    text = json.dumps(task_spec(task).draft_schema(["id-one", "id-two"]))
    assert text.count('"enum": ["id-one", "id-two"]') >= 1
    assert "x-chunk-id" not in text and "$ref" not in text
    assert '"additionalProperties": true' not in text


def _result(chunk_id: str) -> SearchResult:
    return search_result(chunk_id, title="Agenda blocks", heading="Opening", kind="guide")


def _context(**session: Any) -> MentoringContext:
    return MentoringContext(
        mentee=MenteeProfile(name="Ada"),
        session=SessionInfo(number=2, duration_minutes=30, date=dt.date(2026, 12, 1), **session),
        previous_icebreakers=["What’s been the best part of your week?"],
    )


def _info() -> GeneratorInfo:
    return GeneratorInfo(provider="openai", model="m", prompt_version="agenda-2")


def test_an_agenda_draft_becomes_an_agenda_with_code_filled_parts() -> None:
    cite = CitationResolver([_result("c1")])
    data = {
        "items": [
            {
                "title": "Check-in",
                "minutes": 20,
                "purpose": "Reconnect",
                "prompts": ["How are you?", ""],
                "citations": ["c1"],
            },
            {"title": "Plan", "minutes": 20, "purpose": "Next steps", "citations": ["c9"]},
        ]
    }
    agenda = task_spec("agenda").build(data, _context(), cite, info := _info())
    assert [i.minutes for i in agenda.items] == [15, 15] and agenda.total_minutes == 30
    assert agenda.items[0].prompts == ["How are you?"]
    assert agenda.items[0].citations == [
        Citation(chunk_id="c1", source="banks/agenda-blocks.md", title="Agenda blocks", heading="Opening")
    ]
    assert [c.chunk_id for c in agenda.citations] == ["c1"]
    assert "dropped 1 invented citation" in info.notes and "rescaled agenda minutes from 40 to 30" in info.notes
    assert "Check-in" in render_markdown(agenda) and "banks/agenda-blocks.md" in render_markdown(agenda)


def test_a_draft_missing_a_required_field_is_refused_with_its_path() -> None:
    with pytest.raises(InvalidDraft, match=r"items\.0\.purpose"):
        task_spec("agenda").build({"items": [{"title": "x", "minutes": 5}]}, _context(), CitationResolver([]), _info())


def test_one_rule_decides_when_two_icebreakers_are_the_same() -> None:
    assert normalise is question_key
    assert question_key("What's been the best part of your week?") == question_key(
        "what’s been the best part of your week"
    )
    data = {
        "questions": [
            {"text": "WHAT'S been the best part of your week", "why": "asked before"},
            {"text": "What are you reading?", "why": "new"},
            {"text": "what are you reading", "why": "twice"},
        ]
    }
    out = task_spec("icebreakers").build(data, _context(), CitationResolver([]), info := _info())
    assert [q.text for q in out.questions] == ["What are you reading?"]
    assert "dropped 2 repeated icebreakers" in info.notes
    with pytest.raises(InvalidDraft, match="every question repeats"):
        task_spec("icebreakers").build({"questions": data["questions"][:1]}, _context(), CitationResolver([]), _info())


def test_a_task_names_the_input_it_cannot_work_without() -> None:
    with pytest.raises(MissingInput, match="needs session notes"):
        task_spec("feedback").check_inputs(_context())
    with pytest.raises(MissingInput, match="needs a decision"):
        task_spec("decision").check_inputs(_context())
    task_spec("agenda").check_inputs(_context())
