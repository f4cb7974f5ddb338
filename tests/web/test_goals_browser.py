"""Goal check-ins and the goal progress page in headless Chromium against a real `companion serve`: the
mentor rates the goals on the session page, the mentee rates them (with a line of self-assessment) in
their view and sees the chart and table, the mentor adds and closes a goal, another tenant finds nothing.
Every input is labelled, and nothing needs JS (the forms are plain posts)."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
from typing import Any

import pytest

from tests.web.conftest import WebServer, screenshot
from tests.web.test_browser import login, unlabelled

pytestmark = pytest.mark.slow


def api_post(server: WebServer, path: str, key: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        f"{server.url}{path}",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_both_sides_rate_goals_and_read_the_chart(browser: Any, web_server: WebServer) -> None:
    mentorship = api_post(
        web_server,
        "/v1/mentorships",
        web_server.mentor_key,
        {
            "mentor": {"person_id": "dana@acme.test", "name": "Dana"},
            "mentee": {"person_id": "priya@acme.test", "name": "Priya"},
            "goals": ["Raise a seed round by June", "Hire a first engineer"],
        },
    )
    mid = mentorship["id"]
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    session = api_post(web_server, f"/v1/mentorships/{mid}/sessions", web_server.mentor_key, {"date": yesterday})

    # -- the mentor rates on the after-the-session page, with JS off ------------------------------
    mentor = login(browser, web_server, web_server.mentor_key, java_script_enabled=False)
    mentor.goto(f"/mentorships/{mid}/sessions/{session['id']}")
    form = mentor.locator("form.goal-check-in")
    assert form.locator("fieldset").count() == 2
    form.get_by_role("group", name="Raise a seed round by June").get_by_label("Mentor's rating (0–10)").fill("3")
    form.get_by_role("group", name="Raise a seed round by June").get_by_label("One line on why").fill("Deck not ready")
    form.get_by_role("button", name="Save goal ratings").click()
    mentor.get_by_role("status").filter(has_text="Saved 1 goal rating(s).").wait_for()
    assert unlabelled(mentor) == []
    assert form.get_by_label("Mentor's rating (0–10)").first.input_value() == "3", "the form keeps what was said"

    # -- the mentee rates in their view and reads both sides ---------------------------------------
    mentee = login(browser, web_server, web_server.mentee_key)
    mentee.goto(f"/mentorships/{mid}")
    group = mentee.get_by_role("group", name="Raise a seed round by June")
    group.get_by_label("Your progress (0–10)").fill("5")
    group.get_by_label("One line of self-assessment").fill("Two angels said yes to a call")
    mentee.get_by_role("button", name="Save goal ratings").click()
    mentee.get_by_role("status").filter(has_text="Saved 1 goal rating(s).").wait_for()
    assert unlabelled(mentee) == []
    table = mentee.get_by_role("table", name="Ratings of “Raise a seed round by June”")
    row = table.get_by_role("row", name="Session 1")
    assert "5" in row.inner_text() and "3" in row.inner_text() and "Two angels said yes" in row.inner_text()
    chart = mentee.locator("svg.goal-chart")
    assert chart.locator("polyline.rater-mentee").count() == 1 and chart.locator("polyline.rater-mentor").count() == 1
    assert mentee.get_by_role("button", name="Add the goal").count() == 0
    screenshot(mentee, "goals-mentee-view")

    # -- the mentor adds a goal and closes one on the goal progress page ---------------------------
    mentor.goto(f"/mentorships/{mid}/goal-progress")
    mentor.get_by_label("New goal").fill("Speak at a meetup")
    mentor.get_by_label("Deadline (optional)").fill((dt.date.today() + dt.timedelta(days=60)).isoformat())
    mentor.get_by_role("button", name="Add the goal").click()
    mentor.get_by_role("status").filter(has_text="Goal added.").wait_for()
    closing = mentor.get_by_role("group", name="Hire a first engineer")
    closing.get_by_label("Status").select_option("dropped")
    closing.get_by_role("button", name="Save").click()
    mentor.get_by_role("status").filter(has_text="Goal changed.").wait_for()
    assert mentor.locator("svg.goal-chart line.goal-deadline").count() == 1
    rate = mentor.locator("form.goal-check-in legend").all_inner_texts()
    assert rate == ["Raise a seed round by June", "Speak at a meetup"], "only active goals are rated"
    assert unlabelled(mentor) == []
    screenshot(mentor, "goals-progress-page")

    # -- readable at phone width, every field labelled -------------------------------------------------
    phone = login(browser, web_server, web_server.mentee_key, viewport={"width": 375, "height": 800})
    for url in (f"/mentorships/{mid}", f"/mentorships/{mid}/goal-progress"):
        phone.goto(url)
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} scrolls sideways at phone width by {overflow}px"
        assert unlabelled(phone) == [], url
    screenshot(phone, "goals-phone")
    phone.context.close()

    # -- another tenant finds no such page -----------------------------------------------------------
    other = login(browser, web_server, web_server.other_tenant_key)
    response = other.goto(f"/mentorships/{mid}/goal-progress")
    assert response is not None and response.status == 404
    for page in (mentor, mentee, other):
        page.context.close()
