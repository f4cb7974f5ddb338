"""Issue 14, "no data slips": what the pages show is what was saved, confirmed or changed (TestClient).

Saved notes keep their line breaks; the mentee's reflection prompts survive ticking an item; the mentor's
items read as owed to the mentee on the mentee's page (the stored text untouched); a moved check-in moves
the decision's text and a recorded one drops the "due" badge; impossible minutes are refused in words;
sessions are numbered 1..n in the order held; an empty mentorship says what to do instead of an empty chart;
"next session" is never one already held; the exported summary follows the confirmed action items.
The browser side of these flows is in tests/web/test_slips_browser.py.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from typing import Any

from fastapi.testclient import TestClient

from companion.memory.schemas import NoteCreate, SessionCreate
from companion.schemas import ActionItem, Cadence
from tests.api.test_web_pages import hidden, login, plan_form

TODAY = dt.date.today()


def text_of(page: str) -> str:
    """The page's words, tags dropped, entities read."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_saved_notes_keep_their_line_breaks_on_every_page(client: TestClient, people: dict) -> None:
    mentorship_id = people["mentorship"].id
    memory = client.app.state.companion.memory
    session = memory.add_session(
        "acme",
        mentorship_id,
        SessionCreate(
            date=TODAY - dt.timedelta(days=1),
            notes=[NoteCreate(text="Pitch went well.\nNext: rehearse the Q&A.\n\nAsk about <hiring>.")],
        ),
    )
    login(client, people["mentor"])
    page = client.get(f"/mentorships/{mentorship_id}/sessions/{session.id}").text
    assert "Pitch went well.<br>\nNext: rehearse the Q&amp;A.<br>\n<br>\nAsk about &lt;hiring&gt;." in page
    login(client, people["mentee"])
    page = client.get(f"/mentorships/{mentorship_id}").text
    assert "Pitch went well.<br>\nNext: rehearse the Q&amp;A." in page, "the mentee's shared notes too"


def test_reflection_prompts_stay_with_the_session_after_an_item_is_ticked(client: TestClient, people: dict) -> None:
    mentorship_id = people["mentorship"].id
    memory = client.app.state.companion.memory
    session = memory.add_session(
        "acme",
        mentorship_id,
        SessionCreate(
            date=TODAY - dt.timedelta(days=1),
            notes=[NoteCreate(text="Priya pitched to two angels and handled the questions well.")],
            action_items=[ActionItem(text="Rehearse the pitch twice", owner="mentee")],
        ),
    )
    item = memory.get_session("acme", mentorship_id, session.id).action_items[0]

    # a mentor previewing the mentee's page gets prompts, but they are not kept as the mentee's
    login(client, people["mentor"])
    assert client.post(f"/mentorships/{mentorship_id}/reflection").status_code == 200
    assert memory.get_reflection("acme", mentorship_id, session.id) is None

    login(client, people["mentee"])
    made = client.post(f"/mentorships/{mentorship_id}/reflection").text
    prompts = [html.unescape(p) for p in re.findall(r'<ol class="reflection">\s*<li><p>([^<]+)</p>', made)]
    assert prompts, "the prompts are on the page"
    kept = memory.get_reflection("acme", mentorship_id, session.id)
    assert kept is not None and kept.prompts[0].text == prompts[0]

    ticked = client.post(
        f"/mentorships/{mentorship_id}/action-items/{item.id}",
        data={"done": "1", "back": f"/mentorships/{mentorship_id}"},
    )
    assert ticked.status_code == 200 and "Reopen: Rehearse the pitch twice" in ticked.text
    assert 'class="reflection"' in ticked.text and prompts[0] in html.unescape(ticked.text), "still there"

    # the mentor's preview shows what the mentee has, and the next session starts without prompts
    login(client, people["mentor"])
    assert prompts[0] in html.unescape(client.get(f"/mentorships/{mentorship_id}/mentee").text)
    memory.add_session("acme", mentorship_id, SessionCreate(date=TODAY, notes=[NoteCreate(text="Hiring plan.")]))
    login(client, people["mentee"])
    assert 'class="reflection"' not in client.get(f"/mentorships/{mentorship_id}").text


