"""Request ids, structured logs, Prometheus metrics, the request-body limit and the rate limit.

Logs carry method, route, status, duration, tenant and request id: never note text, prompts
or keys.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import PROBLEM, ApiError, is_api_path
from companion.config import Settings
from companion.first_start import IndexStatus

REQUEST_ID_HEADER = "X-Request-ID"


class JsonFormatter(logging.Formatter):
    """One JSON object per line; only whitelisted extra fields are emitted."""

    FIELDS = (
        "request_id",
        "method",
        "route",
        "status",
        "duration_ms",
        "tenant",
        "role",
        "task",
        "provider",
        "fallback_reason",
        "files",
        "added",
        "failures",
        "error",
        "where",
    )

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in self.FIELDS:
            if hasattr(record, name):
                data[name] = getattr(record, name)
        if record.exc_info and record.exc_info[0] is not None:
            data["exception"] = record.exc_info[0].__name__
        return json.dumps(data, ensure_ascii=False)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    for name in ("companion", "companion.api", "companion.service"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False


class Metrics:
    """The app's own registry, so several apps (tests) never collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "companion_http_request_duration_seconds",
            "HTTP request latency by route",
            ("method", "route", "status"),
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.generations = Counter(
            "companion_generations_total",
            "Generated suggestions by task and provider",
            ("task", "provider"),
            registry=self.registry,
        )
        self.fallbacks = Counter(
            "companion_generation_fallbacks_total",
            "LLM fallbacks to the offline composer by reason",
            ("task", "reason"),
            registry=self.registry,
        )
        self.tokens = Counter("companion_llm_tokens_total", "LLM tokens by kind", ("kind",), registry=self.registry)
        self.indexing = Gauge(
            "companion_knowledge_indexing",
            "1 while the shipped knowledge is being indexed in this process",
            registry=self.registry,
        )
        self.programme = ProgrammeCollector()
        self.registry.register(self.programme)
        # Each API process (worker) keeps its own metrics; this says which one answered a scrape.
        Gauge(
            "companion_process_info", "The API process that serves these metrics", ("pid",), registry=self.registry
        ).labels(str(os.getpid())).set(1)

    def watch_programme(self, totals: Callable[[], Mapping[str, Any]]) -> None:
        """Programme health totals per tenant (`companion.programme.totals_by_tenant`), read from the
        database at each scrape, so every worker shows the same numbers."""
        self.programme.totals = totals

    def watch_index(self, status: IndexStatus) -> None:
        """1 while this process builds its first index: a test or an operator waits for 0 on every worker."""
        self.indexing.set_function(lambda: 1.0 if status.indexing else 0.0)

    def record_generation(self, task: str, output: Any) -> None:
        generator = output.generator
        self.generations.labels(task, generator.provider).inc()
        if generator.fallback_reason:
            reason = generator.fallback_reason.split(":", 1)[0].strip() or "unknown"
            self.fallbacks.labels(task, reason).inc()
        self.tokens.labels("prompt").inc(output.usage.prompt_tokens)
        self.tokens.labels("completion").inc(output.usage.completion_tokens)


PROGRAMME_STATUSES = ("active", "paused", "closed", "stalled", "at_risk")
PROGRAMME_COUNTS = (
    ("sessions_held", "companion_programme_sessions_held", "Sessions held so far"),
    ("open_action_items", "companion_programme_open_items", "Action items not done"),
    ("overdue_action_items", "companion_programme_overdue_items", "Action items not done and past their due date"),
    ("decisions_due", "companion_programme_decisions_due", "Decisions whose check-in date has come"),
)


class ProgrammeCollector(Collector):
    """Gauges of programme health over the whole install: counts only (the one label is a status word),
    never a tenant, an id, a name or any text. A database that does not answer leaves them out of the scrape."""

    def __init__(self) -> None:
        self.totals: Callable[[], Mapping[str, Any]] | None = None

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        if self.totals is None:
            return
        try:
            by_tenant = self.totals()
        except Exception as exc:
            logging.getLogger("companion.api").warning(
                "programme metrics unavailable", extra={"error": type(exc).__name__}
            )
            return
        # Summed over the install, with no tenant label: /metrics needs no key, and a tenant's name and
        # numbers are its own (each tenant reads its own from GET /v1/programme/health).
        mentorships = GaugeMetricFamily(
            "companion_programme_mentorships",
            "Mentorships by status over all tenants (stalled and at_risk are active ones)",
            labels=("status",),
        )
        for status in PROGRAMME_STATUSES:
            mentorships.add_metric((status,), float(sum(getattr(t, status) for t in by_tenant.values())))
        yield mentorships
        for field, name, words in PROGRAMME_COUNTS:
            family = GaugeMetricFamily(name, f"{words}, over all tenants")
            family.add_metric((), float(sum(getattr(t, field) for t in by_tenant.values())))
            yield family


