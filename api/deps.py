"""Dependency aliases (`Annotated[..., Depends(...)]`), so tests can use app.dependency_overrides."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Request

from api.auth import resolve_caller
from api.lanes import in_lane
from api.observability import Metrics
from companion.access import Caller
from companion.mentoring import Mentoring
from companion.service import Companion


# The dependencies that only read app state are `async def`: FastAPI runs a sync dependency in its
# thread pool, and those hops, not the reads, were a loaded server's event-loop time.
async def get_companion(request: Request) -> Companion:
    return request.app.state.companion


async def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


_migration_lock = threading.Lock()


def require_database(app: FastAPI) -> None:
    """Migrate the database now if it was unreachable when the app started; raises
    DatabaseUnavailable (503) while it still is."""
    if not getattr(app.state, "database_pending", False):
        return
    with _migration_lock:
        if app.state.database_pending:
            app.state.companion.upgrade_database()
            app.state.database_pending = False


async def get_caller(
    request: Request,
    companion: Annotated[Companion, Depends(get_companion)],
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Caller:
    """Authenticate (keys live in the database), then apply the per-key rate limit; on the request's
    lane (`api/lanes.py`), so a memory write's key lookup does not queue behind generation."""
    return await in_lane(_resolve_caller, request, companion, authorization)


def _resolve_caller(request: Request, companion: Companion, authorization: str | None) -> Caller:
    require_database(request.app)
    caller = resolve_caller(authorization, companion.keys, request.app.state.local_mode)
    request.scope.setdefault("state", {})["caller"] = caller
    request.app.state.rate_limiter.check(caller.rate_key)
    return caller


async def get_mentoring(companion: Annotated[Companion, Depends(get_companion)]) -> Mentoring:
    return companion.mentoring


CompanionDep = Annotated[Companion, Depends(get_companion)]
CallerDep = Annotated[Caller, Depends(get_caller)]
MentoringDep = Annotated[Mentoring, Depends(get_mentoring)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
