"""One session over HTTP (read, add notes, re-plan, save feedback), saved decisions and the
schedule export: roles, tenancy and what a mentee never receives."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from tests.api.test_tenancy_and_privacy import mentorship_body

PRIVATE_MARKER = "PRIVATEMARKER6264"
LATER_PRIVATE_MARKER = "LATERPRIVATE1187"
FEEDBACK_MARKER = "FEEDBACKMARKER3030"
GENERATOR = {"provider": "offline", "model": "composer", "prompt_version": "test/1"}
AGENDA = {
    "generator": GENERATOR,
    "items": [
        {"title": "Check-in", "minutes": 10, "purpose": "Arrive and settle"},
        {"title": "Investor list", "minutes": 35, "purpose": "Pick the first ten names"},
    ],
    "total_minutes": 45,
}
FEEDBACK = {"generator": GENERATOR, "summary": f"{FEEDBACK_MARKER} Priya froze on revenue.", "topics": ["pitching"]}


@pytest.fixture
def pair(client: TestClient, keys) -> dict[str, Any]:
    """dana mentors priya in acme; one session with a shared and a private note."""
    people = {
        "admin": keys("acme", "admin"),
        "platform": keys("acme", "platform"),
        "dana": keys("acme", "mentor", "dana"),
        "priya": keys("acme", "mentee", "priya"),
        "luis": keys("acme", "mentor", "luis"),
        "elena": keys("acme", "mentee", "elena"),
    }
    created = client.post("/v1/mentorships", headers=people["dana"], json=mentorship_body("dana", "priya"))
    assert created.status_code == 201, created.text
    mid = created.json()["id"]
    session = client.post(
        f"/v1/mentorships/{mid}/sessions",
        headers=people["dana"],
        json={
            "date": "2026-11-02",
            "notes": [
                {"text": "We agreed Priya drafts the investor list.", "visibility": "shared"},
                {"text": f"{PRIVATE_MARKER} candid view on the pitch", "visibility": "mentor_private"},
            ],
            "action_items": [{"text": "Draft the investor list", "owner": "mentee", "due": "2026-11-10"}],
        },
    )
    assert session.status_code == 201, session.text
    return {"mid": mid, "sid": session.json()["id"], **people}


def url(pair: dict[str, Any], tail: str = "") -> str:
    return f"/v1/mentorships/{pair['mid']}{tail}"


def session_url(pair: dict[str, Any], tail: str = "") -> str:
    return url(pair, f"/sessions/{pair['sid']}{tail}")


def decision_framework(client: TestClient, headers: dict[str, str], mid: str) -> dict[str, Any]:
    response = client.post(
        "/v1/decision-framework",
        headers=headers,
        json={
            "mentorship_id": mid,
            "today": "2026-11-20",
            "decision": {
                "statement": "Should Priya pitch investors before Christmas?",
                "options": ["now", "in January"],
            },
        },
    )
    assert response.status_code == 200, response.text
    return response.json()


# -- one session ---------------------------------------------------------------------------
def test_get_one_session_with_the_notes_each_role_may_see(client: TestClient, pair: dict[str, Any]) -> None:
    listed = client.get(url(pair, "/sessions"), headers=pair["dana"]).json()

    as_mentor = client.get(session_url(pair), headers=pair["dana"])
    assert as_mentor.status_code == 200 and as_mentor.json() == listed[0]
    assert PRIVATE_MARKER in as_mentor.text
    assert PRIVATE_MARKER in client.get(session_url(pair), headers=pair["admin"]).text
    for role in ("priya", "platform"):
        response = client.get(session_url(pair), headers=pair[role])
        assert response.status_code == 200, (role, response.text)
        assert PRIVATE_MARKER not in response.text
        assert [n["visibility"] for n in response.json()["notes"]] == ["shared"]
    for outsider in ("luis", "elena"):
        assert client.get(session_url(pair), headers=pair[outsider]).status_code == 404
    missing = client.get(url(pair, "/sessions/no-such-session"), headers=pair["dana"])
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    assert client.get(url(pair, "/sessions/" + "x" * 65), headers=pair["dana"]).status_code == 422


def test_notes_are_added_after_the_session_by_the_mentor_side_only(client: TestClient, pair: dict[str, Any]) -> None:
    added = client.post(
        session_url(pair, "/notes"),
        headers=pair["dana"],
        json={"notes": [{"text": f"{LATER_PRIVATE_MARKER} follow-up thought", "visibility": "mentor_private"}]},
    )
    assert added.status_code == 201, added.text
    assert [n["text"] for n in added.json()["notes"]] == [
        "We agreed Priya drafts the investor list.",
        f"{PRIVATE_MARKER} candid view on the pitch",
        f"{LATER_PRIVATE_MARKER} follow-up thought",
    ]
    assert added.json()["notes"][-1]["author_person_id"] == "dana"

    # A platform is not the mentor: it cannot write a private note stored as hers (nothing is stored).
    private_by_platform = client.post(
        session_url(pair, "/notes"),
        headers=pair["platform"],
        json={"notes": [{"text": "Shared recap from the platform"}, {"text": "x", "visibility": "mentor_private"}]},
    )
    assert private_by_platform.status_code == 403, private_by_platform.text
    by_platform = client.post(
        session_url(pair, "/notes"),
        headers=pair["platform"],
        json={"notes": [{"text": "Shared recap from the platform"}]},
    )
    assert by_platform.status_code == 201, by_platform.text
    assert [n["visibility"] for n in by_platform.json()["notes"]] == ["shared", "shared"]
    assert PRIVATE_MARKER not in by_platform.text and LATER_PRIVATE_MARKER not in by_platform.text

    refused = client.post(session_url(pair, "/notes"), headers=pair["priya"], json={"notes": [{"text": "mine"}]})
    assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"
    impersonation = client.post(
        session_url(pair, "/notes"),
        headers=pair["admin"],
        json={"notes": [{"text": "x", "visibility": "mentor_private", "author_person_id": "priya"}]},
    )
    assert impersonation.status_code == 403 and "mentor_private" in impersonation.json()["detail"]
    assert client.post(session_url(pair, "/notes"), headers=pair["dana"], json={"notes": []}).status_code == 422
    nul = client.post(session_url(pair, "/notes"), headers=pair["dana"], json={"notes": [{"text": "a\u0000b"}]})
    assert nul.status_code == 422 and nul.json()["errors"][0]["path"] == "notes.0.text"
    assert (
        client.post(session_url(pair, "/notes"), headers=pair["luis"], json={"notes": [{"text": "x"}]}).status_code
        == 404
    )

    seen_by_mentee = client.get(session_url(pair), headers=pair["priya"]).json()["notes"]
    assert [n["text"] for n in seen_by_mentee] == [
        "We agreed Priya drafts the investor list.",
        "Shared recap from the platform",
    ]


def test_a_session_plan_is_changed_field_by_field(client: TestClient, pair: dict[str, Any]) -> None:
    moved = client.patch(session_url(pair), headers=pair["dana"], json={"date": "2026-11-03"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["date"], moved.json()["agenda"]) == ("2026-11-03", None)

    planned = client.patch(
        session_url(pair),
        headers=pair["platform"],
        json={"agenda": AGENDA, "icebreakers_asked": ["What did chess teach you?"]},
    )
    assert planned.status_code == 200, planned.text
    body = planned.json()
    assert body["date"] == "2026-11-03" and body["agenda"]["items"][1]["title"] == "Investor list"
    assert body["icebreakers_asked"] == ["What did chess teach you?"] and PRIVATE_MARKER not in planned.text

    cleared = client.patch(session_url(pair), headers=pair["admin"], json={"agenda": None})
    assert cleared.json()["agenda"] is None and cleared.json()["icebreakers_asked"] == ["What did chess teach you?"]
    assert PRIVATE_MARKER in cleared.text  # an admin gets the private notes back

    for bad in ({"date": None}, {"icebreakers_asked": None}, {"number": 4}, {"date": "someday"}):
        response = client.patch(session_url(pair), headers=pair["dana"], json=bad)
        assert response.status_code == 422, (bad, response.text)
    assert client.patch(session_url(pair), headers=pair["priya"], json={"date": "2026-11-04"}).status_code == 403
    assert client.patch(session_url(pair), headers=pair["luis"], json={"date": "2026-11-04"}).status_code == 404
    assert client.get(session_url(pair), headers=pair["dana"]).json()["date"] == "2026-11-03"


def test_feedback_is_saved_by_the_mentor_and_never_reaches_mentee_or_platform(
    client: TestClient, pair: dict[str, Any]
) -> None:
    generated = client.post(
        "/v1/feedback-summary",
        headers=pair["dana"],
        json={"mentorship_id": pair["mid"], "notes": "Priya froze when investors asked about revenue."},
    )
    assert generated.status_code == 200, generated.text

    saved = client.put(session_url(pair, "/feedback"), headers=pair["dana"], json=generated.json())
    assert saved.status_code == 200, saved.text
    assert saved.json()["feedback"] == generated.json()
    replaced = client.put(session_url(pair, "/feedback"), headers=pair["admin"], json=FEEDBACK)
    assert replaced.status_code == 200 and replaced.json()["feedback"]["summary"] == FEEDBACK["summary"]

    for role in ("dana", "admin"):
        assert FEEDBACK_MARKER in client.get(session_url(pair), headers=pair[role]).text
        assert FEEDBACK_MARKER in client.get(url(pair, "/sessions"), headers=pair[role]).text
    for role in ("priya", "platform"):
        one = client.get(session_url(pair), headers=pair[role])
        listed = client.get(url(pair, "/sessions"), headers=pair[role])
        assert one.json()["feedback"] is None and listed.json()[0]["feedback"] is None
        assert FEEDBACK_MARKER not in one.text + listed.text
        refused = client.put(session_url(pair, "/feedback"), headers=pair[role], json=FEEDBACK)
        assert refused.status_code == 403, (role, refused.text)
    platform_plan = client.patch(session_url(pair), headers=pair["platform"], json={"date": "2026-11-02"})
    assert platform_plan.json()["feedback"] is None
    assert client.put(session_url(pair, "/feedback"), headers=pair["luis"], json=FEEDBACK).status_code == 404
    assert client.put(session_url(pair, "/feedback"), headers=pair["dana"], json={"summary": "x"}).status_code == 422


# -- decisions -----------------------------------------------------------------------------
def test_decisions_are_saved_listed_and_read_by_the_mentor_side(client: TestClient, pair: dict[str, Any]) -> None:
    framework = decision_framework(client, pair["dana"], pair["mid"])

    first = client.post(url(pair, "/decisions"), headers=pair["dana"], json={"framework": framework})
    assert first.status_code == 201, first.text
    saved = first.json()
    assert saved["statement"] == framework["decision"] and saved["framework"] == framework
    assert saved["check_in_date"] == framework["check_in_date"] and saved["mentorship_id"] == pair["mid"]
    second = client.post(
        url(pair, "/decisions"), headers=pair["platform"], json={"framework": {**framework, "decision": "Hire now?"}}
    )
    assert second.status_code == 201, second.text

    for role in ("dana", "admin", "platform"):
        listed = client.get(url(pair, "/decisions"), headers=pair[role])
        assert listed.status_code == 200
        assert {d["id"] for d in listed.json()} == {saved["id"], second.json()["id"]}
        one = client.get(url(pair, f"/decisions/{saved['id']}"), headers=pair[role])
        assert one.status_code == 200 and one.json() == saved
    newest_first = [d["statement"] for d in client.get(url(pair, "/decisions"), headers=pair["dana"]).json()]
    assert newest_first == ["Hire now?", framework["decision"]]

    for call in (
        lambda h: client.get(url(pair, "/decisions"), headers=h),
        lambda h: client.get(url(pair, f"/decisions/{saved['id']}"), headers=h),
        lambda h: client.post(url(pair, "/decisions"), headers=h, json={"framework": framework}),
    ):
        mentee = call(pair["priya"])
        assert mentee.status_code == 403 and framework["decision"] not in mentee.text
        assert call(pair["elena"]).status_code == 404  # a stranger: exactly like a missing mentorship
        assert call(pair["luis"]).status_code == 404
    assert client.get(url(pair, "/decisions/nope"), headers=pair["dana"]).status_code == 404
    empty = client.post(
        url(pair, "/decisions"), headers=pair["dana"], json={"framework": {**framework, "decision": " "}}
    )
    assert empty.status_code == 422
    assert client.post(url(pair, "/decisions"), headers=pair["dana"], json=framework).status_code == 422


# -- schedule.ics --------------------------------------------------------------------------
def test_a_decision_check_in_records_the_outcome_for_the_mentor_side_only(
    client: TestClient, pair: dict[str, Any]
) -> None:
    framework = {**decision_framework(client, pair["dana"], pair["mid"]), "check_in_date": "2026-11-01"}
    saved = client.post(url(pair, "/decisions"), headers=pair["dana"], json={"framework": framework}).json()
    check_in = url(pair, f"/decisions/{saved['id']}/check-in")
    assert client.post(check_in, headers=pair["priya"], json={"outcome": "x"}).status_code == 403
    assert client.post(check_in, headers=pair["luis"], json={"outcome": "x"}).status_code == 404
    assert client.post(check_in, headers=pair["dana"], json={"outcome": ""}).status_code == 422
    done = client.post(check_in, headers=pair["dana"], json={"outcome": "Took the offer."})
    assert done.status_code == 200 and done.json()["outcome"] == "Took the offer." and done.json()["checked_in_at"]
    again = client.get(url(pair, f"/decisions/{saved['id']}"), headers=pair["admin"]).json()
    assert again["outcome"] == "Took the offer."


def test_the_schedule_is_an_ics_file_after_a_goal_plan(client: TestClient, pair: dict[str, Any]) -> None:
    before = client.get(url(pair, "/schedule.ics"), headers=pair["dana"])
    assert before.status_code == 409, before.text
    assert before.headers["content-type"] == "application/problem+json"
    assert "make a goal plan first" in before.json()["detail"] and before.json()["title"] == "No meeting schedule"

    plan = client.post(
        "/v1/goal-plan", headers=pair["dana"], json={"mentorship_id": pair["mid"], "today": "2026-11-20"}
    )
    assert plan.status_code == 200, plan.text
    planned = plan.json()["cadence"]["sessions"]
    moved = client.patch(session_url(pair), headers=pair["dana"], json={"date": planned[0], "agenda": AGENDA})
    assert moved.status_code == 200

    exports = []
    for role in ("dana", "priya", "platform", "admin"):
        response = client.get(url(pair, "/schedule.ics"), headers=pair[role])
        assert response.status_code == 200, (role, response.text)
        assert response.headers["content-type"] == "text/calendar; charset=utf-8"
        disposition = response.headers["content-disposition"]
        assert (
            disposition.startswith("attachment;") and f'filename="mentoring-schedule-{pair["mid"]}.ics"' in disposition
        )
        assert PRIVATE_MARKER not in response.text and "We agreed Priya" not in response.text
        exports.append(Calendar.from_ical(response.content))

    events = exports[0].walk("VEVENT")
    assert len(events) == len(planned)
    assert [e.decoded("dtstart").date().isoformat() for e in events] == planned
    assert "Investor list (35 min): Pick the first ten names" in str(events[0]["description"])
    assert all("description" not in e for e in events[1:])
    assert "Dana & Priya" in str(events[0]["summary"])
    for other in exports[1:]:
        assert [str(e["uid"]) for e in other.walk("VEVENT")] == [str(e["uid"]) for e in events]

    assert client.get(url(pair, "/schedule.ics"), headers=pair["luis"]).status_code == 404
    assert client.get("/v1/mentorships/missing/schedule.ics", headers=pair["dana"]).status_code == 404


# -- tenancy and the contract --------------------------------------------------------------
def test_another_tenants_session_and_decision_ids_are_not_found_through_own_mentorship(
    client: TestClient, pair: dict[str, Any], keys
) -> None:
    decision = client.post(
        url(pair, "/decisions"),
        headers=pair["dana"],
        json={"framework": decision_framework(client, pair["dana"], pair["mid"])},
    ).json()
    globex = keys("globex", "admin")
    own = client.post("/v1/mentorships", headers=globex, json=mentorship_body("mei", "kenji")).json()["id"]
    base = f"/v1/mentorships/{own}"
    calls = {
        "get session": client.get(f"{base}/sessions/{pair['sid']}", headers=globex),
        "add notes": client.post(
            f"{base}/sessions/{pair['sid']}/notes", headers=globex, json={"notes": [{"text": "x"}]}
        ),
        "plan": client.patch(f"{base}/sessions/{pair['sid']}", headers=globex, json={"date": "2026-12-01"}),
        "feedback": client.put(f"{base}/sessions/{pair['sid']}/feedback", headers=globex, json=FEEDBACK),
        "decision": client.get(f"{base}/decisions/{decision['id']}", headers=globex),
    }
    for what, response in calls.items():
        assert response.status_code == 404, (what, response.text)
        assert json.loads(response.text)["title"] == "Not found"
        assert PRIVATE_MARKER not in response.text
    assert client.get(f"{base}/decisions", headers=globex).json() == []
    assert client.get(session_url(pair), headers=pair["dana"]).json()["date"] == "2026-11-02"


def test_openapi_documents_the_new_operations(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation_ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]

    assert len(operation_ids) == len(set(operation_ids))
    assert {
        "get_session",
        "add_session_notes",
        "update_session_plan",
        "save_session_feedback",
        "create_decision",
        "list_decisions",
        "get_decision",
        "check_in_decision",
        "get_schedule_ics",
    } <= set(operation_ids)
    ics = spec["paths"]["/v1/mentorships/{mentorship_id}/schedule.ics"]["get"]["responses"]
    assert set(ics["200"]["content"]) == {"text/calendar"}
    assert "application/problem+json" in ics["409"]["content"]


def test_nul_characters_are_refused_in_words_on_every_backend(client: TestClient, pair: dict[str, Any]) -> None:
    """PostgreSQL text cannot hold NUL: every input model refuses it with a 422 naming the field."""
    cases = [
        (url(pair, "/action-items"), {"items": [{"text": "Call Sam", "owner": "men\u0000tee"}]}, "items.0.owner"),
        (session_url(pair, "/notes"), {"notes": [{"text": "a\u0000b"}]}, "notes.0.text"),
        ("/v1/mentorships", mentorship_body("dana", "pri\u0000ya"), "mentee.person_id"),
    ]
    for path, body, field in cases:
        response = client.post(path, headers=pair["dana"], json=body)
        assert response.status_code == 422, path
        assert f"{field} must not contain NUL characters" in response.json()["detail"]
    sessions = client.get(url(pair, "/sessions"), headers=pair["dana"]).json()
    assert [len(s["action_items"]) for s in sessions] == [1], "nothing stored"


def test_a_context_sent_in_part_keeps_the_stored_rest(client: TestClient, pair: dict[str, Any]) -> None:
    """A platform that sends only the session's date and focus still gets session 2 of this mentorship
    (not a first session), and a mentee sent without goals keeps the stored goals."""
    response = client.post(
        "/v1/agenda",
        headers=pair["dana"],
        json={
            "mentorship_id": pair["mid"],
            "today": "2026-11-20",
            "session": {"date": "2026-11-20", "focus": ["investor pitch"]},
            "mentee": {"name": "Priya"},
        },
    )
    assert response.status_code == 200, response.text
    agenda = response.json()
    assert any(note.startswith("Session 2 is treated as an early session") for note in agenda["generator"]["notes"])
    assert "Persona read from the mentee's role and situation: first-time founder." in agenda["generator"]["notes"]
    assert [item["text"] for item in agenda["carried_forward"]] == ["Draft the investor list"]


def test_saving_the_same_action_items_twice_stores_them_once(client: TestClient, pair: dict[str, Any]) -> None:
    """A second click on "Save", a retried request, or a re-save after fixing a date stores nothing twice."""
    body = {
        "session_id": pair["sid"],
        "items": [
            {"text": "Send the revised deck", "owner": "mentee", "due": "2026-11-06"},
            {"text": "Intro to two angels", "owner": "mentor"},
        ],
    }
    first = client.post(url(pair, "/action-items"), headers=pair["dana"], json=body)
    assert first.status_code == 201, first.text
    body["items"][0] = {"text": "send the revised deck.", "owner": "mentee", "due": "2026-11-09"}  # a fix, re-saved
    again = client.post(url(pair, "/action-items"), headers=pair["dana"], json=body)
    assert again.status_code == 201, again.text
    assert [i["id"] for i in again.json()] == [i["id"] for i in first.json()]
    progress = client.get(url(pair, "/progress"), headers=pair["dana"]).json()["action_items"]
    stored = progress["open"] + progress["overdue"]
    texts = [i["text"].casefold() for i in stored]
    assert texts.count("send the revised deck") == 1 and texts.count("intro to two angels") == 1
    deck = next(i for i in stored if i["text"].casefold() == "send the revised deck")
    assert deck["due"] == "2026-11-09"  # the date set last is the one kept
    # the same words in one request are one item, and an item of another session is a different item
    twice = {"items": [{"text": "Book the room"}, {"text": "book the room"}]}
    assert len(client.post(url(pair, "/action-items"), headers=pair["dana"], json=twice).json()) == 1
