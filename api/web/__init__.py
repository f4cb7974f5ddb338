"""Server-rendered pages for mentors and mentees (Jinja2 templates, no front-end build step)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import is_api_path
from api.web.core import HERE, render
from api.web.goals import router as goals_router
from api.web.matching import router as matching_router
from api.web.pages import router
from api.web.programme import router as programme_router
from companion.first_start import RETRY_AFTER_SECONDS


def install(app: FastAPI) -> None:
    """Mount the pages at / and their assets at /static, beside the JSON API under /v1."""
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(router)
    app.include_router(matching_router)
    app.include_router(goals_router)
    app.include_router(programme_router)


class IndexingPage:
    """While the first index is built, every page is one plain page that says so and reloads
    itself (a meta refresh: no script needed); the API and /static pass through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or is_api_path(path) or path.startswith("/static/"):
            await self.app(scope, receive, send)
            return
        companion = getattr(scope["app"].state, "companion", None)
        if companion is None or not companion.index_status.indexing:
            await self.app(scope, receive, send)
            return
        progress = companion.index_status.snapshot()
        response = render(
            Request(scope),
            "indexing.html",
            status=503,
            words=progress.words(),
            progress=progress,
            refresh=RETRY_AFTER_SECONDS,
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        await response(scope, receive, send)
