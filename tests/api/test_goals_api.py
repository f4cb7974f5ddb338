"""Goals and check-ins over HTTP: who may read, create, change and rate; ratings validated; tenancy."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.privacy_support import mentorship_body


@pytest.fixture
def pair(client: TestClient, keys) -> dict[str, Any]:
    """dana mentors priya in acme, with one held session; luis, elena and globex are strangers."""
    people = {
        "admin": keys("acme", "admin"),
        "platform": keys("acme", "platform"),
        "dana": keys("acme", "mentor", "dana"),
        "priya": keys("acme", "mentee", "priya"),
        "luis": keys("acme", "mentor", "luis"),
        "elena": keys("acme", "mentee", "elena"),
        "globex": keys("globex", "admin"),
    }
    made = client.post("/v1/mentorships", headers=people["dana"], json=mentorship_body("dana", "priya"))
    assert made.status_code == 201, made.text
    mid = made.json()["id"]
    session = client.post(f"/v1/mentorships/{mid}/sessions", headers=people["dana"], json={"date": "2027-03-01"})
    assert session.status_code == 201, session.text
    return {"h": people, "mid": mid, "sid": session.json()["id"]}


def test_a_new_mentorship_has_its_goals_as_rows(client: TestClient, pair: dict[str, Any]) -> None:
    h, mid = pair["h"], pair["mid"]
    for who in ("admin", "platform", "dana", "priya"):
        goals = client.get(f"/v1/mentorships/{mid}/goals", headers=h[who])
        assert goals.status_code == 200, (who, goals.text)
        assert [g["statement"] for g in goals.json()] == ["raise a seed round by June", "hire a first engineer"]
        assert {g["status"] for g in goals.json()} == {"active"}
    for who in ("luis", "elena", "globex"):
        assert client.get(f"/v1/mentorships/{mid}/goals", headers=h[who]).status_code == 404, who


def test_the_mentor_side_creates_and_changes_goals_and_the_mentee_may_not(
    client: TestClient, pair: dict[str, Any]
) -> None:
    h, mid = pair["h"], pair["mid"]
    url = f"/v1/mentorships/{mid}/goals"
    assert client.post(url, headers=h["priya"], json={"statement": "Speak at a meetup"}).status_code == 403
    assert client.post(url, headers=h["luis"], json={"statement": "Speak at a meetup"}).status_code == 404
    made = client.post(url, headers=h["dana"], json={"statement": "Speak at a meetup", "deadline": "2027-09-01"})
    assert made.status_code == 201, made.text
    goal = made.json()
    assert goal["source"] == "manual" and goal["deadline"] == "2027-09-01"
    again = client.post(url, headers=h["platform"], json={"statement": "speak at a  MEETUP"})
    assert again.status_code == 201 and again.json()["id"] == goal["id"]
    assert len(client.get(url, headers=h["dana"]).json()) == 3

    patch = f"{url}/{goal['id']}"
    assert client.patch(patch, headers=h["priya"], json={"status": "achieved"}).status_code == 403
    assert client.patch(patch, headers=h["globex"], json={"status": "achieved"}).status_code == 404
    changed = client.patch(patch, headers=h["dana"], json={"status": "dropped", "deadline": None})
    assert changed.status_code == 200, changed.text
    assert changed.json()["status"] == "dropped" and changed.json()["deadline"] is None
    bad = client.patch(patch, headers=h["dana"], json={"status": "finished"})
    assert bad.status_code == 422 and "status" in bad.text


def test_goals_from_a_plan_are_kept_once(client: TestClient, pair: dict[str, Any]) -> None:
    h, mid = pair["h"], pair["mid"]
    plan = client.post("/v1/goal-plan", headers=h["dana"], json={"mentorship_id": mid, "today": "2027-03-01"})
    assert plan.status_code == 200, plan.text
    after_plan = client.get(f"/v1/mentorships/{mid}/goals", headers=h["dana"]).json()
    planned = {g["statement"].casefold() for g in plan.json()["goals"]}
    assert planned <= {g["statement"].casefold() for g in after_plan}, "generating a plan keeps its goals"
    assert any(g["smart"] for g in after_plan), "with the SMART fields the plan filled"

    body = {"goals": plan.json()["goals"]}
    url = f"/v1/mentorships/{mid}/goals/from-plan"
    assert client.post(url, headers=h["priya"], json=body).status_code == 403
    first = client.post(url, headers=h["dana"], json=body)
    second = client.post(url, headers=h["dana"], json=body)
    assert first.status_code == second.status_code == 200, first.text
    assert [g["id"] for g in first.json()] == [g["id"] for g in second.json()]
    assert len(client.get(f"/v1/mentorships/{mid}/goals", headers=h["dana"]).json()) == len(after_plan)


def test_each_side_rates_for_itself_and_both_read_both(client: TestClient, pair: dict[str, Any]) -> None:
    h, mid, sid = pair["h"], pair["mid"], pair["sid"]
    goal = client.get(f"/v1/mentorships/{mid}/goals", headers=h["dana"]).json()[0]
    url = f"/v1/mentorships/{mid}/goals/{goal['id']}/check-ins"
    mine = client.post(url, headers=h["priya"], json={"rating": 4, "comment": "Two pitches done", "session_id": sid})
    assert mine.status_code == 201, mine.text
    assert mine.json()["by"] == "mentee" and mine.json()["session_number"] == 1
    by_body = client.post(url, headers=h["priya"], json={"rating": 9, "by": "mentor"})
    assert by_body.status_code == 422, "the side is never taken from the body"
    theirs = client.post(url, headers=h["dana"], json={"rating": 6, "session_id": sid})
    assert theirs.status_code == 201 and theirs.json()["by"] == "mentor"
    assert client.post(url, headers=h["platform"], json={"rating": 6}).status_code == 403
    assert client.post(url, headers=h["elena"], json={"rating": 6}).status_code == 404
    for who in ("dana", "priya", "platform", "admin"):
        seen = client.get(url, headers=h[who]).json()
        assert [(c["by"], c["rating"]) for c in seen] == [("mentee", 4), ("mentor", 6)], who
    assert client.get(url, headers=h["globex"]).status_code == 404


@pytest.mark.parametrize("rating", [-1, 11, "high"])
def test_a_rating_outside_0_to_10_is_a_422_naming_the_field(
    client: TestClient, pair: dict[str, Any], rating: object
) -> None:
    h, mid = pair["h"], pair["mid"]
    goal = client.get(f"/v1/mentorships/{mid}/goals", headers=h["dana"]).json()[0]
    answer = client.post(
        f"/v1/mentorships/{mid}/goals/{goal['id']}/check-ins", headers=h["priya"], json={"rating": rating}
    )
    assert answer.status_code == 422
    assert any(
        "rating" in ".".join(map(str, e.get("loc", e.get("field", "")))) or "rating" in str(e)
        for e in answer.json()["errors"]
    )


def test_a_session_of_another_mentorship_is_not_found(client: TestClient, pair: dict[str, Any]) -> None:
    h, mid = pair["h"], pair["mid"]
    other = client.post("/v1/mentorships", headers=h["admin"], json=mentorship_body("luis", "elena")).json()["id"]
    foreign = client.post(f"/v1/mentorships/{other}/sessions", headers=h["admin"], json={"date": "2027-03-02"})
    goal = client.get(f"/v1/mentorships/{mid}/goals", headers=h["dana"]).json()[0]
    answer = client.post(
        f"/v1/mentorships/{mid}/goals/{goal['id']}/check-ins",
        headers=h["dana"],
        json={"rating": 5, "session_id": foreign.json()["id"]},
    )
    assert answer.status_code == 404
    other_goal = client.get(f"/v1/mentorships/{other}/goals", headers=h["admin"]).json()[0]
    crossed = client.get(f"/v1/mentorships/{mid}/goals/{other_goal['id']}/check-ins", headers=h["dana"])
    assert crossed.status_code == 404
