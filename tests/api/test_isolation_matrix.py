"""The isolation and visibility matrix (issue 11, "Proof"): every route of the app, for every kind of caller.

The routes are read from the app itself (its routes and its OpenAPI schema), so a new route cannot
escape the matrix: a route that has no entry in `MATRIX` fails with "add it to the matrix".

The world: tenant acme, where dana mentors priya (M1) and eli mentors sam (M2), and tenant globex,
whose mentor is also called "dana" (M3). Unique markers are planted in each piece of content; who may
read each one follows `companion/access.py`. Then, for every route and caller:

(a) no body (JSON, HTML, Markdown, .ics, SSE) carries a marker the caller may not read;
(b) a foreign id (M1's ids for eli, sam and globex; another mentorship's child ids under the caller's
    own mentorship; acme's private note for globex) answers exactly like a random missing id: the same
    status and the same body once the ids are blanked out;
(c) nothing answers 5xx, in the status or as an in-band SSE error.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fastapi.routing
import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.app import create_app
from companion.config import Settings
from tests.api.privacy_support import (
    BASE_URL,
    create_key,
    found_markers,
    login,
    mentorship_body,
    problem_title,
    raw_key,
    readable_text,
    sse_events,
)
from tests.conftest import TEST_DATABASE_URL, make_settings, wipe_database

# --------------------------------------------------------------------------------------
# Callers, markers and who may read them
# --------------------------------------------------------------------------------------
CALLERS = ("admin", "platform", "dana", "eli", "priya", "sam", "globex-admin", "globex-dana")
STRANGERS = frozenset({"eli", "sam", "globex-admin", "globex-dana"})
"""Callers with no relation to M1 (dana -> priya): its ids must look missing to them."""
OTHER_TENANT = frozenset({"globex-admin", "globex-dana"})
OWN = {
    "admin": "m1",
    "platform": "m1",
    "dana": "m1",
    "priya": "m1",
    "eli": "m2",
    "sam": "m2",
    "globex-admin": "m3",
    "globex-dana": "m3",
}
"""The mentorship each caller reaches; another mentorship's child ids are tried under it."""
OTHER = {"m1": "m2", "m2": "m1", "m3": "m1"}
PERSON = {"dana": "dana", "eli": "eli", "priya": "priya", "sam": "sam", "globex-dana": "dana"}

PRIVATE_NOTE = "PRIVATE-MARKER-7f3a"
PRIVATE_KNOWLEDGE = "PRIVATE-KNOWLEDGE-MARKER-c41d"
PRIVATE_TITLE = "PRIVATE-TITLE-MARKER-9e2b"
PRIVATE_PLAN = "PRIVATE-PLAN-MARKER-88ab"
PRIVATE_ICEBREAKER = "PRIVATE-ICEBREAKER-MARKER-d07c"
PRIVATE_FEEDBACK = "PRIVATE-FEEDBACK-MARKER-5e0b"
DECISION = "DECISION-MARKER-3b9c"
SHARED_NOTE = "SHARED-NOTE-MARKER-2d17"
SHARED_PLAN = "SHARED-PLAN-MARKER-61fa"
ELI_PRIVATE = "ELI-PRIVATE-MARKER-4c8e"
GLOBEX = "GLOBEX-MARKER-0a5f"
PRIVATE_SOURCE = "dana-private-note-qzx"
MENTOR_RECORD = "MENTOR-RECORD-MARKER-b3c2"
MENTEE_RECORD = "MENTEE-RECORD-MARKER-6a1f"
MENTOR_REQUEST = "MENTOR-REQUEST-MARKER-e58d"
GOAL = "GOAL-MARKER-71c4"
SELF_ASSESSMENT = "SELF-ASSESSMENT-MARKER-a93e"
TOPIC = "TOPIC-MARKER-5c2d"
ACME = frozenset({"admin", "platform", "dana", "eli", "priya", "sam"})

MENTOR_SIDE_OF_M1 = frozenset({"admin", "dana"})
"""access.py: private notes, feedback summaries and private plans of M1: its admin and its mentor."""
READERS: dict[str, frozenset[str]] = {
    PRIVATE_NOTE: MENTOR_SIDE_OF_M1,
    PRIVATE_KNOWLEDGE: MENTOR_SIDE_OF_M1,
    PRIVATE_TITLE: MENTOR_SIDE_OF_M1,
    PRIVATE_SOURCE: MENTOR_SIDE_OF_M1,
    PRIVATE_PLAN: MENTOR_SIDE_OF_M1,
    PRIVATE_ICEBREAKER: MENTOR_SIDE_OF_M1,
    PRIVATE_FEEDBACK: MENTOR_SIDE_OF_M1,
    DECISION: frozenset({"admin", "platform", "dana"}),
    SHARED_NOTE: frozenset({"admin", "platform", "dana", "priya"}),
    SHARED_PLAN: frozenset({"admin", "platform", "dana", "priya"}),
    ELI_PRIVATE: frozenset({"admin", "eli"}),
    GLOBEX: OTHER_TENANT,
    MENTOR_RECORD: ACME,
    MENTEE_RECORD: frozenset({"admin", "platform", "priya"}),
    MENTOR_REQUEST: frozenset({"admin", "platform", "priya"}),
    GOAL: frozenset({"admin", "platform", "dana", "priya"}),
    SELF_ASSESSMENT: frozenset({"admin", "platform", "dana", "priya"}),
    TOPIC: frozenset({"admin", "platform", "dana", "priya"}),
}
SLOT_STRANGERS: dict[str, frozenset[str]] = {
    "source": OTHER_TENANT,
    "mentor_pid": OTHER_TENANT,
    "mentee_pid": frozenset(CALLERS) - READERS[MENTEE_RECORD],
}
"""Who must find this id missing, where it is not STRANGERS. Knowledge sources are one namespace per tenant
(in its own tenant a mentor is told 403 for a colleague's note, tests/api/test_access_findings.py wants that);
mentor records are the tenant's directory; a mentee record is its managers' and the mentee's own."""

SEARCH_QUERY = "Priya freezes when investors ask about revenue; seed round and fear of pitching"
NOTES_TEXT = (
    "Priya practised the seed pitch and rushed the revenue slide.\n"
    "Action: Priya to rehearse the pitch with two founders by Friday."
)
DECISION_INPUT = {
    "statement": "Should Priya pitch investors for the seed round now?",
    "options": ["pitch angels now", "wait for three customer letters"],
    "risk_appetite": "medium",
}
PLAIN_CONTEXT: dict[str, Any] = {
    "mentor": {"name": "dana"},  # naming a mentor grants nothing: the key decides whose notes are read
    "mentee": {
        "name": "Priya",
        "role": "first-time founder",
        "goals": ["raise a seed round by June"],
        "challenges": ["fear of pitching", "investors asking about revenue"],
    },
    "notes": NOTES_TEXT,
    "decision": DECISION_INPUT,
}
GENERATOR = {"provider": "offline", "model": "composer", "prompt_version": "test/1"}
CHILD_SLOTS = frozenset({"s1", "s_plan", "s_shared", "s_scratch", "did", "item", "goal", "topic"})


def neutral_framework(today: dt.date) -> dict[str, Any]:
    return {
        "generator": GENERATOR,
        "decision": "Pitch two friendly angels first?",
        "reversibility": {"level": "reversible", "reason": "a pitch can be repeated"},
        "criteria": ["runway"],
        "options": [],
        "premortem": [],
        "questions_for_mentor": [],
        "experiment": "Pitch two friendly angels first.",
        "next_steps": [],
        "check_in_date": (today + dt.timedelta(days=30)).isoformat(),
    }


