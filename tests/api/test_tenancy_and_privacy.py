"""Tenant isolation across every read path, mentee visibility, and memory over three sessions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

ACME_MARKER = "ACMEMARKER4821"
GLOBEX_MARKER = "GLOBEXMARKER9931"
PRIVATE_MARKER = "PRIVATEMARKER5150"
SESSION_PRIVATE_MARKER = "SESSIONPRIVATE7007"
FEEDBACK_PRIVATE_MARKER = "FEEDBACKPRIVATE2468"
DECISION_MARKER = "DECISIONMARKER1357"
GENERATOR = {"provider": "offline", "model": "composer", "prompt_version": "test/1"}


def framework_body(statement: str) -> dict[str, Any]:
    """A decision framework as POST /v1/decision-framework returns it, for saving."""
    return {
        "framework": {
            "generator": GENERATOR,
            "decision": statement,
            "reversibility": {"level": "reversible", "reason": "a pitch can be repeated"},
            "criteria": ["runway"],
            "options": [],
            "premortem": [],
            "questions_for_mentor": [],
            "experiment": "Pitch two friendly angels first.",
            "next_steps": [],
            "check_in_date": "2026-11-20",
        }
    }


def mentorship_body(mentor: str, mentee: str) -> dict[str, Any]:
    return {
        "mentor": {"person_id": mentor, "name": mentor.title(), "interests": ["chess", "cycling"]},
        "mentee": {
            "person_id": mentee,
            "name": mentee.title(),
            "role": "first-time founder",
            "situation": "pre-seed B2B startup",
            "interests": ["chess", "hiking"],
            "challenges": ["fear of pitching"],
        },
        "goals": ["raise a seed round by June", "hire a first engineer"],
    }


def seed_tenant(client: TestClient, admin: dict[str, str], marker: str, mentor: str, mentee: str) -> dict[str, str]:
    """A note, a mentorship with a session (notes, icebreakers, an action item) in one tenant."""
    note = client.post(
        "/v1/knowledge/notes",
        headers=admin,
        json={
            "notes": [
                {
                    "id": f"{marker.lower()}-note",
                    "text": f"{marker} investor pitching lesson: rehearse the revenue slide.",
                    "themes": ["feedback_and_self_assessment"],
                }
            ]
        },
    )
    assert note.status_code == 201, note.text
    created = client.post("/v1/mentorships", headers=admin, json=mentorship_body(mentor, mentee))
    assert created.status_code == 201, created.text
    mentorship_id = created.json()["id"]
    session = client.post(
        f"/v1/mentorships/{mentorship_id}/sessions",
        headers=admin,
        json={
            "date": "2026-11-02",
            "notes": [{"text": f"{marker} session note about the pitch", "visibility": "shared"}],
            "icebreakers_asked": [f"{marker} what did chess teach you?"],
            "action_items": [{"text": f"{marker} draft investor list", "owner": "mentee", "due": "2026-11-10"}],
        },
    )
    assert session.status_code == 201, session.text
    item_id = session.json()["action_items"][0]["id"]
    decision = client.post(
        f"/v1/mentorships/{mentorship_id}/decisions", headers=admin, json=framework_body(f"{marker} pitch now?")
    )
    assert decision.status_code == 201, decision.text
    return {
        "mentorship_id": mentorship_id,
        "source": f"{marker.lower()}-note",
        "item_id": item_id,
        "session_id": session.json()["id"],
        "decision_id": decision.json()["id"],
    }


def read_everything(client: TestClient, headers: dict[str, str], foreign: dict[str, str]) -> list[tuple[str, int, str]]:
    """Every read path, aimed at the other tenant's ids and content: (what, status, body)."""
    mid, source, item = foreign["mentorship_id"], foreign["source"], foreign["item_id"]
    sid, did = foreign["session_id"], foreign["decision_id"]
    context = {
        "mentee": {"name": "Sam", "goals": ["investor pitching"]},
        "notes": "investor pitching revenue slide",
        "decision": {"statement": "Should I pitch investors now?"},
    }
    calls = [
        (
            "search",
            client.get("/v1/search", headers=headers, params={"q": "investor pitching lesson revenue slide", "k": 20}),
        ),
        ("list knowledge", client.get("/v1/knowledge", headers=headers)),
        ("list mentorships", client.get("/v1/mentorships", headers=headers)),
        ("get mentorship", client.get(f"/v1/mentorships/{mid}", headers=headers)),
        ("sessions", client.get(f"/v1/mentorships/{mid}/sessions", headers=headers)),
        ("progress", client.get(f"/v1/mentorships/{mid}/progress", headers=headers)),
        (
            "patch item",
            client.patch(f"/v1/mentorships/{mid}/action-items/{item}", headers=headers, json={"done": True}),
        ),
        ("add session", client.post(f"/v1/mentorships/{mid}/sessions", headers=headers, json={"date": "2026-11-03"})),
        (
            "add items",
            client.post(f"/v1/mentorships/{mid}/action-items", headers=headers, json={"items": [{"text": "x"}]}),
        ),
        ("get session", client.get(f"/v1/mentorships/{mid}/sessions/{sid}", headers=headers)),
        (
            "add notes",
            client.post(
                f"/v1/mentorships/{mid}/sessions/{sid}/notes", headers=headers, json={"notes": [{"text": "x"}]}
            ),
        ),
        (
            "plan session",
            client.patch(f"/v1/mentorships/{mid}/sessions/{sid}", headers=headers, json={"date": "2026-11-04"}),
        ),
        (
            "save feedback",
            client.put(
                f"/v1/mentorships/{mid}/sessions/{sid}/feedback",
                headers=headers,
                json={"generator": GENERATOR, "summary": "x"},
            ),
        ),
        ("list decisions", client.get(f"/v1/mentorships/{mid}/decisions", headers=headers)),
        ("get decision", client.get(f"/v1/mentorships/{mid}/decisions/{did}", headers=headers)),
        (
            "add decision",
            client.post(f"/v1/mentorships/{mid}/decisions", headers=headers, json=framework_body("Sneak in?")),
        ),
        ("schedule", client.get(f"/v1/mentorships/{mid}/schedule.ics", headers=headers)),
        ("delete knowledge", client.delete(f"/v1/knowledge/{source}", headers=headers)),
        ("agenda by id", client.post("/v1/agenda", headers=headers, json={"mentorship_id": mid})),
        (
            "suggestion by id",
            client.post("/v1/suggestions", headers=headers, json={"kind": "icebreakers", "mentorship_id": mid}),
        ),
    ]
    for task, path in (
        ("agenda", "/v1/agenda"),
        ("feedback", "/v1/feedback-summary"),
        ("decision", "/v1/decision-framework"),
        ("reflection", "/v1/reflection-prompts"),
        ("goals", "/v1/goal-plan"),
        ("icebreakers", "/v1/icebreakers"),
    ):
        calls.append((task, client.post(path, headers=headers, json=context)))
    return [(what, response.status_code, response.text) for what, response in calls]


