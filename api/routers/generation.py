"""Generation endpoints: one per task, plus /v1/suggestions for platforms. Each can stream (SSE)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import iterate_in_threadpool

from api.auth import Principal
from api.deps import CompanionDep, MetricsDep, PrincipalDep
from api.errors import ApiError
from api.observability import Metrics
from companion import schemas
from companion.generation.tasks.common import MissingInput
from companion.service import Companion

router = APIRouter(tags=["generation"])

TaskName = Literal["agenda", "icebreakers", "feedback", "decision", "reflection", "goals"]


class ContextPatch(BaseModel):
    """The mentoring context, every field optional: with a mentorship_id the stored context fills the gaps,
    and every field sent here overrides the stored one (previous_icebreakers are added to the stored ones)."""

    model_config = ConfigDict(extra="forbid")

    tenant: str | None = Field(default=None, description="Must be the caller's tenant if sent.")
    mentor: schemas.MentorProfile | None = None
    mentee: schemas.MenteeProfile | None = None
    session: schemas.SessionInfo | None = None
    open_action_items: list[schemas.ActionItem] | None = Field(default=None, max_length=100)
    previous_icebreakers: list[Annotated[str, Field(max_length=500)]] | None = Field(default=None, max_length=1000)
    notes: str | None = Field(default=None, max_length=100_000)
    decision: schemas.DecisionInput | None = None
    today: dt.date | None = None


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


def build_context(
    companion: Companion, principal: Principal, patch: ContextPatch | None, mentorship_id: str | None
) -> tuple[schemas.MentoringContext, str | None]:
    """Merge the stored mentorship context (if any) with what the caller sent; returns (context, mentor person id)."""
    if patch is not None and patch.tenant not in (None, principal.tenant):
        raise ApiError(403, "Forbidden", f"context.tenant {patch.tenant!r} is not your tenant {principal.tenant!r}")
    sent = patch.model_dump(exclude_unset=True, exclude={"tenant"}) if patch is not None else {}
    mentor_person: str | None = None
    base: dict[str, Any] = {}
    if mentorship_id is not None:
        person = principal.person_id if principal.role in ("mentor", "mentee") else None
        mentorship = companion.memory.get_mentorship(principal.tenant, mentorship_id, viewer_person_id=person)
        mentor_person = mentorship.mentor.person_id
        today = (patch.today if patch else None) or dt.date.today()
        stored = companion.memory.context_for(principal.tenant, mentorship_id, today, viewer_person_id=person)
        base = stored.model_dump()
        asked = set(base.get("previous_icebreakers", []))
        extra = [q for q in sent.pop("previous_icebreakers", None) or [] if q not in asked]
        base["previous_icebreakers"] = [*base.get("previous_icebreakers", []), *extra]
    base.update(sent)
    base["tenant"] = principal.tenant
    try:
        return schemas.MentoringContext.model_validate(base), mentor_person
    except ValidationError as exc:
        raise ApiError(422, "Invalid request", schemas.format_validation_error(exc)) from None


def _sse(event: str, data: Any) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n".encode()


def run_task(
    task: str,
    companion: Companion,
    principal: Principal,
    metrics: Metrics,
    patch: ContextPatch | None,
    mentorship_id: str | None,
    accept: str | None,
) -> Any:
    context, mentor_person = build_context(companion, principal, patch, mentorship_id)
    audience = principal.audience(task, mentor_person)
    if accept and "text/event-stream" in accept:
        events = companion.generate_events(task, context, audience=audience)

        def stream() -> Iterator[bytes]:
            try:
                for name, payload in events:
                    if isinstance(payload, schemas._Output):
                        metrics.record_generation(task, payload)
                        remember(companion, principal, mentorship_id, payload)
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
    try:
        output = companion.generate(task, context, audience=audience)
    except MissingInput as exc:
        raise ApiError(422, "Invalid request", str(exc)) from None
    metrics.record_generation(task, output)
    remember(companion, principal, mentorship_id, output)
    return output


def remember(companion: Companion, principal: Principal, mentorship_id: str | None, output: schemas._Output) -> None:
    """A goal plan made for a mentorship stores its cadence, so progress shows the schedule."""
    if mentorship_id is not None and isinstance(output, schemas.GoalPlan) and principal.role != "mentee":
        person = principal.person_id if principal.role == "mentor" else None
        companion.memory.save_cadence(principal.tenant, mentorship_id, output.cadence, viewer_person_id=person)


AcceptHeader = Annotated[str | None, Header(include_in_schema=False)]


def _endpoint(task: TaskName, path: str, model: type[schemas._Output], summary: str) -> None:
    def endpoint(
        body: GenerateRequest,
        companion: CompanionDep,
        principal: PrincipalDep,
        metrics: MetricsDep,
        accept: AcceptHeader = None,
    ) -> Any:
        patch = ContextPatch.model_validate(body.model_dump(exclude_unset=True, exclude={"mentorship_id"}))
        return run_task(task, companion, principal, metrics, patch, body.mentorship_id, accept)

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
    companion: CompanionDep,
    principal: PrincipalDep,
    metrics: MetricsDep,
    accept: AcceptHeader = None,
) -> Any:
    if body.options:
        raise ApiError(422, "Invalid request", f"options: unknown option(s) {', '.join(sorted(body.options))}")
    if body.context is None and body.mentorship_id is None:
        raise ApiError(422, "Invalid request", "send a context, a mentorship_id, or both")
    result = run_task(body.kind, companion, principal, metrics, body.context, body.mentorship_id, accept)
    if isinstance(result, StreamingResponse):
        return result
    return Suggestion(kind=body.kind, result=result)