NEUTRAL_SMART_GOAL = {
    "statement": "Rehearse the pitch every week",
    "specific": "the seed pitch",
    "measurable": "one rehearsal a week",
    "achievable": "thirty minutes",
    "relevant": "the seed round",
    "time_bound": "until June",
    "milestones": [{"text": "First rehearsal"}],
}
NEUTRAL_FEEDBACK = {"generator": GENERATOR, "summary": "We talked about the pitch."}
MATCH_PROFILE = {"name": "Noor", "goals": ["raise a seed round"], "challenges": ["fear of pitching"]}


def new_person(role: str) -> Callable[[Ctx], dict[str, Any]]:
    return lambda ctx: {"person_id": f"new-{role}-{uuid.uuid4().hex[:8]}", "name": "Newcomer"}


# --------------------------------------------------------------------------------------
# The routes, read from the app
# --------------------------------------------------------------------------------------
FRAMEWORK_ROUTES = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/static"})
"""Not API routes: the schema, the docs UI and the static files (api/web/static), which hold no tenant data."""


def route_contexts(app: FastAPI) -> list[Any]:
    """Every route with its effective path (FastAPI 0.16x keeps included routers lazily)."""
    iterate = getattr(fastapi.routing, "iter_route_contexts", None)
    return list(iterate(app.routes)) if iterate is not None else list(app.routes)


def app_routes(app: FastAPI) -> tuple[dict[str, bool], list[str]]:
    """('METHOD /path' -> included in the OpenAPI schema) for every APIRoute, and the paths of the others."""
    api_routes: dict[str, bool] = {}
    others: list[str] = []
    for context in route_contexts(app):
        original = getattr(context, "original_route", context)
        path = getattr(context, "path_format", None) or context.path
        if isinstance(original, APIRoute):
            for method in sorted(context.methods or ()):
                if method != "HEAD":
                    api_routes[f"{method} {path}"] = bool(getattr(context, "include_in_schema", True))
        else:
            others.append(context.path)
    return api_routes, others


def schema_routes(schema: dict[str, Any]) -> set[str]:
    return {f"{method.upper()} {path}" for path, operations in schema["paths"].items() for method in operations}


def _listing_app() -> FastAPI:
    """The app as served, built only to list its routes (no lifespan: nothing is opened or written)."""
    unused = Path(tempfile.gettempdir()) / "companion-route-listing"
    settings = Settings(_env_file=None, data_dir=unused, rate_limit_per_minute=0, redis_url=None)  # type: ignore[call-arg]
    return create_app(settings, local_mode=False)


APP_ROUTES, OTHER_ROUTES = app_routes(_listing_app())


# --------------------------------------------------------------------------------------
# The matrix: for each route, the requests it gets (ids, query, body or form per caller)
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: dict[str, Any] | None = None
    json: Any = None
    data: dict[str, Any] | None = None
    files: dict[str, Any] | None = None


@dataclass(frozen=True)
class Ctx:
    world: World
    caller: str
    ids: dict[str, str]

    def __getitem__(self, slot: str) -> str:
        return self.ids[slot]

    @property
    def today(self) -> str:
        return self.world.today.isoformat()


Value = Any | Callable[[Ctx], Any]


def _value(value: Value, ctx: Ctx) -> Any:
    return value(ctx) if callable(value) else value


@dataclass(frozen=True)
class Case:
    """One request shape for a route. `slots` names the ids it carries (path, query, body or form)."""

    label: str
    method: str
    path: str
    slots: tuple[str, ...] = ()
    params: Value = None
    json: Value = None
    data: Value = None
    files: Value = None
    web: bool = False
    stream: bool = False
    """Also sent with Accept: text/event-stream."""
    fresh_client: bool = False
    """Sent from a client logged in for this request only (logging out must not end the caller's login)."""

    def build(self, ctx: Ctx) -> Request:
        return Request(
            self.method,
            self.path.format(**ctx.ids),
            params=_value(self.params, ctx),
            json=_value(self.json, ctx),
            data=_value(self.data, ctx),
            files=_value(self.files, ctx),
        )


def api(method: str, path: str, slots: tuple[str, ...] = (), label: str = "", **values: Any) -> Case:
    return Case(label or f"{method} {path}", method, path, slots, **values)


def web(method: str, path: str, slots: tuple[str, ...] = (), label: str = "", **values: Any) -> Case:
    return Case(label or f"{method} {path} (page)", method, path, slots, web=True, **values)


def generation(path: str) -> list[Case]:
    def by_mentorship(ctx: Ctx) -> dict[str, Any]:
        return {"mentorship_id": ctx["mid"], "notes": NOTES_TEXT, "decision": DECISION_INPUT, "today": ctx.today}

    return [
        api("POST", path, ("mid",), f"POST {path} for a mentorship", json=by_mentorship, stream=True),
        api("POST", path, (), f"POST {path} from a context", json=PLAIN_CONTEXT, stream=True),
    ]


def suggestion(kind: str) -> Case:
    def body(ctx: Ctx) -> dict[str, Any]:
        context = {"notes": NOTES_TEXT, "decision": DECISION_INPUT, "today": ctx.today}
        return {"kind": kind, "mentorship_id": ctx["mid"], "context": context}

    return api("POST", "/v1/suggestions", ("mid",), f"POST /v1/suggestions kind={kind}", json=body, stream=True)


def exports(suffix: str) -> list[Case]:
    return [
        web(
            "GET",
            f"/mentorships/{{mid}}/sessions/{{{slot}}}/{what}{suffix}",
            ("mid", slot),
            f"{what}{suffix} of {slot}",
        )
        for what, slot in (("agenda", "s_plan"), ("agenda", "s_shared"), ("feedback", "s1"))
    ]


def _plan_form(ctx: Ctx, **extra: str) -> dict[str, Any]:
    return {"date": ctx.world.plan_dates[0].isoformat(), "duration": "45", "focus": "fundraising", **extra}


