"""Issue 14, "make the plan the mentor's own", in headless Chromium against a real `companion serve`.

A mentor edits a block's title, pins a block, changes another's minutes (the pinned one keeps its minutes
and the total stays the session length), moves a block, deletes one, refuses a typo of 999 in words, and
saves: the session page shows the plan as edited. Without JavaScript the same buttons are plain form posts
(delete, then undo). At phone width the plan editor does not scroll sideways.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.conftest import WebServer, screenshot
from tests.web.test_browser import generate_plan, login, minutes, unlabelled
from tests.web.test_slips_browser import OVERFLOW

pytestmark = pytest.mark.slow


def start_mentorship(page: Any, mentee: str) -> str:
    page.get_by_role("link", name="Start a new mentorship").click()
    page.locator("#mentee_name").fill(mentee)
    page.locator("#mentee_person_id").fill("priya@acme.test")
    page.get_by_role("button", name="Start the mentorship").click()
    page.wait_for_url(re.compile(r"/mentorships/[0-9a-f-]{36}$"))
    return page.url


def headings(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("#plan .agenda-items > li h3").all_inner_texts()]


def test_the_mentor_makes_the_plan_their_own(browser: Any, web_server: WebServer) -> None:
    page = login(browser, web_server, web_server.mentor_key)
    mentorship_url = start_mentorship(page, "Priya")
    page.get_by_role("link", name="Prepare session 1").click()
    generate_plan(page, "2026-12-01")
    order = headings(page)
    count = len(order)
    assert count >= 4 and sum(minutes(page)) == 45

    # -- edit a title: the heading follows as it is typed --------------------------------------------
    page.locator("#block-1 details.edit-block summary").click()
    page.get_by_label("Title of block 2").fill("Our own check-in")
    assert headings(page)[1] == "Our own check-in"
    assert unlabelled(page) == []

    # -- pin block 1; another block's new minutes leave it alone -------------------------------------
    pinned_minutes = minutes(page)[0]
    page.get_by_label("Pin the minutes of block 1").check()
    third = page.locator("#plan input[name=minutes]").nth(2)
    third.fill(str(minutes(page)[2] + 4))
    third.press("Tab")
    assert minutes(page)[0] == pinned_minutes, "the pinned block keeps its minutes"
    assert sum(minutes(page)) == 45 and page.locator("#plan [data-sum]").inner_text() == "45"

    # -- a typo of 999 is refused in words; nothing re-balances or becomes 1 ---------------------------
    before = minutes(page)
    third.fill("999")
    third.press("Tab")
    problem = page.locator("#minutes-2-error")
    assert problem.is_visible() and re.search(r"999 is not allowed; it must be between 1 and \d+", problem.inner_text())
    assert minutes(page)[:2] == before[:2] and minutes(page)[3:] == before[3:]
    third.fill(str(before[2]))
    third.press("Tab")
    assert not problem.is_visible() and minutes(page) == before

    # -- move the first block down: the edited title and the pin go along, focus stays on the block -----
    page.get_by_role("button", name=f"Move down: {order[0]}").click()
    page.wait_for_function(
        "first => document.querySelector('#plan .agenda-items h3').textContent !== first", arg=order[0]
    )
    assert headings(page)[:2] == ["Our own check-in", order[0]]
    assert page.locator("#pin-1").is_checked() and minutes(page)[1] == pinned_minutes
    assert sum(minutes(page)) == 45
    assert page.evaluate("document.activeElement.id") == "down-1", "focus follows the moved block"

    # -- delete the last block: its minutes go to the unpinned blocks ---------------------------------
    last = headings(page)[-1]
    page.get_by_role("button", name=f"Delete: {last}").click()
    page.locator("#plan .agenda-items > li").nth(count - 1).wait_for(state="detached")
    assert last not in headings(page) and len(headings(page)) == count - 1
    assert minutes(page)[1] == pinned_minutes and sum(minutes(page)) == 45
    assert page.locator("#plan [data-sum]").inner_text() == "45"
    assert sum(int(s) for s in page.locator("#plan [data-bar] .seg").all_inner_texts()) == 45
    assert unlabelled(page) == []
    screenshot(page, "plan-editor")
    shown = headings(page)
    planned = minutes(page)

    # -- save: the session page shows the plan as edited ----------------------------------------------
    page.get_by_role("button", name="Save as the plan for session 1").click()
    page.wait_for_url(re.compile(r"/sessions/[0-9a-f-]{36}\?saved=1$"))
    items = page.locator(".agenda-items > li h3").all_inner_texts()
    assert [re.sub(r"\s*\(\d+ min\)$", "", t) for t in items] == shown
    assert [int(re.search(r"\((\d+) min\)", t).group(1)) for t in items] == planned
    assert page.url.startswith(mentorship_url)


def test_the_plan_editor_works_without_javascript(browser: Any, web_server: WebServer) -> None:
    page = login(browser, web_server, web_server.mentor_key, java_script_enabled=False)
    start_mentorship(page, "Priya")
    page.get_by_role("link", name="Prepare session 1").click()
    generate_plan(page, "2026-12-01")
    order = headings(page)
    page.get_by_role("button", name=f"Delete: {order[1]}").click()
    page.wait_for_load_state()
    assert headings(page) == [order[0], *order[2:]] and sum(minutes(page)) == 45
    assert f"“{order[1]}” is deleted" in page.locator("#plan-notice").inner_text()
    page.get_by_role("button", name="Undo the last change").click()
    page.wait_for_load_state()
    assert headings(page) == order and sum(minutes(page)) == 45


def test_the_plan_editor_fits_a_phone(browser: Any, web_server: WebServer) -> None:
    phone = login(browser, web_server, web_server.mentor_key, viewport={"width": 390, "height": 844})
    start_mentorship(phone, "Priya")
    phone.get_by_role("link", name="Prepare session 1").click()
    generate_plan(phone, "2026-12-01")
    phone.locator("#block-0 details.edit-block summary").click()
    phone.get_by_label("Title of block 1").fill("A title long enough to need wrapping on a phone screen, really")
    assert phone.evaluate(OVERFLOW) <= 0, "the plan editor scrolls sideways at 390 px"
    for button in ("Apply my changes", "Undo the last change", "Add a block"):
        box = phone.get_by_role("button", name=button).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, button
    screenshot(phone, "plan-editor-phone")
    phone.context.close()
