"""Liveness, readiness and metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import CompanionDep, require_database
from api.errors import PROBLEM, ApiError, Problem
from companion.first_start import RETRY_AFTER_SECONDS
from companion.retrieval.store import StoreUnavailable

router = APIRouter(tags=["operations"])


@router.get("/healthz", operation_id="healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    operation_id="readyz",
    summary="The vector store and the database are reachable and the shipped knowledge is indexed",
    response_model=dict[str, str],
)
def readyz(request: Request, companion: CompanionDep) -> Any:
    index = companion.index_status.snapshot()
    if index.state == "indexing":
        # problem+json with the progress as an extension member (RFC 9457), so a client can show it
        body = Problem(title="Not ready", status=503, detail=index.words(), instance=request.url.path)
        return JSONResponse(
            {**body.model_dump(exclude_none=True), "progress": index.public()},
            status_code=503,
            media_type=PROBLEM,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    problems = [index.words()] if index.state == "failed" else []
    try:
        companion.store.heartbeat()
    except StoreUnavailable as exc:  # its message names the store already
        problems.append(str(exc))
    except Exception as exc:
        problems.append(f"{companion.store.description}: {exc}")
    try:
        require_database(request.app)
        companion.database.ping()
    except Exception as exc:
        problems.append(f"database: {type(exc).__name__}")
    if problems:
        raise ApiError(503, "Not ready", "; ".join(problems), headers={"Retry-After": "5"})
    return {"status": "ready", "store": companion.store.description}


@router.get("/metrics", operation_id="metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