MID = "/v1/mentorships/{mid}"
PAGE = "/mentorships/{mid}"
MATRIX: dict[str, list[Case]] = {
    # -- operations --------------------------------------------------------------------
    "GET /healthz": [api("GET", "/healthz")],
    "GET /readyz": [api("GET", "/readyz")],
    "GET /metrics": [api("GET", "/metrics")],
    # -- generation --------------------------------------------------------------------
    "POST /v1/agenda": generation("/v1/agenda"),
    "POST /v1/icebreakers": generation("/v1/icebreakers"),
    "POST /v1/feedback-summary": generation("/v1/feedback-summary"),
    "POST /v1/decision-framework": generation("/v1/decision-framework"),
    "POST /v1/reflection-prompts": generation("/v1/reflection-prompts"),
    "POST /v1/goal-plan": generation("/v1/goal-plan"),
    "POST /v1/suggestions": [
        suggestion(kind) for kind in ("agenda", "icebreakers", "feedback", "decision", "reflection", "goals")
    ],
    # -- knowledge (reads) ---------------------------------------------------------------
    "GET /v1/knowledge": [api("GET", "/v1/knowledge")],
    "GET /v1/search": [
        api("GET", "/v1/search", params={"q": SEARCH_QUERY, "k": 50}),
        api("GET", "/v1/search", label="GET /v1/search kind=note", params={"q": SEARCH_QUERY, "k": 50, "kind": "note"}),
    ],
    # -- memory ----------------------------------------------------------------------------
    "GET /v1/mentorships": [api("GET", "/v1/mentorships")],
    "POST /v1/mentorships": [
        api(
            "POST",
            "/v1/mentorships",
            json=lambda ctx: mentorship_body(PERSON.get(ctx.caller, "newmentor"), f"newmentee-{uuid.uuid4().hex[:8]}"),
        )
    ],
    "GET /v1/mentorships/{mentorship_id}": [api("GET", MID, ("mid",))],
    "GET /v1/mentorships/{mentorship_id}/sessions": [api("GET", f"{MID}/sessions", ("mid",))],
    "POST /v1/mentorships/{mentorship_id}/sessions": [
        api(
            "POST",
            f"{MID}/sessions",
            ("mid",),
            json={"date": "2027-06-01", "notes": [{"text": "We met at the café.", "visibility": "shared"}]},
        )
    ],
    "GET /v1/mentorships/{mentorship_id}/sessions/{session_id}": [
        api("GET", f"{MID}/sessions/{{s1}}", ("mid", "s1")),
        api("GET", f"{MID}/sessions/{{s_plan}}", ("mid", "s_plan")),
    ],
    "PATCH /v1/mentorships/{mentorship_id}/sessions/{session_id}": [
        api("PATCH", f"{MID}/sessions/{{s1}}", ("mid", "s1"), json=lambda ctx: {"date": ctx.world.s1_date.isoformat()})
    ],
    "POST /v1/mentorships/{mentorship_id}/sessions/{session_id}/notes": [
        api(
            "POST",
            f"{MID}/sessions/{{s1}}/notes",
            ("mid", "s1"),
            json={"notes": [{"text": "Follow-up: Priya sent the deck.", "visibility": "shared"}]},
        )
    ],
    "PUT /v1/mentorships/{mentorship_id}/sessions/{session_id}/feedback": [
        api(
            "PUT",
            f"{MID}/sessions/{{s1}}/feedback",
            ("mid", "s1"),
            # the feedback's readers save it again unchanged, so its marker stays for the other routes
            json=lambda ctx: ctx.world.feedback if ctx.caller in READERS[PRIVATE_FEEDBACK] else NEUTRAL_FEEDBACK,
        )
    ],
    "POST /v1/mentorships/{mentorship_id}/action-items": [
        api(
            "POST",
            f"{MID}/action-items",
            ("mid", "s1"),
            json=lambda ctx: {
                "session_id": ctx["s1"],
                "items": [{"text": "Book two practice pitches", "owner": "mentee"}],
            },
        )
    ],
    "PATCH /v1/mentorships/{mentorship_id}/action-items/{item_id}": [
        api("PATCH", f"{MID}/action-items/{{item}}", ("mid", "item"), json={"done": False})
    ],
    "GET /v1/mentorships/{mentorship_id}/progress": [
        api("GET", f"{MID}/progress", ("mid",), params=lambda ctx: {"today": ctx.today})
    ],
    "POST /v1/mentorships/{mentorship_id}/decisions": [
        api("POST", f"{MID}/decisions", ("mid",), json=lambda ctx: {"framework": neutral_framework(ctx.world.today)})
    ],
    "GET /v1/mentorships/{mentorship_id}/decisions": [api("GET", f"{MID}/decisions", ("mid",))],
    "GET /v1/mentorships/{mentorship_id}/decisions/{decision_id}": [
        api("GET", f"{MID}/decisions/{{did}}", ("mid", "did"))
    ],
    "POST /v1/mentorships/{mentorship_id}/decisions/{decision_id}/check-in": [
        api("POST", f"{MID}/decisions/{{did}}/check-in", ("mid", "did"), json={"outcome": "She pitched two angels."})
    ],
    "GET /v1/mentorships/{mentorship_id}/schedule.ics": [api("GET", f"{MID}/schedule.ics", ("mid",))],
    "GET /v1/mentorships/{mentorship_id}/goals": [api("GET", f"{MID}/goals", ("mid",))],
    "POST /v1/mentorships/{mentorship_id}/goals": [
        api("POST", f"{MID}/goals", ("mid",), json={"statement": "Practise the pitch weekly"})
    ],
    "POST /v1/mentorships/{mentorship_id}/goals/from-plan": [
        api("POST", f"{MID}/goals/from-plan", ("mid",), json={"goals": [NEUTRAL_SMART_GOAL]})
    ],
    "PATCH /v1/mentorships/{mentorship_id}/goals/{goal_id}": [
        api("PATCH", f"{MID}/goals/{{goal}}", ("mid", "goal"), json={"deadline": "2027-09-01"})
    ],
    "GET /v1/mentorships/{mentorship_id}/goals/{goal_id}/check-ins": [
        api("GET", f"{MID}/goals/{{goal}}/check-ins", ("mid", "goal"))
    ],
    "POST /v1/mentorships/{mentorship_id}/goals/{goal_id}/check-ins": [
        # on s1, so priya's marked check-in (on s_scratch) is never replaced
        api(
            "POST",
            f"{MID}/goals/{{goal}}/check-ins",
            ("mid", "goal", "s1"),
            json=lambda ctx: {"rating": 5, "comment": "Steady.", "session_id": ctx["s1"]},
        ),
        api(
            "POST", f"{MID}/goals/{{goal}}/check-ins", ("mid", "goal"), "check-in without a session", json={"rating": 4}
        ),
    ],
    # the shared agenda: every party reads and adds topics; removing one is its author's or the mentor's
    "GET /v1/mentorships/{mentorship_id}/topics": [
        api("GET", f"{MID}/topics", ("mid",)),
        api("GET", f"{MID}/topics", ("mid",), "topics with the taken ones", params={"include_taken": "true"}),
    ],
    "POST /v1/mentorships/{mentorship_id}/topics": [
        api("POST", f"{MID}/topics", ("mid",), json={"text": "How to answer the churn question"})
    ],
    "DELETE /v1/mentorships/{mentorship_id}/topics/{topic_id}": [
        api("DELETE", f"{MID}/topics/{{topic}}", ("mid", "topic"))
    ],
    # -- people and matching ------------------------------------------------------------------
    "POST /v1/mentors": [api("POST", "/v1/mentors", json=new_person("mentor"))],
    "GET /v1/mentors": [api("GET", "/v1/mentors")],
    "GET /v1/mentors/{person_id}": [api("GET", "/v1/mentors/{mentor_pid}", ("mentor_pid",))],
    "PATCH /v1/mentors/{person_id}": [
        api("PATCH", "/v1/mentors/{mentor_pid}", ("mentor_pid",), json={"availability": "Tuesday evenings"})
    ],
    "POST /v1/mentees": [api("POST", "/v1/mentees", json=new_person("mentee"))],
    "GET /v1/mentees": [api("GET", "/v1/mentees")],
    "GET /v1/mentees/{person_id}": [api("GET", "/v1/mentees/{mentee_pid}", ("mentee_pid",))],
    "PATCH /v1/mentees/{person_id}": [
        api("PATCH", "/v1/mentees/{mentee_pid}", ("mentee_pid",), json={"situation": "Pre-seed, two customers."})
    ],
    "POST /v1/matches": [
        api("POST", "/v1/matches", ("mentee_pid",), json=lambda ctx: {"mentee_id": ctx["mentee_pid"], "k": 10}),
        api("POST", "/v1/matches", label="POST /v1/matches for a profile", json={"mentee": MATCH_PROFILE, "k": 10}),
    ],
    "POST /v1/matches/cohort": [
        api(
            "POST",
            "/v1/matches/cohort",
            ("mentee_pid", "mentor_pid"),
            json=lambda ctx: {"mentee_ids": [ctx["mentee_pid"], "sam"], "mentor_ids": [ctx["mentor_pid"], "dana"]},
        )
    ],
    "GET /v1/matches/requests": [api("GET", "/v1/matches/requests")],
    # programme health: admins and platforms of the tenant, counts and dates only (no marker may show)
    "GET /v1/programme/health": [
        api("GET", "/v1/programme/health"),
        api(
            "GET",
            "/v1/programme/health",
            label="GET /v1/programme/health stalled, on the world's day",
            params=lambda ctx: {"status": "stalled", "stalled_after_days": 1, "weeks": 104, "today": ctx.today},
        ),
        api("GET", "/v1/programme/health", label="GET /v1/programme/health at risk", params={"status": "at_risk"}),
    ],
    "POST /v1/matches/requests": [
        api(
            "POST",
            "/v1/matches/requests",
            ("mentor_pid",),
            # priya asks again with her marker kept; anyone else's request carries nothing to leak
            json=lambda ctx: {
                "mentor_id": ctx["mentor_pid"],
                "message": f"{MENTOR_REQUEST} asked again" if ctx.caller == "priya" else "A neutral request.",
            },
        )
    ],
    # -- web pages -------------------------------------------------------------------------
    "GET /matches": [
        web("GET", "/matches"),
        web(
            "GET",
            "/matches",
            ("mentee_pid",),
            "match page for a chosen mentee",
            params=lambda ctx: {"mentee": ctx["mentee_pid"]},
        ),
    ],
    "POST /matches/cohort": [
        web(
            "POST",
            "/matches/cohort",
            ("mentee_pid", "mentor_pid"),
            data=lambda ctx: {"mentee_id": [ctx["mentee_pid"], "sam"], "mentor_id": [ctx["mentor_pid"], "dana"]},
        )
    ],
    "GET /suggested-mentors": [web("GET", "/suggested-mentors")],
    "GET /programme": [
        web("GET", "/programme"),
        web(
            "GET",
            "/programme",
            label="programme page, at risk, sorted by overdue items",
            params={"status": "at_risk", "sort": "overdue", "order": "asc", "stalled_after_days": 1, "weeks": 52},
        ),
    ],
    "POST /suggested-mentors/request": [
        web(
            "POST",
            "/suggested-mentors/request",
            ("mentor_pid",),
            data=lambda ctx: {
                "mentor_id": ctx["mentor_pid"],
                "message": f"{MENTOR_REQUEST} asked on the page" if ctx.caller == "priya" else "A neutral request.",
            },
        )
    ],
    "GET /login": [web("GET", "/login")],
    "POST /login": [
        web("POST", "/login", data=lambda ctx: {"key": raw_key(ctx.world.headers[ctx.caller]), "next": "/"})
    ],
    "POST /logout": [web("POST", "/logout", fresh_client=True)],
    # a sign-in link is its own credential: every caller (logged in or not) may open it; it signs in only
    # M1's mentee, and once (the first POST below uses it up, every later one is refused like an unknown one)
    "GET /invite/{token}": [
        web("GET", "/invite/{invite}", label="the confirm page of dana's link for priya"),
        web("GET", f"/invite/mi_{'x' * 43}", label="the page of an unknown link"),
    ],
    "POST /invite/{token}": [
        web("POST", "/invite/{invite}", label="sign in with dana's link for priya", fresh_client=True),
        web("POST", f"/invite/mi_{'x' * 43}", label="sign in with an unknown link", fresh_client=True),
    ],
    # the mentor side makes links (after the rows above: a new one revokes the world's); 403 for the mentee
    "POST /mentorships/{mentorship_id}/invite": [web("POST", f"{PAGE}/invite", ("mid",))],
    "GET /": [web("GET", "/")],
    "GET /mentorships/new": [web("GET", "/mentorships/new")],
    "POST /mentorships/new": [
        web(
            "POST",
            "/mentorships/new",
            data=lambda ctx: {
                "mentor_person_id": PERSON.get(ctx.caller, "newmentor"),
                "mentor_name": "New Mentor",
                "mentee_person_id": f"newmentee-{uuid.uuid4().hex[:8]}",
                "mentee_name": "Newbie",
                "goals": "Ship the first release",
            },
        )
    ],
    "GET /mentorships/{mentorship_id}": [web("GET", PAGE, ("mid",))],
    "POST /mentorships/{mentorship_id}/action-items/{item_id}": [
        web("POST", f"{PAGE}/action-items/{{item}}", ("mid", "item"), data={"done": "0", "back": "/"})
    ],
    "GET /mentorships/{mentorship_id}/prepare": [
        web("GET", f"{PAGE}/prepare", ("mid",)),
        web(
            "GET",
            f"{PAGE}/prepare",
            ("mid", "s_plan"),
            "prepare page for a planned session",
            params=lambda ctx: {"session": ctx["s_plan"]},
        ),
    ],
    "POST /mentorships/{mentorship_id}/prepare": [
        web("POST", f"{PAGE}/prepare", ("mid",), data=_plan_form, stream=True),
        web(
            "POST",
            f"{PAGE}/prepare",
            ("mid", "s_plan"),
            "prepare a planned session",
            data=lambda ctx: _plan_form(ctx, session_id=ctx["s_plan"]),
            stream=True,
        ),
    ],
    "POST /mentorships/{mentorship_id}/prepare/icebreakers": [
        web("POST", f"{PAGE}/prepare/icebreakers", ("mid",), data=lambda ctx: _plan_form(ctx, swap="all"), stream=True)
    ],
    "POST /mentorships/{mentorship_id}/prepare/edit": [
        web(
            "POST",
            f"{PAGE}/prepare/edit",
            ("mid",),
            data=lambda ctx: {
                "date": "2027-07-01",
                "duration": "45",
                "agenda_json": ctx.world.neutral_agenda_json,
                "op": "add",
            },
        )
    ],
    "POST /mentorships/{mentorship_id}/prepare/save": [
        web(
            "POST",
            f"{PAGE}/prepare/save",
            ("mid",),
            data=lambda ctx: {"date": "2027-07-01", "duration": "45", "agenda_json": ctx.world.neutral_agenda_json},
        ),
        web(
            "POST",
            f"{PAGE}/prepare/save",
            ("mid", "s_scratch"),
            "save a plan onto a stored session",
            data=lambda ctx: {
                "date": "2027-07-01",
                "duration": "45",
                "agenda_json": ctx.world.neutral_agenda_json,
                "session_id": ctx["s_scratch"],
            },
        ),
    ],
    "GET /mentorships/{mentorship_id}/sessions/{session_id}": [
        web("GET", f"{PAGE}/sessions/{{s1}}", ("mid", "s1")),
        web("GET", f"{PAGE}/sessions/{{s_plan}}", ("mid", "s_plan")),
    ],
    "POST /mentorships/{mentorship_id}/sessions/{session_id}/notes": [
        web(
            "POST",
            f"{PAGE}/sessions/{{s_scratch}}/notes",
            ("mid", "s_scratch"),
            data={"note_text": ["Priya booked two practice pitches."], "note_visibility": ["shared"]},
            stream=True,
        )
    ],
    "POST /mentorships/{mentorship_id}/sessions/{session_id}/action-items": [
        web(
            "POST",
            f"{PAGE}/sessions/{{s1}}/action-items",
            ("mid", "s1"),
            data={
                "item_keep": ["0"],
                "item_text": ["Send the deck to two angels"],
                "item_owner": ["mentee"],
                "item_due": [""],
            },
        )
    ],
    "GET /mentorships/{mentorship_id}/sessions/{session_id}/{what}.md": exports(".md"),
    "GET /mentorships/{mentorship_id}/sessions/{session_id}/{what}/print": exports("/print"),
    "GET /mentorships/{mentorship_id}/mentee": [web("GET", f"{PAGE}/mentee", ("mid",))],
    "POST /mentorships/{mentorship_id}/topics": [
        web("POST", f"{PAGE}/topics", ("mid",), data={"text": "How to answer the churn question", "back": "/"}),
        web("POST", f"{PAGE}/topics", ("mid",), "an empty topic, refused in words", data={"text": " ", "back": "/"}),
    ],
    "POST /mentorships/{mentorship_id}/topics/{topic_id}/remove": [
        web("POST", f"{PAGE}/topics/{{topic}}/remove", ("mid", "topic"), data={"back": "/"})
    ],
    "POST /mentorships/{mentorship_id}/reflection": [web("POST", f"{PAGE}/reflection", ("mid",), stream=True)],
    "GET /mentorships/{mentorship_id}/decisions": [web("GET", f"{PAGE}/decisions", ("mid",))],
    "POST /mentorships/{mentorship_id}/decisions": [
        web(
            "POST",
            f"{PAGE}/decisions",
            ("mid",),
            data={
                "statement": DECISION_INPUT["statement"],
                "options": "pitch angels now\nwait",
                "risk_appetite": "medium",
            },
            stream=True,
        )
    ],
    "POST /mentorships/{mentorship_id}/decisions/save": [
        web(
            "POST",
            f"{PAGE}/decisions/save",
            ("mid",),
            data=lambda ctx: {"framework_json": json.dumps(neutral_framework(ctx.world.today)), "check_in_date": ""},
        )
    ],
    "GET /mentorships/{mentorship_id}/decisions/{decision_id}": [
        web("GET", f"{PAGE}/decisions/{{did}}", ("mid", "did"))
    ],
    "POST /mentorships/{mentorship_id}/decisions/{decision_id}/check-in": [
        web("POST", f"{PAGE}/decisions/{{did}}/check-in", ("mid", "did"), data={"outcome": "She pitched two angels."})
    ],
    "GET /mentorships/{mentorship_id}/goals": [web("GET", f"{PAGE}/goals", ("mid",))],
    "POST /mentorships/{mentorship_id}/goals": [
        web("POST", f"{PAGE}/goals", ("mid",), data=lambda ctx: {"start": ctx.today}, stream=True)
    ],
    "GET /mentorships/{mentorship_id}/schedule.ics": [web("GET", f"{PAGE}/schedule.ics", ("mid",))],
    "GET /mentorships/{mentorship_id}/goal-progress": [web("GET", f"{PAGE}/goal-progress", ("mid",))],
    "POST /mentorships/{mentorship_id}/goal-progress/check-ins": [
        web(
            "POST",
            f"{PAGE}/goal-progress/check-ins",
            ("mid", "goal", "s1"),
            data=lambda ctx: {
                "session_id": ctx["s1"],
                f"rating_{ctx['goal']}": "5",
                f"comment_{ctx['goal']}": "Steady.",
                "back": f"/mentorships/{ctx['mid']}",
            },
        )
    ],
    "POST /mentorships/{mentorship_id}/goal-progress/goals": [
        web("POST", f"{PAGE}/goal-progress/goals", ("mid",), data={"statement": "Practise the pitch weekly"})
    ],
    "POST /mentorships/{mentorship_id}/goal-progress/goals/{goal_id}": [
        web(
            "POST",
            f"{PAGE}/goal-progress/goals/{{goal}}",
            ("mid", "goal"),
            data={"status": "active", "deadline": "2027-09-01"},
        )
    ],
    # -- accepting pairs starts mentorships (eli -> priya), which the reads above must not see ------
    "POST /v1/matches/accept": [
        api(
            "POST",
            "/v1/matches/accept",
            ("mentee_pid", "mentor_pid"),
            json=lambda ctx: {"pairs": [{"mentee_id": ctx["mentee_pid"], "mentor_id": ctx["mentor_pid"]}]},
        )
    ],
    "POST /matches/accept": [
        web(
            "POST",
            "/matches/accept",
            ("mentee_pid", "mentor_pid"),
            data=lambda ctx: {"pair": [f"{ctx['mentee_pid']} {ctx['mentor_pid']}"]},
        )
    ],
    # -- knowledge (writes last: they change what the reads above would see) ----------------
    "POST /v1/knowledge/notes": [
        api(
            "POST",
            "/v1/knowledge/notes",
            json=lambda ctx: {
                "notes": [
                    {
                        "id": f"note-{ctx.caller}-{uuid.uuid4().hex[:8]}",
                        "text": "Practise the pitch with founders.",
                        "visibility": "shared",
                    }
                ]
            },
        )
    ],
    "POST /v1/knowledge/files": [
        api(
            "POST",
            "/v1/knowledge/files",
            files=lambda ctx: {
                "file": (f"upload-{ctx.caller}.md", b"# Upload\n\nPractise the pitch.", "text/markdown")
            },
        )
    ],
    "DELETE /v1/knowledge/{source}": [api("DELETE", "/v1/knowledge/{source}", ("source",))],
}


