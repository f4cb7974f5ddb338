"""Issue 14's "invite the mentee from the web" in headless Chromium against a real `companion serve`.

The mentor presses "Invite Priya Shah" on the mentorship page and reads the one-time link; a fresh browser
(no login, no key) opens it, is asked to sign in as Priya, presses the button and lands on Priya's page, where
the shared note shows and the private one does not. Opening the link again says it has been used.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from tests.web.conftest import WebServer, screenshot
from tests.web.test_browser import login
from tests.web.test_goals_browser import api_post

pytestmark = pytest.mark.slow

SHARED = "Shared: Priya drafts the investor list by Friday."
PRIVATE = "Private: Priya seems close to burning out."


def test_the_mentor_invites_and_the_mentee_signs_in_with_the_link(browser: Any, web_server: WebServer) -> None:
    mentorship = api_post(
        web_server,
        "/v1/mentorships",
        web_server.mentor_key,
        {
            "mentor": {"person_id": "dana@acme.test", "name": "Dana"},
            "mentee": {"person_id": "priya@acme.test", "name": "Priya Shah"},
            "goals": ["Raise a seed round by June"],
        },
    )
    held = (dt.date.today() - dt.timedelta(days=2)).isoformat()
    api_post(
        web_server,
        f"/v1/mentorships/{mentorship['id']}/sessions",
        web_server.mentor_key,
        {
            "date": held,
            "notes": [{"text": PRIVATE, "visibility": "mentor_private"}, {"text": SHARED, "visibility": "shared"}],
        },
    )
    mentorship_url = f"{web_server.url}/mentorships/{mentorship['id']}"

    # -- the mentor makes the link and reads it, once ------------------------------------------------------
    mentor = login(browser, web_server, web_server.mentor_key)
    mentor.goto(mentorship_url)
    mentor.get_by_role("button", name="Invite Priya Shah").click()
    shown = mentor.locator("#invite-link")
    shown.wait_for()
    link = shown.inner_text().strip()
    assert re.fullmatch(rf"{re.escape(web_server.url)}/invite/mi_[A-Za-z0-9_-]{{43}}", link), link
    words = mentor.locator("section.invite").inner_text()
    assert "It works once" in words and "expires on" in words and "Copy" in words
    screenshot(mentor, "invite-link")

    # -- a fresh browser (no login) opens it, confirms and lands on the mentee's page ----------------------
    context = browser.new_context()
    mentee = context.new_page()
    mentee.set_default_timeout(60_000)
    mentee.goto(link)
    assert mentee.get_by_role("heading", level=1).inner_text() == "Sign in as Priya"
    mentee.get_by_role("button", name="Sign in as Priya").click()
    mentee.wait_for_url(mentorship_url)
    assert mentee.get_by_role("heading", level=1).inner_text().startswith("Priya Shah's mentorship")
    main = mentee.locator("main").inner_text()
    assert SHARED in main and PRIVATE not in main
    assert "priya@acme.test" in mentee.locator("header .who").inner_text(), "signed in as the mentee"
    screenshot(mentee, "invite-signed-in")

    # -- the link works once ---------------------------------------------------------------------------
    other = browser.new_context()
    again = other.new_page()
    response = again.goto(link)
    assert response is not None and response.status == 410
    assert "has been used or has expired" in again.locator("main").inner_text()
    assert again.get_by_role("button", name=re.compile("Sign in")).count() == 0
    for each in (mentor.context, context, other):
        each.close()
