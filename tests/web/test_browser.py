"""The main flows end to end in headless Chromium against a real `companion serve`.

A mentor creates a mentorship, prepares and saves session 1, adds notes (one private) and saves the
summary's action items, prepares session 2 and sees them carried forward, makes a goal plan and
exports its .ics, and uses the decision workbench. The mentee then logs in and never sees the
private note. Screenshots of each main page land in artifacts/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import icalendar
import pytest

from tests.web.conftest import WebServer, screenshot

pytestmark = pytest.mark.slow

PRIVATE_MARKER = "PRIVATE-MARKER-7c1f"
SHARED_NOTE = (
    "Priya ran the pitch for two angel investors and handled the questions well.\n"
    "Action: Priya to send the revised pitch deck to Sam by 2026-12-05."
)
PRIVATE_NOTE = f"{PRIVATE_MARKER} I suspect she is close to burnout; ask gently about workload."
LABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter((el) => !el.labels || el.labels.length === 0).map((el) => el.name || el.id)"""


def login(browser: Any, server: WebServer, key: str, **context_options: Any) -> Any:
    context = browser.new_context(base_url=server.url, accept_downloads=True, **context_options)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto("/login")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/")
    return page


def unlabelled(page: Any) -> list[str]:
    return page.evaluate(LABELLED)


def minutes(page: Any) -> list[int]:
    return [int(v) for v in page.locator("#plan input[name=minutes]").evaluate_all("els => els.map(e => e.value)")]