def _route_order() -> list[str]:
    """The matrix's order (writes that change the world last), then any route it does not know."""
    return [route for route in MATRIX if route in APP_ROUTES] + sorted(set(APP_ROUTES) - set(MATRIX))


# --------------------------------------------------------------------------------------
# The world
# --------------------------------------------------------------------------------------
@dataclass
class Outcome:
    label: str
    response: httpx.Response
    text: str
    sent: list[str]

    @property
    def status(self) -> int:
        return self.response.status_code


@dataclass
class World:
    client: TestClient
    headers: dict[str, dict[str, str]]
    mentorships: dict[str, dict[str, str]]
    today: dt.date
    s1_date: dt.date
    plan_dates: list[dt.date]
    feedback: dict[str, Any]
    neutral_agenda_json: str
    private_chunk_id: str
    web_clients: dict[str, TestClient] = field(default_factory=dict)

    @property
    def readers(self) -> dict[str, frozenset[str]]:
        return {**READERS, self.private_chunk_id: MENTOR_SIDE_OF_M1}

    def web_client(self, caller: str, *, fresh: bool = False) -> TestClient:
        if fresh or caller not in self.web_clients:
            client = TestClient(self.client.app, raise_server_exceptions=False, base_url=BASE_URL)
            login(client, self.headers[caller])
            if fresh:
                return client
            self.web_clients[caller] = client
        return self.web_clients[caller]

    # -- ids -------------------------------------------------------------------------------
    def real_ids(self, caller: str) -> dict[str, str]:
        """M1's ids; the knowledge source is dana's private note for strangers, else one the caller may drop."""
        source = PRIVATE_SOURCE if caller in STRANGERS else f"disposable-{caller}"
        return {**self.mentorships["m1"], "source": source, "mentor_pid": "eli", "mentee_pid": "priya"}

    @staticmethod
    def missing(ids: dict[str, str], slots: list[str]) -> dict[str, str]:
        return {**ids, **{slot: uuid.uuid4().hex for slot in slots}}

    # -- sending ---------------------------------------------------------------------------
    def send(self, case: Case, caller: str, ids: dict[str, str], stream: bool, what: str) -> Outcome:
        request = case.build(Ctx(self, caller, ids))
        headers: dict[str, str] = {}
        if case.web:
            client = self.web_client(caller, fresh=case.fresh_client)
            if request.method != "GET":
                headers["Origin"] = BASE_URL
        else:
            client = self.client
            headers.update(self.headers[caller])
        if stream:
            headers["Accept"] = "text/event-stream"
        response = client.request(
            request.method,
            request.path,
            params=request.params,
            json=request.json,
            data=request.data,
            files=request.files,
            headers=headers,
            follow_redirects=False,
        )
        if case.fresh_client:
            client.close()
        label = f"{case.label} as {caller}{' (SSE)' if stream else ''} [{what}]"
        return Outcome(label, response, readable_text(response), [ids[slot] for slot in case.slots])

    def problems(self, outcome: Outcome, caller: str) -> list[str]:
        """(a) markers the caller may not read, and (c) 5xx answers, in the status or in-band."""
        found: list[str] = []
        status = outcome.status
        if status >= 500:
            found.append(f"{outcome.label}: answered {status}: {outcome.text[:300]}")
        if "text/event-stream" in outcome.response.headers.get("content-type", ""):
            for name, data in sse_events(outcome.response.text):
                if name == "error" and int(data.get("status", 0)) >= 500:
                    found.append(f"{outcome.label}: in-band SSE error {data}")
        forbidden = [marker for marker, readers in self.readers.items() if caller not in readers]
        for marker in found_markers(outcome.text, forbidden, sent=outcome.sent):
            at = outcome.text.casefold().find(marker.casefold())
            found.append(
                f"{outcome.label}: LEAK of {marker!r} (status {status}): …{outcome.text[max(0, at - 160) : at + 80]}…"
            )
        return found


