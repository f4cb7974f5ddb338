"""Shared by the privacy proofs (issue 11): keys, cookie logins, SSE parsing and marker scanning.

A *marker* is a unique string planted in one piece of content (a private note, a plan, a feedback
summary...). Its readers are the callers that `companion/access.py` lets read that content; every
other caller must never receive it, in any body: JSON, HTML, Markdown, iCalendar or an event stream.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import httpx
from fastapi.testclient import TestClient

import tests.conftest

BASE_URL: str = getattr(tests.conftest, "LOCAL_BASE_URL", "http://testserver")
"""The address the test clients call the app at; web forms are posted with it as their Origin."""

_SSE_EVENT = re.compile(r"event: ([\w-]+)\ndata: (.*)\n\n")


def create_key(client: TestClient, tenant: str, role: str, person: str | None = None) -> dict[str, str]:
    """An API key made with the app's own key store (as `companion keys create` does); returns headers."""
    from companion.memory.schemas import KeyCreate

    created = client.app.state.companion.keys.create_key(  # type: ignore[attr-defined]
        tenant, KeyCreate(role=role, person_id=person, name="privacy proof")
    )
    return {"Authorization": f"Bearer {created.key}"}


def raw_key(headers: Mapping[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def login(client: TestClient, headers: Mapping[str, str]) -> None:
    """Log a test client in to the web pages with an API key (the cookie lands in its jar)."""
    client.cookies.clear()
    response = client.post(
        "/login",
        data={"key": raw_key(headers), "next": "/"},
        headers={"Origin": origin(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/", response.text


def origin(client: TestClient) -> str:
    """The Origin a browser sends with a form of this app (scheme, host and port of its address)."""
    return str(client.base_url).rstrip("/")


def sse_events(text: str) -> list[tuple[str, Any]]:
    """(event, data) for every server-sent event in a body."""
    return [(name, json.loads(data)) for name, data in _SSE_EVENT.findall(text)]


def mentorship_body(mentor: str, mentee: str, **mentee_fields: Any) -> dict[str, Any]:
    return {
        "mentor": {"person_id": mentor, "name": mentor.title(), "interests": ["chess", "cycling"]},
        "mentee": {
            "person_id": mentee,
            "name": mentee.title(),
            "role": "first-time founder",
            "situation": "pre-seed B2B startup",
            "interests": ["chess", "hiking"],
            "challenges": ["fear of pitching"],
            **mentee_fields,
        },
        "goals": ["raise a seed round by June", "hire a first engineer"],
    }


def readable_text(response: httpx.Response) -> str:
    """A body as a person or program would read it: iCalendar lines unfolded, HTML entities decoded."""
    text = response.text
    if "calendar" in response.headers.get("content-type", ""):
        text = text.replace("\r\n ", "").replace("\r\n\t", "").replace("\\,", ",").replace("\\;", ";")
    return html.unescape(text)


def found_markers(text: str, markers: Iterable[str], *, sent: Iterable[str] = ()) -> list[str]:
    """The markers in `text` (case-insensitive), ignoring the strings the caller sent itself (ids in its
    own URL or body come back in `instance` and in error details, which is no leak)."""
    folded = text.casefold()
    for value in sorted(sent, key=len, reverse=True):
        if value:
            folded = folded.replace(value.casefold(), "")
    return [marker for marker in markers if marker.casefold() in folded]


def problem_title(response: httpx.Response) -> str | None:
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        return str(response.json().get("title"))
    return None
