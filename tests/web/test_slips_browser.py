"""Issue 14's "no data slips" in headless Chromium against a real `companion serve`: what a person sees
after saving, ticking, editing and printing is what they saved.

A mentor starts a mentorship (the overview says what to do instead of an empty chart), types 0 minutes
for an agenda item (refused in words, nothing becomes 1), saves the plan, prints the agenda on a phone
(nothing scrolls sideways), writes a note of several lines (shown with its line breaks); the sessions
list counts 1..n. The mentee reads the mentor's item as owed to them, asks for reflection prompts, ticks
an item, and the prompts are still there.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from tests.web.conftest import WebServer, screenshot
from tests.web.test_browser import generate_plan, login, minutes
from tests.web.test_goals_browser import api_post

pytestmark = pytest.mark.slow

NOTE = "Priya pitched to two angels.\nThey asked about churn.\nNext: rehearse the Q&A."
OVERFLOW = "document.scrollingElement.scrollWidth - window.innerWidth"


def test_what_is_saved_is_what_is_shown(browser: Any, web_server: WebServer) -> None:
    page = login(browser, web_server, web_server.mentor_key)
    page.get_by_role("link", name="Start a new mentorship").click()
    page.locator("#mentee_name").fill("Priya")
    page.locator("#mentee_person_id").fill("priya@acme.test")
    page.get_by_role("button", name="Start the mentorship").click()
    page.wait_for_url(re.compile(r"/mentorships/[0-9a-f-]{36}$"))
    mentorship_url = page.url
    mentorship_id = mentorship_url.rsplit("/", 1)[1]

    # -- a new mentorship: no empty chart, but what to do next -----------------------------------------
    assert page.locator("svg.chart").count() == 0
    assert "Hold session 1" in page.locator("p.chart-empty").inner_text()

    # -- 0 minutes is refused in words and nothing re-balances ------------------------------------------
    page.get_by_role("link", name="Prepare session 1").click()
    held = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    generate_plan(page, held)
    before = minutes(page)
    first = page.locator("#plan input[name=minutes]").first
    first.fill("0")
    first.press("Tab")
    problem = page.locator("#plan [data-minutes-error]").first
    assert problem.is_visible()
    assert re.search(r"0 is not allowed; it must be between 1 and \d+", problem.inner_text())
    assert first.input_value() == "0" and minutes(page)[1:] == before[1:], "nothing became 1, nothing moved"
    page.get_by_role("button", name="Save as the plan for session 1").click()
    assert "/prepare" in page.url, "the browser does not send a plan it knows is wrong"
    first.fill("12")
    first.press("Tab")
    assert not problem.is_visible() and minutes(page)[0] == 12 and sum(minutes(page)) == 45
    page.get_by_role("button", name="Save as the plan for session 1").click()
    page.wait_for_url(re.compile(r"/sessions/[0-9a-f-]{36}\?saved=1$"))
    session_url = page.url.split("?")[0]
    session_id = session_url.rsplit("/", 1)[1]

    # -- the printable agenda fits a phone -------------------------------------------------------------
    phone = login(browser, web_server, web_server.mentor_key, viewport={"width": 390, "height": 844})
    phone.goto(f"{session_url}/agenda/print")
    assert phone.locator("table.print-agenda tbody tr").count() >= 2
    assert phone.evaluate(OVERFLOW) <= 0, "the printable agenda scrolls sideways at 390 px"
    phone.locator("details.no-print summary").click()  # the Markdown, open
    assert phone.evaluate(OVERFLOW) <= 0, "the printable agenda's Markdown scrolls sideways at 390 px"
    screenshot(phone, "print-agenda-phone")
    phone.context.close()

    # -- a note of several lines reads as typed, streamed and after a reload -----------------------------
    page.get_by_label("Note 1", exact=True).fill(NOTE)
    page.get_by_label("Who may see note 1").select_option("shared")
    page.get_by_role("button", name="Save notes and summarise").click()
    page.locator("#after form.confirm-items").wait_for()
    assert page.locator("#after .note-text").first.inner_text() == NOTE
    page.reload()
    assert page.locator("#after .note-text").first.inner_text() == NOTE

    # the mentor owes one item, the mentee another; a second session is planned
    api_post(
        web_server,
        f"/v1/mentorships/{mentorship_id}/action-items",
        web_server.mentor_key,
        {
            "session_id": session_id,
            "items": [
                {"text": "Send her the fundraising chapter", "owner": "mentor"},
                {"text": "Rehearse the Q&A twice", "owner": "mentee"},
            ],
        },
    )
    later = (dt.date.today() + dt.timedelta(days=13)).isoformat()
    api_post(web_server, f"/v1/mentorships/{mentorship_id}/sessions", web_server.mentor_key, {"date": later})
    page.goto(mentorship_url)
    listed = page.locator("ol.sessions > li")
    assert [t.split(" ·")[0] for t in listed.all_inner_texts()] == ["Session 1", "Session 2"]
    assert listed.evaluate_all("els => els.map(e => e.value)") == [1, 2], "the list's own numbers agree"
    assert f"Next session: {later}" in page.locator("main").inner_text()
    assert "Send her the fundraising chapter" in page.locator("main").inner_text(), "stored as the mentor wrote it"
    screenshot(page, "slips-mentorship")

    # -- the mentee: the mentor's item is owed to them, and the prompts survive a tick ---------------------
    mentee = login(browser, web_server, web_server.mentee_key)
    mentee.goto(mentorship_url)
    owed = mentee.locator("ul.items.owed li").first.inner_text()
    assert owed.startswith("Your mentor: send you the fundraising chapter"), owed
    assert NOTE.splitlines()[1] in mentee.locator("ul.notes").inner_text().splitlines()
    mentee.get_by_role("button", name="Get reflection prompts").click()
    prompt = mentee.locator("#reflection ol.reflection li p").first
    prompt.wait_for()
    asked = prompt.inner_text()
    mentee.get_by_role("button", name=re.compile("Mark done: Rehearse the Q&A twice")).click()
    mentee.get_by_role("button", name=re.compile("Reopen: Rehearse the Q&A twice")).wait_for()
    assert mentee.locator("#reflection ol.reflection li p").first.inner_text() == asked, "the prompts stayed"
    mentee.reload()
    assert mentee.locator("#reflection ol.reflection li p").first.inner_text() == asked
    screenshot(mentee, "slips-mentee")
    for context in {page.context, mentee.context}:
        context.close()
