"""One request end to end: retrieve for the task, then let the configured generator write it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from companion.generation.base import Audience, Generator
from companion.generation.providers import create_generator
from companion.generation.retrieval_plan import retrieve_for_task
from companion.generation.tasks.common import require_inputs
from companion.schemas import TASKS, MentoringContext, _Output

if TYPE_CHECKING:
    from companion.service import Companion


def default_audience(task: str) -> Audience:
    """Without an explicit audience: reflection is for the mentee; other tasks see shared knowledge only."""
    return Audience(mentee_facing=True) if task == "reflection" else Audience()


Event = tuple[str, dict[str, Any] | _Output]


def generate_events(
    task: str,
    context: MentoringContext,
    companion: Companion,
    audience: Audience,
    generator: Generator | None = None,
) -> Iterator[Event]:
    """Retrieve what the task needs under the audience's privacy rules, then generate from exactly that,
    reporting progress: ("retrieved", ...), ("generating", ...), ("token", ...)* and last ("result", output)."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; available: {', '.join(TASKS)}")
    require_inputs(task, context)
    if task == "reflection" and not audience.mentee_facing:
        audience = replace(audience, mentee_facing=True)  # reflection prompts are always read by the mentee
    retrieved = retrieve_for_task(task, context, companion.retriever, audience)
    yield "retrieved", {"chunks": len(retrieved.all), "citations": [r.citation() for r in retrieved.all]}
    chosen = generator if generator is not None else create_generator(companion.settings)
    yield "generating", {"provider": chosen.name}
    stream = getattr(chosen, "stream_generate", None)
    if stream is None:
        yield "result", chosen.generate(task, context, retrieved)
        return
    for event in stream(task, context, retrieved):
        if event.kind == "token":
            yield "token", {"delta": event.delta}
        elif event.output is not None:
            yield "result", event.output


def generate(
    task: str,
    context: MentoringContext,
    companion: Companion,
    audience: Audience,
    generator: Generator | None = None,
) -> _Output:
    """The final output of `generate_events`, without the progress."""
    for name, payload in generate_events(task, context, companion, audience, generator):
        if name == "result":
            assert isinstance(payload, _Output)
            return payload
    raise RuntimeError("generation ended without a result")
