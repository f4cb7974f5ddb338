"""Server-rendered pages for mentors and mentees (Jinja2 templates, no front-end build step)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.web.core import HERE
from api.web.matching import router as matching_router
from api.web.pages import router


def install(app: FastAPI) -> None:
    """Mount the pages at / and their assets at /static, beside the JSON API under /v1."""
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(router)
    app.include_router(matching_router)
