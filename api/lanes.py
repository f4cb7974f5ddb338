"""Request lanes: memory writes get threads of their own, so they never queue behind generation.

With everything in-process the app serves sync work on two threads (`request_thread_count`, see
docs/benchmarks.md for why). Every request queued on those two, so a session write that takes a few
milliseconds waited behind a queue of agendas and searches: under bench/load.py its latency was the
queue's, not its own. An endpoint marked `@memory_write` runs, together with the caller lookup
before it, on the write lane instead: one thread on SQLite (which has one writer anyway, so writes
now queue on the lane rather than on SQLite's lock while holding a request thread), a few on a
database server. Generation, search and ingestion stay on the request threads.

How: `LanedRoute` (the routers' route class) sets the lane for the request before FastAPI resolves
its dependencies; `in_lane` runs sync work on the current lane (the default thread limiter when
there is none); `memory_write` turns a sync endpoint into one that runs there.
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
SERVER_DATABASE_WRITE_THREADS = 4

_lane: ContextVar[CapacityLimiter | None] = ContextVar("companion_request_lane", default=None)


def write_thread_count(settings: Settings) -> int:
    """One writer on SQLite (it takes one write at a time), a few on a database server."""
    return (
        1
        if settings.database_url is None or settings.database_url.startswith("sqlite")
        else SERVER_DATABASE_WRITE_THREADS
    )


async def in_lane(func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run sync `func` on a thread of this request's lane: the write lane for a memory write, else the
    app's request threads (anyio's default limiter)."""
    return await anyio.to_thread.run_sync(functools.partial(func, *args, **kwargs), limiter=_lane.get())


def memory_write(endpoint: Callable[P, T]) -> Callable[P, Coroutine[Any, Any, T]]:
    """Mark a sync endpoint as a memory write: it runs on the write lane. Put it under `@router.…`."""
    if inspect.iscoroutinefunction(endpoint):
        raise TypeError(f"{endpoint.__name__} is async; only sync endpoints need a lane")

    @functools.wraps(endpoint)
    async def on_write_lane(*args: P.args, **kwargs: P.kwargs) -> T:
        return await in_lane(endpoint, *args, **kwargs)

    on_write_lane.lane = WRITE_LANE  # type: ignore[attr-defined]
    return on_write_lane


def lane_of(route: APIRoute) -> str | None:
    return getattr(route.endpoint, "lane", None)


class LanedRoute(APIRoute):
    """Sets a `@memory_write` endpoint's lane before its dependencies run, so the caller lookup
    (a database read) is on the write lane too, not queued behind generation."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if lane_of(self) != WRITE_LANE:
            return handler

        async def on_write_lane(request: Request) -> Response:
            token = _lane.set(request.app.state.write_lane)
            try:
                return await handler(request)
            finally:
                _lane.reset(token)

        return on_write_lane
