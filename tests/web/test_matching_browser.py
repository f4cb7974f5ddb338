"""The matching pages in headless Chromium against a real `companion serve`: the admin picks a mentee and
reads the ranked mentors, a mentee asks for a mentor, the admin sees the request, runs a cohort and
accepts its pairs (submitted three times, twice at once: the mentorships exist once each)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from companion import access
from companion.memory.schemas import KeyCreate, MenteeCreate, MentorCreate
from companion.service import Companion
from tests.conftest import make_settings
from tests.servers import served
from tests.web.conftest import TENANT, screenshot
from tests.web.test_browser import api_get, login, unlabelled

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class MatchServer:
    url: str
    admin_key: str
    mentee_key: str
    mentor_key: str


@pytest.fixture(scope="module")
def match_server(
    knowledge_data_dir: Path, tmp_path_factory: pytest.TempPathFactory, embedder: Any
) -> Iterator[MatchServer]:
    """A served tenant with two mentor records (dana: fundraising, 2 places; eli: hiring, 1 place) and two
    mentee records (priya wants to raise a seed round, sam to hire engineers), and keys for them."""
    data_dir = tmp_path_factory.mktemp("match-web") / "data"
    shutil.copytree(knowledge_data_dir, data_dir)
    settings = make_settings(data_dir)
    companion = Companion(settings, embedder=embedder)
    companion.upgrade_database()
    keys = companion.keys
    admin = keys.create_key(TENANT, KeyCreate(role="admin", name="Admin"))
    mentee = keys.create_key(TENANT, KeyCreate(role="mentee", person_id="priya", name="Priya"))
    mentor = keys.create_key(TENANT, KeyCreate(role="mentor", person_id="dana", name="Dana"))
    caller = access.Caller(tenant=TENANT, role="admin")
    people = companion.people
    people.create_mentor(
        caller,
        MentorCreate(
            person_id="dana",
            name="Dana",
            expertise=["fundraising for B2B startups", "investor pitches"],
            capacity=2,
        ),
    )
    people.create_mentor(caller, MentorCreate(person_id="eli", name="Eli", expertise=["hiring engineers"], capacity=1))
    people.create_mentee(
        caller, MenteeCreate(person_id="priya", name="Priya", goals=["raise a seed round"], challenges=["pitching"])
    )
    people.create_mentee(caller, MenteeCreate(person_id="sam", name="Sam", goals=["hire the first two engineers"]))
    companion.database.dispose()
    with served(data_dir, settings) as url:
        yield MatchServer(url, admin.key, mentee.key, mentor.key)


def active_pairs(server: MatchServer) -> list[tuple[str, str]]:
    status, body, _ = api_get(server, "/v1/mentorships", server.admin_key)  # type: ignore[arg-type]
    assert status == 200, body
    return sorted((m["mentee"]["person_id"], m["mentor"]["person_id"]) for m in json.loads(body))


def test_match_page_ranked_mentors_request_cohort_and_idempotent_accept(
    browser: Any, match_server: MatchServer
) -> None:
    admin = login(browser, match_server, match_server.admin_key)  # type: ignore[arg-type]
    admin.get_by_role("link", name="Match mentors and mentees").click()
    admin.wait_for_url(re.compile("/matches$"))
    admin.get_by_label("Mentee", exact=True).select_option("priya")
    admin.get_by_role("button", name="Show the ranked mentors").click()
    admin.wait_for_url(re.compile(r"/matches\?mentee=priya"))
    ranked = admin.locator("ol.matches > li.match h4").all_inner_texts()
    assert ranked[0].startswith("Dana") and len(ranked) == 2, ranked
    first = admin.locator("ol.matches > li.match").first
    parts = first.locator("table.match-parts tbody th").all_inner_texts()
    assert parts == ["expertise", "interests", "language", "time zone", "capacity"], parts
    assert "covers" in first.locator("table.match-parts").inner_text()
    assert unlabelled(admin) == []
    screenshot(admin, "match-one-mentee")

    # the mentee asks for a mentor from their suggestions
    mentee = login(browser, match_server, match_server.mentee_key)  # type: ignore[arg-type]
    mentee.get_by_role("link", name="Suggested mentors").click()
    mentee.wait_for_url(re.compile("/suggested-mentors$"))
    assert mentee.locator("ol.matches h2").first.inner_text() == "Dana"
    mentee.get_by_label("Why Dana? (optional)").fill("She has raised seed rounds.")
    mentee.get_by_role("button", name="Ask for Dana as my mentor").click()
    mentee.wait_for_url(re.compile(r"/suggested-mentors\?asked=dana"))
    assert "Your request for Dana was sent" in mentee.locator("main").inner_text()
    assert "waiting for an admin" in mentee.locator("#requests").inner_text()
    assert unlabelled(mentee) == []
    screenshot(mentee, "suggested-mentors")

    # the admin sees the request, runs the cohort and accepts its pairs
    admin.goto("/matches")
    assert "Priya asks for Dana" in admin.locator("main").inner_text()
    assert "She has raised seed rounds." in admin.locator("main").inner_text()
    admin.get_by_role("button", name="Match the cohort").click()
    result = admin.locator("#cohort-result")
    result.wait_for()
    pairs = sorted(result.locator("input[name=pair]").evaluate_all("els => els.map(e => e.value)"))
    assert pairs == ["priya dana", "sam eli"], pairs
    assert "Total fit" in result.inner_text()
    screenshot(admin, "match-cohort")
    assert active_pairs(match_server) == []
    # a double submit: the same form sent twice at once from the page, then the button clicked
    statuses = admin.evaluate(
        """async () => {
            const form = document.querySelector('#cohort-result form');
            const send = () => fetch(form.action, {method: 'POST', body: new URLSearchParams(new FormData(form)),
                                                    redirect: 'manual'});
            const answers = await Promise.all([send(), send()]);
            return answers.map((a) => a.type === 'opaqueredirect' ? 303 : a.status);
        }"""
    )
    assert statuses == [303, 303], statuses
    admin.get_by_role("button", name="Accept the ticked pairs and start their mentorships").click()
    admin.wait_for_url(re.compile(r"/matches\?accepted=0&existing=2"))
    assert "2 pairs already had one" in admin.locator("#accepted").inner_text()
    assert active_pairs(match_server) == [("priya", "dana"), ("sam", "eli")], "each pair started exactly once"
    assert "No open requests" in admin.locator("main").inner_text(), "accepting the pair accepted the request"
    mentee.goto("/suggested-mentors")
    assert mentee.get_by_role("link", name="your mentorship").count() == 1
    for context in {admin.context, mentee.context}:
        context.close()


def test_match_pages_at_phone_width_keyboard_and_refusals(browser: Any, match_server: MatchServer) -> None:
    admin = login(browser, match_server, match_server.admin_key, viewport={"width": 390, "height": 800})  # type: ignore[arg-type]
    admin.goto("/matches?mentee=sam")
    admin.keyboard.press("Tab")
    assert admin.evaluate("document.activeElement.textContent") == "Skip to content"
    for url in ("/matches", "/matches?mentee=sam", "/mentorships/new"):
        admin.goto(url)
        overflow = admin.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} scrolls sideways at phone width by {overflow}px"
        assert unlabelled(admin) == [], url
    assert admin.get_by_label("Stored mentor record").locator("option").count() == 3
    mentee = login(browser, match_server, match_server.mentee_key, viewport={"width": 390, "height": 800})  # type: ignore[arg-type]
    mentee.goto("/suggested-mentors")
    assert mentee.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    response = mentee.goto("/matches")
    assert response is not None and response.status == 403
    mentor = login(browser, match_server, match_server.mentor_key)  # type: ignore[arg-type]
    response = mentor.goto("/matches")
    assert response is not None and response.status == 403 and mentor.locator("h1").inner_text() == "Not allowed"
    for context in {admin.context, mentee.context, mentor.context}:
        context.close()
