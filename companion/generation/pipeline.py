"""One request end to end: retrieve for the task, then let the configured generator write it.

The pipeline takes its parts (a retriever and a generator) explicitly; it knows nothing of the
service that built them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from companion.access import MENTEE_FACING_TASKS
from companion.generation.base import Audience, Generator, Retrieved
from companion.generation.taskspec import task_spec
from companion.retrieval.retriever import Retriever
from companion.schemas import Citation, MentoringContext, _Output


def default_audience(task: str) -> Audience:
    """Without an explicit audience: a mentee-facing task is for the mentee; others see shared knowledge only."""
    return Audience(mentee_facing=True) if task in MENTEE_FACING_TASKS else Audience()


Event = tuple[str, dict[str, Any] | _Output]


def mark_visibility(output: _Output, retrieved: Retrieved, generator: Generator) -> _Output:
    """An output that drew on a private note stays with its mentor. A generator that cites everything it
    uses (the offline composer) is judged by its citations; any other (an LLM) by what its prompt held."""
    private = {r.chunk_id for r in retrieved.all if r.visibility != "shared"}
    if not private:
        return output
    if getattr(generator, "cites_all_it_uses", False):
        cited = {c.chunk_id for c in output.citations}
        cited |= {c.chunk_id for c in _nested_citations(output)}
        if not cited & private:
            return output
    output.visibility = "mentor_private"
    return output


def _nested_citations(output: _Output) -> Iterator[Any]:
    """Citations held by an output's parts (agenda items, questions, prompts, goals, options)."""
    for value in output.__dict__.values():
        if isinstance(value, list):
            for part in value:
                if isinstance(part, Citation):
                    yield part
                else:
                    yield from getattr(part, "citations", None) or []
        elif value is not None and hasattr(value, "citations") and not isinstance(value, _Output):
            yield from value.citations or []


def generate_events(
    task: str,
    context: MentoringContext,
    retriever: Retriever,
    generator: Generator,
    audience: Audience,
) -> Iterator[Event]:
    """Retrieve what the task needs under the audience's privacy rules, then generate from exactly that,
    reporting progress: ("retrieved", ...), ("generating", ...), ("token", ...)* and last ("result", output)."""
    spec = task_spec(task)
    spec.check_inputs(context)
    if task in MENTEE_FACING_TASKS and not audience.mentee_facing:
        audience = replace(audience, mentee_facing=True)  # reflection prompts are always read by the mentee
    retrieved = spec.retrieve(context, retriever, audience)
    yield "retrieved", {"chunks": len(retrieved.all), "citations": [r.citation() for r in retrieved.all]}
    yield "generating", {"provider": generator.name}
    stream = getattr(generator, "stream_generate", None)
    if stream is None:
        yield "result", mark_visibility(generator.generate(task, context, retrieved), retrieved, generator)
        return
    for event in stream(task, context, retrieved):
        if event.kind == "token":
            yield "token", {"delta": event.delta}
        elif event.output is not None:
            yield "result", mark_visibility(event.output, retrieved, generator)


def generate(
    task: str,
    context: MentoringContext,
    retriever: Retriever,
    generator: Generator,
    audience: Audience,
) -> _Output:
    """The final output of `generate_events`, without the progress."""
    for name, payload in generate_events(task, context, retriever, generator, audience):
        if name == "result":
            assert isinstance(payload, _Output)
            return payload
    raise RuntimeError("generation ended without a result")