def api_get(server: WebServer, path: str, key: str) -> tuple[int, bytes, str]:
    request = urllib.request.Request(f"{server.url}{path}", headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers.get("Content-Type", "")


def generate_plan(page: Any, date: str) -> None:
    page.get_by_label("Session date").fill(date)
    page.get_by_label("Session length (minutes)").fill("45")
    page.get_by_role("button", name=re.compile("Generate the plan|Regenerate the plan")).click()
    page.locator("#plan h2", has_text="Agenda for session").wait_for()


def test_mentor_and_mentee_flows(browser: Any, web_server: WebServer, tmp_path: Path) -> None:
    page = login(browser, web_server, web_server.mentor_key)
    assert page.locator("h1").inner_text() == "Your mentorships"

    # -- create a mentorship ------------------------------------------------------------
    page.get_by_role("link", name="Start a new mentorship").click()
    assert page.get_by_label("Person id", exact=False).first.input_value() == "dana@acme.test"
    page.locator("#mentor_name").fill("Dana")
    page.locator("#mentee_name").fill("Priya")
    page.locator("#mentee_person_id").fill("priya@acme.test")
    page.locator("#mentee_role").fill("first-time founder")
    page.locator("#mentee_interests").fill("chess, hiking")
    page.get_by_label("Goals").fill("Raise a seed round by June\nPitch with confidence")
    assert unlabelled(page) == []
    screenshot(page, "new-mentorship")
    page.get_by_role("button", name="Start the mentorship").click()
    page.wait_for_url(re.compile(r"/mentorships/[0-9a-f-]{36}$"))
    mentorship_url = page.url
    mentorship_id = mentorship_url.rsplit("/", 1)[1]
    assert "Raise a seed round by June" in page.locator("main").inner_text()

    # -- prepare session 1: agenda, minutes, citations, swap an icebreaker, save ----------
    page.get_by_role("link", name="Prepare session 1").click()
    generate_plan(page, "2026-12-01")
    assert page.locator("[data-progress]").first.inner_text() == "Done."
    assert sum(minutes(page)) == 45
    bar = page.locator("#plan [data-bar] .seg")
    assert bar.count() == len(minutes(page))
    first_minutes = page.locator("#plan input[name=minutes]").first
    first_minutes.fill("20")
    first_minutes.press("Tab")
    assert minutes(page)[0] == 20 and sum(minutes(page)) == 45
    assert page.locator("#plan [data-sum]").inner_text() == "45"

    citation = page.locator("#plan details.citation").first
    citation.locator("summary").click()
    passage = citation.locator("blockquote")
    assert passage.is_visible() and len(passage.inner_text().strip()) > 40

    questions = page.locator("#plan .icebreakers .question")
    before = questions.all_inner_texts()
    assert len(before) >= 2
    page.get_by_role("button", name=f"Swap this question: {before[0]}").click()
    page.wait_for_function(
        "first => document.querySelector('#plan .icebreakers .question').textContent !== first", arg=before[0]
    )
    after = questions.all_inner_texts()
    assert after[0] != before[0] and after[1:] == before[1:]
    assert minutes(page)[0] == 20, "the edited minutes survive the swap"
    assert unlabelled(page) == []
    screenshot(page, "prepare-session")

    page.get_by_role("button", name="Save as the plan for session 1").click()
    page.wait_for_url(re.compile(r"/sessions/[0-9a-f-]{36}\?saved=1$"))
    session_url = page.url.split("?")[0]
    assert "Saved as the plan for session 1" in page.locator("main").inner_text()
    assert "(20 min)" in page.locator(".agenda-items li").first.inner_text()

    # -- after the session: notes (one private), summary, action items ------------------
    page.get_by_label("Note 1", exact=True).fill(SHARED_NOTE)
    # a note is private unless the mentor chooses to share it (it would reach the mentee word for word)
    assert page.get_by_label("Who may see note 1").input_value() == "mentor_private"
    page.get_by_label("Who may see note 1").select_option("shared")
    page.get_by_label("Note 2", exact=True).fill(PRIVATE_NOTE)
    page.get_by_role("button", name="Save notes and summarise").click()
    page.locator("#after form.confirm-items").wait_for()
    assert PRIVATE_MARKER in page.locator("#after .notes").inner_text(), "the mentor sees their own private note"
    item_text = page.locator("#after input[name=item_text]").first.input_value()
    assert "pitch deck" in item_text
    page.locator("#after input[name=item_owner]").first.fill("mentee")
    page.locator("#after input[name=item_due]").first.fill("2026-12-05")
    assert unlabelled(page) == []
    screenshot(page, "after-session")
    page.get_by_role("button", name="Save the action items").click()
    page.wait_for_url(re.compile(r"items=\d+"))
    assert "pitch deck" in page.locator(".saved-items").inner_text()

    # exports: Markdown and printable pages
    status, body, content_type = api_get(web_server, f"/v1/mentorships/{mentorship_id}/sessions", web_server.mentor_key)
    assert status == 200
    markdown = page.request.get(f"{session_url}/agenda.md")
    assert markdown.ok and markdown.headers["content-type"].startswith("text/markdown")
    assert "agenda (45 minutes)" in markdown.text()
    page.goto(f"{session_url}/feedback/print")
    assert "pitch deck" in page.locator("main").inner_text()
    screenshot(page, "feedback-printable")

    # -- prepare session 2: the action item is carried forward --------------------------
    page.goto(mentorship_url)
    page.get_by_role("link", name="Prepare session 2").click()
    generate_plan(page, "2026-12-15")
    assert "pitch deck" in page.locator("#plan .carried").inner_text()
    screenshot(page, "prepare-session-2")

    # -- goal plan and the .ics export (page and API) ------------------------------------
    page.goto(f"{mentorship_url}/goals")
    page.get_by_label("Start from").fill("2026-12-01")
    page.get_by_role("button", name="Make the goal plan").click()
    page.locator("#goal-plan .schedule").wait_for()
    planned = [dt.date.fromisoformat(d) for d in page.locator("#goal-plan .schedule li").all_inner_texts()]
    assert planned
    screenshot(page, "goal-plan")
    with page.expect_download() as download_info:
        page.locator("#goal-plan").get_by_role("link", name="Download the schedule (.ics)").click()
    ics_path = tmp_path / "schedule.ics"
    download_info.value.save_as(ics_path)
    calendar = icalendar.Calendar.from_ical(ics_path.read_bytes())
    events = [c for c in calendar.walk("VEVENT")]
    assert sorted(e.decoded("DTSTART").date() for e in events) == sorted(planned)
    assert PRIVATE_MARKER not in ics_path.read_text()
    status, body, content_type = api_get(
        web_server, f"/v1/mentorships/{mentorship_id}/schedule.ics", web_server.mentor_key
    )
    assert status == 200 and content_type.startswith("text/calendar")
    assert len(icalendar.Calendar.from_ical(body).walk("VEVENT")) == len(planned)

    # -- decision workbench ---------------------------------------------------------------
    page.goto(f"{mentorship_url}/decisions")
    page.get_by_label("The decision").fill("Should Priya leave her job to start the company full time?")
    page.get_by_label("Options").fill("Quit now and go full time\nStay and build on weekends")
    page.get_by_role("button", name="Build the framework").click()
    table = page.locator("#framework table.framework")
    table.wait_for()
    assert table.locator("tbody tr").count() == 2
    headers = table.locator("thead th").all_inner_texts()
    assert headers == ["Option", "Upside", "Downside", "Worst case", "Mitigation"]
    text = page.locator("#framework").inner_text()
    assert "Reversibility:" in text and "Pre-mortem" in text and "small experiment" in text.lower()
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    page.get_by_label("Check in on").fill(yesterday)
    screenshot(page, "decision-workbench")
    page.get_by_role("button", name="Save the decision").click()
    page.wait_for_url(re.compile(r"/decisions/[0-9a-f-]{36}$"))
    assert "Check-in due" in page.locator("main").inner_text()
    decision_url = page.url
    page.goto("/")
    assert "Should Priya leave her job" in page.locator("main").inner_text()
    assert "Priya" in page.locator("table.mentorships").inner_text()
    screenshot(page, "home")
    page.goto(decision_url)
    page.get_by_label("What happened?").fill("Ran the weekend experiment for a month; staying for now.")
    page.get_by_role("button", name="Save the check-in").click()
    assert "staying for now" in page.locator(".outcome").inner_text()
    page.goto("/")
    assert "Should Priya leave her job" not in page.locator("main").inner_text(), "checked in: no longer due"

    # -- progress chart ---------------------------------------------------------------------
    page.goto(mentorship_url)
    chart = page.locator("svg.chart")
    assert chart.get_attribute("role") == "img"
    assert page.locator("svg.chart rect.bar-open").count() >= 1
    screenshot(page, "mentorship-progress")

    # -- the mentee: reflection prompts, goals, own items; never the private note ---------
    mentee = login(browser, web_server, web_server.mentee_key)
    assert PRIVATE_MARKER not in mentee.content()
    mentee.locator("table.mentorships").get_by_role("link", name="Priya").click()
    assert "Your action items" in mentee.locator("main").inner_text()
    assert PRIVATE_MARKER not in mentee.content()
    assert "revised pitch deck" in mentee.locator("main").inner_text(), "shared notes and own items are shown"
    mentee.get_by_role("button", name="Get reflection prompts").click()
    mentee.locator("#reflection ol.reflection li").first.wait_for()
    for details in mentee.locator("#reflection details.citation").all():
        details.locator("summary").click()
    assert PRIVATE_MARKER not in mentee.content()
    assert "burnout" not in mentee.locator("main").inner_text()
    screenshot(mentee, "mentee-view")
    mentee.get_by_role("button", name=re.compile("Mark done: .*pitch deck")).click()
    mentee.wait_for_load_state()
    assert mentee.get_by_role("button", name=re.compile("Reopen: .*pitch deck")).count() == 1
    assert mentee.locator("svg.chart rect.bar-done").count() >= 1
    # mentor-only pages answer in words, and the API agrees on privacy
    mentee.goto(session_url)
    assert mentee.locator("h1").inner_text() == "Not allowed"
    assert PRIVATE_MARKER not in mentee.content()
    status, body, _ = api_get(web_server, f"/v1/mentorships/{mentorship_id}/sessions", web_server.mentee_key)
    assert status == 200 and PRIVATE_MARKER not in body.decode()

    # -- another tenant's mentor cannot reach any of it ------------------------------------
    stranger = login(browser, web_server, web_server.other_tenant_key)
    for url in (mentorship_url, session_url, f"{mentorship_url}/mentee", f"{mentorship_url}/schedule.ics"):
        response = stranger.goto(url)
        assert response is not None and response.status == 404
        assert PRIVATE_MARKER not in stranger.content() and "Priya" not in stranger.locator("main").inner_text()
    for context in {page.context, mentee.context, stranger.context}:
        context.close()


def test_errors_are_words_and_logins_are_checked(browser: Any, web_server: WebServer) -> None:
    context = browser.new_context(base_url=web_server.url)
    page = context.new_page()
    page.set_default_timeout(60_000)
    # no key: the login page, then a wrong key is refused in words
    page.goto("/")
    assert page.url.startswith(f"{web_server.url}/login")
    page.get_by_label("API key").fill("mc_not-a-real-key")
    page.get_by_role("button", name="Log in").click()
    assert "unknown or has been revoked" in page.locator("p.error[role=alert]").inner_text()
    page.get_by_label("API key").fill(web_server.mentor_key)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{web_server.url}/")

    response = page.goto("/mentorships/00000000-0000-0000-0000-000000000000")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "Not found"
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and not body.lstrip().startswith("{")

    # a form error streamed back is shown in words, not JSON
    page.get_by_role("link", name="Home").click()
    page.get_by_role("link", name="Start a new mentorship").click()
    page.locator("#mentee_name").fill("Sam")
    page.locator("#mentee_person_id").fill("dana@acme.test")
    page.get_by_role("button", name="Start the mentorship").click()
    alert = page.locator("p.error[role=alert]")
    assert "mentor and mentee must be different people" in alert.inner_text()
    assert page.locator("#mentee_name").input_value() == "Sam", "what was typed is kept"

    page.goto("/")
    page.locator("table.mentorships a").first.click()
    page.get_by_role("link", name=re.compile("Prepare session")).click()
    page.locator("#duration").evaluate("el => { el.removeAttribute('min'); el.value = '5'; }")
    page.get_by_role("button", name="Generate the plan").click()
    problem = page.locator("#problem")
    problem.wait_for()
    assert "between 10 and 240" in problem.inner_text()
    assert "{" not in problem.inner_text()
    context.close()


def tab_to(page: Any, predicate: str, limit: int = 60) -> None:
    """Press Tab until the focused element matches the JS predicate (given `el`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return Boolean({predicate}); }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate}")


def test_keyboard_only_and_phone_width(browser: Any, web_server: WebServer) -> None:
    page = login(browser, web_server, web_server.mentor_key, viewport={"width": 375, "height": 740})
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"

    # start a mentorship and generate a plan with the keyboard alone
    tab_to(page, "el.textContent === 'Start a new mentorship'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("/mentorships/new$"))
    tab_to(page, "el.id === 'mentee_name'")
    page.keyboard.type("Kim")
    tab_to(page, "el.id === 'mentee_person_id'")
    page.keyboard.type("kim@acme.test")
    tab_to(page, "el.textContent === 'Start the mentorship'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/mentorships/[0-9a-f-]{36}$"))
    href = page.url.removeprefix(web_server.url)
    tab_to(page, "el.textContent === 'Prepare session 1'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("/prepare$"))
    tab_to(page, "el.textContent === 'Generate the plan'")
    page.keyboard.press("Enter")
    page.locator("#plan h2", has_text="Agenda for session 1").wait_for()
    tab_to(page, "el.name === 'minutes'")
    page.keyboard.press("Control+A")
    page.keyboard.type("30")
    page.keyboard.press("Tab")
    assert sum(minutes(page)) == 45 and minutes(page)[0] == 30

    # readable at phone width: nothing scrolls sideways, every field has a label
    for url in (
        "/",
        "/mentorships/new",
        href,
        f"{href}/prepare",
        f"{href}/decisions",
        f"{href}/goals",
        f"{href}/mentee",
    ):
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} scrolls sideways at phone width by {overflow}px"
        assert unlabelled(page) == [], url
    screenshot(page, "phone-mentee-view")
    page.context.close()


def test_local_mode_serves_the_home_page_without_a_login(
    browser: Any, tmp_path: Path, knowledge_data_dir: Path
) -> None:
    """What the README's main command leads to: `companion serve` on loopback, no keys, the home page."""
    import shutil

    from tests.conftest import make_settings
    from tests.servers import served

    data_dir = tmp_path / "data"
    shutil.copytree(knowledge_data_dir, data_dir)
    with served(data_dir, make_settings(data_dir)) as url:
        context = browser.new_context(base_url=url)
        page = context.new_page()
        page.goto("/")
        assert page.locator("h1").inner_text() == "Your mentorships"
        assert "local mode" in page.locator("header").inner_text()
        assert page.get_by_role("link", name="Start a new mentorship").is_visible()
        screenshot(page, "home-local-mode")
        context.close()
