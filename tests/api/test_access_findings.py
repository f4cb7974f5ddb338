"""Regression tests for the access findings of the security review (issue 11), through the real app.

Each test failed on the code before the access policy moved into `companion/access.py`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_tenancy_and_privacy import mentorship_body

PRIVATE = "DANAPRIVATE6042"


@pytest.fixture
def people(client: TestClient, keys) -> dict[str, Any]:
    """Tenant acme: dana mentors priya; eli is another mentor; priya also holds a mentor key."""
    admin = keys("acme", "admin")
    made = client.post("/v1/mentorships", headers=admin, json=mentorship_body("dana", "priya"))
    assert made.status_code == 201, made.text
    return {
        "mentorship": made.json()["id"],
        "admin": admin,
        "platform": keys("acme", "platform"),
        "dana": keys("acme", "mentor", "dana"),
        "eli": keys("acme", "mentor", "eli"),
        "priya": keys("acme", "mentee", "priya"),
        "priya_as_mentor": keys("acme", "mentor", "priya"),
    }


def private_note(client: TestClient, headers: dict[str, str], note_id: str = "dana-lesson") -> None:
    created = client.post(
        "/v1/knowledge/notes",
        headers=headers,
        json={
            "notes": [
                {
                    "id": note_id,
                    "title": "What I learned pitching",
                    "visibility": "mentor_private",
                    "themes": ["feedback_and_self_assessment", "career_risk"],
                    "text": f"{PRIVATE} pitching lesson: a first-time founder rehearses the revenue slide twice.",
                }
            ]
        },
    )
    assert created.status_code == 201, created.text


def sse_events(text: str) -> list[tuple[str, Any]]:
    events = []
    for block in text.strip().split("\n\n"):
        name = next(line[7:] for line in block.splitlines() if line.startswith("event: "))
        data = next(line[6:] for line in block.splitlines() if line.startswith("data: "))
        events.append((name, json.loads(data)))
    return events


def test_platform_sse_lists_no_private_note_and_its_output_mentions_none(client: TestClient, people) -> None:
    private_note(client, people["dana"])
    body = {"mentorship_id": people["mentorship"], "session": {"focus": ["pitching the revenue slide"]}}
    streamed = client.post("/v1/agenda", headers={**people["platform"], "Accept": "text/event-stream"}, json=body)
    assert streamed.status_code == 200
    assert PRIVATE not in streamed.text
    assert "What I learned pitching" not in streamed.text
    assert "dana-lesson" not in streamed.text
    assert "mentor-private" not in streamed.text
    retrieved = dict(sse_events(streamed.text))["retrieved"]
    assert retrieved["chunks"] == len(retrieved["citations"]) > 0
    # The mentor herself is told her own private note matched (it stays with her).
    own = client.post("/v1/agenda", headers=people["dana"], json=body)
    assert own.status_code == 200
    assert any("mentor-private note" in line for line in own.json()["generator"]["notes"])


def test_another_mentor_cannot_overwrite_or_delete_a_note_by_reusing_its_id(client: TestClient, people) -> None:
    private_note(client, people["dana"])
    takeover = client.post(
        "/v1/knowledge/notes",
        headers=people["eli"],
        json={"notes": [{"id": "dana-lesson", "text": "eli's text now", "visibility": "shared"}]},
    )
    assert takeover.status_code == 409, takeover.text
    assert "another author" in takeover.json()["detail"]
    # Her private note is invisible to him: deleting it answers exactly like a missing one.
    assert client.delete("/v1/knowledge/dana-lesson", headers=people["eli"]).status_code == 404
    assert client.delete("/v1/knowledge/dana-lesson", headers=people["platform"]).status_code == 404
    found = client.get("/v1/search", headers=people["dana"], params={"q": "pitching lesson revenue slide"})
    assert any(PRIVATE in hit["text"] for hit in found.json()["results"])
    # The same author may update her own note.
    again = client.post(
        "/v1/knowledge/notes",
        headers=people["dana"],
        json={"notes": [{"id": "dana-lesson", "text": f"{PRIVATE} updated", "visibility": "mentor_private"}]},
    )
    assert again.status_code == 201, again.text


def test_a_file_upload_cannot_take_over_another_authors_file(client: TestClient, people) -> None:
    first = client.post(
        "/v1/knowledge/files", headers=people["dana"], files={"file": ("pitch-notes.md", b"# Pitch\n\nDana's notes.")}
    )
    assert first.status_code == 201, first.text
    second = client.post(
        "/v1/knowledge/files", headers=people["eli"], files={"file": ("pitch-notes.md", b"# Pitch\n\nEli's notes.")}
    )
    assert second.status_code == 409
    # Her shared file he can see, but not delete.
    assert client.delete("/v1/knowledge/pitch-notes.md", headers=people["eli"]).status_code == 403


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/sessions", {"date": "2026-11-02"}),
        ("post", "/action-items", {"items": [{"text": "draft the deck", "owner": "mentee"}]}),
        ("post", "/decisions", None),
    ],
)
def test_a_mentee_holding_a_mentor_key_cannot_write_the_mentor_side(
    client: TestClient, people, method: str, path: str, body: dict[str, Any] | None
) -> None:
    if body is None:
        from tests.api.test_tenancy_and_privacy import framework_body

        body = framework_body("Raise now or later?")
    url = f"/v1/mentorships/{people['mentorship']}{path}"
    answer = getattr(client, method)(url, headers=people["priya_as_mentor"], json=body)
    assert answer.status_code == 403, answer.text
    assert getattr(client, method)(url, headers=people["dana"], json=body).status_code == 201


def test_a_mentee_holding_a_mentor_key_cannot_change_plans_feedback_or_goal_plans(client: TestClient, people) -> None:
    mentorship = people["mentorship"]
    session = client.post(f"/v1/mentorships/{mentorship}/sessions", headers=people["dana"], json={"date": "2026-11-02"})
    session_id = session.json()["id"]
    base = f"/v1/mentorships/{mentorship}/sessions/{session_id}"
    as_mentee = people["priya_as_mentor"]
    assert client.patch(base, headers=as_mentee, json={"icebreakers_asked": ["x"]}).status_code == 403
    notes = {"notes": [{"text": "I think it went fine", "visibility": "shared"}]}
    assert client.post(f"{base}/notes", headers=as_mentee, json=notes).status_code == 403
    summary = client.post(
        "/v1/feedback-summary",
        headers=people["dana"],
        json={"mentorship_id": mentorship, "notes": "She'll send the deck by Friday."},
    ).json()
    assert client.put(f"{base}/feedback", headers=as_mentee, json=summary).status_code == 403
    before = client.get(f"/v1/mentorships/{mentorship}", headers=people["dana"]).json()["cadence"]
    plan = client.post("/v1/goal-plan", headers=as_mentee, json={"mentorship_id": mentorship})
    assert plan.status_code == 200  # the mentee may read a goal plan for herself...
    after = client.get(f"/v1/mentorships/{mentorship}", headers=people["dana"]).json()["cadence"]
    assert after == before  # ...but it is not stored as the mentorship's schedule


def test_a_mentee_ticks_only_her_own_action_items(client: TestClient, people) -> None:
    mentorship = people["mentorship"]
    made = client.post(
        f"/v1/mentorships/{mentorship}/action-items",
        headers=people["dana"],
        json={
            "items": [{"text": "send the deck", "owner": "mentee"}, {"text": "send her the chapter", "owner": "mentor"}]
        },
    )
    mine, mentors = (item["id"] for item in made.json())
    url = f"/v1/mentorships/{mentorship}/action-items"
    assert client.patch(f"{url}/{mine}", headers=people["priya"], json={"done": True}).status_code == 200
    refused = client.patch(f"{url}/{mentors}", headers=people["priya"], json={"done": True})
    assert refused.status_code == 403
    items = client.get(f"/v1/mentorships/{mentorship}/progress", headers=people["dana"]).json()["action_items"]
    assert [i["text"] for i in items["open"]] == ["send her the chapter"]


def test_session_note_authorship_is_enforced(client: TestClient, people) -> None:
    mentorship = people["mentorship"]
    session = client.post(f"/v1/mentorships/{mentorship}/sessions", headers=people["dana"], json={"date": "2026-11-02"})
    url = f"/v1/mentorships/{mentorship}/sessions/{session.json()['id']}/notes"
    private = {"notes": [{"text": "platform wrote this", "visibility": "mentor_private"}]}
    assert client.post(url, headers=people["platform"], json=private).status_code == 403
    spoofed = {"notes": [{"text": "as priya", "visibility": "shared", "author_person_id": "priya"}]}
    assert client.post(url, headers=people["dana"], json=spoofed).status_code == 403
    stranger = {"notes": [{"text": "as eli", "visibility": "shared", "author_person_id": "eli"}]}
    assert client.post(url, headers=people["platform"], json=stranger).status_code == 403
    ok = client.post(url, headers=people["dana"], json={"notes": [{"text": "mine", "visibility": "mentor_private"}]})
    assert ok.status_code == 201
    assert ok.json()["notes"][-1]["author_person_id"] == "dana"


def test_no_key_can_belong_to_the_shared_library_tenant(client: TestClient) -> None:
    from companion.memory import InvalidMemoryRequest
    from companion.memory.schemas import KeyCreate

    with pytest.raises(InvalidMemoryRequest, match="shared library"):
        client.app.state.companion.keys.create_key("global", KeyCreate(role="admin"))


def test_a_mentor_upload_with_a_bank_is_stored_as_a_note(client: TestClient, people) -> None:
    bank = (
        b"---\ntitle: Sneaky bank\nkind: question_bank\nbank: icebreakers\n---\n# Questions\n\n"
        b"```yaml bank\n- id: sneaky-001\n  text: BANKMARKER1 what is your favourite colour?\n  stage: first_session\n  depth: light\n```\n"
    )
    uploaded = client.post("/v1/knowledge/files", headers=people["dana"], files={"file": ("sneaky.md", bank)})
    assert uploaded.status_code == 201, uploaded.text
    listed = {s["source"]: s for s in client.get("/v1/knowledge", headers=people["dana"]).json()}
    assert listed["sneaky.md"]["kind"] == "note"
    icebreakers = client.post("/v1/icebreakers", headers=people["priya"], json={"mentorship_id": people["mentorship"]})
    assert "BANKMARKER1" not in icebreakers.text
    # An admin's bank is a bank.
    admin_upload = client.post("/v1/knowledge/files", headers=people["admin"], files={"file": ("bank.md", bank)})
    assert admin_upload.status_code == 201, admin_upload.text
    assert {s["source"]: s for s in client.get("/v1/knowledge", headers=people["admin"]).json()}["bank.md"][
        "kind"
    ] == "question_bank"


def test_local_mode_refuses_cross_site_writes_and_foreign_hosts(client: TestClient) -> None:
    note = {"notes": [{"text": "from a web page somewhere", "visibility": "shared"}]}
    foreign = client.post("/v1/knowledge/notes", json=note, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert foreign.headers["content-type"].startswith("application/problem+json")
    upload = client.post(
        "/v1/knowledge/files",
        files={"file": ("x.md", b"# X\n\ntext")},
        headers={"Origin": "http://127.0.0.1:9999"},
    )
    assert upload.status_code == 403  # another port is another site
    scheme = client.post("/v1/knowledge/notes", json=note, headers={"Origin": "https://127.0.0.1:8000"})
    assert scheme.status_code == 403
    same = client.post("/v1/knowledge/notes", json=note, headers={"Origin": "http://127.0.0.1:8000"})
    assert same.status_code == 201
    assert client.post("/v1/knowledge/notes", json=note).status_code == 201  # programs send no Origin
    rebound = client.get("/v1/knowledge", headers={"Host": "attacker.example"})
    assert rebound.status_code == 400
    assert client.get("/v1/knowledge", headers={"Host": "localhost:8000"}).status_code == 200


def test_web_same_origin_check_compares_the_scheme(client: TestClient) -> None:
    refused = client.post("/mentorships/new", data={"mentee_name": "X"}, headers={"Origin": "https://127.0.0.1:8000"})
    assert refused.status_code == 403
    assert "another site" in refused.text
