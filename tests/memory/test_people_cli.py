"""`companion people add|list`: records stored through the same use cases as the API, errors as one line."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from companion.memory import Database
from companion.memory.people import PeopleRepository

RunCli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def people_cli(run_cli: RunCli, database_url: str, database: Database) -> RunCli:
    def run(*args: str) -> tuple[int, str, str]:
        return run_cli("people", *args, env={"COMPANION_DATABASE_URL": database_url})

    return run


def test_add_and_list_mentors_and_mentees(people_cli: RunCli, database: Database) -> None:
    code, stdout, _ = people_cli(
        "add", "--role", "mentor", "--person", "dana", "--name", "Dana", "--tenant", "acme",
        "--expertise", "fundraising", "--expertise", "pitching to investors", "--capacity", "3",
        "--language", "en", "--time-zone", "Europe/Berlin", "--json",
    )  # fmt: skip
    assert code == 0
    created = json.loads(stdout)
    assert created["person_id"] == "dana" and created["capacity"] == 3 and created["tenant"] == "acme"
    assert created["expertise"] == ["fundraising", "pitching to investors"]
    stored = PeopleRepository(database).get_mentor("acme", "dana")
    assert stored.record.time_zone == "Europe/Berlin"
    assert stored.vectors is not None and len(stored.vectors.data) == 2 * 384 * 4, "the phrases are embedded once"

    code, _, _ = people_cli("add", "--role", "mentee", "--person", "priya", "--name", "Priya", "--tenant", "acme",
                            "--goal", "raise a seed round")  # fmt: skip
    assert code == 0
    code, stdout, _ = people_cli("list", "--role", "mentor", "--tenant", "acme", "--json")
    assert code == 0 and [m["person_id"] for m in json.loads(stdout)] == ["dana"]
    code, stdout, _ = people_cli("list", "--role", "mentee", "--tenant", "acme")
    assert code == 0 and "priya  Priya  (raise a seed round)" in stdout
    code, stdout, _ = people_cli("list", "--role", "mentor", "--tenant", "globex", "--json")
    assert code == 0 and json.loads(stdout) == []


def test_bad_input_and_duplicates_are_one_line_errors(people_cli: RunCli, database: Database) -> None:
    code, _, stderr = people_cli("add", "--role", "mentor", "--person", "dana", "--name", "Dana", "--capacity", "60")
    assert code == 2 and "capacity" in stderr and "Traceback" not in stderr
    code, _, stderr = people_cli(
        "add", "--role", "mentor", "--person", "dana", "--name", "Dana", "--time-zone", "Nowhere"
    )
    assert code == 2 and "time_zone" in stderr and "Nowhere" in stderr
    code, _, stderr = people_cli("add", "--role", "coach", "--person", "dana", "--name", "Dana")
    assert code == 2 and "mentor or mentee" in stderr
    assert people_cli("add", "--role", "mentor", "--person", "dana", "--name", "Dana")[0] == 0
    code, _, stderr = people_cli("add", "--role", "mentor", "--person", "dana", "--name", "Dana")
    assert code == 1 and "exists already" in stderr


def test_match_suggests_assigns_and_accepts_from_the_cli(
    people_cli: RunCli, run_cli: RunCli, database_url: str
) -> None:
    def match(*args: str) -> tuple[int, str, str]:
        return run_cli("match", *args, env={"COMPANION_DATABASE_URL": database_url})

    for person, expertise, capacity in (("dana", "fundraising for startups", "2"), ("eli", "nursing leadership", "2")):
        code, _, err = people_cli("add", "--role", "mentor", "--person", person, "--name", person.title(),
                                  "--tenant", "acme", "--expertise", expertise, "--capacity", capacity)  # fmt: skip
        assert code == 0, err
    for person, goal in (("priya", "raise a seed round for my startup"), ("efua", "become a ward manager")):
        code, _, err = people_cli("add", "--role", "mentee", "--person", person, "--name", person.title(),
                                  "--tenant", "acme", "--goal", goal)  # fmt: skip
        assert code == 0, err

    code, out, err = match("suggest", "--mentee", "efua", "--tenant", "acme", "--json")
    assert code == 0, err
    assert json.loads(out)["matches"][0]["mentor_id"] == "eli"
    code, out, _ = match("suggest", "--mentee", "efua", "--tenant", "acme")
    assert "1. eli  Eli  score" in out and "expertise" in out

    args = (
        "cohort",
        "--mentee",
        "priya",
        "--mentee",
        "efua",
        "--mentor",
        "dana",
        "--mentor",
        "eli",
        "--tenant",
        "acme",
    )
    code, out, err = match(*args, "--accept", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert {(p["mentee_id"], p["mentor_id"]) for p in result["cohort"]["pairs"]} == {("priya", "dana"), ("efua", "eli")}
    assert [a["created"] for a in result["accepted"]] == [True, True]
    code, out, err = match(*args, "--accept")  # accepting again starts nothing twice
    assert code == 0, err
    assert "Started 0 mentorships (2 existed already)" in out, out

    code, _, err = match("suggest", "--mentee", "nobody", "--tenant", "acme")
    assert code == 1 and "nobody" in err and "Traceback" not in err
    code, out, _ = match("requests", "--tenant", "acme")
    assert code == 0 and "No mentor requests in tenant acme." in out
