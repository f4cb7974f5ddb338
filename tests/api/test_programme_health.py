"""Programme health (issue 13): exact numbers on a small world with fixed dates, the stalled and at-risk
filters, who may read it (admin and platform of the tenant; 403 for mentor and mentee keys; another tenant
sees only its own), and that only counts and dates cross: no note, item, decision or profile text.

The world, on TODAY = Wednesday 2030-01-09 (its week starts Monday 2030-01-07), tenant acme:

- M1 dana -> priya: sessions held 2029-11-28, 2029-12-12, 2030-01-02 (one more prepared for 2030-01-16, not
  held yet); a goal plan meeting 2029-12-12, 12-26, 2030-01-09 and 01-23 (3 planned so far, 2 held since its
  first date: 1 behind); 3 overdue action items, 1 open one, 1 done; a decision due 2030-01-06 and one due
  later. At risk for its overdue items.
- M2 eli -> sam: one session, 2029-12-05 (35 days ago: stalled at 21); a goal plan meeting 2029-12-19 and
  2030-01-02, none held (2 behind); its only decision was checked in. At risk: stalled and behind.
- M3 dana -> omar: no session and no goal plan (started long before TODAY): stalled, cadence unknown.
- M4 eli -> lina: a session the day before TODAY, one open item: on track.

Tenant globex has one mentorship of its own.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from companion.access import Caller
from companion.schemas import Cadence
from tests.api.privacy_support import BASE_URL, create_key, login, mentorship_body
from tests.conftest import TEST_DATABASE_URL, make_settings, wait_until_indexed, wipe_database

TODAY = dt.date(2030, 1, 9)
MARKER = "HEALTH-CONTENT-MARKER-51c7"
"""Planted in every kind of content: notes (shared and private), items, decisions, feedback, profiles."""
GENERATOR = {"provider": "offline", "model": "composer", "prompt_version": "test/1"}


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def framework(statement: str, check_in: str) -> dict[str, Any]:
    return {
        "framework": {
            "generator": GENERATOR,
            "decision": statement,
            "reversibility": {"level": "reversible", "reason": f"{MARKER} it can be undone"},
            "criteria": ["runway"],
            "options": [],
            "premortem": [],
            "questions_for_mentor": [],
            "experiment": f"Try it small. {MARKER}",
            "next_steps": [],
            "check_in_date": check_in,
        }
    }


@dataclass
class World:
    client: TestClient
    headers: dict[str, dict[str, str]]
    ids: dict[str, str]

    def get(self, caller: str, path: str = "/v1/programme/health", **params: Any) -> Any:
        params.setdefault("today", TODAY.isoformat())
        return self.client.get(path, headers=self.headers[caller], params=params)

    def health(self, caller: str = "admin", **params: Any) -> dict[str, Any]:
        response = self.get(caller, **params)
        assert response.status_code == 200, response.text
        return response.json()


def _ok(response: Any, status: int = 201) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _build(client: TestClient) -> World:
    h = {
        "admin": create_key(client, "acme", "admin"),
        "platform": create_key(client, "acme", "platform"),
        "dana": create_key(client, "acme", "mentor", "dana"),
        "eli": create_key(client, "acme", "mentor", "eli"),
        "priya": create_key(client, "acme", "mentee", "priya"),
        "lina": create_key(client, "acme", "mentee", "lina"),
        "globex": create_key(client, "globex", "admin"),
    }
    admin = h["admin"]
    mentor_of: dict[str, str] = {}

    def mentorship(mentor: str, mentee: str, headers: dict[str, str] = admin) -> str:
        body = mentorship_body(mentor, mentee, challenges=[f"{MARKER} fear of pitching"])
        made = str(_ok(client.post("/v1/mentorships", headers=headers, json=body))["id"])
        mentor_of[made] = mentor
        return made

    def session(mid: str, day: str, notes: bool = True) -> str:
        body: dict[str, Any] = {"date": day}
        if notes:
            body["notes"] = [
                {"text": f"{MARKER} shared: the pitch went well", "visibility": "shared"},
                {"text": f"{MARKER} private: she doubts herself", "visibility": "mentor_private"},
            ]
        posted = client.post(f"/v1/mentorships/{mid}/sessions", headers=h[mentor_of[mid]], json=body)
        return str(_ok(posted)["id"])

    def items(mid: str, *dues: str | None, done: int = 0) -> None:
        body = {"items": [{"text": f"{MARKER} item {i}", "owner": "mentee", "due": due} for i, due in enumerate(dues)]}
        made = _ok(client.post(f"/v1/mentorships/{mid}/action-items", headers=admin, json=body))
        for item in made[:done]:
            _ok(
                client.patch(f"/v1/mentorships/{mid}/action-items/{item['id']}", headers=admin, json={"done": True}),
                200,
            )

    def cadence(mid: str, *days: str) -> None:
        memory = client.app.state.companion.memory  # type: ignore[attr-defined]
        plan = Cadence(
            frequency="every 2 weeks", session_minutes=45, meeting_day="Wednesday", sessions=[d(x) for x in days]
        )
        memory.save_cadence("acme", mid, plan)

    m1, m2, m3, m4 = (
        mentorship(*pair) for pair in (("dana", "priya"), ("eli", "sam"), ("dana", "omar"), ("eli", "lina"))
    )
    s1 = session(m1, "2029-11-28")
    session(m1, "2029-12-12")
    session(m1, "2030-01-02")
    session(m1, "2030-01-16", notes=False)
    feedback = {"generator": GENERATOR, "summary": f"{MARKER} feedback"}
    _ok(client.put(f"/v1/mentorships/{m1}/sessions/{s1}/feedback", headers=admin, json=feedback), 200)
    cadence(m1, "2029-12-12", "2029-12-26", "2030-01-09", "2030-01-23")
    items(m1, "2029-12-01", "2030-01-01", "2029-12-20", "2030-01-08", "2030-01-20", done=1)
    _ok(client.post(f"/v1/mentorships/{m1}/decisions", headers=admin, json=framework(f"{MARKER} pitch?", "2030-01-06")))
    _ok(client.post(f"/v1/mentorships/{m1}/decisions", headers=admin, json=framework(f"{MARKER} hire?", "2030-02-01")))

    session(m2, "2029-12-05")
    cadence(m2, "2029-12-19", "2030-01-02")
    checked = _ok(client.post(f"/v1/mentorships/{m2}/decisions", headers=admin, json=framework("Move?", "2030-01-03")))
    _ok(
        client.post(
            f"/v1/mentorships/{m2}/decisions/{checked['id']}/check-in",
            headers=admin,
            json={"outcome": f"{MARKER} done"},
        ),
        200,
    )
    session(m4, "2030-01-08")
    items(m4, "2030-01-30")

    def rate(mid: str, mentee: str, *ratings: int) -> None:
        """The mentee rates the mentorship's first goal (seeded from the profile) once per rating given."""
        goal = _ok(client.get(f"/v1/mentorships/{mid}/goals", headers=admin), 200)[0]
        for rating in ratings:
            body = {"rating": rating, "comment": f"{MARKER} self-assessment"}
            _ok(client.post(f"/v1/mentorships/{mid}/goals/{goal['id']}/check-ins", headers=h[mentee], json=body))

    rate(m1, "priya", 5, 5)  # no rise over two check-ins: stalled
    rate(m4, "lina", 6)  # one check-in says nothing about a trend yet: on track
    g1 = mentorship("lee", "kim", h["globex"])
    return World(client, h, {"m1": m1, "m2": m2, "m3": m3, "m4": m4, "g1": g1})


