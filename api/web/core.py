"""The plumbing of the server-rendered pages: templates, cookie login, same-origin checks, HTML errors,
and generation jobs that either finish in one request (no JavaScript) or stream progress over SSE.

The pages use the same service layer, auth, tenancy and access policy as the JSON API: a page
request resolves the same `Caller` from the API key kept in an HttpOnly cookie, and every read and
write goes through `companion.mentoring`.
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
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from pydantic import ValidationError
from starlette.concurrency import iterate_in_threadpool

from api.auth import resolve_caller
from api.deps import require_database
from api.errors import DOMAIN_ERRORS, ApiError
from api.lanes import LanedRoute, in_lane
from companion import schemas
from companion.access import Caller, Parties
from companion.mentoring import Mentoring
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


def line_breaks(text: str | None) -> Markup:
    """Text as typed, its line breaks kept as <br> (escaped first), so a saved note reads as it was written
    with or without the stylesheet."""
    return Markup("<br>\n").join(escape(line) for line in (text or "").splitlines())


templates.filters["line_breaks"] = line_breaks


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
    caller: Caller | None = request.scope.get("state", {}).get("caller")
    html = templates.get_template(template).render(
        request=request, principal=caller, today=dt.date.today(), path=request.url.path, **values
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
async def web_caller(request: Request) -> Caller:
    """The caller, from the key in the login cookie (or local mode); raises LoginRequired without one.
    On the request's lane (`api/lanes.py`), like the API's caller lookup."""
    return await in_lane(_resolve_web_caller, request)


def _resolve_web_caller(request: Request) -> Caller:
    companion: Companion = request.app.state.companion
    require_database(request.app)
    key = request.cookies.get(COOKIE)
    try:
        caller = resolve_caller(f"Bearer {key}" if key else None, companion.keys, request.app.state.local_mode)
    except ApiError as exc:
        next_path = request.url.path if request.method == "GET" else "/"
        raise LoginRequired(next_path, "Your key is no longer valid; log in again." if key else None) from exc
    request.scope.setdefault("state", {})["caller"] = caller
    request.app.state.rate_limiter.check(caller.rate_key)
    if request.method not in ("GET", "HEAD"):
        check_same_origin(request)
    return caller


def check_same_origin(request: Request) -> None:
    """Refuse a form posted from another site (the cookie is SameSite=Strict as well): scheme and host
    of Origin (else Referer) must be this server's."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return
    sent = urlsplit(origin)
    if sent.netloc != request.headers.get("host", "") or sent.scheme != request.url.scheme:
        raise ApiError(403, "Forbidden", "This form was sent from another site, so it was not accepted.")


def safe_next(path: str | None) -> str:
    """Only local paths, so the login form can never bounce somebody to another site."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


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


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _in_words(error: Any) -> str:
    """One pydantic error as a person would say it ("must not be empty"), never pydantic's own text."""
    kind, ctx = str(error.get("type", "")), error.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind == "string_too_short":
        least = ctx.get("min_length", 1)
        return "must not be empty" if least == 1 else f"must be at least {_number(least)} characters"
    if kind == "string_too_long":
        return f"must be at most {_number(ctx.get('max_length'))} characters"
    if kind == "too_short":
        return f"needs at least {_number(ctx.get('min_length'))} entries"
    if kind == "too_long":
        return f"can have at most {_number(ctx.get('max_length'))} entries"
    bounds = {
        "greater_than_equal": ("ge", "must be {} or more"),
        "greater_than": ("gt", "must be more than {}"),
        "less_than_equal": ("le", "must be {} or less"),
        "less_than": ("lt", "must be less than {}"),
    }
    if kind in bounds:
        key, words = bounds[kind]
        return words.format(_number(ctx.get(key)))
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "must be a whole number"
    if kind in ("float_parsing", "float_type"):
        return "must be a number"
    if kind.startswith("date") or kind.startswith("datetime"):
        return "must be a date, written YYYY-MM-DD"
    if kind in ("bool_parsing", "bool_type"):
        return "must be yes or no"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', 'the listed choices')}"
    if kind == "enum":
        return f"must be one of {ctx.get('expected', 'the listed choices')}"
    if kind == "string_pattern_mismatch":
        return "is not written in a form that can be used"
    if kind in ("json_invalid", "json_type"):
        return "could not be read back"
    if kind == "value_error":
        return str(error.get("msg", "")).removeprefix("Value error, ")
    if kind in ("string_type", "list_type", "dict_type", "model_type", "model_attributes_type"):
        return "is not the kind of value expected here"
    return str(error.get("msg", "is not valid")).removeprefix("Value error, ")


