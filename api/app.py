"""The HTTP app: `create_app(settings)` builds every client once, in the lifespan."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import web
from api.errors import Problem, install_error_handlers, is_api_path
from api.lanes import lane_limiters
from api.observability import Metrics, RequestContextMiddleware, configure_logging, create_rate_limiter
from api.origin import OriginGuard, allowed_hosts
from api.routers import generation, goals, health, knowledge, matches, mentorships, people, programme, search
from companion.access import is_loopback
from companion.config import Settings
from companion.first_start import IndexProgress, index_in_background, needs_first_index
from companion.memory import DatabaseUnavailable
from companion.programme import totals_by_tenant
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


def _one_blas_thread() -> None:
    """A server's parallelism is its concurrent requests; BLAS threads on top of them spin against
    each other (a search's 7×384 by 384×700 product took 6 ms instead of 1 on two busy cores)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")


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
        _one_blas_thread()
        # Sync endpoints and dependencies run on this event loop's default thread limiter.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_thread_count
        # Memory writes and bulk work run on lanes of their own (api/lanes.py), not queued behind generation.
        app.state.lanes = lane_limiters(settings)
        companion = Companion(settings, embedder=embedder)
        _ = companion.store, companion.catalog  # opened once here, not raced by the indexing thread
        first_index = needs_first_index(companion)
        if not first_index:
            companion.load_models()
        try:
            companion.upgrade_database()
            app.state.database_pending = False
        except DatabaseUnavailable as exc:
            # Start anyway: /readyz and the endpoints that need memory answer 503 until the
            # database answers, and the first request after that migrates it (see deps.py).
            log.warning("database unavailable at start", extra={"error": str(exc)})
            app.state.database_pending = True
        metrics.watch_index(companion.index_status)
        metrics.watch_programme(lambda: totals_by_tenant(companion.database, settings, dt.date.today()))
        app.state.companion = companion
        if first_index:
            # Listen at once: the model loads and the knowledge is indexed on a thread, while
            # /readyz, the pages and search say so (503) and memory-only routes already work.
            _announce("Indexing the shipped knowledge in the background; the web page shows progress.")
            index_in_background(companion, on_done=_announce_ready)
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
    app.add_middleware(web.IndexingPage)  # innermost: its page still gets the origin checks and headers
    bound_host = os.environ.get("COMPANION_SERVE_HOST", "")
    app.add_middleware(OriginGuard, allowed_hosts=allowed_hosts(bound_host, local_mode))
    app.add_middleware(RequestContextMiddleware, metrics=metrics, max_body_bytes=int(settings.max_body_mb * 1_000_000))
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: also on the 413s and 500s the one above sends
    app.include_router(health.router)
    for router in (
        generation.router,
        knowledge.router,
        search.router,
        mentorships.router,
        goals.router,
        people.mentors,
        people.mentees,
        matches.router,
        programme.router,
    ):
        app.include_router(router, prefix="/v1")
    web.install(app)
    return app


PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "style-src-attr 'unsafe-inline'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)
"""The web pages: scripts and styles from /static only; no inline script runs. Inline style *attributes* are allowed (the agenda bar sets each segment's width in `_macros.html`);
`<style>` elements are not."""
DOCS_CSP = "frame-ancestors 'none'"
"""/docs and /redoc load Swagger UI and ReDoc from their CDN with an inline start-up script."""
NO_CONTENT_CSP = "default-src 'none'; frame-ancestors 'none'"
"""Everything else (JSON, Markdown and .ics exports, event streams, static files) is not a page."""
DOCS_PATHS = ("/docs", "/redoc")


def security_headers(path: str, content_type: str) -> dict[str, str]:
    """The headers every response carries (a response's own value wins); see SecurityHeadersMiddleware."""
    if path.startswith(DOCS_PATHS):
        csp = DOCS_CSP
    elif content_type.startswith("text/html") and not is_api_path(path):
        csp = PAGE_CSP
    else:
        csp = NO_CONTENT_CSP
    headers = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Content-Security-Policy": csp,
        "Referrer-Policy": "same-origin",
    }
    if not path.startswith("/static/"):  # API answers, pages and exports are per person: never cached
        headers["Cache-Control"] = "no-store"
    return headers


class SecurityHeadersMiddleware:
    """nosniff, no framing, a Content-Security-Policy, same-origin referrers and `Cache-Control: no-store`
    on every response, streams included (pure ASGI, so nothing is buffered)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                for name, value in security_headers(path, headers.get("content-type", "")).items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _announce(line: str) -> None:
    """A line for the person who ran `companion serve` (each worker says its own)."""
    if os.environ.get("COMPANION_SERVE_HOST"):
        print(line, file=sys.stderr, flush=True)


def _announce_ready(progress: IndexProgress, seconds: float) -> None:
    if progress.state == "ready":
        _announce(f"Ready: indexed {progress.files_total} files in {seconds:.0f} s.")
    else:
        _announce(f"Not ready: {progress.words()}")