@pytest.fixture(scope="module")
def world(knowledge_data_dir: Path, tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("programme") / "data"
    shutil.copytree(knowledge_data_dir, data_dir)
    overrides: dict[str, object] = {"rate_limit_per_minute": 0}
    if TEST_DATABASE_URL:
        wipe_database(TEST_DATABASE_URL)
        overrides["database_url"] = TEST_DATABASE_URL
    settings = make_settings(data_dir, **overrides)
    client = TestClient(
        create_app(settings, embedder=embedder, local_mode=False), raise_server_exceptions=False, base_url=BASE_URL
    )
    with client:
        wait_until_indexed(client)
        yield _build(client)


def by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["mentorship_id"]: row for row in report["mentorships"]}


def test_each_mentorship_has_its_exact_numbers(world: World) -> None:
    report = world.health()
    rows = by_id(report)
    ids = world.ids
    assert [row["mentorship_id"] for row in report["mentorships"]] == [ids["m1"], ids["m2"], ids["m3"], ids["m4"]]
    m1 = rows[ids["m1"]]
    assert {k: m1[k] for k in m1 if k not in ("mentorship_id", "started_on")} == {
        "mentor_person_id": "dana",
        "mentee_person_id": "priya",
        "status": "active",
        "sessions_held": 3,
        "last_session_date": "2030-01-02",
        "days_since_last_session": 7,
        "sessions_planned": 3,
        "sessions_held_in_plan": 2,
        "sessions_behind": 1,
        "next_planned_session": "2030-01-23",
        "open_action_items": 4,
        "overdue_action_items": 3,
        "decisions_due": 1,
        "goals_active": 2,
        "goals_on_track": 1,
        "goals_stalled": 1,
        "goals_achieved": 0,
        "stalled": False,
        "at_risk": True,
        "risks": ["overdue_items", "goals_stalled"],
    }
    m2 = rows[ids["m2"]]
    assert (m2["sessions_held"], m2["last_session_date"], m2["days_since_last_session"]) == (1, "2029-12-05", 35)
    assert (m2["sessions_planned"], m2["sessions_held_in_plan"], m2["sessions_behind"]) == (2, 0, 2)
    assert (m2["decisions_due"], m2["overdue_action_items"], m2["open_action_items"]) == (0, 0, 0)
    assert m2["stalled"] and m2["risks"] == ["stalled", "sessions_behind"]
    m3 = rows[ids["m3"]]
    assert m3["sessions_held"] == 0 and m3["last_session_date"] is None and m3["days_since_last_session"] is None
    assert m3["sessions_planned"] is None and m3["sessions_behind"] is None, "no goal plan: unknown, not zero"
    assert m3["stalled"] and m3["risks"] == ["stalled"]
    m4 = rows[ids["m4"]]
    assert (m4["days_since_last_session"], m4["open_action_items"], m4["at_risk"], m4["risks"]) == (1, 1, False, [])
    assert (m4["goals_active"], m4["goals_on_track"], m4["goals_stalled"]) == (2, 2, 0)
    assert report["totals"] == {
        "mentorships": 4,
        "active": 4,
        "paused": 0,
        "closed": 0,
        "stalled": 2,
        "at_risk": 3,
        "sessions_held": 5,
        "open_action_items": 5,
        "overdue_action_items": 3,
        "decisions_due": 1,
        "goals_active": 8,
        "goals_stalled": 1,
        "goals_achieved": 0,
    }
    assert (report["tenant"], report["today"], report["stalled_after_days"]) == ("acme", "2030-01-09", 21)
    assert (report["at_risk_overdue_items"], report["at_risk_sessions_behind"]) == (3, 2)