@pytest.fixture
def two_tenants(client: TestClient, keys) -> dict[str, Any]:
    acme, globex = keys("acme", "admin"), keys("globex", "admin")
    return {
        "acme": (acme, seed_tenant(client, acme, ACME_MARKER, "dana", "priya")),
        "globex": (globex, seed_tenant(client, globex, GLOBEX_MARKER, "mei", "kenji")),
    }


def test_tenant_isolation_matrix(client: TestClient, two_tenants: dict[str, Any]) -> None:
    for me, other, other_marker in (("acme", "globex", GLOBEX_MARKER), ("globex", "acme", ACME_MARKER)):
        headers, mine = two_tenants[me]
        _, theirs = two_tenants[other]
        results = read_everything(client, headers, theirs)
        by_id = {
            "get mentorship",
            "sessions",
            "progress",
            "patch item",
            "add session",
            "add items",
            "get session",
            "add notes",
            "plan session",
            "save feedback",
            "list decisions",
            "get decision",
            "add decision",
            "schedule",
            "delete knowledge",
            "agenda by id",
            "suggestion by id",
        }
        for what, status, body in results:
            assert other_marker not in body, (me, what)
            assert theirs["mentorship_id"] not in body or what in by_id, (me, what)
            if what in by_id:
                assert status == 404, (me, what, status, body)
                assert json.loads(body)["title"] == "Not found"
            else:
                assert status == 200, (me, what, status, body)
        # the positive control: each tenant does see its own content through the same paths
        own = client.get("/v1/search", headers=headers, params={"q": "investor pitching lesson revenue slide", "k": 20})
        assert (ACME_MARKER if me == "acme" else GLOBEX_MARKER) in own.text
        assert client.get(f"/v1/mentorships/{mine['mentorship_id']}", headers=headers).status_code == 200