class BodyTooLarge(StarletteHTTPException):
    """The request body passed the size limit while it was being read (a chunked body has no
    Content-Length to refuse it by). An HTTPException, so that FastAPI's body parsing passes it on
    as it is (it turns other errors into 400), and the API answers 413 problem+json, a page 413 in words."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body exceeds {limit} bytes")
        self.limit = limit


def too_large_words(limit: int) -> str:
    """The 413 detail for a person at a browser."""
    return (
        f"What you sent is larger than the {limit / 1_000_000:g} MB this server accepts, so it was not saved. "
        "Shorten the text (or split it up) and try again."
    )


def crash_site(exc: BaseException) -> str:
    """Where an exception was raised, as 'file.py:123 in function': enough to find the bug, and unlike a
    traceback's message lines it carries no request data (note text, names) into the log."""
    tb = exc.__traceback__
    if tb is None:
        return "unknown"
    while tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code
    return f"{os.path.basename(code.co_filename)}:{tb.tb_lineno} in {code.co_name}"


class RequestContextMiddleware:
    """Request id on every response, the body-size limit, per-route latency and one log line per request.

    An exception nothing else handled becomes a 500 here (problem+json for the API, a page in words
    for the web pages), with the request id, and the request still gets its log line and metrics. It
    is not raised further, so the server prints no traceback: the log says the exception's type and
    where it was raised, and never its message.
    """

    def __init__(self, app: ASGIApp, *, metrics: Metrics, max_body_bytes: int) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self.log = logging.getLogger("companion.api")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        incoming = headers.get("x-request-id", "")
        request_id = incoming if 0 < len(incoming) <= 128 and incoming.isprintable() else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status_holder = {"status": 500}
        response_started = False
        error: dict[str, str] = {}

        async def send_with_id(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                status_holder["status"] = message["status"]
                raw = list(message.get("headers", []))
                raw.append((REQUEST_ID_HEADER.lower().encode(), request_id.encode()))
                message["headers"] = raw
            await send(message)

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge(self.max_body_bytes)
            return message

        try:
            declared = headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
                await self._too_large(scope)(scope, receive, send_with_id)
            else:
                await self.app(scope, limited_receive, send_with_id)
        except Exception as exc:  # the last line of defence: a 500, never a traceback
            error = {"error": type(exc).__name__, "where": crash_site(exc)}
            self.log.error("unhandled error", extra={"request_id": request_id, **error})
            if not response_started:  # once a response (a stream) has started, it can only be cut short
                await self._internal_error(scope, request_id)(scope, receive, send_with_id)
        duration = time.perf_counter() - started
        route_path = route_template(scope)
        self.metrics.latency.labels(scope["method"], route_path, str(status_holder["status"])).observe(duration)
        state = scope.get("state", {})
        principal = state.get("caller")
        self.log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": scope["method"],
                "route": route_path,
                "status": status_holder["status"],
                "duration_ms": round(duration * 1000, 1),
                "tenant": getattr(principal, "tenant", None),
                "role": getattr(principal, "role", None),
                **error,
            },
        )

    def _too_large(self, scope: Scope) -> Response:
        path = str(scope.get("path", ""))
        if not is_api_path(path):
            return _page(scope, 413, too_large_words(self.max_body_bytes))
        return _problem(path, 413, "Request too large", f"the request body exceeds {self.max_body_bytes} bytes")

    def _internal_error(self, scope: Scope, request_id: str) -> Response:
        path = str(scope.get("path", ""))
        if not is_api_path(path):
            words = f"Something went wrong on our side (request id {request_id}). Please try again in a moment."
            return _page(scope, 500, words)
        detail = f"the server failed to handle this request; its log has the details under request id {request_id}"
        return _problem(path, 500, "Internal error", detail)


def _problem(path: str, status: int, title: str, detail: str) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": path}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _page(scope: Scope, status: int, words: str) -> Response:
    """The web app's error page (or in-band SSE error); plain text should the page itself fail to render."""
    try:
        from api.web.core import error_page

        return error_page(Request(scope), status, words)
    except Exception:  # a broken template must not turn an error page into a crash
        return PlainTextResponse(words, status_code=status, headers={"Cache-Control": "no-store"})


def route_template(scope: Scope) -> str:
    """The matched route's path template with its router prefix ('/v1/mentorships/{mentorship_id}'),
    so metrics and logs group by route, not by id; FastAPI keeps the prefix on the included router."""
    route = scope.get("route")
    if route is None:
        return "unmatched"
    included = (scope.get("fastapi") or {}).get("included_router")
    prefix = getattr(getattr(included, "include_context", None), "prefix", "") or ""
    path = str(getattr(route, "path", ""))
    return path if path.startswith(prefix) else prefix + path


