"""The goal pieces of the web app, without JS: each side rates its goals after the session, the goal
progress page (chart and table) for both sides, the mentor side manages goals, and strangers get 404."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.web.charts import goal_progress_svg, goal_rows
from companion.memory.schemas import MentorshipCreate, SessionCreate
from tests.api.privacy_support import login, origin


@pytest.fixture
def people(client: TestClient, keys: Callable[..., dict[str, str]]) -> dict[str, Any]:
    memory = client.app.state.companion.memory
    mentorship = memory.create_mentorship(
        "acme",
        MentorshipCreate.model_validate(
            {
                "mentor": {"person_id": "dana", "name": "Dana"},
                "mentee": {"person_id": "priya", "name": "Priya"},
                "goals": ["Raise a seed round by June"],
            }
        ),
    )
    session = memory.add_session("acme", mentorship.id, SessionCreate(date=dt.date.today() - dt.timedelta(days=1)))
    return {
        "mid": mentorship.id,
        "sid": session.id,
        "goal": memory.list_goals("acme", mentorship.id)[0],
        "mentor": keys("acme", "mentor", "dana"),
        "mentee": keys("acme", "mentee", "priya"),
        "platform": keys("acme", "platform"),
        "stranger": keys("acme", "mentor", "eli"),
        "globex": keys("globex", "admin"),
    }


def post(client: TestClient, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data=data, headers={"Origin": origin(client)}, follow_redirects=False)


def test_the_mentee_rates_after_the_session_and_the_mentor_sees_it(client: TestClient, people: dict[str, Any]) -> None:
    mid, sid, goal = people["mid"], people["sid"], people["goal"]
    login(client, people["mentee"])
    page = client.get(f"/mentorships/{mid}").text
    assert f'<label for="rating-{goal.id}">Your progress (0–10)</label>' in page
    assert f'name="session_id" value="{sid}"' in page
    saved = post(
        client,
        f"/mentorships/{mid}/goal-progress/check-ins",
        {
            "session_id": sid,
            "back": f"/mentorships/{mid}",
            f"rating_{goal.id}": "4",
            f"comment_{goal.id}": "Two decks sent",
        },
    )
    assert saved.status_code == 303 and saved.headers["location"].startswith(f"/mentorships/{mid}?goals=1")
    again = post(client, f"/mentorships/{mid}/goal-progress/check-ins", {"session_id": sid, f"rating_{goal.id}": "5"})
    assert again.status_code == 303
    bad = post(client, f"/mentorships/{mid}/goal-progress/check-ins", {f"rating_{goal.id}": "11"})
    assert bad.status_code == 422 and "between 0 and 10" in bad.text
    assert post(client, f"/mentorships/{mid}/goal-progress/goals", {"statement": "Mine"}).status_code == 403

    login(client, people["mentor"])
    session_page = client.get(f"/mentorships/{mid}/sessions/{sid}").text
    assert f'<label for="rating-{goal.id}">Mentor&#39;s rating (0–10)</label>' in session_page
    post(client, f"/mentorships/{mid}/goal-progress/check-ins", {"session_id": sid, f"rating_{goal.id}": "3"})
    progress = client.get(f"/mentorships/{mid}/goal-progress").text
    assert "<polyline" in progress and "rater-mentee" in progress and "rater-mentor" in progress
    row = re.search(r"<tr><th scope=\"row\">Session 1</th>(.*?)</tr>", progress)
    assert row and "<td>5</td>" in row.group(1) and "<td>3</td>" in row.group(1), "one row per session, both sides"
    memory = client.app.state.companion.memory
    assert [(c.by, c.rating) for c in memory.get_goal("acme", mid, goal.id).check_ins] == [("mentee", 5), ("mentor", 3)]


def test_the_mentor_side_manages_goals_on_the_page(client: TestClient, people: dict[str, Any]) -> None:
    mid, goal = people["mid"], people["goal"]
    login(client, people["platform"])
    page = client.get(f"/mentorships/{mid}/goal-progress").text
    assert '<label for="new-goal">New goal</label>' in page and "rating-" not in page, "a platform rates nothing"
    added = post(
        client,
        f"/mentorships/{mid}/goal-progress/goals",
        {"statement": "Hire a first engineer", "deadline": "2027-09-01"},
    )
    assert added.status_code == 303
    changed = post(client, f"/mentorships/{mid}/goal-progress/goals/{goal.id}", {"status": "achieved", "deadline": ""})
    assert changed.status_code == 303
    goals = client.app.state.companion.memory.list_goals("acme", mid)
    assert [(g.statement, g.status, g.deadline) for g in goals] == [
        ("Raise a seed round by June", "achieved", None),
        ("Hire a first engineer", "active", dt.date(2027, 9, 1)),
    ]
    page = client.get(f"/mentorships/{mid}/goal-progress").text
    assert 'class="goal-deadline goal-1"' in page, "the deadline is marked on the chart"


@pytest.mark.parametrize("who", ["stranger", "globex"])
def test_strangers_find_no_goal_pages(client: TestClient, people: dict[str, Any], who: str) -> None:
    mid, goal = people["mid"], people["goal"]
    login(client, people[who])
    assert client.get(f"/mentorships/{mid}/goal-progress").status_code == 404
    assert post(client, f"/mentorships/{mid}/goal-progress/check-ins", {f"rating_{goal.id}": "4"}).status_code == 404
    assert post(client, f"/mentorships/{mid}/goal-progress/goals", {"statement": "x"}).status_code == 404
    assert post(client, f"/mentorships/{mid}/goal-progress/goals/{goal.id}", {"status": "dropped"}).status_code == 404


def test_the_chart_draws_one_line_per_goal_and_rater_and_marks_deadlines(
    client: TestClient, people: dict[str, Any]
) -> None:
    memory = client.app.state.companion.memory
    mid, sid = people["mid"], people["sid"]
    goal = people["goal"]
    from companion.memory.schemas import GoalCheckInCreate, GoalUpdate

    memory.update_goal("acme", mid, goal.id, GoalUpdate(deadline=dt.date.today() + dt.timedelta(days=30)))
    memory.add_goal_check_in("acme", mid, goal.id, GoalCheckInCreate(rating=2, session_id=sid), rater="mentee")
    memory.add_goal_check_in("acme", mid, goal.id, GoalCheckInCreate(rating=6, session_id=sid), rater="mentor")
    goals = memory.list_goals("acme", mid)
    sessions = memory.list_sessions("acme", mid)
    rows = {g.id: goal_rows(g, sessions) for g in goals}
    svg = goal_progress_svg(goals, rows, dt.date.today())
    assert svg.count("<polyline") == 2 and svg.count('class="goal-deadline') == 1
    assert "Mentee 2/10" in svg and "Mentor 6/10" in svg
