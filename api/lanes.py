"""Request lanes: short memory writes and long bulk work each get threads of their own.

With everything in-process the app serves sync work on one request thread (`request_thread_count`;
docs/benchmarks.md has the measurements: the server is short of the GIL, not of cores, so every
runnable thread beyond two costs every request). On that lane alone, a session write that takes a
few milliseconds waited behind a queue of agendas and searches, and one slow job (a cohort match,
an upload being embedded) held up everyone. So there are three lanes:

- **request** (anyio's default limiter): generation, search, pages;
- **write** (`@memory_write`): stores to memory that only write rows: one thread on SQLite, which
  has one writer anyway, a few on a database server;
- **bulk** (`@bulk_work`): embedding uploads and people, cohort matching: one thread in-process, so
  a long job leaves the request lane free.

How: `LanedRoute` (the routers' route class) sets the lane for the request before FastAPI resolves
its dependencies, so the caller lookup runs on it too; `in_lane` runs sync work on the current lane
(the default thread limiter when there is none); the decorators turn a sync endpoint into one that
runs there.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import Request, Response
from fastapi.routing import APIRoute

from companion.config import Settings

P = ParamSpec("P")
T = TypeVar("T")

WRITE_LANE = "write"
BULK_LANE = "bulk"
SERVER_DATABASE_WRITE_THREADS = 4
NETWORK_BULK_THREADS = 4

_lane: ContextVar[CapacityLimiter | None] = ContextVar("companion_request_lane", default=None)


def write_thread_count(settings: Settings) -> int:
    """One writer on SQLite (it takes one write at a time), a few on a database server."""
    return (
        1
        if settings.database_url is None or settings.database_url.startswith("sqlite")
        else SERVER_DATABASE_WRITE_THREADS
    )


def lane_limiters(settings: Settings) -> dict[str, CapacityLimiter]:
    """The app's lanes besides the request threads; made in the lifespan, on the event loop."""
    bulk = 1 if settings.in_process else NETWORK_BULK_THREADS
    return {WRITE_LANE: CapacityLimiter(write_thread_count(settings)), BULK_LANE: CapacityLimiter(bulk)}


async def in_lane(func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run sync `func` on a thread of this request's lane: the write or bulk lane when the route has one,
    else the app's request threads (anyio's default limiter)."""
    return await anyio.to_thread.run_sync(functools.partial(func, *args, **kwargs), limiter=_lane.get())


def on_lane(name: str) -> Callable[[Callable[P, T]], Callable[P, Coroutine[Any, Any, T]]]:
    """Mark a sync endpoint to run on lane `name`. Put it under `@router.…`."""

    def mark(endpoint: Callable[P, T]) -> Callable[P, Coroutine[Any, Any, T]]:
        if inspect.iscoroutinefunction(endpoint):
            raise TypeError(f"{endpoint.__name__} is async; call in_lane for its sync work instead")

        @functools.wraps(endpoint)
        async def on_its_lane(*args: P.args, **kwargs: P.kwargs) -> T:
            return await in_lane(endpoint, *args, **kwargs)

        on_its_lane.lane = name  # type: ignore[attr-defined]
        return on_its_lane

    return mark


memory_write = on_lane(WRITE_LANE)
"""A store to memory that only writes rows (no embedding, no generation)."""
bulk_work = on_lane(BULK_LANE)
"""Long work: embedding what was uploaded, matching a cohort."""


def bulk_lane(endpoint: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, Coroutine[Any, Any, T]]:
    """Mark an async endpoint whose sync work (through `in_lane`) belongs on the bulk lane."""
    endpoint.lane = BULK_LANE  # type: ignore[attr-defined]
    return endpoint


def lane_of(route: APIRoute) -> str | None:
    return getattr(route.endpoint, "lane", None)


class LanedRoute(APIRoute):
    """Sets a marked endpoint's lane before its dependencies run, so the caller lookup (a database
    read) is on that lane too, not queued behind generation."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        name = lane_of(self)
        if name is None:
            return handler

        async def on_its_lane(request: Request) -> Response:
            token = _lane.set(request.app.state.lanes[name])
            try:
                return await handler(request)
            finally:
                _lane.reset(token)

        return on_its_lane
