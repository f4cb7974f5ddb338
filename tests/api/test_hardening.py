"""Issue 11, "Never a 500" and "Security headers", through the real app (TestClient, local mode):
far dates and huge numbers, form and body limits, unhandled errors, response headers, and raw
HTML in Markdown exports."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.observability import JsonFormatter
from companion.generation.taskspec import TASK_SPECS, render_markdown
from companion.schemas import EARLIEST_DATE, LATEST_DATE, TASKS, MentoringContext
from tests.generation.support import SNAPSHOTS

BOUND = f"must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}"
CONTEXT: dict[str, Any] = {
    "mentor": {"name": "Dana"},
    "mentee": {"name": "Priya", "role": "first-time founder", "goals": ["raise a seed round by June"]},
    "session": {"number": 2, "duration_minutes": 45},
    "today": "2026-11-20",
}


def mentorship(client: TestClient) -> str:
    body = {
        "mentor": {"person_id": "dana", "name": "Dana"},
        "mentee": {"person_id": "priya", "name": "Priya"},
        "goals": ["Raise a seed round by June"],
    }
    created = client.post("/v1/mentorships", json=body)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def assert_page(response: Any, status: int) -> str:
    """An HTML page in words: no JSON, no traceback."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    text: str = response.text
    assert text.lstrip().startswith("<!doctype html>") and "Traceback" not in text and '"detail"' not in text
    return text


# -- far dates and huge numbers ------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "change", "field"),
    [
        ("/v1/goal-plan", {"today": "9999-12-20"}, "today"),
        ("/v1/agenda", {"today": "0001-01-01"}, "today"),
        ("/v1/agenda", {"session": {"date": "9999-12-31"}}, "session.date"),
        (
            "/v1/decision-framework",
            {"decision": {"statement": "take the offer", "deadline": "9999-12-31"}},
            "decision.deadline",
        ),
        ("/v1/agenda", {"open_action_items": [{"text": "x", "due": "9999-12-31"}]}, "open_action_items.0.due"),
    ],
)
def test_dates_outside_the_range_are_422_naming_the_field(
    client: TestClient, path: str, change: dict[str, Any], field: str
) -> None:
    body = assert_problem(client.post(path, json={**CONTEXT, **change}), 422)
    assert f"{field} {BOUND}" in body["detail"]
    if "errors" in body:
        assert {"path": field, "message": BOUND} in body["errors"]


def test_a_far_today_with_a_stored_mentorship_is_422_naming_the_field(client: TestClient) -> None:
    """The stored context is built for `today` before the merged context is validated."""
    mid = mentorship(client)
    body = assert_problem(client.post("/v1/goal-plan", json={"mentorship_id": mid, "today": "9999-12-20"}), 422)
    assert f"today {BOUND}" in body["detail"]


@pytest.mark.parametrize(
    ("path", "change"),
    [
        ("/v1/goal-plan", {"mentee": {"name": "Priya", "goals": ["ship v1 in 500000 weeks"]}}),
        ("/v1/goal-plan", {"mentee": {"name": "Priya", "goals": ["ship v1 in " + "9" * 280 + " days"]}}),
        ("/v1/goal-plan", {"today": LATEST_DATE.isoformat()}),
        (
            "/v1/feedback-summary",
            {"notes": "Priya will send the deck in 600000 weeks. Dana to intro in 9999999999 days."},
        ),
        ("/v1/agenda", {"today": LATEST_DATE.isoformat(), "session": {"date": LATEST_DATE.isoformat()}}),
        ("/v1/decision-framework", {"today": LATEST_DATE.isoformat(), "decision": {"statement": "take the offer"}}),
    ],
)
def test_far_phrases_and_the_last_accepted_day_generate_instead_of_failing(
    client: TestClient, path: str, change: dict[str, Any]
) -> None:
    response = client.post(path, json={**CONTEXT, **change})
    assert response.status_code == 200, response.text


def test_a_far_goal_gets_the_default_three_months(client: TestClient) -> None:
    context = {**CONTEXT, "mentee": {"name": "Priya", "goals": ["ship v1 in 500000 weeks"]}}
    plan = client.post("/v1/goal-plan", json=context).json()
    assert "names no date" in plan["goals"][0]["time_bound"]
    assert max(plan["cadence"]["sessions"]) <= "2027-02-19"  # 91 days after today


def test_a_web_goal_plan_starting_on_9999_12_31_is_a_422_page(client: TestClient) -> None:
    mid = mentorship(client)
    page = assert_page(client.post(f"/mentorships/{mid}/goals", data={"start": "9999-12-31"}), 422)
    assert f"Start date: {BOUND}" in page  # the field the person typed, in words
    stream = client.post(
        f"/mentorships/{mid}/goals", data={"start": "9999-12-31"}, headers={"Accept": "text/event-stream"}
    )
    assert "event: error" in stream.text and BOUND in stream.text and "Something went wrong" not in stream.text


