"""Dependency aliases (`Annotated[..., Depends(...)]`), so tests can use app.dependency_overrides."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Request

from api.auth import Principal, resolve_principal
from api.observability import Metrics
from companion.service import Companion


def get_companion(request: Request) -> Companion:
    return request.app.state.companion


def get_metrics(request: Request) -> Metrics:
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


def get_principal(
    request: Request,
    companion: Annotated[Companion, Depends(get_companion)],
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Principal:
    """Authenticate (keys live in the database), then apply the per-key rate limit."""
    require_database(request.app)
    principal = resolve_principal(authorization, companion.keys, request.app.state.local_mode)
    request.scope.setdefault("state", {})["principal"] = principal
    request.app.state.rate_limiter.check(principal.rate_key)
    return principal


CompanionDep = Annotated[Companion, Depends(get_companion)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
