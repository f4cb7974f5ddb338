"""Health, request ids, error shapes, limits, local and keyed mode, metrics, OpenAPI."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

CONTEXT = {
    "mentor": {"name": "Dana", "interests": ["cycling", "chess"]},
    "mentee": {
        "name": "Priya",
        "role": "first-time founder",
        "situation": "pre-seed B2B startup",
        "goals": ["raise a seed round by June"],
        "interests": ["hiking", "chess"],
        "challenges": ["fear of pitching"],
    },
    "session": {"number": 2, "duration_minutes": 45, "focus": ["fundraising"]},
    "today": "2026-11-20",
}


def test_health_readiness_request_id_and_metrics(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    generated = client.get("/healthz").headers["x-request-id"]
    assert len(generated) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    client.post("/v1/agenda", json=CONTEXT)
    metrics = client.get("/metrics").text
    assert 'companion_http_request_duration_seconds_count{method="POST",route="/v1/agenda",status="200"} 1.0' in metrics
    assert 'companion_generations_total{provider="offline",task="agenda"} 1.0' in metrics


def test_validation_errors_are_problem_json_with_field_paths(client: TestClient) -> None:
    bad = {**CONTEXT, "session": {"number": 2, "duration_minutes": 5}}
    response = client.post("/v1/agenda", json=bad)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422 and body["instance"] == "/v1/agenda"
    assert {"path": "session.duration_minutes", "message": "must be between 10 and 240"} in body["errors"]
    assert "session.duration_minutes must be between 10 and 240" in body["detail"]
    missing = client.post("/v1/agenda", json={"session": {"number": 1}})
    assert missing.status_code == 422 and "mentee is required" in missing.json()["detail"]
    unknown = client.get("/v1/nothing-here")
    assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"
    search = client.get("/v1/search", params={"q": "x", "k": 500})
    assert search.status_code == 422 and search.json()["errors"][0]["path"] == "k"


def test_request_body_limit(api_settings, make_client) -> None:
    client = make_client(api_settings.model_copy(update={"max_body_mb": 0.01}))
    response = client.post(
        "/v1/agenda",
        content=json.dumps({**CONTEXT, "notes": "x" * 20_000}),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["title"] == "Request too large"


def test_rate_limit_answers_429_with_retry_after(api_settings, make_client) -> None:
    client = make_client(api_settings.model_copy(update={"rate_limit_per_minute": 60, "rate_limit_burst": 3}))
    statuses = [client.get("/v1/search", params={"q": "trust"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/v1/search", params={"q": "trust"})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1


def test_local_mode_until_a_key_exists_then_keys_are_required(client: TestClient, keys) -> None:
    assert client.get("/v1/search", params={"q": "trust"}).status_code == 200
    headers = keys("local", "admin")
    refused = client.get("/v1/search", params={"q": "trust"})
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    assert (
        client.get("/v1/search", params={"q": "trust"}, headers={"Authorization": "Bearer mc_wrong"}).status_code == 401
    )
    assert client.get("/v1/search", params={"q": "trust"}, headers=headers).status_code == 200


def test_keys_are_required_when_local_mode_is_off(api_settings, make_client) -> None:
    client = make_client(api_settings, local_mode=False)
    assert client.get("/v1/search", params={"q": "trust"}).status_code == 401
    assert client.get("/healthz").status_code == 200


def test_openapi_has_stable_operation_ids(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation_ids = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert {
        "generate_agenda",
        "generate_icebreakers",
        "generate_feedback",
        "generate_decision",
        "generate_reflection",
        "generate_goals",
        "create_suggestion",
        "search_knowledge",
        "create_notes",
        "list_knowledge",
        "delete_knowledge",
        "upload_knowledge_file",
    } <= operation_ids
    assert client.get("/docs").status_code == 200


def test_sse_stream_sends_progress_then_the_result(client: TestClient) -> None:
    with client.stream("POST", "/v1/agenda", json=CONTEXT, headers={"Accept": "text/event-stream"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        text = "".join(response.iter_text())
    events = [block.split("\n", 1) for block in text.strip().split("\n\n")]
    names = [e[0].removeprefix("event: ") for e in events]
    assert names == ["retrieved", "generating", "result"]
    result = json.loads(events[-1][1].removeprefix("data: "))
    assert result["task"] == "agenda" and result["total_minutes"] == 45
    retrieved = json.loads(events[0][1].removeprefix("data: "))
    cited = {c["chunk_id"] for c in result["citations"]}
    assert cited <= {c["chunk_id"] for c in retrieved["citations"]}


def test_suggestions_endpoint_wraps_every_task(client: TestClient) -> None:
    response = client.post("/v1/suggestions", json={"kind": "icebreakers", "context": CONTEXT})
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "icebreakers" and body["result"]["task"] == "icebreakers"
    assert body["result"]["questions"]
    assert client.post("/v1/suggestions", json={"kind": "agenda"}).status_code == 422
    unknown_option = client.post("/v1/suggestions", json={"kind": "agenda", "context": CONTEXT, "options": {"x": 1}})
    assert unknown_option.status_code == 422 and "unknown option(s) x" in unknown_option.json()["detail"]
    other_tenant = client.post("/v1/agenda", json={**CONTEXT, "tenant": "someone-else"})
    assert other_tenant.status_code == 403


def test_logs_carry_no_note_text_prompts_or_keys(api_settings, make_client, capfd) -> None:
    client = make_client(api_settings.model_copy(update={"log_level": "DEBUG"}))
    marker = "LOGMARKER3141 Priya cried about the investor meeting"
    created = client.post("/v1/knowledge/notes", json={"notes": [{"id": "log-note", "text": marker}]})
    assert created.status_code == 201
    client.post("/v1/feedback-summary", json={**CONTEXT, "notes": marker + "\nPriya will email Sam by Friday."})
    client.post("/v1/agenda", json={**CONTEXT, "session": {"number": 1, "duration_minutes": 5}})  # a 422
    client.get("/v1/search", params={"q": marker})
    from companion.memory.schemas import KeyCreate

    key = client.app.state.companion.keys.create_key("local", KeyCreate(role="admin")).key
    client.get("/v1/search", params={"q": "trust"}, headers={"Authorization": f"Bearer {key}"})
    logged = capfd.readouterr().err
    assert '"route": "/v1/feedback-summary"' in logged, "the requests were logged"
    assert "LOGMARKER3141" not in logged and "investor meeting" not in logged
    assert key not in logged and key[:12] not in logged