def normalised(outcome: Outcome, ids: dict[str, str], slots: list[str]) -> str:
    """The body (and redirect target) with the request's ids blanked out, for comparing two answers."""
    text = outcome.text + "\nlocation: " + outcome.response.headers.get("location", "")
    for slot in sorted(slots, key=lambda s: len(ids[s]), reverse=True):
        text = text.replace(ids[slot], f"<{slot}>")
    return text


def same_as_missing(
    foreign: Outcome, missing: Outcome, foreign_ids: dict[str, str], missing_ids: dict[str, str], slots: list[str]
) -> str | None:
    title_a, title_b = problem_title(foreign.response), problem_title(missing.response)
    if foreign.status != missing.status or title_a != title_b:
        return (
            f"{foreign.label}: a foreign id answers {foreign.status} {title_a or ''} but a missing id answers "
            f"{missing.status} {title_b or ''}; foreign body: {foreign.text[:200]}"
        )
    a, b = normalised(foreign, foreign_ids, slots), normalised(missing, missing_ids, slots)
    if a != b:
        at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
        return f"{foreign.label}: same status {foreign.status}, but the bodies differ: {a[max(0, at - 80) : at + 120]!r} vs {b[max(0, at - 80) : at + 120]!r}"
    return None


def exercise(world: World, case: Case, caller: str, stream: bool) -> list[str]:
    problems: list[str] = []
    ids = world.real_ids(caller)
    real = world.send(case, caller, ids, stream, "real ids")
    problems += world.problems(real, caller)
    if real.status == 401 or (real.response.headers.get("location", "").startswith("/login") and not case.fresh_client):
        problems.append(f"{real.label}: not logged in ({real.status}), so this row would prove nothing")

    comparisons: list[tuple[str, dict[str, str], list[str]]] = []
    slots = [s for s in case.slots if caller in SLOT_STRANGERS.get(s, STRANGERS)]
    if slots:
        comparisons.append(("M1's ids", ids, slots))
    children = [s for s in case.slots if s in CHILD_SLOTS]
    if children:
        own, other = world.mentorships[OWN[caller]], world.mentorships[OTHER[OWN[caller]]]
        mixed = {**ids, "mid": own["mid"], **{s: other[s] for s in children}}
        comparisons.append((f"{OTHER[OWN[caller]]}'s ids under {OWN[caller]}", mixed, children))
    for what, foreign_ids, slots in comparisons:
        missing_ids = world.missing(foreign_ids, slots)
        foreign = world.send(case, caller, foreign_ids, stream, what)
        missing = world.send(case, caller, missing_ids, stream, f"random ids instead of {what}")
        problems += world.problems(foreign, caller) + world.problems(missing, caller)
        difference = same_as_missing(foreign, missing, foreign_ids, missing_ids, slots)
        if difference:
            problems.append(difference)
    return problems