def test_sessions_per_week_are_monday_weeks_ending_this_week(world: World) -> None:
    weeks = world.health(weeks=6)["sessions_per_week"]
    assert weeks == [
        {"week_start": "2029-12-03", "sessions": 1},
        {"week_start": "2029-12-10", "sessions": 1},
        {"week_start": "2029-12-17", "sessions": 0},
        {"week_start": "2029-12-24", "sessions": 0},
        {"week_start": "2029-12-31", "sessions": 1},
        {"week_start": "2030-01-07", "sessions": 1},
    ]
    assert len(world.health()["sessions_per_week"]) == 12


def test_the_stalled_and_at_risk_filters(world: World) -> None:
    ids = world.ids
    stalled = world.health(status="stalled")
    assert [row["mentorship_id"] for row in stalled["mentorships"]] == [ids["m2"], ids["m3"]]
    assert stalled["status"] == "stalled" and stalled["totals"]["mentorships"] == 4, "totals cover the programme"
    at_risk = world.health(status="at_risk")
    assert [row["mentorship_id"] for row in at_risk["mentorships"]] == [ids["m1"], ids["m2"], ids["m3"]]
    later = world.health(status="stalled", stalled_after_days=40)
    assert [row["mentorship_id"] for row in later["mentorships"]] == [ids["m3"]], "35 days is not 40"
    assert later["stalled_after_days"] == 40 and later["totals"]["stalled"] == 1
    m2 = by_id(world.health(status="at_risk", stalled_after_days=40))[ids["m2"]]
    assert m2["risks"] == ["sessions_behind"], "still two sessions behind its plan"
    assert world.health(stalled_after_days=35)["totals"]["stalled"] == 2, "35 days without a session: stalled at 35"
    assert world.health(stalled_after_days=36)["totals"]["stalled"] == 1, "but not at 36 (M3 has had none at all)"
    for bad in ({"status": "late"}, {"stalled_after_days": 0}, {"weeks": 0}, {"weeks": 105}):
        assert world.get("admin", **bad).status_code == 422, bad


def test_admin_and_platform_read_it_mentor_and_mentee_keys_are_refused(world: World) -> None:
    assert world.health("platform") == world.health("admin"), "a platform reads the programme as its admin does"
    for caller in ("dana", "priya"):
        response = world.get(caller)
        assert response.status_code == 403, (caller, response.text)
        assert "programme" in response.json()["detail"]
        assert world.ids["m1"] not in response.text


def test_another_tenant_sees_only_its_own_programme(world: World) -> None:
    report = world.health("globex")
    assert report["tenant"] == "globex"
    assert [row["mentorship_id"] for row in report["mentorships"]] == [world.ids["g1"]]
    assert report["totals"]["mentorships"] == 1 and report["totals"]["sessions_held"] == 0
    text = world.get("globex").text
    assert not any(world.ids[m] in text for m in ("m1", "m2", "m3", "m4")) and "acme" not in text
    assert world.ids["g1"] not in world.get("admin").text


