"""Issue 14, "invite the mentee from the web": a one-time sign-in link the mentor makes for their mentee.

The mentor presses "Invite Priya" on the mentorship page and is shown the link once; opening it shows who it
signs in (and uses nothing up: link previewers only GET); the form button makes the mentee's own key, sets
the login cookie and lands on the mentee's page, where only shared notes show. The link works once, expires,
is replaced by a newer one, is kept only as a hash, never reaches the log, and only the mentor side makes one.
The browser side is tests/web/test_invite_browser.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.observability import JsonFormatter
from companion.memory.models import ApiKey, MenteeInvite
from companion.memory.repository import utc_now
from companion.memory.schemas import MentorshipCreate, NoteCreate, SessionCreate
from tests.api.privacy_support import origin, readable_text

TODAY = dt.date.today()
SHARED = "SHARED-NOTE-priya-drafts-the-investor-list"
PRIVATE = "PRIVATE-NOTE-priya-seems-close-to-burning-out"
LINK = re.compile(r"https?://[^\s<\"]+/invite/(mi_[A-Za-z0-9_-]{43})")


@pytest.fixture
def people(client: TestClient, keys: Callable[..., dict[str, str]]) -> dict[str, Any]:
    """Tenant acme: Dana mentors Priya, with a private and a shared note; Eli mentors Sam; globex's Lee."""
    memory = client.app.state.companion.memory
    mentorship = memory.create_mentorship(
        "acme",
        MentorshipCreate.model_validate(
            {
                "mentor": {"person_id": "dana", "name": "Dana"},
                "mentee": {"person_id": "priya", "name": "Priya Shah"},
                "goals": ["Raise a seed round by June"],
            }
        ),
    )
    memory.add_session(
        "acme",
        mentorship.id,
        SessionCreate(
            date=TODAY - dt.timedelta(days=2),
            notes=[NoteCreate(text=PRIVATE, visibility="mentor_private"), NoteCreate(text=SHARED)],
        ),
    )
    return {
        "mentorship": mentorship,
        "admin": keys("acme", "admin"),
        "platform": keys("acme", "platform"),
        "mentor": keys("acme", "mentor", "dana"),
        "mentee": keys("acme", "mentee", "priya"),
        "colleague": keys("acme", "mentor", "eli"),
        "stranger": keys("globex", "mentor", "lee"),
    }


def browser(client: TestClient, headers: dict[str, str] | None = None) -> TestClient:
    """A browser of its own (its own cookie jar), logged in with `headers`' key when given."""
    fresh = TestClient(client.app, raise_server_exceptions=False, base_url=str(client.base_url))
    if headers is not None:
        key = headers["Authorization"].removeprefix("Bearer ")
        response = fresh.post("/login", data={"key": key, "next": "/"}, headers={"Origin": origin(fresh)})
        assert response.status_code == 200, response.text  # followed to the home page
    return fresh


def post(client: TestClient, path: str, **kwargs: Any) -> Any:
    """A form post as a browser on this site sends it (with its Origin)."""
    return client.post(path, headers={"Origin": origin(client)}, follow_redirects=False, **kwargs)


def invite(client: TestClient, mentorship_id: str) -> tuple[str, str]:
    """Press "Invite" as `client`: (the token of the link shown, the page's text)."""
    response = post(client, f"/mentorships/{mentorship_id}/invite")
    assert response.status_code == 200, response.text
    found = LINK.findall(response.text)
    assert len(found) == 1, response.text
    return found[0], readable_text(response)


def rows(client: TestClient, model: Any) -> list[Any]:
    with client.app.state.companion.database.read() as session:
        return list(session.scalars(select(model)).all())


def mentee_keys(client: TestClient) -> list[Any]:
    return [row for row in rows(client, ApiKey) if row.role == "mentee" and row.person_id == "priya"]