# -- form and body limits ------------------------------------------------------------------
def test_a_web_form_with_too_many_fields_is_a_413_page_in_words(client: TestClient) -> None:
    fields = {f"field{i}": "x" for i in range(1001)}
    page = assert_page(client.post("/login", data=fields), 413)
    assert "too many fields" in page.lower() and "nothing was saved" in page
    multipart = client.post("/login", data=fields, files={"upload": ("a.txt", b"x")})
    assert "too many fields" in assert_page(multipart, 413).lower()


def test_an_api_form_with_too_many_fields_is_413_problem_json(client: TestClient) -> None:
    fields = {f"field{i}": "x" for i in range(1001)}
    response = client.post("/v1/knowledge/files", data=fields, files={"file": ("notes.md", b"# Notes\n\nText.")})
    body = assert_problem(response, 413)
    assert body["title"] == "Request too large" and "Too many fields" in body["detail"]


@pytest.fixture
def small_limit_client(api_settings, make_client) -> TestClient:
    return make_client(api_settings.model_copy(update={"max_body_mb": 0.01}))


def chunked(data: bytes, size: int = 1000) -> Iterator[bytes]:
    """A body without Content-Length (httpx sends an iterator chunked)."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


def test_an_oversized_web_form_is_a_413_page_not_json(small_limit_client: TestClient) -> None:
    page = assert_page(small_limit_client.post("/login", data={"key": "x" * 20_000}), 413)
    assert "larger than the 0.01 MB this server accepts" in page
    body = ("key=" + "x" * 20_000).encode()
    streamed = small_limit_client.post(
        "/login", content=chunked(body), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert "larger than the 0.01 MB" in assert_page(streamed, 413)


def test_an_oversized_chunked_api_body_is_413_not_400(small_limit_client: TestClient) -> None:
    body = json.dumps({**CONTEXT, "notes": "x" * 20_000}).encode()
    response = small_limit_client.post(
        "/v1/agenda", content=chunked(body), headers={"content-type": "application/json"}
    )
    assert "content-length" not in {k.lower() for k in response.request.headers}
    problem = assert_problem(response, 413)
    assert problem["title"] == "Request too large" and "exceeds 10000 bytes" in problem["detail"]
    declared = small_limit_client.post("/v1/agenda", content=body, headers={"content-type": "application/json"})
    assert assert_problem(declared, 413)["title"] == "Request too large"


# -- unhandled errors ----------------------------------------------------------------------
SECRET = "note text that must never reach the log"


def boom() -> None:
    raise RuntimeError(SECRET)


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the API logs, as the JSON lines the real handler writes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("companion.api")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def test_an_unhandled_api_error_is_a_500_with_a_request_log_line_and_no_traceback(
    client: TestClient, log_lines: io.StringIO
) -> None:
    client.app.add_api_route("/v1/test-boom", boom)
    # The exception must end in the app: an ASGI server prints a raw traceback for one raised out of it.
    strict = TestClient(client.app, base_url=str(client.base_url), raise_server_exceptions=True)
    response = strict.get("/v1/test-boom", headers={"X-Request-ID": "boom-1"})
    body = assert_problem(response, 500)
    assert response.headers["x-request-id"] == "boom-1" and "boom-1" in body["detail"]
    assert response.headers["x-content-type-options"] == "nosniff"
    lines = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    assert all(SECRET not in json.dumps(line) and "Traceback" not in json.dumps(line) for line in lines)
    error = next(line for line in lines if line["message"] == "unhandled error")
    assert error["request_id"] == "boom-1" and error["error"] == "RuntimeError"
    assert re.fullmatch(r"test_hardening\.py:\d+ in boom", error["where"])
    request = next(line for line in lines if line["message"] == "request")
    assert request["request_id"] == "boom-1" and request["status"] == 500 and request["route"] == "/v1/test-boom"
    assert request["error"] == "RuntimeError"


def test_an_unhandled_page_error_is_a_500_page_in_words(client: TestClient) -> None:
    client.app.add_api_route("/test-boom-page", boom)
    strict = TestClient(client.app, base_url=str(client.base_url), raise_server_exceptions=True)
    page = assert_page(strict.get("/test-boom-page"), 500)
    assert "Something went wrong on our side" in page and SECRET not in page


# -- security headers ----------------------------------------------------------------------
def csp(response: Any) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else "" for part in policy.split("; ")}


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    mid = mentorship(client)
    responses = {
        "api json": client.get("/healthz"),
        "api problem": client.get("/v1/no-such-thing"),
        "api 422": client.post("/v1/agenda", json={}),
        "page": client.get("/"),
        "page 404": client.get("/no/such/page"),
        "static": client.get("/static/app.js"),
        "docs": client.get("/docs"),
        "ics 409": client.get(f"/v1/mentorships/{mid}/schedule.ics"),
        "metrics": client.get("/metrics"),
    }
    for name, response in responses.items():
        assert response.headers["x-content-type-options"] == "nosniff", name
        assert response.headers["x-frame-options"] == "DENY", name
        assert response.headers["referrer-policy"] == "same-origin", name
        assert csp(response)["frame-ancestors"] == "'none'", name
    for name in ("api json", "api problem", "api 422", "ics 409", "page", "page 404"):
        assert responses[name].headers["cache-control"] == "no-store", name
    assert "no-store" not in responses["static"].headers.get("cache-control", ""), "assets may be cached"
    assert csp(responses["api json"])["default-src"] == "'none'"


def test_pages_get_a_csp_that_allows_only_their_own_scripts_and_styles(client: TestClient) -> None:
    page = client.get("/")
    policy = csp(page)
    # Scripts from /static only.
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'" and policy["style-src-attr"] == "'unsafe-inline'"
    assert "unsafe-inline" not in policy["script-src"] + policy["default-src"] + policy["style-src"]
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'" and policy["form-action"] == "'self'"
    # What the policy allows is what the pages use: scripts and stylesheets from /static, no inline script.
    scripts = re.findall(r"<script\b([^>]*)>", page.text)
    assert scripts and all(re.search(r'\bsrc="/static/[^"]+"', attrs) for attrs in scripts)
    assert all(href.startswith("/static/") for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.text))
    assert "<style" not in page.text and not re.search(r"\son[a-z]+=", page.text)
    assert client.get("/static/app.js").status_code == 200 and client.get("/static/app.css").status_code == 200
    # No page runs a javascript: link either (the CSP would block it).
    assert "javascript:" not in client.get("/no/such/page").text


def test_exports_are_not_cached(client: TestClient) -> None:
    mid = mentorship(client)
    assert client.post("/v1/goal-plan", json={"mentorship_id": mid, "today": "2026-11-20"}).status_code == 200
    ics = client.get(f"/v1/mentorships/{mid}/schedule.ics")
    assert ics.status_code == 200 and ics.headers["cache-control"] == "no-store"
    assert csp(ics)["default-src"] == "'none'"
    session = client.post(f"/v1/mentorships/{mid}/sessions", json={"date": "2026-11-20", "agenda": hostile_agenda()})
    assert session.status_code == 201, session.text
    markdown = client.get(f"/mentorships/{mid}/sessions/{session.json()['id']}/agenda.md")
    assert markdown.status_code == 200 and markdown.headers["cache-control"] == "no-store"
    assert markdown.headers["x-content-type-options"] == "nosniff"


# -- no raw HTML in Markdown ---------------------------------------------------------------
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)"><!-- c --><https://evil.example>'


def hostile_agenda() -> dict[str, Any]:
    agenda: dict[str, Any] = json.loads((SNAPSHOTS / "agenda-sample.json").read_text(encoding="utf-8"))
    agenda["items"][0]["title"] = f"Check-in {HOSTILE}"
    agenda["items"][0]["purpose"] = f"Purpose {HOSTILE}"
    agenda["carried_forward"] = [{"text": f"Send the deck {HOSTILE}", "owner": "mentee"}]
    return agenda


def test_the_markdown_export_carries_no_raw_html(client: TestClient) -> None:
    mid = mentorship(client)
    session = client.post(f"/v1/mentorships/{mid}/sessions", json={"date": "2026-11-20", "agenda": hostile_agenda()})
    markdown = client.get(f"/mentorships/{mid}/sessions/{session.json()['id']}/agenda.md").text
    assert "Check-in &lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x" in markdown
    assert "<" not in markdown and ">" not in markdown


def poison(value: Any) -> Any:
    """Every string in a dumped model with HTML around it; dates and literal fields (task, level) kept."""
    if isinstance(value, str):
        return value if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else f"<b>{value}</b><script>x</script>"
    if isinstance(value, list):
        return [poison(v) for v in value]
    if isinstance(value, dict):
        return {k: v if k in ("task", "level", "visibility") else poison(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize("task", TASKS)
def test_no_output_field_or_name_can_carry_raw_html_into_markdown(task: str) -> None:
    data = json.loads((SNAPSHOTS / f"{task}-sample.json").read_text(encoding="utf-8"))
    output = TASK_SPECS[task].output.model_validate(poison(data))
    context = MentoringContext.model_validate(
        {"mentor": {"name": "<i>Dana</i>"}, "mentee": {"name": "<i>Priya</i> <script>"}, "session": {"number": 2}}
    )
    text = render_markdown(output, context)
    assert "&lt;script&gt;" in text and "&lt;b&gt;" in text
    assert "<" not in text and ">" not in text, [line for line in text.splitlines() if "<" in line or ">" in line]


def test_plain_markdown_is_unchanged_by_the_escaping() -> None:
    data = json.loads((SNAPSHOTS / "agenda-sample.json").read_text(encoding="utf-8"))
    text = render_markdown(TASK_SPECS["agenda"].output.model_validate(data))
    assert "&lt;" not in text and "&gt;" not in text and text.startswith("## Session: agenda")