# --------------------------------------------------------------------------------------
# Building the world through the API, as its people would
# --------------------------------------------------------------------------------------
def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.request.method, response.request.url.path, response.text)
    return response.json() if response.content else None


def dana_invites(client: TestClient, dana: dict[str, str], mentorship_id: str) -> str:
    """The token of a sign-in link dana makes for priya on the mentorship page (there is no API for it)."""
    inviter = TestClient(client.app, raise_server_exceptions=False, base_url=BASE_URL)  # no second lifespan
    login(inviter, dana)
    page = inviter.post(f"/mentorships/{mentorship_id}/invite", headers={"Origin": BASE_URL})
    inviter.close()
    found = re.search(r"/invite/(mi_[A-Za-z0-9_-]{43})", page.text)
    assert page.status_code == 200 and found, page.text
    return found.group(1)


def build_world(client: TestClient) -> World:
    keys = {
        "admin": create_key(client, "acme", "admin"),
        "platform": create_key(client, "acme", "platform"),
        "dana": create_key(client, "acme", "mentor", "dana"),
        "eli": create_key(client, "acme", "mentor", "eli"),
        "priya": create_key(client, "acme", "mentee", "priya"),
        "sam": create_key(client, "acme", "mentee", "sam"),
        "globex-admin": create_key(client, "globex", "admin"),
        "globex-dana": create_key(client, "globex", "mentor", "dana"),
    }
    today = dt.date.today()

    def post(caller: str, path: str, body: Any, status: int = 200) -> Any:
        return ok(client.post(path, headers=keys[caller], json=body), status)

    def note(caller: str, note_id: str, text: str, visibility: str = "shared", title: str | None = None) -> None:
        body = {
            "id": note_id,
            "text": text,
            "visibility": visibility,
            "themes": ["goals_and_progress", "feedback_and_self_assessment"],
        }
        if title:
            body["title"] = title
        post(caller, "/v1/knowledge/notes", {"notes": [body]}, 201)

    # People: acme's directory (eli's record and priya's are the ones tried as foreign ids) and globex's.
    post("admin", "/v1/mentors", {"person_id": "dana", "name": "Dana", "expertise": ["fundraising"]}, 201)
    post(
        "admin",
        "/v1/mentors",
        {
            "person_id": "eli",
            "name": "Eli",
            "expertise": ["investor pitches"],
            "experience": f"{MENTOR_RECORD} Coached founders through seed rounds.",
        },
        201,
    )
    post(
        "admin",
        "/v1/mentees",
        {
            "person_id": "priya",
            "name": "Priya",
            "goals": ["raise a seed round by June"],
            "challenges": [f"{MENTEE_RECORD} fear of pitching"],
        },
        201,
    )
    post("platform", "/v1/mentees", {"person_id": "sam", "name": "Sam", "goals": ["ship the beta"]}, 201)
    post("priya", "/v1/matches/requests", {"mentor_id": "eli", "message": f"{MENTOR_REQUEST} Eli coached seed rounds."})
    post("globex-admin", "/v1/mentors", {"person_id": "dana", "name": "Dana", "experience": f"{GLOBEX} Dana."}, 201)
    post("globex-admin", "/v1/mentees", {"person_id": "kenji", "name": "Kenji", "goals": [f"{GLOBEX} grow"]}, 201)

    m1 = post("dana", "/v1/mentorships", mentorship_body("dana", "priya"), 201)["id"]
    invite = dana_invites(client, keys["dana"], m1)
    m2 = post("eli", "/v1/mentorships", mentorship_body("eli", "sam"), 201)["id"]
    m3 = post("globex-dana", "/v1/mentorships", mentorship_body("dana", "kenji"), 201)["id"]

    # Knowledge: dana's and eli's private notes, globex's shared one, and notes the DELETE route may drop.
    note(
        "dana",
        PRIVATE_SOURCE,
        f"{PRIVATE_KNOWLEDGE} Priya freezes when investors ask about revenue; her seed round goal and her fear "
        "of pitching worry me. First-time founder, pre-seed B2B startup: rehearse the revenue slide.",
        "mentor_private",
        title=f"Candid notes on Priya {PRIVATE_TITLE}",
    )
    note(
        "eli",
        "eli-private-note",
        f"{ELI_PRIVATE} Sam freezes when investors ask about revenue in the seed round.",
        "mentor_private",
    )
    note(
        "globex-admin",
        "globex-note",
        f"{GLOBEX} founders freeze when investors ask about revenue; seed round fear of pitching.",
    )
    for caller in ("admin", "platform", "dana"):
        note(caller, f"disposable-{caller}", "A note this caller may delete.")
    note("admin", "disposable-priya", "A note a mentee may not delete.")

    # M1: a goal plan, a held session with a private and a shared note, feedback, a private and a shared plan.
    plan = post("dana", "/v1/goal-plan", {"mentorship_id": m1, "today": today.isoformat()})
    plan_dates = [dt.date.fromisoformat(d) for d in plan["cadence"]["sessions"]]
    assert len(plan_dates) >= 2, plan["cadence"]
    s1_date = today - dt.timedelta(days=14)
    s1 = post(
        "dana",
        f"/v1/mentorships/{m1}/sessions",
        {
            "date": s1_date.isoformat(),
            "notes": [
                {"text": f"{PRIVATE_NOTE} candid: Priya seems close to burning out.", "visibility": "mentor_private"},
                {"text": f"{SHARED_NOTE} we agreed Priya drafts the investor list.", "visibility": "shared"},
            ],
            "action_items": [
                {
                    "text": "Draft the investor list",
                    "owner": "mentee",
                    "due": (today + dt.timedelta(days=7)).isoformat(),
                }
            ],
        },
        201,
    )
    feedback = post(
        "dana", "/v1/feedback-summary", {"mentorship_id": m1, "notes": NOTES_TEXT, "today": today.isoformat()}
    )
    feedback["summary"] = f"{PRIVATE_FEEDBACK} {feedback['summary']}"
    ok(client.put(f"/v1/mentorships/{m1}/sessions/{s1['id']}/feedback", headers=keys["dana"], json=feedback))

    agenda = post("dana", "/v1/agenda", {"mentorship_id": m1, "session": {"number": 2, "focus": ["fundraising"]}})
    agenda["items"][0]["purpose"] += f" {PRIVATE_PLAN}"
    s_plan = post(
        "dana",
        f"/v1/mentorships/{m1}/sessions",
        {
            "date": plan_dates[0].isoformat(),
            "agenda": agenda,
            "icebreakers_asked": [f"{PRIVATE_ICEBREAKER} what would make the revenue question easy?"],
            "plan_visibility": "mentor_private",
        },
        201,
    )
    shared = post("platform", "/v1/agenda", {"mentorship_id": m1, "session": {"number": 3}})
    assert shared["visibility"] == "shared", shared["visibility"]
    neutral_agenda_json = json.dumps(shared)
    shared = copy.deepcopy(shared)
    shared["items"][0]["purpose"] += f" {SHARED_PLAN}"
    s_shared = post(
        "platform",
        f"/v1/mentorships/{m1}/sessions",
        {"date": plan_dates[1].isoformat(), "agenda": shared, "plan_visibility": "shared"},
        201,
    )
    s_scratch = post(
        "dana",
        f"/v1/mentorships/{m1}/sessions",
        {
            "date": (today - dt.timedelta(days=7)).isoformat(),
            "notes": [
                {"text": f"{PRIVATE_NOTE} candid again: the pitch anxiety is back.", "visibility": "mentor_private"},
                {"text": f"{SHARED_NOTE} Priya will send the deck.", "visibility": "shared"},
            ],
        },
        201,
    )
    framework = post(
        "dana", "/v1/decision-framework", {"mentorship_id": m1, "decision": DECISION_INPUT, "today": today.isoformat()}
    )
    framework["decision"] = f"{DECISION} {framework['decision']}"
    framework["check_in_date"] = (today - dt.timedelta(days=1)).isoformat()  # due: shown on the home page
    # The framework an LLM writes for dana when her private note is in its prompt (tests/api/test_llm_privacy.py
    # shows that path for real): it cites the note, repeats some of it, and is marked mentor_private.
    chunk = next(
        hit
        for hit in ok(client.get("/v1/search", headers=keys["dana"], params={"q": SEARCH_QUERY, "k": 50}))["results"]
        if hit["source"] == PRIVATE_SOURCE
    )
    framework["relevant_experience"].append({k: chunk[k] for k in ("chunk_id", "source", "title", "heading")})
    framework["premortem"].append(f"{PRIVATE_KNOWLEDGE} she freezes when investors ask about revenue.")
    framework["visibility"] = "mentor_private"
    decision = post("dana", f"/v1/mentorships/{m1}/decisions", {"framework": framework}, 201)
    goal = post("dana", f"/v1/mentorships/{m1}/goals", {"statement": f"{GOAL} pitch to ten angels"}, 201)
    post(
        "priya",
        f"/v1/mentorships/{m1}/goals/{goal['id']}/check-ins",
        {"rating": 3, "comment": f"{SELF_ASSESSMENT} I froze twice.", "session_id": s_scratch["id"]},
        201,
    )

    # The shared agenda of M1: priya's marked topic, and one of hers the DELETE routes may remove.
    post("priya", f"/v1/mentorships/{m1}/topics", {"text": f"{TOPIC} how do I answer the revenue question?"}, 201)
    disposable_topic = post("priya", f"/v1/mentorships/{m1}/topics", {"text": "A topic to remove"}, 201)

    def small_mentorship(caller: str, mid: str, private: str, shared_text: str) -> dict[str, str]:
        session = post(
            caller,
            f"/v1/mentorships/{mid}/sessions",
            {
                "date": (today - dt.timedelta(days=3)).isoformat(),
                "notes": [
                    {"text": private, "visibility": "mentor_private"},
                    {"text": shared_text, "visibility": "shared"},
                ],
                "action_items": [{"text": "Draft the pitch", "owner": "mentee"}],
            },
            201,
        )
        made = post(caller, f"/v1/mentorships/{mid}/decisions", {"framework": neutral_framework(today)}, 201)
        topic = post(caller, f"/v1/mentorships/{mid}/topics", {"text": "A topic to remove"}, 201)
        sid = session["id"]
        goals = ok(client.get(f"/v1/mentorships/{mid}/goals", headers=keys[caller]))
        return {
            "goal": goals[0]["id"],
            "mid": mid,
            "s1": sid,
            "s_plan": sid,
            "s_shared": sid,
            "s_scratch": sid,
            "did": made["id"],
            "item": session["action_items"][0]["id"],
            "topic": topic["id"],
        }

    return World(
        client=client,
        headers=keys,
        mentorships={
            "m1": {
                "mid": m1,
                "s1": s1["id"],
                "s_plan": s_plan["id"],
                "s_shared": s_shared["id"],
                "s_scratch": s_scratch["id"],
                "did": decision["id"],
                "item": s1["action_items"][0]["id"],
                "goal": goal["id"],
                "topic": disposable_topic["id"],
                "invite": invite,
            },
            "m2": small_mentorship("eli", m2, f"{ELI_PRIVATE} Sam is thinking of quitting.", "Sam drafts the pitch."),
            "m3": small_mentorship(
                "globex-dana", m3, f"{GLOBEX} Kenji's private worry.", f"{GLOBEX} Kenji drafts the pitch."
            ),
        },
        today=today,
        s1_date=s1_date,
        plan_dates=plan_dates,
        feedback=feedback,
        neutral_agenda_json=neutral_agenda_json,
        private_chunk_id=chunk["chunk_id"],
    )


