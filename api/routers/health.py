"""Liveness, readiness and metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import CompanionDep, require_database
from api.errors import ApiError
from companion.retrieval.store import StoreUnavailable

router = APIRouter(tags=["operations"])


@router.get("/healthz", operation_id="healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", operation_id="readyz", summary="The vector store and the database are reachable")
def readyz(request: Request, companion: CompanionDep) -> dict[str, str]:
    problems = []
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