class RateLimiter:
    """Token bucket per API key, per process: with several workers, each counts alone (see
    `SharedRateLimiter` for one budget across workers and hosts)."""

    def __init__(self, per_minute: int, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(max(burst, 1))
        self.enabled = per_minute > 0
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                raise too_many_requests(self.rate, (1.0 - tokens) / self.rate)
            self._buckets[key] = (tokens - 1.0, now)


def too_many_requests(rate_per_second: float, wait_seconds: float) -> ApiError:
    return ApiError(
        429,
        "Too many requests",
        f"rate limit of {round(rate_per_second * 60)} requests per minute exceeded",
        headers={"Retry-After": str(max(1, math.ceil(wait_seconds)))},
    )


# The same token bucket as RateLimiter, as GCRA: the key holds the bucket's "theoretical arrival
# time" (TAT) in ms. A request is allowed when TAT, moved on by one interval, is at most
# `capacity` intervals ahead of now; the key expires when the bucket is full again. Redis's own
# clock is used, so workers on hosts whose clocks differ still share one budget.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2]) * interval
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
local new_tat = tat + interval
if new_tat - now > capacity then
  return {0, tostring(new_tat - now - capacity)}
end
redis.call('SET', KEYS[1], tostring(new_tat), 'PX', math.ceil(new_tat - now))
return {1, '0'}
"""


class SharedRateLimiter:
    """The per-key token bucket kept in Redis (COMPANION_REDIS_URL), so every worker and host
    shares one budget per key; one atomic script call per request.

    Fails open, to the per-process limit: while Redis is unreachable, each process counts alone
    (as without Redis) and logs one warning per outage, and retries Redis after
    `retry_after_failure` seconds. Refusing every request (503) would turn a Redis outage into
    an outage of the whole API, for a limit that protects capacity rather than data: keys,
    tenants and roles are checked on every request either way."""

    KEY_PREFIX = "companion:rate:"

    def __init__(
        self,
        per_minute: int,
        burst: int,
        url: str,
        *,
        timeout: float = 0.5,
        retry_after_failure: float = 5.0,
    ) -> None:
        try:
            import redis
        except ImportError as exc:
            raise RuntimeError(
                "COMPANION_REDIS_URL needs the redis client: pip install 'mentor-companion[redis]'"
            ) from exc
        self.rate = per_minute / 60.0
        self.capacity = max(burst, 1)
        self.enabled = per_minute > 0
        self.fallback = RateLimiter(per_minute, burst)
        self.retry_after_failure = retry_after_failure
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        try:
            self._client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        except ValueError:  # a malformed URL: refuse to start, without echoing it (it may hold a password)
            raise ValueError(
                "COMPANION_REDIS_URL must look like redis://[:password@]host:port/db (or rediss://, unix://)"
            ) from None
        self._script = self._client.register_script(_GCRA)
        self._down_until = 0.0
        self._down = False
        self._lock = threading.Lock()
        self.log = logging.getLogger("companion.api")

    def check(self, key: str) -> None:
        if not self.enabled:
            return
        if time.monotonic() < self._down_until:
            self.fallback.check(key)
            return
        try:
            allowed, wait_ms = self._script(keys=[self.KEY_PREFIX + key], args=[1000.0 / self.rate, self.capacity])
        except self._errors as exc:
            self._went_down(exc)
            self.fallback.check(key)
            return
        if self._down:
            self._came_back()
        if not int(allowed):
            raise too_many_requests(self.rate, float(wait_ms) / 1000.0)

    def _went_down(self, exc: BaseException) -> None:
        with self._lock:
            self._down_until = time.monotonic() + self.retry_after_failure
            first = not self._down
            self._down = True
        if first:  # one line per outage, not one per request; never the URL (it may hold a password)
            self.log.warning(
                "Redis unreachable: rate limit counted per process until it answers",
                extra={"error": f"{type(exc).__name__}: {exc}"[:200]},
            )

    def _came_back(self) -> None:
        with self._lock:
            was_down, self._down = self._down, False
        if was_down:
            self.log.info("Redis answers again: rate limit shared across processes")


def create_rate_limiter(settings: Settings) -> RateLimiter | SharedRateLimiter:
    """The shared limiter when COMPANION_REDIS_URL is set (and the limit is on), else the per-process one."""
    if settings.redis_url and settings.rate_limit_per_minute > 0:
        return SharedRateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst, settings.redis_url)
    return RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
