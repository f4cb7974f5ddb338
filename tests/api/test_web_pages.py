"""The web pages through the real app (TestClient): login cookie, same-origin forms, tenancy, the
mentee's view, streamed progress, and what a saved plan keeps. The browser flows are in tests/web."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from api.web.charts import progress_points
from api.web.planning import distribute, rebalance
from companion.memory.schemas import ActionItemPublic, MentorshipCreate, SessionPublic

PRIVATE_MARKER = "PRIVATE-MARKER-web-93"


@pytest.fixture
def people(client: TestClient, keys: Callable[..., dict[str, str]]) -> dict[str, Any]:
    """A mentorship in tenant acme (mentor dana, mentee priya), and keys for them and a globex mentor."""
    memory = client.app.state.companion.memory
    mentorship = memory.create_mentorship(
        "acme",
        MentorshipCreate.model_validate(
            {
                "mentor": {"person_id": "dana", "name": "Dana"},
                "mentee": {"person_id": "priya", "name": "Priya", "interests": ["chess"]},
                "goals": ["Raise a seed round by June"],
            }
        ),
    )
    return {
        "mentorship": mentorship,
        "mentor": keys("acme", "mentor", "dana"),
        "mentee": keys("acme", "mentee", "priya"),
        "stranger": keys("globex", "mentor", "lee"),
    }


def login(client: TestClient, headers: dict[str, str]) -> None:
    key = headers["Authorization"].removeprefix("Bearer ")
    client.cookies.clear()
    response = client.post("/login", data={"key": key, "next": "/"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, name
    return html.unescape(match.group(1))


def plan_form(page: str) -> dict[str, Any]:
    return {
        "date": "2026-12-01",
        "duration": "45",
        "focus": "",
        "agenda_json": hidden(page, "agenda_json"),
        "icebreakers_json": hidden(page, "icebreakers_json"),
        "minutes": re.findall(r'name="minutes" type="number" min="1" max="\d+" value="(\d+)"', page),
        "icebreaker": [html.unescape(q) for q in re.findall(r'name="icebreaker" value="([^"]*)"', page)],
    }


def test_login_sets_a_strict_httponly_cookie_and_bad_keys_get_words(client: TestClient, people: dict) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/"
    refused = client.post("/login", data={"key": "mc_wrong", "next": "/"})
    assert refused.status_code == 401 and "unknown or has been revoked" in refused.text
    key = people["mentor"]["Authorization"].removeprefix("Bearer ")
    response = client.post("/login", data={"key": key, "next": "https://evil.example/"}, follow_redirects=False)
    assert response.headers["location"] == "/", "login never redirects off-site"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    home = client.get("/")
    assert home.status_code == 200 and "Priya" in home.text


def test_a_form_posted_from_another_site_is_refused_and_stores_nothing(client: TestClient, people: dict) -> None:
    login(client, people["mentor"])
    memory = client.app.state.companion.memory
    before = len(memory.list_mentorships("acme"))
    response = client.post(
        "/mentorships/new",
        data={"mentor_person_id": "dana", "mentee_name": "Eve", "mentee_person_id": "eve"},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403 and "another site" in response.text
    assert len(memory.list_mentorships("acme")) == before


def test_another_tenant_gets_not_found_on_every_page(client: TestClient, people: dict) -> None:
    mentorship_id = people["mentorship"].id
    login(client, people["stranger"])
    for path in ("", "/prepare", "/mentee", "/decisions", "/goals", "/schedule.ics"):
        response = client.get(f"/mentorships/{mentorship_id}{path}")
        assert response.status_code == 404, path
        assert "Priya" not in response.text and response.headers["content-type"].startswith("text/html")
    response = client.post(f"/mentorships/{mentorship_id}/prepare", data={"date": "2026-12-01", "duration": "45"})
    assert response.status_code == 404
    assert "Priya" not in client.get("/").text


def test_the_mentee_never_sees_a_private_note_and_cannot_open_mentor_pages(client: TestClient, people: dict) -> None:
    mentorship_id = people["mentorship"].id
    memory = client.app.state.companion.memory
    from companion.memory.schemas import SessionCreate

    session = memory.add_session(
        "acme",
        mentorship_id,
        SessionCreate.model_validate(
            {
                "date": "2026-11-01",
                "notes": [
                    {"text": "Shared: Priya will rehearse the pitch.", "visibility": "shared"},
                    {"text": f"{PRIVATE_MARKER} worried about burnout", "visibility": "mentor_private"},
                ],
                "action_items": [{"text": "Rehearse the pitch twice", "owner": "mentee"}],
            }
        ),
    )
    login(client, people["mentor"])
    assert PRIVATE_MARKER in client.get(f"/mentorships/{mentorship_id}/sessions/{session.id}").text
    assert PRIVATE_MARKER not in client.get(f"/mentorships/{mentorship_id}/mentee").text, "the preview is the mentee's"

    login(client, people["mentee"])
    page = client.get(f"/mentorships/{mentorship_id}")
    assert page.status_code == 200 and "Rehearse the pitch twice" in page.text and "rehearse the pitch." in page.text
    reflection = client.post(f"/mentorships/{mentorship_id}/reflection")
    assert reflection.status_code == 200 and 'ol class="reflection"' in reflection.text
    for text in (page.text, reflection.text, client.get("/").text):
        assert PRIVATE_MARKER not in text and "burnout" not in text
    for path in (f"/sessions/{session.id}", "/prepare", "/decisions", f"/sessions/{session.id}/feedback.md"):
        response = client.get(f"/mentorships/{mentorship_id}{path}")
        assert response.status_code == 403 and PRIVATE_MARKER not in response.text, path
    response = client.post(
        f"/mentorships/{mentorship_id}/sessions/{session.id}/notes",
        data={"note_text": ["sneaky"], "note_visibility": ["shared"]},
    )
    assert response.status_code == 403
    assert len(memory.get_session("acme", mentorship_id, session.id).notes) == 1, "nothing stored"


def test_prepare_streams_progress_then_the_plan_and_errors_in_words(client: TestClient, people: dict) -> None:
    mentorship_id = people["mentorship"].id
    login(client, people["mentor"])
    stream = client.post(
        f"/mentorships/{mentorship_id}/prepare",
        data={"date": "2026-12-01", "duration": "45", "focus": "fundraising"},
        headers={"Accept": "text/event-stream"},
    )
    assert stream.headers["content-type"].startswith("text/event-stream")
    events = [(m.group(1), json.loads(m.group(2))) for m in re.finditer(r"event: (\w+)\ndata: (.*)\n\n", stream.text)]
    names = [name for name, _ in events]
    assert names[-1] == "result" and names.count("progress") >= 4
    assert any("found" in data["message"] for name, data in events if name == "progress")
    assert "Agenda for session 1" in events[-1][1]["html"]

    bad = client.post(
        f"/mentorships/{mentorship_id}/prepare",
        data={"date": "2026-12-01", "duration": "5"},
        headers={"Accept": "text/event-stream"},
    )
    assert bad.status_code == 422 and "event: error" in bad.text and "between 10 and 240" in bad.text
    page = client.post(f"/mentorships/{mentorship_id}/prepare", data={"date": "someday", "duration": "45"})
    assert page.status_code == 422 and "is not a date" in page.text and "Traceback" not in page.text


def test_a_saved_plan_sums_to_the_session_and_keeps_only_real_citations(client: TestClient, people: dict) -> None:
    mentorship_id = people["mentorship"].id
    login(client, people["mentor"])
    page = client.post(f"/mentorships/{mentorship_id}/prepare", data={"date": "2026-12-01", "duration": "45"}).text
    form = plan_form(page)
    agenda = json.loads(form["agenda_json"])
    real = agenda["items"][0]["citations"][0]
    forged = {"chunk_id": "forged-chunk", "source": "nowhere.md", "title": "Forged", "heading": "Forged"}
    agenda["items"][0]["citations"].append(forged)
    form["agenda_json"] = json.dumps(agenda)
    form["minutes"] = ["30", *form["minutes"][1:]]  # no longer sums to 45: the server re-balances
    response = client.post(f"/mentorships/{mentorship_id}/prepare/save", data=form, follow_redirects=False)
    assert response.status_code == 303
    memory = client.app.state.companion.memory
    saved = memory.list_sessions("acme", mentorship_id)[-1].agenda
    assert saved is not None and saved.total_minutes == 45
    assert sum(item.minutes for item in saved.items) == 45 and all(item.minutes >= 1 for item in saved.items)
    cited = [c.chunk_id for item in saved.items for c in item.citations]
    assert real["chunk_id"] in cited and "forged-chunk" not in cited
    assert memory.list_sessions("acme", mentorship_id)[-1].icebreakers_asked == form["icebreaker"]

    tampered = {**form, "agenda_json": "{not json"}
    response = client.post(f"/mentorships/{mentorship_id}/prepare/save", data=tampered)
    assert response.status_code == 422 and "could not be read back" in response.text
    assert len(memory.list_sessions("acme", mentorship_id)) == 1, "nothing stored from a broken form"


def test_unknown_pages_are_words_and_api_errors_stay_json(client: TestClient, people: dict) -> None:
    login(client, people["mentor"])
    page = client.get("/no/such/page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    api = client.get("/v1/no/such/thing", headers=people["mentor"])
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"


# --------------------------------------------------------------------------------------
# Plan arithmetic and the progress chart's numbers
# --------------------------------------------------------------------------------------
@given(
    minutes=st.lists(st.integers(min_value=0, max_value=300), min_size=1, max_size=8),
    total=st.integers(min_value=10, max_value=240),
    data=st.data(),
)
def test_rebalance_always_sums_to_the_session_and_keeps_the_edit(minutes: list[int], total: int, data: Any) -> None:
    edited = data.draw(st.sampled_from([None, *range(len(minutes))]))
    result = rebalance(minutes, total, edited)
    assert sum(result) == total and min(result) >= 1 and len(result) == len(minutes)
    if edited is not None and len(minutes) > 1 and 1 <= minutes[edited] <= total - (len(minutes) - 1):
        assert result[edited] == minutes[edited]


def test_distribute_is_proportional() -> None:
    assert distribute([10, 20, 10], 40) == [10, 20, 10]
    assert distribute([1, 1], 45) == [23, 22]
    with pytest.raises(ValueError):
        distribute([1, 1, 1], 2)


def test_progress_points_count_items_as_they_stood_on_each_session_date() -> None:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

    def item(created: str, due: str | None = None, done: str | None = None) -> ActionItemPublic:
        return ActionItemPublic(
            id=created,
            mentorship_id="m",
            session_id=None,
            text="x",
            due=dt.date.fromisoformat(due) if due else None,
            done=done is not None,
            done_at=dt.datetime.fromisoformat(done).replace(tzinfo=dt.UTC) if done else None,
            created_at=dt.datetime.fromisoformat(created).replace(tzinfo=dt.UTC),
        )

    def session(number: int, day: str) -> SessionPublic:
        return SessionPublic(
            id=str(number),
            mentorship_id="m",
            number=number,
            date=dt.date.fromisoformat(day),
            agenda=None,
            icebreakers_asked=[],
            notes=[],
            action_items=[],
            created_at=now,
        )

    items = [
        item("2026-01-01", due="2026-01-10", done="2026-01-20"),
        item("2026-01-15"),
        item("2026-01-02", "2026-01-05"),
    ]
    points = progress_points([session(1, "2026-01-01"), session(2, "2026-01-15")], items, dt.date(2026, 2, 1))
    assert [(p.label, p.done, p.open, p.overdue) for p in points] == [
        ("Session 1", 0, 1, 0),
        ("Session 2", 0, 1, 2),
        ("Today", 1, 1, 1),
    ]


def test_notes_are_stored_before_the_summary_and_an_empty_form_is_refused(client: TestClient, people: dict) -> None:
    mentorship_id = people["mentorship"].id
    memory = client.app.state.companion.memory
    from companion.memory.schemas import SessionCreate

    session = memory.add_session("acme", mentorship_id, SessionCreate.model_validate({"date": "2026-11-01"}))
    login(client, people["mentor"])
    notes_url = f"/mentorships/{mentorship_id}/sessions/{session.id}/notes"
    empty = client.post(notes_url, data={"note_text": ["", " "]}, headers={"Accept": "text/event-stream"})
    assert empty.status_code == 422 and "Write at least one note first" in empty.text

    stream = client.post(
        notes_url,
        data={"note_text": ["Action: Priya to book two practice pitches."], "note_visibility": ["shared"]},
        headers={"Accept": "text/event-stream"},
    )
    assert stream.status_code == 200 and "Saved 1 note" in stream.text and "event: result" in stream.text
    stored = memory.get_session("acme", mentorship_id, session.id, include_private_notes=True)
    assert [n.text for n in stored.notes] == ["Action: Priya to book two practice pitches."]
    assert stored.feedback is not None and "practice pitches" in " ".join(a.text for a in stored.feedback.action_items)


def test_the_prepare_page_proposes_the_next_planned_date_after_the_last_saved_session(
    client: TestClient, people: dict
) -> None:
    from companion.memory.schemas import SessionCreate
    from companion.schemas import Cadence

    mentorship_id = people["mentorship"].id
    memory = client.app.state.companion.memory
    first = dt.date.today() + dt.timedelta(days=7)
    dates = [first + dt.timedelta(days=14 * i) for i in range(3)]
    memory.save_cadence(
        "acme",
        mentorship_id,
        Cadence(frequency="every 2 weeks", session_minutes=60, meeting_day=first.strftime("%A"), sessions=dates),
    )
    login(client, people["mentor"])
    page = client.get(f"/mentorships/{mentorship_id}/prepare").text
    assert (
        f'value="{dates[0].isoformat()}"' in page
        and 'name="duration" type="number" min="10" max="240" value="60"' in page
    )
    memory.add_session("acme", mentorship_id, SessionCreate(date=dates[0]))
    page = client.get(f"/mentorships/{mentorship_id}/prepare").text
    assert f'value="{dates[1].isoformat()}"' in page and "Prepare session 2" in page
