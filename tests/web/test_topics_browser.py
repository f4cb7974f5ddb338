"""Issue 14's shared agenda in headless Chromium against a real `companion serve`: the mentee adds a topic
on their page, the mentor sees it on Prepare, generates, and the agenda gives it time; saving the plan
takes it off the open topics. The same flows without a browser are in tests/api/test_topics.py.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from tests.web.conftest import WebServer, screenshot
from tests.web.test_browser import api_get, generate_plan, login, unlabelled
from tests.web.test_goals_browser import api_post

pytestmark = pytest.mark.slow

TOPIC = "How to answer investors about churn"


def test_the_mentee_asks_and_the_mentor_makes_time(browser: Any, web_server: WebServer) -> None:
    mentorship = api_post(
        web_server,
        "/v1/mentorships",
        web_server.mentor_key,
        {
            "mentor": {"person_id": "dana@acme.test", "name": "Dana"},
            "mentee": {"person_id": "priya@acme.test", "name": "Priya", "role": "first-time founder"},
            "goals": ["Raise a seed round by June"],
        },
    )
    mentorship_id = mentorship["id"]
    held = (dt.date.today() - dt.timedelta(days=7)).isoformat()
    api_post(web_server, f"/v1/mentorships/{mentorship_id}/sessions", web_server.mentor_key, {"date": held})

    # -- the mentee adds a topic on their page ------------------------------------------------------------
    mentee = login(browser, web_server, web_server.mentee_key)
    mentee.goto(f"/mentorships/{mentorship_id}")
    assert mentee.get_by_role("heading", name="Topics for our next session").is_visible()
    mentee.get_by_label("A topic for our next session").fill(TOPIC)
    mentee.get_by_role("button", name="Add", exact=True).click()
    mentee.wait_for_url(re.compile(r"\?topic=added"))
    listed = mentee.locator("ul.topics-list li")
    assert listed.count() == 1 and TOPIC in listed.first.inner_text()
    assert "added by you" in listed.first.inner_text()
    assert mentee.get_by_role("button", name=f"Remove: {TOPIC}").is_visible()
    # the same topic again adds nothing
    mentee.get_by_label("A topic for our next session").fill(TOPIC.lower())
    mentee.get_by_role("button", name="Add", exact=True).click()
    mentee.wait_for_url(re.compile(r"\?topic=exists"))
    assert mentee.locator("ul.topics-list li").count() == 1
    assert unlabelled(mentee) == []
    screenshot(mentee, "topics-mentee")
    mentee.context.close()

    # -- the mentor sees it on the overview and on Prepare, and generates ------------------------------------
    page = login(browser, web_server, web_server.mentor_key)
    page.goto(f"/mentorships/{mentorship_id}")
    assert TOPIC in page.locator("section.topics").inner_text()
    page.get_by_role("link", name="Prepare session 2").click()
    asked = page.locator("fieldset.topics")
    assert asked.locator("legend").inner_text() == "Your mentee asked to talk about:"
    box = page.get_by_label(TOPIC)
    assert box.is_checked(), "the mentee's topic is ticked by default"
    generate_plan(page, (dt.date.today() + dt.timedelta(days=7)).isoformat())
    blocks = page.locator("#plan ol.agenda-items > li")
    with_topic = [text for text in blocks.all_inner_texts() if TOPIC.casefold() in text.casefold()]
    assert with_topic, "the generated agenda gives the mentee's topic a block of its own"
    assert "this plan makes time for: " + TOPIC in page.locator("#plan p.plan-topics").inner_text()
    screenshot(page, "topics-prepare")

    # -- saving the plan takes the topic into the session -------------------------------------------------
    page.get_by_role("button", name="Save as the plan for session 2").click()
    page.wait_for_url(re.compile(r"/sessions/[0-9a-f-]{36}\?saved=1$"))
    session_id = page.url.split("?")[0].rsplit("/", 1)[1]
    assert TOPIC.casefold() in page.locator("main").inner_text().casefold(), "the saved agenda keeps it"
    status, body, _ = api_get(web_server, f"/v1/mentorships/{mentorship_id}/topics", web_server.mentor_key)
    assert status == 200 and TOPIC not in body.decode(), "no longer an open topic"
    status, body, _ = api_get(
        web_server, f"/v1/mentorships/{mentorship_id}/topics?include_taken=true", web_server.mentor_key
    )
    assert status == 200 and session_id in body.decode()
    page.goto(f"/mentorships/{mentorship_id}")
    assert TOPIC not in page.locator("section.topics").inner_text()