def test_no_content_crosses_only_counts_and_dates(world: World) -> None:
    """The marker is in every note, item, decision, feedback and profile of acme: none of it may appear."""
    for caller in ("admin", "platform"):
        for params in ({}, {"status": "stalled"}, {"status": "at_risk"}):
            assert MARKER not in world.get(caller, **params).text
    web = TestClient(world.client.app, base_url=BASE_URL)
    login(web, world.headers["admin"])
    page = web.get("/programme")
    assert page.status_code == 200 and MARKER not in page.text
    metrics = world.client.get("/metrics").text
    assert MARKER not in metrics and world.ids["m1"] not in metrics and "priya" not in metrics.casefold()
    schema = world.client.get("/openapi.json").json()["components"]["schemas"]["MentorshipHealth"]["properties"]
    assert not {"text", "notes", "goals", "statement", "name", "mentor", "mentee"} & set(schema)


def test_the_programme_page_for_admins_sorts_without_script(world: World) -> None:
    web = TestClient(world.client.app, base_url=BASE_URL)
    login(web, world.headers["admin"])
    assert 'href="/programme"' in web.get("/").text, "the home page links to it"
    page = web.get("/programme", params={"sort": "mentee", "order": "asc"})
    assert page.status_code == 200, page.text
    html = page.text
    order = [html.index(f'data-mentorship="{world.ids[m]}"') for m in ("m4", "m3", "m1", "m2")]
    assert order == sorted(order), "lina, omar, priya, sam"
    assert 'aria-sort="ascending"' in html and html.count("aria-sort=") == 1
    assert "/programme?status=all&amp;weeks=12&amp;sort=mentee&amp;order=desc" in html, "the header flips the order"
    assert "<svg" in html and "Sessions held per week" in html
    descending = web.get("/programme", params={"sort": "mentee", "order": "desc"}).text
    assert descending.index(f'data-mentorship="{world.ids["m2"]}"') < descending.index(
        f'data-mentorship="{world.ids["m4"]}"'
    )
    assert web.get("/programme", params={"sort": "nonsense"}).status_code == 422
    login(web, world.headers["dana"])
    refused = web.get("/programme")
    assert refused.status_code == 403 and world.ids["m1"] not in refused.text
    assert 'href="/programme"' not in web.get("/").text


def test_metrics_gauges_sum_the_install_and_name_no_tenant(world: World) -> None:
    """/metrics needs no key, so it must not tell one tenant another's name or numbers. It runs on the
    real date, so only what does not depend on it is checked exactly (acme has 4 active, globex 1)."""
    text = world.client.get("/metrics").text
    assert 'companion_programme_mentorships{status="active"} 5.0' in text
    for name in ("sessions_held", "open_items", "overdue_items", "decisions_due"):
        assert re.search(rf"^companion_programme_{name} \d+\.0$", text, re.M), name
    programme = [line for line in text.splitlines() if line.startswith("companion_programme_")]
    assert programme and not any("acme" in line or "globex" in line or "tenant" in line for line in programme)


def test_the_cli_prints_the_table_and_honours_the_filters(world: World, run_cli: Any, monkeypatch: Any) -> None:
    settings = world.client.app.state.settings  # type: ignore[attr-defined]
    env = {"COMPANION_DATA_DIR": str(settings.data_dir), "COLUMNS": "200"}
    if settings.database_url:
        env["COMPANION_DATABASE_URL"] = settings.database_url
    code, out, err = run_cli(
        "programme",
        "health",
        "--tenant",
        "acme",
        "--today",
        TODAY.isoformat(),
        "--status",
        "stalled",
        "--json",
        env=env,
    )
    assert code == 0, err
    report = json.loads(out)
    assert [row["mentorship_id"] for row in report["mentorships"]] == [world.ids["m2"], world.ids["m3"]]
    assert report == world.health(status="stalled")
    code, out, err = run_cli("programme", "health", "--tenant", "acme", "--today", TODAY.isoformat(), env=env)
    assert code == 0, err
    assert "4 mentorships (4 active, 2 stalled, 3 at risk)" in out and "5 sessions held" in out
    for person in ("priya", "sam", "omar", "lina"):
        assert person in out
    assert "overdue_items" in out and MARKER not in out
    code, out, _ = run_cli(
        "programme",
        "health",
        "--tenant",
        "acme",
        "--today",
        "2030-01-09",
        "--stalled-after-days",
        "40",
        "--status",
        "stalled",
        env=env,
    )
    assert code == 0 and "omar" in out and "sam" not in out
    assert run_cli("programme", "health", "--status", "late", env=env)[0] == 2


def test_the_policy_names_who_reads_the_programme() -> None:
    from companion import access

    access.require_programme_viewer(Caller(tenant="acme", role="platform"))
    for role in ("mentor", "mentee"):
        with pytest.raises(access.Forbidden):
            access.require_programme_viewer(Caller(tenant="acme", role=role, person_id="x"))  # type: ignore[arg-type]
