"""The programme health page in headless Chromium against a real `companion serve`: an admin opens it from
the home page, reads the totals, sorts the table by clicking its headers (links, no script needed; the
sorted header says so with aria-sort), filters to the stalled mentorships, and reads the sessions-per-week
chart and its table. A mentor key is refused; no note text reaches the page."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from companion import access
from companion.memory.schemas import KeyCreate, MentorshipCreate, SessionCreate
from companion.schemas import ActionItem
from companion.service import Companion
from tests.conftest import make_settings
from tests.servers import served
from tests.web.conftest import TENANT, screenshot
from tests.web.test_browser import login, unlabelled

pytestmark = pytest.mark.slow
MARKER = "PROGRAMME-NOTE-MARKER-93d1"


@dataclass(frozen=True)
class ProgrammeServer:
    url: str
    admin_key: str
    mentor_key: str


@pytest.fixture(scope="module")
def programme_server(
    knowledge_data_dir: Path, tmp_path_factory: pytest.TempPathFactory, embedder: Any
) -> Iterator[ProgrammeServer]:
    """Three mentorships, dated from the real today (the page has no `today` parameter): Priya met Dana
    3 days ago and 10 days ago and has 3 overdue items (at risk); Sam met Eli 30 days ago (stalled);
    Omar has not met Dana yet (started today: neither)."""
    data_dir = tmp_path_factory.mktemp("programme-web") / "data"
    shutil.copytree(knowledge_data_dir, data_dir)
    settings = make_settings(data_dir)
    companion = Companion(settings, embedder=embedder)
    companion.upgrade_database()
    admin = companion.keys.create_key(TENANT, KeyCreate(role="admin", name="Admin"))
    mentor = companion.keys.create_key(TENANT, KeyCreate(role="mentor", person_id="dana", name="Dana"))
    caller = access.Caller(tenant=TENANT, role="admin")
    today = dt.date.today()

    def mentorship(mentor_id: str, mentee_id: str) -> str:
        body = MentorshipCreate.model_validate(
            {
                "mentor": {"person_id": mentor_id, "name": mentor_id.title()},
                "mentee": {"person_id": mentee_id, "name": mentee_id.title(), "challenges": [f"{MARKER} pitching"]},
                "goals": ["raise a seed round"],
            }
        )
        return companion.mentoring.create_mentorship(caller, body).id

    def held(mid: str, days_ago: int) -> None:
        notes = [{"text": f"{MARKER} what was said", "visibility": "shared"}]
        when = today - dt.timedelta(days=days_ago)
        companion.memory.add_session(TENANT, mid, SessionCreate.model_validate({"date": when, "notes": notes}))

    priya, sam = mentorship("dana", "priya"), mentorship("eli", "sam")
    mentorship("dana", "omar")
    held(priya, 10)
    held(priya, 3)
    held(sam, 30)
    overdue = [
        ActionItem(text=f"{MARKER} item {n}", owner="mentee", due=today - dt.timedelta(days=n)) for n in (1, 2, 5)
    ]
    companion.memory.add_action_items(TENANT, priya, overdue)
    companion.database.dispose()
    with served(data_dir, settings) as url:
        yield ProgrammeServer(url, admin.key, mentor.key)


def mentees(page: Any) -> list[str]:
    return page.locator("table.programme tbody th[scope=row]").all_inner_texts()


def test_programme_page_sorts_filters_and_charts(browser: Any, programme_server: ProgrammeServer) -> None:
    admin = login(browser, programme_server, programme_server.admin_key)  # type: ignore[arg-type]
    admin.get_by_role("link", name="Programme health").click()
    admin.wait_for_url(re.compile("/programme$"))
    assert admin.locator("h1").inner_text() == "Programme health"
    totals = {
        name: admin.locator(f'dd[data-total="{name}"]').inner_text()
        for name in ("mentorships", "stalled", "at_risk", "sessions_held", "overdue_action_items")
    }
    assert totals == {
        "mentorships": "3",
        "stalled": "1",
        "at_risk": "2",
        "sessions_held": "3",
        "overdue_action_items": "3",
    }
    # default: the least healthy first (at risk, then stalled), ties in the programme's order
    assert mentees(admin) == ["Sam", "Priya", "Omar"]
    assert admin.locator("th[aria-sort]").count() == 1
    assert admin.locator("th[aria-sort]").get_attribute("aria-sort") == "descending"
    assert unlabelled(admin) == []
    screenshot(admin, "programme-health")

    admin.get_by_role("link", name="Mentee", exact=True).click()
    admin.wait_for_url(re.compile(r"sort=mentee&order=asc"))
    assert mentees(admin) == ["Omar", "Priya", "Sam"]
    assert admin.locator("th[aria-sort]").inner_text().startswith("Mentee")
    assert admin.locator("th[aria-sort]").get_attribute("aria-sort") == "ascending"
    admin.get_by_role("link", name=re.compile("^Mentee")).click()
    admin.wait_for_url(re.compile(r"sort=mentee&order=desc"))
    assert mentees(admin) == ["Sam", "Priya", "Omar"]
    admin.get_by_role("link", name="Days since last session").click()
    admin.wait_for_url(re.compile(r"sort=last_session&order=desc"))
    assert mentees(admin) == ["Sam", "Priya", "Omar"], "no session yet sorts last"

    admin.get_by_label("Show").select_option("stalled")
    admin.get_by_role("button", name="Show").click()
    admin.wait_for_url(re.compile(r"status=stalled"))
    assert mentees(admin) == ["Sam"]
    admin.get_by_label("Stalled after (days without a session)").fill("40")
    admin.get_by_role("button", name="Show").click()
    admin.wait_for_url(re.compile(r"stalled_after_days=40"))
    assert mentees(admin) == [] and "None:" in admin.locator("main").inner_text()

    admin.goto("/programme?weeks=8")
    chart = admin.locator("svg.chart")
    assert chart.get_attribute("role") == "img"
    assert chart.locator("rect.bar-week").count() == 8
    admin.locator("details summary", has_text="The same numbers as a table").click()
    counts = [int(x) for x in admin.locator("table.weeks tbody td").all_inner_texts()]
    assert len(counts) == 8 and sum(counts) == 3, counts
    assert MARKER not in admin.content()
    screenshot(admin, "programme-health-chart")

    mentor = login(browser, programme_server, programme_server.mentor_key)  # type: ignore[arg-type]
    assert mentor.get_by_role("link", name="Programme health").count() == 0
    answer = mentor.goto("/programme")
    assert answer is not None and answer.status == 403
    assert "Programme health" not in mentor.locator("h1").inner_text()
    for context in {admin.context, mentor.context}:
        context.close()
