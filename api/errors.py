"""Errors as RFC 9457 problem+json, with real status codes; never an error body in a 200."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException

from companion.access import Forbidden
from companion.calendar import NoMeetingSchedule
from companion.first_start import RETRY_AFTER_SECONDS, KnowledgeIndexFailed, KnowledgeIndexing
from companion.generation.tasks.common import KnowledgeMissing, MissingInput
from companion.memory import DatabaseUnavailable, InvalidMemoryRequest, NotFound
from companion.memory.errors import AlreadyExists
from companion.mentoring import InvalidContext
from companion.retrieval.indexer import IngestLocked, NotIndexed
from companion.retrieval.loaders import LoadError
from companion.retrieval.retriever import TenantRequired
from companion.retrieval.store import StoreUnavailable

log = logging.getLogger("companion.api")
PROBLEM = "application/problem+json"


class Problem(BaseModel):
    """The body of every error response."""

    type: str = Field(default="about:blank")
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, Any]] | None = Field(default=None, description="Field paths and messages (422 only).")


class ApiError(Exception):
    """Raised by routers and auth; becomes a problem response with this status."""

    def __init__(self, status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.headers = status, title, detail, headers


def problem_response(
    request: Request,
    status: int,
    title: str,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(title=title, status=status, detail=detail, instance=request.url.path, errors=errors)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, media_type=PROBLEM, headers=headers)


API_PREFIXES = ("/v1/", "/healthz", "/readyz", "/metrics", "/docs", "/redoc", "/openapi.json")


def is_api_path(path: str) -> bool:
    """Machine paths answer problem+json; everything else belongs to the web pages."""
    return path.startswith(API_PREFIXES) or path == "/v1"


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "request"


def field_errors(errors: Any) -> list[dict[str, Any]]:
    """Pydantic errors as `{"path": "session.date", "message": "must be between ..."}` items."""
    found = []
    for error in errors:
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        if error.get("type") == "missing":
            message = "is required"
        elif error.get("type") == "extra_forbidden":
            message = "is not a known field"
        found.append({"path": field_path(error.get("loc", ())), "message": message})
    return found


FORM_LIMITS = ("Too many fields", "Too many files", "Field exceeded maximum size", "Part exceeded maximum size")
"""How Starlette's form parser says a form is over its limits (1,000 fields, 1,000 files, 1 MB a part)."""


def form_over_limit(exc: StarletteHTTPException) -> bool:
    """Whether this is Starlette's 400 for a form over its limits: it raises HTTPException(400) while
    handling the parser's MultiPartException. That is a request too large (413), not a malformed one."""
    cause = exc.__cause__ or exc.__context__
    return exc.status_code == 400 and isinstance(cause, MultiPartException) and cause.message.startswith(FORM_LIMITS)


DOMAIN_ERRORS: dict[type[Exception], tuple[int, str, int | None]] = {
    LoadError: (422, "Document cannot be indexed", None),
    Forbidden: (403, "Forbidden", None),
    InvalidContext: (422, "Invalid request", None),
    MissingInput: (422, "Invalid request", None),
    InvalidMemoryRequest: (422, "Invalid request", None),
    NotIndexed: (404, "Not found", None),
    NotFound: (404, "Not found", None),
    NoMeetingSchedule: (409, "No meeting schedule", None),
    AlreadyExists: (409, "Already exists", None),
    TenantRequired: (403, "Tenant required", None),
    StoreUnavailable: (503, "Vector store unavailable", 5),
    DatabaseUnavailable: (503, "Database unavailable", 5),
    IngestLocked: (503, "Index busy", 10),
    KnowledgeMissing: (503, "Knowledge not indexed", 30),
    KnowledgeIndexing: (503, "Knowledge being indexed", RETRY_AFTER_SECONDS),
    KnowledgeIndexFailed: (503, "Knowledge index incomplete", 60),
}
"""Library errors and the status each one means to an HTTP caller (the message is the detail)."""


def _domain_handler(status: int, title: str, retry_after: int | None) -> Any:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        if status >= 500:
            log.warning(title.lower(), extra={"error": type(exc).__name__})
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return problem_response(request, status, title, str(exc), headers=headers)

    return handle


def _invalid(request: Request, errors: list[dict[str, Any]]) -> JSONResponse:
    detail = "; ".join(f"{e['path']} {e['message']}" for e in errors)
    return problem_response(request, 422, "Invalid request", detail, errors=errors)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return problem_response(request, exc.status, exc.title, exc.detail, headers=exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if not is_api_path(request.url.path):  # a person at a browser: the web app's page, in words
            from api.web.core import describe, error_page

            if exc.status_code == 404:
                return error_page(request, 404, "There is no page at this address.", dict(exc.headers or {}))
            status, words, headers = describe(exc)
            return error_page(request, status, words, headers)
        status = 413 if form_over_limit(exc) else exc.status_code
        title = {404: "Not found", 405: "Method not allowed", 413: "Request too large"}.get(status, "Error")
        return problem_response(request, status, title, str(exc.detail), headers=dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _invalid(request, field_errors(exc.errors()))

    @app.exception_handler(ValidationError)
    async def _model_validation(request: Request, exc: ValidationError) -> JSONResponse:
        # A model built from what the caller sent, past the request's own validation (e.g. a
        # stored context merged with the request's `today`): still the caller's input, so 422.
        return _invalid(request, field_errors(exc.errors()))

    for exc_type, (status, title, retry_after) in DOMAIN_ERRORS.items():
        app.add_exception_handler(exc_type, _domain_handler(status, title, retry_after))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error", extra={"error": type(exc).__name__}, exc_info=exc)
        return problem_response(request, 500, "Internal error", "the server failed to handle this request; see its log")