def test_a_mentees_responses_never_carry_a_private_note(client: TestClient, keys) -> None:
    admin = keys("acme", "admin")
    dana, priya = keys("acme", "mentor", "dana"), keys("acme", "mentee", "priya")
    mentorship_id = client.post("/v1/mentorships", headers=dana, json=mentorship_body("dana", "priya")).json()["id"]
    private = client.post(
        "/v1/knowledge/notes",
        headers=dana,
        json={
            "notes": [
                {
                    "id": "dana-private",
                    "visibility": "mentor_private",
                    "themes": ["feedback_and_self_assessment", "goals_and_progress"],
                    "text": f"{PRIVATE_MARKER} Priya freezes when investors ask about revenue; her seed round goal worries me.",
                }
            ]
        },
    )
    assert private.status_code == 201, private.text
    session = client.post(
        f"/v1/mentorships/{mentorship_id}/sessions",
        headers=dana,
        json={
            "date": "2026-11-02",
            "notes": [
                {"text": f"{SESSION_PRIVATE_MARKER} candid view on the pitch", "visibility": "mentor_private"},
                {"text": "We agreed Priya drafts the investor list.", "visibility": "shared"},
            ],
            "action_items": [{"text": "Draft the investor list", "owner": "mentee", "due": "2026-11-10"}],
        },
    )
    assert session.status_code == 201
    session_url = f"/v1/mentorships/{mentorship_id}/sessions/{session.json()['id']}"
    feedback = client.put(
        f"{session_url}/feedback", headers=dana, json={"generator": GENERATOR, "summary": FEEDBACK_PRIVATE_MARKER}
    )
    assert feedback.status_code == 200, feedback.text
    decision = client.post(
        f"/v1/mentorships/{mentorship_id}/decisions", headers=dana, json=framework_body(f"{DECISION_MARKER} now?")
    )
    assert decision.status_code == 201, decision.text
    plan = client.post("/v1/goal-plan", headers=dana, json={"mentorship_id": mentorship_id, "today": "2026-11-02"})
    assert plan.status_code == 200, plan.text
    assert (
        client.patch(session_url, headers=dana, json={"date": plan.json()["cadence"]["sessions"][0]}).status_code == 200
    )

    # Positive controls: the mentor does reach both private texts.
    assert (
        PRIVATE_MARKER
        in client.get("/v1/search", headers=dana, params={"q": "Priya investors revenue seed round", "k": 20}).text
    )
    assert SESSION_PRIVATE_MARKER in client.get(f"/v1/mentorships/{mentorship_id}/sessions", headers=dana).text

    query = {"q": "Priya freezes when investors ask about revenue seed round", "k": 50}
    context = {
        "mentorship_id": mentorship_id,
        "notes": "Priya investors revenue seed round",
        "decision": {"statement": "Should Priya pitch investors for the seed round now?"},
    }
    responses = {
        "search": client.get("/v1/search", headers=priya, params=query),
        "knowledge": client.get("/v1/knowledge", headers=priya),
        "sessions": client.get(f"/v1/mentorships/{mentorship_id}/sessions", headers=priya),
        "progress": client.get(f"/v1/mentorships/{mentorship_id}/progress", headers=priya),
        "mentorships": client.get("/v1/mentorships", headers=priya),
        "one session": client.get(session_url, headers=priya),
        "schedule": client.get(f"/v1/mentorships/{mentorship_id}/schedule.ics", headers=priya),
    }
    for task, path in (
        ("agenda", "/v1/agenda"),
        ("icebreakers", "/v1/icebreakers"),
        ("feedback", "/v1/feedback-summary"),
        ("decision", "/v1/decision-framework"),
        ("reflection", "/v1/reflection-prompts"),
        ("goals", "/v1/goal-plan"),
    ):
        responses[task] = client.post(path, headers=priya, json=context)
        responses[f"suggestion {task}"] = client.post(
            "/v1/suggestions",
            headers=priya,
            json={
                "kind": task,
                "mentorship_id": mentorship_id,
                "context": {k: v for k, v in context.items() if k != "mentorship_id"},
            },
        )
    with client.stream("POST", "/v1/agenda", headers={**priya, "Accept": "text/event-stream"}, json=context) as stream:
        responses["stream"] = stream
        streamed = "".join(stream.iter_text())
    for name, response in responses.items():
        text = streamed if name == "stream" else response.text
        assert response.status_code == 200, (name, response.status_code, text)
        assert PRIVATE_MARKER not in text and SESSION_PRIVATE_MARKER not in text, name
        assert FEEDBACK_PRIVATE_MARKER not in text and DECISION_MARKER not in text, name
        assert "dana-private" not in text, name
    # Decisions are mentor-side: a mentee is refused outright.
    for refused in (
        client.get(f"/v1/mentorships/{mentorship_id}/decisions", headers=priya),
        client.get(f"/v1/mentorships/{mentorship_id}/decisions/{decision.json()['id']}", headers=priya),
    ):
        assert refused.status_code == 403 and DECISION_MARKER not in refused.text
    # A platform acting for the pair and an admin see the shared note; only the admin sees the private one.
    assert SESSION_PRIVATE_MARKER in client.get(f"/v1/mentorships/{mentorship_id}/sessions", headers=admin).text
    platform = keys("acme", "platform")
    assert SESSION_PRIVATE_MARKER not in client.get(f"/v1/mentorships/{mentorship_id}/sessions", headers=platform).text


