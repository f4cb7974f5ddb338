"""The HTTP app: `create_app(settings)` builds every client once, in the lifespan."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from api import web
from api.auth import is_loopback
from api.errors import Problem, install_error_handlers
from api.observability import Metrics, RequestContextMiddleware, configure_logging, create_rate_limiter
from api.routers import generation, health, knowledge, mentorships, search
from companion.config import Settings
from companion.memory import DatabaseUnavailable
from companion.retrieval.embeddings import Embedder
from companion.service import Companion

log = logging.getLogger("companion.api")

PROBLEM_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": Problem, "content": {"application/problem+json": {}}, "description": title}
    for status, title in (
        (401, "Missing or invalid API key"),
        (403, "Not allowed for this role or tenant"),
        (404, "Not found in this tenant"),
        (413, "Request body too large"),
        (422, "Invalid request; `errors` lists field paths"),
        (429, "Rate limited; see Retry-After"),
        (503, "Vector store or database unavailable"),
    )
}


def create_app(
    settings: Settings | None = None, *, embedder: Embedder | None = None, local_mode: bool | None = None
) -> FastAPI:
    """Build the app. `local_mode` allows keyless local-admin access while no key exists; by default it
    is on only when `companion serve` bound a loopback address (fail closed for any other launcher)."""
    settings = settings or Settings()
    if local_mode is None:
        local_mode = is_loopback(os.environ.get("COMPANION_SERVE_HOST", ""))
    configure_logging(settings.log_level)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        companion = Companion(settings, embedder=embedder)
        companion.load_models()
        try:
            companion.upgrade_database()
            app.state.database_pending = False
        except DatabaseUnavailable as exc:
            # Start anyway: /readyz and the endpoints that need memory answer 503 until the
            # database answers, and the first request after that migrates it (see deps.py).
            log.warning("database unavailable at start", extra={"error": str(exc)})
            app.state.database_pending = True
        _ingest_knowledge_if_empty(companion)
        app.state.companion = companion
        yield

    app = FastAPI(
        title="Mentor Companion API",
        version="1.0.0",
        summary="Session agendas, icebreakers, feedback summaries, decision frameworks, reflection prompts and goal plans.",
        lifespan=lifespan,
        responses=PROBLEM_RESPONSES,
        default_response_class=JSONResponse,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.local_mode = local_mode
    app.state.rate_limiter = create_rate_limiter(settings)
    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware, metrics=metrics, max_body_bytes=int(settings.max_body_mb * 1_000_000))
    app.include_router(health.router)
    for router in (generation.router, knowledge.router, search.router, mentorships.router):
        app.include_router(router, prefix="/v1")
    web.install(app)
    return app


def _ingest_knowledge_if_empty(companion: Companion) -> None:
    """First start with an empty index: index the shipped knowledge. Workers starting together take
    turns on the ingest lock; the later ones find every file unchanged, which costs nothing."""
    if companion.catalog.sources():
        return
    report = companion.ingest_shipped_knowledge()
    log.info("indexed the shipped knowledge", extra={"files": report.files, "added": report.chunks_added})
