"""Mentor and mentee records, suggested mentors and cohorts, through the real app (SQLite, Chroma, MiniLM)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from companion import matching

Keys = Callable[..., dict[str, str]]

DANA = {
    "person_id": "dana",
    "name": "Dana",
    "expertise": ["fundraising for early-stage startups", "pitching to investors"],
    "experience": "Raised three seed rounds for B2B software companies. Coached founders before demo days.",
    "interests": ["climbing", "jazz"],
    "languages": ["en", "de"],
    "time_zone": "Europe/Berlin",
    "capacity": 2,
}
ELI = {
    "person_id": "eli",
    "name": "Eli",
    "expertise": ["UX research", "design systems"],
    "interests": ["gardening"],
    "languages": ["en"],
    "time_zone": "America/Los_Angeles",
    "capacity": 1,
}
FAY = {
    "person_id": "fay",
    "name": "Fay",
    "expertise": ["supply chain operations", "hiring a first team"],
    "interests": ["jazz"],
    "languages": ["es", "en"],
    "time_zone": "Europe/Madrid",
    "capacity": 1,
}
PRIYA = {
    "person_id": "priya",
    "name": "Priya",
    "role": "first-time founder",
    "goals": ["raise a seed round by June"],
    "challenges": ["fear of pitching to investors"],
    "interests": ["Jazz", "climbing"],
    "languages": ["en"],
    "time_zone": "Europe/London",
}

PROFILE = {k: v for k, v in PRIYA.items() if k != "person_id"}


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, (response.request.method, response.request.url.path, response.text)
    return response.json()


def errors_at(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    return [e["path"] for e in response.json()["errors"]]


@pytest.fixture
def admin(client: TestClient, keys: Keys) -> dict[str, str]:
    return keys("acme", "admin")


def store(client: TestClient, headers: dict[str, str], *mentors: dict[str, Any], mentees: tuple[Any, ...] = ()) -> None:
    for body in mentors:
        ok(client.post("/v1/mentors", headers=headers, json=body), 201)
    for body in mentees:
        ok(client.post("/v1/mentees", headers=headers, json=body), 201)


def note(client: TestClient, headers: dict[str, str], note_id: str, text: str, author: str, visibility: str) -> None:
    body = {"notes": [{"id": note_id, "title": note_id, "text": text, "visibility": visibility, "author": author}]}
    ok(client.post("/v1/knowledge/notes", headers=headers, json=body), 201)


def suggest(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    return ok(client.post("/v1/matches", headers=headers, json=body))


def by_mentor(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["mentor_id"]: m for m in result["matches"]}


def part(match: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in match["parts"] if p["name"] == name)


# --------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------
def test_people_are_created_listed_read_and_changed(client: TestClient, admin: dict[str, str]) -> None:
    created = ok(client.post("/v1/mentors", headers=admin, json=DANA), 201)
    assert created["tenant"] == "acme" and created["active_mentees"] == 0 and created["capacity"] == 2
    assert created["languages"] == ["en", "de"] and created["time_zone"] == "Europe/Berlin"
    again = client.post("/v1/mentors", headers=admin, json=DANA)
    assert again.status_code == 409 and "dana" in again.json()["detail"], again.text
    ok(client.post("/v1/mentors", headers=admin, json=ELI), 201)
    assert [m["person_id"] for m in ok(client.get("/v1/mentors", headers=admin))] == ["dana", "eli"]

    changed = ok(client.patch("/v1/mentors/dana", headers=admin, json={"capacity": 4, "availability": "Tuesdays"}))
    assert changed["capacity"] == 4 and changed["availability"] == "Tuesdays"
    assert changed["expertise"] == DANA["expertise"], "fields not sent stay as they were"
    assert ok(client.get("/v1/mentors/dana", headers=admin)) == changed
    assert ok(client.patch("/v1/mentors/dana", headers=admin, json={"time_zone": None}))["time_zone"] is None

    mentee = ok(client.post("/v1/mentees", headers=admin, json=PRIYA), 201)
    assert mentee["goals"] == PRIYA["goals"] and "capacity" not in mentee
    assert ok(client.patch("/v1/mentees/priya", headers=admin, json={"goals": ["close a pre-seed round"]}))[
        "goals"
    ] == ["close a pre-seed round"]
    assert ok(client.get("/v1/mentees", headers=admin))[0]["person_id"] == "priya"


def test_bad_people_input_names_the_field(client: TestClient, admin: dict[str, str]) -> None:
    assert errors_at(client.post("/v1/mentors", headers=admin, json={**DANA, "capacity": 51})) == ["capacity"]
    assert errors_at(client.post("/v1/mentors", headers=admin, json={**DANA, "capacity": -1})) == ["capacity"]
    bad_zone = client.post("/v1/mentors", headers=admin, json={**DANA, "time_zone": "Mars/Olympus"})
    assert errors_at(bad_zone) == ["time_zone"] and "Mars/Olympus" in bad_zone.text
    assert errors_at(client.post("/v1/mentees", headers=admin, json={**PRIYA, "languages": ["english!"]})) == [
        "languages.0"
    ]
    assert errors_at(client.post("/v1/mentees", headers=admin, json={**PRIYA, "hobbies": ["x"]})) == ["hobbies"]
    store(client, admin, DANA)
    assert errors_at(client.patch("/v1/mentors/dana", headers=admin, json={"capacity": 99})) == ["capacity"]
    null_name = client.patch("/v1/mentors/dana", headers=admin, json={"name": None})
    assert null_name.status_code == 422 and "name cannot be null" in null_name.text
    missing = client.patch("/v1/mentors/nobody", headers=admin, json={"capacity": 1})
    assert missing.status_code == 404 and "nobody" in missing.json()["detail"]


def test_a_mentorship_starts_from_stored_records_and_takes_a_place(client: TestClient, admin: dict[str, str]) -> None:
    store(client, admin, DANA, mentees=(PRIYA,))
    body = {"mentor_id": "dana", "mentee_id": "priya", "goals": ["practise the pitch monthly"]}
    mentorship = ok(client.post("/v1/mentorships", headers=admin, json=body), 201)
    assert mentorship["mentor"]["expertise"] == DANA["expertise"] and mentorship["mentor"]["name"] == "Dana"
    assert mentorship["mentee"]["challenges"] == PRIYA["challenges"]
    assert mentorship["goals"] == ["practise the pitch monthly", "raise a seed round by June"]
    assert ok(client.get("/v1/mentors/dana", headers=admin))["active_mentees"] == 1

    unknown = client.post("/v1/mentorships", headers=admin, json={"mentor_id": "ghost", "mentee_id": "priya"})
    assert unknown.status_code == 422 and "mentor_id" in unknown.json()["detail"] and "ghost" in unknown.text
    both = client.post("/v1/mentorships", headers=admin, json={**body, "mentor": {"person_id": "dana"}})
    assert both.status_code == 422 and "not both" in both.text


# --------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------
def test_suggestions_rank_mentors_with_reasons_and_evidence(client: TestClient, admin: dict[str, str]) -> None:
    store(client, admin, DANA, ELI, FAY, mentees=(PRIYA,))
    note(
        client,
        admin,
        "eli-demo-day",
        "Before demo day I rehearse each founder's investor pitch until the fear of pitching goes.",
        "eli",
        "shared",
    )
    result = suggest(client, admin, mentee_id="priya", k=3)
    assert result["matches"][0]["mentor_id"] == "dana"
    assert result["mentors_considered"] == 3 and result["mentors_full"] == 0
    scores = [m["score"] for m in result["matches"]]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)

    dana = by_mentor(result)["dana"]
    assert {p["name"] for p in dana["parts"]} == {"expertise", "interests", "language", "time_zone", "capacity"}
    weights = {p["name"]: p["weight"] for p in dana["parts"]}
    assert weights == {"expertise": 0.55, "interests": 0.15, "language": 0.15, "time_zone": 0.1, "capacity": 0.05}
    weighted = sum(p["score"] * p["weight"] for p in dana["parts"]) / sum(weights.values())
    assert dana["score"] == pytest.approx(weighted, abs=1e-3)
    expertise = part(dana, "expertise")
    assert {e["need"] for e in expertise["evidence"]} <= set(PRIYA["goals"] + PRIYA["challenges"])
    assert any(
        e["kind"] in ("expertise", "experience")
        and e["matched"] in DANA["expertise"] + matching.sentences(DANA["experience"])
        for e in expertise["evidence"]
    )
    assert "goals and challenges" in expertise["reason"]
    interests = part(dana, "interests")
    assert interests["score"] == 1.0 and "Jazz" in interests["reason"] and "climbing" in interests["reason"]
    assert part(dana, "language")["score"] == 1.0
    spanish_first = by_mentor(suggest(client, admin, mentee={**PROFILE, "languages": ["es", "en"]}))
    assert part(spanish_first["fay"], "language")["score"] == 1.0
    assert (
        part(spanish_first["dana"], "language")["score"] == 0.6
        and "prefers es" in part(spanish_first["dana"], "language")["reason"]
    )
    assert part(dana, "time_zone")["score"] > part(by_mentor(result)["eli"], "time_zone")["score"]

    cited = [e["citation"] for m in result["matches"] for p in m["parts"] for e in p["evidence"] if e["citation"]]
    assert cited, "eli's shared note on pitching is his best match for the fear of pitching"
    catalog = client.app.state.companion.catalog
    records = catalog.get_chunks([c["chunk_id"] for c in cited])
    for citation in cited:
        record = records[citation["chunk_id"]]
        assert (record.source, record.title) == (citation["source"], citation["title"])
        assert record.meta["author"] == "eli" and record.meta["visibility"] == "shared"


def test_a_private_note_is_never_evidence_and_never_moves_a_score(
    client: TestClient, admin: dict[str, str], keys: Keys
) -> None:
    store(client, admin, DANA, ELI, mentees=(PRIYA,))
    platform = keys("acme", "platform")
    before = {
        caller: by_mentor(suggest(client, h, mentee_id="priya"))
        for caller, h in (("admin", admin), ("platform", platform))
    }
    # The best possible match for Priya's needs, word for word, but private to Eli.
    note(
        client,
        keys("acme", "mentor", "eli"),
        "eli-private",
        "Raise a seed round by June. Fear of pitching to investors.",
        "eli",
        "mentor_private",
    )
    private_ids = {
        hit["chunk_id"]
        for hit in ok(client.get("/v1/search", headers=admin, params={"q": "raise a seed round by June", "k": 20}))[
            "results"
        ]
        if hit["source"] == "eli-private"
    }
    assert private_ids, "the private note is indexed (and an admin's search finds it)"
    for caller, headers in (("admin", admin), ("platform", platform)):
        after = by_mentor(suggest(client, headers, mentee_id="priya"))
        assert after["eli"]["score"] == before[caller]["eli"]["score"], caller
        assert part(after["eli"], "expertise") == part(before[caller]["eli"], "expertise"), caller
        text = str(after)
        assert "eli-private" not in text and not any(cid in text for cid in private_ids), caller


def test_equal_scores_are_ordered_by_person_id(client: TestClient, admin: dict[str, str]) -> None:
    twin = {**ELI, "capacity": 2}
    store(client, admin, {**twin, "person_id": "zed"}, {**twin, "person_id": "abe"}, {**twin, "person_id": "max"})
    profile = {"name": "Noor", "goals": ["learn UX research"], "languages": ["en"]}
    first = suggest(client, admin, mentee=profile, k=3)
    assert [m["mentor_id"] for m in first["matches"]] == ["abe", "max", "zed"]
    assert len({m["score"] for m in first["matches"]}) == 1
    assert suggest(client, admin, mentee=profile, k=3) == first


def test_a_full_mentor_is_not_suggested(client: TestClient, admin: dict[str, str]) -> None:
    store(client, admin, DANA, {**ELI, "capacity": 0}, mentees=(PRIYA,))
    result = suggest(client, admin, mentee_id="priya")
    assert [m["mentor_id"] for m in result["matches"]] == ["dana"] and result["mentors_full"] == 1
    assert part(result["matches"][0], "capacity")["reason"].startswith("2 of 2 places free")


# --------------------------------------------------------------------------------------
# Cohorts
# --------------------------------------------------------------------------------------
COHORT_MENTEES = [
    {**PRIYA, "person_id": "m1", "name": "Ana"},
    {**PRIYA, "person_id": "m2", "name": "Ben", "goals": ["hire my first operations lead"], "challenges": []},
    {**PRIYA, "person_id": "m3", "name": "Cem", "goals": ["run user interviews"], "challenges": ["no design skills"]},
    {**PRIYA, "person_id": "m4", "name": "Dee", "goals": ["prepare an investor pitch"], "challenges": []},
    {**PRIYA, "person_id": "m5", "name": "Eve", "goals": ["build a design system"], "languages": ["en"]},
]


def test_a_cohort_respects_capacity_is_deterministic_and_beats_greedy(
    client: TestClient, admin: dict[str, str]
) -> None:
    store(client, admin, DANA, ELI, FAY, mentees=tuple(COHORT_MENTEES))  # 2 + 1 + 1 places for 5 mentees
    body = {"mentee_ids": [m["person_id"] for m in reversed(COHORT_MENTEES)], "mentor_ids": ["fay", "eli", "dana"]}
    result = ok(client.post("/v1/matches/cohort", headers=admin, json=body))
    assert result["places"] == 4 and len(result["pairs"]) == 4 and len(result["unmatched"]) == 1
    per_mentor: dict[str, int] = {}
    for pair in result["pairs"]:
        per_mentor[pair["mentor_id"]] = per_mentor.get(pair["mentor_id"], 0) + 1
    assert per_mentor["dana"] <= 2 and per_mentor.get("eli", 0) <= 1 and per_mentor.get("fay", 0) <= 1
    assert "4 free places for 5 mentees" in result["unmatched"][0]["reason"]
    assert [p["mentee_id"] for p in result["pairs"]] == sorted(p["mentee_id"] for p in result["pairs"])
    assert all(p["parts"] and p["parts"][0]["reason"] for p in result["pairs"])
    assert ok(client.post("/v1/matches/cohort", headers=admin, json=body)) == result, "the same input, the same pairs"
    shuffled = {"mentee_ids": sorted(body["mentee_ids"]), "mentor_ids": sorted(body["mentor_ids"])}
    assert ok(client.post("/v1/matches/cohort", headers=admin, json=shuffled)) == result, "order of ids does not count"

    # Greedy over the same scores, read from the single-mentee endpoint.
    mentees, mentors = sorted(body["mentee_ids"]), sorted(body["mentor_ids"])
    scores = np.zeros((len(mentees), len(mentors)))
    for i, mentee in enumerate(mentees):
        found = by_mentor(suggest(client, admin, mentee_id=mentee, k=10))
        for j, mentor in enumerate(mentors):
            scores[i, j] = found[mentor]["score"]
    pair_scores = {(p["mentee_id"], p["mentor_id"]): p["score"] for p in result["pairs"]}
    for (mentee, mentor), score in pair_scores.items():
        assert score == scores[mentees.index(mentee), mentors.index(mentor)], "a pair scores as it does alone"
    greedy = matching.assign_greedy(scores, [2, 1, 1])  # dana, eli, fay
    assert result["total_fit"] >= round(greedy.total, 4) - 1e-9


def test_a_cohort_of_mentors_without_places_matches_nobody_and_says_why(
    client: TestClient, admin: dict[str, str]
) -> None:
    store(client, admin, {**DANA, "capacity": 0}, mentees=(PRIYA,))
    result = ok(
        client.post("/v1/matches/cohort", headers=admin, json={"mentee_ids": ["priya"], "mentor_ids": ["dana"]})
    )
    assert result["pairs"] == [] and result["unmatched"][0]["mentee_id"] == "priya"
    assert "none of the chosen mentors has a free place" in result["unmatched"][0]["reason"]
    unknown = client.post(
        "/v1/matches/cohort", headers=admin, json={"mentee_ids": ["priya", "ghost"], "mentor_ids": ["dana"]}
    )
    assert unknown.status_code == 404 and "ghost" in unknown.json()["detail"]
    repeated = client.post(
        "/v1/matches/cohort", headers=admin, json={"mentee_ids": ["priya", "priya"], "mentor_ids": ["dana"]}
    )
    assert repeated.status_code == 422 and "repeats priya" in repeated.text


def test_the_assignment_is_optimal_where_greedy_is_not() -> None:
    scores = np.array([[0.9, 0.8], [0.85, 0.1]])
    best, greedy = matching.assign_cohort(scores, [1, 1]), matching.assign_greedy(scores, [1, 1])
    assert best.pairs == [(0, 1), (1, 0)] and best.total == pytest.approx(1.65)
    assert greedy.total == pytest.approx(1.0)
    capacity = matching.assign_cohort(np.array([[0.9, 0.2], [0.8, 0.3], [0.7, 0.1]]), [2, 0])
    assert capacity.pairs == [(0, 0), (1, 0)] and capacity.unmatched == [2]


# --------------------------------------------------------------------------------------
# Who may do what
# --------------------------------------------------------------------------------------
def test_people_and_matches_follow_the_access_policy(client: TestClient, admin: dict[str, str], keys: Keys) -> None:
    store(client, admin, DANA, ELI, mentees=(PRIYA, {**PRIYA, "person_id": "sam", "name": "Sam"}))
    dana, priya, sam = keys("acme", "mentor", "dana"), keys("acme", "mentee", "priya"), keys("acme", "mentee", "sam")
    globex = keys("globex", "admin")

    assert client.post("/v1/mentors", headers=dana, json={**ELI, "person_id": "new"}).status_code == 403
    assert client.patch("/v1/mentors/dana", headers=dana, json={"capacity": 5}).status_code == 403
    assert client.post("/v1/mentees", headers=priya, json={**PRIYA, "person_id": "x"}).status_code == 403
    for headers in (dana, priya):
        assert [m["person_id"] for m in ok(client.get("/v1/mentors", headers=headers))] == ["dana", "eli"]
        assert ok(client.get("/v1/mentors/eli", headers=headers))["name"] == "Eli"
    assert ok(client.get("/v1/mentees/priya", headers=priya))["goals"] == PRIYA["goals"]
    assert [m["person_id"] for m in ok(client.get("/v1/mentees", headers=priya))] == ["priya"]
    assert ok(client.get("/v1/mentees", headers=dana)) == []

    missing = client.get("/v1/mentees/nobody", headers=admin)
    for headers, path in ((sam, "/v1/mentees/priya"), (dana, "/v1/mentees/priya"), (globex, "/v1/mentees/priya")):
        hidden = client.get(path, headers=headers)
        assert hidden.status_code == 404 and hidden.json()["detail"] == missing.json()["detail"].replace(
            "nobody", "priya"
        ), (headers, hidden.text)
    assert client.get("/v1/mentors/dana", headers=globex).status_code == 404
    assert ok(client.get("/v1/mentors", headers=globex)) == []

    assert [m["mentor_id"] for m in suggest(client, priya, mentee_id="priya")["matches"]]
    assert client.post("/v1/matches", headers=sam, json={"mentee_id": "priya"}).status_code == 404
    assert client.post("/v1/matches", headers=priya, json={"mentee": PROFILE}).status_code == 403
    assert client.post("/v1/matches", headers=dana, json={"mentee_id": "priya"}).status_code == 403
    assert client.post("/v1/matches", headers=globex, json={"mentee_id": "priya"}).status_code == 404
    cohort = {"mentee_ids": ["priya"], "mentor_ids": ["dana"]}
    assert client.post("/v1/matches/cohort", headers=priya, json=cohort).status_code == 403
    assert client.post("/v1/matches/cohort", headers=globex, json=cohort).status_code == 404