def test_the_mentor_invites_and_the_mentee_signs_in_once_seeing_only_shared_notes(
    client: TestClient, people: dict[str, Any]
) -> None:
    mentorship_id = people["mentorship"].id
    dana = browser(client, people["mentor"])
    page = dana.get(f"/mentorships/{mentorship_id}")
    assert page.status_code == 200 and "Invite Priya Shah" in page.text
    assert not LINK.search(page.text), "no link before one is asked for"

    token, words = invite(dana, mentorship_id)
    expires = (utc_now() + dt.timedelta(days=7)).date()
    assert "it is shown only this once" in words and "It works once" in words
    assert f"expires on {expires.day} {expires:%B %Y}" in words
    assert "Copy" in words
    assert token not in dana.get(f"/mentorships/{mentorship_id}").text, "the link is shown once, not again"

    # Opening the link (as a link previewer would) shows who it signs in and uses nothing up.
    priya = browser(client)
    before = len(mentee_keys(client))
    for _ in range(2):
        confirm = priya.get(f"/invite/{token}")
        assert confirm.status_code == 200 and "Sign in as Priya" in confirm.text
        assert f'action="/invite/{token}"' in confirm.text and 'method="post"' in confirm.text
    assert "<h1>Sign in as Priya</h1>" in confirm.text, "by first name"
    assert len(mentee_keys(client)) == before and "companion_key" not in priya.cookies

    signed_in = post(priya, f"/invite/{token}")
    assert signed_in.status_code == 303 and signed_in.headers["location"] == f"/mentorships/{mentorship_id}"
    cookie = signed_in.headers["set-cookie"].lower()
    assert cookie.startswith("companion_key=mc_") and "httponly" in cookie and "samesite=strict" in cookie
    made = mentee_keys(client)
    assert len(made) == before + 1
    key = next(row for row in made if row.name == "web invite")
    assert (key.tenant, key.role, key.person_id, key.revoked_at) == ("acme", "mentee", "priya", None)

    mentee_page = priya.get(f"/mentorships/{mentorship_id}")
    assert mentee_page.status_code == 200
    assert SHARED in mentee_page.text and PRIVATE not in mentee_page.text
    assert "Invite Priya" not in mentee_page.text

    # Once: a second use is refused in words, from any browser, and makes nothing.
    again = browser(client)
    for response in (post(again, f"/invite/{token}"), again.get(f"/invite/{token}")):
        assert response.status_code == 410, response.text
        assert "has been used or has expired" in readable_text(response)
        assert "set-cookie" not in response.headers
    assert len(mentee_keys(client)) == before + 1
    (stored,) = rows(client, MenteeInvite)
    assert stored.used_at is not None and stored.key_id == key.id


def test_the_private_note_really_is_there_for_the_mentor(client: TestClient, people: dict[str, Any]) -> None:
    """The positive control for the test above: the private note's text is on the mentor's session page."""
    mentorship_id = people["mentorship"].id
    memory = client.app.state.companion.memory
    (session,) = memory.list_sessions("acme", mentorship_id)
    page = browser(client, people["mentor"]).get(f"/mentorships/{mentorship_id}/sessions/{session.id}")
    assert PRIVATE in page.text and SHARED in page.text


def test_only_a_hash_of_the_token_is_stored(client: TestClient, people: dict[str, Any]) -> None:
    token, _ = invite(browser(client, people["mentor"]), people["mentorship"].id)
    (stored,) = rows(client, MenteeInvite)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert (stored.tenant, stored.mentorship_id, stored.mentee_person_id) == ("acme", people["mentorship"].id, "priya")
    assert stored.created_by == "dana"
    assert stored.expires_at - stored.created_at == dt.timedelta(days=7)
    assert len(token) >= 3 + 43, "at least 256 bits of randomness after the scheme"
    with client.app.state.companion.database.engine.connect() as connection:
        table = connection.exec_driver_sql("SELECT * FROM mentee_invites").all()
    assert table and token not in json.dumps([list(map(str, row)) for row in table])
    assert token[3:] not in json.dumps([list(map(str, row)) for row in table])


def test_an_expired_link_is_refused_and_makes_nothing(client: TestClient, people: dict[str, Any]) -> None:
    token, _ = invite(browser(client, people["mentor"]), people["mentorship"].id)
    keys = client.app.state.companion.keys
    before = len(mentee_keys(client))
    keys.clock = lambda: utc_now() + dt.timedelta(days=7, minutes=1)
    try:
        priya = browser(client)
        assert priya.get(f"/invite/{token}").status_code == 410
        refused = post(priya, f"/invite/{token}")
        assert refused.status_code == 410 and "has been used or has expired" in readable_text(refused)
        assert "set-cookie" not in refused.headers
    finally:
        keys.clock = utc_now
    assert len(mentee_keys(client)) == before
    assert rows(client, MenteeInvite)[0].used_at is None


def test_unknown_and_malformed_tokens_get_the_same_words(client: TestClient, people: dict[str, Any]) -> None:
    someone = browser(client)
    for token in ("mi_" + "A" * 43, "nonsense", "mi_short"):
        for response in (someone.get(f"/invite/{token}"), post(someone, f"/invite/{token}")):
            assert response.status_code == 410
            assert "has been used or has expired" in readable_text(response)
    assert not mentee_keys(client) or all(row.name != "web invite" for row in mentee_keys(client))


def test_a_new_invite_revokes_the_unused_old_one(client: TestClient, people: dict[str, Any]) -> None:
    dana = browser(client, people["mentor"])
    old, _ = invite(dana, people["mentorship"].id)
    new, words = invite(dana, people["mentorship"].id)
    assert old != new and "earlier unused link for Priya no longer works" in words
    priya = browser(client)
    assert priya.get(f"/invite/{old}").status_code == 410
    assert post(priya, f"/invite/{old}").status_code == 410
    assert "companion_key" not in priya.cookies
    assert post(priya, f"/invite/{new}").status_code == 303
    assert priya.get(f"/mentorships/{people['mentorship'].id}").status_code == 200


def test_the_admin_and_the_platform_may_invite(client: TestClient, people: dict[str, Any]) -> None:
    for who in ("admin", "platform"):
        token, _ = invite(browser(client, people[who]), people["mentorship"].id)
        assert browser(client).get(f"/invite/{token}").status_code == 200, who


def test_the_mentee_and_strangers_cannot_invite(client: TestClient, people: dict[str, Any]) -> None:
    mentorship_id = people["mentorship"].id
    priya = browser(client, people["mentee"])
    assert "Invite Priya" not in priya.get(f"/mentorships/{mentorship_id}").text
    refused = post(priya, f"/mentorships/{mentorship_id}/invite")
    assert refused.status_code == 403 and "cannot invite the mentee" in readable_text(refused)
    assert not LINK.search(refused.text)
    for who in ("colleague", "stranger"):
        outsider = browser(client, people[who])
        foreign = post(outsider, f"/mentorships/{mentorship_id}/invite")
        missing = post(outsider, "/mentorships/00000000-0000-0000-0000-000000000000/invite")
        assert foreign.status_code == missing.status_code == 404, who
        assert foreign.text.replace(mentorship_id, "<id>") == missing.text.replace(
            "00000000-0000-0000-0000-000000000000", "<id>"
        ), who
        assert "Priya" not in foreign.text and not LINK.search(foreign.text)
    assert rows(client, MenteeInvite) == []


def test_a_link_posted_from_another_site_is_refused_and_still_works(client: TestClient, people: dict[str, Any]) -> None:
    token, _ = invite(browser(client, people["mentor"]), people["mentorship"].id)
    priya = browser(client)
    cross = priya.post(f"/invite/{token}", headers={"Origin": "https://evil.example"}, follow_redirects=False)
    assert cross.status_code == 403 and "another site" in cross.text and "set-cookie" not in cross.headers
    assert rows(client, MenteeInvite)[0].used_at is None
    assert post(priya, f"/invite/{token}").status_code == 303


def test_the_local_operator_is_told_to_make_a_key_first(client: TestClient) -> None:
    """Local mode (no key yet): the mentee's key would end it and lock the operator out, so no invite."""
    mentorship = client.app.state.companion.memory.create_mentorship(
        "local",
        MentorshipCreate.model_validate(
            {"mentor": {"person_id": "me", "name": "Me"}, "mentee": {"person_id": "ana", "name": "Ana"}}
        ),
    )
    assert "Invite Ana" not in client.get(f"/mentorships/{mentorship.id}").text
    refused = post(client, f"/mentorships/{mentorship.id}/invite")
    assert refused.status_code == 403 and "create an admin key first" in readable_text(refused)
    assert rows(client, MenteeInvite) == [] and rows(client, ApiKey) == []


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the app logs, as the JSON lines the real handler writes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(name) for name in ("companion", "companion.api", "uvicorn", "uvicorn.access")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield stream
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_the_log_never_holds_the_token_or_the_key(
    client: TestClient, people: dict[str, Any], log_lines: io.StringIO
) -> None:
    dana = browser(client, people["mentor"])
    token, _ = invite(dana, people["mentorship"].id)
    priya = browser(client)
    priya.get(f"/invite/{token}")
    signed_in = post(priya, f"/invite/{token}")
    post(priya, f"/invite/{token}")  # refused: logged too
    key = signed_in.cookies.get("companion_key") or priya.cookies["companion_key"]
    text = log_lines.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    requests = [line for line in lines if line["message"] == "request" and "invite" in line.get("route", "")]
    assert {line["route"] for line in requests} >= {"/invite/{token}", "/mentorships/{mentorship_id}/invite"}
    assert sorted(line["status"] for line in requests if line["route"] == "/invite/{token}") == [200, 303, 410]
    assert any(line["message"] == "mentee invite used" for line in lines), "the use itself is logged, by id"
    assert token not in text and token[3:] not in text
    assert key not in text and key[3:] not in text


def test_the_policy_says_who_invites_in_one_place() -> None:
    from companion import access

    who = access.Parties(mentor_person_id="dana", mentee_person_id="priya", mentee_name="Priya")
    callers = {
        "admin": access.Caller("acme", "admin"),
        "platform": access.Caller("acme", "platform"),
        "mentor": access.Caller("acme", "mentor", "dana"),
        "mentee": access.Caller("acme", "mentee", "priya"),
        "mentee with a mentor key": access.Caller("acme", "mentor", "priya"),
        "another mentor": access.Caller("acme", "mentor", "eli"),
        "local operator": access.operator("acme"),
    }
    allowed = {name for name, caller in callers.items() if access.may_invite(caller, who)}
    assert allowed == {"admin", "platform", "mentor"}
    for name in sorted(set(callers) - allowed):
        with pytest.raises(access.Forbidden):
            access.require_inviter(callers[name], who)