def test_the_mentors_items_read_as_owed_to_the_mentee_and_stay_stored_as_written(
    client: TestClient, people: dict
) -> None:
    mentorship_id = people["mentorship"].id
    memory = client.app.state.companion.memory
    session = memory.add_session(
        "acme",
        mentorship_id,
        SessionCreate(
            date=TODAY - dt.timedelta(days=1),
            action_items=[
                ActionItem(text="Send her the fundraising chapter", owner="mentor", due=TODAY + dt.timedelta(days=3)),
                ActionItem(text="Dana to introduce Priya to two angels", owner="Dana"),
                ActionItem(text="Book the demo room", owner=None),
            ],
        ),
    )
    login(client, people["mentee"])
    words = text_of(client.get(f"/mentorships/{mentorship_id}").text)
    assert "What your mentor will do for you" in words
    assert "Your mentor: send you the fundraising chapter due" in words
    assert "Your mentor: introduce you to two angels" in words
    assert "Send her" not in words and "Priya to two angels" not in words
    assert "Other action items Book the demo room" in words, "an item nobody owns is not the mentor's"

    stored = {i.text for i in memory.get_session("acme", mentorship_id, session.id).action_items}
    assert "Send her the fundraising chapter" in stored, "the stored text is the mentor's, unchanged"
    login(client, people["mentor"])
    assert "Send her the fundraising chapter" in client.get(f"/mentorships/{mentorship_id}").text


def framework_for(client: TestClient, mentorship_id: str) -> dict[str, Any]:
    page = client.post(
        f"/mentorships/{mentorship_id}/decisions",
        data={"statement": "Should Priya leave her job to start the company?", "options": "Quit now\nStay a year"},
    ).text
    return json.loads(hidden(page, "framework_json"))


def test_a_moved_check_in_moves_the_decisions_text_and_a_recorded_one_is_not_due(
    client: TestClient, people: dict
) -> None:
    mentorship_id = people["mentorship"].id
    login(client, people["mentor"])
    framework = framework_for(client, mentorship_id)
    old = framework["check_in_date"]
    assert old and old in json.dumps(framework), "the generated text names its check-in date"
    moved = (TODAY - dt.timedelta(days=2)).isoformat()
    saved = client.post(
        f"/mentorships/{mentorship_id}/decisions/save",
        data={"framework_json": json.dumps(framework), "check_in_date": moved},
        follow_redirects=False,
    )
    decision_url = saved.headers["location"]
    page = client.get(decision_url).text
    assert old not in page, "no step still says the old check-in date"
    assert f"review it on {moved}" in html.unescape(page) and "Check-in due since" in page
    for url in (f"/mentorships/{mentorship_id}", f"/mentorships/{mentorship_id}/decisions"):
        assert '<span class="badge overdue">due</span>' in client.get(url).text, url

    client.post(f"{decision_url}/check-in", data={"outcome": "Stayed.\nTrying weekends for a quarter."})
    page = client.get(decision_url).text
    assert "Stayed.<br>\nTrying weekends for a quarter." in page, "the outcome keeps its line breaks"
    for url in (f"/mentorships/{mentorship_id}", f"/mentorships/{mentorship_id}/decisions"):
        listing = client.get(url).text
        assert '<span class="badge overdue">due</span>' not in listing and "checked in " in listing, url


def test_impossible_minutes_and_bad_input_are_refused_in_words(client: TestClient, people: dict) -> None:
    mentorship_id = people["mentorship"].id
    login(client, people["mentor"])
    memory = client.app.state.companion.memory
    page = client.post(f"/mentorships/{mentorship_id}/prepare", data={"date": "2026-12-01", "duration": "45"}).text
    form = plan_form(page)
    count = len(form["minutes"])
    for value, said in (("0", "0 is not allowed"), ("", "enter a whole number"), ("45", "45 is not allowed")):
        response = client.post(
            f"/mentorships/{mentorship_id}/prepare/save", data={**form, "minutes": [value, *form["minutes"][1:]]}
        )
        assert response.status_code == 422, value
        words = text_of(response.text)
        assert said in words and f"must be between 1 and {45 - (count - 1)}" in words, words[-700:]
    assert memory.list_sessions("acme", mentorship_id) == [], "nothing was saved, and 0 never became 1"

    zero = client.post(f"/mentorships/{mentorship_id}/prepare", data={"date": "2026-12-01", "duration": "0"})
    assert zero.status_code == 422 and "0 is not allowed; it must be between 10 and 240" in zero.text

    new = client.post(
        "/mentorships/new", data={"mentee_name": "N" * 101, "mentee_person_id": "", "mentor_person_id": "dana"}
    )
    words = text_of(new.text)
    assert new.status_code == 422 and "must be at most 100 characters" in words and "must not be empty" in words
    assert "String should" not in words and "Value error" not in words


