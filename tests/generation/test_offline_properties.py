"""Properties every offline output has: citations that resolve and were retrieved, a complete top-level
citation list, an honest generator block, and byte-identical output for the same input."""

from __future__ import annotations

from typing import Any

import pytest

from companion.generation.taskspec import task_spec
from companion.schemas import TASKS, Citation, MentoringContext, _Output
from companion.service import Companion
from tests.generation.support import CONTEXTS, as_json, compose, sample_context


def nested_citations(value: Any) -> list[Citation]:
    """Every Citation anywhere in an output, in order."""
    if isinstance(value, Citation):
        return [value]
    if isinstance(value, list):
        return [c for item in value for c in nested_citations(item)]
    if hasattr(value, "model_fields"):
        return [c for name in type(value).model_fields for c in nested_citations(getattr(value, name))]
    return []


def context_named(name: str) -> MentoringContext:
    return sample_context(**CONTEXTS[name])


@pytest.mark.parametrize("context_name", sorted(CONTEXTS))
@pytest.mark.parametrize("task", TASKS)
def test_citations_resolve_and_were_retrieved(knowledge_companion: Companion, task: str, context_name: str) -> None:
    output, retrieved = compose(knowledge_companion, task, context_named(context_name))
    top_level = output.citations
    inner = [
        c for name in type(output).model_fields if name != "citations" for c in nested_citations(getattr(output, name))
    ]
    assert top_level, "every output cites the knowledge it drew on"
    assert {c.chunk_id for c in inner} <= {c.chunk_id for c in top_level}
    assert len({c.chunk_id for c in top_level}) == len(top_level)

    records = knowledge_companion.catalog.get_chunks([c.chunk_id for c in top_level])
    returned = retrieved.by_id()
    for citation in top_level:
        record = records[citation.chunk_id]
        assert citation.chunk_id in returned, "cited a chunk retrieval did not return"
        assert (citation.source, citation.title, citation.heading) == (record.source, record.title, record.heading)
        assert record.tenant in (context_named(context_name).tenant, "global")


@pytest.mark.parametrize("task", TASKS)
def test_same_input_gives_identical_output(knowledge_companion: Companion, task: str) -> None:
    context = sample_context()
    first, _ = compose(knowledge_companion, task, context)
    second, _ = compose(knowledge_companion, task, sample_context())
    assert as_json(first) == as_json(second)


@pytest.mark.parametrize("task", TASKS)
def test_generator_block_says_what_was_templated(knowledge_companion: Companion, task: str) -> None:
    output: _Output = knowledge_companion.generate(task, sample_context())
    info = output.generator
    assert (info.provider, info.model, info.fallback_reason) == ("offline", "grounded-composer", None)
    assert info.prompt_version == task_spec(task).composer_version and info.prompt_version.startswith(
        f"offline-{task}-"
    )
    assert info.templated and all(statement.endswith(".") for statement in info.templated)
    assert (output.usage.prompt_tokens, output.usage.completion_tokens) == (0, 0)
    assert not any("English" in note for note in info.notes)


@pytest.mark.parametrize("task", ["agenda", "reflection"])
def test_another_language_is_answered_in_english_and_said_so(knowledge_companion: Companion, task: str) -> None:
    output = knowledge_companion.generate(task, sample_context(session={"language": "de-DE"}))
    assert any("'de-DE'" in note and "answers in English" in note for note in output.generator.notes)
