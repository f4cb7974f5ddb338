"""Each task defined once: what it returns, what it retrieves, how it is composed offline, prompted,
checked and rendered.

A `TaskSpec` is the whole of a task. Its output model (in `companion/schemas.py`) is the one place its
shape is written: the LLM's draft model, the JSON schema sent to the model and the example shape in
the prompt are all derived from it (`companion.generation.drafts`). Adding a task is adding a spec
here, a composer, a retrieval plan, a renderer and its two prompt templates; nothing else is keyed
by a task's name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from companion.generation import render
from companion.generation.base import Audience, Retrieved
from companion.generation.drafts import (
    CitationResolver,
    Finish,
    build_output,
    draft_json_schema,
    draft_shape,
    finish_agenda,
    finish_icebreakers,
)
from companion.generation.retrieval_plan import (
    PlanSteps,
    plan_agenda,
    plan_decision,
    plan_feedback,
    plan_goals,
    plan_icebreakers,
    plan_reflection,
    run_plan,
)
from companion.generation.tasks import agenda, decision, feedback, goals, icebreakers, reflection
from companion.generation.tasks.common import MissingInput
from companion.retrieval.retriever import Retriever
from companion.schemas import (
    TASKS,
    Agenda,
    DecisionFramework,
    FeedbackSummary,
    GeneratorInfo,
    GoalPlan,
    Icebreakers,
    MentoringContext,
    ReflectionPrompts,
    _Output,
)

Compose = Callable[[MentoringContext, Retrieved], _Output]
Render = Callable[[Any, MentoringContext | None], list[str]]


@dataclass(frozen=True)
class FactsHook:
    """A task whose prompt carries facts read from the input, and whose answer is held to them.

    Like invented citations, what the model states that the facts contradict is corrected or dropped,
    and counted in the generator notes; the offline fallback stays as it is.
    """

    read: Callable[[MentoringContext], Any]
    """The facts, from the whole (unredacted, untrimmed) context."""
    prompt: Callable[[Any, MentoringContext, Callable[[str], str] | None], dict[str, Any]]
    """Template variables showing the facts; the callable scrubs their text (PII redaction) when given."""
    check: Callable[[Any, MentoringContext, Any], _Output]
    """The validated output held to the facts."""


@dataclass(frozen=True)
class TaskSpec:
    name: str
    output: type[_Output]
    """The public output model; the draft a model writes is derived from it."""
    plan: PlanSteps
    """The searches the task needs; both generators cite from exactly what they return."""
    compose: Compose
    """The offline composer (the embedded default, and the LLM path's fallback)."""
    composer_version: str
    render: Render
    """The Markdown body of an output (the sources and footer are added for every task)."""
    finish: Finish | None = None
    """What code completes in a validated draft (agenda minutes, icebreakers not asked before)."""
    facts: FactsHook | None = None
    """Facts read from the input that the prompt carries and the answer is held to."""
    requires: Callable[[MentoringContext], str | None] | None = None
    """The message naming the missing field, when the context lacks what the task cannot work without."""

    @property
    def prompt(self) -> str:
        """The prompt templates' name: `prompts/<prompt>.system.j2` and `prompts/<prompt>.user.j2`."""
        return self.name

    @cached_property
    def shape(self) -> str:
        """The example JSON the system prompt shows, derived from the draft."""
        return draft_shape(self.output)

    def draft_schema(self, citable_ids: Sequence[str]) -> dict[str, Any]:
        return draft_json_schema(self.output, citable_ids)

    def build(
        self, data: dict[str, Any], context: MentoringContext, cite: CitationResolver, info: GeneratorInfo
    ) -> _Output:
        return build_output(self.output, self.finish, data, context, cite, info)

    def retrieve(self, context: MentoringContext, retriever: Retriever, audience: Audience) -> Retrieved:
        return run_plan(self.plan, context, retriever, audience)

    def check_inputs(self, context: MentoringContext) -> None:
        """Fail early, with the field to add, when the task has nothing to work from."""
        problem = self.requires(context) if self.requires is not None else None
        if problem:
            raise MissingInput(problem)


def _needs_decision(context: MentoringContext) -> str | None:
    if context.decision is None:
        return "the decide task needs a decision: add `decision: {statement: ...}` to the context"
    return None


def _needs_notes(context: MentoringContext) -> str | None:
    if not (context.notes or "").strip():
        return "the feedback task needs session notes: add `notes:` to the context or pass --notes FILE"
    return None


TASK_SPECS: dict[str, TaskSpec] = {
    spec.name: spec
    for spec in (
        TaskSpec(
            "agenda",
            Agenda,
            plan_agenda,
            agenda.compose,
            agenda.COMPOSER_VERSION,
            render.render_agenda,
            finish=finish_agenda,
        ),
        TaskSpec(
            "icebreakers",
            Icebreakers,
            plan_icebreakers,
            icebreakers.compose,
            icebreakers.COMPOSER_VERSION,
            render.render_icebreakers,
            finish=finish_icebreakers,
        ),
        TaskSpec(
            "feedback",
            FeedbackSummary,
            plan_feedback,
            feedback.compose,
            feedback.COMPOSER_VERSION,
            render.render_feedback,
            facts=FactsHook(feedback.notes_facts, feedback.prompt_facts, feedback.check_answer),
            requires=_needs_notes,
        ),
        TaskSpec(
            "decision",
            DecisionFramework,
            plan_decision,
            decision.compose,
            decision.COMPOSER_VERSION,
            render.render_decision,
            requires=_needs_decision,
        ),
        TaskSpec(
            "reflection",
            ReflectionPrompts,
            plan_reflection,
            reflection.compose,
            reflection.COMPOSER_VERSION,
            render.render_reflection,
        ),
        TaskSpec("goals", GoalPlan, plan_goals, goals.compose, goals.COMPOSER_VERSION, render.render_goals),
    )
}
if tuple(TASK_SPECS) != TASKS:
    raise RuntimeError("every task in companion.schemas.TASKS needs exactly one spec, in that order")


def task_spec(task: str) -> TaskSpec:
    spec = TASK_SPECS.get(task)
    if spec is None:
        raise ValueError(f"unknown task {task!r}; available: {', '.join(TASK_SPECS)}")
    return spec


def spec_of(output: _Output) -> TaskSpec:
    """The spec of an output, by its task."""
    return task_spec(getattr(output, "task", ""))


def render_markdown(output: _Output, context: MentoringContext | None = None, *, generator_notes: bool = True) -> str:
    """Markdown for any task's output; `context` adds names, dates and overdue flags when given. Without
    `generator_notes` the footer leaves out the generator's notes to the mentor (for exports)."""
    try:
        spec = spec_of(output)
    except ValueError:
        raise ValueError(f"no Markdown renderer for {type(output).__name__}") from None
    return render.markdown_document(output, spec.render(output, context), generator_notes=generator_notes)