@pytest.fixture(scope="module")
def world(knowledge_data_dir: Path, embedder: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One world for the whole matrix (built once: the routes share it, in the matrix's order)."""
    with pytest.MonkeyPatch.context() as patch:
        for key in list(os.environ):
            if key.startswith("COMPANION_") and not key.startswith("COMPANION_TEST_"):
                patch.delenv(key)
        data_dir = tmp_path_factory.mktemp("isolation-matrix") / "data"
        shutil.copytree(knowledge_data_dir, data_dir)
        overrides: dict[str, object] = {"rate_limit_per_minute": 0}
        if TEST_DATABASE_URL:
            wipe_database(TEST_DATABASE_URL)
            overrides["database_url"] = TEST_DATABASE_URL
        app = create_app(make_settings(data_dir, **overrides), embedder=embedder, local_mode=False)
        with TestClient(app, raise_server_exceptions=False, base_url=BASE_URL) as client:
            built = build_world(client)
            yield built
            for web_client in built.web_clients.values():
                web_client.close()


# --------------------------------------------------------------------------------------
# The proofs
# --------------------------------------------------------------------------------------
def test_the_matrix_knows_every_route_of_the_app() -> None:
    """Every APIRoute (the /v1 API from the OpenAPI schema, the web pages outside it) has requests in the
    matrix, and the matrix names no route the app does not have."""
    client = TestClient(_listing_app(), base_url=BASE_URL)  # no lifespan: the schema needs no data
    schema = client.get("/openapi.json").json()
    in_schema = {route for route, listed in APP_ROUTES.items() if listed}
    assert schema_routes(schema) == in_schema, "the OpenAPI schema and the app's routes disagree"
    pages = {route for route, listed in APP_ROUTES.items() if not listed}
    assert any("{what}.md" in route for route in pages) and "GET /" in pages, sorted(pages)
    missing = sorted((in_schema | pages) - set(MATRIX))
    assert not missing, f"routes with no requests in MATRIX (add it to the matrix): {missing}"
    stale = sorted(set(MATRIX) - set(APP_ROUTES))
    assert not stale, f"MATRIX entries for routes the app no longer has: {stale}"
    unknown = sorted(set(OTHER_ROUTES) - FRAMEWORK_ROUTES)
    assert not unknown, f"routes that are not APIRoutes and not framework routes (add them to the matrix): {unknown}"


def test_every_marker_reaches_its_readers(world: World) -> None:
    """The positive control: each planted marker is really there for a caller allowed to read it, so its
    absence everywhere else means something."""
    c, h, m1 = world.client, world.headers, world.mentorships["m1"]

    def text(caller: str, path: str, **params: Any) -> str:
        response = c.get(path, headers=h[caller], params=params)
        assert response.status_code == 200, (caller, path, response.text)
        return readable_text(response)

    sessions = f"/v1/mentorships/{m1['mid']}/sessions"
    for marker in (PRIVATE_NOTE, SHARED_NOTE, PRIVATE_PLAN, PRIVATE_ICEBREAKER, PRIVATE_FEEDBACK, SHARED_PLAN):
        assert marker in text("dana", sessions), marker
    for marker in (PRIVATE_NOTE, PRIVATE_PLAN, PRIVATE_FEEDBACK):
        assert marker in text("admin", sessions), marker
    assert SHARED_NOTE in text("priya", sessions) and SHARED_PLAN in text("priya", sessions)
    found = text("dana", "/v1/search", q=SEARCH_QUERY, k=50)
    assert PRIVATE_KNOWLEDGE in found and PRIVATE_TITLE in found and world.private_chunk_id in found
    assert PRIVATE_KNOWLEDGE in text("admin", "/v1/search", q=SEARCH_QUERY, k=50)
    decisions = text("dana", f"/v1/mentorships/{m1['mid']}/decisions")
    assert DECISION in decisions and PRIVATE_TITLE in decisions and PRIVATE_KNOWLEDGE in decisions
    schedule = text("dana", f"/v1/mentorships/{m1['mid']}/schedule.ics")
    assert PRIVATE_PLAN in schedule and SHARED_PLAN in schedule, "the .ics carries the saved agendas"
    assert SHARED_PLAN in text("priya", f"/v1/mentorships/{m1['mid']}/schedule.ics")
    assert ELI_PRIVATE in text("eli", f"/v1/mentorships/{world.mentorships['m2']['mid']}/sessions")
    assert GLOBEX in text("globex-dana", "/v1/search", q=SEARCH_QUERY, k=50)
    assert MENTOR_RECORD in text("sam", "/v1/mentors/eli") and MENTOR_RECORD in text("dana", "/v1/mentors")
    assert MENTEE_RECORD in text("priya", "/v1/mentees/priya") and MENTEE_RECORD in text("platform", "/v1/mentees")
    assert GLOBEX in text("globex-dana", "/v1/mentors")
    assert MENTOR_REQUEST in text("priya", "/v1/matches/requests") and MENTOR_REQUEST in text(
        "platform", "/v1/matches/requests"
    )
    assert MENTOR_REQUEST in world.web_client("admin").get("/matches").text
    for caller in ("dana", "priya", "platform"):
        goals = text(caller, f"/v1/mentorships/{m1['mid']}/goals")
        assert GOAL in goals and SELF_ASSESSMENT in goals, caller
    for caller in ("dana", "priya", "platform", "admin"):
        assert TOPIC in text(caller, f"/v1/mentorships/{m1['mid']}/topics"), caller
    assert TOPIC in world.web_client("dana").get(f"/mentorships/{m1['mid']}/prepare").text
    assert TOPIC in world.web_client("priya").get(f"/mentorships/{m1['mid']}").text
    pages = world.web_client("dana")
    assert PRIVATE_NOTE in pages.get(f"/mentorships/{m1['mid']}/sessions/{m1['s1']}").text
    assert PRIVATE_PLAN in pages.get(f"/mentorships/{m1['mid']}/sessions/{m1['s_plan']}/agenda.md").text
    assert SHARED_NOTE in world.web_client("priya").get(f"/mentorships/{m1['mid']}").text


@pytest.mark.parametrize("route", _route_order())
def test_route(world: World, route: str) -> None:
    """(a) no marker reaches a caller who may not read it, (b) foreign ids answer like missing ones,
    (c) no 5xx: for every request of this route in the matrix and every caller."""
    if route not in MATRIX:
        pytest.fail(f"{route} has no requests in MATRIX: add it to the matrix (its ids, body or form per caller)")
    problems: list[str] = []
    for case in MATRIX[route]:
        for caller in CALLERS:
            for stream in (False, True) if case.stream else (False,):
                problems += exercise(world, case, caller, stream)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_a_platform_cannot_publish_a_private_plan_it_may_not_read(world: World) -> None:
    """A private plan is withheld from a platform and from the mentee. Changing only its `plan_visibility`
    must not hand its agenda (and the private citations in it) to the mentee: the platform cannot read the
    plan, so it cannot judge that the plan is fit to share."""
    marker = "PRIVATE-PLAN-MARKER-publish-6b1e"
    m1, c, h = world.mentorships["m1"], world.client, world.headers
    agenda = json.loads(world.neutral_agenda_json)
    agenda["items"][0]["purpose"] += f" {marker}"
    made = c.post(
        f"/v1/mentorships/{m1['mid']}/sessions",
        headers=h["dana"],
        json={"date": "2027-03-01", "agenda": agenda, "plan_visibility": "mentor_private"},
    )
    assert made.status_code == 201, made.text
    url = f"/v1/mentorships/{m1['mid']}/sessions/{made.json()['id']}"
    assert c.get(url, headers=h["priya"]).json()["agenda"] is None, "withheld from the mentee"
    assert c.get(url, headers=h["platform"]).json()["agenda"] is None, "withheld from the platform"

    published = c.patch(url, headers=h["platform"], json={"plan_visibility": "shared"})
    assert published.status_code < 500, published.text
    seen = {
        "GET session": c.get(url, headers=h["priya"]),
        "GET sessions": c.get(f"/v1/mentorships/{m1['mid']}/sessions", headers=h["priya"]),
        "mentee page": world.web_client("priya").get(f"/mentorships/{m1['mid']}"),
    }
    leaks = [name for name, response in seen.items() if found_markers(readable_text(response), [marker])]
    assert not leaks, f"after the platform's PATCH {published.status_code}, priya reads dana's private plan in {leaks}"