def readable_validation(exc: ValidationError | RequestValidationError) -> str:
    """Every error of a form, in words: "mentee name is required; goals 2 must be at most 200 characters"."""
    lines = []
    for error in exc.errors():
        parts = []
        for part in error.get("loc", ()):
            if part in ("body", "query", "path", "form"):
                continue
            parts.append(str(part + 1) if isinstance(part, int) else str(part).replace("_", " "))
        label = " ".join(parts)
        message = _in_words(error)
        lines.append(f"{label} {message}" if label else message)
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
    if (described := _describe_http(exc)) is not None:
        return described
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


def _describe_http(exc: Exception) -> tuple[int, str, dict[str, str] | None] | None:
    """Starlette's HTTP errors (a form over the parser's limits, a body over the size limit, ...) in words."""
    from starlette.exceptions import HTTPException

    from api.errors import form_over_limit
    from api.observability import BodyTooLarge, too_large_words

    if not isinstance(exc, HTTPException):
        return None
    if isinstance(exc, BodyTooLarge):
        return 413, too_large_words(exc.limit), None
    if form_over_limit(exc):
        reason = str(exc.detail)
        return 413, f"This form is too large to accept, so nothing was saved: {reason[:1].lower()}{reason[1:]}", None
    return exc.status_code, str(exc.detail), dict(exc.headers) if exc.headers else None


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


class WebRoute(LanedRoute):
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
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise FormError(f"{label}: {value!r} is not a date; use the date picker or YYYY-MM-DD.") from None
    if not schemas.EARLIEST_DATE <= day <= schemas.LATEST_DATE:
        raise FormError(
            f"{label}: must be between {schemas.EARLIEST_DATE.isoformat()} and {schemas.LATEST_DATE.isoformat()}."
        )
    return day


def parse_int(value: str | None, label: str, low: int, high: int, why: str | None = None) -> int:
    """A whole number from low to high typed into a form; anything else is refused in words, never
    clamped (0 minutes is not silently 1)."""
    reason = f" ({why})" if why else ""
    try:
        number = int((value or "").strip())
    except ValueError:
        raise FormError(f"{label}: enter a whole number; it must be between {low} and {high}{reason}.") from None
    if not low <= number <= high:
        raise FormError(f"{label}: {number} is not allowed; it must be between {low} and {high}{reason}.")
    return number


# --------------------------------------------------------------------------------------
# Citations
# --------------------------------------------------------------------------------------
def citation_passages(
    mentoring: Mentoring, caller: Caller, citations: list[schemas.Citation], who: Parties | None = None
) -> dict[str, Any]:
    """chunk id -> catalog record, for the citations this caller may open (fail closed: others are dropped)."""
    return mentoring.passages(caller, citations, who)


# --------------------------------------------------------------------------------------
# Generation jobs: one code path for the no-JS page and the SSE stream
# --------------------------------------------------------------------------------------
Job = Iterator[tuple[str, Any]]
"""Yields ("progress", message) any number of times, then ("done", template values)."""


def generate_step(
    mentoring: Mentoring,
    caller: Caller,
    task: str,
    context: schemas.MentoringContext,
    who: Parties | None,
    label: str,
    mentorship_id: str | None = None,
) -> Generator[tuple[str, Any], None, Any]:
    """Progress lines for one generation run for `caller` (use with `yield from`); returns the output."""
    yield "progress", f"{label}: looking for relevant knowledge"
    characters = 0
    for name, event in mentoring.events(caller, task, context, who, mentorship_id):
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
    caller = request.scope.get("state", {}).get("caller")

    def events() -> Iterator[bytes]:
        try:
            for name, payload in job:
                if name == "progress":
                    yield sse("progress", {"message": payload})
                elif name == "done":
                    html = render_fragment(fragment, request=request, principal=caller, **payload)
                    yield sse("result", {"html": html})
        except Exception as exc:  # the stream has started: say it in words, in-band
            status, detail, _headers = describe(exc)
            yield sse("error", {"status": status, "message": detail})

    return StreamingResponse(
        iterate_in_threadpool(events()), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )
