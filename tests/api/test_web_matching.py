"""The matching pages through the real app (TestClient, real SQLite): the admin's "Match mentors and
mentees" page, accepting pairs (idempotent), a mentee's suggested mentors and their request, the stored
mentor records on the new-mentorship form, and who may see what. The browser flows are in tests/web."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_web_pages import login

PRIVATE_MARKER = "PRIVATE-MARKER-match-web-5d"
REQUEST_MARKER = "REQUEST-MARKER-match-web-a7"


@pytest.fixture
def directory(client: TestClient, keys: Callable[..., dict[str, str]]) -> dict[str, Any]:
    """Tenant acme: mentors dana (fundraising) and eli (hiring), mentees priya and sam; globex's admin."""
    headers = {
        "admin": keys("acme", "admin"),
        "platform": keys("acme", "platform"),
        "dana": keys("acme", "mentor", "dana"),
        "priya": keys("acme", "mentee", "priya"),
        "sam": keys("acme", "mentee", "sam"),
        "globex": keys("globex", "admin"),
    }

    def post(path: str, body: dict[str, Any], who: str = "admin", status: int = 201) -> Any:
        response = client.post(path, json=body, headers=headers[who])
        assert response.status_code == status, response.text
        return response.json()

    post(
        "/v1/mentors",
        {
            "person_id": "dana",
            "name": "Dana",
            "expertise": ["fundraising for B2B startups", "investor pitches"],
            "languages": ["en"],
            "capacity": 2,
        },
    )
    post("/v1/mentors", {"person_id": "eli", "name": "Eli", "expertise": ["hiring engineers"], "capacity": 1})
    post(
        "/v1/mentees",
        {"person_id": "priya", "name": "Priya", "goals": ["raise a seed round"], "challenges": ["pitching"]},
    )
    post("/v1/mentees", {"person_id": "sam", "name": "Sam", "goals": ["hire the first two engineers"]})
    # dana's notes: a shared one matching may cite, a private one that must never reach a page
    post(
        "/v1/knowledge/notes",
        {
            "notes": [
                {
                    "id": "dana-seed-round",
                    "text": "How I raised a seed round: rehearse the investor pitch and the revenue slide.",
                    "visibility": "shared",
                },
                {
                    "id": "dana-private",
                    "text": f"{PRIVATE_MARKER} seed round pitch worries about a founder.",
                    "visibility": "mentor_private",
                },
            ]
        },
        who="dana",
    )
    return {"headers": headers, "post": post}


def web_client(client: TestClient, headers: dict[str, str]) -> TestClient:
    other = TestClient(client.app, raise_server_exceptions=False, base_url=str(client.base_url))
    login(other, headers)
    return other


def active_pairs(client: TestClient) -> list[tuple[str, str]]:
    memory = client.app.state.companion.memory
    return sorted(
        (m.mentee.person_id, m.mentor.person_id) for m in memory.list_mentorships("acme") if m.status == "active"
    )


def test_the_admin_picks_a_mentee_and_sees_ranked_mentors_with_reasons(client: TestClient, directory: dict) -> None:
    login(client, directory["headers"]["admin"])
    page = client.get("/matches", params={"mentee": "priya"})
    assert page.status_code == 200, page.text
    ranked = re.findall(r"<h4>(\w+) <small>", page.text)
    assert ranked[0] == "Dana" and set(ranked) == {"Dana", "Eli"}, ranked
    assert "fundraising for B2B startups" in page.text or "investor pitches" in page.text
    assert "places free" in page.text and "expertise" in page.text and "capacity" in page.text
    assert 'name="pair" value="priya dana"' in page.text
    assert PRIVATE_MARKER not in page.text
    assert '<label for="mentee">Mentee</label>' in page.text


def test_cohort_accept_creates_the_mentorships_once(client: TestClient, directory: dict) -> None:
    login(client, directory["headers"]["admin"])
    cohort = client.post("/matches/cohort", data={"mentee_id": ["priya", "sam"], "mentor_id": ["dana", "eli"]})
    assert cohort.status_code == 200, cohort.text
    pairs = sorted(re.findall(r'name="pair" value="(\S+ \S+)" checked', cohort.text))
    assert pairs == ["priya dana", "sam eli"], pairs
    assert "Total fit" in cohort.text and PRIVATE_MARKER not in cohort.text

    accepted = client.post("/matches/accept", data={"pair": pairs}, follow_redirects=False)
    assert accepted.status_code == 303 and "accepted=2&existing=0" in accepted.headers["location"]
    assert active_pairs(client) == [("priya", "dana"), ("sam", "eli")]
    again = client.post("/matches/accept", data={"pair": pairs}, follow_redirects=False)
    assert again.status_code == 303 and "accepted=0&existing=2" in again.headers["location"]
    assert active_pairs(client) == [("priya", "dana"), ("sam", "eli")], "a double submit starts nothing twice"
    shown = client.get(again.headers["location"])
    assert "Started 0 mentorships" in shown.text and "2 pairs already had one" in shown.text

    memory = client.app.state.companion.memory
    started = next(m for m in memory.list_mentorships("acme") if m.mentee.person_id == "priya")
    assert started.goals == ["raise a seed round"] and started.mentor.expertise[0] == "fundraising for B2B startups"


def test_a_cohort_reports_who_could_not_be_matched(client: TestClient, directory: dict) -> None:
    login(client, directory["headers"]["admin"])
    cohort = client.post("/matches/cohort", data={"mentee_id": ["priya", "sam"], "mentor_id": ["eli"]})
    assert cohort.status_code == 200
    assert "Not matched" in cohort.text and "1 free places for 2 mentees" in cohort.text


def test_accepting_over_a_mentors_capacity_starts_nothing(client: TestClient, directory: dict) -> None:
    headers = directory["headers"]["admin"]
    response = client.post(
        "/v1/matches/accept",
        json={"pairs": [{"mentee_id": "priya", "mentor_id": "eli"}, {"mentee_id": "sam", "mentor_id": "eli"}]},
        headers=headers,
    )
    assert response.status_code == 422 and "1 free place" in response.json()["detail"]
    assert active_pairs(client) == []
    one = client.post("/v1/matches/accept", json={"pairs": [{"mentee_id": "sam", "mentor_id": "eli"}]}, headers=headers)
    assert one.status_code == 200 and one.json()["accepted"][0]["created"] is True
    repeat = client.post(
        "/v1/matches/accept", json={"pairs": [{"mentee_id": "sam", "mentor_id": "eli"}]}, headers=headers
    )
    assert repeat.status_code == 200
    assert repeat.json()["accepted"][0]["created"] is False
    assert repeat.json()["accepted"][0]["mentorship"]["id"] == one.json()["accepted"][0]["mentorship"]["id"]


def test_only_managers_of_the_tenant_reach_the_match_page_and_accept(client: TestClient, directory: dict) -> None:
    headers = directory["headers"]
    for who in ("dana", "priya"):
        pages = web_client(client, headers[who])
        assert pages.get("/matches").status_code == 403, who
        assert pages.post("/matches/accept", data={"pair": ["priya dana"]}).status_code == 403, who
        assert pages.post("/matches/cohort", data={"mentee_id": ["priya"], "mentor_id": ["dana"]}).status_code == 403
        api = client.post(
            "/v1/matches/accept", json={"pairs": [{"mentee_id": "priya", "mentor_id": "dana"}]}, headers=headers[who]
        )
        assert api.status_code == 403, who
    assert active_pairs(client) == []
    globex = web_client(client, headers["globex"])
    page = globex.get("/matches", params={"mentee": "priya"})
    assert page.status_code == 404 and "Priya" not in page.text and "Dana" not in page.text
    assert globex.post("/matches/accept", data={"pair": ["priya dana"]}).status_code == 404
    assert "Priya" not in globex.get("/matches").text
    assert active_pairs(client) == []
    platform = web_client(client, headers["platform"])
    assert platform.get("/matches").status_code == 200


def test_a_mentee_sees_their_suggestions_asks_for_one_and_only_sees_their_own_request(
    client: TestClient, directory: dict
) -> None:
    headers = directory["headers"]
    priya = web_client(client, headers["priya"])
    page = priya.get("/suggested-mentors")
    assert page.status_code == 200 and "Mentors suggested for you" in page.text
    assert "Ask for Dana as my mentor" in page.text and PRIVATE_MARKER not in page.text
    asked = priya.post(
        "/suggested-mentors/request",
        data={"mentor_id": "dana", "message": f"{REQUEST_MARKER} she raised a seed round"},
        follow_redirects=False,
    )
    assert asked.status_code == 303
    page = priya.get(asked.headers["location"])
    assert "You have asked for Dana" in page.text and "waiting for an admin" in page.text
    again = priya.post("/suggested-mentors/request", data={"mentor_id": "dana"}, follow_redirects=False)
    assert again.status_code == 303
    assert len(client.get("/v1/matches/requests", headers=headers["admin"]).json()) == 1, "asked twice: one request"
    priya.post("/suggested-mentors/request", data={"mentor_id": "dana", "message": REQUEST_MARKER})

    sam = web_client(client, headers["sam"])
    sam_page = sam.get("/suggested-mentors")
    assert sam_page.status_code == 200 and REQUEST_MARKER not in sam_page.text
    assert "You have not asked for a mentor yet" in sam_page.text
    assert client.get("/v1/matches/requests", headers=headers["sam"]).json() == []
    assert client.get("/v1/matches/requests", headers=headers["dana"]).status_code == 403
    assert client.get("/v1/matches/requests", headers=headers["globex"]).json() == []
    dana = web_client(client, headers["dana"])
    assert dana.get("/suggested-mentors").status_code == 403
    assert REQUEST_MARKER not in dana.get("/").text
    globex = web_client(client, headers["globex"])
    assert REQUEST_MARKER not in globex.get("/matches").text

    admin = web_client(client, headers["admin"])
    match_page = admin.get("/matches")
    assert REQUEST_MARKER in match_page.text and "Priya asks for Dana" in match_page.text
    accepted = admin.post("/matches/accept", data={"pair": ["priya dana"]}, follow_redirects=False)
    assert accepted.status_code == 303 and active_pairs(client) == [("priya", "dana")]
    assert "No open requests" in admin.get("/matches").text
    assert "your mentorship" in priya.get("/suggested-mentors").text


def test_a_mentee_cannot_ask_for_a_mentor_of_another_tenant_or_as_someone_else(
    client: TestClient, directory: dict
) -> None:
    headers = directory["headers"]
    directory["post"]("/v1/mentors", {"person_id": "zoe", "name": "Zoe"}, who="globex")
    priya = web_client(client, headers["priya"])
    assert priya.post("/suggested-mentors/request", data={"mentor_id": "zoe"}).status_code == 404
    admin = web_client(client, headers["admin"])
    assert admin.post("/suggested-mentors/request", data={"mentor_id": "dana"}).status_code == 403
    assert client.get("/v1/matches/requests", headers=headers["admin"]).json() == []


def test_the_new_mentorship_form_offers_stored_mentor_records_and_keeps_free_text(
    client: TestClient, directory: dict
) -> None:
    admin = web_client(client, directory["headers"]["admin"])
    form = admin.get("/mentorships/new")
    assert '<label for="mentor_record">Stored mentor record</label>' in form.text
    assert '<option value="dana">Dana (dana)' in form.text
    made = admin.post(
        "/mentorships/new",
        data={"mentor_record": "dana", "mentor_person_id": "", "mentee_name": "Kim", "mentee_person_id": "kim"},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    typed = admin.post(
        "/mentorships/new",
        data={"mentor_person_id": "lou", "mentor_name": "Lou", "mentee_name": "Ana", "mentee_person_id": "ana"},
        follow_redirects=False,
    )
    assert typed.status_code == 303, typed.text
    memory = client.app.state.companion.memory
    mentors = {m.mentee.person_id: m.mentor for m in memory.list_mentorships("acme")}
    assert mentors["kim"].name == "Dana" and mentors["kim"].expertise[0] == "fundraising for B2B startups"
    assert mentors["ana"].person_id == "lou" and mentors["ana"].name == "Lou"
    dana = web_client(client, directory["headers"]["dana"])
    assert 'id="mentor_record"' not in dana.get("/mentorships/new").text, "a mentor starts mentorships as themself"
