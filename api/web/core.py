"""The plumbing of the server-rendered pages: templates, cookie login, same-origin checks, HTML errors,
and generation jobs that either finish in one request (no JavaScript) or stream progress over SSE.

The pages use the same service layer, auth, tenancy and visibility rules as the JSON API: a page
request resolves the same `Principal` from the API key kept in an HttpOnly cookie.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Coroutine, Generator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError
from starlette.concurrency import iterate_in_threadpool

from api.auth import Principal, resolve_principal
from api.deps import require_database
from api.errors import DOMAIN_ERRORS, ApiError
from companion import schemas
from companion.generation.base import Audience
from companion.retrieval.retriever import SearchFilters
from companion.service import Companion

log = logging.getLogger("companion.web")

HERE = Path(__file__).parent
COOKIE = "companion_key"

templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


class LoginRequired(Exception):
    """No valid key in the cookie: send the browser to the login page."""

    def __init__(self, next_path: str, message: str | None = None) -> None:
        super().__init__(message or "log in to continue")
        self.next_path, self.message = next_path, message


class FormError(Exception):
    """Input a person typed that we cannot use; shown next to the form, in words."""


# --------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------
def render(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    principal: Principal | None = request.scope.get("state", {}).get("principal")
    html = templates.get_template(template).render(
        request=request, principal=principal, today=dt.date.today(), path=request.url.path, **values
    )
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def render_fragment(template: str, **values: Any) -> str:
    return templates.get_template(template).render(**values)


def wants_stream(request: Request) -> bool:
    return "text/event-stream" in request.headers.get("accept", "")


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# --------------------------------------------------------------------------------------
# Login and request checks
# --------------------------------------------------------------------------------------
def web_principal(request: Request) -> Principal:
    """The caller, from the key in the login cookie (or local mode); raises LoginRequired without one."""
    companion: Companion = request.app.state.companion
    require_database(request.app)
    key = request.cookies.get(COOKIE)
    try:
        principal = resolve_principal(f"Bearer {key}" if key else None, companion.keys, request.app.state.local_mode)
    except ApiError as exc:
        next_path = request.url.path if request.method == "GET" else "/"
        raise LoginRequired(next_path, "Your key is no longer valid; log in again." if key else None) from exc
    request.scope.setdefault("state", {})["principal"] = principal
    request.app.state.rate_limiter.check(principal.rate_key)
    if request.method not in ("GET", "HEAD"):
        check_same_origin(request)
    return principal


def check_same_origin(request: Request) -> None:
    """Refuse a form posted from another site (the cookie is SameSite=Strict as well)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise ApiError(403, "Forbidden", "This form was sent from another site, so it was not accepted.")


def safe_next(path: str | None) -> str:
    """Only local paths, so the login form can never bounce somebody to another site."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


def require_roles(principal: Principal, *roles: str, what: str) -> None:
    if principal.role not in roles:
        raise ApiError(403, "Forbidden", f"Your key ({principal.role}) cannot {what}.")


# --------------------------------------------------------------------------------------
# Errors as pages
# --------------------------------------------------------------------------------------
FRIENDLY = {
    401: "Please log in",
    403: "Not allowed",
    404: "Not found",
    413: "Too much text",
    422: "Please check what you entered",
    429: "Too many requests",
    503: "Temporarily unavailable",
}


def readable_validation(exc: ValidationError | RequestValidationError) -> str:
    lines = []
    for error in exc.errors():
        loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path", "form")]
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        if error.get("type") == "missing":
            message = "is required"
        label = " ".join(loc).replace("_", " ") or "input"
        lines.append(f"{label}: {message}")
    return "; ".join(lines)


def error_page(request: Request, status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    if wants_stream(request):
        body = sse("error", {"status": status, "message": detail})
        return Response(body, status_code=status, media_type="text/event-stream", headers=headers)
    response = render(
        request, "error.html", status=status, title=FRIENDLY.get(status, "Something went wrong"), detail=detail
    )
    if headers:
        response.headers.update(headers)
    return response


def describe(exc: Exception) -> tuple[int, str, dict[str, str] | None]:
    """(status, words for a person, headers) for any error a page can meet; unexpected ones are logged."""
    if isinstance(exc, ApiError):
        return exc.status, exc.detail, exc.headers
    if isinstance(exc, RequestValidationError | ValidationError):
        return 422, readable_validation(exc), None
    if isinstance(exc, FormError):
        return 422, str(exc), None
    for exc_type, (status, _title, retry_after) in DOMAIN_ERRORS.items():
        if isinstance(exc, exc_type):
            headers = {"Retry-After": str(retry_after)} if retry_after else None
            return status, str(exc) if status < 500 else f"{exc} Please try again in a moment.", headers
    log.error("web page failed", extra={"error": type(exc).__name__}, exc_info=exc)
    return 500, "Something went wrong on our side. Nothing you entered was lost; please try again.", None


def page_for(request: Request, exc: Exception) -> Response:
    """The page a person sees for an error: words, never a stack trace or JSON."""
    if isinstance(exc, LoginRequired):
        if wants_stream(request):
            return error_page(request, 401, "Your login has expired. Reload the page and log in again.")
        target = f"/login?next={quote(exc.next_path)}"
        if exc.message:
            target += "&expired=1"
        return redirect(target)
    status, detail, headers = describe(exc)
    return error_page(request, status, detail, headers)


class WebRoute(APIRoute):
    """Routes whose errors become pages (or in-band SSE errors) instead of problem+json."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:
                return page_for(request, exc)

        return handle


