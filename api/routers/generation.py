"""Generation endpoints: one per task, plus /v1/suggestions for platforms. Each can stream (SSE)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import iterate_in_threadpool

from api.deps import CallerDep, MentoringDep, MetricsDep
from api.errors import ApiError
from api.observability import Metrics
from companion import schemas
from companion.access import Caller
from companion.generation.tasks.common import MissingInput
from companion.generation.taskspec import task_spec
from companion.mentoring import Mentoring
from companion.schemas import ContextPatch

router = APIRouter(tags=["generation"])

TaskName = Literal["agenda", "icebreakers", "feedback", "decision", "reflection", "goals"]


class GenerateRequest(ContextPatch):
    """A mentoring context (as in `companion agenda --context FILE`) and/or a stored mentorship."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "mentee": {
                        "name": "Priya",
                        "role": "first-time founder",
                        "goals": ["raise a seed round by June"],
                        "interests": ["hiking", "chess"],
                        "challenges": ["fear of pitching"],
                    },
                    "mentor": {"name": "Dana", "interests": ["cycling", "chess"]},
                    "session": {"number": 3, "duration_minutes": 45, "focus": ["fundraising"]},
                },
                {"mentorship_id": "5f0c3c1e2a8b4e0f9d7c6b5a4e3d2c1b"},
            ]
        },
    )

    mentorship_id: str | None = Field(default=None, max_length=64, description="Fill the context from this mentorship.")


class SuggestionRequest(BaseModel):
    """The platform entry point: one stable shape for every task."""

    model_config = ConfigDict(extra="forbid")

    kind: TaskName
    context: ContextPatch | None = None
    mentorship_id: str | None = Field(default=None, max_length=64)
    options: dict[str, Any] = Field(
        default_factory=dict, description="Reserved for task options; unknown keys are refused."
    )


class Suggestion(BaseModel):
    kind: TaskName
    result: (
        schemas.Agenda
        | schemas.Icebreakers
        | schemas.FeedbackSummary
        | schemas.DecisionFramework
        | schemas.ReflectionPrompts
        | schemas.GoalPlan
    ) = Field(discriminator="task")


def _sse(event: str, data: Any) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n".encode()


def run_task(
    task: str,
    mentoring: Mentoring,
    caller: Caller,
    metrics: Metrics,
    patch: ContextPatch | None,
    mentorship_id: str | None,
    accept: str | None,
) -> Any:
    context, who = mentoring.context(caller, patch, mentorship_id)
    if accept and "text/event-stream" in accept:
        task_spec(task).check_inputs(context)
        events = mentoring.events(caller, task, context, who, mentorship_id)

        def stream() -> Iterator[bytes]:
            try:
                for name, payload in events:
                    if isinstance(payload, schemas._Output):
                        metrics.record_generation(task, payload)
                        yield _sse(name, payload.model_dump(mode="json"))
                    else:
                        yield _sse(name, payload)
            except MissingInput as exc:
                yield _sse("error", {"status": 422, "title": "Invalid request", "detail": str(exc)})
            except Exception as exc:  # the stream has started: report in-band, never as a silent cut
                yield _sse("error", {"status": 503, "title": "Generation failed", "detail": type(exc).__name__})

        return StreamingResponse(
            iterate_in_threadpool(stream()), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
        )
    output = mentoring.run(caller, task, context, who, mentorship_id)
    metrics.record_generation(task, output)
    return output


AcceptHeader = Annotated[str | None, Header(include_in_schema=False)]


def _endpoint(task: TaskName, path: str, model: type[schemas._Output], summary: str) -> None:
    def endpoint(
        body: GenerateRequest,
        mentoring: MentoringDep,
        caller: CallerDep,
        metrics: MetricsDep,
        accept: AcceptHeader = None,
    ) -> Any:
        patch = ContextPatch.model_validate(body.model_dump(exclude_unset=True, exclude={"mentorship_id"}))
        return run_task(task, mentoring, caller, metrics, patch, body.mentorship_id, accept)

    router.add_api_route(
        path,
        endpoint,
        methods=["POST"],
        response_model=model,
        operation_id=f"generate_{task}",
        summary=summary,
        responses={
            200: {
                "content": {"text/event-stream": {}},
                "description": "The output; with Accept: text/event-stream, progress events then `result`.",
            }
        },
    )


_endpoint("agenda", "/agenda", schemas.Agenda, "A session agenda that fits the time exactly")
_endpoint("icebreakers", "/icebreakers", schemas.Icebreakers, "Icebreakers for this mentee and stage, never repeated")
_endpoint("feedback", "/feedback-summary", schemas.FeedbackSummary, "A feedback summary with action items from notes")
_endpoint("decision", "/decision-framework", schemas.DecisionFramework, "A risk-decision framework")
_endpoint(
    "reflection", "/reflection-prompts", schemas.ReflectionPrompts, "Mentee reflection prompts (shared knowledge only)"
)
_endpoint("goals", "/goal-plan", schemas.GoalPlan, "SMART goals and a meeting cadence")


@router.post(
    "/suggestions",
    operation_id="create_suggestion",
    summary="One entry point for every task (platforms)",
    response_model=Suggestion,
)
def suggestions(
    body: SuggestionRequest,
    mentoring: MentoringDep,
    caller: CallerDep,
    metrics: MetricsDep,
    accept: AcceptHeader = None,
) -> Any:
    if body.options:
        raise ApiError(422, "Invalid request", f"options: unknown option(s) {', '.join(sorted(body.options))}")
    if body.context is None and body.mentorship_id is None:
        raise ApiError(422, "Invalid request", "send a context, a mentorship_id, or both")
    result = run_task(body.kind, mentoring, caller, metrics, body.context, body.mentorship_id, accept)
    if isinstance(result, StreamingResponse):
        return result
    return Suggestion(kind=body.kind, result=result)