def test_mentors_and_mentees_reach_only_their_own_mentorships(client: TestClient, keys) -> None:
    admin = keys("acme", "admin")
    ours = client.post("/v1/mentorships", headers=admin, json=mentorship_body("dana", "priya")).json()["id"]
    theirs = client.post("/v1/mentorships", headers=admin, json=mentorship_body("luis", "elena")).json()["id"]
    for person, role in (("dana", "mentor"), ("priya", "mentee")):
        headers = keys("acme", role, person)
        assert [m["id"] for m in client.get("/v1/mentorships", headers=headers).json()] == [ours]
        assert client.get(f"/v1/mentorships/{theirs}", headers=headers).status_code == 404
        assert client.post("/v1/agenda", headers=headers, json={"mentorship_id": theirs}).status_code == 404
    priya = keys("acme", "mentee", "priya")
    assert client.post("/v1/knowledge/notes", headers=priya, json={"notes": [{"text": "x"}]}).status_code == 403
    dana = keys("acme", "mentor", "dana")
    impersonation = client.post("/v1/knowledge/notes", headers=dana, json={"notes": [{"text": "x", "author": "luis"}]})
    assert impersonation.status_code == 403


def test_memory_carries_items_forward_and_never_repeats_icebreakers(client: TestClient, keys) -> None:
    dana = keys("acme", "mentor", "dana")
    mentorship_id = client.post("/v1/mentorships", headers=dana, json=mentorship_body("dana", "priya")).json()["id"]
    asked: list[str] = []
    open_items: list[str] = []
    for number, day in ((1, "2026-11-02"), (2, "2026-11-16"), (3, "2026-11-30")):
        request = {"mentorship_id": mentorship_id, "today": day}
        agenda = client.post("/v1/agenda", headers=dana, json=request)
        assert agenda.status_code == 200, agenda.text
        carried = {item["text"] for item in agenda.json()["carried_forward"]}
        assert carried == set(open_items), (number, carried, open_items)
        assert agenda.json()["total_minutes"] == sum(i["minutes"] for i in agenda.json()["items"])
        icebreakers = client.post("/v1/icebreakers", headers=dana, json=request).json()["questions"]
        texts = [q["text"] for q in icebreakers]
        assert texts and not set(texts) & set(asked), (number, texts)
        session = client.post(
            f"/v1/mentorships/{mentorship_id}/sessions",
            headers=dana,
            json={
                "date": day,
                "icebreakers_asked": texts[:2],
                "agenda": agenda.json(),
                "action_items": [{"text": f"Step {number} of the investor plan", "owner": "mentee", "due": day}],
            },
        )
        assert session.status_code == 201 and session.json()["number"] == number
        asked += texts[:2]
        open_items.append(f"Step {number} of the investor plan")
        if number == 2:
            first = next(
                i
                for i in client.get(f"/v1/mentorships/{mentorship_id}/sessions", headers=dana).json()[0]["action_items"]
            )
            done = client.patch(
                f"/v1/mentorships/{mentorship_id}/action-items/{first['id']}", headers=dana, json={"done": True}
            )
            assert done.status_code == 200 and done.json()["done"] is True
            open_items.remove("Step 1 of the investor plan")
    progress = client.get(
        f"/v1/mentorships/{mentorship_id}/progress", headers=dana, params={"today": "2026-12-05"}
    ).json()
    assert progress["sessions_total"] == 3
    assert {i["text"] for i in progress["action_items"]["overdue"]} == set(open_items)
    assert [i["text"] for i in progress["action_items"]["done"]] == ["Step 1 of the investor plan"]
    plan = client.post("/v1/goal-plan", headers=dana, json={"mentorship_id": mentorship_id, "today": "2026-12-05"})
    assert plan.status_code == 200
    stored = client.get(
        f"/v1/mentorships/{mentorship_id}/progress", headers=dana, params={"today": "2026-12-05"}
    ).json()
    assert stored["cadence"] == plan.json()["cadence"]


def test_a_mentors_api_notes_become_their_share_your_experience_block(client: TestClient, keys) -> None:
    dana = keys("acme", "mentor", "dana")
    mentorship_id = client.post("/v1/mentorships", headers=dana, json=mentorship_body("dana", "priya")).json()["id"]
    story = client.post(
        "/v1/knowledge/notes",
        headers=dana,
        json={
            "notes": [
                {
                    "id": "dana-seed-story",
                    "title": "How I raised our seed round",
                    "themes": ["sharing_experience"],
                    "text": "When I raised our seed round I pitched angels first and funds only after three customer letters; "
                    "fear of pitching faded after ten practice pitches with founders.",
                }
            ]
        },
    )
    assert story.status_code == 201
    agenda = client.post(
        "/v1/agenda",
        headers=dana,
        json={
            "mentorship_id": mentorship_id,
            "session": {"number": 2, "duration_minutes": 60, "focus": ["fundraising", "fear of pitching"]},
        },
    )
    assert agenda.status_code == 200, agenda.text
    cited = {c["source"] for item in agenda.json()["items"] for c in item["citations"]}
    assert "dana-seed-story" in cited