# --------------------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------------------
def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def comma_list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").replace("\n", ",").split(",") if part.strip()]


def parse_date(value: str | None, label: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise FormError(f"{label}: {value!r} is not a date; use the date picker or YYYY-MM-DD.") from None


def parse_int(value: str | None, label: str, low: int, high: int) -> int:
    try:
        number = int(value or "")
    except ValueError:
        raise FormError(f"{label}: enter a whole number.") from None
    if not low <= number <= high:
        raise FormError(f"{label}: must be between {low} and {high}.")
    return number


# --------------------------------------------------------------------------------------
# Citations
# --------------------------------------------------------------------------------------
def citation_passages(companion: Companion, principal: Principal, citations: list[schemas.Citation]) -> dict[str, Any]:
    """chunk id -> catalog record, for the citations this caller may read (fail closed: others are dropped)."""
    allow_private, private_author = principal.search_access()
    if principal.role == "mentee":
        allow_private = False
    rules = SearchFilters(tenant=principal.tenant, allow_private=allow_private, private_author=private_author)
    records = companion.catalog.get_chunks(sorted({c.chunk_id for c in citations}))
    return {cid: record for cid, record in records.items() if rules.allows(record.meta)}


def keep_known_citations(citations: list[schemas.Citation], passages: dict[str, Any]) -> list[schemas.Citation]:
    return [c for c in citations if c.chunk_id in passages]


# --------------------------------------------------------------------------------------
# Generation jobs: one code path for the no-JS page and the SSE stream
# --------------------------------------------------------------------------------------
Job = Iterator[tuple[str, Any]]
"""Yields ("progress", message) any number of times, then ("done", template values)."""


def generate_step(
    companion: Companion, task: str, context: schemas.MentoringContext, audience: Audience, label: str
) -> Generator[tuple[str, Any], None, Any]:
    """Progress lines for one generation (use with `yield from`); returns the task's output model."""
    yield "progress", f"{label}: looking for relevant knowledge"
    characters = 0
    for name, event in companion.generate_events(task, context, audience=audience):
        if isinstance(event, schemas._Output):
            return event
        payload: dict[str, Any] = event
        if name == "retrieved":
            yield "progress", f"{label}: found {payload['chunks']} relevant passages"
        elif name == "generating":
            yield "progress", f"{label}: writing ({payload['provider']})"
        elif name == "token":
            before, characters = characters, characters + len(payload.get("delta", ""))
            if characters // 200 > before // 200:
                yield "progress", f"{label}: writing… {characters} characters so far"
    raise RuntimeError(f"{task} generation ended without a result")


def run_job(job: Job) -> dict[str, Any]:
    for name, payload in job:
        if name == "done":
            return payload
    raise RuntimeError("the job ended without a result")


def sse(event: str, data: Any) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n".encode()


def stream_job(request: Request, job: Job, fragment: str) -> StreamingResponse:
    """Progress lines, then the rendered fragment as `result`; a failure is an `error` event in words."""
    principal = request.scope.get("state", {}).get("principal")

    def events() -> Iterator[bytes]:
        try:
            for name, payload in job:
                if name == "progress":
                    yield sse("progress", {"message": payload})
                elif name == "done":
                    html = render_fragment(fragment, request=request, principal=principal, **payload)
                    yield sse("result", {"html": html})
        except Exception as exc:  # the stream has started: say it in words, in-band
            status, detail, _headers = describe(exc)
            yield sse("error", {"status": status, "message": detail})

    return StreamingResponse(
        iterate_in_threadpool(events()), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )
