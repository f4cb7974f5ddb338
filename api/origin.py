"""Requests from somewhere else: DNS rebinding (a foreign `Host`) and cross-site writes (a foreign `Origin`).

In local mode nothing authenticates a request, so a page on any site could otherwise post to the
API (a multipart upload needs no CORS preflight) or, after rebinding its own name to 127.0.0.1,
read from it. Two checks close that, for every request before any route runs:

- `Host` must be one of the names the server was bound as (in local mode: the loopback names);
- an unsafe `/v1` request (POST, PUT, PATCH, DELETE) whose `Origin` (else `Referer`) names another
  scheme, host or port is refused. Programs that call the API send no Origin and are not affected;
  the web pages refuse foreign forms themselves, with a page in words (`api/web/core.py`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import PROBLEM, is_api_path

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _host_name(host: str) -> str:
    """The name part of a Host header value, without the port, lower-case ('[::1]:8000' -> '::1')."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class OriginGuard:
    def __init__(self, app: ASGIApp, *, allowed_hosts: Iterable[str] | None) -> None:
        self.app = app
        self.allowed_hosts = None if allowed_hosts is None else frozenset(_host_name(h) for h in allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        if self.allowed_hosts is not None and _host_name(host) not in self.allowed_hosts:
            await _refuse(send, scope, 400, "Unknown host", f"this server does not answer to the host {host!r}")
            return
        if scope["method"] not in SAFE_METHODS and is_api_path(scope.get("path", "")):
            sent = headers.get("origin") or headers.get("referer")
            if sent and sent != "null":
                parts = urlsplit(sent)
                if parts.netloc.lower() != host.lower() or parts.scheme != scope.get("scheme", "http"):
                    await _refuse(
                        send, scope, 403, "Forbidden", "a request sent from another site is not accepted here"
                    )
                    return
            elif sent == "null":
                await _refuse(send, scope, 403, "Forbidden", "a request sent from an opaque origin is not accepted")
                return
        await self.app(scope, receive, send)


async def _refuse(send: Send, scope: Scope, status: int, title: str, detail: str) -> None:
    body = json.dumps(
        {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": scope.get("path")}
    )
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", PROBLEM.encode()), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})


def allowed_hosts(bound_host: str, local_mode: bool) -> list[str] | None:
    """The names a server answers to: in local mode the loopback names and the bound address. None means
    any: keys are required then, and the operator's load balancer names the host."""
    if local_mode:
        return [*LOOPBACK_NAMES, *([bound_host] if bound_host else [])]
    return None