def test_sessions_are_numbered_in_the_order_held(client: TestClient, people: dict) -> None:
    mentorship_id = people["mentorship"].id
    memory = client.app.state.companion.memory
    for days in (28, 14, 0):
        memory.add_session("acme", mentorship_id, SessionCreate(date=TODAY - dt.timedelta(days=days)))
    login(client, people["mentor"])
    page = client.get(f"/mentorships/{mentorship_id}").text
    listed = re.search(r'<ol class="sessions">(.*?)</ol>', page, re.S)
    assert listed
    shown = re.findall(r'<li value="(\d+)"><a [^>]*>Session (\d+) ', listed.group(1))
    assert shown == [("1", "1"), ("2", "2"), ("3", "3")], "1..n from the first session held, marker = number"


def test_an_empty_mentorship_says_what_to_do_instead_of_an_empty_chart(client: TestClient, people: dict) -> None:
    mentorship_id = people["mentorship"].id
    login(client, people["mentor"])
    page = client.get(f"/mentorships/{mentorship_id}").text
    assert '<svg class="chart"' not in page
    assert "No action items yet, so there is nothing to chart. Hold session 1" in page
    progress = client.get(f"/mentorships/{mentorship_id}/goal-progress").text
    assert "goal-chart" not in progress and "No ratings yet, so there is nothing to chart" in progress
    login(client, people["mentee"])
    page = client.get(f"/mentorships/{mentorship_id}").text
    assert '<svg class="chart"' not in page and "Once your mentor saves the action items" in page


def test_next_session_is_never_one_already_held(client: TestClient, people: dict) -> None:
    mentorship_id = people["mentorship"].id
    memory = client.app.state.companion.memory
    later = TODAY + dt.timedelta(days=14)
    memory.save_cadence(
        "acme",
        mentorship_id,
        Cadence(
            frequency="every 2 weeks", session_minutes=45, meeting_day=TODAY.strftime("%A"), sessions=[TODAY, later]
        ),
    )
    login(client, people["mentor"])
    assert f"<td>{TODAY.isoformat()}</td>" in client.get("/").text, "today's session is still to hold"
    # held today: its notes are written
    memory.add_session("acme", mentorship_id, SessionCreate(date=TODAY, notes=[NoteCreate(text="Went well.")]))
    home = client.get("/").text
    assert f"<td>{later.isoformat()}</td>" in home and f"<td>{TODAY.isoformat()}</td>" not in home
    assert f"Next session: <strong>{later.isoformat()}</strong>" in client.get(f"/mentorships/{mentorship_id}").text


def test_the_exported_summary_follows_the_confirmed_action_items(client: TestClient, people: dict) -> None:
    mentorship_id = people["mentorship"].id
    memory = client.app.state.companion.memory
    session = memory.add_session("acme", mentorship_id, SessionCreate(date=TODAY - dt.timedelta(days=1)))
    login(client, people["mentor"])
    notes = (
        "Priya pitched well.\n"
        "Action: Priya to send the revised deck to Sam by Friday.\n"
        "Action: Priya to book two practice pitches.\n"
        "Action: update the cap table."
    )
    after = client.post(
        f"/mentorships/{mentorship_id}/sessions/{session.id}/notes",
        data={"note_text": [notes], "note_visibility": ["shared"]},
    ).text
    proposed = [html.unescape(t) for t in re.findall(r'name="item_text" value="([^"]*)"', after)]
    deck = next(i for i, t in enumerate(proposed) if "revised deck" in t)
    rejected = next(t for t in proposed if "cap table" in t)
    due = (TODAY + dt.timedelta(days=9)).isoformat()
    dues = ["" for _ in proposed]
    dues[deck] = due
    owners = ["mentee" for _ in proposed]
    keep = [str(i) for i, t in enumerate(proposed) if t != rejected]
    saved = client.post(
        f"/mentorships/{mentorship_id}/sessions/{session.id}/action-items",
        data={"item_keep": keep, "item_text": proposed, "item_owner": owners, "item_due": dues},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    base = f"/mentorships/{mentorship_id}/sessions/{session.id}/feedback"
    for body in (client.get(f"{base}.md").text, text_of(client.get(f"{base}/print").text)):
        assert rejected not in body and "cap table" not in body.lower(), "the item the mentor left out"
        assert due in body, "the due date the mentor set"
        assert "To confirm" not in body and "needs an owner" not in body
    stored = memory.get_session("acme", mentorship_id, session.id, include_private_notes=True).feedback
    assert stored is not None and "cap table" in stored.model_dump_json().lower(), (
        "the stored summary is as generated; only the export follows the confirmation"
    )
